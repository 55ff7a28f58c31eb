use leptos::prelude::*;

use crate::components::shared::field::TextField;
use crate::settings::{self, SyncMode};

/// Where this browser keeps reviews: only here, or also on a Mosaic server.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let mode = settings::mode();
    let use_server = RwSignal::new(mode.get_untracked().server_url().is_some());
    let url = RwSignal::new(
        mode.get_untracked()
            .server_url()
            .map(str::to_owned)
            .unwrap_or_else(settings::page_origin),
    );
    let access_key = RwSignal::new(
        mode.get_untracked()
            .access_key()
            .unwrap_or_default()
            .to_owned(),
    );
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        if !use_server.get_untracked() {
            mode.set(SyncMode::Local);
            error.set(None);
            saved.set(true);
            return;
        }
        match settings::validate_server_url(&url.get_untracked()) {
            Ok(url) => {
                mode.set(SyncMode::Server {
                    url,
                    access_key: access_key.get_untracked().trim().to_owned(),
                });
                error.set(None);
                saved.set(true);
            }
            Err(message) => error.set(Some(message)),
        }
    };

    crate::title::page_title(|| "Settings".into());
    view! {
        <h1>"Settings"</h1>
        <form class="card form" on:submit=on_submit>
            <fieldset>
                <legend>"Where reviews are kept"</legend>
                <div class="choice">
                    <input type="radio" id="mode-local" name="mode" value="local"
                        prop:checked=move || !use_server.get()
                        on:change=move |_| use_server.set(false)/>
                    <label for="mode-local">"This browser only"</label>
                    <p class="hint">"Works offline with no server. Nothing leaves this browser."</p>
                </div>
                <div class="choice">
                    <input type="radio" id="mode-server" name="mode" value="server"
                        prop:checked=move || use_server.get()
                        on:change=move |_| use_server.set(true)/>
                    <label for="mode-server">"Sync with a Mosaic server"</label>
                    <p class="hint">"Reviews are kept here and on the server, so colleagues see them."</p>
                </div>
            </fieldset>
            <TextField id="server-url" label="Server URL" kind="url"
                disabled=Signal::derive(move || !use_server.get())
                value=url on_input=move |v| url.set(v) error=error/>
            <TextField id="access-key" label="Organisation access key (if your server needs one)"
                kind="password" autocomplete="off"
                hint="A closed Mosaic server answers only requests that carry its key. It is kept in this browser and sent only to this server."
                disabled=Signal::derive(move || !use_server.get())
                value=access_key on_input=move |v| access_key.set(v)
               />
            <button type="submit" class="primary">"Save settings"</button>
            <p role="status" class="saved-note">{move || saved.get().then_some("Settings saved.")}</p>
        </form>
    }
}
