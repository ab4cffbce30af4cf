//! Parse stage: the normalised JSON tree into the `openapiv3` model, with the JSON pointer of
//! any part that does not fit.

use openapiv3::{Header, OpenAPI, Operation, Parameter, PathItem, RequestBody, Response, Schema, SecurityScheme};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diagnostics::{Errors, Sink, pointer_push};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Deserialises `value`; an error names the innermost part of the document that does not fit.
pub fn parse(file: &str, value: &Value) -> Result<OpenAPI, Errors> {
    serde_path_to_error::deserialize::<_, OpenAPI>(value).map_err(|error| {
        // `openapiv3` reads `$ref`-or-item as an untagged enum, where serde gives up at the
        // enclosing map; checking the document part by part finds the real location.
        let (pointer, message) =
            locate(value).unwrap_or_else(|| (pointer_of("", error.path()), error.inner().to_string()));
        Sink::fatal(file, &pointer, format!("not a valid OpenAPI document here: {message}"))
    })
}

/// The first component, path item, operation, parameter, body or response that fails on its own.
fn locate(doc: &Value) -> Option<(String, String)> {
    if let Some(components) = doc.get("components").and_then(Value::as_object) {
        for (kind, entries) in components {
            let Some(entries) = entries.as_object() else { continue };
            for (name, entry) in entries {
                let at = pointer_push(&pointer_push("/components", kind), name);
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
        let item_at = pointer_push("/paths", path);
        if let Some(found) = list::<Parameter>(item.get("parameters"), &pointer_push(&item_at, "parameters")) {
            return Some(found);
        }
        for method in METHODS {
            let Some(operation) = item.get(*method) else { continue };
            let at = pointer_push(&item_at, method);
            let parts = [
                list::<Parameter>(operation.get("parameters"), &pointer_push(&at, "parameters")),
                operation.get("requestBody").and_then(|b| check::<RequestBody>(b, &pointer_push(&at, "requestBody"))),
                operation.get("responses").and_then(Value::as_object).and_then(|responses| {
                    let at = pointer_push(&at, "responses");
                    responses.iter().find_map(|(code, r)| check::<Response>(r, &pointer_push(&at, code)))
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
    items?.as_array()?.iter().enumerate().find_map(|(i, item)| check::<T>(item, &pointer_push(at, &i.to_string())))
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
            serde_path_to_error::Segment::Map { key } => pointer = pointer_push(&pointer, key),
            serde_path_to_error::Segment::Seq { index } => pointer = pointer_push(&pointer, &index.to_string()),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    pointer
}
