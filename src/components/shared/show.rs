//! `<Show>` built once for the whole app.
//!
//! Leptos's `<Show>` is generic over its condition and its children's view type, so each of
//! the app's 80-odd `<Show>`s compiled its own memo and its own build and rebuild of
//! "children or fallback". This one takes the same properties and boxes them, so that work is
//! compiled once. A file that uses it imports it by name, which takes precedence over the
//! prelude's; clippy (clippy.toml) refuses Leptos's, so a forgotten import does not go unseen.

use leptos::prelude::*;

/// Shows `children` while `when` is true, and `fallback` (nothing by default) while it is
/// false; either is built again each time `when` changes, as with Leptos's `<Show>`.
#[component(transparent)]
pub fn Show(
    children: ChildrenFn,
    when: impl Fn() -> bool + Send + Sync + 'static,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView {
    shown(Box::new(when), children, fallback)
}

fn shown(
    when: Box<dyn Fn() -> bool + Send + Sync>,
    children: ChildrenFn,
    fallback: ViewFn,
) -> AnyView {
    let when = ArcMemo::new(move |_| when());
    (move || {
        if when.get() {
            children()
        } else {
            fallback.run()
        }
    })
    .into_any()
}
