//! The live room of a group session through the router: who may send which signal, what each
//! member is told (flags and names, never content or sizes), presence that leaves with its
//! stream or expires when nobody refreshes it, and "still writing" that clears. A child of
//! `sync`, whose `World` it shares; part of the `suite!`, so each test runs on SQLite and on
//! PostgreSQL.

use super::World;
use super::events::{EventStream, PROMPTLY, Read};
use crate::TestApp;
use axum::http::{Method, StatusCode};
use chrono::{TimeDelta, Utc};
use mosaic_domain::room::{HandReason, Room, TimeboxState};
use mosaic_server::{AppState, RoomTimes};
use serde_json::{Value, json};
use std::time::Duration;

/// `method path` with `body` as `token`; it must be accepted, and answers with the room.
async fn ok_room(
    app: &TestApp,
    w: &World,
    method: Method,
    path: String,
    body: Option<Value>,
    token: String,
) -> Room {
    let response = app
        .call(method, &w.path(&path), Some(&token), body.as_ref(), None)
        .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{path}: {}",
        response.text()
    );
    response.json()
}

async fn room_as(app: &TestApp, w: &World, token: &str) -> Room {
    let response = app.get_as(&w.path("/room"), token).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

pub async fn room_signals_answer_each_caller_as_the_matrix_says(app: &TestApp) {
    let w = World::new(app, "r-room-auth").await;
    let alice = w.alice.participant_id.as_str();
    let (fac, a, b, other) = (
        Some(w.facilitator.as_str()),
        Some(w.alice.token.as_str()),
        Some(w.bob.token.as_str()),
        Some(w.other.as_str()),
    );
    let hand = format!("/hands/{alice}");
    let raise = json!({"reason": "more_time"});
    let five = json!({"minutes": 5});
    // (method, path, body, token, status, error code)
    type Case<'a> = (
        Method,
        &'a str,
        Option<Value>,
        Option<&'a str>,
        StatusCode,
        &'a str,
    );
    let cases: [Case; 18] = [
        (
            Method::PUT,
            "/timebox",
            Some(five.clone()),
            a,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            "/timebox",
            Some(five.clone()),
            other,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            "/timebox",
            Some(five.clone()),
            None,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            Method::PUT,
            "/timebox",
            Some(json!({"minutes": 0})),
            fac,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            Method::PUT,
            "/timebox",
            Some(json!({"minutes": 121})),
            fac,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            Method::PUT,
            "/timebox",
            Some(json!({"minutes": 5, "seconds": 1})),
            fac,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Method::POST,
            "/timebox/extend",
            Some(five.clone()),
            fac,
            StatusCode::CONFLICT,
            "refused",
        ),
        (
            Method::POST,
            "/timebox/extend",
            Some(five.clone()),
            b,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::DELETE,
            "/timebox",
            None,
            b,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            "/room",
            Some(json!({"participants_see_writing": false})),
            a,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            &hand,
            Some(raise.clone()),
            b,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            &hand,
            Some(raise.clone()),
            fac,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            &hand,
            Some(raise.clone()),
            other,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            &hand,
            Some(json!({"reason": "bored"})),
            a,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Method::PUT,
            "/hands/nobody-here",
            Some(raise.clone()),
            a,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::DELETE,
            &hand,
            None,
            b,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::GET,
            "/room",
            None,
            other,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::GET,
            "/room",
            None,
            None,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
    ];
    for (method, path, body, token, status, code) in &cases {
        let response = app
            .call(method.clone(), &w.path(path), *token, body.as_ref(), None)
            .await;
        assert_eq!(
            response.status,
            *status,
            "{method} {path}: {}",
            response.text()
        );
        response.error(*status, code);
    }
    // Nothing was changed by any of them.
    let untouched = room_as(app, &w, &w.facilitator).await;
    assert_eq!(untouched.timebox, None);
    assert!(untouched.members.iter().all(|m| m.hand.is_none()));
    assert!(untouched.participants_see_writing);

    // Alice raises her own hand; everyone sees why; she lowers it, raises it again, and the
    // facilitator lowers it.
    let call = |method: Method, path: String, body: Option<Value>, token: &str| {
        ok_room(app, &w, method, path, body, token.to_owned())
    };
    let raised = call(
        Method::PUT,
        hand.clone(),
        Some(raise.clone()),
        &w.alice.token,
    )
    .await;
    let alice_hand = |room: &Room| room.member(&w.alice.participant_id).unwrap().hand;
    assert_eq!(alice_hand(&raised), Some(HandReason::MoreTime));
    assert_eq!(
        alice_hand(&room_as(app, &w, &w.bob.token).await),
        Some(HandReason::MoreTime)
    );
    let question = json!({"reason": "question"});
    let changed = call(
        Method::PUT,
        hand.clone(),
        Some(question.clone()),
        &w.alice.token,
    )
    .await;
    assert_eq!(alice_hand(&changed), Some(HandReason::Question));
    assert_eq!(
        alice_hand(&call(Method::DELETE, hand.clone(), None, &w.alice.token).await),
        None
    );
    call(Method::PUT, hand.clone(), Some(question), &w.alice.token).await;
    assert_eq!(
        alice_hand(&call(Method::DELETE, hand.clone(), None, &w.facilitator).await),
        None
    );

    // The facilitator's timebox: started for the current phase, extended, stopped.
    let started = call(
        Method::PUT,
        "/timebox".into(),
        Some(json!({"minutes": 10})),
        &w.facilitator,
    )
    .await;
    let timebox = started.timebox.clone().unwrap();
    assert_eq!(timebox.phase, w.review(app).await.phase());
    assert_eq!(timebox.ends_at - timebox.started_at, TimeDelta::minutes(10));
    assert_eq!(timebox.state(started.now), TimeboxState::Running);
    let seen_by_bob = room_as(app, &w, &w.bob.token).await;
    assert_eq!(seen_by_bob.timebox.as_ref(), Some(&timebox));
    let extended = call(
        Method::POST,
        "/timebox/extend".into(),
        Some(five.clone()),
        &w.facilitator,
    )
    .await;
    let longer = extended.timebox.unwrap();
    assert_eq!(longer.ends_at - timebox.ends_at, TimeDelta::minutes(5));
    assert_eq!(longer.extended_minutes, 5);
    // Two facilitators extending at the same moment: both count.
    let extend = || {
        call(
            Method::POST,
            "/timebox/extend".into(),
            Some(five.clone()),
            &w.facilitator,
        )
    };
    let (_, _) = tokio::join!(extend(), extend());
    let both = room_as(app, &w, &w.bob.token).await.timebox.unwrap();
    assert_eq!(both.ends_at - timebox.ends_at, TimeDelta::minutes(15));
    assert_eq!(both.extended_minutes, 15);
    let stopped = call(Method::DELETE, "/timebox".into(), None, &w.facilitator).await;
    assert!(stopped.timebox.unwrap().stopped_at.is_some());
    app.call(
        Method::POST,
        &w.path("/timebox/extend"),
        fac,
        Some(&five),
        None,
    )
    .await
    .error(StatusCode::CONFLICT, "refused");
    let again = call(
        Method::PUT,
        "/timebox".into(),
        Some(five.clone()),
        &w.facilitator,
    )
    .await;
    assert_eq!(
        again.timebox.unwrap().state(again.now),
        TimeboxState::Running
    );
    // A timebox belongs to its phase: the next phase starts without one.
    w.save(app, &w.alice, "draft").await;
    assert_eq!(w.submit(app, &w.alice).await.status, StatusCode::OK);
    w.facilitate(app, json!({"op": "transition", "to": "revealed"}))
        .await;
    assert_eq!(room_as(app, &w, &w.alice.token).await.timebox, None);
}

/// The keys a member may carry: flags and names, nothing measured from an account.
const MEMBER_KEYS: [&str; 7] = [
    "participant_id",
    "name",
    "role",
    "here",
    "writing",
    "submitted",
    "hand",
];
const ROOM_KEYS: [&str; 5] = [
    "members",
    "writing_count",
    "participants_see_writing",
    "timebox",
    "now",
];

/// Every room `stream` sent so far carries only the keys above.
pub fn rooms_carry_only_flags(rooms: &[Room]) {
    for room in rooms {
        let value = serde_json::to_value(room).unwrap();
        let keys = value.as_object().unwrap().keys();
        assert!(
            keys.clone().all(|k| ROOM_KEYS.contains(&k.as_str())),
            "{value}"
        );
        for member in value["members"].as_array().unwrap() {
            let keys = member.as_object().unwrap().keys();
            assert!(
                keys.clone().all(|k| MEMBER_KEYS.contains(&k.as_str())),
                "{member}"
            );
        }
    }
}

pub async fn each_member_is_told_the_room_as_the_facilitator_chose(app: &TestApp) {
    let w = World::new(app, "r-room-view").await;
    let events = w.path("/events");
    let mut facilitator = EventStream::open(&app.router, &events, Some(&w.facilitator)).await;
    let mut alice = EventStream::open(&app.router, &events, Some(&w.alice.token)).await;
    let mut bob = EventStream::open(&app.router, &events, Some(&w.bob.token)).await;
    let (a, b) = (&w.alice.participant_id, &w.bob.participant_id);
    let here = |r: &Room| r.member(a).unwrap().here && r.member(b).unwrap().here;
    // Everyone is here, the facilitator too.
    for stream in [&mut facilitator, &mut alice, &mut bob] {
        let room = stream
            .room_where(PROMPTLY, |r| here(r) && r.members[0].here)
            .await;
        assert_eq!(room.members.len(), 3);
        assert_eq!(room.members[1].name, "Alice");
    }

    // Alice writes: everyone sees her writing, by name.
    w.save(app, &w.alice, "MARKER-room-view").await;
    for stream in [&mut facilitator, &mut bob] {
        stream
            .room_where(PROMPTLY, |r| r.member(a).unwrap().writing == Some(true))
            .await;
    }
    // The facilitator prefers counts: participants see how many, the facilitator who.
    let setting = json!({"participants_see_writing": false});
    let response = app
        .call(
            Method::PUT,
            &w.path("/room"),
            Some(&w.facilitator),
            Some(&setting),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let counted = bob
        .room_where(PROMPTLY, |r| r.writing_count.is_some())
        .await;
    assert_eq!(counted.writing_count, Some(1));
    assert!(counted.members.iter().all(|m| m.writing.is_none()));
    let named = facilitator
        .room_where(PROMPTLY, |r| !r.participants_see_writing)
        .await;
    assert_eq!(named.member(a).unwrap().writing, Some(true));
    assert_eq!(named.writing_count, None);

    // A submission ends "writing" and shows as submitted.
    let submitted = w.submit(app, &w.alice).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    let after = bob
        .room_where(PROMPTLY, |r| r.member(a).unwrap().submitted)
        .await;
    assert_eq!(after.writing_count, Some(0));

    // A raised hand reaches the facilitator at once, and its lowering reaches everyone.
    let hand = w.path(&format!("/hands/{b}"));
    let raise = json!({"reason": "question"});
    let response = app
        .call(Method::PUT, &hand, Some(&w.bob.token), Some(&raise), None)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    facilitator
        .room_where(PROMPTLY, |r| {
            r.member(b).unwrap().hand == Some(HandReason::Question)
        })
        .await;
    let response = app
        .call(Method::DELETE, &hand, Some(&w.facilitator), None, None)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    for stream in [&mut facilitator, &mut alice, &mut bob] {
        stream
            .room_where(PROMPTLY, |r| r.member(b).unwrap().hand.is_none())
            .await;
    }

    // Bob leaves (his page closes): everyone else sees him away.
    drop(bob);
    for stream in [&mut facilitator, &mut alice] {
        stream
            .room_where(PROMPTLY, |r| !r.member(b).unwrap().here)
            .await;
    }
    for stream in [&facilitator, &alice] {
        rooms_carry_only_flags(&stream.rooms);
        let text = serde_json::to_string(&stream.rooms).unwrap();
        assert!(!text.contains("MARKER"), "{text}");
    }
}

pub async fn presence_and_writing_expire_within_their_bounds(app: &TestApp) {
    let w = World::new(app, "r-room-expiry").await;
    // Short bounds: presence lasts 1.2 s without a beat (a beat every 0.4 s), writing 1.5 s.
    let times = RoomTimes {
        presence_timeout: Duration::from_millis(1200),
        writing_window: Duration::from_millis(1500),
    };
    let router = mosaic_server::app(
        AppState::new(app.store.clone(), app.dist.path()).with_room_times(times),
    );
    let events = w.path("/events");
    let (a, b) = (&w.alice.participant_id, &w.bob.participant_id);
    let mut facilitator = EventStream::open(&router, &events, Some(&w.facilitator)).await;
    // Alice's page reads its stream all along, as a browser does (a stream nobody reads is
    // never polled, so it would not beat).
    let mut alice = EventStream::open(&router, &events, Some(&w.alice.token)).await;
    let alice =
        tokio::spawn(
            async move { while alice.read(Duration::from_secs(60)).await != Read::Ended {} },
        );
    facilitator
        .room_where(PROMPTLY, |r| r.member(a).unwrap().here)
        .await;

    // Bob's page is open in a server process that then died: its row stays, unrefreshed.
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ");
    app.execute_raw(&format!(
        "INSERT INTO room_presence (review_id, stream_id, participant_id, last_seen) \
         VALUES ('{}', 'dead-process', '{b}', '{now}')",
        w.id
    ))
    .await;
    // Alice writes: the facilitator hears of it (and Bob's row with it).
    w.save(app, &w.alice, "draft").await;
    let room = facilitator
        .room_where(PROMPTLY, |r| r.member(a).unwrap().writing == Some(true))
        .await;
    assert!(room.member(b).unwrap().here, "{room:?}");
    // Bob drops off within the timeout and a beat; Alice, whose stream beats, stays.
    let gone = facilitator
        .room_where(times.presence_timeout + times.heartbeat() * 2, |r| {
            !r.member(b).unwrap().here
        })
        .await;
    assert!(gone.member(a).unwrap().here);
    // Alice's writing clears within the window and a beat, without anything else happening.
    facilitator
        .room_where(times.writing_window + times.heartbeat() * 2, |r| {
            r.member(a).unwrap().writing == Some(false)
        })
        .await;
    // Closing her page takes her out.
    alice.abort();
    facilitator
        .room_where(PROMPTLY, |r| !r.member(a).unwrap().here)
        .await;
    rooms_carry_only_flags(&facilitator.rooms);
}
