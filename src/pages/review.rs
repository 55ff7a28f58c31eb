use crate::components::shared::show::Show;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use mosaic_domain::{Account, Phase, Review, Role};

use crate::components::review::conflicts_panel::ConflictsPanel;
use crate::components::shared::guidance::Guidance;
use crate::components::shared::later::Later;
use crate::components::{
    account::account_editor::AccountEditor, review::actions_panel::ActionsPanel,
    review::actor_switcher::ActorSwitcher, review::facilitator_access::FacilitatorAccess,
    review::factors_panel::FactorsPanel, review::group_review_panel::GroupReviewPanel,
    review::invite_panel::InvitePanel, review::phase_stepper::PhaseStepper,
    review::publish_panel::PublishPanel, review::reference_panel::ReferencePanel,
    review::removed_notice::RemovedNotice, review::resume_link::ResumeLink,
    review::review_export::ReviewExport, review::room_panel::RoomPanel,
    review::setup_panel::SetupPanel, review::submissions_panel::SubmissionsPanel,
};
use crate::components::{account::account_guide::AccountGuide, review::phase_guide::PhaseGuide};
use crate::deferred::deferred;
use crate::load::load;
use crate::settings::{self, SyncMode};
use crate::sync_core::{LockedOut, SyncState};
use crate::workspace::{self, Actor, Workspace};
use crate::{repo, time};

