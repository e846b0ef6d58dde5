//! Firewall access on Linode: an inbound rule in the Linode's Cloud Firewall
//! (`/networking/firewalls`, `/networking/firewalls/{firewallId}/rules`, and the Linode's
//! `/linode/instances/{linodeId}/firewalls`).
//!
//! - "A Linode instance can have one active, assigned Firewall at a time" (POST
//!   `/networking/firewalls`), so a grant cannot be a firewall of its own as on DigitalOcean:
//!   when the Linode has an enabled firewall, the grant is one more inbound rule there
//!   (ACCEPT TCP 22 from the source) and nothing else in it changes.
//! - A Linode with no firewall gets one labelled `hangar-ssh-<linode id>`, with
//!   `inbound_policy: DROP`, `outbound_policy: ACCEPT`, the rule, and the Linode as its device,
//!   in one create. A firewall of that label left from before is reused.
//! - Rules have no ids. The Hangar label (`hangar-ssh-<id>-until-<t>`) is longer than a rule's
//!   or a firewall's `label` allows (3 to 32 characters), so it goes in the rule's
//!   `description` (1 to 100), and a grant's id is `<firewall id>/<Hangar label>`.
//! - The rules are replaced as a whole (PUT `.../rules`), so they are read first and every
//!   other rule is sent back as it was.
//! - Revoking removes the rule; a firewall Hangar made that has no rule left is deleted, which
//!   also detaches it from its Linodes.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{KIND, Linode, PAGE_SIZE, refused};
use crate::provider::{
    FirewallAccess, FirewallGrant, GRANT_LABEL_PREFIX, ProviderError, Result, SSH_PORT,
    SshGrantRequest, parse_grant_label,
};
use crate::providers::http::Safety;

/// Shown before granting.
const NOTE: &str = "Linode: a Linode has at most one active Cloud Firewall. If the machine has \
     one, the rule is added to it and lets you reach every Linode it protects; if it has none, \
     Hangar makes one for it, which drops its other inbound traffic until the grant is revoked.";

/// Rules a firewall may hold, inbound and outbound together.
const MAX_RULES: usize = 25;

/// The `label` of each rule Hangar adds (3 to 32 characters).
const RULE_LABEL: &str = "hangar-ssh";

#[derive(Debug, Deserialize)]
struct FirewallWire {
    id: i64,
    #[serde(default)]
    label: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    rules: Option<Value>,
}

impl FirewallWire {
    fn enabled(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "enabled")
    }
}

/// The label of the firewall Hangar makes for Linode `id`.
fn own_firewall_label(linode_id: &str) -> String {
    format!("{GRANT_LABEL_PREFIX}{linode_id}")
}

fn is_own_firewall(label: &str) -> bool {
    label.starts_with(GRANT_LABEL_PREFIX) && parse_grant_label(label).is_none()
}

fn firewall_path(id: i64) -> String {
    format!("/networking/firewalls/{id}")
}

fn rules_path(id: i64) -> String {
    format!("{}/rules", firewall_path(id))
}

/// The inbound rule of a grant.
fn grant_rule(request: &SshGrantRequest) -> Value {
    let source = request.source.to_string();
    let addresses = if request.source.is_ipv4() {
        json!({ "ipv4": [source] })
    } else {
        json!({ "ipv6": [source] })
    };
    json!({
        "action": "ACCEPT",
        "protocol": "TCP",
        "ports": SSH_PORT.to_string(),
        "addresses": addresses,
        "label": RULE_LABEL,
        "description": request.label(),
    })
}

