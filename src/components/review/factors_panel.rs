use std::collections::BTreeSet;

use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::ReviewOp;
use mosaic_domain::factors::{self, DOTS_PER_PARTICIPANT};
use mosaic_domain::limits;
use mosaic_domain::markdown;
use mosaic_domain::{Factor, FactorRef, ParticipantId, Phase, Revealed, ThemeId, ValidationError};
use serde::{Deserialize, Serialize};

use crate::components::review::themes_panel::ThemesPanel;
use crate::components::review::words::person;
use crate::components::review::words::{field_messages, invalid_fields};
use crate::components::shared::confirm_removal::ConfirmRemoval;
use crate::components::shared::limit_hint::LimitHint;
use crate::drafts;
use crate::workspace::{Actor, Workspace, new_id};

/// Whether the group may still change votes and insights (the domain refuses otherwise).
fn group_work(phase: Phase) -> bool {
    matches!(phase, Phase::Revealed | Phase::Actions)
}

/// Where a factor's observation sits: its author's place among the participants, then its
/// place in their account.
fn stable_position(view: &Revealed<'_>, f: &FactorRef) -> (usize, usize) {
    let review = view.review();
    let author = review
        .participants()
        .iter()
        .position(|p| p.id == f.participant_id)
        .unwrap_or(usize::MAX);
    let within = view
        .account(&f.participant_id)
        .and_then(|a| {
            a.observations()
                .iter()
                .position(|o| o.id == f.observation_id)
        })
        .unwrap_or(usize::MAX);
    (author, within)
}

/// The contributing factors of the revealed accounts, grouped by kind with their authors;
/// dot-voting for the acting participant; the themes, made by the facilitator from selected
/// factors; and the facilitator's key insights. A factor in a theme is shown in its theme.
#[component]
pub fn FactorsPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let selected = RwSignal::new(BTreeSet::<FactorRef>::new());
    // The groups' structure only: votes are read per factor, and the order stays put while
    // people vote (the domain's most-votes-first order would move the button being pressed).
    let groups = Memo::new(move |_| {
        ws.review.with(|r| {
            ws.accounts.with(|a| {
                r.revealed(a)
                    .map(|v| {
                        let mut groups = factors::factor_groups(&v);
                        for g in &mut groups {
                            g.factors.sort_by_key(|f| stable_position(&v, &f.factor));
                            for f in &mut g.factors {
                                f.votes = 0;
                            }
                        }
                        groups
                    })
                    .unwrap_or_default()
            })
        })
    });
    let voter = Memo::new(move |_| ws.acting_participant());
    let open = Memo::new(move |_| ws.review.with(|r| group_work(r.phase())));
    let can_group = Memo::new(move |_| ws.actor.get() == Actor::Facilitator && open.get());
    // Which factors are in a theme: they are listed there instead.
    let grouped = Memo::new(move |_| {
        ws.review.with(|r| {
            r.themes()
                .iter()
                .flat_map(|t| t.factors.iter().cloned())
                .collect::<BTreeSet<FactorRef>>()
        })
    });
    let dots = move || {
        let voter = voter.get()?;
        let left = ws.review.with(|r| r.dots_left(&voter));
        let name = ws.review.with(|r| person(r, &voter));
        Some(format!(
            "{name}: {left} of {DOTS_PER_PARTICIPANT} dots left. Place a dot on the factors that matter most; press again to take it back."
        ))
    };
    view! {
        <ThemesPanel/>
        <section class="card factors-panel" aria-labelledby="factors-heading">
            <h2 id="factors-heading">"Contributing factors"</h2>
            <p class="dots-left" aria-live="polite">
                {move || match dots() {
                    Some(text) => text,
                    None if ws.can_switch_actor() => {
                        "Choose a participant under “Acting as” to place their dots.".to_owned()
                    }
                    None => "Each participant places their own dots from their own browser; \
                             as the facilitator you see the votes here as they come in."
                        .to_owned(),
                }}
            </p>
            <Show when=move || can_group.get()>
                <GroupIntoTheme selected/>
            </Show>
            {move || {
                let grouped = grouped.get();
                groups
                    .get()
                    .into_iter()
                    .map(|g| {
                        let id = format!("factors-{}", g.kind.key());
                        let noted = g.factors.len();
                        let factors: Vec<Factor> = g
                            .factors
                            .into_iter()
                            .filter(|f| !grouped.contains(&f.factor))
                            .collect();
                        view! {
                            <section class="factor-group" aria-labelledby=id.clone()>
                                <h3 id=id.clone()>{g.kind.label()}</h3>
                                {if factors.is_empty() {
                                    let note = if noted == 0 {
                                        "None noted."
                                    } else {
                                        "All of these are in themes, above."
                                    };
                                    view! { <p class="empty">{note}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="factor-list">
                                            <For
                                                each=move || factors.clone()
                                                key=|f| f.factor.clone()
                                                children=move |f| view! { <FactorItem f voter open can_group selected/> }
                                            />
                                        </ul>
                                    }
                                    .into_any()
                                }}
                            </section>
                        }
                    })
                    .collect_view()
            }}
        </section>
        <KeyInsights/>
    }
}

