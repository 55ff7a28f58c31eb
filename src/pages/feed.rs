use crate::components::shared::show::Show;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use mosaic_domain::FactorKind;
use mosaic_domain::feed::{FeedPage as Page, FeedQuery};

use crate::api::Api;
use crate::components::shared::later::Later;
use crate::components::{
    feed::feed_charts::FeedCharts, feed::feed_entry_card::FeedEntryCard,
    feed::feed_search::FeedSearch, feed::finding_card::FindingCard,
};
use crate::deferred::deferred;
use crate::load::load;
use crate::repo;
use crate::settings::{Settings, SyncMode};

/// The findings feed, for other teams to learn from. With a sync server: every team's published
/// findings, searchable and filterable (the search lives in the address, so it can be linked),
/// with charts of what recurs and feeds to subscribe to. In "this browser only" mode: what this
/// browser's own reviews have published. People appear by role unless they opted in to their
/// name.
#[component]
pub fn FeedPage() -> impl IntoView {
    let Settings { mode, known } = expect_context::<Settings>();
    let api = Memo::new(move |_| mode.with(SyncMode::api));
    crate::title::page_title(|| "Findings feed".into());
    view! {
        <h1>"Findings feed"</h1>
        {move || match api.get() {
            Some(api) => view! { <ServerFeed api/> }.into_any(),
            // Not yet known whether this page's server is the sync server.
            None if !known.get() => view! { <p role="status">"Loading findings…"</p> }.into_any(),
            // Only "this browser only" reads findings from this browser's reviews.
            None => view! { <Later part=local_feed coming="Opening this browser's findings…"/> }
                .into_any(),
        }}
    }
}

/// The filters in the page's address, as the feed's API takes them. A value that doesn't parse
/// (an unknown kind, a malformed date) is ignored rather than refused: the address is typed by
/// people too.
pub fn filters_from(param: impl Fn(&str) -> Option<String>) -> FeedQuery {
    let text = |key: &str| param(key).filter(|v| !v.trim().is_empty());
    FeedQuery {
        q: text("q"),
        team: text("team"),
        service: text("service"),
        kind: param("kind").and_then(|k| FactorKind::from_key(&k)),
        tag: text("tag"),
        from: param("from").and_then(|d| crate::time::parse_day(&d)),
        to: param("to").and_then(|d| crate::time::parse_day(&d)),
        cursor: None,
        limit: None,
    }
}

/// Every team's findings, from the server.
#[component]
fn ServerFeed(api: Api) -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(|params| filters_from(|key| params.get(key))));
    let api = StoredValue::new(api);
    let page = load(move || {
        let filters = filters.get();
        let api = api.get_value();
        async move { api.feed(&filters).await.map(|page| (filters, page)) }
    });
    let stats = load(move || {
        let filters = filters.get();
        let api = api.get_value();
        async move { api.feed_stats(&filters).await.map(|stats| (filters, stats)) }
    });
    // Outside the list, which each search replaces, so that a screen reader hears every new
    // count: a live region announces changes, not its own arrival.
    let counted = RwSignal::new(None::<Counted>);
    view! {
        <FeedSearch filters/>
        <p class="subscribe">
            "Subscribe to the findings that match: "
            <a href=move || api.with_value(|a| a.feed_atom_url(&filters.get()))
                type="application/atom+xml">"Atom"</a>
            " · "
            <a href=move || api.with_value(|a| a.feed_json_url(&filters.get()))
                type="application/feed+json">"JSON Feed"</a>
        </p>
        <div class="feed-layout">
            <div class="feed-results" aria-busy=move || page.pending().get().to_string()>
                <p class="result-count" role="status" data-testid="feed-count">
                    {move || counted.get().map(|c| c.sentence())}
                </p>
                {page.view("Loading findings…", None, move |(filters, first)| {
                    view! { <FeedResults first filters api=api.get_value() counted/> }.into_any()
                })}
            </div>
            {stats.view("Loading charts…", None, |(filters, stats)| {
                view! { <FeedCharts stats filters/> }.into_any()
            })}
        </div>
    }
}

