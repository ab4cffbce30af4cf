//! Emits `operations.rs`: one request builder per operation, and the `Client` method that makes
//! it. The method takes the operation's required parameters and body; optional parameters,
//! headers, cookies and an optional body are set on the builder by name; `.await` (through
//! `IntoFuture`) or `send()` sends it.
//!
//! So adding an optional parameter to the spec adds a setter and breaks no call site, and no
//! caller ever writes a placeholder `None`. The builder borrows what it is given for `'a`, like
//! the arguments of a plain method would.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Expr, GenericArgument, ImplItem, Item, Lifetime, Stmt, Type};

use super::client::{self, request_statements, send_statement, success_type};
use super::syntax::{SelfArg, with_arguments};
use super::types::type_syntax;
use super::{Part, docs, ident, syntax};
use crate::ir::{Api, BodyEncoding, Operation, ParamLocation, PathPart, RequestBody, TypeRef};

/// The `operations.rs` module: its head, then one part per operation's builder.
pub fn parts(api: &Api) -> Vec<Part<'_>> {
    let mut parts = vec![Part::Items(Box::new(|| expand_head(api)))];
    for op in &api.operations {
        let gated = |part| super::gated(part, &api.features, &op.features);
        parts.push(gated(Part::Syntax(Box::new(move || build_builder(op)))));
        // Typed response headers and paging, beside the builder they extend.
        if !op.response_headers.is_empty() {
            parts.push(gated(Part::Syntax(Box::new(move || super::headers::build_headers(op)))));
        }
        if op.pagination.is_some() {
            parts.push(gated(Part::Items(Box::new(move || super::pagination::expand_paging(op)))));
        }
    }
    parts
}

/// The names of the builder's fields, in order.
pub(super) fn input_names(op: &Operation) -> Vec<String> {
    inputs(op).into_iter().map(|input| input.name).collect()
}

fn expand_head(api: &Api) -> TokenStream {
    // With features, the import is used only when one of them compiles an operation.
    let operation_features: Vec<usize> = api.operations.iter().flat_map(|op| op.features.iter().copied()).collect();
    let uses = (!api.operations.is_empty()).then(|| {
        if operation_features.is_empty() {
            quote! { use crate::runtime; }
        } else {
            let mut features = operation_features;
            features.sort_unstable();
            features.dedup();
            let predicate = super::cfg_predicate(&api.features, &features);
            quote! { #[cfg(#predicate)] use crate::runtime; }
        }
    });
    quote! {
        //! One request builder per operation, made by the [`Client`](crate::Client) method of the
        //! same name. Set optional parameters on it by name, then `.await` it.

        #uses
    }
}

/// One value the builder holds: a parameter or the body.
struct Input<'o> {
    name: String,
    /// How it is held and set.
    held: Held<'o>,
    /// Binary bodies are taken as `impl Into<::reqwest::Body>` and converted.
    into_body: bool,
    required: bool,
    /// A declared path parameter the path template lacks: taken, never sent (lowering warns).
    unsent: bool,
    docs: Vec<String>,
}

