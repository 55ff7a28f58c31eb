//! Every request gets an id, so a person can quote it and an operator can find every log line
//! of that request: it is sent back as `X-Request-Id`, it is a field of the request's log span
//! (so each line logged while serving it carries it), and every error body holds it.
//!
//! An incoming `X-Request-Id` is kept only when the operator says a proxy in front sets it
//! (`--trust-proxy-request-id`); otherwise a client could make its requests' log lines look
//! like someone else's. A kept id must still look like an id: at most 128 characters of
//! letters, digits and `-_.:`, so nothing a client sends can forge a log line.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header that carries the id, both ways.
pub const HEADER: &str = "x-request-id";

/// The longest incoming id kept.
const MAX_LEN: usize = 128;

/// The id of one request, in the request's extensions (where the log span reads it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The id of the request being served on this task: an error built anywhere inside the
    /// handler (or an extractor, or the fallback) reads it for its body.
    static CURRENT: String;
}

/// The id of the request this task is serving, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Whether an incoming `X-Request-Id` is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestIdPolicy {
    pub trust_incoming: bool,
}

/// Middleware, outermost: picks the id, puts it in the request's extensions, serves the
/// request with it as the task's [`current`] id, and sets the response header.
pub async fn assign(
    State(policy): State<RequestIdPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let incoming = request
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| policy.trust_incoming && is_well_formed(id))
        .map(str::to_owned);
    let id = incoming.unwrap_or_else(fresh);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = CURRENT.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// 16 hex digits (64 bits) from the OS generator: unique enough to find one request in
/// months of logs, short enough to read out over the phone. A failing generator falls back
/// to the clock, which is still unique per request in practice.
fn fresh() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos as u64).to_be_bytes();
    }
    hex::encode(bytes)
}

fn is_well_formed(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_id_like_values_are_kept() {
        for (id, kept) in [
            ("abc-123_X.y:z", true),
            ("0123456789abcdef", true),
            ("", false),
            ("two words", false),
            ("line\nbreak", false),
            ("{\"json\":1}", false),
            (&"a".repeat(129), false),
            (&"a".repeat(128), true),
        ] {
            assert_eq!(is_well_formed(id), kept, "{id:?}");
        }
        let id = fresh();
        assert_eq!(id.len(), 16);
        assert!(is_well_formed(&id));
        assert_ne!(fresh(), id);
    }
}
