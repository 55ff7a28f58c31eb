//! The Mosaic server's JSON API: the only place that builds URLs or speaks HTTP.

use gloo_net::http::{Request, RequestBuilder, Response};
use mosaic_domain::feed::{FeedFinding, FeedPage, FeedQuery, FeedStats};
use mosaic_domain::wire::{
    AccountList, ApplyOp, ClaimPlace, CreateReview, CreatedReview, ErrorBody, Facilitating,
    Invitation, JoinReview, Joined, JoiningRules, JoiningState, Me, NewInvite, ReadInvitation,
    ReplacedToken, Stale, StaleAccount, Submitted,
};
use mosaic_domain::{Account, Review};
use serde::de::DeserializeOwned;

use crate::settings::SyncMode;

/// The header that carries an organisation's access key to a closed server.
const ACCESS_KEY_HEADER: &str = "X-Mosaic-Access-Key";

/// Why a request did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The server could not be reached: offline, wrong URL, or the server is down.
    Unreachable(String),
    /// The server answered with an error status and said why.
    Refused { status: u16, body: ErrorBody },
    /// The server answered 2xx with a body this app cannot read.
    Malformed(String),
    /// This browser's own storage (IndexedDB) failed while syncing: not the server's doing.
    LocalStorage(String),
}

impl Error {
    /// True when the request may succeed later unchanged: worth keeping in the outbox and
    /// retrying (with backoff). A 4xx never is, but 429 ("try again later").
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Unreachable(_) => true,
            Error::Refused { status, .. } => *status >= 500 || *status == 429,
            Error::Malformed(_) => false,
            // Storage that was full or busy may take the write later; syncing tries again.
            Error::LocalStorage(_) => true,
        }
    }

    /// True when the server refused this very change for good: sending it again unchanged
    /// would be refused again, so it is kept for the person (as a conflict) instead of being
    /// retried. Not a lost credential (401), a missing review (404) or a stale base (412),
    /// which are the review's state, not the change's.
    pub fn refuses_the_change(&self) -> bool {
        matches!(self, Error::Refused { status, .. } if refuses_the_change(*status))
    }
}

impl Error {
    /// The server's stable error code, when it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Refused { body, .. } => Some(&body.error),
            _ => None,
        }
    }
}

/// What a person reads: never the API's own words for developers (headers, field names), but
/// what happened and what they can do about it.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unreachable(_) => f.write_str(
                "The server can't be reached just now. Your work is kept in this browser; \
                 it is sent when the connection is back.",
            ),
            Error::Refused { status, body } => f.write_str(&explain(*status, body)),
            Error::Malformed(_) => f.write_str(
                "The server's answer could not be read. Reload the page; if it happens again, \
                 the server may be running another version of Mosaic.",
            ),
            Error::LocalStorage(why) => write!(
                f,
                "This browser could not save your work ({why}). Keep this page open, free some \
                 disk space or allow this site to store data; saving is tried again."
            ),
        }
    }
}

/// The sentence, with a next step, for each error code the server sends.
pub fn explain(status: u16, body: &ErrorBody) -> String {
    let message = || crate::workspace::sentence(body.message.trim_end_matches('.'));
    match body.error.as_str() {
        "removed" => "The facilitator removed you from this review, so you can no longer \
             change it. What you wrote is still in this browser."
            .into(),
        "signed_out" => "This browser was signed out of the review: your place in it \
             continues in another browser. What you wrote here is still in this browser."
            .into(),
        "facilitator_link_used" => "This facilitator link was used already or is more than \
             a day old. Ask a facilitator of the review for a new one."
            .into(),
        "unauthorized" => "This browser's access to the review no longer works. Open your \
             personal link again, or ask the facilitator for a new invite link."
            .into(),
        "forbidden" => "Only the facilitator can do this.".into(),
        "invite_unknown" => "This invite link does not work: it may be incomplete or \
             cancelled. Ask the facilitator to send it again."
            .into(),
        "invite_replaced" => "This invite link was replaced by a newer one. Ask the \
             facilitator for the current link."
            .into(),
        "joining_closed" => "The facilitator has closed joining for this review. If you \
             should take part, ask them to open it again."
            .into(),
        "review_full" => format!(
            "{}. If you should take part, ask the facilitator to allow more people.",
            message()
        ),
        "joining_over" => format!(
            "{}. Ask the facilitator if you have something to add.",
            message()
        ),
        "same_person" => format!(
            "{}. If that is you, open the review in the browser you joined from, or use \
             your personal link.",
            message().trim_end_matches(": one person takes part once")
        ),
        "already_joined" => "Someone has already joined as this person. If that was you, \
             open the review in the browser you joined from, or use your personal link."
            .into(),
        "access_key_required" => "This server needs your organisation's access key: ask for \
             a link that includes it, or enter it in Settings."
            .into(),
        "not_found" => "The server does not have this review (any more).".into(),
        "validation_failed" if !body.fields.is_empty() => {
            let fields: Vec<String> = body.fields.iter().map(ToString::to_string).collect();
            format!("Please check: {}.", fields.join("; "))
        }
        "refused" | "sealed" => format!("{}.", message()),
        "too_many_requests" => "The server is getting many requests from this address. Your \
             work is kept in this browser; try again in a minute."
            .into(),
        "unavailable" | "internal" => with_request_id(
            "The server had a problem. Your work is kept in this browser; try again in a \
             moment.",
            body,
        ),
        _ if status >= 500 => {
            with_request_id("The server had a problem. Try again in a moment.", body)
        }
        _ => "The server could not accept this from the app. Reload the page and try again.".into(),
    }
}

