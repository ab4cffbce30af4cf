//! Lower stage: resolves references and turns the `openapiv3` model into the [`ir`](crate::ir),
//! deciding every Rust name on the way.
//!
//! Inline schemas are named from where they sit: the `call_settings` property of
//! `CallUpdateRequest` becomes `CallUpdateRequestCallSettings`, the 200 body of `update_call`
//! becomes `UpdateCallResponse`, array items get an `Item` suffix. Inline schemas of one lowered
//! shape are one type, named from the first of them or the component they equal ([`space`]).
//!
//! One [`Lowerer`] walks the document; its methods live beside the concern they serve:
//! references ([`refs`]), the type space ([`space`]), schemas ([`schema`], [`containers`],
//! [`objects`], [`enums`]), security schemes, operations, parameters, bodies and responses.
//! [`lower`] fixes the phase order; the IR-to-IR [`passes`] run on the finished types, and the
//! spec's [`examples`] are checked against them last.
//!
//! **Invariant:** phases run in one order (component names, component types, security
//! schemes, operations, the passes, then the examples), and within a phase in document order, so names and
//! type order never depend on anything but the document.

mod bodies;
mod containers;
mod docs;
mod enums;
mod examples;
mod media;
mod method_names;
mod objects;
mod operations;
mod params;
mod passes;
mod refs;
mod responses;
mod schema;
mod security;
mod space;
#[cfg(test)]
mod tests;

use openapiv3::OpenAPI;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostics::Sink;
use crate::ir::{Api, TypeRef};
use crate::names::Scope;

pub use docs::lines;
pub use refs::Raw;

/// Lowers a parsed document; `raw` is the same document as JSON.
pub fn lower(doc: &OpenAPI, raw: &Raw<'_>, sink: &mut Sink) -> Api {
    let mut lowerer = Lowerer::new(doc, raw, sink);
    lowerer.claim_components();
    lowerer.lower_components();
    let security_schemes = lowerer.security_schemes();
    let mut operations = lowerer.operations(&security_schemes);
    let components: FxHashMap<String, String> =
        lowerer.components.iter().map(|(key, name)| (name.clone(), key.clone())).collect();
    let component_names = lowerer.components.clone();
    let mut types = lowerer.into_types();
    for name in passes::break_alias_cycles(&mut types) {
        let at = components.get(&name).map(|key| crate::pointer::push("/components/schemas", key));
        sink.warning(
            at.as_deref().unwrap_or_default(),
            "a cycle of $refs between aliases that never reaches a schema; generated as serde_json::Value",
        );
    }
    let spec_tags: Vec<&str> = doc.tags.iter().map(|tag| tag.name.as_str()).collect();
    let features = passes::tag_features(&spec_tags, &types, &mut operations);
    let directions = passes::serde_directions(&types, &operations);
    passes::finish_presence(&mut types, &directions.serialize);
    passes::box_recursive_fields(&mut types);
    for (at, message) in passes::recognise_pagination(&types, &mut operations) {
        sink.warning(&at, message);
    }
    let examples = examples::examples(doc, &component_names, &types, &operations, sink);
    Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        docs: doc.info.description.as_deref().map(lines).unwrap_or_default(),
        base_url: doc.servers.first().map(|s| s.url.clone()).unwrap_or_default(),
        security_schemes,
        types,
        operations,
        serialize: directions.serialize,
        deserialize: directions.deserialize,
        examples,
        features,
    }
}

/// A lowered schema: its Rust type and whether `null` is a valid value.
#[derive(Clone, Debug)]
struct Lowered {
    ty: TypeRef,
    nullable: bool,
}

impl Lowered {
    fn of(ty: TypeRef) -> Self {
        Lowered { ty, nullable: false }
    }

    /// The type, as an `Option` when `null` is valid (a JSON value holds `null` itself).
    fn wrapped(self) -> TypeRef {
        if self.nullable && self.ty != TypeRef::Value { TypeRef::Option(Box::new(self.ty)) } else { self.ty }
    }
}

/// The state of one lowering run. Fields are read and written by the modules of this stage.
struct Lowerer<'a, 's> {
    doc: &'a OpenAPI,
    raw: &'a Raw<'a>,
    sink: &'s mut Sink,
    /// Types in emission order; a slot is reserved before a component's inline types are lowered.
    slots: Vec<Option<crate::ir::TypeDef>>,
    type_scope: Scope,
    /// Component schema key → Rust type name.
    components: FxHashMap<String, String>,
    /// Other `$ref` targets already lowered.
    deep_refs: FxHashMap<String, Lowered>,
    /// `$ref`s outside components being lowered right now (cycle guard).
    resolving: FxHashSet<String>,
    /// Pointer → the inline structs and unions being lowered right now.
    inlining: FxHashMap<String, space::Inlining>,
    /// Shape → the type that stands for it (inline schemas of one shape are one type).
    shapes: FxHashMap<space::Shape, space::Holder>,
    /// Names of the string and integer enums defined so far (they can be parameters).
    scalar_enums: FxHashSet<String>,
}

impl<'a, 's> Lowerer<'a, 's> {
    fn new(doc: &'a OpenAPI, raw: &'a Raw<'a>, sink: &'s mut Sink) -> Self {
        Lowerer {
            doc,
            raw,
            sink,
            slots: Vec::new(),
            type_scope: Scope::with_reserved(space::RESERVED_TYPES),
            components: FxHashMap::default(),
            deep_refs: FxHashMap::default(),
            resolving: FxHashSet::default(),
            inlining: FxHashMap::default(),
            shapes: FxHashMap::default(),
            scalar_enums: FxHashSet::default(),
        }
    }
}
