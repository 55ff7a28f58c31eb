//! Mosaic's review model and every rule that needs no I/O.
//!
//! This crate builds for native targets and for `wasm32-unknown-unknown`; the browser app and the
//! server both depend on it, so a rule written here holds on both sides. It performs no I/O, reads
//! no clock and draws no random numbers: ids and the current time are passed in by the caller.
//!
//! # Layout
//! - [`review`]: the review document, the incident's facts, and their validation.
//! - [`wire`]: the JSON shapes of the `/api/v1` API, shared by client and server.

pub mod review;
pub mod wire;

pub use review::{IncidentFacts, Review, ReviewId, Severity, ValidationError};
