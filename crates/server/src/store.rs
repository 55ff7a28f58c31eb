//! Where reviews are kept: one SQLite file or one PostgreSQL database, behind one [`Store`].
//!
//! Both backends hold the same table (see `migrations/`) and answer every call the same way; the
//! test suite runs against each to keep it so. Queries are plain runtime strings: nothing here
//! needs a database at build time.

use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use mosaic_domain::{Account, ParticipantId, Review, ReviewId};
use sqlx::Connection;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub(crate) static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite connection waits for another connection's write lock before giving up.
/// Writers take turns in SQLite; a few seconds absorbs a burst without failing requests.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The reviews, in whichever database the server was started with. Cloning is cheap: clones
/// share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// Told of every committed change to a review's row (by each method that writes one, after
    /// its commit), of every revocation and of every change to a review's room, for the event
    /// streams. An account draft saved is a room change: the streams then tell only whether its
    /// author is still writing, never what, how much or when.
    events: Hub,
    /// On PostgreSQL, where the same messages go to the other server processes on the
    /// database and come from them (`store/bus.rs`); `None` on SQLite.
    bus: Option<Bus>,
    /// This server's metrics: the store counts its commits, times its waits for a connection
    /// and its feed reads, and reports its pool.
    metrics: Metrics,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever pool the store has and `$pg` saying which, so
/// one piece of code serves both backends; only the SQL text differs (PostgreSQL needs casts
/// from the text that travels to its `jsonb` and `timestamptz` columns). Both dialects take
/// `$1`-style parameters.
macro_rules! on_backend {
    ($store:expr, |$pool:ident, $pg:ident| $body:expr) => {
        match &$store.backend {
            Backend::Sqlite($pool) => {
                let $pg = false;
                $body
            }
            Backend::Postgres($pool) => {
                let $pg = true;
                $body
            }
        }
    };
}

/// Stores `$token` (a `NewToken`) for review `$review` (a `&str`) inside transaction `$tx`:
/// the one token insert every way of handing out a token shares.
macro_rules! insert_token {
    ($tx:ident, $pg:ident, $review:expr, $token:expr, $now:expr) => {
        sqlx::query(insert_token_sql($pg))
            .bind(&$token.hash)
            .bind($review)
            .bind($token.participant_id.as_ref().map(ParticipantId::as_str))
            .bind($token.kind.key())
            .bind($now)
            .execute(&mut *$tx)
            .await
    };
}

/// Sends `$message` (a `hub::Message`) to the other server processes inside transaction
/// `$tx`: PostgreSQL delivers it when (and only if) the transaction commits. Nothing on SQLite,
/// which has no bus. After the commit, the same message goes to this process's hub
/// (`Store::announce`).
macro_rules! notify {
    ($store:expr, $tx:ident, $message:expr) => {
        async {
            if let Some(bus) = &$store.bus {
                sqlx::query(crate::store::bus::NOTIFY)
                    .bind(bus.channel())
                    .bind(bus.payload($message))
                    .execute(&mut *$tx)
                    .await?;
            }
            Ok::<_, sqlx::Error>(())
        }
    };
}

/// Executes `$query` inside transaction `$tx` and, unless it changed exactly one row, rolls
/// `$tx` back and returns `Ok(false)` from the enclosing block: the guard of each conditional
/// write that answers whether it happened (a row claimed, a token replaced, a link used up).
macro_rules! one_row_or_roll_back {
    ($tx:ident, $query:expr) => {
        if $query.execute(&mut *$tx).await?.rows_affected() != 1 {
            $tx.rollback().await?;
            return Ok(false);
        }
    };
}

