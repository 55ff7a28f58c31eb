use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn ActionsPanel() -> impl IntoView {
    view! { <p>"ActionsPanel"</p> }
}
