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
//! Modules import one way, in four layers; each imports only from the layers listed before it (and
//! `scripts/module-cycles.py` finds no cycle, also counting the files of `review/` apart).
//!
//! Leaves:
//! - [`validation`] ([`ValidationError`], the one error of every input), [`id`] (validated id
//!   newtypes, one per kind of object, [`ReviewId`] included, and the references
//!   [`EntryRef`]/[`FactorRef`] into an account), [`limits`] (how big a review and an account may
//!   grow, every limit in one place), [`markdown`] (Markdown rendered safely as HTML or plain
//!   text), [`coach`] (the blameless-language coach and its rule table).
//! - `text` (private): the word tokenizer the coach, suggestions and anonymisation share, and
//!   the rules every text field follows: its characters ([`forbidden_char`],
//!   [`forbidden_in_json`]) and lengths.
//! - [`timestamp`]: the fixed forms a time is written in for people (`2026-11-21 09:30 UTC`).
//! - [`rfc3339`]: the reader of every time and day field (chrono's RFC 3339 reader and a
//!   `YYYY-MM-DD` one instead of chrono's general parser).
//! - [`json`]: the app's JSON reader: serde_json's, reading structs from objects only, so the
//!   derive's positional readers are not compiled into the browser's download.
//! - `keyed` (private): [`keyed_enum!`], which declares each closed set of named values (phase,
//!   severity, kinds, priorities, statuses, audiences) with its keys and labels.
//!
//! Values the review holds, each knowing nothing of the review:
//! - [`phase`]: the phases (Setup → Investigating → Revealed → Actions → Published); the reveal
//!   is irreversible.
//! - [`account`]: one participant's account (timeline entries, observations and their
//!   [`FactorKind`], answers to the guide's questions); sealed on submit, with
//!   [`commitment`] (`account/commitment.rs`), the SHA-256 commitment and its canonical form.
//! - [`guide`]: the question guide each account answers, and built-in guides.
//! - [`reference`](mod@reference): reference material beside the accounts, and the alert
//!   timeline format.
//!
//! [`review`] (a folder): [`Review`] and every rule that changes it or reads it whole, one file
//! per part; the parts keep their paths at the crate root:
//! - [`reveal`]: [`Revealed`], the only way to get accounts that may be combined.
//! - [`merge`]: links between entries, link suggestions, the merged timeline, divergences.
//! - [`moments`]: timeline rows marked as key moments, and "How it unfolded".
//! - [`factors`]: factors grouped by kind, dot-voting, key insights.
//! - [`themes`]: related factors grouped under a name, suggestions from their wording, and a
//!   dot on a theme counted once per voter.
//! - [`action`]: follow-up actions, backlog order, and Jira CSV / Markdown / JSON exports.
//! - [`finding`]: the published finding, with names replaced by roles unless opted in, and
//!   each section's audience.
//! - the rules on the guide and the reference material, and [`Review::transition`], the one
//!   function that moves a review between phases.
//!
//! What works on whole reviews:
//! - [`op`]: [`ReviewOp`], every change to the shared review as data, applied by
//!   [`Review::apply`] with the same rules wherever it is made, and who may make it ([`Role`]).
//! - [`sync`]: replaying unsent changes on a newer server copy, keeping conflicts for a person.
//! - [`export`]: whole-review export (Markdown report, versioned JSON) and import.
//! - [`feed`]: the shapes of the cross-team feed's API; [`improve`]: time to improve, from the
//!   published actions; [`backlog`]: the open-actions list, its order, filters and merge.
//! - [`room`]: the live room of a group session as one member is told it (presence, still
//!   writing, submitted, hands, the timebox), and the timebox's rules.
//! - [`wire`]: the JSON shapes of the `/api/v1` API, shared by client and server.

pub mod account;
pub mod backlog;
pub mod coach;
pub mod export;
pub mod feed;
pub mod guide;
pub mod id;
pub mod improve;
pub mod json;
mod keyed;
#[doc(hidden)]
pub use keyed::KeyVisitor;
pub mod limits;
pub mod markdown;
pub mod op;
pub mod phase;
pub mod reference;
pub mod review;
pub mod rfc3339;
pub mod room;
pub mod sync;
mod text;
pub mod timestamp;
pub mod validation;
pub mod wire;

// The review's parts keep the paths they had before they moved into `review/`, and the
// commitment its path from before it moved under `account/`. Inside the crate, modules name
// the real path (`crate::review::merge`), so the cycle check sees every import.
pub use account::commitment;
pub use review::listing::ReviewListing;
pub use review::{action, factors, finding, merge, moments, reveal, themes};

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
pub use text::{forbidden_char, forbidden_in_json, lowercase};
pub use themes::{Theme, ThemeSuggestion, ThemeView};
pub use validation::ValidationError;
