//! Emits the generated crate's `Cargo.toml`.

use std::fmt::Write;

use crate::ir::{Api, BodyEncoding, PartKind, TypeRef};

/// The dependency line of a crate that uses dates (`[dependencies]` is the manifest's last
/// section, so it can be appended).
pub const CHRONO_DEPENDENCY: &str =
    "chrono = { version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }\n";

/// The `Cargo.toml` of a generated crate named `crate_name`. It depends on crates.io crates only.
pub fn manifest(api: &Api, crate_name: &str, header: &str) -> String {
    let version = semver_or_default(&api.version);
    let mut out = String::new();
    let _ = writeln!(out, "# {header}");
    out.push_str("[package]\n");
    let _ = writeln!(out, "name = {}", toml_string(crate_name));
    let _ = writeln!(out, "version = {}", toml_string(&version));
    out.push_str("edition = \"2021\"\n");
    out.push_str("rust-version = \"1.85\"\n");
    let _ = writeln!(out, "description = {}", toml_string(&format!("Client for {}", super::api_name(&api.title))));
    out.push_str("publish = false\n\n");
    out.push_str("[features]\n");
    if !api.features.list.is_empty() {
        out.push_str("# Every operation and type. Turn default features off and pick the tags you call to compile\n");
        out.push_str("# only those operations and the types they use.\n");
        let names: Vec<String> = api.features.list.iter().map(|feature| toml_string(&feature.name)).collect();
        let _ = writeln!(out, "default = [\"all\"]\nall = [{}]", names.join(", "));
        for feature in &api.features.list {
            let about: String = feature.about.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let _ = writeln!(out, "# {about}\n{} = []", feature.name);
        }
    }
    out.push_str("# Serialize and Deserialize on every type, not only where the client needs them.\n");
    out.push_str("full-serde = []\n");
    out.push_str("# A tracing span per call: operation id, method, path template, status, attempts, request id.\n");
    out.push_str("tracing = [\"dep:tracing\"]\n");
    out.push_str("# `mock::MockServer`, a typed mock of the API (wiremock) for tests of code that uses this client.\n");
    out.push_str("mock = [\"full-serde\", \"dep:wiremock\"]\n\n");
    out.push_str("[dependencies]\n");
    out.push_str("base64 = \"0.22\"\n");
    if uses_chrono(api) {
        out.push_str(CHRONO_DEPENDENCY);
    }
    if super::runtime::uses_paging(api) {
        out.push_str("futures-core = { version = \"0.3\", default-features = false }\n");
    }
    // `http`, `http-body`, `pin-project-lite` and `tower-service` are in `reqwest`'s tree already;
    // the runtime names a call's future with them (`runtime::Call`).
    out.push_str("http = \"1\"\n");
    out.push_str("http-body = \"1\"\n");
    out.push_str("httpdate = \"1\"\n");
    out.push_str("percent-encoding = \"2\"\n");
    out.push_str("pin-project-lite = \"0.2\"\n");
    out.push_str("reqwest = { version = \"0.13\", default-features = false, features = [\"rustls\"] }\n");
    out.push_str("serde = { version = \"1\", features = [\"derive\"] }\n");
    out.push_str("serde_json = \"1\"\n");
    out.push_str("thiserror = \"2\"\n");
    out.push_str("tokio = { version = \"1\", features = [\"sync\", \"time\"] }\n");
    out.push_str("tower-service = \"0.3\"\n");
    out.push_str("tracing = { version = \"0.1\", default-features = false, features = [\"std\"], optional = true }\n");
    out.push_str("wiremock = { version = \"0.6\", optional = true }\n");
    out
}

pub(super) fn uses_chrono(api: &Api) -> bool {
    let is_date = |ty: &TypeRef| matches!(ty, TypeRef::DateTime | TypeRef::Date);
    let in_ref = |ty: &TypeRef| ty.any_nested(&is_date);
    // Multipart form structs are emitted with the client, not in `types`.
    let in_form = |encoding: &BodyEncoding| match encoding {
        BodyEncoding::Multipart(form) => form.fields.iter().any(|f| f.part == PartKind::Value && in_ref(&f.field.ty)),
        _ => false,
    };
    api.types.iter().any(|def| def.any_nested(&is_date))
        || api.operations.iter().any(|op| {
            op.params.iter().any(|p| in_ref(&p.ty))
                || op.body.as_ref().is_some_and(|b| in_ref(&b.ty) || in_form(&b.encoding))
                || in_ref(&op.success)
        })
}

/// `info.version` when it is a valid semantic version, else `0.1.0`.
fn semver_or_default(version: &str) -> String {
    let core = version.split(['-', '+']).next().unwrap_or("");
    let numbers: Vec<&str> = core.split('.').collect();
    let valid = numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && (n.len() == 1 || !n.starts_with('0')))
        && version.chars().all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c));
    if valid { version.to_owned() } else { "0.1.0".to_owned() }
}

fn toml_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_semver_versions_are_kept() {
        assert_eq!(semver_or_default("1.0.0"), "1.0.0");
        assert_eq!(semver_or_default("2.1.0-beta.1"), "2.1.0-beta.1");
        assert_eq!(semver_or_default("2024-01-01"), "0.1.0");
        assert_eq!(semver_or_default("v1"), "0.1.0");
        assert_eq!(semver_or_default("01.2.3"), "0.1.0");
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a \"b\"\\\n"), "\"a \\\"b\\\"\\\\\\u000A\"");
    }
}
