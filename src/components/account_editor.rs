use leptos::prelude::*;

/// Not built yet.
#[component]
pub fn AccountEditor() -> impl IntoView {
    view! { <p>"AccountEditor"</p> }
}
