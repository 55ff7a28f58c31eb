use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn ReviewExport() -> impl IntoView {
    view! { <p>"ReviewExport"</p> }
}
