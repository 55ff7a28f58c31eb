//! One participant's independent account of the incident: their timeline and their observations.
//!
//! An account is a document of its own, separate from the shared [`Review`](crate::Review): each
//! participant writes theirs without seeing anyone else's, and nobody sees it until the reveal.
//! Submitting seals it: from then on every edit is refused, and its
//! [`commitment`] lets anyone check that what is revealed is what was submitted.

use crate::commitment;
use crate::factors::FactorKind;
use crate::id::{EntryId, ObservationId, ParticipantId};
use crate::review::{ReviewId, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest free text of an entry or observation, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// One moment of the incident, as one participant remembers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: EntryId,
    pub at: DateTime<Utc>,
    /// What happened at that moment. Never empty.
    pub what_happened: String,
    /// What the participant knew or believed then: the heart of a blameless review, since it is
    /// what made their actions make sense at the time. May be empty.
    pub knew_or_believed: String,
    /// What the participant did. May be empty.
    pub what_i_did: String,
}

/// The raw fields of a [`TimelineEntry`], before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryInput {
    pub at: Option<DateTime<Utc>>,
    pub what_happened: String,
    pub knew_or_believed: String,
    pub what_i_did: String,
}

impl EntryInput {
    fn validate(self, id: EntryId) -> Result<TimelineEntry, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let what_happened = text(&mut errors, "what_happened", &self.what_happened, true);
        let knew_or_believed = text(
            &mut errors,
            "knew_or_believed",
            &self.knew_or_believed,
            false,
        );
        let what_i_did = text(&mut errors, "what_i_did", &self.what_i_did, false);
        if self.at.is_none() {
            errors.push(ValidationError::new("at", "is required"));
        }
        match self.at {
            Some(at) if errors.is_empty() => Ok(TimelineEntry {
                id,
                at,
                what_happened,
                knew_or_believed,
                what_i_did,
            }),
            _ => Err(errors),
        }
    }
}

impl TimelineEntry {
    /// The raw fields, for a form that edits this entry.
    pub fn to_input(&self) -> EntryInput {
        EntryInput {
            at: Some(self.at),
            what_happened: self.what_happened.clone(),
            knew_or_believed: self.knew_or_believed.clone(),
            what_i_did: self.what_i_did.clone(),
        }
    }
}

/// Trims `raw` and checks its length, recording any problem under `field`.
pub(crate) fn text(
    errors: &mut Vec<ValidationError>,
    field: &str,
    raw: &str,
    required: bool,
) -> String {
    let s = raw.trim();
    if required && s.is_empty() {
        errors.push(ValidationError::new(field, "is required"));
    } else if s.chars().count() > MAX_TEXT_CHARS {
        errors.push(ValidationError::new(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    s.to_owned()
}

/// Something a participant noticed that contributed to the incident or to its handling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub id: ObservationId,
    pub kind: FactorKind,
    /// Never empty.
    pub text: String,
}

/// Why an account refused a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AccountError {
    /// The account was submitted and is sealed.
    Submitted {
        at: DateTime<Utc>,
    },
    Invalid {
        fields: Vec<ValidationError>,
    },
    NotFound {
        id: String,
    },
    DuplicateId {
        id: String,
    },
    /// There is nothing to submit: no entry and no observation.
    Empty,
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Submitted { at } => write!(
                f,
                "this account was submitted at {} and can no longer change",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            Self::Invalid { fields } => {
                let list: Vec<String> = fields.iter().map(ToString::to_string).collect();
                write!(f, "invalid input: {}", list.join("; "))
            }
            Self::NotFound { id } => write!(f, "no entry or observation has the id {id}"),
            Self::DuplicateId { id } => write!(f, "the id {id} is already in use"),
            Self::Empty => f.write_str("add at least one entry or observation before submitting"),
        }
    }
}

impl std::error::Error for AccountError {}

impl From<Vec<ValidationError>> for AccountError {
    fn from(fields: Vec<ValidationError>) -> Self {
        Self::Invalid { fields }
    }
}

/// One participant's account. Its fields are private so that the only way to change it is
/// through methods that refuse once it is submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    review_id: ReviewId,
    participant_id: ParticipantId,
    /// Increases by one with every accepted change, as the review's does.
    version: u64,
    /// Kept in chronological order; entries at the same time keep the order they were added in.
    entries: Vec<TimelineEntry>,
    /// In the order they were added.
    observations: Vec<Observation>,
    #[serde(default)]
    submitted_at: Option<DateTime<Utc>>,
    /// Set together with `submitted_at`: see [`crate::commitment`].
    #[serde(default)]
    commitment: Option<String>,
}

