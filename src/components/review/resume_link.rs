use leptos::prelude::*;
use mosaic_domain::Role;

use crate::components::shared::copy_link::CopyLink;
use crate::join_link::{LinkKind, join_link};
use crate::settings;
use crate::workspace::Workspace;

/// A participant's own personal link, for a review shared through a server: opened in another
/// browser or on another device, it continues the same place in the review, with the same
/// draft. It carries this browser's own token in the fragment, which browsers never send to a
/// server, so it is as private as the person keeps it.
#[component]
pub fn ResumeLink() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let mode = settings::mode();
    let link = ws.credential.with_value(|c| match c {
        Some(c) if matches!(c.role, Role::Participant(_)) => Some(join_link(
            LinkKind::Resume,
            &settings::page_origin(),
            &c.review_id,
            &c.token,
            mode.with_untracked(|m| m.access_key().map(str::to_owned))
                .as_deref(),
        )),
        _ => None,
    })?;
    Some(view! {
        <details class="card resume-link">
            <summary>"Continue on another device"</summary>
            <p class="hint">
                "Open this link in another browser or on another device to continue as "
                "yourself there, with everything you wrote. Keep it to yourself: anyone with it "
                "can write as you."
            </p>
            <CopyLink id="resume-link".to_owned() label="Your personal link".to_owned()
                link=Signal::stored(link)/>
        </details>
    })
}
