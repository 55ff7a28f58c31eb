//! The open review: its shared document, the accounts this browser holds, and who is acting.
//!
//! Every change goes through [`Workspace::apply`] (a [`ReviewOp`] on the shared review) or
//! [`Workspace::edit_account`] (the author's own account): the domain decides whether it is allowed, the signal is updated, and the document is saved to
//! IndexedDB in order ([`storage::queue_write`]). A refused change leaves everything as it was and says why in
//! [`Workspace::notice`].

use std::fmt::Display;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use mosaic_domain::{
    Account, AccountError, EditError, OpError, ParticipantId, Review, ReviewOp, Role, coach,
};

use crate::repo::{self, Credential, Doc};
use crate::room_clock::RoomNews;
use crate::settings::SyncMode;
use crate::storage::{self, ACCOUNTS, Pending, REVIEWS, SYNC};
use crate::sync::{ReviewSync, Shared};
// Why nothing changes here any more: decided by the sync engine, shown by the page.
use crate::sync_core::SyncState;
pub use crate::sync_core::{LockedOut, REMOVED, SIGNED_OUT};
use crate::time;

// Forms and panels name it here, where refusals are shown.
pub use crate::answer::sentence;

/// Who is using this browser right now. On a shared device people take turns; each sees only
/// their own account until the reveal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Facilitator,
    Participant(ParticipantId),
}

impl Actor {
    fn key(&self) -> String {
        match self {
            Actor::Facilitator => "facilitator".into(),
            Actor::Participant(id) => format!("participant:{id}"),
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        match key.strip_prefix("participant:") {
            Some(id) => ParticipantId::parse(id).ok().map(Actor::Participant),
            None => (key == "facilitator").then_some(Actor::Facilitator),
        }
    }
}

/// The open review. Read with `expect_context::<Workspace>()`.
#[derive(Clone, Copy)]
pub struct Workspace {
    pub review: RwSignal<Review>,
    /// The accounts kept in this browser for this review: only ever shown to their author
    /// before the reveal.
    pub accounts: RwSignal<Vec<Account>>,
    /// Notified when an account's entries or observations come or go, or an account is
    /// replaced by another copy; a text edit leaves it alone. Lists keyed by entry follow it
    /// instead of `accounts`, so a keystroke costs them nothing.
    pub reshaped: Trigger,
    pub actor: RwSignal<Actor>,
    /// The last refused change or failed save, for a person to read.
    pub notice: RwSignal<Option<String>>,
    /// This browser's credential for the review on a server. With one, who is acting is fixed
    /// by it (each person uses their own browser); without, people on one device take turns.
    pub credential: StoredValue<Option<Credential>>,
    /// Present when the review is shared through a server: sends every change there.
    pub sync: Option<ReviewSync>,
    /// Set once the server says this browser has no access any more (the facilitator removed
    /// its participant, or the person moved their place to another browser): from then on
    /// nothing here changes, and the page offers their own words as a download.
    pub locked_out: RwSignal<Option<LockedOut>>,
    /// The live room of a review shared through a server (who is here, writing, submitted,
    /// hands, the timebox), as the server's event stream last told it; `None` until it has.
    pub room: RwSignal<Option<RoomNews>>,
    /// The participants' names as the wording coach looks for them, made once for every
    /// coached field of the page.
    pub coach_names: Memo<coach::Names>,
}

fn actor_key(review: &Review) -> String {
    format!("mosaic.actor.{}", review.id)
}

impl Workspace {
    /// Opens a review with the accounts loaded from storage, and provides it as context. With
    /// a sync state (a review shared through the server of `mode`), changes are sent there.
    pub fn provide(
        review: Review,
        accounts: Vec<Account>,
        credential: Option<Credential>,
        synced: Option<(SyncState, SyncMode)>,
    ) -> Self {
        let notice = RwSignal::new(None::<String>);
        let saved_actor = crate::drafts::local_storage()
            .and_then(|s| s.get_item(&actor_key(&review)).ok()?)
            .and_then(|k| Actor::from_key(&k))
            .filter(|a| match a {
                Actor::Facilitator => true,
                Actor::Participant(id) => review.participant(id).is_some(),
            })
            .unwrap_or(Actor::Facilitator);
        let actor = match credential.as_ref().map(|c| &c.role) {
            Some(Role::Facilitator) => Actor::Facilitator,
            Some(Role::Participant(id)) => Actor::Participant(id.clone()),
            None => saved_actor,
        };
        let removed = match credential.as_ref().map(|c| &c.role) {
            Some(Role::Participant(me)) => review.removal(me).is_some(),
            _ => false,
        };
        let shared = Shared {
            locked_out: RwSignal::new(removed.then_some(LockedOut::Removed)),
            review: RwSignal::new(review),
            accounts: RwSignal::new(accounts),
            reshaped: Trigger::new(),
            credential: StoredValue::new(credential),
            notice,
            room: RwSignal::new(None),
        };
        let review = shared.review;
        let coach_names =
            Memo::new(move |_| review.with(|r| coach::Names::new(&r.participant_names())));
        let ws = Self {
            coach_names,
            locked_out: shared.locked_out,
            review: shared.review,
            accounts: shared.accounts,
            reshaped: shared.reshaped,
            actor: RwSignal::new(actor),
            notice,
            credential: shared.credential,
            room: shared.room,
            sync: synced.map(|(state, mode)| ReviewSync::new(state, mode, shared)),
        };
        provide_context(ws);
        ws
    }

