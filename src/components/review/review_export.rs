use leptos::prelude::*;
use mosaic_domain::{Account, Review, export};

use crate::deferred::{PartMissing, deferred};
use crate::download;
use crate::workspace::{Actor, Workspace};

/// What an export is written as.
#[derive(Clone, Copy)]
enum Format {
    /// The report people read.
    Markdown,
    /// The file that imports back.
    Json,
}

deferred! { writers;
    /// Writes the export: few people export, so the writers are downloaded on the first one.
    fn write(format: Format, review: Review, accounts: Vec<Account>) -> String {
        match format {
            Format::Markdown => export::to_markdown(&review, &accounts),
            Format::Json => export::to_json(&review, &accounts),
        }
    }
}

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
/// hold only the accounts the acting person may see: see [`exportable`]. The writers are
/// downloaded on the first export.
#[component]
pub fn ReviewExport() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let failure = RwSignal::new(None::<String>);
    let preparing = RwSignal::new(false);
    let offer = move |ext: &'static str, mime: &'static str, format: Format| {
        let actor = ws.actor.get_untracked();
        let (review, accounts) = ws.review.with_untracked(|r| {
            let accounts = ws.accounts.with_untracked(|a| exportable(r, a, &actor));
            (r.clone(), accounts)
        });
        preparing.set(true);
        leptos::task::spawn_local(async move {
            let name = format!("{}.{ext}", download::file_stem(&review));
            let offered = match write(format, review, accounts).await {
                Ok(text) => download::offer(&name, mime, &text.await),
                Err(PartMissing) => Err("The export could not be made: its code could not be \
                     downloaded. Check the connection, then try again."
                    .to_owned()),
            };
            preparing.set(false);
            failure.set(offered.err());
        });
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
                <button type="button" on:click=move |_| offer("md", "text/markdown", Format::Markdown)>
                    "Export Markdown"
                </button>
                <button type="button" on:click=move |_| offer("json", "application/json", Format::Json)>
                    "Export JSON"
                </button>
                <button type="button" on:click=print>"Print"</button>
            </div>
            <p class="hint" id="export-scope">{scope}</p>
            <p class="hint" role="status">{move || preparing.get().then_some("Preparing the export…")}</p>
            <p class="form-error" role="alert">{move || failure.get()}</p>
        </div>
    }
}
