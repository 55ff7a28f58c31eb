use leptos::prelude::*;

use crate::components::finding_card::FindingCard;
use crate::repo;

/// The findings feed: what this browser's reviews have published, newest first, for other
/// teams to learn from. People appear by role unless they opted in to their name.
#[component]
pub fn FeedPage() -> impl IntoView {
    let findings = LocalResource::new(|| async { repo::local_findings().await });
    view! {
        <h1>"Findings feed"</h1>
        <Transition fallback=|| view! { <p>"Loading findings…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <p class="form-error" role="alert">
                    {move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}
                </p>
            }>
                {move || Suspend::new(async move {
                    findings.await.map(|list| {
                        if list.is_empty() {
                            view! {
                                <p class="empty">
                                    "No findings have been published yet. When a review is published, "
                                    "its findings appear here for other teams to read."
                                </p>
                            }
                            .into_any()
                        } else {
                            view! {
                                <ul class="feed" data-testid="feed">
                                    <For
                                        each=move || list.clone()
                                        key=|f| f.review_id.clone()
                                        children=|f| view! { <li><FindingCard finding=f/></li> }
                                    />
                                </ul>
                            }
                            .into_any()
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
