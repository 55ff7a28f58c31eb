//! Closed sets of named values: one declaration gives the enum, `ALL` in declaration order, each
//! value's `key` (the wire and storage name, which serde uses too) and `label` (what a person
//! reads), and `from_key`. A leaf: it imports no module of the crate.
//!
//! The enums serialize as their key and deserialize through one shared visitor, [`KeyVisitor`],
//! rather than serde's derive: the derive gives every enum its own visitor for every format it
//! is read from, the same code a dozen times in the app's WebAssembly.

use std::fmt;

use serde::de::{Error, Visitor};

/// Reads a keyed enum's key and answers its index in `keys`, which is declaration order.
#[doc(hidden)]
pub struct KeyVisitor(pub &'static [&'static str]);

impl Visitor<'_> for KeyVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("one of ")?;
        f.write_str(&self.0.join(", "))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|k| *k == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

/// Declares a keyed enum. Each variant is written `Variant = ("key", "Label")`; attributes (docs,
/// derives, `#[default]`) pass through. The derives must include `Clone` and `Copy`, and not
/// serde's: the enum serializes as its key, and reads it back.
///
/// ```
/// mosaic_domain::keyed_enum! {
///     /// How it went.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum Outcome {
///         Fine = ("fine", "All fine"),
///         NotFine = ("not_fine", "Not fine"),
///     }
/// }
/// assert_eq!(Outcome::ALL, [Outcome::Fine, Outcome::NotFine]);
/// assert_eq!(Outcome::NotFine.key(), "not_fine");
/// assert_eq!(Outcome::from_key("fine"), Some(Outcome::Fine));
/// assert_eq!(Outcome::NotFine.label(), "Not fine");
/// assert_eq!(serde_json::to_string(&Outcome::NotFine).unwrap(), "\"not_fine\"");
/// assert_eq!(serde_json::from_str::<Outcome>("\"fine\"").unwrap(), Outcome::Fine);
/// assert!(serde_json::from_str::<Outcome>("\"meh\"").unwrap_err().to_string()
///     .starts_with("unknown variant `meh`, expected `fine` or `not_fine`"));
/// ```
#[macro_export]
macro_rules! keyed_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($key:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.key())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_str($crate::KeyVisitor(&Self::KEYS))
                    .map(|i| Self::ALL[i])
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($name::$variant),+].len()] = [$($name::$variant),+];

            /// Every value's key, in declaration order.
            const KEYS: [&'static str; [$($key),+].len()] = [$($key),+];

            /// The wire and storage name.
            pub fn key(self) -> &'static str {
                match self {
                    $( Self::$variant => $key ),+
                }
            }

            /// The value whose [`key`](Self::key) is `key`.
            pub fn from_key(key: &str) -> Option<Self> {
                Self::KEYS.iter().position(|k| *k == key).map(|i| Self::ALL[i])
            }

            /// What a person reads.
            pub fn label(self) -> &'static str {
                match self {
                    $( Self::$variant => $label ),+
                }
            }
        }
    };
}
