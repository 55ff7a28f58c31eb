//! People in a review: one row per person (personal invites, claims, no two of one name and
//! role), removal (the draft leaves the server, the person is told why), and the invite as a
//! credential the facilitator controls (rotation, closing, a cap). Part of the `suite!`, so
//! each test runs on SQLite and on PostgreSQL.

use crate::TestApp;
use crate::feed::{Spec, publish};
use crate::sync::{World, create, join, join_body};
use axum::http::{Method, StatusCode};
use mosaic_domain::wire::{
    Facilitating, Invitation, Joined, Joining, JoiningState, Me, NewInvite, ReplacedToken,
};
use mosaic_domain::{Phase, ReviewId, Role};
use serde_json::{Value, json};

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: &Value) -> crate::TestResponse {
    app.call(Method::POST, path, token, Some(body), None).await
}

async fn invitation(app: &TestApp, w: &World, token: &str) -> crate::TestResponse {
    post(app, &w.path("/invitation"), None, &json!({"token": token})).await
}

async fn add(w: &World, app: &TestApp, id: &str, name: &str, role: &str) {
    w.facilitate(
        app,
        json!({"op": "add_participant", "id": id,
               "participant": {"name": name, "role": role, "show_name_when_published": false}}),
    )
    .await;
}

async fn personal_invite(app: &TestApp, w: &World, pid: &str) -> crate::TestResponse {
    let path = w.path(&format!("/participants/{pid}/invite"));
    app.call(Method::POST, &path, Some(&w.facilitator), None, None)
        .await
}

