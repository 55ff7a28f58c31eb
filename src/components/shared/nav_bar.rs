use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::shared::sync_badge::SyncBadge;
use crate::components::shared::theme_choice::ThemeChoice;

/// The top bar: the app's name, the main sections, and where this browser's work is.
#[component]
pub fn NavBar() -> impl IntoView {
    view! {
        <header class="top-bar">
            <a class="brand" href="/">"Mosaic"</a>
            <nav aria-label="Main">
                <ul>
                    <li><A href="/" exact=true>"Reviews"</A></li>
                    <li><A href="/actions">"Open actions"</A></li>
                    <li><A href="/feed">"Findings feed"</A></li>
                    <li><A href="/settings">"Settings"</A></li>
                </ul>
            </nav>
            <ThemeChoice/>
            <SyncBadge/>
        </header>
    }
}
