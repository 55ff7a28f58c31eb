//! The reveal gate: the only way to get accounts that may be combined.
//!
//! Every function that combines accounts (merging timelines, finding divergences, grouping
//! factors, publishing) takes a [`Revealed`], and the only way to make one is
//! [`Review::revealed`], which refuses before the reveal and keeps only accounts whose content
//! matches the commitment recorded at submission. So unrevealed content can't be combined by
//! mistake, and an account edited after it was sealed can't slip in.

use crate::account::Account;
use crate::account::commitment::verify_commitment;
use crate::account::{Observation, TimelineEntry};
use crate::id::EntryRef;
use crate::id::FactorRef;
use crate::id::ParticipantId;
use crate::phase::Phase;
use crate::review::Review;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The review together with its revealed accounts.
///
/// A borrowed view, cheap to make, so it is never stale: make one whenever you need it (in a
/// Leptos `Memo`, for example). It has no `Deserialize` on purpose: it is a proof that the
/// checks ran, and deserializing one would skip them.
#[derive(Clone, Debug, PartialEq)]
pub struct Revealed<'a> {
    review: &'a Review,
    /// In the order of the review's participants.
    accounts: Vec<&'a Account>,
    rejected: Vec<Rejected>,
    missing: Vec<ParticipantId>,
}

/// A submitted account that [`Review::revealed`] left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub participant_id: ParticipantId,
    pub reason: RejectReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Its author is not a participant of the review.
    NotAParticipant,
    /// The review holds no submission for it: it was submitted after the reveal, too late to
    /// be independent.
    NotRecorded,
    /// Its content doesn't hash to the commitment the review recorded: it changed after it was
    /// submitted.
    CommitmentMismatch,
}

/// [`Review::revealed`] was asked before the reveal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotRevealed {
    pub phase: Phase,
}

impl fmt::Display for NotRevealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the accounts are not revealed yet (the review is in {})",
            self.phase
        )
    }
}

impl std::error::Error for NotRevealed {}

impl Review {
    /// The revealed accounts among `accounts`, or an error before the reveal.
    ///
    /// Pass every account you hold: drafts and other reviews' accounts are skipped silently,
    /// submitted accounts that fail a check are listed in [`Revealed::rejected`], and recorded
    /// submissions whose account wasn't passed (or failed) are listed in [`Revealed::missing`].
    pub fn revealed<'a>(&'a self, accounts: &'a [Account]) -> Result<Revealed<'a>, NotRevealed> {
        if !self.phase.is_revealed() {
            return Err(NotRevealed { phase: self.phase });
        }
        let mut accepted: Vec<&Account> = Vec::new();
        let mut rejected = Vec::new();
        for account in accounts {
            if account.review_id() != &self.id || !account.is_submitted() {
                continue;
            }
            let pid = account.participant_id();
            let reason = if self.participant(pid).is_none() {
                Some(RejectReason::NotAParticipant)
            } else {
                match self.submission(pid) {
                    None => Some(RejectReason::NotRecorded),
                    Some(s)
                        if account.commitment() != Some(s.commitment.as_str())
                            || !verify_commitment(account) =>
                    {
                        Some(RejectReason::CommitmentMismatch)
                    }
                    // Equal commitments mean equal content, so a second copy adds nothing.
                    Some(_) if accepted.iter().any(|a| a.participant_id() == pid) => continue,
                    Some(_) => None,
                }
            };
            match reason {
                None => accepted.push(account),
                Some(reason) => rejected.push(Rejected {
                    participant_id: pid.clone(),
                    reason,
                }),
            }
        }
        let order = |a: &&Account| {
            self.participants
                .iter()
                .position(|p| &p.id == a.participant_id())
        };
        accepted.sort_by_key(order);
        let missing = self
            .submissions
            .iter()
            .map(|s| &s.participant_id)
            .filter(|pid| !accepted.iter().any(|a| a.participant_id() == *pid))
            .cloned()
            .collect();
        Ok(Revealed {
            review: self,
            accounts: accepted,
            rejected,
            missing,
        })
    }
}

impl<'a> Revealed<'a> {
    pub fn review(&self) -> &'a Review {
        self.review
    }

    /// The revealed accounts, in the order of the review's participants.
    pub fn accounts(&self) -> &[&'a Account] {
        &self.accounts
    }

    pub fn account(&self, participant: &ParticipantId) -> Option<&'a Account> {
        self.accounts
            .iter()
            .find(|a| a.participant_id() == participant)
            .copied()
    }

    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }

    /// Participants whose submission is recorded but whose account is not among the revealed
    /// ones (not loaded yet, or rejected).
    pub fn missing(&self) -> &[ParticipantId] {
        &self.missing
    }

    pub fn entry(&self, r: &EntryRef) -> Option<&'a TimelineEntry> {
        self.account(&r.participant_id)?.entry(&r.entry_id)
    }

    pub fn observation(&self, r: &FactorRef) -> Option<&'a Observation> {
        self.account(&r.participant_id)?
            .observation(&r.observation_id)
    }
}
