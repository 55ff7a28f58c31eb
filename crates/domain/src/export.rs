//! Whole-review export: a Markdown report for people, and a versioned JSON document that
//! imports back losslessly.
//!
//! # The JSON document, version 2
//!
//! `docs/review-export.md` describes the same schema for people outside the code.
//!
//! ```json
//! {
//!   "format": "mosaic-review",
//!   "version": 2,
//!   "review": { …a Review… },
//!   "accounts": [ { …an Account… } ]
//! }
//! ```
//!
//! - `format` is always `"mosaic-review"` and `version` is `2` (written) or `1` (read: every
//!   field version 2 added is optional): import refuses anything else, so a file from a newer
//!   Mosaic fails clearly instead of losing data.
//! - `review` is the [`Review`] exactly as it is stored: `id`, `version`, `created_at`,
//!   `updated_at`, `facts`, `phase`, `summary`, `participants`, `reference`, `guide`,
//!   `submissions`, `revealed_at`, `links`, `moments`, `votes`, `themes`, `key_insights`,
//!   `actions`, `finding`, `publication`. Fields added since the format's first release
//!   (`publication`, a finding's `tags` and `audience`, a finding action's `id`; in version 2
//!   `guide`, `moments`, `themes`, the facts' impact and the finding's new sections, themes and
//!   times) may be absent: they
//!   read as empty, as in a review stored before them, so files written by an older Mosaic
//!   still import.
//! - `accounts` are [`Account`]s of this review, at most one per participant, drafts included:
//!   `review_id`, `participant_id`, `version`, `entries`, `observations`, `answers` (version 2;
//!   absent when there are none), `submitted_at`, `commitment`.
//! - Times are RFC 3339 strings in UTC; dates (`due`) are `YYYY-MM-DD`; ids are 1 to 64 ASCII
//!   letters, digits, `-` or `_`; enums are lowercase snake_case keys (`sev2`, `revealed`,
//!   `knowledge_gap`, `p1`, `in_progress`).
//!
//! Import checks, besides the shape: the incident facts are valid; the guide's questions are
//! valid, distinct and few enough; the themes are as the review would have stored them
//! (distinct ids and names, at least two factors each, no factor in two themes, voters who
//! are participants, each once); the tags for publishing
//! are as the review would have stored them (trimmed, distinct, short, few); every account belongs to the
//! review and to one of its participants, once; every submitted account still matches its
//! commitment, and the one the review recorded; every recorded submission names a participant;
//! a revealed review has its reveal time.
//!
//! A draft account's content is in the file as written: export before the reveal only to back
//! up, and share such a file only with its author.

use crate::account::commitment::verify_commitment;
use crate::account::{Account, AccountInput};
use crate::guide::answers_by_question;
use crate::limits::MAX_QUESTIONS;
use crate::reference::ReferenceContent;
use crate::review::action::{backlog_markdown, markdown_inline};
use crate::review::factors::factor_groups;
use crate::review::finding::normalise_tags;
use crate::review::merge::{Divergence, divergences, merged_timeline};
use crate::review::{IncidentFacts, Review};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// The `format` of an exported review.
pub const EXPORT_FORMAT: &str = "mosaic-review";
/// The `version` of the export format this crate writes.
pub const EXPORT_VERSION: u64 = 2;
/// Every version this crate reads: version 1 is version 2 without its optional fields.
pub const READABLE_VERSIONS: [u64; 2] = [1, 2];

/// The exported document; see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewExport {
    pub format: String,
    pub version: u64,
    pub review: Review,
    pub accounts: Vec<Account>,
}

/// Why an export couldn't be imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ImportError {
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// `format` is missing or isn't `"mosaic-review"`: not a Mosaic review export.
    WrongFormat { found: Option<String> },
    /// `version` is missing or isn't one this Mosaic reads.
    UnsupportedVersion { found: Option<String> },
    /// The document has the right header but its content doesn't fit the schema.
    Malformed { message: String },
    /// The content fits the schema but breaks the review's rules.
    Inconsistent { problems: Vec<String> },
}

