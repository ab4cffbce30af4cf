//! Parse stage: the normalised JSON tree into the `openapiv3` model, with the JSON pointer of
//! any part that does not fit.

use openapiv3::{
    Header, OpenAPI, Operation, Parameter, PathItem, Paths, RequestBody, Response, Schema, SecurityScheme,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diagnostics::{Errors, Sink};
use crate::pointer;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// How many broken parts [`parse`] replaces before it gives up.
const MAX_REPAIRS: usize = 256;

mod direct;

pub use direct::Read;

/// Reads a document that needs no repair, consuming it: each part of the tree is freed as soon as
/// it has been read, so the tree and the model are never both whole in memory. `None` means the
/// document needs [`parse`] (serde, with repairs), and may just be one [`direct`] was unsure of.
pub fn parse_owned(value: Value) -> Option<Read> {
    direct::read(value)
}

/// [`parse_owned`] for the top-level `paths` member alone (read apart from the rest of the
/// document; see `load::load_json_split`): the paths, and whether a `$ref` in them points beyond
/// whole components. `None` means the document needs [`parse`].
pub fn parse_paths_owned(value: Value) -> Option<(Paths, bool)> {
    direct::read_paths_only(value)
}

/// How the [`direct`] reader fares against `openapiv3`'s serde impls on one tree.
#[derive(Debug, PartialEq, Eq)]
pub enum ReaderCheck {
    /// Both built the same model.
    Same,
    /// The direct reader declined; `serde_ok` says whether serde read the tree.
    Declined { serde_ok: bool },
    /// The direct reader built something serde does not: a bug in [`direct`].
    Differs(String),
}

/// Reads `value` both ways and compares (for the tests and `cargo xtask corpus`). The direct
/// reader must build serde's model or decline; it must never accept what serde rejects.
pub fn check_direct_reader(value: &Value) -> ReaderCheck {
    let by_serde = OpenAPI::deserialize(value).ok();
    match (direct::read(value.clone()).map(|read| read.doc), by_serde) {
        (None, by_serde) => ReaderCheck::Declined { serde_ok: by_serde.is_some() },
        (Some(_), None) => ReaderCheck::Differs("the direct reader accepts what serde rejects".to_owned()),
        (Some(direct), Some(by_serde)) if direct == by_serde => ReaderCheck::Same,
        (Some(direct), Some(by_serde)) => {
            let (direct, by_serde) = (format!("{direct:#?}"), format!("{by_serde:#?}"));
            let line = direct.lines().zip(by_serde.lines()).position(|(a, b)| a != b).unwrap_or(0);
            let around = |text: &str| text.lines().skip(line.saturating_sub(8)).take(10).collect::<Vec<_>>().join("\n");
            ReaderCheck::Differs(format!("direct:\n{}\nserde:\n{}", around(&direct), around(&by_serde)))
        }
    }
}

/// Deserialises `value`. A broken schema (a keyword of the wrong type, say) is replaced by the
/// schema that accepts anything, and `callbacks` that do not parse are removed, each with a
/// warning naming its pointer; any other misfit is an error naming the innermost part of the
/// document that does not fit.
pub fn parse(file: &str, value: &mut Value, sink: &mut Sink) -> Result<OpenAPI, Errors> {
    let mut repaired = Vec::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, OpenAPI>(&*value) {
            Ok(doc) => return Ok(doc),
            Err(error) => error,
        };
        // `openapiv3` reads `$ref`-or-item as an untagged enum, where serde gives up at the
        // enclosing map; checking the document part by part finds the real location.
        let (pointer, message) =
            locate(value).unwrap_or_else(|| (pointer_of("", error.path()), error.inner().to_string()));
        let fatal = || Sink::fatal(file, &pointer, format!("not a valid OpenAPI document here: {message}"));
        if repaired.len() >= MAX_REPAIRS {
            return Err(fatal());
        }
        let Some((changed, warning)) = repair(value, &pointer, &message) else { return Err(fatal()) };
        // The same place again means the repair did not help.
        if repaired.contains(&changed) {
            return Err(fatal());
        }
        sink.warning(&changed, warning);
        repaired.push(changed);
    }
}

