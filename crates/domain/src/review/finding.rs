//! The published finding: what the review learned, fit to share beyond the people in it.
//!
//! People are named by their role: a participant's name is replaced by their role wherever it
//! appears (as an owner, as the author of a factor, inside any text), unless that participant
//! opted in with `show_name_when_published`. Each section is for the review's own team or for the
//! whole organisation ([`SectionAudience`]); the feed shows each reader their part.

use crate::id::ActionId;
use crate::id::ReviewId;
use crate::review::action::{ActionKind, ActionStatus, Priority, StatusChange, markdown_inline};
use crate::review::factors::{self, FactorKind};
use crate::review::moments::{self, MomentKind};
use crate::review::reveal::Revealed;
use crate::review::themes;
use crate::review::{EditError, GROUP_WORK, Participant, Review, Severity};
use crate::text::{self, Word};
use crate::validation::ValidationError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use crate::limits::{MAX_TAG_CHARS, MAX_TAGS};

crate::keyed_enum! {
    /// Who may read one section of a published finding.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub enum Audience {
        /// Only the people in the review.
        Team = ("team", "Team only"),
        /// Everyone who can read the feed.
        #[default]
        Organisation = ("organisation", "Whole organisation"),
    }
}

impl Audience {
    fn is_organisation(&self) -> bool {
        *self == Self::Organisation
    }
}

/// The sections of a finding that can each be kept to the team. The title, team, services,
/// severity, tags and dates are always visible: they are how a reader finds the finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Summary,
    Unfolded,
    KeyInsights,
    Factors,
    Surprises,
    KnowledgeGaps,
    Helped,
    Lucky,
    Actions,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Self::Summary,
        Self::Unfolded,
        Self::KeyInsights,
        Self::Factors,
        Self::Surprises,
        Self::KnowledgeGaps,
        Self::Helped,
        Self::Lucky,
        Self::Actions,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Summary => "Summary",
            Self::Unfolded => "How it unfolded",
            Self::KeyInsights => "Key insights",
            Self::Factors => "Contributing factors",
            Self::Surprises => "Operational surprises",
            Self::KnowledgeGaps => "Knowledge gaps",
            Self::Helped => "What helped",
            Self::Lucky => "Where we were lucky",
            Self::Actions => "Actions",
        }
    }

    /// The section observations of `kind` are published in.
    pub fn of_kind(kind: FactorKind) -> Section {
        match kind {
            FactorKind::Technical | FactorKind::Human | FactorKind::Organisational => Self::Factors,
            FactorKind::OperationalSurprise => Self::Surprises,
            FactorKind::KnowledgeGap => Self::KnowledgeGaps,
            FactorKind::Helped => Self::Helped,
            FactorKind::Lucky => Self::Lucky,
        }
    }
}

/// The audience of each section; every section is for the whole organisation unless set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionAudience {
    #[serde(default)]
    pub summary: Audience,
    #[serde(default)]
    pub key_insights: Audience,
    #[serde(default)]
    pub factors: Audience,
    #[serde(default)]
    pub surprises: Audience,
    #[serde(default)]
    pub knowledge_gaps: Audience,
    /// Added with the "helped" and "lucky" kinds: a finding published before them reads as
    /// the whole organisation's, and has nothing in those sections. Left out when it is the
    /// organisation's, so what the API answered for such a finding stays byte for byte the same.
    #[serde(default, skip_serializing_if = "Audience::is_organisation")]
    pub helped: Audience,
    #[serde(default, skip_serializing_if = "Audience::is_organisation")]
    pub lucky: Audience,
    #[serde(default, skip_serializing_if = "Audience::is_organisation")]
    pub unfolded: Audience,
    #[serde(default)]
    pub actions: Audience,
}

impl SectionAudience {
    pub fn get(&self, section: Section) -> Audience {
        match section {
            Section::Summary => self.summary,
            Section::Unfolded => self.unfolded,
            Section::KeyInsights => self.key_insights,
            Section::Factors => self.factors,
            Section::Surprises => self.surprises,
            Section::KnowledgeGaps => self.knowledge_gaps,
            Section::Helped => self.helped,
            Section::Lucky => self.lucky,
            Section::Actions => self.actions,
        }
    }

