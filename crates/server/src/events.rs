//! Live events: `GET /api/v1/reviews/{id}/events`, a server-sent event stream that tells the
//! members of a review each time its stored version changes, so their browsers fetch it again.
//!
//! The stream carries versions only, never content: `event: review` with `data:
//! {"version":N}` ([`ReviewEvent`]) once on connect, then once per new version, and a
//! keep-alive comment every 15 s. A version exists only for the shared review, so nothing is
//! ever sent for an account draft: another participant's writing is not observable here, not
//! by content, count, size or timing.
//!
//! Each stream listens to the store's [`Hub`](crate::store::hub::Hub), which the store publishes to after every commit
//! that changes a review's row and when a participant's tokens are revoked. A token's grant is
//! looked up again only after a revocation: an ordinary commit costs no database read per open
//! stream, and a stream whose token no longer holds (revoked, or its participant removed) ends.
//! Past the hub's caps on streams the answer is 429 with `Retry-After`.

use crate::auth::{self, Caller, Listener};
use crate::error::{AppError, InternalError};
use crate::store::Store;
use crate::store::hub::{Latest, StreamLimit, Subscription};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The SSE event name of a [`ReviewEvent`].
pub const REVIEW_EVENT: &str = "review";

/// How often an idle stream sends a comment, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What a refused stream is told to wait before trying again, in seconds.
const STREAM_RETRY_AFTER: u64 = 30;

/// The data of an `event: review`: the review's stored version, now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEvent {
    pub version: u64,
}

/// `GET /api/v1/reviews/{id}/events`: the review's versions as server-sent events, for its
/// facilitator and participants (token as `Authorization: Bearer` or `?token=`). The stream
/// ends when the caller's token stops granting the review, and at shutdown.
pub async fn events_get(
    State(store): State<Store>,
    Listener { caller, token_hash }: Listener,
) -> Result<Response, AppError> {
    let id = caller.review_id.clone();
    let mut subscription = store
        .events()
        .subscribe(id.as_str(), &token_hash)
        .map_err(|limit| {
            let what = match limit {
                StreamLimit::PerToken => "This token has too many event streams open: close one.",
                StreamLimit::Process => "The server has too many event streams open.",
            };
            AppError::TooManyRequests {
                retry_after: STREAM_RETRY_AFTER,
                message: what.to_owned(),
            }
        })?;
    let review = store
        .get_review(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Review `{id}`")))?;
    // A commit that landed before the read may not have published yet: start from the later.
    let first = subscription.latest().map(|latest| Latest {
        version: latest.version.max(review.version),
        ..latest
    });
    let listening = Listening {
        _counted: store.metrics().open_stream(),
        store,
        caller,
        token_hash,
        subscription,
        revocations: first.map_or(0, |latest| latest.revocations),
        pending: first,
        sent: None,
    };
    let stream = futures_util::stream::unfold(listening, |mut listening| async move {
        let event = listening.next_event().await?;
        Some((event, listening))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

/// One open stream, between two events.
struct Listening {
    /// Counts the stream in `mosaic_event_streams_open` until it ends.
    _counted: crate::metrics::OpenStream,
    store: Store,
    caller: Caller,
    token_hash: String,
    subscription: Subscription,
    /// A state not yet looked at: the first one, at connect.
    pending: Option<Latest>,
    /// The version last sent.
    sent: Option<u64>,
    /// The review's revocation count when the grant was last known to hold.
    revocations: u64,
}

impl Listening {
    /// The next event to send; `None` ends the stream.
    async fn next_event(&mut self) -> Option<Result<Event, axum::Error>> {
        loop {
            let latest = match self.pending.take() {
                Some(latest) => latest,
                None => self.subscription.changed().await?,
            };
            // Only a revocation can end a grant: anything else needs no database read.
            if latest.revocations != self.revocations {
                if !self.still_granted().await {
                    return None;
                }
                self.revocations = latest.revocations;
            }
            if self.sent.is_some_and(|sent| latest.version <= sent) {
                // A revocation, or a version already sent: nothing to say.
                continue;
            }
            self.sent = Some(latest.version);
            let data = ReviewEvent {
                version: latest.version,
            };
            return Some(Event::default().event(REVIEW_EVENT).json_data(data));
        }
    }

    /// Checked when one of the review's tokens was revoked: a revoked token or a removed
    /// participant hears nothing more, not even of their own removal.
    async fn still_granted(&self) -> bool {
        match auth::still_grants(&self.store, &self.token_hash, &self.caller).await {
            Ok(granted) => granted,
            Err(e) => {
                let error = InternalError::new(e);
                tracing::error!(review = %self.caller.review_id, %error, "event stream ended: its token could not be checked");
                false
            }
        }
    }
}