fn inbound(rules: &Value) -> &[Value] {
    rules
        .get("inbound")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn rule_count(rules: &Value) -> usize {
    let outbound = rules
        .get("outbound")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    inbound(rules).len() + outbound
}

/// The grants among `rules` of firewall `firewall`.
fn grants_in(firewall: i64, rules: &Value) -> Vec<FirewallGrant> {
    inbound(rules)
        .iter()
        .filter_map(|rule| {
            let label = rule.get("description").and_then(Value::as_str)?;
            let (machine_id, expires_at) = parse_grant_label(label)?;
            let addresses = rule.get("addresses");
            let source = ["ipv4", "ipv6"]
                .iter()
                .find_map(|family| {
                    addresses?
                        .get(family)?
                        .as_array()?
                        .first()?
                        .as_str()
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            Some(FirewallGrant {
                id: format!("{firewall}/{label}"),
                machine_id,
                source,
                port: SSH_PORT,
                expires_at: u32::try_from(expires_at).unwrap_or(u32::MAX),
                label: label.to_owned(),
            })
        })
        .collect()
}

/// The body of PUT `.../rules`: the four fields of the ruleset, others as they were.
fn ruleset_body(rules: &Value, inbound_rules: Vec<Value>) -> Value {
    let field = |name: &str, default: Value| rules.get(name).cloned().unwrap_or(default);
    let mut body = Map::new();
    body.insert("inbound".into(), Value::Array(inbound_rules));
    body.insert(
        "inbound_policy".into(),
        field("inbound_policy", json!("ACCEPT")),
    );
    body.insert("outbound".into(), field("outbound", json!([])));
    body.insert(
        "outbound_policy".into(),
        field("outbound_policy", json!("ACCEPT")),
    );
    Value::Object(body)
}

fn bad_grant_id(id: &str) -> ProviderError {
    refused(format!(
        "`{id}` is not a Linode grant id (<firewall id>/<Hangar label>)"
    ))
}

impl Linode {
    async fn rules_of(&self, firewall: i64) -> Result<Value> {
        self.http.get_json(&rules_path(firewall), &[]).await
    }

    /// Adds the grant's rule to `firewall`, keeping every other rule.
    async fn add_grant_rule(&self, firewall: i64, request: &SshGrantRequest) -> Result<Value> {
        let rules = self.rules_of(firewall).await?;
        if rule_count(&rules) >= MAX_RULES {
            return Err(refused(format!(
                "firewall {firewall} already has {MAX_RULES} rules, the most Linode allows; \
                 remove one to let SSH in"
            )));
        }
        let mut inbound_rules = inbound(&rules).to_vec();
        inbound_rules.push(grant_rule(request));
        self.http
            .send_json(
                Method::PUT,
                &rules_path(firewall),
                &ruleset_body(&rules, inbound_rules),
                Safety::Idempotent,
            )
            .await
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

    /// Gives Linode `linode` its own firewall holding the grant's rule, or adds the rule to
    /// the one Hangar made for it before and attaches that.
    async fn own_firewall_with(&self, request: &SshGrantRequest) -> Result<(i64, Value)> {
        let linode: i64 = request.machine_id.trim().parse().map_err(|_| {
            refused(format!(
                "`{}` is not a Linode id",
                request.machine_id.trim()
            ))
        })?;
        let label = own_firewall_label(&linode.to_string());
        let by_label = json!({ "label": label });
        let earlier: Vec<FirewallWire> = self
            .list_all("/networking/firewalls", Some(&by_label), Some(PAGE_SIZE))
            .await?;
        if let Some(fw) = earlier.into_iter().find(|f| f.label == label) {
            let rules = self.add_grant_rule(fw.id, request).await?;
            let device = format!("{}/devices", firewall_path(fw.id));
            let attached: Result<Value> = self
                .http
                .send_json(
                    Method::POST,
                    &device,
                    &json!({ "id": linode, "type": "linode" }),
                    Safety::Idempotent,
                )
                .await;
            match attached {
                Ok(_) => {}
                // Already its device: a 400 saying so is the state we want.
                Err(ProviderError::Validation { message, .. })
                    if message.to_ascii_lowercase().contains("already") => {}
                Err(e) => return Err(e),
            }
            return Ok((fw.id, rules));
        }
        let body = json!({
            "label": label,
            "rules": {
                "inbound_policy": "DROP",
                "outbound_policy": "ACCEPT",
                "inbound": [grant_rule(request)],
                "outbound": [],
            },
            "devices": { "linodes": [linode] },
        });
        let made: FirewallWire = self
            .http
            .send_json(
                Method::POST,
                "/networking/firewalls",
                &body,
                Safety::CreatesResource,
            )
            .await?;
        let rules = match made.rules {
            Some(rules) => rules,
            None => self.rules_of(made.id).await?,
        };
        Ok((made.id, rules))
    }
}

#[async_trait]
impl FirewallAccess for Linode {
    fn firewall_note(&self) -> &'static str {
        NOTE
    }

    async fn allow_ssh(&self, request: &SshGrantRequest) -> Result<FirewallGrant> {
        let path = format!("{}/firewalls", Self::linode_path(&request.machine_id));
        let attached: Vec<FirewallWire> = self.list_all(&path, None, Some(PAGE_SIZE)).await?;
        let (firewall, rules) = match attached.iter().find(|f| f.enabled()) {
            Some(fw) => (fw.id, self.add_grant_rule(fw.id, request).await?),
            None => self.own_firewall_with(request).await?,
        };
        let label = request.label();
        grants_in(firewall, &rules)
            .into_iter()
            .find(|g| g.label == label)
            .ok_or_else(|| ProviderError::Decode {
                provider: KIND,
                message: format!("firewall {firewall} does not show the rule {label}"),
            })
    }

    async fn list_ssh_grants(&self) -> Result<Vec<FirewallGrant>> {
        let firewalls: Vec<FirewallWire> = self
            .list_all("/networking/firewalls", None, Some(PAGE_SIZE))
            .await?;
        let mut grants = Vec::new();
        for fw in firewalls {
            let rules = match fw.rules {
                Some(rules) => rules,
                None => match self.rules_of(fw.id).await {
                    Ok(rules) => rules,
                    // Deleted since the list: nothing of it to report.
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e),
                },
            };
            grants.extend(grants_in(fw.id, &rules));
        }
        Ok(grants)
    }

    async fn revoke_ssh(&self, grant_id: &str) -> Result<()> {
        let (firewall, label) = grant_id
            .split_once('/')
            .and_then(|(f, l)| Some((f.parse::<i64>().ok()?, l)))
            .filter(|(_, l)| parse_grant_label(l).is_some())
            .ok_or_else(|| bad_grant_id(grant_id))?;
        let rules = match self.rules_of(firewall).await {
            Ok(rules) => rules,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        let before = inbound(&rules);
        let kept: Vec<Value> = before
            .iter()
            .filter(|r| r.get("description").and_then(Value::as_str) != Some(label))
            .cloned()
            .collect();
        let now_empty = kept.is_empty() && rule_count(&rules) == before.len();
        if kept.len() != before.len() {
            let _: Value = self
                .http
                .send_json(
                    Method::PUT,
                    &rules_path(firewall),
                    &ruleset_body(&rules, kept),
                    Safety::Idempotent,
                )
                .await?;
        }
        if now_empty {
            let fw: FirewallWire = match self.http.get_json(&firewall_path(firewall), &[]).await {
                Ok(fw) => fw,
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => return Err(e),
            };
            if is_own_firewall(&fw.label) {
                self.delete_quietly(&firewall_path(firewall)).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::SourceCidr;

    fn request() -> SshGrantRequest {
        SshGrantRequest {
            machine_id: "50000001".into(),
            source: "203.0.113.7".parse::<SourceCidr>().unwrap(),
            expires_at: 1_780_000_000,
        }
    }

    #[test]
    fn a_grant_rule_reads_back_as_the_grant() {
        let rule = grant_rule(&request());
        assert_eq!(rule["ports"], "22");
        assert_eq!(rule["protocol"], "TCP");
        assert_eq!(rule["addresses"], json!({"ipv4": ["203.0.113.7/32"]}));
        let label = request().label();
        assert!(
            label.len() > 32,
            "a real Linode id makes it too long for a rule's label"
        );
        assert!(label.len() <= 100, "fits a rule's description");
        let rules = json!({
            "inbound": [
                {"action": "ACCEPT", "protocol": "TCP", "ports": "80",
                 "addresses": {"ipv4": ["0.0.0.0/0"]}, "label": "web"},
                rule
            ],
            "inbound_policy": "DROP", "outbound": [], "outbound_policy": "ACCEPT"
        });
        let grants = grants_in(9, &rules);
        assert_eq!(grants.len(), 1);
        let g = &grants[0];
        assert_eq!(g.id, format!("9/{label}"));
        assert_eq!(
            (g.machine_id.as_str(), g.source.as_str(), g.expires_at),
            ("50000001", "203.0.113.7/32", 1_780_000_000)
        );
        let body = ruleset_body(&rules, inbound(&rules)[..1].to_vec());
        assert_eq!(body["inbound"].as_array().unwrap().len(), 1);
        assert_eq!(body["inbound_policy"], "DROP");
        assert_eq!(body["outbound_policy"], "ACCEPT");
    }

    #[test]
    fn own_firewalls_are_told_apart_and_fit_the_label_limit() {
        let label = own_firewall_label("4294967295");
        assert!(label.len() <= 32 && super::super::validate_label(&label).is_ok());
        assert!(is_own_firewall(&label));
        assert!(!is_own_firewall("office"));
        assert!(!is_own_firewall(&request().label()));
    }
}
