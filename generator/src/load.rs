//! Load stage: spec text (JSON or YAML, decided by content) to a JSON value of a supported version,
//! without the parts no later stage reads.

use std::fmt;

use serde::Deserialize;
use serde::de::value::SeqAccessDeserializer;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::diagnostics::{Errors, Sink};

/// The OpenAPI major.minor line a document declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `openapi: 3.0.x`
    V3_0,
    /// `openapi: 3.1.x`
    V3_1,
    /// `openapi: 3.2.x`, rewritten to 3.1 shapes by [`v32`](crate::v32)
    V3_2,
}

/// Parses `text` as JSON when it starts with `{`, else as YAML (with `<<` merge keys applied),
/// and checks the declared OpenAPI version. The parts [`unread`] names are left out of the tree:
/// JSON skips them while parsing, YAML drops them after its merge keys are applied.
pub fn load(file: &str, text: &str) -> Result<(Value, Version), Errors> {
    let text = without_bom(text);
    let value = if is_json(text) {
        json(file, text, Level::Top(None))?
    } else {
        let mut value = yaml(file, text)?;
        if let Some(root) = value.as_object_mut() {
            root.retain(|key, _| !unread(&Level::Top(None), key));
            if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
                components.retain(|key, _| !unread(&Level::Components, key));
            }
        }
        value
    };
    let version = version(file, &value)?;
    Ok((value, version))
}

/// [`load`] for JSON text that hands the raw text of the top-level `paths` member to `paths` as
/// soon as the parser reaches it, instead of building it into the tree, so that the caller can
/// read it on another thread while this one reads the rest. The tree holds an empty `paths`
/// object in its place (and `paths` is called once per `paths` key the text has).
///
/// `None` when the text is not JSON. An error may be worded differently from [`load`]'s (the
/// raw member is scanned, not built), so a caller that reports it loads again with [`load`].
pub fn load_json_split<'t>(
    file: &str,
    text: &'t str,
    paths: &mut dyn FnMut(&'t str),
) -> Option<Result<(Value, Version), Errors>> {
    let text = without_bom(text);
    is_json(text).then(|| {
        let value = json(file, text, Level::Top(Some(paths)))?;
        let version = version(file, &value)?;
        Ok((value, version))
    })
}

/// Parses `text` as JSON or YAML (decided as [`load`] decides) into the whole tree, with no
/// version check and nothing left out: the reader of a file that a spec's `$ref`s point into
/// ([`crate::bundle`]), or of a document about to be converted ([`crate::swagger2`]).
pub fn tree(file: &str, text: &str) -> Result<Value, Errors> {
    let text = without_bom(text);
    if is_json(text) {
        let mut reader = serde_json::Deserializer::from_str(text);
        Value::deserialize(&mut reader).and_then(|value| reader.end().map(|()| value)).map_err(|e| {
            Sink::fatal(file, "", format!("malformed JSON at line {} column {}: {e}", e.line(), e.column()))
        })
    } else {
        yaml(file, text)
    }
}

/// YAML text to JSON, with `<<` merge keys applied.
fn yaml(file: &str, text: &str) -> Result<Value, Errors> {
    let mut yaml: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| Sink::fatal(file, "", format!("malformed YAML: {e}")))?;
    yaml.apply_merge().map_err(|e| Sink::fatal(file, "", format!("invalid YAML merge key: {e}")))?;
    serde_json::to_value(yaml).map_err(|e| Sink::fatal(file, "", format!("YAML cannot be represented as JSON: {e}")))
}

/// Whether `doc` declares Swagger 2.0 (`swagger: "2.0"`), which [`crate::swagger2`] converts to
/// OpenAPI 3.0 before [`load`] reads it; [`load`] itself still refuses any `swagger` document.
pub fn is_swagger2(doc: &Value) -> bool {
    match doc.get("swagger") {
        Some(Value::String(version)) => version == "2.0" || version.starts_with("2.0."),
        Some(Value::Number(version)) => version.as_f64() == Some(2.0),
        _ => false,
    }
}

fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// JSON when it starts with `{` (after a byte-order mark and white space), else YAML.
fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// The whole of `text` read from the `top` level.
fn json<'t>(file: &str, text: &'t str, top: Level<'_, 't>) -> Result<Value, Errors> {
    let mut reader = serde_json::Deserializer::from_str(text);
    top.deserialize(&mut reader)
        .and_then(|value| reader.end().map(|()| value))
        .map_err(|e| Sink::fatal(file, "", format!("malformed JSON at line {} column {}: {e}", e.line(), e.column())))
}

/// Hands the raw text of a JSON member to whoever reads it.
type HandOff<'h, 't> = &'h mut dyn FnMut(&'t str);

/// Where in the document a key sits, for [`unread`]. The top level may hand `paths` off
/// ([`load_json_split`]).
enum Level<'h, 't> {
    Top(Option<HandOff<'h, 't>>),
    Components,
}

/// Keys no later stage reads, so they are never built into the tree. At the top: `webhooks`
/// (requests the server makes; not generated) and extensions (GitHub's `x-webhooks` is 600 kB).
/// In `components`: `examples`, a fifth of GitHub's spec, since example `$ref`s are not followed
/// (documentation shows inline examples only). Whatever they hold is still checked to be JSON.
fn unread(level: &Level, key: &str) -> bool {
    match level {
        Level::Top(_) => key == "webhooks" || key.starts_with("x-"),
        Level::Components => key == "examples",
    }
}

