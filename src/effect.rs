//! Effects, compiled once.
//!
//! Leptos's `Effect::new` is generic over the effect's function: every effect compiled its own
//! copy of the effect's machinery (scheduling, tracking, disposal), 0.5 to 1.8 KB of code each,
//! 34 in all. [`effect`] boxes the function, so there is one copy.

use leptos::prelude::Effect;

/// Runs `f` once the component is mounted, and again each time a signal it read changes (as
/// Leptos's `Effect::new`; `f` is given `None` on its first run, `Some(())` after).
pub fn effect(f: impl FnMut(Option<()>) + 'static) {
    let f: Box<dyn FnMut(Option<()>)> = Box::new(f);
    // The one place the app makes an effect.
    #[allow(clippy::disallowed_methods)]
    Effect::new(f);
}
