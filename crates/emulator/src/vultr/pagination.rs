//! Vultr's pagination: opaque cursors in `meta.links`.

use std::ops::Range;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::query::query_get;

/// A Vultr page request that was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VultrPage {
    pub offset: usize,
    pub per_page: usize,
}

/// Reads `per_page` (default 100, at most 500) and `cursor` (opaque, from an earlier
/// response). Returns a message for a malformed value.
pub fn vultr_page(query: &[(String, String)]) -> Result<VultrPage, String> {
    let get = |name: &str| query_get(query, name);
    let per_page = match get("per_page") {
        None | Some("") => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(p) if p >= 1 => p.min(500),
            _ => return Err(format!("Invalid per_page value: {v}")),
        },
    };
    let offset = match get("cursor") {
        None | Some("") => 0,
        Some(c) => decode_cursor(c).ok_or_else(|| "Invalid cursor.".to_string())?,
    };
    Ok(VultrPage { offset, per_page })
}

/// Cursors are base64 like Vultr's, in the URL-safe alphabet without padding so that a client
/// that forgets to percent-encode them still works.
fn encode_cursor(kind: &str, offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}__{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let raw = URL_SAFE_NO_PAD
        .decode(c.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(c))
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, offset) = text.split_once("__")?;
    if kind != "next" && kind != "prev" {
        return None;
    }
    offset.parse().ok()
}

impl VultrPage {
    /// The index range of this page's items among `total` items.
    pub fn range(&self, total: usize) -> Range<usize> {
        let start = self.offset.min(total);
        start..(start + self.per_page).min(total)
    }

    /// The `meta` object: `total` and `links.next`/`links.prev` cursors, `""` when there is
    /// no such page.
    pub fn meta(&self, total: usize) -> Value {
        let range = self.range(total);
        let next = if range.end < total {
            encode_cursor("next", range.end)
        } else {
            String::new()
        };
        let prev = if range.start > 0 {
            encode_cursor("prev", range.start.saturating_sub(self.per_page))
        } else {
            String::new()
        };
        json!({ "total": total, "links": { "next": next, "prev": prev } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn vultr_cursors_walk_and_end_empty() {
        let first = vultr_page(&q(&[("per_page", "2")])).unwrap();
        let meta = first.meta(5);
        assert_eq!(meta["links"]["prev"], "");
        let next = meta["links"]["next"].as_str().unwrap().to_string();
        let second = vultr_page(&q(&[("per_page", "2"), ("cursor", &next)])).unwrap();
        assert_eq!(second.range(5), 2..4);
        let third = vultr_page(&q(&[
            ("per_page", "2"),
            ("cursor", second.meta(5)["links"]["next"].as_str().unwrap()),
        ]))
        .unwrap();
        assert_eq!(third.range(5), 4..5);
        assert_eq!(third.meta(5)["links"]["next"], "");
        assert!(vultr_page(&q(&[("cursor", "not a cursor")])).is_err());
    }
}
