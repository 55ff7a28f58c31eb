use leptos::prelude::*;

use crate::repo::Credential;
use crate::settings;
use crate::workspace::Workspace;
use mosaic_domain::Role;

/// The facilitator's invite link for a review on a server: whoever opens it joins as a
/// participant with their own token. The invite token rides in the URL's fragment, which
/// browsers never send to a server, so it stays out of access logs.
#[component]
pub fn InvitePanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let mode = expect_context::<settings::Settings>().0;
    let link = ws.credential.with_value(|c| match c {
        Some(Credential {
            role: Role::Facilitator,
            invite_token: Some(invite),
            review_id,
            ..
        }) => Some(invite_link(
            &settings::page_origin(),
            review_id,
            invite,
            mode.with_untracked(|m| m.access_key().map(str::to_owned))
                .as_deref(),
        )),
        _ => None,
    });
    let copied = RwSignal::new(false);
    link.map(|link| {
        let copy = {
            let link = link.clone();
            move |_| {
                if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
                    let _ = clipboard.write_text(&link);
                    copied.set(true);
                }
            }
        };
        view! {
            <section class="card invite-panel" aria-labelledby="invite-heading">
                <h2 id="invite-heading">"Invite participants"</h2>
                <p class="hint">
                    "Send this link to each person taking part. Opening it asks only for their name "
                    "and role; each gets their own access to this review, and sees only their own "
                    "account until you reveal them all."
                </p>
                <label for="invite-link">"Invite link"</label>
                <div class="invite-row">
                    <input id="invite-link" type="text" readonly prop:value=link.clone()
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
            </section>
        }
    })
}

/// The address that joins review `review_id` with invite token `invite`.
/// The link a participant opens to join. A closed server's access key rides along, in the
/// fragment too, so the newcomer needs nothing else.
pub fn invite_link(
    origin: &str,
    review_id: &str,
    invite: &str,
    access_key: Option<&str>,
) -> String {
    let key = access_key
        .map(|k| format!("&key={}", encode_component(k)))
        .unwrap_or_default();
    format!("{origin}/join/{review_id}#invite={invite}{key}")
}

/// Percent-encodes a fragment parameter's value.
fn encode_component(value: &str) -> String {
    let params = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
    params.append("k", value);
    String::from(params.to_string())
        .strip_prefix("k=")
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::invite_link;

    #[test]
    fn the_invite_token_travels_in_the_fragment() {
        assert_eq!(
            invite_link("https://m.example", "r-1", "abc", None),
            "https://m.example/join/r-1#invite=abc"
        );
    }
}
