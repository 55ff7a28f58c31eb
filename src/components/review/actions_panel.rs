use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use chrono::Local;
use leptos::prelude::*;
use mosaic_domain::action::{self, Action, ActionInput, ActionKind, ActionStatus, Priority};
use mosaic_domain::limits;
use mosaic_domain::review::EditError;
use mosaic_domain::{ActionId, FactorRef, ParticipantId, Phase, ValidationError, factors};
use mosaic_domain::{OpError, ReviewOp};
use serde::{Deserialize, Serialize};

use crate::components::feed::status_history::StatusHistory;
use crate::components::review::words::person;
use crate::components::shared::edits::FieldFeedback;
use crate::components::shared::field::{SelectField, TextAreaField, TextField, options};
use crate::components::shared::limit_hint::LimitHint;
use crate::components::shared::tracker_link::TrackerLink;
use crate::download;
use crate::download::file_stem;
use crate::drafts;
use crate::workspace::Workspace;
use crate::workspace::new_id;

/// What the action form holds as typed, kept in `localStorage` so a reload loses nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ActionDraft {
    /// The action being edited; `None` while writing a new one.
    editing: Option<ActionId>,
    title: String,
    description: String,
    /// A participant id, or empty for nobody yet.
    owner: String,
    kind: String,
    priority: String,
    /// `YYYY-MM-DD` as `<input type="date">` holds it, or empty.
    due: String,
    status: String,
    factors: Vec<FactorRef>,
    /// The backlog item's web address, as typed.
    #[serde(default)]
    tracker_url: String,
    /// The owning team or person outside the review, as typed.
    #[serde(default)]
    assignee: String,
}

impl ActionDraft {
    fn from_action(a: &Action) -> Self {
        Self {
            editing: Some(a.id.clone()),
            title: a.title.clone(),
            description: a.description.clone(),
            owner: a
                .owner
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            kind: a.kind.key().to_owned(),
            priority: a.priority.key().to_owned(),
            due: a.due.map(|d| d.to_string()).unwrap_or_default(),
            status: a.status.key().to_owned(),
            factors: a.factor_refs.clone(),
            tracker_url: a.tracker_url.clone().unwrap_or_default(),
            assignee: a.assignee.clone(),
        }
    }

    fn to_input(&self) -> Result<ActionInput, Vec<ValidationError>> {
        let due = match self.due.trim() {
            "" => None,
            raw => Some(crate::time::parse_day(raw).ok_or_else(|| {
                vec![ValidationError::new(
                    "due",
                    "is not a date this form understands",
                )]
            })?),
        };
        Ok(ActionInput {
            title: self.title.clone(),
            description: self.description.clone(),
            owner: ParticipantId::parse(&self.owner).ok(),
            kind: ActionKind::from_key(&self.kind),
            priority: Priority::from_key(&self.priority),
            due,
            status: ActionStatus::from_key(&self.status).unwrap_or_default(),
            factor_refs: self.factors.clone(),
            tracker_url: self.tracker_url.clone(),
            assignee: self.assignee.clone(),
        })
    }
}

/// Follow-up actions: a form to add and edit them (while the group plans), the list in backlog
/// order with overdue ones marked, and exports for a tracker. Read-only once published.
#[component]
pub fn ActionsPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let editable = Memo::new(move |_| {
        ws.runs_review()
            && ws
                .review
                .with(|r| matches!(r.phase(), Phase::Revealed | Phase::Actions))
    });
    // After publishing, progress is still recorded: the feed shows each action's status.
    let status_editable = Memo::new(move |_| {
        ws.runs_review()
            && ws.review.with(|r| {
                matches!(
                    r.phase(),
                    Phase::Revealed | Phase::Actions | Phase::Published
                )
            })
    });
    let ids = Memo::new(move |_| {
        ws.review.with(|r| {
            r.actions_sorted()
                .into_iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        })
    });
    let key = format!(
        "mosaic.draft.action.{}",
        ws.review.with_untracked(|r| r.id.to_string())
    );
    let draft = RwSignal::new(drafts::load::<ActionDraft>(&key).unwrap_or_default());
    // Sync with the outside world: the draft in localStorage.
    crate::effect::effect(move |_| draft.with(|d| drafts::save(&key, d)));
    view! {
        <section class="card actions-panel" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Follow-up actions"</h2>
            <Show
                when=move || ids.with(|i| !i.is_empty())
                fallback=|| view! { <p class="empty">"No actions yet."</p> }
            >
                <ol class="action-list" data-testid="action-list">
                    {keyed_list(
                        move || ids.get(),
                        |id| id.to_string(),
                        move |id| view! { <ActionItem id editable status_editable draft/> }.into_any(),
                    )}
                </ol>
            </Show>
            <LimitHint count=Signal::derive(move || ids.with(Vec::len))
                max=limits::MAX_ACTIONS noun="actions"/>
            <ActionExports/>
        </section>
        <Show when=move || editable.get()>
            <ActionForm draft/>
        </Show>
    }
}

