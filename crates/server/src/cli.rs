//! The operator's side of the command line: the flags for running Mosaic as a service
//! ([`OpsArgs`], flattened into [`Config`]), where its data lives
//! ([`Database`]), and the commands that are not "serve" ([`Command`]: `backup`, `restore`,
//! `migrate-data`, `webhook`).

use crate::access::AccessKey;
use crate::error::InternalError;
use crate::logging::LogFormat;
use crate::store::{Store, StoreError};
use crate::{Config, backup};
use clap::{Args, Subcommand};
use sqlx::postgres::PgConnectOptions;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Flags for running Mosaic as a service.
#[derive(Clone, Debug, Args)]
pub struct OpsArgs {
    /// The directory holding the SQLite database (`mosaic.db`, with its `-wal` and `-shm`
    /// files). Created if missing; its absolute path is logged at start.
    #[arg(long, env = "MOSAIC_DATA_DIR", default_value = ".", global = true)]
    pub data_dir: PathBuf,

    /// Log lines as `text` for a person or `json` (one object per line) for a log pipeline.
    #[arg(
        long,
        env = "MOSAIC_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,

    /// Keep the `X-Request-Id` a request arrives with (when well-formed) instead of making a
    /// new one. Only behind a proxy that sets or strips it: otherwise clients choose the ids.
    #[arg(long, env = "MOSAIC_TRUST_PROXY_REQUEST_ID")]
    pub trust_proxy_request_id: bool,

    /// Open `/metrics` to requests that send `Authorization: Bearer <token>`. Without this
    /// (or --metrics-listen), `/metrics` is closed. Printable ASCII, no spaces.
    #[arg(long, env = "MOSAIC_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<AccessKey>,

    /// Also listen on this host:port, answering only `/metrics` (open, no token), `/healthz`
    /// and `/readyz`: bind it where only your monitoring reaches.
    #[arg(long, env = "MOSAIC_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,

    /// On SIGTERM or Ctrl-C, how long requests in flight may take to finish before their
    /// connections are closed and the server stops anyway.
    #[arg(
        long,
        env = "MOSAIC_SHUTDOWN_TIMEOUT",
        default_value_t = 10,
        value_name = "SECONDS"
    )]
    pub shutdown_timeout: u64,
}

impl OpsArgs {
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout)
    }
}

/// What to do instead of serving.
#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// Copy the SQLite database to FILE, consistently, while the server keeps serving
    /// (SQLite's `VACUUM INTO`). The copy is checked with `PRAGMA integrity_check`.
    Backup {
        /// Where to write the copy; must not exist yet.
        file: PathBuf,
    },
    /// Put a backup made by `backup` in place of the SQLite database. Stop the server first:
    /// this refuses while the database is open. The database it replaces is kept beside it
    /// as `mosaic.db.replaced-<time>`.
    Restore {
        /// The backup to restore.
        file: PathBuf,
    },
    /// Copy every review, account, token, applied op and finding from one database into
    /// another, empty one (the way from SQLite to PostgreSQL). The source is not changed.
    MigrateData {
        /// The database to copy from (a SQLite path or `sqlite://` URL).
        #[arg(long)]
        from: String,
        /// The empty database to copy into (a `postgres://` URL).
        #[arg(long)]
        to: String,
    },
    /// Manage the organisation's webhooks: endpoints told when a finding is published or
    /// updated and when an action is overdue (docs/webhooks.md).
    Webhook {
        #[command(subcommand)]
        action: WebhookCommand,
    },
}

