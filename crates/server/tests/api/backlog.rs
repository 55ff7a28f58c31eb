//! Actions in the backlog, through the API: the open-actions list (`GET /api/v1/actions`), the
//! webhook outbox written with each change, and its delivery by the worker to a receiver on
//! 127.0.0.1. Part of the `suite!`, so each test runs on SQLite and on PostgreSQL.

use super::{Spec, publish};
use crate::TestApp;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{NaiveDate, TimeDelta, Utc};
use mosaic_domain::FactorKind;
use mosaic_domain::backlog::ActionsPage;
use mosaic_server::store::{Committed, PendingDelivery, Webhook};
use mosaic_server::webhooks::{self, Worker};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A word only a team-only section holds: no payload, no list may carry it.
const MARKER: &str = "zebrafishmarker";

async fn list(app: &TestApp, query: &str) -> ActionsPage {
    let response = app.get(&format!("/api/v1/actions{query}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn titles(page: &ActionsPage) -> Vec<String> {
    page.items.iter().map(|a| a.action.title.clone()).collect()
}

fn spec(id: &'static str, action: &str, due: Option<&'static str>, team: &str) -> Spec {
    let mut spec = Spec::new(id);
    spec.action = action.into();
    spec.due = due;
    spec.team = team.into();
    spec
}

pub async fn open_actions_are_listed_due_first_paged_and_filtered(app: &TestApp) {
    publish(
        app,
        &spec("bl-late", "Late action", Some("2026-12-20"), "Payments"),
    )
    .await;
    publish(app, &spec("bl-undated", "Undated action", None, "Search")).await;
    let soon = publish(
        app,
        &spec("bl-soon", "Soon action", Some("2026-11-10"), "Payments"),
    )
    .await;
    // Actions kept to the team: not on the organisation's list.
    let mut hidden = spec("bl-hidden", "Hidden action", Some("2026-11-01"), "Payments");
    hidden.audience = json!({"actions": "team"});
    publish(app, &hidden).await;

    let all = list(app, "").await;
    assert_eq!(
        titles(&all),
        ["Soon action", "Late action", "Undated action"]
    );
    assert_eq!(all.next, None);
    // People by role, as the organisation reads them.
    assert_eq!(all.items[0].action.owner.as_deref(), Some("on-call SRE"));
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains("Alice"), "{text}");

    // Paged by the list's own order.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(app, &format!("?limit=1{cursor}")).await;
        seen.extend(titles(&page));
        match page.next {
            Some(next) => cursor = format!("&cursor={}", super::encode(&next)),
            None => break,
        }
    }
    assert_eq!(seen, titles(&all));

    assert_eq!(
        titles(&list(app, "?team=payments").await),
        ["Soon action", "Late action"]
    );
    assert_eq!(
        titles(&list(app, "?owner=On-call%20SRE&team=Search").await),
        ["Undated action"]
    );
    assert_eq!(
        titles(&list(app, "?priority=p1&kind=prevent").await).len(),
        3
    );
    assert!(list(app, "?priority=p2").await.items.is_empty());
    assert!(list(app, "?kind=learn").await.items.is_empty());

    // A status change reaches the list: done is off it.
    soon.op(
        app,
        json!({"op": "set_action_status", "id": "a1", "status": "done"}),
    )
    .await;
    assert_eq!(
        titles(&list(app, "").await),
        ["Late action", "Undated action"]
    );
    // And the feed's time to improve counts it.
    let stats: Value = app.get("/api/v1/feed/stats").await.json();
    let improve = &stats["time_to_improve"];
    assert_eq!(improve["done"], 1, "{stats}");
    assert_eq!(improve["done_fast"], 1);
    assert_eq!(
        improve["done_untimed"], 0,
        "its creation and done times are kept"
    );
    assert_eq!(improve["median_days"], 0);
    assert_eq!(improve["open_by_age"]["recent"], 2);

    let bad = app.get("/api/v1/actions?limit=0").await;
    bad.error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let bad = app.get("/api/v1/actions?colour=red").await;
    bad.error(StatusCode::BAD_REQUEST, "invalid_query");
    let bad = app.get("/api/v1/actions?priority=p9").await;
    bad.error(StatusCode::BAD_REQUEST, "invalid_query");
}

