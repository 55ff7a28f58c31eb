//! The blameless-language coach: points at wording that judges people in hindsight and offers a
//! reframing, as the participant writes.
//!
//! The rules are data ([`RULES`]): each names the phrases it looks for, when they count, why
//! they matter and what to write instead. Matching is by whole words, case-insensitive, with
//! either apostrophe (' or ’), and a phrase's words must follow each other within one phrase (a
//! comma or full stop between them breaks the match). Hand-rolled rather than regular
//! expressions, to keep the WebAssembly download small.

use crate::text::{self, Gap, Word};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// One rule of the coach.
///
/// `Serialize` only: the table is static data, never read from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable: the UI may key help pages or "don't show again" settings on it.
    pub id: &'static str,
    /// Phrases of one or more words, lowercase, with straight apostrophes.
    pub patterns: &'static [&'static str],
    pub when: When,
    /// Why this wording works against a blameless review.
    pub explanation: &'static str,
    /// What to write or ask instead.
    pub suggestion: &'static str,
}

/// When a rule's phrase counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Always,
    /// A counterfactual: not when a determiner follows, since "we should have a runbook" looks
    /// forward, while "I should have checked" judges the past.
    Counterfactual,
    /// Only when a person is the subject: right after a personal pronoun (not "it" or "they",
    /// which are as often systems), a word for a person ("engineer", "on-call") or a
    /// participant's name, with at most one adverb between. "The service failed to connect"
    /// doesn't count.
    PersonSubject,
    /// Only right after a participant's name, with at most one adverb between: the hint covers
    /// the name too ("Alice broke").
    NamedSubject,
    /// Only when a colleague is the subject: a participant's name, or a word written like a
    /// given name ("Ben", "Priya") that is not a pronoun or another common sentence opener,
    /// right before the phrase (at most one adverb between), and, as for counterfactuals, not
    /// when a determiner follows ("Ben should have a runbook" looks forward). The hint covers
    /// the name too.
    ColleagueSubject,
    /// "just" that makes work sound trivial ("just restart it"), not "just" meaning recently or
    /// barely: not after have/has/had/only, not before a time word ("just now", "just before"),
    /// not before a past-tense verb ("we just deployed"), and not at the end.
    Minimising,
}

