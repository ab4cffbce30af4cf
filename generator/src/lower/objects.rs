//! Objects: the properties of an object schema and of its `allOf` parts merged into one struct,
//! each property a field whose presence (required, nullable) is decided here; `allOf` parts
//! that are not objects.
//!
//! **Invariant:** a property keeps the place of its first appearance and the schema of its last
//! (a later part refines it); each `$ref` part is merged once, and merging stops
//! [`MAX_ALL_OF_DEPTH`] levels down, so cyclic or deep `allOf` chains terminate. Merging indexes
//! properties by name, so it is linear in their number.

use std::borrow::Cow;
use std::collections::BTreeSet;

use openapiv3::{AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, Type};
use rustc_hash::{FxHashMap, FxHashSet};

use super::containers::pattern_properties;
use super::docs::schema_docs;
use super::{Lowered, Lowerer};
use crate::ir::{Additional, Field, Presence, Struct, TypeRef};
use crate::names::{self, Scope};
use crate::pointer;

/// How deep `allOf` parts are merged (each level is a stack frame; real specs use a handful).
const MAX_ALL_OF_DEPTH: usize = 64;

/// A property's schema as [`ObjectParts`] holds it.
type PropertySchema<'p> = Cow<'p, ReferenceOr<Box<Schema>>>;

/// One property of an object.
pub(super) struct Property<'p> {
    /// The name on the wire.
    pub wire: String,
    pub schema: PropertySchema<'p>,
    pub pointer: String,
}

/// Properties collected from an object schema and its `allOf` parts. They are borrowed from
/// the document, or copied when they come from a schema parsed from raw JSON for one lookup.
#[derive(Default)]
pub(super) struct ObjectParts<'p> {
    /// In order of first appearance.
    pub properties: Vec<Property<'p>>,
    /// Wire name → index in `properties`.
    positions: FxHashMap<String, usize>,
    required: BTreeSet<String>,
    pub additional: Option<AdditionalProperties>,
    pub additional_pointer: String,
    /// How many `allOf` levels deep the collection is.
    depth: usize,
    /// The `$ref` parts already merged.
    merged_refs: FxHashSet<String>,
}

impl<'p> ObjectParts<'p> {
    /// Adds a property, or replaces the schema of one an earlier part declared.
    fn insert(&mut self, wire: &str, schema: PropertySchema<'p>, pointer: String) {
        let property = Property { wire: wire.to_owned(), schema, pointer };
        match self.positions.get(wire) {
            // A later allOf part refines the property: keep the more specific schema.
            Some(&at) => self.properties[at] = property,
            None => {
                self.positions.insert(wire.to_owned(), self.properties.len());
                self.properties.push(property);
            }
        }
    }

    /// Takes the extra properties `schema` (at `pointer`) allows, if it says anything about them.
    fn set_additional(&mut self, schema: &Schema, additional: Option<&AdditionalProperties>, pointer: &str) {
        if let Some(pattern) = pattern_properties(schema) {
            self.additional = Some(pattern);
            self.additional_pointer = pointer::push(pointer, "patternProperties");
        } else if additional.is_some() {
            self.additional = additional.cloned();
            self.additional_pointer = pointer::push(pointer, "additionalProperties");
        }
    }
}

/// A schema whose properties [`Lowerer::collect_object`] gathers: one of the document's (its
/// properties are borrowed) or one parsed from raw JSON for a single lookup (they are copied).
#[derive(Clone, Copy)]
enum Source<'p, 't> {
    Doc(&'p Schema),
    Temp(&'t Schema),
}

/// The keywords that make a schema an object.
struct ObjectKeywords<'s> {
    properties: Vec<(&'s String, &'s ReferenceOr<Box<Schema>>)>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
    all_of: &'s [ReferenceOr<Schema>],
}

/// What merging a schema's `allOf` parts found.
struct AllOfMerge {
    /// Whether any part is an object.
    any_object: bool,
    /// Parts that are not objects (and not mere annotations), to warn about.
    not_objects: Vec<String>,
}

impl<'a> Lowerer<'a, '_> {
    /// An `allOf` that is not an object: a single part, or the first typed part.
    pub(super) fn all_of(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        nullable: bool,
        hint: &str,
        pointer: &str,
    ) -> Lowered {
        // `allOf: [$ref]` (the 3.0 spelling of a nullable or annotated reference).
        if let [single] = parts {
            let lowered = self.schema(single, hint, &pointer::push(&pointer::push(pointer, "allOf"), "0"));
            return Lowered { ty: lowered.ty, nullable: nullable || lowered.nullable };
        }
        // Non-object parts (e.g. a string refined by a second part): the first typed part wins.
        let mut first = None;
        for (i, part) in parts.iter().enumerate() {
            let here = pointer::push(&pointer::push(pointer, "allOf"), &i.to_string());
            let lowered = self.schema(part, hint, &here);
            if lowered.ty != TypeRef::Value {
                first = Some(lowered);
                break;
            }
        }
        let lowered = first.unwrap_or(Lowered::of(TypeRef::Value));
        Lowered { ty: lowered.ty, nullable }
    }

