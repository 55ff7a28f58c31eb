use leptos::prelude::*;

use crate::drafts;

/// Where this browser remembers that a person folded the guidance named `key` away.
fn storage_key(key: &str) -> String {
    format!("mosaic.guidance.{key}")
}

/// Explanatory text a person can fold away: a disclosure button (its `aria-expanded` says
/// whether the text is shown) above the text. Shown until folded; folded, it stays folded in
/// this browser (in `localStorage`), on every review, until unfolded again. The title stays, so
/// the text is always one press away.
#[component]
pub fn Guidance(
    /// What the guidance is about, unique on the page and stable across releases: folding it is
    /// remembered under this name ("account", "phase-revealed").
    #[prop(into)]
    key: String,
    /// The button's text, saying what the guidance is: "How to write your account".
    #[prop(into)]
    title: String,
    /// The guidance itself.
    children: Children,
) -> impl IntoView {
    let stored = storage_key(&key);
    let folded = RwSignal::new(drafts::load::<bool>(&stored).unwrap_or(false));
    // Sync with the outside world: the choice in localStorage.
    crate::effect::effect(move |_| {
        if folded.get() {
            drafts::save(&stored, &true);
        } else {
            drafts::clear(&stored);
        }
    });
    let body_id = format!("guidance-{key}");
    let button_id = format!("guidance-{key}-button");
    // The button names the region; no heading, so a page's own headings stay the only ones
    // with their names ("Your account" is not "How to write your account").
    view! {
        <section class="card guidance" class:folded=move || folded.get()
            aria-labelledby=button_id.clone()>
            <p class="guidance-title">
                <button type="button" class="disclosure" id=button_id.clone() aria-controls=body_id.clone()
                    aria-expanded=move || (!folded.get()).to_string()
                    on:click=move |_| folded.update(|f| *f = !*f)>
                    <span class="disclosure-mark" aria-hidden="true">
                        {move || if folded.get() { "▸" } else { "▾" }}
                    </span>
                    " " {title}
                </button>
            </p>
            <div class="guidance-body" id=body_id hidden=move || folded.get()>
                {children()}
            </div>
        </section>
    }
}