/// Every rule, in the order their hints are listed when two start at the same place.
pub static RULES: &[Rule] = &[
    Rule {
        id: "should_have",
        patterns: &[
            "should have",
            "should've",
            "shouldve",
            "shouldn't have",
            "should not have",
        ],
        when: When::Counterfactual,
        explanation: "\"Should have\" describes a world that didn't happen, judged with \
                      knowledge nobody had at the time.",
        suggestion: "Describe what happened and what made it make sense at the time: \
                     \"I did X because I believed Y.\"",
    },
    Rule {
        id: "could_have",
        patterns: &["could have", "could've", "couldve"],
        when: When::Counterfactual,
        explanation: "\"Could have\" measures what happened against a hindsight ideal.",
        suggestion: "What made this make sense at the time? What would have had to be \
                     different for another choice to look right?",
    },
    Rule {
        id: "failed_to",
        patterns: &["failed to"],
        when: When::PersonSubject,
        explanation: "\"Failed to\" frames a person's action as a deficiency instead of \
                      asking what they were attending to.",
        suggestion: "Say what they did and what had their attention: \"I was focused on X, \
                     so Y didn't happen.\"",
    },
    Rule {
        id: "human_error",
        patterns: &[
            "human error",
            "human errors",
            "operator error",
            "operator errors",
        ],
        when: When::Always,
        explanation: "\"Human error\" ends the inquiry where it should start.",
        suggestion: "Ask what made the action reasonable at the time, and what in the \
                     system let it cause harm.",
    },
    Rule {
        id: "careless",
        patterns: &["careless", "carelessly", "carelessness"],
        when: When::Always,
        explanation: "\"Careless\" judges a person's character; people generally do what \
                      makes sense with what they know.",
        suggestion: "Describe the conditions: time pressure, competing goals, missing \
                     signals.",
    },
    Rule {
        id: "negligent",
        patterns: &["negligent", "negligently", "negligence"],
        when: When::Always,
        explanation: "\"Negligent\" is a verdict, and verdicts stop people from telling \
                      what really happened.",
        suggestion: "Describe what the person knew, what they were trying to do, and what \
                     got in the way.",
    },
    Rule {
        id: "root_cause",
        patterns: &["root cause"],
        when: When::Always,
        explanation: "Incidents rarely have one root cause; naming one stops the search for \
                      the others.",
        suggestion: "Talk about contributing factors: \"One factor was…\"",
    },
    Rule {
        id: "obviously",
        patterns: &["obviously", "obvious"],
        when: When::Always,
        explanation: "What is obvious in hindsight often wasn't at the time.",
        suggestion: "What made this make sense at the time? What did the situation look \
                     like from inside it?",
    },
    Rule {
        id: "just",
        patterns: &["just"],
        when: When::Minimising,
        explanation: "\"Just\" makes work sound trivial, and hides why it wasn't done.",
        suggestion: "Drop \"just\", or say what made it harder than it sounds.",
    },
    Rule {
        id: "why_didnt",
        patterns: &["why didn't", "why didnt", "why did not"],
        when: When::Always,
        explanation: "\"Why didn't…\" asks someone to defend themselves.",
        suggestion: "Ask \"What did you see at that point?\" or \"What made this make sense \
                     at the time?\"",
    },
    Rule {
        id: "forgot_to",
        patterns: &["forgot to", "forgotten to"],
        when: When::Always,
        explanation: "A lapse of memory is a symptom: the question is what the work relied \
                      on memory for.",
        suggestion: "Describe what prompted the step, or didn't: \"Nothing reminded me \
                     to…\"",
    },
    Rule {
        id: "didnt_bother",
        patterns: &[
            "didn't bother",
            "didnt bother",
            "did not bother",
            "couldn't be bothered",
        ],
        when: When::PersonSubject,
        explanation: "\"Didn't bother\" assumes a choice not to care.",
        suggestion: "Describe the trade-off: what else was competing for time and \
                     attention?",
    },
    Rule {
        id: "named_mistake",
        patterns: &[
            "broke",
            "forgot",
            "missed",
            "ignored",
            "messed",
            "screwed",
            "botched",
            "overlooked",
            "skipped",
            "neglected",
            "failed",
            "misconfigured",
            "mistyped",
            "fat-fingered",
            "caused",
            "didn't",
            "did not",
        ],
        when: When::NamedSubject,
        explanation: "Naming a person as the subject of a mistake puts the person, not the \
                      system, at the centre of the story.",
        suggestion: "Describe the action and its context without the name: \"The deploy at \
                     10:02 included…\", \"The config change removed…\"",
    },
    Rule {
        id: "named_colleague",
        patterns: &[
            "should have",
            "should've",
            "shouldve",
            "shouldn't have",
            "should not have",
            "could have",
            "could've",
            "couldve",
            "failed to",
            "forgot to",
        ],
        when: When::ColleagueSubject,
        explanation: "Naming a colleague makes the account about a person: readers remember \
                      the name, and the conditions that shaped the work drop out of the story.",
        suggestion: "Describe the role and the situation instead: \"The on-call engineer, \
                     paged at 03:00 with two alerts open, …\"",
    },
];

/// Wording the coach flagged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    /// Byte range in the checked text.
    pub range: Range<usize>,
    pub rule_id: String,
    /// The flagged text as written.
    pub matched: String,
    pub explanation: String,
    pub suggestion: String,
}

const PRONOUNS: &[&str] = &[
    "i",
    "we",
    "you",
    "he",
    "she",
    "someone",
    "somebody",
    "nobody",
    "no-one",
    "everyone",
    "everybody",
    "anyone",
    "anybody",
];

const PERSON_NOUNS: &[&str] = &[
    "engineer",
    "engineers",
    "operator",
    "operators",
    "on-call",
    "oncall",
    "on-caller",
    "responder",
    "responders",
    "developer",
    "developers",
    "dev",
    "devs",
    "sre",
    "sres",
    "admin",
    "admins",
    "team",
    "human",
    "humans",
    "person",
    "people",
    "facilitator",
    "reviewer",
    "manager",
    "lead",
    "commander",
];

/// Adverbs allowed between a subject and its verb: "I also failed to", "Bob accidentally broke".
const ADVERBS: &[&str] = &[
    "also",
    "then",
    "just",
    "again",
    "completely",
    "totally",
    "simply",
    "clearly",
    "obviously",
    "accidentally",
    "apparently",
    "initially",
    "still",
    "never",
    "already",
    "probably",
];

