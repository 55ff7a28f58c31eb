//! Converting between what `<input type="datetime-local">` holds (a wall-clock time in the
//! browser's zone, no offset) and the UTC instants the domain stores.

use chrono::{DateTime, Datelike, Local, TimeZone, Timelike, Utc};

#[cfg(test)]
const INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// Parses a `datetime-local` value in the browser's time zone. `None` for an empty or
/// malformed value, and for a wall-clock time that does not exist (skipped by a DST change).
pub fn parse_local_input(value: &str) -> Option<DateTime<Utc>> {
    let naive = mosaic_domain::rfc3339::parse_wall_clock(value.trim())?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads a day as a date input gives it, `2026-11-20`: the domain's reader, which its types
/// read days with.
pub use mosaic_domain::rfc3339::parse_day;

/// The `datetime-local` value for an instant, in the browser's time zone: with its seconds
/// when it has some (an imported alert at 10:00:30), so that reading the field back gives the
/// time stored, not one rounded down to the minute.
pub fn to_local_input(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    let mut value = stamp(&local, 'T');
    if local.second() != 0 {
        value.push_str(&format!(":{:02}", local.second()));
    }
    value
}

/// A short human-readable form, in the browser's time zone.
pub fn display(t: DateTime<Utc>) -> String {
    stamp(&t.with_timezone(&Local), ' ')
}

/// "2026-11-20 14:05" with `between` between date and time, written from the fields directly:
/// `format` parses its pattern on every call, and a long timeline shows hundreds of times.
fn stamp<T: Datelike + Timelike>(t: &T, between: char) -> String {
    format!(
        "{:04}-{:02}-{:02}{between}{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Like [`display`], followed by the zone it is shown in ("2026-11-20 14:05 UTC+01:00"), for
/// times a person may compare with a clock elsewhere: when an incident started.
pub fn display_zoned(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    format!(
        "{} {}",
        display(t),
        zone_name(local.offset().local_minus_utc())
    )
}

/// "UTC", or "UTC+01:00" / "UTC-05:30" for an offset east or west of it, in seconds.
fn zone_name(offset_seconds: i32) -> String {
    if offset_seconds == 0 {
        return "UTC".to_owned();
    }
    let sign = if offset_seconds > 0 { '+' } else { '-' };
    let minutes = offset_seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Now, from the browser's clock.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod zone_tests {
    use super::{INPUT_FORMAT, stamp, zone_name};
    use chrono::NaiveDate;

    #[test]
    fn an_input_value_reads_back_as_the_time_it_shows_seconds_included() {
        for at in [
            "2026-11-20T10:00:30Z",
            "2026-11-20T10:00:00Z",
            "2026-11-20T23:59:59Z",
        ] {
            let t: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
            let value = super::to_local_input(t);
            assert_eq!(super::parse_local_input(&value), Some(t), "{value}");
        }
    }

    #[test]
    fn stamps_read_as_the_formats_they_replace() {
        for (y, mo, d, h, mi) in [
            (2026, 11, 20, 14, 5),
            (999, 1, 2, 0, 0),
            (2026, 12, 31, 23, 59),
        ] {
            let t = NaiveDate::from_ymd_opt(y, mo, d)
                .and_then(|d| d.and_hms_opt(h, mi, 42))
                .unwrap()
                .and_utc();
            assert_eq!(stamp(&t, 'T'), t.format(INPUT_FORMAT).to_string());
            assert_eq!(stamp(&t, ' '), t.format("%Y-%m-%d %H:%M").to_string());
        }
    }

    #[test]
    fn zones_are_named_by_their_offset() {
        assert_eq!(zone_name(0), "UTC");
        assert_eq!(zone_name(3600), "UTC+01:00");
        assert_eq!(zone_name(-(5 * 3600 + 30 * 60)), "UTC-05:30");
    }
}
