//! The parse stage's fast path: the JSON tree read straight into the `openapiv3` model.
//!
//! `openapiv3` reads `$ref`-or-item and schemas through untagged and flattened serde types, which
//! copy each schema into serde's `Content` buffer once per level of nesting it sits at. On
//! GitHub's spec that was four fifths of the stage. This reader walks the tree once, moving
//! strings and values out of it instead of copying them.
//!
//! **Invariant**: [`read`] returns exactly the model `openapiv3`'s serde impls build, or `None`.
//! Whatever it is not sure of (a keyword of an unexpected JSON type, a missing required field)
//! makes it give up, and the caller falls back to serde, which then decides and reports. Parts
//! that cannot hold a schema (info, servers, tags, security, examples, links, encodings,
//! callbacks, discriminators) are handed to serde as they are; they are small. Tests compare
//! the two readers on every fixture and spec, and `cargo xtask corpus` on every API it has.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, ArrayType, BooleanType, Components, Header, IntegerType, MediaType, NumberType,
    ObjectType, OpenAPI, Operation, Parameter, ParameterData, ParameterSchemaOrContent, PathItem, Paths, ReferenceOr,
    RequestBody, Response, Responses, Schema, SchemaData, SchemaKind, StatusCode, StringType, Type,
};
use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

type Object = Map<String, Value>;
type Extensions = IndexMap<String, Value>;

/// What [`read`] made of a document.
pub struct Read {
    pub doc: OpenAPI,
    /// Whether a `$ref` points anywhere but at a whole schema, parameter, request body, response
    /// or security scheme component (`#/paths/...`, or into a component). Only those need the
    /// JSON tree again when lowering.
    pub refs_beyond_components: bool,
}

thread_local! {
    /// Set by [`ref_or`] (and by schema extensions holding `$ref`s) during one [`read`].
    static BEYOND_COMPONENTS: Cell<bool> = const { Cell::new(false) };
}

/// Reads a whole document, consuming the tree; `None` when serde has to decide.
pub fn read(value: Value) -> Option<Read> {
    BEYOND_COMPONENTS.set(false);
    let doc = document(value)?;
    Some(Read { doc, refs_beyond_components: BEYOND_COMPONENTS.get() })
}

/// Reads the top-level `paths` member alone, consuming it: the paths, and whether a `$ref` in
/// them points beyond whole components (see [`Read`]). `None` when serde has to decide.
pub fn read_paths_only(value: Value) -> Option<(Paths, bool)> {
    BEYOND_COMPONENTS.set(false);
    let paths = read_paths(value)?;
    Some((paths, BEYOND_COMPONENTS.get()))
}

fn document(value: Value) -> Option<OpenAPI> {
    let mut doc = OpenAPI::default();
    let (mut openapi, mut info, mut paths) = (None, None, None);
    for (key, value) in object(value)? {
        match key.as_str() {
            "openapi" => openapi = Some(string(value)?),
            "info" => info = Some(serde(value)?),
            "servers" => doc.servers = serde(value)?,
            "paths" => paths = Some(read_paths(value)?),
            "components" => doc.components = optional(value, components)?,
            "security" => doc.security = serde(value)?,
            "tags" => doc.tags = serde(value)?,
            "externalDocs" => doc.external_docs = serde(value)?,
            _ => extension(&mut doc.extensions, key, value),
        }
    }
    doc.openapi = openapi?;
    doc.info = info?;
    doc.paths = paths?;
    Some(doc)
}

fn components(value: Value) -> Option<Components> {
    let mut components = Components::default();
    for (key, value) in object(value)? {
        match key.as_str() {
            "schemas" => components.schemas = map(value, schema_ref)?,
            "responses" => components.responses = map(value, |v| ref_or(v, "responses", response))?,
            "parameters" => components.parameters = map(value, |v| ref_or(v, "parameters", parameter))?,
            "examples" => components.examples = serde(value)?,
            "requestBodies" => components.request_bodies = map(value, |v| ref_or(v, "requestBodies", request_body))?,
            "headers" => components.headers = map(value, header_ref)?,
            "securitySchemes" => {
                components.security_schemes = map(value, |v| ref_or(v, "securitySchemes", |o| serde(Value::Object(o))))?
            }
            "links" => components.links = serde(value)?,
            "callbacks" => components.callbacks = serde(value)?,
            _ => extension(&mut components.extensions, key, value),
        }
    }
    Some(components)
}