    /// Whether people on this device take turns ("Acting as"), rather than the credential
    /// fixing who is acting.
    pub fn can_switch_actor(&self) -> bool {
        self.credential.with_value(Option::is_none)
    }

    /// Whether this browser may make the facilitator's changes: always on a shared device (who
    /// acts is chosen there), else only with the facilitator's credential. The server enforces
    /// the same; this only keeps controls that would be refused off the screen.
    pub fn runs_review(&self) -> bool {
        self.credential
            .with_value(|c| c.as_ref().is_none_or(|c| c.role == Role::Facilitator))
    }

    /// Switches who is acting, remembered across reloads.
    pub fn act_as(&self, actor: Actor) {
        if let Some(s) = crate::drafts::local_storage() {
            let _ = s.set_item(&actor_key(&self.review.get_untracked()), &actor.key());
        }
        self.notice.set(None);
        self.actor.set(actor);
    }

    /// The acting participant, if a participant is acting.
    pub fn acting_participant(&self) -> Option<ParticipantId> {
        match self.actor.get() {
            Actor::Participant(id) => Some(id),
            Actor::Facilitator => None,
        }
    }

    /// Applies one change to the shared review with the domain's rules. On success the review
    /// is updated and saved. On refusal nothing changes and the reason comes back; it is also
    /// shown page-wide, except field problems, which a form shows beside its fields.
    pub fn apply(&self, op: ReviewOp) -> Result<(), OpError> {
        if let Some(lockout) = self.locked_out.get_untracked() {
            let e = OpError::Edit(EditError::Locked {
                phase: self.review.with_untracked(Review::phase),
            });
            self.notice.set(Some(lockout.why().to_owned()));
            return Err(e);
        }
        let mut review = self.review.get_untracked();
        let accounts = self.accounts.get_untracked();
        match review.apply(&op, &accounts, time::now()) {
            Ok(()) => {
                match self.sync {
                    Some(sync) => {
                        let state = sync.record(op, new_id());
                        // One transaction: the change and the record that it must be sent.
                        self.save(&[
                            (REVIEWS, review.id.as_str(), Doc::Review(&review)),
                            (SYNC, review.id.as_str(), Doc::Sync(&state)),
                        ]);
                    }
                    None => self.save(&[(REVIEWS, review.id.as_str(), Doc::Review(&review))]),
                }
                self.review.set(review);
                self.notice.set(None);
                self.kick();
                Ok(())
            }
            Err(OpError::Edit(EditError::Invalid { fields })) => {
                Err(OpError::Edit(EditError::Invalid { fields }))
            }
            Err(e) => {
                self.refuse(&e);
                Err(e)
            }
        }
    }

