//! Mosaic's server: the `/api/v1` JSON API over a SQLite or PostgreSQL store, and the built
//! browser app, from one process.
//!
//! [`app`] builds the whole router from an [`AppState`], with no socket, so the tests drive it
//! with `tower::ServiceExt::oneshot`; [`run`] adds the listener, the start-up line and graceful
//! shutdown, and is all `main` calls.
//!
//! # Layout
//! - [`config`]: command-line flags with environment fallbacks.
//! - `access`: the optional organisation access key (`--access-key`), checked in constant time
//!   by a middleware on every `/api` request before any handler runs.
//! - [`store`]: [`Store`], the reviews in SQLite or PostgreSQL; the SQL for each dialect and
//!   the embedded migrations (`migrations/sqlite`, `migrations/postgres`).
//! - `auth`: bearer tokens (made from the OS CSPRNG, stored as SHA-256) and the `Member`
//!   extractor that turns one into a facilitator or participant of one review.
//! - `api`: the handlers, named `<resource>_<verb>`; they call `mosaic_domain` for every rule.
//! - `events`: the live event stream (`GET …/events`, server-sent events) and the in-process
//!   hub the store publishes each committed review version to.
//! - `feed`: the cross-team findings feed (`/api/v1/feed…`, its search and statistics) and its
//!   Atom and JSON Feed subscriptions (`/feed.atom`, `/feed.json`); the feed's rows and
//!   full-text index are in `store`'s `feed` part.
//! - `people`: coming into a review: invite previews, claims of one's own row, personal and
//!   rotated invites, the facilitator's joining rules, and `me` for resuming elsewhere.
//! - `extract`: the JSON body extractor, which rejects with `AppError`.
//! - `error`: `AppError`, the one error type, its `ErrorBody` JSON, and the middleware that
//!   logs internal errors once.
//! - `web`: serving Trunk's `dist/`: precompressed files, cache headers, the client-route
//!   fallback to `index.html`.
//!
//! The domain crate knows nothing of HTTP or SQL; this crate is where its types meet JSON
//! (`mosaic_domain::wire`), axum and the database.

mod access;
mod api;
mod auth;
pub mod config;
mod error;
mod events;
mod extract;
mod feed;
mod people;
pub mod store;
mod web;

pub use access::{AccessKey, InvalidAccessKey};
pub use config::Config;
pub use events::ReviewEvent;
pub use store::Store;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::serve::ListenerExt;
use error::{AppError, InternalError};
use std::any::Any;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use web::WebApp;

/// The largest request body accepted, in bytes. A review's facts are a few KiB at most; the
/// cap keeps a careless or hostile client from making the server buffer megabytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Where the API is mounted.
const API_PREFIX: &str = "/api/v1";

/// What the handlers share: the store and the app's files. Cloned per request, cheaply.
#[derive(Clone, Debug)]
pub struct AppState {
    store: Store,
    web: WebApp,
    /// When set, `/api` answers only requests that carry it (see `access`).
    access_key: Option<AccessKey>,
}

impl AppState {
    /// `dist` is Trunk's output directory; it need not exist (yet).
    pub fn new(store: Store, dist: impl Into<PathBuf>) -> Self {
        Self {
            store,
            web: WebApp::new(&dist.into()),
            access_key: None,
        }
    }

