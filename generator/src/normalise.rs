//! Normalise stage: rewrites OpenAPI 3.1 (JSON Schema 2020-12) constructs into the 3.0 model that
//! the `openapiv3` crate deserialises, without losing meaning.
//!
//! Every rewrite produces the same tree a 3.0 author would have written, so 3.0 `nullable: true`
//! and the 3.1 spellings lower to identical Rust:
//!
//! | 3.1 form | 3.0 form |
//! |---|---|
//! | `type: [X, 'null']` (any order) | `type: X, nullable: true` |
//! | `type: [X, Y]` | `anyOf: [{type: X}, {type: Y}]` |
//! | `anyOf`/`oneOf` with a `{type: 'null'}` branch and one other branch | that branch, `nullable: true` (a `$ref` branch becomes `allOf: [$ref]`) |
//! | `const: v` | `enum: [v]` |
//! | `examples: [a, …]` | `example: a` |
//! | `exclusiveMinimum: n` | `minimum: n, exclusiveMinimum: true` |
//! | `$ref` with sibling keywords | `allOf: [{$ref}]` plus the siblings |
//! | no `type` but `properties`, `items` or string `enum` | the implied `type` |
//! | `true` / `false` schema | `{}` / `{not: {}}` |
//! | media type `itemSchema` (3.2; FastAPI writes it into 3.1 documents too) | `schema`, `x-item-schema: true` |
//!
//! Keywords 3.0 has no field for (`prefixItems`, `patternProperties`, `contentMediaType`,
//! `contentEncoding`, `contentSchema`, and 3.2's discriminator `defaultMapping`) are kept as the
//! extensions `x-prefix-items`, `x-pattern-properties`, `x-content-media-type`,
//! `x-content-encoding`, `x-content-schema` (normalised like any schema) and
//! `x-default-mapping`, which `openapiv3` preserves for the lowering stage. A 3.2 document was
//! first rewritten by [`v32`](crate::v32); the operations it moves to `x-additional-operations`
//! are normalised like any other.

use serde_json::{Map, Value};

use crate::load::Version;

/// Extension key that carries a 3.1 `prefixItems` list through `openapiv3`.
pub const PREFIX_ITEMS: &str = "x-prefix-items";
/// Extension key that carries a 3.1 `patternProperties` map through `openapiv3`.
pub const PATTERN_PROPERTIES: &str = "x-pattern-properties";
/// Extension key that carries a 3.1 `contentMediaType` through `openapiv3`.
pub const CONTENT_MEDIA_TYPE: &str = "x-content-media-type";
/// Extension key that carries a 3.1 `contentEncoding` through `openapiv3`.
pub const CONTENT_ENCODING: &str = "x-content-encoding";
/// Extension key that carries a 3.1 `contentSchema` (normalised) through `openapiv3`.
pub const CONTENT_SCHEMA: &str = "x-content-schema";
/// Extension key that carries a 3.2 discriminator's `defaultMapping` through `openapiv3`.
pub const DEFAULT_MAPPING: &str = "x-default-mapping";
/// Extension key marking a media type whose `schema` was its `itemSchema`: the schema of each item
/// of a sequential body (an event, a JSON line).
pub const ITEM_SCHEMA: &str = "x-item-schema";