/// A server fault's sentence with the request id the server gave it, for its operators' logs.
fn with_request_id(sentence: &str, body: &ErrorBody) -> String {
    match &body.request_id {
        Some(id) => format!("{sentence} (If you report it, quote request id {id}.)"),
        None => sentence.to_owned(),
    }
}

impl std::error::Error for Error {}

/// Whether `origin` (the page's own) is a Mosaic server: its `/healthz` answers Mosaic's JSON.
/// A static host or Trunk's development server answers with the app's HTML, or not at all.
pub async fn is_mosaic_server(origin: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Health {
        status: String,
    }
    let url = format!("{}/healthz", origin.trim_end_matches('/'));
    let Ok(response) = Request::get(&url).send().await else {
        return false;
    };
    response.ok()
        && response
            .json::<Health>()
            .await
            .is_ok_and(|h| h.status == "ok")
}

/// Whether an error status refuses the change itself; see [`Error::refuses_the_change`].
pub fn refuses_the_change(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 401 | 404 | 408 | 412 | 429)
}

/// A client for one server, optionally holding the token of one review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    base: String,
    access_key: Option<String>,
    token: Option<String>,
}

/// What the server answered to a conditional write.
#[derive(Clone, Debug, PartialEq)]
pub enum Written<T> {
    Done(T),
    /// 412: the document changed since the version the write was made against; here it is now.
    Stale(T),
}

