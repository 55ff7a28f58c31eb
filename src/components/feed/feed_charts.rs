//! Learning across reviews: charts of the findings that match the feed's filters. Each chart is
//! drawn with plain SVG or HTML and comes with its numbers as text (a table, or a list), so
//! nothing is said by a picture or a colour alone.

use leptos::prelude::*;
use mosaic_domain::FactorKind;
use mosaic_domain::feed::{FeedQuery, FeedStats, Recurring};
use mosaic_domain::finding::duration_words;

use crate::api;

/// Charts of [`FeedStats`]: findings by kind of factor per month (a stacked bar chart), the
/// tags and the factors that recur, and how the actions stand.
#[component]
pub fn FeedCharts(
    /// The statistics of the findings that match `filters`.
    stats: FeedStats,
    /// The feed's filters, so a recurring tag or factor links to the feed narrowed by it.
    filters: FeedQuery,
) -> impl IntoView {
    let findings = stats.findings;
    view! {
            <section class="card feed-charts" aria-labelledby="learning-heading">
                <h2 id="learning-heading">"Learning across reviews"</h2>
                <p class="hint">
    {charts_source(findings, filters.narrows())}
                </p>
                <KindsChart stats=stats.clone()/>
                {recurring_list(
                    "recurring-tags",
                    "Recurring tags",
                    "No tag is on more than one of these findings yet.",
                    &stats.recurring_tags,
                    |term| FeedQuery { tag: Some(term.to_owned()), ..filters.clone() },
                )}
                {recurring_list(
                    "recurring-factors",
                    "Recurring factors",
                    "No factor is noted in more than one of these findings yet.",
                    &stats.recurring_factors,
                    |term| FeedQuery { q: Some(term.to_owned()), ..filters.clone() },
                )}
                <ImproveChart stats=stats.clone()/>
                <TimingsChart stats=stats.clone()/>
                <ActionCompletion stats/>
            </section>
        }
}

/// What the charts are drawn from: `findings` that match the search and filters, which
/// `narrowed` says there are.
fn charts_source(findings: u64, narrowed: bool) -> String {
    match (findings, narrowed) {
        (0, false) => "Nothing to chart until findings are published.".to_owned(),
        (0, true) => "No finding matches the search and filters: nothing to chart.".to_owned(),
        (1, _) => "From the one finding that matches the search and filters.".to_owned(),
        (n, _) => format!("From the {n} findings that match the search and filters."),
    }
}

/// `part` of `whole` scaled to `scale`, rounded to the nearest whole number (0 when `whole` is).
///
/// The charts draw with whole numbers and tenths, never floats: formatting a float would bring
/// the float formatter (about 10 KB of the feed's download) for the width of a bar.
fn share(part: u32, whole: u32, scale: u32) -> u32 {
    if whole == 0 {
        return 0;
    }
    let (part, whole) = (u64::from(part.min(whole)), u64::from(whole));
    ((part * u64::from(scale) + whole / 2) / whole) as u32
}

/// A number of tenths written as a decimal: 375 is `"37.5"`.
fn tenths(n: u32) -> String {
    format!("{}.{}", n / 10, n % 10)
}

/// `part` of `whole` as a CSS width to a tenth of a percent: `"37.5%"`.
fn percent(part: u32, whole: u32) -> String {
    format!("{}%", tenths(share(part, whole, 1000)))
}

/// Minutes as a bar's measure: none below zero, and at most what a `u32` holds.
fn minutes_u32(minutes: i64) -> u32 {
    u32::try_from(minutes.max(0)).unwrap_or(u32::MAX)
}

/// One month's counts, one per kind in [`FactorKind::ALL`] order.
#[derive(Clone, Debug, PartialEq, Eq)]
struct MonthCounts {
    month: String,
    counts: [u32; FactorKind::ALL.len()],
}

impl MonthCounts {
    fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
}

