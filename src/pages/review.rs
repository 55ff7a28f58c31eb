use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use mosaic_domain::{Account, Phase, Review};

use crate::components::conflicts_panel::ConflictsPanel;
use crate::components::{
    account_editor::AccountEditor, actions_panel::ActionsPanel, actor_switcher::ActorSwitcher,
    factors_panel::FactorsPanel, group_review_panel::GroupReviewPanel, invite_panel::InvitePanel,
    phase_stepper::PhaseStepper, publish_panel::PublishPanel, reference_panel::ReferencePanel,
    review_export::ReviewExport, setup_panel::SetupPanel, submissions_panel::SubmissionsPanel,
};
use crate::settings::{Settings, SyncMode};
use crate::sync::{self, SyncState};
use crate::workspace::{self, Actor, Workspace};
use crate::{repo, time};

/// One review, guiding each person through its phases.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let mode = expect_context::<Settings>().0;
    let params = use_params_map();
    let loaded = LocalResource::new(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let mode = mode.get();
        async move {
            let Some(review) = repo::get_review(&mode, &id).await? else {
                return Ok::<_, repo::RepoError>(None);
            };
            let accounts = workspace::load_accounts(&review).await?;
            let credential = repo::credential(review.id.as_str()).await?;
            let synced = match repo::sync_state(review.id.as_str()).await? {
                Some(state) if mode.server_url().is_some() => Some((state, mode)),
                _ => None,
            };
            Ok(Some((review, accounts, credential, synced)))
        }
    });
    view! {
        <Transition fallback=|| view! { <p>"Loading the review…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <h1>"This review could not be opened"</h1>
                <p class="form-error" role="alert">
                    {move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}
                </p>
            }>
                {move || Suspend::new(async move {
                    loaded.await.map(|found| match found {
                        Some((review, accounts, credential, synced)) => {
                            view! { <ReviewWorkspace review accounts credential synced/> }.into_any()
                        }
                        None => view! {
                            {crate::title::page_title(|| "Review not found".into())}
                            <h1>"Review not found"</h1>
                            <p>"This browser has no review with this address."
                               " In server mode it may not have synced yet."</p>
                            <a href="/">"Back to reviews"</a>
                        }.into_any(),
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ReviewWorkspace(
    review: Review,
    accounts: Vec<Account>,
    credential: Option<repo::Credential>,
    synced: Option<(SyncState, SyncMode)>,
) -> impl IntoView {
    let ws = Workspace::provide(review, accounts, credential, synced);
    // Sync with the outside world: the server's copy, its live events, the network coming back.
    if ws.sync.is_some() {
        sync::kick(ws);
        sync::listen(ws);
        let online = window_event_listener(leptos::ev::online, move |_| sync::refresh(ws));
        on_cleanup(move || online.remove());
    }
    let phase = Memo::new(move |_| ws.review.with(|r| r.phase()));
    crate::title::page_title(move || {
        let title = ws.review.with(|r| r.facts.title().to_owned());
        format!("{title} — {}", phase.get().label())
    });
    let is_facilitator = Memo::new(move |_| ws.actor.get() == Actor::Facilitator);
    let body = move || {
        let facilitator = is_facilitator.get();
        match phase.get() {
            Phase::Setup if facilitator => view! { <InvitePanel/> <SetupPanel/> }.into_any(),
            Phase::Setup => view! {
                <p class="card">"The facilitator is still setting up this review. "
                    "Independent accounts open once they start them."</p>
            }
            .into_any(),
            Phase::Investigating if facilitator => {
                view! { <SubmissionsPanel/> <InvitePanel/> <SetupPanel/> }.into_any()
            }
            Phase::Investigating => view! {
                <div class="account-layout">
                    <AccountEditor/>
                    <ReferencePanel/>
                </div>
                <SubmissionsPanel/>
            }
            .into_any(),
            Phase::Revealed => {
                view! { <GroupReviewPanel/> <FactorsPanel/> <SubmissionsPanel/> }.into_any()
            }
            Phase::Actions => view! {
                <ActionsPanel/>
                <PublishPanel/>
                <GroupReviewRecord/>
            }
            .into_any(),
            Phase::Published => view! {
                <PublishPanel/>
                <ActionsPanel/>
                <GroupReviewRecord/>
            }
            .into_any(),
        }
    };
    view! {
        <header class="review-header">
            <h1>{move || ws.review.with(|r| r.facts.title().to_owned())}</h1>
            <p class="meta">
                {move || ws.review.with(|r| {
                    let f = &r.facts;
                    format!(
                        "{} · {} · started {}{}",
                        f.severity().label(),
                        f.team(),
                        time::display_zoned(f.started_at()),
                        if f.services().is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", f.services().join(", "))
                        }
                    )
                })}
            </p>
            <div class="review-tools">
                <Show when=move || ws.can_switch_actor()>
                    <ActorSwitcher/>
                </Show>
                <ReviewExport/>
            </div>
            <PhaseStepper/>
        </header>
        <Show when=move || ws.sync.is_some()>
            <p class="hint server-note">
                "Shared through the server: people join with the invite link, and everyone's "
                "changes appear here as they happen. Work is saved in this browser first, so "
                "nothing is lost offline; it is sent when the connection is back."
            </p>
        </Show>
        <ConflictsPanel/>
        <p class="form-error notice" role="alert">{move || ws.notice.get()}</p>
        {body}
    }
}

/// The group review's work, folded away once the review has moved on to actions: still there to
/// consult (and, in action planning, to keep voting) without crowding the page.
#[component]
fn GroupReviewRecord() -> impl IntoView {
    view! {
        <details class="card group-record">
            <summary>"Group review: merged timeline, differences, factors and votes"</summary>
            <GroupReviewPanel/>
            <FactorsPanel/>
            <SubmissionsPanel/>
        </details>
    }
}
