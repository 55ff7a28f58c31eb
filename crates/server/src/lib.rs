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
//!   hub the store publishes each committed review version and each room change to (on
//!   PostgreSQL fed by every server process on the database, through `LISTEN`/`NOTIFY`:
//!   `store/bus.rs`).
//! - `room`: the live room of a group session (presence, still writing, hands, the timebox):
//!   its routes and the snapshot each member is told; its rows are in `store`'s `room` part.
//! - `stats_cache`: the feed's statistics, cached until the feed changes, one computed at a time.
//! - `feed`: the cross-team findings feed (`/api/v1/feed…`, its search and statistics) and its
//!   Atom and JSON Feed subscriptions (`/feed.atom`, `/feed.json`); the feed's rows and
//!   full-text index are in `store`'s `feed` part.
//! - `people`: coming into a review: invite previews, claims of one's own row, personal and
//!   rotated invites, the facilitator's joining rules, and `me` for resuming elsewhere.
//! - `extract`: the JSON body extractor, which rejects with `AppError`.
//! - `error`: `AppError`, the one error type, its `ErrorBody` JSON, and the middleware that
//!   logs internal errors once.
//! - `headers`: the security headers on every response (CSP with the app's inline loader
//!   hashed, `nosniff`, no referrer, no framing, `no-store` on `/api`, HSTS behind https).
//! - [`public_url`]: `--public-url`, the one base of every absolute link.
//! - [`rate`]: rate limits per client address on the routes open without a token (per process).
//! - [`serve`]: the listener: a connection cap, idle and header timeouts.
//! - `web`: serving Trunk's `dist/`: precompressed files, cache headers, the client-route
//!   fallback to `index.html`.
//! - [`ops`]: `/healthz`, `/readyz` and `/metrics` (closed unless `--metrics-token` or
//!   `--metrics-listen` opens it); [`metrics`]: the Prometheus families, one registry per store,
//!   and the middleware counting requests by route template; [`request_id`]: every request's
//!   id (header, log span, error body); [`logging`]: text or JSON logs.
//! - [`cli`]: the operator's flags (`--data-dir`, logs, metrics, shutdown) and commands;
//!   [`backup`]: `backup` and `restore` of the SQLite file. `migrate-data` is the store's
//!   `copy_into`.
//!
//! The domain crate knows nothing of HTTP or SQL; this crate is where its types meet JSON
//! (`mosaic_domain::wire`), axum and the database.

mod access;
mod api;
mod auth;
mod backlog;
pub mod backup;
pub mod cli;
pub mod config;
mod error;
mod events;
mod extract;
mod feed;
mod headers;
pub mod logging;
pub mod metrics;
pub mod ops;
mod people;
pub mod public_url;
pub mod rate;
pub mod request_id;
mod room;
mod routes;
pub mod serve;
mod stats_cache;
pub mod store;
mod web;
pub mod webhooks;

pub use access::{AccessKey, InvalidAccessKey};
pub use config::Config;
pub use events::ReviewEvent;
pub use public_url::PublicUrl;
pub use room::RoomTimes;
pub use store::Store;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use error::{AppError, InternalError};
use std::any::Any;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use web::WebApp;

/// The largest request body accepted, in bytes. A review's facts are a few KiB at most; the
/// cap keeps a careless or hostile client from making the server buffer megabytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What the handlers share: the store and the app's files. Cloned per request, cheaply.
#[derive(Clone, Debug)]
pub struct AppState {
    store: Store,
    web: WebApp,
    /// When set, `/api` answers only requests that carry it (see `access`).
    access_key: Option<AccessKey>,
    /// Request ids, who may read `/metrics`, and whether a shutdown has begun (see `ops`).
    ops: ops::OpsState,
    /// The base of every absolute link (the feed's subscriptions); never the `Host` header.
    public_url: PublicUrl,
    headers: headers::SecurityHeaders,
    /// `None`: nothing is rate limited (the router tests); `run` always sets them.
    rate: Option<rate::RateLimits>,
    feed_stats: stats_cache::StatsCache,
    /// How long presence and "still writing" last (`room`).
    room: RoomTimes,
}

impl AppState {
    /// `dist` is Trunk's output directory; it need not exist (yet).
    pub fn new(store: Store, dist: impl Into<PathBuf>) -> Self {
        let dist = dist.into();
        Self {
            store,
            web: WebApp::new(&dist),
            access_key: None,
            public_url: PublicUrl::default(),
            headers: headers::SecurityHeaders::new(&dist),
            rate: None,
            feed_stats: stats_cache::StatsCache::default(),
            ops: ops::OpsState::default(),
            room: RoomTimes::default(),
        }
    }

    /// How long presence and "still writing" last (`--presence-timeout`; the tests shorten both).
    pub fn with_room_times(mut self, times: RoomTimes) -> Self {
        self.room = times;
        self
    }

