use leptos::prelude::*;
use mosaic_domain::ValidationError;

/// The message for one form field, if validation found a problem with it. The element's id is
/// `{field}-error`, for the input's `aria-describedby`.
#[component]
pub fn FieldError(
    /// The field's name as the domain reports it, such as `title`.
    field: &'static str,
    /// What the form calls the field, to open the sentence: "Title is required".
    label: &'static str,
    /// The latest validation result of the whole form.
    #[prop(into)]
    errors: Signal<Vec<ValidationError>>,
) -> impl IntoView {
    let message = move || {
        errors
            .get()
            .into_iter()
            .filter(|e| e.field == field)
            .map(|e| format!("{label} {}", e.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    view! {
        <p class="field-error" id=format!("{field}-error") aria-live="polite">
            {message}
        </p>
    }
}
