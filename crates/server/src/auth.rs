//! Who is calling: the bearer tokens the server hands out, and [`Member`], the extractor that
//! turns `Authorization: Bearer <token>` into a [`Caller`] of one review ([`Listener`] does the
//! same for the event stream, which may also take the token as `?token=`).
//!
//! A token is 256 bits from the operating system's CSPRNG, sent as 64 lowercase hex digits.
//! The server keeps only its SHA-256, so a copy of the database grants nothing; a token is
//! shown once, in the answer that creates it.

use crate::AppState;
use crate::error::{AppError, InternalError, Refusal};
use crate::store::{Grant, NewToken, Store, StoreError, TokenKind, TokenRecord};
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequestParts, Query, RawPathParams};
use axum::http::header;
use axum::http::request::Parts;
use mosaic_domain::{ParticipantId, ReviewId, Role, ValidationError};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Random bytes in a token or a server-chosen id.
const TOKEN_BYTES: usize = 32;

/// An authenticated caller: a facilitator or participant of one review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub review_id: ReviewId,
    pub role: Role,
}

impl Caller {
    pub fn is_author_of(&self, participant: &ParticipantId) -> bool {
        self.role == Role::Participant(participant.clone())
    }
}

/// A fresh token and the record that stores its hash.
pub fn new_token(
    kind: TokenKind,
    participant_id: Option<ParticipantId>,
) -> Result<(String, NewToken), AppError> {
    let token = random_hex(TOKEN_BYTES)?;
    let record = NewToken {
        hash: hash(&token),
        kind,
        participant_id,
    };
    Ok((token, record))
}

/// `bytes` random bytes from the OS, in lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, AppError> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf)
        .map_err(|e| AppError::Internal(InternalError::new(RandomFailed(e.to_string()))))?;
    Ok(hex::encode(buf))
}

/// What is stored for `token`: its SHA-256 in lowercase hex.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, thiserror::Error)]
#[error("the OS random number generator failed: {0}")]
struct RandomFailed(String);

/// The ids in a path, parsed: `{id}` (a review) and `{pid}` (a participant), when the route
/// has them. A handler never sees an id the domain would refuse.
#[derive(Clone, Debug, Default)]
pub struct PathIds {
    pub review: Option<ReviewId>,
    pub participant: Option<ParticipantId>,
}

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = match RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => params,
            Err(RawPathParamsRejection::MissingPathParams(_)) => return Ok(Self::default()),
            Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => {
                return Err(AppError::InvalidId(ValidationError::new(
                    "id",
                    "must be valid UTF-8 once percent-decoded",
                )));
            }
            Err(other) => return Err(AppError::Internal(InternalError::new(other))),
        };
        let mut ids = Self::default();
        for (key, value) in &params {
            match key {
                "id" => ids.review = Some(ReviewId::parse(value).map_err(AppError::InvalidId)?),
                "pid" => {
                    ids.participant = Some(ParticipantId::parse(value).map_err(|e| {
                        AppError::InvalidId(ValidationError::new("participant_id", e.message))
                    })?);
                }
                _ => {}
            }
        }
        Ok(ids)
    }
}

/// Extractor: the caller, authenticated by their bearer token and, when the path names a
/// review, authorised for that review. No, unknown or revoked token: 401. A valid token of
/// another review, or an invite token (which only joins): 403. The path's ids are checked
/// first, so a malformed id is a 400 whoever asks.
#[derive(Clone, Debug)]
pub struct Member(pub Caller);

impl FromRequestParts<AppState> for Member {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let TokenHolder { caller, .. } = TokenHolder::from_request_parts(parts, state).await?;
        Ok(Self(caller))
    }
}

/// Extractor: a [`Member`] and its token's hash, for a route that acts on the token itself
/// (replacing it). Only the `Authorization` header is read.
#[derive(Clone, Debug)]
pub struct TokenHolder {
    pub caller: Caller,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for TokenHolder {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ids = PathIds::from_request_parts(parts, state).await?;
        let (caller, token_hash) = authorize(state, ids, bearer(parts)).await?;
        Ok(Self { caller, token_hash })
    }
}

