//! Lower stage: resolves references and turns the `openapiv3` model into the [`ir`](crate::ir),
//! deciding every Rust name on the way.
//!
//! Inline schemas are named from where they sit: the `call_settings` property of
//! `CallUpdateRequest` becomes `CallUpdateRequestCallSettings`, the 200 body of `update_call`
//! becomes `UpdateCallResponse`, array items get an `Item` suffix.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};

use openapiv3::{
    AdditionalProperties, AnySchema, Components, OpenAPI, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr,
    RequestBody, Response as SpecResponse, Schema, SchemaKind, StatusCode, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::diagnostics::{Sink, pointer_push};
use crate::ir::{
    Additional, Api, ApiKeyLocation, EnumVariant, Field, IntegerEnum, Operation, Param, ParamLocation, ParamStyle,
    PathPart, Presence, RequestBody as IrBody, Response, ResponseBody, ResponseVariant, SchemeKind, SecurityScheme,
    StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant,
};
use crate::names::{self, Scope};

/// How many component aliases (`A: {$ref: B}`) a reference may pass through.
const MAX_ALIAS_HOPS: usize = 64;
/// How deep `allOf` parts are merged (each level is a stack frame; real specs use a handful).
const MAX_ALL_OF_DEPTH: usize = 64;

/// Type names the crate root and `types` module use for themselves.
const RESERVED_TYPES: &[&str] = &["Client", "ClientBuilder"];
/// Method names [`Client`](crate) already has.
const RESERVED_METHODS: &[&str] = &["new", "builder", "with_options", "base_url", "core"];
/// Builder methods the runtime already provides.
const RESERVED_BUILDER: &[&str] = &[
    "new",
    "base_url",
    "credential",
    "basic_credential",
    "http_client",
    "timeout",
    "connect_timeout",
    "retry_policy",
    "user_agent",
    "default_header",
    "max_response_bytes",
    "build",
    "build_core",
];

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

/// Lowers a parsed document; `raw` is the same document as JSON.
pub fn lower(doc: &OpenAPI, raw: &Raw<'_>, sink: &mut Sink) -> Api {
    let mut lowerer = Lowerer {
        doc,
        raw,
        sink,
        slots: Vec::new(),
        type_scope: Scope::with_reserved(RESERVED_TYPES),
        components: FxHashMap::default(),
        deep_refs: FxHashMap::default(),
        resolving: FxHashSet::default(),
        inlining: FxHashMap::default(),
        scalar_enums: FxHashSet::default(),
    };
    lowerer.claim_components();
    lowerer.lower_components();
    let security_schemes = lowerer.security_schemes();
    let operations = lowerer.operations(&security_schemes);
    let mut types: Vec<TypeDef> = lowerer.slots.into_iter().flatten().collect();
    let (serialize, deserialize) = serde_directions(&types, &operations);
    finish_presence(&mut types, &serialize);
    box_recursive_fields(&mut types);
    Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        docs: doc.info.description.as_deref().map(lines).unwrap_or_default(),
        base_url: doc.servers.first().map(|s| s.url.clone()).unwrap_or_default(),
        security_schemes,
        types,
        operations,
        serialize,
        deserialize,
    }
}

/// A kind of component a `$ref` names: `#/components/<kind>/<key>`.
trait Component: Clone + serde::de::DeserializeOwned + 'static {
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
component!(SpecResponse, "responses", responses);
component!(openapiv3::SecurityScheme, "securitySchemes", security_schemes);

/// A lowered schema: its Rust type and whether `null` is a valid value.
#[derive(Clone, Debug)]
struct Lowered {
    ty: TypeRef,
    nullable: bool,
}

impl Lowered {
    fn of(ty: TypeRef) -> Self {
        Lowered { ty, nullable: false }
    }
}

/// A property's schema as [`ObjectParts`] holds it.
type PropertySchema<'p> = Cow<'p, ReferenceOr<Box<Schema>>>;

/// Properties collected from an object schema and its `allOf` parts. They are borrowed from
/// the document, or copied when they come from a schema parsed from raw JSON for one lookup.
#[derive(Default)]
struct ObjectParts<'p> {
    /// Wire name, schema, pointer; in order of first appearance.
    properties: Vec<(String, PropertySchema<'p>, String)>,
    /// Wire name → index in `properties`.
    positions: FxHashMap<String, usize>,
    required: BTreeSet<String>,
    additional: Option<AdditionalProperties>,
    additional_pointer: String,
    /// How many `allOf` levels deep the collection is.
    depth: usize,
}