/// The statistics' counts gathered by month, oldest first, every month once.
fn by_month(stats: &FeedStats) -> Vec<MonthCounts> {
    let mut months: Vec<MonthCounts> = Vec::new();
    for k in &stats.kinds_by_month {
        let slot = match months.iter().position(|m| m.month == k.month) {
            Some(i) => i,
            None => {
                months.push(MonthCounts {
                    month: k.month.clone(),
                    counts: [0; FactorKind::ALL.len()],
                });
                months.len() - 1
            }
        };
        let kind = FactorKind::ALL
            .iter()
            .position(|x| *x == k.kind)
            .unwrap_or(0);
        months[slot].counts[kind] += k.count;
    }
    months.sort_by(|a, b| a.month.cmp(&b.month));
    months
}

/// `"2026-11"` as a person reads it: `"Nov 2026"`.
fn month_label(month: &str) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match month.split_once('-') {
        Some((year, m)) => match m.parse::<usize>() {
            Ok(n @ 1..=12) => format!("{} {year}", NAMES[n - 1]),
            _ => month.to_owned(),
        },
        None => month.to_owned(),
    }
}

/// The chart's words for a screen reader: what it shows, and the totals per kind.
fn kinds_summary(months: &[MonthCounts]) -> String {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return "No factors to chart.".to_owned();
    };
    let totals: Vec<String> = FactorKind::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let n: u32 = months.iter().map(|m| m.counts[i]).sum();
            format!("{} {n}", k.label())
        })
        .collect();
    let span = if months.len() == 1 {
        month_label(&first.month)
    } else {
        format!(
            "{} months, {} to {}",
            months.len(),
            month_label(&first.month),
            month_label(&last.month)
        )
    };
    format!(
        "Stacked bar chart of findings by kind of factor per month, {span}. In all: {}. The \
         table that follows gives each month's numbers.",
        totals.join(", ")
    )
}

/// CSS class of a kind's colour, shared by the bars and the legend.
fn kind_class(kind: FactorKind) -> String {
    format!("kind-{}", kind.key().replace('_', "-"))
}

