//! Reading a [`ReviewOp`] from its JSON object, `{"op": "<name>", …fields}`.
//!
//! Serde's derived reader for an internally tagged enum first copies the whole object into a
//! buffer and then reads each variant out of the buffer: a second reader of every type an op
//! holds, and in the app's WebAssembly one function of some 60 KB on the review page. This
//! reads the object once into one struct holding every op's fields, then builds the op named
//! by `op` and refuses a field that op does not have. It accepts and refuses what the derived
//! reader did, but for one leniency: another op's field given as `null` is read as absent
//! (`tests` in `op.rs` hold it to that for every op and each way to break one).

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use std::fmt;

use super::ReviewOp;
use crate::feed::SectionAudience;
use crate::guide::{BuiltinGuide, QuestionInput};
use crate::id::{ActionId, EntryRef, FactorRef, ParticipantId, QuestionId, ReferenceId, ThemeId};
use crate::phase::Phase;
use crate::reference::ReferenceContent;
use crate::review::action::{ActionInput, ActionStatus};
use crate::review::moments::MomentKind;
use crate::review::{FactsInput, ParticipantInput};

/// Every op's name, as the JSON names it.
pub(super) const OPS: &[&str] = &[
    "set_facts",
    "set_summary",
    "add_participant",
    "update_participant",
    "remove_participant",
    "add_reference",
    "remove_reference",
    "use_guide",
    "add_question",
    "update_question",
    "move_question",
    "remove_question",
    "transition",
    "link",
    "unlink",
    "mark_moment",
    "toggle_vote",
    "group_theme",
    "rename_theme",
    "ungroup_theme",
    "toggle_theme_vote",
    "add_key_insight",
    "update_key_insight",
    "remove_key_insight",
    "add_action",
    "update_action",
    "set_action_status",
    "remove_action",
    "set_publication",
];

/// `to` is a position for `move_question` and a phase for `transition`.
enum To {
    Index(usize),
    Phase(Phase),
}

impl<'de> Deserialize<'de> for To {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ToVisitor;
        impl Visitor<'_> for ToVisitor {
            type Value = To;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position or a phase")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<To, E> {
                usize::try_from(v)
                    .map(To::Index)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<To, E> {
                Phase::deserialize(de::value::StrDeserializer::<E>::new(v)).map(To::Phase)
            }
        }
        d.deserialize_any(ToVisitor)
    }
}

/// Every field any op has; each op takes its own and refuses the others.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    op: String,
    facts: Option<FactsInput>,
    summary: Option<String>,
    id: Option<String>,
    participant: Option<ParticipantInput>,
    title: Option<String>,
    content: Option<ReferenceContent>,
    guide: Option<BuiltinGuide>,
    question: Option<QuestionInput>,
    to: Option<To>,
    entries: Option<Vec<EntryRef>>,
    entry: Option<EntryRef>,
    kind: Option<MomentKind>,
    voter: Option<ParticipantId>,
    factor: Option<FactorRef>,
    name: Option<String>,
    factors: Option<Vec<FactorRef>>,
    theme: Option<ThemeId>,
    text: Option<String>,
    index: Option<usize>,
    action: Option<ActionInput>,
    status: Option<ActionStatus>,
    tags: Option<Vec<String>>,
    audience: Option<SectionAudience>,
}

