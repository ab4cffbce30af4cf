//! The type space: every type the API defines, in emission order, and the one scope their Rust
//! names come from.
//!
//! **Invariant:** component schemas claim their names before anything is lowered, so a `$ref`
//! resolves to its target's name before the target exists. A type's slot is reserved before its
//! members are lowered, so a type comes before the inline types it contains.

use super::Lowerer;
use crate::ir::{TypeDef, TypeKind, TypeRef};
use crate::names;

/// Type names the crate root and `types` module use for themselves.
pub(super) const RESERVED_TYPES: &[&str] = &["Client", "ClientBuilder"];

impl Lowerer<'_, '_> {
    /// Names every component schema, in document order.
    pub(super) fn claim_components(&mut self) {
        let Some(components) = &self.doc.components else { return };
        for key in components.schemas.keys() {
            let name = self.type_scope.claim(names::type_name(key, "Schema"));
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

    /// Defines the struct or union an inline schema at `pointer` becomes, named `name`. While its
    /// members are lowered (by `build`), the schema met again at `pointer` is this type.
    pub(super) fn define_inline(
        &mut self,
        name: String,
        pointer: &str,
        docs: Vec<String>,
        build: impl FnOnce(&mut Self, &str) -> TypeKind,
    ) -> TypeRef {
        let slot = self.reserve();
        self.inlining.insert(pointer.to_owned(), name.clone());
        let kind = build(self, &name);
        self.inlining.remove(pointer);
        self.fill(slot, TypeDef { name: name.clone(), docs, kind });
        TypeRef::Named(name)
    }

    /// Whether `name` is a string or integer enum (which can be a parameter).
    pub(super) fn is_scalar_enum(&self, name: &str) -> bool {
        self.scalar_enums.contains(name)
    }

    /// The types, in emission order.
    pub(super) fn into_types(self) -> Vec<TypeDef> {
        self.slots.into_iter().flatten().collect()
    }
}