/// Findings by kind of factor per month: a stacked bar chart, its legend, and a table of the
/// same numbers for screen readers.
#[component]
fn KindsChart(stats: FeedStats) -> impl IntoView {
    let months = by_month(&stats);
    if months.is_empty() {
        return view! {
            <h3>"Factors by kind over time"</h3>
            <p class="empty">"No factors to chart yet."</p>
        }
        .into_any();
    }
    // Geometry in the SVG's own units; CSS scales it to the column.
    const LEFT: u32 = 30;
    const TOP: u32 = 10;
    const PLOT: u32 = 120;
    const BAR: u32 = 26;
    const GAP: u32 = 14;
    let max = months
        .iter()
        .map(MonthCounts::total)
        .max()
        .unwrap_or(1)
        .max(1);
    let width = (LEFT + months.len() as u32 * (BAR + GAP) + GAP).max(320);
    let height = TOP + PLOT + 40;
    // Where the stack reaches after `count` findings, in tenths of a unit from the top.
    let top_of = |count: u32| (TOP + PLOT) * 10 - share(count, max, PLOT * 10);
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = LEFT + GAP + i as u32 * (BAR + GAP);
            let mut below = 0;
            let segments = FactorKind::ALL
                .iter()
                .zip(m.counts)
                .filter(|(_, n)| *n > 0)
                .map(|(kind, n)| {
                    let (bottom, top) = (top_of(below), top_of(below + n));
                    below += n;
                    view! {
                        <rect class=kind_class(*kind) x=x y=tenths(top) width=BAR
                            height=tenths(bottom - top)>
                            <title>{format!("{}: {n} in {}", kind.label(), month_label(&m.month))}</title>
                        </rect>
                    }
                })
                .collect_view();
            let label = month_label(&m.month);
            let (name, year) = label.split_once(' ').unwrap_or((label.as_str(), ""));
            let show_year = i == 0 || name == "Jan";
            view! {
                <g>
                    {segments}
                    <text class="axis-label" x=x + BAR / 2 y=TOP + PLOT + 16 text-anchor="middle">
                        {name.to_owned()}
                    </text>
                    {show_year.then(|| view! {
                        <text class="axis-label" x=x + BAR / 2 y=TOP + PLOT + 32 text-anchor="middle">
                            {year.to_owned()}
                        </text>
                    })}
                </g>
            }
        })
        .collect_view();
    let summary = kinds_summary(&months);
    let rows = months
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{month_label(&m.month)}</th>
                    {m.counts.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                    <td>{m.total()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3 id="kinds-chart-heading">"Factors by kind over time"</h3>
        <figure class="kinds-chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=summary
                preserveAspectRatio="xMinYMin meet">
                <line class="axis" x1=LEFT y1=TOP + PLOT x2=width y2=TOP + PLOT/>
                <line class="gridline" x1=LEFT y1=TOP x2=width y2=TOP/>
                <text class="axis-label" x=LEFT - 6 y=TOP + 4 text-anchor="end">{max}</text>
                <text class="axis-label" x=LEFT - 6 y=TOP + PLOT + 4 text-anchor="end">"0"</text>
                {bars}
            </svg>
            <figcaption>
                <ul class="legend">
                    {FactorKind::ALL
                        .into_iter()
                        .map(|k| view! {
                            <li><span class=format!("swatch {}", kind_class(k)) aria-hidden="true"></span>{k.label()}</li>
                        })
                        .collect_view()}
                </ul>
                "Findings with each kind of factor, by month published."
            </figcaption>
        </figure>
        // Wrapped: a table's box is as wide as its content, whatever its own width says.
        <div class="visually-hidden">
        <table>
            <caption>"Findings by kind of factor per month"</caption>
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    {FactorKind::ALL.into_iter().map(|k| view! { <th scope="col">{k.label()}</th> }).collect_view()}
                    <th scope="col">"All kinds"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
    .into_any()
}

/// A list of recurring terms, each with a bar for its count and a link to the feed narrowed by
/// it. The count is in the text; the bar only repeats it for the eye.
fn recurring_list(
    id: &'static str,
    title: &'static str,
    empty: &'static str,
    items: &[Recurring],
    narrow: impl Fn(&str) -> FeedQuery,
) -> AnyView {
    let heading_id = format!("{id}-heading");
    if items.is_empty() {
        return view! {
            <h3 id=heading_id>{title}</h3>
            <p class="empty">{empty}</p>
        }
        .into_any();
    }
    let max = items.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    view! {
        <h3 id=heading_id.clone()>{title}</h3>
        <ol class="bar-list" aria-labelledby=heading_id>
            {items
                .iter()
                .map(|r| {
                    let href = format!("/feed{}", api::feed_query_suffix(&narrow(&r.term)));
                    view! {
                        <li>
                            <span class="bar-term"><a href=href>{r.term.clone()}</a></span>
                            <span class="bar-count">
                                {format!("{} finding{}", r.count, if r.count == 1 { "" } else { "s" })}
                            </span>
                            <span class="bar" aria-hidden="true">
                                <span class="bar-fill" style:width=percent(r.count, max)></span>
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

/// Time to improve: per month actions were done in, the median and 90th-percentile days from
/// an action's creation to done (a table, with bars), the share done within 30 days, and the
/// open actions by age.
#[component]
fn ImproveChart(stats: FeedStats) -> impl IntoView {
    let t = stats.time_to_improve;
    if t.is_empty() {
        return view! {
            <h3>"Time to improve"</h3>
            <p class="empty">"No action has been done or is open yet."</p>
        }
        .into_any();
    }
    let longest = t
        .by_month
        .iter()
        .map(|m| m.p90_days)
        .max()
        .unwrap_or(0)
        .max(1);
    let bar = move |days: u32| percent(days, longest);
    let fast = t.fast_percent().map(|p| {
        format!(
            "{p}% of the {} done actions were done within {} days of being added.",
            t.done,
            mosaic_domain::improve::FAST_DAYS
        )
    });
    let untimed = untimed_words(t.done_untimed);
    let age = t.open_by_age;
    view! {
        <h3 id="improve-heading">"Time to improve"</h3>
        {fast.map(|f| view! { <p data-testid="improve-fast">{f}</p> })}
        {untimed.map(|u| view! { <p data-testid="improve-untimed">{u}</p> })}
        {(!t.by_month.is_empty()).then(|| view! {
            <table class="improve-table" aria-labelledby="improve-heading" data-testid="improve-table">
                <thead>
                    <tr>
                        <th scope="col">"Month done"</th>
                        <th scope="col">"Actions"</th>
                        <th scope="col">"Median days"</th>
                        <th scope="col">"90th percentile days"</th>
                    </tr>
                </thead>
                <tbody>
                    {t.by_month.iter().map(|m| view! {
                        <tr>
                            <th scope="row">{m.month.clone()}</th>
                            <td>{m.actions}</td>
                            <td>
                                {m.median_days}
                                <span class="improve-bar median" aria-hidden="true" style:width=bar(m.median_days)></span>
                            </td>
                            <td>
                                {m.p90_days}
                                <span class="improve-bar p90" aria-hidden="true" style:width=bar(m.p90_days)></span>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <ul class="completion-legend" data-testid="open-by-age">
            <li>{format!("{} open for up to 30 days", age.recent)}</li>
            <li>{format!("{} open for 31 to 90 days", age.older)}</li>
            <li>{format!("{} open for more than 90 days", age.oldest)}</li>
            {(age.unknown > 0).then(|| view! { <li>{format!("{} open since before this was counted", age.unknown)}</li> })}
        </ul>
    }
    .into_any()
}

/// What is said of `n` done actions whose time to improve is not known; `None` when there are
/// none.
fn untimed_words(n: u32) -> Option<String> {
    match n {
        0 => None,
        1 => Some(
            "1 done action does not say when it was added or done, so how long it took is not \
             counted."
                .to_owned(),
        ),
        n => Some(format!(
            "{n} done actions do not say when they were added or done, so how long they took is \
             not counted."
        )),
    }
}

/// The median time to detect and to resolve per month, as a table with a bar beside each
/// figure (the bars repeat the numbers, so they are hidden from assistive technology).
#[component]
fn TimingsChart(stats: FeedStats) -> impl IntoView {
    let months = stats.timings_by_month;
    if months.is_empty() {
        return view! {
            <h3>"Time to detect and resolve"</h3>
            <p class="empty">"No finding has detection or resolution times yet."</p>
        }
        .into_any();
    }
    let longest = months
        .iter()
        .flat_map(|m| [m.median_detect_minutes, m.median_resolve_minutes])
        .flatten()
        .max()
        .unwrap_or(1)
        .max(1);
    let cell = move |minutes: Option<i64>, class: &'static str| match minutes {
        Some(m) => view! {
            <td>
                {duration_words(m)}
                <span class="bar" aria-hidden="true">
                    <span class=format!("bar-fill {class}")
                        style:width=percent(minutes_u32(m), minutes_u32(longest))></span>
                </span>
            </td>
        }
        .into_any(),
        None => view! { <td>"—"</td> }.into_any(),
    };
    view! {
        <h3 id="timings-heading">"Time to detect and resolve"</h3>
        <table class="timings-table" aria-labelledby="timings-heading" data-testid="timings">
            <caption class="hint">
                "Median per month of publishing, over the findings whose facts have the times."
            </caption>
            <thead>
                <tr>
                    <th scope="col">"Month"</th>
                    <th scope="col">"Time to detect"</th>
                    <th scope="col">"Time to resolve"</th>
                    <th scope="col">"Findings"</th>
                </tr>
            </thead>
            <tbody>
                {months
                    .into_iter()
                    .map(|m| view! {
                        <tr>
                            <th scope="row">{month_label(&m.month)}</th>
                            {cell(m.median_detect_minutes, "detect")}
                            {cell(m.median_resolve_minutes, "resolve")}
                            <td>{m.findings}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// How the actions of these findings stand: a bar of done, open and overdue, with the numbers
/// in words beside it.
#[component]
fn ActionCompletion(stats: FeedStats) -> impl IntoView {
    let a = stats.actions;
    let total = a.done + a.open + a.overdue;
    if total == 0 {
        return view! {
            <h3>"Action completion"</h3>
            <p class="empty">"No actions to count yet."</p>
        }
        .into_any();
    }
    let pct = |n: u32| percent(n, total);
    view! {
        <h3>"Action completion"</h3>
        <div class="completion-bar" aria-hidden="true">
            <span class="done" style:width=pct(a.done)></span>
            <span class="open" style:width=pct(a.open)></span>
            <span class="overdue" style:width=pct(a.overdue)></span>
        </div>
        <ul class="completion-legend" data-testid="action-completion">
            <li><span class="swatch done" aria-hidden="true"></span>{format!("{} done ({}%)", a.done, share(a.done, total, 100))}</li>
            <li><span class="swatch open" aria-hidden="true"></span>{format!("{} open", a.open)}</li>
            <li><span class="swatch overdue" aria-hidden="true"></span>{format!("{} overdue", a.overdue)}</li>
        </ul>
        <p class="hint">"Won't-do actions are not counted."</p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mosaic_domain::feed::{ActionCounts, KindInMonth};

    #[test]
    fn the_charts_say_what_they_are_drawn_from() {
        assert_eq!(
            charts_source(0, false),
            "Nothing to chart until findings are published."
        );
        assert_eq!(
            charts_source(0, true),
            "No finding matches the search and filters: nothing to chart."
        );
        assert_eq!(
            charts_source(1, true),
            "From the one finding that matches the search and filters."
        );
        assert_eq!(
            charts_source(21, false),
            "From the 21 findings that match the search and filters."
        );
    }

    fn stats(kinds: &[(&str, FactorKind, u32)]) -> FeedStats {
        FeedStats {
            findings: 3,
            kinds_by_month: kinds
                .iter()
                .map(|(month, kind, count)| KindInMonth {
                    month: (*month).to_owned(),
                    kind: *kind,
                    count: *count,
                })
                .collect(),
            recurring_tags: Vec::new(),
            recurring_factors: Vec::new(),
            actions: ActionCounts::default(),
            time_to_improve: Default::default(),
            timings_by_month: Vec::new(),
        }
    }

    #[test]
    fn counts_gather_by_month_in_order() {
        let s = stats(&[
            ("2026-12", FactorKind::Human, 1),
            ("2026-11", FactorKind::Technical, 2),
            ("2026-11", FactorKind::KnowledgeGap, 1),
            ("2026-12", FactorKind::Human, 1),
        ]);
        let months = by_month(&s);
        assert_eq!(
            months,
            [
                MonthCounts {
                    month: "2026-11".into(),
                    counts: [2, 0, 0, 1, 0, 0, 0]
                },
                MonthCounts {
                    month: "2026-12".into(),
                    counts: [0, 2, 0, 0, 0, 0, 0]
                },
            ]
        );
        assert_eq!(
            kinds_summary(&months),
            "Stacked bar chart of findings by kind of factor per month, 2 months, Nov 2026 to \
             Dec 2026. In all: Technical 2, Human 2, Organisational 0, Knowledge gap 1, \
             Operational surprise 0, What helped 0, Where we were lucky 0. The table that \
             follows gives each month's numbers."
        );
        assert_eq!(kinds_summary(&[]), "No factors to chart.");
    }

    #[test]
    fn shares_are_drawn_in_whole_numbers_and_tenths() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(3, 3), "100.0%");
        assert_eq!(percent(0, 7), "0.0%");
        assert_eq!(percent(5, 0), "0.0%", "nothing to share");
        assert_eq!(percent(9, 4), "100.0%", "never past the whole");
        assert_eq!(share(1, 8, 100), 13, "halves round up");
        assert_eq!(share(u32::MAX, u32::MAX, 1200), 1200);
        assert_eq!(tenths(1305), "130.5");
        assert_eq!(tenths(7), "0.7");
        assert_eq!(minutes_u32(-5), 0);
        assert_eq!(minutes_u32(90), 90);
        assert_eq!(minutes_u32(i64::MAX), u32::MAX);
    }

    #[test]
    fn done_actions_without_times_are_said_to_be_done() {
        assert_eq!(untimed_words(0), None);
        assert_eq!(
            untimed_words(1).as_deref(),
            Some(
                "1 done action does not say when it was added or done, so how long it took is \
                 not counted."
            )
        );
        assert!(
            untimed_words(4)
                .unwrap()
                .starts_with("4 done actions do not say")
        );
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_label("2026-01"), "Jan 2026");
        assert_eq!(month_label("2026-12"), "Dec 2026");
        assert_eq!(month_label("2026-13"), "2026-13");
        assert_eq!(month_label("soon"), "soon");
    }
}
