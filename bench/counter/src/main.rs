//! A minimal Leptos counter, built with the same profile and tools as the app: the floor the
//! benchmark compares the app's download with.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        let count = RwSignal::new(0);
        view! {
            <button on:click=move |_| *count.write() += 1>{move || count.get()}</button>
        }
    });
}
