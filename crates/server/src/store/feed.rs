//! The feed's side of the store: one row per review with a published finding, its full-text
//! index, and the queries behind the feed, its search and its statistics.
//!
//! A feed row is written in the same transaction as the review it comes from (see
//! [`FeedSync`]), so the feed never shows a finding the review does not hold, and a review
//! without a finding has no row. The index holds only what the whole organisation may read
//! ([`Finding::for_organisation`]): a team-only section indexed would let a search reveal it.
//!
//! Both backends index the same text, made here: every word (a run of letters and digits)
//! lowercased and separated by single spaces, so SQLite's FTS5 and PostgreSQL's `simple`
//! configuration split it into the same tokens. A search word matches as a prefix. Filters are
//! tokens too (the *facets*), so a filtered search is one index lookup, never a scan: each is
//! a letter and the lowercase value in hex, so any team or tag is one token that no text word
//! can equal.
//!
//! Rows are ordered by `pos`: the publishing time in microseconds, times [`SLOTS`], plus a
//! slot for findings published in the same microsecond. It is SQLite's full-text rowid, so the
//! index hands matches over newest first and stops after a page (PERFORMANCE.md: `ORDER BY
//! rowid DESC LIMIT 20` at 100,000 findings stays under a millisecond), and a date filter is a
//! range of it. PostgreSQL keeps the search in a narrow table keyed by `pos` too
//! (`findings_search`), so that picking a page or counting matches never reads the documents.
//!
//! A page's `total` counts the matches only up to [`COUNT_CAP`] and one more: an exact count
//! costs time in proportion to the matches (about 5 ms for 50,000 on SQLite, whose index counts
//! them; 25–30 ms on PostgreSQL, which visits each matching row), and a reader needs no more
//! than "more than 1,000".

use super::backlog::BacklogSync as _;
use super::facets::{kind_facet, pg_facet, service_facet, tag_facet, team_facet};
use super::hub::Message;
use super::{Backend, Store, StoreError, order_key};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use futures_util::TryStreamExt as _;
use mosaic_domain::feed::FeedQuery;
use mosaic_domain::finding::FindingFactor;
use mosaic_domain::{FactorKind, Finding, Review, ReviewId, markdown};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, Postgres, QueryBuilder, SqliteConnection};

/// Slots per microsecond of publishing time in `pos`. A 1,025th finding published in the same
/// microsecond is refused (and its review write with it).
pub const SLOTS: i64 = 1024;
/// The facet every finding has, so that SQLite's index has a term to match when a query has
/// neither words nor filters.
const ALL: &str = "all";
/// Words of a search past this many are ignored: each one is another index lookup.
const MAX_QUERY_WORDS: usize = 16;
/// A search word is cut to this many characters; no real word is longer.
const MAX_WORD_CHARS: usize = 64;
/// The text indexed for one finding is cut after this many bytes: PostgreSQL refuses a
/// `tsvector` over 1 MiB, and no finding written by people comes near it.
const MAX_INDEXED_BYTES: usize = 256 * 1024;

/// What the feed stores for one published finding, all derived before the transaction opens.
#[derive(Clone, Debug)]
pub(super) struct FeedRow {
    review_id: String,
    /// The first `pos` of the publishing microsecond.
    base: i64,
    team: String,
    services: String,
    tags: String,
    kinds: String,
    severity: &'static str,
    published_at: String,
    updated_at: String,
    doc_hash: String,
    org_doc: String,
    full_doc: String,
    /// The organisation's view as words (see the module docs).
    body: String,
    facets: Vec<String>,
}

impl FeedRow {
    /// The row `review` should have in the feed: `None` when it has no published finding.
    pub(super) fn of(review: &Review) -> Result<Option<Self>, StoreError> {
        let Some(full) = review.finding() else {
            return Ok(None);
        };
        let org = full.for_organisation();
        let full_doc = encode(full)?;
        let kinds = kinds(&org);
        Ok(Some(Self {
            review_id: review.id.to_string(),
            // Saturating: past the year 2255 every finding shares the last microsecond.
            base: full.published_at.timestamp_micros().saturating_mul(SLOTS),
            team: full.team.clone(),
            services: encode(&full.services)?,
            tags: encode(&full.tags)?,
            kinds: encode(&kinds)?,
            severity: full.severity.key(),
            published_at: order_key(full.published_at),
            updated_at: order_key(review.updated_at),
            doc_hash: hex::encode(Sha256::digest(full_doc.as_bytes())),
            org_doc: encode(&org)?,
            full_doc,
            body: indexed_text(&org),
            facets: facets(&org, &kinds),
        }))
    }
}

fn encode(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::Encode)
}

