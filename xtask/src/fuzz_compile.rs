//! `fuzz-compile`: looks for specs that generate without an error but give a crate that does not
//! compile. The fuzz targets only find panics; this takes what they produced (`fuzz/corpus/*`
//! and `fuzz/seeds/`, or any folders of specs given with `--from`), generates each spec, keeps
//! one crate per distinct output, and `cargo check`s those in batches with `-D warnings` (a
//! generated crate must compile without warnings). A spec whose crate fails is saved to
//! `fuzz/uncompiled/` beside the compiler's messages for it. It runs until its time is up; it
//! is a tool to run for a while by hand, not a CI step.

use std::collections::BTreeSet;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use generator::{Generated, Options};

use crate::flags::FuzzCompile;
use crate::fsutil::{list_files, write_atomic};
use crate::scratch;

/// A spec that generated, with the crate it gave.
struct Candidate {
    /// The spec file, relative to the workspace root where possible.
    source: String,
    text: String,
    /// `fc-<hash>`: the crate's name, from a hash of its output.
    name: String,
    generated: Generated,
}

/// Counts for the summary.
#[derive(Default)]
struct Tally {
    inputs: usize,
    generated: usize,
    rejected: usize,
    panicked: usize,
    distinct: usize,
    checked: usize,
    batches: usize,
    failed: Vec<String>,
}

