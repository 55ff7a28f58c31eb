//! The live room of a group session: who has the review open, who is still writing, who has
//! submitted, raised hands, and the shared timebox.
//!
//! The server gathers what it knows ([`RoomFacts`]: open streams, the time each account was
//! last saved, hands, the timebox) and [`Room::view`] decides what one member is told. The
//! view carries yes/no flags and names only: never an account's content, size, entry count or
//! the time it was saved, only whether it changed within [`WRITING_WINDOW_SECS`]. A participant
//! sees a count of who is writing instead of names when the facilitator chose so.

use crate::id::ParticipantId;
use crate::op::Role;
use crate::phase::Phase;
use crate::review::Review;
use crate::validation::ValidationError;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// An account saved within this many seconds (and not yet submitted) is "still writing".
pub const WRITING_WINDOW_SECS: i64 = 60;
/// The longest timebox, in minutes.
pub const MAX_TIMEBOX_MINUTES: u32 = 120;
/// The most one extension adds, in minutes.
pub const MAX_EXTEND_MINUTES: u32 = 60;
/// What the facilitator's room calls the facilitator (they have no participant row).
pub const FACILITATOR_NAME: &str = "Facilitator";

crate::keyed_enum! {
    /// Why a participant raised their hand; the label is the participant's own words.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum HandReason {
        MoreTime = ("more_time", "I need more time"),
        Question = ("question", "I have a question"),
    }
}

/// A timebox for one phase, in server time. Built by [`Timebox::start`], changed only by
/// [`Timebox::extend`] and [`Timebox::stop`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timebox {
    pub phase: Phase,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub started_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub ends_at: DateTime<Utc>,
    /// Minutes added by extensions, in all (0: never extended).
    #[serde(default)]
    pub extended_minutes: u32,
    /// Set when the facilitator stopped it; a stopped timebox is not counting down.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rfc3339::time_option"
    )]
    pub stopped_at: Option<DateTime<Utc>>,
}

/// Where a timebox stands at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeboxState {
    Running,
    /// Its time is up.
    Ended,
    Stopped,
}

/// Why a timebox change was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeboxError {
    Invalid(ValidationError),
    /// Extending needs a timebox of the current phase that was not stopped.
    NothingToExtend,
}

impl std::fmt::Display for TimeboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(e) => e.fmt(f),
            Self::NothingToExtend => f.write_str(
                "There is no timebox running in this phase to add time to: start one instead.",
            ),
        }
    }
}

impl std::error::Error for TimeboxError {}

fn minutes_in(field: &str, minutes: u32, max: u32) -> Result<TimeDelta, ValidationError> {
    if (1..=max).contains(&minutes) {
        Ok(TimeDelta::minutes(i64::from(minutes)))
    } else {
        Err(ValidationError::new(
            field,
            format!("must be between 1 and {max} minutes"),
        ))
    }
}

impl Timebox {
    /// A timebox of `minutes` for `phase`, starting `now`.
    pub fn start(phase: Phase, now: DateTime<Utc>, minutes: u32) -> Result<Self, ValidationError> {
        let length = minutes_in("minutes", minutes, MAX_TIMEBOX_MINUTES)?;
        Ok(Self {
            phase,
            started_at: now,
            ends_at: now + length,
            extended_minutes: 0,
            stopped_at: None,
        })
    }

    /// `minutes` more: from the planned end, or from `now` if its time is already up (adding
    /// five minutes after "Time's up" gives five minutes, not what is left of them).
    pub fn extend(&self, now: DateTime<Utc>, minutes: u32) -> Result<Self, TimeboxError> {
        if self.stopped_at.is_some() {
            return Err(TimeboxError::NothingToExtend);
        }
        let more =
            minutes_in("minutes", minutes, MAX_EXTEND_MINUTES).map_err(TimeboxError::Invalid)?;
        Ok(Self {
            ends_at: self.ends_at.max(now) + more,
            extended_minutes: self.extended_minutes.saturating_add(minutes),
            ..self.clone()
        })
    }

    /// Stopped at `now`; stopping twice keeps the first time.
    pub fn stop(&self, now: DateTime<Utc>) -> Self {
        Self {
            stopped_at: self.stopped_at.or(Some(now)),
            ..self.clone()
        }
    }

    pub fn state(&self, now: DateTime<Utc>) -> TimeboxState {
        if self.stopped_at.is_some() {
            TimeboxState::Stopped
        } else if now >= self.ends_at {
            TimeboxState::Ended
        } else {
            TimeboxState::Running
        }
    }

    /// Whole seconds left at `now`, rounded up (a countdown shows 0:01 until the end), 0 once
    /// ended or stopped.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> i64 {
        if self.state(now) != TimeboxState::Running {
            return 0;
        }
        let ms = (self.ends_at - now).num_milliseconds();
        (ms + 999) / 1000
    }
}

