//! The cross-team findings feed: who may read each part of a published finding, and the JSON
//! shapes of the feed's API (`/api/v1/feed…`) and its query.
//!
//! A published [`Finding`] carries a [`SectionAudience`]: each section is for the review's own
//! team, or for the whole organisation. The feed shows everyone only the organisation's part
//! ([`Finding::for_organisation`]); the review's own members see all of it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::account::FactorKind;
use crate::id::ReviewId;
use crate::review::Severity;
use crate::review::action::ActionStatus;
use crate::review::finding::Finding;
use crate::text;

pub use crate::review::finding::{Audience, Section, SectionAudience};

impl Finding {
    /// The finding as the whole organisation may read it: every team-only section emptied.
    pub fn for_organisation(&self) -> Finding {
        let mut f = self.clone();
        let team_only = |s: Section| self.audience.get(s) == Audience::Team;
        if team_only(Section::Summary) {
            f.summary.clear();
            f.impact.clear();
            f.affected_count = None;
        }
        if team_only(Section::Unfolded) {
            f.unfolded.clear();
        }
        if team_only(Section::KeyInsights) {
            f.key_insights.clear();
        }
        if team_only(Section::Factors) {
            f.factors.clear();
        }
        if team_only(Section::Surprises) {
            f.surprises.clear();
        }
        if team_only(Section::KnowledgeGaps) {
            f.knowledge_gaps.clear();
        }
        if team_only(Section::Helped) {
            f.helped.clear();
        }
        if team_only(Section::Lucky) {
            f.lucky.clear();
        }
        if team_only(Section::Actions) {
            f.actions.clear();
        }
        // A theme has no audience of its own: each of its factors keeps its section's, and a
        // theme none of whose factors the organisation may read is left out.
        for theme in &mut f.themes {
            theme
                .factors
                .retain(|tf| !team_only(Section::of_kind(tf.kind)));
        }
        f.themes.retain(|t| !t.factors.is_empty());
        f
    }

    /// Whether any section is kept to the team.
    pub fn has_team_only_sections(&self) -> bool {
        Section::ALL
            .into_iter()
            .any(|s| self.audience.get(s) == Audience::Team)
    }
}

/// The filters of the feed, its search, its statistics and its Atom and JSON feeds, all given
/// as the same query parameters (`?q=disk&kind=knowledge_gap&service=payments`). Every filter
/// is optional; given together they all apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// Words to search for in the finding's text (title, summary, insights, factors, surprises,
    /// knowledge gaps, actions, tags), each word matching as a prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Findings with at least one factor of this kind visible to the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FactorKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Published on or after this day (UTC).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::day_option"
    )]
    pub from: Option<NaiveDate>,
    /// Published on or before this day (UTC).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::day_option"
    )]
    pub to: Option<NaiveDate>,
    /// The `next` cursor of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Entries per page, 1 to 100; 20 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl FeedQuery {
    /// Whether the query narrows which findings match (a search or any filter); the page's
    /// cursor and size only choose which of them are shown.
    pub fn narrows(&self) -> bool {
        let FeedQuery {
            q,
            team,
            service,
            kind,
            tag,
            from,
            to,
            cursor: _,
            limit: _,
        } = self;
        q.is_some()
            || team.is_some()
            || service.is_some()
            || kind.is_some()
            || tag.is_some()
            || from.is_some()
            || to.is_some()
    }
}

/// How an action in a finding stands, for the counts on the feed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionCounts {
    pub done: u32,
    /// Open or in progress, not past due.
    pub open: u32,
    /// Open or in progress, past its due day.
    pub overdue: u32,
}

impl ActionCounts {
    /// Counts `finding`'s actions as they stand on `today`. Won't-do actions count in none.
    pub fn of(finding: &Finding, today: NaiveDate) -> Self {
        let mut counts = Self::default();
        for a in &finding.actions {
            match a.status {
                ActionStatus::Done => counts.done += 1,
                ActionStatus::WontDo => {}
                ActionStatus::Open | ActionStatus::InProgress => {
                    if a.due.is_some_and(|d| d < today) {
                        counts.overdue += 1;
                    } else {
                        counts.open += 1;
                    }
                }
            }
        }
        counts
    }
}

/// One finding in the feed's list: enough to recognise it and decide to open it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEntry {
    pub review_id: ReviewId,
    pub title: String,
    pub team: String,
    pub services: Vec<String>,
    pub severity: Severity,
    pub tags: Vec<String>,
    /// Read with chrono's RFC 3339 reader: the feed's page needs no other date parser.
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub published_at: DateTime<Utc>,
    /// The start of the summary as plain text (Markdown markup removed), at most 280
    /// characters; empty when the summary is team-only.
    pub excerpt: String,
    /// The kinds of factor the finding has, as the organisation may read it.
    pub kinds: Vec<FactorKind>,
    pub actions: ActionCounts,
    /// Minutes from the start to detection and to resolution, when the facts have them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_detect_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_resolve_minutes: Option<i64>,
}

