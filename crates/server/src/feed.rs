//! The cross-team findings feed: what reviews learned, for every team to read.
//!
//! - `GET /api/v1/feed?{FeedQuery}`: a page of findings, newest first, searched and filtered.
//! - `GET /api/v1/feed/{id}`: one published finding, with its actions as they stand now.
//! - `GET /api/v1/feed/stats?{filters}`: learning across the findings that match.
//! - `GET /feed.atom?{filters}` and `GET /feed.json?{filters}`: the latest matching findings as
//!   Atom (RFC 4287) and JSON Feed 1.1, for feed readers.
//!
//! None of them needs a review token: other teams reading is the point. They show the
//! organisation's view of each finding ([`Finding::for_organisation`]), which is also all the
//! search index holds; only `GET …/feed/{id}` with a token of that very review shows the
//! team-only sections too. Text people typed reaches a feed reader only as HTML rendered by
//! [`markdown::to_html`] (no raw HTML, no script links) or as escaped text.

use crate::AppState;
use crate::PublicUrl;
use crate::auth::Member;
use crate::error::AppError;
use crate::extract::Json;
use crate::stats_cache::StatsCache;
use crate::store::{self, COUNT_CAP, FeedFilter, FeedItem, FindingView, Store};
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use mosaic_domain::feed::{
    ActionCounts, FeedEntry, FeedFinding, FeedPage, FeedQuery, FeedStats, FindingTimes,
    KindInMonth, Recurring, timings_by_month,
};
use mosaic_domain::{FactorKind, Finding, ValidationError, markdown};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Entries per page when the query does not say.
const DEFAULT_LIMIT: u32 = 20;
/// The most entries a page may ask for.
const MAX_LIMIT: u32 = 100;
/// Entries in the Atom and JSON feeds.
const SUBSCRIPTION_ENTRIES: u32 = 50;
/// The longest excerpt, in characters (the contract in `FeedEntry::excerpt`).
const EXCERPT_CHARS: usize = 280;
/// How many recurring tags and factors the statistics list.
const RECURRING: usize = 20;
/// Extractor: the feed's query parameters as a [`FeedQuery`]. A parameter that is unknown,
/// repeated or not of its type is a 400 `invalid_query` naming it, never axum's plain text.
#[derive(Clone, Debug)]
pub struct FeedParams(pub FeedQuery);

impl<S: Send + Sync> FromRequestParts<S> for FeedParams {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(Self)
    }
}

/// `raw` (a query string) as a [`FeedQuery`], without the access key.
fn parse_query(raw: &str) -> Result<FeedQuery, AppError> {
    parse_params(raw)
}

/// `raw` (a query string) as `T`, without the access key; a bad parameter is named.
pub(crate) fn parse_params<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, AppError> {
    let kept = form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, _)| k != crate::routes::ACCESS_KEY_PARAM);
    let kept = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(kept.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let message = e.inner().to_string();
        // The path names the parameter whose value was wrong; an unknown, repeated or missing
        // parameter is named by serde's message instead ("unknown field `colour`, …").
        let path = e.path().to_string();
        let field = if path == "." {
            message.split('`').nth(1).unwrap_or("query").to_owned()
        } else {
            path
        };
        AppError::InvalidQuery(ValidationError::new(field, message))
    })
}

/// The page's size: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when not given.
fn page_limit(query: &FeedQuery) -> Result<u32, AppError> {
    match query.limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::Validation(vec![ValidationError::new(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        )])),
    }
}

/// A page's `next`: where the page ended, opaque to clients.
fn cursor_of(item: &FeedItem) -> String {
    item.pos.to_string()
}

fn parse_cursor(cursor: &str) -> Result<i64, AppError> {
    cursor.parse().map_err(|_| {
        AppError::InvalidQuery(ValidationError::new(
            "cursor",
            "is not a cursor this feed gave out",
        ))
    })
}

