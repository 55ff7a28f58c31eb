//! Putting this copy's unsent changes on top of a newer server copy, without losing any.
//!
//! A client keeps the last review the server sent it (the *base*) and the [`PendingOp`]s made
//! since, in order. When the server has moved on (another person's change, a 412 answer),
//! [`rebase`] replays the pending ops on the server's review:
//! - an op that sets something (the facts, the summary, a participant's details, a key insight,
//!   an action) which someone else also changed since the base is not replayed: it becomes a
//!   [`Conflict`] holding both versions, for the person to choose;
//! - an op that the rules now refuse (the phase moved on, its participant was removed) becomes a
//!   [`Conflict`] with the reason and the text of the change, so nothing typed is lost silently;
//! - an op that made the same change someone else made is dropped: there is nothing to choose;
//! - every other op is replayed and stays pending.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::id::{ActionId, ParticipantId, QuestionId, ThemeId};
use crate::op::ReviewOp;
use crate::review::Review;

/// A change made on this copy and not yet accepted by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOp {
    /// Sent as the request's `op_id`: the server applies it at most once.
    pub op_id: String,
    pub op: ReviewOp,
}

/// The one thing an op sets, for ops that replace a value (rather than add, remove or toggle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Facts,
    Summary,
    Participant(ParticipantId),
    KeyInsight(usize),
    Action(ActionId),
    Publication,
    Question(QuestionId),
    Guide,
    /// A theme's name.
    Theme(ThemeId),
}

impl ReviewOp {
    /// What this op sets, if it replaces a value: two such ops on the same target conflict.
    pub fn target(&self) -> Option<Target> {
        match self {
            ReviewOp::SetFacts { .. } => Some(Target::Facts),
            ReviewOp::SetSummary { .. } => Some(Target::Summary),
            ReviewOp::UpdateParticipant { id, .. } => Some(Target::Participant(id.clone())),
            ReviewOp::UpdateKeyInsight { index, .. } => Some(Target::KeyInsight(*index)),
            ReviewOp::UpdateAction { id, .. } | ReviewOp::SetActionStatus { id, .. } => {
                Some(Target::Action(id.clone()))
            }
            ReviewOp::SetPublication { .. } => Some(Target::Publication),
            ReviewOp::UpdateQuestion { id, .. } => Some(Target::Question(id.clone())),
            ReviewOp::UseGuide { .. } => Some(Target::Guide),
            ReviewOp::RenameTheme { id, .. } => Some(Target::Theme(id.clone())),
            _ => None,
        }
    }
}

impl Target {
    /// The target in words, for "Your change to … conflicts".
    pub fn describe(&self, review: &Review) -> String {
        match self {
            Target::Facts => "the incident's facts".into(),
            Target::Summary => "the summary".into(),
            Target::Participant(id) => match review.participant(id) {
                Some(p) => format!("{}'s details", p.name),
                None => "a participant's details".into(),
            },
            Target::KeyInsight(i) => format!("key insight {}", i + 1),
            Target::Action(id) => match review.action(id) {
                Some(a) => format!("the action “{}”", a.title),
                None => "an action".into(),
            },
            Target::Publication => "the tags and audiences for publishing".into(),
            Target::Question(_) => "a question of the guide".into(),
            Target::Guide => "the question guide".into(),
            Target::Theme(id) => match review.theme(id) {
                Some(t) => format!("the name of the theme “{}”", t.name),
                None => "a theme's name".into(),
            },
        }
    }

