//! Operations: every method of every path item becomes one client method, with its parameters,
//! request body, responses, security and docs.
//!
//! **Invariant:** operations keep document order (paths, then methods in the order `GET`, `PUT`,
//! `POST`, `DELETE`, `OPTIONS`, `HEAD`, `PATCH`, `TRACE`, then 3.2's `QUERY` and
//! `additionalOperations` in document order), and method names are unique among
//! the client's methods, never one the client already has; an operation whose name had to be
//! numbered is warned about. Names come from [`method_names`], which sees every id first.

use std::borrow::Cow;

use super::Lowerer;
use super::docs::operation_docs;
use super::method_names::{self, MethodNames, Naming};
use crate::ir::{HintKind, Operation, PagingHint, ParamLocation, SecurityScheme, TypeRef};
use crate::names;
use crate::pointer;
use crate::v32;
use openapiv3::{Parameter, PathItem, ReferenceOr};

/// Where an operation sits in the document.
pub(super) struct OperationSite<'o> {
    /// The path key (`/calls/{call_id}`).
    pub path: &'o str,
    /// The HTTP method: uppercase for the fixed ones and `QUERY`, as written for 3.2's
    /// `additionalOperations`.
    pub method: &'o str,
    pub op: &'o openapiv3::Operation,
    /// The path item's parameters, which the operation's own may replace.
    pub shared_params: &'o [ReferenceOr<Parameter>],
    /// `/paths/<path>/<method>`.
    pub pointer: String,
    /// `operationId`, or `get /path` when there is none.
    pub id: String,
}

impl Lowerer<'_, '_> {
    /// Every operation of every path item, in document order.
    pub(super) fn operations(&mut self, schemes: &[SecurityScheme]) -> Vec<Operation> {
        let doc = self.doc;
        let mut items = Vec::new();
        for (path, item) in &doc.paths.paths {
            let item_pointer = pointer::push("/paths", path);
            if let Some(item) = self.path_item(item, &item_pointer) {
                items.push((path.as_str(), item_pointer, item));
            }
        }
        // 3.2's other methods, which `v32` moved into an extension of the path item.
        let additional: Vec<Vec<(String, String, openapiv3::Operation)>> =
            items.iter().map(|(_, item_pointer, item)| self.additional_operations(item, item_pointer)).collect();
        let mut sites = Vec::new();
        for ((path, item_pointer, item), additional) in items.iter().zip(&additional) {
            let methods = [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("OPTIONS", &item.options),
                ("HEAD", &item.head),
                ("PATCH", &item.patch),
                ("TRACE", &item.trace),
            ];
            for (method, op) in methods {
                let Some(op) = op else { continue };
                let pointer = pointer::push(item_pointer, &method.to_ascii_lowercase());
                let id = op.operation_id.clone().unwrap_or_else(|| format!("{} {path}", method.to_ascii_lowercase()));
                sites.push(OperationSite { path, method, op, shared_params: &item.parameters, pointer, id });
            }
            for (method, pointer, op) in additional {
                let id = op.operation_id.clone().unwrap_or_else(|| format!("{} {path}", method.to_ascii_lowercase()));
                let pointer = pointer.clone();
                sites.push(OperationSite { path, method, op, shared_params: &item.parameters, pointer, id });
            }
        }
        // Every name is wanted before any is handed out: a cleaned name depends on all the ids.
        let namings: Vec<Naming> =
            sites.iter().map(|site| Naming { id: &site.id, path: site.path, method: site.method }).collect();
        let wanted = method_names::wanted_names(&namings);
        let mut scope = MethodNames::new();
        sites.iter().zip(wanted).map(|(site, wanted)| self.operation(site, wanted, &mut scope, schemes)).collect()
    }

