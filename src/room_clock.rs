//! The shared timebox as this browser shows it: the server's clock, corrected for this
//! browser's skew, and the few moments worth saying to a screen reader (started, extended,
//! stopped, one minute left, time's up), never every second. Plain Rust, tested natively.

use chrono::{DateTime, TimeDelta, Utc};
use mosaic_domain::room::{Room, Timebox, TimeboxState, countdown};

/// The server's clock as seen from this browser: how far ahead of the local clock it was when
/// the last room arrived. Every profile then counts down to the same server instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerClock {
    ahead_ms: i64,
}

impl ServerClock {
    /// Learned from a room the server sent at `server_now`, received at `local_now`.
    pub fn observe(server_now: DateTime<Utc>, local_now: DateTime<Utc>) -> Self {
        Self {
            ahead_ms: (server_now - local_now).num_milliseconds(),
        }
    }

    /// The server's time when the local clock says `local_now`.
    pub fn now(self, local_now: DateTime<Utc>) -> DateTime<Utc> {
        local_now + TimeDelta::milliseconds(self.ahead_ms)
    }
}

/// The room as last heard from the server, with the clock it came with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveRoom {
    pub room: Room,
    pub clock: ServerClock,
}

/// The room as last heard: an `event: room` as it came (read where the room is shown, whose
/// part brings the room's reader, not every review page that listens), or a room route's
/// answer, already read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomNews {
    Event {
        data: String,
        received: DateTime<Utc>,
    },
    Answer(LiveRoom),
}

impl RoomNews {
    /// The room it tells of; `None` if an event's data does not read as one.
    pub fn live(&self) -> Option<LiveRoom> {
        match self {
            RoomNews::Event { data, received } => LiveRoom::parse(data, *received),
            RoomNews::Answer(live) => Some(live.clone()),
        }
    }
}

impl LiveRoom {
    /// A room the server sent (an `event: room`'s data, or a room route's answer), received at
    /// `local_now`; `None` if it does not read as one.
    pub fn parse(data: &str, local_now: DateTime<Utc>) -> Option<Self> {
        let room: Room = mosaic_domain::json::from_str(data).ok()?;
        Some(Self::received(room, local_now))
    }

    pub fn received(room: Room, local_now: DateTime<Utc>) -> Self {
        Self {
            clock: ServerClock::observe(room.now, local_now),
            room,
        }
    }
}

/// What the countdown looked like at one tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub timebox: Option<Timebox>,
    pub left: i64,
    pub state: Option<TimeboxState>,
}

impl Seen {
    /// The room's timebox at server time `now`.
    pub fn of(room: Option<&Room>, now: DateTime<Utc>) -> Self {
        let timebox = room.and_then(|r| r.timebox.clone());
        Self {
            left: timebox.as_ref().map_or(0, |t| t.seconds_left(now)),
            state: timebox.as_ref().map(|t| t.state(now)),
            timebox,
        }
    }

    /// What the timer shows: `m:ss`, or nothing without a timebox.
    pub fn shown(&self) -> Option<String> {
        self.timebox.as_ref().map(|_| countdown(self.left))
    }
}

/// The sentence for the polite live region when the countdown went from `before` to `after`,
/// if this is one of the moments worth saying. Nothing is said for what was already there when
/// the page opened (`before` is `None`): the timer itself shows it.
pub fn announcement(before: Option<&Seen>, after: &Seen) -> Option<String> {
    let before = before?;
    let timebox = after.timebox.as_ref()?;
    let same = before
        .timebox
        .as_ref()
        .filter(|t| t.started_at == timebox.started_at);
    let Some(previous) = same else {
        return (after.state == Some(TimeboxState::Running)).then(|| {
            let minutes = (timebox.ends_at - timebox.started_at).num_minutes();
            format!(
                "Timebox started: {minutes} minute{} for {}.",
                if minutes == 1 { "" } else { "s" },
                timebox.phase.label()
            )
        });
    };
    if timebox.stopped_at.is_some() && previous.stopped_at.is_none() {
        return Some("The facilitator stopped the timebox.".to_owned());
    }
    if timebox.ends_at != previous.ends_at && after.state == Some(TimeboxState::Running) {
        return Some(format!("Timebox extended: {} left.", spoken(after.left)));
    }
    if before.state == Some(TimeboxState::Running) && after.state == Some(TimeboxState::Ended) {
        return Some("Time's up.".to_owned());
    }
    // A timebox of a minute or less has no "minute left" to announce.
    let longer_than_a_minute = timebox.ends_at - timebox.started_at > TimeDelta::seconds(60);
    (longer_than_a_minute && before.left > 60 && (1..=60).contains(&after.left))
        .then(|| "1 minute left.".to_owned())
}