    /// The names of the sections `audience` may read and nobody wider, in the finding's order:
    /// what a person is told before publishing.
    pub fn labels_for(&self, audience: Audience) -> Vec<&'static str> {
        Section::ALL
            .into_iter()
            .filter(|s| self.get(*s) == audience)
            .map(Section::label)
            .collect()
    }

    pub fn set(&mut self, section: Section, audience: Audience) {
        let slot = match section {
            Section::Summary => &mut self.summary,
            Section::Unfolded => &mut self.unfolded,
            Section::KeyInsights => &mut self.key_insights,
            Section::Factors => &mut self.factors,
            Section::Surprises => &mut self.surprises,
            Section::KnowledgeGaps => &mut self.knowledge_gaps,
            Section::Helped => &mut self.helped,
            Section::Lucky => &mut self.lucky,
            Section::Actions => &mut self.actions,
        };
        *slot = audience;
    }
}

/// How the next publish shares the finding: the tags readers can filter the feed by, and who
/// may read each section. Set by the facilitator before publishing; always valid, built only
/// through [`Review::set_publication`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    audience: SectionAudience,
}

/// A new review's choice: the sections that hold participants' own words (factors, surprises,
/// knowledge gaps, what helped, where we were lucky) stay with the team until the facilitator widens them; the group's own
/// conclusions (summary, insights, actions) are for the organisation.
impl Default for Publication {
    fn default() -> Self {
        let mut audience = SectionAudience::default();
        for section in [
            Section::Unfolded,
            Section::Factors,
            Section::Surprises,
            Section::KnowledgeGaps,
            Section::Helped,
            Section::Lucky,
        ] {
            audience.set(section, Audience::Team);
        }
        Self {
            tags: Vec::new(),
            audience,
        }
    }
}

impl Publication {
    /// Trimmed, distinct ignoring case, in the order given.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    pub fn audience(&self) -> &SectionAudience {
        &self.audience
    }
}

/// Normalises tags as typed: each trimmed, empty ones dropped, and a tag that differs from an
/// earlier one only in case dropped (the first spelling stays). Refused, with every problem
/// named under the field `tags`, when a tag is longer than [`MAX_TAG_CHARS`] or there are more
/// than [`MAX_TAGS`].
pub fn normalise_tags(raw: &[String]) -> Result<Vec<String>, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim();
        crate::text::check_chars(&mut errors, "tags", t);
        if t.is_empty()
            || tags
                .iter()
                .any(|known| crate::text::lowercase(known) == crate::text::lowercase(t))
        {
            continue;
        }
        if t.chars().count() > MAX_TAG_CHARS {
            errors.push(ValidationError::new(
                "tags",
                format!("must each be at most {MAX_TAG_CHARS} characters (\"{t}\" is longer)"),
            ));
        }
        tags.push(t.to_owned());
    }
    if tags.len() > MAX_TAGS {
        errors.push(ValidationError::new(
            "tags",
            format!("may be at most {MAX_TAGS} (there are {})", tags.len()),
        ));
    }
    if errors.is_empty() {
        Ok(tags)
    } else {
        Err(errors)
    }
}

impl Review {
    /// The tags and section audiences the next publish gives the finding.
    pub fn publication(&self) -> &Publication {
        &self.publication
    }

    /// Sets the finding's tags (normalised by [`normalise_tags`]) and each section's audience,
    /// while the group works on the revealed accounts, like the key insights.
    pub fn set_publication(
        &mut self,
        tags: &[String],
        audience: SectionAudience,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let tags = normalise_tags(tags)?;
        self.publication = Publication { tags, audience };
        self.touch(now);
        Ok(())
    }
}

/// Kinds shown as contributing factors; the other kinds have sections of their own.
const CONTRIBUTING: [FactorKind; 3] = [
    FactorKind::Technical,
    FactorKind::Human,
    FactorKind::Organisational,
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub review_id: ReviewId,
    pub title: String,
    pub summary: String,
    /// "How it unfolded": the marked moments in time order. Empty in findings published
    /// before key moments existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unfolded: Vec<FindingMoment>,
    pub key_insights: Vec<String>,
    /// The facilitator's themes, most votes first, each with its factors. A factor in a theme
    /// is listed there and not again in its own section. Empty in findings published before
    /// themes existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<FindingTheme>,
    /// Technical, human and organisational factors not in a theme, one group per kind that has
    /// any, most votes first.
    pub factors: Vec<FindingFactorGroup>,
    /// Observations of kind operational surprise, most votes first.
    pub surprises: Vec<FindingFactor>,
    /// Observations of kind knowledge gap, most votes first.
    pub knowledge_gaps: Vec<FindingFactor>,
    /// What helped, most votes first. Empty in findings published before the kind existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub helped: Vec<FindingFactor>,
    /// Where we were lucky, most votes first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lucky: Vec<FindingFactor>,
    /// In backlog order.
    pub actions: Vec<FindingAction>,
    pub team: String,
    pub services: Vec<String>,
    pub severity: Severity,
    /// How customers felt it (names replaced by roles); read with the summary, so kept to the
    /// team with it. Empty in findings published before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub impact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_count: Option<u64>,
    /// Whole minutes from the start to detection, from the facts' times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_detect_minutes: Option<i64>,
    /// Whole minutes from the start to resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_resolve_minutes: Option<i64>,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub published_at: DateTime<Utc>,
    /// Words a reader can filter the feed by, set by the facilitator before publishing.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who may read each section: see [`crate::feed`].
    #[serde(default)]
    pub audience: SectionAudience,
}

