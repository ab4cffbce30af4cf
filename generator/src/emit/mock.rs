//! `mock.rs` (feature `mock`): a typed mock server for the tests of code that calls the client.
//!
//! Built on wiremock, so the server is a real HTTP server on 127.0.0.1 that the generated client
//! talks to unchanged. `MockServer` has one method per operation, which starts a mock of it:
//! setters named after the path, query and header parameters, and `body` for a JSON body,
//! narrow what it matches; `expect` sets how often it must be called (checked when the server is
//! dropped or `verify`d), `up_to_n_times` how often it answers; `header` adds a response header; then `ok` answers with a typed success (events
//! for an event stream), `error` with a variant of the operation's error enum (its status and
//! body), and `respond` with any wiremock response. No JSON is written by hand: bodies are the
//! generated types, serialised (the feature turns on `full-serde`).

use std::sync::Arc;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use rustc_hash::FxHashSet;
use syn::{Expr, FieldValue, ImplItem, Item, Lifetime, Path, Stmt, Type};

use super::syntax::{self, Function, SelfArg};
use super::types::{std_generic, type_syntax, type_tokens};
use super::{Part, gated, ident};
use crate::ir::{
    Api, BodyEncoding, Field, Operation, ParamLocation, PathPart, Presence, Response, ResponseBody, StatusMatch,
    Struct, TypeKind, TypeRef,
};

/// Which variants of the responses enums carry a payload: (enum, variant).
type Payloads<'a> = FxHashSet<(&'a str, &'a str)>;

/// The file's parts: the server and its fixed methods, one starter per operation inside its
/// `impl`, then each operation's mock and each response type's constructor as parts of their
/// own, so a large API's file is formatted on every core.
pub fn parts(api: &Api) -> Vec<Part<'_>> {
    let mut taken: FxHashSet<String> = api.operations.iter().map(|op| op.method_name.clone()).collect();
    taken.extend(SERVER_METHODS.iter().map(|m| (*m).to_owned()));
    let payloads: Arc<Payloads<'_>> = Arc::new(
        api.types
            .iter()
            .filter_map(|def| match &def.kind {
                TypeKind::Responses(variants) => {
                    Some(variants.iter().filter(|v| v.ty.is_some()).map(move |v| (def.name.as_str(), v.name.as_str())))
                }
                _ => None,
            })
            .flatten()
            .collect(),
    );
    let mut parts = vec![Part::Items(Box::new(expand_head)), Part::OpenImpl(Box::new(expand_server))];
    for op in &api.operations {
        let name = if SERVER_METHODS.contains(&op.method_name.as_str()) {
            unique(&op.method_name, &mut taken)
        } else {
            op.method_name.clone()
        };
        let starter = Part::Methods(Box::new(move || vec![build_starter(op, &name)]));
        parts.push(gated(starter, &api.features, &op.features));
    }
    parts.push(Part::CloseImpl);
    for op in &api.operations {
        let payloads = Arc::clone(&payloads);
        parts.push(gated(Part::Syntax(Box::new(move || build_mock(&payloads, op))), &api.features, &op.features));
    }
    for def in &api.types {
        if let TypeKind::Struct(s) = &def.kind
            && !api.serialize.contains(&def.name)
        {
            let features = api.features.types.get(&def.name).map(Vec::as_slice).unwrap_or_default();
            let constructor = Part::Syntax(Box::new(move || build_constructor(&def.name, s).into_iter().collect()));
            parts.push(gated(constructor, &api.features, features));
        }
    }
    parts
}

/// The file's docs and `MockServer`.
fn expand_head() -> TokenStream {
    quote! {
        //! A typed mock server for tests of code that uses this client (feature `mock`).
        //!
        //! Start a [`MockServer`], point a client at it with [`MockServer::client_builder`], and
        //! mock each operation by its method name: match on its parameters and body, answer
        //! with a typed success or error, and say how often it must be called.

        /// A mock of the API on a free port of 127.0.0.1 (a wiremock server). The call counts
        /// mocks `expect` are checked when it is dropped, or by [`verify`](Self::verify).
        pub struct MockServer {
            server: ::wiremock::MockServer,
        }
    }
}

