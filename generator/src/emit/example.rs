//! The example a generated crate's docs open with: build the client with the credentials one
//! operation needs, call it, and handle its typed error. It is a doc test, so `cargo test` on the
//! crate checks that it compiles.
//!
//! The operation is the first, in document order, whose required inputs can be written as
//! literals (strings, numbers, booleans, and a body whose type has a `Default`); with none, the
//! example only builds the client. When such an operation pages, the first that does is used
//! instead, and the example lists every item with one loop over its `items()` stream.

use crate::ir::{Api, BodyEncoding, Operation, SchemeKind, TypeKind, TypeRef};

/// The example as doc lines (a fenced `no_run` code block), for the crate `krate`, and the
/// features that compile its operation (empty: always compiled).
pub fn lines<'a>(api: &'a Api, krate: &str) -> (Vec<String>, &'a [usize]) {
    let literal = |op| Some((op, arguments(api, op)?));
    let operation = api
        .operations
        .iter()
        .filter(|op| op.pagination.is_some())
        .find_map(literal)
        .or_else(|| api.operations.iter().find_map(literal));
    let mut code = vec![
        "```no_run".to_owned(),
        "# async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
        format!("let client = {krate}::Client::builder()"),
    ];
    let schemes = operation.as_ref().and_then(|(op, _)| op.security.first()).map(Vec::as_slice).unwrap_or_default();
    for name in schemes {
        let Some(scheme) = api.security_schemes.iter().find(|s| &s.name == name) else { continue };
        match &scheme.kind {
            SchemeKind::Basic => code.push(format!("    .{}(\"USERNAME\", \"PASSWORD\")", scheme.method)),
            SchemeKind::OAuth2ClientCredentials { method, .. } => {
                code.push(format!("    .{method}(\"YOUR_CLIENT_ID\", \"YOUR_CLIENT_SECRET\")"));
            }
            _ => code.push(format!("    .{}(\"YOUR_{}\")", scheme.method, shout(&scheme.name))),
        }
    }
    code.push("    .build()?;".to_owned());
    let features = operation.as_ref().map(|(op, _)| op.features.as_slice()).unwrap_or_default();
    if let Some((op, arguments)) = operation.as_ref().filter(|(op, _)| op.pagination.is_some()) {
        code.push("// Every item of every page, each page fetched when the loop reaches it.".to_owned());
        code.push(format!("let mut items = client.{}({}).items();", op.method_name, arguments.join(", ")));
        code.push("while let Some(item) = items.next().await {".to_owned());
        code.push("    println!(\"{:?}\", item?);".to_owned());
        code.push("}".to_owned());
    } else if let Some((op, arguments)) = operation {
        code.push(format!("match client.{}({}).await {{", op.method_name, arguments.join(", ")));
        code.push("    Ok(response) => println!(\"{:?}\", response.into_body()),".to_owned());
        code.push("    // A documented error status, decoded into the operation's error type.".to_owned());
        code.push(format!(
            "    Err({krate}::Error::Api {{ body, response }}) => eprintln!(\"{{}}: {{body:?}}\", response.status),"
        ));
        code.push("    Err(other) => return Err(other.into()),".to_owned());
        code.push("}".to_owned());
    }
    code.extend(["# Ok(())".to_owned(), "# }".to_owned(), "```".to_owned()]);
    // As doc lines: each starts with a space, so prettyplease prints `//! line`.
    (code.into_iter().map(|line| format!(" {line}")).collect(), features)
}

/// The literal arguments of `op`'s required inputs, or `None` if one cannot be written so.
fn arguments(api: &Api, op: &Operation) -> Option<Vec<String>> {
    let mut arguments = Vec::new();
    for param in op.params.iter().filter(|p| p.required) {
        arguments.push(literal(&param.ty, &param.name)?);
    }
    if let Some(body) = op.body.as_ref().filter(|body| body.required) {
        let defaults = match (&body.encoding, &body.ty) {
            (BodyEncoding::Json | BodyEncoding::Form, TypeRef::Named(name)) => {
                api.types.iter().any(|def| &def.name == name && matches!(&def.kind, TypeKind::Struct(s) if s.default))
            }
            _ => false,
        };
        if !defaults {
            return None;
        }
        arguments.push("&Default::default()".to_owned());
    }
    Some(arguments)
}

/// A literal of type `ty` for the parameter `name`.
fn literal(ty: &TypeRef, name: &str) -> Option<String> {
    Some(match ty {
        TypeRef::String => format!("\"{}\"", crate::names::bare(name)),
        TypeRef::I32 | TypeRef::I64 | TypeRef::U32 | TypeRef::U64 => "1".to_owned(),
        TypeRef::F32 | TypeRef::F64 => "1.0".to_owned(),
        TypeRef::Bool => "true".to_owned(),
        _ => return None,
    })
}

/// `BearerAuth` → `BEARER_AUTH`, for a placeholder credential.
fn shout(name: &str) -> String {
    heck::ToShoutySnakeCase::to_shouty_snake_case(name)
}
