//! The sync engine of one open review, as plain Rust: no browser type, no I/O, no clock. The
//! browser shell ([`crate::sync`]) asks it what to do next, does it (HTTP, IndexedDB) and hands
//! the answer back; the native tests below do the same against a simulated server.
//!
//! What it keeps ([`SyncState`], saved in IndexedDB with the review): the last copy the server
//! sent (the base), the ops made here and not yet accepted, the conflicts waiting for a person,
//! and the own account's stored version. What it decides ([`Engine::next_step`]):
//! - a review created here and not yet on the server is created first ([`Step::Create`]);
//! - the server's copy is read on opening and after each live event ([`Step::Pull`]);
//! - the participant's own account is `PUT` with `If-Match` of the version the server last
//!   stored ([`Step::PutAccount`]); a different copy there (another browser of the same person)
//!   is kept beside this one for the person to choose, and a sealed one replaces this one;
//! - each op is posted in order against the base's version ([`Step::Send`]). On 412 the server's
//!   copy becomes the base and the waiting ops are replayed on it
//!   ([`mosaic_domain::sync::rebase`]): an op on something someone else changed too becomes a
//!   conflict holding both versions. An op the server refuses for good (422, 403, 409, any 4xx
//!   but 401, 404, 408, 412 and 429) is never resent: it becomes a conflict with the server's
//!   reason and the person's text. A lost answer or a 5xx/429 leaves the op first in line, sent
//!   again with the same op id, which the server applies at most once.
//!
//! Accepting a server copy ([`SyncState::accept`]) is the one way a server copy enters this
//! browser: the engine and [`crate::repo`] (reviews listed, joined or created) both use it.

use chrono::{DateTime, Utc};
use mosaic_domain::sync::{Conflict, PendingOp, rebase, replay};
use mosaic_domain::wire::{ApplyOp, ErrorBody};
use mosaic_domain::{Account, ParticipantId, Review, ReviewOp};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::answer::{Error, Written, refuses_the_change};

/// How long to wait before trying an unreachable or failing server again, the first time; it
/// doubles with each failure in a row, up to [`MAX_RETRY_MS`].
pub const RETRY_MS: u32 = 4_000;
/// The longest wait between two tries.
pub const MAX_RETRY_MS: u32 = 60_000;

/// The wait before the next try after `failures` transient failures in a row (1 or more).
pub fn retry_delay_ms(failures: u32) -> u32 {
    RETRY_MS
        .saturating_mul(1 << failures.saturating_sub(1).min(16))
        .min(MAX_RETRY_MS)
}

/// What this browser keeps to sync one server review. Stored in IndexedDB with the review, as
/// JSON, and read back only through [`StoredSync`] (which reads its waiting ops lazily): it has
/// no reader of its own, so none can bring the reader of every op back into a page.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SyncState {
    /// The last copy of the review the server sent; `None` until it has the review.
    pub server: Option<Review>,
    /// Changes made here and not yet accepted, in order.
    pub pending: Vec<PendingOp>,
    /// Changes that could not simply be replayed, waiting for a person's choice.
    pub conflicts: Vec<Conflict>,
    /// The version of this browser's own account the server last stored (0: none yet).
    pub account_version: u64,
    /// Whether this browser's own account has changes the server has not stored.
    pub account_dirty: bool,
    /// A different copy of the own account found on the server, waiting for a person's choice.
    pub account_conflict: Option<Account>,
    /// The op id sent last whose answer never came: the server may have applied it already, so
    /// it is sent again (same id, applied at most once) before the server's copy is read and
    /// rebased on, which would otherwise replay it on a copy that already holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unanswered: Option<String>,
}

impl SyncState {
    /// How many changes wait to be sent.
    pub fn waiting(&self) -> usize {
        self.pending.len() + usize::from(self.account_dirty)
    }

    /// The version ops are made against: the base's, 0 before the server has the review.
    pub fn base_version(&self) -> u64 {
        self.server.as_ref().map_or(0, |r| r.version)
    }

