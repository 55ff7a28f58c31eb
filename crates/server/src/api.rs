//! The `/api/v1` handlers and `/healthz`. Each one turns a request into a [`Store`] call; the
//! rules live in `mosaic_domain`, reached through `wire`'s `TryFrom` conversions.

use crate::auth::{self, Caller, Member, PathIds};
use crate::error::{AppError, InternalError};
use crate::extract::Json;
use crate::store::{AppliedOp, Committed, Inserted, Store, TokenKind};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Timelike, Utc};
use mosaic_domain::wire::{
    AccountList, ApplyOp, CreateReview, CreatedReview, NewReview, ReviewList, Stale, StaleAccount,
    Submitted,
};
use mosaic_domain::{Account, AccountInput, ParticipantId, Review, ReviewId, ReviewOp, Role};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// How many times a write the client did not make conditional (a join, a submission) is
/// retried when another write got in first. Each retry re-reads and re-checks everything.
pub(crate) const INTERNAL_RETRIES: usize = 16;

/// `POST /api/v1/reviews`: 201 with the stored review, its `Location`, and the facilitator's
/// and the invite's tokens (shown only here); 409 if the id is taken (the existing review is
/// untouched); 422 with every bad field if the domain refuses it.
pub async fn reviews_create(
    State(store): State<Store>,
    Json(request): Json<CreateReview>,
) -> Result<impl IntoResponse, AppError> {
    let new = NewReview::try_from(request).map_err(AppError::Validation)?;
    let now = now();
    let review = Review::new(new.id, new.facts, now);
    let (facilitator_token, facilitator) = auth::new_token(TokenKind::Facilitator, None)?;
    let (invite_token, invite) = auth::new_token(TokenKind::Invite, None)?;
    match store
        .create_review(&review, &[facilitator, invite], now)
        .await?
    {
        Inserted::Created => {
            let location = format!("/api/v1/reviews/{}", review.id);
            Ok((
                StatusCode::CREATED,
                [(header::LOCATION, location)],
                Json(CreatedReview {
                    review,
                    facilitator_token,
                    invite_token,
                }),
            ))
        }
        Inserted::IdTaken => Err(AppError::AlreadyExists(review.id.to_string())),
    }
}

/// `GET /api/v1/reviews`: the one review the caller's token grants, so nobody can list
/// anyone else's reviews.
pub async fn reviews_list(
    State(store): State<Store>,
    Member(caller): Member,
) -> Result<Json<ReviewList>, AppError> {
    let reviews = store
        .get_review(&caller.review_id)
        .await?
        .into_iter()
        .collect();
    Ok(Json(ReviewList { reviews }))
}

/// `GET /api/v1/reviews/{id}`: the review with its version as `ETag`, for its facilitator and
/// participants.
pub async fn reviews_get(
    State(store): State<Store>,
    Member(caller): Member,
) -> Result<Response, AppError> {
    let review = current_review(&store, &caller.review_id).await?;
    Ok(tagged(StatusCode::OK, review.version, &review))
}

