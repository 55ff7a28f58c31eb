//! Work for when the browser has nothing better to do: after the current frame is painted and
//! the tasks waiting then have run.

use std::time::Duration;

use leptos::prelude::{request_idle_callback_with_handle, set_timeout};

/// Runs `work` in the browser's next idle period; in a browser without idle callbacks, in a
/// task of its own (queued from a frame callback, that task runs once the frame is painted).
pub fn when_idle(work: impl Fn() + Clone + 'static) {
    if request_idle_callback_with_handle(work.clone()).is_err() {
        set_timeout(work, Duration::ZERO);
    }
}
