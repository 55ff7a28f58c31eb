use leptos::prelude::*;

/// A link to hand to someone: shown read-only (selected on focus) with a button that copies it.
#[component]
pub fn CopyLink(
    /// The input's id, unique on the page.
    id: String,
    /// What the link is, as the field's label ("Invite link").
    label: String,
    /// The link.
    #[prop(into)]
    link: Signal<String>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
            let _ = clipboard.write_text(&link.get_untracked());
            copied.set(true);
        }
    };
    view! {
        <label for=id.clone()>{label}</label>
        <div class="invite-row">
            <input id=id type="text" readonly prop:value=move || link.get()
                on:input=move |_| copied.set(false)
                on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    {
                        input.select();
                    }
                }/>
            <button type="button" on:click=copy>"Copy link"</button>
        </div>
        <p role="status" class="saved-note">{move || copied.get().then_some("Link copied.")}</p>
    }
}
