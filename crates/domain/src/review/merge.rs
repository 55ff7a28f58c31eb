//! The merged timeline: links between entries of different accounts that describe the same
//! moment, suggestions for them, the timeline they produce, and where accounts diverge.
//!
//! Links are the facilitator's decision; [`suggest_links`] only proposes. Every function here
//! takes a [`Revealed`], so none can run on unrevealed accounts.

use crate::account::{Account, TimelineEntry};
pub use crate::id::EntryRef;
use crate::id::ParticipantId;
use crate::review::reveal::Revealed;
use crate::review::{EditError, GROUP_WORK, Review};
use crate::text;
use crate::validation::ValidationError;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Entries further apart than this are never suggested as the same moment.
pub const LINK_WINDOW: TimeDelta = TimeDelta::minutes(10);
/// Entries whose wording shares less than this (token Jaccard) are never suggested.
pub const MIN_WORD_SIMILARITY: f64 = 0.2;
/// Linked entries whose times differ by more than this are a divergence.
pub const TIME_DISAGREEMENT: TimeDelta = TimeDelta::minutes(2);

/// Entries of different accounts that the facilitator confirmed describe the same moment. Holds
/// at least two entries and at most one per participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub entries: BTreeSet<EntryRef>,
}

impl Link {
    pub fn contains(&self, entry: &EntryRef) -> bool {
        self.entries.contains(entry)
    }
}

/// Whether `entries` could form one link: at least two, from as many participants.
fn valid_link(entries: &BTreeSet<EntryRef>) -> bool {
    let participants: BTreeSet<&ParticipantId> =
        entries.iter().map(|e| &e.participant_id).collect();
    entries.len() >= 2 && participants.len() == entries.len()
}

impl Review {
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    pub fn link_of(&self, entry: &EntryRef) -> Option<&Link> {
        self.links.iter().find(|l| l.contains(entry))
    }

    /// Confirms that `entries` describe the same moment. Links that already hold any of them
    /// are merged into one, so confirming A–B and then B–C gives the link A–B–C.
    pub fn link(
        &mut self,
        entries: &[EntryRef],
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let view = self
            .revealed(accounts)
            .map_err(|e| EditError::Locked { phase: e.phase })?;
        if let Some(unknown) = entries.iter().find(|e| view.entry(e).is_none()) {
            return Err(EditError::NotFound {
                id: unknown.entry_id.to_string(),
            });
        }
        let mut merged: BTreeSet<EntryRef> = entries.iter().cloned().collect();
        for link in &self.links {
            if entries.iter().any(|e| link.contains(e)) {
                merged.extend(link.entries.iter().cloned());
            }
        }
        if !valid_link(&merged) {
            return Err(vec![ValidationError::new(
                "entries",
                "a link joins entries from at least two accounts, and one entry per account",
            )]
            .into());
        }
        if self.links.iter().any(|l| l.entries == merged) {
            return Ok(());
        }
        self.links
            .retain(|l| !l.entries.iter().any(|e| merged.contains(e)));
        self.links.push(Link { entries: merged });
        self.touch(now);
        Ok(())
    }

    /// Takes `entry` out of its link; a link left with one entry is dissolved.
    pub fn unlink(&mut self, entry: &EntryRef, now: DateTime<Utc>) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let Some(slot) = self.links.iter().position(|l| l.contains(entry)) else {
            return Err(EditError::NotFound {
                id: entry.entry_id.to_string(),
            });
        };
        self.links[slot].entries.remove(entry);
        if self.links[slot].entries.len() < 2 {
            self.links.remove(slot);
        }
        self.touch(now);
        Ok(())
    }
}

/// A proposed link between two entries of different accounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkSuggestion {
    pub a: EntryRef,
    pub b: EntryRef,
    /// How far apart the two entries' times are.
    pub seconds_apart: i64,
    /// Token Jaccard of the two `what_happened` texts, 0 to 1.
    pub word_similarity: f64,
    /// From 0 to 1, higher is likelier: the mean of time closeness (1 at the same instant, 0 at
    /// [`LINK_WINDOW`]) and word similarity.
    pub score: f64,
}

