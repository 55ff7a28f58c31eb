//! What an operator's tools call: `/healthz` (the process answers), `/readyz` (it can serve:
//! the database answers, its schema is the one this build expects, and it is not shutting
//! down), and `/metrics` (Prometheus text), closed unless the operator opens it.
//!
//! None of them is ever the app's fallback page: each is a route of its own, and `/metrics`
//! closed is a JSON 404, the same as a path that does not exist.

use crate::AppState;
use crate::access::AccessKey;
use crate::error::{AppError, InternalError};
use crate::extract::Json;
use crate::metrics;
use crate::request_id;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mosaic_domain::wire::ErrorBody;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Who may read `/metrics` on the main listener.
#[derive(Clone, Debug, Default)]
pub enum MetricsAccess {
    /// Nobody (the default): `/metrics` is a 404.
    #[default]
    Closed,
    /// Whoever sends `Authorization: Bearer <token>` (`--metrics-token`).
    Token(AccessKey),
    /// Everybody: for the separate metrics listener (`--metrics-listen`), which the operator
    /// binds where only their monitoring reaches.
    Open,
}

/// The operator's settings the router needs, and whether a shutdown has begun.
#[derive(Clone, Debug, Default)]
pub struct OpsState {
    pub metrics: MetricsAccess,
    pub request_ids: request_id::RequestIdPolicy,
    /// Set as a graceful shutdown starts: `/readyz` answers 503 from then on, so a load
    /// balancer stops sending new requests while the last ones finish.
    shutting_down: Arc<AtomicBool>,
}

impl OpsState {
    pub fn new(metrics: MetricsAccess, request_ids: request_id::RequestIdPolicy) -> Self {
        Self {
            metrics,
            request_ids,
            shutting_down: Arc::default(),
        }
    }

    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}

/// The body of `/healthz` and of a ready `/readyz`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    /// On `/readyz`: the schema version the database is at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<i64>,
}

/// `GET /healthz`: 200 while the process can answer at all. It does not touch the database:
/// a liveness probe that failed with the database would have the process restarted for
/// someone else's outage. Readiness is `/readyz`.
pub async fn healthz_get() -> Json<Health> {
    Json(Health {
        status: "ok",
        schema_version: None,
    })
}

/// `GET /readyz`: 200 when a request would be served: the database answers and its schema is
/// the one this build expects. Otherwise 503 with an `ErrorBody` (`not_ready`) whose message
/// says why: shutting down, the database unreachable, or its schema not current.
pub async fn readyz_get(State(state): State<AppState>) -> Response {
    if state.ops.is_shutting_down() {
        return not_ready("The server is shutting down.".to_owned());
    }
    match state.store.schema().await {
        Ok(schema) if schema.is_current() => Json(Health {
            status: "ready",
            schema_version: Some(schema.applied),
        })
        .into_response(),
        Ok(schema) if schema.failed > 0 => not_ready(format!(
            "The database schema has {} failed migration(s); see the runbook.",
            schema.failed
        )),
        Ok(schema) => not_ready(format!(
            "The database schema is at version {}; this build expects version {}.",
            schema.applied, schema.known
        )),
        Err(e) => {
            let error = InternalError::new(e);
            tracing::warn!(%error, "not ready: the database does not answer");
            not_ready("The database does not answer.".to_owned())
        }
    }
}

fn not_ready(message: String) -> Response {
    let body = ErrorBody {
        error: "not_ready".to_owned(),
        message,
        fields: Vec::new(),
        request_id: request_id::current(),
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}

/// `GET /metrics`: every metric in the Prometheus text format, if [`MetricsAccess`] allows.
/// Closed, it is a JSON 404 like any unknown path, so it does not say that it exists.
pub async fn metrics_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let allowed = match &state.ops.metrics {
        MetricsAccess::Closed => return AppError::NotFound("This path".to_owned()).into_response(),
        MetricsAccess::Open => true,
        MetricsAccess::Token(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "))
            .is_some_and(|offered| token.admits(offered)),
    };
    if !allowed {
        return AppError::Unauthorized.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, metrics::CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        state.store.metrics().render(),
    )
        .into_response()
}

/// The router of the separate metrics listener (`--metrics-listen`): `/metrics` open, the
/// health checks, and JSON 404s for everything else. Never the app, never the API.
pub fn metrics_app(mut state: AppState) -> Router {
    state.ops.metrics = MetricsAccess::Open;
    Router::new()
        .route("/metrics", get(metrics_get))
        .route("/healthz", get(healthz_get))
        .route("/readyz", get(readyz_get))
        .fallback(|| async { AppError::NotFound("This path".to_owned()) })
        .with_state(state)
}