impl fmt::Display for ImportError {
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
            Self::WrongFormat { found: None } => {
                write!(
                    f,
                    "not a Mosaic review export: there is no \"format\" field"
                )
            }
            Self::WrongFormat { found: Some(found) } => write!(
                f,
                "not a Mosaic review export: \"format\" is {found}, expected \"{EXPORT_FORMAT}\""
            ),
            Self::UnsupportedVersion { found: None } => {
                write!(f, "the export has no \"version\" field")
            }
            Self::UnsupportedVersion { found: Some(found) } => write!(
                f,
                "this Mosaic reads export versions 1 and {EXPORT_VERSION}, the file is version {found}"
            ),
            Self::Malformed { message } => write!(f, "the export is damaged: {message}"),
            Self::Inconsistent { problems } => {
                write!(f, "the export is inconsistent: {}", problems.join("; "))
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// The review and those of `accounts` that belong to it, as a version 2 export document
/// (pretty-printed JSON).
pub fn to_json(review: &Review, accounts: &[Account]) -> String {
    let doc = ReviewExport {
        format: EXPORT_FORMAT.to_owned(),
        version: EXPORT_VERSION,
        review: review.clone(),
        accounts: accounts
            .iter()
            .filter(|a| a.review_id() == &review.id)
            .cloned()
            .collect(),
    };
    serde_json::to_string_pretty(&doc).expect("a review always serializes: string keys only")
}

/// Reads a document written by [`to_json`], checking it as the module documentation describes.
pub fn from_json(json: &str) -> Result<(Review, Vec<Account>), ImportError> {
    let value: Value = serde_json::from_str(json).map_err(|e| ImportError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    // The header is checked first and on its own, so that a file from another tool or a newer
    // Mosaic says so, rather than failing on some field deep inside.
    match value.get("format") {
        Some(Value::String(f)) if f == EXPORT_FORMAT => {}
        other => {
            return Err(ImportError::WrongFormat {
                found: other.map(Value::to_string),
            });
        }
    }
    match value.get("version") {
        Some(v) if v.as_u64().is_some_and(|v| READABLE_VERSIONS.contains(&v)) => {}
        other => {
            return Err(ImportError::UnsupportedVersion {
                found: other.map(Value::to_string),
            });
        }
    }
    let mut doc: ReviewExport =
        serde_json::from_value(value).map_err(|e| ImportError::Malformed {
            message: e.to_string(),
        })?;
    // Read as the version this Mosaic writes: a version 1 file is one without the new fields.
    doc.version = EXPORT_VERSION;
    let problems = problems(&doc.review, &doc.accounts);
    if problems.is_empty() {
        Ok((doc.review, doc.accounts))
    } else {
        Err(ImportError::Inconsistent { problems })
    }
}

/// What breaks the review's rules in an imported review and its accounts.
fn problems(review: &Review, accounts: &[Account]) -> Vec<String> {
    let mut out = Vec::new();
    if IncidentFacts::new(review.facts.to_input()).as_ref() != Ok(&review.facts) {
        out.push("the incident facts are not valid".to_owned());
    }
    if review.phase().is_revealed() != review.revealed_at().is_some() {
        out.push("the reveal time doesn't match the phase".to_owned());
    }
    let tags = review.publication().tags();
    if normalise_tags(tags).as_deref() != Ok(tags) {
        out.push("the tags are not valid".to_owned());
    }
    for a in review.actions() {
        let url = a.tracker_url.as_deref().unwrap_or_default();
        if crate::review::action::tracker_link(url)
            .ok()
            .flatten()
            .as_deref()
            != a.tracker_url.as_deref()
        {
            out.push(format!(
                "the action {} has a tracker link that isn't http or https",
                a.id
            ));
        }
    }
    if let Some(f) = review.finding()
        && f.actions
            .iter()
            .any(|a| a.tracker_url.is_some() && a.safe_tracker_url().is_none())
    {
        out.push("the finding has a tracker link that isn't http or https".to_owned());
    }
    let questions = &review.guide().questions;
    let distinct: BTreeSet<_> = questions.iter().map(|q| &q.id).collect();
    if questions.len() > MAX_QUESTIONS
        || distinct.len() != questions.len()
        || questions
            .iter()
            .any(|q| q.to_input().into_question(q.id.clone()).as_ref() != Ok(q))
    {
        out.push("the question guide is not valid".to_owned());
    }
    if !crate::review::themes::themes_valid(review) {
        out.push("the themes are not valid".to_owned());
    }
    for s in review.submissions() {
        if review.participant(&s.participant_id).is_none() {
            out.push(format!(
                "a submission names {}, who is not a participant",
                s.participant_id
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for a in accounts {
        let pid = a.participant_id();
        if a.review_id() != &review.id {
            out.push(format!(
                "the account of {pid} belongs to review {}",
                a.review_id()
            ));
        }
        if review.participant(pid).is_none() {
            out.push(format!("the account of {pid} has no participant"));
        }
        if !seen.insert(pid) {
            out.push(format!("{pid} has more than one account"));
        }
        // The editor's and the server's own rules, so an import holds nothing they would refuse.
        match AccountInput::from_account(a).into_account(a.review_id(), pid) {
            Err(fields) => {
                let list: Vec<String> = fields.iter().map(ToString::to_string).collect();
                out.push(format!(
                    "the account of {pid} is not valid: {}",
                    list.join("; ")
                ));
            }
            Ok(built)
                if built.entries() != a.entries()
                    || built.observations() != a.observations()
                    || built.answers() != a.answers() =>
            {
                out.push(format!(
                    "the account of {pid} is not as the editor would store it"
                ));
            }
            Ok(_) => {}
        }
        let entry_ids: BTreeSet<_> = a.entries().iter().map(|e| &e.id).collect();
        let observation_ids: BTreeSet<_> = a.observations().iter().map(|o| &o.id).collect();
        if entry_ids.len() != a.entries().len() || observation_ids.len() != a.observations().len() {
            out.push(format!("the account of {pid} repeats an id"));
        }
        if a.is_submitted() != a.commitment().is_some()
            || (a.is_submitted() && !verify_commitment(a))
        {
            out.push(format!("the account of {pid} doesn't match its commitment"));
        }
        if let (Some(s), Some(c)) = (review.submission(pid), a.commitment())
            && s.commitment != c
        {
            out.push(format!(
                "the account of {pid} isn't the one the review recorded"
            ));
        }
    }
    out
}

/// The whole review as a Markdown report for the people in it: names are not replaced (for a
/// shareable document use the published [`Finding`](crate::Finding)). Accounts' content appears
/// only after the reveal, through the merged timeline; before it the report shows who has
/// submitted.
pub fn to_markdown(review: &Review, accounts: &[Account]) -> String {
    let facts = &review.facts;
    let mut md = String::new();
    md.push_str(&format!("# {}\n\n", markdown_inline(facts.title())));
    md.push_str(&format!(
        "{} · {} · phase: {}\n\n",
        facts.severity().label(),
        markdown_inline(facts.team()),
        review.phase().label()
    ));
    let time = |t: chrono::DateTime<chrono::Utc>| crate::timestamp::utc_minute(&t);
    md.push_str(&format!("- Started: {}\n", time(facts.started_at())));
    if let Some(t) = facts.detected_at() {
        md.push_str(&format!("- Detected: {}\n", time(t)));
    }
    if let Some(t) = facts.resolved_at() {
        md.push_str(&format!("- Resolved: {}\n", time(t)));
    }
    if !facts.services().is_empty() {
        let services: Vec<String> = facts
            .services()
            .iter()
            .map(|s| markdown_inline(s))
            .collect();
        md.push_str(&format!("- Services: {}\n", services.join(", ")));
    }
    if !review.summary().is_empty() {
        md.push_str(&format!("\n## Summary\n\n{}\n", review.summary()));
    }
    let name = |pid: &crate::ParticipantId| {
        review
            .participant(pid)
            .map_or_else(|| pid.to_string(), |p| markdown_inline(&p.name))
    };
    if !review.participants().is_empty() {
        md.push_str("\n## Participants\n\n");
        for p in review.participants() {
            let status = match review.submission(&p.id) {
                Some(s) => format!(
                    "submitted {}, commitment `{}`",
                    time(s.submitted_at),
                    s.commitment
                ),
                None => "not submitted".to_owned(),
            };
            md.push_str(&format!(
                "- {} ({}): {status}\n",
                markdown_inline(&p.name),
                markdown_inline(&p.role)
            ));
        }
    }
    if !review.references().is_empty() {
        md.push_str("\n## Reference material\n");
        for r in review.references() {
            md.push_str(&format!("\n### {}\n\n", markdown_inline(&r.title)));
            match &r.content {
                ReferenceContent::Text { body } => {
                    md.push_str("```text\n");
                    md.push_str(&body.replace("```", "`\u{200b}``"));
                    md.push_str("\n```\n");
                }
                ReferenceContent::AlertTimeline { alerts } => {
                    for a in alerts {
                        let source = a
                            .source
                            .as_deref()
                            .map(|s| format!(" ({})", markdown_inline(s)))
                            .unwrap_or_default();
                        md.push_str(&format!(
                            "- {}: {}{source}\n",
                            time(a.at),
                            markdown_inline(&a.summary)
                        ));
                    }
                }
            }
        }
    }
    let Ok(view) = review.revealed(accounts) else {
        return md;
    };
    md.push_str("\n## Timeline\n\n");
    for row in merged_timeline(&view) {
        md.push_str(&format!("- **{}**\n", time(row.at)));
        for r in &row.reports {
            let e = &r.entry;
            md.push_str(&format!(
                "  - {} at {}: {}\n",
                name(&r.participant_id),
                crate::timestamp::hour_minute(&e.at),
                markdown_inline(&e.what_happened)
            ));
            if !e.knew_or_believed.is_empty() {
                md.push_str(&format!(
                    "    - Knew or believed: {}\n",
                    markdown_inline(&e.knew_or_believed)
                ));
            }
            if !e.what_i_did.is_empty() {
                md.push_str(&format!("    - Did: {}\n", markdown_inline(&e.what_i_did)));
            }
        }
    }
    let divs = divergences(&view);
    if !divs.is_empty() {
        md.push_str("\n## Divergences\n\n");
        for d in divs {
            let line = match d {
                Divergence::OnlyOneReported { report } => format!(
                    "Only {} reported: {}",
                    name(&report.participant_id),
                    markdown_inline(&report.entry.what_happened)
                ),
                Divergence::TimesDisagree {
                    reports,
                    spread_seconds,
                } => format!(
                    "Times differ by {} min: {}",
                    spread_seconds / 60,
                    markdown_inline(&reports[0].entry.what_happened)
                ),
                Divergence::BeliefsDiffer { reports } => {
                    let beliefs: Vec<String> = reports
                        .iter()
                        .filter(|r| !r.entry.knew_or_believed.is_empty())
                        .map(|r| {
                            format!(
                                "{}: {}",
                                name(&r.participant_id),
                                markdown_inline(&r.entry.knew_or_believed)
                            )
                        })
                        .collect();
                    format!("Beliefs differ: {}", beliefs.join(" / "))
                }
            };
            md.push_str(&format!("- {line}\n"));
        }
    }
    let answered: Vec<_> = answers_by_question(review.guide(), view.accounts())
        .into_iter()
        .filter(|q| !q.answers.is_empty())
        .collect();
    if !answered.is_empty() {
        md.push_str("\n## Answers by question\n");
        for q in answered {
            md.push_str(&format!("\n### {}\n\n", markdown_inline(&q.question.text)));
            for (pid, text) in q.answers {
                md.push_str(&format!("- {}: {}\n", name(&pid), markdown_inline(&text)));
            }
        }
    }
    let themes = crate::review::themes::themes(&view);
    if !themes.is_empty() {
        md.push_str("\n## Themes\n");
        for t in themes {
            md.push_str(&format!(
                "\n### {} ({} vote{})\n\n",
                markdown_inline(&t.name),
                t.votes,
                if t.votes == 1 { "" } else { "s" }
            ));
            for f in t.factors {
                md.push_str(&format!(
                    "- {} ({}; {})\n",
                    markdown_inline(&f.text),
                    f.kind.label(),
                    name(&f.factor.participant_id)
                ));
            }
        }
    }
    // Every factor, grouped ones too: this report is the record, not the finding.
    let groups: Vec<_> = factor_groups(&view)
        .into_iter()
        .filter(|g| !g.factors.is_empty())
        .collect();
    if !groups.is_empty() {
        md.push_str("\n## Contributing factors\n");
        for g in groups {
            md.push_str(&format!("\n### {}\n\n", g.kind.label()));
            for f in g.factors {
                md.push_str(&format!(
                    "- {} ({}; {} vote{})\n",
                    markdown_inline(&f.text),
                    name(&f.factor.participant_id),
                    f.votes,
                    if f.votes == 1 { "" } else { "s" }
                ));
            }
        }
    }
    if !review.key_insights().is_empty() {
        md.push_str("\n## Key insights\n\n");
        for k in review.key_insights() {
            md.push_str(&format!("- {}\n", markdown_inline(k)));
        }
    }
    if !review.actions().is_empty() {
        md.push_str("\n## Actions\n\n");
        md.push_str(&backlog_markdown(review));
    }
    if let Some(f) = review.finding() {
        md.push_str(&format!(
            "\nPublished {}.\n",
            crate::timestamp::utc_minute(&f.published_at)
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::EntryInput;
    use crate::feed::{Audience, Section, SectionAudience};
    use crate::fixture::{self, review_in, t};
    use crate::id::ReviewId;
    use crate::id::{ActionId, EntryId, ObservationId, ParticipantId, ReferenceId};
    use crate::phase::Phase;
    use crate::reference::Alert;
    use crate::review::action::{ActionInput, ActionKind, ActionStatus, Priority};
    use crate::review::factors::{FactorKind, FactorRef};
    use crate::review::merge::suggest_links;
    use crate::review::{FactsInput, ParticipantInput, Severity};
    use chrono::{DateTime, Days, Utc};
    use proptest::collection::vec;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn the_fixture_round_trips_in_every_phase() {
        for phase in Phase::ALL {
            let (review, accounts) = review_in(phase);
            let json = to_json(&review, &accounts);
            assert_eq!(from_json(&json), Ok((review, accounts)), "{phase:?}");
        }
    }

    fn check_import(doc: &str, expected: &str) {
        let actual = match from_json(doc) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        assert_eq!(actual, expected, "{doc}");
    }

    #[test]
    fn import_says_clearly_what_is_wrong() {
        let (review, accounts) = review_in(Phase::Revealed);
        let good: Value = serde_json::from_str(&to_json(&review, &accounts)).unwrap();
        let with = |edit: &dyn Fn(&mut Value)| {
            let mut doc = good.clone();
            edit(&mut doc);
            doc.to_string()
        };
        check_import(&good.to_string(), "ok");
        check_import(
            "{\"format\": ",
            "not valid JSON at line 1, column 11: EOF while parsing a value at line 1 column 11",
        );
        check_import(
            "[]",
            "not a Mosaic review export: there is no \"format\" field",
        );
        check_import(
            &with(&|d| d["format"] = json!("mosaic-finding")),
            "not a Mosaic review export: \"format\" is \"mosaic-finding\", expected \"mosaic-review\"",
        );
        check_import(
            &with(&|d| d["version"] = json!(3)),
            "this Mosaic reads export versions 1 and 2, the file is version 3",
        );
        check_import(
            &with(&|d| {
                d.as_object_mut().unwrap().remove("version");
            }),
            "the export has no \"version\" field",
        );
        check_import(
            &with(&|d| {
                d.as_object_mut().unwrap().remove("accounts");
            }),
            "the export is damaged: missing field `accounts`",
        );
        check_import(
            &with(&|d| d["review"]["publication"]["tags"] = json!(["disk", "Disk"])),
            "the export is inconsistent: the tags are not valid",
        );
        check_import(
            &with(&|d| {
                d["review"].as_object_mut().unwrap().remove("publication");
            }),
            "ok",
        );
        check_import(
            &with(&|d| d["review"]["phase"] = json!("done")),
            "the export is damaged: unknown variant `done`, expected one of `setup`, \
             `investigating`, `revealed`, `actions`, `published`",
        );
        check_import(
            &with(&|d| d["accounts"][0]["participant_id"] = json!("../etc")),
            "the export is damaged: id must be 1 to 64 letters, digits, '-' or '_'",
        );
        check_import(
            &with(&|d| d["accounts"][0]["entries"][0]["what_i_did"] = json!("rewrote history")),
            "the export is inconsistent: the account of alice doesn't match its commitment",
        );
        check_import(
            &with(&|d| {
                d["accounts"][0] = d["accounts"][1].clone();
                d["accounts"][0]["participant_id"] = json!("alice");
            }),
            "the export is inconsistent: the account of alice doesn't match its commitment; \
             the account of alice isn't the one the review recorded",
        );
        check_import(
            &with(&|d| {
                let copy = d["accounts"][2].clone();
                d["accounts"].as_array_mut().unwrap().push(copy);
                d["accounts"][3]["participant_id"] = json!("dave");
                d["review"]["revealed_at"] = Value::Null;
                d["review"]["facts"]["title"] = json!("  ");
            }),
            "the export is inconsistent: the incident facts are not valid; the reveal time \
             doesn't match the phase; the account of dave has no participant",
        );
        check_import(
            &with(&|d| {
                let copy = d["accounts"][2].clone();
                d["accounts"].as_array_mut().unwrap().push(copy);
            }),
            "the export is inconsistent: carol has more than one account",
        );
    }

    #[test]
    fn export_leaves_out_other_reviews_accounts() {
        let (review, mut accounts) = review_in(Phase::Investigating);
        accounts.push(Account::new(
            ReviewId::parse("other").unwrap(),
            ParticipantId::parse("alice").unwrap(),
        ));
        let (_, imported) = from_json(&to_json(&review, &accounts)).unwrap();
        assert_eq!(imported.len(), 3);
    }

    const REPORT: &str = "\
# Checkout latency after Alice's deploy

SEV2 · Payments · phase: Action planning

- Started: 2026-11-01 10:00 UTC
- Detected: 2026-11-01 10:02 UTC
- Resolved: 2026-11-01 10:40 UTC
- Services: checkout, payments-db

## Participants

- Alice Smith (on-call SRE): submitted 2026-11-01 12:00 UTC, commitment `f047ad70975e6d977b3f1d5e2baec08a73cecea96803d9b5832d3ba4ec4662eb`
- Bob (incident commander): submitted 2026-11-01 12:05 UTC, commitment `475875f14dacc8fba35eff7dee80db6c1fa74bcc368fb0b1fb02264044267820`
- Carol (database engineer): not submitted

## Timeline

- **2026-11-01 10:02 UTC**
  - Alice Smith at 10:02: Pager fired for checkout latency
    - Knew or believed: Thought it was the database
  - Bob at 10:05: Pager fired: checkout latency high
    - Knew or believed: thought it was a network issue
- **2026-11-01 10:12 UTC**
  - Bob at 10:12: Declared incident, rolled back deploy
- **2026-11-01 10:15 UTC**
  - Alice Smith at 10:15: Rolled back the deploy
- **2026-11-01 10:30 UTC**
  - Bob at 10:30: Support reported failed payments
- **2026-11-01 10:40 UTC**
  - Alice Smith at 10:40: Latency back to normal

## Divergences

- Times differ by 3 min: Pager fired for checkout latency
- Beliefs differ: Alice Smith: Thought it was the database / Bob: thought it was a network issue
- Only Bob reported: Declared incident, rolled back deploy
- Only Alice Smith reported: Rolled back the deploy
- Only Bob reported: Support reported failed payments
- Only Alice Smith reported: Latency back to normal

## Answers by question

### How did you first learn that something was wrong?

- Bob: The pager, then the chat

### What helped?

- Alice Smith: The rollback script was one command
- Bob: Alice's message in the channel

## Contributing factors

### Technical

- No alert on pool saturation (Alice Smith; 0 votes)

### Organisational

- Deploys allowed during peak; Alice Smith had no say (Bob; 0 votes)

### Knowledge gap

- Rollback runbook out of date (Alice Smith; 0 votes)

### Operational surprise

- Rollback took 10 minutes (Bob; 0 votes)

### What helped

- Bob posted the rollback command in the channel (Alice Smith; 0 votes)

### Where we were lucky

- The spike came after the lunch peak (Bob; 0 votes)

## Actions

- [ ] Alert on pool saturation (P1, Detect, Alice Smith)
";

    #[test]
    fn a_version_1_file_still_imports() {
        // A file as the first format wrote it: version 1, no guide, no answers (the accounts
        // sealed by the version 1 canonical form).
        let (review, accounts) = review_in(Phase::Setup);
        let mut old_review = serde_json::to_value(&review).unwrap();
        old_review.as_object_mut().unwrap().remove("guide");
        let carol = accounts[2].clone();
        assert!(carol.answers().is_empty());
        let doc = json!({
            "format": "mosaic-review",
            "version": 1,
            "review": old_review,
            "accounts": [carol],
        });
        let (imported, imported_accounts) = from_json(&doc.to_string()).unwrap();
        assert!(imported.guide().questions.is_empty());
        assert_eq!(imported_accounts, [carol]);
        // Written again, it is a version 2 file that reads back the same.
        let again: Value = serde_json::from_str(&to_json(&imported, &imported_accounts)).unwrap();
        assert_eq!(again["version"], json!(2));
        assert_eq!(
            from_json(&again.to_string()),
            Ok((imported, imported_accounts))
        );
    }

    #[test]
    fn themes_travel_in_the_export_and_are_checked_on_import() {
        let (mut review, accounts) = review_in(Phase::Revealed);
        let id = crate::ThemeId::parse("th1").unwrap();
        let refs = [
            crate::fixture::fref("alice", "ao1"),
            crate::fixture::fref("bob", "bo1"),
        ];
        review
            .group_theme(
                id.clone(),
                "Alerting",
                &refs,
                &accounts,
                crate::fixture::t(14, 0),
            )
            .unwrap();
        let carol = ParticipantId::parse("carol").unwrap();
        review
            .toggle_theme_vote(&carol, &id, crate::fixture::t(14, 1))
            .unwrap();
        let good: Value = serde_json::from_str(&to_json(&review, &accounts)).unwrap();
        assert_eq!(
            good["review"]["themes"],
            json!([{
                "id": "th1",
                "name": "Alerting",
                "factors": [
                    {"participant_id": "alice", "observation_id": "ao1"},
                    {"participant_id": "bob", "observation_id": "bo1"}
                ],
                "voters": ["carol"]
            }])
        );
        assert_eq!(from_json(&good.to_string()), Ok((review, accounts)));
        let with = |edit: &dyn Fn(&mut Value)| {
            let mut doc = good.clone();
            edit(&mut doc);
            doc.to_string()
        };
        // A version 2 file written before themes has none, and still imports.
        check_import(
            &with(&|d| {
                d["review"].as_object_mut().unwrap().remove("themes");
            }),
            "ok",
        );
        let invalid = "the export is inconsistent: the themes are not valid";
        check_import(
            &with(&|d| d["review"]["themes"][0]["name"] = json!(" ")),
            invalid,
        );
        check_import(
            &with(&|d| {
                d["review"]["themes"][0]["factors"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            invalid,
        );
        check_import(
            &with(&|d| d["review"]["themes"][0]["voters"] = json!(["carol", "carol"])),
            invalid,
        );
        check_import(
            &with(&|d| {
                let mut copy = d["review"]["themes"][0].clone();
                copy["id"] = json!("th2");
                copy["name"] = json!("Other");
                d["review"]["themes"].as_array_mut().unwrap().push(copy);
            }),
            invalid,
        );
    }

    #[test]
    fn the_guide_and_answers_are_checked_on_import() {
        let (review, accounts) = review_in(Phase::Revealed);
        let good: Value = serde_json::from_str(&to_json(&review, &accounts)).unwrap();
        assert_eq!(good["version"], json!(2));
        assert_eq!(good["review"]["guide"]["based_on"], json!("default"));
        assert_eq!(
            good["accounts"][0]["answers"][0],
            json!({"question": "default-4", "text": "The rollback script was one command"})
        );
        let with = |edit: &dyn Fn(&mut Value)| {
            let mut doc = good.clone();
            edit(&mut doc);
            doc.to_string()
        };
        check_import(
            &with(&|d| d["review"]["guide"]["questions"][1]["text"] = json!("  ")),
            "the export is inconsistent: the question guide is not valid",
        );
        check_import(
            &with(&|d| d["review"]["guide"]["questions"][1]["id"] = json!("default-1")),
            "the export is inconsistent: the question guide is not valid",
        );
        // An answer changed after sealing breaks the commitment.
        check_import(
            &with(&|d| d["accounts"][0]["answers"][0]["text"] = json!("nothing")),
            "the export is inconsistent: the account of alice doesn't match its commitment",
        );
        check_import(
            &with(&|d| d["accounts"][2]["answers"] = json!([{"question": "q", "text": " x "}])),
            "the export is inconsistent: the account of carol is not as the editor would store it",
        );
    }

    #[test]
    fn markdown_report() {
        let (review, accounts) = review_in(Phase::Investigating);
        let md = to_markdown(&review, &accounts);
        assert!(
            !md.contains("Pager fired"),
            "no account content before the reveal:\n{md}"
        );
        let (review, accounts) = review_in(Phase::Actions);
        assert_eq!(to_markdown(&review, &accounts), REPORT);
    }

    /// Everything a generated review is made of; applied through the review's own methods, so
    /// only reachable states are generated.
    #[derive(Clone, Debug)]
    struct Plan {
        title: String,
        team: String,
        started: DateTime<Utc>,
        severity: usize,
        summary: String,
        alerts: Vec<(DateTime<Utc>, String, Option<String>)>,
        people: Vec<(String, String, bool, bool)>,
        entries: Vec<(usize, i64, String, String, String)>,
        observations: Vec<(usize, usize, String)>,
        phase: usize,
        insights: Vec<String>,
        /// Tags, and which sections (by index into `Section::ALL`) are team only.
        publication: (Vec<String>, Vec<usize>),
        actions: Vec<(String, String, usize, usize, Option<u64>, usize)>,
        /// Action statuses set after publishing, by index into the actions.
        later: Vec<(usize, usize)>,
    }

    fn text() -> impl Strategy<Value = String> {
        vec(any::<char>(), 0..12).prop_map(|cs| cs.into_iter().collect())
    }

    fn time() -> impl Strategy<Value = DateTime<Utc>> {
        // 1970 to 2100, to the nanosecond.
        (0i64..4_102_444_800, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap())
    }

    /// Words from a small vocabulary, so that entries share words and links get suggested.
    fn phrase() -> impl Strategy<Value = String> {
        const WORDS: [&str; 8] = [
            "pager", "fired", "checkout", "latency", "rolled", "back", "deploy", "db",
        ];
        vec(proptest::sample::select(&WORDS[..]), 1..5).prop_map(|w| w.join(" "))
    }

    /// Mostly arbitrary text, sometimes vocabulary words.
    fn wording() -> impl Strategy<Value = String> {
        prop_oneof![text(), phrase()]
    }

    prop_compose! {
        fn plan()(
            (title, team, started, severity, summary) in (text(), text(), time(), 0..4usize, text()),
            alerts in vec((time(), text(), proptest::option::of(text())), 0..3),
            people in vec((text(), text(), any::<bool>(), proptest::bool::weighted(0.8)), 1..4),
            // Within 20 minutes, to the nanosecond, so that entries are close enough to link.
            entries in vec((0..3usize, 0..1_200_000_000_000i64, wording(), text(), text()), 0..10),
            observations in vec((0..4usize, 0..5usize, text()), 0..6),
            phase in prop_oneof![0..5usize, Just(4)],
            insights in vec(text(), 0..3),
            publication in (vec(text(), 0..4), vec(0..6usize, 0..3)),
            actions in vec((text(), text(), 0..4usize, 0..4usize, proptest::option::of(0..400u64), 0..4usize), 0..4),
            later in vec((0..4usize, 0..4usize), 0..3),
        ) -> Plan {
            Plan { title, team, started, severity, summary, alerts, people, entries, observations,
                   phase, insights, publication, actions, later }
        }
    }

    /// Builds the review a plan describes. Steps the review refuses (empty text, say) are
    /// skipped: the property is about whatever state results.
    fn build(plan: &Plan) -> (Review, Vec<Account>) {
        let now = t(12, 0);
        let facts = IncidentFacts::new(FactsInput {
            title: plan.title.clone(),
            started_at: Some(plan.started),
            severity: Some(Severity::ALL[plan.severity]),
            team: plan.team.clone(),
            ..FactsInput::default()
        })
        .unwrap_or_else(|_| fixture::facts());
        let mut review = Review::new(ReviewId::parse("r").unwrap(), facts, now);
        let _ = review.set_summary(&plan.summary, now);
        let alerts: Vec<Alert> = plan
            .alerts
            .iter()
            .map(|(at, summary, source)| Alert {
                at: *at,
                summary: summary.clone(),
                source: source.clone(),
            })
            .collect();
        let content = crate::ReferenceContent::AlertTimeline { alerts };
        let _ = review.add_reference(
            ReferenceId::parse("alerts").unwrap(),
            "Alerts",
            content,
            now,
        );
        let ids: Vec<ParticipantId> = (0..plan.people.len())
            .map(|i| ParticipantId::parse(&format!("p{i}")).unwrap())
            .collect();
        for (id, (name, role, opt_in, _)) in ids.iter().zip(&plan.people) {
            let input = ParticipantInput {
                name: name.clone(),
                role: role.clone(),
                show_name_when_published: *opt_in,
            };
            let _ = review.add_participant(id.clone(), input, now);
        }
        // The participants the review accepted, each with whether they will submit.
        let members: Vec<(ParticipantId, bool)> = ids
            .into_iter()
            .zip(&plan.people)
            .filter(|(id, _)| review.participant(id).is_some())
            .map(|(id, person)| (id, person.3))
            .collect();
        let ids: Vec<ParticipantId> = members.iter().map(|m| m.0.clone()).collect();
        let mut accounts: Vec<Account> = ids
            .iter()
            .map(|id| Account::new(review.id.clone(), id.clone()))
            .collect();
        for (n, (who, at, what, knew, did)) in plan.entries.iter().enumerate() {
            if let Some(a) = accounts.get_mut(*who) {
                let input = EntryInput {
                    at: Some(plan.started + chrono::TimeDelta::nanoseconds(*at)),
                    what_happened: what.clone(),
                    knew_or_believed: knew.clone(),
                    what_i_did: did.clone(),
                };
                let _ = a.add_entry(EntryId::parse(&format!("e{n}")).unwrap(), input);
            }
        }
        for (n, (who, kind, text)) in plan.observations.iter().enumerate() {
            if let Some(a) = accounts.get_mut(*who) {
                let id = ObservationId::parse(&format!("o{n}")).unwrap();
                let _ = a.add_observation(id, FactorKind::ALL[*kind], text);
            }
        }
        if plan.phase == 0 || review.advance(&[], now).is_err() {
            return (review, accounts);
        }
        for (a, (_, submits)) in accounts.iter_mut().zip(&members) {
            if *submits && a.submit(now).is_ok() {
                review.record_submission(a, now).unwrap();
            }
        }
        if plan.phase == 1 || review.advance(&[], now).is_err() {
            return (review, accounts);
        }
        let (suggestion, factor): (Option<_>, Option<FactorRef>) = {
            let view = review.revealed(&accounts).unwrap();
            let factor = crate::review::factors::factors(&view)
                .first()
                .map(|f| f.factor.clone());
            (suggest_links(&view).into_iter().next(), factor)
        };
        if let Some(s) = suggestion {
            review.link(&[s.a, s.b], &accounts, now).unwrap();
        }
        if let Some(f) = &factor {
            for id in &ids {
                review.toggle_vote(id, f, &accounts, now).unwrap();
            }
        }
        let theme = {
            let view = review.revealed(&accounts).unwrap();
            crate::review::themes::suggest_themes(&view)
                .into_iter()
                .next()
        };
        if let Some(s) = theme {
            let id = crate::ThemeId::parse("th0").unwrap();
            if review
                .group_theme(id.clone(), &s.name, &s.factors, &accounts, now)
                .is_ok()
                && let Some(voter) = ids.first()
            {
                let _ = review.toggle_theme_vote(voter, &id, now);
            }
        }
        for k in &plan.insights {
            let _ = review.add_key_insight(k, now);
        }
        let (tags, team_only) = &plan.publication;
        let mut audience = SectionAudience::default();
        for &s in team_only {
            audience.set(Section::ALL[s], Audience::Team);
        }
        let _ = review.set_publication(tags, audience, now);
        if plan.phase == 2 {
            return (review, accounts);
        }
        review.advance(&[], now).unwrap();
        for (n, (title, description, kind, priority, due, status)) in
            plan.actions.iter().enumerate()
        {
            let input = ActionInput {
                title: title.clone(),
                description: description.clone(),
                owner: ids.get(n % ids.len().max(1)).cloned(),
                kind: Some(ActionKind::ALL[*kind]),
                priority: Some(Priority::ALL[*priority]),
                due: due.map(|d| plan.started.date_naive() + Days::new(d)),
                status: ActionStatus::ALL[*status],
                factor_refs: factor.iter().cloned().collect(),
                tracker_url: if n % 2 == 0 {
                    format!("https://tracker.example/{n}")
                } else {
                    String::new()
                },
                assignee: format!("Team {n}"),
            };
            let id = ActionId::parse(&format!("x{n}")).unwrap();
            let _ = review.add_action(id, input, &accounts, now);
        }
        if plan.phase == 3 {
            return (review, accounts);
        }
        review.advance(&accounts, now).unwrap();
        for &(n, status) in &plan.later {
            let id = ActionId::parse(&format!("x{n}")).unwrap();
            let _ = review.set_action_status(&id, ActionStatus::ALL[status], now);
        }
        (review, accounts)
    }

    proptest! {
        #[test]
        fn export_then_import_is_lossless(plan in plan()) {
            let (review, accounts) = build(&plan);
            let json = to_json(&review, &accounts);
            prop_assert_eq!(from_json(&json), Ok((review, accounts)));
        }
    }
}