    /// Queues an op just applied here, to be sent under `op_id`.
    pub fn record(&mut self, op: ReviewOp, op_id: String) {
        // Typing in one field makes an op per keystroke: the newest replaces one not yet
        // sent for the same thing (the first may be on its way, so it is left alone).
        let target = op.target();
        if target.is_some()
            && self.pending.len() > 1
            && self.pending.last().is_some_and(|p| p.op.target() == target)
        {
            self.pending.pop();
        }
        self.pending.push(PendingOp { op_id, op });
    }

    /// Takes `server` as the new base and returns the review as this browser shows it: the
    /// server's copy with the waiting ops replayed on it. With `rebase_pending` (the server's
    /// copy may hold others' changes made since the base) the ops are rebased
    /// ([`mosaic_domain::sync::rebase`]) and those on something someone else changed become
    /// conflicts; without (`server` is the base itself, shown again without a refused op, or
    /// there is no base yet) they are replayed as they are.
    pub fn accept(
        &mut self,
        server: Review,
        rebase_pending: bool,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Review {
        let pending = std::mem::take(&mut self.pending);
        let review = match (&self.server, rebase_pending) {
            (Some(base), true) => {
                let out = rebase(base, &server, pending, accounts, now);
                self.conflicts.extend(out.conflicts);
                self.pending = out.pending;
                out.review
            }
            _ => {
                let review = replay(&server, &pending, accounts, now);
                self.pending = pending;
                review
            }
        };
        self.server = Some(server);
        review
    }

    /// Let back in after a removal: the server no longer has their account, so whatever this
    /// browser holds of it (`holds_draft`) is sent again from scratch.
    pub fn rejoined(&mut self, holds_draft: bool) {
        self.account_version = 0;
        self.account_conflict = None;
        self.account_dirty = holds_draft;
    }
}

/// A stored [`SyncState`] as a page opening the review reads it: everything but the waiting
/// changes and conflicts, which stay JSON text until there are some to read
/// ([`StoredSync::into_parts`]). Reading them needs the reader of every op, which a review with
/// nothing waiting (nearly every opening) then never downloads: the browser shell reads them
/// in a part of their own (`repo::sync_state`). The same JSON as the state's own: it is what
/// [`SyncState`]'s `Serialize` wrote, field for field; a field missing (a state saved before it
/// existed) is its default.
#[derive(Deserialize)]
pub struct StoredSync {
    #[serde(default)]
    server: Option<Review>,
    #[serde(default)]
    pending: Option<Box<RawValue>>,
    #[serde(default)]
    conflicts: Option<Box<RawValue>>,
    #[serde(default)]
    account_version: u64,
    #[serde(default)]
    account_dirty: bool,
    #[serde(default)]
    account_conflict: Option<Account>,
    #[serde(default)]
    unanswered: Option<String>,
}

/// The waiting changes and conflicts of a stored sync state, as JSON text.
pub struct WaitingText {
    pending: Option<Box<RawValue>>,
    conflicts: Option<Box<RawValue>>,
}

impl StoredSync {
    /// The state with nothing waiting, and the text of what waits when something does.
    pub fn into_parts(self) -> (SyncState, Option<WaitingText>) {
        let state = SyncState {
            server: self.server,
            pending: Vec::new(),
            conflicts: Vec::new(),
            account_version: self.account_version,
            account_dirty: self.account_dirty,
            account_conflict: self.account_conflict,
            unanswered: self.unanswered,
        };
        let empty = |raw: &Option<Box<RawValue>>| {
            raw.as_ref().is_none_or(|raw| {
                let text = raw.get();
                text.chars()
                    .filter(|c| !c.is_ascii_whitespace())
                    .eq("[]".chars())
            })
        };
        let waiting = (!empty(&self.pending) || !empty(&self.conflicts)).then_some(WaitingText {
            pending: self.pending,
            conflicts: self.conflicts,
        });
        (state, waiting)
    }
}

impl WaitingText {
    /// Reads the waiting changes and conflicts into `state`.
    ///
    /// # Errors
    /// serde_json's, when the text is not a list of them.
    pub fn read_into(self, state: &mut SyncState) -> Result<(), serde_json::Error> {
        if let Some(raw) = self.pending {
            state.pending = mosaic_domain::json::from_str(raw.get())?;
        }
        if let Some(raw) = self.conflicts {
            state.conflicts = mosaic_domain::json::from_str(raw.get())?;
        }
        Ok(())
    }
}

/// What this browser holds of the open review when the engine decides: read, never kept.
#[derive(Clone, Copy, Debug)]
pub struct Local<'a> {
    /// The review as shown here (the base with the waiting ops applied).
    pub review: &'a Review,
    /// The accounts this browser holds for it.
    pub accounts: &'a [Account],
    /// Whether this browser holds a credential for the review on the server.
    pub on_server: bool,
    /// The participant that credential belongs to; `None` for the facilitator.
    pub own: Option<&'a ParticipantId>,
}