/// One marked moment as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingMoment {
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub at: DateTime<Utc>,
    pub kind: MomentKind,
    /// What happened, names replaced by roles.
    pub what: String,
    /// Who reported it: roles, or names of those who opted in.
    pub reported_by: Vec<String>,
}

/// One theme as published: its name (names replaced by roles), how many people dotted it, and
/// its factors with their kinds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingTheme {
    pub name: String,
    /// People with a dot on the theme or on any of its factors, each once.
    pub votes: u32,
    pub factors: Vec<FindingThemeFactor>,
}

/// A factor of a theme: its kind says which section's audience it has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ThemeFactorFields", into = "ThemeFactorFields")]
pub struct FindingThemeFactor {
    pub kind: FactorKind,
    pub factor: FindingFactor,
}

/// How a theme's factor is written: its kind beside the factor's own fields. (Written as
/// `#[serde(flatten)]` would, without its reader, which copies the object into a buffer first:
/// a second reader of each field's type in the app.)
#[derive(Serialize, Deserialize)]
struct ThemeFactorFields {
    kind: FactorKind,
    text: String,
    votes: u32,
    noted_by: String,
}

impl From<ThemeFactorFields> for FindingThemeFactor {
    fn from(f: ThemeFactorFields) -> Self {
        let ThemeFactorFields {
            kind,
            text,
            votes,
            noted_by,
        } = f;
        Self {
            kind,
            factor: FindingFactor {
                text,
                votes,
                noted_by,
            },
        }
    }
}

