//! One participant's independent account of the incident: their timeline and their observations.
//!
//! An account is a document of its own, separate from the shared [`Review`](crate::Review): each
//! participant writes theirs without seeing anyone else's, and nobody sees it until the reveal.
//! Submitting seals it: from then on every edit is refused, and its
//! [`commitment`] lets anyone check that what is revealed is what was submitted.

pub mod commitment;

use crate::id::ReviewId;
use crate::id::{EntryId, ObservationId, ParticipantId, QuestionId};
use crate::limits::{
    MAX_ACCOUNT_BYTES, MAX_ANSWERS_PER_ACCOUNT, MAX_ENTRIES_PER_ACCOUNT,
    MAX_OBSERVATIONS_PER_ACCOUNT, json_bytes, too_large, too_many,
};
use crate::validation::ValidationError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::text::MAX_TEXT_CHARS;

crate::keyed_enum! {
    /// What kind of thing an observation is about. The keys are also in the commitment's
    /// canonical form: changing one would make sealed accounts fail to verify.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum FactorKind {
        Technical = ("technical", "Technical"),
        Human = ("human", "Human"),
        Organisational = ("organisational", "Organisational"),
        KnowledgeGap = ("knowledge_gap", "Knowledge gap"),
        OperationalSurprise = ("operational_surprise", "Operational surprise"),
        /// Something that helped: a person, a tool, a habit that made the incident smaller.
        Helped = ("helped", "What helped"),
        /// Where we were lucky: what went well by chance rather than by design.
        Lucky = ("lucky", "Where we were lucky"),
    }
}

/// One moment of the incident, as one participant remembers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: EntryId,
    #[serde(deserialize_with = "crate::rfc3339::time")]
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
    #[serde(default, deserialize_with = "crate::rfc3339::time_option")]
    pub at: Option<DateTime<Utc>>,
    pub what_happened: String,
    pub knew_or_believed: String,
    pub what_i_did: String,
}

impl EntryInput {
    fn validate(self, id: EntryId) -> Result<TimelineEntry, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let what_happened =
            crate::text::long(&mut errors, "what_happened", &self.what_happened, true);
        let knew_or_believed = crate::text::long(
            &mut errors,
            "knew_or_believed",
            &self.knew_or_believed,
            false,
        );
        let what_i_did = crate::text::long(&mut errors, "what_i_did", &self.what_i_did, false);
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

/// Something a participant noticed that contributed to the incident or to its handling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub id: ObservationId,
    pub kind: FactorKind,
    /// Never empty.
    pub text: String,
}

/// A participant's answer to one question of the review's guide
/// ([`Review::guide`](crate::Review::guide)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: QuestionId,
    /// Never empty: an emptied answer is removed.
    pub text: String,
}