impl Api {
    /// `base` is the server's origin, such as `https://mosaic.example.org`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            access_key: None,
            token: None,
        }
    }

    /// The server of the sync setting, with its access key; `None` in "this browser only" mode.
    pub fn for_mode(mode: &SyncMode) -> Option<Self> {
        let mut api = Self::new(mode.server_url()?);
        api.access_key = mode.access_key().map(str::to_owned);
        Some(api)
    }

    /// The same server, with requests carrying `token` as their credential.
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn authorized(&self, mut request: RequestBuilder) -> RequestBuilder {
        if let Some(key) = &self.access_key {
            request = request.header(ACCESS_KEY_HEADER, key);
        }
        match &self.token {
            Some(token) => request.header("Authorization", &format!("Bearer {token}")),
            None => request,
        }
    }

    /// The live event stream of a review, for `EventSource` (which cannot send headers, so the
    /// token and access key travel as query parameters).
    pub fn events_url(&self, review_id: &str) -> String {
        let query = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
        if let Some(token) = &self.token {
            query.append("token", token);
        }
        if let Some(key) = &self.access_key {
            query.append("access_key", key);
        }
        let query: String = query.to_string().into();
        format!(
            "{}?{query}",
            self.url(&format!("/reviews/{review_id}/events"))
        )
    }

    /// Applies one change to the review, made against `request.base_version`.
    pub async fn apply_op(
        &self,
        review_id: &str,
        request: &ApplyOp,
    ) -> Result<Written<Review>, Error> {
        let url = self.url(&format!("/reviews/{review_id}/ops"));
        let builder = self.authorized(Request::post(&url));
        let response = send(builder, request).await?;
        if response.status() == 412 {
            let stale: Stale = decode(response).await?;
            return Ok(Written::Stale(stale.current));
        }
        decode(checked(response).await?).await.map(Written::Done)
    }

    /// Stores the author's draft account if the server's copy is still at `base` (0: none yet).
    pub async fn put_account(
        &self,
        account: &Account,
        base: u64,
    ) -> Result<Written<Account>, Error> {
        let url = self.url(&format!(
            "/reviews/{}/accounts/{}",
            account.review_id(),
            account.participant_id()
        ));
        let builder = self
            .authorized(Request::put(&url))
            .header("If-Match", &format!("\"{base}\""));
        // Only what the author writes: the server counts versions and seals accounts itself.
        let input = mosaic_domain::AccountInput::from_account(account);
        let response = send(builder, &input).await?;
        if response.status() == 412 {
            let stale: StaleAccount = decode(response).await?;
            return Ok(Written::Stale(stale.current));
        }
        decode(checked(response).await?).await.map(Written::Done)
    }

    /// Seals the server's copy of the author's account; the review records its commitment.
    pub async fn submit_account(
        &self,
        review_id: &str,
        participant_id: &str,
    ) -> Result<Submitted, Error> {
        let url = self.url(&format!(
            "/reviews/{review_id}/accounts/{participant_id}/submit"
        ));
        fetch_json(self.authorized(Request::post(&url))).await
    }

    /// The accounts this token may read: its own, and after the reveal every submitted one.
    pub async fn list_accounts(&self, review_id: &str) -> Result<Vec<Account>, Error> {
        let url = self.url(&format!("/reviews/{review_id}/accounts"));
        fetch_json::<AccountList>(self.authorized(Request::get(&url)))
            .await
            .map(|l| l.accounts)
    }

    /// The review this client's token grants; `Ok(None)` when the server has no such review.
    pub async fn get_review(&self, id: &str) -> Result<Option<Review>, Error> {
        let request = self.authorized(Request::get(&self.url(&format!("/reviews/{id}"))));
        let response = request.send().await.map_err(unreachable)?;
        if response.status() == 404 {
            return Ok(None);
        }
        decode(checked(response).await?).await.map(Some)
    }

    /// Creates a review; the answer holds the facilitator's and the invite's tokens, once.
    pub async fn create_review(&self, request: &CreateReview) -> Result<CreatedReview, Error> {
        send_json(
            self.authorized(Request::post(&self.url("/reviews"))),
            request,
        )
        .await
    }

    /// What an invite link (shared or personal) leads to, before anyone fills in a form.
    pub async fn invitation(&self, id: &str, token: &str) -> Result<Invitation, Error> {
        let url = self.url(&format!("/reviews/{id}/invitation"));
        let request = ReadInvitation {
            token: token.to_owned(),
        };
        send_json(self.authorized(Request::post(&url)), &request).await
    }

    /// Takes one's own row: with a personal invite, or the shared one and the row's id.
    pub async fn claim(&self, id: &str, request: &ClaimPlace) -> Result<Joined, Error> {
        let url = self.url(&format!("/reviews/{id}/claims"));
        send_json(self.authorized(Request::post(&url)), request).await
    }

    /// Uses a facilitator link: this browser becomes a facilitator of the review.
    pub async fn become_facilitator(&self, id: &str, token: &str) -> Result<Facilitating, Error> {
        let url = self.url(&format!("/reviews/{id}/facilitators"));
        let request = ReadInvitation {
            token: token.to_owned(),
        };
        send_json(self.authorized(Request::post(&url)), &request).await
    }

    /// A one-time facilitator link (a co-facilitator, or oneself on another device).
    pub async fn facilitator_link(&self, id: &str) -> Result<NewInvite, Error> {
        let url = self.url(&format!("/reviews/{id}/facilitator-links"));
        fetch_json(self.authorized(Request::post(&url))).await
    }

    /// Replaces this client's token with a new one; the old one is signed out everywhere.
    pub async fn replace_own_token(&self, id: &str) -> Result<ReplacedToken, Error> {
        let url = self.url(&format!("/reviews/{id}/me/token"));
        fetch_json(self.authorized(Request::post(&url))).await
    }

    /// Who this client's token makes it in the review, with the review.
    pub async fn me(&self, id: &str) -> Result<Me, Error> {
        self.get_json(&self.url(&format!("/reviews/{id}/me"))).await
    }

    /// The facilitator's personal invite for a participant nobody has joined as yet.
    pub async fn personal_invite(&self, id: &str, participant: &str) -> Result<NewInvite, Error> {
        let url = self.url(&format!("/reviews/{id}/participants/{participant}/invite"));
        fetch_json(self.authorized(Request::post(&url))).await
    }

    /// Replaces the review's shared invite; the old link stops working.
    pub async fn rotate_invite(&self, id: &str) -> Result<NewInvite, Error> {
        let url = self.url(&format!("/reviews/{id}/invite"));
        fetch_json(self.authorized(Request::post(&url))).await
    }

    /// The facilitator's rules for newcomers, and who has joined as themselves.
    pub async fn joining(&self, id: &str) -> Result<JoiningState, Error> {
        self.get_json(&self.url(&format!("/reviews/{id}/joining")))
            .await
    }

    /// Replaces the rules for newcomers.
    pub async fn set_joining(&self, id: &str, rules: &JoiningRules) -> Result<JoiningRules, Error> {
        let url = self.url(&format!("/reviews/{id}/joining"));
        send_json(self.authorized(Request::put(&url)), rules).await
    }

    /// Joins a review with its invite token.
    pub async fn join_review(&self, id: &str, request: &JoinReview) -> Result<Joined, Error> {
        let url = self.url(&format!("/reviews/{id}/participants"));
        send_json(self.authorized(Request::post(&url)), request).await
    }
}

