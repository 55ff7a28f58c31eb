//! Pages downloaded when they are first opened.
//!
//! Each page's code is a split point: the release build (`scripts/build.sh`) cuts the app's
//! WebAssembly into a small main part (the shell: router, navigation bar, settings, the
//! offline shell) and one part per page, plus parts that several pages share (the review
//! model's rules, Markdown). A page's parts are downloaded the first time it is shown.
//! Only a build with the `split` feature has split points (`scripts/build.sh` passes it); an
//! unsplit build (`trunk serve`, native tests and lints) holds every page and just calls it.
//!
//! The offline app shell (`public/sw.js`) keeps every part of the build once the app has
//! been loaded, so a part missing when a page opens is rare. If it happens anyway (the first
//! visit's connection dropping mid-way), the page says so and offers to try again, instead
//! of the panic a plain `#[lazy_route]` would end in: the split functions here are
//! `fallible`, and a failed download is not remembered, so the next try downloads again.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::LazyRoute;

use super::{
    actions::OpenActionsPage, feed::FeedPage, finding::FindingPage, join::JoinPage,
    review::ReviewPage, reviews::ReviewsPage, settings::SettingsPage,
};

/// A part of the app that could not be downloaded.
#[derive(Clone, Copy, Debug)]
pub struct PartMissing;

impl From<SplitLoaderError> for PartMissing {
    fn from(_: SplitLoaderError) -> Self {
        PartMissing
    }
}

/// What a page whose code could not be downloaded shows instead.
#[component]
pub fn PartMissingNotice() -> impl IntoView {
    crate::title::page_title(|| "Page not downloaded".into());
    let reload = |_| {
        let _ = window().location().reload();
    };
    view! {
        <section class="card" role="alert" aria-labelledby="part-missing-heading">
            <h1 id="part-missing-heading">"This page could not be downloaded"</h1>
            <p>
                "Mosaic downloads each page the first time it is opened, and the connection "
                "failed just now. Nothing you wrote is lost: it is kept in this browser. "
                "Check the connection, then try again."
            </p>
            <button type="button" on:click=reload>"Try again"</button>
        </section>
    }
}

/// Declares `$route`, a lazily loaded route (`view=Lazy::<$route>::new()`) showing the page
/// component `$page`, whose code goes into the part named `$part`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $part:ident, $page:ident) => {
        $(#[$doc])*
        pub struct $route;

        mod $part {
            use leptos::prelude::*;

            use super::$page;

            /// The page, once its part is downloaded.
            #[cfg(feature = "split")]
            #[leptos::wasm_split::wasm_split(
                $part,
                wasm_split_path = ::leptos::wasm_split,
                fallible,
                preload(preload)
            )]
            pub(super) fn page() -> Result<AnyView, super::PartMissing> {
                Ok(view! { <$page/> }.into_any())
            }

            /// The page (an unsplit build holds every page).
            #[cfg(not(feature = "split"))]
            pub(super) async fn page() -> Result<AnyView, super::PartMissing> {
                Ok(view! { <$page/> }.into_any())
            }

            #[cfg(not(feature = "split"))]
            pub(super) async fn preload() -> Result<(), super::PartMissing> {
                Ok(())
            }
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                match $part::page().await {
                    Ok(view) => view,
                    Err(PartMissing) => view! { <PartMissingNotice/> }.into_any(),
                }
            }

            async fn preload() {
                // A failure here is met again, and shown, when the page is opened.
                let _ = $part::preload().await;
            }
        }
    };
}

lazy_page!(
    /// `/`: the reviews this browser knows, starting and importing one.
    ReviewsRoute,
    reviews_page,
    ReviewsPage
);
lazy_page!(
    /// `/reviews/:id`: the review workspace.
    ReviewRoute,
    review_page,
    ReviewPage
);
lazy_page!(
    /// `/join/:id`: joining a review from an invite link.
    JoinRoute,
    join_page,
    JoinPage
);
lazy_page!(
    /// `/actions`: the open actions of every published finding.
    ActionsRoute,
    actions_page,
    OpenActionsPage
);
lazy_page!(
    /// `/feed`: the findings feed.
    FeedRoute,
    feed_page,
    FeedPage
);
lazy_page!(
    /// `/feed/:id`: one finding.
    FindingRoute,
    finding_page,
    FindingPage
);
lazy_page!(
    /// `/settings`: where this browser keeps reviews.
    SettingsRoute,
    settings_page,
    SettingsPage
);
