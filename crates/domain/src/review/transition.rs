//! The one function that moves a review between phases, and its guards (see [`crate::phase`]).

use super::Review;
use super::finding;
use crate::account::Account;
use crate::phase::{Phase, PhaseError};
use chrono::{DateTime, Utc};

/// The steps the machine takes, besides staying put; each is checked further by its guard.
const STEPS: [(Phase, Phase); 7] = [
    (Phase::Setup, Phase::Investigating),
    (Phase::Investigating, Phase::Setup),
    (Phase::Investigating, Phase::Revealed),
    (Phase::Revealed, Phase::Actions),
    (Phase::Actions, Phase::Revealed),
    (Phase::Actions, Phase::Published),
    (Phase::Published, Phase::Actions),
];

impl Review {
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether [`Review::transition`] to `to` would succeed, for enabling a button. Publishing
    /// can still fail later if accounts are missing.
    pub fn check_transition(&self, to: Phase) -> Result<(), PhaseError> {
        let from = self.phase;
        if from == to {
            return Err(PhaseError::AlreadyThere { phase: to });
        }
        if from.is_revealed() && !to.is_revealed() {
            return Err(PhaseError::RevealIsIrreversible { from, to });
        }
        if to == Phase::Published && !from.is_revealed() {
            return Err(PhaseError::PublishBeforeReveal { from });
        }
        if !STEPS.contains(&(from, to)) {
            return Err(PhaseError::NotAdjacent { from, to });
        }
        match to {
            Phase::Investigating if self.participants.is_empty() => Err(PhaseError::NoParticipants),
            Phase::Revealed if from == Phase::Investigating && self.submissions.is_empty() => {
                Err(PhaseError::NoSubmissions)
            }
            _ => Ok(()),
        }
    }

    /// Moves the review to phase `to`.
    ///
    /// - Setup → Investigating needs at least one participant; Investigating → Setup is allowed.
    /// - Investigating → Revealed is the reveal: it needs at least one submission, records
    ///   `revealed_at`, and can't be undone.
    /// - Revealed ⇄ Actions freely.
    /// - Actions → Published publishes: it builds the [`Finding`](crate::Finding) from the
    ///   review and the revealed `accounts`, which must include every submitted account.
    ///   Published → Actions reopens the review to amend it and publish again.
    ///
    /// `accounts` is read only when publishing; pass `&[]` otherwise.
    pub fn transition(
        &mut self,
        to: Phase,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), PhaseError> {
        self.check_transition(to)?;
        match to {
            Phase::Revealed if self.revealed_at.is_none() => self.revealed_at = Some(now),
            Phase::Published => {
                let view = self
                    .revealed(accounts)
                    .expect("only a revealed review can reach Published");
                if !view.missing().is_empty() {
                    return Err(PhaseError::MissingAccounts {
                        participants: view.missing().to_vec(),
                    });
                }
                let published = finding::build(&view, now);
                self.finding = Some(published);
            }
            _ => {}
        }
        self.phase = to;
        self.touch(now);
        Ok(())
    }

