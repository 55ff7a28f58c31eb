use leptos::prelude::*;

/// The findings feed: what reviews have published for other teams to learn from.
#[component]
pub fn FeedPage() -> impl IntoView {
    view! {
        <h1>"Findings feed"</h1>
        <p class="empty">
            "No findings have been published yet. When a review is published, "
            "its findings appear here for other teams to read."
        </p>
    }
}
