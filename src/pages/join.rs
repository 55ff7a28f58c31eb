use crate::components::shared::show::Show;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use mosaic_domain::wire::{ClaimPlace, Invitation, JoinReview, Joining, Me, OpenPlace};
use mosaic_domain::{Phase, Role, ValidationError};

use crate::api::Api;
use crate::components::shared::edits::FieldFeedback;
use crate::components::shared::field::TextField;
use crate::join_link::LinkKind;
use crate::load::load;
use crate::repo::{self, RepoError, SyncStatus, SyncStatusContext};
use crate::settings::{self, SyncMode};

/// What the link in the address carries, in its fragment (never sent to a server).
#[derive(Clone, Debug, PartialEq)]
enum Link {
    /// `#invite=…`: the review's shared invite.
    Shared(String),
    /// `#person=…`: a personal invite the facilitator made for one row.
    Personal(String),
    /// `#resume=…`: a participant's own personal link, to continue on another device.
    Resume(String),
    /// `#facilitate=…`: a one-time facilitator link.
    Facilitate(String),
    None,
}

impl Link {
    fn from_fragment() -> Self {
        if let Some(t) = fragment_param(LinkKind::Resume.param()) {
            Self::Resume(t)
        } else if let Some(t) = fragment_param(LinkKind::Facilitate.param()) {
            Self::Facilitate(t)
        } else if let Some(t) = fragment_param(LinkKind::Person.param()) {
            Self::Personal(t)
        } else if let Some(t) = fragment_param(LinkKind::Invite.param()) {
            Self::Shared(t)
        } else {
            Self::None
        }
    }

    fn invite_token(&self) -> Option<&str> {
        match self {
            Self::Shared(t) | Self::Personal(t) | Self::Facilitate(t) => Some(t),
            _ => None,
        }
    }
}

/// What opening the link found.
#[derive(Clone, Debug)]
enum Arrival {
    /// This browser already takes part: coming back is resuming, not joining.
    Member,
    /// A personal link offers to continue someone's participation here.
    Resume(Box<Me>),
    Invited(Invitation),
    NoLink,
}

/// Where an invite link lands. A browser that already takes part in the review goes straight
/// to its own place ("You already joined as …"), and so does a personal resume link on a new
/// device; otherwise the page says what the review is and whether it takes people, offers the
/// rows the facilitator prepared ("Are you one of these people?"), and then a form to join as
/// someone new. This browser then syncs with the server that served the link.
#[component]
pub fn JoinPage() -> impl IntoView {
    let mode = settings::mode();
    let status = expect_context::<SyncStatusContext>().0;
    let params = use_params_map();
    let review_id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let link = Link::from_fragment();
    let server = SyncMode::Server {
        url: settings::page_origin(),
        access_key: fragment_param("key").unwrap_or_default(),
    };
    let api = server.api().expect("a server mode");

    let arrival = {
        let (api, id, link) = (api.clone(), review_id.clone(), link.clone());
        load(move || {
            let (api, id, link) = (api.clone(), id.clone(), link.clone());
            async move {
                if let Some(held) = repo::credential(&id).await? {
                    // One exception: a person removed and then let back in opens the personal
                    // invite made for their own row, and takes it again.
                    if let (Link::Personal(token), Role::Participant(me)) = (&link, &held.role)
                        && let Ok(invitation) = api.invitation(&id, token).await
                        && invitation
                            .personal
                            .as_ref()
                            .is_some_and(|p| &p.participant_id == me)
                    {
                        return Ok(Arrival::Invited(invitation));
                    }
                    return Ok::<_, RepoError>(Arrival::Member);
                }
                match &link {
                    Link::Resume(token) => api
                        .with_token(token)
                        .me(&id)
                        .await
                        .map(|me| Arrival::Resume(Box::new(me)))
                        .map_err(RepoError::Api),
                    Link::Shared(token) | Link::Personal(token) | Link::Facilitate(token) => api
                        .invitation(&id, token)
                        .await
                        .map(Arrival::Invited)
                        .map_err(RepoError::Api),
                    Link::None => Ok(Arrival::NoLink),
                }
            }
        })
    };
    // The tab names the incident once the invitation says which it is.
    crate::title::page_title(move || {
        arrival.with(|a| match a {
            Some(Ok(Arrival::Invited(invitation))) => format!("Join “{}”", invitation.title),
            _ => "Join a review".to_owned(),
        })
    });

    // Whoever this browser already is in the review: straight to their own place.
    let go_to_review = {
        let (server, id, navigate) = (server.clone(), review_id.clone(), use_navigate());
        move |note: &str| {
            if mode.get_untracked() != server {
                mode.set(server.clone());
            }
            status.set(SyncStatus::Saved);
            // Replacing the join address drops the link's secret from the history too (the
            // Back button, a shared screen of the address bar).
            let options = leptos_router::NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&format!("/reviews/{id}?note={note}"), options);
        }
    };
    {
        let go = go_to_review.clone();
        crate::effect::effect(move |_| {
            if let Some(Ok(Arrival::Member)) = arrival.get() {
                go("already");
            }
        });
    }

    view! {
        {move || match arrival.get() {
            None => view! { <h1>"Join a review"</h1> <p>"Opening the invitation…"</p> }.into_any(),
            Some(Ok(Arrival::Member)) => {
                view! { <h1>"Join a review"</h1> <p>"Opening your place in the review…"</p> }
                    .into_any()
            }
            Some(Ok(Arrival::Resume(me))) => {
                let token = match &link {
                    Link::Resume(token) => token.clone(),
                    _ => String::new(),
                };
                view! {
                    <ResumeChoice
                        me=*me
                        token
                        review_id=review_id.clone()
                        api=api.clone()
                        on_resumed=Callback::new({
                            let go = go_to_review.clone();
                            move |()| go("resumed")
                        })
                    />
                }
                .into_any()
            }
            Some(Ok(Arrival::NoLink)) => view! {
                <h1>"Join a review"</h1>
                <p class="form-error" role="alert">
                    "This invite link is incomplete: ask the facilitator to send it again."
                </p>
            }
            .into_any(),
            Some(Ok(Arrival::Invited(invitation))) if invitation.facilitator => {
                let token = link.invite_token().unwrap_or_default().to_owned();
                view! {
                    <FacilitatorInvitation
                        invitation
                        token
                        review_id=review_id.clone()
                        api=api.clone()
                        on_joined=Callback::new({
                            let go = go_to_review.clone();
                            move |()| go("facilitating")
                        })
                    />
                }
                .into_any()
            }
            Some(Ok(Arrival::Invited(invitation))) => {
                let token = link.invite_token().unwrap_or_default().to_owned();
                view! {
                    <InvitationView
                        invitation
                        token
                        review_id=review_id.clone()
                        api=api.clone()
                        on_joined=Callback::new({
                            let go = go_to_review.clone();
                            move |()| go("joined")
                        })
                    />
                }
                .into_any()
            }
            Some(Err(e)) => refused(&e).into_any(),
        }}
    }
}

