use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use mosaic_domain::feed::FeedFinding;

use crate::components::feed::finding_card::FindingCard;
use crate::load::load;
use crate::repo::{self, RepoError};
use crate::settings::{self, SyncMode};

/// One published finding, in full: summary, key insights, factors, surprises, knowledge gaps,
/// and the actions as they stand now. From the server's feed in server mode (with this
/// browser's token for the review, if it has one, so the review's own members also see the
/// sections kept to the team); from this browser's reviews otherwise.
#[component]
pub fn FindingPage() -> impl IntoView {
    let mode = settings::mode();
    let params = use_params_map();
    let loaded = load(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let mode = mode.get();
        async move { find(&mode, &id).await }
    });
    let server = Memo::new(move |_| mode.with(|m| m.server_url().is_some()));
    crate::title::page_title(move || {
        let title = loaded.with(|found| match found {
            Some(Ok(Some(found))) => Some(found.finding.title.clone()),
            Some(Ok(None)) => Some("Finding not found".to_owned()),
            _ => None,
        });
        title.unwrap_or_else(|| "Finding".to_owned())
    });
    view! {
        <p class="back-link"><a href="/feed">"← Findings feed"</a></p>
        {loaded.view("Loading the finding…", Some("This finding could not be opened"), move |found| {
            match found {
                Some(FeedFinding { finding, team_only_hidden }) => view! {
                    {team_only_hidden.then(|| view! {
                        <p class="team-only-note" data-testid="team-only-hidden">
                            "Some sections are shared with the team only."
                        </p>
                    })}
                    <FindingCard finding level=1 link_tags=server.get_untracked()/>
                    {server.get_untracked().then(|| view! { <RelatedFindings/> })}
                }
                .into_any(),
                None => view! {
                    <h1>"Finding not found"</h1>
                    <p>"No published finding has this address. Its review may not be "
                       "published yet, or may have been reopened to amend it."</p>
                }
                .into_any(),
            }
        })}
    }
}

/// The finding of review `id`: from the server in server mode, else from this browser.
async fn find(mode: &SyncMode, id: &str) -> Result<Option<FeedFinding>, RepoError> {
    let Some(api) = mode.api() else {
        let local = repo::local_findings().await?;
        return Ok(local
            .into_iter()
            .find(|f| f.review_id.as_str() == id)
            .map(|finding| FeedFinding {
                finding,
                team_only_hidden: false,
            }));
    };
    // A member's token shows the team-only sections too. Not finding one (or failing to read
    // it) only means reading as everyone else does.
    let api = match repo::credential(id).await.ok().flatten() {
        Some(credential) => api.with_token(&credential.token),
        None => api,
    };
    api.feed_finding(id).await.map_err(RepoError::Api)
}

/// Other published findings that share a service or a tag with this one, newest first, as
/// the organisation reads them; nothing when there are none or the server cannot say.
#[component]
fn RelatedFindings() -> impl IntoView {
    let mode = settings::mode();
    let params = use_params_map();
    let related = load(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let api = mode.with(crate::settings::SyncMode::api);
        async move {
            match api {
                Some(api) => api
                    .related(&id)
                    .await
                    .map(|p| p.entries)
                    .unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    view! {
        {move || related.get().filter(|entries| !entries.is_empty()).map(|entries| view! {
            <section class="card related-findings" aria-labelledby="related-heading">
                <h2 id="related-heading">"Related findings"</h2>
                <ul data-testid="related-findings">
                    {entries.into_iter().map(|e| view! {
                        <li>
                            <a href=format!("/feed/{}", e.review_id)>{e.title.clone()}</a>
                            <span class="meta-inline">
                                {format!(" — {} · {} · {}", e.team, e.services.join(", "),
                                    crate::time::display(e.published_at))}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
