//! `bench`: how fast the generator is, against the floor of the work it cannot avoid, and how fast
//! the crates it generates compile, against OpenAPI Generator's.
//!
//! Inputs: Truedy's spec from `spec/`, and specs of the pinned npm collections the corpus also
//! reads (`collections.rs`, in the ignored `.corpus/npm`: GitHub's 13 MB spec, Stripe's, a few
//! small ones).
//! OpenAPI Generator comes from PyPI (`openapi-generator-cli`, which ships its jar), pinned and
//! installed into the ignored venv `.tools/openapi-generator`; it runs on the machine's Java.
//!
//! Each spec is generated in a child process (`xtask bench-one generate`, hidden) so that its
//! peak RSS (`VmHWM`) is that spec's alone. Another child (`bench-one floor`) measures the floor:
//! `serde_json` parsing the input, plus `prettyplease::unparse` of the generated files (parsed
//! with `syn` untimed). Generated crates are then checked in one throwaway workspace under
//! `.bench/` with its own target dir: each crate has a twin with the same manifest and an empty
//! `lib.rs`, built first and untimed, so the timed `cargo check` compiles the generated crate
//! alone.
//!
//! The bench always measures optimised code: run from a debug build, it rebuilds xtask in release
//! mode and runs that.
//!
//! This module runs the steps in order; `child` measures one spec in a process of its own,
//! `others` runs OpenAPI Generator, `compile` times `cargo` on the generated crates and `report`
//! renders the tables that go to stdout and `.bench/report.md`.

mod calls;
mod child;
mod compile;
mod others;
mod report;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::collections::{self, Collections};
use crate::flags;
use crate::fsutil::write_atomic;
use crate::scratch::{cargo, slug};

use child::Measured;
pub use child::bench_one;
use others::{OPENAPI_GENERATOR_VERSION, Theirs};
use report::{bytes, ms};

/// One spec of the benchmark.
pub struct Spec {
    /// Display name: `truedy`, `stripe.com`, `api.github.com`.
    pub name: String,
    pub path: PathBuf,
    /// `cargo check` the generated crate.
    pub check: bool,
    /// Also generate and check it with OpenAPI Generator.
    pub compare: bool,
    /// Also time `cargo build --release` of the generated crate.
    pub release: bool,
    /// Also time `cargo check` of the crate with only this tag's feature.
    pub one_tag: Option<&'static str>,
}

impl Spec {
    /// Name of our generated crate.
    pub fn ours(&self) -> String {
        format!("ours-{}", slug(&self.name))
    }

    /// Name of OpenAPI Generator's crate.
    pub fn theirs(&self) -> String {
        format!("og-{}", slug(&self.name))
    }
}

/// The specs, in the order they are reported.
fn specs(root: &Path, collections: &Collections) -> Vec<Spec> {
    let spec = |name: &str, path: PathBuf, check: bool, compare: bool| Spec {
        name: name.to_owned(),
        path,
        check,
        compare,
        release: name == "truedy",
        // A service that manages issues: one mid-sized tag of GitHub's 47.
        one_tag: (name == "api.github.com").then_some("issues"),
    };
    let dir = &collections.directory;
    vec![
        spec("truedy", root.join("spec").join("truedy").join("openapi.json"), true, true),
        spec("edrv.io", dir.join("edrv.io.json"), true, true),
        spec("spotify.com", dir.join("spotify.com.json"), true, true),
        spec("asana.com", dir.join("asana.com.json"), true, true),
        spec("stripe.com", collections.stripe(), true, true),
        spec("api.github.com", collections.github.clone(), true, true),
        // Generation only: its crate would take many minutes to check. It is the slowest spec
        // to generate of the collection, so it shows work that grows faster than the input.
        spec("microsoft.com/graph-beta", dir.join("microsoft.com").join("graph-beta.json"), false, false),
    ]
}

/// How one timed `cargo` run went.
#[derive(Clone, Debug)]
pub enum Build {
    Passed(Duration),
    /// Why it failed, and how long the crate's own build ran before rustc gave up (none when
    /// something before it failed: its dependencies, or cargo itself).
    Failed {
        error: String,
        after: Option<Duration>,
    },
}

/// Everything measured for one spec.
pub struct Row {
    pub spec: Spec,
    pub ours: Result<Measured, String>,
    pub theirs: Option<Result<Theirs, String>>,
    pub check_ours: Option<Build>,
    /// `cargo check` of ours with only [`Spec::one_tag`]'s feature.
    pub check_one_tag: Option<Build>,
    pub check_theirs: Option<Build>,
    pub release_ours: Option<Build>,
    pub release_theirs: Option<Build>,
}

