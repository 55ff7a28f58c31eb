use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::guide::{QuestionAnswers, answers_by_question};

use crate::components::review::words::person;
use crate::workspace::Workspace;

/// After the reveal, each question of the guide with every person's answer side by side: a
/// second place, beside the merged timeline, where the accounts differ. Built only from the
/// revealed view, so no draft or unsealed account is ever shown.
#[component]
pub fn AnswersByQuestion() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    // Each answer with its author as "Name (role)", ready to show.
    let lined = Memo::new(move |_| {
        ws.review.with(|r| {
            ws.accounts.with(|a| {
                r.revealed(a)
                    .ok()
                    .map(|view| {
                        answers_by_question(r.guide(), view.accounts())
                            .into_iter()
                            .map(|QuestionAnswers { question, answers }| {
                                let answers: Vec<(String, String)> = answers
                                    .into_iter()
                                    .map(|(pid, text)| (person(r, &pid), text))
                                    .collect();
                                (question, answers)
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
        })
    });
    view! {
        <Show when=move || lined.with(|l| !l.is_empty())>
            <section class="card answers-by-question" aria-labelledby="answers-by-question-heading">
                <h2 id="answers-by-question-heading">"Answers by question"</h2>
                <p class="hint">
                    "Every person's answer to each question of the guide, side by side. Where "
                    "they differ, ask what each person could see from where they stood."
                </p>
                {move || lined.get().into_iter().map(|(question, answers)| {
                    let heading_id = format!("answers-to-{}", question.id);
                    let empty = answers.is_empty();
                    view! {
                        <section class="question-answers" aria-labelledby=heading_id.clone()>
                            <h3 id=heading_id.clone()>{question.text}</h3>
                            {empty.then(|| view! {
                                <p class="empty">"Nobody answered this question."</p>
                            })}
                            {(!empty).then(|| view! {
                                <ul class="answer-columns">
                                    {answers.into_iter().map(|(who, text)| view! {
                                        <li class="answer">
                                            <p class="answer-who">{who}</p>
                                            <p class="answer-text">{text}</p>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </section>
                    }
                }).collect_view()}
            </section>
        </Show>
    }
}