fn read_paths(value: Value) -> Option<Paths> {
    let mut paths = Paths::default();
    for (key, value) in object(value)? {
        if key.starts_with('/') {
            let item = ref_or(value, "pathItems", path_item)?;
            paths.paths.insert(key, item);
        } else {
            extension(&mut paths.extensions, key, value);
        }
    }
    Some(paths)
}

fn path_item(fields: Object) -> Option<PathItem> {
    let mut item = PathItem::default();
    for (key, value) in fields {
        match key.as_str() {
            "summary" => item.summary = optional(value, string)?,
            "description" => item.description = optional(value, string)?,
            "servers" => item.servers = serde(value)?,
            "parameters" => item.parameters = list(value, |v| ref_or(v, "parameters", parameter))?,
            "get" => item.get = optional(value, operation)?,
            "put" => item.put = optional(value, operation)?,
            "post" => item.post = optional(value, operation)?,
            "delete" => item.delete = optional(value, operation)?,
            "options" => item.options = optional(value, operation)?,
            "head" => item.head = optional(value, operation)?,
            "patch" => item.patch = optional(value, operation)?,
            "trace" => item.trace = optional(value, operation)?,
            // 3.2's other operations (see `v32`): lowering parses them, so their `$ref`s count.
            crate::v32::ADDITIONAL_OPERATIONS => schema_extension(&mut item.extensions, key, value),
            _ => extension(&mut item.extensions, key, value),
        }
    }
    Some(item)
}

fn operation(value: Value) -> Option<Operation> {
    let mut operation = Operation::default();
    let mut responses = None;
    for (key, value) in object(value)? {
        match key.as_str() {
            "tags" => operation.tags = serde(value)?,
            "summary" => operation.summary = optional(value, string)?,
            "description" => operation.description = optional(value, string)?,
            "externalDocs" => operation.external_docs = serde(value)?,
            "operationId" => operation.operation_id = optional(value, string)?,
            "parameters" => operation.parameters = list(value, |v| ref_or(v, "parameters", parameter))?,
            "requestBody" => operation.request_body = optional(value, |v| ref_or(v, "requestBodies", request_body))?,
            "responses" => responses = Some(read_responses(value)?),
            "callbacks" => operation.callbacks = serde(value)?,
            "deprecated" => operation.deprecated = boolean(value)?,
            "security" => operation.security = serde(value)?,
            "servers" => operation.servers = serde(value)?,
            _ => extension(&mut operation.extensions, key, value),
        }
    }
    operation.responses = responses?;
    Some(operation)
}

/// `in` picks the variant; `style`, `allowReserved` and `allowEmptyValue` are read for the
/// variants that have them and ignored (unchecked, as serde does) by the others.
fn parameter(fields: Object) -> Option<Parameter> {
    let mut location = None;
    let (mut style, mut allow_reserved, mut allow_empty_value) = (None, None, None);
    let mut common = Common::default();
    let (mut name, mut explode) = (None, None);
    for (key, value) in fields {
        match key.as_str() {
            "in" => location = Some(string(value)?),
            "style" => style = Some(value),
            "allowReserved" => allow_reserved = Some(value),
            "allowEmptyValue" => allow_empty_value = Some(value),
            "name" => name = Some(string(value)?),
            "explode" => explode = optional(value, boolean)?,
            _ => common.field(key, value)?,
        }
    }
    let parameter_data = ParameterData {
        name: name?,
        description: common.description,
        required: common.required,
        deprecated: common.deprecated,
        format: common.format?,
        example: common.example,
        examples: common.examples,
        explode,
        extensions: common.extensions,
    };
    Some(match location?.as_str() {
        "query" => Parameter::Query {
            parameter_data,
            allow_reserved: allow_reserved.map_or(Some(false), boolean)?,
            style: style_or_default(style)?,
            allow_empty_value: allow_empty_value.map_or(Some(None), |v| optional(v, boolean))?,
        },
        "header" => Parameter::Header { parameter_data, style: style_or_default(style)? },
        "path" => Parameter::Path { parameter_data, style: style_or_default(style)? },
        "cookie" => Parameter::Cookie { parameter_data, style: style_or_default(style)? },
        _ => return None,
    })
}

