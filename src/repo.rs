//! Where pages get and save reviews. Every review is written to this browser's IndexedDB first;
//! in server mode it is also queued in the outbox and sent, so nothing is lost offline or on
//! reload: an outbox entry is deleted only once the server has accepted it.

use leptos::prelude::*;
use mosaic_domain::review::listing::{StoredFinding, list_order};
use mosaic_domain::wire::{ClaimPlace, CreateReview, JoinReview, Joined};
use mosaic_domain::{
    Account, Finding, IncidentFacts, ParticipantId, Review, ReviewId, ReviewListing, Role,
};
use serde::{Deserialize, Serialize};

use crate::api::{self, Api};
use crate::deferred::{PartMissing, deferred};
use crate::settings::SyncMode;
use crate::storage::{self, CREDENTIALS, OUTBOX, REVIEWS, SYNC, StorageError};
use crate::sync_core::{StoredSync, SyncState, WaitingText};

// Pages and the badge name the status here, beside its context.
pub use crate::sync_core::SyncStatus;

/// Whether the browser has a network: an unreachable server is then "offline", not "down".
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// The app-wide sync status. Read with `expect_context::<SyncStatusContext>()`.
#[derive(Clone, Copy)]
pub struct SyncStatusContext(pub RwSignal<SyncStatus>);

/// Starts as "saved here" or, when syncing with a server, "saved" (nothing waits yet: pages
/// that send or read say otherwise as soon as they do).
/// It starts again whenever the setting changes, so it never speaks of the previous one.
pub fn provide_sync_status_context() {
    let status = RwSignal::new(SyncStatus::LocalOnly);
    if let Some(settings) = use_context::<crate::settings::Settings>() {
        let server = Memo::new(move |_| settings.mode.with(|m| m.server_url().is_some()));
        // Follows the setting (a signal to a signal, which an effect is the way to say here).
        crate::effect::effect(move |_| {
            status.set(if server.get() {
                SyncStatus::Saved
            } else {
                SyncStatus::LocalOnly
            });
        });
    }
    provide_context(SyncStatusContext(status));
}

/// Why a review could not be read or saved.
#[derive(Clone, Debug, PartialEq)]
pub enum RepoError {
    Storage(StorageError),
    Api(api::Error),
}

impl std::fmt::Display for RepoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RepoError::Storage(e) => e.fmt(f),
            RepoError::Api(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RepoError {}

impl From<StorageError> for RepoError {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

/// While syncing, a storage failure is this browser's, never the server's refusal.
impl From<RepoError> for api::Error {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Api(e) => e,
            RepoError::Storage(e) => e.into(),
        }
    }
}

impl From<StorageError> for api::Error {
    fn from(e: StorageError) -> Self {
        api::Error::LocalStorage(e.0)
    }
}

fn set_status(status: SyncStatus) {
    if let Some(ctx) = use_context::<SyncStatusContext>() {
        ctx.0.set(status);
    }
}

/// What this browser holds to act in one server review: the token the server gave it, and who
/// that makes it. Kept in IndexedDB (`CREDENTIALS`), never sent anywhere but its own server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub review_id: String,
    pub token: String,
    pub role: Role,
    /// The invite token, kept by the facilitator to show the invite link again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
}

/// This browser's credential for a review, if it created or joined it on a server.
pub async fn credential(review_id: &str) -> Result<Option<Credential>, RepoError> {
    Ok(storage::get(CREDENTIALS, review_id).await?)
}

/// Every review this browser knows, as the list shows it, newest incident first, with who
/// this browser is in it on a server (`None`: it is on this device only). In server mode
/// waiting changes are sent first, and the server's copy of each review this browser holds a
/// credential for is fetched and kept here too.
pub async fn list_reviews(
    mode: &SyncMode,
) -> Result<Vec<(ReviewListing, Option<Role>)>, RepoError> {
    refresh(mode).await?;
    let mut reviews: Vec<ReviewListing> = storage::all(REVIEWS).await?;
    ReviewListing::sort(&mut reviews);
    let credentials: Vec<Credential> = storage::all(CREDENTIALS).await?;
    Ok(reviews
        .into_iter()
        .map(|review| {
            let role = credentials
                .iter()
                .find(|c| c.review_id == review.id.as_str())
                .map(|c| c.role.clone());
            (review, role)
        })
        .collect())
}

/// Every review this browser knows, whole, newest incident first, refreshed as
/// [`list_reviews`] does.
pub async fn all_reviews(mode: &SyncMode) -> Result<Vec<Review>, RepoError> {
    refresh(mode).await?;
    let mut reviews: Vec<Review> = storage::all(REVIEWS).await?;
    reviews.sort_by_key(|r| list_order(r.facts.started_at(), r.created_at));
    Ok(reviews)
}

