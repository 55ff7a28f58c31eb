//! Reading a time that Mosaic wrote (RFC 3339, as chrono's `Serialize` writes it) with chrono's
//! RFC 3339 reader, for `#[serde(deserialize_with = "crate::rfc3339::deserialize")]`.
//!
//! chrono's own `Deserialize` goes through its general pattern parser, which also knows RFC 2822
//! and every strftime item: about 14 KB of wasm that the pages reading only a list need for
//! nothing. The types the reviews list and the feed read (`ReviewListing`, `FeedEntry`) use
//! this instead, so that code stays in the parts of the pages that read whole reviews.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Deserialises an RFC 3339 time (any offset, as UTC).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    struct Rfc3339;
    impl Visitor<'_> for Rfc3339 {
        type Value = DateTime<Utc>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an RFC 3339 time")
        }
        fn visit_str<E: Error>(self, s: &str) -> Result<Self::Value, E> {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct At(#[serde(deserialize_with = "deserialize")] DateTime<Utc>);

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
}
