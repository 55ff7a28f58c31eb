//! [`AppError`]: every way a request can fail, and the one JSON shape ([`ErrorBody`]) each
//! failure is answered with.
//!
//! Bad input is answered with its own status and a message that helps the caller fix it.
//! Internal failures are answered with a generic 500 (or 503) and their detail is carried to
//! [`log_internal_errors`] in a response extension, so it is logged exactly once, with the
//! request it belongs to, and never sent to the client.

use crate::metrics::ErrorCode;
use crate::store::StoreError;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mosaic_domain::ValidationError;
use mosaic_domain::wire::ErrorBody;
use std::fmt;
use std::sync::Arc;

/// A failed request. Handlers return `Result<_, AppError>`; extractors reject with it too, so
/// no plain-text axum rejection ever reaches a client.
#[derive(Debug)]
pub enum AppError {
    /// 400: the body is not JSON at all.
    InvalidJson(String),
    /// 422: the body is JSON but not the expected shape (unknown, missing or mistyped field).
    InvalidBody(String),
    /// 415: the request did not say `Content-Type: application/json`.
    UnsupportedMediaType,
    /// 413: the body is over [`crate::MAX_BODY_BYTES`].
    BodyTooLarge,
    /// The body could not be read (the client went away, say); the status is the one axum chose.
    UnreadableBody(StatusCode, String),
    /// 400: the id in the path is not a valid review id.
    InvalidId(ValidationError),
    /// 400: a query parameter is unknown, repeated, or not of its type; `field` names it.
    InvalidQuery(ValidationError),
    /// 422: the input parsed, but the domain refused it; one entry per bad field.
    Validation(Vec<ValidationError>),
    /// 404, with what was not found.
    NotFound(String),
    /// 409: a review with this id already exists.
    AlreadyExists(String),
    /// 401: no token, or one the server does not know or has revoked.
    Unauthorized,
    /// 401: the server was started with an organisation access key and the request lacks it.
    AccessKeyRequired,
    /// 403: a valid token that does not grant this (another review's, or another role's).
    Forbidden,
    /// 428: a write that must be conditional came without its precondition.
    PreconditionRequired(&'static str),
    /// 400: a header is malformed.
    InvalidHeader(String),
    /// 409 or 422: the domain's rules refused the change; the message is the domain's.
    Refused(StatusCode, String),
    /// 409: this op id was already applied to the review with a different op.
    OpIdReused(String),
    /// 409: the account is submitted and can no longer change.
    Sealed(String),
    /// 429: too many requests or streams from this client; try again after `retry_after` s.
    TooManyRequests { retry_after: u64, message: String },
    /// 503: the request took longer than the server allows one to take.
    TimedOut,
    /// 405 on an API path.
    MethodNotAllowed,
    /// A refusal about who may join or act in a review, with its own stable code, so the app
    /// can say what happened and what to do (see [`Refusal`]).
    Person(Refusal),
    /// 503: the database is unreachable (from the health check).
    Unavailable(InternalError),
    /// 500: anything else that is the server's fault.
    Internal(InternalError),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidJson(_) | Self::InvalidId(_) | Self::InvalidQuery(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::InvalidBody(_) | Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnreadableBody(status, _) => *status,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized | Self::AccessKeyRequired => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::InvalidHeader(_) => StatusCode::BAD_REQUEST,
            Self::Refused(status, _) => *status,
            Self::Sealed(_) | Self::OpIdReused(_) => StatusCode::CONFLICT,
            Self::AlreadyExists(_) => StatusCode::CONFLICT,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) | Self::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            Self::Person(r) => r.status(),
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code in [`ErrorBody::error`].
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson(_) => "invalid_json",
            Self::InvalidBody(_) => "invalid_body",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::BodyTooLarge => "body_too_large",
            Self::UnreadableBody(..) => "unreadable_body",
            Self::InvalidId(_) => "invalid_id",
            Self::InvalidQuery(_) => "invalid_query",
            Self::Validation(_) => "validation_failed",
            Self::NotFound(_) => "not_found",
            Self::Unauthorized => "unauthorized",
            Self::AccessKeyRequired => "access_key_required",
            Self::Forbidden => "forbidden",
            Self::PreconditionRequired(_) => "precondition_required",
            Self::InvalidHeader(_) => "invalid_header",
            Self::Refused(..) => "refused",
            Self::Sealed(_) => "sealed",
            Self::OpIdReused(_) => "op_id_reused",
            Self::AlreadyExists(_) => "already_exists",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Person(r) => r.code(),
            Self::Unavailable(_) => "unavailable",
            Self::TimedOut => "timed_out",
            Self::Internal(_) => "internal",
        }
    }

    /// The sentence for a person in [`ErrorBody::message`]. Internal errors get a generic one:
    /// their detail is for the log.
    fn message(&self) -> String {
        match self {
            Self::InvalidJson(detail) => format!("The body is not valid JSON: {detail}"),
            Self::InvalidBody(detail) => format!("The body does not match the request: {detail}"),
            Self::UnsupportedMediaType => {
                "The body must be sent with `Content-Type: application/json`.".to_owned()
            }
            Self::BodyTooLarge => format!(
                "The body is larger than the limit of {} KiB.",
                crate::MAX_BODY_BYTES / 1024
            ),
            Self::UnreadableBody(_, detail) => detail.clone(),
            Self::InvalidId(e) if e.field == "id" => format!("The review id {}.", e.message),
            Self::InvalidId(e) => format!("The participant id {}.", e.message),
            Self::InvalidQuery(e) => {
                format!(
                    "The query parameter `{}` is not valid: {}",
                    e.field, e.message
                )
            }
            Self::Validation(_) => "Some fields are not valid.".to_owned(),
            Self::NotFound(what) => format!("{what} was not found."),
            Self::Unauthorized => {
                "A valid token is required: send `Authorization: Bearer <token>`.".to_owned()
            }
            Self::AccessKeyRequired => "This server needs its organisation access key: \
                 send it as `X-Mosaic-Access-Key: <key>`."
                .to_owned(),
            Self::Forbidden => "This token does not allow this.".to_owned(),
            Self::PreconditionRequired(what) => format!("This write must say {what}."),
            Self::InvalidHeader(detail) => detail.clone(),
            Self::Refused(_, message) | Self::Sealed(message) => message.clone(),
            Self::AlreadyExists(id) => format!("A review with id `{id}` already exists."),
            Self::OpIdReused(id) => format!(
                "The op id `{id}` was already used for a different change to this review: \
                 give each new change an id of its own."
            ),
            Self::MethodNotAllowed => "This method is not allowed on this path.".to_owned(),
            Self::TooManyRequests {
                retry_after,
                message,
            } => format!("{message} Try again in {retry_after} s."),
            Self::Person(r) => r.message(),
            Self::Unavailable(_) => "The service is unavailable; try again later.".to_owned(),
            Self::TimedOut => "The server took too long to answer; try again later.".to_owned(),
            Self::Internal(_) => "Something went wrong on the server.".to_owned(),
        }
    }
}

