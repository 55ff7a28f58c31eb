//! Components by feature, one public component per file (named after it); routed pages are in
//! `crate::pages`. A component uses another's public component, never its private helpers:
//! what several share lives in a module of its own.

pub mod account;
pub mod feed;
pub mod review;
pub mod reviews;
pub mod shared;