/// A schema whose properties [`Lowerer::collect_object`] gathers: one of the document's (its
/// properties are borrowed) or one parsed from raw JSON for a single lookup (they are copied).
#[derive(Clone, Copy)]
enum Source<'p, 't> {
    Doc(&'p Schema),
    Temp(&'t Schema),
}

struct Lowerer<'a, 's> {
    doc: &'a OpenAPI,
    raw: &'a Raw<'a>,
    sink: &'s mut Sink,
    /// Types in emission order; a slot is reserved before a component's inline types are lowered.
    slots: Vec<Option<TypeDef>>,
    type_scope: Scope,
    /// Component schema key → Rust type name.
    components: FxHashMap<String, String>,
    /// Other `$ref` targets already lowered.
    deep_refs: FxHashMap<String, Lowered>,
    /// `$ref`s outside components being lowered right now (cycle guard).
    resolving: FxHashSet<String>,
    /// Pointer → name of the inline structs and unions being lowered right now.
    inlining: FxHashMap<String, String>,
    /// Names of the string and integer enums defined so far (they can be parameters).
    scalar_enums: FxHashSet<String>,
}

impl<'a> Lowerer<'a, '_> {
    fn claim_components(&mut self) {
        let Some(components) = &self.doc.components else { return };
        for key in components.schemas.keys() {
            let name = self.type_scope.claim(names::type_name(key, "Schema"));
            self.components.insert(key.clone(), name);
        }
    }

    fn lower_components(&mut self) {
        let Some(components) = &self.doc.components else { return };
        for (key, schema) in &components.schemas {
            let name = self.components[key].clone();
            let pointer = pointer_push("/components/schemas", key);
            let slot = self.reserve();
            let def = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.reference(reference, &pointer);
                    TypeDef { name, docs: Vec::new(), kind: TypeKind::Alias(target.ty) }
                }
                ReferenceOr::Item(schema) => self.named_definition(name, schema, &pointer),
            };
            self.fill(slot, def);
        }
    }

    fn reserve(&mut self) -> usize {
        self.slots.push(None);
        self.slots.len() - 1
    }

    fn push(&mut self, def: TypeDef) {
        let slot = self.reserve();
        self.fill(slot, def);
    }

    fn fill(&mut self, slot: usize, def: TypeDef) {
        if matches!(def.kind, TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_)) {
            self.scalar_enums.insert(def.name.clone());
        }
        self.slots[slot] = Some(def);
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
            return TypeDef { name, docs, kind: TypeKind::IntegerEnum(integer_enumeration(&values)) };
        }
        let lowered = self.schema_body(schema, &name, pointer);
        let ty = if lowered.nullable { TypeRef::Option(Box::new(lowered.ty)) } else { lowered.ty };
        TypeDef { name, docs, kind: TypeKind::Alias(ty) }
    }

    /// Lowers a schema or reference found at `pointer`; `hint` names it if it needs a new type.
    fn schema(&mut self, schema: &ReferenceOr<Schema>, hint: &str, pointer: &str) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            ReferenceOr::Item(schema) => self.inline(schema, hint, pointer),
        }
    }

    fn boxed_schema(&mut self, schema: &ReferenceOr<Box<Schema>>, hint: &str, pointer: &str) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            ReferenceOr::Item(schema) => self.inline(schema, hint, pointer),
        }
    }

    /// An inline schema: objects and enums become new named types.
    fn inline(&mut self, schema: &Schema, hint: &str, pointer: &str) -> Lowered {
        let nullable = schema.schema_data.nullable;
        // An inline schema reached again while its own type is being built (through `allOf`
        // parts that copy properties from a component) is that type: recursion, boxed later.
        if let Some(name) = self.inlining.get(pointer) {
            return Lowered { ty: TypeRef::Named(name.clone()), nullable };
        }
        if let Some((keyword, branches)) = union_branches(schema) {
            let name = self.type_scope.claim(names::type_name(hint, "Union"));
            let slot = self.reserve();
            self.inlining.insert(pointer.to_owned(), name.clone());
            let kind = TypeKind::Union(self.union(&name, schema, keyword, branches, pointer));
            self.inlining.remove(pointer);
            self.fill(slot, TypeDef { name: name.clone(), docs: schema_docs(schema), kind });
            return Lowered { ty: TypeRef::Named(name), nullable };
        }
        if let Some(parts) = self.object_parts(schema, pointer)
            && !parts.properties.is_empty()
        {
            let name = self.type_scope.claim(names::type_name(hint, "Object"));
            let slot = self.reserve();
            self.inlining.insert(pointer.to_owned(), name.clone());
            let kind = TypeKind::Struct(self.structure(&name, parts));
            self.inlining.remove(pointer);
            self.fill(slot, TypeDef { name: name.clone(), docs: schema_docs(schema), kind });
            return Lowered { ty: TypeRef::Named(name), nullable };
        }
        if let Some(values) = string_enum(schema) {
            let name = self.type_scope.claim(names::type_name(hint, "Enum"));
            let kind = TypeKind::StringEnum(enumeration(&values));
            self.push(TypeDef { name: name.clone(), docs: schema_docs(schema), kind });
            return Lowered { ty: TypeRef::Named(name), nullable };
        }
        if let Some(values) = integer_enum(schema) {
            let name = self.type_scope.claim(names::type_name(hint, "Enum"));
            let kind = TypeKind::IntegerEnum(integer_enumeration(&values));
            self.push(TypeDef { name: name.clone(), docs: schema_docs(schema), kind });
            return Lowered { ty: TypeRef::Named(name), nullable };
        }
        self.schema_body(schema, hint, pointer)
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
                    Some(branch) => {
                        let lowered = self.schema(
                            branch,
                            hint,
                            &pointer_push(&pointer_push(pointer, union_keyword(schema)), "0"),
                        );
                        return Lowered { ty: lowered.ty, nullable: nullable || lowered.nullable };
                    }
                    None => TypeRef::Value,
                }
            }
            SchemaKind::Not { .. } => {
                self.sink.warning(
                    pointer,
                    "`not` schemas cannot be expressed as a Rust type; generated as serde_json::Value",
                );
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
            let lowered = self.schema(branch, hint, &pointer_push(&pointer_push(pointer, keyword), "0"));
            return Lowered { ty: lowered.ty, nullable: nullable || lowered.nullable };
        }
        if any.not.is_some() {
            self.sink
                .warning(pointer, "`not` schemas cannot be expressed as a Rust type; generated as serde_json::Value");
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

    /// A `oneOf`/`anyOf` of two or more branches. With a discriminator and only `$ref` branches it
    /// is tagged (explicit `mapping`, else the schema names); otherwise untagged, tried in order.
    fn union(
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
        for (i, branch) in branches.iter().enumerate() {
            let at = pointer_push(&pointer_push(pointer, keyword), &i.to_string());
            let (wanted, tags) = match branch {
                ReferenceOr::Reference { reference } => {
                    let target = reference.rsplit('/').next().map(decode_token).unwrap_or_default();
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
                    (names::type_name(&target, "Variant"), tags)
                }
                ReferenceOr::Item(item) => match &item.schema_data.title {
                    Some(title) => (names::type_name(title, "Variant"), Vec::new()),
                    None => (String::new(), Vec::new()),
                },
            };
            let hint = if wanted.is_empty() { format!("{name}Variant{}", i + 1) } else { format!("{name}{wanted}") };
            let lowered = self.schema(branch, &hint, &at);
            let ty = wrap_nullable(lowered);
            let wanted = if wanted.is_empty() { variant_name_for(&ty) } else { wanted };
            if tagged.is_some() && tags.is_empty() {
                self.sink.warning(&at, "no discriminator value maps to this branch; it is never selected");
            }
            variants.push(UnionVariant { name: scope.claim(wanted), ty, tags, boxed: false });
        }
        let unknown = tagged.map(|_| scope.claim("Unknown".to_owned()));
        Union { discriminator: tagged.map(|d| d.property_name.clone()), variants, unknown }
    }

    fn all_of(&mut self, parts: &[ReferenceOr<Schema>], nullable: bool, hint: &str, pointer: &str) -> Lowered {
        // `allOf: [$ref]` (the 3.0 spelling of a nullable or annotated reference).
        if let [single] = parts {
            let lowered = self.schema(single, hint, &pointer_push(&pointer_push(pointer, "allOf"), "0"));
            return Lowered { ty: lowered.ty, nullable: nullable || lowered.nullable };
        }
        // Non-object parts (e.g. a string refined by a second part): the first typed part wins.
        let mut first = None;
        for (i, part) in parts.iter().enumerate() {
            let here = pointer_push(&pointer_push(pointer, "allOf"), &i.to_string());
            let lowered = self.schema(part, hint, &here);
            if lowered.ty != TypeRef::Value {
                first = Some(lowered);
                break;
            }
        }
        let lowered = first.unwrap_or(Lowered::of(TypeRef::Value));
        Lowered { ty: lowered.ty, nullable }
    }

    fn map_type(&mut self, additional: Option<&AdditionalProperties>, hint: &str, pointer: &str) -> TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(schema)) => {
                let here = pointer_push(pointer, "additionalProperties");
                let value = self.schema(schema, &format!("{hint}Value"), &here);
                TypeRef::Map(Box::new(wrap_nullable(value)))
            }
            _ => TypeRef::JsonObject,
        }
    }

    fn array_type(
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
                let item = self.boxed_schema(items, &format!("{hint}Item"), &pointer_push(pointer, "items"));
                TypeRef::Vec(Box::new(wrap_nullable(item)))
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
        let at = pointer_push(pointer, "prefixItems");
        let Ok(prefix) = serde_json::from_value::<Vec<ReferenceOr<Schema>>>(prefix.clone()) else {
            self.sink.warning(&at, "prefixItems is not a list of schemas; generated as a list of serde_json::Value");
            return TypeRef::Vec(Box::new(TypeRef::Value));
        };
        // A tuple only when the array has exactly the prefix's length: nothing may follow
        // (`items: false`, or `maxItems`) and nothing may be left out (`minItems`).
        let (min_items, max_items) = match &schema.schema_kind {
            SchemaKind::Type(Type::Array(a)) => (a.min_items, a.max_items),
            SchemaKind::Any(any) => (any.min_items, any.max_items),
            _ => (None, None),
        };
        let no_more = max_items.is_some_and(|max| max <= prefix.len())
            || matches!(items, Some(ReferenceOr::Item(rest)) if matches!(rest.schema_kind, SchemaKind::Not { .. }));
        let no_fewer = min_items.is_some_and(|min| min >= prefix.len());
        if !(no_more && no_fewer) || prefix.is_empty() {
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
                let lowered = self.schema(item, &format!("{hint}Item{}", i + 1), &pointer_push(&at, &i.to_string()));
                wrap_nullable(lowered)
            })
            .collect();
        TypeRef::Tuple(members)
    }

    /// Properties of an object schema, including those merged from `allOf` parts; `None` when the
    /// schema is not an object.
    fn object_parts<'p>(&mut self, schema: &'p Schema, pointer: &str) -> Option<ObjectParts<'p>>
    where
        'a: 'p,
    {
        let mut parts = ObjectParts::default();
        let mut seen = FxHashSet::default();
        self.collect_object(Source::Doc(schema), pointer, &mut parts, &mut seen).then_some(parts)
    }

    fn collect_object<'p>(
        &mut self,
        source: Source<'p, '_>,
        pointer: &str,
        parts: &mut ObjectParts<'p>,
        seen: &mut FxHashSet<String>,
    ) -> bool
    where
        'a: 'p,
    {
        match source {
            Source::Doc(schema) => self.collect_from(schema, Cow::Borrowed, Source::Doc, pointer, parts, seen),
            Source::Temp(schema) => {
                self.collect_from(schema, |property| Cow::Owned(property.clone()), Source::Temp, pointer, parts, seen)
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
        seen: &mut FxHashSet<String>,
    ) -> bool
    where
        'a: 'p,
    {
        if parts.depth > MAX_ALL_OF_DEPTH {
            self.sink
                .warning(pointer, format!("allOf nested more than {MAX_ALL_OF_DEPTH} deep; deeper parts not merged"));
            return true;
        }
        type Property<'p> = (&'p String, &'p ReferenceOr<Box<Schema>>);
        let (properties, required, additional, all_of): (Vec<Property>, &[String], _, &[ReferenceOr<Schema>]) =
            match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    (o.properties.iter().collect(), &o.required, o.additional_properties.as_ref(), &[])
                }
                SchemaKind::AllOf { all_of } if all_of.len() > 1 => (Vec::new(), &[], None, all_of.as_slice()),
                SchemaKind::Any(any)
                    if any.typ.as_deref().is_none_or(|t| t == "object")
                        && (!any.properties.is_empty() || any.all_of.len() > 1)
                        && any.one_of.is_empty()
                        && any.any_of.is_empty() =>
                {
                    (
                        any.properties.iter().collect(),
                        &any.required,
                        any.additional_properties.as_ref(),
                        any.all_of.as_slice(),
                    )
                }
                _ => return false,
            };
        // Parts that are not objects refine the value (`allOf: [$ref: Name, {description}]`)
        // or constrain it; when no part is an object, neither is the whole.
        let mut not_objects = Vec::new();
        let mut any_object = false;
        for (i, part) in all_of.iter().enumerate() {
            let here = pointer_push(&pointer_push(pointer, "allOf"), &i.to_string());
            let is_object = match part {
                ReferenceOr::Reference { reference } => {
                    if !seen.insert(reference.clone()) {
                        continue;
                    }
                    let Some((target, target_pointer)) = self.resolve_schema(reference, &here) else { return false };
                    let target = match &target {
                        Cow::Borrowed(component) => Source::Doc(component),
                        Cow::Owned(parsed) => Source::Temp(parsed),
                    };
                    parts.depth += 1;
                    let is_object = self.collect_object(target, &target_pointer, parts, seen);
                    parts.depth -= 1;
                    if !is_object {
                        not_objects.push(here);
                    }
                    is_object
                }
                ReferenceOr::Item(part) => {
                    parts.depth += 1;
                    let is_object = self.collect_object(nested(part), &here, parts, seen);
                    parts.depth -= 1;
                    if !is_object && !is_annotation_only(part) {
                        not_objects.push(here);
                    }
                    is_object
                }
            };
            any_object |= is_object;
        }
        if !all_of.is_empty() && !any_object && properties.is_empty() {
            return false;
        }
        for here in not_objects {
            self.sink.warning(&here, "allOf part is not an object; its constraints are not modelled");
        }
        for (name, property) in properties {
            let here = pointer_push(&pointer_push(pointer, "properties"), name);
            match parts.positions.get(name) {
                // A later allOf part refines the property: keep the more specific schema.
                Some(&at) => parts.properties[at] = (name.clone(), keep(property), here),
                None => {
                    parts.positions.insert(name.clone(), parts.properties.len());
                    parts.properties.push((name.clone(), keep(property), here));
                }
            }
        }
        parts.required.extend(required.iter().cloned());
        if let Some(pattern) = pattern_properties(schema) {
            parts.additional = Some(pattern);
            parts.additional_pointer = pointer_push(pointer, "patternProperties");
        } else if additional.is_some() {
            parts.additional = additional.cloned();
            parts.additional_pointer = pointer_push(pointer, "additionalProperties");
        }
        true
    }

    fn structure(&mut self, name: &str, parts: ObjectParts) -> Struct {
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire, property, pointer) in &parts.properties {
            let hint = format!("{name}{}", names::type_name(wire, "Field"));
            let lowered = self.boxed_schema(property, &hint, pointer);
            let (read_only, write_only) = match &**property {
                ReferenceOr::Item(schema) => (schema.schema_data.read_only, schema.schema_data.write_only),
                ReferenceOr::Reference { .. } => (false, false),
            };
            // A read-only property is never sent and a write-only one never received, so neither
            // can be required of both directions that share this type.
            let required = parts.required.contains(wire) && !read_only && !write_only;
            let presence = match (required, lowered.nullable) {
                (true, false) => Presence::Required,
                (true, true) => Presence::RequiredNullable,
                (false, false) => Presence::Optional,
                (false, true) => Presence::OptionalNullable,
            };
            let (mut docs, deprecated) = match &**property {
                ReferenceOr::Item(schema) => (schema_docs(schema), schema.schema_data.deprecated),
                ReferenceOr::Reference { .. } => (Vec::new(), false),
            };
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
            fields.push(Field {
                name: scope.claim(names::snake_name(wire, "field")),
                wire: wire.clone(),
                ty: lowered.ty,
                presence,
                docs,
                deprecated,
                boxed: false,
            });
        }
        let additional = match &parts.additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Value),
            Some(AdditionalProperties::Schema(schema)) => {
                let pointer = parts.additional_pointer.clone();
                Some(wrap_nullable(self.schema(schema, &format!("{name}Value"), &pointer)))
            }
            _ => None,
        }
        .map(|ty| Additional { name: scope.claim("additional_properties".to_owned()), ty });
        let default = fields.iter().all(|f| f.presence != Presence::Required);
        Struct { fields, additional, default }
    }

    /// Resolves a `$ref` to a type.
    fn reference(&mut self, reference: &str, pointer: &str) -> Lowered {
        if let Some(key) = reference.strip_prefix(Schema::PREFIX) {
            let key = decode_token(key);
            if let Some(name) = self.components.get(&key) {
                let ty = TypeRef::Named(name.clone());
                let nullable = self.follow_aliases::<Schema>(reference).0.is_some_and(|s| s.schema_data.nullable);
                return Lowered { ty, nullable };
            }
        }
        if let Some(lowered) = self.deep_refs.get(reference) {
            return lowered.clone();
        }
        let Some((schema, target_pointer)) = self.resolve_schema(reference, pointer) else {
            return Lowered::of(TypeRef::Value);
        };
        if !self.resolving.insert(reference.to_owned()) {
            self.sink.warning(
                pointer,
                format!("recursive $ref `{reference}` outside components; generated as serde_json::Value"),
            );
            return Lowered::of(TypeRef::Value);
        }
        let hint = reference.rsplit('/').next().map(decode_token).unwrap_or_default();
        let lowered = self.inline(&schema, &hint, &target_pointer);
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
            match T::get(components, &decode_token(key)) {
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

    /// Finds the schema a local `$ref` points to, and its pointer; records an error naming
    /// `pointer` if it dangles. Component schemas are borrowed from the parsed document (following
    /// chains of component aliases); anything else is parsed from the raw JSON.
    fn resolve_schema(&mut self, reference: &str, pointer: &str) -> Option<(Cow<'a, Schema>, String)> {
        // A cycle of aliases ends in the raw lookup below, which reports nothing worse than the
        // alias itself.
        let (component, current) = self.follow_aliases::<Schema>(reference);
        if let Some(schema) = component {
            return Some((Cow::Borrowed(schema), fragment(current).unwrap_or_default()));
        }
        let target = self.resolve_raw(current, pointer)?;
        let target_pointer = fragment(current).unwrap_or_default();
        match serde_json::from_value::<Schema>(target.clone()) {
            Ok(schema) => Some((Cow::Owned(schema), target_pointer)),
            Err(e) => {
                self.sink.warning(
                    pointer,
                    format!("$ref `{current}` is not a valid schema ({e}); generated as serde_json::Value"),
                );
                None
            }
        }
    }

    fn resolve_raw(&mut self, reference: &str, pointer: &str) -> Option<&Value> {
        let Some(target_pointer) = fragment(reference) else {
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

    fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let Some(components) = &self.doc.components else { return Vec::new() };
        let mut scope = Scope::with_reserved(RESERVED_BUILDER);
        let mut schemes = Vec::new();
        for (name, scheme) in &components.security_schemes {
            let pointer = pointer_push("/components/securitySchemes", name);
            let scheme = match scheme {
                ReferenceOr::Item(scheme) => Cow::Borrowed(scheme),
                ReferenceOr::Reference { reference } => {
                    match self.resolve_component::<openapiv3::SecurityScheme>(reference, &pointer) {
                        Some(Ok(scheme)) => scheme,
                        Some(Err(e)) => {
                            self.sink.error(&pointer, format!("invalid security scheme: {e}"));
                            continue;
                        }
                        None => continue,
                    }
                }
            };
            use openapiv3::SecurityScheme as S;
            let (kind, description, how) = match &*scheme {
                S::HTTP { scheme, description, .. } if scheme.eq_ignore_ascii_case("bearer") => (
                    SchemeKind::Bearer,
                    description,
                    "HTTP bearer token, sent as `Authorization: Bearer <token>`".to_owned(),
                ),
                S::HTTP { scheme, description, .. } if scheme.eq_ignore_ascii_case("basic") => {
                    (SchemeKind::Basic, description, "HTTP basic authentication".to_owned())
                }
                S::HTTP { scheme, description, .. } => {
                    self.sink.warning(
                        &pointer,
                        format!(
                            "HTTP `{scheme}` authentication is not supported; the credential is sent as a bearer token"
                        ),
                    );
                    (SchemeKind::Bearer, description, format!("HTTP `{scheme}` credential"))
                }
                S::APIKey { location, name, description, .. } => {
                    let location = match location {
                        openapiv3::APIKeyLocation::Header => ApiKeyLocation::Header,
                        openapiv3::APIKeyLocation::Query => ApiKeyLocation::Query,
                        openapiv3::APIKeyLocation::Cookie => ApiKeyLocation::Cookie,
                    };
                    let place = match location {
                        ApiKeyLocation::Header => "header",
                        ApiKeyLocation::Query => "query parameter",
                        ApiKeyLocation::Cookie => "cookie",
                    };
                    let how = format!("API key, sent in the `{name}` {place}");
                    (SchemeKind::ApiKey { location, name: name.clone() }, description, how)
                }
                S::OAuth2 { description, .. } => (
                    SchemeKind::Bearer,
                    description,
                    "OAuth 2.0 access token obtained by the caller, sent as `Authorization: Bearer <token>`".to_owned(),
                ),
                S::OpenIDConnect { description, .. } => (
                    SchemeKind::Bearer,
                    description,
                    "OpenID Connect token obtained by the caller, sent as `Authorization: Bearer <token>`".to_owned(),
                ),
            };
            let mut docs = vec![format!("Sets the credential for the `{name}` security scheme: {how}.")];
            if let Some(description) = description {
                docs.push(String::new());
                docs.extend(lines(description));
            }
            schemes.push(SecurityScheme {
                name: name.clone(),
                method: scope.claim(names::snake_name(name, "credential")),
                kind,
                docs,
            });
        }
        schemes
    }

    fn operations(&mut self, schemes: &[SecurityScheme]) -> Vec<Operation> {
        let mut scope = Scope::with_reserved(RESERVED_METHODS);
        let mut operations = Vec::new();
        for (path, item) in &self.doc.paths.paths {
            let item_pointer = pointer_push("/paths", path);
            let item: Cow<openapiv3::PathItem> = match item {
                ReferenceOr::Item(item) => Cow::Borrowed(item),
                ReferenceOr::Reference { reference } => {
                    match self.resolve_raw(reference, &item_pointer).cloned().map(serde_json::from_value) {
                        Some(Ok(item)) => Cow::Owned(item),
                        Some(Err(e)) => {
                            self.sink.error(&item_pointer, format!("invalid path item: {e}"));
                            continue;
                        }
                        None => continue,
                    }
                }
            };
            let methods = [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("OPTIONS", &item.options),
                ("HEAD", &item.head),
                ("PATCH", &item.patch),
                ("TRACE", &item.trace),
            ];
            for (method, operation) in methods {
                let Some(operation) = operation else { continue };
                let pointer = pointer_push(&item_pointer, &method.to_ascii_lowercase());
                if let Some(op) =
                    self.operation(path, method, operation, &item.parameters, &pointer, &mut scope, schemes)
                {
                    operations.push(op);
                }
            }
        }
        operations
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
        shared_params: &[ReferenceOr<Parameter>],
        pointer: &str,
        scope: &mut Scope,
        schemes: &[SecurityScheme],
    ) -> Option<Operation> {
        let id = op.operation_id.clone().unwrap_or_else(|| format!("{} {path}", method.to_ascii_lowercase()));
        let method_name = scope.claim(names::snake_name(&id, "operation"));
        let type_stem = names::type_name(names::bare(&method_name), "Operation");

        let (params, path_parts, fixed_query) = self.parameters(path, op, shared_params, pointer, &type_stem);
        let body = op.request_body.as_ref().and_then(|body| {
            self.request_body(body, &pointer_push(pointer, "requestBody"), &format!("{type_stem}Request"))
        });
        let (success, success_enum, responses, error_type) = self.responses(op, pointer, &type_stem);

        let security = match op.security.as_ref().or(self.doc.security.as_ref()) {
            None => Vec::new(),
            Some(requirements) => {
                let mut alternatives = Vec::new();
                for (i, requirement) in requirements.iter().enumerate() {
                    let unknown: Vec<&String> =
                        requirement.keys().filter(|k| !schemes.iter().any(|s| &s.name == *k)).collect();
                    if unknown.is_empty() {
                        alternatives.push(requirement.keys().cloned().collect());
                    } else {
                        let here = if op.security.is_some() {
                            pointer_push(&pointer_push(pointer, "security"), &i.to_string())
                        } else {
                            pointer_push("/security", &i.to_string())
                        };
                        self.sink
                            .error(&here, format!("security requirement names undeclared scheme `{}`", unknown[0]));
                    }
                }
                alternatives
            }
        };

        let mut docs = Vec::new();
        if let Some(summary) = &op.summary {
            docs.extend(lines(summary));
        }
        if let Some(description) = &op.description
            && op.summary.as_deref().map(str::trim) != Some(description.trim())
        {
            if !docs.is_empty() {
                docs.push(String::new());
            }
            docs.extend(lines(description));
        }
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push(format!("`{method} {path}`"));

        Some(Operation {
            id,
            method_name,
            http_method: method.to_owned(),
            path: path.to_owned(),
            path_parts,
            params,
            fixed_query,
            body,
            success,
            success_enum,
            responses,
            error_type,
            security,
            docs,
            deprecated: op.deprecated,
        })
    }

    fn parameters(
        &mut self,
        path: &str,
        op: &openapiv3::Operation,
        shared: &[ReferenceOr<Parameter>],
        pointer: &str,
        type_stem: &str,
    ) -> (Vec<Param>, Vec<PathPart>, Vec<(String, String)>) {
        // Path-level parameters first, replaced by operation parameters of the same name and place.
        let mut resolved: Vec<(Cow<Parameter>, String)> = Vec::new();
        let item_pointer = pointer.rsplit_once('/').map(|(p, _)| p.to_owned()).unwrap_or_default();
        let sources = [
            (shared, pointer_push(&item_pointer, "parameters")),
            (op.parameters.as_slice(), pointer_push(pointer, "parameters")),
        ];
        for (list, list_pointer) in sources {
            for (i, param) in list.iter().enumerate() {
                let here = pointer_push(&list_pointer, &i.to_string());
                let param = match param {
                    ReferenceOr::Item(param) => Cow::Borrowed(param),
                    ReferenceOr::Reference { reference } => {
                        match self.resolve_component::<Parameter>(reference, &here) {
                            Some(Ok(param)) => param,
                            Some(Err(e)) => {
                                self.sink.error(&here, format!("invalid parameter: {e}"));
                                continue;
                            }
                            None => continue,
                        }
                    }
                };
                let key = |p: &Parameter| (p.parameter_data_ref().name.clone(), std::mem::discriminant(p));
                match resolved.iter_mut().find(|(existing, _)| key(existing) == key(&param)) {
                    Some(slot) => *slot = (param, here),
                    None => resolved.push((param, here)),
                }
            }
        }
        let order = |p: &Parameter| match p {
            Parameter::Path { .. } => 0,
            Parameter::Query { .. } => 1,
            Parameter::Header { .. } => 2,
            Parameter::Cookie { .. } => 3,
        };
        resolved.sort_by_key(|(p, _)| order(p));

        // The names a generated method body uses for itself.
        let mut scope = Scope::with_reserved(&["body", "request", "self"]);
        let mut params = Vec::new();
        for (param, here) in resolved {
            let (location, explode_default) = match &*param {
                Parameter::Path { .. } => (ParamLocation::Path, false),
                // `explode` defaults to true only for `style: form`.
                Parameter::Query { style, .. } => (ParamLocation::Query, *style == QueryStyle::Form),
                Parameter::Header { .. } => (ParamLocation::Header, false),
                Parameter::Cookie { .. } => (ParamLocation::Cookie, true),
            };
            let data = param.parameter_data_ref();
            let hint = format!("{type_stem}{}", names::type_name(&data.name, "Param"));
            let lowered = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => self.schema(schema, &hint, &pointer_push(&here, "schema")),
                ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                    Some((media, m)) => match &m.schema {
                        Some(schema) => {
                            let at = pointer_push(&pointer_push(&pointer_push(&here, "content"), media), "schema");
                            let lowered = self.schema(schema, &hint, &at);
                            // Content-encoded parameters are sent as their JSON text.
                            Lowered {
                                ty: if is_scalar(&lowered.ty) { lowered.ty } else { TypeRef::Value },
                                nullable: lowered.nullable,
                            }
                        }
                        None => Lowered::of(TypeRef::String),
                    },
                    None => Lowered::of(TypeRef::String),
                },
            };
            let style = match &*param {
                Parameter::Query { style: QueryStyle::SpaceDelimited, .. } => ParamStyle::SpaceDelimited,
                Parameter::Query { style: QueryStyle::PipeDelimited, .. } => ParamStyle::PipeDelimited,
                Parameter::Query { style: QueryStyle::DeepObject, .. } => ParamStyle::DeepObject,
                _ => ParamStyle::Form,
            };
            let mut object = false;
            let ty = match lowered.ty {
                TypeRef::Vec(item) if is_scalar(&item) => TypeRef::Vec(item),
                TypeRef::Vec(_) => TypeRef::Vec(Box::new(TypeRef::Value)),
                ty if is_scalar(&ty) || ty == TypeRef::Value => ty,
                TypeRef::Named(name) if self.is_scalar_enum(&name) => TypeRef::Named(name),
                // Objects in the query string are spread by their style.
                ty if location == ParamLocation::Query => {
                    object = true;
                    ty
                }
                _ => {
                    self.sink.warning(&here, "object-valued header, path and cookie parameters are sent as JSON text");
                    TypeRef::Value
                }
            };
            let required = data.required || location == ParamLocation::Path;
            params.push(Param {
                name: scope.claim(names::snake_name(&data.name, "param")),
                wire: data.name.clone(),
                location,
                ty,
                required,
                explode: data.explode.unwrap_or(explode_default),
                style,
                object,
                docs: data.description.as_deref().map(lines).unwrap_or_default(),
            });
        }

        // Some specs put a query template in the path key (`/search?q={q}`): that part is not
        // the path; its variables are query parameters, declared or not.
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        if !query.is_empty() {
            self.sink.warning(
                pointer,
                format!("`?{query}` in the path key is not part of the path; sent as query parameters"),
            );
        }
        let mut fixed_query = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match template_variables(value).as_slice() {
                // `k={v}`: the parameter `k`, unless the spec declares it (under either name).
                [variable] => {
                    let declared =
                        |p: &Param| p.location == ParamLocation::Query && (p.wire == key || p.wire == *variable);
                    if !params.iter().any(declared) {
                        let rust_name = scope.claim(names::snake_name(variable, "param"));
                        let mut param = undeclared_param(rust_name, key, ParamLocation::Query);
                        param.docs.push(format!("Sent as `{key}`."));
                        params.push(param);
                    }
                }
                _ => fixed_query.push((key.to_owned(), value.to_owned())),
            }
        }
        let mut parts = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            let index = match params.iter().position(|p| p.location == ParamLocation::Path && p.wire == name) {
                Some(index) => index,
                None => {
                    self.sink.warning(
                        pointer,
                        format!("path template variable `{name}` is not declared; generated as a required string"),
                    );
                    // After the declared path parameters, which every earlier part points to.
                    let index = params.iter().take_while(|p| p.location == ParamLocation::Path).count();
                    let rust_name = scope.claim(names::snake_name(name, "param"));
                    params.insert(index, undeclared_param(rust_name, name, ParamLocation::Path));
                    index
                }
            };
            parts.push(PathPart::Param(index));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        for param in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !path.contains(&format!("{{{}}}", param.wire)) {
                self.sink.warning(
                    pointer,
                    format!("path parameter `{}` does not appear in the path template; it is not sent", param.wire),
                );
            }
        }
        (params, parts, fixed_query)
    }

    fn is_scalar_enum(&self, name: &str) -> bool {
        self.scalar_enums.contains(name)
    }

    fn request_body(&mut self, body: &ReferenceOr<RequestBody>, pointer: &str, hint: &str) -> Option<IrBody> {
        let (body, pointer) = match body {
            ReferenceOr::Item(body) => (Cow::Borrowed(body), pointer.to_owned()),
            ReferenceOr::Reference { reference } => match self.resolve_component::<RequestBody>(reference, pointer)? {
                Ok(body) => (body, fragment(reference).unwrap_or_default()),
                Err(e) => {
                    self.sink.error(pointer, format!("invalid request body: {e}"));
                    return None;
                }
            },
        };
        // JSON first, then form, multipart, text, binary; document order within a kind.
        let order = [MediaKind::Json, MediaKind::Form, MediaKind::Multipart, MediaKind::Text, MediaKind::Binary];
        let Some((kind, (media, content))) = order
            .iter()
            .find_map(|kind| body.content.iter().find(|(media, _)| request_kind(media) == *kind).map(|m| (*kind, m)))
        else {
            self.sink
                .warning(&pointer, "request body declares no content type; the operation is generated without a body");
            return None;
        };
        let media_pointer = pointer_push(&pointer_push(&pointer, "content"), media);
        let schema_pointer = pointer_push(&media_pointer, "schema");
        let essence = media_essence(media);
        let (lowered, encoding, content_type) = match kind {
            MediaKind::Json => {
                let lowered = match &content.schema {
                    Some(schema) => self.schema(schema, hint, &schema_pointer),
                    None => Lowered::of(TypeRef::Value),
                };
                let content_type = if essence.contains('*') { "application/json".to_owned() } else { essence };
                (lowered, crate::ir::BodyEncoding::Json, content_type)
            }
            MediaKind::Form => {
                let lowered = match &content.schema {
                    Some(schema) => self.schema(schema, hint, &schema_pointer),
                    None => Lowered::of(TypeRef::JsonObject),
                };
                (lowered, crate::ir::BodyEncoding::Form, essence)
            }
            MediaKind::Multipart => {
                let Some(form) = self.multipart_form(content, hint, &media_pointer) else {
                    self.sink.warning(
                        &schema_pointer,
                        "a multipart/form-data body needs an object schema; the operation is generated without a body",
                    );
                    return None;
                };
                (Lowered::of(TypeRef::Unit), crate::ir::BodyEncoding::Multipart(form), essence)
            }
            MediaKind::Text | MediaKind::EventStream => {
                let content_type = if essence.contains('*') { "text/plain".to_owned() } else { essence };
                (Lowered::of(TypeRef::String), crate::ir::BodyEncoding::Text, content_type)
            }
            MediaKind::Binary => {
                let content_type = if essence.contains('*') { "application/octet-stream".to_owned() } else { essence };
                (Lowered::of(TypeRef::Unit), crate::ir::BodyEncoding::Binary, content_type)
            }
        };
        let others: Vec<String> =
            body.content.keys().filter(|other| *other != media).map(|other| format!("`{other}`")).collect();
        let sent_as = (!others.is_empty() || content_type != "application/json").then(|| {
            let shape = match &encoding {
                crate::ir::BodyEncoding::Multipart(form) => format!(" from [`{}`]", form.name),
                _ => String::new(),
            };
            let sent = if media_essence(media) == content_type {
                format!("Sent as `{content_type}`{shape}")
            } else {
                format!("Sent as `{content_type}`{shape} for `{media}`")
            };
            match others.as_slice() {
                [] => format!("{sent}."),
                others => format!("{sent}; the API also accepts {}.", others.join(", ")),
            }
        });
        let mut docs = body.description.as_deref().map(lines).unwrap_or_default();
        let description_len = docs.len();
        for (name, example) in &content.examples {
            if let ReferenceOr::Item(example) = example
                && let Some(value) = &example.value
            {
                if !docs.is_empty() {
                    docs.push(String::new());
                }
                let title = example.summary.clone().unwrap_or_else(|| name.clone());
                docs.push(format!("Example `{name}`: {title}"));
                docs.extend(json_block(value));
            }
        }
        if docs.is_empty()
            && let Some(example) = &content.example
        {
            docs.push("Example:".to_owned());
            docs.extend(json_block(example));
        }
        if let Some(line) = sent_as {
            // After the description, before the examples.
            let mut block = vec![line];
            if description_len > 0 {
                block.insert(0, String::new());
            }
            if docs.len() > description_len {
                block.push(String::new());
            }
            docs.splice(description_len..description_len, block);
        }
        Some(IrBody { ty: wrap_nullable(lowered), required: body.required, docs, encoding, content_type })
    }

    /// The success type (and whether it is a per-operation enum), the documented responses and the
    /// error enum's name.
    fn responses(
        &mut self,
        op: &openapiv3::Operation,
        pointer: &str,
        stem: &str,
    ) -> (TypeRef, bool, Vec<Response>, String) {
        let responses_pointer = pointer_push(pointer, "responses");
        let mut entries: Vec<(crate::ir::StatusMatch, &ReferenceOr<SpecResponse>, String)> = op
            .responses
            .responses
            .iter()
            .map(|(code, response)| {
                let status = match code {
                    StatusCode::Code(c) => crate::ir::StatusMatch::Code(*c),
                    StatusCode::Range(r) => crate::ir::StatusMatch::Range(*r),
                };
                (status, response, pointer_push(&responses_pointer, &code.to_string()))
            })
            .collect();
        if let Some(default) = &op.responses.default {
            entries.push((crate::ir::StatusMatch::Default, default, pointer_push(&responses_pointer, "default")));
        }
        // `default` alone (or beside errors only) describes the success response, as many specs
        // write it; beside documented successes it describes every other status.
        let default_is_success = !entries.iter().any(|(s, _, _)| is_success(*s));
        let is_success =
            |status| is_success(status) || (default_is_success && status == crate::ir::StatusMatch::Default);
        let successes = entries.iter().filter(|(s, _, _)| is_success(*s)).count();

        let mut variant_scope = Scope::default();
        let mut responses = Vec::new();
        for (status, response, here) in entries {
            let success = is_success(status);
            let variant = variant_scope.claim(status_variant(status));
            let hint = if success && successes == 1 {
                format!("{stem}Response")
            } else if success {
                format!("{stem}{variant}Response")
            } else {
                format!("{stem}{variant}Body")
            };
            let (response, here) = match response {
                ReferenceOr::Item(response) => (Cow::Borrowed(response), here),
                ReferenceOr::Reference { reference } => {
                    let Some(response) = self.resolve_component::<SpecResponse>(reference, &here) else { continue };
                    match response {
                        Ok(response) => (response, fragment(reference).unwrap_or_default()),
                        Err(e) => {
                            self.sink.error(&here, format!("invalid response: {e}"));
                            continue;
                        }
                    }
                }
            };
            // JSON first, then an event stream, text, binary; document order within a kind.
            let order = [MediaKind::Json, MediaKind::EventStream, MediaKind::Text, MediaKind::Binary];
            let chosen = order.iter().find_map(|kind| {
                response.content.iter().find(|(media, _)| response_kind(media) == *kind).map(|m| (*kind, m))
            });
            let body = match chosen {
                None => ResponseBody::Empty,
                Some((MediaKind::Json, (media, content))) => {
                    let at = pointer_push(&pointer_push(&pointer_push(&here, "content"), media), "schema");
                    match &content.schema {
                        Some(schema) => ResponseBody::Json(wrap_nullable(self.schema(schema, &hint, &at))),
                        None => ResponseBody::Json(TypeRef::Value),
                    }
                }
                // Only a lone success body is streamed; elsewhere the events are read as text.
                Some((MediaKind::EventStream, (media, content))) if success && successes == 1 => {
                    let at = pointer_push(&pointer_push(&here, "content"), media);
                    ResponseBody::EventStream(self.event_data(content, &format!("{stem}Event"), &at))
                }
                Some((MediaKind::Binary, _)) => ResponseBody::Binary,
                Some(_) => ResponseBody::Text,
            };
            responses.push(Response { status, body, success, variant, docs: lines(&response.description) });
        }
        // A download that may also come back empty is still a download (of no bytes).
        if responses.iter().any(|r| r.success && r.body == ResponseBody::Binary) {
            for response in responses.iter_mut().filter(|r| r.success && r.body == ResponseBody::Empty) {
                response.body = ResponseBody::Binary;
            }
        }

        let success_bodies: Vec<&Response> = responses.iter().filter(|r| r.success).collect();
        let (success, success_enum) = match success_bodies.as_slice() {
            [] => (TypeRef::Unit, false),
            [first, rest @ ..] if rest.iter().all(|r| r.body == first.body) => (body_type(&first.body), false),
            many => {
                if many.iter().any(|r| r.body == ResponseBody::Binary) {
                    self.sink.warning(
                        &responses_pointer,
                        "binary success bodies beside other success bodies are not kept (the variant has no payload)",
                    );
                }
                let name = self.type_scope.claim(format!("{stem}Success"));
                let variants = many
                    .iter()
                    .map(|r| ResponseVariant {
                        name: r.variant.clone(),
                        ty: response_payload(&r.body),
                        docs: r.docs.clone(),
                    })
                    .collect();
                self.push(TypeDef {
                    name: name.clone(),
                    docs: vec![format!(
                        "The success responses of [`Client::{}`](crate::Client).",
                        names::snake_name(stem, "op")
                    )],
                    kind: TypeKind::Responses(variants),
                });
                (TypeRef::Named(name), true)
            }
        };

        let error_type = self.type_scope.claim(format!("{stem}Error"));
        let variants: Vec<ResponseVariant> = responses
            .iter()
            .filter(|r| !r.success)
            .map(|r| {
                let mut docs = r.docs.clone();
                if r.body == ResponseBody::Binary {
                    docs.extend([String::new(), "The binary body is in the error's `ResponseInfo::body`.".to_owned()]);
                }
                ResponseVariant { name: r.variant.clone(), ty: response_payload(&r.body), docs }
            })
            .collect();
        self.push(TypeDef {
            name: error_type.clone(),
            docs: vec![if variants.is_empty() {
                "This operation documents no error responses; any error status is `Error::UnexpectedStatus`.".to_owned()
            } else {
                "The error responses this operation documents, by status.".to_owned()
            }],
            kind: TypeKind::Responses(variants),
        });
        (success, success_enum, responses, error_type)
    }
}

