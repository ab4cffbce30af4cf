//! Emits `client.rs`: the `Client`, its builder's credential methods, one method per operation
//! that starts the operation's request builder (see `operations`), and the multipart form
//! structs. The body of a builder's `send` is built here too: it only describes the request and
//! how to decode each status; sending, authentication, retries and error mapping live in the
//! shared runtime (`src/runtime/`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Arm, Expr, Stmt, Type};

use super::types::{std_generic, std_string, type_syntax, type_tokens};
use super::{Part, api_name, docs, gated, ident, syntax};
use crate::ir::{
    Api, ApiKeyLocation, BodyEncoding, MultipartForm, Operation, Param, ParamLocation, ParamStyle, PartKind, PathPart,
    Presence, RequestBody, Response, ResponseBody, SchemeKind, StatusMatch, TypeRef,
};

/// The `client.rs` module: the client and its builder, one part per operation method, then the
/// multipart form types.
pub fn parts(api: &Api) -> Vec<Part<'_>> {
    let mut parts = vec![Part::Items(Box::new(|| expand_head(api))), Part::OpenImpl(Box::new(expand_impl_client))];
    parts.extend(api.operations.iter().map(|op| {
        let method = Part::Methods(Box::new(move || vec![super::operations::build_constructor(op)]));
        gated(method, &api.features, &op.features)
    }));
    parts.push(Part::CloseImpl);
    parts.extend(api.operations.iter().filter_map(|op| {
        let form = multipart_form(op)?;
        Some(gated(Part::Items(Box::new(move || expand_form(form, &op.method_name))), &api.features, &op.features))
    }));
    parts
}

