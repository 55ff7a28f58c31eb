use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::themes::{self, ThemeSuggestion, ThemeView};
use mosaic_domain::{ParticipantId, Phase, Revealed, ReviewOp, ThemeId, ValidationError};
use serde::{Deserialize, Serialize};

use crate::components::review::words::{field_messages, invalid_fields, person};
use crate::drafts::stored_draft;
use crate::workspace::{Actor, Workspace, new_id};

/// A theme's name as typed while renaming it, kept in `localStorage`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct RenameDraft {
    renaming: Option<(ThemeId, String)>,
}

/// Runs `f` on the revealed view of the open review; `None` before the reveal. Tracked.
fn with_view<T>(ws: &Workspace, f: impl FnOnce(&Revealed<'_>) -> T) -> Option<T> {
    ws.review
        .with(|r| ws.accounts.with(|a| r.revealed(a).ok().map(|v| f(&v))))
}

/// The facilitator's themes: related factors grouped under one name, each with its factors and
/// a dot that counts once per person; for the facilitator, suggestions from shared wording,
/// renaming and ungrouping. Themes are made from selected factors in the factors panel.
#[component]
pub fn ThemesPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    // In the order they were made, so nothing moves while people vote (counts are read per
    // theme).
    let all = Memo::new(move |_| {
        with_view(&ws, |v| {
            let mut shown = themes::themes(v);
            let order = |id: &ThemeId| v.review().themes().iter().position(|t| &t.id == id);
            shown.sort_by_key(|t| order(&t.id));
            for t in &mut shown {
                t.votes = 0;
                for f in &mut t.factors {
                    f.votes = 0;
                }
            }
            shown
        })
        .unwrap_or_default()
    });
    let open = Memo::new(move |_| {
        ws.review
            .with(|r| matches!(r.phase(), Phase::Revealed | Phase::Actions))
    });
    let can_edit = Memo::new(move |_| ws.actor.get() == Actor::Facilitator && open.get());
    let voter = Memo::new(move |_| ws.acting_participant());
    let key = format!(
        "mosaic.draft.theme-rename.{}",
        ws.review.with_untracked(|r| r.id.to_string())
    );
    let draft = stored_draft::<RenameDraft>(key);
    view! {
        <section class="card themes-panel" aria-labelledby="themes-heading">
            <h2 id="themes-heading">"Themes"</h2>
            <p class="hint">
                "Related factors noted by different people, grouped under one name so they are "
                "discussed and voted on once. A dot on a theme counts once per person."
            </p>
            <Show
                when=move || all.with(|t| !t.is_empty())
                fallback=move || view! {
                    <p class="empty">
                        {move || if can_edit.get() {
                            "No themes yet. Select related factors below and group them, or make one of the suggested themes."
                        } else {
                            "No themes yet."
                        }}
                    </p>
                }
            >
                <ul class="theme-list">
                    <For
                        each=move || all.get()
                        key=|t| (t.id.clone(), t.name.clone(), t.factors.iter().map(|f| f.factor.clone()).collect::<Vec<_>>())
                        children=move |t| view! { <ThemeItem t voter open can_edit draft/> }
                    />
                </ul>
            </Show>
            <Show when=move || can_edit.get()>
                <ThemeSuggestions/>
            </Show>
        </section>
    }
}

