//! Follow-up actions: their validation, their order, and the backlog exports (Jira CSV, a
//! Markdown checklist, JSON).

use crate::account::Account;
use crate::id::FactorRef;
use crate::id::{ActionId, ParticipantId};
use crate::limits::{MAX_ACTIONS, too_many};
use crate::review::{ACTION_PROGRESS, EditError, GROUP_WORK, MAX_TITLE_CHARS, Review};
use crate::validation::ValidationError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

crate::keyed_enum! {
    /// What an action does about the incident.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum ActionKind {
        Prevent = ("prevent", "Prevent"),
        Detect = ("detect", "Detect"),
        Mitigate = ("mitigate", "Mitigate"),
        Learn = ("learn", "Learn"),
    }
}

crate::keyed_enum! {
    /// P1 is the most urgent; the derived order sorts P1 first.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Priority {
        P1 = ("p1", "P1"),
        P2 = ("p2", "P2"),
        P3 = ("p3", "P3"),
        P4 = ("p4", "P4"),
    }
}

impl Priority {
    /// The name of the matching priority in Jira's default scheme.
    pub fn jira_name(self) -> &'static str {
        match self {
            Self::P1 => "Highest",
            Self::P2 => "High",
            Self::P3 => "Medium",
            Self::P4 => "Low",
        }
    }
}

crate::keyed_enum! {
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
    )]
    pub enum ActionStatus {
        #[default]
        Open = ("open", "Open"),
        InProgress = ("in_progress", "In progress"),
        Done = ("done", "Done"),
        WontDo = ("wont_do", "Won't do"),
    }
}

impl ActionStatus {
    /// Whether work on the action is still expected.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

/// A follow-up action. Always valid: built only through [`Review::add_action`] and
/// [`Review::update_action`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: ActionId,
    pub title: String,
    pub description: String,
    /// A participant of the review, or nobody yet.
    pub owner: Option<ParticipantId>,
    pub kind: ActionKind,
    pub priority: Priority,
    #[serde(default, deserialize_with = "crate::rfc3339::day_option")]
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    /// The revealed observations this action answers; no duplicates.
    pub factor_refs: Vec<FactorRef>,
    /// The backlog item this action became: an `http` or `https` URL ([`tracker_link`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker_url: Option<String>,
    /// The team or person outside the review who owns the work, as typed; may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assignee: String,
    /// When the action was added; `None` for actions added before this was kept.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::time_option"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// Every change of status, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StatusChange>,
}

/// One change of an action's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub at: DateTime<Utc>,
    pub from: ActionStatus,
    pub to: ActionStatus,
}

/// The longest tracker link, in characters.
pub const MAX_TRACKER_URL_CHARS: usize = 2000;
/// The longest owning team or person, in characters.
pub const MAX_ASSIGNEE_CHARS: usize = 120;

/// A tracker link as typed, checked: trimmed; empty means none. Only an absolute `http` or
/// `https` URL with a host is accepted (never `javascript:`, `data:` or a relative path), with
/// no whitespace or control character anywhere, so it is safe as a link's `href` as it is.
/// The error is the field `tracker_url`'s.
pub fn tracker_link(raw: &str) -> Result<Option<String>, ValidationError> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let refuse = |why: &str| Err(ValidationError::new("tracker_url", why));
    if url.chars().count() > MAX_TRACKER_URL_CHARS {
        return refuse(&format!(
            "must be at most {MAX_TRACKER_URL_CHARS} characters"
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("must not contain spaces");
    }
    // Not valid in a URL anyway; refused so the link is safe in HTML, Markdown and CSV as is.
    if url.contains(['"', '<', '>', '`', '\\', '{', '}', '|', '^']) {
        return refuse("must not contain quotes, angle brackets, braces or backslashes");
    }
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("https://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("http://") {
        rest
    } else {
        return refuse("must be a web address starting with https:// or http://");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return refuse("must name a host after https://");
    }
    Ok(Some(url.to_owned()))
}

/// The raw fields of an [`Action`], before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionInput {
    pub title: String,
    pub description: String,
    pub owner: Option<ParticipantId>,
    pub kind: Option<ActionKind>,
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "crate::rfc3339::day_option")]
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    pub factor_refs: Vec<FactorRef>,
    /// As typed: see [`tracker_link`].
    #[serde(default)]
    pub tracker_url: String,
    /// As typed: see [`Action::assignee`].
    #[serde(default)]
    pub assignee: String,
}