impl Local<'_> {
    fn own_account(&self) -> Option<&Account> {
        let me = self.own?;
        self.accounts.iter().find(|a| a.participant_id() == me)
    }

    /// Whether the review is revealed and some submission is not held here yet.
    fn misses_revealed(&self) -> bool {
        self.review.revealed_at().is_some()
            && self.review.submissions().iter().any(|s| {
                !self
                    .accounts
                    .iter()
                    .any(|a| a.participant_id() == &s.participant_id && a.is_submitted())
            })
    }
}

/// What the shell should do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The review is not on the server yet: send the outbox, then [`Engine::created`].
    Create,
    /// Read the server's copy, then [`Engine::pulled`].
    Pull,
    /// List the accounts to learn the own account's stored version (it may have been written
    /// from another browser of the same person), then [`Engine::own_account_read`].
    ReadOwnAccount,
    /// `PUT` the own account with `If-Match: "base"`, then [`Engine::account_answer`].
    PutAccount { account: Account, base: u64 },
    /// Post this op, then [`Engine::op_answer`].
    Send(ApplyOp),
    /// After the reveal, list the accounts this browser may now read, then
    /// [`Engine::revealed_read`].
    ReadRevealed,
    /// Nothing more to send or read for now.
    Done,
}

/// What an answer changed that the shell must keep and show: always the [`SyncState`], with
/// these documents in the same IndexedDB transaction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// The review as this browser now shows it, when a server copy was accepted.
    pub review: Option<Review>,
    /// Accounts read from the server, to keep here in place of the held ones.
    pub accounts: Vec<Account>,
}

impl Changes {
    fn review(review: Review) -> Self {
        Self {
            review: Some(review),
            accounts: Vec::new(),
        }
    }
}

/// What to do after a `PUT` of the own account answered.
#[derive(Clone, Debug, PartialEq)]
pub enum AccountNext {
    /// Keep the state; carry on.
    Stored,
    /// 409 (the refusal, kept): the account may have been sealed from another browser. List
    /// the accounts and hand the list to [`Engine::sealed_read`].
    LookForSealed(Error),
}

/// What the shell shows and does once a run ends.
#[derive(Clone, Debug, PartialEq)]
pub struct Finish {
    pub status: SyncStatus,
    /// Try again after this many milliseconds: the failure may pass.
    pub retry_in_ms: Option<u32>,
    /// This browser lost its access (removed, or signed out from another browser): nothing
    /// is sent any more.
    pub locked_out: Option<LockedOut>,
}

/// Why a browser lost its access to a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockedOut {
    /// The facilitator removed this browser's participant.
    Removed,
    /// Its person continued in another browser and signed this one out.
    SignedOut,
}

impl LockedOut {
    /// The lockout an error code of the server's means, if any.
    pub fn from_code(code: Option<&str>) -> Option<Self> {
        match code? {
            "removed" => Some(Self::Removed),
            "signed_out" => Some(Self::SignedOut),
            _ => None,
        }
    }

    /// Why nothing changes here any more.
    pub fn why(self) -> &'static str {
        match self {
            Self::Removed => REMOVED,
            Self::SignedOut => SIGNED_OUT,
        }
    }
}

/// Why nothing changes any more for a person the facilitator removed.
pub const REMOVED: &str = "The facilitator removed you from this review: nothing here can be \
     changed any more. Download what you wrote to keep it.";

/// Why nothing changes any more in a browser its person signed out.
pub const SIGNED_OUT: &str = "This browser was signed out of the review: your place continues \
     in another browser, so nothing here can be changed any more. Download what you wrote to \
     keep it.";

