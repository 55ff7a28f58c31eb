use leptos::prelude::*;

use crate::drafts;

const KEY: &str = "mosaic.theme";

/// The colour theme picker in the top bar: follow the system's light or dark setting (the
/// default), or always light, or always dark. The choice is kept in `localStorage` and set as
/// `data-theme` on `<html>`, which the stylesheet reads.
#[component]
pub fn ThemeChoice() -> impl IntoView {
    let theme = RwSignal::new(drafts::load::<String>(KEY).unwrap_or_else(|| "system".into()));
    // An effect only to sync with the outside world: the document's attribute and storage.
    crate::effect::effect(move |_| {
        let value = theme.get();
        if let Some(root) = document().document_element() {
            let _ = match value.as_str() {
                "light" | "dark" => root.set_attribute("data-theme", &value),
                _ => root.remove_attribute("data-theme"),
            };
        }
        drafts::save(KEY, &value);
    });
    view! {
        <label class="theme-choice">
            "Theme"
            <select
                prop:value=move || theme.get()
                on:change=move |ev| theme.set(event_target_value(&ev))
            >
                <option value="system">"As the system"</option>
                <option value="light">"Light"</option>
                <option value="dark">"Dark"</option>
            </select>
        </label>
    }
}