/// A parameter's `style`, read for the variant `in` chose.
fn style_or_default<T: DeserializeOwned + Default>(style: Option<Value>) -> Option<T> {
    style.map_or(Some(T::default()), serde)
}

fn header(fields: Object) -> Option<Header> {
    let mut common = Common::default();
    let mut style = None;
    for (key, value) in fields {
        match key.as_str() {
            "style" => style = Some(serde(value)?),
            _ => common.field(key, value)?,
        }
    }
    Some(Header {
        description: common.description,
        style: style.unwrap_or_default(),
        required: common.required,
        deprecated: common.deprecated,
        format: common.format?,
        example: common.example,
        examples: common.examples,
        extensions: common.extensions,
    })
}

/// The fields parameters and headers share.
#[derive(Default)]
struct Common {
    description: Option<String>,
    required: bool,
    deprecated: Option<bool>,
    /// The first of `schema` and `content`, in the document's order, as serde takes it.
    format: Option<ParameterSchemaOrContent>,
    example: Option<Value>,
    examples: IndexMap<String, ReferenceOr<openapiv3::Example>>,
    extensions: Extensions,
}

impl Common {
    fn field(&mut self, key: String, value: Value) -> Option<()> {
        match key.as_str() {
            "description" => self.description = optional(value, string)?,
            "required" => self.required = boolean(value)?,
            "deprecated" => self.deprecated = optional(value, boolean)?,
            "schema" | "content" if self.format.is_some() => {}
            "schema" => self.format = Some(ParameterSchemaOrContent::Schema(schema_ref(value)?)),
            "content" => self.format = Some(ParameterSchemaOrContent::Content(map(value, media_type)?)),
            "example" => self.example = present(value),
            "examples" => self.examples = serde(value)?,
            _ => extension(&mut self.extensions, key, value),
        }
        Some(())
    }
}

fn request_body(fields: Object) -> Option<RequestBody> {
    let mut body = RequestBody::default();
    for (key, value) in fields {
        match key.as_str() {
            "description" => body.description = optional(value, string)?,
            "content" => body.content = map(value, media_type)?,
            "required" => body.required = boolean(value)?,
            _ => extension(&mut body.extensions, key, value),
        }
    }
    Some(body)
}

fn media_type(value: Value) -> Option<MediaType> {
    let mut media = MediaType::default();
    for (key, value) in object(value)? {
        match key.as_str() {
            "schema" => media.schema = optional(value, schema_ref)?,
            "example" => media.example = present(value),
            "examples" => media.examples = serde(value)?,
            "encoding" => media.encoding = serde(value)?,
            _ => extension(&mut media.extensions, key, value),
        }
    }
    Some(media)
}

/// Keys that are not status codes (or `default`) are skipped, as serde skips them.
fn read_responses(value: Value) -> Option<Responses> {
    let mut responses = Responses::default();
    for (key, value) in object(value)? {
        if key == "default" {
            responses.default = optional(value, |v| ref_or(v, "responses", response))?;
        } else if let Some(code) = status_code(&key) {
            responses.responses.insert(code, ref_or(value, "responses", response)?);
        } else {
            extension(&mut responses.extensions, key, value);
        }
    }
    Some(responses)
}

