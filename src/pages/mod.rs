//! One routed component per page, named `…Page`; `lazy` declares their routes, each page
//! downloaded when it is first shown.

pub mod actions;
pub mod feed;
pub mod finding;
pub mod join;
pub mod lazy;
pub mod not_found;
pub mod review;
pub mod reviews;
pub mod settings;