    /// The given participant's account, if this browser has one. Tracked.
    pub fn account(&self, participant: &ParticipantId) -> Option<Account> {
        self.accounts.with(|all| {
            all.iter()
                .find(|a| a.participant_id() == participant)
                .cloned()
        })
    }

    /// Reads the given participant's account in place, if this browser has one (`None` if not).
    /// Not tracked. Never a copy: an account may hold thousands of entries.
    pub fn with_account_untracked<T>(
        &self,
        participant: &ParticipantId,
        f: impl FnOnce(&Account) -> T,
    ) -> Option<T> {
        self.accounts.with_untracked(|all| {
            all.iter()
                .find(|a| a.participant_id() == participant)
                .map(f)
        })
    }

    /// Whether `participant` is the person this browser's credential belongs to.
    fn is_own(&self, participant: &ParticipantId) -> bool {
        self.credential.with_value(|c| {
            c.as_ref()
                .is_some_and(|c| c.role == Role::Participant(participant.clone()))
        })
    }

    /// Applies a change to a participant's account, creating the account on first use. On
    /// refusal nothing changes and the reason comes back; it is also shown page-wide, except
    /// field problems, which a form shows beside its fields.
    pub fn edit_account<T>(
        &self,
        participant: &ParticipantId,
        change: impl FnOnce(&mut Account, DateTime<Utc>) -> Result<T, AccountError>,
    ) -> Result<T, AccountError> {
        if let Some(lockout) = self.locked_out.get_untracked() {
            self.notice.set(Some(lockout.why().to_owned()));
            return Err(AccountError::Submitted { at: time::now() });
        }
        let review_id = self.review.with_untracked(|r| r.id.clone());
        // Changed in place, never cloned: an account may hold thousands of entries, and this
        // runs on every keystroke. The domain's edits check everything before they change
        // anything, so a refused change leaves the account as it was.
        let outcome = self.accounts.try_update_untracked(|all| {
            let (slot, created) = match all.iter().position(|a| a.participant_id() == participant) {
                Some(slot) => (slot, false),
                None => {
                    all.push(Account::new(review_id.clone(), participant.clone()));
                    (all.len() - 1, true)
                }
            };
            let account = &mut all[slot];
            let shape = |a: &Account| (a.entries().len(), a.observations().len());
            let before = shape(account);
            let outcome = change(account, time::now());
            let reshaped = shape(account) != before;
            if outcome.is_err() && created {
                // The account this change would have created: not kept.
                all.remove(slot);
            }
            (outcome, reshaped)
        });
        let Some((outcome, reshaped)) = outcome else {
            return Err(AccountError::Submitted { at: time::now() });
        };
        match outcome {
            Ok(out) => {
                self.save_account(participant);
                self.accounts.notify();
                if reshaped {
                    self.reshaped.notify();
                }
                if self.notice.with_untracked(Option::is_some) {
                    self.notice.set(None);
                }
                self.kick();
                Ok(out)
            }
            Err(e @ AccountError::Invalid { .. }) => Err(e),
            Err(e) => {
                self.refuse(&e);
                Err(e)
            }
        }
    }

