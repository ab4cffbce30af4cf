//! Emits `types.rs`: one Rust type per [`TypeDef`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use super::{Part, ident};
use crate::ir::{
    Api, Field, IntegerEnum, Presence, ResponseVariant, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union,
};

/// The `types.rs` module: its header, then one part per type.
pub fn parts(api: &Api) -> Vec<Part<'_>> {
    let head = Part::Items(Box::new(|| {
        quote! {
            //! Request, response and error types of the API, generated from its schemas.
            #![allow(clippy::large_enum_variant, clippy::enum_variant_names)]
        }
    }));
    let types = api.types.iter().map(|def| {
        Part::Items(Box::new(move || {
            let serde = Serde {
                serialize: api.serialize.contains(&def.name),
                deserialize: api.deserialize.contains(&def.name),
            };
            expand_type(def, serde)
        }))
    });
    std::iter::once(head).chain(types).collect()
}

/// Which serde traits a type needs. The others are derived only with the generated crate's
/// `full-serde` feature, so by default no type carries an impl the client never uses.
#[derive(Clone, Copy)]
struct Serde {
    serialize: bool,
    deserialize: bool,
}

impl Serde {
    /// The derive paths of the needed traits, with a trailing comma each.
    fn derives(self) -> TokenStream {
        let serialize = self.serialize.then(|| quote! { ::serde::Serialize, });
        let deserialize = self.deserialize.then(|| quote! { ::serde::Deserialize, });
        quote! { #serialize #deserialize }
    }

    /// `#[cfg_attr(feature = "full-serde", derive(..))]` for the traits not needed, if any.
    fn optional_derives(self) -> TokenStream {
        if self.serialize && self.deserialize {
            return quote! {};
        }
        let serialize = (!self.serialize).then(|| quote! { ::serde::Serialize, });
        let deserialize = (!self.deserialize).then(|| quote! { ::serde::Deserialize, });
        quote! { #[cfg_attr(feature = "full-serde", derive(#serialize #deserialize))] }
    }
}

fn expand_type(def: &TypeDef, serde: Serde) -> TokenStream {
    let doc = docs::outer(&def.docs);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => expand_struct(&doc, &name, s, serde),
        TypeKind::StringEnum(e) => expand_enum(&doc, &name, e, serde),
        TypeKind::IntegerEnum(e) => expand_integer_enum(&doc, &name, e, serde),
        TypeKind::Alias(ty) => {
            let ty = type_tokens(ty, false);
            quote! { #doc pub type #name = #ty; }
        }
        TypeKind::Responses(variants) => expand_responses(&doc, &name, variants),
        TypeKind::Union(union) => expand_union(&doc, &name, union, serde),
    }
}

fn expand_struct(doc: &TokenStream, name: &proc_macro2::Ident, s: &Struct, serde: Serde) -> TokenStream {
    let derives = serde.derives();
    let optional = serde.optional_derives();
    let default = s.default.then(|| quote! { ::std::default::Default, });
    let fields = s.fields.iter().map(expand_field);
    let additional = s.additional.as_ref().map(|extra| {
        let field = ident(&extra.name);
        let ty = type_tokens(&extra.ty, false);
        quote! {
            /// Properties the schema does not name.
            #[serde(flatten)]
            pub #field: ::std::collections::BTreeMap<::std::string::String, #ty>,
        }
    });
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, #default ::std::cmp::PartialEq, #derives)]
        #optional
        pub struct #name {
            #(#fields)*
            #additional
        }
    }
}

