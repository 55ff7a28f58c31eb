//! Reference material: pasted text or an imported alert timeline that participants see beside
//! their accounts while writing. It lives on the review and is never copied into an account, so
//! an account holds only what its author remembers.
//!
//! # Alert timeline format
//!
//! A JSON array of objects, one per alert, in any order (they are sorted by time on import):
//!
//! ```json
//! [
//!   {"at": "2026-11-01T10:02:00Z", "summary": "p99 latency > 2s on checkout", "source": "Grafana"},
//!   {"at": "2026-11-01T12:05:00+02:00", "summary": "Error rate back under 1%"}
//! ]
//! ```
//!
//! - `at` (required): an RFC 3339 time with an offset; it is stored in UTC.
//! - `summary` (required): non-empty text.
//! - `source` (optional): text naming where the alert came from, or `null`.
//!
//! Other fields are ignored, so an export from an alerting tool can carry extra data.

use crate::account::MAX_TEXT_CHARS;
use crate::id::ReferenceId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

pub use crate::limits::{MAX_ALERTS, MAX_REFERENCE_CHARS};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceMaterial {
    pub id: ReferenceId,
    pub title: String,
    pub content: ReferenceContent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReferenceContent {
    /// Pasted text, such as a chat log or notes.
    Text { body: String },
    /// Alerts in chronological order, from [`parse_alert_timeline`].
    AlertTimeline { alerts: Vec<Alert> },
}

/// Read as one struct of the tag and both variants' fields, then the variant: serde's reader
/// for an internally tagged enum buffers the whole object (to find the tag wherever it is),
/// and brought that buffering into every page that reads a review.
impl<'de> Deserialize<'de> for ReferenceContent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Fields {
            #[serde(rename = "type")]
            kind: String,
            #[serde(default)]
            body: Option<String>,
            #[serde(default)]
            alerts: Option<Vec<Alert>>,
        }
        let Fields { kind, body, alerts } = Fields::deserialize(deserializer)?;
        match kind.as_str() {
            "text" => Ok(ReferenceContent::Text {
                body: body.ok_or_else(|| D::Error::missing_field("body"))?,
            }),
            "alert_timeline" => Ok(ReferenceContent::AlertTimeline {
                alerts: alerts.ok_or_else(|| D::Error::missing_field("alerts"))?,
            }),
            other => Err(D::Error::unknown_variant(
                other,
                &["text", "alert_timeline"],
            )),
        }
    }
}

/// One alert of an imported alert timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub at: DateTime<Utc>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What is wrong with an alert timeline. `index` counts the array's items from 0; the messages
/// count from 1, as a person would.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AlertTimelineError {
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    NotAnArray {
        found: String,
    },
    Empty,
    TooMany {
        max: usize,
    },
    NotAnObject {
        index: usize,
        found: String,
    },
    Missing {
        index: usize,
        field: String,
    },
    WrongType {
        index: usize,
        field: String,
        found: String,
    },
    BadTime {
        index: usize,
        value: String,
    },
    EmptySummary {
        index: usize,
    },
    TooLong {
        index: usize,
        field: String,
    },
}

impl fmt::Display for AlertTimelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson {
                line,
                column,
                message,
            } => write!(
                f,
                "not valid JSON at line {line}, column {column}: {message}"
            ),
            Self::NotAnArray { found } => {
                write!(f, "expected a JSON array of alerts, found {found}")
            }
            Self::Empty => f.write_str("the array holds no alerts"),
            Self::TooMany { max } => write!(f, "at most {max} alerts can be imported"),
            Self::NotAnObject { index, found } => write!(
                f,
                "alert {}: expected an object like {{\"at\": …, \"summary\": …}}, found {found}",
                index + 1
            ),
            Self::Missing { index, field } => {
                write!(f, "alert {}: \"{field}\" is missing", index + 1)
            }
            Self::WrongType {
                index,
                field,
                found,
            } => write!(
                f,
                "alert {}: \"{field}\" must be a string, found {found}",
                index + 1
            ),
            Self::BadTime { index, value } => write!(
                f,
                "alert {}: \"at\" must be an RFC 3339 time such as 2026-11-01T10:02:00Z, found \"{value}\"",
                index + 1
            ),
            Self::EmptySummary { index } => write!(f, "alert {}: \"summary\" is empty", index + 1),
            Self::TooLong { index, field } => write!(
                f,
                "alert {}: \"{field}\" must be at most {MAX_TEXT_CHARS} characters",
                index + 1
            ),
        }
    }
}