/// `GET /api/v1/feed`: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPage {
    pub entries: Vec<FeedEntry>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// How many findings match the filters, counted up to 1,000.
    pub total: u64,
    /// True when more than `total` match ("1,000+").
    #[serde(default)]
    pub more: bool,
}

/// `GET /api/v1/feed/{review_id}`: one published finding, with every action's current status.
/// Team-only sections are included only for the review's own members (their token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedFinding {
    pub finding: Finding,
    /// True when sections were left out because the reader is not in the review.
    pub team_only_hidden: bool,
}

/// A count of findings per kind of factor in one month (`"2026-11"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindInMonth {
    pub month: String,
    pub kind: FactorKind,
    pub count: u32,
}

/// A tag or term and how many findings have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurring {
    pub term: String,
    pub count: u32,
}

/// `GET /api/v1/feed/stats`: learning across the findings that match the filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStats {
    pub findings: u64,
    /// Factors by kind over time, oldest month first.
    pub kinds_by_month: Vec<KindInMonth>,
    /// Tags on more than one finding, most frequent first (at most 20).
    pub recurring_tags: Vec<Recurring>,
    /// Factor texts (normalised: lowercase, trimmed) noted in more than one finding, most
    /// frequent first (at most 20).
    pub recurring_factors: Vec<Recurring>,
    pub actions: ActionCounts,
    /// How fast the actions of these findings were done.
    #[serde(default)]
    pub time_to_improve: crate::improve::TimeToImprove,
    /// The median time to detect and to resolve per month of publishing, oldest first; only
    /// months with at least one finding that has a time.
    #[serde(default)]
    pub timings_by_month: Vec<TimingsInMonth>,
}

/// One month's median times, in minutes, over the findings published in it that have them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimingsInMonth {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_detect_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_resolve_minutes: Option<i64>,
    /// How many findings of the month have a time to detect or to resolve.
    pub findings: u32,
}

/// The median of `values` (the lower of the two middle ones for an even count); `None` when
/// there are none.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    (n > 0).then(|| values[(n - 1) / 2])
}

/// A finding's publishing time and its times to detect and to resolve, in minutes.
pub type FindingTimes = (DateTime<Utc>, Option<i64>, Option<i64>);

impl Finding {
    pub fn times(&self) -> FindingTimes {
        (
            self.published_at,
            self.time_to_detect_minutes,
            self.time_to_resolve_minutes,
        )
    }
}

/// How many factor words two findings must share to count as related by what went on (one
/// shared word is too often a word every incident uses: "deploy", "alert").
pub const RELATED_SHARED_WORDS: usize = 2;

