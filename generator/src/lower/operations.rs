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
use crate::ir::{Operation, SecurityScheme};
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
        }
    }
}
