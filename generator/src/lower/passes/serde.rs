//! Serde directions: the types a request reaches need `Serialize`, those a response reaches (or
//! nothing reaches) need `Deserialize`; optional nullable fields are tri-state (`Nullable<T>`)
//! only where they are sent.
//!
//! **Invariant:** both sets are closed under containment: a type that derives a trait has every
//! type it holds derive it too, so the emitted derives always compile.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::ir::{BodyEncoding, Operation, Presence, ResponseBody, TypeDef, TypeKind};

/// The types that derive each serde trait.
pub(in crate::lower) struct Directions {
    /// Types a request reaches.
    pub serialize: FxHashSet<String>,
    /// Types a response reaches, and types nothing reaches.
    pub deserialize: FxHashSet<String>,
}

/// Optional + nullable fields are tri-state (`Nullable<T>`: absent / null / value) only in types a
/// request body can contain: that matters only when sending. Types no request reaches use
/// `Option<T>`.
pub(in crate::lower) fn finish_presence(types: &mut [TypeDef], in_request: &FxHashSet<String>) {
    for def in types.iter_mut() {
        if in_request.contains(&def.name) {
            continue;
        }
        if let TypeKind::Struct(s) = &mut def.kind {
            for field in &mut s.fields {
                if field.presence == Presence::OptionalNullable {
                    field.presence = Presence::Optional;
                }
            }
        }
    }
}

/// Which types a request reaches (they need `Serialize`) and which need `Deserialize`: those a
/// response reaches plus those nothing reaches.
pub(in crate::lower) fn serde_directions(types: &[TypeDef], operations: &[Operation]) -> Directions {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    for op in operations {
        if let Some(body) = &op.body {
            sent.extend(body.ty.named());
            if let BodyEncoding::Multipart(form) = &body.encoding {
                form.fields.iter().for_each(|f| sent.extend(f.field.ty.named()));
            }
        }
        op.params.iter().for_each(|p| sent.extend(p.ty.named()));
        received.extend(op.success.named());
        for response in &op.responses {
            if let ResponseBody::Json(ty) | ResponseBody::EventStream(Some(ty)) | ResponseBody::Items { item: ty, .. } =
                &response.body
            {
                received.extend(ty.named());
            }
        }
    }
    let index: FxHashMap<&str, usize> = types.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let serialize = reachable(types, &index, sent);
    // Closed under containment: a type that derives `Deserialize` needs it on every field type,
    // including one that is otherwise only sent.
    received.extend(types.iter().filter(|t| !serialize.contains(&t.name)).map(|t| t.name.as_str()));
    let deserialize = reachable(types, &index, received);
    Directions { serialize, deserialize }
}

/// Every type name reachable from `roots` through fields, aliases, union branches and response
/// variants.
pub(super) fn reachable<'t>(
    types: &'t [TypeDef],
    index: &FxHashMap<&str, usize>,
    mut stack: Vec<&'t str>,
) -> FxHashSet<String> {
    let mut seen = FxHashSet::default();
    while let Some(name) = stack.pop() {
        let Some(&i) = index.get(name) else { continue };
        if !seen.insert(name.to_owned()) {
            continue;
        }
        types[i].visit_members(|_, ty| stack.extend(ty.named()));
    }
    seen
}
