use leptos::html;
use leptos::prelude::*;
use mosaic_domain::ReviewOp;
use mosaic_domain::review::FactsInput;
use mosaic_domain::{IncidentFacts, Severity, ValidationError};
use serde::{Deserialize, Serialize};

use crate::components::review::guide_editor::GuideEditor;
use crate::components::review::participants_editor::ParticipantsEditor;
use crate::components::review::reference_editor::ReferenceEditor;
use crate::components::shared::edits::{FieldFeedback, WHOLE_FORM, save_review_op};
use crate::drafts::stored_draft;
use crate::time;
use crate::workspace::Workspace;

/// The facilitator's setup: the incident's facts, who takes part, the questions every account
/// answers, and the reference material participants see beside their accounts.
#[component]
pub fn SetupPanel() -> impl IntoView {
    view! {
        <div class="setup-panel">
            <FactsForm/>
            <ParticipantsEditor/>
            <GuideEditor/>
            <ReferenceEditor/>
        </div>
    }
}

/// The incident's facts as typed; times as `<input type="datetime-local">` holds them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FactsDraft {
    pub title: String,
    pub started_at: String,
    pub detected_at: String,
    pub resolved_at: String,
    pub severity: String,
    pub team: String,
    pub services: String,
    pub customer_impact: String,
    /// As typed: empty, or a whole number.
    pub affected_count: String,
}

impl FactsDraft {
    pub fn from_facts(f: &IncidentFacts) -> Self {
        Self {
            title: f.title().to_owned(),
            started_at: time::to_local_input(f.started_at()),
            detected_at: f
                .detected_at()
                .map(time::to_local_input)
                .unwrap_or_default(),
            resolved_at: f
                .resolved_at()
                .map(time::to_local_input)
                .unwrap_or_default(),
            severity: f.severity().key().to_owned(),
            team: f.team().to_owned(),
            services: f.services().join(", "),
            customer_impact: f.customer_impact().to_owned(),
            affected_count: f
                .affected_count()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }

    /// The domain's input, or the times this form can't read.
    pub fn to_input(&self) -> Result<FactsInput, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut read = |field: &str, raw: &str| {
            let t = time::parse_local_input(raw);
            if t.is_none() && !raw.trim().is_empty() {
                errors.push(ValidationError::new(
                    field,
                    "is not a date and time this form understands",
                ));
            }
            t
        };
        let started_at = read("started_at", &self.started_at);
        let detected_at = read("detected_at", &self.detected_at);
        let resolved_at = read("resolved_at", &self.resolved_at);
        let count = self.affected_count.trim();
        let affected_count = if count.is_empty() {
            None
        } else {
            match count.replace([',', '_', ' '], "").parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "affected_count",
                        "must be a whole number, or empty when unknown",
                    ));
                    None
                }
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(FactsInput {
            title: self.title.clone(),
            started_at,
            detected_at,
            resolved_at,
            severity: Severity::from_key(&self.severity),
            team: self.team.clone(),
            services: self.services.split(',').map(str::to_owned).collect(),
            customer_impact: self.customer_impact.clone(),
            affected_count,
        })
    }
}

