//! Keeping an open review in step with the server, without losing anything typed.
//!
//! Every change is applied here first and saved to IndexedDB together with this review's
//! [`SyncState`]: the last copy the server sent (the base), the ops not yet accepted, and the
//! conflicts waiting for a person. [`run`] then sends them in order:
//! - each op is posted against the base's version; on 412 the server's copy becomes the base and
//!   the waiting ops are replayed on it ([`mosaic_domain::sync::rebase`]); an op that changed
//!   something someone else changed too becomes a conflict that shows both versions;
//! - the participant's own account is `PUT` with `If-Match` of the version the server last
//!   stored; a different copy on the server (written from another browser) is shown beside this
//!   one for the person to choose;
//! - an op id is sent again unchanged after a lost answer, so nothing is applied twice.
//!
//! The server's live event stream (`EventSource`) says when the review changed elsewhere; the
//! review is then read again and rebased. When the server can't be reached, everything waits
//! in IndexedDB and is retried when the browser is back online, and every few seconds.

use leptos::prelude::*;
use mosaic_domain::sync::{Conflict, PendingOp, rebase, replay};
use mosaic_domain::wire::ApplyOp;
use mosaic_domain::{Account, Review, ReviewOp, Role};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::{self, Api, Written};
use crate::repo::{self, SyncStatus, SyncStatusContext};
use crate::settings::SyncMode;
use crate::storage::{self, ACCOUNTS, REVIEWS, SYNC};
use crate::time;
use crate::workspace::{Doc, LockedOut, Workspace};

/// How long to wait before trying an unreachable or failing server again, the first time; it
/// doubles with each failure in a row, up to [`MAX_RETRY_MS`].
const RETRY_MS: u32 = 4_000;
/// The longest wait between two tries.
const MAX_RETRY_MS: u32 = 60_000;

/// The wait before the next try after `failures` transient failures in a row (1 or more).
fn retry_delay_ms(failures: u32) -> u32 {
    RETRY_MS
        .saturating_mul(1 << failures.saturating_sub(1).min(16))
        .min(MAX_RETRY_MS)
}

/// What this browser keeps to sync one server review. Stored in [`SYNC`] with the review.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// The last copy of the review the server sent; `None` until it has the review.
    #[serde(default)]
    pub server: Option<Review>,
    /// Changes made here and not yet accepted, in order.
    #[serde(default)]
    pub pending: Vec<PendingOp>,
    /// Changes that could not simply be replayed, waiting for a person's choice.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// The version of this browser's own account the server last stored (0: none yet).
    #[serde(default)]
    pub account_version: u64,
    /// Whether this browser's own account has changes the server has not stored.
    #[serde(default)]
    pub account_dirty: bool,
    /// A different copy of the own account found on the server, waiting for a person's choice.
    #[serde(default)]
    pub account_conflict: Option<Account>,
}

impl SyncState {
    /// How many changes wait to be sent.
    pub fn waiting(&self) -> usize {
        self.pending.len() + usize::from(self.account_dirty)
    }
}

/// The sync engine of the open review: shared by copy, like the [`Workspace`] that holds it.
#[derive(Clone, Copy)]
pub struct ReviewSync {
    state: StoredValue<SyncState>,
    /// What a person must decide on, for the conflicts panel. Mirrors the state.
    pub conflicts: RwSignal<Vec<Conflict>>,
    pub account_conflict: RwSignal<Option<Account>>,
    mode: StoredValue<SyncMode>,
    running: StoredValue<bool>,
    again: StoredValue<bool>,
    /// Transient failures in a row, for the backoff; 0 after a run that reached the server.
    failures: StoredValue<u32>,
    /// Read the server's copy before sending: set on opening and by live events.
    needs_pull: StoredValue<bool>,
    status: Option<RwSignal<SyncStatus>>,
}

