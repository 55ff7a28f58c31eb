//! The browser side of keeping an open review in step with the server: a thin shell around
//! [`crate::sync_core::Engine`], which decides everything (what to send, what an answer means,
//! when to rebase, when a person must choose). This module only does what the engine asks
//! (HTTP through [`crate::api`], IndexedDB through [`crate::repo`]), shows the outcome in the
//! open review's signals, and schedules runs:
//! - [`ReviewSync::kick`] after every change here, on opening and on the `online` event; a run
//!   already under way picks up the new work;
//! - a transient failure is retried after a backoff the engine chooses;
//! - the server's live event stream (`EventSource`) makes the review be read again when it
//!   changed elsewhere ([`ReviewSync::listen`]).
//!
//! It knows nothing of the workspace: it is handed the signals it reads and writes
//! ([`Shared`]), so the workspace depends on it and not the other way round.

use leptos::prelude::*;
use mosaic_domain::sync::Conflict;
use mosaic_domain::{Account, ParticipantId, Review, ReviewOp, Role};
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::{self, Api};
use crate::deferred::{PartMissing, deferred};
use crate::repo::{self, Credential, Doc, SyncStatusContext};
use crate::room_clock::RoomNews;
use crate::settings::SyncMode;
use crate::storage::{ACCOUNTS, REVIEWS, SYNC};
use crate::sync_core::{
    AccountNext, Changes, Engine, Local, LockedOut, Step, SubmitError, SyncState, SyncStatus,
};
use crate::time;

/// The open review's signals the sync reads and updates: the same ones the workspace holds.
#[derive(Clone, Copy)]
pub struct Shared {
    pub review: RwSignal<Review>,
    pub accounts: RwSignal<Vec<Account>>,
    /// Notified when accounts come in from the server (see `Workspace::reshaped`).
    pub reshaped: Trigger,
    pub credential: StoredValue<Option<Credential>>,
    /// Set once this browser lost its access: nothing is sent any more.
    pub locked_out: RwSignal<Option<LockedOut>>,
    /// Where a failed save is shown.
    pub notice: RwSignal<Option<String>>,
    /// The live room, as the server last told of it (`event: room`).
    pub room: RwSignal<Option<RoomNews>>,
}

/// The sync of the open review: shared by copy, like the workspace that holds it.
#[derive(Clone, Copy)]
pub struct ReviewSync {
    engine: StoredValue<Engine>,
    /// What a person must decide on, for the conflicts panel. Mirrors the engine's state.
    pub conflicts: RwSignal<Vec<Conflict>>,
    pub account_conflict: RwSignal<Option<Account>>,
    doc: Shared,
    mode: StoredValue<SyncMode>,
    running: StoredValue<bool>,
    again: StoredValue<bool>,
    status: Option<RwSignal<SyncStatus>>,
}

impl ReviewSync {
    pub fn new(state: SyncState, mode: SyncMode, doc: Shared) -> Self {
        Self {
            conflicts: RwSignal::new(state.conflicts.clone()),
            account_conflict: RwSignal::new(state.account_conflict.clone()),
            engine: StoredValue::new(Engine::new(state)),
            doc,
            mode: StoredValue::new(mode),
            running: StoredValue::new(false),
            again: StoredValue::new(false),
            status: use_context::<SyncStatusContext>().map(|c| c.0),
        }
    }

    /// Queues an op just applied here under `op_id`; returns the state to save with the review.
    pub fn record(&self, op: ReviewOp, op_id: String) -> SyncState {
        self.engine.update_value(|e| e.record(op, op_id));
        self.snapshot()
    }

    /// Notes that the own account changed here; returns the state to save with it.
    pub fn account_changed(&self) -> SyncState {
        self.engine.update_value(Engine::account_changed);
        self.snapshot()
    }

    /// The state as it is now, to save with the document it goes with.
    pub fn snapshot(&self) -> SyncState {
        self.engine.with_value(|e| e.state().clone())
    }

