//! `codegen` and `generate`: run the generator and put its output in place.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use generator::{Generated, Options};

use crate::fsutil::{list_files, write_atomic};

/// The spec file names looked for in each `spec/<api>/` folder, in order.
const SPEC_NAMES: &[&str] = &["openapi.json", "openapi.yaml", "openapi.yml"];

/// One API of the workspace: its spec and the checked-in crate generated from it.
#[derive(Debug)]
pub struct ApiSpec {
    /// Folder name under `spec/`, also the crate name.
    pub name: String,
    /// The spec, relative to the workspace root.
    pub spec: String,
    /// The crate folder, relative to the workspace root.
    pub out: String,
}

/// Every `spec/<name>/openapi.{json,yaml,yml}`, sorted by name.
pub fn workspace_specs(root: &Path) -> Result<Vec<ApiSpec>> {
    let mut specs = Vec::new();
    let spec_dir = root.join("spec");
    let mut entries: Vec<PathBuf> = fs::read_dir(&spec_dir)
        .with_context(|| format!("reading {}", spec_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for dir in entries {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if let Some(file) = SPEC_NAMES.iter().find(|f| dir.join(f).is_file()) {
            specs.push(ApiSpec { spec: format!("spec/{name}/{file}"), out: format!("generated-client/{name}"), name });
        }
    }
    Ok(specs)
}

fn run_generator(root: &Path, spec: &str, crate_name: &str, command: &str) -> Result<Generated> {
    let text = fs::read_to_string(root.join(spec)).with_context(|| format!("reading {spec}"))?;
    let options =
        Options { spec_path: spec.to_owned(), crate_name: crate_name.to_owned(), command: command.to_owned() };
    generate_reporting(text, &options)
}

/// Runs the generator, printing its warnings to stderr; errors become one `anyhow` error.
fn generate_reporting(text: String, options: &Options) -> Result<Generated> {
    let generated = generator::generate(text, options).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    Ok(generated)
}

/// A file whose checked-in contents differ from what the generator produces.
#[derive(Debug)]
pub struct Stale {
    /// Path relative to the workspace root.
    pub path: String,
    /// Checked-in contents (`None`: missing).
    pub current: Option<String>,
    /// Generated contents (`None`: the file should not exist).
    pub wanted: Option<String>,
}

/// Generates every workspace API in memory and lists the files that differ on disk. Nothing is
/// written. Fails before listing anything if any spec fails to generate.
pub fn stale_files(root: &Path) -> Result<(Vec<Stale>, Vec<String>)> {
    let mut stale = Vec::new();
    let mut summaries = Vec::new();
    for api in workspace_specs(root)? {
        let started = Instant::now();
        let generated = run_generator(root, &api.spec, &api.name, "cargo xtask codegen")?;
        let elapsed = started.elapsed();
        let out = root.join(&api.out);
        let existing = list_files(&out)?;
        let mut changed = 0;
        for file in &generated.files {
            let path = out.join(&file.path);
            let current = fs::read_to_string(&path).ok();
            if current.as_deref() != Some(file.contents.as_str()) {
                changed += 1;
                stale.push(Stale {
                    path: format!("{}/{}", api.out, file.path),
                    current,
                    wanted: Some(file.contents.clone()),
                });
            }
        }
        for path in existing.iter().filter(|p| !generated.files.iter().any(|f| &f.path == *p)) {
            changed += 1;
            let current = fs::read_to_string(out.join(path)).ok();
            stale.push(Stale { path: format!("{}/{path}", api.out), current, wanted: None });
        }
        summaries.push(format!(
            "{}: {} operations, {} types, {} warnings, {:.0?} ({changed} files to update)",
            api.name,
            generated.operations,
            generated.types,
            generated.warnings.len(),
            elapsed
        ));
    }
    Ok((stale, summaries))
}

/// `cargo xtask codegen [--check]`.
pub fn codegen(root: &Path, check: bool) -> Result<ExitCode> {
    let (stale, summaries) = stale_files(root)?;
    for line in &summaries {
        println!("{line}");
    }
    if check {
        if stale.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
        for file in &stale {
            print!("{}", unified_diff(file));
        }
        eprintln!("error: {} generated file(s) are stale; run `cargo xtask codegen` and commit", stale.len());
        return Ok(ExitCode::FAILURE);
    }
    for file in &stale {
        let path = root.join(&file.path);
        match &file.wanted {
            Some(contents) => write_atomic(&path, contents)?,
            None => fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?,
        }
        println!("  wrote {}", file.path);
    }
    Ok(ExitCode::SUCCESS)
}

/// A unified diff from the checked-in file to the generated one.
pub fn unified_diff(file: &Stale) -> String {
    let old = file.current.as_deref().unwrap_or("");
    let new = file.wanted.as_deref().unwrap_or("");
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
        .to_string()
}

/// `cargo xtask generate --spec FILE --out DIR --name CRATE`: writes a standalone crate into a
/// temporary folder beside `out`, then moves it into place only if everything succeeded.
pub fn generate(spec: &Path, out: &Path, name: &str) -> Result<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        bail!("crate name `{name}` must be ASCII letters, digits, `-` or `_`");
    }
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let shown = spec.to_string_lossy().replace('\\', "/");
    let command = format!("cargo xtask generate --name {name}");
    let options = Options { spec_path: shown, crate_name: name.to_owned(), command };
    let started = Instant::now();
    let generated = generate_reporting(text, &options)?;

    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
    let leaf = out.file_name().context("--out needs a folder name")?.to_string_lossy().into_owned();
    let staging = parent.join(format!(".{leaf}.generating{}", std::process::id()));
    let result = (|| -> Result<()> {
        for file in &generated.files {
            let path = staging.join(&file.path);
            fs::create_dir_all(path.parent().context("no parent")?)?;
            fs::write(&path, &file.contents).with_context(|| format!("writing {}", path.display()))?;
        }
        let previous = parent.join(format!(".{leaf}.previous{}", std::process::id()));
        if out.exists() {
            fs::rename(out, &previous).with_context(|| format!("moving the old {} aside", out.display()))?;
        }
        fs::rename(&staging, out).with_context(|| format!("moving the new crate to {}", out.display()))?;
        if previous.exists() {
            fs::remove_dir_all(&previous).with_context(|| format!("removing {}", previous.display()))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    println!(
        "{name}: {} operations, {} types, {} warnings, {:.0?} -> {}",
        generated.operations,
        generated.types,
        generated.warnings.len(),
        started.elapsed(),
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test` fails when a checked-in client no longer matches its spec.
    #[test]
    fn generated_clients_are_fresh() {
        let root = crate::fsutil::workspace_root();
        let (stale, _) = stale_files(&root).expect("every workspace spec generates");
        let diffs: String = stale.iter().map(unified_diff).collect();
        assert!(stale.is_empty(), "generated clients are stale; run `cargo xtask codegen` and commit\n{diffs}");
    }

    /// A fresh scratch folder under `target/` for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = crate::fsutil::workspace_root().join("target/xtask-tests").join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn fixture(name: &str) -> PathBuf {
        crate::fsutil::workspace_root().join("tests/fixtures").join(name)
    }

    #[test]
    fn generate_writes_a_standalone_crate_and_replaces_an_old_one() {
        let dir = scratch("generate-ok");
        let out = dir.join("client");
        fs::create_dir_all(out.join("src")).unwrap();
        fs::write(out.join("src/stale.rs"), "// left from an older run").unwrap();
        generate(&fixture("nullable_31.yaml"), &out, "pets").unwrap();
        let manifest = fs::read_to_string(out.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"pets\""), "{manifest}");
        assert!(!manifest.contains("path ="), "no path dependency on this workspace: {manifest}");
        for file in ["src/lib.rs", "src/types.rs", "src/client.rs", "src/runtime.rs"] {
            assert!(out.join(file).is_file(), "{file} missing");
        }
        assert!(!out.join("src/stale.rs").exists(), "the old crate is replaced, not merged");
        assert_eq!(
            list_files(&dir).unwrap().iter().filter(|p| !p.starts_with("client/")).count(),
            0,
            "no staging left"
        );
    }

    #[test]
    fn failed_generation_writes_nothing_and_keeps_the_old_crate() {
        let dir = scratch("generate-fails");
        for (spec, expected) in [
            ("errors/dangling_ref.yaml", "dangling $ref"),
            ("errors/swagger2.json", "found Swagger 2.0"),
            ("errors/malformed.json", "malformed JSON"),
        ] {
            let fresh = dir.join("fresh");
            let error = generate(&fixture(spec), &fresh, "broken").unwrap_err().to_string();
            assert!(error.contains(expected), "{spec}: {error}");
            assert!(!fresh.exists(), "{spec}: output created despite the error");

            let existing = dir.join("existing");
            fs::create_dir_all(&existing).unwrap();
            fs::write(existing.join("keep.txt"), "old").unwrap();
            generate(&fixture(spec), &existing, "broken").unwrap_err();
            assert_eq!(fs::read_to_string(existing.join("keep.txt")).unwrap(), "old", "{spec}");
        }
        assert_eq!(list_files(&dir).unwrap(), ["existing/keep.txt"], "no staging folder left behind");
    }

    #[test]
    fn check_lists_stale_and_extra_files_without_writing() {
        let root = scratch("check");
        fs::create_dir_all(root.join("spec/pets")).unwrap();
        fs::copy(fixture("nullable_30.yaml"), root.join("spec/pets/openapi.yaml")).unwrap();
        let (stale, _) = stale_files(&root).unwrap();
        assert_eq!(stale.len(), 5, "a missing crate is entirely stale");
        codegen(&root, false).unwrap();
        assert!(stale_files(&root).unwrap().0.is_empty(), "codegen makes the crate fresh");

        fs::write(root.join("generated-client/pets/src/types.rs"), "// edited by hand\n").unwrap();
        fs::write(root.join("generated-client/pets/src/extra.rs"), "// not generated\n").unwrap();
        let (stale, _) = stale_files(&root).unwrap();
        let paths: Vec<&str> = stale.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["generated-client/pets/src/types.rs", "generated-client/pets/src/extra.rs"]);
        assert!(unified_diff(&stale[0]).contains("-// edited by hand"));
        assert_eq!(codegen(&root, true).unwrap(), ExitCode::FAILURE);
        assert_eq!(
            fs::read_to_string(root.join("generated-client/pets/src/types.rs")).unwrap(),
            "// edited by hand\n",
            "--check never writes"
        );
    }

    #[test]
    fn every_spec_folder_has_a_checked_in_crate() {
        let root = crate::fsutil::workspace_root();
        let specs = workspace_specs(&root).unwrap();
        assert!(specs.iter().any(|s| s.name == "truedy"), "{specs:?}");
        for spec in specs {
            assert!(root.join(&spec.out).join("Cargo.toml").is_file(), "{} has no crate", spec.name);
        }
    }
}
