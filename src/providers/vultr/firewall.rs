//! Firewall access on Vultr: a rule in the instance's firewall group (`/firewalls`,
//! `/firewalls/{id}/rules`, and the instance's `firewall_group_id`).
//!
//! - An instance that already is in a group keeps it: the grant is one more rule there
//!   (TCP 22 from the source), whose `notes` carry the Hangar label. Nothing else in the group
//!   changes.
//! - An instance in no group gets a new group whose `description` is the Hangar label: the rule
//!   is added first, then the instance is attached (PATCH `/instances/{id}`
//!   `firewall_group_id`), so it is never in an empty group.
//! - Revoking deletes the rule; a group Hangar made (its description is a label) that has no
//!   rule left is detached from its instances (`firewall_group_id: ""`; the spec does not say
//!   how to detach, this is what the API takes) and deleted.
//!
//! A grant's id is `<group id>/<rule id>`.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{KIND, Vultr};
use crate::provider::{
    FirewallAccess, FirewallGrant, ProviderError, Result, SSH_PORT, SshGrantRequest,
    parse_grant_label,
};
use crate::providers::http::{Safety, encode_segment};

/// Shown before granting.
const NOTE: &str = "Vultr: a machine in a firewall group accepts only the inbound traffic the \
     group's rules allow. If the machine is in a group, the rule is added to that group and lets \
     you reach every machine in it; if it is in none, Hangar makes a group for it, which closes \
     its other open ports until the grant is revoked.";

#[derive(Debug, Deserialize)]
struct Group {
    id: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
struct GroupEnvelope {
    firewall_group: Group,
}

#[derive(Debug, Deserialize)]
struct Rule {
    id: u64,
    #[serde(default)]
    subnet: String,
    #[serde(default)]
    subnet_size: u8,
    #[serde(default)]
    notes: String,
}

#[derive(Debug, Deserialize)]
struct RuleEnvelope {
    firewall_rule: Rule,
}

fn group_path(group: &str) -> String {
    format!("/firewalls/{}", encode_segment(group))
}

fn rules_path(group: &str) -> String {
    format!("{}/rules", group_path(group))
}

fn grant_of(group: &str, rule: Rule) -> Option<FirewallGrant> {
    let (machine_id, expires_at) = parse_grant_label(&rule.notes)?;
    Some(FirewallGrant {
        id: format!("{group}/{}", rule.id),
        machine_id,
        source: format!("{}/{}", rule.subnet, rule.subnet_size),
        port: SSH_PORT,
        expires_at: u32::try_from(expires_at).unwrap_or(u32::MAX),
        label: rule.notes,
    })
}

fn bad_grant_id(id: &str) -> ProviderError {
    ProviderError::Validation {
        provider: KIND,
        message: format!("`{id}` is not a Vultr grant id (<firewall group id>/<rule id>)"),
    }
}

impl Vultr {
    async fn groups(&self) -> Result<Vec<Group>> {
        self.list_all("/firewalls", "firewall_groups", &[]).await
    }

    async fn rules(&self, group: &str) -> Result<Vec<Rule>> {
        self.list_all(&rules_path(group), "firewall_rules", &[])
            .await
    }

    async fn attach(&self, instance: &str, group: &str) -> Result<()> {
        let _: Value = self
            .http
            .send_json(
                Method::PATCH,
                &Self::instance_path(instance),
                &json!({ "firewall_group_id": group }),
                Safety::Idempotent,
            )
            .await?;
        Ok(())
    }

