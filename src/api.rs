//! The Mosaic server's JSON API: the only place that builds URLs or speaks HTTP.

use gloo_net::http::{Request, RequestBuilder, Response};
use mosaic_domain::feed::{FeedFinding, FeedPage, FeedQuery, FeedStats};
use mosaic_domain::room::{HandReason, Room};
use mosaic_domain::wire::{
    AccountList, ApplyOp, ClaimPlace, CreateReview, CreatedReview, ErrorBody, Facilitating,
    Invitation, JoinReview, Joined, JoiningRules, JoiningState, Me, NewInvite, RaiseHand,
    ReadInvitation, ReplacedToken, RoomSettings, Stale, StaleAccount, Submitted, TimeboxMinutes,
};
use mosaic_domain::{Account, Review};
use serde::de::DeserializeOwned;

// Every request's outcome is a plain type of its own module, so the sync engine and its native
// tests need nothing of HTTP; pages keep naming them `api::Error` and `api::Written`.
pub use crate::answer::{Error, Written};

/// The header that carries an organisation's access key to a closed server.
const ACCESS_KEY_HEADER: &str = "X-Mosaic-Access-Key";

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
        && read::<Health>(&response)
            .await
            .is_ok_and(|h| h.status == "ok")
}

/// A client for one server, optionally holding the token of one review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    base: String,
    access_key: Option<String>,
    token: Option<String>,
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

    /// The same server, with requests carrying the organisation's access key, if any.
    pub fn with_access_key(self, key: Option<&str>) -> Self {
        Self {
            access_key: key.map(str::to_owned),
            ..self
        }
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

    /// Starts a timebox of `minutes` for the review's current phase (the facilitator's).
    pub async fn start_timebox(&self, id: &str, minutes: u32) -> Result<Room, Error> {
        let url = self.url(&format!("/reviews/{id}/timebox"));
        send_json(
            self.authorized(Request::put(&url)),
            &TimeboxMinutes { minutes },
        )
        .await
    }

    /// Adds `minutes` to the current phase's timebox.
    pub async fn extend_timebox(&self, id: &str, minutes: u32) -> Result<Room, Error> {
        let url = self.url(&format!("/reviews/{id}/timebox/extend"));
        send_json(
            self.authorized(Request::post(&url)),
            &TimeboxMinutes { minutes },
        )
        .await
    }

    /// Stops the current phase's timebox.
    pub async fn stop_timebox(&self, id: &str) -> Result<Room, Error> {
        let url = self.url(&format!("/reviews/{id}/timebox"));
        fetch_json(self.authorized(Request::delete(&url))).await
    }

    /// Raises `participant`'s hand (their own, with their token).
    pub async fn raise_hand(
        &self,
        id: &str,
        participant: &str,
        reason: HandReason,
    ) -> Result<Room, Error> {
        let url = self.url(&format!("/reviews/{id}/hands/{participant}"));
        send_json(self.authorized(Request::put(&url)), &RaiseHand { reason }).await
    }

    /// Lowers `participant`'s hand (their own, or anyone's as the facilitator).
    pub async fn lower_hand(&self, id: &str, participant: &str) -> Result<Room, Error> {
        let url = self.url(&format!("/reviews/{id}/hands/{participant}"));
        fetch_json(self.authorized(Request::delete(&url))).await
    }

    /// Whether participants see who is still writing (else only how many).
    pub async fn set_room_settings(
        &self,
        id: &str,
        settings: &RoomSettings,
    ) -> Result<Room, Error> {
        let url = self.url(&format!("/reviews/{id}/room"));
        send_json(self.authorized(Request::put(&url)), settings).await
    }

    /// Joins a review with its invite token.
    pub async fn join_review(&self, id: &str, request: &JoinReview) -> Result<Joined, Error> {
        let url = self.url(&format!("/reviews/{id}/participants"));
        send_json(self.authorized(Request::post(&url)), request).await
    }
}

fn unreachable(e: gloo_net::Error) -> Error {
    Error::Unreachable(why(e))
}

/// What went wrong, for a developer: the browser's words for a failed request. Never shown to
/// a person ([`Error`]'s text is), and not through `gloo_net::Error`'s `Display`, whose
/// serde_json errors bring their formatting code (about 4 KB) into every first load.
fn why(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(e) => e.message,
        gloo_net::Error::GlooError(e) => e,
        gloo_net::Error::SerdeError(_) => "a JSON body could not be written or read".into(),
    }
}

async fn send<B: serde::Serialize>(builder: RequestBuilder, body: &B) -> Result<Response, Error> {
    let request = builder.json(body).map_err(|e| Error::Malformed(why(e)))?;
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
    let body = read::<ErrorBody>(&response)
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
    read(&response).await.map_err(Error::Malformed)
}

/// The response's JSON, read by `mosaic_domain::json` like every JSON the app reads.
async fn read<T: DeserializeOwned>(response: &Response) -> Result<T, String> {
    let text = text(response).await?;
    mosaic_domain::json::from_str(&text)
        .map_err(|_| "the answer is not the JSON expected".to_owned())
}

/// The response's body: awaited here once for every type of answer, not once per type.
async fn text(response: &Response) -> Result<String, String> {
    response.text().await.map_err(why)
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
mod feed_tests {
    use super::*;
    use mosaic_domain::FactorKind;

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
