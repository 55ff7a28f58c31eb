//! The open actions of many reviews on one list: the `/actions` page and the API route behind
//! it (`GET /api/v1/actions`).
//!
//! The server lists the open actions of every published finding in the organisation's view
//! (no team-only section, people by role unless they opted in); the page adds the reviews this
//! browser holds, whose own copy wins over the server's. Both sides order and filter with the
//! rules here, so a page of the server's list and the merged list agree.

use crate::id::ActionId;
use crate::id::ReviewId;
use crate::review::Review;
use crate::review::action::{ActionKind, Priority};
use crate::review::finding::{Finding, FindingAction};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// One open (or in progress) action, with the review it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAction {
    pub review_id: ReviewId,
    /// The finding's title (or, for a review this browser holds, the review's).
    pub review_title: String,
    pub team: String,
    /// The services the incident touched.
    #[serde(default)]
    pub services: Vec<String>,
    /// The action as the finding shows it; `id` is always set.
    pub action: FindingAction,
}

/// `GET /api/v1/actions`'s query, and the `/actions` page's filters kept in its URL. Every
/// filter is optional; given together they all apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsQuery {
    /// The finding's team, ignoring case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The owner as the finding names them (a role or an opted-in name) or the owning team or
    /// person outside the review, ignoring case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActionKind>,
    /// The `next` cursor of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Actions per page, 1 to 100; 50 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl ActionsQuery {
    /// The query's parameters, in a fixed order, empty ones left out: for the API's URL and
    /// the `/actions` page's own address.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        [
            ("team", text(&self.team)),
            ("owner", text(&self.owner)),
            ("priority", self.priority.map(|p| p.key().to_owned())),
            ("kind", self.kind.map(|k| k.key().to_owned())),
            ("cursor", text(&self.cursor)),
            ("limit", self.limit.map(|l| l.to_string())),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }

    /// The filters from an address's parameters (`get` reads one); anything unreadable is no
    /// filter. Cursor and limit are the API's, never the page's.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            team: text("team"),
            owner: text("owner"),
            priority: get("priority").and_then(|p| Priority::from_key(&p)),
            kind: get("kind").and_then(|k| ActionKind::from_key(&k)),
            cursor: None,
            limit: None,
        }
    }
}

/// One page of `GET /api/v1/actions`, in [`sort_key`] order: due date first (undated last).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionsPage {
    pub items: Vec<OpenAction>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// What an undated action sorts as: after every real due date.
pub const UNDATED: &str = "9999-12-31";

/// The list's order as one string: the due day (`YYYY-MM-DD`, [`UNDATED`] when none), the
/// review's id and the action's id, separated by spaces (ids hold none). Byte order is the
/// list's order, so the server indexes it and pages by it.
pub fn sort_key(due: Option<NaiveDate>, review_id: &str, action_id: &str) -> String {
    let due = due.map_or_else(|| UNDATED.to_owned(), |d| d.to_string());
    format!("{due} {review_id} {action_id}")
}

/// A filter value as compared: trimmed and lowercase.
pub fn filter_value(raw: &str) -> String {
    crate::text::lowercase(raw.trim())
}

impl OpenAction {
    pub fn sort_key(&self) -> String {
        sort_key(
            self.action.due,
            self.review_id.as_str(),
            self.action.id.as_ref().map_or("", ActionId::as_str),
        )
    }

    /// Due before `today` (and open, as every action here is).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.action.due.is_some_and(|d| d < today)
    }

    /// Whether the action passes `query`'s filters (its cursor and limit play no part).
    pub fn matches(&self, query: &ActionsQuery) -> bool {
        let same = |wanted: &Option<String>, value: &str| {
            wanted
                .as_deref()
                .map(filter_value)
                .is_none_or(|w| w.is_empty() || w == filter_value(value))
        };
        let a = &self.action;
        same(&query.team, &self.team)
            && (same(&query.owner, a.owner.as_deref().unwrap_or_default())
                || same(&query.owner, &a.assignee))
            && query.priority.is_none_or(|p| p == a.priority)
            && query.kind.is_none_or(|k| k == a.kind)
    }
}

fn order(a: &OpenAction, b: &OpenAction) -> Ordering {
    a.sort_key().cmp(&b.sort_key())
}

/// The open actions of a published finding (pass the view the reader may read); actions
/// published before they had ids are left out, since nothing could change them.
pub fn of_finding(finding: &Finding) -> Vec<OpenAction> {
    finding
        .actions
        .iter()
        .filter(|a| a.status.is_active() && a.id.is_some())
        .map(|a| OpenAction {
            review_id: finding.review_id.clone(),
            review_title: finding.title.clone(),
            team: finding.team.clone(),
            services: finding.services.clone(),
            action: a.clone(),
        })
        .collect()
}

/// The open actions of a review this browser holds, as its own people see them: owners by
/// name, in any phase.
pub fn of_review(review: &Review) -> Vec<OpenAction> {
    review
        .actions()
        .iter()
        .filter(|a| a.status.is_active())
        .map(|a| OpenAction {
            review_id: review.id.clone(),
            review_title: review.facts.title().to_owned(),
            team: review.facts.team().to_owned(),
            services: review.facts.services().to_vec(),
            action: FindingAction {
                id: Some(a.id.clone()),
                title: a.title.clone(),
                kind: a.kind,
                priority: a.priority,
                status: a.status,
                due: a.due,
                owner: a
                    .owner
                    .as_ref()
                    .and_then(|o| review.participant(o))
                    .map(|p| p.name.clone()),
                tracker_url: a.tracker_url.clone(),
                assignee: a.assignee.clone(),
                created_at: a.created_at,
                history: a.history.clone(),
            },
        })
        .collect()
}

