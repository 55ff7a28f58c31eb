use leptos::prelude::*;
use mosaic_domain::Phase;

use crate::components::shared::guidance::Guidance;
use crate::workspace::{Actor, Workspace};

/// What the facilitator reads about one phase.
struct PhaseText {
    /// What to do now, in order.
    now: &'static [&'static str],
    /// Questions to put to the group (or to each person).
    ask: &'static [&'static str],
    /// How long this phase usually takes.
    how_long: &'static str,
}

/// The facilitator's guide to each phase, written for Mosaic's way of running a review:
/// independent accounts first, then the group works from the differences.
fn text(phase: Phase) -> PhaseText {
    match phase {
        Phase::Setup => PhaseText {
            now: &[
                "Set the incident's facts: when it started, was detected and resolved, and how customers felt it.",
                "Add everyone who took part: responders, the person who noticed, support, anyone paged. Each writes their own account.",
                "Choose a question guide and adjust its questions before accounts open; add reference material such as the chat export or the alert timeline.",
                "Send the invite link, and say in your own words that the review looks for how the work was done, not for someone to blame.",
            ],
            ask: &[
                "Who else saw this incident from a different place?",
                "Is there anything you would rather tell me privately before the review starts?",
            ],
            how_long: "15 to 30 minutes, ideally within two working days of the incident while memories are fresh.",
        },
        Phase::Investigating => PhaseText {
            now: &[
                "Let everyone write on their own. Don't share your own view of what happened: the accounts are worth most while they are independent.",
                "Watch who has submitted; remind the others gently, once.",
                "Reveal when everyone has submitted or the agreed deadline has passed. The reveal can't be undone, and accounts submitted after it are left out.",
            ],
            ask: &[
                "Write what you saw and believed at the time, not what you know now.",
                "If you are unsure of a time, give your best guess and say so.",
            ],
            how_long: "20 to 40 minutes of writing per person; leave a day or two so nobody has to rush.",
        },
        Phase::Revealed => PhaseText {
            now: &[
                "Walk the merged timeline together, in time order. Link reports of the same moment and mark detection, diagnosis and repair.",
                "Spend most of the time where the accounts differ: different beliefs are where the learning is.",
                "Group related factors into themes, so similar points made by different people are discussed once, then let everyone place their three dots.",
            ],
            ask: &[
                "What did you know at that moment, and where did it come from?",
                "What made that the reasonable thing to do at the time?",
                "What surprised you? What helped, and where were we lucky?",
                "What would someone new to the team need to know to handle this?",
            ],
            how_long: "A 60 to 90 minute meeting for most incidents.",
        },
        Phase::Actions => PhaseText {
            now: &[
                "Turn the most-voted themes and factors into actions, each with an owner, a priority and a due date.",
                "Prefer changes to tools, alerts and process over “be more careful”: an action should make the next incident easier to handle.",
                "Write the summary and key insights, and choose which sections the whole organisation may read before publishing.",
            ],
            ask: &[
                "What would make this easier to detect, diagnose or repair next time?",
                "Who owns this action, and by when is it realistic?",
                "Is there something we should learn or share rather than fix?",
            ],
            how_long: "30 to 45 minutes, often at the end of the group review meeting.",
        },
        Phase::Published => PhaseText {
            now: &[
                "Share the finding's link with the people who can learn from it.",
                "Keep each action's status current; the feed shows how the follow-up work stands.",
                "To correct the finding, step back to action planning and publish again.",
            ],
            ask: &[
                "A few weeks on: did the actions land, and did they help?",
                "Has a similar incident happened since? Give both findings a shared tag so readers find them together.",
            ],
            how_long: "A few minutes at each check-in.",
        },
    }
}

/// The facilitator's guide for the phase the review is in: what to do now, what to ask the
/// group, and how long it usually takes. Only the person running the review sees it; each
/// phase's guide is folded away on its own.
#[component]
pub fn PhaseGuide() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let phase = Memo::new(move |_| ws.review.with(|r| r.phase()));
    let facilitator = Memo::new(move |_| ws.actor.get() == Actor::Facilitator);
    move || {
        if !facilitator.get() {
            return None;
        }
        let phase = phase.get();
        let t = text(phase);
        let list = |items: &'static [&'static str]| {
            items.iter().map(|i| view! { <li>{*i}</li> }).collect_view()
        };
        Some(view! {
            <Guidance key=format!("phase-{}", phase.key())
                title=format!("Facilitator's guide: {}", phase.label())>
                <h3>"What to do now"</h3>
                <ol class="guidance-list">{list(t.now)}</ol>
                <h3>"What to ask"</h3>
                <ul class="guidance-list">{list(t.ask)}</ul>
                <h3>"How long it usually takes"</h3>
                <p>{t.how_long}</p>
            </Guidance>
        })
    }
}
