//! The one way a form field is built: a label, the control, an optional hint and the field's
//! problem, wired once. The ids derive from the control's: the hint is `{id}-hint`, the problem
//! `{id}-error`; the control's `aria-describedby` names both and its `aria-invalid` follows the
//! problem. `TextField`, `TextAreaField` and `SelectField` differ only in their control.

use leptos::html;
use leptos::prelude::*;

/// What every field takes besides its control.
struct Frame {
    id: String,
    label: &'static str,
    hint: Option<&'static str>,
    error: Signal<Option<String>>,
    extra: Option<Children>,
}

impl Frame {
    /// The control's `aria-describedby`: its hint (if any) and its problem.
    fn described_by(&self) -> String {
        described_by(&self.id, self.hint.is_some())
    }

    /// The control's `aria-invalid`, following the problem.
    fn invalid(&self) -> impl Fn() -> &'static str + Copy + 'static + use<> {
        let error = self.error;
        move || {
            if error.with(Option::is_some) {
                "true"
            } else {
                "false"
            }
        }
    }

    fn wrap(self, control: impl IntoView) -> impl IntoView {
        let Frame {
            id,
            label,
            hint,
            error,
            extra,
        } = self;
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                {control}
                {hint.map(|hint| view! { <p class="hint" id=format!("{id}-hint")>{hint}</p> })}
                {extra.map(|extra| extra())}
                <p class="field-error" id=format!("{id}-error") aria-live="polite">
                    {move || error.get()}
                </p>
            </div>
        }
    }
}

/// `aria-describedby` of the control `id`: `{id}-hint` when it has a hint, and `{id}-error`.
pub fn described_by(id: &str, hint: bool) -> String {
    if hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// A one-line input (`type` text by default; also `url`, `date`, `datetime-local`, …).
#[component]
pub fn TextField(
    /// The input's id, unique on the page; the hint's and the problem's ids derive from it.
    #[prop(into)]
    id: String,
    /// What the label says, and what opens the field's problems ("Title is required").
    label: &'static str,
    /// A line of help under the control.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The field's problem, already worded; `None` when it is fine.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// What the input shows. For a date or time input, pass a value read once: writing back
    /// what a half-typed time reads as ("") would wipe it. Reset such inputs through `node_ref`.
    #[prop(into)]
    value: Signal<String>,
    /// Each keystroke's value.
    #[prop(into)]
    on_input: Callback<String>,
    /// The value when the person leaves the field after changing it.
    #[prop(optional, into)]
    on_change: Option<Callback<String>>,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// For a number: the least and the most it may be.
    #[prop(optional)]
    range: Option<(u32, u32)>,
    /// While true the input takes no input (and its value is not sent with the form).
    #[prop(optional, into)]
    disabled: Signal<bool>,
    #[prop(optional)] node_ref: NodeRef<html::Input>,
    /// Shown between the hint and the problem (a note that depends on the value).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let frame = Frame {
        id: id.clone(),
        label,
        hint,
        error,
        extra: children,
    };
    let control = view! {
        <input id=id.clone() name=id type=kind required=required maxlength=maxlength
            placeholder=placeholder inputmode=inputmode autocomplete=autocomplete
            min=range.map(|r| r.0) max=range.map(|r| r.1)
            disabled=move || disabled.get() node_ref=node_ref
            aria-describedby=frame.described_by() aria-invalid=frame.invalid()
            prop:value=move || value.get()
            on:input=move |ev| on_input.run(event_target_value(&ev))
            on:change=move |ev| {
                if let Some(on_change) = on_change {
                    on_change.run(event_target_value(&ev));
                }
            }/>
    };
    frame.wrap(control)
}

/// A multi-line text field (without the wording coach: see `CoachedText` for accounts).
#[component]
pub fn TextAreaField(
    /// The textarea's id, unique on the page.
    #[prop(into)]
    id: String,
    /// What the label says, and what opens the field's problems.
    label: &'static str,
    /// A line of help under the control.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The field's problem, already worded; `None` when it is fine.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// What the textarea shows.
    #[prop(into)]
    value: Signal<String>,
    /// Each keystroke's value.
    #[prop(into)]
    on_input: Callback<String>,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] required: bool,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let frame = Frame {
        id: id.clone(),
        label,
        hint,
        error,
        extra: None,
    };
    let control = view! {
        <textarea id=id.clone() name=id rows=rows maxlength=maxlength required=required
            placeholder=placeholder
            aria-describedby=frame.described_by() aria-invalid=frame.invalid()
            prop:value=move || value.get()
            on:input=move |ev| on_input.run(event_target_value(&ev))></textarea>
    };
    frame.wrap(control)
}

/// A choice of one among `options`, `(key, label)` pairs, after a "Choose…" placeholder
/// when `placeholder` is set.
#[component]
pub fn SelectField(
    /// The select's id, unique on the page.
    #[prop(into)]
    id: String,
    /// What the label says, and what opens the field's problems.
    label: &'static str,
    /// A line of help under the control.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The field's problem, already worded; `None` when it is fine.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// The chosen option's key ("" for the placeholder).
    #[prop(into)]
    value: Signal<String>,
    /// The key chosen.
    #[prop(into)]
    on_change: Callback<String>,
    /// The options, in order.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// What the empty first option says; no empty option without it.
    #[prop(optional)]
    placeholder: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let frame = Frame {
        id: id.clone(),
        label,
        hint,
        error,
        extra: None,
    };
    let control = view! {
        <select id=id.clone() name=id required=required
            aria-describedby=frame.described_by() aria-invalid=frame.invalid()
            prop:value=move || value.get()
            on:change=move |ev| on_change.run(event_target_value(&ev))>
            {placeholder.map(|p| view! { <option value="">{p}</option> })}
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|(key, label)| {
                        let selected = {
                            let key = key.clone();
                            move || value.with(|v| *v == key)
                        };
                        view! { <option value=key selected=selected>{label}</option> }
                    })
                    .collect_view()
            }}
        </select>
    };
    frame.wrap(control)
}

/// The options of a keyed enum, for [`SelectField`].
pub fn options<T: Copy>(
    all: impl IntoIterator<Item = T>,
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.into_iter()
        .map(|v| (key(v).to_owned(), label(v).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_control_is_described_by_its_hint_and_its_problem() {
        assert_eq!(described_by("title", false), "title-error");
        assert_eq!(
            described_by("facts-services", true),
            "facts-services-hint facts-services-error"
        );
    }
}
