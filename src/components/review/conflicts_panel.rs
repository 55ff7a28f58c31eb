use crate::components::shared::keyed_list::keyed_list;
use leptos::prelude::*;
use mosaic_domain::sync::Conflict;

use crate::workspace::Workspace;

/// Changes of this browser's that met someone else's: each shown with both versions (or why it
/// could not be applied), for the person to choose. Nothing is dropped without their say. The
/// review page shows it only while one waits ([`crate::sync::ReviewSync::needs_choice`]).
#[component]
pub fn ConflictsPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let Some(sync) = ws.sync else {
        return ().into_any();
    };
    let conflicts = sync.conflicts;
    let account = sync.account_conflict;
    view! {
        <section class="card conflicts" aria-labelledby="conflicts-heading" data-testid="conflicts">
            <h2 id="conflicts-heading">"Changes that need your choice"</h2>
            <p class="hint">
                "Someone else changed the same thing while your change was on its way, or the "
                "review moved on. Both versions are kept until you choose."
            </p>
            {keyed_list(
                move || conflicts.get(),
                |c| c.op_id.to_string(),
                |conflict| view! { <ConflictItem conflict/> }.into_any(),
            )}
            {move || account.get().map(|theirs| view! {
                <div class="conflict" role="group" aria-label="Your account">
                    <h3>"Your account was changed in another browser"</h3>
                    <p>{format!(
                        "The server's copy has {} timeline entries and {} observations; this \
                         browser's copy is the one you see below.",
                        theirs.entries().len(),
                        theirs.observations().len(),
                    )}</p>
                    <button type="button" class="primary"
                        on:click=move |_| sync.resolve_account(true)>
                        "Keep this browser's account"
                    </button>
                    <button type="button" on:click=move |_| sync.resolve_account(false)>
                        "Use the other copy"
                    </button>
                </div>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn ConflictItem(conflict: Conflict) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let id = conflict.op_id.clone();
    let keep_theirs = {
        let id = id.clone();
        move |_| ws.resolve_conflict(&id, false)
    };
    let use_mine = move |_| ws.resolve_conflict(&id, true);
    let refused = conflict.refused.clone();
    let both = conflict.theirs.is_some() && refused.is_none();
    view! {
        <div class="conflict" role="group" aria-label=format!("Your change to {}", conflict.what)>
            <h3>{format!("Your change to {}", conflict.what)}</h3>
            {refused.map(|why| view! { <p>{format!("It could not be applied: {why}.")}</p> })}
            <div class="versions">
                {conflict.theirs.map(|theirs| view! {
                    <div>
                        <h4>"Now on the server"</h4>
                        <pre class="version">{theirs}</pre>
                    </div>
                })}
                {conflict.mine.map(|mine| view! {
                    <div>
                        <h4>"Yours"</h4>
                        <pre class="version">{mine}</pre>
                    </div>
                })}
            </div>
            {if both {
                view! {
                    <button type="button" on:click=keep_theirs>"Keep the server's version"</button>
                    <button type="button" class="primary" on:click=use_mine>"Use mine"</button>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" class="primary" on:click=use_mine>"Try mine again"</button>
                    <button type="button" on:click=keep_theirs>"Dismiss"</button>
                }
                .into_any()
            }}
        </div>
    }
}
