//! `mosaic-server backup` and `restore`, for the SQLite database.
//!
//! Copying `mosaic.db` alone while the server runs can miss commits still in the `-wal` file,
//! or catch the file half-checkpointed. `VACUUM INTO` instead reads the database in one read
//! transaction, a snapshot holding every commit made before it began, and writes a compact,
//! self-contained copy, while the server keeps reading and writing (WAL lets a writer commit
//! beside a reader). The copy is written under a temporary name, checked with
//! `PRAGMA integrity_check`, flushed to disk, and only then renamed to the name asked for, so
//! a file with that name is always a whole backup.
//!
//! Restoring replaces the database file, which no server may have open: `restore` takes
//! SQLite's exclusive lock first and refuses while anyone holds the database.

use crate::store::schema;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a backup wrote.
#[derive(Debug)]
pub struct BackedUp {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// Where the database it replaced was moved, if there was one.
    pub replaced: Option<PathBuf>,
}

/// Copies the live SQLite database at `database` to `target` (which must not exist).
pub async fn backup(database: &Path, target: &Path) -> Result<BackedUp, String> {
    if !database.is_file() {
        return Err(format!("there is no database at {}", database.display()));
    }
    if target.exists() {
        return Err(format!(
            "{} already exists; choose a new name for the backup",
            target.display()
        ));
    }
    let partial = sibling(target, "partial");
    let _ = std::fs::remove_file(&partial);
    let mut source = connect(database, false).await?;
    // A bound parameter: the path is never part of the SQL text.
    let vacuumed = sqlx::query("VACUUM INTO $1")
        .bind(partial.to_string_lossy().as_ref())
        .execute(&mut source)
        .await;
    let _ = source.close().await;
    if let Err(e) = vacuumed {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("the copy failed: {e}"));
    }
    let checked = check(&partial).await;
    let schema_version = match checked {
        Ok(version) => version,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    sync_file(&partial)?;
    std::fs::rename(&partial, target).map_err(|e| format!("cannot name the backup: {e}"))?;
    sync_parent(target);
    let bytes = std::fs::metadata(target)
        .map(|m| m.len())
        .unwrap_or_default();
    Ok(BackedUp {
        path: std::path::absolute(target).unwrap_or_else(|_| target.to_owned()),
        bytes,
        schema_version,
    })
}

/// Puts the backup `from` in place of the database at `database`, which no server may have
/// open. The old database, if any, is moved aside (its `-wal` folded in first), never deleted.
pub async fn restore(from: &Path, database: &Path) -> Result<Restored, String> {
    if !from.is_file() {
        return Err(format!("there is no backup at {}", from.display()));
    }
    check(from).await?;
    let mut replaced = None;
    if database.exists() {
        // The exclusive lock is only granted when no other connection has the database open;
        // holding it, the last connection's close folds the WAL into the file and removes it.
        let mut current = connect(database, true).await.map_err(|e| {
            format!(
                "{} is in use: stop the server before restoring ({e})",
                database.display()
            )
        })?;
        let locked = sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut current)
            .await
            .and(sqlx::query("COMMIT").execute(&mut current).await);
        if locked.is_err() {
            let _ = current.close().await;
            return Err(format!(
                "{} is in use: stop the server before restoring",
                database.display()
            ));
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut current)
            .await
            .map_err(|e| format!("cannot fold the WAL into {}: {e}", database.display()))?;
        current
            .close()
            .await
            .map_err(|e| format!("cannot close {}: {e}", database.display()))?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = sibling(database, &format!("replaced-{stamp}"));
        std::fs::rename(database, &aside)
            .map_err(|e| format!("cannot move the current database aside: {e}"))?;
        for suffix in ["-wal", "-shm"] {
            let mut extra = database.as_os_str().to_owned();
            extra.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(extra));
        }
        replaced = Some(aside);
    }
    let partial = sibling(database, "partial");
    std::fs::copy(from, &partial).map_err(|e| format!("cannot copy the backup: {e}"))?;
    sync_file(&partial)?;
    std::fs::rename(&partial, database)
        .map_err(|e| format!("cannot put the backup in place: {e}"))?;
    sync_parent(database);
    Ok(Restored { replaced })
}

/// Checks a copy: `PRAGMA integrity_check` says `ok`, and its schema is one this build knows.
/// Its schema version.
async fn check(copy: &Path) -> Result<i64, String> {
    let mut conn = connect(copy, false).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| format!("cannot check {}: {e}", copy.display()))?;
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| format!("{} is not a Mosaic database: {e}", copy.display()))?;
    let _ = conn.close().await;
    if integrity != "ok" {
        return Err(format!(
            "{} fails SQLite's integrity check: {integrity}",
            copy.display()
        ));
    }
    let applied = applied.unwrap_or_default();
    let known = schema::known(&crate::store::SQLITE_MIGRATIONS);
    if applied > known {
        return Err(format!(
            "{} has schema version {applied}, newer than this build knows ({known})",
            copy.display()
        ));
    }
    Ok(applied)
}

/// One connection to an existing SQLite file; `exclusive` asks for SQLite's exclusive locking
/// mode, without waiting for others to let go.
async fn connect(path: &Path, exclusive: bool) -> Result<SqliteConnection, String> {
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(if exclusive {
            Duration::ZERO
        } else {
            Duration::from_secs(5)
        });
    if exclusive {
        options = options
            .journal_mode(SqliteJournalMode::Wal)
            .locking_mode(SqliteLockingMode::Exclusive);
    }
    options
        .connect()
        .await
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// `dir/name.db` → `dir/name.db.<suffix>`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_file(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot flush {} to disk: {e}", path.display()))
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
}
