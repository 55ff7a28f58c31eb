//! The `/api/v1` handlers and `/healthz`. Each one turns a request into a [`Store`] call; the
//! rules live in `mosaic_domain`, reached through `wire`'s `TryFrom` conversions.

use crate::error::{AppError, InternalError};
use crate::extract::{Json, ReviewIdPath};
use crate::store::{Inserted, Store};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Timelike, Utc};
use mosaic_domain::Review;
use mosaic_domain::wire::{CreateReview, NewReview, ReviewList};
use serde::Serialize;

/// The body of a healthy `/healthz`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
}

/// `GET /healthz`: 200 once the database answers, so a load balancer only sends traffic to a
/// server that can serve it; 503 otherwise.
pub async fn health_get(State(store): State<Store>) -> Result<Json<Health>, AppError> {
    store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(InternalError::new(e)))?;
    Ok(Json(Health { status: "ok" }))
}

/// `POST /api/v1/reviews`: 201 with the stored review and its `Location`; 409 if the id is
/// taken (the existing review is untouched); 422 with every bad field if the domain refuses it.
pub async fn reviews_create(
    State(store): State<Store>,
    Json(request): Json<CreateReview>,
) -> Result<impl IntoResponse, AppError> {
    let new = NewReview::try_from(request).map_err(AppError::Validation)?;
    let review = Review::new(new.id, new.facts, now());
    match store.insert_review(&review).await? {
        Inserted::Created => {
            let location = format!("/api/v1/reviews/{}", review.id);
            Ok((
                StatusCode::CREATED,
                [(header::LOCATION, location)],
                Json(review),
            ))
        }
        Inserted::IdTaken => Err(AppError::AlreadyExists(review.id.to_string())),
    }
}

/// `GET /api/v1/reviews`: every review, newest first.
pub async fn reviews_list(State(store): State<Store>) -> Result<Json<ReviewList>, AppError> {
    let reviews = store.list_reviews().await?;
    Ok(Json(ReviewList { reviews }))
}

/// `GET /api/v1/reviews/{id}`: the review, or 404.
pub async fn reviews_get(
    State(store): State<Store>,
    ReviewIdPath(id): ReviewIdPath,
) -> Result<Json<Review>, AppError> {
    match store.get_review(&id).await? {
        Some(review) => Ok(Json(review)),
        None => Err(AppError::NotFound(format!("Review `{id}`"))),
    }
}

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
fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}
