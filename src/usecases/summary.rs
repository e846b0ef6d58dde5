//! [`MachineSummary`]: a machine as `machine` prints it in JSON (create, list).

use serde::Serialize;

use crate::provider::Machine;
use crate::session::TagSummary;

/// `{id, name, tags, region, ip, type}`, plus the provider status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MachineSummary {
    pub id: String,
    pub name: String,
    pub tags: Vec<String>,
    pub region: String,
    pub ip: Option<String>,
    /// The machine type from the `machine:type:<t>` tag.
    #[serde(rename = "type")]
    pub machine_type: Option<String>,
}

impl From<&Machine> for MachineSummary {
    fn from(m: &Machine) -> Self {
        let tags = TagSummary::from_tags(m.tags.iter().map(String::as_str));
        Self {
            id: m.id.clone(),
            name: m.name.clone(),
            tags: m.tags.clone(),
            region: m.region.clone(),
            ip: m.ipv4.clone(),
            machine_type: tags.type_name,
        }
    }
}