/// The kinds of factor `finding` shows, in [`FactorKind::ALL`]'s order, its themes' factors
/// included.
pub fn kinds(finding: &Finding) -> Vec<FactorKind> {
    let in_themes = |kind: FactorKind| {
        finding
            .themes
            .iter()
            .flat_map(|t| &t.factors)
            .any(|f| f.kind == kind)
    };
    FactorKind::ALL
        .into_iter()
        .filter(|kind| {
            in_themes(*kind)
                || match kind {
                    FactorKind::KnowledgeGap => !finding.knowledge_gaps.is_empty(),
                    FactorKind::OperationalSurprise => !finding.surprises.is_empty(),
                    FactorKind::Helped => !finding.helped.is_empty(),
                    FactorKind::Lucky => !finding.lucky.is_empty(),
                    kind => finding
                        .factors
                        .iter()
                        .any(|g| g.kind == *kind && !g.factors.is_empty()),
                }
        })
        .collect()
}

/// Every factor text of `finding`: the themes' factors, the contributing factors, surprises,
/// knowledge gaps, what helped and where we were lucky.
pub fn factor_texts(finding: &Finding) -> impl Iterator<Item = &FindingFactor> {
    finding
        .themes
        .iter()
        .flat_map(|t| t.factors.iter().map(|f| &f.factor))
        .chain(finding.factors.iter().flat_map(|g| &g.factors))
        .chain(&finding.surprises)
        .chain(&finding.knowledge_gaps)
        .chain(&finding.helped)
        .chain(&finding.lucky)
}

/// The words of `text` as the index keeps them: runs of letters and digits, lowercase.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// What a search finds `finding` by: its title, summary, how it unfolded, key insights,
/// themes and their factors, factors, surprises, knowledge gaps, what helped, where we were
/// lucky, actions and tags, as words (Markdown removed).
fn indexed_text(finding: &Finding) -> String {
    let mut texts = vec![finding.title.clone(), markdown::to_plain(&finding.summary)];
    texts.extend(finding.unfolded.iter().map(|m| m.what.clone()));
    texts.extend(finding.key_insights.iter().map(|k| markdown::to_plain(k)));
    texts.extend(finding.themes.iter().map(|t| t.name.clone()));
    texts.extend(factor_texts(finding).map(|f| f.text.clone()));
    texts.extend(finding.actions.iter().map(|a| a.title.clone()));
    texts.extend(finding.tags.iter().cloned());
    let mut body = String::new();
    for word in texts.iter().flat_map(|t| words(t)) {
        if body.len() + word.len() + 1 > MAX_INDEXED_BYTES {
            break;
        }
        if !body.is_empty() {
            body.push(' ');
        }
        body.push_str(&word);
    }
    body
}

/// The filters `finding` (the organisation's view) passes, as tokens.
fn facets(finding: &Finding, kinds: &[FactorKind]) -> Vec<String> {
    let mut facets = vec![ALL.to_owned(), team_facet(&finding.team)];
    facets.extend(finding.services.iter().map(|s| service_facet(s)));
    facets.extend(finding.tags.iter().map(|t| tag_facet(t)));
    facets.extend(kinds.iter().map(|k| kind_facet(*k)));
    facets.sort();
    facets.dedup();
    facets
}

/// A [`FeedQuery`]'s filters and search, as the index is asked them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedFilter {
    /// Lowercase words of letters and digits, each matched as a prefix.
    words: Vec<String>,
    /// Tokens every match must have.
    facets: Vec<String>,
    /// The range of `pos` the dates allow, inclusive.
    from: i64,
    to: i64,
}

impl FeedFilter {
    /// The filters of `query`; its `cursor` and `limit` are the page's business, not the
    /// filter's. Search words are only ever letters and digits, so nothing typed can reach the
    /// index as query syntax.
    pub fn new(query: &FeedQuery) -> Self {
        let mut words: Vec<String> = query
            .q
            .as_deref()
            .map(|q| {
                words(q)
                    .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
                    .take(MAX_QUERY_WORDS)
                    .collect()
            })
            .unwrap_or_default();
        words.sort();
        words.dedup();
        let mut facets = Vec::new();
        facets.extend(query.team.as_deref().map(team_facet));
        facets.extend(query.service.as_deref().map(service_facet));
        facets.extend(query.tag.as_deref().map(tag_facet));
        facets.extend(query.kind.map(kind_facet));
        Self {
            words,
            facets,
            from: query.from.map_or(i64::MIN, day_start),
            to: query
                .to
                .and_then(|d| d.succ_opt())
                .map_or(i64::MAX, |next| day_start(next).saturating_sub(1)),
        }
    }

    /// The FTS5 query: every facet, and every word as a prefix of a word in the text. Words
    /// and facets are letters and digits only, quoted, so they are never syntax.
    fn fts5_match(&self) -> String {
        let mut terms: Vec<String> = self
            .facets
            .iter()
            .map(|f| format!("facets:\"{f}\""))
            .collect();
        terms.extend(self.words.iter().map(|w| format!("body:\"{w}\"*")));
        if terms.is_empty() {
            terms.push(format!("facets:\"{ALL}\""));
        }
        terms.join(" AND ")
    }