/// `GET /api/v1/feed`: the findings that match the query, newest first, `limit` at a time;
/// `next` is the `cursor` of the following page. 400 naming a bad parameter; 422 for a
/// `limit` out of range.
pub async fn feed_list(
    State(store): State<Store>,
    FeedParams(query): FeedParams,
) -> Result<Json<FeedPage>, AppError> {
    let limit = page_limit(&query)?;
    let before = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let filter = FeedFilter::new(&query);
    // One more than asked tells whether there is a next page.
    let mut page = store.feed_page(&filter, before, limit + 1).await?;
    let next = if page.items.len() > limit as usize {
        page.items.truncate(limit as usize);
        page.items.last().map(cursor_of)
    } else {
        None
    };
    let today = Utc::now().date_naive();
    Ok(Json(FeedPage {
        entries: page
            .items
            .iter()
            .map(|i| entry(&i.finding, today))
            .collect(),
        next,
        total: page.total.min(COUNT_CAP as u64),
        more: page.total > COUNT_CAP as u64,
    }))
}

/// The list entry of `finding` (the organisation's view), its actions counted as of `today`.
pub(crate) fn entry(finding: &Finding, today: NaiveDate) -> FeedEntry {
    FeedEntry {
        review_id: finding.review_id.clone(),
        title: finding.title.clone(),
        team: finding.team.clone(),
        services: finding.services.clone(),
        severity: finding.severity,
        tags: finding.tags.clone(),
        published_at: finding.published_at,
        excerpt: excerpt(&finding.summary),
        kinds: store::kinds(finding),
        actions: ActionCounts::of(finding, today),
        time_to_detect_minutes: finding.time_to_detect_minutes,
        time_to_resolve_minutes: finding.time_to_resolve_minutes,
    }
}

/// The start of `summary` as plain text on one line, at most [`EXCERPT_CHARS`] characters,
/// cut at a word where one is near and marked with `…`.
fn excerpt(summary: &str) -> String {
    let plain = markdown::to_plain(summary);
    let text = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS - 1).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if cut[..i].chars().count() > EXCERPT_CHARS * 3 / 4 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", at_word.trim_end())
}

/// Extractor: whether the request's bearer token is one of the review in the path (its
/// facilitator's or a participant's). No token, or an unknown, revoked, invite or other
/// review's one, is simply a reader from elsewhere in the organisation, not an error; a
/// malformed review id is still a 400.
#[derive(Clone, Copy, Debug)]
pub struct Reader {
    member: bool,
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Member::from_request_parts(parts, state).await {
            Ok(_) => Ok(Self { member: true }),
            Err(AppError::Unauthorized | AppError::Forbidden) => Ok(Self { member: false }),
            Err(e) => Err(e),
        }
    }
}

/// `GET /api/v1/feed/{id}`: the review's published finding with its actions as they stand:
/// all of it for the review's own members, the organisation's view for everyone else. 404
/// when the review has no published finding (or does not exist: the same answer).
pub async fn feed_get(
    State(store): State<Store>,
    reader: Reader,
    ids: crate::auth::PathIds,
) -> Result<Json<FeedFinding>, AppError> {
    let not_found = || AppError::NotFound("A published finding for this review".to_owned());
    let id = ids.review.ok_or_else(not_found)?;
    let view = if reader.member {
        FindingView::Full
    } else {
        FindingView::Organisation
    };
    let item = store.feed_finding(&id, view).await?.ok_or_else(not_found)?;
    let team_only_hidden = !reader.member && item.finding.has_team_only_sections();
    Ok(Json(FeedFinding {
        finding: item.finding,
        team_only_hidden,
    }))
}

/// `GET /api/v1/feed/stats?{filters}`: learning across every finding that matches the
/// filters and search (`cursor` and `limit` play no part): factors by kind per month,
/// recurring tags and factors, and how the actions stand today.
pub async fn feed_stats_get(
    State(store): State<Store>,
    State(cache): State<StatsCache>,
    FeedParams(query): FeedParams,
) -> Result<Json<FeedStats>, AppError> {
    let today = Utc::now().date_naive();
    let filters = serde_urlencoded::to_string(&query)
        .map_err(|e| AppError::Internal(crate::error::InternalError::new(e)))?;
    let stats = cache
        .get_or_compute(
            format!("{today}?{filters}"),
            || store.events().feed_generation(),
            async || {
                let mut stats = Stats::new(today);
                store
                    .feed_each(&FeedFilter::new(&query), |f| stats.add(&f))
                    .await?;
                Ok::<_, AppError>(stats.finish())
            },
        )
        .await?;
    Ok(Json(stats))
}

