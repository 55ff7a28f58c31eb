//! The HTTP surface, driven through the router with `oneshot` (no socket).
//!
//! Every test in `suite!` runs twice: against a fresh SQLite file, and against PostgreSQL in a
//! schema of its own when `MOSAIC_TEST_POSTGRES_URL` is set (otherwise the PostgreSQL variants
//! say so and pass, leaving the choice to whoever runs the tests). The static-file tests do not
//! touch the database and run once, on SQLite.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use mosaic_domain::Review;
use mosaic_domain::wire::{CreateReview, CreatedReview, ErrorBody, NewReview, ReviewList};
use mosaic_server::{AppState, Store, app};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use std::io::Write as _;
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use tempfile::TempDir;
use tower::ServiceExt as _;

const POSTGRES_ENV: &str = "MOSAIC_TEST_POSTGRES_URL";

/// One server under test: the router, its store, an empty `dist` directory the test may fill,
/// and whatever must be cleaned up afterwards.
struct TestApp {
    router: Router,
    store: Store,
    dist: TempDir,
    db: TestDb,
}

enum TestDb {
    Sqlite {
        _dir: TempDir,
        path: std::path::PathBuf,
    },
    Postgres(Box<PgSchema>),
    /// Another server process's view of a PostgreSQL schema a [`TestDb::Postgres`] owns.
    Shared(Box<PgConnectOptions>),
}

impl TestApp {
    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mosaic.db");
        let store = Store::open_sqlite(&path).await.unwrap();
        Self::new(store, TestDb::Sqlite { _dir: dir, path })
    }

    /// `None`, after saying why, when no PostgreSQL server was given.
    async fn postgres() -> Option<Self> {
        let Ok(url) = std::env::var(POSTGRES_ENV) else {
            static SAID: Once = Once::new();
            // Written straight to stderr, past the test harness's capture, so it is seen.
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "PostgreSQL tier not run: {POSTGRES_ENV} is not set"
                );
            });
            return None;
        };
        let schema = PgSchema::create(&url).await;
        let store = Store::open_postgres(schema.options()).await.unwrap();
        Some(Self::new(store, TestDb::Postgres(Box::new(schema))))
    }

    /// A second server process on this test's PostgreSQL database: its own store (pool, hub
    /// and listening connection) and router, as another `mosaic-server` would have.
    async fn another_process(&self) -> Self {
        let TestDb::Postgres(schema) = &self.db else {
            panic!("only PostgreSQL is shared between processes");
        };
        let store = Store::open_postgres(schema.options()).await.unwrap();
        Self::new(store, TestDb::Shared(Box::new(schema.options())))
    }

    fn new(store: Store, db: TestDb) -> Self {
        let dist = tempfile::tempdir().unwrap();
        let public_url = "http://mosaic.test".parse().unwrap();
        let router = app(AppState::new(store.clone(), dist.path()).with_public_url(public_url));
        Self {
            router,
            store,
            dist,
            db,
        }
    }

    async fn finish(self) {
        self.store.close().await;
        // `self.db` drops here: the SQLite directory is deleted, the PostgreSQL schema dropped.
    }

    /// Runs one SQL statement against the test's database, around the store, to set up states
    /// the API cannot produce.
    async fn execute_raw(&self, sql: &str) {
        match &self.db {
            TestDb::Sqlite { path, .. } => {
                let url = format!("sqlite://{}", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            TestDb::Postgres(schema) => {
                let mut conn = PgConnection::connect_with(&schema.options()).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            TestDb::Shared(options) => {
                let mut conn = PgConnection::connect_with(options).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        }
    }

    async fn send(&self, request: Request<Body>) -> TestResponse {
        send_to(self.router.clone(), request).await
    }

    async fn get(&self, uri: &str) -> TestResponse {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    async fn post_json(&self, uri: &str, body: &Value) -> TestResponse {
        self.call(Method::POST, uri, None, Some(body), None).await
    }

    /// One request: `token` as `Authorization: Bearer`, `body` as JSON, `if_match` verbatim.
    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(if_match) = if_match {
            request = request.header(header::IF_MATCH, if_match);
        }
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    async fn get_as(&self, uri: &str, token: &str) -> TestResponse {
        self.call(Method::GET, uri, Some(token), None, None).await
    }

    /// Every stored review's id, newest first, read from the database in the order of the
    /// stored times (the API lists only the caller's own review).
    async fn listed_ids(&self) -> Vec<String> {
        let sql = "SELECT id FROM reviews ORDER BY created_at DESC, id DESC";
        match &self.db {
            TestDb::Sqlite { path, .. } => {
                let url = format!("sqlite://{}", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
            }
            TestDb::Postgres(schema) => {
                let mut conn = PgConnection::connect_with(&schema.options()).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
            }
            TestDb::Shared(options) => {
                let mut conn = PgConnection::connect_with(options).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
            }
        }
    }
}

/// Sends one request through `router`: for tasks that cannot borrow a [`TestApp`].
async fn send_to(router: Router, request: Request<Body>) -> TestResponse {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl TestResponse {
    fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .to_str()
            .unwrap()
    }

    /// Asserts an `ErrorBody` response with this status and code, and returns it.
    fn error(&self, status: StatusCode, code: &str) -> ErrorBody {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header(header::CONTENT_TYPE), "application/json");
        let body: ErrorBody = self.json();
        assert_eq!(body.error, code, "{body:?}");
        body
    }
}

/// A schema of its own for one test, in the database `MOSAIC_TEST_POSTGRES_URL` names; dropped
/// (with everything in it) when this is, even if the test panicked.
struct PgSchema {
    base: PgConnectOptions,
    name: String,
}

impl PgSchema {
    async fn create(url: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base: PgConnectOptions = url.parse().expect("MOSAIC_TEST_POSTGRES_URL");
        // Unique across concurrent test binaries (pid) and tests within one (counter).
        let name = format!(
            "mosaic_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect_with(&base).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        Self { base, name }
    }

    /// Connections that find (and create) their tables in this schema only.
    fn options(&self) -> PgConnectOptions {
        self.base
            .clone()
            .options([("search_path", self.name.as_str())])
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived thread
        // with its own runtime does the async cleanup and is waited for.
        let base = self.base.clone();
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect_with(&base).await?;
                sqlx::query(&sql).execute(&mut conn).await?;
                conn.close().await
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        });
        match cleanup.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test schema {}: {e}", self.name),
            Err(_) => eprintln!("could not drop test schema {}: cleanup panicked", self.name),
        }
    }
}

/// Declares each test function once per backend: `sqlite::name` and `postgres::name`.
macro_rules! suite {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    let app = crate::TestApp::sqlite().await;
                    crate::$test(&app).await;
                    app.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    let Some(app) = crate::TestApp::postgres().await else { return };
                    crate::$test(&app).await;
                    app.finish().await;
                }
            )*
        }
    };
}

