//! The live event stream and the organisation access key, through the router. A child of
//! `sync`, whose `World` it shares; part of the `suite!`, so each test runs on SQLite and on
//! PostgreSQL.

use super::{World, join};
use crate::{TestApp, TestResponse, send_to};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use mosaic_domain::room::Room;
use mosaic_domain::wire::{CreatedReview, Submitted};
use mosaic_server::{AppState, ReviewEvent};
use serde_json::json;
use std::time::Duration;
use tower::ServiceExt as _;

/// How soon a new version must be heard of.
pub const PROMPTLY: Duration = Duration::from_secs(1);
/// How long a stream must stay silent to count as saying nothing.
const QUIET: Duration = Duration::from_millis(300);

/// An open event stream: the response's head, and its body read frame by frame (axum sends
/// each event as one frame).
pub struct EventStream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Body,
    /// Every room heard so far, in order (`event: room`).
    pub rooms: Vec<Room>,
    /// Every frame read so far, as sent.
    pub transcript: String,
}

/// What one read of a stream found.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    Frame(String),
    Ended,
    /// Nothing within the time allowed.
    Quiet,
}

impl EventStream {
    /// `GET uri` through `router`, with `token` as `Authorization: Bearer` if given.
    pub async fn open(router: &Router, uri: &str, token: Option<&str>) -> Self {
        let mut request = Request::get(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        Self::send(router, request.body(Body::empty()).unwrap()).await
    }

    pub async fn send(router: &Router, request: Request<Body>) -> Self {
        let response = router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        Self {
            status: parts.status,
            headers: parts.headers,
            body,
            rooms: Vec::new(),
            transcript: String::new(),
        }
    }

    pub async fn read(&mut self, wait: Duration) -> Read {
        match tokio::time::timeout(wait, self.body.frame()).await {
            Err(_) => Read::Quiet,
            Ok(None) => Read::Ended,
            Ok(Some(frame)) => {
                let data = frame.unwrap().into_data().unwrap();
                let text = String::from_utf8(data.to_vec()).unwrap();
                self.transcript.push_str(&text);
                Read::Frame(text)
            }
        }
    }

    /// The version the next `review` event announces (rooms on the way are kept in
    /// [`EventStream::rooms`]); it must come promptly and be exactly `event: review` with
    /// `data: {"version":N}`.
    pub async fn next_version(&mut self) -> u64 {
        loop {
            match self.read(PROMPTLY).await {
                Read::Frame(text) if self.keep_room(&text) => {}
                Read::Frame(text) => return parse_event(&text),
                other => panic!("expected an event within {PROMPTLY:?}, got {other:?}"),
            }
        }
    }

    /// Keeps `text` if it is a room event.
    fn keep_room(&mut self, text: &str) -> bool {
        let Some(room) = parse_room(text) else {
            return false;
        };
        self.rooms.push(room);
        true
    }

    /// The first room, heard from now on within `within`, that `wanted` accepts (the latest
    /// room already heard counts); versions on the way are skipped.
    pub async fn room_where(&mut self, within: Duration, wanted: impl Fn(&Room) -> bool) -> Room {
        if let Some(room) = self.rooms.last().filter(|r| wanted(r)) {
            return room.clone();
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read(left).await {
                Read::Frame(text) if self.keep_room(&text) => {
                    let room = self.rooms.last().unwrap();
                    if wanted(room) {
                        return room.clone();
                    }
                }
                Read::Frame(_) => {}
                other => panic!(
                    "no such room within {within:?} ({other:?}): {:?}",
                    self.rooms.last()
                ),
            }
        }
    }

    /// No new version within a moment (rooms may come: they are kept).
    pub async fn assert_quiet(&mut self) {
        loop {
            match self.read(QUIET).await {
                Read::Frame(text) if self.keep_room(&text) => {}
                other => {
                    assert_eq!(other, Read::Quiet);
                    return;
                }
            }
        }
    }

    /// The stream ends (rooms heard before are kept), with no new version.
    pub async fn assert_ended(&mut self) {
        loop {
            match self.read(PROMPTLY).await {
                Read::Frame(text) if self.keep_room(&text) => {}
                other => {
                    assert_eq!(other, Read::Ended);
                    return;
                }
            }
        }
    }

    /// Everything the stream sends until it falls quiet or ends.
    pub async fn drain(&mut self) -> String {
        let mut seen = String::new();
        while let Read::Frame(text) = self.read(QUIET).await {
            self.keep_room(&text);
            seen.push_str(&text);
        }
        seen
    }

    /// As a [`TestResponse`], for the authorization matrix: an error's whole body, or a
    /// stream's first event.
    pub async fn first(mut self) -> TestResponse {
        let body = if self.status.is_success() {
            match self.read(PROMPTLY).await {
                Read::Frame(text) => text.into_bytes(),
                other => panic!("no first event: {other:?}"),
            }
        } else {
            self.body.collect().await.unwrap().to_bytes().to_vec()
        };
        TestResponse {
            status: self.status,
            headers: self.headers,
            body,
        }
    }
}

/// The room of an `event: room`, or `None` for any other frame.
pub fn parse_room(text: &str) -> Option<Room> {
    let data = text
        .strip_prefix("event: room\ndata: ")?
        .strip_suffix("\n\n")?;
    Some(serde_json::from_str(data).unwrap_or_else(|e| panic!("{e}: {data}")))
}

fn parse_event(text: &str) -> u64 {
    let data = text
        .strip_prefix("event: review\ndata: ")
        .and_then(|rest| rest.strip_suffix("\n\n"))
        .unwrap_or_else(|| panic!("not a review event: {text:?}"));
    let event: ReviewEvent = serde_json::from_str(data).unwrap();
    assert_eq!(data, format!(r#"{{"version":{}}}"#, event.version));
    event.version
}

/// Each stream hears `version` next.
async fn all_hear(streams: &mut [&mut EventStream], version: u64) {
    for stream in streams {
        assert_eq!(stream.next_version().await, version);
    }
}

pub async fn members_hear_each_new_version_and_nothing_of_drafts(app: &TestApp) {
    let w = World::new(app, "r-events").await;
    let events = w.path("/events");
    let version = w.review(app).await.version;

    // The token as a header, or in the query as a browser's EventSource must send it.
    let mut alice = EventStream::open(&app.router, &events, Some(&w.alice.token)).await;
    assert_eq!(alice.status, StatusCode::OK);
    assert_eq!(alice.headers[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(alice.headers[header::CACHE_CONTROL], "no-store");
    let query = format!("{events}?token={}", w.facilitator);
    let mut facilitator = EventStream::open(&app.router, &query, None).await;
    assert_eq!(facilitator.status, StatusCode::OK);
    all_hear(&mut [&mut alice, &mut facilitator], version).await;

    // A join, an op and a submission: one new version each, heard at once by everyone.
    let carol = join(app, &w.id, &w.invite, "Carol").await;
    all_hear(&mut [&mut alice, &mut facilitator], carol.review.version).await;
    let summary = json!({"op": "set_summary", "summary": "Checkout slowed down."});
    let review = w.facilitate(app, summary).await;
    all_hear(&mut [&mut alice, &mut facilitator], review.version).await;
    // Another participant's drafts: no version; the room says only that Bob is still writing,
    // once, however many times he saves.
    w.save(app, &w.bob, "first draft").await;
    w.save(app, &w.bob, "second draft").await;
    alice.assert_quiet().await;
    facilitator.assert_quiet().await;
    for stream in [&mut alice, &mut facilitator] {
        let bob_writing =
            |r: &Room| r.member(&w.bob.participant_id).and_then(|m| m.writing) == Some(true);
        stream.room_where(PROMPTLY, bob_writing).await;
        let flips = stream
            .rooms
            .windows(2)
            .filter(|p| !bob_writing(&p[0]) && bob_writing(&p[1]));
        assert_eq!(flips.count(), 1, "{:?}", stream.rooms);
    }
    let submitted = w.submit(app, &w.bob).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    let version = submitted.json::<Submitted>().review.version;
    all_hear(&mut [&mut alice, &mut facilitator], version).await;

    // A revoked token's stream ends; the others hear nothing of it.
    let mut bob = EventStream::open(&app.router, &events, Some(&w.bob.token)).await;
    assert_eq!(bob.next_version().await, version);
    let revoke = w.path(&format!("/participants/{}/token", w.bob.participant_id));
    let response = app
        .call(Method::DELETE, &revoke, Some(&w.facilitator), None, None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    bob.assert_ended().await;
    alice.assert_quiet().await;
    facilitator.assert_quiet().await;
    let again = EventStream::open(&app.router, &events, Some(&w.bob.token)).await;
    again
        .first()
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");

    // A removed participant's stream ends without hearing of the removal.
    let mut carols = EventStream::open(&app.router, &events, Some(&carol.token)).await;
    assert_eq!(carols.next_version().await, version);
    let carol_id = carol.participant_id.as_str();
    let review = w
        .facilitate(app, json!({"op": "remove_participant", "id": carol_id}))
        .await;
    carols.assert_ended().await;
    all_hear(&mut [&mut alice, &mut facilitator], review.version).await;

    // A stream opened now starts from the current version.
    let mut late = EventStream::open(&app.router, &events, Some(&w.alice.token)).await;
    assert_eq!(late.next_version().await, review.version);
}

pub async fn an_access_key_closes_the_api_but_not_the_app(app: &TestApp) {
    let w = World::new(app, "r-key").await;
    std::fs::write(app.dist.path().join("index.html"), "<!doctype html>").unwrap();
    const KEY: &str = "org-Key_1-0123456789";
    let state = AppState::new(app.store.clone(), app.dist.path());
    let router = mosaic_server::app(state.with_access_key(Some(KEY.parse().unwrap())));
    let request = |method: Method, uri: &str, key: Option<&str>, token: Option<&str>| {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            request = request.header("X-Mosaic-Access-Key", key);
        }
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap()
    };

    // Every API path, known or not, as the facilitator: without the key, with a wrong one, or
    // with it in the query (which only the event stream takes, below), 401 before anything
    // else.
    let alice = w.account_path(&w.alice, "");
    let revoke = w.path(&format!("/participants/{}/token", w.bob.participant_id));
    let routes = [
        (Method::GET, "/api/v1/reviews".to_owned()),
        (Method::POST, "/api/v1/reviews".to_owned()),
        (Method::GET, w.path("")),
        (Method::POST, w.path("/participants")),
        (Method::DELETE, revoke),
        (Method::POST, w.path("/ops")),
        (Method::GET, w.path("/accounts")),
        (Method::GET, alice.clone()),
        (Method::PUT, alice.clone()),
        (Method::POST, format!("{alice}/submit")),
        (Method::GET, w.path("/events")),
        (Method::GET, "/api/v1/nothing".to_owned()),
        (Method::GET, w.path("/events/more")),
        (Method::GET, "/api".to_owned()),
        (Method::DELETE, "/api/v1/reviews".to_owned()),
    ];
    for (method, path) in &routes {
        let path = path.as_str();
        let keyed = format!("{path}?access_key={KEY}");
        let mut attempts = vec![
            (path, None),
            (path, Some("wrong")),
            (path, Some("org-Key_")),
            (path, Some("org-key_1")),
            (path, Some("")),
        ];
        if !path.ends_with("/events") {
            attempts.push((&keyed, None));
        }
        for (uri, key) in attempts {
            let request = request(method.clone(), uri, key, Some(&w.facilitator));
            let error = send_to(router.clone(), request)
                .await
                .error(StatusCode::UNAUTHORIZED, "access_key_required");
            assert!(error.message.contains("access key"), "{error:?}");
        }
    }
    // Nothing was done: the participant's token still works.
    let response = app.get_as(&w.path(""), &w.bob.token).await;
    assert_eq!(response.status, StatusCode::OK);

    // With the key: the API as usual.
    let response = send_to(
        router.clone(),
        request(Method::GET, &w.path(""), Some(KEY), Some(&w.facilitator)),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    send_to(
        router.clone(),
        request(Method::GET, &w.path(""), Some(KEY), None),
    )
    .await
    .error(StatusCode::UNAUTHORIZED, "unauthorized");
    send_to(
        router.clone(),
        request(Method::GET, "/api/v1/nothing", Some(KEY), None),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    let create = Request::post("/api/v1/reviews")
        .header("x-mosaic-access-key", KEY)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(crate::create_body("r-key-2").to_string()))
        .unwrap();
    let created = send_to(router.clone(), create).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    created.json::<CreatedReview>();

    // The event stream takes the key as a header, or in its query beside the token.
    let version = w.review(app).await.version;
    let events = w.path("/events");
    let uri = format!("{events}?token={}&access_key={KEY}", w.alice.token);
    let mut stream = EventStream::send(&router, request(Method::GET, &uri, None, None)).await;
    assert_eq!(stream.next_version().await, version);
    let request_with_header = request(Method::GET, &events, Some(KEY), Some(&w.alice.token));
    let mut stream = EventStream::send(&router, request_with_header).await;
    assert_eq!(stream.next_version().await, version);
    let uri = format!("{events}?token={}&access_key=wrong", w.alice.token);
    EventStream::send(&router, request(Method::GET, &uri, None, None))
        .await
        .first()
        .await
        .error(StatusCode::UNAUTHORIZED, "access_key_required");

    // The health check and the app itself need no key: the app must load to ask for it.
    for path in ["/healthz", "/", "/reviews/r-key"] {
        let response = send_to(router.clone(), request(Method::GET, path, None, None)).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{path}: {}",
            response.text()
        );
    }
}

/// How soon a commit on one process must reach a stream on another (the issue's 1 s).
const ACROSS: Duration = Duration::from_secs(1);

impl EventStream {
    /// The version of the next event, which must come within [`ACROSS`].
    async fn next_version_across(&mut self) -> u64 {
        match self.read(ACROSS).await {
            Read::Frame(text) => parse_event(&text),
            other => panic!("expected an event within {ACROSS:?}, got {other:?}"),
        }
    }
}

/// Two processes on one PostgreSQL database: streams held by either hear every version and
/// every revocation committed through the other, and nothing of drafts.
pub async fn streams_hear_what_another_process_commits(app: &TestApp, other: &TestApp) {
    let w = World::new(app, "r-two").await;
    let events = w.path("/events");
    let version = w.review(app).await.version;
    let mut alice = EventStream::open(&other.router, &events, Some(&w.alice.token)).await;
    let mut facilitator = EventStream::open(&app.router, &events, Some(&w.facilitator)).await;
    let mut bob = EventStream::open(&other.router, &events, Some(&w.bob.token)).await;
    for stream in [&mut alice, &mut facilitator, &mut bob] {
        assert_eq!(stream.status, StatusCode::OK);
        assert_eq!(stream.next_version().await, version);
    }

    // A join through the other process, an op through each, a submission through the first.
    let carol = join(other, &w.id, &w.invite, "Carol").await;
    for stream in [&mut alice, &mut facilitator, &mut bob] {
        assert_eq!(stream.next_version_across().await, carol.review.version);
    }
    let review = w
        .facilitate(
            other,
            json!({"op": "set_summary", "summary": "Checkout slowed down."}),
        )
        .await;
    for stream in [&mut alice, &mut facilitator, &mut bob] {
        assert_eq!(stream.next_version_across().await, review.version);
    }
    w.save(app, &w.alice, "a draft").await;
    alice.assert_quiet().await;
    bob.assert_quiet().await;
    let submitted = w.submit(app, &w.alice).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    let version = submitted.json::<Submitted>().review.version;
    for stream in [&mut alice, &mut facilitator, &mut bob] {
        assert_eq!(stream.next_version_across().await, version);
    }

    // A revocation through the first process ends the stream held by the other.
    let revoke = w.path(&format!("/participants/{}/token", w.bob.participant_id));
    let response = app
        .call(Method::DELETE, &revoke, Some(&w.facilitator), None, None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    match bob.read(ACROSS).await {
        Read::Ended => {}
        other => panic!("bob's stream should end, got {other:?}"),
    }
    alice.assert_quiet().await;
}

/// A process whose listening connection is cut (PostgreSQL terminates it) reconnects, and its
/// streams hear the versions committed meanwhile: none stays stale.
pub async fn a_listener_that_lost_its_connection_catches_up(app: &TestApp, other: &TestApp) {
    let w = World::new(app, "r-cut").await;
    let events = w.path("/events");
    let version = w.review(app).await.version;
    let mut alice = EventStream::open(&other.router, &events, Some(&w.alice.token)).await;
    assert_eq!(alice.next_version().await, version);

    // Both processes' listeners (of this test's schema only) are cut; commits land while
    // they reconnect.
    other
        .execute_raw(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'mosaic-listener' \
             AND query = 'LISTEN \"mosaic_' || current_schema() || '\"'",
        )
        .await;
    let mut last = version;
    for summary in ["One.", "Two."] {
        last = w
            .facilitate(app, json!({"op": "set_summary", "summary": summary}))
            .await
            .version;
    }
    // Heard by then: each version as it came, or the last once reconnected.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut heard = version;
    while heard < last {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stale at {heard} of {last}"
        );
        match alice.read(Duration::from_secs(3)).await {
            Read::Frame(text) => heard = parse_event(&text),
            other => panic!("expected an event, got {other:?}"),
        }
    }
    // And the bus works again afterwards.
    let review = w
        .facilitate(app, json!({"op": "set_summary", "summary": "Three."}))
        .await;
    assert_eq!(alice.next_version_across().await, review.version);
}

/// The feed's statistics are cached per process until the feed changes: a publication through
/// one process makes the other's cached answer stale.
pub async fn feed_statistics_are_fresh_on_every_process(app: &TestApp, other: &TestApp) {
    use crate::feed::{Spec, publish};
    use mosaic_domain::feed::FeedStats;
    let stats = async || other.get("/api/v1/feed/stats").await.json::<FeedStats>();
    assert_eq!(stats().await.findings, 0);
    publish(app, &Spec::new("r-stats-a")).await;
    let deadline = tokio::time::Instant::now() + ACROSS;
    while stats().await.findings != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the other process still answers from its cache"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
