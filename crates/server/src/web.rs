//! Serving the built browser app (Trunk's `dist/`) for every path outside `/api` and `/healthz`.
//!
//! - Files are served by `tower_http`'s `ServeDir`, which picks a precompressed `.br` or `.gz`
//!   sibling when the client accepts it and sends `Vary: Accept-Encoding`; `.wasm` goes out as
//!   `application/wasm`, which browsers need for streaming compilation.
//! - Trunk puts a content hash in every asset name, so a changed file gets a new URL: assets
//!   are cached for a year as `immutable`. `index.html` names those assets and must be
//!   revalidated every time (`no-cache`), or a browser would keep loading an old build; so is
//!   the offline app shell's service worker (`sw.js`), whose name never changes.
//! - A path whose last segment has no `.` (`/reviews/abc`, `/feed`) is a client-side route and
//!   gets `index.html`, so reloading or sharing any app URL works. A missing path that looks
//!   like a file (`/app-123.js`) stays a 404: answering it with HTML would turn a deploy
//!   mistake into a confusing script or wasm parse error in the browser.
//! - Without an `index.html` the server still runs (the API works) and answers app paths with
//!   a short page saying the app has not been built.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// `Cache-Control` for files whose names carry a content hash.
const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for `index.html`: the browser may store it but must revalidate before use.
const CACHE_REVALIDATE: &str = "no-cache";

/// The app's files on disk. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct WebApp {
    files: ServeDir,
    index: ServeFile,
}

impl WebApp {
    /// Serves from `dist`. The directory is read on each request, so rebuilding the app needs
    /// no server restart, and a missing directory is not an error.
    pub fn new(dist: &Path) -> Self {
        Self {
            files: ServeDir::new(dist).precompressed_br().precompressed_gzip(),
            index: ServeFile::new(dist.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        }
    }
}

/// The router's fallback: a file from `dist`, `index.html` for a client route, or 404.
pub async fn app_get(State(web): State<WebApp>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // ServeDir consumes the request; keep what the index fallback needs to negotiate encoding
    // and conditional requests.
    let headers = request.headers().clone();

    let response = match web.files.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    // The service worker keeps its name across builds, so it is revalidated like the index.
    let is_index = path.ends_with('/') || path.ends_with("/index.html") || path == "/sw.js";
    if response.status() != StatusCode::NOT_FOUND {
        let cache = if is_index {
            CACHE_REVALIDATE
        } else {
            CACHE_IMMUTABLE
        };
        return with_cache_control(response, cache);
    }
    if !(is_client_route(&path) && (method == Method::GET || method == Method::HEAD)) {
        return response;
    }

    let mut index_request = Request::new(Body::empty());
    *index_request.method_mut() = method;
    *index_request.headers_mut() = headers;
    let response = match web.index.oneshot(index_request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return not_built();
    }
    with_cache_control(response, CACHE_REVALIDATE)
}

/// A client-side route has no `.` in its last segment; the app's routes and ids never do, and
/// every file Trunk writes does.
fn is_client_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    !last.contains('.')
}

/// Sets `Cache-Control` on a successful or not-modified response; errors and redirects are
/// left alone so that a transient failure is never cached for a year.
fn with_cache_control(mut response: Response, value: &'static str) -> Response {
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// 503, because the server cannot do what the page is for yet; `no-store` so that no browser
/// keeps showing it after the app is built.
fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        "Mosaic's web app has not been built yet.\n\n\
         Build it with `trunk build --release` in the repository root, or start the server \
         with --dist (MOSAIC_DIST) pointing at a built app.\n\
         The API is available under /api/v1/ meanwhile.\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_routes_have_no_dot_in_their_last_segment() {
        for (path, expected) in [
            ("/", true),
            ("/feed", true),
            ("/reviews/abc-1_2", true),
            ("/reviews/abc/", true),
            ("/v1.2/settings", true),
            ("/index.html", false),
            ("/mosaic-0123abcd_bg.wasm", false),
            ("/assets/logo.svg", false),
        ] {
            assert_eq!(is_client_route(path), expected, "{path}");
        }
    }
}
