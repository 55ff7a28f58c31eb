//! Reference material on the review: added, renamed and removed until the review is published.

use super::{EditError, NOT_PUBLISHED, Review};
use crate::id::ReferenceId;
use crate::limits::{
    MAX_ALERTS, MAX_REFERENCE_BYTES, MAX_REFERENCE_CHARS, MAX_REFERENCES, MAX_TITLE_CHARS,
    json_bytes, too_large, too_many,
};
use crate::reference::{ReferenceContent, ReferenceMaterial};
use crate::validation::ValidationError;
use chrono::{DateTime, Utc};

impl Review {
    pub fn references(&self) -> &[ReferenceMaterial] {
        &self.reference
    }

    /// Adds reference material. For an alert timeline, parse it first with
    /// [`parse_alert_timeline`](crate::reference::parse_alert_timeline) so its errors reach the person who pasted it.
    pub fn add_reference(
        &mut self,
        id: ReferenceId,
        title: &str,
        content: ReferenceContent,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(NOT_PUBLISHED)?;
        if self.reference.iter().any(|r| r.id == id) {
            return Err(EditError::DuplicateId { id: id.to_string() });
        }
        let mut errors = Vec::new();
        let title = title.trim().to_owned();
        crate::text::check_chars(&mut errors, "title", &title);
        if let ReferenceContent::Text { body } = &content {
            crate::text::check_chars(&mut errors, "body", body);
        }
        if title.is_empty() {
            errors.push(ValidationError::new("title", "is required"));
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.push(ValidationError::new(
                "title",
                format!("must be at most {MAX_TITLE_CHARS} characters"),
            ));
        }
        match &content {
            ReferenceContent::Text { body } if body.trim().is_empty() => {
                errors.push(ValidationError::new("body", "is required"));
            }
            ReferenceContent::Text { body } if body.chars().count() > MAX_REFERENCE_CHARS => {
                errors.push(ValidationError::new(
                    "body",
                    format!("must be at most {MAX_REFERENCE_CHARS} characters"),
                ));
            }
            ReferenceContent::AlertTimeline { alerts }
                if alerts.is_empty() || alerts.len() > MAX_ALERTS =>
            {
                errors.push(ValidationError::new(
                    "alerts",
                    format!("must hold 1 to {MAX_ALERTS} alerts"),
                ));
            }
            // Alerts normally come through `parse_alert_timeline`; one sent as an op directly
            // meets the same rules for its texts.
            ReferenceContent::AlertTimeline { alerts } => {
                for (i, alert) in alerts.iter().enumerate() {
                    let field = format!("alerts[{i}].summary");
                    crate::text::long(&mut errors, &field, &alert.summary, true);
                    if let Some(source) = &alert.source {
                        let field = format!("alerts[{i}].source");
                        crate::text::long(&mut errors, &field, source, false);
                    }
                }
            }
            _ => {}
        }
        if self.reference.len() >= MAX_REFERENCES {
            errors.push(too_many("references", MAX_REFERENCES, "review"));
        }
        let stored: usize = self.reference.iter().map(json_bytes).sum();
        if stored + json_bytes(&content) > MAX_REFERENCE_BYTES {
            errors.push(too_large("references", MAX_REFERENCE_BYTES));
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        self.reference
            .push(ReferenceMaterial { id, title, content });
        self.touch(now);
        Ok(())
    }

    pub fn remove_reference(
        &mut self,
        id: &ReferenceId,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(NOT_PUBLISHED)?;
        let before = self.reference.len();
        self.reference.retain(|r| &r.id != id);
        if self.reference.len() == before {
            return Err(EditError::NotFound { id: id.to_string() });
        }
        self.touch(now);
        Ok(())
    }
}
