//! One incident, reviewed step by step, for the tests of every module: a checkout latency
//! incident with three participants. Alice (on-call SRE) and Bob (incident commander, who opted
//! in to his name) submit accounts; Carol (database engineer) keeps a draft.

use crate::account::{Account, EntryInput};
use crate::id::EntryRef;
use crate::id::ReviewId;
use crate::id::{ActionId, EntryId, ObservationId, ParticipantId};
use crate::phase::Phase;
use crate::review::action::{ActionInput, ActionKind, Priority};
use crate::review::factors::{FactorKind, FactorRef};
use crate::review::{FactsInput, IncidentFacts, ParticipantInput, Review, Severity};
use chrono::{DateTime, TimeZone, Utc};

pub(crate) fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, h, m, 0).unwrap()
}

pub(crate) fn pid(s: &str) -> ParticipantId {
    ParticipantId::parse(s).unwrap()
}

pub(crate) fn eref(p: &str, e: &str) -> EntryRef {
    EntryRef::new(pid(p), EntryId::parse(e).unwrap())
}

pub(crate) fn fref(p: &str, o: &str) -> FactorRef {
    FactorRef::new(pid(p), ObservationId::parse(o).unwrap())
}

pub(crate) fn aid(s: &str) -> ActionId {
    ActionId::parse(s).unwrap()
}

pub(crate) fn facts() -> IncidentFacts {
    IncidentFacts::new(FactsInput {
        title: "Checkout latency after Alice's deploy".into(),
        started_at: Some(t(10, 0)),
        detected_at: Some(t(10, 2)),
        resolved_at: Some(t(10, 40)),
        severity: Some(Severity::Sev2),
        team: "Payments".into(),
        services: vec!["checkout".into(), "payments-db".into()],
        customer_impact: "Card payments at checkout took 30 s; Alice's team saw complaints".into(),
        affected_count: Some(1200),
    })
    .unwrap()
}

/// A review in Setup with its three participants.
pub(crate) fn setup() -> Review {
    let mut review = Review::new(ReviewId::parse("r-1").unwrap(), facts(), t(11, 0));
    for (id, name, role, opt_in) in [
        ("alice", "Alice Smith", "on-call SRE", false),
        ("bob", "Bob", "incident commander", true),
        ("carol", "Carol", "database engineer", false),
    ] {
        let input = ParticipantInput {
            name: name.into(),
            role: role.into(),
            show_name_when_published: opt_in,
        };
        review.add_participant(pid(id), input, t(11, 0)).unwrap();
    }
    review
}

fn entry(h: u32, m: u32, what: &str, knew: &str) -> EntryInput {
    EntryInput {
        at: Some(t(h, m)),
        what_happened: what.into(),
        knew_or_believed: knew.into(),
        what_i_did: String::new(),
    }
}

/// The three accounts: Alice's and Bob's submitted, Carol's a draft.
pub(crate) fn accounts() -> Vec<Account> {
    let review_id = ReviewId::parse("r-1").unwrap();
    let mut alice = Account::new(review_id.clone(), pid("alice"));
    let mut bob = Account::new(review_id.clone(), pid("bob"));
    let mut carol = Account::new(review_id, pid("carol"));
    let e = |s: &str| EntryId::parse(s).unwrap();
    let o = |s: &str| ObservationId::parse(s).unwrap();
    for (id, input) in [
        (
            "a1",
            entry(
                10,
                2,
                "Pager fired for checkout latency",
                "Thought it was the database",
            ),
        ),
        ("a2", entry(10, 15, "Rolled back the deploy", "")),
        ("a3", entry(10, 40, "Latency back to normal", "")),
    ] {
        alice.add_entry(e(id), input).unwrap();
    }
    alice
        .add_observation(
            o("ao1"),
            FactorKind::Technical,
            "No alert on pool saturation",
        )
        .unwrap();
    alice
        .add_observation(
            o("ao2"),
            FactorKind::KnowledgeGap,
            "Rollback runbook out of date",
        )
        .unwrap();
    for (id, input) in [
        (
            "b1",
            entry(
                10,
                5,
                "Pager fired: checkout latency high",
                "thought it was a network issue",
            ),
        ),
        (
            "b2",
            entry(10, 12, "Declared incident, rolled back deploy", ""),
        ),
        ("b3", entry(10, 30, "Support reported failed payments", "")),
    ] {
        bob.add_entry(e(id), input).unwrap();
    }
    bob.add_observation(
        o("bo1"),
        FactorKind::Organisational,
        "Deploys allowed during peak; Alice Smith had no say",
    )
    .unwrap();
    bob.add_observation(
        o("bo2"),
        FactorKind::OperationalSurprise,
        "Rollback took 10 minutes",
    )
    .unwrap();
    alice
        .add_observation(
            o("ao3"),
            FactorKind::Helped,
            "Bob posted the rollback command in the channel",
        )
        .unwrap();
    bob.add_observation(
        o("bo3"),
        FactorKind::Lucky,
        "The spike came after the lunch peak",
    )
    .unwrap();
    carol
        .add_entry(e("c1"), entry(10, 20, "Saw pool at 100%", ""))
        .unwrap();
    // Answers to the default guide's questions: "How did you first learn…" and "What helped?".
    let q = |s: &str| crate::id::QuestionId::parse(s).unwrap();
    alice
        .set_answer(q("default-4"), "The rollback script was one command")
        .unwrap();
    bob.set_answer(q("default-1"), "The pager, then the chat")
        .unwrap();
    bob.set_answer(q("default-4"), "Alice's message in the channel")
        .unwrap();
    alice.submit(t(12, 0)).unwrap();
    bob.submit(t(12, 5)).unwrap();
    vec![alice, bob, carol]
}

/// The review in `phase`, reached through the real transitions, with the accounts. From
/// Investigating on, Alice's and Bob's submissions are recorded; from Revealed on, a1–b1 are
/// linked; from Actions on, there is one action.
pub(crate) fn review_in(phase: Phase) -> (Review, Vec<Account>) {
    let mut review = setup();
    let accounts = accounts();
    if phase == Phase::Setup {
        return (review, accounts);
    }
    review.advance(&[], t(11, 1)).unwrap();
    for a in &accounts[..2] {
        review.record_submission(a, t(12, 10)).unwrap();
    }
    if phase == Phase::Investigating {
        return (review, accounts);
    }
    review.advance(&[], t(13, 0)).unwrap();
    review
        .link(
            &[eref("alice", "a1"), eref("bob", "b1")],
            &accounts,
            t(13, 1),
        )
        .unwrap();
    if phase == Phase::Revealed {
        return (review, accounts);
    }
    review.advance(&[], t(13, 30)).unwrap();
    let input = ActionInput {
        title: "Alert on pool saturation".into(),
        owner: Some(pid("alice")),
        kind: Some(ActionKind::Detect),
        priority: Some(Priority::P1),
        factor_refs: vec![fref("alice", "ao1")],
        ..ActionInput::default()
    };
    review
        .add_action(aid("x1"), input, &accounts, t(13, 31))
        .unwrap();
    if phase == Phase::Actions {
        return (review, accounts);
    }
    review.advance(&accounts, t(14, 0)).unwrap();
    assert_eq!(review.phase(), Phase::Published);
    (review, accounts)
}