/// Rewrites `doc` in place. 3.0 documents go through the same schema rewrites: they are no-ops on
/// valid 3.0 and repair common slips (a `$ref` with a `nullable` sibling, a missing `type`).
pub fn normalise(doc: &mut Value, version: Version) {
    let Some(root) = doc.as_object_mut() else { return };
    if version != Version::V3_0 && !root.contains_key("paths") {
        // `paths` is optional since 3.1 (a webhooks-only document), required by `openapiv3`.
        root.insert("paths".to_owned(), Value::Object(Map::new()));
    }
    if let Some(schemas) = root.get_mut("components").and_then(|c| c.get_mut("schemas")).and_then(Value::as_object_mut)
    {
        schemas.values_mut().for_each(schema);
    }
    for (key, value) in root.iter_mut() {
        if key != "components" {
            walk(value);
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        for (key, value) in components.iter_mut() {
            if key != "schemas" {
                walk(value);
            }
        }
    }
}

/// Normalises the top-level `paths` member on its own, as [`normalise`] does within the document
/// (for a `paths` read apart from the rest; see `load::load_json_split`).
pub fn normalise_paths(paths: &mut Value) {
    walk(paths);
}

/// Walks a non-schema part of the document and normalises every `schema` it holds.
fn walk(value: &mut Value) {
    match value {
        Value::Object(object) => {
            item_schema(object);
            for (key, child) in object.iter_mut() {
                match key.as_str() {
                    "schema" => schema(child),
                    // Literal data, never a place a schema sits.
                    "example" | "examples" | "default" | "enum" | "const" => {}
                    crate::v32::ADDITIONAL_OPERATIONS => walk(child),
                    k if k.starts_with("x-") => {}
                    _ => walk(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

/// A media type's `itemSchema` (OpenAPI 3.2, which FastAPI also writes into the 3.1 documents it
/// publishes, for server-sent events and JSON Lines) becomes its `schema`, marked with
/// [`ITEM_SCHEMA`], and is then normalised like any schema. Only media types have the key outside
/// schemas and literal data, which are never walked here.
fn item_schema(object: &mut Map<String, Value>) {
    if object.contains_key("schema") {
        return;
    }
    if let Some(item) = object.remove("itemSchema") {
        object.insert("schema".to_owned(), item);
        object.insert(ITEM_SCHEMA.to_owned(), Value::Bool(true));
    }
}

/// Normalises one schema and, first, every subschema inside it.
fn schema(value: &mut Value) {
    if let Value::Bool(accept) = value {
        *value = if *accept { Value::Object(Map::new()) } else { serde_json::json!({"not": {}}) };
        return;
    }
    let Value::Object(object) = value else { return };
    children(object);
    rename(object, "prefixItems", PREFIX_ITEMS);
    rename(object, "patternProperties", PATTERN_PROPERTIES);
    rename(object, "contentMediaType", CONTENT_MEDIA_TYPE);
    rename(object, "contentEncoding", CONTENT_ENCODING);
    rename(object, "contentSchema", CONTENT_SCHEMA);
    if let Some(Value::Object(discriminator)) = object.get_mut("discriminator") {
        rename(discriminator, "defaultMapping", DEFAULT_MAPPING);
    }
    if matches!(object.get("items"), Some(Value::Array(_))) {
        // Draft-4 tuple form `items: [..]` means what 2020-12 spells `prefixItems`.
        if let Some(items) = object.remove("items") {
            object.entry(PREFIX_ITEMS).or_insert(items);
        }
    }
    ref_with_siblings(object);
    type_array(object);
    null_branches(object, "anyOf");
    null_branches(object, "oneOf");
    if let Some(constant) = object.remove("const") {
        if constant.is_null() {
            object.insert("nullable".to_owned(), Value::Bool(true));
        }
        object.entry("enum").or_insert_with(|| Value::Array(vec![constant]));
    }
    if let Some(Value::Array(examples)) = object.get("examples") {
        let first = examples.first().cloned();
        object.remove("examples");
        if let Some(first) = first {
            object.entry("example").or_insert(first);
        }
    }
    for (number, flag) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Number(bound)) = object.get(number) {
            let bound = Value::Number(bound.clone());
            object.insert(flag.to_owned(), bound);
            object.insert(number.to_owned(), Value::Bool(true));
        }
    }
    if object.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().any(Value::is_null)) {
        object.insert("nullable".to_owned(), Value::Bool(true));
    }
    infer_type(object);
}

fn children(object: &mut Map<String, Value>) {
    for (key, child) in object.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(map) = child {
                    map.values_mut().for_each(schema);
                }
            }
            "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "if"
            | "then"
            | "else"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "contentSchema"
            | "additionalItems" => match child {
                Value::Array(list) => list.iter_mut().for_each(schema),
                // `additionalProperties: true` stays a boolean: 3.0 allows it there.
                Value::Bool(_) if key != "items" && key != "not" => {}
                _ => schema(child),
            },
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Value::Array(list) = child {
                    list.iter_mut().for_each(schema);
                }
            }
            _ => {}
        }
    }
}

fn rename(object: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = object.remove(from) {
        object.insert(to.to_owned(), value);
    }
}

