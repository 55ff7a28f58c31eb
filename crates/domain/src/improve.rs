//! Time to improve: how fast the follow-up work of findings gets done, for one finding and
//! across the feed. Counted in whole days (UTC) from an action's creation to the last time it
//! was set to done; actions added before their creation time was kept count only as open or
//! done, never in the durations.

use crate::review::action::ActionStatus;
use crate::review::finding::FindingAction;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Done within this many days counts as improved fast.
pub const FAST_DAYS: i64 = 30;

/// How fast actions were done, and how old the open ones are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeToImprove {
    /// By the month actions were done in (`YYYY-MM`), oldest first.
    pub by_month: Vec<ImproveMonth>,
    /// Done actions whose creation time is known.
    pub done: u32,
    /// Of those, done within [`FAST_DAYS`] days.
    pub done_fast: u32,
    /// Done actions whose creation time (or the time they were done) was not kept: done, but
    /// how long they took is not known.
    #[serde(default)]
    pub done_untimed: u32,
    /// The median days from creation to done over every month; `None` when none is done.
    #[serde(default)]
    pub median_days: Option<u32>,
    pub open_by_age: OpenByAge,
}

/// One month's durations from creation to done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImproveMonth {
    pub month: String,
    pub actions: u32,
    pub median_days: u32,
    pub p90_days: u32,
}

/// Open and in-progress actions by how long ago they were added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenByAge {
    /// Up to 30 days.
    pub recent: u32,
    /// 31 to 90 days.
    pub older: u32,
    /// More than 90 days.
    pub oldest: u32,
    /// Added before creation times were kept.
    pub unknown: u32,
}

impl TimeToImprove {
    /// The share of done actions done within [`FAST_DAYS`] days, in whole percent; `None`
    /// when none is done.
    pub fn fast_percent(&self) -> Option<u32> {
        (self.done > 0).then(|| (self.done_fast * 100 + self.done / 2) / self.done)
    }

    /// Nothing to show: no action done, none open.
    pub fn is_empty(&self) -> bool {
        self.done == 0 && self.done_untimed == 0 && self.open_by_age == OpenByAge::default()
    }
}

/// When `action` was last set to done, if it is done.
pub fn done_at(action: &FindingAction) -> Option<DateTime<Utc>> {
    if action.status != ActionStatus::Done {
        return None;
    }
    action
        .history
        .iter()
        .rev()
        .find(|c| c.to == ActionStatus::Done)
        .map(|c| c.at)
}

/// Gathers [`TimeToImprove`] over many findings' actions.
#[derive(Clone, Debug)]
pub struct Gatherer {
    today: NaiveDate,
    by_month: BTreeMap<String, Vec<u32>>,
    done: u32,
    done_fast: u32,
    done_untimed: u32,
    open: OpenByAge,
}

impl Gatherer {
    pub fn new(today: NaiveDate) -> Self {
        Self {
            today,
            by_month: BTreeMap::new(),
            done: 0,
            done_fast: 0,
            done_untimed: 0,
            open: OpenByAge::default(),
        }
    }

    pub fn add(&mut self, actions: &[FindingAction]) {
        for a in actions {
            let created = a.created_at.map(|t| t.date_naive());
            if a.status.is_active() {
                match created.map(|c| (self.today - c).num_days()) {
                    None => self.open.unknown += 1,
                    Some(d) if d <= FAST_DAYS => self.open.recent += 1,
                    Some(d) if d <= 90 => self.open.older += 1,
                    Some(_) => self.open.oldest += 1,
                }
            } else if let (Some(created), Some(done)) = (created, done_at(a)) {
                let days = (done.date_naive() - created).num_days().max(0);
                self.done += 1;
                if days <= FAST_DAYS {
                    self.done_fast += 1;
                }
                self.by_month
                    .entry(crate::timestamp::month(&done))
                    .or_default()
                    .push(u32::try_from(days).unwrap_or(u32::MAX));
            } else if a.status == ActionStatus::Done {
                self.done_untimed += 1;
            }
        }
    }

