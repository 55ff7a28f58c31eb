//! What a list of reviews shows of each: read from a stored [`Review`]'s JSON without the rest of
//! it, so the list needs neither the review's whole model nor its rules.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Review, Severity};
use crate::finding::Finding;
use crate::id::ReviewId;
use crate::phase::Phase;

/// One review as a list shows it. Deserialised from a [`Review`]'s serde form: every field
/// not named here is skipped unread, and times with chrono's RFC 3339 reader (`rfc3339`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ReviewListing {
    pub id: ReviewId,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub created_at: DateTime<Utc>,
    pub facts: ListedFacts,
    #[serde(default)]
    pub phase: Phase,
}

/// The facts a list shows: title, severity, team and when the incident started.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ListedFacts {
    pub title: String,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub started_at: DateTime<Utc>,
    pub severity: Severity,
    pub team: String,
}

impl ReviewListing {
    /// Newest incident first; of two that started at the same moment, the newest review.
    pub fn sort(listings: &mut [ReviewListing]) {
        listings.sort_by_key(|l| list_order(l.facts.started_at, l.created_at));
    }
}

/// The order every list of reviews follows: newest incident first, then the newest review.
/// A sort key, for lists of listings and of whole reviews alike.
pub fn list_order(
    started_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
) -> std::cmp::Reverse<(DateTime<Utc>, DateTime<Utc>)> {
    std::cmp::Reverse((started_at, created_at))
}

/// A stored review's published finding, read from its JSON without the rest of the review:
/// what the feed of "this browser only" shows.
#[derive(Clone, Debug, Deserialize)]
pub struct StoredFinding {
    #[serde(default)]
    phase: Phase,
    #[serde(default)]
    finding: Option<Finding>,
}

impl StoredFinding {
    /// The finding, if the review is published (one stepped back to amend it keeps its last
    /// finding, unpublished until it is published again).
    pub fn published(self) -> Option<Finding> {
        (self.phase == Phase::Published)
            .then_some(self.finding)
            .flatten()
    }
}

impl Review {
    /// This review as a list shows it (what [`ReviewListing`] reads from its JSON).
    pub fn listing(&self) -> ReviewListing {
        ReviewListing {
            id: self.id.clone(),
            created_at: self.created_at,
            facts: ListedFacts {
                title: self.facts.title().to_owned(),
                started_at: self.facts.started_at(),
                severity: self.facts.severity(),
                team: self.facts.team().to_owned(),
            },
            phase: self.phase,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{FactsInput, IncidentFacts};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn sample_review() -> Review {
        let facts = IncidentFacts::new(FactsInput {
            title: "Checkout latency".into(),
            started_at: Some(at("2026-11-01T10:00:00Z")),
            severity: Some(Severity::Sev2),
            team: "Payments".into(),
            services: vec!["checkout".into()],
            ..FactsInput::default()
        })
        .unwrap();
        let mut review = Review::new(
            ReviewId::parse("r-1").unwrap(),
            facts,
            at("2026-11-02T09:00:00Z"),
        );
        review.summary = "A deploy doubled the pool's wait time.".into();
        review.phase = Phase::Investigating;
        review
    }

    #[test]
    fn a_stored_review_reads_as_its_listing() {
        let review = sample_review();
        let json = serde_json::to_string(&review).unwrap();
        let listing: ReviewListing = serde_json::from_str(&json).unwrap();
        assert_eq!(listing, review.listing());
        assert_eq!(listing.facts.title, review.facts.title());
    }

    #[test]
    fn only_a_published_review_gives_its_finding() {
        let unpublished = serde_json::to_string(&sample_review()).unwrap();
        let stored: StoredFinding = serde_json::from_str(&unpublished).unwrap();
        assert_eq!(stored.published(), None);
        let (published, _) = crate::fixture::review_in(Phase::Published);
        assert!(published.finding().is_some());
        let json = serde_json::to_string(&published).unwrap();
        let stored: StoredFinding = serde_json::from_str(&json).unwrap();
        assert_eq!(stored.published().as_ref(), published.finding());
    }

    #[test]
    fn a_review_stored_before_phases_lists_in_setup() {
        let review = sample_review();
        let mut json: serde_json::Value = serde_json::to_value(&review).unwrap();
        json.as_object_mut().unwrap().remove("phase");
        let listing: ReviewListing = serde_json::from_value(json).unwrap();
        assert_eq!(listing.phase, Phase::Setup);
    }

    #[test]
    fn listings_sort_newest_incident_first_then_newest_review() {
        let listing = |id: &str, started: &str, created: &str| ReviewListing {
            id: ReviewId::parse(id).unwrap(),
            created_at: at(created),
            facts: ListedFacts {
                title: id.into(),
                started_at: at(started),
                severity: Severity::Sev2,
                team: "Payments".into(),
            },
            phase: Phase::Setup,
        };
        let mut all = vec![
            listing("old", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
            listing("new-a", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z"),
            listing("new-b", "2026-02-01T00:00:00Z", "2026-02-03T00:00:00Z"),
        ];
        ReviewListing::sort(&mut all);
        let ids: Vec<_> = all.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["new-b", "new-a", "old"]);
    }
}