/// Makes the part at `pointer` parse, if it is a schema or sits in `callbacks`; returns the
/// pointer of what changed and the warning to give.
fn repair(doc: &mut Value, pointer: &str, message: &str) -> Option<(String, String)> {
    let tokens = pointer::tokens(pointer);
    // `callbacks` of an operation: `/paths/<path>/<method>/callbacks/...`.
    if tokens.len() > 3 && tokens[0] == "paths" && METHODS.contains(&tokens[2].as_str()) && tokens[3] == "callbacks" {
        let owner = pointer::join(&tokens[..3]);
        doc.pointer_mut(&owner)?.as_object_mut()?.remove("callbacks")?;
        let message = format!("callbacks not generated (they describe requests the server makes): {message}");
        return Some((pointer::push(&owner, "callbacks"), message));
    }
    let schema_at = (0..=tokens.len()).rev().find(|&n| is_schema_position(&tokens[..n]))?;
    let mut at = pointer::join(&tokens[..schema_at]);
    // The innermost sub-schema that fails, so as little as possible is lost.
    while let Some(child) = failing_child(doc.pointer(&at)?, &at) {
        at = child;
    }
    let broken = doc.pointer_mut(&at)?;
    let detail = check::<Schema>(broken, &at).map_or_else(|| message.to_owned(), |(_, m)| m);
    // A keyword that only constrains or describes the value goes alone, if that is enough; the
    // type stays. (`openapiv3` reads schemas through untagged enums, so serde cannot say which
    // keyword failed: each is tried.)
    let object = broken.as_object()?;
    let culprit = object.keys().filter(|k| !STRUCTURAL.contains(&k.as_str())).find(|keyword| {
        let mut without = object.clone();
        without.remove(*keyword);
        serde_json::from_value::<Schema>(Value::Object(without)).is_ok()
    });
    if let Some(keyword) = culprit.cloned() {
        broken.as_object_mut()?.remove(&keyword);
        return Some((pointer::push(&at, &keyword), format!("invalid `{keyword}` ignored ({detail})")));
    }
    // A `$ref` stays: in 3.0 its siblings do not count anyway.
    *broken = match broken.get("$ref") {
        Some(reference) => serde_json::json!({ "$ref": reference }),
        None => Value::Object(serde_json::Map::new()),
    };
    Some((at, format!("invalid schema ({detail}); generated as serde_json::Value")))
}

/// Schema keywords that decide the Rust type; a broken one makes the whole schema unusable.
const STRUCTURAL: &[&str] =
    &["type", "properties", "items", "additionalProperties", "allOf", "oneOf", "anyOf", "not", "$ref", "enum"];

/// Whether the reference tokens lead to a schema (as opposed to, say, a parameter).
fn is_schema_position(tokens: &[String]) -> bool {
    let [.., parent, last] = tokens else { return false };
    match parent.as_str() {
        "properties" => return true,
        "schemas" => return tokens.len() == 3 && tokens[0] == "components",
        "allOf" | "oneOf" | "anyOf" => return last.parse::<usize>().is_ok(),
        _ => {}
    }
    matches!(last.as_str(), "schema" | "items" | "not" | "additionalProperties")
}

/// The first sub-schema of the schema at `at` that fails to parse on its own.
fn failing_child(schema: &Value, at: &str) -> Option<String> {
    let object = schema.as_object()?;
    let mut children = Vec::new();
    for (name, child) in object.get("properties").and_then(Value::as_object).into_iter().flatten() {
        children.push((pointer::push(&pointer::push(at, "properties"), name), child));
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, child) in object.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            children.push((pointer::push(&pointer::push(at, key), &i.to_string()), child));
        }
    }
    for key in ["items", "not", "additionalProperties"] {
        if let Some(child) = object.get(key).filter(|c| c.is_object()) {
            children.push((pointer::push(at, key), child));
        }
    }
    children.into_iter().find(|(pointer, child)| check::<Schema>(child, pointer).is_some()).map(|(pointer, _)| pointer)
}

