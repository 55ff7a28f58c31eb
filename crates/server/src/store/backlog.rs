//! The actions' side of the store: one row per action of every published finding, in the
//! organisation's view, for the open-actions list (`GET /api/v1/actions`) and the overdue
//! notices.
//!
//! Rows are written in the same transaction as the review they come from (see
//! [`BacklogSync`]), beside its feed row, so the list never shows an action the finding does
//! not hold. They are ordered by `sort_key` ([`backlog::sort_key`]: due day first), which a
//! partial index over the open rows keeps, so a page is one index range and the next page starts
//! after the last key sent.

use super::{Backend, Store, StoreError};
use chrono::NaiveDate;
use mosaic_domain::backlog::{self, ActionsQuery, OpenAction};
use mosaic_domain::{Review, ReviewId};
use sqlx::{PgConnection, Postgres, QueryBuilder, Sqlite, SqliteConnection};

/// One action as the store keeps it, derived before the transaction opens.
#[derive(Clone, Debug)]
pub(super) struct ActionRow {
    action_id: String,
    sort_key: String,
    is_open: bool,
    team: String,
    owner: String,
    assignee: String,
    priority: &'static str,
    kind: &'static str,
    due: Option<String>,
    doc: String,
}

/// The rows `review` should have: none without a published finding (or when its actions are
/// for the team only), and never an action published before actions had ids.
pub(super) fn rows_of(review: &Review) -> Result<Vec<ActionRow>, StoreError> {
    let Some(finding) = review.finding() else {
        return Ok(Vec::new());
    };
    let org = finding.for_organisation();
    org.actions
        .iter()
        .filter_map(|a| a.id.as_ref().map(|id| (a, id)))
        .map(|(a, id)| {
            let item = OpenAction {
                review_id: org.review_id.clone(),
                review_title: org.title.clone(),
                team: org.team.clone(),
                services: org.services.clone(),
                action: a.clone(),
            };
            Ok(ActionRow {
                action_id: id.to_string(),
                sort_key: item.sort_key(),
                is_open: a.status.is_active(),
                team: backlog::filter_value(&org.team),
                owner: backlog::filter_value(a.owner.as_deref().unwrap_or_default()),
                assignee: backlog::filter_value(&a.assignee),
                priority: a.priority.key(),
                kind: a.kind.key(),
                due: a.due.map(|d| d.to_string()),
                doc: serde_json::to_string(&item).map_err(StoreError::Encode)?,
            })
        })
        .collect()
}

/// Writing a review's action rows inside the transaction that writes the review: its old rows
/// are replaced by `rows`. One implementation per backend's connection, like the feed's.
pub(super) trait BacklogSync {
    async fn sync_actions(
        &mut self,
        review_id: &str,
        rows: &[ActionRow],
    ) -> Result<(), sqlx::Error>;
}

/// Implements [`BacklogSync`] for one backend's connection, with that dialect's insert.
macro_rules! backlog_sync {
    ($conn:ty, $insert:expr) => {
        impl BacklogSync for $conn {
            async fn sync_actions(
                &mut self,
                review_id: &str,
                rows: &[ActionRow],
            ) -> Result<(), sqlx::Error> {
                sqlx::query("DELETE FROM finding_actions WHERE review_id = $1")
                    .bind(review_id)
                    .execute(&mut *self)
                    .await?;
                for row in rows {
                    sqlx::query($insert)
                        .bind(review_id)
                        .bind(&row.action_id)
                        .bind(&row.sort_key)
                        .bind(row.is_open)
                        .bind(&row.team)
                        .bind(&row.owner)
                        .bind(&row.assignee)
                        .bind(row.priority)
                        .bind(row.kind)
                        .bind(&row.due)
                        .bind(&row.doc)
                        .execute(&mut *self)
                        .await?;
                }
                Ok(())
            }
        }
    };
}

backlog_sync!(
    SqliteConnection,
    "INSERT INTO finding_actions (review_id, action_id, sort_key, is_open, team, owner, \
     assignee, priority, kind, due, doc) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
);
backlog_sync!(
    PgConnection,
    "INSERT INTO finding_actions (review_id, action_id, sort_key, is_open, team, owner, \
     assignee, priority, kind, due, doc) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)"
);

