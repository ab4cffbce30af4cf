//! Shared helpers: generate a fixture in memory, render generated files for snapshots.

use std::path::{Path, PathBuf};

use generator::{Generated, Options};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Generates `tests/fixtures/<file>` as a crate named after the file.
pub fn generate_fixture(file: &str) -> Generated {
    try_generate_fixture(file).unwrap_or_else(|e| panic!("{file} failed to generate:\n{e}"))
}

/// Like [`generate_fixture`], returning the generator's errors.
pub fn try_generate_fixture(file: &str) -> Result<Generated, generator::Errors> {
    let path = format!("tests/fixtures/{file}");
    let text = std::fs::read_to_string(root().join(&path)).unwrap();
    generator::generate(&text, &options(&path, &crate_name(file)))
}

/// Options naming `path` as the spec.
pub fn options(path: &str, name: &str) -> Options {
    Options { spec_path: path.to_owned(), crate_name: name.to_owned(), command: "test".to_owned() }
}

/// `nullable_30.yaml` → `nullable-30`.
pub fn crate_name(file: &str) -> String {
    file.split('.').next().unwrap().replace('_', "-")
}

/// One generated file's contents.
pub fn file<'g>(generated: &'g Generated, path: &str) -> &'g str {
    &generated.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}")).contents
}

/// A file without its first (`@generated`) line, which names the spec.
pub fn without_header(text: &str) -> &str {
    text.split_once('\n').map_or(text, |(_, rest)| rest)
}

/// Every generated file but the verbatim runtime, concatenated for one snapshot.
pub fn snapshot_text(generated: &Generated) -> String {
    let mut out = String::new();
    for file in generated.files.iter().filter(|f| !f.path.starts_with("src/runtime/")) {
        out.push_str(&format!("=== {} ===\n{}\n", file.path, file.contents));
    }
    if !generated.warnings.is_empty() {
        out.push_str("=== warnings ===\n");
        for warning in &generated.warnings {
            out.push_str(&format!("{warning}\n"));
        }
    }
    out
}

/// Generates `text` as the spec `path` (relative to the workspace root) into the crate `name`,
/// reading the files its `$ref`s name from the workspace, below the folder `allowed`.
pub fn generate_with_files(path: &str, text: &str, name: &str, allowed: &str) -> Result<Generated, generator::Errors> {
    let read = |file: &str| std::fs::read_to_string(root().join(file)).map_err(|_| "no such file".to_owned());
    let files = generator::Files { root: allowed.to_owned(), read: &read };
    generator::generate_with_files(text, &options(path, name), &files)
}