/// Why a person may not join, come back to or act in a review. Each has its own code, which
/// the app turns into a sentence and a next step.
#[derive(Debug)]
pub enum Refusal {
    /// 401: the facilitator removed this participant; their token no longer works.
    Removed,
    /// 401: this token was replaced: its person continued in another browser and signed this
    /// one out, or used a new personal link from the facilitator.
    SignedOut,
    /// 401: the link's token is not (or no longer) any invite of this review.
    UnknownInvite,
    /// 410: a facilitator link that was used already or is more than a day old.
    FacilitatorLinkUsed,
    /// 410: the shared invite was replaced by a newer one.
    InviteReplaced,
    /// 409: the facilitator closed joining.
    JoiningClosed,
    /// 409: the review has as many participants as the facilitator allowed.
    ReviewFull(u32),
    /// 409: the review is past the phase that takes newcomers.
    JoiningOver(mosaic_domain::Phase),
    /// 409: a participant with this name and role is already in the review.
    SamePerson(String),
    /// 409: someone already joined as this participant.
    AlreadyJoined,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Self::Removed | Self::SignedOut | Self::UnknownInvite => StatusCode::UNAUTHORIZED,
            Self::InviteReplaced | Self::FacilitatorLinkUsed => StatusCode::GONE,
            _ => StatusCode::CONFLICT,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Removed => "removed",
            Self::SignedOut => "signed_out",
            Self::UnknownInvite => "invite_unknown",
            Self::FacilitatorLinkUsed => "facilitator_link_used",
            Self::InviteReplaced => "invite_replaced",
            Self::JoiningClosed => "joining_closed",
            Self::ReviewFull(_) => "review_full",
            Self::JoiningOver(_) => "joining_over",
            Self::SamePerson(_) => "same_person",
            Self::AlreadyJoined => "already_joined",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::Removed => "The facilitator removed this participant from the review.".into(),
            Self::SignedOut => "This token was replaced: its place in the review continues \
                 in another browser."
                .into(),
            Self::UnknownInvite => "This invite link is not valid for this review.".into(),
            Self::FacilitatorLinkUsed => {
                "This facilitator link was used already or is more than a day old.".into()
            }
            Self::InviteReplaced => "This invite link was replaced by a newer one.".into(),
            Self::JoiningClosed => "The facilitator has closed joining for this review.".into(),
            Self::ReviewFull(max) => format!("This review already has its {max} participants."),
            Self::JoiningOver(phase) => format!(
                "This review no longer takes new participants: it is in the {} phase.",
                phase.label()
            ),
            Self::SamePerson(message) => format!("{}.", crate::error::capitalised(message)),
            Self::AlreadyJoined => "Someone has already joined as this participant.".into(),
        }
    }
}

