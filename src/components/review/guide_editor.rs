use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use leptos::html;
use leptos::prelude::*;
use mosaic_domain::guide::BuiltinGuide;
use mosaic_domain::{Phase, QuestionId, QuestionInput, ReviewOp, ValidationError, limits};
use serde::{Deserialize, Serialize};

use crate::components::shared::edits::{FieldFeedback, WHOLE_FORM, field_message, save_review_op};
use crate::components::shared::field::TextField;
use crate::components::shared::limit_hint::LimitHint;
use crate::drafts::stored_draft;
use crate::workspace::{Workspace, new_id};

/// A question's fields as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct QuestionDraft {
    text: String,
    hint: String,
}

impl QuestionDraft {
    fn to_input(&self) -> QuestionInput {
        QuestionInput {
            text: self.text.clone(),
            hint: self.hint.clone(),
        }
    }
}

/// The question guide every participant answers in their account: the facilitator starts from a
/// built-in guide and adds, edits, reorders or removes questions while the review is in Setup.
/// From then on the questions are fixed and shown read-only.
#[component]
pub fn GuideEditor() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let editable = Memo::new(move |_| ws.review.with(|r| r.phase() == Phase::Setup));
    let ids = Memo::new(move |_| {
        ws.review.with(|r| {
            r.guide()
                .questions
                .iter()
                .map(|q| q.id.clone())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="card guide-editor" aria-labelledby="guide-heading">
            <h2 id="guide-heading">"Question guide"</h2>
            <p class="hint">
                "Every participant answers these questions in their own account, privately, "
                "beside their timeline. After the reveal the answers are shown side by side, "
                "question by question."
            </p>
            <Show
                when=move || editable.get()
                fallback=|| view! {
                    <p class="note">
                        "The questions are fixed now that accounts are open, so everyone "
                        "answers the same ones."
                    </p>
                }
            >
                <GuideChoice/>
            </Show>
            <Show when=move || ids.with(Vec::is_empty)>
                <p class="empty">"No questions: accounts will have a timeline and observations only."</p>
            </Show>
            <ol class="question-list">
                {keyed_list(
                    move || ids.get(),
                    |id| id.to_string(),
                    move |id| view! { <QuestionRow id editable/> }.into_any(),
                )}
            </ol>
            <Show when=move || editable.get()>
                <LimitHint count=Signal::derive(move || ids.with(Vec::len))
                    max=limits::MAX_QUESTIONS noun="questions"/>
                <NewQuestionForm/>
            </Show>
        </section>
    }
}

/// Picks a built-in guide; using one replaces the current questions.
#[component]
fn GuideChoice() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let based_on = ws.review.with_untracked(|r| r.guide().based_on);
    let chosen = RwSignal::new(based_on.unwrap_or(BuiltinGuide::Default));
    let status = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let current = move || {
        ws.review.with(|r| {
            let g = r.guide();
            match g.based_on {
                Some(b) if g.is_unchanged() => format!("In use: {}.", b.label()),
                Some(b) => format!("In use: {}, edited.", b.label()),
                None => "In use: your own questions.".to_owned(),
            }
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let guide = chosen.get_untracked();
        let found = save_review_op(ws, ReviewOp::UseGuide { guide });
        if found.is_empty() {
            status.set(format!("Now using {}.", guide.label()));
            problem.set(None);
        } else {
            status.set(String::new());
            problem.set(found.first().map(|e| e.message.clone()));
        }
    };
    view! {
        <form class="guide-choice" on:submit=on_submit aria-labelledby="guide-choice-heading">
            <h3 id="guide-choice-heading">"Start from a guide"</h3>
            <p class="meta">{current}</p>
            <div class="field">
                <label for="guide-choice">"Guide"</label>
                <select id="guide-choice" aria-describedby="guide-choice-hint"
                    on:change=move |ev| {
                        if let Some(g) = BuiltinGuide::from_key(&event_target_value(&ev)) {
                            chosen.set(g);
                        }
                        status.set(String::new());
                    }>
                    {BuiltinGuide::ALL
                        .into_iter()
                        .map(|g| view! {
                            <option value=g.key() selected=move || chosen.get() == g>
                                {g.label()}
                            </option>
                        })
                        .collect_view()}
                </select>
                <p class="hint" id="guide-choice-hint">
                    {move || chosen.get().description()}
                    " Using it replaces the questions below."
                </p>
            </div>
            <p class="form-error" aria-live="polite">{move || problem.get()}</p>
            <button type="submit">"Use this guide"</button>
            <p class="form-status" role="status">{move || status.get()}</p>
        </form>
    }
}

/// The question and hint fields, shared by the new-question form and in-place editing.
#[component]
fn QuestionFields(
    /// Prefix of the fields' ids: `{prefix}-text`, `{prefix}-hint`.
    prefix: String,
    /// The fields as typed.
    question: RwSignal<QuestionDraft>,
    /// The latest problems, by field.
    errors: RwSignal<Vec<ValidationError>>,
    /// Where the question field is, to put the cursor there.
    #[prop(optional)]
    text_input: Option<NodeRef<html::Input>>,
) -> impl IntoView {
    let text_id = format!("{prefix}-text");
    let hint_id = format!("{prefix}-hint");
    let feedback = FieldFeedback(errors);
    view! {
        <TextField id=text_id label="Question" required=true
            maxlength=limits::MAX_QUESTION_CHARS as u32
            node_ref=text_input.unwrap_or_default()
            value=Signal::derive(move || question.with(|q| q.text.clone()))
            on_input=move |v| question.update(|q| q.text = v)
            error=Signal::derive(feedback.message("text", "Question"))/>
        <TextField id=hint_id label="Hint for participants (optional)"
            maxlength=limits::MAX_QUESTION_HINT_CHARS as u32
            value=Signal::derive(move || question.with(|q| q.hint.clone()))
            on_input=move |v| question.update(|q| q.hint = v)
            error=Signal::derive(feedback.message("hint", "Hint"))/>
    }
}

/// Adds a question at the end; what is typed is kept in `localStorage` until it is added.
#[component]
fn NewQuestionForm() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = ws
        .review
        .with_untracked(|r| format!("mosaic.draft.question.{}", r.id));
    let question = stored_draft::<QuestionDraft>(key);
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let status = RwSignal::new(String::new());
    let text_input = NodeRef::<html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = question.get_untracked();
        let id = QuestionId::parse(&new_id()).expect("a UUID is a valid question id");
        let found = save_review_op(
            ws,
            ReviewOp::AddQuestion {
                id,
                question: typed.to_input(),
            },
        );
        if found.is_empty() {
            question.set(QuestionDraft::default());
            status.set("Question added.".to_owned());
            if let Some(input) = text_input.get() {
                let _ = input.focus();
            }
        } else {
            status.set(String::new());
        }
        errors.set(found);
    };
    view! {
        <form class="new-question" on:submit=on_submit novalidate
            aria-labelledby="new-question-heading">
            <h3 id="new-question-heading">"Add a question"</h3>
            <QuestionFields prefix="new-question".to_owned() question errors text_input/>
            <p class="form-error" aria-live="polite">
                {move || errors.with(|e| field_message(e, WHOLE_FORM, ""))}
            </p>
            <button type="submit" class="primary">"Add question"</button>
            <p class="form-status" role="status">{move || status.get()}</p>
        </form>
    }
}

/// One question: shown, moved, removed, or edited in place after "Edit".
#[component]
fn QuestionRow(id: QuestionId, editable: Memo<bool>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    // Copied into every handler, so each stays `Copy` however often the row re-renders.
    let qid = StoredValue::new(id.clone());
    let question = Memo::new(move |_| {
        ws.review
            .with(|r| qid.with_value(|id| r.guide().question(id).cloned()))
    });
    let position = Memo::new(move |_| {
        ws.review.with(|r| {
            let qs = &r.guide().questions;
            let at = qid.with_value(|id| qs.iter().position(|q| &q.id == id));
            (at.unwrap_or(0), qs.len())
        })
    });
    let editing = RwSignal::new(false);
    let fields = RwSignal::new(QuestionDraft::default());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let problem = RwSignal::new(None::<String>);
    let text_input = NodeRef::<html::Input>::new();
    crate::effect::effect(move |_| {
        if let Some(input) = text_input.get() {
            let _ = input.focus();
        }
    });
    let number = move || position.get().0 + 1;
    let text = move || question.with(|q| q.as_ref().map(|q| q.text.clone()).unwrap_or_default());
    let hint = move || question.with(|q| q.as_ref().map(|q| q.hint.clone()).unwrap_or_default());
    // Ids the keyboard returns to: they stay on the row whichever way it moves.
    let dom_id = move |what: &str| qid.with_value(|id| format!("question-{id}-{what}"));

    let start_edit = move |_| {
        if let Some(q) = question.get_untracked() {
            fields.set(QuestionDraft {
                text: q.text,
                hint: q.hint,
            });
        }
        errors.set(Vec::new());
        editing.set(true);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let found = save_review_op(
            ws,
            ReviewOp::UpdateQuestion {
                id: qid.get_value(),
                question: fields.get_untracked().to_input(),
            },
        );
        if found.is_empty() {
            editing.set(false);
            focus_later(dom_id("edit"));
        }
        errors.set(found);
    };
    let cancel = move |_| {
        editing.set(false);
        focus_later(dom_id("edit"));
    };
    let shift = move |by: isize, focus: &'static str| {
        let (at, count) = position.get_untracked();
        let to = at.saturating_add_signed(by);
        let found = save_review_op(
            ws,
            ReviewOp::MoveQuestion {
                id: qid.get_value(),
                to,
            },
        );
        problem.set(found.first().map(|e| e.message.clone()));
        // At the top or the bottom that button is disabled: stay on the row with the other.
        let focus = match (to, focus) {
            (0, _) => "down",
            (to, _) if to + 1 >= count => "up",
            (_, focus) => focus,
        };
        focus_later(dom_id(focus));
    };
    let remove = move |_| {
        let found = save_review_op(
            ws,
            ReviewOp::RemoveQuestion {
                id: qid.get_value(),
            },
        );
        problem.set(found.first().map(|e| e.message.clone()));
        if found.is_empty() {
            focus_later("new-question-text".to_owned());
        }
    };
    let label = move |what: &str| format!("{what} question {}", number());

    view! {
        <li class="question card">
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <p class="question-text">{text}</p>
                    <Show when=move || !hint().is_empty()>
                        <p class="hint">{hint}</p>
                    </Show>
                    <Show when=move || editable.get()>
                        <div class="row-actions">
                            <button type="button" id=dom_id("edit") on:click=start_edit
                                aria-label=move || label("Edit")>"Edit"</button>
                            <button type="button" id=dom_id("up")
                                on:click=move |_| shift(-1, "up")
                                disabled=move || position.get().0 == 0
                                aria-label=move || label("Move up")>"Move up"</button>
                            <button type="button" id=dom_id("down")
                                on:click=move |_| shift(1, "down")
                                disabled=move || { let (at, n) = position.get(); at + 1 >= n }
                                aria-label=move || label("Move down")>"Move down"</button>
                            <button type="button" class="danger" on:click=remove
                                aria-label=move || label("Remove")>"Remove"</button>
                        </div>
                    </Show>
                    <p class="form-error" aria-live="polite">{move || problem.get()}</p>
                }
            >
                <form class="edit-question" on:submit=save novalidate
                    aria-label=move || label("Edit")>
                    <QuestionFields prefix=dom_id("field") question=fields errors text_input/>
                    <p class="form-error" aria-live="polite">
                        {move || errors.with(|e| field_message(e, WHOLE_FORM, ""))}
                    </p>
                    <button type="submit" class="primary">"Save question"</button>
                    <button type="button" on:click=cancel>"Cancel"</button>
                </form>
            </Show>
        </li>
    }
}

/// Moves the keyboard to the element with `id` once the page has re-rendered (a moved row, a
/// closed form); nothing happens if it is gone.
fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(el) = document()
            .get_element_by_id(&id)
            .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
        {
            let _ = el.focus();
        }
    });
}
