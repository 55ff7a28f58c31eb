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

/// The shortest access key accepted: 16 printable characters are about 100 bits, beyond any
/// guessing at the wrong-key rate limit.
pub const MIN_KEY_CHARS: usize = 16;

/// The header that carries the key.
pub const HEADER: &str = "x-mosaic-access-key";

/// The key, kept only as its SHA-256: comparing digests of equal length in constant time
/// tells a guesser nothing about how much of a guess was right. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct AccessKey([u8; 32]);

impl AccessKey {
    /// A key is printable ASCII without spaces (what an HTTP header carries unchanged), at
    /// least [`MIN_KEY_CHARS`] long.
    pub fn new(key: &str) -> Result<Self, InvalidAccessKey> {
        if key.len() < MIN_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_graphic()) {
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
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the access key must be at least {MIN_KEY_CHARS} printable ASCII characters, without spaces"
)]
pub struct InvalidAccessKey;

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
    let subscription = crate::routes::is_subscription(path);
    if !(subscription || path == "/api" || path.starts_with("/api/")) {
        return next.run(request).await;
    }
    // A client that used up its wrong-key allowance is refused every key until it may try
    // again, so guessing cannot go on at the refill rate.
    let client = crate::rate::client(&request);
    if let Some(limits) = &state.rate
        && let Err(wait) = limits.key_barred(client)
    {
        return crate::rate::too_many(wait, "Too many wrong access keys from this address.")
            .into_response();
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
        return next.run(request).await;
    }
    if let Some(limits) = &state.rate
        && let Err(wait) = limits.wrong_key(client)
    {
        return crate::rate::too_many(wait, "Too many wrong access keys from this address.")
            .into_response();
    }
    AppError::AccessKeyRequired.into_response()
}

fn is_event_stream(request: &Request) -> bool {
    request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|matched| matched.as_str().strip_prefix(crate::routes::API_PREFIX))
        == Some(crate::routes::EVENTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_and_compared_whole() {
        for bad in [
            "",
            "short-key-15chr",
            "two words here!!",
            "tab\there-and-more",
            "clé-longer-than-16",
        ] {
            assert_eq!(
                AccessKey::new(bad).unwrap_err(),
                InvalidAccessKey,
                "{bad:?}"
            );
        }
        let key = AccessKey::new("s3cret-Key_1-abcd").unwrap();
        assert!(key.admits(b"s3cret-Key_1-abcd"));
        for wrong in [
            &b""[..],
            b"s3cret-Key_1-abc",
            b"s3cret-Key_1-abcde",
            b"S3CRET-KEY_1-ABCD",
        ] {
            assert!(!key.admits(wrong));
        }
        assert_eq!(format!("{key:?}"), "AccessKey(..)");
    }
}
