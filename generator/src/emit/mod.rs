//! Emit stage: the [`Api`] IR to the syntax trees, token streams and texts of a client crate's
//! files.
//!
//! One function per output file; each is made of small functions: `expand_*` return `quote!`
//! tokens, `build_*` return `syn` trees built with [`syntax`] (for the bulk of the output, where
//! parsing tokens would cost more than printing). Emitted code names std and dependency items by
//! absolute path (`::std::`, `::serde::`) so a spec type called `Option` or `Result` can never
//! shadow them.

mod client;
pub mod docs;
mod example;
mod examples;
mod headers;
mod manifest;
mod mock;
mod operations;
mod pagination;
mod runtime;
pub(crate) mod syntax;
mod types;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, Features};

pub use manifest::{CHRONO_DEPENDENCY, manifest};
pub use runtime::runtime_files;

/// Emits the tokens of one [`Part`].
pub type Emit<'a> = Box<dyn Fn() -> TokenStream + Sync + 'a>;

/// Builds the `syn` items of one [`Part::Syntax`].
pub type Build<'a> = Box<dyn Fn() -> Vec<syn::Item> + Sync + 'a>;

/// Builds the `syn` associated functions of one [`Part::Methods`].
pub type BuildMethods<'a> = Box<dyn Fn() -> Vec<syn::ImplItem> + Sync + 'a>;

/// A piece of a Rust file, emitted and formatted on its own: a large file never has all its
/// tokens (or its `syn` tree) alive at once, and its pieces can be formatted on several threads.
/// Formatting the parts one by one and joining the texts gives the text of the whole file.
pub enum Part<'a> {
    /// Whole items; the first part of a file may also carry the file's inner docs and attributes.
    Items(Emit<'a>),
    /// Whole items built as a `syn` tree, printed without parsing tokens first.
    Syntax(Build<'a>),
    /// One `impl` block, left open so the [`Part::Methods`] that follow go inside it.
    OpenImpl(Emit<'a>),
    /// Associated functions of the `impl` block an [`Part::OpenImpl`] opened, built as `syn`
    /// trees.
    Methods(BuildMethods<'a>),
    /// The closing brace of that `impl` block.
    CloseImpl,
}

/// One Rust source file of the crate, as parts in order.
pub struct RustFile<'a> {
    /// Path relative to the crate root.
    pub path: &'static str,
    pub parts: Vec<Part<'a>>,
}

/// The Rust files of the crate, in order. Nothing is emitted until a part's [`Emit`] runs.
pub fn rust_files<'a>(api: &'a Api, origin: &'a str, crate_name: &'a str) -> Vec<RustFile<'a>> {
    let mut files = vec![
        RustFile {
            path: "src/lib.rs",
            parts: vec![Part::Items(Box::new(move || expand_lib(api, origin, crate_name)))],
        },
        RustFile { path: "src/types.rs", parts: types::parts(api) },
        RustFile { path: "src/client.rs", parts: client::parts(api) },
        RustFile { path: "src/operations.rs", parts: operations::parts(api) },
        RustFile { path: "src/mock.rs", parts: mock::parts(api) },
    ];
    if examples::tested(api).next().is_some() {
        let chrono = manifest::uses_chrono(api);
        files.push(RustFile { path: "src/examples.rs", parts: examples::parts(api, chrono) });
    }
    files
}

