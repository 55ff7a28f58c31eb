use leptos::prelude::*;
use leptos_router::hooks::use_location;

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
                    <li><NavLink href="/" exact=true label="Reviews"/></li>
                    <li><NavLink href="/actions" label="Open actions"/></li>
                    <li><NavLink href="/feed" label="Findings feed"/></li>
                    <li><NavLink href="/settings" label="Settings"/></li>
                </ul>
            </nav>
            <ThemeChoice/>
            <SyncBadge/>
        </header>
    }
}

/// A link of the main navigation, marked as the current page while its section is shown.
#[component]
fn NavLink(
    href: &'static str,
    label: &'static str,
    /// Only the page itself, not the pages under it.
    #[prop(optional)]
    exact: bool,
) -> impl IntoView {
    let path = use_location().pathname;
    let current = move || path.with(|path| in_section(path, href, exact).then_some("page"));
    view! { <a href=href aria-current=current>{label}</a> }
}

/// Whether the page at `path` is in the section `href` leads to: the page itself, or unless
/// `exact` a page under it (`/feed/{id}` is in the feed's section).
fn in_section(path: &str, href: &str, exact: bool) -> bool {
    path == href
        || !exact
            && path
                .strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::in_section;

    #[test]
    fn a_section_holds_its_page_and_the_pages_under_it() {
        assert!(in_section("/feed", "/feed", false));
        assert!(in_section("/feed/42", "/feed", false));
        assert!(!in_section("/feeds", "/feed", false));
        assert!(!in_section("/reviews/1", "/feed", false));
        assert!(in_section("/", "/", true));
        assert!(!in_section("/feed", "/", true), "the reviews are only /");
    }
}