/// Extractor for the event stream: a [`Member`] whose token may also come as `?token=`,
/// because a browser's `EventSource` cannot send headers. (Only this route takes one there:
/// a query string is more easily copied into logs and histories.) The token's hash is kept so
/// the stream can check, as it goes on, that the token still grants the review.
#[derive(Clone, Debug)]
pub struct Listener {
    pub caller: Caller,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Listener {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        #[derive(Deserialize)]
        struct TokenQuery {
            token: Option<String>,
        }
        let ids = PathIds::from_request_parts(parts, state).await?;
        let query = Query::<TokenQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|Query(q)| q.token);
        let token = bearer(parts).or(query.as_deref());
        let (caller, token_hash) = authorize(state, ids, token).await?;
        Ok(Self { caller, token_hash })
    }
}

/// The caller `token` authenticates, authorised for the review in the path (see [`Member`]),
/// and the token's hash.
async fn authorize(
    state: &AppState,
    ids: PathIds,
    token: Option<&str>,
) -> Result<(Caller, String), AppError> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized)?;
    let token_hash = hash(token);
    let Some(grant) = state.store.grant(&token_hash).await? else {
        return Err(lost_token(&state.store, &token_hash).await?);
    };
    let caller = caller(grant)?.ok_or(AppError::Forbidden)?;
    match ids.review {
        Some(review) if review != caller.review_id => Err(AppError::Forbidden),
        _ => Ok((caller, token_hash)),
    }
}

/// Why a token grants nothing: a member's own revoked token says why (the facilitator removed
/// them, or their place moved to another browser); the token was theirs, so this tells nobody
/// else anything. Any other token (also one the facilitator revoked) is just invalid.
async fn lost_token(store: &Store, token_hash: &str) -> Result<AppError, AppError> {
    let Some(TokenRecord {
        kind: kind @ (TokenKind::Participant | TokenKind::Facilitator),
        participant_id,
        revoked: true,
        moved,
        review_id,
    }) = store.token_record(token_hash).await?
    else {
        return Ok(AppError::Unauthorized);
    };
    let Ok(review_id) = ReviewId::parse(&review_id) else {
        return Ok(AppError::Unauthorized);
    };
    let removed = match (kind, participant_id.map(|p| ParticipantId::parse(&p))) {
        (TokenKind::Participant, Some(Ok(pid))) => store
            .get_review(&review_id)
            .await?
            .is_some_and(|r| r.removal(&pid).is_some()),
        _ => false,
    };
    Ok(if removed {
        AppError::Person(Refusal::Removed)
    } else if moved {
        AppError::Person(Refusal::SignedOut)
    } else {
        AppError::Unauthorized
    })
}

/// Whether the token with this hash still makes exactly `expected`: not revoked, and (for a
/// participant) not removed, since removal revokes.
pub async fn still_grants(
    store: &Store,
    token_hash: &str,
    expected: &Caller,
) -> Result<bool, StoreError> {
    let grant = store.grant(token_hash).await?;
    Ok(grant.and_then(|g| caller(g).ok().flatten()).as_ref() == Some(expected))
}

/// The caller a grant makes; `None` for an invite, which is no member's credential.
fn caller(grant: Grant) -> Result<Option<Caller>, AppError> {
    let bad = |e: ValidationError| AppError::Internal(InternalError::new(BadGrant(e.message)));
    let review_id = ReviewId::parse(&grant.review_id).map_err(bad)?;
    let role = match (grant.kind, grant.participant_id) {
        (TokenKind::Facilitator, _) => Role::Facilitator,
        (TokenKind::Participant, Some(pid)) => {
            Role::Participant(ParticipantId::parse(&pid).map_err(bad)?)
        }
        (TokenKind::Participant, None) => {
            return Err(bad(ValidationError::new("participant_id", "is missing")));
        }
        (TokenKind::Invite, _) => return Ok(None),
    };
    Ok(Some(Caller { review_id, role }))
}

#[derive(Debug, thiserror::Error)]
#[error("a stored token grant is invalid: {0}")]
struct BadGrant(String);

/// The token of `Authorization: Bearer <token>`, if the header is there and well formed.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_hex_and_stored_hashed() {
        let (a, record) = new_token(TokenKind::Invite, None).unwrap();
        let (b, _) = new_token(TokenKind::Invite, None).unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(record.hash, hash(&a));
        assert_ne!(record.hash, a);
    }
}
