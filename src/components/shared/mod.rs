//! Building blocks every feature uses: the navigation bar and its badges, form fields and their
//! feedback, the wording coach's text field, copy and confirm controls, a piece of a page
//! downloaded when first shown, and the app's `<Show>` and keyed lists (`show`, `keyed_list`:
//! Leptos's own are compiled again for every use).

pub mod coached_text;
pub mod confirm_removal;
pub mod copy_link;
pub mod edits;
pub mod facts_fields;
pub mod field;
pub mod focus;
pub mod guidance;
pub mod keyed_list;
pub mod later;
pub mod limit_hint;
pub mod list_window;
pub mod nav_bar;
pub mod show;
pub mod sync_badge;
pub mod theme_choice;
pub mod tracker_link;