/// One theme: its name, count, factors, the acting participant's dot, and the facilitator's
/// "Rename" and "Ungroup".
#[component]
fn ThemeItem(
    t: ThemeView,
    voter: Memo<Option<ParticipantId>>,
    open: Memo<bool>,
    can_edit: Memo<bool>,
    draft: RwSignal<RenameDraft>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let id = StoredValue::new(t.id.clone());
    let name = StoredValue::new(t.name.clone());
    let votes = move || {
        id.with_value(|id| {
            ws.review
                .with(|r| r.theme(id).map_or(0, |t| r.theme_votes(t)))
        })
    };
    let mine = move || {
        voter.get().is_some_and(|v| {
            id.with_value(|id| {
                ws.review
                    .with(|r| r.theme(id).is_some_and(|t| r.has_voted_theme(&v, t)))
            })
        })
    };
    let toggle = move |_| {
        let Some(v) = voter.get_untracked() else {
            return;
        };
        let _ = ws.apply(ReviewOp::ToggleThemeVote {
            voter: v,
            theme: id.get_value(),
        });
    };
    let renaming = move || {
        draft.with(|d| {
            d.renaming
                .as_ref()
                .is_some_and(|(r, _)| id.with_value(|id| r == id))
        })
    };
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let start = move |_| {
        errors.set(Vec::new());
        draft.update(|d| d.renaming = Some((id.get_value(), name.get_value())));
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((_, new)) = draft.with_untracked(|d| d.renaming.clone()) else {
            return;
        };
        let result = ws.apply(ReviewOp::RenameTheme {
            id: id.get_value(),
            name: new,
        });
        if result.is_ok() {
            draft.update(|d| d.renaming = None);
        }
        errors.set(invalid_fields(result));
    };
    let ungroup = move |_| {
        let _ = ws.apply(ReviewOp::UngroupTheme { id: id.get_value() });
    };
    let heading_id = format!("theme-{}", t.id);
    let input_id = StoredValue::new(format!("theme-rename-{}", t.id));
    let error_id = StoredValue::new(format!("theme-rename-{}-error", t.id));
    // The pressed "Rename" is replaced by the form: put focus in its field.
    let input = NodeRef::<leptos::html::Input>::new();
    crate::effect::effect(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let factors = t.factors;
    view! {
        <li class="theme" aria-labelledby=heading_id.clone()>
            <div class="theme-head">
                <h3 id=heading_id.clone()>{t.name.clone()}</h3>
                <p class="votes">
                    <span aria-hidden="true" class="dots">{move || "●".repeat(votes() as usize)}</span>
                    {move || {
                        let n = votes();
                        format!(" {n} vote{}", if n == 1 { "" } else { "s" })
                    }}
                </p>
                <Show when=move || voter.get().is_some() && open.get()>
                    <button type="button" class="vote" aria-pressed=move || mine().to_string()
                        on:click=toggle
                        aria-label=move || name.with_value(|n| format!("Vote for theme: {n}"))>
                        {move || if mine() { "● Voted" } else { "○ Vote" }}
                    </button>
                </Show>
            </div>
            <ul class="theme-factors">
                {factors
                    .into_iter()
                    .map(|f| {
                        let pid = f.factor.participant_id.clone();
                        let who = ws.review.with_untracked(|r| person(r, &pid));
                        view! {
                            <li>
                                {f.text} " "
                                <span class="meta-inline">{format!("({}; noted by {who})", f.kind.label())}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <Show when=move || can_edit.get()>
                <Show
                    when=renaming
                    fallback=move || view! {
                        <div class="row-buttons">
                            <button type="button" on:click=start
                                aria-label=name.with_value(|n| format!("Rename theme {n}"))>
                                "Rename"
                            </button>
                            <button type="button" on:click=ungroup
                                aria-label=name.with_value(|n| format!("Ungroup theme {n}: its factors return with their dots"))>
                                "Ungroup"
                            </button>
                        </div>
                    }
                >
                    <form class="theme-form" on:submit=save>
                        <div class="field">
                            <label for=input_id.get_value()>
                                {name.with_value(|n| format!("New name for the theme “{n}”"))}
                            </label>
                            <input id=input_id.get_value() type="text" node_ref=input
                                aria-describedby=error_id.get_value()
                                aria-invalid=move || (!errors.with(Vec::is_empty)).to_string()
                                prop:value=move || draft.with(|d| d.renaming.as_ref().map(|(_, n)| n.clone()).unwrap_or_default())
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    draft.update(|d| d.renaming = Some((id.get_value(), value)));
                                }/>
                            <p class="field-error" id=error_id.get_value() aria-live="polite">
                                {move || errors.with(|e| field_messages(e, "name", "The theme's name"))}
                            </p>
                        </div>
                        <div class="row-buttons">
                            <button type="submit" class="primary">"Save name"</button>
                            <button type="button" on:click=move |_| {
                                errors.set(Vec::new());
                                draft.update(|d| d.renaming = None);
                            }>"Cancel"</button>
                        </div>
                    </form>
                </Show>
            </Show>
        </li>
    }
}

/// A suggestion with its factors' words and authors, ready to show.
#[derive(Clone, PartialEq)]
struct Suggested {
    suggestion: ThemeSuggestion,
    /// Each factor's text and "Name (role)".
    factors: Vec<(String, String)>,
}

/// Factors not yet in a theme whose wording overlaps, each group with "Make this theme".
#[component]
fn ThemeSuggestions() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let suggestions = Memo::new(move |_| {
        with_view(&ws, |v| {
            themes::suggest_themes(v)
                .into_iter()
                .map(|s| Suggested {
                    factors: s
                        .factors
                        .iter()
                        .filter_map(|f| {
                            let text = v.observation(f)?.text.clone();
                            Some((text, person(v.review(), &f.participant_id)))
                        })
                        .collect(),
                    suggestion: s,
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    view! {
        <section class="theme-suggestions" aria-labelledby="theme-suggestions-heading">
            <h3 id="theme-suggestions-heading">"Suggested themes"</h3>
            <p class="hint">
                "Factors whose wording overlaps. Make a theme only if they are about the same "
                "thing; you can rename it afterwards."
            </p>
            <p class="field-error" aria-live="polite">
                {move || errors.with(|e| e.iter().map(|e| format!("This theme can't be made: the {} {}", e.field, e.message)).collect::<Vec<_>>().join("; "))}
            </p>
            <Show
                when=move || suggestions.with(|s| !s.is_empty())
                fallback=|| view! { <p class="empty">"No theme suggestions left."</p> }
            >
                <ul class="suggestions">
                    <For
                        each=move || suggestions.get()
                        key=|s| s.suggestion.factors.clone()
                        children=move |s| {
                            let name = s.suggestion.name.clone();
                            let factors = s.suggestion.factors.clone();
                            let make = {
                                let name = name.clone();
                                move |_| {
                                    let id = ThemeId::parse(&new_id()).expect("a UUID is a valid id");
                                    let result = ws.apply(ReviewOp::GroupTheme {
                                        id,
                                        name: name.clone(),
                                        factors: factors.clone(),
                                    });
                                    errors.set(invalid_fields(result));
                                }
                            };
                            view! {
                                <li class="suggestion">
                                    <p><strong>{name.clone()}</strong></p>
                                    <ul>
                                        {s.factors.into_iter().map(|(text, who)| view! {
                                            <li>"“" {text} "” " <span class="meta-inline">{format!("noted by {who}")}</span></li>
                                        }).collect_view()}
                                    </ul>
                                    <button type="button" on:click=make
                                        aria-label=format!("Make this theme: {name}")>
                                        "Make this theme"
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}
