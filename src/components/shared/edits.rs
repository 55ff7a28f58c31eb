//! Saving from a form: the form learns every problem with what was typed, to show beside its
//! fields, while the document and its storage see only the changes the domain accepts. Not a
//! component: the setup panel and the account editor share it.

use leptos::prelude::*;
use mosaic_domain::{
    Account, AccountError, EditError, OpError, ParticipantId, ReviewOp, ValidationError,
};

use crate::workspace::Workspace;
pub use crate::workspace::sentence;

/// The field name under which a problem that belongs to no one field is reported.
pub const WHOLE_FORM: &str = "form";

/// Applies `change` to a participant's account if the domain accepts it, and returns the
/// problems otherwise (empty when saved).
///
/// A keystroke that leaves an entry invalid changes nothing stored: its problems come back to be
/// shown beside the fields, and the person's text stays in the form.
pub fn save_change(
    ws: Workspace,
    participant: &ParticipantId,
    change: impl FnOnce(&mut Account) -> Result<(), AccountError>,
) -> Vec<ValidationError> {
    match ws.edit_account(participant, |account, _| change(account)) {
        Ok(()) => Vec::new(),
        Err(e) => {
            // Shown beside the form that was used rather than twice.
            ws.notice.set(None);
            problems(e)
        }
    }
}

/// An account's refusal as problems to show: field problems stay with their fields.
pub fn problems(e: AccountError) -> Vec<ValidationError> {
    match e {
        AccountError::Invalid { fields } => fields,
        other => vec![ValidationError::new(
            WHOLE_FORM,
            sentence(&other.to_string()),
        )],
    }
}

/// Applies `op` to the shared review and returns the problems to show beside the form's fields
/// (empty when saved); a problem that belongs to no field is reported under [`WHOLE_FORM`].
pub fn save_review_op(ws: Workspace, op: ReviewOp) -> Vec<ValidationError> {
    match ws.apply(op) {
        Ok(()) => Vec::new(),
        Err(OpError::Edit(EditError::Invalid { fields })) => fields,
        Err(other) => {
            // Shown beside the form that was used rather than twice.
            ws.notice.set(None);
            vec![ValidationError::new(
                WHOLE_FORM,
                sentence(&other.to_string()),
            )]
        }
    }
}

/// What a form's fields show of its problems, read reactively by the view: `invalid(field)` for
/// `aria-invalid`, `message(field, label)` for the text linked by `aria-describedby`.
#[derive(Clone, Copy)]
pub struct FieldFeedback(pub RwSignal<Vec<ValidationError>>);

impl FieldFeedback {
    /// `"true"` while the form has a problem with `field`, else `"false"`.
    pub fn invalid(self, field: &'static str) -> impl Fn() -> String + Copy + 'static {
        move || {
            self.0
                .with(|e| e.iter().any(|e| e.field == field))
                .to_string()
        }
    }

    /// The problems with `field`, opened with its `label`; `None` when there are none.
    pub fn message(
        self,
        field: &'static str,
        label: &'static str,
    ) -> impl Fn() -> Option<String> + Copy + 'static {
        move || self.0.with(|e| field_message(e, field, label))
    }
}

/// The messages `errors` holds for `field`, each opened with the field's `label`: "What
/// happened is required" (an empty label leaves the message alone). `None` when the field is
/// fine.
pub fn field_message(
    errors: &[mosaic_domain::ValidationError],
    field: &str,
    label: &str,
) -> Option<String> {
    let found: Vec<String> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| {
            if label.is_empty() {
                e.message.clone()
            } else {
                format!("{label} {}", e.message)
            }
        })
        .collect();
    (!found.is_empty()).then(|| found.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_messages_name_the_field_and_join_its_problems() {
        let errors = vec![
            ValidationError::new("title", "is required"),
            ValidationError::new("team", "is required"),
            ValidationError::new("title", "must be short"),
            ValidationError::new(WHOLE_FORM, "Locked"),
        ];
        assert_eq!(
            field_message(&errors, "title", "Title").as_deref(),
            Some("Title is required; Title must be short")
        );
        assert_eq!(field_message(&errors, "services", "Services"), None);
        assert_eq!(
            field_message(&errors, WHOLE_FORM, "").as_deref(),
            Some("Locked")
        );
    }

    #[test]
    fn refusals_become_problems_a_person_can_read() {
        let found = problems(AccountError::Empty);
        assert_eq!(found[0].field, WHOLE_FORM);
        assert_eq!(
            found[0].message,
            "Add at least one entry, observation or answer before submitting"
        );
    }
}
