//! Moving keyboard focus after the page re-renders.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Focuses the element with this id once the page has re-rendered.
pub fn focus_by_id(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document()
            .get_element_by_id(id)
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}
