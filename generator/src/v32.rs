//! OpenAPI 3.2 to the 3.1 shapes the rest of the pipeline reads, run on the JSON tree before
//! [`normalise`](crate::normalise) (which then treats the document as 3.1).
//!
//! | 3.2 form | becomes |
//! |---|---|
//! | path item `query`, `additionalOperations` | `x-additional-operations: {METHOD: operation}` |
//! | parameter `in: querystring` (one schema for the whole query string) | `in: query`, `style: form`, `explode: true` and its `content`'s schema (`x-querystring` keeps the media type) |
//! | media type `$ref` to `components/mediaTypes` | the referenced media type, copied |
//! | example `dataValue` | `value` (`serializedValue` is dropped) |
//! | response `summary` | the first paragraph of its `description` (which 3.2 makes optional) |
//! | tag `summary`, `parent`, `kind` | `x-summary`, `x-parent`, `x-kind` (shown in operation docs) |
//! | OAuth2 `deviceAuthorization` flow, `oauth2MetadataUrl` | `x-device-authorization`, `x-oauth2-metadata-url` (the client takes tokens as for any flow) |
//! | `$self` | dropped (references are resolved within the document) |
//! | security requirement naming a scheme by reference (`#/components/securitySchemes/x`) | by name (`x`) |
//! | discriminator `defaultMapping` | `x-default-mapping` (in [`normalise`](crate::normalise), which finds schemas) |
//! | media type `itemSchema` | `schema` plus `x-item-schema: true` (in [`normalise`](crate::normalise), for every version: FastAPI writes it into 3.1 documents) |
//!
//! Other 3.2 additions that change nothing a client sends or reads are dropped with a warning at
//! their pointer: media type `itemEncoding`/`prefixEncoding`, server `name`, security scheme
//! `deprecated`, parameter `style: cookie` (sent as `form`). A 3.2 document is never refused for
//! them.

use serde_json::{Map, Value};

use crate::pointer;

/// Extension key of a path item's operations beyond the eight fixed methods, by HTTP method.
pub const ADDITIONAL_OPERATIONS: &str = "x-additional-operations";
/// Extension key of a query parameter that is the whole query string (its media type).
pub const QUERYSTRING: &str = "x-querystring";
/// Extension key of a tag's 3.2 `summary`.
pub const TAG_SUMMARY: &str = "x-summary";
/// Extension key of a tag's 3.2 `parent`.
pub const TAG_PARENT: &str = "x-parent";

/// The fixed methods of a path item (3.2 adds `query`, moved to [`ADDITIONAL_OPERATIONS`]).
const FIXED_METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// A warning found while rewriting: (JSON pointer, message).
pub type Warning = (String, String);

/// Rewrites a 3.2 document in place into 3.1 shapes; returns what was dropped, by pointer.
pub fn downgrade(doc: &mut Value) -> Vec<Warning> {
    let mut rewriter = Rewriter::default();
    let Some(root) = doc.as_object_mut() else { return Vec::new() };
    root.remove("$self");
    rewriter.media_types = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|c| c.remove("mediaTypes"))
        .and_then(|m| match m {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .unwrap_or_default();
    if let Some(Value::Array(tags)) = root.get_mut("tags") {
        tags.iter_mut().filter_map(Value::as_object_mut).for_each(tag);
    }
    rewriter.servers(root, "");
    security(root);
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        for (key, item) in paths.iter_mut() {
            rewriter.path_item(item, &pointer::push("/paths", key));
        }
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        rewriter.components(components);
    }
    rewriter.warnings
}

/// Security requirements may name a scheme by its reference in 3.2: each becomes the scheme's name.
fn security(owner: &mut Map<String, Value>) {
    let Some(Value::Array(requirements)) = owner.get_mut("security") else { return };
    for requirement in requirements.iter_mut().filter_map(Value::as_object_mut) {
        if !requirement.keys().any(|k| k.starts_with("#/components/securitySchemes/")) {
            continue;
        }
        *requirement = std::mem::take(requirement)
            .into_iter()
            .map(|(name, scopes)| match name.strip_prefix("#/components/securitySchemes/") {
                Some(scheme) => (pointer::decode_ref_token(scheme), scopes),
                None => (name, scopes),
            })
            .collect();
    }
}

/// A tag's 3.2 fields become extensions.
fn tag(tag: &mut Map<String, Value>) {
    for (field, extension) in [("summary", TAG_SUMMARY), ("parent", TAG_PARENT), ("kind", "x-kind")] {
        rename(tag, field, extension);
    }
}

fn rename(object: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = object.remove(from) {
        object.insert(to.to_owned(), value);
    }
}

