//! The shared review document and every rule that changes it or reads it whole.
//!
//! This file holds [`Review`] itself: the incident's facts, the participants, their recorded
//! submissions, and what may change in which phase. Its fields are private to this folder; each
//! file beside it holds one part of the document with the `impl Review` block that keeps its
//! rules, and what is read from the revealed review:
//! - [`reveal`]: [`Revealed`](reveal::Revealed), the only way to get accounts that may be
//!   combined; [`merge`]: links, suggestions, the merged timeline, divergences; [`moments`]: key
//!   moments and "How it unfolded"; [`factors`]: factors, dot-voting, key insights; [`themes`]:
//!   related factors under a name; [`action`]: follow-up actions and their exports;
//!   [`finding`]: the published finding, each section's audience and the tags.
//! - `guide` and `reference`: the rules on the guide and reference material, whose types live in
//!   [`crate::guide`] and [`crate::reference`]; `transition`: [`Review::transition`], the one
//!   function that moves the review between phases (publishing builds the finding).
//!
//! These files import this one and each other one way (reveal ← merge ← moments, reveal ←
//! factors ← themes, all of them ← finding ← transition); nothing here imports a module above the
//! review (`op`, `sync`, `export`, `feed`, `wire`).

pub mod action;
pub mod factors;
pub mod finding;
mod guide;
pub mod listing;
pub mod merge;
pub mod moments;
mod reference;
pub mod reveal;
pub mod themes;
mod transition;

use crate::account::Account;
use crate::guide::{BuiltinGuide, Guide};
use crate::id::{ParticipantId, ReviewId};
use crate::limits::{MAX_PARTICIPANTS, too_many};
use crate::phase::Phase;
use crate::reference::ReferenceMaterial;
use crate::review::action::Action;
use crate::review::factors::Vote;
use crate::review::finding::{Finding, Publication};
use crate::review::merge::Link;
use crate::review::moments::Moment;
use crate::review::themes::Theme;
use crate::text;
use crate::validation::ValidationError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::limits::{MAX_SERVICES, MAX_TITLE_CHARS};
pub use crate::text::MAX_NAME_CHARS;

crate::keyed_enum! {
    /// How bad the incident was, from SEV1 (worst) to SEV4.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Severity {
        Sev1 = ("sev1", "SEV1"),
        Sev2 = ("sev2", "SEV2"),
        Sev3 = ("sev3", "SEV3"),
        Sev4 = ("sev4", "SEV4"),
    }
}

/// The incident's facts, as the facilitator sets them up. Always valid: built only through
/// [`IncidentFacts::new`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacts {
    title: String,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    started_at: DateTime<Utc>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::time_option"
    )]
    detected_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::time_option"
    )]
    resolved_at: Option<DateTime<Utc>>,
    severity: Severity,
    team: String,
    services: Vec<String>,
    /// How customers felt it, in words; may be empty. Absent from facts stored before it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    customer_impact: String,
    /// How many customers (or accounts, or requests: the text says which) were affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    affected_count: Option<u64>,
}

/// The longest customer impact, in characters.
pub const MAX_IMPACT_CHARS: usize = 1000;

/// The raw fields of [`IncidentFacts`], before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactsInput {
    pub title: String,
    #[serde(default, deserialize_with = "crate::rfc3339::time_option")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::rfc3339::time_option")]
    pub detected_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::rfc3339::time_option")]
    pub resolved_at: Option<DateTime<Utc>>,
    pub severity: Option<Severity>,
    pub team: String,
    pub services: Vec<String>,
    /// Optional, so an op written before it still reads.
    #[serde(default)]
    pub customer_impact: String,
    #[serde(default)]
    pub affected_count: Option<u64>,
}

/// The services a review keeps of those `typed`, in order: each trimmed, empty ones and
/// repeats left out.
pub fn distinct_services<'a>(typed: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut kept: Vec<&str> = Vec::new();
    for s in typed.into_iter().map(str::trim) {
        if !s.is_empty() && !kept.contains(&s) {
            kept.push(s);
        }
    }
    kept
}

