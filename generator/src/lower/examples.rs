//! The spec's examples, checked against the types lowering gave them.
//!
//! Every example (a schema's `example`, nested ones in its properties and items, a parameter's
//! `example`/`examples`, a JSON request or response body's `example`/`examples`) is matched to the
//! Rust type of its place and checked structurally, the way serde would read it with the
//! generated derives: where it would not deserialise, or would not serialise back to the same
//! JSON (a property the type does not have is dropped), generation warns at the example's
//! pointer. Each example is also kept in [`Api::examples`](crate::ir::Api::examples), and those
//! whose type is more than a plain scalar become tests in the generated crate (`emit::examples`),
//! so `cargo test` runs serde itself on them.
//!
//! **Invariant:** examples are read in document order (components, then paths), after every
//! type is final, and never change a type: they only add warnings and tests.

use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, StatusCode, Type,
};
use rustc_hash::FxHashMap;
use serde_json::Value;

use crate::diagnostics::Sink;
use crate::ir::{Example, Operation, Presence, ResponseBody, StatusMatch, TypeDef, TypeKind, TypeRef};
use crate::names::{self, Scope};
use crate::pointer;

/// Finds, checks and names every example of `doc`; `components` maps schema keys to type names.
pub(super) fn examples(
    doc: &OpenAPI,
    components: &FxHashMap<String, String>,
    types: &[TypeDef],
    operations: &[Operation],
    sink: &mut Sink,
) -> Vec<Example> {
    let types: FxHashMap<&str, &TypeDef> = types.iter().map(|def| (def.name.as_str(), def)).collect();
    let mut finder = Finder { types: &types, found: Vec::new(), scope: Scope::with_reserved(&[]) };
    if let Some(schemas) = doc.components.as_ref().map(|c| &c.schemas) {
        for (key, schema) in schemas {
            let (Some(name), ReferenceOr::Item(schema)) = (components.get(key), schema) else { continue };
            let at = pointer::push("/components/schemas", key);
            finder.schema(schema, &TypeRef::Named(name.clone()), &at, &names::snake_name(key, "schema"));
        }
    }
    // Operations by method and path: one lookup each, so large APIs stay linear.
    let lowered: FxHashMap<(&str, &str), &Operation> =
        operations.iter().map(|op| ((op.http_method.as_str(), op.path.as_str()), op)).collect();
    for (path, item) in &doc.paths.paths {
        let ReferenceOr::Item(item) = item else { continue };
        let item_pointer = pointer::push("/paths", path);
        for (method, op) in item.iter() {
            let upper = method.to_ascii_uppercase();
            let Some(lowered) = lowered.get(&(upper.as_str(), path.as_str())) else { continue };
            let at = pointer::push(&item_pointer, method);
            finder.operation(op, lowered, &at);
        }
    }
    for example in &finder.found {
        if let Some(problem) = &example.problem {
            sink.warning(&example.pointer, format!("the example does not match its type: {problem}"));
        }
    }
    finder.found
}

/// Collects examples with their types and test names.
struct Finder<'t> {
    types: &'t FxHashMap<&'t str, &'t TypeDef>,
    found: Vec<Example>,
    /// Test names, unique in the generated `examples` module.
    scope: Scope,
}

