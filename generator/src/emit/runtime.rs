//! The runtime written into every generated crate as `src/runtime/`: the files of the `runtime`
//! crate (`generator/runtime/src/`), its `lib.rs` as `mod.rs`, and the optional parts only when
//! the API uses them.
//!
//! In the runtime crate an optional part is a file gated by a cargo feature: each
//! `#[cfg(feature = "NAME")]` line of `lib.rs` gates the lines after it up to the end of the next
//! item (a line ending in `;`). A generated crate has no such features: the gate lines are
//! dropped, with the item when the API does not use that part. So the runtime crate can check
//! every combination, and a generated crate compiles only what it calls. The gates of
//! [`CRATE_FEATURES`], cargo features of every generated crate too, are kept as they are.

use crate::ir::Api;

use super::client;

/// One source file of the runtime crate.
struct RuntimeFile {
    /// File name below `src/runtime/` in a generated crate.
    name: &'static str,
    source: &'static str,
    /// The optional part it belongs to (a cargo feature of the runtime crate); `None`: always.
    part: Option<&'static str>,
}

/// Every file of the runtime crate, in the order they are written.
const FILES: &[RuntimeFile] = &[
    RuntimeFile { name: "mod.rs", source: include_str!("../../runtime/src/lib.rs"), part: None },
    RuntimeFile { name: "call.rs", source: include_str!("../../runtime/src/call.rs"), part: None },
    RuntimeFile { name: "config.rs", source: include_str!("../../runtime/src/config.rs"), part: None },
    RuntimeFile { name: "error.rs", source: include_str!("../../runtime/src/error.rs"), part: None },
    RuntimeFile { name: "events.rs", source: include_str!("../../runtime/src/events.rs"), part: Some("streaming") },
    RuntimeFile { name: "fields.rs", source: include_str!("../../runtime/src/fields.rs"), part: None },
    RuntimeFile { name: "headers.rs", source: include_str!("../../runtime/src/headers.rs"), part: None },
    RuntimeFile { name: "hooks.rs", source: include_str!("../../runtime/src/hooks.rs"), part: None },
    RuntimeFile { name: "mock.rs", source: include_str!("../../runtime/src/mock.rs"), part: None },
    RuntimeFile {
        name: "multipart.rs",
        source: include_str!("../../runtime/src/multipart.rs"),
        part: Some("multipart"),
    },
    RuntimeFile { name: "nullable.rs", source: include_str!("../../runtime/src/nullable.rs"), part: None },
    RuntimeFile { name: "oauth2.rs", source: include_str!("../../runtime/src/oauth2.rs"), part: None },
    RuntimeFile { name: "paging.rs", source: include_str!("../../runtime/src/paging.rs"), part: Some("paging") },
    RuntimeFile { name: "request.rs", source: include_str!("../../runtime/src/request.rs"), part: None },
    RuntimeFile { name: "response.rs", source: include_str!("../../runtime/src/response.rs"), part: None },
    RuntimeFile { name: "security.rs", source: include_str!("../../runtime/src/security.rs"), part: None },
    RuntimeFile { name: "send.rs", source: include_str!("../../runtime/src/send.rs"), part: None },
];

/// Cargo features of the runtime crate that every generated crate has too: their gates in
/// `lib.rs` are copied, not resolved.
const CRATE_FEATURES: &[&str] = &["mock"];

/// Whether `api` uses the optional runtime part `part`.
fn uses(api: &Api, part: &str) -> bool {
    match part {
        "streaming" => api.operations.iter().any(client::streams_events),
        "multipart" => api.operations.iter().any(|op| client::multipart_form(op).is_some()),
        "paging" => uses_paging(api),
        _ => true,
    }
}

/// Whether some operation of `api` pages (the `paging` part, and the `futures-core` dependency).
pub fn uses_paging(api: &Api) -> bool {
    api.operations.iter().any(|op| op.pagination.is_some())
}

