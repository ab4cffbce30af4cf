//! The type space: every type the API defines, in emission order, and the one scope their Rust
//! names come from. Inline schemas of one shape are one type.
//!
//! **Invariant:** component schemas claim their names before anything is lowered, so a `$ref`
//! resolves to its target's name before the target exists. A type's slot is reserved before its
//! members are lowered, so a type comes before the inline types it contains.
//!
//! **Invariant:** two inline types never have the same [`Shape`]: an inline schema whose lowered
//! shape some type already has is that type (the first of that shape in document order, or a
//! component of that shape lowered before it), and its name is given back to the scope. Members
//! are lowered before their parent's shape is taken, so equal parents hold the same member
//! names and are equal too. Shapes are hash-map keys, so this is linear in the size of the spec.

use std::collections::hash_map::Entry;

use super::Lowerer;
use crate::ir::{Additional, IntegerEnum, Presence, StringEnum, TypeDef, TypeKind, TypeRef, Union};
use crate::names;

/// Type names the crate root and `types` module use for themselves.
pub(super) const RESERVED_TYPES: &[&str] = &["Client", "ClientBuilder"];

/// What makes two types one concept: everything of the lowered kind that the emitted type shows
/// apart from its docs. Field and variant names are made from wire names and titles, so types of
/// one shape emit the same code but for their docs. Only structs, enums and unions have one.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) enum Shape {
    Struct { fields: Vec<FieldShape>, additional: Option<Additional> },
    StringEnum(StringEnum),
    IntegerEnum(IntegerEnum),
    Union(Union),
}

/// A struct field without its docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct FieldShape {
    name: String,
    wire: String,
    ty: TypeRef,
    presence: Presence,
    deprecated: bool,
}

impl Shape {
    /// The shape of a kind that can be shared; `None` for aliases and response enums.
    fn of(kind: &TypeKind) -> Option<Shape> {
        Some(match kind {
            TypeKind::Struct(s) => Shape::Struct {
                fields: s
                    .fields
                    .iter()
                    .map(|f| FieldShape {
                        name: f.name.clone(),
                        wire: f.wire.clone(),
                        ty: f.ty.clone(),
                        presence: f.presence,
                        deprecated: f.deprecated,
                    })
                    .collect(),
                additional: s.additional.clone(),
            },
            TypeKind::StringEnum(e) => Shape::StringEnum(e.clone()),
            TypeKind::IntegerEnum(e) => Shape::IntegerEnum(e.clone()),
            TypeKind::Union(u) => Shape::Union(u.clone()),
            TypeKind::Alias(_) | TypeKind::Responses(_) => return None,
        })
    }
}

/// The type that stands for a shape.
#[derive(Debug)]
pub(super) struct Holder {
    name: String,
    /// A component holds its shape against inline types lowered before it.
    component: bool,
}

/// An inline struct or union being lowered: its name, and whether its schema was met again
/// inside itself (then members refer to the name, which must stay).
pub(super) struct Inlining {
    pub name: String,
    pub met_again: bool,
}

/// What a component schema is named from: its key, unless the key is a placeholder a framework
/// made up and the schema has a `title`. `@fastify/swagger` keys the schemas an app adds with
/// `addSchema` as `def-0`, `def-1`, ... and keeps each one's `$id` as its `title`, so `def-3`
/// titled `TreeNode` is `TreeNode`, not `Def3`.
pub(super) fn component_stem<'s>(key: &'s str, schema: &'s openapiv3::ReferenceOr<openapiv3::Schema>) -> &'s str {
    let placeholder = key.strip_prefix("def-").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match schema {
        openapiv3::ReferenceOr::Item(schema) if placeholder => {
            schema.schema_data.title.as_deref().filter(|title| !names::type_name(title, "").is_empty()).unwrap_or(key)
        }
        _ => key,
    }
}