impl Finder<'_> {
    fn add(&mut self, value: &Value, ty: &TypeRef, at: String, stem: &str) {
        let mut problems = Vec::new();
        check(self.types, value, ty, "", &mut problems);
        let problem = (!problems.is_empty()).then(|| {
            let shown: Vec<String> = problems.iter().map(Problem::to_string).collect();
            shown.join("; ")
        });
        let name = self.scope.claim(names::snake_name(stem, "example"));
        self.found.push(Example { name, pointer: at, ty: ty.clone(), json: value.to_string(), problem });
    }

    /// A schema written in place, its example and those of its properties and items.
    fn schema(&mut self, schema: &Schema, ty: &TypeRef, at: &str, stem: &str) {
        let ty = unwrap_option(ty);
        if let Some(example) = &schema.schema_data.example {
            self.add(example, ty, pointer::push(at, "example"), stem);
        }
        match (&schema.schema_kind, ty) {
            (SchemaKind::Type(Type::Object(object)), TypeRef::Named(name)) => {
                let Some(TypeKind::Struct(s)) = self.types.get(name.as_str()).map(|d| &d.kind) else { return };
                for (property, schema) in &object.properties {
                    let (ReferenceOr::Item(schema), Some(field)) =
                        (schema, s.fields.iter().find(|f| f.wire == *property))
                    else {
                        continue;
                    };
                    let at = pointer::push(&pointer::push(at, "properties"), property);
                    self.schema(schema, &field.ty, &at, &format!("{stem}_{}", field.name));
                }
            }
            (SchemaKind::Type(Type::Array(array)), TypeRef::Vec(item)) => {
                if let Some(ReferenceOr::Item(schema)) = &array.items {
                    self.schema(schema, item, &pointer::push(at, "items"), &format!("{stem}_item"));
                }
            }
            _ => {}
        }
    }

    fn operation(&mut self, op: &openapiv3::Operation, lowered: &Operation, at: &str) {
        let stem = &lowered.method_name;
        for (index, parameter) in op.parameters.iter().enumerate() {
            let ReferenceOr::Item(parameter) = parameter else { continue };
            let data = parameter.parameter_data_ref();
            let Some(param) = lowered.params.iter().find(|p| p.wire == data.name && same_location(parameter, p)) else {
                continue;
            };
            let at = pointer::push(&pointer::push(at, "parameters"), &index.to_string());
            let stem = format!("{stem}_{}", param.name);
            if let Some(example) = &data.example {
                self.add(example, &param.ty, pointer::push(&at, "example"), &stem);
            }
            self.named_examples(&data.examples, &param.ty, &at, &stem);
            if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &data.format {
                self.schema(schema, &param.ty, &pointer::push(&at, "schema"), &stem);
            }
        }
        if let (Some(ReferenceOr::Item(body)), Some(lowered_body)) = (&op.request_body, &lowered.body) {
            let at = pointer::push(at, "requestBody");
            if lowered_body.encoding == crate::ir::BodyEncoding::Json {
                self.media(&body.content, &lowered_body.ty, &at, &format!("{stem}_request"));
            }
        }
        for (status, response) in &op.responses.responses {
            let ReferenceOr::Item(response) = response else { continue };
            let matched = match status {
                StatusCode::Code(code) => StatusMatch::Code(*code),
                StatusCode::Range(range) => StatusMatch::Range(*range),
            };
            let at = pointer::push(&pointer::push(at, "responses"), &status.to_string());
            self.response(response, lowered, matched, &at, &format!("{stem}_{status}"));
        }
        if let Some(ReferenceOr::Item(response)) = &op.responses.default {
            let at = pointer::push(&pointer::push(at, "responses"), "default");
            self.response(response, lowered, StatusMatch::Default, &at, &format!("{stem}_default"));
        }
    }

    fn response(
        &mut self,
        response: &openapiv3::Response,
        lowered: &Operation,
        status: StatusMatch,
        at: &str,
        stem: &str,
    ) {
        let Some(lowered) = lowered.responses.iter().find(|r| r.status == status && r.media.is_empty()) else { return };
        if let ResponseBody::Json(ty) = &lowered.body {
            self.media(&response.content, ty, at, &format!("{stem}_response"));
        }
    }

    /// The JSON media types of a body: their `example`, `examples` and schema.
    fn media(&mut self, content: &indexmap::IndexMap<String, MediaType>, ty: &TypeRef, at: &str, stem: &str) {
        for (media_type, media) in content.iter().filter(|(media_type, _)| is_json(media_type)) {
            let at = pointer::push(&pointer::push(at, "content"), media_type);
            if let Some(example) = &media.example {
                self.add(example, ty, pointer::push(&at, "example"), stem);
            }
            self.named_examples(&media.examples, ty, &at, stem);
            if let Some(ReferenceOr::Item(schema)) = &media.schema {
                self.schema(schema, ty, &pointer::push(&at, "schema"), stem);
            }
        }
    }

    /// `examples: {name: {value}}` (referenced examples are not followed).
    fn named_examples(
        &mut self,
        examples: &indexmap::IndexMap<String, ReferenceOr<openapiv3::Example>>,
        ty: &TypeRef,
        at: &str,
        stem: &str,
    ) {
        for (name, example) in examples {
            let ReferenceOr::Item(example) = example else { continue };
            let Some(value) = &example.value else { continue };
            let at = pointer::push(&pointer::push(&pointer::push(at, "examples"), name), "value");
            self.add(value, ty, at, &format!("{stem}_{name}"));
        }
    }
}