    pub fn finish(self) -> TimeToImprove {
        let mut all: Vec<u32> = self.by_month.values().flatten().copied().collect();
        all.sort_unstable();
        TimeToImprove {
            median_days: (!all.is_empty()).then(|| percentile(&all, 50)),
            by_month: self
                .by_month
                .into_iter()
                .map(|(month, mut days)| {
                    days.sort_unstable();
                    ImproveMonth {
                        month,
                        actions: u32::try_from(days.len()).unwrap_or(u32::MAX),
                        median_days: percentile(&days, 50),
                        p90_days: percentile(&days, 90),
                    }
                })
                .collect(),
            done: self.done,
            done_fast: self.done_fast,
            done_untimed: self.done_untimed,
            open_by_age: self.open,
        }
    }
}

/// The nearest-rank percentile `p` of `sorted` (not empty).
fn percentile(sorted: &[u32], p: usize) -> u32 {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// One finding's time to improve.
pub fn of_actions(actions: &[FindingAction], today: NaiveDate) -> TimeToImprove {
    let mut g = Gatherer::new(today);
    g.add(actions);
    g.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::action::{ActionKind, Priority, StatusChange};

    fn at(day: &str) -> DateTime<Utc> {
        format!("{day}T12:00:00Z").parse().unwrap()
    }

    fn action(created: Option<&str>, done: Option<&str>, status: ActionStatus) -> FindingAction {
        FindingAction {
            id: None,
            title: "t".into(),
            kind: ActionKind::Learn,
            priority: Priority::P3,
            status,
            due: None,
            owner: None,
            tracker_url: None,
            assignee: String::new(),
            created_at: created.map(at),
            history: done
                .map(|d| {
                    vec![StatusChange {
                        at: at(d),
                        from: ActionStatus::Open,
                        to: ActionStatus::Done,
                    }]
                })
                .unwrap_or_default(),
        }
    }

    #[test]
    fn durations_per_month_share_done_fast_and_open_by_age() {
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let done = |c, d| action(Some(c), Some(d), ActionStatus::Done);
        let open = |c: Option<&str>| action(c, None, ActionStatus::Open);
        let actions = [
            done("2026-10-01", "2026-10-03"), // 2 days, October
            done("2026-10-01", "2026-10-11"), // 10
            done("2026-09-01", "2026-10-31"), // 60
            done("2026-11-01", "2026-11-05"), // 4, November
            action(None, Some("2026-11-02"), ActionStatus::Done), // unknown start: untimed
            action(Some("2026-11-01"), None, ActionStatus::Done), // unknown end: untimed
            action(Some("2026-11-01"), None, ActionStatus::WontDo), // not done: not counted
            open(Some("2026-11-20")),         // 11 days old
            open(Some("2026-10-01")),         // 61
            open(Some("2026-01-01")),         // 334
            open(None),
        ];
        let t = of_actions(&actions, today);
        assert_eq!(
            t.by_month,
            [
                ImproveMonth {
                    month: "2026-10".into(),
                    actions: 3,
                    median_days: 10,
                    p90_days: 60
                },
                ImproveMonth {
                    month: "2026-11".into(),
                    actions: 1,
                    median_days: 4,
                    p90_days: 4
                },
            ]
        );
        assert_eq!((t.done, t.done_fast, t.done_untimed), (4, 3, 2));
        assert_eq!(t.median_days, Some(4), "of 2, 4, 10, 60");
        assert_eq!(t.fast_percent(), Some(75));
        assert_eq!(
            t.open_by_age,
            OpenByAge {
                recent: 1,
                older: 1,
                oldest: 1,
                unknown: 1
            }
        );
        assert_eq!(of_actions(&[], today).fast_percent(), None);
        assert!(of_actions(&[], today).is_empty());
        let untimed = of_actions(&[action(None, None, ActionStatus::Done)], today);
        assert!(!untimed.is_empty(), "a done action is something to show");
        assert_eq!((untimed.done, untimed.done_untimed), (0, 1));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let days: Vec<u32> = (1..=10).collect();
        assert_eq!(percentile(&days, 50), 5);
        assert_eq!(percentile(&days, 90), 9);
        assert_eq!(percentile(&[7], 90), 7);
        assert_eq!(percentile(&[1, 2], 50), 1);
    }
}
