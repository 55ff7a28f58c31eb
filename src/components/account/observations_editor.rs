use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::{FactorKind, ObservationId, ParticipantId, ValidationError, limits};

use crate::components::account::account_draft::{
    AccountDraft, ObservationDraft, keep_refused_edit,
};
use crate::components::account::undo_removal::{Removed, UndoRemoval};
use crate::components::shared::coached_text::CoachedText;
use crate::components::shared::edits::{WHOLE_FORM, field_message, save_change};
use crate::components::shared::focus::focus_by_id;
use crate::components::shared::limit_hint::LimitHint;
use crate::workspace::Workspace;
use crate::workspace::new_id;

/// The acting participant's observations: things that contributed to the incident or its
/// handling, each tagged with a kind of factor. Edited in place and saved as they type.
#[component]
pub fn ObservationsEditor(
    /// Whose account this is: always the acting participant.
    participant: ParticipantId,
    /// What they typed that the account doesn't hold yet.
    draft: RwSignal<AccountDraft>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let pid = participant.clone();
    // Follows the observations coming and going, not every keystroke (`reshaped`).
    let ids = Memo::new(move |_| {
        ws.reshaped.track();
        ws.with_account_untracked(&pid, |a| {
            a.observations()
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let row_pid = participant.clone();
    let removed = RwSignal::new(None::<Removed>);

    view! {
        <section class="observations-editor" aria-labelledby="observations-heading">
            <h3 id="observations-heading">"Observations"</h3>
            <p class="hint">
                "What made the incident possible, or harder to handle? Tag each with a kind."
            </p>
            <Show when=move || ids.with(Vec::is_empty)>
                <p class="empty">"No observations yet."</p>
            </Show>
            <ul class="observation-list">
                {keyed_list(
                    move || ids.get(),
                    |id| id.to_string(),
                    move |id| {
                        view! { <ObservationRow participant=row_pid.clone() id draft removed/> }
                            .into_any()
                    },
                )}
            </ul>
            <UndoRemoval removed id="undo-observation-removal"/>
            <LimitHint count=Signal::derive(move || ids.with(Vec::len))
                max=limits::MAX_OBSERVATIONS_PER_ACCOUNT noun="observations"/>
            <NewObservationForm participant draft/>
        </section>
    }
}

/// The "Kind" choice of an observation.
#[component]
fn KindSelect(
    /// The select's id; its error is `{id}-error`.
    id: String,
    /// The chosen kind's key, or empty.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the new key.
    on_change: Callback<String>,
    /// A problem with the choice, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field kind-field">
            <label for=id.clone()>"Kind"</label>
            <select id=id required aria-describedby=error_id.clone()
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=move || value.get()
                on:change=move |ev| on_change.run(event_target_value(&ev))>
                <option value="">"Choose…"</option>
                {FactorKind::ALL
                    .into_iter()
                    .map(|k| view! {
                        <option value=k.key() selected=move || value.get() == k.key()>
                            {k.label()}
                        </option>
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

/// One saved observation, edited in place; refused text stays in the field until it is valid.
#[component]
fn ObservationRow(
    participant: ParticipantId,
    id: ObservationId,
    draft: RwSignal<AccountDraft>,
    /// Where a removal is offered for undo.
    removed: RwSignal<Option<Removed>>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = id.to_string();
    let pending = draft.with_untracked(|d| d.observations.get(&key).cloned());
    let had_pending = pending.is_some();
    let initial = pending
        .or_else(|| {
            ws.with_account_untracked(&participant, |a| {
                a.observation(&id).map(ObservationDraft::from_observation)
            })
            .flatten()
        })
        .unwrap_or_default();
    let fields = RwSignal::new(initial);
    let errors = RwSignal::new(Vec::<ValidationError>::new());

    let save = {
        let (id, key, participant) = (id.clone(), key.clone(), participant.clone());
        Callback::new(move |()| {
            let typed = fields.get_untracked();
            let found = match typed.kind() {
                Ok(kind) => save_change(ws, &participant, |a| {
                    a.update_observation(&id, kind, &typed.text)
                }),
                Err(found) => found,
            };
            keep_refused_edit(draft, |d| &mut d.observations, &key, typed, &found);
            errors.set(found);
        })
    };
    if had_pending {
        save.run(());
    }
    let remove = {
        let (id, key, participant) = (id.clone(), key.clone(), participant.clone());
        move |_| {
            let observation = ws
                .with_account_untracked(&participant, |a| a.observation(&id).cloned())
                .flatten();
            let found = save_change(ws, &participant, |a| a.remove_observation(&id));
            if found.is_empty() {
                draft.update(|d| {
                    d.observations.remove(&key);
                });
                if let Some(o) = observation {
                    let participant = participant.clone();
                    removed.set(Some(Removed {
                        what: format!("{} observation", o.kind.label()),
                        restore: std::sync::Arc::new(move || {
                            let found = save_change(ws, &participant, |a| {
                                a.add_observation(o.id.clone(), o.kind, &o.text)
                            });
                            field_message(&found, WHOLE_FORM, "")
                                .or_else(|| found.first().map(|e| e.message.clone()))
                        }),
                    }));
                }
                // The row and its focused button are gone: continue at the note's Undo.
                focus_by_id("undo-observation-removal");
            }
            errors.set(found);
        }
    };
    let error = move |field: &'static str, label: &'static str| {
        Signal::derive(move || errors.with(|e| field_message(e, field, label)))
    };
    let legend = move || {
        fields.with(|f| match FactorKind::from_key(&f.kind) {
            Some(kind) => format!("{} observation", kind.label()),
            None => "Observation".to_owned(),
        })
    };

    view! {
        <li class="observation card">
            <fieldset>
                <legend>{legend}</legend>
                <KindSelect id=format!("observation-{id}-kind")
                    value=Signal::derive(move || fields.with(|f| f.kind.clone()))
                    on_change=Callback::new(move |kind| {
                        fields.update(|f| f.kind = kind);
                        save.run(());
                    })
                    error=error("kind", "Kind")/>
                <CoachedText id=format!("observation-{id}-text") label="Observation" required=true
                    value=Signal::derive(move || fields.with(|f| f.text.clone()))
                    on_input=Callback::new(move |text| {
                        fields.update(|f| f.text = text);
                        save.run(());
                    })
                    error=error("text", "Observation")/>
                <p class="form-error" aria-live="polite">{error(WHOLE_FORM, "")}</p>
                <button type="button" class="danger" on:click=remove>
                    "Remove this observation"
                </button>
            </fieldset>
        </li>
    }
}

/// The form for a new observation, kept in the account's draft as it is typed.
#[component]
fn NewObservationForm(participant: ParticipantId, draft: RwSignal<AccountDraft>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let status = RwSignal::new(String::new());
    let error = move |field: &'static str, label: &'static str| {
        Signal::derive(move || errors.with(|e| field_message(e, field, label)))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = draft.with_untracked(|d| d.new_observation.clone());
        let found = match typed.kind() {
            Ok(kind) => {
                let id = ObservationId::parse(&new_id()).expect("a UUID is a valid id");
                save_change(ws, &participant, |a| {
                    a.add_observation(id.clone(), kind, &typed.text)
                })
            }
            Err(mut found) => {
                // Report an empty text too, so every problem shows at once.
                if typed.text.trim().is_empty() {
                    found.push(ValidationError::new("text", "is required"));
                }
                found
            }
        };
        if found.is_empty() {
            draft.update(|d| d.new_observation = ObservationDraft::default());
            status.set("Observation added.".to_owned());
        }
        errors.set(found);
    };

    view! {
        <form class="new-observation card" on:submit=on_submit novalidate
            aria-labelledby="new-observation-heading">
            <h4 id="new-observation-heading">"Add an observation"</h4>
            <KindSelect id="new-observation-kind".to_owned()
                value=Signal::derive(move || draft.with(|d| d.new_observation.kind.clone()))
                on_change=Callback::new(move |kind| {
                    draft.update(|d| d.new_observation.kind = kind);
                    status.set(String::new());
                })
                error=error("kind", "Kind")/>
            <CoachedText id="new-observation-text" label="Observation" required=true rows=3
                value=Signal::derive(move || draft.with(|d| d.new_observation.text.clone()))
                on_input=Callback::new(move |text| {
                    draft.update(|d| d.new_observation.text = text);
                    status.set(String::new());
                })
                error=error("text", "Observation")/>
            <p class="form-error" aria-live="polite">{error(WHOLE_FORM, "")}</p>
            <button type="submit" class="primary">"Add observation"</button>
            <p class="form-status" role="status">{move || status.get()}</p>
        </form>
    }
}
