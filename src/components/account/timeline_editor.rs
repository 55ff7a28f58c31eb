use crate::components::shared::keyed_list::keyed_list;
use crate::components::shared::show::Show;
use leptos::html;
use leptos::prelude::*;
use mosaic_domain::{EntryId, EntryInput, ParticipantId, ValidationError, limits};
use wasm_bindgen::JsCast;

use crate::components::account::account_draft::{
    AccountDraft, EntryDraft, display_order, keep_refused_edit,
};
use crate::components::account::find_in_account::FindInAccount;
use crate::components::account::undo_removal::{Removed, UndoRemoval};
use crate::components::shared::coached_text::CoachedText;
use crate::components::shared::edits::{WHOLE_FORM, field_message, save_change};
use crate::components::shared::focus::focus_by_id;
use crate::components::shared::limit_hint::LimitHint;
use crate::components::shared::list_window::{self, ListWindow};
use crate::time;
use crate::workspace::Workspace;
use crate::workspace::new_id;

/// The acting participant's timeline: their entries, each edited in place and saved as they
/// type, and a form for a new entry. Entries are kept in time order; one whose time changed
/// moves to its place when the person leaves it, so it doesn't jump away mid-typing.
///
/// Only the entries near the screen are in the page ([`ListWindow`]): an account may hold
/// thousands. "Find in my account" reaches the others.
#[component]
pub fn TimelineEditor(
    /// Whose account this is: always the acting participant.
    participant: ParticipantId,
    /// What they typed that the account doesn't hold yet.
    draft: RwSignal<AccountDraft>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let pid = participant.clone();
    let saved_order = move || {
        ws.with_account_untracked(&pid, |a| {
            a.entries().iter().map(|e| e.id.clone()).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let order = RwSignal::new(saved_order());
    // Follows the account when entries come or go, never on a keystroke (`reshaped`); a
    // changed time alone waits for `resort`.
    crate::effect::effect({
        let saved_order = saved_order.clone();
        move |first: Option<()>| {
            ws.reshaped.track();
            if first.is_none() {
                return;
            }
            let saved = saved_order();
            let next = order.with_untracked(|shown| display_order(shown, &saved));
            if order.with_untracked(|shown| *shown != next) {
                order.set(next);
            }
        }
    });
    let resort = Callback::new(move |()| {
        let saved = saved_order();
        if order.with_untracked(|shown| *shown != saved) {
            order.set(saved);
        }
    });
    let row_pid = participant.clone();
    let find_pid = participant.clone();
    let removed = RwSignal::new(None::<Removed>);

    // The entry the keyboard is in, kept rendered wherever the page is scrolled.
    let focused = RwSignal::new(None::<EntryId>);
    let focus_index = Memo::new(move |_| {
        focused.with(|f| {
            f.as_ref()
                .and_then(|id| order.with(|o| o.iter().position(|x| x == id)))
        })
    });
    let list = NodeRef::<html::Ol>::new();
    let total = Signal::derive(move || order.with(Vec::len));
    let window = ListWindow::new(list, total, focus_index.into(), ENTRY_PITCH_ESTIMATE);
    let shown = Memo::new(move |_| {
        let pitch = window.pitch.get();
        window
            .segments
            .with(|segments| order.with(|o| list_window::shown(o, segments, pitch)))
    });
    let on_focusin = move |ev: leptos::ev::FocusEvent| {
        window.focus_in(&ev);
        let id = entry_of(ev.target());
        if id.is_some() && focused.with_untracked(|f| *f != id) {
            focused.set(id);
        }
    };
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        // Leaving the list lets the row go when it scrolls away; moving within it keeps one,
        // and so does a re-render that took the focus away for a moment.
        if window.keep_focus(&ev) {
            return;
        }
        if entry_of(ev.related_target()).is_none() && focused.with_untracked(Option::is_some) {
            focused.set(None);
        }
    };
    let choose = Callback::new(move |(id, field): (EntryId, &'static str)| {
        focused.set(Some(id.clone()));
        bring_to_keyboard(format!("entry-{id}-{field}"), SETTLE_FRAMES);
    });

    view! {
        <section class="timeline-editor" aria-labelledby="timeline-heading">
            <h3 id="timeline-heading">"Timeline"</h3>
            <p class="hint">
                "What happened, moment by moment, as you saw it. Changes are saved as you type."
            </p>
            <Show when=move || order.with(Vec::is_empty)>
                <p class="empty">"No entries yet: add the first one below."</p>
            </Show>
            // Worth it only once the list is longer than a screen or two.
            <Show when=move || { total.get() > list_window::BLOCK }>
                <FindInAccount participant=find_pid.clone() on_choose=choose/>
            </Show>
            <ol class="entry-list" node_ref=list
                style:padding-top=move || format!("{}px", window.padding().0)
                style:padding-bottom=move || format!("{}px", window.padding().1)
                on:focusin=on_focusin on:focusout=on_focusout>
                {keyed_list(
                    move || shown.with(|s| s.iter().map(|r| r.item.clone()).collect::<Vec<_>>()),
                    |id| id.to_string(),
                    move |id| {
                        let place = {
                            let id = id.clone();
                            Signal::derive(move || {
                                shown.with(|s| {
                                    s.iter()
                                        .find(|r| r.item == id)
                                        .map_or((0, 0.0), |r| (r.index, r.gap_before))
                                })
                            })
                        };
                        view! {
                            <EntryRow participant=row_pid.clone() id draft resort removed place total/>
                        }
                        .into_any()
                    },
                )}
            </ol>
            <UndoRemoval removed id="undo-entry-removal"/>
            <LimitHint count=total
                max=limits::MAX_ENTRIES_PER_ACCOUNT noun="timeline entries"/>
            <NewEntryForm participant draft/>
        </section>
    }
}

/// A first guess at an entry row's height with the gap after it, in pixels, until the rendered
/// rows are measured.
const ENTRY_PITCH_ESTIMATE: f64 = 420.0;

/// Frames during which a chosen entry is held on screen with the focus: the rows around it are
/// measured after it is rendered, and the space standing in for the rows above it changes with
/// them.
const SETTLE_FRAMES: u32 = 20;

/// Puts the cursor in the element `id` once it is rendered, and keeps it there (unless the person
/// moved on) and on screen for `frames` frames while the list settles around it.
fn bring_to_keyboard(id: String, frames: u32) {
    request_animation_frame(move || {
        if let Some(el) = document()
            .get_element_by_id(&id)
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            // Unless the person has moved on: then the focus is theirs to place.
            let waiting = document().active_element().is_none_or(|a| {
                a.closest(".find-in-account").ok().flatten().is_some()
                    || Some(&a) == document().body().map(Into::into).as_ref()
            });
            if waiting {
                let _ = el.focus();
            }
            let rect = el.get_bounding_client_rect();
            let height = window()
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            if rect.bottom() < 0.0 || rect.top() > height {
                el.scroll_into_view();
            }
        }
        if frames > 0 {
            bring_to_keyboard(id, frames - 1);
        }
    });
}

/// A problem's text, or an empty text node: a paragraph without a problem stays `:empty`, and
/// the page has no placeholder to keep for it.
fn text(problem: Signal<Option<String>>) -> impl Fn() -> String + Send + Sync + 'static {
    move || problem.get().unwrap_or_default()
}