/// `impl MockServer` with its fixed methods, left open for the operations' starters.
fn expand_server() -> TokenStream {
    quote! {
        impl MockServer {
            /// Starts a server.
            pub async fn start() -> Self {
                MockServer { server: ::wiremock::MockServer::start().await }
            }

            /// Its base URL.
            pub fn uri(&self) -> ::std::string::String {
                self.server.uri()
            }

            /// A client builder whose base URL is this server; add credentials, then build it.
            pub fn client_builder(&self) -> crate::ClientBuilder {
                crate::Client::builder().base_url(self.server.uri())
            }

            /// The wiremock server itself, for what this module does not cover (the requests it
            /// received, mocks of undocumented routes).
            pub fn wiremock(&self) -> &::wiremock::MockServer {
                &self.server
            }

            /// Fails the test unless every mock was called as often as it `expect`ed.
            pub async fn verify(&self) {
                self.server.verify().await;
            }
        }
    }
}

/// `new` for a response type, which has no constructor outside this feature (request types
/// have theirs): its required fields as arguments, the others empty, to be set on its public
/// fields. `None` when every field is optional (`Default` serves).
fn build_constructor(name: &str, s: &Struct) -> Option<Item> {
    let required: Vec<&Field> =
        s.fields.iter().filter(|f| matches!(f.presence, Presence::Required | Presence::RequiredNullable)).collect();
    if required.is_empty() {
        return None;
    }
    let arguments = required.iter().map(|field| {
        let ty = type_syntax(&field.ty, true);
        let ty = match field.presence {
            Presence::RequiredNullable => std_generic(&["std", "option", "Option"], ty),
            _ => ty,
        };
        syntax::argument(ident(&field.name), ty)
    });
    let boxed = || syntax::path(true, &["std", "boxed", "Box", "new"]);
    let mut fields: Vec<FieldValue> = s
        .fields
        .iter()
        .map(|field| {
            let name = ident(&field.name);
            let variable = || syntax::variable(&field.name);
            let value = match field.presence {
                Presence::Required if field.boxed => Some(syntax::call(boxed(), vec![variable()])),
                Presence::RequiredNullable if field.boxed => {
                    Some(syntax::method_call(variable(), "map", vec![syntax::path_expr(boxed())]))
                }
                Presence::Required | Presence::RequiredNullable => None,
                Presence::Optional => Some(syntax::path_expr(syntax::path(true, &["std", "option", "Option", "None"]))),
                Presence::OptionalNullable => {
                    Some(syntax::path_expr(syntax::path(false, &["crate", "runtime", "Nullable", "Absent"])))
                }
            };
            syntax::field_value(name, value)
        })
        .collect();
    if let Some(extra) = &s.additional {
        let default = syntax::call(syntax::path(true, &["std", "default", "Default", "default"]), Vec::new());
        fields.push(syntax::field_value(ident(&extra.name), Some(default)));
    }
    let mut attrs = vec![syntax::doc(format!(
        " A `{name}` with its required fields, to answer with from a mock; set the others on its public fields."
    ))];
    if required.len() > 7 {
        attrs.push(syntax::list_attribute("allow", quote! { clippy::too_many_arguments }));
    }
    let body = syntax::struct_literal(syntax::path(false, &["Self"]), fields);
    let new = Function {
        attrs,
        inputs: arguments.collect(),
        ..Function::new(ident("new"), None, syntax::named_type(ident("Self")), vec![Stmt::Expr(body, None)])
    }
    .build();
    let ty = syntax::path_type(syntax::path(false, &["crate", "types", name]));
    Some(syntax::impl_block(None, ty, vec![new]))
}

/// `MockServer`'s own methods; an operation of one of these names gets another starter name.
const SERVER_METHODS: &[&str] = &["start", "uri", "client_builder", "wiremock", "verify"];

