//! The guide's rules on the review: which questions every account answers, changed only before
//! accounts open.

use super::{EditError, Review};
use crate::guide::{BuiltinGuide, Guide, QuestionInput};
use crate::id::QuestionId;
use crate::limits::{MAX_QUESTIONS, too_many};
use crate::phase::Phase;
use chrono::{DateTime, Utc};

/// The phases in which the guide may change: before accounts open.
const GUIDE_PHASES: &[Phase] = &[Phase::Setup];

impl Review {
    pub fn guide(&self) -> &Guide {
        &self.guide
    }

    /// Replaces the questions with those of a built-in guide.
    pub fn use_guide(&mut self, guide: BuiltinGuide, now: DateTime<Utc>) -> Result<(), EditError> {
        self.unlocked(GUIDE_PHASES)?;
        self.guide = Guide::builtin(guide);
        self.touch(now);
        Ok(())
    }

    /// Adds a question at the end.
    pub fn add_question(
        &mut self,
        id: QuestionId,
        input: QuestionInput,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GUIDE_PHASES)?;
        if self.guide.question(&id).is_some() {
            return Err(EditError::DuplicateId { id: id.to_string() });
        }
        if self.guide.questions.len() >= MAX_QUESTIONS {
            return Err(vec![too_many("questions", MAX_QUESTIONS, "review")].into());
        }
        let question = input.validate(id)?;
        self.guide.questions.push(question);
        self.touch(now);
        Ok(())
    }

    pub fn update_question(
        &mut self,
        id: &QuestionId,
        input: QuestionInput,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GUIDE_PHASES)?;
        let slot = self.question_slot(id)?;
        self.guide.questions[slot] = input.validate(id.clone())?;
        self.touch(now);
        Ok(())
    }

    /// Moves a question to position `to` (0-based; past the end means last).
    pub fn move_question(
        &mut self,
        id: &QuestionId,
        to: usize,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GUIDE_PHASES)?;
        let slot = self.question_slot(id)?;
        let question = self.guide.questions.remove(slot);
        let to = to.min(self.guide.questions.len());
        self.guide.questions.insert(to, question);
        self.touch(now);
        Ok(())
    }

    pub fn remove_question(
        &mut self,
        id: &QuestionId,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.unlocked(GUIDE_PHASES)?;
        let slot = self.question_slot(id)?;
        self.guide.questions.remove(slot);
        self.touch(now);
        Ok(())
    }

    fn question_slot(&self, id: &QuestionId) -> Result<usize, EditError> {
        self.guide
            .questions
            .iter()
            .position(|q| &q.id == id)
            .ok_or_else(|| EditError::NotFound { id: id.to_string() })
    }
}
