use leptos::prelude::*;
use mosaic_domain::FactorKind;
use mosaic_domain::feed::{ActionCounts, FeedEntry, FeedQuery};
use mosaic_domain::finding::duration_words;

use crate::{api, time};

/// One finding in the server's feed: enough to recognise it and decide to open it. The title
/// links to the finding's page; each tag to the feed filtered by it. All of it is shown as
/// text: the excerpt is plain text already.
#[component]
pub fn FeedEntryCard(
    /// The entry to show.
    entry: FeedEntry,
) -> impl IntoView {
    let id = entry.review_id.to_string();
    let heading_id = format!("entry-{id}");
    let labelled_by = heading_id.clone();
    let href = format!("/feed/{id}");
    let services =
        (!entry.services.is_empty()).then(|| format!(" · {}", entry.services.join(", ")));
    let kinds = (!entry.kinds.is_empty()).then(|| {
        let labels: Vec<&str> = entry.kinds.iter().map(|k: &FactorKind| k.label()).collect();
        view! { <li>"Factors: " {labels.join(", ")}</li> }
    });
    let actions = action_summary(&entry.actions).map(|text| {
        let overdue = entry.actions.overdue > 0;
        view! { <li class:has-overdue=overdue>"Actions: " {text}</li> }
    });
    let tags = (!entry.tags.is_empty()).then(|| {
        view! {
            <ul class="tag-list" aria-label="Tags">
                {entry
                    .tags
                    .iter()
                    .map(|t| {
                        let query = FeedQuery {
                            tag: Some(t.clone()),
                            ..FeedQuery::default()
                        };
                        let href = format!("/feed{}", api::feed_query_suffix(&query));
                        view! { <li><a class="tag" href=href>{t.clone()}</a></li> }
                    })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <article class="card feed-entry" aria-labelledby=labelled_by data-testid="feed-entry">
            <h2 id=heading_id><a href=href>{entry.title.clone()}</a></h2>
            <p class="meta">
                <span class=format!("severity {}", entry.severity.key())>{entry.severity.label()}</span>
                " · " {entry.team.clone()} {services}
                " · published " <time datetime=entry.published_at.to_rfc3339()>
                    {time::display(entry.published_at)}
                </time>
            </p>
            {tags}
            {(!entry.excerpt.is_empty()).then(|| view! { <p class="excerpt">{entry.excerpt.clone()}</p> })}
            {timings(entry.time_to_detect_minutes, entry.time_to_resolve_minutes)
                .map(|t| view! { <p class="timings">{t}</p> })}
            <ul class="entry-facts">{kinds}{actions}</ul>
        </article>
    }
}

/// "2 done, 1 open, 1 overdue"; `None` when the finding shows no actions.
pub fn action_summary(counts: &ActionCounts) -> Option<String> {
    let parts: Vec<String> = [
        (counts.done, "done"),
        (counts.open, "open"),
        (counts.overdue, "overdue"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// "Time to detect: 5 min · Time to resolve: 1 h", or what of it is known.
fn timings(detect: Option<i64>, resolve: Option<i64>) -> Option<String> {
    let parts: Vec<String> = [("Time to detect", detect), ("Time to resolve", resolve)]
        .into_iter()
        .filter_map(|(label, m)| m.map(|m| format!("{label}: {}", duration_words(m))))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_counts_read_as_words() {
        let counts = |done, open, overdue| ActionCounts {
            done,
            open,
            overdue,
        };
        assert_eq!(action_summary(&counts(0, 0, 0)), None);
        assert_eq!(
            action_summary(&counts(2, 0, 1)).as_deref(),
            Some("2 done, 1 overdue")
        );
        assert_eq!(
            action_summary(&counts(1, 3, 0)).as_deref(),
            Some("1 done, 3 open")
        );
    }
}
