//! Operations: every method of every path item becomes one client method, with its parameters,
//! request body, responses, security and docs.
//!
//! **Invariant:** operations keep document order (paths, then methods in the order `GET`, `PUT`,
//! `POST`, `DELETE`, `OPTIONS`, `HEAD`, `PATCH`, `TRACE`), and method names are unique among
//! the client's methods, never one the client already has; an operation whose name had to be
//! numbered is warned about.

use std::borrow::Cow;

use openapiv3::{Parameter, PathItem, ReferenceOr};
use rustc_hash::FxHashMap;

use super::Lowerer;
use super::docs::operation_docs;
use crate::diagnostics::Sink;
use crate::ir::{Operation, SecurityScheme};
use crate::names::{self, Scope};
use crate::pointer;

/// Method names [`Client`](crate) already has.
const RESERVED_METHODS: &[&str] = &["new", "builder", "with_options", "base_url", "core"];

/// Where an operation sits in the document.
pub(super) struct OperationSite<'o> {
    /// The path key (`/calls/{call_id}`).
    pub path: &'o str,
    /// The HTTP method, uppercase.
    pub method: &'o str,
    pub op: &'o openapiv3::Operation,
    /// The path item's parameters, which the operation's own may replace.
    pub shared_params: &'o [ReferenceOr<Parameter>],
    /// `/paths/<path>/<method>`.
    pub pointer: String,
}

/// The client's method names, handed out in document order. A name already taken (two ids that
/// differ only in case or punctuation, a repeated id, or a name the client itself uses) gets a
/// number, with a warning at the operation that gets it.
struct MethodNames {
    scope: Scope,
    /// Builder names (`ListCalls`), unique in the `operations` module.
    builders: Scope,
    /// Wanted name → pointer of the operation that got it.
    owners: FxHashMap<String, String>,
}

impl MethodNames {
    fn new() -> Self {
        MethodNames {
            scope: Scope::with_reserved(RESERVED_METHODS),
            builders: Scope::default(),
            owners: FxHashMap::default(),
        }
    }

    /// The method name of the operation `id` at `pointer`.
    fn claim(&mut self, id: &str, pointer: &str, sink: &mut Sink) -> String {
        let wanted = names::snake_name(id, "operation");
        let name = self.scope.claim(wanted.clone());
        if name == wanted {
            self.owners.insert(wanted, pointer.to_owned());
            return name;
        }
        let taken = match self.owners.get(&wanted) {
            Some(owner) => format!("is taken by the operation at #{owner}"),
            None => "is one the client itself uses".to_owned(),
        };
        sink.warning(
            pointer,
            format!("operationId `{id}` gives the method name `{wanted}`, which {taken}; this one is `{name}`"),
        );
        name
    }
}

impl Lowerer<'_, '_> {
    /// Every operation of every path item, in document order.
    pub(super) fn operations(&mut self, schemes: &[SecurityScheme]) -> Vec<Operation> {
        let mut scope = MethodNames::new();
        let mut operations = Vec::new();
        for (path, item) in &self.doc.paths.paths {
            let item_pointer = pointer::push("/paths", path);
            let Some(item) = self.path_item(item, &item_pointer) else { continue };
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
                let pointer = pointer::push(&item_pointer, &method.to_ascii_lowercase());
                let site = OperationSite { path, method, op, shared_params: &item.parameters, pointer };
                operations.push(self.operation(&site, &mut scope, schemes));
            }
        }
        operations
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

    /// One operation; its method is named in `scope`.
    fn operation(&mut self, site: &OperationSite, scope: &mut MethodNames, schemes: &[SecurityScheme]) -> Operation {
        let OperationSite { path, method, op, .. } = *site;
        let id = op.operation_id.clone().unwrap_or_else(|| format!("{} {path}", method.to_ascii_lowercase()));
        let method_name = scope.claim(&id, &site.pointer, self.sink);
        let type_stem = names::type_name(names::bare(&method_name), "Operation");
        let builder = scope.builders.claim(type_stem.clone());

        let params = self.parameters(site, &type_stem);
        let body = op.request_body.as_ref().and_then(|body| {
            self.request_body(body, &pointer::push(&site.pointer, "requestBody"), &format!("{type_stem}Request"))
        });
        let outcomes = self.responses(op, &site.pointer, &type_stem);
        let security = self.requirements(op.security.as_ref(), &site.pointer, schemes);

        Operation {
            id,
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
            docs: operation_docs(op, method, path),
            deprecated: op.deprecated,
        }
    }
}