/// Why the own account could not be submitted, in words a person can act on.
#[derive(Clone, Debug, PartialEq)]
pub enum SubmitError {
    /// The review is kept in this browser only.
    NotShared,
    /// This browser holds no credential for the review yet (created offline, not yet sent).
    NotJoined,
    /// A copy of the account from another browser waits for the person's choice.
    ChooseFirst,
    /// The latest changes did not reach the server.
    NotSentYet,
    /// The network, the server or this browser's storage failed.
    Failed(Error),
}

impl std::fmt::Display for SubmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SubmitError::NotShared => "this review is not shared through a server",
            SubmitError::NotJoined => "this browser has not joined the review on the server yet",
            SubmitError::ChooseFirst => {
                "choose which version of your account to keep first (see above)"
            }
            SubmitError::NotSentYet => {
                "your latest changes have not reached the server yet; try again in a moment"
            }
            SubmitError::Failed(e) if e.is_transient() && !matches!(e, Error::LocalStorage(_)) => {
                "the server can't be reached just now. Your account is saved in this browser \
                 and will be sent when the connection is back; submit it then"
            }
            SubmitError::Failed(e) => return e.fmt(f),
        })
    }
}

impl std::error::Error for SubmitError {}

/// What the app tells a person about where their work is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncStatus {
    /// "This browser only": saved here, nothing to sync.
    LocalOnly,
    /// Every change has reached the server.
    Saved,
    Syncing,
    /// This browser is offline; this many changes wait to be sent.
    Offline {
        waiting: usize,
    },
    /// The browser is online but the server does not answer, or answers that it is in
    /// trouble (5xx); this many changes wait and are retried.
    Unreachable {
        waiting: usize,
    },
    /// This browser's storage failed: the work is on screen but not saved here.
    NotSavedHere {
        message: String,
    },
    /// Changes met someone else's and wait for a person's choice on the review page.
    NeedsChoice {
        conflicts: usize,
    },
    /// The server refused a change; it stays in the outbox until the cause is fixed.
    Refused {
        waiting: usize,
        message: String,
    },
}

impl SyncStatus {
    pub fn label(&self) -> String {
        match self {
            SyncStatus::LocalOnly => "Saved in this browser".into(),
            SyncStatus::Saved => "Saved".into(),
            SyncStatus::Syncing => "Syncing…".into(),
            SyncStatus::Offline { waiting } => {
                format!("Offline: {waiting} change{} waiting", plural(*waiting))
            }
            SyncStatus::Unreachable { waiting } => format!(
                "Server not reachable: {waiting} change{} waiting, retrying",
                plural(*waiting)
            ),
            SyncStatus::NeedsChoice { conflicts } => format!(
                "{conflicts} change{} need{} your choice",
                plural(*conflicts),
                if *conflicts == 1 { "s" } else { "" }
            ),
            SyncStatus::NotSavedHere { message } => format!("Not saved: {message}"),
            SyncStatus::Refused { waiting, message } => {
                format!(
                    "{waiting} change{} not accepted: {message}",
                    plural(*waiting)
                )
            }
        }
    }

