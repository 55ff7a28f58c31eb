//! Form drafts kept in `localStorage` as they are typed, so a reload loses nothing (see
//! ARCHITECTURE.md, "Nothing a person types exists only in memory"). Not a component: the
//! setup panel and the account editor share it.

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// A signal holding a draft, loaded from `localStorage` under `key` and written back on every
/// change. A draft equal to `T::default()` (an empty form) is removed rather than stored.
pub fn stored_draft<T>(key: String) -> RwSignal<T>
where
    T: Serialize + DeserializeOwned + Default + PartialEq + Clone + Send + Sync + 'static,
{
    let loaded = storage()
        .and_then(|s| s.get_item(&key).ok()?)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let draft = RwSignal::new(loaded);
    // Sync with the outside world: the draft in localStorage.
    Effect::new(move |_| {
        draft.with(|value| {
            let Some(s) = storage() else { return };
            if *value == T::default() {
                let _ = s.remove_item(&key);
            } else if let Ok(json) = serde_json::to_string(value) {
                let _ = s.set_item(&key, &json);
            }
        })
    });
    draft
}

/// A fresh id for a new entry, observation, participant or piece of reference material.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
