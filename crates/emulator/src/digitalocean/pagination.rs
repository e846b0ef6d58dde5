//! DigitalOcean's pagination: numbered pages, with `links.pages` URIs.

use std::ops::Range;

use serde_json::{Value, json};

use crate::query::{percent_encode, query_get};

/// A DigitalOcean page request that was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoPage {
    pub page: usize,
    pub per_page: usize,
}

/// Reads `page` (≥ 1, default 1) and `per_page` (1–200, default 20; larger values are
/// capped at 200 as the real API does). Returns a message for a malformed value.
pub fn do_page(query: &[(String, String)]) -> Result<DoPage, String> {
    let get = |name: &str| query_get(query, name);
    let page = match get("page") {
        None | Some("") => 1,
        Some(v) => match v.parse::<usize>() {
            Ok(p) if p >= 1 => p,
            _ => return Err(format!("page must be a positive integer, got {v:?}")),
        },
    };
    let per_page = match get("per_page") {
        None | Some("") => 20,
        Some(v) => match v.parse::<usize>() {
            Ok(p) if p >= 1 => p.min(200),
            _ => return Err(format!("per_page must be between 1 and 200, got {v:?}")),
        },
    };
    Ok(DoPage { page, per_page })
}

impl DoPage {
    /// The index range of this page's items among `total` items.
    pub fn range(&self, total: usize) -> Range<usize> {
        let start = (self.page - 1).saturating_mul(self.per_page).min(total);
        start..(start + self.per_page).min(total)
    }

    /// The number of the last page (at least 1).
    pub fn last_page(&self, total: usize) -> usize {
        total.div_ceil(self.per_page).max(1)
    }

    /// The `links` object: `{}` when everything fits on one page; otherwise `pages` with
    /// `first`/`prev` (after page 1) and `next`/`last` (before the last page), as full URIs
    /// that keep the request's other query parameters.
    pub fn links(
        &self,
        base_url: &str,
        path: &str,
        query: &[(String, String)],
        total: usize,
    ) -> Value {
        let last = self.last_page(total);
        if last == 1 && self.page == 1 {
            return json!({});
        }
        let others: String = query
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .map(|(k, v)| format!("&{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        let uri = |p: usize| {
            format!(
                "{base_url}{path}?page={p}&per_page={}{others}",
                self.per_page
            )
        };
        let mut pages = serde_json::Map::new();
        if self.page > 1 {
            pages.insert("first".into(), json!(uri(1)));
            pages.insert("prev".into(), json!(uri((self.page - 1).min(last))));
        }
        if self.page < last {
            pages.insert("next".into(), json!(uri(self.page + 1)));
            pages.insert("last".into(), json!(uri(last)));
        }
        json!({ "pages": pages })
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
    fn do_links_follow_the_spec() {
        let query = q(&[("page", "2"), ("per_page", "10"), ("tag_name", "a:b")]);
        let p = do_page(&query).unwrap();
        let links = p.links("http://h", "/v2/droplets", &query, 35);
        let pages = &links["pages"];
        assert_eq!(
            pages["first"],
            "http://h/v2/droplets?page=1&per_page=10&tag_name=a:b"
        );
        assert_eq!(
            pages["prev"],
            "http://h/v2/droplets?page=1&per_page=10&tag_name=a:b"
        );
        assert_eq!(
            pages["next"],
            "http://h/v2/droplets?page=3&per_page=10&tag_name=a:b"
        );
        assert_eq!(
            pages["last"],
            "http://h/v2/droplets?page=4&per_page=10&tag_name=a:b"
        );
        let last = DoPage {
            page: 4,
            per_page: 10,
        };
        let links = last.links("http://h", "/v2/droplets", &[], 35);
        assert!(links["pages"].get("next").is_none());
        assert!(links["pages"].get("last").is_none());
        assert_eq!(
            DoPage {
                page: 1,
                per_page: 20
            }
            .links("h", "/p", &[], 3),
            json!({})
        );
        assert!(do_page(&q(&[("page", "0")])).is_err());
        assert_eq!(do_page(&q(&[("per_page", "999")])).unwrap().per_page, 200);
    }
}