/// The branches of a `oneOf`/`anyOf` with two or more of them (after null branches were folded
/// away by normalisation), and the keyword they sit under.
/// The extra properties an object allows: its `patternProperties` (which `additionalProperties:
/// false` does not exclude: they are not "additional"), else its `additionalProperties`.
fn with_patterns(additional: Option<&AdditionalProperties>, schema: &Schema) -> Option<AdditionalProperties> {
    pattern_properties(schema).or_else(|| additional.cloned())
}

/// `patternProperties` as the `additionalProperties` it amounts to in Rust, where a map key's
/// pattern cannot be checked: one pattern gives its schema, several any value.
fn pattern_properties(schema: &Schema) -> Option<AdditionalProperties> {
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

/// The `{name}` variables of a URL template, in order.
fn template_variables(template: &str) -> Vec<&str> {
    template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name)).collect()
}

/// A required string parameter that the spec uses in its path key without declaring it.
fn undeclared_param(name: String, wire: &str, location: ParamLocation) -> Param {
    let docs = vec!["Used in the path key but not declared by the spec.".to_owned()];
    Param {
        name,
        wire: wire.to_owned(),
        location,
        ty: TypeRef::String,
        required: true,
        explode: true,
        style: ParamStyle::Form,
        object: false,
        docs,
    }
}

