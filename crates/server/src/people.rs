//! Who comes into a review and how: what an invite link leads to, claiming one's own row,
//! personal invites, the shared invite's rotation, the facilitator's rules for newcomers, and
//! `me` (whose place a token is, for a browser resuming with a personal link).
//!
//! A person is one row: the facilitator may add them first (a pending row), and joining
//! through their personal invite, or choosing their row on the shared invite, takes that row
//! instead of adding another.

use crate::api::{INTERNAL_RETRIES, busy, current_review, now};
use crate::auth::{self, Member, PathIds, TokenHolder};
use crate::error::{AppError, InternalError, Refusal};
use crate::extract::Json;
use crate::store::{Committed, Store, TokenKind};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mosaic_domain::wire::{
    ClaimPlace, Facilitating, Invitation, JoinReview, Joined, Joining, JoiningRules, JoiningState,
    Me, NewInvite, OpenPlace, ReadInvitation, ReplacedToken,
};
use mosaic_domain::{
    EditError, OpError, ParticipantId, ParticipantInput, Phase, Review, ReviewId, ReviewOp, Role,
    ValidationError,
};

/// The most participants a facilitator may allow: far above any review, far below abuse.
const MAX_PARTICIPANTS: u32 = 500;

/// Refuses unless `token` is the review's live shared invite: 410 when it was replaced, 401
/// when it is none of this review's invites.
pub(crate) async fn check_shared_invite(
    store: &Store,
    review_id: &ReviewId,
    token: &str,
) -> Result<(), AppError> {
    match store.token_record(&auth::hash(token)).await? {
        Some(r) if r.kind == TokenKind::Invite && r.review_id == review_id.as_str() => {
            if r.revoked {
                Err(AppError::Person(Refusal::InviteReplaced))
            } else {
                Ok(())
            }
        }
        _ => Err(AppError::Unauthorized),
    }
}

/// Whether `review` takes a newcomer under its rules, and if not, why.
fn joining(review: &Review, rules: &JoiningRules) -> Joining {
    let phase = review.phase();
    if !matches!(phase, Phase::Setup | Phase::Investigating) {
        Joining::Over { phase }
    } else if !rules.open {
        Joining::Closed
    } else if let Some(max) = rules
        .max_participants
        .filter(|&max| review.participants().len() >= max as usize)
    {
        Joining::Full {
            max_participants: max,
        }
    } else {
        Joining::Open
    }
}

/// Refuses a newcomer the review does not take now (a new row, not a claim of one).
pub(crate) async fn check_room(store: &Store, review: &Review) -> Result<(), AppError> {
    let rules = store.joining_rules(&review.id).await?;
    match joining(review, &rules) {
        Joining::Open => Ok(()),
        Joining::Closed => Err(AppError::Person(Refusal::JoiningClosed)),
        Joining::Full { max_participants } => {
            Err(AppError::Person(Refusal::ReviewFull(max_participants)))
        }
        Joining::Over { phase } => Err(AppError::Person(Refusal::JoiningOver(phase))),
    }
}

/// `POST /api/v1/reviews/{id}/participants`: join with the invite token (the body is the
/// credential). The server picks the participant's id and adds them through the review's own
/// rules: 201 with their token; 401 for a bad invite, 410 for one that was replaced; 409 when
/// joining is closed, the review is full, the phase takes no newcomers, or someone with the
/// same name and role is in it.
pub async fn participants_create(
    State(store): State<Store>,
    ids: PathIds,
    Json(request): Json<JoinReview>,
) -> Result<Response, AppError> {
    let review_id = ids.review.ok_or(AppError::Unauthorized)?;
    check_shared_invite(&store, &review_id, &request.invite_token).await?;
    let participant = ParticipantInput {
        name: request.name,
        role: request.role,
        show_name_when_published: request.show_name_when_published,
    };
    for _ in 0..INTERNAL_RETRIES {
        let mut review = current_review(&store, &review_id).await?;
        check_room(&store, &review).await?;
        let base = review.version;
        let participant_id = ParticipantId::parse(&auth::random_hex(16)?)
            .map_err(|e| AppError::Internal(InternalError::new(e)))?;
        let now = now();
        let op = ReviewOp::AddParticipant {
            id: participant_id.clone(),
            participant: participant.clone(),
        };
        review.apply(&op, &[], now).map_err(|e| match e {
            OpError::Edit(EditError::Invalid { fields }) => AppError::Validation(fields),
            OpError::Edit(e @ EditError::SamePerson { .. }) => {
                AppError::Person(Refusal::SamePerson(e.to_string()))
            }
            e => AppError::Refused(StatusCode::CONFLICT, e.to_string()),
        })?;
        let (token, record) =
            auth::new_token(TokenKind::Participant, Some(participant_id.clone()))?;
        match store
            .commit_review(&review, base, None, Some(&record), None, now)
            .await?
        {
            Committed::Done => {
                let joined = Joined {
                    participant_id,
                    token,
                    review,
                };
                return Ok((StatusCode::CREATED, Json(joined)).into_response());
            }
            Committed::Stale | Committed::Replayed => continue,
        }
    }
    Err(busy())
}

