//! Linode's pagination (`page`, `page_size`; `{data, page, pages, results}`) and the
//! `X-Filter` header (`#/info/description`, "Pagination" and "Filtering and Sorting").

use std::cmp::Ordering;
use std::ops::Range;

use serde_json::{Value, json};

use crate::query::query_get;

/// The page sizes Linode accepts (`#/components/parameters/pageSize`).
pub const PAGE_SIZES: std::ops::RangeInclusive<usize> = 25..=500;

/// A page request that was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinodePage {
    pub page: usize,
    pub page_size: usize,
}

/// Why a page request or filter was refused: the reason and the field.
pub type Refused = (String, &'static str);

/// Reads `page` (≥ 1, default 1) and `page_size` (25–500, default 100).
pub fn linode_page(query: &[(String, String)]) -> Result<LinodePage, Refused> {
    let page = match query_get(query, "page") {
        None | Some("") => 1,
        Some(v) => match v.parse::<usize>() {
            Ok(p) if p >= 1 => p,
            _ => return Err(("page must be a number 1 or greater".into(), "page")),
        },
    };
    let page_size = match query_get(query, "page_size") {
        None | Some("") => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(p) if PAGE_SIZES.contains(&p) => p,
            _ => {
                return Err((
                    "page_size must be a number between 25 and 500".into(),
                    "page_size",
                ));
            }
        },
    };
    Ok(LinodePage { page, page_size })
}

impl LinodePage {
    /// The number of pages for `total` items (at least 1).
    pub fn pages(&self, total: usize) -> usize {
        total.div_ceil(self.page_size).max(1)
    }

    /// The index range of this page's items among `total` items.
    pub fn range(&self, total: usize) -> Range<usize> {
        let start = ((self.page - 1) * self.page_size).min(total);
        start..(start + self.page_size).min(total)
    }

    /// The envelope around `data`.
    pub fn envelope(&self, total: usize, data: Vec<Value>) -> Value {
        json!({
            "data": data,
            "page": self.page,
            "pages": self.pages(total),
            "results": total,
        })
    }
}

/// A parsed `X-Filter`: conditions on the rendered objects, and an optional order.
#[derive(Debug, Default)]
pub struct Filter {
    condition: Option<Condition>,
    order_by: Option<(String, bool)>,
}

#[derive(Debug)]
enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Field { name: String, op: Op, value: Value },
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Neq,
    Contains,
    Gt,
    Gte,
    Lt,
    Lte,
}

fn refused(reason: impl Into<String>) -> Refused {
    (reason.into(), "X-Filter")
}

impl Filter {
    /// Parses the header's value; `filterable` are the fields this list can be filtered on.
    pub fn parse(header: Option<&str>, filterable: &[&str]) -> Result<Filter, Refused> {
        let Some(text) = header.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Filter::default());
        };
        let v: Value = serde_json::from_str(text)
            .map_err(|_| refused("The X-Filter header is not valid JSON"))?;
        let Value::Object(map) = v else {
            return Err(refused("The X-Filter header must be a JSON object"));
        };
        let mut order_by = None;
        let mut descending = false;
        let mut conditions = Vec::new();
        for (k, v) in map {
            match k.as_str() {
                "+order_by" => {
                    let f = v
                        .as_str()
                        .ok_or_else(|| refused("+order_by must name a field"))?;
                    if !filterable.contains(&f) {
                        return Err(refused(format!("Cannot filter on {f}")));
                    }
                    order_by = Some(f.to_owned());
                }
                "+order" => match v.as_str() {
                    Some("asc") => descending = false,
                    Some("desc") => descending = true,
                    _ => return Err(refused("+order must be asc or desc")),
                },
                _ => conditions.push(parse_entry(&k, &v, filterable)?),
            }
        }
        Ok(Filter {
            condition: (!conditions.is_empty()).then_some(Condition::And(conditions)),
            order_by: order_by.map(|f| (f, descending)),
        })
    }

    /// Whether a rendered object passes.
    pub fn matches(&self, item: &Value) -> bool {
        self.condition.as_ref().is_none_or(|c| c.matches(item))
    }

    /// Filters and orders rendered objects.
    pub fn apply(&self, items: Vec<Value>) -> Vec<Value> {
        let mut out: Vec<Value> = items.into_iter().filter(|i| self.matches(i)).collect();
        if let Some((field, descending)) = &self.order_by {
            out.sort_by(|a, b| {
                let o = compare(&a[field.as_str()], &b[field.as_str()]).unwrap_or(Ordering::Equal);
                if *descending { o.reverse() } else { o }
            });
        }
        out
    }
}

