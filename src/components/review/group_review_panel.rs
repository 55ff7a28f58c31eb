use std::collections::BTreeSet;

use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use chrono::{DateTime, Local, Timelike, Utc};
use leptos::html;
use leptos::prelude::*;
use mosaic_domain::ReviewOp;
use mosaic_domain::merge::{self, Divergence, EntryRef, LinkSuggestion, MergedRow, Report};
use mosaic_domain::reveal::RejectReason;
use mosaic_domain::timestamp;
use mosaic_domain::{MomentKind, ParticipantId, Phase, TimelineEntry};

use crate::components::review::answers_by_question::AnswersByQuestion;
use crate::components::review::words::person;
use crate::components::shared::list_window::{self, ListWindow};
use crate::workspace::{Actor, Workspace};
use wasm_bindgen::JsCast;

/// The group review of the revealed accounts: the merged timeline with every reporter kept,
/// link suggestions and manual linking (for the facilitator), and where the accounts diverge.
/// Accounts left out of the view are listed, never silently dropped.
#[component]
pub fn GroupReviewPanel() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    // Linking is the facilitator's decision, while the group works on the accounts.
    let can_link = Memo::new(move |_| {
        ws.actor.get() == Actor::Facilitator
            && matches!(
                ws.review.with(|r| r.phase()),
                Phase::Revealed | Phase::Actions
            )
    });
    view! {
        <LeftOut/>
        <MergedTimeline can_link/>
        <Show when=move || can_link.get()>
            <LinkSuggestions/>
        </Show>
        <Divergences/>
        <AnswersByQuestion/>
    }
}

/// Runs `f` on the revealed view of the open review; `None` before the reveal. Tracked.
fn with_view<T>(ws: &Workspace, f: impl FnOnce(&mosaic_domain::Revealed<'_>) -> T) -> Option<T> {
    ws.review
        .with(|r| ws.accounts.with(|a| r.revealed(a).ok().map(|v| f(&v))))
}

/// A report's time of day in the browser's zone, with seconds only when they matter.
fn clock(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    if local.second() == 0 {
        timestamp::hour_minute(&local)
    } else {
        timestamp::hour_minute_second(&local)
    }
}

fn minutes(seconds: i64) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min", (seconds + 30) / 60)
    }
}

/// Submitted accounts that are not part of the view, and why.
#[component]
fn LeftOut() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let left_out = Memo::new(move |_| {
        with_view(&ws, |v| {
            let review = v.review();
            let mut out: Vec<(String, String)> = v
                .rejected()
                .iter()
                .map(|r| {
                    let why = match r.reason {
                        RejectReason::NotAParticipant => "its author is not a participant",
                        RejectReason::NotRecorded => {
                            "it was submitted after the reveal, so it is not independent"
                        }
                        RejectReason::CommitmentMismatch => "it was changed after it was submitted",
                    };
                    (person(review, &r.participant_id), why.to_owned())
                })
                .collect();
            for pid in v.missing() {
                if !v.rejected().iter().any(|r| &r.participant_id == pid) {
                    out.push((
                        person(review, pid),
                        "it was submitted, but this browser does not hold it".to_owned(),
                    ));
                }
            }
            out
        })
        .unwrap_or_default()
    });
    view! {
        <Show when=move || left_out.with(|l| !l.is_empty())>
            <section class="card left-out" aria-labelledby="left-out-heading">
                <h2 id="left-out-heading">"Accounts not in this view"</h2>
                <ul>
                    {keyed_list(
                        move || left_out.get(),
                        |(who, _)| who.clone(),
                        |(who, why)| view! { <li><strong>{who}</strong>": " {why}</li> }.into_any(),
                    )}
                </ul>
            </section>
        </Show>
    }
}

fn row_key(row: &MergedRow) -> String {
    let refs: Vec<String> = row
        .reports
        .iter()
        .map(|r| format!("{}/{}", r.participant_id, r.entry.id))
        .collect();
    format!("{}:{}", row.linked, refs.join("+"))
}

