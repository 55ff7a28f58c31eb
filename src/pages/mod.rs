//! One routed component per page, named `…Page`.

pub mod actions;
pub mod feed;
pub mod finding;
pub mod join;
pub mod not_found;
pub mod review;
pub mod reviews;
pub mod settings;
