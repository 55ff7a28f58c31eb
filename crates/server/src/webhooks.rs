//! Webhooks for the organisation: the operator registers endpoints (`mosaic-server webhook
//! add`), and a background worker sends them `finding.published`, `finding.updated` and
//! `action.overdue` from the outbox the store writes in the same transaction as each change.
//!
//! Delivery is at least once: a delivery is marked sent only after the endpoint answered 2xx,
//! so a crash or a timeout sends it again, with the same `Mosaic-Delivery` id for the receiver
//! to deduplicate by. Failures are retried with exponential backoff (doubling from
//! `--webhook-first-retry-ms`, at most an hour apart) for [`GIVE_UP_AFTER`], then marked failed.
//!
//! Each request is signed like common webhook senders do: `Mosaic-Signature: t=<unix
//! seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`. A receiver
//! recomputes it over the raw body and rejects an old `t` to stop replays (docs/webhooks.md).
//!
//! Payloads hold only the organisation's view of a finding (the store queues nothing else), and
//! logs name an endpoint by its id, never its URL (a Slack URL is itself a credential).

use crate::PublicUrl;
use crate::store::{
    ACTION_OVERDUE, Attempt, EventData, FINDING_PUBLISHED, FINDING_UPDATED, PendingDelivery, Store,
    Webhook,
};
use axum::body::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

/// How long a delivery is retried before it is marked failed.
pub const GIVE_UP_AFTER: TimeDelta = TimeDelta::hours(25);
/// The longest wait between two attempts.
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long an endpoint has to answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery waits before another process may try it: well past the
/// request's own timeout, so only a process that died mid-attempt lets it go.
const LEASE: TimeDelta = TimeDelta::seconds(3 * REQUEST_TIMEOUT.as_secs() as i64);
/// Deliveries sent per round of the worker.
const BATCH: i64 = 20;
/// How often the worker looks for overdue actions (each is announced once a day anyway).
const OVERDUE_EVERY: Duration = Duration::from_secs(60);
/// The signature header.
pub const SIGNATURE_HEADER: &str = "Mosaic-Signature";
/// The delivery id header: the same for every attempt at one delivery.
pub const DELIVERY_HEADER: &str = "Mosaic-Delivery";
pub const EVENT_HEADER: &str = "Mosaic-Event";
/// The shortest secret accepted.
pub const MIN_SECRET_CHARS: usize = 16;

/// `Mosaic-Signature`'s value for `body` sent at `t` (unix seconds) with `secret`.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The address of review `review_id`'s finding in the app.
fn finding_link(public_url: &PublicUrl, review_id: &str) -> String {
    format!("{}/feed/{review_id}", public_url.as_str())
}

/// The request body of `delivery` in its endpoint's format: for `json`, the delivery's id,
/// event and time, a link to the finding and the event's content (`finding` or `action`, the
/// organisation's view); for `slack`, one `text` an incoming-webhook URL posts as is.
pub fn body(delivery: &PendingDelivery, public_url: &PublicUrl) -> Result<String, String> {
    let data: EventData = serde_json::from_str(&delivery.data)
        .map_err(|e| format!("the stored event could not be read: {e}"))?;
    let (review_id, title, team) = match &data {
        EventData::Finding(f) => (f.review_id.to_string(), f.title.clone(), f.team.clone()),
        EventData::Action(a) => (
            a.review_id.to_string(),
            a.review_title.clone(),
            a.team.clone(),
        ),
    };
    let link = finding_link(public_url, &review_id);
    let value = if delivery.format == "slack" {
        let text = match (&data, delivery.event.as_str()) {
            (EventData::Action(a), _) => format!(
                "Overdue action ({}, due {}): {} — from <{link}|{}> ({team})",
                a.action.priority.label(),
                a.action
                    .due
                    .map_or_else(|| "no date".to_owned(), |d| d.to_string()),
                slack_escape(&a.action.title),
                slack_escape(&title),
            ),
            (EventData::Finding(f), FINDING_UPDATED) => {
                let done = f.actions.iter().filter(|a| !a.status.is_active()).count();
                format!(
                    "Finding updated: <{link}|{}> ({team}): {done} of {} actions closed",
                    slack_escape(&title),
                    f.actions.len()
                )
            }
            (EventData::Finding(_), _) => format!(
                "New finding published by {}: <{link}|{}>",
                slack_escape(&team),
                slack_escape(&title)
            ),
        };
        json!({ "text": text })
    } else {
        let (key, content) = match &data {
            EventData::Finding(f) => ("finding", serde_json::to_value(f)),
            EventData::Action(a) => ("action", serde_json::to_value(a)),
        };
        let mut v = json!({
            "id": delivery.id,
            "event": delivery.event,
            "created_at": delivery.created_at,
            "link": link,
        });
        v[key] = content.map_err(|e| e.to_string())?;
        v
    };
    serde_json::to_string(&value).map_err(|e| e.to_string())
}