/// A mock's own methods; a parameter of one of these names gets another setter name.
const MOCK_METHODS: &[&str] =
    &["matching", "expect", "up_to_n_times", "header", "ok", "error", "respond", "mount", "body"];

/// `name` with `_` appended until no taken name is it; the result is taken.
fn unique(name: &str, taken: &mut FxHashSet<String>) -> String {
    let mut name = format!("{name}_");
    while taken.contains(&name) {
        name.push('_');
    }
    taken.insert(name.clone());
    name
}

fn mock_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Mock", op.builder)
}

/// `MockServer::update_call`: starts the operation's mock.
fn build_starter(op: &Operation, name: &str) -> ImplItem {
    let mock = mock_name(op);
    let doc = format!(
        " Mocks [`Client::{}`](crate::Client::{}) (`{} {}`).",
        op.method_name, op.method_name, op.http_method, op.path
    );
    let pieces = path_pieces(op).iter().map(|piece| syntax::string(piece)).collect();
    let call = syntax::call(
        syntax::path(false, &["crate", "runtime", "MockCall", "new"]),
        vec![
            syntax::borrow(syntax::field(syntax::variable("self"), "server")),
            syntax::string(&op.http_method),
            syntax::borrow(syntax::array(pieces)),
        ],
    );
    let body = syntax::call(Path::from(mock.clone()), vec![call]);
    Function {
        attrs: vec![syntax::doc(doc)],
        ..Function::new(ident(name), Some(SelfArg::Ref(None)), elided(mock), vec![Stmt::Expr(body, None)])
    }
    .build()
}

/// `Name<'_>`.
fn elided(name: Ident) -> Type {
    syntax::path_type(syntax::with_lifetime(Path::from(name), Lifetime::new("'_", Span::call_site())))
}

fn path_params(op: &Operation) -> impl Iterator<Item = &crate::ir::Param> {
    op.path_parts.iter().filter_map(|part| match part {
        PathPart::Param(index) => op.params.get(*index),
        PathPart::Literal(_) => None,
    })
}

/// The mock type of one operation: the shared methods from `runtime::mock_methods!`, its own
/// setters and answers.
fn build_mock(payloads: &Payloads<'_>, op: &Operation) -> Vec<Item> {
    let mock = mock_name(op);
    let doc = format!(
        " A mock of [`Client::{}`](crate::Client::{}): narrow what it matches, then answer with `ok`, `error` or `respond`.",
        op.method_name, op.method_name
    );
    let lifetime = Lifetime::new("'a", Span::call_site());
    let call = syntax::with_lifetime(syntax::path(false, &["crate", "runtime", "MockCall"]), lifetime.clone());
    let attrs = vec![
        syntax::doc(doc),
        syntax::name_value_attribute("must_use", "a mock does nothing until `ok`, `error` or `respond` mounts it"),
    ];
    let mut methods = build_matchers(op);
    methods.extend(build_ok(payloads, op));
    methods.extend(build_error(payloads, op));
    vec![
        syntax::tuple_struct(attrs, mock.clone(), syntax::lifetime_generics(lifetime), syntax::path_type(call)),
        syntax::macro_item(syntax::path(false, &["crate", "runtime", "mock_methods"]), false, mock.to_token_stream()),
        syntax::impl_block(None, elided(mock), methods),
    ]
}

/// A setter of a mock: `pub fn name(self, argument: ty) -> Self { Self(self.0.method(args)) }`.
fn setter(doc: String, name: &str, argument: (&str, Type), method: &str, args: Vec<Expr>) -> ImplItem {
    let inner = syntax::method_call(syntax::first_field(syntax::variable("self")), method, args);
    let body = syntax::call(syntax::path(false, &["Self"]), vec![inner]);
    Function {
        attrs: vec![syntax::doc(doc)],
        inputs: vec![syntax::argument(ident(argument.0), argument.1)],
        ..Function::new(
            ident(name),
            Some(SelfArg::Value),
            syntax::named_type(ident("Self")),
            vec![Stmt::Expr(body, None)],
        )
    }
    .build()
}

