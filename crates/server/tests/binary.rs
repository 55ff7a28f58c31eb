//! The real binary, once, over loopback: what scripts and the browser tests rely on. It prints
//! `Mosaic is running at http://ADDR/` with the port actually bound, answers on it, and exits
//! cleanly on SIGTERM, leaving a SQLite file in WAL mode.

#![cfg(unix)]

mod common;

use common::{sqlite_pragma, start};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
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

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit}");

    assert!(database.is_file());
    let journal_mode = sqlite_pragma(&database, "journal_mode");
    assert_eq!(journal_mode, "wal");
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}
