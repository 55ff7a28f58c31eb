//! The filters of the findings feed as index tokens ("facets"), shared by the feed's search and
//! a review's related findings (`Store::related_findings`), so both ask the index the same way.

use mosaic_domain::FactorKind;

/// One filter as an index token: `letter` says which filter, then the trimmed, lowercase value
/// in hex (so any value is one token of letters and digits).
fn facet(letter: char, value: &str) -> String {
    format!("{letter}{}", hex::encode(value.trim().to_lowercase()))
}

pub(super) fn team_facet(team: &str) -> String {
    facet('t', team)
}
pub(super) fn service_facet(service: &str) -> String {
    facet('s', service)
}
pub(super) fn tag_facet(tag: &str) -> String {
    facet('g', tag)
}
pub(super) fn kind_facet(kind: FactorKind) -> String {
    facet('k', kind.key())
}

/// A facet as a lexeme of PostgreSQL's `findings_search.search`: `#` and the facet. No word of
/// text holds a `#`, so no text can match a filter nor a filter a search word.
pub(super) fn pg_facet(facet: &str) -> String {
    format!("#{facet}")
}