/// Adds `query`'s filters and the page's start to a `SELECT … FROM finding_actions WHERE
/// <open>`; both dialects take the same text.
fn push_filters<'a, DB>(sql: &mut QueryBuilder<'a, DB>, query: &ActionsQuery, after: Option<&str>)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let value = |v: &Option<String>| {
        v.as_deref()
            .map(backlog::filter_value)
            .filter(|v| !v.is_empty())
    };
    if let Some(team) = value(&query.team) {
        sql.push(" AND team = ").push_bind(team);
    }
    if let Some(owner) = value(&query.owner) {
        sql.push(" AND (owner = ")
            .push_bind(owner.clone())
            .push(" OR assignee = ")
            .push_bind(owner)
            .push(")");
    }
    if let Some(p) = query.priority {
        sql.push(" AND priority = ").push_bind(p.key().to_owned());
    }
    if let Some(k) = query.kind {
        sql.push(" AND kind = ").push_bind(k.key().to_owned());
    }
    if let Some(after) = after {
        sql.push(" AND sort_key > ").push_bind(after.to_owned());
    }
}

impl Store {
    /// Up to `limit` open actions of published findings matching `query`, in list order
    /// (due day first, undated last), after the one whose sort key is `after` if given.
    pub async fn open_actions(
        &self,
        query: &ActionsQuery,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OpenAction>, StoreError> {
        let limit = i64::from(limit);
        let docs: Vec<(String, String)> = match &self.backend {
            Backend::Sqlite(pool) => {
                let mut sql = QueryBuilder::<Sqlite>::new(
                    "SELECT review_id, doc FROM finding_actions WHERE is_open = 1",
                );
                push_filters(&mut sql, query, after);
                sql.push(" ORDER BY sort_key LIMIT ").push_bind(limit);
                sql.build_query_as().fetch_all(pool).await
            }
            Backend::Postgres(pool) => {
                let mut sql = QueryBuilder::<Postgres>::new(
                    "SELECT review_id, doc::text FROM finding_actions WHERE is_open",
                );
                push_filters(&mut sql, query, after);
                sql.push(" ORDER BY sort_key LIMIT ").push_bind(limit);
                sql.build_query_as().fetch_all(pool).await
            }
        }
        .map_err(StoreError::Database)?;
        docs.into_iter()
            .map(|(id, doc)| {
                serde_json::from_str(&doc).map_err(|source| StoreError::Decode { id, source })
            })
            .collect()
    }

    /// Every open action due before `today`, in list order: what the overdue notices read.
    pub async fn overdue_actions(&self, today: NaiveDate) -> Result<Vec<OpenAction>, StoreError> {
        let today = today.to_string();
        let docs: Vec<(String, String)> = on_backend!(self, |pool, pg| {
            let sql = if pg {
                "SELECT review_id, doc::text FROM finding_actions \
                 WHERE is_open AND sort_key < $1 ORDER BY sort_key"
            } else {
                "SELECT review_id, doc FROM finding_actions \
                 WHERE is_open = 1 AND sort_key < $1 ORDER BY sort_key"
            };
            sqlx::query_as(sql).bind(&today).fetch_all(pool).await
        })
        .map_err(StoreError::Database)?;
        docs.into_iter()
            .map(|(id, doc)| {
                serde_json::from_str(&doc).map_err(|source| StoreError::Decode { id, source })
            })
            .collect()
    }

    /// Up to `limit` other published findings (the organisation's view) that share a service,
    /// a tag or what went on (at least [`RELATED_SHARED_WORDS`](mosaic_domain::feed::RELATED_SHARED_WORDS) factor words) with review
    /// `id`'s, newest first. Two lookups of the feed's index, each bounded: the newest findings
    /// with one of the services or tags, and the newest whose text holds one of the factor words,
    /// kept if their own factors share enough of them.
    pub async fn related_findings(
        &self,
        id: &ReviewId,
        limit: u32,
    ) -> Result<Vec<mosaic_domain::Finding>, StoreError> {
        let Some(item) = self
            .feed_finding(id, super::FindingView::Organisation)
            .await?
        else {
            return Ok(Vec::new());
        };
        let f = &item.finding;
        let mut facets: Vec<String> = f
            .services
            .iter()
            .map(|s| super::facets::service_facet(s))
            .chain(f.tags.iter().map(|t| super::facets::tag_facet(t)))
            .collect();
        facets.sort();
        facets.dedup();
        let words = f.factor_words();
        // One more, since the finding itself matches.
        let wanted = i64::from(limit) + 1;
        let mut found = self.related_rows(Related::Facets(&facets), wanted).await?;
        for (pos, rid, doc) in self
            .related_rows(Related::Words(&words), RELATED_WORD_CANDIDATES)
            .await?
        {
            if found.iter().any(|(p, _, _)| *p == pos) {
                continue;
            }
            let finding = decode(&rid, &doc)?;
            if finding.shares_factor_words(&words) {
                found.push((pos, rid, doc));
            }
        }
        found.sort_by_key(|(pos, _, _)| std::cmp::Reverse(*pos));
        found
            .into_iter()
            .filter(|(_, rid, _)| rid != id.as_str())
            .take(limit as usize)
            .map(|(_, rid, doc)| decode(&rid, &doc))
            .collect()
    }

    /// The newest `limit` findings (position, review id, organisation's view) that have one of
    /// the facets, or whose indexed text holds one of the words.
    async fn related_rows(
        &self,
        by: Related<'_>,
        limit: i64,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        let terms: Vec<String> = match by {
            Related::Facets(facets) => facets.to_vec(),
            // Longest first: the likelier to be particular to this incident.
            Related::Words(words) => {
                let mut w: Vec<String> = words.iter().cloned().collect();
                w.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
                w.truncate(RELATED_WORDS_ASKED);
                w
            }
        };
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let (column, pg_where) = match by {
            // Facets are `#`-terms of the search index on PostgreSQL (`facets::pg_facet`).
            Related::Facets(_) => ("facets", "s.search @@ array_to_string($1, ' | ')::tsquery"),
            Related::Words(_) => (
                "body",
                "s.search @@ to_tsquery('simple', array_to_string($1, ' | '))",
            ),
        };
        match &self.backend {
            Backend::Sqlite(pool) => {
                // Facets and factor words are letters and digits, quoted: never FTS5 syntax.
                let expr = terms
                    .iter()
                    .map(|t| format!("{column}:\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                sqlx::query_as(
                    "WITH m AS (SELECT rowid AS pos FROM findings_fts WHERE findings_fts MATCH $1 \
                     ORDER BY rowid DESC LIMIT $2) \
                     SELECT f.pos, f.review_id, f.org_doc FROM m JOIN findings f ON f.pos = m.pos \
                     ORDER BY f.pos DESC",
                )
                .bind(expr)
                .bind(limit)
                .fetch_all(pool)
                .await
            }
            Backend::Postgres(pool) => {
                // A facet is letters and hex digits after its `#`: quoted, it is one term.
                let terms: Vec<String> = match by {
                    Related::Facets(_) => terms
                        .iter()
                        .map(|f| format!("'{}'", super::facets::pg_facet(f)))
                        .collect(),
                    Related::Words(_) => terms,
                };
                sqlx::query_as(&format!(
                    "SELECT f.pos, f.review_id, f.org_doc::text FROM findings_search s \
                     JOIN findings f ON f.pos = s.pos WHERE {pg_where} \
                     ORDER BY s.pos DESC LIMIT $2"
                ))
                .bind(terms)
                .bind(limit)
                .fetch_all(pool)
                .await
            }
        }
        .map_err(StoreError::Database)
    }

    /// The stored action rows of review `id` (for tests of the transaction's consistency).
    pub async fn action_rows(&self, id: &ReviewId) -> Result<u64, StoreError> {
        let n: i64 = on_backend!(self, |pool, _pg| {
            sqlx::query_scalar("SELECT count(*) FROM finding_actions WHERE review_id = $1")
                .bind(id.as_str())
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::Database)?;
        Ok(u64::try_from(n).unwrap_or_default())
    }
}

/// What [`Store::related_rows`] looks a finding's neighbours up by.
#[derive(Clone, Copy)]
enum Related<'a> {
    Facets(&'a [String]),
    Words(&'a std::collections::BTreeSet<String>),
}

/// How many of a finding's factor words the lookup asks for.
const RELATED_WORDS_ASKED: usize = 12;
/// How many of the newest findings holding one of them are compared word by word.
const RELATED_WORD_CANDIDATES: i64 = 50;

fn decode(id: &str, doc: &str) -> Result<mosaic_domain::Finding, StoreError> {
    serde_json::from_str(doc).map_err(|source| StoreError::Decode {
        id: id.to_owned(),
        source,
    })
}
