//! How the review's panels say things that several of them show.

use mosaic_domain::{EditError, OpError, ParticipantId, Review, ValidationError};

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

/// The messages of a refused change that concern one field, or every message when the
/// refusal names no field.
pub fn field_messages(errors: &[ValidationError], field: &str, label: &str) -> String {
    errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| format!("{label} {}", e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a refused op says beside its form: field problems only (the workspace shows any
/// other refusal page-wide).
pub fn invalid_fields(result: Result<(), OpError>) -> Vec<ValidationError> {
    match result {
        Err(OpError::Edit(EditError::Invalid { fields })) => fields,
        _ => Vec::new(),
    }
}
