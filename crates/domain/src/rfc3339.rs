//! Reading the times and days Mosaic wrote (RFC 3339, as chrono's `Serialize` writes them) with
//! chrono's RFC 3339 reader and a reader of `YYYY-MM-DD`, for every such field of the domain's
//! types: `#[serde(deserialize_with = "crate::rfc3339::time")]`, `time_option`, `day` and
//! `day_option` (the `_option` ones with `default`, so that a missing field is `None`); and the
//! app's date and time inputs' values, with [`parse_day`] and [`parse_wall_clock`].
//!
//! chrono's own `Deserialize` goes through its general pattern parser, which also knows RFC 2822
//! and every strftime item: about 12 KB of WebAssembly in every page that reads a review, for
//! text that is always in one form.

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Reads one form of text into a value.
trait Form {
    type Value;
    const EXPECTING: &'static str;
    fn read(s: &str) -> Option<Self::Value>;
}

struct Time;

impl Form for Time {
    type Value = DateTime<Utc>;
    const EXPECTING: &'static str = "an RFC 3339 time";
    fn read(s: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

struct Day;

impl Form for Day {
    type Value = NaiveDate;
    const EXPECTING: &'static str = "a day as YYYY-MM-DD";
    fn read(s: &str) -> Option<NaiveDate> {
        parse_day(s)
    }
}

/// Reads `2026-11-20` from its fields (what `NaiveDate` writes for the years Mosaic sees, and
/// what a date input gives), for the reason the module gives.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let mut date = s.splitn(3, '-');
    let year = i32::try_from(digits(date.next(), 4)?).ok()?;
    let (month, day) = (digits(date.next(), 2)?, digits(date.next(), 2)?);
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Reads a wall-clock time with no offset in the two forms `<input type="datetime-local">`
/// gives, `2026-11-20T14:05` and `2026-11-20T14:05:09`, from their fields: chrono's
/// `parse_from_str` would bring its whole format-pattern parser for these two fixed layouts.
pub fn parse_wall_clock(s: &str) -> Option<NaiveDateTime> {
    let (date, time) = s.split_once('T')?;
    let mut time = time.splitn(3, ':');
    let (hour, minute) = (digits(time.next(), 2)?, digits(time.next(), 2)?);
    let second = match time.next() {
        None => 0,
        seconds => digits(seconds, 2)?,
    };
    parse_day(date)?.and_hms_opt(hour, minute, second)
}

/// A field of fixed width, digits only, as the patterns `%Y`, `%m`, `%d`, `%H`, `%M` and `%S`
/// read them.
fn digits(part: Option<&str>, width: usize) -> Option<u32> {
    part.filter(|p| p.len() == width && p.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()
}

struct Text<F>(PhantomData<F>);

impl<F: Form> Visitor<'_> for Text<F> {
    type Value = F::Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(F::EXPECTING)
    }
    fn visit_str<E: Error>(self, s: &str) -> Result<F::Value, E> {
        F::read(s).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(s), &self))
    }
}

/// `null` or the form's text.
struct Maybe<F>(PhantomData<F>);

impl<'de, F: Form> Visitor<'de> for Maybe<F> {
    type Value = Option<F::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(F::EXPECTING)?;
        f.write_str(" or null")
    }
    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(Text::<F>(PhantomData)).map(Some)
    }
}

/// Deserialises an RFC 3339 time (any offset, as UTC).
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(Text::<Time>(PhantomData))
}

/// Deserialises an RFC 3339 time or `null`.
pub fn time_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    d.deserialize_option(Maybe::<Time>(PhantomData))
}

/// Deserialises a day, `2026-11-20`.
pub fn day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(Text::<Day>(PhantomData))
}

