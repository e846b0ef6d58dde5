//! Firewall access across the fleet: allow SSH from this computer to a machine of one account
//! (its address asked from the "what is my IP" service), list and revoke grants, and sweep the
//! expired grants of every account, once or on a timer ([`run_sweeper`], which the desktop app
//! starts).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::{Fleet, FleetState, LiveAccount, PerAccount, blocking, fan_out, ignore_each};
use crate::error::{Error, Result};
use crate::provider::FirewallGrant;
use crate::settings::SettingsFile;
use crate::usecases::firewall::{
    self as usecase, DEFAULT_DURATION, MAX_DURATION, MIN_DURATION, SweepReport, unix_now,
};

/// Asked when the settings name no "what is my IP" service: it answers the address as plain
/// text.
pub const DEFAULT_MY_IP_URL: &str = "https://api.ipify.org";
/// Overrides the settings' "what is my IP" URL for configured accounts (the CLI's tests).
pub const MY_IP_URL_ENV: &str = "HANGAR_MY_IP_URL";
/// How often the desktop app sweeps expired grants.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// Sets the sweep's interval in seconds (1 to 3600) instead of [`SWEEP_EVERY`]: for tests that
/// watch a short grant go, and for users who want expired rules gone sooner.
pub const SWEEP_EVERY_ENV: &str = "HANGAR_FIREWALL_SWEEP_SECS";

/// The sweep's interval: [`SWEEP_EVERY_ENV`] when it holds 1 to 3600 seconds, else
/// [`SWEEP_EVERY`].
pub fn sweep_every() -> Duration {
    sweep_every_from(std::env::var(SWEEP_EVERY_ENV).ok().as_deref())
}

fn sweep_every_from(value: Option<&str>) -> Duration {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .map_or(SWEEP_EVERY, Duration::from_secs)
}

/// One grant of one account, with the time it has left.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GrantView {
    pub account_id: String,
    pub account_label: String,
    pub grant: FirewallGrant,
    /// 0 once expired (the next sweep removes it).
    pub seconds_left: u32,
}

impl GrantView {
    fn new(account: &LiveAccount, grant: FirewallGrant, now: u64) -> Self {
        let left = u64::from(grant.expires_at).saturating_sub(now);
        Self {
            account_id: account.id.clone(),
            account_label: account.label.clone(),
            grant,
            seconds_left: u32::try_from(left).unwrap_or(u32::MAX),
        }
    }
}

/// What the firewall dialog of one machine shows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FirewallPanel {
    /// The machine's provider has firewall access.
    pub supported: bool,
    /// What granting changes on this provider, to show before granting.
    pub note: Option<String>,
    /// This computer's public address, as the service answered it.
    pub my_ip: Option<String>,
    /// Why the address is unknown.
    pub my_ip_problem: Option<Error>,
    /// The service asked.
    pub my_ip_url: String,
    /// The machine's grants, soonest expiry first.
    pub grants: Vec<GrantView>,
    pub default_minutes: u32,
    pub min_minutes: u32,
    pub max_minutes: u32,
}

/// The "what is my IP" service for `account`: the demo cloud's own for its accounts, else
/// [`MY_IP_URL_ENV`], else the settings' `ui.my_ip_url`, else [`DEFAULT_MY_IP_URL`].
pub async fn my_ip_url(fleet: &Fleet, account: &LiveAccount) -> Result<String> {
    if account.simulated
        && let Some(url) = fleet.demo.as_ref().and_then(|d| d.my_ip_url.clone())
    {
        return Ok(url);
    }
    if let Ok(url) = std::env::var(MY_IP_URL_ENV)
        && !url.trim().is_empty()
    {
        return Ok(url.trim().to_owned());
    }
    let Some(file) = fleet.settings.clone() else {
        return Ok(DEFAULT_MY_IP_URL.to_owned());
    };
    let configured = blocking(move || {
        if !file.path().exists() {
            return Ok(None);
        }
        Ok(file.load()?.resolved.ui.my_ip_url)
    })
    .await?;
    Ok(configured
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_MY_IP_URL.to_owned()))
}