fn union_branches(schema: &Schema) -> Option<(&'static str, &[ReferenceOr<Schema>])> {
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

fn union_keyword(schema: &Schema) -> &'static str {
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
        TypeRef::JsonObject | TypeRef::Map(_) => "Object".to_owned(),
        TypeRef::Vec(_) => "Array".to_owned(),
        TypeRef::Tuple(_) => "Tuple".to_owned(),
        TypeRef::Option(inner) => variant_name_for(inner),
        TypeRef::Named(name) => name.clone(),
    }
}

fn is_success(status: crate::ir::StatusMatch) -> bool {
    match status {
        crate::ir::StatusMatch::Code(c) => (200..300).contains(&c),
        crate::ir::StatusMatch::Range(r) => r == 2,
        crate::ir::StatusMatch::Default => false,
    }
}

/// The IR's success type for a body (see [`Operation::success`]).
fn body_type(body: &ResponseBody) -> TypeRef {
    match body {
        ResponseBody::Empty | ResponseBody::Binary => TypeRef::Unit,
        ResponseBody::Json(ty) | ResponseBody::EventStream(Some(ty)) => ty.clone(),
        ResponseBody::Text | ResponseBody::EventStream(None) => TypeRef::String,
    }
}

/// The payload of a success or error enum variant: bytes are not kept there (an error's bytes
/// stay in its `ResponseInfo`).
fn response_payload(body: &ResponseBody) -> Option<TypeRef> {
    match body {
        ResponseBody::Empty | ResponseBody::Binary => None,
        other => Some(body_type(other)),
    }
}

