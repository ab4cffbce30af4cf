//! Emits `types.rs`: one Rust type per [`TypeDef`].

use std::cell::RefCell;

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};
use syn::{
    Attribute, Fields, Generics, Ident, ImplItem, Item, ItemEnum, ItemStruct, ItemType, Stmt, Type, Variant, Visibility,
};

use super::{Part, docs, ident, syntax};
use crate::ir::{
    Api, Field, IntegerEnum, Presence, ResponseVariant, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union,
    UnionVariant,
};

/// The `types.rs` module: its header, then one part per type. Most types are built as `syn`
/// trees ([`syntax`]), which skips parsing tokens; integer enums and discriminated unions are
/// rare and their impls long, so they stay `quote!` tokens.
pub fn parts(api: &Api) -> Vec<Part<'_>> {
    let head = Part::Items(Box::new(|| {
        quote! {
            //! Request, response and error types of the API, generated from its schemas.
            #![allow(clippy::large_enum_variant, clippy::enum_variant_names)]
        }
    }));
    let types = api.types.iter().map(|def| {
        let features = api.features.types.get(&def.name).map(Vec::as_slice).unwrap_or_default();
        super::gated(part(api, def), &api.features, features)
    });
    std::iter::once(head).chain(types).collect()
}

/// The part of one type.
fn part<'a>(api: &Api, def: &'a TypeDef) -> Part<'a> {
    let serde = Serde {
        serialize: api.serialize.contains(&def.name),
        deserialize: api.deserialize.contains(&def.name),
        derive_serde: !serde_by_macro(def),
    };
    let doc = move || docs::outer_attributes(&def.docs);
    let name = move || ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => Part::Syntax(Box::new(move || {
            let mut items = vec![build_struct(doc(), name(), s, serde)];
            if !serde.derive_serde {
                items.push(build_serde_impls(&name(), s, serde));
            }
            // Callers build request bodies: `new` and `with_` setters stand in for the
            // struct literal `#[non_exhaustive]` forbids.
            if serde.serialize {
                items.extend(build_constructors(&name(), s));
            }
            items
        })),
        TypeKind::StringEnum(e) => Part::Syntax(Box::new(move || build_enum(doc(), name(), e, serde))),
        TypeKind::Alias(ty) => Part::Syntax(Box::new(move || vec![build_alias(doc(), name(), ty)])),
        TypeKind::Responses(variants) => Part::Syntax(Box::new(move || vec![build_responses(doc(), name(), variants)])),
        TypeKind::Union(union) => match &union.discriminator {
            Some(property) if union.unknown.is_some() || union.fallback.is_some() => {
                Part::Items(Box::new(move || expand_discriminated_union(&doc(), &name(), union, property, serde)))
            }
            _ => Part::Syntax(Box::new(move || vec![build_untagged_union(doc(), name(), union, serde)])),
        },
        TypeKind::IntegerEnum(e) => Part::Items(Box::new(move || expand_integer_enum(&doc(), &name(), e, serde))),
    }
}

/// Which serde traits a type needs. The others are derived only with the generated crate's
/// `full-serde` feature, so by default no type carries an impl the client never uses.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Serde {
    serialize: bool,
    deserialize: bool,
    /// Whether the serde traits are derived (false: `runtime::serde_struct!` writes them).
    derive_serde: bool,
}

/// The std traits a kind of type derives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StdTraits {
    /// Structs and untagged unions.
    Data,
    /// Structs whose fields all have defaults.
    DataWithDefault,
    /// String enums.
    Names,
    /// Integer enums.
    Numbers,
}

impl StdTraits {
    /// Their paths, with a trailing comma each.
    fn tokens(self) -> TokenStream {
        match self {
            StdTraits::Data => quote! { ::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, },
            StdTraits::DataWithDefault => quote! {
                ::std::clone::Clone, ::std::fmt::Debug, ::std::default::Default, ::std::cmp::PartialEq,
            },
            StdTraits::Names => quote! {
                ::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash,
            },
            StdTraits::Numbers => quote! {
                ::std::clone::Clone, ::std::marker::Copy, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq,
                ::std::hash::Hash,
            },
        }
    }
}

