use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use leptos::html;
use leptos::prelude::*;
use mosaic_domain::limits;
use mosaic_domain::review::ParticipantInput;
use mosaic_domain::{EditError, ParticipantId, ValidationError};
use mosaic_domain::{OpError, ReviewOp};
use serde::{Deserialize, Serialize};

use crate::components::shared::copy_link::CopyLink;
use crate::components::shared::edits::{
    FieldFeedback, WHOLE_FORM, field_message, save_review_op, sentence,
};
use crate::components::shared::field::TextField;
use crate::components::shared::limit_hint::LimitHint;
use crate::drafts::stored_draft;
use crate::workspace::Workspace;
use crate::workspace::new_id;

/// A participant's fields as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct PersonDraft {
    name: String,
    role: String,
    show_name_when_published: bool,
}

impl PersonDraft {
    fn to_input(&self) -> ParticipantInput {
        ParticipantInput {
            name: self.name.clone(),
            role: self.role.clone(),
            show_name_when_published: self.show_name_when_published,
        }
    }
}

/// Who takes part: add people with their role and whether a published finding may name them,
/// edit them, and remove those who haven't submitted an account.
#[component]
pub fn ParticipantsEditor() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let ids = Memo::new(move |_| {
        ws.review.with(|r| {
            r.participants()
                .iter()
                .map(|p| p.id.clone())
                .collect::<Vec<_>>()
        })
    });
    provide_joined_people(ws);
    view! {
        <section class="card participants-editor" aria-labelledby="participants-heading">
            <h2 id="participants-heading">"Participants"</h2>
            <p class="hint">
                "Everyone who writes an independent account. Published findings name people by "
                "their role unless they opt in to their name."
            </p>
            <Show when=move || ids.with(Vec::is_empty)>
                <p class="empty">"No participants yet."</p>
            </Show>
            <ul class="participant-list">
                {keyed_list(
                    move || ids.get(),
                    |id| id.to_string(),
                    |id| view! { <ParticipantRow id/> }.into_any(),
                )}
            </ul>
            <LimitHint count=Signal::derive(move || ids.with(Vec::len))
                max=limits::MAX_PARTICIPANTS noun="participants"/>
            <NewParticipantForm/>
        </section>
    }
}

/// The name, role and opt-in fields, shared by the new-participant form and in-place editing.
#[component]
fn PersonFields(
    /// Prefix of the fields' ids: `{prefix}-name`, `{prefix}-role`, `{prefix}-show-name`.
    prefix: String,
    /// The fields as typed.
    person: RwSignal<PersonDraft>,
    /// The latest problems, by field.
    errors: RwSignal<Vec<ValidationError>>,
    /// Where the name field is, to put the cursor there.
    #[prop(optional)]
    name_input: Option<NodeRef<html::Input>>,
) -> impl IntoView {
    let name_id = format!("{prefix}-name");
    let role_id = format!("{prefix}-role");
    let show_id = format!("{prefix}-show-name");
    let feedback = FieldFeedback(errors);
    let error = move |field, label| Signal::derive(feedback.message(field, label));
    view! {
        <div class="field-row">
            <TextField id=name_id label="Name" required=true maxlength=80
                node_ref=name_input.unwrap_or_default()
                value=Signal::derive(move || person.with(|p| p.name.clone()))
                on_input=move |v| person.update(|p| p.name = v)
                error=error("name", "Name")/>
            <TextField id=role_id label="Role in the incident" required=true maxlength=80
                placeholder="on-call SRE"
                value=Signal::derive(move || person.with(|p| p.role.clone()))
                on_input=move |v| person.update(|p| p.role = v)
                error=error("role", "Role")/>
        </div>
        <div class="choice">
            <input id=show_id.clone() type="checkbox"
                aria-describedby=format!("{show_id}-hint")
                prop:checked=move || person.with(|p| p.show_name_when_published)
                on:change=move |ev| {
                    person.update(|p| p.show_name_when_published = event_target_checked(&ev))
                }/>
            " "
            <label for=show_id.clone()>"Show this person's name when published"</label>
            <p class="hint" id=format!("{show_id}-hint")>
                "Only with this person's consent. Otherwise published findings name them by role."
            </p>
        </div>
    }
}

