//! The serde impls of generated structs: `serde_struct!` writes them, [`FieldSeed`] reads an
//! object's key as the index of the struct field it names, [`Skip`] says which optional fields
//! are left out.
//!
//! A generated struct is read by a `visit_map` of its own rather than serde's derive, which also
//! writes a `visit_seq` (a struct read from an array, which a JSON object never is) and a field
//! enum with a visitor of its own for every struct: more than a third of what `cargo check`
//! spends on a large API's crate. What the impl does is what the derive does for these structs:
//! unknown keys are skipped, a missing `Option` (or `Nullable`) field is empty, any other
//! missing field is a `missing field` error; a repeated key keeps its last value.

/// Reads a key as the index of the field it names, by the struct's function, which answers
/// `usize::MAX` for a key the struct does not name.
#[derive(Clone, Copy)]
pub struct FieldSeed(pub fn(&str) -> usize);

impl<'de> ::serde::de::DeserializeSeed<'de> for FieldSeed {
    type Value = usize;

    fn deserialize<D: ::serde::Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> ::serde::de::Visitor<'de> for FieldSeed {
    type Value = usize;

    fn expecting(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        formatter.write_str("a field name")
    }

    fn visit_str<E: ::serde::de::Error>(self, key: &str) -> Result<usize, E> {
        Ok((self.0)(key))
    }

    fn visit_bytes<E: ::serde::de::Error>(self, key: &[u8]) -> Result<usize, E> {
        Ok(::std::str::from_utf8(key).map_or(usize::MAX, self.0))
    }
}

/// Whether an optional field is left out when serialising: `None`, or `Nullable::Absent`.
pub trait Skip {
    /// Whether to leave the field out.
    fn skip(&self) -> bool;
}

impl<T> Skip for Option<T> {
    fn skip(&self) -> bool {
        self.is_none()
    }
}

impl<T> Skip for super::Nullable<T> {
    fn skip(&self) -> bool {
        self.is_absent()
    }
}

/// `impl Serialize` and `impl Deserialize` for a struct with named fields, as serde's derive
/// would write them with `rename`, `default` and `skip_serializing_if`:
///
/// ```text
/// serde_struct! { Pet [Deserialize] [Serialize] { id = "id" 0 required, tag = "tag" 1 optional } }
/// ```
///
/// The first list holds the traits always implemented, the second those implemented with the
/// `full-serde` feature. Each field is `field = "wire" index presence`, indices counting from 0
/// in the order written. Presence: `required` (always written; missing is an error),
/// `nullable` (an `Option` always written, `null` when `None`; missing is `None`), `optional` (a
/// `Default` field implementing [`Skip`]: `Option` or `Nullable`, left out when empty; missing
/// is empty). Paths in it are the generated crate's (its `runtime` module), and its own names
/// (`Visitor`, `A`, `D`, `S`) are not the struct's.
#[allow(unused_macros)]
macro_rules! serde_struct {
    ($name:ident [$($needed:ident),*] [$($optional:ident),*] $fields:tt) => {
        $(crate::runtime::serde_struct!(@$needed $name $fields);)*
        $(
            #[cfg(feature = "full-serde")]
            crate::runtime::serde_struct!(@$optional $name $fields);
        )*
    };
    (@Serialize $name:ident { $($field:ident = $wire:literal $index:literal $presence:ident),* $(,)? }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct;
                let len = 0 $(+ crate::runtime::serde_struct!(@len $presence self.$field))*;
                #[allow(unused_mut)]
                let mut state = serializer.serialize_struct(stringify!($name), len)?;
                $(crate::runtime::serde_struct!(@write $presence state self.$field, $wire);)*
                state.end()
            }
        }
    };
    (@len optional $value:expr) => {
        usize::from(!crate::runtime::Skip::skip(&$value))
    };
    (@len $presence:ident $value:expr) => {
        1
    };
    (@write optional $state:ident $value:expr, $wire:literal) => {
        if crate::runtime::Skip::skip(&$value) {
            $state.skip_field($wire)?;
        } else {
            $state.serialize_field($wire, &$value)?;
        }
    };
    (@write $presence:ident $state:ident $value:expr, $wire:literal) => {
        $state.serialize_field($wire, &$value)?;
    };
    (@Deserialize $name:ident { $($field:ident = $wire:literal $index:literal $presence:ident),* $(,)? }) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        formatter.write_str(concat!("struct ", stringify!($name)))
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        $(let mut $field = ::std::option::Option::None;)*
                        let fields = crate::runtime::FieldSeed(|key| match key {
                            $($wire => $index,)*
                            _ => usize::MAX,
                        });
                        while let ::std::option::Option::Some(index) = map.next_key_seed(fields)? {
                            match index {
                                $($index => $field = ::std::option::Option::Some(map.next_value()?),)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($field: crate::runtime::serde_struct!(@value $presence $field $wire),)*
                        })
                    }
                }

                deserializer.deserialize_map(Visitor)
            }
        }
    };
    (@value required $field:ident $wire:literal) => {
        match $field {
            ::std::option::Option::Some(value) => value,
            ::std::option::Option::None => {
                return ::std::result::Result::Err(::serde::de::Error::missing_field($wire));
            }
        }
    };
    (@value $presence:ident $field:ident $wire:literal) => {
        $field.unwrap_or_default()
    };
}

#[allow(unused_imports)]
pub(crate) use serde_struct;

/// `impl Serialize` and `impl Deserialize` for a string enum with a catch-all variant, as
/// serde's derive would write them with `rename` and an `untagged` catch-all, without the
/// derive's buffering of the value to try each:
///
/// ```text
/// serde_enum! { Status [Deserialize] [Serialize] Unknown { Queued = "queued", Done = "done" } }
/// ```
///
/// The lists are those of [`serde_struct!`]; `Unknown` is the variant holding any other string.
/// It writes the value of the enum's `as_str`, and reads a known value as its variant and any
/// other string as the catch-all.
#[allow(unused_macros)]
macro_rules! serde_enum {
    ($name:ident [$($needed:ident),*] [$($optional:ident),*] $other:ident $variants:tt) => {
        $(crate::runtime::serde_enum!(@$needed $name $other $variants);)*
        $(
            #[cfg(feature = "full-serde")]
            crate::runtime::serde_enum!(@$optional $name $other $variants);
        )*
    };
    (@Serialize $name:ident $other:ident $variants:tt) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
    (@Deserialize $name:ident $other:ident { $($variant:ident = $wire:literal),* $(,)? }) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        formatter.write_str("a string")
                    }

                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<$name, E> {
                        ::std::result::Result::Ok(match value {
                            $($wire => $name::$variant,)*
                            other => $name::$other(::std::borrow::ToOwned::to_owned(other)),
                        })
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use serde_enum;
