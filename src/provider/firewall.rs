//! Firewall access: let SSH (TCP 22) reach one machine from one source address, for a while.
//!
//! A grant is a provider firewall object (DigitalOcean: a firewall of its own; Vultr: a rule in
//! the machine's firewall group) whose name, description or notes carry a **Hangar label**,
//! `hangar-ssh-<machine id>-until-<unix seconds>` ([`grant_label`], read back by
//! [`parse_grant_label`]). The label is all Hangar needs to find its grants again after a
//! restart, and the expiry in it is what the sweep compares with the clock: nothing is kept on
//! this computer.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{CloudProvider, ProviderError, Result};

/// The port a grant opens.
pub const SSH_PORT: u16 = 22;

/// What every grant label starts with.
pub const GRANT_LABEL_PREFIX: &str = "hangar-ssh-";
const UNTIL: &str = "-until-";

/// The label of a grant to machine `machine_id` that expires at `expires_at` (Unix seconds).
/// It fits DigitalOcean's firewall name rule (`^[a-zA-Z0-9][a-zA-Z0-9\.-]+$`) for the ids
/// providers give (digits, UUIDs).
pub fn grant_label(machine_id: &str, expires_at: u64) -> String {
    format!("{GRANT_LABEL_PREFIX}{machine_id}{UNTIL}{expires_at}")
}

/// The machine id and expiry (Unix seconds) of a Hangar label, or `None` for any other text.
pub fn parse_grant_label(label: &str) -> Option<(String, u64)> {
    let rest = label.strip_prefix(GRANT_LABEL_PREFIX)?;
    let at = rest.rfind(UNTIL)?;
    let (machine, until) = (&rest[..at], &rest[at + UNTIL.len()..]);
    let valid_id = !machine.is_empty()
        && machine
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_id || until.is_empty() || !until.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((machine.to_owned(), until.parse().ok()?))
}

/// An address block a grant lets in: an IPv4 or IPv6 address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceCidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl SourceCidr {
    /// The one address `addr` (/32 or /128).
    pub fn host(addr: IpAddr) -> Self {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        Self { addr, prefix }
    }

    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }
}

impl fmt::Display for SourceCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for SourceCidr {
    type Err = String;

    /// `203.0.113.7`, `203.0.113.0/24`, `2001:db8::1/128`: an address, with an optional
    /// prefix length no longer than the address.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

/// One grant Hangar made: SSH to `machine_id` from `source` until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FirewallGrant {
    /// What [`FirewallAccess::revoke_ssh`] takes (DigitalOcean: the firewall id; Vultr:
    /// `<group id>/<rule id>`).
    pub id: String,
    pub machine_id: String,
    /// The source block, as `address/prefix`.
    pub source: String,
    pub port: u16,
    /// Unix seconds (fits u32 until 2106; the UI's numbers stay exact).
    pub expires_at: u32,
    /// The Hangar label the grant carries.
    pub label: String,
}

impl FirewallGrant {
    /// Whether the grant has expired at `now` (Unix seconds).
    pub fn expired_at(&self, now: u64) -> bool {
        u64::from(self.expires_at) <= now
    }
}

/// What to grant: SSH to one machine from one source block until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshGrantRequest {
    pub machine_id: String,
    pub source: SourceCidr,
    /// Unix seconds.
    pub expires_at: u64,
}

impl SshGrantRequest {
    /// The label the grant carries.
    pub fn label(&self) -> String {
        grant_label(&self.machine_id, self.expires_at)
    }
}

/// Firewall access for SSH (DigitalOcean firewalls, Vultr firewall groups).
#[async_trait]
pub trait FirewallAccess: Send + Sync {
    /// What a person should know before granting, in one or two sentences (what else the
    /// provider's firewall changes for the machine).
    fn firewall_note(&self) -> &'static str;

    /// Lets TCP 22 reach the machine from `request.source`, labelled with
    /// [`SshGrantRequest::label`].
    async fn allow_ssh(&self, request: &SshGrantRequest) -> Result<FirewallGrant>;

    /// Every grant Hangar made on the account (recognised by its label), expired or not.
    async fn list_ssh_grants(&self) -> Result<Vec<FirewallGrant>>;

    /// Removes the grant `grant_id` (what Hangar created for it, and nothing else). A grant
    /// that is already gone is not an error.
    async fn revoke_ssh(&self, grant_id: &str) -> Result<()>;
}

/// The firewall capability of `provider`, or [`ProviderError::Unsupported`].
pub fn firewall_of(provider: &dyn CloudProvider) -> Result<&dyn FirewallAccess> {
    provider
        .firewall()
        .ok_or_else(|| ProviderError::Unsupported {
            provider: provider.kind(),
            capability: "firewall access".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_reads_back_as_its_machine_and_expiry() {
        for id in ["500000001", "cb676a46-66fd-4dfb-b839-443f2e6c0b60", "a"] {
            let label = grant_label(id, 1_780_000_000);
            assert_eq!(
                parse_grant_label(&label),
                Some((id.to_owned(), 1_780_000_000))
            );
        }
        assert_eq!(
            grant_label("42", 7),
            "hangar-ssh-42-until-7",
            "the documented form"
        );
    }

    #[test]
    fn other_names_are_not_labels() {
        for s in [
            "",
            "firewall",
            "hangar-ssh-",
            "hangar-ssh-42",
            "hangar-ssh--until-5",
            "hangar-ssh-42-until-",
            "hangar-ssh-42-until-5x",
            "hangar-ssh-4_2-until-5",
            "Hangar-ssh-42-until-5",
            "hangar-ssh-42-until-99999999999999999999999",
        ] {
            assert_eq!(parse_grant_label(s), None, "{s:?}");
        }
    }

    #[test]
    fn a_label_fits_the_digitalocean_name_rule() {
        let re = regex::Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9\.-]+$").unwrap();
        assert!(re.is_match(&grant_label("cb676a46-66fd-4dfb-b839-443f2e6c0b60", 1)));
    }

    #[test]
    fn sources_parse_with_and_without_a_prefix() {
        let s: SourceCidr = "203.0.113.7".parse().unwrap();
        assert_eq!(s.to_string(), "203.0.113.7/32");
        let s: SourceCidr = "2001:db8::1".parse().unwrap();
        assert_eq!(s.to_string(), "2001:db8::1/128");
        let s: SourceCidr = " 198.51.100.0/24 ".parse().unwrap();
        assert_eq!((s.prefix, s.is_ipv4()), (24, true));
        for bad in [
            "",
            "example.com",
            "203.0.113.7/33",
            "2001:db8::/129",
            "1.2.3.4/x",
        ] {
            assert!(bad.parse::<SourceCidr>().is_err(), "{bad:?}");
        }
    }
}
