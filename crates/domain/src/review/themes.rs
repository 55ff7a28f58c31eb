//! Themes: related factors the facilitator groups under one name in the group review, so that
//! similar observations noted by different people are discussed, voted on and published once.
//!
//! A theme holds its factors by reference ([`FactorRef`]); the factors, and the dots placed on
//! them, stay as they are, so ungrouping gives every factor back with its own dots. A theme's
//! count is the number of people who placed a dot on it or on any of its factors: a dot on a
//! theme counts once per voter, however many of its factors that voter dotted before the
//! grouping. [`suggest_themes`] only proposes, from wording overlap, as
//! [`crate::review::merge::suggest_links`] does for the timeline.

use crate::account::Account;
use crate::id::{ParticipantId, ThemeId};
use crate::limits::{MAX_THEMES, too_many};
use crate::review::factors::{Factor, FactorRef, factors};
use crate::review::merge::MIN_WORD_SIMILARITY;
use crate::review::reveal::Revealed;
use crate::review::{EditError, GROUP_WORK, Review};
use crate::text;
use crate::validation::ValidationError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::limits::MAX_THEME_NAME_CHARS;

/// Factors the facilitator grouped under one name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    pub id: ThemeId,
    /// Trimmed, never empty, distinct from the review's other themes' names ignoring case.
    pub name: String,
    /// At least two, in the order they were grouped; none is in another theme.
    pub factors: Vec<FactorRef>,
    /// Who placed a dot on the theme itself, each once. These dots go back to their voters when
    /// the theme is ungrouped; dots on its factors stay on the factors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voters: Vec<ParticipantId>,
}

impl Theme {
    pub fn contains(&self, factor: &FactorRef) -> bool {
        self.factors.contains(factor)
    }
}

/// Trims a theme name and checks it: required, short, and not another theme's name.
fn theme_name(review: &Review, except: Option<&ThemeId>, raw: &str) -> Vec<ValidationError> {
    let name = raw.trim();
    let mut errors = Vec::new();
    text::check_chars(&mut errors, "name", name);
    if name.is_empty() {
        errors.push(ValidationError::new("name", "is required"));
    } else if name.chars().count() > MAX_THEME_NAME_CHARS {
        errors.push(ValidationError::new(
            "name",
            format!("must be at most {MAX_THEME_NAME_CHARS} characters"),
        ));
    } else if review.themes.iter().any(|t| {
        Some(&t.id) != except && crate::text::lowercase(&t.name) == crate::text::lowercase(name)
    }) {
        errors.push(ValidationError::new(
            "name",
            "is already another theme's name: choose a different one",
        ));
    }
    errors
}

