//! Converting between what `<input type="datetime-local">` holds (a wall-clock time in the
//! browser's zone, no offset) and the UTC instants the domain stores.

use chrono::{DateTime, Datelike, Local, NaiveDateTime, TimeZone, Timelike, Utc};

#[cfg(test)]
const INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// Parses a `datetime-local` value in the browser's time zone. `None` for an empty or
/// malformed value, and for a wall-clock time that does not exist (skipped by a DST change).
pub fn parse_local_input(value: &str) -> Option<DateTime<Utc>> {
    let naive = parse_input(value.trim())?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads the two forms a `datetime-local` input gives, `2026-11-20T14:05` and
/// `2026-11-20T14:05:09`, from their fields: chrono's `parse_from_str` would bring its whole
/// format-pattern parser into every page with a date field, for these two fixed layouts.
fn parse_input(value: &str) -> Option<NaiveDateTime> {
    let (date, time) = value.split_once('T')?;
    let mut time = time.splitn(3, ':');
    let (hour, minute) = (digits(time.next(), 2)?, digits(time.next(), 2)?);
    let second = match time.next() {
        None => 0,
        seconds => digits(seconds, 2)?,
    };
    parse_day(date)?.and_hms_opt(hour, minute, second)
}

/// Reads a day as a date input gives it, `2026-11-20` (also `NaiveDate`'s own text form): the
/// domain's reader, which its types read days with.
pub use mosaic_domain::rfc3339::parse_day;

/// A field of fixed width, digits only, as the patterns `%Y`, `%m`, `%d`, `%H`, `%M` and `%S`
/// read them.
fn digits(part: Option<&str>, width: usize) -> Option<u32> {
    part.filter(|p| p.len() == width && p.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()
}

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
    use super::{INPUT_FORMAT, parse_day, parse_input, stamp, zone_name};
    use chrono::{NaiveDate, NaiveDateTime};

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
    fn inputs_read_as_the_patterns_they_replace() {
        let by_pattern = |v: &str| {
            NaiveDateTime::parse_from_str(v, INPUT_FORMAT)
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
                .ok()
        };
        for value in [
            "2026-11-20T14:05",
            "2026-11-20T14:05:09",
            "2024-02-29T00:00",
            "0999-01-02T23:59",
            "2026-02-30T10:00",
            "2026-11-20T24:00",
            "2026-11-20T14:60",
            "2026-11-20 14:05",
            "2026-11-20T14",
            "2026-11-20",
            "2026-11-20T14:05:",
            "2026-11-20T14:05:09:01",
            "2026-11-20T-1:05",
            "",
            "T",
        ] {
            assert_eq!(parse_input(value), by_pattern(value), "{value:?}");
        }
        // Narrower than the patterns where the browser never writes it: fields are zero-padded.
        assert_eq!(parse_input("2026-1-20T14:05"), None);
        assert_eq!(parse_input("+2026-11-20T14:05"), None);
    }

    #[test]
    fn days_read_as_naive_dates_own_form() {
        for value in [
            "2026-11-20",
            "2024-02-29",
            "0999-01-02",
            "2026-02-30",
            "2026-13-01",
            "2026-11-20T10:00",
            "2026-11",
            "",
            "yesterday",
        ] {
            assert_eq!(
                parse_day(value),
                value.parse::<NaiveDate>().ok(),
                "{value:?}"
            );
        }
        // Narrower where a date input never writes it: fields are zero-padded.
        assert_eq!(parse_day("2026-1-20"), None);
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
