//! The session id and the tags Hangar puts on every machine it creates.
//!
//! A session id is 8 lowercase hex characters, generated once per installation and kept in
//! the settings file (or adopted from `machine`'s `session-id.yml` on import). The tags are
//! exactly the ones the `machine` CLI uses, so machines created by either tool are
//! recognised by both:
//!
//! - `machine:created` on every machine,
//! - `machine:type:<type name, lower-cased>`,
//! - `machine:session:<session id>`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::config_error::ConfigError;

/// Tag present on every machine created by Hangar or `machine`.
pub const CREATED_TAG: &str = "machine:created";
/// Tag of a machine protected against deletion, on providers without a protection of their
/// own. In the reserved `machine:` namespace, so a user tag cannot set it by accident; Hangar's
/// destroy (the app, `hangar destroy`) refuses such a machine, even with `--all`.
pub const PROTECTED_TAG: &str = "machine:protected";
const TYPE_TAG_PREFIX: &str = "machine:type:";
const SESSION_TAG_PREFIX: &str = "machine:session:";
/// Longest tag DigitalOcean accepts.
const MAX_TAG_LEN: usize = 255;

/// Eight lowercase hex characters identifying one installation's machines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(into = "String")]
pub struct SessionId(String);

// By hand rather than `try_from`, so that the YAML parser reports the line of a bad value.
impl<'de> Deserialize<'de> for SessionId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SessionId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("8 lowercase hex characters")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SessionId, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SessionId, E> {
                // `id: 12345678` is read by YAML as a number.
                self.visit_str(&format!("{v:08}"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl SessionId {
    /// A fresh random session id.
    pub fn generate() -> Self {
        let bytes = uuid::Uuid::new_v4().into_bytes();
        let hex: String = bytes[..4].iter().map(|b| format!("{b:02x}")).collect();
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SessionId {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 8
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(ConfigError::Invalid {
                field: "session id".into(),
                message: format!("`{s}` is not 8 lowercase hex characters"),
            })
        }
    }
}

impl TryFrom<String> for SessionId {
    type Error = ConfigError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<SessionId> for String {
    fn from(value: SessionId) -> Self {
        value.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The prefix of every tag Hangar (and `machine`) reads; a user's own tags may not start
/// with it.
pub const RESERVED_PREFIX: &str = "machine:";

/// Whether `tag` is in Hangar's reserved `machine:` namespace.
pub fn is_reserved_tag(tag: &str) -> bool {
    tag.starts_with(RESERVED_PREFIX)
}

/// A tag Hangar understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachineTag {
    Created,
    /// The machine type's name, lower-cased.
    Type(String),
    Session(SessionId),
    Protected,
}

impl MachineTag {
    /// Recognises one of Hangar's tags; any other tag gives `None`.
    pub fn parse(tag: &str) -> Option<Self> {
        if tag == CREATED_TAG {
            return Some(Self::Created);
        }
        if tag == PROTECTED_TAG {
            return Some(Self::Protected);
        }
        if let Some(name) = tag.strip_prefix(TYPE_TAG_PREFIX) {
            return (!name.is_empty()).then(|| Self::Type(name.to_owned()));
        }
        if let Some(id) = tag.strip_prefix(SESSION_TAG_PREFIX) {
            return id.parse().ok().map(Self::Session);
        }
        None
    }
}

impl fmt::Display for MachineTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Created => f.write_str(CREATED_TAG),
            Self::Type(name) => write!(f, "{TYPE_TAG_PREFIX}{name}"),
            Self::Session(id) => write!(f, "{SESSION_TAG_PREFIX}{id}"),
            Self::Protected => f.write_str(PROTECTED_TAG),
        }
    }
}

/// The `machine:type:<name>` tag for a machine type. Fails when the lower-cased name holds
/// characters a tag may not contain (DigitalOcean allows letters, digits, `_`, `-`, `:`).
pub fn type_tag(type_name: &str) -> Result<String, ConfigError> {
    let tag = format!("{TYPE_TAG_PREFIX}{}", type_name.to_lowercase());
    let valid_chars = tag
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b':');
    if type_name.is_empty() || !valid_chars || tag.len() > MAX_TAG_LEN {
        return Err(ConfigError::Invalid {
            field: "machine type name".into(),
            message: format!(
                "`{type_name}` cannot be used in a tag: use letters, digits, `_`, `-` or `:` \
                 (at most {} characters)",
                MAX_TAG_LEN - TYPE_TAG_PREFIX.len()
            ),
        });
    }
    Ok(tag)
}

/// The three tags a new machine of `type_name` gets in session `session`, in `machine`'s order.
pub fn tags_for_new_machine(
    type_name: &str,
    session: &SessionId,
) -> Result<Vec<String>, ConfigError> {
    Ok(vec![
        CREATED_TAG.to_owned(),
        type_tag(type_name)?,
        MachineTag::Session(session.clone()).to_string(),
    ])
}

/// Facts read back from a machine's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagSummary {
    /// `machine:created` is present.
    pub created_by_machine: bool,
    pub type_name: Option<String>,
    pub session: Option<SessionId>,
    /// `machine:protected` is present: destroy refuses the machine.
    pub protected: bool,
}

