use std::time::Duration;

use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::room::{HandReason, Room, RoomMember, TimeboxState, suggested_minutes};
use mosaic_domain::wire::RoomSettings;
use mosaic_domain::{ParticipantId, Role};

use crate::api::{self, Api};
use crate::room_clock::{LiveRoom, RoomNews, Seen, announcement};
use crate::settings;
use crate::time;
use crate::workspace::Workspace;

/// Minutes the facilitator's "Add 5 minutes" adds.
const EXTEND_MINUTES: u32 = 5;

/// The live room of a group session shared through a server: who has the review open, who is
/// still writing (or, for a participant when the facilitator prefers, how many), who has
/// submitted, raised hands, and the shared timebox. The countdown runs on the server's clock;
/// it is a `role="timer"` that screen readers do not read out every second: a polite live
/// region says only when a timebox starts, is extended or stopped, one minute before the end
/// and at zero. Nothing shows without a server (people taking turns on one device need no
/// room).
#[component]
pub fn RoomPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let mode = settings::mode();
    let credential = ws.credential.get_value()?;
    let api = mode.get_untracked().api()?.with_token(&credential.token);
    let review_id = credential.review_id.clone();
    let me = match &credential.role {
        Role::Participant(id) => Some(id.clone()),
        Role::Facilitator => None,
    };
    let facilitator = me.is_none();

    // The local clock once a second; the countdown turns it into server time.
    let tick = RwSignal::new(time::now());
    let ticking = set_interval_with_handle(move || tick.set(time::now()), Duration::from_secs(1));
    on_cleanup(move || {
        if let Ok(handle) = ticking {
            handle.clear();
        }
    });
    // The room as last heard, read here (an event comes as the server's text).
    let live = Memo::new(move |_| ws.room.with(|news| news.as_ref().and_then(RoomNews::live)));
    let seen = Memo::new(move |_| {
        // Read now, not at the last tick: a room that just arrived is counted from this moment.
        tick.track();
        let local = time::now();
        live.with(|live| match live {
            Some(live) => Seen::of(Some(&live.room), live.clock.now(local)),
            None => Seen::of(None, local),
        })
    });
    // Only the moments worth saying reach the live region; the last one stays until the next.
    let said = Memo::new(move |previous: Option<&(Seen, String)>| {
        let now = seen.get();
        let text = announcement(previous.map(|(before, _)| before), &now)
            .or_else(|| previous.map(|(_, text)| text.clone()))
            .unwrap_or_default();
        (now, text)
    });
    let spoken = Memo::new(move |_| said.with(|(_, text)| text.clone()));

    let problem = RwSignal::new(None::<String>);
    // Every room route answers with the room as the caller now sees it: shown at once, before
    // the stream's event arrives.
    let act = Action::new_local(move |request: &RoomRequest| {
        let (api, review_id, request) = (api.clone(), review_id.clone(), request.clone());
        async move {
            match request.send(&api, &review_id).await {
                Ok(room) => {
                    problem.set(None);
                    ws.room.set(Some(RoomNews::Answer(LiveRoom::received(
                        room,
                        time::now(),
                    ))));
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        }
    });

    let room = Memo::new(move |_| live.with(|r| r.as_ref().map(|l| l.room.clone())));
    let phase = Memo::new(move |_| ws.review.with(|r| r.phase()));
    // The length chosen, if this phase suggests it; else the phase's first suggestion.
    let chosen = RwSignal::new(None::<u32>);
    let minutes = Memo::new(move |_| {
        let suggested = suggested_minutes(phase.get());
        chosen
            .get()
            .filter(|m| suggested.contains(m))
            .unwrap_or(suggested[0])
    });
    let state = Memo::new(move |_| seen.with(|s| s.state));

    let summary = move || {
        room.with(|room| {
            let room = room.as_ref()?;
            let (here, all) = room.here_count();
            let submitted = room.members.iter().filter(|m| m.submitted).count();
            let writing = room.writing_count.map_or_else(
                || room.members.iter().filter(|m| m.writing == Some(true)).count(),
                |n| n as usize,
            );
            Some(format!(
                "{here} of {all} participants here · {writing} still writing · {submitted} submitted"
            ))
        })
    };

    let timer_label = move || {
        seen.with(|s| {
            s.timebox
                .as_ref()
                .map(|t| format!("Time left in the timebox for {}", t.phase.label()))
        })
    };
    let has_timebox = move || seen.with(|s| s.timebox.is_some());
    // Only the digits change each second; a `role="timer"` is not read out as it changes.
    let timer = view! {
        <Show when=has_timebox>
            <p class="timebox">
                <span id="timebox-label">{timer_label}</span>
                ": "
                <span role="timer" aria-live="off" aria-labelledby="timebox-label" class="timer">
                    {move || seen.with(Seen::shown).unwrap_or_default()}
                </span>
            </p>
        </Show>
    };
    let note = move || match state.get() {
        Some(TimeboxState::Ended) => Some(
            view! {
                <p class="times-up">
                    "Time's up. Finish the thought you are on; the facilitator decides what "
                    "comes next."
                </p>
            }
            .into_any(),
        ),
        Some(TimeboxState::Stopped) => {
            Some(view! { <p class="hint">"Timebox stopped by the facilitator."</p> }.into_any())
        }
        _ => None,
    };

    let controls = facilitator.then(|| {
        let choices = move || {
            // Shortest first, as people scan a list of lengths; the suggestion is selected.
            let mut lengths = suggested_minutes(phase.get()).to_vec();
            lengths.sort_unstable();
            lengths
                .into_iter()
                .map(|m| {
                    view! {
                        <option value=m.to_string() selected=move || minutes.get() == m>
                            {format!("{m} minute{}", if m == 1 { "" } else { "s" })}
                        </option>
                    }
                })
                .collect_view()
        };
        let see_writing =
            move || room.with(|r| r.as_ref().is_none_or(|r| r.participants_see_writing));
        view! {
            <div class="room-controls">
                <label for="timebox-minutes">"Timebox length"</label>
                <select
                    id="timebox-minutes"
                    on:change=move |ev| {
                        if let Ok(m) = event_target_value(&ev).parse() {
                            chosen.set(Some(m));
                        }
                    }
                >
                    {choices}
                </select>
                <button
                    type="button"
                    on:click=move |_| {
                        act.dispatch(RoomRequest::Start(minutes.get_untracked()));
                    }
                >
                    "Start a timebox"
                </button>
                <Show when=move || {
                    matches!(state.get(), Some(TimeboxState::Running | TimeboxState::Ended))
                }>
                    <button
                        type="button"
                        on:click=move |_| {
                            act.dispatch(RoomRequest::Extend(EXTEND_MINUTES));
                        }
                    >
                        "Add 5 minutes"
                    </button>
                </Show>
                <Show when=move || state.get() == Some(TimeboxState::Running)>
                    <button
                        type="button"
                        on:click=move |_| {
                            act.dispatch(RoomRequest::Stop);
                        }
                    >
                        "Stop the timebox"
                    </button>
                </Show>
                <label class="checkbox">
                    <input
                        type="checkbox"
                        prop:checked=see_writing
                        on:change=move |ev| {
                            act.dispatch(RoomRequest::SeeWriting(event_target_checked(&ev)));
                        }
                    />
                    "Participants see who is still writing (otherwise only how many)"
                </label>
            </div>
        }
    });

    let my_hand = {
        let me = me.clone();
        Memo::new(move |_| {
            let me = me.as_ref()?;
            room.with(|r| r.as_ref().and_then(|r| r.member(me)).and_then(|m| m.hand))
        })
    };
    let own_hand = me.map(|me| {
        move || {
            let me = me.clone();
            match my_hand.get() {
                Some(reason) => view! {
                    <div class="hand-controls">
                        <p>{format!("Your hand is raised: {}.", reason.label())}</p>
                        <button
                            type="button"
                            on:click=move |_| {
                                act.dispatch(RoomRequest::Lower(me.clone()));
                            }
                        >
                            "Lower hand"
                        </button>
                    </div>
                }
                .into_any(),
                None => view! {
                    <div class="hand-controls">
                        {HandReason::ALL
                            .map(|reason| {
                                let me = me.clone();
                                view! {
                                    <button
                                        type="button"
                                        on:click=move |_| {
                                            act.dispatch(RoomRequest::Raise(me.clone(), reason));
                                        }
                                    >
                                        {format!("Raise hand: {}", reason.label())}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                }
                .into_any(),
            }
        }
    });

    let counted = move || {
        room.with(|r| {
            let n = r.as_ref()?.writing_count?;
            Some(match n {
                0 => "Nobody is still writing.".to_owned(),
                1 => "1 person is still writing.".to_owned(),
                n => format!("{n} people are still writing."),
            })
        })
    };
    // Keyed by the whole member: a row is drawn again only when what it says changes, so the
    // facilitator's focus on a "Lower …'s hand" button survives others' changes.
    let members = move || room.with(|r| r.as_ref().map(|r| r.members.clone()).unwrap_or_default());

    Some(view! {
        <section class="card room-panel" aria-labelledby="room-heading">
            <h2 id="room-heading">"The room"</h2>
            <p class="room-summary">{summary}</p>
            {timer}
            {note}
            <p class="visually-hidden" role="status" aria-live="polite">
                {move || spoken.get()}
            </p>
            {controls}
            {own_hand}
            <p>{counted}</p>
            <ul class="room-members" aria-label="Who is in the room">
                <For each=members key=|m| m.clone() let(member)>
                    <MemberRow member facilitator act/>
                </For>
            </ul>
            <p class="form-error" role="alert">{move || problem.get()}</p>
        </section>
    })
}

/// What a control of the room asks the server.
#[derive(Clone, Debug)]
enum RoomRequest {
    Start(u32),
    Extend(u32),
    Stop,
    Raise(ParticipantId, HandReason),
    Lower(ParticipantId),
    SeeWriting(bool),
}

impl RoomRequest {
    async fn send(self, api: &Api, review_id: &str) -> Result<Room, api::Error> {
        match self {
            Self::Start(m) => api.start_timebox(review_id, m).await,
            Self::Extend(m) => api.extend_timebox(review_id, m).await,
            Self::Stop => api.stop_timebox(review_id).await,
            Self::Raise(who, reason) => api.raise_hand(review_id, who.as_str(), reason).await,
            Self::Lower(who) => api.lower_hand(review_id, who.as_str()).await,
            Self::SeeWriting(see) => {
                let settings = RoomSettings {
                    participants_see_writing: see,
                };
                api.set_room_settings(review_id, &settings).await
            }
        }
    }
}

/// One member: name and role, here or away, still writing, submitted, and a raised hand (with
/// the facilitator's button to lower it).
#[component]
fn MemberRow(member: RoomMember, facilitator: bool, act: Action<RoomRequest, ()>) -> impl IntoView {
    let name = if member.participant_id.is_some() {
        format!("{} ({})", member.name, member.role)
    } else {
        member.name.clone()
    };
    let mut tags = vec![if member.here { "here" } else { "away" }];
    if member.writing == Some(true) {
        tags.push("still writing");
    }
    if member.submitted {
        tags.push("submitted");
    }
    let hand = member.hand.map(|reason| {
        let lower = member
            .participant_id
            .clone()
            .filter(|_| facilitator)
            .map(|who| {
                let label = format!("Lower {}'s hand", member.name);
                view! {
                    <button
                        type="button"
                        on:click=move |_| {
                            act.dispatch(RoomRequest::Lower(who.clone()));
                        }
                    >
                        {label}
                    </button>
                }
            });
        view! {
            <span class="hand">{format!("Hand raised: {}", reason.label())}</span>
            {lower}
        }
    });
    view! {
        <li class="room-member" class:away=!member.here>
            <span class="member-name">{name}</span>
            " "
            <span class="member-state">{tags.join(" · ")}</span>
            " "
            {hand}
        </li>
    }
}