impl ReviewSync {
    pub fn new(state: SyncState, mode: SyncMode) -> Self {
        Self {
            conflicts: RwSignal::new(state.conflicts.clone()),
            account_conflict: RwSignal::new(state.account_conflict.clone()),
            state: StoredValue::new(state),
            mode: StoredValue::new(mode),
            running: StoredValue::new(false),
            again: StoredValue::new(false),
            failures: StoredValue::new(0),
            needs_pull: StoredValue::new(true),
            status: use_context::<SyncStatusContext>().map(|c| c.0),
        }
    }

    /// Queues an op just applied here, to be sent.
    pub fn record(&self, op: ReviewOp) {
        self.state.update_value(|s| {
            // Typing in one field makes an op per keystroke: the newest replaces one not yet
            // sent for the same thing (the first may be on its way, so it is left alone).
            let target = op.target();
            if target.is_some()
                && s.pending.len() > 1
                && s.pending.last().is_some_and(|p| p.op.target() == target)
            {
                s.pending.pop();
            }
            s.pending.push(PendingOp {
                op_id: crate::workspace::new_id(),
                op,
            });
        });
    }

    /// Notes that the own account changed here.
    pub fn account_changed(&self) {
        self.state.update_value(|s| s.account_dirty = true);
    }

    /// The state as it is now, to save with the document it goes with.
    pub fn snapshot(&self) -> SyncState {
        self.state.get_value()
    }

    fn set_status(&self, status: SyncStatus) {
        if let Some(s) = self.status {
            s.set(status);
        }
    }

    fn api(&self) -> Option<Api> {
        self.mode.with_value(Api::for_mode)
    }
}

/// Sends what waits and reads what changed, until nothing is left or the server can't be
/// reached. Safe to call at any time: a run already under way picks up the new work.
pub fn kick(ws: Workspace) {
    let Some(sync) = ws.sync else { return };
    if ws.locked_out.get_untracked().is_some() {
        return;
    }
    if sync.running.get_value() {
        sync.again.set_value(true);
        return;
    }
    sync.running.set_value(true);
    leptos::task::spawn_local(async move {
        loop {
            sync.again.set_value(false);
            let outcome = send_all(ws, sync).await;
            if outcome.is_ok() {
                sync.failures.set_value(0);
            }
            match outcome {
                Ok(()) if sync.again.get_value() => continue,
                Ok(()) => {
                    let (waiting, conflicts) = sync.state.with_value(|s| {
                        let own = usize::from(s.account_conflict.is_some());
                        (s.waiting(), s.conflicts.len() + own)
                    });
                    sync.set_status(if conflicts > 0 {
                        SyncStatus::NeedsChoice { conflicts }
                    } else if waiting == 0 {
                        SyncStatus::Saved
                    } else {
                        SyncStatus::Offline { waiting }
                    });
                }
                // Removed, or signed out by its person from another browser: nothing more to
                // send, ever; the page says so.
                Err(e) if LockedOut::from_code(e.code()).is_some() => {
                    sync.set_status(SyncStatus::LocalOnly);
                    ws.locked_out.set(LockedOut::from_code(e.code()));
                }
                Err(e) => {
                    // A review the server doesn't have yet waits to be created, too.
                    let waiting = sync
                        .state
                        .with_value(|s| s.waiting() + usize::from(s.server.is_none()));
                    sync.set_status(SyncStatus::after_failure(&e, waiting));
                    if e.is_transient() {
                        sync.failures.update_value(|n| *n = n.saturating_add(1));
                        retry_later(ws, retry_delay_ms(sync.failures.get_value()));
                    }
                }
            }
            break;
        }
        sync.running.set_value(false);
    });
}

fn retry_later(ws: Workspace, delay_ms: u32) {
    let retry = Closure::once_into_js(move || kick(ws));
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            retry.unchecked_ref(),
            delay_ms as i32,
        );
    }
}

/// Reads the server's copy and rebases on it, then sends what waits.
pub fn refresh(ws: Workspace) {
    let Some(sync) = ws.sync else { return };
    sync.needs_pull.set_value(true);
    kick(ws);
}

