use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use mosaic_domain::wire::JoinReview;

use crate::api::Api;
use crate::components::field_error::FieldError;
use crate::repo::{self, SyncStatus, SyncStatusContext};
use crate::settings::{self, Settings, SyncMode};
use mosaic_domain::ValidationError;

/// Where an invite link lands: the newcomer gives their name and role and joins the review as a
/// participant. This browser then syncs with the server that served the link.
#[component]
pub fn JoinPage() -> impl IntoView {
    crate::title::page_title(|| "Join a review".into());
    let mode = expect_context::<Settings>().0;
    let status = expect_context::<SyncStatusContext>().0;
    let params = use_params_map();
    let review_id = move || params.with(|p| p.get("id").unwrap_or_default());
    let invite = invite_from_fragment();
    let has_invite = invite.is_some();
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let show_name = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let failure = RwSignal::new(None::<String>);
    let navigate = use_navigate();

    let access_key = fragment_param("key").unwrap_or_default();
    let join = Action::new_local(move |request: &JoinReview| {
        let request = request.clone();
        let id = review_id();
        let server = SyncMode::Server {
            url: settings::page_origin(),
            access_key: access_key.clone(),
        };
        async move {
            let api = Api::for_mode(&server).expect("a server mode");
            repo::join_review(&api, &id, &request)
                .await
                .map(|_| (server, id))
        }
    });
    Effect::new(move |_| match join.value().get() {
        Some(Ok((server, id))) => {
            if mode.get_untracked() != server {
                mode.set(server);
            }
            status.set(SyncStatus::Saved);
            navigate(&format!("/reviews/{id}"), Default::default());
        }
        Some(Err(e)) => failure.set(Some(e.to_string())),
        None => {}
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Vec::new();
        if name.with_untracked(|n| n.trim().is_empty()) {
            found.push(ValidationError::new("name", "is required"));
        }
        if role.with_untracked(|r| r.trim().is_empty()) {
            found.push(ValidationError::new("role", "is required"));
        }
        errors.set(found.clone());
        if !found.is_empty() {
            return;
        }
        join.dispatch(JoinReview {
            invite_token: invite.clone().unwrap_or_default(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            show_name_when_published: show_name.get_untracked(),
        });
    };

    if !has_invite {
        return view! {
            <h1>"Join a review"</h1>
            <p class="form-error" role="alert">
                "This invite link is incomplete: ask the facilitator to send it again."
            </p>
        }
        .into_any();
    }
    view! {
        <h1>"Join a review"</h1>
            <form class="card form narrow" on:submit=on_submit novalidate aria-labelledby="join-heading">
                <h2 id="join-heading">"Who are you in this incident?"</h2>
                <p class="hint">
                    "You will write your own account of the incident. Nobody, not even the "
                    "facilitator, reads it until they reveal every account at once."
                </p>
                <div class="field">
                    <label for="join-name">"Your name"</label>
                    <input id="join-name" type="text" required maxlength="80"
                        aria-describedby="name-error"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError field="name" label="Your name" errors=errors/>
                </div>
                <div class="field">
                    <label for="join-role">"Your role in the incident"</label>
                    <input id="join-role" type="text" required maxlength="80"
                        placeholder="on-call SRE"
                        aria-describedby="role-error"
                        prop:value=move || role.get()
                        on:input=move |ev| role.set(event_target_value(&ev))/>
                    <FieldError field="role" label="Your role" errors=errors/>
                </div>
                <div class="choice">
                    <input id="join-show-name" type="checkbox"
                        prop:checked=move || show_name.get()
                        on:change=move |ev| show_name.set(event_target_checked(&ev))/>
                    <label for="join-show-name">"Show my name when published"</label>
                    <p class="hint">"Otherwise published findings name you by your role."</p>
                </div>
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <button type="submit" class="primary" disabled=move || join.pending().get()>
                    "Join the review"
                </button>
            </form>
    }
    .into_any()
}

/// The invite token from the page's `#invite=…` fragment.
/// The invite token in the link's fragment (`#invite=…`, with `&key=…` for a closed server).
fn invite_from_fragment() -> Option<String> {
    fragment_param("invite")
}

fn fragment_param(name: &str) -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(hash.strip_prefix('#')?).ok()?;
    params.get(name).filter(|t| !t.is_empty())
}