/// What the facilitator is typing as the next theme's name, kept in `localStorage`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ThemeNameDraft {
    name: String,
}

/// Why the selected factors can't be grouped yet, if they can't.
fn selection_problem(selected: &BTreeSet<FactorRef>) -> Option<&'static str> {
    (selected.len() < 2).then_some("Select at least two related factors below to group them.")
}

/// The facilitator's "Group into a theme": a name for the factors selected below. Stays in
/// reach while scrolling down the list, like the timeline's link button.
#[component]
fn GroupIntoTheme(selected: RwSignal<BTreeSet<FactorRef>>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = format!(
        "mosaic.draft.theme-name.{}",
        ws.review.with_untracked(|r| r.id.to_string())
    );
    let draft = drafts::stored_draft::<ThemeNameDraft>(key);
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let problem = move || selected.with(selection_problem);
    let group = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let factors: Vec<FactorRef> = selected.get_untracked().into_iter().collect();
        let id = ThemeId::parse(&new_id()).expect("a UUID is a valid id");
        let name = draft.with_untracked(|d| d.name.clone());
        let result = ws.apply(ReviewOp::GroupTheme { id, name, factors });
        if result.is_ok() {
            selected.set(BTreeSet::new());
            draft.set(ThemeNameDraft::default());
        }
        errors.set(invalid_fields(result));
    };
    let name_error = move || errors.with(|e| field_messages(e, "name", "The theme's name"));
    let factors_error = move || errors.with(|e| field_messages(e, "factors", "The selection:"));
    view! {
        <form class="theme-toolbar" on:submit=group aria-label="Group selected factors into a theme">
            <div class="field">
                <label for="new-theme-name">"Theme name"</label>
                <input id="new-theme-name" type="text"
                    aria-describedby="new-theme-name-error group-selection-hint"
                    aria-invalid=move || (!name_error().is_empty()).to_string()
                    prop:value=move || draft.with(|d| d.name.clone())
                    on:input=move |ev| {
                        // What was refused is no longer what the field holds.
                        errors.set(Vec::new());
                        draft.update(|d| d.name = event_target_value(&ev));
                    }/>
                <p class="field-error" id="new-theme-name-error" aria-live="polite">{name_error}</p>
            </div>
            <button type="submit" class="primary" disabled=move || problem().is_some()>
                {move || format!("Group into a theme ({} selected)", selected.with(BTreeSet::len))}
            </button>
            <p class="hint" id="group-selection-hint" aria-live="polite">
                {move || {
                    let e = factors_error();
                    if e.is_empty() {
                        problem()
                            .unwrap_or("The selected factors will be discussed and voted on as one theme.")
                            .to_owned()
                    } else {
                        e
                    }
                }}
            </p>
        </form>
    }
}

/// One factor: its text, author, votes, the acting participant's dot, and for the facilitator
/// a checkbox to select it for a theme.
#[component]
fn FactorItem(
    f: Factor,
    voter: Memo<Option<ParticipantId>>,
    open: Memo<bool>,
    can_group: Memo<bool>,
    selected: RwSignal<BTreeSet<FactorRef>>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let fref = StoredValue::new(f.factor.clone());
    let is_selected = move || fref.with_value(|f| selected.with(|s| s.contains(f)));
    let toggle_selected = move |_| {
        let f = fref.get_value();
        selected.update(|s| {
            if !s.remove(&f) {
                s.insert(f);
            }
        })
    };
    let author = move || fref.with_value(|f| ws.review.with(|r| person(r, &f.participant_id)));
    let votes = move || fref.with_value(|f| ws.review.with(|r| r.votes_for(f)));
    let mine = move || {
        voter
            .get()
            .is_some_and(|v| fref.with_value(|f| ws.review.with(|r| r.has_voted(&v, f))))
    };
    let toggle = move |_| {
        let Some(v) = voter.get_untracked() else {
            return;
        };
        let _ = ws.apply(ReviewOp::ToggleVote {
            voter: v,
            factor: fref.get_value(),
        });
    };
    let text = f.text.clone();
    let label = StoredValue::new(format!("Vote for: {text}"));
    let select_label = format!("Select for a theme: {text}");
    view! {
        <li class="factor">
            <div class="factor-text">
                <p>{text}</p>
                <p class="meta">"Noted by " {author}</p>
                <Show when=move || can_group.get()>
                    <label class="check">
                        <input type="checkbox" prop:checked=is_selected on:change=toggle_selected
                            aria-label=select_label.clone()/>
                        "Select"
                    </label>
                </Show>
            </div>
            <p class="votes">
                <span aria-hidden="true" class="dots">{move || "●".repeat(votes() as usize)}</span>
                {move || {
                    let n = votes();
                    format!(" {n} vote{}", if n == 1 { "" } else { "s" })
                }}
            </p>
            <Show when=move || voter.get().is_some() && open.get()>
                <button type="button" class="vote" aria-pressed=move || mine().to_string()
                    on:click=toggle aria-label=move || label.get_value()>
                    {move || if mine() { "● Voted" } else { "○ Vote" }}
                </button>
            </Show>
        </li>
    }
}

