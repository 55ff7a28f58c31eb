use leptos::prelude::*;
use mosaic_domain::feed::{Audience, Section};
use mosaic_domain::{ReviewOp, ValidationError};

use crate::components::shared::edits::{WHOLE_FORM, field_message, save_review_op};
use crate::components::shared::field::TextField;
use crate::workspace::Workspace;

/// The facilitator's choices for publishing: the tags readers can filter the feed by, and for
/// each section whether the whole organisation may read it or only the review's team. Saved as
/// they are made, like the summary; the preview below shows the result.
#[component]
pub fn PublicationForm() -> impl IntoView {
    let ws = expect_context::<Workspace>();
    // The tags as typed: the review stores them normalised (trimmed, without repeats), so the
    // field can't be bound to them directly.
    let text = RwSignal::new(
        ws.review
            .with_untracked(|r| r.publication().tags().join(", ")),
    );
    let tag_errors = RwSignal::new(Vec::<ValidationError>::new());
    let audience_errors = RwSignal::new(Vec::<ValidationError>::new());
    let audience = move || ws.review.with(|r| r.publication().audience().clone());

    let on_tags = move |value: String| {
        text.set(value.clone());
        let audience = ws
            .review
            .with_untracked(|r| r.publication().audience().clone());
        let op = ReviewOp::SetPublication {
            tags: split_tags(&value),
            audience,
        };
        tag_errors.set(save_review_op(ws, op));
    };
    let choose = move |section: Section, choice: Audience| {
        // The stored tags, not the typed ones: a tag being typed may not be valid yet, and its
        // problem stays shown beside the field.
        let (tags, mut audience) = ws.review.with_untracked(|r| {
            let p = r.publication();
            (p.tags().to_vec(), p.audience().clone())
        });
        audience.set(section, choice);
        audience_errors.set(save_review_op(
            ws,
            ReviewOp::SetPublication { tags, audience },
        ));
    };

    view! {
        <div class="publication-form">
            <TextField id="finding-tags" label="Tags" autocomplete="off"
                hint="Separate tags with commas, such as “payments, disk space”. Readers of the findings feed can filter by them. Up to 12, each up to 40 characters."
                value=text on_input=on_tags
                error=Signal::derive(move || {
                    tag_errors.with(|e| {
                        field_message(e, "tags", "Tags").or_else(|| field_message(e, WHOLE_FORM, ""))
                    })
                })/>
            <fieldset class="audience-choices">
                <legend>"Who may read each section on the findings feed"</legend>
                <p class="hint">
                    "The title, team, services, severity, tags and dates are always shown. A "
                    "section kept to the team is shown only to people in this review."
                </p>
                {Section::ALL
                    .into_iter()
                    .map(|section| {
                        let name = format!("audience-{}", section_key(section));
                        view! {
                            <fieldset class="audience-row">
                                <legend>{section.label()}</legend>
                                {[Audience::Organisation, Audience::Team]
                                    .into_iter()
                                    .map(|choice| {
                                        let id = format!("{name}-{}", choice.key());
                                        view! {
                                            <span class="choice">
                                                <input type="radio" id=id.clone() name=name.clone()
                                                    value=choice.key()
                                                    prop:checked=move || audience().get(section) == choice
                                                    on:change=move |_| choose(section, choice)/>
                                                <label for=id>{choice.label()}</label>
                                            </span>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                        }
                    })
                    .collect_view()}
                <p class="form-error" aria-live="polite">
                    {move || audience_errors.with(|e| field_message(e, WHOLE_FORM, ""))}
                </p>
            </fieldset>
        </div>
    }
}

/// Tags as a person types them: separated by commas. The domain trims them and drops empty
/// ones and repeats.
fn split_tags(text: &str) -> Vec<String> {
    text.split(',').map(str::to_owned).collect()
}

/// A section's name in form element ids.
fn section_key(section: Section) -> &'static str {
    match section {
        Section::Summary => "summary",
        Section::Unfolded => "unfolded",
        Section::KeyInsights => "key_insights",
        Section::Factors => "factors",
        Section::Surprises => "surprises",
        Section::KnowledgeGaps => "knowledge_gaps",
        Section::Helped => "helped",
        Section::Lucky => "lucky",
        Section::Actions => "actions",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_on_commas_only() {
        assert_eq!(
            split_tags("payments, disk space,,"),
            ["payments", " disk space", "", ""]
        );
        assert_eq!(split_tags(""), [""]);
    }
}
