//! Question guides: the questions each participant answers in their own account, chosen and
//! edited by the facilitator before accounts open.
//!
//! Writing a blameless account is a skill people learn slowly; a few good questions teach it while
//! they write. A review's [`Guide`] starts as one of the [`BuiltinGuide`]s, written for Mosaic;
//! in Setup the facilitator may pick another, and add, edit, reorder or remove questions. Once
//! accounts open (Investigating) the questions are fixed, so everyone answers the same ones.
//!
//! The answers belong to each participant's [`Account`] and are sealed with it
//! (see [`crate::account::commitment`]); after the reveal, [`answers_by_question`] sets every person's
//! answer to one question side by side.

use crate::account::Account;
use crate::id::{ParticipantId, QuestionId};
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

pub use crate::limits::{MAX_QUESTION_CHARS, MAX_QUESTION_HINT_CHARS};

/// One question of a guide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: QuestionId,
    /// Never empty.
    pub text: String,
    /// A short prompt shown under the question (what to think about); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hint: String,
}

/// The raw fields of a [`Question`], before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    pub text: String,
    #[serde(default)]
    pub hint: String,
}

impl QuestionInput {
    /// The question this input describes, as the guide's editor would store it.
    pub fn into_question(self, id: QuestionId) -> Result<Question, Vec<ValidationError>> {
        self.validate(id)
    }

    pub(crate) fn validate(self, id: QuestionId) -> Result<Question, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let text = self.text.trim().to_owned();
        let hint = self.hint.trim().to_owned();
        crate::text::check_chars(&mut errors, "text", &text);
        crate::text::check_chars(&mut errors, "hint", &hint);
        if text.is_empty() {
            errors.push(ValidationError::new("text", "is required"));
        } else if text.chars().count() > MAX_QUESTION_CHARS {
            errors.push(ValidationError::new(
                "text",
                format!("must be at most {MAX_QUESTION_CHARS} characters"),
            ));
        }
        if hint.chars().count() > MAX_QUESTION_HINT_CHARS {
            errors.push(ValidationError::new(
                "hint",
                format!("must be at most {MAX_QUESTION_HINT_CHARS} characters"),
            ));
        }
        if errors.is_empty() {
            Ok(Question { id, text, hint })
        } else {
            Err(errors)
        }
    }
}

impl Question {
    /// The raw fields, for a form that edits this question.
    pub fn to_input(&self) -> QuestionInput {
        QuestionInput {
            text: self.text.clone(),
            hint: self.hint.clone(),
        }
    }
}

crate::keyed_enum! {
    /// The guides Mosaic ships with.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum BuiltinGuide {
        /// A few questions that suit most incidents: the default for a new review.
        Default = ("default", "Mosaic's guide"),
        /// Interview-style, in the spirit of the critical decision method: what people looked at,
        /// expected, found surprising and hard, at the moments that mattered.
        Interview = ("interview", "Interview (decision points)"),
        /// Three short questions, for a small incident or a busy week.
        Lightweight = ("lightweight", "Lightweight"),
    }
}

impl BuiltinGuide {
    /// When to choose it, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            Self::Default => "Five questions that suit most incidents.",
            Self::Interview => {
                "Seven questions that walk each person through the moments they decided \
                 something, in the spirit of the critical decision method."
            }
            Self::Lightweight => "Three short questions, for a small incident or a busy week.",
        }
    }

    /// The guide's questions, with ids of the form `{key}-{n}`.
    pub fn questions(self) -> Vec<Question> {
        let texts: &[(&str, &str)] = match self {
            Self::Default => &[
                (
                    "How did you first learn that something was wrong?",
                    "Where were you, what did you see or hear, and when?",
                ),
                (
                    "What did you expect to happen, and what happened instead?",
                    "Expectations are what made your actions sensible at the time.",
                ),
                (
                    "What made this hard to handle?",
                    "Missing information, noisy signals, time pressure, tools, unclear ownership…",
                ),
                (
                    "What helped?",
                    "A person, a dashboard, a runbook, a habit, a lucky coincidence.",
                ),
                (
                    "What would you want the next person in your place to know?",
                    "",
                ),
            ],
            Self::Interview => &[
                (
                    "What were you looking at when you decided what to do?",
                    "Dashboards, logs, messages, people: name what you actually had in front of you.",
                ),
                (
                    "What did you expect to see, and why?",
                    "What you knew from past incidents, from the system's design, from others.",
                ),
                (
                    "What surprised you?",
                    "The moment the situation stopped matching what you thought was going on.",
                ),
                (
                    "Was there a moment you weighed options? What were they, and what tipped it?",
                    "",
                ),
                (
                    "What made it hard?",
                    "Ambiguous signals, time pressure, competing goals, missing access…",
                ),
                ("What helped?", ""),
                (
                    "What would a newcomer need to know to handle this?",
                    "Knowledge that lives in people's heads is worth writing down here.",
                ),
            ],
            Self::Lightweight => &[
                ("What happened, in your own words?", ""),
                ("What surprised you?", ""),
                ("What helped?", ""),
            ],
        };
        texts
            .iter()
            .enumerate()
            .map(|(i, (text, hint))| Question {
                id: QuestionId::parse(&format!("{}-{}", self.key(), i + 1))
                    .expect("a built-in id is valid"),
                text: (*text).to_owned(),
                hint: (*hint).to_owned(),
            })
            .collect()
    }
}