fn expand_field(field: &Field) -> TokenStream {
    let doc = docs::outer(&field.docs);
    let name = ident(&field.name);
    let rename = (crate::names::bare(&field.name) != field.wire).then(|| {
        let wire = &field.wire;
        quote! { #[serde(rename = #wire)] }
    });
    let mut ty = type_tokens(&field.ty, false);
    if field.boxed {
        ty = quote! { ::std::boxed::Box<#ty> };
    }
    let (serde, ty) = match field.presence {
        Presence::Required => (quote! {}, ty),
        Presence::RequiredNullable => (quote! {}, quote! { ::std::option::Option<#ty> }),
        Presence::Optional => (
            quote! { #[serde(default, skip_serializing_if = "::std::option::Option::is_none")] },
            quote! { ::std::option::Option<#ty> },
        ),
        Presence::OptionalNullable => (
            quote! { #[serde(default, skip_serializing_if = "crate::runtime::Nullable::is_absent")] },
            quote! { crate::runtime::Nullable<#ty> },
        ),
    };
    quote! {
        #doc
        #rename
        #serde
        pub #name: #ty,
    }
}

fn expand_enum(doc: &TokenStream, name: &proc_macro2::Ident, e: &StringEnum, serde: Serde) -> TokenStream {
    let derives = serde.derives();
    let optional = serde.optional_derives();
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        let doc = if wire.is_empty() { " The empty string.".to_owned() } else { format!(" `{wire}`") };
        quote! { #[doc = #doc] #[serde(rename = #wire)] #variant, }
    });
    let other = ident(&e.other);
    let arms = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        quote! { Self::#variant => #wire, }
    });
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, #derives)]
        #optional
        pub enum #name {
            #(#variants)*
            /// A value this client does not know yet, kept as sent.
            #[serde(untagged)]
            #other(::std::string::String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#arms)*
                    Self::#other(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// An integer enum converts from and to `i64`, so it (de)serialises as a plain number and an
/// unknown value is kept instead of failing.
fn expand_integer_enum(doc: &TokenStream, name: &proc_macro2::Ident, e: &IntegerEnum, serde: Serde) -> TokenStream {
    let derives = serde.derives();
    let optional = serde.optional_derives();
    let other = ident(&e.other);
    let variants = e.variants.iter().map(|(variant, value)| {
        let variant = ident(variant);
        let doc = format!(" `{value}`");
        quote! { #[doc = #doc] #variant, }
    });
    let from_int = e.variants.iter().map(|(variant, value)| {
        let variant = ident(variant);
        let value = proc_macro2::Literal::i64_unsuffixed(*value);
        quote! { #value => Self::#variant, }
    });
    let to_int = e.variants.iter().map(|(variant, value)| {
        let variant = ident(variant);
        let value = proc_macro2::Literal::i64_unsuffixed(*value);
        quote! { #name::#variant => #value, }
    });
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::marker::Copy, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, #derives)]
        #optional
        #[serde(from = "i64", into = "i64")]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know yet, kept as sent.
            #other(i64),
        }

        impl ::std::convert::From<i64> for #name {
            fn from(value: i64) -> Self {
                match value {
                    #(#from_int)*
                    other => Self::#other(other),
                }
            }
        }

        impl ::std::convert::From<#name> for i64 {
            fn from(value: #name) -> Self {
                match value {
                    #(#to_int)*
                    #name::#other(other) => other,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&i64::from(*self), f)
            }
        }
    }
}

fn expand_responses(doc: &TokenStream, name: &proc_macro2::Ident, variants: &[ResponseVariant]) -> TokenStream {
    let variants = variants.iter().map(|v| {
        let doc = docs::outer(&v.docs);
        let variant = ident(&v.name);
        match &v.ty {
            Some(ty) => {
                let ty = type_tokens(ty, false);
                quote! { #doc #variant(#ty), }
            }
            None => quote! { #doc #variant, },
        }
    });
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    }
}

/// An untagged enum; a discriminated union also gets a `Deserialize` that reads the tag first
/// and keeps a value with an unknown tag instead of failing (a value without a tag fails).
fn expand_union(doc: &TokenStream, name: &proc_macro2::Ident, union: &Union, serde: Serde) -> TokenStream {
    let variants = union.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let mut ty = type_tokens(&v.ty, false);
        if v.boxed {
            ty = quote! { ::std::boxed::Box<#ty> };
        }
        let doc = match v.tags.as_slice() {
            [] => quote! {},
            tags => {
                let text =
                    format!(" Selected by {}.", tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "));
                quote! { #[doc = #text] }
            }
        };
        quote! { #doc #variant(#ty), }
    });
    let (Some(property), Some(unknown)) = (&union.discriminator, &union.unknown) else {
        let derives = serde.derives();
        let optional = serde.optional_derives();
        return quote! {
            #doc
            #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, #derives)]
            #optional
            #[serde(untagged)]
            pub enum #name {
                #(#variants)*
            }
        };
    };
    let unknown = ident(unknown);
    let arms = union.variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
        let variant = ident(&v.name);
        let tags = &v.tags;
        let wrap = if v.boxed {
            quote! { |value| Self::#variant(::std::boxed::Box::new(value)) }
        } else {
            quote! { Self::#variant }
        };
        quote! {
            ::std::option::Option::Some(#(#tags)|*) => {
                ::serde_json::from_value(value).map(#wrap).map_err(::serde::de::Error::custom)
            }
        }
    });
    let unknown_doc = format!(" A value whose `{property}` this client does not know, kept as sent.");
    // Without a tag the value is not this union at all: failing lets an enclosing untagged
    // union try its next branch.
    let missing = format!("no string `{property}` property to select the variant by");
    let serialize = serde.serialize.then(|| quote! { ::serde::Serialize });
    let untagged = if serde.serialize {
        quote! { #[serde(untagged)] }
    } else {
        quote! { #[cfg_attr(feature = "full-serde", derive(::serde::Serialize), serde(untagged))] }
    };
    let only_with_feature = (!serde.deserialize).then(|| quote! { #[cfg(feature = "full-serde")] });
    let deserialize = quote! {
            #only_with_feature
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                    let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(::std::borrow::ToOwned::to_owned);
                    match tag.as_deref() {
                        #(#arms)*
                        ::std::option::Option::Some(_) => ::std::result::Result::Ok(Self::#unknown(value)),
                        ::std::option::Option::None => ::std::result::Result::Err(::serde::de::Error::custom(#missing)),
                    }
                }
            }
    };
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, #serialize)]
        #untagged
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            #unknown(::serde_json::Value),
        }

        #deserialize
    }
}

/// The Rust spelling of `ty`; `qualified` prefixes named types with `crate::types::`.
pub fn type_tokens(ty: &TypeRef, qualified: bool) -> TokenStream {
    match ty {
        TypeRef::Bool => quote! { bool },
        TypeRef::I32 => quote! { i32 },
        TypeRef::I64 => quote! { i64 },
        TypeRef::U32 => quote! { u32 },
        TypeRef::U64 => quote! { u64 },
        TypeRef::F32 => quote! { f32 },
        TypeRef::F64 => quote! { f64 },
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::DateTime => quote! { ::chrono::DateTime<::chrono::Utc> },
        TypeRef::Date => quote! { ::chrono::NaiveDate },
        TypeRef::Value => quote! { ::serde_json::Value },
        TypeRef::JsonObject => quote! { ::serde_json::Map<::std::string::String, ::serde_json::Value> },
        TypeRef::Map(inner) => {
            let inner = type_tokens(inner, qualified);
            quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
        }
        TypeRef::Vec(inner) => {
            let inner = type_tokens(inner, qualified);
            quote! { ::std::vec::Vec<#inner> }
        }
        TypeRef::Option(inner) => {
            let inner = type_tokens(inner, qualified);
            quote! { ::std::option::Option<#inner> }
        }
        TypeRef::Tuple(items) => {
            let items = items.iter().map(|item| type_tokens(item, qualified));
            quote! { (#(#items,)*) }
        }
        TypeRef::Named(name) => {
            let name = format_ident!("{}", name);
            if qualified {
                quote! { crate::types::#name }
            } else {
                quote! { #name }
            }
        }
        TypeRef::Unit => quote! { () },
    }
}
