//! The public API of a generated crate, read back from its source files with `syn`.
//!
//! Works on any crate this generator wrote, including a checked-in one whose old spec is gone:
//! every item carries what maps it back to the spec (the route line in a method's docs, a
//! setter's "Sets the `X` header" line, serde renames, the status arms of each `send`).

use std::collections::BTreeMap;

use quote::ToTokens as _;
use syn::visit::Visit;

/// What callers of a generated crate compile against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Surface {
    /// Client methods by name.
    pub operations: BTreeMap<String, Operation>,
    /// Public items of `types`, by name.
    pub types: BTreeMap<String, TypeItem>,
    /// The client builder's credential methods (one per security scheme), by name.
    pub credentials: Vec<String>,
}

/// One client method and its request builder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Operation {
    /// `PATCH /calls/{call_id}` (from the method's docs), or the method name.
    pub route: String,
    /// Required arguments in order: name and type.
    pub args: Vec<(String, String)>,
    /// The builder's optional setters by name.
    pub setters: BTreeMap<String, Setter>,
    /// The success body type (`send`'s `ApiResponse<T>`).
    pub success: String,
    /// The operation's error enum.
    pub error: String,
    /// Documented statuses: success ones map to `None`, error ones to their variant.
    pub statuses: BTreeMap<String, Option<String>>,
    /// The method's doc text from the spec (summary, description, examples).
    pub docs: String,
}

/// An optional input of a builder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Setter {
    /// What the spec calls it: "query parameter `limit`", "header `X-Trace`", or the setter name.
    pub label: String,
    /// The argument's type.
    pub ty: String,
}

/// A public item of the `types` module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeItem {
    pub kind: TypeKind,
    /// Whether it is `#[non_exhaustive]`.
    pub non_exhaustive: bool,
    /// The arguments of its `new` constructor, when it has one (request types).
    pub constructor: Option<Vec<(String, String)>>,
    pub docs: String,
}

/// The shape of a [`TypeItem`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// Fields by wire name.
    Struct(BTreeMap<String, Field>),
    /// Variants in order.
    Enum(Vec<Variant>),
    /// `pub type X = Y;` and newtypes: the aliased type.
    Alias(String),
}

/// A public field of a struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The Rust name.
    pub rust: String,
    pub ty: String,
    /// Whether its type is neither `Option` nor `Nullable`.
    pub required: bool,
    pub docs: String,
}

/// A variant of an enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub name: String,
    /// The wire value (`#[serde(rename)]`), for string enums.
    pub wire: Option<String>,
    /// Its payload types, joined by `, `.
    pub payload: Option<String>,
    pub docs: String,
}

/// Reads the surface of a crate from its files (paths relative to the crate root). Files that
/// are missing or do not parse contribute nothing.
pub fn surface<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Surface {
    let mut parsed = BTreeMap::new();
    for (path, text) in files {
        if let Ok(file) = syn::parse_file(text) {
            parsed.insert(path.to_owned(), file);
        }
    }
    let mut surface = Surface::default();
    if let Some(types) = parsed.get("src/types.rs") {
        surface.types = types_of(types);
    }
    let builders = parsed.get("src/operations.rs").map(builders_of).unwrap_or_default();
    if let Some(client) = parsed.get("src/client.rs") {
        surface.operations = operations_of(client, &builders);
        surface.credentials = credentials_of(client);
    }
    surface
}

/// The public types of `types.rs`, with the `new` constructors of their inherent impls.
fn types_of(file: &syn::File) -> BTreeMap<String, TypeItem> {
    let mut types = BTreeMap::new();
    for item in &file.items {
        let (name, item) = match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => (s.ident.to_string(), struct_item(s)),
            syn::Item::Enum(e) if is_pub(&e.vis) => (e.ident.to_string(), enum_item(e)),
            syn::Item::Type(t) if is_pub(&t.vis) => {
                (t.ident.to_string(), type_item(&t.attrs, TypeKind::Alias(show(&t.ty))))
            }
            _ => continue,
        };
        types.insert(name, item);
    }
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let Some(name) = self_name(imp) else { continue };
        let Some(ty) = types.get_mut(&name) else { continue };
        if imp.trait_.is_none() {
            ty.constructor = ty.constructor.take().or_else(|| method(imp, "new").map(args_of));
        }
    }
    // A struct or string enum whose serde impls `runtime::serde_struct!` or `serde_enum!`
    // writes has its wire names there.
    for item in &file.items {
        let syn::Item::Macro(call) = item else { continue };
        let Some(name) = call.mac.path.segments.last().map(|last| last.ident.to_string()) else { continue };
        if name != "serde_struct" && name != "serde_enum" {
            continue;
        }
        let Some((name, wires)) = serde_macro_wires(call.mac.tokens.clone()) else { continue };
        match types.get_mut(&name).map(|ty| &mut ty.kind) {
            Some(TypeKind::Struct(fields)) => {
                for (rust, wire) in wires {
                    if rust != wire
                        && let Some(field) = fields.remove(&rust)
                    {
                        fields.insert(wire, field);
                    }
                }
            }
            Some(TypeKind::Enum(variants)) => {
                for (rust, wire) in wires {
                    if let Some(variant) = variants.iter_mut().find(|variant| variant.name == rust) {
                        variant.wire = Some(wire);
                    }
                }
            }
            _ => {}
        }
    }
    types
}

