//! One machine in detail, on its own account: its plan from the catalog, its estimated cost
//! so far, and its cloud-init check. The DNS records of every account that point at it are
//! joined in by `fleet::machines::detail`.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::status::{StatusOptions, check_machine};
use crate::error::Result;
use crate::provider::{CloudProvider, Machine, Size};

/// Hours of a month the providers bill at most (DigitalOcean and Vultr cap a month at 672
/// hours, 28 days): the hourly price is the monthly price divided by this.
pub const BILLED_HOURS_PER_MONTH: f64 = 672.0;
/// Hours of an average calendar month, after which billing starts a new month.
const HOURS_PER_MONTH: f64 = 730.0;

/// What a machine costs, as far as Hangar can tell.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// USD per month: the machine's own price when the provider gives one, else its plan's.
    pub monthly: f64,
    /// USD per hour: `monthly` / [`BILLED_HOURS_PER_MONTH`].
    pub hourly: f64,
    /// Hours since the machine was created.
    pub hours_so_far: f64,
    /// An estimate of what it has cost since it was created: hourly up to the monthly price
    /// in each month. Bandwidth, backups, snapshots and taxes are not included.
    pub estimate_so_far: f64,
}

/// [`detail`]'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanDetail {
    /// The machine's size in the catalog; `None` when the catalog no longer lists it.
    pub plan: Option<Size>,
    /// `None` when no price is known.
    pub cost: Option<Cost>,
    /// The cloud-init check (`done`, `running`, … or `UNKNOWN`).
    pub cloud_init: String,
    /// The name of the machine's image: the machine's own where the provider gives one with it,
    /// else the catalog's (Linode names only the image id, `linode/ubuntu24.04`).
    pub image_name: Option<String>,
}

/// The plan, cost, image name and cloud-init check of `machine`, asked at once (the catalogs
/// come from the client's cache when it has them).
pub async fn detail(provider: &dyn CloudProvider, machine: &Machine) -> Result<PlanDetail> {
    let check = StatusOptions::default();
    let image_name = async {
        match &machine.image_name {
            Some(name) => Ok(Some(name.clone())),
            None => provider.images().await.map(|images| {
                images
                    .iter()
                    .find(|i| i.id == machine.image)
                    .map(|i| i.name.clone())
            }),
        }
    };
    let (sizes, image_name, cloud_init) = tokio::join!(
        provider.sizes(),
        image_name,
        check_machine(provider, machine, &check)
    );
    let plan = sizes?.iter().find(|s| s.slug == machine.size).cloned();
    let monthly = machine
        .price_monthly
        .or(plan.as_ref().map(|p| p.price_monthly));
    Ok(PlanDetail {
        cost: monthly.map(|m| cost(m, &machine.created_at, OffsetDateTime::now_utc())),
        plan,
        cloud_init: cloud_init?,
        // An image the catalog no longer lists (or cannot list) keeps its id on screen.
        image_name: image_name.unwrap_or(None),
    })
}

/// The cost of a machine of `monthly` USD created at `created_at` (RFC 3339), at `now`. An
/// unreadable creation time counts as no time at all.
pub fn cost(monthly: f64, created_at: &str, now: OffsetDateTime) -> Cost {
    let hours = OffsetDateTime::parse(created_at, &Rfc3339)
        .map(|t| ((now - t).as_seconds_f64() / 3600.0).max(0.0))
        .unwrap_or(0.0);
    let hourly = monthly / BILLED_HOURS_PER_MONTH;
    let months = (hours / HOURS_PER_MONTH).floor();
    let rest = hours - months * HOURS_PER_MONTH;
    Cost {
        monthly,
        hourly,
        hours_so_far: hours,
        estimate_so_far: months * monthly + (rest * hourly).min(monthly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    #[test]
    fn cost_is_hourly_up_to_the_monthly_price_each_month() {
        let now = at("2026-03-01T10:00:00Z");
        // Ten hours of a $6.72 machine: one cent an hour.
        let c = cost(6.72, "2026-03-01T00:00:00Z", now);
        assert!((c.hourly - 0.01).abs() < 1e-9, "{c:?}");
        assert!((c.hours_so_far - 10.0).abs() < 1e-9, "{c:?}");
        assert!((c.estimate_so_far - 0.10).abs() < 1e-9, "{c:?}");
        // 700 hours: past the 672-hour cap, so the monthly price.
        let c = cost(6.72, "2026-01-31T16:00:00+00:00", now);
        assert!((c.hours_so_far - 690.0).abs() < 1e-9, "{c:?}");
        assert!((c.estimate_so_far - 6.72).abs() < 1e-9, "{c:?}");
        // Two full months and ten hours.
        let c = cost(6.72, "2025-12-30T04:00:00Z", now);
        assert!((c.hours_so_far - 1460.0 - 10.0).abs() < 1e-9, "{c:?}");
        assert!(
            (c.estimate_so_far - (2.0 * 6.72 + 0.10)).abs() < 1e-9,
            "{c:?}"
        );
    }

    #[test]
    fn an_unreadable_or_future_creation_time_costs_nothing_yet() {
        let now = at("2026-03-01T10:00:00Z");
        assert_eq!(cost(5.0, "yesterday", now).estimate_so_far, 0.0);
        assert_eq!(cost(5.0, "2026-03-02T00:00:00Z", now).estimate_so_far, 0.0);
    }
}
