//! Changes to the shared review as data.
//!
//! Every change anyone makes to a [`Review`] is one [`ReviewOp`]. The app applies ops to its own
//! copy; a server applies the very same ops with [`Review::apply`], so the rules hold wherever
//! the change is made, and [`ReviewOp::permitted`] says who may make it. Sealing an account is not
//! an op: a submission is recorded only by sealing the account itself, so nobody can forge one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::account::Account;
use crate::feed::SectionAudience;
use crate::guide::{BuiltinGuide, QuestionInput};
use crate::id::EntryRef;
use crate::id::FactorRef;
use crate::id::{ActionId, ParticipantId, QuestionId, ReferenceId, ThemeId};
use crate::limits::{MAX_REVIEW_BYTES, json_bytes, too_large};
use crate::phase::{Phase, PhaseError};
use crate::reference::ReferenceContent;
use crate::review::action::{ActionInput, ActionStatus};
use crate::review::moments::MomentKind;
use crate::review::{EditError, FactsInput, IncidentFacts, ParticipantInput, Review};

mod de;

/// One change to the shared review.
///
/// Written as `{"op": "<name>", …its fields}`; read by the hand-written reader in `op/de.rs`
/// (the derived one for this shape cost the review page 60 KB of code in the app).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ReviewOp {
    SetFacts {
        facts: FactsInput,
    },
    SetSummary {
        summary: String,
    },
    AddParticipant {
        id: ParticipantId,
        participant: ParticipantInput,
    },
    UpdateParticipant {
        id: ParticipantId,
        participant: ParticipantInput,
    },
    RemoveParticipant {
        id: ParticipantId,
    },
    AddReference {
        id: ReferenceId,
        title: String,
        content: ReferenceContent,
    },
    RemoveReference {
        id: ReferenceId,
    },
    /// Replaces the questions with a built-in guide's.
    UseGuide {
        guide: BuiltinGuide,
    },
    AddQuestion {
        id: QuestionId,
        question: QuestionInput,
    },
    UpdateQuestion {
        id: QuestionId,
        question: QuestionInput,
    },
    /// Moves a question to position `to` (0-based).
    MoveQuestion {
        id: QuestionId,
        to: usize,
    },
    RemoveQuestion {
        id: QuestionId,
    },
    /// Moves to `to`. Naming the target, not "next", makes a repeated op harmless: the second
    /// one is refused as already there instead of skipping a phase.
    Transition {
        to: Phase,
    },
    Link {
        entries: Vec<EntryRef>,
    },
    Unlink {
        entry: EntryRef,
    },
    /// Marks a merged-timeline entry as a key moment of `kind`, or clears its mark (`null`).
    MarkMoment {
        entry: EntryRef,
        kind: Option<MomentKind>,
    },
    ToggleVote {
        voter: ParticipantId,
        factor: FactorRef,
    },
    /// Groups revealed factors into a new theme.
    GroupTheme {
        id: ThemeId,
        name: String,
        factors: Vec<FactorRef>,
    },
    RenameTheme {
        id: ThemeId,
        name: String,
    },
    /// Takes a theme apart; its factors keep their dots.
    UngroupTheme {
        id: ThemeId,
    },
    /// A participant's own dot on a theme: placed, or (with every dot they have on it) taken back.
    ToggleThemeVote {
        voter: ParticipantId,
        theme: ThemeId,
    },
    AddKeyInsight {
        text: String,
    },
    UpdateKeyInsight {
        index: usize,
        text: String,
    },
    RemoveKeyInsight {
        index: usize,
    },
    AddAction {
        id: ActionId,
        action: ActionInput,
    },
    UpdateAction {
        id: ActionId,
        action: ActionInput,
    },
    SetActionStatus {
        id: ActionId,
        status: ActionStatus,
    },
    RemoveAction {
        id: ActionId,
    },
    /// The finding's tags and each section's audience, for the next publish.
    SetPublication {
        tags: Vec<String>,
        audience: SectionAudience,
    },
}

/// Who is making a change: `{"role":"facilitator"}` or
/// `{"role":"participant","participant_id":"alice"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "role", content = "participant_id", rename_all = "snake_case")]
pub enum Role {
    Facilitator,
    Participant(ParticipantId),
}