/// Variant name for a status: the reason phrase (`NotFound`), `Status418` when it has none,
/// `ClientError`-style names for ranges, `Default` for `default`.
fn status_variant(status: crate::ir::StatusMatch) -> String {
    match status {
        crate::ir::StatusMatch::Code(code) => match reason_phrase(code) {
            Some(reason) => names::type_name(reason, "Status"),
            None => format!("Status{code}"),
        },
        crate::ir::StatusMatch::Range(1) => "Informational".to_owned(),
        crate::ir::StatusMatch::Range(2) => "Success".to_owned(),
        crate::ir::StatusMatch::Range(3) => "Redirection".to_owned(),
        crate::ir::StatusMatch::Range(4) => "ClientError".to_owned(),
        crate::ir::StatusMatch::Range(5) => "ServerError".to_owned(),
        crate::ir::StatusMatch::Range(r) => format!("Status{r}xx"),
        crate::ir::StatusMatch::Default => "Default".to_owned(),
    }
}

fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "Im A Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*" || essence == "application/*"
}

fn is_scalar(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::U32
            | TypeRef::U64
            | TypeRef::F32
            | TypeRef::F64
            | TypeRef::String
            | TypeRef::DateTime
            | TypeRef::Date
    )
}

fn wrap_nullable(lowered: Lowered) -> TypeRef {
    if lowered.nullable && lowered.ty != TypeRef::Value { TypeRef::Option(Box::new(lowered.ty)) } else { lowered.ty }
}