/// Why an account refused a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AccountError {
    /// The account was submitted and is sealed.
    Submitted {
        #[serde(deserialize_with = "crate::rfc3339::time")]
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
    /// There is nothing to submit: no entry, no observation and no answer.
    Empty,
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Submitted { at } => write!(
                f,
                "this account was submitted at {} and can no longer change",
                crate::timestamp::utc_minute(at)
            ),
            Self::Invalid { fields } => {
                let list: Vec<String> = fields.iter().map(ToString::to_string).collect();
                write!(f, "invalid input: {}", list.join("; "))
            }
            Self::NotFound { id } => write!(f, "no entry or observation has the id {id}"),
            Self::DuplicateId { id } => write!(f, "the id {id} is already in use"),
            Self::Empty => {
                f.write_str("add at least one entry, observation or answer before submitting")
            }
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
    /// Answers to the guide's questions, at most one per question, in the order first given.
    /// Absent from accounts stored before guides existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    answers: Vec<Answer>,
    #[serde(default, deserialize_with = "crate::rfc3339::time_option")]
    submitted_at: Option<DateTime<Utc>>,
    /// Set together with `submitted_at`: see [`crate::account::commitment`].
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
            answers: Vec::new(),
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
    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }
    /// The answer to `question`, if the participant gave one.
    pub fn answer(&self, question: &QuestionId) -> Option<&str> {
        self.answers
            .iter()
            .find(|a| &a.question == question)
            .map(|a| a.text.as_str())
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

    /// For tests that need an account no editor would make (one stored before a rule existed).
    #[cfg(test)]
    pub(crate) fn entries_mut(&mut self) -> &mut Vec<TimelineEntry> {
        &mut self.entries
    }

    fn editable(&self) -> Result<(), AccountError> {
        match self.submitted_at {
            Some(at) => Err(AccountError::Submitted { at }),
            None => Ok(()),
        }
    }

    /// Counts an accepted change. The entries are in time order before and after every change;
    /// only changes of the entries can disturb it ([`Account::reorder`]).
    fn changed(&mut self) {
        self.version += 1;
    }

    /// Counts an accepted change of the entries and puts them back in time order. Stable, so
    /// entries at the same moment keep the order the participant gave them.
    fn reorder(&mut self) {
        self.changed();
        self.entries.sort_by_key(|e| e.at);
    }

    /// Whether the entry at `slot` is in time order with its neighbours: then, the others being
    /// in order, the whole timeline is, and sorting would change nothing.
    fn in_order_at(&self, slot: usize) -> bool {
        let at = self.entries[slot].at;
        let after_previous = slot == 0 || self.entries[slot - 1].at <= at;
        let before_next = self.entries.get(slot + 1).is_none_or(|next| at <= next.at);
        after_previous && before_next
    }

    pub fn add_entry(&mut self, id: EntryId, input: EntryInput) -> Result<(), AccountError> {
        self.editable()?;
        if self.entry(&id).is_some() {
            return Err(AccountError::DuplicateId { id: id.to_string() });
        }
        if self.entries.len() >= MAX_ENTRIES_PER_ACCOUNT {
            return Err(vec![too_many("entries", MAX_ENTRIES_PER_ACCOUNT, "account")].into());
        }
        let entry = input.validate(id)?;
        self.entries.push(entry);
        self.reorder();
        Ok(())
    }

    pub fn update_entry(&mut self, id: &EntryId, input: EntryInput) -> Result<(), AccountError> {
        self.editable()?;
        let Some(slot) = self.entries.iter().position(|e| &e.id == id) else {
            return Err(AccountError::NotFound { id: id.to_string() });
        };
        self.entries[slot] = input.validate(id.clone())?;
        // An edit of an entry's words (each keystroke) leaves it where it is: no sort, however
        // many entries the account holds. Only a changed time may move it.
        if self.in_order_at(slot) {
            self.changed();
        } else {
            self.reorder();
        }
        Ok(())
    }

    pub fn remove_entry(&mut self, id: &EntryId) -> Result<(), AccountError> {
        self.editable()?;
        let before = self.entries.len();
        self.entries.retain(|e| &e.id != id);
        if self.entries.len() == before {
            return Err(AccountError::NotFound { id: id.to_string() });
        }
        self.reorder();
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
        if self.observations.len() >= MAX_OBSERVATIONS_PER_ACCOUNT {
            let max = MAX_OBSERVATIONS_PER_ACCOUNT;
            return Err(vec![too_many("observations", max, "account")].into());
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

    /// Sets the answer to `question`; an empty (or blank) text removes it.
    pub fn set_answer(&mut self, question: QuestionId, raw: &str) -> Result<(), AccountError> {
        self.editable()?;
        let mut errors = Vec::new();
        let text = crate::text::long(&mut errors, "answer", raw, false);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        match self.answers.iter().position(|a| a.question == question) {
            Some(slot) if text.is_empty() => {
                self.answers.remove(slot);
            }
            Some(slot) => self.answers[slot].text = text,
            None if text.is_empty() => return Ok(()),
            None if self.answers.len() >= MAX_ANSWERS_PER_ACCOUNT => {
                let max = MAX_ANSWERS_PER_ACCOUNT;
                return Err(vec![too_many("answers", max, "account")].into());
            }
            None => self.answers.push(Answer { question, text }),
        }
        self.changed();
        Ok(())
    }

    /// Seals the account and returns its commitment. After this every edit is refused; record
    /// the submission on the review with [`Review::record_submission`](crate::Review::record_submission).
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<&str, AccountError> {
        self.editable()?;
        if self.entries.is_empty() && self.observations.is_empty() && self.answers.is_empty() {
            return Err(AccountError::Empty);
        }
        self.version += 1;
        self.submitted_at = Some(now);
        let sealed = commitment::compute(self);
        Ok(self.commitment.insert(sealed))
    }
}

/// An account as its author sends it to be stored (`PUT …/accounts/{pid}`): only what the
/// author writes. Unknown fields are refused, and so are `version`, `submitted_at` and
/// `commitment`: the server counts versions, and only its `submit` seals an account.
///
/// [`AccountInput::into_account`] builds the [`Account`] with the editor's own rules, and the
/// importer checks every imported account by the same function, so one document is valid or
/// not whichever way it arrives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// If sent, must be the review in the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_id: Option<String>,
    /// If sent, must be the participant in the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<String>,
    #[serde(default)]
    pub entries: Vec<EntryDraft>,
    #[serde(default)]
    pub observations: Vec<ObservationDraft>,
    #[serde(default)]
    pub answers: Vec<AnswerDraft>,
}

/// One answer of an [`AccountInput`]; an empty text is no answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerDraft {
    pub question: String,
    #[serde(default)]
    pub text: String,
}