impl Lowerer<'_, '_> {
    /// Names every component schema, in document order.
    pub(super) fn claim_components(&mut self) {
        let Some(components) = &self.doc.components else { return };
        for (key, schema) in &components.schemas {
            let name = self.type_scope.claim(names::type_name(component_stem(key, schema), "Schema"));
            self.components.insert(key.clone(), name);
        }
    }

    /// A new slot at the end of the type list, filled by [`Self::fill`].
    pub(super) fn reserve(&mut self) -> usize {
        self.slots.push(None);
        self.slots.len() - 1
    }

    /// Adds a type whose members are already lowered.
    pub(super) fn push(&mut self, def: TypeDef) {
        let slot = self.reserve();
        self.fill(slot, def);
    }

    pub(super) fn fill(&mut self, slot: usize, def: TypeDef) {
        if matches!(def.kind, TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_)) {
            self.scalar_enums.insert(def.name.clone());
        }
        self.slots[slot] = Some(def);
    }

    /// Fills a component's slot. Later inline schemas of its shape become it, unless an earlier
    /// component has that shape (components are never merged with one another).
    pub(super) fn fill_component(&mut self, slot: usize, def: TypeDef) {
        if let Some(shape) = Shape::of(&def.kind) {
            let holder = Holder { name: def.name.clone(), component: true };
            match self.shapes.entry(shape) {
                Entry::Occupied(mut held) if !held.get().component => *held.get_mut() = holder,
                Entry::Occupied(_) => {}
                Entry::Vacant(free) => {
                    free.insert(holder);
                }
            }
        }
        self.fill(slot, def);
    }

    /// Defines the struct or union an inline schema at `pointer` becomes, named `wanted` (or a
    /// numbered form of it). While its members are lowered (by `build`), the schema met again at
    /// `pointer` is this type. A type of the same shape that exists already is used instead.
    pub(super) fn define_inline(
        &mut self,
        wanted: String,
        pointer: &str,
        docs: Vec<String>,
        build: impl FnOnce(&mut Self, &str) -> TypeKind,
    ) -> TypeRef {
        let name = self.type_scope.claim(wanted);
        let slot = self.reserve();
        self.inlining.insert(pointer.to_owned(), Inlining { name: name.clone(), met_again: false });
        let kind = build(self, &name);
        let met_again = self.inlining.remove(pointer).is_some_and(|inlining| inlining.met_again);
        // A type met again inside itself is referred to by name from its members, so it stays;
        // otherwise only the caller will refer to it, and the twin can take its place.
        let shape = Shape::of(&kind);
        if !met_again && let Some(twin) = shape.as_ref().and_then(|shape| self.shapes.get(shape)) {
            let twin = twin.name.clone();
            self.type_scope.release(&name);
            return TypeRef::Named(twin);
        }
        if let Some(shape) = shape {
            self.shapes.entry(shape).or_insert(Holder { name: name.clone(), component: false });
        }
        self.fill(slot, TypeDef { name: name.clone(), docs, kind });
        TypeRef::Named(name)
    }

    /// Defines the enum an inline schema becomes, named `wanted` (or a numbered form of it), or
    /// gives the type of the same shape that exists already.
    pub(super) fn define_enum(&mut self, wanted: String, docs: Vec<String>, kind: TypeKind) -> TypeRef {
        let shape = Shape::of(&kind);
        if let Some(twin) = shape.as_ref().and_then(|shape| self.shapes.get(shape)) {
            return TypeRef::Named(twin.name.clone());
        }
        let name = self.type_scope.claim(wanted);
        if let Some(shape) = shape {
            self.shapes.insert(shape, Holder { name: name.clone(), component: false });
        }
        self.push(TypeDef { name: name.clone(), docs, kind });
        TypeRef::Named(name)
    }

    /// Whether `name` is a string or integer enum (which can be a parameter).
    pub(super) fn is_scalar_enum(&self, name: &str) -> bool {
        self.scalar_enums.contains(name)
    }

    /// The types, in emission order (an inline schema that found its twin left its slot empty).
    pub(super) fn into_types(self) -> Vec<TypeDef> {
        self.slots.into_iter().flatten().collect()
    }
}
