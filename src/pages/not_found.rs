use leptos::prelude::*;

/// Shown for any address the app has no page for.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::title::page_title(|| "Page not found".into());
    view! {
        <h1>"Page not found"</h1>
        <p><a href="/">"Go to your reviews"</a></p>
    }
}