/// `{$ref, description, nullable, …}` → `{allOf: [{$ref}], description, nullable, …}`: `openapiv3`
/// would otherwise read it as a bare reference and drop the siblings.
fn ref_with_siblings(object: &mut Map<String, Value>) {
    if object.len() < 2 || !object.contains_key("$ref") {
        return;
    }
    if let Some(reference) = object.remove("$ref") {
        let mut target = Map::new();
        target.insert("$ref".to_owned(), reference);
        let all_of = object.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = all_of {
            list.insert(0, Value::Object(target));
        }
    }
}

fn type_array(object: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = object.get("type") else {
        if object.get("type").and_then(Value::as_str) == Some("null") {
            object.remove("type");
            object.insert("nullable".to_owned(), Value::Bool(true));
        }
        return;
    };
    let nullable = types.iter().any(|t| t.as_str() == Some("null"));
    let mut others: Vec<Value> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
    others.dedup();
    object.remove("type");
    if nullable {
        object.insert("nullable".to_owned(), Value::Bool(true));
    }
    match others.len() {
        0 => {}
        1 => {
            object.insert("type".to_owned(), others.remove(0));
        }
        _ if !object.contains_key("anyOf") => {
            let branches = others.into_iter().map(|t| serde_json::json!({ "type": t })).collect();
            object.insert("anyOf".to_owned(), Value::Array(branches));
        }
        // Both a type list and an anyOf: the anyOf already says more; keep it.
        _ => {}
    }
}

fn is_null_schema(value: &Value) -> bool {
    let Some(object) = value.as_object() else { return false };
    if object.get("type").and_then(Value::as_str) == Some("null") {
        return true;
    }
    let nullable = object.get("nullable") == Some(&Value::Bool(true));
    let only_null = |e: &Value| e.as_array().is_some_and(|v| !v.is_empty() && v.iter().all(Value::is_null));
    // `@fastify/swagger` writes a 3.0 document's `{type: 'null'}` as
    // `{type: 'object', nullable: true, enum: [null]}`: whatever the type, only null is allowed.
    if nullable && object.get("enum").is_some_and(only_null) {
        return true;
    }
    // After normalising: `{nullable: true}` plus only annotations.
    nullable
        && object.keys().all(|k| matches!(k.as_str(), "nullable" | "title" | "description" | "enum"))
        && object.get("enum").is_none_or(only_null)
}

/// Drops `{type: 'null'}` branches of `anyOf`/`oneOf`, marking the schema nullable; a single
/// remaining branch is folded into the schema itself.
fn null_branches(object: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(branches)) = object.get_mut(key) else { return };
    if !branches.iter().any(is_null_schema) {
        return;
    }
    branches.retain(|b| !is_null_schema(b));
    object.insert("nullable".to_owned(), Value::Bool(true));
    let Some(Value::Array(branches)) = object.get(key) else { return };
    if branches.len() != 1 {
        if branches.is_empty() {
            object.remove(key);
        }
        return;
    }
    let structural = ["type", "properties", "items", "allOf", "anyOf", "oneOf", "not", "$ref", "enum"];
    let siblings_structural = object.keys().any(|k| k != key && structural.contains(&k.as_str()));
    let Some(Value::Array(mut branches)) = object.remove(key) else { return };
    let branch = branches.remove(0);
    match branch {
        Value::Object(branch) if branch.contains_key("$ref") || siblings_structural => {
            let all_of = object.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = all_of {
                list.push(Value::Object(branch));
            }
        }
        Value::Object(branch) => {
            for (k, v) in branch {
                object.entry(k).or_insert(v);
            }
        }
        _ => {}
    }
}

