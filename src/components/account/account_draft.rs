//! What a participant has typed into their account's forms but that isn't (yet) part of the
//! account: the "new entry" and "new observation" forms, and edits the domain refused (an emptied
//! required field). Kept in `localStorage` per review and participant, so a reload loses nothing.
//! Not a component: the account editor's pieces share it.

use std::collections::BTreeMap;

use mosaic_domain::{
    EntryInput, FactorKind, Observation, ParticipantId, ReviewId, TimelineEntry, ValidationError,
};
use serde::{Deserialize, Serialize};

use crate::time;

/// Everything typed into one participant's account forms that the account doesn't hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDraft {
    pub new_entry: EntryDraft,
    pub new_observation: ObservationDraft,
    /// Edits of saved entries the domain refused, by entry id, until they become valid.
    pub entries: BTreeMap<String, EntryDraft>,
    /// Edits of saved observations the domain refused, by observation id.
    pub observations: BTreeMap<String, ObservationDraft>,
    /// Answers the domain refused (too long), by question id.
    pub answers: BTreeMap<String, String>,
}

impl AccountDraft {
    /// The `localStorage` key of a participant's draft in a review.
    pub fn key(review: &ReviewId, participant: &ParticipantId) -> String {
        format!("mosaic.draft.account.{review}.{participant}")
    }

    /// Whether anything typed would be left out if the account were sealed now.
    pub fn has_unsaved_text(&self) -> bool {
        self.new_entry != EntryDraft::default()
            || !self.new_observation.text.trim().is_empty()
            || !self.entries.is_empty()
            || !self.observations.is_empty()
            || !self.answers.is_empty()
    }
}

/// Records the outcome of saving an edit of a saved entry or observation: when the domain
/// refused it (`problems` not empty) the typed fields are kept under `key` in the map `pending`
/// picks, so a reload restores them; once saved, any kept copy is dropped. Untouched when there
/// is nothing to change, so an accepted keystroke doesn't rewrite `localStorage`.
pub fn keep_refused_edit<T>(
    draft: leptos::prelude::RwSignal<AccountDraft>,
    pending: fn(&mut AccountDraft) -> &mut BTreeMap<String, T>,
    key: &str,
    typed: T,
    problems: &[ValidationError],
) where
    T: Send + Sync + 'static,
{
    use leptos::prelude::*;
    let keep = !problems.is_empty();
    // A look, not a change: notifies nobody and writes nothing.
    let held = draft
        .try_update_untracked(|d| pending(d).contains_key(key))
        .unwrap_or(false);
    if keep || held {
        draft.update(|d| {
            if keep {
                pending(d).insert(key.to_owned(), typed);
            } else {
                pending(d).remove(key);
            }
        });
    }
}

/// A timeline entry's fields as typed; `at` as `<input type="datetime-local">` holds it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryDraft {
    pub at: String,
    pub what_happened: String,
    pub knew_or_believed: String,
    pub what_i_did: String,
}

impl EntryDraft {
    pub fn from_entry(entry: &TimelineEntry) -> Self {
        Self {
            at: time::to_local_input(entry.at),
            what_happened: entry.what_happened.clone(),
            knew_or_believed: entry.knew_or_believed.clone(),
            what_i_did: entry.what_i_did.clone(),
        }
    }

    /// The domain's input, or the one problem this form can find before the domain looks: a
    /// time it can't read.
    pub fn to_input(&self) -> Result<EntryInput, Vec<ValidationError>> {
        let at = time::parse_local_input(&self.at);
        if at.is_none() && !self.at.trim().is_empty() {
            return Err(vec![ValidationError::new(
                "at",
                "is not a date and time this form understands",
            )]);
        }
        Ok(EntryInput {
            at,
            what_happened: self.what_happened.clone(),
            knew_or_believed: self.knew_or_believed.clone(),
            what_i_did: self.what_i_did.clone(),
        })
    }
}

/// An observation's fields as typed; `kind` is a [`FactorKind`] key, or empty when none was
/// chosen yet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ObservationDraft {
    pub kind: String,
    pub text: String,
}

impl ObservationDraft {
    pub fn from_observation(o: &Observation) -> Self {
        Self {
            kind: o.kind.key().to_owned(),
            text: o.text.clone(),
        }
    }

    /// The chosen kind, or the problem: the domain takes a kind, never an empty one.
    pub fn kind(&self) -> Result<FactorKind, Vec<ValidationError>> {
        FactorKind::from_key(&self.kind)
            .ok_or_else(|| vec![ValidationError::new("kind", "is required")])
    }
}

/// The order to list entries in while someone may be editing one: the account's (time) order
/// when entries were added or removed, else the order already shown, so that a row doesn't move
/// away from the person typing its time. Re-sorting waits until they leave the row.
pub fn display_order<T: Clone + Ord>(shown: &[T], saved: &[T]) -> Vec<T> {
    let mut a = shown.to_vec();
    let mut b = saved.to_vec();
    a.sort();
    b.sort();
    if a == b {
        shown.to_vec()
    } else {
        saved.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_place_until_the_set_of_entries_changes() {
        assert_eq!(display_order(&[2, 1], &[1, 2]), [2, 1]);
        assert_eq!(display_order(&[2, 1], &[1, 2, 3]), [1, 2, 3]);
        assert_eq!(display_order(&[2, 1, 3], &[1, 3]), [1, 3]);
        assert_eq!(display_order::<u8>(&[], &[]), [] as [u8; 0]);
    }

    #[test]
    fn entry_drafts_report_unreadable_times_and_pass_the_rest_on() {
        let draft = EntryDraft {
            at: "yesterday".into(),
            what_happened: "x".into(),
            ..EntryDraft::default()
        };
        assert_eq!(draft.to_input().unwrap_err()[0].field, "at");
        let empty = EntryDraft::default().to_input().unwrap();
        assert_eq!(empty.at, None, "an empty time is the domain's to refuse");
    }

    #[test]
    fn unsaved_text_counts_typed_text_only() {
        let mut draft = AccountDraft::default();
        assert!(!draft.has_unsaved_text());
        draft.new_observation.kind = "human".into();
        assert!(!draft.has_unsaved_text(), "a chosen kind alone is no text");
        draft.new_entry.what_happened = "paged".into();
        assert!(draft.has_unsaved_text());
    }
}