/// A review's question guide: the questions in the order participants see them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// The built-in guide it started from; `None` for a review stored before guides existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<BuiltinGuide>,
    #[serde(default)]
    pub questions: Vec<Question>,
}

impl Guide {
    pub fn builtin(guide: BuiltinGuide) -> Self {
        Self {
            based_on: Some(guide),
            questions: guide.questions(),
        }
    }

    /// No questions and no built-in guide: a review stored before guides existed.
    pub fn is_empty(&self) -> bool {
        self.based_on.is_none() && self.questions.is_empty()
    }

    pub fn question(&self, id: &QuestionId) -> Option<&Question> {
        self.questions.iter().find(|q| &q.id == id)
    }

    /// Whether the questions are still exactly those of the guide it started from.
    pub fn is_unchanged(&self) -> bool {
        self.based_on
            .is_some_and(|g| g.questions() == self.questions)
    }
}

/// One question and every revealed person's answer to it, in the order of `accounts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionAnswers {
    pub question: Question,
    /// Who answered and what; people who left it empty are not listed.
    pub answers: Vec<(ParticipantId, String)>,
}

/// The guide's questions in order, each with every answer from `accounts` (pass
/// [`Revealed::accounts`](crate::Revealed::accounts), so only sealed, revealed accounts are
/// combined).
pub fn answers_by_question(guide: &Guide, accounts: &[&Account]) -> Vec<QuestionAnswers> {
    guide
        .questions
        .iter()
        .map(|q| QuestionAnswers {
            question: q.clone(),
            answers: accounts
                .iter()
                .filter_map(|a| {
                    a.answer(&q.id)
                        .map(|text| (a.participant_id().clone(), text.to_owned()))
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{pid, review_in, t};
    use crate::limits::MAX_QUESTIONS;
    use crate::phase::Phase;
    use crate::review::{EditError, Review};

    fn qid(s: &str) -> QuestionId {
        QuestionId::parse(s).unwrap()
    }

    fn input(text: &str) -> QuestionInput {
        QuestionInput {
            text: text.into(),
            hint: String::new(),
        }
    }

    fn texts(review: &Review) -> Vec<&str> {
        review
            .guide()
            .questions
            .iter()
            .map(|q| q.text.as_str())
            .collect()
    }

    #[test]
    fn builtin_guides_have_distinct_valid_questions() {
        for guide in BuiltinGuide::ALL {
            let questions = guide.questions();
            assert!(questions.len() >= 3, "{guide:?}");
            assert_eq!(BuiltinGuide::from_key(guide.key()), Some(guide));
            for q in &questions {
                let valid = q.to_input().validate(q.id.clone()).unwrap();
                assert_eq!(
                    &valid, q,
                    "a built-in question is as the editor would store it"
                );
            }
            let mut ids: Vec<_> = questions.iter().map(|q| q.id.clone()).collect();
            ids.dedup();
            assert_eq!(ids.len(), questions.len());
        }
        let interview: Vec<String> = BuiltinGuide::Interview
            .questions()
            .into_iter()
            .map(|q| q.text)
            .collect();
        for asked in [
            "What were you looking at",
            "What did you expect",
            "What surprised you",
            "What made it hard",
            "What helped",
            "What would a newcomer need to know",
        ] {
            assert!(interview.iter().any(|q| q.starts_with(asked)), "{asked}");
        }
    }

    #[test]
    fn a_new_review_starts_with_the_default_guide() {
        let (review, _) = review_in(Phase::Setup);
        assert_eq!(review.guide(), &Guide::builtin(BuiltinGuide::Default));
        assert!(review.guide().is_unchanged());
    }

    #[test]
    fn the_facilitator_picks_adds_edits_reorders_and_removes_questions() {
        let (mut review, _) = review_in(Phase::Setup);
        review
            .use_guide(BuiltinGuide::Lightweight, t(12, 0))
            .unwrap();
        assert_eq!(
            texts(&review),
            [
                "What happened, in your own words?",
                "What surprised you?",
                "What helped?"
            ]
        );
        review
            .add_question(qid("c1"), input("  Which alert woke you?  "), t(12, 1))
            .unwrap();
        assert!(!review.guide().is_unchanged());
        review
            .update_question(
                &qid("lightweight-2"),
                input("What surprised you most?"),
                t(12, 2),
            )
            .unwrap();
        review.move_question(&qid("c1"), 0, t(12, 3)).unwrap();
        review
            .remove_question(&qid("lightweight-3"), t(12, 4))
            .unwrap();
        assert_eq!(
            texts(&review),
            [
                "Which alert woke you?",
                "What happened, in your own words?",
                "What surprised you most?"
            ]
        );
        review.move_question(&qid("c1"), 99, t(12, 5)).unwrap();
        assert_eq!(texts(&review)[2], "Which alert woke you?");

        let refusals = [
            (
                review
                    .clone()
                    .add_question(qid("c1"), input("again"), t(13, 0)),
                "the id c1 is already in use",
            ),
            (
                review
                    .clone()
                    .add_question(qid("c2"), input("  "), t(13, 0)),
                "invalid input: text is required",
            ),
            (
                review
                    .clone()
                    .update_question(&qid("nope"), input("x"), t(13, 0)),
                "nothing in this review has the id nope",
            ),
            (
                review
                    .clone()
                    .add_question(qid("c3"), input(&"x".repeat(301)), t(13, 0)),
                "invalid input: text must be at most 300 characters",
            ),
        ];
        for (result, expected) in refusals {
            assert_eq!(result.unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn questions_are_fixed_once_accounts_open() {
        for phase in Phase::ALL {
            let (mut review, _) = review_in(phase);
            let results = [
                review.clone().use_guide(BuiltinGuide::Interview, t(20, 0)),
                review.clone().add_question(qid("n"), input("q"), t(20, 0)),
                review
                    .clone()
                    .update_question(&qid("default-1"), input("q"), t(20, 0)),
                review.clone().move_question(&qid("default-1"), 2, t(20, 0)),
                review.remove_question(&qid("default-1"), t(20, 0)),
            ];
            for result in results {
                match phase {
                    Phase::Setup => assert_eq!(result, Ok(())),
                    _ => assert_eq!(result, Err(EditError::Locked { phase })),
                }
            }
        }
    }

    #[test]
    fn a_guide_is_full_at_its_limit() {
        let (mut review, _) = review_in(Phase::Setup);
        let room = MAX_QUESTIONS - review.guide().questions.len();
        for i in 0..room {
            review
                .add_question(qid(&format!("q{i}")), input("q"), t(12, 0))
                .unwrap();
        }
        let extra = review.add_question(qid("more"), input("q"), t(12, 0));
        assert_eq!(
            extra.unwrap_err().to_string(),
            "invalid input: questions are limited to 20 per review"
        );
    }

    #[test]
    fn answers_line_up_per_question_in_guide_order() {
        let (review, _) = review_in(Phase::Setup);
        let mut accounts: Vec<Account> = ["alice", "bob"]
            .into_iter()
            .map(|p| Account::new(review.id.clone(), pid(p)))
            .collect();
        accounts[0]
            .set_answer(qid("default-4"), "the rollback script")
            .unwrap();
        accounts[1]
            .set_answer(qid("default-4"), "Alice's message")
            .unwrap();
        accounts[1]
            .set_answer(qid("default-1"), "the pager")
            .unwrap();
        // An answer to a question no longer in the guide is kept in the account, not listed.
        accounts[1].set_answer(qid("gone"), "old").unwrap();
        let refs: Vec<&Account> = accounts.iter().collect();
        let lined = answers_by_question(review.guide(), &refs);
        assert_eq!(lined.len(), 5);
        assert_eq!(lined[0].answers, [(pid("bob"), "the pager".to_owned())]);
        assert!(lined[1].answers.is_empty());
        assert_eq!(
            lined[3].answers,
            [
                (pid("alice"), "the rollback script".to_owned()),
                (pid("bob"), "Alice's message".to_owned())
            ]
        );
    }

    #[test]
    fn reviews_stored_before_guides_load_without_questions() {
        let (review, _) = review_in(Phase::Setup);
        let mut json = serde_json::to_value(&review).unwrap();
        json.as_object_mut().unwrap().remove("guide");
        let old: Review = serde_json::from_value(json).unwrap();
        assert_eq!(old.guide(), &Guide::default());
        assert!(!old.guide().is_unchanged());
    }
}