suite! {
    healthz_reports_ok,
    created_reviews_can_be_read_back,
    a_token_lists_only_its_own_review,
    list_order_is_exact_and_ties_go_by_id,
    a_taken_id_is_a_conflict,
    bad_bodies_are_refused_and_nothing_is_stored,
    unknown_reviews_and_paths_are_json_404s,
    invalid_ids_in_paths_are_400s,
    wrong_methods_are_json_405s,
    unreadable_stored_reviews_are_generic_500s,
    every_route_answers_each_caller_as_the_matrix_says,
    accounts_stay_sealed_until_the_reveal_and_never_reach_the_log,
    ops_are_conditional_and_idempotent,
    the_guide_is_fixed_once_accounts_open_and_answers_are_sealed,
    account_writes_are_conditional_and_sealed_by_submit,
    joining_needs_the_invite_and_a_phase_that_takes_newcomers,
    concurrent_conditional_writes_lose_nothing,
    members_hear_each_new_version_and_nothing_of_drafts,
    an_access_key_closes_the_api_but_not_the_app,
    published_findings_are_searched_and_filtered,
    team_only_sections_reach_members_only,
    themes_reach_the_feed_by_their_factors_audience,
    only_published_findings_reach_the_feed,
    subscriptions_are_valid_and_inert,
    an_access_key_closes_the_feed_and_its_subscriptions,
    readiness_follows_the_database,
    metrics_count_a_workload,
    request_ids_are_quoted_and_kept_only_when_trusted,
    a_newer_schema_is_refused,
    hostile_account_documents_are_refused_and_nothing_stored,
    hostile_control_characters_are_the_same_422_everywhere,
    hostile_every_response_carries_the_security_headers,
    hostile_documents_stop_growing_at_their_limits,
    hostile_host_headers_do_not_reach_feed_links,
    hostile_op_ids_are_bound_to_their_op,
    hostile_valid_drafts_still_store,
    hostile_event_streams_are_capped_per_token,
    hostile_unauthenticated_routes_are_rate_limited,
    hostile_feed_stats_are_cached_until_the_feed_changes,
    hostile_unindexable_search_words_write_no_log,
    hostile_generated_bodies_never_break_a_write_route,
    a_person_is_one_row_taken_once,
    a_removed_person_is_told_and_their_draft_leaves_the_server,
    the_facilitator_controls_the_invite,
    a_published_review_points_newcomers_to_its_finding,
    a_person_moves_to_another_browser_and_keeps_their_draft,
    a_co_facilitator_comes_in_by_a_one_time_link,
    open_actions_are_listed_due_first_paged_and_filtered,
    tracker_links_and_owning_teams_reach_the_finding,
    the_outbox_is_written_with_the_change_that_causes_it,
    a_receiver_gets_each_event_once_signed_even_after_being_down,
    related_findings_share_a_service_a_tag_or_what_went_on,
    room_signals_answer_each_caller_as_the_matrix_says,
    each_member_is_told_the_room_as_the_facilitator_chose,
    presence_and_writing_expire_within_their_bounds,
}

