//! Creating and destroying machines safely, for every provider.
//!
//! **Create** (machines, and DNS records). A create that failed ambiguously (a 5xx, a timeout or a dropped connection after
//! the request was sent) may still have created a billed machine, so it is never simply sent
//! again. [`create_reconciled`] first looks the machine up by its name (each provider has an exact
//! name/label filter) and adopts a match — same name, region and tags — instead of creating a
//! second one. A DNS record is looked up by type, name and data the same way. Only when that lookup answers and finds nothing is the create repeated. The one
//! residual risk is a machine created long before with the same name, region and tags, which would
//! be adopted: that errs on the side of not paying twice.
//!
//! **Destroy.** Providers have been seen to accept a DELETE and leave the machine running.
//! [`destroy_confirmed`] deletes, then polls until the machine answers 404; if it survives, it
//! deletes again, and after the last round it reports [`ProviderError::StillExists`].

use std::future::Future;
use std::time::Duration;

use backon::BackoffBuilder;

use super::RetryPolicy;
use crate::provider::{
    CreateMachine, DnsRecord, DnsRecordSpec, Machine, ProviderError, ProviderKind, Result,
};

/// How hard [`destroy_confirmed`] tries.
#[derive(Debug, Clone)]
pub struct DestroyPolicy {
    /// DELETE rounds before giving up (each followed by confirmation polls).
    pub rounds: u32,
    /// GETs per round while waiting for the 404.
    pub confirm_polls: u32,
    /// First wait between confirmation GETs; doubles up to 8× this value.
    pub confirm_interval: Duration,
    /// Retries of a request refused because the machine is locked / still provisioning (a
    /// Vultr DELETE; a Linode that answers "busy" after its create).
    pub locked_retries: usize,
    /// First wait before retrying a locked request; doubles with jitter up to 16× this value.
    pub locked_delay: Duration,
}

impl Default for DestroyPolicy {
    fn default() -> Self {
        Self {
            rounds: 3,
            confirm_polls: 6,
            confirm_interval: Duration::from_millis(500),
            locked_retries: 8,
            locked_delay: Duration::from_secs(2),
        }
    }
}

/// How [`wait_for_action`] polls an action the provider runs in the background.
#[derive(Debug, Clone)]
pub struct ActionPolicy {
    /// Wait between polls.
    pub interval: Duration,
    /// Give up (with [`ProviderError::ActionFailed`]) after this long.
    pub timeout: Duration,
}

impl Default for ActionPolicy {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(300),
        }
    }
}

/// Where an action the provider runs in the background stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionState {
    Running,
    Done,
    /// Ended in error; the provider's words, if any.
    Failed(String),
}

/// Polls `poll` every [`ActionPolicy::interval`] until the action is done. A failed action,
/// or one still running after [`ActionPolicy::timeout`], is [`ProviderError::ActionFailed`]
/// naming `action` and the machine `id`.
pub async fn wait_for_action<P, PF>(
    provider: ProviderKind,
    id: &str,
    action: &str,
    policy: &ActionPolicy,
    poll: P,
) -> Result<()>
where
    P: Fn() -> PF,
    PF: Future<Output = Result<ActionState>>,
{
    let failed = |message: String| ProviderError::ActionFailed {
        provider,
        id: id.to_owned(),
        action: action.to_owned(),
        message,
    };
    let deadline = tokio::time::Instant::now() + policy.timeout;
    loop {
        match poll().await? {
            ActionState::Done => return Ok(()),
            ActionState::Failed(why) => return Err(failed(why)),
            ActionState::Running if tokio::time::Instant::now() >= deadline => {
                return Err(failed(format!(
                    "still running after {} s; check the machine in the provider's console",
                    policy.timeout.as_secs()
                )));
            }
            ActionState::Running => tokio::time::sleep(policy.interval).await,
        }
    }
}

