//! Schemas: component schemas as named types, and the dispatch from any schema to the Rust type it
//! becomes (a new struct, union or enum, a scalar with its format, a container, or a JSON value).
//!
//! **Invariant:** every schema position goes through [`Lowerer::schema`] (or its boxed twin), so
//! a `$ref` and the same schema written inline lower alike, and a schema that cannot be
//! expressed becomes `serde_json::Value` with a warning, never an error.

use openapiv3::{AnySchema, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};

use super::containers::with_patterns;
use super::docs::schema_docs;
use super::enums::{
    enumeration, integer_enum, integer_enumeration, string_enum, union_branches, union_keyword, value_names,
};
use super::{Lowered, Lowerer};
use crate::ir::{TypeDef, TypeKind, TypeRef};
use crate::{names, pointer};

/// What a `not` schema becomes, and why.
const NOT_WARNING: &str = "`not` schemas cannot be expressed as a Rust type; generated as serde_json::Value";

impl Lowerer<'_, '_> {
    /// Lowers every component schema into the slot its name has, in document order.
    pub(super) fn lower_components(&mut self) {
        let Some(components) = &self.doc.components else { return };
        for (key, schema) in &components.schemas {
            let name = self.components[key].clone();
            let pointer = pointer::push("/components/schemas", key);
            let slot = self.reserve();
            let def = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.reference(reference, &pointer);
                    TypeDef { name, docs: Vec::new(), kind: TypeKind::Alias(target.ty) }
                }
                ReferenceOr::Item(schema) => self.named_definition(name, schema, &pointer),
            };
            self.fill_component(slot, def);
        }
    }

    /// The type definition for a schema that must have this name (a component).
    fn named_definition(&mut self, name: String, schema: &Schema, pointer: &str) -> TypeDef {
        let docs = schema_docs(schema);
        if let Some((keyword, branches)) = union_branches(schema) {
            let kind = TypeKind::Union(self.union(&name, schema, keyword, branches, pointer));
            return TypeDef { name, docs, kind };
        }
        if let Some(parts) = self.object_parts(schema, pointer)
            && !parts.properties.is_empty()
        {
            let kind = TypeKind::Struct(self.structure(&name, parts));
            return TypeDef { name, docs, kind };
        }
        if let Some(values) = string_enum(schema) {
            let kind = TypeKind::StringEnum(enumeration(&values));
            return TypeDef { name, docs, kind };
        }
        if let Some(values) = integer_enum(schema) {
            let kind = TypeKind::IntegerEnum(integer_enumeration(&values, value_names(schema, &values).as_deref()));
            return TypeDef { name, docs, kind };
        }
        let lowered = self.schema_body(schema, &name, pointer);
        let ty = if lowered.nullable { TypeRef::Option(Box::new(lowered.ty)) } else { lowered.ty };
        TypeDef { name, docs, kind: TypeKind::Alias(ty) }
    }

    /// Lowers a schema or reference found at `pointer`; `hint` names it if it needs a new type.
    pub(super) fn schema(&mut self, schema: &ReferenceOr<Schema>, hint: &str, pointer: &str) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            ReferenceOr::Item(schema) => self.inline(schema, hint, pointer),
        }
    }

    /// [`Self::schema`] for the boxed schemas `openapiv3` keeps in properties and items.
    pub(super) fn boxed_schema(&mut self, schema: &ReferenceOr<Box<Schema>>, hint: &str, pointer: &str) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            ReferenceOr::Item(schema) => self.inline(schema, hint, pointer),
        }
    }

    /// An inline schema: objects and enums become new named types.
    pub(super) fn inline(&mut self, schema: &Schema, hint: &str, pointer: &str) -> Lowered {
        let nullable = schema.schema_data.nullable;
        // An inline schema reached again while its own type is being built (through `allOf`
        // parts that copy properties from a component) is that type: recursion, boxed later.
        if let Some(inlining) = self.inlining.get_mut(pointer) {
            inlining.met_again = true;
            return Lowered { ty: TypeRef::Named(inlining.name.clone()), nullable };
        }
        if let Some((keyword, branches)) = union_branches(schema) {
            let wanted = names::type_name(hint, "Union");
            let ty = self.define_inline(wanted, pointer, schema_docs(schema), |this, name| {
                TypeKind::Union(this.union(name, schema, keyword, branches, pointer))
            });
            return Lowered { ty, nullable };
        }
        if let Some(parts) = self.object_parts(schema, pointer)
            && !parts.properties.is_empty()
        {
            let wanted = names::type_name(hint, "Object");
            let ty = self.define_inline(wanted, pointer, schema_docs(schema), |this, name| {
                TypeKind::Struct(this.structure(name, parts))
            });
            return Lowered { ty, nullable };
        }
        let kind = if let Some(values) = string_enum(schema) {
            TypeKind::StringEnum(enumeration(&values))
        } else if let Some(values) = integer_enum(schema) {
            TypeKind::IntegerEnum(integer_enumeration(&values, value_names(schema, &values).as_deref()))
        } else {
            return self.schema_body(schema, hint, pointer);
        };
        let ty = self.define_enum(names::type_name(hint, "Enum"), schema_docs(schema), kind);
        Lowered { ty, nullable }
    }

    /// Everything that is not a struct or an enum: primitives, arrays, maps, references through `allOf`.
    fn schema_body(&mut self, schema: &Schema, hint: &str, pointer: &str) -> Lowered {
        let nullable = schema.schema_data.nullable;
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => string_type(format_name(&s.format).as_deref()),
            SchemaKind::Type(Type::Number(n)) => number_type(format_name(&n.format).as_deref()),
            SchemaKind::Type(Type::Integer(i)) => integer_type(format_name(&i.format).as_deref()),
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Object(o)) => {
                let additional = with_patterns(o.additional_properties.as_ref(), schema);
                self.map_type(additional.as_ref(), hint, pointer)
            }
            SchemaKind::Type(Type::Array(a)) => self.array_type(a.items.as_ref(), schema, hint, pointer),
            SchemaKind::AllOf { all_of } => return self.all_of(all_of, nullable, hint, pointer),
            SchemaKind::OneOf { one_of: branches } | SchemaKind::AnyOf { any_of: branches } => {
                // Unions of several branches are lowered by `inline`; here there are at most one.
                match branches.first() {
                    Some(branch) => return self.only_branch(branch, union_keyword(schema), nullable, hint, pointer),
                    None => TypeRef::Value,
                }
            }
            SchemaKind::Not { .. } => {
                self.sink.warning(pointer, NOT_WARNING);
                TypeRef::Value
            }
            SchemaKind::Any(any) => return self.any_schema(any, schema, hint, pointer),
        };
        Lowered { ty, nullable }
    }

    /// The catch-all shape `openapiv3` uses when keywords of several kinds are mixed.
    fn any_schema(&mut self, any: &AnySchema, schema: &Schema, hint: &str, pointer: &str) -> Lowered {
        let nullable = schema.schema_data.nullable;
        if !any.all_of.is_empty() && any.properties.is_empty() {
            return self.all_of(&any.all_of, nullable, hint, pointer);
        }
        if let Some(branch) = any.one_of.first().or(any.any_of.first()) {
            // Several branches were lowered as a union by `inline`; one branch is that branch.
            let keyword = if any.one_of.is_empty() { "anyOf" } else { "oneOf" };
            return self.only_branch(branch, keyword, nullable, hint, pointer);
        }
        if any.not.is_some() {
            self.sink.warning(pointer, NOT_WARNING);
            return Lowered { ty: TypeRef::Value, nullable };
        }
        let ty = match any.typ.as_deref() {
            Some("string") => string_type(any.format.as_deref()),
            Some("integer") => integer_type(any.format.as_deref()),
            Some("number") => number_type(any.format.as_deref()),
            Some("boolean") => TypeRef::Bool,
            Some("array") => self.array_type(any.items.as_ref(), schema, hint, pointer),
            Some("object") => {
                let additional = with_patterns(any.additional_properties.as_ref(), schema);
                self.map_type(additional.as_ref(), hint, pointer)
            }
            None if any.items.is_some() => self.array_type(any.items.as_ref(), schema, hint, pointer),
            None => TypeRef::Value,
            Some(other) => {
                self.sink.warning(pointer, format!("unknown type `{other}`; generated as serde_json::Value"));
                TypeRef::Value
            }
        };
        Lowered { ty, nullable }
    }

    /// A `oneOf`/`anyOf` (under `keyword`) with one branch: that branch, nullable if either is.
    fn only_branch(
        &mut self,
        branch: &ReferenceOr<Schema>,
        keyword: &str,
        nullable: bool,
        hint: &str,
        pointer: &str,
    ) -> Lowered {
        let lowered = self.schema(branch, hint, &pointer::push(&pointer::push(pointer, keyword), "0"));
        Lowered { ty: lowered.ty, nullable: nullable || lowered.nullable }
    }
}

/// The spelling of a schema's `format`, known to `openapiv3` or not.
pub(super) fn format_name<T: serde::Serialize>(format: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => {
            serde_json::to_value(item).ok().and_then(|v| v.as_str().map(str::to_owned))
        }
        VariantOrUnknownOrEmpty::Unknown(other) => Some(other.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn string_type(format: Option<&str>) -> TypeRef {
    match format {
        Some("date-time") => TypeRef::DateTime,
        Some("date") => TypeRef::Date,
        _ => TypeRef::String,
    }
}

fn integer_type(format: Option<&str>) -> TypeRef {
    match format {
        Some("int8" | "int16" | "int32") => TypeRef::I32,
        Some("uint8" | "uint16" | "uint32") => TypeRef::U32,
        Some("uint64" | "uint") => TypeRef::U64,
        _ => TypeRef::I64,
    }
}

fn number_type(format: Option<&str>) -> TypeRef {
    match format {
        Some("float") => TypeRef::F32,
        _ => TypeRef::F64,
    }
}
