//! How big a review may grow: every limit the domain enforces, in one place, so the app can show
//! them before they are hit and the server refuses past them with the same words.
//! `docs/limits.md` explains each figure.
//!
//! A leaf: the modules that enforce a limit import it from here (and re-export the ones callers
//! know by their module, such as `review::MAX_TITLE_CHARS`). The two text rules every field
//! follows, [`MAX_TEXT_CHARS`] and [`MAX_NAME_CHARS`], live in `text`, and [`MAX_ID_LEN`] in
//! [`id`](crate::id); they are re-exported here.

pub use crate::id::MAX_ID_LEN;
pub use crate::text::{MAX_NAME_CHARS, MAX_TEXT_CHARS};

use crate::validation::ValidationError;
use serde::Serialize;

/// The most tags a finding may have.
pub const MAX_TAGS: usize = 12;
/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// The longest theme name, in characters: a heading, not a sentence.
pub const MAX_THEME_NAME_CHARS: usize = 80;
/// The longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 300;
/// The longest hint under a question, in characters.
pub const MAX_QUESTION_HINT_CHARS: usize = 600;
/// The most text one piece of pasted reference material may hold, in characters.
pub const MAX_REFERENCE_CHARS: usize = 100_000;
/// The most alerts one alert timeline may hold.
pub const MAX_ALERTS: usize = 5_000;
/// The longest title a review may have, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The most services one review may name.
pub const MAX_SERVICES: usize = 50;
/// The most participants one review may have. A review is a meeting of the people who were
/// there; fifty is more than any incident room holds, and every participant adds an account the
/// reveal combines.
pub const MAX_PARTICIPANTS: usize = 50;
/// The most timeline entries in one account.
pub const MAX_ENTRIES_PER_ACCOUNT: usize = 200;
/// The most observations in one account.
pub const MAX_OBSERVATIONS_PER_ACCOUNT: usize = 200;
/// The most answers in one account: one per question of the guide, with room for answers kept
/// from questions the facilitator replaced before accounts opened.
pub const MAX_ANSWERS_PER_ACCOUNT: usize = 2 * MAX_QUESTIONS;
/// The most pieces of reference material in one review.
pub const MAX_REFERENCES: usize = 20;
/// The most bytes all reference material of one review may hold together, as stored (JSON).
pub const MAX_REFERENCE_BYTES: usize = 512 * 1024;
/// The most questions in one review's guide. Every question asks every participant for an
/// answer; twenty is already a long interview.
pub const MAX_QUESTIONS: usize = 20;
/// The most follow-up actions in one review.
pub const MAX_ACTIONS: usize = 100;
/// The most key insights in one review.
pub const MAX_KEY_INSIGHTS: usize = 50;
/// The most themes in one review. A theme groups at least two factors; more than fifty themes
/// would no longer sum anything up.
pub const MAX_THEMES: usize = 50;
/// The largest a stored review document may grow, in bytes of JSON. Every op rewrites the whole
/// document, so its size is the cost of every change: at 1 MiB one op stays in the tens of
/// milliseconds.
pub const MAX_REVIEW_BYTES: usize = 1024 * 1024;
/// The largest a stored account may grow, in bytes of JSON: the same as the largest request
/// body the server reads, so any account that can be stored can also be sent.
pub const MAX_ACCOUNT_BYTES: usize = 256 * 1024;

/// The size of `value` as compact JSON, counted without building the string.
pub fn json_bytes<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail, and the domain's types always serialize (string keys).
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// The error for a collection that is full: "`field` are limited to `max` per `per`".
pub(crate) fn too_many(field: &str, max: usize, per: &str) -> ValidationError {
    ValidationError::new(field, format!("are limited to {max} per {per}"))
}

