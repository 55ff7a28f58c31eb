//! The phases a review moves through. The one function that moves a review between them is
//! [`Review::transition`](crate::Review::transition), with the review's rules in `review/`.
//!
//! ```text
//!   Setup ⇄ Investigating ─reveal→ Revealed ⇄ Actions ⇄ Published
//! ```
//!
//! The reveal is the one-way door: before it, every account is private to its author; after
//! it, everyone has read everyone's account, so nothing written afterwards is independent and
//! no transition goes back across it.

use crate::id::ParticipantId;
use serde::{Deserialize, Serialize};
use std::fmt;

crate::keyed_enum! {
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
    )]
    pub enum Phase {
        /// The facilitator sets up facts, participants and reference material.
        #[default]
        Setup = ("setup", "Setup"),
        /// Each participant writes their own account, unseen by the others.
        Investigating = ("investigating", "Independent accounts"),
        /// The accounts are revealed; the group reviews them together.
        Revealed = ("revealed", "Group review"),
        /// The group plans follow-up actions.
        Actions = ("actions", "Action planning"),
        /// The finding is published.
        Published = ("published", "Published"),
    }
}

impl Phase {
    /// Whether the accounts have been revealed by the time the review is in this phase.
    pub fn is_revealed(self) -> bool {
        self >= Self::Revealed
    }

    /// The phase [`Review::advance`](crate::Review::advance) moves to.
    pub fn next(self) -> Option<Phase> {
        match self {
            Self::Setup => Some(Self::Investigating),
            Self::Investigating => Some(Self::Revealed),
            Self::Revealed => Some(Self::Actions),
            Self::Actions => Some(Self::Published),
            Self::Published => None,
        }
    }

    /// The phase [`Review::step_back`](crate::Review::step_back) moves to; from Revealed that is across the reveal, which
    /// the transition refuses.
    pub fn previous(self) -> Option<Phase> {
        match self {
            Self::Setup => None,
            Self::Investigating => Some(Self::Setup),
            Self::Revealed => Some(Self::Investigating),
            Self::Actions => Some(Self::Revealed),
            Self::Published => Some(Self::Actions),
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why the review refused to change phase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PhaseError {
    AlreadyThere {
        phase: Phase,
    },
    /// Going back across the reveal: once accounts are read they can't be unread.
    RevealIsIrreversible {
        from: Phase,
        to: Phase,
    },
    PublishBeforeReveal {
        from: Phase,
    },
    /// Not a step this machine takes, such as skipping a phase.
    NotAdjacent {
        from: Phase,
        to: Phase,
    },
    /// Nothing comes after Published, or before Setup.
    NoFurther {
        phase: Phase,
    },
    /// Accounts can't be written before anyone takes part.
    NoParticipants,
    /// There is nothing to reveal until someone submits.
    NoSubmissions,
    /// Publishing needs every submitted account, and these weren't supplied (or didn't match
    /// their commitment).
    MissingAccounts {
        participants: Vec<ParticipantId>,
    },
}

impl fmt::Display for PhaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyThere { phase } => write!(f, "the review is already in {phase}"),
            Self::RevealIsIrreversible { from, to } => write!(
                f,
                "can't go from {from} back to {to}: the accounts have been revealed"
            ),
            Self::PublishBeforeReveal { from } => write!(
                f,
                "can't publish from {from}: the accounts haven't been revealed yet"
            ),
            Self::NotAdjacent { from, to } => write!(f, "can't go from {from} straight to {to}"),
            Self::NoFurther { phase } => {
                write!(f, "there is no step in that direction from {phase}")
            }
            Self::NoParticipants => f.write_str("add at least one participant first"),
            Self::NoSubmissions => f.write_str("at least one account must be submitted first"),
            Self::MissingAccounts { participants } => {
                let ids: Vec<&str> = participants.iter().map(ParticipantId::as_str).collect();
                write!(
                    f,
                    "the submitted accounts of {} are missing",
                    ids.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for PhaseError {}
