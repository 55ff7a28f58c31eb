//! The real binary against sockets that hold on and say nothing: with more idle and trickling
//! connections open than its cap, it still answers a new request at once, and closes the
//! sockets that do nothing once their time is up.

#![cfg(unix)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const CAP: usize = 16;
const IDLE_TIMEOUT_S: u64 = 2;

#[test]
fn idle_and_trickling_sockets_neither_lock_out_requests_nor_stay_open() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mosaic.db");
    let server = common::start_with(
        &database,
        &dir.path().join("no-dist"),
        &[
            "--max-connections",
            &CAP.to_string(),
            "--idle-timeout",
            &IDLE_TIMEOUT_S.to_string(),
        ],
        false,
    );
    let addr = server.addr.clone();

    // Twice the cap of sockets that connect and send nothing, and as many that send a request
    // head one byte at a time, never finishing it.
    let idle: Vec<TcpStream> = (0..2 * CAP)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    let trickling: Vec<TcpStream> = (0..2 * CAP)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<TcpStream> = trickling.iter().map(|s| s.try_clone().unwrap()).collect();
    let trickle = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut writers = writers;
            while !stop.load(Ordering::Relaxed) {
                for w in &mut writers {
                    // A closed socket refuses the byte; that is what we are waiting for.
                    let _ = w.write_all(b"X");
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));

    // A person's request is answered at once, every time.
    for _ in 0..3 {
        let started = Instant::now();
        let response = http_get(&addr, "/healthz");
        let took = started.elapsed();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
    }

    // After the idle timeout (and the check's own period), every silent socket is closed.
    std::thread::sleep(Duration::from_secs(IDLE_TIMEOUT_S) + Duration::from_millis(1500));
    let open = idle
        .into_iter()
        .chain(trickling)
        .filter(|s| !is_closed(s))
        .count();
    stop.store(true, Ordering::Relaxed);
    trickle.join().unwrap();
    assert_eq!(open, 0, "sockets still open after the idle timeout");
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
}

/// Whether the server has closed `socket`: a read sees the end, or a reset.
fn is_closed(socket: &TcpStream) -> bool {
    let mut socket = socket.try_clone().unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0; 512];
    loop {
        match socket.read(&mut buf) {
            Ok(0) => return true,
            // A 408 or 400 the server sent before closing: keep reading to the end.
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
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
