use crate::components::shared::show::Show;
use leptos::html;
use leptos::prelude::*;
use mosaic_domain::{Account, ParticipantId, Question};

use crate::components::account::account_draft::AccountDraft;
use crate::components::account::answers_editor::AnswersEditor;
use crate::components::account::observations_editor::ObservationsEditor;
use crate::components::account::timeline_editor::TimelineEditor;
use crate::drafts::stored_draft;
use crate::time;
use crate::workspace::Workspace;

/// The acting participant's own account, and only theirs: until the reveal no screen shows an
/// account to anyone but its author. Editable until they submit it; sealed and read-only after,
/// with its commitment.
///
/// Follows "Acting as": when someone else takes the device, everything here is rebuilt for them.
#[component]
pub fn AccountEditor() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let acting = Memo::new(move |_| ws.acting_participant());
    move || match acting.get() {
        Some(participant) => view! { <OwnAccount participant/> }.into_any(),
        None => view! {
            <section class="card account-editor">
                <p>"Choose your name under “Acting as” to write your account."</p>
            </section>
        }
        .into_any(),
    }
}

/// One participant's account: the editor while it is a draft, the sealed view once submitted.
#[component]
fn OwnAccount(participant: ParticipantId) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let pid = participant.clone();
    let who = Memo::new(move |_| {
        ws.review.with(|r| {
            r.participant(&pid)
                .map(|p| format!("{} ({})", p.name, p.role))
        })
    });
    let pid = participant.clone();
    // Looked up, not cloned: this runs on every keystroke in the account.
    let submitted = Memo::new(move |_| {
        ws.accounts.with(|all| {
            all.iter()
                .any(|a| a.participant_id() == &pid && a.is_submitted())
        })
    });

    move || {
        let Some(name) = who.get() else {
            return view! {
                <section class="card account-editor">
                    <p>"You are no longer a participant of this review."</p>
                </section>
            }
            .into_any();
        };
        let participant = participant.clone();
        if submitted.get() {
            view! { <SealedAccount participant name/> }.into_any()
        } else {
            view! { <DraftAccount participant name/> }.into_any()
        }
    }
}

/// The account while it can still change: timeline, observations and the submit step.
#[component]
fn DraftAccount(participant: ParticipantId, name: String) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = ws
        .review
        .with_untracked(|r| AccountDraft::key(&r.id, &participant));
    let draft = stored_draft::<AccountDraft>(key);
    view! {
        <section class="card account-editor" aria-labelledby="account-heading">
            <h2 id="account-heading">"Your account"</h2>
            <p class="meta">{format!("Writing as {name}.")}</p>
            <p class="privacy-note">
                "Only you can see this until the facilitator reveals all accounts at once. "
                "Write what you saw, knew and did at the time; the coach below a field "
                "suggests blameless wording but never stops you."
            </p>
            <TimelineEditor participant=participant.clone() draft/>
            <AnswersEditor participant=participant.clone() draft/>
            <ObservationsEditor participant=participant.clone() draft/>
            <SubmitAccount participant draft/>
        </section>
    }
}