/// Slack's three control characters in message text.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// When to try again after `attempts` failed attempts (this one included): doubling from
/// `first`, at most [`MAX_RETRY`] apart; `None` once the delivery is older than
/// [`GIVE_UP_AFTER`].
pub fn retry_at(
    first: Duration,
    attempts: i64,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if now - created_at >= GIVE_UP_AFTER {
        return None;
    }
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let wait = first
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(MAX_RETRY);
    Some(now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1)))
}

/// A registered endpoint's address, checked: `http` or `https` with a host (the domain's web
/// address rule).
pub fn check_url(url: &str) -> Result<String, String> {
    match mosaic_domain::action::tracker_link(url) {
        Ok(Some(url)) => Ok(url),
        Ok(None) => Err("the webhook needs a URL".to_owned()),
        Err(e) => Err(format!("the webhook URL {}", e.message)),
    }
}

/// The endpoint's address for a log line or a listing: scheme and host only, since the path
/// of some endpoints (Slack's) is a credential.
pub fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{host}/…")
}

/// The background sender, one per process. With several processes on one database each
/// delivery is claimed by one of them for an attempt ([`Store::claim_delivery`]).
pub struct Worker {
    store: Store,
    public_url: PublicUrl,
    first_retry: Duration,
    poll: Duration,
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Worker {
    pub fn new(store: Store, public_url: PublicUrl, first_retry: Duration, poll: Duration) -> Self {
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .expect("ring offers TLS 1.2 and 1.3")
            .https_or_http()
            .enable_http1()
            .build();
        Self {
            store,
            public_url,
            first_retry,
            poll,
            client: Client::builder(TokioExecutor::new()).build(tls),
        }
    }

    /// Sends what is due, looks for overdue actions now and then, and sleeps `poll` between
    /// rounds, until the task is dropped. Errors are logged and the loop goes on: the outbox
    /// keeps everything for the next round.
    pub async fn run(self) {
        let mut last_overdue: Option<tokio::time::Instant> = None;
        loop {
            if last_overdue.is_none_or(|at| at.elapsed() >= OVERDUE_EVERY) {
                last_overdue = Some(tokio::time::Instant::now());
                let now = Utc::now();
                match self.store.queue_overdue(now.date_naive(), now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(actions = n, "overdue actions announced"),
                    Err(e) => tracing::error!(error = %e, "cannot look for overdue actions"),
                }
            }
            match self.round().await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "cannot read the webhook outbox"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// One round: every due delivery (up to [`BATCH`]) is attempted once. How many were.
    async fn round(&self) -> Result<usize, crate::store::StoreError> {
        let due = self.store.due_deliveries(Utc::now(), BATCH).await?;
        for delivery in &due {
            if !self
                .store
                .claim_delivery(delivery, Utc::now() + LEASE)
                .await?
            {
                continue;
            }
            let attempt = self.attempt(delivery).await;
            match &attempt {
                Attempt::Delivered { status, .. } => tracing::info!(
                    delivery = %delivery.id, event = %delivery.event, status, "webhook delivered"
                ),
                Attempt::Failed {
                    status,
                    error,
                    retry_at,
                } => tracing::warn!(
                    delivery = %delivery.id, event = %delivery.event, status, error,
                    retry_at = retry_at.map(|t| t.to_rfc3339()), "webhook delivery failed"
                ),
            }
            self.store
                .delivery_attempted(&delivery.id, &attempt)
                .await?;
        }
        Ok(due.len())
    }

    async fn attempt(&self, delivery: &PendingDelivery) -> Attempt {
        let created_at = DateTime::parse_from_rfc3339(&delivery.created_at)
            .map_or_else(|_| Utc::now(), |t| t.with_timezone(&Utc));
        let failed = |status: Option<u16>, error: String| {
            let now = Utc::now();
            Attempt::Failed {
                status,
                error,
                retry_at: retry_at(self.first_retry, delivery.attempts + 1, created_at, now),
            }
        };
        let body = match body(delivery, &self.public_url) {
            Ok(body) => body,
            Err(e) => {
                return Attempt::Failed {
                    status: None,
                    error: e,
                    retry_at: None,
                };
            }
        };
        let t = Utc::now().timestamp();
        let request = axum::http::Request::post(&delivery.url)
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("Mosaic-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header(DELIVERY_HEADER, &delivery.id)
            .header(EVENT_HEADER, &delivery.event)
            .header(
                SIGNATURE_HEADER,
                signature(&delivery.secret, t, body.as_bytes()),
            )
            .body(Full::new(Bytes::from(body)));
        let request = match request {
            Ok(r) => r,
            Err(e) => return failed(None, format!("bad request: {e}")),
        };
        match tokio::time::timeout(REQUEST_TIMEOUT, self.client.request(request)).await {
            Err(_) => failed(None, "no answer in time".to_owned()),
            Ok(Err(e)) => failed(None, format!("cannot connect: {e}")),
            Ok(Ok(response)) if response.status().is_success() => Attempt::Delivered {
                status: response.status().as_u16(),
                at: Utc::now(),
            },
            Ok(Ok(response)) => failed(
                Some(response.status().as_u16()),
                format!("answered {}", response.status()),
            ),
        }
    }
}

/// The events, for listings and docs.
pub const EVENTS: [&str; 3] = [FINDING_PUBLISHED, FINDING_UPDATED, ACTION_OVERDUE];

/// A new endpoint id: 8 random bytes, hex.
pub fn new_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("the OS random source is available");
    format!("wh_{}", hex::encode(bytes))
}

/// The endpoint to register, checked; the error is a sentence for the operator.
pub fn new_webhook(
    url: &str,
    secret: &str,
    team: Option<&str>,
    service: Option<&str>,
    format: &str,
    now: DateTime<Utc>,
) -> Result<Webhook, String> {
    let url = check_url(url)?;
    if secret.chars().count() < MIN_SECRET_CHARS || secret.chars().any(char::is_control) {
        return Err(format!(
            "the webhook secret must be at least {MIN_SECRET_CHARS} characters, with no control \
             characters"
        ));
    }
    if !matches!(format, "json" | "slack") {
        return Err("the format must be json or slack".to_owned());
    }
    let filter = |v: Option<&str>| {
        v.map(mosaic_domain::backlog::filter_value)
            .filter(|v| !v.is_empty())
    };
    Ok(Webhook {
        id: new_id(),
        url,
        secret: secret.to_owned(),
        team: filter(team),
        service: filter(service),
        format: format.to_owned(),
        created_at: now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
    })
}

/// A JSON value's text for a listing.
pub fn describe(hook: &Webhook) -> Value {
    json!({
        "id": hook.id,
        "url": redacted(&hook.url),
        "format": hook.format,
        "team": hook.team,
        "service": hook.service,
        "created_at": hook.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_over_time_dot_body() {
        // RFC 4231 test case 2's key and data, split as "<t>.<body>" would be: "what do ya
        // want for nothing?" is not of that shape, so check against a value computed
        // independently: HMAC-SHA256("secret-of-sixteen", "1700000000.{}").
        let sig = signature("secret-of-sixteen", 1_700_000_000, b"{}");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret-of-sixteen").unwrap();
        mac.update(b"1700000000.{}");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(sig, format!("t=1700000000,v1={expected}"));
        assert_ne!(signature("another-secret-16", 1_700_000_000, b"{}"), sig);
        assert_ne!(signature("secret-of-sixteen", 1_700_000_001, b"{}"), sig);
    }

    #[test]
    fn retries_double_up_to_an_hour_and_stop_after_a_day() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let first = Duration::from_secs(10);
        let wait =
            |attempts, now| retry_at(first, attempts, t0, now).map(|at| (at - now).num_seconds());
        assert_eq!(wait(1, t0), Some(10));
        assert_eq!(wait(2, t0), Some(20));
        assert_eq!(wait(5, t0), Some(160));
        assert_eq!(wait(20, t0), Some(3600));
        assert_eq!(wait(40, t0 + TimeDelta::hours(24)), Some(3600));
        assert_eq!(wait(41, t0 + TimeDelta::hours(25)), None);
    }

    #[test]
    fn endpoints_are_checked_and_listed_without_their_path() {
        let now = Utc::now();
        assert!(
            new_webhook(
                "javascript:alert(1)",
                "s".repeat(16).as_str(),
                None,
                None,
                "json",
                now
            )
            .is_err()
        );
        assert!(new_webhook("https://hooks.example/x", "short", None, None, "json", now).is_err());
        assert!(
            new_webhook(
                "https://hooks.example/x",
                &"s".repeat(16),
                None,
                None,
                "xml",
                now
            )
            .is_err()
        );
        let hook = new_webhook(
            "https://hooks.slack.example/services/T0/B0/secretpart",
            &"s".repeat(16),
            Some(" Payments "),
            None,
            "slack",
            now,
        )
        .unwrap();
        assert_eq!(hook.team.as_deref(), Some("payments"));
        assert_eq!(describe(&hook)["url"], "https://hooks.slack.example/…");
    }
}