/// The first component, path item, operation, parameter, body or response that fails on its own.
fn locate(doc: &Value) -> Option<(String, String)> {
    if let Some(components) = doc.get("components").and_then(Value::as_object) {
        for (kind, entries) in components {
            let Some(entries) = entries.as_object() else { continue };
            for (name, entry) in entries {
                let at = pointer::push(&pointer::push("/components", kind), name);
                let found = match kind.as_str() {
                    "schemas" => check::<Schema>(entry, &at),
                    "parameters" => check::<Parameter>(entry, &at),
                    "responses" => check::<Response>(entry, &at),
                    "requestBodies" => check::<RequestBody>(entry, &at),
                    "headers" => check::<Header>(entry, &at),
                    "securitySchemes" => check::<SecurityScheme>(entry, &at),
                    _ => None,
                };
                if found.is_some() {
                    return found;
                }
            }
        }
    }
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let item_at = pointer::push("/paths", path);
        if let Some(found) = list::<Parameter>(item.get("parameters"), &pointer::push(&item_at, "parameters")) {
            return Some(found);
        }
        for method in METHODS {
            let Some(operation) = item.get(*method) else { continue };
            let at = pointer::push(&item_at, method);
            let parts = [
                list::<Parameter>(operation.get("parameters"), &pointer::push(&at, "parameters")),
                operation.get("requestBody").and_then(|b| check::<RequestBody>(b, &pointer::push(&at, "requestBody"))),
                operation.get("responses").and_then(Value::as_object).and_then(|responses| {
                    let at = pointer::push(&at, "responses");
                    responses.iter().find_map(|(code, r)| check::<Response>(r, &pointer::push(&at, code)))
                }),
                check::<Operation>(operation, &at),
            ];
            if let Some(found) = parts.into_iter().flatten().next() {
                return Some(found);
            }
        }
        if let Some(found) = check::<PathItem>(item, &item_at) {
            return Some(found);
        }
    }
    None
}

fn list<T: DeserializeOwned>(items: Option<&Value>, at: &str) -> Option<(String, String)> {
    items?.as_array()?.iter().enumerate().find_map(|(i, item)| check::<T>(item, &pointer::push(at, &i.to_string())))
}

/// Deserialises one part (references are left to the lowering stage).
fn check<T: DeserializeOwned>(value: &Value, at: &str) -> Option<(String, String)> {
    if value.get("$ref").is_some() {
        return None;
    }
    serde_path_to_error::deserialize::<_, T>(value).err().map(|e| (pointer_of(at, e.path()), e.inner().to_string()))
}