/// Why the selected entries can't be linked, if they can't.
fn selection_problem(selected: &BTreeSet<EntryRef>) -> Option<&'static str> {
    let people: BTreeSet<&ParticipantId> = selected.iter().map(|e| &e.participant_id).collect();
    if selected.len() < 2 {
        Some("Select at least two entries, from different people, to link them.")
    } else if people.len() < selected.len() {
        Some("Select at most one entry per person: a link joins different people's reports.")
    } else {
        None
    }
}

/// Every revealed entry once, in time order; linked entries share one row that keeps each
/// reporter's own time and words.
#[component]
fn MergedTimeline(
    /// Whether the acting person may link and unlink entries.
    can_link: Memo<bool>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let rows = Memo::new(move |_| with_view(&ws, merge::merged_timeline).unwrap_or_default());
    // Only the rows near the screen are in the page: fifty accounts of two hundred entries make
    // ten thousand rows. The row the keyboard is in stays rendered wherever the page scrolls.
    let focused = RwSignal::new(None::<usize>);
    let list = NodeRef::<html::Ol>::new();
    let total = Signal::derive(move || rows.with(Vec::len));
    let window = ListWindow::new(list, total, focused.into(), ROW_PITCH_ESTIMATE);
    let shown = Memo::new(move |_| {
        let pitch = window.pitch.get();
        window
            .segments
            .with(|segments| rows.with(|r| list_window::shown(r, segments, pitch)))
    });
    // Each rendered row's key and place, worked out once per change for all of them.
    let places = Memo::new(move |_| {
        shown.with(|s| {
            s.iter()
                .map(|r| (row_key(&r.item), (r.index, r.gap_before)))
                .collect::<Vec<_>>()
        })
    });
    let on_focusin = move |ev: leptos::ev::FocusEvent| {
        window.focus_in(&ev);
        let index = row_index(ev.target());
        if index.is_some() && focused.get_untracked() != index {
            focused.set(index);
        }
    };
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        if window.keep_focus(&ev) {
            return;
        }
        if row_index(ev.related_target()).is_none() && focused.get_untracked().is_some() {
            focused.set(None);
        }
    };
    let selected = RwSignal::new(BTreeSet::<EntryRef>::new());
    let problem = move || selected.with(selection_problem);
    let link_selected = move |_| {
        let entries: Vec<EntryRef> = selected.get_untracked().into_iter().collect();
        if ws.apply(ReviewOp::Link { entries }).is_ok() {
            selected.set(BTreeSet::new());
        }
    };
    view! {
        <section class="card merged-timeline" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Merged timeline"</h2>
            <p class="hint">
                "Every revealed account, in time order. Reports the facilitator linked as the same "
                "moment share a row, each with its reporter's own time and words."
            </p>
            <Show when=move || can_link.get()>
                <div class="link-toolbar">
                    <button type="button" on:click=link_selected disabled=move || problem().is_some()
                        aria-describedby="link-selection-hint">
                        {move || format!("Link selected ({})", selected.with(BTreeSet::len))}
                    </button>
                    <p class="hint" id="link-selection-hint">
                        {move || problem().unwrap_or("Linking joins these reports into one moment.")}
                    </p>
                </div>
            </Show>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! { <p class="empty">"No revealed account has timeline entries."</p> }
            >
                <ol class="timeline" data-testid="merged-timeline" node_ref=list
                    style:padding-top=move || format!("{}px", window.padding().0)
                    style:padding-bottom=move || format!("{}px", window.padding().1)
                    on:focusin=on_focusin on:focusout=on_focusout>
                    {keyed_list(
                        move || shown.with(|s| s.iter().map(|r| r.item.clone()).collect::<Vec<_>>()),
                        row_key,
                        move |row| {
                            let key = row_key(&row);
                            let place = Signal::derive(move || {
                                places.with(|p| {
                                    p.iter()
                                        .find(|(k, _)| *k == key)
                                        .map_or((0, 0.0), |(_, place)| *place)
                                })
                            });
                            view! { <TimelineRow row can_link selected place total/> }.into_any()
                        },
                    )}
                </ol>
            </Show>
        </section>
    }
}

/// A first guess at a merged row's height with the gap after it, in pixels, until the rendered
/// rows are measured.
const ROW_PITCH_ESTIMATE: f64 = 200.0;

