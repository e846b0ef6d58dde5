//! Firewall access on DigitalOcean: one cloud firewall per grant (`/v2/firewalls`).
//!
//! A grant is a firewall named with the Hangar label (`hangar-ssh-<droplet>-until-<unix>`, which
//! fits the name rule `^[a-zA-Z0-9][a-zA-Z0-9\.-]+$` of `#/components/schemas/firewall`), with
//! `droplet_ids: [droplet]`, one inbound rule (TCP 22 from the source) and outbound rules that
//! allow everything. The outbound rules matter: a Droplet in any firewall drops all traffic no
//! firewall allows, outbound too, so a grant without them would cut the machine off. Firewalls
//! add up, so these rules open nothing the Droplet's own firewalls close on the way in.
//! Revoking deletes the firewall (204).

use async_trait::async_trait;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{DigitalOcean, KIND};
use crate::provider::{
    FirewallAccess, FirewallGrant, ProviderError, Result, SSH_PORT, SshGrantRequest,
    parse_grant_label,
};
use crate::providers::http::lifecycle::create_reconciled;
use crate::providers::http::{Safety, encode_segment};

/// Shown before granting.
const NOTE: &str = "DigitalOcean: while a Droplet is in any cloud firewall, it drops all inbound \
     traffic that no firewall allows. If this Droplet is in no firewall yet, granting SSH closes \
     its other open ports (web, …) until the grant is revoked. Outbound traffic stays open.";

#[derive(Debug, Serialize, Deserialize)]
struct Target {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    addresses: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Inbound {
    protocol: String,
    ports: String,
    sources: Target,
}

#[derive(Debug, Serialize, Deserialize)]
struct Outbound {
    protocol: String,
    ports: String,
    destinations: Target,
}

#[derive(Debug, Serialize)]
struct CreateFirewall<'a> {
    name: &'a str,
    droplet_ids: [u64; 1],
    inbound_rules: [Inbound; 1],
    outbound_rules: Vec<Outbound>,
}

#[derive(Debug, Deserialize)]
struct FirewallWire {
    id: String,
    name: String,
    #[serde(default)]
    inbound_rules: Option<Vec<Inbound>>,
}

#[derive(Debug, Deserialize)]
struct FirewallEnvelope {
    firewall: FirewallWire,
}

/// The grant a firewall stands for, if Hangar made it.
fn grant_of(f: FirewallWire) -> Option<FirewallGrant> {
    let (machine_id, expires_at) = parse_grant_label(&f.name)?;
    let source = f
        .inbound_rules
        .unwrap_or_default()
        .into_iter()
        .find(|r| r.protocol == "tcp" && r.ports == SSH_PORT.to_string())
        .and_then(|r| r.sources.addresses.into_iter().next())
        .unwrap_or_default();
    // A firewall whose Droplet was destroyed lists no Droplet: the label still names it.
    Some(FirewallGrant {
        id: f.id,
        machine_id,
        source,
        port: SSH_PORT,
        expires_at: u32::try_from(expires_at).unwrap_or(u32::MAX),
        label: f.name,
    })
}

fn everywhere(protocol: &str) -> Outbound {
    Outbound {
        protocol: protocol.into(),
        ports: "0".into(),
        destinations: Target {
            addresses: vec!["0.0.0.0/0".into(), "::/0".into()],
        },
    }
}

impl DigitalOcean {
    async fn hangar_firewalls(&self) -> Result<Vec<FirewallGrant>> {
        let all: Vec<FirewallWire> = self.list_all("/v2/firewalls", "firewalls", &[]).await?;
        let mut seen = std::collections::HashSet::new();
        Ok(all
            .into_iter()
            .filter(|f| seen.insert(f.id.clone()))
            .filter_map(grant_of)
            .collect())
    }
}

#[async_trait]
impl FirewallAccess for DigitalOcean {
    fn firewall_note(&self) -> &'static str {
        NOTE
    }

    async fn allow_ssh(&self, request: &SshGrantRequest) -> Result<FirewallGrant> {
        let droplet = Self::droplet_id(&request.machine_id)?;
        let label = request.label();
        let body = CreateFirewall {
            name: &label,
            droplet_ids: [droplet],
            inbound_rules: [Inbound {
                protocol: "tcp".into(),
                ports: SSH_PORT.to_string(),
                sources: Target {
                    addresses: vec![request.source.to_string()],
                },
            }],
            outbound_rules: ["tcp", "udp", "icmp"].map(everywhere).into(),
        };
        create_reconciled(
            self.http.policy(),
            || async {
                let answer: FirewallEnvelope = self
                    .http
                    .send_json(
                        Method::POST,
                        "/v2/firewalls",
                        &body,
                        Safety::CreatesResource,
                    )
                    .await?;
                grant_of(answer.firewall).ok_or_else(|| ProviderError::Decode {
                    provider: KIND,
                    message: format!("the new firewall is not named {label}"),
                })
            },
            || async {
                Ok(self
                    .hangar_firewalls()
                    .await?
                    .into_iter()
                    .find(|g| g.label == label))
            },
        )
        .await
    }

    async fn list_ssh_grants(&self) -> Result<Vec<FirewallGrant>> {
        self.hangar_firewalls().await
    }

    async fn revoke_ssh(&self, grant_id: &str) -> Result<()> {
        let path = format!("/v2/firewalls/{}", encode_segment(grant_id));
        // Only a Hangar firewall is deleted, whatever id is passed.
        let current: FirewallEnvelope = match self.http.get_json(&path, &[]).await {
            Ok(f) => f,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if parse_grant_label(&current.firewall.name).is_none() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: format!(
                    "firewall {grant_id} ({}) was not made by Hangar; it is left alone",
                    current.firewall.name
                ),
            });
        }
        match self
            .http
            .send_no_content::<Value>(Method::DELETE, &path, None, Safety::Idempotent)
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }
}
