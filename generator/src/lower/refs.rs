//! References: the raw JSON kept for `$ref`s the parsed document cannot answer, the kinds of
//! component a `$ref` can name, chains of aliases between components, and resolving a `$ref` to
//! a schema, a component or a lowered type.
//!
//! **Invariant:** components are borrowed from the parsed document, never cloned; only a `$ref`
//! to some other place is parsed from the raw JSON. Alias chains are followed iteratively and at
//! most [`MAX_ALIAS_HOPS`] deep, so a long or looping chain cannot overflow or hang.

use std::borrow::Cow;
use std::cell::OnceCell;

use openapiv3::{Components, OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema};
use serde_json::Value;

use super::{Lowered, Lowerer};
use crate::ir::TypeRef;
use crate::pointer;

/// How many component aliases (`A: {$ref: B}`) a reference may pass through.
const MAX_ALIAS_HOPS: usize = 64;

/// The normalised document as JSON. Lowering needs it only to resolve a `$ref` that points
/// somewhere other than a whole component of the kind its position holds, which few specs have,
/// so it is read again from the text on first use, or not kept at all when the parse stage saw
/// no such `$ref` (`parse::Read::refs_beyond_components`).
pub struct Raw<'t> {
    value: OnceCell<Option<Value>>,
    reload: Box<dyn Fn() -> Option<Value> + 't>,
}

impl<'t> Raw<'t> {
    /// A document that `reload` reads again when first needed.
    pub fn lazy(reload: impl Fn() -> Option<Value> + 't) -> Self {
        Raw { value: OnceCell::new(), reload: Box::new(reload) }
    }

    /// No document: every `$ref` points at a whole component, which the parsed document holds.
    pub fn none() -> Self {
        Raw { value: OnceCell::from(None), reload: Box::new(|| None) }
    }

    /// A document already at hand (one parsing repaired, say).
    pub fn ready(value: Value) -> Self {
        Raw { value: OnceCell::from(Some(value)), reload: Box::new(|| None) }
    }

    fn get(&self) -> Option<&Value> {
        self.value.get_or_init(&self.reload).as_ref()
    }
}

/// A kind of component a `$ref` names: `#/components/<kind>/<key>`.
pub(super) trait Component: Clone + serde::de::DeserializeOwned + 'static {
    /// `#/components/<kind>/`.
    const PREFIX: &'static str;
    fn get<'c>(components: &'c Components, key: &str) -> Option<&'c ReferenceOr<Self>>;
}

macro_rules! component {
    ($type:ty, $kind:literal, $field:ident) => {
        impl Component for $type {
            const PREFIX: &'static str = concat!("#/components/", $kind, "/");
            fn get<'c>(components: &'c Components, key: &str) -> Option<&'c ReferenceOr<Self>> {
                components.$field.get(key)
            }
        }
    };
}

component!(Schema, "schemas", schemas);
component!(Parameter, "parameters", parameters);
component!(RequestBody, "requestBodies", request_bodies);
component!(Response, "responses", responses);
component!(openapiv3::Header, "headers", headers);
component!(openapiv3::SecurityScheme, "securitySchemes", security_schemes);

/// A component written in place or reached through a `$ref`, with the pointer it is read at.
pub(super) struct Located<'c, T: Clone> {
    pub item: Cow<'c, T>,
    /// `pointer` for an item written in place, the target's pointer for a `$ref`.
    pub pointer: String,
}