/// Pairs of entries from different accounts that likely describe the same moment: within
/// [`LINK_WINDOW`] of each other *and* sharing at least [`MIN_WORD_SIMILARITY`] of their
/// meaningful words (lowercase words of `what_happened`, stopwords dropped). Pairs already in
/// one link, and pairs whose linking would put two entries of one account in a link, are left
/// out. Best first.
pub fn suggest_links(view: &Revealed<'_>) -> Vec<LinkSuggestion> {
    let review = view.review();
    let entries: Vec<(EntryRef, &TimelineEntry, BTreeSet<String>)> = view
        .accounts()
        .iter()
        .flat_map(|a| {
            a.entries().iter().map(|e| {
                let r = EntryRef::new(a.participant_id().clone(), e.id.clone());
                (r, e, text::content_words(&e.what_happened))
            })
        })
        .collect();
    let linked = |r: &EntryRef| -> BTreeSet<EntryRef> {
        review
            .link_of(r)
            .map_or_else(|| BTreeSet::from([r.clone()]), |l| l.entries.clone())
    };
    let mut out = Vec::new();
    for (i, (ra, ea, wa)) in entries.iter().enumerate() {
        for (rb, eb, wb) in &entries[i + 1..] {
            if ra.participant_id == rb.participant_id {
                continue;
            }
            let apart = (ea.at - eb.at).abs();
            let similarity = text::jaccard(wa, wb);
            if apart > LINK_WINDOW || similarity < MIN_WORD_SIMILARITY {
                continue;
            }
            let (la, lb) = (linked(ra), linked(rb));
            if la.contains(rb) {
                continue;
            }
            let union: BTreeSet<EntryRef> = la.union(&lb).cloned().collect();
            if !valid_link(&union) {
                continue;
            }
            let closeness =
                1.0 - apart.num_milliseconds() as f64 / LINK_WINDOW.num_milliseconds() as f64;
            out.push(LinkSuggestion {
                a: ra.clone(),
                b: rb.clone(),
                seconds_apart: apart.num_seconds(),
                word_similarity: similarity,
                score: (closeness + similarity) / 2.0,
            });
        }
    }
    // Stable, so equal scores keep the order of the accounts and their entries.
    out.sort_by(|x, y| y.score.total_cmp(&x.score));
    out
}

/// One participant's report of a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub participant_id: ParticipantId,
    pub entry: TimelineEntry,
}

impl Report {
    pub fn entry_ref(&self) -> EntryRef {
        EntryRef::new(self.participant_id.clone(), self.entry.id.clone())
    }
}

/// One moment of the merged timeline: a single entry, or linked entries that keep every
/// reporter's own time and words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedRow {
    /// The earliest of the reports' times: where the row sits in the timeline.
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub at: DateTime<Utc>,
    /// Earliest first; ties in the order of the review's participants.
    pub reports: Vec<Report>,
    /// Whether the row comes from a confirmed link (it may still show one report, when the
    /// other linked accounts aren't loaded).
    pub linked: bool,
}

/// Every revealed entry once, in chronological order, linked entries as one row. Rows at the
/// same time keep the order of the review's participants and their entries.
pub fn merged_timeline(view: &Revealed<'_>) -> Vec<MergedRow> {
    let review = view.review();
    let participant_order =
        |p: &ParticipantId| review.participants().iter().position(|x| &x.id == p);
    let mut done: BTreeSet<EntryRef> = BTreeSet::new();
    let mut rows = Vec::new();
    for account in view.accounts() {
        for entry in account.entries() {
            let r = EntryRef::new(account.participant_id().clone(), entry.id.clone());
            if done.contains(&r) {
                continue;
            }
            let (members, linked) = match review.link_of(&r) {
                Some(link) => (link.entries.iter().cloned().collect(), true),
                None => (vec![r], false),
            };
            let mut reports: Vec<Report> = members
                .into_iter()
                .filter_map(|m| {
                    let entry = view.entry(&m)?.clone();
                    done.insert(m.clone());
                    Some(Report {
                        participant_id: m.participant_id,
                        entry,
                    })
                })
                .collect();
            reports.sort_by_key(|rep| (rep.entry.at, participant_order(&rep.participant_id)));
            rows.push(MergedRow {
                at: reports[0].entry.at,
                reports,
                linked,
            });
        }
    }
    rows.sort_by_key(|row| row.at);
    rows
}

