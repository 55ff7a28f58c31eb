//! A crash test of the real binary: clients write while the server is killed with SIGKILL; after a
//! restart every write the server acknowledged is there, and SQLite's integrity check passes.
//! (SQLite runs WAL with synchronous=FULL: an acknowledged commit has reached the disk.)

#![cfg(unix)]

mod common;

use common::{request, sqlite_pragma, start};

use serde_json::json;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mosaic.db");
    let server = start(&database, &dir.path().join("no-dist"));
    let created = request(
        &server.addr,
        "POST",
        "/api/v1/reviews",
        "",
        &json!({
            "id": "crash-test", "title": "Crash test", "started_at": "2026-11-01T10:00:00Z",
            "severity": "sev3", "team": "Storage"
        }),
    )
    .expect("the server answers");
    assert_eq!(created.0, 201, "{}", created.1);
    let token = created.1["facilitator_token"].as_str().unwrap().to_owned();

    // Writers: read the version, add one participant conditionally, retry when stale. Every
    // 200 is an acknowledged write, remembered by the participant's id.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (addr, token) = (server.addr.clone(), token.clone());
            let (acknowledged, killed) = (acknowledged.clone(), killed.clone());
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    let id = format!("p-{w}-{i}");
                    loop {
                        if killed.load(Ordering::SeqCst) {
                            return;
                        }
                        let Some((200, review)) = request(
                            &addr,
                            "GET",
                            "/api/v1/reviews/crash-test",
                            &token,
                            &json!({}),
                        ) else {
                            return;
                        };
                        let op = json!({
                            "op_id": format!("op-{id}"),
                            "base_version": review["version"],
                            "op": {"op": "add_participant", "id": id,
                                   "participant": {"name": id, "role": "SRE",
                                                   "show_name_when_published": false}}
                        });
                        match request(&addr, "POST", "/api/v1/reviews/crash-test/ops", &token, &op)
                        {
                            Some((200, _)) => {
                                acknowledged.lock().unwrap().push(id);
                                break;
                            }
                            Some((412, _)) => continue,
                            Some((status, body)) => panic!("{status}: {body}"),
                            None => return,
                        }
                    }
                }
            })
        })
        .collect();

    // Kill the server mid-stream, once some writes have been acknowledged.
    while acknowledged.lock().unwrap().len() < 40 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut server = server;
    Command::new("kill")
        .args(["-KILL", &server.child.id().to_string()])
        .status()
        .unwrap();
    server.child.wait().unwrap();
    killed.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let restarted = start(&database, &dir.path().join("no-dist"));
    let (status, review) = request(
        &restarted.addr,
        "GET",
        "/api/v1/reviews/crash-test",
        &token,
        &json!({}),
    )
    .expect("the restarted server answers");
    assert_eq!(status, 200, "{review}");
    let stored: Vec<&str> = review["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(&id.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(stored.len() >= acknowledged.len());
    drop(restarted);

    let integrity = sqlite_pragma(&database, "integrity_check");
    assert_eq!(integrity, "ok");
    eprintln!(
        "crash test: {} writes acknowledged before SIGKILL, all present after restart",
        acknowledged.len()
    );
}