impl IncidentFacts {
    /// Validates and normalises the facts: text is trimmed, services are de-duplicated in order,
    /// and the times must run started ≤ detected ≤ resolved. Every problem is reported, not just
    /// the first, so a form can mark all its bad fields at once.
    pub fn new(input: FactsInput) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = input.title.trim().to_owned();
        crate::text::check_chars(&mut errors, "title", &title);
        crate::text::check_chars(&mut errors, "team", &input.team);
        if let Some(s) = input
            .services
            .iter()
            .find(|s| crate::text::forbidden_char(s).is_some())
        {
            crate::text::check_chars(&mut errors, "services", s);
        }
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
        let services = distinct_services(input.services.iter().map(String::as_str));
        if services.iter().any(|s| s.chars().count() > MAX_NAME_CHARS) {
            errors.push(ValidationError::new(
                "services",
                format!("each service name must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
        if services.len() > MAX_SERVICES {
            errors.push(ValidationError::new(
                "services",
                format!("at most {MAX_SERVICES} services"),
            ));
        }
        let services: Vec<String> = services.into_iter().map(str::to_owned).collect();
        let customer_impact = input.customer_impact.trim().to_owned();
        crate::text::check_chars(&mut errors, "customer_impact", &customer_impact);
        if customer_impact.chars().count() > MAX_IMPACT_CHARS {
            errors.push(ValidationError::new(
                "customer_impact",
                format!("must be at most {MAX_IMPACT_CHARS} characters"),
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
                customer_impact,
                affected_count: input.affected_count,
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
    pub fn customer_impact(&self) -> &str {
        &self.customer_impact
    }
    pub fn affected_count(&self) -> Option<u64> {
        self.affected_count
    }
    /// From the start to detection, when the detection time is known.
    pub fn time_to_detect(&self) -> Option<chrono::Duration> {
        self.detected_at.map(|d| d - self.started_at)
    }
    /// From the start to resolution, when the resolution time is known.
    pub fn time_to_resolve(&self) -> Option<chrono::Duration> {
        self.resolved_at.map(|r| r - self.started_at)
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
            customer_impact: self.customer_impact.clone(),
            affected_count: self.affected_count,
        }
    }
}

/// One person taking part in the review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub name: String,
    /// What they did in the incident ("on-call SRE", "incident commander"): anything published
    /// names them by this, unless they opt in to their name.
    pub role: String,
    /// Opt-in, never the default: a published finding shows the name only when this is set.
    #[serde(default)]
    pub show_name_when_published: bool,
}

impl Participant {
    /// How published material names this participant: their name if they opted in, else their
    /// role.
    pub fn published_name(&self) -> &str {
        if self.show_name_when_published {
            &self.name
        } else {
            &self.role
        }
    }

    /// The raw fields, for a form that edits this participant.
    pub fn to_input(&self) -> ParticipantInput {
        ParticipantInput {
            name: self.name.clone(),
            role: self.role.clone(),
            show_name_when_published: self.show_name_when_published,
        }
    }
}

/// The raw fields of a [`Participant`], before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantInput {
    pub name: String,
    pub role: String,
    pub show_name_when_published: bool,
}

impl ParticipantInput {
    fn validate(self, id: ParticipantId) -> Result<Participant, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = text::short(&mut errors, "name", &self.name);
        let role = text::short(&mut errors, "role", &self.role);
        if errors.is_empty() {
            Ok(Participant {
                id,
                name,
                role,
                show_name_when_published: self.show_name_when_published,
            })
        } else {
            Err(errors)
        }
    }
}

/// A participant's submitted account, as the shared review records it: enough for everyone to
/// see who has submitted, and later to check that the revealed account is the one submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub participant_id: ParticipantId,
    /// The account's commitment: see [`crate::account::commitment`].
    pub commitment: String,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub submitted_at: DateTime<Utc>,
}

/// Someone the facilitator removed from the review, kept so that everyone can see they left
/// (and, when they had submitted, that their recorded commitment no longer counts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedParticipant {
    pub participant: Participant,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub removed_at: DateTime<Utc>,
    /// Their submission, when they had submitted: no longer part of the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission: Option<Submission>,
}

/// One review: the shared document of an incident's post-incident review.
///
/// Everyone in the review reads this document. The participants' accounts are separate
/// documents ([`Account`]) that join it only at the reveal, through [`Review::revealed`].
///
/// Fields added after the first release are `#[serde(default)]`, so reviews stored before them
/// still load. They are private so that the only way to change them is through methods that keep
/// these rules:
///
/// | change | allowed in phases |
/// |---|---|
/// | facts, summary, reference material, a participant's details | all but Published |
/// | the question guide | Setup |
/// | adding or removing participants | Setup, Investigating |
/// | recording a submission | Investigating |
/// | storing an account draft | Setup, Investigating |
/// | links, key moments, themes, votes, key insights, actions | Revealed, Actions |
/// | the finding's tags and each section's audience ([`Publication`]) | Revealed, Actions |
/// | an action's status | Revealed, Actions, Published |
/// | the phase itself | see [`Review::transition`] |
///
/// A published review changes only by stepping back to Actions, then publishing again, with
/// one exception: an action's status still changes after publishing, in the review and in its
/// published finding, so the feed shows how the follow-up work stands. Every accepted change
/// increments `version` and sets `updated_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: ReviewId,
    /// Increases by one with every accepted change; the basis of conditional writes.
    pub version: u64,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub updated_at: DateTime<Utc>,
    pub facts: IncidentFacts,
    #[serde(default)]
    pub(crate) phase: Phase,
    /// The facilitator's short account of what happened, for the published finding.
    #[serde(default)]
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) participants: Vec<Participant>,
    #[serde(default)]
    pub(crate) reference: Vec<ReferenceMaterial>,
    /// The questions every account answers; fixed once accounts open. Left out when empty, as
    /// a review stored before guides is served unchanged.
    #[serde(default, skip_serializing_if = "Guide::is_empty")]
    pub(crate) guide: Guide,
    /// At most one per participant.
    #[serde(default)]
    pub(crate) submissions: Vec<Submission>,
    /// Who was removed, in the order they were; their submission moves here with them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) removed: Vec<RemovedParticipant>,
    /// Set once, by the reveal, and never cleared: the reveal can't be undone.
    #[serde(default, deserialize_with = "crate::rfc3339::time_option")]
    pub(crate) revealed_at: Option<DateTime<Utc>>,
    /// No entry is in two links.
    #[serde(default)]
    pub(crate) links: Vec<Link>,
    /// Entries marked as key moments, at most one mark per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) moments: Vec<Moment>,
    /// At most one vote per (voter, factor), and at most `DOTS_PER_PARTICIPANT` per voter,
    /// counting the dots on themes.
    #[serde(default)]
    pub(crate) votes: Vec<Vote>,
    /// Related factors grouped under a name; no factor is in two themes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) themes: Vec<Theme>,
    #[serde(default)]
    pub(crate) key_insights: Vec<String>,
    #[serde(default)]
    pub(crate) actions: Vec<Action>,
    /// The last one published; kept while the review is stepped back to amend it.
    #[serde(default)]
    pub(crate) finding: Option<Finding>,
    /// The tags and each section's audience the next publish gives the finding.
    #[serde(default)]
    pub(crate) publication: Publication,
}