/// The spelling of a schema's `format`, known to `openapiv3` or not.
fn format_name<T: serde::Serialize>(format: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
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

/// The values of a string enum schema (nulls dropped), if it is one.
fn string_enum(schema: &Schema) -> Option<Vec<String>> {
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
fn integer_enum(schema: &Schema) -> Option<Vec<i64>> {
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

fn integer_enumeration(values: &[i64]) -> IntegerEnum {
    let mut scope = Scope::default();
    let mut seen = FxHashSet::default();
    let variants = values
        .iter()
        .filter(|v| seen.insert(**v))
        .map(|&value| (scope.claim(names::type_name(&value.to_string(), "Zero")), value))
        .collect();
    IntegerEnum { variants, other: scope.claim("Unknown".to_owned()) }
}

fn enumeration(values: &[String]) -> StringEnum {
    let mut scope = Scope::default();
    let mut seen = FxHashSet::default();
    let variants = values
        .iter()
        .filter(|v| seen.insert(v.as_str()))
        .map(|wire| EnumVariant { name: scope.claim(names::type_name(wire, "Empty")), wire: wire.clone() })
        .collect();
    StringEnum { variants, other: scope.claim("Unknown".to_owned()) }
}

fn is_annotation_only(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == AnySchema::default())
}

/// Doc lines for a schema: description (or title), then its example.
fn schema_docs(schema: &Schema) -> Vec<String> {
    let data = &schema.schema_data;
    let mut docs = match (&data.description, &data.title) {
        (Some(description), _) => lines(description),
        (None, Some(title)) => lines(title),
        (None, None) => Vec::new(),
    };
    if let Some(example) = &data.example {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        let compact = example.to_string();
        if compact.len() <= 80 && !compact.contains('`') {
            docs.push(format!("Example: `{compact}`"));
        } else {
            docs.push("Example:".to_owned());
            docs.extend(json_block(example));
        }
    }
    if let Some(default) = &data.default {
        let compact = default.to_string();
        if compact.len() <= 80 && !compact.contains('`') {
            if !docs.is_empty() {
                docs.push(String::new());
            }
            docs.push(format!("Default: `{compact}`"));
        }
    }
    let allowed: Vec<String> = match &schema.schema_kind {
        SchemaKind::Type(Type::Boolean(b)) => b.enumeration.iter().flatten().map(bool::to_string).collect(),
        SchemaKind::Type(Type::Number(n)) => n.enumeration.iter().flatten().map(f64::to_string).collect(),
        _ => Vec::new(),
    };
    if !allowed.is_empty() {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push(format!("One of: `{}`.", allowed.join("`, `")));
    }
    if data.deprecated {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push("Deprecated in the API specification.".to_owned());
    }
    docs
}

fn json_block(value: &Value) -> Vec<String> {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut block = vec!["```json".to_owned()];
    block.extend(pretty.lines().map(str::to_owned));
    block.push("```".to_owned());
    block
}

/// Splits spec text into doc lines, trimming trailing blank lines.
pub fn lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.lines().map(|l| l.trim_end().to_owned()).collect();
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    while out.first().is_some_and(String::is_empty) {
        out.remove(0);
    }
    out
}

/// The JSON pointer of a local `$ref` (`#/a/b` → `/a/b`), percent-decoded.
fn fragment(reference: &str) -> Option<String> {
    let pointer = reference.strip_prefix('#')?;
    Some(percent_encoding::percent_decode_str(pointer).decode_utf8_lossy().into_owned())
}

/// One JSON pointer token, unescaped.
fn decode_token(token: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(token).decode_utf8_lossy();
    decoded.replace("~1", "/").replace("~0", "~")
}

/// Optional + nullable fields are tri-state (`Nullable<T>`) only in types a request body can
/// contain; in response-only types they are plain `Option<T>`.
/// `Nullable<T>` (absent / null / value) matters only when sending: types no request reaches
/// use `Option<T>`.
fn finish_presence(types: &mut [TypeDef], in_request: &FxHashSet<String>) {
    for def in types.iter_mut() {
        if in_request.contains(&def.name) {
            continue;
        }
        if let TypeKind::Struct(s) = &mut def.kind {
            for field in &mut s.fields {
                if field.presence == Presence::OptionalNullable {
                    field.presence = Presence::Optional;
                }
            }
        }
    }
}

/// Which types a request reaches (they need `Serialize`) and which need `Deserialize`: those a
/// response reaches plus those nothing reaches.
fn serde_directions(types: &[TypeDef], operations: &[Operation]) -> (FxHashSet<String>, FxHashSet<String>) {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    for op in operations {
        if let Some(body) = &op.body {
            named_in(&body.ty, &mut sent);
            if let crate::ir::BodyEncoding::Multipart(form) = &body.encoding {
                form.fields.iter().for_each(|f| named_in(&f.field.ty, &mut sent));
            }
        }
        op.params.iter().for_each(|p| named_in(&p.ty, &mut sent));
        named_in(&op.success, &mut received);
        for response in &op.responses {
            if let ResponseBody::Json(ty) | ResponseBody::EventStream(Some(ty)) = &response.body {
                named_in(ty, &mut received);
            }
        }
    }
    let index: FxHashMap<&str, usize> = types.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let serialize = reachable(types, &index, sent);
    // Closed under containment: a type that derives `Deserialize` needs it on every field type,
    // including one that is otherwise only sent.
    received.extend(types.iter().filter(|t| !serialize.contains(&t.name)).map(|t| t.name.clone()));
    let deserialize = reachable(types, &index, received);
    (serialize, deserialize)
}

/// Every type name reachable from `roots` through fields, aliases, union branches and response
/// variants.
fn reachable(types: &[TypeDef], index: &FxHashMap<&str, usize>, mut stack: Vec<String>) -> FxHashSet<String> {
    let mut seen = FxHashSet::default();
    while let Some(name) = stack.pop() {
        let Some(&i) = index.get(name.as_str()) else { continue };
        if !seen.insert(name) {
            continue;
        }
        match &types[i].kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| named_in(&f.ty, &mut stack));
                if let Some(extra) = &s.additional {
                    named_in(&extra.ty, &mut stack);
                }
            }
            TypeKind::Alias(ty) => named_in(ty, &mut stack),
            TypeKind::Union(u) => u.variants.iter().for_each(|v| named_in(&v.ty, &mut stack)),
            TypeKind::Responses(variants) => {
                variants.iter().flat_map(|v| &v.ty).for_each(|ty| named_in(ty, &mut stack))
            }
            TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_) => {}
        }
    }
    seen
}

