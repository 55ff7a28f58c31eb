//! The sync engine, natively: one table or test per decision of the engine (each branch of what
//! the browser's sync did before it was a shell), and a property test running random
//! interleavings of local edits, others' changes, lost answers and retries against a simulated
//! server that keeps the API's rules (op ids applied once, 412 on a stale base, 422 on a rule).

use std::collections::BTreeMap;

use chrono::TimeZone;
use mosaic_domain::review::FactsInput;
use mosaic_domain::wire::ErrorBody;
use mosaic_domain::{
    EntryId, EntryInput, IncidentFacts, ParticipantInput, Phase, ReviewId, Severity,
};
use proptest::prelude::*;

use super::*;

fn t(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, minute, 0).unwrap()
}

fn pid(s: &str) -> ParticipantId {
    ParticipantId::parse(s).unwrap()
}

fn person(name: &str) -> ParticipantInput {
    ParticipantInput {
        name: name.into(),
        role: "SRE".into(),
        show_name_when_published: false,
    }
}

fn add(id: &str, name: &str) -> ReviewOp {
    ReviewOp::AddParticipant {
        id: pid(id),
        participant: person(name),
    }
}

fn summary(text: &str) -> ReviewOp {
    ReviewOp::SetSummary {
        summary: text.into(),
    }
}

fn rename(id: &str, name: &str) -> ReviewOp {
    ReviewOp::UpdateParticipant {
        id: pid(id),
        participant: person(name),
    }
}

/// A review in Setup with two participants, `p0` and `p1`.
fn review() -> Review {
    let facts = IncidentFacts::new(FactsInput {
        title: "Checkout latency".into(),
        started_at: Some(t(0)),
        detected_at: None,
        resolved_at: None,
        severity: Some(Severity::Sev2),
        team: "Payments".into(),
        services: Vec::new(),
        customer_impact: String::new(),
        affected_count: None,
    })
    .unwrap();
    let mut review = Review::new(ReviewId::parse("r1").unwrap(), facts, t(0));
    applied(&mut review, &[add("p0", "Ada"), add("p1", "Bo")]);
    review
}

fn applied(review: &mut Review, ops: &[ReviewOp]) {
    for op in ops {
        review.apply(op, &[], t(1)).unwrap();
    }
}

fn after(base: &Review, ops: &[ReviewOp]) -> Review {
    let mut r = base.clone();
    applied(&mut r, ops);
    r
}

/// `account` as the server stores it: at `version`.
fn at_version(account: &Account, version: u64) -> Account {
    let mut json = serde_json::to_value(account).unwrap();
    json["version"] = version.into();
    serde_json::from_value(json).unwrap()
}

fn draft(participant: &str, text: &str) -> Account {
    let mut account = Account::new(ReviewId::parse("r1").unwrap(), pid(participant));
    account
        .add_entry(
            EntryId::parse("e1").unwrap(),
            EntryInput {
                at: Some(t(3)),
                what_happened: text.into(),
                knew_or_believed: String::new(),
                what_i_did: String::new(),
            },
        )
        .unwrap();
    account
}

fn sealed(participant: &str) -> Account {
    let mut account = draft(participant, "sealed");
    account.submit(t(5)).unwrap();
    account
}

fn refused(status: u16, code: &str, message: &str) -> Error {
    Error::Refused {
        status,
        body: ErrorBody {
            error: code.into(),
            message: message.into(),
            fields: Vec::new(),
            request_id: None,
        },
    }
}

fn pending(id: &str, op: ReviewOp) -> PendingOp {
    PendingOp {
        op_id: id.into(),
        op,
    }
}

/// One browser: the engine and what the page holds.
struct Browser {
    engine: Engine,
    review: Review,
    accounts: Vec<Account>,
    on_server: bool,
    own: Option<ParticipantId>,
}

impl Browser {
    /// A facilitator's browser whose base is `server`, with nothing waiting.
    fn facilitator(server: &Review) -> Self {
        Self::with_state(
            SyncState {
                server: Some(server.clone()),
                ..SyncState::default()
            },
            server.clone(),
        )
    }

    fn with_state(state: SyncState, review: Review) -> Self {
        Self {
            engine: Engine::new(state),
            review,
            accounts: Vec::new(),
            on_server: true,
            own: None,
        }
    }

    /// Participant `me`'s browser holding `account` (if any) with `state`.
    fn participant(me: &str, state: SyncState, account: Option<Account>) -> Self {
        let review = state.server.clone().unwrap_or_else(review);
        let mut browser = Self::with_state(state, review);
        browser.own = Some(pid(me));
        browser.accounts.extend(account);
        browser
    }

    fn with<T>(&mut self, f: impl FnOnce(&mut Engine, Local) -> T) -> T {
        let local = Local {
            review: &self.review,
            accounts: &self.accounts,
            on_server: self.on_server,
            own: self.own.as_ref(),
        };
        f(&mut self.engine, local)
    }

    fn next(&mut self) -> Step {
        self.with(|e, local| e.next_step(local))
    }

    /// The engine past its opening read, as if the server's copy had just been read.
    fn opened(mut self) -> Self {
        assert_eq!(self.next(), Step::Pull);
        let server = self.engine.state().server.clone();
        let changes = self.with(|e, local| e.pulled(server, local, t(2))).unwrap();
        self.keep(changes);
        if self.engine.read_own {
            assert_eq!(self.next(), Step::ReadOwnAccount);
            let changes = self.with(|e, local| e.own_account_read(Vec::new(), local));
            self.keep(changes);
        }
        self
    }

    /// An edit made here, as the workspace makes it: applied, then recorded.
    fn edit(&mut self, op: ReviewOp, op_id: &str) -> bool {
        if self.review.apply(&op, &self.accounts, t(4)).is_err() {
            return false;
        }
        self.engine.record(op, op_id.into());
        true
    }

