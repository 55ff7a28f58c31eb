//! Converting between what `<input type="datetime-local">` holds (a wall-clock time in the
//! browser's zone, no offset) and the UTC instants the domain stores.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};

const INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// Parses a `datetime-local` value in the browser's time zone. `None` for an empty or
/// malformed value, and for a wall-clock time that does not exist (skipped by a DST change).
pub fn parse_local_input(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = NaiveDateTime::parse_from_str(value, INPUT_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The `datetime-local` value for an instant, in the browser's time zone.
pub fn to_local_input(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format(INPUT_FORMAT).to_string()
}

/// A short human-readable form, in the browser's time zone.
pub fn display(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// Now, from the browser's clock.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}