/// `mosaic-server webhook …`.
#[derive(Clone, Debug, Subcommand)]
pub enum WebhookCommand {
    /// Register an endpoint; prints its id.
    Add {
        /// Where to POST: an http:// or https:// URL (a Slack incoming-webhook URL with
        /// --format slack).
        #[arg(long)]
        url: String,
        /// The secret that signs each delivery (HMAC-SHA256), at least 16 characters.
        #[arg(long, env = "MOSAIC_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// Only findings of this team.
        #[arg(long)]
        team: Option<String>,
        /// Only findings touching this service.
        #[arg(long)]
        service: Option<String>,
        /// `json` (Mosaic's event document) or `slack` (a `text` for an incoming webhook).
        #[arg(long, default_value = "json")]
        format: String,
    },
    /// List the endpoints (their URLs cut to the host: a path may be a credential).
    List,
    /// Remove an endpoint and its deliveries.
    Remove {
        /// The id `webhook add` printed.
        id: String,
    },
    /// List the latest deliveries, newest first, with their state and last answer.
    Deliveries {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// Runs a `webhook` command against `store`, printing one line per item.
async fn webhook(action: WebhookCommand, store: &Store) -> Result<(), String> {
    let failed = |e: StoreError| format!("cannot reach the webhooks: {}", InternalError::new(e));
    match action {
        WebhookCommand::Add {
            url,
            secret,
            team,
            service,
            format,
        } => {
            let hook = crate::webhooks::new_webhook(
                &url,
                &secret,
                team.as_deref(),
                service.as_deref(),
                &format,
                chrono::Utc::now(),
            )?;
            store.webhook_add(&hook).await.map_err(failed)?;
            println!("{}", hook.id);
        }
        WebhookCommand::List => {
            for hook in store.webhooks().await.map_err(failed)? {
                println!("{}", crate::webhooks::describe(&hook));
            }
        }
        WebhookCommand::Remove { id } => {
            if !store.webhook_remove(&id).await.map_err(failed)? {
                return Err(format!(
                    "no webhook has the id {id}: `webhook list` shows them"
                ));
            }
            println!("Removed {id}");
        }
        WebhookCommand::Deliveries { limit } => {
            for d in store
                .webhook_deliveries(limit.clamp(1, 10_000))
                .await
                .map_err(failed)?
            {
                println!(
                    "{}",
                    serde_json::json!({
                        "id": d.id, "webhook": d.webhook_id, "event": d.event,
                        "created_at": d.created_at, "state": d.state, "attempts": d.attempts,
                        "next_attempt_at": d.next_attempt_at, "last_status": d.last_status,
                        "last_error": d.last_error, "delivered_at": d.delivered_at,
                    })
                );
            }
        }
    }
    Ok(())
}

/// Runs `command` with `config`'s database, printing what it did on stdout.
pub async fn execute(command: Command, config: &Config) -> Result<(), String> {
    let data_dir = &config.ops.data_dir;
    match command {
        Command::Backup { file } => {
            let path = Database::resolve(config.database.as_deref(), data_dir)?.sqlite_path(
                "backup copies a SQLite database; back up PostgreSQL with pg_dump (RUNBOOK.md)",
            )?;
            let done = backup::backup(&path, &file).await?;
            println!(
                "Backed up {} to {} ({} bytes, schema version {}, integrity ok)",
                path.display(),
                done.path.display(),
                done.bytes,
                done.schema_version
            );
        }
        Command::Restore { file } => {
            let path = Database::resolve(config.database.as_deref(), data_dir)?.sqlite_path(
                "restore replaces a SQLite database; restore PostgreSQL with pg_restore \
                 (RUNBOOK.md)",
            )?;
            let done = backup::restore(&file, &path).await?;
            println!("Restored {} to {}", file.display(), path.display());
            if let Some(kept) = done.replaced {
                println!("The database it replaced is kept as {}", kept.display());
            }
        }
        Command::MigrateData { from, to } => {
            let from = Database::resolve(Some(&from), data_dir)?;
            let to = Database::resolve(Some(&to), data_dir)?;
            let source = from.open().await.map_err(|e| open_error(&from, e))?;
            let target = to.open().await.map_err(|e| open_error(&to, e))?;
            let copied = source
                .copy_into(&target)
                .await
                .map_err(|e| format!("cannot copy the data: {}", InternalError::new(e)))?;
            source.close().await;
            target.close().await;
            println!("Copied from {from} to {to}: {copied}");
        }
        Command::Webhook { action } => {
            let database = Database::resolve(config.database.as_deref(), data_dir)?;
            let store = database
                .open()
                .await
                .map_err(|e| open_error(&database, e))?;
            let done = webhook(action, &store).await;
            store.close().await;
            done?;
        }
    }
    Ok(())
}

/// The start-up error for a database that would not open.
pub fn open_error(database: &Database, e: StoreError) -> String {
    format!("cannot open {database}: {}", InternalError::new(e))
}

/// Where the data is, resolved: the SQLite file's absolute path, or a PostgreSQL URL.
#[derive(Clone)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// `--database` (a `postgres://` URL, or a SQLite path with an optional `sqlite://` or
    /// `sqlite:` prefix) with `--data-dir`: a relative SQLite path is inside the data
    /// directory, never wherever the process happened to start; no `--database` is
    /// `mosaic.db` there.
    pub fn resolve(database: Option<&str>, data_dir: &Path) -> Result<Self, String> {
        let database = database.unwrap_or("mosaic.db");
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            return Ok(Self::Postgres(database.to_owned()));
        }
        let path = database
            .strip_prefix("sqlite://")
            .or_else(|| database.strip_prefix("sqlite:"))
            .unwrap_or(database);
        if path.is_empty() || path.starts_with(':') {
            return Err(format!(
                "--database {database:?} names no SQLite file: give a file path, or a \
                 postgres:// URL"
            ));
        }
        let data_dir = std::path::absolute(data_dir).map_err(|e| {
            format!(
                "cannot resolve the data directory {}: {e}",
                data_dir.display()
            )
        })?;
        Ok(Self::Sqlite(data_dir.join(path)))
    }

