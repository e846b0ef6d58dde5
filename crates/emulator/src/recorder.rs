//! The log of every request an emulator received.

use super::query::url_query_pairs;
use super::registry::EmulatedProvider;

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