async fn send_all(ws: Workspace, sync: ReviewSync) -> Result<(), api::Error> {
    let review_id = ws.review.with_untracked(|r| r.id.to_string());
    let Some(base_api) = sync.api() else {
        return Ok(());
    };
    // A review created here while offline: send it first; that gives this browser its token.
    if ws.credential.with_value(Option::is_none) {
        sync.set_status(SyncStatus::Syncing);
        repo::flush_outbox(&base_api).await.map_err(repo_error)?;
        let Some(credential) = repo::credential(&review_id).await.map_err(repo_error)? else {
            return Err(api::Error::Unreachable(
                "the review is not on the server yet".into(),
            ));
        };
        ws.credential.set_value(Some(credential));
        // The stored state now has the server's first copy as its base.
        if let Some(state) = storage::get::<SyncState>(SYNC, &review_id)
            .await
            .map_err(storage_error)?
        {
            sync.state.update_value(|s| {
                s.server = state.server;
            });
        }
    }
    let token = ws
        .credential
        .with_value(|c| c.as_ref().map(|c| c.token.clone()))
        .unwrap_or_default();
    let api = base_api.with_token(&token);

    if sync.needs_pull.get_value() || sync.state.with_value(|s| s.server.is_none()) {
        sync.needs_pull.set_value(false);
        sync.set_status(SyncStatus::Syncing);
        if let Err(e) = pull(ws, sync, &api, &review_id).await {
            sync.needs_pull.set_value(true);
            return Err(e);
        }
    }
    if sync
        .state
        .with_value(|s| s.account_dirty && s.account_conflict.is_none())
    {
        sync.set_status(SyncStatus::Syncing);
        push_account(ws, sync, &api).await?;
    }
    while let Some(next) = sync.state.with_value(|s| s.pending.first().cloned()) {
        sync.set_status(SyncStatus::Syncing);
        let base_version = sync
            .state
            .with_value(|s| s.server.as_ref().map_or(0, |r| r.version));
        let request = ApplyOp {
            op_id: next.op_id.clone(),
            base_version: Some(base_version),
            op: next.op.clone(),
        };
        match api.apply_op(&review_id, &request).await {
            Ok(Written::Done(server)) => {
                sync.state.update_value(|s| {
                    s.pending.retain(|p| p.op_id != next.op_id);
                });
                accept(ws, sync, server, false);
            }
            Ok(Written::Stale(server)) => accept(ws, sync, server, true),
            Err(api::Error::Refused { status, body }) if api::refuses_the_change(status) => {
                // The server refused this change for good (its rules, a limit, an op id
                // reused): never sent again; kept, with the reason and the person's text,
                // for the person to copy or discard.
                let named_in = ws.review.get_untracked();
                sync.state.update_value(|s| {
                    s.pending.retain(|p| p.op_id != next.op_id);
                    s.conflicts.push(Conflict::refused(
                        next.clone(),
                        &named_in,
                        body.message.clone(),
                    ));
                });
                let server = sync.state.with_value(|s| s.server.clone());
                if let Some(server) = server {
                    accept(ws, sync, server, false);
                }
            }
            Err(e) => return Err(e),
        }
    }
    fetch_revealed_accounts(ws, sync, &api, &review_id).await
}

/// Reads the server's review (and, after the reveal, the accounts this browser may now read).
async fn pull(
    ws: Workspace,
    sync: ReviewSync,
    api: &Api,
    review_id: &str,
) -> Result<(), api::Error> {
    let Some(server) = api.get_review(review_id).await? else {
        return Err(api::Error::Refused {
            status: 404,
            body: mosaic_domain::wire::ErrorBody {
                error: "not_found".into(),
                message: "The server no longer has this review, or this browser's access to it was withdrawn.".into(),
                fields: Vec::new(),
                request_id: None,
            },
        });
    };
    accept(ws, sync, server, true);
    let own = own_participant(ws);
    // On opening, learn the version of the own account the server holds (it may have been
    // written from another browser of the same person).
    if let Some(me) = own
        && sync.state.with_value(|s| s.account_version == 0)
        && let Some(stored) = api
            .list_accounts(review_id)
            .await?
            .into_iter()
            .find(|a| a.participant_id() == &me)
    {
        take_own_account(ws, sync, stored);
    }
    Ok(())
}

