//! Generated hostile bodies at every write route: valid shapes with hostile values, wrong
//! types, huge sizes, deep nesting, odd Unicode, unknown fields. Whatever comes, the server
//! never answers 5xx, and a 4xx stores nothing. A child of `sync`, whose `World` it shares;
//! part of the `suite!`, so it runs on SQLite and on PostgreSQL.
//!
//! The cases are drawn from a fixed seed (`TestRunner::deterministic`), so a failure repeats;
//! there is no shrinking, as each case is an async request: the failing body is printed whole.

use super::World;
use crate::{TestApp, TestResponse};
use axum::http::{Method, StatusCode};
use mosaic_domain::ReviewId;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

/// Cases per route and database: enough to meet each kind of hostile value many times,
/// few enough to run in a few seconds.
const CASES: usize = 40;

/// Text a person would not type: controls, NUL, direction marks, combining runs, a BOM,
/// non-characters, astral symbols, long runs.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\u{0}".to_owned()),
        Just("\u{1b}[2J".to_owned()),
        Just("\u{7}\u{8}\u{b}\u{c}".to_owned()),
        Just("\t\r\n".to_owned()),
        Just("\u{202e}evil\u{202c}".to_owned()),
        Just("e\u{301}\u{301}\u{301}\u{301}".to_owned()),
        Just("\u{feff}\u{fffe}\u{ffff}".to_owned()),
        Just("😀🏳️‍🌈𝕏".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("'; DROP TABLE reviews; --".to_owned()),
        Just(String::new()),
        Just("   ".to_owned()),
        "[a-z ]{0,12}",
        any::<String>(),
    ];
    (prop::collection::vec(pieces, 0..5), 0..3usize).prop_map(|(pieces, grow)| {
        let text = pieces.concat();
        // Now and then far past any text limit (4,000 characters) and near the body limit.
        match grow {
            2 => text.repeat(5000 / text.len().max(1) + 1),
            _ => text,
        }
    })
}

/// Any JSON where a value is expected: hostile text, wrong types, deep nesting, huge sizes.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => hostile_text().prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| json!(f)),
        1 => Just(json!(u64::MAX)),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(json!([])),
        1 => Just(json!({})),
        1 => (1..300usize).prop_map(|depth| {
            (0..depth).fold(json!("deep"), |inner, _| json!([inner]))
        }),
        1 => Just(Value::String("x".repeat(300 * 1024))),
    ]
}

/// `template` with each field kept (valid) or replaced by a hostile value, sometimes with an
/// unknown field added or a field dropped.
fn mutate(template: Value) -> impl Strategy<Value = Value> {
    let fields: Vec<String> = template
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let n = fields.len();
    (
        prop::collection::vec((0..4u8, hostile_value()), n),
        prop::option::of(("[a-z_]{1,10}", hostile_value())),
        prop::option::of(0..n.max(1)),
    )
        .prop_map(move |(choices, extra, dropped)| {
            let mut object: Map<String, Value> = template.as_object().cloned().unwrap_or_default();
            for (field, (choice, value)) in fields.iter().zip(choices) {
                // One time in four a field is replaced.
                if choice == 0 {
                    object.insert(field.clone(), value);
                }
            }
            if let Some((name, value)) = extra {
                object.insert(name, value);
            }
            if let Some(i) = dropped
                && let Some(name) = fields.get(i)
                && i % 3 == 0
            {
                object.remove(name);
            }
            Value::Object(object)
        })
}

/// A whole body that is not even the right kind of JSON, now and then.
fn body(template: Value) -> impl Strategy<Value = Value> {
    prop_oneof![8 => mutate(template), 1 => hostile_value()]
}

fn op_templates() -> Vec<Value> {
    vec![
        json!({"op": "set_summary", "summary": "A summary"}),
        json!({"op": "add_reference", "id": "ref-1", "title": "Log",
            "content": {"type": "text", "body": "some log"}}),
        json!({"op": "set_facts", "facts": {"title": "T", "started_at": "2026-11-01T10:00:00Z",
            "severity": "sev2", "team": "Payments", "services": []}}),
        json!({"op": "add_participant", "id": "p-new",
            "participant": {"name": "Zoe", "role": "SRE"}}),
        json!({"op": "transition", "to": "revealed"}),
        json!({"op": "add_key_insight", "text": "insight"}),
    ]
}

