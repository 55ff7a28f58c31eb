//! Contributing factors: the revealed accounts' observations grouped by kind, dot-voting on them,
//! and the facilitator's key insights.

use crate::account::Account;
pub use crate::account::FactorKind;
pub use crate::id::FactorRef;
use crate::id::ParticipantId;
use crate::limits::{MAX_KEY_INSIGHTS, too_many};
use crate::review::reveal::Revealed;
use crate::review::{EditError, GROUP_WORK, Review};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many dots each participant may place.
pub const DOTS_PER_PARTICIPANT: usize = 3;

/// One dot placed by `voter` on `factor`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub voter: ParticipantId,
    pub factor: FactorRef,
}

/// A revealed observation with its votes. Its author is `factor.participant_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    pub factor: FactorRef,
    pub kind: FactorKind,
    pub text: String,
    pub votes: u32,
}

/// The factors of one kind, most votes first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorGroup {
    pub kind: FactorKind,
    pub factors: Vec<Factor>,
}

/// Every revealed observation, most votes first; ties in the order of the review's
/// participants and then of their observations.
pub fn factors(view: &Revealed<'_>) -> Vec<Factor> {
    let review = view.review();
    let mut out: Vec<Factor> = view
        .accounts()
        .iter()
        .flat_map(|a| {
            a.observations().iter().map(|o| {
                let factor = FactorRef::new(a.participant_id().clone(), o.id.clone());
                Factor {
                    votes: review.votes_for(&factor),
                    factor,
                    kind: o.kind,
                    text: o.text.clone(),
                }
            })
        })
        .collect();
    out.sort_by_key(|f| std::cmp::Reverse(f.votes));
    out
}

/// [`factors`] grouped by kind, one group per kind in [`FactorKind::ALL`] order, empty groups
/// included so a page can show every heading.
pub fn factor_groups(view: &Revealed<'_>) -> Vec<FactorGroup> {
    let all = factors(view);
    FactorKind::ALL
        .into_iter()
        .map(|kind| FactorGroup {
            kind,
            factors: all.iter().filter(|f| f.kind == kind).cloned().collect(),
        })
        .collect()
}

impl Review {
    pub fn votes(&self) -> &[Vote] {
        &self.votes
    }

    pub fn votes_for(&self, factor: &FactorRef) -> u32 {
        self.votes.iter().filter(|v| &v.factor == factor).count() as u32
    }

    pub fn has_voted(&self, voter: &ParticipantId, factor: &FactorRef) -> bool {
        self.votes
            .iter()
            .any(|v| &v.voter == voter && &v.factor == factor)
    }

    /// The dots `voter` may still place: each dot on a factor or on a theme costs one.
    pub fn dots_left(&self, voter: &ParticipantId) -> usize {
        let used = self.votes.iter().filter(|v| &v.voter == voter).count()
            + self
                .themes
                .iter()
                .filter(|t| t.voters.contains(voter))
                .count();
        DOTS_PER_PARTICIPANT.saturating_sub(used)
    }

