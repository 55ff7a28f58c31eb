//! The cross-team feed, through the API: reviews are driven to Published with the real routes
//! (create, join, account, submit, ops), then read back from every feed route. Part of the
//! `suite!`, so each test runs on SQLite and on PostgreSQL.

use crate::{TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Utc;
use mosaic_domain::feed::{FeedFinding, FeedPage, FeedStats};
use mosaic_domain::wire::{CreatedReview, Joined};
use mosaic_domain::{
    Account, ActionInput, ActionKind, ActionStatus, EntryId, EntryInput, FactorKind, ObservationId,
    Priority, Review, ReviewId,
};
use serde_json::{Value, json};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// What one review is made of. Every text ends up in its finding, but `entry` (a timeline
/// entry of the participant's account, which no finding ever includes).
pub(crate) struct Spec {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) team: String,
    pub(crate) services: Vec<String>,
    pub(crate) role: String,
    pub(crate) summary: String,
    pub(crate) insight: String,
    /// The participant's observations: the finding's factors once revealed.
    pub(crate) observations: Vec<(FactorKind, String)>,
    pub(crate) entry: String,
    pub(crate) action: String,
    pub(crate) due: Option<&'static str>,
    pub(crate) tags: Vec<String>,
    /// `SectionAudience` as JSON.
    pub(crate) audience: Value,
}

impl Spec {
    pub(crate) fn new(id: &'static str) -> Self {
        Self {
            id,
            title: "Checkout latency after the deploy".into(),
            team: "Payments".into(),
            services: vec!["checkout".into(), "payments-db".into()],
            role: "on-call SRE".into(),
            summary: "The **connection pool** ran dry during peak.".into(),
            insight: "Pool saturation went unnoticed for twenty minutes".into(),
            observations: vec![(FactorKind::Technical, "No alert on pool saturation".into())],
            entry: "The pager fired at 10:02".into(),
            action: "Alert on pool saturation".into(),
            due: None,
            tags: vec!["database".into()],
            audience: json!({}),
        }
    }
}

/// A review's credentials.
pub(crate) struct Made {
    pub(crate) id: String,
    pub(crate) facilitator: String,
    pub(crate) invite: String,
    alice: Joined,
}

impl Made {
    pub(crate) async fn review(&self, app: &TestApp) -> Review {
        let id = ReviewId::parse(&self.id).unwrap();
        app.store.get_review(&id).await.unwrap().unwrap()
    }

