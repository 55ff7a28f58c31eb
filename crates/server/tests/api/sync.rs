//! Many people, many browsers: tokens, conditional writes and accounts sealed by the server,
//! through the API. Part of the `suite!`, so each test runs on SQLite and on PostgreSQL.

use crate::{TestApp, TestResponse, create_body, send_to};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use mosaic_domain::wire::{
    AccountList, CreatedReview, ErrorBody, Joined, ReviewList, Stale, StaleAccount, Submitted,
};
use mosaic_domain::{
    Account, AccountInput, EntryId, EntryInput, FactorKind, ObservationId, QuestionId, Review,
    ReviewId, verify_commitment,
};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

#[path = "events.rs"]
pub mod events;
#[path = "hostile.rs"]
pub mod hostile;
#[path = "hostile_props.rs"]
pub mod hostile_props;
#[path = "room.rs"]
pub mod room;
use events::{EventStream, PROMPTLY};
use mosaic_domain::room::Room;

/// One review (`id`) with its facilitator, invite and two participants, in Investigating; and
/// a second review whose facilitator plays "another review's token".
pub(crate) struct World {
    pub(crate) id: String,
    pub(crate) facilitator: String,
    pub(crate) invite: String,
    pub(crate) alice: Joined,
    pub(crate) bob: Joined,
    other: String,
}

impl World {
    pub(crate) async fn new(app: &TestApp, id: &str) -> Self {
        let created = create(app, id).await;
        let other = create(app, &format!("{id}-other")).await;
        let alice = join(app, id, &created.invite_token, "Alice").await;
        let bob = join(app, id, &created.invite_token, "Bob").await;
        let world = Self {
            id: id.to_owned(),
            facilitator: created.facilitator_token,
            invite: created.invite_token,
            alice,
            bob,
            other: other.facilitator_token,
        };
        world
            .facilitate(app, json!({"op": "transition", "to": "investigating"}))
            .await;
        world
    }

    pub(crate) fn path(&self, rest: &str) -> String {
        format!("/api/v1/reviews/{}{rest}", self.id)
    }

    pub(crate) fn account_path(&self, who: &Joined, rest: &str) -> String {
        self.path(&format!("/accounts/{}{rest}", who.participant_id))
    }

    pub(crate) async fn review(&self, app: &TestApp) -> Review {
        let id = ReviewId::parse(&self.id).unwrap();
        app.store.get_review(&id).await.unwrap().unwrap()
    }