    /// A path item written in place or referenced (from anywhere: path items are not components).
    fn path_item<'i>(&mut self, item: &'i ReferenceOr<PathItem>, pointer: &str) -> Option<Cow<'i, PathItem>> {
        match item {
            ReferenceOr::Item(item) => Some(Cow::Borrowed(item)),
            ReferenceOr::Reference { reference } => {
                match self.resolve_raw(reference, pointer).cloned().map(serde_json::from_value) {
                    Some(Ok(item)) => Some(Cow::Owned(item)),
                    Some(Err(e)) => {
                        self.sink.error(pointer, format!("invalid path item: {e}"));
                        None
                    }
                    None => None,
                }
            }
        }
    }

    /// The operations of `item` beyond the fixed methods (3.2's `query` and
    /// `additionalOperations`), each with its method and pointer; one that does not parse is left
    /// out with a warning at its pointer.
    fn additional_operations(
        &mut self,
        item: &PathItem,
        item_pointer: &str,
    ) -> Vec<(String, String, openapiv3::Operation)> {
        let Some(serde_json::Value::Object(operations)) = item.extensions.get(v32::ADDITIONAL_OPERATIONS) else {
            return Vec::new();
        };
        let mut parsed = Vec::new();
        for (method, op) in operations {
            let pointer = if method == "QUERY" {
                pointer::push(item_pointer, "query")
            } else {
                pointer::push(&pointer::push(item_pointer, "additionalOperations"), method)
            };
            if !v32::is_method_token(method) {
                self.sink.warning(&pointer, "not an HTTP method name; the operation is left out");
                continue;
            }
            match serde_json::from_value::<openapiv3::Operation>(op.clone()) {
                Ok(op) => parsed.push((method.clone(), pointer, op)),
                Err(e) => self.sink.warning(&pointer, format!("invalid operation, left out: {e}")),
            }
        }
        parsed
    }

    /// One operation; its method is named in `scope`, `wanted` if that is free.
    fn operation(
        &mut self,
        site: &OperationSite,
        wanted: String,
        scope: &mut MethodNames,
        schemes: &[SecurityScheme],
    ) -> Operation {
        let OperationSite { path, method, op, .. } = *site;
        let method_name = scope.claim(&site.id, wanted, &site.pointer, self.sink);
        let type_stem = names::type_name(names::bare(&method_name), "Operation");
        let builder = scope.builder(&method_name);

        let params = self.parameters(site, &type_stem);
        let body = op.request_body.as_ref().and_then(|body| {
            self.request_body(body, &pointer::push(&site.pointer, "requestBody"), &format!("{type_stem}Request"))
        });
        let outcomes = self.responses(op, &site.pointer, &type_stem);
        let security = self.requirements(op.security.as_ref(), &site.pointer, schemes);
        let headers_type =
            if outcomes.headers.is_empty() { String::new() } else { scope.builder(&format!("{method_name}_headers")) };
        let idempotency_header = params
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Header && p.ty == TypeRef::String && is_idempotency_header(&p.wire))
            .map(|p| p.wire.clone());

        Operation {
            id: site.id.clone(),
            method_name,
            builder,
            http_method: method.to_owned(),
            path: path.to_owned(),
            path_parts: params.path_parts,
            params: params.params,
            fixed_query: params.fixed_query,
            body,
            success: outcomes.success,
            success_enum: outcomes.success_enum,
            responses: outcomes.responses,
            error_type: outcomes.error_type,
            security,
            docs: operation_docs(op, &self.doc.tags, method, path),
            deprecated: op.deprecated,
            tags: op.tags.clone(),
            features: Vec::new(),
            response_headers: outcomes.headers,
            headers_type,
            idempotency_header,
            pagination: None,
            pagination_hint: self.paging_hint(op, &site.pointer),
        }
    }

    /// The pagination vendor extension of `op` (at `pointer`), if it has one this generator
    /// reads; one it cannot read is warned about and ignored.
    fn paging_hint(&mut self, op: &openapiv3::Operation, pointer: &str) -> Option<PagingHint> {
        let (extension, value) =
            PAGING_EXTENSIONS.iter().find_map(|name| op.extensions.get(*name).map(|value| (*name, value)))?;
        let at = pointer::push(pointer, extension);
        let read = match extension {
            "x-speakeasy-pagination" => speakeasy_hint(value),
            _ => fern_hint(value),
        };
        match read {
            Ok((kind, results)) => Some(PagingHint { pointer: at, extension: extension.to_owned(), kind, results }),
            Err(reason) => {
                self.sink.warning(&at, format!("{extension} not used: {reason}"));
                None
            }
        }
    }
}

/// The pagination extensions read, in order of preference.
const PAGING_EXTENSIONS: &[&str] = &["x-speakeasy-pagination", "x-fern-pagination"];