/// `200`, `404`; `2XX` or `2xx` for a range.
fn status_code(key: &str) -> Option<StatusCode> {
    if key.len() != 3 {
        return None;
    }
    if let Ok(number) = key.parse::<i64>() {
        return (100..1000).contains(&number).then_some(StatusCode::Code(number as u16));
    }
    match key.as_bytes() {
        [digit, x, y] if digit.is_ascii_digit() && x.eq_ignore_ascii_case(&b'x') && y.eq_ignore_ascii_case(&b'x') => {
            Some(StatusCode::Range(u16::from(digit - b'0')))
        }
        _ => None,
    }
}

fn response(fields: Object) -> Option<Response> {
    let mut response = Response::default();
    let mut description = None;
    for (key, value) in fields {
        match key.as_str() {
            "description" => description = Some(string(value)?),
            "headers" => response.headers = map(value, header_ref)?,
            "content" => response.content = map(value, media_type)?,
            "links" => response.links = serde(value)?,
            _ => extension(&mut response.extensions, key, value),
        }
    }
    response.description = description?;
    Some(response)
}

fn schema(fields: Object) -> Option<Schema> {
    let mut data = SchemaData::default();
    let mut kind = Keywords::default();
    for (key, value) in fields {
        match key.as_str() {
            "nullable" => data.nullable = boolean(value)?,
            "readOnly" => data.read_only = boolean(value)?,
            "writeOnly" => data.write_only = boolean(value)?,
            "deprecated" => data.deprecated = boolean(value)?,
            "externalDocs" => data.external_docs = serde(value)?,
            "example" => data.example = present(value),
            "title" => data.title = optional(value, string)?,
            "description" => data.description = optional(value, string)?,
            "discriminator" => data.discriminator = serde(value)?,
            "default" => data.default = present(value),
            _ => kind.field(key, value, &mut data.extensions)?,
        }
    }
    Some(Schema { schema_data: data, schema_kind: kind.into_kind()? })
}

fn boxed_schema(fields: Object) -> Option<Box<Schema>> {
    schema(fields).map(Box::new)
}

fn schema_ref(value: Value) -> Option<ReferenceOr<Schema>> {
    ref_or(value, "schemas", schema)
}

/// The keywords that decide a schema's kind, each as given (`null` counts as absent).
#[derive(Default)]
struct Keywords {
    typ: Option<String>,
    pattern: Option<String>,
    multiple_of: Option<Number>,
    exclusive_minimum: Option<bool>,
    exclusive_maximum: Option<bool>,
    minimum: Option<Number>,
    maximum: Option<Number>,
    properties: Option<IndexMap<String, ReferenceOr<Box<Schema>>>>,
    required: Option<Vec<String>>,
    additional_properties: Option<AdditionalProperties>,
    min_properties: Option<usize>,
    max_properties: Option<usize>,
    items: Option<ReferenceOr<Box<Schema>>>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    unique_items: Option<bool>,
    enumeration: Option<Vec<Value>>,
    format: Option<String>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    one_of: Option<Vec<ReferenceOr<Schema>>>,
    all_of: Option<Vec<ReferenceOr<Schema>>>,
    any_of: Option<Vec<ReferenceOr<Schema>>>,
    not: Option<Box<ReferenceOr<Schema>>>,
}

/// Bits of [`Keywords::given`], one per keyword.
mod given {
    pub const TYPE: u32 = 1;
    pub const PATTERN: u32 = 1 << 1;
    pub const MULTIPLE_OF: u32 = 1 << 2;
    pub const EXCLUSIVE_MINIMUM: u32 = 1 << 3;
    pub const EXCLUSIVE_MAXIMUM: u32 = 1 << 4;
    pub const MINIMUM: u32 = 1 << 5;
    pub const MAXIMUM: u32 = 1 << 6;
    pub const PROPERTIES: u32 = 1 << 7;
    pub const REQUIRED: u32 = 1 << 8;
    pub const ADDITIONAL_PROPERTIES: u32 = 1 << 9;
    pub const MIN_PROPERTIES: u32 = 1 << 10;
    pub const MAX_PROPERTIES: u32 = 1 << 11;
    pub const ITEMS: u32 = 1 << 12;
    pub const MIN_ITEMS: u32 = 1 << 13;
    pub const MAX_ITEMS: u32 = 1 << 14;
    pub const UNIQUE_ITEMS: u32 = 1 << 15;
    pub const ENUM: u32 = 1 << 16;
    pub const FORMAT: u32 = 1 << 17;
    pub const MIN_LENGTH: u32 = 1 << 18;
    pub const MAX_LENGTH: u32 = 1 << 19;
    pub const ONE_OF: u32 = 1 << 20;
    pub const ALL_OF: u32 = 1 << 21;
    pub const ANY_OF: u32 = 1 << 22;
    pub const NOT: u32 = 1 << 23;