/// Whether `method` is an HTTP method token (RFC 9110 `tchar`s), which `reqwest` can send.
pub fn is_method_token(method: &str) -> bool {
    !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[derive(Default)]
struct Rewriter {
    /// `components/mediaTypes`, for media type `$ref`s.
    media_types: Map<String, Value>,
    warnings: Vec<Warning>,
}

impl Rewriter {
    fn warn(&mut self, at: &str, message: impl Into<String>) {
        self.warnings.push((at.to_owned(), message.into()));
    }

    /// Drops `field` of `object` (at `at`) with a warning saying why that is harmless.
    fn drop_field(&mut self, object: &mut Map<String, Value>, at: &str, field: &str, why: &str) {
        if object.remove(field).is_some() {
            self.warn(&pointer::push(at, field), format!("OpenAPI 3.2 `{field}` is ignored: {why}"));
        }
    }

    fn servers(&mut self, object: &mut Map<String, Value>, at: &str) {
        let Some(Value::Array(servers)) = object.get_mut("servers") else { return };
        let at = pointer::push(at, "servers");
        let mut dropped = Vec::new();
        for (i, server) in servers.iter_mut().enumerate() {
            if let Some(server) = server.as_object_mut()
                && server.remove("name").is_some()
            {
                dropped.push(pointer::push(&pointer::push(&at, &i.to_string()), "name"));
            }
        }
        for at in dropped {
            self.warn(&at, "OpenAPI 3.2 `name` is ignored: a server is chosen by its URL");
        }
    }

    fn components(&mut self, components: &mut Map<String, Value>) {
        let each = |components: &mut Map<String, Value>, key: &str| -> Vec<(String, Value)> {
            match components.get_mut(key) {
                Some(Value::Object(map)) => std::mem::take(map).into_iter().collect(),
                _ => Vec::new(),
            }
        };
        type Rewrite = fn(&mut Rewriter, &mut Value, &str);
        let kinds: [(&str, Rewrite); 6] = [
            ("parameters", Rewriter::parameter),
            ("requestBodies", Rewriter::request_body),
            ("responses", Rewriter::response),
            ("headers", Rewriter::header),
            ("securitySchemes", Rewriter::security_scheme),
            ("pathItems", Rewriter::path_item),
        ];
        for (kind, rewrite) in kinds {
            let mut items = each(components, kind);
            let at = pointer::push("/components", kind);
            for (name, item) in &mut items {
                rewrite(self, item, &pointer::push(&at, name));
            }
            if let Some(Value::Object(map)) = components.get_mut(kind) {
                map.extend(items);
            }
        }
    }

    /// A path item (also one a callback holds): `query` and `additionalOperations` join the
    /// extension of additional operations, and every operation is rewritten.
    fn path_item(&mut self, item: &mut Value, at: &str) {
        let Some(item) = item.as_object_mut() else { return };
        if item.contains_key("$ref") {
            return;
        }
        let mut additional = Map::new();
        if let Some(query) = item.remove("query") {
            additional.insert("QUERY".to_owned(), query);
        }
        match item.remove("additionalOperations") {
            Some(Value::Object(operations)) => {
                let at = pointer::push(at, "additionalOperations");
                for (method, operation) in operations {
                    let here = pointer::push(&at, &method);
                    if !is_method_token(&method) {
                        self.warn(&here, "not an HTTP method name; the operation is left out");
                    } else if FIXED_METHODS.contains(&method.to_ascii_lowercase().as_str())
                        || method.eq_ignore_ascii_case("query")
                    {
                        self.warn(
                            &here,
                            format!("`{method}` has its own field in a path item; the operation is left out"),
                        );
                    } else {
                        additional.insert(method, operation);
                    }
                }
            }
            Some(_) => self.warn(&pointer::push(at, "additionalOperations"), "not a mapping; left out"),
            None => {}
        }
        self.servers(item, at);
        for method in FIXED_METHODS {
            if let Some(operation) = item.get_mut(method) {
                self.operation(operation, &pointer::push(at, method));
            }
        }
        for (method, operation) in additional.iter_mut() {
            let here = if method == "QUERY" {
                pointer::push(at, "query")
            } else {
                pointer::push(&pointer::push(at, "additionalOperations"), method)
            };
            self.operation(operation, &here);
        }
        if !additional.is_empty() {
            item.insert(ADDITIONAL_OPERATIONS.to_owned(), Value::Object(additional));
        }
        self.parameters(item, at);
    }

    fn operation(&mut self, operation: &mut Value, at: &str) {
        let Some(operation) = operation.as_object_mut() else { return };
        security(operation);
        self.parameters(operation, at);
        self.servers(operation, at);
        if let Some(body) = operation.get_mut("requestBody") {
            self.request_body(body, &pointer::push(at, "requestBody"));
        }
        if let Some(Value::Object(responses)) = operation.get_mut("responses") {
            let at = pointer::push(at, "responses");
            for (status, response) in responses.iter_mut() {
                self.response(response, &pointer::push(&at, status));
            }
        }
        if let Some(Value::Object(callbacks)) = operation.get_mut("callbacks") {
            let at = pointer::push(at, "callbacks");
            for (name, callback) in callbacks.iter_mut() {
                let at = pointer::push(&at, name);
                if let Some(callback) = callback.as_object_mut() {
                    for (expression, item) in callback.iter_mut() {
                        self.path_item(item, &pointer::push(&at, expression));
                    }
                }
            }
        }
    }

    fn parameters(&mut self, owner: &mut Map<String, Value>, at: &str) {
        let Some(Value::Array(parameters)) = owner.get_mut("parameters") else { return };
        let at = pointer::push(at, "parameters");
        for (i, parameter) in parameters.iter_mut().enumerate() {
            self.parameter(parameter, &pointer::push(&at, &i.to_string()));
        }
    }

    fn parameter(&mut self, parameter: &mut Value, at: &str) {
        let Some(object) = parameter.as_object_mut() else { return };
        if object.contains_key("$ref") {
            return;
        }
        if object.get("in").and_then(Value::as_str) == Some("querystring") {
            self.querystring(object, at);
        }
        if object.get("style").and_then(Value::as_str) == Some("cookie") {
            object.insert("style".to_owned(), Value::String("form".to_owned()));
            self.warn(
                &pointer::push(at, "style"),
                "OpenAPI 3.2 `style: cookie` is sent as `style: form` (the same for scalar values)",
            );
        }
        self.examples(object, at);
        self.content(object, at);
    }

    /// `in: querystring` with `content: {media: {schema}}` → a form-style exploded query
    /// parameter of that schema: an object's properties become the query string's pairs.
    fn querystring(&mut self, object: &mut Map<String, Value>, at: &str) {
        object.insert("in".to_owned(), Value::String("query".to_owned()));
        object.insert("style".to_owned(), Value::String("form".to_owned()));
        object.insert("explode".to_owned(), Value::Bool(true));
        let Some(Value::Object(content)) = object.remove("content") else {
            if !object.contains_key("schema") {
                self.warn(at, "a `querystring` parameter without `content`; sent as a string");
                object.insert("schema".to_owned(), serde_json::json!({"type": "string"}));
            }
            return;
        };
        let Some((media, mut media_object)) = content.into_iter().next() else { return };
        if media.split(';').next().is_none_or(|m| m.trim() != "application/x-www-form-urlencoded") {
            self.warn(
                &pointer::push(&pointer::push(at, "content"), &media),
                format!("the query string is sent as form fields, not as `{media}`"),
            );
        }
        let schema = media_object.as_object_mut().and_then(|m| m.remove("schema")).unwrap_or(Value::Object(Map::new()));
        object.insert("schema".to_owned(), schema);
        object.insert(QUERYSTRING.to_owned(), Value::String(media));
    }

    fn request_body(&mut self, body: &mut Value, at: &str) {
        if let Some(body) = body.as_object_mut() {
            self.content(body, at);
        }
    }

    /// A response: its `summary` leads its `description` (required before 3.2).
    fn response(&mut self, response: &mut Value, at: &str) {
        let Some(object) = response.as_object_mut() else { return };
        if object.contains_key("$ref") {
            return;
        }
        let summary = object.remove("summary").and_then(|s| s.as_str().map(str::to_owned));
        let description = object.get("description").and_then(Value::as_str).map(str::to_owned);
        let merged = match (summary, description) {
            (Some(summary), Some(description))
                if !description.trim().is_empty() && summary.trim() != description.trim() =>
            {
                format!("{summary}\n\n{description}")
            }
            (Some(summary), _) => summary,
            (None, Some(description)) => description,
            (None, None) => String::new(),
        };
        object.insert("description".to_owned(), Value::String(merged));
        if let Some(Value::Object(headers)) = object.get_mut("headers") {
            let at = pointer::push(at, "headers");
            for (name, header) in headers.iter_mut() {
                self.header(header, &pointer::push(&at, name));
            }
        }
        self.content(object, at);
    }

    fn header(&mut self, header: &mut Value, at: &str) {
        if let Some(header) = header.as_object_mut() {
            self.examples(header, at);
            self.content(header, at);
        }
    }

    /// `content`'s media types: references to `components/mediaTypes` are copied in, and what
    /// no client needs is dropped with a warning.
    fn content(&mut self, owner: &mut Map<String, Value>, at: &str) {
        let Some(Value::Object(content)) = owner.get_mut("content") else { return };
        let at = pointer::push(at, "content");
        for (media, entry) in content.iter_mut() {
            let here = pointer::push(&at, media);
            if let Some(reference) = entry.get("$ref").and_then(Value::as_str) {
                let name = reference.strip_prefix("#/components/mediaTypes/").map(pointer::decode_ref_token);
                match name.and_then(|name| self.media_types.get(&name)) {
                    Some(target) => *entry = target.clone(),
                    None => {
                        self.warn(&here, format!("media type reference {reference:?} not found; the body is untyped"));
                        *entry = Value::Object(Map::new());
                    }
                }
            }
            let Some(media_object) = entry.as_object_mut() else { continue };
            for field in ["itemEncoding", "prefixEncoding"] {
                self.drop_field(media_object, &here, field, "items are encoded by their media type");
            }
            self.examples(media_object, &here);
        }
    }

    /// Example objects: `dataValue` is the value shown; `serializedValue` is dropped.
    fn examples(&mut self, owner: &mut Map<String, Value>, _at: &str) {
        let Some(Value::Object(examples)) = owner.get_mut("examples") else { return };
        for example in examples.values_mut() {
            let Some(example) = example.as_object_mut() else { continue };
            if let Some(data) = example.remove("dataValue") {
                example.entry("value").or_insert(data);
            }
            example.remove("serializedValue");
        }
    }

    fn security_scheme(&mut self, scheme: &mut Value, at: &str) {
        let Some(scheme) = scheme.as_object_mut() else { return };
        rename(scheme, "oauth2MetadataUrl", "x-oauth2-metadata-url");
        if let Some(Value::Object(flows)) = scheme.get_mut("flows") {
            rename(flows, "deviceAuthorization", "x-device-authorization");
        }
        self.drop_field(scheme, at, "deprecated", "credentials are configured by the caller");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn additional_operations_and_query_join_one_extension() {
        let mut doc = json!({"openapi": "3.2.0", "$self": "https://example.com/api", "paths": {"/a": {
            "query": {"responses": {"200": {"summary": "Found"}}, "security": [{"#/components/securitySchemes/a~1b": []}]},
            "additionalOperations": {"COPY": {"responses": {}}, "GET": {}, "BAD METHOD": {}}
        }}});
        let warnings = downgrade(&mut doc);
        let item = &doc["paths"]["/a"];
        assert_eq!(item[ADDITIONAL_OPERATIONS]["QUERY"]["responses"]["200"], json!({"description": "Found"}));
        assert_eq!(item[ADDITIONAL_OPERATIONS]["QUERY"]["security"], json!([{"a/b": []}]));
        assert!(item[ADDITIONAL_OPERATIONS].get("COPY").is_some());
        assert!(doc.get("$self").is_none());
        let pointers: Vec<&str> = warnings.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/paths/~1a/additionalOperations/GET", "/paths/~1a/additionalOperations/BAD METHOD"]);
    }

    #[test]
    fn querystring_becomes_an_exploded_form_query_parameter() {
        let mut parameter = json!({"name": "filter", "in": "querystring",
            "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/F"}}}});
        let mut rewriter = Rewriter::default();
        rewriter.parameter(&mut parameter, "/p");
        assert_eq!(
            parameter,
            json!({"name": "filter", "in": "query", "style": "form", "explode": true,
                "schema": {"$ref": "#/components/schemas/F"}, QUERYSTRING: "application/x-www-form-urlencoded"})
        );
        assert!(rewriter.warnings.is_empty());
    }

    #[test]
    fn item_schemas_examples_and_media_type_references() {
        let mut doc = json!({"openapi": "3.2.0",
            "components": {"mediaTypes": {"Lines": {"itemSchema": {"type": "integer"}, "itemEncoding": {}}},
                "responses": {"R": {"description": "d", "content": {
                    "application/jsonl": {"$ref": "#/components/mediaTypes/Lines"},
                    "application/json": {"examples": {"e": {"dataValue": [1], "serializedValue": "[1]"}}}}}}}});
        let warnings = downgrade(&mut doc);
        let content = &doc["components"]["responses"]["R"]["content"];
        assert_eq!(content["application/jsonl"], json!({"itemSchema": {"type": "integer"}}));
        assert_eq!(content["application/json"]["examples"]["e"], json!({"value": [1]}));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].0, "/components/responses/R/content/application~1jsonl/itemEncoding");
        assert!(doc["components"].get("mediaTypes").is_none());
    }
}
