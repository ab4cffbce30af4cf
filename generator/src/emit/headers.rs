//! What an operation's builder says about its request beyond the parameters (the path template,
//! a declared idempotency key header) and the typed response headers: the `<Op>Headers` struct
//! and the builder's `send_with_headers`. Kept apart from `operations.rs`, which emits the
//! builders themselves.

use proc_macro2::Span;
use quote::quote;
use syn::{Generics, Item, Lifetime, Stmt, Type};

use super::syntax::{Function, SelfArg};
use super::types::{std_generic, type_syntax};
use super::{docs, ident, syntax};
use crate::ir::Operation;

/// `let request = request.with_path_template("..")[.with_idempotency_key("..")];`, the last
/// statement before the request is sent.
pub(super) fn request_statement(op: &Operation) -> Stmt {
    let request = syntax::variable("request");
    let mut request = syntax::method_call(request, "with_path_template", vec![syntax::string(&op.path)]);
    if let Some(name) = &op.idempotency_header {
        request = syntax::method_call(request, "with_idempotency_key", vec![syntax::string(name)]);
    }
    syntax::local("request", false, request)
}

/// The operation's response headers struct and `send_with_headers`, when its success responses
/// declare headers.
pub(super) fn build_headers(op: &Operation) -> Vec<Item> {
    if op.response_headers.is_empty() {
        return Vec::new();
    }
    let name = ident(&op.headers_type);
    let mut attrs = docs::outer_attributes(&[
        format!(
            "The headers a success response of [`Client::{}`](crate::Client::{0}) declares, typed.",
            op.method_name
        ),
        String::new(),
        format!("Read with [`{}::send_with_headers`].", op.builder),
    ]);
    attrs.push(syntax::list_attribute(
        "derive",
        quote! { ::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq },
    ));
    attrs.push(syntax::word_attribute("non_exhaustive"));
    let fields = op.response_headers.iter().map(|h| {
        let ty = type_syntax(&h.ty, true);
        let ty = if h.required { ty } else { std_generic(&["std", "option", "Option"], ty) };
        syntax::named_field(docs::outer_attributes(&h.docs), ident(&h.name), ty)
    });
    let header_struct = syntax::struct_item(attrs, name.clone(), Generics::default(), fields.collect());

    let reads = op.response_headers.iter().map(|header| {
        let read = if header.required { "required_header" } else { "header" };
        let call = syntax::call(
            syntax::path(false, &["runtime", read]),
            vec![syntax::variable("headers"), syntax::string(&header.wire)],
        );
        syntax::field_value(ident(&header.name), Some(syntax::try_expr(call)))
    });
    let self_type = || syntax::named_type(ident("Self"));
    let read_all = syntax::call(
        syntax::path(true, &["std", "result", "Result", "Ok"]),
        vec![syntax::struct_literal(syntax::path(false, &["Self"]), reads.collect())],
    );
    let from_headers = Function {
        attrs: vec![syntax::doc(" Reads the declared headers from a response's headers.".to_owned())],
        inputs: vec![syntax::argument(
            ident("headers"),
            syntax::reference(syntax::path_type(syntax::path(true, &["reqwest", "header", "HeaderMap"]))),
        )],
        ..Function::new(
            ident("from_headers"),
            None,
            result(self_type(), syntax::path_type(syntax::path(false, &["runtime", "DecodeError"]))),
            vec![Stmt::Expr(read_all, None)],
        )
    }
    .build();
    let reader = syntax::impl_block(None, syntax::named_type(name.clone()), vec![from_headers]);

    let lifetime = Lifetime::new("'a", Span::call_site());
    let builder = syntax::path_type(syntax::with_lifetime(syntax::path(false, &[&op.builder]), lifetime.clone()));
    let response = syntax::path_type(syntax::generic(
        syntax::path(false, &["runtime", "ApiResponse"]),
        [super::client::success_type(op)],
    ));
    let error = syntax::path_type(syntax::generic(
        syntax::path(false, &["runtime", "Error"]),
        [syntax::path_type(syntax::path(false, &["crate", "types", &op.error_type]))],
    ));
    let sent = syntax::await_expr(syntax::method_call(syntax::variable("self"), "send", Vec::new()));
    let read = syntax::path_expr(syntax::path(false, &[&op.headers_type, "from_headers"]));
    let body = syntax::call(syntax::path(false, &["runtime", "with_headers"]), vec![sent, read]);
    let send_with_headers = Function {
        attrs: docs::outer_attributes(&[
            format!(
                "Sends the request, and reads the headers its success response declares into [`{}`].",
                op.headers_type
            ),
            String::new(),
            "A declared header that is missing (when required) or does not parse fails the call with".to_owned(),
            "[`Error::Decode`](runtime::Error::Decode).".to_owned(),
        ]),
        asynchronous: true,
        ..Function::new(
            ident("send_with_headers"),
            Some(SelfArg::Value),
            result(syntax::tuple_type([response, syntax::named_type(name)]), error),
            vec![Stmt::Expr(body, None)],
        )
    }
    .build();
    let sender = syntax::generic_impl(syntax::lifetime_generics(lifetime), None, builder, vec![send_with_headers]);
    vec![header_struct, reader, sender]
}

/// `::std::result::Result<ok, error>`.
fn result(ok: Type, error: Type) -> Type {
    syntax::path_type(syntax::generic(syntax::path(true, &["std", "result", "Result"]), [ok, error]))
}
