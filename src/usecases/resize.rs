//! Resizing a machine to another plan of its region, on one account.
//!
//! [`resize_options`] lists the plans offered in the machine's region with the monthly price
//! difference against the current plan, and which of them the provider accepts (a plan with a
//! smaller disk never is; a smaller plan only where the provider downgrades). [`resize`] checks
//! the plan against that list before anything changes, refuses a machine that is on where the
//! provider needs it off unless the caller agreed to power it off, and then powers it off,
//! resizes, waits, and powers it back on if it was on.

use super::get_machine;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::progress::{ProgressSink, ResizeProgress};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{
    CloudProvider, Machine, MachineStatus, PowerAction, ResizeRules, Size, resize_of,
};

/// How long [`resize`] waits for a machine to show the power state it was asked for.
pub const POWER_WAIT: Duration = Duration::from_secs(180);
const POWER_POLL: Duration = Duration::from_secs(2);

/// One plan a machine could move to.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResizeOption {
    pub size: Size,
    /// USD per month against the current plan: positive costs more.
    pub price_difference_monthly: f64,
    /// This is the machine's plan now.
    pub current: bool,
    /// The disk would grow: for good where [`ResizeRules::disk_resize_irreversible`].
    pub grows_disk: bool,
    /// The provider accepts this plan for this machine.
    pub allowed: bool,
    /// Why not, when not allowed.
    pub reason: Option<String>,
}

/// [`resize_options`]' answer.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResizeChoices {
    pub machine: Machine,
    /// The current plan in the catalog; `None` when the catalog no longer lists it.
    pub current: Option<Size>,
    /// The machine's disk now, in GB (it can be smaller than its plan's, see
    /// [`ResizeRules::can_keep_disk`]).
    pub disk_gb: u32,
    pub rules: ResizeRules,
    /// Every plan offered in the machine's region, cheapest first.
    pub options: Vec<ResizeOption>,
}

/// What the caller agreed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResizeOpts {
    /// Power the machine off first where the provider needs it off (and back on afterwards).
    pub power_off_first: bool,
    /// Grow the disk with the plan, where the provider lets the caller choose. Irreversible.
    pub grow_disk: bool,
}

/// A finished resize.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Resized {
    pub machine: Machine,
    /// The plan it had before.
    pub from: String,
    /// Hangar powered it off for the resize and back on.
    pub power_cycled: bool,
}

/// The plans machine `id` can move to.
pub async fn resize_options(provider: &dyn CloudProvider, id: &str) -> Result<ResizeChoices> {
    let resizer = resize_of(provider)?;
    let machine = get_machine(provider, id).await?;
    let (sizes, disk) = tokio::join!(provider.sizes(), resizer.disk_gb(&machine.id));
    let (sizes, disk_gb) = (sizes?, disk?);
    let rules = resizer.resize_rules();
    let current = sizes.iter().find(|s| s.slug == machine.size).cloned();
    let mut options: Vec<ResizeOption> = sizes
        .iter()
        .filter(|s| s.regions.iter().any(|r| r == &machine.region))
        .map(|s| {
            let name = provider.kind().display_name();
            option(s, &machine, current.as_ref(), disk_gb, &rules, name)
        })
        .collect();
    options.sort_by(|a, b| {
        a.size
            .price_monthly
            .total_cmp(&b.size.price_monthly)
            .then_with(|| a.size.slug.cmp(&b.size.slug))
    });
    Ok(ResizeChoices {
        machine,
        current,
        disk_gb,
        rules,
        options,
    })
}