    /// What to say when a request failed with `e` while `waiting` changes wait: offline and
    /// an unreachable server are told apart (`online`: whether the browser has a network), and
    /// a refusal names its reason.
    pub fn after_failure(e: &Error, waiting: usize, online: bool) -> Self {
        match e {
            Error::Unreachable(_) if !online => SyncStatus::Offline { waiting },
            // Not the server's: say what failed, in this browser.
            Error::LocalStorage(_) => SyncStatus::NotSavedHere {
                message: e.to_string(),
            },
            _ if e.is_transient() => SyncStatus::Unreachable { waiting },
            _ => SyncStatus::Refused {
                waiting,
                message: e.to_string(),
            },
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The engine of one open review: its [`SyncState`] and what the current run still has to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Engine {
    state: SyncState,
    /// Read the server's copy before sending: set on opening and by live events, and again
    /// when a read failed.
    needs_pull: bool,
    /// The last read of the server's copy still has to learn the own account's version.
    read_own: bool,
    /// This run already looked for accounts revealed since.
    read_revealed: bool,
    /// Transient failures in a row, for the backoff; 0 after a run that reached the server.
    failures: u32,
}

impl Engine {
    pub fn new(state: SyncState) -> Self {
        Self {
            state,
            needs_pull: true,
            read_own: false,
            read_revealed: false,
            failures: 0,
        }
    }

    pub fn state(&self) -> &SyncState {
        &self.state
    }

    /// Queues an op just applied here; see [`SyncState::record`].
    pub fn record(&mut self, op: ReviewOp, op_id: String) {
        self.state.record(op, op_id);
    }

    /// Notes that the own account changed here.
    pub fn account_changed(&mut self) {
        self.state.account_dirty = true;
    }

    /// The review changed elsewhere (a live event, the network back): read it before sending.
    pub fn refresh(&mut self) {
        self.needs_pull = true;
    }

    /// Starts a run: each run looks for revealed accounts once.
    pub fn begin(&mut self) {
        self.read_revealed = false;
    }

    /// What to do next. Asking is itself a decision: a read asked for is not asked for again
    /// unless [`Engine::failed`] says it did not happen.
    pub fn next_step(&mut self, local: Local) -> Step {
        if !local.on_server {
            return Step::Create;
        }
        let first = self.state.pending.first();
        if self.state.server.is_some()
            && let Some(first) = first.filter(|p| self.state.unanswered.as_ref() == Some(&p.op_id))
        {
            return Step::Send(self.request(first));
        }
        if self.needs_pull || self.state.server.is_none() {
            self.needs_pull = false;
            return Step::Pull;
        }
        if self.read_own {
            self.read_own = false;
            return Step::ReadOwnAccount;
        }
        if let Some((account, base)) = self.account_to_send(local) {
            return Step::PutAccount { account, base };
        }
        if let Some(next) = self.state.pending.first() {
            return Step::Send(self.request(next));
        }
        if !self.read_revealed && local.misses_revealed() {
            self.read_revealed = true;
            return Step::ReadRevealed;
        }
        Step::Done
    }

    /// The request that sends `op` against the base.
    fn request(&self, op: &PendingOp) -> ApplyOp {
        ApplyOp {
            op_id: op.op_id.clone(),
            base_version: Some(self.state.base_version()),
            op: op.op.clone(),
        }
    }

    /// The own account and the stored version to write it against, when it changed here and
    /// no other copy waits for a choice. An account that cannot be sent (no own participant,
    /// none held, already sealed) is no longer waiting.
    pub fn account_to_send(&mut self, local: Local) -> Option<(Account, u64)> {
        if !self.state.account_dirty || self.state.account_conflict.is_some() {
            return None;
        }
        match local.own_account().filter(|a| !a.is_submitted()) {
            Some(account) => Some((account.clone(), self.state.account_version)),
            None => {
                self.state.account_dirty = false;
                None
            }
        }
    }

    /// The step failed: a read is asked for again next run, and an op whose answer never came
    /// is sent again before anything is rebased on it.
    pub fn failed(&mut self, step: &Step) {
        match step {
            Step::Pull | Step::ReadOwnAccount => self.needs_pull = true,
            Step::Send(request) => self.state.unanswered = Some(request.op_id.clone()),
            _ => {}
        }
    }

    /// The review is on the server now: `stored` is the state [`crate::repo`] kept when it
    /// accepted the server's first copy, whose base this engine takes.
    pub fn created(&mut self, stored: Option<SyncState>) {
        if let Some(stored) = stored {
            self.state.server = stored.server;
        }
    }

    /// The server's copy was read (`None`: the server has no such review for this browser).
    pub fn pulled(
        &mut self,
        server: Option<Review>,
        local: Local,
        now: DateTime<Utc>,
    ) -> Result<Changes, Error> {
        let Some(server) = server else {
            return Err(Error::Refused {
                status: 404,
                body: ErrorBody {
                    error: "not_found".into(),
                    message: "The server no longer has this review, or this browser's access \
                              to it was withdrawn."
                        .into(),
                    fields: Vec::new(),
                    request_id: None,
                },
            });
        };
        let review = self.state.accept(server, true, local.accounts, now);
        self.read_own = local.own.is_some() && self.state.account_version == 0;
        Ok(Changes::review(review))
    }

    /// The accounts listed on opening: learn the own account's stored version.
    pub fn own_account_read(&mut self, listed: Vec<Account>, local: Local) -> Changes {
        let mut changes = Changes::default();
        let Some(me) = local.own else {
            return changes;
        };
        if let Some(stored) = listed.into_iter().find(|a| a.participant_id() == me) {
            self.take_own_account(stored, local, &mut changes);
        }
        changes
    }

    /// The server's copy of the own account: taken when sealed, or when nothing here is unsent.
    fn take_own_account(&mut self, stored: Account, local: Local, changes: &mut Changes) {
        self.state.account_version = stored.version();
        if stored.is_submitted() || !self.state.account_dirty {
            self.state.account_dirty = false;
            if stored.is_submitted() || local.own_account().is_none() {
                changes.accounts.push(stored);
            }
        }
    }

    /// The answer to [`Step::PutAccount`] for `sent`.
    pub fn account_answer(
        &mut self,
        sent: &Account,
        answer: Result<Written<Account>, Error>,
        local: Local,
    ) -> Result<AccountNext, Error> {
        match answer {
            Ok(Written::Done(stored)) => {
                self.state.account_version = stored.version();
                // Typed on while it was on its way: the newer text is still to be sent.
                if local.own_account() == Some(sent) {
                    self.state.account_dirty = false;
                }
                Ok(AccountNext::Stored)
            }
            Ok(Written::Stale(theirs)) => {
                self.state.account_conflict = Some(theirs);
                Ok(AccountNext::Stored)
            }
            Err(e @ Error::Refused { status: 409, .. }) => {
                self.state.account_dirty = false;
                Ok(AccountNext::LookForSealed(e))
            }
            Err(e) => {
                if e.refuses_the_change() {
                    // Refused for good (a rule or a limit): not sent again until the person
                    // changes it; the text stays in this browser and the reason is shown.
                    self.state.account_dirty = false;
                }
                Err(e)
            }
        }
    }

    /// After a 409 (`refusal`) for the own account: a sealed copy in `listed` (submitted from
    /// another browser) is the account now; without one, the review no longer takes drafts and
    /// the text stays here.
    pub fn sealed_read(
        &mut self,
        listed: Vec<Account>,
        local: Local,
        refusal: Error,
    ) -> Result<Changes, Error> {
        match listed
            .into_iter()
            .find(|a| Some(a.participant_id()) == local.own && a.is_submitted())
        {
            Some(sealed) => Ok(Changes {
                review: None,
                accounts: vec![sealed],
            }),
            None => Err(refusal),
        }
    }

    /// The answer to [`Step::Send`] for `sent` (the first waiting op when it was asked for).
    pub fn op_answer(
        &mut self,
        sent: &ApplyOp,
        answer: Result<Written<Review>, Error>,
        local: Local,
        now: DateTime<Utc>,
    ) -> Result<Changes, Error> {
        if self.state.unanswered.as_ref() == Some(&sent.op_id) && answer.is_ok() {
            self.state.unanswered = None;
        }
        match answer {
            Ok(Written::Done(server)) => {
                // Rebased on what the server would hold had no one else written since the
                // base: an op id applied earlier (its answer lost) is answered with the
                // current copy, which may hold others' changes too.
                let at = self
                    .state
                    .pending
                    .iter()
                    .position(|p| p.op_id == sent.op_id);
                let done = at.map(|at| self.state.pending.remove(at));
                if let Some(base) = &self.state.server {
                    let expected = replay(base, done.as_slice(), local.accounts, now);
                    self.state.server = Some(expected);
                }
                Ok(Changes::review(self.state.accept(
                    server,
                    true,
                    local.accounts,
                    now,
                )))
            }
            Ok(Written::Stale(server)) => Ok(Changes::review(self.state.accept(
                server,
                true,
                local.accounts,
                now,
            ))),
            Err(Error::Refused { status, body }) if refuses_the_change(status) => {
                // The server refused this change for good (its rules, a limit, an op id
                // reused): never sent again; kept, with the reason and the person's text,
                // for the person to copy or discard.
                let Some(at) = self
                    .state
                    .pending
                    .iter()
                    .position(|p| p.op_id == sent.op_id)
                else {
                    return Ok(Changes::default());
                };
                let refused = self.state.pending.remove(at);
                self.state.unanswered = None;
                self.state
                    .conflicts
                    .push(Conflict::refused(refused, local.review, body.message));
                Ok(match self.state.server.clone() {
                    Some(base) => {
                        Changes::review(self.state.accept(base, false, local.accounts, now))
                    }
                    None => Changes::default(),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The accounts listed after the reveal: the submitted ones this browser did not hold.
    pub fn revealed_read(&mut self, listed: Vec<Account>, local: Local) -> Changes {
        let mut changes = Changes::default();
        for account in listed {
            if local.own == Some(account.participant_id()) {
                self.take_own_account(account, local, &mut changes);
            } else {
                changes.accounts.push(account);
            }
        }
        changes
    }

    /// Before a submission: a copy of the own account from another browser waits for a choice.
    pub fn submit_blocked(&self) -> Option<SubmitError> {
        self.state
            .account_conflict
            .is_some()
            .then_some(SubmitError::ChooseFirst)
    }

    /// After sending the own account for a submission: whether the server has its latest text.
    pub fn submit_ready(&self) -> Result<(), SubmitError> {
        if self.state.account_dirty || self.state.account_conflict.is_some() {
            Err(SubmitError::NotSentYet)
        } else {
            Ok(())
        }
    }

    /// The server sealed the own account and answered with the review recording it.
    pub fn submitted(
        &mut self,
        account: Account,
        review: Review,
        local: Local,
        now: DateTime<Utc>,
    ) -> Changes {
        let mut accounts: Vec<Account> = local
            .accounts
            .iter()
            .filter(|a| a.participant_id() != account.participant_id())
            .cloned()
            .collect();
        accounts.push(account.clone());
        Changes {
            review: Some(self.state.accept(review, true, &accounts, now)),
            accounts: vec![account],
        }
    }

    /// Takes a conflict out of the list: the person chose for it.
    pub fn take_conflict(&mut self, op_id: &str) -> Option<Conflict> {
        let at = self.state.conflicts.iter().position(|c| c.op_id == op_id)?;
        Some(self.state.conflicts.remove(at))
    }

    /// The person chose between this browser's account (`keep_this_browsers`) and the copy
    /// found on the server; the chosen one is written against the server's version. Returns
    /// the server's copy to keep here when they chose it.
    pub fn resolve_account(&mut self, keep_this_browsers: bool) -> Option<Changes> {
        let theirs = self.state.account_conflict.take()?;
        self.state.account_version = theirs.version();
        self.state.account_dirty = keep_this_browsers;
        Some(Changes {
            review: None,
            accounts: if keep_this_browsers {
                Vec::new()
            } else {
                vec![theirs]
            },
        })
    }

    /// A run ended with `outcome`: what to show, whether and when to try again. `online` is
    /// whether the browser has a network.
    pub fn finished(&mut self, outcome: &Result<(), Error>, online: bool) -> Finish {
        match outcome {
            Ok(()) => {
                self.failures = 0;
                let conflicts =
                    self.state.conflicts.len() + usize::from(self.state.account_conflict.is_some());
                let waiting = self.state.waiting();
                Finish {
                    status: if conflicts > 0 {
                        SyncStatus::NeedsChoice { conflicts }
                    } else if waiting == 0 {
                        SyncStatus::Saved
                    } else {
                        SyncStatus::Offline { waiting }
                    },
                    retry_in_ms: None,
                    locked_out: None,
                }
            }
            // Removed, or signed out by its person from another browser: nothing more to send,
            // ever; the page says so.
            Err(e) if LockedOut::from_code(e.code()).is_some() => Finish {
                status: SyncStatus::LocalOnly,
                retry_in_ms: None,
                locked_out: LockedOut::from_code(e.code()),
            },
            Err(e) => {
                // A review the server doesn't have yet waits to be created, too.
                let waiting = self.state.waiting() + usize::from(self.state.server.is_none());
                let retry_in_ms = e.is_transient().then(|| {
                    self.failures = self.failures.saturating_add(1);
                    retry_delay_ms(self.failures)
                });
                Finish {
                    status: SyncStatus::after_failure(e, waiting, online),
                    retry_in_ms,
                    locked_out: None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
