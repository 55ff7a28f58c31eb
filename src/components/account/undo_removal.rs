use crate::components::shared::show::Show;
use leptos::prelude::*;
use std::sync::Arc;

/// What a person removed from their own account, until they undo it or remove something else:
/// the words are theirs, and one click must not lose them.
#[derive(Clone)]
pub struct Removed {
    /// What it was, for the note: "Entry at 14:05 removed."
    pub what: String,
    /// Puts it back; returns a problem to show when the account no longer takes it. A plain
    /// closure, not a `Callback`: the row that made it is gone by the time it runs, and a
    /// `Callback` would have been disposed with the row.
    pub restore: Arc<dyn Fn() -> Option<String> + Send + Sync>,
}

/// The note after a removal, with its Undo button. Focus moves to Undo when the note appears,
/// since the removed row (and the button that removed it) are gone.
#[component]
pub fn UndoRemoval(
    /// The last removal, if any; cleared on undo.
    removed: RwSignal<Option<Removed>>,
    /// Unique per list on the page, for the button's id.
    id: &'static str,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let undo = move |_| {
        let Some(r) = removed.get_untracked() else {
            return;
        };
        match (r.restore)() {
            None => {
                removed.set(None);
                problem.set(None);
            }
            Some(why) => problem.set(Some(why)),
        }
    };
    view! {
        <Show when=move || removed.with(Option::is_some)>
            <p class="undo-note" role="status">
                {move || removed.with(|r| r.as_ref().map(|r| format!("{} removed. ", r.what)))}
                <button type="button" id=id on:click=undo>"Undo"</button>
            </p>
        </Show>
        <p class="form-error" aria-live="polite">{move || problem.get()}</p>
    }
}
