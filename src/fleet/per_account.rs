//! The one fan-out over accounts: every list, check, preview and bulk action across accounts
//! runs through [`fan_out`], concurrently, and keeps each account's result or error apart.
//!
//! One slow or failing account never delays the others: the accounts run at once, and with
//! [`fan_out`]'s `on_each` the caller sees each account's answer as soon as it arrives (the
//! app streams it to the window, the CLI prints it).

use std::future::Future;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::Serialize;

use super::LiveAccount;
use crate::error::Error;
use crate::provider::CloudProvider;

/// One account's answer: `result` when it succeeded, else `error`. Exactly one is set.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PerAccount<T> {
    pub account_id: String,
    pub result: Option<T>,
    pub error: Option<Error>,
}

impl<T> PerAccount<T> {
    /// The answer of `account_id`.
    pub fn new(account_id: impl Into<String>, outcome: Result<T, Error>) -> Self {
        let (result, error) = match outcome {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e)),
        };
        Self {
            account_id: account_id.into(),
            result,
            error,
        }
    }

    /// The answer as a `Result`.
    pub fn outcome(&self) -> Result<&T, &Error> {
        match (&self.result, &self.error) {
            (Some(v), _) => Ok(v),
            (None, Some(e)) => Err(e),
            // `new` sets one of the two; a value built by hand without either is a bug.
            (None, None) => unreachable!("PerAccount without result or error"),
        }
    }

    /// The answer, consumed.
    pub fn into_outcome(self) -> Result<T, Error> {
        match (self.result, self.error) {
            (Some(v), _) => Ok(v),
            (None, Some(e)) => Err(e),
            (None, None) => unreachable!("PerAccount without result or error"),
        }
    }
}

/// Where a streaming fan-out reports each account as it answers.
pub type OnEach<'a, T> = &'a (dyn Fn(&PerAccount<T>) + Send + Sync);

/// Calls nothing: for callers that only want the collected answers.
pub fn ignore_each<T>(_: &PerAccount<T>) {}

/// Runs `job` for every `(account, argument)` pair at once. An account without a client
/// answers with the reason it has none, without running `job`. `on_each` sees every answer
/// as it arrives; the returned list is in the order of `jobs`.
pub async fn fan_out<'a, A, T, F, Fut>(
    jobs: impl IntoIterator<Item = (&'a LiveAccount, A)>,
    job: F,
    on_each: OnEach<'_, T>,
) -> Vec<PerAccount<T>>
where
    F: Fn(&'a LiveAccount, Arc<dyn CloudProvider>, A) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let job = &job;
    let mut running: FuturesUnordered<_> = jobs
        .into_iter()
        .enumerate()
        .map(|(index, (account, arg))| async move {
            let outcome = match account.connected() {
                Ok(client) => job(account, client, arg).await,
                Err(e) => Err(e),
            };
            (index, PerAccount::new(account.id.clone(), outcome))
        })
        .collect();
    let mut answers = Vec::with_capacity(running.len());
    while let Some((index, answer)) = running.next().await {
        on_each(&answer);
        answers.push((index, answer));
    }
    answers.sort_by_key(|(index, _)| *index);
    answers.into_iter().map(|(_, answer)| answer).collect()
}
