use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use mosaic_domain::Review;

use crate::settings::Settings;
use crate::{repo, time};

/// One review.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let mode = expect_context::<Settings>().0;
    let params = use_params_map();
    let review = LocalResource::new(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let mode = mode.get();
        async move { repo::get_review(&mode, &id).await }
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
                    review.await.map(|found| match found {
                        Some(r) => view! { <ReviewFacts review=r/> }.into_any(),
                        None => view! {
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
fn ReviewFacts(review: Review) -> impl IntoView {
    let f = review.facts;
    let services = if f.services().is_empty() {
        "none named".to_owned()
    } else {
        f.services().join(", ")
    };
    view! {
        <h1>{f.title().to_owned()}</h1>
        <dl class="card facts">
            <dt>"Severity"</dt>
            <dd><span class=format!("severity {}", f.severity().key())>{f.severity().label()}</span></dd>
            <dt>"Team"</dt>
            <dd>{f.team().to_owned()}</dd>
            <dt>"Services"</dt>
            <dd>{services}</dd>
            <dt>"Incident started"</dt>
            <dd><time datetime=f.started_at().to_rfc3339()>{time::display(f.started_at())}</time></dd>
        </dl>
    }
}
