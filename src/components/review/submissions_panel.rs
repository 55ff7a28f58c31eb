use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::{
    Account, Participant, RemovedParticipant, Review, Submission, verify_commitment,
};

use crate::time;
use crate::workspace::Workspace;

/// Whether a revealed account is the one its author submitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Not revealed yet, or never submitted: nothing to check.
    NotApplicable,
    /// This browser doesn't hold the account.
    NotHere,
    Matches,
    Mismatch,
}

/// One row of the panel: who, and what the review recorded about their submission. Never any
/// content of an account.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub participant: Participant,
    pub submission: Option<Submission>,
    pub check: Check,
}

/// The panel's rows, in the order of the review's participants. The commitment check runs only
/// after the reveal: before it this browser may hold only its own drafts, and nobody else's
/// account may be looked at.
pub fn rows(review: &Review, accounts: &[Account]) -> Vec<Row> {
    let revealed = review.phase().is_revealed();
    review
        .participants()
        .iter()
        .map(|p| {
            let submission = review.submission(&p.id).cloned();
            let check = match (&submission, revealed) {
                (Some(s), true) => accounts
                    .iter()
                    .find(|a| a.participant_id() == &p.id && a.review_id() == &review.id)
                    .map_or(Check::NotHere, |a| {
                        if verify_commitment(a) && a.commitment() == Some(s.commitment.as_str()) {
                            Check::Matches
                        } else {
                            Check::Mismatch
                        }
                    }),
                _ => Check::NotApplicable,
            };
            Row {
                participant: p.clone(),
                submission,
                check,
            }
        })
        .collect()
}

