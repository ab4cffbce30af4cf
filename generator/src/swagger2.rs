//! Swagger 2.0 to OpenAPI 3.0, JSON to JSON, before the first stage reads the document, so every
//! later stage sees OpenAPI 3.0.
//!
//! | Swagger 2.0 | OpenAPI 3.0 |
//! |---|---|
//! | `host`, `basePath`, `schemes` | `servers` (one per scheme; `https` when none is given) |
//! | `definitions`, `parameters`, `responses` | `components` (`$ref`s rewritten) |
//! | `securityDefinitions` (`basic`, `apiKey`, `oauth2` flows) | `components/securitySchemes` |
//! | `in: body` | `requestBody`, one media type per `consumes` (JSON when none) |
//! | `in: formData` (`type: file`) | a form (`multipart/form-data` when a file or `consumes` asks for it) |
//! | a response's `schema` and `examples` | `content`, one media type per `produces` |
//! | `type`, `format`, `items`, ... of a parameter or header | its `schema` |
//! | `collectionFormat` `csv`, `ssv`, `pipes`, `multi` | `style` and `explode` (`tsv`: sent as `csv`, with a warning) |
//! | `x-nullable`, `x-example`, `discriminator: name`, `type: file` | `nullable`, `example`, `discriminator: {propertyName}`, binary string |
//!
//! Anything dropped is a warning at its Swagger 2.0 pointer, and [`Origins`] lead diagnostics
//! about converted parts back to where they were written.

use serde_json::{Map, Value, json};

use crate::diagnostics::{Origins, Sink};
use crate::pointer;

/// Whether the text may declare `swagger: "2.0"`: a cheap scan that keeps OpenAPI 3 specs from
/// being read twice. It may be wrong only towards yes (the document is then read and checked):
/// 4 of the 2,640 corpus specs match, each quoting a 2.0 document in an example.
pub fn may_declare_swagger(text: &str) -> bool {
    memchr::memmem::find_iter(text.as_bytes(), "swagger").any(|at| {
        let rest = text[at + 7..].trim_start_matches(['"', '\'', ' ', '\t']);
        rest.strip_prefix(':').is_some_and(|value| value.trim_start_matches(['"', '\'', ' ', '\t']).starts_with('2'))
    })
}

/// Converts the Swagger 2.0 document `doc` (the spec `file`) to OpenAPI 3.0 in place. Warnings go
/// to `sink`; the result locates converted parts in the original.
pub fn convert(file: &str, doc: &mut Value, sink: &mut Sink) -> Origins {
    let Value::Object(old) = std::mem::take(doc) else { return Origins::default() };
    let mut converter = Converter {
        file: file.to_owned(),
        sink,
        consumes: strings(old.get("consumes")),
        produces: strings(old.get("produces")),
        parameters: old.get("parameters").and_then(Value::as_object).cloned().unwrap_or_default(),
        origins: Origins::default(),
    };
    *doc = Value::Object(converter.document(old));
    converter.origins
}

struct Converter<'s> {
    file: String,
    sink: &'s mut Sink,
    /// The document's default request and response media types.
    consumes: Vec<String>,
    produces: Vec<String>,
    /// The document's `parameters`, to find what a `$ref` to a body or form parameter holds.
    parameters: Map<String, Value>,
    origins: Origins,
}

/// The Swagger 2.0 keys a parameter of `in: query|header|path` moves into its `schema`.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