/// The page for a link that leads nowhere: replaced, unknown, or its person removed.
fn refused(e: &RepoError) -> impl IntoView {
    let code = match e {
        RepoError::Api(e) => e.code().map(str::to_owned),
        RepoError::Storage(_) => None,
    };
    let heading = match code.as_deref() {
        Some("invite_replaced") => "This invite link was replaced",
        Some("invite_unknown" | "unauthorized") => "This link does not work",
        Some("removed") => "You were removed from this review",
        Some("signed_out") => "This link no longer works",
        Some("facilitator_link_used") => "This facilitator link was used already",
        _ => "This review could not be opened",
    };
    view! {
        <h1>{heading}</h1>
        <p class="form-error" role="alert">{e.to_string()}</p>
        <p><a href="/">"Go to your reviews"</a></p>
    }
}

/// A personal link opened in a browser that does not take part yet: whose place it continues,
/// and whether the browser the link came from stays signed in.
#[component]
fn ResumeChoice(
    me: Me,
    token: String,
    review_id: String,
    api: Api,
    on_resumed: Callback<()>,
) -> impl IntoView {
    let who = match &me.role {
        Role::Participant(pid) => me
            .review
            .participant(pid)
            .map_or_else(String::new, |p| format!("{} ({})", p.name, p.role)),
        Role::Facilitator => "the facilitator".to_owned(),
    };
    let title = me.review.facts.title().to_owned();
    let sign_out = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let resume = Action::new_local(move |sign_out: &bool| {
        let (api, id, token, sign_out) = (api.clone(), review_id.clone(), token.clone(), *sign_out);
        async move { repo::resume(&api, &id, &token, sign_out).await }
    });
    crate::effect::effect(move |_| match resume.value().get() {
        Some(Ok(_)) => on_resumed.run(()),
        Some(Err(e)) => failure.set(Some(e.to_string())),
        None => {}
    });
    view! {
        <h1>{format!("Continue “{title}”")}</h1>
        <form class="card form narrow" aria-labelledby="resume-heading" novalidate
            on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                resume.dispatch(sign_out.get_untracked());
            }>
            <h2 id="resume-heading">{format!("Continue as {who} in this browser")}</h2>
            <p class="hint">
                "This is your personal link: this browser takes your place in the review, with "
                "everything you wrote so far."
            </p>
            <fieldset>
                <legend>"Your other browser"</legend>
                <div class="choice">
                    <input id="resume-keep" type="radio" name="resume-other"
                        prop:checked=move || !sign_out.get()
                        on:change=move |_| sign_out.set(false)/>
                    <label for="resume-keep">"Keep it signed in: I use both"</label>
                </div>
                <div class="choice">
                    <input id="resume-sign-out" type="radio" name="resume-other"
                        aria-describedby="resume-sign-out-hint"
                        prop:checked=move || sign_out.get()
                        on:change=move |_| sign_out.set(true)/>
                    <label for="resume-sign-out">"Sign it out: I no longer use it, or it is not mine"</label>
                    <p class="hint" id="resume-sign-out-hint">
                        "The other browser can then no longer change anything, and this link "
                        "stops working; this browser gets a new personal link. Anything it had "
                        "not sent yet stays only there."
                    </p>
                </div>
            </fieldset>
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <button type="submit" class="primary" disabled=move || resume.pending().get()>
                "Continue here"
            </button>
        </form>
    }
}

