//! A participant's own account: the timeline, observations and answers they write, sealed on
//! submit. Only its author ever sees it before the reveal.

pub mod account_draft;
pub mod account_editor;
pub mod account_guide;
pub mod answers_editor;
pub mod find_in_account;
pub mod observations_editor;
pub mod timeline_editor;
pub mod undo_removal;
