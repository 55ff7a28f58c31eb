//! Code downloaded the first time it is needed, not with the page that offers it.
//!
//! [`deferred!`] declares an `async fn` whose body goes into a part of its own in the split
//! release build (`scripts/build.sh`):
//! - each page (`pages/lazy.rs`) and the review page's phases (`pages/review.rs`, shown
//!   through `components/shared/later.rs`), and exporting a review; a participant's own
//!   account is sent by code in their account's part (`sync::put_own_account`);
//! - `server_sync`: what a review shared through a server does off its page's path: sending the
//!   outbox and refreshing reviews from the server, only when this browser has something to
//!   send or a server review to refresh; reading the changes an open review holds waiting to
//!   be sent (`repo::sync_state`), only when some do; and what such a review shows seldom: the
//!   changes that need a person's choice, the notice of a lost access, and "Facilitators"
//!   once unfolded;
//! - `reviews_tools`: what the reviews page does on request: starting a review, importing one,
//!   looking up a new review's services in the feed; and reading an alert timeline, the other
//!   JSON a person brings;
//! - `local_feed`: the feed of "this browser only".
//!
//! Every split point adds parts shared between it and others (wasm-split gives each set of
//! users its own), so work offered together shares one part. The page that offers it stays
//! small; a first visitor who only looks downloads none of it. An unsplit build (`trunk
//! serve`, native tests, lints) just runs it.
//!
//! The function returns `Err(PartMissing)` when its part could not be downloaded (which the
//! offline shell makes rare once the app has loaded: it keeps every part); the caller says so
//! in its own words, never panics. A failure is not remembered: the next call downloads again.

use std::future::Future;
use std::pin::Pin;

use leptos::wasm_split::SplitLoaderError;

/// A part of the app that could not be downloaded.
#[derive(Clone, Copy, Debug)]
pub struct PartMissing;

impl From<SplitLoaderError> for PartMissing {
    fn from(_: SplitLoaderError) -> Self {
        PartMissing
    }
}

/// The work a deferred function returns, run once its part is there.
pub type Work<T> = Pin<Box<dyn Future<Output = T>>>;

/// Declares `async fn $name(args) -> Result<Work<$ret>, PartMissing>` whose body is downloaded
/// with the part `$part` when first called; await the `Work` for the body's result. The body
/// runs where the `Work` is polled: a view built there belongs to the reactive owner current
/// then, and reads its contexts (`components/shared/later.rs` builds the review's phases so).
///
/// `$part, preload = $preload;` also declares `async fn $preload()`, which only downloads the
/// part (its result says whether that worked; a caller may ignore it and meet the failure again
/// at the call).
macro_rules! deferred {
    ($part:ident $(, preload = $preload:ident)?; $(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$meta])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split(
            $part,
            wasm_split_path = ::leptos::wasm_split,
            fallible
            $(, preload($preload))?
        )]
        $vis fn $name($($arg: $ty),*) -> Result<$crate::deferred::Work<$ret>, $crate::deferred::PartMissing> {
            Ok(Box::pin(async move $body))
        }

        $(#[$meta])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> Result<$crate::deferred::Work<$ret>, $crate::deferred::PartMissing> {
            Ok(Box::pin(async move $body))
        }

        $(
            #[cfg(not(feature = "split"))]
            #[allow(dead_code)]
            $vis async fn $preload() -> Result<(), $crate::deferred::PartMissing> {
                Ok(())
            }
        )?
    };
}
pub(crate) use deferred;