/// "Submit my account", with an inline confirmation: submitting seals the account for good.
#[component]
fn SubmitAccount(participant: ParticipantId, draft: RwSignal<AccountDraft>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let confirm_button = NodeRef::<html::Button>::new();
    let open_button = NodeRef::<html::Button>::new();
    // Move the keyboard to the choice as soon as it appears.
    crate::effect::effect(move |_| {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let submitting = RwSignal::new(false);
    let submit = move |_| {
        let participant = participant.clone();
        submitting.set(true);
        leptos::task::spawn_local(async move {
            match ws.submit_account(&participant).await {
                Ok(_) => draft.set(AccountDraft::default()),
                Err(message) => {
                    // Shown here, beside the button, rather than twice.
                    ws.notice.set(None);
                    failure.set(Some(message));
                    confirming.set(false);
                    if let Some(button) = open_button.get_untracked() {
                        let _ = button.focus();
                    }
                }
            }
            submitting.set(false);
        });
    };
    let cancel = move |_| {
        confirming.set(false);
        if let Some(button) = open_button.get() {
            let _ = button.focus();
        }
    };

    view! {
        <section class="submit-account" aria-labelledby="submit-heading">
            <h3 id="submit-heading">"Submit"</h3>
            <p class="hint">
                "When your account is complete, submit it. Nobody reads it before the reveal."
            </p>
            <button type="button" class="primary" node_ref=open_button
                aria-expanded=move || confirming.get().to_string()
                aria-controls="submit-confirm"
                on:click=move |_| {
                    failure.set(None);
                    confirming.set(true);
                }>
                "Submit my account…"
            </button>
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <div id="submit-confirm">
                <Show when=move || confirming.get()>
                    <div class="confirm card" role="group" aria-labelledby="submit-confirm-text">
                        <p id="submit-confirm-text">
                            <strong>
                                "Submitting seals your account: you can't change it afterwards."
                            </strong>
                        </p>
                        <Show when=move || draft.with(AccountDraft::has_unsaved_text)>
                            <p class="warning">
                                "Some text you typed isn't part of your account yet (a new entry "
                                "or observation not added, or an edit with a problem). It will "
                                "be left out."
                            </p>
                        </Show>
                        <button type="button" class="primary" node_ref=confirm_button
                            disabled=move || submitting.get()
                            on:click=submit.clone()>
                            {move || if submitting.get() { "Submitting…" } else { "Submit and seal" }}
                        </button>
                        <button type="button" on:click=cancel>"Keep writing"</button>
                    </div>
                </Show>
            </div>
        </section>
    }
}

/// A submitted account: read-only, with the commitment everyone can check after the reveal.
#[component]
fn SealedAccount(participant: ParticipantId, name: String) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let account = Memo::new(move |_| ws.account(&participant));
    move || {
        let Some(account) = account.get() else {
            return ().into_any();
        };
        let questions = ws.review.with(|r| r.guide().questions.clone());
        sealed_view(&account, &name, &questions).into_any()
    }
}

fn sealed_view(account: &Account, name: &str, questions: &[Question]) -> impl IntoView + use<> {
    let submitted = account
        .submitted_at()
        .map(time::display)
        .unwrap_or_default();
    let commitment = account.commitment().unwrap_or_default().to_owned();
    let entries = account
        .entries()
        .iter()
        .map(|e| {
            view! {
                <li class="entry card">
                    <h4>{time::display(e.at)}</h4>
                    <dl class="facts">
                        <dt>"What happened"</dt>
                        <dd>{e.what_happened.clone()}</dd>
                        <dt>"What I knew or believed then"</dt>
                        <dd>{or_dash(&e.knew_or_believed)}</dd>
                        <dt>"What I did"</dt>
                        <dd>{or_dash(&e.what_i_did)}</dd>
                    </dl>
                </li>
            }
        })
        .collect_view();
    let no_observations = account.observations().is_empty();
    let observations = account
        .observations()
        .iter()
        .map(|o| {
            view! {
                <li class="observation card">
                    <span class="kind-tag">{o.kind.label()}</span>
                    " "
                    <span class="observation-text">{o.text.clone()}</span>
                </li>
            }
        })
        .collect_view();
    let answers = questions
        .iter()
        .filter_map(|q| {
            account
                .answer(&q.id)
                .map(|a| (q.text.clone(), a.to_owned()))
        })
        .collect::<Vec<_>>();
    let answers = (!answers.is_empty()).then(|| {
        let items = answers
            .into_iter()
            .map(|(q, a)| view! { <dt>{q}</dt><dd>{a}</dd> })
            .collect_view();
        view! {
            <h3>"Answers"</h3>
            <dl class="facts answers">{items}</dl>
        }
    });
    view! {
        <section class="card account-editor sealed" aria-labelledby="account-heading">
            <h2 id="account-heading">"Your account (submitted)"</h2>
            <p class="meta">{format!("Written by {name}. Submitted {submitted}.")}</p>
            <p class="saved-note">"It is sealed: nobody, you included, can change it now."</p>
            <div class="commitment">
                <h3>"Commitment"</h3>
                <code class="hash">{commitment}</code>
                <p class="hint">
                    "This is the SHA-256 fingerprint of your account's content. The review "
                    "recorded it when you submitted, before anyone could read any account. After "
                    "the reveal everyone can recompute it from the account they are shown and "
                    "check that it is exactly the one you submitted: any change gives another "
                    "fingerprint."
                </p>
            </div>
            <h3>"Timeline"</h3>
            <ol class="entry-list">{entries}</ol>
            {answers}
            <h3>"Observations"</h3>
            {no_observations.then(|| view! { <p class="empty">"No observations."</p> })}
            <ul class="observation-list">{observations}</ul>
        </section>
    }
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "—".to_owned()
    } else {
        text.to_owned()
    }
}
