//! Components that more than one page uses, one public component per file.

pub mod field_error;
pub mod nav_bar;
pub mod new_review_form;
pub mod sync_badge;
