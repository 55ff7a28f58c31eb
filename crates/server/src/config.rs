//! The server's settings: command-line flags, each with an environment fallback so the same
//! binary configures cleanly under a process manager or in a container.

use crate::access::AccessKey;
use crate::cli::{Command, OpsArgs};
use clap::Parser;
use std::path::PathBuf;

/// Mosaic's server: the JSON API for post-incident reviews, and the built web app.
#[derive(Clone, Debug, Parser)]
#[command(name = "mosaic-server", version)]
pub struct Config {
    /// Address to listen on, as host:port. Port 0 picks a free port; the address actually
    /// bound is printed on start.
    #[arg(long, env = "MOSAIC_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Where reviews are stored: a SQLite file path (optionally prefixed `sqlite://`), created
    /// if missing, or a `postgres://` URL. A relative SQLite path is inside --data-dir.
    /// [default: mosaic.db in --data-dir]
    // The value is hidden from --help because a URL may carry a password.
    #[arg(long, env = "MOSAIC_DATABASE", hide_env_values = true, global = true)]
    pub database: Option<String>,

    /// The built web app to serve: Trunk's output directory.
    #[arg(long, env = "MOSAIC_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Close the API to everyone without this key: every request under /api must then send
    /// it as the header `X-Mosaic-Access-Key`. At least 16 printable ASCII characters, no
    /// spaces.
    // Hidden from --help like the database URL: it is a secret.
    #[arg(long, env = "MOSAIC_ACCESS_KEY", hide_env_values = true)]
    pub access_key: Option<AccessKey>,

    /// The address people reach this server at, such as https://mosaic.example.com: every
    /// absolute link (the feed's subscriptions) starts with it, and an https address turns on
    /// HSTS. Default: http:// and the address listened on. Never taken from a request's headers.
    #[arg(long, env = "MOSAIC_PUBLIC_URL")]
    pub public_url: Option<crate::PublicUrl>,

    /// The most connections open at once. At the cap, the connection idle longest is closed
    /// for a newcomer; keep it well under the process's file-descriptor limit.
    #[arg(
        long,
        env = "MOSAIC_MAX_CONNECTIONS",
        default_value_t = 512,
        value_parser = clap::value_parser!(u32).range(4..)
    )]
    pub max_connections: u32,

    /// Seconds a connection may stay open with no request in progress (idle, or still
    /// sending its request's head) before it is closed.
    #[arg(
        long,
        env = "MOSAIC_IDLE_TIMEOUT",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub idle_timeout: u64,

    /// Turn off the per-address rate limits (docs/limits.md), for a load test from one
    /// machine. Never on a server people can reach.
    #[arg(long, env = "MOSAIC_NO_RATE_LIMITS")]
    pub no_rate_limits: bool,
    /// Milliseconds before a failed webhook delivery is first tried again; each later wait
    /// doubles, at most an hour, for 25 hours (`mosaic-server webhook --help`).
    #[arg(
        long,
        env = "MOSAIC_WEBHOOK_FIRST_RETRY_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(10..=3_600_000)
    )]
    pub webhook_first_retry_ms: u64,

    /// Milliseconds between two looks at the webhook outbox.
    #[arg(
        long,
        env = "MOSAIC_WEBHOOK_POLL_MS",
        default_value_t = 1_000,
        value_parser = clap::value_parser!(u64).range(10..=60_000)
    )]
    pub webhook_poll_ms: u64,

    /// Seconds after which a member whose page stopped answering (a closed laptop, a lost
    /// network) no longer shows as here in the review's room. Open pages refresh their presence
    /// every third of this.
    #[arg(
        long,
        env = "MOSAIC_PRESENCE_TIMEOUT",
        default_value_t = crate::room::PRESENCE_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(3..=600)
    )]
    pub presence_timeout: u64,

    /// Operating: data directory, logs, request ids, metrics, shutdown (see `cli`).
    #[command(flatten)]
    pub ops: OpsArgs,

    /// Without a command, the server runs.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_parse_with_defaults() {
        Config::command().debug_assert();
        let config = Config::try_parse_from(["mosaic-server", "--listen", "127.0.0.1:0"]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:0");
        assert_eq!(config.dist, PathBuf::from("dist"));
        assert!(config.access_key.is_none());
    }

    #[test]
    fn an_access_key_must_be_printable() {
        let key = "k-1-0123456789abcdef";
        let config = Config::try_parse_from(["mosaic-server", "--access-key", key]).unwrap();
        assert!(config.access_key.is_some());
        for bad in ["", "two words", "only-15-chars!!"] {
            let error = Config::try_parse_from(["mosaic-server", "--access-key", bad]);
            assert!(error.is_err(), "{bad:?}");
        }
    }
}
