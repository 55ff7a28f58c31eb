use crate::components::shared::keyed_list::keyed_list;
use leptos::prelude::*;
use mosaic_domain::{EntryId, ParticipantId, TimelineEntry};

use crate::time;
use crate::workspace::Workspace;

/// The most matches listed at once; more words narrow the rest down.
const LISTED: usize = 20;

/// The ids of an entry's text fields as the editor names them (`entry-{id}-{suffix}`), in the
/// order they are searched.
pub const FIELDS: [&str; 3] = ["what", "knew", "did"];

/// The words of a search, lowercase.
pub fn query_words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(mosaic_domain::lowercase)
        .collect()
}

/// Where an entry matches a search: `None` unless every word is found in one of its fields
/// (anywhere, in any case), else the index in [`FIELDS`] of the first field holding one of
/// them, to put the cursor in.
pub fn match_field(words: &[String], fields: [&str; 3]) -> Option<usize> {
    if words.is_empty() {
        return None;
    }
    let lower = fields.map(mosaic_domain::lowercase);
    let all_found = words
        .iter()
        .all(|w| lower.iter().any(|f| f.contains(w.as_str())));
    all_found.then(|| {
        lower
            .iter()
            .position(|f| words.iter().any(|w| f.contains(w.as_str())))
            .unwrap_or(0)
    })
}

fn fields(e: &TimelineEntry) -> [&str; 3] {
    [&e.what_happened, &e.knew_or_believed, &e.what_i_did]
}

/// One entry a search found.
#[derive(Clone, Debug, PartialEq)]
struct Found {
    id: EntryId,
    label: String,
    field: &'static str,
}

/// "Find in my account": the editor shows only the entries near where the person is, so the
/// browser's own find cannot see the others. Typing words lists the entries holding all of
/// them; choosing one brings it on screen with the cursor in the field that matched.
#[component]
pub fn FindInAccount(
    /// Whose account is searched: always the acting participant.
    participant: ParticipantId,
    /// Called with the chosen entry and the field to put the cursor in ("what", "knew", "did").
    on_choose: Callback<(EntryId, &'static str)>,
) -> impl IntoView {
    let ws = expect_context::<Workspace>();
    let query = RwSignal::new(String::new());
    // Read when the search changes, not on every keystroke in the account: a list shown while
    // the person edits keeps the words it was found by.
    let results = Memo::new(move |_| {
        let words = query.with(|q| query_words(q));
        if words.is_empty() {
            return None;
        }
        let mut count = 0;
        let mut listed = Vec::new();
        ws.accounts.with_untracked(|all| {
            let entries = all
                .iter()
                .find(|a| a.participant_id() == &participant)
                .map(|a| a.entries())
                .unwrap_or_default();
            for e in entries {
                let Some(field) = match_field(&words, fields(e)) else {
                    continue;
                };
                count += 1;
                if listed.len() < LISTED {
                    listed.push(Found {
                        id: e.id.clone(),
                        label: format!("Entry at {}: {}", time::display(e.at), e.what_happened),
                        field: FIELDS[field],
                    });
                }
            }
        });
        Some((count, listed))
    });
    let status = move || {
        results.with(|r| match r {
            None => String::new(),
            Some((0, _)) => "No entry holds all of these words.".to_owned(),
            Some((1, _)) => "1 entry matches.".to_owned(),
            Some((n, _)) if *n <= LISTED => format!("{n} entries match."),
            Some((n, _)) => {
                format!("{n} entries match; the first {LISTED} are listed. Add words to narrow.")
            }
        })
    };

    view! {
        <div class="find-in-account" role="search" aria-label="In my account">
            <div class="field">
                <label for="find-in-account">"Find in my account"</label>
                <p class="hint" id="find-in-account-hint">
                    "Words from any of your entries. The page shows the entries near where you "
                    "are, so the browser's own find may miss the others."
                </p>
                <input id="find-in-account" type="search" autocomplete="off"
                    aria-describedby="find-in-account-hint find-in-account-status"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
            <p class="hint" id="find-in-account-status" role="status">{status}</p>
            <ul class="find-results">
                {keyed_list(
                    move || results.with(|r| r.as_ref().map(|(_, l)| l.clone()).unwrap_or_default()),
                    |f| f.id.to_string(),
                    move |f| {
                        let choose = move |_| on_choose.run((f.id.clone(), f.field));
                        view! { <li><button type="button" class="link" on:click=choose>{f.label}</button></li> }
                            .into_any()
                    },
                )}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, fields: [&str; 3], expected: Option<usize>) {
        assert_eq!(
            match_field(&query_words(query), fields),
            expected,
            "{query:?} in {fields:?}"
        );
    }

    #[test]
    fn every_word_must_be_found_in_some_field() {
        let entry = ["Checkout alert fired", "The deploy was fine", "Paged Bob"];
        check("alert", entry, Some(0));
        check("ALERT deploy", entry, Some(0));
        check("deploy paged", entry, Some(1));
        check("bob", entry, Some(2));
        check("  pag  ", entry, Some(2));
        check("alert rollback", entry, None);
        check("", entry, None);
        check("   ", entry, None);
    }
}
