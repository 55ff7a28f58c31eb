use leptos::prelude::*;

/// Shown for any address the app has no page for.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p><a href="/">"Go to your reviews"</a></p>
    }
}