/// The error for a document that would grow past `max` bytes.
pub(crate) fn too_large(field: &str, max: usize) -> ValidationError {
    ValidationError::new(
        field,
        format!("would grow past the limit of {} KiB", max / 1024),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{setup, t};
    use crate::id::{ParticipantId, ReferenceId};
    use crate::op::ReviewOp;
    use crate::reference::ReferenceContent;
    use crate::review::ParticipantInput;

    fn refused(review: &mut crate::Review, op: ReviewOp) -> String {
        let before = review.clone();
        let e = review.apply(&op, &[], t(12, 0)).unwrap_err().to_string();
        assert_eq!(*review, before, "a refused op changes nothing");
        e
    }

    fn reference(i: usize, body: String) -> ReviewOp {
        ReviewOp::AddReference {
            id: ReferenceId::parse(&format!("ref{i}")).unwrap(),
            title: "notes".into(),
            content: ReferenceContent::Text { body },
        }
    }

    #[test]
    fn a_review_refuses_past_its_participant_limit() {
        let mut review = setup();
        let mut i = 0;
        while review.participants().len() < MAX_PARTICIPANTS {
            let op = ReviewOp::AddParticipant {
                id: ParticipantId::parse(&format!("p{i}")).unwrap(),
                participant: ParticipantInput {
                    name: format!("P {i}"),
                    role: "SRE".into(),
                    show_name_when_published: false,
                },
            };
            review.apply(&op, &[], t(12, 0)).unwrap();
            i += 1;
        }
        let op = ReviewOp::AddParticipant {
            id: ParticipantId::parse("late").unwrap(),
            participant: ParticipantInput {
                name: "Late".into(),
                role: "SRE".into(),
                show_name_when_published: false,
            },
        };
        assert_eq!(
            refused(&mut review, op),
            "invalid input: participants are limited to 50 per review"
        );
    }

    #[test]
    fn reference_material_is_limited_in_count_and_bytes() {
        let mut review = setup();
        let body = "x".repeat(MAX_REFERENCE_CHARS);
        for i in 0..MAX_REFERENCE_BYTES / MAX_REFERENCE_CHARS {
            review
                .apply(&reference(i, body.clone()), &[], t(12, 0))
                .unwrap();
        }
        assert_eq!(
            refused(&mut review, reference(99, body)),
            "invalid input: references would grow past the limit of 512 KiB"
        );
        let mut review = setup();
        for i in 0..MAX_REFERENCES {
            review
                .apply(&reference(i, "short".into()), &[], t(12, 0))
                .unwrap();
        }
        assert_eq!(
            refused(&mut review, reference(99, "short".into())),
            "invalid input: references are limited to 20 per review"
        );
    }

    #[test]
    fn the_review_document_stops_growing_at_its_byte_limit() {
        let (mut review, accounts) = crate::fixture::review_in(crate::Phase::Actions);
        // Four bytes a character, so few ops reach the limit.
        let wide = |n: usize| "𝕏".repeat(n);
        review
            .apply(
                &reference(0, wide(MAX_REFERENCE_CHARS)),
                &accounts,
                t(12, 0),
            )
            .unwrap();
        let insight = ReviewOp::AddKeyInsight {
            text: wide(MAX_TEXT_CHARS),
        };
        let mut refused = None;
        for _ in 0..MAX_KEY_INSIGHTS {
            let before = review.clone();
            if let Err(e) = review.apply(&insight, &accounts, t(12, 0)) {
                assert_eq!(review, before, "a refused op changes nothing");
                refused = Some(e.to_string());
                break;
            }
        }
        assert_eq!(
            refused.as_deref(),
            Some("invalid input: review would grow past the limit of 1024 KiB")
        );
        assert!(json_bytes(&review) <= MAX_REVIEW_BYTES);
    }

    #[test]
    fn control_characters_are_refused_in_any_op() {
        let mut review = setup();
        let op = ReviewOp::SetSummary {
            summary: "before\u{0}after".into(),
        };
        assert!(
            refused(&mut review, op)
                .contains("summary must not contain the control character U+0000")
        );
        let op: ReviewOp = serde_json::from_value(serde_json::json!({
            "op": "add_reference", "id": "r1", "title": "alerts",
            "content": {"type": "alert_timeline", "alerts": [
                {"at": "2026-11-01T10:00:00Z", "summary": "bell \u{7}"}
            ]}
        }))
        .unwrap();
        assert!(refused(&mut review, op).contains("content.alerts[0].summary must not contain"));
    }

    #[test]
    fn json_bytes_counts_what_serde_writes() {
        let value = serde_json::json!({"a": ["é", 1, null]});
        assert_eq!(json_bytes(&value), value.to_string().len());
    }
}
