use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn PublishPanel() -> impl IntoView {
    view! { <p>"PublishPanel"</p> }
}
