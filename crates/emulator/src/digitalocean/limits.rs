//! DigitalOcean's rate limits: the hourly window behind the `ratelimit-*` headers every
//! response carries, and the optional limit on SSH-key reads per minute.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::state::lock;

/// The DigitalOcean per-token limit: requests per hour.
pub const RATE_LIMIT_PER_HOUR: usize = 5_000;

#[derive(Default)]
pub struct Limits {
    /// Unix seconds of the requests of the last hour (the sliding window).
    window: Mutex<VecDeque<u64>>,
    /// The optional limit on GETs of `/v2/account/keys` per 60 seconds, and their times.
    ssh_key_reads_per_minute: Option<u32>,
    ssh_key_reads: Mutex<VecDeque<Instant>>,
}

impl Limits {
    pub fn new(ssh_key_reads_per_minute: Option<u32>) -> Limits {
        Limits {
            ssh_key_reads_per_minute,
            ..Limits::default()
        }
    }

    /// Counts one GET of `/v2/account/keys` against the per-minute limit. Returns the seconds
    /// to wait when the limit is already reached (the request is then not counted).
    pub fn ssh_key_read_wait(&self, now: Instant) -> Option<u64> {
        let limit = self.ssh_key_reads_per_minute? as usize;
        let minute = Duration::from_secs(60);
        let mut reads = lock(&self.ssh_key_reads);
        while reads
            .front()
            .is_some_and(|t| now.duration_since(*t) >= minute)
        {
            reads.pop_front();
        }
        if reads.len() >= limit {
            let oldest = reads.front().copied().unwrap_or(now);
            let wait = minute.saturating_sub(now.duration_since(oldest));
            return Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        reads.push_back(now);
        None
    }

    /// Counts one request and returns (remaining, reset) for the `ratelimit-*` headers.
    pub fn count_request(&self, now: u64) -> (usize, u64) {
        let mut window = lock(&self.window);
        while window.front().is_some_and(|t| *t + 3_600 <= now) {
            window.pop_front();
        }
        if window.len() < RATE_LIMIT_PER_HOUR {
            window.push_back(now);
        }
        let remaining = RATE_LIMIT_PER_HOUR.saturating_sub(window.len());
        let reset = window.front().map_or(now, |t| t + 3_600);
        (remaining, reset)
    }
}