/// `impl ::std::fmt::Display`.
fn display() -> Type {
    syntax::impl_trait(syntax::path(true, &["std", "fmt", "Display"]))
}

/// The setters that narrow the match: path, scalar query and header parameters, a JSON body.
fn build_matchers(op: &Operation) -> Vec<ImplItem> {
    let mut out = Vec::new();
    let mut taken: FxHashSet<String> = op.params.iter().map(|p| p.name.clone()).collect();
    taken.extend(MOCK_METHODS.iter().map(|m| (*m).to_owned()));
    let mut setter_name = |name: &str| {
        if MOCK_METHODS.contains(&name) { unique(name, &mut taken) } else { name.to_owned() }
    };
    let value = || syntax::variable("value");
    for (slot, param) in path_params(op).enumerate() {
        let name = setter_name(&param.name);
        let doc = format!(" Matches only requests whose path parameter `{}` is `value`.", param.wire);
        let slot = syntax::integer(u16::try_from(slot).unwrap_or(u16::MAX));
        out.push(setter(doc, &name, ("value", display()), "path", vec![slot, value()]));
    }
    for param in op.params.iter().filter(|p| p.location == ParamLocation::Query && p.ty.is_scalar()) {
        let name = setter_name(&param.name);
        let doc = format!(" Matches only requests whose query parameter `{}` is `value`.", param.wire);
        out.push(setter(doc, &name, ("value", display()), "query", vec![syntax::string(&param.wire), value()]));
    }
    for param in op.params.iter().filter(|p| p.location == ParamLocation::Header && p.ty.is_scalar()) {
        let name = setter_name(&param.name);
        let doc = format!(" Matches only requests whose header `{}` is `value`.", param.wire);
        let args = vec![syntax::string(&param.wire), value()];
        out.push(setter(doc, &name, ("value", display()), "request_header", args));
    }
    if let Some(body) = op.body.as_ref().filter(|b| b.encoding == BodyEncoding::Json) {
        let ty = syntax::reference(borrowed_syntax(&body.ty));
        let doc = " Matches only requests whose JSON body equals `body`.".to_owned();
        out.push(setter(doc, "body", ("body", ty), "body", vec![syntax::variable("body")]));
    }
    out
}

/// The type a `&` argument of `ty` is spelled with: `[T]` for a `Vec<T>`, `str` for a string.
fn borrowed_syntax(ty: &TypeRef) -> Type {
    match ty {
        TypeRef::Vec(item) => syntax::slice(type_syntax(item, true)),
        TypeRef::String => syntax::named_type(ident("str")),
        other => type_syntax(other, true),
    }
}

/// The path's text around its parameters, for `runtime::MockCall::new`: `["/pets/", ""]` for
/// `/pets/{id}`.
fn path_pieces(op: &Operation) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(text) => piece.push_str(text),
            PathPart::Param(_) => pieces.push(std::mem::take(&mut piece)),
        }
    }
    pieces.push(piece);
    pieces
}

/// The status a mock answers with for a response.
fn status_of(response: &Response) -> u16 {
    match response.status {
        StatusMatch::Code(code) => code,
        StatusMatch::Range(hundreds) => hundreds * 100,
        StatusMatch::Default => {
            if response.success {
                200
            } else {
                500
            }
        }
    }
}

