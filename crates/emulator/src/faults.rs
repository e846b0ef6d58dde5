//! Injected faults: latency, rate limiting, server errors, requests held without an answer
//! (client timeouts) and dropped connections, plus the scripted delete misbehaviours (stuck
//! locked deletes, ghost deletes).
//!
//! Percentages and odds are decided by a deterministic generator seeded from
//! [`EmulatorConfig::fault_seed`](super::EmulatorConfig::fault_seed) and a per-provider counter
//! of the requests that met a fault rule, so the same requests to a provider, in the same order,
//! meet the same faults (whatever the other provider receives meanwhile).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::ids::splitmix64;
use super::registry::EmulatedProvider;

/// Faults applied to matching requests.
///
/// The percentages are independent draws, checked in this order: dropped connection, timeout,
/// 429, 500. A request they all let through then meets [`Faults::odds`] (one draw, exclusive
/// outcomes). Construct with `..Faults::default()`: fields may be added.
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
    /// Share of requests (0–100) held without an answer for [`Faults::timeout_hold`] (so the
    /// client times out), after which the connection is closed without a response.
    pub timeout_percent: u8,
    /// How long a timed-out request is held; zero means [`Faults::DEFAULT_TIMEOUT_HOLD`].
    pub timeout_hold: Duration,
    /// Exact, mutually exclusive probabilities (what `cloud-emulator --faults` sets).
    pub odds: FaultOdds,
}

impl Faults {
    /// How long a timed-out request is held when [`Faults::timeout_hold`] is zero: longer
    /// than any sane client timeout.
    pub const DEFAULT_TIMEOUT_HOLD: Duration = Duration::from_secs(60);

    fn hold(&self) -> Duration {
        if self.timeout_hold.is_zero() {
            Self::DEFAULT_TIMEOUT_HOLD
        } else {
            self.timeout_hold
        }
    }
}

/// Per-request probabilities of each fault, in millionths ([`FaultOdds::ONE`] = always). The
/// outcomes are exclusive (one draw per request decides), so they add up to at most `ONE`.
///
/// Parsed from `429=0.1,500=0.05,timeout=0.02,drop=0.02` (kinds `429`, `500`, `timeout`,
/// `drop`; probabilities from 0 to 1, rounded to the nearest millionth).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultOdds {
    /// Answered 429 with `Retry-After` ([`Faults::retry_after_secs`]).
    pub rate_limit: u32,
    /// Answered 500 with the provider's error body.
    pub server_error: u32,
    /// Held without an answer ([`Faults::timeout_hold`]), then closed.
    pub timeout: u32,
    /// Connection closed without a response.
    pub drop_connection: u32,
}

/// A malformed fault specification (see [`FaultOdds`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultSpecError(String);

impl FaultOdds {
    /// Probability 1, in the unit of the fields.
    pub const ONE: u32 = 1_000_000;

    const KINDS: &'static str = "429, 500, timeout or drop";

    /// Whether no fault can happen.
    pub fn is_none(&self) -> bool {
        *self == FaultOdds::default()
    }

    fn total(&self) -> u64 {
        [
            self.rate_limit,
            self.server_error,
            self.timeout,
            self.drop_connection,
        ]
        .iter()
        .map(|&v| u64::from(v))
        .sum()
    }

    /// The outcome for a draw in `0..ONE`: the ranges are drop, timeout, 429, 500, proceed.
    fn pick(&self, draw: u64, retry_after_secs: u64, hold: Duration) -> FaultOutcome {
        let mut edge = 0u64;
        let mut below = |share: u32| {
            edge += u64::from(share);
            draw < edge
        };
        if below(self.drop_connection) {
            FaultOutcome::DropConnection
        } else if below(self.timeout) {
            FaultOutcome::Timeout { hold }
        } else if below(self.rate_limit) {
            FaultOutcome::RateLimited { retry_after_secs }
        } else if below(self.server_error) {
            FaultOutcome::ServerError
        } else {
            FaultOutcome::Proceed
        }
    }
}