/// One timeline entry of an [`AccountInput`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryDraft {
    pub id: String,
    #[serde(default, deserialize_with = "crate::rfc3339::time_option")]
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub what_happened: String,
    #[serde(default)]
    pub knew_or_believed: String,
    #[serde(default)]
    pub what_i_did: String,
}

/// One observation of an [`AccountInput`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationDraft {
    pub id: String,
    pub kind: FactorKind,
    #[serde(default)]
    pub text: String,
}

impl AccountInput {
    /// What the author of `account` would send to store it.
    pub fn from_account(account: &Account) -> Self {
        Self {
            review_id: Some(account.review_id.to_string()),
            participant_id: Some(account.participant_id.to_string()),
            entries: account
                .entries
                .iter()
                .map(|e| EntryDraft {
                    id: e.id.to_string(),
                    at: Some(e.at),
                    what_happened: e.what_happened.clone(),
                    knew_or_believed: e.knew_or_believed.clone(),
                    what_i_did: e.what_i_did.clone(),
                })
                .collect(),
            observations: account
                .observations
                .iter()
                .map(|o| ObservationDraft {
                    id: o.id.to_string(),
                    kind: o.kind,
                    text: o.text.clone(),
                })
                .collect(),
            answers: account
                .answers
                .iter()
                .map(|a| AnswerDraft {
                    question: a.question.to_string(),
                    text: a.text.clone(),
                })
                .collect(),
        }
    }

