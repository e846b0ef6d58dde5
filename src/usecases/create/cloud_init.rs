//! The last step of a create: ask the new machine whether cloud-init is done.
//!
//! The machine serves its status check (`http://<ip>:4242/cgi-bin/cloud-init-status`, see
//! [`status`](crate::usecases::status)); the step asks it until it answers `done` or a
//! failure, the wait times out, or the create is cancelled (which only ends the wait: the
//! machine keeps running).

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::super::list::ListFilter;
use super::super::status::{self, StatusOptions, UNKNOWN};
use super::super::{CreateProgress, ProgressSink, elapsed_ms};
use crate::provider::CloudProvider;
use crate::session::SessionId;

/// How long to ask, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudInitWait {
    pub timeout: Duration,
    pub interval: Duration,
}

impl Default for CloudInitWait {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(180),
            interval: Duration::from_secs(4),
        }
    }
}

/// Whether cloud-init finished on the new machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CloudInitResult {
    /// Not asked: no machine type was applied, or waiting was not requested.
    NotRequested,
    /// The machine has no IP, so it cannot be asked.
    NoIp,
    /// The machine reported cloud-init done.
    Done { status: String },
    /// The machine reported that cloud-init failed.
    Failed { status: String },
    /// No answer that says done within the wait (or the wait was stopped).
    Unconfirmed {
        last_status: String,
        message: String,
    },
}

impl CloudInitResult {
    /// One line for a person: what the machine said, or why it is not known.
    pub fn describe(&self) -> String {
        match self {
            Self::NotRequested => "cloud-init was not waited for".into(),
            Self::NoIp => "cloud-init was not checked: the machine has no IP".into(),
            Self::Done { status } => format!("cloud-init {status}"),
            Self::Failed { status } => format!("cloud-init reported {status}"),
            Self::Unconfirmed { message, .. } => message.clone(),
        }
    }

    /// Done is the only answer that means the machine is set up.
    pub fn is_done(&self) -> bool {
        matches!(self, Self::Done { .. })
    }
}

/// What the status check's answer means for the wait.
enum Verdict {
    Done,
    Failed,
    Pending,
}

fn verdict(status: &str) -> Verdict {
    match status.to_ascii_lowercase().as_str() {
        "done" => Verdict::Done,
        "error" | "failed" | "degraded" => Verdict::Failed,
        _ => Verdict::Pending,
    }
}

/// Asks machine `id` until cloud-init is done or failed, `wait.timeout` passes, or `cancel`.
pub async fn wait_for_cloud_init(
    provider: &dyn CloudProvider,
    session: &SessionId,
    id: &str,
    wait: &CloudInitWait,
    progress: ProgressSink<'_, CreateProgress>,
    cancel: &CancellationToken,
) -> CloudInitResult {
    let opts = StatusOptions {
        filter: ListFilter {
            id: Some(id.to_owned()),
            all: true,
            ..ListFilter::default()
        },
        ..StatusOptions::default()
    };
    let start = Instant::now();
    let mut last = UNKNOWN.to_owned();
    loop {
        let answer = tokio::select! {
            () = cancel.cancelled() => return stopped(&last),
            answer = status::machine_status(provider, session, &opts) => answer,
        };
        last = answer
            .ok()
            .and_then(|reports| reports.into_iter().next())
            .map(|r| r.check_status)
            .unwrap_or_else(|| UNKNOWN.to_owned());
        progress(CreateProgress::CloudInitChecked {
            status: last.clone(),
            elapsed_ms: elapsed_ms(start),
        });
        match verdict(&last) {
            Verdict::Done => return CloudInitResult::Done { status: last },
            Verdict::Failed => return CloudInitResult::Failed { status: last },
            Verdict::Pending => {}
        }
        let remaining = wait.timeout.saturating_sub(start.elapsed());
        if remaining.is_zero() {
            let why = if last == UNKNOWN {
                "the machine did not answer the status check"
            } else {
                "the machine did not report cloud-init done"
            };
            return unconfirmed(
                &last,
                &format!(
                    "Not confirmed after {} s: {why}. The machine exists; check it later \
                     (the Machines screen, or `hangar status`).",
                    wait.timeout.as_secs()
                ),
            );
        }
        tokio::select! {
            () = cancel.cancelled() => return stopped(&last),
            () = tokio::time::sleep(wait.interval.min(remaining)) => {}
        }
    }
}

fn stopped(last: &str) -> CloudInitResult {
    unconfirmed(
        last,
        "Stopped waiting for cloud-init; the machine keeps running.",
    )
}

pub(super) fn unconfirmed(last: &str, message: &str) -> CloudInitResult {
    CloudInitResult::Unconfirmed {
        last_status: last.to_owned(),
        message: message.to_owned(),
    }
}