impl Converter<'_> {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.sink.warning(pointer, message);
    }

    fn moved(&mut self, at: &str, from: &str) {
        self.origins.add(at, &self.file, from);
    }

    fn document(&mut self, old: Map<String, Value>) -> Map<String, Value> {
        let mut new = Map::new();
        new.insert("openapi".to_owned(), json!("3.0.3"));
        let mut components = Map::new();
        let servers = servers(&old);
        for (key, value) in old {
            let at = pointer::push("", &key);
            match key.as_str() {
                "swagger" | "host" | "basePath" | "schemes" | "consumes" | "produces" => {}
                "info" | "tags" | "externalDocs" | "security" => {
                    new.insert(key, value);
                }
                "paths" => {
                    if !servers.is_empty() {
                        new.insert("servers".to_owned(), Value::Array(servers.clone()));
                    }
                    new.insert(key, self.paths(value));
                }
                "definitions" => {
                    let schemas = self.each(value, &at, |this, schema, at| this.schema(schema, at));
                    self.moved("/components/schemas", &at);
                    components.insert("schemas".to_owned(), schemas);
                }
                "parameters" => {
                    let parameters = self.component_parameters(value, &at);
                    self.moved("/components/parameters", &at);
                    components.insert("parameters".to_owned(), parameters);
                }
                "responses" => {
                    let produces = self.produces.clone();
                    let responses = self.each(value, &at, |this, response, at| this.response(response, at, &produces));
                    self.moved("/components/responses", &at);
                    components.insert("responses".to_owned(), responses);
                }
                "securityDefinitions" => {
                    let schemes = self.security_schemes(value, &at);
                    self.moved("/components/securitySchemes", &at);
                    components.insert("securitySchemes".to_owned(), schemes);
                }
                _ if key.starts_with("x-") => {
                    new.insert(key, value);
                }
                _ => self.warn(&at, format!("`{key}` has no OpenAPI 3.0 form; dropped")),
            }
        }
        if !new.contains_key("servers") && !servers.is_empty() {
            new.insert("servers".to_owned(), Value::Array(servers));
        }
        if !components.is_empty() {
            new.insert("components".to_owned(), Value::Object(components));
        }
        new
    }

    /// `value`'s members, each converted by `convert`; extensions are kept as they are.
    fn each(&mut self, value: Value, at: &str, mut convert: impl FnMut(&mut Self, Value, &str) -> Value) -> Value {
        let Value::Object(members) = value else { return value };
        let converted = members
            .into_iter()
            .map(|(key, member)| {
                let member =
                    if key.starts_with("x-") { member } else { convert(self, member, &pointer::push(at, &key)) };
                (key, member)
            })
            .collect();
        Value::Object(converted)
    }

    /// The document's `parameters` that stay parameters; body and form parameters are copied into
    /// the operations that refer to them, since 3.0 has no component of a single form field.
    fn component_parameters(&mut self, value: Value, at: &str) -> Value {
        let Value::Object(members) = value else { return value };
        let mut kept = Map::new();
        for (name, parameter) in members {
            let at = pointer::push(at, &name);
            if matches!(parameter.get("in").and_then(Value::as_str), Some("body" | "formData")) {
                continue;
            }
            kept.insert(name, self.parameter(parameter, &at));
        }
        Value::Object(kept)
    }

    fn paths(&mut self, value: Value) -> Value {
        let Value::Object(paths) = value else { return value };
        let converted = paths
            .into_iter()
            .map(|(path, item)| {
                let item =
                    if path.starts_with("x-") { item } else { self.path_item(item, &pointer::push("/paths", &path)) };
                (path, item)
            })
            .collect();
        Value::Object(converted)
    }

    fn path_item(&mut self, value: Value, at: &str) -> Value {
        let Value::Object(item) = value else { return value };
        // Body and form parameters of the path item move into each operation's request body.
        let mut shared = Vec::new();
        if let Some(Value::Array(parameters)) = item.get("parameters") {
            for (i, parameter) in parameters.iter().enumerate() {
                let at = pointer::push(&pointer::push(at, "parameters"), &i.to_string());
                shared.push((self.deref_parameter(parameter), at));
            }
        }
        let mut new = Map::new();
        for (key, value) in item {
            let member_at = pointer::push(at, &key);
            match key.as_str() {
                "parameters" => {
                    let kept = self.plain_parameters(&shared);
                    if !kept.is_empty() {
                        new.insert(key, Value::Array(kept));
                    }
                }
                method if METHODS.contains(&method) => {
                    let operation = self.operation(value, &member_at, &shared);
                    new.insert(key, operation);
                }
                _ if key.starts_with("x-") || key == "$ref" => {
                    new.insert(key, value);
                }
                _ => self.warn(&member_at, format!("`{key}` has no OpenAPI 3.0 form; dropped")),
            }
        }
        Value::Object(new)
    }

    /// A parameter, with a `$ref` to a body or form parameter of the document replaced by what
    /// it points to (3.0 has no component of that kind).
    fn deref_parameter(&self, parameter: &Value) -> Value {
        let target = parameter
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix("#/parameters/"))
            .map(pointer::decode_ref_token)
            .and_then(|name| self.parameters.get(&name));
        match target {
            Some(target) if matches!(target.get("in").and_then(Value::as_str), Some("body" | "formData")) => {
                target.clone()
            }
            _ => parameter.clone(),
        }
    }

    /// The parameters of `list` that stay parameters (not body or form), converted.
    fn plain_parameters(&mut self, list: &[(Value, String)]) -> Vec<Value> {
        let mut kept = Vec::new();
        for (parameter, at) in list {
            if !matches!(parameter.get("in").and_then(Value::as_str), Some("body" | "formData")) {
                kept.push(self.parameter(parameter.clone(), at));
            }
        }
        kept
    }

    fn operation(&mut self, value: Value, at: &str, shared: &[(Value, String)]) -> Value {
        let Value::Object(operation) = value else { return value };
        let consumes = operation.get("consumes").map_or_else(|| self.consumes.clone(), |c| strings(Some(c)));
        let produces = operation.get("produces").map_or_else(|| self.produces.clone(), |p| strings(Some(p)));
        let mut parameters: Vec<(Value, String)> = Vec::new();
        if let Some(Value::Array(list)) = operation.get("parameters") {
            for (i, parameter) in list.iter().enumerate() {
                let at = pointer::push(&pointer::push(at, "parameters"), &i.to_string());
                parameters.push((self.deref_parameter(parameter), at));
            }
        }
        // The operation's parameters override the path item's of the same name and location.
        let key = |p: &Value| (p.get("name").cloned(), p.get("in").cloned(), p.get("$ref").cloned());
        let mut all: Vec<(Value, String)> =
            shared.iter().filter(|(s, _)| !parameters.iter().any(|(p, _)| key(p) == key(s))).cloned().collect();
        all.extend(parameters.iter().cloned());

        let mut new = Map::new();
        for (key, value) in operation {
            let member_at = pointer::push(at, &key);
            match key.as_str() {
                "consumes" | "produces" => {}
                "parameters" => {
                    // The path item's own parameters stay on the path item.
                    let kept = self.plain_parameters(&parameters);
                    if !kept.is_empty() {
                        new.insert(key, Value::Array(kept));
                    }
                }
                "responses" => {
                    let responses =
                        self.each(value, &member_at, |this, response, at| this.response(response, at, &produces));
                    new.insert(key, responses);
                }
                "tags" | "summary" | "description" | "externalDocs" | "operationId" | "deprecated" | "security" => {
                    new.insert(key, value);
                }
                _ if key.starts_with("x-") => {
                    new.insert(key, value);
                }
                _ => self.warn(&member_at, format!("`{key}` has no OpenAPI 3.0 form; dropped")),
            }
        }
        // Key order: the request body follows the parameters.
        if let Some(body) = self.request_body(&all, &consumes, at) {
            let mut ordered = Map::new();
            let mut body = Some(body);
            for (key, value) in new {
                let after = key == "parameters";
                ordered.insert(key, value);
                if after {
                    ordered.insert("requestBody".to_owned(), body.take().unwrap_or_default());
                }
            }
            if let Some(body) = body {
                ordered.insert("requestBody".to_owned(), body);
            }
            new = ordered;
        }
        Value::Object(new)
    }

    /// The request body made of the operation's `in: body` parameter or its `in: formData` ones.
    fn request_body(&mut self, parameters: &[(Value, String)], consumes: &[String], at: &str) -> Option<Value> {
        let body_at = pointer::push(at, "requestBody");
        let located = |kind: &'static str| {
            parameters.iter().filter(move |(p, _)| p.get("in").and_then(Value::as_str) == Some(kind))
        };
        if let Some((body, from)) = located("body").next() {
            let schema = self.schema(body.get("schema").cloned().unwrap_or(json!({})), &pointer::push(from, "schema"));
            let types = if consumes.is_empty() { vec!["application/json".to_owned()] } else { consumes.to_vec() };
            let example = body.get("x-example");
            let content: Map<String, Value> = types
                .iter()
                .map(|media| {
                    let mut entry = json!({ "schema": schema });
                    if let (Some(entry), Some(example)) = (entry.as_object_mut(), example) {
                        entry.insert("example".to_owned(), example.clone());
                    }
                    (media.clone(), entry)
                })
                .collect();
            let mut request = Map::new();
            if let Some(description) = body.get("description") {
                request.insert("description".to_owned(), description.clone());
            }
            request.insert("content".to_owned(), Value::Object(content));
            if body.get("required") == Some(&Value::Bool(true)) {
                request.insert("required".to_owned(), Value::Bool(true));
            }
            self.moved(&body_at, from);
            for (media, _) in types.iter().zip(0..) {
                let schema_at = pointer::push(&pointer::push(&pointer::push(&body_at, "content"), media), "schema");
                self.moved(&schema_at, &pointer::push(from, "schema"));
            }
            if located("formData").next().is_some() {
                self.warn(at, "`in: formData` parameters beside an `in: body` parameter are dropped");
            }
            return Some(Value::Object(request));
        }
        let fields: Vec<&(Value, String)> = located("formData").collect();
        if fields.is_empty() {
            return None;
        }
        let mut properties = Map::new();
        let mut origins = Vec::new();
        let mut required = Vec::new();
        let mut has_file = false;
        for (field, from) in fields {
            let Some(name) = field.get("name").and_then(Value::as_str) else {
                self.warn(from, "a form parameter without a `name` is dropped");
                continue;
            };
            has_file |= field.get("type").and_then(Value::as_str) == Some("file");
            if field.get("required") == Some(&Value::Bool(true)) {
                required.push(Value::String(name.to_owned()));
            }
            let format = field.get("collectionFormat").and_then(Value::as_str);
            if format.is_some_and(|format| format != "multi")
                && field.get("type").and_then(Value::as_str) == Some("array")
            {
                self.warn(
                    &pointer::push(from, "collectionFormat"),
                    format!(
                        "`collectionFormat: {}` of a form field is not kept; its items are sent as repeated fields",
                        format.unwrap_or_default()
                    ),
                );
            }
            let mut schema = self.parameter_schema(field, from);
            if let Some(description) = field.get("description") {
                schema.insert("description".to_owned(), description.clone());
            }
            properties.insert(name.to_owned(), Value::Object(schema));
            origins.push((name.to_owned(), from.clone()));
        }
        let media = consumes
            .iter()
            .find(|media| {
                let media = media.as_str();
                media.starts_with("multipart/form-data")
                    || !has_file && media.starts_with("application/x-www-form-urlencoded")
            })
            .cloned()
            .unwrap_or_else(|| {
                if has_file { "multipart/form-data" } else { "application/x-www-form-urlencoded" }.to_owned()
            });
        let mut schema = Map::new();
        schema.insert("type".to_owned(), json!("object"));
        schema.insert("properties".to_owned(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".to_owned(), Value::Array(required));
        }
        let properties_at = pointer::push(&pointer::push(&pointer::push(&body_at, "content"), &media), "schema");
        for (name, from) in origins {
            self.moved(&pointer::push(&pointer::push(&properties_at, "properties"), &name), &from);
        }
        Some(json!({ "content": { media: { "schema": schema } }, "required": true }))
    }

    /// An `in: query|header|path` parameter: its type keywords move into `schema`, its
    /// `collectionFormat` becomes `style` and `explode`.
    fn parameter(&mut self, value: Value, at: &str) -> Value {
        let Value::Object(old) = &value else { return value };
        if let Some(reference) = old.get("$ref").and_then(Value::as_str) {
            return json!({ "$ref": rewrite_ref(reference) });
        }
        let location = old.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut new = Map::new();
        for key in ["name", "in", "description", "required", "deprecated", "allowEmptyValue"] {
            if let Some(member) = old.get(key) {
                new.insert(key.to_owned(), member.clone());
            }
        }
        let is_array = old.get("type").and_then(Value::as_str) == Some("array");
        if is_array {
            let format = old.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
            self.collection_format(&mut new, format, &location, &pointer::push(at, "collectionFormat"));
        }
        new.insert("schema".to_owned(), Value::Object(self.parameter_schema(&value, at)));
        if let Some(example) = old.get("x-example") {
            new.insert("example".to_owned(), example.clone());
        }
        for (key, member) in old {
            if key.starts_with("x-") && key != "x-example" && key != "x-nullable" {
                new.insert(key.clone(), member.clone());
            }
        }
        self.moved(&pointer::push(at, "schema"), at);
        Value::Object(new)
    }

    /// `style` and `explode` for an array parameter sent in `location` with `format`.
    fn collection_format(&mut self, new: &mut Map<String, Value>, format: &str, location: &str, at: &str) {
        let query = location == "query";
        let (style, explode) = match format {
            "csv" => (if query { "form" } else { "simple" }, false),
            "multi" if query => ("form", true),
            "ssv" if query => ("spaceDelimited", false),
            "pipes" if query => ("pipeDelimited", false),
            "tsv" => {
                self.warn(at, "`collectionFormat: tsv` has no OpenAPI 3.0 form; sent comma-separated (`csv`)");
                (if query { "form" } else { "simple" }, false)
            }
            other => {
                self.warn(
                    at,
                    format!("`collectionFormat: {other}` is not possible in {location}; sent comma-separated (`csv`)"),
                );
                (if query { "form" } else { "simple" }, false)
            }
        };
        new.insert("style".to_owned(), json!(style));
        new.insert("explode".to_owned(), json!(explode));
    }

    /// The schema of a Swagger 2.0 parameter, header or `items`: its type keywords.
    fn parameter_schema(&mut self, value: &Value, at: &str) -> Map<String, Value> {
        let mut schema = Map::new();
        for key in SCHEMA_KEYS {
            let Some(member) = value.get(*key) else { continue };
            let member = match *key {
                "items" => Value::Object(self.parameter_schema(member, &pointer::push(at, "items"))),
                _ => member.clone(),
            };
            schema.insert((*key).to_owned(), member);
        }
        if schema.get("type").and_then(Value::as_str) == Some("file") {
            schema.insert("type".to_owned(), json!("string"));
            schema.insert("format".to_owned(), json!("binary"));
        }
        if value.get("x-nullable") == Some(&Value::Bool(true)) {
            schema.insert("nullable".to_owned(), Value::Bool(true));
        }
        schema
    }

    /// A schema: `$ref`s to the document's parts rewritten, and the 2.0 spellings of 3.0
    /// keywords (`x-nullable`, `x-example`, `type: file`, a discriminator's property name).
    fn schema(&mut self, value: Value, at: &str) -> Value {
        let Value::Object(old) = value else { return value };
        let mut new = Map::new();
        for (key, member) in old {
            let member_at = pointer::push(at, &key);
            let member = match key.as_str() {
                "$ref" => match member.as_str() {
                    Some(reference) => Value::String(rewrite_ref(reference)),
                    None => member,
                },
                "properties" => self.each(member, &member_at, |this, schema, at| this.schema(schema, at)),
                "items" | "additionalProperties" | "not" => match member {
                    Value::Array(items) => Value::Array(self.schema_list(items, &member_at)),
                    member => self.schema(member, &member_at),
                },
                "allOf" | "anyOf" | "oneOf" => match member {
                    Value::Array(items) => Value::Array(self.schema_list(items, &member_at)),
                    member => member,
                },
                "discriminator" => match member {
                    Value::String(name) => json!({ "propertyName": name }),
                    member => member,
                },
                "x-nullable" => {
                    if member == Value::Bool(true) {
                        new.insert("nullable".to_owned(), Value::Bool(true));
                    }
                    continue;
                }
                "x-example" => {
                    new.entry("example").or_insert(member);
                    continue;
                }
                _ => member,
            };
            new.insert(key, member);
        }
        if new.get("type").and_then(Value::as_str) == Some("file") {
            new.insert("type".to_owned(), json!("string"));
            new.insert("format".to_owned(), json!("binary"));
        }
        Value::Object(new)
    }

    fn schema_list(&mut self, items: Vec<Value>, at: &str) -> Vec<Value> {
        items.into_iter().enumerate().map(|(i, item)| self.schema(item, &pointer::push(at, &i.to_string()))).collect()
    }

    /// A response: its `schema` becomes `content` for each of `produces` (JSON when none), with
    /// the matching `examples` entry as the media type's example; its headers get schemas.
    fn response(&mut self, value: Value, at: &str, produces: &[String]) -> Value {
        let Value::Object(old) = value else { return value };
        if let Some(reference) = old.get("$ref").and_then(Value::as_str) {
            return json!({ "$ref": rewrite_ref(reference) });
        }
        let mut new = Map::new();
        new.insert("description".to_owned(), old.get("description").cloned().unwrap_or(json!("")));
        if let Some(Value::Object(headers)) = old.get("headers") {
            let mut converted = Map::new();
            for (name, header) in headers {
                let header_at = pointer::push(&pointer::push(at, "headers"), name);
                let mut new_header = Map::new();
                if let Some(description) = header.get("description") {
                    new_header.insert("description".to_owned(), description.clone());
                }
                new_header.insert("schema".to_owned(), Value::Object(self.parameter_schema(header, &header_at)));
                self.moved(&pointer::push(&header_at, "schema"), &header_at);
                converted.insert(name.clone(), Value::Object(new_header));
            }
            new.insert("headers".to_owned(), Value::Object(converted));
        }
        if let Some(schema) = old.get("schema") {
            let schema_from = pointer::push(at, "schema");
            let schema = self.schema(schema.clone(), &schema_from);
            let types = if produces.is_empty() { vec!["application/json".to_owned()] } else { produces.to_vec() };
            let mut content = Map::new();
            for media in types {
                let mut entry = Map::new();
                entry.insert("schema".to_owned(), schema.clone());
                if let Some(example) = old.get("examples").and_then(|examples| examples.get(&media)) {
                    entry.insert("example".to_owned(), example.clone());
                    // Examples are checked against their types: a warning names the 2.0 place.
                    let example_at = pointer::push(&pointer::push(&pointer::push(at, "content"), &media), "example");
                    self.moved(&example_at, &pointer::push(&pointer::push(at, "examples"), &media));
                }
                let schema_at = pointer::push(&pointer::push(&pointer::push(at, "content"), &media), "schema");
                self.moved(&schema_at, &schema_from);
                content.insert(media, Value::Object(entry));
            }
            new.insert("content".to_owned(), Value::Object(content));
        }
        if let Some(Value::Object(examples)) = old.get("examples") {
            let content = new.get("content").and_then(Value::as_object);
            for media in examples.keys().filter(|media| !content.is_some_and(|c| c.contains_key(*media))) {
                let at = pointer::push(&pointer::push(at, "examples"), media);
                let why = match content {
                    Some(_) => format!("an example of `{media}`, which the response does not produce; dropped"),
                    None => "an example of a response without a `schema`; dropped".to_owned(),
                };
                self.sink.warning(&at, why);
            }
        }
        for (key, member) in old {
            if key.starts_with("x-") {
                new.insert(key, member);
            }
        }
        Value::Object(new)
    }

    fn security_schemes(&mut self, value: Value, at: &str) -> Value {
        let Value::Object(definitions) = value else { return value };
        let mut schemes = Map::new();
        for (name, definition) in definitions {
            let at = pointer::push(at, &name);
            if let Some(scheme) = self.security_scheme(&definition, &at) {
                schemes.insert(name, scheme);
            }
        }
        Value::Object(schemes)
    }

    fn security_scheme(&mut self, definition: &Value, at: &str) -> Option<Value> {
        let kind = definition.get("type").and_then(Value::as_str).unwrap_or_default();
        let mut scheme = match kind {
            "basic" => json!({ "type": "http", "scheme": "basic" }),
            "apiKey" => json!({ "type": "apiKey", "name": definition.get("name"), "in": definition.get("in") }),
            "oauth2" => {
                let flow = definition.get("flow").and_then(Value::as_str).unwrap_or_default();
                let (name, urls): (&str, &[&str]) = match flow {
                    "implicit" => ("implicit", &["authorizationUrl"]),
                    "password" => ("password", &["tokenUrl"]),
                    "application" => ("clientCredentials", &["tokenUrl"]),
                    "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    _ => {
                        self.warn(
                            &pointer::push(at, "flow"),
                            format!("unknown OAuth2 flow `{flow}`; security scheme dropped"),
                        );
                        return None;
                    }
                };
                let mut converted = Map::new();
                for url in urls {
                    converted.insert((*url).to_owned(), definition.get(*url).cloned().unwrap_or(json!("")));
                }
                converted.insert("scopes".to_owned(), definition.get("scopes").cloned().unwrap_or(json!({})));
                json!({ "type": "oauth2", "flows": { name: converted } })
            }
            _ => {
                self.warn(at, format!("unknown security scheme type `{kind}`; dropped"));
                return None;
            }
        };
        if let (Some(object), Some(description)) = (scheme.as_object_mut(), definition.get("description")) {
            object.insert("description".to_owned(), description.clone());
        }
        Some(scheme)
    }
}

