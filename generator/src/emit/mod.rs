//! Emit stage: the [`Api`] IR to the token streams and texts of a client crate's files.
//!
//! One function per output file; each is made of small `expand_*` functions returning
//! `TokenStream`. Emitted code names std and dependency items by absolute path (`::std::`,
//! `::serde::`) so a spec type called `Option` or `Result` can never shadow them.

mod client;
pub mod docs;
mod manifest;
mod types;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::Api;

pub use manifest::{CHRONO_DEPENDENCY, manifest};

/// The runtime shared by every generated crate, copied verbatim as `src/runtime.rs`.
pub const RUNTIME_SOURCE: &str = include_str!("../../runtime/src/lib.rs");

/// Emits one Rust file of the crate from the API and the spec's path.
pub type Emitter = fn(&Api, &str) -> TokenStream;

/// The Rust files of a crate, in order, each with the function that emits it. Files are emitted
/// (and formatted) one at a time, so only one file's tokens are alive at once.
pub const RUST_FILES: [(&str, Emitter); 3] =
    [("src/lib.rs", expand_lib), ("src/types.rs", expand_types), ("src/client.rs", expand_client)];

fn expand_types(api: &Api, _origin: &str) -> TokenStream {
    types::expand_types(api)
}

fn expand_client(api: &Api, _origin: &str) -> TokenStream {
    client::expand_client(api)
}

fn expand_lib(api: &Api, origin: &str) -> TokenStream {
    let mut lines = vec![format!("Client for {} (version {}).", api_name(&api.title), api.version)];
    if !api.docs.is_empty() {
        lines.push(String::new());
        lines.extend(api.docs.iter().cloned());
    }
    lines.push(String::new());
    lines.push(format!("Generated from `{origin}`. Start with [`Client::builder`]."));
    let doc = docs::inner(&lines);
    quote! {
        #doc
        #![forbid(unsafe_code)]
        // Doc text comes from the spec, which is not written for rustdoc or clippy.
        #![allow(
            rustdoc::bare_urls,
            rustdoc::broken_intra_doc_links,
            rustdoc::invalid_html_tags,
            rustdoc::invalid_rust_codeblocks,
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            clippy::empty_docs,
            clippy::tabs_in_doc_comments
        )]

        pub mod client;
        pub mod runtime;
        pub mod types;

        pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
        pub use runtime::{ApiResponse, Error, Nullable, RequestOptions, RetryPolicy};
    }
}

/// "the Truedy API" from the title "Truedy API", "the Petstore API" from "Petstore".
pub(crate) fn api_name(title: &str) -> String {
    let title = title.trim();
    if title.to_ascii_lowercase().ends_with("api") { format!("the {title}") } else { format!("the {title} API") }
}

/// An identifier token; `r#name` becomes a raw identifier.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}
