//! Operating Mosaic, through the router: readiness, metrics, request ids, the schema's version,
//! the move from SQLite to PostgreSQL, and the upgrade from a database this release made.
//! A child of the feed's tests, whose helpers drive reviews to their later phases.

use super::{Spec, make, publish};
use crate::sync::events::EventStream;
use crate::{PgSchema, TestApp, TestDb, TestResponse, send_to};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use mosaic_domain::wire::{CreatedReview, Joined, JoiningRules};
use mosaic_domain::{Account, AccountInput, EntryId, EntryInput, ReviewId};
use mosaic_server::ops::{MetricsAccess, OpsState};
use mosaic_server::request_id::RequestIdPolicy;
use mosaic_server::store::StoreError;
use mosaic_server::{AccessKey, AppState, Store, app};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The id a response carries in its `X-Request-Id` header.
fn request_id(response: &TestResponse) -> String {
    response
        .header(header::HeaderName::from_static("x-request-id"))
        .to_owned()
}

/// The highest migration this build has: one more with every schema change.
const SCHEMA_VERSION: i64 = 9;

/// `/healthz` is alive, `/readyz` ready with the schema's version; neither they nor `/metrics`
/// (closed by default) nor an unknown API path is ever the app's page. With the database gone,
/// `/readyz` is a 503 that says why and quotes the request's id, and `/healthz` stays 200.
pub async fn readiness_follows_the_database(app: &TestApp) {
    std::fs::write(app.dist.path().join("index.html"), "<html>the app</html>").unwrap();
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json::<Value>(), json!({"status": "ok"}));
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text());
    assert_eq!(
        ready.json::<Value>(),
        json!({"status": "ready", "schema_version": SCHEMA_VERSION})
    );
    app.get("/metrics")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    for path in ["/api/v1/nothing-here", "/api/v2/reviews", "/api"] {
        app.get(path)
            .await
            .error(StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(app.get("/reviews/abc").await.text(), "<html>the app</html>");

    app.store.close().await;
    let gone = app.get("/readyz").await;
    let body = gone.error(StatusCode::SERVICE_UNAVAILABLE, "not_ready");
    assert_eq!(body.message, "The database does not answer.");
    assert_eq!(body.request_id, Some(request_id(&gone)));
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

/// A router on `test`'s store with `/metrics` behind `token` and incoming request ids trusted.
fn operated(test: &TestApp, token: &str) -> Router {
    let ops = OpsState::new(
        MetricsAccess::Token(AccessKey::new(token).unwrap()),
        RequestIdPolicy {
            trust_incoming: true,
        },
    );
    app(AppState::new(test.store.clone(), test.dist.path()).with_ops(ops))
}

async fn get_with(router: &Router, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send_to(router.clone(), request.body(Body::empty()).unwrap()).await
}

/// `/metrics` needs its token; after a small workload it holds every family, counted by route
/// template and status, and only this store's requests (each store has its own registry).
pub async fn metrics_count_a_workload(app: &TestApp) {
    const TOKEN: &str = "metrics-token-9a2e";
    let router = operated(app, TOKEN);
    let made = publish(app, &Spec::new("m-metrics")).await;
    let path = format!("/api/v1/reviews/{}", made.id);
    // A stale op: 412.
    let stale = json!({"op_id": "m-stale", "base_version": 1,
                       "op": {"op": "set_summary", "summary": "late"}});
    let response = app
        .call(
            Method::POST,
            &format!("{path}/ops"),
            Some(&made.facilitator),
            Some(&stale),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::PRECONDITION_FAILED);
    // A refused write: an unknown field.
    app.post_json("/api/v1/reviews", &json!({"nonsense": true}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    // A search of the feed, and a page without one.
    assert_eq!(app.get("/api/v1/feed?q=pool").await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/feed").await.status, StatusCode::OK);
    // An event stream, open while the metrics are read.
    let stream =
        EventStream::open(&router, &format!("{path}/events"), Some(&made.facilitator)).await;

    get_with(&router, "/metrics", &[])
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    get_with(&router, "/metrics", &[("authorization", "Bearer wrong")])
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    let auth = format!("Bearer {TOKEN}");
    let scraped = get_with(&router, "/metrics", &[("authorization", &auth)]).await;
    assert_eq!(scraped.status, StatusCode::OK, "{}", scraped.text());
    assert!(
        scraped
            .header(header::CONTENT_TYPE)
            .starts_with("text/plain; version=0.0.4")
    );
    let text = scraped.text();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    assert_eq!(
        value(r#"mosaic_http_requests_total{method="POST",route="/api/v1/reviews",status="201"}"#),
        1.0
    );
    assert!(
        value(
            r#"mosaic_http_requests_total{method="POST",route="/api/v1/reviews/{id}/ops",status="200"}"#
        ) >= 6.0
    );
    assert!(
        value(
            r#"mosaic_http_request_duration_seconds_count{method="POST",route="/api/v1/reviews/{id}/ops"}"#
        ) >= 7.0
    );
    assert!(text.contains(r#"mosaic_http_request_duration_seconds_bucket{method="GET",route="/api/v1/feed",le="0.005"}"#));
    assert_eq!(
        value(r#"mosaic_http_conflicts_total{route="/api/v1/reviews/{id}/ops"}"#),
        1.0
    );
    assert_eq!(
        value(r#"mosaic_refused_writes_total{code="invalid_body"}"#),
        1.0
    );
    assert_eq!(value(r#"mosaic_refused_writes_total{code="stale"}"#), 1.0);
    assert!(value(r#"mosaic_db_pool_connections{state="max"}"#) >= 2.0);
    assert!(value(r#"mosaic_db_pool_connections{state="in_use"}"#) >= 0.0);
    assert!(value("mosaic_db_pool_acquire_seconds_count") >= 8.0);
    assert_eq!(
        value(r#"mosaic_store_commits_total{kind="review_created"}"#),
        1.0
    );
    assert_eq!(
        value(r#"mosaic_store_commits_total{kind="submission"}"#),
        1.0
    );
    assert_eq!(value(r#"mosaic_store_commits_total{kind="account"}"#), 1.0);
    assert!(value(r#"mosaic_store_commits_total{kind="review"}"#) >= 6.0);
    assert_eq!(value("mosaic_event_streams_open"), 1.0);
    assert_eq!(value(r#"mosaic_feed_queries_total{search="true"}"#), 1.0);
    assert_eq!(value(r#"mosaic_feed_queries_total{search="false"}"#), 1.0);
    assert_eq!(
        value(r#"mosaic_feed_query_duration_seconds_count{search="true"}"#),
        1.0
    );
    assert!(text.contains(&format!(
        "mosaic_build_info{{revision=\"{}\",version=\"{}\"}} 1",
        mosaic_server::metrics::REVISION,
        mosaic_server::metrics::VERSION
    )));
    drop(stream);

    // Another store counts only its own.
    let other = Store::open_sqlite(&app.dist.path().join("other.db"))
        .await
        .unwrap();
    let text = other.metrics().render();
    assert!(!text.contains("mosaic_http_requests_total{"), "{text}");
    other.close().await;
}

/// Every answer carries an id; an error body quotes it; an incoming id is kept only when the
/// proxy is trusted, and only when it looks like an id.
pub async fn request_ids_are_quoted_and_kept_only_when_trusted(app: &TestApp) {
    let plain = app.router.clone();
    let trusting = operated(app, "unused-metrics-token");
    let refused = get_with(&plain, "/api/v1/reviews", &[("x-request-id", "proxy-7")]).await;
    let body = refused.error(StatusCode::UNAUTHORIZED, "unauthorized");
    let id = request_id(&refused);
    assert_ne!(id, "proxy-7");
    assert_eq!(id.len(), 16, "{id}");
    assert_eq!(body.request_id.as_deref(), Some(id.as_str()));
    assert_ne!(
        request_id(&get_with(&plain, "/healthz", &[]).await),
        id,
        "a new id per request"
    );

    let kept = get_with(&trusting, "/api/v1/reviews", &[("x-request-id", "proxy-7")]).await;
    assert_eq!(request_id(&kept), "proxy-7");
    assert_eq!(kept.json::<Value>()["request_id"], "proxy-7");
    let malformed = get_with(&trusting, "/healthz", &[("x-request-id", "two words")]).await;
    assert_eq!(request_id(&malformed).len(), 16);
}

/// A database a newer release has migrated is refused at start with a message saying so, and
/// `/readyz` of a server already running on it says the schema is not the expected one.
pub async fn a_newer_schema_is_refused(app: &TestApp) {
    let insert = if app.store.kind() == "postgres" {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from a later release', true, '\\x00'::bytea, 0)"
    } else {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from a later release', true, X'00', 0)"
    };
    app.execute_raw(insert).await;
    let ready = app.get("/readyz").await;
    let body = ready.error(StatusCode::SERVICE_UNAVAILABLE, "not_ready");
    assert_eq!(
        body.message,
        format!(
            "The database schema is at version 9999; this build expects version {SCHEMA_VERSION}."
        )
    );
    let reopened = match &app.db {
        TestDb::Sqlite { path, .. } => Store::open_sqlite(path).await,
        TestDb::Postgres(schema) => Store::open_postgres(schema.options()).await,
        TestDb::Shared(options) => Store::open_postgres((**options).clone()).await,
    };
    let error = reopened.expect_err("a newer schema must be refused");
    assert!(
        matches!(
            error,
            StoreError::SchemaTooNew {
                found: 9999,
                known: SCHEMA_VERSION
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("newer than this build of Mosaic knows"),
        "{error}"
    );
}

// ---- Moving and upgrading the data. ----

/// What a seeded database holds: each review's facilitator token and its participants'.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Seeded {
    /// review id → facilitator token.
    facilitators: BTreeMap<String, String>,
    /// review id → (participant id, token) of each participant.
    participants: BTreeMap<String, Vec<(String, String)>>,
    /// A participant whose token was revoked: (review id, token).
    revoked: (String, String),
}

async fn join(app: &TestApp, id: &str, invite: &str, name: &str) -> Joined {
    let body = json!({"invite_token": invite, "name": name, "role": "SRE",
                      "show_name_when_published": name == "Bob"});
    let response = app
        .post_json(&format!("/api/v1/reviews/{id}/participants"), &body)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

async fn op(app: &TestApp, id: &str, token: &str, op: Value) {
    let id_ = ReviewId::parse(id).unwrap();
    let base = app.store.get_review(&id_).await.unwrap().unwrap().version;
    let op_id = format!("seed-{id}-{base}");
    let body = json!({"op_id": op_id, "base_version": base, "op": op});
    let response = app
        .call(
            Method::POST,
            &format!("/api/v1/reviews/{id}/ops"),
            Some(token),
            Some(&body),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

async fn write_account(app: &TestApp, id: &str, who: &Joined, text: &str, submit: bool) {
    let mut account = Account::new(ReviewId::parse(id).unwrap(), who.participant_id.clone());
    account
        .add_entry(
            EntryId::parse("e1").unwrap(),
            EntryInput {
                at: Some("2026-11-01T10:02:00Z".parse().unwrap()),
                what_happened: text.to_owned(),
                ..EntryInput::default()
            },
        )
        .unwrap();
    let path = format!("/api/v1/reviews/{id}/accounts/{}", who.participant_id);
    let body = serde_json::to_value(AccountInput::from_account(&account)).unwrap();
    let response = app
        .call(
            Method::PUT,
            &path,
            Some(&who.token),
            Some(&body),
            Some("\"0\""),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    if submit {
        let response = app
            .call(
                Method::POST,
                &format!("{path}/submit"),
                Some(&who.token),
                None,
                None,
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    }
}

/// Reviews in every phase, with draft and sealed accounts, a revoked token, applied ops, and
/// two published findings, all made through the API.
pub async fn seed(app: &TestApp) -> Seeded {
    let mut seeded = Seeded::default();
    for (id, phase) in [("s-setup", 0), ("s-investigating", 1), ("s-revealed", 2)] {
        let body = json!({"id": id, "title": format!("Review in {id}"),
            "started_at": "2026-11-01T10:00:00Z", "severity": "sev2", "team": "Storage",
            "services": ["disk"]});
        let response = app.post_json("/api/v1/reviews", &body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        let created: CreatedReview = response.json();
        let facilitator = created.facilitator_token.clone();
        seeded
            .facilitators
            .insert(id.to_owned(), facilitator.clone());
        if phase == 0 {
            continue;
        }
        let alice = join(app, id, &created.invite_token, "Alice").await;
        let bob = join(app, id, &created.invite_token, "Bob").await;
        let carol = join(app, id, &created.invite_token, "Carol").await;
        op(
            app,
            id,
            &facilitator,
            json!({"op": "transition", "to": "investigating"}),
        )
        .await;
        write_account(app, id, &alice, "Alice's draft: the disk filled", false).await;
        write_account(app, id, &bob, "Bob saw the alert at 10:02", true).await;
        let path = format!(
            "/api/v1/reviews/{id}/participants/{}/token",
            carol.participant_id
        );
        let revoked = app
            .call(Method::DELETE, &path, Some(&facilitator), None, None)
            .await;
        assert!(revoked.status.is_success(), "{}", revoked.text());
        seeded.revoked = (id.to_owned(), carol.token.clone());
        if phase == 2 {
            op(
                app,
                id,
                &facilitator,
                json!({"op": "transition", "to": "revealed"}),
            )
            .await;
        }
        seeded.participants.insert(
            id.to_owned(),
            [alice, bob]
                .into_iter()
                .map(|j| (j.participant_id.to_string(), j.token))
                .collect(),
        );
    }
    let mut disk = Spec::new("s-published-disk");
    disk.title = "Disk full on the build cache".into();
    disk.summary = "The **disk** filled with build artefacts.".into();
    disk.team = "Build".into();
    for (spec, published) in [
        (Spec::new("s-actions"), false),
        (Spec::new("s-published"), true),
        (disk, true),
    ] {
        let made = if published {
            publish(app, &spec).await
        } else {
            make(app, &spec).await
        };
        seeded
            .facilitators
            .insert(made.id.clone(), made.facilitator.clone());
        seeded.participants.insert(
            made.id.clone(),
            vec![(
                made.alice.participant_id.to_string(),
                made.alice.token.clone(),
            )],
        );
    }
    seeded
}

/// Every answer a member or a reader of the feed can get about the seeded data, as
/// "request → status and body".
async fn answers(router: &Router, seeded: &Seeded) -> BTreeMap<String, (u16, Value)> {
    let mut requests: Vec<(String, Option<&str>)> = vec![
        ("/api/v1/feed".into(), None),
        ("/api/v1/feed?q=pool".into(), None),
        ("/api/v1/feed?q=disk&team=Build".into(), None),
        ("/api/v1/feed?limit=1".into(), None),
        ("/api/v1/feed/stats".into(), None),
        ("/api/v1/feed/s-published".into(), None),
        ("/api/v1/feed/s-published-disk".into(), None),
    ];
    for (id, token) in &seeded.facilitators {
        for rest in ["", "/accounts"] {
            requests.push((format!("/api/v1/reviews/{id}{rest}"), Some(token)));
        }
        requests.push(("/api/v1/reviews".into(), Some(token)));
        requests.push((format!("/api/v1/feed/{id}"), Some(token)));
    }
    for (id, members) in &seeded.participants {
        for (pid, token) in members {
            requests.push((format!("/api/v1/reviews/{id}/accounts/{pid}"), Some(token)));
            requests.push((format!("/api/v1/reviews/{id}"), Some(token)));
        }
    }
    let (id, token) = &seeded.revoked;
    requests.push((format!("/api/v1/reviews/{id}"), Some(token)));

    let mut seen = BTreeMap::new();
    for (uri, token) in requests {
        let mut request = Request::get(&uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = send_to(router.clone(), request.body(Body::empty()).unwrap()).await;
        let mut body: Value = serde_json::from_slice(&response.body)
            .unwrap_or_else(|_| Value::String(response.text()));
        // Each answer has its own request id, whichever server gave it.
        if let Some(object) = body.as_object_mut() {
            object.remove("request_id");
        }
        let key = format!("{uri} as {}", token.map_or("nobody", |t| &t[..8]));
        seen.insert(key, (response.status.as_u16(), body));
    }
    seen
}

/// `migrate-data`: a SQLite database holding reviews in every phase, accounts (drafts and
/// sealed), tokens (one revoked), applied ops and published findings is copied into an empty
/// PostgreSQL database; a server on it answers every request exactly as the SQLite one did.
/// Copying again is refused: the target is no longer empty.
#[tokio::test]
async fn sqlite_data_moves_to_postgres_and_answers_the_same() {
    let Some(target) = TestApp::postgres().await else {
        return;
    };
    let source = TestApp::sqlite().await;
    let seeded = seed(&source).await;
    // The people tables too: rules for newcomers, personal and facilitator links, a moved token.
    let people = ReviewId::parse("s-investigating").unwrap();
    let rules = JoiningRules {
        open: false,
        max_participants: Some(4),
    };
    source
        .store
        .set_joining_rules(&people, &rules)
        .await
        .unwrap();
    let at = chrono::Utc::now();
    let pid = source
        .store
        .get_review(&people)
        .await
        .unwrap()
        .unwrap()
        .participants()[0]
        .id
        .clone();
    source
        .store
        .put_personal_invite(&people, &pid, "personal-hash", at)
        .await
        .unwrap();
    source
        .store
        .put_facilitator_invite(&people, "facilitator-hash", at)
        .await
        .unwrap();
    let before = answers(&source.router, &seeded).await;
    assert!(before.len() > 30);
    assert!(before.values().filter(|(status, _)| *status == 200).count() > 25);

    let copied = source.store.copy_into(&target.store).await.unwrap();
    assert_eq!(copied.reviews, 6, "{copied}");
    assert_eq!(copied.findings, 2, "{copied}");
    assert_eq!(copied.accounts, 7, "{copied}");
    assert_eq!(copied.tokens, 6 * 2 + 2 * 3 + 3, "{copied}");
    assert!(copied.ops > 20, "{copied}");

    let after = answers(&target.router, &seeded).await;
    for (request, answer) in &before {
        assert_eq!(Some(answer), after.get(request), "{request}");
    }
    assert_eq!(before.len(), after.len());
    assert_eq!(target.store.joining_rules(&people).await.unwrap(), rules);
    assert_eq!(
        target.store.personal_invite("personal-hash").await.unwrap(),
        Some(("s-investigating".to_owned(), pid.as_str().to_owned()))
    );
    let since = at - chrono::TimeDelta::hours(1);
    assert_eq!(
        target
            .store
            .facilitator_invite(&people, "facilitator-hash", since)
            .await
            .unwrap(),
        Some(true)
    );
    // A later op with an id applied before the move is still recognised as applied.
    let again = source.store.copy_into(&target.store).await.unwrap_err();
    assert!(
        again.to_string().contains("already holds 6 review(s)"),
        "{again}"
    );
    source.finish().await;
    target.finish().await;
}

// ---- Upgrading from a database this release made. ----

/// The fixtures: a SQLite file and a PostgreSQL dump (its schema name replaced by
/// `__SCHEMA__`) holding [`seed`]'s data, made by release 0.1.0 with schema version 3, and the
/// tokens to read it with.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

const FIXTURE: &str = "mosaic-0.1.0";

/// A database made by an earlier release opens, is migrated to this build's schema, and
/// serves its data: every answer as the fixture's notes recorded it. On SQLite and on
/// PostgreSQL. With `MOSAIC_WRITE_FIXTURES=1` the fixtures are made again (by this build)
/// instead, which is only right when cutting a release.
#[tokio::test]
async fn a_database_from_release_0_1_0_is_migrated_and_served() {
    if std::env::var("MOSAIC_WRITE_FIXTURES").is_ok_and(|v| v == "1") {
        write_fixtures().await;
    }
    let seeded: Seeded = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join(format!("{FIXTURE}.tokens.json"))).unwrap(),
    )
    .unwrap();
    let expected: BTreeMap<String, (u16, Value)> = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join(format!("{FIXTURE}.answers.json"))).unwrap(),
    )
    .unwrap();

    // SQLite: a copy of the file, opened by this build.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mosaic.db");
    std::fs::copy(fixtures().join(format!("{FIXTURE}.db")), &path).unwrap();
    let store = Store::open_sqlite(&path).await.unwrap();
    check_upgraded(store, &seeded, &expected).await;

    // PostgreSQL: the dump loaded into a schema of its own.
    let Ok(url) = std::env::var(crate::POSTGRES_ENV) else {
        return;
    };
    let schema = PgSchema::create(&url).await;
    let dump = std::fs::read_to_string(fixtures().join(format!("{FIXTURE}.postgres.sql"))).unwrap();
    let mut conn = PgConnection::connect_with(&schema.options()).await.unwrap();
    sqlx::raw_sql(&dump.replace("__SCHEMA__", &schema.name))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let store = Store::open_postgres(schema.options()).await.unwrap();
    check_upgraded(store, &seeded, &expected).await;
}

async fn check_upgraded(store: Store, seeded: &Seeded, expected: &BTreeMap<String, (u16, Value)>) {
    let schema = store.schema().await.unwrap();
    assert!(schema.is_current(), "{schema:?}");
    let dist = tempfile::tempdir().unwrap();
    let router = app(AppState::new(store.clone(), dist.path()));
    let answered = answers(&router, seeded).await;
    // The statistics count as of today, which moves on: not compared.
    for (request, answer) in expected.iter().filter(|(r, _)| !r.contains("/stats")) {
        assert_eq!(
            Some(answer),
            answered.get(request),
            "{} {request}",
            store.kind()
        );
    }
    store.close().await;
}

/// Makes the fixtures with this build: `seed` on SQLite (the file, vacuumed) and on PostgreSQL
/// (`pg_dump` of the test's schema), the tokens, and the answers a server gave.
async fn write_fixtures() {
    let dir = fixtures();
    std::fs::create_dir_all(&dir).unwrap();
    let source = TestApp::sqlite().await;
    let seeded = seed(&source).await;
    let expected = answers(&source.router, &seeded).await;
    let file = dir.join(format!("{FIXTURE}.db"));
    let _ = std::fs::remove_file(&file);
    source
        .execute_raw(&format!("VACUUM INTO '{}'", file.display()))
        .await;
    std::fs::write(
        dir.join(format!("{FIXTURE}.tokens.json")),
        serde_json::to_string_pretty(&seeded).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("{FIXTURE}.answers.json")),
        serde_json::to_string_pretty(&expected).unwrap(),
    )
    .unwrap();

    // The same data (and tokens) in PostgreSQL, moved there by this release's own copy.
    let url = std::env::var(crate::POSTGRES_ENV).expect("MOSAIC_TEST_POSTGRES_URL");
    let pg = TestApp::postgres().await.unwrap();
    source.store.copy_into(&pg.store).await.unwrap();
    source.finish().await;
    let TestDb::Postgres(schema) = &pg.db else {
        unreachable!()
    };
    let dump = std::process::Command::new("pg_dump")
        .args([
            "--no-owner",
            "--no-privileges",
            "--inserts",
            "--schema",
            &schema.name,
        ])
        .arg(&url)
        .output()
        .unwrap();
    assert!(dump.status.success(), "{dump:?}");
    let dump = String::from_utf8(dump.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("CREATE SCHEMA") && !line.starts_with("\\"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&schema.name, "__SCHEMA__");
    std::fs::write(dir.join(format!("{FIXTURE}.postgres.sql")), dump).unwrap();
    pg.finish().await;
}
