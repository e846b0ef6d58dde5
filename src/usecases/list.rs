//! List machines: this session's (or all created ones), filtered by id, name, tag, type, region.

use crate::error::{Error, Result};
use crate::provider::{CloudProvider, Machine, MachineFilter};
use crate::session::{CREATED_TAG, MachineTag, SessionId, TagSummary};

/// Which machines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub id: Option<String>,
    pub name: Option<String>,
    pub tag: Option<String>,
    /// Machine type (compared case-insensitively, as tags hold it lower-cased).
    pub machine_type: Option<String>,
    pub region: Option<String>,
    /// Every machine of the account, not only this session's.
    pub all: bool,
    /// Exactly one machine must match.
    pub unique: bool,
}

/// The machines matching `filter`. Without `all`, only machines tagged with this session.
pub async fn list_machines(
    provider: &dyn CloudProvider,
    session: &SessionId,
    filter: &ListFilter,
) -> Result<Vec<Machine>> {
    let machines = match &filter.id {
        // One request, whatever the account holds.
        Some(id) => match provider.get_machine(id).await {
            Ok(m) => vec![m],
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(e.into()),
        },
        None => {
            let server_tag = if filter.all {
                filter.tag.clone()
            } else {
                Some(MachineTag::Session(session.clone()).to_string())
            };
            let f = server_tag.map(MachineFilter::tagged).unwrap_or_default();
            provider.list_machines(&f).await?
        }
    };
    let found: Vec<Machine> = machines
        .into_iter()
        .filter(|m| matches(m, session, filter))
        .collect();
    // As `machine` does: `--unique` refuses several matches; none is an empty list.
    if filter.unique && found.len() > 1 {
        return Err(Error::validation(format!(
            "expected at most one machine to match, found {}",
            found.len()
        )));
    }
    Ok(found)
}

fn matches(m: &Machine, session: &SessionId, f: &ListFilter) -> bool {
    let tags = TagSummary::from_tags(m.tags.iter().map(String::as_str));
    (f.all || tags.is_in_session(session))
        && f.name.as_ref().is_none_or(|n| &m.name == n)
        && f.tag.as_ref().is_none_or(|t| m.tags.contains(t))
        && f.region.as_ref().is_none_or(|r| &m.region == r)
        && f.machine_type.as_ref().is_none_or(|t| {
            tags.type_name
                .as_deref()
                .is_some_and(|have| have.eq_ignore_ascii_case(t))
        })
}

/// True when the machine carries `machine:created`.
pub fn is_created_by_hangar(m: &Machine) -> bool {
    m.tags.iter().any(|t| t == CREATED_TAG)
}