    /// Keeps what an answer changed, as the shell does.
    fn keep(&mut self, changes: Changes) {
        if let Some(review) = changes.review {
            self.review = review;
        }
        for account in changes.accounts {
            match self
                .accounts
                .iter_mut()
                .find(|a| a.participant_id() == account.participant_id())
            {
                Some(slot) => *slot = account,
                None => self.accounts.push(account),
            }
        }
    }

    fn op_answer(
        &mut self,
        sent: &ApplyOp,
        answer: Result<Written<Review>, Error>,
    ) -> Result<(), Error> {
        let changes = self.with(|e, local| e.op_answer(sent, answer, local, t(6)))?;
        self.keep(changes);
        Ok(())
    }

    fn sent_op(&mut self) -> ApplyOp {
        match self.next() {
            Step::Send(request) => request,
            other => panic!("expected an op to send, got {other:?}"),
        }
    }
}

// ---- what to do next ----

#[test]
fn a_review_not_on_the_server_is_created_first_then_read() {
    let mut browser = Browser::facilitator(&review());
    browser.on_server = false;
    browser.edit(summary("typed offline"), "a");
    assert_eq!(browser.next(), Step::Create, "before anything else");
    assert_eq!(browser.next(), Step::Create, "until it is on the server");
    // The outbox sent it: the engine takes the base repo kept when it accepted the first copy.
    browser.on_server = true;
    let mut no_base = Browser::with_state(SyncState::default(), review());
    no_base.engine.created(Some(SyncState {
        server: Some(review()),
        ..SyncState::default()
    }));
    assert_eq!(no_base.engine.state().server, Some(review()));
    no_base.engine.created(None);
    assert_eq!(no_base.engine.state().server, Some(review()), "kept");
    assert_eq!(browser.next(), Step::Pull);
}

#[test]
fn the_server_copy_is_read_on_opening_after_an_event_and_after_a_failed_read() {
    let mut browser = Browser::facilitator(&review()).opened();
    assert_eq!(browser.next(), Step::Done, "nothing waits");
    browser.engine.refresh();
    assert_eq!(browser.next(), Step::Pull, "a live event");
    assert_eq!(browser.next(), Step::Done, "asked for once");
    browser.engine.failed(&Step::Pull);
    assert_eq!(browser.next(), Step::Pull, "the read failed: again");
    browser.engine.failed(&Step::ReadOwnAccount);
    assert_eq!(
        browser.next(),
        Step::Pull,
        "the account list is part of the read"
    );
    // A failed send is retried as it is, without a read first.
    browser.engine.failed(&Step::Send(ApplyOp {
        op_id: "x".into(),
        base_version: Some(1),
        op: summary("x"),
    }));
    assert_eq!(browser.next(), Step::Done);
    // Without a base, the copy is read whatever else waits.
    let mut fresh = Browser::with_state(SyncState::default(), review());
    fresh.engine.needs_pull = false;
    assert_eq!(fresh.next(), Step::Pull);
}

#[test]
fn a_review_the_server_no_longer_has_is_a_404_in_words() {
    let mut browser = Browser::facilitator(&review());
    assert_eq!(browser.next(), Step::Pull);
    let e = browser
        .with(|e, local| e.pulled(None, local, t(2)))
        .unwrap_err();
    assert_eq!(e.code(), Some("not_found"));
    assert!(!e.is_transient() && !e.refuses_the_change());
}

#[test]
fn ops_are_sent_in_order_against_the_base_version_with_their_own_ids() {
    let base = review();
    let mut browser = Browser::facilitator(&base).opened();
    browser.edit(summary("one"), "a");
    browser.edit(add("p2", "Cy"), "b");
    let sent = browser.sent_op();
    assert_eq!(
        sent,
        ApplyOp {
            op_id: "a".into(),
            base_version: Some(base.version),
            op: summary("one"),
        }
    );
    assert_eq!(browser.sent_op(), sent, "the same op until it is answered");
}

#[test]
fn keystrokes_on_one_thing_replace_the_unsent_op_but_never_the_one_on_its_way() {
    let mut state = SyncState::default();
    state.record(summary("a"), "1".into());
    state.record(summary("ab"), "2".into());
    state.record(summary("abc"), "3".into());
    state.record(add("p2", "Cy"), "4".into());
    state.record(add("p3", "Di"), "5".into());
    let ids: Vec<&str> = state.pending.iter().map(|p| p.op_id.as_str()).collect();
    assert_eq!(
        ids,
        ["1", "3", "4", "5"],
        "2 was replaced; adds have no target"
    );
}

// ---- what each answer to an op means ----

#[test]
fn an_accepted_op_leaves_the_queue_and_the_rest_is_replayed_on_the_servers_copy() {
    let base = review();
    let mut browser = Browser::facilitator(&base).opened();
    browser.edit(summary("mine"), "a");
    browser.edit(rename("p0", "Ada L."), "b");
    let sent = browser.sent_op();
    let server = after(&base, &[summary("mine")]);
    browser
        .op_answer(&sent, Ok(Written::Done(server.clone())))
        .unwrap();
    assert_eq!(browser.engine.state().server, Some(server.clone()));
    assert_eq!(
        browser.engine.state().pending,
        [pending("b", rename("p0", "Ada L."))]
    );
    assert_eq!(
        browser.review.participants(),
        after(&server, &[rename("p0", "Ada L.")]).participants()
    );
    assert_eq!(browser.review.summary(), "mine");
    assert!(browser.engine.state().conflicts.is_empty());
}

