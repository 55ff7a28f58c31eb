//! The live room's rows (`migrations/…/0008_room.sql`): presence per open event stream, raised
//! hands, and per review the timebox and the room setting. Everything of the room is here, in
//! the database, never only in one process: a stream held by any process reads the same room.
//! Each write publishes `room` to the hub after it lands, so the review's streams read the
//! room again (`crate::events`).

use super::{Backend, Store, StoreError, order_key};
use chrono::{DateTime, Utc};
use mosaic_domain::ParticipantId;
use mosaic_domain::room::{HandReason, Timebox};

/// What the database holds of one review's room at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomRows {
    pub facilitator_here: bool,
    pub here: Vec<ParticipantId>,
    /// Participants whose unsubmitted account was saved since the writing window began.
    pub writing: Vec<ParticipantId>,
    pub hands: Vec<(ParticipantId, HandReason)>,
    pub timebox: Option<Timebox>,
    pub participants_see_writing: bool,
}

/// `$n` as a time: PostgreSQL casts the order key it is sent as text.
fn time(pg: bool, n: u8) -> String {
    if pg {
        format!("${n}::timestamptz")
    } else {
        format!("${n}")
    }
}

fn ids(rows: Vec<String>) -> Vec<ParticipantId> {
    rows.iter()
        .filter_map(|id| ParticipantId::parse(id).ok())
        .collect()
}