    /// The SQLite file, or `refusal` for PostgreSQL.
    pub fn sqlite_path(self, refusal: &str) -> Result<PathBuf, String> {
        match self {
            Self::Sqlite(path) => Ok(path),
            Self::Postgres(_) => Err(refusal.to_owned()),
        }
    }

    /// Opens (creating the SQLite file and its directory if missing) and migrates.
    pub async fn open(&self) -> Result<Store, StoreError> {
        match self {
            Self::Sqlite(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Connect {
                        target: format!("the data directory {}", dir.display()),
                        source: sqlx::Error::Io(e),
                    })?;
                }
                Store::open_sqlite(path).await
            }
            Self::Postgres(url) => Store::open(url).await,
        }
    }
}

/// Says where the data is without a password: `the SQLite file /abs/mosaic.db`, or
/// `PostgreSQL at host:port/db`.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "the SQLite file {}", path.display()),
            Self::Postgres(url) => match PgConnectOptions::from_str(url) {
                Ok(options) => write!(
                    f,
                    "PostgreSQL at {}:{}/{}",
                    options.get_host(),
                    options.get_port(),
                    options.get_database().unwrap_or_default()
                ),
                Err(_) => f.write_str("PostgreSQL (an unreadable URL)"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_sqlite_paths_live_in_the_data_dir() {
        let cwd = std::env::current_dir().unwrap();
        let check =
            |database: Option<&str>, data_dir: &str, expected: &Path| match Database::resolve(
                database,
                Path::new(data_dir),
            )
            .unwrap()
            {
                Database::Sqlite(path) => assert_eq!(path, expected, "{database:?}"),
                Database::Postgres(_) => panic!("{database:?} is not PostgreSQL"),
            };
        check(None, "/srv/mosaic", Path::new("/srv/mosaic/mosaic.db"));
        check(
            Some("sqlite://m.db"),
            "/srv/mosaic",
            Path::new("/srv/mosaic/m.db"),
        );
        check(Some("sqlite:sub/m.db"), "/d", Path::new("/d/sub/m.db"));
        check(Some("sqlite:///abs/m.db"), "/d", Path::new("/abs/m.db"));
        check(Some("/abs/m.db"), "/d", Path::new("/abs/m.db"));
        check(None, "data", &cwd.join("data").join("mosaic.db"));
        for bad in ["sqlite://", "", ":memory:", "sqlite::memory:"] {
            assert!(
                Database::resolve(Some(bad), Path::new("/d")).is_err(),
                "{bad}"
            );
        }
        let pg = Database::resolve(Some("postgres://u:secret@db:5433/mosaic"), Path::new("/d"));
        let pg = pg.unwrap();
        assert_eq!(pg.to_string(), "PostgreSQL at db:5433/mosaic");
        assert!(pg.sqlite_path("no").is_err());
    }
}
