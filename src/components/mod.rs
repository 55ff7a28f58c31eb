//! Components that more than one page uses, one public component per file.

pub mod account_draft;
pub mod account_editor;
pub mod actions_panel;
pub mod actor_switcher;
pub mod coached_text;
pub mod conflicts_panel;
pub mod edits;
pub mod factors_panel;
pub mod field_error;
pub mod finding_card;
pub mod group_review_panel;
pub mod invite_panel;
pub mod nav_bar;
pub mod new_review_form;
pub mod observations_editor;
pub mod participants_editor;
pub mod phase_stepper;
pub mod publish_panel;
pub mod reference_editor;
pub mod reference_panel;
pub mod review_export;
pub mod review_import;
pub mod setup_panel;
pub mod submissions_panel;
pub mod sync_badge;
pub mod timeline_editor;
