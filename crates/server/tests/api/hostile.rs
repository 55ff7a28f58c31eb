//! A hostile client: one test per way a client could abuse the API, each checking the server
//! refuses clearly and stores nothing. A child of `sync`, whose `World` it shares; part of the
//! `suite!`, so each test runs on SQLite and on PostgreSQL (where the same input must get the
//! same answer).

use super::{World, put_account};
use crate::{TestApp, TestResponse};
use axum::http::{Method, StatusCode, header};
use mosaic_domain::wire::ErrorBody;
use mosaic_domain::{Account, EntryId, EntryInput, ReviewId};
use serde_json::{Value, json};

/// `PUT` a raw JSON body as `who`'s account, against version `base`.
async fn put_raw(
    app: &TestApp,
    w: &World,
    who: &mosaic_domain::wire::Joined,
    base: u64,
    body: &Value,
) -> TestResponse {
    let path = w.account_path(who, "");
    let if_match = format!("\"{base}\"");
    app.call(
        Method::PUT,
        &path,
        Some(&who.token),
        Some(body),
        Some(&if_match),
    )
    .await
}

fn entry(id: &str, what: &str) -> Value {
    json!({"id": id, "at": "2026-11-01T10:00:00Z", "what_happened": what})
}

/// The fields a 422 named.
fn fields(body: &ErrorBody) -> Vec<&str> {
    body.fields.iter().map(|f| f.field.as_str()).collect()
}

