use leptos::prelude::*;
use mosaic_domain::feed::FeedQuery;
use mosaic_domain::review::distinct_services;

use crate::api::{self, Api};
use crate::deferred::deferred;
use crate::load::load;

/// The most services looked up at once.
const MAX_SERVICES: usize = 5;

/// Builds the view of what was learned before about the services typed (comma-separated,
/// once the person leaves the field).
pub type Build = fn(Signal<String>) -> AnyView;

deferred! { reviews_tools;
    /// [`precedents`], whose code (the lookup, its reading, its list) comes with the reviews
    /// tools' part: the form that starts a review downloads it once there are services to look
    /// up.
    pub fn view() -> Build {
        precedents as Build
    }
}

/// For each of the `services` typed (comma-separated, once the person leaves the field), how
/// many published findings on the server involve it, with a link to the feed filtered by it:
/// what was learned before. Nothing in "this browser only" mode, for a service no finding
/// involves, or when the server cannot say.
fn precedents(services: Signal<String>) -> AnyView {
    let mode = crate::settings::mode();
    let counts = load(move || {
        let api = mode.with(crate::settings::SyncMode::api);
        let names: Vec<String> = services.with(|s| {
            distinct_services(s.split(','))
                .into_iter()
                .take(MAX_SERVICES)
                .map(str::to_owned)
                .collect()
        });
        async move {
            let Some(api) = api else { return Vec::new() };
            if names.is_empty() {
                return Vec::new();
            }
            look_up(api, names).await
        }
    });
    view! {
        {move || counts.get().filter(|found| !found.is_empty()).map(|found| view! {
            <ul class="hint service-precedents" data-testid="service-precedents">
                {found.into_iter().map(|(name, total, more, href)| {
                    let n = if more { format!("More than {total}") } else { total.to_string() };
                    let noun = if total == 1 && !more { "finding involves" } else { "findings involve" };
                    view! {
                        <li><a href=href>{format!("{n} published {noun} {name}")}</a></li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
    .into_any()
}

/// A service that published findings involve: its name, how many (at least), whether there
/// are more than that, and the feed's address filtered by it.
type Precedent = (String, u64, bool, String);

/// Asks the feed how many published findings involve each of `names`; services the feed
/// cannot answer for are left out.
async fn look_up(api: Api, names: Vec<String>) -> Vec<Precedent> {
    let mut found = Vec::new();
    for name in names {
        let query = FeedQuery {
            service: Some(name.clone()),
            limit: Some(1),
            ..FeedQuery::default()
        };
        if let Ok(page) = api.feed(&query).await
            && page.total > 0
        {
            let href = format!(
                "/feed{}",
                api::feed_query_suffix(&FeedQuery {
                    limit: None,
                    ..query
                })
            );
            found.push((name, page.total, page.more, href));
        }
    }
    found
}