    /// What a typed schema of each kind may have besides `type`; anything more makes it `Any`.
    pub const STRING: u32 = TYPE | PATTERN | ENUM | FORMAT | MIN_LENGTH | MAX_LENGTH;
    pub const NUMBER: u32 =
        TYPE | MULTIPLE_OF | EXCLUSIVE_MINIMUM | EXCLUSIVE_MAXIMUM | MINIMUM | MAXIMUM | ENUM | FORMAT;
    pub const BOOLEAN: u32 = TYPE | ENUM;
    pub const OBJECT: u32 = TYPE | PROPERTIES | REQUIRED | ADDITIONAL_PROPERTIES | MIN_PROPERTIES | MAX_PROPERTIES;
    pub const ARRAY: u32 = TYPE | ITEMS | MIN_ITEMS | MAX_ITEMS | UNIQUE_ITEMS;
}

impl Keywords {
    /// Reads one keyword; an `x-` key goes to `extensions`, any other key is ignored.
    fn field(&mut self, key: String, value: Value, extensions: &mut Extensions) -> Option<()> {
        match key.as_str() {
            "type" => self.typ = optional(value, string)?,
            "pattern" => self.pattern = optional(value, string)?,
            "multipleOf" => self.multiple_of = optional(value, number)?,
            "exclusiveMinimum" => self.exclusive_minimum = optional(value, boolean)?,
            "exclusiveMaximum" => self.exclusive_maximum = optional(value, boolean)?,
            "minimum" => self.minimum = optional(value, number)?,
            "maximum" => self.maximum = optional(value, number)?,
            "properties" => self.properties = optional(value, |v| map(v, |v| ref_or(v, "schemas", boxed_schema)))?,
            "required" => self.required = optional(value, |v| list(v, string))?,
            "additionalProperties" => self.additional_properties = optional(value, additional_properties)?,
            "minProperties" => self.min_properties = optional(value, size)?,
            "maxProperties" => self.max_properties = optional(value, size)?,
            "items" => self.items = optional(value, |v| ref_or(v, "schemas", boxed_schema))?,
            "minItems" => self.min_items = optional(value, size)?,
            "maxItems" => self.max_items = optional(value, size)?,
            "uniqueItems" => self.unique_items = optional(value, boolean)?,
            "enum" => self.enumeration = optional(value, array)?,
            "format" => self.format = optional(value, string)?,
            "minLength" => self.min_length = optional(value, size)?,
            "maxLength" => self.max_length = optional(value, size)?,
            "oneOf" => self.one_of = optional(value, |v| list(v, schema_ref))?,
            "allOf" => self.all_of = optional(value, |v| list(v, schema_ref))?,
            "anyOf" => self.any_of = optional(value, |v| list(v, schema_ref))?,
            "not" => self.not = optional(value, |v| schema_ref(v).map(Box::new))?,
            _ => schema_extension(extensions, key, value),
        }
        Some(())
    }

