//! How Mosaic writes a time for people, in the few fixed forms its text uses (exports, the
//! finding, the merged timeline, messages): written field by field rather than through
//! chrono's strftime formatter, which interprets its pattern at run time and brings its
//! locale tables with it, about 19 KB of every page that writes a time. Each form is what
//! chrono's pattern of the same name writes, for the years 0 to 9999.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// `2026-11-21` (`%Y-%m-%d`).
pub fn day(t: &impl Datelike) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())
}

/// `2026-11` (`%Y-%m`), the key of a month in the feed's statistics.
pub fn month(t: &impl Datelike) -> String {
    format!("{:04}-{:02}", t.year(), t.month())
}

/// `09:30` (`%H:%M`).
pub fn hour_minute(t: &impl Timelike) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `09:30:05` (`%H:%M:%S`).
pub fn hour_minute_second(t: &impl Timelike) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// `2026-11-21 09:30 UTC` (`%Y-%m-%d %H:%M UTC`), a moment in text anyone reads, whatever
/// their zone.
pub fn utc_minute(t: &DateTime<Utc>) -> String {
    format!("{} {} UTC", day(t), hour_minute(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Every form writes what chrono's pattern writes, over times spread across the years
    /// (single-digit fields, the first and last of a year, leap days).
    #[test]
    fn each_form_is_what_chronos_pattern_writes() {
        let mut times = vec![
            Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(1999, 12, 31, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(12, 6, 15, 12, 30, 0).unwrap(),
        ];
        // And a walk through the years by an uneven step.
        let mut t = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap();
        while t.year() < 9999 {
            times.push(t);
            t += chrono::Duration::seconds(7_654_321_987);
        }
        for t in times {
            assert_eq!(day(&t), t.format("%Y-%m-%d").to_string());
            assert_eq!(month(&t), t.format("%Y-%m").to_string());
            assert_eq!(hour_minute(&t), t.format("%H:%M").to_string());
            assert_eq!(hour_minute_second(&t), t.format("%H:%M:%S").to_string());
            assert_eq!(utc_minute(&t), t.format("%Y-%m-%d %H:%M UTC").to_string());
            assert_eq!(day(&t.date_naive()), t.format("%Y-%m-%d").to_string());
        }
        assert_eq!(
            utc_minute(&Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap()),
            "2026-11-21 09:30 UTC"
        );
    }
}