/// Edits the incident's facts. Changes are a draft (kept in `localStorage`) until "Save facts";
/// the form shows the saved facts whenever there is no draft.
#[component]
fn FactsForm() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = ws
        .review
        .with_untracked(|r| format!("mosaic.draft.facts.{}", r.id));
    // `None` while the form shows the saved facts unchanged.
    let draft = stored_draft::<Option<FactsDraft>>(key);
    let saved = Memo::new(move |_| ws.review.with(|r| FactsDraft::from_facts(&r.facts)));
    let current = Memo::new(move |_| draft.get().unwrap_or_else(|| saved.get()));
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let status = RwSignal::new(String::new());
    // Time inputs are written only when the form is reset: a half-typed time reads as "", and
    // writing that back would wipe what was typed.
    let time_inputs: [NodeRef<html::Input>; 3] = Default::default();
    let initial = current.get_untracked();
    let initial_times = [
        initial.started_at.clone(),
        initial.detected_at.clone(),
        initial.resolved_at.clone(),
    ];

    let edit = move |set: fn(&mut FactsDraft, String)| {
        move |ev: leptos::ev::Event| {
            let mut next = current.get_untracked();
            set(&mut next, event_target_value(&ev));
            draft.set(Some(next));
            status.set(String::new());
        }
    };
    let value = move |get: fn(&FactsDraft) -> &str| move || current.with(|c| get(c).to_owned());
    let feedback = FieldFeedback(errors);
    let invalid = move |field| feedback.invalid(field);
    let error = move |field, label| feedback.message(field, label);
    let reset_times = move || {
        let shown = saved.get_untracked();
        for (input, value) in
            time_inputs
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
    let time_field = move |i: usize, id: &'static str, label: &'static str| {
        let set: fn(&mut FactsDraft, String) = match i {
            0 => |d, v| d.started_at = v,
            1 => |d, v| d.detected_at = v,
            _ => |d, v| d.resolved_at = v,
        };
        let field = &id["facts-".len()..];
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="datetime-local" required=i == 0 node_ref=time_inputs[i]
                    prop:value=initial_times[i].clone()
                    aria-describedby=format!("{id}-error") aria-invalid=invalid(field)
                    on:input=edit(set)/>
                <p class="field-error" id=format!("{id}-error") aria-live="polite">
                    {error(field, label)}
                </p>
            </div>
        }
    };

    view! {
        <form class="card form facts-form" on:submit=on_submit novalidate
            aria-labelledby="facts-heading">
            <h2 id="facts-heading">"Incident facts"</h2>
            <div class="field">
                <label for="facts-title">"Title"</label>
                <input id="facts-title" type="text" required maxlength="200"
                    aria-describedby="facts-title-error" aria-invalid=invalid("title")
                    prop:value=value(|d| &d.title) on:input=edit(|d, v| d.title = v)/>
                <p class="field-error" id="facts-title-error" aria-live="polite">
                    {error("title", "Title")}
                </p>
            </div>
            <div class="field-row">
                {time_field(0, "facts-started_at", "Incident started")}
                {time_field(1, "facts-detected_at", "Detected")}
                {time_field(2, "facts-resolved_at", "Resolved")}
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="facts-severity">"Severity"</label>
                    <select id="facts-severity" required
                        aria-describedby="facts-severity-error" aria-invalid=invalid("severity")
                        prop:value=value(|d| &d.severity) on:change=edit(|d, v| d.severity = v)>
                        <option value="">"Choose…"</option>
                        {Severity::ALL
                            .into_iter()
                            .map(|s| view! {
                                <option value=s.key()
                                    selected=move || current.with(|c| c.severity == s.key())>
                                    {s.label()}
                                </option>
                            })
                            .collect_view()}
                    </select>
                    <p class="field-error" id="facts-severity-error" aria-live="polite">
                        {error("severity", "Severity")}
                    </p>
                </div>
                <div class="field">
                    <label for="facts-team">"Team"</label>
                    <input id="facts-team" type="text" required maxlength="80"
                        aria-describedby="facts-team-error" aria-invalid=invalid("team")
                        prop:value=value(|d| &d.team) on:input=edit(|d, v| d.team = v)/>
                    <p class="field-error" id="facts-team-error" aria-live="polite">
                        {error("team", "Team")}
                    </p>
                </div>
                <div class="field">
                    <label for="facts-services">"Services"</label>
                    <input id="facts-services" type="text"
                        aria-describedby="facts-services-hint facts-services-error"
                        aria-invalid=invalid("services")
                        prop:value=value(|d| &d.services) on:input=edit(|d, v| d.services = v)/>
                    <p class="hint" id="facts-services-hint">"Separate services with commas."</p>
                    <p class="field-error" id="facts-services-error" aria-live="polite">
                        {error("services", "Services")}
                    </p>
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="facts-customer_impact">"Customer impact"</label>
                    <textarea id="facts-customer_impact" rows="2" maxlength="1000"
                        aria-describedby="facts-customer_impact-hint facts-customer_impact-error"
                        aria-invalid=invalid("customer_impact")
                        prop:value=value(|d| &d.customer_impact)
                        on:input=edit(|d, v| d.customer_impact = v)></textarea>
                    <p class="hint" id="facts-customer_impact-hint">
                        "How customers felt it, in plain words: what failed for them, and for how long."
                    </p>
                    <p class="field-error" id="facts-customer_impact-error" aria-live="polite">
                        {error("customer_impact", "Customer impact")}
                    </p>
                </div>
                <div class="field">
                    <label for="facts-affected_count">"Customers affected (optional)"</label>
                    <input id="facts-affected_count" type="text" inputmode="numeric"
                        aria-describedby="facts-affected_count-error"
                        aria-invalid=invalid("affected_count")
                        prop:value=value(|d| &d.affected_count)
                        on:input=edit(|d, v| d.affected_count = v)/>
                    <p class="field-error" id="facts-affected_count-error" aria-live="polite">
                        {error("affected_count", "Customers affected")}
                    </p>
                </div>
            </div>
            <p class="form-error" aria-live="polite">{error(WHOLE_FORM, "")}</p>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_round_trip_through_the_form() {
        let draft = FactsDraft {
            title: " Checkout errors ".into(),
            started_at: "2026-11-20T14:05".into(),
            detected_at: "2026-11-20T14:20".into(),
            resolved_at: String::new(),
            severity: "sev2".into(),
            team: "Payments".into(),
            services: "checkout, ledger,,checkout".into(),
            customer_impact: " Card payments failed ".into(),
            affected_count: "1,200".into(),
        };
        let facts = IncidentFacts::new(draft.to_input().unwrap()).unwrap();
        let back = FactsDraft::from_facts(&facts);
        assert_eq!(back.title, "Checkout errors");
        assert_eq!(back.services, "checkout, ledger");
        assert_eq!(back.started_at, draft.started_at);
        assert_eq!(back.detected_at, draft.detected_at);
        assert_eq!(back.resolved_at, "");
        assert_eq!(back.customer_impact, "Card payments failed");
        assert_eq!(back.affected_count, "1200");
    }

    #[test]
    fn unreadable_times_are_reported_per_field() {
        let draft = FactsDraft {
            started_at: "soon".into(),
            resolved_at: "later".into(),
            affected_count: "many".into(),
            ..FactsDraft::default()
        };
        let fields: Vec<String> = draft
            .to_input()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["started_at", "resolved_at", "affected_count"]);
    }
}