/// One action in the list: the row re-reads the action, so edits show without re-keying.
#[component]
fn ActionItem(
    id: ActionId,
    editable: Memo<bool>,
    status_editable: Memo<bool>,
    draft: RwSignal<ActionDraft>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let action = {
        let id = id.clone();
        Memo::new(move |_| ws.review.with(|r| r.action(&id).cloned()))
    };
    let today = Local::now().date_naive();
    let overdue = move || action.with(|a| a.as_ref().is_some_and(|a| a.is_overdue(today)));
    let confirming = RwSignal::new(false);
    // When the removal question appears, focus its safe answer (the pressed button is gone).
    let keep_button = NodeRef::<leptos::html::Button>::new();
    crate::effect::effect(move |_| {
        if let Some(button) = keep_button.get() {
            let _ = button.focus();
        }
    });
    let status_id = format!("status-{id}");
    let id = StoredValue::new(id);
    let set_status = move |ev| {
        if let Some(status) = ActionStatus::from_key(&event_target_value(&ev)) {
            let id = id.get_value();
            let _ = ws.apply(ReviewOp::SetActionStatus { id, status });
        }
    };
    let remove = move |_| {
        let id = id.get_value();
        if ws.apply(ReviewOp::RemoveAction { id: id.clone() }).is_ok() {
            draft.update(|d| {
                if d.editing.as_ref() == Some(&id) {
                    *d = ActionDraft::default();
                }
            });
        }
    };
    let edit = move |_| {
        if let Some(a) = action.get_untracked() {
            draft.set(ActionDraft::from_action(&a));
            focus("action-title");
        }
    };
    let title = move || action.with(|a| a.as_ref().map(|a| a.title.clone()).unwrap_or_default());
    let details = move || {
        ws.review.with(|r| {
            action.with(|a| {
                let Some(a) = a else { return String::new() };
                let owner = a
                    .owner
                    .as_ref()
                    .map_or_else(|| "no owner yet".to_owned(), |o| person(r, o));
                let due = a
                    .due
                    .map_or_else(|| "no due date".to_owned(), |d| format!("due {d}"));
                let mut details = format!("{} · {owner} · {due}", a.kind.label());
                if !a.assignee.is_empty() {
                    details.push_str(&format!(" · owned by {}", a.assignee));
                }
                details
            })
        })
    };
    let answers = move || {
        ws.review.with(|r| {
            ws.accounts.with(|accounts| {
                let view = r.revealed(accounts).ok()?;
                let texts: Vec<String> = action.with(|a| {
                    a.iter()
                        .flat_map(|a| a.factor_refs.iter())
                        .filter_map(|f| view.observation(f).map(|o| o.text.clone()))
                        .collect()
                });
                (!texts.is_empty()).then(|| format!("Answers: {}", texts.join("; ")))
            })
        })
    };
    view! {
        <li class="action-item" class:overdue=overdue>
            <p class="action-head">
                <span class="priority">
                    {move || action.with(|a| a.as_ref().map(|a| a.priority.label()))}
                </span>
                " " <strong>{title}</strong>
                <Show when=overdue>
                    <span class="overdue-flag">"Overdue"</span>
                </Show>
            </p>
            <p class="meta">{details}</p>
            <p class="action-description">
                {move || action.with(|a| a.as_ref().map(|a| a.description.clone()))}
            </p>
            <p class="meta">{answers}</p>
            {move || action.with(|a| {
                a.as_ref()
                    .and_then(|a| a.tracker_url.clone())
                    .map(|url| view! { <TrackerLink url/> })
            })}
            <StatusHistory history=Signal::derive(move || {
                action.with(|a| a.as_ref().map(|a| a.history.clone()).unwrap_or_default())
            })/>
            <div class="action-controls">
                <Show
                    when=move || status_editable.get()
                    fallback=move || view! {
                        <p class="status-text">
                            "Status: "
                            {move || action.with(|a| a.as_ref().map(|a| a.status.label()))}
                        </p>
                    }
                >
                    <label for=status_id.clone()>"Status"</label>
                    <select id=status_id.clone() on:change=set_status>
                        {ActionStatus::ALL
                            .into_iter()
                            .map(|s| view! {
                                <option value=s.key()
                                    selected=move || action.with(|a| a.as_ref().is_some_and(|a| a.status == s))>
                                    {s.label()}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </Show>
                <Show when=move || editable.get()>
                    <button type="button" on:click=edit aria-label=move || format!("Edit {}", title())>
                        "Edit"
                    </button>
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" on:click=move |_| confirming.set(true)
                                aria-label=move || format!("Remove {}", title())>
                                "Remove"
                            </button>
                        }
                    >
                        <span role="group" aria-label="Confirm removal" class="confirm-inline">
                            "Remove this action? "
                            <button type="button" on:click=remove>"Yes, remove"</button>
                            <button type="button" node_ref=keep_button on:click=move |_| confirming.set(false)>"Keep it"</button>
                        </span>
                    </Show>
                </Show>
            </div>
        </li>
    }
}

fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The form that adds an action, or edits the one chosen with "Edit".
#[component]
fn ActionForm(draft: RwSignal<ActionDraft>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let participants = Memo::new(move |_| ws.review.with(|r| r.participants().to_vec()));
    let all_factors = Memo::new(move |_| {
        ws.review.with(|r| {
            ws.accounts.with(|a| {
                r.revealed(a)
                    .map(|v| factors::factors(&v))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|mut f| {
                        // Only the structure matters here; votes would re-render the list.
                        f.votes = 0;
                        f
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let is_editing = move || draft.with(|d| d.editing.is_some());
    let feedback = FieldFeedback(errors);
    let text = move |get: fn(&ActionDraft) -> &String| {
        Signal::derive(move || draft.with(|d| get(d).clone()))
    };
    let edit = move |set: fn(&mut ActionDraft, String)| {
        Callback::new(move |value: String| draft.update(|d| set(d, value)))
    };
    let error = move |field: &'static str, label: &'static str| {
        Signal::derive(feedback.message(field, label))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = draft.get_untracked();
        let input = match d.to_input() {
            Ok(input) => input,
            Err(found) => {
                errors.set(found);
                return;
            }
        };
        let op = match &d.editing {
            Some(id) => ReviewOp::UpdateAction {
                id: id.clone(),
                action: input,
            },
            None => ReviewOp::AddAction {
                id: ActionId::parse(&new_id()).expect("a UUID is a valid id"),
                action: input,
            },
        };
        let result = ws.apply(op);
        errors.set(match &result {
            Err(OpError::Edit(EditError::Invalid { fields })) => fields.clone(),
            _ => Vec::new(),
        });
        if result.is_ok() {
            draft.set(ActionDraft::default());
        }
    };
    let cancel = move |_| {
        draft.set(ActionDraft::default());
        errors.set(Vec::new());
    };
    view! {
        <form class="card form action-form" on:submit=on_submit novalidate aria-labelledby="action-form-heading">
            <h2 id="action-form-heading">
                {move || if is_editing() { "Edit action" } else { "Add an action" }}
            </h2>
            <TextField id="action-title" label="Title" required=true maxlength=200
                value=text(|d| &d.title) on_input=edit(|d, v| d.title = v)
                error=error("title", "Title")/>
            <TextAreaField id="action-description" label="Description"
                value=text(|d| &d.description) on_input=edit(|d, v| d.description = v)
                error=error("description", "Description")/>
            <div class="field-row">
                <SelectField id="action-owner" label="Owner" placeholder="Nobody yet"
                    hint="An owner is one of the review's participants."
                    options=Signal::derive(move || {
                        participants
                            .get()
                            .into_iter()
                            .map(|p| (p.id.to_string(), format!("{} ({})", p.name, p.role)))
                            .collect()
                    })
                    value=text(|d| &d.owner) on_change=edit(|d, v| d.owner = v)
                    error=error("owner", "Owner")/>
                <TextField id="action-assignee" label="Owning team or person" maxlength=120
                    hint="Who does the work, if not someone in the review: a team or a person."
                    value=text(|d| &d.assignee) on_input=edit(|d, v| d.assignee = v)
                    error=error("assignee", "Owning team or person")/>
            </div>
            <TextField id="action-tracker" label="Tracker link" kind="url" inputmode="url"
                hint="The backlog item for this action, such as https://jira.example.com/browse/OPS-12."
                value=text(|d| &d.tracker_url) on_input=edit(|d, v| d.tracker_url = v)
                error=error("tracker_url", "Tracker link")/>
            <div class="field-row">
                <TextField id="action-due" label="Due date" kind="date"
                    value=text(|d| &d.due) on_input=edit(|d, v| d.due = v)
                    error=error("due", "Due date")/>
            </div>
            <div class="field-row">
                <SelectField id="action-kind" label="Kind" required=true placeholder="Choose…"
                    options=options(ActionKind::ALL, ActionKind::key, ActionKind::label)
                    value=text(|d| &d.kind) on_change=edit(|d, v| d.kind = v)
                    error=error("kind", "Kind")/>
                <SelectField id="action-priority" label="Priority" required=true placeholder="Choose…"
                    options=options(Priority::ALL, Priority::key, Priority::label)
                    value=text(|d| &d.priority) on_change=edit(|d, v| d.priority = v)
                    error=error("priority", "Priority")/>
                <SelectField id="action-status" label="Status"
                    options=options(ActionStatus::ALL, ActionStatus::key, ActionStatus::label)
                    value=Signal::derive(move || {
                        draft.with(|d| ActionStatus::from_key(&d.status).unwrap_or_default().key().to_owned())
                    })
                    on_change=edit(|d, v| d.status = v)
                    error=error("status", "Status")/>
            </div>
            <fieldset aria-describedby="factor_refs-error">
                <legend>"Factors this action answers"</legend>
                <Show
                    when=move || all_factors.with(|f| !f.is_empty())
                    fallback=|| view! { <p class="empty">"No factors were noted."</p> }
                >
                    <For
                        each=move || all_factors.get()
                        key=|f| f.factor.clone()
                        children=move |f| {
                            let fref = f.factor.clone();
                            let id = format!("action-factor-{}-{}", fref.participant_id, fref.observation_id);
                            let checked = {
                                let fref = fref.clone();
                                move || draft.with(|d| d.factors.contains(&fref))
                            };
                            let toggle = move |_| {
                                let fref = fref.clone();
                                draft.update(move |d| {
                                    if let Some(i) = d.factors.iter().position(|x| *x == fref) {
                                        d.factors.remove(i);
                                    } else {
                                        d.factors.push(fref);
                                    }
                                })
                            };
                            view! {
                                <div class="choice">
                                    <input type="checkbox" id=id.clone() prop:checked=checked on:change=toggle/>
                                    " "
                                    <label for=id>{format!("{} ({})", f.text, f.kind.label())}</label>
                                </div>
                            }
                        }
                    />
                </Show>
                <p class="field-error" id="factor_refs-error" aria-live="polite">
                    {feedback.message("factor_refs", "Factors")}
                </p>
            </fieldset>
            <div class="row-buttons">
                <button type="submit" class="primary">
                    {move || if is_editing() { "Save action" } else { "Add action" }}
                </button>
                <Show when=is_editing>
                    <button type="button" on:click=cancel>"Cancel editing"</button>
                </Show>
            </div>
        </form>
    }
}

/// Downloads of the backlog for a tracker: Jira CSV, a Markdown checklist, JSON.
#[component]
fn ActionExports() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let failure = RwSignal::new(None::<String>);
    let offer = move |ext: &str, mime: &str, make: fn(&mosaic_domain::Review) -> String| {
        let (name, text) = ws
            .review
            .with_untracked(|r| (format!("{}-actions.{ext}", file_stem(r)), make(r)));
        failure.set(download::offer(&name, mime, &text).err());
    };
    view! {
        <div class="export-buttons" role="group" aria-label="Export the actions">
            <button type="button" on:click=move |_| offer("csv", "text/csv", action::backlog_csv)>
                "Export CSV for Jira"
            </button>
            <button type="button" on:click=move |_| offer("md", "text/markdown", action::backlog_markdown)>
                "Export Markdown checklist"
            </button>
            <button type="button" on:click=move |_| offer("json", "application/json", action::backlog_json)>
                "Export actions as JSON"
            </button>
        </div>
        <p class="form-error" role="alert">{move || failure.get()}</p>
    }
}
