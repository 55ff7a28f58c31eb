//! JSON read with serde_json, objects as objects only.
//!
//! serde's derive lets a struct be read from a JSON object or from an array of its fields in
//! order, and serde_json's `deserialize_struct` accepts both: so every struct's reader carries a
//! second, positional reader that Mosaic never uses (it writes objects only). In the browser,
//! where the review model's readers are most of the review page's code, [`from_str`] reads
//! through `Objects`, which asks serde_json for a map wherever a struct is read: the
//! positional readers are never called, so they are not compiled. An array where a struct is
//! expected is refused ("invalid type: sequence, expected struct …"); every other answer and
//! error is serde_json's own. The server reads requests with serde_json directly.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

/// Reads `json` as a `T`, as `serde_json::from_str` does, structs from objects only.
///
/// # Errors
/// serde_json's, with where in the text it happened.
pub fn from_str<T: DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_str(json);
    let value = T::deserialize(Objects(&mut reader))?;
    reader.end()?;
    Ok(value)
}

/// A serde_json reader, or one of its parts (a visitor, a map, a list, an enum, a seed),
/// wrapped so that everything read through it reads structs as maps.
struct Objects<X>(X);

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* Objects(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Objects<D> {
    type Error = D::Error;

    forward! {
        deserialize_any(); deserialize_bool(); deserialize_i8(); deserialize_i16();
        deserialize_i32(); deserialize_i64(); deserialize_i128(); deserialize_u8();
        deserialize_u16(); deserialize_u32(); deserialize_u64(); deserialize_u128();
        deserialize_f32(); deserialize_f64(); deserialize_char(); deserialize_str();
        deserialize_string(); deserialize_bytes(); deserialize_byte_buf(); deserialize_option();
        deserialize_unit(); deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str); deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize); deserialize_map();
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier(); deserialize_ignored_any();
    }

    /// The point of [`Objects`]: a struct is read as a map.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Objects(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Objects<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    visit! {
        visit_bool(bool); visit_i64(i64); visit_i128(i128); visit_u64(u64); visit_u128(u128);
        visit_f64(f64); visit_char(char); visit_str(&str); visit_borrowed_str(&'de str);
        visit_string(String); visit_bytes(&[u8]); visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Objects(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Objects(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(Objects(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(Objects(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(Objects(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Objects<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Objects(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Objects<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Objects(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Objects<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Objects(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Objects(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Objects<A> {
    type Error = A::Error;
    type Variant = Objects<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(Objects(seed))
            .map(|(value, variant)| (value, Objects(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Objects<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Objects(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Objects(visitor))
    }

    /// A struct variant is read as a map too: its content, read as a newtype's.
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.newtype_variant_seed(MapOf(visitor))
    }
}

/// Reads a map with the visitor it holds.
struct MapOf<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for MapOf<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        Objects(d).deserialize_map(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        name: String,
        tags: Vec<String>,
        due: Option<u32>,
        kind: Kind,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Dated { day: u32 },
        Wrapped(String),
    }

    #[test]
    fn reads_what_serde_json_reads_and_says_what_it_says() {
        for json in [
            r#"{"name":"a","tags":["x","y"],"due":null,"kind":"plain"}"#,
            r#"{"name":"a","tags":[],"due":3,"kind":{"dated":{"day":4}}}"#,
            r#"{"name":"a","tags":[],"kind":{"wrapped":"w"}}"#,
        ] {
            let theirs = serde_json::from_str::<Item>(json).unwrap();
            assert_eq!(from_str::<Item>(json).unwrap(), theirs, "{json}");
        }
        for bad in [
            r#"{"name":"a","tags":["x",1],"due":null,"kind":"plain"}"#,
            r#"{"name":"a","tags":[],"kind":"plain","name":"b"}"#,
            r#"{"name":"a","kind":"plain"}"#,
            r#"{"name":"a","tags":[],"kind":"plain"} x"#,
            r#"{"name":"a","tags":[],"due":-1,"kind":"plain"}"#,
            r#"{"name":"a","tags":[],"kind":"odd"}"#,
            r#"{"name":"a","tags":[],"kind":{"dated":{}}}"#,
            r#"{"name":"a""#,
            "",
        ] {
            let ours = from_str::<Item>(bad).unwrap_err().to_string();
            let theirs = serde_json::from_str::<Item>(bad).unwrap_err().to_string();
            assert_eq!(ours, theirs, "{bad}");
        }
    }

    #[test]
    fn a_struct_is_read_from_an_object_only() {
        let json = r#"["a",[],null,"plain"]"#;
        assert!(serde_json::from_str::<Item>(json).is_ok());
        assert_eq!(
            from_str::<Item>(json).unwrap_err().to_string(),
            "invalid type: sequence, expected struct Item at line 1 column 0"
        );
    }

    #[test]
    fn a_whole_review_and_its_accounts_read_back_as_serde_json_reads_them() {
        let (review, accounts) = fixture::review_in(crate::Phase::Published);
        assert!(review.finding.is_some());
        let json = serde_json::to_string(&review).unwrap();
        assert_eq!(from_str::<crate::Review>(&json).unwrap(), review);
        let json = serde_json::to_string(&accounts).unwrap();
        assert_eq!(from_str::<Vec<crate::Account>>(&json).unwrap(), accounts);
    }
}
