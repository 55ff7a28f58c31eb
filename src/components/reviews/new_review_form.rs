use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use mosaic_domain::review::FactsInput;
use mosaic_domain::{IncidentFacts, Review, ReviewId, Severity, ValidationError};
use serde::{Deserialize, Serialize};

use crate::components::feed::service_precedents::ServicePrecedents;
use crate::components::shared::field_error::FieldError;
use crate::drafts::stored_draft;
use crate::settings::Settings;
use crate::workspace::new_id;
use crate::{repo, time};

const DRAFT_KEY: &str = "mosaic.draft.new-review";

/// What the form holds as typed, kept in `localStorage` so a reload loses nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Draft {
    title: String,
    started_at: String,
    team: String,
    services: String,
    severity: String,
}

impl Draft {
    fn to_input(&self) -> Result<FactsInput, Vec<ValidationError>> {
        let started_at = time::parse_local_input(&self.started_at);
        if started_at.is_none() && !self.started_at.trim().is_empty() {
            return Err(vec![ValidationError::new(
                "started_at",
                "is not a date and time this form understands",
            )]);
        }
        Ok(FactsInput {
            title: self.title.clone(),
            started_at,
            severity: Severity::from_key(&self.severity),
            team: self.team.clone(),
            services: self.services.split(',').map(str::to_owned).collect(),
            ..FactsInput::default()
        })
    }
}

/// The form that starts a review: the incident's title, start, team, services and severity.
/// Saving keeps the review in this browser (and sends it, in server mode) and opens it.
#[component]
pub fn NewReviewForm() -> impl IntoView {
    let mode = expect_context::<Settings>().0;
    let draft = stored_draft::<Draft>(DRAFT_KEY.to_owned());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let failure = RwSignal::new(None::<String>);
    // The services looked up in the feed: set when the person leaves the field, not per key.
    let settled_services = RwSignal::new(draft.with_untracked(|d| d.services.clone()));

    let navigate = use_navigate();
    let save = Action::new_local(move |review: &Review| {
        let review = review.clone();
        let mode = mode.get_untracked();
        async move {
            repo::create_review(&mode, &review)
                .await
                .map(|()| review.id)
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(id)) => {
            draft.set(Draft::default());
            navigate(&format!("/reviews/{id}"), Default::default());
        }
        Some(Err(e)) => failure.set(Some(e.to_string())),
        None => {}
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let facts = draft
            .with_untracked(Draft::to_input)
            .and_then(IncidentFacts::new);
        match facts {
            Ok(facts) => {
                errors.set(Vec::new());
                let id = ReviewId::parse(&new_id()).expect("a UUID is a valid review id");
                save.dispatch(Review::new(id, facts, time::now()));
            }
            Err(found) => errors.set(found),
        }
    };

    let invalid = move |field: &'static str| {
        move || {
            errors
                .with(|e| e.iter().any(|e| e.field == field))
                .to_string()
        }
    };

    view! {
        <form class="card form" on:submit=on_submit novalidate aria-labelledby="new-review-heading">
            <h2 id="new-review-heading">"Start a review"</h2>
            <div class="field">
                <label for="title">"Title"</label>
                <input id="title" name="title" type="text" required maxlength="200"
                    aria-describedby="title-error" aria-invalid=invalid("title")
                    placeholder="Checkout errors after the 14:00 deploy"
                    prop:value=move || draft.with(|d| d.title.clone())
                    on:input=move |ev| draft.update(|d| d.title = event_target_value(&ev))/>
                <FieldError field="title" label="Title" errors=errors/>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="started_at">"Incident started"</label>
                    <input id="started_at" name="started_at" type="datetime-local" required
                        aria-describedby="started_at-error" aria-invalid=invalid("started_at")
                        prop:value=move || draft.with(|d| d.started_at.clone())
                        on:input=move |ev| draft.update(|d| d.started_at = event_target_value(&ev))/>
                    <FieldError field="started_at" label="Start time" errors=errors/>
                </div>
                <div class="field">
                    <label for="severity">"Severity"</label>
                    <select id="severity" name="severity" required
                        aria-describedby="severity-error" aria-invalid=invalid("severity")
                        prop:value=move || draft.with(|d| d.severity.clone())
                        on:change=move |ev| draft.update(|d| d.severity = event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {Severity::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.key()>{s.label()}</option> })
                            .collect_view()}
                    </select>
                    <FieldError field="severity" label="Severity" errors=errors/>
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="team">"Team"</label>
                    <input id="team" name="team" type="text" required maxlength="80"
                        aria-describedby="team-error" aria-invalid=invalid("team")
                        prop:value=move || draft.with(|d| d.team.clone())
                        on:input=move |ev| draft.update(|d| d.team = event_target_value(&ev))/>
                    <FieldError field="team" label="Team" errors=errors/>
                </div>
                <div class="field">
                    <label for="services">"Services"</label>
                    <input id="services" name="services" type="text"
                        aria-describedby="services-hint services-error"
                        aria-invalid=invalid("services")
                        prop:value=move || draft.with(|d| d.services.clone())
                        on:input=move |ev| draft.update(|d| d.services = event_target_value(&ev))
                        on:change=move |ev| settled_services.set(event_target_value(&ev))/>
                    <p class="hint" id="services-hint">"Separate services with commas."</p>
                    <ServicePrecedents services=settled_services/>
                    <FieldError field="services" label="Services" errors=errors/>
                </div>
            </div>
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <button type="submit" class="primary" disabled=move || save.pending().get()>
                "Create review"
            </button>
        </form>
    }
}
