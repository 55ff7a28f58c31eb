//! The feed's statistics (`GET /api/v1/feed/stats`), bounded: they read every matching finding,
//! so an answer is kept until the feed changes, and only one is computed at a time.
//!
//! - An answer is cached per filter (and day: "overdue" depends on it) until any review
//!   commits (`Hub::feed_generation`), so the same question asked again costs nothing.
//! - At most one computation runs at once: the statistics hold one pooled database connection
//!   at most, never all of them, whatever the number of callers; the others wait their turn and
//!   then usually find the answer cached.
//! - At most [`MAX_ENTRIES`] filters are kept; the cache is emptied when full.

use mosaic_domain::feed::FeedStats;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The most cached answers.
const MAX_ENTRIES: usize = 256;

/// Cached answers and the one-at-a-time gate. Cloning is cheap: clones share both.
#[derive(Clone, Debug)]
pub struct StatsCache {
    entries: Arc<Mutex<HashMap<String, (u64, FeedStats)>>>,
    gate: Arc<tokio::sync::Semaphore>,
}

impl Default for StatsCache {
    fn default() -> Self {
        Self {
            entries: Arc::default(),
            gate: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }
}

impl StatsCache {
    /// The answer for `key` at feed generation `generation`, computed by `compute` if none
    /// is cached for it.
    pub async fn get_or_compute<E>(
        &self,
        key: String,
        generation: impl Fn() -> u64,
        compute: impl AsyncFnOnce() -> Result<FeedStats, E>,
    ) -> Result<FeedStats, E> {
        if let Some(hit) = self.cached(&key, generation()) {
            return Ok(hit);
        }
        // A closed semaphore never happens (it is never closed); computing anyway is safe.
        let _turn = self.gate.acquire().await.ok();
        // Whoever held the gate before may have computed this very answer.
        let at = generation();
        if let Some(hit) = self.cached(&key, at) {
            return Ok(hit);
        }
        let stats = compute().await?;
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        // Stored under the generation read before computing: a commit during the computation
        // makes the answer stale at once, never wrongly fresh.
        entries.insert(key, (at, stats.clone()));
        Ok(stats)
    }

    fn cached(&self, key: &str, generation: u64) -> Option<FeedStats> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(at, _)| *at == generation)
            .map(|(_, stats)| stats.clone())
    }
}
