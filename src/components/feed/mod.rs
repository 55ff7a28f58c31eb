//! The findings feed and a published finding: search, charts, cards, related findings.

pub mod feed_charts;
pub mod feed_entry_card;
pub mod feed_search;
pub mod finding_card;
pub mod service_precedents;
pub mod status_history;