/// After the reveal, reads the submitted accounts this browser does not hold yet.
async fn fetch_revealed_accounts(
    ws: Workspace,
    sync: ReviewSync,
    api: &Api,
    review_id: &str,
) -> Result<(), api::Error> {
    let missing = ws.review.with_untracked(|r| {
        r.revealed_at().is_some()
            && ws.accounts.with_untracked(|held| {
                r.submissions().iter().any(|s| {
                    !held
                        .iter()
                        .any(|a| a.participant_id() == &s.participant_id && a.is_submitted())
                })
            })
    });
    if !missing {
        return Ok(());
    }
    let own = own_participant(ws);
    for account in api.list_accounts(review_id).await? {
        if own.as_ref() == Some(account.participant_id()) {
            take_own_account(ws, sync, account);
        } else {
            store_account(ws, sync, account);
        }
    }
    Ok(())
}

/// The server's copy of the own account: taken when sealed, or when nothing here is unsent.
fn take_own_account(ws: Workspace, sync: ReviewSync, stored: Account) {
    let dirty = sync.state.with_value(|s| s.account_dirty);
    if stored.is_submitted() || !dirty {
        sync.state.update_value(|s| {
            s.account_version = stored.version();
            s.account_dirty = false;
        });
        if stored.is_submitted() || ws.account_untracked(stored.participant_id()).is_none() {
            store_account(ws, sync, stored);
        }
    } else {
        sync.state
            .update_value(|s| s.account_version = stored.version());
    }
}

fn own_participant(ws: Workspace) -> Option<mosaic_domain::ParticipantId> {
    ws.credential
        .with_value(|c| match c.as_ref().map(|c| &c.role) {
            Some(Role::Participant(me)) => Some(me.clone()),
            _ => None,
        })
}

/// Stores an account read from the server here, with the sync state.
fn store_account(ws: Workspace, sync: ReviewSync, account: Account) {
    let key = storage::account_key(
        account.review_id().as_str(),
        account.participant_id().as_str(),
    );
    let state = sync.snapshot();
    let review_id = account.review_id().to_string();
    ws.save(&[
        (ACCOUNTS, &key, &Doc::Account(&account)),
        (SYNC, &review_id, &Doc::Sync(&state)),
    ]);
    ws.accounts.update(|all| {
        match all
            .iter_mut()
            .find(|a| a.participant_id() == account.participant_id())
        {
            Some(slot) => *slot = account,
            None => all.push(account),
        }
    });
}

/// Takes `server` as the new base. When it is newer than what the pending ops were made on
/// (`rebase`), they are replayed on it and any conflicts are kept for the person.
fn accept(ws: Workspace, sync: ReviewSync, server: Review, rebase_pending: bool) {
    let accounts = ws.accounts.get_untracked();
    let now = time::now();
    let local = sync.state.try_update_value(|s| {
        let pending = std::mem::take(&mut s.pending);
        let review = match (&s.server, rebase_pending) {
            (Some(base), true) => {
                let out = rebase(base, &server, pending, &accounts, now);
                s.conflicts.extend(out.conflicts);
                s.pending = out.pending;
                out.review
            }
            _ => {
                let review = replay(&server, &pending, &accounts, now);
                s.pending = pending;
                review
            }
        };
        s.server = Some(server);
        review
    });
    let Some(local) = local else { return };
    let state = sync.snapshot();
    sync.conflicts.set(state.conflicts.clone());
    let id = local.id.to_string();
    ws.save(&[
        (REVIEWS, &id, &Doc::Review(&local)),
        (SYNC, &id, &Doc::Sync(&state)),
    ]);
    if ws.review.with_untracked(|r| r != &local) {
        ws.review.set(local);
    }
}

