//! `cargo xtask swagger2`: real Swagger 2.0 documents (the Petstore family and others that
//! ReadMe's pinned npm package `@readme/oas-examples` ships, as JSON and as YAML), converted and
//! generated, and the crates linted with clippy `-D warnings` in a workspace of their own.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result};
use generator::Options;

use crate::codegen::generate_reporting;
use crate::fsutil::write_atomic;
use crate::npm::{self, Package};
use crate::scratch;

/// The package, pinned; its `2.0/json` and `2.0/yaml` folders hold the documents.
pub const EXAMPLES: Package = Package { name: "@readme/oas-examples", version: "8.2.2" };

/// Installs the package into the ignored `.corpus/swagger2`, generates each Swagger 2.0 document
/// into `.corpus/swagger2/crates`, and runs clippy on them all. Fails when a document does not
/// generate or a crate does not build without warnings.
pub fn swagger2(root: &Path) -> Result<ExitCode> {
    let prefix = root.join(".corpus").join("swagger2");
    let package = npm::ensure(root, &prefix, &[EXAMPLES])?.remove(0);
    let crates = prefix.join("crates");
    if crates.exists() {
        fs::remove_dir_all(&crates).with_context(|| format!("clearing {}", crates.display()))?;
    }
    let mut members = Vec::new();
    let mut failed = 0;
    // Each JSON document's tree and files by its stem, to compare the YAML spelling of the same
    // document with it.
    let mut outputs: Vec<(String, Option<serde_json::Value>, Vec<generator::GeneratedFile>)> = Vec::new();
    let mut compared = 0;
    for format in ["json", "yaml"] {
        let folder = package.join("2.0").join(format);
        let mut specs: Vec<_> = fs::read_dir(&folder)
            .with_context(|| format!("reading {}", folder.display()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.is_file())
            .collect();
        specs.sort();
        for spec in specs {
            let shown = spec.strip_prefix(root).unwrap_or(&spec).to_string_lossy().replace('\\', "/");
            let allowed = shown.rsplit_once('/').map_or("", |(folder, _)| folder).to_owned();
            let stem = spec.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
            let name = format!("swagger2-{format}-{}", scratch::slug(&stem));
            let text = fs::read_to_string(&spec).with_context(|| format!("reading {shown}"))?;
            let tree = generator::load::tree(&shown, &text).ok();
            let options = Options {
                spec_path: shown.clone(),
                crate_name: name.clone(),
                command: "cargo xtask swagger2".to_owned(),
            };
            match generate_reporting(text, &options, root, &allowed) {
                Ok(generated) => {
                    println!(
                        "{shown}: {} operations, {} types, {} warnings",
                        generated.operations,
                        generated.types,
                        generated.warnings.len()
                    );
                    for file in &generated.files {
                        write_atomic(&crates.join(&name).join(&file.path), &file.contents)?;
                    }
                    match outputs.iter().find(|(other, ..)| *other == stem) {
                        // The package's two spellings of a document do not always agree
                        // (`petstore-expanded.json` has a longer description).
                        Some((_, twin_tree, twin)) if *twin_tree == tree => {
                            compared += 1;
                            let json_name = format!("swagger2-json-{}", scratch::slug(&stem));
                            if !same_crate(twin, &generated.files, &json_name, &name) {
                                failed += 1;
                                eprintln!("{shown}: generates another crate than its JSON spelling");
                            }
                        }
                        Some(_) => println!("  {shown} is not the same document as its JSON spelling; not compared"),
                        None => outputs.push((stem, tree, generated.files)),
                    }
                    members.push(name);
                }
                Err(error) => {
                    failed += 1;
                    eprintln!("{shown}: {error:#}");
                }
            }
        }
    }
    scratch::write_workspace(root, &crates, &members)?;
    println!("linting {} crates", members.len());
    let status = Command::new(scratch::cargo())
        .current_dir(&crates)
        .env(
            "CARGO_TARGET_DIR",
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from),
        )
        .env_remove("RUSTFLAGS")
        .args(["clippy", "--workspace", "--offline", "--quiet", "--", "-D", "warnings"])
        .status()
        .context("running cargo clippy")?;
    if failed > 0 || !status.success() {
        eprintln!(
            "error: {failed} document(s) failed to generate (or differ from their JSON spelling); clippy {status}"
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "{} Swagger 2.0 documents generate crates that build without warnings; {compared} YAML documents give \
         the crate of their JSON spelling",
        members.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether two crates are the same but for their `@generated` headers (which name the spec) and
/// their names: the JSON and YAML spellings of one document must give one client.
fn same_crate(
    json: &[generator::GeneratedFile],
    yaml: &[generator::GeneratedFile],
    json_name: &str,
    yaml_name: &str,
) -> bool {
    let body = |text: &str| text.split_once('\n').map_or(String::new(), |(_, rest)| rest.to_owned());
    let crate_ident = |name: &str| name.replace('-', "_");
    json.len() == yaml.len()
        && json.iter().zip(yaml).all(|(a, b)| {
            let a = body(&a.contents)
                .replace(json_name, yaml_name)
                .replace(&crate_ident(json_name), &crate_ident(yaml_name));
            a.replace("/json/", "/yaml/").replace(".json`", ".yaml`") == body(&b.contents)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> generator::GeneratedFile {
        generator::GeneratedFile { path: path.to_owned(), contents: contents.to_owned() }
    }

    #[test]
    fn crates_are_compared_without_their_headers_and_names() {
        let json =
            [file("src/lib.rs", "// @generated from a/json/p.json\n//! From `a/json/p.json`.\nuse swagger2_json_p;\n")];
        let yaml =
            [file("src/lib.rs", "// @generated from a/yaml/p.yaml\n//! From `a/yaml/p.yaml`.\nuse swagger2_yaml_p;\n")];
        assert!(same_crate(&json, &yaml, "swagger2-json-p", "swagger2-yaml-p"));
        let other = [file("src/lib.rs", "// @generated from a/yaml/p.yaml\n//! From `a/yaml/p.yaml`.\nuse other;\n")];
        assert!(!same_crate(&json, &other, "swagger2-json-p", "swagger2-yaml-p"));
    }
}
