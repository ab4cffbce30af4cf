//! Emits `operations.rs`: one request builder per operation, and the `Client` method that makes
//! it. The method takes the operation's required parameters and body; optional parameters,
//! headers, cookies and an optional body are set on the builder by name; `.await` (through
//! `IntoFuture`) or `send()` sends it.
//!
//! So adding an optional parameter to the spec adds a setter and breaks no call site, and no
//! caller ever writes a placeholder `None`. The builder borrows what it is given for `'a`, like
//! the arguments of a plain method would.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{FnArg, ImplItem, Item, Stmt};

use super::client::{request_statements, send_statement};
use super::types::type_tokens;
use super::{Part, docs, ident, syntax};
use crate::ir::{Api, BodyEncoding, Operation, ParamLocation, PathPart, RequestBody, TypeRef};

/// The `operations.rs` module: its head, then one part per operation's builder.
pub fn parts(api: &Api) -> Vec<Part<'_>> {
    let mut parts = vec![Part::Items(Box::new(|| expand_head(!api.operations.is_empty())))];
    for op in &api.operations {
        parts.push(Part::Syntax(Box::new(move || build_builder(op))));
        // Typed response headers and paging, beside the builder they extend.
        if !op.response_headers.is_empty() || op.pagination.is_some() {
            parts.push(Part::Items(Box::new(move || {
                let headers = super::headers::expand_headers(op);
                let paging = super::pagination::expand_paging(op);
                quote! { #headers #paging }
            })));
        }
    }
    parts
}

/// The names of the builder's fields, in order.
pub(super) fn input_names(op: &Operation) -> Vec<String> {
    inputs(op).into_iter().map(|input| input.name).collect()
}

fn expand_head(has_operations: bool) -> TokenStream {
    let uses = has_operations.then(|| quote! { use crate::runtime; });
    quote! {
        //! One request builder per operation, made by the [`Client`](crate::Client) method of the
        //! same name. Set optional parameters on it by name, then `.await` it.

        #uses
    }
}

/// One value the builder holds: a parameter or the body.
struct Input {
    name: String,
    /// The type it is held and set as (for a binary body, `::reqwest::Body`).
    ty: TokenStream,
    /// Binary bodies are taken as `impl Into<::reqwest::Body>` and converted.
    into_body: bool,
    required: bool,
    /// A declared path parameter the path template lacks: taken, never sent (lowering warns).
    unsent: bool,
    docs: Vec<String>,
}

impl Input {
    /// The type a method takes it as.
    fn argument(&self) -> TokenStream {
        if self.into_body {
            quote! { impl ::std::convert::Into<::reqwest::Body> }
        } else {
            self.ty.clone()
        }
    }

    /// The value to store, from the argument of the same name.
    fn stored(&self) -> TokenStream {
        let name = ident(&self.name);
        if self.into_body {
            quote! { #name.into() }
        } else {
            quote! { #name }
        }
    }
}

/// The operation's parameters (in argument order) and body.
fn inputs(op: &Operation) -> Vec<Input> {
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
        Input { name: p.name.clone(), ty: held(&p.ty, false), into_body: false, required: p.required, unsent, docs }
    });
    params.chain(op.body.as_ref().map(body_input)).collect()
}