fn option(
    s: &Size,
    machine: &Machine,
    current: Option<&Size>,
    disk_gb: u32,
    rules: &ResizeRules,
    provider_name: &str,
) -> ResizeOption {
    let current_price = machine
        .price_monthly
        .or(current.map(|c| c.price_monthly))
        .unwrap_or(0.0);
    let is_current = s.slug == machine.size;
    let smaller = current.is_some_and(|c| s.vcpus < c.vcpus || s.memory_mb < c.memory_mb);
    let reason = if is_current {
        Some("this is the machine's plan now".to_owned())
    } else if s.disk_gb < disk_gb {
        Some(format!(
            "its disk ({} GB) is smaller than the machine's ({disk_gb} GB), and a disk never shrinks",
            s.disk_gb
        ))
    } else if smaller && !rules.can_downgrade {
        Some(format!(
            "{provider_name} only moves a machine to a larger plan"
        ))
    } else {
        None
    };
    ResizeOption {
        price_difference_monthly: round_cents(s.price_monthly - current_price),
        current: is_current,
        grows_disk: s.disk_gb > disk_gb,
        allowed: reason.is_none(),
        reason,
        size: s.clone(),
    }
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Moves machine `id` to plan `size`; see the module docs. Returns the machine as it is
/// afterwards.
pub async fn resize(
    provider: &dyn CloudProvider,
    id: &str,
    size: &str,
    opts: ResizeOpts,
    progress: ProgressSink<'_, ResizeProgress>,
) -> Result<Resized> {
    let size = size.trim();
    if size.is_empty() {
        return Err(Error::validation("give the plan to resize to"));
    }
    let resizer = resize_of(provider)?;
    let choices = resize_options(provider, id).await?;
    let machine = &choices.machine;
    let Some(choice) = choices.options.iter().find(|o| o.size.slug == size) else {
        return Err(Error::validation(format!(
            "plan `{size}` is not offered in region {}; `hangar resize {} --list` shows the plans \
             {} can move to",
            machine.region, machine.id, machine.name
        )));
    };
    if let Some(why) = &choice.reason {
        return Err(Error::validation(format!(
            "{} cannot move to `{size}`: {why}",
            machine.name
        )));
    }
    let rules = choices.rules;
    let is_off = machine.status == MachineStatus::Off;
    let must_power_off = rules.needs_power_off && !is_off;
    if must_power_off && !opts.power_off_first {
        return Err(Error::refused(format!(
            "{} resizes only a powered-off machine, and {} is on. Agree to power it off first \
             (--power-off): Hangar powers it off, resizes it and powers it back on; it is \
             unreachable meanwhile.",
            provider.kind().display_name(),
            machine.name
        )));
    }
    if must_power_off {
        progress(ResizeProgress::PoweringOff {
            id: machine.id.clone(),
        });
        provider.power(&machine.id, PowerAction::PowerOff).await?;
        wait_for_status(
            provider,
            &machine.id,
            &MachineStatus::Off,
            "nothing was resized",
        )
        .await?;
    }
    progress(ResizeProgress::Resizing {
        id: machine.id.clone(),
        from: machine.size.clone(),
        to: size.to_owned(),
    });
    let grow_disk = opts.grow_disk || !rules.can_keep_disk;
    let resized: Result<()> = resizer
        .resize_machine(&machine.id, size, grow_disk)
        .await
        .map_err(Error::from);
    if must_power_off {
        progress(ResizeProgress::PoweringOn {
            id: machine.id.clone(),
        });
        let on = provider.power(&machine.id, PowerAction::PowerOn).await;
        match (&resized, on) {
            (Err(e), Err(on)) => {
                return Err(Error {
                    message: format!(
                        "the resize of {} failed ({}), and powering it back on failed too \
                         ({on}): power it on from the machine list",
                        machine.name, e.message
                    ),
                    ..e.clone()
                });
            }
            (Ok(()), Err(on)) => {
                return Err(Error::new(
                    ErrorKind::Partial,
                    format!(
                        "{} now has plan {size}, but powering it back on failed ({on}): power it \
                         on from the machine list",
                        machine.name
                    ),
                ));
            }
            _ => {}
        }
    }
    resized?;
    if must_power_off {
        let after = format!("it has plan {size} now");
        wait_for_status(provider, &machine.id, &MachineStatus::Active, &after).await?;
    }
    progress(ResizeProgress::Done);
    Ok(Resized {
        machine: get_machine(provider, &machine.id).await?,
        from: machine.size.clone(),
        power_cycled: must_power_off,
    })
}

/// Polls machine `id` until it shows `status`, for at most [`POWER_WAIT`].
async fn wait_for_status(
    provider: &dyn CloudProvider,
    id: &str,
    status: &MachineStatus,
    meanwhile: &str,
) -> Result<()> {
    let start = Instant::now();
    loop {
        let m = get_machine(provider, id).await?;
        if &m.status == status {
            return Ok(());
        }
        if start.elapsed() >= POWER_WAIT {
            return Err(Error::new(
                ErrorKind::Provider,
                format!(
                    "{} did not turn {} within {} s (it is {:?}); {meanwhile}",
                    m.name,
                    if *status == MachineStatus::Off {
                        "off"
                    } else {
                        "on"
                    },
                    POWER_WAIT.as_secs(),
                    m.status
                ),
            ));
        }
        tokio::time::sleep(POWER_POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(slug: &str, vcpus: u32, memory_mb: u32, disk_gb: u32, price: f64) -> Size {
        Size {
            slug: slug.into(),
            vcpus,
            memory_mb,
            disk_gb,
            price_monthly: price,
            regions: vec!["ewr".into()],
        }
    }

    fn machine(size: &str) -> Machine {
        Machine {
            id: "m".into(),
            name: "web-1".into(),
            tags: vec![],
            region: "ewr".into(),
            ipv4: None,
            ipv6: None,
            private_ipv4: None,
            status: MachineStatus::Active,
            size: size.into(),
            image: "2284".into(),
            image_name: None,
            created_at: String::new(),
            price_monthly: None,
        }
    }

    const NO_DOWNGRADE: ResizeRules = ResizeRules {
        needs_power_off: false,
        disk_resize_irreversible: true,
        can_keep_disk: false,
        can_downgrade: false,
    };

    #[test]
    fn a_smaller_plan_is_refused_where_the_provider_does_not_downgrade_even_with_a_larger_disk() {
        let current = size("vc2-2c-4gb", 2, 4096, 80, 20.0);
        let fewer_cpus = size("vhf-1c-4gb", 1, 4096, 128, 24.0);
        let m = machine("vc2-2c-4gb");
        let o = option(&fewer_cpus, &m, Some(&current), 80, &NO_DOWNGRADE, "Vultr");
        assert!(!o.allowed);
        assert_eq!(
            o.reason.as_deref(),
            Some("Vultr only moves a machine to a larger plan")
        );
        let rules = ResizeRules {
            can_downgrade: true,
            ..NO_DOWNGRADE
        };
        let o = option(&fewer_cpus, &m, Some(&current), 80, &rules, "DigitalOcean");
        assert!(o.allowed && o.grows_disk, "{o:?}");
        assert_eq!(o.price_difference_monthly, 4.0);
    }

    #[test]
    fn the_price_difference_uses_the_machines_own_price_and_is_rounded_to_cents() {
        let current = size("a", 1, 1024, 25, 5.0);
        let bigger = size("b", 1, 2048, 55, 10.333);
        let mut m = machine("a");
        m.price_monthly = Some(6.0);
        let o = option(&bigger, &m, Some(&current), 25, &NO_DOWNGRADE, "Vultr");
        assert_eq!(o.price_difference_monthly, 4.33);
        let same = option(&current, &m, Some(&current), 25, &NO_DOWNGRADE, "Vultr");
        assert!(same.current && !same.allowed && !same.grows_disk);
    }
}
