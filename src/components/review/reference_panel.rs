use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::{Alert, ReferenceContent, ReferenceMaterial};

use crate::components::review::words::alert_count;
use crate::time;

use crate::workspace::Workspace;

/// The review's reference material, read-only, beside the account editor: pasted text as
/// written and alert timelines as a time-ordered list. It is only shown, never copied into an
/// account, so an account holds only what its author remembers.
#[component]
pub fn ReferencePanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let material = Memo::new(move |_| ws.review.with(|r| r.references().to_vec()));
    view! {
        <aside class="card reference-panel" aria-labelledby="reference-heading">
            <h2 id="reference-heading">"Reference material"</h2>
            <p class="hint">
                "Shown beside your account to jog your memory. Nothing here is copied into it: "
                "write what you saw and knew at the time."
            </p>
            <Show
                when=move || material.with(|m| !m.is_empty())
                fallback=|| view! { <p class="empty">"The facilitator added no reference material."</p> }
            >
                {keyed_list(
                    move || material.get(),
                    |m| m.id.to_string(),
                    |m| view! { <ReferenceItem material=m/> }.into_any(),
                )}
            </Show>
        </aside>
    }
}

/// One piece of reference material.
#[component]
fn ReferenceItem(material: ReferenceMaterial) -> impl IntoView {
    let heading_id = format!("reference-{}-heading", material.id);
    let body = match material.content {
        ReferenceContent::Text { body } => view! {
            // Long text scrolls in its own box, which the keyboard can reach and scroll.
            <div class="reference-text" tabindex="0" role="region"
                aria-labelledby=heading_id.clone()>
                {body}
            </div>
        }
        .into_any(),
        ReferenceContent::AlertTimeline { alerts } => view! {
            <p class="meta">{alert_count(alerts.len())}</p>
            <div class="alert-scroll" tabindex="0" role="region" aria-labelledby=heading_id.clone()>
                <ol class="alert-timeline">
                    {alerts.into_iter().map(|a| view! { <AlertItem alert=a/> }).collect_view()}
                </ol>
            </div>
        }
        .into_any(),
    };
    view! {
        <section class="reference-item">
            <h3 id=heading_id>{material.title}</h3>
            {body}
        </section>
    }
}

/// One alert: when, what, and where it came from.
#[component]
fn AlertItem(alert: Alert) -> impl IntoView {
    view! {
        <li>
            <time datetime=alert.at.to_rfc3339()>{time::display(alert.at)}</time>
            " "
            <span class="alert-summary">{alert.summary}</span>
            {alert.source.map(|s| view! { " " <span class="alert-source">{format!("({s})")}</span> })}
        </li>
    }
}