    /// The target's value in `review` as a person reads it; `None` when it isn't there.
    pub fn value(&self, review: &Review) -> Option<String> {
        match self {
            Target::Facts => {
                let f = &review.facts;
                let mut lines = vec![
                    format!("Title: {}", f.title()),
                    format!("Severity: {}", f.severity().label()),
                    format!("Team: {}", f.team()),
                    format!("Started: {}", crate::timestamp::utc_minute(&f.started_at())),
                ];
                if let Some(d) = f.detected_at() {
                    lines.push(format!("Detected: {}", crate::timestamp::utc_minute(&d)));
                }
                if let Some(r) = f.resolved_at() {
                    lines.push(format!("Resolved: {}", crate::timestamp::utc_minute(&r)));
                }
                if !f.services().is_empty() {
                    lines.push(format!("Services: {}", f.services().join(", ")));
                }
                Some(lines.join("\n"))
            }
            Target::Summary => Some(review.summary().to_owned()),
            Target::Participant(id) => review.participant(id).map(|p| {
                format!(
                    "{} ({}){}",
                    p.name,
                    p.role,
                    if p.show_name_when_published {
                        ", named when published"
                    } else {
                        ""
                    }
                )
            }),
            Target::KeyInsight(i) => review.key_insights().get(*i).cloned(),
            Target::Action(id) => review.action(id).map(|a| {
                let mut s = format!(
                    "{} · {} · {} · {}",
                    a.title,
                    a.kind.label(),
                    a.priority.label(),
                    a.status.label()
                );
                if let Some(due) = a.due {
                    s.push_str(&format!(" · due {due}"));
                }
                if !a.description.is_empty() {
                    s.push('\n');
                    s.push_str(&a.description);
                }
                s
            }),
            Target::Publication => {
                let p = review.publication();
                let mut lines = vec![format!("Tags: {}", p.tags().join(", "))];
                for section in crate::feed::Section::ALL {
                    lines.push(format!(
                        "{}: {}",
                        section.label(),
                        p.audience().get(section).label()
                    ));
                }
                Some(lines.join("\n"))
            }
            Target::Question(id) => review.guide().question(id).map(|q| q.text.clone()),
            Target::Guide => Some(
                review
                    .guide()
                    .questions
                    .iter()
                    .map(|q| q.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Target::Theme(id) => review.theme(id).map(|t| t.name.clone()),
        }
    }
}

/// A pending change that could not simply be replayed on the server's copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub op_id: String,
    /// The change as it was made, to apply again if the person chooses it.
    pub op: ReviewOp,
    /// What it changes, in words ("the summary").
    pub what: String,
    /// Someone else's version now on the server, when both changed the same thing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theirs: Option<String>,
    /// This copy's version, as the change would make it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mine: Option<String>,
    /// Why the rules refused the change on the server's copy, when they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl Conflict {
    /// A pending op the rules refused (here, or on the server with `reason`): kept with what
    /// it changes and the text it carried, so nothing typed is lost. `review` names its target.
    pub fn refused(p: PendingOp, review: &Review, reason: String) -> Self {
        Self {
            what: p
                .op
                .target()
                .map_or_else(|| op_what(&p.op), |t| t.describe(review)),
            theirs: None,
            mine: op_text(&p.op),
            refused: Some(reason),
            op_id: p.op_id,
            op: p.op,
        }
    }
}

/// The outcome of [`rebase`].
#[derive(Clone, Debug, PartialEq)]
pub struct Rebased {
    /// The server's review with the pending ops that still apply.
    pub review: Review,
    /// The ops still to send, in order.
    pub pending: Vec<PendingOp>,
    /// The ops taken out, for the person to decide on.
    pub conflicts: Vec<Conflict>,
}

/// Replays `pending` (made on `base`) on the newer `server` copy. See the module docs.
pub fn rebase(
    base: &Review,
    server: &Review,
    pending: Vec<PendingOp>,
    accounts: &[Account],
    now: DateTime<Utc>,
) -> Rebased {
    let mut review = server.clone();
    let mut kept = Vec::new();
    let mut conflicts = Vec::new();
    for p in pending {
        let mut attempt = review.clone();
        let applied = attempt.apply(&p.op, accounts, now);
        let target = p.op.target();
        if let Some(target) = &target {
            let theirs = target.value(server);
            let changed_by_others = target.value(base) != theirs;
            if changed_by_others {
                let mine = applied.as_ref().ok().and_then(|()| target.value(&attempt));
                if applied.is_ok() && mine == theirs {
                    continue;
                }
                conflicts.push(Conflict {
                    op_id: p.op_id,
                    what: target.describe(base),
                    theirs,
                    mine: mine.or_else(|| op_text(&p.op)),
                    refused: applied.err().map(|e| e.to_string()),
                    op: p.op,
                });
                continue;
            }
        }
        match applied {
            Ok(()) => {
                review = attempt;
                kept.push(p);
            }
            Err(e) => conflicts.push(Conflict::refused(p, base, e.to_string())),
        }
    }
    Rebased {
        review,
        pending: kept,
        conflicts,
    }
}

/// Replays `pending` on `base` for this copy's own view, leaving out any the rules refuse.
pub fn replay(
    base: &Review,
    pending: &[PendingOp],
    accounts: &[Account],
    now: DateTime<Utc>,
) -> Review {
    let mut review = base.clone();
    for p in pending {
        let mut attempt = review.clone();
        if attempt.apply(&p.op, accounts, now).is_ok() {
            review = attempt;
        }
    }
    review
}

/// An op that has no single target, in words.
fn op_what(op: &ReviewOp) -> String {
    match op {
        ReviewOp::AddParticipant { .. } => "adding a participant".into(),
        ReviewOp::RemoveParticipant { .. } => "removing a participant".into(),
        ReviewOp::AddReference { .. } => "adding reference material".into(),
        ReviewOp::RemoveReference { .. } => "removing reference material".into(),
        ReviewOp::Transition { to } => format!("moving the review to {}", to.label()),
        ReviewOp::Link { .. } => "linking timeline entries".into(),
        ReviewOp::Unlink { .. } => "unlinking a timeline entry".into(),
        ReviewOp::MarkMoment { .. } => "marking a key moment".into(),
        ReviewOp::ToggleVote { .. } | ReviewOp::ToggleThemeVote { .. } => "a vote".into(),
        ReviewOp::GroupTheme { .. } => "grouping factors into a theme".into(),
        ReviewOp::UngroupTheme { .. } => "ungrouping a theme".into(),
        ReviewOp::AddKeyInsight { .. } => "adding a key insight".into(),
        ReviewOp::RemoveKeyInsight { index } => format!("removing key insight {}", index + 1),
        ReviewOp::AddAction { .. } => "adding an action".into(),
        ReviewOp::RemoveAction { .. } => "removing an action".into(),
        ReviewOp::AddQuestion { .. } => "adding a question".into(),
        ReviewOp::MoveQuestion { .. } => "moving a question".into(),
        ReviewOp::RemoveQuestion { .. } => "removing a question".into(),
        _ => "a change".into(),
    }
}

/// The text a person typed into an op, so a refused change can still be copied.
fn op_text(op: &ReviewOp) -> Option<String> {
    match op {
        ReviewOp::SetSummary { summary } => Some(summary.clone()),
        ReviewOp::AddKeyInsight { text } | ReviewOp::UpdateKeyInsight { text, .. } => {
            Some(text.clone())
        }
        ReviewOp::AddParticipant { participant, .. }
        | ReviewOp::UpdateParticipant { participant, .. } => {
            Some(format!("{} ({})", participant.name, participant.role))
        }
        ReviewOp::AddReference { title, .. } => Some(title.clone()),
        ReviewOp::AddAction { action, .. } | ReviewOp::UpdateAction { action, .. } => {
            Some(if action.description.is_empty() {
                action.title.clone()
            } else {
                format!("{}\n{}", action.title, action.description)
            })
        }
        ReviewOp::SetFacts { facts } => Some(format!("Title: {}", facts.title)),
        ReviewOp::AddQuestion { question, .. } | ReviewOp::UpdateQuestion { question, .. } => {
            Some(question.text.clone())
        }
        ReviewOp::GroupTheme { name, .. } | ReviewOp::RenameTheme { name, .. } => {
            Some(name.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{pid, setup, t};
    use crate::phase::Phase;

    fn pending(id: &str, op: ReviewOp) -> PendingOp {
        PendingOp {
            op_id: id.into(),
            op,
        }
    }

    fn summary(text: &str) -> ReviewOp {
        ReviewOp::SetSummary {
            summary: text.into(),
        }
    }

    fn server_after(base: &Review, ops: &[ReviewOp]) -> Review {
        let mut r = base.clone();
        for op in ops {
            r.apply(op, &[], t(12, 0)).unwrap();
        }
        r
    }

    #[test]
    fn ops_on_different_things_are_replayed_in_order() {
        let base = setup();
        let server = server_after(&base, &[summary("theirs")]);
        let rename = ReviewOp::UpdateParticipant {
            id: pid("alice"),
            participant: crate::review::ParticipantInput {
                name: "Alice Smith".into(),
                role: "primary on-call".into(),
                show_name_when_published: false,
            },
        };
        let mine = vec![pending("a", rename)];
        let out = rebase(&base, &server, mine.clone(), &[], t(12, 5));
        assert!(out.conflicts.is_empty());
        assert_eq!(out.pending, mine);
        assert_eq!(out.review.summary(), "theirs");
        assert_eq!(
            out.review.participant(&pid("alice")).unwrap().role,
            "primary on-call"
        );
    }

    #[test]
    fn the_same_thing_changed_by_both_keeps_both_versions() {
        let base = setup();
        let server = server_after(&base, &[summary("theirs")]);
        let out = rebase(
            &base,
            &server,
            vec![pending("a", summary("mine"))],
            &[],
            t(12, 5),
        );
        assert!(out.pending.is_empty());
        assert_eq!(out.review.summary(), "theirs", "theirs stays until chosen");
        let c = &out.conflicts[0];
        assert_eq!(c.what, "the summary");
        assert_eq!(c.theirs.as_deref(), Some("theirs"));
        assert_eq!(c.mine.as_deref(), Some("mine"));
        assert_eq!(c.op, summary("mine"));
    }

    #[test]
    fn the_same_change_made_twice_is_not_a_conflict() {
        let base = setup();
        let server = server_after(&base, &[summary("same")]);
        let out = rebase(
            &base,
            &server,
            vec![pending("a", summary("same"))],
            &[],
            t(12, 5),
        );
        assert!(out.conflicts.is_empty() && out.pending.is_empty());
    }

    #[test]
    fn a_change_the_rules_now_refuse_is_kept_with_its_reason() {
        let base = setup();
        let server = server_after(&base, &[ReviewOp::RemoveParticipant { id: pid("carol") }]);
        let update = ReviewOp::UpdateParticipant {
            id: pid("carol"),
            participant: crate::review::ParticipantInput {
                name: "Bo Renamed".into(),
                role: "SRE".into(),
                show_name_when_published: false,
            },
        };
        let out = rebase(&base, &server, vec![pending("a", update)], &[], t(12, 5));
        let c = &out.conflicts[0];
        assert_eq!(c.theirs, None, "the participant is gone on the server");
        assert!(c.mine.as_deref().unwrap().contains("Bo Renamed"));
    }

    #[test]
    fn a_phase_change_elsewhere_refuses_a_locked_edit_and_says_why() {
        let base = setup();
        let server = server_after(
            &base,
            &[ReviewOp::Transition {
                to: Phase::Investigating,
            }],
        );
        let add = ReviewOp::AddParticipant {
            id: pid("p-9"),
            participant: crate::review::ParticipantInput {
                name: "Cy".into(),
                role: "DBA".into(),
                show_name_when_published: false,
            },
        };
        // Adding is allowed while investigating, so it replays; a transition back is refused.
        let back = ReviewOp::Transition { to: Phase::Setup };
        let twice = ReviewOp::Transition {
            to: Phase::Investigating,
        };
        let out = rebase(
            &base,
            &server,
            vec![
                pending("a", add.clone()),
                pending("b", twice),
                pending("c", back),
            ],
            &[],
            t(12, 5),
        );
        assert_eq!(out.pending.len(), 2, "{:?}", out.conflicts);
        assert_eq!(out.pending[0].op, add);
        let refused = &out.conflicts[0];
        assert_eq!(refused.op_id, "b");
        assert!(refused.refused.as_deref().unwrap().contains("already"));
        assert_eq!(out.review.phase(), Phase::Setup);
    }

    #[test]
    fn a_refusal_from_the_server_keeps_what_it_changed_and_the_text() {
        let c = Conflict::refused(
            pending(
                "a",
                ReviewOp::AddKeyInsight {
                    text: "retries hid the fault".into(),
                },
            ),
            &setup(),
            "this can't be changed".into(),
        );
        assert_eq!(c.what, "adding a key insight");
        assert_eq!(c.mine.as_deref(), Some("retries hid the fault"));
        assert_eq!(c.refused.as_deref(), Some("this can't be changed"));
        assert_eq!(c.op_id, "a");
    }

    #[test]
    fn replay_skips_what_the_rules_refuse() {
        let base = setup();
        let ops = vec![
            pending("a", summary("one")),
            pending("b", ReviewOp::RemoveKeyInsight { index: 4 }),
            pending("c", summary("two")),
        ];
        let r = replay(&base, &ops, &[], t(12, 5));
        assert_eq!(r.summary(), "two");
        assert_eq!(r.version, base.version + 2);
    }
}
