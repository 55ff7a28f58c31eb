use crate::components::shared::show::Show;
use leptos::prelude::*;

/// A "Remove" button that asks first: pressed, it becomes the question with "Yes, remove" and
/// "Keep it" (focused, so Enter keeps). For removals of someone's words that cannot be undone.
#[component]
pub fn ConfirmRemoval(
    /// The button's accessible name, naming what it removes: "Remove insight 2".
    #[prop(into)]
    name: String,
    /// The question shown once pressed: "Remove this insight?".
    question: &'static str,
    /// Runs on "Yes, remove".
    on_remove: Callback<()>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let keep_button = NodeRef::<leptos::html::Button>::new();
    // Focus moves into the question when it appears: the pressed button is gone.
    crate::effect::effect(move |_| {
        if let Some(button) = keep_button.get() {
            let _ = button.focus();
        }
    });
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                let name = name.clone();
                view! {
                    <button type="button" class="danger" aria-label=name
                        on:click=move |_| confirming.set(true)>
                        "Remove"
                    </button>
                }
            }
        >
            <span role="group" aria-label="Confirm removal" class="confirm-inline">
                {question} " "
                <button type="button" on:click=move |_| {
                    confirming.set(false);
                    on_remove.run(());
                }>"Yes, remove"</button>
                <button type="button" node_ref=keep_button on:click=move |_| confirming.set(false)>
                    "Keep it"
                </button>
            </span>
        </Show>
    }
}