/// `cargo xtask bench`; `raw` are its arguments, for the release build it may start.
pub fn bench(root: &Path, args: &flags::Bench, raw: &[String]) -> Result<ExitCode> {
    let runs = args.runs.get();
    if cfg!(debug_assertions) {
        return rerun_in_release(root, raw);
    }
    let started = Instant::now();
    let collections = collections::fetch(root)?;
    let mut specs = specs(root, &collections);
    if let Some(only) = &args.only {
        specs.retain(|s| only.split(',').any(|name| s.name.contains(name.trim())));
    }
    if specs.is_empty() {
        bail!("no spec matched");
    }
    let dir = root.join(".bench");
    let crates = dir.join("crates");
    fs::create_dir_all(&crates).with_context(|| format!("creating {}", crates.display()))?;

    let machine = machine();
    println!("{machine}\n");
    let mut rows = generate_ours(specs, &crates, runs);
    if !args.no_compare && rows.iter().any(|r| r.spec.compare) {
        generate_theirs(root, &mut rows, &crates, &dir)?;
    }
    let mut calls = None;
    if !args.no_check {
        compile::check_all(root, &crates, &dir.join("target"), &mut rows, runs)?;
        calls = Some(calls::run(root).map_err(|e| format!("{e:#}")));
    }

    let report = report::report(&rows, calls.as_ref());
    println!("\n{report}");
    let took = format!("bench took {:.0} s; {} at the end", started.elapsed().as_secs_f64(), load());
    println!("{took}");
    let out = dir.join("report.md");
    write_atomic(&out, &format!("{machine}\n\n{report}\n{took}\n"))?;
    println!("report written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Generates every spec in child processes, `runs` times each, printing each outcome.
fn generate_ours(specs: Vec<Spec>, crates: &Path, runs: usize) -> Vec<Row> {
    println!("== generation ({runs} run(s) per spec, the fastest counts)");
    let mut rows = Vec::new();
    for spec in specs {
        let ours = child::measure(&spec, &crates.join(spec.ours()), runs).map_err(|e| format!("{e:#}"));
        match &ours {
            Ok(m) => println!(
                "  {:<26} {:>9} generated in {}, floor {}, peak RSS {}",
                spec.name,
                bytes(m.input_bytes),
                ms(m.total),
                ms(m.floor()),
                bytes(m.peak_rss_kib * 1024)
            ),
            Err(e) => println!("  {:<26} FAILED: {e}", spec.name),
        }
        rows.push(Row {
            spec,
            ours,
            theirs: None,
            check_ours: None,
            check_one_tag: None,
            check_theirs: None,
            release_ours: None,
            release_theirs: None,
        });
    }
    rows
}

/// Generates the specs that are compared with OpenAPI Generator, printing each outcome.
fn generate_theirs(root: &Path, rows: &mut [Row], crates: &Path, dir: &Path) -> Result<()> {
    let cli = others::ensure_openapi_generator(root)?;
    println!("\n== OpenAPI Generator {OPENAPI_GENERATOR_VERSION} (-g rust)");
    for row in rows.iter_mut().filter(|r| r.spec.compare) {
        let theirs =
            others::generate(&cli, &row.spec, &crates.join(row.spec.theirs()), dir).map_err(|e| format!("{e:#}"));
        match &theirs {
            Ok(t) => println!("  {:<26} generated in {}, {} lines", row.spec.name, ms(t.generation), t.lines),
            Err(e) => println!("  {:<26} FAILED: {e}", row.spec.name),
        }
        row.theirs = Some(theirs);
    }
    Ok(())
}

/// Builds xtask in release mode and runs the bench with it.
fn rerun_in_release(root: &Path, args: &[String]) -> Result<ExitCode> {
    println!("building xtask in release mode (the benchmark measures optimised code)");
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["build", "--release", "--quiet", "--package", "xtask"])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --release --package xtask failed ({status})");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let exe = target.join("release").join(format!("xtask{}", std::env::consts::EXE_SUFFIX));
    let status =
        Command::new(&exe).arg("bench").args(args).status().with_context(|| format!("running {}", exe.display()))?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The machine, as the report states it.
fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .map_or_else(|| "unknown memory".to_owned(), |kib| bytes(kib * 1024));
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    format!("machine: {cores} cores (nproc), {memory} RAM, CPU {cpu}; release build of the generator; {}", load())
}

/// The 1-minute load average: other work on the machine slows every figure.
fn load() -> String {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!("load average {}", text.split(' ').next().unwrap_or("unknown"))
}

/// The last `n` lines of a process's output.
fn last_lines(output: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_prefixed_slugs() {
        let spec = Spec {
            name: "api.github.com".to_owned(),
            path: PathBuf::new(),
            check: true,
            compare: false,
            release: false,
            one_tag: None,
        };
        assert_eq!((spec.ours(), spec.theirs()), ("ours-api-github-com".to_owned(), "og-api-github-com".to_owned()));
    }
}