/// The rows of `review` nobody has joined as.
async fn open_places(store: &Store, review: &Review) -> Result<Vec<OpenPlace>, AppError> {
    let joined = store.joined_participants(&review.id).await?;
    Ok(review
        .participants()
        .iter()
        .filter(|p| !joined.contains(&p.id))
        .map(|p| OpenPlace {
            participant_id: p.id.clone(),
            name: p.name.clone(),
            role: p.role.clone(),
        })
        .collect())
}

/// How long a facilitator link works, unused.
const FACILITATOR_LINK_HOURS: i64 = 24;

/// What a link's token is for in this review.
enum LinkToken {
    Shared,
    Personal(ParticipantId),
    /// A live facilitator link.
    Facilitator,
}

/// The oldest a live facilitator link can have been made.
fn facilitator_links_since() -> chrono::DateTime<chrono::Utc> {
    now() - chrono::TimeDelta::hours(FACILITATOR_LINK_HOURS)
}

/// Reads a link's token: the shared invite (410 if replaced), a live personal invite or a
/// live facilitator link (410 once used or too old); anything else is 401.
async fn link_token(
    store: &Store,
    review_id: &ReviewId,
    token: &str,
) -> Result<LinkToken, AppError> {
    let hash = auth::hash(token);
    if let Some((review, pid)) = store.personal_invite(&hash).await?
        && review == review_id.as_str()
        && let Ok(pid) = ParticipantId::parse(&pid)
    {
        return Ok(LinkToken::Personal(pid));
    }
    match store
        .facilitator_invite(review_id, &hash, facilitator_links_since())
        .await?
    {
        Some(true) => return Ok(LinkToken::Facilitator),
        Some(false) => return Err(AppError::Person(Refusal::FacilitatorLinkUsed)),
        None => {}
    }
    match check_shared_invite(store, review_id, token).await {
        Ok(()) => Ok(LinkToken::Shared),
        Err(AppError::Unauthorized) => Err(AppError::Person(Refusal::UnknownInvite)),
        Err(e) => Err(e),
    }
}

/// `POST /api/v1/reviews/{id}/invitation`: what the link with `token` leads to (title, team,
/// phase, whether joining is open, the rows one may take), before any form is filled in.
/// Nothing anybody wrote. 401 for a token that is no invite of this review, 410 for a
/// replaced shared invite.
pub async fn invitation_read(
    State(store): State<Store>,
    ids: PathIds,
    Json(request): Json<ReadInvitation>,
) -> Result<Json<Invitation>, AppError> {
    let review_id = ids.review.ok_or(AppError::Person(Refusal::UnknownInvite))?;
    let link = link_token(&store, &review_id, &request.token).await?;
    let review = current_review(&store, &review_id).await?;
    let rules = store.joining_rules(&review_id).await?;
    let places = open_places(&store, &review).await?;
    let facilitator = matches!(link, LinkToken::Facilitator);
    let (personal, open_places) = match link {
        // A personal invite may also be for a row someone holds: the facilitator's new link
        // for a person who lost their browser.
        LinkToken::Personal(pid) => (
            review.participant(&pid).map(|p| OpenPlace {
                participant_id: p.id.clone(),
                name: p.name.clone(),
                role: p.role.clone(),
            }),
            vec![],
        ),
        LinkToken::Shared if rules.open => (None, places),
        LinkToken::Shared | LinkToken::Facilitator => (None, vec![]),
    };
    Ok(Json(Invitation {
        title: review.facts.title().to_owned(),
        team: review.facts.team().to_owned(),
        phase: review.phase(),
        joining: joining(&review, &rules),
        personal,
        open_places,
        published: review.phase() == Phase::Published && review.finding().is_some(),
        facilitator,
    }))
}