/// The entry whose row holds `target`, from the row's `data-entry`.
fn entry_of(target: Option<web_sys::EventTarget>) -> Option<EntryId> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let row = el.closest("li[data-entry]").ok()??;
    EntryId::parse(&row.get_attribute("data-entry")?).ok()
}

/// Gives focus back to `target` after the list re-rendered, if moving a row took it away.
fn keep_focus(target: Option<web_sys::HtmlElement>) {
    let Some(target) = target else { return };
    request_animation_frame(move || {
        let active = document().active_element();
        if target.is_connected() && active.as_ref() != Some(target.unchecked_ref()) {
            let _ = target.focus();
        }
    });
}

/// One saved entry, edited in place. What the person types stays in the fields even when the
/// domain refuses it (an emptied "What happened"); the entry saves again once it is valid.
#[component]
fn EntryRow(
    participant: ParticipantId,
    id: EntryId,
    draft: RwSignal<AccountDraft>,
    /// Puts the list back in time order.
    resort: Callback<()>,
    /// Where a removal is offered for undo.
    removed: RwSignal<Option<Removed>>,
    /// The row's place in the whole timeline (from 0), and the space standing in for the
    /// entries not rendered just before it.
    place: Signal<(usize, f64)>,
    /// How many entries the timeline holds.
    total: Signal<usize>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let key = id.to_string();
    // A refused edit from before a reload wins over the saved entry: it is what was typed last.
    let pending = draft.with_untracked(|d| d.entries.get(&key).cloned());
    let had_pending = pending.is_some();
    let initial = pending
        .or_else(|| {
            ws.with_account_untracked(&participant, |a| a.entry(&id).map(EntryDraft::from_entry))
                .flatten()
        })
        .unwrap_or_default();
    let initial_at = initial.at.clone();
    // One signal per field: a keystroke in one field reaches its own text area and coach only.
    let at = RwSignal::new(initial.at);
    let what = RwSignal::new(initial.what_happened);
    let knew = RwSignal::new(initial.knew_or_believed);
    let did = RwSignal::new(initial.what_i_did);
    let errors = RwSignal::new(Vec::<ValidationError>::new());

    let save = {
        let (id, key, participant) = (id.clone(), key.clone(), participant.clone());
        Callback::new(move |()| {
            let typed = EntryDraft {
                at: at.get_untracked(),
                what_happened: what.get_untracked(),
                knew_or_believed: knew.get_untracked(),
                what_i_did: did.get_untracked(),
            };
            let found = match typed.to_input() {
                Ok(input) => save_change(ws, &participant, |a| a.update_entry(&id, input)),
                Err(found) => found,
            };
            keep_refused_edit(draft, |d| &mut d.entries, &key, typed, &found);
            if errors.with_untracked(|e| *e != found) {
                errors.set(found);
            }
        })
    };
    if had_pending {
        save.run(());
    }
    let edit = move |field: RwSignal<String>| {
        Callback::new(move |text: String| {
            field.set(text);
            save.run(());
        })
    };
    // Whether the time changed since the person came into the row: only then may the row have
    // to move when they leave it.
    let moved = StoredValue::new(false);
    // Read where shown; problems change only when a save finds or clears one.
    let error = move |field: &'static str, label: &'static str| {
        Signal::derive(move || errors.with(|e| field_message(e, field, label)))
    };
    let remove = {
        let (id, key, participant) = (id.clone(), key.clone(), participant.clone());
        move |_| {
            let entry = ws
                .with_account_untracked(&participant, |a| a.entry(&id).cloned())
                .flatten();
            let found = save_change(ws, &participant, |a| a.remove_entry(&id));
            if found.is_empty() {
                draft.update(|d| {
                    d.entries.remove(&key);
                });
                if let Some(entry) = entry {
                    let participant = participant.clone();
                    removed.set(Some(Removed {
                        what: format!("Entry at {}", time::display(entry.at)),
                        restore: std::sync::Arc::new(move || {
                            let input = EntryInput {
                                at: Some(entry.at),
                                what_happened: entry.what_happened.clone(),
                                knew_or_believed: entry.knew_or_believed.clone(),
                                what_i_did: entry.what_i_did.clone(),
                            };
                            let found = save_change(ws, &participant, |a| {
                                a.add_entry(entry.id.clone(), input)
                            });
                            field_message(&found, WHOLE_FORM, "")
                                .or_else(|| found.first().map(|e| e.message.clone()))
                        }),
                    }));
                }
                // The row and its focused button are gone: continue at the note's Undo.
                focus_by_id("undo-entry-removal");
            }
            errors.set(found);
        }
    };
    // Leaving the row (not moving between its fields) puts the list back in time order.
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        let row = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let next = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        let inside = match (&row, &next) {
            (Some(row), Some(next)) => row.contains(Some(next.unchecked_ref())),
            _ => false,
        };
        if !inside && moved.get_value() {
            moved.set_value(false);
            resort.run(());
            keep_focus(next);
        }
    };
    // Follows the time only: typing in the other fields leaves the legend alone.
    let legend = move || {
        at.with(|at| match time::parse_local_input(at) {
            Some(at) => format!("Entry at {}", time::display(at)),
            None => "Entry (time not set)".to_owned(),
        })
    };
    // Joined, not formatted: a long timeline renders many rows at once.
    let field_id = |suffix: &str| ["entry-", id.as_str(), suffix].concat();
    let at_id = field_id("-at");
    let at_error_id = field_id("-at-error");
    let form_error_id = field_id("-form-error");
    let save_time = edit(at);

    view! {
        <li class="entry card" on:focusout=on_focusout data-entry=id.to_string()
            aria-posinset=move || place.get().0 + 1 aria-setsize=move || total.get()
            style:margin-top=move || {
                let gap = place.get().1;
                if gap > 0.0 { format!("{gap}px") } else { String::new() }
            }>
            // Fixed texts are set as properties, not children: in the size-optimised build every
            // element with children carries a placeholder node and boxed views, and a long
            // timeline renders dozens of rows at once. The page holds the same text either way.
            // A problem stays a child: its text node is only touched when the text changes, so
            // a live region does not announce it again.
            <fieldset>
                <legend prop:textContent=legend></legend>
                <div class="field">
                    <label for=at_id.clone() prop:textContent="When"></label>
                    // Not bound to the typed value: a half-typed time reads as "", and writing
                    // that back would wipe the segments already typed.
                    <input id=at_id type="datetime-local" required
                        prop:value=initial_at
                        aria-describedby=at_error_id.clone()
                        aria-invalid=move || errors.with(|e| e.iter().any(|e| e.field == "at")).to_string()
                        on:input=move |ev| {
                            moved.set_value(true);
                            save_time.run(event_target_value(&ev))
                        }/>
                    <p class="field-error" id=at_error_id aria-live="polite">
                        {text(error("at", "When"))}
                    </p>
                </div>
                <CoachedText id=field_id("-what") label="What happened" required=true
                    value=what on_input=edit(what)
                    error=error("what_happened", "What happened")/>
                <CoachedText id=field_id("-knew") label="What I knew or believed then"
                    value=knew on_input=edit(knew)
                    error=error("knew_or_believed", "What I knew or believed")/>
                <CoachedText id=field_id("-did") label="What I did"
                    value=did on_input=edit(did)
                    error=error("what_i_did", "What I did")/>
                <p class="form-error" id=form_error_id aria-live="polite">
                    {text(error(WHOLE_FORM, ""))}
                </p>
                <button type="button" class="danger" on:click=remove
                    prop:textContent="Remove this entry"></button>
            </fieldset>
        </li>
    }
}