/// Deserialises a day or `null`.
pub fn day_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    d.deserialize_option(Maybe::<Day>(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct At(#[serde(deserialize_with = "time")] DateTime<Utc>);

    /// Reads what chrono's `Serialize` writes, as chrono's `Deserialize` reads it.
    #[test]
    fn reads_what_chrono_writes() {
        for at in [
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:00:30.250Z",
            "2026-03-01T12:00:00+02:00",
            "2026-03-01T10:00:00.000000001Z",
        ] {
            let json = serde_json::to_string(at).unwrap();
            let ours = serde_json::from_str::<At>(&json).unwrap().0;
            let chronos: DateTime<Utc> = serde_json::from_str(&json).unwrap();
            assert_eq!(ours, chronos, "{at}");
            assert_eq!(
                serde_json::from_str::<At>(&serde_json::to_string(&ours).unwrap())
                    .unwrap()
                    .0,
                ours
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "\"yesterday\"",
            "\"2026-13-01T10:00:00Z\"",
            "\"2026-03-01\"",
            "42",
        ] {
            assert!(serde_json::from_str::<At>(bad).is_err(), "{bad}");
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Fields {
        #[serde(default, deserialize_with = "time_option")]
        at: Option<DateTime<Utc>>,
        #[serde(deserialize_with = "day")]
        day: NaiveDate,
        #[serde(default, deserialize_with = "day_option")]
        due: Option<NaiveDate>,
    }

    /// A missing or `null` optional field is `None`, as with chrono's own `Deserialize`.
    #[test]
    fn optional_times_and_days_read_as_chrono_reads_them() {
        let read = |json: &str| serde_json::from_str::<Fields>(json).map_err(|e| e.to_string());
        let day = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(
            read(r#"{"day":"2026-02-28"}"#),
            Ok(Fields {
                at: None,
                day,
                due: None
            })
        );
        assert_eq!(
            read(r#"{"at":null,"day":"2026-02-28","due":null}"#),
            Ok(Fields {
                at: None,
                day,
                due: None
            })
        );
        let at: DateTime<Utc> = "2026-02-28T09:30:00Z".parse().unwrap();
        assert_eq!(
            read(r#"{"at":"2026-02-28T10:30:00+01:00","day":"2026-02-28","due":"2026-03-01"}"#),
            Ok(Fields {
                at: Some(at),
                day,
                due: NaiveDate::from_ymd_opt(2026, 3, 1)
            })
        );
        let refused = read(r#"{"day":"2026-02-30"}"#).unwrap_err();
        assert!(
            refused
                .starts_with("invalid value: string \"2026-02-30\", expected a day as YYYY-MM-DD"),
            "{refused}"
        );
        assert!(read(r#"{"at":"soon","day":"2026-02-28"}"#).is_err());
        assert!(read(r#"{"day":"2026-02-28","due":7}"#).is_err());
    }

    /// Every day chrono writes in the years Mosaic sees reads back, and the rest as chrono's
    /// own reader reads it.
    #[test]
    fn days_read_as_chrono_reads_them() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        while d.year() < 2102 {
            assert_eq!(parse_day(&d.to_string()), Some(d));
            d = d + chrono::Days::new(13);
        }
        for value in [
            "2026-11-20",
            "2024-02-29",
            "0999-01-02",
            "2026-02-29",
            "2026-02-30",
            "2026-13-01",
            "2026-11-20T10:00",
            "2026/02/28",
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
        // Narrower where chrono never writes it and a date input never gives it: fields are
        // zero-padded, years have four digits and no sign.
        for value in ["2026-2-28", "26-02-28", "+2026-02-28"] {
            assert_eq!(parse_day(value), None, "{value:?}");
        }
    }

    #[test]
    fn wall_clock_times_read_as_the_patterns_they_replace() {
        let by_pattern = |v: &str| {
            NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
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
            assert_eq!(parse_wall_clock(value), by_pattern(value), "{value:?}");
        }
        // Narrower than the patterns where the browser never writes it: fields are zero-padded.
        assert_eq!(parse_wall_clock("2026-1-20T14:05"), None);
        assert_eq!(parse_wall_clock("+2026-11-20T14:05"), None);
    }
}