/// [`FeedStats`] being gathered, one finding (the organisation's view) at a time.
struct Stats {
    today: NaiveDate,
    findings: u64,
    kinds_by_month: BTreeMap<(String, usize), u32>,
    tags: HashMap<String, u32>,
    factors: HashMap<String, u32>,
    actions: ActionCounts,
    improve: mosaic_domain::improve::Gatherer,
    /// Each finding's publishing time and times to detect and resolve.
    times: Vec<FindingTimes>,
}

impl Stats {
    fn new(today: NaiveDate) -> Self {
        Self {
            today,
            findings: 0,
            kinds_by_month: BTreeMap::new(),
            tags: HashMap::new(),
            factors: HashMap::new(),
            actions: ActionCounts::default(),
            improve: mosaic_domain::improve::Gatherer::new(today),
            times: Vec::new(),
        }
    }

    fn add(&mut self, finding: &Finding) {
        self.findings += 1;
        self.times.push(finding.times());
        let month = mosaic_domain::timestamp::month(&finding.published_at);
        for kind in store::kinds(finding) {
            let order = FactorKind::ALL.iter().position(|k| *k == kind);
            *self
                .kinds_by_month
                .entry((month.clone(), order.unwrap_or_default()))
                .or_default() += 1;
        }
        // Each counted once per finding, however often it appears in it.
        let tags: BTreeSet<String> = finding.tags.iter().map(|t| normalise(t)).collect();
        for tag in tags.into_iter().filter(|t| !t.is_empty()) {
            *self.tags.entry(tag).or_default() += 1;
        }
        let factors: BTreeSet<String> = store::factor_texts(finding)
            .map(|f| normalise(&f.text))
            .collect();
        for factor in factors.into_iter().filter(|f| !f.is_empty()) {
            *self.factors.entry(factor).or_default() += 1;
        }
        let counts = ActionCounts::of(finding, self.today);
        self.actions.done += counts.done;
        self.actions.open += counts.open;
        self.actions.overdue += counts.overdue;
        self.improve.add(&finding.actions);
    }

    fn finish(self) -> FeedStats {
        FeedStats {
            findings: self.findings,
            kinds_by_month: self
                .kinds_by_month
                .into_iter()
                .map(|((month, kind), count)| KindInMonth {
                    month,
                    kind: FactorKind::ALL[kind],
                    count,
                })
                .collect(),
            recurring_tags: recurring(self.tags),
            recurring_factors: recurring(self.factors),
            actions: self.actions,
            time_to_improve: self.improve.finish(),
            timings_by_month: timings_by_month(self.times),
        }
    }
}