    /// Which keywords were given, as [`given`] bits.
    fn given(&self) -> u32 {
        use given::*;
        let bits = [
            (self.typ.is_some(), TYPE),
            (self.pattern.is_some(), PATTERN),
            (self.multiple_of.is_some(), MULTIPLE_OF),
            (self.exclusive_minimum.is_some(), EXCLUSIVE_MINIMUM),
            (self.exclusive_maximum.is_some(), EXCLUSIVE_MAXIMUM),
            (self.minimum.is_some(), MINIMUM),
            (self.maximum.is_some(), MAXIMUM),
            (self.properties.is_some(), PROPERTIES),
            (self.required.is_some(), REQUIRED),
            (self.additional_properties.is_some(), ADDITIONAL_PROPERTIES),
            (self.min_properties.is_some(), MIN_PROPERTIES),
            (self.max_properties.is_some(), MAX_PROPERTIES),
            (self.items.is_some(), ITEMS),
            (self.min_items.is_some(), MIN_ITEMS),
            (self.max_items.is_some(), MAX_ITEMS),
            (self.unique_items.is_some(), UNIQUE_ITEMS),
            (self.enumeration.is_some(), ENUM),
            (self.format.is_some(), FORMAT),
            (self.min_length.is_some(), MIN_LENGTH),
            (self.max_length.is_some(), MAX_LENGTH),
            (self.one_of.is_some(), ONE_OF),
            (self.all_of.is_some(), ALL_OF),
            (self.any_of.is_some(), ANY_OF),
            (self.not.is_some(), NOT),
        ];
        bits.into_iter().filter(|(set, _)| *set).fold(0, |all, (_, bit)| all | bit)
    }

    /// The kind `openapiv3` gives these keywords: a typed schema when `type` names a kind and
    /// only that kind's keywords (and fitting `enum` values) are given; a bare `oneOf`, `allOf`,
    /// `anyOf` or `not` alone; anything else is `Any`, which keeps every keyword.
    fn shape(&self) -> Shape {
        let given = self.given();
        let only = |allowed: u32| given & !allowed == 0;
        let enum_all =
            |fits: fn(&Value) -> bool| self.enumeration.iter().flatten().all(|value| value.is_null() || fits(value));
        let integral = |n: &Option<Number>| n.as_ref().is_none_or(Number::is_i64);
        match self.typ.as_deref() {
            Some("string") if only(given::STRING) && enum_all(Value::is_string) => Shape::String,
            Some("number") if only(given::NUMBER) && enum_all(Value::is_number) => Shape::Number,
            Some("integer")
                if only(given::NUMBER)
                    && enum_all(Value::is_i64)
                    && integral(&self.multiple_of)
                    && integral(&self.minimum)
                    && integral(&self.maximum) =>
            {
                Shape::Integer
            }
            Some("boolean") if only(given::BOOLEAN) && enum_all(Value::is_boolean) => Shape::Boolean,
            Some("object") if only(given::OBJECT) => Shape::Object,
            Some("array") if only(given::ARRAY) => Shape::Array,
            _ => Shape::Other(given),
        }
    }

    fn into_kind(self) -> Option<SchemaKind> {
        let typed = match self.shape() {
            Shape::String => Type::String(StringType {
                format: self.format.into(),
                pattern: self.pattern,
                enumeration: enumerated(self.enumeration, string)?,
                min_length: self.min_length,
                max_length: self.max_length,
            }),
            Shape::Number => Type::Number(NumberType {
                format: self.format.into(),
                multiple_of: float(self.multiple_of)?,
                exclusive_minimum: self.exclusive_minimum.unwrap_or_default(),
                exclusive_maximum: self.exclusive_maximum.unwrap_or_default(),
                minimum: float(self.minimum)?,
                maximum: float(self.maximum)?,
                enumeration: enumerated(self.enumeration, |v| v.as_f64())?,
            }),
            Shape::Integer => Type::Integer(IntegerType {
                format: self.format.into(),
                multiple_of: integer(self.multiple_of)?,
                exclusive_minimum: self.exclusive_minimum.unwrap_or_default(),
                exclusive_maximum: self.exclusive_maximum.unwrap_or_default(),
                minimum: integer(self.minimum)?,
                maximum: integer(self.maximum)?,
                enumeration: enumerated(self.enumeration, |v| v.as_i64())?,
            }),
            Shape::Boolean => {
                Type::Boolean(BooleanType { enumeration: enumerated(self.enumeration, |v| v.as_bool())? })
            }
            Shape::Object => Type::Object(ObjectType {
                properties: self.properties.unwrap_or_default(),
                required: self.required.unwrap_or_default(),
                additional_properties: self.additional_properties,
                min_properties: self.min_properties,
                max_properties: self.max_properties,
            }),
            Shape::Array => Type::Array(ArrayType {
                items: self.items,
                min_items: self.min_items,
                max_items: self.max_items,
                unique_items: self.unique_items.unwrap_or_default(),
            }),
            Shape::Other(given) => return self.into_untyped(given),
        };
        Some(SchemaKind::Type(typed))
    }

