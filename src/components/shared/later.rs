//! A piece of a page whose code is downloaded when it is first shown (`crate::deferred`).

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::deferred::{PartMissing, Work};

/// A piece of a page in a part of its own, shown where it stands once downloaded. While it
/// downloads, a status says what is coming, in about the room the piece will take so the page
/// does not jump; if it cannot be downloaded, a notice says so in its place and offers to try
/// again. The rest of the page works meanwhile.
#[component]
pub fn Later<F, Fut>(
    /// Downloads the part if needed and returns the piece's view to build: a `deferred!`
    /// function returning `AnyView`.
    part: F,
    /// What is coming, said while it downloads: "Opening the setup…".
    coming: &'static str,
) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Work<AnyView>, PartMissing>> + 'static,
{
    later(Box::new(move || Box::pin(part()) as Downloading), coming)
}

/// A part's download on its way, boxed so that [`Later`]'s work below is one function, not one
/// copy per piece.
type Downloading = Pin<Box<dyn Future<Output = Result<Work<AnyView>, PartMissing>>>>;

fn later(part: Box<dyn Fn() -> Downloading + Send + Sync>, coming: &'static str) -> AnyView {
    // Counts the tries, so "Try again" starts a new download.
    let tries = RwSignal::new(0u32);
    let shown = move || {
        tries.track();
        let downloading = part();
        let piece = async move {
            match downloading.await {
                // Built here, under the `Suspend`'s owner: the piece reads the page's contexts.
                Ok(work) => work.await,
                Err(PartMissing) => {
                    let again = move |_| tries.update(|n| *n += 1);
                    view! {
                        <section class="card" role="alert">
                            <p>
                                "This part of the page could not be downloaded. Nothing you "
                                "wrote is lost: it is kept in this browser. Check the "
                                "connection, then try again."
                            </p>
                            <button type="button" on:click=again>"Try again"</button>
                        </section>
                    }
                    .into_any()
                }
            }
        };
        // The download is not `Send` (the loader's error type, the boxed work); it is only ever
        // polled on this page's one thread.
        Suspend::new(send_wrapper::SendWrapper::new(piece))
    };
    view! {
        <Suspense fallback=move || view! { <p class="part-coming" role="status">{coming}</p> }>
            {shown}
        </Suspense>
    }
    .into_any()
}
