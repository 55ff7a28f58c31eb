//! The offline app shell: registers the service worker (`public/sw.js`) that keeps this build
//! of the app in the browser, and offers a reload when a newer build is ready.
//!
//! Development builds (`trunk serve`) register nothing: their files change on every save.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// A newer build of the app, installed and waiting for this page to let it take over.
#[derive(Clone)]
struct Waiting(RwSignal<Option<ServiceWorkerRegistration>, LocalStorage>);

/// The browser's service worker container, where there is one (a secure origin).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .ok()?
        .then(|| navigator.service_worker())
}

/// Registers the service worker and watches for a newer build.
fn register(waiting: RwSignal<Option<ServiceWorkerRegistration>, LocalStorage>) {
    if cfg!(debug_assertions) {
        return;
    }
    let Some(workers) = container() else { return };
    // Without a controller this is the first visit: the build being installed is this one.
    let updating = workers.controller().is_some();
    // A first visit downloaded the app as one pack and hands its files to the shell's cache
    // (scripts/place-parts.mjs); installing once that is done spares downloading them again.
    let handed_over = js_sys::Reflect::get(&js_sys::global(), &"__mosaicKept".into())
        .ok()
        .and_then(|kept| kept.dyn_into::<js_sys::Promise>().ok());
    leptos::task::spawn_local(async move {
        if let Some(handed_over) = handed_over {
            let _ = wasm_bindgen_futures::JsFuture::from(handed_over).await;
        }
        let registered = workers.register("/sw.js");
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(registered).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        if updating && registration.waiting().is_some() {
            waiting.set(Some(registration.clone()));
        }
        let found = registration.clone();
        let on_update = Closure::<dyn Fn()>::new(move || {
            let Some(installing) = found.installing() else {
                return;
            };
            let (worker, registration) = (installing.clone(), found.clone());
            let on_state = Closure::<dyn Fn()>::new(move || {
                let has_controller = container().is_some_and(|c| c.controller().is_some());
                if worker.state() == ServiceWorkerState::Installed && has_controller {
                    waiting.set(Some(registration.clone()));
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
    });
}

/// Provides the app shell's state and starts the service worker; call once, in the app.
pub fn provide_offline_shell() {
    let waiting = RwSignal::new_local(None::<ServiceWorkerRegistration>);
    provide_context(Waiting(waiting));
    register(waiting);
}

/// "A new version is ready — reload": shown once a newer build has been installed. Reloading
/// lets it take over; until then this page keeps running the build it started with.
#[component]
pub fn UpdatePrompt() -> impl IntoView {
    let Waiting(waiting) = expect_context::<Waiting>();
    let reload = move |_| {
        let Some(registration) = waiting.get_untracked() else {
            return;
        };
        if let Some(container) = container() {
            let on_change = Closure::<dyn Fn()>::new(|| {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            });
            container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
            on_change.forget();
        }
        match registration.waiting() {
            Some(worker) => {
                let _ = worker.post_message(&"skip-waiting".into());
            }
            None => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        }
    };
    move || {
        waiting.with(Option::is_some).then(|| {
            view! {
                <div class="update-prompt" role="status">
                    "A new version of Mosaic is ready. "
                    <button type="button" on:click=reload>"Reload to update"</button>
                </div>
            }
        })
    }
}