    fn into_untyped(self, given: u32) -> Option<SchemaKind> {
        Some(match (given, self) {
            (given::ONE_OF, Keywords { one_of: Some(one_of), .. }) => SchemaKind::OneOf { one_of },
            (given::ALL_OF, Keywords { all_of: Some(all_of), .. }) => SchemaKind::AllOf { all_of },
            (given::ANY_OF, Keywords { any_of: Some(any_of), .. }) => SchemaKind::AnyOf { any_of },
            (given::NOT, Keywords { not: Some(not), .. }) => SchemaKind::Not { not },
            (_, other) => SchemaKind::Any(AnySchema {
                typ: other.typ,
                pattern: other.pattern,
                multiple_of: float(other.multiple_of)?,
                exclusive_minimum: other.exclusive_minimum,
                exclusive_maximum: other.exclusive_maximum,
                minimum: float(other.minimum)?,
                maximum: float(other.maximum)?,
                properties: other.properties.unwrap_or_default(),
                required: other.required.unwrap_or_default(),
                additional_properties: other.additional_properties,
                min_properties: other.min_properties,
                max_properties: other.max_properties,
                items: other.items,
                min_items: other.min_items,
                max_items: other.max_items,
                unique_items: other.unique_items,
                enumeration: other.enumeration.unwrap_or_default(),
                format: other.format,
                min_length: other.min_length,
                max_length: other.max_length,
                one_of: other.one_of.unwrap_or_default(),
                all_of: other.all_of.unwrap_or_default(),
                any_of: other.any_of.unwrap_or_default(),
                not: other.not,
            }),
        })
    }
}

/// What [`Keywords::shape`] decided, before anything is moved out of the keywords.
enum Shape {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    /// Not a typed schema; the [`given`] bits.
    Other(u32),
}

/// `true`/`false`, or a schema.
fn additional_properties(value: Value) -> Option<AdditionalProperties> {
    match value {
        Value::Bool(any) => Some(AdditionalProperties::Any(any)),
        other => Some(AdditionalProperties::Schema(Box::new(schema_ref(other)?))),
    }
}

/// `enum` values of a typed schema: `null` stays `None`, every other value converts (the caller
/// has checked that each one does).
fn enumerated<T>(values: Option<Vec<Value>>, convert: impl Fn(Value) -> Option<T>) -> Option<Vec<Option<T>>> {
    let values = values.unwrap_or_default().into_iter();
    values.map(|value| if value.is_null() { Some(None) } else { convert(value).map(Some) }).collect()
}

fn float(number: Option<Number>) -> Option<Option<f64>> {
    number.map_or(Some(None), |n| n.as_f64().map(Some))
}

fn integer(number: Option<Number>) -> Option<Option<i64>> {
    number.map_or(Some(None), |n| n.as_i64().map(Some))
}

/// A `$ref` object (its other keys ignored, as in 3.0), or the item `read_item` makes of the
/// object. `kind` is the `components` section lowering looks the `$ref` up in.
fn ref_or<T>(value: Value, kind: &str, read_item: impl FnOnce(Object) -> Option<T>) -> Option<ReferenceOr<T>> {
    reference_or(value, read_item, Some(kind))
}

/// A header or its `$ref`. Lowering never resolves header `$ref`s (response headers are not
/// generated), so they are not noted.
fn header_ref(value: Value) -> Option<ReferenceOr<Header>> {
    reference_or(value, header, None)
}