/// (1) Every invalid account document the release build stored is refused with its field
/// named, nothing is stored, and drafts are taken only before the reveal.
pub async fn hostile_account_documents_are_refused_and_nothing_stored(app: &TestApp) {
    let w = World::new(app, "r-hostile-accounts").await;
    let long = "x".repeat(10_000);
    let cases = [
        (
            json!({"entries": [entry("e1", "a"), entry("e1", "b")]}),
            "entries[1].id",
        ),
        (
            json!({"entries": [entry("e1", "")]}),
            "entries[0].what_happened",
        ),
        (
            json!({"entries": [entry("e1", &long)]}),
            "entries[0].what_happened",
        ),
        (
            json!({"observations": [{"id": "o1", "kind": "human", "text": "   "}]}),
            "observations[0].text",
        ),
    ];
    for (body, field) in cases {
        let error = put_raw(app, &w, &w.alice, 0, &body)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(fields(&error), [field], "{body}");
    }
    // Fields only the server sets, and unknown ones, are refused by name.
    for (extra, name) in [
        (json!({"commitment": "0".repeat(64)}), "commitment"),
        (
            json!({"submitted_at": "2026-11-01T12:00:00Z"}),
            "submitted_at",
        ),
        (json!({"version": 7}), "version"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let mut body = json!({"entries": [entry("e1", "fine")]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let error = put_raw(app, &w, &w.alice, 0, &body)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
        assert!(error.message.contains(&format!("`{name}`")), "{error:?}");
    }
    let id = ReviewId::parse(&w.id).unwrap();
    let stored = app
        .store
        .get_account(&id, &w.alice.participant_id)
        .await
        .unwrap();
    assert_eq!(stored, None, "nothing stored");

    // After the reveal no draft is taken: it could never be submitted.
    w.save(app, &w.bob, "bob").await;
    assert_eq!(w.submit(app, &w.bob).await.status, StatusCode::OK);
    w.facilitate(app, json!({"op": "transition", "to": "revealed"}))
        .await;
    let error = put_raw(
        app,
        &w,
        &w.alice,
        0,
        &json!({"entries": [entry("e1", "late")]}),
    )
    .await
    .error(StatusCode::CONFLICT, "refused");
    assert!(error.message.contains("can't be changed"), "{error:?}");
    let stored = app
        .store
        .get_account(&id, &w.alice.participant_id)
        .await
        .unwrap();
    assert_eq!(stored, None, "nothing stored");
}

/// (3) U+0000 and other C0 controls are the same 422, naming the field, on both databases,
/// wherever text enters: a review's creation, a join, an account, an op.
pub async fn hostile_control_characters_are_the_same_422_everywhere(app: &TestApp) {
    let mut create = crate::create_body("r-nul");
    create["title"] = json!("before\u{0}after");
    let error = app
        .post_json("/api/v1/reviews", &create)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(fields(&error), ["title"]);
    assert!(error.fields[0].message.contains("U+0000"), "{error:?}");
    assert!(app.listed_ids().await.is_empty(), "nothing stored");

    let w = World::new(app, "r-hostile-nul").await;
    let review = w.review(app).await;
    let join = json!({"invite_token": w.invite, "name": "Eve\u{1b}[2J", "role": "r"});
    let error = app
        .post_json(&w.path("/participants"), &join)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(fields(&error), ["name"]);
    let body = json!({"entries": [entry("e1", "nul \u{0} inside")]});
    let error = put_raw(app, &w, &w.alice, 0, &body)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(fields(&error), ["entries[0].what_happened"]);
    let op = json!({"op": "set_summary", "summary": "a\u{0}b"});
    let error = w
        .op(app, &w.facilitator, Some(review.version), op)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(fields(&error), ["op.summary"]);
    assert_eq!(w.review(app).await, review, "nothing stored");
    // Tab, newline and carriage return stay welcome.
    let op = json!({"op": "set_summary", "summary": "one\ttwo\r\nthree"});
    let response = w.op(app, &w.facilitator, Some(review.version), op).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

/// (5) Every response carries the security headers; API answers are never stored by a
/// cache; the app's page allows exactly its own inline loader.
pub async fn hostile_every_response_carries_the_security_headers(app: &TestApp) {
    let loader = "import init from '/mosaic-1.js';\nawait init();";
    std::fs::write(
        app.dist.path().join("index.html"),
        format!(
            "<!doctype html><html><head><script type=\"module\">{loader}</script></head></html>"
        ),
    )
    .unwrap();
    let page = app.get("/reviews/abc").await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header(header::CONTENT_SECURITY_POLICY).to_owned();
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader));
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
        &format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"),
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    let created = app
        .post_json("/api/v1/reviews", &crate::create_body("r-headers"))
        .await;
    for response in [
        &page,
        &created,
        &app.get("/api/v1/nothing").await,
        &app.get("/healthz").await,
    ] {
        assert_eq!(response.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(response.header(header::REFERRER_POLICY), "no-referrer");
        assert!(
            response
                .headers
                .contains_key(header::CONTENT_SECURITY_POLICY)
        );
        assert!(
            !response.headers.contains_key("strict-transport-security"),
            "http only"
        );
    }
    assert_eq!(created.header(header::CACHE_CONTROL), "no-store");
    assert_eq!(page.header(header::CACHE_CONTROL), "no-cache");
    // Behind an https public URL, browsers are told to keep to https.
    let https = mosaic_server::AppState::new(app.store.clone(), app.dist.path())
        .with_public_url("https://mosaic.example".parse().unwrap());
    let request = axum::http::Request::get("/healthz")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = crate::send_to(mosaic_server::app(https), request).await;
    assert!(
        response
            .header(header::STRICT_TRANSPORT_SECURITY)
            .starts_with("max-age="),
        "{:?}",
        response.headers
    );
}

/// (7) A review cannot grow without bound: past the limits, ops are refused and the review
/// stays as it was.
pub async fn hostile_documents_stop_growing_at_their_limits(app: &TestApp) {
    use mosaic_domain::limits::{MAX_REFERENCE_BYTES, MAX_REFERENCE_CHARS};
    let w = World::new(app, "r-hostile-limits").await;
    let body = "x".repeat(MAX_REFERENCE_CHARS);
    let fits = MAX_REFERENCE_BYTES / MAX_REFERENCE_CHARS;
    for i in 0..fits {
        let op = json!({"op": "add_reference", "id": format!("ref{i}"), "title": "log",
            "content": {"type": "text", "body": body}});
        w.facilitate(app, op).await;
    }
    let review = w.review(app).await;
    let op = json!({"op": "add_reference", "id": "one-more", "title": "log",
        "content": {"type": "text", "body": body}});
    let error = w
        .op(app, &w.facilitator, Some(review.version), op)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "refused");
    assert!(
        error
            .message
            .contains("references would grow past the limit of 512 KiB"),
        "{error:?}"
    );
    assert_eq!(w.review(app).await, review, "nothing stored");
    // An account past its entry limit is refused whole.
    let entries: Vec<Value> = (0..=mosaic_domain::limits::MAX_ENTRIES_PER_ACCOUNT)
        .map(|i| entry(&format!("e{i}"), "x"))
        .collect();
    let error = put_raw(app, &w, &w.alice, 0, &json!({ "entries": entries }))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(fields(&error), ["entries"]);
}

/// (8) The feed's links come from the configured public URL, never from `Host` or
/// `X-Forwarded-Proto`.
pub async fn hostile_host_headers_do_not_reach_feed_links(app: &TestApp) {
    for uri in ["/feed.atom", "/feed.json"] {
        let response = app
            .send(
                axum::http::Request::get(uri)
                    .header(header::HOST, "evil.example")
                    .header("x-forwarded-proto", "https")
                    .header("x-forwarded-host", "evil.example")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let text = response.text();
        assert!(!text.contains("evil.example"), "{text}");
        assert!(text.contains("http://mosaic.test/feed."), "{text}");
    }
}

/// (9) An op id sent again with a different op is a 409 with its own code, and the second op
/// is not applied; the same op again is still answered as applied.
pub async fn hostile_op_ids_are_bound_to_their_op(app: &TestApp) {
    let w = World::new(app, "r-hostile-opid").await;
    let base = w.review(app).await.version;
    let first = json!({"op": "set_summary", "summary": "first"});
    let response = w
        .op_with_id(app, &w.facilitator, "same-id", Some(base), first.clone())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let after = w.review(app).await;
    let second = json!({"op": "set_summary", "summary": "second"});
    let error = w
        .op_with_id(app, &w.facilitator, "same-id", Some(after.version), second)
        .await
        .error(StatusCode::CONFLICT, "op_id_reused");
    assert!(error.message.contains("`same-id`"), "{error:?}");
    assert_eq!(w.review(app).await, after, "the second op is not applied");
    let again = w
        .op_with_id(app, &w.facilitator, "same-id", Some(base), first)
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json::<mosaic_domain::Review>(), after);
}

/// An account the editor made still round-trips through the input shape.
pub async fn hostile_valid_drafts_still_store(app: &TestApp) {
    let w = World::new(app, "r-hostile-valid").await;
    let mut account = Account::new(
        ReviewId::parse(&w.id).unwrap(),
        w.alice.participant_id.clone(),
    );
    account
        .add_entry(
            EntryId::parse("e1").unwrap(),
            EntryInput {
                at: Some("2026-11-01T10:02:00Z".parse().unwrap()),
                what_happened: "tab\there".into(),
                ..EntryInput::default()
            },
        )
        .unwrap();
    let response = put_account(app, &account, &w.alice.token, 0).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json::<Account>().entries(), account.entries());
}

/// (4) One token holds at most `MAX_STREAMS_PER_TOKEN` event streams; past that, 429 with
/// `Retry-After`, and other members are not affected. Closing one frees its place.
pub async fn hostile_event_streams_are_capped_per_token(app: &TestApp) {
    use super::events::EventStream;
    let w = World::new(app, "r-hostile-streams").await;
    let events = w.path("/events");
    let mut open = Vec::new();
    for _ in 0..8 {
        let stream = EventStream::open(&app.router, &events, Some(&w.alice.token)).await;
        assert_eq!(stream.status, StatusCode::OK);
        open.push(stream);
    }
    let refused = EventStream::open(&app.router, &events, Some(&w.alice.token)).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers[header::RETRY_AFTER], "30");
    let bob = EventStream::open(&app.router, &events, Some(&w.bob.token)).await;
    assert_eq!(bob.status, StatusCode::OK, "another token is not affected");
    open.pop();
    let mut again = EventStream::open(&app.router, &events, Some(&w.alice.token)).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "a closed stream frees its place"
    );
    let first = again.next_version().await;

    // A grant is looked up again only when a token of the review is revoked, not at every
    // commit: a token withdrawn behind the server's back (no revocation published) still hears
    // the next version; the next revocation ends its stream.
    let alice = w.alice.participant_id.as_str();
    app.execute_raw(&format!(
        "UPDATE tokens SET revoked_at = '2026-11-01T12:00:00Z' WHERE participant_id = '{alice}'"
    ))
    .await;
    let review = w
        .facilitate(app, json!({"op": "set_summary", "summary": "checked"}))
        .await;
    assert!(review.version > first);
    assert_eq!(
        again.next_version().await,
        review.version,
        "no lookup at a commit"
    );
    let revoke = w.path(&format!("/participants/{}/token", w.bob.participant_id));
    let response = app
        .call(Method::DELETE, &revoke, Some(&w.facilitator), None, None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    again.assert_ended().await;
}