/// `s` with its first letter in upper case.
pub(crate) fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let message = self.message();
        let retry_after = match &self {
            Self::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let (fields, internal) = match self {
            Self::Validation(fields) => (fields, None),
            Self::InvalidId(field) | Self::InvalidQuery(field) => (vec![field], None),
            Self::Unavailable(e) | Self::Internal(e) => (vec![], Some(e)),
            _ => (vec![], None),
        };
        let body = ErrorBody {
            error: code.to_owned(),
            message,
            fields,
            request_id: crate::request_id::current(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(code));
        if let Some(internal) = internal {
            response.extensions_mut().insert(internal);
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        Self::Internal(InternalError::new(e))
    }
}

/// The detail of an internal failure, travelling in the response's extensions from where it
/// happened to [`log_internal_errors`]. `Arc` because extensions must be `Clone`.
#[derive(Clone, Debug)]
pub struct InternalError(Arc<dyn std::error::Error + Send + Sync>);

impl InternalError {
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(e))
    }
}

/// The error and all its sources, `: `-separated, as one log line. A source whose text its
/// parent already included (sqlx's errors do this) is not repeated.
impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        f.write_str(&shown)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            let text = e.to_string();
            if !shown.contains(&text) {
                write!(f, ": {text}")?;
            }
            shown = text;
            source = e.source();
        }
        Ok(())
    }
}

/// Middleware: logs the detail of every internal failure once, with its method and path, and
/// takes it out of the response so that nothing further down the line can log it again.
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<InternalError>() {
        tracing::error!(%method, %path, status = response.status().as_u16(), %error, "request failed");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Secret;
    impl fmt::Display for Secret {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("password=hunter2")
        }
    }
    impl std::error::Error for Secret {}

    #[tokio::test]
    async fn internal_errors_are_generic_and_carry_their_detail() {
        let response = AppError::Internal(InternalError::new(Secret)).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let detail = response.extensions().get::<InternalError>().unwrap();
        assert_eq!(detail.to_string(), "password=hunter2");
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let body: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(body.error, "internal");
        assert!(!body.message.contains("hunter2"));
    }

    #[test]
    fn internal_errors_display_their_sources() {
        let e = InternalError::new(StoreError::Decode {
            id: "r-1".to_owned(),
            source: serde_json::from_str::<u8>("x").unwrap_err(),
        });
        assert_eq!(
            e.to_string(),
            "the stored review `r-1` could not be read: expected value at line 1 column 1"
        );
    }
}
