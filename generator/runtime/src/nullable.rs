//! [`Nullable`]: absent, `null` or a value, for PATCH-style request fields.

/// Tri-state for optional and nullable request fields (PATCH semantics):
/// absent (leave unchanged, the field is omitted), explicit null (clear the
/// value), or a value.
///
/// Generated structs declare such fields as
///
/// ```text
/// #[serde(default, skip_serializing_if = "runtime::Nullable::is_absent")]
/// pub nickname: runtime::Nullable<String>,
/// ```
///
/// so that:
///
/// ```text
/// UpdatePet { nickname: Nullable::Absent, .. }                 // => {}
/// UpdatePet { nickname: Nullable::Null, .. }                   // => {"nickname":null}
/// UpdatePet { nickname: Nullable::Value("Rex".into()), .. }    // => {"nickname":"Rex"}
/// UpdatePet { nickname: "Rex".to_owned().into(), .. }          // same, via From<T>
/// UpdatePet { nickname: None::<String>.into(), .. }            // Null, via From<Option<T>>
/// ```
///
/// Deserialising maps a missing field to `Absent` (through
/// `#[serde(default)]`), `null` to `Null` and anything else to `Value`.
/// `Absent` is never serialised on its own when the attribute above is used;
/// if it is reached anyway it serialises as `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// Not sent: the server leaves the field unchanged.
    #[default]
    Absent,
    /// Sent as `null`: the server clears the field.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is absent (used by `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the field is an explicit null.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Whether the field holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(value) => Nullable::Value(value),
        }
    }

    /// The value, if any (absent and null both give `None`).
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// A reference to the value, if any.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// Maps the value, keeping absent and null as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(value) => Nullable::Value(f(value)),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` becomes an explicit [`Nullable::Null`].
    fn from(value: Option<T>) -> Self {
        match value {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        }
    }
}

impl<T: ::serde::Serialize> ::serde::Serialize for Nullable<T> {
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => serializer.serialize_some(value),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: ::serde::Deserialize<'de>> ::serde::Deserialize<'de> for Nullable<T> {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(<Option<T> as ::serde::Deserialize<'de>>::deserialize(deserializer)?.into())
    }
}