#[test]
fn a_412_rebases_and_a_change_to_the_same_thing_waits_for_a_person() {
    let base = review();
    let mut browser = Browser::facilitator(&base).opened();
    browser.edit(summary("mine"), "a");
    browser.edit(rename("p0", "Ada L."), "b");
    let sent = browser.sent_op();
    let theirs = after(&base, &[summary("theirs")]);
    browser
        .op_answer(&sent, Ok(Written::Stale(theirs.clone())))
        .unwrap();
    let state = browser.engine.state();
    assert_eq!(state.server, Some(theirs.clone()), "the new base");
    assert_eq!(state.pending, [pending("b", rename("p0", "Ada L."))]);
    assert_eq!(state.conflicts.len(), 1);
    let c = &state.conflicts[0];
    assert_eq!(
        (c.op_id.as_str(), c.theirs.as_deref(), c.mine.as_deref()),
        ("a", Some("theirs"), Some("mine"))
    );
    assert_eq!(
        browser.review.summary(),
        "theirs",
        "theirs until the person chooses"
    );
    assert_eq!(browser.sent_op().base_version, Some(theirs.version));
}

#[test]
fn a_change_refused_for_good_becomes_a_conflict_with_the_servers_reason_and_is_never_resent() {
    for (status, code) in [
        (422, "refused"),
        (403, "forbidden"),
        (409, "op_id_reused"),
        (400, "invalid_json"),
        (413, "too_large"),
    ] {
        let base = review();
        let mut browser = Browser::facilitator(&base).opened();
        browser.edit(summary("mine"), "a");
        browser.edit(add("p2", "Cy"), "b");
        let sent = browser.sent_op();
        browser
            .op_answer(&sent, Err(refused(status, code, "the server's reason")))
            .unwrap();
        let state = browser.engine.state();
        assert_eq!(state.pending, [pending("b", add("p2", "Cy"))], "{status}");
        assert_eq!(state.conflicts.len(), 1, "{status}");
        assert_eq!(
            state.conflicts[0].refused.as_deref(),
            Some("the server's reason")
        );
        assert_eq!(
            state.conflicts[0].mine.as_deref(),
            Some("mine"),
            "the text is kept"
        );
        assert_eq!(
            (browser.review.summary(), browser.review.participants()),
            ("", after(&base, &[add("p2", "Cy")]).participants()),
            "{status}: shown without it"
        );
        assert_eq!(browser.sent_op().op_id, "b", "{status}: the next one goes");
    }
}

#[test]
fn a_failure_that_may_pass_keeps_the_op_first_in_line_with_its_id() {
    for failure in [
        Error::Unreachable("lost answer".into()),
        refused(503, "unavailable", "down"),
        refused(500, "internal", "bug"),
        refused(429, "too_many_requests", "slow down"),
        refused(401, "unauthorized", "who?"),
        refused(404, "not_found", "gone"),
        refused(408, "timeout", "slow"),
        Error::Malformed("half a body".into()),
    ] {
        let mut browser = Browser::facilitator(&review()).opened();
        browser.edit(summary("mine"), "a");
        let sent = browser.sent_op();
        let before = browser.engine.clone();
        let e = browser.op_answer(&sent, Err(failure.clone())).unwrap_err();
        assert_eq!(e, failure);
        assert_eq!(browser.engine, before, "{failure:?}: nothing changed");
        assert_eq!(browser.sent_op(), sent, "{failure:?}: resent as it was");
    }
}

#[test]
fn an_op_whose_answer_was_lost_is_sent_again_before_anything_is_rebased_on_it() {
    let base = review();
    let mut browser = Browser::facilitator(&base).opened();
    browser.edit(add("p2", "Cy"), "a");
    let sent = browser.sent_op();
    // The server applied it; the answer never came. Then the review changed elsewhere.
    let mut server = after(&base, &[add("p2", "Cy")]);
    let step = Step::Send(sent.clone());
    browser
        .op_answer(&sent, Err(Error::Unreachable("answer lost".into())))
        .unwrap_err();
    browser.engine.failed(&step);
    browser.engine.refresh();
    assert_eq!(
        browser.next(),
        step,
        "the same op id first, not a read that would replay it"
    );
    applied(&mut server, &[summary("theirs")]);
    // Already applied: answered with the current copy. No conflict, nothing waits.
    browser
        .op_answer(&sent, Ok(Written::Done(server.clone())))
        .unwrap();
    let state = browser.engine.state();
    assert!(state.pending.is_empty() && state.conflicts.is_empty() && state.unanswered.is_none());
    assert_eq!(browser.review, server);
    assert_eq!(browser.next(), Step::Pull, "then the read");
}

#[test]
fn an_accepted_op_answered_with_others_changes_rebases_the_rest_on_them() {
    let base = review();
    let mut browser = Browser::facilitator(&base).opened();
    browser.edit(add("p2", "Cy"), "a");
    browser.edit(summary("mine"), "b");
    let sent = browser.sent_op();
    // A resend after a lost answer: the current copy also holds someone else's summary.
    let server = after(&base, &[add("p2", "Cy"), summary("theirs")]);
    browser.op_answer(&sent, Ok(Written::Done(server))).unwrap();
    let state = browser.engine.state();
    assert!(state.pending.is_empty(), "not sent over theirs");
    assert_eq!(state.conflicts.len(), 1);
    assert_eq!(state.conflicts[0].theirs.as_deref(), Some("theirs"));
    assert_eq!(state.conflicts[0].mine.as_deref(), Some("mine"));
}

#[test]
fn an_answer_for_an_op_no_longer_waiting_changes_no_queue() {
    let mut browser = Browser::facilitator(&review()).opened();
    browser.edit(summary("mine"), "a");
    let sent = browser.sent_op();
    browser.engine.state.pending.clear();
    browser
        .op_answer(&sent, Err(refused(422, "refused", "no")))
        .unwrap();
    assert!(browser.engine.state().conflicts.is_empty());
}

