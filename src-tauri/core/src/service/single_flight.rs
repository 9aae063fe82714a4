//! One in-flight refresh per token, shared by every concurrent caller.
//!
//! A [`TokenCell`] holds the last known value of one token behind a tokio `Mutex` that is held
//! across the refresh `await` (DESIGN.md "State"): the first caller that finds the value stale
//! refreshes it; every caller that arrives meanwhile waits on the lock and then finds the fresh
//! value. The fast path (value fresh) is one uncontended lock.

use std::future::Future;

use tokio::sync::Mutex;

/// A cached token (or anything with an expiry) with single-flight refresh.
#[derive(Debug)]
pub struct TokenCell<T> {
    slot: Mutex<Option<T>>,
}

impl<T> Default for TokenCell<T> {
    fn default() -> Self {
        TokenCell {
            slot: Mutex::new(None),
        }
    }
}

impl<T: Clone> TokenCell<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached value when `fresh` says it still is; else the value `load` produces (and
    /// caches). Concurrent callers share one `load`.
    pub async fn get_or_load<F, Fut, E>(&self, fresh: impl Fn(&T) -> bool, load: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(v) = slot.as_ref() {
            if fresh(v) {
                return Ok(v.clone());
            }
        }
        let value = load().await?;
        *slot = Some(value.clone());
        Ok(value)
    }

    /// Drops the cached value when `matches` says it is the one that failed (so a value a
    /// concurrent caller has just refreshed is kept). Returns whether it was dropped.
    pub async fn invalidate_if(&self, matches: impl Fn(&T) -> bool) -> bool {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(matches) {
            *slot = None;
            true
        } else {
            false
        }
    }

    /// Drops the cached value unconditionally.
    pub async fn clear(&self) {
        *self.slot.lock().await = None;
    }

    /// Replaces the cached value (e.g. a token received from api_query_auth).
    pub async fn set(&self, value: T) {
        *self.slot.lock().await = Some(value);
    }

    /// The cached value, fresh or not.
    pub async fn peek(&self) -> Option<T> {
        self.slot.lock().await.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_share_one_load() {
        let cell = Arc::new(TokenCell::<u64>::new());
        let loads = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let cell = cell.clone();
            let loads = loads.clone();
            tasks.push(tokio::spawn(async move {
                cell.get_or_load(
                    |_| true,
                    || async {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<_, ()>(7)
                    },
                )
                .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(7));
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        assert!(cell.invalidate_if(|v| *v == 7).await);
        assert!(!cell.invalidate_if(|v| *v == 7).await);
    }
}