    /// As the facilitator, `op` on the current version; it must be accepted.
    pub(crate) async fn op(&self, app: &TestApp, op: Value) -> Review {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = self.review(app).await.version;
        let op_id = format!("feed-op-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let body = json!({"op_id": op_id, "base_version": base, "op": op});
        let path = format!("/api/v1/reviews/{}/ops", self.id);
        let response = app
            .call(
                Method::POST,
                &path,
                Some(&self.facilitator),
                Some(&body),
                None,
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }
}

/// Drives a review made of `spec` to the Actions phase through the API: created, one
/// participant joined who writes and submits an account, revealed, the summary, a key
/// insight, an action and the publication settings set.
async fn make(app: &TestApp, spec: &Spec) -> Made {
    let body = json!({
        "id": spec.id,
        "title": spec.title,
        "started_at": "2026-11-01T10:00:00Z",
        "severity": "sev2",
        "team": spec.team,
        "services": spec.services,
    });
    let response = app.post_json("/api/v1/reviews", &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let created: CreatedReview = response.json();
    let join = json!({
        "invite_token": created.invite_token,
        "name": "Alice Smith",
        "role": spec.role,
        "show_name_when_published": false
    });
    let path = format!("/api/v1/reviews/{}/participants", spec.id);
    let response = app.post_json(&path, &join).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let alice: Joined = response.json();
    let made = Made {
        id: spec.id.to_owned(),
        facilitator: created.facilitator_token,
        invite: created.invite_token,
        alice,
    };
    made.op(app, json!({"op": "transition", "to": "investigating"}))
        .await;

    let mut account = Account::new(
        ReviewId::parse(spec.id).unwrap(),
        made.alice.participant_id.clone(),
    );
    account
        .add_entry(
            EntryId::parse("e1").unwrap(),
            EntryInput {
                at: Some("2026-11-01T10:02:00Z".parse().unwrap()),
                what_happened: spec.entry.clone(),
                ..EntryInput::default()
            },
        )
        .unwrap();
    for (i, (kind, text)) in spec.observations.iter().enumerate() {
        account
            .add_observation(ObservationId::parse(&format!("o{i}")).unwrap(), *kind, text)
            .unwrap();
    }
    let path = format!(
        "/api/v1/reviews/{}/accounts/{}",
        spec.id, made.alice.participant_id
    );
    let body = serde_json::to_value(mosaic_domain::AccountInput::from_account(&account)).unwrap();
    let response = app
        .call(
            Method::PUT,
            &path,
            Some(&made.alice.token),
            Some(&body),
            Some("\"0\""),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let response = app
        .call(
            Method::POST,
            &format!("{path}/submit"),
            Some(&made.alice.token),
            None,
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());

    made.op(app, json!({"op": "transition", "to": "revealed"}))
        .await;
    made.op(app, json!({"op": "set_summary", "summary": spec.summary}))
        .await;
    made.op(app, json!({"op": "add_key_insight", "text": spec.insight}))
        .await;
    let action = ActionInput {
        title: spec.action.clone(),
        owner: Some(made.alice.participant_id.clone()),
        kind: Some(ActionKind::Prevent),
        priority: Some(Priority::P1),
        due: spec.due.map(|d| d.parse().unwrap()),
        status: ActionStatus::Open,
        ..ActionInput::default()
    };
    made.op(
        app,
        json!({"op": "add_action", "id": "a1", "action": action}),
    )
    .await;
    made.op(
        app,
        json!({"op": "set_publication", "tags": spec.tags, "audience": spec.audience}),
    )
    .await;
    made.op(app, json!({"op": "transition", "to": "actions"}))
        .await;
    made
}

/// [`make`], then published.
pub(crate) async fn publish(app: &TestApp, spec: &Spec) -> Made {
    let made = make(app, spec).await;
    made.op(app, json!({"op": "transition", "to": "published"}))
        .await;
    made
}

async fn get_host(app: &TestApp, uri: &str) -> TestResponse {
    app.send(
        Request::get(uri)
            .header(header::HOST, "mosaic.test")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn page(app: &TestApp, query: &str) -> FeedPage {
    let response = app.get(&format!("/api/v1/feed?{query}")).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        response.text()
    );
    response.json()
}

/// The review ids of the first page for `query`, in order.
async fn ids(app: &TestApp, query: &str) -> Vec<String> {
    let page = page(app, query).await;
    let ids: Vec<String> = page
        .entries
        .iter()
        .map(|e| e.review_id.to_string())
        .collect();
    assert_eq!(page.total, ids.len() as u64, "{query}: one page holds all");
    ids
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Everything every feed route answers (without a review token, and with `tokens`), for
/// `review_id`, as one text to search.
async fn read_all_feeds(app: &TestApp, review_id: &str, tokens: &[&str], query: &str) -> String {
    let mut seen = String::new();
    let mut paths = vec![
        "/api/v1/feed".to_owned(),
        "/api/v1/feed/stats".to_owned(),
        format!("/api/v1/feed?{query}"),
        format!("/api/v1/feed/stats?{query}"),
        "/feed.atom".to_owned(),
        "/feed.json".to_owned(),
        format!("/feed.atom?{query}"),
        format!("/feed.json?{query}"),
    ];
    paths.push(format!("/api/v1/feed/{review_id}"));
    for path in paths {
        let response = get_host(app, &path).await;
        let (route, query) = path.split_once('?').unwrap_or((&path, ""));
        let mut body = response.text();
        // A subscription names its filters in its title and address, which is no leak: only
        // its entries are what it found.
        if !query.is_empty() && route == "/feed.atom" {
            body = body
                .split_once("<entry")
                .map_or(String::new(), |(_, e)| e.to_owned());
        }
        if !query.is_empty() && route == "/feed.json" {
            body = response.json::<Value>()["items"].to_string();
        }
        // The route without its query, which holds what is searched for.
        seen.push_str(&format!("{route} {}\n{body}\n", response.status));
    }
    for token in tokens {
        let path = format!("/api/v1/feed/{review_id}");
        let response = app.get_as(&path, token).await;
        seen.push_str(&format!(
            "{path} {}\n{}\n",
            response.status,
            response.text()
        ));
    }
    seen
}

/// No feed route shows any of `markers`, whoever asks, even when searched for. Called by the
/// account-leak test of `sync.rs` too.
pub async fn no_feed_route_shows(
    app: &TestApp,
    review_id: &str,
    tokens: &[&str],
    markers: &[String],
) {
    for marker in markers {
        let seen = read_all_feeds(app, review_id, tokens, &format!("q={}", encode(marker))).await;
        assert_eq!(seen.matches(marker.as_str()).count(), 0, "{marker}: {seen}");
    }
}

// ---- (1) The feed, its search and its filters. ----

pub async fn published_findings_are_searched_and_filtered(app: &TestApp) {
    let mut a = Spec::new("feed-a");
    a.observations.push((
        FactorKind::KnowledgeGap,
        "Nobody knew the zebrafish runbook".into(),
    ));
    a.tags = vec!["database".into(), "capacity".into()];
    a.audience = json!({"knowledge_gaps": "team"});
    a.observations
        .push((FactorKind::Technical, "Runbook out of date".into()));
    publish(app, &a).await;

    let mut b = Spec::new("feed-b");
    b.title = "Search index rebuild stalled".into();
    b.team = "Search Platform".into();
    b.services = vec!["indexer".into()];
    b.summary = "Rollbacks were slow.".into();
    b.insight = "Rollbacks need a rehearsal".into();
    b.observations = vec![(FactorKind::Human, " RUNBOOK out of date ".into())];
    b.action = "Rehearse rollbacks monthly".into();
    b.due = Some("2020-01-01");
    b.tags = vec!["deploys".into(), "Capacity".into()];
    let b = publish(app, &b).await;

    // In the works, never published: in the feed by no route.
    let mut c = Spec::new("feed-c");
    c.insight = "Pool saturation again, unpublishedword".into();
    make(app, &c).await;

    // Newest first; total counts all.
    assert_eq!(ids(app, "").await, ["feed-b", "feed-a"]);
    let entries = page(app, "").await.entries;
    let entry_a = &entries[1];
    assert_eq!(entry_a.title, "Checkout latency after the deploy");
    assert_eq!(entry_a.excerpt, "The connection pool ran dry during peak.");
    assert_eq!(entry_a.tags, ["database", "capacity"]);
    assert_eq!(
        entry_a.kinds,
        [FactorKind::Technical],
        "the gap is the team's"
    );
    assert_eq!(
        (
            entry_a.actions.open,
            entry_a.actions.overdue,
            entry_a.actions.done
        ),
        (1, 0, 0)
    );
    assert_eq!(entries[0].actions.overdue, 1, "due in 2020");

    // Search as you type: every word a prefix, all of them needed, any case.
    for (q, expected) in [
        ("satur", &["feed-a"][..]),
        ("pool SATURATION", &["feed-a"]),
        ("po sa", &["feed-a"]),
        ("rollback", &["feed-b"]),
        ("runbook", &["feed-b", "feed-a"]),
        ("rollback pool", &[]),
        ("checkout latency", &["feed-a"]),
        ("capacity", &["feed-b", "feed-a"]),
        // Only in the team-only section, in an account's timeline, or unpublished.
        ("zebrafish", &[]),
        ("pager", &[]),
        ("unpublishedword", &[]),
        // Query syntax is only ever words.
        ("\"satur\" OR NOT rollback*", &[]),
        ("satur*)(", &["feed-a"]),
        ("!!!", &["feed-b", "feed-a"]),
    ] {
        assert_eq!(
            ids(app, &format!("q={}", encode(q))).await,
            expected,
            "q={q}"
        );
    }

    // Each filter, exact but for case, alone and together.
    let today = Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let yesterday = today.pred_opt().unwrap();
    for (query, expected) in [
        ("team=payments".to_owned(), &["feed-a"][..]),
        ("team=Search+Platform".to_owned(), &["feed-b"]),
        ("team=Search".to_owned(), &[]),
        ("service=CHECKOUT".to_owned(), &["feed-a"]),
        ("service=check".to_owned(), &[]),
        ("tag=deploys".to_owned(), &["feed-b"]),
        ("tag=capacity".to_owned(), &["feed-b", "feed-a"]),
        ("kind=technical".to_owned(), &["feed-a"]),
        ("kind=human".to_owned(), &["feed-b"]),
        ("kind=knowledge_gap".to_owned(), &[]),
        (format!("from={today}&to={today}"), &["feed-b", "feed-a"]),
        (format!("from={tomorrow}"), &[]),
        (format!("to={yesterday}"), &[]),
        (format!("from={tomorrow}&to={yesterday}"), &[]),
        ("q=runbook&team=payments".to_owned(), &["feed-a"]),
        ("q=rollback&team=payments".to_owned(), &[]),
        (
            "tag=capacity&kind=human&service=indexer".to_owned(),
            &["feed-b"],
        ),
    ] {
        assert_eq!(ids(app, &query).await, expected, "{query}");
    }

    // Pages: `next` until the last; `total` on each.
    let first = page(app, "limit=1").await;
    assert_eq!(first.total, 2);
    assert_eq!(first.entries[0].review_id.as_str(), "feed-b");
    let next = first.next.expect("a second page");
    let second = page(app, &format!("limit=1&cursor={}", encode(&next))).await;
    assert_eq!(second.total, 2);
    assert_eq!(second.entries[0].review_id.as_str(), "feed-a");
    assert_eq!(second.next, None);

    // Bad parameters are named; the statistics take the same ones, but no page.
    let bad = StatusCode::BAD_REQUEST;
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    for (query, status, code, field, stats_too) in [
        ("colour=red", bad, "invalid_query", "colour", true),
        ("kind=boredom", bad, "invalid_query", "kind", true),
        ("from=yesterday", bad, "invalid_query", "from", true),
        ("team=a&team=b", bad, "invalid_query", "team", true),
        ("limit=ten", bad, "invalid_query", "limit", true),
        ("cursor=zz", bad, "invalid_query", "cursor", false),
        ("limit=0", invalid, "validation_failed", "limit", false),
        ("limit=101", invalid, "validation_failed", "limit", false),
    ] {
        let mut routes = vec!["/api/v1/feed"];
        if stats_too {
            routes.push("/api/v1/feed/stats");
        }
        for route in routes {
            let error = app
                .get(&format!("{route}?{query}"))
                .await
                .error(status, code);
            assert_eq!(error.fields[0].field, field, "{route}?{query}: {error:?}");
        }
    }

    // Learning across reviews.
    let stats: FeedStats = app.get("/api/v1/feed/stats").await.json();
    assert_eq!(stats.findings, 2);
    let month = Utc::now().format("%Y-%m").to_string();
    let by_kind: Vec<(&str, FactorKind, u32)> = stats
        .kinds_by_month
        .iter()
        .map(|k| (k.month.as_str(), k.kind, k.count))
        .collect();
    assert_eq!(
        by_kind,
        [
            (month.as_str(), FactorKind::Technical, 1),
            (month.as_str(), FactorKind::Human, 1)
        ]
    );
    let tags: Vec<(&str, u32)> = stats
        .recurring_tags
        .iter()
        .map(|r| (r.term.as_str(), r.count))
        .collect();
    assert_eq!(tags, [("capacity", 2)]);
    let factors: Vec<(&str, u32)> = stats
        .recurring_factors
        .iter()
        .map(|r| (r.term.as_str(), r.count))
        .collect();
    assert_eq!(factors, [("runbook out of date", 2)]);
    assert_eq!(
        (
            stats.actions.open,
            stats.actions.overdue,
            stats.actions.done
        ),
        (1, 1, 0)
    );
    let filtered: FeedStats = app.get("/api/v1/feed/stats?team=payments").await.json();
    assert_eq!(filtered.findings, 1);
    assert!(filtered.recurring_tags.is_empty());
    let searched: FeedStats = app.get("/api/v1/feed/stats?q=zebrafish").await.json();
    assert_eq!(searched.findings, 0);

    // Actions progress after publishing, and the feed follows.
    b.op(
        app,
        json!({"op": "set_action_status", "id": "a1", "status": "done"}),
    )
    .await;
    let stats: FeedStats = app.get("/api/v1/feed/stats").await.json();
    assert_eq!(
        (
            stats.actions.open,
            stats.actions.overdue,
            stats.actions.done
        ),
        (1, 0, 1)
    );
    let shown: FeedFinding = app.get("/api/v1/feed/feed-b").await.json();
    assert_eq!(shown.finding.actions[0].status, ActionStatus::Done);
    assert_eq!(
        ids(app, "").await,
        ["feed-b", "feed-a"],
        "its place is kept"
    );
}

// ---- (2) Team-only sections are for the review's own members. ----

pub async fn team_only_sections_reach_members_only(app: &TestApp) {
    let mut spec = Spec::new("feed-team");
    spec.observations.push((
        FactorKind::KnowledgeGap,
        "Nobody knew the zebrafish runbook".into(),
    ));
    spec.audience = json!({"knowledge_gaps": "team", "summary": "team"});
    let made = publish(app, &spec).await;
    let other = publish(app, &Spec::new("feed-other")).await;
    let path = "/api/v1/feed/feed-team";

    for token in [&made.facilitator, &made.alice.token] {
        let response = app.get_as(path, token).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let shown: FeedFinding = response.json();
        assert!(!shown.team_only_hidden);
        assert_eq!(
            shown.finding.knowledge_gaps[0].text,
            "Nobody knew the zebrafish runbook"
        );
        assert_eq!(
            shown.finding.summary,
            "The **connection pool** ran dry during peak."
        );
    }
    // Anyone else, whatever they send: the organisation's view, never an error.
    let strangers: [Option<&str>; 5] = [
        None,
        Some(&other.facilitator),
        Some(&made.invite),
        Some("0000"),
        Some(""),
    ];
    for token in strangers {
        let response = app.call(Method::GET, path, token, None, None).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{token:?}: {}",
            response.text()
        );
        let shown: FeedFinding = response.json();
        assert!(shown.team_only_hidden, "{token:?}");
        assert!(shown.finding.knowledge_gaps.is_empty());
        assert!(shown.finding.summary.is_empty());
        assert_eq!(
            shown.finding.factors[0].factors[0].text,
            "No alert on pool saturation"
        );
        assert!(!response.text().contains("zebrafish"));
    }
    // A revoked member is a stranger again.
    let revoke = format!(
        "/api/v1/reviews/feed-team/participants/{}/token",
        made.alice.participant_id
    );
    let response = app
        .call(Method::DELETE, &revoke, Some(&made.facilitator), None, None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let shown: FeedFinding = app.get_as(path, &made.alice.token).await.json();
    assert!(shown.team_only_hidden);

    // The list and its search show only the organisation's view too.
    let entries = page(app, "team=payments").await.entries;
    let excerpts: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.review_id.as_str(), e.excerpt.as_str()))
        .collect();
    assert_eq!(
        excerpts,
        [
            ("feed-other", "The connection pool ran dry during peak."),
            ("feed-team", "")
        ]
    );
    assert_eq!(ids(app, "q=zebrafish").await, Vec::<String>::new());
    assert_eq!(
        ids(app, "q=connection").await,
        ["feed-other"],
        "the summary is the team's"
    );
    assert_eq!(ids(app, "kind=knowledge_gap").await, Vec::<String>::new());
    no_feed_route_shows(
        app,
        "feed-team",
        &[&other.facilitator],
        &["zebrafish".to_owned()],
    )
    .await;

    // Nothing published, or nothing there: one 404; a malformed id: 400.
    make(app, &Spec::new("feed-draft")).await;
    for path in ["/api/v1/feed/feed-draft", "/api/v1/feed/nothing-here"] {
        app.get(path)
            .await
            .error(StatusCode::NOT_FOUND, "not_found");
    }
    app.get("/api/v1/feed/no%20spaces")
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_id");
}

// ---- (3) Nothing unpublished reaches the feed. ----

pub async fn only_published_findings_reach_the_feed(app: &TestApp) {
    let nonce = format!("{}x{}", std::process::id(), app.store.kind());
    let draft_word = format!("draftword{nonce}");
    let account_word = format!("accountword{nonce}");
    let amend_word = format!("amendword{nonce}");
    let mut spec = Spec::new("feed-late");
    spec.insight = format!("Insight {draft_word}");
    spec.entry = format!("Timeline {account_word}");
    let made = make(app, &spec).await;
    let tokens = [made.facilitator.as_str(), made.alice.token.as_str()];
    let all = [draft_word.clone(), account_word.clone()];
    no_feed_route_shows(app, "feed-late", &tokens, &all).await;
    assert_eq!(ids(app, "").await, Vec::<String>::new());
    assert_eq!(
        app.get("/api/v1/feed/stats")
            .await
            .json::<FeedStats>()
            .findings,
        0
    );

    // Published: the finding is there, the account's own timeline never.
    made.op(app, json!({"op": "transition", "to": "published"}))
        .await;
    assert_eq!(ids(app, &format!("q={draft_word}")).await, ["feed-late"]);
    no_feed_route_shows(
        app,
        "feed-late",
        &tokens,
        std::slice::from_ref(&account_word),
    )
    .await;

    // Reopened to amend: the published finding stays, the amendment waits for the next publish.
    made.op(app, json!({"op": "transition", "to": "actions"}))
        .await;
    made.op(
        app,
        json!({"op": "add_key_insight", "text": format!("Later {amend_word}")}),
    )
    .await;
    assert_eq!(ids(app, "").await, ["feed-late"]);
    no_feed_route_shows(app, "feed-late", &tokens, std::slice::from_ref(&amend_word)).await;
    made.op(app, json!({"op": "transition", "to": "published"}))
        .await;
    assert_eq!(ids(app, &format!("q={amend_word}")).await, ["feed-late"]);
    assert_eq!(
        ids(app, "").await,
        ["feed-late"],
        "re-published once, not twice"
    );
}

// ---- (4) Subscriptions: valid Atom and JSON Feed, and inert whatever was typed. ----

/// The attacks that fit in a title.
fn title() -> String {
    let title = XSS[..4].join(" ");
    assert!(title.chars().count() <= 200, "{title}");
    title
}

/// Attacks typed into every field of a finding.
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[x](JaVa&#x09;ScRiPt:alert(1))",
    "<a href=\"javascript:alert(1)\">a</a>",
    "![i](data:text/html,<script>alert(1)</script>)",
    "<svg/onload=alert(1)>",
    "<javascript:alert(1)>",
    "\"><iframe src=javascript:alert(1)>",
    "]]><script>alert(1)</script><![CDATA[",
];

pub async fn subscriptions_are_valid_and_inert(app: &TestApp) {
    let short = |s: &str| s.chars().take(40).collect::<String>();
    let mut spec = Spec::new("feed-xss");
    spec.title = title();
    spec.team = short(XSS[1]);
    spec.services = XSS.iter().take(5).map(|s| short(s)).collect();
    spec.role = short(XSS[0]);
    spec.summary = XSS.join("\n\n");
    spec.insight = XSS.join(" ");
    spec.observations = XSS
        .iter()
        .map(|s| (FactorKind::Technical, (*s).to_owned()))
        .collect();
    spec.entry = XSS.join(" ");
    spec.action = title();
    spec.tags = XSS.iter().take(8).map(|s| short(s)).collect();
    publish(app, &spec).await;
    publish(app, &Spec::new("feed-plain")).await;

    // Atom: parses, two entries, newest first, each linking to the app's page.
    let response = get_host(app, "/feed.atom").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.header(header::CONTENT_TYPE),
        "application/atom+xml"
    );
    let xml = response.text();
    assert!(!xml.to_ascii_lowercase().contains("<script"), "{xml}");
    let feed = atom_syndication::Feed::from_str(&xml).unwrap();
    assert_eq!(feed.entries.len(), 2);
    assert!(
        feed.links
            .iter()
            .any(|l| l.rel == "self" && l.href == "http://mosaic.test/feed.atom")
    );
    let entry = &feed.entries[1];
    assert_eq!(entry.title.value, title(), "the title is plain text");
    assert_eq!(entry.links[0].href, "http://mosaic.test/feed/feed-xss");
    assert!(entry.id.starts_with("urn:uuid:"), "{}", entry.id);
    assert_ne!(entry.id, feed.entries[0].id);
    let html = entry.content.as_ref().unwrap().value.as_deref().unwrap();
    assert_inert(html);
    assert!(html.contains("&lt;script&gt;"), "shown, as text: {html}");
    assert_eq!(entry.authors[0].name, short(XSS[1]));
    assert!(!xml.contains("Alice"), "names are roles");

    // The same feed again is the same document: stable ids and times.
    let again = get_host(app, "/feed.atom").await.text();
    assert_eq!(again, xml);

    // JSON Feed 1.1.
    let response = get_host(app, "/feed.json").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.header(header::CONTENT_TYPE),
        "application/feed+json"
    );
    let json: Value = response.json();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "http://mosaic.test/feed.json");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let item = &items[1];
    assert_eq!(item["url"], "http://mosaic.test/feed/feed-xss");
    assert_eq!(item["id"], entry.id.as_str(), "the same id in both formats");
    assert_eq!(item["title"], title());
    assert_inert(item["content_html"].as_str().unwrap());
    assert!(!response.text().contains("Alice"));

    // Filters as query parameters; the access key is no filter; the rest are refused.
    let json: Value = get_host(app, "/feed.json?team=nobody").await.json();
    assert_eq!(json["items"].as_array().unwrap().len(), 0);
    assert_eq!(json["feed_url"], "http://mosaic.test/feed.json?team=nobody");
    let feed = atom_syndication::Feed::from_str(
        &get_host(app, "/feed.atom?q=pool&access_key=k").await.text(),
    )
    .unwrap();
    assert_eq!(feed.entries.len(), 1);
    assert!(feed.links.iter().all(|l| !l.href.contains("access_key")));
    get_host(app, "/feed.atom?colour=red")
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_query");
    // The links start with the configured public URL, whatever the request's headers say.
    let response = app
        .send(
            Request::get("/feed.json")
                .header(header::HOST, "feeds.example:8443")
                .header("x-forwarded-proto", "https")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let json: Value = response.json();
    assert_eq!(
        json["items"][0]["url"],
        "http://mosaic.test/feed/feed-plain"
    );

    // The API's finding and list carry the text as typed (the app renders it with
    // `markdown::to_html`); the feed's own HTML never carries it raw.
    let shown: FeedFinding = app.get("/api/v1/feed/feed-xss").await.json();
    assert_eq!(shown.finding.title, title());
    for html in [
        mosaic_domain::markdown::to_html(&shown.finding.summary),
        mosaic_domain::markdown::to_html(&shown.finding.to_markdown()),
    ] {
        assert_inert(&html);
    }
}

/// No element, attribute or link in `html` can run a script or load anything.
fn assert_inert(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in ["<script", "<img", "<iframe", "<svg", "<a href=\"javascript"] {
        assert!(!lower.contains(bad), "{bad} in {html}");
    }
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map(|e| start + e)
            .expect("tags close");
        let tag = &rest[start + 1..end];
        for attr in tag.split_whitespace().skip(1) {
            let name = attr
                .split('=')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            assert!(!name.starts_with("on"), "{attr} in <{tag}>");
            assert!(
                name == "href" || name == "title" || name == "/",
                "{attr} in <{tag}>"
            );
            if name == "href" {
                let value: String = attr["href=".len()..]
                    .replace("&amp;", "&")
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '"')
                    .collect::<String>()
                    .to_ascii_lowercase();
                for scheme in ["javascript:", "data:", "vbscript:"] {
                    assert!(!value.starts_with(scheme), "{attr} in {html}");
                }
            }
        }
        rest = &rest[end + 1..];
    }
}

