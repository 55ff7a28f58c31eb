use leptos::prelude::*;
use mosaic_domain::action::StatusChange;

/// An action's changes of status, oldest first, in a disclosure; nothing when there are none.
#[component]
pub fn StatusHistory(
    /// The changes, oldest first.
    #[prop(into)]
    history: Signal<Vec<StatusChange>>,
) -> impl IntoView {
    move || {
        let changes = history.get();
        (!changes.is_empty()).then(|| {
            let rows = changes
                .into_iter()
                .map(|c| {
                    view! {
                        <dt>{crate::time::display(c.at)}</dt>
                        <dd>{c.from.label()} " → " {c.to.label()}</dd>
                    }
                })
                .collect_view();
            view! {
                <details class="status-history">
                    <summary>"Status history"</summary>
                    // A description list, not a list: the action it is in is a list item, and
                    // its changes are not items of that list.
                    <dl>{rows}</dl>
                </details>
            }
        })
    }
}
