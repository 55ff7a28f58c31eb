use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use mosaic_domain::{Account, Review, export};
use wasm_bindgen_futures::JsFuture;

use crate::repo;

/// The largest file the import reads: far above any real review, small enough to stay quick.
const MAX_FILE_BYTES: f64 = 20.0 * 1024.0 * 1024.0;

/// Where the import stands.
#[derive(Clone, Debug, Default, PartialEq)]
enum Status {
    #[default]
    Idle,
    Working,
    /// Nothing changed, for this reason.
    Failed(String),
    /// This browser already has a review with the file's id: replace it only if the person says so.
    Confirm {
        review: Box<Review>,
        accounts: Vec<Account>,
        existing: String,
    },
}

/// Imports a review exported as JSON (`export::from_json`) into this browser and opens it. A
/// file that fails any check changes nothing and says why; a review already here is replaced
/// only after the person confirms.
#[component]
pub fn ReviewImport() -> impl IntoView {
    let status = RwSignal::new(Status::Idle);
    let navigate = use_navigate();
    let store = move |review: Review, accounts: Vec<Account>| {
        let navigate = navigate.clone();
        status.set(Status::Working);
        wasm_bindgen_futures::spawn_local(async move {
            match repo::import_review(&review, &accounts).await {
                Ok(()) => {
                    status.set(Status::Idle);
                    navigate(&format!("/reviews/{}", review.id), Default::default());
                }
                Err(e) => status.set(Status::Failed(format!("Nothing was imported. {e}"))),
            }
        });
    };
    let on_change = {
        let store = store.clone();
        move |ev: leptos::ev::Event| {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // So that choosing the same file again (after fixing it) reads it again.
            input.set_value("");
            if file.size() > MAX_FILE_BYTES {
                status.set(Status::Failed(
                    "Nothing was imported: the file is larger than 20 MB, too large for a review export.".into(),
                ));
                return;
            }
            status.set(Status::Working);
            let store = store.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let Some(text) = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|v| v.as_string())
                else {
                    status.set(Status::Failed(
                        "Nothing was imported: the file could not be read.".into(),
                    ));
                    return;
                };
                let (review, accounts) = match export::from_json(&text) {
                    Ok(found) => found,
                    Err(e) => {
                        status.set(Status::Failed(format!("Nothing was imported: {e}.")));
                        return;
                    }
                };
                match repo::local_review(review.id.as_str()).await {
                    Err(e) => status.set(Status::Failed(format!("Nothing was imported. {e}"))),
                    Ok(Some(existing)) => status.set(Status::Confirm {
                        existing: describe(&existing),
                        review: Box::new(review),
                        accounts,
                    }),
                    Ok(None) => store(review, accounts),
                }
            });
        }
    };
    let replace = move |_| {
        if let Status::Confirm {
            review, accounts, ..
        } = status.get_untracked()
        {
            store(*review, accounts);
        }
    };
    let message = move || match status.get() {
        Status::Failed(m) => Some(m),
        _ => None,
    };
    let confirm_text = move || match status.get() {
        Status::Confirm {
            review, existing, ..
        } => Some(format!(
            "This browser already has this review: {existing}. The file holds {}. Replace the review \
             here with the file's? Accounts in the file replace this browser's accounts of the same \
             people; other accounts here are kept.",
            describe(&review)
        )),
        _ => None,
    };
    // Move focus into the confirmation when it opens, onto the choice that changes nothing.
    let keep_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = keep_button.get() {
            let _ = button.focus();
        }
    });
    view! {
        <section class="card form review-import" aria-labelledby="import-heading">
            <h2 id="import-heading">"Import a review"</h2>
            <div class="field">
                <label for="import-file">"Review file (JSON)"</label>
                <input id="import-file" type="file" accept=".json,application/json"
                    aria-describedby="import-hint" on:change=on_change
                    disabled=move || status.get() == Status::Working/>
                <p class="hint" id="import-hint">
                    "A file made with “Export JSON”. It is kept in this browser and opened."
                </p>
            </div>
            <p class="form-error" role="alert">{message}</p>
            <Show when=move || confirm_text().is_some()>
                <div class="confirm" role="alertdialog" aria-labelledby="import-confirm-title"
                    aria-describedby="import-confirm-text">
                    <h3 id="import-confirm-title">"Replace the review in this browser?"</h3>
                    <p id="import-confirm-text">{confirm_text}</p>
                    <button type="button" class="primary" on:click=replace.clone()>"Replace it"</button>
                    <button type="button" node_ref=keep_button on:click=move |_| status.set(Status::Idle)>
                        "Keep this browser's review"
                    </button>
                </div>
            </Show>
        </section>
    }
}

/// A review as the confirmation names it: title, phase and version.
fn describe(review: &Review) -> String {
    format!(
        "“{}” ({}, version {})",
        review.facts.title(),
        review.phase().label(),
        review.version
    )
}
