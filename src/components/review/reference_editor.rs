use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::ReviewOp;
use mosaic_domain::limits;
use mosaic_domain::reference::{Alert, AlertTimelineError, parse_alert_timeline};
use mosaic_domain::{ReferenceContent, ReferenceId, ReferenceMaterial, ValidationError};
use serde::{Deserialize, Serialize};

use crate::components::review::words::alert_count;
use crate::components::shared::confirm_removal::ConfirmRemoval;
use crate::components::shared::edits::{
    FieldFeedback, WHOLE_FORM, field_message, save_review_op, sentence,
};
use crate::components::shared::field::{TextAreaField, TextField};
use crate::components::shared::limit_hint::LimitHint;
use crate::deferred::{PartMissing, deferred};
use crate::drafts::stored_draft;
use crate::workspace::Workspace;
use crate::workspace::new_id;

/// The two reference forms as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct ReferenceDraft {
    text_title: String,
    text_body: String,
    alerts_title: String,
    alerts_json: String,
}

// With the import of a review file (the reviews page's tools), the other JSON a person brings:
// both read it as a `serde_json::Value`, whose reader then comes with neither page.
deferred! { reviews_tools;
    /// Reads an alert timeline as typed or loaded from a file.
    fn read_alerts(json: String) -> Result<Vec<Alert>, AlertTimelineError> {
        parse_alert_timeline(&json)
    }
}

/// A title for material imported from `file_name`: the name without its extension.
fn title_from_file(file_name: &str) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    stem.replace(['_', '-'], " ").trim().to_owned()
}

/// What a piece of reference material holds, in a few words.
fn describe(content: &ReferenceContent) -> String {
    match content {
        ReferenceContent::Text { body } => {
            format!("Pasted text, {} characters", body.chars().count())
        }
        ReferenceContent::AlertTimeline { alerts } => {
            format!("Alert timeline, {}", alert_count(alerts.len()))
        }
    }
}

/// The facilitator's reference material: pasted text or an imported alert timeline, listed
/// with a way to remove each. Participants see it beside their accounts; it is never copied
/// into them. A timeline that doesn't parse is explained and changes nothing.
#[component]
pub fn ReferenceEditor() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let material = Memo::new(move |_| ws.review.with(|r| r.references().to_vec()));
    let key = ws
        .review
        .with_untracked(|r| format!("mosaic.draft.reference.{}", r.id));
    let draft = stored_draft::<ReferenceDraft>(key);
    view! {
        <section class="card reference-editor" aria-labelledby="reference-editor-heading">
            <h2 id="reference-editor-heading">"Reference material"</h2>
            <p class="hint">
                "Chat logs, notes or alerts that participants see beside their accounts while "
                "they write. Nothing here is copied into an account."
            </p>
            <Show when=move || material.with(Vec::is_empty)>
                <p class="empty">"No reference material yet."</p>
            </Show>
            <ul class="reference-list">
                {keyed_list(
                    move || material.get(),
                    |m| m.id.to_string(),
                    |m| view! { <ReferenceRow material=m/> }.into_any(),
                )}
            </ul>
            <LimitHint count=Signal::derive(move || material.with(Vec::len))
                max=limits::MAX_REFERENCES noun="pieces of reference material"/>
            <div class="reference-forms">
                <TextForm draft/>
                <AlertsForm draft/>
            </div>
        </section>
    }
}

/// One listed piece of material, with "Remove".
#[component]
fn ReferenceRow(material: ReferenceMaterial) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let problem = RwSignal::new(None::<String>);
    let id = material.id.clone();
    let title = material.title.clone();
    let remove = Callback::new(move |()| {
        let found = save_review_op(ws, ReviewOp::RemoveReference { id: id.clone() });
        problem.set(field_message(&found, WHOLE_FORM, ""));
    });
    view! {
        <li class="reference-row">
            <span class="reference-title">{material.title.clone()}</span>
            <span class="hint">{describe(&material.content)}</span>
            <ConfirmRemoval name=format!("Remove {title}")
                question="Remove this material for everyone?" on_remove=remove/>
            <p class="form-error" role="alert">{move || problem.get()}</p>
        </li>
    }
}

/// Adds pasted text.
#[component]
fn TextForm(draft: RwSignal<ReferenceDraft>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let status = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = draft.get_untracked();
        let id = ReferenceId::parse(&new_id()).expect("a UUID is a valid id");
        let content = ReferenceContent::Text {
            body: typed.text_body.clone(),
        };
        let found = save_review_op(
            ws,
            ReviewOp::AddReference {
                id: id.clone(),
                title: typed.text_title.clone(),
                content: content.clone(),
            },
        );
        if found.is_empty() {
            draft.update(|d| {
                d.text_title.clear();
                d.text_body.clear();
            });
            status.set(format!("“{}” added.", typed.text_title.trim()));
        } else {
            status.set(String::new());
        }
        errors.set(found);
    };
    let feedback = FieldFeedback(errors);
    let error = move |field, label| Signal::derive(feedback.message(field, label));
    view! {
        <form class="reference-form" on:submit=on_submit novalidate
            aria-labelledby="reference-text-heading">
            <h3 id="reference-text-heading">"Add pasted text"</h3>
            <TextField id="reference-text-title" label="Title" required=true maxlength=200
                placeholder="Incident channel log"
                value=Signal::derive(move || draft.with(|d| d.text_title.clone()))
                on_input=move |v| draft.update(|d| d.text_title = v)
                error=error("title", "Title")/>
            <TextAreaField id="reference-text-body" label="Text" rows=6 required=true
                value=Signal::derive(move || draft.with(|d| d.text_body.clone()))
                on_input=move |v| draft.update(|d| d.text_body = v)
                error=error("body", "Text")/>
            <p class="form-error" aria-live="polite">{feedback.message(WHOLE_FORM, "")}</p>
            <button type="submit" class="primary">"Add text"</button>
            <p class="form-status" role="status">{move || status.get()}</p>
        </form>
    }
}

