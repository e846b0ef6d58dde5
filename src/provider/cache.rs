//! An in-memory cache with a time to live, for catalogs (regions, sizes, images).
//!
//! A form that filters sizes on every keystroke calls the catalog many times; only the first call
//! in each TTL window goes to the network. Callers that arrive while a fetch is in flight wait on
//! the same lock and then read its result, so concurrent callers share one fetch. A failed fetch
//! is not cached.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// How long catalogs stay fresh by default.
pub const DEFAULT_CATALOG_TTL: Duration = Duration::from_secs(600);

/// One cached value with a TTL.
#[derive(Debug)]
pub struct TtlCache<T> {
    ttl: Duration,
    slot: Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> TtlCache<T> {
    /// An empty cache whose entries live for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slot: Mutex::new(None),
        }
    }

    /// The cached value if fresh, else the result of `fetch` (which is then cached).
    pub async fn get_or_fetch<E, F, Fut>(&self, fetch: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((at, value)) = slot.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(fetch().await?);
        *slot = Some((Instant::now(), Arc::clone(&value)));
        Ok(value)
    }

    /// Forget the cached value.
    pub async fn invalidate(&self) {
        *self.slot.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_errors_are_not_cached() {
        let cache = Arc::new(TtlCache::<u32>::new(Duration::from_secs(60)));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch(|| async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(7)
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(*t.await.unwrap().unwrap(), 7);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let failing = TtlCache::<u32>::new(Duration::from_secs(60));
        assert!(
            failing
                .get_or_fetch(|| async { Err::<u32, _>("down") })
                .await
                .is_err()
        );
        assert_eq!(
            *failing
                .get_or_fetch(|| async { Ok::<_, ()>(3) })
                .await
                .unwrap(),
            3
        );
    }

    #[tokio::test]
    async fn expired_entries_are_fetched_again() {
        let cache = TtlCache::<u32>::new(Duration::from_millis(10));
        assert_eq!(
            *cache
                .get_or_fetch(|| async { Ok::<_, ()>(1) })
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            *cache
                .get_or_fetch(|| async { Ok::<_, ()>(2) })
                .await
                .unwrap(),
            1
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(
            *cache
                .get_or_fetch(|| async { Ok::<_, ()>(3) })
                .await
                .unwrap(),
            3
        );
    }
}
