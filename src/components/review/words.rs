//! How the review's panels say things that several of them show.

use mosaic_domain::{ParticipantId, Review};

/// "Name (role)" of a participant, or their id if they are no longer in the review.
pub fn person(review: &Review, pid: &ParticipantId) -> String {
    review
        .participant(pid)
        .map_or_else(|| pid.to_string(), |p| format!("{} ({})", p.name, p.role))
}

/// "1 alert", "12 alerts".
pub fn alert_count(n: usize) -> String {
    if n == 1 {
        "1 alert".to_owned()
    } else {
        format!("{n} alerts")
    }
}