/// Where the revealed accounts disagree or don't overlap: the places worth discussing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Divergence {
    /// A moment only one person reported (an unlinked entry, when at least two accounts are
    /// revealed).
    OnlyOneReported { report: Report },
    /// Linked reports whose times differ by more than [`TIME_DISAGREEMENT`].
    TimesDisagree {
        reports: Vec<Report>,
        spread_seconds: i64,
    },
    /// Linked reports whose `knew_or_believed` differ: at least two non-empty ones that are not
    /// equal once lowercased and stripped of punctuation.
    BeliefsDiffer { reports: Vec<Report> },
}

/// The divergences of the merged timeline, in its order. A linked row can show both a time and
/// a belief divergence.
pub fn divergences(view: &Revealed<'_>) -> Vec<Divergence> {
    let several = view.accounts().len() >= 2;
    let mut out = Vec::new();
    for row in merged_timeline(view) {
        if !row.linked {
            if several {
                out.push(Divergence::OnlyOneReported {
                    report: row.reports[0].clone(),
                });
            }
            continue;
        }
        let times = row.reports.iter().map(|r| r.entry.at);
        let spread = times.clone().max().unwrap_or(row.at) - times.min().unwrap_or(row.at);
        if spread > TIME_DISAGREEMENT {
            out.push(Divergence::TimesDisagree {
                reports: row.reports.clone(),
                spread_seconds: spread.num_seconds(),
            });
        }
        let beliefs: BTreeSet<String> = row
            .reports
            .iter()
            .map(|r| text::normalise(&r.entry.knew_or_believed))
            .filter(|b| !b.is_empty())
            .collect();
        if beliefs.len() >= 2 {
            out.push(Divergence::BeliefsDiffer {
                reports: row.reports,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{eref, review_in, t};
    use crate::phase::Phase;

    fn render_suggestions(review: &Review, accounts: &[Account]) -> String {
        let view = review.revealed(accounts).unwrap();
        suggest_links(&view)
            .iter()
            .map(|s| {
                format!(
                    "{}/{} ~ {}/{}: {}s apart, words {:.2}, score {:.2}",
                    s.a.participant_id,
                    s.a.entry_id,
                    s.b.participant_id,
                    s.b.entry_id,
                    s.seconds_apart,
                    s.word_similarity,
                    s.score
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn render_timeline(review: &Review, accounts: &[Account]) -> String {
        let view = review.revealed(accounts).unwrap();
        merged_timeline(&view)
            .iter()
            .map(|row| {
                let reports: Vec<String> = row
                    .reports
                    .iter()
                    .map(|r| {
                        format!(
                            "{}@{} {}",
                            r.participant_id,
                            crate::timestamp::hour_minute(&r.entry.at),
                            r.entry.what_happened
                        )
                    })
                    .collect();
                let mark = if row.linked { "=" } else { "-" };
                format!(
                    "{} {mark} {}",
                    crate::timestamp::hour_minute(&row.at),
                    reports.join(" | ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn render_divergences(review: &Review, accounts: &[Account]) -> String {
        let view = review.revealed(accounts).unwrap();
        let who = |reports: &[Report]| {
            reports
                .iter()
                .map(|r| r.entry_ref().entry_id.to_string())
                .collect::<Vec<_>>()
                .join("+")
        };
        divergences(&view)
            .iter()
            .map(|d| match d {
                Divergence::OnlyOneReported { report } => {
                    format!("only one: {}", report.entry.id)
                }
                Divergence::TimesDisagree {
                    reports,
                    spread_seconds,
                } => format!("times {}: {spread_seconds}s", who(reports)),
                Divergence::BeliefsDiffer { reports } => format!("beliefs {}", who(reports)),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn suggestions_need_close_times_and_shared_words_and_skip_linked_pairs() {
        let (mut review, accounts) = review_in(Phase::Revealed);
        // a1–b1 are linked by the fixture, so only the rollback pair remains; a3/b3 are 10
        // minutes apart but share no words.
        assert_eq!(
            render_suggestions(&review, &accounts),
            "alice/a2 ~ bob/b2: 180s apart, words 0.60, score 0.65"
        );
        review.unlink(&eref("bob", "b1"), t(13, 5)).unwrap();
        assert_eq!(
            render_suggestions(&review, &accounts),
            "alice/a1 ~ bob/b1: 180s apart, words 0.80, score 0.75\n\
             alice/a2 ~ bob/b2: 180s apart, words 0.60, score 0.65"
        );
        // A pair that would put two of Bob's entries in one link is not suggested.
        review
            .link(
                &[eref("alice", "a2"), eref("bob", "b1")],
                &accounts,
                t(13, 6),
            )
            .unwrap();
        assert_eq!(render_suggestions(&review, &accounts), "");
    }

    #[test]
    fn linking_merges_and_refuses_bad_links() {
        let (mut review, accounts) = review_in(Phase::Revealed);
        let bad = |review: &mut Review, refs: &[EntryRef]| {
            review
                .clone()
                .link(refs, &accounts, t(14, 0))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            bad(&mut review, &[eref("alice", "a2"), eref("alice", "a3")]),
            "invalid input: entries a link joins entries from at least two accounts, and one entry per account"
        );
        assert_eq!(
            bad(
                &mut review,
                &[eref("alice", "a2"), eref("bob", "b2"), eref("bob", "b1")]
            ),
            "invalid input: entries a link joins entries from at least two accounts, and one entry per account"
        );
        // Carol's draft was never revealed, so her entry can't be linked.
        assert_eq!(
            bad(&mut review, &[eref("alice", "a2"), eref("carol", "c1")]),
            "nothing in this review has the id c1"
        );
        let version = review.version;
        review
            .link(
                &[eref("bob", "b1"), eref("alice", "a1")],
                &accounts,
                t(14, 0),
            )
            .unwrap();
        assert_eq!(
            review.version, version,
            "confirming a known link changes nothing"
        );
        assert_eq!(review.links().len(), 1);
        review.unlink(&eref("alice", "a1"), t(14, 1)).unwrap();
        assert!(review.links().is_empty(), "a link of one is dissolved");
        assert_eq!(
            review
                .unlink(&eref("alice", "a1"), t(14, 2))
                .unwrap_err()
                .to_string(),
            "nothing in this review has the id a1"
        );
    }

    #[test]
    fn merged_timeline_keeps_every_reporter() {
        let (review, accounts) = review_in(Phase::Revealed);
        assert_eq!(
            render_timeline(&review, &accounts),
            "\
10:02 = alice@10:02 Pager fired for checkout latency | bob@10:05 Pager fired: checkout latency high
10:12 - bob@10:12 Declared incident, rolled back deploy
10:15 - alice@10:15 Rolled back the deploy
10:30 - bob@10:30 Support reported failed payments
10:40 - alice@10:40 Latency back to normal"
        );
        // With Bob's account not loaded, his side of the link is left out, not invented.
        assert_eq!(
            render_timeline(&review, &accounts[..1]),
            "\
10:02 = alice@10:02 Pager fired for checkout latency
10:15 - alice@10:15 Rolled back the deploy
10:40 - alice@10:40 Latency back to normal"
        );
    }

    #[test]
    fn divergences_find_gaps_time_and_belief_disagreements() {
        let (mut review, accounts) = review_in(Phase::Revealed);
        assert_eq!(
            render_divergences(&review, &accounts),
            "\
times a1+b1: 180s
beliefs a1+b1
only one: b2
only one: a2
only one: b3
only one: a3"
        );
        review
            .link(
                &[eref("alice", "a2"), eref("bob", "b2")],
                &accounts,
                t(14, 0),
            )
            .unwrap();
        // Linked, 3 minutes apart, one of them with no belief: only the times disagree.
        assert_eq!(
            render_divergences(&review, &accounts),
            "\
times a1+b1: 180s
beliefs a1+b1
times b2+a2: 180s
only one: b3
only one: a3"
        );
        // With one account revealed, nothing is "only one person's".
        assert_eq!(render_divergences(&review, &accounts[..1]), "");
    }

    #[test]
    fn beliefs_that_differ_only_in_case_and_punctuation_agree() {
        use crate::text::normalise;
        assert_eq!(
            normalise("Thought it was the DB."),
            normalise("thought it was the db")
        );
    }

    #[test]
    fn links_need_the_group_review() {
        let (mut review, accounts) = review_in(Phase::Investigating);
        let refs = [eref("alice", "a1"), eref("bob", "b1")];
        assert_eq!(
            review.link(&refs, &accounts, t(13, 0)),
            Err(EditError::Locked {
                phase: Phase::Investigating
            })
        );
        assert!(review.revealed(&accounts).is_err());
    }
}
