use chrono::Local;
use leptos::prelude::*;
use mosaic_domain::Finding;
use mosaic_domain::feed::{Audience, FeedQuery, Section};
use mosaic_domain::finding::{FindingAction, FindingFactor, FindingMoment, FindingTheme};
use mosaic_domain::markdown;

use crate::components::feed::status_history::StatusHistory;
use crate::components::shared::tracker_link::TrackerLink;
use crate::{api, time};

/// A published finding, as anyone beyond the review may read it: title, team, severity, tags,
/// summary, key insights, themes, factors, surprises, knowledge gaps and actions with their
/// status.
/// People appear as the finding names them: by role, unless they opted in to their name.
///
/// The summary and key insights are Markdown, rendered by [`markdown::to_html`], which keeps no
/// raw HTML and no script links; everything else is shown as text. A section kept to the
/// review's team is marked "Team only" wherever it is shown.
#[component]
pub fn FindingCard(
    /// The finding to show; a signal so a preview follows every edit.
    #[prop(into)]
    finding: Signal<Finding>,
    /// The heading level of the finding's title (1 on the finding's own page, 2 on a page of
    /// findings, 3 inside a section); its sections use the next level.
    #[prop(optional)]
    level: Option<u8>,
    /// Marks the card as a preview of what would be published, not the published finding.
    #[prop(optional)]
    preview: bool,
    /// Makes each tag a link to the feed filtered by it (on a server's feed).
    #[prop(optional)]
    link_tags: bool,
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
                let team_only = |s: Section| f.audience.get(s) == Audience::Team;
                view! {
                    {heading(level, f.title.clone(), Some(title_id()), false)}
                    <p class="meta">
                        <span class=format!("severity {}", f.severity.key())>{f.severity.label()}</span>
                        " · " {f.team.clone()}
                        {(!f.services.is_empty()).then(|| format!(" · {}", f.services.join(", ")))}
                        " · " {published}
                    </p>
                    {f.timings().map(|t| view! { <p class="timings" data-testid="timings">{t}</p> })}
                    {(!f.tags.is_empty()).then(|| tag_list(&f.tags, link_tags))}
                    {section(sub, Section::Summary, team_only(Section::Summary), (!f.summary.is_empty()).then(|| {
                        view! {
                            <div class="finding-summary markdown" inner_html=markdown::to_html(&f.summary)></div>
                        }.into_any()
                    }))}
                    {f.impact_line().map(|impact| view! {
                        <p class="impact" data-testid="impact">
                            <strong>"Customer impact: "</strong>{impact}
                        </p>
                    })}
                    {section(sub, Section::Unfolded, team_only(Section::Unfolded), (!f.unfolded.is_empty()).then(|| moment_list(&f.unfolded)))}
                    {section(sub, Section::KeyInsights, team_only(Section::KeyInsights), (!f.key_insights.is_empty()).then(|| {
                        view! {
                            <ul class="markdown">
                                {f.key_insights
                                    .iter()
                                    .map(|k| view! { <li inner_html=markdown::to_html(k)></li> })
                                    .collect_view()}
                            </ul>
                        }.into_any()
                    }))}
                    {(!f.themes.is_empty()).then(|| view! {
                        <section class="finding-section finding-themes" data-testid="finding-themes">
                            {heading(sub, "Themes".to_owned(), None, false)}
                            {theme_list(&f.themes, |s| f.audience.get(s) == Audience::Team)}
                        </section>
                    })}
                    {section(sub, Section::Factors, team_only(Section::Factors), (!f.factors.is_empty()).then(|| {
                        f.factors
                            .iter()
                            .map(|g| view! {
                                <p class="factor-kind">{g.kind.label()}</p>
                                {factor_list(&g.factors)}
                            })
                            .collect_view()
                            .into_any()
                    }))}
                    {section(sub, Section::Surprises, team_only(Section::Surprises), (!f.surprises.is_empty()).then(|| factor_list(&f.surprises)))}
                    {section(sub, Section::KnowledgeGaps, team_only(Section::KnowledgeGaps), (!f.knowledge_gaps.is_empty()).then(|| factor_list(&f.knowledge_gaps)))}
                    {section(sub, Section::Helped, team_only(Section::Helped), (!f.helped.is_empty()).then(|| factor_list(&f.helped)))}
                    {section(sub, Section::Lucky, team_only(Section::Lucky), (!f.lucky.is_empty()).then(|| factor_list(&f.lucky)))}
                    {section(sub, Section::Actions, team_only(Section::Actions), (!f.actions.is_empty()).then(|| action_list(&f.actions)))}
                }
            }}
        </article>
    }
}

/// A heading of the given level (1 to 6), marked "Team only" when `team_only`.
fn heading(level: u8, text: String, id: Option<String>, team_only: bool) -> AnyView {
    let mark = team_only.then(|| view! { <span class="badge team-only">"Team only"</span> });
    match level {
        0 | 1 => view! { <h1 id=id>{text}{mark}</h1> }.into_any(),
        2 => view! { <h2 id=id>{text}{mark}</h2> }.into_any(),
        3 => view! { <h3 id=id>{text}{mark}</h3> }.into_any(),
        4 => view! { <h4 id=id>{text}{mark}</h4> }.into_any(),
        5 => view! { <h5 id=id>{text}{mark}</h5> }.into_any(),
        _ => view! { <h6 id=id>{text}{mark}</h6> }.into_any(),
    }
}

