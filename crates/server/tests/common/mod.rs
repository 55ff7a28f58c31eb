//! What the tests of the real binary share: starting it, and reading its SQLite file.

#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The running binary; killed if a test ends before it has stopped it.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`, as the server printed it.
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `mosaic-server` on a free loopback port with the SQLite file `database`, and returns
/// once it has printed the address it listens on.
pub fn start(database: &Path, dist: &Path) -> Server {
    start_with(database, dist, &[], false)
}

/// [`start`] with more `flags`; with `capture_log`, the log at `info` goes to the child's
/// `stderr` pipe instead of errors only to the test's stderr.
pub fn start_with(database: &Path, dist: &Path, flags: &[&str], capture_log: bool) -> Server {
    let mut command = server_command(capture_log);
    command
        .arg("--database")
        .arg(database)
        .arg("--dist")
        .arg(dist)
        .args(flags);
    start_command(command)
}

/// The binary, on a free loopback port, with no `MOSAIC_*` setting from the environment; with
/// `capture_log`, the log at `info` goes to the child's `stderr` pipe.
pub fn server_command(capture_log: bool) -> Command {
    let (level, log) = if capture_log {
        ("info", Stdio::piped())
    } else {
        ("error", Stdio::inherit())
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_mosaic-server"));
    command.args(["--listen", "127.0.0.1:0"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("MOSAIC_") {
            command.env_remove(name);
        }
    }
    command
        .env("RUST_LOG", level)
        .stdout(Stdio::piped())
        .stderr(log);
    command
}

/// Starts `command` and returns once the server has printed the address it listens on.
pub fn start_command(mut command: Command) -> Server {
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim_end()
        .strip_prefix("Mosaic is running at http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    Server { child, addr }
}

/// The one-value answer of `PRAGMA {pragma}` on the SQLite file `database`.
pub fn sqlite_pragma(database: &Path, pragma: &str) -> String {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", database.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar::<_, String>(&format!("PRAGMA {pragma}"))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    })
}