/// `POST /api/v1/reviews/{id}/claims`: take one's own row. With a personal invite, its row;
/// with the shared invite (while joining is open), the row `participant_id` names. 201 with
/// the participant's own token; 409 when someone has joined as that row already; 404 for a row
/// that is not in the review.
pub async fn claims_create(
    State(store): State<Store>,
    ids: PathIds,
    Json(request): Json<ClaimPlace>,
) -> Result<Response, AppError> {
    let review_id = ids.review.ok_or(AppError::Person(Refusal::UnknownInvite))?;
    let link = link_token(&store, &review_id, &request.token).await?;
    let take_over = matches!(link, LinkToken::Personal(_));
    let participant_id = match link {
        LinkToken::Personal(pid) => pid,
        LinkToken::Facilitator => return Err(AppError::Person(Refusal::UnknownInvite)),
        LinkToken::Shared => {
            if !store.joining_rules(&review_id).await?.open {
                return Err(AppError::Person(Refusal::JoiningClosed));
            }
            request.participant_id.ok_or_else(|| {
                AppError::Validation(vec![ValidationError::new(
                    "participant_id",
                    "is required with the shared invite",
                )])
            })?
        }
    };
    let review = current_review(&store, &review_id).await?;
    if review.participant(&participant_id).is_none() {
        return Err(AppError::NotFound("This participant".to_owned()));
    }
    let (token, record) = auth::new_token(TokenKind::Participant, Some(participant_id.clone()))?;
    if !store.claim(&review_id, &record, take_over, now()).await? {
        return Err(AppError::Person(Refusal::AlreadyJoined));
    }
    let joined = Joined {
        participant_id,
        token,
        review,
    };
    Ok((StatusCode::CREATED, Json(joined)).into_response())
}

/// `POST /api/v1/reviews/{id}/participants/{pid}/invite`: the facilitator's personal invite
/// for one row (a newer one replaces it). For a row someone holds, it is a way back for a
/// person who lost their browser: using it signs their other browsers out.
pub async fn personal_invite_create(
    State(store): State<Store>,
    Member(caller): Member,
    ids: PathIds,
) -> Result<Json<NewInvite>, AppError> {
    if caller.role != Role::Facilitator {
        return Err(AppError::Forbidden);
    }
    let participant_id = ids
        .participant
        .ok_or_else(|| AppError::NotFound("This participant".to_owned()))?;
    let review = current_review(&store, &caller.review_id).await?;
    if review.participant(&participant_id).is_none() {
        return Err(AppError::NotFound("This participant".to_owned()));
    }
    let token = auth::random_hex(32)?;
    store
        .put_personal_invite(
            &caller.review_id,
            &participant_id,
            &auth::hash(&token),
            now(),
        )
        .await?;
    Ok(Json(NewInvite { token }))
}

/// `POST /api/v1/reviews/{id}/invite`: the facilitator replaces the shared invite; the old
/// link is answered 410 from then on. 200 with the new token, shown only here.
pub async fn invite_rotate(
    State(store): State<Store>,
    Member(caller): Member,
) -> Result<Json<NewInvite>, AppError> {
    if caller.role != Role::Facilitator {
        return Err(AppError::Forbidden);
    }
    let (token, record) = auth::new_token(TokenKind::Invite, None)?;
    store
        .rotate_invite(&caller.review_id, &record, now())
        .await?;
    Ok(Json(NewInvite { token }))
}

/// `GET /api/v1/reviews/{id}/joining`: the facilitator's rules for newcomers, and who has
/// joined as themselves.
pub async fn joining_get(
    State(store): State<Store>,
    Member(caller): Member,
) -> Result<Json<JoiningState>, AppError> {
    if caller.role != Role::Facilitator {
        return Err(AppError::Forbidden);
    }
    Ok(Json(JoiningState {
        rules: store.joining_rules(&caller.review_id).await?,
        joined: store.joined_participants(&caller.review_id).await?,
    }))
}