/// Seconds as words a screen reader says well: "4 minutes 30 seconds".
pub fn spoken(seconds: i64) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (m, s) {
        (0, s) => unit(s, "second"),
        (m, 0) => unit(m, "minute"),
        (m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use mosaic_domain::Phase;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap() + TimeDelta::seconds(s)
    }

    fn room(timebox: Option<Timebox>) -> Room {
        Room {
            members: Vec::new(),
            writing_count: None,
            participants_see_writing: true,
            timebox,
            now: at(0),
        }
    }

    #[test]
    fn the_server_clock_corrects_the_local_skew() {
        let clock = ServerClock::observe(at(10), at(7));
        assert_eq!(clock.now(at(8)), at(11));
        assert_eq!(ServerClock::default().now(at(8)), at(8));
    }

    /// Ticks once a second from `from` to `to` and collects what was announced, by second.
    fn announced(rooms: &[(i64, Room)], to: i64) -> Vec<(i64, String)> {
        let mut said = Vec::new();
        let mut before: Option<Seen> = None;
        for s in rooms[0].0..=to {
            let room = &rooms.iter().rev().find(|(from, _)| *from <= s).unwrap().1;
            let seen = Seen::of(Some(room), at(s));
            if let Some(text) = announcement(before.as_ref(), &seen) {
                said.push((s, text));
            }
            before = Some(seen);
        }
        said
    }

    #[test]
    fn a_timebox_is_announced_at_its_start_one_minute_before_and_at_zero_only() {
        let two = Timebox::start(Phase::Investigating, at(1), 2).unwrap();
        let said = announced(&[(0, room(None)), (1, room(Some(two.clone())))], 200);
        assert_eq!(
            said,
            [
                (
                    1,
                    "Timebox started: 2 minutes for Independent accounts.".to_owned()
                ),
                (61, "1 minute left.".to_owned()),
                (121, "Time's up.".to_owned()),
            ]
        );
        // Extended after the minute-left mark, then stopped.
        let longer = two.extend(at(70), 5).unwrap();
        let stopped = longer.stop(at(100));
        let said = announced(
            &[
                (60, room(Some(two.clone()))),
                (70, room(Some(longer))),
                (100, room(Some(stopped))),
            ],
            500,
        );
        assert_eq!(
            said,
            [
                (61, "1 minute left.".to_owned()),
                (
                    70,
                    "Timebox extended: 5 minutes 51 seconds left.".to_owned()
                ),
                (100, "The facilitator stopped the timebox.".to_owned()),
            ]
        );
        // A one-minute timebox, first seen a little before the server's now (the page's last
        // tick was up to a second old): started, then time's up, nothing in between.
        let one = Timebox::start(Phase::Investigating, at(1), 1).unwrap();
        let said = announced(&[(0, room(None)), (1, room(Some(one)))], 100);
        assert_eq!(
            said,
            [
                (
                    1,
                    "Timebox started: 1 minute for Independent accounts.".to_owned()
                ),
                (61, "Time's up.".to_owned()),
            ]
        );
        // Opening the page during a timebox says nothing; the timer shows it.
        let seen = Seen::of(Some(&room(Some(two))), at(30));
        assert_eq!(announcement(None, &seen), None);
        assert_eq!(seen.shown().as_deref(), Some("1:31"));
        assert_eq!(Seen::of(None, at(0)).shown(), None);
    }

    #[test]
    fn a_room_event_is_read_with_its_clock() {
        let text = serde_json::to_string(&room(None)).unwrap();
        let live = LiveRoom::parse(&text, at(-2)).unwrap();
        assert_eq!(live.clock.now(at(-2)), at(0));
        assert_eq!(live.room, room(None));
        assert_eq!(LiveRoom::parse("{\"version\":3}", at(0)), None);
        // As news: an event is read with the moment it came, an answer is already read.
        let event = RoomNews::Event {
            data: text,
            received: at(-2),
        };
        assert_eq!(event.live(), Some(live.clone()));
        assert_eq!(RoomNews::Answer(live.clone()).live(), Some(live));
        let garbled = RoomNews::Event {
            data: "{\"version\":3}".into(),
            received: at(0),
        };
        assert_eq!(garbled.live(), None);
    }

    #[test]
    fn seconds_are_spoken_in_words() {
        assert_eq!(spoken(1), "1 second");
        assert_eq!(spoken(60), "1 minute");
        assert_eq!(spoken(125), "2 minutes 5 seconds");
    }
}
