//! Containers: arrays (`Vec`), fixed-length `prefixItems` (tuples), and maps from
//! `additionalProperties` or `patternProperties`.
//!
//! **Invariant:** a container's members are named from its own hint (`Item`, `Item1`, `Value`),
//! and an array that cannot be a tuple is a list of JSON values with a warning, never a tuple of
//! the wrong length.

use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use super::{Lowered, Lowerer};
use crate::ir::TypeRef;
use crate::pointer;

impl Lowerer<'_, '_> {
    /// A map of the extra properties' type, or a JSON object when they are not described.
    pub(super) fn map_type(&mut self, additional: Option<&AdditionalProperties>, hint: &str, pointer: &str) -> TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(schema)) => {
                let here = pointer::push(pointer, "additionalProperties");
                let value = self.schema(schema, &format!("{hint}Value"), &here);
                TypeRef::Map(Box::new(value.wrapped()))
            }
            _ => TypeRef::JsonObject,
        }
    }

    /// A list of `items`, or the tuple its `prefixItems` describe.
    pub(super) fn array_type(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        schema: &Schema,
        hint: &str,
        pointer: &str,
    ) -> TypeRef {
        if let Some(prefix) = schema.schema_data.extensions.get(crate::normalise::PREFIX_ITEMS) {
            return self.tuple_type(prefix, items, schema, hint, pointer);
        }
        match items {
            Some(items) => {
                let item = self.boxed_schema(items, &format!("{hint}Item"), &pointer::push(pointer, "items"));
                TypeRef::Vec(Box::new(item.wrapped()))
            }
            None => TypeRef::Vec(Box::new(TypeRef::Value)),
        }
    }

    /// `prefixItems` (3.1, or the draft-4 `items: [..]`): a Rust tuple when the array has exactly
    /// that many items; otherwise a `Vec` of JSON values, with a warning.
    fn tuple_type(
        &mut self,
        prefix: &Value,
        items: Option<&ReferenceOr<Box<Schema>>>,
        schema: &Schema,
        hint: &str,
        pointer: &str,
    ) -> TypeRef {
        let at = pointer::push(pointer, "prefixItems");
        let Ok(prefix) = serde_json::from_value::<Vec<ReferenceOr<Schema>>>(prefix.clone()) else {
            self.sink.warning(&at, "prefixItems is not a list of schemas; generated as a list of serde_json::Value");
            return TypeRef::Vec(Box::new(TypeRef::Value));
        };
        if !has_exact_length(schema, items, prefix.len()) || prefix.is_empty() {
            self.sink.warning(
                &at,
                "prefixItems of varying length (no `items: false` and `minItems` of its length) cannot be a Rust tuple; \
                 generated as a list of serde_json::Value",
            );
            return TypeRef::Vec(Box::new(TypeRef::Value));
        }
        let members = prefix
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let lowered: Lowered =
                    self.schema(item, &format!("{hint}Item{}", i + 1), &pointer::push(&at, &i.to_string()));
                lowered.wrapped()
            })
            .collect();
        TypeRef::Tuple(members)
    }
}

/// Whether an array has exactly `len` items: nothing may follow (`items: false`, or
/// `maxItems`) and nothing may be left out (`minItems`).
fn has_exact_length(schema: &Schema, items: Option<&ReferenceOr<Box<Schema>>>, len: usize) -> bool {
    let (min_items, max_items) = match &schema.schema_kind {
        SchemaKind::Type(Type::Array(a)) => (a.min_items, a.max_items),
        SchemaKind::Any(any) => (any.min_items, any.max_items),
        _ => (None, None),
    };
    let no_more = max_items.is_some_and(|max| max <= len)
        || matches!(items, Some(ReferenceOr::Item(rest)) if matches!(rest.schema_kind, SchemaKind::Not { .. }));
    let no_fewer = min_items.is_some_and(|min| min >= len);
    no_more && no_fewer
}

/// The extra properties an object allows: its `patternProperties` (which `additionalProperties:
/// false` does not exclude: they are not "additional"), else its `additionalProperties`.
pub(super) fn with_patterns(
    additional: Option<&AdditionalProperties>,
    schema: &Schema,
) -> Option<AdditionalProperties> {
    pattern_properties(schema).or_else(|| additional.cloned())
}

/// `patternProperties` as the `additionalProperties` it amounts to in Rust, where a map key's
/// pattern cannot be checked: one pattern gives its schema, several any value.
pub(super) fn pattern_properties(schema: &Schema) -> Option<AdditionalProperties> {
    let patterns = schema.schema_data.extensions.get(crate::normalise::PATTERN_PROPERTIES)?.as_object()?;
    match patterns.values().collect::<Vec<_>>().as_slice() {
        [] => None,
        [single] => match serde_json::from_value::<ReferenceOr<Schema>>((*single).clone()) {
            Ok(schema) => Some(AdditionalProperties::Schema(Box::new(schema))),
            Err(_) => Some(AdditionalProperties::Any(true)),
        },
        _ => Some(AdditionalProperties::Any(true)),
    }
}