/// `POST /api/v1/reviews/{id}/ops`: one conditional change to the review, by the caller's
/// role. 403 if the role may not make it; 428 without `base_version`; 412 with the current
/// review if it is not the current version; 422 with the domain's reason if the rules refuse
/// it (nothing changes); 200 with the new review otherwise. An op id already applied is
/// answered 200 with the current review and applied no second time; the same op id with a
/// different op is 409 `op_id_reused`. Removing a participant revokes their token and deletes
/// their account in the same transaction.
pub async fn ops_create(
    State(store): State<Store>,
    Member(caller): Member,
    Json(request): Json<ApplyOp>,
) -> Result<Response, AppError> {
    let op_id = request
        .checked_op_id()
        .map_err(|e| AppError::Validation(vec![e]))?;
    if !request.op.permitted(&caller.role) {
        return Err(AppError::Forbidden);
    }
    let base = request.base_version.ok_or(AppError::PreconditionRequired(
        "the `base_version` it was made against",
    ))?;
    let id = &caller.review_id;
    let digest = op_digest(&request.op)?;
    if let Some(applied) = store.applied_op(id, op_id).await? {
        return replayed(&store, id, op_id, applied.as_deref(), &digest).await;
    }
    let mut review = current_review(&store, id).await?;
    if review.version != base {
        return Ok(stale(base, review));
    }
    // Only sealed accounts, from the server's own store: what the rules may combine.
    let accounts = store.accounts(id, true).await?;
    let now = now();
    review
        .apply(&request.op, &accounts, now)
        .map_err(|e| AppError::Refused(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let applied = AppliedOp {
        id: op_id,
        digest: &digest,
    };
    // A participant who is removed loses their token with the same write.
    let removed = match &request.op {
        ReviewOp::RemoveParticipant { id } => Some(id),
        _ => None,
    };
    match store
        .commit_review(&review, base, Some(applied), None, removed, now)
        .await?
    {
        Committed::Done => Ok(tagged(StatusCode::OK, review.version, &review)),
        Committed::Replayed => {
            // Another request with this op id got in first: answered as if it came before.
            let applied = store.applied_op(id, op_id).await?.flatten();
            replayed(&store, id, op_id, applied.as_deref(), &digest).await
        }
        Committed::Stale => Ok(stale(base, current_review(&store, id).await?)),
    }
}

/// The SHA-256 (hex) of an op's body as the server reads it: what an op id is bound to.
fn op_digest(op: &ReviewOp) -> Result<String, AppError> {
    let body = serde_json::to_vec(op).map_err(|e| AppError::Internal(InternalError::new(e)))?;
    Ok(hex::encode(Sha256::digest(body)))
}

/// The answer to an op id already applied: the current review when the body is the same (a
/// retry, applied no second time), 409 `op_id_reused` when it is a different change.
async fn replayed(
    store: &Store,
    id: &ReviewId,
    op_id: &str,
    applied: Option<&str>,
    digest: &str,
) -> Result<Response, AppError> {
    if applied.is_some_and(|applied| applied != digest) {
        return Err(AppError::OpIdReused(op_id.to_owned()));
    }
    let review = current_review(store, id).await?;
    Ok(tagged(StatusCode::OK, review.version, &review))
}

/// `PUT /api/v1/reviews/{id}/accounts/{pid}`: the author stores a draft of their account,
/// conditionally: `If-Match: "<version>"` (`"0"` when there is none yet) is required (428),
/// must be the stored version (412 with the stored account), and a sealed account is never
/// overwritten (409). The body is an [`AccountInput`], built into the account by the editor's
/// own rules (422 naming every bad field, nothing stored), and only before the reveal (409
/// after it). 200 with the account at its new version.
pub async fn accounts_put(
    State(store): State<Store>,
    Member(caller): Member,
    ids: PathIds,
    headers: HeaderMap,
    Json(input): Json<AccountInput>,
) -> Result<Response, AppError> {
    let (review_id, participant_id) = account_path(&caller, ids)?;
    if !caller.is_author_of(&participant_id) {
        return Err(AppError::Forbidden);
    }
    let base = if_match(&headers)?;
    let mut account = input
        .into_account(&review_id, &participant_id)
        .map_err(AppError::Validation)?;
    let stored = store.get_account(&review_id, &participant_id).await?;
    if let Some(refusal) = refuse_account_write(stored, base, &review_id, &participant_id) {
        return Ok(refusal);
    }
    current_review(&store, &review_id)
        .await?
        .accepts_account_drafts()
        .map_err(|e| AppError::Refused(StatusCode::CONFLICT, e.to_string()))?;
    account.set_stored_version(base + 1);
    if store.put_account(&account, base, now()).await? {
        return Ok(tagged(StatusCode::OK, account.version(), &account));
    }
    // Another write got in first: answer as if it had come before this request.
    let stored = store.get_account(&review_id, &participant_id).await?;
    Ok(
        refuse_account_write(stored, base, &review_id, &participant_id)
            .unwrap_or_else(|| busy().into_response()),
    )
}

/// Why a write of an account at `base` cannot land on `stored`, as the answer to send.
fn refuse_account_write(
    stored: Option<Account>,
    base: u64,
    review_id: &ReviewId,
    participant_id: &ParticipantId,
) -> Option<Response> {
    if let Some(at) = stored.as_ref().and_then(Account::submitted_at) {
        let message = mosaic_domain::AccountError::Submitted { at }.to_string();
        return Some(AppError::Sealed(message).into_response());
    }
    let current = stored.unwrap_or_else(|| {
        let mut none = Account::new(review_id.clone(), participant_id.clone());
        none.set_stored_version(0);
        none
    });
    (current.version() != base).then(|| {
        let body = StaleAccount {
            error: "stale".to_owned(),
            message: format!(
                "The account has changed since version {base}: it is now at version {}.",
                current.version()
            ),
            current,
        };
        (StatusCode::PRECONDITION_FAILED, Json(body)).into_response()
    })
}

/// `POST /api/v1/reviews/{id}/accounts/{pid}/submit`: the author seals the server's stored
/// copy of their account, and the review records its commitment, in one transaction: 200 with
/// both. Submitting an account already sealed and recorded answers the same 200 again.
pub async fn accounts_submit(
    State(store): State<Store>,
    Member(caller): Member,
    ids: PathIds,
) -> Result<Response, AppError> {
    let (review_id, participant_id) = account_path(&caller, ids)?;
    if !caller.is_author_of(&participant_id) {
        return Err(AppError::Forbidden);
    }
    for _ in 0..INTERNAL_RETRIES {
        let Some(mut account) = store.get_account(&review_id, &participant_id).await? else {
            let message = mosaic_domain::AccountError::Empty.to_string();
            return Err(AppError::Refused(StatusCode::UNPROCESSABLE_ENTITY, message));
        };
        let mut review = current_review(&store, &review_id).await?;
        if account.is_submitted() {
            let recorded = review
                .submission(&participant_id)
                .map(|s| s.commitment.as_str());
            if recorded.is_some() && recorded == account.commitment() {
                let body = Submitted { account, review };
                return Ok((StatusCode::OK, Json(body)).into_response());
            }
        }
        let account_base = account.version();
        let review_base = review.version;
        let now = now();
        account.submit(now).map_err(|e| match e {
            mosaic_domain::AccountError::Submitted { .. } => AppError::Sealed(e.to_string()),
            e => AppError::Refused(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        })?;
        review
            .record_submission(&account, now)
            .map_err(|e| AppError::Refused(StatusCode::CONFLICT, e.to_string()))?;
        if store
            .commit_submission(&account, account_base, &review, review_base, now)
            .await?
        {
            let body = Submitted { account, review };
            return Ok((StatusCode::OK, Json(body)).into_response());
        }
    }
    Err(busy())
}

/// `GET /api/v1/reviews/{id}/accounts/{pid}`: the author's own account always; anyone else's
/// only once revealed, and only as sealed and recorded. Every other case is the same 404,
/// whether the account exists or not.
pub async fn accounts_get(
    State(store): State<Store>,
    Member(caller): Member,
    ids: PathIds,
) -> Result<Response, AppError> {
    let (review_id, participant_id) = account_path(&caller, ids)?;
    let account = if caller.is_author_of(&participant_id) {
        store.get_account(&review_id, &participant_id).await?
    } else {
        let review = current_review(&store, &review_id).await?;
        let sealed = store.accounts(&review_id, true).await?;
        readable_by_others(&review, &sealed)
            .into_iter()
            .find(|a| a.participant_id() == &participant_id)
    };
    match account {
        Some(account) => Ok(tagged(StatusCode::OK, account.version(), &account)),
        None => Err(account_not_found()),
    }
}

/// `GET /api/v1/reviews/{id}/accounts`: exactly the accounts the caller may read.
pub async fn accounts_list(
    State(store): State<Store>,
    Member(caller): Member,
) -> Result<Json<AccountList>, AppError> {
    let review = current_review(&store, &caller.review_id).await?;
    let sealed = store.accounts(&caller.review_id, true).await?;
    let mut accounts = Vec::new();
    if let Role::Participant(me) = &caller.role
        && let Some(own) = store.get_account(&caller.review_id, me).await?
    {
        accounts.push(own);
    }
    for account in readable_by_others(&review, &sealed) {
        if !accounts
            .iter()
            .any(|a| a.participant_id() == account.participant_id())
        {
            accounts.push(account);
        }
    }
    Ok(Json(AccountList { accounts }))
}

/// `DELETE /api/v1/reviews/{id}/participants/{pid}/token`: the facilitator revokes a
/// participant's token; from then on it is answered 401. 204, also when there was none.
pub async fn participant_token_delete(
    State(store): State<Store>,
    Member(caller): Member,
    ids: PathIds,
) -> Result<StatusCode, AppError> {
    let (review_id, participant_id) = account_path(&caller, ids)?;
    if caller.role != Role::Facilitator {
        return Err(AppError::Forbidden);
    }
    store
        .revoke_participant_tokens(&review_id, &participant_id, now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The accounts of `review` anyone in it may read: none before the reveal, then the sealed
/// ones whose content matches the commitment the review recorded.
fn readable_by_others(review: &Review, sealed: &[Account]) -> Vec<Account> {
    review
        .revealed(sealed)
        .map(|view| view.accounts().iter().map(|a| (*a).clone()).collect())
        .unwrap_or_default()
}

/// The one answer for every account a caller may not read, so that it says nothing about
/// whether the account exists.
fn account_not_found() -> AppError {
    AppError::NotFound("This account".to_owned())
}

/// The review and participant ids of an account route.
fn account_path(caller: &Caller, ids: PathIds) -> Result<(ReviewId, ParticipantId), AppError> {
    match ids.participant {
        Some(participant) => Ok((caller.review_id.clone(), participant)),
        None => Err(AppError::Internal(InternalError::new(NoParticipantInPath))),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a participant route has no {{pid}} in its path")]
struct NoParticipantInPath;

/// The version in `If-Match: "<version>"`: 428 without it, 400 if it is not one.
fn if_match(headers: &HeaderMap) -> Result<u64, AppError> {
    let value = headers
        .get(header::IF_MATCH)
        .ok_or(AppError::PreconditionRequired(
            "`If-Match: \"<version>\"` (`\"0\"` for a new account)",
        ))?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().strip_prefix('"')?.strip_suffix('"')?.parse().ok())
        .ok_or_else(|| {
            AppError::InvalidHeader(
                "`If-Match` must be a version in double quotes, such as `\"3\"`.".to_owned(),
            )
        })
}

/// The stored review the caller's token is for; 404 if it has gone.
pub(crate) async fn current_review(store: &Store, id: &ReviewId) -> Result<Review, AppError> {
    store
        .get_review(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Review `{id}`")))
}

/// A JSON answer with its version as a strong `ETag`.
pub(crate) fn tagged<T: Serialize>(status: StatusCode, version: u64, body: &T) -> Response {
    (
        status,
        [(header::ETAG, format!("\"{version}\""))],
        axum::Json(body),
    )
        .into_response()
}

/// `412` for an op made against `base`, with the review as it is.
fn stale(base: u64, current: Review) -> Response {
    let body = Stale {
        error: "stale".to_owned(),
        message: format!(
            "The review has changed since version {base}: it is now at version {}.",
            current.version
        ),
        current,
    };
    (StatusCode::PRECONDITION_FAILED, Json(body)).into_response()
}

/// Other writers kept getting in first; the client may simply retry.
pub(crate) fn busy() -> AppError {
    AppError::Unavailable(InternalError::new(Busy))
}

#[derive(Debug)]
struct Busy;

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "lost {INTERNAL_RETRIES} races for the same document")
    }
}

impl std::error::Error for Busy {}

/// Any `/api` path that matches no route: a JSON 404, never the app's `index.html`, so a
/// client calling a wrong URL gets an error it can read instead of a page of HTML.
pub fn api_not_found() -> AppError {
    AppError::NotFound("This API path".to_owned())
}

/// A known API path with the wrong method.
pub async fn api_method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// The current time, cut to whole microseconds: PostgreSQL keeps no finer, so cutting here
/// makes a review's stored times and the times the client is sent the same on both backends.
pub(crate) fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}
