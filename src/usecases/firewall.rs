//! Firewall access for this computer, on one account: let SSH reach one machine from this
//! computer's public address for a while, list Hangar's grants, revoke one, and sweep the
//! expired ones.
//!
//! The expiry lives in the grant's label on the provider (see
//! [`crate::provider::grant_label`]), so a grant is found and swept after a restart, by the
//! app or by `hangar firewall revoke --expired`. Nothing removes a grant at its expiry by
//! itself: the desktop app sweeps every [`SWEEP_EVERY`](crate::fleet::firewall::SWEEP_EVERY).

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::provider::{CloudProvider, FirewallGrant, SourceCidr, SshGrantRequest, firewall_of};

/// What a grant lasts when nobody says.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(60 * 60);
/// The shortest grant.
pub const MIN_DURATION: Duration = Duration::from_secs(60);
/// The longest grant.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How long the "what is my IP" service may take.
pub const MY_IP_TIMEOUT: Duration = Duration::from_secs(10);

/// Unix seconds now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A duration as people write it: `90s`, `30m`, `2h`, `1d` (a bare number is minutes), within
/// [`MIN_DURATION`]..=[`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let unit_secs = match unit.trim() {
        "s" | "sec" | "secs" => 1,
        "" | "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        _ => 0,
    };
    let n: u64 = number.parse().unwrap_or(0);
    if unit_secs == 0 || number.is_empty() {
        return Err(Error::validation(format!(
            "`{text}` is not a duration: write it like 30m, 2h or 1d"
        )));
    }
    let d = Duration::from_secs(n.saturating_mul(unit_secs));
    check_duration(d)?;
    Ok(d)
}

/// Refuses a duration outside [`MIN_DURATION`]..=[`MAX_DURATION`].
pub fn check_duration(d: Duration) -> Result<()> {
    if d < MIN_DURATION || d > MAX_DURATION {
        return Err(Error::validation(format!(
            "a grant lasts from {} to {}; {} is outside that",
            human(MIN_DURATION),
            human(MAX_DURATION),
            human(d)
        )));
    }
    Ok(())
}

/// `45s`, `30m`, `2h 5m`, `7d`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => match (s / 3600, s % 3600 / 60) {
            (h, 0) => format!("{h}h"),
            (h, m) => format!("{h}h {m}m"),
        },
        s => match (s / 86_400, s % 86_400 / 3600) {
            (d, 0) => format!("{d}d"),
            (d, h) => format!("{d}d {h}h"),
        },
    }
}

/// Unix seconds as `2026-12-03 14:05 UTC`.
pub fn utc_text(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(0);
    let secs = unix % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// Refuses an address that cannot be this computer's public one: loopback, private,
/// link-local, multicast, unspecified.
pub fn check_public(ip: IpAddr) -> Result<()> {
    let not_public = match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_multicast()
                || v6.is_unspecified()
                || v6.is_unicast_link_local()
                || v6.is_unique_local()
        }
    };
    if not_public {
        return Err(Error::validation(format!(
            "{ip} is not a public address, so a firewall rule for it would not let this \
             computer in: check the \"What is my IP\" URL in Settings"
        )));
    }
    Ok(())
}

/// This computer's public address, as the plain-text service at `url` answers it (what
/// `https://api.ipify.org` does). The answer must be one IPv4 or IPv6 address, and public.
pub async fn my_ip(url: &str) -> Result<IpAddr> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| {
        Error::validation(format!(
            "the \"What is my IP\" URL `{url}` is not a URL ({e})"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::validation(format!(
            "the \"What is my IP\" URL `{url}` must start with https:// or http://"
        )));
    }
    let unreachable = |e: String| {
        Error::new(
            ErrorKind::Network,
            format!(
                "could not ask {url} for this computer's public address ({e}). Check the \
                 connection, or the \"What is my IP\" URL in Settings."
            ),
        )
    };
    let client = reqwest::Client::builder()
        .timeout(MY_IP_TIMEOUT)
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let response = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(unreachable(format!("HTTP {status}")));
    }
    let body = response
        .text()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let answer = body.trim();
    let ip: IpAddr = answer.parse().map_err(|_| {
        let shown: String = answer.chars().take(60).collect();
        Error::new(
            ErrorKind::Provider,
            format!(
                "{url} did not answer with an IP address (it said `{shown}`): the \"What is my \
                 IP\" URL in Settings must give the address as plain text"
            ),
        )
    })?;
    check_public(ip)?;
    Ok(ip)
}

/// Lets SSH reach machine `machine_id` from `my_ip` for `duration`; returns the grant, with
/// its expiry.
pub async fn allow_me(
    provider: &dyn CloudProvider,
    machine_id: &str,
    duration: Duration,
    my_ip: IpAddr,
) -> Result<FirewallGrant> {
    allow_me_at(provider, machine_id, duration, my_ip, unix_now()).await
}