fn expand_lib(api: &Api, origin: &str, crate_name: &str) -> TokenStream {
    let mut lines = vec![format!("Client for {} (version {}).", api_name(&api.title), api.version)];
    lines.push(String::new());
    lines.push(format!("Generated from `{origin}`. Start with [`Client::builder`]:"));
    lines.push(String::new());
    // The example is ours, a doc test meant to run; spec text is sanitised so it never does.
    let (example, features) = example::lines(api, &crate_name.replace('-', "_"));
    let example = match example.split_first() {
        // Its operation may be left out by features: then rustdoc must not compile it.
        Some((fence, rest)) if !features.is_empty() => {
            let predicate = cfg_predicate(&api.features, features);
            let ignored = fence.replace("no_run", "ignore");
            quote! {
                #![cfg_attr(#predicate, doc = #fence)]
                #![cfg_attr(not(#predicate), doc = #ignored)]
                #( #![doc = #rest] )*
            }
        }
        _ => quote! { #( #![doc = #example] )* },
    };
    let mut about = Vec::new();
    if !api.docs.is_empty() {
        about.extend(["".to_owned(), "# About the API".to_owned(), String::new()]);
        about.extend(api.docs.iter().cloned());
    }
    let doc = docs::inner(&lines);
    let about = docs::inner(&about);
    let examples = examples::tested(api).next().is_some().then(|| quote! { #[cfg(test)] mod examples; });
    quote! {
        #doc
        #example
        #about
        #![forbid(unsafe_code)]
        // Doc text and names come from the spec, which is not written for rustdoc or clippy: a
        // property may be called `Marʿa`, whose letter rustc calls uncommon.
        #![allow(
            uncommon_codepoints,
            confusable_idents,
            mixed_script_confusables,
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
        pub mod operations;
        pub mod runtime;
        pub mod types;
        /// A typed mock server for tests of code that uses this client.
        #[cfg(feature = "mock")]
        pub mod mock;
        #examples

        pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
        pub use runtime::{ApiResponse, Error, Nullable, RequestOptions, RetryPolicy};
    }
}

/// "the Truedy API" from the title "Truedy API", "the Petstore API" from "Petstore".
pub(crate) fn api_name(title: &str) -> String {
    let title = title.trim();
    if title.to_ascii_lowercase().ends_with("api") { format!("the {title}") } else { format!("the {title} API") }
}

/// `part`, with every item it makes compiled only when one of `features` (indices into
/// `all.list`) is enabled; unchanged when `features` is empty.
pub(crate) fn gated<'a>(part: Part<'a>, all: &'a Features, features: &'a [usize]) -> Part<'a> {
    if features.is_empty() {
        return part;
    }
    // The predicate is built once per part, and each item gets a copy of it.
    let gate = move |items: &mut Vec<syn::Item>| {
        let predicate = cfg_predicate(all, features);
        for item in items {
            if let Some(attrs) = item_attributes(item) {
                add_cfg(attrs, &predicate);
            }
        }
    };
    match part {
        Part::Items(emit) => Part::Syntax(Box::new(move || {
            // Tokens that do not parse (an emitter's bug) are emitted again, emitters being pure,
            // and printed as they are: no clone of every part's tokens for a case that never
            // happens.
            let mut items = match syn::parse2::<syn::File>(emit()) {
                Ok(file) => file.items,
                Err(_) => vec![syn::Item::Verbatim(emit())],
            };
            gate(&mut items);
            items
        })),
        Part::Syntax(build) => Part::Syntax(Box::new(move || {
            let mut items = build();
            gate(&mut items);
            items
        })),
        Part::Methods(build) => Part::Methods(Box::new(move || {
            let mut methods = build();
            let predicate = cfg_predicate(all, features);
            for method in &mut methods {
                if let syn::ImplItem::Fn(function) = method {
                    add_cfg(&mut function.attrs, &predicate);
                }
            }
            methods
        })),
        other => other,
    }
}

/// `#[cfg(predicate)]`, after the doc attributes.
fn add_cfg(attrs: &mut Vec<syn::Attribute>, predicate: &TokenStream) {
    let at = attrs.iter().take_while(|attr| attr.path().is_ident("doc")).count();
    attrs.insert(at, syntax::list_attribute("cfg", predicate.clone()));
}

/// `feature = "a"`, or `any(feature = "a", feature = "b")`.
pub(crate) fn cfg_predicate(all: &Features, features: &[usize]) -> TokenStream {
    let names = features.iter().map(|&f| all.list[f].name.as_str());
    let predicates: Vec<TokenStream> = names.map(|name| quote! { feature = #name }).collect();
    if let [one] = predicates.as_slice() {
        one.clone()
    } else {
        quote! { any(#(#predicates),*) }
    }
}

fn item_attributes(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    use syn::Item;
    match item {
        Item::Struct(item) => Some(&mut item.attrs),
        Item::Enum(item) => Some(&mut item.attrs),
        Item::Impl(item) => Some(&mut item.attrs),
        Item::Type(item) => Some(&mut item.attrs),
        Item::Fn(item) => Some(&mut item.attrs),
        Item::Use(item) => Some(&mut item.attrs),
        Item::Const(item) => Some(&mut item.attrs),
        Item::Macro(item) => Some(&mut item.attrs),
        _ => None,
    }
}

/// An identifier token; `r#name` becomes a raw identifier.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}
