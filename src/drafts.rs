//! Form drafts: what a person has typed but not yet saved, kept in `localStorage` as they type
//! so a reload restores it (see ARCHITECTURE.md, "Nothing a person types exists only in
//! memory"). Small and synchronous, unlike the documents in IndexedDB.

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// This browser's `localStorage`, when the browser allows it.
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The draft saved under `key`, if there is a readable one.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let json = local_storage()?.get_item(key).ok()??;
    mosaic_domain::json::from_str(&json).ok()
}

/// Saves `value` under `key`; a failure (storage full or disabled) only loses the draft.
pub fn save<T: Serialize>(key: &str, value: &T) {
    if let (Some(s), Ok(json)) = (local_storage(), serde_json::to_string(value)) {
        let _ = s.set_item(key, &json);
    }
}

pub fn clear(key: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(key);
    }
}

/// A signal holding a draft, loaded from `localStorage` under `key` and written back on every
/// change. A draft equal to `T::default()` (an empty form) is removed rather than stored.
pub fn stored_draft<T>(key: String) -> RwSignal<T>
where
    T: Serialize + DeserializeOwned + Default + PartialEq + Clone + Send + Sync + 'static,
{
    let draft = RwSignal::new(load(&key).unwrap_or_default());
    // Sync with the outside world: the draft in localStorage. Not on the first run: what was
    // just read needs no writing back (a long account's editor opens faster without it).
    crate::effect::effect(move |first: Option<()>| {
        draft.track();
        if first.is_none() {
            return;
        }
        draft.with(|value| {
            if *value == T::default() {
                clear(&key);
            } else {
                save(&key, value);
            }
        })
    });
    draft
}
