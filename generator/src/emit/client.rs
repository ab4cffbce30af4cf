//! Emits `client.rs`: the `Client`, its builder's credential methods, and one async method per
//! operation. Each method only describes its request and how to decode each status; sending,
//! authentication, retries and error mapping live in the shared runtime (`runtime.rs`).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::types::type_tokens;
use super::{Part, api_name, docs, ident};
use crate::ir::{
    Api, ApiKeyLocation, BodyEncoding, MultipartForm, Operation, Param, ParamLocation, ParamStyle, PartKind, PathPart,
    Presence, RequestBody, Response, ResponseBody, SchemeKind, StatusMatch, TypeRef,
};

/// The `client.rs` module: the client and its builder, one part per operation method, then the
/// multipart form types.
pub fn parts(api: &Api) -> Vec<Part<'_>> {
    let mut parts = vec![Part::Items(Box::new(|| expand_head(api))), Part::OpenImpl(Box::new(expand_impl_client))];
    parts.extend(api.operations.iter().map(|op| Part::Methods(Box::new(move || expand_operation(op)))));
    parts.push(Part::CloseImpl);
    parts.extend(api.operations.iter().filter_map(|op| {
        let form = multipart_form(op)?;
        Some(Part::Items(Box::new(move || expand_form(form, &op.method_name))))
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
        };
        quote! { runtime::SecurityScheme { name: #name, kind: #kind }, }
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
        //! The API client: one async method per operation.

        use crate::runtime;

        /// The base URL requests go to unless [`ClientBuilder::base_url`](runtime::ClientBuilder::base_url) says otherwise (the spec's first server).
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// The security schemes the spec declares.
        const SECURITY_SCHEMES: &[runtime::SecurityScheme] = &[#(#schemes)*];

        /// Builds a [`Client`]: base URL, credentials, timeouts, retries, user agent, headers.
        pub type ClientBuilder = runtime::ClientBuilder;

        impl runtime::ClientBuilder {
            #(#credential_methods)*

            /// Builds the client. Fails on an invalid base URL or header, never on missing
            /// credentials: an operation that needs one reports it when called.
            pub fn build(self) -> ::std::result::Result<Client, runtime::BuildError> {
                ::std::result::Result::Ok(Client { core: self.build_core()? })
            }
        }

        #client_doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            core: runtime::Core,
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

fn expand_operation(op: &Operation) -> TokenStream {
    let mut doc_lines = op.docs.clone();
    if let Some(body) = &op.body
        && !body.docs.is_empty()
    {
        doc_lines.push(String::new());
        doc_lines.push("# Request body".to_owned());
        doc_lines.push(String::new());
        doc_lines.extend(body.docs.iter().cloned());
    }
    let doc = docs::outer(&doc_lines);
    let deprecated = op.deprecated.then(|| quote! { #[deprecated = "deprecated in the API specification"] });
    let method = ident(&op.method_name);
    let args = op.params.iter().map(|p| {
        let name = ident(&p.name);
        let ty = param_type(p);
        quote! { #name: #ty }
    });
    let body_arg = op.body.as_ref().map(body_argument);
    let all_args = args.chain(body_arg);

    let path = path_expression(op);
    let id = &op.id;
    let http_method = ident(&op.http_method);
    let alternatives = op.security.iter().map(|set| quote! { &[#(#set),*] });
    let fixed = op.fixed_query.iter().map(|(key, value)| quote! { request.query(#key, #value); });
    let params = op.params.iter().filter(|p| p.location != ParamLocation::Path).map(send_param);
    let params = fixed.chain(params);
    let body = op.body.as_ref().map(|body| {
        let set = set_body(body);
        if body.required {
            set
        } else {
            quote! { if let ::std::option::Option::Some(body) = body { #set } }
        }
    });
    let sends_query = !op.fixed_query.is_empty() || op.params.iter().any(|p| p.location != ParamLocation::Path);
    let mutable = (op.body.is_some() || sends_query).then(|| quote! { mut });

    let events = event_stream(op);
    let success = match (events, success_body(op)) {
        (Some(item), _) => {
            let item = item.map_or_else(|| quote! { ::std::string::String }, |ty| type_tokens(ty, true));
            quote! { runtime::EventStream<#item> }
        }
        (None, Some(ResponseBody::Binary)) => quote! { ::std::vec::Vec<u8> },
        (None, _) => type_tokens(&op.success, true),
    };
    let error = ident(&op.error_type);
    // An event stream's success statuses are streamed, not decoded.
    let decoded: Vec<&Response> = op.responses.iter().filter(|r| !(events.is_some() && r.success)).collect();
    let arms = decode_arms(op, &decoded);
    let reads_body = decoded.iter().any(|r| match r.body {
        ResponseBody::Empty => false,
        ResponseBody::Binary => r.success && !op.success_enum,
        _ => true,
    });
    let body_param = if reads_body {
        quote! { body }
    } else {
        quote! { _ }
    };
    let fallback = (!decoded.iter().any(|r| r.status == StatusMatch::Default))
        .then(|| quote! { _ => ::std::option::Option::None, });
    let decoder = if arms.is_empty() {
        quote! { |_, _| ::std::option::Option::None }
    } else {
        quote! {
            |status, #body_param| match status.as_u16() {
                #(#arms)*
                #fallback
            }
        }
    };
    let (send, open) = match events {
        Some(Some(_)) => (ident("send_events"), Some(quote! { runtime::EventStream::json, })),
        Some(None) => (ident("send_events"), Some(quote! { runtime::EventStream::text, })),
        None => (ident("send"), None),
    };
    quote! {
        #doc
        #deprecated
        pub async fn #method(&self, #(#all_args),*) -> ::std::result::Result<runtime::ApiResponse<#success>, runtime::Error<crate::types::#error>> {
            let #mutable request = runtime::Request::new(#id, ::reqwest::Method::#http_method, #path, &[#(#alternatives),*]);
            #(#params)*
            #body
            self.core
                .#send(request, #open #decoder)
                .await
        }
    }
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

/// Whether the operation's method returns a stream of server-sent events.
pub(super) fn streams_events(op: &Operation) -> bool {
    event_stream(op).is_some()
}

/// `Some(data type)` when the operation's success body is a server-sent event stream.
fn event_stream(op: &Operation) -> Option<Option<&TypeRef>> {
    match success_body(op)? {
        ResponseBody::EventStream(item) => Some(item.as_ref()),
        _ => None,
    }
}

/// The `body` argument of an operation method.
fn body_argument(body: &RequestBody) -> TokenStream {
    let optional = |ty: TokenStream| {
        if body.required {
            ty
        } else {
            quote! { ::std::option::Option<#ty> }
        }
    };
    let ty = match &body.encoding {
        BodyEncoding::Json | BodyEncoding::Form => optional(borrowed(&body.ty, true)),
        BodyEncoding::Text => optional(quote! { &str }),
        BodyEncoding::Multipart(form) => {
            let name = ident(&form.name);
            optional(quote! { &#name })
        }
        // Anything reqwest can send: bytes, a string, or a stream (sent once, never retried).
        BodyEncoding::Binary if body.required => quote! { impl ::std::convert::Into<::reqwest::Body> },
        BodyEncoding::Binary => quote! { ::std::option::Option<::reqwest::Body> },
    };
    quote! { body: #ty }
}

/// The statement that puts `body` into `request`.
fn set_body(body: &RequestBody) -> TokenStream {
    let content_type = &body.content_type;
    match &body.encoding {
        BodyEncoding::Json if content_type == "application/json" => quote! { request.json(body); },
        BodyEncoding::Json => quote! { request.json_as(#content_type, body); },
        BodyEncoding::Form => quote! { request.form(body); },
        BodyEncoding::Multipart(_) => quote! { request.multipart(body); },
        BodyEncoding::Text => quote! { request.text(#content_type, body); },
        BodyEncoding::Binary => quote! { request.body(#content_type, body); },
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
        let ty = match &f.part {
            PartKind::Value => type_tokens(&f.field.ty, true),
            PartKind::File(_) => quote! { runtime::FilePart },
            PartKind::Files(_) => quote! { ::std::vec::Vec<runtime::FilePart> },
        };
        let ty = match (&f.part, required(f.field.presence)) {
            (PartKind::Files(_), _) | (_, true) => ty,
            (_, false) => quote! { ::std::option::Option<#ty> },
        };
        quote! { #doc pub #field: #ty, }
    });
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
        pub struct #name {
            #(#fields)*
        }

        impl runtime::MultipartForm for #name {
            fn write_parts(&self, form: &mut runtime::Multipart) {
                #(#writes)*
            }
        }
    }
}

/// One `status => decode` arm per response, codes before ranges before `default`.
fn decode_arms(op: &Operation, responses: &[&Response]) -> Vec<TokenStream> {
    let mut responses = responses.to_vec();
    responses.sort_by_key(|r| match r.status {
        StatusMatch::Code(_) => 0,
        StatusMatch::Range(_) => 1,
        StatusMatch::Default => 2,
    });
    let error = ident(&op.error_type);
    let success_type = match &op.success {
        TypeRef::Named(name) => ident(name),
        _ => ident("Unit"),
    };
    responses
        .into_iter()
        .map(|response| {
            let pattern = match response.status {
                StatusMatch::Code(code) => {
                    let code = Literal::u16_unsuffixed(code);
                    quote! { #code }
                }
                StatusMatch::Range(hundreds) => {
                    let low = Literal::u16_unsuffixed(hundreds * 100);
                    let high = Literal::u16_unsuffixed(hundreds * 100 + 99);
                    quote! { #low..=#high }
                }
                StatusMatch::Default => quote! { _ },
            };
            let variant = ident(&response.variant);
            // Event streams are only lowered as a lone success body, which is streamed and never
            // reaches a decoder; anywhere else they would be text.
            let arm = match (&response.body, response.success, op.success_enum) {
                (ResponseBody::Json(_), true, false) => quote! { runtime::ok_json(body) },
                (ResponseBody::Text | ResponseBody::EventStream(_), true, false) => quote! { runtime::ok_text(body) },
                (ResponseBody::Binary, true, false) => quote! { runtime::ok_bytes(body) },
                (ResponseBody::Empty, true, false) => quote! { runtime::ok(()) },
                (ResponseBody::Json(_), true, true) => {
                    quote! { runtime::ok_json_as(body, crate::types::#success_type::#variant) }
                }
                (ResponseBody::Text | ResponseBody::EventStream(_), true, true) => {
                    quote! { runtime::ok_text_as(body, crate::types::#success_type::#variant) }
                }
                (ResponseBody::Empty | ResponseBody::Binary, true, true) => {
                    quote! { runtime::ok(crate::types::#success_type::#variant) }
                }
                (ResponseBody::Json(_), false, _) => quote! { runtime::err_json(body, crate::types::#error::#variant) },
                (ResponseBody::Text | ResponseBody::EventStream(_), false, _) => {
                    quote! { runtime::err_text(body, crate::types::#error::#variant) }
                }
                (ResponseBody::Empty | ResponseBody::Binary, false, _) => {
                    quote! { runtime::err(crate::types::#error::#variant) }
                }
            };
            quote! { #pattern => #arm, }
        })
        .collect()
}

/// `format!("/calls/{}", runtime::encode_path_segment(call_id))`
fn path_expression(op: &Operation) -> TokenStream {
    let mut template = String::new();
    let mut values = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(text) => template.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(index) => {
                template.push_str("{}");
                let param = &op.params[*index];
                let name = ident(&param.name);
                values.push(quote! { runtime::path_segment(#name) });
            }
        }
    }
    if values.is_empty() {
        quote! { ::std::string::String::from(#template) }
    } else {
        quote! { ::std::format!(#template, #(#values),*) }
    }
}

/// The argument type of a parameter.
fn param_type(param: &Param) -> TokenStream {
    let ty = borrowed(&param.ty, false);
    if param.required {
        ty
    } else {
        quote! { ::std::option::Option<#ty> }
    }
}

/// How a value of `ty` is taken as an argument: strings and slices borrowed, small values by value.
fn borrowed(ty: &TypeRef, body: bool) -> TokenStream {
    match ty {
        TypeRef::String => quote! { &str },
        TypeRef::Vec(inner) => {
            let inner = type_tokens(inner, true);
            quote! { &[#inner] }
        }
        TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::U32
        | TypeRef::U64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::DateTime
        | TypeRef::Date
            if !body =>
        {
            type_tokens(ty, true)
        }
        other => {
            let ty = type_tokens(other, true);
            quote! { &#ty }
        }
    }
}

/// Code adding one query, header or cookie parameter to `request`.
fn send_param(param: &Param) -> TokenStream {
    let name = ident(&param.name);
    let wire = &param.wire;
    let add = |value: TokenStream| match param.location {
        ParamLocation::Query => quote! { request.query(#wire, #value); },
        ParamLocation::Header => quote! { request.header(#wire, #value); },
        ParamLocation::Cookie => quote! { request.cookie(#wire, #value); },
        ParamLocation::Path => quote! {},
    };
    let value = |ty: &TypeRef, value: TokenStream| match ty {
        TypeRef::DateTime => quote! { #value.to_rfc3339_opts(::chrono::SecondsFormat::AutoSi, true) },
        _ => value,
    };
    let separator = match param.style {
        ParamStyle::SpaceDelimited => " ",
        ParamStyle::PipeDelimited => "|",
        ParamStyle::Form | ParamStyle::DeepObject => ",",
    };
    let body = match &param.ty {
        _ if param.object => {
            let style = match param.style {
                ParamStyle::DeepObject => quote! { runtime::QueryStyle::DeepObject },
                _ => {
                    let explode = param.explode;
                    quote! { runtime::QueryStyle::Form { explode: #explode } }
                }
            };
            quote! { request.query_object(#wire, #name, #style); }
        }
        TypeRef::Vec(item) if param.explode && param.location != ParamLocation::Header => {
            let each = add(value(item, quote! { item }));
            quote! { for item in #name { #each } }
        }
        TypeRef::Vec(item) => {
            let each = value(item, quote! { item });
            add(quote! {
                #name.iter().map(|item| #each.to_string()).collect::<::std::vec::Vec<_>>().join(#separator)
            })
        }
        ty => add(value(ty, quote! { #name })),
    };
    if param.required {
        body
    } else {
        quote! { if let ::std::option::Option::Some(#name) = #name { #body } }
    }
}
