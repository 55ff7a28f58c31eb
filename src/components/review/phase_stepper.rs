use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::feed::Audience;
use mosaic_domain::{Phase, ReviewOp};

use crate::workspace::{Actor, Workspace, sentence};

/// The review's phases, where it stands, and (for the facilitator) the buttons that move it on
/// or back. A step the rules refuse is shown disabled with the reason beside it. The reveal asks
/// for confirmation first: it cannot be undone.
#[component]
pub fn PhaseStepper() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let phase = Memo::new(move |_| ws.review.with(|r| r.phase()));
    let is_facilitator = move || ws.actor.get() == Actor::Facilitator;
    let confirming_reveal = RwSignal::new(false);
    let confirming_publish = RwSignal::new(false);

    let next_label = move || match phase.get() {
        Phase::Setup => "Start independent accounts",
        Phase::Investigating => "Reveal all accounts…",
        Phase::Revealed => "Plan actions",
        Phase::Actions => "Publish findings…",
        Phase::Published => "",
    };
    let back_label = move || match phase.get() {
        Phase::Investigating => "Back to setup",
        Phase::Actions => "Back to group review",
        Phase::Published => "Amend (back to action planning)",
        _ => "",
    };
    // Why the next step is not possible yet, if it is not.
    let next_blocked = move || {
        let to = phase.get().next()?;
        ws.review
            .with(|r| r.check_transition(to))
            .err()
            .map(|e| sentence(&e.to_string()))
    };
    let go_to = move |to: Option<Phase>| {
        if let Some(to) = to {
            let _ = ws.apply(ReviewOp::Transition { to });
        }
    };
    let advance = move || {
        go_to(phase.get_untracked().next());
        confirming_reveal.set(false);
        confirming_publish.set(false);
    };
    // The two steps that reach people outside the moment ask first: the reveal cannot be
    // undone, and publishing shows the finding to other teams.
    let on_next = move |_| match phase.get_untracked() {
        Phase::Investigating => confirming_reveal.set(true),
        Phase::Actions => confirming_publish.set(true),
        _ => advance(),
    };
    let audiences = move |audience: Audience| {
        ws.review
            .with(|r| r.publication().audience().labels_for(audience).join(", "))
    };
    let on_back = move |_| {
        go_to(phase.get_untracked().previous());
    };
    let submitted = move || ws.review.with(|r| r.submissions().len());
    let participants = move || ws.review.with(|r| r.participants().len());

    view! {
        <ol class="phase-stepper" aria-label="Review progress">
                {Phase::ALL
                    .into_iter()
                    .map(|p| {
                        let current = move || phase.get() == p;
                        let done = move || phase.get() > p;
                        view! {
                            <li
                                class:current=current
                                class:done=done
                                aria-current=move || current().then_some("step")
                            >
                                {p.label()}
                                <Show when=done>
                                    <span class="visually-hidden">" (done)"</span>
                                </Show>
                            </li>
                        }
                    })
                    .collect_view()}
        </ol>
        <Show when=is_facilitator>
            <div class="phase-controls">
                <Show when=move || !back_label().is_empty()>
                    <button type="button" on:click=on_back>{back_label}</button>
                </Show>
                <Show when=move || phase.get() != Phase::Published>
                    <button
                        type="button"
                        class="primary"
                        on:click=on_next
                        disabled=move || next_blocked().is_some()
                        aria-describedby="next-step-blocked"
                    >
                        {next_label}
                    </button>
                </Show>
                <p class="hint" id="next-step-blocked">{next_blocked}</p>
            </div>
            <Show when=move || confirming_publish.get()>
                <div class="card confirm" role="alertdialog" aria-labelledby="publish-title"
                    aria-describedby="publish-text">
                    <h2 id="publish-title">"Publish this finding?"</h2>
                    <div id="publish-text">
                        <p>
                            "Its title, team, services, severity and tags are on the findings feed "
                            "for everyone. People are named by their role unless they chose to be named."
                        </p>
                        <dl class="facts">
                            <dt>"Whole organisation"</dt>
                            <dd data-testid="publish-organisation">{move || {
                                let s = audiences(Audience::Organisation);
                                if s.is_empty() { "Only the title and the facts above".to_owned() } else { s }
                            }}</dd>
                            <dt>"Team only"</dt>
                            <dd data-testid="publish-team">{move || {
                                let s = audiences(Audience::Team);
                                if s.is_empty() { "Nothing".to_owned() } else { s }
                            }}</dd>
                        </dl>
                        <p>"You can change who reads each section under “Summary and finding” before publishing."</p>
                    </div>
                    <button type="button" class="primary" on:click=move |_| advance()>
                        "Publish now"
                    </button>
                    <button type="button" on:click=move |_| confirming_publish.set(false)>
                        "Cancel"
                    </button>
                </div>
            </Show>
            <Show when=move || confirming_reveal.get()>
                <div class="card confirm" role="alertdialog" aria-labelledby="reveal-title"
                    aria-describedby="reveal-text">
                    <h2 id="reveal-title">"Reveal all accounts?"</h2>
                    <p id="reveal-text">
                        {move || format!(
                            "{} of {} participants have submitted. Everyone will see every submitted \
                             account at once. This cannot be undone; accounts not submitted by now \
                             stay out of the review.",
                            submitted(),
                            participants()
                        )}
                    </p>
                    <button type="button" class="primary" on:click=move |_| advance()>
                        "Reveal now"
                    </button>
                    <button type="button" on:click=move |_| confirming_reveal.set(false)>
                        "Cancel"
                    </button>
                </div>
            </Show>
        </Show>
    }
}
