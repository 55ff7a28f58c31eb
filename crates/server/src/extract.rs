//! Extractors that reject with [`AppError`], so that a malformed request gets the same JSON
//! error shape as every other failure instead of axum's plain-text rejections.

use crate::error::{AppError, InternalError};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use mosaic_domain::{ReviewId, ValidationError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::error::Error as _;

/// A JSON body in, or a JSON body out. As an extractor it is `axum::Json` with our rejections:
/// it requires `Content-Type: application/json`, and the body size is capped by the router's
/// `DefaultBodyLimit`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        // axum's own text is "Failed to deserialize the JSON body…: <serde's message>"; the
        // source is serde's message alone, which names the field and the position.
        let detail = rejection
            .source()
            .map_or_else(|| rejection.body_text(), |source| source.to_string());
        match rejection {
            JsonRejection::JsonSyntaxError(_) => Self::InvalidJson(detail),
            JsonRejection::JsonDataError(_) => Self::InvalidBody(detail),
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            JsonRejection::BytesRejection(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::BodyTooLarge
            }
            other => Self::UnreadableBody(other.status(), other.body_text()),
        }
    }
}

/// The `{id}` segment of a review's path, already parsed: a handler that takes one never sees
/// an id the domain would refuse.
#[derive(Clone, Debug)]
pub struct ReviewIdPath(pub ReviewId);

impl<S: Send + Sync> FromRequestParts<S> for ReviewIdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(path_rejection)?;
        ReviewId::parse(&raw).map(Self).map_err(AppError::InvalidId)
    }
}

/// A segment that does not percent-decode to UTF-8 is the client's fault; a route without an
/// `{id}` using this extractor is ours.
fn path_rejection(rejection: PathRejection) -> AppError {
    if rejection.status().is_server_error() {
        AppError::Internal(InternalError::new(rejection))
    } else {
        AppError::InvalidId(ValidationError::new(
            "id",
            "must be valid UTF-8 once percent-decoded",
        ))
    }
}