fn named_in(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(name) => out.push(name.clone()),
        TypeRef::Map(inner) | TypeRef::Vec(inner) | TypeRef::Option(inner) => named_in(inner, out),
        TypeRef::Tuple(items) => items.iter().for_each(|item| named_in(item, out)),
        _ => {}
    }
}

/// Types stored by value (not behind `Vec` or a map) that contain themselves need a `Box`.
fn box_recursive_fields(types: &mut [TypeDef]) {
    let index: FxHashMap<String, usize> = types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
    // The named types a member holds by value (not behind a `Vec` or a map), tuples included.
    fn by_value<'t>(ty: &'t TypeRef, out: &mut Vec<&'t str>) {
        match ty {
            TypeRef::Named(name) => out.push(name),
            TypeRef::Option(inner) => by_value(inner, out),
            TypeRef::Tuple(items) => items.iter().for_each(|item| by_value(item, out)),
            _ => {}
        }
    }
    let targets = |ty: &TypeRef| -> Vec<usize> {
        let mut names = Vec::new();
        by_value(ty, &mut names);
        names.into_iter().filter_map(|n| index.get(n).copied()).collect()
    };
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Struct(s) => s.fields.iter().flat_map(|f| targets(&f.ty)).collect(),
            TypeKind::Alias(ty) => targets(ty),
            TypeKind::Responses(variants) => {
                variants.iter().flat_map(|v| v.ty.as_ref().map(targets)).flatten().collect()
            }
            TypeKind::Union(u) => u.variants.iter().flat_map(|v| targets(&v.ty)).collect(),
            TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_) => Vec::new(),
        })
        .collect();
    // A by-value edge needs a box exactly when it closes a cycle: when both ends are in the same
    // strongly connected component. One pass over the graph, however many types there are.
    let component = strongly_connected(&edges);
    let mut to_box = Vec::new();
    for (i, def) in types.iter().enumerate() {
        let members: Vec<&TypeRef> = match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            _ => Vec::new(),
        };
        for (m, ty) in members.into_iter().enumerate() {
            // The member is itself an edge, so a target in the same component (this type
            // included) closes a cycle.
            if targets(ty).into_iter().any(|target| component[target] == component[i]) {
                to_box.push((i, m));
            }
        }
    }
    for (i, m) in to_box {
        match &mut types[i].kind {
            TypeKind::Struct(s) => s.fields[m].boxed = true,
            TypeKind::Union(u) => u.variants[m].boxed = true,
            _ => {}
        }
    }
}