/// Who has submitted their account and who hasn't yet, with each submission's time and
/// commitment (never any content). After the reveal it also says whether each revealed account
/// matches the commitment recorded when it was submitted.
#[component]
pub fn SubmissionsPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let rows = Memo::new(move |_| ws.review.with(|r| ws.accounts.with(|a| rows(r, a))));
    let revealed = Memo::new(move |_| ws.review.with(|r| r.phase().is_revealed()));
    let summary = move || {
        let (done, all) = rows.with(|rows| {
            (
                rows.iter().filter(|r| r.submission.is_some()).count(),
                rows.len(),
            )
        });
        format!("{done} of {all} participants have submitted.")
    };

    view! {
        <section class="card submissions-panel" aria-labelledby="submissions-heading">
            <h2 id="submissions-heading">"Submissions"</h2>
            <p>{summary}</p>
            <p class="hint">
                "A commitment is the SHA-256 fingerprint of a submitted account. It is recorded "
                "here when the account is sealed, so after the reveal anyone can check that each "
                "account shown is exactly the one submitted."
            </p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Participant"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Submitted"</th>
                            <th scope="col">"Commitment"</th>
                            <Show when=move || revealed.get()>
                                <th scope="col">"Matches its commitment?"</th>
                            </Show>
                        </tr>
                    </thead>
                    <tbody>
                        // Read-only rows with no focusable content: re-rendering them is harmless.
                        {move || {
                            rows.get()
                                .into_iter()
                                .map(|row| view! { <SubmissionRow row revealed/> })
                                .collect_view()
                        }}
                        {move || {
                            ws.review.with(|r| {
                                // Each person once (their latest removal), unless added back.
                                let mut gone: Vec<RemovedParticipant> = Vec::new();
                                for r in r.removed().iter().rev() {
                                    if !gone.iter().any(|g| g.participant.id == r.participant.id) {
                                        gone.push(r.clone());
                                    }
                                }
                                gone.retain(|g| r.participant(&g.participant.id).is_none());
                                gone.reverse();
                                gone
                            })
                                .into_iter()
                                .map(|gone| view! { <RemovedRow gone revealed/> })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn SubmissionRow(row: Row, revealed: Memo<bool>) -> impl IntoView {
    let p = &row.participant;
    let (status, status_class, at, hash) = match &row.submission {
        Some(s) => (
            "Submitted",
            "status-tag done",
            time::display(s.submitted_at),
            Some(s.commitment.clone()),
        ),
        None => ("Not yet submitted", "status-tag", "—".into(), None),
    };
    let (check, check_class) = match row.check {
        Check::NotApplicable => ("—", ""),
        Check::NotHere => ("Not in this browser", ""),
        Check::Matches => ("Yes, it matches", "check-ok"),
        Check::Mismatch => ("No: it changed after it was submitted", "check-bad"),
    };
    view! {
        <tr>
            <th scope="row">{format!("{} ({})", p.name, p.role)}</th>
            <td><span class=status_class>{status}</span></td>
            <td>{at}</td>
            <td>
                {match hash {
                    Some(hash) => view! { <code class="hash">{hash}</code> }.into_any(),
                    None => "—".into_any(),
                }}
            </td>
            <Show when=move || revealed.get()>
                <td class=check_class>{check}</td>
            </Show>
        </tr>
    }
}

/// Someone the facilitator removed: listed, marked removed, with the commitment they had
/// recorded (if any), which no longer counts for the reveal.
#[component]
fn RemovedRow(gone: RemovedParticipant, revealed: Memo<bool>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let can_readmit = ws.runs_review() && ws.review.with_untracked(|r| !r.phase().is_revealed());
    let readmit = {
        let p = gone.participant.clone();
        move |_| {
            // Their old access stays revoked; a personal invite link lets them in again.
            let _ = ws.apply(mosaic_domain::ReviewOp::AddParticipant {
                id: p.id.clone(),
                participant: p.to_input(),
            });
        }
    };
    let p = &gone.participant;
    let readmit_label = format!("Add {} back", p.name);
    let (at, hash) = match &gone.submission {
        Some(s) => (time::display(s.submitted_at), Some(s.commitment.clone())),
        None => ("—".to_owned(), None),
    };
    view! {
        <tr class="removed">
            <th scope="row">{format!("{} ({})", p.name, p.role)}</th>
            <td>
                <span class="status-tag">
                    {format!("Removed by the facilitator {}", time::display(gone.removed_at))}
                </span>
                {can_readmit.then(|| view! {
                    " "
                    <button type="button" on:click=readmit>{readmit_label}</button>
                })}
            </td>
            <td>{at}</td>
            <td>
                {match hash {
                    Some(hash) => view! {
                        <code class="hash">{hash}</code>
                        " (no longer counts)"
                    }
                    .into_any(),
                    None => "—".into_any(),
                }}
            </td>
            <Show when=move || revealed.get()>
                <td>"—"</td>
            </Show>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use mosaic_domain::review::FactsInput;
    use mosaic_domain::{
        EntryId, EntryInput, IncidentFacts, ParticipantId, ParticipantInput, ReviewId, Severity,
    };

    fn review_with(names: &[&str]) -> Review {
        let now = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap();
        let facts = IncidentFacts::new(FactsInput {
            title: "t".into(),
            started_at: Some(now),
            severity: Some(Severity::Sev2),
            team: "team".into(),
            ..FactsInput::default()
        })
        .unwrap();
        let mut review = Review::new(ReviewId::parse("r").unwrap(), facts, now);
        for name in names {
            let input = ParticipantInput {
                name: (*name).into(),
                role: "sre".into(),
                show_name_when_published: false,
            };
            review
                .add_participant(ParticipantId::parse(name).unwrap(), input, now)
                .unwrap();
        }
        review
    }

    fn sealed(review: &Review, who: &str) -> Account {
        let mut a = Account::new(review.id.clone(), ParticipantId::parse(who).unwrap());
        let input = EntryInput {
            at: Some(review.created_at),
            what_happened: "paged".into(),
            ..EntryInput::default()
        };
        a.add_entry(EntryId::parse("e").unwrap(), input).unwrap();
        a.submit(review.created_at).unwrap();
        a
    }

    fn render(review: &Review, accounts: &[Account]) -> String {
        rows(review, accounts)
            .iter()
            .map(|r| {
                format!(
                    "{} {} {:?}",
                    r.participant.name,
                    r.submission.is_some(),
                    r.check
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn commitments_are_checked_only_after_the_reveal() {
        let mut review = review_with(&["alice", "bob", "carol"]);
        let now = review.created_at;
        review.advance(&[], now).unwrap();
        let alice = sealed(&review, "alice");
        let bob = sealed(&review, "bob");
        review.record_submission(&alice, now).unwrap();
        review.record_submission(&bob, now).unwrap();
        let accounts = vec![alice, bob];
        assert_eq!(
            render(&review, &accounts),
            "alice true NotApplicable, bob true NotApplicable, carol false NotApplicable"
        );
        review.advance(&[], now).unwrap();
        // Bob's copy is altered after the fact.
        let mut tampered = serde_json::to_value(&accounts[1]).unwrap();
        tampered["entries"][0]["what_happened"] = "something else".into();
        let accounts = vec![
            accounts[0].clone(),
            serde_json::from_value(tampered).unwrap(),
        ];
        assert_eq!(
            render(&review, &accounts),
            "alice true Matches, bob true Mismatch, carol false NotApplicable"
        );
        assert_eq!(
            render(&review, &accounts[..1]),
            "alice true Matches, bob true NotHere, carol false NotApplicable"
        );
    }
}