/// What granting changes on the provider of account `account_id` (shown before granting), or
/// why it cannot grant.
pub async fn note(fleet: &Fleet, account_id: &str) -> Result<String> {
    let (_, client) = fleet.client(account_id)?;
    Ok(crate::provider::firewall_of(client.as_ref())?
        .firewall_note()
        .to_owned())
}

/// The "what is my IP" setting as the Settings screen edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MyIpSetting {
    /// The URL asked for configured accounts (the default when none is set).
    pub url: String,
    pub default_url: String,
}

/// Refuses a "what is my IP" URL that is not `http://` or `https://` with a host: the rule a
/// setup script's URL follows ([`crate::machine_types::validate_script_url`]).
fn check_my_ip_url(url: &str) -> Result<()> {
    crate::machine_types::validate_script_url(url.trim()).map_err(Error::validation)
}

/// The "what is my IP" URL in the settings file.
pub async fn my_ip_setting(file: &SettingsFile) -> Result<MyIpSetting> {
    let file = file.clone();
    let url = blocking(move || Ok(file.load_raw()?.ui.my_ip_url)).await?;
    Ok(MyIpSetting {
        url: url.unwrap_or_else(|| DEFAULT_MY_IP_URL.to_owned()),
        default_url: DEFAULT_MY_IP_URL.to_owned(),
    })
}

/// Saves the "what is my IP" URL (`""` or the default: back to the default), checked first.
pub async fn set_my_ip_url(file: &SettingsFile, url: &str) -> Result<MyIpSetting> {
    let url = url.trim().to_owned();
    let saved = if url.is_empty() || url == DEFAULT_MY_IP_URL {
        None
    } else {
        check_my_ip_url(&url)?;
        Some(url)
    };
    let writer = file.clone();
    blocking(move || {
        Ok(writer.update(|s| {
            s.ui.my_ip_url = saved;
            Ok(())
        })?)
    })
    .await?;
    my_ip_setting(file).await
}

/// This computer's public address, as the service for `account_id` answers it.
pub async fn my_ip(fleet: &Fleet, account_id: &str) -> Result<IpAddr> {
    let account = fleet.account(account_id)?;
    usecase::my_ip(&my_ip_url(fleet, account).await?).await
}

/// Lets SSH reach machine `machine_id` of account `account_id` from `from`, or else from this
/// computer's public address, for `duration`.
pub async fn allow_me(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    duration: Duration,
    from: Option<IpAddr>,
) -> Result<GrantView> {
    usecase::check_duration(duration)?;
    let (account, client) = fleet.client(account_id)?;
    crate::provider::firewall_of(client.as_ref())?;
    let ip = match from {
        Some(ip) => ip,
        None => my_ip(fleet, account_id).await?,
    };
    let grant = usecase::allow_me(client.as_ref(), machine_id, duration, ip).await?;
    Ok(GrantView::new(account, grant, unix_now()))
}

/// The grants of account `account_id` (of one machine with `machine_id`).
pub async fn grants(
    fleet: &Fleet,
    account_id: &str,
    machine_id: Option<&str>,
) -> Result<Vec<GrantView>> {
    let (account, client) = fleet.client(account_id)?;
    let now = unix_now();
    Ok(usecase::grants(client.as_ref())
        .await?
        .into_iter()
        .filter(|g| machine_id.is_none_or(|m| g.machine_id == m))
        .map(|g| GrantView::new(account, g, now))
        .collect())
}

/// Everything the firewall dialog of machine `machine_id` shows; the address and the grants
/// are asked at once, and an address that cannot be found is a problem shown, not an error.
pub async fn panel(fleet: &Fleet, account_id: &str, machine_id: &str) -> Result<FirewallPanel> {
    let (account, client) = fleet.client(account_id)?;
    let minutes = |d: Duration| u32::try_from(d.as_secs() / 60).unwrap_or(u32::MAX);
    let mut panel = FirewallPanel {
        supported: client.firewall().is_some(),
        note: client.firewall().map(|f| f.firewall_note().to_owned()),
        my_ip: None,
        my_ip_problem: None,
        my_ip_url: my_ip_url(fleet, account).await?,
        grants: Vec::new(),
        default_minutes: minutes(DEFAULT_DURATION),
        min_minutes: minutes(MIN_DURATION),
        max_minutes: minutes(MAX_DURATION),
    };
    if !panel.supported {
        return Ok(panel);
    }
    let (ip, grants) = tokio::join!(
        usecase::my_ip(&panel.my_ip_url),
        grants(fleet, account_id, Some(machine_id))
    );
    match ip {
        Ok(ip) => panel.my_ip = Some(ip.to_string()),
        Err(e) => panel.my_ip_problem = Some(e),
    }
    panel.grants = grants?;
    Ok(panel)
}

