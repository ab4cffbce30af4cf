//! The one walk over the type references nested in the IR: the members of a [`TypeDef`] and the
//! references inside a [`TypeRef`]. Lowering's passes (serde directions, boxing) and the
//! manifest (does anything use a date?) all go through it.
//!
//! **Invariant:** a type's members are visited in declaration order, and a new kind of member
//! or of nested reference is added here once, so no walk can miss it.

use super::{TypeDef, TypeKind, TypeRef};

/// Where a member sits in its type definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberAt {
    /// A struct's field, by index.
    Field(usize),
    /// The value type of a struct's `additional_properties` map.
    Additional,
    /// The target of an alias.
    Alias,
    /// A union's variant, by index.
    Variant(usize),
    /// The payload of a success or error enum's variant, by index.
    Response(usize),
}

impl MemberAt {
    /// Whether the member is stored in the type's own value (not behind a map), so a type that
    /// reaches itself through it needs a `Box`.
    pub fn is_in_place(self) -> bool {
        self != MemberAt::Additional
    }
}

impl TypeDef {
    /// Calls `visit` with each type reference the definition holds directly, in order.
    pub fn visit_members<'t>(&'t self, mut visit: impl FnMut(MemberAt, &'t TypeRef)) {
        match &self.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().enumerate().for_each(|(i, f)| visit(MemberAt::Field(i), &f.ty));
                if let Some(extra) = &s.additional {
                    visit(MemberAt::Additional, &extra.ty);
                }
            }
            TypeKind::Alias(ty) => visit(MemberAt::Alias, ty),
            TypeKind::Union(u) => u.variants.iter().enumerate().for_each(|(i, v)| visit(MemberAt::Variant(i), &v.ty)),
            TypeKind::Responses(variants) => {
                for (i, variant) in variants.iter().enumerate() {
                    if let Some(ty) = &variant.ty {
                        visit(MemberAt::Response(i), ty);
                    }
                }
            }
            TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_) => {}
        }
    }

    /// Whether a member, or a reference inside one, satisfies `test`.
    pub fn any_nested(&self, test: &impl Fn(&TypeRef) -> bool) -> bool {
        let mut found = false;
        self.visit_members(|_, ty| found = found || ty.any_nested(test));
        found
    }
}

impl TypeRef {
    /// The references directly inside this one: a map's value, a list's item, an option's inner
    /// type, a tuple's members.
    pub fn children(&self) -> &[TypeRef] {
        match self {
            TypeRef::Map(inner) | TypeRef::Vec(inner) | TypeRef::Option(inner) => std::slice::from_ref(&**inner),
            TypeRef::Tuple(items) => items,
            _ => &[],
        }
    }

    /// Whether this reference holds its children in its own value (an option, a tuple) rather
    /// than behind a heap pointer (a list, a map).
    pub fn holds_in_place(&self) -> bool {
        matches!(self, TypeRef::Option(_) | TypeRef::Tuple(_))
    }

    /// Calls `visit` on this reference and then, when it returns `true`, on each reference inside
    /// it, outermost first.
    pub fn walk<'t>(&'t self, visit: &mut impl FnMut(&'t TypeRef) -> bool) {
        if visit(self) {
            for child in self.children() {
                child.walk(visit);
            }
        }
    }

    /// Whether this reference, or one inside it, satisfies `test`.
    pub fn any_nested(&self, test: &impl Fn(&TypeRef) -> bool) -> bool {
        test(self) || self.children().iter().any(|child| child.any_nested(test))
    }

    /// The names of the named types this reference mentions, at any depth, outermost first.
    pub fn named(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.walk(&mut |ty| {
            if let TypeRef::Named(name) = ty {
                names.push(name.as_str());
            }
            true
        });
        names
    }

    /// The names of the named types this reference holds in place (not behind a list or map).
    pub fn named_in_place(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.walk(&mut |ty| {
            if let TypeRef::Named(name) = ty {
                names.push(name.as_str());
            }
            ty.holds_in_place()
        });
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> TypeRef {
        TypeRef::Named(name.to_owned())
    }

    #[test]
    fn nested_names_by_depth_and_place() {
        let ty = TypeRef::Option(Box::new(TypeRef::Tuple(vec![
            named("A"),
            TypeRef::Vec(Box::new(named("B"))),
            TypeRef::Map(Box::new(TypeRef::Option(Box::new(named("C"))))),
        ])));
        assert_eq!(ty.named(), ["A", "B", "C"]);
        assert_eq!(ty.named_in_place(), ["A"]);
        assert!(ty.any_nested(&|t| *t == named("C")));
        assert!(!ty.any_nested(&|t| *t == TypeRef::Date));
    }
}