pub async fn a_person_is_one_row_taken_once(app: &TestApp) {
    let w = World::new(app, "r-people").await;
    add(&w, app, "fay", "Fay", "Support").await;
    add(&w, app, "gus", "Gus", "DBA").await;

    // The facilitator's personal link for Fay leads to her row, and only she is offered.
    let fay_link: NewInvite = personal_invite(app, &w, "fay").await.json();
    let seen: Invitation = invitation(app, &w, &fay_link.token).await.json();
    assert_eq!(seen.title, "Checkout latency");
    assert_eq!(seen.team, "Payments");
    assert_eq!(seen.phase, Phase::Investigating);
    assert_eq!(seen.joining, Joining::Open);
    assert_eq!(seen.personal.as_ref().unwrap().name, "Fay");
    assert!(seen.open_places.is_empty());
    // A participant can't make one.
    let path = w.path("/participants/gus/invite");
    app.call(Method::POST, &path, Some(&w.alice.token), None, None)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");

    // Joining through it takes Fay's row: still one Fay.
    let response = post(
        app,
        &w.path("/claims"),
        None,
        &json!({"token": fay_link.token}),
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let fay: Joined = response.json();
    assert_eq!(fay.participant_id.as_str(), "fay");
    let fays = fay.review.participants().iter().filter(|p| p.name == "Fay");
    assert_eq!(fays.count(), 1);
    let me: Me = app.get_as(&w.path("/me"), &fay.token).await.json();
    assert_eq!(me.role, Role::Participant(fay.participant_id.clone()));
    // The link is spent, and her row can't be taken again or get another link.
    post(
        app,
        &w.path("/claims"),
        None,
        &json!({"token": fay_link.token}),
    )
    .await
    .error(StatusCode::UNAUTHORIZED, "invite_unknown");
    personal_invite(app, &w, "nobody")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");

    // The shared invite offers the rows nobody has taken: Gus, not Fay, Alice or Bob.
    let seen: Invitation = invitation(app, &w, &w.invite).await.json();
    let names: Vec<&str> = seen.open_places.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Gus"]);
    let claim = json!({"token": w.invite, "participant_id": "gus"});
    let response = post(app, &w.path("/claims"), None, &claim).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    post(app, &w.path("/claims"), None, &claim)
        .await
        .error(StatusCode::CONFLICT, "already_joined");
    let taken = json!({"token": w.invite, "participant_id": w.alice.participant_id});
    post(app, &w.path("/claims"), None, &taken)
        .await
        .error(StatusCode::CONFLICT, "already_joined");

    // One name and role, one person: a second "fay (support)" is refused, nothing is added.
    let mut again = join_body(&w.invite, " fay ");
    again["role"] = json!("SUPPORT");
    let error = post(app, &w.path("/participants"), None, &again)
        .await
        .error(StatusCode::CONFLICT, "same_person");
    assert_eq!(
        error.message,
        "Fay (Support) is already in this review: one person takes part once."
    );
    assert_eq!(w.review(app).await.participants().len(), 4);

    let state: JoiningState = app.get_as(&w.path("/joining"), &w.facilitator).await.json();
    let mut joined: Vec<&str> = state.joined.iter().map(|p| p.as_str()).collect();
    joined.sort_unstable();
    let mut expected = vec![
        "fay",
        "gus",
        w.alice.participant_id.as_str(),
        w.bob.participant_id.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(joined, expected);
}

pub async fn a_removed_person_is_told_and_their_draft_leaves_the_server(app: &TestApp) {
    let w = World::new(app, "r-remove").await;
    let id = ReviewId::parse(&w.id).unwrap();
    w.save(app, &w.alice, "mid-sentence").await;
    let alice = w.alice.participant_id.as_str();
    w.facilitate(app, json!({"op": "remove_participant", "id": alice}))
        .await;
    assert!(
        app.store
            .get_account(&id, &w.alice.participant_id)
            .await
            .unwrap()
            .is_none(),
        "the draft is deleted with the removal"
    );
    for path in [w.path(""), w.path("/me"), w.account_path(&w.alice, "")] {
        let error = app
            .get_as(&path, &w.alice.token)
            .await
            .error(StatusCode::UNAUTHORIZED, "removed");
        assert!(!error.message.contains("Bearer"), "{error:?}");
    }
    let review = w.review(app).await;
    assert_eq!(
        review.removal(&w.alice.participant_id).unwrap().submission,
        None
    );

    // A submitted account can be removed before the reveal: its commitment stays, marked.
    w.save(app, &w.bob, "done").await;
    assert_eq!(w.submit(app, &w.bob).await.status, StatusCode::OK);
    let bob = w.bob.participant_id.as_str();
    w.facilitate(app, json!({"op": "remove_participant", "id": bob}))
        .await;
    let review = w.review(app).await;
    assert!(review.submission(&w.bob.participant_id).is_none());
    let removed = review.removal(&w.bob.participant_id).unwrap();
    assert!(removed.submission.is_some());
    assert!(
        app.store.accounts(&id, true).await.unwrap().is_empty(),
        "no sealed account of a removed person stays to be revealed"
    );

    // The facilitator can admit Alice again: her row is open to a new personal invite, and
    // her old token stays revoked.
    w.facilitate(
        app,
        json!({"op": "add_participant", "id": alice,
               "participant": {"name": "Alice", "role": "on-call SRE", "show_name_when_published": false}}),
    )
    .await;
    let link: NewInvite = personal_invite(app, &w, alice).await.json();
    let response = post(app, &w.path("/claims"), None, &json!({"token": link.token})).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let again: Joined = response.json();
    assert_eq!(again.participant_id, w.alice.participant_id);
    let me: Me = app.get_as(&w.path("/me"), &again.token).await.json();
    assert_eq!(me.role, Role::Participant(w.alice.participant_id.clone()));
    app.get_as(&w.path(""), &w.alice.token)
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");

    // A token revoked without a removal is just invalid.
    let carol = join(app, &w.id, &w.invite, "Carol").await;
    let path = w.path(&format!("/participants/{}/token", carol.participant_id));
    app.call(Method::DELETE, &path, Some(&w.facilitator), None, None)
        .await;
    app.get_as(&w.path(""), &carol.token)
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
}

pub async fn the_facilitator_controls_the_invite(app: &TestApp) {
    let w = World::new(app, "r-invite").await;
    let join_path = w.path("/participants");
    invitation(app, &w, "0123")
        .await
        .error(StatusCode::UNAUTHORIZED, "invite_unknown");
    let other = create(app, "r-invite-elsewhere").await;
    invitation(app, &w, &other.invite_token)
        .await
        .error(StatusCode::UNAUTHORIZED, "invite_unknown");

    // Rotating: the old link is "replaced", the new one works.
    let rotate = w.path("/invite");
    app.call(Method::POST, &rotate, Some(&w.alice.token), None, None)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    let new: NewInvite = app
        .call(Method::POST, &rotate, Some(&w.facilitator), None, None)
        .await
        .json();
    invitation(app, &w, &w.invite)
        .await
        .error(StatusCode::GONE, "invite_replaced");
    post(app, &join_path, None, &join_body(&w.invite, "Carol"))
        .await
        .error(StatusCode::GONE, "invite_replaced");
    join(app, &w.id, &new.token, "Carol").await;

    // A cap: three participants and no more; the preview says so before any form.
    let rules = w.path("/joining");
    let cap = json!({"open": true, "max_participants": 3});
    app.call(Method::PUT, &rules, Some(&w.alice.token), Some(&cap), None)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    for bad in [0, 501] {
        let body = json!({"open": true, "max_participants": bad});
        app.call(Method::PUT, &rules, Some(&w.facilitator), Some(&body), None)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    let response = app
        .call(Method::PUT, &rules, Some(&w.facilitator), Some(&cap), None)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let seen: Invitation = invitation(app, &w, &new.token).await.json();
    assert_eq!(
        seen.joining,
        Joining::Full {
            max_participants: 3
        }
    );
    let error = post(app, &join_path, None, &join_body(&new.token, "Dan"))
        .await
        .error(StatusCode::CONFLICT, "review_full");
    assert_eq!(error.message, "This review already has its 3 participants.");

    // Closed: nobody joins, and the shared invite offers no rows to take.
    w.facilitate(
        app,
        json!({"op": "add_participant", "id": "eve",
               "participant": {"name": "Eve", "role": "SRE", "show_name_when_published": false}}),
    )
    .await;
    let closed = json!({"open": false});
    app.call(
        Method::PUT,
        &rules,
        Some(&w.facilitator),
        Some(&closed),
        None,
    )
    .await;
    let seen: Invitation = invitation(app, &w, &new.token).await.json();
    assert_eq!(seen.joining, Joining::Closed);
    assert!(seen.open_places.is_empty());
    post(app, &join_path, None, &join_body(&new.token, "Dan"))
        .await
        .error(StatusCode::CONFLICT, "joining_closed");
    post(
        app,
        &w.path("/claims"),
        None,
        &json!({"token": new.token, "participant_id": "eve"}),
    )
    .await
    .error(StatusCode::CONFLICT, "joining_closed");
    let state: JoiningState = app.get_as(&rules, &w.facilitator).await.json();
    assert!(!state.rules.open);
    assert_eq!(state.rules.max_participants, None);

    // Once revealed, the preview names the phase.
    app.call(
        Method::PUT,
        &rules,
        Some(&w.facilitator),
        Some(&json!({"open": true})),
        None,
    )
    .await;
    w.save(app, &w.alice, "a").await;
    assert_eq!(w.submit(app, &w.alice).await.status, StatusCode::OK);
    w.facilitate(app, json!({"op": "transition", "to": "revealed"}))
        .await;
    let seen: Invitation = invitation(app, &w, &new.token).await.json();
    assert_eq!(
        seen.joining,
        Joining::Over {
            phase: Phase::Revealed
        }
    );
    assert!(!seen.published);
}

pub async fn a_published_review_points_newcomers_to_its_finding(app: &TestApp) {
    let made = publish(app, &Spec::new("r-people-published")).await;
    let path = format!("/api/v1/reviews/{}/invitation", made.id);
    let response = post(app, &path, None, &json!({"token": made.invite})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let seen: Invitation = response.json();
    assert_eq!(seen.title, "Checkout latency after the deploy");
    assert_eq!(
        seen.joining,
        Joining::Over {
            phase: Phase::Published
        }
    );
    assert!(seen.published);
    assert!(seen.open_places.is_empty());
    // Nothing anybody wrote: not the account, not the summary.
    for written in ["pager fired", "connection pool", "No alert"] {
        assert!(!response.text().contains(written), "{}", response.text());
    }
    let join = format!("/api/v1/reviews/{}/participants", made.id);
    post(app, &join, None, &join_body(&made.invite, "Late"))
        .await
        .error(StatusCode::CONFLICT, "joining_over");
}

/// Continuing elsewhere: the person's own token replaced (the old browser signed out), or the
/// facilitator's new personal link for someone who lost their browser; the draft stays theirs.
pub async fn a_person_moves_to_another_browser_and_keeps_their_draft(app: &TestApp) {
    let w = World::new(app, "r-move").await;
    w.save(app, &w.alice, "what I saw first").await;
    let replace = w.path("/me/token");
    app.call(Method::POST, &replace, None, None, None)
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");

    // Alice moves to a new browser and signs the old one out.
    let moved: ReplacedToken = app
        .call(Method::POST, &replace, Some(&w.alice.token), None, None)
        .await
        .json();
    assert_ne!(moved.token, w.alice.token);
    let own = w.account_path(&w.alice, "");
    app.get_as(&own, &w.alice.token)
        .await
        .error(StatusCode::UNAUTHORIZED, "signed_out");
    app.call(Method::POST, &replace, Some(&w.alice.token), None, None)
        .await
        .error(StatusCode::UNAUTHORIZED, "signed_out");
    let draft = app.get_as(&own, &moved.token).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text());
    assert!(draft.text().contains("what I saw first"));
    let me: Me = app.get_as(&w.path("/me"), &moved.token).await.json();
    assert_eq!(me.role, Role::Participant(w.alice.participant_id.clone()));

    // Bob lost his laptop: the facilitator's new personal link for his (joined) row names
    // him, and using it moves him; his old token is signed out, his row is still the one.
    w.save(app, &w.bob, "Bob's notes").await;
    let bob = w.bob.participant_id.as_str();
    let link: NewInvite = personal_invite(app, &w, bob).await.json();
    let seen: Invitation = invitation(app, &w, &link.token).await.json();
    assert_eq!(seen.personal.as_ref().unwrap().name, "Bob");
    let again: Joined = post(app, &w.path("/claims"), None, &json!({"token": link.token}))
        .await
        .json();
    assert_eq!(again.participant_id, w.bob.participant_id);
    app.get_as(&w.path(""), &w.bob.token)
        .await
        .error(StatusCode::UNAUTHORIZED, "signed_out");
    let draft = app.get_as(&w.account_path(&w.bob, ""), &again.token).await;
    assert!(draft.text().contains("Bob's notes"), "{}", draft.text());
    assert_eq!(w.review(app).await.participants().len(), 2);

    // A facilitator may replace their own key too; the old one is then signed out.
    let fresh: ReplacedToken = app
        .call(Method::POST, &replace, Some(&w.facilitator), None, None)
        .await
        .json();
    app.get_as(&w.path(""), &w.facilitator)
        .await
        .error(StatusCode::UNAUTHORIZED, "signed_out");
    let me: Me = app.get_as(&w.path("/me"), &fresh.token).await.json();
    assert_eq!(me.role, Role::Facilitator);
}

/// A second facilitator: a one-time link from a facilitator, used once, within a day.
pub async fn a_co_facilitator_comes_in_by_a_one_time_link(app: &TestApp) {
    let w = World::new(app, "r-cofac").await;
    let links = w.path("/facilitator-links");
    app.call(Method::POST, &links, Some(&w.alice.token), None, None)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    let response = app
        .call(Method::POST, &links, Some(&w.facilitator), None, None)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let link: NewInvite = response.json();

    // The link says what it is for, and offers no participant's place.
    let seen: Invitation = invitation(app, &w, &link.token).await.json();
    assert!(seen.facilitator);
    assert!(seen.personal.is_none() && seen.open_places.is_empty());
    assert_eq!(seen.title, "Checkout latency");
    // It is no invite to take part, and the shared invite makes nobody a facilitator.
    post(app, &w.path("/claims"), None, &json!({"token": link.token}))
        .await
        .error(StatusCode::UNAUTHORIZED, "invite_unknown");
    let facilitators = w.path("/facilitators");
    post(app, &facilitators, None, &json!({"token": w.invite}))
        .await
        .error(StatusCode::UNAUTHORIZED, "invite_unknown");

    let response = post(app, &facilitators, None, &json!({"token": link.token})).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let second: Facilitating = response.json();
    let me: Me = app.get_as(&w.path("/me"), &second.token).await.json();
    assert_eq!(me.role, Role::Facilitator);
    // The co-facilitator acts as one: a change to the review lands.
    let op = json!({"op": "add_participant", "id": "hal",
                    "participant": {"name": "Hal", "role": "SRE", "show_name_when_published": false}});
    let response = w
        .op(app, &second.token, Some(second.review.version), op)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    // Both facilitators keep working.
    let first = app.get_as(&w.path(""), &w.facilitator).await;
    assert_eq!(first.status, StatusCode::OK);

    // Used once: a second use, and a preview of it, are refused as used.
    post(app, &facilitators, None, &json!({"token": link.token}))
        .await
        .error(StatusCode::GONE, "facilitator_link_used");
    invitation(app, &w, &link.token)
        .await
        .error(StatusCode::GONE, "facilitator_link_used");
    // Another review's facilitator link does nothing here.
    let other = create(app, "r-cofac-elsewhere").await;
    let elsewhere: NewInvite = app
        .call(
            Method::POST,
            "/api/v1/reviews/r-cofac-elsewhere/facilitator-links",
            Some(&other.facilitator_token),
            None,
            None,
        )
        .await
        .json();
    post(app, &facilitators, None, &json!({"token": elsewhere.token}))
        .await
        .error(StatusCode::UNAUTHORIZED, "invite_unknown");
}