/// [`allow_me`] as if it were `now` (Unix seconds): the grant expires at `now + duration`.
pub async fn allow_me_at(
    provider: &dyn CloudProvider,
    machine_id: &str,
    duration: Duration,
    my_ip: IpAddr,
    now: u64,
) -> Result<FirewallGrant> {
    let machine_id = machine_id.trim();
    if machine_id.is_empty() {
        return Err(Error::validation(
            "give the id of the machine to let SSH into",
        ));
    }
    check_duration(duration)?;
    check_public(my_ip)?;
    let firewall = firewall_of(provider)?;
    let machine = super::get_machine(provider, machine_id).await?;
    let source = SourceCidr::host(my_ip);
    let existing = firewall.list_ssh_grants().await?;
    if let Some(g) = existing.iter().find(|g| {
        g.machine_id == machine.id && g.source == source.to_string() && !g.expired_at(now)
    }) {
        return Err(Error::new(
            ErrorKind::Duplicate,
            format!(
                "{} already lets SSH in from {} for {} more (grant {}). Revoke it first to \
                 choose another duration.",
                machine.name,
                my_ip,
                human(Duration::from_secs(
                    u64::from(g.expires_at).saturating_sub(now)
                )),
                g.id
            ),
        ));
    }
    let request = SshGrantRequest {
        machine_id: machine.id.clone(),
        source,
        expires_at: now + duration.as_secs(),
    };
    Ok(firewall.allow_ssh(&request).await?)
}

/// Every grant Hangar made on the account, soonest expiry first.
pub async fn grants(provider: &dyn CloudProvider) -> Result<Vec<FirewallGrant>> {
    let mut grants = firewall_of(provider)?.list_ssh_grants().await?;
    grants.sort_by(|a, b| (a.expires_at, &a.id).cmp(&(b.expires_at, &b.id)));
    Ok(grants)
}

/// Revokes the grant `grant_id` and returns it. An id that is not one of Hangar's grants is
/// refused, so nothing else on the account is touched.
pub async fn revoke(provider: &dyn CloudProvider, grant_id: &str) -> Result<FirewallGrant> {
    let grant_id = grant_id.trim();
    if grant_id.is_empty() {
        return Err(Error::validation("give the id of the grant to revoke"));
    }
    let firewall = firewall_of(provider)?;
    let grant = firewall
        .list_ssh_grants()
        .await?
        .into_iter()
        .find(|g| g.id == grant_id)
        .ok_or_else(|| {
            Error::not_found(format!(
                "there is no Hangar firewall grant {grant_id} on this account (list them with \
                 `hangar firewall list`)"
            ))
        })?;
    firewall.revoke_ssh(&grant.id).await?;
    Ok(grant)
}

/// What a sweep removed, and what it could not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    pub removed: Vec<FirewallGrant>,
    /// One entry per expired grant that is still there.
    pub problems: Vec<Error>,
}

/// Revokes every grant that has expired at `now` (Unix seconds); the others stay. A provider
/// without firewall access has nothing to sweep.
pub async fn sweep_expired(provider: &dyn CloudProvider, now: u64) -> Result<SweepReport> {
    let Some(firewall) = provider.firewall() else {
        return Ok(SweepReport::default());
    };
    let mut report = SweepReport::default();
    for grant in firewall.list_ssh_grants().await? {
        if !grant.expired_at(now) {
            continue;
        }
        match firewall.revoke_ssh(&grant.id).await {
            Ok(()) => report.removed.push(grant),
            Err(e) => {
                let e = Error::from(e);
                report.problems.push(Error {
                    message: format!(
                        "the expired grant {} ({}) could not be removed: {}",
                        grant.id, grant.label, e.message
                    ),
                    ..e
                });
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration(" 2h ").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_duration("7d").unwrap(), MAX_DURATION);
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("120s").unwrap(), Duration::from_secs(120));
        for bad in ["", "h", "2w", "-1h", "1.5h", "30s", "8d", "0m"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(utc_text(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_text(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_text(1_796_310_300), "2026-12-03 15:05 UTC");
    }

    #[test]
    fn durations_are_shown_short() {
        assert_eq!(human(Duration::from_secs(45)), "45s");
        assert_eq!(human(Duration::from_secs(1800)), "30m");
        assert_eq!(human(Duration::from_secs(7500)), "2h 5m");
        assert_eq!(human(Duration::from_secs(86_400 * 7)), "7d");
    }

    #[test]
    fn only_public_addresses_are_granted() {
        for ok in ["203.0.113.7", "8.8.8.8", "2001:db8::1", "2606:4700::1111"] {
            assert!(check_public(ok.parse().unwrap()).is_ok(), "{ok}");
        }
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "169.254.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
        ] {
            assert!(check_public(bad.parse().unwrap()).is_err(), "{bad}");
        }
    }
}