    /// Takes a conflict out of the list: the person chose for it. The caller applies the
    /// change again (as a new op) or calls [`ReviewSync::save`].
    pub fn take_conflict(&self, op_id: &str) -> Option<Conflict> {
        let conflict = self
            .engine
            .try_update_value(|e| e.take_conflict(op_id))
            .flatten()?;
        self.show(&Changes::default());
        Some(conflict)
    }

    /// Whether a change waits for a person's choice (tracked).
    pub fn needs_choice(&self) -> bool {
        !self.conflicts.with(Vec::is_empty) || self.account_conflict.with(Option::is_some)
    }

    /// Saves the state as it is.
    pub fn save(&self) {
        self.publish(Changes::default());
    }

    /// The person chose between this browser's account and the copy found on the server.
    pub fn resolve_account(self, keep_this_browsers: bool) {
        let Some(Some(changes)) = self
            .engine
            .try_update_value(|e| e.resolve_account(keep_this_browsers))
        else {
            return;
        };
        self.publish(changes);
        self.kick();
    }

    /// Reads the server's copy and rebases on it, then sends what waits.
    pub fn refresh(self) {
        self.engine.update_value(Engine::refresh);
        self.kick();
    }

    /// Sends what waits and reads what changed, until nothing is left or the server can't be
    /// reached. Safe to call at any time: a run already under way picks up the new work.
    pub fn kick(self) {
        if self.doc.locked_out.get_untracked().is_some() {
            return;
        }
        if self.running.get_value() {
            self.again.set_value(true);
            return;
        }
        self.running.set_value(true);
        leptos::task::spawn_local(async move {
            loop {
                self.again.set_value(false);
                let outcome = self.run().await;
                let Some(finish) = self
                    .engine
                    .try_update_value(|e| e.finished(&outcome, repo::online()))
                else {
                    return;
                };
                if outcome.is_ok() && self.again.get_value() {
                    continue;
                }
                self.set_status(finish.status);
                if finish.locked_out.is_some() {
                    self.doc.locked_out.set(finish.locked_out);
                }
                if let Some(delay_ms) = finish.retry_in_ms {
                    retry_later(self, delay_ms);
                }
                break;
            }
            self.running.set_value(false);
        });
    }

    /// One run: the engine's steps until it has nothing more to do, or one fails.
    async fn run(self) -> Result<(), api::Error> {
        let Some(server) = self.api() else {
            return Ok(());
        };
        self.engine.update_value(Engine::begin);
        loop {
            let Some(step) = self.decide(|e, local| e.next_step(local)) else {
                return Ok(());
            };
            match step {
                Step::Done => return Ok(()),
                Step::ReadRevealed => {}
                _ => self.set_status(SyncStatus::Syncing),
            }
            if let Err(e) = self.take(&step, &server).await {
                self.engine.update_value(|engine| engine.failed(&step));
                return Err(e);
            }
        }
    }

    /// Does one step and hands its answer to the engine.
    async fn take(self, step: &Step, server: &Api) -> Result<(), api::Error> {
        let review_id = self.doc.review.with_untracked(|r| r.id.to_string());
        let api = server.with_token(&self.token().unwrap_or_default());
        let changes = match step {
            Step::Done => return Ok(()),
            Step::Create => return self.create(server, &review_id).await,
            Step::PutAccount { account, base } => {
                return put_own_account(self, api, account.clone(), *base)
                    .await
                    .map_err(|PartMissing| repo::part_missing())?
                    .await;
            }
            Step::Pull => {
                let answer = api.get_review(&review_id).await?;
                self.decide(|e, local| e.pulled(answer, local, time::now()))
                    .transpose()?
            }
            Step::ReadOwnAccount => {
                let listed = api.list_accounts(&review_id).await?;
                self.decide(|e, local| e.own_account_read(listed, local))
            }
            Step::Send(request) => {
                let answer = api.apply_op(&review_id, request).await;
                self.decide(|e, local| e.op_answer(request, answer, local, time::now()))
                    .transpose()?
            }
            Step::ReadRevealed => {
                let listed = api.list_accounts(&review_id).await?;
                self.decide(|e, local| e.revealed_read(listed, local))
            }
        };
        if let Some(changes) = changes {
            self.publish(changes);
        }
        Ok(())
    }

