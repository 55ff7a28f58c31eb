//! The JSON extractor, which rejects with [`AppError`], so that a malformed request gets the same JSON
//! error shape as every other failure instead of axum's plain-text rejections.

use crate::error::{AppError, InternalError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::error::Error as _;

/// A JSON body in, or a JSON body out. As an extractor it is `axum::Json` with our rejections:
/// it requires `Content-Type: application/json`, and the body size is capped by the router's
/// `DefaultBodyLimit`. Every string it accepted is then held to the domain's one text rule
/// ([`mosaic_domain::forbidden_in_json`]): a control character other than tab, newline or
/// carriage return anywhere in the body is a 422 naming the field, before any handler or
/// database sees it, so the answer is the same on SQLite and PostgreSQL.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned + Serialize,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        // What was accepted, written back: exactly the strings a handler will read.
        let written =
            serde_json::to_string(&value).map_err(|e| AppError::Internal(InternalError::new(e)))?;
        match mosaic_domain::forbidden_in_json(&written) {
            Some(field) => Err(AppError::Validation(vec![field])),
            None => Ok(Self(value)),
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
