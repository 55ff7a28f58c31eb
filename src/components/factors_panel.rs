use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn FactorsPanel() -> impl IntoView {
    view! { <p>"FactorsPanel"</p> }
}