/// How a builder holds an input (syntax trees are built, not cloned, so this is the recipe).
enum Held<'o> {
    /// A parameter of this type: strings and slices borrowed, small values by value.
    Param(&'o TypeRef),
    /// A JSON or form body of this type, always borrowed.
    Body(&'o TypeRef),
    /// `&'a str`.
    Text,
    /// `&'a crate::client::<form>`.
    Multipart(&'o str),
    /// `::reqwest::Body`: anything reqwest can send (bytes, a string, or a stream, sent once and
    /// never retried).
    Binary,
}

impl Input<'_> {
    /// The type it is held and set as.
    fn ty(&self) -> Type {
        match self.held {
            Held::Param(ty) => held(ty, false),
            Held::Body(ty) => held(ty, true),
            Held::Text => syntax::borrowed(a(), str_type()),
            Held::Multipart(form) => {
                syntax::borrowed(a(), syntax::path_type(syntax::path(false, &["crate", "client", form])))
            }
            Held::Binary => reqwest_body(),
        }
    }

    /// The type a method takes it as.
    fn argument(&self) -> Type {
        if self.into_body {
            syntax::impl_trait(syntax::generic(syntax::path(true, &["std", "convert", "Into"]), [reqwest_body()]))
        } else {
            self.ty()
        }
    }

    /// The value to store, from the argument of the same name.
    fn stored(&self) -> Expr {
        let name = syntax::variable(&self.name);
        if self.into_body { syntax::method_call(name, "into", Vec::new()) } else { name }
    }
}

/// The operation's parameters (in argument order) and body.
fn inputs(op: &Operation) -> Vec<Input<'_>> {
    let in_path: Vec<usize> = op
        .path_parts
        .iter()
        .filter_map(|part| match part {
            PathPart::Param(index) => Some(*index),
            PathPart::Literal(_) => None,
        })
        .collect();
    let params = op.params.iter().enumerate().map(|(index, p)| {
        let location = match p.location {
            ParamLocation::Path => "path parameter",
            ParamLocation::Query => "query parameter",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        };
        let docs = headed(format!("Sets the `{}` {location}.", p.wire), &p.docs);
        let unsent = p.location == ParamLocation::Path && !in_path.contains(&index);
        Input { name: p.name.clone(), held: Held::Param(&p.ty), into_body: false, required: p.required, unsent, docs }
    });
    params.chain(op.body.as_ref().map(body_input)).collect()
}

fn body_input(body: &RequestBody) -> Input<'_> {
    let held = match &body.encoding {
        BodyEncoding::Json | BodyEncoding::Form => Held::Body(&body.ty),
        BodyEncoding::Text => Held::Text,
        BodyEncoding::Multipart(form) => Held::Multipart(&form.name),
        BodyEncoding::Binary => Held::Binary,
    };
    let into_body = matches!(held, Held::Binary);
    let docs = headed(format!("Sets the request body, sent as `{}`.", body.content_type), &body.docs);
    Input { name: "body".to_owned(), held, into_body, required: body.required, unsent: false, docs }
}

/// The lifetime `'a` every builder borrows its inputs for.
fn a() -> Lifetime {
    Lifetime::new("'a", Span::call_site())
}

fn str_type() -> Type {
    syntax::named_type(ident("str"))
}

fn reqwest_body() -> Type {
    syntax::path_type(syntax::path(true, &["reqwest", "Body"]))
}

/// `crate::operations::Builder<'a>`.
fn builder_path(op: &Operation) -> syn::Path {
    syntax::with_lifetime(syntax::path(false, &["crate", "operations", &op.builder]), a())
}

/// `::std::option::Option::name`.
fn option(name: &str) -> syn::Path {
    syntax::path(true, &["std", "option", "Option", name])
}

/// Doc lines: `first`, then the spec's `details` after a blank line if there are any.
fn headed(first: String, details: &[String]) -> Vec<String> {
    let mut lines = vec![first];
    if !details.is_empty() {
        lines.push(String::new());
        lines.extend(details.iter().cloned());
    }
    lines
}

/// How a value of `ty` is held: strings and slices borrowed, small values by value (a body
/// always borrowed).
fn held(ty: &TypeRef, body: bool) -> Type {
    match ty {
        TypeRef::String => syntax::borrowed(a(), str_type()),
        TypeRef::Vec(inner) => syntax::borrowed(a(), syntax::slice(type_syntax(inner, true))),
        ty if !body && ty.is_copy_scalar() => type_syntax(ty, true),
        other => syntax::borrowed(a(), type_syntax(other, true)),
    }
}

