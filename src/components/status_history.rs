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
                        <li>
                            {crate::time::display(c.at)} ": " {c.from.label()} " → " {c.to.label()}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <details class="status-history">
                    <summary>"Status history"</summary>
                    <ul>{rows}</ul>
                </details>
            }
        })
    }
}
