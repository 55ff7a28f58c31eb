use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn SetupPanel() -> impl IntoView {
    view! { <p>"SetupPanel"</p> }
}
