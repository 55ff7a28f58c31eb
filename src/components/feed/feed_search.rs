use std::time::Duration;

use crate::components::shared::show::Show;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use mosaic_domain::FactorKind;
use mosaic_domain::feed::FeedQuery;

use crate::api::{feed_query_pairs, feed_query_suffix};
use crate::components::shared::field::{SelectField, TextField, options};

/// How long typing must pause before the search runs: short enough to feel immediate, long
/// enough not to search for every letter of a word typed quickly.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The feed's search box and filters. What they hold lives in the page's address
/// (`/feed?q=disk&tag=payments`), so a search can be linked and survives a reload: typing
/// updates the address once it pauses, a choice in a list or a date at once; and when the
/// address changes otherwise (a tag link, Back), the fields follow it.
#[component]
pub fn FeedSearch(
    /// The filters in the page's address.
    #[prop(into)]
    filters: Signal<FeedQuery>,
) -> impl IntoView {
    let navigate = use_navigate();
    // The filters as typed, ahead of the address while typing.
    let draft = RwSignal::new(filters.get_untracked());
    // The last filters this form put in the address, to tell its own changes from others.
    let pushed = StoredValue::new(feed_query_pairs(&filters.get_untracked()));
    let timer = StoredValue::new(None::<TimeoutHandle>);
    // Syncs with the outside world: the address, when something else changed it.
    crate::effect::effect(move |_| {
        let current = filters.get();
        let pairs = feed_query_pairs(&current);
        if pushed.with_value(|p| *p != pairs) {
            pushed.set_value(pairs);
            draft.set(current);
        }
    });
    let push = move || {
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        timer.set_value(None);
        let query = draft.get_untracked();
        let pairs = feed_query_pairs(&query);
        if pushed.with_value(|p| *p == pairs) {
            return;
        }
        pushed.set_value(pairs);
        let options = NavigateOptions {
            // One history entry per search, not one per keystroke.
            replace: true,
            scroll: false,
            ..NavigateOptions::default()
        };
        navigate(&format!("/feed{}", feed_query_suffix(&query)), options);
    };
    let later = {
        let push = push.clone();
        move || {
            if let Some(handle) = timer.get_value() {
                handle.clear();
            }
            let push = push.clone();
            timer.set_value(set_timeout_with_handle(push, DEBOUNCE).ok());
        }
    };
    // A text filter: updates the draft as typed, and the address once typing pauses.
    let text_field = {
        let later = later.clone();
        move |id: &'static str,
              label: &'static str,
              get: fn(&FeedQuery) -> Option<String>,
              set: fn(&mut FeedQuery, Option<String>)| {
            let later = later.clone();
            view! {
                <TextField id=id label=label autocomplete="off"
                    value=Signal::derive(move || draft.with(|d| get(d).unwrap_or_default()))
                    on_input=move |value: String| {
                        draft.update(|d| set(d, Some(value)));
                        later();
                    }/>
            }
        }
    };
    let on_kind = {
        let push = push.clone();
        move |key: String| {
            draft.update(|d| d.kind = FactorKind::from_key(&key));
            push();
        }
    };
    let date_field = {
        let push = push.clone();
        move |id: &'static str,
              label: &'static str,
              get: fn(&FeedQuery) -> Option<NaiveDate>,
              set: fn(&mut FeedQuery, Option<NaiveDate>)| {
            let push = push.clone();
            view! {
                <div class="field">
                    <label for=id>{label}</label>
                    <input type="date" id=id
                        prop:value=move || draft.with(|d| get(d).map(|x| x.to_string()).unwrap_or_default())
                        on:change=move |ev| {
                            // A date input's value is `YYYY-MM-DD`, NaiveDate's own text form.
                            let day = crate::time::parse_day(&event_target_value(&ev));
                            draft.update(|d| set(d, day));
                            push();
                        }/>
                </div>
            }
        }
    };
    let on_search = {
        let later = later.clone();
        move |ev| {
            let value = event_target_value(&ev);
            draft.update(|d| d.q = Some(value));
            later();
        }
    };
    let on_submit = {
        let push = push.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            push();
        }
    };
    let clear = {
        let push = push.clone();
        move |_| {
            draft.set(FeedQuery::default());
            push();
        }
    };
    let filtered = move || draft.with(|d| !feed_query_pairs(d).is_empty());
    view! {
        <form class="card feed-search" role="search" aria-label="Findings" on:submit=on_submit>
            <div class="field search-field">
                <label for="feed-q">"Search findings"</label>
                <input type="search" id="feed-q" autocomplete="off" aria-describedby="feed-q-hint"
                    prop:value=move || draft.with(|d| d.q.clone().unwrap_or_default())
                    on:input=on_search/>
                <p class="hint" id="feed-q-hint">
                    "Searches titles, summaries, insights, factors, actions and tags as you type."
                </p>
            </div>
            <div class="field-row feed-filters">
                {text_field("feed-team", "Team", |d| d.team.clone(), |d, v| d.team = v)}
                {text_field("feed-service", "Service", |d| d.service.clone(), |d, v| d.service = v)}
                <SelectField id="feed-kind" label="Factor kind" placeholder="Any kind"
                    options=options(FactorKind::ALL, FactorKind::key, FactorKind::label)
                    value=Signal::derive(move || {
                        draft.with(|d| d.kind.map(|k| k.key().to_owned()).unwrap_or_default())
                    })
                    on_change=on_kind/>
                {text_field("feed-tag", "Tag", |d| d.tag.clone(), |d, v| d.tag = v)}
                {date_field("feed-from", "Published from", |d| d.from, |d, v| d.from = v)}
                {date_field("feed-to", "Published to", |d| d.to, |d, v| d.to = v)}
            </div>
            <Show when=filtered>
                <button type="button" class="clear-filters" on:click=clear.clone()>
                    "Clear search and filters"
                </button>
            </Show>
        </form>
    }
}
