use leptos::prelude::*;
use mosaic_domain::Role;

use crate::components::shared::copy_link::CopyLink;
use crate::components::shared::later::Later;
use crate::deferred::deferred;
use crate::join_link::{LinkKind, join_link};
use crate::repo;
use crate::settings;
use crate::workspace::Workspace;

/// The facilitator's own access to a review on a server: a one-time link that makes someone
/// else a facilitator too (a co-facilitator, or oneself on another device), and replacing this
/// browser's facilitator key when it may have been seen. Folded away: what it holds is
/// downloaded when it is first unfolded.
#[component]
pub fn FacilitatorAccess() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    ws.credential
        .get_value()
        .filter(|c| c.role == Role::Facilitator)?;
    settings::mode().get_untracked().api()?;
    let unfolded = RwSignal::new(false);
    let on_toggle = move |ev: leptos::ev::Event| {
        if event_target::<web_sys::HtmlDetailsElement>(&ev).open() {
            unfolded.set(true);
        }
    };
    Some(view! {
        <details class="card facilitator-access" on:toggle=on_toggle>
            <summary>"Facilitators"</summary>
            {move || unfolded.get().then(|| view! {
                <Later part=access_panel coming="Opening the facilitators' access…"/>
            })}
        </details>
    })
}

// Only a facilitator of a review shared through a server sees it: with the rest of the work such
// a review does off its page's path (`crate::deferred`).
deferred! { server_sync;
    fn access_panel() -> AnyView {
        view! { <AccessPanel/> }.into_any()
    }
}

/// What "Facilitators" holds, once unfolded.
#[component]
fn AccessPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let mode = settings::mode();
    let credential = ws
        .credential
        .get_value()
        .filter(|c| c.role == Role::Facilitator)?;
    let api = mode.get_untracked().api()?;
    let review_id = credential.review_id.clone();
    let access_key = mode.with_untracked(|m| m.access_key().map(str::to_owned));
    let link = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);

    let make_link = {
        let (api, review_id) = (api.clone(), review_id.clone());
        Action::new_local(move |(): &()| {
            let (api, review_id) = (api.clone(), review_id.clone());
            async move {
                let token = held_token(ws)?;
                api.with_token(&token)
                    .facilitator_link(&review_id)
                    .await
                    .map(|made| made.token)
                    .map_err(|e| e.to_string())
            }
        })
    };
    crate::effect::effect({
        let review_id = review_id.clone();
        move |_| match make_link.value().get() {
            Some(Ok(token)) => {
                problem.set(None);
                link.set(Some(join_link(
                    LinkKind::Facilitate,
                    &settings::page_origin(),
                    &review_id,
                    &token,
                    access_key.as_deref(),
                )));
            }
            Some(Err(e)) => problem.set(Some(e)),
            None => {}
        }
    });

    // The page opens again with the new key once it is stored: its live stream and any request
    // that raced the replacement (answered "signed out", which locks this page and unmounts
    // this panel) start afresh with it. Done in the action itself, not in an effect of this
    // panel, so the reload happens even when the panel is gone by then.
    let replace_key = Action::new_local(move |(): &()| {
        let api = api.clone();
        async move {
            let held = ws
                .credential
                .get_value()
                .ok_or("This browser no longer holds the review's access.")?;
            let kept = repo::replace_own_token(&api, &held)
                .await
                .map_err(|e| e.to_string())?;
            ws.credential.set_value(Some(kept));
            web_sys::window()
                .and_then(|w| {
                    let path = w.location().pathname().ok()?;
                    w.location()
                        .replace(&format!("{path}?note=key-replaced"))
                        .ok()
                })
                .ok_or_else(|| {
                    "This browser's facilitator key was replaced. Reload the page.".to_owned()
                })
        }
    });
    crate::effect::effect(move |_| {
        if let Some(Err(e)) = replace_key.value().get() {
            problem.set(Some(e));
        }
    });

    Some(view! {
            <p class="hint">
                "Another facilitator, or you on another device, can run this review too: make "
                "a facilitator link and send it to that one person. It works once, within a day."
            </p>
            <button type="button" disabled=move || make_link.pending().get()
                on:click=move |_| { make_link.dispatch(()); }>
                "Make a facilitator link"
            </button>
            {move || link.get().map(|made| view! {
                <CopyLink id="facilitator-link".to_owned()
                    label="Facilitator link (works once)".to_owned()
                    link=Signal::stored(made)/>
            })}
            <h3>"This browser's key"</h3>
            <p class="hint">
                "If someone else may have seen this browser's access (a shared computer, a "
                "copied address), replace its key: the old key stops working at once, and this "
                "browser keeps facilitating."
            </p>
            <button type="button" disabled=move || replace_key.pending().get()
                on:click=move |_| { replace_key.dispatch(()); }>
                "Replace this browser's facilitator key"
            </button>
            <p role="status" class="saved-note">{move || status.get()}</p>
            <p class="form-error" role="alert">{move || problem.get()}</p>
    })
}

/// The token this browser holds for the open review.
fn held_token(ws: Workspace) -> Result<String, String> {
    ws.credential
        .with_value(|c| c.as_ref().map(|c| c.token.clone()))
        .ok_or_else(|| "This browser no longer holds the review's access.".to_owned())
}
