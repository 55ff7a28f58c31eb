//! A piece of a page whose code is downloaded when it is first shown (`crate::deferred`).

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;

use crate::deferred::{PartMissing, Work};

/// A piece of a page in a part of its own, shown where it stands once downloaded. While it
/// downloads, a status says what is coming, in about the room the piece will take so the page
/// does not jump; if it cannot be downloaded, a notice says so in its place and offers to try
/// again. The rest of the page works meanwhile.
///
/// Once the part is here the piece is built like any other view, in this component's reactive
/// owner: it reads the page's contexts, and it is cleaned up (its timers, its listeners) when
/// the page moves on.
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
    // Everything below is built once for every piece, not once per piece's types.
    later(Arc::new(move || Box::pin(part())), coming)
}

/// Downloading a piece's part: its `deferred!` function's future.
type Download = Pin<Box<dyn Future<Output = Result<Work<AnyView>, PartMissing>>>>;

fn later(part: Arc<dyn Fn() -> Download + Send + Sync>, coming: &'static str) -> AnyView {
    // `None` while the part downloads, then whether it came.
    let here = RwSignal::new(None::<bool>);
    let part = StoredValue::new(part);
    let download = move || {
        // Only downloaded here: the piece is built below, in this owner. A part already here
        // answers at once, so the piece shows without a word of waiting.
        let mut downloading = part.with_value(|part| part());
        match ready_now(downloading.as_mut()) {
            Some(came) => here.set(Some(came.is_ok())),
            None => {
                here.set(None);
                leptos::task::spawn_local(async move {
                    let came = downloading.await.is_ok();
                    let _ = here.try_set(Some(came));
                });
            }
        }
    };
    download();
    (move || match here.get() {
        // Once downloaded, the part's function and its work finish at their first poll.
        Some(true) => match part.with_value(|part| ready_now(part())) {
            Some(Ok(work)) => ready_now(work),
            _ => None,
        }
        .unwrap_or_else(|| coming_status(coming)),
        Some(false) => view! {
            <section class="card" role="alert">
                <p>
                    "This part of the page could not be downloaded. Nothing you wrote is lost: "
                    "it is kept in this browser. Check the connection, then try again."
                </p>
                <button type="button" on:click=move |_| download()>"Try again"</button>
            </section>
        }
        .into_any(),
        None => coming_status(coming),
    })
    .into_any()
}

/// The status said while a piece downloads.
fn coming_status(coming: &'static str) -> AnyView {
    view! { <p class="part-coming" role="status">{coming}</p> }.into_any()
}

/// `future`'s output if it is ready at its first poll.
fn ready_now<F: Future>(future: F) -> Option<F::Output> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