    /// What PostgreSQL's index is asked, given the indexed words each search word starts
    /// (`expansions`, in the order of `self.words`; `None` for a word that starts too many to
    /// list, which is then asked as a prefix): every facet and every word, as one `tsquery`.
    fn pg_match(&self, expansions: &[Option<Vec<String>>]) -> PgMatch {
        let mut terms: Vec<String> = self.facets.iter().map(|f| lexeme(&pg_facet(f))).collect();
        for (word, expanded) in self.words.iter().zip(expansions) {
            match expanded {
                None => terms.push(format!("{}:*", lexeme(word))),
                Some(words) if words.is_empty() => return PgMatch::Nothing,
                Some(words) => {
                    let any: Vec<String> = words.iter().map(|w| lexeme(w)).collect();
                    terms.push(format!("({})", any.join(" | ")));
                }
            }
        }
        if terms.is_empty() {
            PgMatch::All
        } else {
            PgMatch::Query(terms.join(" & "))
        }
    }

    /// The `WHERE` clause of this filter on PostgreSQL's `findings_search` (as `s`), below
    /// `before`; nothing when nothing is asked, so that the planner sees no condition.
    fn push_pg_where(
        &self,
        sql: &mut QueryBuilder<'_, Postgres>,
        matching: &PgMatch,
        before: Option<i64>,
    ) {
        let to = before.map_or(self.to, |b| self.to.min(b.saturating_sub(1)));
        let mut and = " WHERE ";
        if self.from != i64::MIN || to != i64::MAX {
            sql.push(and)
                .push("s.pos BETWEEN ")
                .push_bind(self.from)
                .push(" AND ")
                .push_bind(to);
            and = " AND ";
        }
        if let PgMatch::Query(tsquery) = matching {
            sql.push(and)
                .push("s.search @@ ")
                .push_bind(tsquery.clone())
                .push("::tsquery");
        }
    }
}

/// A search as PostgreSQL's index is asked it (see [`FeedFilter::pg_match`]).
#[derive(Clone, Debug, PartialEq, Eq)]
enum PgMatch {
    /// No word and no filter: every finding.
    All,
    /// A word starts no indexed word: nothing can match, and nothing is asked.
    Nothing,
    /// A `tsquery` in PostgreSQL's text form, its lexemes quoted.
    Query(String),
}