// ---- the own account ----

fn participant_state(version: u64, dirty: bool) -> SyncState {
    SyncState {
        server: Some(review()),
        account_version: version,
        account_dirty: dirty,
        ..SyncState::default()
    }
}

#[test]
fn opening_learns_the_own_accounts_stored_version_and_takes_what_this_browser_lacks() {
    // (stored on the server, held here, changed here) → (version, still dirty, taken)
    let cases = [
        (draft("p0", "there"), None, false, (4, false, true)),
        (
            draft("p0", "there"),
            Some(draft("p0", "here")),
            false,
            (4, false, false),
        ),
        (
            draft("p0", "there"),
            Some(draft("p0", "here")),
            true,
            (4, true, false),
        ),
        (
            sealed("p0"),
            Some(draft("p0", "here")),
            true,
            (4, false, true),
        ),
    ];
    for (stored, held, dirty, (version, still_dirty, taken)) in cases {
        let mut browser = Browser::participant("p0", participant_state(0, dirty), held);
        assert_eq!(browser.next(), Step::Pull);
        let server = Some(review());
        browser
            .with(|e, local| e.pulled(server, local, t(2)))
            .unwrap();
        assert_eq!(browser.next(), Step::ReadOwnAccount);
        let stored = at_version(&stored, 4);
        let listed = vec![at_version(&sealed("p1"), 2), stored.clone()];
        let changes = browser.with(|e, local| e.own_account_read(listed, local));
        let state = browser.engine.state();
        assert_eq!(state.account_version, version);
        assert_eq!(state.account_dirty, still_dirty);
        assert_eq!(
            changes.accounts == [stored],
            taken,
            "{cases:?}",
            cases = changes
        );
    }
    // Known version, or a facilitator: no list.
    let mut known = Browser::participant("p0", participant_state(3, false), None);
    assert_eq!(known.next(), Step::Pull);
    known
        .with(|e, l| e.pulled(Some(review()), l, t(2)))
        .unwrap();
    assert_eq!(known.next(), Step::Done);
    let mut facilitator = Browser::facilitator(&review());
    assert_eq!(facilitator.next(), Step::Pull);
    facilitator
        .with(|e, l| e.pulled(Some(review()), l, t(2)))
        .unwrap();
    assert_eq!(facilitator.next(), Step::Done);
}

#[test]
fn the_own_account_is_put_against_its_stored_version_only_when_it_can_be() {
    // (held here, changed here, a copy waits for a choice, participant) → put?
    let cases = [
        (Some(draft("p0", "mine")), true, false, true, true),
        (Some(draft("p0", "mine")), false, false, true, false),
        (Some(draft("p0", "mine")), true, true, true, false),
        (Some(sealed("p0")), true, false, true, false),
        (None, true, false, true, false),
        (Some(draft("p0", "mine")), true, false, false, false),
    ];
    for (held, dirty, conflict, participant, put) in cases {
        let mut state = participant_state(3, dirty);
        state.account_conflict = conflict.then(|| draft("p0", "theirs"));
        let mut browser = Browser::participant("p0", state, held.clone());
        if !participant {
            browser.own = None;
        }
        let browser = browser.opened();
        let mut browser = browser;
        let step = browser.next();
        if put {
            assert_eq!(
                step,
                Step::PutAccount {
                    account: held.unwrap(),
                    base: 3
                }
            );
        } else {
            assert_eq!(
                step,
                Step::Done,
                "{held:?} {dirty} {conflict} {participant}"
            );
            // Nothing sendable is no longer waiting, unless a choice is pending.
            assert_eq!(browser.engine.state().account_dirty, dirty && conflict);
        }
    }
}

#[test]
fn each_answer_to_the_own_accounts_put() {
    let sent = draft("p0", "mine");
    let newer = draft("p0", "mine, and more");
    type Check = fn(&SyncState, &Result<AccountNext, Error>);
    type Answer = Result<Written<Account>, Error>;
    let cases: Vec<(&str, Account, Answer, Check)> = vec![
        (
            "stored",
            sent.clone(),
            Ok(Written::Done(at_version(&sent, 4))),
            |s, r| {
                assert_eq!(r, &Ok(AccountNext::Stored));
                assert_eq!((s.account_version, s.account_dirty), (4, false));
            },
        ),
        (
            "stored, typed on meanwhile",
            newer.clone(),
            Ok(Written::Done(at_version(&sent, 4))),
            |s, r| {
                assert_eq!(r, &Ok(AccountNext::Stored));
                assert_eq!(
                    (s.account_version, s.account_dirty),
                    (4, true),
                    "the newer text goes next"
                );
            },
        ),
        (
            "another browser of yours changed it",
            sent.clone(),
            Ok(Written::Stale(at_version(&draft("p0", "theirs"), 5))),
            |s, r| {
                assert_eq!(r, &Ok(AccountNext::Stored));
                assert_eq!(s.account_conflict.as_ref().map(Account::version), Some(5));
                assert_eq!(
                    (s.account_version, s.account_dirty),
                    (3, true),
                    "kept until the person chooses"
                );
            },
        ),
        (
            "sealed elsewhere or closed",
            sent.clone(),
            Err(refused(409, "sealed", "sealed")),
            |s, r| {
                assert!(
                    matches!(r, Ok(AccountNext::LookForSealed(e)) if e.code() == Some("sealed"))
                );
                assert!(!s.account_dirty);
            },
        ),
        (
            "refused for good",
            sent.clone(),
            Err(refused(422, "validation_failed", "too long")),
            |s, r| {
                assert_eq!(r.as_ref().unwrap_err().code(), Some("validation_failed"));
                assert!(!s.account_dirty, "not resent until the person changes it");
            },
        ),
        (
            "unreachable",
            sent.clone(),
            Err(Error::Unreachable("offline".into())),
            |s, r| {
                assert!(r.as_ref().unwrap_err().is_transient());
                assert!(s.account_dirty, "sent again later");
            },
        ),
        (
            "server down",
            sent.clone(),
            Err(refused(503, "unavailable", "down")),
            |s, r| {
                assert!(r.is_err());
                assert!(s.account_dirty);
            },
        ),
    ];
    for (name, held, answer, check) in cases {
        let mut browser = Browser::participant("p0", participant_state(3, true), Some(held));
        let out = browser.with(|e, local| e.account_answer(&sent, answer, local));
        println!("{name}");
        check(browser.engine.state(), &out);
    }
}