/// The type and its (field or variant, wire name) pairs of a `serde_struct!` or `serde_enum!`
/// call's tokens: `Name [..] [..] { field = "wire" 0 presence, .. }`, `Name [..] [..] Other {
/// Variant = "wire", .. }`.
fn serde_macro_wires(tokens: proc_macro2::TokenStream) -> Option<(String, Vec<(String, String)>)> {
    use proc_macro2::TokenTree;
    let mut tokens = tokens.into_iter();
    let Some(TokenTree::Ident(name)) = tokens.next() else { return None };
    let Some(TokenTree::Group(fields)) =
        tokens.find(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace))
    else {
        return None;
    };
    let mut wires = Vec::new();
    let mut entry: Vec<TokenTree> = Vec::new();
    for token in
        fields.stream().into_iter().chain([TokenTree::Punct(proc_macro2::Punct::new(',', proc_macro2::Spacing::Alone))])
    {
        if matches!(&token, TokenTree::Punct(p) if p.as_char() == ',') {
            if let [TokenTree::Ident(field), _, TokenTree::Literal(wire), ..] = entry.as_slice()
                && let Ok(syn::Lit::Str(wire)) = syn::parse_str::<syn::Lit>(&wire.to_string())
            {
                let field = field.to_string();
                wires.push((field.strip_prefix("r#").unwrap_or(&field).to_owned(), wire.value()));
            }
            entry.clear();
        } else {
            entry.push(token);
        }
    }
    Some((name.to_string(), wires))
}

fn type_item(attrs: &[syn::Attribute], kind: TypeKind) -> TypeItem {
    TypeItem { kind, non_exhaustive: has_attr(attrs, "non_exhaustive"), constructor: None, docs: docs(attrs) }
}

fn struct_item(s: &syn::ItemStruct) -> TypeItem {
    let kind = match &s.fields {
        syn::Fields::Named(named) => TypeKind::Struct(
            named
                .named
                .iter()
                .filter(|f| is_pub(&f.vis))
                .filter_map(|f| {
                    let rust = f.ident.as_ref()?.to_string();
                    let rust = rust.strip_prefix("r#").unwrap_or(&rust).to_owned();
                    let wire = serde_rename(&f.attrs).unwrap_or_else(|| rust.clone());
                    let ty = show(&f.ty);
                    let required = !(ty.starts_with("Option<") || ty.starts_with("Nullable<"));
                    Some((wire, Field { rust, ty, required, docs: docs(&f.attrs) }))
                })
                .collect(),
        ),
        syn::Fields::Unnamed(unnamed) => {
            TypeKind::Alias(unnamed.unnamed.iter().map(|f| show(&f.ty)).collect::<Vec<_>>().join(", "))
        }
        syn::Fields::Unit => TypeKind::Alias("()".to_owned()),
    };
    type_item(&s.attrs, kind)
}

fn enum_item(e: &syn::ItemEnum) -> TypeItem {
    let variants = e
        .variants
        .iter()
        .map(|v| {
            let payload = match &v.fields {
                syn::Fields::Unit => None,
                fields => Some(fields.iter().map(|f| show(&f.ty)).collect::<Vec<_>>().join(", ")),
            };
            Variant { name: v.ident.to_string(), wire: serde_rename(&v.attrs), payload, docs: docs(&v.attrs) }
        })
        .collect();
    type_item(&e.attrs, TypeKind::Enum(variants))
}

/// What `operations.rs` says of each builder: setters, `send`'s types and its status arms.
#[derive(Default)]
struct Builder {
    setters: BTreeMap<String, Setter>,
    success: String,
    error: String,
    statuses: BTreeMap<String, Option<String>>,
}

