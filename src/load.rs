//! What a page reads without waiting for it (this browser's IndexedDB, the server), as a plain
//! signal its view matches on.
//!
//! Leptos's `LocalResource` with `<Transition>`, `<ErrorBoundary>` and `Suspend` do the same,
//! but each use compiles their generic machinery once more for its own types: it was 42 % of
//! the reviews page's code and three quarters of a finding's, downloaded on every first load.
//! A [`Load`] is two signals and one effect.

use std::any::Any;
use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use leptos::prelude::*;

/// The answer of a read that runs again when what it depends on changes.
///
/// The answer is kept as `dyn Any`, so the signals, the effect and the task behind every read
/// are compiled once ([`start`]) rather than once per type of answer (about 4 KB of code each).
pub struct Load<T: 'static> {
    value: Answer,
    pending: ReadSignal<bool>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Load<T> {}

/// A read, its answer boxed.
type Read = Pin<Box<dyn Future<Output = Box<dyn Any>>>>;

/// The last answer, boxed (`None` before the first).
type Answer = ReadSignal<Option<Box<dyn Any>>, LocalStorage>;

/// Starts reading `fetch()` once the component is mounted, and again each time a signal that
/// `fetch` reads before its future starts changes. The last answer stays until the next one is
/// in (nothing flashes back to "Loading…" while, say, a search runs again), and an answer that
/// a newer read overtook is dropped.
pub fn load<T: 'static, F: Future<Output = T> + 'static>(
    fetch: impl Fn() -> F + 'static,
) -> Load<T> {
    let (value, pending) = start(Box::new(move || {
        let answer = fetch();
        Box::pin(async move { Box::new(answer.await) as Box<dyn Any> })
    }));
    Load {
        value,
        pending,
        answer: PhantomData,
    }
}

/// [`load`], of any type of answer.
fn start(fetch: Box<dyn Fn() -> Read>) -> (Answer, ReadSignal<bool>) {
    let (value, set_value) = signal_local(None);
    let (pending, set_pending) = signal(true);
    let latest = StoredValue::new(0_u64);
    crate::effect::effect(move |_| {
        let answer = fetch();
        let read = latest.get_value() + 1;
        latest.set_value(read);
        set_pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            // The page may be gone by now: its signals with it.
            if latest.try_get_value() == Some(read) {
                set_value.try_set(Some(answer));
                set_pending.try_set(false);
            }
        });
    });
    (value, pending)
}

impl<T: 'static> Load<T> {
    /// The last answer (`None` before the first), cloned; a view reading it follows it.
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        self.with(|answer| answer.cloned())
    }

    /// Runs `f` on the last answer (`None` before the first); a view reading it follows it.
    pub fn with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        self.value
            .with(|answer| f(answer.as_ref().and_then(|a| a.downcast_ref::<T>())))
    }

    /// Whether a read is on its way (the first, or one that will replace the answer shown).
    pub fn pending(&self) -> Signal<bool> {
        self.pending.into()
    }
}

impl<T: Clone + 'static, E: Clone + Display + 'static> Load<Result<T, E>> {
    /// The read as a view: `loading` in words until the first answer, then `ready` of it, or
    /// the error's words as an alert, under `failed` as a heading when the page has no other.
    pub fn view(
        self,
        loading: &'static str,
        failed: Option<&'static str>,
        ready: impl Fn(T) -> AnyView + Send + Sync + 'static,
    ) -> impl IntoView {
        move || match self.get() {
            None => loading_view(loading),
            Some(Ok(value)) => ready(value),
            Some(Err(e)) => failed_view(failed, e.to_string()),
        }
    }
}

// The views of waiting and failing, built once for every read rather than once per read's types.

fn loading_view(loading: &'static str) -> AnyView {
    view! { <p>{loading}</p> }.into_any()
}

fn failed_view(failed: Option<&'static str>, message: String) -> AnyView {
    view! {
        {failed.map(|heading| view! { <h1>{heading}</h1> })}
        <p class="form-error" role="alert">{message}</p>
    }
    .into_any()
}
