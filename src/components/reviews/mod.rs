//! The reviews list's forms: starting a review and importing one.

pub mod new_review_form;
pub mod review_import;
