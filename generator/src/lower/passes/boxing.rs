//! Boxing: a struct field or union variant that holds its own type by value (directly or through
//! other types, options and tuples, but not through a list or map) is boxed, so every type has
//! a finite size.
//!
//! **Invariant:** a member is boxed exactly when it closes a cycle of by-value references: when
//! its type and a type it holds in place are in the same strongly connected component. One pass
//! over the graph (Tarjan, iterative), so it is linear in the number of types and references.

use rustc_hash::FxHashMap;

use crate::ir::{MemberAt, TypeDef, TypeKind, TypeRef};

/// Types stored by value (not behind `Vec` or a map) that contain themselves need a `Box`.
pub(in crate::lower) fn box_recursive_fields(types: &mut [TypeDef]) {
    let index: FxHashMap<String, usize> = types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
    // The types a member holds by value (not behind a `Vec` or a map), tuples included.
    let targets = |ty: &TypeRef| -> Vec<usize> {
        ty.named_in_place().into_iter().filter_map(|n| index.get(n).copied()).collect()
    };
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| {
            let mut edges = Vec::new();
            def.visit_members(|at, ty| {
                if at.is_in_place() {
                    edges.extend(targets(ty));
                }
            });
            edges
        })
        .collect();
    // A by-value edge needs a box exactly when it closes a cycle: when both ends are in the same
    // strongly connected component. One pass over the graph, however many types there are.
    let component = strongly_connected(&edges);
    let mut to_box = Vec::new();
    for (i, def) in types.iter().enumerate() {
        def.visit_members(|at, ty| {
            // The member is itself an edge, so a target in the same component (this type
            // included) closes a cycle.
            let boxable = matches!(at, MemberAt::Field(_) | MemberAt::Variant(_));
            if boxable && targets(ty).into_iter().any(|target| component[target] == component[i]) {
                to_box.push((i, at));
            }
        });
    }
    for (i, at) in to_box {
        match (&mut types[i].kind, at) {
            (TypeKind::Struct(s), MemberAt::Field(m)) => s.fields[m].boxed = true,
            (TypeKind::Union(u), MemberAt::Variant(m)) => u.variants[m].boxed = true,
            _ => {}
        }
    }
}

/// Tarjan's algorithm, iterative: the strongly connected component of each node, as an index.
pub(super) fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSEEN; n];
    let mut stack = Vec::new();
    let mut next_order = 0;
    let mut next_component = 0;
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut calls = vec![(root, 0)];
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut edge)) = calls.last_mut() {
            if let Some(&next) = edges[node].get(*edge) {
                *edge += 1;
                if order[next] == UNSEEN {
                    order[next] = next_order;
                    low[next] = next_order;
                    next_order += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    calls.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strongly_connected_components() {
        // 0 → 1 → 2 → 0 is a cycle; 3 points into it; 4 points to itself; 5 stands alone.
        let edges = vec![vec![1], vec![2], vec![0], vec![0], vec![4], vec![]];
        let component = strongly_connected(&edges);
        assert_eq!(component[0], component[1]);
        assert_eq!(component[1], component[2]);
        assert_ne!(component[3], component[0]);
        assert_ne!(component[4], component[5]);
        assert_ne!(component[4], component[0]);
    }

    #[test]
    fn strongly_connected_survives_a_long_chain() {
        // Deep enough to overflow a recursive implementation's stack.
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let component = strongly_connected(&edges);
        assert!(component.iter().all(|&c| c == component[0]));
    }
}