impl Action {
    /// The raw fields, for a form that edits this action.
    pub fn to_input(&self) -> ActionInput {
        ActionInput {
            title: self.title.clone(),
            description: self.description.clone(),
            owner: self.owner.clone(),
            kind: Some(self.kind),
            priority: Some(self.priority),
            due: self.due,
            status: self.status,
            factor_refs: self.factor_refs.clone(),
            tracker_url: self.tracker_url.clone().unwrap_or_default(),
            assignee: self.assignee.clone(),
        }
    }

    /// Sets the status, keeping the change in [`Action::history`]; the same status is no change.
    fn change_status(&mut self, status: ActionStatus, now: DateTime<Utc>) {
        if self.status != status {
            self.history.push(StatusChange {
                at: now,
                from: self.status,
                to: status,
            });
            self.status = status;
        }
    }

    /// When the action was last set to done, if it is done now.
    pub fn done_at(&self) -> Option<DateTime<Utc>> {
        (self.status == ActionStatus::Done)
            .then(|| {
                self.history
                    .iter()
                    .rev()
                    .find(|c| c.to == ActionStatus::Done)
                    .map(|c| c.at)
            })
            .flatten()
    }

    /// Due before `today` and still open or in progress.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_active() && self.due.is_some_and(|due| due < today)
    }

    /// The backlog order: priority, then due date (undated last), then title.
    pub fn backlog_order(&self, other: &Action) -> Ordering {
        self.priority
            .cmp(&other.priority)
            .then_with(|| match (self.due, other.due) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| {
                crate::text::lowercase(&self.title).cmp(&crate::text::lowercase(&other.title))
            })
    }
}

/// Sorts `actions` into backlog order: see [`Action::backlog_order`].
pub fn sort_actions(actions: &mut [Action]) {
    actions.sort_by(Action::backlog_order);
}

impl Review {
    /// The actions in the order they were added; see [`Review::actions_sorted`].
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    pub fn action(&self, id: &ActionId) -> Option<&Action> {
        self.actions.iter().find(|a| &a.id == id)
    }

    /// The actions in backlog order.
    pub fn actions_sorted(&self) -> Vec<Action> {
        let mut actions = self.actions.clone();
        sort_actions(&mut actions);
        actions
    }

    /// `accounts` are read to check `factor_refs` against the revealed observations.
    pub fn add_action(
        &mut self,
        id: ActionId,
        input: ActionInput,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        if self.action(&id).is_some() {
            return Err(EditError::DuplicateId { id: id.to_string() });
        }
        if self.actions.len() >= MAX_ACTIONS {
            return Err(vec![too_many("actions", MAX_ACTIONS, "review")].into());
        }
        let mut action = self.validate_action(id, input, accounts)?;
        action.created_at = Some(now);
        self.actions.push(action);
        self.touch(now);
        Ok(())
    }

    pub fn update_action(
        &mut self,
        id: &ActionId,
        input: ActionInput,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let Some(slot) = self.actions.iter().position(|a| &a.id == id) else {
            return Err(EditError::NotFound { id: id.to_string() });
        };
        let mut action = self.validate_action(id.clone(), input, accounts)?;
        let old = &self.actions[slot];
        let status = action.status;
        action.status = old.status;
        action.created_at = old.created_at;
        action.history = old.history.clone();
        action.change_status(status, now);
        self.actions[slot] = action;
        self.touch(now);
        Ok(())
    }

    /// Changes only the status: a checkbox needs no accounts. The one change allowed after
    /// publishing too: the published finding's copy of the action follows, so readers of the
    /// feed see how the follow-up work stands.
    pub fn set_action_status(
        &mut self,
        id: &ActionId,
        status: ActionStatus,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(ACTION_PROGRESS)?;
        let Some(action) = self.actions.iter_mut().find(|a| &a.id == id) else {
            return Err(EditError::NotFound { id: id.to_string() });
        };
        action.change_status(status, now);
        let (status, history) = (action.status, action.history.clone());
        if let Some(published) = self
            .finding
            .as_mut()
            .and_then(|f| f.actions.iter_mut().find(|a| a.id.as_ref() == Some(id)))
        {
            published.status = status;
            published.history = history;
        }
        self.touch(now);
        Ok(())
    }

