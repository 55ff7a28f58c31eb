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

/// How a field of the draft is read and written.
type Access = (fn(&FactsDraft) -> &str, fn(&mut FactsDraft, String));

/// A facts form: what its fields are built from. Each form's own fields are built by its own
/// component ([`StartFactsFields`], [`AllFactsFields`]), so a page that starts a review
/// downloads none of Setup's extra fields.
#[derive(Clone, Copy)]
pub struct FactsForm {
    /// Opens every control's id (`prefix` and the field's name: `title`, `started_at`, …), so
    /// that two facts forms never share one and the problems the domain reports under a
    /// field's name land beside it.
    pub prefix: &'static str,
    /// What the fields show.
    pub current: Signal<FactsDraft>,
    /// The draft after each change.
    pub on_edit: Callback<FactsDraft>,
    /// The form's problems.
    pub feedback: FieldFeedback,
}

impl FactsForm {
    /// A control's id.
    fn id(self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    fn edit(self, set: fn(&mut FactsDraft, String)) -> Callback<String> {
        Callback::new(move |value: String| {
            let mut next = self.current.get_untracked();
            set(&mut next, value);
            self.on_edit.run(next);
        })
    }

    fn value(self, get: fn(&FactsDraft) -> &str) -> Signal<String> {
        Signal::derive(move || self.current.with(|c| get(c).to_owned()))
    }

    fn error(self, field: &'static str, label: &'static str) -> Signal<Option<String>> {
        Signal::derive(self.feedback.message(field, label))
    }

    /// A time input. It shows the draft's value as it is now and is then written only by the
    /// form's reset through `node_ref`: what a half-typed time reads as ("") would wipe it.
    fn time(
        self,
        field: &'static str,
        label: &'static str,
        opener: &'static str,
        node_ref: NodeRef<html::Input>,
        (get, set): Access,
    ) -> AnyView {
        let shown = self.current.with_untracked(|d| get(d).to_owned());
        view! {
            <TextField id=self.id(field) label=label kind="datetime-local"
                required=field == "started_at" node_ref=node_ref value=Signal::stored(shown)
                on_input=self.edit(set) error=self.error(field, opener)/>
        }
        .into_any()
    }

    fn started_at(self, node_ref: NodeRef<html::Input>) -> AnyView {
        self.time(
            "started_at",
            "Incident started",
            "Start time",
            node_ref,
            (|d| &d.started_at, |d, v| d.started_at = v),
        )
    }

    fn title(self) -> AnyView {
        view! {
            <TextField id=self.id("title") label="Title" required=true maxlength=200
                placeholder="Checkout errors after the 14:00 deploy"
                value=self.value(|d| &d.title) on_input=self.edit(|d, v| d.title = v)
                error=self.error("title", "Title")/>
        }
        .into_any()
    }

    fn severity(self) -> AnyView {
        view! {
            <SelectField id=self.id("severity") label="Severity" required=true placeholder="Choose…"
                options=options(Severity::ALL, Severity::key, Severity::label)
                value=self.value(|d| &d.severity) on_change=self.edit(|d, v| d.severity = v)
                error=self.error("severity", "Severity")/>
        }
        .into_any()
    }

    /// The team and the services; `settled` hears the services when the person leaves that
    /// field having changed them, and `under` is shown beneath it.
    fn team_and_services(
        self,
        settled: Option<Callback<String>>,
        under: Option<Children>,
    ) -> AnyView {
        view! {
            <TextField id=self.id("team") label="Team" required=true maxlength=80
                value=self.value(|d| &d.team) on_input=self.edit(|d, v| d.team = v)
                error=self.error("team", "Team")/>
            <TextField id=self.id("services") label="Services" hint="Separate services with commas."
                value=self.value(|d| &d.services) on_input=self.edit(|d, v| d.services = v)
                on_change=move |v| {
                    if let Some(settled) = settled {
                        settled.run(v);
                    }
                }
                error=self.error("services", "Services")>
                {under.map(|c| c())}
            </TextField>
        }
        .into_any()
    }
}

/// The facts starting a review needs: title, start, severity, team, services.
#[component]
pub fn StartFactsFields(
    facts: FactsForm,
    /// The services, when the person leaves that field having changed them.
    #[prop(optional, into)]
    on_services_settled: Option<Callback<String>>,
    /// Shown under the services field (what was learned about them before).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        {facts.title()}
        <div class="field-row">
            {facts.started_at(NodeRef::new())}
            {facts.severity()}
        </div>
        <div class="field-row">{facts.team_and_services(on_services_settled, children)}</div>
    }
}

/// Every fact (Setup): the start, detection and resolution times and the impact too.
#[component]
pub fn AllFactsFields(
    facts: FactsForm,
    /// The time inputs (start, detection, resolution), for the form to reset them: they are
    /// written only then, since what a half-typed time reads as ("") would wipe it.
    times: [NodeRef<html::Input>; 3],
) -> impl IntoView {
    view! {
        {facts.title()}
        <div class="field-row">
            {facts.started_at(times[0])}
            {facts.time("detected_at", "Detected", "Detected", times[1],
                (|d| &d.detected_at, |d, v| d.detected_at = v))}
            {facts.time("resolved_at", "Resolved", "Resolved", times[2],
                (|d| &d.resolved_at, |d, v| d.resolved_at = v))}
        </div>
        <div class="field-row">
            {facts.severity()}
            {facts.team_and_services(None, None)}
        </div>
        <div class="field-row">
            <TextAreaField id=facts.id("customer_impact") label="Customer impact" rows=2
                maxlength=1000
                hint="How customers felt it, in plain words: what failed for them, and for how long."
                value=facts.value(|d| &d.customer_impact)
                on_input=facts.edit(|d, v| d.customer_impact = v)
                error=facts.error("customer_impact", "Customer impact")/>
            <TextField id=facts.id("affected_count") label="Customers affected (optional)"
                inputmode="numeric"
                value=facts.value(|d| &d.affected_count)
                on_input=facts.edit(|d, v| d.affected_count = v)
                error=facts.error("affected_count", "Customers affected")/>
        </div>
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
