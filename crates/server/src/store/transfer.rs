//! Copying a whole SQLite database into another, empty store (`mosaic-server migrate-data`):
//! the way from the embedded SQLite file to PostgreSQL.
//!
//! Reviews, tokens (their hashes: nobody's access changes), applied op ids with their digests,
//! accounts, the rules for newcomers and the unused personal and facilitator links are copied
//! as they are stored, versions included, so every client's `If-Match` and
//! `base_version` stay valid. The feed is not copied but written again from each review, by the
//! same code a commit uses, so the target's search index is its own dialect's; reviews are
//! written in the order of their feed position, so findings published in the same microsecond
//! keep their order. Everything lands in one transaction: a failed copy leaves the target empty.

use super::backlog::BacklogSync as _;
use super::feed::{FeedRow, FeedSync as _};
use super::{Backend, Store, StoreError, begin, decode, insert_review_sql};
use std::fmt;

/// How many rows of each kind were copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub reviews: u64,
    pub findings: u64,
    pub accounts: u64,
    pub tokens: u64,
    pub ops: u64,
}

impl fmt::Display for Copied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} reviews, {} published findings, {} accounts, {} tokens, {} applied ops",
            self.reviews, self.findings, self.accounts, self.tokens, self.ops
        )
    }
}

type ReviewRow = (String, i64, String, String, String);
type TokenRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);
type OpRow = (String, String, String, Option<String>);
type JoiningRow = (String, bool, Option<i64>);
type PersonalInviteRow = (String, String, String, String);
type FacilitatorInviteRow = (String, String, String, Option<String>);
type AccountRow = (String, String, i64, String, String, Option<String>);

