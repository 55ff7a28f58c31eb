use leptos::prelude::*;
use mosaic_domain::ParticipantId;

use crate::workspace::{Actor, Workspace};

/// "Acting as": who is using this browser now. People sharing one device take turns; each sees
/// only their own account until the reveal.
#[component]
pub fn ActorSwitcher() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    // Made once per change of who is acting, then compared by every option.
    let value = Memo::new(move |_| match ws.actor.get() {
        Actor::Facilitator => "facilitator".to_owned(),
        Actor::Participant(id) => id.to_string(),
    });
    let on_change = move |ev| {
        let raw = event_target_value(&ev);
        let actor = match ParticipantId::parse(&raw) {
            Ok(id) if raw != "facilitator" => Actor::Participant(id),
            _ => Actor::Facilitator,
        };
        ws.act_as(actor);
    };
    view! {
        <div class="actor-switcher">
            <label for="acting-as">"Acting as"</label>
            <select id="acting-as" on:change=on_change>
                <option value="facilitator" selected=move || value.with(|v| v == "facilitator")>
                    "Facilitator"
                </option>
                {move || {
                    ws.review
                        .with(|r| r.participants().to_vec())
                        .into_iter()
                        .map(|p| {
                            let id = p.id.to_string();
                            let selected = {
                                let id = id.clone();
                                move || value.with(|v| *v == id)
                            };
                            view! {
                                <option value=id selected=selected>
                                    {format!("{} ({})", p.name, p.role)}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}