/// (6) The routes open without a token are limited per client address: past the burst, 429
/// with `Retry-After`, nothing stored; another address is not affected. Wrong access keys
/// bar the address from every key until it may try again.
pub async fn hostile_unauthenticated_routes_are_rate_limited(app: &TestApp) {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::Request;
    use mosaic_server::rate::{Limit, RateLimits, RateQuotas};
    use std::net::SocketAddr;
    use std::time::Duration;
    let tight = Limit {
        burst: 3,
        every: Duration::from_secs(60),
    };
    let quotas = RateQuotas {
        create: tight,
        join: tight,
        feed: tight,
        wrong_key: tight,
    };
    const KEY: &str = "hostile-key-0123456789";
    let state = mosaic_server::AppState::new(app.store.clone(), app.dist.path())
        .with_rate_limits(Some(RateLimits::new(quotas)));
    let open = mosaic_server::app(state.clone());
    let closed = mosaic_server::app(state.with_access_key(Some(KEY.parse().unwrap())));
    let from = |ip: &str, request: axum::http::request::Builder, body: Option<&Value>| {
        let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
        let request = request.extension(ConnectInfo(addr));
        match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => request.body(Body::empty()).unwrap(),
        }
    };
    let send = |router: &axum::Router, request| crate::send_to(router.clone(), request);

    for i in 0..3 {
        let body = crate::create_body(&format!("r-rate-{i}"));
        let response = send(
            &open,
            from("10.0.0.1", Request::post("/api/v1/reviews"), Some(&body)),
        )
        .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    }
    let body = crate::create_body("r-rate-over");
    let over = send(
        &open,
        from("10.0.0.1", Request::post("/api/v1/reviews"), Some(&body)),
    )
    .await;
    over.error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    let wait: u64 = over.header(header::RETRY_AFTER).parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(
        !app.listed_ids().await.contains(&"r-rate-over".to_owned()),
        "nothing stored"
    );
    let other = send(
        &open,
        from("10.0.0.2", Request::post("/api/v1/reviews"), Some(&body)),
    )
    .await;
    assert_eq!(
        other.status,
        StatusCode::CREATED,
        "another address is not limited"
    );

    // Feed searches, the API's and the subscriptions', share one allowance.
    for uri in ["/api/v1/feed?q=dns", "/feed.atom", "/api/v1/feed/stats"] {
        let response = send(&open, from("10.0.0.3", Request::get(uri), None)).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{uri}: {}",
            response.text()
        );
    }
    send(&open, from("10.0.0.3", Request::get("/feed.json"), None))
        .await
        .error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests");

    // Wrong keys: three 401s, then 429, and then even the right key waits.
    for _ in 0..3 {
        let request =
            Request::get("/api/v1/feed").header("x-mosaic-access-key", "guess-0123456789");
        send(&closed, from("10.0.0.4", request, None))
            .await
            .error(StatusCode::UNAUTHORIZED, "access_key_required");
    }
    let request = Request::get("/api/v1/feed").header("x-mosaic-access-key", "guess-0123456789");
    send(&closed, from("10.0.0.4", request, None))
        .await
        .error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    let request = Request::get("/api/v1/feed").header("x-mosaic-access-key", KEY);
    send(&closed, from("10.0.0.4", request, None))
        .await
        .error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    let request = Request::get("/api/v1/feed").header("x-mosaic-access-key", KEY);
    let fine = send(&closed, from("10.0.0.5", request, None)).await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text());
}

