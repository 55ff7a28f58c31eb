//! Who may come into a review: the facilitator's rules for newcomers (`joining`), the shared
//! invite's rotation, personal invites (`personal_invites`), and claims of a participant's row.
//!
//! A participant row is *joined* while someone holds a live token for it (from joining, a
//! claim or a personal invite); a removed and re-added person's row is open again. The partial
//! unique index `one_live_token_per_participant` keeps one
//! live token per row, so of two claims racing for one row exactly one wins.

use super::hub::Message;
use super::{
    Backend, DELETE_PERSONAL_INVITES, NewToken, Store, StoreError, TokenKind, insert_token_sql,
    order_key,
};
use chrono::{DateTime, Utc};
use mosaic_domain::wire::JoiningRules;
use mosaic_domain::{ParticipantId, ReviewId};

/// A stored token, revoked or not: what the server says about a link that no longer works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub review_id: String,
    pub kind: TokenKind,
    pub participant_id: Option<String>,
    pub revoked: bool,
    /// Revoked because its holder moved their place to another browser.
    pub moved: bool,
}

impl Store {
    /// The token with this hash, also when it was revoked.
    pub async fn token_record(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let row: Option<(String, String, Option<String>, bool, bool)> =
            on_backend!(self, |pool, _pg| {
                sqlx::query_as(
                    "SELECT review_id, kind, participant_id, revoked_at IS NOT NULL, \
                     moved_at IS NOT NULL FROM tokens WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(pool)
                .await
            })
            .map_err(StoreError::Database)?;
        Ok(
            row.and_then(|(review_id, kind, participant_id, revoked, moved)| {
                Some(TokenRecord {
                    review_id,
                    kind: TokenKind::from_key(&kind)?,
                    participant_id,
                    revoked,
                    moved,
                })
            }),
        )
    }

    /// The participants of a review someone holds a live token for, in no particular order.
    pub async fn joined_participants(
        &self,
        review_id: &ReviewId,
    ) -> Result<Vec<ParticipantId>, StoreError> {
        let ids: Vec<String> = on_backend!(self, |pool, _pg| {
            sqlx::query_scalar(
                "SELECT DISTINCT participant_id FROM tokens \
                 WHERE review_id = $1 AND kind = 'participant' AND revoked_at IS NULL",
            )
            .bind(review_id.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::Database)?;
        Ok(ids
            .iter()
            .filter_map(|id| ParticipantId::parse(id).ok())
            .collect())
    }

    /// The facilitator's rules for newcomers; open with no limit until they set any.
    pub async fn joining_rules(&self, review_id: &ReviewId) -> Result<JoiningRules, StoreError> {
        let row: Option<(bool, Option<i64>)> = on_backend!(self, |pool, _pg| {
            sqlx::query_as("SELECT is_open, max_participants FROM joining WHERE review_id = $1")
                .bind(review_id.as_str())
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::Database)?;
        Ok(
            row.map_or_else(JoiningRules::default, |(open, max)| JoiningRules {
                open,
                max_participants: max.and_then(|m| u32::try_from(m).ok()),
            }),
        )
    }

    /// Replaces the rules for newcomers.
    pub async fn set_joining_rules(
        &self,
        review_id: &ReviewId,
        rules: &JoiningRules,
    ) -> Result<(), StoreError> {
        let max = rules.max_participants.map(i64::from);
        on_backend!(self, |pool, _pg| {
            sqlx::query(
                "INSERT INTO joining (review_id, is_open, max_participants) VALUES ($1, $2, $3) \
                 ON CONFLICT (review_id) DO UPDATE \
                 SET is_open = excluded.is_open, max_participants = excluded.max_participants",
            )
            .bind(review_id.as_str())
            .bind(rules.open)
            .bind(max)
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(StoreError::Database)
    }

    /// Revokes the review's shared invite and stores `new` in its place, in one transaction:
    /// from then on the old link is answered "replaced".
    pub async fn rotate_invite(
        &self,
        review_id: &ReviewId,
        new: &NewToken,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = review_id.as_str();
        let now = order_key(now);
        on_backend!(self, |pool, pg| async {
            let mut tx = pool.begin().await?;
            let revoke = if pg {
                "UPDATE tokens SET revoked_at = $1::timestamptz \
                 WHERE review_id = $2 AND kind = 'invite' AND revoked_at IS NULL"
            } else {
                "UPDATE tokens SET revoked_at = $1 \
                 WHERE review_id = $2 AND kind = 'invite' AND revoked_at IS NULL"
            };
            sqlx::query(revoke)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_token!(tx, pg, id, new, &now)?;
            tx.commit().await
        }
        .await)
        .map_err(StoreError::Database)
    }

    /// Stores a personal invite for one participant, replacing any earlier one for them.
    pub async fn put_personal_invite(
        &self,
        review_id: &ReviewId,
        participant_id: &ParticipantId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = order_key(now);
        on_backend!(self, |pool, pg| async {
            let mut tx = pool.begin().await?;
            sqlx::query(DELETE_PERSONAL_INVITES)
                .bind(review_id.as_str())
                .bind(participant_id.as_str())
                .execute(&mut *tx)
                .await?;
            let insert = if pg {
                "INSERT INTO personal_invites (token_hash, review_id, participant_id, created_at) \
                 VALUES ($1, $2, $3, $4::timestamptz)"
            } else {
                "INSERT INTO personal_invites (token_hash, review_id, participant_id, created_at) \
                 VALUES ($1, $2, $3, $4)"
            };
            sqlx::query(insert)
                .bind(token_hash)
                .bind(review_id.as_str())
                .bind(participant_id.as_str())
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)
        .map_err(StoreError::Database)
    }

    /// The review and participant a personal invite with this hash is for, if it is live.
    pub async fn personal_invite(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        on_backend!(self, |pool, _pg| {
            sqlx::query_as(
                "SELECT review_id, participant_id FROM personal_invites WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })
        .map_err(StoreError::Database)
    }

    /// Gives `token` (a participant's) to a row nobody has joined as, and ends the row's
    /// personal invites, in one transaction. False, with nothing written, when someone has
    /// joined as this participant already. With `take_over` (a personal invite the facilitator
    /// made for this row), the row's live tokens are revoked first: its person moves here and
    /// their other browsers are signed out.
    pub async fn claim(
        &self,
        review_id: &ReviewId,
        token: &NewToken,
        take_over: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(participant_id) = token.participant_id.as_ref() else {
            return Ok(false);
        };
        let now = order_key(now);
        let revocation = Message::revocation(review_id.as_str());
        let claimed = on_backend!(self, |pool, pg| async {
            let mut tx = pool.begin().await?;
            if take_over {
                let moved = if pg {
                    "UPDATE tokens SET revoked_at = $1::timestamptz, moved_at = $1::timestamptz \
                     WHERE review_id = $2 AND participant_id = $3 AND revoked_at IS NULL"
                } else {
                    "UPDATE tokens SET revoked_at = $1, moved_at = $1 \
                     WHERE review_id = $2 AND participant_id = $3 AND revoked_at IS NULL"
                };
                sqlx::query(moved)
                    .bind(&now)
                    .bind(review_id.as_str())
                    .bind(participant_id.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            // Nobody holds the row (no live token: a removed and re-added person's old one is
            // revoked), and the unique index settles races.
            let insert = if pg {
                "INSERT INTO tokens (token_hash, review_id, participant_id, kind, created_at) \
                 SELECT $1, $2, $3, $4, $5::timestamptz WHERE NOT EXISTS (SELECT 1 FROM tokens \
                 WHERE review_id = $2 AND participant_id = $3 AND kind = 'participant' \
                 AND revoked_at IS NULL) \
                 ON CONFLICT DO NOTHING"
            } else {
                "INSERT INTO tokens (token_hash, review_id, participant_id, kind, created_at) \
                 SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM tokens \
                 WHERE review_id = $2 AND participant_id = $3 AND kind = 'participant' \
                 AND revoked_at IS NULL) \
                 ON CONFLICT DO NOTHING"
            };
            one_row_or_roll_back!(
                tx,
                sqlx::query(insert)
                    .bind(&token.hash)
                    .bind(review_id.as_str())
                    .bind(participant_id.as_str())
                    .bind(token.kind.key())
                    .bind(&now)
            );
            sqlx::query(DELETE_PERSONAL_INVITES)
                .bind(review_id.as_str())
                .bind(participant_id.as_str())
                .execute(&mut *tx)
                .await?;
            if take_over {
                notify!(self, tx, &revocation).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await)
        .map_err(StoreError::Database)?;
        if claimed && take_over {
            self.announce(&revocation);
        }
        Ok(claimed)
    }

    /// Revokes the live token with hash `old` and stores `new` (the same review and role) in
    /// its place, in one transaction: a person moving their place to another browser signs the
    /// old one out. False, with nothing written, when `old` is no live token of `review_id`.
    pub async fn replace_token(
        &self,
        review_id: &ReviewId,
        old: &str,
        new: &NewToken,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = order_key(now);
        let revocation = Message::revocation(review_id.as_str());
        let replaced = on_backend!(self, |pool, pg| async {
            let mut tx = pool.begin().await?;
            let revoke = if pg {
                "UPDATE tokens SET revoked_at = $1::timestamptz, moved_at = $1::timestamptz \
                 WHERE token_hash = $2 AND review_id = $3 AND revoked_at IS NULL"
            } else {
                "UPDATE tokens SET revoked_at = $1, moved_at = $1 \
                 WHERE token_hash = $2 AND review_id = $3 AND revoked_at IS NULL"
            };
            one_row_or_roll_back!(
                tx,
                sqlx::query(revoke)
                    .bind(&now)
                    .bind(old)
                    .bind(review_id.as_str())
            );
            insert_token!(tx, pg, review_id.as_str(), new, &now)?;
            notify!(self, tx, &revocation).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await)
        .map_err(StoreError::Database)?;
        if replaced {
            self.announce(&revocation);
        }
        Ok(replaced)
    }

    /// Stores a one-time facilitator link's token hash for `review_id`.
    pub async fn put_facilitator_invite(
        &self,
        review_id: &ReviewId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = order_key(now);
        on_backend!(self, |pool, pg| {
            let insert = if pg {
                "INSERT INTO facilitator_invites (token_hash, review_id, created_at) \
                 VALUES ($1, $2, $3::timestamptz)"
            } else {
                "INSERT INTO facilitator_invites (token_hash, review_id, created_at) \
                 VALUES ($1, $2, $3)"
            };
            sqlx::query(insert)
                .bind(token_hash)
                .bind(review_id.as_str())
                .bind(&now)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(StoreError::Database)
    }

    /// The facilitator link with this hash for `review_id`: `None` when there is none,
    /// `Some(true)` while it is unused and made after `since`, `Some(false)` once used or older.
    pub async fn facilitator_invite(
        &self,
        review_id: &ReviewId,
        token_hash: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<bool>, StoreError> {
        let since = order_key(since);
        on_backend!(self, |pool, pg| {
            let select = if pg {
                "SELECT used_at IS NULL AND created_at > $3::timestamptz FROM facilitator_invites \
                 WHERE token_hash = $1 AND review_id = $2"
            } else {
                "SELECT used_at IS NULL AND created_at > $3 FROM facilitator_invites \
                 WHERE token_hash = $1 AND review_id = $2"
            };
            sqlx::query_scalar(select)
                .bind(token_hash)
                .bind(review_id.as_str())
                .bind(&since)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::Database)
    }

    /// Marks the facilitator link with hash `invite` (made after `since`) used and stores `new`
    /// (a facilitator's token), in one transaction. False, with nothing written, when the link
    /// is unknown, used or too old.
    pub async fn claim_facilitator_invite(
        &self,
        review_id: &ReviewId,
        invite: &str,
        since: DateTime<Utc>,
        new: &NewToken,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (since, now) = (order_key(since), order_key(now));
        on_backend!(self, |pool, pg| async {
            let mut tx = pool.begin().await?;
            let use_up = if pg {
                "UPDATE facilitator_invites SET used_at = $4::timestamptz \
                 WHERE token_hash = $1 AND review_id = $2 AND used_at IS NULL \
                 AND created_at > $3::timestamptz"
            } else {
                "UPDATE facilitator_invites SET used_at = $4 \
                 WHERE token_hash = $1 AND review_id = $2 AND used_at IS NULL AND created_at > $3"
            };
            one_row_or_roll_back!(
                tx,
                sqlx::query(use_up)
                    .bind(invite)
                    .bind(review_id.as_str())
                    .bind(&since)
                    .bind(&now)
            );
            insert_token!(tx, pg, review_id.as_str(), new, &now)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await)
        .map_err(StoreError::Database)
    }
}