impl FromStr for FaultOdds {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<FaultOdds, FaultSpecError> {
        let err = |m: String| Err(FaultSpecError(m));
        let mut odds = FaultOdds::default();
        let mut seen: Vec<&str> = Vec::new();
        if spec.trim().is_empty() {
            return err(format!(
                "no faults given (expected KIND=PROBABILITY,…, KIND being {})",
                Self::KINDS
            ));
        }
        for entry in spec.split(',').map(str::trim) {
            let Some((kind, value)) = entry.split_once('=') else {
                return err(format!(
                    "\"{entry}\" is not KIND=PROBABILITY (KIND being {})",
                    Self::KINDS
                ));
            };
            let (kind, value) = (kind.trim(), value.trim());
            let field = match kind.to_ascii_lowercase().as_str() {
                "429" => &mut odds.rate_limit,
                "500" => &mut odds.server_error,
                "timeout" => &mut odds.timeout,
                "drop" => &mut odds.drop_connection,
                _ => {
                    return err(format!(
                        "unknown fault kind \"{kind}\" (expected {})",
                        Self::KINDS
                    ));
                }
            };
            if seen.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
                return err(format!("fault kind \"{kind}\" is given twice"));
            }
            seen.push(kind);
            let p = match value.parse::<f64>() {
                Ok(p) if p.is_finite() && (0.0..=1.0).contains(&p) => p,
                _ => {
                    return err(format!(
                        "the probability of {kind} is \"{value}\", not a number from 0 to 1"
                    ));
                }
            };
            *field = (p * f64::from(Self::ONE)).round() as u32;
        }
        if odds.total() > u64::from(Self::ONE) {
            return err(format!(
                "the fault probabilities add up to {}, more than 1",
                odds.total() as f64 / f64::from(Self::ONE)
            ));
        }
        Ok(odds)
    }
}

impl fmt::Display for FaultOdds {
    /// The same form [`FaultOdds::from_str`] reads, without the zero entries.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = [
            ("429", self.rate_limit),
            ("500", self.server_error),
            ("timeout", self.timeout),
            ("drop", self.drop_connection),
        ];
        let mut first = true;
        for (kind, v) in entries.into_iter().filter(|(_, v)| *v > 0) {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{kind}={}", f64::from(v) / f64::from(Self::ONE))?;
        }
        Ok(())
    }
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
    /// Hold the request without answering for `hold`, then close the connection.
    Timeout {
        hold: Duration,
    },
}

