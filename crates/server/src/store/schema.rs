//! The schema's version: which of the embedded migrations the database has applied (sqlx keeps
//! them in `_sqlx_migrations`), compared with the ones this build knows.
//!
//! Migrations are forward-only: a release adds files to `migrations/`, never edits or removes
//! one (sqlx checks each applied migration's checksum and refuses a changed one). So a database
//! whose highest applied version is above this build's highest known one was upgraded by a
//! newer release, and this build must not touch it: `refuse_newer` stops the start with a
//! message saying so, before any migration runs.

use super::StoreError;
use sqlx::migrate::Migrator;
use sqlx::{PgPool, SqlitePool};

/// What `/readyz` reports of the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemaState {
    /// The highest migration applied successfully (0: none).
    pub applied: i64,
    /// The highest migration this build knows.
    pub known: i64,
    /// Migrations that started and did not finish (sqlx marks them): the schema is suspect.
    pub failed: i64,
}

impl SchemaState {
    /// The schema is exactly what this build expects.
    pub fn is_current(&self) -> bool {
        self.applied == self.known && self.failed == 0
    }
}

/// The migrations table as each database answers it.
pub(crate) trait Applied {
    /// `(highest applied version, failed count)`, or `None` when no migration ever ran.
    async fn applied(&self) -> Result<Option<(i64, i64)>, sqlx::Error>;
}

const APPLIED_SQL: &str = "SELECT COALESCE(MAX(version), 0), \
     COALESCE(SUM(CASE WHEN success THEN 0 ELSE 1 END), 0) FROM _sqlx_migrations";

impl Applied for SqlitePool {
    async fn applied(&self) -> Result<Option<(i64, i64)>, sqlx::Error> {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(self)
        .await?;
        if exists.is_none() {
            return Ok(None);
        }
        sqlx::query_as(APPLIED_SQL).fetch_one(self).await.map(Some)
    }
}

impl Applied for PgPool {
    async fn applied(&self) -> Result<Option<(i64, i64)>, sqlx::Error> {
        // `to_regclass` follows the search path, as the migrator does.
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(self)
            .await?;
        if !exists {
            return Ok(None);
        }
        // `SUM` of integers is `bigint` on PostgreSQL, `MAX(version)` is `bigint` already.
        sqlx::query_as(APPLIED_SQL).fetch_one(self).await.map(Some)
    }
}

/// The highest version `migrator` holds.
pub(crate) fn known(migrator: &Migrator) -> i64 {
    migrator.iter().map(|m| m.version).max().unwrap_or_default()
}

pub(crate) async fn state(
    pool: &impl Applied,
    migrator: &Migrator,
) -> Result<SchemaState, StoreError> {
    let (applied, failed) = pool
        .applied()
        .await
        .map_err(StoreError::Database)?
        .unwrap_or_default();
    Ok(SchemaState {
        applied,
        known: known(migrator),
        failed,
    })
}

/// Stops here, changing nothing, when a newer release has migrated the database.
pub(crate) async fn refuse_newer(
    pool: &impl Applied,
    migrator: &Migrator,
) -> Result<(), StoreError> {
    let state = state(pool, migrator).await?;
    if state.applied > state.known {
        return Err(StoreError::SchemaTooNew {
            found: state.applied,
            known: state.known,
        });
    }
    Ok(())
}
