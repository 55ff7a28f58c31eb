use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::{ParticipantId, Question, ValidationError};

use crate::components::account::account_draft::{AccountDraft, keep_refused_edit};
use crate::components::shared::coached_text::CoachedText;
use crate::components::shared::edits::{WHOLE_FORM, field_message, save_change};
use crate::workspace::Workspace;

/// The acting participant's answers to the review's question guide: one coached field per
/// question, saved into their own account as they type (an emptied field removes the answer).
#[component]
pub fn AnswersEditor(
    /// Whose account this is: always the acting participant.
    participant: ParticipantId,
    /// What they typed that the account doesn't hold yet.
    draft: RwSignal<AccountDraft>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let questions = Memo::new(move |_| ws.review.with(|r| r.guide().questions.clone()));
    view! {
        <Show when=move || questions.with(|q| !q.is_empty())>
            <section class="answers-editor" aria-labelledby="answers-heading">
                <h3 id="answers-heading">"Questions"</h3>
                <p class="hint">
                    "The facilitator chose these questions for everyone. Answer from where you "
                    "stood at the time; a short answer is fine, and so is none."
                </p>
                <ol class="question-list">
                    {keyed_list(
                        move || questions.get(),
                        |q| q.id.to_string(),
                        {
                            let participant = participant.clone();
                            move |question| view! {
                                <AnswerField participant=participant.clone() question draft/>
                            }.into_any()
                        },
                    )}
                </ol>
            </section>
        </Show>
    }
}

/// One question and the participant's answer to it.
#[component]
fn AnswerField(
    participant: ParticipantId,
    question: Question,
    draft: RwSignal<AccountDraft>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = question.id.to_string();
    let pending = draft.with_untracked(|d| d.answers.get(&key).cloned());
    let had_pending = pending.is_some();
    let initial = pending
        .or_else(|| {
            ws.with_account_untracked(&participant, |a| a.answer(&question.id).map(str::to_owned))
                .flatten()
        })
        .unwrap_or_default();
    let typed = RwSignal::new(initial);
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let save = {
        let (qid, key) = (question.id.clone(), key.clone());
        Callback::new(move |()| {
            let text = typed.get_untracked();
            let found = save_change(ws, &participant, |a| a.set_answer(qid.clone(), &text));
            keep_refused_edit(draft, |d| &mut d.answers, &key, text, &found);
            errors.set(found);
        })
    };
    if had_pending {
        save.run(());
    }
    let error = Signal::derive(move || {
        errors.with(|e| {
            field_message(e, "answer", "Answer").or_else(|| field_message(e, WHOLE_FORM, ""))
        })
    });
    let id = format!("answer-{}", question.id);
    let label = question.text.clone();
    let value = Signal::derive(move || typed.get());
    let on_input = Callback::new(move |text| {
        typed.set(text);
        save.run(());
    });
    // A question without a hint gets no empty hint for assistive technology to announce.
    let field = if question.hint.is_empty() {
        view! { <CoachedText id label rows=3 value on_input error/> }.into_any()
    } else {
        let hint = question.hint.clone();
        view! { <CoachedText id label hint rows=3 value on_input error/> }.into_any()
    };
    view! { <li class="question">{field}</li> }
}