fn reference_or<T>(
    value: Value,
    read_item: impl FnOnce(Object) -> Option<T>,
    resolved_in: Option<&str>,
) -> Option<ReferenceOr<T>> {
    let mut fields = object(value)?;
    match fields.get_mut("$ref") {
        Some(Value::String(reference)) => {
            if let Some(kind) = resolved_in {
                note_reference(reference, kind);
            }
            Some(ReferenceOr::Reference { reference: std::mem::take(reference) })
        }
        // A `$ref` that is not a string: serde reads the object as an item; let it.
        Some(_) => None,
        None => read_item(fields).map(ReferenceOr::Item),
    }
}

/// Records a `$ref` that lowering cannot take from the parsed document: anything but
/// `#/components/<kind>/<key>` for the kind the position holds (a schema `$ref` to a response
/// is read from the JSON tree as a schema), and every path item `$ref` (`pathItems` is not
/// parsed).
fn note_reference(reference: &str, kind: &str) {
    const PARSED: &[&str] = &["schemas", "parameters", "requestBodies", "responses", "securitySchemes"];
    let key = reference.strip_prefix("#/components/").and_then(|rest| rest.strip_prefix(kind)?.strip_prefix('/'));
    if !(PARSED.contains(&kind) && key.is_some_and(|key| !key.contains('/'))) {
        BEYOND_COMPONENTS.set(true);
    }
}

/// [`extension`] for a schema: lowering reads some schema extensions as schemas (`prefixItems`,
/// `patternProperties` carried through `openapiv3`), so the `$ref`s in any of them are noted.
fn schema_extension(extensions: &mut Extensions, key: String, value: Value) {
    fn note_all(value: &Value) {
        match value {
            Value::Object(fields) => {
                if let Some(Value::String(reference)) = fields.get("$ref") {
                    note_reference(reference, "schemas");
                }
                fields.values().for_each(note_all);
            }
            Value::Array(items) => items.iter().for_each(note_all),
            _ => {}
        }
    }
    if key.starts_with("x-") {
        note_all(&value);
        extensions.insert(key, value);
    }
}

/// An `x-` key is kept; any other unknown key is ignored, as serde ignores it.
fn extension(extensions: &mut Extensions, key: String, value: Value) {
    if key.starts_with("x-") {
        extensions.insert(key, value);
    }
}

/// A field serde reads, with the field's own type: the parts that hold no schema.
fn serde<T: DeserializeOwned>(value: Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

/// `null` is absent, as serde reads an `Option` field.
fn optional<T>(value: Value, read: impl FnOnce(Value) -> Option<T>) -> Option<Option<T>> {
    match value {
        Value::Null => Some(None),
        value => read(value).map(Some),
    }
}

/// `example` and `default`: any value, `null` meaning none.
fn present(value: Value) -> Option<Value> {
    (!value.is_null()).then_some(value)
}

fn object(value: Value) -> Option<Object> {
    match value {
        Value::Object(fields) => Some(fields),
        _ => None,
    }
}

fn array(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(values) => Some(values),
        _ => None,
    }
}

fn string(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

fn boolean(value: Value) -> Option<bool> {
    value.as_bool()
}

fn number(value: Value) -> Option<Number> {
    match value {
        Value::Number(number) => Some(number),
        _ => None,
    }
}

/// A `usize` keyword: a non-negative integer, not `1.0`.
fn size(value: Value) -> Option<usize> {
    value.as_u64().and_then(|n| usize::try_from(n).ok())
}

// `list` and `map` allocate their exact length up front, as serde does: collecting through
// `Option` would grow by doubling, and on GitHub's spec the slack alone was 15 MiB.

fn list<T>(value: Value, read: impl Fn(Value) -> Option<T>) -> Option<Vec<T>> {
    let values = array(value)?;
    let mut items = Vec::with_capacity(values.len());
    for value in values {
        items.push(read(value)?);
    }
    Some(items)
}

fn map<T>(value: Value, read: impl Fn(Value) -> Option<T>) -> Option<IndexMap<String, T>> {
    let fields = object(value)?;
    let mut items = IndexMap::with_capacity(fields.len());
    for (key, value) in fields {
        items.insert(key, read(value)?);
    }
    Some(items)
}
