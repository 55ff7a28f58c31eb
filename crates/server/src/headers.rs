//! Security headers on every response, set by one middleware ([`security_headers`]).
//!
//! - `Content-Security-Policy`: the app's own files only (`default-src 'self'`), WebAssembly
//!   compiled (`'wasm-unsafe-eval'`), and of inline scripts only the loader Trunk writes into
//!   `index.html`, allowed by its SHA-256. The hashes are computed from `dist/index.html` when
//!   the server starts, and again whenever that file changes (the app can be rebuilt under a
//!   running server), so a script injected into a page never runs. No framing
//!   (`frame-ancestors 'none'`: the reveal's two clicks cannot be hijacked), no `<base>`, forms
//!   post only here, no plugins.
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (invite links carry a
//!   secret in their fragment, and other pages' addresses are nobody else's business).
//! - `Cache-Control: no-store` on `/api`: answers carry tokens and private drafts.
//! - `Strict-Transport-Security` only when the public URL is https.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// The policy's fixed part; the inline scripts' hashes are added to `script-src`.
const CSP_BASE: &str = "default-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'; object-src 'none'";
/// Two years, the usual preload value.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The headers' settings and the current policy. Cloning is cheap: clones share the policy.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    index: PathBuf,
    hsts: bool,
    /// The policy, and the modification time of the `index.html` it was computed from.
    csp: Arc<RwLock<(Option<SystemTime>, HeaderValue)>>,
}

impl SecurityHeaders {
    /// Reads `dist/index.html` (if there is one) for its inline scripts.
    pub fn new(dist: &Path) -> Self {
        let index = dist.join("index.html");
        let csp = read_policy(&index);
        Self {
            index,
            hsts: false,
            csp: Arc::new(RwLock::new(csp)),
        }
    }

    /// Sends HSTS too (when the public URL is https).
    pub fn with_hsts(mut self, hsts: bool) -> Self {
        self.hsts = hsts;
        self
    }

    /// The policy for a page; re-read if `index.html` changed since.
    fn policy_for_page(&self) -> HeaderValue {
        let modified = modified(&self.index);
        if let Ok(csp) = self.csp.read()
            && csp.0 == modified
        {
            return csp.1.clone();
        }
        let fresh = read_policy(&self.index);
        let value = fresh.1.clone();
        if let Ok(mut csp) = self.csp.write() {
            *csp = fresh;
        }
        value
    }

    fn policy(&self) -> HeaderValue {
        match self.csp.read() {
            Ok(csp) => csp.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn read_policy(index: &Path) -> (Option<SystemTime>, HeaderValue) {
    let modified = modified(index);
    let html = std::fs::read_to_string(index).unwrap_or_default();
    (modified, policy(&html))
}

/// The whole policy for a page whose HTML is `html`.
pub fn policy(html: &str) -> HeaderValue {
    let mut script_src = "script-src 'self' 'wasm-unsafe-eval'".to_owned();
    for script in inline_scripts(html) {
        let digest = Sha256::digest(script.as_bytes());
        script_src.push_str(&format!(" 'sha256-{}'", base64_encode(&digest)));
    }
    let policy = format!("{CSP_BASE}; {script_src}");
    // Only ASCII went in: the base, and base64.
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static(CSP_BASE))
}

/// The text of every `<script>` without a `src` in `html`, exactly as the browser hashes it.
fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(open_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| open_end + i) else {
            break;
        };
        let tag = &lower[start..open_end];
        if !tag.split_whitespace().any(|attr| attr.starts_with("src=")) {
            out.push(&html[open_end + 1..close]);
        }
        at = close;
    }
    out
}

/// Standard base64 with padding, as CSP hashes are written.
fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Middleware: the headers on every response, whatever produced it (a handler, an error, the
/// app's files, a panic).
pub async fn security_headers(
    State(headers): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api");
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let csp = if is_page {
        headers.policy_for_page()
    } else {
        headers.policy()
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_SECURITY_POLICY, csp);
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if api {
        out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if headers.hsts {
        out.insert(
            HeaderName::from_static("strict-transport-security"),
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_others_are_not() {
        let html = r#"<html><head><script type="module">import init from '/a.js';
await init();</script><script src="/x.js"></script><SCRIPT>b()</SCRIPT></head></html>"#;
        assert_eq!(
            inline_scripts(html),
            ["import init from '/a.js';\nawait init();", "b()"]
        );
        let csp = policy(html);
        let csp = csp.to_str().unwrap();
        // echo -n "b()" | openssl dgst -sha256 -binary | base64
        assert!(
            csp.contains("'sha256-cf242PFc/kb7xD0Qzhsmd9vvRkc+cWFmbi+k+YvtdKc='"),
            "{csp}"
        );
        assert_eq!(csp.matches("'sha256-").count(), 2);
        assert!(csp.starts_with("default-src 'self'; "));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
    }
}