/// The place in the merged timeline of the row holding `target`, from its `aria-posinset`.
fn row_index(target: Option<web_sys::EventTarget>) -> Option<usize> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let row = el.closest("li.timeline-row[aria-posinset]").ok()??;
    let position: usize = row.get_attribute("aria-posinset")?.parse().ok()?;
    position.checked_sub(1)
}

/// One moment of the merged timeline.
#[component]
fn TimelineRow(
    row: MergedRow,
    can_link: Memo<bool>,
    selected: RwSignal<BTreeSet<EntryRef>>,
    /// The row's place in the whole timeline (from 0), and the space standing in for the rows
    /// not rendered just before it.
    place: Signal<(usize, f64)>,
    /// How many rows the timeline holds.
    total: Signal<usize>,
) -> impl IntoView {
    let linked = row.linked;
    let count = row.reports.len();
    let refs: Vec<EntryRef> = row.reports.iter().map(Report::entry_ref).collect();
    view! {
        <li class="timeline-row" class:linked=linked
            aria-posinset=move || place.get().0 + 1 aria-setsize=move || total.get()
            style:margin-top=move || {
                let gap = place.get().1;
                if gap > 0.0 { format!("{gap}px") } else { String::new() }
            }>
            <p class="row-time">
                <time datetime=row.at.to_rfc3339()>{crate::time::display(row.at)}</time>
                {(linked && count > 1).then(|| view! {
                    <span class="badge">{format!("Linked: {count} reports")}</span>
                })}
                <MomentMark refs at=row.at can_link/>
            </p>
            <div class="reports">
                {row
                    .reports
                    .into_iter()
                    .map(|report| view! { <ReportView report linked can_link selected/> })
                    .collect_view()}
            </div>
        </li>
    }
}

/// The row's key-moment mark: a badge for everyone, and for the facilitator a choice that
/// marks the row (through its first report, or the one already marked) or clears it.
#[component]
fn MomentMark(refs: Vec<EntryRef>, at: DateTime<Utc>, can_link: Memo<bool>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let refs = StoredValue::new(refs);
    // The marked report of the row and its mark, if any.
    let marked = Memo::new(move |_| {
        ws.review.with(|r| {
            refs.with_value(|refs| {
                refs.iter()
                    .find_map(|e| r.moment_of(e).map(|k| (e.clone(), k)))
            })
        })
    });
    let id = refs.with_value(|refs| {
        refs.first()
            .map(|e| format!("moment-{}-{}", e.participant_id, e.entry_id))
            .unwrap_or_default()
    });
    let when = crate::time::display(at);
    let on_change = move |ev: leptos::ev::Event| {
        let kind = MomentKind::from_key(&event_target_value(&ev));
        let entry = marked
            .get_untracked()
            .map(|(e, _)| e)
            .or_else(|| refs.with_value(|r| r.first().cloned()));
        if let Some(entry) = entry {
            let _ = ws.apply(ReviewOp::MarkMoment { entry, kind });
        }
    };
    view! {
        {move || marked.get().map(|(_, k)| view! { <span class="moment-kind">{k.label()}</span> })}
        <Show when=move || can_link.get()>
            <span class="moment-field">
                <label for=id.clone()>
                    "Mark as"
                    <span class="visually-hidden">{format!(" (the moment at {when})")}</span>
                </label>
                <select id=id.clone() on:change=on_change
                    prop:value=move || marked.get().map(|(_, k)| k.key()).unwrap_or("")>
                    <option value="">"Not a key moment"</option>
                    {MomentKind::ALL
                        .into_iter()
                        .map(|k| view! {
                            <option value=k.key()
                                selected=move || marked.get().is_some_and(|(_, m)| m == k)>
                                {k.label()}
                            </option>
                        })
                        .collect_view()}
                </select>
            </span>
        </Show>
    }
}