    /// A review created here while offline: sends it first, which gives this browser its token
    /// and the review its first server copy.
    async fn create(self, server: &Api, review_id: &str) -> Result<(), api::Error> {
        repo::flush_outbox(server).await?;
        let Some(credential) = repo::credential(review_id).await? else {
            return Err(api::Error::Unreachable(
                "the review is not on the server yet".into(),
            ));
        };
        self.doc.credential.set_value(Some(credential));
        let stored = repo::sync_state(review_id).await?;
        self.engine.update_value(|e| e.created(stored));
        Ok(())
    }

    /// Writes the own account against the server's version `base`.
    async fn put_account(self, api: &Api, account: &Account, base: u64) -> Result<(), api::Error> {
        let answer = api.put_account(account, base).await;
        let Some(next) = self.decide(|e, local| e.account_answer(account, answer, local)) else {
            return Ok(());
        };
        let changes = match next? {
            AccountNext::Stored => Changes::default(),
            AccountNext::LookForSealed(refusal) => {
                let review_id = account.review_id().to_string();
                let listed = api.list_accounts(&review_id).await?;
                let Some(found) = self.decide(|e, local| e.sealed_read(listed, local, refusal))
                else {
                    return Ok(());
                };
                found?
            }
        };
        self.publish(changes);
        Ok(())
    }

    /// Seals the own account on the server: its stored copy is brought up to date first. The
    /// server answers with the sealed account and the review that records its commitment.
    pub async fn submit(self, participant: &ParticipantId) -> Result<String, SubmitError> {
        let server = self.api().ok_or(SubmitError::NotShared)?;
        let token = self.token().ok_or(SubmitError::NotJoined)?;
        let api = server.with_token(&token);
        if let Some(blocked) = self.engine.with_value(Engine::submit_blocked) {
            return Err(blocked);
        }
        if let Some(Some((account, base))) = self.decide(|e, local| e.account_to_send(local)) {
            put_own_account(self, api.clone(), account, base)
                .await
                .map_err(|PartMissing| SubmitError::Failed(repo::part_missing()))?
                .await
                .map_err(SubmitError::Failed)?;
        }
        self.engine.with_value(Engine::submit_ready)?;
        let review_id = self.doc.review.with_untracked(|r| r.id.to_string());
        let submitted = api
            .submit_account(&review_id, participant.as_str())
            .await
            .map_err(SubmitError::Failed)?;
        let commitment = submitted
            .account
            .commitment()
            .unwrap_or_default()
            .to_owned();
        if let Some(changes) = self
            .decide(|e, local| e.submitted(submitted.account, submitted.review, local, time::now()))
        {
            self.publish(changes);
        }
        self.kick();
        Ok(commitment)
    }