fn infer_type(object: &mut Map<String, Value>) {
    if object.contains_key("type") || ["allOf", "anyOf", "oneOf", "not", "$ref"].iter().any(|k| object.contains_key(*k))
    {
        return;
    }
    let inferred = if ["properties", "additionalProperties", "required", PATTERN_PROPERTIES]
        .iter()
        .any(|k| object.contains_key(*k))
    {
        "object"
    } else if object.contains_key("items") || object.contains_key(PREFIX_ITEMS) {
        "array"
    } else if let Some(Value::Array(values)) = object.get("enum") {
        let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if !non_null.is_empty() && non_null.iter().all(|v| v.is_string()) {
            "string"
        } else if !non_null.is_empty() && non_null.iter().all(|v| v.is_boolean()) {
            "boolean"
        } else if !non_null.is_empty() && non_null.iter().all(|v| v.is_i64() || v.is_u64()) {
            "integer"
        } else {
            return;
        }
    } else {
        return;
    };
    object.insert("type".to_owned(), Value::String(inferred.to_owned()));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn norm(mut value: Value) -> Value {
        schema(&mut value);
        value
    }

    #[test]
    fn fastify_null_branch_folds_into_the_schema() {
        let null_branch = json!({"type": "object", "nullable": true, "enum": [null]});
        let color = json!({"anyOf": [{"$ref": "#/components/schemas/def-0"}, null_branch]});
        assert_eq!(norm(color), json!({"allOf": [{"$ref": "#/components/schemas/def-0"}], "nullable": true}));
        // An object that may be null is not a null branch.
        let object = json!({"anyOf": [{"type": "string"}, {"type": "object", "nullable": true}]});
        assert_eq!(norm(object.clone())["anyOf"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn type_arrays_become_nullable_in_any_order() {
        let expected = json!({"type": "string", "nullable": true});
        assert_eq!(norm(json!({"type": ["string", "null"]})), expected);
        assert_eq!(norm(json!({"type": ["null", "string"]})), expected);
    }

    #[test]
    fn null_branch_of_any_of_folds_into_the_schema() {
        let fastapi = json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Label"});
        assert_eq!(norm(fastapi), json!({"type": "string", "nullable": true, "title": "Label"}));
        let reference = json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/A"}]});
        assert_eq!(norm(reference), json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true}));
    }

    #[test]
    fn ref_siblings_are_kept() {
        let value = json!({"$ref": "#/components/schemas/A", "description": "d"});
        assert_eq!(norm(value), json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/A"}]}));
    }

    #[test]
    fn const_examples_and_exclusive_bounds() {
        assert_eq!(norm(json!({"const": "x"})), json!({"enum": ["x"], "type": "string"}));
        assert_eq!(norm(json!({"type": "integer", "examples": [3, 4]})), json!({"type": "integer", "example": 3}));
        assert_eq!(
            norm(json!({"type": "number", "exclusiveMinimum": 0})),
            json!({"type": "number", "exclusiveMinimum": true, "minimum": 0})
        );
    }

    #[test]
    fn nested_schemas_and_media_types_are_reached() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"type": "object", "properties": {"x": {"type": ["integer", "null"]}}},
                "examples": {"one": {"value": {"type": ["kept", "as", "data"]}}}
            }}}}}}}
        });
        normalise(&mut doc, Version::V3_1);
        let media = &doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["schema"]["properties"]["x"], json!({"type": "integer", "nullable": true}));
        assert_eq!(media["examples"]["one"]["value"]["type"], json!(["kept", "as", "data"]));
    }

    #[test]
    fn item_schemas_become_marked_schemas_in_any_version() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/e": {"get": {"responses": {"200": {"content": {
            "text/event-stream": {"itemSchema": {"properties": {"data": {"type": "string",
                "contentMediaType": "application/json", "contentSchema": {"type": ["integer", "null"]}}}}}
        }}}}}}});
        normalise(&mut doc, Version::V3_1);
        let media = &doc["paths"]["/e"]["get"]["responses"]["200"]["content"]["text/event-stream"];
        assert_eq!(media[ITEM_SCHEMA], json!(true));
        assert_eq!(
            media["schema"]["properties"]["data"],
            json!({"type": "string", CONTENT_MEDIA_TYPE: "application/json",
                CONTENT_SCHEMA: {"type": "integer", "nullable": true}})
        );
    }

    #[test]
    fn missing_type_is_inferred() {
        assert_eq!(norm(json!({"properties": {}}))["type"], "object");
        assert_eq!(norm(json!({"items": {}}))["type"], "array");
        assert_eq!(norm(json!({"enum": ["a", null]}))["type"], "string");
        assert!(norm(json!({"description": "anything"})).get("type").is_none());
    }
}