fn builders_of(file: &syn::File) -> BTreeMap<String, Builder> {
    let mut builders: BTreeMap<String, Builder> = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = self_name(imp) else { continue };
        let builder = builders.entry(name).or_default();
        for f in pub_methods(imp) {
            if f.sig.ident == "send" {
                if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                    (builder.success, builder.error) = send_types(ty);
                }
                let mut arms = StatusArms { error: builder.error.clone(), statuses: BTreeMap::new() };
                arms.visit_block(&f.block);
                builder.statuses = arms.statuses;
            } else if f.sig.receiver().is_some() {
                let ty = args_of(f).into_iter().map(|(_, ty)| ty).collect::<Vec<_>>().join(", ");
                let label = setter_label(&docs(&f.attrs)).unwrap_or_else(|| format!("`{}`", f.sig.ident));
                builder.setters.insert(f.sig.ident.to_string(), Setter { label, ty });
            }
        }
    }
    builders
}

/// The success body and error enum `send` returns: from `runtime::Call<'a, T, E>`, or (a
/// stream's `async fn`) from `Result<ApiResponse<T>, Error<E>>`.
fn send_types(ty: &syn::Type) -> (String, String) {
    let args = generic_args(ty);
    let is_call = matches!(ty, syn::Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "Call"));
    let nth = |n: usize| {
        let arg = args.get(n).copied();
        let inner = if is_call { arg } else { arg.and_then(|t| generic_args(t).first().copied()) };
        inner.map(show).unwrap_or_default()
    };
    (nth(0), nth(1))
}

/// Collects `status => ...` arms: an arm naming a variant of the error enum is an error status.
struct StatusArms {
    error: String,
    statuses: BTreeMap<String, Option<String>>,
}

impl<'ast> Visit<'ast> for StatusArms {
    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let status = match &arm.pat {
            syn::Pat::Lit(syn::PatLit { lit: syn::Lit::Int(int), .. }) => Some(int.base10_digits().to_owned()),
            syn::Pat::Range(range) => Some(range.to_token_stream().to_string().replace(' ', "")),
            _ => None,
        };
        if let Some(status) = status {
            let mut paths = VariantOf { error: &self.error, found: None };
            paths.visit_expr(&arm.body);
            self.statuses.insert(status, paths.found);
        }
        syn::visit::visit_arm(self, arm);
    }
}

/// Finds the first path `...::<error>::<Variant>` in an expression.
struct VariantOf<'e> {
    error: &'e str,
    found: Option<String>,
}

impl<'ast> Visit<'ast> for VariantOf<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if self.found.is_none() && segments.len() >= 2 && segments[segments.len() - 2] == self.error {
            self.found = segments.last().cloned();
        }
        syn::visit::visit_path(self, path);
    }
}

/// The client's operation methods (those returning a builder of `operations`).
fn operations_of(file: &syn::File, builders: &BTreeMap<String, Builder>) -> BTreeMap<String, Operation> {
    let mut operations = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || self_name(imp).as_deref() != Some("Client") {
            continue;
        }
        for f in pub_methods(imp) {
            let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
            let syn::Type::Path(path) = &**ty else { continue };
            if !path.path.segments.iter().any(|s| s.ident == "operations") {
                continue;
            }
            let Some(builder_name) = path.path.segments.last().map(|s| s.ident.to_string()) else { continue };
            let builder = builders.get(&builder_name);
            let docs = docs(&f.attrs);
            let name = f.sig.ident.to_string();
            let route = route(&docs).unwrap_or_else(|| name.clone());
            let operation = Operation {
                route,
                args: args_of(f),
                setters: builder.map(|b| b.setters.clone()).unwrap_or_default(),
                success: builder.map(|b| b.success.clone()).unwrap_or_default(),
                error: builder.map(|b| b.error.clone()).unwrap_or_default(),
                statuses: builder.map(|b| b.statuses.clone()).unwrap_or_default(),
                docs: spec_docs(&docs),
            };
            operations.insert(name, operation);
        }
    }
    operations
}

/// The credential methods generated on `runtime::ClientBuilder` (all but `build`).
fn credentials_of(file: &syn::File) -> Vec<String> {
    let mut names = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || self_name(imp).as_deref() != Some("ClientBuilder") {
            continue;
        }
        names.extend(pub_methods(imp).map(|f| f.sig.ident.to_string()).filter(|name| name != "build"));
    }
    names.sort();
    names
}

/// The route line of a method's docs: `` `PATCH /calls/{call_id}` ``.
fn route(docs: &str) -> Option<String> {
    docs.lines().find_map(|line| {
        let inner = line.trim().strip_prefix('`')?.strip_suffix('`')?;
        let (method, path) = inner.split_once(' ')?;
        (method.chars().all(|c| c.is_ascii_uppercase()) && path.starts_with('/')).then(|| inner.to_owned())
    })
}

/// A method's docs without the lines the generator derives from its shape (the route line, the
/// builder's setters), so a docs change is a change of the spec's text.
fn spec_docs(docs: &str) -> String {
    let lines: Vec<&str> =
        docs.lines().filter(|line| route(line).is_none() && !line.starts_with("Returns the [`")).collect();
    lines.join("\n")
}

