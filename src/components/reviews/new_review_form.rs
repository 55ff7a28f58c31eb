use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use mosaic_domain::review::distinct_services;
use mosaic_domain::{IncidentFacts, ValidationError};

use crate::components::feed::service_precedents;
use crate::components::shared::edits::FieldFeedback;
use crate::components::shared::facts_fields::{FactsDraft, FactsForm, StartFactsFields};
use crate::deferred::PartMissing;
use crate::drafts::stored_draft;
use crate::repo;

const DRAFT_KEY: &str = "mosaic.draft.new-review";

/// The form that starts a review: the incident's title, start, team, services and severity.
/// Saving keeps the review in this browser (and sends it, in server mode) and opens it.
#[component]
pub fn NewReviewForm() -> impl IntoView {
    let mode = crate::settings::mode();
    let draft = stored_draft::<FactsDraft>(DRAFT_KEY.to_owned());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let failure = RwSignal::new(None::<String>);
    // The services looked up in the feed: set when the person leaves the field, not per key.
    let settled_services = RwSignal::new(draft.with_untracked(|d| d.services.clone()));

    // What published findings say about those services, on a server. Its code comes with the
    // reviews tools' part, downloaded once there are services to look up; a failed download
    // only leaves it out (the next services typed try again).
    let precedents = RwSignal::new(None::<service_precedents::Build>);
    crate::effect::effect(move |_| {
        let wanted = settled_services.with(|s| !distinct_services(s.split(',')).is_empty())
            && mode.with(|m| m.server_url().is_some());
        if wanted && precedents.with_untracked(Option::is_none) {
            leptos::task::spawn_local(async move {
                if let Ok(build) = service_precedents::view().await {
                    precedents.try_set(Some(build.await));
                }
            });
        }
    });

    let navigate = use_navigate();
    let saving = RwSignal::new(false);
    // Keeps the review here (and sends it, in server mode), then opens it; or says why not.
    let save = move |facts: IncidentFacts| {
        saving.set(true);
        let (mode, navigate) = (mode.get_untracked(), navigate.clone());
        leptos::task::spawn_local(async move {
            let saved = match repo::start_review(mode, facts).await {
                Ok(starting) => starting.await.map_err(|e| e.to_string()),
                Err(PartMissing) => Err("The review was not started: this part of Mosaic could \
                     not be downloaded. Check the connection and try again; the form keeps \
                     what you typed."
                    .to_owned()),
            };
            saving.try_set(false);
            match saved {
                Ok(id) => {
                    draft.try_set(FactsDraft::default());
                    navigate(&format!("/reviews/{id}"), Default::default());
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let facts = draft
            .with_untracked(FactsDraft::to_input)
            .and_then(IncidentFacts::new);
        match facts {
            Ok(facts) => {
                errors.set(Vec::new());
                failure.set(None);
                save(facts);
            }
            Err(found) => errors.set(found),
        }
    };

    let facts = FactsForm {
        prefix: "",
        current: draft.into(),
        on_edit: Callback::new(move |next| draft.set(next)),
        feedback: FieldFeedback(errors),
    };

    view! {
        <form class="card form" on:submit=on_submit novalidate aria-labelledby="new-review-heading">
            <h2 id="new-review-heading">"Start a review"</h2>
            <StartFactsFields facts=facts on_services_settled=move |services| settled_services.set(services)>
                {move || precedents.get().map(|build| build(settled_services.into()))}
            </StartFactsFields>
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <button type="submit" class="primary" disabled=move || saving.get()>
                "Create review"
            </button>
        </form>
    }
}