    /// Listens to the server's live events for the open review while the page is open: each
    /// `review` event that names another version makes the review be read again; each `room`
    /// event replaces the live room.
    pub fn listen(self) {
        let (Some(api), Some(token)) = (self.api(), self.token()) else {
            return;
        };
        let review_id = self.doc.review.with_untracked(|r| r.id.to_string());
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
                let Ok(ReviewEvent { version }) = mosaic_domain::json::from_str(&data) else {
                    return;
                };
                let known = self.engine.with_value(|e| e.state().base_version());
                if version != known {
                    self.refresh();
                }
            });
        let _ =
            source.add_event_listener_with_callback("review", on_review.as_ref().unchecked_ref());
        on_review.forget();
        let room = self.doc.room;
        let on_room =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let Some(data) = event.data().as_string() else {
                    return;
                };
                let news = RoomNews::Event {
                    data,
                    received: time::now(),
                };
                let _ = room.try_set(Some(news));
            });
        let _ = source.add_event_listener_with_callback("room", on_room.as_ref().unchecked_ref());
        on_room.forget();
        // The server ends the stream of a token it no longer honours (a removed participant's):
        // reading the review again then learns why at once, without waiting for a retry.
        // Once per lost connection: while the server is down the browser keeps reconnecting, and
        // the retries of `kick` already cover that.
        let on_error = Closure::<dyn Fn()>::new(move || {
            if !lost.get_value() {
                lost.set_value(true);
                self.refresh();
            }
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        on_error.forget();
        let source = StoredValue::new_local(source);
        on_cleanup(move || source.with_value(web_sys::EventSource::close));
    }

    /// Runs `f` on the engine with what the page holds now; `None` once the page is gone.
    fn decide<T>(&self, f: impl FnOnce(&mut Engine, Local) -> T) -> Option<T> {
        let (on_server, own) = self.doc.credential.try_with_value(|c| match c {
            Some(Credential {
                role: Role::Participant(me),
                ..
            }) => (true, Some(me.clone())),
            Some(_) => (true, None),
            None => (false, None),
        })?;
        // Read in place, never cloned: a run follows every keystroke, and an account may hold
        // thousands of entries. The engine only reads them.
        self.doc
            .review
            .try_with_untracked(|review| {
                self.doc.accounts.try_with_untracked(|accounts| {
                    let local = Local {
                        review,
                        accounts,
                        on_server,
                        own: own.as_ref(),
                    };
                    self.engine.try_update_value(|e| f(e, local))
                })
            })
            .flatten()
            .flatten()
    }

    /// Keeps what an answer changed: the state and its documents in one IndexedDB transaction,
    /// then on screen.
    fn publish(&self, changes: Changes) {
        let state = self.snapshot();
        let id = self.doc.review.with_untracked(|r| r.id.to_string());
        let keys: Vec<String> = changes.accounts.iter().map(repo::account_key).collect();
        let mut docs = vec![(SYNC, id.as_str(), Doc::Sync(&state))];
        if let Some(review) = &changes.review {
            docs.push((REVIEWS, id.as_str(), Doc::Review(review)));
        }
        for (account, key) in changes.accounts.iter().zip(&keys) {
            docs.push((ACCOUNTS, key.as_str(), Doc::Account(account)));
        }
        repo::save(self.doc.notice, &docs);
        self.show(&changes);
    }

    /// Shows what changed: the review, the accounts read, and what waits for a choice.
    fn show(&self, changes: &Changes) {
        let (conflicts, account_conflict) = self.engine.with_value(|e| {
            let s = e.state();
            (s.conflicts.clone(), s.account_conflict.clone())
        });
        if self.conflicts.with_untracked(|c| c != &conflicts) {
            self.conflicts.set(conflicts);
        }
        if self
            .account_conflict
            .with_untracked(|c| c != &account_conflict)
        {
            self.account_conflict.set(account_conflict);
        }
        for account in &changes.accounts {
            self.doc.accounts.update(|all| {
                match all
                    .iter_mut()
                    .find(|a| a.participant_id() == account.participant_id())
                {
                    Some(slot) => *slot = account.clone(),
                    None => all.push(account.clone()),
                }
            });
        }
        if !changes.accounts.is_empty() {
            self.doc.reshaped.notify();
        }
        if let Some(review) = &changes.review
            && self.doc.review.with_untracked(|r| r != review)
        {
            self.doc.review.set(review.clone());
        }
    }

    fn token(&self) -> Option<String> {
        self.doc
            .credential
            .with_value(|c| c.as_ref().map(|c| c.token.clone()))
    }

    fn set_status(&self, status: SyncStatus) {
        if let Some(s) = self.status {
            s.set(status);
        }
    }

    fn api(&self) -> Option<Api> {
        self.mode.with_value(SyncMode::api)
    }
}

// Only a participant writing their account has one to send: the code that sends it comes with
// their account's part, not with every review page.
deferred! { account_part;
    /// Writes the own account against the server's version `base`.
    fn put_own_account(sync: ReviewSync, api: Api, account: Account, base: u64) -> Result<(), api::Error> {
        sync.put_account(&api, &account, base).await
    }
}

fn retry_later(sync: ReviewSync, delay_ms: u32) {
    let retry = Closure::once_into_js(move || sync.kick());
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            retry.unchecked_ref(),
            delay_ms as i32,
        );
    }
}