    /// Properties of an object schema, including those merged from `allOf` parts; `None` when the
    /// schema is not an object.
    pub(super) fn object_parts<'p>(&mut self, schema: &'p Schema, pointer: &str) -> Option<ObjectParts<'p>>
    where
        'a: 'p,
    {
        let mut parts = ObjectParts::default();
        self.collect_object(Source::Doc(schema), pointer, &mut parts).then_some(parts)
    }

    fn collect_object<'p>(&mut self, source: Source<'p, '_>, pointer: &str, parts: &mut ObjectParts<'p>) -> bool
    where
        'a: 'p,
    {
        match source {
            Source::Doc(schema) => self.collect_from(schema, Cow::Borrowed, Source::Doc, pointer, parts),
            Source::Temp(schema) => {
                self.collect_from(schema, |property| Cow::Owned(property.clone()), Source::Temp, pointer, parts)
            }
        }
    }

    /// [`Self::collect_object`] on `schema`: `keep` holds on to one of its properties, `nested`
    /// says where one of its `allOf` parts comes from.
    fn collect_from<'p, 's>(
        &mut self,
        schema: &'s Schema,
        keep: fn(&'s ReferenceOr<Box<Schema>>) -> PropertySchema<'p>,
        nested: fn(&'s Schema) -> Source<'p, 's>,
        pointer: &str,
        parts: &mut ObjectParts<'p>,
    ) -> bool
    where
        'a: 'p,
    {
        if parts.depth > MAX_ALL_OF_DEPTH {
            self.sink
                .warning(pointer, format!("allOf nested more than {MAX_ALL_OF_DEPTH} deep; deeper parts not merged"));
            return true;
        }
        let Some(keywords) = object_keywords(schema) else { return false };
        // Parts that are not objects refine the value (`allOf: [$ref: Name, {description}]`)
        // or constrain it; when no part is an object, neither is the whole.
        let Some(merge) = self.merge_all_of(keywords.all_of, nested, pointer, parts) else { return false };
        if !keywords.all_of.is_empty() && !merge.any_object && keywords.properties.is_empty() {
            return false;
        }
        for here in merge.not_objects {
            self.sink.warning(&here, "allOf part is not an object; its constraints are not modelled");
        }
        for (name, property) in keywords.properties {
            let here = pointer::push(&pointer::push(pointer, "properties"), name);
            parts.insert(name, keep(property), here);
        }
        parts.required.extend(keywords.required.iter().cloned());
        parts.set_additional(schema, keywords.additional, pointer);
        true
    }

    /// Collects the `allOf` parts of the schema at `pointer` into `parts`; `None` when a `$ref`
    /// part does not resolve (the schema is then not an object).
    fn merge_all_of<'p, 's>(
        &mut self,
        all_of: &'s [ReferenceOr<Schema>],
        nested: fn(&'s Schema) -> Source<'p, 's>,
        pointer: &str,
        parts: &mut ObjectParts<'p>,
    ) -> Option<AllOfMerge>
    where
        'a: 'p,
    {
        let mut merge = AllOfMerge { any_object: false, not_objects: Vec::new() };
        for (i, part) in all_of.iter().enumerate() {
            let here = pointer::push(&pointer::push(pointer, "allOf"), &i.to_string());
            let is_object = match part {
                ReferenceOr::Reference { reference } => {
                    if !parts.merged_refs.insert(reference.clone()) {
                        continue;
                    }
                    let target = self.resolve_schema(reference, &here)?;
                    let source = match &target.item {
                        Cow::Borrowed(component) => Source::Doc(component),
                        Cow::Owned(parsed) => Source::Temp(parsed),
                    };
                    let is_object = self.collect_nested(source, &target.pointer, parts);
                    if !is_object {
                        merge.not_objects.push(here);
                    }
                    is_object
                }
                ReferenceOr::Item(part) => {
                    let is_object = self.collect_nested(nested(part), &here, parts);
                    if !is_object && !is_annotation_only(part) {
                        merge.not_objects.push(here);
                    }
                    is_object
                }
            };
            merge.any_object |= is_object;
        }
        Some(merge)
    }

    /// [`Self::collect_object`] one `allOf` level down.
    fn collect_nested<'p>(&mut self, source: Source<'p, '_>, pointer: &str, parts: &mut ObjectParts<'p>) -> bool
    where
        'a: 'p,
    {
        parts.depth += 1;
        let is_object = self.collect_object(source, pointer, parts);
        parts.depth -= 1;
        is_object
    }

    /// The struct named `name` made of the collected properties.
    pub(super) fn structure(&mut self, name: &str, parts: ObjectParts) -> Struct {
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for property in &parts.properties {
            fields.push(self.field(name, property, &parts.required, &mut scope));
        }
        let additional = match &parts.additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Value),
            Some(AdditionalProperties::Schema(schema)) => {
                let pointer = parts.additional_pointer.clone();
                Some(self.schema(schema, &format!("{name}Value"), &pointer).wrapped())
            }
            _ => None,
        }
        .map(|ty| Additional { name: scope.claim("additional_properties".to_owned()), ty });
        let default = fields.iter().all(|f| f.presence != Presence::Required);
        Struct { fields, additional, default }
    }

    /// One field of the struct `owner`, named in `scope`.
    fn field(&mut self, owner: &str, property: &Property, required: &BTreeSet<String>, scope: &mut Scope) -> Field {
        let hint = format!("{owner}{}", names::type_name(&property.wire, "Field"));
        let lowered = self.boxed_schema(&property.schema, &hint, &property.pointer);
        let schema = match &*property.schema {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { .. } => None,
        };
        let read_only = schema.is_some_and(|s| s.schema_data.read_only);
        let write_only = schema.is_some_and(|s| s.schema_data.write_only);
        // A read-only property is never sent and a write-only one never received, so neither
        // can be required of both directions that share this type.
        let required = required.contains(&property.wire) && !read_only && !write_only;
        let presence = match (required, lowered.nullable) {
            (true, false) => Presence::Required,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        };
        let mut docs = schema.map(|s| schema_docs(s)).unwrap_or_default();
        if read_only || write_only {
            if !docs.is_empty() {
                docs.push(String::new());
            }
            docs.push(
                if read_only {
                    "Read-only: sent by the server, leave it out of requests."
                } else {
                    "Write-only: sent in requests, never returned."
                }
                .to_owned(),
            );
        }
        Field {
            name: scope.claim(names::snake_name(&property.wire, "field")),
            wire: property.wire.clone(),
            ty: lowered.ty,
            presence,
            docs,
            deprecated: schema.is_some_and(|s| s.schema_data.deprecated),
            boxed: false,
        }
    }
}

/// The keywords that make `schema` an object; `None` when it is not one.
fn object_keywords(schema: &Schema) -> Option<ObjectKeywords<'_>> {
    Some(match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => ObjectKeywords {
            properties: o.properties.iter().collect(),
            required: &o.required,
            additional: o.additional_properties.as_ref(),
            all_of: &[],
        },
        SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
            ObjectKeywords { properties: Vec::new(), required: &[], additional: None, all_of: all_of.as_slice() }
        }
        SchemaKind::Any(any)
            if any.typ.as_deref().is_none_or(|t| t == "object")
                && (!any.properties.is_empty() || any.all_of.len() > 1)
                && any.one_of.is_empty()
                && any.any_of.is_empty() =>
        {
            ObjectKeywords {
                properties: any.properties.iter().collect(),
                required: &any.required,
                additional: any.additional_properties.as_ref(),
                all_of: any.all_of.as_slice(),
            }
        }
        _ => return None,
    })
}

/// A schema with no keyword that constrains the value (a description, say).
fn is_annotation_only(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == AnySchema::default())
}