/// Tarjan's algorithm, iterative: the strongly connected component of each node, as an index.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSEEN; n];
    let mut stack = Vec::new();
    let mut next_order = 0;
    let mut next_component = 0;
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut calls = vec![(root, 0)];
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut edge)) = calls.last_mut() {
            if let Some(&next) = edges[node].get(*edge) {
                *edge += 1;
                if order[next] == UNSEEN {
                    order[next] = next_order;
                    low[next] = next_order;
                    next_order += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    calls.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// What a media type is, for choosing how a body is sent or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MediaKind {
    Json,
    Form,
    Multipart,
    Text,
    EventStream,
    Binary,
}

/// `Text/Plain; charset=utf-8` → `text/plain`.
fn media_essence(media: &str) -> String {
    media.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn media_kind(media: &str) -> MediaKind {
    let essence = media_essence(media);
    let text = [
        "application/xml",
        "application/yaml",
        "application/x-yaml",
        "application/x-ndjson",
        "application/jsonl",
        "application/javascript",
        "application/graphql",
        "application/sql",
    ];
    match essence.as_str() {
        _ if is_json(&essence) => MediaKind::Json,
        "application/x-www-form-urlencoded" => MediaKind::Form,
        "multipart/form-data" => MediaKind::Multipart,
        "text/event-stream" => MediaKind::EventStream,
        e if e.starts_with("text/") || e.ends_with("+xml") || text.contains(&e) => MediaKind::Text,
        _ => MediaKind::Binary,
    }
}

/// How a request body of this media type is sent (an event stream is sent as text).
fn request_kind(media: &str) -> MediaKind {
    match media_kind(media) {
        MediaKind::EventStream => MediaKind::Text,
        kind => kind,
    }
}

/// How a response body of this media type is read (forms as text, multipart as bytes).
fn response_kind(media: &str) -> MediaKind {
    match media_kind(media) {
        MediaKind::Form => MediaKind::Text,
        MediaKind::Multipart => MediaKind::Binary,
        kind => kind,
    }
}

impl<'a> Lowerer<'a, '_> {
    /// The form struct of a `multipart/form-data` body whose schema (at `media_pointer/schema`)
    /// is an object; `None` otherwise.
    fn multipart_form(
        &mut self,
        content: &openapiv3::MediaType,
        hint: &str,
        media_pointer: &str,
    ) -> Option<crate::ir::MultipartForm> {
        let at = pointer_push(media_pointer, "schema");
        let (schema, schema_pointer) = self.resolve_item(content.schema.as_ref()?, &at)?;
        let parts = self.object_parts(&schema, &schema_pointer)?;
        if parts.properties.is_empty() {
            return None;
        }
        if parts.additional.is_some() {
            self.sink.warning(&parts.additional_pointer, "additional properties of a multipart form are not sent");
        }
        let stem = hint.strip_suffix("Request").unwrap_or(hint);
        let name = self.type_scope.claim(names::type_name(&format!("{stem}Form"), "Form"));
        let kinds: Vec<(String, crate::ir::PartKind)> = parts
            .properties
            .iter()
            .map(|(wire, property, pointer)| {
                // The form helpers take unboxed schemas; forms are few and small.
                let property = &property.as_ref().clone().unbox();
                let declared = content
                    .encoding
                    .get(wire)
                    .and_then(|encoding| encoding.content_type.as_deref())
                    .and_then(|types| types.split(',').map(str::trim).find(|t| !t.is_empty() && !t.contains('*')))
                    .map(str::to_owned);
                let default_type = |media: Option<String>| {
                    declared.clone().or(media).unwrap_or_else(|| "application/octet-stream".to_owned())
                };
                if let Some(media) = self.binary_media(property, pointer) {
                    return (wire.clone(), crate::ir::PartKind::File(default_type(media)));
                }
                let items = match self.resolve_item(property, pointer) {
                    Some((schema, at)) => match &schema.schema_kind {
                        SchemaKind::Type(Type::Array(array)) => array.items.as_ref().map(|items| {
                            let items = match items {
                                ReferenceOr::Reference { reference } => {
                                    ReferenceOr::Reference { reference: reference.clone() }
                                }
                                ReferenceOr::Item(schema) => ReferenceOr::Item((**schema).clone()),
                            };
                            (items, pointer_push(&at, "items"))
                        }),
                        _ => None,
                    },
                    None => None,
                };
                let kind = match items.and_then(|(items, at)| self.binary_media(&items, &at)) {
                    Some(media) => crate::ir::PartKind::Files(default_type(media)),
                    None => crate::ir::PartKind::Value,
                };
                (wire.clone(), kind)
            })
            .collect();
        let docs = schema_docs(&schema);
        let fields = self.structure(&name, parts).fields;
        let fields = fields
            .into_iter()
            .map(|field| {
                let part = kinds.iter().find(|(wire, _)| *wire == field.wire).map(|(_, kind)| kind.clone());
                crate::ir::FormField { field, part: part.unwrap_or(crate::ir::PartKind::Value) }
            })
            .collect();
        Some(crate::ir::MultipartForm { name, docs, fields })
    }

    /// `Some(contentMediaType)` when the schema is a file: a string with `format: binary`, or
    /// (OpenAPI 3.1) with a `contentMediaType` and no `contentEncoding`.
    fn binary_media(&mut self, schema: &ReferenceOr<Schema>, pointer: &str) -> Option<Option<String>> {
        let (schema, _) = self.resolve_item(schema, pointer)?;
        let format = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => format_name(&string.format),
            SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "string") => any.format.clone(),
            _ => return None,
        };
        let extensions = &schema.schema_data.extensions;
        let media = extensions.get(crate::normalise::CONTENT_MEDIA_TYPE).and_then(Value::as_str).map(str::to_owned);
        let binary = format.as_deref() == Some("binary")
            || (media.is_some() && !extensions.contains_key(crate::normalise::CONTENT_ENCODING));
        binary.then_some(media)
    }

    /// The type of each event's data in a `text/event-stream` body: `None` (raw text) when the
    /// schema is missing or a string. A schema of the event itself (properties among `event`,
    /// `data`, `id`, `retry`, with `data`) describes its data through `data`.
    fn event_data(&mut self, content: &openapiv3::MediaType, hint: &str, media_pointer: &str) -> Option<TypeRef> {
        let at = pointer_push(media_pointer, "schema");
        let schema = content.schema.as_ref()?;
        let mut event_data = None;
        if let Some((event, event_pointer)) = self.resolve_item(schema, &at)
            && let Some(parts) = self.object_parts(&event, &event_pointer)
            && parts.properties.iter().any(|(name, _, _)| name == "data")
            && parts.properties.iter().all(|(name, _, _)| ["event", "data", "id", "retry"].contains(&name.as_str()))
            && let Some((_, property, pointer)) = parts.properties.into_iter().find(|(name, _, _)| name == "data")
        {
            event_data = Some((property.into_owned().unbox(), pointer));
        }
        let lowered = match &event_data {
            Some((data, data_pointer)) => self.schema(data, hint, data_pointer),
            None => self.schema(schema, hint, &at),
        };
        (lowered.ty != TypeRef::String).then(|| wrap_nullable(lowered))
    }

    /// A schema or the schema a `$ref` points to, with its pointer.
    fn resolve_item<'s>(&mut self, schema: &'s ReferenceOr<Schema>, pointer: &str) -> Option<(Cow<'s, Schema>, String)>
    where
        'a: 's,
    {
        match schema {
            ReferenceOr::Item(schema) => Some((Cow::Borrowed(schema), pointer.to_owned())),
            ReferenceOr::Reference { reference } => self.resolve_schema(reference, pointer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strongly_connected_components() {
        // 0 → 1 → 2 → 0 is a cycle; 3 points into it; 4 points to itself; 5 stands alone.
        let edges = vec![vec![1], vec![2], vec![0], vec![0], vec![4], vec![]];
        let component = strongly_connected(&edges);
        assert_eq!(component[0], component[1]);
        assert_eq!(component[1], component[2]);
        assert_ne!(component[3], component[0]);
        assert_ne!(component[4], component[5]);
        assert_ne!(component[4], component[0]);
    }

    #[test]
    fn strongly_connected_survives_a_long_chain() {
        // Deep enough to overflow a recursive implementation's stack.
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let component = strongly_connected(&edges);
        assert!(component.iter().all(|&c| c == component[0]));
    }

    #[test]
    fn template_variables_in_order() {
        assert_eq!(template_variables("/a/{x}/b/{y.z}"), vec!["x", "y.z"]);
        assert_eq!(template_variables("q={q}&n={n}"), vec!["q", "n"]);
        assert!(template_variables("/plain").is_empty());
    }
}
