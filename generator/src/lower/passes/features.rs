//! Cargo features by tag: each tag of the spec becomes a feature that compiles the operations
//! with that tag and every type they reach, so a service that calls a few operations of a large
//! API compiles only those (issue: GitHub's 1,223 operations). Operations without a tag share
//! the `untagged` feature; schemas no operation reaches (webhook payloads, say) are behind
//! `unreferenced-schemas`. The crate's default feature `all` enables every one, so a plain
//! `cargo add` gets the whole API.
//!
//! **Invariant:** every feature's set of types is closed under containment (what a compiled type
//! holds is compiled under the same feature), so any combination of features compiles.

use heck::ToKebabCase;
use indexmap::IndexMap;
use rustc_hash::{FxHashMap, FxHashSet};

use super::serde::reachable;
use crate::ir::{BodyEncoding, Feature, Features, Operation, ResponseBody, TypeDef};

/// Feature names the generated crate uses for other things, which a tag never takes.
const RESERVED: &[&str] = &["default", "all", "full-serde", "tracing", "mock", UNTAGGED, UNREFERENCED];

const UNTAGGED: &str = "untagged";
const UNREFERENCED: &str = "unreferenced-schemas";

/// Groups the operations by tag into features (`spec_tags`: the tags the document lists, in
/// order) and sets each operation's features. Fewer than two groups: no features.
pub(in crate::lower) fn tag_features(spec_tags: &[&str], types: &[TypeDef], operations: &mut [Operation]) -> Features {
    // Group key (`None`: untagged) → its operations, listed tags first, then by first use.
    let mut groups: IndexMap<Option<&str>, Vec<usize>> = spec_tags.iter().map(|tag| (Some(*tag), Vec::new())).collect();
    let mut untagged = Vec::new();
    for (index, op) in operations.iter().enumerate() {
        if op.tags.is_empty() {
            untagged.push(index);
        }
        for tag in &op.tags {
            let members = groups.entry(Some(tag.as_str())).or_default();
            if members.last() != Some(&index) {
                members.push(index);
            }
        }
    }
    if !untagged.is_empty() {
        groups.insert(None, untagged);
    }
    groups.retain(|_, members| !members.is_empty());
    if groups.len() < 2 {
        return Features::default();
    }

    let mut taken: FxHashSet<String> = RESERVED.iter().map(|name| (*name).to_owned()).collect();
    let mut list = Vec::new();
    let mut feature_of_op: Vec<Vec<usize>> = vec![Vec::new(); operations.len()];
    let index: FxHashMap<&str, usize> = types.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let mut compiled_by: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (feature, (tag, members)) in groups.iter().enumerate() {
        let (name, about) = match tag {
            Some(tag) => (unique(feature_name(tag), &mut taken), format!("The operations tagged `{tag}`.")),
            None => (UNTAGGED.to_owned(), "The operations without a tag.".to_owned()),
        };
        list.push(Feature { name, about });
        let roots = members.iter().flat_map(|&op| {
            feature_of_op[op].push(feature);
            roots(&operations[op])
        });
        for name in reachable(types, &index, roots.collect()) {
            if let Some(&i) = index.get(name.as_str()) {
                compiled_by.entry(types[i].name.as_str()).or_default().push(feature);
            }
        }
    }
    let op_groups = list.len();
    let unreferenced: Vec<&str> =
        types.iter().map(|t| t.name.as_str()).filter(|name| !compiled_by.contains_key(name)).collect();
    if !unreferenced.is_empty() {
        list.push(Feature { name: UNREFERENCED.to_owned(), about: "The schemas no operation uses.".to_owned() });
        for name in reachable(types, &index, unreferenced) {
            if let Some(&i) = index.get(name.as_str()) {
                compiled_by.entry(types[i].name.as_str()).or_default().push(op_groups);
            }
        }
    }
    for (op, features) in operations.iter_mut().zip(feature_of_op) {
        op.features = features;
    }
    // Features were added in order, so each list is sorted. A type every group of operations
    // reaches is always compiled (and so is everything it holds).
    let types = compiled_by
        .into_iter()
        .filter(|(_, features)| features.iter().filter(|&&f| f < op_groups).count() < op_groups)
        .map(|(name, features)| (name.to_owned(), features))
        .collect();
    Features { list, types }
}

/// The named types an operation mentions directly: parameters, body (and multipart fields),
/// responses and its error enum.
fn roots(op: &Operation) -> Vec<&str> {
    let mut roots = vec![op.error_type.as_str()];
    roots.extend(op.params.iter().flat_map(|p| p.ty.named()));
    if let Some(body) = &op.body {
        roots.extend(body.ty.named());
        if let BodyEncoding::Multipart(form) = &body.encoding {
            roots.extend(form.fields.iter().flat_map(|f| f.field.ty.named()));
        }
    }
    roots.extend(op.success.named());
    roots.extend(op.response_headers.iter().flat_map(|h| h.ty.named()));
    for response in &op.responses {
        if let ResponseBody::Json(ty) | ResponseBody::EventStream(Some(ty)) = &response.body {
            roots.extend(ty.named());
        }
    }
    roots
}

/// `Pull Requests` → `pull-requests`: kebab case, ASCII letters and digits only.
fn feature_name(tag: &str) -> String {
    let name: String = tag.to_kebab_case().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let name = name.trim_matches('-').to_ascii_lowercase();
    if name.is_empty() { "tag".to_owned() } else { name }
}

/// `name`, or `name-2`, `name-3`... when taken.
fn unique(name: String, taken: &mut FxHashSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::RESERVED;
    use crate::diagnostics::Sink;

    /// Every feature the manifest declares for other purposes is reserved, so no tag can take
    /// its name (an API without tag features, whose `[features]` holds only those).
    #[test]
    fn every_other_feature_of_the_manifest_is_reserved() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let doc = crate::parse::parse_owned(crate::normalised_tree("t.yaml", text).unwrap()).unwrap().doc;
        let api = crate::lower::lower(&doc, &crate::lower::Raw::none(), &mut Sink::new("t.yaml"));
        let manifest = crate::emit::manifest(&api, "t", "header");
        let section = manifest.split("[features]\n").nth(1).unwrap().split("\n[").next().unwrap();
        let names: Vec<&str> = section
            .lines()
            .filter(|line| !line.starts_with('#') && line.contains('='))
            .map(|line| line.split('=').next().unwrap().trim())
            .collect();
        assert!(names.contains(&"full-serde"), "{manifest}");
        for name in names {
            assert!(RESERVED.contains(&name), "the manifest's feature `{name}` is not reserved");
        }
    }
}