const DETERMINERS: &[&str] = &[
    "a", "an", "the", "some", "any", "more", "less", "fewer", "no", "one", "our", "their", "its",
    "my", "your", "this", "that", "these", "those", "enough",
];

/// Capitalised words that open sentences without naming anyone: not taken for a colleague's
/// name before "should have" ("It should have", "Nobody could have").
const NOT_NAMES: &[&str] = &[
    "it",
    "they",
    "there",
    "this",
    "that",
    "these",
    "those",
    "which",
    "who",
    "what",
    "then",
    "maybe",
    "perhaps",
    "surely",
    "also",
    "so",
    "but",
    "and",
    "or",
    "nothing",
    "something",
    "everything",
    "none",
    "alerting",
    "monitoring",
    "nobody",
    "somebody",
];

/// Words before "just" that make it mean recently or barely.
const RECENCY: &[&str] = &["had", "has", "have", "only"];

/// Words after "just" that make it about time or degree.
const TIME_WORDS: &[&str] = &[
    "now", "then", "before", "after", "as", "when", "since", "about", "around", "under", "over",
    "past", "in", "like", "enough", "once", "barely", "got", "recently",
];

/// One phrase of one rule, split into words once.
struct Phrase {
    /// The rule's place in [`RULES`], which orders hints that start and end alike.
    order: usize,
    rule: &'static Rule,
    words: Vec<&'static str>,
}

/// Every rule's phrases, split into words and filed under their first word, built once: a
/// check then looks at each word of the text once, instead of scanning the text for each of
/// the sixty-odd phrases.
fn phrases() -> &'static HashMap<&'static str, Vec<Phrase>> {
    static PHRASES: OnceLock<HashMap<&'static str, Vec<Phrase>>> = OnceLock::new();
    PHRASES.get_or_init(|| {
        let mut by_first: HashMap<&'static str, Vec<Phrase>> = HashMap::new();
        for (order, rule) in RULES.iter().enumerate() {
            for pattern in rule.patterns {
                let words: Vec<&'static str> = pattern.split(' ').collect();
                by_first
                    .entry(words[0])
                    .or_default()
                    .push(Phrase { order, rule, words });
            }
        }
        by_first
    })
}

/// The hints for `text`, ordered by where they start. `participant_names` are the review's
/// participants' names (full names; any part of one counts as the name).
pub fn check<S: AsRef<str>>(text: &str, participant_names: &[S]) -> Vec<Hint> {
    check_with(text, &Names::new(participant_names))
}

/// The review's participants' names as the coach compares words with them: every part of every
/// name, in lower case. Made once per review, not once per field checked: a page may check
/// hundreds of fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names(Vec<String>);

impl Names {
    pub fn new<S: AsRef<str>>(participant_names: &[S]) -> Self {
        Self(
            participant_names
                .iter()
                .flat_map(|n| text::words(n.as_ref()).into_iter().map(|w| w.lower))
                .collect(),
        )
    }
}

/// [`check`] with the names already made.
pub fn check_with(text: &str, names: &Names) -> Vec<Hint> {
    let words = text::words(text);
    if words.is_empty() {
        return Vec::new();
    }
    let ctx = Context {
        words: &words,
        name_parts: &names.0,
    };
    let phrases = phrases();
    let mut hints = Vec::new();
    for start in 0..words.len() {
        let Some(candidates) = phrases.get(words[start].lower.as_str()) else {
            continue;
        };
        for phrase in candidates {
            let end = start + phrase.words.len();
            let follows = end <= words.len()
                && phrase.words[1..]
                    .iter()
                    .zip(&words[start + 1..end])
                    .all(|(p, w)| w.gap == Gap::Space && w.lower == *p);
            if !follows {
                continue;
            }
            let Some(first) = ctx.applies(phrase.rule.when, start, end) else {
                continue;
            };
            let range = words[first].range.start..words[end - 1].range.end;
            hints.push((
                phrase.order,
                Hint {
                    matched: text[range.clone()].to_owned(),
                    range,
                    rule_id: phrase.rule.id.to_owned(),
                    explanation: phrase.rule.explanation.to_owned(),
                    suggestion: phrase.rule.suggestion.to_owned(),
                },
            ));
        }
    }
    hints.sort_by_key(|(order, h)| (h.range.start, h.range.end, *order));
    hints.into_iter().map(|(_, h)| h).collect()
}

struct Context<'a, 'w> {
    words: &'a [Word<'w>],
    name_parts: &'a [String],
}

