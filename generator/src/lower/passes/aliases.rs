//! Alias cycles: component aliases that lead only to one another (`A: {$ref: B}` with
//! `B: {$ref: A}`, `A: {$ref: A}`, an `allOf` of itself alone, `A: {items: {$ref: A}}`) would be
//! `pub type A = B; pub type B = A;`, which Rust rejects (E0391: a type alias cannot refer to
//! itself). Every alias on such a cycle becomes `serde_json::Value`, and lowering warns at its
//! component.
//!
//! **Invariant:** afterwards no type alias reaches itself through aliases alone. Structs, enums
//! and unions are nominal and break a cycle, so recursion through them is left to boxing.

use rustc_hash::FxHashMap;

use super::boxing::strongly_connected;
use crate::ir::{TypeDef, TypeKind, TypeRef};

/// Turns every alias on a cycle of aliases into `serde_json::Value`; returns their names in type
/// order.
pub(in crate::lower) fn break_alias_cycles(types: &mut [TypeDef]) -> Vec<String> {
    let aliases: FxHashMap<&str, usize> = types
        .iter()
        .enumerate()
        .filter(|(_, def)| matches!(def.kind, TypeKind::Alias(_)))
        .map(|(i, def)| (def.name.as_str(), i))
        .collect();
    if aliases.is_empty() {
        return Vec::new();
    }
    // Edges from an alias to every alias its target names, at any depth (`Vec<A>` is as cyclic
    // as `A` for a type alias); every other type has none.
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Alias(ty) => ty.named().into_iter().filter_map(|name| aliases.get(name).copied()).collect(),
            _ => Vec::new(),
        })
        .collect();
    let component = strongly_connected(&edges);
    let mut size = vec![0usize; types.len()];
    component.iter().for_each(|&c| size[c] += 1);
    let cyclic: Vec<usize> = (0..types.len())
        .filter(|&i| size[component[i]] > 1 || edges[i].contains(&i))
        .filter(|&i| matches!(types[i].kind, TypeKind::Alias(_)))
        .collect();
    cyclic
        .into_iter()
        .map(|i| {
            types[i].kind = TypeKind::Alias(TypeRef::Value);
            types[i].name.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, Presence, Struct};

    fn alias(name: &str, ty: TypeRef) -> TypeDef {
        TypeDef { name: name.to_owned(), docs: Vec::new(), kind: TypeKind::Alias(ty) }
    }

    fn named(name: &str) -> TypeRef {
        TypeRef::Named(name.to_owned())
    }

    #[test]
    fn aliases_on_a_cycle_become_values_and_nothing_else_changes() {
        let node = TypeDef {
            name: "Node".to_owned(),
            docs: Vec::new(),
            kind: TypeKind::Struct(Struct {
                fields: vec![Field {
                    name: "next".to_owned(),
                    wire: "next".to_owned(),
                    ty: named("NodeRef"),
                    presence: Presence::Optional,
                    boxed: false,
                    deprecated: false,
                    docs: Vec::new(),
                }],
                additional: None,
                default: true,
            }),
        };
        let mut types = vec![
            alias("Loop", named("Loop2")),
            alias("Loop2", named("Loop")),
            alias("Itself", named("Itself")),
            alias("List", TypeRef::Vec(Box::new(named("List")))),
            alias("IntoLoop", named("Loop")),
            node.clone(),
            alias("NodeRef", named("Node")),
        ];
        let cut = break_alias_cycles(&mut types);
        assert_eq!(cut, ["Loop", "Loop2", "Itself", "List"]);
        for def in &types[..4] {
            assert_eq!(def.kind, TypeKind::Alias(TypeRef::Value), "{}", def.name);
        }
        // An alias that leads into a cycle is not on it; recursion through a struct is fine.
        assert_eq!(types[4].kind, TypeKind::Alias(named("Loop")));
        assert_eq!(types[5], node);
        assert_eq!(types[6].kind, TypeKind::Alias(named("Node")));
    }
}