/// The runtime's files for `api`, as (path in the crate, contents) pairs, each opening with
/// `// <header>` and the file it was copied from.
pub fn runtime_files(api: &Api, header: &str) -> Vec<(String, String)> {
    files(|part| uses(api, part))
        .map(|(name, origin, text)| {
            (
                format!("src/runtime/{name}"),
                format!("// {header}\n// Copied from generator/runtime/src/{origin}.\n{text}"),
            )
        })
        .collect()
}

/// (name, source file name, text) of every file written when `used` says which parts are.
fn files(used: impl Fn(&str) -> bool + Copy) -> impl Iterator<Item = (&'static str, &'static str, String)> {
    FILES.iter().filter(move |file| file.part.is_none_or(used)).map(move |file| {
        let origin = if file.name == "mod.rs" { "lib.rs" } else { file.name };
        let text = if file.name == "mod.rs" { ungate(file.source, used) } else { file.source.to_owned() };
        (file.name, origin, text)
    })
}

/// `source` without its `#[cfg(feature = "NAME")]` lines, and without the items they gate
/// when `used` declines NAME.
fn ungate(source: &str, used: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(source.len());
    // Inside a gated item: whether it is kept.
    let mut gated: Option<bool> = None;
    for line in source.lines() {
        if let Some(part) = line.strip_prefix("#[cfg(feature = \"").and_then(|rest| rest.strip_suffix("\")]"))
            && !CRATE_FEATURES.contains(&part)
        {
            gated = Some(used(part));
            continue;
        }
        if gated != Some(false) {
            out.push_str(line);
            out.push('\n');
        }
        if gated.is_some() && line.trim_end().ends_with(';') {
            gated = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The optional parts of the runtime, as named by its cargo features.
    const PARTS: &[&str] = &["streaming", "multipart", "paging"];

    /// Every combination of the optional parts gives files that parse, with no gate left and
    /// exactly the parts asked for.
    #[test]
    fn every_combination_of_parts_leaves_valid_rust() {
        let root = FILES[0].source;
        let gates: Vec<&str> =
            root.lines().filter_map(|line| line.strip_prefix("#[cfg(feature = \"")?.strip_suffix("\")]")).collect();
        assert!(
            gates.iter().all(|gate| PARTS.contains(gate) || CRATE_FEATURES.contains(gate)),
            "unknown part in {gates:?}"
        );
        let manifest = include_str!("../../runtime/Cargo.toml");
        for part in PARTS {
            assert!(gates.contains(part), "no gate for {part}");
            assert!(manifest.contains(&format!("\n{part} = [")), "the runtime crate has no feature {part}");
        }
        for mask in 0..8 {
            let (events, multipart, paging) = (mask & 1 != 0, mask & 2 != 0, mask & 4 != 0);
            let used = |part: &str| match part {
                "streaming" => events,
                "multipart" => multipart,
                "paging" => paging,
                _ => true,
            };
            let written: Vec<(&str, &str, String)> = files(used).collect();
            let names: Vec<&str> = written.iter().map(|(name, ..)| *name).collect();
            assert_eq!(names.contains(&"events.rs"), events);
            assert_eq!(names.contains(&"multipart.rs"), multipart);
            let module = &written[0].2;
            let copied = module.lines().filter(|line| line.contains("cfg(feature"));
            assert!(
                copied.eq(["#[cfg(feature = \"mock\")]"; 3]),
                "a part's gate was copied, or mock's lost:\n{module}"
            );
            assert_eq!(module.contains("mod events;"), events);
            assert_eq!(module.contains("EventStream"), events);
            assert_eq!(module.contains("mod multipart;"), multipart);
            assert_eq!(module.contains("MultipartForm"), multipart);
            assert_eq!(names.contains(&"paging.rs"), paging);
            assert_eq!(module.contains("mod paging;"), paging);
            for (name, _, text) in &written {
                syn::parse_file(text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
                // `serde_struct!` expands in the generated crate's `types.rs`, so it names the
                // runtime as that crate does.
                let text = if *name == "fields.rs" { text.replace("crate::runtime::", "") } else { text.clone() };
                assert!(!text.contains("crate::"), "{name} names `crate::`, which differs in a generated crate");
            }
        }
    }
}