impl Context<'_, '_> {
    /// Whether a match of words `start..end` counts under `when`; if so, the index of the
    /// first word the hint covers.
    fn applies(&self, when: When, start: usize, end: usize) -> Option<usize> {
        let next = self.words.get(end).filter(|w| w.gap == Gap::Space);
        let next_is = |set: &[&str]| next.is_some_and(|w| set.contains(&w.lower.as_str()));
        match when {
            When::Always => Some(start),
            When::Counterfactual => (!next_is(DETERMINERS)).then_some(start),
            When::PersonSubject => {
                let subject = self.subject_before(start)?;
                let w = &self.words[subject].lower;
                let person = PRONOUNS.contains(&w.as_str())
                    || PERSON_NOUNS.contains(&w.as_str())
                    || self.is_name(subject);
                person.then_some(start)
            }
            When::NamedSubject => {
                let mut first = self.subject_before(start)?;
                if !self.is_name(first) {
                    return None;
                }
                // Take in the rest of a full name: "Alice Smith broke".
                while first > 0 && self.words[first].gap == Gap::Space && self.is_name(first - 1) {
                    first -= 1;
                }
                Some(first)
            }
            When::ColleagueSubject => {
                if next_is(DETERMINERS) {
                    return None;
                }
                let mut first = self.subject_before(start)?;
                if !(self.is_name(first) || self.looks_like_name(first)) {
                    return None;
                }
                while first > 0
                    && self.words[first].gap == Gap::Space
                    && (self.is_name(first - 1) || self.looks_like_name(first - 1))
                {
                    first -= 1;
                }
                Some(first)
            }
            When::Minimising => {
                let previous = start
                    .checked_sub(1)
                    .map(|p| &self.words[p])
                    .filter(|_| self.words[start].gap == Gap::Space);
                let recency = previous.is_some_and(|w| {
                    RECENCY.contains(&w.lower.as_str())
                        || w.lower.ends_with("'ve")
                        || w.lower.ends_with("'d")
                });
                let past_tense = next.is_some_and(|w| w.lower.ends_with("ed"));
                let quiet = recency || next.is_none() || next_is(TIME_WORDS) || past_tense;
                (!quiet).then_some(start)
            }
        }
    }

    /// The index of the word that is the subject of the verb at `verb`: the word right before
    /// it in the same phrase, or the one before that if the word between is an adverb.
    fn subject_before(&self, verb: usize) -> Option<usize> {
        let before = |i: usize| (i > 0 && self.words[i].gap == Gap::Space).then(|| i - 1);
        let s = before(verb)?;
        if ADVERBS.contains(&self.words[s].lower.as_str()) && !self.is_name(s) {
            return before(s);
        }
        Some(s)
    }

    fn is_name(&self, i: usize) -> bool {
        self.name_parts.contains(&self.words[i].lower)
    }