/// A facilitator link: what the review is, and becoming one of its facilitators.
#[component]
fn FacilitatorInvitation(
    invitation: Invitation,
    token: String,
    review_id: String,
    api: Api,
    on_joined: Callback<()>,
) -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let accept = Action::new_local(move |(): &()| {
        let (api, id, token) = (api.clone(), review_id.clone(), token.clone());
        async move { repo::facilitate(&api, &id, &token).await }
    });
    crate::effect::effect(move |_| match accept.value().get() {
        Some(Ok(())) => on_joined.run(()),
        Some(Err(e)) => failure.set(Some(e.to_string())),
        None => {}
    });
    view! {
        <h1>{format!("Facilitate “{}”", invitation.title)}</h1>
        <p class="meta">{format!("Team {} · {}", invitation.team, invitation.phase.label())}</p>
        <section class="card narrow" aria-labelledby="facilitate-heading">
            <h2 id="facilitate-heading">"You are invited to facilitate this review"</h2>
            <p class="hint">
                "Facilitators set the review up, open the independent accounts, reveal them all "
                "at once, and run the group review. Like every facilitator, you will not read "
                "anyone's account before the reveal. This link works once."
            </p>
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <button type="button" class="primary" disabled=move || accept.pending().get()
                on:click=move |_| { accept.dispatch(()); }>
                "Facilitate this review"
            </button>
        </section>
    }
}

/// What to do next, by phase, for someone about to join.
fn what_happens_next(phase: Phase) -> &'static str {
    match phase {
        Phase::Setup => {
            "The facilitator is still setting up. Once they open the accounts, you write your \
             own account of the incident; nobody, not even the facilitator, reads it until \
             every account is revealed at once."
        }
        _ => {
            "After joining you write your own account of the incident. Nobody, not even the \
             facilitator, reads it until every account is revealed at once."
        }
    }
}

/// The invitation: the incident and its team, whether it takes people, and how to take part.
#[component]
fn InvitationView(
    /// What the link leads to.
    invitation: Invitation,
    /// The link's token (shared or personal invite).
    token: String,
    review_id: String,
    api: Api,
    /// Called once this browser has its place in the review.
    on_joined: Callback<()>,
) -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let claim = {
        let (api, id, token) = (api.clone(), review_id.clone(), token.clone());
        Action::new_local(move |place: &Option<OpenPlace>| {
            let (api, id) = (api.clone(), id.clone());
            let request = ClaimPlace {
                token: token.clone(),
                participant_id: place.as_ref().map(|p| p.participant_id.clone()),
            };
            async move { repo::claim_place(&api, &id, &request).await }
        })
    };
    crate::effect::effect(move |_| match claim.value().get() {
        Some(Ok(_)) => on_joined.run(()),
        Some(Err(e)) => failure.set(Some(e.to_string())),
        None => {}
    });
    let Invitation {
        title,
        team,
        phase,
        joining,
        personal,
        open_places,
        published,
        ..
    } = invitation;
    let finding = format!("/feed/{review_id}");
    let intro = view! {
        <h1>{format!("Join “{title}”")}</h1>
        <p class="meta">{format!("Team {team} · {}", phase.label())}</p>
    };
    let body = if let Some(place) = personal {
        let who = format!("{} ({})", place.name, place.role);
        view! {
            <section class="card narrow" aria-labelledby="personal-heading">
                <h2 id="personal-heading">{format!("The facilitator added you as {who}")}</h2>
                <p class="hint">{what_happens_next(phase)}</p>
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <button type="button" class="primary" disabled=move || claim.pending().get()
                    on:click=move |_| { claim.dispatch(Some(place.clone())); }>
                    {format!("Join as {who}")}
                </button>
            </section>
        }
        .into_any()
    } else {
        match joining {
            Joining::Open => view! {
                <p class="hint page-lead">{what_happens_next(phase)}</p>
                <OpenPlaces places=open_places claim failure/>
                <NewPersonForm
                    token
                    review_id
                    api
                    on_joined
                    someone_new=claim.pending()
                />
            }
            .into_any(),
            closed => {
                let why = match closed {
                    Joining::Closed => "The facilitator has closed joining for this review. \
                         If you should take part, ask them to open it again."
                        .to_owned(),
                    Joining::Full { max_participants } => format!(
                        "This review is full: the facilitator allowed {max_participants} \
                         participant{}. If you should take part, ask them to allow more people.",
                        if max_participants == 1 { "" } else { "s" }
                    ),
                    Joining::Over { phase } => format!(
                        "This review no longer takes new participants: the accounts were \
                         revealed, and it is in the {} phase.",
                        phase.label()
                    ),
                    Joining::Open => String::new(),
                };
                view! {
                    <section class="card narrow" aria-labelledby="closed-heading">
                        <h2 id="closed-heading">"Joining is not possible"</h2>
                        <p role="alert">{why}</p>
                        <Show when=move || published>
                            <p><a href=finding.clone()>"Read the published finding"</a></p>
                        </Show>
                    </section>
                }
                .into_any()
            }
        }
    };
    view! { {intro} {body} }
}