#[test]
fn after_a_409_a_sealed_copy_replaces_this_one_or_the_refusal_stands() {
    let refusal = refused(409, "sealed", "closed");
    let mut browser =
        Browser::participant("p0", participant_state(3, false), Some(draft("p0", "mine")));
    let found = browser
        .with(|e, local| {
            e.sealed_read(vec![draft("p1", "x"), sealed("p0")], local, refusal.clone())
        })
        .unwrap();
    assert_eq!(found.accounts, [sealed("p0")]);
    let none = browser
        .with(|e, local| e.sealed_read(vec![draft("p0", "a draft")], local, refusal.clone()));
    assert_eq!(none, Err(refusal));
}

#[test]
fn a_person_chooses_between_this_browsers_account_and_the_other_copy() {
    for keep in [true, false] {
        let mut state = participant_state(3, true);
        let theirs = at_version(&draft("p0", "theirs"), 6);
        state.account_conflict = Some(theirs.clone());
        let mut browser = Browser::participant("p0", state, Some(draft("p0", "mine")));
        let changes = browser.engine.resolve_account(keep).unwrap();
        let s = browser.engine.state();
        assert_eq!(
            (
                s.account_version,
                s.account_dirty,
                s.account_conflict.is_none()
            ),
            (6, keep, true)
        );
        assert_eq!(changes.accounts.is_empty(), keep);
        assert_eq!(browser.engine.resolve_account(keep), None, "once");
    }
}

#[test]
fn a_submission_waits_for_a_choice_and_for_the_latest_text() {
    let mut state = participant_state(3, true);
    state.account_conflict = Some(draft("p0", "theirs"));
    let browser = Browser::participant("p0", state, Some(draft("p0", "mine")));
    assert_eq!(
        browser.engine.submit_blocked(),
        Some(SubmitError::ChooseFirst)
    );
    assert_eq!(browser.engine.submit_ready(), Err(SubmitError::NotSentYet));
    let mut clean =
        Browser::participant("p0", participant_state(3, true), Some(draft("p0", "mine")));
    assert_eq!(clean.engine.submit_blocked(), None);
    assert!(clean.with(|e, l| e.account_to_send(l)).is_some());
    assert_eq!(clean.engine.submit_ready(), Err(SubmitError::NotSentYet));
    clean.engine.state.account_dirty = false;
    assert_eq!(clean.engine.submit_ready(), Ok(()));
    // Sealed: the sealed account and the review recording it are taken together.
    let server = after(&review(), &[summary("with the commitment")]);
    let changes = clean.with(|e, l| e.submitted(sealed("p0"), server.clone(), l, t(7)));
    assert_eq!(changes.accounts, [sealed("p0")]);
    assert_eq!(changes.review, Some(server));
}

#[test]
fn a_failed_submission_says_whose_failure_it_was() {
    let offline = SubmitError::Failed(Error::Unreachable("x".into())).to_string();
    assert!(
        offline.starts_with("the server can't be reached just now"),
        "{offline}"
    );
    let storage = SubmitError::Failed(Error::LocalStorage("QuotaExceededError".into())).to_string();
    assert!(
        storage.starts_with("This browser could not save"),
        "{storage}"
    );
    let refusal =
        SubmitError::Failed(refused(422, "refused", "the review is past the reveal")).to_string();
    assert_eq!(refusal, "The review is past the reveal.");
}

// ---- after the reveal ----

/// A revealed review where p0 and p1 submitted, and their sealed accounts.
fn revealed() -> (Review, Vec<Account>) {
    let mut review = review();
    applied(
        &mut review,
        &[ReviewOp::Transition {
            to: Phase::Investigating,
        }],
    );
    let accounts = vec![sealed("p0"), sealed("p1")];
    for account in &accounts {
        review.record_submission(account, t(5)).unwrap();
    }
    review
        .apply(
            &ReviewOp::Transition {
                to: Phase::Revealed,
            },
            &accounts,
            t(6),
        )
        .unwrap();
    (review, accounts)
}

#[test]
fn after_the_reveal_the_accounts_not_held_are_read_once_per_run() {
    let (server, accounts) = revealed();
    let mut browser = Browser::participant(
        "p0",
        SyncState {
            server: Some(server.clone()),
            account_version: 2,
            ..SyncState::default()
        },
        Some(accounts[0].clone()),
    )
    .opened();
    browser.engine.begin();
    assert_eq!(browser.next(), Step::ReadRevealed);
    assert_eq!(browser.next(), Step::Done, "once per run");
    let changes = browser.with(|e, local| e.revealed_read(accounts.clone(), local));
    assert_eq!(
        changes.accounts, accounts,
        "the own sealed copy is the server's"
    );
    browser.keep(changes);
    browser.engine.begin();
    assert_eq!(browser.next(), Step::Done, "nothing missing");
}

// ---- how a run ends ----

