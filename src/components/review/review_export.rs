use leptos::prelude::*;
use mosaic_domain::{Account, Review, export};

use crate::download;
use crate::workspace::{Actor, Workspace};

/// The accounts the acting person may take away in an export.
///
/// Before the reveal an account is private to its author: a participant gets only their own,
/// the facilitator none. After it, everyone gets the submitted accounts (what the reveal
/// showed), plus a participant's own draft; nobody else's draft.
fn exportable(review: &Review, accounts: &[Account], actor: &Actor) -> Vec<Account> {
    let own = |a: &Account| matches!(actor, Actor::Participant(id) if a.participant_id() == id);
    let revealed = review.phase().is_revealed();
    accounts
        .iter()
        .filter(|a| a.review_id() == &review.id)
        .filter(|a| own(a) || (revealed && a.is_submitted()))
        .cloned()
        .collect()
}

/// Export the whole review (Markdown report, JSON that imports back) and print it. Exports
/// hold only the accounts the acting person may see: see [`exportable`].
#[component]
pub fn ReviewExport() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let failure = RwSignal::new(None::<String>);
    let offer = move |ext: &str, mime: &str, make: fn(&Review, &[Account]) -> String| {
        let actor = ws.actor.get_untracked();
        let (name, text) = ws.review.with_untracked(|r| {
            let accounts = ws.accounts.with_untracked(|a| exportable(r, a, &actor));
            (
                format!("{}.{ext}", download::file_stem(r)),
                make(r, &accounts),
            )
        });
        failure.set(download::offer(&name, mime, &text).err());
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let scope = move || {
        let before = !ws.review.with(|r| r.phase().is_revealed());
        match (before, ws.actor.get()) {
            (true, Actor::Facilitator) => "Before the reveal, exports hold no one's account.",
            (true, Actor::Participant(_)) => {
                "Before the reveal, exports hold only your own account."
            }
            (false, _) => "Exports hold the revealed accounts.",
        }
    };
    view! {
        <div class="review-export">
            <div class="export-buttons" role="group" aria-label="Export this review"
                aria-describedby="export-scope">
                <button type="button" on:click=move |_| offer("md", "text/markdown", export::to_markdown)>
                    "Export Markdown"
                </button>
                <button type="button" on:click=move |_| offer("json", "application/json", export::to_json)>
                    "Export JSON"
                </button>
                <button type="button" on:click=print>"Print"</button>
            </div>
            <p class="hint" id="export-scope">{scope}</p>
            <p class="form-error" role="alert">{move || failure.get()}</p>
        </div>
    }
}
