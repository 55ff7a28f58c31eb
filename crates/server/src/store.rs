//! Where reviews are kept: one SQLite file or one PostgreSQL database, behind one [`Store`].
//!
//! Both backends hold the same table (see `migrations/`) and answer every call the same way; the
//! test suite runs against each to keep it so. Queries are plain runtime strings: nothing here
//! needs a database at build time.

use chrono::{DateTime, Utc};
use mosaic_domain::{Review, ReviewId};
use sqlx::Connection;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite connection waits for another connection's write lock before giving up.
/// Writers take turns in SQLite; a few seconds absorbs a burst without failing requests.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The reviews, in whichever database the server was started with. Cloning is cheap: clones
/// share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// What [`Store::insert_review`] did. A taken id is an expected outcome, not a failure.
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
        SQLITE_MIGRATIONS
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(Self {
            backend: Backend::Sqlite(pool),
        })
    }

    /// Connects to PostgreSQL with `options` and migrates the database (the first schema on the
    /// search path, which is how the tests give each test its own tables).
    pub async fn open_postgres(options: PgConnectOptions) -> Result<Self, StoreError> {
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
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect { target, source })?;
        POSTGRES_MIGRATIONS
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(Self {
            backend: Backend::Postgres(pool),
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

    /// Runs a trivial query, proving a connection can be had and the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Backend::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
        .map_err(StoreError::Database)
    }

    /// Stores a new review unless its id is taken. One statement, so two concurrent creates of
    /// the same id cannot both succeed and nothing is half-written.
    pub async fn insert_review(&self, review: &Review) -> Result<Inserted, StoreError> {
        let id = review.id.as_str();
        let version = i64::try_from(review.version).map_err(|_| StoreError::VersionOverflow)?;
        let created_at = order_key(review.created_at);
        let updated_at = order_key(review.updated_at);
        let doc = serde_json::to_string(review).map_err(StoreError::Encode)?;
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(
                "INSERT INTO reviews (id, version, created_at, updated_at, doc) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(version)
            .bind(created_at)
            .bind(updated_at)
            .bind(doc)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()),
            // The times and the document travel as text and are cast here, which keeps the
            // binding code identical to SQLite's and needs no extra sqlx type features.
            Backend::Postgres(pool) => sqlx::query(
                "INSERT INTO reviews (id, version, created_at, updated_at, doc) \
                 VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::jsonb) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(version)
            .bind(created_at)
            .bind(updated_at)
            .bind(doc)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()),
        }
        .map_err(StoreError::Database)?;
        Ok(if rows == 1 {
            Inserted::Created
        } else {
            Inserted::IdTaken
        })
    }

    /// Every review, newest first; reviews created in the same microsecond are ordered by id,
    /// descending, so the order is total and the same on both backends.
    pub async fn list_reviews(&self) -> Result<Vec<Review>, StoreError> {
        let rows: Vec<(String, String)> = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_as("SELECT id, doc FROM reviews ORDER BY created_at DESC, id DESC")
                    .fetch_all(pool)
                    .await
            }
            Backend::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT id, doc::text FROM reviews ORDER BY created_at DESC, id DESC",
                )
                .fetch_all(pool)
                .await
            }
        }
        .map_err(StoreError::Database)?;
        rows.iter().map(|(id, doc)| decode(id, doc)).collect()
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

    /// Waits for connections in use to be returned, then closes them all. For SQLite this also
    /// checkpoints the WAL into the main file, so a stopped server leaves one tidy file.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// The text stored in the `created_at` and `updated_at` columns: UTC, always six fractional
/// digits, so that text order is time order in SQLite and PostgreSQL parses it to the same
/// microsecond. Anything finer than a microsecond is cut off (not rounded) on both backends;
/// the document keeps the full value.
fn order_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
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
#[derive(Debug)]
pub enum StoreError {
    /// The database could not be reached or opened at start.
    Connect {
        target: String,
        source: sqlx::Error,
    },
    Database(sqlx::Error),
    Migrate(MigrateError),
    /// A review could not be turned into JSON (not expected to happen).
    Encode(serde_json::Error),
    /// A stored document no longer reads as a `Review`: edited by hand, or written by a newer
    /// server whose format this one does not know.
    Decode {
        id: String,
        source: serde_json::Error,
    },
    /// A version number beyond `i64::MAX`, which the `BIGINT` column cannot hold.
    VersionOverflow,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect { target, .. } => write!(f, "cannot connect to {target}"),
            Self::Database(_) => f.write_str("database error"),
            Self::Migrate(_) => f.write_str("could not migrate the database"),
            Self::Encode(_) => f.write_str("could not encode a review as JSON"),
            Self::Decode { id, .. } => write!(f, "the stored review `{id}` could not be read"),
            Self::VersionOverflow => f.write_str("review version does not fit in a BIGINT"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect { source, .. } | Self::Database(source) => Some(source),
            Self::Migrate(e) => Some(e),
            Self::Encode(source) | Self::Decode { source, .. } => Some(source),
            Self::VersionOverflow => None,
        }
    }
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