/// Two server processes on one PostgreSQL database (SQLite's server is one process by design,
/// so these run on PostgreSQL only, and say so and pass without it).
mod two_processes {
    #[tokio::test]
    async fn streams_hear_what_another_process_commits() {
        let Some(app) = crate::TestApp::postgres().await else {
            return;
        };
        let other = app.another_process().await;
        crate::streams_hear_what_another_process_commits(&app, &other).await;
        other.finish().await;
        app.finish().await;
    }

    #[tokio::test]
    async fn a_listener_that_lost_its_connection_catches_up() {
        let Some(app) = crate::TestApp::postgres().await else {
            return;
        };
        let other = app.another_process().await;
        crate::a_listener_that_lost_its_connection_catches_up(&app, &other).await;
        other.finish().await;
        app.finish().await;
    }

    #[tokio::test]
    async fn feed_statistics_are_fresh_on_every_process() {
        let Some(app) = crate::TestApp::postgres().await else {
            return;
        };
        let other = app.another_process().await;
        crate::feed_statistics_are_fresh_on_every_process(&app, &other).await;
        other.finish().await;
        app.finish().await;
    }
}

#[path = "api/feed.rs"]
mod feed;
use feed::backlog::{
    a_receiver_gets_each_event_once_signed_even_after_being_down,
    open_actions_are_listed_due_first_paged_and_filtered,
    related_findings_share_a_service_a_tag_or_what_went_on,
    the_outbox_is_written_with_the_change_that_causes_it,
    tracker_links_and_owning_teams_reach_the_finding,
};
use feed::ops::{
    a_newer_schema_is_refused, metrics_count_a_workload, readiness_follows_the_database,
    request_ids_are_quoted_and_kept_only_when_trusted,
};
use feed::{
    an_access_key_closes_the_feed_and_its_subscriptions, only_published_findings_reach_the_feed,
    published_findings_are_searched_and_filtered, subscriptions_are_valid_and_inert,
    team_only_sections_reach_members_only, themes_reach_the_feed_by_their_factors_audience,
};

#[path = "api/people.rs"]
mod people;
use people::{
    a_co_facilitator_comes_in_by_a_one_time_link, a_person_is_one_row_taken_once,
    a_person_moves_to_another_browser_and_keeps_their_draft,
    a_published_review_points_newcomers_to_its_finding,
    a_removed_person_is_told_and_their_draft_leaves_the_server,
    the_facilitator_controls_the_invite,
};

