//! The organisation access key: a server started with `--access-key` answers nothing under
//! `/api` without it, so an instance reachable from outside is closed to strangers before any
//! review token comes into play. `/healthz` and the app's files stay open: the app must load
//! to ask a person for the key.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{MatchedPath, Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use subtle::ConstantTimeEq;

/// The header that carries the key.
pub const HEADER: &str = "x-mosaic-access-key";

/// The key, kept only as its SHA-256: comparing digests of equal length in constant time
/// tells a guesser nothing about how much of a guess was right. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct AccessKey([u8; 32]);

impl AccessKey {
    /// A key is printable ASCII without spaces (what an HTTP header carries unchanged), and
    /// not empty.
    pub fn new(key: &str) -> Result<Self, InvalidAccessKey> {
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidAccessKey);
        }
        Ok(Self(Sha256::digest(key.as_bytes()).into()))
    }

    pub(crate) fn admits(&self, offered: &[u8]) -> bool {
        Sha256::digest(offered).as_slice().ct_eq(&self.0).into()
    }
}

impl FromStr for AccessKey {
    type Err = InvalidAccessKey;

    fn from_str(key: &str) -> Result<Self, Self::Err> {
        Self::new(key)
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(..)")
    }
}

/// Why a key was refused at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidAccessKey;

impl fmt::Display for InvalidAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the access key must be printable ASCII characters without spaces")
    }
}

impl std::error::Error for InvalidAccessKey {}

/// Middleware: with a key configured, every request under `/api` must carry it as
/// `X-Mosaic-Access-Key`, or (on the event stream only, which a browser opens without
/// headers) as `?access_key=`; otherwise 401 `access_key_required`, before any handler runs.
/// Applied to the whole router, so unknown `/api` paths and routes added later are covered.
pub async fn require_access_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = &state.access_key else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    // The feed's Atom and JSON subscriptions live outside `/api`, where feed readers expect
    // them, but show what the API does; readers send no headers, so the query carries the key.
    let subscription = crate::feed::is_subscription(path);
    if !(subscription || path == "/api" || path.starts_with("/api/")) {
        return next.run(request).await;
    }
    let admitted = match request.headers().get(HEADER) {
        Some(value) => key.admits(value.as_bytes()),
        None if subscription || is_event_stream(&request) => {
            #[derive(Deserialize)]
            struct KeyQuery {
                access_key: Option<String>,
            }
            Query::<KeyQuery>::try_from_uri(request.uri())
                .ok()
                .and_then(|Query(q)| q.access_key)
                .is_some_and(|offered| key.admits(offered.as_bytes()))
        }
        None => false,
    };
    if admitted {
        next.run(request).await
    } else {
        AppError::AccessKeyRequired.into_response()
    }
}

fn is_event_stream(request: &Request) -> bool {
    request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|matched| matched.as_str().strip_prefix(crate::API_PREFIX))
        == Some(crate::events::ROUTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_and_compared_whole() {
        for bad in ["", "two words", "tab\there", "clé"] {
            assert_eq!(
                AccessKey::new(bad).unwrap_err(),
                InvalidAccessKey,
                "{bad:?}"
            );
        }
        let key = AccessKey::new("s3cret-Key_1").unwrap();
        assert!(key.admits(b"s3cret-Key_1"));
        for wrong in [&b""[..], b"s3cret-Key_", b"s3cret-Key_12", b"S3CRET-KEY_1"] {
            assert!(!key.admits(wrong));
        }
        assert_eq!(format!("{key:?}"), "AccessKey(..)");
    }
}