/// Adds a participant; what is typed is kept in `localStorage` until it is added.
#[component]
fn NewParticipantForm() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = ws
        .review
        .with_untracked(|r| format!("mosaic.draft.participant.{}", r.id));
    let person = stored_draft::<PersonDraft>(key);
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let status = RwSignal::new(String::new());
    let name_input = NodeRef::<html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = person.get_untracked();
        let id = ParticipantId::parse(&new_id()).expect("a UUID is a valid participant id");
        let found = save_review_op(
            ws,
            ReviewOp::AddParticipant {
                id: id.clone(),
                participant: typed.to_input(),
            },
        );
        if found.is_empty() {
            person.set(PersonDraft::default());
            let name = typed.name.trim();
            status.set(if ws.sync.is_some() {
                format!("{name} added. Make their personal invite link below and send it to them.")
            } else {
                format!("{name} added.")
            });
            if let Some(input) = name_input.get() {
                let _ = input.focus();
            }
        } else {
            status.set(String::new());
        }
        errors.set(found);
    };
    view! {
        <form class="new-participant" on:submit=on_submit novalidate
            aria-labelledby="new-participant-heading">
            <h3 id="new-participant-heading">"Add a participant"</h3>
            <PersonFields prefix="new-participant".to_owned() person errors name_input/>
            <p class="form-error" aria-live="polite">
                {move || errors.with(|e| field_message(e, WHOLE_FORM, ""))}
            </p>
            <button type="submit" class="primary">"Add participant"</button>
            <p class="form-status" role="status">{move || status.get()}</p>
        </form>
    }
}

