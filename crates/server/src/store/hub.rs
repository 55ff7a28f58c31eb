//! The in-process switchboard of live events: per review that somebody is listening to, a
//! `watch` channel holding the latest version published. It lives under the store because the
//! [`Store`](super::Store) publishes to it after every commit that changes a review's row, so no
//! write path can forget to; it also publishes when a participant's tokens are revoked, which
//! wakes the review's streams (`crate::events`) to check their grants, and when the review's
//! room changes (`publish_room`: the room itself is in the database, only the news is here).
//! Streams are capped per token ([`MAX_STREAMS_PER_TOKEN`]) and per process ([`MAX_STREAMS`]).
//!
//! The hub lives in one process. What it is told is a [`Message`] (ids and versions only); on
//! PostgreSQL the store also sends each one to the other server processes on the same database
//! (`store/bus.rs`: a `NOTIFY` in the committing transaction, one listening connection per
//! process feeding its hub), so a stream hears of a write whichever process made it. The caps
//! and the open streams are per process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::watch;

/// The most streams one token may hold open: a person with a few tabs and browsers.
pub const MAX_STREAMS_PER_TOKEN: usize = 8;
/// The most streams one process holds open: each is a socket and a task; kept below the
/// connection cap so streams alone cannot take every connection.
pub const MAX_STREAMS: usize = 256;

/// What a review's channel holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latest {
    /// The highest stored version published; only ever grows, so a late publisher of an older
    /// version changes nothing.
    pub version: u64,
    /// Counts revocations of the review's tokens, so that each one wakes its streams.
    pub revocations: u64,
    /// Counts changes to the review's room (presence, hands, the timebox, an account saved),
    /// so that each one makes its streams read the room again.
    pub room: u64,
}

/// What the hub is told: each kind wakes what depends on it. Ids and versions only, never
/// content: on PostgreSQL it travels between processes as a `NOTIFY` payload.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// The review is now stored at `version` (the feed may have changed with it).
    Version { review: String, version: u64 },
    /// Tokens of the review were revoked: its streams check whether theirs still holds.
    Revocation { review: String },
    /// The review's room changed (its rows are in the database): its streams read it again.
    Room { review: String },
    /// Something was committed that may change the feed, without a review version (imports).
    FeedChanged,
}

impl Message {
    pub fn version(review: &str, version: u64) -> Self {
        Self::Version {
            review: review.to_owned(),
            version,
        }
    }

    pub fn revocation(review: &str) -> Self {
        Self::Revocation {
            review: review.to_owned(),
        }
    }

    pub fn room(review: &str) -> Self {
        Self::Room {
            review: review.to_owned(),
        }
    }
}

/// Who is listening to which review. Cloning is cheap: clones share one map.
#[derive(Clone, Debug, Default)]
pub struct Hub {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// One sender per review with at least one [`Subscription`]; removed with the last one.
    reviews: HashMap<String, watch::Sender<Latest>>,
    /// Set at shutdown: every stream has ended and no new one starts, so the server's graceful
    /// shutdown, which waits for open responses, is not held up by them.
    closed: bool,
    /// Open streams per token hash; a token is removed with its last stream.
    per_token: HashMap<String, usize>,
    /// Open streams in all.
    streams: usize,
    /// Counts every commit that may have changed the feed, so a cache of anything read from
    /// it knows when it is stale.
    feed_generation: u64,
}

/// A stream refused because a cap is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamLimit {
    PerToken,
    Process,
}

impl Hub {
    /// Tells the streams and caches of this process of `message`.
    pub fn apply(&self, message: &Message) {
        match message {
            Message::Version { review, version } => self.publish_version(review, *version),
            Message::Revocation { review } => self.publish_revocation(review),
            Message::Room { review } => self.publish_room(review),
            Message::FeedChanged => self.feed_changed(),
        }
    }

    /// The reviews somebody in this process listens to: after the process may have missed
    /// messages (its listening connection was lost), these are read again.
    pub fn listened_reviews(&self) -> Vec<String> {
        self.lock().reviews.keys().cloned().collect()
    }

    /// The review `review_id` is now stored at `version`. Called after the commit, never
    /// inside the transaction, so no stream hears of a write that did not land.
    pub fn publish_version(&self, review_id: &str, version: u64) {
        self.feed_changed();
        self.publish(review_id, |latest| {
            let newer = version > latest.version;
            if newer {
                latest.version = version;
            }
            newer
        });
    }

    /// Something was committed that may change the feed (every review commit publishes this).
    pub fn feed_changed(&self) {
        self.lock().feed_generation += 1;
    }

    /// The count [`Hub::feed_changed`] keeps: equal values mean an unchanged feed.
    pub fn feed_generation(&self) -> u64 {
        self.lock().feed_generation
    }

    /// Tokens of the review were revoked: its streams check whether theirs still holds.
    pub fn publish_revocation(&self, review_id: &str) {
        self.publish(review_id, |latest| {
            latest.revocations += 1;
            true
        });
    }

    /// The review's room changed (a stream opened or closed, a hand, the timebox, the room
    /// setting, an account saved): its streams read the room again. Called after the commit.
    pub fn publish_room(&self, review_id: &str) {
        self.publish(review_id, |latest| {
            latest.room += 1;
            true
        });
    }

