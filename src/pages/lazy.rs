//! Pages downloaded when they are first opened.
//!
//! Each page's code is a split point (`crate::deferred`): the release build cuts the app's
//! WebAssembly into a small main part (the shell: router, navigation bar, settings, the
//! offline shell) and one part per page, plus parts that several pages share (the review
//! model's rules, Markdown). A page's parts are downloaded the first time it is shown.
//!
//! A page whose part cannot be downloaded says so and offers to try again, instead of the
//! panic a plain `#[lazy_route]` would end in.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos_router::LazyRoute;

use super::{
    actions::OpenActionsPage, feed::FeedPage, finding::FindingPage, join::JoinPage,
    review::ReviewPage, reviews::ReviewsPage, settings::SettingsPage,
};
use crate::deferred::{PartMissing, Work, deferred};

/// How many pages are on their way (their part downloading, then building): while any is, the
/// page before stays and the app says "Opening the page…".
#[derive(Clone, Copy)]
pub struct Opening(RwSignal<u32>);

impl Opening {
    /// Provides the count to the app, and returns it.
    pub fn provide() -> Self {
        let opening = Opening(RwSignal::new(0));
        provide_context(opening);
        opening
    }

    /// Whether a page is on its way.
    pub fn is_opening(self) -> bool {
        self.0.get() > 0
    }
}

/// A page's part, downloading.
type PagePart = Pin<Box<dyn Future<Output = Result<Work<AnyView>, PartMissing>>>>;

/// The page `part` gives once it is downloaded, or the notice that it could not be: one
/// function for every route, counted in [`Opening`] meanwhile.
async fn open(part: PagePart) -> AnyView {
    let opening = use_context::<Opening>();
    if let Some(Opening(n)) = opening {
        n.update(|n| *n += 1);
    }
    let page = match part.await {
        Ok(page) => page.await,
        Err(PartMissing) => view! { <PartMissingNotice/> }.into_any(),
    };
    if let Some(Opening(n)) = opening {
        n.try_update(|n| *n = n.saturating_sub(1));
    }
    page
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
        mod $part {
            use leptos::prelude::*;

            use super::*;

            deferred! { $part, preload = preload;
                /// The page, once its part is downloaded.
                pub(super) fn page() -> AnyView {
                    view! { <$page/> }.into_any()
                }
            }
        }

        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                open(Box::pin($part::page())).await
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