/// The `Client` method that starts the operation's builder from its required inputs.
pub(super) fn build_constructor(op: &Operation) -> ImplItem {
    let inputs = inputs(op);
    let mut doc_lines = op.docs.clone();
    if let Some(body) = &op.body
        && body.required
        && !body.docs.is_empty()
    {
        doc_lines.extend(["".to_owned(), "# Request body".to_owned(), String::new()]);
        doc_lines.extend(body.docs.iter().cloned());
    }
    let optional: Vec<String> = inputs
        .iter()
        .filter(|input| !input.required)
        .map(|input| format!("[`{0}`](crate::operations::{1}::{0})", input.name, op.builder))
        .collect();
    doc_lines.push(String::new());
    if optional.is_empty() {
        doc_lines.push(format!(
            "Returns the [`{0}`](crate::operations::{0}) request builder; `.await` it to send the request.",
            op.builder
        ));
    } else {
        doc_lines.push(format!(
            "Returns the [`{0}`](crate::operations::{0}) request builder: set {1} on it by name, then `.await` it.",
            op.builder,
            optional.join(", ")
        ));
    }
    let mut attrs = docs::outer_attributes(&doc_lines);
    if op.deprecated {
        attrs.push(syntax::name_value_attribute("deprecated", "deprecated in the API specification"));
    }
    let arguments = inputs
        .iter()
        .filter(|input| input.required)
        .map(|input| syntax::argument(ident(&input.name), input.argument()));
    let fields = inputs.iter().map(|input| {
        let value = if !input.required {
            Some(syntax::path_expr(option("None")))
        } else if input.into_body {
            Some(input.stored())
        } else {
            None
        };
        syntax::field_value(ident(&input.name), value)
    });
    let client = syntax::field_value(ident("client"), Some(syntax::variable("self")));
    let path = syntax::path(false, &["crate", "operations", &op.builder]);
    let builder = syntax::struct_literal(path, std::iter::once(client).chain(fields).collect());
    syntax::Function {
        attrs,
        generics: syntax::lifetime_generics(a()),
        inputs: arguments.collect(),
        ..syntax::Function::new(
            ident(&op.method_name),
            Some(SelfArg::Ref(Some(a()))),
            syntax::path_type(builder_path(op)),
            vec![Stmt::Expr(builder, None)],
        )
    }
    .build()
}

/// The builder struct, its setters and `send`, and its `IntoFuture`.
pub(super) fn build_builder(op: &Operation) -> Vec<Item> {
    let inputs = inputs(op);
    let builder = ident(&op.builder);
    let method = &op.method_name;
    let mut attrs = docs::outer_attributes(&[
        format!("The request builder of [`Client::{method}`](crate::Client::{method}) (`{}`).", op.id),
        String::new(),
        "Set optional parameters by name, then `.await` it (or call [`send`](Self::send)).".to_owned(),
    ]);
    attrs.push(syntax::name_value_attribute("must_use", "a request does nothing until it is awaited"));
    let client = syntax::borrowed(a(), syntax::path_type(syntax::path(false, &["crate", "Client"])));
    let fields = inputs.iter().map(|input| {
        let attrs = if input.unsent { vec![syntax::list_attribute("allow", quote! { dead_code })] } else { Vec::new() };
        let ty = if input.required {
            input.ty()
        } else {
            syntax::path_type(syntax::generic(syntax::path(true, &["std", "option", "Option"]), [input.ty()]))
        };
        syntax::field_with(attrs, syntax::crate_visible(), ident(&input.name), ty)
    });
    let fields = std::iter::once(syntax::field_with(Vec::new(), syntax::crate_visible(), ident("client"), client))
        .chain(fields)
        .collect();
    let structure = syntax::struct_item(attrs, builder.clone(), syntax::lifetime_generics(a()), fields);

    let self_type = || syntax::path_type(syntax::with_lifetime(syntax::path(false, &[&op.builder]), a()));
    let mut methods: Vec<ImplItem> = inputs
        .iter()
        .filter(|input| !input.required)
        .map(|input| {
            let set = syntax::assign(
                syntax::field(syntax::variable("self"), &input.name),
                syntax::call(option("Some"), vec![input.stored()]),
            );
            syntax::Function {
                attrs: docs::outer_attributes(&input.docs),
                inputs: vec![syntax::argument(ident(&input.name), input.argument())],
                ..syntax::Function::new(
                    ident(&input.name),
                    Some(SelfArg::Mut),
                    syntax::named_type(ident("Self")),
                    vec![syntax::statement(set), Stmt::Expr(syntax::variable("self"), None)],
                )
            }
            .build()
        })
        .collect();
    methods.push(build_send(op, &inputs));
    let methods = syntax::generic_impl(syntax::lifetime_generics(a()), None, self_type(), methods);

    // A plain call's future has a name, `runtime::Call`; a stream's `send` is an `async fn`,
    // whose future is boxed to be named.
    let streamed = client::streams_events(op);
    let sent = syntax::method_call(syntax::variable("self"), "send", Vec::new());
    let sent =
        if streamed { syntax::call(syntax::path(true, &["std", "boxed", "Box", "pin"]), vec![sent]) } else { sent };
    let into_future = syntax::Function {
        public: false,
        ..syntax::Function::new(
            ident("into_future"),
            Some(SelfArg::Value),
            syntax::path_type(syntax::path(false, &["Self", "IntoFuture"])),
            vec![Stmt::Expr(sent, None)],
        )
    }
    .build();
    let call_future = call_future(op, if streamed { "CallFuture" } else { "Call" });
    let into_future = syntax::generic_impl(
        syntax::lifetime_generics(a()),
        Some(syntax::path(true, &["std", "future", "IntoFuture"])),
        self_type(),
        vec![
            syntax::associated_type("Output", output(op)),
            syntax::associated_type("IntoFuture", call_future),
            into_future,
        ],
    );
    vec![structure, methods, into_future]
}