/// Sends the own account if it changed here.
async fn push_account(ws: Workspace, sync: ReviewSync, api: &Api) -> Result<(), api::Error> {
    let Some(Role::Participant(me)) = ws
        .credential
        .with_value(|c| c.as_ref().map(|c| c.role.clone()))
    else {
        sync.state.update_value(|s| s.account_dirty = false);
        return Ok(());
    };
    let Some(account) = ws.account_untracked(&me) else {
        sync.state.update_value(|s| s.account_dirty = false);
        return Ok(());
    };
    if account.is_submitted() {
        sync.state.update_value(|s| s.account_dirty = false);
        return Ok(());
    }
    let base = sync.state.with_value(|s| s.account_version);
    match api.put_account(&account, base).await {
        Ok(Written::Done(stored)) => {
            let unchanged = ws.account_untracked(&me).as_ref() == Some(&account);
            sync.state.update_value(|s| {
                s.account_version = stored.version();
                if unchanged {
                    s.account_dirty = false;
                }
            });
        }
        Ok(Written::Stale(theirs)) => {
            sync.state
                .update_value(|s| s.account_conflict = Some(theirs.clone()));
            sync.account_conflict.set(Some(theirs));
        }
        Err(e @ api::Error::Refused { status: 409, .. }) => {
            // Sealed on the server (submitted from another browser): that copy is the account.
            sync.state.update_value(|s| s.account_dirty = false);
            let review_id = account.review_id().to_string();
            match api
                .list_accounts(&review_id)
                .await?
                .into_iter()
                .find(|a| a.participant_id() == &me)
                .filter(Account::is_submitted)
            {
                Some(sealed) => store_account(ws, sync, sealed),
                // Not sealed: the review no longer takes drafts. The text stays here.
                None => return Err(e),
            }
        }
        Err(e) if e.refuses_the_change() => {
            // Refused for good (a rule or a limit): not sent again until the person changes
            // it; the text stays in this browser and the reason is shown.
            sync.state.update_value(|s| s.account_dirty = false);
            return Err(e);
        }
        Err(e) => return Err(e),
    }
    let state = sync.snapshot();
    let id = account.review_id().to_string();
    ws.save(&[(SYNC, &id, &Doc::Sync(&state))]);
    Ok(())
}

/// Seals the own account on the server: its stored copy is brought up to date first. The
/// server answers with the sealed account and the review that records its commitment.
pub async fn submit(
    ws: Workspace,
    participant: &mosaic_domain::ParticipantId,
) -> Result<String, String> {
    let Some(sync) = ws.sync else {
        return Err("this review is not shared through a server".into());
    };
    let api = sync
        .api()
        .ok_or("this review is not shared through a server")?;
    let token = ws
        .credential
        .with_value(|c| c.as_ref().map(|c| c.token.clone()))
        .ok_or("this browser has not joined the review on the server yet")?;
    let api = api.with_token(&token);
    if sync.state.with_value(|s| s.account_conflict.is_some()) {
        return Err("choose which version of your account to keep first (see above)".into());
    }
    if sync.state.with_value(|s| s.account_dirty) {
        push_account(ws, sync, &api)
            .await
            .map_err(offline_message)?;
    }
    if sync
        .state
        .with_value(|s| s.account_dirty || s.account_conflict.is_some())
    {
        return Err(
            "your latest changes have not reached the server yet; try again in a moment".into(),
        );
    }
    let review_id = ws.review.with_untracked(|r| r.id.to_string());
    let submitted = api
        .submit_account(&review_id, participant.as_str())
        .await
        .map_err(offline_message)?;
    let commitment = submitted
        .account
        .commitment()
        .unwrap_or_default()
        .to_owned();
    store_account(ws, sync, submitted.account);
    accept(ws, sync, submitted.review, true);
    kick(ws);
    Ok(commitment)
}

fn offline_message(e: api::Error) -> String {
    if e.is_transient() {
        "the server can't be reached just now. Your account is saved in this browser and will be sent when the connection is back; submit it then".into()
    } else {
        e.to_string()
    }
}