    pub fn remove_action(&mut self, id: &ActionId, now: DateTime<Utc>) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let before = self.actions.len();
        self.actions.retain(|a| &a.id != id);
        if self.actions.len() == before {
            return Err(EditError::NotFound { id: id.to_string() });
        }
        self.touch(now);
        Ok(())
    }

    fn validate_action(
        &self,
        id: ActionId,
        input: ActionInput,
        accounts: &[Account],
    ) -> Result<Action, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = input.title.trim().to_owned();
        crate::text::check_chars(&mut errors, "title", &title);
        if title.is_empty() {
            errors.push(ValidationError::new("title", "is required"));
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.push(ValidationError::new(
                "title",
                format!("must be at most {MAX_TITLE_CHARS} characters"),
            ));
        }
        let description = crate::text::long(&mut errors, "description", &input.description, false);
        if input
            .owner
            .as_ref()
            .is_some_and(|o| self.participant(o).is_none())
        {
            errors.push(ValidationError::new(
                "owner",
                "is not a participant of this review",
            ));
        }
        let tracker_url = tracker_link(&input.tracker_url).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let assignee = input.assignee.trim().to_owned();
        crate::text::check_chars(&mut errors, "assignee", &assignee);
        if assignee.chars().count() > MAX_ASSIGNEE_CHARS {
            errors.push(ValidationError::new(
                "assignee",
                format!("must be at most {MAX_ASSIGNEE_CHARS} characters"),
            ));
        }
        if input.kind.is_none() {
            errors.push(ValidationError::new("kind", "is required"));
        }
        if input.priority.is_none() {
            errors.push(ValidationError::new("priority", "is required"));
        }
        let mut factor_refs: Vec<FactorRef> = Vec::new();
        for r in input.factor_refs {
            if !factor_refs.contains(&r) {
                factor_refs.push(r);
            }
        }
        let view = self.revealed(accounts).ok();
        if factor_refs
            .iter()
            .any(|r| view.as_ref().and_then(|v| v.observation(r)).is_none())
        {
            errors.push(ValidationError::new(
                "factor_refs",
                "refers to an observation that isn't in any revealed account",
            ));
        }
        match (input.kind, input.priority) {
            (Some(kind), Some(priority)) if errors.is_empty() => Ok(Action {
                id,
                title,
                description,
                owner: input.owner,
                kind,
                priority,
                due: input.due,
                status: input.status,
                factor_refs,
                tracker_url,
                assignee,
                created_at: None,
                history: Vec::new(),
            }),
            _ => Err(errors),
        }
    }
}

/// The header of [`backlog_csv`], as Jira's CSV importer maps it.
pub const JIRA_CSV_HEADER: &str =
    "Summary,Description,Issue Type,Priority,Assignee,Due Date,Labels";

