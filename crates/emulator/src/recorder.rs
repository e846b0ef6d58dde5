//! The log of every request an emulator received.

use super::config::EmulatedProvider;

/// One request as the emulator saw it, with the status it answered.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RecordedRequest {
    /// Which provider's listener received it.
    pub provider: EmulatedProvider,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, e.g. `/v2/droplets/3164444` (Vultr paths include the `/v2` prefix).
    pub path: String,
    /// The raw query string without `?`, empty when there was none.
    pub query: String,
    /// The body parsed as JSON; `None` when empty or not JSON.
    pub body: Option<serde_json::Value>,
    /// The response status; `0` when the connection was dropped without a response.
    pub status: u16,
}

impl RecordedRequest {
    /// The value of query parameter `name`, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        url_query_pairs(&self.query)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// Splits and percent-decodes a query string into pairs, in order.
pub(crate) fn url_query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query component.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries() {
        let pairs = url_query_pairs("tag_name=machine%3Asession%3Aab&name=a+b&x=%");
        assert_eq!(pairs[0], ("tag_name".into(), "machine:session:ab".into()));
        assert_eq!(pairs[1], ("name".into(), "a b".into()));
        assert_eq!(pairs[2], ("x".into(), "%".into()));
    }
}