fn unreachable(e: gloo_net::Error) -> Error {
    Error::Unreachable(e.to_string())
}

async fn send<B: serde::Serialize>(builder: RequestBuilder, body: &B) -> Result<Response, Error> {
    let request = builder
        .json(body)
        .map_err(|e| Error::Malformed(e.to_string()))?;
    request.send().await.map_err(unreachable)
}

/// Sends a request without a body and reads its JSON answer (any error status refused).
async fn fetch_json<T: DeserializeOwned>(builder: RequestBuilder) -> Result<T, Error> {
    let response = builder.send().await.map_err(unreachable)?;
    decode(checked(response).await?).await
}

async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, Error> {
    decode(checked(send(builder, body).await?).await?).await
}

/// Passes a 2xx response through; turns any other into [`Error::Refused`] with the server's words.
async fn checked(response: Response) -> Result<Response, Error> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response
        .json::<ErrorBody>()
        .await
        .unwrap_or_else(|_| ErrorBody {
            error: "http_error".into(),
            message: format!("The server answered {status} {}", response.status_text()),
            fields: Vec::new(),
            request_id: None,
        });
    Err(Error::Refused { status, body })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, Error> {
    response
        .json::<T>()
        .await
        .map_err(|e| Error::Malformed(e.to_string()))
}

// ---- The findings feed: anyone may read it; a review's member token adds its team-only
// sections. ----

impl Api {
    /// One page of the findings that match `query`, newest first.
    pub async fn feed(&self, query: &FeedQuery) -> Result<FeedPage, Error> {
        self.get_json(&self.url(&format!("/feed{}", feed_query_suffix(query))))
            .await
    }

    /// One published finding; `Ok(None)` when no review with this id is published. With the
    /// token of one of the review's members, its team-only sections too.
    pub async fn feed_finding(&self, review_id: &str) -> Result<Option<FeedFinding>, Error> {
        let url = self.url(&format!("/feed/{review_id}"));
        let request = self.authorized(Request::get(&url));
        let response = request.send().await.map_err(unreachable)?;
        if response.status() == 404 {
            return Ok(None);
        }
        decode(checked(response).await?).await.map(Some)
    }

    /// Learning across the findings that match `query` (its cursor and limit play no part).
    pub async fn feed_stats(&self, query: &FeedQuery) -> Result<FeedStats, Error> {
        let query = FeedQuery {
            cursor: None,
            limit: None,
            ..query.clone()
        };
        self.get_json(&self.url(&format!("/feed/stats{}", feed_query_suffix(&query))))
            .await
    }

    /// The Atom feed of the findings that match `query`, for a feed reader.
    pub fn feed_atom_url(&self, query: &FeedQuery) -> String {
        self.subscription_url("atom", query)
    }

    /// The JSON Feed (jsonfeed.org) of the findings that match `query`.
    pub fn feed_json_url(&self, query: &FeedQuery) -> String {
        self.subscription_url("json", query)
    }

