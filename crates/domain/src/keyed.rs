//! Closed sets of named values: one declaration gives the enum, `ALL` in declaration order, each
//! value's `key` (the wire and storage name, which serde uses too) and `label` (what a person
//! reads), and `from_key`. A leaf: it imports no module of the crate.

/// Declares a keyed enum. Each variant is written `Variant = ("key", "Label")`; attributes (docs,
/// derives, `#[default]`) pass through. The derives must include `Clone`, `Copy`, `PartialEq`,
/// `Serialize` and `Deserialize`: the key is each variant's serde name.
///
/// ```
/// mosaic_domain::keyed_enum! {
///     /// How it went.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
            $( $(#[$vmeta])* #[serde(rename = $key)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($name::$variant),+].len()] = [$($name::$variant),+];

            /// The wire and storage name.
            pub fn key(self) -> &'static str {
                match self {
                    $( Self::$variant => $key ),+
                }
            }

            /// The value whose [`key`](Self::key) is `key`.
            pub fn from_key(key: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.key() == key)
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
