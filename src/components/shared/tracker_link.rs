use leptos::prelude::*;
use mosaic_domain::action;

/// An action's backlog item as a link that opens apart from Mosaic (no opener, no referrer).
/// The address is checked again by the domain's rule (`http`/`https` only) before it becomes an
/// `href`, whatever document it came from; anything else shows as plain text.
#[component]
pub fn TrackerLink(
    /// The tracker link as stored.
    url: String,
) -> impl IntoView {
    let safe = action::tracker_link(&url).ok().flatten().as_deref() == Some(url.as_str());
    view! {
        <span class="tracker">
            "Tracker: "
            {if safe {
                view! {
                    <a href=url.clone() rel="noopener noreferrer" target="_blank">{url.clone()}</a>
                }
                .into_any()
            } else {
                view! { <span>{url.clone()}</span> }.into_any()
            }}
        </span>
    }
}