/// `cargo xtask fuzz-compile`.
pub fn fuzz_compile(root: &Path, args: &FuzzCompile) -> Result<ExitCode> {
    let started = Instant::now();
    let budget = Duration::from_secs(args.seconds.get());
    let sources = match &args.from {
        Some(from) => vec![from.clone()],
        None => default_sources(root),
    };
    let mut tally = Tally::default();
    let candidates = collect(root, &sources, &mut tally)?;
    println!(
        "{} inputs: {} generated ({} distinct crates), {} rejected with an error, {} panicked",
        tally.inputs, tally.generated, tally.distinct, tally.rejected, tally.panicked
    );

    let work = root.join("target").join("fuzz-compile");
    let saved = root.join("fuzz").join("uncompiled");
    for batch in candidates.chunks(args.batch.get()) {
        if started.elapsed() >= budget {
            println!("time is up after {} of {} crates", tally.checked, candidates.len());
            break;
        }
        let failures = check_batch(root, &work, batch)?;
        tally.batches += 1;
        tally.checked += batch.len();
        for (candidate, messages) in failures {
            let extension = if candidate.text.trim_start().starts_with('{') { "json" } else { "yaml" };
            write_atomic(&saved.join(format!("{}.{extension}", candidate.name)), &candidate.text)?;
            let log = format!("# from {}\n{messages}", candidate.source);
            write_atomic(&saved.join(format!("{}.log", candidate.name)), &log)?;
            println!(
                "  does not compile: {} (saved as fuzz/uncompiled/{}.{extension})",
                candidate.source, candidate.name
            );
            tally.failed.push(candidate.name.clone());
        }
        println!(
            "  batch {}: {} crates checked, {} failed so far, {:.0?}",
            tally.batches,
            tally.checked,
            tally.failed.len(),
            started.elapsed()
        );
    }
    println!(
        "\nfuzz-compile: {} inputs, {} generated, {} distinct crates, {} checked in {} batches, {} did not compile \
         without warnings, {:.0?}",
        tally.inputs,
        tally.generated,
        tally.distinct,
        tally.checked,
        tally.batches,
        tally.failed.len(),
        started.elapsed()
    );
    Ok(if tally.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The fuzzer's corpora and the seeds `cargo xtask fuzz` copies.
fn default_sources(root: &Path) -> Vec<PathBuf> {
    let fuzz = root.join("fuzz");
    vec![fuzz.join("seeds"), fuzz.join("corpus")]
}

/// Generates every file below `sources` and keeps one candidate per distinct output, in path
/// order.
fn collect(root: &Path, sources: &[PathBuf], tally: &mut Tally) -> Result<Vec<Candidate>> {
    let mut paths = Vec::new();
    for source in sources {
        if !source.exists() {
            bail!("{} does not exist; run `cargo xtask fuzz` first or pass --from DIR", source.display());
        }
        paths.extend(list_files(source)?.into_iter().map(|file| source.join(file)));
    }
    let mut seen = BTreeSet::new();
    let mut candidates = Vec::new();
    // The default hook would print every caught panic; `cargo xtask fuzz` is the tool for them.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    for path in paths {
        let Ok(text) = fs::read_to_string(&path) else { continue };
        tally.inputs += 1;
        // A fixed name and path first, so the output's hash depends on the spec alone.
        let generated = match generate(&text, "fc", "spec") {
            Some(Ok(generated)) => generated,
            Some(Err(())) => {
                tally.rejected += 1;
                continue;
            }
            None => {
                tally.panicked += 1;
                continue;
            }
        };
        tally.generated += 1;
        let mut hasher = DefaultHasher::new();
        for file in &generated.files {
            file.contents.hash(&mut hasher);
        }
        let hash = hasher.finish();
        if !seen.insert(hash) {
            continue;
        }
        let name = format!("fc-{hash:016x}");
        let source = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
        if let Some(Ok(generated)) = generate(&text, &name, &source) {
            candidates.push(Candidate { source, text, name, generated });
        }
    }
    panic::set_hook(hook);
    tally.distinct = candidates.len();
    Ok(candidates)
}

/// Runs the generator; `None` if it panicked, `Some(Err(()))` if it reported errors.
fn generate(text: &str, name: &str, spec_path: &str) -> Option<Result<Generated, ()>> {
    let options =
        Options { spec_path: spec_path.to_owned(), crate_name: name.to_owned(), command: "fuzz-compile".to_owned() };
    panic::catch_unwind(AssertUnwindSafe(|| generator::generate(text, &options).map_err(drop))).ok()
}

/// Writes `batch` as the members of a scratch workspace and checks them all with one `cargo
/// check --keep-going`; returns the candidates that failed with the messages about their files.
fn check_batch<'c>(root: &Path, work: &Path, batch: &'c [Candidate]) -> Result<Vec<(&'c Candidate, String)>> {
    let crates = work.join("crates");
    if crates.exists() {
        fs::remove_dir_all(&crates).with_context(|| format!("clearing {}", crates.display()))?;
    }
    let mut members = Vec::new();
    for candidate in batch {
        for file in &candidate.generated.files {
            write_atomic(&crates.join(&candidate.name).join(&file.path), &file.contents)?;
        }
        members.push(format!("crates/{}", candidate.name));
    }
    // With this workspace's lock file, so the check resolves nothing new and runs offline.
    scratch::write_workspace(root, work, &members)?;
    let target = work.join("target");
    let output = Command::new(scratch::cargo())
        .current_dir(work)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        // Incremental state of thousands of throwaway crates would fill the disk.
        .env("CARGO_INCREMENTAL", "0")
        .args(["check", "--workspace", "--keep-going", "--offline", "--message-format=short"])
        .output()
        .context("running cargo check")?;
    remove_crate_artifacts(&target.join("debug"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failed = failed_crates(&stderr);
    if !output.status.success() && failed.is_empty() {
        bail!("cargo check failed outside the generated crates:\n{stderr}");
    }
    Ok(batch
        .iter()
        .filter(|candidate| failed.contains(candidate.name.as_str()))
        .map(|candidate| (candidate, messages_about(&stderr, &candidate.name)))
        .collect())
}

/// Removes what checking the generated crates (`fc-<hash>`) left in the target's `debug` folder,
/// keeping the dependencies' artifacts for the next batch: a long run checks thousands of crates
/// and would otherwise keep every one's metadata.
fn remove_crate_artifacts(debug: &Path) -> Result<()> {
    for folder in ["deps", ".fingerprint", "build"] {
        let Ok(entries) = fs::read_dir(debug.join(folder)) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("fc-") || name.starts_with("fc_") || name.starts_with("libfc_") {
                let path = entry.path();
                let removed = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
                removed.with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// The crates `cargo check` names in `error: could not compile `NAME``.
fn failed_crates(stderr: &str) -> BTreeSet<&str> {
    stderr.lines().filter_map(|line| line.strip_prefix("error: could not compile `")?.split('`').next()).collect()
}

/// The compiler's lines about files of crate `name` (`crates/NAME/src/...: error...`).
fn messages_about(stderr: &str, name: &str) -> String {
    let prefix = format!("crates/{name}/");
    stderr.lines().filter(|line| line.starts_with(&prefix)).fold(String::new(), |mut out, line| {
        out.push_str(line);
        out.push('\n');
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_crates_cargo_could_not_compile() {
        let stderr = "\
crates/fc-01/src/types.rs:5:1: error[E0391]: cycle detected when expanding type alias `Loop`
crates/fc-02/src/client.rs:3:9: warning: unused import
error: could not compile `fc-01` (lib) due to 1 previous error
error: could not compile `fc-02` (lib) due to 1 previous error; 1 warning emitted
";
        assert_eq!(failed_crates(stderr).into_iter().collect::<Vec<_>>(), ["fc-01", "fc-02"]);
        assert_eq!(
            messages_about(stderr, "fc-01"),
            "crates/fc-01/src/types.rs:5:1: error[E0391]: cycle detected when expanding type alias `Loop`\n"
        );
    }

    #[test]
    #[ignore = "builds every dependency of a generated crate in a target of its own (minutes)"]
    fn a_broken_crate_in_a_batch_is_found() {
        // The hostile fixture's alias cycles and array path parameters once gave such crates;
        // this checks the whole loop on a spec that compiles and on hand-broken output.
        let root = crate::fsutil::workspace_root();
        let text = fs::read_to_string(root.join("tests/fixtures/nullable_31.yaml")).unwrap();
        let mut generated = generate(&text, "fc-good", "good.yaml").unwrap().unwrap();
        let good = Candidate {
            source: "good.yaml".into(),
            text: text.clone(),
            name: "fc-good".into(),
            generated: generated.clone(),
        };
        let types = generated.files.iter_mut().find(|f| f.path == "src/types.rs").unwrap();
        types.contents.push_str("\npub type Broken = Broken;\n");
        for file in &mut generated.files {
            file.contents = file.contents.replace("fc-good", "fc-bad");
        }
        let bad = Candidate { source: "bad.yaml".into(), text, name: "fc-bad".into(), generated };
        let work = root.join("target/xtask-tests/fuzz-compile");
        let batch = [good, bad];
        let failures = check_batch(&root, &work, &batch).unwrap();
        let names: Vec<&str> = failures.iter().map(|(c, _)| c.name.as_str()).collect();
        assert_eq!(names, ["fc-bad"]);
        assert!(failures[0].1.contains("E0391"), "{}", failures[0].1);
    }
}