/// One participant's report within a timeline row, with its linking controls.
#[component]
fn ReportView(
    report: Report,
    linked: bool,
    can_link: Memo<bool>,
    selected: RwSignal<BTreeSet<EntryRef>>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let entry_ref = report.entry_ref();
    let pid = report.participant_id.clone();
    let who = Memo::new(move |_| ws.review.with(|r| person(r, &pid)));
    let e = report.entry;
    let at = clock(e.at);
    let described = {
        let at = at.clone();
        move || format!("{}'s entry at {at}", who.get())
    };
    let is_selected = {
        let r = entry_ref.clone();
        move || selected.with(|s| s.contains(&r))
    };
    let toggle = {
        let r = entry_ref.clone();
        move |_| {
            selected.update(|s| {
                if !s.remove(&r) {
                    s.insert(r.clone());
                }
            })
        }
    };
    let unlink = {
        let r = entry_ref.clone();
        move |_| {
            let _ = ws.apply(ReviewOp::Unlink { entry: r.clone() });
        }
    };
    let select_label = {
        let described = described.clone();
        move || format!("Select {} for linking", described())
    };
    let unlink_label = move || format!("Unlink {}", described());
    view! {
        <article class="report">
            <p class="reporter">
                <strong>{move || who.get()}</strong>
                " at " <time datetime=e.at.to_rfc3339()>{at.clone()}</time>
            </p>
            <dl class="report-fields">
                <dt>"What happened"</dt>
                <dd>{e.what_happened.clone()}</dd>
                <dt>"Knew or believed"</dt>
                <dd>{or_none(&e.knew_or_believed)}</dd>
                <dt>"What they did"</dt>
                <dd>{or_none(&e.what_i_did)}</dd>
            </dl>
            <Show when=move || can_link.get()>
                <div class="report-controls">
                    <label class="check">
                        <input type="checkbox" prop:checked=is_selected.clone() on:change=toggle.clone()
                            aria-label=select_label.clone()/>
                        "Select"
                    </label>
                    {linked.then(|| view! {
                        <button type="button" on:click=unlink.clone() aria-label=unlink_label.clone()>
                            "Unlink"
                        </button>
                    })}
                </div>
            </Show>
        </article>
    }
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "(not written)".to_owned()
    } else {
        s.to_owned()
    }
}

/// A suggestion with both entries, ready to show.
#[derive(Clone, PartialEq)]
struct Suggested {
    suggestion: LinkSuggestion,
    a: TimelineEntry,
    b: TimelineEntry,
}

