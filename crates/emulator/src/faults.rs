//! Injected faults: latency, rate limiting, server errors and dropped connections, plus the
//! scripted delete misbehaviours (stuck locked deletes, ghost deletes).
//!
//! Percentages are decided by a deterministic generator seeded from
//! [`EmulatorConfig::fault_seed`](super::EmulatorConfig::fault_seed) and a per-provider counter
//! of the requests that met a fault rule, so the same requests to a provider, in the same order,
//! meet the same faults (whatever the other provider receives meanwhile).

use std::time::Duration;

use super::config::EmulatedProvider;
use super::ids::splitmix64;

/// Faults applied to matching requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Delay before the request is handled.
    pub latency: Duration,
    /// Share of requests (0–100) answered with 429 and `Retry-After`.
    pub rate_limit_percent: u8,
    /// The `Retry-After` seconds sent with an injected 429.
    pub retry_after_secs: u64,
    /// Share of requests (0–100) answered with 500.
    pub server_error_percent: u8,
    /// Share of requests (0–100) whose TCP connection is closed without a response.
    pub drop_connection_percent: u8,
}

/// What to do with one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultDecision {
    pub latency: Duration,
    pub outcome: FaultOutcome,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FaultOutcome {
    #[default]
    Proceed,
    DropConnection,
    RateLimited {
        retry_after_secs: u64,
    },
    ServerError,
}

struct Rule {
    provider: EmulatedProvider,
    /// `None`: every route. `Some("DELETE /v2/instances/")`: method and path prefix.
    route: Option<String>,
    faults: Faults,
}

/// Every fault setting of one emulator.
pub struct FaultTable {
    seed: u64,
    /// Requests that met a rule, per provider: the position in each provider's sequence.
    counters: [u64; 2],
    rules: Vec<Rule>,
    stuck_locked_deletes: u32,
    ghost_deletes: [u32; 2],
}

fn slot(p: EmulatedProvider) -> usize {
    match p {
        EmulatedProvider::DigitalOcean => 0,
        EmulatedProvider::Vultr => 1,
    }
}

/// Whether `route` (`"METHOD /path/prefix"`, or just `"/path/prefix"`) matches a request.
fn route_matches(route: &str, method: &str, path: &str) -> bool {
    match route.split_once(' ') {
        Some((m, prefix)) => m.eq_ignore_ascii_case(method) && path.starts_with(prefix.trim()),
        None => path.starts_with(route),
    }
}

impl FaultTable {
    pub fn new(seed: u64) -> Self {
        FaultTable {
            seed,
            counters: [0, 0],
            rules: Vec::new(),
            stuck_locked_deletes: 0,
            ghost_deletes: [0, 0],
        }
    }

    /// Sets the faults of one route (or of every route, with `None`), replacing earlier ones.
    pub fn set(&mut self, provider: EmulatedProvider, route: Option<&str>, faults: Faults) {
        let route = route.map(str::to_owned);
        self.rules
            .retain(|r| !(r.provider == provider && r.route == route));
        self.rules.push(Rule {
            provider,
            route,
            faults,
        });
    }

    /// Removes every fault, including pending stuck and ghost deletes.
    pub fn clear(&mut self) {
        self.rules.clear();
        self.stuck_locked_deletes = 0;
        self.ghost_deletes = [0, 0];
    }

    pub fn add_stuck_locked_deletes(&mut self, n: u32) {
        self.stuck_locked_deletes = self.stuck_locked_deletes.saturating_add(n);
    }

    pub fn add_ghost_deletes(&mut self, p: EmulatedProvider, n: u32) {
        let s = &mut self.ghost_deletes[slot(p)];
        *s = s.saturating_add(n);
    }

    /// Consumes one stuck locked delete, if any is pending.
    pub fn take_stuck_locked_delete(&mut self) -> bool {
        take(&mut self.stuck_locked_deletes)
    }

    /// Consumes one ghost delete of `p`, if any is pending.
    pub fn take_ghost_delete(&mut self, p: EmulatedProvider) -> bool {
        take(&mut self.ghost_deletes[slot(p)])
    }

    /// Decides the fault for one request. The most specific matching rule (longest route)
    /// wins; a rule for every route is the fallback.
    pub fn decide(
        &mut self,
        provider: EmulatedProvider,
        method: &str,
        path: &str,
    ) -> FaultDecision {
        let rule = self
            .rules
            .iter()
            .filter(|r| r.provider == provider)
            .filter(|r| {
                r.route
                    .as_deref()
                    .is_none_or(|rt| route_matches(rt, method, path))
            })
            .max_by_key(|r| r.route.as_ref().map_or(0, |s| s.len() + 1));
        let Some(rule) = rule else {
            return FaultDecision::default();
        };
        let f = rule.faults.clone();
        let counter = &mut self.counters[slot(provider)];
        *counter += 1;
        let n = *counter * 4 + slot(provider) as u64 * 0x1_0000_0000;
        let draw = |k: u64| splitmix64(self.seed ^ splitmix64(n + k)) % 100;
        let (d, r, s) = (draw(1), draw(2), draw(3));
        let outcome = if d < u64::from(f.drop_connection_percent) {
            FaultOutcome::DropConnection
        } else if r < u64::from(f.rate_limit_percent) {
            FaultOutcome::RateLimited {
                retry_after_secs: f.retry_after_secs,
            }
        } else if s < u64::from(f.server_error_percent) {
            FaultOutcome::ServerError
        } else {
            FaultOutcome::Proceed
        };
        FaultDecision {
            latency: f.latency,
            outcome,
        }
    }
}

fn take(n: &mut u32) -> bool {
    if *n > 0 {
        *n -= 1;
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_method_and_prefix() {
        assert!(route_matches(
            "DELETE /v2/instances/",
            "DELETE",
            "/v2/instances/abc"
        ));
        assert!(!route_matches(
            "DELETE /v2/instances/",
            "GET",
            "/v2/instances/abc"
        ));
        assert!(route_matches("/v2/droplets", "GET", "/v2/droplets/1"));
    }

    #[test]
    fn percentages_are_deterministic_and_roughly_right() {
        let run = || {
            let mut t = FaultTable::new(7);
            t.set(
                EmulatedProvider::Vultr,
                None,
                Faults {
                    server_error_percent: 30,
                    ..Faults::default()
                },
            );
            (0..1000)
                .map(|_| {
                    t.decide(EmulatedProvider::Vultr, "GET", "/v2/instances")
                        .outcome
                })
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let errors = a
            .iter()
            .filter(|o| **o == FaultOutcome::ServerError)
            .count();
        assert!((220..380).contains(&errors), "{errors} errors out of 1000");
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let mut t = FaultTable::new(1);
        let all = Faults {
            server_error_percent: 100,
            ..Faults::default()
        };
        t.set(EmulatedProvider::DigitalOcean, None, all);
        t.set(
            EmulatedProvider::DigitalOcean,
            Some("GET /v2/account"),
            Faults::default(),
        );
        let d = |t: &mut FaultTable, p| t.decide(EmulatedProvider::DigitalOcean, "GET", p).outcome;
        assert_eq!(d(&mut t, "/v2/account"), FaultOutcome::Proceed);
        assert_eq!(d(&mut t, "/v2/droplets"), FaultOutcome::ServerError);
        assert_eq!(
            t.decide(EmulatedProvider::Vultr, "GET", "/v2/account")
                .outcome,
            FaultOutcome::Proceed
        );
    }
}
