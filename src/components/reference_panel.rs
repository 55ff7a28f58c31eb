use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn ReferencePanel() -> impl IntoView {
    view! { <p>"ReferencePanel"</p> }
}