    /// Places `voter`'s dot on `factor`, or takes it back if it is there; returns whether a dot
    /// is there now. One dot per factor per voter, [`DOTS_PER_PARTICIPANT`] in all. A factor
    /// grouped in a theme takes no new dot: the dot goes on the theme, where it counts once.
    pub fn toggle_vote(
        &mut self,
        voter: &ParticipantId,
        factor: &FactorRef,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<bool, EditError> {
        self.unlocked(GROUP_WORK)?;
        self.require_participant(voter)?;
        if self.has_voted(voter, factor) {
            self.votes
                .retain(|v| !(&v.voter == voter && &v.factor == factor));
            self.touch(now);
            return Ok(false);
        }
        let view = self
            .revealed(accounts)
            .map_err(|e| EditError::Locked { phase: e.phase })?;
        if view.observation(factor).is_none() {
            return Err(EditError::NotFound {
                id: factor.observation_id.to_string(),
            });
        }
        if let Some(theme) = self.theme_of(factor) {
            return Err(vec![crate::validation::ValidationError::new(
                "factor",
                format!(
                    "is part of the theme “{}”: place the dot on the theme",
                    theme.name
                ),
            )]
            .into());
        }
        if self.dots_left(voter) == 0 {
            return Err(EditError::OutOfDots {
                dots: DOTS_PER_PARTICIPANT,
            });
        }
        self.votes.push(Vote {
            voter: voter.clone(),
            factor: factor.clone(),
        });
        self.touch(now);
        Ok(true)
    }

    /// The facilitator's key insights, in their order.
    pub fn key_insights(&self) -> &[String] {
        &self.key_insights
    }

    pub fn add_key_insight(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let text = insight(text)?;
        if self.key_insights.len() >= MAX_KEY_INSIGHTS {
            return Err(vec![too_many("key_insights", MAX_KEY_INSIGHTS, "review")].into());
        }
        self.key_insights.push(text);
        self.touch(now);
        Ok(())
    }

    pub fn update_key_insight(
        &mut self,
        index: usize,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let text = insight(text)?;
        let slot = self
            .key_insights
            .get_mut(index)
            .ok_or_else(|| EditError::NotFound {
                id: index.to_string(),
            })?;
        *slot = text;
        self.touch(now);
        Ok(())
    }

    pub fn remove_key_insight(
        &mut self,
        index: usize,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        if index >= self.key_insights.len() {
            return Err(EditError::NotFound {
                id: index.to_string(),
            });
        }
        self.key_insights.remove(index);
        self.touch(now);
        Ok(())
    }
}

fn insight(raw: &str) -> Result<String, EditError> {
    let mut errors = Vec::new();
    let text = crate::text::long(&mut errors, "text", raw, true);
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{fref, pid, review_in, t};
    use crate::phase::Phase;

    fn render_groups(review: &Review, accounts: &[Account]) -> String {
        let view = review.revealed(accounts).unwrap();
        factor_groups(&view)
            .iter()
            .map(|g| {
                let factors: Vec<String> = g
                    .factors
                    .iter()
                    .map(|f| format!("{} by {} ({})", f.text, f.factor.participant_id, f.votes))
                    .collect();
                if factors.is_empty() {
                    format!("{}: (none)", g.kind.key())
                } else {
                    format!("{}: {}", g.kind.key(), factors.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn factors_are_grouped_by_kind_with_their_author() {
        let (review, accounts) = review_in(Phase::Revealed);
        assert_eq!(
            render_groups(&review, &accounts),
            "\
technical: No alert on pool saturation by alice (0)
human: (none)
organisational: Deploys allowed during peak; Alice Smith had no say by bob (0)
knowledge_gap: Rollback runbook out of date by alice (0)
operational_surprise: Rollback took 10 minutes by bob (0)
helped: Bob posted the rollback command in the channel by alice (0)
lucky: The spike came after the lunch peak by bob (0)"
        );
    }

    #[test]
    fn dots_toggle_count_and_run_out() {
        let (mut review, accounts) = review_in(Phase::Revealed);
        let carol = pid("carol");
        let vote = |review: &mut Review, who: &str, p: &str, o: &str| match review.toggle_vote(
            &pid(who),
            &fref(p, o),
            &accounts,
            t(14, 0),
        ) {
            Ok(true) => "placed".to_owned(),
            Ok(false) => "taken back".to_owned(),
            Err(e) => e.to_string(),
        };
        let steps = [
            vote(&mut review, "carol", "bob", "bo2"),
            vote(&mut review, "carol", "alice", "ao1"),
            vote(&mut review, "alice", "bob", "bo2"),
            vote(&mut review, "carol", "alice", "ao2"),
            vote(&mut review, "carol", "bob", "bo1"),
            vote(&mut review, "carol", "alice", "ao1"),
            vote(&mut review, "carol", "bob", "bo1"),
            vote(&mut review, "carol", "alice", "nope"),
            vote(&mut review, "dave", "alice", "ao1"),
        ];
        assert_eq!(
            steps,
            [
                "placed",
                "placed",
                "placed",
                "placed",
                "all 3 dots are placed: take one back before placing another",
                "taken back",
                "placed",
                "nothing in this review has the id nope",
                "nothing in this review has the id dave",
            ]
        );
        assert_eq!(review.dots_left(&carol), 0);
        assert_eq!(review.votes_for(&fref("bob", "bo2")), 2);
        assert!(review.has_voted(&carol, &fref("bob", "bo1")));
        let view = review.revealed(&accounts).unwrap();
        let ranked: Vec<(String, u32)> = factors(&view)
            .into_iter()
            .map(|f| (f.factor.observation_id.to_string(), f.votes))
            .collect();
        assert_eq!(
            ranked,
            [
                ("bo2".to_owned(), 2),
                ("ao2".to_owned(), 1),
                ("bo1".to_owned(), 1),
                ("ao1".to_owned(), 0),
                ("ao3".to_owned(), 0),
                ("bo3".to_owned(), 0)
            ]
        );
    }

    #[test]
    fn voting_and_insights_need_the_group_review() {
        let (mut review, accounts) = review_in(Phase::Investigating);
        let locked = Err(EditError::Locked {
            phase: Phase::Investigating,
        });
        assert_eq!(
            review.toggle_vote(&pid("bob"), &fref("alice", "ao1"), &accounts, t(13, 0)),
            locked.clone().map(|()| false)
        );
        assert_eq!(review.add_key_insight("x", t(13, 0)), locked);
    }

    #[test]
    fn key_insights_are_edited_in_place() {
        let (mut review, _) = review_in(Phase::Actions);
        review
            .add_key_insight("  Rollbacks are slow  ", t(14, 0))
            .unwrap();
        review
            .add_key_insight("Alerts miss pools", t(14, 1))
            .unwrap();
        review
            .update_key_insight(1, "Alerts miss pool saturation", t(14, 2))
            .unwrap();
        review.remove_key_insight(0, t(14, 3)).unwrap();
        assert_eq!(review.key_insights(), ["Alerts miss pool saturation"]);
        assert_eq!(
            review
                .add_key_insight(" ", t(14, 4))
                .unwrap_err()
                .to_string(),
            "invalid input: text is required"
        );
        assert_eq!(
            review
                .remove_key_insight(5, t(14, 4))
                .unwrap_err()
                .to_string(),
            "nothing in this review has the id 5"
        );
    }

    #[test]
    fn factor_kind_keys_round_trip() {
        for k in FactorKind::ALL {
            assert_eq!(FactorKind::from_key(k.key()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.key());
        }
    }
}