/// Why the review refused a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum EditError {
    /// This part of the review can't change in the review's current phase.
    Locked {
        phase: Phase,
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
    /// The participant has submitted an account, so they stay in the review.
    HasSubmitted {
        participant_id: ParticipantId,
    },
    /// Someone with this name and role is already in the review: one person, one row.
    SamePerson {
        name: String,
        role: String,
    },
    /// The participant already has a different submission recorded.
    AlreadySubmitted {
        participant_id: ParticipantId,
    },
    /// The account is a draft, or its content no longer matches its commitment.
    NotSealed {
        participant_id: ParticipantId,
    },
    /// The account belongs to another review.
    WrongReview {
        review_id: ReviewId,
    },
    /// The participant has placed all their dots; they must take one back first.
    OutOfDots {
        dots: usize,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Locked { phase } => write!(
                f,
                "this can't be changed while the review is in the {} phase",
                phase.label()
            ),
            Self::Invalid { fields } => {
                let list: Vec<String> = fields.iter().map(ToString::to_string).collect();
                write!(f, "invalid input: {}", list.join("; "))
            }
            Self::NotFound { id } => write!(f, "nothing in this review has the id {id}"),
            Self::DuplicateId { id } => write!(f, "the id {id} is already in use"),
            Self::HasSubmitted { participant_id } => write!(
                f,
                "participant {participant_id} has submitted an account and can't be removed"
            ),
            Self::SamePerson { name, role } => write!(
                f,
                "{name} ({role}) is already in this review: one person takes part once"
            ),
            Self::AlreadySubmitted { participant_id } => write!(
                f,
                "participant {participant_id} already submitted a different account"
            ),
            Self::NotSealed { participant_id } => write!(
                f,
                "the account of {participant_id} is not submitted, or was changed after it was"
            ),
            Self::WrongReview { review_id } => {
                write!(f, "the account belongs to another review ({review_id})")
            }
            Self::OutOfDots { dots } => write!(
                f,
                "all {dots} dots are placed: take one back before placing another"
            ),
        }
    }
}

impl std::error::Error for EditError {}

impl From<Vec<ValidationError>> for EditError {
    fn from(fields: Vec<ValidationError>) -> Self {
        Self::Invalid { fields }
    }
}

