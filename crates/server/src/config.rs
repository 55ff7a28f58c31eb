//! The server's settings: command-line flags, each with an environment fallback so the same
//! binary configures cleanly under a process manager or in a container.

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
    /// if missing, or a `postgres://` URL.
    // The value is hidden from --help because a URL may carry a password.
    #[arg(
        long,
        env = "MOSAIC_DATABASE",
        default_value = "sqlite://mosaic.db",
        hide_env_values = true
    )]
    pub database: String,

    /// The built web app to serve: Trunk's output directory.
    #[arg(long, env = "MOSAIC_DIST", default_value = "dist")]
    pub dist: PathBuf,
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
    }
}
