use leptos::prelude::*;
use mosaic_domain::{ReviewListing, Role};

use crate::components::reviews::new_review_form::NewReviewForm;
use crate::components::reviews::review_import::ReviewImport;
use crate::load::load;
use crate::{repo, time};

/// The home page: every review this browser knows, and the form that starts a new one.
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let mode = crate::settings::mode();
    let reviews = load(move || {
        let mode = mode.get();
        async move { repo::list_reviews(&mode).await }
    });
    crate::title::page_title(|| "Reviews".into());
    view! {
        <h1>"Reviews"</h1>
        <div class="two-columns">
            <section aria-labelledby="list-heading">
                <h2 id="list-heading">"Your reviews"</h2>
                {reviews.view("Loading reviews…", None, |list| {
                    view! { <ReviewList reviews=list/> }.into_any()
                })}
            </section>
            <div class="side-column">
                <NewReviewForm/>
                <ReviewImport/>
            </div>
        </div>
    }
}

/// Who this browser is in a review: the facilitator, or which participant, on a server; on its
/// own, everyone in it acts on this device.
fn your_role(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Facilitator) => " · You facilitate it",
        Some(Role::Participant(_)) => " · You take part",
        None => " · On this device",
    }
}

#[component]
fn ReviewList(reviews: Vec<(ReviewListing, Option<Role>)>) -> impl IntoView {
    if reviews.is_empty() {
        return view! {
            <p class="empty">"No reviews yet. Start one with the form."</p>
        }
        .into_any();
    }
    view! {
        <ul class="review-list" data-testid="review-list">
            {reviews
                .into_iter()
                .map(|(r, role)| {
                    let f = r.facts;
                    view! {
                        <li class="card review-item">
                            <a href=format!("/reviews/{}", r.id)>{f.title}</a>
                            <p class="meta">
                                <span class=format!("severity {}", f.severity.key())>
                                    {f.severity.label()}
                                </span>
                                " · " {f.team} " · started "
                                <time datetime=f.started_at.to_rfc3339()>
                                    {time::display_zoned(f.started_at)}
                                </time>
                            </p>
                            <p class="meta">
                                <span class="review-phase">{r.phase.label()}</span>
                                {your_role(role)}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