    /// The draft account of `participant_id` in `review_id` this input describes, built with
    /// the rules of [`Account::add_entry`] and [`Account::add_observation`]; every problem is
    /// named by its field (`entries[2].what_happened`), and none of them stores anything.
    pub fn into_account(
        self,
        review_id: &ReviewId,
        participant_id: &ParticipantId,
    ) -> Result<Account, Vec<ValidationError>> {
        let mut errors = Vec::new();
        if self.review_id.is_some_and(|r| r != review_id.as_str()) {
            errors.push(ValidationError::new(
                "review_id",
                "must be the review in the path",
            ));
        }
        if self
            .participant_id
            .is_some_and(|p| p != participant_id.as_str())
        {
            errors.push(ValidationError::new(
                "participant_id",
                "must be the participant in the path",
            ));
        }
        if self.entries.len() > MAX_ENTRIES_PER_ACCOUNT {
            errors.push(too_many("entries", MAX_ENTRIES_PER_ACCOUNT, "account"));
        }
        let max = MAX_OBSERVATIONS_PER_ACCOUNT;
        if self.observations.len() > max {
            errors.push(too_many("observations", max, "account"));
        }
        if self.answers.len() > MAX_ANSWERS_PER_ACCOUNT {
            errors.push(too_many("answers", MAX_ANSWERS_PER_ACCOUNT, "account"));
        }
        let mut account = Account::new(review_id.clone(), participant_id.clone());
        // Past a limit, the items are not read: the error above says what to fix.
        for (i, draft) in self
            .entries
            .into_iter()
            .enumerate()
            .take(MAX_ENTRIES_PER_ACCOUNT)
        {
            let prefix = format!("entries[{i}]");
            let Some(id) = draft_id::<EntryId>(&mut errors, &prefix, &draft.id) else {
                continue;
            };
            if account.entry(&id).is_some() {
                errors.push(repeated(&prefix, &id.to_string()));
                continue;
            }
            let input = EntryInput {
                at: draft.at,
                what_happened: draft.what_happened,
                knew_or_believed: draft.knew_or_believed,
                what_i_did: draft.what_i_did,
            };
            match input.validate(id) {
                Ok(entry) => account.entries.push(entry),
                Err(fields) => errors.extend(prefixed(&prefix, fields)),
            }
        }
        for (i, draft) in self.observations.into_iter().enumerate().take(max) {
            let prefix = format!("observations[{i}]");
            let Some(id) = draft_id::<ObservationId>(&mut errors, &prefix, &draft.id) else {
                continue;
            };
            if account.observation(&id).is_some() {
                errors.push(repeated(&prefix, &id.to_string()));
                continue;
            }
            match observation_text(&draft.text) {
                Ok(text) => account.observations.push(Observation {
                    id,
                    kind: draft.kind,
                    text,
                }),
                Err(AccountError::Invalid { fields }) => {
                    errors.extend(prefixed(&prefix, fields));
                }
                Err(other) => errors.push(ValidationError::new(prefix, other.to_string())),
            }
        }
        for (i, draft) in self
            .answers
            .into_iter()
            .enumerate()
            .take(MAX_ANSWERS_PER_ACCOUNT)
        {
            let prefix = format!("answers[{i}]");
            let question = match QuestionId::parse(&draft.question) {
                Ok(q) => q,
                Err(e) => {
                    errors.push(ValidationError::new(
                        format!("{prefix}.question"),
                        e.message,
                    ));
                    continue;
                }
            };
            if account.answer(&question).is_some() {
                errors.push(ValidationError::new(
                    format!("{prefix}.question"),
                    format!("repeats the question {question}, already answered by an earlier item"),
                ));
                continue;
            }
            let mut found = Vec::new();
            let text = crate::text::long(&mut found, "text", &draft.text, false);
            if !found.is_empty() {
                errors.extend(prefixed(&prefix, found));
            } else if !text.is_empty() {
                account.answers.push(Answer { question, text });
            }
        }
        // Stable, as in the editor: entries at the same moment keep the order they were sent in.
        account.entries.sort_by_key(|e| e.at);
        if errors.is_empty() && json_bytes(&account) > MAX_ACCOUNT_BYTES {
            errors.push(too_large("account", MAX_ACCOUNT_BYTES));
        }
        if errors.is_empty() {
            Ok(account)
        } else {
            Err(errors)
        }
    }
}

/// The id of one drafted item, or an error under `{prefix}.id`.
fn draft_id<T: TryFrom<String, Error = ValidationError>>(
    errors: &mut Vec<ValidationError>,
    prefix: &str,
    raw: &str,
) -> Option<T> {
    T::try_from(raw.to_owned())
        .map_err(|e| errors.push(ValidationError::new(format!("{prefix}.id"), e.message)))
        .ok()
}

fn repeated(prefix: &str, id: &str) -> ValidationError {
    ValidationError::new(
        format!("{prefix}.id"),
        format!("repeats the id {id}, already used by an earlier item"),
    )
}