/// What the insight forms hold as typed, kept in `localStorage`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct InsightDraft {
    new: String,
    /// The insight being edited (its index) and its text so far.
    editing: Option<(usize, String)>,
}

/// The facilitator's key insights: what the group learned, in their words. Others read them.
#[component]
fn KeyInsights() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = format!(
        "mosaic.draft.insights.{}",
        ws.review.with_untracked(|r| r.id.to_string())
    );
    let draft = RwSignal::new(drafts::load::<InsightDraft>(&key).unwrap_or_default());
    // Sync with the outside world: the draft in localStorage.
    crate::effect::effect(move |_| draft.with(|d| drafts::save(&key, d)));
    let can_edit = Memo::new(move |_| {
        ws.actor.get() == Actor::Facilitator && ws.review.with(|r| group_work(r.phase()))
    });
    let insights = Memo::new(move |_| {
        ws.review.with(|r| {
            r.key_insights()
                .iter()
                .cloned()
                .enumerate()
                .collect::<Vec<_>>()
        })
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.with_untracked(|d| d.new.clone());
        if ws.apply(ReviewOp::AddKeyInsight { text }).is_ok() {
            draft.update(|d| d.new.clear());
        }
    };
    view! {
        <section class="card key-insights" aria-labelledby="insights-heading">
            <h2 id="insights-heading">"Key insights"</h2>
            <Show
                when=move || insights.with(|i| !i.is_empty())
                fallback=|| view! { <p class="empty">"No key insights yet."</p> }
            >
                <ol class="insight-list">
                    <For
                        each=move || insights.get()
                        key=|(i, text)| (*i, text.clone())
                        children=move |(index, text)| view! { <InsightItem index text draft can_edit/> }
                    />
                </ol>
            </Show>
            <LimitHint count=Signal::derive(move || insights.with(Vec::len))
                max=limits::MAX_KEY_INSIGHTS noun="key insights"/>
            <Show when=move || can_edit.get()>
                <form class="insight-form" on:submit=add>
                    <div class="field">
                        <label for="new-insight">"New key insight"</label>
                        <textarea id="new-insight" rows="2" aria-describedby="new-insight-hint"
                            prop:value=move || draft.with(|d| d.new.clone())
                            on:input=move |ev| draft.update(|d| d.new = event_target_value(&ev))></textarea>
                        <p class="hint" id="new-insight-hint">
                            "Markdown works here: *emphasis*, **bold**, lists, links."
                        </p>
                    </div>
                    <button type="submit" class="primary">"Add insight"</button>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn InsightItem(
    index: usize,
    text: String,
    draft: RwSignal<InsightDraft>,
    can_edit: Memo<bool>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let editing = move || draft.with(|d| matches!(d.editing, Some((i, _)) if i == index));
    let text = StoredValue::new(text);
    let start = move |_| draft.update(|d| d.editing = Some((index, text.get_value())));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((_, new)) = draft.with_untracked(|d| d.editing.clone()) else {
            return;
        };
        if ws
            .apply(ReviewOp::UpdateKeyInsight { index, text: new })
            .is_ok()
        {
            draft.update(|d| d.editing = None);
        }
    };
    let remove = Callback::new(move |()| {
        if ws.apply(ReviewOp::RemoveKeyInsight { index }).is_ok() {
            draft.update(|d| d.editing = None);
        }
    });
    let input_id = format!("insight-edit-{index}");
    // The pressed "Edit" is replaced by the form: put focus in its text.
    let input = NodeRef::<leptos::html::Textarea>::new();
    crate::effect::effect(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let n = index + 1;
    view! {
        <li class="insight">
            <Show
                when=editing
                fallback=move || view! {
                        // Markdown, rendered as in the preview and the published finding.
                        <div class="markdown" inner_html=markdown::to_html(&text.get_value())></div>
                        <Show when=move || can_edit.get()>
                            <div class="row-buttons">
                                <button type="button" on:click=start
                                    aria-label=format!("Edit insight {n}")>"Edit"</button>
                                <ConfirmRemoval name=format!("Remove insight {n}")
                                    question="Remove this insight?" on_remove=remove/>
                            </div>
                        </Show>
                }
            >
                <form class="insight-form" on:submit=save>
                    <div class="field">
                        <label for=input_id.clone()>{format!("Insight {n}")}</label>
                        <textarea id=input_id.clone() rows="2" node_ref=input
                            prop:value=move || draft.with(|d| d.editing.as_ref().map(|(_, t)| t.clone()).unwrap_or_default())
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                draft.update(|d| d.editing = Some((index, value)));
                            }></textarea>
                    </div>
                    <div class="row-buttons">
                        <button type="submit" class="primary">"Save insight"</button>
                        <button type="button" on:click=move |_| draft.update(|d| d.editing = None)>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
        </li>
    }
}