/// A titled part of the finding; left out when it has nothing to show.
fn section(level: u8, s: Section, team_only: bool, body: Option<AnyView>) -> Option<AnyView> {
    // One name everywhere: the publish form's audience choice uses the same label.
    let title = s.label();
    body.map(|body| {
        view! {
            <section class="finding-section">
                {heading(level, title.to_owned(), None, team_only)}
                {body}
            </section>
        }
        .into_any()
    })
}

/// The finding's tags, each a link to the feed filtered by it when `links`.
fn tag_list(tags: &[String], links: bool) -> AnyView {
    view! {
        <div class="tags">
            <span class="tags-label">"Tags:"</span>
            <ul class="tag-list">
                {tags
                    .iter()
                    .map(|t| {
                        let tag = t.clone();
                        if links {
                            let query = FeedQuery {
                                tag: Some(tag.clone()),
                                ..FeedQuery::default()
                            };
                            let href = format!("/feed{}", api::feed_query_suffix(&query));
                            view! { <li><a class="tag" href=href>{tag}</a></li> }.into_any()
                        } else {
                            view! { <li><span class="tag">{tag}</span></li> }.into_any()
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
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

/// The themes, each with its count and its factors; a factor whose section is kept to the team
/// says so, as a theme has no audience of its own.
fn theme_list(themes: &[FindingTheme], team_only: impl Fn(Section) -> bool) -> AnyView {
    themes
        .iter()
        .map(|t| {
            view! {
                <p class="factor-kind">{t.name.clone()}
                    <span class="meta-inline">{format!(" — {}", votes(t.votes))}</span>
                </p>
                <ul class="finding-factors">
                    {t.factors
                        .iter()
                        .map(|f| {
                            let mark = team_only(Section::of_kind(f.kind)).then(|| view! {
                                " " <span class="badge team-only">"Team only"</span>
                            });
                            view! {
                                <li>
                                    {f.factor.text.clone()}
                                    <span class="meta-inline">
                                        {format!(" — {}, noted by {}", f.kind.label(), f.factor.noted_by)}
                                    </span>
                                    {mark}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
        .collect_view()
        .into_any()
}

/// "How it unfolded": each marked moment with its time, kind, words and reporters.
fn moment_list(moments: &[FindingMoment]) -> AnyView {
    view! {
        <ol class="finding-moments">
            {moments
                .iter()
                .map(|m| view! {
                    <li>
                        <time datetime=m.at.to_rfc3339()>{time::display(m.at)}</time>
                        " " <span class="moment-kind">{m.kind.label()}</span> " "
                        {m.what.clone()}
                        <span class="meta-inline">
                            {format!(" — reported by {}", m.reported_by.join(", "))}
                        </span>
                    </li>
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

fn votes(n: u32) -> String {
    format!("{n} vote{}", if n == 1 { "" } else { "s" })
}

fn action_list(actions: &[FindingAction]) -> AnyView {
    let today = Local::now().date_naive();
    let improve = mosaic_domain::improve::of_actions(actions, today);
    let done = actions
        .iter()
        .filter(|a| a.status == mosaic_domain::ActionStatus::Done)
        .count();
    let mut sentence = format!("{done} of {} actions done", actions.len());
    if let Some(days) = improve.median_days {
        sentence.push_str(&format!(", in a median of {days} days from being added"));
    }
    sentence.push('.');
    if improve.open_by_age.oldest + improve.open_by_age.older > 0 {
        sentence.push_str(&format!(
            " {} open for more than 30 days.",
            improve.open_by_age.oldest + improve.open_by_age.older
        ));
    }
    view! {
        <p class="meta time-to-improve" data-testid="time-to-improve">"Time to improve: " {sentence}</p>
        <ul class="finding-actions">
            {actions
                .iter()
                .map(|a| {
                    let overdue = a.status.is_active() && a.due.is_some_and(|d| d < today);
                    let mut details = vec![a.kind.label().to_owned()];
                    details.push(a.owner.clone().unwrap_or_else(|| "no owner yet".into()));
                    if !a.assignee.is_empty() {
                        details.push(format!("owned by {}", a.assignee));
                    }
                    if let Some(due) = a.due {
                        details.push(format!("due {due}"));
                    }
                    let tracker = a.tracker_url.clone().map(|url| view! { " " <TrackerLink url/> });
                    let history = a.history.clone();
                    view! {
                        <li class:overdue=overdue>
                            <span class="priority">{a.priority.label()}</span>
                            " " {a.title.clone()} " "
                            // Spaces between the parts: read aloud or copied, they stay words.
                            <span class=format!("status {}", a.status.key())>{a.status.label()}</span>
                            {overdue.then(|| view! { " " <span class="overdue-flag">"Overdue"</span> })}
                            <span class="meta-inline">{format!(" — {}", details.join(", "))}</span>
                            {tracker}
                            <StatusHistory history/>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