/// Separates the odds draw's stream from the percentage draws'.
const ODDS_SALT: u64 = 0x0dd5_0dd5_0dd5_0dd5;

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
    counters: [u64; EmulatedProvider::COUNT],
    rules: Vec<Rule>,
    stuck_locked_deletes: u32,
    ghost_deletes: [u32; EmulatedProvider::COUNT],
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
            counters: [0; EmulatedProvider::COUNT],
            rules: Vec::new(),
            stuck_locked_deletes: 0,
            ghost_deletes: [0; EmulatedProvider::COUNT],
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
        self.ghost_deletes = [0; EmulatedProvider::COUNT];
    }

    pub fn add_stuck_locked_deletes(&mut self, n: u32) {
        self.stuck_locked_deletes = self.stuck_locked_deletes.saturating_add(n);
    }

    pub fn add_ghost_deletes(&mut self, p: EmulatedProvider, n: u32) {
        let s = &mut self.ghost_deletes[p.index()];
        *s = s.saturating_add(n);
    }

    /// Consumes one stuck locked delete, if any is pending.
    pub fn take_stuck_locked_delete(&mut self) -> bool {
        take(&mut self.stuck_locked_deletes)
    }

    /// Consumes one ghost delete of `p`, if any is pending.
    pub fn take_ghost_delete(&mut self, p: EmulatedProvider) -> bool {
        take(&mut self.ghost_deletes[p.index()])
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
        let counter = &mut self.counters[provider.index()];
        *counter += 1;
        let n = *counter * 4 + provider.index() as u64 * 0x1_0000_0000;
        let draw = |k: u64| splitmix64(self.seed ^ splitmix64(n + k)) % 100;
        // `n + 4` would be the next request's `n + 0`, so `draw(0)` is this request's own.
        let (d, r, s, t) = (draw(1), draw(2), draw(3), draw(0));
        let odds_draw = splitmix64(splitmix64(self.seed ^ ODDS_SALT) ^ splitmix64(n))
            % u64::from(FaultOdds::ONE);
        let outcome = if d < u64::from(f.drop_connection_percent) {
            FaultOutcome::DropConnection
        } else if t < u64::from(f.timeout_percent) {
            FaultOutcome::Timeout { hold: f.hold() }
        } else if r < u64::from(f.rate_limit_percent) {
            FaultOutcome::RateLimited {
                retry_after_secs: f.retry_after_secs,
            }
        } else if s < u64::from(f.server_error_percent) {
            FaultOutcome::ServerError
        } else {
            f.odds.pick(odds_draw, f.retry_after_secs, f.hold())
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

    #[test]
    fn fault_specs_parse() {
        let odds: FaultOdds = "429=0.1, 500=0.05,timeout=0.02,DROP=0.02".parse().unwrap();
        assert_eq!(
            odds,
            FaultOdds {
                rate_limit: 100_000,
                server_error: 50_000,
                timeout: 20_000,
                drop_connection: 20_000,
            }
        );
        assert_eq!(odds.to_string(), "429=0.1,500=0.05,timeout=0.02,drop=0.02");
        assert_eq!(
            "500=1".parse::<FaultOdds>().unwrap().server_error,
            FaultOdds::ONE
        );
        assert!("500=0".parse::<FaultOdds>().unwrap().is_none());
        let err = |s: &str| s.parse::<FaultOdds>().unwrap_err().to_string();
        assert!(
            err("404=0.1").contains("unknown fault kind \"404\""),
            "{}",
            err("404=0.1")
        );
        assert!(err("500=1.5").contains("not a number from 0 to 1"));
        assert!(err("500=-0.1").contains("not a number from 0 to 1"));
        assert!(err("500=NaN").contains("not a number from 0 to 1"));
        assert!(err("500=x").contains("not a number from 0 to 1"));
        assert!(err("500").contains("not KIND=PROBABILITY"));
        assert!(err("").contains("no faults given"));
        assert!(err("500=0.1,500=0.2").contains("given twice"));
        assert!(err("500=0.6,429=0.5").contains("add up to 1.1, more than 1"));
        "500=0.5,429=0.5".parse::<FaultOdds>().unwrap();
    }

    #[test]
    fn odds_are_exclusive_deterministic_and_roughly_right() {
        let run = |seed| {
            let mut t = FaultTable::new(seed);
            t.set(
                EmulatedProvider::DigitalOcean,
                None,
                Faults {
                    odds: "429=0.2,500=0.1,timeout=0.1,drop=0.1".parse().unwrap(),
                    retry_after_secs: 3,
                    timeout_hold: Duration::from_secs(9),
                    ..Faults::default()
                },
            );
            (0..2000)
                .map(|_| {
                    t.decide(EmulatedProvider::DigitalOcean, "GET", "/v2/droplets")
                        .outcome
                })
                .collect::<Vec<_>>()
        };
        let a = run(11);
        assert_eq!(a, run(11));
        assert_ne!(a, run(12));
        let count = |o: FaultOutcome| a.iter().filter(|x| **x == o).count();
        let rl = count(FaultOutcome::RateLimited {
            retry_after_secs: 3,
        });
        let se = count(FaultOutcome::ServerError);
        let to = count(FaultOutcome::Timeout {
            hold: Duration::from_secs(9),
        });
        let dr = count(FaultOutcome::DropConnection);
        let ok = count(FaultOutcome::Proceed);
        assert_eq!(rl + se + to + dr + ok, 2000);
        assert!((320..480).contains(&rl), "{rl}");
        for n in [se, to, dr] {
            assert!((140..260).contains(&n), "{n}");
        }
        assert!((880..1120).contains(&ok), "{ok}");
    }

    #[test]
    fn certain_outcomes_always_happen() {
        for (spec, want) in [
            ("500=1", FaultOutcome::ServerError),
            ("drop=1", FaultOutcome::DropConnection),
            (
                "timeout=1",
                FaultOutcome::Timeout {
                    hold: Faults::DEFAULT_TIMEOUT_HOLD,
                },
            ),
            (
                "429=1",
                FaultOutcome::RateLimited {
                    retry_after_secs: 0,
                },
            ),
        ] {
            let mut t = FaultTable::new(3);
            t.set(
                EmulatedProvider::Vultr,
                None,
                Faults {
                    odds: spec.parse().unwrap(),
                    ..Faults::default()
                },
            );
            for _ in 0..200 {
                assert_eq!(
                    t.decide(EmulatedProvider::Vultr, "GET", "/v2/account")
                        .outcome,
                    want
                );
            }
        }
        let mut t = FaultTable::new(3);
        t.set(
            EmulatedProvider::Vultr,
            None,
            Faults {
                timeout_percent: 100,
                timeout_hold: Duration::from_millis(5),
                ..Faults::default()
            },
        );
        assert_eq!(
            t.decide(EmulatedProvider::Vultr, "GET", "/v2/account")
                .outcome,
            FaultOutcome::Timeout {
                hold: Duration::from_millis(5)
            }
        );
    }
}
