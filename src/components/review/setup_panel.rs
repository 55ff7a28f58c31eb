use crate::components::shared::show::Show;
use leptos::html;
use leptos::prelude::*;
use mosaic_domain::{IncidentFacts, ReviewOp, ValidationError};

use crate::components::review::guide_editor::GuideEditor;
use crate::components::review::participants_editor::ParticipantsEditor;
use crate::components::review::reference_editor::ReferenceEditor;
use crate::components::shared::edits::{FieldFeedback, WHOLE_FORM, save_review_op};
use crate::components::shared::facts_fields::{AllFactsFields, FactsDraft, FactsForm};
use crate::drafts::stored_draft;
use crate::workspace::Workspace;

/// The facilitator's setup: the incident's facts, who takes part, the questions every account
/// answers, and the reference material participants see beside their accounts.
#[component]
pub fn SetupPanel() -> impl IntoView {
    view! {
        <div class="setup-panel">
            <IncidentFactsForm/>
            <ParticipantsEditor/>
            <GuideEditor/>
            <ReferenceEditor/>
        </div>
    }
}

/// Edits the incident's facts. Changes are a draft (kept in `localStorage`) until "Save facts";
/// the form shows the saved facts whenever there is no draft.
#[component]
fn IncidentFactsForm() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = ws
        .review
        .with_untracked(|r| format!("mosaic.draft.facts.{}", r.id));
    // `None` while the form shows the saved facts unchanged.
    let draft = stored_draft::<Option<FactsDraft>>(key);
    let saved = Memo::new(move |_| ws.review.with(|r| FactsDraft::from_facts(&r.facts)));
    let current = Memo::new(move |_| draft.get().unwrap_or_else(|| saved.get()));
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let feedback = FieldFeedback(errors);
    let status = RwSignal::new(String::new());
    let times: [NodeRef<html::Input>; 3] = Default::default();
    let reset_times = move || {
        let shown = saved.get_untracked();
        for (input, value) in
            times
                .iter()
                .zip([shown.started_at, shown.detected_at, shown.resolved_at])
        {
            if let Some(input) = input.get_untracked() {
                input.set_value(&value);
            }
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let found = match current
            .get_untracked()
            .to_input()
            .and_then(IncidentFacts::new)
        {
            Ok(facts) => save_review_op(
                ws,
                ReviewOp::SetFacts {
                    facts: facts.to_input(),
                },
            ),
            Err(found) => found,
        };
        if found.is_empty() {
            draft.set(None);
            reset_times();
            status.set("Incident facts saved.".to_owned());
        }
        errors.set(found);
    };
    let discard = move |_| {
        draft.set(None);
        errors.set(Vec::new());
        reset_times();
        status.set("Changes discarded.".to_owned());
    };
    let on_edit = move |next: FactsDraft| {
        draft.set(Some(next));
        status.set(String::new());
    };
    let facts = FactsForm {
        prefix: "facts-",
        current: current.into(),
        on_edit: Callback::new(on_edit),
        feedback,
    };

    view! {
        <form class="card form facts-form" on:submit=on_submit novalidate
            aria-labelledby="facts-heading">
            <h2 id="facts-heading">"Incident facts"</h2>
            <AllFactsFields facts=facts times=times/>
            <p class="form-error" aria-live="polite">{feedback.message(WHOLE_FORM, "")}</p>
            <div class="form-actions">
                <button type="submit" class="primary">"Save facts"</button>
                <Show when=move || draft.with(Option::is_some)>
                    <button type="button" on:click=discard>"Discard changes"</button>
                    <span class="hint">"Unsaved changes (kept in this browser)."</span>
                </Show>
                <p class="form-status" role="status">{move || status.get()}</p>
            </div>
        </form>
    }
}