/// One review, guiding each person through its phases.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let mode = settings::mode();
    let params = use_params_map();
    let loaded = load(move || {
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
        {loaded.view("Loading the review…", Some("This review could not be opened"), |found| {
            match found {
                Some((review, accounts, credential, synced)) => {
                    view! { <ReviewWorkspace review accounts credential synced/> }.into_any()
                }
                None => view! {
                    {crate::title::page_title(|| "Review not open here".into())}
                    <h1>"This review is not open in this browser"</h1>
                    <p>"A review is reached through its invite link, not its address: "
                       "open the invite link (or your personal link) the facilitator "
                       "sent you, and this browser joins or continues your place in it. "
                       "If you created it here, check Settings: it may be kept on "
                       "another server."</p>
                    <a href="/">"Back to reviews"</a>
                }
                .into_any(),
            }
        })}
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
    if let Some(sync) = ws.sync {
        sync.kick();
        sync.listen();
        let online = window_event_listener(leptos::ev::online, move |_| sync.refresh());
        on_cleanup(move || online.remove());
    }
    let phase = Memo::new(move |_| ws.review.with(|r| r.phase()));
    crate::title::page_title(move || {
        let title = ws.review.with(|r| r.facts.title().to_owned());
        format!("{title} — {}", phase.get().label())
    });
    let is_facilitator = Memo::new(move |_| ws.actor.get() == Actor::Facilitator);
    // A facilitator on a shared device who watches the accounts being written switches "Acting
    // as" to a participant next: the account part is fetched once the page is idle, so the
    // switch shows the account without waiting for a download. (The part loads once; asking
    // again when the person comes back to the facilitator is answered at once.)
    crate::effect::effect(move |_| {
        if phase.get() == Phase::Investigating && is_facilitator.get() && ws.can_switch_actor() {
            crate::idle::when_idle(|| {
                leptos::task::spawn_local(async {
                    // A failure is met again, and shown, when the account is opened.
                    let _ = preload_account_part().await;
                });
            });
        }
    });
    // The phases' panels are parts of their own (below), downloaded when first shown to this
    // person: a facilitator setting a review up downloads neither the account editor nor the
    // group review, and a participant writing their account not the setup.
    let body = move || {
        if let Some(lockout) = ws.locked_out.get() {
            return view! {
                <Later part=move || removed_notice(lockout) coming="Opening what happened…"/>
            }
            .into_any();
        }
        let facilitator = is_facilitator.get();
        match phase.get() {
            Phase::Setup if facilitator => view! {
                <Later part=|| setup_panels(false) coming="Opening the setup…"/>
            }
            .into_any(),
            Phase::Setup => view! {
                <p class="card">"The facilitator is still setting up this review. "
                    "Independent accounts open once they start them."</p>
            }
            .into_any(),
            Phase::Investigating if facilitator => view! {
                <Later part=|| group_panels(Phase::Investigating)
                    coming="Opening the room and the submissions…"/>
            }
            .into_any(),
            Phase::Investigating => view! {
                <Later part=account_panels coming="Opening your account…"/>
            }
            .into_any(),
            Phase::Revealed => view! {
                <Later part=|| group_panels(Phase::Revealed) coming="Opening the group review…"/>
            }
            .into_any(),
            Phase::Actions => view! {
                <Later part=|| group_panels(Phase::Actions) coming="Opening action planning…"/>
            }
            .into_any(),
            Phase::Published => view! {
                <Later part=|| group_panels(Phase::Published)
                    coming="Opening the finding and its actions…"/>
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
        // Said once: folded, it stays a one-line title on every review in this browser.
        <Show when=move || ws.sync.is_some()>
            <Guidance key="server" title="Working together through the server">
                <p>
                    "People join with the invite link, and everyone's changes appear here as they "
                    "happen. Work is saved in this browser first, so nothing is lost offline; it "
                    "is sent when the connection is back."
                </p>
            </Guidance>
        </Show>
        <ArrivalNote/>
        <Show when=move || ws.locked_out.get().is_none()>
            <ResumeLink/>
            <FacilitatorAccess/>
        </Show>
        // Shown only while a change waits for a person's choice, so its code comes then.
        <Show when=move || ws.sync.is_some_and(|sync| sync.needs_choice())>
            <Later part=conflicts_panel coming="Opening the changes that need your choice…"/>
        </Show>
        <p class="form-error notice" role="alert">{move || ws.notice.get()}</p>
        // The facilitator's guide to the phase sits in each phase's body: after the room and
        // the submissions while people write, at the top otherwise.
        {body}
    }
}

// What only a review shared through a server ever shows, and seldom: with the rest of the work
// such a review does off its page's path (`crate::deferred`).
deferred! { server_sync;
    /// Changes that met someone else's, for the person to choose.
    fn conflicts_panel() -> AnyView {
        view! { <ConflictsPanel/> }.into_any()
    }
}

deferred! { server_sync;
    /// What a person who lost their access sees instead of the review.
    fn removed_notice(lockout: LockedOut) -> AnyView {
        view! { <RemovedNotice lockout/> }.into_any()
    }
}

deferred! { setup_part;
    /// Setup, for the facilitator: the guide, the invite link, the facts, the participants, the
    /// questions and the reference material. `folded`: only the setup itself, folded away under
    /// the later phases' work.
    fn setup_panels(folded: bool) -> AnyView {
        if folded {
            view! { <InvitePanel/> <SetupPanel/> }.into_any()
        } else {
            view! { <PhaseGuide/> <InvitePanel/> <SetupPanel/> }.into_any()
        }
    }
}

deferred! { account_part, preload = preload_account_part;
    /// Independent accounts, for a participant: their own account, its guide and the reference
    /// material.
    fn account_panels() -> AnyView {
        view! {
            <RoomPanel/>
            <div class="account-layout">
                <AccountEditor/>
                <div class="side-column"><AccountGuide/><ReferencePanel/></div>
            </div>
            <SubmissionsPanel/>
        }
        .into_any()
    }
}

deferred! { group_part;
    /// The group's work, for everyone from the reveal on and for the facilitator from
    /// Independent accounts on: the room and the submissions, the group review (the merged
    /// timeline, the differences, the factors, themes and votes), the actions and the finding.
    /// One part: these phases share most of their panels, and a part of its own per phase
    /// would cut the shared code into many small parts (and the parts pages share with them),
    /// each a download with its own overhead.
    fn group_panels(phase: Phase) -> AnyView {
        // The group review's work, folded away once the review has moved on to actions: still
        // there to consult (and, in action planning, to keep voting) without crowding the page.
        let record = || view! {
            <details class="card group-record">
                <summary>"Group review: merged timeline, differences, factors and votes"</summary>
                <GroupReviewPanel/>
                <FactorsPanel/>
                <SubmissionsPanel/>
            </details>
        };
        match phase {
            Phase::Setup | Phase::Investigating => view! {
                // The room and the submissions first; Setup is done, folded away but at hand
                // (and downloaded on its own).
                <RoomPanel/>
                <SubmissionsPanel/>
                <PhaseGuide/>
                <details class="card setup-folded">
                    <summary>"Setup: invite link, facts, participants and reference material"</summary>
                    <Later part=|| setup_panels(true) coming="Opening the setup…"/>
                </details>
            }
            .into_any(),
            Phase::Revealed => view! {
                <RoomPanel/>
                <PhaseGuide/>
                <GroupReviewPanel/>
                <FactorsPanel/>
                <SubmissionsPanel/>
            }
            .into_any(),
            Phase::Actions => {
                view! { <PhaseGuide/> <ActionsPanel/> <PublishPanel/> {record()} }.into_any()
            }
            Phase::Published => {
                view! { <PhaseGuide/> <PublishPanel/> <ActionsPanel/> {record()} }.into_any()
            }
        }
    }
}

/// Why the person landed here, when they came through a link: coming back to a review they
/// already take part in never makes them a second participant, and this says so.
#[component]
fn ArrivalNote() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let query = use_query_map();
    let note = move || {
        if ws.locked_out.get().is_some() {
            return None;
        }
        let note = query.with(|q| q.get("note"))?;
        let role = ws
            .credential
            .with_value(|c| c.as_ref().map(|c| c.role.clone()))?;
        let who = match &role {
            Role::Facilitator => None,
            Role::Participant(me) => ws.review.with(|r| {
                r.participant(me)
                    .map(|p| format!("{} ({})", p.name, p.role))
            }),
        };
        match (note.as_str(), who) {
            ("already", Some(who)) => Some(format!(
                "You already joined as {who}. This is your own account, as you left it: \
                 nothing new was created."
            )),
            ("already", None) if role == Role::Facilitator => Some(
                "You are this review's facilitator in this browser, so the invite link brings \
                 you back here."
                    .to_owned(),
            ),
            ("resumed", Some(who)) => Some(format!(
                "Welcome back, {who}: this browser now continues your place in the review, \
                 with what you wrote so far."
            )),
            ("joined", Some(who)) => Some(format!("You joined as {who}.")),
            ("key-replaced", None) if role == Role::Facilitator => Some(
                "This browser's facilitator key was replaced: the old one no longer works."
                    .to_owned(),
            ),
            ("facilitating", None) if role == Role::Facilitator => Some(
                "You are now a facilitator of this review, in this browser. The invite link for \
                 participants stays with whoever made it; “Replace the invite link…” makes a \
                 new one here."
                    .to_owned(),
            ),
            _ => None,
        }
    };
    move || note().map(|text| view! { <p class="card arrival-note" role="status">{text}</p> })
}