/// The durations offered when starting a timebox in `phase`, in minutes; the first is the
/// default. Independent accounts need quiet writing time; the group review is the long
/// conversation; action planning is shorter.
pub fn suggested_minutes(phase: Phase) -> &'static [u32] {
    match phase {
        Phase::Setup => &[5, 10, 15],
        Phase::Investigating => &[15, 10, 20, 30, 1],
        Phase::Revealed => &[30, 20, 45, 60],
        Phase::Actions => &[20, 15, 30],
        Phase::Published => &[10, 5],
    }
}

/// `m:ss` (or `h:mm:ss`), as a countdown shows `seconds`.
pub fn countdown(seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// What the server knows of one review's room at one moment.
#[derive(Clone, Debug)]
pub struct RoomFacts<'a> {
    pub review: &'a Review,
    /// A facilitator has the review open.
    pub facilitator_here: bool,
    /// Participants with the review open.
    pub here: &'a [ParticipantId],
    /// Participants whose unsubmitted account was saved within [`WRITING_WINDOW_SECS`].
    pub writing: &'a [ParticipantId],
    pub hands: &'a [(ParticipantId, HandReason)],
    pub timebox: Option<&'a Timebox>,
    /// The facilitator's setting: participants see who is writing (else only how many).
    pub participants_see_writing: bool,
}

/// One member as one viewer sees them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoomMember {
    /// `None`: the facilitator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<ParticipantId>,
    pub name: String,
    pub role: String,
    pub here: bool,
    /// `None`: this viewer sees only the count ([`Room::writing_count`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writing: Option<bool>,
    pub submitted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand: Option<HandReason>,
}

/// The room as one member is told it: the data of an `event: room`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    /// The facilitator first, then the participants in the review's order.
    pub members: Vec<RoomMember>,
    /// How many are still writing, for a viewer who does not see who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writing_count: Option<u32>,
    pub participants_see_writing: bool,
    /// The current phase's timebox, if one was started in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timebox: Option<Timebox>,
    /// The server's clock when this was sent, so a client can correct its own clock's skew.
    #[serde(deserialize_with = "crate::rfc3339::time")]
    pub now: DateTime<Utc>,
}

impl Room {
    /// What `viewer` is told of the room at `now`.
    pub fn view(facts: &RoomFacts<'_>, viewer: &Role, now: DateTime<Utc>) -> Self {
        let review = facts.review;
        let names_writing = facts.participants_see_writing || *viewer == Role::Facilitator;
        let submitted =
            |id: &ParticipantId| review.submissions().iter().any(|s| &s.participant_id == id);
        let mut members = vec![RoomMember {
            participant_id: None,
            name: FACILITATOR_NAME.to_owned(),
            role: FACILITATOR_NAME.to_owned(),
            here: facts.facilitator_here,
            writing: None,
            submitted: false,
            hand: None,
        }];
        let mut writing_count = 0;
        for p in review.participants() {
            let done = submitted(&p.id);
            let writing = !done && facts.writing.contains(&p.id);
            writing_count += u32::from(writing);
            members.push(RoomMember {
                participant_id: Some(p.id.clone()),
                name: p.name.clone(),
                role: p.role.clone(),
                here: facts.here.contains(&p.id),
                writing: names_writing.then_some(writing),
                submitted: done,
                hand: facts
                    .hands
                    .iter()
                    .find(|(id, _)| id == &p.id)
                    .map(|(_, reason)| *reason),
            });
        }
        Self {
            members,
            writing_count: (!names_writing).then_some(writing_count),
            participants_see_writing: facts.participants_see_writing,
            timebox: facts.timebox.filter(|t| t.phase == review.phase()).cloned(),
            now,
        }
    }

    /// Whether `other` tells the same, whatever the clock said: a stream sends a room only
    /// when this changes.
    pub fn same_as(&self, other: &Room) -> bool {
        Self {
            now: other.now,
            ..self.clone()
        } == *other
    }

    /// The member who is `participant`, if they are in the room.
    pub fn member(&self, participant: &ParticipantId) -> Option<&RoomMember> {
        self.members
            .iter()
            .find(|m| m.participant_id.as_ref() == Some(participant))
    }

