//! A paged listing's `pages` and `items` methods on its request builder: streams of every page
//! and every item, each page one call of the builder's `send` (same credentials, retries,
//! options and errors), fetched only when the stream is polled. The shape was recognised by
//! lowering (`lower/passes/pagination.rs`); the docs of both methods say which.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::type_tokens;
use super::{docs, ident};
use crate::ir::{FieldStep, Operation, PageShape, Pagination};

/// The builder's `pages` and `items`, when the operation pages.
pub(super) fn expand_paging(op: &Operation) -> TokenStream {
    let Some(paging) = &op.pagination else { return TokenStream::new() };
    let builder = ident(&op.builder);
    let error = ident(&op.error_type);
    let page = type_tokens(&op.success, true);
    let item = type_tokens(&paging.item, true);
    let names: Vec<_> = super::operations::input_names(op).iter().map(|name| ident(name)).collect();
    let shape = shape(op, paging, &page);
    let items = items_of(&paging.items, &page);
    let pages_doc = docs::outer(&[
        "Every page of the listing, as a stream: each page is one call, sent when the stream is".to_owned(),
        "polled for it, with this builder's parameters, the client's retries and options, and the".to_owned(),
        "operation's errors. An error ends the stream; so does the page bound".to_owned(),
        "([`Pages::max_pages`](runtime::Pages::max_pages)).".to_owned(),
        String::new(),
        format!("Paged by {}.", paging.evidence),
    ]);
    let items_doc = docs::outer(&[
        "Every item of every page, as a stream (see [`pages`](Self::pages)); a failed page is".to_owned(),
        "yielded as an error after the items before it, and ends the stream.".to_owned(),
        String::new(),
        format!("Paged by {}.", paging.evidence),
    ]);
    quote! {
        impl<'a> #builder<'a> {
            #pages_doc
            pub fn pages(self) -> runtime::Pages<'a, #page, crate::types::#error> {
                let Self { client, #(#names),* } = self;
                runtime::Pages::new(
                    #shape,
                    // `request` and `client` are never parameter names (the parameter scope reserves them).
                    ::std::boxed::Box::new(move |request| {
                        let client = crate::Client { core: client.core.with_next_page(request) };
                        ::std::boxed::Box::pin(async move { #builder { client: &client, #(#names),* }.send().await })
                    }),
                )
            }

            #items_doc
            pub fn items(self) -> runtime::Items<'a, #item, #page, crate::types::#error> {
                self.pages().items(#items)
            }
        }
    }
}

/// The `runtime::Paging` value of the shape.
fn shape(op: &Operation, paging: &Pagination, page: &TokenStream) -> TokenStream {
    match &paging.shape {
        PageShape::Cursor { param, cursor, has_more } => {
            let cursor = read(cursor, Read::Clone);
            let has_more = match has_more {
                Some(path) => {
                    let flag = read(path, Read::Copy);
                    quote! { ::std::option::Option::Some(|page: &#page| #flag) }
                }
                None => quote! { ::std::option::Option::None },
            };
            quote! { runtime::Paging::Cursor { param: #param, cursor: |page: &#page| #cursor, has_more: #has_more } }
        }
        PageShape::Offset { param, limit } | PageShape::PageNumber { param, limit } => {
            let wire = &op.params[*param].wire;
            let first = if matches!(paging.shape, PageShape::Offset { .. }) { 0u64 } else { 1u64 };
            let start = number(op, *param);
            let start = quote! { #start.unwrap_or(#first) };
            let limit = limit.map_or_else(|| quote! { ::std::option::Option::None }, |limit| number(op, limit));
            let count = count(&paging.items);
            let variant = if matches!(paging.shape, PageShape::Offset { .. }) {
                quote! { Offset }
            } else {
                quote! { PageNumber }
            };
            quote! {
                runtime::Paging::#variant { param: #wire, start: #start, limit: #limit, count: |page: &#page| #count }
            }
        }
        PageShape::LinkHeader => quote! { runtime::Paging::LinkHeader },
        PageShape::NextUrl { url } => {
            let url = read(url, Read::Clone);
            quote! { runtime::Paging::NextUrl { url: |page: &#page| #url } }
        }
    }
}

/// An integer parameter's value as `Option<u64>` (negative values are none).
fn number(op: &Operation, index: usize) -> TokenStream {
    let param = &op.params[index];
    let name = ident(&param.name);
    if param.required {
        quote! { ::std::convert::TryFrom::try_from(#name).ok() }
    } else {
        quote! { #name.and_then(|value| ::std::convert::TryFrom::try_from(value).ok()) }
    }
}

/// How a value at the end of a field path is taken from `&page`.
#[derive(Clone, Copy)]
enum Read {
    /// A `String`, cloned: `Option<String>`.
    Clone,
    /// A `bool`, copied: `Option<bool>`.
    Copy,
}

/// Where a walk along a field path is: a place (`page.a.b`), or an `Option<&T>` expression.
enum At {
    Place(TokenStream),
    Optional(TokenStream),
}

/// Walks `path` from `&page`; also gives the place of the last field when it is the first
/// optional one (`page.a.b`, an `Option<T>` read directly).
fn walk(path: &[FieldStep]) -> (At, Option<TokenStream>) {
    let mut at = At::Place(quote! { page });
    let mut last_place = None;
    for step in path {
        let field = ident(&step.name);
        last_place = None;
        at = match (at, step.optional) {
            (At::Place(place), false) => At::Place(quote! { #place.#field }),
            (At::Place(place), true) => {
                last_place = Some(quote! { #place.#field });
                At::Optional(quote! { #place.#field.as_ref() })
            }
            (At::Optional(option), false) => At::Optional(quote! { #option.map(|value| &value.#field) }),
            (At::Optional(option), true) => At::Optional(quote! { #option.and_then(|value| value.#field.as_ref()) }),
        };
    }
    (at, last_place)
}

/// The value at the end of `path`, as an `Option` of an owned value.
fn read(path: &[FieldStep], how: Read) -> TokenStream {
    match (walk(path), how) {
        ((At::Place(place), _), Read::Clone) => quote! { ::std::option::Option::Some(#place.clone()) },
        ((At::Place(place), _), Read::Copy) => quote! { ::std::option::Option::Some(#place) },
        ((_, Some(place)), Read::Clone) => quote! { #place.clone() },
        ((_, Some(place)), Read::Copy) => quote! { #place },
        ((At::Optional(option), None), Read::Clone) => quote! { #option.cloned() },
        ((At::Optional(option), None), Read::Copy) => quote! { #option.copied() },
    }
}

/// How many items `&page` holds.
fn count(path: &[FieldStep]) -> TokenStream {
    match walk(path).0 {
        At::Place(place) => quote! { #place.len() },
        At::Optional(option) => quote! { #option.map_or(0, |items| items.len()) },
    }
}

/// The function that takes a page's body apart into its items.
fn items_of(path: &[FieldStep], page: &TokenStream) -> TokenStream {
    if path.is_empty() {
        return quote! { ::std::convert::identity };
    }
    let mut at = At::Place(quote! { page });
    for step in path {
        let field = ident(&step.name);
        at = match (at, step.optional) {
            (At::Place(place), false) => At::Place(quote! { #place.#field }),
            (At::Place(place), true) => At::Optional(quote! { #place.#field }),
            (At::Optional(option), false) => At::Optional(quote! { #option.map(|value| value.#field) }),
            (At::Optional(option), true) => At::Optional(quote! { #option.and_then(|value| value.#field) }),
        };
    }
    let body = match at {
        At::Place(place) => place,
        At::Optional(option) => quote! { #option.unwrap_or_default() },
    };
    quote! { |page: #page| #body }
}