    /// A subscription follows the filters, not a page of them. A feed reader can't send
    /// headers, so a closed server's access key travels in the address, as the server allows
    /// for its feeds.
    fn subscription_url(&self, format: &str, query: &FeedQuery) -> String {
        let query = FeedQuery {
            cursor: None,
            limit: None,
            ..query.clone()
        };
        let mut url = format!("{}/feed.{format}{}", self.base, feed_query_suffix(&query));
        if let Some(key) = &self.access_key {
            let params = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
            params.append("access_key", key);
            let encoded: String = params.to_string().into();
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&encoded);
        }
        url
    }

    /// Up to five other published findings sharing a service or a tag with review `id`'s.
    pub async fn related(&self, review_id: &str) -> Result<FeedPage, Error> {
        self.get_json(&self.url(&format!("/feed/{review_id}/related")))
            .await
    }

    /// One page of the open actions of every published finding, due date first.
    pub async fn open_actions(
        &self,
        query: &mosaic_domain::backlog::ActionsQuery,
    ) -> Result<mosaic_domain::backlog::ActionsPage, Error> {
        let params = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
        for (key, value) in query.pairs() {
            params.append(key, &value);
        }
        let encoded: String = params.to_string().into();
        self.get_json(&self.url(&format!("/actions?{encoded}")))
            .await
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, Error> {
        fetch_json(self.authorized(Request::get(url))).await
    }
}

/// `query`'s filters as query-string pairs, in a fixed order; a filter that is empty (or only
/// spaces) is left out, and text is trimmed.
pub fn feed_query_pairs(query: &FeedQuery) -> Vec<(&'static str, String)> {
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    [
        ("q", text(&query.q)),
        ("team", text(&query.team)),
        ("service", text(&query.service)),
        ("kind", query.kind.map(|k| k.key().to_owned())),
        ("tag", text(&query.tag)),
        ("from", query.from.map(|d| d.to_string())),
        ("to", query.to.map(|d| d.to_string())),
        ("cursor", text(&query.cursor)),
        ("limit", query.limit.map(|l| l.to_string())),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|v| (key, v)))
    .collect()
}

/// `?q=disk&kind=knowledge_gap…` for `query`'s filters (see [`feed_query_pairs`]), or `""` when
/// it has none. The app's own `/feed` address uses it too, so a search can be linked.
pub fn feed_query_suffix(query: &FeedQuery) -> String {
    let pairs = feed_query_pairs(query);
    if pairs.is_empty() {
        return String::new();
    }
    let params = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
    for (key, value) in &pairs {
        params.append(key, value);
    }
    let encoded: String = params.to_string().into();
    format!("?{encoded}")
}

#[cfg(test)]
mod error_tests {
    use super::*;

    fn refused(status: u16) -> Error {
        Error::Refused {
            status,
            body: ErrorBody {
                error: "x".into(),
                message: "x".into(),
                fields: Vec::new(),
                request_id: None,
            },
        }
    }

    #[test]
    fn only_5xx_429_and_unreachable_are_retried_and_other_4xx_refuse_the_change() {
        for (status, transient, refuses) in [
            (500, true, false),
            (503, true, false),
            (429, true, false),
            (422, false, true),
            (409, false, true),
            (413, false, true),
            (400, false, true),
            (401, false, false),
            (404, false, false),
        ] {
            let e = refused(status);
            assert_eq!(e.is_transient(), transient, "{status}");
            assert_eq!(e.refuses_the_change(), refuses, "{status}");
        }
        assert!(Error::Unreachable("offline".into()).is_transient());
    }

    #[test]
    fn a_storage_failure_is_this_browsers_and_is_tried_again() {
        let e = Error::LocalStorage("QuotaExceededError".into());
        assert!(e.is_transient());
        assert!(!e.refuses_the_change());
        let shown = e.to_string();
        assert!(
            shown.starts_with("This browser could not save your work"),
            "{shown}"
        );
        assert!(!shown.contains("server"), "{shown}");
    }
}

#[cfg(test)]
mod feed_tests {
    use super::*;
    use mosaic_domain::FactorKind;