fn body_input(body: &RequestBody) -> Input {
    let (ty, into_body) = match &body.encoding {
        BodyEncoding::Json | BodyEncoding::Form => (held(&body.ty, true), false),
        BodyEncoding::Text => (quote! { &'a str }, false),
        BodyEncoding::Multipart(form) => {
            let form = ident(&form.name);
            (quote! { &'a crate::client::#form }, false)
        }
        // Anything reqwest can send: bytes, a string, or a stream (sent once, never retried).
        BodyEncoding::Binary => (quote! { ::reqwest::Body }, true),
    };
    let docs = headed(format!("Sets the request body, sent as `{}`.", body.content_type), &body.docs);
    Input { name: "body".to_owned(), ty, into_body, required: body.required, unsent: false, docs }
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
fn held(ty: &TypeRef, body: bool) -> TokenStream {
    match ty {
        TypeRef::String => quote! { &'a str },
        TypeRef::Vec(inner) => {
            let inner = type_tokens(inner, true);
            quote! { &'a [#inner] }
        }
        ty if !body && ty.is_copy_scalar() => type_tokens(ty, true),
        other => {
            let ty = type_tokens(other, true);
            quote! { &'a #ty }
        }
    }
}

/// The `Client` method that starts the operation's builder from its required inputs.
pub(super) fn build_constructor(op: &Operation) -> ImplItem {
    let inputs = inputs(op);
    let builder = ident(&op.builder);
    let method = ident(&op.method_name);
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
    let doc = docs::outer(&doc_lines);
    let deprecated = op.deprecated.then(|| quote! { #[deprecated = "deprecated in the API specification"] });
    let arguments = inputs.iter().filter(|input| input.required).map(|input| {
        let name = ident(&input.name);
        let ty = input.argument();
        quote! { #name: #ty }
    });
    let fields = inputs.iter().map(|input| {
        let name = ident(&input.name);
        if input.required {
            if input.into_body {
                quote! { #name: #name.into() }
            } else {
                quote! { #name }
            }
        } else {
            quote! { #name: ::std::option::Option::None }
        }
    });
    let tokens = quote! {
        #doc
        #deprecated
        pub fn #method<'a>(&'a self, #(#arguments),*) -> crate::operations::#builder<'a> {
            crate::operations::#builder { client: self, #(#fields),* }
        }
    };
    syn::parse2(tokens.clone()).unwrap_or(ImplItem::Verbatim(tokens))
}

/// The builder struct, its setters and `send`, and its `IntoFuture`.
pub(super) fn build_builder(op: &Operation) -> Vec<Item> {
    let inputs = inputs(op);
    let builder = ident(&op.builder);
    let method = &op.method_name;
    let doc = docs::outer(&[
        format!("The request builder of [`Client::{method}`](crate::Client::{method}) (`{}`).", op.id),
        String::new(),
        "Set optional parameters by name, then `.await` it (or call [`send`](Self::send)).".to_owned(),
    ]);
    let fields = inputs.iter().map(|input| {
        let name = ident(&input.name);
        let ty = &input.ty;
        if input.unsent {
            quote! { #[allow(dead_code)] pub(crate) #name: #ty }
        } else if input.required {
            quote! { pub(crate) #name: #ty }
        } else {
            quote! { pub(crate) #name: ::std::option::Option<#ty> }
        }
    });

    let structure = item(quote! {
        #doc
        #[must_use = "a request does nothing until it is awaited"]
        pub struct #builder<'a> {
            pub(crate) client: &'a crate::Client,
            #(#fields,)*
        }
    });

    let setters = inputs.iter().filter(|input| !input.required).map(|input| {
        let doc = docs::outer(&input.docs);
        let name = ident(&input.name);
        let ty = input.argument();
        let value = input.stored();
        quote! {
            #doc
            pub fn #name(mut self, #name: #ty) -> Self {
                self.#name = ::std::option::Option::Some(#value);
                self
            }
        }
    });
    let error = ident(&op.error_type);
    let SendMethod { method: send, success, output } = build_send(op, &inputs);
    let mut methods = item(quote! {
        impl<'a> #builder<'a> {
            #(#setters)*
        }
    });
    if let Item::Impl(methods) = &mut methods {
        methods.items.push(send);
    }
    let into_future = item(quote! {
        impl<'a> ::std::future::IntoFuture for #builder<'a> {
            type Output = #output;
            type IntoFuture = runtime::CallFuture<'a, #success, crate::types::#error>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    });
    vec![structure, methods, into_future]
}

/// A builder's `send` method, with its success type and its whole output type (what `.await`
/// gives too).
struct SendMethod {
    method: ImplItem,
    success: TokenStream,
    output: TokenStream,
}

/// `pub async fn send(self) -> ...`: takes the builder apart and sends the request, as built by
/// the client emitter.
fn build_send(op: &Operation, inputs: &[Input]) -> SendMethod {
    let names = inputs.iter().map(|input| {
        let name = ident(&input.name);
        if input.unsent {
            quote! { #name: _ }
        } else {
            quote! { #name }
        }
    });
    let unpack = quote! { let Self { client, #(#names),* } = self; };
    let unpack = syn::parse2(unpack.clone()).unwrap_or(Stmt::Item(Item::Verbatim(unpack)));
    let mut stmts = vec![unpack];
    stmts.extend(request_statements(op));
    stmts.push(super::headers::request_statement(op));
    let (send, success) = send_statement(op, syntax::variable("client"));
    stmts.push(send);
    let success = success.into_token_stream();
    let error = ident(&op.error_type);
    let output = quote! {
        ::std::result::Result<runtime::ApiResponse<#success>, runtime::Error<crate::types::#error>>
    };
    let output_type = syn::parse2(output.clone()).unwrap_or(syn::Type::Verbatim(output.clone()));
    let doc = docs::outer_attributes(&["Sends the request; `.await`ing the builder does the same.".to_owned()]);
    let mut method = syntax::async_method(doc, ident("send"), Vec::<FnArg>::new(), output_type, stmts);
    // `send` takes the builder by value.
    if let ImplItem::Fn(function) = &mut method
        && let Some(FnArg::Receiver(receiver)) = function.sig.inputs.first_mut()
    {
        receiver.reference = None;
        *receiver.ty = syntax::named_type(ident("Self"));
    }
    SendMethod { method, success, output }
}

/// Tokens this module built, as an item; they always parse, and if they ever did not, they would
/// be kept verbatim for the compiler to report rather than stop the generator.
fn item(tokens: TokenStream) -> Item {
    syn::parse2(tokens.clone()).unwrap_or(Item::Verbatim(tokens))
}
