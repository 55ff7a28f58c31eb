//! The incident's facts as a form's fields: the one facts form, used to start a review and to
//! edit its facts in Setup.

use leptos::html;
use leptos::prelude::*;
use mosaic_domain::review::FactsInput;
use mosaic_domain::{IncidentFacts, Severity, ValidationError};
use serde::{Deserialize, Serialize};

use crate::components::shared::edits::FieldFeedback;
use crate::components::shared::field::{SelectField, TextAreaField, TextField, options};
use crate::time;

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

/// Which of the facts a form asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactsPart {
    /// What starting a review needs: title, start, severity, team, services.
    Start,
    /// Everything, the detection and resolution times and the impact too (Setup).
    All,
}

/// The facts' fields. Every control's id is `prefix` and the field's name (`title`,
/// `started_at`, …), so its problems (reported by the domain under that name) land beside it.
#[component]
pub fn FactsFields(
    /// Opens every control's id, so that two facts forms never share one.
    prefix: &'static str,
    /// Which facts to ask for.
    part: FactsPart,
    /// What the fields show.
    #[prop(into)]
    current: Signal<FactsDraft>,
    /// The draft after each change.
    #[prop(into)]
    on_edit: Callback<FactsDraft>,
    /// The form's problems.
    feedback: FieldFeedback,
    /// The time inputs (start, detection, resolution), for the form to reset them: they are
    /// written only then, since what a half-typed time reads as ("") would wipe it.
    #[prop(optional)]
    times: [NodeRef<html::Input>; 3],
    /// The services, when the person leaves that field having changed them.
    #[prop(optional, into)]
    on_services_settled: Option<Callback<String>>,
    /// Shown under the services field (what was learned about them before).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let id = move |field: &str| format!("{prefix}{field}");
    let edit = move |set: fn(&mut FactsDraft, String)| {
        Callback::new(move |value: String| {
            let mut next = current.get_untracked();
            set(&mut next, value);
            on_edit.run(next);
        })
    };
    let value = move |get: fn(&FactsDraft) -> &str| {
        Signal::derive(move || current.with(|c| get(c).to_owned()))
    };
    let error = move |field: &'static str, label: &'static str| {
        Signal::derive(feedback.message(field, label))
    };
    let initial = current.get_untracked();
    let time_field =
        move |i: usize, field: &'static str, label: &'static str, opener: &'static str| {
            let (set, shown): (fn(&mut FactsDraft, String), String) = match i {
                0 => (|d, v| d.started_at = v, initial.started_at.clone()),
                1 => (|d, v| d.detected_at = v, initial.detected_at.clone()),
                _ => (|d, v| d.resolved_at = v, initial.resolved_at.clone()),
            };
            view! {
                <TextField id=id(field) label=label kind="datetime-local" required=i == 0
                    node_ref=times[i] value=Signal::stored(shown) on_input=edit(set)
                    error=error(field, opener)/>
            }
        };
    let all = part == FactsPart::All;
    view! {
        <TextField id=id("title") label="Title" required=true maxlength=200
            placeholder="Checkout errors after the 14:00 deploy"
            value=value(|d| &d.title) on_input=edit(|d, v| d.title = v)
            error=error("title", "Title")/>
        <div class="field-row">
            {time_field(0, "started_at", "Incident started", "Start time")}
            {all.then(|| view! {
                {time_field(1, "detected_at", "Detected", "Detected")}
                {time_field(2, "resolved_at", "Resolved", "Resolved")}
            })}
            {(!all).then(|| view! {
                <SelectField id=id("severity") label="Severity" required=true placeholder="Choose…"
                    options=options(Severity::ALL, Severity::key, Severity::label)
                    value=value(|d| &d.severity) on_change=edit(|d, v| d.severity = v)
                    error=error("severity", "Severity")/>
            })}
        </div>
        <div class="field-row">
            {all.then(|| view! {
                <SelectField id=id("severity") label="Severity" required=true placeholder="Choose…"
                    options=options(Severity::ALL, Severity::key, Severity::label)
                    value=value(|d| &d.severity) on_change=edit(|d, v| d.severity = v)
                    error=error("severity", "Severity")/>
            })}
            <TextField id=id("team") label="Team" required=true maxlength=80
                value=value(|d| &d.team) on_input=edit(|d, v| d.team = v)
                error=error("team", "Team")/>
            <TextField id=id("services") label="Services" hint="Separate services with commas."
                value=value(|d| &d.services) on_input=edit(|d, v| d.services = v)
                on_change=move |v| {
                    if let Some(settled) = on_services_settled {
                        settled.run(v);
                    }
                }
                error=error("services", "Services")>
                {children.map(|c| c())}
            </TextField>
        </div>
        {all.then(|| view! {
            <div class="field-row">
                <TextAreaField id=id("customer_impact") label="Customer impact" rows=2 maxlength=1000
                    hint="How customers felt it, in plain words: what failed for them, and for how long."
                    value=value(|d| &d.customer_impact) on_input=edit(|d, v| d.customer_impact = v)
                    error=error("customer_impact", "Customer impact")/>
                <TextField id=id("affected_count") label="Customers affected (optional)"
                    inputmode="numeric"
                    value=value(|d| &d.affected_count) on_input=edit(|d, v| d.affected_count = v)
                    error=error("affected_count", "Customers affected")/>
            </div>
        })}
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
