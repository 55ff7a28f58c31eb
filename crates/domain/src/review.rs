//! The review document and the incident's facts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest title a review may have, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest team or service name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// The most services one review may name.
pub const MAX_SERVICES: usize = 50;

/// A review's identifier: chosen by whoever creates the review (a UUID in practice), so a review
/// made offline keeps its id when it later reaches a server.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReviewId(String);

impl ReviewId {
    /// Accepts 1 to 64 characters of ASCII letters, digits, `-` and `_`: safe in a URL path and
    /// a storage key without escaping.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new(
                "id",
                "must be 1 to 64 letters, digits, '-' or '_'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReviewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How bad the incident was, from SEV1 (worst) to SEV4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Self::Sev1, Self::Sev2, Self::Sev3, Self::Sev4];

    /// The wire and storage name: `sev1` … `sev4`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Sev1 => "sev1",
            Self::Sev2 => "sev2",
            Self::Sev3 => "sev3",
            Self::Sev4 => "sev4",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// What a person reads: `SEV1` … `SEV4`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sev1 => "SEV1",
            Self::Sev2 => "SEV2",
            Self::Sev3 => "SEV3",
            Self::Sev4 => "SEV4",
        }
    }
}

/// The incident's facts, as the facilitator sets them up. Always valid: built only through
/// [`IncidentFacts::new`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacts {
    title: String,
    started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detected_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolved_at: Option<DateTime<Utc>>,
    severity: Severity,
    team: String,
    services: Vec<String>,
}

/// The raw fields of [`IncidentFacts`], before validation.
#[derive(Clone, Debug, Default)]
pub struct FactsInput {
    pub title: String,
    pub started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub severity: Option<Severity>,
    pub team: String,
    pub services: Vec<String>,
}

impl IncidentFacts {
    /// Validates and normalises the facts: text is trimmed, services are de-duplicated in order,
    /// and the times must run started ≤ detected ≤ resolved. Every problem is reported, not just
    /// the first, so a form can mark all its bad fields at once.
    pub fn new(input: FactsInput) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = input.title.trim().to_owned();
        if title.is_empty() {
            errors.push(ValidationError::new("title", "is required"));
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.push(ValidationError::new(
                "title",
                format!("must be at most {MAX_TITLE_CHARS} characters"),
            ));
        }
        let team = input.team.trim().to_owned();
        if team.is_empty() {
            errors.push(ValidationError::new("team", "is required"));
        } else if team.chars().count() > MAX_NAME_CHARS {
            errors.push(ValidationError::new(
                "team",
                format!("must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
        let mut services: Vec<String> = Vec::new();
        for raw in &input.services {
            let s = raw.trim();
            if s.is_empty() || services.iter().any(|known| known == s) {
                continue;
            }
            if s.chars().count() > MAX_NAME_CHARS {
                errors.push(ValidationError::new(
                    "services",
                    format!("each service name must be at most {MAX_NAME_CHARS} characters"),
                ));
                break;
            }
            services.push(s.to_owned());
        }
        if services.len() > MAX_SERVICES {
            errors.push(ValidationError::new(
                "services",
                format!("at most {MAX_SERVICES} services"),
            ));
        }
        let severity = input.severity;
        if severity.is_none() {
            errors.push(ValidationError::new("severity", "is required"));
        }
        let started_at = input.started_at;
        match started_at {
            None => errors.push(ValidationError::new("started_at", "is required")),
            Some(start) => {
                if input.detected_at.is_some_and(|d| d < start) {
                    errors.push(ValidationError::new(
                        "detected_at",
                        "must not be before the incident started",
                    ));
                }
                if input.resolved_at.is_some_and(|r| r < start) {
                    errors.push(ValidationError::new(
                        "resolved_at",
                        "must not be before the incident started",
                    ));
                }
            }
        }
        if let (Some(d), Some(r)) = (input.detected_at, input.resolved_at)
            && r < d
        {
            errors.push(ValidationError::new(
                "resolved_at",
                "must not be before the incident was detected",
            ));
        }
        match (started_at, severity) {
            (Some(started_at), Some(severity)) if errors.is_empty() => Ok(Self {
                title,
                started_at,
                detected_at: input.detected_at,
                resolved_at: input.resolved_at,
                severity,
                team,
                services,
            }),
            _ => Err(errors),
        }
    }

    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }
    pub fn detected_at(&self) -> Option<DateTime<Utc>> {
        self.detected_at
    }
    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.resolved_at
    }
    pub fn severity(&self) -> Severity {
        self.severity
    }
    pub fn team(&self) -> &str {
        &self.team
    }
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The raw fields, for a form that edits these facts.
    pub fn to_input(&self) -> FactsInput {
        FactsInput {
            title: self.title.clone(),
            started_at: Some(self.started_at),
            detected_at: self.detected_at,
            resolved_at: self.resolved_at,
            severity: Some(self.severity),
            team: self.team.clone(),
            services: self.services.clone(),
        }
    }
}

/// One review: the shared document of an incident's post-incident review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: ReviewId,
    /// Increases by one with every accepted change; the basis of conditional writes.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub facts: IncidentFacts,
}

impl Review {
    /// A new review at version 1.
    pub fn new(id: ReviewId, facts: IncidentFacts, now: DateTime<Utc>) -> Self {
        Self {
            id,
            version: 1,
            created_at: now,
            updated_at: now,
            facts,
        }
    }
}

/// A problem with one field of some input: `field` names it as the API and the forms do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, h, 0, 0).unwrap()
    }

    fn input() -> FactsInput {
        FactsInput {
            title: "  Checkout latency  ".into(),
            started_at: Some(at(10)),
            detected_at: Some(at(11)),
            resolved_at: Some(at(12)),
            severity: Some(Severity::Sev2),
            team: "Payments".into(),
            services: vec!["api".into(), " api ".into(), "".into(), "db".into()],
        }
    }

    fn fields(result: Result<IncidentFacts, Vec<ValidationError>>) -> Vec<String> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn valid_facts_are_normalised() {
        let facts = IncidentFacts::new(input()).unwrap();
        assert_eq!(facts.title(), "Checkout latency");
        assert_eq!(facts.services(), ["api", "db"]);
        assert_eq!(facts.to_input().services, ["api", "db"]);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = FactsInput {
            title: " ".into(),
            team: String::new(),
            ..FactsInput::default()
        };
        assert_eq!(
            fields(IncidentFacts::new(bad)),
            ["title", "team", "severity", "started_at"]
        );
    }

    #[test]
    fn times_must_run_in_order() {
        let mut bad = input();
        bad.detected_at = Some(at(9));
        bad.resolved_at = Some(at(8));
        assert_eq!(
            fields(IncidentFacts::new(bad)),
            ["detected_at", "resolved_at", "resolved_at"]
        );
    }

    #[test]
    fn overlong_text_is_refused() {
        let mut bad = input();
        bad.title = "x".repeat(MAX_TITLE_CHARS + 1);
        bad.services = vec!["s".repeat(MAX_NAME_CHARS + 1)];
        assert_eq!(fields(IncidentFacts::new(bad)), ["title", "services"]);
    }

    #[test]
    fn review_ids_are_url_safe() {
        assert!(ReviewId::parse("a1-B_2").is_ok());
        for bad in ["", "a/b", "a b", "é", &"x".repeat(65)] {
            assert!(ReviewId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn severity_keys_round_trip() {
        for s in Severity::ALL {
            assert_eq!(Severity::from_key(s.key()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.key());
        }
    }
}