/// Reads a value as `Value` does, except that an object at this level leaves out its [`unread`]
/// keys, and the top level reads `components` at the next level.
impl<'de> DeserializeSeed<'de> for Level<'_, 'de> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Level<'_, 'de> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if unread(&self, &key) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value = match (&mut self, key.as_str()) {
                (Level::Top(_), "components") => map.next_value_seed(Level::Components)?,
                (Level::Top(Some(paths)), "paths") => {
                    paths(map.next_value::<&RawValue>()?.get());
                    Value::Object(Map::new())
                }
                _ => map.next_value()?,
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }

    // Anything else is read as `Value` reads it.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq))
    }

    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(value).map(Value::Number).ok_or_else(|| E::custom("not a JSON number"))
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

fn version(file: &str, doc: &Value) -> Result<Version, Errors> {
    const SUPPORTED: &str = "supported: OpenAPI 3.0.x, 3.1.x and 3.2.x";
    let Some(object) = doc.as_object() else {
        return Err(Sink::fatal(file, "", format!("expected an OpenAPI document (a mapping), found {}", kind(doc))));
    };
    if let Some(swagger) = object.get("swagger") {
        let found = swagger.as_str().map_or_else(|| swagger.to_string(), str::to_owned);
        return Err(Sink::fatal(
            file,
            "/swagger",
            format!("found Swagger {found}; {SUPPORTED} (convert it first, for example with swagger2openapi)"),
        ));
    }
    let Some(openapi) = object.get("openapi") else {
        return Err(Sink::fatal(file, "", format!("no `openapi` version field; {SUPPORTED}")));
    };
    let text = match openapi {
        Value::String(s) => s.clone(),
        // `openapi: 3.0` in YAML is a number.
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    let mut parts = text.split('.');
    match (parts.next(), parts.next()) {
        (Some("3"), Some("0")) => Ok(Version::V3_0),
        (Some("3"), Some("1")) => Ok(Version::V3_1),
        (Some("3"), Some("2")) => Ok(Version::V3_2),
        _ => Err(Sink::fatal(file, "/openapi", format!("found OpenAPI version {text}; {SUPPORTED}"))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_merge_keys_are_applied() {
        // The anchor sits in an extension that is left out: merging comes first.
        let text = "openapi: 3.0.3\nx-base: &b {a: 1}\ninfo:\n  <<: *b\n  c: 2\n";
        let (value, version) = load("s.yaml", text).unwrap();
        assert_eq!(version, Version::V3_0);
        assert_eq!(value["info"], serde_json::json!({"a": 1, "c": 2}));
    }

    #[test]
    fn parts_no_stage_reads_are_left_out_of_json_and_yaml_alike() {
        let json = r#"{"openapi": "3.1.0", "x-top": {"big": [1, 2]}, "webhooks": {"w": {}}, "info": {"x-kept": 1},
            "components": {"examples": {"e": {"value": [1]}}, "schemas": {"S": {"x-kept": 2}}, "x-kept": 3},
            "paths": {"x-kept": 4}}"#;
        let yaml = "openapi: 3.1.0\nx-top: {big: [1, 2]}\nwebhooks: {w: {}}\ninfo: {x-kept: 1}\ncomponents:\n  \
            examples: {e: {value: [1]}}\n  schemas: {S: {x-kept: 2}}\n  x-kept: 3\npaths: {x-kept: 4}\n";
        let expected = serde_json::json!({"openapi": "3.1.0", "info": {"x-kept": 1},
            "components": {"schemas": {"S": {"x-kept": 2}}, "x-kept": 3}, "paths": {"x-kept": 4}});
        for text in [json, yaml] {
            let (value, _) = load("s", text).unwrap();
            assert_eq!(value, expected, "{text}");
            // Key order is kept.
            let keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
            assert_eq!(keys, ["openapi", "info", "components", "paths"]);
        }
    }

    #[test]
    fn unread_parts_must_still_be_json() {
        let err = load("s.json", r#"{"openapi": "3.0.0", "x-a": [1,, 2]}"#).unwrap_err().to_string();
        assert!(err.contains("malformed JSON at line 1 column 32"), "{err}");
        let err = load("s.json", r#"{"openapi": "3.0.0"} trailing"#).unwrap_err().to_string();
        assert!(err.contains("malformed JSON"), "{err}");
        let err = load("s.json", "[1, {\"a\": 2}]").unwrap_err().to_string();
        assert!(err.contains("found a sequence"), "{err}");
    }

    #[test]
    fn content_decides_format_not_extension() {
        let (_, version) = load("s.yaml", r#"{"openapi": "3.1.0"}"#).unwrap();
        assert_eq!(version, Version::V3_1);
    }

    #[test]
    fn swagger_two_is_rejected_with_the_version_found() {
        let err = load("s.json", r#"{"swagger": "2.0"}"#).unwrap_err().to_string();
        assert!(err.contains("found Swagger 2.0"), "{err}");
        assert!(err.contains("3.0.x, 3.1.x and 3.2.x"), "{err}");
    }

    #[test]
    fn unknown_version_is_rejected() {
        let err = load("s.json", r#"{"openapi": "4.0.0"}"#).unwrap_err().to_string();
        assert!(err.contains("s.json#/openapi: found OpenAPI version 4.0.0"), "{err}");
    }
}