impl Fields {
    /// The names of the fields the object held, besides `op`.
    fn present(&self) -> impl Iterator<Item = &'static str> {
        [
            ("facts", self.facts.is_some()),
            ("summary", self.summary.is_some()),
            ("id", self.id.is_some()),
            ("participant", self.participant.is_some()),
            ("title", self.title.is_some()),
            ("content", self.content.is_some()),
            ("guide", self.guide.is_some()),
            ("question", self.question.is_some()),
            ("to", self.to.is_some()),
            ("entries", self.entries.is_some()),
            ("entry", self.entry.is_some()),
            ("kind", self.kind.is_some()),
            ("voter", self.voter.is_some()),
            ("factor", self.factor.is_some()),
            ("name", self.name.is_some()),
            ("factors", self.factors.is_some()),
            ("theme", self.theme.is_some()),
            ("text", self.text.is_some()),
            ("index", self.index.is_some()),
            ("action", self.action.is_some()),
            ("status", self.status.is_some()),
            ("tags", self.tags.is_some()),
            ("audience", self.audience.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
    }

    /// Builds the op `op` names, which has `fields`.
    fn into_op<E: de::Error>(self) -> Result<ReviewOp, E> {
        let op = self.op.as_str();
        let Some(&name) = OPS.iter().find(|&&name| name == op) else {
            return Err(E::unknown_variant(op, OPS));
        };
        let fields: &'static [&'static str] = match name {
            "set_facts" => &["op", "facts"],
            "set_summary" => &["op", "summary"],
            "add_participant" | "update_participant" => &["op", "id", "participant"],
            "add_reference" => &["op", "id", "title", "content"],
            "use_guide" => &["op", "guide"],
            "add_question" | "update_question" => &["op", "id", "question"],
            "move_question" => &["op", "id", "to"],
            "transition" => &["op", "to"],
            "link" => &["op", "entries"],
            "unlink" => &["op", "entry"],
            "mark_moment" => &["op", "entry", "kind"],
            "toggle_vote" => &["op", "voter", "factor"],
            "group_theme" => &["op", "id", "name", "factors"],
            "rename_theme" => &["op", "id", "name"],
            "toggle_theme_vote" => &["op", "voter", "theme"],
            "add_key_insight" => &["op", "text"],
            "update_key_insight" => &["op", "index", "text"],
            "remove_key_insight" => &["op", "index"],
            "add_action" | "update_action" => &["op", "id", "action"],
            "set_action_status" => &["op", "id", "status"],
            "set_publication" => &["op", "tags", "audience"],
            // The removals, by id alone.
            _ => &["op", "id"],
        };
        if let Some(other) = self.present().find(|f| !fields.contains(f)) {
            return Err(E::unknown_field(other, fields));
        }
        fn need<T, E: de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(field))
        }
        fn id<T: TryFrom<String, Error = crate::ValidationError>, E: de::Error>(
            value: Option<String>,
        ) -> Result<T, E> {
            T::try_from(need(value, "id")?).map_err(E::custom)
        }
        let f = self;
        Ok(match name {
            "set_facts" => ReviewOp::SetFacts {
                facts: need(f.facts, "facts")?,
            },
            "set_summary" => ReviewOp::SetSummary {
                summary: need(f.summary, "summary")?,
            },
            "add_participant" => ReviewOp::AddParticipant {
                id: id::<ParticipantId, E>(f.id)?,
                participant: need(f.participant, "participant")?,
            },
            "update_participant" => ReviewOp::UpdateParticipant {
                id: id::<ParticipantId, E>(f.id)?,
                participant: need(f.participant, "participant")?,
            },
            "remove_participant" => ReviewOp::RemoveParticipant {
                id: id::<ParticipantId, E>(f.id)?,
            },
            "add_reference" => ReviewOp::AddReference {
                id: id::<ReferenceId, E>(f.id)?,
                title: need(f.title, "title")?,
                content: need(f.content, "content")?,
            },
            "remove_reference" => ReviewOp::RemoveReference {
                id: id::<ReferenceId, E>(f.id)?,
            },
            "use_guide" => ReviewOp::UseGuide {
                guide: need(f.guide, "guide")?,
            },
            "add_question" => ReviewOp::AddQuestion {
                id: id::<QuestionId, E>(f.id)?,
                question: need(f.question, "question")?,
            },
            "update_question" => ReviewOp::UpdateQuestion {
                id: id::<QuestionId, E>(f.id)?,
                question: need(f.question, "question")?,
            },
            "move_question" => ReviewOp::MoveQuestion {
                id: id::<QuestionId, E>(f.id)?,
                to: match need(f.to, "to")? {
                    To::Index(to) => to,
                    To::Phase(_) => {
                        return Err(E::invalid_type(Unexpected::Other("a phase"), &"a position"));
                    }
                },
            },
            "remove_question" => ReviewOp::RemoveQuestion {
                id: id::<QuestionId, E>(f.id)?,
            },
            "transition" => ReviewOp::Transition {
                to: match need(f.to, "to")? {
                    To::Phase(to) => to,
                    To::Index(i) => {
                        return Err(E::invalid_type(Unexpected::Unsigned(i as u64), &"a phase"));
                    }
                },
            },
            "link" => ReviewOp::Link {
                entries: need(f.entries, "entries")?,
            },
            "unlink" => ReviewOp::Unlink {
                entry: need(f.entry, "entry")?,
            },
            // A moment's kind may be absent or `null`: the mark is cleared.
            "mark_moment" => ReviewOp::MarkMoment {
                entry: need(f.entry, "entry")?,
                kind: f.kind,
            },
            "toggle_vote" => ReviewOp::ToggleVote {
                voter: need(f.voter, "voter")?,
                factor: need(f.factor, "factor")?,
            },
            "group_theme" => ReviewOp::GroupTheme {
                id: id::<ThemeId, E>(f.id)?,
                name: need(f.name, "name")?,
                factors: need(f.factors, "factors")?,
            },
            "rename_theme" => ReviewOp::RenameTheme {
                id: id::<ThemeId, E>(f.id)?,
                name: need(f.name, "name")?,
            },
            "ungroup_theme" => ReviewOp::UngroupTheme {
                id: id::<ThemeId, E>(f.id)?,
            },
            "toggle_theme_vote" => ReviewOp::ToggleThemeVote {
                voter: need(f.voter, "voter")?,
                theme: need(f.theme, "theme")?,
            },
            "add_key_insight" => ReviewOp::AddKeyInsight {
                text: need(f.text, "text")?,
            },
            "update_key_insight" => ReviewOp::UpdateKeyInsight {
                index: need(f.index, "index")?,
                text: need(f.text, "text")?,
            },
            "remove_key_insight" => ReviewOp::RemoveKeyInsight {
                index: need(f.index, "index")?,
            },
            "add_action" => ReviewOp::AddAction {
                id: id::<ActionId, E>(f.id)?,
                action: need(f.action, "action")?,
            },
            "update_action" => ReviewOp::UpdateAction {
                id: id::<ActionId, E>(f.id)?,
                action: need(f.action, "action")?,
            },
            "set_action_status" => ReviewOp::SetActionStatus {
                id: id::<ActionId, E>(f.id)?,
                status: need(f.status, "status")?,
            },
            "remove_action" => ReviewOp::RemoveAction {
                id: id::<ActionId, E>(f.id)?,
            },
            "set_publication" => ReviewOp::SetPublication {
                tags: need(f.tags, "tags")?,
                audience: need(f.audience, "audience")?,
            },
            _ => unreachable!("every name in OPS has its op"),
        })
    }
}

impl<'de> Deserialize<'de> for ReviewOp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Fields::deserialize(d)?.into_op()
    }
}
