use leptos::prelude::*;

use crate::components::shared::guidance::Guidance;

/// "How to write your account": short guidance beside the account editor, for people who have
/// never written one, folded away once read.
#[component]
pub fn AccountGuide() -> impl IntoView {
    view! {
        <Guidance key="account" title="How to write your account">
            <ul class="guidance-list">
                <li>
                    <strong>"Tell it as you lived it."</strong>
                    " Write what you saw, knew and did at the time, in the order it happened, not "
                    "what you found out afterwards. Hindsight makes the path look obvious; your "
                    "account matters because it shows what was not."
                </li>
                <li>
                    <strong>"One entry per moment."</strong>
                    " When it was (a best guess is fine: say so), what happened, what you knew or "
                    "believed, and what you did."
                </li>
                <li>
                    <strong>"Say what you believed, even if it was wrong."</strong>
                    " “I thought it was the database” is often the most useful sentence in a "
                    "review: it shows what the situation looked like from where you stood."
                </li>
                <li>
                    <strong>"Describe what happened, not who to blame."</strong>
                    " “The deploy went out at 10:02” rather than “Sam broke it”. The coach under a "
                    "field suggests blameless wording; it never stops you."
                </li>
                <li>
                    <strong>"Note what made the work harder or easier."</strong>
                    " Add observations for gaps in tools, knowledge or process, for surprises, for "
                    "what helped and for where you were lucky."
                </li>
                <li>
                    <strong>"It stays yours until the reveal."</strong>
                    " Nobody, the facilitator included, reads it until every account is revealed "
                    "at once. Once you submit, it is sealed and can no longer change."
                </li>
            </ul>
            <p class="hint">
                "Most people need 20 to 40 minutes. The reference material beside it is there to "
                "jog your memory, not to copy from."
            </p>
        </Guidance>
    }
}
