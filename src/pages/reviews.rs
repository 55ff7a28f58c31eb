use leptos::prelude::*;
use mosaic_domain::Review;

use crate::components::new_review_form::NewReviewForm;
use crate::components::review_import::ReviewImport;
use crate::settings::Settings;
use crate::{repo, time};

/// The home page: every review this browser knows, and the form that starts a new one.
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let mode = expect_context::<Settings>().0;
    let reviews = LocalResource::new(move || {
        let mode = mode.get();
        async move { repo::list_reviews(&mode).await }
    });
    crate::title::page_title(|| "Reviews".into());
    view! {
        <h1>"Reviews"</h1>
        <div class="two-columns">
            <section aria-labelledby="list-heading">
                <h2 id="list-heading">"Your reviews"</h2>
                <Transition fallback=|| view! { <p>"Loading reviews…"</p> }>
                    <ErrorBoundary fallback=|errors| view! {
                        <p class="form-error" role="alert">
                            {move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}
                        </p>
                    }>
                        {move || Suspend::new(async move {
                            reviews.await.map(|list| view! { <ReviewList reviews=list/> })
                        })}
                    </ErrorBoundary>
                </Transition>
            </section>
            <div class="side-column">
                <NewReviewForm/>
                <ReviewImport/>
            </div>
        </div>
    }
}

#[component]
fn ReviewList(reviews: Vec<Review>) -> impl IntoView {
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
                .map(|r| {
                    let f = &r.facts;
                    view! {
                        <li class="card review-item">
                            <a href=format!("/reviews/{}", r.id)>{f.title().to_owned()}</a>
                            <p class="meta">
                                <span class=format!("severity {}", f.severity().key())>
                                    {f.severity().label()}
                                </span>
                                " · " {f.team().to_owned()} " · started "
                                <time datetime=f.started_at().to_rfc3339()>
                                    {time::display(f.started_at())}
                                </time>
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