    /// Moves to [`Phase::next`]; returns the new phase.
    pub fn advance(
        &mut self,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<Phase, PhaseError> {
        let to = self
            .phase
            .next()
            .ok_or(PhaseError::NoFurther { phase: self.phase })?;
        self.transition(to, accounts, now).map(|()| to)
    }

    /// Moves to [`Phase::previous`]; returns the new phase.
    pub fn step_back(&mut self, now: DateTime<Utc>) -> Result<Phase, PhaseError> {
        let to = self
            .phase
            .previous()
            .ok_or(PhaseError::NoFurther { phase: self.phase })?;
        self.transition(to, &[], now).map(|()| to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{review_in, setup, t};

    /// Tries every transition from every phase and renders the outcomes, one per line.
    fn render_all() -> String {
        let mut out = String::new();
        for from in Phase::ALL {
            for to in Phase::ALL {
                let (mut review, accounts) = review_in(from);
                let before = review.clone();
                let result = review.transition(to, &accounts, t(15, 0));
                let outcome = match &result {
                    Ok(()) => {
                        assert_eq!(review.phase(), to);
                        assert_eq!(review.version, before.version + 1);
                        "ok".to_owned()
                    }
                    Err(e) => {
                        assert_eq!(review, before, "a refused transition changes nothing");
                        e.to_string()
                    }
                };
                out.push_str(&format!("{} -> {}: {outcome}\n", from.key(), to.key()));
            }
        }
        out
    }

    #[test]
    fn every_transition_allowed_or_refused() {
        let expected = "\
setup -> setup: the review is already in Setup
setup -> investigating: ok
setup -> revealed: can't go from Setup straight to Group review
setup -> actions: can't go from Setup straight to Action planning
setup -> published: can't publish from Setup: the accounts haven't been revealed yet
investigating -> setup: ok
investigating -> investigating: the review is already in Independent accounts
investigating -> revealed: ok
investigating -> actions: can't go from Independent accounts straight to Action planning
investigating -> published: can't publish from Independent accounts: the accounts haven't been revealed yet
revealed -> setup: can't go from Group review back to Setup: the accounts have been revealed
revealed -> investigating: can't go from Group review back to Independent accounts: the accounts have been revealed
revealed -> revealed: the review is already in Group review
revealed -> actions: ok
revealed -> published: can't go from Group review straight to Published
actions -> setup: can't go from Action planning back to Setup: the accounts have been revealed
actions -> investigating: can't go from Action planning back to Independent accounts: the accounts have been revealed
actions -> revealed: ok
actions -> actions: the review is already in Action planning
actions -> published: ok
published -> setup: can't go from Published back to Setup: the accounts have been revealed
published -> investigating: can't go from Published back to Independent accounts: the accounts have been revealed
published -> revealed: can't go from Published straight to Group review
published -> actions: ok
published -> published: the review is already in Published
";
        assert_eq!(render_all(), expected);
    }

    #[test]
    fn guards() {
        let mut empty = Review::new(setup().id, setup().facts, t(9, 0));
        assert_eq!(
            empty.transition(Phase::Investigating, &[], t(9, 1)),
            Err(PhaseError::NoParticipants)
        );
        let mut review = setup();
        review.advance(&[], t(11, 1)).unwrap();
        assert_eq!(
            review.transition(Phase::Revealed, &[], t(11, 2)),
            Err(PhaseError::NoSubmissions)
        );
        let (mut review, accounts) = review_in(Phase::Actions);
        assert_eq!(
            review.transition(Phase::Published, &accounts[..1], t(14, 0)),
            Err(PhaseError::MissingAccounts {
                participants: vec![accounts[1].participant_id().clone()]
            })
        );
    }

    #[test]
    fn the_reveal_is_recorded_once_and_publishing_keeps_the_last_finding() {
        let (mut review, accounts) = review_in(Phase::Investigating);
        assert_eq!(review.revealed_at(), None);
        assert_eq!(review.advance(&[], t(13, 0)), Ok(Phase::Revealed));
        assert_eq!(review.revealed_at(), Some(t(13, 0)));
        review.advance(&[], t(13, 30)).unwrap();
        assert_eq!(review.step_back(t(13, 40)), Ok(Phase::Revealed));
        review.advance(&[], t(13, 50)).unwrap();
        assert_eq!(review.revealed_at(), Some(t(13, 0)));
        assert!(review.finding().is_none());

        assert_eq!(review.advance(&accounts, t(14, 0)), Ok(Phase::Published));
        assert_eq!(review.finding().unwrap().published_at, t(14, 0));
        assert_eq!(review.step_back(t(15, 0)), Ok(Phase::Actions));
        assert_eq!(review.finding().unwrap().published_at, t(14, 0));
        review.advance(&accounts, t(16, 0)).unwrap();
        assert_eq!(review.finding().unwrap().published_at, t(16, 0));
        assert_eq!(
            review.advance(&accounts, t(17, 0)),
            Err(PhaseError::NoFurther {
                phase: Phase::Published
            })
        );
    }

    #[test]
    fn phase_keys_round_trip() {
        for p in Phase::ALL {
            assert_eq!(Phase::from_key(p.key()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.key());
        }
    }
}