#[test]
fn a_run_ends_with_a_status_a_retry_when_it_may_pass_and_a_backoff() {
    let with_waiting = |n: usize, server: bool| {
        let mut state = participant_state(0, false);
        if !server {
            state.server = None;
        }
        for i in 0..n {
            state.record(add(&format!("q{i}"), &format!("Q{i}")), format!("op{i}"));
        }
        Engine::new(state)
    };
    // (outcome, online, waiting, on the server) → (status, retry)
    // (outcome, online, waiting, on the server, status, retry)
    type Case = (
        Result<(), Error>,
        bool,
        usize,
        bool,
        SyncStatus,
        Option<u32>,
    );
    let cases: Vec<Case> = vec![
        (Ok(()), true, 0, true, SyncStatus::Saved, None),
        (
            Ok(()),
            true,
            2,
            true,
            SyncStatus::Offline { waiting: 2 },
            None,
        ),
        (
            Err(Error::Unreachable("x".into())),
            true,
            1,
            true,
            SyncStatus::Unreachable { waiting: 1 },
            Some(4_000),
        ),
        (
            Err(Error::Unreachable("x".into())),
            false,
            1,
            true,
            SyncStatus::Offline { waiting: 1 },
            Some(4_000),
        ),
        (
            Err(Error::Unreachable("x".into())),
            true,
            1,
            false,
            SyncStatus::Unreachable { waiting: 2 },
            Some(4_000),
        ),
        (
            Err(refused(503, "unavailable", "x")),
            true,
            3,
            true,
            SyncStatus::Unreachable { waiting: 3 },
            Some(4_000),
        ),
        (
            Err(refused(429, "too_many_requests", "x")),
            true,
            1,
            true,
            SyncStatus::Unreachable { waiting: 1 },
            Some(4_000),
        ),
        (
            Err(Error::LocalStorage("QuotaExceededError".into())),
            true,
            1,
            true,
            SyncStatus::NotSavedHere {
                message: Error::LocalStorage("QuotaExceededError".into()).to_string(),
            },
            Some(4_000),
        ),
        (
            Err(refused(401, "unauthorized", "x")),
            true,
            1,
            true,
            SyncStatus::Refused {
                waiting: 1,
                message: refused(401, "unauthorized", "x").to_string(),
            },
            None,
        ),
    ];
    for (outcome, online, waiting, server, status, retry) in cases {
        let mut engine = with_waiting(waiting, server);
        let finish = engine.finished(&outcome, online);
        assert_eq!(
            (&finish.status, finish.retry_in_ms, finish.locked_out),
            (&status, retry, None),
            "{outcome:?}"
        );
    }
    // Conflicts and a copy of the own account waiting: the person must choose.
    let mut state = participant_state(0, false);
    state.conflicts.push(Conflict::refused(
        pending("a", summary("x")),
        &review(),
        "no".into(),
    ));
    state.account_conflict = Some(draft("p0", "theirs"));
    let finish = Engine::new(state).finished(&Ok(()), true);
    assert_eq!(finish.status, SyncStatus::NeedsChoice { conflicts: 2 });
    // Removed by the facilitator, or signed out from another browser: nothing is sent again.
    for (code, locked_out) in [
        ("removed", LockedOut::Removed),
        ("signed_out", LockedOut::SignedOut),
    ] {
        let finish = with_waiting(1, true).finished(&Err(refused(401, code, "x")), true);
        assert_eq!(
            (finish.status, finish.retry_in_ms, finish.locked_out),
            (SyncStatus::LocalOnly, None, Some(locked_out))
        );
    }
    // Failures in a row back off; a run that reached the server starts again from the first wait.
    let mut engine = with_waiting(1, true);
    let down = Err(Error::Unreachable("x".into()));
    let waits: Vec<_> = (0..6)
        .map(|_| engine.finished(&down, true).retry_in_ms.unwrap())
        .collect();
    assert_eq!(waits, [4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    engine.finished(&Ok(()), true);
    assert_eq!(engine.finished(&down, true).retry_in_ms, Some(4_000));
}

#[test]
fn retries_back_off_to_a_cap() {
    let delays: Vec<u32> = (1..=7).map(retry_delay_ms).collect();
    assert_eq!(
        delays,
        [4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]
    );
    assert_eq!(retry_delay_ms(u32::MAX), MAX_RETRY_MS);
}

#[test]
fn a_rejoined_participant_sends_what_this_browser_holds_from_scratch() {
    let mut state = participant_state(7, false);
    state.account_conflict = Some(draft("p0", "x"));
    state.rejoined(true);
    assert_eq!(
        (
            state.account_version,
            state.account_dirty,
            state.account_conflict
        ),
        (0, true, None)
    );
}

#[test]
fn a_conflict_leaves_the_list_once_chosen() {
    let mut state = participant_state(0, false);
    state.conflicts.push(Conflict::refused(
        pending("a", summary("x")),
        &review(),
        "no".into(),
    ));
    let mut engine = Engine::new(state);
    assert_eq!(engine.take_conflict("a").map(|c| c.op), Some(summary("x")));
    assert_eq!(engine.take_conflict("a"), None);
}

/// Reads `state` back as a page opening its review does: the state without what waits, then
/// what waits, only when something does.
fn stored_and_read(state: &SyncState) -> (SyncState, bool) {
    let json = serde_json::to_string(state).unwrap();
    let stored: StoredSync = mosaic_domain::json::from_str(&json).unwrap();
    let (mut read, waiting) = stored.into_parts();
    let waited = waiting.is_some();
    if let Some(waiting) = waiting {
        waiting.read_into(&mut read).unwrap();
    }
    (read, waited)
}

#[test]
fn a_stored_state_reads_back_whole_and_its_ops_only_when_some_wait() {
    let base = review();
    // Every field set: a field `StoredSync` forgot would not read back.
    let full = SyncState {
        server: Some(base.clone()),
        pending: vec![pending("a", summary("mine")), pending("b", add("p2", "Cy"))],
        conflicts: vec![Conflict::refused(
            pending("c", rename("p1", "Bo")),
            &base,
            "the server's reason".into(),
        )],
        account_version: 3,
        account_dirty: true,
        account_conflict: Some(draft("p1", "their copy")),
        unanswered: Some("b".into()),
    };
    assert_eq!(stored_and_read(&full), (full.clone(), true));
    let only_conflicts = SyncState {
        pending: Vec::new(),
        ..full.clone()
    };
    assert_eq!(stored_and_read(&only_conflicts), (only_conflicts, true));
    let nothing_waits = SyncState {
        pending: Vec::new(),
        conflicts: Vec::new(),
        ..full
    };
    assert_eq!(stored_and_read(&nothing_waits), (nothing_waits, false));
    // A state saved before a field existed, and one with nothing at all.
    assert_eq!(
        stored_and_read(&SyncState::default()),
        (SyncState::default(), false)
    );
    let (old, waited) = {
        let stored: StoredSync =
            mosaic_domain::json::from_str(r#"{"server":null,"pending":[ ]}"#).unwrap();
        let (state, waiting) = stored.into_parts();
        (state, waiting.is_some())
    };
    assert_eq!((old, waited), (SyncState::default(), false));
    // Damaged waiting ops are an error when read, in serde_json's words.
    let stored: StoredSync =
        mosaic_domain::json::from_str(r#"{"pending":[{"op_id":"a","op":{"op":"nope"}}]}"#).unwrap();
    let (mut state, waiting) = stored.into_parts();
    let e = waiting.unwrap().read_into(&mut state).unwrap_err();
    assert!(e.to_string().contains("unknown variant `nope`"), "{e}");
}

// ---- random interleavings against a simulated server ----

/// The server's rules for ops, as the API keeps them.
struct Server {
    review: Review,
    /// Every op id applied, with its op.
    applied: BTreeMap<String, ReviewOp>,
}

impl Server {
    fn apply(&mut self, request: &ApplyOp) -> Result<Written<Review>, Error> {
        if let Some(op) = self.applied.get(&request.op_id) {
            return if op == &request.op {
                Ok(Written::Done(self.review.clone()))
            } else {
                Err(refused(409, "op_id_reused", "reused"))
            };
        }
        if request.base_version != Some(self.review.version) {
            return Ok(Written::Stale(self.review.clone()));
        }
        let mut next = self.review.clone();
        next.apply(&request.op, &[], t(8))
            .map_err(|e| refused(422, "refused", &e.to_string()))?;
        self.review = next;
        self.applied
            .insert(request.op_id.clone(), request.op.clone());
        Ok(Written::Done(self.review.clone()))
    }

    /// Someone else's change, applied directly.
    fn other(&mut self, op: ReviewOp, id: String) {
        let mut next = self.review.clone();
        if next.apply(&op, &[], t(8)).is_ok() {
            self.review = next;
            self.applied.insert(id, op);
        }
    }
}

/// What happens to one request on its way.
#[derive(Clone, Copy, Debug)]
enum Fate {
    Answered,
    /// The server did it; the answer never came back.
    AnswerLost,
    /// It never reached the server.
    RequestLost,
    /// The server was in trouble (503).
    ServerDown,
}

#[derive(Clone, Debug)]
enum Event {
    EditSummary,
    AddParticipant,
    Rename(u8),
    OtherSummary,
    OtherAdds,
    OtherRenames(u8),
    OtherRemoves(u8),
    /// Ask the engine for its next step; the request goes out with this fate.
    Ask(Fate),
    /// The answer of the request on its way arrives.
    Deliver,
    /// A live event: the review changed elsewhere.
    Live,
}

fn event() -> impl Strategy<Value = Event> {
    let fate = prop_oneof![
        4 => Just(Fate::Answered),
        1 => Just(Fate::AnswerLost),
        1 => Just(Fate::RequestLost),
        1 => Just(Fate::ServerDown),
    ];
    prop_oneof![
        3 => Just(Event::EditSummary),
        2 => Just(Event::AddParticipant),
        2 => (0u8..3).prop_map(Event::Rename),
        1 => Just(Event::OtherSummary),
        1 => Just(Event::OtherAdds),
        1 => (0u8..3).prop_map(Event::OtherRenames),
        1 => (0u8..3).prop_map(Event::OtherRemoves),
        6 => fate.prop_map(Event::Ask),
        5 => Just(Event::Deliver),
        1 => Just(Event::Live),
    ]
}

/// A request on its way and the answer it will get (`None`: none will come).
struct InFlight {
    step: Step,
    answer: Option<Result<Answer, Error>>,
}

enum Answer {
    Op(Written<Review>),
    Read(Option<Review>),
}

struct World {
    server: Server,
    browser: Browser,
    in_flight: Option<InFlight>,
    /// Every op id recorded here, and the ids it replaced in the queue (typing on).
    recorded: Vec<String>,
    replaced: Vec<String>,
    counter: u32,
}

impl World {
    fn new() -> Self {
        let base = review();
        Self {
            server: Server {
                review: base.clone(),
                applied: BTreeMap::new(),
            },
            browser: Browser::facilitator(&base),
            in_flight: None,
            recorded: Vec::new(),
            replaced: Vec::new(),
            counter: 0,
        }
    }

    fn fresh(&mut self) -> u32 {
        self.counter += 1;
        self.counter
    }

    fn edit(&mut self, op: ReviewOp) {
        let id = format!("local-{}", self.fresh());
        let before: Vec<String> = self.pending_ids();
        if self.browser.edit(op, &id) {
            self.recorded.push(id);
            let after = self.pending_ids();
            self.replaced
                .extend(before.into_iter().filter(|id| !after.contains(id)));
        }
    }

    fn pending_ids(&self) -> Vec<String> {
        self.browser
            .engine
            .state()
            .pending
            .iter()
            .map(|p| p.op_id.clone())
            .collect()
    }

    fn participant(&self, n: u8) -> String {
        format!("p{n}")
    }

    fn run(&mut self, event: Event) {
        match event {
            Event::EditSummary => {
                let n = self.fresh();
                self.edit(summary(&format!("mine {n}")));
            }
            Event::AddParticipant => {
                let n = self.fresh();
                self.edit(add(&format!("l{n}"), &format!("Local {n}")));
            }
            Event::Rename(k) => {
                let n = self.fresh();
                self.edit(rename(&self.participant(k), &format!("Local name {n}")));
            }
            Event::OtherSummary => {
                let n = self.fresh();
                self.server
                    .other(summary(&format!("theirs {n}")), format!("other-{n}"));
            }
            Event::OtherAdds => {
                let n = self.fresh();
                self.server.other(
                    add(&format!("o{n}"), &format!("Other {n}")),
                    format!("other-{n}"),
                );
            }
            Event::OtherRenames(k) => {
                let n = self.fresh();
                let op = rename(&self.participant(k), &format!("Other name {n}"));
                self.server.other(op, format!("other-{n}"));
            }
            Event::OtherRemoves(k) => {
                let n = self.fresh();
                let op = ReviewOp::RemoveParticipant {
                    id: pid(&self.participant(k)),
                };
                self.server.other(op, format!("other-{n}"));
            }
            Event::Live => self.browser.engine.refresh(),
            Event::Ask(fate) => self.ask(fate),
            Event::Deliver => self.deliver(),
        }
    }

    fn ask(&mut self, fate: Fate) {
        if self.in_flight.is_some() {
            return;
        }
        let step = self.browser.next();
        let reaches = matches!(fate, Fate::Answered | Fate::AnswerLost);
        let answer = match &step {
            Step::Done => return,
            Step::Pull if reaches => Ok(Answer::Read(Some(self.server.review.clone()))),
            Step::Send(request) if reaches => self.server.apply(request).map(Answer::Op),
            Step::Pull | Step::Send(_) if matches!(fate, Fate::ServerDown) => {
                Err(refused(503, "unavailable", "down"))
            }
            Step::Pull | Step::Send(_) => Err(Error::Unreachable("lost".into())),
            other => panic!("a facilitator's browser on the server does not {other:?}"),
        };
        let answer = match fate {
            Fate::AnswerLost => Some(Err(Error::Unreachable("answer lost".into()))),
            _ => Some(answer),
        };
        self.in_flight = Some(InFlight { step, answer });
    }

    fn deliver(&mut self) {
        let Some(InFlight { step, answer }) = self.in_flight.take() else {
            return;
        };
        let Some(answer) = answer else { return };
        let outcome = match (&step, answer) {
            (Step::Pull, Ok(Answer::Read(review))) => self
                .browser
                .with(|e, local| e.pulled(review, local, t(9)))
                .map(|changes| self.browser.keep(changes)),
            (Step::Send(request), Ok(Answer::Op(written))) => {
                self.browser.op_answer(request, Ok(written))
            }
            (Step::Send(request), Err(e)) => self.browser.op_answer(request, Err(e)),
            (_, Err(e)) => Err(e),
            _ => unreachable!(),
        };
        if outcome.is_err() {
            self.browser.engine.failed(&step);
        }
    }

    /// The network is back and stays: every request is answered until nothing waits.
    fn settle(&mut self) {
        self.deliver();
        self.browser.engine.refresh();
        for _ in 0..500 {
            self.browser.engine.begin();
            if self.browser.next_is_done() {
                return;
            }
            self.ask(Fate::Answered);
            self.deliver();
        }
        panic!("did not settle: {:?}", self.browser.engine.state());
    }
}

impl Browser {
    fn next_is_done(&mut self) -> bool {
        let probe = self.engine.clone();
        let done = self.next() == Step::Done;
        self.engine = probe;
        done
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_interleaving_converges_with_nothing_lost_or_applied_twice(
        events in proptest::collection::vec(event(), 0..60)
    ) {
        let mut world = World::new();
        for event in events {
            world.run(event);
        }
        world.settle();
        let state = world.browser.engine.state().clone();
        // Converged: nothing waits, and this browser shows exactly the server's review.
        prop_assert!(state.pending.is_empty());
        prop_assert_eq!(state.server.as_ref(), Some(&world.server.review));
        prop_assert_eq!(&world.browser.review, &world.server.review);
        // Nothing lost: every change made here reached the server, or waits for the person as
        // a conflict, or was replaced by a later keystroke on the same thing.
        let conflicts: Vec<&str> = state.conflicts.iter().map(|c| c.op_id.as_str()).collect();
        for id in &world.recorded {
            let applied = world.server.applied.contains_key(id);
            let in_conflict = conflicts.contains(&id.as_str());
            let replaced = world.replaced.contains(id);
            prop_assert!(
                applied || in_conflict || replaced,
                "{} was lost: {:?}", id, state
            );
            // Never both: a change applied on the server and also offered again.
            prop_assert!(!(applied && in_conflict), "{} applied and in conflict", id);
        }
        // Applied at most once: a participant added here is on the server once at most.
        for p in world.server.review.participants() {
            let same = world.server.review.participants().iter().filter(|q| q.id == p.id).count();
            prop_assert_eq!(same, 1);
        }
    }
}
