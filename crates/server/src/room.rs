//! The live room of a group session: the signals' routes (hands, the timebox, the room
//! setting) and [`snapshot`], the room as one member is told it, which these routes answer
//! and the event stream sends (`event: room`).
//!
//! Authorization: every member reads the room; a participant raises only their own hand and
//! lowers only their own; the facilitator lowers anyone's, runs the timebox and chooses
//! whether participants see who is writing. What anyone is told is decided by
//! `mosaic_domain::room::Room::view`: flags and names, never an account's content or size.

use crate::api::{current_review, now};
use crate::auth::{Caller, Member, PathIds};
use crate::error::AppError;
use crate::extract::Json;
use crate::store::{Store, StoreError};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use mosaic_domain::room::{Room, RoomFacts, Timebox, TimeboxError, WRITING_WINDOW_SECS};
use mosaic_domain::wire::{RaiseHand, RoomSettings, TimeboxMinutes};
use mosaic_domain::{ParticipantId, Review, Role};
use std::time::Duration;

/// How long presence and "still writing" last: a stream not heard from within
/// `presence_timeout` counts as gone (a closed laptop drops off), an account saved within
/// `writing_window` counts as still being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomTimes {
    pub presence_timeout: Duration,
    pub writing_window: Duration,
}

/// The default presence timeout, in seconds (`--presence-timeout`).
pub const PRESENCE_TIMEOUT_SECS: u64 = 45;

impl Default for RoomTimes {
    fn default() -> Self {
        Self {
            presence_timeout: Duration::from_secs(PRESENCE_TIMEOUT_SECS),
            writing_window: Duration::from_secs(WRITING_WINDOW_SECS.unsigned_abs()),
        }
    }
}

impl RoomTimes {
    /// How often a stream refreshes its presence and reads the room again: three beats fit in
    /// the timeout, so one late beat never drops anybody, and an expired flag clears within
    /// one beat of expiring.
    pub fn heartbeat(&self) -> Duration {
        self.presence_timeout / 3
    }