/// Phases in which the facts and other setup material may change.
pub(crate) const NOT_PUBLISHED: &[Phase] = &[
    Phase::Setup,
    Phase::Investigating,
    Phase::Revealed,
    Phase::Actions,
];
/// Phases before the reveal.
pub(crate) const BEFORE_REVEAL: &[Phase] = &[Phase::Setup, Phase::Investigating];
/// Phases of the group's work on the revealed accounts.
pub(crate) const GROUP_WORK: &[Phase] = &[Phase::Revealed, Phase::Actions];
/// Phases in which an action's status may change: the group's work, and after publishing.
pub(crate) const ACTION_PROGRESS: &[Phase] = &[Phase::Revealed, Phase::Actions, Phase::Published];

impl Review {
    /// A new review at version 1, in the Setup phase.
    pub fn new(id: ReviewId, facts: IncidentFacts, now: DateTime<Utc>) -> Self {
        Self {
            id,
            version: 1,
            created_at: now,
            updated_at: now,
            facts,
            phase: Phase::Setup,
            summary: String::new(),
            participants: Vec::new(),
            reference: Vec::new(),
            guide: Guide::builtin(BuiltinGuide::Default),
            submissions: Vec::new(),
            removed: Vec::new(),
            revealed_at: None,
            links: Vec::new(),
            moments: Vec::new(),
            votes: Vec::new(),
            themes: Vec::new(),
            key_insights: Vec::new(),
            actions: Vec::new(),
            finding: None,
            publication: Publication::default(),
        }
    }

    /// Refuses unless the review is in one of `phases`.
    pub(crate) fn unlocked(&self, phases: &[Phase]) -> Result<(), EditError> {
        if phases.contains(&self.phase) {
            Ok(())
        } else {
            Err(EditError::Locked { phase: self.phase })
        }
    }

