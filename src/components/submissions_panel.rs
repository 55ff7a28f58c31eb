use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn SubmissionsPanel() -> impl IntoView {
    view! { <p>"SubmissionsPanel"</p> }
}