/// One participant: shown, or edited in place after "Edit".
#[component]
fn ParticipantRow(id: ParticipantId) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let pid = id.clone();
    let participant = Memo::new(move |_| ws.review.with(|r| r.participant(&pid).cloned()));
    let pid = id.clone();
    let submitted = Memo::new(move |_| ws.review.with(|r| r.submission(&pid).is_some()));
    let editing = RwSignal::new(false);
    let person = RwSignal::new(PersonDraft::default());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let problem = RwSignal::new(None::<String>);
    let edit_button = NodeRef::<html::Button>::new();
    let name_input = NodeRef::<html::Input>::new();
    // Put the cursor in the name as soon as the fields appear.
    crate::effect::effect(move |_| {
        if let Some(input) = name_input.get() {
            let _ = input.focus();
        }
    });
    let back_to_edit_button = move || {
        request_animation_frame(move || {
            if let Some(button) = edit_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let name = move || participant.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default());

    let start_edit = move |_| {
        if let Some(p) = participant.get_untracked() {
            person.set(PersonDraft {
                name: p.name,
                role: p.role,
                show_name_when_published: p.show_name_when_published,
            });
        }
        errors.set(Vec::new());
        problem.set(None);
        editing.set(true);
    };
    let save = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let typed = person.get_untracked().to_input();
            let found = save_review_op(
                ws,
                ReviewOp::UpdateParticipant {
                    id: id.clone(),
                    participant: typed.clone(),
                },
            );
            if found.is_empty() {
                editing.set(false);
                back_to_edit_button();
            }
            errors.set(found);
        }
    };
    let cancel = move |_| {
        editing.set(false);
        back_to_edit_button();
    };
    let confirming = RwSignal::new(false);
    let remove = {
        let id = id.clone();
        move |_| {
            confirming.set(false);
            let who = name();
            let refused = ws
                .apply(ReviewOp::RemoveParticipant { id: id.clone() })
                .map_err(|e| match e {
                    OpError::Edit(EditError::HasSubmitted { .. }) => format!(
                        "{who} has submitted an account, so they can't be removed: their sealed \
                         account is part of the review."
                    ),
                    other => sentence(&other.to_string()),
                });
            if let Err(message) = refused {
                // Shown in the row, beside the button that was pressed, rather than twice.
                ws.notice.set(None);
                problem.set(Some(message));
            }
        }
    };
    let id_for_link = id.clone();
    let prefix = format!("participant-{id}");
    let problem_id = format!("participant-{id}-problem");

    view! {
        <li class="participant">
            <Show
                when=move || editing.get()
                fallback=move || {
                    let problem_id = problem_id.clone();
                    let remove = remove.clone();
                    view! {
                        <div class="participant-summary">
                            <span class="participant-name">{name}</span>
                            <span class="participant-role">
                                {move || participant.with(|p| {
                                    p.as_ref().map(|p| p.role.clone()).unwrap_or_default()
                                })}
                            </span>
                            <span class="hint">
                                {move || participant.with(|p| match p {
                                    Some(p) if p.show_name_when_published => "Named when published",
                                    _ => "Role only when published",
                                })}
                            </span>
                            <Show when=move || submitted.get()>
                                <span class="status-tag done">"Submitted"</span>
                            </Show>
                            <span class="row-actions">
                                <button type="button" node_ref=edit_button on:click=start_edit
                                    aria-label=move || format!("Edit {}", name())>
                                    "Edit"
                                </button>
                                <button type="button" class="danger"
                                    on:click=move |_| confirming.set(true)
                                    aria-label=move || format!("Remove {}", name())
                                    aria-describedby=problem_id.clone()>
                                    "Remove"
                                </button>
                            </span>
                        </div>
                        <Show when=move || confirming.get()>
                            <div class="confirm-removal" role="group"
                                aria-label=move || format!("Remove {}?", name())>
                                <p>{move || removal_consequences(&name(), submitted.get(), ws.sync.is_some())}</p>
                                <button type="button" class="danger" on:click=remove.clone()>
                                    {move || format!("Yes, remove {}", name())}
                                </button>
                                " "
                                <button type="button" on:click=move |_| confirming.set(false)>
                                    {move || format!("Keep {}", name())}
                                </button>
                            </div>
                        </Show>
                        <PersonalInvite id=id_for_link.clone() name=Signal::derive(name)/>
                        <p class="form-error" id=problem_id role="alert">{move || problem.get()}</p>
                    }
                }
            >
                <form class="participant-edit" on:submit=save.clone() novalidate
                    aria-label=move || format!("Edit {}", name())>
                    <PersonFields prefix=prefix.clone() person errors name_input/>
                    <p class="form-error" aria-live="polite">
                        {move || errors.with(|e| field_message(e, WHOLE_FORM, ""))}
                    </p>
                    <button type="submit" class="primary">"Save"</button>
                    " "
                    <button type="button" on:click=cancel>"Cancel"</button>
                </form>
            </Show>
        </li>
    }
}

/// What removing `who` does, said before it is done.
fn removal_consequences(who: &str, submitted: bool, server: bool) -> String {
    match (submitted, server) {
        (true, true) => format!(
            "{who} has submitted. Removing them now deletes their sealed account from the server: \
             it will not be revealed, and their submission stays listed, marked removed. They \
             can no longer open the review, but can download what they wrote."
        ),
        (false, true) => format!(
            "Remove {who}? Their draft is deleted from the server and they can no longer open \
             the review; they can still download what they wrote from their own browser."
        ),
        (true, false) => format!(
            "{who} has submitted. Removing them now keeps their sealed account out of the \
             reveal; their submission stays listed, marked removed."
        ),
        (false, false) => format!(
            "Remove {who}? Their account stays in this browser but is no longer part of the \
             review."
        ),
    }
}

/// Who has joined as themselves, as the server last said (`None` until it has, or without a
/// server): read by each row to offer a personal link only to those who have not.
#[derive(Clone, Copy)]
struct JoinedPeople(RwSignal<Option<Vec<ParticipantId>>>);

