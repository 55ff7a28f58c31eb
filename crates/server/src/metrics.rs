//! The server's metrics, in the Prometheus text format, written by the `prometheus` crate.
//!
//! Each [`Store`](crate::Store) owns one [`Metrics`] with a registry of its own, never a
//! process-global one: a test that builds many routers in one process sees only its own
//! router's counts, and nothing here depends on what ran before.
//!
//! Labels are bounded: routes are the router's templates (`/api/v1/reviews/{id}`), never the
//! path a client sent; every path no route matched counts as `(unmatched)`; methods outside the
//! standard ones count as `OTHER`; error codes are the server's fixed set.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The code of an error response, in its extensions: set by `AppError` when it becomes a
/// response, read here for the metrics of refused writes (so metrics need nothing of errors).
#[derive(Clone, Copy, Debug)]
pub struct ErrorCode(pub &'static str);

/// The version and git revision this binary was built from (the revision from `build.rs`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const REVISION: &str = env!("MOSAIC_GIT_REVISION");

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

/// Latency buckets, in seconds: the API answers in about a millisecond (PERFORMANCE.md), and
/// anything past a few seconds is an incident whatever its exact length.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The kinds of commit the store counts.
pub const COMMIT_KINDS: [&str; 4] = ["review_created", "review", "account", "submission"];

/// Every metric of one server. Cloning is cheap: clones share one registry.
#[derive(Clone, Debug)]
pub struct Metrics(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    conflicts: IntCounterVec,
    refused_writes: IntCounterVec,
    db_connections: IntGaugeVec,
    db_acquire: Histogram,
    commits: IntCounterVec,
    event_streams: IntGauge,
    feed_queries: IntCounterVec,
    feed_latency: HistogramVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        // The names and help texts are fixed and distinct, so registering cannot fail.
        fn register<C: prometheus::core::Collector + Clone + 'static>(
            registry: &Registry,
            collector: C,
        ) -> C {
            registry
                .register(Box::new(collector.clone()))
                .expect("metric names are unique");
            collector
        }
        let counter = |name: &str, help: &str, labels: &[&str]| {
            register(
                &registry,
                IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric"),
            )
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            register(
                &registry,
                HistogramVec::new(
                    HistogramOpts::new(name, help).buckets(LATENCY_BUCKETS.to_vec()),
                    labels,
                )
                .expect("valid metric"),
            )
        };

        let requests = counter(
            "mosaic_http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            &["method", "route", "status"],
        );
        let latency = histogram(
            "mosaic_http_request_duration_seconds",
            "Time to answer an HTTP request (to its headers, for an event stream).",
            &["method", "route"],
        );
        let conflicts = counter(
            "mosaic_http_conflicts_total",
            "Conditional writes refused with 412 because the document had moved on.",
            &["route"],
        );
        let refused_writes = counter(
            "mosaic_refused_writes_total",
            "Writes (POST, PUT, PATCH, DELETE) refused with a 4xx error, by error code.",
            &["code"],
        );
        let db_connections = register(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "mosaic_db_pool_connections",
                    "Database connections of the pool: in use, idle, and the pool's maximum.",
                ),
                &["state"],
            )
            .expect("valid metric"),
        );
        let db_acquire = register(
            &registry,
            Histogram::with_opts(
                HistogramOpts::new(
                    "mosaic_db_pool_acquire_seconds",
                    "Time a write waited for a pooled connection and its transaction to begin.",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
            )
            .expect("valid metric"),
        );
        let commits = counter(
            "mosaic_store_commits_total",
            "Writes committed to the database, by kind.",
            &["kind"],
        );
        for kind in COMMIT_KINDS {
            commits.with_label_values(&[kind]);
        }
        let event_streams = register(
            &registry,
            IntGauge::new(
                "mosaic_event_streams_open",
                "Event streams (GET .../events) open now.",
            )
            .expect("valid metric"),
        );
        let feed_queries = counter(
            "mosaic_feed_queries_total",
            "Reads of the findings feed, with or without search words.",
            &["search"],
        );
        let feed_latency = histogram(
            "mosaic_feed_query_duration_seconds",
            "Time the database took to answer a read of the findings feed.",
            &["search"],
        );
        let build_info = register(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "mosaic_build_info",
                    "Always 1; the labels say which build is running.",
                ),
                &["version", "revision"],
            )
            .expect("valid metric"),
        );
        build_info.with_label_values(&[VERSION, REVISION]).set(1);

        Self(Arc::new(Inner {
            registry,
            requests,
            latency,
            conflicts,
            refused_writes,
            db_connections,
            db_acquire,
            commits,
            event_streams,
            feed_queries,
            feed_latency,
        }))
    }

    /// Every metric, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = Vec::new();
        // Writing text into a `Vec` fails only on a metric with invalid names, which the
        // constructor rules out.
        if let Err(e) = TextEncoder::new().encode(&self.0.registry.gather(), &mut text) {
            tracing::error!("cannot encode the metrics: {e}");
        }
        String::from_utf8(text).unwrap_or_default()
    }

    /// The pool's connections now: `size` open, `idle` of them unused, at most `max`.
    pub(crate) fn set_pool(&self, size: u32, idle: usize, max: u32) {
        let gauges = &self.0.db_connections;
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        gauges
            .with_label_values(&["in_use"])
            .set(i64::from(size) - idle);
        gauges.with_label_values(&["idle"]).set(idle);
        gauges.with_label_values(&["max"]).set(i64::from(max));
    }

    pub(crate) fn observe_acquire(&self, waited: Duration) {
        self.0.db_acquire.observe(waited.as_secs_f64());
    }

    pub(crate) fn count_commit(&self, kind: &'static str) {
        self.0.commits.with_label_values(&[kind]).inc();
    }

    pub(crate) fn observe_feed_query(&self, search: bool, took: Duration) {
        let label = if search { "true" } else { "false" };
        self.0.feed_queries.with_label_values(&[label]).inc();
        self.0
            .feed_latency
            .with_label_values(&[label])
            .observe(took.as_secs_f64());
    }

    /// Counts an open event stream until the guard is dropped (when the stream ends).
    pub(crate) fn open_stream(&self) -> OpenStream {
        self.0.event_streams.inc();
        OpenStream(self.0.event_streams.clone())
    }
}

