use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::ReviewOp;
use mosaic_domain::feed::Audience;
use mosaic_domain::{Phase, finding};

use crate::components::feed::finding_card::FindingCard;
use crate::components::review::publication_form::PublicationForm;
use crate::components::shared::edits::{FieldFeedback, save_review_op};
use crate::time;
use crate::workspace::{Actor, Workspace};

/// The finding: while planning actions, the facilitator's summary, tags and each section's
/// audience, and a live preview of what publishing would share (names replaced by roles unless
/// people opted in, team-only sections marked); once published, the published finding.
/// Publishing itself is the phase stepper's "Publish findings".
#[component]
pub fn PublishPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let published = Memo::new(move |_| ws.review.with(|r| r.phase() == Phase::Published));
    view! {
        <Show when=move || published.get() fallback=|| view! { <FindingDraft/> }>
            <section class="card publish-panel" aria-labelledby="published-heading">
                <h2 id="published-heading">"Published finding"</h2>
                <p class="published-links">
                    <a href=move || ws.review.with(|r| format!("/feed/{}", r.id))>
                        "Open the published finding"
                    </a>
                    " · "
                    <a href="/feed">"Browse the feed"</a>
                </p>
                {move || {
                    ws.review
                        .with(|r| r.finding().cloned())
                        .map(|f| view! { <FindingCard finding=f level=3/> })
                }}
            </section>
        </Show>
    }
}

/// The summary editor and the live preview.
#[component]
fn FindingDraft() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let is_facilitator = move || ws.actor.get() == Actor::Facilitator;
    // The text as typed: the review stores it trimmed, so the field can't be bound to it
    // directly (a trailing space would vanish while typing). Each keystroke is saved.
    // A refused keystroke (past the length limit) keeps the text in the field and says why;
    // the stored summary stays at the last accepted text until the field is valid again.
    let text = RwSignal::new(ws.review.with_untracked(|r| r.summary().to_owned()));
    let problems = FieldFeedback(RwSignal::new(Vec::new()));
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        problems
            .0
            .set(save_review_op(ws, ReviewOp::SetSummary { summary: value }));
    };
    let summary_error = problems.message("summary", "The summary");
    let preview = Memo::new(move |_| {
        ws.review.with(|r| {
            ws.accounts
                .with(|a| r.revealed(a).ok().map(|v| finding::build(&v, time::now())))
        })
    });
    view! {
        <section class="card publish-panel" aria-labelledby="summary-heading">
            <h2 id="summary-heading">"Summary and finding"</h2>
            <Show
                when=is_facilitator
                fallback=move || view! {
                    <p>{move || {
                        let s = ws.review.with(|r| r.summary().to_owned());
                        if s.is_empty() { "The facilitator has not written a summary yet.".to_owned() } else { s }
                    }}</p>
                }
            >
                <div class="field">
                    <label for="finding-summary">"Summary"</label>
                    <textarea id="finding-summary" rows="5"
                        aria-describedby="summary-error summary-hint"
                        aria-invalid=problems.invalid("summary")
                        prop:value=move || text.get() on:input=on_input></textarea>
                    <p class="field-error" id="summary-error" role="alert">
                        {move || summary_error().map(|m| format!("{m}. What you typed stays here, but is not saved until it fits."))}
                    </p>
                    <p class="hint" id="summary-hint">
                        "What happened and what the team learned, for readers outside the review. "
                        "Markdown works here: *emphasis*, lists, links. Saved as you type."
                    </p>
                </div>
                <PublicationForm/>
            </Show>
            <h3>"Preview"</h3>
            <p class="hint">
                "This is what “Publish findings” will share. People are named by their role "
                "unless they chose to be named."
            </p>
            <p class="audience-summary" data-testid="audience-summary">{move || {
                let team_only = ws.review.with(|r| r.publication().audience().labels_for(Audience::Team));
                if team_only.is_empty() {
                    "Every section will be shared with the whole organisation.".to_owned()
                } else {
                    format!(
                        "Team only (not shown to readers outside this review): {}.",
                        team_only.join(", ")
                    )
                }
            }}</p>
            {move || preview.get().map(|f| view! { <FindingCard finding=f level=4 preview=true/> })}
        </section>
    }
}