/// `runtime::NAME<'a, T, E>`: the future of the operation's call, `Call` or the boxed
/// `CallFuture`.
fn call_future(op: &Operation, name: &str) -> Type {
    let error = syntax::path_type(syntax::path(false, &["crate", "types", &op.error_type]));
    let arguments =
        [GenericArgument::Lifetime(a()), GenericArgument::Type(success_type(op)), GenericArgument::Type(error)];
    syntax::path_type(with_arguments(syntax::path(false, &["runtime", name]), arguments))
}

/// What `.await` gives: the operation's `Result`.
fn output(op: &Operation) -> Type {
    let error = syntax::path_type(syntax::path(false, &["crate", "types", &op.error_type]));
    let response =
        syntax::path_type(syntax::generic(syntax::path(false, &["runtime", "ApiResponse"]), [success_type(op)]));
    let failure = syntax::path_type(syntax::generic(syntax::path(false, &["runtime", "Error"]), [error]));
    syntax::path_type(syntax::generic(syntax::path(true, &["std", "result", "Result"]), [response, failure]))
}

/// `pub fn send(self) -> runtime::Call<'a, T, E>` (`pub async fn send(self) -> Result<...>` for
/// a stream): takes the builder apart and sends the request, as built by the client emitter.
fn build_send(op: &Operation, inputs: &[Input]) -> ImplItem {
    let names =
        std::iter::once((ident("client"), true)).chain(inputs.iter().map(|input| (ident(&input.name), !input.unsent)));
    let unpack =
        syntax::let_pattern(syntax::struct_pattern(syntax::path(false, &["Self"]), names), syntax::variable("self"));
    let mut stmts = vec![unpack];
    stmts.extend(request_statements(op));
    stmts.push(super::headers::request_statement(op));
    stmts.push(send_statement(op, syntax::variable("client")));
    let streamed = client::streams_events(op);
    let returns = if streamed { output(op) } else { call_future(op, "Call") };
    syntax::Function {
        attrs: docs::outer_attributes(&["Sends the request; `.await`ing the builder does the same.".to_owned()]),
        asynchronous: streamed,
        ..syntax::Function::new(ident("send"), Some(SelfArg::Value), returns, stmts)
    }
    .build()
}