pub async fn tracker_links_and_owning_teams_reach_the_finding(app: &TestApp) {
    let made = publish(app, &spec("bl-tracker", "Tracked action", None, "Payments")).await;
    made.op(app, json!({"op": "transition", "to": "actions"}))
        .await;
    let review = made.review(app).await;
    let mut input = review.actions()[0].to_input();
    input.tracker_url = "javascript:alert(1)".into();
    let body = json!({
        "op_id": "bl-bad-link", "base_version": review.version,
        "op": {"op": "update_action", "id": "a1", "action": input},
    });
    let path = "/api/v1/reviews/bl-tracker/ops";
    let refused = app
        .call(
            axum::http::Method::POST,
            path,
            Some(&made.facilitator),
            Some(&body),
            None,
        )
        .await;
    let error = refused.error(StatusCode::UNPROCESSABLE_ENTITY, "refused");
    assert!(
        error.message.contains("tracker_url must be a web address"),
        "{error:?}"
    );
    assert_eq!(made.review(app).await, review, "nothing changed");

    input.tracker_url = "https://jira.example/browse/OPS-12".into();
    input.assignee = "Platform team".into();
    made.op(
        app,
        json!({"op": "update_action", "id": "a1", "action": input}),
    )
    .await;
    made.op(app, json!({"op": "transition", "to": "published"}))
        .await;
    made.op(
        app,
        json!({"op": "set_action_status", "id": "a1", "status": "in_progress"}),
    )
    .await;
    let finding: Value = app.get("/api/v1/feed/bl-tracker").await.json();
    let action = &finding["finding"]["actions"][0];
    assert_eq!(action["tracker_url"], "https://jira.example/browse/OPS-12");
    assert_eq!(action["assignee"], "Platform team");
    assert_eq!(action["history"][0]["from"], "open");
    assert_eq!(action["history"][0]["to"], "in_progress");
    let listed = list(app, "?owner=platform%20team").await;
    assert_eq!(titles(&listed), ["Tracked action"]);
}

fn hook(id: &str, url: &str, team: Option<&str>, format: &str) -> Webhook {
    let mut hook =
        webhooks::new_webhook(url, "a-secret-of-sixteen", team, None, format, Utc::now()).unwrap();
    hook.id = id.to_owned();
    hook
}

/// Every delivery in the outbox, sent or not.
async fn outbox(app: &TestApp) -> Vec<PendingDelivery> {
    // Pending ones with their data; due as far ahead as a day and a half.
    app.store
        .due_deliveries(Utc::now() + TimeDelta::hours(36), 1000)
        .await
        .unwrap()
}

pub async fn the_outbox_is_written_with_the_change_that_causes_it(app: &TestApp) {
    app.store
        .webhook_add(&hook("wh-all", "http://127.0.0.1:9/", None, "json"))
        .await
        .unwrap();
    app.store
        .webhook_add(&hook(
            "wh-search",
            "http://127.0.0.1:9/",
            Some("Search"),
            "slack",
        ))
        .await
        .unwrap();
    let mut marked = spec("bl-hook", "Hooked action", Some("2026-11-02"), "Payments");
    marked.observations.push((
        FactorKind::KnowledgeGap,
        format!("Nobody knew the {MARKER} runbook"),
    ));
    marked.audience = json!({"knowledge_gaps": "team"});
    let made = publish(app, &marked).await;

    // Published: one delivery, to the endpoint that wants Payments, in the organisation's view.
    let sent = outbox(app).await;
    let events: Vec<&str> = sent.iter().map(|d| d.event.as_str()).collect();
    assert_eq!(events, ["finding.published"]);
    assert!(!sent[0].data.contains(MARKER), "{}", sent[0].data);
    assert!(!sent[0].data.contains("Alice"), "{}", sent[0].data);

    // A change that does not commit (a stale base) queues nothing.
    let review = made.review(app).await;
    let mut stale = review.clone();
    stale
        .set_action_status(
            &mosaic_domain::ActionId::parse("a1").unwrap(),
            mosaic_domain::ActionStatus::Done,
            Utc::now(),
        )
        .unwrap();
    let committed = app
        .store
        .commit_review(&stale, review.version - 1, None, None, None, Utc::now())
        .await
        .unwrap();
    assert_eq!(committed, Committed::Stale);
    assert_eq!(outbox(app).await.len(), 1);

    // Progress on an action: `finding.updated`; a change the organisation cannot see: nothing.
    made.op(
        app,
        json!({"op": "set_action_status", "id": "a1", "status": "in_progress"}),
    )
    .await;
    let events: Vec<String> = outbox(app).await.into_iter().map(|d| d.event).collect();
    assert_eq!(events, ["finding.published", "finding.updated"]);

    // Overdue: once per action per day, however often the worker looks.
    let today = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
    assert_eq!(app.store.queue_overdue(today, Utc::now()).await.unwrap(), 1);
    assert_eq!(app.store.queue_overdue(today, Utc::now()).await.unwrap(), 0);
    let next_day = today.succ_opt().unwrap();
    assert_eq!(
        app.store.queue_overdue(next_day, Utc::now()).await.unwrap(),
        1
    );
    // Not yet due on the day before its due date.
    let before = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    assert_eq!(
        app.store.queue_overdue(before, Utc::now()).await.unwrap(),
        0
    );
    let all = outbox(app).await;
    let overdue = all.iter().filter(|d| d.event == "action.overdue").count();
    assert_eq!(overdue, 2);
    for d in &all {
        assert!(!d.data.contains(MARKER), "{}", d.data);
    }
    let deliveries = app.store.webhook_deliveries(100).await.unwrap();
    assert!(deliveries.iter().all(|d| d.webhook_id == "wh-all"));
    assert!(
        deliveries
            .iter()
            .all(|d| d.state == "pending" && d.attempts == 0)
    );
}