/// True for a failure after which the provider may or may not have acted.
pub fn is_ambiguous(error: &ProviderError) -> bool {
    matches!(
        error,
        ProviderError::Provider { .. } | ProviderError::Network { .. }
    )
}

/// True if `machine` is what `request` would have created.
pub fn matches_request(machine: &Machine, request: &CreateMachine) -> bool {
    machine.name.eq_ignore_ascii_case(&request.name)
        && machine.region.starts_with(&request.region)
        && request.tags.iter().all(|t| machine.tags.contains(t))
}

/// Create, and after an ambiguous failure adopt what was created if the lookup finds it, else
/// try again. `lookup` answers "what would this create have made, if it exists?".
pub async fn create_reconciled<T, C, CF, L, LF>(
    policy: &RetryPolicy,
    create: C,
    lookup: L,
) -> Result<T>
where
    C: Fn() -> CF,
    CF: Future<Output = Result<T>>,
    L: Fn() -> LF,
    LF: Future<Output = Result<Option<T>>>,
{
    let mut delays = policy.backoff().build();
    loop {
        let error = match create().await {
            Ok(created) => return Ok(created),
            Err(e) if is_ambiguous(&e) => e,
            Err(e) => return Err(e),
        };
        // Did the failed create go through? If we cannot tell, say so rather than risk a twin.
        match lookup().await {
            Ok(Some(created)) => return Ok(created),
            Ok(None) => {}
            Err(_) => return Err(error),
        }
        match delays.next() {
            Some(delay) => tokio::time::sleep(delay).await,
            None => return Err(error),
        }
    }
}

/// The newest of `machines` that `request` would have created.
pub fn find_created(machines: Vec<Machine>, request: &CreateMachine) -> Option<Machine> {
    machines
        .into_iter()
        .filter(|m| matches_request(m, request))
        .max_by(|a, b| a.created_at.cmp(&b.created_at))
}

/// The record in `records` with the same type, name and data as `spec` (the one a failed create
/// may have made).
pub fn find_record(records: Vec<DnsRecord>, spec: &DnsRecordSpec) -> Option<DnsRecord> {
    records.into_iter().find(|r| {
        r.spec.record_type == spec.record_type
            && r.spec.name.eq_ignore_ascii_case(&spec.name)
            && r.spec.data.trim_end_matches('.') == spec.data.trim_end_matches('.')
    })
}