/// In server mode, sends waiting changes, then fetches the server's copy of each review
/// this browser holds a credential for.
async fn refresh(mode: &SyncMode) -> Result<(), RepoError> {
    if let Some(api) = mode.api() {
        if flush_outbox(&api).await? {
            let credentials: Vec<Credential> = storage::all(CREDENTIALS).await?;
            if !credentials.is_empty() {
                match refresh_reviews(api, credentials).await {
                    Ok(refreshing) => refreshing.await?,
                    // The copies here are shown; the badge says the server was not reached.
                    Err(PartMissing) => note_failure(&part_missing()).await?,
                }
            }
        }
    } else {
        set_status(SyncStatus::LocalOnly);
    }
    Ok(())
}

deferred! { server_sync;
    /// Fetches the server's copy of each review `credentials` reach and keeps it here, until
    /// the server cannot be reached.
    fn refresh_reviews(api: Api, credentials: Vec<Credential>) -> Result<(), RepoError> {
        for credential in credentials {
            match api
                .with_token(&credential.token)
                .get_review(&credential.review_id)
                .await
            {
                Ok(Some(review)) => cache(&review).await?,
                Ok(None) => {}
                Err(e) => {
                    note_failure(&e).await?;
                    break;
                }
            }
        }
        Ok(())
    }
}

/// What a part of the app that could not be downloaded means for syncing: the server that
/// serves it was not reached.
pub(crate) fn part_missing() -> api::Error {
    api::Error::Unreachable("a part of the app could not be downloaded".into())
}