/// "Sets the `limit` query parameter." → "query parameter `limit`".
fn setter_label(docs: &str) -> Option<String> {
    let line = docs.lines().next()?.strip_prefix("Sets the `")?;
    let (name, rest) = line.split_once('`')?;
    let what = rest.trim().trim_end_matches('.');
    (!what.is_empty()).then(|| format!("{what} `{name}`"))
}

fn pub_methods(imp: &syn::ItemImpl) -> impl Iterator<Item = &syn::ImplItemFn> {
    imp.items.iter().filter_map(|item| match item {
        syn::ImplItem::Fn(f) if is_pub(&f.vis) => Some(f),
        _ => None,
    })
}

fn method<'a>(imp: &'a syn::ItemImpl, name: &str) -> Option<&'a syn::ImplItemFn> {
    pub_methods(imp).find(|f| f.sig.ident == name)
}

/// A function's typed arguments (not `self`): name and type.
fn args_of(f: &syn::ImplItemFn) -> Vec<(String, String)> {
    f.sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(t) => Some((t.pat.to_token_stream().to_string(), show(&t.ty))),
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

fn self_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn has_attr(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.path().is_ident(name))
}

/// The doc text of an item, lines joined with `\n`.
fn docs(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }),
                ..
            }) => Some(s.value().strip_prefix(' ').map(str::to_owned).unwrap_or_else(|| s.value())),
            _ => None,
        })
        .collect();
    lines.join("\n")
}

/// The `rename` of a `#[serde(...)]` attribute.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

/// The generic type arguments of a path type's last segment.
fn generic_args(ty: &syn::Type) -> Vec<&syn::Type> {
    let syn::Type::Path(path) = ty else { return Vec::new() };
    let Some(last) = path.path.segments.last() else { return Vec::new() };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return Vec::new() };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// A type as a reader would write it: last path segments only, no lifetimes
/// (`::std::option::Option<&'a crate::types::Filter>` → `Option<&Filter>`).
pub fn show(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => show_path(&path.path),
        syn::Type::Reference(r) => {
            format!("&{}{}", if r.mutability.is_some() { "mut " } else { "" }, show(&r.elem))
        }
        syn::Type::Slice(s) => format!("[{}]", show(&s.elem)),
        syn::Type::Array(a) => format!("[{}; {}]", show(&a.elem), a.len.to_token_stream()),
        syn::Type::Tuple(t) => format!("({})", t.elems.iter().map(show).collect::<Vec<_>>().join(", ")),
        syn::Type::Paren(p) => show(&p.elem),
        syn::Type::ImplTrait(i) => {
            let bounds: Vec<String> = i
                .bounds
                .iter()
                .filter_map(|b| match b {
                    syn::TypeParamBound::Trait(t) => Some(show_path(&t.path)),
                    _ => None,
                })
                .collect();
            format!("impl {}", bounds.join(" + "))
        }
        other => other.to_token_stream().to_string(),
    }
}

fn show_path(path: &syn::Path) -> String {
    let Some(last) = path.segments.last() else { return String::new() };
    let mut text = last.ident.to_string();
    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
        let args: Vec<String> = args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(show(t)),
                _ => None,
            })
            .collect();
        if !args.is_empty() {
            text = format!("{text}<{}>", args.join(", "));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields are keyed by wire name: from `#[serde(rename)]` on derived structs, and from the
    /// `serde_struct!` call of the others.
    #[test]
    fn wire_names_come_from_renames_and_serde_struct_calls() {
        let types = r#"
            pub struct Call { pub call_id: String, pub r#type: Option<String>, pub cost: f64 }
            crate::runtime::serde_struct! {
                Call [Deserialize] [Serialize] { call_id = "callId" 0 required, r#type = "type" 1 optional, cost = "cost" 2 required }
            }
            pub struct Codes { #[serde(rename = "primaryCode")] pub primary_code: Option<String> }
            pub enum Status { Queued, OnHold, Unknown(String) }
            crate::runtime::serde_enum! { Status [Deserialize] [] Unknown { Queued = "queued", OnHold = "on-hold" } }
        "#;
        let surface = surface([("src/types.rs", types)]);
        let wires = |name: &str| match &surface.types[name].kind {
            TypeKind::Struct(fields) => fields.keys().cloned().collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(wires("Call"), ["callId", "cost", "type"]);
        assert_eq!(wires("Codes"), ["primaryCode"]);
        let TypeKind::Enum(variants) = &surface.types["Status"].kind else { panic!() };
        let values: Vec<Option<&str>> = variants.iter().map(|v| v.wire.as_deref()).collect();
        assert_eq!(values, [Some("queued"), Some("on-hold"), None]);
    }
}
