//! Load stage: spec text (JSON or YAML, decided by content) to a JSON value of a supported version.

use serde_json::Value;

use crate::diagnostics::{Errors, Sink};

/// The OpenAPI major.minor line a document declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `openapi: 3.0.x`
    V3_0,
    /// `openapi: 3.1.x`
    V3_1,
}

/// Parses `text` as JSON when it starts with `{`, else as YAML (with `<<` merge keys applied),
/// and checks the declared OpenAPI version.
pub fn load(file: &str, text: &str) -> Result<(Value, Version), Errors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(text).map_err(|e| {
            Sink::fatal(file, "", format!("malformed JSON at line {} column {}: {e}", e.line(), e.column()))
        })?
    } else {
        let mut yaml: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| Sink::fatal(file, "", format!("malformed YAML: {e}")))?;
        yaml.apply_merge().map_err(|e| Sink::fatal(file, "", format!("invalid YAML merge key: {e}")))?;
        serde_json::to_value(yaml)
            .map_err(|e| Sink::fatal(file, "", format!("YAML cannot be represented as JSON: {e}")))?
    };
    let version = version(file, &value)?;
    Ok((value, version))
}

fn version(file: &str, doc: &Value) -> Result<Version, Errors> {
    const SUPPORTED: &str = "supported: OpenAPI 3.0.x and 3.1.x";
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
        let text = "openapi: 3.0.3\nx-base: &b {a: 1}\nx-merged:\n  <<: *b\n  c: 2\n";
        let (value, version) = load("s.yaml", text).unwrap();
        assert_eq!(version, Version::V3_0);
        assert_eq!(value["x-merged"], serde_json::json!({"a": 1, "c": 2}));
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
        assert!(err.contains("3.0.x and 3.1.x"), "{err}");
    }

    #[test]
    fn unknown_version_is_rejected() {
        let err = load("s.json", r#"{"openapi": "4.0.0"}"#).unwrap_err().to_string();
        assert!(err.contains("s.json#/openapi: found OpenAPI version 4.0.0"), "{err}");
    }
}