#[path = "api/sync.rs"]
mod sync;
use sync::events::{
    a_listener_that_lost_its_connection_catches_up, an_access_key_closes_the_api_but_not_the_app,
    feed_statistics_are_fresh_on_every_process,
    members_hear_each_new_version_and_nothing_of_drafts, streams_hear_what_another_process_commits,
};
use sync::hostile::{
    hostile_account_documents_are_refused_and_nothing_stored,
    hostile_control_characters_are_the_same_422_everywhere,
    hostile_documents_stop_growing_at_their_limits, hostile_event_streams_are_capped_per_token,
    hostile_every_response_carries_the_security_headers,
    hostile_feed_stats_are_cached_until_the_feed_changes,
    hostile_host_headers_do_not_reach_feed_links, hostile_op_ids_are_bound_to_their_op,
    hostile_unauthenticated_routes_are_rate_limited, hostile_unindexable_search_words_write_no_log,
    hostile_valid_drafts_still_store,
};
use sync::hostile_props::hostile_generated_bodies_never_break_a_write_route;
use sync::room::{
    each_member_is_told_the_room_as_the_facilitator_chose,
    presence_and_writing_expire_within_their_bounds,
    room_signals_answer_each_caller_as_the_matrix_says,
};
use sync::{
    account_writes_are_conditional_and_sealed_by_submit,
    accounts_stay_sealed_until_the_reveal_and_never_reach_the_log,
    concurrent_conditional_writes_lose_nothing, every_route_answers_each_caller_as_the_matrix_says,
    joining_needs_the_invite_and_a_phase_that_takes_newcomers, ops_are_conditional_and_idempotent,
    the_guide_is_fixed_once_accounts_open_and_answers_are_sealed,
};

fn create_body(id: &str) -> Value {
    json!({
        "id": id,
        "title": "  Checkout latency  ",
        "started_at": "2026-11-01T10:00:00Z",
        "detected_at": "2026-11-01T10:05:00Z",
        "severity": "sev2",
        "team": "Payments",
        "services": ["api", "db"]
    })
}

async fn healthz_reports_ok(app: &TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json::<Value>(), json!({"status": "ok"}));
}