/// `servers` from `host`, `basePath` and `schemes`: one per scheme (`https` when none is given);
/// the base path alone when there is no host.
fn servers(doc: &Map<String, Value>) -> Vec<Value> {
    let base_path = doc.get("basePath").and_then(Value::as_str).unwrap_or_default().trim_end_matches('/');
    let Some(host) = doc.get("host").and_then(Value::as_str) else {
        return if base_path.is_empty() { Vec::new() } else { vec![json!({ "url": base_path })] };
    };
    let mut schemes = strings(doc.get("schemes"));
    if schemes.is_empty() {
        schemes.push("https".to_owned());
    }
    schemes.iter().map(|scheme| json!({ "url": format!("{scheme}://{host}{base_path}") })).collect()
}

/// A list of strings (`consumes`, `produces`, `schemes`); anything else is none.
fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
}

/// A `$ref` to a Swagger 2.0 part rewritten to where 3.0 keeps it.
fn rewrite_ref(reference: &str) -> String {
    for (old, new) in [
        ("#/definitions/", "#/components/schemas/"),
        ("#/parameters/", "#/components/parameters/"),
        ("#/responses/", "#/components/responses/"),
    ] {
        if let Some(rest) = reference.strip_prefix(old) {
            return format!("{new}{rest}");
        }
    }
    reference.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(doc: Value) -> (Value, Vec<String>) {
        let mut doc = doc;
        let mut sink = Sink::new("s.json");
        convert("s.json", &mut doc, &mut sink);
        let warnings = sink.finish().unwrap().iter().map(|w| format!("{}: {}", w.pointer, w.message)).collect();
        (doc, warnings)
    }

    /// Parts of the wrong shape are left for later stages to report; nothing panics.
    #[test]
    fn misshapen_documents_convert_without_panicking() {
        let hostile = [
            json!({"swagger": "2.0", "paths": [], "definitions": 5, "parameters": "x", "responses": {"a": 1},
                "securityDefinitions": {"a": [], "b": {"type": "oauth2"}}, "host": 3, "schemes": "https"}),
            json!({"swagger": "2.0", "paths": {"/a": {"get": 3, "parameters": {}, "put": {"parameters": [1, {"in": "body"},
                {"in": "formData"}, {"$ref": 7}], "responses": {"200": {"schema": 1, "headers": 2, "examples": 3}}}}}}),
            json!({"swagger": "2.0", "paths": {"/a": {"post": {"consumes": "x", "parameters": [{"in": "query", "type": "array",
                "collectionFormat": 9}, {"in": "path", "type": "array", "collectionFormat": "multi"}]}}}}),
        ];
        for doc in hostile {
            let text = doc.to_string();
            let _ = crate::generate(
                text.as_str(),
                &crate::Options {
                    spec_path: "s.json".to_owned(),
                    crate_name: "s".to_owned(),
                    command: "test".to_owned(),
                },
            );
            converted(doc);
        }
    }

    #[test]
    fn the_scan_finds_a_swagger_version() {
        assert!(may_declare_swagger(r#"{"swagger": "2.0"}"#));
        assert!(may_declare_swagger("swagger: '2.0'\n"));
        assert!(!may_declare_swagger("openapi: 3.0.0\ninfo: {description: a swagger document}\n"));
    }

    #[test]
    fn servers_come_from_host_base_path_and_schemes() {
        let (doc, _) = converted(json!({"swagger": "2.0", "host": "api.example.com", "basePath": "/v1/",
            "schemes": ["http", "https"], "paths": {}}));
        assert_eq!(
            doc["servers"],
            json!([{"url": "http://api.example.com/v1"}, {"url": "https://api.example.com/v1"}])
        );
        let (doc, _) = converted(json!({"swagger": "2.0", "basePath": "/v2", "paths": {}}));
        assert_eq!(doc["servers"], json!([{"url": "/v2"}]));
    }

    #[test]
    fn collection_formats_become_styles_and_tsv_is_warned_about() {
        let parameter = |name: &str, format: &str| json!({"name": name, "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": format});
        let (doc, warnings) = converted(json!({"swagger": "2.0", "paths": {"/a": {"get": {"parameters": [
            parameter("c", "csv"), parameter("m", "multi"), parameter("s", "ssv"), parameter("p", "pipes"),
            parameter("t", "tsv")], "responses": {}}}}}));
        let styles: Vec<(Value, Value)> = doc["paths"]["/a"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["style"].clone(), p["explode"].clone()))
            .collect();
        assert_eq!(
            styles,
            [
                (json!("form"), json!(false)),
                (json!("form"), json!(true)),
                (json!("spaceDelimited"), json!(false)),
                (json!("pipeDelimited"), json!(false)),
                (json!("form"), json!(false)),
            ]
        );
        assert_eq!(
            warnings,
            ["/paths/~1a/get/parameters/4/collectionFormat: `collectionFormat: tsv` has no OpenAPI 3.0 form; \
              sent comma-separated (`csv`)"]
        );
    }

    #[test]
    fn body_and_form_parameters_become_request_bodies() {
        let (doc, _) = converted(json!({"swagger": "2.0", "consumes": ["application/json"], "paths": {"/a": {
            "post": {"parameters": [{"$ref": "#/parameters/Body"}], "responses": {}},
            "put": {"parameters": [{"name": "f", "in": "formData", "type": "file", "required": true},
                {"name": "n", "in": "formData", "type": "string"}], "responses": {}},
            "patch": {"consumes": ["application/x-www-form-urlencoded"],
                "parameters": [{"name": "n", "in": "formData", "type": "integer"}], "responses": {}}}},
            "parameters": {"Body": {"name": "b", "in": "body", "required": true,
                "schema": {"$ref": "#/definitions/T"}, "x-example": {"a": 1}}}}));
        let item = &doc["paths"]["/a"];
        assert_eq!(
            item["post"],
            json!({"responses": {}, "requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/T"}, "example": {"a": 1}}}, "required": true}})
        );
        assert_eq!(
            item["put"]["requestBody"]["content"]["multipart/form-data"]["schema"],
            json!({"type": "object", "properties": {"f": {"type": "string", "format": "binary"}, "n": {"type": "string"}},
                "required": ["f"]})
        );
        let form = &item["patch"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
        assert_eq!(form["properties"], json!({"n": {"type": "integer"}}));
        assert_eq!(doc["components"]["parameters"], json!({}), "a body parameter is no 3.0 component");
    }

    #[test]
    fn a_path_item_keeps_its_parameters_and_lends_its_body_to_each_operation() {
        let (doc, _) = converted(json!({"swagger": "2.0", "paths": {"/a/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"},
                {"name": "b", "in": "body", "schema": {"type": "object"}}],
            "put": {"parameters": [{"name": "q", "in": "query", "type": "string"}], "responses": {}}}}}));
        let item = &doc["paths"]["/a/{id}"];
        assert_eq!(
            item["parameters"],
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
        assert_eq!(item["put"]["parameters"], json!([{"name": "q", "in": "query", "schema": {"type": "string"}}]));
        assert_eq!(
            item["put"]["requestBody"],
            json!({"content": {"application/json": {"schema": {"type": "object"}}}})
        );
    }

    #[test]
    fn schemas_take_their_3_0_spellings() {
        let (doc, _) = converted(json!({"swagger": "2.0", "paths": {}, "definitions": {"P": {"discriminator": "kind",
            "properties": {"n": {"type": "string", "x-nullable": true, "x-example": "x"}, "f": {"type": "file"},
                "c": {"items": {"$ref": "#/definitions/C"}}}}}}));
        assert_eq!(
            doc["components"]["schemas"]["P"],
            json!({"discriminator": {"propertyName": "kind"}, "properties": {
                "n": {"type": "string", "nullable": true, "example": "x"},
                "f": {"type": "string", "format": "binary"},
                "c": {"items": {"$ref": "#/components/schemas/C"}}}})
        );
    }

    #[test]
    fn oauth2_flows_become_3_0_flows() {
        let (doc, warnings) = converted(json!({"swagger": "2.0", "paths": {}, "securityDefinitions": {
            "a": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {"r": "read"}},
            "b": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}},
            "c": {"type": "basic"},
            "d": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "e": {"type": "oauth2", "flow": "device"}}}));
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(
            schemes["a"]["flows"],
            json!({"clientCredentials": {"tokenUrl": "https://t", "scopes": {"r": "read"}}})
        );
        assert_eq!(
            schemes["b"]["flows"],
            json!({"authorizationCode": {"authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}})
        );
        assert_eq!(schemes["c"], json!({"type": "http", "scheme": "basic"}));
        assert_eq!(schemes["d"], json!({"type": "apiKey", "name": "X-Key", "in": "header"}));
        assert_eq!(warnings, ["/securityDefinitions/e/flow: unknown OAuth2 flow `device`; security scheme dropped"]);
    }
}