    #[test]
    fn server_faults_show_their_request_id() {
        let refused = |status, request_id: Option<&str>| Error::Refused {
            status,
            body: ErrorBody {
                error: "x".into(),
                message: "It failed.".into(),
                fields: Vec::new(),
                request_id: request_id.map(str::to_owned),
            },
        };
        let shown = refused(500, Some("0123456789abcdef")).to_string();
        assert_eq!(
            shown,
            "The server had a problem. Try again in a moment. \
             (If you report it, quote request id 0123456789abcdef.)"
        );
        // A refusal is the person's to act on, not the operators': no id.
        assert!(
            !refused(422, Some("0123456789abcdef"))
                .to_string()
                .contains("request id")
        );
        assert_eq!(
            refused(503, None).to_string(),
            "The server had a problem. Try again in a moment."
        );
    }

    #[test]
    fn feed_filters_become_pairs_in_order_without_empty_ones() {
        let query = FeedQuery {
            q: Some("  disk full ".into()),
            team: Some(" ".into()),
            service: None,
            kind: Some(FactorKind::KnowledgeGap),
            tag: Some("payments".into()),
            from: Some("2026-11-01".parse().unwrap()),
            to: None,
            cursor: Some("c2".into()),
            limit: Some(20),
        };
        assert_eq!(
            feed_query_pairs(&query),
            [
                ("q", "disk full".to_owned()),
                ("kind", "knowledge_gap".to_owned()),
                ("tag", "payments".to_owned()),
                ("from", "2026-11-01".to_owned()),
                ("cursor", "c2".to_owned()),
                ("limit", "20".to_owned()),
            ]
        );
        assert!(feed_query_pairs(&FeedQuery::default()).is_empty());
    }
}

#[cfg(test)]
mod explain_tests {
    use super::*;

    fn body(code: &str, message: &str) -> ErrorBody {
        ErrorBody {
            error: code.to_owned(),
            message: message.to_owned(),
            fields: Vec::new(),
            request_id: None,
        }
    }

    #[test]
    fn no_words_meant_for_developers_reach_a_person() {
        let answers = [
            (
                401,
                "unauthorized",
                "A valid token is required: send `Authorization: Bearer <token>`.",
            ),
            (
                401,
                "removed",
                "The facilitator removed this participant from the review.",
            ),
            (
                401,
                "signed_out",
                "This token was replaced: its place in the review continues in another browser.",
            ),
            (
                410,
                "facilitator_link_used",
                "This facilitator link was used already or is more than a day old.",
            ),
            (
                401,
                "invite_unknown",
                "This invite link is not valid for this review.",
            ),
            (
                410,
                "invite_replaced",
                "This invite link was replaced by a newer one.",
            ),
            (
                409,
                "joining_closed",
                "The facilitator has closed joining for this review.",
            ),
            (
                409,
                "review_full",
                "This review already has its 3 participants.",
            ),
            (
                409,
                "joining_over",
                "This review no longer takes new participants: it is in the Group review phase.",
            ),
            (
                409,
                "already_joined",
                "Someone has already joined as this participant.",
            ),
            (403, "forbidden", "This token does not allow this."),
            (
                428,
                "precondition_required",
                "This write must say `If-Match: \"<version>\"`.",
            ),
            (
                401,
                "access_key_required",
                "send it as `X-Mosaic-Access-Key: <key>`.",
            ),
            (
                400,
                "invalid_json",
                "The body is not valid JSON: expected value",
            ),
            (500, "internal", "Something went wrong on the server."),
            (502, "http_error", "The server answered 502 Bad Gateway"),
        ];
        for (status, code, message) in answers {
            let text = explain(status, &body(code, message));
            for word in ["Bearer", "token", "`", "JSON", "If-Match", "X-Mosaic"] {
                assert!(!text.contains(word), "{code}: {text}");
            }
            assert!(text.ends_with('.'), "{code}: {text}");
        }
    }

    #[test]
    fn refusals_say_what_to_do_next() {
        let same = body(
            "same_person",
            "Ada (SRE) is already in this review: one person takes part once.",
        );
        assert_eq!(
            explain(409, &same),
            "Ada (SRE) is already in this review. If that is you, open the review in the \
             browser you joined from, or use your personal link."
        );
        let over = body(
            "joining_over",
            "This review no longer takes new participants: it is in the Group review phase.",
        );
        assert_eq!(
            explain(409, &over),
            "This review no longer takes new participants: it is in the Group review phase. \
             Ask the facilitator if you have something to add."
        );
        let phase = body(
            "refused",
            "this can't be changed while the review is in the Published phase",
        );
        assert_eq!(
            explain(422, &phase),
            "This can't be changed while the review is in the Published phase."
        );
    }
}
