//! Mosaic's browser app: a Leptos client-side single-page app.
//!
//! # Layout
//! - [`answer`]: what a request came to ([`answer::Error`] says whose failure it was), as
//!   plain types.
//! - [`api`]: the only place that builds server URLs and speaks HTTP.
//! - [`storage`]: the browser's IndexedDB, where every review lives first.
//! - [`repo`]: where a page gets and saves reviews; hides whether a server is involved.
//! - [`sync_core`]: the sync engine of an open review as plain Rust (what to send, what each
//!   answer means, rebasing, conflicts), tested natively; [`sync`]: its browser shell (HTTP,
//!   IndexedDB, live events, retries).
//! - [`room_clock`]: the live room's timebox as this browser shows it (the server's clock,
//!   the moments announced), plain Rust tested natively.
//! - [`settings`]: this browser's choice of "this browser only" or a sync server.
//! - [`title`]: the browser tab's title, naming what each page shows.
//! - [`time`]: the conversions between `<input type="datetime-local">` and UTC.
//! - [`workspace`]: the open review, its accounts and who is acting; every edit goes through it.
//! - [`drafts`]: form drafts in `localStorage`, so a reload loses nothing typed.
//! - [`effect`]: effects, compiled once.
//! - [`idle`]: work for when the browser is idle (after the frame is painted).
//! - [`load`]: what a page reads without waiting for it, as a signal its view matches on.
//! - [`deferred`]: work whose code is downloaded when first needed (sending the outbox,
//!   starting or importing a review).
//! - [`download`]: offering generated text (exports) as a file download.
//! - `pages/`: one routed component per page; `components/`: the pieces pages share.

pub mod answer;
pub mod api;
pub mod components;
pub mod deferred;
pub mod download;
pub mod drafts;
pub mod effect;
pub mod idle;
pub mod join_link;
pub mod load;
pub mod offline;
pub mod pages;
pub mod repo;
pub mod room_clock;
pub mod settings;
pub mod storage;
pub mod sync;
pub mod sync_core;
pub mod time;
pub mod title;
pub mod workspace;

use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

use components::shared::nav_bar::NavBar;
use pages::lazy::Page;
use pages::not_found::NotFoundPage;

/// The whole app: shared contexts, the navigation bar and the route table.
#[component]
pub fn App() -> impl IntoView {
    settings::provide_settings_context();
    repo::provide_sync_status_context();
    offline::provide_offline_shell();
    // The page before stays until the next page is there, so say that it is on its way.
    let opening = pages::lazy::Opening::provide();
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <NavBar/>
            <offline::UpdatePrompt/>
            <p class="page-loading" role="status">
                {move || opening.is_opening().then_some("Opening the page…")}
            </p>
            <main id="main" tabindex="-1">
                <FlatRoutes fallback=NotFoundPage>
                    // Each page is downloaded when it is first shown (pages/lazy.rs).
                    <Route path=path!("/") view=Page::Reviews/>
                    <Route path=path!("/reviews/:id") view=Page::Review/>
                    <Route path=path!("/join/:id") view=Page::Join/>
                    <Route path=path!("/actions") view=Page::Actions/>
                    <Route path=path!("/feed") view=Page::Feed/>
                    <Route path=path!("/feed/:id") view=Page::Finding/>
                    <Route path=path!("/settings") view=Page::Settings/>
                </FlatRoutes>
            </main>
        </Router>
    }
}