impl TagSummary {
    /// Reads Hangar's tags out of a machine's tag list, ignoring all others.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Self {
        let mut summary = Self::default();
        for tag in tags {
            match MachineTag::parse(tag) {
                Some(MachineTag::Created) => summary.created_by_machine = true,
                Some(MachineTag::Type(name)) => summary.type_name = Some(name),
                Some(MachineTag::Session(id)) => summary.session = Some(id),
                Some(MachineTag::Protected) => summary.protected = true,
                None => {}
            }
        }
        summary
    }

    /// Whether the machine was created by Hangar or `machine` in session `session`.
    pub fn is_in_session(&self, session: &SessionId) -> bool {
        self.created_by_machine && self.session.as_ref() == Some(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_eight_lowercase_hex_and_differ() {
        let a = SessionId::generate();
        let b = SessionId::generate();
        assert_eq!(a.as_str().len(), 8);
        assert!(
            a.as_str()
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
        assert_eq!(a.as_str().parse::<SessionId>().unwrap(), a);
    }

    #[test]
    fn session_id_rejects_wrong_forms() {
        for bad in ["", "abc", "ABCDEF12", "abcdef123", "abcdefg1", " abcdef1"] {
            assert!(bad.parse::<SessionId>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn tags_match_machine_and_parse_back() {
        let id: SessionId = "0a1b2c3d".parse().unwrap();
        let tags = tags_for_new_machine("Web-Server", &id).unwrap();
        assert_eq!(
            tags,
            [
                "machine:created",
                "machine:type:web-server",
                "machine:session:0a1b2c3d"
            ]
        );
        let summary = TagSummary::from_tags(tags.iter().map(String::as_str).chain(["other"]));
        assert!(summary.created_by_machine);
        assert_eq!(summary.type_name.as_deref(), Some("web-server"));
        assert!(summary.is_in_session(&id));
        assert!(!summary.is_in_session(&"ffffffff".parse().unwrap()));
    }

    #[test]
    fn foreign_and_malformed_tags_are_not_recognised() {
        for tag in [
            "machine:session:XYZ",
            "machine:type:",
            "machine",
            "web",
            "machine:created:x",
        ] {
            assert_eq!(MachineTag::parse(tag), None, "{tag}");
        }
    }

    #[test]
    fn type_names_that_cannot_be_tags_are_rejected() {
        assert!(type_tag("web server").is_err());
        assert!(type_tag("a.b").is_err());
        assert!(type_tag("").is_err());
        assert_eq!(type_tag("DB_1").unwrap(), "machine:type:db_1");
    }
}