/// One open event stream, counted while it lives.
#[derive(Debug)]
pub struct OpenStream(IntGauge);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware (inside routing, so the route template is known): counts every request by
/// route and status, times it, and counts 412 conflicts and refused writes by error code.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |m| m.as_str().to_owned());
    let write = !matches!(method, "GET" | "HEAD" | "OPTIONS");
    let response = next.run(request).await;
    let status = response.status();
    let inner = &metrics.0;
    inner
        .latency
        .with_label_values(&[method, &route])
        .observe(started.elapsed().as_secs_f64());
    inner
        .requests
        .with_label_values(&[method, &route, status.as_str()])
        .inc();
    if status == axum::http::StatusCode::PRECONDITION_FAILED {
        inner.conflicts.with_label_values(&[&route]).inc();
    }
    if write && status.is_client_error() {
        // A 412 carries the current document, not an `ErrorBody`: its code is `stale`.
        let fallback = if status == axum::http::StatusCode::PRECONDITION_FAILED {
            "stale"
        } else {
            "other"
        };
        let code = response
            .extensions()
            .get::<ErrorCode>()
            .map_or(fallback, |code| code.0);
        inner.refused_writes.with_label_values(&[code]).inc();
    }
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_per_instance_and_render_the_build() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.count_commit("review");
        let text = a.render();
        assert!(
            text.contains("mosaic_store_commits_total{kind=\"review\"} 1"),
            "{text}"
        );
        assert!(
            b.render()
                .contains("mosaic_store_commits_total{kind=\"review\"} 0")
        );
        assert!(text.contains(&format!(
            "mosaic_build_info{{revision=\"{REVISION}\",version=\"{VERSION}\"}} 1"
        )));
        let stream = a.open_stream();
        assert!(a.render().contains("mosaic_event_streams_open 1"));
        drop(stream);
        assert!(a.render().contains("mosaic_event_streams_open 0"));
    }
}
