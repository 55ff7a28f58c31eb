use crate::components::shared::show::Show;
use leptos::prelude::*;

use crate::api::Api;
use crate::components::shared::copy_link::CopyLink;
use crate::components::shared::field::TextField;
use crate::join_link::{LinkKind, join_link};
use crate::repo;
use crate::settings;
use crate::workspace::Workspace;
use mosaic_domain::Role;
use mosaic_domain::wire::JoiningRules;

/// The facilitator's invite link for a review on a server: whoever opens it joins as a
/// participant with their own token. The invite token rides in the URL's fragment, which
/// browsers never send to a server, so it stays out of access logs. The link is a credential
/// the facilitator controls: they can replace it (the old one then says it was replaced),
/// close joining, and cap how many people may join.
#[component]
pub fn InvitePanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let mode = settings::mode();
    let credential = ws
        .credential
        .get_value()
        .filter(|c| c.role == Role::Facilitator)?;
    // A co-facilitator's browser does not know the shared invite until it makes a new one.
    let invite = RwSignal::new(credential.invite_token.clone());
    let access_key = mode.with_untracked(|m| m.access_key().map(str::to_owned));
    let review_id = credential.review_id.clone();
    let link = Signal::derive({
        let (review_id, access_key) = (review_id.clone(), access_key.clone());
        move || {
            invite.get().map_or_else(String::new, |invite| {
                join_link(
                    LinkKind::Invite,
                    &settings::page_origin(),
                    &review_id,
                    &invite,
                    access_key.as_deref(),
                )
            })
        }
    });
    let api = mode.get_untracked().api()?.with_token(&credential.token);
    let status = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let rotate = {
        let (api, review_id) = (api.clone(), review_id.clone());
        Action::new_local(move |(): &()| {
            let (api, review_id) = (api.clone(), review_id.clone());
            async move {
                let new = api
                    .rotate_invite(&review_id)
                    .await
                    .map_err(|e| e.to_string())?;
                let held = repo::credential(&review_id)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("This browser no longer holds the review's credential.")?;
                let kept = repo::keep_invite(&held, &new.token)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(kept)
            }
        })
    };
    crate::effect::effect(move |_| match rotate.value().get() {
        Some(Ok(kept)) => {
            if let Some(token) = kept.invite_token.clone() {
                invite.set(Some(token));
            }
            ws.credential.set_value(Some(kept));
            problem.set(None);
            status.set("The invite link was replaced: the old one no longer works.".into());
        }
        Some(Err(e)) => problem.set(Some(e)),
        None => {}
    });
    Some(view! {
        <section class="card invite-panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite participants"</h2>
            <p class="hint">
                "Send this link to the people taking part. Opening it asks for their name and "
                "role, or lets them choose themselves among the people you added; each gets "
                "their own access to this review, and sees only their own account until you "
                "reveal them all. For someone you added, their personal link (under "
                "Participants) is safer."
            </p>
            <Show
                when=move || invite.with(Option::is_some)
                fallback=|| view! {
                    <p>
                        "This browser does not have the invite link: the facilitator who made "
                        "it does. Replacing it makes a new one here (the old one then stops "
                        "working)."
                    </p>
                }
            >
                <CopyLink id="invite-link".to_owned() label="Invite link".to_owned() link/>
            </Show>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" on:click=move |_| confirming.set(true)>
                        "Replace the invite link…"
                    </button>
                }
            >
                <div class="confirm-removal" role="group" aria-label="Replace the invite link?">
                    <p>
                        "A new link replaces this one: whoever opens the old link is told it was "
                        "replaced, and people who already joined keep their access."
                    </p>
                    <button type="button" class="danger" disabled=move || rotate.pending().get()
                        on:click=move |_| {
                            confirming.set(false);
                            rotate.dispatch(());
                        }>
                        "Replace the link"
                    </button>
                    " "
                    <button type="button" on:click=move |_| confirming.set(false)>
                        "Keep this link"
                    </button>
                </div>
            </Show>
            <p role="status" class="saved-note">{move || status.get()}</p>
            <p class="form-error" role="alert">{move || problem.get()}</p>
            <JoiningRulesForm api review_id/>
        </section>
    })
}

/// Whether people may still join with the invite link, and at most how many.
#[component]
fn JoiningRulesForm(api: Api, review_id: String) -> impl IntoView {
    let open = RwSignal::new(true);
    let max = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    {
        let (api, review_id) = (api.clone(), review_id.clone());
        leptos::task::spawn_local(async move {
            if let Ok(state) = api.joining(&review_id).await {
                open.set(state.rules.open);
                max.set(
                    state
                        .rules
                        .max_participants
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                );
            }
        });
    }
    let save = Action::new_local(move |rules: &JoiningRules| {
        let (api, review_id, rules) = (api.clone(), review_id.clone(), rules.clone());
        async move { api.set_joining(&review_id, &rules).await }
    });
    crate::effect::effect(move |_| match save.value().get() {
        Some(Ok(_)) => {
            problem.set(None);
            status.set("Joining rules saved.".into());
        }
        Some(Err(e)) => problem.set(Some(e.to_string())),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(String::new());
        let typed = max.get_untracked();
        let max_participants = match typed.trim() {
            "" => None,
            n => match n.parse::<u32>() {
                Ok(n) if (1..=500).contains(&n) => Some(n),
                _ => {
                    problem.set(Some(
                        "The most participants must be a number from 1 to 500, or empty for no \
                         limit."
                            .into(),
                    ));
                    return;
                }
            },
        };
        save.dispatch(JoiningRules {
            open: open.get_untracked(),
            max_participants,
        });
    };
    view! {
        <form class="joining-rules" on:submit=on_submit novalidate aria-labelledby="joining-heading">
            <h3 id="joining-heading">"Who may join"</h3>
            <div class="choice">
                <input id="joining-open" type="checkbox"
                    prop:checked=move || open.get()
                    on:change=move |ev| open.set(event_target_checked(&ev))/>
                " "
                <label for="joining-open">"People can join with the shared link"</label>
            </div>
            <TextField id="joining-max" label="Most participants" kind="number" range=(1, 500)
                inputmode="numeric"
                hint="Leave empty for no limit. Anyone over the limit is told before they fill anything in."
                value=max on_input=move |v| max.set(v)/>
            <button type="submit" disabled=move || save.pending().get()>"Save joining rules"</button>
            <p role="status" class="saved-note">{move || status.get()}</p>
            <p class="form-error" role="alert">{move || problem.get()}</p>
        </form>
    }
}