/// A response template with `status` and the body `body` (a variable) of kind `kind`, sent as
/// the first of `media` when the response is one of its status's other representations.
fn template(status: u16, kind: &ResponseBody, media: &[String], body: &str) -> Expr {
    let body = || syntax::variable(body);
    let to_string = || syntax::call(syntax::path(true, &["std", "string", "ToString", "to_string"]), vec![body()]);
    let new = syntax::call(syntax::path(true, &["wiremock", "ResponseTemplate", "new"]), vec![syntax::integer(status)]);
    if let Some(media) = media.first() {
        let bytes = match kind {
            ResponseBody::Json(_) => syntax::method_call(
                syntax::call(syntax::path(true, &["serde_json", "to_vec"]), vec![body()]),
                "expect",
                vec![syntax::string("a generated type serialises")],
            ),
            ResponseBody::Binary => syntax::method_call(body(), "to_vec", Vec::new()),
            ResponseBody::Empty => syntax::call(syntax::path(true, &["std", "vec", "Vec", "new"]), Vec::new()),
            _ => syntax::method_call(to_string(), "into_bytes", Vec::new()),
        };
        return syntax::method_call(new, "set_body_raw", vec![bytes, syntax::string(media)]);
    }
    match kind {
        ResponseBody::Json(_) => syntax::method_call(new, "set_body_json", vec![body()]),
        ResponseBody::Text | ResponseBody::EventStream(_) | ResponseBody::Items { .. } => {
            syntax::method_call(new, "set_body_string", vec![to_string()])
        }
        ResponseBody::Binary => {
            syntax::method_call(new, "set_body_bytes", vec![syntax::method_call(body(), "to_vec", Vec::new())])
        }
        ResponseBody::Empty => new,
    }
}

/// `self.0.mount(response).await;`
fn mount(response: Expr) -> Stmt {
    let mount = syntax::method_call(syntax::first_field(syntax::variable("self")), "mount", vec![response]);
    syntax::statement(syntax::await_expr(mount))
}

/// `pub async fn name(self, argument: ty) { stmts }`: an answer, which returns nothing.
fn answer(doc: String, name: &str, argument: Option<(&str, Type)>, stmts: Vec<Stmt>) -> ImplItem {
    Function {
        attrs: vec![syntax::doc(doc)],
        asynchronous: true,
        inputs: argument.into_iter().map(|(name, ty)| syntax::argument(ident(name), ty)).collect(),
        ..Function::new(ident(name), Some(SelfArg::Value), syntax::tuple_type([]), stmts)
    }
    .build()
}

/// `let response = match value { Type::Variant(body) => template, .. };` for the responses of
/// the enum `ty` (a success or error enum), each answered with its status and body.
fn answer_by_variant(payloads: &Payloads<'_>, ty: &TypeRef, responses: &[&Response], value: &str) -> Stmt {
    let arms = responses.iter().map(|response| {
        let mut path = match type_syntax(ty, true) {
            Type::Path(path) => path.path,
            _ => syntax::path(false, &[]),
        };
        path.segments.push(ident(&response.variant).into());
        let payload = has_payload(payloads, ty, &response.variant);
        let (pattern, kind) = if payload {
            (syntax::tuple_pattern(path, "body"), &response.body)
        } else {
            (syntax::path_pattern(path), &ResponseBody::Empty)
        };
        syntax::arm(pattern, template(status_of(response), kind, &response.media, "body"))
    });
    syntax::local("response", false, syntax::match_expr(syntax::variable(value), arms.collect()))
}