    /// Presence seen before this is gone.
    pub fn present_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - delta(self.presence_timeout)
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// The room of `review` as `viewer` is told it at `now`.
pub async fn snapshot(
    store: &Store,
    times: RoomTimes,
    review: &Review,
    viewer: &Role,
    now: DateTime<Utc>,
) -> Result<Room, StoreError> {
    let rows = store
        .room_rows(
            review.id.as_str(),
            times.present_since(now),
            now - delta(times.writing_window),
        )
        .await?;
    let facts = RoomFacts {
        review,
        facilitator_here: rows.facilitator_here,
        here: &rows.here,
        writing: &rows.writing,
        hands: &rows.hands,
        timebox: rows.timebox.as_ref(),
        participants_see_writing: rows.participants_see_writing,
    };
    Ok(Room::view(&facts, viewer, now))
}

/// The answer of every room route: the room as the caller now sees it.
async fn answer(store: &Store, times: RoomTimes, caller: &Caller) -> Result<Json<Room>, AppError> {
    let review = current_review(store, &caller.review_id).await?;
    Ok(Json(
        snapshot(store, times, &review, &caller.role, now()).await?,
    ))
}

fn facilitator_only(caller: &Caller) -> Result<(), AppError> {
    if caller.role == Role::Facilitator {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The participant a hand route names, who must be in the review.
fn hand_of(ids: PathIds, review: &Review) -> Result<ParticipantId, AppError> {
    ids.participant
        .filter(|id| review.participant(id).is_some())
        .ok_or_else(|| AppError::NotFound("This participant".to_owned()))
}

/// `GET /api/v1/reviews/{id}/room`: the room, as the caller sees it.
pub async fn room_get(
    State(store): State<Store>,
    State(times): State<RoomTimes>,
    Member(caller): Member,
) -> Result<Json<Room>, AppError> {
    answer(&store, times, &caller).await
}

/// `PUT /api/v1/reviews/{id}/room`: the facilitator chooses whether participants see who is
/// still writing, or only how many.
pub async fn room_put(
    State(store): State<Store>,
    State(times): State<RoomTimes>,
    Member(caller): Member,
    Json(input): Json<RoomSettings>,
) -> Result<Json<Room>, AppError> {
    facilitator_only(&caller)?;
    store
        .set_room_settings(caller.review_id.as_str(), input.participants_see_writing)
        .await?;
    answer(&store, times, &caller).await
}

/// `PUT /api/v1/reviews/{id}/timebox`: the facilitator starts a timebox of `minutes` for the
/// current phase, replacing any.
pub async fn timebox_put(
    State(store): State<Store>,
    State(times): State<RoomTimes>,
    Member(caller): Member,
    Json(input): Json<TimeboxMinutes>,
) -> Result<Json<Room>, AppError> {
    facilitator_only(&caller)?;
    let review = current_review(&store, &caller.review_id).await?;
    let timebox = Timebox::start(review.phase(), now(), input.minutes)
        .map_err(|e| AppError::Validation(vec![e]))?;
    store
        .set_timebox(caller.review_id.as_str(), Some(&timebox))
        .await?;
    answer(&store, times, &caller).await
}

/// `POST /api/v1/reviews/{id}/timebox/extend`: the facilitator adds `minutes` to the current
/// phase's timebox; 409 when there is none running (or stopped).
pub async fn timebox_extend(
    State(store): State<Store>,
    State(times): State<RoomTimes>,
    Member(caller): Member,
    Json(input): Json<TimeboxMinutes>,
) -> Result<Json<Room>, AppError> {
    facilitator_only(&caller)?;
    // Read, extend, and write only if nobody changed it meanwhile; else read again.
    let refused = |e| match e {
        TimeboxError::Invalid(e) => AppError::Validation(vec![e]),
        other => AppError::Refused(StatusCode::CONFLICT, other.to_string()),
    };
    for _ in 0..EXTEND_TRIES {
        let review = current_review(&store, &caller.review_id).await?;
        let current = snapshot(&store, times, &review, &caller.role, now()).await?;
        let timebox = current
            .timebox
            .ok_or_else(|| refused(TimeboxError::NothingToExtend))?;
        let extended = timebox.extend(now(), input.minutes).map_err(refused)?;
        if store
            .replace_timebox(caller.review_id.as_str(), &timebox, &extended)
            .await?
        {
            return answer(&store, times, &caller).await;
        }
    }
    Err(AppError::Refused(
        StatusCode::CONFLICT,
        "The timebox kept changing while it was being extended. Try again.".to_owned(),
    ))
}

/// How often an extension is tried against a timebox that others keep changing.
const EXTEND_TRIES: usize = 5;

/// `DELETE /api/v1/reviews/{id}/timebox`: the facilitator stops the current phase's timebox
/// (everyone sees it stopped). Stopping none changes nothing.
pub async fn timebox_delete(
    State(store): State<Store>,
    State(times): State<RoomTimes>,
    Member(caller): Member,
) -> Result<Json<Room>, AppError> {
    facilitator_only(&caller)?;
    let review = current_review(&store, &caller.review_id).await?;
    let current = snapshot(&store, times, &review, &caller.role, now()).await?;
    if let Some(timebox) = current.timebox.filter(|t| t.stopped_at.is_none()) {
        store
            .set_timebox(caller.review_id.as_str(), Some(&timebox.stop(now())))
            .await?;
    }
    answer(&store, times, &caller).await
}

/// `PUT /api/v1/reviews/{id}/hands/{pid}`: a participant raises their own hand, saying why.
pub async fn hand_put(
    State(store): State<Store>,
    State(times): State<RoomTimes>,
    Member(caller): Member,
    ids: PathIds,
    Json(input): Json<RaiseHand>,
) -> Result<Json<Room>, AppError> {
    let review = current_review(&store, &caller.review_id).await?;
    let participant = hand_of(ids, &review)?;
    if !caller.is_author_of(&participant) {
        return Err(AppError::Forbidden);
    }
    store
        .raise_hand(caller.review_id.as_str(), &participant, input.reason, now())
        .await?;
    answer(&store, times, &caller).await
}

/// `DELETE /api/v1/reviews/{id}/hands/{pid}`: the participant lowers their own hand, or the
/// facilitator lowers anyone's. Lowering a hand that is down changes nothing.
pub async fn hand_delete(
    State(store): State<Store>,
    State(times): State<RoomTimes>,
    Member(caller): Member,
    ids: PathIds,
) -> Result<Json<Room>, AppError> {
    let review = current_review(&store, &caller.review_id).await?;
    let participant = hand_of(ids, &review)?;
    if caller.role != Role::Facilitator && !caller.is_author_of(&participant) {
        return Err(AppError::Forbidden);
    }
    store
        .lower_hand(caller.review_id.as_str(), &participant)
        .await?;
    answer(&store, times, &caller).await
}