/// What a receiver got: each request's headers and body.
#[derive(Clone, Default)]
struct Received {
    requests: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    /// While true, answers 503.
    down: Arc<Mutex<bool>>,
}

async fn receive(State(r): State<Received>, headers: HeaderMap, body: String) -> StatusCode {
    if *r.down.lock().unwrap() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    r.requests.lock().unwrap().push((headers, body));
    StatusCode::NO_CONTENT
}

/// A receiver on 127.0.0.1: its URL and what it got.
async fn receiver() -> (String, Received, tokio::task::JoinHandle<()>) {
    let received = Received::default();
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (format!("http://{addr}/hook"), received, task)
}

/// Waits until `done` holds, polling; panics after 20 s.
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("not reached in 20 s");
}

pub async fn a_receiver_gets_each_event_once_signed_even_after_being_down(app: &TestApp) {
    let (url, received, server) = receiver().await;
    app.store
        .webhook_add(&hook("wh-live", &url, None, "json"))
        .await
        .unwrap();
    *received.down.lock().unwrap() = true;
    // Two workers on one database, as with two server processes: each delivery still goes
    // out once.
    let workers: Vec<_> = (0..2)
        .map(|_| {
            tokio::spawn(
                Worker::new(
                    app.store.clone(),
                    "http://mosaic.test".parse().unwrap(),
                    Duration::from_millis(50),
                    Duration::from_millis(20),
                )
                .run(),
            )
        })
        .collect();
    let mut marked = spec("bl-live", "Live action", None, "Payments");
    marked.observations.push((
        FactorKind::KnowledgeGap,
        format!("Nobody knew the {MARKER} runbook"),
    ));
    marked.audience = json!({"knowledge_gaps": "team"});
    let made = publish(app, &marked).await;

    // Down: refused attempts are recorded, and retried.
    let store = app.store.clone();
    loop {
        let d = store.webhook_deliveries(10).await.unwrap();
        if d.first().is_some_and(|d| d.attempts >= 2) {
            assert_eq!(d[0].state, "pending");
            assert_eq!(d[0].last_status, Some(503));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Back: it arrives.
    *received.down.lock().unwrap() = false;
    until(|| received.requests.lock().unwrap().len() == 1).await;
    made.op(
        app,
        json!({"op": "set_action_status", "id": "a1", "status": "done"}),
    )
    .await;
    until(|| received.requests.lock().unwrap().len() == 2).await;
    // No more than one each: give the worker a few more rounds.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for worker in workers {
        worker.abort();
    }
    server.abort();

    let requests = received.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let mut ids = Vec::new();
    for ((headers, body), event) in requests
        .iter()
        .zip(["finding.published", "finding.updated"])
    {
        let signature = headers["mosaic-signature"].to_str().unwrap();
        let t: i64 = signature
            .strip_prefix("t=")
            .and_then(|rest| rest.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            signature,
            webhooks::signature("a-secret-of-sixteen", t, body.as_bytes()),
            "the signature verifies"
        );
        assert_ne!(
            signature,
            webhooks::signature("another-secret-16", t, body.as_bytes())
        );
        assert_eq!(headers["mosaic-event"], event);
        let doc: Value = serde_json::from_str(body).unwrap();
        assert_eq!(doc["event"], event);
        assert_eq!(doc["id"], headers["mosaic-delivery"].to_str().unwrap());
        assert_eq!(doc["link"], "http://mosaic.test/feed/bl-live");
        assert_eq!(doc["finding"]["review_id"], "bl-live");
        assert!(!body.contains(MARKER), "{body}");
        assert!(!body.contains("Alice"), "{body}");
        ids.push(doc["id"].as_str().unwrap().to_owned());
    }
    assert_ne!(ids[0], ids[1]);
    let deliveries = app.store.webhook_deliveries(10).await.unwrap();
    assert!(
        deliveries.iter().all(|d| d.state == "delivered"),
        "{deliveries:?}"
    );
    assert!(
        app.store
            .due_deliveries(Utc::now() + TimeDelta::days(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn related_findings_share_a_service_a_tag_or_what_went_on(app: &TestApp) {
    // Each with factors of its own, so only what a case names is shared.
    let shared = |id: &'static str, services: &[&str], tags: &[&str], factor: &str| {
        let mut spec = Spec::new(id);
        spec.services = services.iter().map(|s| s.to_string()).collect();
        spec.tags = tags.iter().map(|s| s.to_string()).collect();
        spec.observations = vec![(FactorKind::Technical, factor.to_owned())];
        spec
    };
    publish(
        app,
        &shared("rel-a", &["checkout"], &["database"], "Replica lag alpha"),
    )
    .await;
    publish(
        app,
        &shared("rel-tag", &["search"], &["Database"], "Shard bravo"),
    )
    .await;
    publish(
        app,
        &shared("rel-none", &["search"], &["dns"], "Quota charlie"),
    )
    .await;
    for (id, word) in [
        ("rel-s1", "delta"),
        ("rel-s2", "echo"),
        ("rel-s3", "foxtrot"),
        ("rel-s4", "golf"),
        ("rel-s5", "hotel"),
    ] {
        publish(app, &shared(id, &["Checkout"], &[], word)).await;
    }
    // What went on: two factor words shared ("certificate", "expired"), nothing else.
    publish(
        app,
        &shared(
            "rel-w1",
            &["ledger"],
            &[],
            "The certificate expired on a Sunday",
        ),
    )
    .await;
    publish(
        app,
        &shared(
            "rel-w2",
            &["billing"],
            &[],
            "Nobody saw the certificate had expired",
        ),
    )
    .await;
    // One shared word is not enough.
    publish(
        app,
        &shared("rel-w3", &["mail"], &[], "A certificate was renewed"),
    )
    .await;
    // Words the team kept to itself relate nothing.
    let mut hidden = shared("rel-w4", &["auth"], &[], "Quiet kilo");
    hidden.observations.push((
        FactorKind::KnowledgeGap,
        "Certificate expired unnoticed".to_owned(),
    ));
    hidden.audience = json!({"knowledge_gaps": "team"});
    publish(app, &hidden).await;

    let related = |id: &str| {
        let path = format!("/api/v1/feed/{id}/related");
        async move {
            let response = app.get(&path).await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            let page: mosaic_domain::feed::FeedPage = response.json();
            page.entries
                .into_iter()
                .map(|e| e.review_id.to_string())
                .collect::<Vec<_>>()
        }
    };
    // Newest first, at most five, never itself.
    assert_eq!(
        related("rel-a").await,
        ["rel-s5", "rel-s4", "rel-s3", "rel-s2", "rel-s1"]
    );
    // A tag (ignoring case) or a service: "rel-tag" shares its tag with "rel-a" and its
    // service with "rel-none".
    assert_eq!(related("rel-tag").await, ["rel-none", "rel-a"]);
    assert_eq!(related("rel-none").await, ["rel-tag"]);
    assert_eq!(related("rel-w1").await, ["rel-w2"]);
    assert_eq!(related("rel-w2").await, ["rel-w1"]);
    assert!(related("rel-w3").await.is_empty());
    assert!(related("rel-w4").await.is_empty());
    assert!(related("not-published").await.is_empty());
}