async fn created_reviews_can_be_read_back(app: &TestApp) {
    let before = Utc::now();
    let created = app.post_json("/api/v1/reviews", &create_body("r-1")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header(header::LOCATION), "/api/v1/reviews/r-1");
    let CreatedReview {
        review,
        facilitator_token,
        invite_token,
    } = created.json();
    for token in [&facilitator_token, &invite_token] {
        assert_eq!(token.len(), 64, "256 bits in hex");
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
    }
    assert_ne!(facilitator_token, invite_token);
    assert_eq!(review.id.as_str(), "r-1");
    assert_eq!(review.version, 1);
    assert_eq!(
        review.facts.title(),
        "Checkout latency",
        "normalised by the domain"
    );
    assert!(review.created_at >= before - chrono::TimeDelta::milliseconds(1));
    assert_eq!(review.created_at, review.updated_at);

    let fetched = app.get_as("/api/v1/reviews/r-1", &facilitator_token).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.header(header::ETAG), "\"1\"");
    assert_eq!(fetched.json::<Review>(), review);
    let listed: ReviewList = app
        .get_as("/api/v1/reviews", &facilitator_token)
        .await
        .json();
    assert_eq!(listed.reviews, [review]);

    // A charset parameter is still JSON.
    let response = app
        .send(
            Request::post("/api/v1/reviews")
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(Body::from(create_body("r-2").to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
}

/// Nobody can list anyone else's reviews: a token lists the one review it grants.
async fn a_token_lists_only_its_own_review(app: &TestApp) {
    app.get("/api/v1/reviews")
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    let mut tokens = Vec::new();
    for id in ["b", "c", "a"] {
        let response = app.post_json("/api/v1/reviews", &create_body(id)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        tokens.push((id, response.json::<CreatedReview>().facilitator_token));
    }
    for (id, token) in tokens {
        let listed: ReviewList = app.get_as("/api/v1/reviews", &token).await.json();
        let ids: Vec<_> = listed.reviews.iter().map(|r| r.id.to_string()).collect();
        assert_eq!(ids, [id]);
    }
    assert_eq!(app.listed_ids().await, ["a", "c", "b"]);
}

/// Through the store, to choose the times: sub-second differences order correctly (the text
/// form in SQLite must not compare `10:00:00Z` after `10:00:00.5Z`), a microsecond counts, and
/// equal times fall back to the id, descending.
async fn list_order_is_exact_and_ties_go_by_id(app: &TestApp) {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap();
    let micros = chrono::TimeDelta::microseconds;
    for (id, at) in [
        ("whole-second", t0),
        ("half-second", t0 + micros(500_000)),
        ("one-micro-later", t0 + micros(500_001)),
        ("tie-a", t0 + micros(250_000)),
        ("tie-b", t0 + micros(250_000)),
        ("next-day", t0 + chrono::TimeDelta::days(1)),
    ] {
        let inserted = app
            .store
            .create_review(&review(id, at), &[], at)
            .await
            .unwrap();
        assert_eq!(inserted, mosaic_server::store::Inserted::Created);
    }
    assert_eq!(
        app.listed_ids().await,
        [
            "next-day",
            "one-micro-later",
            "half-second",
            "tie-b",
            "tie-a",
            "whole-second"
        ]
    );
}

fn review(id: &str, at: DateTime<Utc>) -> Review {
    let dto: CreateReview = serde_json::from_value(create_body(id)).unwrap();
    let new = NewReview::try_from(dto).unwrap();
    Review::new(new.id, new.facts, at)
}

async fn a_taken_id_is_a_conflict(app: &TestApp) {
    let first = app.post_json("/api/v1/reviews", &create_body("r-1")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let mut again = create_body("r-1");
    again["title"] = json!("Something else");
    let error = app
        .post_json("/api/v1/reviews", &again)
        .await
        .error(StatusCode::CONFLICT, "already_exists");
    assert!(error.message.contains("r-1"), "{error:?}");

    let first: CreatedReview = first.json();
    let stored: Review = app
        .get_as("/api/v1/reviews/r-1", &first.facilitator_token)
        .await
        .json();
    assert_eq!(stored, first.review, "the first review is untouched");
    assert_eq!(app.listed_ids().await, ["r-1"]);
}

/// One bad request: what is sent, and the status, code and message fragment expected back.
struct BadBody {
    case: &'static str,
    content_type: Option<&'static str>,
    body: String,
    status: StatusCode,
    code: &'static str,
    mentions: &'static str,
}

async fn bad_bodies_are_refused_and_nothing_is_stored(app: &TestApp) {
    let json = Some("application/json");
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut body = create_body("r-1");
        edit(&mut body);
        body.to_string()
    };
    let cases = [
        BadBody {
            case: "malformed JSON",
            content_type: json,
            body: r#"{"id": "r-1","#.to_owned(),
            status: StatusCode::BAD_REQUEST,
            code: "invalid_json",
            mentions: "EOF",
        },
        BadBody {
            case: "empty body",
            content_type: json,
            body: String::new(),
            status: StatusCode::BAD_REQUEST,
            code: "invalid_json",
            mentions: "EOF",
        },
        BadBody {
            case: "unknown field",
            content_type: json,
            body: with(&|b| b["colour"] = json!("red")),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_body",
            mentions: "colour",
        },
        BadBody {
            case: "wrong type",
            content_type: json,
            body: with(&|b| b["title"] = json!(42)),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_body",
            mentions: "title",
        },
        BadBody {
            case: "unknown severity",
            content_type: json,
            body: with(&|b| b["severity"] = json!("sev9")),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_body",
            mentions: "severity",
        },
        BadBody {
            case: "missing field",
            content_type: json,
            body: with(&|b| {
                b.as_object_mut().unwrap().remove("team");
            }),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_body",
            mentions: "team",
        },
        BadBody {
            case: "not an object",
            content_type: json,
            body: "[]".to_owned(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_body",
            mentions: "expected struct",
        },
        BadBody {
            case: "no content type",
            content_type: None,
            body: create_body("r-1").to_string(),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            mentions: "application/json",
        },
        BadBody {
            case: "wrong content type",
            content_type: Some("text/plain"),
            body: create_body("r-1").to_string(),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            mentions: "application/json",
        },
        BadBody {
            case: "body over 256 KiB",
            content_type: json,
            body: with(&|b| b["title"] = json!("x".repeat(256 * 1024))),
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "body_too_large",
            mentions: "256 KiB",
        },
        BadBody {
            // Under the byte limit, so the domain's own rule answers.
            case: "title too long",
            content_type: json,
            body: with(&|b| b["title"] = json!("x".repeat(200 * 1024))),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            mentions: "not valid",
        },
    ];
    for case in cases {
        check_refused(app, case).await;
    }

    // Validation reports every bad field at once, by name.
    let body = with(&|b| {
        b["id"] = json!("no spaces");
        b["title"] = json!(" ");
        b["resolved_at"] = json!("2026-11-01T09:00:00Z");
    });
    let response = app
        .send(
            Request::post("/api/v1/reviews")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    let error = response.error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<_> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["id", "title", "resolved_at", "resolved_at"]);
    assert_eq!(app.listed_ids().await, Vec::<String>::new());
}

async fn check_refused(app: &TestApp, case: BadBody) {
    let mut request = Request::post("/api/v1/reviews");
    if let Some(content_type) = case.content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let response = app.send(request.body(Body::from(case.body)).unwrap()).await;
    assert_eq!(
        response.status,
        case.status,
        "{}: {}",
        case.case,
        response.text()
    );
    let error = response.error(case.status, case.code);
    assert!(
        error.message.contains(case.mentions),
        "{}: {:?} should mention {:?}",
        case.case,
        error.message,
        case.mentions
    );
    assert_eq!(
        app.listed_ids().await,
        Vec::<String>::new(),
        "{}: nothing is stored",
        case.case
    );
}

async fn unknown_reviews_and_paths_are_json_404s(app: &TestApp) {
    // Without a token a review's path says nothing, not even whether it exists.
    app.get("/api/v1/reviews/nope")
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    for path in [
        "/api",
        "/api/",
        "/api/v1",
        "/api/v1/",
        "/api/v2/reviews",
        "/api/v1/reviews/a/b",
        "/api/v1/nothing.js",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        response.error(StatusCode::NOT_FOUND, "not_found");
    }
    let response = app
        .send(Request::delete("/api/unknown").body(Body::empty()).unwrap())
        .await;
    response.error(StatusCode::NOT_FOUND, "not_found");
}

async fn invalid_ids_in_paths_are_400s(app: &TestApp) {
    for path in [
        "/api/v1/reviews/no%20spaces",
        "/api/v1/reviews/%C3%A9",
        "/api/v1/reviews/dot.ted",
        "/api/v1/reviews/%FF",
        &format!("/api/v1/reviews/{}", "x".repeat(65)),
    ] {
        let error = app
            .get(path)
            .await
            .error(StatusCode::BAD_REQUEST, "invalid_id");
        assert_eq!(error.fields[0].field, "id", "{path}");
    }
}

async fn wrong_methods_are_json_405s(app: &TestApp) {
    for (method, path) in [
        (Method::DELETE, "/api/v1/reviews"),
        (Method::PUT, "/api/v1/reviews/r-1"),
        (Method::POST, "/healthz"),
    ] {
        let response = app
            .send(
                Request::builder()
                    .method(method.clone())
                    .uri(path)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        response.error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    }
}

/// A stored document the server can no longer read is its own failure: a 500 with a generic
/// message, and none of the detail (which is logged instead).
async fn unreadable_stored_reviews_are_generic_500s(app: &TestApp) {
    let created = app.post_json("/api/v1/reviews", &create_body("r-1")).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let token = created.json::<CreatedReview>().facilitator_token;
    app.execute_raw(r#"UPDATE reviews SET doc = '{"not": "a review"}'"#)
        .await;
    for path in ["/api/v1/reviews/r-1", "/api/v1/reviews"] {
        let error = app
            .get_as(path, &token)
            .await
            .error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
        assert_eq!(error.message, "Something went wrong on the server.");
    }
}

// ---- Serving the app: backend-independent, so run once. ----

fn write(dir: &Path, name: &str, contents: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// A `dist` as Trunk leaves it after a release build and precompression.
fn built_dist(dir: &Path) {
    write(dir, "index.html", b"<!doctype html><title>Mosaic</title>");
    write(dir, "index.html.br", b"brotli index");
    write(dir, "mosaic-0123abcd_bg.wasm", b"\0asm raw");
    write(dir, "mosaic-0123abcd_bg.wasm.br", b"brotli wasm");
    write(dir, "mosaic-0123abcd_bg.wasm.gz", b"gzip wasm");
    write(dir, "mosaic-0123abcd.js", b"export default 1;");
    write(dir, "mosaic-0123abcd.js.gz", b"gzip js");
    write(dir, "style-89ab.css", b"body{}");
}

async fn get_with(app: &TestApp, uri: &str, accept_encoding: &str) -> TestResponse {
    app.send(
        Request::get(uri)
            .header(header::ACCEPT_ENCODING, accept_encoding)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[tokio::test]
async fn client_routes_get_index_html_uncached() {
    let app = TestApp::sqlite().await;
    built_dist(app.dist.path());
    for path in [
        "/",
        "/index.html",
        "/reviews/abc",
        "/reviews/abc/",
        "/feed",
        "/settings",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(
            response.text(),
            "<!doctype html><title>Mosaic</title>",
            "{path}"
        );
        assert!(
            response
                .header(header::CONTENT_TYPE)
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(response.header(header::CACHE_CONTROL), "no-cache", "{path}");
    }
    // The precompressed index is used by the fallback too.
    let response = get_with(&app, "/reviews/abc", "br").await;
    assert_eq!(response.header(header::CONTENT_ENCODING), "br");
    assert_eq!(response.text(), "brotli index");
    assert_eq!(response.header(header::CACHE_CONTROL), "no-cache");
    app.finish().await;
}

#[tokio::test]
async fn assets_are_precompressed_typed_and_cached_for_good() {
    let app = TestApp::sqlite().await;
    built_dist(app.dist.path());
    let wasm = "/mosaic-0123abcd_bg.wasm";

    let response = get_with(&app, wasm, "gzip, br").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header(header::CONTENT_TYPE), "application/wasm");
    assert_eq!(response.header(header::CONTENT_ENCODING), "br");
    assert_eq!(response.header(header::VARY), "accept-encoding");
    assert_eq!(response.header(header::CACHE_CONTROL), IMMUTABLE);
    assert_eq!(response.text(), "brotli wasm");

    let response = get_with(&app, wasm, "gzip").await;
    assert_eq!(response.header(header::CONTENT_ENCODING), "gzip");
    assert_eq!(response.text(), "gzip wasm");

    let response = app.get(wasm).await;
    assert_eq!(response.header(header::CONTENT_TYPE), "application/wasm");
    assert!(response.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(response.text(), "\0asm raw");
    assert_eq!(response.header(header::CACHE_CONTROL), IMMUTABLE);

    // No .br beside the script: gzip is the best on offer.
    let response = get_with(&app, "/mosaic-0123abcd.js", "br, gzip").await;
    assert_eq!(response.header(header::CONTENT_ENCODING), "gzip");
    assert!(response.header(header::CONTENT_TYPE).contains("javascript"));
    assert_eq!(response.header(header::CACHE_CONTROL), IMMUTABLE);

    let response = app.get("/style-89ab.css").await;
    assert!(
        response
            .header(header::CONTENT_TYPE)
            .starts_with("text/css")
    );
    assert_eq!(response.header(header::CACHE_CONTROL), IMMUTABLE);
    app.finish().await;
}

#[tokio::test]
async fn missing_files_are_404_not_the_app() {
    let app = TestApp::sqlite().await;
    built_dist(app.dist.path());
    for path in ["/mosaic-old.js", "/reviews/abc/logo.svg"] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            response.headers.get(header::CACHE_CONTROL).is_none(),
            "{path}"
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn an_unbuilt_app_says_so() {
    let app = TestApp::sqlite().await;
    for path in ["/", "/reviews/abc"] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(
            response
                .header(header::CONTENT_TYPE)
                .starts_with("text/plain")
        );
        assert_eq!(response.header(header::CACHE_CONTROL), "no-store");
        assert!(
            response.text().contains("has not been built"),
            "{}",
            response.text()
        );
    }
    // The API works regardless.
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(app.listed_ids().await, Vec::<String>::new());
    app.finish().await;
}

#[tokio::test]
async fn api_paths_never_fall_back_to_the_app() {
    let app = TestApp::sqlite().await;
    built_dist(app.dist.path());
    write(app.dist.path(), "api/v1/reviews/x", b"a stray file");
    app.get("/api/v1/nope")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/reviews/x/y")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.finish().await;
}