/// (10) The feed's statistics are computed once per state of the feed: asked again, they come
/// from the cache (the database is not read: a row removed behind the server's back is still
/// counted), and any commit makes them fresh.
pub async fn hostile_feed_stats_are_cached_until_the_feed_changes(app: &TestApp) {
    use crate::feed::{Spec, publish};
    use mosaic_domain::feed::FeedStats;
    let stats = async || app.get("/api/v1/feed/stats").await.json::<FeedStats>();
    publish(app, &Spec::new("r-stats-1")).await;
    assert_eq!(stats().await.findings, 1);
    app.execute_raw("DELETE FROM findings").await;
    assert_eq!(
        stats().await.findings,
        1,
        "the same question is answered from the cache"
    );
    publish(app, &Spec::new("r-stats-2")).await;
    publish(app, &Spec::new("r-stats-3")).await;
    assert_eq!(stats().await.findings, 2, "a commit makes the answer fresh");
}

/// (11) A search word PostgreSQL cannot index ("²" has no lexeme) is answered like any
/// other, and writes nothing to the log (it used to write one INFO line per request).
pub async fn hostile_unindexable_search_words_write_no_log(app: &TestApp) {
    let log = super::server_log();
    let marker = "zq7unindexable";
    for q in ["%C2%B2", "%C2%B2%20%C2%B2"] {
        let response = app.get(&format!("/api/v1/feed?q={q}&team={marker}")).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    }
    let text = super::log_text(&log);
    assert!(!text.contains("lexemes"), "{text}");
}
