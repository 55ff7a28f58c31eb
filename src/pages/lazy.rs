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
use leptos_router::ChooseView;

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
/// function for every route, counted in [`Opening`] meanwhile. A page `styled` by the page
/// sheet waits for it too ([`page_sheet`]).
async fn open(part: PagePart, styled: bool) -> AnyView {
    let opening = use_context::<Opening>();
    if let Some(Opening(n)) = opening {
        n.update(|n| *n += 1);
    }
    let sheet = styled.then(page_sheet).flatten();
    let page = part.await;
    if let Some(sheet) = sheet {
        // Loaded or failed, the page is shown: its words matter more than its looks.
        let _ = sheet.await;
    }
    let page = match page {
        Ok(page) => page.await,
        Err(PartMissing) => view! { <PartMissingNotice/> }.into_any(),
    };
    if let Some(Opening(n)) = opening {
        n.try_update(|n| *n = n.saturating_sub(1));
    }
    page
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// index.html's loader (scripts/place-parts.mjs): adds the stylesheet of every page but the
    /// reviews list, once, and resolves when it has loaded or failed.
    #[wasm_bindgen(catch, js_namespace = window, js_name = __mosaicStyles)]
    fn add_page_sheet() -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
}

/// The page sheet, on its way: `style/main.css` holds the shell and the reviews list, the other
/// sheets every other page. `None` where the app has one stylesheet (`trunk serve`: no loader).
fn page_sheet() -> Option<wasm_bindgen_futures::JsFuture> {
    add_page_sheet()
        .ok()
        .map(wasm_bindgen_futures::JsFuture::from)
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

/// Declares the module `$part`: the page component `$page` as a deferred function (`page()`,
/// and `preload()`), whose code goes into the part named `$part`.
macro_rules! page_part {
    ($part:ident, $page:ident) => {
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
    };
}

page_part!(reviews_page, ReviewsPage);
page_part!(review_page, ReviewPage);
page_part!(join_page, JoinPage);
page_part!(actions_page, OpenActionsPage);
page_part!(feed_page, FeedPage);
page_part!(finding_page, FindingPage);
page_part!(settings_page, SettingsPage);

/// A page of the route table (`<Route view=Page::Reviews …/>`), downloaded when it is first
/// opened: what Leptos's `Lazy<…>` of a route type does, for every page in one `match`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// `/`: the reviews this browser knows, starting and importing one.
    Reviews,
    /// `/reviews/:id`: the review workspace.
    Review,
    /// `/join/:id`: joining a review from an invite link.
    Join,
    /// `/actions`: the open actions of every published finding.
    Actions,
    /// `/feed`: the findings feed.
    Feed,
    /// `/feed/:id`: one finding.
    Finding,
    /// `/settings`: where this browser keeps reviews.
    Settings,
}

impl ChooseView for Page {
    async fn choose(self) -> AnyView {
        let part: PagePart = match self {
            Page::Reviews => Box::pin(reviews_page::page()),
            Page::Review => Box::pin(review_page::page()),
            Page::Join => Box::pin(join_page::page()),
            Page::Actions => Box::pin(actions_page::page()),
            Page::Feed => Box::pin(feed_page::page()),
            Page::Finding => Box::pin(finding_page::page()),
            Page::Settings => Box::pin(settings_page::page()),
        };
        // Only the reviews list does without the page sheet.
        open(part, self != Page::Reviews).await
    }

    async fn preload(&self) {
        // A failure here is met again, and shown, when the page is opened.
        let _ = match self {
            Page::Reviews => reviews_page::preload().await,
            Page::Review => review_page::preload().await,
            Page::Join => join_page::preload().await,
            Page::Actions => actions_page::preload().await,
            Page::Feed => feed_page::preload().await,
            Page::Finding => finding_page::preload().await,
            Page::Settings => settings_page::preload().await,
        };
    }
}