impl Account {
    /// An empty draft at version 1.
    pub fn new(review_id: ReviewId, participant_id: ParticipantId) -> Self {
        Self {
            review_id,
            participant_id,
            version: 1,
            entries: Vec::new(),
            observations: Vec::new(),
            submitted_at: None,
            commitment: None,
        }
    }

    pub fn review_id(&self) -> &ReviewId {
        &self.review_id
    }
    pub fn participant_id(&self) -> &ParticipantId {
        &self.participant_id
    }
    pub fn version(&self) -> u64 {
        self.version
    }
    pub fn entries(&self) -> &[TimelineEntry] {
        &self.entries
    }
    pub fn entry(&self, id: &EntryId) -> Option<&TimelineEntry> {
        self.entries.iter().find(|e| &e.id == id)
    }
    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }
    pub fn observation(&self, id: &ObservationId) -> Option<&Observation> {
        self.observations.iter().find(|o| &o.id == id)
    }
    pub fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.submitted_at
    }
    pub fn is_submitted(&self) -> bool {
        self.submitted_at.is_some()
    }
    /// The hex SHA-256 sealed at submission; `None` for a draft.
    pub fn commitment(&self) -> Option<&str> {
        self.commitment.as_deref()
    }

    /// Sets the version to the count a server keeps of the copies it stored, so the version a
    /// client reads in the document is the one it sends back in `If-Match`. The version is not
    /// part of the commitment, so a sealed account still verifies.
    pub fn set_stored_version(&mut self, version: u64) {
        self.version = version;
    }

    fn editable(&self) -> Result<(), AccountError> {
        match self.submitted_at {
            Some(at) => Err(AccountError::Submitted { at }),
            None => Ok(()),
        }
    }

    fn changed(&mut self) {
        self.version += 1;
        // Stable, so entries at the same moment keep the order the participant gave them.
        self.entries.sort_by_key(|e| e.at);
    }

    pub fn add_entry(&mut self, id: EntryId, input: EntryInput) -> Result<(), AccountError> {
        self.editable()?;
        if self.entry(&id).is_some() {
            return Err(AccountError::DuplicateId { id: id.to_string() });
        }
        let entry = input.validate(id)?;
        self.entries.push(entry);
        self.changed();
        Ok(())
    }

    pub fn update_entry(&mut self, id: &EntryId, input: EntryInput) -> Result<(), AccountError> {
        self.editable()?;
        let Some(slot) = self.entries.iter().position(|e| &e.id == id) else {
            return Err(AccountError::NotFound { id: id.to_string() });
        };
        self.entries[slot] = input.validate(id.clone())?;
        self.changed();
        Ok(())
    }

    pub fn remove_entry(&mut self, id: &EntryId) -> Result<(), AccountError> {
        self.editable()?;
        let before = self.entries.len();
        self.entries.retain(|e| &e.id != id);
        if self.entries.len() == before {
            return Err(AccountError::NotFound { id: id.to_string() });
        }
        self.changed();
        Ok(())
    }

    pub fn add_observation(
        &mut self,
        id: ObservationId,
        kind: FactorKind,
        text: &str,
    ) -> Result<(), AccountError> {
        self.editable()?;
        if self.observation(&id).is_some() {
            return Err(AccountError::DuplicateId { id: id.to_string() });
        }
        let text = observation_text(text)?;
        self.observations.push(Observation { id, kind, text });
        self.changed();
        Ok(())
    }

    pub fn update_observation(
        &mut self,
        id: &ObservationId,
        kind: FactorKind,
        text: &str,
    ) -> Result<(), AccountError> {
        self.editable()?;
        let Some(slot) = self.observations.iter().position(|o| &o.id == id) else {
            return Err(AccountError::NotFound { id: id.to_string() });
        };
        let text = observation_text(text)?;
        self.observations[slot] = Observation {
            id: id.clone(),
            kind,
            text,
        };
        self.changed();
        Ok(())
    }

    pub fn remove_observation(&mut self, id: &ObservationId) -> Result<(), AccountError> {
        self.editable()?;
        let before = self.observations.len();
        self.observations.retain(|o| &o.id != id);
        if self.observations.len() == before {
            return Err(AccountError::NotFound { id: id.to_string() });
        }
        self.changed();
        Ok(())
    }

    /// Seals the account and returns its commitment. After this every edit is refused; record
    /// the submission on the review with [`Review::record_submission`](crate::Review::record_submission).
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<&str, AccountError> {
        self.editable()?;
        if self.entries.is_empty() && self.observations.is_empty() {
            return Err(AccountError::Empty);
        }
        self.version += 1;
        self.submitted_at = Some(now);
        let sealed = commitment::compute(self);
        Ok(self.commitment.insert(sealed))
    }
}