    /// Written like a given name: a capital, then lowercase letters only ("Ben", not "DNS"
    /// or "I"), and none of the words that open sentences without naming a person.
    fn looks_like_name(&self, i: usize) -> bool {
        let word = &self.words[i];
        let raw = &word.lower;
        let mut chars = word.text.chars();
        let capitalised = chars.next().is_some_and(char::is_uppercase)
            && word.text.chars().count() > 1
            && chars.all(char::is_lowercase);
        capitalised
            && ![PRONOUNS, PERSON_NOUNS, DETERMINERS, ADVERBS, NOT_NAMES]
                .iter()
                .any(|set| set.contains(&raw.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["Alice Smith", "Bob"];

    /// Renders the hints of `text` as `rule_id: matched` lines.
    fn render(text: &str) -> String {
        check(text, NAMES)
            .iter()
            .map(|h| {
                assert_eq!(&text[h.range.clone()], h.matched);
                format!("{}: {}", h.rule_id, h.matched)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// (rule, texts where it fires with the matched text, texts where it must stay quiet)
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static [&'static str],
    );

    const CASES: &[Case] = &[
        (
            "should_have",
            &[
                ("I should have checked the graph", "should have"),
                ("We Should Have rolled back", "Should Have"),
                ("she should've known", "should've"),
                ("she shouldve known", "shouldve"),
                ("he should’ve paged", "should’ve"),
                ("we shouldn't have merged", "shouldn't have"),
                ("we should not have merged", "should not have"),
                ("I know I should have.", "should have"),
            ],
            &[
                "we should have a runbook for this",
                "we should have the alert page the team",
                "should, in hindsight, have",
                "we should. Have a look",
                "shoulder haversack",
            ],
        ),
        (
            "could_have",
            &[
                ("I could have rolled back sooner", "could have"),
                ("they could've waited", "could've"),
            ],
            &[
                "we could have a canary stage",
                "could, have",
                "I could halve it",
            ],
        ),
        (
            "failed_to",
            &[
                ("I failed to notice the alert", "failed to"),
                ("we failed to", "failed to"),
                ("The on-call failed to escalate", "failed to"),
                ("the engineer also failed to check", "failed to"),
                ("Bob failed to see it", "failed to"),
                ("alice failed to page", "failed to"),
            ],
            &[
                "the service failed to connect",
                "The deploy failed to roll out",
                "the pods restarted but they failed to come up",
                "it failed to start",
                "Failed to connect to db-primary",
                "I retried. Failed to connect again",
                "I saw: failed to connect",
                "we failed, to be fair",
            ],
        ),
        (
            "human_error",
            &[
                ("this was human error", "human error"),
                ("Human Errors happen", "Human Errors"),
                ("classic operator error", "operator error"),
            ],
            &[
                "a human, error rates rose",
                "humane error handling",
                "error by a human",
            ],
        ),
        (
            "careless",
            &[
                ("a careless change", "careless"),
                ("Carelessly merged", "Carelessly"),
                ("pure carelessness", "carelessness"),
            ],
            &["we cared less about latency", "care-less"],
        ),
        (
            "negligent",
            &[
                ("that was negligent", "negligent"),
                ("gross negligence", "negligence"),
            ],
            &["negligible impact", "the risk was negligible"],
        ),
        (
            "root_cause",
            &[
                ("The root cause was DNS", "root cause"),
                ("a ROOT CAUSE", "ROOT CAUSE"),
            ],
            &[
                "several root causes",
                "root, cause",
                "rooted cause",
                "the root of the cause",
            ],
        ),
        (
            "obviously",
            &[
                ("Obviously the cache was stale", "Obviously"),
                ("it was obvious", "obvious"),
            ],
            &[
                "it was non-obvious",
                "an obvious-looking graph",
                "oblivious",
            ],
        ),
        (
            "just",
            &[
                ("just restart the pod", "just"),
                ("You could Just roll back", "Just"),
                ("it was just a config change", "just"),
            ],
            &[
                "we had just deployed",
                "I've just rolled back",
                "I’d just logged in",
                "only just made it",
                "just now",
                "just before 10:00",
                "we just deployed a fix",
                "I just got paged",
                "adjust the limits",
                "justice",
                "that is just.",
            ],
        ),
        (
            "why_didnt",
            &[
                ("Why didn't anyone page?", "Why didn't"),
                ("why didnt the alert fire", "why didnt"),
                ("WHY DID NOT the check run", "WHY DID NOT"),
            ],
            &[
                "why did the alert fire",
                "why, didn't it",
                "that is why. Didn't matter",
            ],
        ),
        (
            "forgot_to",
            &[
                ("I forgot to update the runbook", "forgot to"),
                ("had forgotten to renew", "forgotten to"),
            ],
            &[
                "don't forget to renew",
                "I forgot, to be honest",
                "the forgotten token",
            ],
        ),
        (
            "didnt_bother",
            &[
                ("nobody didn't bother to check", "didn't bother"),
                ("I didnt bother", "didnt bother"),
                ("he did not bother", "did not bother"),
                ("Bob couldn't be bothered", "couldn't be bothered"),
            ],
            &[
                "it didn't bother me that",
                "the noise didn't bother anyone",
                "I didn't, bother",
                "bothered by noise",
            ],
        ),
        (
            "named_mistake",
            &[
                ("Alice broke prod", "Alice broke"),
                ("Bob forgot the flag", "Bob forgot"),
                (
                    "Alice Smith misconfigured the LB",
                    "Alice Smith misconfigured",
                ),
                ("Bob accidentally broke the build", "Bob accidentally broke"),
                ("bob didn't check", "bob didn't"),
                ("Smith caused it", "Smith caused"),
            ],
            &[
                "Alice restarted the service",
                "the deploy broke Alice's dashboard",
                "Carol broke prod",
                "Bob, who forgot nothing",
                "Alice's script failed",
            ],
        ),
        (
            "named_colleague",
            &[
                ("Ben should have rolled back", "Ben should have"),
                ("Then Priya failed to page anyone", "Priya failed to"),
                ("Bob could've waited", "Bob could've"),
                ("Alice Smith forgot to renew it", "Alice Smith forgot to"),
                (
                    "so Ben also should not have merged",
                    "Ben also should not have",
                ),
            ],
            &[
                "I should have checked",
                "It should have failed over",
                "We could have waited",
                "Nobody could have known",
                "DNS should have answered",
                "Ben should have a runbook",
                "the service failed to connect",
                "Ben restarted the pod",
            ],
        ),
    ];

    #[test]
    fn every_rule_fires_and_stays_quiet_where_it_should() {
        for (rule, fires, quiet) in CASES {
            for (text, matched) in *fires {
                let hints = check(text, NAMES);
                let found: Vec<&str> = hints
                    .iter()
                    .filter(|h| h.rule_id == *rule)
                    .map(|h| h.matched.as_str())
                    .collect();
                assert_eq!(found, [*matched], "{rule} should fire on {text:?}");
            }
            for text in *quiet {
                let hints = check(text, NAMES);
                assert!(
                    hints.iter().all(|h| h.rule_id != *rule),
                    "{rule} should stay quiet on {text:?}, got {hints:?}"
                );
            }
        }
    }

    #[test]
    fn every_rule_has_cases() {
        let tested: Vec<&str> = CASES.iter().map(|c| c.0).collect();
        let rules: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(tested, rules);
    }

    #[test]
    fn hints_are_ordered_and_overlapping_rules_both_speak() {
        assert_eq!(
            render("Obviously Bob forgot to restart it, and I should've just checked."),
            "obviously: Obviously\n\
             named_mistake: Bob forgot\n\
             named_colleague: Bob forgot to\n\
             forgot_to: forgot to\n\
             should_have: should've"
        );
        assert_eq!(render("A calm, factual timeline."), "");
    }

    /// The coach as first written: every phrase of every rule looked for across the whole text.
    fn check_by_scanning(text: &str, participant_names: &[&str]) -> Vec<Hint> {
        let words = text::words(text);
        let name_parts: Vec<String> = participant_names
            .iter()
            .flat_map(|n| text::words(n).into_iter().map(|w| w.lower))
            .collect();
        let ctx = Context {
            words: &words,
            name_parts: &name_parts,
        };
        let mut hints = Vec::new();
        for (order, rule) in RULES.iter().enumerate() {
            for pattern in rule.patterns {
                let needle: Vec<&str> = pattern.split(' ').collect();
                for start in text::find_runs(&words, &needle, |w, n| w.lower == n) {
                    let end = start + needle.len();
                    let Some(first) = ctx.applies(rule.when, start, end) else {
                        continue;
                    };
                    let range = words[first].range.start..words[end - 1].range.end;
                    hints.push((order, rule.id, range));
                }
            }
        }
        hints.sort_by_key(|(order, _, range)| (range.start, range.end, *order));
        hints
            .into_iter()
            .map(|(_, id, range)| Hint {
                matched: text[range.clone()].to_owned(),
                range,
                rule_id: id.to_owned(),
                explanation: String::new(),
                suggestion: String::new(),
            })
            .collect()
    }

    #[test]
    fn the_compiled_rules_find_what_scanning_for_every_phrase_finds() {
        let texts = CASES
            .iter()
            .flat_map(|(_, fires, quiet)| {
                fires.iter().map(|(t, _)| *t).chain(quiet.iter().copied())
            })
            .chain([
                "Obviously Bob forgot to restart it, and I should've just checked.",
                "Alice Smith should have known; Ben could've, just, failed to. Why didn't we?",
                "",
                "should",
                "did not did not bother",
            ]);
        for text in texts {
            let strip = |hints: Vec<Hint>| {
                hints
                    .into_iter()
                    .map(|h| (h.range, h.rule_id, h.matched))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                strip(check(text, NAMES)),
                strip(check_by_scanning(text, NAMES)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn hints_carry_the_rule_text_and_byte_ranges() {
        let text = "é — I failed to page";
        let hints = check(text, &[] as &[&str]);
        assert_eq!(hints.len(), 1);
        let h = &hints[0];
        assert_eq!(h.range, 9..18);
        assert_eq!(h.matched, "failed to");
        assert!(h.suggestion.contains("had their attention"));
        assert!(!h.explanation.is_empty());
    }
}