/// Asks the server who has joined, again whenever the participants change.
fn provide_joined_people(ws: Workspace) {
    let joined = RwSignal::new(None::<Vec<ParticipantId>>);
    provide_context(JoinedPeople(joined));
    let token = ws.credential.with_value(|c| match c {
        Some(c) if c.role == mosaic_domain::Role::Facilitator => Some(c.token.clone()),
        _ => None,
    });
    let (Some(token), true) = (token, ws.sync.is_some()) else {
        return;
    };
    let mode = crate::settings::mode();
    crate::effect::effect(move |_| {
        let (id, _count) = ws
            .review
            .with(|r| (r.id.to_string(), r.participants().len()));
        let (Some(api), token) = (mode.get_untracked().api(), token.clone()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(state) = api.with_token(&token).joining(&id).await {
                joined.set(Some(state.joined));
            }
        });
    });
}

/// The facilitator's personal invite link for one participant, with a server: sent to that
/// person, it lets them take this row instead of joining as someone new; for someone who has
/// joined, it is their way back after losing their browser (it signs the old one out).
#[component]
fn PersonalInvite(id: ParticipantId, #[prop(into)] name: Signal<String>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let mode = crate::settings::mode();
    let facilitator_token = ws.credential.with_value(|c| match c {
        Some(c) if c.role == mosaic_domain::Role::Facilitator => Some(c.token.clone()),
        _ => None,
    });
    let (Some(token), true) = (facilitator_token, ws.sync.is_some()) else {
        return None;
    };
    let joined = use_context::<JoinedPeople>().map(|j| j.0);
    let has_joined = {
        let id = id.clone();
        move || joined.is_some_and(|j| j.with(|j| j.as_ref().is_some_and(|j| j.contains(&id))))
    };
    let field_id = StoredValue::new(format!("personal-link-{id}"));
    let hint_id = StoredValue::new(format!("personal-link-hint-{id}"));
    let link = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let make = Action::new_local(move |(): &()| {
        let review_id = ws.review.with_untracked(|r| r.id.to_string());
        let mode = mode.get_untracked();
        let (token, pid) = (token.clone(), id.to_string());
        async move {
            let api = mode
                .api()
                .ok_or_else(|| "Personal links need the server: check Settings.".to_owned())?;
            match api
                .with_token(&token)
                .personal_invite(&review_id, &pid)
                .await
            {
                Ok(invite) => Ok(crate::join_link::join_link(
                    crate::join_link::LinkKind::Person,
                    &crate::settings::page_origin(),
                    &review_id,
                    &invite.token,
                    mode.access_key(),
                )),
                Err(e) if e.code() == Some("not_found") => Err(
                    "This person is not on the server yet: wait until the badge says Saved, \
                     then try again."
                        .to_owned(),
                ),
                Err(e) => Err(e.to_string()),
            }
        }
    });
    crate::effect::effect(move |_| match make.value().get() {
        Some(Ok(made)) => {
            problem.set(None);
            link.set(Some(made));
        }
        Some(Err(e)) => problem.set(Some(e)),
        None => {}
    });

    Some(view! {
        <div class="personal-invite">
            <Show when=has_joined.clone()>
                <span class="status-tag done">"Joined"</span>
            </Show>
            <Show
                when=move || link.with(Option::is_some)
                fallback=move || {
                    let joined_now = has_joined();
                    view! {
                        <button type="button" disabled=move || make.pending().get()
                            aria-describedby=joined_now.then(|| hint_id.get_value())
                            on:click=move |_| { make.dispatch(()); }>
                            {move || if joined_now {
                                format!("Make a new personal link for {}", name.get())
                            } else {
                                format!("Make a personal invite link for {}", name.get())
                            }}
                        </button>
                        <Show when=move || joined_now>
                            <p class="hint" id=hint_id.get_value()>
                                {move || format!(
                                    "If {} lost their browser: opening the new link continues \
                                     their place, with what the server has of their account, \
                                     and signs their other browsers out.",
                                    name.get()
                                )}
                            </p>
                        </Show>
                    }
                }
            >
                <CopyLink id=field_id.get_value()
                    label=format!("Personal invite link for {}", name.get_untracked())
                    link=Signal::derive(move || link.get().unwrap_or_default())/>
            </Show>
            <p class="form-error" role="alert">{move || problem.get()}</p>
        </div>
    })
}