// After `on_backend!`, `insert_token!`, `notify!` and `one_row_or_roll_back!`, which they use.
mod backlog;
mod bus;
mod facets;
mod feed;
pub mod hub;
mod people;
pub mod room;
pub mod schema;
mod transfer;
mod webhooks;
use backlog::BacklogSync as _;
use bus::Bus;
pub use feed::{COUNT_CAP, FeedFilter, FeedItem, FeedItems, FindingView};
use feed::{FeedRow, FeedSync as _};
pub(crate) use feed::{factor_texts, kinds};
use hub::{Hub, Message};
pub use people::TokenRecord;
pub use transfer::Copied;
use webhooks::WebhookSync as _;
pub use webhooks::{
    ACTION_OVERDUE, Attempt, DeliveryRecord, EventData, FINDING_PUBLISHED, FINDING_UPDATED,
    PendingDelivery, Webhook,
};

/// An op's id and the digest of its body, recorded when it is applied.
#[derive(Clone, Copy, Debug)]
pub struct AppliedOp<'a> {
    pub id: &'a str,
    pub digest: &'a str,
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Facilitator,
    Participant,
    Invite,
}

impl TokenKind {
    fn key(self) -> &'static str {
        match self {
            Self::Facilitator => "facilitator",
            Self::Participant => "participant",
            Self::Invite => "invite",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        [Self::Facilitator, Self::Participant, Self::Invite]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

/// A token to store: only its hash is kept.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub hash: String,
    pub kind: TokenKind,
    pub participant_id: Option<ParticipantId>,
}

/// What a stored, unrevoked token grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub review_id: String,
    pub kind: TokenKind,
    pub participant_id: Option<String>,
}

/// What a conditional write of the review did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Committed {
    Done,
    /// The stored review is no longer at the base version; nothing was written.
    Stale,
    /// This op id was already applied to the review; nothing was written.
    Replayed,
}

/// What [`Store::create_review`] did. A taken id is an expected outcome, not a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    Created,
    /// A review with this id already exists; it was left unchanged.
    IdTaken,
}