    /// Closes the API to requests without `key`; `None` leaves it open.
    pub fn with_access_key(mut self, key: Option<AccessKey>) -> Self {
        self.access_key = key;
        self
    }
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for WebApp {
    fn from_ref(state: &AppState) -> Self {
        state.web.clone()
    }
}

/// The whole HTTP surface: `/healthz`, `/api/v1`, and the app for every other path.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/reviews", get(api::reviews_list).post(api::reviews_create))
        .route("/reviews/{id}", get(api::reviews_get))
        .route("/reviews/{id}/participants", post(api::participants_create))
        .route(
            "/reviews/{id}/participants/{pid}/token",
            delete(api::participant_token_delete),
        )
        .route("/reviews/{id}/ops", post(api::ops_create))
        // Coming into a review, and the facilitator's control of it (`people`).
        .route("/reviews/{id}/invitation", post(people::invitation_read))
        .route("/reviews/{id}/claims", post(people::claims_create))
        .route("/reviews/{id}/invite", post(people::invite_rotate))
        .route(
            "/reviews/{id}/joining",
            get(people::joining_get).put(people::joining_put),
        )
        .route("/reviews/{id}/me", get(people::me_get))
        .route(
            "/reviews/{id}/participants/{pid}/invite",
            post(people::personal_invite_create),
        )
        .route("/reviews/{id}/accounts", get(api::accounts_list))
        .route(
            "/reviews/{id}/accounts/{pid}",
            get(api::accounts_get).put(api::accounts_put),
        )
        .route(
            "/reviews/{id}/accounts/{pid}/submit",
            post(api::accounts_submit),
        )
        .route(events::ROUTE, get(events::events_get))
        .route("/feed", get(feed::feed_list))
        .route("/feed/stats", get(feed::feed_stats_get))
        .route("/feed/{id}", get(feed::feed_get));
    Router::new()
        .route("/healthz", get(api::health_get))
        // Feed readers' subscriptions: outside the API, as readers expect a feed's address.
        .route(feed::ATOM_ROUTE, get(feed::feed_atom_get))
        .route(feed::JSON_ROUTE, get(feed::feed_json_get))
        .nest(API_PREFIX, api)
        // Set last: it applies to the routes registered before it.
        .method_not_allowed_fallback(api::api_method_not_allowed)
        .fallback(not_routed)
        // The last layer added is the outermost: a request meets the trace layer first, then
        // the error log, then the panic catcher (so a panic's 500 is logged), then the limit,
        // then the access key (after routing, so it knows the event stream's route).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::require_access_key,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(error::log_internal_errors))
        // Failures are logged by `log_internal_errors`, with their cause; the trace layer's own
        // failure event would log each one a second time without it. The span names the path
        // only: the default one logs the whole URI, and the event stream's query carries a token.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::debug_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_failure(()),
        )
        .with_state(state)
}

/// Every path no route matched: under `/api`, a JSON 404 (a client calling a wrong URL must
/// get an error it can read, not the app's HTML); anywhere else, the app.
async fn not_routed(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        api::api_not_found().into_response()
    } else {
        web::app_get(State(state.web), request).await
    }
}

/// A panicking handler gets the generic 500. The panic hook has already printed the payload
/// and location; the error attached here makes `log_internal_errors` add the request.
fn panic_response(_payload: Box<dyn Any + Send + 'static>) -> Response {
    #[derive(Debug)]
    struct HandlerPanicked;
    impl std::fmt::Display for HandlerPanicked {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the handler panicked")
        }
    }
    impl std::error::Error for HandlerPanicked {}
    AppError::Internal(InternalError::new(HandlerPanicked)).into_response()
}

/// Opens the store, listens, prints `Mosaic is running at http://ADDR/` once ready (with the
/// port actually bound, so `--listen 127.0.0.1:0` is usable by scripts), and serves until
/// SIGINT or SIGTERM. In-flight requests are finished before the store is closed.
pub async fn run(config: Config) -> Result<(), String> {
    let store = Store::open(&config.database)
        .await
        .map_err(|e| format!("cannot open the database: {}", InternalError::new(e)))?;
    let listener = TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %config.dist.display(),
            "no index.html in the dist directory: the app's pages will say it has not been built"
        );
    }

    println!("Mosaic is running at http://{addr}/");
    let access = if config.access_key.is_some() {
        "closed: every API request needs the organisation access key"
    } else {
        "open: no access key is set"
    };
    tracing::info!(%addr, database = store.kind(), dist = %config.dist.display(), access, "Mosaic is running");

    // Without TCP_NODELAY a response written in two parts (headers, then a file body) waits
    // about 40 ms for the client's delayed ACK (Nagle's algorithm): measured on the static files.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("cannot set TCP_NODELAY: {e}");
        }
    });
    let state = AppState::new(store.clone(), config.dist).with_access_key(config.access_key);
    // The event streams never end by themselves, and a graceful shutdown waits for every open
    // response: they are ended as it starts.
    let events = store.events().clone();
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            events.close();
        })
        .await;
    store.close().await;
    served.map_err(|e| format!("server error: {e}"))?;
    tracing::info!("Mosaic has stopped");
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what process managers and containers
/// send). If a handler cannot be installed, that signal is simply not awaited.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