/// `PUT /api/v1/reviews/{id}/joining`: the facilitator opens or closes joining and sets the
/// most participants allowed (1 to 500, or none). Rows already there stay.
pub async fn joining_put(
    State(store): State<Store>,
    Member(caller): Member,
    Json(rules): Json<JoiningRules>,
) -> Result<Json<JoiningRules>, AppError> {
    if caller.role != Role::Facilitator {
        return Err(AppError::Forbidden);
    }
    if rules
        .max_participants
        .is_some_and(|m| !(1..=MAX_PARTICIPANTS).contains(&m))
    {
        return Err(AppError::Validation(vec![ValidationError::new(
            "max_participants",
            format!("must be from 1 to {MAX_PARTICIPANTS}"),
        )]));
    }
    store.set_joining_rules(&caller.review_id, &rules).await?;
    Ok(Json(rules))
}

/// `GET /api/v1/reviews/{id}/me`: who the caller's token makes them, and the review: how a
/// browser opening a personal resume link learns whose place it is.
pub async fn me_get(
    State(store): State<Store>,
    Member(caller): Member,
) -> Result<Json<Me>, AppError> {
    let review = current_review(&store, &caller.review_id).await?;
    Ok(Json(Me {
        role: caller.role,
        review,
    }))
}

/// `POST /api/v1/reviews/{id}/facilitator-links`: a one-time link that makes its holder a
/// facilitator of the review (a co-facilitator, or the facilitator on another device). It
/// works once, within a day. Facilitators only.
pub async fn facilitator_link_create(
    State(store): State<Store>,
    Member(caller): Member,
) -> Result<Response, AppError> {
    if caller.role != Role::Facilitator {
        return Err(AppError::Forbidden);
    }
    let token = auth::random_hex(32)?;
    store
        .put_facilitator_invite(&caller.review_id, &auth::hash(&token), now())
        .await?;
    Ok((StatusCode::CREATED, Json(NewInvite { token })).into_response())
}

/// `POST /api/v1/reviews/{id}/facilitators`: use a facilitator link. 201 with the new
/// facilitator's own token; 410 when the link was used or is too old; 401 for a token that
/// is no facilitator link of this review.
pub async fn facilitators_create(
    State(store): State<Store>,
    ids: PathIds,
    Json(request): Json<ReadInvitation>,
) -> Result<Response, AppError> {
    let review_id = ids.review.ok_or(AppError::Person(Refusal::UnknownInvite))?;
    let LinkToken::Facilitator = link_token(&store, &review_id, &request.token).await? else {
        return Err(AppError::Person(Refusal::UnknownInvite));
    };
    let review = current_review(&store, &review_id).await?;
    let (token, record) = auth::new_token(TokenKind::Facilitator, None)?;
    let used = store
        .claim_facilitator_invite(
            &review_id,
            &auth::hash(&request.token),
            facilitator_links_since(),
            &record,
            now(),
        )
        .await?;
    if !used {
        return Err(AppError::Person(Refusal::FacilitatorLinkUsed));
    }
    Ok((StatusCode::CREATED, Json(Facilitating { token, review })).into_response())
}

/// `POST /api/v1/reviews/{id}/me/token`: the caller's token is replaced by a new one of the
/// same role, in one transaction: a person who moved to this browser signs their other one
/// out (it is answered 401 `signed_out` from then on), or a facilitator replaces a key that
/// may have been seen. 200 with the new token, shown only here.
pub async fn own_token_replace(
    State(store): State<Store>,
    TokenHolder { caller, token_hash }: TokenHolder,
) -> Result<Json<ReplacedToken>, AppError> {
    let (kind, participant) = match &caller.role {
        Role::Facilitator => (TokenKind::Facilitator, None),
        Role::Participant(pid) => (TokenKind::Participant, Some(pid.clone())),
    };
    let (token, record) = auth::new_token(kind, participant)?;
    if !store
        .replace_token(&caller.review_id, &token_hash, &record, now())
        .await?
    {
        // Replaced by a request racing this one: this token no longer holds.
        return Err(AppError::Person(Refusal::SignedOut));
    }
    Ok(Json(ReplacedToken { token }))
}