impl Store {
    /// Copies everything in this store (a SQLite one) into `target`, which must hold no
    /// review yet. This store is only read.
    pub async fn copy_into(&self, target: &Store) -> Result<Copied, StoreError> {
        let Backend::Sqlite(source) = &self.backend else {
            return Err(StoreError::Transfer(
                "the data can be copied from a SQLite database only".to_owned(),
            ));
        };
        // One read transaction: a consistent snapshot even if a server is writing.
        let mut read = source.begin().await.map_err(StoreError::Database)?;
        let reviews: Vec<ReviewRow> = sqlx::query_as(
            "SELECT id, version, created_at, updated_at, doc FROM reviews \
             ORDER BY (SELECT pos FROM findings f WHERE f.review_id = reviews.id) NULLS FIRST, id",
        )
        .fetch_all(&mut *read)
        .await
        .map_err(StoreError::Database)?;
        let tokens: Vec<TokenRow> = sqlx::query_as(
            "SELECT token_hash, review_id, participant_id, kind, created_at, revoked_at, \
             moved_at FROM tokens ORDER BY token_hash",
        )
        .fetch_all(&mut *read)
        .await
        .map_err(StoreError::Database)?;
        let ops: Vec<OpRow> = sqlx::query_as(
            "SELECT review_id, op_id, applied_at, op_digest FROM ops ORDER BY review_id, op_id",
        )
        .fetch_all(&mut *read)
        .await
        .map_err(StoreError::Database)?;
        let joining: Vec<JoiningRow> = sqlx::query_as(
            "SELECT review_id, is_open, max_participants FROM joining ORDER BY review_id",
        )
        .fetch_all(&mut *read)
        .await
        .map_err(StoreError::Database)?;
        let personal_invites: Vec<PersonalInviteRow> = sqlx::query_as(
            "SELECT token_hash, review_id, participant_id, created_at FROM personal_invites \
             ORDER BY token_hash",
        )
        .fetch_all(&mut *read)
        .await
        .map_err(StoreError::Database)?;
        let facilitator_invites: Vec<FacilitatorInviteRow> = sqlx::query_as(
            "SELECT token_hash, review_id, created_at, used_at FROM facilitator_invites \
             ORDER BY token_hash",
        )
        .fetch_all(&mut *read)
        .await
        .map_err(StoreError::Database)?;
        let accounts: Vec<AccountRow> = sqlx::query_as(
            "SELECT review_id, participant_id, version, doc, updated_at, submitted_at \
             FROM accounts ORDER BY review_id, participant_id",
        )
        .fetch_all(&mut *read)
        .await
        .map_err(StoreError::Database)?;
        read.rollback().await.map_err(StoreError::Database)?;

        let mut feed = Vec::with_capacity(reviews.len());
        for (id, _, _, _, doc) in &reviews {
            let review = decode(id, doc)?;
            feed.push((FeedRow::of(&review)?, super::backlog::rows_of(&review)?));
        }
        let copied = Copied {
            reviews: reviews.len() as u64,
            findings: feed.iter().filter(|(row, _)| row.is_some()).count() as u64,
            accounts: accounts.len() as u64,
            tokens: tokens.len() as u64,
            ops: ops.len() as u64,
        };

        on_backend!(target, |pool, pg| async {
            let mut tx = begin(pool, &target.metrics).await?;
            let present: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
                .fetch_one(&mut *tx)
                .await?;
            if present > 0 {
                // Ended here rather than on drop, so no lock outlives the refusal.
                tx.rollback().await?;
                return Ok(Some(present));
            }
            // PostgreSQL receives the times and documents as text and casts them.
            let (time, json) = if pg {
                ("::timestamptz", "::jsonb")
            } else {
                ("", "")
            };
            for ((id, version, created_at, updated_at, doc), (row, actions)) in
                reviews.iter().zip(&feed)
            {
                // The target holds no review (checked above, in this transaction).
                sqlx::query(insert_review_sql(pg))
                    .bind(id)
                    .bind(version)
                    .bind(created_at)
                    .bind(updated_at)
                    .bind(doc)
                    .execute(&mut *tx)
                    .await?;
                tx.sync_feed(id, row.as_ref()).await?;
                tx.sync_actions(id, actions).await?;
            }
            let insert_token = format!(
                "INSERT INTO tokens (token_hash, review_id, participant_id, kind, created_at, \
                 revoked_at, moved_at) VALUES ($1, $2, $3, $4, $5{time}, $6{time}, $7{time})"
            );
            for (hash, review_id, participant_id, kind, created_at, revoked_at, moved_at) in &tokens
            {
                sqlx::query(&insert_token)
                    .bind(hash)
                    .bind(review_id)
                    .bind(participant_id)
                    .bind(kind)
                    .bind(created_at)
                    .bind(revoked_at)
                    .bind(moved_at)
                    .execute(&mut *tx)
                    .await?;
            }
            let insert_op = format!(
                "INSERT INTO ops (review_id, op_id, applied_at, op_digest) \
                 VALUES ($1, $2, $3{time}, $4)"
            );
            for (review_id, op_id, applied_at, digest) in &ops {
                sqlx::query(&insert_op)
                    .bind(review_id)
                    .bind(op_id)
                    .bind(applied_at)
                    .bind(digest)
                    .execute(&mut *tx)
                    .await?;
            }
            for (review_id, open, max) in &joining {
                sqlx::query(
                    "INSERT INTO joining (review_id, is_open, max_participants) \
                     VALUES ($1, $2, $3)",
                )
                .bind(review_id)
                .bind(open)
                .bind(max)
                .execute(&mut *tx)
                .await?;
            }
            let insert_personal = format!(
                "INSERT INTO personal_invites (token_hash, review_id, participant_id, \
                 created_at) VALUES ($1, $2, $3, $4{time})"
            );
            for (hash, review_id, participant_id, created_at) in &personal_invites {
                sqlx::query(&insert_personal)
                    .bind(hash)
                    .bind(review_id)
                    .bind(participant_id)
                    .bind(created_at)
                    .execute(&mut *tx)
                    .await?;
            }
            let insert_facilitator = format!(
                "INSERT INTO facilitator_invites (token_hash, review_id, created_at, used_at) \
                 VALUES ($1, $2, $3{time}, $4{time})"
            );
            for (hash, review_id, created_at, used_at) in &facilitator_invites {
                sqlx::query(&insert_facilitator)
                    .bind(hash)
                    .bind(review_id)
                    .bind(created_at)
                    .bind(used_at)
                    .execute(&mut *tx)
                    .await?;
            }
            let insert_account = format!(
                "INSERT INTO accounts (review_id, participant_id, version, doc, updated_at, \
                 submitted_at) VALUES ($1, $2, $3, $4{json}, $5{time}, $6{time})"
            );
            for (review_id, participant_id, version, doc, updated_at, submitted_at) in &accounts {
                sqlx::query(&insert_account)
                    .bind(review_id)
                    .bind(participant_id)
                    .bind(version)
                    .bind(doc)
                    .bind(updated_at)
                    .bind(submitted_at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(None)
        }
        .await)
        .map_err(StoreError::Database)?
        .map_or(Ok(copied), |present| {
            Err(StoreError::Transfer(format!(
                "the target already holds {present} review(s): copy into an empty database"
            )))
        })
    }
}
