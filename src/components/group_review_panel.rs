use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn GroupReviewPanel() -> impl IntoView {
    view! { <p>"GroupReviewPanel"</p> }
}