// ---- (5) A server closed with the organisation's access key closes its feed too. ----

pub async fn an_access_key_closes_the_feed_and_its_subscriptions(app: &TestApp) {
    publish(app, &Spec::new("feed-closed")).await;
    const KEY: &str = "org-Key_1-0123456789";
    let state = mosaic_server::AppState::new(app.store.clone(), app.dist.path());
    let router = mosaic_server::app(state.with_access_key(Some(KEY.parse().unwrap())));
    let get = |uri: &str, key: Option<&str>| {
        let mut request = Request::get(uri).header(header::HOST, "mosaic.test");
        if let Some(key) = key {
            request = request.header("X-Mosaic-Access-Key", key);
        }
        crate::send_to(router.clone(), request.body(Body::empty()).unwrap())
    };
    for path in [
        "/api/v1/feed",
        "/api/v1/feed/stats",
        "/api/v1/feed/feed-closed",
        "/feed.atom",
        "/feed.json",
    ] {
        for key in [None, Some("wrong")] {
            let response = get(path, key).await;
            response.error(StatusCode::UNAUTHORIZED, "access_key_required");
            assert!(!response.text().contains("Checkout"), "{path}");
        }
        let response = get(path, Some(KEY)).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{path}: {}",
            response.text()
        );
    }
    // Feed readers send no headers: the subscriptions take the key in the query, where it is
    // no filter; the API does not.
    for path in ["/feed.atom", "/feed.json"] {
        let response = get(&format!("{path}?access_key={KEY}&team=payments"), None).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{path}: {}",
            response.text()
        );
        assert!(response.text().contains("Checkout latency"), "{path}");
        assert!(!response.text().contains(KEY), "the key is not echoed");
        get(&format!("{path}?access_key=wrong"), None)
            .await
            .error(StatusCode::UNAUTHORIZED, "access_key_required");
    }
    get(&format!("/api/v1/feed?access_key={KEY}"), None)
        .await
        .error(StatusCode::UNAUTHORIZED, "access_key_required");
}

