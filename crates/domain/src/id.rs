//! Identifiers: one validated newtype per kind of object, so an entry's id can't be passed where a
//! participant's is expected; and the two references into an account, [`EntryRef`] and
//! [`FactorRef`], which are pairs of ids.
//!
//! Every id is chosen by the caller (a UUID in practice: this crate draws no random numbers) and
//! is 1 to 64 ASCII letters, digits, `-` or `_`, which is safe in a URL path and a storage key
//! without escaping. Deserializing checks the same rule, so a stored document with a bad id fails
//! to load instead of reaching a URL.

use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

/// The longest id, in bytes (all of them ASCII).
pub const MAX_ID_LEN: usize = 64;

pub(crate) fn check(raw: &str) -> Result<(), ValidationError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_ID_LEN
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            "id",
            "must be 1 to 64 letters, digits, '-' or '_'",
        ))
    }
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Accepts 1 to 64 ASCII letters, digits, `-` and `_`.
            pub fn parse(raw: &str) -> Result<Self, $crate::validation::ValidationError> {
                $crate::id::check(raw)?;
                Ok(Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::validation::ValidationError;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                $crate::id::check(&raw)?;
                Ok(Self(raw))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type! {
    /// A participant of one review.
    ParticipantId
}
id_type! {
    /// One entry of one account's timeline; unique within that account.
    EntryId
}
id_type! {
    /// One observation (a contributing factor) of one account; unique within that account.
    ObservationId
}
id_type! {
    /// One follow-up action of a review.
    ActionId
}
id_type! {
    /// One piece of reference material of a review.
    ReferenceId
}
id_type! {
    /// One question of a review's guide.
    QuestionId
}
id_type! {
    /// One theme of a review: related factors the facilitator grouped under one name.
    ThemeId
}
id_type! {
    /// A review's identifier: chosen by whoever creates the review (a UUID in practice), so a
    /// review made offline keeps its id when it later reaches a server.
    ReviewId
}

/// One entry of one account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntryRef {
    pub participant_id: ParticipantId,
    pub entry_id: EntryId,
}

impl EntryRef {
    pub fn new(participant_id: ParticipantId, entry_id: EntryId) -> Self {
        Self {
            participant_id,
            entry_id,
        }
    }
}

/// One observation of one account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FactorRef {
    pub participant_id: ParticipantId,
    pub observation_id: ObservationId,
}

impl FactorRef {
    pub fn new(participant_id: ParticipantId, observation_id: ObservationId) -> Self {
        Self {
            participant_id,
            observation_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, ok: bool) {
        assert_eq!(ParticipantId::parse(raw).is_ok(), ok, "{raw:?}");
        let json = serde_json::to_string(raw).unwrap();
        assert_eq!(
            serde_json::from_str::<ParticipantId>(&json).is_ok(),
            ok,
            "{raw:?} from JSON"
        );
    }

    #[test]
    fn ids_are_url_safe_whether_parsed_or_deserialized() {
        for good in ["a", "a1-B_2", &"x".repeat(64)] {
            check(good, true);
        }
        for bad in ["", "a/b", "a b", "é", "../x", &"x".repeat(65)] {
            check(bad, false);
        }
    }
}
