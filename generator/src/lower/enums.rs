//! Enumerations: `oneOf`/`anyOf` unions (tagged by a discriminator or tried in order), string
//! enums and integer enums.
//!
//! **Invariant:** variant names are unique within their enum, and every enum keeps an unknown
//! value (`Unknown`, the tag-less `Unknown(Value)` of a tagged union, or the variant a 3.2
//! `defaultMapping` names) instead of failing to decode; duplicate values in the spec give one
//! variant.

use openapiv3::{Discriminator, ReferenceOr, Schema, SchemaKind, Type};
use rustc_hash::FxHashSet;
use serde_json::Value;

use super::Lowerer;
use super::space::component_stem;
use crate::ir::{EnumVariant, IntegerEnum, StringEnum, TypeRef, Union, UnionVariant};
use crate::names::{self, Scope};
use crate::{normalise, pointer};

/// The name a union branch asks for (empty when it has none) and the discriminator values that
/// select it.
struct BranchName {
    wanted: String,
    tags: Vec<String>,
}

impl Lowerer<'_, '_> {
    /// A `oneOf`/`anyOf` of two or more branches. With a discriminator and only `$ref` branches it
    /// is tagged (explicit `mapping`, else the schema names); otherwise untagged, tried in order.
    pub(super) fn union(
        &mut self,
        name: &str,
        schema: &Schema,
        keyword: &str,
        branches: &[ReferenceOr<Schema>],
        pointer: &str,
    ) -> Union {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let all_refs = branches.iter().all(|b| matches!(b, ReferenceOr::Reference { .. }));
        if discriminator.is_some() && !all_refs {
            self.sink.warning(pointer, "discriminator ignored: a branch is not a $ref; the union is untagged");
        }
        let tagged = discriminator.filter(|_| all_refs);
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        // A discriminator value selects the first branch it maps to; a later one never sees it.
        let mut selected: Vec<String> = Vec::new();
        // drf-spectacular writes a nullable choice as `nullable: true, oneOf: [StatusEnum,
        // BlankEnum, NullEnum]`, `NullEnum` being `enum: [null]`: the field's own `Option` already
        // holds the null, so that branch is left out rather than becoming a variant of nothing.
        let nullable = schema.schema_data.nullable;
        let kept: Vec<(usize, &ReferenceOr<Schema>)> =
            branches.iter().enumerate().filter(|(_, b)| !(nullable && self.null_component(b))).collect();
        for (i, branch) in kept {
            let at = pointer::push(&pointer::push(pointer, keyword), &i.to_string());
            let BranchName { mut wanted, mut tags } = branch_name(branch, tagged);
            if let Some((key, schema)) = self.schema_component(branch) {
                wanted = names::type_name(component_stem(key, schema), "Variant");
                if let Some(tag) =
                    tagged.filter(|d| d.mapping.is_empty()).and_then(|d| own_tag(schema, &d.property_name))
                {
                    tags = vec![tag];
                }
            }
            let mapped = !tags.is_empty();
            tags.retain(|tag| !selected.contains(tag));
            selected.extend(tags.iter().cloned());
            if mapped && tags.is_empty() {
                self.sink.warning(
                    &at,
                    "every discriminator value of this branch selects an earlier one; it is never selected",
                );
            }
            let hint = if wanted.is_empty() { format!("{name}Variant{}", i + 1) } else { format!("{name}{wanted}") };
            let ty = self.schema(branch, &hint, &at).wrapped();
            let wanted = if wanted.is_empty() { variant_name_for(&ty) } else { wanted };
            if tagged.is_some() && !mapped {
                self.sink.warning(&at, "no discriminator value maps to this branch; it is never selected");
            }
            variants.push(UnionVariant { name: scope.claim(wanted), ty, tags, boxed: false });
        }
        let fallback = tagged.and_then(|d| self.default_mapping(d, branches, &mut variants, &mut scope, name, pointer));
        let unknown = tagged.filter(|_| fallback.is_none()).map(|_| scope.claim("Unknown".to_owned()));
        Union { discriminator: tagged.map(|d| d.property_name.clone()), variants, unknown, fallback }
    }