impl From<FindingThemeFactor> for ThemeFactorFields {
    fn from(f: FindingThemeFactor) -> Self {
        let FindingFactor {
            text,
            votes,
            noted_by,
        } = f.factor;
        Self {
            kind: f.kind,
            text,
            votes,
            noted_by,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFactorGroup {
    pub kind: FactorKind,
    pub factors: Vec<FindingFactor>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFactor {
    pub text: String,
    pub votes: u32,
    /// Who noted it: their role, or their name if they opted in.
    pub noted_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingAction {
    /// The review's action, so its status can be kept current after publishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ActionId>,
    pub title: String,
    pub kind: ActionKind,
    pub priority: Priority,
    pub status: ActionStatus,
    #[serde(default, deserialize_with = "crate::rfc3339::day_option")]
    pub due: Option<NaiveDate>,
    /// The owner's role, or their name if they opted in; `None` when unassigned.
    pub owner: Option<String>,
    /// The backlog item: an `http`/`https` URL checked by [`crate::review::action::tracker_link`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker_url: Option<String>,
    /// The owning team or person outside the review, names of participants replaced.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assignee: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::time_option"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// Every change of status, oldest first, kept current after publishing like `status`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StatusChange>,
}

impl FindingAction {
    /// The tracker link, if it is one the domain accepts (`http`/`https` only): what a page
    /// may put in an `href`, whatever document the finding came from.
    pub fn safe_tracker_url(&self) -> Option<&str> {
        self.tracker_url.as_deref().filter(|u| {
            crate::review::action::tracker_link(u)
                .ok()
                .flatten()
                .as_deref()
                == Some(*u)
        })
    }
}

/// The finding the review would publish now. [`Review::transition`](crate::Review::transition)
/// to Published stores it; call this directly for a preview.
pub fn build(view: &Revealed<'_>, now: DateTime<Utc>) -> Finding {
    let review = view.review();
    let anon = Anonymiser::new(review.participants());
    let noted_by = |f: &factors::Factor| {
        review
            .participant(&f.factor.participant_id)
            .map_or_else(String::new, |p| p.published_name().to_owned())
    };
    let finding_factor = |f: &factors::Factor| FindingFactor {
        text: anon.apply(&f.text),
        votes: f.votes,
        noted_by: noted_by(f),
    };
    let themes: Vec<FindingTheme> = themes::themes(view)
        .into_iter()
        .map(|t| FindingTheme {
            name: anon.apply(&t.name),
            votes: t.votes,
            factors: t
                .factors
                .iter()
                .map(|f| FindingThemeFactor {
                    kind: f.kind,
                    factor: finding_factor(f),
                })
                .collect(),
        })
        .collect();
    // A grouped factor is published in its theme only: no factor appears twice.
    let all: Vec<factors::Factor> = factors::factors(view)
        .into_iter()
        .filter(|f| review.theme_of(&f.factor).is_none())
        .collect();
    let of_kind = |kind: FactorKind| -> Vec<FindingFactor> {
        all.iter()
            .filter(|f| f.kind == kind)
            .map(finding_factor)
            .collect()
    };
    let factors = CONTRIBUTING
        .into_iter()
        .map(|kind| FindingFactorGroup {
            kind,
            factors: of_kind(kind),
        })
        .filter(|g| !g.factors.is_empty())
        .collect();
    let actions = review
        .actions_sorted()
        .into_iter()
        .map(|a| FindingAction {
            id: Some(a.id.clone()),
            title: anon.apply(&a.title),
            kind: a.kind,
            priority: a.priority,
            status: a.status,
            due: a.due,
            owner: a
                .owner
                .as_ref()
                .and_then(|o| review.participant(o))
                .map(|p| p.published_name().to_owned()),
            tracker_url: a.tracker_url.clone(),
            assignee: anon.apply(&a.assignee),
            created_at: a.created_at,
            history: a.history.clone(),
        })
        .collect();
    let facts = &review.facts;
    Finding {
        review_id: review.id.clone(),
        title: anon.apply(facts.title()),
        summary: anon.apply(review.summary()),
        unfolded: moments::unfolded(view)
            .into_iter()
            .map(|m| FindingMoment {
                at: m.at,
                kind: m.kind,
                what: anon.apply(&m.what),
                reported_by: m
                    .reporters
                    .iter()
                    .filter_map(|p| review.participant(p))
                    .map(|p| p.published_name().to_owned())
                    .collect(),
            })
            .collect(),
        key_insights: review
            .key_insights()
            .iter()
            .map(|k| anon.apply(k))
            .collect(),
        themes,
        factors,
        surprises: of_kind(FactorKind::OperationalSurprise),
        knowledge_gaps: of_kind(FactorKind::KnowledgeGap),
        helped: of_kind(FactorKind::Helped),
        lucky: of_kind(FactorKind::Lucky),
        actions,
        team: facts.team().to_owned(),
        services: facts.services().to_vec(),
        severity: facts.severity(),
        impact: anon.apply(facts.customer_impact()),
        affected_count: facts.affected_count(),
        time_to_detect_minutes: facts.time_to_detect().map(|d| d.num_minutes()),
        time_to_resolve_minutes: facts.time_to_resolve().map(|d| d.num_minutes()),
        published_at: now,
        tags: review.publication.tags.clone(),
        audience: review.publication.audience.clone(),
    }
}

/// Minutes as a person reads them: "45 min", "2 h 5 min", "3 d 4 h".
pub fn duration_words(minutes: i64) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// Name parts that are also everyday words: replaced only when written with a capital, so a
/// participant called Will doesn't turn every "will" into their role.
const COMMON_WORD_NAMES: &[&str] = &[
    "art", "bill", "chase", "faith", "grace", "grant", "hope", "hunter", "joy", "june", "mark",
    "may", "max", "rose", "sky", "summer", "will",
];

/// Replaces the names of participants who didn't opt in with their roles.
pub(crate) struct Anonymiser {
    /// (the name's words in lowercase, the replacement), longest names first so "Alice Smith"
    /// is replaced whole before "Alice" alone.
    names: Vec<(Vec<String>, String)>,
}

impl Anonymiser {
    pub(crate) fn new(participants: &[Participant]) -> Self {
        let mut names = Vec::new();
        for p in participants.iter().filter(|p| !p.show_name_when_published) {
            let parts: Vec<String> = text::words(&p.name)
                .iter()
                .map(|w| w.lower.clone())
                .collect();
            if parts.len() > 1 {
                for part in parts.iter().filter(|w| w.chars().count() >= 2) {
                    names.push((vec![part.clone()], p.role.clone()));
                }
            }
            if !parts.is_empty() {
                names.push((parts, p.role.clone()));
            }
        }
        names.sort_by_key(|(words, _)| std::cmp::Reverse(words.len()));
        Self { names }
    }

    /// The length in words of the name at the start of `words`, if one is there.
    fn name_at(&self, words: &[Word<'_>]) -> Option<(usize, &str)> {
        self.names.iter().find_map(|(name, role)| {
            let n = name.len();
            let matched = words.len() >= n
                && name.iter().enumerate().all(|(k, part)| {
                    let w = &words[k];
                    let last = k + 1 == n;
                    let same = if last {
                        w.stem() == part
                    } else {
                        &w.lower == part
                    };
                    same && (k == 0 || w.gap == text::Gap::Space)
                })
                && (n > 1 || name_word_ok(&words[0], &name[0]));
            matched.then_some((n, role.as_str()))
        })
    }

    pub(crate) fn apply(&self, s: &str) -> String {
        if self.names.is_empty() {
            return s.to_owned();
        }
        let words = text::words(s);
        let mut out = String::with_capacity(s.len());
        let mut copied = 0;
        let mut i = 0;
        while i < words.len() {
            match self.name_at(&words[i..]) {
                Some((n, role)) => {
                    let start = words[i].range.start;
                    let end = words[i + n - 1].stem_range().end;
                    out.push_str(&s[copied..start]);
                    if starts_sentence(&out) {
                        let mut chars = role.chars();
                        out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                        out.push_str(chars.as_str());
                    } else {
                        out.push_str(role);
                    }
                    copied = end;
                    i += n;
                }
                None => i += 1,
            }
        }
        out.push_str(&s[copied..]);
        out
    }
}

/// Whether text written after `before` opens a sentence, so a role put there reads "On-call SRE
/// paged…", not "on-call SRE paged…".
fn starts_sentence(before: &str) -> bool {
    let before = before.trim_end();
    before.is_empty() || before.ends_with(['.', '!', '?', ':'])
}

fn name_word_ok(word: &Word<'_>, part: &str) -> bool {
    let common = COMMON_WORD_NAMES.contains(&part) || text::is_stopword(part);
    !common || word.text.chars().next().is_some_and(char::is_uppercase)
}

impl Finding {
    /// The finding as a Markdown document.
    /// "Time to detect: 2 min · Time to resolve: 40 min", or what of it is known.
    pub fn timings(&self) -> Option<String> {
        let parts: Vec<String> = [
            ("Time to detect", self.time_to_detect_minutes),
            ("Time to resolve", self.time_to_resolve_minutes),
        ]
        .into_iter()
        .filter_map(|(label, m)| m.map(|m| format!("{label}: {}", duration_words(m))))
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// The customer impact with the affected count, if either is there.
    pub fn impact_line(&self) -> Option<String> {
        match (self.impact.is_empty(), self.affected_count) {
            (true, None) => None,
            (true, Some(n)) => Some(format!("{n} affected")),
            (false, None) => Some(self.impact.clone()),
            (false, Some(n)) => Some(format!("{} ({n} affected)", self.impact)),
        }
    }

    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        md.push_str(&format!("# {}\n\n", markdown_inline(&self.title)));
        md.push_str(&format!(
            "{} · {} · published {}\n",
            self.severity.label(),
            markdown_inline(&self.team),
            crate::timestamp::day(&self.published_at)
        ));
        if !self.services.is_empty() {
            let services: Vec<String> = self.services.iter().map(|s| markdown_inline(s)).collect();
            md.push_str(&format!("\nServices: {}\n", services.join(", ")));
        }
        if let Some(timings) = self.timings() {
            md.push_str(&format!("\n{timings}\n"));
        }
        if !self.summary.is_empty() {
            md.push_str(&format!("\n## Summary\n\n{}\n", self.summary));
        }
        if let Some(impact) = self.impact_line() {
            md.push_str(&format!(
                "\n**Customer impact:** {}\n",
                markdown_inline(&impact)
            ));
        }
        if !self.unfolded.is_empty() {
            md.push_str("\n## How it unfolded\n\n");
            for m in &self.unfolded {
                let by: Vec<String> = m.reported_by.iter().map(|r| markdown_inline(r)).collect();
                md.push_str(&format!(
                    "- {} · {}: {} (reported by {})\n",
                    crate::timestamp::utc_minute(&m.at),
                    m.kind.label(),
                    markdown_inline(&m.what),
                    by.join(", ")
                ));
            }
        }
        if !self.key_insights.is_empty() {
            md.push_str("\n## Key insights\n\n");
            for k in &self.key_insights {
                md.push_str(&format!("- {}\n", markdown_inline(k)));
            }
        }
        if !self.themes.is_empty() {
            md.push_str("\n## Themes\n");
            for t in &self.themes {
                md.push_str(&format!(
                    "\n### {} ({} vote{})\n\n",
                    markdown_inline(&t.name),
                    t.votes,
                    if t.votes == 1 { "" } else { "s" }
                ));
                for f in &t.factors {
                    md.push_str(&format!(
                        "- {} ({}; {})\n",
                        markdown_inline(&f.factor.text),
                        f.kind.label(),
                        markdown_inline(&f.factor.noted_by)
                    ));
                }
            }
        }
        let factor_list = |md: &mut String, factors: &[FindingFactor]| {
            for f in factors {
                md.push_str(&format!(
                    "- {} ({}; {} vote{})\n",
                    markdown_inline(&f.text),
                    markdown_inline(&f.noted_by),
                    f.votes,
                    if f.votes == 1 { "" } else { "s" }
                ));
            }
        };
        if !self.factors.is_empty() {
            md.push_str("\n## Contributing factors\n");
            for g in &self.factors {
                md.push_str(&format!("\n### {}\n\n", g.kind.label()));
                factor_list(&mut md, &g.factors);
            }
        }
        if !self.surprises.is_empty() {
            md.push_str("\n## Surprises\n\n");
            factor_list(&mut md, &self.surprises);
        }
        if !self.knowledge_gaps.is_empty() {
            md.push_str("\n## Knowledge gaps\n\n");
            factor_list(&mut md, &self.knowledge_gaps);
        }
        if !self.helped.is_empty() {
            md.push_str("\n## What helped\n\n");
            factor_list(&mut md, &self.helped);
        }
        if !self.lucky.is_empty() {
            md.push_str("\n## Where we were lucky\n\n");
            factor_list(&mut md, &self.lucky);
        }
        if !self.actions.is_empty() {
            md.push_str("\n## Actions\n\n");
            for a in &self.actions {
                let done = if a.status.is_active() { " " } else { "x" };
                let mut details = vec![
                    a.priority.label().to_owned(),
                    a.kind.label().to_owned(),
                    a.status.label().to_owned(),
                ];
                if let Some(owner) = &a.owner {
                    details.push(markdown_inline(owner));
                }
                if !a.assignee.is_empty() {
                    details.push(format!("owned by {}", markdown_inline(&a.assignee)));
                }
                if let Some(due) = a.due {
                    details.push(format!("due {due}"));
                }
                // Only a link the domain's rule accepts, however the finding was made.
                if let Some(url) = a.safe_tracker_url() {
                    details.push(format!("<{url}>"));
                }
                md.push_str(&format!(
                    "- [{done}] {} ({})\n",
                    markdown_inline(&a.title),
                    details.join(", ")
                ));
            }
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_themes_factor_is_written_with_its_kind_beside_its_fields() {
        let factor = FindingThemeFactor {
            kind: FactorKind::Technical,
            factor: FindingFactor {
                text: "No alert on the pool".into(),
                votes: 2,
                noted_by: "SRE".into(),
            },
        };
        let value = serde_json::to_value(&factor).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"kind": "technical", "text": "No alert on the pool",
                "votes": 2, "noted_by": "SRE"})
        );
        assert_eq!(
            serde_json::from_str::<FindingThemeFactor>(&value.to_string()).unwrap(),
            factor
        );
    }
    use crate::fixture::{review_in, t};
    use crate::id::ParticipantId;
    use crate::phase::Phase;

    fn participant(id: &str, name: &str, role: &str, opt_in: bool) -> Participant {
        Participant {
            id: ParticipantId::parse(id).unwrap(),
            name: name.into(),
            role: role.into(),
            show_name_when_published: opt_in,
        }
    }

    fn check(text: &str, expected: &str) {
        let anon = Anonymiser::new(&[
            participant("a", "Alice Smith", "SRE", false),
            participant("b", "Bob", "IC", true),
            participant("w", "Will Jones", "DBA", false),
            participant("c", "Carol", "dev", false),
        ]);
        assert_eq!(anon.apply(text), expected, "{text:?}");
    }

    #[test]
    fn names_become_roles_unless_opted_in() {
        check("Alice Smith restarted it", "SRE restarted it");
        check("alice SMITH restarted it", "SRE restarted it");
        check(
            "Alice restarted it, then Smith paged Bob",
            "SRE restarted it, then SRE paged Bob",
        );
        check(
            "Alice's deploy and Carol’s query",
            "SRE's deploy and dev’s query",
        );
        check("carol", "Dev");
        check(
            "Carol fixed it. Then carol left",
            "Dev fixed it. Then dev left",
        );
        check(
            "Alicent and Carolina are others",
            "Alicent and Carolina are others",
        );
        check("Will Jones will fix it", "DBA will fix it");
        check("Will said we will see", "DBA said we will see");
        check("Jones-Smith", "Jones-Smith");
        check("", "");
    }

    #[test]
    fn the_finding_names_people_by_role_unless_they_opted_in() {
        let (review, accounts) = review_in(Phase::Actions);
        let view = review.revealed(&accounts).unwrap();
        let f = build(&view, t(14, 0));
        assert_eq!(f.title, "Checkout latency after on-call SRE's deploy");
        let noted: Vec<(&str, &str)> = f
            .factors
            .iter()
            .flat_map(|g| g.factors.iter())
            .chain(&f.surprises)
            .chain(&f.knowledge_gaps)
            .map(|x| (x.text.as_str(), x.noted_by.as_str()))
            .collect();
        assert_eq!(
            noted,
            [
                ("No alert on pool saturation", "on-call SRE"),
                ("Deploys allowed during peak; on-call SRE had no say", "Bob"),
                ("Rollback took 10 minutes", "Bob"),
                ("Rollback runbook out of date", "on-call SRE"),
            ]
        );
        assert_eq!(f.actions[0].owner.as_deref(), Some("on-call SRE"));
        let kinds: Vec<FactorKind> = f.factors.iter().map(|g| g.kind).collect();
        assert_eq!(
            kinds,
            [FactorKind::Technical, FactorKind::Organisational],
            "empty kinds are left out"
        );
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("Alice"), "{json}");
        assert!(!f.to_markdown().contains("Alice"));
    }

    #[test]
    fn opting_in_shows_the_name() {
        let (mut review, accounts) = review_in(Phase::Actions);
        let alice = ParticipantId::parse("alice").unwrap();
        let mut input = review.participant(&alice).unwrap().to_input();
        input.show_name_when_published = true;
        review.update_participant(&alice, input, t(14, 0)).unwrap();
        let view = review.revealed(&accounts).unwrap();
        let f = build(&view, t(14, 0));
        assert_eq!(f.title, "Checkout latency after Alice's deploy");
        assert_eq!(f.actions[0].owner.as_deref(), Some("Alice Smith"));
    }

    fn check_tags(raw: &[&str], expected: Result<&[&str], &[&str]>) {
        let raw: Vec<String> = raw.iter().map(|t| (*t).to_owned()).collect();
        let actual = normalise_tags(&raw).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        });
        let expected = expected
            .map(|tags| tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
            .map_err(|m| m.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>());
        assert_eq!(actual, expected, "{raw:?}");
    }

    #[test]
    fn tags_are_trimmed_distinct_short_and_few() {
        check_tags(&[], Ok(&[]));
        check_tags(
            &[
                " payments ",
                "",
                "  ",
                "Disk",
                "disk",
                "DISK ",
                "ünïcode",
                "ÜNÏCODE",
            ],
            Ok(&["payments", "Disk", "ünïcode"]),
        );
        let forty = "x".repeat(MAX_TAG_CHARS);
        check_tags(&[&forty, &format!(" {forty} ")], Ok(&[&forty]));
        let long = "é".repeat(MAX_TAG_CHARS + 1);
        check_tags(
            &["ok", &long],
            Err(&[&*format!(
                "tags must each be at most 40 characters (\"{long}\" is longer)"
            )]),
        );
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        check_tags(&many[..MAX_TAGS], Ok(&many[..MAX_TAGS]));
        check_tags(&many, Err(&["tags may be at most 12 (there are 13)"]));
        let mut repeated = many[..MAX_TAGS].to_vec();
        repeated.push("T0");
        check_tags(&repeated, Ok(&many[..MAX_TAGS]));
    }

    #[test]
    fn what_helped_and_where_we_were_lucky_have_sections_of_their_own() {
        let (review, accounts) = review_in(Phase::Actions);
        let view = review.revealed(&accounts).unwrap();
        let mut f = build(&view, t(14, 0));
        let texts = |list: &[FindingFactor]| -> Vec<(String, String)> {
            list.iter()
                .map(|x| (x.text.clone(), x.noted_by.clone()))
                .collect()
        };
        assert_eq!(
            texts(&f.helped),
            [(
                "Bob posted the rollback command in the channel".to_owned(),
                "on-call SRE".to_owned()
            )]
        );
        assert_eq!(
            texts(&f.lucky),
            [(
                "The spike came after the lunch peak".to_owned(),
                "Bob".to_owned()
            )]
        );
        assert!(f.factors.iter().all(|g| CONTRIBUTING.contains(&g.kind)));
        // Kept to the team by default; the organisation reads them once widened.
        let org = f.for_organisation();
        assert!(org.helped.is_empty() && org.lucky.is_empty());
        f.audience.set(Section::Helped, Audience::Organisation);
        let org = f.for_organisation();
        assert_eq!(org.helped, f.helped);
        assert!(org.lucky.is_empty());
        // A finding published before these sections existed still reads.
        let mut old = serde_json::to_value(&f).unwrap();
        let object = old.as_object_mut().unwrap();
        object.remove("helped");
        object.remove("lucky");
        object["audience"].as_object_mut().unwrap().remove("helped");
        let old: Finding = serde_json::from_value(old).unwrap();
        assert!(old.helped.is_empty());
        assert_eq!(old.audience.get(Section::Helped), Audience::Organisation);
    }

    #[test]
    fn durations_read_as_words() {
        for (minutes, words) in [
            (0, "0 min"),
            (45, "45 min"),
            (60, "1 h"),
            (125, "2 h 5 min"),
            (1440, "1 d"),
            (1440 * 3 + 250, "3 d 4 h"),
        ] {
            assert_eq!(duration_words(minutes), words);
        }
    }

    #[test]
    fn participants_words_stay_with_the_team_until_the_facilitator_widens_them() {
        let (review, _) = review_in(Phase::Actions);
        let audience = review.publication().audience();
        let team: Vec<Section> = Section::ALL
            .into_iter()
            .filter(|s| audience.get(*s) == Audience::Team)
            .collect();
        assert_eq!(
            team,
            [
                Section::Unfolded,
                Section::Factors,
                Section::Surprises,
                Section::KnowledgeGaps,
                Section::Helped,
                Section::Lucky
            ]
        );
    }

    #[test]
    fn the_finding_carries_the_publication_set_before_publishing() {
        let (mut review, accounts) = review_in(Phase::Actions);
        let mut audience = SectionAudience::default();
        audience.set(crate::feed::Section::Actions, crate::feed::Audience::Team);
        let op = crate::ReviewOp::SetPublication {
            tags: vec![" payments".into(), "Payments".into(), "disk".into()],
            audience: audience.clone(),
        };
        review.apply(&op, &accounts, t(14, 0)).unwrap();
        assert_eq!(review.publication().tags(), ["payments", "disk"]);
        let bad = crate::ReviewOp::SetPublication {
            tags: vec!["x".repeat(41)],
            audience: SectionAudience::default(),
        };
        let before = review.clone();
        let err = review.apply(&bad, &accounts, t(14, 1)).unwrap_err();
        let crate::OpError::Edit(EditError::Invalid { fields }) = err else {
            panic!("{err:?}")
        };
        assert_eq!(fields[0].field, "tags");
        assert_eq!(review, before);

        review.advance(&accounts, t(15, 0)).unwrap();
        let f = review.finding().unwrap();
        assert_eq!(f.tags, ["payments", "disk"]);
        assert_eq!(f.audience, audience);
        assert!(f.has_team_only_sections());
        assert!(f.for_organisation().actions.is_empty());
    }

    #[test]
    fn publication_ops_travel_as_json() {
        let json = serde_json::json!({
            "op": "set_publication",
            "tags": ["payments"],
            "audience": {"summary": "team"}
        });
        let op: crate::ReviewOp = serde_json::from_value(json).unwrap();
        let mut audience = SectionAudience::default();
        audience.set(crate::feed::Section::Summary, crate::feed::Audience::Team);
        assert_eq!(
            op,
            crate::ReviewOp::SetPublication {
                tags: vec!["payments".into()],
                audience
            }
        );
        let participant = crate::Role::Participant(crate::fixture::pid("alice"));
        assert!(!op.permitted(&participant));
        assert!(op.permitted(&crate::Role::Facilitator));
    }

    #[test]
    fn finding_markdown() {
        let (mut review, accounts) = review_in(Phase::Actions);
        review.set_summary("A pool ran dry.", t(14, 0)).unwrap();
        review
            .add_key_insight("Rollbacks are slow", t(14, 0))
            .unwrap();
        let view = review.revealed(&accounts).unwrap();
        assert_eq!(
            build(&view, t(14, 0)).to_markdown(),
            "\
# Checkout latency after on-call SRE's deploy

SEV2 · Payments · published 2026-11-01

Services: checkout, payments-db

Time to detect: 2 min · Time to resolve: 40 min

## Summary

A pool ran dry.

**Customer impact:** Card payments at checkout took 30 s; on-call SRE's team saw complaints (1200 affected)

## Key insights

- Rollbacks are slow

## Contributing factors

### Technical

- No alert on pool saturation (on-call SRE; 0 votes)

### Organisational

- Deploys allowed during peak; on-call SRE had no say (Bob; 0 votes)

## Surprises

- Rollback took 10 minutes (Bob; 0 votes)

## Knowledge gaps

- Rollback runbook out of date (on-call SRE; 0 votes)

## What helped

- Bob posted the rollback command in the channel (on-call SRE; 0 votes)

## Where we were lucky

- The spike came after the lunch peak (Bob; 0 votes)

## Actions

- [ ] Alert on pool saturation (P1, Detect, Open, on-call SRE)
"
        );
    }
}