/// Read as one struct of both fields, then the role: serde's reader for an adjacently tagged
/// enum buffers the object to allow its fields in either order, and brought that buffering
/// into every page that reads this browser's credentials.
impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Fields {
            role: String,
            #[serde(default)]
            participant_id: Option<ParticipantId>,
        }
        let Fields {
            role,
            participant_id,
        } = Fields::deserialize(deserializer)?;
        match (role.as_str(), participant_id) {
            ("facilitator", None) => Ok(Role::Facilitator),
            ("participant", Some(id)) => Ok(Role::Participant(id)),
            ("participant", None) => Err(D::Error::missing_field("participant_id")),
            ("facilitator", Some(_)) => Err(D::Error::custom(
                "a facilitator's role has no participant_id",
            )),
            (other, _) => Err(D::Error::unknown_variant(
                other,
                &["facilitator", "participant"],
            )),
        }
    }
}

impl ReviewOp {
    /// Whether this op can make the document larger (removals, votes, phases and statuses
    /// cannot, or only by a few bytes), so only these pay for measuring it.
    fn grows(&self) -> bool {
        !matches!(
            self,
            ReviewOp::RemoveParticipant { .. }
                | ReviewOp::RemoveReference { .. }
                | ReviewOp::MoveQuestion { .. }
                | ReviewOp::RemoveQuestion { .. }
                | ReviewOp::Transition { .. }
                | ReviewOp::Unlink { .. }
                | ReviewOp::ToggleVote { .. }
                | ReviewOp::UngroupTheme { .. }
                | ReviewOp::ToggleThemeVote { .. }
                | ReviewOp::RemoveKeyInsight { .. }
                | ReviewOp::SetActionStatus { .. }
                | ReviewOp::RemoveAction { .. }
        )
    }

    /// Whether `role` may make this change. The facilitator runs the review: every change but a
    /// vote, which is a participant's own. A participant may only place or take back their own
    /// dots; their account is their own document, not part of the review.
    pub fn permitted(&self, role: &Role) -> bool {
        match (self, role) {
            (ReviewOp::ToggleVote { voter, .. }, Role::Participant(me))
            | (ReviewOp::ToggleThemeVote { voter, .. }, Role::Participant(me)) => voter == me,
            (ReviewOp::ToggleVote { .. } | ReviewOp::ToggleThemeVote { .. }, Role::Facilitator) => {
                false
            }
            (_, Role::Facilitator) => true,
            (_, Role::Participant(_)) => false,
        }
    }
}

