//! Live events: `GET /api/v1/reviews/{id}/events`, a server-sent event stream that tells the
//! members of a review each time its stored version changes, so their browsers fetch it again,
//! and what the room looks like to them.
//!
//! Two event types, never any account content:
//! - `event: review` with `data: {"version":N}` ([`ReviewEvent`]) once on connect, then once
//!   per new version. A version exists only for the shared review, so an account draft never
//!   makes one.
//! - `event: room` with the room as this member is told it (`mosaic_domain::room::Room`:
//!   names, roles, here / away, still writing yes/no, submitted, raised hands, the timebox, and
//!   the server's `now`), once on connect and again whenever what this member is told changes.
//!   Whether someone is writing is a yes/no over the last minute: no content, size, count of
//!   entries or time of a save.
//!
//! Each stream listens to the store's [`Hub`](crate::store::hub::Hub), which the store publishes to after every commit
//! that changes a review's row, when a participant's tokens are revoked and when the room
//! changes. A token's grant is looked up again only after a revocation, and a stream whose
//! token no longer holds (revoked, or its participant removed) ends.
//!
//! Presence lives in the database (`store::room`): a row per open stream, written on connect,
//! refreshed every [`RoomTimes::heartbeat`] and deleted when the stream ends; a row not
//! refreshed within the presence timeout counts as gone, so a closed laptop, or a server
//! process that died, drops off within that bound. On each heartbeat the stream also reads the
//! room again, so "still writing" clears within a beat of its window ending.
//! Past the hub's caps on streams the answer is 429 with `Retry-After`.

use crate::api::now;
use crate::auth::{self, Caller, Listener};
use crate::error::{AppError, InternalError};
use crate::room::{self, RoomTimes};
use crate::store::Store;
use crate::store::hub::{Latest, StreamLimit, Subscription};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use mosaic_domain::Role;
use mosaic_domain::room::Room;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::{Instant, Interval, MissedTickBehavior};

/// The SSE event name of a [`ReviewEvent`].
pub const REVIEW_EVENT: &str = "review";
/// The SSE event name of a room (`mosaic_domain::room::Room`).
pub const ROOM_EVENT: &str = "room";

/// Random bytes in a stream's id (its presence row's key).
const STREAM_ID_BYTES: usize = 16;

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
    State(times): State<RoomTimes>,
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
    // Here from now: the row first, then the guard that deletes it when the stream ends.
    let participant = match &caller.role {
        Role::Facilitator => None,
        Role::Participant(id) => Some(id.as_str().to_owned()),
    };
    let stream_id = auth::random_hex(STREAM_ID_BYTES)?;
    let at = now();
    store
        .presence_open(
            id.as_str(),
            &stream_id,
            participant.as_deref(),
            at,
            times.present_since(at),
        )
        .await?;
    let presence = Presence {
        store: store.clone(),
        review_id: id.to_string(),
        stream_id,
        participant,
    };
    let mut heartbeat =
        tokio::time::interval_at(Instant::now() + times.heartbeat(), times.heartbeat());
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let listening = Listening {
        _counted: store.metrics().open_stream(),
        store,
        caller,
        token_hash,
        subscription,
        revocations: first.map_or(0, |latest| latest.revocations),
        pending: first,
        sent: None,
        times,
        heartbeat,
        presence,
        room_sent: None,
        queue: VecDeque::new(),
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
    times: RoomTimes,
    /// Refreshes this stream's presence and reads the room again.
    heartbeat: Interval,
    presence: Presence,
    /// The room last sent, so that only a change is sent.
    room_sent: Option<Room>,
    /// Events decided on but not yet sent (one wake may give a version and a room).
    queue: VecDeque<Result<Event, axum::Error>>,
}

/// What woke a stream.
enum Wake {
    Hub(Latest),
    Heartbeat,
}

/// This stream's presence row, deleted when the stream ends (the client went away, its grant
/// ended, or shutdown). Should the delete not happen (the process died), the row expires.
struct Presence {
    store: Store,
    review_id: String,
    stream_id: String,
    participant: Option<String>,
}

impl Drop for Presence {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = self.store.clone();
        let review_id = std::mem::take(&mut self.review_id);
        let stream_id = std::mem::take(&mut self.stream_id);
        runtime.spawn(async move {
            if let Err(e) = store.presence_close(&review_id, &stream_id).await {
                let error = InternalError::new(e);
                tracing::warn!(review = %review_id, %error, "a closed stream's presence stays until it expires");
            }
        });
    }
}

impl Listening {
    /// The next event to send; `None` ends the stream.
    async fn next_event(&mut self) -> Option<Result<Event, axum::Error>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            let wake = match self.pending.take() {
                Some(latest) => Wake::Hub(latest),
                None => tokio::select! {
                    latest = self.subscription.changed() => Wake::Hub(latest?),
                    _ = self.heartbeat.tick() => Wake::Heartbeat,
                },
            };
            match wake {
                Wake::Hub(latest) => {
                    // Only a revocation can end a grant: anything else needs no grant read.
                    if latest.revocations != self.revocations {
                        if !self.still_granted().await {
                            return None;
                        }
                        self.revocations = latest.revocations;
                    }
                    if self.sent.is_none_or(|sent| latest.version > sent) {
                        self.sent = Some(latest.version);
                        let data = ReviewEvent {
                            version: latest.version,
                        };
                        self.queue
                            .push_back(Event::default().event(REVIEW_EVENT).json_data(data));
                    }
                }
                Wake::Heartbeat => self.beat().await,
            }
            // Any change may change the room: a version (a join, a submission, a phase), the
            // room itself, or time passing (presence and "writing" expire).
            self.read_room().await;
        }
    }

    /// Still here: refreshes this stream's presence row.
    async fn beat(&self) {
        let p = &self.presence;
        let at = now();
        let beat = self.store.presence_beat(
            &p.review_id,
            &p.stream_id,
            p.participant.as_deref(),
            at,
            self.times.present_since(at),
        );
        if let Err(e) = beat.await {
            let error = InternalError::new(e);
            tracing::error!(review = %p.review_id, %error, "a stream's presence could not be refreshed");
        }
    }

    /// Reads the room and queues it if this member is told something new.
    async fn read_room(&mut self) {
        let room = match self.store.get_review(&self.caller.review_id).await {
            // The review is gone: nothing to tell.
            Ok(None) => return,
            // A participant removed a moment ago, whose stream has not yet heard of the
            // revocation, is told nothing more: not even the room without them.
            Ok(Some(review)) if matches!(&self.caller.role, Role::Participant(me) if review.participant(me).is_none()) =>
            {
                return;
            }
            Ok(Some(review)) => {
                room::snapshot(&self.store, self.times, &review, &self.caller.role, now()).await
            }
            Err(e) => Err(e),
        };
        match room {
            Ok(room) => {
                if self
                    .room_sent
                    .as_ref()
                    .is_some_and(|sent| sent.same_as(&room))
                {
                    return;
                }
                self.queue
                    .push_back(Event::default().event(ROOM_EVENT).json_data(&room));
                self.room_sent = Some(room);
            }
            Err(e) => {
                let error = InternalError::new(e);
                tracing::error!(review = %self.caller.review_id, %error, "a stream could not read its room");
            }
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