/// The person chose for a conflict: `use_mine` applies their change again on the current
/// review (as a new op); otherwise it is set aside. Either way it leaves the list.
pub fn resolve(ws: Workspace, op_id: &str, use_mine: bool) {
    let Some(sync) = ws.sync else { return };
    let Some(conflict) = sync
        .state
        .try_update_value(|s| {
            let at = s.conflicts.iter().position(|c| c.op_id == op_id)?;
            Some(s.conflicts.remove(at))
        })
        .flatten()
    else {
        return;
    };
    sync.conflicts
        .set(sync.state.with_value(|s| s.conflicts.clone()));
    if use_mine {
        // Applied and recorded like any new change; a refusal is shown as usual.
        let _ = ws.apply(conflict.op);
    } else {
        let state = sync.snapshot();
        let id = ws.review.with_untracked(|r| r.id.to_string());
        ws.save(&[(SYNC, &id, &Doc::Sync(&state))]);
    }
}

/// The person chose between this browser's account and the copy found on the server.
pub fn resolve_account(ws: Workspace, keep_this_browsers: bool) {
    let Some(sync) = ws.sync else { return };
    let Some(theirs) = sync
        .state
        .try_update_value(|s| s.account_conflict.take())
        .flatten()
    else {
        return;
    };
    sync.account_conflict.set(None);
    sync.state.update_value(|s| {
        s.account_version = theirs.version();
        s.account_dirty = keep_this_browsers;
    });
    if keep_this_browsers {
        let state = sync.snapshot();
        let id = theirs.review_id().to_string();
        ws.save(&[(SYNC, &id, &Doc::Sync(&state))]);
    } else {
        store_account(ws, sync, theirs);
    }
    kick(ws);
}

/// Listens to the server's live events for the open review while the page is open: each one
/// that names a newer version makes the review be read again.
pub fn listen(ws: Workspace) {
    let Some(sync) = ws.sync else { return };
    let (Some(api), Some(token)) = (
        sync.api(),
        ws.credential
            .with_value(|c| c.as_ref().map(|c| c.token.clone())),
    ) else {
        return;
    };
    let review_id = ws.review.with_untracked(|r| r.id.to_string());
    let url = api.with_token(&token).events_url(&review_id);
    let Ok(source) = web_sys::EventSource::new(&url) else {
        return;
    };
    let lost = StoredValue::new(false);
    let on_review =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            #[derive(Deserialize)]
            struct ReviewEvent {
                version: u64,
            }
            lost.set_value(false);
            let Some(data) = event.data().as_string() else {
                return;
            };
            let Ok(ReviewEvent { version }) = serde_json::from_str(&data) else {
                return;
            };
            let known = sync
                .state
                .with_value(|s| s.server.as_ref().map_or(0, |r| r.version));
            if version != known {
                refresh(ws);
            }
        });
    let _ = source.add_event_listener_with_callback("review", on_review.as_ref().unchecked_ref());
    on_review.forget();
    // The server ends the stream of a token it no longer honours (a removed participant's):
    // reading the review again then learns why at once, without waiting for a retry.
    // Once per lost connection: while the server is down the browser keeps reconnecting, and
    // the retries of `kick` already cover that.
    let on_error = Closure::<dyn Fn()>::new(move || {
        if !lost.get_value() {
            lost.set_value(true);
            refresh(ws);
        }
    });
    let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    on_error.forget();
    let source = StoredValue::new_local(source);
    on_cleanup(move || source.with_value(web_sys::EventSource::close));
}

fn repo_error(e: repo::RepoError) -> api::Error {
    match e {
        repo::RepoError::Api(e) => e,
        repo::RepoError::Storage(e) => api::Error::LocalStorage(e.to_string()),
    }
}

fn storage_error(e: storage::StorageError) -> api::Error {
    api::Error::LocalStorage(e.to_string())
}

#[cfg(test)]
mod retry_tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_cap() {
        let delays: Vec<u32> = (1..=7).map(retry_delay_ms).collect();
        assert_eq!(
            delays,
            [4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]
        );
        assert_eq!(retry_delay_ms(u32::MAX), MAX_RETRY_MS);
    }
}