    /// Sets who may read `/metrics` and whether incoming request ids are kept.
    pub fn with_ops(mut self, ops: ops::OpsState) -> Self {
        self.ops = ops;
        self
    }

    /// Limits the routes open without a token, per client address.
    pub fn with_rate_limits(mut self, limits: Option<rate::RateLimits>) -> Self {
        self.rate = limits;
        self
    }

    /// Where people reach this server: the feed's links start with it, and an https one
    /// turns on HSTS.
    pub fn with_public_url(mut self, url: PublicUrl) -> Self {
        self.headers = self.headers.with_hsts(url.is_https());
        self.public_url = url;
        self
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

impl FromRef<AppState> for Option<rate::RateLimits> {
    fn from_ref(state: &AppState) -> Self {
        state.rate.clone()
    }
}

impl FromRef<AppState> for stats_cache::StatsCache {
    fn from_ref(state: &AppState) -> Self {
        state.feed_stats.clone()
    }
}

impl FromRef<AppState> for RoomTimes {
    fn from_ref(state: &AppState) -> Self {
        state.room
    }
}

impl FromRef<AppState> for PublicUrl {
    fn from_ref(state: &AppState) -> Self {
        state.public_url.clone()
    }
}

impl FromRef<AppState> for headers::SecurityHeaders {
    fn from_ref(state: &AppState) -> Self {
        state.headers.clone()
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
        .route(
            "/reviews/{id}/participants",
            post(people::participants_create),
        )
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
        .route("/reviews/{id}/me/token", post(people::own_token_replace))
        .route(
            "/reviews/{id}/facilitator-links",
            post(people::facilitator_link_create),
        )
        .route(
            "/reviews/{id}/facilitators",
            post(people::facilitators_create),
        )
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
        .route(routes::EVENTS, get(events::events_get))
        // The live room's signals (`room`).
        .route(
            "/reviews/{id}/room",
            get(room::room_get).put(room::room_put),
        )
        .route(
            "/reviews/{id}/timebox",
            put(room::timebox_put).delete(room::timebox_delete),
        )
        .route("/reviews/{id}/timebox/extend", post(room::timebox_extend))
        .route(
            "/reviews/{id}/hands/{pid}",
            put(room::hand_put).delete(room::hand_delete),
        )
        .route("/feed", get(feed::feed_list))
        .route("/feed/stats", get(feed::feed_stats_get))
        .route("/feed/{id}", get(feed::feed_get))
        .route("/feed/{id}/related", get(backlog::related_list))
        .route("/actions", get(backlog::actions_list));
    Router::new()
        .route("/healthz", get(ops::healthz_get))
        .route("/readyz", get(ops::readyz_get))
        .route("/metrics", get(ops::metrics_get))
        // Feed readers' subscriptions: outside the API, as readers expect a feed's address.
        .route(routes::FEED_ATOM, get(feed::feed_atom_get))
        .route(routes::FEED_JSON, get(feed::feed_json_get))
        .nest(routes::API_PREFIX, api)
        // Set last: it applies to the routes registered before it.
        .method_not_allowed_fallback(api::api_method_not_allowed)
        .fallback(not_routed)
        // The last layer added is the outermost: a request meets the request id first, then
        // the trace layer, the metrics (so every answer is counted), the security headers (so
        // every answer has them, errors and panics included), the error log, the panic catcher
        // (so a panic's 500 is logged), the request and body timeouts, the body limit, then the
        // access key and the rate limits (after routing, so they know the route).
        .layer(axum::middleware::from_fn_with_state(
            state.rate.clone(),
            rate::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::require_access_key,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyTimeoutLayer::new(serve::BODY_READ_TIMEOUT))
        .layer(axum::middleware::from_fn(serve::request_timeout))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(error::log_internal_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.headers.clone(),
            headers::security_headers,
        ))
        // Counts every answer, the error log's and the panic catcher's too.
        .layer(axum::middleware::from_fn_with_state(
            state.store.metrics().clone(),
            metrics::track,
        ))
        // Failures are logged by `log_internal_errors`, with their cause; the trace layer's own
        // failure event would log each one a second time without it. The span names the path
        // only: the default one logs the whole URI, and the event stream's query carries a token.
        // It is at `info`, so every line logged while serving the request carries its id; the
        // one line per answered request (status, latency) is at `info` too.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request.extensions().get::<request_id::RequestId>();
                    tracing::info_span!(
                        "request",
                        request_id = id.map_or("", |id| id.0.as_str()),
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                )
                .on_failure(()),
        )
        // Outermost: the id exists before the span that logs it and after every other layer.
        .layer(axum::middleware::from_fn_with_state(
            state.ops.request_ids,
            request_id::assign,
        ))
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
    #[derive(Debug, thiserror::Error)]
    #[error("the handler panicked")]
    struct HandlerPanicked;
    AppError::Internal(InternalError::new(HandlerPanicked)).into_response()
}

/// Opens the store, listens, prints `Mosaic is running at http://ADDR/` once ready (with the
/// port actually bound, so `--listen 127.0.0.1:0` is usable by scripts), and serves until
/// SIGINT or SIGTERM. Then `/readyz` turns 503, event streams end, requests in flight get
/// `--shutdown-timeout` to finish (their connections are closed after it), and the store is
/// closed. With a [`cli::Command`], runs that instead.
pub async fn run(mut config: Config) -> Result<(), String> {
    if let Some(command) = config.command.take() {
        return cli::execute(command, &config).await;
    }
    let database = cli::Database::resolve(config.database.as_deref(), &config.ops.data_dir)?;
    let store = database
        .open()
        .await
        .map_err(|e| cli::open_error(&database, e))?;
    let listener = TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let metrics_listener = match &config.ops.metrics_listen {
        Some(at) => Some(
            TcpListener::bind(at)
                .await
                .map_err(|e| format!("cannot listen for metrics on {at}: {e}"))?,
        ),
        None => None,
    };
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
    let metrics_access = match &config.ops.metrics_token {
        Some(token) => ops::MetricsAccess::Token(token.clone()),
        None => ops::MetricsAccess::Closed,
    };
    let metrics_at = match (&metrics_listener, &metrics_access) {
        (Some(l), _) => format!(
            "http://{}/metrics",
            l.local_addr().map_err(|e| e.to_string())?
        ),
        (None, ops::MetricsAccess::Token(_)) => "/metrics with the metrics token".to_owned(),
        _ => "closed".to_owned(),
    };
    tracing::info!(%addr, %database, dist = %config.dist.display(), access, metrics = %metrics_at,
        version = metrics::VERSION, revision = metrics::REVISION, "Mosaic is running");

    let ops_state = ops::OpsState::new(
        metrics_access,
        request_id::RequestIdPolicy {
            trust_incoming: config.ops.trust_proxy_request_id,
        },
    );
    let public_url = config
        .public_url
        .unwrap_or_else(|| PublicUrl::from_listen_addr(addr));
    let state = AppState::new(store.clone(), config.dist)
        .with_access_key(config.access_key)
        .with_ops(ops_state.clone())
        .with_public_url(public_url)
        .with_room_times(RoomTimes {
            presence_timeout: std::time::Duration::from_secs(config.presence_timeout),
            ..RoomTimes::default()
        })
        .with_rate_limits(
            (!config.no_rate_limits).then(|| rate::RateLimits::new(rate::RateQuotas::default())),
        );
    // Webhook deliveries: the outbox is in the database, so stopping the task at any point
    // loses nothing (an unanswered delivery goes again after a restart).
    let webhook_worker = tokio::spawn(
        webhooks::Worker::new(
            store.clone(),
            state.public_url.clone(),
            std::time::Duration::from_millis(config.webhook_first_retry_ms),
            std::time::Duration::from_millis(config.webhook_poll_ms),
        )
        .run(),
    );
    let metrics_server = metrics_listener.map(|listener| {
        let router = ops::metrics_app(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await })
    });
    // The event streams never end by themselves, and a graceful shutdown waits for every open
    // response: they are ended as it starts.
    let events = store.events().clone();
    let (stopping, mut stop_started) = tokio::sync::watch::channel(false);
    let limits = serve::ServeLimits {
        max_connections: config.max_connections as usize,
        idle_timeout: std::time::Duration::from_secs(config.idle_timeout),
    };
    let served = serve::serve(listener, app(state), limits, async move {
        shutdown_signal().await;
        ops_state.begin_shutdown();
        events.close();
        let _ = stopping.send(true);
    });
    let timeout = config.ops.shutdown_timeout();
    let deadline = async move {
        let _ = stop_started.wait_for(|started| *started).await;
        tokio::time::sleep(timeout).await;
    };
    tokio::select! {
        () = served => {}
        () = deadline => {
            tracing::warn!(
                seconds = timeout.as_secs(),
                "requests still in flight after the shutdown timeout: their connections are closed"
            );
        }
    }
    if let Some(metrics_server) = metrics_server {
        metrics_server.abort();
    }
    webhook_worker.abort();
    // Closing waits for connections in use; a request cut at the deadline may still hold one
    // until the process ends, so the wait is bounded too.
    let closed = tokio::time::timeout(timeout, store.close()).await;
    if closed.is_err() {
        tracing::warn!("Mosaic has stopped; database connections still in use were dropped");
        return Ok(());
    }
    tracing::info!("Mosaic has stopped; the database is closed");
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