/// The tokens inside `derive(..)` and, if some serde traits are left to the feature, inside
/// `cfg_attr(..)`.
type DeriveTokens = (TokenStream, Option<TokenStream>);

thread_local! {
    /// [`Serde::derive_attributes`]'s tokens, built once per thread for each of the few
    /// combinations (cloning a token stream shares it).
    static DERIVES: RefCell<Vec<(StdTraits, Serde, DeriveTokens)>> = const { RefCell::new(Vec::new()) };
}

impl Serde {
    /// `[traits needed] [traits behind full-serde]`, the lists `serde_struct!` and `serde_enum!`
    /// take.
    fn trait_lists(self) -> (TokenStream, TokenStream) {
        let traits = |wanted: bool| {
            let serialize = (self.serialize == wanted).then(|| quote! { Serialize });
            let deserialize = (self.deserialize == wanted).then(|| quote! { Deserialize });
            let traits = serialize.into_iter().chain(deserialize);
            quote! { [#(#traits),*] }
        };
        (traits(true), traits(false))
    }

    /// `#[derive(..)]` of the `std` traits and the needed serde traits, then
    /// `#[cfg_attr(feature = "full-serde", derive(..))]` for the serde traits not needed, if any.
    fn derive_attributes(self, std: StdTraits) -> Vec<Attribute> {
        let (derive, optional) = DERIVES.with_borrow_mut(|cache| {
            if let Some((_, _, tokens)) = cache.iter().find(|(traits, serde, _)| (*traits, *serde) == (std, self)) {
                return tokens.clone();
            }
            // A type whose serde impls come from a macro derives neither.
            let derived = self.derive_serde;
            let (traits, needed) = (std.tokens(), serde_traits(self.serialize && derived, self.deserialize && derived));
            let optional = (derived && !(self.serialize && self.deserialize)).then(|| {
                let optional = serde_traits(!self.serialize, !self.deserialize);
                quote! { feature = "full-serde", derive(#optional) }
            });
            let tokens = (quote! { #traits #needed }, optional);
            cache.push((std, self, tokens.clone()));
            tokens
        });
        let mut attributes = vec![syntax::list_attribute("derive", derive)];
        attributes.extend(optional.map(|optional| syntax::list_attribute("cfg_attr", optional)));
        attributes
    }
}

/// The paths of the serde traits asked for, with a trailing comma each.
fn serde_traits(serialize: bool, deserialize: bool) -> TokenStream {
    let serialize = serialize.then(|| quote! { ::serde::Serialize, });
    let deserialize = deserialize.then(|| quote! { ::serde::Deserialize, });
    quote! { #serialize #deserialize }
}

/// Whether a type's serde impls are written by `runtime::serde_struct!` or `serde_enum!` rather
/// than derived: structs but those with a map of other properties (`#[serde(flatten)]`), string
/// enums, and neither when named like the macros' own types.
fn serde_by_macro(def: &TypeDef) -> bool {
    let macro_kind = match &def.kind {
        TypeKind::Struct(s) => s.additional.is_none(),
        TypeKind::StringEnum(_) => true,
        _ => false,
    };
    macro_kind && !MACRO_NAMES.contains(&def.name.as_str())
}

/// The names `serde_struct!` and `serde_enum!` use for their own types.
const MACRO_NAMES: [&str; 4] = ["Visitor", "A", "D", "S"];

/// `crate::runtime::serde_struct! { Name [needed traits] [full-serde traits] { field = "wire" 0
/// required, .. } }`: the struct's serde impls (see `generator/runtime/src/fields.rs`).
fn build_serde_impls(name: &Ident, s: &Struct, serde: Serde) -> Item {
    let (needed, optional) = serde.trait_lists();
    let fields = s.fields.iter().enumerate().map(|(index, field)| {
        let (name, wire, index) = (ident(&field.name), &field.wire, Literal::usize_unsuffixed(index));
        let presence = match field.presence {
            Presence::Required => quote! { required },
            Presence::RequiredNullable => quote! { nullable },
            Presence::Optional | Presence::OptionalNullable => quote! { optional },
        };
        quote! { #name = #wire #index #presence }
    });
    let path = syntax::path(false, &["crate", "runtime", "serde_struct"]);
    syntax::macro_item(path, true, quote! { #name #needed #optional { #(#fields),* } })
}

fn build_struct(mut attrs: Vec<Attribute>, name: Ident, s: &Struct, serde: Serde) -> Item {
    let by_macro = !serde.derive_serde;
    attrs.extend(serde.derive_attributes(if s.default { StdTraits::DataWithDefault } else { StdTraits::Data }));
    attrs.push(syntax::word_attribute("non_exhaustive"));
    let additional = s.additional.as_ref().map(|extra| {
        let map = syntax::generic(
            syntax::path(true, &["std", "collections", "BTreeMap"]),
            [std_string(), type_syntax(&extra.ty, false)],
        );
        let attrs = vec![
            syntax::doc(" Properties the schema does not name.".to_owned()),
            syntax::list_attribute("serde", quote! { flatten }),
        ];
        syntax::named_field(attrs, ident(&extra.name), syntax::path_type(map))
    });
    Item::Struct(ItemStruct {
        attrs,
        vis: Visibility::Public(Default::default()),
        struct_token: Default::default(),
        ident: name,
        generics: Generics::default(),
        fields: syntax::named_fields(s.fields.iter().map(|field| build_field(field, by_macro)).chain(additional)),
        semi_token: None,
    })
}

/// `new` with the required fields (when there are any; otherwise `Default` serves) and a
/// `with_<field>` setter per optional field, so a caller never needs a struct literal.
fn build_constructors(name: &Ident, s: &Struct) -> Option<Item> {
    let optional: Vec<&Field> =
        s.fields.iter().filter(|f| matches!(f.presence, Presence::Optional | Presence::OptionalNullable)).collect();
    let names = crate::names::setter_names(optional.iter().map(|f| f.name.as_str()));
    let methods: Vec<ImplItem> = build_new(name, s)
        .into_iter()
        .chain(optional.iter().zip(&names).map(|(field, name)| build_setter(field, name)))
        .collect();
    (!methods.is_empty()).then(|| syntax::impl_block(None, syntax::named_type(name.clone()), methods))
}

/// `new` with the struct's required fields; `None` when it has none (`Default` serves).
fn build_new(name: &Ident, s: &Struct) -> Option<ImplItem> {
    let required: Vec<&Field> =
        s.fields.iter().filter(|f| matches!(f.presence, Presence::Required | Presence::RequiredNullable)).collect();
    if required.is_empty() {
        return None;
    }
    let arguments = required.iter().map(|field| {
        let ty = type_syntax(&field.ty, false);
        let ty = match field.presence {
            Presence::RequiredNullable => std_generic(&["std", "option", "Option"], ty),
            _ => ty,
        };
        syntax::argument(ident(&field.name), ty)
    });
    let boxed = || syntax::path_expr(syntax::path(true, &["std", "boxed", "Box", "new"]));
    let fields = s.fields.iter().map(|field| {
        let name = syntax::variable(&field.name);
        let value = match field.presence {
            Presence::Required if field.boxed => {
                Some(syntax::call(syntax::path(true, &["std", "boxed", "Box", "new"]), vec![name]))
            }
            Presence::RequiredNullable if field.boxed => Some(syntax::method_call(name, "map", vec![boxed()])),
            Presence::Required | Presence::RequiredNullable => None,
            Presence::Optional => Some(syntax::path_expr(syntax::path(true, &["std", "option", "Option", "None"]))),
            Presence::OptionalNullable => {
                Some(syntax::path_expr(syntax::path(false, &["crate", "runtime", "Nullable", "Absent"])))
            }
        };
        syntax::field_value(ident(&field.name), value)
    });
    let additional = s.additional.as_ref().map(|extra| {
        let map = syntax::call(syntax::path(true, &["std", "collections", "BTreeMap", "new"]), Vec::new());
        syntax::field_value(ident(&extra.name), Some(map))
    });
    let mut attrs = vec![syntax::doc(format!(
        " A `{name}` with its required fields; the optional ones are set with the `with_` methods."
    ))];
    if required.len() > 7 {
        attrs.push(syntax::list_attribute("allow", quote! { clippy::too_many_arguments }));
    }
    let value = syntax::struct_literal(syntax::path(false, &["Self"]), fields.chain(additional).collect());
    Some(
        syntax::Function {
            attrs,
            inputs: arguments.collect(),
            ..syntax::Function::new(ident("new"), None, self_type(), vec![Stmt::Expr(value, None)])
        }
        .build(),
    )
}

/// `Self`.
fn self_type() -> Type {
    syntax::named_type(ident("Self"))
}

/// The `with_` setter of an optional field: `Option<T>` fields take `T`, `Nullable<T>` fields
/// anything that converts (`T`, `Option<T>`, `Nullable::Null`).
fn build_setter(field: &Field, setter: &str) -> ImplItem {
    let name = syntax::variable(&field.name);
    let ty = type_syntax(&field.ty, false);
    let (ty, value) = if field.presence == Presence::Optional {
        let stored = if field.boxed {
            syntax::call(syntax::path(true, &["std", "boxed", "Box", "new"]), vec![name])
        } else {
            name
        };
        (ty, syntax::call(syntax::path(true, &["std", "option", "Option", "Some"]), vec![stored]))
    } else {
        let ty = if field.boxed { std_generic(&["std", "boxed", "Box"], ty) } else { ty };
        let nullable = syntax::generic(syntax::path(false, &["crate", "runtime", "Nullable"]), [ty]);
        let into = syntax::generic(syntax::path(true, &["std", "convert", "Into"]), [syntax::path_type(nullable)]);
        (syntax::impl_trait(into), syntax::method_call(name, "into", Vec::new()))
    };
    let set = syntax::assign(syntax::field(syntax::variable("self"), &field.name), value);
    syntax::Function {
        attrs: vec![syntax::doc(format!(" Sets [`{0}`](Self::{0}).", crate::names::bare(&field.name)))],
        inputs: vec![syntax::argument(ident(&field.name), ty)],
        ..syntax::Function::new(
            ident(setter),
            Some(syntax::SelfArg::Mut),
            self_type(),
            vec![syntax::statement(set), Stmt::Expr(syntax::variable("self"), None)],
        )
    }
    .build()
}

/// A struct's field; its serde attributes unless the struct's serde impls come from a macro (`by_macro`).
fn build_field(field: &Field, by_macro: bool) -> syn::Field {
    let mut attrs = docs::outer_attributes(&field.docs);
    let mut serde = |tokens: TokenStream| {
        if !by_macro {
            attrs.push(syntax::list_attribute("serde", tokens));
        }
    };
    if crate::names::bare(&field.name) != field.wire {
        let wire = &field.wire;
        serde(quote! { rename = #wire });
    }
    let mut ty = type_syntax(&field.ty, false);
    if field.boxed {
        ty = std_generic(&["std", "boxed", "Box"], ty);
    }
    let ty = match field.presence {
        Presence::Required => ty,
        Presence::RequiredNullable => std_generic(&["std", "option", "Option"], ty),
        Presence::Optional => {
            serde(quote! { default, skip_serializing_if = "::std::option::Option::is_none" });
            std_generic(&["std", "option", "Option"], ty)
        }
        Presence::OptionalNullable => {
            serde(quote! { default, skip_serializing_if = "crate::runtime::Nullable::is_absent" });
            syntax::path_type(syntax::generic(syntax::path(false, &["crate", "runtime", "Nullable"]), [ty]))
        }
    };
    syntax::named_field(attrs, ident(&field.name), ty)
}

fn build_alias(attrs: Vec<Attribute>, name: Ident, ty: &TypeRef) -> Item {
    Item::Type(ItemType {
        attrs,
        vis: Visibility::Public(Default::default()),
        type_token: Default::default(),
        ident: name,
        generics: Generics::default(),
        eq_token: Default::default(),
        ty: Box::new(type_syntax(ty, false)),
        semi_token: Default::default(),
    })
}

/// `pub enum name { variants }`.
fn build_enum_item(attrs: Vec<Attribute>, name: Ident, variants: impl IntoIterator<Item = Variant>) -> Item {
    Item::Enum(ItemEnum {
        attrs,
        vis: Visibility::Public(Default::default()),
        enum_token: Default::default(),
        ident: name,
        generics: Generics::default(),
        brace_token: Default::default(),
        variants: variants.into_iter().collect(),
    })
}

/// A string enum, its `as_str` and its `Display`.
fn build_enum(mut attrs: Vec<Attribute>, name: Ident, e: &StringEnum, serde: Serde) -> Vec<Item> {
    attrs.extend(serde.derive_attributes(StdTraits::Names));
    attrs.push(syntax::word_attribute("non_exhaustive"));
    let by_macro = !serde.derive_serde;
    let variants = e.variants.iter().map(|v| {
        let wire = &v.wire;
        let doc = if wire.is_empty() { " The empty string.".to_owned() } else { format!(" `{wire}`") };
        let mut attrs = vec![syntax::doc(doc)];
        if !by_macro {
            attrs.push(syntax::list_attribute("serde", quote! { rename = #wire }));
        }
        syntax::variant(attrs, ident(&v.name), Fields::Unit)
    });
    let mut other_attrs = vec![syntax::doc(" A value this client does not know yet, kept as sent.".to_owned())];
    if !by_macro {
        other_attrs.push(syntax::list_attribute("serde", quote! { untagged }));
    }
    let other = syntax::variant(other_attrs, ident(&e.other), syntax::tuple_fields(std_string()));
    let enum_item = build_enum_item(attrs, name.clone(), variants.chain([other]));

    let this = |variant: &str| syntax::path(false, &["Self", variant]);
    let arms = e.variants.iter().map(|v| syntax::arm(syntax::path_pattern(this(&v.name)), syntax::string(&v.wire)));
    let other_arm =
        syntax::arm(syntax::tuple_pattern(this(&e.other), "value"), syntax::path_expr(syntax::path(false, &["value"])));
    let as_str = syntax::method(
        vec![syntax::doc(" The value as sent on the wire.".to_owned())],
        true,
        "as_str",
        [],
        syntax::reference(syntax::named_type(ident("str"))),
        syntax::match_expr(syntax::path_expr(syntax::path(false, &["self"])), arms.chain([other_arm]).collect()),
    );
    let as_str_impl = syntax::impl_block(None, syntax::named_type(name.clone()), vec![as_str]);
    let serde_impls = by_macro.then(|| {
        let (needed, optional) = serde.trait_lists();
        let other = ident(&e.other);
        let variants = e.variants.iter().map(|v| {
            let (variant, wire) = (ident(&v.name), &v.wire);
            quote! { #variant = #wire }
        });
        let path = syntax::path(false, &["crate", "runtime", "serde_enum"]);
        syntax::macro_item(path, true, quote! { #name #needed #optional #other { #(#variants),* } })
    });
    let display = syntax::display_through_as_str(name);
    [enum_item, as_str_impl, display].into_iter().chain(serde_impls).collect()
}

fn build_responses(mut attrs: Vec<Attribute>, name: Ident, variants: &[ResponseVariant]) -> Item {
    attrs.push(syntax::list_attribute(
        "derive",
        quote! { ::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq },
    ));
    attrs.push(syntax::word_attribute("non_exhaustive"));
    let variants = variants.iter().map(|v| {
        let fields = v.ty.as_ref().map_or(Fields::Unit, |ty| syntax::tuple_fields(type_syntax(ty, false)));
        syntax::variant(docs::outer_attributes(&v.docs), ident(&v.name), fields)
    });
    build_enum_item(attrs, name, variants)
}

/// A union's variant: its payload, boxed if it holds the union, documented with its tags.
fn build_union_variant(v: &UnionVariant) -> Variant {
    let mut ty = type_syntax(&v.ty, false);
    if v.boxed {
        ty = std_generic(&["std", "boxed", "Box"], ty);
    }
    let attrs = match v.tags.as_slice() {
        [] => Vec::new(),
        tags => vec![syntax::doc(format!(
            " Selected by {}.",
            tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
        ))],
    };
    syntax::variant(attrs, ident(&v.name), syntax::tuple_fields(ty))
}

/// An untagged enum: serde tries each variant in turn.
fn build_untagged_union(mut attrs: Vec<Attribute>, name: Ident, union: &Union, serde: Serde) -> Item {
    attrs.extend(serde.derive_attributes(StdTraits::Data));
    attrs.push(syntax::list_attribute("serde", quote! { untagged }));
    attrs.push(syntax::word_attribute("non_exhaustive"));
    build_enum_item(attrs, name, union.variants.iter().map(build_union_variant))
}

/// An integer enum converts from and to `i64`, so it (de)serialises as a plain number and an
/// unknown value is kept instead of failing.
fn expand_integer_enum(doc: &[Attribute], name: &Ident, e: &IntegerEnum, serde: Serde) -> TokenStream {
    let derives = serde.derive_attributes(StdTraits::Numbers);
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
        #(#doc)*
        #(#derives)*
        #[serde(from = "i64", into = "i64")]
        #[non_exhaustive]
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

/// A discriminated union: an enum whose `Deserialize` reads the tag first and keeps a value with
/// an unknown tag instead of failing (a value without a tag fails), or decodes both as the
/// fallback variant of a `defaultMapping`. Its `Serialize` always writes the tag of the variant
/// (`runtime::serialize_tagged`), so a variant struct whose tag field is optional is never sent
/// without it.
fn expand_discriminated_union(
    doc: &[Attribute],
    name: &Ident,
    union: &Union,
    property: &str,
    serde: Serde,
) -> TokenStream {
    let variants = union.variants.iter().map(|v| {
        let mut variant = build_union_variant(v);
        if union.fallback.as_ref() == Some(&v.name) {
            let line =
                format!(" Also a value whose `{property}` is missing or selects no other variant (the default).");
            if !variant.attrs.is_empty() {
                variant.attrs.push(syntax::doc(String::new()));
            }
            variant.attrs.push(syntax::doc(line));
        }
        variant
    });
    let wrap = |v: &UnionVariant| {
        let variant = ident(&v.name);
        if v.boxed {
            quote! { |value| Self::#variant(::std::boxed::Box::new(value)) }
        } else {
            quote! { Self::#variant }
        }
    };
    let arms = union.variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
        let tags = &v.tags;
        let wrap = wrap(v);
        quote! {
            ::std::option::Option::Some(#(#tags)|*) => {
                ::serde_json::from_value(value).map(#wrap).map_err(::serde::de::Error::custom)
            }
        }
    });
    let fallback = union.fallback.as_ref().and_then(|f| union.variants.iter().find(|v| &v.name == f));
    let unknown = union.unknown.as_deref().map(ident);
    let rest = match (fallback, &unknown) {
        (Some(v), _) => {
            let wrap = wrap(v);
            quote! { _ => ::serde_json::from_value(value).map(#wrap).map_err(::serde::de::Error::custom), }
        }
        (None, unknown) => {
            // Without a tag the value is not this union at all: failing lets an enclosing
            // untagged union try its next branch.
            let missing = format!("no string `{property}` property to select the variant by");
            quote! {
                ::std::option::Option::Some(_) => ::std::result::Result::Ok(Self::#unknown(value)),
                ::std::option::Option::None => ::std::result::Result::Err(::serde::de::Error::custom(#missing)),
            }
        }
    };
    let unknown_variant = unknown.as_ref().map(|unknown| {
        let unknown_doc = format!(" A value whose `{property}` this client does not know, kept as sent.");
        quote! {
            #[doc = #unknown_doc]
            #unknown(::serde_json::Value),
        }
    });
    let serialize_arms = union.variants.iter().map(|v| {
        let variant = ident(&v.name);
        match v.tags.first() {
            Some(tag) => quote! {
                Self::#variant(value) => crate::runtime::serialize_tagged(serializer, #property, #tag, value),
            },
            None => quote! { Self::#variant(value) => ::serde::Serialize::serialize(value, serializer), },
        }
    });
    let serialize_unknown = unknown.as_ref().map(|unknown| {
        quote! { Self::#unknown(value) => ::serde::Serialize::serialize(value, serializer), }
    });
    let only_with_feature = |needed: bool| (!needed).then(|| quote! { #[cfg(feature = "full-serde")] });
    let serialize_gate = only_with_feature(serde.serialize);
    let deserialize_gate = only_with_feature(serde.deserialize);
    quote! {
        #(#doc)*
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants,)*
            #unknown_variant
        }

        #serialize_gate
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    #serialize_unknown
                }
            }
        }

        #deserialize_gate
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(::std::borrow::ToOwned::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    #rest
                }
            }
        }
    }
}

/// `::std::string::String`.
pub(super) fn std_string() -> Type {
    syntax::path_type(syntax::path(true, &["std", "string", "String"]))
}

/// The std generic at `segments` (`::std::…`) applied to `inner`.
pub(super) fn std_generic(segments: &[&str], inner: Type) -> Type {
    syntax::path_type(syntax::generic(syntax::path(true, segments), [inner]))
}

/// The Rust spelling of `ty` as tokens; see [`type_syntax`].
pub fn type_tokens(ty: &TypeRef, qualified: bool) -> TokenStream {
    type_syntax(ty, qualified).into_token_stream()
}

/// The Rust spelling of `ty`; `qualified` prefixes named types with `crate::types::`.
pub fn type_syntax(ty: &TypeRef, qualified: bool) -> Type {
    let primitive = |name: &str| syntax::named_type(ident(name));
    let global = |segments: &[&str]| syntax::path_type(syntax::path(true, segments));
    match ty {
        TypeRef::Bool => primitive("bool"),
        TypeRef::I32 => primitive("i32"),
        TypeRef::I64 => primitive("i64"),
        TypeRef::U32 => primitive("u32"),
        TypeRef::U64 => primitive("u64"),
        TypeRef::F32 => primitive("f32"),
        TypeRef::F64 => primitive("f64"),
        TypeRef::String => std_string(),
        TypeRef::DateTime => syntax::path_type(syntax::generic(
            syntax::path(true, &["chrono", "DateTime"]),
            [global(&["chrono", "Utc"])],
        )),
        TypeRef::Date => global(&["chrono", "NaiveDate"]),
        TypeRef::Value => global(&["serde_json", "Value"]),
        TypeRef::JsonObject => syntax::path_type(syntax::generic(
            syntax::path(true, &["serde_json", "Map"]),
            [std_string(), global(&["serde_json", "Value"])],
        )),
        TypeRef::Map(inner) => syntax::path_type(syntax::generic(
            syntax::path(true, &["std", "collections", "BTreeMap"]),
            [std_string(), type_syntax(inner, qualified)],
        )),
        TypeRef::Vec(inner) => std_generic(&["std", "vec", "Vec"], type_syntax(inner, qualified)),
        TypeRef::Option(inner) => std_generic(&["std", "option", "Option"], type_syntax(inner, qualified)),
        TypeRef::Tuple(items) => syntax::tuple_type(items.iter().map(|item| type_syntax(item, qualified))),
        TypeRef::Named(name) if qualified => syntax::path_type(syntax::path(false, &["crate", "types", name])),
        TypeRef::Named(name) => primitive(name),
        TypeRef::Unit => syntax::tuple_type([]),
        TypeRef::Bytes => std_generic(&["std", "vec", "Vec"], primitive("u8")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Additional, EnumVariant, TypeDef};

    fn field(name: &str, wire: &str, ty: TypeRef, presence: Presence, boxed: bool) -> Field {
        let docs = vec![format!("The `{wire}` property."), String::new(), "    indented".to_owned()];
        Field { name: name.to_owned(), wire: wire.to_owned(), ty, presence, docs, deprecated: false, boxed }
    }

    /// One type of every kind built as a tree, with every field shape and type spelling.
    fn types() -> Vec<TypeDef> {
        let named = |name: &str| TypeRef::Named(name.to_owned());
        let all_types = vec![
            TypeRef::Bool,
            TypeRef::I32,
            TypeRef::I64,
            TypeRef::U32,
            TypeRef::U64,
            TypeRef::F32,
            TypeRef::F64,
            TypeRef::String,
            TypeRef::DateTime,
            TypeRef::Date,
            TypeRef::Value,
            TypeRef::JsonObject,
            TypeRef::Unit,
            TypeRef::Tuple(vec![TypeRef::I64]),
            TypeRef::Tuple(vec![TypeRef::String, named("Pet")]),
            TypeRef::Map(Box::new(TypeRef::Vec(Box::new(TypeRef::Option(Box::new(named("Pet"))))))),
        ];
        let mut fields: Vec<Field> = all_types
            .into_iter()
            .enumerate()
            .map(|(i, ty)| field(&format!("field_{i}"), &format!("field{i}"), ty, Presence::Required, false))
            .collect();
        fields.push(field("r#type", "type", named("Pet"), Presence::Optional, true));
        fields.push(field("nullable", "nullable", TypeRef::String, Presence::RequiredNullable, false));
        fields.push(field("patch", "patch", TypeRef::I64, Presence::OptionalNullable, false));
        let structure = Struct {
            fields,
            additional: Some(Additional { name: "additional_properties".to_owned(), ty: TypeRef::Value }),
            default: true,
        };
        let variant = |name: &str, wire: &str| EnumVariant { name: name.to_owned(), wire: wire.to_owned() };
        let string_enum = StringEnum {
            variants: vec![variant("Empty", ""), variant("Quoted", "say \"hi\"\\"), variant("Plain", "plain")],
            other: "Unknown".to_owned(),
        };
        let responses = vec![
            ResponseVariant { name: "Ok".to_owned(), ty: Some(named("Pet")), docs: vec!["200".to_owned()] },
            ResponseVariant { name: "NoContent".to_owned(), ty: None, docs: Vec::new() },
        ];
        let union_variant = |name: &str, tags: &[&str], boxed: bool| UnionVariant {
            name: name.to_owned(),
            ty: named(name),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            boxed,
        };
        let union = Union {
            discriminator: None,
            variants: vec![union_variant("Cat", &[], false), union_variant("Dog", &["dog", "hound"], true)],
            unknown: None,
            fallback: None,
        };
        let def = |name: &str, kind: TypeKind| TypeDef {
            name: name.to_owned(),
            docs: vec![format!("A {name}."), "```".to_owned(), "code".to_owned()],
            kind,
        };
        vec![
            def("Pet", TypeKind::Struct(structure)),
            def("Status", TypeKind::StringEnum(string_enum)),
            def("Id", TypeKind::Alias(TypeRef::Tuple(vec![TypeRef::I64]))),
            def("GetPetResponse", TypeKind::Responses(responses)),
            def("Animal", TypeKind::Union(union)),
        ]
    }

    /// A built tree prints as the same tree would after a round trip through tokens and a `syn`
    /// parse, which is how every other part is printed.
    #[test]
    fn built_trees_print_as_their_parsed_tokens() {
        for def in types() {
            for (serialize, deserialize) in [(true, true), (true, false), (false, true), (false, false)] {
                let api = Api {
                    title: "t".to_owned(),
                    version: "1".to_owned(),
                    docs: Vec::new(),
                    base_url: String::new(),
                    security_schemes: Vec::new(),
                    types: vec![def.clone()],
                    operations: Vec::new(),
                    serialize: if serialize { [def.name.clone()].into_iter().collect() } else { Default::default() },
                    deserialize: if deserialize {
                        [def.name.clone()].into_iter().collect()
                    } else {
                        Default::default()
                    },
                    examples: Vec::new(),
                    features: Default::default(),
                };
                let parts = parts(&api);
                let [_, Part::Syntax(build)] = parts.as_slice() else { panic!("{} is not built as a tree", def.name) };
                let built = syn::File { shebang: None, attrs: Vec::new(), items: build() };
                let tokens = built.to_token_stream();
                let parsed: syn::File = syn::parse2(tokens).unwrap();
                let text = prettyplease::unparse(&built);
                assert_eq!(text, prettyplease::unparse(&parsed), "{}", def.name);
                assert!(text.contains(&format!(" {} ", def.name)), "{text}");
            }
        }
    }
}