/// The review's actions in backlog order, as a CSV file for Jira's CSV importer
/// (RFC 4180: CRLF line ends, fields quoted when they hold `,`, `"`, CR or LF, quotes doubled).
///
/// - Issue Type is `Task`; Priority is Jira's default name ([`Priority::jira_name`]).
/// - Assignee is the owner's name as entered in the review: map it to Jira users when importing.
/// - Due Date is `yyyy-MM-dd`: give the importer that date format.
/// - Labels is the single label `postmortem-<review id>`: labels can't hold spaces, and one
///   column holds one label.
/// - Description is the action's description, then its kind, status and the review it comes
///   from.
pub fn backlog_csv(review: &Review) -> String {
    let mut out = String::new();
    out.push_str(JIRA_CSV_HEADER);
    out.push_str("\r\n");
    for action in review.actions_sorted() {
        let mut description = action.description.clone();
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&format!(
            "Kind: {}. Status: {}. From the post-incident review \"{}\" ({}).",
            action.kind.label(),
            action.status.label(),
            review.facts.title(),
            review.id
        ));
        if !action.assignee.is_empty() {
            description.push_str(&format!(" Owned by: {}.", action.assignee));
        }
        if let Some(url) = &action.tracker_url {
            description.push_str(&format!(" Tracker: {url}"));
        }
        let assignee = action
            .owner
            .as_ref()
            .and_then(|o| review.participant(o))
            .map_or("", |p| p.name.as_str());
        let due = action.due.map(|d| d.to_string()).unwrap_or_default();
        let label = format!("postmortem-{}", review.id);
        let fields = [
            action.title.as_str(),
            &description,
            "Task",
            action.priority.jira_name(),
            assignee,
            &due,
            &label,
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One RFC 4180 field.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The review's actions in backlog order as a Markdown task list: `- [ ]` for open and in
/// progress, `- [x]` for done, and `- [x] ~~…~~` for won't do.
pub fn backlog_markdown(review: &Review) -> String {
    let mut out = String::new();
    for action in review.actions_sorted() {
        let title = markdown_inline(&action.title);
        let (box_, title) = match action.status {
            ActionStatus::Open | ActionStatus::InProgress => ("[ ]", title),
            ActionStatus::Done => ("[x]", title),
            ActionStatus::WontDo => ("[x]", format!("~~{title}~~")),
        };
        let mut details = vec![
            action.priority.label().to_owned(),
            action.kind.label().to_owned(),
        ];
        if action.status != ActionStatus::Open {
            details.push(action.status.label().to_owned());
        }
        if let Some(owner) = action.owner.as_ref().and_then(|o| review.participant(o)) {
            details.push(markdown_inline(&owner.name));
        }
        if !action.assignee.is_empty() {
            details.push(format!("owned by {}", markdown_inline(&action.assignee)));
        }
        if let Some(due) = action.due {
            details.push(format!("due {due}"));
        }
        if let Some(url) = &action.tracker_url {
            // An autolink: `tracker_link` keeps spaces and angle brackets out of it.
            details.push(format!("<{url}>"));
        }
        out.push_str(&format!("- {box_} {title} ({})\n", details.join(", ")));
    }
    out
}

/// The review's actions in backlog order as pretty-printed JSON: an array of [`Action`].
pub fn backlog_json(review: &Review) -> String {
    serde_json::to_string_pretty(&review.actions_sorted())
        .expect("actions always serialize: string keys and plain values")
}

/// `s` on one line with Markdown's inline syntax characters escaped, so a title can't turn into
/// a link, emphasis or a new list item.
pub(crate) fn markdown_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{aid, fref, pid, review_in, t};
    use crate::phase::Phase;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input(title: &str, priority: Priority, due: Option<&str>) -> ActionInput {
        ActionInput {
            title: title.into(),
            kind: Some(ActionKind::Prevent),
            priority: Some(priority),
            due: due.map(date),
            ..ActionInput::default()
        }
    }

    /// A review in Actions with these actions (besides none from the fixture).
    fn review_with(actions: Vec<ActionInput>) -> Review {
        let (mut review, accounts) = review_in(Phase::Actions);
        review.remove_action(&aid("x1"), t(14, 0)).unwrap();
        for (i, a) in actions.into_iter().enumerate() {
            review
                .add_action(aid(&format!("a{i}")), a, &accounts, t(14, 0))
                .unwrap();
        }
        review
    }

    #[test]
    fn backlog_order_is_priority_then_due_date_then_title() {
        let review = review_with(vec![
            input("undated p1", Priority::P1, None),
            input("b p2", Priority::P2, Some("2026-11-20")),
            input("late p1", Priority::P1, Some("2026-12-01")),
            input("A p2", Priority::P2, Some("2026-11-20")),
            input("soon p1", Priority::P1, Some("2026-11-05")),
            input("p4", Priority::P4, Some("2026-11-02")),
        ]);
        let titles: Vec<String> = review
            .actions_sorted()
            .into_iter()
            .map(|a| a.title)
            .collect();
        assert_eq!(
            titles,
            ["soon p1", "late p1", "undated p1", "A p2", "b p2", "p4"]
        );
    }

    #[test]
    fn overdue_means_past_due_and_still_active() {
        let today = date("2026-11-10");
        let cases = [
            (Some("2026-11-09"), ActionStatus::Open, true),
            (Some("2026-11-09"), ActionStatus::InProgress, true),
            (Some("2026-11-09"), ActionStatus::Done, false),
            (Some("2026-11-09"), ActionStatus::WontDo, false),
            (Some("2026-11-10"), ActionStatus::Open, false),
            (Some("2026-11-11"), ActionStatus::Open, false),
            (None, ActionStatus::Open, false),
        ];
        for (due, status, overdue) in cases {
            let action = Action {
                id: aid("a"),
                title: "t".into(),
                description: String::new(),
                owner: None,
                kind: ActionKind::Learn,
                priority: Priority::P3,
                due: due.map(date),
                status,
                factor_refs: Vec::new(),
                tracker_url: None,
                assignee: String::new(),
                created_at: None,
                history: Vec::new(),
            };
            assert_eq!(action.is_overdue(today), overdue, "{due:?} {status:?}");
        }
    }

    #[test]
    fn validation_reports_every_bad_field() {
        let (mut review, accounts) = review_in(Phase::Actions);
        let bad = ActionInput {
            title: "  ".into(),
            owner: Some(pid("dave")),
            factor_refs: vec![fref("carol", "c-obs")],
            ..ActionInput::default()
        };
        let err = review
            .add_action(aid("y"), bad, &accounts, t(14, 0))
            .unwrap_err();
        let EditError::Invalid { fields } = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["title", "owner", "kind", "priority", "factor_refs"]
        );
        assert_eq!(
            review.add_action(
                aid("x1"),
                input("t", Priority::P1, None),
                &accounts,
                t(14, 0)
            ),
            Err(EditError::DuplicateId { id: "x1".into() })
        );
        let mut dup = input("t", Priority::P1, None);
        dup.factor_refs = vec![fref("alice", "ao1"), fref("alice", "ao1")];
        review
            .update_action(&aid("x1"), dup, &accounts, t(14, 0))
            .unwrap();
        assert_eq!(review.action(&aid("x1")).unwrap().factor_refs.len(), 1);
        review
            .set_action_status(&aid("x1"), ActionStatus::Done, t(14, 1))
            .unwrap();
        assert_eq!(
            review.action(&aid("x1")).unwrap().status,
            ActionStatus::Done
        );
    }

    #[test]
    fn after_publishing_only_an_actions_status_changes_and_the_finding_follows() {
        let (mut review, accounts) = review_in(Phase::Published);
        let status_in_finding = |r: &Review| {
            let f = r.finding().unwrap();
            assert_eq!(f.actions[0].id, Some(aid("x1")));
            f.actions[0].status
        };
        assert_eq!(status_in_finding(&review), ActionStatus::Open);
        let version = review.version;
        review
            .set_action_status(&aid("x1"), ActionStatus::Done, t(15, 0))
            .unwrap();
        assert_eq!(review.version, version + 1);
        assert_eq!(
            review.action(&aid("x1")).unwrap().status,
            ActionStatus::Done
        );
        assert_eq!(status_in_finding(&review), ActionStatus::Done);
        assert_eq!(
            review.finding().unwrap().published_at,
            t(14, 0),
            "still the same publication"
        );
        assert_eq!(
            review.set_action_status(&aid("nope"), ActionStatus::Done, t(15, 1)),
            Err(EditError::NotFound { id: "nope".into() })
        );

        let locked = Err(EditError::Locked {
            phase: Phase::Published,
        });
        let before = review.clone();
        let edit = review.action(&aid("x1")).unwrap().to_input();
        assert_eq!(
            review.update_action(&aid("x1"), edit, &accounts, t(15, 2)),
            locked
        );
        assert_eq!(
            review.add_action(
                aid("y"),
                input("t", Priority::P1, None),
                &accounts,
                t(15, 2)
            ),
            locked
        );
        assert_eq!(review.remove_action(&aid("x1"), t(15, 2)), locked);
        assert_eq!(review.add_key_insight("k", t(15, 2)), locked);
        assert_eq!(review.set_summary("s", t(15, 2)), locked);
        assert_eq!(
            review.set_publication(&[], Default::default(), t(15, 2)),
            locked
        );
        assert_eq!(review, before, "refused changes change nothing");
    }

    #[test]
    fn a_status_change_while_amending_updates_the_kept_finding_too() {
        let (mut review, accounts) = review_in(Phase::Published);
        review.step_back(t(15, 0)).unwrap();
        review
            .set_action_status(&aid("x1"), ActionStatus::InProgress, t(15, 1))
            .unwrap();
        assert_eq!(
            review.finding().unwrap().actions[0].status,
            ActionStatus::InProgress
        );
        review.advance(&accounts, t(16, 0)).unwrap();
        assert_eq!(
            review.finding().unwrap().actions[0].status,
            ActionStatus::InProgress
        );
    }

    #[test]
    fn jira_csv_quotes_what_needs_quoting() {
        let mut tricky = input(
            "Fix \"pool\" alerts, again",
            Priority::P1,
            Some("2026-11-05"),
        );
        tricky.description = "Line one\nLine two".into();
        tricky.owner = Some(pid("alice"));
        let review = review_with(vec![tricky, input("Plain", Priority::P3, None)]);
        assert_eq!(
            backlog_csv(&review),
            "Summary,Description,Issue Type,Priority,Assignee,Due Date,Labels\r\n\
             \"Fix \"\"pool\"\" alerts, again\",\"Line one\nLine two\n\nKind: Prevent. Status: Open. \
             From the post-incident review \"\"Checkout latency after Alice's deploy\"\" (r-1).\",\
             Task,Highest,Alice Smith,2026-11-05,postmortem-r-1\r\n\
             Plain,\"Kind: Prevent. Status: Open. From the post-incident review \"\"Checkout \
             latency after Alice's deploy\"\" (r-1).\",Task,Medium,,,postmortem-r-1\r\n"
        );
    }

    #[test]
    fn jira_csv_reads_back_with_a_csv_parser() {
        let mut tricky = input("a, \"b\"\r\nc", Priority::P2, None);
        tricky.description = "\"quoted\",\n\n comma".into();
        let review = review_with(vec![tricky]);
        let csv = backlog_csv(&review);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header.join(","), JIRA_CSV_HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][0], "a, \"b\"\r\nc");
        assert!(rows[0][1].starts_with("\"quoted\",\n\n comma\n\nKind: Prevent."));
        assert_eq!(&rows[0][3], "High");
    }

    #[test]
    fn csv_fields() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("cr\rlf\n", "\"cr\rlf\n\""),
            (" spaced ", " spaced "),
        ];
        for (raw, expected) in cases {
            assert_eq!(csv_field(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn markdown_checklist_and_json() {
        let mut done = input("Update the *runbook*", Priority::P2, None);
        done.status = ActionStatus::Done;
        let mut dropped = input("Rewrite everything", Priority::P4, None);
        dropped.status = ActionStatus::WontDo;
        let mut mine = input(
            "Alert on [pool] saturation",
            Priority::P1,
            Some("2026-11-05"),
        );
        mine.owner = Some(pid("bob"));
        mine.status = ActionStatus::InProgress;
        let review = review_with(vec![done, dropped, mine]);
        assert_eq!(
            backlog_markdown(&review),
            "\
- [ ] Alert on \\[pool\\] saturation (P1, Prevent, In progress, Bob, due 2026-11-05)
- [x] Update the \\*runbook\\* (P2, Prevent, Done)
- [x] ~~Rewrite everything~~ (P4, Prevent, Won't do)
"
        );
        let json: Vec<Action> = serde_json::from_str(&backlog_json(&review)).unwrap();
        assert_eq!(json, review.actions_sorted());
        let value: serde_json::Value = serde_json::from_str(&backlog_json(&review)).unwrap();
        assert_eq!(value[0]["status"], "in_progress");
        assert_eq!(value[0]["priority"], "p1");
        assert_eq!(value[0]["due"], "2026-11-05");
    }

    #[test]
    fn tracker_links_are_web_addresses_only() {
        let ok = |raw: &str, expected: Option<&str>| {
            assert_eq!(tracker_link(raw), Ok(expected.map(String::from)), "{raw:?}");
        };
        ok("", None);
        ok("   ", None);
        ok(
            " https://jira.example/browse/OPS-12 ",
            Some("https://jira.example/browse/OPS-12"),
        );
        ok(
            "HTTP://tracker:8080/x?y=1#z",
            Some("HTTP://tracker:8080/x?y=1#z"),
        );
        ok(
            "https://user@host.example",
            Some("https://user@host.example"),
        );
        for bad in [
            "javascript:alert(1)",
            "JavaScript://%0aalert(1)",
            "data:text/html,<b>x</b>",
            "vbscript:msgbox",
            "//evil.example/x",
            "/relative/path",
            "jira.example/OPS-12",
            "ftp://files.example/x",
            "https://",
            "https:///path",
            "https://:80/x",
            "https://host.example/a b",
            "https://host.example/\tx",
            "https://host.example/\"onmouseover=\"x",
            "https://host.example/<script>",
            "mailto:someone@example.com",
        ] {
            let err = tracker_link(bad).unwrap_err();
            assert_eq!(err.field, "tracker_url", "{bad:?}");
        }
        let long = format!("https://h.example/{}", "a".repeat(MAX_TRACKER_URL_CHARS));
        assert!(tracker_link(&long).is_err());
    }

    #[test]
    fn tracker_link_and_assignee_are_kept_and_refused_as_fields() {
        let (mut review, accounts) = review_in(Phase::Actions);
        let mut bad = input("t", Priority::P1, None);
        bad.tracker_url = "javascript:alert(1)".into();
        bad.assignee = "x".repeat(MAX_ASSIGNEE_CHARS + 1);
        let before = review.clone();
        let Err(EditError::Invalid { fields }) =
            review.add_action(aid("y"), bad, &accounts, t(14, 0))
        else {
            panic!("accepted")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["tracker_url", "assignee"]);
        assert_eq!(review, before);

        let mut good = input("Alert on pool saturation", Priority::P1, None);
        good.tracker_url = " https://jira.example/browse/OPS-12".into();
        good.assignee = " Platform team ".into();
        review
            .add_action(aid("y"), good, &accounts, t(14, 0))
            .unwrap();
        let action = review.action(&aid("y")).unwrap();
        assert_eq!(
            action.tracker_url.as_deref(),
            Some("https://jira.example/browse/OPS-12")
        );
        assert_eq!(action.assignee, "Platform team");
        assert_eq!(action.created_at, Some(t(14, 0)));
        assert_eq!(
            action.to_input().tracker_url,
            "https://jira.example/browse/OPS-12"
        );
    }

    #[test]
    fn status_changes_keep_their_history_into_the_finding() {
        let (mut review, accounts) = review_in(Phase::Actions);
        let mut edit = review.action(&aid("x1")).unwrap().to_input();
        edit.status = ActionStatus::InProgress;
        review
            .update_action(&aid("x1"), edit.clone(), &accounts, t(14, 1))
            .unwrap();
        // An edit that leaves the status as it is adds nothing.
        review
            .update_action(&aid("x1"), edit, &accounts, t(14, 2))
            .unwrap();
        review.advance(&accounts, t(15, 0)).unwrap();
        review
            .set_action_status(&aid("x1"), ActionStatus::Done, t(16, 0))
            .unwrap();
        review
            .set_action_status(&aid("x1"), ActionStatus::Done, t(16, 5))
            .unwrap();
        let expected = vec![
            StatusChange {
                at: t(14, 1),
                from: ActionStatus::Open,
                to: ActionStatus::InProgress,
            },
            StatusChange {
                at: t(16, 0),
                from: ActionStatus::InProgress,
                to: ActionStatus::Done,
            },
        ];
        let action = review.action(&aid("x1")).unwrap();
        assert_eq!(action.history, expected);
        assert_eq!(action.done_at(), Some(t(16, 0)));
        assert_eq!(review.finding().unwrap().actions[0].history, expected);
    }

    #[test]
    fn actions_written_before_these_fields_still_read_and_write_the_same() {
        let old = r#"{"id":"a","title":"t","description":"","owner":null,"kind":"learn",
            "priority":"p3","due":null,"status":"open","factor_refs":[]}"#;
        let action: Action = serde_json::from_str(old).unwrap();
        assert_eq!(action.tracker_url, None);
        assert!(action.assignee.is_empty() && action.history.is_empty());
        let written = serde_json::to_value(&action).unwrap();
        let expected: serde_json::Value = serde_json::from_str(old).unwrap();
        assert_eq!(written, expected, "no new keys when they are empty");
    }

    #[test]
    fn exports_carry_the_tracker_link_and_the_owning_team() {
        let mut a = input("Alert on pool saturation", Priority::P1, None);
        a.tracker_url = "https://jira.example/browse/OPS-12".into();
        a.assignee = "Platform, team".into();
        let review = review_with(vec![a]);
        let csv = backlog_csv(&review);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert!(
            row[1].ends_with(
                " Owned by: Platform, team. Tracker: https://jira.example/browse/OPS-12"
            ),
            "{}",
            &row[1]
        );
        assert_eq!(
            backlog_markdown(&review),
            "- [ ] Alert on pool saturation (P1, Prevent, owned by Platform, team, \
             <https://jira.example/browse/OPS-12>)\n"
        );
        let json: serde_json::Value = serde_json::from_str(&backlog_json(&review)).unwrap();
        assert_eq!(json[0]["tracker_url"], "https://jira.example/browse/OPS-12");
        assert_eq!(json[0]["assignee"], "Platform, team");
    }

    #[test]
    fn keys_round_trip() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::from_key(k.key()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.key());
        }
        for p in Priority::ALL {
            assert_eq!(Priority::from_key(p.key()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.key());
        }
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::from_key(s.key()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.key());
        }
    }
}