    /// The variant a 3.2 discriminator's `defaultMapping` names (a schema name or `$ref`): the
    /// branch it refers to, or a new variant after the branches when it names another schema.
    fn default_mapping(
        &mut self,
        discriminator: &Discriminator,
        branches: &[ReferenceOr<Schema>],
        variants: &mut Vec<UnionVariant>,
        scope: &mut Scope,
        name: &str,
        pointer: &str,
    ) -> Option<String> {
        let target = discriminator.extensions.get(normalise::DEFAULT_MAPPING)?;
        let at = pointer::push(&pointer::push(pointer, "discriminator"), "defaultMapping");
        let Some(target) = target.as_str() else {
            self.sink.warning(&at, "not a string; values with unknown tags are kept as `Unknown`");
            return None;
        };
        let reference = if target.contains('/') { target.to_owned() } else { format!("#/components/schemas/{target}") };
        let last = |r: &str| r.rsplit('/').next().map(pointer::decode_ref_token);
        let branch = branches.iter().position(
            |b| matches!(b, ReferenceOr::Reference { reference: r } if *r == reference || last(r) == last(&reference)),
        );
        if let Some(i) = branch {
            return Some(variants[i].name.clone());
        }
        let wanted = names::type_name(&last(&reference).unwrap_or_default(), "Variant");
        let schema = ReferenceOr::Reference { reference };
        let ty = self.schema(&schema, &format!("{name}{wanted}"), &at).wrapped();
        let variant = scope.claim(wanted);
        variants.push(UnionVariant { name: variant.clone(), ty, tags: Vec::new(), boxed: false });
        Some(variant)
    }
}

impl<'a> Lowerer<'a, '_> {
    /// The component schema a branch refers to directly (`#/components/schemas/<key>`), with its
    /// key.
    fn schema_component(&self, branch: &ReferenceOr<Schema>) -> Option<(&'a str, &'a ReferenceOr<Schema>)> {
        let ReferenceOr::Reference { reference } = branch else { return None };
        let key = pointer::decode_ref_token(reference.strip_prefix("#/components/schemas/")?);
        self.doc.components.as_ref()?.schemas.get_key_value(key.as_str()).map(|(key, schema)| (key.as_str(), schema))
    }
}

impl Lowerer<'_, '_> {
    /// Whether a branch is a `$ref` to a component schema that only allows null (`enum: [null]`).
    fn null_component(&self, branch: &ReferenceOr<Schema>) -> bool {
        let Some((_, ReferenceOr::Item(schema))) = self.schema_component(branch) else { return false };
        let only_nulls = |values: &[Value]| !values.is_empty() && values.iter().all(Value::is_null);
        schema.schema_data.nullable
            && match &schema.schema_kind {
                SchemaKind::Any(any) => only_nulls(&any.enumeration) && any.properties.is_empty(),
                SchemaKind::Type(Type::String(s)) => {
                    !s.enumeration.is_empty() && s.enumeration.iter().all(Option::is_none)
                }
                _ => false,
            }
    }
}

/// The one value a branch's own discriminator property allows (a one-value `enum` or `const`).
/// Without a `mapping` the tag is the schema's name, but a branch whose property allows only
/// another value can never carry that name: frameworks that key schemas by placeholders
/// (`@fastify/swagger`'s `def-1`) or by class name with a lowercase tag (`petType: {enum: [cat]}`
/// in `Cat`) write exactly this, and their servers send the property's value.
fn own_tag(schema: &ReferenceOr<Schema>, property: &str) -> Option<String> {
    let ReferenceOr::Item(schema) = schema else { return None };
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else { return None };
    let ReferenceOr::Item(tag) = object.properties.get(property)? else { return None };
    match string_enum(tag)?.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// A branch's wanted name (its schema's name or title) and, in a tagged union, its tags.
fn branch_name(branch: &ReferenceOr<Schema>, tagged: Option<&Discriminator>) -> BranchName {
    match branch {
        ReferenceOr::Reference { reference } => {
            let target = reference.rsplit('/').next().map(pointer::decode_ref_token).unwrap_or_default();
            let tags = match tagged {
                Some(d) if !d.mapping.is_empty() => d
                    .mapping
                    .iter()
                    .filter(|(_, to)| *to == reference || to.rsplit('/').next() == Some(target.as_str()))
                    .map(|(value, _)| value.clone())
                    .collect(),
                Some(_) => vec![target.clone()],
                None => Vec::new(),
            };
            BranchName { wanted: names::type_name(&target, "Variant"), tags }
        }
        ReferenceOr::Item(item) => match &item.schema_data.title {
            Some(title) => BranchName { wanted: names::type_name(title, "Variant"), tags: Vec::new() },
            None => BranchName { wanted: String::new(), tags: Vec::new() },
        },
    }
}

/// The branches of a `oneOf`/`anyOf` with two or more of them (after null branches were folded
/// away by normalisation), and the keyword they sit under.
pub(super) fn union_branches(schema: &Schema) -> Option<(&'static str, &[ReferenceOr<Schema>])> {
    let (keyword, branches): (&'static str, &[ReferenceOr<Schema>]) = match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => ("oneOf", one_of),
        SchemaKind::AnyOf { any_of } => ("anyOf", any_of),
        SchemaKind::Any(any) if any.properties.is_empty() && any.all_of.is_empty() && !any.one_of.is_empty() => {
            ("oneOf", &any.one_of)
        }
        SchemaKind::Any(any) if any.properties.is_empty() && any.all_of.is_empty() && !any.any_of.is_empty() => {
            ("anyOf", &any.any_of)
        }
        _ => return None,
    };
    (branches.len() > 1).then_some((keyword, branches))
}

/// The keyword a `oneOf`/`anyOf` schema's branches sit under.
pub(super) fn union_keyword(schema: &Schema) -> &'static str {
    match &schema.schema_kind {
        SchemaKind::AnyOf { .. } => "anyOf",
        _ => "oneOf",
    }
}