/// Lowercase and trimmed, so "Rollback " and "rollback" count as one.
fn normalise(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The terms on more than one finding, most frequent first (then alphabetical), at most
/// [`RECURRING`].
fn recurring(counts: HashMap<String, u32>) -> Vec<Recurring> {
    let mut terms: Vec<Recurring> = counts
        .into_iter()
        .filter(|(_, count)| *count > 1)
        .map(|(term, count)| Recurring { term, count })
        .collect();
    terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
    terms.truncate(RECURRING);
    terms
}

// ---- Subscriptions ----

/// What both subscription formats are made of.
struct Subscription {
    /// The configured public URL (`--public-url`), never the request's `Host`.
    base: String,
    /// The filters, as a canonical query string (without the access key).
    filters: String,
    items: Vec<FeedItem>,
}

impl Subscription {
    async fn read(store: &Store, public: &PublicUrl, query: FeedQuery) -> Result<Self, AppError> {
        let base = public.as_str().to_owned();
        let query = FeedQuery {
            cursor: None,
            limit: None,
            ..query
        };
        let filters = serde_urlencoded::to_string(&query)
            .map_err(|e| AppError::Internal(crate::error::InternalError::new(e)))?;
        let page = store
            .feed_page(&FeedFilter::new(&query), None, SUBSCRIPTION_ENTRIES)
            .await?;
        Ok(Self {
            base,
            filters,
            items: page.items,
        })
    }

    /// The address of this subscription in `format` (`atom`, `json`).
    fn self_url(&self, format: &str) -> String {
        let mut url = format!("{}/feed.{format}", self.base);
        if !self.filters.is_empty() {
            url.push('?');
            url.push_str(&self.filters);
        }
        url
    }

    /// The app's page of the feed, filtered the same way.
    fn home_url(&self) -> String {
        let mut url = format!("{}/feed", self.base);
        if !self.filters.is_empty() {
            url.push('?');
            url.push_str(&self.filters);
        }
        url
    }

    fn title(&self) -> String {
        if self.filters.is_empty() {
            "Mosaic findings".to_owned()
        } else {
            let said: Vec<String> = form_urlencoded::parse(self.filters.as_bytes())
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            format!("Mosaic findings ({})", said.join(", "))
        }
    }

    /// When the newest change in the feed happened; now for an empty feed.
    fn updated(&self) -> DateTime<Utc> {
        self.items
            .iter()
            .map(|i| i.updated_at)
            .max()
            .unwrap_or_else(Utc::now)
    }
}

/// The app's page for one finding.
fn finding_url(base: &str, finding: &Finding) -> String {
    format!("{base}/feed/{}", finding.review_id)
}

/// The finding's stable entry id: a name-based UUID (version 8, from SHA-256) of its review
/// id, so it stays the same across re-publishing, host names and formats.
fn entry_id(finding: &Finding) -> String {
    urn_uuid(&format!("mosaic finding {}", finding.review_id))
}

fn urn_uuid(name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8: custom
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let h = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The entry's content: the whole finding (the organisation's view) as Markdown, rendered
/// safely. The finding's Markdown escapes every field but the summary, so only the summary's
/// own Markdown takes effect.
fn content_html(finding: &Finding) -> String {
    markdown::to_html(&finding.to_markdown())
}

/// `GET /feed.atom?{filters}`: the latest 50 matching findings (the organisation's view) as
/// an Atom feed (`application/atom+xml`). `cursor` and `limit` play no part.
pub async fn feed_atom_get(
    State(store): State<Store>,
    State(public): State<PublicUrl>,
    FeedParams(query): FeedParams,
) -> Result<Response, AppError> {
    use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
    let sub = Subscription::read(&store, &public, query).await?;
    let entries = sub
        .items
        .iter()
        .map(|item| {
            let f = &item.finding;
            let page = finding_url(&sub.base, f);
            let summary = excerpt(&f.summary);
            Entry {
                title: Text::plain(f.title.clone()),
                id: entry_id(f),
                updated: item.updated_at.fixed_offset(),
                published: Some(f.published_at.fixed_offset()),
                authors: vec![Person {
                    name: f.team.clone(),
                    ..Person::default()
                }],
                categories: f
                    .tags
                    .iter()
                    .map(|t| Category {
                        term: t.clone(),
                        ..Category::default()
                    })
                    .collect(),
                links: vec![Link {
                    href: page.clone(),
                    rel: "alternate".to_owned(),
                    mime_type: Some("text/html".to_owned()),
                    ..Link::default()
                }],
                summary: (!summary.is_empty()).then(|| Text::plain(summary)),
                content: Some(Content {
                    // Relative links in the finding resolve against its page.
                    base: Some(page),
                    value: Some(content_html(f)),
                    content_type: Some("html".to_owned()),
                    ..Content::default()
                }),
                ..Entry::default()
            }
        })
        .collect();
    let feed = Feed {
        title: Text::plain(sub.title()),
        id: urn_uuid(&format!("mosaic feed {}", sub.filters)),
        updated: sub.updated().fixed_offset(),
        authors: vec![Person {
            name: "Mosaic".to_owned(),
            ..Person::default()
        }],
        links: vec![
            Link {
                href: sub.self_url("atom"),
                rel: "self".to_owned(),
                mime_type: Some("application/atom+xml".to_owned()),
                ..Link::default()
            },
            Link {
                href: sub.home_url(),
                rel: "alternate".to_owned(),
                mime_type: Some("text/html".to_owned()),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    let xml = feed
        .write_to(Vec::new())
        .map_err(|e| AppError::Internal(crate::error::InternalError::new(e)))?;
    Ok(([(header::CONTENT_TYPE, "application/atom+xml")], xml).into_response())
}

/// A JSON Feed 1.1 document (<https://jsonfeed.org/version/1.1>).
#[derive(Debug, Serialize)]
struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    authors: Vec<JsonFeedAuthor>,
    items: Vec<JsonFeedItem>,
}

#[derive(Debug, Serialize)]
struct JsonFeedItem {
    id: String,
    url: String,
    title: String,
    content_html: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    date_published: DateTime<Utc>,
    date_modified: DateTime<Utc>,
    authors: Vec<JsonFeedAuthor>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
}

#[derive(Debug, Serialize)]
struct JsonFeedAuthor {
    name: String,
}

/// `GET /feed.json?{filters}`: the latest 50 matching findings (the organisation's view) as a
/// JSON Feed 1.1 (`application/feed+json`). `cursor` and `limit` play no part.
pub async fn feed_json_get(
    State(store): State<Store>,
    State(public): State<PublicUrl>,
    FeedParams(query): FeedParams,
) -> Result<Response, AppError> {
    let sub = Subscription::read(&store, &public, query).await?;
    let items = sub
        .items
        .iter()
        .map(|item| {
            let f = &item.finding;
            let summary = excerpt(&f.summary);
            JsonFeedItem {
                id: entry_id(f),
                url: finding_url(&sub.base, f),
                title: f.title.clone(),
                content_html: content_html(f),
                summary: (!summary.is_empty()).then_some(summary),
                date_published: f.published_at,
                date_modified: item.updated_at,
                authors: vec![JsonFeedAuthor {
                    name: f.team.clone(),
                }],
                tags: f.tags.clone(),
            }
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: sub.title(),
        home_page_url: sub.home_url(),
        feed_url: sub.self_url("json"),
        authors: vec![JsonFeedAuthor {
            name: "Mosaic".to_owned(),
        }],
        items,
    };
    let body = serde_json::to_vec(&feed)
        .map_err(|e| AppError::Internal(crate::error::InternalError::new(e)))?;
    Ok(([(header::CONTENT_TYPE, "application/feed+json")], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(raw: &str) -> String {
        match parse_query(raw) {
            Err(AppError::InvalidQuery(e)) => e.field,
            other => panic!("{raw:?}: {other:?}"),
        }
    }

    #[test]
    fn query_parameters_parse_and_bad_ones_are_named() {
        let q = parse_query("q=disk+full&kind=knowledge_gap&from=2026-11-01&access_key=k&limit=5")
            .unwrap();
        assert_eq!(q.q.as_deref(), Some("disk full"));
        assert_eq!(q.kind, Some(FactorKind::KnowledgeGap));
        assert_eq!(q.from, Some("2026-11-01".parse().unwrap()));
        assert_eq!(q.limit, Some(5));
        assert_eq!(parse_query("").unwrap(), FeedQuery::default());
        assert_eq!(field_of("colour=red"), "colour");
        assert_eq!(field_of("kind=boredom"), "kind");
        assert_eq!(field_of("from=yesterday"), "from");
        assert_eq!(field_of("limit=ten"), "limit");
        assert_eq!(field_of("team=a&team=b"), "team");
    }

    #[test]
    fn excerpts_are_plain_short_and_cut_at_a_word() {
        assert_eq!(excerpt("A **pool**\nran dry."), "A pool ran dry.");
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.chars().count() <= EXCERPT_CHARS, "{cut}");
        assert!(cut.ends_with("word…"), "{cut}");
        let unbroken = "x".repeat(400);
        assert_eq!(excerpt(&unbroken).chars().count(), EXCERPT_CHARS);
        assert_eq!(excerpt(""), "");
    }

    #[test]
    fn entry_ids_are_stable_uuids() {
        let a = urn_uuid("mosaic finding r-1");
        assert_eq!(a, urn_uuid("mosaic finding r-1"));
        assert_ne!(a, urn_uuid("mosaic finding r-2"));
        let uuid = a.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "8", "version 8");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "variant");
    }

    #[test]
    fn cursors_round_trip() {
        for pos in [0, 1, i64::MAX, -5, 1_800_000_000_000_000 * 1024] {
            let item = FeedItem {
                pos,
                updated_at: Utc::now(),
                finding: serde_json::from_value(serde_json::json!({
                    "review_id": "r", "title": "t", "summary": "", "key_insights": [],
                    "factors": [], "surprises": [], "knowledge_gaps": [], "actions": [],
                    "team": "x", "services": [], "severity": "sev1",
                    "published_at": "2026-11-01T10:00:00Z"
                }))
                .unwrap(),
            };
            assert_eq!(parse_cursor(&cursor_of(&item)).unwrap(), pos);
        }
        assert!(parse_cursor("zz").is_err());
    }
}