/// Speakeasy's `{type: cursor|offsetLimit|url, inputs: [{name, in: parameters, type}],
/// outputs: {nextCursor, results, nextUrl}}`.
fn speakeasy_hint(value: &serde_json::Value) -> Result<(HintKind, Vec<String>), String> {
    let text = |v: &serde_json::Value, key: &str| v.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
    let outputs = value.get("outputs").ok_or("it has no outputs")?;
    let results = json_path(&text(outputs, "results").ok_or("it has no outputs.results")?, "$")?;
    let inputs = value.get("inputs").and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let input = |kind: &str| -> Result<Option<String>, String> {
        let Some(input) = inputs.iter().find(|i| text(i, "type").as_deref() == Some(kind)) else { return Ok(None) };
        if text(input, "in").as_deref() != Some("parameters") {
            return Err(format!("its {kind} input is not a parameter"));
        }
        Ok(text(input, "name"))
    };
    let kind = match text(value, "type").as_deref() {
        Some("cursor") => HintKind::Cursor {
            param: input("cursor")?.ok_or("it has no cursor input")?,
            next: json_path(&text(outputs, "nextCursor").ok_or("it has no outputs.nextCursor")?, "$")?,
        },
        Some("offsetLimit") => match (input("offset")?, input("page")?) {
            (Some(param), _) => HintKind::Offset { param, limit: input("limit")? },
            (None, Some(param)) => HintKind::Page { param, limit: input("limit")? },
            (None, None) => return Err("it has neither an offset nor a page input".to_owned()),
        },
        Some("url") => {
            HintKind::NextUrl { next: json_path(&text(outputs, "nextUrl").ok_or("it has no outputs.nextUrl")?, "$")? }
        }
        other => return Err(format!("its type {other:?} is not cursor, offsetLimit or url")),
    };
    Ok((kind, results))
}

/// Fern's `{cursor: $request.x, next_cursor: $response.a.b, results: $response.c}` or
/// `{offset: $request.x, step: $request.y, results: ..}`.
fn fern_hint(value: &serde_json::Value) -> Result<(HintKind, Vec<String>), String> {
    let text = |key: &str| value.get(key).and_then(serde_json::Value::as_str);
    let results = json_path(text("results").ok_or("it has no results")?, "$response")?;
    let request = |key: &str| -> Result<Option<String>, String> {
        let Some(path) = text(key) else { return Ok(None) };
        match json_path(path, "$request")?.as_slice() {
            [name] => Ok(Some(name.clone())),
            _ => Err(format!("its {key} is not one request parameter")),
        }
    };
    let kind = if let Some(param) = request("cursor")? {
        HintKind::Cursor { param, next: json_path(text("next_cursor").ok_or("it has no next_cursor")?, "$response")? }
    } else if let Some(param) = request("offset")? {
        HintKind::Offset { param, limit: request("step")? }
    } else {
        return Err("it has neither a cursor nor an offset".to_owned());
    };
    Ok((kind, results))
}

/// `$.a.b` (with `root` `$`) or `$response.a.b` → `["a", "b"]`; just the root → `[]`.
fn json_path(path: &str, root: &str) -> Result<Vec<String>, String> {
    let rest = path.trim().strip_prefix(root).ok_or_else(|| format!("{path:?} does not start with {root}"))?;
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let rest = rest.strip_prefix('.').ok_or_else(|| format!("{path:?} is not a path of property names"))?;
    let steps: Vec<String> = rest.split('.').map(str::to_owned).collect();
    if steps.iter().any(|s| s.is_empty() || s.contains(['[', ']', '*'])) {
        return Err(format!("{path:?} is not a path of property names"));
    }
    Ok(steps)
}

/// Header names that carry an idempotency key (compared without case, `_` as `-`):
/// `Idempotency-Key` (the IETF draft; Stripe, Adyen and most payment APIs),
/// `X-Idempotency-Key`, `Idempotency-Token` and `X-Idempotency-Token`.
pub(super) const IDEMPOTENCY_HEADERS: &[&str] =
    &["idempotency-key", "x-idempotency-key", "idempotency-token", "x-idempotency-token"];

/// Whether a header named `wire` carries an idempotency key.
fn is_idempotency_header(wire: &str) -> bool {
    let name = wire.to_ascii_lowercase().replace('_', "-");
    IDEMPOTENCY_HEADERS.contains(&name.as_str())
}