/// One review: from this browser when it has it, else from the server in server mode.
pub async fn get_review(mode: &SyncMode, id: &str) -> Result<Option<Review>, RepoError> {
    if let Some(review) = storage::get::<Review>(REVIEWS, id).await? {
        return Ok(Some(review));
    }
    let (Some(api), Some(credential)) = (mode.api(), credential(id).await?) else {
        return Ok(None);
    };
    match api.with_token(&credential.token).get_review(id).await {
        Ok(Some(review)) => {
            cache(&review).await?;
            Ok(Some(review))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(RepoError::Api(e)),
    }
}

/// Joins a server review with its invite: the server adds this person as a participant and
/// gives this browser their token. Returns who they are in the review.
pub async fn join_review(
    api: &Api,
    review_id: &str,
    request: &JoinReview,
) -> Result<ParticipantId, RepoError> {
    let joined = api
        .join_review(review_id, request)
        .await
        .map_err(RepoError::Api)?;
    keep_joined(review_id, joined).await
}

/// Takes one's own row in a server review (through a personal invite, or the shared invite
/// and the row's id) instead of adding a new one; this browser keeps its token.
pub async fn claim_place(
    api: &Api,
    review_id: &str,
    request: &ClaimPlace,
) -> Result<ParticipantId, RepoError> {
    let joined = api
        .claim(review_id, request)
        .await
        .map_err(RepoError::Api)?;
    keep_joined(review_id, joined).await
}

async fn keep_joined(review_id: &str, joined: Joined) -> Result<ParticipantId, RepoError> {
    // Let back in after a removal: the server no longer has their account, so whatever this
    // browser kept of it is sent again from scratch.
    if let Some(mut state) = sync_state(review_id).await? {
        let key = storage::account_key(review_id, joined.participant_id.as_str());
        let held = storage::get::<Account>(storage::ACCOUNTS, &key).await?;
        state.rejoined(held.is_some_and(|a| !a.is_submitted()));
        storage::put(SYNC, review_id, &state).await?;
    }
    let credential = Credential {
        review_id: review_id.to_owned(),
        token: joined.token,
        role: Role::Participant(joined.participant_id.clone()),
        invite_token: None,
    };
    storage::put(CREDENTIALS, review_id, &credential).await?;
    cache(&joined.review).await?;
    Ok(joined.participant_id)
}

/// Continues someone's participation in this browser with their personal link's `token`:
/// the server says whose it is, and this browser keeps it (a new one in its place, with
/// `sign_out_other`: the browser the link came from is then signed out). The review page
/// then reads their draft from the server. Returns who they are.
pub async fn resume(
    api: &Api,
    review_id: &str,
    token: &str,
    sign_out_other: bool,
) -> Result<Role, RepoError> {
    let api = api.with_token(token);
    let me = api.me(review_id).await.map_err(RepoError::Api)?;
    let token = if sign_out_other {
        api.replace_own_token(review_id)
            .await
            .map_err(RepoError::Api)?
            .token
    } else {
        token.to_owned()
    };
    let credential = Credential {
        review_id: review_id.to_owned(),
        token,
        role: me.role.clone(),
        invite_token: None,
    };
    storage::put(CREDENTIALS, review_id, &credential).await?;
    cache(&me.review).await?;
    Ok(me.role)
}

/// Uses a facilitator link: this browser becomes a facilitator of the review (it does not
/// know the shared invite, which only a new one replaces).
pub async fn facilitate(api: &Api, review_id: &str, link_token: &str) -> Result<(), RepoError> {
    let made = api
        .become_facilitator(review_id, link_token)
        .await
        .map_err(RepoError::Api)?;
    let credential = Credential {
        review_id: review_id.to_owned(),
        token: made.token,
        role: Role::Facilitator,
        invite_token: None,
    };
    storage::put(CREDENTIALS, review_id, &credential).await?;
    cache(&made.review).await?;
    Ok(())
}

/// Replaces this browser's token for a review with a new one (the old one is signed out
/// everywhere) and keeps it.
pub async fn replace_own_token(api: &Api, held: &Credential) -> Result<Credential, RepoError> {
    let replaced = api
        .with_token(&held.token)
        .replace_own_token(&held.review_id)
        .await
        .map_err(RepoError::Api)?;
    let updated = Credential {
        token: replaced.token,
        ..held.clone()
    };
    storage::put(CREDENTIALS, &held.review_id, &updated).await?;
    Ok(updated)
}

/// Keeps the facilitator's new shared invite after they replaced the old one.
pub async fn keep_invite(credential: &Credential, invite: &str) -> Result<Credential, RepoError> {
    let updated = Credential {
        invite_token: Some(invite.to_owned()),
        ..credential.clone()
    };
    storage::put(CREDENTIALS, &credential.review_id, &updated).await?;
    Ok(updated)
}

deferred! { reviews_tools;
    /// Starts a review of the incident `facts` describe: saves it here and, in server mode,
    /// sends it. Succeeds once it is safe in this browser: a server that cannot be reached
    /// leaves it waiting in the outbox, not lost.
    pub fn start_review(mode: SyncMode, facts: IncidentFacts) -> Result<ReviewId, RepoError> {
        let id = ReviewId::parse(&crate::workspace::new_id()).expect("a UUID is a valid review id");
        let review = Review::new(id, facts, crate::time::now());
        create_review(&mode, &review).await?;
        Ok(review.id)
    }
}

/// Saves a new review here and, in server mode, sends it.
async fn create_review(mode: &SyncMode, review: &Review) -> Result<(), RepoError> {
    storage::put(REVIEWS, review.id.as_str(), review).await?;
    if let Some(api) = mode.api() {
        storage::put(
            OUTBOX,
            review.id.as_str(),
            &CreateReview::from_review(review),
        )
        .await?;
        // From now on its changes are recorded to be sent, even before the server has it.
        storage::put(SYNC, review.id.as_str(), &SyncState::default()).await?;
        flush_outbox(&api).await?;
    }
    Ok(())
}

/// The sync state of a review shared through a server (created or joined in server mode);
/// `None` for a review kept in this browser only.
pub async fn sync_state(review_id: &str) -> Result<Option<SyncState>, RepoError> {
    let Some(stored) = storage::get::<StoredSync>(SYNC, review_id).await? else {
        return Ok(None);
    };
    let (mut state, waiting) = stored.into_parts();
    if let Some(waiting) = waiting {
        state = read_waiting(waiting, state)
            .await
            .map_err(|PartMissing| RepoError::Api(part_missing()))?
            .await?;
    }
    Ok(Some(state))
}

// With the rest of the work a server review does off its page's path: a split point of its own
// cut the parts pages share differently and made `/` and `/feed` larger (ARCHITECTURE.md).
deferred! { server_sync;
    /// Reads the changes waiting to be sent and the conflicts into `state` (the reader of every
    /// op is downloaded only when some wait: see [`StoredSync`]).
    fn read_waiting(waiting: WaitingText, state: SyncState) -> Result<SyncState, StorageError> {
        let mut state = state;
        waiting
            .read_into(&mut state)
            .map_err(StorageError::damaged)?;
        Ok(state)
    }
}

/// Sends waiting changes to the server in turn. Returns false when the server could not be
/// reached, leaving the rest waiting; a change the server refuses stays waiting too, and the
/// status says why. The code that sends is downloaded only when something waits.
pub async fn flush_outbox(api: &Api) -> Result<bool, RepoError> {
    if storage::count(OUTBOX).await? == 0 {
        set_status(SyncStatus::Saved);
        return Ok(true);
    }
    match send_outbox(api.clone()).await {
        Ok(sending) => sending.await,
        Err(PartMissing) => {
            note_failure(&part_missing()).await?;
            Ok(false)
        }
    }
}

deferred! { server_sync;
    fn send_outbox(api: Api) -> Result<bool, RepoError> {
        let waiting: Vec<CreateReview> = storage::all(OUTBOX).await?;
        set_status(SyncStatus::Syncing);
        for request in waiting {
            match api.create_review(&request).await {
                Ok(created) => {
                    let credential = Credential {
                        review_id: request.id.clone(),
                        token: created.facilitator_token,
                        role: Role::Facilitator,
                        invite_token: Some(created.invite_token),
                    };
                    storage::put(CREDENTIALS, &request.id, &credential).await?;
                    cache(&created.review).await?;
                }
                // Already there: an earlier attempt reached the server but its answer did not.
                Err(api::Error::Refused { status: 409, .. }) => {}
                Err(e) => {
                    note_failure(&e).await?;
                    return Ok(!e.is_transient());
                }
            }
            storage::delete(OUTBOX, &request.id).await?;
        }
        set_status(SyncStatus::Saved);
        Ok(true)
    }
}

async fn note_failure(e: &api::Error) -> Result<(), RepoError> {
    let waiting = storage::count(OUTBOX).await? as usize;
    set_status(SyncStatus::after_failure(e, waiting, online()));
    Ok(())
}

/// Keeps a server copy here: it becomes the review's sync base, and the changes this browser
/// has not sent yet are replayed on it (conflicts are kept for the review page to show).
async fn cache(review: &Review) -> Result<(), RepoError> {
    let id = review.id.as_str();
    let mut state = sync_state(id).await?.unwrap_or_default();
    let accounts: Vec<Account> = storage::with_prefix(storage::ACCOUNTS, &format!("{id}/")).await?;
    let local = state.accept(review.clone(), true, &accounts, crate::time::now());
    storage::put_many(&[
        (SYNC, id, &Doc::Sync(&state)),
        (REVIEWS, id, &Doc::Review(&local)),
    ])
    .await?;
    Ok(())
}

/// The kinds of document saved about a review, so that all go through one write queue and
/// several land in one transaction.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Doc<'a> {
    Review(&'a Review),
    Account(&'a Account),
    Sync(&'a SyncState),
}

/// Saves documents through the one write queue ([`storage::queue_write`]); a failure is shown
/// in `notice`, in words about this browser's storage.
pub fn save(notice: RwSignal<Option<String>>, docs: &[(&'static str, &str, Doc)]) {
    let docs: Vec<_> = docs
        .iter()
        .map(|(store, key, doc)| (*store, *key, doc))
        .collect();
    storage::queue_write(&docs, move |e| notice.set(Some(e.to_string())));
}

/// An account's key in [`storage::ACCOUNTS`].
pub fn account_key(account: &Account) -> String {
    storage::account_key(
        account.review_id().as_str(),
        account.participant_id().as_str(),
    )
}

/// Whether this browser already holds a review with this id (an import would replace it).
pub async fn local_review(id: &str) -> Result<Option<Review>, RepoError> {
    Ok(storage::get::<Review>(REVIEWS, id).await?)
}

/// Stores an imported review and its accounts in this browser, replacing a review with the same
/// id and the accounts of the same participants; other accounts this browser holds for the
/// review are kept. Accounts go first, so a review is never stored without them.
pub async fn import_review(review: &Review, accounts: &[Account]) -> Result<(), RepoError> {
    for account in accounts {
        let key = storage::account_key(
            account.review_id().as_str(),
            account.participant_id().as_str(),
        );
        storage::put(storage::ACCOUNTS, &key, account).await?;
    }
    storage::put(REVIEWS, review.id.as_str(), review).await?;
    Ok(())
}

/// The findings this browser's reviews have published, newest first.
pub async fn local_findings() -> Result<Vec<Finding>, RepoError> {
    // Read without the rest of each review: the feed's pages need no review model.
    let reviews: Vec<StoredFinding> = storage::all(REVIEWS).await?;
    let mut findings: Vec<Finding> = reviews
        .into_iter()
        .filter_map(StoredFinding::published)
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.published_at));
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_failure_while_syncing_is_this_browsers_not_a_server_refusal() {
        let e: api::Error = RepoError::Storage(StorageError("QuotaExceededError".into())).into();
        assert_eq!(e, api::Error::LocalStorage("QuotaExceededError".into()));
        assert_eq!(e.code(), None, "no server code");
        let refusal = api::Error::Unreachable("offline".into());
        assert_eq!(api::Error::from(RepoError::Api(refusal.clone())), refusal);
    }
}
