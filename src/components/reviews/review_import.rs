use crate::components::shared::show::Show;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use mosaic_domain::{Review, export};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::deferred::{PartMissing, deferred};
use crate::repo;

/// The id of the confirmation's "keep" button, which takes the focus when it opens.
const KEEP_BUTTON: &str = "import-keep";

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
        /// The file's text, imported again if they do.
        text: String,
        existing: String,
        incoming: String,
    },
}

/// What reading a file came to.
enum Read {
    /// Imported: the review's id.
    Stored(String),
    /// This browser already has the review (described first), the file holds the second.
    Exists(String, String),
}

deferred! { reviews_tools;
    /// Reads an exported review and keeps it here, unless this browser already has a review
    /// with its id (`replace` says to replace it then). Errors say why nothing changed.
    fn import(text: String, replace: bool) -> Result<Read, String> {
        let (review, accounts) =
            export::from_json(&text).map_err(|e| format!("Nothing was imported: {e}."))?;
        let failed = |e: repo::RepoError| format!("Nothing was imported. {e}");
        if !replace && let Some(existing) = repo::local_review(review.id.as_str()).await.map_err(failed)? {
            return Ok(Read::Exists(describe(&existing), describe(&review)));
        }
        repo::import_review(&review, &accounts).await.map_err(failed)?;
        Ok(Read::Stored(review.id.to_string()))
    }
}

/// Imports `text` (see [`import`]), saying what came of it in `status`; opens the review once
/// it is kept here.
async fn run_import(text: String, replace: bool, status: RwSignal<Status>, open: impl Fn(String)) {
    status.set(Status::Working);
    let outcome = match import(text.clone(), replace).await {
        Ok(importing) => importing.await,
        Err(PartMissing) => Err("Nothing was imported: this part of Mosaic could not be \
             downloaded. Check the connection and choose the file again."
            .to_owned()),
    };
    match outcome {
        Ok(Read::Stored(id)) => {
            status.set(Status::Idle);
            open(id);
        }
        Ok(Read::Exists(existing, incoming)) => status.set(Status::Confirm {
            text,
            existing,
            incoming,
        }),
        Err(message) => status.set(Status::Failed(message)),
    }
}

/// Imports a review exported as JSON (`export::from_json`) into this browser and opens it. A
/// file that fails any check changes nothing and says why; a review already here is replaced
/// only after the person confirms.
#[component]
pub fn ReviewImport() -> impl IntoView {
    let status = RwSignal::new(Status::Idle);
    let navigate = use_navigate();
    let open = move |id: String| navigate(&format!("/reviews/{id}"), Default::default());
    let on_change = {
        let open = open.clone();
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
            let open = open.clone();
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
                run_import(text, false, status, open).await;
            });
        }
    };
    let replace = move |_| {
        if let Status::Confirm { text, .. } = status.get_untracked() {
            let open = open.clone();
            wasm_bindgen_futures::spawn_local(run_import(text, true, status, open));
        }
    };
    let message = move || match status.get() {
        Status::Failed(m) => Some(m),
        _ => None,
    };
    let confirm_text = move || match status.get() {
        Status::Confirm {
            existing, incoming, ..
        } => Some(format!(
            "This browser already has this review: {existing}. The file holds {incoming}. Replace \
             the review here with the file's? Accounts in the file replace this browser's \
             accounts of the same people; other accounts here are kept."
        )),
        _ => None,
    };
    // Move focus into the confirmation when it opens, onto the choice that changes nothing
    // (found by its id once shown: a node reference was compiled for this one button).
    crate::effect::effect(move |_| {
        if status.with(|s| matches!(s, Status::Confirm { .. }))
            && let Some(button) = document()
                .get_element_by_id(KEEP_BUTTON)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
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
                    <button type="button" id=KEEP_BUTTON on:click=move |_| status.set(Status::Idle)>
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