/// `text` as one quoted `tsquery` lexeme, taken verbatim.
fn lexeme(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// A search word is expanded into at most this many indexed words; one that starts more (a
/// letter or two, as a person starts typing) is asked as a prefix. Matching exact words lets
/// the index skip through long lists instead of gathering every match (docs/deploy.md).
const MAX_EXPANSION: i64 = 64;

/// The indexed words each search word starts, from `findings_words`: one row per (word's
/// position, indexed word), up to [`MAX_EXPANSION`] + 1 per word.
const PG_EXPAND: &str = "SELECT p.i, w.word FROM unnest($1::text[]) WITH ORDINALITY AS p(prefix, i) \
     CROSS JOIN LATERAL (SELECT word FROM findings_words \
         WHERE word >= p.prefix COLLATE \"C\" AND word < (p.prefix || chr(1114111)) COLLATE \"C\" \
         ORDER BY word LIMIT $2) w";

/// How many of the newest findings a page is first looked for in, one by one.
const WALK: i64 = 2_000;

// Every search statement on PostgreSQL is sent unprepared (`persistent(false)`), so it is
// planned for its own words: a prepared statement's generic plan guesses every `tsquery` rare
// and gathers every match of a common word through the index (25 ms for one word at 100,000
// findings, seconds under load, where the plan made for the word walks 40 rows).

/// How many findings match `filter` (as `matching`), counted up to [`COUNT_CAP`] + 1, and the
/// `pos` of up to `limit` of them below `before`, newest first: one statement, which first
/// gathers the matches up to the cap through the index (the count needs them anyway). When
/// they are all there is (at most [`COUNT_CAP`]), the page is the newest of them, and nothing
/// more is read: a rare match costs one index lookup, never a walk through recent findings
/// that do not match. When there are more, the newest [`WALK`] findings are read one by one
/// instead (the other branch of the `CASE`, which PostgreSQL runs only when it is taken): a
/// search that many findings match fills its page within a few rows. Only when they hold
/// fewer than a page is the index asked for the rest, ordered by an expression (`pos + 0`) so
/// the planner cannot walk the key backwards instead: it would, misjudging how rare a word or
/// a filter is, and read most of the table (a tenth of a second at 1,000,000 findings).
async fn pg_page(
    pool: &sqlx::PgPool,
    filter: &FeedFilter,
    matching: &PgMatch,
    before: Option<i64>,
    limit: i64,
) -> Result<(i64, Vec<i64>), sqlx::Error> {
    let to = before.map_or(filter.to, |b| filter.to.min(b.saturating_sub(1)));
    let mut sql = QueryBuilder::new("WITH m AS MATERIALIZED (SELECT s.pos FROM findings_search s");
    filter.push_pg_where(&mut sql, matching, None);
    sql.push(" LIMIT ")
        .push_bind(COUNT_CAP + 1)
        .push(") SELECT c.n, CASE WHEN c.n <= ")
        .push_bind(COUNT_CAP)
        .push(" THEN ARRAY(SELECT m.pos FROM m WHERE m.pos <= ")
        .push_bind(to)
        .push(" ORDER BY m.pos DESC LIMIT ")
        .push_bind(limit)
        .push(") ELSE ARRAY(SELECT w.pos FROM (SELECT s.pos, s.search FROM findings_search s");
    filter.push_pg_where(&mut sql, &PgMatch::All, before);
    sql.push(" ORDER BY s.pos DESC LIMIT ")
        .push_bind(WALK)
        .push(") w");
    if let PgMatch::Query(tsquery) = matching {
        sql.push(" WHERE w.search @@ ")
            .push_bind(tsquery.clone())
            .push("::tsquery");
    }
    sql.push(" ORDER BY w.pos DESC LIMIT ")
        .push_bind(limit)
        .push(") END FROM (SELECT count(*) AS n FROM m) c");
    let (total, mut found): (i64, Vec<i64>) = sql
        .build_query_as()
        .persistent(false)
        .fetch_one(pool)
        .await?;
    if total <= COUNT_CAP || found.len() as i64 >= limit || *matching == PgMatch::All {
        return Ok((total, found));
    }
    // The oldest of the findings walked; none when they were all there is.
    let mut edge = QueryBuilder::new("SELECT s.pos FROM findings_search s");
    filter.push_pg_where(&mut edge, &PgMatch::All, before);
    edge.push(" ORDER BY s.pos DESC OFFSET ")
        .push_bind(WALK - 1)
        .push(" LIMIT 1");
    let Some(edge) = edge
        .build_query_scalar::<i64>()
        .fetch_optional(pool)
        .await?
    else {
        return Ok((total, found));
    };
    let mut rest = QueryBuilder::new("SELECT s.pos FROM findings_search s");
    filter.push_pg_where(&mut rest, matching, Some(edge));
    rest.push(" ORDER BY s.pos + 0 DESC LIMIT ")
        .push_bind(limit - found.len() as i64);
    found.extend(
        rest.build_query_scalar::<i64>()
            .persistent(false)
            .fetch_all(pool)
            .await?,
    );
    Ok((total, found))
}

/// What `filter` asks of PostgreSQL's index (see [`FeedFilter::pg_match`]), its words
/// expanded in one round trip.
async fn pg_match(pool: &sqlx::PgPool, filter: &FeedFilter) -> Result<PgMatch, StoreError> {
    let mut expansions: Vec<Option<Vec<String>>> = vec![Some(Vec::new()); filter.words.len()];
    if !filter.words.is_empty() {
        let rows: Vec<(i64, String)> = sqlx::query_as(PG_EXPAND)
            .bind(&filter.words)
            .bind(MAX_EXPANSION + 1)
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        for (i, word) in rows {
            let slot = usize::try_from(i - 1)
                .ok()
                .and_then(|i| expansions.get_mut(i));
            if let Some(Some(words)) = slot {
                words.push(word);
            }
        }
        for expanded in &mut expansions {
            if expanded
                .as_ref()
                .is_some_and(|w| w.len() as i64 > MAX_EXPANSION)
            {
                *expanded = None;
            }
        }
    }
    Ok(filter.pg_match(&expansions))
}

/// The first `pos` of day `day` (UTC); saturating, so any date is a usable bound.
fn day_start(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp_micros()
        .saturating_mul(SLOTS)
}

/// One finding as the feed stores it.
#[derive(Clone, Debug)]
pub struct FeedItem {
    /// Its place in the feed (see the module docs): the page cursor.
    pub pos: i64,
    /// When the finding last changed (a re-publication, an action's status).
    pub updated_at: DateTime<Utc>,
    pub finding: Finding,
}

/// One page of the feed, newest first.
#[derive(Clone, Debug)]
pub struct FeedItems {
    pub items: Vec<FeedItem>,
    /// How many findings match in all, counted up to [`COUNT_CAP`] + 1 (see `FeedPage`).
    pub total: u64,
}

/// Matches are counted up to this many and one more: an exact count of a broad search reads
/// every match (tens of milliseconds at 50,000 on PostgreSQL), and "more than 1,000" is all a
/// reader needs to know.
pub const COUNT_CAP: i64 = 1_000;

/// Which view of a finding to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingView {
    /// [`Finding::for_organisation`].
    Organisation,
    /// Every section, for the review's own members.
    Full,
}