    /// Records an accepted change.
    pub(crate) fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }

    pub fn set_facts(&mut self, facts: IncidentFacts, now: DateTime<Utc>) -> Result<(), EditError> {
        self.unlocked(NOT_PUBLISHED)?;
        self.facts = facts;
        self.touch(now);
        Ok(())
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The facilitator's summary for the published finding; may be empty until publishing.
    pub fn set_summary(&mut self, summary: &str, now: DateTime<Utc>) -> Result<(), EditError> {
        self.unlocked(NOT_PUBLISHED)?;
        let mut errors = Vec::new();
        let summary = text::long(&mut errors, "summary", summary, false);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        self.summary = summary;
        self.touch(now);
        Ok(())
    }

    pub fn participants(&self) -> &[Participant] {
        &self.participants
    }

    pub fn participant(&self, id: &ParticipantId) -> Option<&Participant> {
        self.participants.iter().find(|p| &p.id == id)
    }

    /// Every participant's name, for [`crate::coach::check`].
    pub fn participant_names(&self) -> Vec<&str> {
        self.participants.iter().map(|p| p.name.as_str()).collect()
    }

    pub(crate) fn require_participant(
        &self,
        id: &ParticipantId,
    ) -> Result<&Participant, EditError> {
        self.participant(id)
            .ok_or_else(|| EditError::NotFound { id: id.to_string() })
    }

    pub fn add_participant(
        &mut self,
        id: ParticipantId,
        input: ParticipantInput,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(BEFORE_REVEAL)?;
        if self.participant(&id).is_some() {
            return Err(EditError::DuplicateId { id: id.to_string() });
        }
        if self.participants.len() >= MAX_PARTICIPANTS {
            return Err(vec![too_many("participants", MAX_PARTICIPANTS, "review")].into());
        }
        let participant = input.validate(id)?;
        self.refuse_same_person(&participant)?;
        self.participants.push(participant);
        self.touch(now);
        Ok(())
    }

    /// Refuses a participant whose name and role (ignoring case and spaces around them) are
    /// another participant's: two rows for one person would split their work and stall the
    /// reveal waiting for one of them.
    fn refuse_same_person(&self, new: &Participant) -> Result<(), EditError> {
        let same = |p: &&Participant| {
            p.id != new.id
                && crate::text::lowercase(&p.name) == crate::text::lowercase(&new.name)
                && crate::text::lowercase(&p.role) == crate::text::lowercase(&new.role)
        };
        match self.participants.iter().find(same) {
            Some(p) => Err(EditError::SamePerson {
                name: p.name.clone(),
                role: p.role.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Whether a participant with this name and role (ignoring case and spaces) is in the
    /// review, so a join form can say so before sending.
    pub fn has_person(&self, name: &str, role: &str) -> Option<&Participant> {
        let (name, role) = (
            crate::text::lowercase(name.trim()),
            crate::text::lowercase(role.trim()),
        );
        self.participants.iter().find(|p| {
            crate::text::lowercase(&p.name) == name && crate::text::lowercase(&p.role) == role
        })
    }

    /// Changes a participant's name, role or opt-in. Allowed after the reveal too, so that
    /// someone can still opt in or out before the review is published.
    pub fn update_participant(
        &mut self,
        id: &ParticipantId,
        input: ParticipantInput,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(NOT_PUBLISHED)?;
        self.require_participant(id)?;
        let participant = input.validate(id.clone())?;
        self.refuse_same_person(&participant)?;
        if let Some(slot) = self.participants.iter_mut().find(|p| &p.id == id) {
            *slot = participant;
        }
        self.touch(now);
        Ok(())
    }

    /// Removes a participant, before the reveal only. A submitted account's commitment moves
    /// with them to [`Review::removed`], marked removed rather than silently gone, and no
    /// longer counts for the reveal.
    pub fn remove_participant(
        &mut self,
        id: &ParticipantId,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(BEFORE_REVEAL)?;
        let participant = self.require_participant(id)?.clone();
        let submission = self
            .submissions
            .iter()
            .position(|s| &s.participant_id == id)
            .map(|at| self.submissions.remove(at));
        self.participants.retain(|p| &p.id != id);
        self.removed.push(RemovedParticipant {
            participant,
            removed_at: now,
            submission,
        });
        self.touch(now);
        Ok(())
    }

    /// Everyone removed from the review, in the order they were.
    pub fn removed(&self) -> &[RemovedParticipant] {
        &self.removed
    }

    /// The removal of this participant, if they were removed (and not added back since).
    pub fn removal(&self, id: &ParticipantId) -> Option<&RemovedParticipant> {
        if self.participant(id).is_some() {
            return None;
        }
        self.removed.iter().rev().find(|r| &r.participant.id == id)
    }

    /// Who has submitted, in the order they did.
    pub fn submissions(&self) -> &[Submission] {
        &self.submissions
    }

    pub fn submission(&self, participant: &ParticipantId) -> Option<&Submission> {
        self.submissions
            .iter()
            .find(|s| &s.participant_id == participant)
    }

    /// Records that `account` was submitted, with its commitment, so everyone can see it. Only
    /// while the review is Investigating: an account written after the reveal could have drawn on
    /// the others, so it isn't independent. Recording the same account twice changes nothing.
    pub fn record_submission(
        &mut self,
        account: &Account,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(&[Phase::Investigating])?;
        if account.review_id() != &self.id {
            return Err(EditError::WrongReview {
                review_id: account.review_id().clone(),
            });
        }
        let participant_id = account.participant_id();
        self.require_participant(participant_id)?;
        let (Some(submitted_at), Some(commitment), true) = (
            account.submitted_at(),
            account.commitment(),
            crate::account::commitment::verify_commitment(account),
        ) else {
            return Err(EditError::NotSealed {
                participant_id: participant_id.clone(),
            });
        };
        if let Some(known) = self.submission(participant_id) {
            return if known.commitment == commitment {
                Ok(())
            } else {
                Err(EditError::AlreadySubmitted {
                    participant_id: participant_id.clone(),
                })
            };
        }
        self.submissions.push(Submission {
            participant_id: participant_id.clone(),
            commitment: commitment.to_owned(),
            submitted_at,
        });
        self.touch(now);
        Ok(())
    }

    /// Whether a participant's account draft may be stored now: only before the reveal (Setup
    /// and Investigating), while it can still be submitted and recorded. After the reveal an
    /// account written then could draw on the others'.
    pub fn accepts_account_drafts(&self) -> Result<(), EditError> {
        self.unlocked(BEFORE_REVEAL)
    }

    /// When the accounts were revealed; `None` before the reveal.
    pub fn revealed_at(&self) -> Option<DateTime<Utc>> {
        self.revealed_at
    }

    /// The last published finding, if any. It stays while the review is stepped back from
    /// Published to amend it, until the next publish replaces it.
    pub fn finding(&self) -> Option<&Finding> {
        self.finding.as_ref()
    }
}

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
            customer_impact: " Checkout was slow for everyone ".into(),
            affected_count: Some(40),
        }
    }

    #[test]
    fn impact_and_timings_come_from_the_facts() {
        let facts = IncidentFacts::new(input()).unwrap();
        assert_eq!(facts.customer_impact(), "Checkout was slow for everyone");
        assert_eq!(facts.affected_count(), Some(40));
        assert_eq!(facts.time_to_detect(), Some(chrono::Duration::hours(1)));
        assert_eq!(facts.time_to_resolve(), Some(chrono::Duration::hours(2)));
        let unknown = IncidentFacts::new(FactsInput {
            detected_at: None,
            resolved_at: None,
            ..input()
        })
        .unwrap();
        assert_eq!(
            (unknown.time_to_detect(), unknown.time_to_resolve()),
            (None, None)
        );
        let long = FactsInput {
            customer_impact: "x".repeat(MAX_IMPACT_CHARS + 1),
            ..input()
        };
        assert_eq!(fields(IncidentFacts::new(long)), ["customer_impact"]);
        // Facts stored before impact existed still load, and an op written before it reads.
        let mut old = serde_json::to_value(&facts).unwrap();
        let object = old.as_object_mut().unwrap();
        object.remove("customer_impact");
        object.remove("affected_count");
        let old: IncidentFacts = serde_json::from_value(old).unwrap();
        assert_eq!((old.customer_impact(), old.affected_count()), ("", None));
        let mut op = serde_json::to_value(input()).unwrap();
        op.as_object_mut().unwrap().remove("customer_impact");
        assert!(serde_json::from_value::<FactsInput>(op).is_ok());
    }

    fn fields(result: Result<IncidentFacts, Vec<ValidationError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn valid_facts_are_normalised() {
        let facts = IncidentFacts::new(input()).unwrap();
        assert_eq!(facts.title(), "Checkout latency");
        assert_eq!(facts.services(), ["api", "db"]);
        assert_eq!(facts.to_input().services, ["api", "db"]);
    }

    #[test]
    fn services_typed_with_commas_are_kept_once_each_in_order() {
        assert_eq!(
            distinct_services(" db, api,,db , cache ".split(',')),
            ["db", "api", "cache"]
        );
        assert!(distinct_services(" , ".split(',')).is_empty());
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

    use crate::fixture::{self, pid, review_in, t};
    use crate::phase::Phase;

    type Change = dyn Fn(&mut Review, &[Account]) -> Result<(), EditError>;

    /// Tries one kind of change in every phase and renders which phases accept it.
    fn phases_accepting(change: &Change) -> String {
        Phase::ALL
            .into_iter()
            .filter(|&phase| {
                let (mut review, accounts) = review_in(phase);
                match change(&mut review, &accounts) {
                    Ok(()) => true,
                    Err(EditError::Locked { phase: p }) => {
                        assert_eq!(p, phase);
                        false
                    }
                    Err(e) => panic!("{phase:?}: {e}"),
                }
            })
            .map(Phase::key)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn what_may_change_in_which_phase() {
        let participant = || ParticipantInput {
            name: "Dave".into(),
            role: "network engineer".into(),
            show_name_when_published: false,
        };
        let cases: Vec<(&str, Box<Change>)> = vec![
            (
                "set_facts",
                Box::new(|r, _| r.set_facts(fixture::facts(), t(20, 0))),
            ),
            ("set_summary", Box::new(|r, _| r.set_summary("s", t(20, 0)))),
            (
                "add_participant",
                Box::new(move |r, _| r.add_participant(pid("dave"), participant(), t(20, 0))),
            ),
            (
                "update_participant",
                Box::new(|r, _| {
                    let input = r.participant(&pid("carol")).unwrap().to_input();
                    r.update_participant(&pid("carol"), input, t(20, 0))
                }),
            ),
            (
                "remove_participant",
                Box::new(|r, _| r.remove_participant(&pid("carol"), t(20, 0))),
            ),
            (
                "add_reference",
                Box::new(|r, _| {
                    let content = crate::ReferenceContent::Text { body: "log".into() };
                    r.add_reference(
                        crate::ReferenceId::parse("ref").unwrap(),
                        "Chat",
                        content,
                        t(20, 0),
                    )
                }),
            ),
            (
                "record_submission",
                Box::new(|r, accounts| {
                    let mut carol = accounts[2].clone();
                    carol.submit(t(20, 0)).unwrap();
                    r.record_submission(&carol, t(20, 0))
                }),
            ),
            (
                "add_question",
                Box::new(|r, _| {
                    let input = crate::QuestionInput {
                        text: "What helped?".into(),
                        hint: String::new(),
                    };
                    r.add_question(crate::QuestionId::parse("q").unwrap(), input, t(20, 0))
                }),
            ),
            (
                "add_key_insight",
                Box::new(|r, _| r.add_key_insight("k", t(20, 0))),
            ),
            (
                "group_theme",
                Box::new(|r, accounts| {
                    let id = crate::ThemeId::parse("th").unwrap();
                    let refs = [fixture::fref("alice", "ao1"), fixture::fref("bob", "bo1")];
                    r.group_theme(id, "Alerting", &refs, accounts, t(20, 0))
                }),
            ),
            (
                "set_publication",
                Box::new(|r, _| {
                    let audience = crate::feed::SectionAudience::default();
                    r.set_publication(&["payments".into()], audience, t(20, 0))
                }),
            ),
            (
                "add_action",
                Box::new(|r, accounts| {
                    let input = crate::ActionInput {
                        title: "t".into(),
                        kind: Some(crate::ActionKind::Learn),
                        priority: Some(crate::Priority::P3),
                        ..crate::ActionInput::default()
                    };
                    r.add_action(fixture::aid("new"), input, accounts, t(20, 0))
                }),
            ),
            (
                "set_action_status",
                Box::new(|r, _| {
                    let done = crate::ActionStatus::Done;
                    // The fixture's action exists from Actions on: in Revealed, "not found"
                    // still means the phase let the change through.
                    match r.set_action_status(&fixture::aid("x1"), done, t(20, 0)) {
                        Err(EditError::NotFound { .. }) => Ok(()),
                        other => other,
                    }
                }),
            ),
        ];
        let actual: Vec<String> = cases
            .iter()
            .map(|(name, change)| format!("{name}: {}", phases_accepting(change)))
            .collect();
        assert_eq!(
            actual,
            [
                "set_facts: setup investigating revealed actions",
                "set_summary: setup investigating revealed actions",
                "add_participant: setup investigating",
                "update_participant: setup investigating revealed actions",
                "remove_participant: setup investigating",
                "add_reference: setup investigating revealed actions",
                "record_submission: investigating",
                "add_question: setup",
                "add_key_insight: revealed actions",
                "group_theme: revealed actions",
                "set_publication: revealed actions",
                "add_action: revealed actions",
                "set_action_status: revealed actions published",
            ]
        );
    }

    #[test]
    fn participants_are_validated_and_submitters_stay() {
        let (mut review, _) = review_in(Phase::Investigating);
        let bad = ParticipantInput {
            name: " ".into(),
            role: "r".repeat(MAX_NAME_CHARS + 1),
            show_name_when_published: false,
        };
        assert_eq!(
            review
                .add_participant(pid("dave"), bad, t(20, 0))
                .unwrap_err()
                .to_string(),
            "invalid input: name is required; role must be at most 80 characters"
        );
        let alice = review.participant(&pid("alice")).unwrap().to_input();
        assert_eq!(
            review.add_participant(pid("alice"), alice, t(20, 0)),
            Err(EditError::DuplicateId { id: "alice".into() })
        );
        review.remove_participant(&pid("carol"), t(20, 0)).unwrap();
        assert_eq!(review.participant_names(), ["Alice Smith", "Bob"]);
        assert_eq!(review.removal(&pid("carol")).unwrap().submission, None);
    }

    #[test]
    fn one_person_takes_part_once() {
        let (mut review, _) = review_in(Phase::Investigating);
        let mut alice = review.participant(&pid("alice")).unwrap().to_input();
        alice.name = format!("  {}  ", alice.name.to_uppercase());
        assert_eq!(
            review
                .add_participant(pid("alice-2"), alice.clone(), t(20, 0))
                .unwrap_err()
                .to_string(),
            "Alice Smith (on-call SRE) is already in this review: one person takes part once"
        );
        let bob = review.participant(&pid("bob")).unwrap().to_input();
        assert!(matches!(
            review.update_participant(&pid("bob"), alice.clone(), t(20, 0)),
            Err(EditError::SamePerson { .. })
        ));
        review
            .update_participant(&pid("bob"), bob, t(20, 0))
            .unwrap();
        assert!(review.has_person(" alice smith ", "ON-CALL SRE").is_some());
        alice.role = "incident commander".into();
        review
            .add_participant(pid("alice-2"), alice, t(20, 0))
            .unwrap();
    }

    #[test]
    fn a_removed_submitter_leaves_their_commitment_marked_removed() {
        let (mut review, accounts) = review_in(Phase::Investigating);
        let recorded = review.submission(&pid("alice")).unwrap().clone();
        let version = review.version;
        review.remove_participant(&pid("alice"), t(20, 0)).unwrap();
        assert_eq!(review.version, version + 1);
        assert!(review.submission(&pid("alice")).is_none());
        let removed = review.removal(&pid("alice")).unwrap();
        assert_eq!(removed.participant.name, "Alice Smith");
        assert_eq!(removed.removed_at, t(20, 0));
        assert_eq!(removed.submission.as_ref(), Some(&recorded));
        // Their sealed account no longer counts for the reveal.
        review.transition(Phase::Revealed, &[], t(21, 0)).unwrap();
        let view = review.revealed(&accounts).unwrap();
        assert!(
            view.accounts()
                .iter()
                .all(|a| a.participant_id() != &pid("alice"))
        );
        assert!(!view.missing().contains(&pid("alice")));
        // Gone for good after the reveal: nobody is removed once the accounts are combined.
        assert!(matches!(
            review.remove_participant(&pid("bob"), t(22, 0)),
            Err(EditError::Locked { .. })
        ));
    }

    #[test]
    fn submissions_are_recorded_once_and_only_when_sealed() {
        let (mut review, accounts) = review_in(Phase::Investigating);
        let version = review.version;
        review.record_submission(&accounts[0], t(20, 0)).unwrap();
        assert_eq!(
            review.version, version,
            "recording the same account again changes nothing"
        );
        assert_eq!(
            review.submission(&pid("alice")).unwrap().commitment,
            accounts[0].commitment().unwrap()
        );
        let err = |review: &mut Review, account: &Account| {
            review
                .record_submission(account, t(20, 0))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&mut review, &accounts[2]),
            "the account of carol is not submitted, or was changed after it was"
        );
        let mut tampered: serde_json::Value = serde_json::to_value(&accounts[2]).unwrap();
        tampered["submitted_at"] = "2026-11-01T12:00:00Z".into();
        tampered["commitment"] = accounts[0].commitment().unwrap().into();
        let tampered: Account = serde_json::from_value(tampered).unwrap();
        assert_eq!(
            err(&mut review, &tampered),
            "the account of carol is not submitted, or was changed after it was"
        );
        let mut other = Account::new(ReviewId::parse("r-2").unwrap(), pid("carol"));
        other
            .add_entry(
                crate::EntryId::parse("e").unwrap(),
                crate::account::tests::entry(10, 0, "x"),
            )
            .unwrap();
        other.submit(t(20, 0)).unwrap();
        assert_eq!(
            err(&mut review, &other),
            "the account belongs to another review (r-2)"
        );
        let mut alice_again = Account::new(review.id.clone(), pid("alice"));
        alice_again
            .add_entry(
                crate::EntryId::parse("e").unwrap(),
                crate::account::tests::entry(10, 0, "x"),
            )
            .unwrap();
        alice_again.submit(t(20, 0)).unwrap();
        assert_eq!(
            err(&mut review, &alice_again),
            "participant alice already submitted a different account"
        );
    }

    #[test]
    fn the_reveal_gate_keeps_only_sealed_recorded_accounts() {
        let (review, accounts) = review_in(Phase::Investigating);
        assert_eq!(
            review.revealed(&accounts).unwrap_err().to_string(),
            "the accounts are not revealed yet (the review is in Independent accounts)"
        );
        let (review, mut accounts) = review_in(Phase::Revealed);
        // Carol submits after the reveal: too late to be independent.
        accounts[2].submit(t(20, 0)).unwrap();
        // Bob's account is altered after it was sealed.
        let mut bob = serde_json::to_value(&accounts[1]).unwrap();
        bob["entries"][0]["what_happened"] = "something else".into();
        accounts[1] = serde_json::from_value(bob).unwrap();
        // Alice's account appears twice, and in reverse order: still once, in participant order.
        accounts.push(accounts[0].clone());
        accounts.reverse();
        let view = review.revealed(&accounts).unwrap();
        let ids: Vec<&str> = view
            .accounts()
            .iter()
            .map(|a| a.participant_id().as_str())
            .collect();
        assert_eq!(ids, ["alice"]);
        let rejected: Vec<String> = view
            .rejected()
            .iter()
            .map(|r| format!("{} {:?}", r.participant_id, r.reason))
            .collect();
        assert_eq!(rejected, ["carol NotRecorded", "bob CommitmentMismatch"]);
        assert_eq!(view.missing(), [pid("bob")]);
    }

    #[test]
    fn older_stored_reviews_still_load() {
        let stored = serde_json::json!({
            "id": "r-1",
            "version": 3,
            "created_at": "2026-11-01T10:00:00Z",
            "updated_at": "2026-11-01T10:00:00Z",
            "facts": {
                "title": "DNS outage",
                "started_at": "2026-11-01T10:00:00Z",
                "severity": "sev1",
                "team": "Edge",
                "services": []
            }
        });
        let review: Review = serde_json::from_value(stored).unwrap();
        assert_eq!(review.phase(), Phase::Setup);
        assert!(review.participants().is_empty());
        assert_eq!(review.finding(), None);
    }
}