impl<'a> Lowerer<'a, '_> {
    /// Resolves a `$ref` to a type.
    pub(super) fn reference(&mut self, reference: &str, pointer: &str) -> Lowered {
        if let Some(key) = reference.strip_prefix(Schema::PREFIX) {
            let key = pointer::decode_ref_token(key);
            if let Some(name) = self.components.get(&key) {
                let ty = TypeRef::Named(name.clone());
                let nullable = self.follow_aliases::<Schema>(reference).0.is_some_and(|s| s.schema_data.nullable);
                return Lowered { ty, nullable };
            }
        }
        if let Some(lowered) = self.deep_refs.get(reference) {
            return lowered.clone();
        }
        let Some(target) = self.resolve_schema(reference, pointer) else {
            return Lowered::of(TypeRef::Value);
        };
        if !self.resolving.insert(reference.to_owned()) {
            self.sink.warning(
                pointer,
                format!("recursive $ref `{reference}` outside components; generated as serde_json::Value"),
            );
            return Lowered::of(TypeRef::Value);
        }
        let hint = reference.rsplit('/').next().map(pointer::decode_ref_token).unwrap_or_default();
        let lowered = self.inline(&target.item, &hint, &target.pointer);
        self.resolving.remove(reference);
        self.deep_refs.insert(reference.to_owned(), lowered.clone());
        lowered
    }

    /// Follows `reference` through component aliases (`A: {$ref: B}`), iteratively and at most
    /// [`MAX_ALIAS_HOPS`] of them, since chains can be long and can loop. Returns the component
    /// it ends at, if any, and the last reference followed.
    fn follow_aliases<'r, T: Component>(&self, reference: &'r str) -> (Option<&'a T>, &'r str)
    where
        'a: 'r,
    {
        let doc: &'a OpenAPI = self.doc;
        let Some(components) = doc.components.as_ref() else { return (None, reference) };
        let mut current = reference;
        for _ in 0..MAX_ALIAS_HOPS {
            let Some(key) = current.strip_prefix(T::PREFIX) else { break };
            match T::get(components, &pointer::decode_ref_token(key)) {
                Some(ReferenceOr::Item(item)) => return (Some(item), current),
                Some(ReferenceOr::Reference { reference }) => current = reference,
                None => break,
            }
        }
        (None, current)
    }

    /// The parameter, request body, response or security scheme a local `$ref` points to; `None`
    /// (with an error naming `pointer`) if it dangles. Components are taken from the parsed
    /// document; anything else is parsed from the raw JSON.
    fn resolve_component<T: Component>(
        &mut self,
        reference: &str,
        pointer: &str,
    ) -> Option<serde_json::Result<Cow<'a, T>>> {
        let (component, current) = self.follow_aliases::<T>(reference);
        if let Some(item) = component {
            return Some(Ok(Cow::Borrowed(item)));
        }
        self.resolve_raw(current, pointer).cloned().map(|raw| serde_json::from_value(raw).map(Cow::Owned))
    }

    /// A component written at `pointer` or referenced from there; `None` when the `$ref` dangles
    /// or its target is not a valid `what` (both reported as errors at `pointer`).
    pub(super) fn located<'c, T: Component>(
        &mut self,
        item: &'c ReferenceOr<T>,
        pointer: &str,
        what: &str,
    ) -> Option<Located<'c, T>>
    where
        'a: 'c,
    {
        match item {
            ReferenceOr::Item(item) => Some(Located { item: Cow::Borrowed(item), pointer: pointer.to_owned() }),
            ReferenceOr::Reference { reference } => match self.resolve_component::<T>(reference, pointer)? {
                Ok(item) => Some(Located { item, pointer: pointer::fragment(reference).unwrap_or_default() }),
                Err(e) => {
                    self.sink.error(pointer, format!("invalid {what}: {e}"));
                    None
                }
            },
        }
    }

    /// Finds the schema a local `$ref` points to, and its pointer; records an error naming
    /// `pointer` if it dangles. Component schemas are borrowed from the parsed document (following
    /// chains of component aliases); anything else is parsed from the raw JSON.
    pub(super) fn resolve_schema(&mut self, reference: &str, pointer: &str) -> Option<Located<'a, Schema>> {
        // A cycle of aliases ends in the raw lookup below, which reports nothing worse than the
        // alias itself.
        let (component, current) = self.follow_aliases::<Schema>(reference);
        if let Some(schema) = component {
            return Some(Located {
                item: Cow::Borrowed(schema),
                pointer: pointer::fragment(current).unwrap_or_default(),
            });
        }
        let target = self.resolve_raw(current, pointer)?;
        let target_pointer = pointer::fragment(current).unwrap_or_default();
        match serde_json::from_value::<Schema>(target.clone()) {
            Ok(schema) => Some(Located { item: Cow::Owned(schema), pointer: target_pointer }),
            Err(e) => {
                self.sink.warning(
                    pointer,
                    format!("$ref `{current}` is not a valid schema ({e}); generated as serde_json::Value"),
                );
                None
            }
        }
    }

    /// The JSON a local `$ref` points to in the raw document; `None` (with an error naming
    /// `pointer`) for a reference into another document or to nothing.
    pub(super) fn resolve_raw(&mut self, reference: &str, pointer: &str) -> Option<&Value> {
        let Some(target_pointer) = pointer::fragment(reference) else {
            self.sink.error(
                pointer,
                format!(
                    "$ref `{reference}` points into another document; only references within the spec are supported"
                ),
            );
            return None;
        };
        let found = self.raw.get().and_then(|raw| raw.pointer(&target_pointer));
        if found.is_none() {
            self.sink.error(pointer, format!("dangling $ref `{reference}`: nothing at that location"));
        }
        found
    }

    /// A schema or the schema a `$ref` points to, with its pointer.
    pub(super) fn resolve_item<'s>(
        &mut self,
        schema: &'s ReferenceOr<Schema>,
        pointer: &str,
    ) -> Option<Located<'s, Schema>>
    where
        'a: 's,
    {
        match schema {
            ReferenceOr::Item(schema) => Some(Located { item: Cow::Borrowed(schema), pointer: pointer.to_owned() }),
            ReferenceOr::Reference { reference } => self.resolve_schema(reference, pointer),
        }
    }
}
