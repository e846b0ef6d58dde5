//! Provider conformance: every `CloudProvider` implementation runs the same suite
//! (`conformance/suite.rs`) against the emulator. Adding a provider means one line in
//! `for_each_provider!` below: clients connect through the registry (`harness::connect`).
//!
//! The Prism run (`prism_proxy_lifecycle`, ignored by default) puts Stoplight Prism between the
//! client and the emulator as a validating proxy; it needs `npm ci --prefix tests/prism`.

#[path = "common/mod.rs"]
mod common;
#[path = "conformance/dns.rs"]
mod dns;
#[path = "conformance/firewall.rs"]
mod firewall;
#[path = "conformance/harness.rs"]
mod harness;
#[path = "conformance/manage.rs"]
mod manage;
#[path = "conformance/prism.rs"]
mod prism;
#[path = "conformance/resize.rs"]
mod resize;
#[path = "conformance/snapshots.rs"]
mod snapshots;
#[path = "conformance/suite.rs"]
mod suite;

/// One `#[tokio::test]` per (provider, scenario): `digitalocean::lifecycle`, `vultr::faults`, …
macro_rules! provider_tests {
    ($module:ident, $kind:expr, [$($scenario:ident),* $(,)?]) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let h = crate::harness::Harness::start($kind).await;
                    crate::suite::$scenario(h.provider.as_ref(), &h.emulator, h.kind).await;
                    h.shutdown().await;
                }
            )*
        }
    };
}

macro_rules! for_each_provider {
    ($scenarios:tt) => {
        provider_tests!(
            digitalocean,
            hangar_emulator::EmulatedProvider::DigitalOcean,
            $scenarios
        );
        provider_tests!(vultr, hangar_emulator::EmulatedProvider::Vultr, $scenarios);
        provider_tests!(
            linode,
            hangar_emulator::EmulatedProvider::Linode,
            $scenarios
        );
    };
}

for_each_provider!([
    lifecycle,
    requests_follow_the_spec,
    pagination,
    catalogs_are_cached,
    wrong_token_is_an_auth_error,
    faults,
    ghost_delete,
    surviving_machine_is_reported,
    lifecycle_under_faults,
    ambiguous_create_failures_make_one_machine_each,
    dns_every_type_round_trips,
    rename_and_retag,
    firewall_allow_me_then_sweep,
    resize_changes_the_plan,
    rebuild_keeps_the_machine,
    snapshot_then_create_from_it,
]);

/// Vultr-only behaviour: DigitalOcean has no "currently locked" delete refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vultr_stuck_locked_delete() {
    let h = harness::Harness::start(hangar_emulator::EmulatedProvider::Vultr).await;
    suite::stuck_locked_delete(h.provider.as_ref(), &h.emulator, h.kind).await;
    h.shutdown().await;
}