/// Delete `id` and confirm it is gone; see the module docs.
///
/// `delete` sends one DELETE (with its own transport retries). `exists` answers whether a GET
/// still finds the machine.
pub async fn destroy_confirmed<D, DF, E, EF>(
    provider: ProviderKind,
    id: &str,
    policy: &DestroyPolicy,
    delete: D,
    exists: E,
) -> Result<()>
where
    D: Fn() -> DF,
    DF: Future<Output = Result<()>>,
    E: Fn() -> EF,
    EF: Future<Output = Result<bool>>,
{
    for round in 0..policy.rounds.max(1) {
        match delete().await {
            Ok(()) => {}
            // Gone already: after an earlier round that is the success we were waiting for.
            Err(e) if e.is_not_found() => {
                return if round == 0 { Err(e) } else { Ok(()) };
            }
            Err(e) => return Err(e),
        }
        let mut interval = policy.confirm_interval;
        for _ in 0..policy.confirm_polls.max(1) {
            if !exists().await? {
                return Ok(());
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(policy.confirm_interval * 8);
        }
        if !exists().await? {
            return Ok(());
        }
    }
    Err(ProviderError::StillExists {
        provider,
        id: id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::MachineStatus;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const DO: ProviderKind = ProviderKind::DigitalOcean;

    fn request() -> CreateMachine {
        CreateMachine {
            name: "web-1".into(),
            region: "nyc".into(),
            size: "s-1vcpu-1gb".into(),
            image: "debian-12-x64".into(),
            ssh_key_ids: vec![],
            tags: vec!["hangar".into()],
            user_data: None,
            ipv6: false,
        }
    }

    fn machine(id: &str, region: &str, tags: &[&str]) -> Machine {
        Machine {
            id: id.into(),
            name: "web-1".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            region: region.into(),
            ipv4: None,
            ipv6: None,
            private_ipv4: None,
            status: MachineStatus::New,
            size: "s-1vcpu-1gb".into(),
            image: "debian-12-x64".into(),
            image_name: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            price_monthly: None,
        }
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_retries: 3,
            ..RetryPolicy::default()
        }
    }

    fn server_error() -> ProviderError {
        ProviderError::Provider {
            provider: DO,
            status: 500,
            message: "boom".into(),
        }
    }

    #[tokio::test]
    async fn an_ambiguous_create_adopts_the_machine_it_made() {
        let creates = AtomicUsize::new(0);
        let m = create_reconciled(
            &fast(),
            || async {
                creates.fetch_add(1, Ordering::SeqCst);
                Err(server_error())
            },
            || async {
                let found = vec![
                    machine("other", "ams3", &["hangar"]),
                    machine("7", "nyc3", &["hangar"]),
                ];
                Ok(find_created(found, &request()))
            },
        )
        .await
        .unwrap();
        assert_eq!(m.id, "7");
        assert_eq!(creates.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_ambiguous_create_is_repeated_only_when_nothing_was_made() {
        let creates = AtomicUsize::new(0);
        let m = create_reconciled(
            &fast(),
            || async {
                if creates.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(server_error())
                } else {
                    Ok(machine("9", "nyc1", &["hangar"]))
                }
            },
            || async {
                Ok(find_created(
                    vec![machine("x", "nyc1", &["other-tag"])],
                    &request(),
                ))
            },
        )
        .await
        .unwrap();
        assert_eq!(m.id, "9");
        assert_eq!(creates.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_create_whose_outcome_cannot_be_checked_is_not_repeated() {
        let creates = AtomicUsize::new(0);
        let err = create_reconciled::<Machine, _, _, _, _>(
            &fast(),
            || async {
                creates.fetch_add(1, Ordering::SeqCst);
                Err(server_error())
            },
            || async { Err(server_error()) },
        )
        .await
        .unwrap_err();
        assert_eq!(err, server_error());
        assert_eq!(creates.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn validation_errors_are_returned_at_once() {
        let err = create_reconciled::<Machine, _, _, _, _>(
            &fast(),
            || async {
                Err(ProviderError::Validation {
                    provider: DO,
                    message: "bad size".into(),
                })
            },
            || async { panic!("no lookup after a clear refusal") },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ProviderError::Validation { .. }));
    }

    fn quick_destroy() -> DestroyPolicy {
        DestroyPolicy {
            rounds: 3,
            confirm_polls: 2,
            confirm_interval: Duration::from_millis(1),
            ..DestroyPolicy::default()
        }
    }

    #[tokio::test]
    async fn a_ghost_delete_is_repeated_until_the_machine_is_gone() {
        let deletes = AtomicUsize::new(0);
        destroy_confirmed(
            DO,
            "5",
            &quick_destroy(),
            || async {
                deletes.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
            // The first delete is a ghost: the machine stays until the second one.
            || async { Ok(deletes.load(Ordering::SeqCst) < 2) },
        )
        .await
        .unwrap();
        assert_eq!(deletes.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_machine_that_survives_every_round_is_reported() {
        let deletes = AtomicUsize::new(0);
        let err = destroy_confirmed(
            DO,
            "5",
            &quick_destroy(),
            || async {
                deletes.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
            || async { Ok(true) },
        )
        .await
        .unwrap_err();
        assert_eq!(
            err,
            ProviderError::StillExists {
                provider: DO,
                id: "5".into()
            }
        );
        assert!(err.to_string().contains("still exists"));
        assert_eq!(deletes.load(Ordering::SeqCst), 3);
    }
}