fn prefixed(prefix: &str, fields: Vec<ValidationError>) -> impl Iterator<Item = ValidationError> {
    fields.into_iter().map(move |e| ValidationError {
        field: format!("{prefix}.{}", e.field),
        message: e.message,
    })
}

fn observation_text(raw: &str) -> Result<String, AccountError> {
    let mut errors = Vec::new();
    let text = crate::text::long(&mut errors, "text", raw, true);
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

    proptest::proptest! {
        /// Whatever is edited, the timeline ends as a stable sort by time would leave it: an
        /// edit that keeps the entry's place among its neighbours needs no sort.
        #[test]
        fn edits_keep_the_timeline_as_a_stable_sort_would(
            minutes in proptest::collection::vec(0_u32..6, 1..12),
            edits in proptest::collection::vec((0_usize..12, 0_u32..6, proptest::bool::ANY), 1..12),
        ) {
            let mut a = account();
            for (i, m) in minutes.iter().enumerate() {
                a.add_entry(eid(&i.to_string()), entry(10, *m, &format!("e{i}"))).unwrap();
            }
            for (pick, m, move_it) in edits {
                let id = a.entries()[pick % a.entries().len()].id.clone();
                let old = a.entry(&id).unwrap().clone();
                let new_at = if move_it { at(10, m) } else { old.at };
                let mut expected = a.entries().to_vec();
                let slot = expected.iter().position(|e| e.id == id).unwrap();
                expected[slot].at = new_at;
                expected[slot].what_happened = format!("{} edited", old.what_happened);
                expected.sort_by_key(|e| e.at);
                let input = EntryInput {
                    at: Some(new_at),
                    what_happened: format!("{} edited", old.what_happened),
                    ..EntryInput::default()
                };
                a.update_entry(&id, input).unwrap();
                proptest::prop_assert_eq!(a.entries(), &expected[..]);
            }
        }
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
                "add at least one entry, observation or answer before submitting",
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

    fn input(value: serde_json::Value) -> Result<Account, Vec<String>> {
        let input: AccountInput = serde_json::from_value(value).map_err(|e| vec![e.to_string()])?;
        input
            .into_account(account().review_id(), account().participant_id())
            .map_err(|errors| errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn an_account_input_is_built_with_the_editors_rules() {
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let entry = |id: &str, what: &str| serde_json::json!({"id": id, "at": "2026-11-01T10:00:00Z", "what_happened": what});
        let cases: Vec<(serde_json::Value, &str)> = vec![
            (
                serde_json::json!({"entries": [entry("e1", "a"), entry("e1", "b")]}),
                "entries[1].id repeats the id e1, already used by an earlier item",
            ),
            (
                serde_json::json!({"entries": [entry("e1", "  ")]}),
                "entries[0].what_happened is required",
            ),
            (
                serde_json::json!({"entries": [entry("e1", &long)]}),
                "entries[0].what_happened must be at most 4000 characters",
            ),
            (
                serde_json::json!({"entries": [entry("e1", "nul \u{0} here")]}),
                "entries[0].what_happened must not contain the control character U+0000; \
                 only tab, newline and carriage return are allowed",
            ),
            (
                serde_json::json!({"observations": [{"id": "o1", "kind": "human", "text": " "}]}),
                "observations[0].text is required",
            ),
            (
                serde_json::json!({"entries": [entry("bad id", "a")]}),
                "entries[0].id must be 1 to 64 letters, digits, '-' or '_'",
            ),
            (
                serde_json::json!({"review_id": "other", "entries": []}),
                "review_id must be the review in the path",
            ),
            (
                serde_json::json!({"commitment": "abc", "entries": []}),
                "unknown field `commitment`, expected one of `review_id`, `participant_id`, `entries`, `observations`",
            ),
            (
                serde_json::json!({"entries": [], "version": 3}),
                "unknown field `version`",
            ),
        ];
        for (value, expected) in cases {
            let errors = input(value.clone()).unwrap_err();
            assert!(
                errors.iter().any(|e| e.starts_with(expected)),
                "{value}: {errors:?}"
            );
        }
        let many: Vec<_> = (0..=MAX_ENTRIES_PER_ACCOUNT)
            .map(|i| entry(&format!("e{i}"), "a"))
            .collect();
        let errors = input(serde_json::json!({ "entries": many })).unwrap_err();
        assert_eq!(errors, ["entries are limited to 200 per account"]);
    }

    #[test]
    fn an_account_input_round_trips_what_the_editor_made() {
        let mut a = account();
        a.add_entry(eid("2"), entry(11, 0, "later")).unwrap();
        a.add_entry(eid("1"), entry(10, 0, "earlier")).unwrap();
        a.add_observation(
            ObservationId::parse("o").unwrap(),
            FactorKind::Human,
            "tired",
        )
        .unwrap();
        let sent = serde_json::to_value(AccountInput::from_account(&a)).unwrap();
        let built = input(sent).unwrap();
        assert_eq!(built.entries(), a.entries());
        assert_eq!(built.observations(), a.observations());
        assert!(!built.is_submitted());
    }

    #[test]
    fn answers_are_set_replaced_and_cleared_and_travel_in_the_input() {
        let q = |s: &str| QuestionId::parse(s).unwrap();
        let mut a = account();
        a.set_answer(q("q2"), "  the pager  ").unwrap();
        a.set_answer(q("q1"), "chat").unwrap();
        a.set_answer(q("q2"), "the pager, then chat").unwrap();
        assert_eq!(a.answer(&q("q2")), Some("the pager, then chat"));
        let order: Vec<&str> = a.answers().iter().map(|x| x.question.as_str()).collect();
        assert_eq!(order, ["q2", "q1"], "in the order first given");
        a.set_answer(q("q1"), " ").unwrap();
        assert_eq!(a.answer(&q("q1")), None);
        let version = a.version();
        a.set_answer(q("q3"), "").unwrap();
        assert_eq!(a.version(), version, "no answer to clear: nothing changed");
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            a.set_answer(q("q1"), &long).unwrap_err().to_string(),
            "invalid input: answer must be at most 4000 characters"
        );
        // An account with only an answer can be submitted.
        let sent = serde_json::to_value(AccountInput::from_account(&a)).unwrap();
        assert_eq!(
            sent["answers"],
            serde_json::json!([{"question": "q2", "text": "the pager, then chat"}])
        );
        let built = input(sent).unwrap();
        assert_eq!(built.answers(), a.answers());
        a.submit(at(12, 0)).unwrap();
        for (value, expected) in [
            (
                serde_json::json!({"answers": [{"question": "bad id", "text": "x"}]}),
                "answers[0].question must be 1 to 64 letters, digits, '-' or '_'",
            ),
            (
                serde_json::json!({"answers": [
                    {"question": "q", "text": "x"}, {"question": "q", "text": "y"}
                ]}),
                "answers[1].question repeats the question q",
            ),
            (
                serde_json::json!({"answers": [{"question": "q", "text": long}]}),
                "answers[0].text must be at most 4000 characters",
            ),
        ] {
            let errors = input(value.clone()).unwrap_err();
            assert!(
                errors.iter().any(|e| e.starts_with(expected)),
                "{value}: {errors:?}"
            );
        }
    }

    #[test]
    fn an_account_is_full_at_its_limits() {
        let mut a = account();
        for i in 0..MAX_OBSERVATIONS_PER_ACCOUNT {
            let id = ObservationId::parse(&format!("o{i}")).unwrap();
            a.add_observation(id, FactorKind::Human, "x").unwrap();
        }
        let extra = a.add_observation(
            ObservationId::parse("more").unwrap(),
            FactorKind::Human,
            "x",
        );
        assert_eq!(
            extra.unwrap_err().to_string(),
            "invalid input: observations are limited to 200 per account"
        );
    }
}