    /// How many participants are here, and how many of them in all.
    pub fn here_count(&self) -> (usize, usize) {
        let participants = self.members.iter().filter(|m| m.participant_id.is_some());
        let all = participants.clone().count();
        (participants.filter(|m| m.here).count(), all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap() + TimeDelta::seconds(s)
    }

    #[test]
    fn timebox_minutes_are_bounded_and_extensions_count_from_now_once_ended() {
        for (minutes, ok) in [(0, false), (1, true), (120, true), (121, false)] {
            assert_eq!(
                Timebox::start(Phase::Investigating, at(0), minutes).is_ok(),
                ok,
                "{minutes}"
            );
        }
        let t = Timebox::start(Phase::Investigating, at(0), 10).unwrap();
        assert_eq!(t.ends_at, at(600));
        assert_eq!(t.state(at(599)), TimeboxState::Running);
        assert_eq!(t.state(at(600)), TimeboxState::Ended);
        // While running: from the planned end.
        let longer = t.extend(at(100), 5).unwrap();
        assert_eq!(longer.ends_at, at(900));
        assert_eq!(longer.extended_minutes, 5);
        assert_eq!(longer.started_at, at(0));
        // Once ended: from now.
        let late = t.extend(at(700), 5).unwrap();
        assert_eq!(late.ends_at, at(1000));
        assert!(matches!(t.extend(at(0), 61), Err(TimeboxError::Invalid(_))));
        let stopped = t.stop(at(50));
        assert_eq!(stopped.state(at(60)), TimeboxState::Stopped);
        assert_eq!(stopped.stop(at(70)).stopped_at, Some(at(50)));
        assert_eq!(
            stopped.extend(at(60), 5),
            Err(TimeboxError::NothingToExtend)
        );
    }

    #[test]
    fn countdowns_round_up_and_stop_at_zero() {
        let t = Timebox::start(Phase::Revealed, at(0), 1).unwrap();
        let check = |now: DateTime<Utc>, left: i64, shown: &str| {
            assert_eq!(t.seconds_left(now), left);
            assert_eq!(countdown(t.seconds_left(now)), shown);
        };
        check(at(0), 60, "1:00");
        check(at(0) + TimeDelta::milliseconds(1), 60, "1:00");
        check(at(59) + TimeDelta::milliseconds(500), 1, "0:01");
        check(at(60), 0, "0:00");
        check(at(3600), 0, "0:00");
        assert_eq!(countdown(3_725), "1:02:05");
        for phase in Phase::ALL {
            assert!(
                suggested_minutes(phase)
                    .iter()
                    .all(|m| (1..=MAX_TIMEBOX_MINUTES).contains(m))
            );
        }
    }

    #[test]
    fn a_view_names_writers_to_the_facilitator_and_counts_them_for_participants_when_asked() {
        // Alice and Bob submitted, Carol has a draft.
        let (review, _) = fixture::review_in(Phase::Investigating);
        let [alice, bob, carol] = ["alice", "bob", "carol"].map(fixture::pid);
        let timebox = Timebox::start(review.phase(), at(0), 10).unwrap();
        let hands = [(bob.clone(), HandReason::Question)];
        let here = [bob.clone(), carol.clone()];
        // Alice submitted: a late save does not make her "writing".
        let writing = [alice.clone(), carol.clone()];
        let mut facts = RoomFacts {
            review: &review,
            facilitator_here: true,
            here: &here,
            writing: &writing,
            hands: &hands,
            timebox: Some(&timebox),
            participants_see_writing: true,
        };
        let viewer = Role::Participant(carol.clone());
        let open = Room::view(&facts, &viewer, at(5));
        let flags: Vec<_> = open
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.here, m.writing, m.submitted, m.hand))
            .collect();
        assert_eq!(
            flags,
            [
                (FACILITATOR_NAME, true, None, false, None),
                ("Alice Smith", false, Some(false), true, None),
                ("Bob", true, Some(false), true, Some(HandReason::Question)),
                ("Carol", true, Some(true), false, None),
            ]
        );
        assert_eq!(open.writing_count, None);
        assert_eq!(open.timebox.as_ref(), Some(&timebox));
        assert_eq!(open.here_count(), (2, 3));

        facts.participants_see_writing = false;
        let counted = Room::view(&facts, &viewer, at(5));
        assert!(counted.members.iter().all(|m| m.writing.is_none()));
        assert_eq!(counted.writing_count, Some(1));
        let facilitator = Room::view(&facts, &Role::Facilitator, at(5));
        assert_eq!(facilitator.member(&carol).unwrap().writing, Some(true));
        assert_eq!(facilitator.writing_count, None);
        assert!(!facilitator.participants_see_writing);

        // Only the clock differs: the same room. A timebox of another phase is not shown.
        assert!(facilitator.same_as(&Room::view(&facts, &Role::Facilitator, at(9))));
        assert!(!facilitator.same_as(&counted));
        let old = Timebox::start(Phase::Setup, at(0), 10).unwrap();
        facts.timebox = Some(&old);
        assert_eq!(Room::view(&facts, &viewer, at(5)).timebox, None);
    }
}