/// Pairs of reports that likely describe the same moment, best first, each with "Link these".
#[component]
fn LinkSuggestions() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let suggestions = Memo::new(move |_| {
        with_view(&ws, |v| {
            merge::suggest_links(v)
                .into_iter()
                .filter_map(|s| {
                    Some(Suggested {
                        a: v.entry(&s.a)?.clone(),
                        b: v.entry(&s.b)?.clone(),
                        suggestion: s,
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    view! {
        <section class="card link-suggestions" aria-labelledby="suggestions-heading">
            <h2 id="suggestions-heading">"Suggested links"</h2>
            <p class="hint">
                "Reports from different people, close in time and wording. Link them only if they "
                "describe the same moment."
            </p>
            <Show
                when=move || suggestions.with(|s| !s.is_empty())
                fallback=|| view! { <p class="empty">"No suggestions left."</p> }
            >
                <ul class="suggestions">
                    <For
                        each=move || suggestions.get()
                        key=|s| (s.suggestion.a.clone(), s.suggestion.b.clone())
                        children=move |s| view! { <SuggestionItem s/> }
                    />
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn SuggestionItem(s: Suggested) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let names = ws.review.with_untracked(|r| {
        (
            person(r, &s.suggestion.a.participant_id),
            person(r, &s.suggestion.b.participant_id),
        )
    });
    let refs = [s.suggestion.a.clone(), s.suggestion.b.clone()];
    let link = move |_| {
        let _ = ws.apply(ReviewOp::Link {
            entries: refs.to_vec(),
        });
    };
    let label = format!("Link these: {} and {}", names.0, names.1);
    view! {
        <li class="suggestion">
            <p>
                <strong>{names.0.clone()}</strong> " at " {clock(s.a.at)} ": “" {s.a.what_happened.clone()} "”"
            </p>
            <p>
                <strong>{names.1.clone()}</strong> " at " {clock(s.b.at)} ": “" {s.b.what_happened.clone()} "”"
            </p>
            <p class="meta">
                {format!(
                    "{} apart · {:.0}% of the wording shared",
                    minutes(s.suggestion.seconds_apart),
                    s.suggestion.word_similarity * 100.0
                )}
            </p>
            <button type="button" on:click=link aria-label=label>"Link these"</button>
        </li>
    }
}

fn divergence_key(d: &Divergence) -> String {
    let refs = |reports: &[Report]| {
        reports
            .iter()
            .map(|r| format!("{}/{}", r.participant_id, r.entry.id))
            .collect::<Vec<_>>()
            .join("+")
    };
    match d {
        Divergence::OnlyOneReported { report } => {
            format!("one:{}", refs(std::slice::from_ref(report)))
        }
        Divergence::TimesDisagree { reports, .. } => format!("time:{}", refs(reports)),
        Divergence::BeliefsDiffer { reports } => format!("belief:{}", refs(reports)),
    }
}

/// Where the accounts disagree or don't overlap: shown, not hidden, since that is where the
/// learning is.
#[component]
fn Divergences() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let all = Memo::new(move |_| with_view(&ws, merge::divergences).unwrap_or_default());
    let of = move |kind: fn(&Divergence) -> bool| {
        move || all.with(|a| a.iter().filter(|d| kind(d)).cloned().collect::<Vec<_>>())
    };
    let times = of(|d| matches!(d, Divergence::TimesDisagree { .. }));
    let beliefs = of(|d| matches!(d, Divergence::BeliefsDiffer { .. }));
    let only_one = of(|d| matches!(d, Divergence::OnlyOneReported { .. }));
    view! {
        <section class="card divergences" aria-labelledby="divergences-heading" data-testid="divergences">
            <h2 id="divergences-heading">"Where the accounts differ"</h2>
            <p class="hint">
                "Differences are not mistakes: they show what each person could see and believe at "
                "the time."
            </p>
            <Show when=move || all.with(Vec::is_empty)>
                <p class="empty">"No differences found yet. Link reports of the same moment to compare them."</p>
            </Show>
            <DivergenceList title="Times that disagree" items=Signal::derive(times)/>
            <DivergenceList title="Beliefs that differed" items=Signal::derive(beliefs)/>
            <DivergenceList title="Moments only one person reported" items=Signal::derive(only_one)/>
        </section>
    }
}

#[component]
fn DivergenceList(title: &'static str, items: Signal<Vec<Divergence>>) -> impl IntoView {
    view! {
        <Show when=move || items.with(|i| !i.is_empty())>
            <h3>{title}</h3>
            <ul class="divergence-list">
                {keyed_list(
                    move || items.get(),
                    divergence_key,
                    |d| view! { <li class="divergence">{divergence_body(d)}</li> }.into_any(),
                )}
            </ul>
        </Show>
    }
}

fn divergence_body(d: Divergence) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let who = move |pid: &ParticipantId| ws.review.with_untracked(|r| person(r, pid));
    match d {
        Divergence::OnlyOneReported { report } => view! {
            <p>
                <strong>{who(&report.participant_id)}</strong>
                {format!(" at {}: {}", clock(report.entry.at), report.entry.what_happened)}
            </p>
        }
        .into_any(),
        Divergence::TimesDisagree {
            reports,
            spread_seconds,
        } => view! {
            <p>{format!("“{}”: the times are {} apart.", reports[0].entry.what_happened, minutes(spread_seconds))}</p>
            <ul>
                {reports.iter().map(|r| view! {
                    <li><strong>{who(&r.participant_id)}</strong>{format!(" says {}", clock(r.entry.at))}</li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Divergence::BeliefsDiffer { reports } => view! {
            <p>{format!("“{}”: what people knew or believed differed.", reports[0].entry.what_happened)}</p>
            <ul>
                {reports.iter().filter(|r| !r.entry.knew_or_believed.is_empty()).map(|r| view! {
                    <li><strong>{who(&r.participant_id)}</strong>{format!(" believed: {}", r.entry.knew_or_believed)}</li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
    }
}
