//! Builds `syn` trees directly. prettyplease prints a `syn` tree; tokens from `quote!` must be
//! parsed into one first, which costs more than printing it. The emitters of large output (the
//! types and the client's methods) build their trees here instead. A tree built here is the one
//! `syn` would parse from the equivalent tokens, so the printed text is the same either way.
//!
//! Every token carries the call-site span, as `quote!` gives it; prettyplease ignores spans.

use proc_macro2::{Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::{
    AngleBracketedGenericArguments, Arm, AttrStyle, Attribute, Block, Expr, ExprArray, ExprAssign, ExprAwait, ExprCall,
    ExprClosure, ExprField, ExprForLoop, ExprIf, ExprLet, ExprLit, ExprMacro, ExprMatch, ExprMethodCall, ExprPath,
    ExprRange, ExprReference, ExprStruct, ExprTry, ExprTuple, Field, FieldMutability, FieldPat, FieldValue, Fields,
    FieldsNamed, FieldsUnnamed, FnArg, GenericArgument, GenericParam, Generics, Ident, ImplItem, ImplItemFn,
    ImplItemType, Index, Item, ItemImpl, ItemMacro, ItemStruct, Lifetime, LifetimeParam, Lit, LitBool, LitInt, LitStr,
    Local, LocalInit, Macro, MacroDelimiter, Member, Meta, MetaList, MetaNameValue, Pat, PatIdent, PatPath, PatStruct,
    PatTupleStruct, PatType, PatWild, Path, PathArguments, PathSegment, RangeLimits, Receiver, ReturnType, Signature,
    Stmt, TraitBound, TraitBoundModifier, Type, TypeImplTrait, TypeInfer, TypeParamBound, TypePath, TypeReference,
    TypeSlice, TypeTuple, Variant, VisRestricted, Visibility,
};

use super::ident;

/// The path `a::b::c`, or `::a::b::c` when `global`.
pub fn path(global: bool, segments: &[&str]) -> Path {
    Path {
        leading_colon: global.then(Default::default),
        segments: segments.iter().map(|segment| PathSegment::from(ident(segment))).collect(),
    }
}

/// `path` with the type arguments `<args>` on its last segment.
pub fn generic(path: Path, args: impl IntoIterator<Item = Type>) -> Path {
    with_arguments(path, args.into_iter().map(GenericArgument::Type))
}

pub fn with_arguments(mut path: Path, args: impl IntoIterator<Item = GenericArgument>) -> Path {
    if let Some(last) = path.segments.last_mut() {
        last.arguments = PathArguments::AngleBracketed(AngleBracketedGenericArguments {
            colon2_token: None,
            lt_token: Default::default(),
            args: args.into_iter().collect(),
            gt_token: Default::default(),
        });
    }
    path
}

/// The type named by `path`.
pub fn path_type(path: Path) -> Type {
    Type::Path(TypePath { qself: None, path })
}

/// The type `name` (one segment).
pub fn named_type(name: Ident) -> Type {
    path_type(Path::from(name))
}

/// The tuple type `(a, b,)`; `()` when `elems` is empty.
pub fn tuple_type(elems: impl IntoIterator<Item = Type>) -> Type {
    let mut elems: Punctuated<Type, syn::Token![,]> = elems.into_iter().collect();
    if !elems.empty_or_trailing() {
        elems.push_punct(Default::default());
    }
    Type::Tuple(TypeTuple { paren_token: Default::default(), elems })
}

/// `&ty`.
pub fn reference(ty: Type) -> Type {
    Type::Reference(TypeReference {
        and_token: Default::default(),
        lifetime: None,
        mutability: None,
        elem: Box::new(ty),
    })
}

/// `#[doc = "text"]`.
pub fn doc(text: String) -> Attribute {
    name_value_attribute("doc", &text)
}

/// `#[name = "value"]`.
pub fn name_value_attribute(name: &str, value: &str) -> Attribute {
    outer(Meta::NameValue(MetaNameValue {
        path: path(false, &[name]),
        eq_token: Default::default(),
        value: string(value),
    }))
}

/// `#[name]`.
pub fn word_attribute(name: &str) -> Attribute {
    outer(Meta::Path(path(false, &[name])))
}

/// `#[name(tokens)]`.
pub fn list_attribute(name: &str, tokens: TokenStream) -> Attribute {
    outer(Meta::List(MetaList {
        path: path(false, &[name]),
        delimiter: MacroDelimiter::Paren(Default::default()),
        tokens,
    }))
}

fn outer(meta: Meta) -> Attribute {
    Attribute { pound_token: Default::default(), style: AttrStyle::Outer, bracket_token: Default::default(), meta }
}

/// The string literal `"value"`.
pub fn string(value: &str) -> Expr {
    literal(Lit::Str(LitStr::new(value, Span::call_site())))
}

fn literal(lit: Lit) -> Expr {
    Expr::Lit(ExprLit { attrs: Vec::new(), lit })
}

/// The expression naming `path`.
pub fn path_expr(path: Path) -> Expr {
    Expr::Path(ExprPath { attrs: Vec::new(), qself: None, path })
}

/// A public named field: `pub name: ty`.
pub fn named_field(attrs: Vec<Attribute>, name: Ident, ty: Type) -> Field {
    Field {
        attrs,
        vis: Visibility::Public(Default::default()),
        mutability: FieldMutability::None,
        ident: Some(name),
        colon_token: Some(Default::default()),
        ty,
    }
}

/// `{ fields }` of a struct or variant.
pub fn named_fields(fields: impl IntoIterator<Item = Field>) -> Fields {
    Fields::Named(FieldsNamed { brace_token: Default::default(), named: fields.into_iter().collect() })
}

/// `(ty)` of a tuple variant.
pub fn tuple_fields(ty: Type) -> Fields {
    let field = Field {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        mutability: FieldMutability::None,
        ident: None,
        colon_token: None,
        ty,
    };
    Fields::Unnamed(FieldsUnnamed { paren_token: Default::default(), unnamed: Punctuated::from_iter([field]) })
}

/// An enum variant.
pub fn variant(attrs: Vec<Attribute>, name: Ident, fields: Fields) -> Variant {
    Variant { attrs, ident: name, fields, discriminant: None }
}

/// `impl self_ty { items }`, or `impl trait_ for self_ty { items }`.
pub fn impl_block(trait_: Option<Path>, self_ty: Type, items: Vec<ImplItem>) -> Item {
    Item::Impl(ItemImpl {
        attrs: Vec::new(),
        defaultness: None,
        unsafety: None,
        impl_token: Default::default(),
        generics: Generics::default(),
        trait_: trait_.map(|path| (None, path, Default::default())),
        self_ty: Box::new(self_ty),
        brace_token: Default::default(),
        items,
    })
}

/// A method taking `&self` and `inputs`, returning `output`, whose body is the expression `body`.
pub fn method(
    attrs: Vec<Attribute>,
    public: bool,
    name: &str,
    inputs: impl IntoIterator<Item = FnArg>,
    output: Type,
    body: Expr,
) -> ImplItem {
    Function {
        attrs,
        public,
        inputs: inputs.into_iter().collect(),
        ..Function::new(ident(name), Some(SelfArg::Ref(None)), output, vec![Stmt::Expr(body, None)])
    }
    .build()
}

/// How a method takes `self`.
pub enum SelfArg {
    /// `&self`, or `&'a self` with a lifetime.
    Ref(Option<Lifetime>),
    /// `self`.
    Value,
    /// `mut self`.
    Mut,
}

/// A function of an `impl` block, field by field; [`Function::new`] gives a public, synchronous,
/// non-generic one without attributes or further arguments. An `output` of `()` is written
/// without `->`.
pub struct Function {
    pub attrs: Vec<Attribute>,
    pub public: bool,
    pub asynchronous: bool,
    pub name: Ident,
    pub generics: Generics,
    /// `None` for an associated function (`new`).
    pub receiver: Option<SelfArg>,
    pub inputs: Vec<FnArg>,
    pub output: Type,
    pub stmts: Vec<Stmt>,
}

impl Function {
    pub fn new(name: Ident, receiver: Option<SelfArg>, output: Type, stmts: Vec<Stmt>) -> Self {
        Function {
            attrs: Vec::new(),
            public: true,
            asynchronous: false,
            name,
            generics: Generics::default(),
            receiver,
            inputs: Vec::new(),
            output,
            stmts,
        }
    }

    pub fn build(self) -> ImplItem {
        let receiver = self.receiver.map(|receiver| {
            let self_type = named_type(ident("Self"));
            let (reference, mutability, ty) = match receiver {
                SelfArg::Ref(lifetime) => {
                    let ty = Type::Reference(TypeReference {
                        and_token: Default::default(),
                        lifetime: lifetime.clone(),
                        mutability: None,
                        elem: Box::new(self_type),
                    });
                    (Some((Default::default(), lifetime)), None, ty)
                }
                SelfArg::Value => (None, None, self_type),
                SelfArg::Mut => (None, Some(Default::default()), self_type),
            };
            FnArg::Receiver(Receiver {
                attrs: Vec::new(),
                reference,
                mutability,
                self_token: Default::default(),
                colon_token: None,
                ty: Box::new(ty),
            })
        });
        ImplItem::Fn(ImplItemFn {
            attrs: self.attrs,
            vis: if self.public { Visibility::Public(Default::default()) } else { Visibility::Inherited },
            defaultness: None,
            sig: Signature {
                constness: None,
                asyncness: self.asynchronous.then(Default::default),
                unsafety: None,
                abi: None,
                fn_token: Default::default(),
                ident: self.name,
                generics: self.generics,
                paren_token: Default::default(),
                inputs: receiver.into_iter().chain(self.inputs).collect(),
                variadic: None,
                output: match self.output {
                    Type::Tuple(unit) if unit.elems.is_empty() => ReturnType::Default,
                    output => ReturnType::Type(Default::default(), Box::new(output)),
                },
            },
            block: block(self.stmts),
        })
    }
}

/// The argument `name: ty`.
pub fn argument(name: Ident, ty: Type) -> FnArg {
    FnArg::Typed(PatType {
        attrs: Vec::new(),
        pat: Box::new(binding(name, false)),
        colon_token: Default::default(),
        ty: Box::new(ty),
    })
}

fn block(stmts: Vec<Stmt>) -> Block {
    Block { brace_token: Default::default(), stmts }
}

/// `let name = init;`, or `let mut name = init;` when `mutable`.
pub fn local(name: &str, mutable: bool, init: Expr) -> Stmt {
    Stmt::Local(Local {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat: binding(ident(name), mutable),
        init: Some(LocalInit { eq_token: Default::default(), expr: Box::new(init), diverge: None }),
        semi_token: Default::default(),
    })
}

/// `expr;`
pub fn statement(expr: Expr) -> Stmt {
    Stmt::Expr(expr, Some(Default::default()))
}

/// A block-like expression (`if`, `for`) standing as a statement, without a semicolon.
pub fn block_statement(expr: Expr) -> Stmt {
    Stmt::Expr(expr, None)
}

/// `if let path(binding) = value { stmts }`.
pub fn if_let(pattern: Pat, value: Expr, stmts: Vec<Stmt>) -> Expr {
    let condition = Expr::Let(ExprLet {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat: Box::new(pattern),
        eq_token: Default::default(),
        expr: Box::new(value),
    });
    Expr::If(ExprIf {
        attrs: Vec::new(),
        if_token: Default::default(),
        cond: Box::new(condition),
        then_branch: block(stmts),
        else_branch: None,
    })
}

/// `for pattern in value { stmts }`.
pub fn for_loop(pattern: Pat, value: Expr, stmts: Vec<Stmt>) -> Expr {
    Expr::ForLoop(ExprForLoop {
        attrs: Vec::new(),
        label: None,
        for_token: Default::default(),
        pat: Box::new(pattern),
        in_token: Default::default(),
        expr: Box::new(value),
        body: block(stmts),
    })
}

/// `path(args)`.
pub fn call(path: Path, args: Vec<Expr>) -> Expr {
    Expr::Call(ExprCall {
        attrs: Vec::new(),
        func: Box::new(path_expr(path)),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `path!(tokens)`.
pub fn macro_call(path: Path, tokens: TokenStream) -> Expr {
    Expr::Macro(ExprMacro {
        attrs: Vec::new(),
        mac: Macro {
            path,
            bang_token: Default::default(),
            delimiter: MacroDelimiter::Paren(Default::default()),
            tokens,
        },
    })
}

/// `|inputs| body`.
pub fn closure(inputs: Vec<Pat>, body: Expr) -> Expr {
    Expr::Closure(ExprClosure {
        attrs: Vec::new(),
        lifetimes: None,
        constness: None,
        movability: None,
        asyncness: None,
        capture: None,
        or1_token: Default::default(),
        inputs: inputs.into_iter().collect(),
        or2_token: Default::default(),
        output: ReturnType::Default,
        body: Box::new(body),
    })
}

/// `&expr`.
pub fn borrow(expr: Expr) -> Expr {
    Expr::Reference(ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(expr),
    })
}

/// `[elems]`.
pub fn array(elems: Vec<Expr>) -> Expr {
    Expr::Array(ExprArray { attrs: Vec::new(), bracket_token: Default::default(), elems: elems.into_iter().collect() })
}

/// `()`.
pub fn unit() -> Expr {
    Expr::Tuple(ExprTuple { attrs: Vec::new(), paren_token: Default::default(), elems: Punctuated::new() })
}

/// `base.name`.
pub fn field(base: Expr, name: &str) -> Expr {
    Expr::Field(ExprField {
        attrs: Vec::new(),
        base: Box::new(base),
        dot_token: Default::default(),
        member: Member::Named(ident(name)),
    })
}

/// `expr?`.
pub fn try_expr(expr: Expr) -> Expr {
    Expr::Try(ExprTry { attrs: Vec::new(), expr: Box::new(expr), question_token: Default::default() })
}

/// `base.0`: the first field of a tuple struct.
pub fn first_field(base: Expr) -> Expr {
    Expr::Field(ExprField {
        attrs: Vec::new(),
        base: Box::new(base),
        dot_token: Default::default(),
        member: Member::Unnamed(Index::from(0)),
    })
}

/// `path!(tokens);` as an item, or `path! { tokens }` when `braced`.
pub fn macro_item(path: Path, braced: bool, tokens: TokenStream) -> Item {
    let (delimiter, semi_token) = if braced {
        (MacroDelimiter::Brace(Default::default()), None)
    } else {
        (MacroDelimiter::Paren(Default::default()), Some(Default::default()))
    };
    Item::Macro(ItemMacro {
        attrs: Vec::new(),
        ident: None,
        mac: Macro { path, bang_token: Default::default(), delimiter, tokens },
        semi_token,
    })
}

/// `pub struct name<generics>(ty);`, its one field private.
pub fn tuple_struct(attrs: Vec<Attribute>, name: Ident, generics: Generics, ty: Type) -> Item {
    public_struct(attrs, name, generics, tuple_fields(ty))
}

/// `expr.await`.
pub fn await_expr(expr: Expr) -> Expr {
    Expr::Await(ExprAwait {
        attrs: Vec::new(),
        base: Box::new(expr),
        dot_token: Default::default(),
        await_token: Default::default(),
    })
}

/// `path { name: value }`.
pub fn struct_expr(path: Path, name: &str, value: Expr) -> Expr {
    let field = FieldValue {
        attrs: Vec::new(),
        member: Member::Named(ident(name)),
        colon_token: Some(Default::default()),
        expr: value,
    };
    Expr::Struct(ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path,
        brace_token: Default::default(),
        fields: Punctuated::from_iter([field]),
        dot2_token: None,
        rest: None,
    })
}

/// `true` or `false`.
pub fn boolean(value: bool) -> Expr {
    literal(Lit::Bool(LitBool::new(value, Span::call_site())))
}

/// The unsuffixed integer literal `value`.
pub fn integer(value: u16) -> Expr {
    literal(integer_literal(value))
}

fn integer_literal(value: u16) -> Lit {
    Lit::Int(LitInt::new(&value.to_string(), Span::call_site()))
}

/// The pattern `_`.
pub fn wild_pattern() -> Pat {
    Pat::Wild(PatWild { attrs: Vec::new(), underscore_token: Default::default() })
}

/// The pattern `low..=high` of integers.
pub fn range_pattern(low: u16, high: u16) -> Pat {
    Pat::Range(ExprRange {
        attrs: Vec::new(),
        start: Some(Box::new(integer(low))),
        limits: RangeLimits::Closed(Default::default()),
        end: Some(Box::new(integer(high))),
    })
}

/// The pattern of the integer `value`.
pub fn integer_pattern(value: u16) -> Pat {
    Pat::Lit(ExprLit { attrs: Vec::new(), lit: integer_literal(value) })
}

/// The type `_`.
pub fn inferred_type() -> Type {
    Type::Infer(TypeInfer { underscore_token: Default::default() })
}

/// `match scrutinee { arms }`.
pub fn match_expr(scrutinee: Expr, arms: Vec<Arm>) -> Expr {
    Expr::Match(ExprMatch {
        attrs: Vec::new(),
        match_token: Default::default(),
        expr: Box::new(scrutinee),
        brace_token: Default::default(),
        arms,
    })
}

/// `pat => body,`.
pub fn arm(pat: Pat, body: Expr) -> Arm {
    Arm {
        attrs: Vec::new(),
        pat,
        guard: None,
        fat_arrow_token: Default::default(),
        body: Box::new(body),
        comma: Some(Default::default()),
    }
}

/// The pattern `path`.
pub fn path_pattern(path: Path) -> Pat {
    Pat::Path(PatPath { attrs: Vec::new(), qself: None, path })
}

/// The pattern `path(binding)`.
pub fn tuple_pattern(path: Path, binding: &str) -> Pat {
    Pat::TupleStruct(PatTupleStruct {
        attrs: Vec::new(),
        qself: None,
        path,
        paren_token: Default::default(),
        elems: Punctuated::from_iter([binding_pattern(binding)]),
    })
}

/// The pattern binding `name`.
pub fn binding_pattern(name: &str) -> Pat {
    binding(ident(name), false)
}

/// The pattern binding `name`, or `mut name` when `mutable`.
fn binding(name: Ident, mutable: bool) -> Pat {
    Pat::Ident(PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: mutable.then(Default::default),
        ident: name,
        subpat: None,
    })
}

/// The expression naming the local variable (or `self`) `name`.
pub fn variable(name: &str) -> Expr {
    path_expr(path(false, &[name]))
}

/// `impl ::std::fmt::Display for name`, writing `self.as_str()`.
pub fn display_through_as_str(name: Ident) -> Item {
    let elided = GenericArgument::Lifetime(Lifetime::new("'_", Span::call_site()));
    let formatter = with_arguments(path(true, &["std", "fmt", "Formatter"]), [elided]);
    let f = argument(
        ident("f"),
        Type::Reference(TypeReference {
            and_token: Default::default(),
            lifetime: None,
            mutability: Some(Default::default()),
            elem: Box::new(path_type(formatter)),
        }),
    );
    let as_str = method_call(variable("self"), "as_str", Vec::new());
    let body = method_call(variable("f"), "write_str", vec![as_str]);
    let fmt = method(Vec::new(), false, "fmt", [f], path_type(path(true, &["std", "fmt", "Result"])), body);
    impl_block(Some(path(true, &["std", "fmt", "Display"])), named_type(name), vec![fmt])
}

/// `receiver.name(args)`.
pub fn method_call(receiver: Expr, name: &str, args: Vec<Expr>) -> Expr {
    Expr::MethodCall(ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: ident(name),
        turbofish: None,
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `receiver.name::<ty>(args)`.
pub fn method_call_with(receiver: Expr, name: &str, ty: Type, args: Vec<Expr>) -> Expr {
    let mut call = method_call(receiver, name, args);
    if let Expr::MethodCall(call) = &mut call {
        call.turbofish = Some(AngleBracketedGenericArguments {
            colon2_token: Some(Default::default()),
            lt_token: Default::default(),
            args: Punctuated::from_iter([GenericArgument::Type(ty)]),
            gt_token: Default::default(),
        });
    }
    call
}

/// `<'a>`: generics declaring one lifetime.
pub fn lifetime_generics(lifetime: Lifetime) -> Generics {
    Generics {
        lt_token: Some(Default::default()),
        params: Punctuated::from_iter([GenericParam::Lifetime(LifetimeParam::new(lifetime))]),
        gt_token: Some(Default::default()),
        where_clause: None,
    }
}

/// `path` with the lifetime argument `<'a>` on its last segment.
pub fn with_lifetime(path: Path, lifetime: Lifetime) -> Path {
    with_arguments(path, [GenericArgument::Lifetime(lifetime)])
}

/// `&'a ty`.
pub fn borrowed(lifetime: Lifetime, ty: Type) -> Type {
    Type::Reference(TypeReference {
        and_token: Default::default(),
        lifetime: Some(lifetime),
        mutability: None,
        elem: Box::new(ty),
    })
}

/// `[ty]`.
pub fn slice(ty: Type) -> Type {
    Type::Slice(TypeSlice { bracket_token: Default::default(), elem: Box::new(ty) })
}

/// `impl trait_`.
pub fn impl_trait(trait_: Path) -> Type {
    Type::ImplTrait(TypeImplTrait {
        impl_token: Default::default(),
        bounds: Punctuated::from_iter([TypeParamBound::Trait(TraitBound {
            paren_token: None,
            modifier: TraitBoundModifier::None,
            lifetimes: None,
            path: trait_,
        })]),
    })
}

/// `pub(crate)`.
pub fn crate_visible() -> Visibility {
    Visibility::Restricted(VisRestricted {
        pub_token: Default::default(),
        paren_token: Default::default(),
        in_token: None,
        path: Box::new(path(false, &["crate"])),
    })
}

/// A named field with the given visibility: `vis name: ty`.
pub fn field_with(attrs: Vec<Attribute>, vis: Visibility, name: Ident, ty: Type) -> Field {
    Field { vis, ..named_field(attrs, name, ty) }
}

/// `pub struct name<generics> { fields }`.
pub fn struct_item(attrs: Vec<Attribute>, name: Ident, generics: Generics, fields: Vec<Field>) -> Item {
    public_struct(attrs, name, generics, named_fields(fields))
}

/// `pub struct name<generics> fields`, with the `;` a tuple struct ends with.
fn public_struct(attrs: Vec<Attribute>, name: Ident, generics: Generics, fields: Fields) -> Item {
    let semi_token = matches!(fields, Fields::Unnamed(_)).then(Default::default);
    Item::Struct(ItemStruct {
        attrs,
        vis: Visibility::Public(Default::default()),
        struct_token: Default::default(),
        ident: name,
        generics,
        fields,
        semi_token,
    })
}

/// One field of a struct expression: `name: value`, or `name` when `value` is `None`.
pub fn field_value(name: Ident, value: Option<Expr>) -> FieldValue {
    let colon_token = value.is_some().then(Default::default);
    let expr = value.unwrap_or_else(|| path_expr(Path::from(name.clone())));
    FieldValue { attrs: Vec::new(), member: Member::Named(name), colon_token, expr }
}

/// `path { fields }`.
pub fn struct_literal(path: Path, fields: Vec<FieldValue>) -> Expr {
    Expr::Struct(ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path,
        brace_token: Default::default(),
        fields: fields.into_iter().collect(),
        dot2_token: None,
        rest: None,
    })
}

/// The pattern `path { fields }`: each field bound to its own name, or ignored (`name: _`).
pub fn struct_pattern(path: Path, fields: impl IntoIterator<Item = (Ident, bool)>) -> Pat {
    let fields = fields.into_iter().map(|(name, bound)| FieldPat {
        attrs: Vec::new(),
        member: Member::Named(name.clone()),
        colon_token: (!bound).then(Default::default),
        pat: Box::new(if bound { binding(name, false) } else { wild_pattern() }),
    });
    Pat::Struct(PatStruct {
        attrs: Vec::new(),
        qself: None,
        path,
        brace_token: Default::default(),
        fields: fields.collect(),
        rest: None,
    })
}

/// `let pattern = init;`.
pub fn let_pattern(pattern: Pat, init: Expr) -> Stmt {
    Stmt::Local(Local {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat: pattern,
        init: Some(LocalInit { eq_token: Default::default(), expr: Box::new(init), diverge: None }),
        semi_token: Default::default(),
    })
}

/// `place = value`.
pub fn assign(place: Expr, value: Expr) -> Expr {
    Expr::Assign(ExprAssign {
        attrs: Vec::new(),
        left: Box::new(place),
        eq_token: Default::default(),
        right: Box::new(value),
    })
}

/// `impl<generics> trait_ for self_ty { items }` (or without a trait).
pub fn generic_impl(generics: Generics, trait_: Option<Path>, self_ty: Type, items: Vec<ImplItem>) -> Item {
    let mut item = impl_block(trait_, self_ty, items);
    if let Item::Impl(block) = &mut item {
        block.generics = generics;
    }
    item
}

/// `type name = ty;` in a trait impl.
pub fn associated_type(name: &str, ty: Type) -> ImplItem {
    ImplItem::Type(ImplItemType {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        defaultness: None,
        type_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        eq_token: Default::default(),
        ty,
        semi_token: Default::default(),
    })
}