impl Review {
    /// The themes, in the order they were made.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    pub fn theme(&self, id: &ThemeId) -> Option<&Theme> {
        self.themes.iter().find(|t| &t.id == id)
    }

    /// The theme `factor` is grouped in, if any.
    pub fn theme_of(&self, factor: &FactorRef) -> Option<&Theme> {
        self.themes.iter().find(|t| t.contains(factor))
    }

    /// Whether `voter` has a dot on `theme`: on the theme itself or on any of its factors.
    pub fn has_voted_theme(&self, voter: &ParticipantId, theme: &Theme) -> bool {
        theme.voters.contains(voter)
            || self
                .votes
                .iter()
                .any(|v| &v.voter == voter && theme.contains(&v.factor))
    }

    /// How many people have a dot on `theme`: each voter once.
    pub fn theme_votes(&self, theme: &Theme) -> u32 {
        let voters: BTreeSet<&ParticipantId> = theme
            .voters
            .iter()
            .chain(
                self.votes
                    .iter()
                    .filter(|v| theme.contains(&v.factor))
                    .map(|v| &v.voter),
            )
            .collect();
        voters.len() as u32
    }

    /// Groups revealed factors into a new theme named `name`, while the group works on the
    /// revealed accounts. The factors keep their dots; each factor is in one theme at most.
    pub fn group_theme(
        &mut self,
        id: ThemeId,
        name: &str,
        factors: &[FactorRef],
        accounts: &[Account],
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        if self.theme(&id).is_some() {
            return Err(EditError::DuplicateId { id: id.to_string() });
        }
        if self.themes.len() >= MAX_THEMES {
            return Err(vec![too_many("themes", MAX_THEMES, "review")].into());
        }
        let mut chosen: Vec<FactorRef> = Vec::new();
        for f in factors {
            if !chosen.contains(f) {
                chosen.push(f.clone());
            }
        }
        let mut errors = theme_name(self, None, name);
        {
            let view = self
                .revealed(accounts)
                .map_err(|e| EditError::Locked { phase: e.phase })?;
            if let Some(unknown) = chosen.iter().find(|f| view.observation(f).is_none()) {
                return Err(EditError::NotFound {
                    id: unknown.observation_id.to_string(),
                });
            }
            if chosen.len() < 2 {
                errors.push(ValidationError::new(
                    "factors",
                    "a theme groups at least two factors: select one more",
                ));
            }
            if let Some((f, theme)) = chosen.iter().find_map(|f| self.theme_of(f).map(|t| (f, t))) {
                let text = view.observation(f).map_or("", |o| o.text.as_str());
                errors.push(ValidationError::new(
                    "factors",
                    format!(
                        "“{text}” is already in the theme “{}”: ungroup that theme first",
                        theme.name
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        self.themes.push(Theme {
            id,
            name: name.trim().to_owned(),
            factors: chosen,
            voters: Vec::new(),
        });
        self.touch(now);
        Ok(())
    }

    pub fn rename_theme(
        &mut self,
        id: &ThemeId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        if self.theme(id).is_none() {
            return Err(EditError::NotFound { id: id.to_string() });
        }
        let errors = theme_name(self, Some(id), name);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        if let Some(theme) = self.themes.iter_mut().find(|t| &t.id == id) {
            theme.name = name.trim().to_owned();
        }
        self.touch(now);
        Ok(())
    }

    /// Takes the theme apart: its factors are on their own again, with the dots placed on
    /// them; the dots placed on the theme itself go back to their voters.
    pub fn ungroup_theme(&mut self, id: &ThemeId, now: DateTime<Utc>) -> Result<(), EditError> {
        self.unlocked(GROUP_WORK)?;
        let before = self.themes.len();
        self.themes.retain(|t| &t.id != id);
        if self.themes.len() == before {
            return Err(EditError::NotFound { id: id.to_string() });
        }
        self.touch(now);
        Ok(())
    }

    /// Places `voter`'s dot on a theme, or takes back every dot they have on it (on the theme
    /// and on its factors); returns whether a dot is there now. A dot on a theme costs one of
    /// the voter's [`DOTS_PER_PARTICIPANT`](crate::review::factors::DOTS_PER_PARTICIPANT).
    pub fn toggle_theme_vote(
        &mut self,
        voter: &ParticipantId,
        id: &ThemeId,
        now: DateTime<Utc>,
    ) -> Result<bool, EditError> {
        self.unlocked(GROUP_WORK)?;
        self.require_participant(voter)?;
        let Some(at) = self.themes.iter().position(|t| &t.id == id) else {
            return Err(EditError::NotFound { id: id.to_string() });
        };
        if self.has_voted_theme(voter, &self.themes[at]) {
            let theme = &mut self.themes[at];
            theme.voters.retain(|v| v != voter);
            let grouped = theme.factors.clone();
            self.votes
                .retain(|v| !(&v.voter == voter && grouped.contains(&v.factor)));
            self.touch(now);
            return Ok(false);
        }
        if self.dots_left(voter) == 0 {
            return Err(EditError::OutOfDots {
                dots: crate::review::factors::DOTS_PER_PARTICIPANT,
            });
        }
        self.themes[at].voters.push(voter.clone());
        self.touch(now);
        Ok(true)
    }
}

/// Whether the review's themes keep the rules [`Review::group_theme`] and
/// [`Review::toggle_theme_vote`] keep: for a review read from a file. Factors are not looked
/// up (an export may leave accounts out), only counted.
pub(crate) fn themes_valid(review: &Review) -> bool {
    let ids: BTreeSet<&ThemeId> = review.themes.iter().map(|t| &t.id).collect();
    let names: BTreeSet<String> = review
        .themes
        .iter()
        .map(|t| crate::text::lowercase(&t.name))
        .collect();
    let grouped: Vec<&FactorRef> = review.themes.iter().flat_map(|t| &t.factors).collect();
    let distinct: BTreeSet<&&FactorRef> = grouped.iter().collect();
    let well_formed = |t: &Theme| {
        let voters: BTreeSet<&ParticipantId> = t.voters.iter().collect();
        t.factors.len() >= 2
            && t.name.trim() == t.name
            && !t.name.is_empty()
            && t.name.chars().count() <= MAX_THEME_NAME_CHARS
            && text::forbidden_char(&t.name).is_none()
            && voters.len() == t.voters.len()
            && t.voters.iter().all(|v| review.participant(v).is_some())
    };
    review.themes.len() <= MAX_THEMES
        && ids.len() == review.themes.len()
        && names.len() == review.themes.len()
        && distinct.len() == grouped.len()
        && review.themes.iter().all(well_formed)
}

/// A theme with its factors as the revealed accounts hold them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeView {
    pub id: ThemeId,
    pub name: String,
    /// People with a dot on the theme or on any of its factors, each once.
    pub votes: u32,
    /// A factor whose account this view doesn't hold is left out.
    pub factors: Vec<Factor>,
}

/// Every theme with its factors, most votes first; ties in the order they were made. A theme's
/// factors are in the order of the review's participants and their observations.
pub fn themes(view: &Revealed<'_>) -> Vec<ThemeView> {
    let review = view.review();
    let mut all = factors(view);
    let order: Vec<FactorRef> = view
        .accounts()
        .iter()
        .flat_map(|a| {
            a.observations()
                .iter()
                .map(|o| FactorRef::new(a.participant_id().clone(), o.id.clone()))
        })
        .collect();
    all.sort_by_key(|f| order.iter().position(|r| r == &f.factor));
    let mut out: Vec<ThemeView> = review
        .themes()
        .iter()
        .map(|t| ThemeView {
            id: t.id.clone(),
            name: t.name.clone(),
            votes: review.theme_votes(t),
            factors: all
                .iter()
                .filter(|f| t.contains(&f.factor))
                .cloned()
                .collect(),
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.votes));
    out
}

/// Factors that likely belong in one theme, with a name to start from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeSuggestion {
    /// At least two, in the order of the review's participants and their observations.
    pub factors: Vec<FactorRef>,
    /// The words most of them share, most shared first: a name to edit, not a verdict.
    pub name: String,
}

/// Groups of factors not yet in a theme whose wording overlaps: two factors are related when
/// they share at least [`MIN_WORD_SIMILARITY`] of their meaningful words (the measure and
/// threshold of the timeline's link suggestions), and a suggestion is every factor reachable
/// through such pairs. In the order of their first factor.
pub fn suggest_themes(view: &Revealed<'_>) -> Vec<ThemeSuggestion> {
    let review = view.review();
    let free: Vec<(FactorRef, BTreeSet<String>, &str)> = view
        .accounts()
        .iter()
        .flat_map(|a| {
            a.observations().iter().map(|o| {
                let r = FactorRef::new(a.participant_id().clone(), o.id.clone());
                (r, text::content_words(&o.text), o.text.as_str())
            })
        })
        .filter(|(r, _, _)| review.theme_of(r).is_none())
        .collect();
    // Each factor's group, by the smallest index in it: joined pair by pair.
    let mut group: Vec<usize> = (0..free.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for i in 0..free.len() {
        for j in i + 1..free.len() {
            if text::jaccard(&free[i].1, &free[j].1) >= MIN_WORD_SIMILARITY {
                let (a, b) = (root(&mut group, i), root(&mut group, j));
                group[a.max(b)] = a.min(b);
            }
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..free.len() {
        let r = root(&mut group, i);
        members.entry(r).or_default().push(i);
    }
    members
        .into_values()
        .filter(|m| m.len() >= 2)
        .map(|m| ThemeSuggestion {
            name: shared_words(m.iter().map(|&i| free[i].2)),
            factors: m.into_iter().map(|i| free[i].0.clone()).collect(),
        })
        .collect()
}

/// Up to three meaningful words that at least two of `texts` share, most shared first (ties
/// in the order they are first written), the first capitalised: "Rollback runbook".
fn shared_words<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for t in texts {
        let mut seen = BTreeSet::new();
        for w in text::words(t) {
            let stem = w.stem().to_owned();
            if text::is_stopword(&stem) || !seen.insert(stem.clone()) {
                continue;
            }
            match counts.iter_mut().find(|(known, _)| *known == stem) {
                Some((_, n)) => *n += 1,
                None => counts.push((stem, 1)),
            }
        }
    }
    // Stable: equal counts keep their first use.
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let name: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .take(3)
        .map(|(w, _)| w)
        .collect();
    let name = name.join(" ");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FactorKind;
    use crate::fixture::{fref, pid, setup, t};
    use crate::id::ReviewId;
    use crate::id::{EntryId, ObservationId};
    use crate::phase::Phase;

    fn theme_id(s: &str) -> ThemeId {
        ThemeId::parse(s).unwrap()
    }

    /// The fixture's three people, revealed, with observations of their own: Alice's and
    /// Bob's accounts submitted, Carol's left out.
    fn revealed_with(observations: &[(&str, &str, FactorKind, &str)]) -> (Review, Vec<Account>) {
        let mut review = setup();
        let mut accounts: Vec<Account> = ["alice", "bob"]
            .into_iter()
            .map(|p| {
                let mut a = Account::new(ReviewId::parse("r-1").unwrap(), pid(p));
                let entry = crate::account::EntryInput {
                    at: Some(t(10, 0)),
                    what_happened: format!("{p} was paged"),
                    ..crate::account::EntryInput::default()
                };
                a.add_entry(EntryId::parse("e1").unwrap(), entry).unwrap();
                a
            })
            .collect();
        for (who, id, kind, text) in observations {
            let a = accounts
                .iter_mut()
                .find(|a| a.participant_id() == &pid(who))
                .unwrap();
            a.add_observation(ObservationId::parse(id).unwrap(), *kind, text)
                .unwrap();
        }
        review.advance(&[], t(11, 1)).unwrap();
        for a in &mut accounts {
            a.submit(t(12, 0)).unwrap();
            review.record_submission(a, t(12, 1)).unwrap();
        }
        review.advance(&[], t(13, 0)).unwrap();
        assert_eq!(review.phase(), Phase::Revealed);
        (review, accounts)
    }

    fn rollback() -> (Review, Vec<Account>) {
        revealed_with(&[
            (
                "alice",
                "a1",
                FactorKind::KnowledgeGap,
                "Rollback runbook out of date",
            ),
            (
                "alice",
                "a2",
                FactorKind::Technical,
                "No alert on pool saturation",
            ),
            (
                "bob",
                "b1",
                FactorKind::Technical,
                "The rollback runbook was missing a step",
            ),
            (
                "bob",
                "b2",
                FactorKind::Organisational,
                "Pool saturation alert was never set up",
            ),
            (
                "bob",
                "b3",
                FactorKind::Helped,
                "Carol knew the database well",
            ),
        ])
    }

    fn render_suggestions(review: &Review, accounts: &[Account]) -> Vec<String> {
        let view = review.revealed(accounts).unwrap();
        suggest_themes(&view)
            .iter()
            .map(|s| {
                let refs: Vec<String> = s
                    .factors
                    .iter()
                    .map(|f| f.observation_id.to_string())
                    .collect();
                format!("{}: {}", s.name, refs.join(" "))
            })
            .collect()
    }

    #[test]
    fn suggestions_come_from_shared_wording_and_skip_grouped_factors() {
        let (mut review, accounts) = rollback();
        assert_eq!(
            render_suggestions(&review, &accounts),
            ["Rollback runbook: a1 b1", "Alert pool saturation: a2 b2"]
        );
        review
            .group_theme(
                theme_id("th1"),
                "Rollback knowledge",
                &[fref("alice", "a1"), fref("bob", "b1")],
                &accounts,
                t(14, 0),
            )
            .unwrap();
        assert_eq!(
            render_suggestions(&review, &accounts),
            ["Alert pool saturation: a2 b2"]
        );
        // A chain of overlaps is one suggestion: a joins b, b joins c.
        let (review, accounts) = revealed_with(&[
            ("alice", "x", FactorKind::Technical, "disk full on db host"),
            (
                "bob",
                "y",
                FactorKind::Technical,
                "db host alert fired late",
            ),
            ("bob", "z", FactorKind::Human, "alert fired late at night"),
            ("bob", "w", FactorKind::Human, "nobody owned the pager"),
        ]);
        assert_eq!(
            render_suggestions(&review, &accounts),
            ["Db host alert: x y z"]
        );
    }

    #[test]
    fn a_theme_counts_each_voter_once_and_ungrouping_restores_the_dots() {
        let (mut review, accounts) = rollback();
        let (alice, bob, carol) = (pid("alice"), pid("bob"), pid("carol"));
        // Before grouping: Alice dots both rollback factors, Bob one of them.
        for (voter, f) in [
            (&alice, fref("alice", "a1")),
            (&alice, fref("bob", "b1")),
            (&bob, fref("bob", "b1")),
        ] {
            assert_eq!(review.toggle_vote(voter, &f, &accounts, t(14, 0)), Ok(true));
        }
        review
            .group_theme(
                theme_id("th1"),
                "  Rollback knowledge ",
                &[fref("alice", "a1"), fref("bob", "b1"), fref("alice", "a1")],
                &accounts,
                t(14, 1),
            )
            .unwrap();
        let theme = review.theme(&theme_id("th1")).unwrap().clone();
        assert_eq!(theme.name, "Rollback knowledge");
        assert_eq!(theme.factors, [fref("alice", "a1"), fref("bob", "b1")]);
        assert_eq!(review.theme_votes(&theme), 2, "Alice's two dots count once");
        // Carol dots the theme itself; Bob already has a dot on it, so pressing takes it back.
        assert_eq!(
            review.toggle_theme_vote(&carol, &theme.id, t(14, 2)),
            Ok(true)
        );
        assert_eq!(
            review.toggle_theme_vote(&bob, &theme.id, t(14, 3)),
            Ok(false)
        );
        assert_eq!(review.votes_for(&fref("bob", "b1")), 1);
        let theme = review.theme(&theme_id("th1")).unwrap().clone();
        assert_eq!(review.theme_votes(&theme), 2);
        assert_eq!(review.dots_left(&carol), 2, "a dot on a theme costs one");
        // A grouped factor takes no dot of its own.
        assert_eq!(
            review
                .toggle_vote(&carol, &fref("bob", "b1"), &accounts, t(14, 4))
                .unwrap_err()
                .to_string(),
            "invalid input: factor is part of the theme “Rollback knowledge”: place the dot on the theme"
        );
        let view = review.revealed(&accounts).unwrap();
        let shown: Vec<(String, u32, usize)> = themes(&view)
            .into_iter()
            .map(|t| (t.name, t.votes, t.factors.len()))
            .collect();
        assert_eq!(shown, [("Rollback knowledge".to_owned(), 2, 2)]);
        // Ungrouping: the factors are on their own with their dots; Carol's dot comes back.
        review.ungroup_theme(&theme_id("th1"), t(14, 5)).unwrap();
        assert!(review.themes().is_empty());
        assert_eq!(review.votes_for(&fref("alice", "a1")), 1);
        assert_eq!(review.votes_for(&fref("bob", "b1")), 1);
        assert_eq!(review.dots_left(&carol), 3);
        assert_eq!(
            review.ungroup_theme(&theme_id("th1"), t(14, 6)),
            Err(EditError::NotFound { id: "th1".into() })
        );
    }

    #[test]
    fn theme_dots_share_the_voters_budget() {
        let (mut review, accounts) = rollback();
        let carol = pid("carol");
        review
            .group_theme(
                theme_id("th1"),
                "Rollback",
                &[fref("alice", "a1"), fref("bob", "b1")],
                &accounts,
                t(14, 0),
            )
            .unwrap();
        for f in [fref("alice", "a2"), fref("bob", "b2")] {
            review.toggle_vote(&carol, &f, &accounts, t(14, 1)).unwrap();
        }
        review
            .toggle_theme_vote(&carol, &theme_id("th1"), t(14, 2))
            .unwrap();
        assert_eq!(review.dots_left(&carol), 0);
        assert_eq!(
            review.toggle_vote(&carol, &fref("bob", "b3"), &accounts, t(14, 3)),
            Err(EditError::OutOfDots { dots: 3 })
        );
        assert_eq!(
            review.toggle_theme_vote(&pid("dave"), &theme_id("th1"), t(14, 3)),
            Err(EditError::NotFound { id: "dave".into() })
        );
    }

    fn group_error(
        review: &mut Review,
        accounts: &[Account],
        name: &str,
        refs: &[FactorRef],
    ) -> String {
        review
            .group_theme(theme_id("new"), name, refs, accounts, t(15, 0))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bad_themes_are_refused_with_reasons_and_change_nothing() {
        let (mut review, accounts) = rollback();
        review
            .group_theme(
                theme_id("th1"),
                "Rollback",
                &[fref("alice", "a1"), fref("bob", "b1")],
                &accounts,
                t(14, 0),
            )
            .unwrap();
        let before = review.clone();
        let pair = [fref("alice", "a2"), fref("bob", "b2")];
        assert_eq!(
            group_error(&mut review, &accounts, " ", &pair),
            "invalid input: name is required"
        );
        assert_eq!(
            group_error(&mut review, &accounts, "ROLLBACK", &pair),
            "invalid input: name is already another theme's name: choose a different one"
        );
        assert_eq!(
            group_error(&mut review, &accounts, &"x".repeat(81), &pair),
            "invalid input: name must be at most 80 characters"
        );
        assert_eq!(
            group_error(&mut review, &accounts, "Alerts", &pair[..1]),
            "invalid input: factors a theme groups at least two factors: select one more"
        );
        assert_eq!(
            group_error(
                &mut review,
                &accounts,
                "Alerts",
                &[fref("bob", "b1"), fref("bob", "b2")]
            ),
            "invalid input: factors “The rollback runbook was missing a step” is already in the \
             theme “Rollback”: ungroup that theme first"
        );
        assert_eq!(
            group_error(
                &mut review,
                &accounts,
                "Alerts",
                &[fref("bob", "b2"), fref("carol", "c1")]
            ),
            "nothing in this review has the id c1"
        );
        assert_eq!(
            review.group_theme(theme_id("th1"), "Other", &pair, &accounts, t(15, 0)),
            Err(EditError::DuplicateId { id: "th1".into() })
        );
        assert_eq!(review, before);
        // Renaming checks the same rules, and a theme may keep its own name in another case.
        assert_eq!(
            review
                .rename_theme(&theme_id("th1"), "", t(15, 1))
                .unwrap_err()
                .to_string(),
            "invalid input: name is required"
        );
        review
            .rename_theme(&theme_id("th1"), " ROLLBACK ", t(15, 2))
            .unwrap();
        assert_eq!(review.themes()[0].name, "ROLLBACK");
        // Outside the group's work, themes are locked.
        review
            .transition(Phase::Actions, &accounts, t(15, 3))
            .unwrap();
        review
            .transition(Phase::Published, &accounts, t(15, 4))
            .unwrap();
        assert_eq!(
            review.ungroup_theme(&theme_id("th1"), t(15, 5)),
            Err(EditError::Locked {
                phase: Phase::Published
            })
        );
    }

    #[test]
    fn the_finding_lists_themes_with_their_factors_for_each_audience() {
        use crate::feed::{Audience, Section};
        let (mut review, accounts) = rollback();
        review
            .toggle_vote(&pid("alice"), &fref("alice", "a1"), &accounts, t(14, 0))
            .unwrap();
        review
            .group_theme(
                theme_id("th1"),
                "Rollback knowledge",
                &[fref("alice", "a1"), fref("bob", "b1")],
                &accounts,
                t(14, 1),
            )
            .unwrap();
        review
            .toggle_theme_vote(&pid("carol"), &theme_id("th1"), t(14, 2))
            .unwrap();
        let render = |f: &crate::Finding| -> Vec<String> {
            f.themes
                .iter()
                .map(|t| {
                    let factors: Vec<String> = t
                        .factors
                        .iter()
                        .map(|f| {
                            format!(
                                "{} ({}; {})",
                                f.factor.text,
                                f.kind.key(),
                                f.factor.noted_by
                            )
                        })
                        .collect();
                    format!("{} [{}]: {}", t.name, t.votes, factors.join(", "))
                })
                .collect()
        };
        let view = review.revealed(&accounts).unwrap();
        let finding = crate::review::finding::build(&view, t(15, 0));
        assert_eq!(
            render(&finding),
            [
                "Rollback knowledge [2]: Rollback runbook out of date (knowledge_gap; on-call SRE), \
              The rollback runbook was missing a step (technical; Bob)"
            ]
        );
        // Grouped factors are published in their theme only.
        let elsewhere: Vec<&str> = finding
            .factors
            .iter()
            .flat_map(|g| &g.factors)
            .chain(&finding.knowledge_gaps)
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(
            elsewhere,
            [
                "No alert on pool saturation",
                "Pool saturation alert was never set up"
            ]
        );
        assert!(finding.to_markdown().contains(
            "\n## Themes\n\n### Rollback knowledge (2 votes)\n\n\
             - Rollback runbook out of date (Knowledge gap; on-call SRE)\n\
             - The rollback runbook was missing a step (Technical; Bob)\n"
        ));
        // The organisation reads a theme's factors only where their sections are for it: by
        // default neither is, so no theme; with the contributing factors widened, one factor.
        assert!(finding.for_organisation().themes.is_empty());
        let mut audience = review.publication().audience().clone();
        audience.set(Section::Factors, Audience::Organisation);
        review.set_publication(&[], audience, t(15, 1)).unwrap();
        let view = review.revealed(&accounts).unwrap();
        let org = crate::review::finding::build(&view, t(15, 2)).for_organisation();
        assert_eq!(
            render(&org),
            ["Rollback knowledge [2]: The rollback runbook was missing a step (technical; Bob)"]
        );
    }

    #[test]
    fn shared_words_name_the_suggestion() {
        let texts = [
            "Disk full, no alert",
            "alert: disk slow, disk's fault",
            "ALERT",
        ];
        assert_eq!(shared_words(texts.into_iter()), "Alert disk");
        assert_eq!(shared_words(std::iter::empty()), "");
    }
}