/// Imports an alert timeline, pasted or from a file. The JSON is checked before anything
/// changes; its first problem is shown beside it.
#[component]
fn AlertsForm(draft: RwSignal<ReferenceDraft>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let status = RwSignal::new(String::new());

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let name = file.name();
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => {
                    draft.update(|d| {
                        d.alerts_json = text.as_string().unwrap_or_default();
                        if d.alerts_title.trim().is_empty() {
                            d.alerts_title = title_from_file(&name);
                        }
                    });
                    errors.set(Vec::new());
                    status.set(format!(
                        "Loaded {name}. Check it below, then choose “Import alerts”."
                    ));
                }
                Err(_) => errors.set(vec![ValidationError::new(
                    "file",
                    format!("couldn't be read ({name})"),
                )]),
            }
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = draft.get_untracked();
        leptos::task::spawn_local(async move {
            let read = match read_alerts(typed.alerts_json.clone()).await {
                Ok(reading) => reading.await.map_err(|e| sentence(&e.to_string())),
                Err(PartMissing) => Err("could not be read: the code that reads alert timelines \
                                         could not be downloaded. Check the connection, then \
                                         try again."
                    .to_owned()),
            };
            let found = match read {
                Ok(alerts) => {
                    let count = alerts.len();
                    let id = ReferenceId::parse(&new_id()).expect("a UUID is a valid id");
                    let content = ReferenceContent::AlertTimeline { alerts };
                    let found = save_review_op(
                        ws,
                        ReviewOp::AddReference {
                            id: id.clone(),
                            title: typed.alerts_title.clone(),
                            content: content.clone(),
                        },
                    );
                    if found.is_empty() {
                        status.set(format!(
                            "Imported {} as “{}”.",
                            alert_count(count),
                            typed.alerts_title.trim()
                        ));
                    }
                    found
                }
                Err(message) => {
                    let mut found = vec![ValidationError::new("alerts", message)];
                    if typed.alerts_title.trim().is_empty() {
                        found.push(ValidationError::new("title", "is required"));
                    }
                    found
                }
            };
            if found.is_empty() {
                draft.update(|d| {
                    d.alerts_title.clear();
                    d.alerts_json.clear();
                });
            } else {
                status.set(String::new());
            }
            errors.set(found);
        });
    };
    let feedback = FieldFeedback(errors);
    let invalid = move |field| feedback.invalid(field);
    let error = move |field, label| feedback.message(field, label);
    view! {
        <form class="reference-form" on:submit=on_submit novalidate
            aria-labelledby="reference-alerts-heading">
            <h3 id="reference-alerts-heading">"Import an alert timeline"</h3>
            <TextField id="reference-alerts-title" label="Title" required=true maxlength=200
                placeholder="PagerDuty alerts"
                value=Signal::derive(move || draft.with(|d| d.alerts_title.clone()))
                on_input=move |v| draft.update(|d| d.alerts_title = v)
                error=Signal::derive(error("title", "Title"))/>
            <div class="field">
                <label for="reference-alerts-json">"Alert timeline (JSON)"</label>
                <p class="hint" id="reference-alerts-json-hint">
                    "A JSON array of alerts, in any order: "
                    <code>
                        r#"[{"at": "2026-11-01T10:02:00Z", "summary": "p99 latency > 2s", "source": "Grafana"}]"#
                    </code>
                    ". “source” is optional."
                </p>
                <textarea id="reference-alerts-json" rows="6" required spellcheck="false"
                    class="code"
                    aria-describedby="reference-alerts-json-hint reference-alerts-json-error"
                    aria-invalid=invalid("alerts")
                    prop:value=move || draft.with(|d| d.alerts_json.clone())
                    on:input=move |ev| draft.update(|d| d.alerts_json = event_target_value(&ev))>
                </textarea>
                <p class="field-error" id="reference-alerts-json-error" aria-live="polite">
                    {error("alerts", "")}
                </p>
            </div>
            <div class="field">
                <label for="reference-alerts-file">"Or choose a JSON file"</label>
                <input id="reference-alerts-file" type="file" accept=".json,application/json"
                    aria-describedby="reference-alerts-file-error" aria-invalid=invalid("file")
                    on:change=on_file/>
                <p class="field-error" id="reference-alerts-file-error" aria-live="polite">
                    {error("file", "The file")}
                </p>
            </div>
            <p class="form-error" aria-live="polite">{error(WHOLE_FORM, "")}</p>
            <button type="submit" class="primary">"Import alerts"</button>
            <p class="form-status" role="status">{move || status.get()}</p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_titles() {
        assert_eq!(title_from_file("pagerduty_alerts.json"), "pagerduty alerts");
        assert_eq!(title_from_file("alerts"), "alerts");
        assert_eq!(title_from_file("a.b.json"), "a.b");
    }
}