/// What a write could have changed, to compare before and after a refusal.
async fn snapshot(app: &TestApp, w: &World) -> String {
    let id = ReviewId::parse(&w.id).unwrap();
    let review = app.store.get_review(&id).await.unwrap();
    let alice = app
        .store
        .get_account(&id, &w.alice.participant_id)
        .await
        .unwrap();
    let all: Vec<String> = app.listed_ids().await;
    serde_json::to_string(&(review, alice, all)).unwrap()
}

fn draw<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).unwrap().current()
}

/// Sends `body` and checks the rule: never 5xx; after a 4xx, nothing changed.
async fn check(
    app: &TestApp,
    w: &World,
    before: &mut String,
    response: TestResponse,
    body: &Value,
) {
    let shown: String = body.to_string().chars().take(600).collect();
    assert!(
        !response.status.is_server_error(),
        "{} for {shown}: {}",
        response.status,
        response.text()
    );
    let after = snapshot(app, w).await;
    if response.status.is_client_error() {
        assert_eq!(
            *before, after,
            "a {} stored something: {shown}",
            response.status
        );
    }
    *before = after;
}

pub async fn hostile_generated_bodies_never_break_a_write_route(app: &TestApp) {
    let w = World::new(app, "r-props").await;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let mut before = snapshot(app, &w).await;

    let create = body(crate::create_body("r-props-new"));
    for _ in 0..CASES {
        let body = draw(&mut runner, &create);
        let response = app.post_json("/api/v1/reviews", &body).await;
        check(app, &w, &mut before, response, &body).await;
    }

    let join = body(
        json!({"invite_token": w.invite, "name": "Mallory", "role": "SRE",
        "show_name_when_published": false}),
    );
    for _ in 0..CASES {
        let body = draw(&mut runner, &join);
        let response = app.post_json(&w.path("/participants"), &body).await;
        check(app, &w, &mut before, response, &body).await;
    }

    let account = body(json!({
        "entries": [{"id": "e1", "at": "2026-11-01T10:00:00Z", "what_happened": "x",
            "knew_or_believed": "", "what_i_did": ""}],
        "observations": [{"id": "o1", "kind": "human", "text": "tired"}],
    }));
    let entry = mutate(
        json!({"id": "e1", "at": "2026-11-01T10:00:00Z", "what_happened": "x",
        "knew_or_believed": "", "what_i_did": ""}),
    );
    for i in 0..CASES {
        // Half the cases hostile at the top, half inside an entry.
        let body = if i % 2 == 0 {
            draw(&mut runner, &account)
        } else {
            json!({"entries": [draw(&mut runner, &entry)]})
        };
        let version = w.account_version(app, &w.alice).await;
        let response = app
            .call(
                Method::PUT,
                &w.account_path(&w.alice, ""),
                Some(&w.alice.token),
                Some(&body),
                Some(&format!("\"{version}\"")),
            )
            .await;
        check(app, &w, &mut before, response, &body).await;
    }

    let ops: Vec<_> = op_templates().into_iter().map(mutate).collect();
    for i in 0..CASES {
        let op = draw(&mut runner, &ops[i % ops.len()]);
        let version = w.review(app).await.version;
        let base = if i % 5 == 0 {
            draw(&mut runner, &hostile_value())
        } else {
            json!(version)
        };
        let op_id = if i % 7 == 0 {
            draw(&mut runner, &hostile_value())
        } else {
            json!(format!("prop-{i}"))
        };
        let body = json!({"op_id": op_id, "base_version": base, "op": op});
        let response = app
            .call(
                Method::POST,
                &w.path("/ops"),
                Some(&w.facilitator),
                Some(&body),
                None,
            )
            .await;
        check(app, &w, &mut before, response, &body).await;
    }
    // The review is still whole and readable after all of it.
    assert_eq!(
        app.get_as(&w.path(""), &w.facilitator).await.status,
        StatusCode::OK
    );
}
