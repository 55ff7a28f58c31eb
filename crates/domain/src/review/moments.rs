//! Key moments: rows of the merged timeline the facilitator marks as the incident's turning
//! points (detection, diagnosis, repair, or any other key moment), which become the published
//! finding's "How it unfolded".
//!
//! A mark belongs to one entry ([`EntryRef`]), so it stays with that report however links
//! change; a merged row is marked when any of its reports is.

use crate::account::Account;
use crate::id::ParticipantId;
use crate::review::merge::{EntryRef, merged_timeline};
use crate::review::reveal::Revealed;
use crate::review::{EditError, GROUP_WORK, Review};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::keyed_enum! {
    /// What a marked moment was for the incident.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum MomentKind {
        /// Someone learned that something was wrong.
        Detection = ("detection", "Detection"),
        /// Someone understood what was going on.
        Diagnosis = ("diagnosis", "Diagnosis"),
        /// Something was done that made it better.
        Repair = ("repair", "Repair"),
        /// Any other turning point.
        KeyMoment = ("key_moment", "Key moment"),
    }
}

/// One marked entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    pub entry: EntryRef,
    pub kind: MomentKind,
}

impl Review {
    /// The marked entries, at most one mark per entry, in the order they were marked.
    pub fn moments(&self) -> &[Moment] {
        &self.moments
    }

    pub fn moment_of(&self, entry: &EntryRef) -> Option<MomentKind> {
        self.moments
            .iter()
            .find(|m| &m.entry == entry)
            .map(|m| m.kind)
    }

    /// Marks a revealed entry as `kind`, or clears its mark with `None`, while the group works
    /// on the revealed accounts.
    pub fn mark_moment(
        &mut self,
        entry: &EntryRef,
        kind: Option<MomentKind>,
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let view = self
            .revealed(accounts)
            .map_err(|e| EditError::Locked { phase: e.phase })?;
        if view.entry(entry).is_none() {
            return Err(EditError::NotFound {
                id: entry.entry_id.to_string(),
            });
        }
        self.moments.retain(|m| &m.entry != entry);
        if let Some(kind) = kind {
            self.moments.push(Moment {
                entry: entry.clone(),
                kind,
            });
        }
        self.touch(now);
        Ok(())
    }
}

/// One row of "How it unfolded".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnfoldedMoment {
    /// The row's time: the earliest of its reports'.
    pub at: DateTime<Utc>,
    pub kind: MomentKind,
    /// What happened, in the words of the marked report.
    pub what: String,
    /// Everyone who reported the row, in the row's order, each once.
    pub reporters: Vec<ParticipantId>,
}

/// The marked rows of the merged timeline, in time order. A row with several marked reports
/// appears once, with its earliest report's mark.
pub fn unfolded(view: &Revealed<'_>) -> Vec<UnfoldedMoment> {
    let review = view.review();
    let mut out: Vec<UnfoldedMoment> = merged_timeline(view)
        .into_iter()
        .filter_map(|row| {
            let (report, kind) = row
                .reports
                .iter()
                .find_map(|r| review.moment_of(&r.entry_ref()).map(|k| (r, k)))?;
            let mut reporters: Vec<ParticipantId> = Vec::new();
            for r in &row.reports {
                if !reporters.contains(&r.participant_id) {
                    reporters.push(r.participant_id.clone());
                }
            }
            Some(UnfoldedMoment {
                at: row.at,
                kind,
                what: report.entry.what_happened.clone(),
                reporters,
            })
        })
        .collect();
    // The merged timeline is already in time order; stable, so ties keep its order.
    out.sort_by_key(|m| m.at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{eref, pid, review_in, t};
    use crate::phase::Phase;

    #[test]
    fn marked_rows_unfold_in_time_order_with_every_reporter() {
        let (mut review, accounts) = review_in(Phase::Revealed);
        // Marked out of order: Bob's 10:30 report, Alice's 10:15 rollback, then the linked
        // 10:02 row through Bob's report in it.
        review
            .mark_moment(
                &eref("bob", "b3"),
                Some(MomentKind::KeyMoment),
                &accounts,
                t(14, 0),
            )
            .unwrap();
        review
            .mark_moment(
                &eref("alice", "a2"),
                Some(MomentKind::Repair),
                &accounts,
                t(14, 1),
            )
            .unwrap();
        review
            .mark_moment(
                &eref("bob", "b1"),
                Some(MomentKind::Detection),
                &accounts,
                t(14, 2),
            )
            .unwrap();
        let view = review.revealed(&accounts).unwrap();
        let rows: Vec<(String, MomentKind, Vec<ParticipantId>)> = unfolded(&view)
            .iter()
            .map(|m| {
                (
                    crate::timestamp::hour_minute(&m.at),
                    m.kind,
                    m.reporters.clone(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "10:02".to_owned(),
                    MomentKind::Detection,
                    vec![pid("alice"), pid("bob")]
                ),
                ("10:15".to_owned(), MomentKind::Repair, vec![pid("alice")]),
                ("10:30".to_owned(), MomentKind::KeyMoment, vec![pid("bob")]),
            ]
        );
        let first = &unfolded(&view)[0];
        assert_eq!(
            first.what, "Pager fired: checkout latency high",
            "the marked report's words"
        );
        // Published: reporters by role, names only for those who opted in (Bob); kept to the
        // team until the facilitator widens it.
        let finding = crate::review::finding::build(&view, t(15, 0));
        let published: Vec<(&str, Vec<&str>)> = finding
            .unfolded
            .iter()
            .map(|m| {
                let by = m.reported_by.iter().map(String::as_str).collect();
                (m.kind.label(), by)
            })
            .collect();
        assert_eq!(
            published,
            [
                ("Detection", vec!["on-call SRE", "Bob"]),
                ("Repair", vec!["on-call SRE"]),
                ("Key moment", vec!["Bob"]),
            ]
        );
        assert!(finding.for_organisation().unfolded.is_empty());
        assert!(finding.to_markdown().contains(
            "- 2026-11-01 10:15 UTC · Repair: Rolled back the deploy (reported by on-call SRE)"
        ));

        // Marking again replaces; `None` clears.
        review
            .mark_moment(
                &eref("alice", "a2"),
                Some(MomentKind::Diagnosis),
                &accounts,
                t(14, 3),
            )
            .unwrap();
        review
            .mark_moment(&eref("bob", "b3"), None, &accounts, t(14, 4))
            .unwrap();
        assert_eq!(review.moments().len(), 2);
        assert_eq!(
            review.moment_of(&eref("alice", "a2")),
            Some(MomentKind::Diagnosis)
        );
    }

    #[test]
    fn only_revealed_entries_are_marked_and_only_in_group_work() {
        let (mut review, accounts) = review_in(Phase::Revealed);
        let err = review
            .mark_moment(
                &eref("carol", "c1"),
                Some(MomentKind::Repair),
                &accounts,
                t(14, 0),
            )
            .unwrap_err();
        assert_eq!(err.to_string(), "nothing in this review has the id c1");
        let (mut before, accounts) = review_in(Phase::Investigating);
        let err = before
            .mark_moment(
                &eref("alice", "a1"),
                Some(MomentKind::Repair),
                &accounts,
                t(14, 0),
            )
            .unwrap_err();
        assert_eq!(
            err,
            EditError::Locked {
                phase: Phase::Investigating
            }
        );
    }
}
