use crate::components::shared::show::Show;
use leptos::prelude::*;
use mosaic_domain::coach::{self, Hint};

use crate::workspace::Workspace;

/// A piece of checked text: either plain, or a phrase the coach flagged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub flagged: bool,
}

/// Splits `text` into plain and flagged segments along the hints' byte ranges. Overlapping or
/// touching ranges become one flagged segment; ranges outside the text (a stale hint) are
/// ignored.
pub fn segments(text: &str, hints: &[Hint]) -> Vec<Segment> {
    let mut ranges: Vec<(usize, usize)> = hints
        .iter()
        .map(|h| (h.range.start, h.range.end))
        .filter(|&(s, e)| {
            s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
        })
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in merged {
        if s > at {
            out.push(Segment {
                text: text[at..s].to_owned(),
                flagged: false,
            });
        }
        out.push(Segment {
            text: text[s..e].to_owned(),
            flagged: true,
        });
        at = e;
    }
    if at < text.len() {
        out.push(Segment {
            text: text[at..].to_owned(),
            flagged: false,
        });
    }
    out
}

/// A labelled text area with the blameless-language coach: as the person types, phrases that
/// judge people in hindsight are highlighted in a preview below the field, each with why it
/// matters and a reframing. The coach only suggests; it never blocks typing or saving.
///
/// The coach knows the review's participants' names from the [`Workspace`] context, when there
/// is one, so it can flag "Alice broke…".
#[component]
pub fn CoachedText(
    /// The text area's id. Its error is `{id}-error` and its hints `{id}-coach`.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The text as typed. Never replaced while the person types: pass back what `on_input` gave.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the whole text on every keystroke.
    on_input: Callback<String>,
    /// A problem with the text, shown below it and linked to it; `None` when fine.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// A short description shown under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The text area's height in lines.
    #[prop(default = 2)]
    rows: u32,
    /// Marks the field as required for assistive technology.
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    let names = use_context::<Workspace>().map(|ws| ws.coach_names);
    let hints = Memo::new(move |_| {
        value.with(|text| match names {
            Some(names) => names.with(|names| coach::check_with(text, names)),
            None => coach::check_with(text, &coach::Names::default()),
        })
    });
    // Joined, not formatted: a long timeline renders hundreds of these fields at once.
    let hint_id = [id.as_str(), "-hint"].concat();
    let error_id = [id.as_str(), "-error"].concat();
    let coach_id = [id.as_str(), "-coach"].concat();
    let described_by = match hint {
        Some(_) => [hint_id.as_str(), " ", &error_id, " ", &coach_id].concat(),
        None => [error_id.as_str(), " ", &coach_id].concat(),
    };
    let has_hints = move || hints.with(|h| !h.is_empty());
    // A memo: the live region below is written only when its words change.
    let count = Memo::new(move |_| match hints.with(Vec::len) {
        0 => String::new(),
        1 => "Wording coach: 1 phrase to reconsider".to_owned(),
        n => format!("Wording coach: {n} phrases to reconsider"),
    });

    // Fixed texts and the coach's count are set as properties, not children: in the
    // size-optimised build every element with children carries a placeholder node and boxed
    // views, and a long timeline renders a hundred of these fields at once. The page holds the
    // same text either way.
    view! {
        <div class="field coached">
            <label for=id.clone() prop:textContent=label></label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <textarea
                id=id
                rows=rows
                required=required
                aria-describedby=described_by
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            ></textarea>
            // An empty text node when there is no problem: the paragraph stays `:empty`. A child,
            // so its text node is only touched when the text changes and a live region does not
            // announce it again.
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get().unwrap_or_default()}
            </p>
            <div class="coach" id=coach_id>
                <p class="coach-count" aria-live="polite" prop:textContent=count></p>
                <Show when=has_hints>
                    // The highlighted copy repeats what the field holds, so assistive technology
                    // skips it; the list below names every flagged phrase.
                    <p class="coach-preview" aria-hidden="true">
                        {move || {
                            value.with(|text| hints.with(|h| segments(text, h)))
                                .into_iter()
                                .map(|s| if s.flagged {
                                    view! { <mark>{s.text}</mark> }.into_any()
                                } else {
                                    s.text.into_any()
                                })
                                .collect_view()
                        }}
                    </p>
                    <ul class="coach-hints">
                        {move || hints.get().into_iter().map(|h| view! {
                            <li>
                                <q class="coach-phrase">{h.matched}</q>
                                " "
                                <span>{h.explanation}</span>
                                <span class="coach-suggestion">
                                    <strong>"Try: "</strong>{h.suggestion}
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                </Show>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let hints = coach::check(text, &["Alice Smith"]);
        let rendered: String = segments(text, &hints)
            .into_iter()
            .map(|s| {
                if s.flagged {
                    format!("[{}]", s.text)
                } else {
                    s.text
                }
            })
            .collect();
        assert_eq!(rendered, expected);
    }

    #[test]
    fn flagged_phrases_are_bracketed_and_the_rest_kept() {
        check(
            "I should have checked the dashboard",
            "I [should have] checked the dashboard",
        );
        check(
            "the service failed to connect",
            "the service failed to connect",
        );
        check("", "");
        check("é: obviously", "é: [obviously]");
    }

    #[test]
    fn overlapping_hints_merge() {
        // "Alice forgot to" is both a named mistake and "forgot to".
        check("Alice forgot to page", "[Alice forgot to] page");
    }
}