fn observation_text(raw: &str) -> Result<String, AccountError> {
    let mut errors = Vec::new();
    let text = text(&mut errors, "text", raw, true);
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors.into())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, h, m, 0).unwrap()
    }

    pub(crate) fn entry(h: u32, m: u32, what: &str) -> EntryInput {
        EntryInput {
            at: Some(at(h, m)),
            what_happened: what.into(),
            ..EntryInput::default()
        }
    }

    fn eid(s: &str) -> EntryId {
        EntryId::parse(s).unwrap()
    }

    fn account() -> Account {
        Account::new(
            ReviewId::parse("r").unwrap(),
            ParticipantId::parse("p").unwrap(),
        )
    }

    fn whats(a: &Account) -> Vec<&str> {
        a.entries()
            .iter()
            .map(|e| e.what_happened.as_str())
            .collect()
    }

    #[test]
    fn entries_stay_chronological_and_keep_ties_in_order() {
        let mut a = account();
        a.add_entry(eid("1"), entry(10, 5, "second")).unwrap();
        a.add_entry(eid("2"), entry(10, 0, "first")).unwrap();
        a.add_entry(eid("3"), entry(10, 5, "  third  ")).unwrap();
        assert_eq!(whats(&a), ["first", "second", "third"]);
        a.update_entry(&eid("2"), entry(11, 0, "last")).unwrap();
        assert_eq!(whats(&a), ["second", "third", "last"]);
        a.remove_entry(&eid("1")).unwrap();
        assert_eq!(whats(&a), ["third", "last"]);
        assert_eq!(a.version(), 6, "one new version per accepted change");
    }

    #[test]
    fn bad_edits_are_refused_with_the_reason() {
        let mut a = account();
        a.add_entry(eid("1"), entry(10, 0, "x")).unwrap();
        let cases: Vec<(Result<(), AccountError>, &str)> = vec![
            (
                a.clone().add_entry(eid("1"), entry(10, 0, "y")),
                "the id 1 is already in use",
            ),
            (
                a.clone().add_entry(eid("2"), EntryInput::default()),
                "invalid input: what_happened is required; at is required",
            ),
            (
                a.clone().update_entry(&eid("9"), entry(10, 0, "y")),
                "no entry or observation has the id 9",
            ),
            (
                a.clone()
                    .remove_observation(&ObservationId::parse("9").unwrap()),
                "no entry or observation has the id 9",
            ),
            (
                a.clone().add_observation(
                    ObservationId::parse("o").unwrap(),
                    FactorKind::Human,
                    " ",
                ),
                "invalid input: text is required",
            ),
            (
                account().submit(at(12, 0)).map(drop),
                "add at least one entry or observation before submitting",
            ),
        ];
        for (result, expected) in cases {
            assert_eq!(result.unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn a_submitted_account_refuses_every_edit() {
        let mut a = account();
        let o = ObservationId::parse("o").unwrap();
        a.add_entry(eid("1"), entry(10, 0, "x")).unwrap();
        a.add_observation(o.clone(), FactorKind::Technical, "no alert on the queue")
            .unwrap();
        a.submit(at(12, 0)).unwrap();
        let sealed = a.clone();
        let edits: Vec<Result<(), AccountError>> = vec![
            a.add_entry(eid("2"), entry(10, 0, "y")),
            a.update_entry(&eid("1"), entry(10, 0, "y")),
            a.remove_entry(&eid("1")),
            a.add_observation(ObservationId::parse("p").unwrap(), FactorKind::Human, "y"),
            a.update_observation(&o, FactorKind::Human, "y"),
            a.remove_observation(&o),
            a.submit(at(13, 0)).map(drop),
        ];
        for result in edits {
            assert_eq!(result, Err(AccountError::Submitted { at: at(12, 0) }));
        }
        assert_eq!(a, sealed);
    }
}