fn same_location(parameter: &Parameter, param: &crate::ir::Param) -> bool {
    use crate::ir::ParamLocation as L;
    matches!(
        (parameter, param.location),
        (Parameter::Path { .. }, L::Path)
            | (Parameter::Query { .. }, L::Query)
            | (Parameter::Header { .. }, L::Header)
            | (Parameter::Cookie { .. }, L::Cookie)
    )
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

fn unwrap_option(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Option(inner) => unwrap_option(inner),
        other => other,
    }
}

/// Why an example does not fit its type, at a path inside the example.
#[derive(Debug)]
enum Problem {
    /// serde would refuse it.
    Rejected { at: String, why: String },
    /// serde would read it, but writing it back gives other JSON.
    Lossy { at: String, why: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (at, why, effect) = match self {
            Problem::Rejected { at, why } => (at, why, "it does not deserialise"),
            Problem::Lossy { at, why } => (at, why, "it does not serialise back to the same JSON"),
        };
        if at.is_empty() { write!(f, "{why} ({effect})") } else { write!(f, "at `{at}`, {why} ({effect})") }
    }
}

fn rejected(problems: &mut Vec<Problem>, at: &str, why: String) {
    problems.push(Problem::Rejected { at: at.to_owned(), why });
}

/// Checks `value` against `ty` as the generated serde code reads and writes it.
fn check(types: &FxHashMap<&str, &TypeDef>, value: &Value, ty: &TypeRef, at: &str, problems: &mut Vec<Problem>) {
    let expect = |ok: bool, what: &str, problems: &mut Vec<Problem>| {
        if !ok {
            rejected(problems, at, format!("{} is not {what}", describe(value)));
        }
    };
    match ty {
        TypeRef::Bool => expect(value.is_boolean(), "a boolean", problems),
        TypeRef::I32 => expect(value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()), "an i32", problems),
        TypeRef::I64 => expect(value.is_i64(), "an integer", problems),
        TypeRef::U32 => expect(value.as_u64().is_some_and(|n| u32::try_from(n).is_ok()), "a u32", problems),
        TypeRef::U64 => expect(value.is_u64(), "a non-negative integer", problems),
        TypeRef::F32 | TypeRef::F64 => expect(value.is_number(), "a number", problems),
        TypeRef::String => expect(value.is_string(), "a string", problems),
        TypeRef::DateTime => expect(value.as_str().is_some_and(is_date_time), "an RFC 3339 date-time", problems),
        TypeRef::Date => expect(value.as_str().is_some_and(is_date), "a date (YYYY-MM-DD)", problems),
        TypeRef::Value | TypeRef::Unit | TypeRef::Bytes => {}
        TypeRef::JsonObject => expect(value.is_object(), "an object", problems),
        TypeRef::Option(inner) => {
            if !value.is_null() {
                check(types, value, inner, at, problems);
            }
        }
        TypeRef::Vec(item) => match value.as_array() {
            Some(items) => {
                for (i, v) in items.iter().enumerate() {
                    check(types, v, item, &join(at, &i.to_string()), problems);
                }
            }
            None => expect(false, "an array", problems),
        },
        TypeRef::Tuple(items) => match value.as_array() {
            Some(values) if values.len() == items.len() => {
                for (i, (v, item)) in values.iter().zip(items).enumerate() {
                    check(types, v, item, &join(at, &i.to_string()), problems);
                }
            }
            _ => expect(false, &format!("an array of {} items", items.len()), problems),
        },
        TypeRef::Map(inner) => match value.as_object() {
            Some(map) => {
                for (k, v) in map {
                    check(types, v, inner, &join(at, k), problems);
                }
            }
            None => expect(false, "an object", problems),
        },
        TypeRef::Named(name) => {
            if let Some(def) = types.get(name.as_str()) {
                check_named(types, value, def, at, problems);
            }
        }
    }
}

