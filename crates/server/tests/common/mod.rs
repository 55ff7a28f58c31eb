//! What the tests of the real binary share: starting it, speaking HTTP to it over a plain
//! socket, and reading its SQLite file.

#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

/// One request over a fresh connection: the status and the JSON body, or `None` when the
/// server did not answer whole (it is gone, or closed the connection early).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &serde_json::Value,
) -> Option<(u16, serde_json::Value)> {
    let body = body.to_string();
    let response = try_http(
        addr,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )?;
    let status = response.get(9..12)?.parse().ok()?;
    let (_, json) = response.split_once("\r\n\r\n")?;
    Some((status, serde_json::from_str(json).ok()?))
}

/// `GET path`, the whole answer as text.
pub fn http_get(addr: &str, path: &str) -> String {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

/// Sends `request` verbatim and reads the answer until the server closes the connection.
pub fn http(addr: &str, request: &str) -> String {
    let mut stream = connect(addr);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

/// Like [`http`], or `None` when the server cannot be reached or cuts the answer short.
pub fn try_http(addr: &str, request: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// A connection to `addr` that gives up reading after 10 s.
pub fn connect(addr: &str) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}
