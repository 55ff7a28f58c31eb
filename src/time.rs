//! Converting between what `<input type="datetime-local">` holds (a wall-clock time in the
//! browser's zone, no offset) and the UTC instants the domain stores.

use chrono::{DateTime, Datelike, Local, NaiveDateTime, TimeZone, Timelike, Utc};

const INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// Parses a `datetime-local` value in the browser's time zone. `None` for an empty or
/// malformed value, and for a wall-clock time that does not exist (skipped by a DST change).
pub fn parse_local_input(value: &str) -> Option<DateTime<Utc>> {
    let naive = parse_naive(value.trim())?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The wall-clock time a `datetime-local` value names. What the input holds
/// (`2026-11-20T14:05`, or with `:SS`) is read by hand: `parse_from_str` parses its pattern
/// on every call, and every rendered entry's legend and every keystroke in an entry reads one.
/// Anything else (a value it refuses included) goes to `parse_from_str`, which reads the same
/// patterns more loosely.
fn parse_naive(value: &str) -> Option<NaiveDateTime> {
    let b = value.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let shaped = matches!(b.len(), 16 | 19)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && (b.len() == 16 || b[16] == b':');
    let fast = shaped.then(|| {
        let year = i32::try_from(num(0, 4)?).ok()?;
        let second = if b.len() == 19 { num(17, 2)? } else { 0 };
        chrono::NaiveDate::from_ymd_opt(year, num(5, 2)?, num(8, 2)?)?.and_hms_opt(
            num(11, 2)?,
            num(14, 2)?,
            second,
        )
    });
    fast.flatten().or_else(|| {
        NaiveDateTime::parse_from_str(value, INPUT_FORMAT)
            .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
            .ok()
    })
}

/// The `datetime-local` value for an instant, in the browser's time zone.
pub fn to_local_input(t: DateTime<Utc>) -> String {
    stamp(&t.with_timezone(&Local), 'T')
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
    use chrono::{NaiveDate, NaiveDateTime};

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
    fn input_values_read_as_parse_from_str_reads_them() {
        let slow = |v: &str| {
            NaiveDateTime::parse_from_str(v, INPUT_FORMAT)
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
                .ok()
        };
        for value in [
            "2026-11-20T14:05",
            "2026-11-20T14:05:30",
            "0999-01-02T00:00",
            "2026-12-31T23:59:59",
            "2026-02-30T10:00",
            "2026-11-20T24:00",
            "2026-11-20T14:60",
            "2026-11-20T14:05:60",
            "2026-11-20T14:05:61",
            "2026-11-20T14:05:30.250",
            "2026-11-20 14:05",
            "2026-1-20T14:05",
            "+2026-11-20T14:05",
            "2026-11-20T14:5",
            "2026-11-2OT14:05",
            "20261-11-20T14:05",
            "2026-11-20T",
            "",
        ] {
            assert_eq!(super::parse_naive(value), slow(value), "{value:?}");
        }
    }

    #[test]
    fn zones_are_named_by_their_offset() {
        assert_eq!(zone_name(0), "UTC");
        assert_eq!(zone_name(3600), "UTC+01:00");
        assert_eq!(zone_name(-(5 * 3600 + 30 * 60)), "UTC-05:30");
    }
}
