use leptos::prelude::*;
use mosaic_domain::{Account, Role};

use crate::download;
use crate::time;
use crate::workspace::{LockedOut, Workspace};

/// What a person who lost their access sees instead of the review: what happened (the
/// facilitator removed them, or they signed this browser out from another), that nothing here
/// changes any more, and their own words to keep. On a removal the server deleted their draft;
/// the copy in this browser is theirs either way.
#[component]
pub fn RemovedNotice(lockout: LockedOut) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let own = move || {
        let Some(Role::Participant(me)) = ws
            .credential
            .with_value(|c| c.as_ref().map(|c| c.role.clone()))
        else {
            return None;
        };
        ws.account(&me)
    };
    let problem = RwSignal::new(None::<String>);
    let download = move |_| {
        let Some(account) = own() else { return };
        let title = ws.review.with_untracked(|r| r.facts.title().to_owned());
        let text = account_markdown(&title, &account);
        if let Err(e) = download::offer("my-account.md", "text/markdown", &text) {
            problem.set(Some(e));
        }
    };
    view! {
        <section class="card removed-notice" aria-labelledby="removed-heading">
            {match lockout {
                LockedOut::Removed => view! {
                    <h2 id="removed-heading">"The facilitator removed you from this review"</h2>
                    <p>
                        "You can no longer write or change anything here, and what you wrote has "
                        "been deleted from the server: nobody will read it in this review. If "
                        "this is a mistake, ask the facilitator to add you again."
                    </p>
                }
                .into_any(),
                LockedOut::SignedOut => view! {
                    <h2 id="removed-heading">"This browser was signed out of the review"</h2>
                    <p>
                        "Your place in this review continues in another browser: it was opened "
                        "there with your personal link, and this browser was signed out. Nothing "
                        "here can be changed any more. If that was not you, ask the facilitator "
                        "for a new personal link: it signs the other browser out."
                    </p>
                }
                .into_any(),
            }}
            {move || match own() {
                Some(_) => view! {
                    <p>"Your own words are yours: the copy in this browser can be downloaded."</p>
                    <button type="button" class="primary" on:click=download>
                        "Download what you wrote"
                    </button>
                    <p class="form-error" role="alert">{move || problem.get()}</p>
                }
                .into_any(),
                None => view! { <p>"You had not written anything in this browser."</p> }.into_any(),
            }}
        </section>
    }
}

/// A participant's own account as Markdown: their timeline and observations, nothing else.
fn account_markdown(title: &str, account: &Account) -> String {
    let mut md = format!("# My account: {title}\n\n## Timeline\n");
    for e in account.entries() {
        md.push_str(&format!(
            "\n### {}\n\n{}\n",
            time::display(e.at),
            e.what_happened
        ));
        if !e.knew_or_believed.is_empty() {
            md.push_str(&format!(
                "\nWhat I knew or believed then: {}\n",
                e.knew_or_believed
            ));
        }
        if !e.what_i_did.is_empty() {
            md.push_str(&format!("\nWhat I did: {}\n", e.what_i_did));
        }
    }
    if !account.observations().is_empty() {
        md.push_str("\n## Observations\n\n");
        for o in account.observations() {
            md.push_str(&format!("- {}: {}\n", o.kind.label(), o.text));
        }
    }
    md
}