/// PostgreSQL's `updated_at` in the store's fixed-width text form (see `order_key`).
const PG_UPDATED_AT: &str = "to_char(updated_at AT TIME ZONE 'UTC', \
                             'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

impl Store {
    /// Up to `limit` findings matching `filter` (the organisation's view), newest first,
    /// published before the one at `before` if given; and how many match in all.
    pub async fn feed_page(
        &self,
        filter: &FeedFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<FeedItems, StoreError> {
        let limit = i64::from(limit);
        let started = std::time::Instant::now();
        let (rows, total): (Vec<(i64, String, String, String)>, i64) = match &self.backend {
            Backend::Sqlite(pool) => {
                let to = before.map_or(filter.to, |b| filter.to.min(b.saturating_sub(1)));
                let expr = filter.fts5_match();
                // The index alone picks the page (newest first, so it stops after `limit`),
                // and only then are the rows read: a filter on a joined column would make
                // SQLite read every match first (PERFORMANCE.md).
                let rows = sqlx::query_as(
                    "WITH page AS ( \
                         SELECT rowid AS pos FROM findings_fts \
                         WHERE findings_fts MATCH $1 AND rowid >= $2 AND rowid <= $3 \
                         ORDER BY rowid DESC LIMIT $4) \
                     SELECT f.pos, f.review_id, f.updated_at, f.org_doc \
                     FROM page JOIN findings f ON f.pos = page.pos ORDER BY f.pos DESC",
                )
                .bind(&expr)
                .bind(filter.from)
                .bind(to)
                .bind(limit)
                .fetch_all(pool)
                .await
                .map_err(StoreError::Database)?;
                let total = sqlx::query_scalar(
                    "SELECT count(*) FROM (SELECT 1 FROM findings_fts \
                     WHERE findings_fts MATCH $1 AND rowid >= $2 AND rowid <= $3 LIMIT $4)",
                )
                .bind(&expr)
                .bind(filter.from)
                .bind(filter.to)
                .bind(COUNT_CAP + 1)
                .fetch_one(pool)
                .await
                .map_err(StoreError::Database)?;
                (rows, total)
            }
            Backend::Postgres(pool) => {
                let matching = pg_match(pool, filter).await?;
                if matching == PgMatch::Nothing {
                    return Ok(FeedItems {
                        items: Vec::new(),
                        total: 0,
                    });
                }
                // As on SQLite: the narrow search table picks the page, then the rows are read.
                let (total, page) = pg_page(pool, filter, &matching, before, limit)
                    .await
                    .map_err(StoreError::Database)?;
                let rows = sqlx::query_as(&format!(
                    "SELECT f.pos, f.review_id, {PG_UPDATED_AT}, f.org_doc::text \
                     FROM findings f WHERE f.pos = ANY($1) ORDER BY f.pos DESC"
                ))
                .bind(&page)
                .fetch_all(pool)
                .await
                .map_err(StoreError::Database)?;
                (rows, total)
            }
        };
        self.metrics
            .observe_feed_query(!filter.words.is_empty(), started.elapsed());
        let items = rows
            .into_iter()
            .map(|(pos, review_id, updated_at, doc)| {
                Ok(FeedItem {
                    pos,
                    updated_at: parse_time(&review_id, &updated_at)?,
                    finding: decode_finding(&review_id, &doc)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(FeedItems {
            items,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    /// The published finding of review `id` in `view`, if it has one.
    pub async fn feed_finding(
        &self,
        id: &ReviewId,
        view: FindingView,
    ) -> Result<Option<FeedItem>, StoreError> {
        let row: Option<(i64, String, String)> = match (&self.backend, view) {
            (Backend::Sqlite(pool), view) => {
                let sql = match view {
                    FindingView::Organisation => {
                        "SELECT pos, updated_at, org_doc FROM findings WHERE review_id = $1"
                    }
                    FindingView::Full => {
                        "SELECT pos, updated_at, full_doc FROM findings WHERE review_id = $1"
                    }
                };
                sqlx::query_as(sql)
                    .bind(id.as_str())
                    .fetch_optional(pool)
                    .await
            }
            (Backend::Postgres(pool), view) => {
                let doc = match view {
                    FindingView::Organisation => "org_doc",
                    FindingView::Full => "full_doc",
                };
                let sql = format!(
                    "SELECT pos, {PG_UPDATED_AT}, {doc}::text FROM findings WHERE review_id = $1"
                );
                sqlx::query_as(&sql)
                    .bind(id.as_str())
                    .fetch_optional(pool)
                    .await
            }
        }
        .map_err(StoreError::Database)?;
        row.map(|(pos, updated_at, doc)| {
            Ok(FeedItem {
                pos,
                updated_at: parse_time(id.as_str(), &updated_at)?,
                finding: decode_finding(id.as_str(), &doc)?,
            })
        })
        .transpose()
    }

    /// Calls `each` with every finding matching `filter` (the organisation's view), streamed
    /// from the database rather than gathered, for the statistics.
    pub async fn feed_each(
        &self,
        filter: &FeedFilter,
        mut each: impl FnMut(Finding) + Send,
    ) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut rows = sqlx::query_as::<_, (String, String)>(
                    "WITH m AS ( \
                         SELECT rowid AS pos FROM findings_fts \
                         WHERE findings_fts MATCH $1 AND rowid >= $2 AND rowid <= $3) \
                     SELECT f.review_id, f.org_doc FROM m JOIN findings f ON f.pos = m.pos",
                )
                .bind(filter.fts5_match())
                .bind(filter.from)
                .bind(filter.to)
                .fetch(pool);
                while let Some((id, doc)) = rows.try_next().await.map_err(StoreError::Database)? {
                    each(decode_finding(&id, &doc)?);
                }
            }
            Backend::Postgres(pool) => {
                let matching = pg_match(pool, filter).await?;
                if matching == PgMatch::Nothing {
                    return Ok(());
                }
                let mut sql = QueryBuilder::new(
                    "SELECT f.review_id, f.org_doc::text \
                     FROM findings f JOIN findings_search s ON s.pos = f.pos",
                );
                filter.push_pg_where(&mut sql, &matching, None);
                let mut rows = sql
                    .build_query_as::<(String, String)>()
                    .persistent(false)
                    .fetch(pool);
                while let Some((id, doc)) = rows.try_next().await.map_err(StoreError::Database)? {
                    each(decode_finding(&id, &doc)?);
                }
            }
        }
        Ok(())
    }

    /// Stores many new reviews, with the feed rows of those that have a published finding, in
    /// one transaction; a review whose id is taken is left as it is. For imports and for
    /// seeding the benchmark: the API's way in is [`Store::create_review`]. The number stored.
    pub async fn insert_reviews(&self, reviews: &[Review]) -> Result<u64, StoreError> {
        let mut prepared = Vec::with_capacity(reviews.len());
        for review in reviews {
            let doc = serde_json::to_string(review).map_err(StoreError::Encode)?;
            let version = i64::try_from(review.version).map_err(|_| StoreError::VersionOverflow)?;
            prepared.push((
                review,
                doc,
                version,
                FeedRow::of(review)?,
                super::backlog::rows_of(review)?,
            ));
        }
        on_backend!(self, |pool, pg| async {
            let mut tx = super::begin(pool, &self.metrics).await?;
            let mut stored = 0;
            let sql = super::insert_review_sql(pg);
            for (review, doc, version, row, actions) in &prepared {
                let done = sqlx::query(sql)
                    .bind(review.id.as_str())
                    .bind(version)
                    .bind(order_key(review.created_at))
                    .bind(order_key(review.updated_at))
                    .bind(doc)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 1 {
                    stored += 1;
                    tx.sync_feed(review.id.as_str(), row.as_ref()).await?;
                    tx.sync_actions(review.id.as_str(), actions).await?;
                }
            }
            notify!(self, tx, &Message::FeedChanged).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(stored)
        }
        .await)
        .map_err(StoreError::Database)
        .inspect(|_| self.announce(&Message::FeedChanged))
    }
}

fn decode_finding(id: &str, doc: &str) -> Result<Finding, StoreError> {
    serde_json::from_str(doc).map_err(|source| StoreError::Decode {
        id: id.to_owned(),
        source,
    })
}

/// A time the store wrote with `order_key`.
fn parse_time(id: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    let quoted = serde_json::Value::String(text.to_owned());
    serde_json::from_value(quoted).map_err(|source| StoreError::Decode {
        id: id.to_owned(),
        source,
    })
}

/// Writing a review's feed row inside the transaction that writes the review: deleted when
/// the review has no finding, left alone when its finding has not changed, written otherwise.
/// One implementation per backend's connection, so the store's shared transaction code calls
/// it the same way for both.
pub(super) trait FeedSync {
    async fn sync_feed(
        &mut self,
        review_id: &str,
        row: Option<&FeedRow>,
    ) -> Result<(), sqlx::Error>;
}

/// The `pos` for `row` on `$conn`, or `None` when the stored row already holds this very
/// finding: its own `pos` while the publishing time is unchanged, else the next free slot of
/// the publishing microsecond. Both dialects share this SQL.
macro_rules! place {
    ($conn:expr, $row:expr) => {
        async {
            let stored: Option<(i64, String)> =
                sqlx::query_as("SELECT pos, doc_hash FROM findings WHERE review_id = $1")
                    .bind(&$row.review_id)
                    .fetch_optional(&mut *$conn)
                    .await?;
            match stored {
                Some((_, hash)) if hash == $row.doc_hash => return Ok(None),
                Some((pos, _)) if pos.div_euclid(SLOTS) * SLOTS == $row.base => {
                    return Ok(Some(pos));
                }
                _ => {}
            }
            let last: Option<i64> =
                sqlx::query_scalar("SELECT max(pos) FROM findings WHERE pos BETWEEN $1 AND $2")
                    .bind($row.base)
                    .bind($row.base + SLOTS - 1)
                    .fetch_one(&mut *$conn)
                    .await?;
            match last {
                None => Ok(Some($row.base)),
                Some(last) if last < $row.base + SLOTS - 1 => Ok(Some(last + 1)),
                Some(_) => Err(sqlx::Error::InvalidArgument(format!(
                    "more than {SLOTS} findings published in one microsecond"
                ))),
            }
        }
    };
}

/// A review's feed row goes (on SQLite a trigger takes its index entry, on PostgreSQL the
/// search row cascades).
const DELETE_FINDING: &str = "DELETE FROM findings WHERE review_id = $1";

impl FeedSync for SqliteConnection {
    async fn sync_feed(
        &mut self,
        review_id: &str,
        row: Option<&FeedRow>,
    ) -> Result<(), sqlx::Error> {
        let Some(row) = row else {
            sqlx::query(DELETE_FINDING)
                .bind(review_id)
                .execute(&mut *self)
                .await?;
            return Ok(());
        };
        let Some(pos) = place!(self, row).await? else {
            return Ok(());
        };
        // The trigger takes the old row's index entry with it.
        sqlx::query(DELETE_FINDING)
            .bind(&row.review_id)
            .execute(&mut *self)
            .await?;
        sqlx::query(
            "INSERT INTO findings (review_id, pos, team, services, tags, kinds, severity, \
             published_at, updated_at, doc_hash, org_doc, full_doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&row.review_id)
        .bind(pos)
        .bind(&row.team)
        .bind(&row.services)
        .bind(&row.tags)
        .bind(&row.kinds)
        .bind(row.severity)
        .bind(&row.published_at)
        .bind(&row.updated_at)
        .bind(&row.doc_hash)
        .bind(&row.org_doc)
        .bind(&row.full_doc)
        .execute(&mut *self)
        .await?;
        sqlx::query("INSERT INTO findings_fts (rowid, body, facets) VALUES ($1, $2, $3)")
            .bind(pos)
            .bind(&row.body)
            .bind(row.facets.join(" "))
            .execute(&mut *self)
            .await?;
        Ok(())
    }
}

impl FeedSync for PgConnection {
    async fn sync_feed(
        &mut self,
        review_id: &str,
        row: Option<&FeedRow>,
    ) -> Result<(), sqlx::Error> {
        let Some(row) = row else {
            sqlx::query(DELETE_FINDING)
                .bind(review_id)
                .execute(&mut *self)
                .await?;
            return Ok(());
        };
        let Some(pos) = place!(self, row).await? else {
            return Ok(());
        };
        // The old row's search row goes with it (`ON DELETE CASCADE`).
        sqlx::query(DELETE_FINDING)
            .bind(&row.review_id)
            .execute(&mut *self)
            .await?;
        sqlx::query(
            "INSERT INTO findings (review_id, pos, team, services, tags, kinds, severity, \
             published_at, updated_at, doc_hash, org_doc, full_doc) \
             VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8::timestamptz, \
             $9::timestamptz, $10, $11::jsonb, $12::jsonb)",
        )
        .bind(&row.review_id)
        .bind(pos)
        .bind(&row.team)
        .bind(&row.services)
        .bind(&row.tags)
        .bind(&row.kinds)
        .bind(row.severity)
        .bind(&row.published_at)
        .bind(&row.updated_at)
        .bind(&row.doc_hash)
        .bind(&row.org_doc)
        .bind(&row.full_doc)
        .execute(&mut *self)
        .await?;
        // The facets are lexemes of the same index as the words (see `pg_facet`).
        let facets: Vec<String> = row.facets.iter().map(|f| pg_facet(f)).collect();
        sqlx::query(
            "INSERT INTO findings_search (pos, facets, search) \
             VALUES ($1, $2, strip(to_tsvector('simple', $3)) || array_to_tsvector($4))",
        )
        .bind(pos)
        .bind(&row.facets)
        .bind(&row.body)
        .bind(&facets)
        .execute(&mut *self)
        .await?;
        // Every indexed word, for search words to be expanded into. In order, so that two
        // transactions adding the same new words wait for each other, never deadlock.
        sqlx::query(
            "INSERT INTO findings_words (word) \
             SELECT w FROM findings_search s, unnest(tsvector_to_array(s.search)) w \
             WHERE s.pos = $1 AND left(w, 1) <> '#' ORDER BY w COLLATE \"C\" \
             ON CONFLICT DO NOTHING",
        )
        .bind(pos)
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> FeedQuery {
        FeedQuery {
            q: Some(q.to_owned()),
            ..FeedQuery::default()
        }
    }

    #[test]
    fn words_are_letters_and_digits_lowercased() {
        let all: Vec<String> = words("Disk-full on db1, “Ünïcode” café_2 x").collect();
        assert_eq!(
            all,
            ["disk", "full", "on", "db1", "ünïcode", "café", "2", "x"]
        );
    }

    #[test]
    fn nothing_typed_becomes_query_syntax() {
        let check = |q: &str, fts5: &str, ts: Option<&str>| {
            let filter = FeedFilter::new(&query(q));
            assert_eq!(filter.fts5_match(), fts5, "{q:?}");
            // Each word asked as a prefix (as when it starts too many words to list).
            let tsquery = match filter.pg_match(&vec![None; filter.words.len()]) {
                PgMatch::Query(tsquery) => Some(tsquery),
                PgMatch::All => None,
                PgMatch::Nothing => panic!("{q:?}"),
            };
            assert_eq!(tsquery.as_deref(), ts, "{q:?}");
        };
        check(
            "disk ful",
            "body:\"disk\"* AND body:\"ful\"*",
            Some("'disk':* & 'ful':*"),
        );
        check(
            "\"a\" OR b* NOT c: {body}:(d) NEAR(e f) ^g 'h' & !i | j <-> k:*",
            "body:\"a\"* AND body:\"b\"* AND body:\"body\"* AND body:\"c\"* AND body:\"d\"* \
             AND body:\"e\"* AND body:\"f\"* AND body:\"g\"* AND body:\"h\"* AND body:\"i\"* \
             AND body:\"j\"* AND body:\"k\"* AND body:\"near\"* AND body:\"not\"* AND body:\"or\"*",
            Some(
                "'a':* & 'b':* & 'body':* & 'c':* & 'd':* & 'e':* & 'f':* & 'g':* & 'h':* & 'i':* \
                 & 'j':* & 'k':* & 'near':* & 'not':* & 'or':*",
            ),
        );
        check("  ", "facets:\"all\"", None);
        // Expanded words are asked exactly, a word that starts none matches nothing, and a
        // quote or backslash could only ever be part of a lexeme.
        let filter = FeedFilter::new(&FeedQuery {
            q: Some("roll po".into()),
            team: Some("Payments".into()),
            ..FeedQuery::default()
        });
        let expanded = [
            Some(vec!["po".to_owned(), "pool".to_owned()]),
            Some(vec!["rollback".to_owned(), "it's\\".to_owned()]),
        ];
        assert_eq!(
            filter.pg_match(&expanded),
            PgMatch::Query(format!(
                "'#{}' & ('po' | 'pool') & ('rollback' | 'it''s\\\\')",
                team_facet("payments")
            ))
        );
        assert_eq!(
            filter.pg_match(&[Some(vec!["po".to_owned()]), Some(Vec::new())]),
            PgMatch::Nothing
        );
        check("--- ***", "facets:\"all\"", None);
    }

    #[test]
    fn filters_are_facets_and_dates_are_ranges() {
        let filter = FeedFilter::new(&FeedQuery {
            team: Some(" Payments ".into()),
            kind: Some(FactorKind::KnowledgeGap),
            from: Some("2026-11-01".parse().unwrap()),
            to: Some("2026-11-01".parse().unwrap()),
            ..FeedQuery::default()
        });
        assert_eq!(
            filter.fts5_match(),
            format!(
                "facets:\"{}\" AND facets:\"{}\"",
                team_facet("payments"),
                kind_facet(FactorKind::KnowledgeGap)
            )
        );
        assert_eq!(team_facet("PAYMENTS"), "t7061796d656e7473");
        let day: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        assert_eq!(filter.from, day.timestamp_micros() * SLOTS);
        assert_eq!(
            filter.to,
            (day + chrono::TimeDelta::days(1)).timestamp_micros() * SLOTS - 1
        );
        let open = FeedFilter::new(&FeedQuery::default());
        assert_eq!((open.from, open.to), (i64::MIN, i64::MAX));
    }

    #[test]
    fn long_searches_are_bounded() {
        let long = format!("{} {}", "x".repeat(500), "w ".repeat(100));
        let filter = FeedFilter::new(&query(&long));
        assert!(filter.words.len() <= MAX_QUERY_WORDS);
        assert!(
            filter
                .words
                .iter()
                .all(|w| w.chars().count() <= MAX_WORD_CHARS)
        );
    }
}