/// Everything before `impl Client`.
fn expand_head(api: &Api) -> TokenStream {
    let base_url = &api.base_url;
    let schemes = api.security_schemes.iter().map(|scheme| {
        let name = &scheme.name;
        let kind = match &scheme.kind {
            SchemeKind::Bearer => quote! { runtime::SchemeKind::Bearer },
            SchemeKind::Basic => quote! { runtime::SchemeKind::Basic },
            SchemeKind::ApiKey { location, name } => {
                let location = match location {
                    ApiKeyLocation::Header => quote! { runtime::ApiKeyLocation::Header },
                    ApiKeyLocation::Query => quote! { runtime::ApiKeyLocation::Query },
                    ApiKeyLocation::Cookie => quote! { runtime::ApiKeyLocation::Cookie },
                };
                quote! { runtime::SchemeKind::ApiKey { location: #location, name: #name } }
            }
            SchemeKind::OAuth2ClientCredentials { token_url, scopes, .. } => {
                quote! { runtime::SchemeKind::OAuth2 { token_url: #token_url, scopes: &[#(#scopes),*] } }
            }
        };
        quote! { runtime::SecurityScheme { name: #name, kind: #kind }, }
    });
    let exchanges = api.security_schemes.iter().filter_map(|scheme| {
        let SchemeKind::OAuth2ClientCredentials { token_url, method, .. } = &scheme.kind else { return None };
        let name = &scheme.name;
        let method = ident(method);
        let doc = docs::outer(&[
            format!("Sets the client id and secret of the `{name}` OAuth 2.0 scheme: access tokens are"),
            format!("fetched from `{token_url}` when a call first needs one, kept until shortly before"),
            "they expire, fetched again (once per call) when the server answers 401, and shared by".to_owned(),
            "every clone of the client; concurrent calls wait for one fetch. The secret never appears".to_owned(),
            "in `Debug` output, errors or logs.".to_owned(),
        ]);
        Some(quote! {
            #doc
            pub fn #method(
                self,
                client_id: impl ::std::convert::Into<::std::string::String>,
                client_secret: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.client_credentials(#name, client_id, client_secret)
            }
        })
    });
    let credential_methods = api.security_schemes.iter().map(|scheme| {
        let doc = docs::outer(&scheme.docs);
        let method = ident(&scheme.method);
        let name = &scheme.name;
        match scheme.kind {
            SchemeKind::Basic => quote! {
                #doc
                pub fn #method(
                    self,
                    username: impl ::std::convert::Into<::std::string::String>,
                    password: impl ::std::convert::Into<::std::string::String>,
                ) -> Self {
                    self.basic_credential(#name, username, password)
                }
            },
            _ => quote! {
                #doc
                pub fn #method(self, secret: impl ::std::convert::Into<::std::string::String>) -> Self {
                    self.credential(#name, secret)
                }
            },
        }
    });
    let client_doc = docs::outer(&[
        format!("Client for {} (version {}).", api_name(&api.title), api.version),
        String::new(),
        "Cheap to clone: clones share one connection pool. Build it with [`Client::builder`].".to_owned(),
    ]);
    quote! {
        //! The API client: one method per operation, which returns its request builder.

        use crate::runtime;

        /// The base URL requests go to unless [`ClientBuilder::base_url`](runtime::ClientBuilder::base_url) says otherwise (the spec's first server).
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// The security schemes the spec declares.
        const SECURITY_SCHEMES: &[runtime::SecurityScheme] = &[#(#schemes)*];

        /// Builds a [`Client`]: base URL, credentials, timeouts, retries, user agent, headers.
        pub type ClientBuilder = runtime::ClientBuilder;

        impl runtime::ClientBuilder {
            #(#credential_methods)*
            #(#exchanges)*

            /// Builds the client. Fails on an invalid base URL or header, never on missing
            /// credentials: an operation that needs one reports it when called.
            pub fn build(self) -> ::std::result::Result<Client, runtime::BuildError> {
                ::std::result::Result::Ok(Client { core: self.build_core()? })
            }
        }

        #client_doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            pub(crate) core: runtime::Core,
        }
    }
}

/// `impl Client` with its fixed methods, left open for the operations' methods.
fn expand_impl_client() -> TokenStream {
    quote! {
        #[allow(clippy::should_implement_trait, clippy::wrong_self_convention, clippy::too_many_arguments)]
        impl Client {
            /// A builder with the spec's defaults (base URL, no credentials yet).
            pub fn builder() -> ClientBuilder {
                runtime::ClientBuilder::new(DEFAULT_BASE_URL, SECURITY_SCHEMES)
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }

            /// A copy of this client whose calls use `options` (timeout, retry policy, extra
            /// headers). The original is unchanged; both share one connection pool.
            pub fn with_options(&self, options: runtime::RequestOptions) -> Self {
                Client { core: self.core.with_options(options) }
            }
        }
    }
}

/// The statements that build the call's `request`: path, fixed query pairs, parameters, body.
pub(super) fn request_statements(op: &Operation) -> Vec<Stmt> {
    let alternatives =
        op.security.iter().map(|set| syntax::borrow(syntax::array(set.iter().map(|s| syntax::string(s)).collect())));
    let new_request = syntax::call(
        syntax::path(false, &["runtime", "Request", "new"]),
        vec![
            syntax::string(&op.id),
            method_expression(&op.http_method),
            path_expression(op),
            syntax::borrow(syntax::array(alternatives.collect())),
        ],
    );
    let sends_query = !op.fixed_query.is_empty() || op.params.iter().any(|p| p.location != ParamLocation::Path);
    let mut stmts = vec![syntax::local("request", op.body.is_some() || sends_query, new_request)];
    stmts.extend(op.fixed_query.iter().map(|(key, value)| {
        syntax::statement(request_call("query", vec![syntax::string(key), syntax::string(value)]))
    }));
    stmts.extend(op.params.iter().filter(|p| p.location != ParamLocation::Path).map(send_param));
    if let Some(body) = &op.body {
        let set = syntax::statement(set_body(body));
        stmts.push(if body.required { set } else { if_some("body", vec![set]) });
    }

    stmts
}

/// `::reqwest::Method::GET` for a method `reqwest` names; any other (3.2's `QUERY`, an
/// additional operation's) is made from its name, which lowering checked is a method token, so
/// `from_bytes` cannot fail and its default is never used.
fn method_expression(method: &str) -> Expr {
    const NAMED: [&str; 9] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"];
    if NAMED.contains(&method) {
        return syntax::path_expr(syntax::path(true, &["reqwest", "Method", method]));
    }
    let bytes = syntax::method_call(syntax::string(method), "as_bytes", Vec::new());
    let parsed = syntax::call(syntax::path(true, &["reqwest", "Method", "from_bytes"]), vec![bytes]);
    syntax::method_call(parsed, "unwrap_or_default", Vec::new())
}

/// The type of the operation's success body, as `send` returns it in its `ApiResponse`.
pub(super) fn success_type(op: &Operation) -> Type {
    match (event_stream(op), success_body(op)) {
        (Some(item), _) => {
            let item = item.map_or_else(std_string, |ty| type_syntax(ty, true));
            syntax::path_type(syntax::generic(syntax::path(false, &["runtime", "EventStream"]), [item]))
        }
        (None, Some(ResponseBody::Items { item, .. })) => syntax::path_type(syntax::generic(
            syntax::path(false, &["runtime", "ItemStream"]),
            [type_syntax(item, true)],
        )),
        (None, Some(ResponseBody::Binary)) => std_generic(&["std", "vec", "Vec"], named_type("u8")),
        (None, _) => type_syntax(&op.success, true),
    }
}

/// The statement that sends `request` and decodes the response: the expression `send` returns.
pub(super) fn send_statement(op: &Operation, client: Expr) -> Stmt {
    let events = event_stream(op);
    let items = item_stream(op);
    // A stream's success statuses are streamed, not decoded.
    let streamed = events.is_some() || items.is_some();
    let decoded: Vec<&Response> = op.responses.iter().filter(|r| !(streamed && r.success)).collect();
    let mut arms = decode_arms(op, &decoded);
    let reads_body = decoded.iter().any(|r| match r.body {
        ResponseBody::Empty => false,
        ResponseBody::Binary => r.success,
        _ => true,
    });
    let body = if reads_body { syntax::binding_pattern("body") } else { syntax::wild_pattern() };
    let reads_headers = decoded.iter().any(|r| !r.media.is_empty());
    let headers = if reads_headers { syntax::binding_pattern("headers") } else { syntax::wild_pattern() };
    let decoder = if arms.is_empty() {
        syntax::closure(vec![syntax::wild_pattern(), syntax::wild_pattern(), syntax::wild_pattern()], none())
    } else if matches!(decoded.as_slice(), [only] if only.status == StatusMatch::Default) {
        // A lone `default` response decodes every status: a `match` of one `_` arm would be
        // clippy's `match_single_binding`, so the arm's body is the decoder's.
        syntax::closure(vec![syntax::wild_pattern(), headers, body], *arms.remove(0).body)
    } else {
        if !decoded.iter().any(|r| r.status == StatusMatch::Default) {
            arms.push(syntax::arm(syntax::wild_pattern(), none()));
        }
        let status = syntax::method_call(syntax::variable("status"), "as_u16", Vec::new());
        syntax::closure(vec![syntax::binding_pattern("status"), headers, body], syntax::match_expr(status, arms))
    };
    let request = syntax::variable("request");
    let stream = |kind: &str| syntax::path_expr(syntax::path(false, &["runtime", "EventStream", kind]));
    let (send, send_args) = match (events, items) {
        (Some(Some(_)), _) => ("send_events", vec![request, stream("json"), decoder]),
        (Some(None), _) => ("send_events", vec![request, stream("text"), decoder]),
        (None, Some(media)) => ("send_items", vec![request, syntax::string(media), decoder]),
        (None, None) => ("send", vec![request, decoder]),
    };
    let core = syntax::field(client, "core");
    let sent = syntax::method_call(core, send, send_args);
    // A plain call returns `Core::send`'s `runtime::Call`, which the builder's `send` returns
    // as it is; a stream's `send` is an `async fn`.
    Stmt::Expr(if streamed { syntax::await_expr(sent) } else { sent }, None)
}

/// `::std::option::Option::None`.
fn none() -> Expr {
    syntax::path_expr(syntax::path(true, &["std", "option", "Option", "None"]))
}

/// `if let ::std::option::Option::Some(name) = name { stmts }`.
fn if_some(name: &str, stmts: Vec<Stmt>) -> Stmt {
    let some = syntax::tuple_pattern(syntax::path(true, &["std", "option", "Option", "Some"]), name);
    syntax::block_statement(syntax::if_let(some, syntax::variable(name), stmts))
}

/// `request.method(args)`.
fn request_call(method: &str, args: Vec<Expr>) -> Expr {
    syntax::method_call(syntax::variable("request"), method, args)
}

/// The type named by one identifier.
fn named_type(name: &str) -> Type {
    syntax::named_type(ident(name))
}

/// The body every success response of `op` shares, unless it has a success enum.
fn success_body(op: &Operation) -> Option<&ResponseBody> {
    if op.success_enum {
        return None;
    }
    op.responses.iter().find(|r| r.success).map(|r| &r.body)
}

/// The form of the operation's `multipart/form-data` body, if it has one.
pub(super) fn multipart_form(op: &Operation) -> Option<&MultipartForm> {
    match &op.body.as_ref()?.encoding {
        BodyEncoding::Multipart(form) => Some(form),
        _ => None,
    }
}

/// Whether the operation's method returns a stream (of server-sent events or of JSON items).
pub(super) fn streams_events(op: &Operation) -> bool {
    event_stream(op).is_some() || item_stream(op).is_some()
}

/// `Some(media type)` when the operation's success body is a stream of JSON items.
fn item_stream(op: &Operation) -> Option<&str> {
    match success_body(op)? {
        ResponseBody::Items { media, .. } => Some(media),
        _ => None,
    }
}

/// `Some(data type)` when the operation's success body is a server-sent event stream.
fn event_stream(op: &Operation) -> Option<Option<&TypeRef>> {
    match success_body(op)? {
        ResponseBody::EventStream(item) => Some(item.as_ref()),
        _ => None,
    }
}

/// The call that puts `body` into `request`.
fn set_body(body: &RequestBody) -> Expr {
    let content_type = || syntax::string(&body.content_type);
    let body_arg = || syntax::variable("body");
    match &body.encoding {
        BodyEncoding::Json if body.content_type == "application/json" => request_call("json", vec![body_arg()]),
        BodyEncoding::Json => request_call("json_as", vec![content_type(), body_arg()]),
        BodyEncoding::Form => request_call("form", vec![body_arg()]),
        BodyEncoding::Multipart(_) => request_call("multipart", vec![body_arg()]),
        BodyEncoding::Text => request_call("text", vec![content_type(), body_arg()]),
        BodyEncoding::Binary => request_call("body", vec![content_type(), body_arg()]),
    }
}

/// The form struct of a multipart body and its `MultipartForm` implementation, which writes one
/// part per field.
fn expand_form(form: &MultipartForm, method: &str) -> TokenStream {
    let mut doc_lines = vec![format!("The `multipart/form-data` body of [`Client::{method}`].")];
    if !form.docs.is_empty() {
        doc_lines.push(String::new());
        doc_lines.extend(form.docs.iter().cloned());
    }
    let doc = docs::outer(&doc_lines);
    let name = ident(&form.name);
    let required = |presence: Presence| presence == Presence::Required;
    let default = form
        .fields
        .iter()
        .all(|f| !required(f.field.presence) || matches!(f.part, PartKind::Files(_)))
        .then(|| quote! { ::std::default::Default, });
    let fields = form.fields.iter().map(|f| {
        let doc = docs::outer(&f.field.docs);
        let field = ident(&f.field.name);
        let (ty, optional) = form_field_type(f);
        let ty = if optional {
            quote! { ::std::option::Option<#ty> }
        } else {
            ty
        };
        quote! { #doc pub #field: #ty, }
    });
    let constructors = form_constructors(form);
    let writes = form.fields.iter().map(|f| {
        let field = ident(&f.field.name);
        let wire = &f.field.wire;
        match &f.part {
            PartKind::Value => quote! { form.field(#wire, &self.#field); },
            PartKind::File(content_type) if required(f.field.presence) => {
                quote! { form.file(#wire, &self.#field, #content_type); }
            }
            PartKind::File(content_type) | PartKind::Files(content_type) => {
                quote! { form.files(#wire, &self.#field, #content_type); }
            }
        }
    });
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, #default ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            #constructors
        }

        impl runtime::MultipartForm for #name {
            fn write_parts(&self, form: &mut runtime::Multipart) {
                #(#writes)*
            }
        }
    }
}

/// The type a form field holds, and whether the field is an `Option` of it (optional fields but
/// file lists, which are empty when absent).
fn form_field_type(f: &crate::ir::FormField) -> (TokenStream, bool) {
    let ty = match &f.part {
        PartKind::Value => type_tokens(&f.field.ty, true),
        PartKind::File(_) => quote! { runtime::FilePart },
        PartKind::Files(_) => quote! { ::std::vec::Vec<runtime::FilePart> },
    };
    (ty, f.field.presence != Presence::Required && !matches!(f.part, PartKind::Files(_)))
}

/// A form's `new` (its required fields) and a `with_` setter per other field, so callers never
/// need the struct literal that `#[non_exhaustive]` forbids.
fn form_constructors(form: &MultipartForm) -> TokenStream {
    let required = |presence: Presence| presence == Presence::Required;
    let arguments: Vec<TokenStream> = form
        .fields
        .iter()
        .filter(|f| required(f.field.presence))
        .map(|f| {
            let field = ident(&f.field.name);
            let (ty, _) = form_field_type(f);
            quote! { #field: #ty }
        })
        .collect();
    let many = (arguments.len() > 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    let new = (!arguments.is_empty()).then(|| {
        let values = form.fields.iter().map(|f| {
            let field = ident(&f.field.name);
            match (required(f.field.presence), &f.part) {
                (true, _) => quote! { #field },
                (false, PartKind::Files(_)) => quote! { #field: ::std::vec::Vec::new() },
                (false, _) => quote! { #field: ::std::option::Option::None },
            }
        });
        quote! {
            /// A form with its required fields; the optional ones are set with the `with_` methods.
            #many
            pub fn new(#(#arguments),*) -> Self {
                Self { #(#values),* }
            }
        }
    });
    let optional: Vec<&crate::ir::FormField> = form.fields.iter().filter(|f| !required(f.field.presence)).collect();
    let names = crate::names::setter_names(optional.iter().map(|f| f.field.name.as_str()));
    let setters = optional.iter().zip(&names).map(|(f, setter)| {
        let field = ident(&f.field.name);
        let setter = ident(setter);
        let doc = format!(" Sets [`{0}`](Self::{0}).", crate::names::bare(&f.field.name));
        let (ty, optional) = form_field_type(f);
        let value = if optional {
            quote! { ::std::option::Option::Some(#field) }
        } else {
            quote! { #field }
        };
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, #field: #ty) -> Self {
                self.#field = #value;
                self
            }
        }
    });
    quote! {
        #new
        #(#setters)*
    }
}

/// One `status => decode` arm per response, codes before ranges before `default`; a status's
/// other representations come before its main one, guarded by their `Content-Type`.
fn decode_arms(op: &Operation, responses: &[&Response]) -> Vec<Arm> {
    let mut responses = responses.to_vec();
    responses.sort_by_key(|r| {
        let class = match r.status {
            StatusMatch::Code(_) => 0,
            StatusMatch::Range(_) => 1,
            StatusMatch::Default => 2,
        };
        (class, r.media.is_empty())
    });
    let success_type = match &op.success {
        TypeRef::Named(name) => name.as_str(),
        _ => "Unit",
    };
    responses
        .into_iter()
        .map(|response| {
            let pattern = match response.status {
                StatusMatch::Code(code) => syntax::integer_pattern(code),
                StatusMatch::Range(hundreds) => syntax::range_pattern(hundreds * 100, hundreds * 100 + 99),
                StatusMatch::Default => syntax::wild_pattern(),
            };
            let body = || syntax::variable("body");
            let variant = |ty: &str| syntax::path_expr(syntax::path(false, &["crate", "types", ty, &response.variant]));
            let runtime =
                |function: &str, args: Vec<Expr>| syntax::call(syntax::path(false, &["runtime", function]), args);
            // Event and item streams are only lowered as a lone success body, which is streamed
            // and never reaches a decoder; anywhere else they would be text.
            let decode = match (&response.body, response.success, op.success_enum) {
                (ResponseBody::Json(_), true, false) => runtime("ok_json", vec![body()]),
                (ResponseBody::Text | ResponseBody::EventStream(_) | ResponseBody::Items { .. }, true, false) => {
                    runtime("ok_text", vec![body()])
                }
                (ResponseBody::Binary, true, false) => runtime("ok_bytes", vec![body()]),
                (ResponseBody::Empty, true, false) => runtime("ok", vec![syntax::unit()]),
                (ResponseBody::Json(_), true, true) => runtime("ok_json_as", vec![body(), variant(success_type)]),
                (ResponseBody::Text | ResponseBody::EventStream(_) | ResponseBody::Items { .. }, true, true) => {
                    runtime("ok_text_as", vec![body(), variant(success_type)])
                }
                (ResponseBody::Binary, true, true) => runtime("ok_bytes_as", vec![body(), variant(success_type)]),
                (ResponseBody::Empty, true, true) => runtime("ok", vec![variant(success_type)]),
                (ResponseBody::Json(_), false, _) => runtime("err_json", vec![body(), variant(&op.error_type)]),
                (ResponseBody::Text | ResponseBody::EventStream(_) | ResponseBody::Items { .. }, false, _) => {
                    runtime("err_text", vec![body(), variant(&op.error_type)])
                }
                (ResponseBody::Empty | ResponseBody::Binary, false, _) => runtime("err", vec![variant(&op.error_type)]),
            };
            let mut arm = syntax::arm(pattern, decode);
            if !response.media.is_empty() {
                let media = response.media.iter().map(|media| syntax::string(media)).collect();
                let test = runtime("media_is", vec![syntax::variable("headers"), syntax::borrow(syntax::array(media))]);
                arm.guard = Some((Default::default(), Box::new(test)));
            }
            arm
        })
        .collect()
}

/// `format!("/calls/{}", runtime::path_segment(call_id))`
fn path_expression(op: &Operation) -> Expr {
    let mut template = String::new();
    let mut values = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(text) => template.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(index) => {
                template.push_str("{}");
                values.push(path_value(&op.params[*index]));
            }
        }
    }
    if values.is_empty() {
        syntax::call(syntax::path(true, &["std", "string", "String", "from"]), vec![syntax::string(&template)])
    } else {
        // A macro's arguments are tokens to `syn` whichever way they are built.
        syntax::macro_call(syntax::path(true, &["std", "format"]), quote! { #template, #(#values),* })
    }
}

/// How one path parameter becomes its segment: `path_segment` of a scalar's text in the default
/// `simple` style (a date-time as RFC 3339), `path_value` of anything else (arrays, objects,
/// untyped values, or the `label` and `matrix` styles).
fn path_value(param: &Param) -> TokenStream {
    let name = ident(&param.name);
    let structured = param.object || matches!(param.ty, TypeRef::Vec(_) | TypeRef::Value);
    if param.style == ParamStyle::Simple && !structured {
        return match param.ty {
            TypeRef::DateTime => {
                quote! { runtime::path_segment(#name.to_rfc3339_opts(::chrono::SecondsFormat::AutoSi, true)) }
            }
            _ => quote! { runtime::path_segment(#name) },
        };
    }
    let style = match param.style {
        ParamStyle::Label => quote! { Label },
        ParamStyle::Matrix => quote! { Matrix },
        _ => quote! { Simple },
    };
    let (wire, explode) = (&param.wire, param.explode);
    // `path_value` takes a reference; the values a builder holds by value need one.
    let value = if param.ty.is_copy_scalar() {
        quote! { &#name }
    } else {
        quote! { #name }
    };
    quote! { runtime::path_value(#wire, #value, runtime::PathStyle::#style, #explode) }
}

/// The statement adding one query, header or cookie parameter to `request`.
fn send_param(param: &Param) -> Stmt {
    let name = || syntax::variable(&param.name);
    let wire = || syntax::string(&param.wire);
    let add = |value: Expr| {
        let method = match param.location {
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
            ParamLocation::Query | ParamLocation::Path => "query",
        };
        syntax::statement(request_call(method, vec![wire(), value]))
    };
    let value = |ty: &TypeRef, value: Expr| match ty {
        TypeRef::DateTime => {
            let format = syntax::path_expr(syntax::path(true, &["chrono", "SecondsFormat", "AutoSi"]));
            syntax::method_call(value, "to_rfc3339_opts", vec![format, syntax::boolean(true)])
        }
        _ => value,
    };
    let item = || syntax::variable("item");
    let separator = match param.style {
        ParamStyle::SpaceDelimited => " ",
        ParamStyle::PipeDelimited => "|",
        ParamStyle::Form | ParamStyle::DeepObject | ParamStyle::Simple | ParamStyle::Label | ParamStyle::Matrix => ",",
    };
    let body = match &param.ty {
        _ if param.object => {
            let style = match param.style {
                ParamStyle::DeepObject => {
                    syntax::path_expr(syntax::path(false, &["runtime", "QueryStyle", "DeepObject"]))
                }
                _ => syntax::struct_expr(
                    syntax::path(false, &["runtime", "QueryStyle", "Form"]),
                    "explode",
                    syntax::boolean(param.explode),
                ),
            };
            syntax::statement(request_call("query_object", vec![wire(), name(), style]))
        }
        TypeRef::Vec(item_ty) if param.explode && param.location != ParamLocation::Header => {
            let each = add(value(item_ty, item()));
            syntax::block_statement(syntax::for_loop(syntax::binding_pattern("item"), name(), vec![each]))
        }
        TypeRef::Vec(item_ty) => {
            let each = syntax::method_call(value(item_ty, item()), "to_string", Vec::new());
            let mapped = syntax::method_call(
                syntax::method_call(name(), "iter", Vec::new()),
                "map",
                vec![syntax::closure(vec![syntax::binding_pattern("item")], each)],
            );
            let vec = std_generic(&["std", "vec", "Vec"], syntax::inferred_type());
            let collected = syntax::method_call_with(mapped, "collect", vec, Vec::new());
            add(syntax::method_call(collected, "join", vec![syntax::string(separator)]))
        }
        ty => add(value(ty, name())),
    };
    if param.required { body } else { if_some(&param.name, vec![body]) }
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;
    use crate::diagnostics::Sink;

    /// The operations of the fixtures that exercise every request and response shape.
    fn operations() -> Vec<Operation> {
        let fixtures = [
            ("operations.yaml", include_str!("../../../tests/fixtures/operations.yaml")),
            ("bodies.yaml", include_str!("../../../tests/fixtures/bodies.yaml")),
            ("openapi32.yaml", include_str!("../../../tests/fixtures/openapi32.yaml")),
        ];
        let mut operations = Vec::new();
        for (file, text) in fixtures {
            let doc = crate::parse::parse_owned(crate::normalised_tree(file, text).unwrap()).unwrap().doc;
            let api = crate::lower::lower(&doc, &crate::lower::Raw::none(), &mut Sink::new(file));
            operations.extend(api.operations);
        }
        operations
    }

    /// A built method prints as the same method would after a round trip through tokens and a
    /// `syn` parse, which is how the parts built from tokens are printed.
    #[test]
    fn built_methods_print_as_their_parsed_tokens() {
        let mut all = String::new();
        for op in operations() {
            let constructor = super::super::operations::build_constructor(&op);
            let wrapper = syntax::impl_block(None, syntax::named_type(ident("Wrapper")), vec![constructor]);
            let mut items = vec![wrapper];
            items.extend(super::super::operations::build_builder(&op));
            let built = syn::File { shebang: None, attrs: Vec::new(), items };
            let parsed: syn::File = syn::parse2(built.to_token_stream()).unwrap();
            let text = prettyplease::unparse(&built);
            assert_eq!(text, prettyplease::unparse(&parsed), "{}", op.method_name);
            all.push_str(&text);
        }
        // The fixtures reach every shape the builder has.
        for shape in [
            "let mut request",
            "let request",
            "::std::format!(",
            "::std::string::String::from(",
            "for item in ",
            "if let ::std::option::Option::Some(",
            ".collect::<::std::vec::Vec<_>>()",
            "request.query_object(",
            "request.header(",
            "request.json(body)",
            "request.multipart(body)",
            "request.body(",
            "impl ::std::convert::Into<::reqwest::Body>",
            "send_events",
            "send_items",
            "::reqwest::Method::from_bytes(",
            "..=",
            "|_, _, _| ::std::option::Option::None",
            "200 if runtime::media_is(headers, &[",
            "runtime::ok_bytes_as(",
            "_ => ::std::option::Option::None",
            "runtime::ok(())",
            "#[deprecated = ",
        ] {
            assert!(all.contains(shape), "no fixture operation prints `{shape}`");
        }
    }
}
