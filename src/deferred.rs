//! Work whose code is downloaded the first time it is needed, not with the page that offers it.
//!
//! [`deferred!`] declares an `async fn` whose body goes into a part of its own in the split
//! release build (`scripts/build.sh`), like the pages of `pages/lazy.rs`. Two parts:
//! - `server_sync`: sending the outbox and refreshing reviews from the server, only when this
//!   browser has something to send or a server review to refresh;
//! - `reviews_tools`: what the reviews page does on request: starting a review, importing one,
//!   looking up a new review's services in the feed.
//!
//! And `local_feed`, the feed of "this browser only" ([`DeferredView`]). Every split point
//! adds parts shared between it and others (wasm-split gives each set of users its own), so
//! work offered together shares one part. The page that offers it stays small; a first visitor
//! who only looks downloads none of it. An unsplit build just runs it.
//!
//! The function returns `Err(PartMissing)` when its part could not be downloaded (which the
//! offline shell makes rare once the app has loaded); the caller says so in its own words.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

pub use crate::pages::lazy::PartMissing;

/// The work a deferred function returns, run once its part is there.
pub type Work<T> = Pin<Box<dyn Future<Output = T>>>;

/// Declares `async fn $name(args) -> Result<Work<$ret>, PartMissing>` whose body is downloaded
/// with the part `$part` when first called; await the `Work` for the body's result.
macro_rules! deferred {
    ($part:ident; $(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$meta])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible)]
        $vis fn $name($($arg: $ty),*) -> Result<$crate::deferred::Work<$ret>, $crate::deferred::PartMissing> {
            Ok(Box::pin(async move $body))
        }

        $(#[$meta])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> Result<$crate::deferred::Work<$ret>, $crate::deferred::PartMissing> {
            Ok(Box::pin(async move $body))
        }
    };
}
pub(crate) use deferred;

/// Shows the view a deferred function makes, once its part is downloaded, with "Opening…"
/// meanwhile; a part that cannot be downloaded is said so, in place.
#[component]
pub fn DeferredView<F, Fut>(load: F) -> impl IntoView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Work<AnyView>, PartMissing>> + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p role="status">"Opening…"</p> }>
            {move || {
                let load = load.clone();
                Suspend::new(SendWrapper::new(async move {
                    match load().await {
                        Ok(work) => work.await,
                        Err(PartMissing) => view! {
                            <p class="form-error" role="alert">
                                "This part of the page could not be downloaded. Check the "
                                "connection, then reload the page."
                            </p>
                        }
                        .into_any(),
                    }
                }))
            }}
        </Suspense>
    }
}