fn check_named(types: &FxHashMap<&str, &TypeDef>, value: &Value, def: &TypeDef, at: &str, problems: &mut Vec<Problem>) {
    match &def.kind {
        TypeKind::Struct(s) => {
            let Some(object) = value.as_object() else {
                return rejected(problems, at, format!("{} is not an object (`{}`)", describe(value), def.name));
            };
            for field in &s.fields {
                let here = join(at, &field.wire);
                match (object.get(&field.wire), field.presence) {
                    (None, Presence::Required | Presence::RequiredNullable) => rejected(
                        problems,
                        at,
                        format!("the required property `{}` of `{}` is missing", field.wire, def.name),
                    ),
                    (None, _) => {}
                    (Some(Value::Null), Presence::Required) if field.ty != TypeRef::Value => {
                        rejected(problems, &here, "`null` is not allowed (the property is not nullable)".to_owned())
                    }
                    (Some(Value::Null), Presence::Optional) => problems.push(Problem::Lossy {
                        at: here,
                        why: "`null` for a property that is not nullable is read as absent".to_owned(),
                    }),
                    (Some(Value::Null), _) => {}
                    (Some(v), _) => check(types, v, &field.ty, &here, problems),
                }
            }
            let mut unknown = Vec::new();
            for (key, v) in object.iter().filter(|(key, _)| !s.fields.iter().any(|f| f.wire == **key)) {
                match &s.additional {
                    Some(additional) => check(types, v, &additional.ty, &join(at, key), problems),
                    None => unknown.push(format!("`{key}`")),
                }
            }
            if !unknown.is_empty() {
                let why = match unknown.as_slice() {
                    [one] => format!("`{}` has no property {one}, which is dropped", def.name),
                    many => format!("`{}` has no properties {}, which are dropped", def.name, many.join(", ")),
                };
                problems.push(Problem::Lossy { at: at.to_owned(), why });
            }
        }
        TypeKind::StringEnum(_) => {
            if !value.is_string() {
                rejected(problems, at, format!("{} is not a string (`{}`)", describe(value), def.name));
            }
        }
        TypeKind::IntegerEnum(_) => {
            if !value.is_i64() {
                rejected(problems, at, format!("{} is not an integer (`{}`)", describe(value), def.name));
            }
        }
        TypeKind::Alias(ty) => check(types, value, ty, at, problems),
        TypeKind::Responses(_) => {}
        TypeKind::Union(union) => check_union(types, value, def, union, at, problems),
    }
}

fn check_union(
    types: &FxHashMap<&str, &TypeDef>,
    value: &Value,
    def: &TypeDef,
    union: &crate::ir::Union,
    at: &str,
    problems: &mut Vec<Problem>,
) {
    if let Some(property) = &union.discriminator {
        let tag = value.get(property).and_then(Value::as_str);
        let chosen = tag.and_then(|tag| union.variants.iter().find(|v| v.tags.iter().any(|t| t == tag)));
        // A 3.2 `defaultMapping` takes a value whose tag is missing or selects nothing else.
        let fallback = || union.fallback.as_ref().and_then(|name| union.variants.iter().find(|v| v.name == *name));
        match (chosen.or_else(fallback), tag) {
            (Some(variant), _) => check(types, value, &variant.ty, at, problems),
            (None, None) => {
                rejected(problems, at, format!("the discriminator `{property}` of `{}` is missing", def.name))
            }
            // An unknown tag is kept as it is.
            (None, Some(_)) => {}
        }
        return;
    }
    // Untagged: the first branch serde can read is the one it keeps.
    for variant in &union.variants {
        let mut found = Vec::new();
        check(types, value, &variant.ty, at, &mut found);
        if !found.iter().any(|p| matches!(p, Problem::Rejected { .. })) {
            problems.extend(found);
            return;
        }
    }
    rejected(problems, at, format!("no branch of `{}` accepts it", def.name));
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") }
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        format!("`{text}`")
    }
}

/// `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

/// RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
fn is_date_time(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't', ' ']) else { return false };
    let b = time.as_bytes();
    let clock = b.len() >= 8
        && b[..8].iter().enumerate().all(|(i, c)| if i == 2 || i == 5 { *c == b':' } else { c.is_ascii_digit() });
    if !is_date(date) || !clock {
        return false;
    }
    let rest = &time[8..];
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => fraction.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    let zone = rest.as_bytes();
    rest.eq_ignore_ascii_case("z")
        || (zone.len() == 6
            && matches!(zone[0], b'+' | b'-')
            && zone[3] == b':'
            && [1, 2, 4, 5].iter().all(|&i| zone[i].is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_follow_rfc_3339() {
        for ok in ["2026-03-03T20:25:00Z", "2026-03-03T20:25:00.000000Z", "2026-03-03t20:25:00+02:00"] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in ["2026-03-03", "2026-03-03T20:25Z", "2026-03-03T20:25:00", "yesterday", "2026-03-03T20:25:00+0200"] {
            assert!(!is_date_time(bad), "{bad}");
        }
        assert!(is_date("2026-03-03") && !is_date("2026-3-3"));
    }
}
