//! The browser tab's title. Every page names what it shows (WCAG 2.4.2), so a person with
//! several Mosaic tabs, or a screen reader announcing the page, can tell them apart.

use leptos::prelude::*;

/// The app's name, last in every title.
const APP: &str = "Mosaic";

/// Keeps the tab's title at "`what` — Mosaic" while the calling page is shown, following
/// `what` as it changes (a review's title, its phase). An empty `what` leaves just "Mosaic".
pub fn page_title(what: impl Fn() -> String + 'static) {
    // An effect only to sync with the outside world: the document's title.
    crate::effect::effect(move |_| document().set_title(&compose(&what())));
}

fn compose(what: &str) -> String {
    let what = what.trim();
    if what.is_empty() {
        APP.to_owned()
    } else {
        format!("{what} — {APP}")
    }
}

#[cfg(test)]
mod tests {
    use super::compose;

    #[test]
    fn titles_name_the_page_then_the_app() {
        assert_eq!(compose("Reviews"), "Reviews — Mosaic");
        assert_eq!(
            compose("Checkout errors — Group review"),
            "Checkout errors — Group review — Mosaic"
        );
        assert_eq!(compose("  "), "Mosaic");
    }
}