    /// Queues the participant's account to be saved: serialised when the write goes out (after
    /// the next paint), once however many keystrokes it gathers, and with this browser's sync
    /// state in the same transaction when the account is sent to a server.
    fn save_account(&self, participant: &ParticipantId) {
        // Held by the write, not the page: a write queued just before the person leaves the
        // review still finds the account after the page's signals are gone.
        let source: ArcRwSignal<Vec<Account>> = self.accounts.into();
        let (review_id, pid) = (
            self.review.with_untracked(|r| r.id.clone()),
            participant.clone(),
        );
        let key = storage::account_key(review_id.as_str(), participant.as_str());
        let account = Pending::Later(Box::new(move || {
            source.with_untracked(|all| {
                all.iter()
                    .find(|a| a.participant_id() == &pid)
                    .map(|a| serde_json::to_string(a).map_err(|e| e.to_string()))
            })
        }));
        let mut writes = vec![((ACCOUNTS, key), account)];
        if let Some(sync) = self.sync.filter(|_| self.is_own(participant)) {
            let state = sync.account_changed();
            match serde_json::to_string(&state) {
                Ok(json) => writes.push(((SYNC, review_id.to_string()), Pending::Json(json))),
                Err(e) => return self.notice.set(Some(e.to_string())),
            }
        }
        let notice = self.notice;
        storage::queue(writes, move |e| notice.set(Some(e.to_string())));
    }

    /// Seals the participant's account and records its commitment in the shared review: on
    /// the server when the review is shared through one (which needs the connection), else
    /// here. Returns the commitment.
    pub async fn submit_account(&self, participant: &ParticipantId) -> Result<String, String> {
        if let Some(sync) = self.sync {
            return sync.submit(participant).await.map_err(|e| self.refuse(e));
        }
        self.submit_here(participant)
    }

    /// Sends what waits to the server, when the review is shared through one.
    fn kick(&self) {
        if let Some(sync) = self.sync {
            sync.kick();
        }
    }

    /// The person chose for a conflict: `use_mine` applies their change again on the current
    /// review (as a new op); otherwise it is set aside. Either way it leaves the list.
    pub fn resolve_conflict(&self, op_id: &str, use_mine: bool) {
        let Some(sync) = self.sync else { return };
        let Some(conflict) = sync.take_conflict(op_id) else {
            return;
        };
        if use_mine {
            // Applied and recorded like any new change; a refusal is shown as usual.
            let _ = self.apply(conflict.op);
        } else {
            sync.save();
        }
    }

    fn submit_here(&self, participant: &ParticipantId) -> Result<String, String> {
        let mut account = self
            .account(participant)
            .ok_or_else(|| self.refuse("write at least one timeline entry before submitting"))?;
        let now = time::now();
        // Check against the review first, so a refused submission seals nothing.
        let mut review = self.review.get_untracked();
        let commitment = {
            let mut sealed = account.clone();
            let commitment = sealed.submit(now).map_err(|e| self.refuse(e))?.to_owned();
            review
                .record_submission(&sealed, now)
                .map_err(|e| self.refuse(e))?;
            account = sealed;
            commitment
        };
        // One transaction: the sealed account and the commitment the review records for it.
        let key = repo::account_key(&account);
        self.save(&[
            (ACCOUNTS, key.as_str(), Doc::Account(&account)),
            (REVIEWS, review.id.as_str(), Doc::Review(&review)),
        ]);
        self.accounts.update(|all| {
            if let Some(slot) = all.iter_mut().find(|a| a.participant_id() == participant) {
                *slot = account;
            }
        });
        self.review.set(review);
        self.notice.set(None);
        Ok(commitment)
    }

    /// Saves documents through the one write queue; a failure is shown as the notice.
    fn save(&self, docs: &[(&'static str, &str, Doc)]) {
        repo::save(self.notice, docs);
    }

    fn refuse(&self, e: impl Display) -> String {
        let message = sentence(&e.to_string());
        self.notice.set(Some(message.clone()));
        message
    }
}

/// Loads a review's accounts from this browser's storage.
pub async fn load_accounts(review: &Review) -> Result<Vec<Account>, storage::StorageError> {
    storage::with_prefix(ACCOUNTS, &format!("{}/", review.id)).await
}

/// A fresh id for a new review, entry, observation, participant, action or piece of reference
/// material.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