impl Store {
    /// Opens the database named by `--database`: a `postgres://` or `postgresql://` URL selects
    /// PostgreSQL; anything else is a SQLite file path, with an optional `sqlite://` or `sqlite:`
    /// prefix. Pending migrations are applied before this returns.
    pub async fn open(database: &str) -> Result<Self, StoreError> {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(database).map_err(StoreError::Database)?;
            Self::open_postgres(options).await
        } else {
            let path = database
                .strip_prefix("sqlite://")
                .or_else(|| database.strip_prefix("sqlite:"))
                .unwrap_or(database);
            Self::open_sqlite(Path::new(path)).await
        }
    }

    /// Opens (creating if missing) the SQLite file at `path` and migrates it.
    ///
    /// WAL lets reads proceed during a write; `synchronous=FULL` makes every acknowledged write
    /// survive a power cut, at about 545 commits/s on this class of machine (PERFORMANCE.md),
    /// far above what people writing reviews produce.
    pub async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        // Each SQLite connection does its work on its own thread, so the pool size bounds the
        // database threads; more than the cores would only queue on the CPUs (PERFORMANCE.md).
        let pool = SqlitePoolOptions::new()
            .max_connections(cores())
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect {
                target: format!("the SQLite file {}", path.display()),
                source,
            })?;
        schema::refuse_newer(&pool, &SQLITE_MIGRATIONS).await?;
        SQLITE_MIGRATIONS
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(Self {
            backend: Backend::Sqlite(pool),
            events: Hub::default(),
            bus: None,
            metrics: Metrics::new(),
        })
    }

    /// Connects to PostgreSQL with `options` and migrates the database (the first schema on the
    /// search path, which is how the tests give each test its own tables).
    pub async fn open_postgres(options: PgConnectOptions) -> Result<Self, StoreError> {
        // PostgreSQL's notices (such as "text-search query doesn't contain lexemes" for a
        // search word it cannot index) would each become an INFO line in sqlx's log: a line
        // per request anyone can cause. Warnings and errors still arrive.
        // And no just-in-time compilation: it pays off for long analytical queries; here it
        // would add tens of milliseconds of compiling to a search the planner costs high (a
        // scan of 1,000,000 findings that stops after a page of matches).
        let options = options.options([("client_min_messages", "warning"), ("jit", "off")]);
        // Named without user or password, which must not reach a log.
        let target = format!(
            "PostgreSQL at {}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default()
        );
        // One direct connection first: when the pool cannot connect it retries until its
        // timeout and then reports only the timeout, hiding the cause (refused, bad password,
        // no such database) that this reports at once.
        PgConnection::connect_with(&options)
            .await
            .map_err(|source| StoreError::Connect {
                target: target.clone(),
                source,
            })?
            .close()
            .await
            .map_err(StoreError::Database)?;
        // PostgreSQL works in its own processes, so a connection mostly waits on the network:
        // a few per core keeps the cores busy without piling work onto the database.
        let pool = PgPoolOptions::new()
            .max_connections(cores() * 2)
            .connect_with(options.clone())
            .await
            .map_err(|source| StoreError::Connect {
                target: target.clone(),
                source,
            })?;
        schema::refuse_newer(&pool, &POSTGRES_MIGRATIONS).await?;
        POSTGRES_MIGRATIONS
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        // Listening before the first request: every commit from here on is heard.
        let events = Hub::default();
        let bus = Bus::start(&options, &pool, events.clone())
            .await
            .map_err(|source| StoreError::Connect { target, source })?;
        Ok(Self {
            backend: Backend::Postgres(pool),
            events,
            bus: Some(bus),
            metrics: Metrics::new(),
        })
    }

    /// `"sqlite"` or `"postgres"`, for logs. (The location is not logged: a URL may hold a
    /// password.)
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Where the versions this store commits are published, for the event streams.
    pub(crate) fn events(&self) -> &Hub {
        &self.events
    }

    /// Tells this process's hub of `message`, after the commit that sent it to the others
    /// (`notify!`): no stream hears of a write that did not land.
    fn announce(&self, message: &Message) {
        self.events.apply(message);
    }

    /// The review's room changed (committed already): this process's streams read it again, and
    /// on PostgreSQL every other process's too, told by a `NOTIFY` of its own. A lost one
    /// costs a delay, not the change: each stream also reads the room at its heartbeat.
    pub(crate) async fn room_changed(&self, review_id: &str) {
        let message = Message::room(review_id);
        self.announce(&message);
        if let (Some(bus), Backend::Postgres(pool)) = (&self.bus, &self.backend)
            && let Err(e) = sqlx::query(bus::NOTIFY)
                .bind(bus.channel())
                .bind(bus.payload(&message))
                .execute(pool)
                .await
        {
            tracing::warn!(error = %e, "the other server processes were not told of a room change");
        }
    }

    /// This server's metrics, with the pool's connections as they are now.
    pub fn metrics(&self) -> &Metrics {
        let (size, idle, max) = on_backend!(self, |pool, _pg| (
            pool.size(),
            pool.num_idle(),
            pool.options().get_max_connections()
        ));
        self.metrics.set_pool(size, idle, max);
        &self.metrics
    }

    /// The schema's version as applied to the database, and the one this build knows.
    pub async fn schema(&self) -> Result<schema::SchemaState, StoreError> {
        on_backend!(self, |pool, pg| {
            let known = if pg {
                &POSTGRES_MIGRATIONS
            } else {
                &SQLITE_MIGRATIONS
            };
            schema::state(pool, known).await
        })
    }

    /// Runs a trivial query, proving a connection can be had and the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Backend::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
        .map_err(StoreError::Database)
    }

    /// The review with this id, if there is one.
    pub async fn get_review(&self, id: &ReviewId) -> Result<Option<Review>, StoreError> {
        let doc: Option<String> = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_scalar("SELECT doc FROM reviews WHERE id = ?1")
                    .bind(id.as_str())
                    .fetch_optional(pool)
                    .await
            }
            Backend::Postgres(pool) => {
                sqlx::query_scalar("SELECT doc::text FROM reviews WHERE id = $1")
                    .bind(id.as_str())
                    .fetch_optional(pool)
                    .await
            }
        }
        .map_err(StoreError::Database)?;
        doc.map(|doc| decode(id.as_str(), &doc)).transpose()
    }

    /// Stores a new review and its first tokens in one transaction, unless the id is taken.
    pub async fn create_review(
        &self,
        review: &Review,
        tokens: &[NewToken],
        now: DateTime<Utc>,
    ) -> Result<Inserted, StoreError> {
        let id = review.id.as_str();
        let version = to_i64(review.version)?;
        let created_at = order_key(review.created_at);
        let updated_at = order_key(review.updated_at);
        let doc = serde_json::to_string(review).map_err(StoreError::Encode)?;
        let feed = FeedRow::of(review)?;
        let now = order_key(now);
        let inserted = on_backend!(self, |pool, pg| async {
            let mut tx = begin(pool, &self.metrics).await?;
            let done = sqlx::query(insert_review_sql(pg))
                .bind(id)
                .bind(version)
                .bind(&created_at)
                .bind(&updated_at)
                .bind(&doc)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(Inserted::IdTaken);
            }
            for token in tokens {
                insert_token!(tx, pg, id, token, &now)?;
            }
            tx.sync_feed(id, feed.as_ref()).await?;
            notify!(self, tx, &Message::version(id, review.version)).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Inserted::Created)
        }
        .await)
        .map_err(StoreError::Database)?;
        if inserted == Inserted::Created {
            self.metrics.count_commit("review_created");
            self.announce(&Message::version(id, review.version));
        }
        Ok(inserted)
    }

    /// What the token with this hash grants, unless it is unknown or revoked.
    pub async fn grant(&self, token_hash: &str) -> Result<Option<Grant>, StoreError> {
        let row: Option<(String, String, Option<String>)> = on_backend!(self, |pool, _pg| {
            sqlx::query_as(
                "SELECT review_id, kind, participant_id FROM tokens \
                 WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })
        .map_err(StoreError::Database)?;
        Ok(row.and_then(|(review_id, kind, participant_id)| {
            Some(Grant {
                review_id,
                kind: TokenKind::from_key(&kind)?,
                participant_id,
            })
        }))
    }

    /// Revokes every token of one participant of one review. Revoking twice changes nothing.
    pub async fn revoke_participant_tokens(
        &self,
        review_id: &ReviewId,
        participant_id: &ParticipantId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = order_key(now);
        let revocation = Message::revocation(review_id.as_str());
        on_backend!(self, |pool, pg| async {
            let mut tx = begin(pool, &self.metrics).await?;
            sqlx::query(revoke_sql(pg))
                .bind(&now)
                .bind(review_id.as_str())
                .bind(participant_id.as_str())
                .execute(&mut *tx)
                .await?;
            notify!(self, tx, &revocation).await?;
            tx.commit().await
        }
        .await)
        .map_err(StoreError::Database)?;
        self.announce(&revocation);
        Ok(())
    }

    /// Whether this op id was already applied to this review: `None` if not, otherwise the
    /// digest of the op applied under it (`None` inside for one applied before digests were kept).
    pub async fn applied_op(
        &self,
        review_id: &ReviewId,
        op_id: &str,
    ) -> Result<Option<Option<String>>, StoreError> {
        on_backend!(self, |pool, _pg| {
            sqlx::query_scalar("SELECT op_digest FROM ops WHERE review_id = $1 AND op_id = $2")
                .bind(review_id.as_str())
                .bind(op_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::Database)
    }

    /// Writes `review` if the stored one is still at version `base`, in one transaction with
    /// the op id and its body's digest (if any, refused as [`Committed::Replayed`] when the id
    /// was already applied), a new token (if any) and the removal of a participant (if any:
    /// their tokens are revoked, their account and personal invites deleted). The
    /// version check is in the `UPDATE` itself, so of two writers from the same base exactly
    /// one wins, on either backend.
    pub async fn commit_review(
        &self,
        review: &Review,
        base: u64,
        op: Option<AppliedOp<'_>>,
        token: Option<&NewToken>,
        revoke: Option<&ParticipantId>,
        now: DateTime<Utc>,
    ) -> Result<Committed, StoreError> {
        let id = review.id.as_str();
        let version = to_i64(review.version)?;
        let base = to_i64(base)?;
        let updated_at = order_key(review.updated_at);
        let doc = serde_json::to_string(review).map_err(StoreError::Encode)?;
        // The feed shows the review's published finding, kept in step with the same commit.
        let feed = FeedRow::of(review)?;
        // And its actions' rows, and the webhooks told of a change to what the organisation
        // reads: all in the same transaction.
        let actions = backlog::rows_of(review)?;
        let org = review
            .finding()
            .map(mosaic_domain::Finding::for_organisation);
        let now = order_key(now);
        let messages: Vec<Message> = revoke
            .map(|_| Message::revocation(id))
            .into_iter()
            .chain([Message::version(id, review.version)])
            .collect();
        let committed = on_backend!(self, |pool, pg| async {
            // The first statement writes, so SQLite takes its write lock at once (waiting its
            // turn) instead of failing to upgrade a read snapshot later.
            let mut tx = begin(pool, &self.metrics).await?;
            if let Some(op) = op {
                let sql = if pg {
                    "INSERT INTO ops (review_id, op_id, applied_at, op_digest) \
                     VALUES ($1, $2, $3::timestamptz, $4) ON CONFLICT DO NOTHING"
                } else {
                    "INSERT INTO ops (review_id, op_id, applied_at, op_digest) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
                };
                let done = sqlx::query(sql)
                    .bind(id)
                    .bind(op.id)
                    .bind(&now)
                    .bind(op.digest)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(Committed::Replayed);
                }
            }
            let done = sqlx::query(update_review_sql(pg))
                .bind(version)
                .bind(&updated_at)
                .bind(&doc)
                .bind(id)
                .bind(base)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(Committed::Stale);
            }
            if let Some(token) = token {
                insert_token!(tx, pg, id, token, &now)?;
            }
            if let Some(participant_id) = revoke {
                sqlx::query(revoke_sql(pg))
                    .bind(&now)
                    .bind(id)
                    .bind(participant_id.as_str())
                    .execute(&mut *tx)
                    .await?;
                // A removed person's writing leaves the server with them (their own copy
                // stays in their browser), and so does any link to their row.
                for sql in [
                    "DELETE FROM accounts WHERE review_id = $1 AND participant_id = $2",
                    DELETE_PERSONAL_INVITES,
                ] {
                    sqlx::query(sql)
                        .bind(id)
                        .bind(participant_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
            }
            // Before the feed row is rewritten: it compares with the stored finding.
            tx.queue_finding_event(id, org.as_ref(), &now).await?;
            tx.sync_feed(id, feed.as_ref()).await?;
            tx.sync_actions(id, &actions).await?;
            // The revocation first: a removed participant's stream then checks its grant and
            // ends before it could hear of the version that removed them.
            for message in &messages {
                notify!(self, tx, message).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Committed::Done)
        }
        .await)
        .map_err(StoreError::Database)?;
        if committed == Committed::Done {
            self.metrics.count_commit("review");
            messages.iter().for_each(|message| self.announce(message));
        }
        Ok(committed)
    }

    /// One participant's stored account, its version set to the stored one.
    pub async fn get_account(
        &self,
        review_id: &ReviewId,
        participant_id: &ParticipantId,
    ) -> Result<Option<Account>, StoreError> {
        let row: Option<(i64, String)> = on_backend!(self, |pool, pg| {
            let sql = if pg {
                "SELECT version, doc::text FROM accounts WHERE review_id = $1 AND participant_id = $2"
            } else {
                "SELECT version, doc FROM accounts WHERE review_id = $1 AND participant_id = $2"
            };
            sqlx::query_as(sql)
                .bind(review_id.as_str())
                .bind(participant_id.as_str())
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::Database)?;
        row.map(|(version, doc)| decode_account(review_id, version, &doc))
            .transpose()
    }

    /// The review's accounts; only the submitted ones when `submitted_only`.
    pub async fn accounts(
        &self,
        review_id: &ReviewId,
        submitted_only: bool,
    ) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<(i64, String)> = on_backend!(self, |pool, pg| {
            let sql = match (pg, submitted_only) {
                (true, true) => {
                    "SELECT version, doc::text FROM accounts \
                     WHERE review_id = $1 AND submitted_at IS NOT NULL ORDER BY participant_id"
                }
                (true, false) => {
                    "SELECT version, doc::text FROM accounts \
                     WHERE review_id = $1 ORDER BY participant_id"
                }
                (false, true) => {
                    "SELECT version, doc FROM accounts \
                     WHERE review_id = $1 AND submitted_at IS NOT NULL ORDER BY participant_id"
                }
                (false, false) => {
                    "SELECT version, doc FROM accounts WHERE review_id = $1 ORDER BY participant_id"
                }
            };
            sqlx::query_as(sql)
                .bind(review_id.as_str())
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|(version, doc)| decode_account(review_id, *version, doc))
            .collect()
    }

    /// Stores a draft `account` (at its version) if the stored copy is at `base` (0: there is
    /// none) and not sealed. `false` when it was not: nothing was written.
    pub async fn put_account(
        &self,
        account: &Account,
        base: u64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let review_id = account.review_id().as_str();
        let participant_id = account.participant_id().as_str();
        let version = to_i64(account.version())?;
        let base = to_i64(base)?;
        let doc = serde_json::to_string(account).map_err(StoreError::Encode)?;
        let now = order_key(now);
        let done = on_backend!(self, |pool, pg| {
            let sql = match (pg, base == 0) {
                (true, true) => {
                    "INSERT INTO accounts (review_id, participant_id, version, doc, updated_at) \
                     VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz) ON CONFLICT DO NOTHING"
                }
                (false, true) => {
                    "INSERT INTO accounts (review_id, participant_id, version, doc, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
                }
                (true, false) => {
                    "UPDATE accounts SET version = $3, doc = $4::jsonb, updated_at = $5::timestamptz \
                     WHERE review_id = $1 AND participant_id = $2 AND version = $6 \
                     AND submitted_at IS NULL"
                }
                (false, false) => {
                    "UPDATE accounts SET version = $3, doc = $4, updated_at = $5 \
                     WHERE review_id = $1 AND participant_id = $2 AND version = $6 \
                     AND submitted_at IS NULL"
                }
            };
            let query = sqlx::query(sql)
                .bind(review_id)
                .bind(participant_id)
                .bind(version)
                .bind(&doc)
                .bind(&now);
            let query = if base == 0 { query } else { query.bind(base) };
            query.execute(pool).await.map(|done| done.rows_affected())
        })
        .map_err(StoreError::Database)?;
        if done == 1 {
            self.metrics.count_commit("account");
            // The author may now be "still writing": the streams read the room again and tell
            // a yes/no, never this save's time or size (`mosaic_domain::room`).
            self.room_changed(review_id).await;
        }
        Ok(done == 1)
    }

    /// Writes a sealed `account` and the `review` that records its submission in one
    /// transaction, each only if still at its base version. `false` when either had moved on:
    /// then neither was written.
    pub async fn commit_submission(
        &self,
        account: &Account,
        account_base: u64,
        review: &Review,
        review_base: u64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let account_doc = serde_json::to_string(account).map_err(StoreError::Encode)?;
        let review_doc = serde_json::to_string(review).map_err(StoreError::Encode)?;
        let feed = FeedRow::of(review)?;
        let account_version = to_i64(account.version())?;
        let account_base = to_i64(account_base)?;
        let review_version = to_i64(review.version)?;
        let review_base = to_i64(review_base)?;
        let submitted_at = account.submitted_at().map(order_key);
        let updated_at = order_key(review.updated_at);
        let now = order_key(now);
        let version = Message::version(review.id.as_str(), review.version);
        let committed = on_backend!(self, |pool, pg| async {
            let mut tx = begin(pool, &self.metrics).await?;
            let sql = if pg {
                "UPDATE accounts SET version = $1, doc = $2::jsonb, updated_at = $3::timestamptz, \
                 submitted_at = $4::timestamptz \
                 WHERE review_id = $5 AND participant_id = $6 AND version = $7 \
                 AND submitted_at IS NULL"
            } else {
                "UPDATE accounts SET version = $1, doc = $2, updated_at = $3, submitted_at = $4 \
                 WHERE review_id = $5 AND participant_id = $6 AND version = $7 \
                 AND submitted_at IS NULL"
            };
            let done = sqlx::query(sql)
                .bind(account_version)
                .bind(&account_doc)
                .bind(&now)
                .bind(&submitted_at)
                .bind(account.review_id().as_str())
                .bind(account.participant_id().as_str())
                .bind(account_base)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            let done = sqlx::query(update_review_sql(pg))
                .bind(review_version)
                .bind(&updated_at)
                .bind(&review_doc)
                .bind(review.id.as_str())
                .bind(review_base)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            tx.sync_feed(review.id.as_str(), feed.as_ref()).await?;
            notify!(self, tx, &version).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await)
        .map_err(StoreError::Database)?;
        if committed {
            self.metrics.count_commit("submission");
            self.announce(&version);
        }
        Ok(committed)
    }

    /// Waits for connections in use to be returned, then closes them all. For SQLite this also
    /// checkpoints the WAL into the main file, so a stopped server leaves one tidy file.
    pub async fn close(&self) {
        if let Some(bus) = &self.bus {
            bus.stop();
        }
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// Begins a write transaction, timing the wait for a pooled connection (and the `BEGIN`).
async fn begin<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    metrics: &Metrics,
) -> Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
    let started = std::time::Instant::now();
    let tx = pool.begin().await;
    metrics.observe_acquire(started.elapsed());
    tx
}

/// The text stored in the `created_at` and `updated_at` columns: UTC, always six fractional
/// digits, so that text order is time order in SQLite and PostgreSQL parses it to the same
/// microsecond. Anything finer than a microsecond is cut off (not rounded) on both backends;
/// the document keeps the full value.
fn order_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A new review, unless its id is taken (then nothing is written). The times and the document
/// travel as text; PostgreSQL casts them, which keeps the binding code the same on both.
fn insert_review_sql(pg: bool) -> &'static str {
    if pg {
        "INSERT INTO reviews (id, version, created_at, updated_at, doc) \
         VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::jsonb) \
         ON CONFLICT (id) DO NOTHING"
    } else {
        "INSERT INTO reviews (id, version, created_at, updated_at, doc) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING"
    }
}

/// The compare-and-set write of a review: it lands only if the stored version is still the
/// base the change was made on (`$5`), so of two concurrent writers exactly one wins.
fn update_review_sql(pg: bool) -> &'static str {
    if pg {
        "UPDATE reviews SET version = $1, updated_at = $2::timestamptz, doc = $3::jsonb \
         WHERE id = $4 AND version = $5"
    } else {
        "UPDATE reviews SET version = $1, updated_at = $2, doc = $3 \
         WHERE id = $4 AND version = $5"
    }
}

/// Every personal invite to one participant's row.
const DELETE_PERSONAL_INVITES: &str =
    "DELETE FROM personal_invites WHERE review_id = $1 AND participant_id = $2";

/// A new token of a review.
fn insert_token_sql(pg: bool) -> &'static str {
    if pg {
        "INSERT INTO tokens (token_hash, review_id, participant_id, kind, created_at) \
         VALUES ($1, $2, $3, $4, $5::timestamptz)"
    } else {
        "INSERT INTO tokens (token_hash, review_id, participant_id, kind, created_at) \
         VALUES ($1, $2, $3, $4, $5)"
    }
}

/// Revokes every live token of one participant of a review.
fn revoke_sql(pg: bool) -> &'static str {
    if pg {
        "UPDATE tokens SET revoked_at = $1::timestamptz \
         WHERE review_id = $2 AND participant_id = $3 AND revoked_at IS NULL"
    } else {
        "UPDATE tokens SET revoked_at = $1 \
         WHERE review_id = $2 AND participant_id = $3 AND revoked_at IS NULL"
    }
}

fn to_i64(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version).map_err(|_| StoreError::VersionOverflow)
}

/// An account as stored; the row's version is the authority.
fn decode_account(review_id: &ReviewId, version: i64, doc: &str) -> Result<Account, StoreError> {
    let mut account: Account = serde_json::from_str(doc).map_err(|source| StoreError::Decode {
        id: review_id.to_string(),
        source,
    })?;
    account.set_stored_version(u64::try_from(version).map_err(|_| StoreError::VersionOverflow)?);
    Ok(account)
}

fn decode(id: &str, doc: &str) -> Result<Review, StoreError> {
    serde_json::from_str(doc).map_err(|source| StoreError::Decode {
        id: id.to_owned(),
        source,
    })
}

/// The number of CPU cores, at least 2, used to size connection pools.
fn cores() -> u32 {
    std::thread::available_parallelism()
        .map_or(2, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        .max(2)
}

/// Why the database could not do what was asked. None of these is the caller's fault: the HTTP
/// layer answers them all with a generic 500 and logs the detail.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened at start.
    #[error("cannot connect to {target}")]
    Connect { target: String, source: sqlx::Error },
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("could not migrate the database")]
    Migrate(#[source] MigrateError),
    /// A review could not be turned into JSON (not expected to happen).
    #[error("could not encode a review as JSON")]
    Encode(#[source] serde_json::Error),
    /// A stored document no longer reads as a `Review`: edited by hand, or written by a newer
    /// server whose format this one does not know.
    #[error("the stored review `{id}` could not be read")]
    Decode {
        id: String,
        source: serde_json::Error,
    },
    /// A version number beyond `i64::MAX`, which the `BIGINT` column cannot hold.
    #[error("review version does not fit in a BIGINT")]
    VersionOverflow,
    /// The database was migrated by a newer release than this one: its schema is at `found`,
    /// this build knows up to `known`. Nothing was changed.
    #[error(
        "the database's schema is at version {found}, newer than this build of Mosaic knows \
         (version {known}): a newer release has upgraded it. Run that release (or newer), or \
         restore a backup taken before the upgrade"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// `migrate-data` cannot copy as asked; the message says why.
    #[error("{0}")]
    Transfer(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn order_keys_sort_as_times() {
        let whole = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap();
        let half = whole + chrono::TimeDelta::milliseconds(500);
        let nanos = whole + chrono::TimeDelta::nanoseconds(1_999);
        assert_eq!(order_key(whole), "2026-11-01T10:00:00.000000Z");
        assert_eq!(order_key(half), "2026-11-01T10:00:00.500000Z");
        assert_eq!(order_key(nanos), "2026-11-01T10:00:00.000001Z");
        assert!(order_key(whole) < order_key(half));
    }
}