    fn publish(&self, review_id: &str, change: impl FnOnce(&mut Latest) -> bool) {
        // Nobody listening: nothing to keep.
        if let Some(sender) = self.lock().reviews.get(review_id) {
            sender.send_if_modified(change);
        }
    }

    /// Starts listening to `review_id` for the token `token_hash`, within the caps. Subscribe
    /// before reading the version to start from, so that a write committed in between is not
    /// missed.
    pub fn subscribe(
        &self,
        review_id: &str,
        token_hash: &str,
    ) -> Result<Subscription, StreamLimit> {
        let mut inner = self.lock();
        if inner.per_token.get(token_hash).copied().unwrap_or(0) >= MAX_STREAMS_PER_TOKEN {
            return Err(StreamLimit::PerToken);
        }
        if inner.streams >= MAX_STREAMS {
            return Err(StreamLimit::Process);
        }
        *inner.per_token.entry(token_hash.to_owned()).or_default() += 1;
        inner.streams += 1;
        let receiver = if inner.closed {
            // A receiver whose sender is gone: its stream ends at once.
            watch::channel(Latest::default()).1
        } else {
            inner
                .reviews
                .entry(review_id.to_owned())
                .or_insert_with(|| watch::channel(Latest::default()).0)
                .subscribe()
        };
        Ok(Subscription {
            hub: self.clone(),
            review_id: review_id.to_owned(),
            token_hash: token_hash.to_owned(),
            receiver: Some(receiver),
        })
    }

    /// Ends every stream, now and from now on (at shutdown).
    pub fn close(&self) {
        let mut inner = self.lock();
        inner.closed = true;
        // Dropping the senders wakes every receiver with "closed".
        inner.reviews.clear();
    }

    /// How many reviews are being listened to.
    #[cfg(test)]
    fn listened(&self) -> usize {
        self.lock().reviews.len()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // No code panics while holding the lock, and the map stays consistent if one did.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One stream's place in the [`Hub`]; the review's channel is dropped with the last one.
#[derive(Debug)]
pub struct Subscription {
    hub: Hub,
    review_id: String,
    token_hash: String,
    /// Always `Some` until dropped: taken in `drop` so it is gone before the count is read.
    receiver: Option<watch::Receiver<Latest>>,
}

impl Subscription {
    /// The latest state, marked as seen.
    pub fn latest(&mut self) -> Option<Latest> {
        Some(*self.receiver.as_mut()?.borrow_and_update())
    }

    /// Waits for the next change; `None` once the hub is closed.
    pub async fn changed(&mut self) -> Option<Latest> {
        self.receiver.as_mut()?.changed().await.ok()?;
        self.latest()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        drop(self.receiver.take());
        let mut inner = self.hub.lock();
        // Under the lock, so a subscriber arriving now either was counted or makes a new one.
        if inner
            .reviews
            .get(&self.review_id)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            inner.reviews.remove(&self.review_id);
        }
        inner.streams = inner.streams.saturating_sub(1);
        if let Some(count) = inner.per_token.get_mut(&self.token_hash) {
            *count -= 1;
            if *count == 0 {
                inner.per_token.remove(&self.token_hash);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn versions_only_grow_and_channels_go_with_their_last_listener() {
        let hub = Hub::default();
        hub.publish_version("r", 3);
        assert_eq!(hub.listened(), 0, "nobody listens: nothing is kept");

        let mut a = hub.subscribe("r", "t").unwrap();
        let mut b = hub.subscribe("r", "t").unwrap();
        assert_eq!(hub.listened(), 1);
        hub.publish_version("r", 2);
        assert_eq!(a.changed().await.unwrap().version, 2);
        hub.publish_version("r", 1);
        hub.publish_version("r", 5);
        assert_eq!(
            a.changed().await.unwrap().version,
            5,
            "an older version is ignored"
        );
        assert_eq!(b.latest().unwrap().version, 5);

        drop(a);
        assert_eq!(hub.listened(), 1);
        drop(b);
        assert_eq!(hub.listened(), 0);
    }

    #[test]
    fn streams_are_capped_per_token_and_per_process() {
        let hub = Hub::default();
        let mine: Vec<_> = (0..MAX_STREAMS_PER_TOKEN)
            .map(|_| hub.subscribe("r", "mine").unwrap())
            .collect();
        assert_eq!(
            hub.subscribe("r", "mine").unwrap_err(),
            StreamLimit::PerToken
        );
        let others: Vec<_> = (MAX_STREAMS_PER_TOKEN..MAX_STREAMS)
            .map(|i| hub.subscribe("r", &format!("t{i}")).unwrap())
            .collect();
        assert_eq!(hub.subscribe("r", "new").unwrap_err(), StreamLimit::Process);
        drop(others);
        drop(mine);
        assert!(
            hub.subscribe("r", "mine").is_ok(),
            "closed streams are counted out"
        );
        assert!(hub.lock().per_token.len() <= 1);
    }

    #[tokio::test]
    async fn closing_ends_every_stream_and_refuses_new_ones() {
        let hub = Hub::default();
        let mut a = hub.subscribe("r", "t").unwrap();
        hub.close();
        assert_eq!(a.changed().await, None);
        let mut late = hub.subscribe("r", "t").unwrap();
        assert_eq!(late.changed().await, None);
        assert_eq!(hub.listened(), 0);
    }
}
