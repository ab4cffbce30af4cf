//! `examples.rs` (test-only): the spec's examples as tests of the generated types.
//!
//! Each example whose type is more than a plain scalar (a struct, enum, union, date, or a
//! container of them) becomes a `#[test]` that deserialises it into its type and serialises it
//! back, comparing the JSON (numbers by value, date-times by instant, so `247` against an `f64`
//! and `…00.000000Z` against chrono's `…00Z` agree). A type that derives only one serde
//! direction outside `full-serde` is checked that way, and round-tripped under `full-serde`. An
//! example the generator already found wrong (`lower::examples`) is `#[ignore]`d with that
//! reason, so the crate's tests pass and `cargo test -- --ignored` shows serde's own message.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::type_tokens;
use super::{Part, ident};
use crate::ir::{Api, Example, TypeRef};

/// The examples that become tests, in document order.
pub fn tested(api: &Api) -> impl Iterator<Item = &Example> {
    api.examples.iter().filter(|example| {
        example.ty.any_nested(&|ty| matches!(ty, TypeRef::Named(_) | TypeRef::DateTime | TypeRef::Date))
    })
}

/// The file's parts: its helpers, then one test per example (so a spec with thousands of
/// examples is formatted on every core). `chrono`: whether the crate depends on chrono
/// (date-times compare by instant).
pub fn parts(api: &Api, chrono: bool) -> Vec<Part<'_>> {
    let head = Part::Items(Box::new(move || helpers(chrono)));
    let tests = tested(api).map(|example| Part::Items(Box::new(move || expand_test(api, example))));
    std::iter::once(head).chain(tests).collect()
}

/// The file's docs and the functions the tests call.
fn helpers(chrono: bool) -> TokenStream {
    let date_times = chrono.then(|| {
        quote! {
            (Value::String(a), Value::String(b)) => {
                a == b
                    || ::chrono::DateTime::parse_from_rfc3339(a)
                        .ok()
                        .is_some_and(|a| ::chrono::DateTime::parse_from_rfc3339(b).ok() == ::std::option::Option::Some(a))
            }
        }
    });
    quote! {
        //! The spec's examples as tests: each deserialises into its type and serialises back to
        //! the same JSON.

        use ::serde_json::Value;

        /// Deserialises `json` into a `T`, or fails the test with serde's message. (Unused when
        /// features leave out every type tested, or `full-serde` is off.)
        #[allow(dead_code)]
        fn decodes<T: ::serde::de::DeserializeOwned>(json: &str) -> T {
            match ::serde_json::from_str(json) {
                ::std::result::Result::Ok(value) => value,
                ::std::result::Result::Err(error) => ::std::panic!("the example does not deserialise: {error}\n{json}"),
            }
        }

        /// Deserialises `json` into a `T` and fails the test unless it serialises back to the same JSON.
        #[allow(dead_code)]
        fn round_trips<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(json: &str) {
            let expected: Value = decodes(json);
            let back = ::serde_json::to_value(decodes::<T>(json)).expect("a generated type serialises");
            if !same(&expected, &back) {
                ::std::panic!("the example does not serialise back:\n{expected}\n{back}");
            }
        }

        /// JSON equality with numbers compared by value and date-times by instant.
        #[allow(dead_code)]
        fn same(a: &Value, b: &Value) -> bool {
            match (a, b) {
                (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                #date_times
                (Value::Array(a), Value::Array(b)) => {
                    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
                }
                (Value::Object(a), Value::Object(b)) => {
                    a.len() == b.len() && a.iter().all(|(key, a)| b.get(key).is_some_and(|b| same(a, b)))
                }
                (a, b) => a == b,
            }
        }
    }
}

/// Whether every type `ty` names derives the serde trait `set` lists.
fn derives(ty: &TypeRef, set: &rustc_hash::FxHashSet<String>) -> bool {
    ty.named().into_iter().all(|name| set.contains(name))
}

fn expand_test(api: &Api, example: &Example) -> TokenStream {
    let name = ident(&example.name);
    let ty = type_tokens(&example.ty, true);
    let json = raw_string(&example.json);
    let mut doc = vec![format!(" `#{}`", example.pointer)];
    let ignore = example.problem.as_ref().map(|problem| {
        doc.push(String::new());
        doc.push(format!(" The generator warned: {problem}."));
        quote! { #[ignore = "the example does not match its type (see the generator's warning at its pointer)"] }
    });
    let (de, ser) = (derives(&example.ty, &api.deserialize), derives(&example.ty, &api.serialize));
    let (gate, body) = match (de, ser) {
        (true, true) => (None, quote! { round_trips::<#ty>(JSON); }),
        (true, false) => (
            None,
            quote! {
                let _: #ty = decodes(JSON);
                #[cfg(feature = "full-serde")]
                round_trips::<#ty>(JSON);
            },
        ),
        _ => (Some(quote! { #[cfg(feature = "full-serde")] }), quote! { round_trips::<#ty>(JSON); }),
    };
    // A type left out by the crate's tag features is not tested either.
    let features: Vec<TokenStream> = example
        .ty
        .named()
        .into_iter()
        .filter_map(|name| api.features.types.get(name))
        .map(|features| super::cfg_predicate(&api.features, features))
        .collect();
    let tagged = (!features.is_empty()).then(|| quote! { #[cfg(all(#(#features),*))] });
    quote! {
        #( #[doc = #doc] )*
        #tagged
        #gate
        #[test]
        #ignore
        fn #name() {
            const JSON: &str = #json;
            #body
        }
    }
}

/// `text` as a raw string literal (`r#"…"#`, with as many `#` as it needs), so JSON reads as JSON.
fn raw_string(text: &str) -> proc_macro2::Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    let literal = format!("r{hashes}\"{text}\"{hashes}");
    // A raw string with enough `#`s is always a valid literal; a string literal is the fallback.
    literal.parse().unwrap_or_else(|_| proc_macro2::Literal::string(text))
}
