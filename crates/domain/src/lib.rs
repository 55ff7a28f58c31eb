//! Mosaic's review model and every rule that needs no I/O.
//!
//! This crate builds for native targets and for `wasm32-unknown-unknown`; the browser app and the
//! server both depend on it, so a rule written here holds on both sides. It performs no I/O, reads
//! no clock and draws no random numbers: ids and the current time are passed in by the caller.
//!
//! A review is two kinds of document: one shared [`Review`], and one [`Account`] per
//! participant, kept apart so each account is written independently and can later sync and be
//! sealed on its own. They meet only through [`Review::revealed`], after the reveal.
//!
//! # Layout
//! - [`review`]: the shared review document, the incident's facts, participants, recorded
//!   submissions, and the table of what may change in which phase.
//! - [`phase`]: the phases (Setup → Investigating → Revealed → Actions → Published) and the one
//!   transition function; the reveal is irreversible.
//! - Leaves, importing no module of the crate but each other: [`validation`]
//!   ([`ValidationError`], the one error of every input), [`id`] (validated id newtypes, one per
//!   kind of object, [`ReviewId`] included), `text` and `keyed` (below).
//! - [`limits`]: how big a review and an account may grow, every limit in one place.
//! - [`reference`](mod@reference): reference material beside the accounts, and the alert timeline format.
//! - [`guide`]: the question guide each account answers, built-in guides and their editing.
//! - [`account`]: one participant's account (timeline entries, observations, answers to the
//!   guide's questions); sealed on submit.
//! - [`commitment`]: the SHA-256 commitment of a submitted account and its canonical form.
//! - [`reveal`]: [`Revealed`], the only way to get accounts that may be combined.
//! - [`op`]: [`ReviewOp`], every change to the shared review as data, applied by
//!   [`Review::apply`] with the same rules wherever it is made, and who may make it ([`Role`]).
//! - [`merge`]: links between entries, link suggestions, the merged timeline, divergences.
//! - [`moments`]: timeline rows marked as key moments, and "How it unfolded".
//! - [`factors`]: factors grouped by kind, dot-voting, key insights.
//! - [`themes`]: related factors grouped under a name, suggestions from their wording, and a
//!   dot on a theme counted once per voter.
//! - [`action`]: follow-up actions, backlog order, and Jira CSV / Markdown / JSON exports.
//! - [`finding`]: the published finding, with names replaced by roles unless opted in.
//! - [`feed`]: each section's audience, and the shapes of the cross-team feed's API.
//! - [`markdown`]: Markdown rendered safely (no raw HTML, no script links, no images loaded)
//!   as HTML, or as plain text for excerpts and search.
//! - [`coach`]: the blameless-language coach and its rule table.
//! - [`export`]: whole-review export (Markdown report, versioned JSON) and import.
//! - [`sync`]: replaying unsent changes on a newer server copy, keeping conflicts for a person.
//! - [`room`]: the live room of a group session as one member is told it (presence, still
//!   writing, submitted, hands, the timebox), and the timebox's rules.
//! - [`wire`]: the JSON shapes of the `/api/v1` API, shared by client and server.
//! - `text` (private): the word tokenizer the coach, suggestions and anonymisation share, and
//!   the rules every text field follows: its characters ([`forbidden_char`],
//!   [`forbidden_in_json`]) and lengths.
//! - `keyed` (private): [`keyed_enum!`], which declares each closed set of named values (phase,
//!   severity, kinds, priorities, statuses, audiences) with its keys and labels.

pub mod account;
pub mod action;
pub mod backlog;
pub mod coach;
pub mod commitment;
pub mod export;
pub mod factors;
pub mod feed;
pub mod finding;
pub mod guide;
pub mod id;
pub mod improve;
mod keyed;
pub mod limits;
pub mod markdown;
pub mod merge;
pub mod moments;
pub mod op;
pub mod phase;
pub mod reference;
pub mod reveal;
pub mod review;
pub mod room;
pub mod sync;
mod text;
pub mod themes;
pub mod validation;
pub mod wire;

#[cfg(test)]
mod fixture;

pub use account::{
    Account, AccountError, AccountInput, Answer, AnswerDraft, EntryDraft, EntryInput, Observation,
    ObservationDraft, TimelineEntry,
};
pub use action::{Action, ActionInput, ActionKind, ActionStatus, Priority};
pub use commitment::verify_commitment;
pub use factors::{Factor, FactorGroup, FactorKind, FactorRef, Vote};
pub use finding::Finding;
pub use guide::{BuiltinGuide, Guide, Question, QuestionInput};
pub use id::{
    ActionId, EntryId, ObservationId, ParticipantId, QuestionId, ReferenceId, ReviewId, ThemeId,
};
pub use merge::{Divergence, EntryRef, Link, LinkSuggestion, MergedRow, Report};
pub use moments::{Moment, MomentKind};
pub use op::{OpError, ReviewOp, Role};
pub use phase::{Phase, PhaseError};
pub use reference::{Alert, ReferenceContent, ReferenceMaterial};
pub use reveal::{NotRevealed, Revealed};
pub use review::{
    EditError, IncidentFacts, Participant, ParticipantInput, RemovedParticipant, Review, Severity,
    Submission,
};
pub use text::{forbidden_char, forbidden_in_json};
pub use themes::{Theme, ThemeSuggestion, ThemeView};
pub use validation::ValidationError;