/// The form for a new timeline entry. What is typed is kept in the account's draft, so a reload
/// keeps it; adding clears the form and leaves the cursor in "When" for the next entry.
#[component]
fn NewEntryForm(participant: ParticipantId, draft: RwSignal<AccountDraft>) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let status = RwSignal::new(String::new());
    let at_input = NodeRef::<html::Input>::new();
    let initial_at = draft.with_untracked(|d| d.new_entry.at.clone());

    let edit = move |set: fn(&mut EntryDraft, String)| {
        Callback::new(move |text: String| {
            draft.update(|d| set(&mut d.new_entry, text));
            status.set(String::new());
        })
    };
    let value = move |get: fn(&EntryDraft) -> &str| {
        Signal::derive(move || draft.with(|d| get(&d.new_entry).to_owned()))
    };
    let error = move |field: &'static str, label: &'static str| {
        Signal::derive(move || errors.with(|e| field_message(e, field, label)))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = draft.with_untracked(|d| d.new_entry.clone());
        let found = match typed.to_input() {
            Ok(input) => {
                let id = EntryId::parse(&new_id()).expect("a UUID is a valid entry id");
                save_change(ws, &participant, |a| a.add_entry(id.clone(), input.clone()))
            }
            Err(found) => found,
        };
        if found.is_empty() {
            draft.update(|d| d.new_entry = EntryDraft::default());
            status.set("Entry added to your timeline.".to_owned());
            if let Some(input) = at_input.get() {
                input.set_value("");
                let _ = input.focus();
            }
        }
        errors.set(found);
    };

    view! {
        <form class="new-entry card" on:submit=on_submit novalidate aria-labelledby="new-entry-heading">
            <h4 id="new-entry-heading">"Add a timeline entry"</h4>
            <div class="field">
                <label for="new-entry-at">"When"</label>
                <input id="new-entry-at" type="datetime-local" required node_ref=at_input
                    prop:value=initial_at
                    aria-describedby="new-entry-at-error"
                    aria-invalid=move || errors.with(|e| e.iter().any(|e| e.field == "at")).to_string()
                    on:input=move |ev| edit(|f, v| f.at = v).run(event_target_value(&ev))/>
                <p class="field-error" id="new-entry-at-error" aria-live="polite">
                    {error("at", "When")}
                </p>
            </div>
            <CoachedText id="new-entry-what" label="What happened" required=true
                value=value(|f| &f.what_happened) on_input=edit(|f, v| f.what_happened = v)
                error=error("what_happened", "What happened")/>
            <CoachedText id="new-entry-knew" label="What I knew or believed then"
                hint="What made your actions make sense at the time?"
                value=value(|f| &f.knew_or_believed) on_input=edit(|f, v| f.knew_or_believed = v)
                error=error("knew_or_believed", "What I knew or believed")/>
            <CoachedText id="new-entry-did" label="What I did"
                value=value(|f| &f.what_i_did) on_input=edit(|f, v| f.what_i_did = v)
                error=error("what_i_did", "What I did")/>
            <p class="form-error" aria-live="polite">{error(WHOLE_FORM, "")}</p>
            <button type="submit" class="primary">"Add entry"</button>
            <p class="form-status" role="status">{move || status.get()}</p>
        </form>
    }
}
