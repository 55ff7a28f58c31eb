//! Operating the real binary: JSON logs that carry each request's id, the data directory, the
//! separate metrics listener, a shutdown bounded in time, and a backup taken under load,
//! restored and served.

#![cfg(unix)]

mod common;

use common::{
    Server, connect, http, http_get, request, server_command, sqlite_pragma, start_command,
};

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `--data-dir` given relative to where the server starts holds `mosaic.db`; the start is
/// logged as JSON with the file's absolute path; every line of the log is a JSON object; the
/// id of a refused request is its `X-Request-Id`, its error body's `request_id` and a field of
/// its log lines; tokens and query strings are not logged; the metrics listener answers
/// `/metrics` and nothing of the app or the API.
#[test]
fn json_logs_carry_each_request_id_and_nothing_secret() {
    const SECRET: &str = "query-secret-7c1d";
    let dir = tempfile::tempdir().unwrap();
    let mut command = server_command(true);
    command
        .current_dir(dir.path())
        .args(["--data-dir", "state", "--dist", "no-dist"])
        .args(["--log-format", "json", "--metrics-listen", "127.0.0.1:0"]);
    let mut server = start_command(command);
    let addr = server.addr.clone();

    let refused = http(
        &addr,
        &format!(
            "GET /api/v1/reviews/r-1/events?token={SECRET} HTTP/1.1\r\nHost: x\r\n\
             Authorization: Bearer {SECRET}\r\nX-Request-Id: forged-id\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let id = header(&refused, "x-request-id")
        .expect("an X-Request-Id")
        .to_owned();
    assert_ne!(id, "forged-id", "an untrusted incoming id is replaced");
    let body: Value = serde_json::from_str(refused.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["request_id"], json!(id), "{body}");

    let exit = stop(&mut server, Duration::from_secs(10));
    assert!(exit.success(), "{exit}");
    let log = read_log(&mut server);
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let of_request: Vec<&Value> = lines
        .iter()
        .filter(|line| line["span"]["request_id"] == json!(id))
        .collect();
    assert!(!of_request.is_empty(), "no line carries {id}: {log}");
    assert!(
        of_request
            .iter()
            .any(|line| line["status"] == json!(401) && line["level"] == "INFO"),
        "the answered request is logged with its status: {log}"
    );
    assert!(!log.contains(SECRET), "a token or query was logged: {log}");

    // The start line: where the data is (absolute), and where the metrics are.
    let started = lines
        .iter()
        .find(|line| line["message"] == "Mosaic is running")
        .unwrap_or_else(|| panic!("no start line: {log}"));
    let database = dir.path().join("state").join("mosaic.db");
    assert!(database.is_file());
    let shown = format!("the SQLite file {}", database.display());
    assert_eq!(started["database"], json!(shown), "{started}");
    let metrics_url = started["metrics"].as_str().unwrap().to_owned();
    assert!(
        metrics_url.starts_with("http://127.0.0.1:"),
        "{metrics_url}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "Mosaic has stopped; the database is closed")
    );

    // Started again, the metrics listener serves metrics and nothing else.
    let mut command = server_command(false);
    command
        .current_dir(dir.path())
        .args(["--data-dir", "state", "--dist", "no-dist"])
        .args(["--metrics-listen", "127.0.0.1:0", "--log-format", "json"])
        .stderr(Stdio::piped())
        .env("RUST_LOG", "info");
    let mut server = start_command(command);
    let log = collect_log(&mut server);
    let metrics_addr = metrics_addr(&log);
    let metrics = http_get(&metrics_addr, "/metrics");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(metrics.contains("mosaic_build_info{"), "{metrics}");
    for path in ["/api/v1/reviews", "/", "/reviews/abc"] {
        let other = http_get(&metrics_addr, path);
        assert!(other.starts_with("HTTP/1.1 404"), "{path}: {other}");
        assert!(other.contains("\"not_found\""), "{path}: {other}");
    }
    let closed = http_get(&server.addr, "/metrics");
    assert!(closed.starts_with("HTTP/1.1 404"), "{closed}");
    assert!(stop(&mut server, Duration::from_secs(10)).success());
}

/// SIGTERM with an event stream open and a request stuck halfway through its body: the main
/// port stops accepting, `/readyz` (on the metrics listener, still up) turns 503, the stream
/// ends, the stuck request is given `--shutdown-timeout` and then cut, the process exits
/// successfully, and the database is closed cleanly (its WAL folded into the file).
#[test]
fn shutdown_ends_streams_and_is_bounded_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mosaic.db");
    let mut command = server_command(true);
    command
        .arg("--database")
        .arg(&database)
        .args(["--dist", "no-dist", "--shutdown-timeout", "2"])
        .args(["--log-format", "json", "--metrics-listen", "127.0.0.1:0"]);
    let mut server = start_command(command);
    let addr = server.addr.clone();
    let log = collect_log(&mut server);
    let metrics_addr = metrics_addr(&log);
    assert!(http_get(&metrics_addr, "/readyz").starts_with("HTTP/1.1 200"));
    let (status, created) = request(&addr, "POST", "/api/v1/reviews", "", &review_body("r-stop"))
        .expect("the server answers");
    assert_eq!(status, 201, "{created}");
    let token = created["facilitator_token"].as_str().unwrap();

    let mut stream = connect(&addr);
    write!(
        stream,
        "GET /api/v1/reviews/r-stop/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0; 1024];
    while !String::from_utf8_lossy(&seen).contains("data: {\"version\":1}") {
        let n = stream.read(&mut buf).unwrap();
        assert_ne!(n, 0);
        seen.extend_from_slice(&buf[..n]);
    }
    // Promises 1,000 bytes of body and sends 10: the handler waits for the rest.
    let mut stuck = connect(&addr);
    write!(
        stuck,
        "POST /api/v1/reviews/r-stop/ops HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"op_id\":"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let started = Instant::now();
    terminate(&server);
    // The line is logged as the shutdown begins; the flag and the listener follow at once.
    wait_for_line(&log, "shutting down: finishing requests in flight");
    let not_ready = eventually(|| {
        let answer = http_get(&metrics_addr, "/readyz");
        answer.starts_with("HTTP/1.1 503").then_some(answer)
    });
    assert!(
        not_ready.contains("The server is shutting down."),
        "{not_ready}"
    );
    eventually(|| TcpStream::connect(&addr).is_err().then_some(()));
    let exit = wait_exit(&mut server, Duration::from_secs(8));
    let took = started.elapsed();
    assert!(exit.success(), "{exit}");
    assert!(
        took >= Duration::from_millis(1900),
        "the stuck request got its time: {took:?}"
    );
    stream.read_to_end(&mut seen).unwrap();
    assert!(
        String::from_utf8_lossy(&seen).ends_with("0\r\n\r\n"),
        "the stream was ended"
    );
    wait_for_line(
        &log,
        "requests still in flight after the shutdown timeout: their connections are closed",
    );
    wait_for_line(&log, "Mosaic has stopped; the database is closed");
    let wal = dir.path().join("mosaic.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the WAL was folded into the database at close"
    );
    assert_eq!(sqlite_pragma(&database, "integrity_check"), "ok");
}

/// Writers keep writing through the API while `mosaic-server backup` copies the live
/// database. The copy passes SQLite's integrity check; `restore` refuses while the server
/// runs; once it is stopped the backup is restored, and a server on it holds every write
/// acknowledged before the backup began.
#[test]
fn a_backup_under_load_is_whole_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let start = || {
        let mut command = server_command(false);
        command
            .arg("--data-dir")
            .arg(&data)
            .args(["--dist", "no-dist"]);
        start_command(command)
    };
    let server = start();
    let (status, created) = request(
        &server.addr,
        "POST",
        "/api/v1/reviews",
        "",
        &review_body("r-backup"),
    )
    .expect("the server answers");
    assert_eq!(status, 201, "{created}");
    let token = created["facilitator_token"].as_str().unwrap().to_owned();

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (addr, token) = (server.addr.clone(), token.clone());
            let (acknowledged, done) = (acknowledged.clone(), done.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let id = format!("p-{w}-{i}");
                    loop {
                        if done.load(Ordering::SeqCst) {
                            return;
                        }
                        let (_, review) =
                            request(&addr, "GET", "/api/v1/reviews/r-backup", &token, &json!({}))
                                .unwrap();
                        let op = json!({
                            "op_id": format!("op-{id}"),
                            "base_version": review["version"],
                            "op": {"op": "add_participant", "id": id,
                                   "participant": {"name": id, "role": "SRE",
                                                   "show_name_when_published": false}}
                        });
                        match request(&addr, "POST", "/api/v1/reviews/r-backup/ops", &token, &op) {
                            Some((200, _)) => {
                                acknowledged.lock().unwrap().push(id);
                                break;
                            }
                            Some((412, _)) => continue,
                            other => panic!("{other:?}"),
                        }
                    }
                }
            })
        })
        .collect();

    while acknowledged.lock().unwrap().len() < 30 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let before_backup = acknowledged.lock().unwrap().clone();
    let backup = dir.path().join("backup.db");
    let output = ops_command(&data, &["backup", backup.to_str().unwrap()]);
    let during = acknowledged.lock().unwrap().len() - before_backup.len();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("integrity ok"));

    // The server is still serving: restoring over its database is refused.
    let refused = ops_command(&data, &["restore", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("stop the server"),
        "{refused:?}"
    );
    std::thread::sleep(Duration::from_millis(100));
    done.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.join().unwrap();
    }
    let total = acknowledged.lock().unwrap().len();
    assert!(
        total > before_backup.len(),
        "writes went on during the backup"
    );
    drop(server);

    assert_eq!(sqlite_pragma(&backup, "integrity_check"), "ok");
    let restored = ops_command(&data, &["restore", backup.to_str().unwrap()]);
    assert!(restored.status.success(), "{restored:?}");
    assert!(
        std::fs::read_dir(&data).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("replaced-")),
        "the replaced database is kept"
    );

    let server = start();
    let (status, review) = request(
        &server.addr,
        "GET",
        "/api/v1/reviews/r-backup",
        &token,
        &json!({}),
    )
    .unwrap();
    assert_eq!(status, 200, "{review}");
    let stored: Vec<&str> = review["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let lost: Vec<&String> = before_backup
        .iter()
        .filter(|id| !stored.contains(&id.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "acknowledged before the backup but lost: {lost:?}"
    );
    assert!(
        stored.len() < total,
        "the restored database is the backup's, not the latest"
    );
    eprintln!(
        "backup test: {} writes before the backup, {during} during it, {total} in all; {} restored",
        before_backup.len(),
        stored.len()
    );
}

/// `mosaic-server migrate-data` from the command line: a SQLite data directory's review moves
/// into a new PostgreSQL database, a server started on it serves the review to the same token,
/// and a second copy into the same database is refused. (The move of every kind of row is
/// tested through the store, in the API tests.)
#[test]
fn migrate_data_moves_a_data_directory_to_postgres() {
    let Ok(url) = std::env::var("MOSAIC_TEST_POSTGRES_URL") else {
        eprintln!("PostgreSQL tier not run: MOSAIC_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut command = server_command(false);
    command
        .arg("--data-dir")
        .arg(&data)
        .args(["--dist", "no-dist"]);
    let mut server = start_command(command);
    let (status, created) = request(
        &server.addr,
        "POST",
        "/api/v1/reviews",
        "",
        &review_body("r-move"),
    )
    .expect("the server answers");
    assert_eq!(status, 201, "{created}");
    let token = created["facilitator_token"].as_str().unwrap().to_owned();
    assert!(stop(&mut server, Duration::from_secs(10)).success());

    let database = format!("mosaic_move_{}", std::process::id());
    let admin = |sql: String| {
        let url = url.clone();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query(&sql).execute(&mut conn).await.unwrap();
            });
    };
    admin(format!("DROP DATABASE IF EXISTS {database}"));
    admin(format!("CREATE DATABASE {database}"));
    let (base, _) = url.rsplit_once('/').unwrap();
    let target = format!("{base}/{database}");

    let moved = ops_command(
        &data,
        &[
            "migrate-data",
            "--from",
            "sqlite://mosaic.db",
            "--to",
            &target,
        ],
    );
    assert!(moved.status.success(), "{moved:?}");
    let said = String::from_utf8_lossy(&moved.stdout);
    assert!(said.contains("1 reviews"), "{said}");
    assert!(
        !said.contains(&target),
        "the URL is not printed whole: {said}"
    );
    let again = ops_command(
        &data,
        &[
            "migrate-data",
            "--from",
            "sqlite://mosaic.db",
            "--to",
            &target,
        ],
    );
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds 1 review"),
        "{again:?}"
    );

    let mut command = server_command(false);
    command.args(["--database", &target, "--dist", "no-dist"]);
    let mut server = start_command(command);
    let (status, review) = request(
        &server.addr,
        "GET",
        "/api/v1/reviews/r-move",
        &token,
        &json!({}),
    )
    .unwrap();
    assert_eq!(status, 200, "{review}");
    assert_eq!(review["id"], "r-move");
    assert!(review.to_string().contains("Operating test"), "{review}");
    assert!(stop(&mut server, Duration::from_secs(10)).success());
    admin(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
}

/// Runs `mosaic-server --data-dir DATA ARGS…` to the end.
fn ops_command(data: &Path, args: &[&str]) -> std::process::Output {
    let mut command = server_command(false);
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stderr(Stdio::piped());
    command.output().unwrap()
}

fn review_body(id: &str) -> Value {
    json!({
        "id": id, "title": "Operating test", "started_at": "2026-11-01T10:00:00Z",
        "severity": "sev3", "team": "Storage"
    })
}

/// The child's stderr, read line by line into a shared string by a thread of its own (so the
/// server never blocks on a full pipe) while the test goes on.
fn collect_log(server: &mut Server) -> Arc<Mutex<String>> {
    let stderr = server.child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
            let Ok(line) = line else { return };
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    log
}

/// The first JSON line of `log` whose message is `message`, waiting up to 10 s for it.
fn wait_for_line(log: &Mutex<String>, message: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = log.lock().unwrap().lines().find_map(|line| {
            let line: Value = serde_json::from_str(line).ok()?;
            (line["message"] == message).then_some(line)
        });
        if let Some(line) = found {
            return line;
        }
        assert!(
            Instant::now() < deadline,
            "no {message:?} in {}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The metrics listener's `host:port`, from the start line of a JSON log.
fn metrics_addr(log: &Mutex<String>) -> String {
    wait_for_line(log, "Mosaic is running")["metrics"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_owned()
}

fn read_log(server: &mut Server) -> String {
    let mut log = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    log
}

/// The value of header `name` in a raw HTTP response.
fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split_once("\r\n\r\n")?.0;
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// The first `Some` of `check`, tried every 10 ms for up to a second.
fn eventually<T>(mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "not within a second");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends SIGTERM and waits, at most `limit`, for the server to exit.
fn stop(server: &mut Server, limit: Duration) -> ExitStatus {
    terminate(server);
    wait_exit(server, limit)
}

fn terminate(server: &Server) {
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(server: &mut Server, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            return exit;
        }
        assert!(
            Instant::now() < deadline,
            "still running {limit:?} after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
