use leptos::prelude::*;

/// Says how close a list is to the most it may hold (`mosaic_domain::limits`), once it is close,
/// so a person learns of a limit before an addition is refused. Shows nothing further away.
#[component]
pub fn LimitHint(
    /// How many the list holds now.
    #[prop(into)]
    count: Signal<usize>,
    /// The most it may hold.
    max: usize,
    /// What it holds, plural: "timeline entries".
    noun: &'static str,
) -> impl IntoView {
    move || {
        limit_note(count.get(), max, noun)
            .map(|note| view! { <p class="hint limit-hint">{note}</p> })
    }
}

/// The note for `count` of at most `max`, from four fifths of the way on.
fn limit_note(count: usize, max: usize, noun: &str) -> Option<String> {
    if count * 5 < max * 4 {
        return None;
    }
    Some(if count >= max {
        format!("This review holds the most {noun} it can: {max}. Remove one to add another.")
    } else {
        format!(
            "{count} of at most {max} {noun}: room for {} more.",
            max - count
        )
    })
}

#[cfg(test)]
mod tests {
    use super::limit_note;

    #[test]
    fn the_note_appears_near_the_limit_and_says_what_is_left() {
        assert_eq!(limit_note(159, 200, "timeline entries"), None);
        assert_eq!(
            limit_note(160, 200, "timeline entries").as_deref(),
            Some("160 of at most 200 timeline entries: room for 40 more.")
        );
        assert_eq!(
            limit_note(50, 50, "participants").as_deref(),
            Some("This review holds the most participants it can: 50. Remove one to add another.")
        );
    }
}