/// The list of one search: its first page, then each page "Load more" brings. A new search
/// makes a new list.
#[component]
fn FeedResults(
    first: Page,
    filters: FeedQuery,
    api: Api,
    counted: RwSignal<Option<Counted>>,
) -> impl IntoView {
    let total = first.total;
    let more = first.more;
    let filtered = filters.narrows();
    let count = move |shown: usize| {
        counted.try_set(Some(Counted {
            total,
            more,
            shown,
            filtered,
        }));
    };
    count(first.entries.len());
    let filters = StoredValue::new(filters);
    let api = StoredValue::new(api);
    let entries = RwSignal::new(first.entries);
    let next = RwSignal::new(first.next);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load_more = move |_| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        let query = FeedQuery {
            cursor: Some(cursor),
            ..filters.get_value()
        };
        let api = api.get_value();
        loading.set(true);
        spawn_local(async move {
            match api.feed(&query).await {
                Ok(page) => {
                    entries.try_update(|e| e.extend(page.entries));
                    if let Some(shown) = entries.try_with_untracked(Vec::len) {
                        count(shown);
                    }
                    next.try_set(page.next);
                    error.try_set(None);
                }
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
            loading.try_set(false);
        });
    };
    view! {
        // Entries are only ever added at the end, so the list is rebuilt item by item (the
        // items already shown keep their elements, and focus) without `<For>`'s keyed diff,
        // whose generic code was about 9 KB of the feed's first load.
        <ol class="feed" data-testid="feed">
            {move || {
                entries
                    .get()
                    .into_iter()
                    .map(|entry| view! { <li><FeedEntryCard entry/></li> })
                    .collect_view()
            }}
        </ol>
        <Show when=move || next.with(Option::is_some)>
            <button type="button" class="load-more" on:click=load_more
                disabled=move || loading.get()>
                {move || if loading.get() { "Loading…" } else { "Load more" }}
            </button>
        </Show>
        <p class="form-error" role="alert">{move || error.get()}</p>
    }
}

/// How many findings a search found, and how many of them are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Counted {
    total: u64,
    /// More than `total` match: the server counts up to 1,000.
    more: bool,
    shown: usize,
    /// Whether any search or filter is set.
    filtered: bool,
}

impl Counted {
    fn sentence(self) -> String {
        let noun = if self.total == 1 {
            "finding"
        } else {
            "findings"
        };
        if self.more {
            return format!(
                "More than {} findings; showing the newest {}.",
                self.total, self.shown
            );
        }
        match (self.total, self.filtered) {
            (0, true) => "No published findings match this search.".to_owned(),
            (0, false) => "No findings have been published on this server yet.".to_owned(),
            (n, _) if self.shown as u64 >= n => format!("{n} {noun}."),
            (n, _) => format!("{n} {noun}; showing the newest {}.", self.shown),
        }
    }
}

deferred! { local_feed;
    fn local_feed() -> AnyView {
        view! { <LocalFeed/> }.into_any()
    }
}

/// This browser's own published findings, newest first.
#[component]
fn LocalFeed() -> impl IntoView {
    let findings = load(|| async { repo::local_findings().await });
    view! {
        <p class="hint local-feed-note">
            "This browser keeps its reviews to itself, so this feed shows only the findings its "
            "own reviews have published. The shared feed of every team’s findings, with search "
            "and charts, needs a sync server: choose one in " <a href="/settings">"Settings"</a> "."
        </p>
        {findings.view("Loading findings…", None, |list| {
            if list.is_empty() {
                view! {
                    <p class="empty">
                        "No findings have been published yet. When a review is published, "
                        "its findings appear here for other teams to read."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <ul class="feed" data-testid="feed">
                        {list
                            .into_iter()
                            .map(|f| view! { <li><FindingCard finding=f/></li> })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_sentences() {
        let c = |total, shown, filtered| {
            Counted {
                total,
                more: false,
                shown,
                filtered,
            }
            .sentence()
        };
        assert_eq!(c(0, 0, true), "No published findings match this search.");
        assert_eq!(
            c(0, 0, false),
            "No findings have been published on this server yet."
        );
        assert_eq!(c(1, 1, false), "1 finding.");
        assert_eq!(c(21, 20, true), "21 findings; showing the newest 20.");
        let capped = Counted {
            total: 1000,
            more: true,
            shown: 20,
            filtered: true,
        };
        assert_eq!(
            capped.sentence(),
            "More than 1000 findings; showing the newest 20."
        );
    }

    #[test]
    fn the_address_gives_the_filters_and_ignores_what_does_not_parse() {
        let mut params = std::collections::HashMap::from([
            ("q", "disk full"),
            ("team", " "),
            ("kind", "knowledge_gap"),
            ("from", "2026-11-01"),
            ("to", "yesterday"),
            ("cursor", "c"),
        ]);
        let read = |params: &std::collections::HashMap<&str, &str>| {
            filters_from(|key| params.get(key).map(|v| (*v).to_owned()))
        };
        let q = read(&params);
        assert_eq!(q.q.as_deref(), Some("disk full"));
        assert_eq!(q.team, None);
        assert_eq!(q.kind, Some(FactorKind::KnowledgeGap));
        assert_eq!(q.from, Some("2026-11-01".parse().unwrap()));
        assert_eq!(q.to, None);
        assert_eq!(q.cursor, None, "pages are not part of the address");
        params.insert("kind", "colour");
        assert_eq!(read(&params).kind, None);
    }
}
