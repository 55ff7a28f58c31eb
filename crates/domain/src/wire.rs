//! The JSON shapes of the `/api/v1` API, shared by the browser app and the server.
//!
//! Inputs deny unknown fields: a misspelt field is an error the caller hears about, not a value
//! silently dropped. Converting an input into domain types is where validation happens
//! (`TryFrom`), so a handler never holds an unchecked value.

use crate::id::ReviewId;
use crate::review::{FactsInput, IncidentFacts, Review, Severity};
use crate::validation::ValidationError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/reviews`: create a review. The id is the client's, so a review made offline
/// keeps its identity when it syncs; creating the same id twice is refused with 409.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateReview {
    pub id: String,
    pub title: String,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub started_at: DateTime<Utc>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::time_option"
    )]
    pub detected_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::time_option"
    )]
    pub resolved_at: Option<DateTime<Utc>>,
    pub severity: Severity,
    pub team: String,
    #[serde(default)]
    pub services: Vec<String>,
}

impl CreateReview {
    /// The request that would create `review` on a server.
    pub fn from_review(review: &Review) -> Self {
        let f = &review.facts;
        Self {
            id: review.id.to_string(),
            title: f.title().to_owned(),
            started_at: f.started_at(),
            detected_at: f.detected_at(),
            resolved_at: f.resolved_at(),
            severity: f.severity(),
            team: f.team().to_owned(),
            services: f.services().to_vec(),
        }
    }
}

/// A validated [`CreateReview`].
#[derive(Clone, Debug, PartialEq)]
pub struct NewReview {
    pub id: ReviewId,
    pub facts: IncidentFacts,
}

impl TryFrom<CreateReview> for NewReview {
    type Error = Vec<ValidationError>;

    fn try_from(dto: CreateReview) -> Result<Self, Self::Error> {
        let id = ReviewId::parse(&dto.id);
        let facts = IncidentFacts::new(FactsInput {
            title: dto.title,
            started_at: Some(dto.started_at),
            detected_at: dto.detected_at,
            resolved_at: dto.resolved_at,
            severity: Some(dto.severity),
            team: dto.team,
            services: dto.services,
            ..FactsInput::default()
        });
        match (id, facts) {
            (Ok(id), Ok(facts)) => Ok(Self { id, facts }),
            (id, facts) => {
                let mut errors: Vec<ValidationError> = id.err().into_iter().collect();
                errors.extend(facts.err().unwrap_or_default());
                Err(errors)
            }
        }
    }
}

/// `201` answer to `POST /api/v1/reviews`: the stored review and the two credentials the
/// creator gets, once: the facilitator's own token and the invite token to share with
/// participants. The server keeps only their hashes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedReview {
    pub review: Review,
    pub facilitator_token: String,
    pub invite_token: String,
}

/// `POST /api/v1/reviews/{id}/participants`: join a review with its invite token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinReview {
    pub invite_token: String,
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub show_name_when_published: bool,
}

/// `POST /api/v1/reviews/{id}/claims`: take one's own row among the review's participants
/// instead of adding a new one. `token` is either a personal invite (it names the row) or
/// the shared invite, with `participant_id` naming a row nobody has joined as yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimPlace {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<crate::id::ParticipantId>,
}

/// `POST /api/v1/reviews/{id}/invitation`: what an invite link leads to, asked with the
/// link's token (shared or personal) before anyone fills in a form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadInvitation {
    pub token: String,
}

/// Whether a review takes newcomers now, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Joining {
    Open,
    /// The facilitator closed joining.
    Closed,
    /// The review has as many participants as the facilitator allowed.
    Full {
        max_participants: u32,
    },
    /// The accounts were revealed (or the review went further): newcomers would not be
    /// independent any more.
    Over {
        phase: crate::phase::Phase,
    },
}

/// Someone the facilitator added whom nobody has joined as yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPlace {
    pub participant_id: crate::id::ParticipantId,
    pub name: String,
    pub role: String,
}

/// `200` answer to [`ReadInvitation`]: enough for a person to know what they are joining.
/// Nothing sealed, nothing anybody wrote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub title: String,
    pub team: String,
    pub phase: crate::phase::Phase,
    pub joining: Joining,
    /// For a personal invite: the row it was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<OpenPlace>,
    /// For the shared invite: the rows nobody has joined as yet.
    #[serde(default)]
    pub open_places: Vec<OpenPlace>,
    /// Whether the review's finding is published (in the feed, under the review's id).
    #[serde(default)]
    pub published: bool,
    /// For a facilitator link: the holder is asked to facilitate, not to take part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub facilitator: bool,
}

/// `GET`/`PUT /api/v1/reviews/{id}/joining`: the facilitator's rules for newcomers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoiningRules {
    pub open: bool,
    /// The most participants the review takes; `None`: no limit.
    #[serde(default)]
    pub max_participants: Option<u32>,
}

impl Default for JoiningRules {
    fn default() -> Self {
        Self {
            open: true,
            max_participants: None,
        }
    }
}

/// `GET /api/v1/reviews/{id}/joining`'s answer: the rules, and who has joined as themselves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoiningState {
    pub rules: JoiningRules,
    /// The participants someone has joined as (by link, claim or personal invite).
    pub joined: Vec<crate::id::ParticipantId>,
}

/// `200` answer to `POST /api/v1/reviews/{id}/invite` (a new shared invite; the old one stops
/// working) and to `POST …/participants/{pid}/invite` (a personal invite for one row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvite {
    pub token: String,
}

/// `GET /api/v1/reviews/{id}/me`: who the caller's token makes them, with the review. A
/// browser resuming with a personal link learns here whose place it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub role: crate::op::Role,
    pub review: Review,
}

/// `201` answer to `POST /api/v1/reviews/{id}/facilitators` (using a facilitator link): the
/// new facilitator's own token and the review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Facilitating {
    pub token: String,
    pub review: Review,
}

/// `200` answer to `POST /api/v1/reviews/{id}/me/token`: the caller's new token, which
/// replaces the one they sent (that one is revoked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacedToken {
    pub token: String,
}

/// `201` answer to a join: who the newcomer is in the review, and their own token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Joined {
    pub participant_id: crate::id::ParticipantId,
    pub token: String,
    pub review: Review,
}

/// `POST /api/v1/reviews/{id}/ops`: one change to the shared review, made conditionally.
///
/// `op_id` is the client's id for this change (a UUID in practice, 1 to 64 letters, digits,
/// `-` or `_`): the server applies an op id at most once per review, so a retried request is
/// answered with the current review and changes nothing. `base_version` is the version the
/// client made the change against: required (428 without), and it must be the current one (412
/// with the current review otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyOp {
    pub op_id: String,
    #[serde(default)]
    pub base_version: Option<u64>,
    pub op: crate::op::ReviewOp,
}

impl ApplyOp {
    /// The op id, checked: it becomes part of a storage key.
    pub fn checked_op_id(&self) -> Result<&str, ValidationError> {
        crate::id::check(&self.op_id)
            .map(|()| self.op_id.as_str())
            .map_err(|e| ValidationError::new("op_id", e.message))
    }
}

/// `412` answer to an op made against an old version: the review as it is now, so the client
/// can rebase its change and retry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stale {
    /// Always `"stale"`.
    pub error: String,
    pub message: String,
    pub current: Review,
}

/// `412` answer to an account write made against an old version: the stored account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaleAccount {
    /// Always `"stale"`.
    pub error: String,
    pub message: String,
    pub current: crate::account::Account,
}

/// `200` answer to `POST /api/v1/reviews/{id}/accounts/{pid}/submit`: the sealed account and
/// the review that now records its commitment, written together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submitted {
    pub account: crate::account::Account,
    pub review: Review,
}

/// `GET /api/v1/reviews/{id}/accounts`: exactly the accounts the caller may read: their own,
/// and after the reveal every submitted one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountList {
    pub accounts: Vec<crate::account::Account>,
}

/// `GET /api/v1/reviews`: the one review the caller's token grants (nobody lists others').
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewList {
    pub reviews: Vec<Review>,
}

/// Every error the API returns has this shape, whatever its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable, machine-readable code such as `invalid_json` or `not_found`.
    pub error: String,
    /// A sentence for a person.
    pub message: String,
    /// Per-field problems, when the input parsed but did not validate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ValidationError>,
    /// The id the server gave the request (also its `X-Request-Id` header and in each of its
    /// log lines), for a person to quote when asking for help. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `PUT /api/v1/reviews/{id}/timebox`: start a timebox of `minutes` for the current phase
/// (replacing any); `POST …/timebox/extend`: add `minutes` to it. The facilitator's only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeboxMinutes {
    pub minutes: u32,
}

/// `PUT /api/v1/reviews/{id}/hands/{pid}`: the participant raises their own hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaiseHand {
    pub reason: crate::room::HandReason,
}

/// `PUT /api/v1/reviews/{id}/room`: the facilitator's room setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomSettings {
    /// Participants see who is still writing; when false, only how many.
    pub participants_see_writing: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> serde_json::Value {
        json!({
            "id": "r-1",
            "title": "DNS outage",
            "started_at": "2026-11-01T10:00:00Z",
            "severity": "sev1",
            "team": "Edge",
            "services": ["dns"]
        })
    }

    #[test]
    fn a_valid_request_becomes_a_new_review() {
        let dto: CreateReview = serde_json::from_value(body()).unwrap();
        let new = NewReview::try_from(dto).unwrap();
        assert_eq!(new.id.as_str(), "r-1");
        assert_eq!(new.facts.services(), ["dns"]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut b = body();
        b["colour"] = json!("red");
        let err = serde_json::from_value::<CreateReview>(b).unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
    }

    #[test]
    fn id_and_fact_errors_are_reported_together() {
        let mut b = body();
        b["id"] = json!("no spaces");
        b["title"] = json!("");
        let dto: CreateReview = serde_json::from_value(b).unwrap();
        let fields: Vec<_> = NewReview::try_from(dto)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["id", "title"]);
    }

    #[test]
    fn from_review_round_trips() {
        let dto: CreateReview = serde_json::from_value(body()).unwrap();
        let new = NewReview::try_from(dto.clone()).unwrap();
        let review = Review::new(new.id, new.facts, DateTime::UNIX_EPOCH);
        assert_eq!(CreateReview::from_review(&review), dto);
    }

    /// The request id is optional both ways: an older server's body still reads, and a body
    /// without one is written without the key.
    #[test]
    fn error_bodies_read_with_or_without_a_request_id() {
        let old: ErrorBody =
            serde_json::from_value(json!({"error": "not_found", "message": "Gone."})).unwrap();
        assert_eq!(old.request_id, None);
        assert_eq!(
            serde_json::to_value(&old).unwrap(),
            json!({"error": "not_found", "message": "Gone."})
        );
        let new: ErrorBody = serde_json::from_value(
            json!({"error": "internal", "message": "Oops.", "request_id": "0123456789abcdef"}),
        )
        .unwrap();
        assert_eq!(new.request_id.as_deref(), Some("0123456789abcdef"));
    }
}
