//! Webhooks with the real binary: an endpoint registered with `mosaic-server webhook add`, a
//! finding published while the receiver is unreachable, the server killed with SIGKILL before
//! it could deliver, and after a restart the receiver (now up, on 127.0.0.1) gets the delivery
//! exactly once, signed with the endpoint's secret; `webhook deliveries` lists it delivered.

#![cfg(unix)]

mod common;

use common::{request, server_command, start_with, try_http};

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "binary-test-secret-0123";
const MARKER: &str = "quokkamarker";

/// `mosaic-server --database … webhook <args>`, which must succeed; its stdout.
fn webhook_command(database: &Path, args: &[&str]) -> String {
    let mut command: Command = server_command(false);
    // `--listen` is the server's flag; the subcommand takes the global ones.
    let output: Output = command
        .arg("--database")
        .arg(database)
        .arg("webhook")
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// One request with any headers: the status and the JSON body.
fn call(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &Value,
    extra: &str,
) -> (u16, Value) {
    let body = body.to_string();
    let response = try_http(
        addr,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/json\r\n{extra}\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .expect("the server answers");
    let status = response[9..12].parse().unwrap();
    let (_, json) = response.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

/// Publishes review `id` through the API, one participant (whose team-only knowledge gap holds
/// [`MARKER`]) and one action.
fn publish(addr: &str, id: &str) {
    let (status, created) = call(
        addr,
        "POST",
        "/api/v1/reviews",
        "",
        &json!({"id": id, "title": "Disk full on the queue", "started_at": "2026-11-01T10:00:00Z",
                "severity": "sev2", "team": "Messaging", "services": ["queue"]}),
        "",
    );
    assert_eq!(status, 201, "{created}");
    let token = created["facilitator_token"].as_str().unwrap().to_owned();
    let (status, joined) = call(
        addr,
        "POST",
        &format!("/api/v1/reviews/{id}/participants"),
        "",
        &json!({"invite_token": created["invite_token"], "name": "Alice Smith",
                "role": "on-call SRE", "show_name_when_published": false}),
        "",
    );
    assert_eq!(status, 201, "{joined}");
    let (pid, alice) = (
        joined["participant_id"].as_str().unwrap().to_owned(),
        joined["token"].as_str().unwrap().to_owned(),
    );
    let op = |n: &str, op: Value| {
        let (_, review) = request(
            addr,
            "GET",
            &format!("/api/v1/reviews/{id}"),
            &token,
            &json!({}),
        )
        .unwrap();
        let body = json!({"op_id": n, "base_version": review["version"], "op": op});
        let (status, answer) = call(
            addr,
            "POST",
            &format!("/api/v1/reviews/{id}/ops"),
            &token,
            &body,
            "",
        );
        assert_eq!(status, 200, "{answer}");
    };
    op("o1", json!({"op": "transition", "to": "investigating"}));
    let account = json!({"observations": [
        {"id": "k1", "kind": "knowledge_gap", "text": format!("Nobody knew the {MARKER} runbook")},
        {"id": "t1", "kind": "technical", "text": "No alert on disk usage"},
    ]});
    let path = format!("/api/v1/reviews/{id}/accounts/{pid}");
    let (status, answer) = call(addr, "PUT", &path, &alice, &account, "If-Match: \"0\"\r\n");
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = call(
        addr,
        "POST",
        &format!("{path}/submit"),
        &alice,
        &json!({}),
        "",
    );
    assert_eq!(status, 200, "{answer}");
    op("o2", json!({"op": "transition", "to": "revealed"}));
    op(
        "o3",
        json!({"op": "add_action", "id": "a1", "action": {"title": "Alert on disk usage",
               "description": "", "owner": null, "kind": "detect", "priority": "p2", "due": null,
               "status": "open", "factor_refs": []}}),
    );
    op("o4", json!({"op": "transition", "to": "actions"}));
    op("o5", json!({"op": "transition", "to": "published"}));
}

/// Each request a receiver got: its headers (lowercase names) and body.
type Received = Arc<Mutex<Vec<(Vec<(String, String)>, String)>>>;

/// Accepts on `listener`, recording each request's headers (lowercase names) and body, and
/// answering 204.
fn receive(listener: TcpListener, got: Received) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut headers = Vec::new();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let Some((name, value)) = line.trim_end().split_once(": ") else {
                break;
            };
            headers.push((name.to_lowercase(), value.to_owned()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        got.lock()
            .unwrap()
            .push((headers, String::from_utf8(body).unwrap()));
        let _ = stream.write_all(
            b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    }
}

#[test]
fn a_delivery_committed_before_sigkill_arrives_once_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mosaic.db");
    let dist = dir.path().join("no-dist");
    // A port with nobody listening yet: the receiver is down.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");

    // The subcommand opens (and migrates) the database itself.
    let id = webhook_command(&database, &["add", "--url", &url, "--secret", SECRET]);
    let id = id.trim().to_owned();
    assert!(id.starts_with("wh_"), "{id}");
    let listed = webhook_command(&database, &["list"]);
    assert!(
        listed.contains(&id) && listed.contains(&format!("127.0.0.1:{port}/…")),
        "{listed}"
    );
    assert!(
        !listed.contains("/hook") && !listed.contains(SECRET),
        "{listed}"
    );

    let flags = ["--webhook-first-retry-ms", "50", "--webhook-poll-ms", "20"];
    let mut server = start_with(&database, &dist, &flags, false);
    publish(&server.addr, "hooked");
    // Wait for a failed attempt, so the kill comes between the commit and the delivery.
    let started = Instant::now();
    loop {
        let deliveries = webhook_command(&database, &["deliveries"]);
        if deliveries.contains("\"attempts\":1") || deliveries.contains("\"attempts\":2") {
            assert!(deliveries.contains("\"state\":\"pending\""), "{deliveries}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{deliveries}");
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-KILL", &server.child.id().to_string()])
        .status()
        .unwrap();
    server.child.wait().unwrap();

    // The receiver comes up; the server restarts and delivers.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let got = Received::default();
    {
        let got = got.clone();
        std::thread::spawn(move || receive(listener, got));
    }
    let _restarted = start_with(&database, &dist, &flags, false);
    let started = Instant::now();
    while got.lock().unwrap().is_empty() {
        // A kill in the middle of an attempt leaves the delivery claimed for its lease (30 s)
        // before the restarted process may send it.
        assert!(
            started.elapsed() < Duration::from_secs(50),
            "never delivered"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    loop {
        let deliveries = webhook_command(&database, &["deliveries"]);
        if deliveries.contains("\"state\":\"delivered\"") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{deliveries}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Once marked delivered, it is never sent again: a few more rounds of the worker.
    std::thread::sleep(Duration::from_millis(300));
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let (headers, body) = &got[0];
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let signature = header("mosaic-signature");
    let t: i64 = signature[2..signature.find(',').unwrap()].parse().unwrap();
    assert_eq!(
        signature,
        mosaic_server::webhooks::signature(SECRET, t, body.as_bytes())
    );
    let doc: Value = serde_json::from_str(body).unwrap();
    assert_eq!(doc["event"], "finding.published");
    assert_eq!(header("mosaic-event"), "finding.published");
    assert_eq!(doc["id"], header("mosaic-delivery").as_str());
    assert_eq!(doc["finding"]["review_id"], "hooked");
    assert!(!body.contains(MARKER) && !body.contains("Alice"), "{body}");
    assert_eq!(doc["finding"]["actions"][0]["title"], "Alert on disk usage");

    assert!(webhook_command(&database, &["remove", &id]).contains(&id));
    assert!(webhook_command(&database, &["list"]).trim().is_empty());
}