    async fn delete_quietly(&self, path: &str) -> Result<()> {
        match self
            .http
            .send_no_content::<Value>(Method::DELETE, path, None, Safety::Idempotent)
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    /// Detaches every instance from the Hangar group `group` and deletes it, once it has no
    /// rule left.
    async fn drop_group_if_empty(&self, group: &str) -> Result<()> {
        let g: GroupEnvelope = match self.http.get_json(&group_path(group), &[]).await {
            Ok(g) => g,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if parse_grant_label(&g.firewall_group.description).is_none()
            || !self.rules(group).await?.is_empty()
        {
            return Ok(());
        }
        let instances: Vec<Value> = self.list_all("/instances", "instances", &[]).await?;
        for i in instances
            .iter()
            .filter(|i| i["firewall_group_id"].as_str() == Some(group))
        {
            if let Some(id) = i["id"].as_str() {
                self.attach(id, "").await?;
            }
        }
        self.delete_quietly(&group_path(group)).await
    }

    async fn add_rule(&self, group: &str, request: &SshGrantRequest) -> Result<Rule> {
        let source = request.source;
        let body = json!({
            "ip_type": if source.is_ipv4() { "v4" } else { "v6" },
            "protocol": "tcp",
            "subnet": source.addr.to_string(),
            "subnet_size": source.prefix,
            "port": SSH_PORT.to_string(),
            "source": "",
            "notes": request.label(),
        });
        let answer: RuleEnvelope = self
            .http
            .send_json(Method::POST, &rules_path(group), &body, Safety::Idempotent)
            .await?;
        Ok(answer.firewall_rule)
    }
}

#[async_trait]
impl FirewallAccess for Vultr {
    fn firewall_note(&self) -> &'static str {
        NOTE
    }

    async fn allow_ssh(&self, request: &SshGrantRequest) -> Result<FirewallGrant> {
        let instance: Value = self
            .http
            .get_json(&Self::instance_path(&request.machine_id), &[])
            .await?;
        let current = instance
            .pointer("/instance/firewall_group_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let label = request.label();
        let (group, rule) = if current.is_empty() {
            let made: GroupEnvelope = self
                .http
                .send_json(
                    Method::POST,
                    "/firewalls",
                    &json!({ "description": label }),
                    Safety::CreatesResource,
                )
                .await?;
            let group = made.firewall_group.id;
            let rule = async {
                let rule = self.add_rule(&group, request).await?;
                self.attach(&request.machine_id, &group).await?;
                Ok::<_, ProviderError>(rule)
            }
            .await;
            match rule {
                Ok(rule) => (group, rule),
                Err(e) => {
                    // Leave nothing behind: the group is Hangar's and serves no one yet.
                    let _ = self.attach(&request.machine_id, "").await;
                    let _ = self.delete_quietly(&group_path(&group)).await;
                    return Err(e);
                }
            }
        } else {
            let rule = self.add_rule(&current, request).await?;
            (current, rule)
        };
        grant_of(&group, rule).ok_or_else(|| ProviderError::Decode {
            provider: KIND,
            message: format!("the new rule's notes are not {label}"),
        })
    }

    async fn list_ssh_grants(&self) -> Result<Vec<FirewallGrant>> {
        let mut grants = Vec::new();
        for g in self.groups().await? {
            let rules = match self.rules(&g.id).await {
                Ok(r) => r,
                // Deleted since the list: nothing of it to report.
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            grants.extend(rules.into_iter().filter_map(|r| grant_of(&g.id, r)));
        }
        Ok(grants)
    }

    async fn revoke_ssh(&self, grant_id: &str) -> Result<()> {
        let (group, rule) = grant_id
            .split_once('/')
            .filter(|(g, r)| !g.is_empty() && r.parse::<u64>().is_ok())
            .ok_or_else(|| bad_grant_id(grant_id))?;
        let rule_path = format!("{}/{rule}", rules_path(group));
        match self.http.get_json::<RuleEnvelope>(&rule_path, &[]).await {
            Ok(r) => {
                if parse_grant_label(&r.firewall_rule.notes).is_none() {
                    return Err(ProviderError::Validation {
                        provider: KIND,
                        message: format!(
                            "rule {rule} of firewall group {group} was not made by Hangar; it is \
                             left alone"
                        ),
                    });
                }
                self.delete_quietly(&rule_path).await?;
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        self.drop_group_if_empty(group).await
    }
}