/// Revokes grant `grant_id` of account `account_id`.
pub async fn revoke(fleet: &Fleet, account_id: &str, grant_id: &str) -> Result<GrantView> {
    let (account, client) = fleet.client(account_id)?;
    let grant = usecase::revoke(client.as_ref(), grant_id).await?;
    Ok(GrantView::new(account, grant, unix_now()))
}

/// Revokes the expired grants (at `now`, Unix seconds) of account `account_id`.
pub async fn sweep_account(fleet: &Fleet, account_id: &str, now: u64) -> Result<SweepReport> {
    let (_, client) = fleet.client(account_id)?;
    crate::provider::firewall_of(client.as_ref())?;
    usecase::sweep_expired(client.as_ref(), now).await
}

/// Revokes the expired grants (at `now`) of every connected account whose provider has
/// firewall access, each account on its own.
pub async fn sweep_expired(fleet: &Fleet, now: u64) -> Vec<PerAccount<SweepReport>> {
    let accounts = fleet
        .accounts
        .iter()
        .filter(|a| a.connected().is_ok_and(|c| c.firewall().is_some()))
        .map(|a| (a, ()));
    fan_out(
        accounts,
        |_, client, ()| async move { usecase::sweep_expired(client.as_ref(), now).await },
        &ignore_each,
    )
    .await
}

/// Sweeps the current fleet of `state` now and then every `every`, for ever; `on_sweep` sees
/// each sweep's answers (the desktop app logs what was removed, [`log_sweep`]). The caller
/// spawns it on its runtime.
pub async fn run_sweeper(
    state: Arc<FleetState>,
    every: Duration,
    on_sweep: impl Fn(Vec<PerAccount<SweepReport>>) + Send + Sync + 'static,
) {
    loop {
        if let Ok(fleet) = state.fleet().await {
            on_sweep(sweep_expired(&fleet, unix_now()).await);
        }
        tokio::time::sleep(every).await;
    }
}

/// The lines a sweep's answers give a log: each grant removed, each problem (nothing when a
/// sweep found nothing to do).
pub fn sweep_lines(answers: &[PerAccount<SweepReport>]) -> Vec<String> {
    let mut lines = Vec::new();
    for a in answers {
        match a.outcome() {
            Ok(report) => {
                lines.extend(report.removed.iter().map(|g| {
                    format!(
                        "firewall: removed the expired grant {} (machine {}, from {}) of account {}",
                        g.id, g.machine_id, g.source, a.account_id
                    )
                }));
                lines.extend(
                    report
                        .problems
                        .iter()
                        .map(|e| format!("firewall: account {}: {}", a.account_id, e.message)),
                );
            }
            Err(e) => lines.push(format!(
                "firewall: the expired grants of account {} could not be swept: {}",
                a.account_id, e.message
            )),
        }
    }
    lines
}

/// Writes [`sweep_lines`] to stderr: the desktop app's `on_sweep`.
pub fn log_sweep(answers: Vec<PerAccount<SweepReport>>) {
    for line in sweep_lines(&answers) {
        eprintln!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_interval_is_taken_from_the_environment_only_within_bounds() {
        assert_eq!(sweep_every_from(None), SWEEP_EVERY);
        assert_eq!(sweep_every_from(Some("2")), Duration::from_secs(2));
        assert_eq!(sweep_every_from(Some(" 3600 ")), Duration::from_secs(3600));
        for bad in ["0", "3601", "-1", "2s", ""] {
            assert_eq!(sweep_every_from(Some(bad)), SWEEP_EVERY, "{bad}");
        }
    }
}
