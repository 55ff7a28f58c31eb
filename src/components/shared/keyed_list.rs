//! A list whose rows are kept by key, built once for every list of the app.
//!
//! `<For>`'s keyed diff is generic over the list's item, key and row types, so each `<For>` in
//! the app compiled its own copy (5 to 7 KB of WebAssembly each, and a page often shows
//! several). [`keyed_list`] gives every list keyed by an id or a text the same `<For>`: rows
//! keyed by text, each built by a boxed function when its key first appears. Lists keyed by
//! several values together (a theme's name and factors, a pair of entries) keep `<For>`.

use leptos::prelude::*;
use std::sync::Arc;

/// One item of a list: its key, and how its row is built if the key is new.
struct Row {
    key: String,
    build: Box<dyn FnOnce() -> AnyView + Send>,
}

/// The rows of `items`, in order, each kept (its elements, its focus, its state) as long as its
/// `key` stays in the list, and built by `row` when it comes in. Keys must be unique in a list.
/// `items` is read in a reactive effect, so the list follows the signals it reads.
pub fn keyed_list<T: Send + 'static>(
    items: impl Fn() -> Vec<T> + Send + Sync + 'static,
    key: impl Fn(&T) -> String + Send + Sync + 'static,
    row: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let row = Arc::new(row);
    rows(Box::new(move || {
        items()
            .into_iter()
            .map(|item| {
                let row = Arc::clone(&row);
                Row {
                    key: key(&item),
                    build: Box::new(move || row(item)),
                }
            })
            .collect()
    }))
}

/// The one `<For>` of the app's lists.
fn rows(each: Box<dyn Fn() -> Vec<Row> + Send + Sync>) -> AnyView {
    view! { <For each key=|row: &Row| row.key.clone() children=|row: Row| (row.build)()/> }
        .into_any()
}
