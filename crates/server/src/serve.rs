//! The HTTP/1.1 listener: [`serve`] accepts connections and bounds what one client can hold.
//!
//! axum's own `serve` has no timeouts and no connection cap: a script that opens sockets and
//! sends nothing (or a byte at a time) held every file descriptor until the server stopped
//! answering. Here:
//! - at most [`ServeLimits::max_connections`] connections are open. When a new one arrives at
//!   the cap, the connection that has been idle longest (no request in progress: a kept-alive
//!   socket, or one still trickling its request's head) is closed to make room; if every
//!   connection is busy, the newcomer is closed at once. A person's request is therefore never
//!   locked out by sockets that do nothing.
//! - a connection with no request in progress is closed after [`ServeLimits::idle_timeout`]:
//!   that bounds both an idle kept-alive socket and one that never finishes its request head.
//!   hyper's own header read timeout is set to the same value.
//! - a request's body must arrive within [`BODY_READ_TIMEOUT`], and a request (other than an
//!   event stream) must be answered within [`REQUEST_TIMEOUT`]: both are layers in `app`.
//!
//! A request is "in progress" from the moment hyper hands it to the router until its response
//! body has been sent, so a long event stream counts as busy and is never closed as idle.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt as _;

/// How long a request's body may take to arrive, once its handler reads it.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long any request but an event stream may take to be answered.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How often each connection looks at its own idle time.
/// How long data sent on a connection may stay unacknowledged before the kernel closes it. A
/// peer that vanished without closing (a laptop lid shut, a network gone) would otherwise hold
/// its connection for the many minutes TCP keeps retrying; with this, the event stream's next
/// keep-alive fails soon after, the stream ends and its member's presence goes (`events`).
pub const UNACKED_TIMEOUT: Duration = Duration::from_secs(20);

const IDLE_CHECK: Duration = Duration::from_millis(250);

/// The connection bounds; see the module documentation.
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    pub max_connections: usize,
    pub idle_timeout: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            idle_timeout: Duration::from_secs(10),
        }
    }
}

/// The open connections by id.
type Registry = Mutex<HashMap<u64, Arc<Conn>>>;

/// What the accept loop knows of one open connection.
#[derive(Debug)]
struct Conn {
    /// Requests handed to the router whose response bodies are not yet sent.
    in_flight: AtomicUsize,
    /// When the connection last became idle (opened, or finished a response).
    idle_since: Mutex<Instant>,
    /// Told to close if still idle: another connection needs its place.
    evict: Notify,
}

impl Conn {
    fn idle_for(&self) -> Option<Duration> {
        (self.in_flight.load(Ordering::Acquire) == 0).then(|| {
            self.idle_since
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .elapsed()
        })
    }
}

/// Marks a request in progress on its connection until dropped (with the response body).
struct InFlight(Arc<Conn>);

impl InFlight {
    fn enter(conn: &Arc<Conn>) -> Self {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(conn.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        *self
            .0
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as in progress until it is sent or dropped.
struct Counted {
    inner: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Counted {
    type Data = <Body as http_body::Body>::Data;
    type Error = <Body as http_body::Body>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves, then stops accepting,
/// lets requests in progress finish, and returns once every connection has closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let conns: Arc<Registry> = Arc::default();
    let next_id = AtomicU64::new(0);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, addr) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!("accept error: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Finished connection tasks are collected as we go.
        while tasks.try_join_next().is_some() {}
        if !make_room(&conns, limits.max_connections) {
            tracing::debug!(%addr, "connection refused: every connection is busy");
            continue;
        }
        if let Err(e) = tcp.set_nodelay(true) {
            // Without it a response in two writes waits ~40 ms for a delayed ACK.
            tracing::warn!("cannot set TCP_NODELAY: {e}");
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Err(e) = socket2::SockRef::from(&tcp).set_tcp_user_timeout(Some(UNACKED_TIMEOUT)) {
            tracing::warn!("cannot set TCP_USER_TIMEOUT: {e}");
        }
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            evict: Notify::new(),
        });
        conns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, conn.clone());
        let app = app.clone();
        let stop = stop_rx.clone();
        let registry = conns.clone();
        tasks.spawn(async move {
            serve_connection(tcp, addr, app, (id, conn, &registry), limits, stop).await;
            registry
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        });
    }
    // The port stops accepting at once: a balancer sees the refusal and goes elsewhere.
    drop(listener);
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
}

/// Whether a new connection may be served: yes under the cap; at the cap, only by closing the
/// connection idle longest.
/// The evicted connection leaves the registry at once, so a burst of newcomers each evicts a
/// different one and the count never passes the cap.
fn make_room(conns: &Registry, max: usize) -> bool {
    let mut conns = conns.lock().unwrap_or_else(PoisonError::into_inner);
    if conns.len() < max {
        return true;
    }
    let idlest = conns
        .iter()
        .filter_map(|(id, c)| c.idle_for().map(|idle| (idle, *id)))
        .max_by_key(|(idle, _)| *idle);
    match idlest.and_then(|(_, id)| conns.remove(&id)) {
        Some(conn) => {
            conn.evict.notify_one();
            true
        }
        None => false,
    }
}

async fn serve_connection(
    tcp: tokio::net::TcpStream,
    addr: SocketAddr,
    app: Router,
    (id, conn, registry): (u64, Arc<Conn>, &Registry),
    limits: ServeLimits,
    mut stop: watch::Receiver<bool>,
) {
    let counted = conn.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        let in_flight = InFlight::enter(&counted);
        // Handlers that need the client's address (rate limits) read it as axum's own
        // `ConnectInfo`.
        request.extensions_mut().insert(ConnectInfo(addr));
        let app = app.clone();
        async move {
            let response = app.oneshot(request.map(Body::new)).await?;
            Ok::<Response, std::convert::Infallible>(response.map(|inner| {
                Body::new(Counted {
                    inner,
                    _in_flight: in_flight,
                })
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(tcp), service);
    tokio::pin!(connection);
    let mut check = tokio::time::interval(IDLE_CHECK);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%addr, "connection ended: {e}");
                }
                return;
            }
            () = conn.evict.notified() => {
                // Closed only if still idle: a request may have started since (on another
                // thread), and then the connection counts again.
                if conn.idle_for().is_some() {
                    return;
                }
                registry
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(id, conn.clone());
            }
            _ = stop.changed(), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
            _ = check.tick() => {
                let limit = if stopping { Duration::ZERO } else { limits.idle_timeout };
                if conn.idle_for().is_some_and(|idle| idle >= limit) {
                    // Nothing in progress: dropping the connection loses nothing.
                    return;
                }
            }
        }
    }
}

/// Middleware: every request but an event stream is answered within [`REQUEST_TIMEOUT`], or
/// gets 503 (the work is dropped; a write either committed before or not at all).
pub async fn request_timeout(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::response::IntoResponse as _;
    let streaming = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .and_then(|p| p.as_str().strip_prefix(crate::routes::API_PREFIX))
        == Some(crate::routes::EVENTS);
    if streaming {
        return next.run(request).await;
    }
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => crate::error::AppError::TimedOut.into_response(),
    }
}