impl Store {
    /// A stream of `participant` (`None`: a facilitator) opened at `now`; rows of the review
    /// not seen since `stale_before` (their process died) are cleared on the way.
    pub async fn presence_open(
        &self,
        review_id: &str,
        stream_id: &str,
        participant: Option<&str>,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (now, stale) = (order_key(now), order_key(stale_before));
        on_backend!(self, |pool, pg| async {
            let mut tx = super::begin(pool, &self.metrics).await?;
            sqlx::query(&format!(
                "DELETE FROM room_presence WHERE review_id = $1 AND last_seen < {}",
                time(pg, 2)
            ))
            .bind(review_id)
            .bind(&stale)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO room_presence (review_id, stream_id, participant_id, last_seen) \
                 VALUES ($1, $2, $3, {}) ON CONFLICT (review_id, stream_id) \
                 DO UPDATE SET last_seen = excluded.last_seen",
                time(pg, 4)
            ))
            .bind(review_id)
            .bind(stream_id)
            .bind(participant)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
        .await)
        .map_err(StoreError::Database)?;
        self.room_changed(review_id).await;
        Ok(())
    }

    /// The stream's heartbeat: still here at `now`. A row that had expired (or was cleared)
    /// comes back, and then the room changed.
    pub async fn presence_beat(
        &self,
        review_id: &str,
        stream_id: &str,
        participant: Option<&str>,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let fresh = on_backend!(self, |pool, pg| {
            sqlx::query(&format!(
                "UPDATE room_presence SET last_seen = {} \
                 WHERE review_id = $2 AND stream_id = $3 AND last_seen >= {}",
                time(pg, 1),
                time(pg, 4)
            ))
            .bind(order_key(now))
            .bind(review_id)
            .bind(stream_id)
            .bind(order_key(stale_before))
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1)
        })
        .map_err(StoreError::Database)?;
        if fresh {
            Ok(())
        } else {
            self.presence_open(review_id, stream_id, participant, now, stale_before)
                .await
        }
    }

    /// The stream closed.
    pub async fn presence_close(&self, review_id: &str, stream_id: &str) -> Result<(), StoreError> {
        on_backend!(self, |pool, _pg| {
            sqlx::query("DELETE FROM room_presence WHERE review_id = $1 AND stream_id = $2")
                .bind(review_id)
                .bind(stream_id)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(StoreError::Database)?;
        self.room_changed(review_id).await;
        Ok(())
    }

    /// The room's rows: presence seen since `present_since`, accounts saved since
    /// `writing_since` and not submitted.
    pub async fn room_rows(
        &self,
        review_id: &str,
        present_since: DateTime<Utc>,
        writing_since: DateTime<Utc>,
    ) -> Result<RoomRows, StoreError> {
        let (present, writing) = (order_key(present_since), order_key(writing_since));
        on_backend!(self, |pool, pg| async {
            let here: Vec<Option<String>> = sqlx::query_scalar(&format!(
                "SELECT DISTINCT participant_id FROM room_presence \
                 WHERE review_id = $1 AND last_seen >= {}",
                time(pg, 2)
            ))
            .bind(review_id)
            .bind(&present)
            .fetch_all(pool)
            .await?;
            let writers: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT participant_id FROM accounts WHERE review_id = $1 \
                 AND submitted_at IS NULL AND updated_at >= {}",
                time(pg, 2)
            ))
            .bind(review_id)
            .bind(&writing)
            .fetch_all(pool)
            .await?;
            let hands: Vec<(String, String)> = sqlx::query_as(
                "SELECT participant_id, reason FROM room_hands WHERE review_id = $1 \
                 ORDER BY raised_at, participant_id",
            )
            .bind(review_id)
            .fetch_all(pool)
            .await?;
            let room: Option<(bool, Option<String>)> = sqlx::query_as(if pg {
                "SELECT participants_see_writing, timebox::text FROM rooms WHERE review_id = $1"
            } else {
                "SELECT participants_see_writing, timebox FROM rooms WHERE review_id = $1"
            })
            .bind(review_id)
            .fetch_optional(pool)
            .await?;
            Ok::<_, sqlx::Error>((here, writers, hands, room))
        }
        .await)
        .map_err(StoreError::Database)
        .and_then(|(here, writers, hands, room)| {
            let (participants_see_writing, timebox) = room.unwrap_or((true, None));
            let timebox = timebox
                .map(|doc| serde_json::from_str(&doc))
                .transpose()
                .map_err(|source| StoreError::Decode {
                    id: review_id.to_owned(),
                    source,
                })?;
            Ok(RoomRows {
                facilitator_here: here.iter().any(Option::is_none),
                here: ids(here.into_iter().flatten().collect()),
                writing: ids(writers),
                hands: hands
                    .iter()
                    .filter_map(|(id, reason)| {
                        Some((
                            ParticipantId::parse(id).ok()?,
                            HandReason::from_key(reason)?,
                        ))
                    })
                    .collect(),
                timebox,
                participants_see_writing,
            })
        })
    }

    /// Raises (or changes the reason of) `participant`'s hand.
    pub async fn raise_hand(
        &self,
        review_id: &str,
        participant: &ParticipantId,
        reason: HandReason,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_backend!(self, |pool, pg| {
            sqlx::query(&format!(
                "INSERT INTO room_hands (review_id, participant_id, reason, raised_at) \
                 VALUES ($1, $2, $3, {}) ON CONFLICT (review_id, participant_id) \
                 DO UPDATE SET reason = excluded.reason",
                time(pg, 4)
            ))
            .bind(review_id)
            .bind(participant.as_str())
            .bind(reason.key())
            .bind(order_key(now))
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(StoreError::Database)?;
        self.room_changed(review_id).await;
        Ok(())
    }

    /// Lowers `participant`'s hand, if raised.
    pub async fn lower_hand(
        &self,
        review_id: &str,
        participant: &ParticipantId,
    ) -> Result<(), StoreError> {
        let lowered = on_backend!(self, |pool, _pg| {
            sqlx::query("DELETE FROM room_hands WHERE review_id = $1 AND participant_id = $2")
                .bind(review_id)
                .bind(participant.as_str())
                .execute(pool)
                .await
                .map(|done| done.rows_affected() > 0)
        })
        .map_err(StoreError::Database)?;
        if lowered {
            self.room_changed(review_id).await;
        }
        Ok(())
    }

    /// Sets the review's timebox (`None`: none).
    pub async fn set_timebox(
        &self,
        review_id: &str,
        timebox: Option<&Timebox>,
    ) -> Result<(), StoreError> {
        let doc = timebox
            .map(serde_json::to_string)
            .transpose()
            .map_err(StoreError::Encode)?;
        on_backend!(self, |pool, pg| {
            sqlx::query(if pg {
                "INSERT INTO rooms (review_id, timebox) VALUES ($1, $2::jsonb) \
                 ON CONFLICT (review_id) DO UPDATE SET timebox = excluded.timebox"
            } else {
                "INSERT INTO rooms (review_id, timebox) VALUES ($1, $2) \
                 ON CONFLICT (review_id) DO UPDATE SET timebox = excluded.timebox"
            })
            .bind(review_id)
            .bind(&doc)
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(StoreError::Database)?;
        self.room_changed(review_id).await;
        Ok(())
    }

    /// Replaces the review's timebox `old`, as read, with `new`; false (nothing changed) when
    /// someone changed it since: two facilitators extending at once both count.
    pub async fn replace_timebox(
        &self,
        review_id: &str,
        old: &Timebox,
        new: &Timebox,
    ) -> Result<bool, StoreError> {
        let [old, new] = [old, new].map(serde_json::to_string);
        let (old, new) = (
            old.map_err(StoreError::Encode)?,
            new.map_err(StoreError::Encode)?,
        );
        let replaced = on_backend!(self, |pool, pg| {
            sqlx::query(if pg {
                "UPDATE rooms SET timebox = $2::jsonb WHERE review_id = $1 AND timebox = $3::jsonb"
            } else {
                "UPDATE rooms SET timebox = $2 WHERE review_id = $1 AND timebox = $3"
            })
            .bind(review_id)
            .bind(&new)
            .bind(&old)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1)
        })
        .map_err(StoreError::Database)?;
        if replaced {
            self.room_changed(review_id).await;
        }
        Ok(replaced)
    }

    /// Sets whether participants see who is writing (else only how many).
    pub async fn set_room_settings(
        &self,
        review_id: &str,
        participants_see_writing: bool,
    ) -> Result<(), StoreError> {
        on_backend!(self, |pool, _pg| {
            sqlx::query(
                "INSERT INTO rooms (review_id, participants_see_writing) VALUES ($1, $2) \
                 ON CONFLICT (review_id) \
                 DO UPDATE SET participants_see_writing = excluded.participants_see_writing",
            )
            .bind(review_id)
            .bind(participants_see_writing)
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(StoreError::Database)?;
        self.room_changed(review_id).await;
        Ok(())
    }
}