    /// As the facilitator, `op` on the current version; it must be accepted.
    pub(crate) async fn facilitate(&self, app: &TestApp, op: Value) -> Review {
        let base = self.review(app).await.version;
        let response = self.op(app, &self.facilitator, Some(base), op).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    pub(crate) async fn op(
        &self,
        app: &TestApp,
        token: &str,
        base: Option<u64>,
        op: Value,
    ) -> TestResponse {
        self.op_with_id(app, token, &next_op_id(), base, op).await
    }

    async fn op_with_id(
        &self,
        app: &TestApp,
        token: &str,
        op_id: &str,
        base: Option<u64>,
        op: Value,
    ) -> TestResponse {
        let body = json!({"op_id": op_id, "base_version": base, "op": op});
        app.call(
            Method::POST,
            &self.path("/ops"),
            Some(token),
            Some(&body),
            None,
        )
        .await
    }

    /// The version of `who`'s stored account; 0 when there is none.
    pub(crate) async fn account_version(&self, app: &TestApp, who: &Joined) -> u64 {
        let id = ReviewId::parse(&self.id).unwrap();
        app.store
            .get_account(&id, &who.participant_id)
            .await
            .unwrap()
            .map_or(0, |a| a.version())
    }

    /// Stores `who`'s draft, as `who`, on the current version; it must be accepted.
    pub(crate) async fn save(&self, app: &TestApp, who: &Joined, text: &str) -> Account {
        let base = self.account_version(app, who).await;
        let response = put_account(app, &self.draft(who, text), &who.token, base).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    pub(crate) async fn submit(&self, app: &TestApp, who: &Joined) -> TestResponse {
        let path = self.account_path(who, "/submit");
        app.call(Method::POST, &path, Some(&who.token), None, None)
            .await
    }

    /// A draft for `who` with one entry, one observation and one answer, all carrying `text`.
    fn draft(&self, who: &Joined, text: &str) -> Account {
        let mut account = Account::new(
            ReviewId::parse(&self.id).unwrap(),
            who.participant_id.clone(),
        );
        account
            .add_entry(
                EntryId::parse("e1").unwrap(),
                EntryInput {
                    at: Some("2026-11-01T10:02:00Z".parse().unwrap()),
                    what_happened: format!("The pager fired: {text}"),
                    ..EntryInput::default()
                },
            )
            .unwrap();
        account
            .add_observation(
                ObservationId::parse("o1").unwrap(),
                FactorKind::Technical,
                &format!("No alert on the queue: {text}"),
            )
            .unwrap();
        account
            .set_answer(
                QuestionId::parse("default-4").unwrap(),
                &format!("What helped: {text}"),
            )
            .unwrap();
        account
    }
}

pub(crate) async fn create(app: &TestApp, id: &str) -> CreatedReview {
    let response = app.post_json("/api/v1/reviews", &create_body(id)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

pub(crate) async fn join(app: &TestApp, id: &str, invite: &str, name: &str) -> Joined {
    let response = app
        .post_json(
            &format!("/api/v1/reviews/{id}/participants"),
            &join_body(invite, name),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

pub(crate) fn join_body(invite: &str, name: &str) -> Value {
    json!({
        "invite_token": invite,
        "name": name,
        "role": "on-call SRE",
        "show_name_when_published": false
    })
}

pub(crate) async fn put_account(
    app: &TestApp,
    account: &Account,
    token: &str,
    base: u64,
) -> TestResponse {
    let path = format!(
        "/api/v1/reviews/{}/accounts/{}",
        account.review_id(),
        account.participant_id()
    );
    let body = serde_json::to_value(AccountInput::from_account(account)).unwrap();
    let if_match = format!("\"{base}\"");
    app.call(
        Method::PUT,
        &path,
        Some(token),
        Some(&body),
        Some(&if_match),
    )
    .await
}

/// A fresh op id for every request, across tests.
pub(crate) fn next_op_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("op-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

// ---- (1) The authorization matrix. ----

/// Who is calling, in the matrix's column order.
#[derive(Clone, Copy, Debug)]
enum Who {
    Nobody,
    OtherReview,
    /// Alice, whose account the account routes name.
    Participant,
    /// Bob.
    OtherParticipant,
    Facilitator,
}

const COLUMNS: [Who; 5] = [
    Who::Nobody,
    Who::OtherReview,
    Who::Participant,
    Who::OtherParticipant,
    Who::Facilitator,
];

#[derive(Clone, Copy, Debug)]
enum Route {
    GetReview,
    ListReviews,
    ListAccounts,
    /// Alice's account.
    GetAccount,
    PutAccount,
    /// A facilitator's op (the summary).
    ApplyOp,
    /// Alice's vote for her own observation: a participant's op, refused by the phase.
    Vote,
    /// The invite in the body is the credential; the header plays no part.
    Join,
    SubmitAccount,
    /// Bob's token.
    RevokeToken,
    /// The review's event stream; its first event is the body.
    Events,
}

fn token(w: &World, who: Who) -> Option<&str> {
    match who {
        Who::Nobody => None,
        Who::OtherReview => Some(&w.other),
        Who::Participant => Some(&w.alice.token),
        Who::OtherParticipant => Some(&w.bob.token),
        Who::Facilitator => Some(&w.facilitator),
    }
}

async fn send(app: &TestApp, w: &World, route: Route, who: Who) -> TestResponse {
    let token = token(w, who);
    let alice = w.alice.participant_id.as_str();
    match route {
        Route::GetReview => app.call(Method::GET, &w.path(""), token, None, None).await,
        Route::ListReviews => {
            app.call(Method::GET, "/api/v1/reviews", token, None, None)
                .await
        }
        Route::ListAccounts => {
            app.call(Method::GET, &w.path("/accounts"), token, None, None)
                .await
        }
        Route::GetAccount => {
            let path = w.account_path(&w.alice, "");
            app.call(Method::GET, &path, token, None, None).await
        }
        Route::PutAccount => {
            let base = w.account_version(app, &w.alice).await;
            let body = AccountInput::from_account(&w.draft(&w.alice, "matrix"));
            let body = serde_json::to_value(body).unwrap();
            let path = w.account_path(&w.alice, "");
            let if_match = format!("\"{base}\"");
            app.call(Method::PUT, &path, token, Some(&body), Some(&if_match))
                .await
        }
        Route::ApplyOp => {
            let base = w.review(app).await.version;
            let op = json!({"op": "set_summary", "summary": "Checkout slowed down."});
            let body = json!({"op_id": next_op_id(), "base_version": base, "op": op});
            app.call(Method::POST, &w.path("/ops"), token, Some(&body), None)
                .await
        }
        Route::Vote => {
            let base = w.review(app).await.version;
            let factor = json!({"participant_id": alice, "observation_id": "o1"});
            let op = json!({"op": "toggle_vote", "voter": alice, "factor": factor});
            let body = json!({"op_id": next_op_id(), "base_version": base, "op": op});
            app.call(Method::POST, &w.path("/ops"), token, Some(&body), None)
                .await
        }
        Route::Join => {
            // A name of its own each time: one name and role is one person.
            let body = join_body(&w.invite, &format!("Newcomer {}", next_op_id()));
            app.call(
                Method::POST,
                &w.path("/participants"),
                token,
                Some(&body),
                None,
            )
            .await
        }
        Route::SubmitAccount => {
            let path = w.account_path(&w.alice, "/submit");
            app.call(Method::POST, &path, token, None, None).await
        }
        Route::RevokeToken => {
            let path = w.path(&format!("/participants/{}/token", w.bob.participant_id));
            app.call(Method::DELETE, &path, token, None, None).await
        }
        Route::Events => {
            let stream = EventStream::open(&app.router, &w.path("/events"), token).await;
            stream.first().await
        }
    }
}

/// One cell: `route` as `who` answers `expected`; an error is always an `ErrorBody`.
async fn check(app: &TestApp, w: &World, route: Route, who: Who, expected: u16) {
    let response = send(app, w, route, who).await;
    assert_eq!(
        response.status.as_u16(),
        expected,
        "{route:?} as {who:?}: {}",
        response.text()
    );
    if !response.status.is_success() {
        let body: ErrorBody = response.json();
        assert!(!body.error.is_empty(), "{route:?} as {who:?}");
    }
}

pub async fn every_route_answers_each_caller_as_the_matrix_says(app: &TestApp) {
    let w = World::new(app, "r-matrix").await;
    w.save(app, &w.alice, "first draft").await;
    // Rows run in order, each column left to right: a row's writes are its last columns, so
    // the submit and the revocation come last.
    let matrix: [(Route, [u16; 5]); 11] = [
        // Nobody, other review, participant, other participant, facilitator
        (Route::GetReview, [401, 403, 200, 200, 200]),
        (Route::ListReviews, [401, 200, 200, 200, 200]),
        (Route::ListAccounts, [401, 403, 200, 200, 200]),
        (Route::Events, [401, 403, 200, 200, 200]),
        (Route::GetAccount, [401, 403, 200, 404, 404]),
        (Route::PutAccount, [401, 403, 200, 403, 403]),
        (Route::ApplyOp, [401, 403, 403, 403, 200]),
        (Route::Vote, [401, 403, 422, 403, 403]),
        (Route::Join, [201, 201, 201, 201, 201]),
        (Route::SubmitAccount, [401, 403, 200, 403, 403]),
        (Route::RevokeToken, [401, 403, 403, 403, 204]),
    ];
    for (route, expected) in matrix {
        for (who, status) in COLUMNS.into_iter().zip(expected) {
            check(app, &w, route, who, status).await;
        }
    }
    // The revoked token no longer works anywhere; the others still do.
    for route in [
        Route::GetReview,
        Route::ListReviews,
        Route::ListAccounts,
        Route::Events,
    ] {
        check(app, &w, route, Who::OtherParticipant, 401).await;
        check(app, &w, route, Who::Participant, 200).await;
    }
    // A token that was never issued, and a malformed header, are 401 too.
    for value in ["Bearer 0000", "Basic abc", "Bearer", "bearer  "] {
        let response = app
            .send(
                Request::get(w.path(""))
                    .header(header::AUTHORIZATION, value)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        response.error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // The invite token only joins.
    let response = app.get_as(&w.path(""), &w.invite).await;
    response.error(StatusCode::FORBIDDEN, "forbidden");
    // The event stream's token in the query is held to the same rules.
    for (query, status, code) in [
        ("token=0000", StatusCode::UNAUTHORIZED, "unauthorized"),
        ("token=", StatusCode::UNAUTHORIZED, "unauthorized"),
        (
            &format!("token={}", w.bob.token),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            &format!("token={}", w.other),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            &format!("token={}", w.invite),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ] {
        let uri = format!("{}?{query}", w.path("/events"));
        let stream = EventStream::open(&app.router, &uri, None).await;
        stream.first().await.error(status, code);
    }
}

// ---- (2) Nothing of an account leaks before the reveal, and nothing reaches the log. ----

/// Everything the server logs, at every level, from every thread, for the whole test binary.
/// Installed by the first test that asks; the markers it is searched for are unique to one
/// test, so other tests' lines do no harm.
fn server_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        // The JSON format the binary writes with `--log-format json`, span fields and all.
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Capture(sink.clone()))
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
        log
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_text(log: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&log.lock().unwrap()).into_owned()
}

/// Every GET route, as `token`: the review, the list, the account list, each account.
async fn read_everything(app: &TestApp, w: &World, token: Option<&str>) -> String {
    let mut seen = String::new();
    let mut paths = vec![
        w.path(""),
        "/api/v1/reviews".to_owned(),
        w.path("/accounts"),
    ];
    for who in [&w.alice, &w.bob] {
        paths.push(w.account_path(who, ""));
    }
    for path in paths {
        let response = app.call(Method::GET, &path, token, None, None).await;
        seen.push_str(&format!(
            "{path} {} {:?}\n",
            response.status, response.headers
        ));
        seen.push_str(&response.text());
        seen.push('\n');
    }
    seen
}

pub async fn accounts_stay_sealed_until_the_reveal_and_never_reach_the_log(app: &TestApp) {
    let log = server_log();
    let w = World::new(app, "r-leak").await;
    // Unique to this run and this backend, so nothing else can contain them.
    let nonce = next_op_id();
    let markers: Vec<String> = ["alice", "bob"]
        .iter()
        .map(|who| format!("MARKER-{who}-{nonce}-{}", app.store.kind()))
        .collect();
    let members = [&w.alice, &w.bob];
    // Everyone's event stream is open while the accounts are written, the facilitator's with
    // its token in the query, as a browser sends it.
    let events = w.path("/events");
    let in_query = format!("{events}?token={}", w.facilitator);
    let mut streams = [
        EventStream::open(&app.router, &in_query, None).await,
        EventStream::open(&app.router, &events, Some(&w.alice.token)).await,
        EventStream::open(&app.router, &events, Some(&w.bob.token)).await,
    ];
    // Every event type on the way: presence (the streams above), writing (the saves), a hand
    // raised and lowered, and a timebox started, extended and stopped.
    let hand = w.path(&format!("/hands/{}", w.alice.participant_id));
    let timebox = w.path("/timebox");
    let raised = |r: &Room| r.members.iter().any(|m| m.hand.is_some());
    let timebox_is = |r: &Room, extended: u32, stopped: bool| {
        r.timebox
            .as_ref()
            .is_some_and(|t| t.extended_minutes == extended && t.stopped_at.is_some() == stopped)
    };
    type Told = Box<dyn Fn(&Room) -> bool>;
    let signals: [(Method, String, &str, Option<Value>, Told); 5] = [
        (
            Method::PUT,
            hand.clone(),
            &w.alice.token,
            Some(json!({"reason": "more_time"})),
            Box::new(raised),
        ),
        (
            Method::PUT,
            timebox.clone(),
            &w.facilitator,
            Some(json!({"minutes": 15})),
            Box::new(move |r| timebox_is(r, 0, false)),
        ),
        (
            Method::POST,
            format!("{timebox}/extend"),
            &w.facilitator,
            Some(json!({"minutes": 5})),
            Box::new(move |r| timebox_is(r, 5, false)),
        ),
        (
            Method::DELETE,
            hand.clone(),
            &w.facilitator,
            None,
            Box::new(move |r| !raised(r)),
        ),
        (
            Method::DELETE,
            timebox.clone(),
            &w.facilitator,
            None,
            Box::new(move |r| timebox_is(r, 5, true)),
        ),
    ];
    for (i, (who, marker)) in members.iter().zip(&markers).enumerate() {
        w.save(app, who, marker).await;
        if i == 0 {
            for stream in &mut streams {
                let writing = |r: &Room| r.member(&who.participant_id).unwrap().writing;
                stream
                    .room_where(PROMPTLY, |r| writing(r) == Some(true))
                    .await;
            }
            // Each signal is heard by every stream before the next.
            for (method, path, token, body, told) in &signals {
                let response = app
                    .call(method.clone(), path, Some(token), body.as_ref(), None)
                    .await;
                assert_eq!(
                    response.status,
                    StatusCode::OK,
                    "{path}: {}",
                    response.text()
                );
                for stream in &mut streams {
                    stream.room_where(PROMPTLY, told).await;
                }
            }
        }
        let submitted = w.submit(app, who).await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    }

    // Before the reveal: each author reads their own, and nobody else reads anything of it.
    for (i, (author, marker)) in members.iter().zip(&markers).enumerate() {
        let own = read_everything(app, &w, Some(&author.token)).await;
        assert!(own.contains(marker.as_str()), "the author reads their own");
        let others: [(&str, Option<&str>); 4] = [
            ("facilitator", Some(&w.facilitator)),
            ("other participant", Some(&members[1 - i].token)),
            ("other review", Some(&w.other)),
            ("no token", None),
        ];
        for (who, token) in others {
            let seen = read_everything(app, &w, token).await;
            assert_eq!(seen.matches(marker.as_str()).count(), 0, "{who}: {seen}");
        }
    }
    // The streams said nothing but versions and rooms, and the rooms only flags and names.
    for stream in &mut streams {
        stream.drain().await;
        let seen = stream.transcript.clone();
        assert!(seen.starts_with("event: review\n"), "{seen}");
        assert!(
            seen.lines().all(|l| l.is_empty()
                || l == "event: review"
                || l.starts_with("data: {\"version\":")
                || l == "event: room"
                || l.starts_with("data: {\"members\":")),
            "{seen}"
        );
        let rooms = &stream.rooms;
        assert!(!rooms.is_empty());
        room::rooms_carry_only_flags(rooms);
        for marker in &markers {
            assert_eq!(seen.matches(marker.as_str()).count(), 0, "{seen}");
        }
    }
    // The 404 for someone else's account is the same whether it exists or not.
    let missing = app
        .get_as(&w.path("/accounts/nobody-here"), &w.facilitator)
        .await;
    let existing = app
        .get_as(&w.account_path(&w.alice, ""), &w.facilitator)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Byte for byte, but for the id each request has of its own (of the same length).
    let without_id = |response: &TestResponse| {
        let mut headers = response.headers.clone();
        assert_eq!(headers.remove("x-request-id").map(|id| id.len()), Some(16));
        let mut body: Value = response.json();
        body.as_object_mut().unwrap().remove("request_id");
        (response.status, headers, body)
    };
    assert_eq!(without_id(&existing), without_id(&missing));

    // The reveal, through the ops route.
    w.facilitate(app, json!({"op": "transition", "to": "revealed"}))
        .await;
    for token in [&w.facilitator, &w.alice.token, &w.bob.token] {
        let seen = read_everything(app, &w, Some(token)).await;
        let listed: AccountList = app.get_as(&w.path("/accounts"), token).await.json();
        assert_eq!(listed.accounts.len(), 2);
        for marker in &markers {
            // In the account list and in the account itself: its entry, observation and answer.
            assert_eq!(seen.matches(marker.as_str()).count(), 6, "{seen}");
        }
    }
    for token in [Some(w.other.as_str()), None] {
        let seen = read_everything(app, &w, token).await;
        for marker in &markers {
            assert_eq!(seen.matches(marker.as_str()).count(), 0, "{seen}");
        }
    }

    // Nor does any route of the findings feed, searched for them or not.
    let tokens = [
        w.facilitator.as_str(),
        w.alice.token.as_str(),
        w.other.as_str(),
    ];
    crate::feed::no_feed_route_shows(app, &w.id, &tokens, &markers).await;

    // The server logged these requests, and never an account's content, nor a token, not
    // even one sent in the query.
    let logged = log_text(&log);
    for path in [
        "/api/v1/reviews/r-leak/accounts",
        "/api/v1/reviews/r-leak/events",
    ] {
        assert!(logged.contains(path), "{path} was not captured");
    }
    for token in [&w.facilitator, &w.alice.token, &w.bob.token] {
        assert!(!logged.contains(token.as_str()), "a token was logged");
    }
    for marker in &markers {
        assert_eq!(
            logged.matches(marker.as_str()).count(),
            0,
            "{marker} was logged"
        );
    }
    // Every line is one JSON object; the refused read above is logged with the id its answer
    // showed in its header and its body, and with its status.
    let lines: Vec<Value> = logged
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let id = missing.headers["x-request-id"].to_str().unwrap();
    assert_eq!(missing.json::<Value>()["request_id"], json!(id));
    assert!(
        lines
            .iter()
            .any(|line| line["span"]["request_id"] == json!(id)
                && line["span"]["path"] == json!(w.path("/accounts/nobody-here"))
                && line["status"] == json!(404)),
        "no line of request {id}"
    );
}

/// The facilitator shapes the question guide in Setup only; the participants' answers are
/// stored, sealed and covered by the commitment, and read by others only after the reveal.
pub async fn the_guide_is_fixed_once_accounts_open_and_answers_are_sealed(app: &TestApp) {
    let w = World::new(app, "r-guide").await;
    w.facilitate(app, json!({"op": "transition", "to": "setup"}))
        .await;
    let custom = json!({"op": "add_question", "id": "q-custom",
        "question": {"text": "Which dashboard did you trust?", "hint": ""}});
    // A participant can't change the guide.
    let version = w.review(app).await.version;
    w.op(app, &w.alice.token, Some(version), custom.clone())
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    let review = w.facilitate(app, custom).await;
    let review = {
        assert_eq!(review.guide().questions.len(), 6);
        w.facilitate(
            app,
            json!({"op": "move_question", "id": "q-custom", "to": 0}),
        )
        .await
    };
    assert_eq!(
        review.guide().questions[0].text,
        "Which dashboard did you trust?"
    );
    // A bad question is refused with its reason, and nothing changes.
    let version = review.version;
    let empty = json!({"op": "update_question", "id": "q-custom", "question": {"text": " "}});
    let refused = w
        .op(app, &w.facilitator, Some(version), empty)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "refused");
    assert!(
        refused.message.contains("is required"),
        "{}",
        refused.message
    );
    assert_eq!(w.review(app).await.version, version);

    // Once accounts open, the questions are fixed.
    w.facilitate(app, json!({"op": "transition", "to": "investigating"}))
        .await;
    let version = w.review(app).await.version;
    let late = json!({"op": "remove_question", "id": "q-custom"});
    let locked = w
        .op(app, &w.facilitator, Some(version), late)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "refused");
    assert!(
        locked.message.contains("Independent accounts"),
        "{}",
        locked.message
    );
    assert_eq!(w.review(app).await.guide().questions.len(), 6);

    // Alice answers the custom question; the sealed commitment covers her answer.
    let mut draft = Account::new(
        ReviewId::parse(&w.id).unwrap(),
        w.alice.participant_id.clone(),
    );
    let q = QuestionId::parse("q-custom").unwrap();
    draft
        .set_answer(q.clone(), "The queue depth graph")
        .unwrap();
    let base = w.account_version(app, &w.alice).await;
    let stored = put_account(app, &draft, &w.alice.token, base).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text());
    let submitted: Submitted = w.submit(app, &w.alice).await.json();
    assert_eq!(submitted.account.answer(&q), Some("The queue depth graph"));
    assert!(verify_commitment(&submitted.account));
    let mut changed = submitted.account.clone();
    let mut json = serde_json::to_value(&changed).unwrap();
    json["answers"][0]["text"] = "Another graph".into();
    changed = serde_json::from_value(json).unwrap();
    assert!(!verify_commitment(&changed));
    // Sealed: the answer can't change any more.
    let base = w.account_version(app, &w.alice).await;
    let mut again = draft.clone();
    again.set_answer(q, "Another graph").unwrap();
    let refused = put_account(app, &again, &w.alice.token, base).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
}

// ---- (3) Conditional writes. ----

pub async fn ops_are_conditional_and_idempotent(app: &TestApp) {
    let w = World::new(app, "r-ops").await;
    let summary = json!({"op": "set_summary", "summary": "Checkout slowed down."});
    let version = w.review(app).await.version;

    // No base version: 428, nothing changes.
    w.op(app, &w.facilitator, None, summary.clone())
        .await
        .error(StatusCode::PRECONDITION_REQUIRED, "precondition_required");
    assert_eq!(w.review(app).await.version, version);

    // An old base: 412 with the review as it is.
    let response = w
        .op(app, &w.facilitator, Some(version - 1), summary.clone())
        .await;
    assert_eq!(response.status, StatusCode::PRECONDITION_FAILED);
    let stale: Stale = response.json();
    assert_eq!(stale.error, "stale");
    assert_eq!(stale.current, w.review(app).await);

    // Applied once, however often it is sent.
    let first = w
        .op_with_id(
            app,
            &w.facilitator,
            "op-once",
            Some(version),
            summary.clone(),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.header(header::ETAG), format!("\"{}\"", version + 1));
    let applied: Review = first.json();
    assert_eq!(applied.summary(), "Checkout slowed down.");
    for _ in 0..2 {
        let again = w
            .op_with_id(
                app,
                &w.facilitator,
                "op-once",
                Some(version),
                summary.clone(),
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text());
        assert_eq!(again.json::<Review>(), applied);
    }
    assert_eq!(w.review(app).await.version, version + 1);

    // Refused by the rules: 422 with the domain's reason, and nothing changes.
    let skip = json!({"op": "transition", "to": "actions"});
    let error = w
        .op(app, &w.facilitator, Some(version + 1), skip)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "refused");
    assert!(error.message.contains("straight to"), "{error:?}");
    assert_eq!(w.review(app).await, applied);

    // An op id that could not be a storage key, and an unknown field.
    let body = json!({"op_id": "no spaces", "base_version": version + 1, "op": summary});
    let response = app
        .call(
            Method::POST,
            &w.path("/ops"),
            Some(&w.facilitator),
            Some(&body),
            None,
        )
        .await;
    assert_eq!(
        response
            .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .fields[0]
            .field,
        "op_id"
    );
    let body = json!({"op_id": "x", "base_version": 1, "op": summary, "force": true});
    app.call(
        Method::POST,
        &w.path("/ops"),
        Some(&w.facilitator),
        Some(&body),
        None,
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

pub async fn account_writes_are_conditional_and_sealed_by_submit(app: &TestApp) {
    let w = World::new(app, "r-accounts").await;
    let draft = w.draft(&w.alice, "draft");
    let path = w.account_path(&w.alice, "");
    let body = serde_json::to_value(AccountInput::from_account(&draft)).unwrap();

    // No If-Match: 428; a malformed one: 400; a version that is not stored: 412.
    app.call(Method::PUT, &path, Some(&w.alice.token), Some(&body), None)
        .await
        .error(StatusCode::PRECONDITION_REQUIRED, "precondition_required");
    app.call(
        Method::PUT,
        &path,
        Some(&w.alice.token),
        Some(&body),
        Some("3"),
    )
    .await
    .error(StatusCode::BAD_REQUEST, "invalid_header");
    let response = put_account(app, &draft, &w.alice.token, 1).await;
    assert_eq!(response.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(response.json::<StaleAccount>().current.version(), 0);

    // "0" creates; the same "0" again is stale, with the stored account.
    let response = put_account(app, &draft, &w.alice.token, 0).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header(header::ETAG), "\"1\"");
    let stored: Account = response.json();
    assert_eq!(stored.version(), 1);
    let response = put_account(app, &w.draft(&w.alice, "other"), &w.alice.token, 0).await;
    assert_eq!(response.status, StatusCode::PRECONDITION_FAILED);
    let stale: StaleAccount = response.json();
    assert_eq!((stale.error.as_str(), stale.current), ("stale", stored));
    let response = put_account(app, &w.draft(&w.alice, "second"), &w.alice.token, 1).await;
    assert_eq!(response.header(header::ETAG), "\"2\"");

    // Someone else's path, or a whole stored account (its version, seal and commitment are
    // the server's to set), is refused.
    let bobs = w.draft(&w.bob, "bob");
    let response = app
        .call(
            Method::PUT,
            &path,
            Some(&w.alice.token),
            Some(&serde_json::to_value(AccountInput::from_account(&bobs)).unwrap()),
            Some("\"2\""),
        )
        .await;
    response.error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let mut sealed_body = w.draft(&w.alice, "sealed");
    sealed_body
        .submit("2026-11-01T12:00:00Z".parse().unwrap())
        .unwrap();
    let sealed_body = serde_json::to_value(&sealed_body).unwrap();
    app.call(
        Method::PUT,
        &path,
        Some(&w.alice.token),
        Some(&sealed_body),
        Some("\"2\""),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");

    // Submitting seals the server's copy and records it on the review, together.
    let response = w.submit(app, &w.alice).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let Submitted { account, review } = response.json();
    assert!(account.is_submitted());
    assert_eq!(account.version(), 3);
    assert!(account.entries()[0].what_happened.contains("second"));
    let recorded = review.submission(&w.alice.participant_id).unwrap();
    assert_eq!(Some(recorded.commitment.as_str()), account.commitment());
    assert_eq!(review, w.review(app).await);
    // A retried submit answers the same.
    let again = w.submit(app, &w.alice).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json::<Submitted>().account, account);

    // Sealed: every later write is refused with 409, whatever its version.
    for base in [3, 2] {
        put_account(app, &w.draft(&w.alice, "late"), &w.alice.token, base)
            .await
            .error(StatusCode::CONFLICT, "sealed");
    }
    let fetched = app.get_as(&path, &w.alice.token).await;
    assert_eq!(fetched.json::<Account>(), account);
    assert_eq!(fetched.header(header::ETAG), "\"3\"");

    // Nothing to submit: 422. A review that cannot record it (back in Setup): 409, and the
    // account stays a draft.
    w.submit(app, &w.bob)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "refused");
    w.save(app, &w.bob, "bob").await;
    let base = w.review(app).await.version;
    let response = w
        .op(
            app,
            &w.facilitator,
            Some(base),
            json!({"op": "transition", "to": "setup"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    w.submit(app, &w.bob)
        .await
        .error(StatusCode::CONFLICT, "refused");
    let bob_id = ReviewId::parse(&w.id).unwrap();
    let bobs = app
        .store
        .get_account(&bob_id, &w.bob.participant_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!bobs.is_submitted());

    // A revoked token stops working at once.
    let revoke = w.path(&format!("/participants/{}/token", w.alice.participant_id));
    let response = app
        .call(Method::DELETE, &revoke, Some(&w.facilitator), None, None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    app.get_as(&path, &w.alice.token)
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
}

pub async fn joining_needs_the_invite_and_a_phase_that_takes_newcomers(app: &TestApp) {
    let w = World::new(app, "r-join").await;
    let other = create(app, "r-join-2").await;
    let path = w.path("/participants");
    for invite in [
        "",
        "0123",
        &w.facilitator,
        &other.invite_token,
        &w.alice.token,
    ] {
        app.post_json(&path, &join_body(invite, "Mallory"))
            .await
            .error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let mut bad = join_body(&w.invite, " ");
    app.post_json(&path, &bad)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    bad["admin"] = json!(true);
    app.post_json(&path, &bad)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");

    let carol = join(app, &w.id, &w.invite, "Carol").await;
    assert_ne!(carol.participant_id, w.alice.participant_id);
    assert!(carol.review.participant(&carol.participant_id).is_some());
    let listed: ReviewList = app.get_as("/api/v1/reviews", &carol.token).await.json();
    assert_eq!(listed.reviews.len(), 1);

    // Removing a participant revokes their token with the same write, and says why.
    let carol_id = carol.participant_id.as_str();
    w.facilitate(app, json!({"op": "remove_participant", "id": carol_id}))
        .await;
    app.get_as("/api/v1/reviews", &carol.token)
        .await
        .error(StatusCode::UNAUTHORIZED, "removed");

    // After the reveal nobody joins: 409, naming the phase.
    w.save(app, &w.alice, "a").await;
    assert_eq!(w.submit(app, &w.alice).await.status, StatusCode::OK);
    w.facilitate(app, json!({"op": "transition", "to": "revealed"}))
        .await;
    let error = app
        .post_json(&path, &join_body(&w.invite, "Late"))
        .await
        .error(StatusCode::CONFLICT, "joining_over");
    assert!(error.message.contains("Group review phase"), "{error:?}");
    assert_eq!(w.review(app).await.participants().len(), 2);
}

// ---- Concurrency. ----

const WRITERS: usize = 16;
/// Rounds per writer. Kept small in the tests (the test machines are shared, SQLite commits with
/// `synchronous=FULL`, and each retry carries the whole review); `scripts/bench.sh` runs the
/// full 4000 writes as its concurrency soak (`MOSAIC_TEST_RACE_ROUNDS=250`).
fn rounds() -> usize {
    std::env::var("MOSAIC_TEST_RACE_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(25)
}

/// Many writers doing read-modify-write through the ops route, retrying on 412: every write
/// lands exactly once. Each writer rewrites a key insight of its own (a review holds only
/// `MAX_KEY_INSIGHTS`), so a lost write shows as a missing version.
pub async fn concurrent_conditional_writes_lose_nothing(app: &TestApp) {
    let w = World::new(app, "r-race").await;
    w.save(app, &w.alice, "a").await;
    assert_eq!(w.submit(app, &w.alice).await.status, StatusCode::OK);
    w.facilitate(app, json!({"op": "transition", "to": "revealed"}))
        .await;
    let mut start = 0;
    for writer in 0..WRITERS {
        let op = json!({"op": "add_key_insight", "text": format!("w{writer} start")});
        start = w.facilitate(app, op).await.version;
    }

    let rounds = rounds();
    let mut tasks = tokio::task::JoinSet::new();
    for writer in 0..WRITERS {
        let router = app.router.clone();
        let token = w.facilitator.clone();
        let path = w.path("/ops");
        tasks.spawn(async move {
            let mut base = start;
            let mut retries = 0;
            for round in 0..rounds {
                loop {
                    let text = format!("w{writer} r{round}");
                    let op = json!({"op": "update_key_insight", "index": writer, "text": text});
                    let body = json!({"op_id": next_op_id(), "base_version": base, "op": op});
                    let request = Request::post(&path)
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(body.to_string()))
                        .unwrap();
                    let response = send_to(router.clone(), request).await;
                    match response.status {
                        StatusCode::OK => {
                            base = response.json::<Review>().version;
                            break;
                        }
                        StatusCode::PRECONDITION_FAILED => {
                            base = response.json::<Stale>().current.version;
                            retries += 1;
                        }
                        other => panic!("{other}: {}", response.text()),
                    }
                }
            }
            retries
        });
    }
    let mut retries = 0;
    while let Some(done) = tasks.join_next().await {
        retries += done.unwrap();
    }
    // Every writer's first request is made against the same version: all but one must have
    // been answered 412 and retried, so the race was real.
    assert!(retries >= WRITERS - 1, "only {retries} retries");
    let review = w.review(app).await;
    let total = WRITERS * rounds;
    assert_eq!(review.version, start + total as u64, "no write lost");
    for writer in 0..WRITERS {
        let last = format!("w{writer} r{}", rounds - 1);
        assert_eq!(review.key_insights()[writer], last);
    }
}