impl std::error::Error for AlertTimelineError {}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses the alert timeline format described in the module documentation, reporting the first
/// problem found. The alerts come back sorted by time, ties in their order in the input.
pub fn parse_alert_timeline(json: &str) -> Result<Vec<Alert>, AlertTimelineError> {
    let value: Value = serde_json::from_str(json).map_err(|e| AlertTimelineError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let Value::Array(items) = value else {
        return Err(AlertTimelineError::NotAnArray {
            found: type_name(&value).to_owned(),
        });
    };
    if items.is_empty() {
        return Err(AlertTimelineError::Empty);
    }
    if items.len() > MAX_ALERTS {
        return Err(AlertTimelineError::TooMany { max: MAX_ALERTS });
    }
    let mut alerts = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Value::Object(fields) = item else {
            return Err(AlertTimelineError::NotAnObject {
                index,
                found: type_name(item).to_owned(),
            });
        };
        let string = |field: &str, required: bool| match fields.get(field) {
            None | Some(Value::Null) if !required => Ok(None),
            None => Err(AlertTimelineError::Missing {
                index,
                field: field.to_owned(),
            }),
            Some(Value::String(s)) if s.trim().chars().count() > MAX_TEXT_CHARS => {
                Err(AlertTimelineError::TooLong {
                    index,
                    field: field.to_owned(),
                })
            }
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(AlertTimelineError::WrongType {
                index,
                field: field.to_owned(),
                found: type_name(other).to_owned(),
            }),
        };
        let raw_at = string("at", true)?.unwrap_or_default();
        let at = DateTime::parse_from_rfc3339(&raw_at)
            .map_err(|_| AlertTimelineError::BadTime {
                index,
                value: raw_at.clone(),
            })?
            .with_timezone(&Utc);
        let summary = string("summary", true)?.unwrap_or_default();
        if summary.is_empty() {
            return Err(AlertTimelineError::EmptySummary { index });
        }
        let source = string("source", false)?.filter(|s| !s.is_empty());
        alerts.push(Alert {
            at,
            summary,
            source,
        });
    }
    alerts.sort_by_key(|a| a.at);
    Ok(alerts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_content_reads_back_as_written_and_refuses_by_name() {
        let alerts =
            parse_alert_timeline(r#"[{"at":"2026-11-01T10:02:00Z","summary":"p99 up"}]"#).unwrap();
        for content in [
            ReferenceContent::Text { body: "log".into() },
            ReferenceContent::AlertTimeline { alerts },
        ] {
            let json = serde_json::to_string(&content).unwrap();
            assert_eq!(
                serde_json::from_str::<ReferenceContent>(&json).unwrap(),
                content
            );
            assert_eq!(
                crate::json::from_str::<ReferenceContent>(&json).unwrap(),
                content
            );
        }
        // The tag may come after the fields, as serde's own reader allowed.
        let late = r#"{"body":"log","type":"text"}"#;
        let read = serde_json::from_str::<ReferenceContent>(late).unwrap();
        assert_eq!(read, ReferenceContent::Text { body: "log".into() });
        for (bad, says) in [
            (r#"{"type":"text"}"#, "missing field `body`"),
            (
                r#"{"type":"alert_timeline","body":"x"}"#,
                "missing field `alerts`",
            ),
            (r#"{"body":"x"}"#, "missing field `type`"),
            (r#"{"type":"video","body":"x"}"#, "unknown variant `video`"),
            (r#"{"type":"text","body":3}"#, "invalid type: integer `3`"),
        ] {
            let error = serde_json::from_str::<ReferenceContent>(bad)
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{bad}: {error}");
            // The app's reader refuses it in the same words.
            let app = crate::json::from_str::<ReferenceContent>(bad).unwrap_err();
            assert_eq!(app.to_string(), error, "{bad}");
        }
    }

    fn check(json: &str, expected: &str) {
        let actual = match parse_alert_timeline(json) {
            Ok(alerts) => alerts
                .iter()
                .map(|a| {
                    let source = a
                        .source
                        .as_deref()
                        .map(|s| format!(" [{s}]"))
                        .unwrap_or_default();
                    format!("{} {}{source}", a.at.to_rfc3339(), a.summary)
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(actual, expected, "{json}");
    }

    #[test]
    fn alert_timelines_parse_and_sort() {
        check(
            r#"[
                {"at": "2026-11-01T12:05:00+02:00", "summary": " back to normal ", "extra": 1},
                {"at": "2026-11-01T10:02:00Z", "summary": "p99 > 2s", "source": "Grafana"},
                {"at": "2026-11-01T10:03:00Z", "summary": "pages", "source": null}
            ]"#,
            "2026-11-01T10:02:00+00:00 p99 > 2s [Grafana]\n\
             2026-11-01T10:03:00+00:00 pages\n\
             2026-11-01T10:05:00+00:00 back to normal",
        );
    }

    #[test]
    fn alert_timeline_errors_say_what_and_where() {
        let cases = [
            (
                "[",
                "error: not valid JSON at line 1, column 1: EOF while parsing a list at line 1 column 1",
            ),
            (
                r#"{"at": 1}"#,
                "error: expected a JSON array of alerts, found an object",
            ),
            ("[]", "error: the array holds no alerts"),
            (
                "[1]",
                r#"error: alert 1: expected an object like {"at": …, "summary": …}, found a number"#,
            ),
            (
                r#"[{"at": "2026-11-01T10:00:00Z", "summary": "x"}, {"summary": "y"}]"#,
                r#"error: alert 2: "at" is missing"#,
            ),
            (
                r#"[{"at": "10:00", "summary": "x"}]"#,
                r#"error: alert 1: "at" must be an RFC 3339 time such as 2026-11-01T10:02:00Z, found "10:00""#,
            ),
            (
                r#"[{"at": "2026-11-01T10:00:00Z"}]"#,
                r#"error: alert 1: "summary" is missing"#,
            ),
            (
                r#"[{"at": "2026-11-01T10:00:00Z", "summary": "  "}]"#,
                r#"error: alert 1: "summary" is empty"#,
            ),
            (
                r#"[{"at": "2026-11-01T10:00:00Z", "summary": "x", "source": 3}]"#,
                r#"error: alert 1: "source" must be a string, found a number"#,
            ),
        ];
        for (json, expected) in cases {
            check(json, expected);
        }
    }
}