/// `ok`: the typed success (a success enum's variants by status, events for an event stream).
fn build_ok(payloads: &Payloads<'_>, op: &Operation) -> Option<ImplItem> {
    let successes: Vec<&Response> = op.responses.iter().filter(|r| r.success).collect();
    let first = successes.first()?;
    if op.success_enum {
        let doc = " Answers with `success`: the status of its variant and its body.".to_owned();
        let ty = syntax::reference(type_syntax(&op.success, true));
        let stmts =
            vec![answer_by_variant(payloads, &op.success, &successes, "success"), mount(syntax::variable("response"))];
        return Some(answer(doc, "ok", Some(("success", ty)), stmts));
    }
    let status = status_of(first);
    let doc = format!(" Answers {status} with `body`.");
    let argument = match &first.body {
        // Streams answer with a list, written out in the stream's framing.
        ResponseBody::EventStream(_) | ResponseBody::Items { .. } => {
            let tokens = expand_stream_ok(first);
            return Some(syn::parse2(tokens.clone()).unwrap_or(ImplItem::Verbatim(tokens)));
        }
        ResponseBody::Json(_) => syntax::reference(borrowed_syntax(&op.success)),
        ResponseBody::Text => syntax::reference(syntax::named_type(ident("str"))),
        ResponseBody::Binary => syntax::reference(syntax::slice(syntax::named_type(ident("u8")))),
        ResponseBody::Empty => {
            let doc = format!(" Answers {status} without a body.");
            let stmts = vec![mount(template(status, &ResponseBody::Empty, &[], "body"))];
            return Some(answer(doc, "ok", None, stmts));
        }
    };
    let stmts = vec![mount(template(status, &first.body, &first.media, "body"))];
    Some(answer(doc, "ok", Some(("body", argument)), stmts))
}

/// `ok` of an operation whose success is a stream: events or JSON items, given as a list.
fn expand_stream_ok(first: &Response) -> TokenStream {
    let status = Literal::u16_unsuffixed(status_of(first));
    match &first.body {
        ResponseBody::EventStream(item) => {
            let (item, data) = match item {
                Some(ty) => {
                    let ty = type_tokens(ty, true);
                    (ty, quote! { ::serde_json::to_string(event).expect("a generated type serialises") })
                }
                None => (quote! { &str }, quote! { ::std::string::ToString::to_string(event) }),
            };
            quote! {
                /// Answers with a `text/event-stream` of `events`, one `data:` event each.
                pub async fn ok(self, events: &[#item]) {
                    let mut stream = ::std::string::String::new();
                    for event in events {
                        let data: ::std::string::String = #data;
                        for line in data.lines() {
                            stream.push_str("data: ");
                            stream.push_str(line);
                            stream.push('\n');
                        }
                        stream.push('\n');
                    }
                    let response = ::wiremock::ResponseTemplate::new(#status)
                        .set_body_raw(stream.into_bytes(), "text/event-stream");
                    self.0.mount(response).await;
                }
            }
        }
        ResponseBody::Items { media, item } => {
            let item = type_tokens(item, true);
            // JSON text sequences (RFC 7464) start each item with a record separator.
            let separator = media.contains("json-seq").then(|| quote! { body.push('\u{1e}'); });
            let media = Literal::string(media);
            quote! {
                /// Answers with `items` as a stream of JSON values, one per line.
                pub async fn ok(self, items: &[#item]) {
                    let mut body = ::std::string::String::new();
                    for item in items {
                        #separator
                        body.push_str(&::serde_json::to_string(item).expect("a generated type serialises"));
                        body.push('\n');
                    }
                    let response = ::wiremock::ResponseTemplate::new(#status).set_body_raw(body.into_bytes(), #media);
                    self.0.mount(response).await;
                }
            }
        }
        _ => TokenStream::new(),
    }
}

/// Whether variant `variant` of the responses enum `ty` carries a payload.
fn has_payload(payloads: &Payloads<'_>, ty: &TypeRef, variant: &str) -> bool {
    matches!(ty, TypeRef::Named(name) if payloads.contains(&(name.as_str(), variant)))
}

/// `error`: a variant of the operation's error enum, answered with its status and body.
fn build_error(payloads: &Payloads<'_>, op: &Operation) -> Option<ImplItem> {
    let errors: Vec<&Response> = op.responses.iter().filter(|r| !r.success).collect();
    if errors.is_empty() {
        return None;
    }
    let error = TypeRef::Named(op.error_type.clone());
    let doc = " Answers with `error`: the status its variant stands for, and its body.".to_owned();
    let ty = syntax::reference(type_syntax(&error, true));
    let stmts = vec![answer_by_variant(payloads, &error, &errors, "error"), mount(syntax::variable("response"))];
    Some(answer(doc, "error", Some(("error", ty)), stmts))
}