/// A variant name for an untitled inline union branch, from its Rust type.
fn variant_name_for(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Bool => "Boolean".to_owned(),
        TypeRef::I32 | TypeRef::I64 | TypeRef::U32 | TypeRef::U64 => "Integer".to_owned(),
        TypeRef::F32 | TypeRef::F64 => "Number".to_owned(),
        TypeRef::String => "String".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::Value | TypeRef::Unit => "Value".to_owned(),
        TypeRef::Bytes => "Bytes".to_owned(),
        TypeRef::JsonObject | TypeRef::Map(_) => "Object".to_owned(),
        TypeRef::Vec(_) => "Array".to_owned(),
        TypeRef::Tuple(_) => "Tuple".to_owned(),
        TypeRef::Option(inner) => variant_name_for(inner),
        TypeRef::Named(name) => name.clone(),
    }
}

/// The values of a string enum schema (nulls dropped), if it is one.
pub(super) fn string_enum(schema: &Schema) -> Option<Vec<String>> {
    let values: Vec<String> = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().flatten().cloned().collect(),
        SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "string") => {
            if any.enumeration.iter().all(|v| v.is_string() || v.is_null()) {
                any.enumeration.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    };
    (!values.is_empty()).then_some(values)
}

/// The values of an integer enum schema (nulls dropped), if it is one.
pub(super) fn integer_enum(schema: &Schema) -> Option<Vec<i64>> {
    let values: Vec<i64> = match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().flatten().copied().collect(),
        SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "integer") => {
            if any.enumeration.iter().all(|v| v.is_i64() || v.is_null()) {
                any.enumeration.iter().filter_map(Value::as_i64).collect()
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    };
    (!values.is_empty()).then_some(values)
}

/// The names an integer enum's values have in the spec, one per value: NSwag writes them as
/// `x-enumNames`, OpenAPI Generator's users and oapi-codegen as `x-enum-varnames`. `None` unless
/// the list is all strings and as long as the values.
pub(super) fn value_names(schema: &Schema, values: &[i64]) -> Option<Vec<String>> {
    let extensions = &schema.schema_data.extensions;
    let list = extensions.get("x-enumNames").or_else(|| extensions.get("x-enum-varnames"))?.as_array()?;
    let names: Vec<String> = list.iter().map(|name| name.as_str().map(str::to_owned)).collect::<Option<_>>()?;
    (names.len() == values.len()).then_some(names)
}

/// An integer enum of these values, each once, in order; a variant is named from its entry in
/// `names` (see [`value_names`]) when there is one, else from its value (`V1`).
pub(super) fn integer_enumeration(values: &[i64], names: Option<&[String]>) -> IntegerEnum {
    let mut scope = Scope::default();
    let mut seen = FxHashSet::default();
    let variants = values
        .iter()
        .enumerate()
        .filter(|(_, v)| seen.insert(**v))
        .map(|(i, &value)| {
            let given = names.and_then(|names| names.get(i)).filter(|name| name.chars().any(char::is_alphanumeric));
            let name = names::type_name(given.map_or(&*value.to_string(), String::as_str), "Zero");
            (scope.claim(name), value)
        })
        .collect();
    IntegerEnum { variants, other: scope.claim("Unknown".to_owned()) }
}

/// A string enum of these values, each once, in order.
pub(super) fn enumeration(values: &[String]) -> StringEnum {
    let mut scope = Scope::default();
    let mut seen = FxHashSet::default();
    let variants = values
        .iter()
        .filter(|v| seen.insert(v.as_str()))
        .map(|wire| EnumVariant { name: scope.claim(names::type_name(wire, "Empty")), wire: wire.clone() })
        .collect();
    StringEnum { variants, other: scope.claim("Unknown".to_owned()) }
}