/// The `/actions` list: the server's actions and this browser's (`local`, from the reviews it
/// holds, whose copy replaces the server's for the same review), filtered by `query`, in
/// [`sort_key`] order, without repeats.
pub fn merge(
    server: Vec<OpenAction>,
    local: Vec<OpenAction>,
    local_reviews: &[ReviewId],
    query: &ActionsQuery,
) -> Vec<OpenAction> {
    let mut all: Vec<OpenAction> = server
        .into_iter()
        .filter(|a| !local_reviews.contains(&a.review_id))
        .chain(local)
        .filter(|a| a.action.status.is_active() && a.matches(query))
        .collect();
    all.sort_by(order);
    all.dedup_by(|a, b| a.sort_key() == b.sort_key());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{aid, review_in, t};
    use crate::phase::Phase;
    use crate::review::action::ActionStatus;

    fn item(review: &str, id: &str, due: Option<&str>, team: &str) -> OpenAction {
        OpenAction {
            review_id: ReviewId::parse(review).unwrap(),
            review_title: format!("Review {review}"),
            team: team.into(),
            services: Vec::new(),
            action: FindingAction {
                id: Some(aid(id)),
                title: id.into(),
                kind: ActionKind::Detect,
                priority: Priority::P2,
                status: ActionStatus::Open,
                due: due.map(|d| d.parse().unwrap()),
                owner: Some("SRE".into()),
                tracker_url: None,
                assignee: "Platform team".into(),
                created_at: None,
                history: Vec::new(),
            },
        }
    }

    fn ids(list: &[OpenAction]) -> Vec<String> {
        list.iter()
            .map(|a| a.action.id.as_ref().unwrap().to_string())
            .collect()
    }

    #[test]
    fn due_date_first_undated_last_and_local_copies_win() {
        let server = vec![
            item("r-2", "late", Some("2026-12-01"), "Payments"),
            item("r-1", "undated", None, "Payments"),
            item("r-3", "old-copy", Some("2026-01-01"), "Search"),
        ];
        let local = vec![item("r-3", "soon", Some("2026-11-02"), "Search")];
        let r3 = [ReviewId::parse("r-3").unwrap()];
        let list = merge(server, local, &r3, &ActionsQuery::default());
        assert_eq!(ids(&list), ["soon", "late", "undated"]);
        assert!(list[0].is_overdue("2026-11-03".parse().unwrap()));
        assert!(!list[2].is_overdue("2026-11-03".parse().unwrap()));
    }

    #[test]
    fn filters_ignore_case_and_owner_matches_either_owner() {
        let a = item("r-1", "a", None, "Payments");
        let check = |q: ActionsQuery, expected: bool| assert_eq!(a.matches(&q), expected, "{q:?}");
        check(ActionsQuery::default(), true);
        let q = |f: fn(&mut ActionsQuery)| {
            let mut q = ActionsQuery::default();
            f(&mut q);
            q
        };
        check(q(|q| q.team = Some(" payments ".into())), true);
        check(q(|q| q.team = Some("search".into())), false);
        check(q(|q| q.owner = Some("sre".into())), true);
        check(q(|q| q.owner = Some("platform TEAM".into())), true);
        check(q(|q| q.owner = Some("nobody".into())), false);
        check(q(|q| q.priority = Some(Priority::P2)), true);
        check(q(|q| q.priority = Some(Priority::P1)), false);
        check(q(|q| q.kind = Some(ActionKind::Detect)), true);
        check(q(|q| q.kind = Some(ActionKind::Learn)), false);
    }

    #[test]
    fn a_finding_lists_its_open_actions_only() {
        let (mut review, _) = review_in(Phase::Published);
        assert_eq!(ids(&of_finding(review.finding().unwrap())), ["x1"]);
        assert_eq!(ids(&of_review(&review)), ["x1"]);
        review
            .set_action_status(&aid("x1"), ActionStatus::Done, t(16, 0))
            .unwrap();
        assert!(of_finding(review.finding().unwrap()).is_empty());
        assert!(of_review(&review).is_empty());
    }

    #[test]
    fn filters_round_trip_through_an_address() {
        let query = ActionsQuery {
            team: Some(" Payments ".into()),
            owner: Some("".into()),
            priority: Some(Priority::P1),
            kind: Some(ActionKind::Learn),
            cursor: None,
            limit: None,
        };
        let pairs = query.pairs();
        assert_eq!(
            pairs,
            [
                ("team", "Payments".to_owned()),
                ("priority", "p1".to_owned()),
                ("kind", "learn".to_owned())
            ]
        );
        let back = ActionsQuery::from_params(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back.team.as_deref(), Some("Payments"));
        assert_eq!(back.owner, None);
        assert_eq!((back.priority, back.kind), (query.priority, query.kind));
        let junk = ActionsQuery::from_params(|k| (k == "priority").then(|| "p9".to_owned()));
        assert_eq!(junk, ActionsQuery::default());
    }

    #[test]
    fn sort_keys_sort_as_the_list() {
        let d = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
        let keys = [
            sort_key(d("2026-01-09"), "r-9", "a"),
            sort_key(d("2026-01-10"), "r-1", "a"),
            sort_key(d("2026-01-10"), "r-1", "b"),
            sort_key(None, "r-0", "a"),
        ];
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, keys);
    }
}