impl Finding {
    /// The words that say what this finding's factors were about, for "related findings": the
    /// content words of every factor, surprise, knowledge gap, what helped and where we were lucky,
    /// lowercase, of three letters or more, stopwords and numbers dropped. Words joined by a
    /// hyphen or an apostrophe are split, as the search index splits them, so each word can
    /// be looked up there. Read it from the organisation's view where that is what is compared.
    pub fn factor_words(&self) -> BTreeSet<String> {
        let factors = self
            .factors
            .iter()
            .flat_map(|g| &g.factors)
            .chain(&self.surprises)
            .chain(&self.knowledge_gaps)
            .chain(&self.helped)
            .chain(&self.lucky);
        factors
            .flat_map(|f| text::content_words(&f.text))
            .flat_map(|w| {
                w.split(|c: char| !c.is_alphanumeric())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .filter(|w| {
                w.chars().count() >= 3
                    && !w.chars().all(|c| c.is_numeric())
                    && !text::is_stopword(w)
            })
            .collect()
    }

    /// Whether `other` shares enough factor words with this finding to be listed beside it
    /// ([`RELATED_SHARED_WORDS`]), given this finding's [`Finding::factor_words`].
    pub fn shares_factor_words(&self, mine: &BTreeSet<String>) -> bool {
        self.factor_words().intersection(mine).count() >= RELATED_SHARED_WORDS
    }
}

/// The median times per month of publishing, oldest month first.
pub fn timings_by_month(findings: impl IntoIterator<Item = FindingTimes>) -> Vec<TimingsInMonth> {
    let mut months: std::collections::BTreeMap<String, (Vec<i64>, Vec<i64>, u32)> =
        std::collections::BTreeMap::new();
    for (published_at, detect, resolve) in findings {
        if detect.is_none() && resolve.is_none() {
            continue;
        }
        let slot = months
            .entry(crate::timestamp::month(&published_at))
            .or_default();
        slot.0.extend(detect);
        slot.1.extend(resolve);
        slot.2 += 1;
    }
    months
        .into_iter()
        .map(|(month, (detect, resolve, findings))| TimingsInMonth {
            month,
            median_detect_minutes: median(detect),
            median_resolve_minutes: median(resolve),
            findings,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_narrows_by_its_search_and_filters_not_by_its_page() {
        assert!(!FeedQuery::default().narrows());
        let paged = FeedQuery {
            cursor: Some("c".into()),
            limit: Some(5),
            ..FeedQuery::default()
        };
        assert!(!paged.narrows());
        assert!(
            FeedQuery {
                q: Some("disk".into()),
                ..FeedQuery::default()
            }
            .narrows()
        );
        assert!(
            FeedQuery {
                kind: Some(FactorKind::Technical),
                ..FeedQuery::default()
            }
            .narrows()
        );
        let since = NaiveDate::from_ymd_opt(2026, 11, 1);
        assert!(
            FeedQuery {
                from: since,
                ..FeedQuery::default()
            }
            .narrows()
        );
    }

    #[test]
    fn timings_are_medians_per_month() {
        let at = |m: u32, d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, m, d)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
        };
        let months = timings_by_month([
            (at(11, 3), Some(10), Some(60)),
            (at(11, 9), Some(2), None),
            (at(11, 20), Some(30), Some(200)),
            (at(12, 1), None, None),
            (at(12, 2), None, Some(45)),
        ]);
        assert_eq!(
            months,
            [
                TimingsInMonth {
                    month: "2026-11".into(),
                    median_detect_minutes: Some(10),
                    median_resolve_minutes: Some(60),
                    findings: 3,
                },
                TimingsInMonth {
                    month: "2026-12".into(),
                    median_detect_minutes: None,
                    median_resolve_minutes: Some(45),
                    findings: 1,
                },
            ]
        );
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }

    #[test]
    fn sections_are_named_per_audience_in_order() {
        let mut audience = SectionAudience::default();
        assert!(audience.labels_for(Audience::Team).is_empty());
        audience.set(Section::Actions, Audience::Team);
        audience.set(Section::Summary, Audience::Team);
        assert_eq!(audience.labels_for(Audience::Team), ["Summary", "Actions"]);
        assert_eq!(
            audience.labels_for(Audience::Organisation),
            [
                "How it unfolded",
                "Key insights",
                "Contributing factors",
                "Operational surprises",
                "Knowledge gaps",
                "What helped",
                "Where we were lucky"
            ]
        );
    }

    #[test]
    fn audience_keys_round_trip() {
        for a in Audience::ALL {
            assert_eq!(Audience::from_key(a.key()), Some(a));
        }
        assert_eq!(Audience::default(), Audience::Organisation);
    }

    #[test]
    fn section_audience_sets_each_section() {
        for s in Section::ALL {
            let mut audience = SectionAudience::default();
            audience.set(s, Audience::Team);
            for other in Section::ALL {
                let expected = if other == s {
                    Audience::Team
                } else {
                    Audience::Organisation
                };
                assert_eq!(audience.get(other), expected, "{s:?} set, {other:?} read");
            }
        }
    }

    fn finding_with(factors: &[&str], surprises: &[&str]) -> Finding {
        let factor = |t: &&str| serde_json::json!({"text": t, "votes": 0, "noted_by": "SRE"});
        serde_json::from_value(serde_json::json!({
            "review_id": "11111111-1111-4111-8111-111111111111",
            "title": "Checkout errors",
            "summary": "",
            "key_insights": [],
            "factors": [{"kind": "technical", "factors": factors.iter().map(factor).collect::<Vec<_>>()}],
            "surprises": surprises.iter().map(factor).collect::<Vec<_>>(),
            "knowledge_gaps": [],
            "actions": [],
            "team": "Payments",
            "services": [],
            "severity": "sev2",
            "published_at": "2026-11-03T12:00:00Z",
        }))
        .unwrap()
    }

    #[test]
    fn related_by_factor_words_needs_two_shared_words() {
        let a = finding_with(
            &["The connection pool was exhausted after the deploy"],
            &["Retries doubled the load on the database's primary"],
        );
        let words = a.factor_words();
        for w in [
            "connection",
            "pool",
            "exhausted",
            "deploy",
            "retries",
            "database",
            "primary",
        ] {
            assert!(words.contains(w), "{w} in {words:?}");
        }
        for w in ["the", "was", "after", "database's", "on"] {
            assert!(!words.contains(w), "{w} in {words:?}");
        }

        let pool = finding_with(&["Pool size too small: connection waits"], &[]);
        assert!(pool.shares_factor_words(&words), "connection + pool");
        let deploy_only = finding_with(&["A config deploy on Friday"], &[]);
        assert!(
            !deploy_only.shares_factor_words(&words),
            "one word is not enough"
        );
        let on_call = finding_with(&["On-call didn't know the 2024 runbook"], &[]);
        let hyphenated = on_call.factor_words();
        assert!(hyphenated.contains("call") && hyphenated.contains("runbook"));
        assert!(!hyphenated.contains("on-call") && !hyphenated.contains("2024"));
    }

    #[test]
    fn feed_query_refuses_unknown_filters() {
        let err =
            serde_json::from_value::<FeedQuery>(serde_json::json!({"colour": "red"})).unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
    }
}