/// "Are you one of these people?": the rows the facilitator added that nobody has joined as.
#[component]
fn OpenPlaces(
    places: Vec<OpenPlace>,
    claim: Action<Option<OpenPlace>, Result<mosaic_domain::ParticipantId, RepoError>>,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    (!places.is_empty()).then(|| {
        view! {
            <section class="card narrow" aria-labelledby="places-heading">
                <h2 id="places-heading">"Are you one of these people?"</h2>
                <p class="hint">
                    "The facilitator has already added them. If you are one of them, take your "
                    "place: choose only yourself."
                </p>
                <ul class="open-places">
                    {places
                        .into_iter()
                        .map(|place| {
                            let who = format!("{} ({})", place.name, place.role);
                            view! {
                                <li>
                                    <button type="button" disabled=move || claim.pending().get()
                                        on:click=move |_| { claim.dispatch(Some(place.clone())); }>
                                        {format!("I am {who}")}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="form-error" role="alert">{move || failure.get()}</p>
            </section>
        }
    })
}

/// Joining as someone new: name, role and the opt-in to be named when published.
#[component]
fn NewPersonForm(
    token: String,
    review_id: String,
    api: Api,
    on_joined: Callback<()>,
    /// True while a claim of a listed row is on its way.
    someone_new: Memo<bool>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let show_name = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let feedback = FieldFeedback(errors);
    let failure = RwSignal::new(None::<String>);
    let join = Action::new_local(move |request: &JoinReview| {
        let (api, id, request) = (api.clone(), review_id.clone(), request.clone());
        async move { repo::join_review(&api, &id, &request).await }
    });
    crate::effect::effect(move |_| match join.value().get() {
        Some(Ok(_)) => on_joined.run(()),
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
            invite_token: token.clone(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            show_name_when_published: show_name.get_untracked(),
        });
    };
    view! {
        <form class="card form narrow" on:submit=on_submit novalidate aria-labelledby="join-heading">
            <h2 id="join-heading">"Who are you in this incident?"</h2>
            <TextField id="join-name" label="Your name" required=true maxlength=80
                value=name on_input=move |v| name.set(v)
                error=Signal::derive(feedback.message("name", "Your name"))/>
            <TextField id="join-role" label="Your role in the incident" required=true maxlength=80
                placeholder="on-call SRE" value=role on_input=move |v| role.set(v)
                error=Signal::derive(feedback.message("role", "Your role"))/>
            <div class="choice">
                <input id="join-show-name" type="checkbox"
                    prop:checked=move || show_name.get()
                    on:change=move |ev| show_name.set(event_target_checked(&ev))/>
                <label for="join-show-name">"Show my name when published"</label>
                <p class="hint">"Otherwise published findings name you by your role."</p>
            </div>
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <button type="submit" class="primary"
                disabled=move || join.pending().get() || someone_new.get()>
                "Join the review"
            </button>
        </form>
    }
}

/// One parameter of the link's fragment (`#invite=…&key=…`).
fn fragment_param(name: &str) -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(hash.strip_prefix('#')?).ok()?;
    params.get(name).filter(|t| !t.is_empty())
}