fn pointer_of(base: &str, path: &serde_path_to_error::Path) -> String {
    let mut pointer = base.to_owned();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Map { key } => pointer = pointer::push(&pointer, key),
            serde_path_to_error::Segment::Seq { index } => pointer = pointer::push(&pointer, &index.to_string()),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;

    #[test]
    fn the_direct_reader_builds_serdes_model_for_every_fixture_and_spec() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["tests/fixtures", "tests/fixtures/errors", "spec/truedy", "spec/kathan"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json" || e == "yaml") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 15, "{files:?}");
        let mut same = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(value) = crate::normalised_tree("spec", &text) else { continue };
            match check_direct_reader(&value) {
                ReaderCheck::Same => same += 1,
                // The repair fixtures and the broken ones: serde decides, and reports.
                ReaderCheck::Declined { serde_ok: false } => {}
                other => panic!("{}: {other:?}", path.display()),
            }
        }
        assert!(same > 12, "{same}");
    }

    #[test]
    fn refs_beyond_parsed_components_are_noticed() {
        let doc = |schema: Value, item: Value| {
            json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/a": item, "/b": {"get": {"responses": {"200": {"description": "ok",
                    "content": {"application/json": {"schema": schema}}}}}}},
                "components": {"schemas": {"S": {}, "A": {"$ref": "#/components/schemas/S"}}}})
        };
        let beyond = |schema: Value, item: Value| direct::read(doc(schema, item)).unwrap().refs_beyond_components;
        let plain_item = json!({"parameters": [{"$ref": "#/components/parameters/P"}]});
        assert!(!beyond(json!({"$ref": "#/components/schemas/A"}), plain_item.clone()));
        assert!(!beyond(json!({"items": {"$ref": "#/components/schemas/S"}, "type": "array"}), plain_item.clone()));
        for schema in [
            json!({"$ref": "#/paths/~1a/get"}),
            json!({"$ref": "#/components/schemas/S/properties/a"}),
            json!({"$ref": "#/components/examples/E"}),
            json!({"$ref": "#/components/responses/R"}),
            json!({"x-prefix-items": [{"$ref": "#/paths/~1c"}]}),
        ] {
            assert!(beyond(schema.clone(), plain_item.clone()), "{schema}");
        }
        assert!(beyond(json!({}), json!({"$ref": "#/components/pathItems/I"})));
        // Header `$ref`s are never resolved.
        let headers = json!({"get": {"responses": {"200": {"description": "ok",
            "headers": {"H": {"$ref": "#/paths/~1b/get/responses/200/headers/X"}}}}}});
        assert!(!beyond(json!({}), headers));
    }

    /// Every corner of `openapiv3`'s serde impls the direct reader reproduces: `null` as absent,
    /// ignored and `x-` keys, status code keys, parameter styles per location, the first of
    /// `schema` and `content`, and schemas that are typed, untyped or `Any`.
    #[test]
    fn the_direct_reader_matches_serde_on_the_corners() {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1", "x-i": 1}, "x-top": true, "unknown": 1,
            "servers": [{"url": "https://a"}], "tags": [{"name": "a"}], "security": null,
            "externalDocs": {"url": "https://d"},
            "paths": {
                "x-paths": 1, "ignored": 2,
                "/a": {
                    "summary": null, "post": null,
                    "parameters": [{"$ref": "#/components/parameters/P", "description": "ignored"}],
                    "get": {
                        "tags": ["t"], "operationId": "a", "deprecated": true, "security": [{"k": []}],
                        "parameters": [
                            {"name": "q", "in": "query", "style": "deepObject", "explode": true, "allowReserved": true,
                             "allowEmptyValue": null, "schema": {"type": "object", "additionalProperties": true}},
                            {"name": "h", "in": "header", "allowReserved": "unchecked",
                             "content": {"application/json": {"schema": {"type": "string"}}}, "schema": {"type": "integer"}},
                            {"name": "p", "in": "path", "required": true, "style": "label",
                             "schema": {"type": "string", "enum": ["a", null]}, "example": null, "x-p": [1]},
                            {"name": "c", "in": "cookie", "schema": {"$ref": "#/components/schemas/S"},
                             "examples": {"e": {"value": 1}}}
                        ],
                        "requestBody": {"required": true, "content": {"multipart/form-data": {
                            "schema": {"type": "object", "properties": {"f": {"type": "string", "format": "binary"}}},
                            "encoding": {"f": {"contentType": "image/png"}}}}},
                        "responses": {
                            "200": {"description": "ok", "links": {},
                                "headers": {"H": {"schema": {"type": "integer", "minimum": 1}, "style": "simple"},
                                            "R": {"$ref": "#/components/headers/H"}},
                                "content": {"application/json": {"example": [1], "schema":
                                    {"type": "array", "items": {"type": "number", "enum": [1, 2.5]}, "uniqueItems": true}}}},
                            "2XX": {"description": "range"}, "4xx": {"$ref": "#/components/responses/R"},
                            "default": {"description": "d"}, "x-r": 1, "999": {"description": "x"},
                            "1000": {"bad": 1}, "099": {"bad": 1}, "abc": {"bad": 1}, "+12": {"bad": 1}
                        },
                        "callbacks": {"cb": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}}}
                    }
                }
            },
            "components": {
                "schemas": {
                    "S": {"type": "string", "format": "date-time", "nullable": true, "readOnly": true, "default": null,
                          "example": "x", "title": "T", "deprecated": false, "x-s": {"a": 1}},
                    "N": {"type": "number", "minimum": 0, "maximum": 1.5, "exclusiveMaximum": true, "multipleOf": 0.5},
                    "I": {"type": "integer", "format": "int64", "minimum": -3, "enum": [1, -2, null]},
                    "IntegerWithFraction": {"type": "integer", "minimum": 1.5},
                    "IntegerEnumWithFraction": {"type": "integer", "enum": [1.5]},
                    "B": {"type": "boolean", "enum": [true]},
                    "StringEnumOfNumbers": {"type": "string", "enum": [1]},
                    "O": {"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/components/schemas/S"}},
                          "minProperties": 1, "additionalProperties": {"type": "string"},
                          "discriminator": {"propertyName": "a"}},
                    "ObjectWithItems": {"type": "object", "items": {"type": "string"}},
                    "A": {"type": "array", "items": {"$ref": "#/components/schemas/O"}, "minItems": 0, "maxItems": 3},
                    "One": {"oneOf": [{"$ref": "#/components/schemas/S"}, {"type": "integer"}]},
                    "OneTyped": {"type": "object", "oneOf": [{"type": "integer"}]},
                    "OneDescribed": {"oneOf": [{"type": "integer"}], "description": "still oneOf"},
                    "All": {"allOf": [{"$ref": "#/components/schemas/O"}], "properties": {"b": {}}},
                    "AnyOf": {"anyOf": [{}, {"nullable": true}]},
                    "Not": {"not": {"type": "string"}},
                    "Empty": {},
                    "Unknown": {"type": "file", "maxLength": 3},
                    "Nulls": {"type": null, "items": null, "format": null, "oneOf": null},
                    "Ref": {"$ref": "#/components/schemas/S", "description": "ignored"}
                },
                "parameters": {"P": {"name": "p", "in": "query", "schema": {"type": "string"}}},
                "responses": {"R": {"description": "r", "content": {}}},
                "requestBodies": {"B": {"content": {"text/plain": {}}}},
                "headers": {"H": {"schema": {"type": "string"}, "x-h": 1}},
                "securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "k"}},
                "examples": {"e": {"value": 1}}, "links": {}, "callbacks": {}, "x-c": 1
            }
        });
        assert_eq!(check_direct_reader(&doc), ReaderCheck::Same);

        let with = |pointer: &str, part: Value| {
            let mut doc = json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}});
            *doc.pointer_mut(pointer).unwrap() = part;
            doc
        };
        let get = "/paths/~1a/get";
        let rejected = [
            with("/paths/~1a/get/responses/200", json!({})),
            with(get, json!({"parameters": [{"name": "a", "in": 5, "schema": {}}], "responses": {}})),
            with(get, json!({"parameters": [{"name": "a", "in": "query"}], "responses": {}})),
            with(
                get,
                json!({"parameters": [{"name": "a", "in": "path", "style": "form", "schema": {}}], "responses": {}}),
            ),
            with(get, json!({"summary": 3, "responses": {}})),
            with(get, json!({})),
            with("/info", json!(null)),
        ];
        for doc in rejected {
            assert_eq!(check_direct_reader(&doc), ReaderCheck::Declined { serde_ok: false }, "{doc}");
        }
        let schema = |schema: Value| {
            with(
                "/paths/~1a/get/responses/200",
                json!({"description": "ok",
            "content": {"application/json": {"schema": schema}}}),
            )
        };
        for bad in [json!({"minLength": 1.5}), json!({"nullable": "yes"}), json!({"items": [{}]}), json!(true)] {
            assert_eq!(check_direct_reader(&schema(bad.clone())), ReaderCheck::Declined { serde_ok: false }, "{bad}");
        }
        // A `$ref` that is not a string: serde reads the object as an item; the direct reader
        // leaves that to serde.
        for odd in [schema(json!({"$ref": 5, "type": "string"})), with("/paths", json!({"/a": {"$ref": 3}}))] {
            assert_eq!(check_direct_reader(&odd), ReaderCheck::Declined { serde_ok: true }, "{odd}");
        }
        for fine in [json!({"enum": []}), json!({"type": "integer", "minimum": -1, "maximum": 9007199254740993u64})] {
            assert_eq!(check_direct_reader(&schema(fine.clone())), ReaderCheck::Same, "{fine}");
        }
    }

    #[test]
    fn schema_positions() {
        for schema in [
            "/components/schemas/A",
            "/components/schemas/A/properties/items",
            "/components/schemas/A/allOf/0",
            "/paths/~1a/get/parameters/0/schema",
            "/components/schemas/A/items",
        ] {
            assert!(is_schema_position(&pointer::tokens(schema)), "{schema}");
        }
        for other in ["/paths/~1a/get/parameters/0", "/components/schemas", "/components/schemas/A/allOf"] {
            assert!(!is_schema_position(&pointer::tokens(other)), "{other}");
        }
    }

    #[test]
    fn repairs_remove_only_the_broken_keyword() {
        let mut doc = json!({"components": {"schemas": {"A": {"type": "object", "properties": {
            "t": {"type": "string", "pattern": 0, "description": "kept"}}}}}});
        let (pointer, message) = repair(&mut doc, "/components/schemas/A", "x").unwrap();
        assert_eq!(pointer, "/components/schemas/A/properties/t/pattern");
        assert!(message.starts_with("invalid `pattern` ignored"), "{message}");
        assert_eq!(
            doc.pointer("/components/schemas/A/properties/t"),
            Some(&json!({"type": "string", "description": "kept"}))
        );
    }

    #[test]
    fn a_broken_structural_keyword_empties_the_schema_but_keeps_a_ref() {
        let mut doc = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/B", "allOf": {"3": {}}}}}});
        let (pointer, _) = repair(&mut doc, "/components/schemas/A", "x").unwrap();
        assert_eq!(pointer, "/components/schemas/A");
        assert_eq!(doc.pointer(pointer.as_str()), Some(&json!({"$ref": "#/components/schemas/B"})));
    }

    #[test]
    fn outside_schemas_nothing_is_repaired() {
        let mut doc = json!({"paths": {"/a": {"get": {"parameters": [{"in": 5}]}}}});
        assert_eq!(repair(&mut doc, "/paths/~1a/get/parameters/0", "x"), None);
    }
}