/// Why an op was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OpError {
    Edit(EditError),
    Phase(PhaseError),
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpError::Edit(e) => e.fmt(f),
            OpError::Phase(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for OpError {}

impl From<EditError> for OpError {
    fn from(e: EditError) -> Self {
        Self::Edit(e)
    }
}

impl From<PhaseError> for OpError {
    fn from(e: PhaseError) -> Self {
        Self::Phase(e)
    }
}

impl Review {
    /// Applies one op with the review's rules. `accounts` are the accounts this copy of the
    /// review may combine (they matter only to ops that read factors or entries, and to
    /// publishing). A refused op leaves the review unchanged.
    pub fn apply(
        &mut self,
        op: &ReviewOp,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), OpError> {
        // One rule for every text an op carries, whichever field it is in: the op's JSON is
        // scanned, and read again only to name the field when it holds such a character (making
        // a `serde_json::Value` of every op brought a serializer of every op's type for it).
        let json = serde_json::to_string(op).unwrap_or_default();
        if crate::text::json_has_forbidden_char(json.as_bytes())
            && let Some(e) = crate::text::forbidden_in_json(&json)
        {
            return Err(EditError::from(vec![e]).into());
        }
        // Every op rewrites the whole document: a change that would make it too large is
        // refused, and the review is put back as it was. (`apply_op` is called from this one
        // place: called twice, the compiler inlined one copy of it, 17 KB of the review page.)
        let before = op.grows().then(|| self.clone());
        self.apply_op(op, accounts, now)?;
        if let Some(before) = before
            && json_bytes(self) > MAX_REVIEW_BYTES
        {
            *self = before;
            return Err(EditError::from(vec![too_large("review", MAX_REVIEW_BYTES)]).into());
        }
        Ok(())
    }

    fn apply_op(
        &mut self,
        op: &ReviewOp,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), OpError> {
        match op {
            ReviewOp::SetFacts { facts } => {
                let facts = IncidentFacts::new(facts.clone()).map_err(EditError::from)?;
                self.set_facts(facts, now)?
            }
            ReviewOp::SetSummary { summary } => self.set_summary(summary, now)?,
            ReviewOp::AddParticipant { id, participant } => {
                self.add_participant(id.clone(), participant.clone(), now)?
            }
            ReviewOp::UpdateParticipant { id, participant } => {
                self.update_participant(id, participant.clone(), now)?
            }
            ReviewOp::RemoveParticipant { id } => self.remove_participant(id, now)?,
            ReviewOp::AddReference { id, title, content } => {
                self.add_reference(id.clone(), title, content.clone(), now)?
            }
            ReviewOp::RemoveReference { id } => self.remove_reference(id, now)?,
            ReviewOp::UseGuide { guide } => self.use_guide(*guide, now)?,
            ReviewOp::AddQuestion { id, question } => {
                self.add_question(id.clone(), question.clone(), now)?
            }
            ReviewOp::UpdateQuestion { id, question } => {
                self.update_question(id, question.clone(), now)?
            }
            ReviewOp::MoveQuestion { id, to } => self.move_question(id, *to, now)?,
            ReviewOp::RemoveQuestion { id } => self.remove_question(id, now)?,
            ReviewOp::Transition { to } => self.transition(*to, accounts, now)?,
            ReviewOp::Link { entries } => self.link(entries, accounts, now)?,
            ReviewOp::Unlink { entry } => self.unlink(entry, now)?,
            ReviewOp::MarkMoment { entry, kind } => {
                self.mark_moment(entry, *kind, accounts, now)?
            }
            ReviewOp::ToggleVote { voter, factor } => {
                self.toggle_vote(voter, factor, accounts, now)?;
            }
            ReviewOp::GroupTheme { id, name, factors } => {
                self.group_theme(id.clone(), name, factors, accounts, now)?
            }
            ReviewOp::RenameTheme { id, name } => self.rename_theme(id, name, now)?,
            ReviewOp::UngroupTheme { id } => self.ungroup_theme(id, now)?,
            ReviewOp::ToggleThemeVote { voter, theme } => {
                self.toggle_theme_vote(voter, theme, now)?;
            }
            ReviewOp::AddKeyInsight { text } => self.add_key_insight(text, now)?,
            ReviewOp::UpdateKeyInsight { index, text } => {
                self.update_key_insight(*index, text, now)?
            }
            ReviewOp::RemoveKeyInsight { index } => self.remove_key_insight(*index, now)?,
            ReviewOp::AddAction { id, action } => {
                self.add_action(id.clone(), action.clone(), accounts, now)?
            }
            ReviewOp::UpdateAction { id, action } => {
                self.update_action(id, action.clone(), accounts, now)?
            }
            ReviewOp::SetActionStatus { id, status } => self.set_action_status(id, *status, now)?,
            ReviewOp::RemoveAction { id } => self.remove_action(id, now)?,
            ReviewOp::SetPublication { tags, audience } => {
                self.set_publication(tags, audience.clone(), now)?
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{fref, pid, setup, t};
    use serde_json::json;

    fn vote(voter: &str) -> ReviewOp {
        ReviewOp::ToggleVote {
            voter: pid(voter),
            factor: fref("a", "o1"),
        }
    }

    fn theme_vote(voter: &str) -> ReviewOp {
        ReviewOp::ToggleThemeVote {
            voter: pid(voter),
            theme: ThemeId::parse("th").unwrap(),
        }
    }

    #[test]
    fn who_may_make_which_change() {
        let facilitator = Role::Facilitator;
        let alice = Role::Participant(pid("alice"));
        let summary = ReviewOp::SetSummary {
            summary: "x".into(),
        };
        let reveal = ReviewOp::Transition {
            to: Phase::Revealed,
        };
        let cases = [
            (&summary, &facilitator, true),
            (&summary, &alice, false),
            (&reveal, &facilitator, true),
            (&reveal, &alice, false),
            (&vote("alice"), &alice, true),
            (&vote("bob"), &alice, false),
            (&vote("alice"), &facilitator, false),
            (&theme_vote("alice"), &alice, true),
            (&theme_vote("bob"), &alice, false),
            (&theme_vote("alice"), &facilitator, false),
        ];
        for (op, role, expected) in cases {
            assert_eq!(op.permitted(role), expected, "{op:?} by {role:?}");
        }
    }

    #[test]
    fn ops_travel_as_tagged_json() {
        let op = ReviewOp::Transition {
            to: Phase::Revealed,
        };
        let value = serde_json::to_value(&op).unwrap();
        assert_eq!(value, json!({"op": "transition", "to": "revealed"}));
        assert_eq!(serde_json::from_value::<ReviewOp>(value).unwrap(), op);
        let unknown = json!({"op": "transition", "to": "revealed", "extra": 1});
        assert!(serde_json::from_value::<ReviewOp>(unknown).is_err());
    }

    /// One op of each kind, as JSON.
    fn every_op() -> Vec<serde_json::Value> {
        let facts = json!({"title": "T", "started_at": "2026-11-01T10:00:00Z",
            "severity": "sev2", "team": "Payments", "services": []});
        let person = json!({"name": "Zoe", "role": "SRE", "show_name_when_published": false});
        let action = json!({"title": "Add an alert", "description": "", "owner": null,
            "kind": null, "priority": null, "due": null, "status": "open", "factor_refs": []});
        let entry = json!({"participant_id": "a", "entry_id": "e1"});
        let factor = json!({"participant_id": "a", "observation_id": "o1"});
        vec![
            json!({"op": "set_facts", "facts": facts}),
            json!({"op": "set_summary", "summary": "A summary"}),
            json!({"op": "add_participant", "id": "p-1", "participant": person}),
            json!({"op": "update_participant", "id": "p-1", "participant": person}),
            json!({"op": "remove_participant", "id": "p-1"}),
            json!({"op": "add_reference", "id": "ref-1", "title": "Log",
                "content": {"type": "text", "body": "some log"}}),
            json!({"op": "remove_reference", "id": "ref-1"}),
            json!({"op": "use_guide", "guide": "interview"}),
            json!({"op": "add_question", "id": "q-1", "question": {"text": "Why?"}}),
            json!({"op": "update_question", "id": "q-1", "question": {"text": "How?", "hint": "h"}}),
            json!({"op": "move_question", "id": "q-1", "to": 2}),
            json!({"op": "remove_question", "id": "q-1"}),
            json!({"op": "transition", "to": "revealed"}),
            json!({"op": "link", "entries": [entry, entry]}),
            json!({"op": "unlink", "entry": entry}),
            json!({"op": "mark_moment", "entry": entry, "kind": "detection"}),
            json!({"op": "toggle_vote", "voter": "a", "factor": factor}),
            json!({"op": "group_theme", "id": "th-1", "name": "Alerts", "factors": [factor]}),
            json!({"op": "rename_theme", "id": "th-1", "name": "Paging"}),
            json!({"op": "ungroup_theme", "id": "th-1"}),
            json!({"op": "toggle_theme_vote", "voter": "a", "theme": "th-1"}),
            json!({"op": "add_key_insight", "text": "insight"}),
            json!({"op": "update_key_insight", "index": 0, "text": "insight"}),
            json!({"op": "remove_key_insight", "index": 0}),
            json!({"op": "add_action", "id": "act-1", "action": action}),
            json!({"op": "update_action", "id": "act-1", "action": action}),
            json!({"op": "set_action_status", "id": "act-1", "status": "done"}),
            json!({"op": "remove_action", "id": "act-1"}),
            json!({"op": "set_publication", "tags": ["db"], "audience": {}}),
        ]
    }

    fn read(value: &serde_json::Value) -> Result<ReviewOp, String> {
        // Read as the server and the app read them: from text, with serde_json (the server)
        // and `json::from_str` (the app), which read every op alike and say the same (but for
        // an op written as an array, which both refuse in other words).
        let text = value.to_string();
        let server = serde_json::from_str(&text).map_err(|e| e.to_string());
        let app = crate::json::from_str(&text).map_err(|e| e.to_string());
        if value.is_object() {
            assert_eq!(app, server, "{text}");
        } else {
            assert!(app.is_err() && server.is_err(), "{text}");
        }
        server
    }

    #[test]
    fn every_op_reads_back_as_written() {
        let ops = every_op();
        assert_eq!(ops.len(), de::OPS.len(), "one sample per op");
        for sample in ops {
            let op = read(&sample).unwrap_or_else(|e| panic!("{sample}: {e}"));
            let written = serde_json::to_value(&op).unwrap();
            assert_eq!(written["op"], sample["op"]);
            assert_eq!(read(&written).unwrap(), op, "{sample}");
            // `op` need not come first.
            let mut fields: Vec<_> = sample.as_object().unwrap().clone().into_iter().collect();
            fields.reverse();
            let reversed = fields.into_iter().map(|(k, v)| format!("{}:{v}", json!(k)));
            let text = format!("{{{}}}", reversed.collect::<Vec<_>>().join(","));
            assert_eq!(
                serde_json::from_str::<ReviewOp>(&text).unwrap(),
                op,
                "{text}"
            );
        }
    }

    #[test]
    fn an_op_missing_a_field_or_holding_another_ops_is_refused_by_name() {
        // Every op's fields, each with a value it reads: a refusal is for the field, not its value.
        let mut others = serde_json::Map::new();
        for sample in every_op() {
            for (field, value) in sample.as_object().unwrap() {
                others.entry(field.clone()).or_insert(value.clone());
            }
        }
        for sample in every_op() {
            let fields = sample.as_object().unwrap();
            for field in fields.keys().filter(|f| *f != "op" && *f != "kind") {
                let mut broken = fields.clone();
                broken.remove(field);
                let error = read(&json!(broken)).expect_err(&format!("{sample} without {field}"));
                assert!(
                    error.contains(&format!("missing field `{field}`")),
                    "{error}"
                );
            }
            for (field, value) in &others {
                if fields.contains_key(field) {
                    continue;
                }
                let mut broken = fields.clone();
                broken.insert(field.clone(), value.clone());
                let error = read(&json!(broken)).expect_err(&format!("{sample} with {field}"));
                assert!(
                    error.contains(&format!("unknown field `{field}`")),
                    "{error}"
                );
            }
        }
        let refused = [
            (
                json!({"op": "delete_everything"}),
                "unknown variant `delete_everything`",
            ),
            (json!({"summary": "s"}), "missing field `op`"),
            (
                json!({"op": "set_summary", "summary": "s", "colour": 1}),
                "unknown field `colour`",
            ),
            (json!({"op": "transition", "to": 3}), "expected a phase"),
            (
                json!({"op": "transition", "to": "nowhere"}),
                "unknown variant `nowhere`",
            ),
            (
                json!({"op": "move_question", "id": "q", "to": "revealed"}),
                "a position",
            ),
            (
                json!({"op": "move_question", "id": "q", "to": -1}),
                "a position or a phase",
            ),
            (json!({"op": "remove_action", "id": "not an id"}), "id"),
            (
                json!({"op": "set_summary", "summary": 7}),
                "expected a string",
            ),
            (
                json!({"op": "set_summary", "summary": null}),
                "missing field `summary`",
            ),
            (json!(["set_summary", "s"]), "expected struct"),
        ];
        for (value, says) in refused {
            let error = read(&value).expect_err(&value.to_string());
            assert!(error.contains(says), "{value}: {error}");
        }
    }

    #[test]
    fn a_moments_kind_may_be_absent_or_null_to_clear_the_mark() {
        let entry = json!({"participant_id": "a", "entry_id": "e1"});
        for value in [
            json!({"op": "mark_moment", "entry": entry}),
            json!({"op": "mark_moment", "entry": entry, "kind": null}),
        ] {
            assert!(matches!(
                read(&value),
                Ok(ReviewOp::MarkMoment { kind: None, .. })
            ));
        }
    }

    #[test]
    fn apply_uses_the_reviews_rules_and_a_refusal_changes_nothing() {
        let mut review = setup();
        let before = review.clone();
        let skip = ReviewOp::Transition { to: Phase::Actions };
        assert!(review.apply(&skip, &[], t(12, 0)).is_err());
        assert_eq!(review, before);

        let add = ReviewOp::AddParticipant {
            id: pid("zed"),
            participant: ParticipantInput {
                name: "Zed".into(),
                role: "SRE".into(),
                show_name_when_published: false,
            },
        };
        review.apply(&add, &[], t(12, 0)).unwrap();
        assert_eq!(review.version, before.version + 1);
        assert!(review.participant(&pid("zed")).is_some());

        let bad_facts = ReviewOp::SetFacts {
            facts: FactsInput::default(),
        };
        let err = review.apply(&bad_facts, &[], t(12, 1)).unwrap_err();
        assert!(
            matches!(err, OpError::Edit(EditError::Invalid { .. })),
            "{err}"
        );
    }

    /// The role reads what it writes, and only that.
    #[test]
    fn roles_read_back_and_refuse_half_a_role() {
        for role in [Role::Facilitator, Role::Participant(pid("alice"))] {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role, "{json}");
        }
        let read = |json: &str| serde_json::from_str::<Role>(json).map_err(|e| e.to_string());
        assert_eq!(
            read(r#"{"participant_id":"bob","role":"participant"}"#),
            Ok(Role::Participant(pid("bob")))
        );
        assert_eq!(
            read(r#"{"role":"facilitator","participant_id":null}"#),
            Ok(Role::Facilitator)
        );
        for (bad, says) in [
            (
                r#"{"role":"participant"}"#,
                "missing field `participant_id`",
            ),
            (
                r#"{"role":"facilitator","participant_id":"bob"}"#,
                "has no participant_id",
            ),
            (r#"{"role":"owner"}"#, "unknown variant `owner`"),
            (r#"{"participant_id":"bob"}"#, "missing field `role`"),
            (
                r#"{"role":"participant","participant_id":"../x"}"#,
                "must be 1 to 64 letters",
            ),
        ] {
            let error = read(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
