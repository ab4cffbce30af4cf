//! What an operation's builder says about its request beyond the parameters (the path template,
//! a declared idempotency key header) and the typed response headers: the `<Op>Headers` struct
//! and the builder's `send_with_headers`. Kept apart from `operations.rs`, which emits the
//! builders themselves.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Stmt;

use super::types::type_tokens;
use super::{docs, ident, syntax};
use crate::ir::{Operation, ResponseHeader};

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
pub(super) fn expand_headers(op: &Operation) -> TokenStream {
    if op.response_headers.is_empty() {
        return TokenStream::new();
    }
    let name = ident(&op.headers_type);
    let builder = ident(&op.builder);
    let error = ident(&op.error_type);
    let success = super::client::success_type(op);
    let doc = docs::outer(&[
        format!(
            "The headers a success response of [`Client::{}`](crate::Client::{0}) declares, typed.",
            op.method_name
        ),
        String::new(),
        format!("Read with [`{}::send_with_headers`].", op.builder),
    ]);
    let fields = op.response_headers.iter().map(|h| {
        let doc = docs::outer(&h.docs);
        let field = ident(&h.name);
        let ty = type_tokens(&h.ty, true);
        let ty = if h.required {
            ty
        } else {
            quote! { ::std::option::Option<#ty> }
        };
        quote! { #doc pub #field: #ty, }
    });
    let reads = op.response_headers.iter().map(read_header);
    let send_doc = docs::outer(&[
        format!("Sends the request, and reads the headers its success response declares into [`{}`].", op.headers_type),
        String::new(),
        "A declared header that is missing (when required) or does not parse fails the call with".to_owned(),
        "[`Error::Decode`](runtime::Error::Decode).".to_owned(),
    ]);
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// Reads the declared headers from a response's headers.
            pub fn from_headers(
                headers: &::reqwest::header::HeaderMap,
            ) -> ::std::result::Result<Self, runtime::DecodeError> {
                ::std::result::Result::Ok(Self { #(#reads)* })
            }
        }

        impl<'a> #builder<'a> {
            #send_doc
            pub async fn send_with_headers(
                self,
            ) -> ::std::result::Result<
                (runtime::ApiResponse<#success>, #name),
                runtime::Error<crate::types::#error>,
            > {
                runtime::with_headers(self.send().await, #name::from_headers)
            }
        }
    }
}

/// `field: runtime::header(headers, "wire")?,`
fn read_header(header: &ResponseHeader) -> TokenStream {
    let field = ident(&header.name);
    let wire = &header.wire;
    if header.required {
        quote! { #field: runtime::required_header(headers, #wire)?, }
    } else {
        quote! { #field: runtime::header(headers, #wire)?, }
    }
}