fn parse_entry(key: &str, v: &Value, filterable: &[&str]) -> Result<Condition, Refused> {
    match key {
        "+and" | "+or" => {
            let parts = v
                .as_array()
                .ok_or_else(|| refused(format!("{key} must be a list of filters")))?;
            let mut conditions = Vec::new();
            for part in parts {
                let Value::Object(map) = part else {
                    return Err(refused(format!("{key} must be a list of filters")));
                };
                let mut inner = Vec::new();
                for (k, v) in map {
                    inner.push(parse_entry(k, v, filterable)?);
                }
                conditions.push(Condition::And(inner));
            }
            Ok(if key == "+and" {
                Condition::And(conditions)
            } else {
                Condition::Or(conditions)
            })
        }
        field if field.starts_with('+') => Err(refused(format!("Unknown operator {field}"))),
        field => {
            if !filterable.contains(&field) {
                return Err(refused(format!("Cannot filter on {field}")));
            }
            let (op, value) = match v {
                Value::Object(ops) => {
                    let mut it = ops.iter();
                    let (Some((op, value)), None) = (it.next(), it.next()) else {
                        return Err(refused(format!(
                            "The filter on {field} must have one operator"
                        )));
                    };
                    let op = match op.as_str() {
                        "+neq" => Op::Neq,
                        "+contains" => Op::Contains,
                        "+gt" => Op::Gt,
                        "+gte" => Op::Gte,
                        "+lt" => Op::Lt,
                        "+lte" => Op::Lte,
                        other => return Err(refused(format!("Unknown operator {other}"))),
                    };
                    (op, value.clone())
                }
                Value::Array(_) => {
                    return Err(refused(format!("The filter on {field} cannot be a list")));
                }
                other => (Op::Eq, other.clone()),
            };
            Ok(Condition::Field {
                name: field.to_owned(),
                op,
                value,
            })
        }
    }
}

impl Condition {
    fn matches(&self, item: &Value) -> bool {
        match self {
            Condition::And(cs) => cs.iter().all(|c| c.matches(item)),
            Condition::Or(cs) => cs.iter().any(|c| c.matches(item)),
            Condition::Field { name, op, value } => {
                let actual = &item[name.as_str()];
                // An array field (`tags`, `ipv4`) matches when one of its elements does.
                match actual {
                    Value::Array(elements) => elements.iter().any(|e| test(*op, e, value)),
                    other => test(*op, other, value),
                }
            }
        }
    }
}

fn test(op: Op, actual: &Value, wanted: &Value) -> bool {
    match op {
        Op::Eq => loose_eq(actual, wanted),
        Op::Neq => !loose_eq(actual, wanted),
        Op::Contains => match (actual.as_str(), wanted.as_str()) {
            (Some(a), Some(w)) => a.to_lowercase().contains(&w.to_lowercase()),
            _ => false,
        },
        Op::Gt => compare(actual, wanted) == Some(Ordering::Greater),
        Op::Gte => matches!(
            compare(actual, wanted),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        Op::Lt => compare(actual, wanted) == Some(Ordering::Less),
        Op::Lte => matches!(
            compare(actual, wanted),
            Some(Ordering::Less | Ordering::Equal)
        ),
    }
}

/// Equal, with a number matching its decimal string (`{"id": "123"}`).
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            n.to_string() == *s
        }
        _ => a == b,
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
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
    fn pages_and_sizes() {
        assert_eq!(
            linode_page(&q(&[])).unwrap(),
            LinodePage {
                page: 1,
                page_size: 100
            }
        );
        let p = linode_page(&q(&[("page", "2"), ("page_size", "25")])).unwrap();
        assert_eq!((p.range(60), p.pages(60)), (25..50, 3));
        assert_eq!(p.pages(0), 1);
        assert!(linode_page(&q(&[("page_size", "24")])).is_err());
        assert!(linode_page(&q(&[("page_size", "501")])).is_err());
        assert!(linode_page(&q(&[("page", "0")])).is_err());
    }

    #[test]
    fn filters_match_tags_labels_and_combinations() {
        let items = vec![
            json!({ "label": "a-1", "tags": ["x", "machine:created"], "id": 1 }),
            json!({ "label": "b-1", "tags": ["y"], "id": 2 }),
        ];
        let f = |s: &str| Filter::parse(Some(s), &["label", "tags", "id"]).unwrap();
        assert_eq!(f(r#"{"tags": "x"}"#).apply(items.clone()).len(), 1);
        assert_eq!(f(r#"{"label": "b-1"}"#).apply(items.clone())[0]["id"], 2);
        assert_eq!(
            f(r#"{"+and": [{"tags": "machine:created"}, {"label": "a-1"}]}"#)
                .apply(items.clone())
                .len(),
            1
        );
        assert_eq!(
            f(r#"{"+or": [{"label": "a-1"}, {"label": "b-1"}]}"#)
                .apply(items.clone())
                .len(),
            2
        );
        assert_eq!(
            f(r#"{"label": {"+contains": "-1"}, "+order_by": "id", "+order": "desc"}"#)
                .apply(items.clone())[0]["id"],
            2
        );
        assert!(Filter::parse(Some(r#"{"bogus": 1}"#), &["label"]).is_err());
        assert!(Filter::parse(Some("not json"), &["label"]).is_err());
    }
}
