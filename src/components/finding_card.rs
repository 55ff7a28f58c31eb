use chrono::Local;
use leptos::prelude::*;
use mosaic_domain::Finding;
use mosaic_domain::finding::{FindingAction, FindingFactor};

use crate::time;

/// A published finding, as anyone beyond the review may read it: title, team, severity,
/// summary, key insights, factors, surprises, knowledge gaps and actions with their status.
/// People appear as the finding names them: by role, unless they opted in to their name.
#[component]
pub fn FindingCard(
    /// The finding to show; a signal so a preview follows every edit.
    #[prop(into)]
    finding: Signal<Finding>,
    /// The heading level of the finding's title (2 on a page of findings, 3 inside a section);
    /// its sections use the next level.
    #[prop(optional)]
    level: Option<u8>,
    /// Marks the card as a preview of what would be published, not the published finding.
    #[prop(optional)]
    preview: bool,
) -> impl IntoView {
    let level = level.unwrap_or(2);
    let title_id = move || format!("finding-{}", finding.with(|f| f.review_id.to_string()));
    view! {
        <article class="card finding-card" aria-labelledby=title_id data-testid="finding">
            {move || {
                let f = finding.get();
                let sub = level + 1;
                let published = if preview {
                    "Preview: not published yet".to_owned()
                } else {
                    format!("published {}", time::display(f.published_at))
                };
                view! {
                    {heading(level, f.title.clone(), Some(title_id()))}
                    <p class="meta">
                        <span class=format!("severity {}", f.severity.key())>{f.severity.label()}</span>
                        " · " {f.team.clone()}
                        {(!f.services.is_empty()).then(|| format!(" · {}", f.services.join(", ")))}
                        " · " {published}
                    </p>
                    {section(sub, "Summary", (!f.summary.is_empty()).then(|| {
                        view! { <p class="finding-summary">{f.summary.clone()}</p> }.into_any()
                    }))}
                    {section(sub, "Key insights", (!f.key_insights.is_empty()).then(|| {
                        view! {
                            <ul>
                                {f.key_insights.iter().map(|k| view! { <li>{k.clone()}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }))}
                    {section(sub, "Contributing factors", (!f.factors.is_empty()).then(|| {
                        f.factors
                            .iter()
                            .map(|g| view! {
                                <p class="factor-kind">{g.kind.label()}</p>
                                {factor_list(&g.factors)}
                            })
                            .collect_view()
                            .into_any()
                    }))}
                    {section(sub, "Surprises", (!f.surprises.is_empty()).then(|| factor_list(&f.surprises)))}
                    {section(sub, "Knowledge gaps", (!f.knowledge_gaps.is_empty()).then(|| factor_list(&f.knowledge_gaps)))}
                    {section(sub, "Actions", (!f.actions.is_empty()).then(|| action_list(&f.actions)))}
                }
            }}
        </article>
    }
}

/// A heading of the given level (2 to 6).
fn heading(level: u8, text: String, id: Option<String>) -> AnyView {
    match level {
        0..=2 => view! { <h2 id=id>{text}</h2> }.into_any(),
        3 => view! { <h3 id=id>{text}</h3> }.into_any(),
        4 => view! { <h4 id=id>{text}</h4> }.into_any(),
        5 => view! { <h5 id=id>{text}</h5> }.into_any(),
        _ => view! { <h6 id=id>{text}</h6> }.into_any(),
    }
}

/// A titled part of the finding; left out when it has nothing to show.
fn section(level: u8, title: &'static str, body: Option<AnyView>) -> Option<AnyView> {
    body.map(|body| {
        view! {
            <section class="finding-section">
                {heading(level, title.to_owned(), None)}
                {body}
            </section>
        }
        .into_any()
    })
}

fn factor_list(factors: &[FindingFactor]) -> AnyView {
    view! {
        <ul class="finding-factors">
            {factors
                .iter()
                .map(|f| view! {
                    <li>
                        {f.text.clone()}
                        <span class="meta-inline">
                            {format!(" — noted by {}; {}", f.noted_by, votes(f.votes))}
                        </span>
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn votes(n: u32) -> String {
    format!("{n} vote{}", if n == 1 { "" } else { "s" })
}

fn action_list(actions: &[FindingAction]) -> AnyView {
    let today = Local::now().date_naive();
    view! {
        <ul class="finding-actions">
            {actions
                .iter()
                .map(|a| {
                    let overdue = a.status.is_active() && a.due.is_some_and(|d| d < today);
                    let mut details = vec![a.kind.label().to_owned()];
                    details.push(a.owner.clone().unwrap_or_else(|| "no owner yet".into()));
                    if let Some(due) = a.due {
                        details.push(format!("due {due}"));
                    }
                    view! {
                        <li class:overdue=overdue>
                            <span class="priority">{a.priority.label()}</span>
                            " " {a.title.clone()}
                            <span class=format!("status {}", a.status.key())>{a.status.label()}</span>
                            {overdue.then(|| view! { <span class="overdue-flag">"Overdue"</span> })}
                            <span class="meta-inline">{format!(" — {}", details.join(", "))}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