#[path = "backlog.rs"]
pub mod backlog;
#[path = "ops.rs"]
pub mod ops;

// ---- (5) Themes: made through ops, published with each factor's audience. ----

/// `op` on the current version as whoever holds `token`, accepted or not.
async fn send_op(app: &TestApp, made: &Made, token: String, op: Value) -> TestResponse {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = made.review(app).await.version;
    let op_id = format!("theme-op-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let body = json!({"op_id": op_id, "base_version": base, "op": op});
    let path = format!("/api/v1/reviews/{}/ops", made.id);
    app.call(Method::POST, &path, Some(&token), Some(&body), None)
        .await
}

pub async fn themes_reach_the_feed_by_their_factors_audience(app: &TestApp) {
    let mut spec = Spec::new("feed-themes");
    spec.observations = vec![
        (FactorKind::Technical, "No alert on pool saturation".into()),
        (
            FactorKind::KnowledgeGap,
            "Nobody knew the zebrafish pool runbook".into(),
        ),
        (FactorKind::Human, "Paged twice overnight".into()),
    ];
    spec.audience = json!({"knowledge_gaps": "team"});
    let made = make(app, &spec).await;
    let alice = made.alice.participant_id.to_string();
    let factor = |o: &str| json!({"participant_id": alice, "observation_id": o});
    let group = json!({
        "op": "group_theme",
        "id": "th1",
        "name": "Quokka pool alerting",
        "factors": [factor("o0"), factor("o1")],
    });
    let vote = |voter: &str| json!({"op": "toggle_theme_vote", "voter": voter, "theme": "th1"});
    let send = |token: &str, op: Value| send_op(app, &made, token.to_owned(), op);
    // Only the facilitator groups; only a participant dots, and only for themself.
    send(&made.alice.token, group.clone())
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    made.op(app, group.clone()).await;
    send(&made.facilitator, vote(&alice))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    // A factor is in one theme at most: the reason comes back, and nothing changes.
    let again = json!({
        "op": "group_theme",
        "id": "th2",
        "name": "Again",
        "factors": [factor("o1"), factor("o2")],
    });
    let before = made.review(app).await;
    let refused = send(&made.facilitator, again).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(
        refused.text().contains("is already in the theme"),
        "{}",
        refused.text()
    );
    assert_eq!(made.review(app).await, before);
    let response = send(&made.alice.token, vote(&alice)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let review: Review = response.json();
    assert_eq!(review.theme_votes(&review.themes()[0]), 1);
    made.op(app, json!({"op": "transition", "to": "published"}))
        .await;

    // Members read the theme with both factors, grouped factors not listed again.
    let path = "/api/v1/feed/feed-themes";
    let shown: FeedFinding = app.get_as(path, &made.facilitator).await.json();
    let theme = &shown.finding.themes[0];
    assert_eq!(
        (theme.name.as_str(), theme.votes),
        ("Quokka pool alerting", 1)
    );
    let texts: Vec<&str> = theme
        .factors
        .iter()
        .map(|f| f.factor.text.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "No alert on pool saturation",
            "Nobody knew the zebrafish pool runbook"
        ]
    );
    assert!(shown.finding.knowledge_gaps.is_empty());
    let listed: Vec<&str> = shown
        .finding
        .factors
        .iter()
        .flat_map(|g| &g.factors)
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(listed, ["Paged twice overnight"]);
    // Anyone else: the theme with only the factor their audience may read.
    let response = app.get(path).await;
    let shown: FeedFinding = response.json();
    let texts: Vec<&str> = shown.finding.themes[0]
        .factors
        .iter()
        .map(|f| f.factor.text.as_str())
        .collect();
    assert_eq!(texts, ["No alert on pool saturation"]);
    assert!(!response.text().contains("zebrafish"));
    assert_eq!(ids(app, "q=zebrafish").await, Vec::<String>::new());
    assert_eq!(ids(app, "q=quokka").await, ["feed-themes"]);
    assert_eq!(ids(app, "kind=knowledge_gap").await, Vec::<String>::new());
    assert_eq!(ids(app, "kind=technical").await, ["feed-themes"]);
    no_feed_route_shows(app, "feed-themes", &[], &["zebrafish".to_owned()]).await;
}
