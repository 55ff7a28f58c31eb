use leptos::prelude::*;

use crate::repo::{self, SyncStatus, SyncStatusContext};

/// Always shows where this browser's work is: being saved, saved here, saved on the server,
/// syncing, or waiting offline. When the network comes back, waiting changes are sent.
#[component]
pub fn SyncBadge() -> impl IntoView {
    let status = expect_context::<SyncStatusContext>().0;
    let saving = RwSignal::new(false);
    crate::storage::on_write_activity(move |busy| saving.set(busy));
    let mode = crate::settings::mode();
    let flush = move || {
        if let Some(api) = mode.get_untracked().api() {
            leptos::task::spawn_local(async move {
                let _ = repo::flush_outbox(&api).await;
            });
        }
    };
    // Sync with the outside world: the browser's online/offline events.
    let online = window_event_listener(leptos::ev::online, move |_| flush());
    let offline = window_event_listener(leptos::ev::offline, move |_| {
        if mode.get_untracked().server_url().is_some() {
            status.update(|s| {
                if !matches!(s, SyncStatus::Offline { .. }) {
                    *s = SyncStatus::Offline { waiting: 0 };
                }
            });
        }
    });
    on_cleanup(move || {
        online.remove();
        offline.remove();
    });
    let class = move || match status.get() {
        _ if saving.get() => "sync-badge busy",
        SyncStatus::LocalOnly | SyncStatus::Saved => "sync-badge ok",
        SyncStatus::Syncing => "sync-badge busy",
        SyncStatus::Offline { .. }
        | SyncStatus::Unreachable { .. }
        | SyncStatus::NeedsChoice { .. }
        | SyncStatus::NotSavedHere { .. }
        | SyncStatus::Refused { .. } => "sync-badge warn",
    };
    view! {
        <p class=class role="status" aria-live="polite" data-testid="sync-status">
            {move || if saving.get() { "Saving…".to_owned() } else { status.get().label() }}
        </p>
    }
}
