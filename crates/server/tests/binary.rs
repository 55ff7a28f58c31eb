//! The real binary over loopback: what scripts and the browser tests rely on. It prints
//! `Mosaic is running at http://ADDR/` with the port actually bound, answers on it, and exits
//! cleanly on SIGTERM, leaving a SQLite file in WAL mode, even with an event stream open.

#![cfg(unix)]

mod common;

use common::{Server, connect, http, http_get, sqlite_pragma, start, start_with};

use std::io::{Read, Write};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

#[test]
fn starts_on_a_free_port_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mosaic.db");
    let mut server = start(&database, &dir.path().join("no-dist"));
    let addr = server.addr.clone();
    let addr = addr.as_str();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert_ne!(
        addr, "127.0.0.1:0",
        "the bound port is printed, not the requested one"
    );

    let response = http_get(addr, "/healthz");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with(r#"{"status":"ok"}"#), "{response}");

    let exit = stop(&mut server);
    assert!(exit.success(), "{exit}");

    assert!(database.is_file());
    let journal_mode = sqlite_pragma(&database, "journal_mode");
    assert_eq!(journal_mode, "wal");
}

/// `--access-key` closes the API but not the health check, and is never logged; an event
/// stream left open (key and token in its query, as a browser sends them) ends at SIGTERM
/// instead of holding up the shutdown.
#[test]
fn an_access_key_closes_the_api_and_open_streams_end_on_sigterm() {
    const KEY: &str = "binary-key-5f1c-0a9b";
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mosaic.db");
    let dist = dir.path().join("no-dist");
    let mut server = start_with(&database, &dist, &["--access-key", KEY], true);
    let addr = server.addr.clone();
    let addr = addr.as_str();

    assert!(http_get(addr, "/healthz").starts_with("HTTP/1.1 200"));
    let refused = http_get(addr, "/api/v1/reviews");
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    assert!(refused.contains("access_key_required"), "{refused}");

    let body = r#"{"id": "r-bin", "title": "Checkout latency", "started_at": "2026-11-01T10:00:00Z",
        "detected_at": "2026-11-01T10:05:00Z", "severity": "sev2", "team": "Payments",
        "services": ["api"]}"#;
    let created = http(
        addr,
        &format!(
            "POST /api/v1/reviews HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             X-Mosaic-Access-Key: {KEY}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let (_, json) = created.split_once("\r\n\r\n").unwrap();
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    let token = json["facilitator_token"].as_str().unwrap();

    let mut stream = connect(addr);
    write!(
        stream,
        "GET /api/v1/reviews/r-bin/events?token={token}&access_key={KEY} HTTP/1.1\r\n\
         Host: {addr}\r\n\r\n"
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0; 1024];
    while !String::from_utf8_lossy(&seen).contains("data: {\"version\":1}") {
        let n = stream.read(&mut buf).unwrap();
        assert_ne!(
            n,
            0,
            "the stream closed: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"));

    let exit = stop(&mut server);
    assert!(exit.success(), "{exit}");
    // The stream was ended, not cut: the chunked body's last chunk came.
    stream.read_to_end(&mut seen).unwrap();
    assert!(String::from_utf8_lossy(&seen).ends_with("0\r\n\r\n"));

    let mut log = String::new();
    let mut stderr = server.child.stderr.take().unwrap();
    stderr.read_to_string(&mut log).unwrap();
    assert!(log.contains("closed: every API request needs"), "{log}");
    assert!(!log.contains(KEY), "the key was logged: {log}");
}

/// Sends SIGTERM and waits, at most 10 s, for the server to exit.
fn stop(server: &mut Server) -> ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            return exit;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
