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

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use generator::{Options, StageTimes};

use crate::collections::{self, Collections};
use crate::flags::{self, BenchMode};
use crate::fsutil::{list_files, write_atomic};
use crate::scratch::{self, cargo, slug, twin_manifest};

/// The OpenAPI Generator release compared against. Bump it on purpose, never implicitly.
const OPENAPI_GENERATOR_VERSION: &str = "7.26.0";

/// The limits the issue sets, reported as ratios (never enforced).
const FLOOR_TARGET: f64 = 2.0;
const RSS_TARGET: f64 = 10.0;

/// One spec of the benchmark.
struct Spec {
    /// Display name: `truedy`, `stripe.com`, `api.github.com`.
    name: String,
    path: PathBuf,
    /// `cargo check` the generated crate.
    check: bool,
    /// Also generate and check it with OpenAPI Generator.
    compare: bool,
    /// Also time `cargo build --release` of the generated crate.
    release: bool,
}

impl Spec {
    /// Name of our generated crate.
    fn ours(&self) -> String {
        format!("ours-{}", slug(&self.name))
    }

    /// Name of OpenAPI Generator's crate.
    fn theirs(&self) -> String {
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
    };
    let dir = &collections.directory;
    vec![
        spec("truedy", root.join("spec").join("truedy").join("openapi.json"), true, true),
        spec("edrv.io", dir.join("edrv.io.json"), true, true),
        spec("spotify.com", dir.join("spotify.com.json"), true, true),
        spec("asana.com", dir.join("asana.com.json"), true, true),
        spec("stripe.com", collections.stripe(), true, false),
        spec("api.github.com", collections.github.clone(), true, false),
        // Generation only: its crate would take many minutes to check. It is the slowest spec
        // to generate of the collection, so it shows work that grows faster than the input.
        spec("microsoft.com/graph-beta", dir.join("microsoft.com").join("graph-beta.json"), false, false),
    ]
}

/// What one `bench-one` child measured.
#[derive(Clone, Debug, Default, PartialEq)]
struct Measured {
    read: Duration,
    stages: StageTimes,
    write: Duration,
    /// From the start of reading to the end of writing, including freeing the pipeline's data.
    total: Duration,
    /// `VmHWM` at the end of generation, in KiB.
    peak_rss_kib: u64,
    input_bytes: u64,
    operations: u64,
    types: u64,
    /// Lines of every generated file but the verbatim runtime.
    lines: u64,
    runtime_lines: u64,
    /// `serde_json::from_str::<Value>` of the input.
    floor_parse: Duration,
    /// `prettyplease::unparse` of the formatted files (the runtime is copied, not formatted).
    floor_unparse: Duration,
}

impl Measured {
    fn floor(&self) -> Duration {
        self.floor_parse + self.floor_unparse
    }

    /// The `key value` lines `bench-one` prints and the parent reads back.
    fn to_report(&self) -> String {
        let s = &self.stages;
        let durations = [
            ("read", self.read),
            ("load", s.load),
            ("normalise", s.normalise),
            ("parse", s.parse),
            ("lower", s.lower),
            ("output", s.output),
            ("emit", s.emit),
            ("format", s.format),
            ("write", self.write),
            ("total", self.total),
            ("floor_parse", self.floor_parse),
            ("floor_unparse", self.floor_unparse),
        ];
        let mut out = String::new();
        for (key, value) in durations {
            let _ = writeln!(out, "{key}_ns {}", value.as_nanos());
        }
        let counts = [
            ("peak_rss_kib", self.peak_rss_kib),
            ("input_bytes", self.input_bytes),
            ("operations", self.operations),
            ("types", self.types),
            ("lines", self.lines),
            ("runtime_lines", self.runtime_lines),
            ("threads", self.stages.threads as u64),
        ];
        for (key, value) in counts {
            let _ = writeln!(out, "{key} {value}");
        }
        out
    }

    fn from_report(text: &str) -> Result<Measured> {
        let mut m = Measured::default();
        let mut seen = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (key, value) = line.split_once(' ').with_context(|| format!("bad report line `{line}`"))?;
            let number: u64 = value.trim().parse().with_context(|| format!("bad number in `{line}`"))?;
            let nanos = Duration::from_nanos(number);
            let s = &mut m.stages;
            match key {
                "read_ns" => m.read = nanos,
                "load_ns" => s.load = nanos,
                "normalise_ns" => s.normalise = nanos,
                "parse_ns" => s.parse = nanos,
                "lower_ns" => s.lower = nanos,
                "output_ns" => s.output = nanos,
                "emit_ns" => s.emit = nanos,
                "format_ns" => s.format = nanos,
                "write_ns" => m.write = nanos,
                "total_ns" => m.total = nanos,
                "floor_parse_ns" => m.floor_parse = nanos,
                "floor_unparse_ns" => m.floor_unparse = nanos,
                "peak_rss_kib" => m.peak_rss_kib = number,
                "input_bytes" => m.input_bytes = number,
                "operations" => m.operations = number,
                "types" => m.types = number,
                "lines" => m.lines = number,
                "runtime_lines" => m.runtime_lines = number,
                "threads" => m.stages.threads = number as usize,
                _ => bail!("unknown report key `{key}`"),
            }
            seen += 1;
        }
        if seen != 19 {
            bail!("incomplete report ({seen} of 19 values):\n{text}");
        }
        Ok(m)
    }
}

/// `VmHWM` (peak resident set) from the text of `/proc/<pid>/status`, in KiB.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    status.lines().find_map(|line| line.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok())
}

/// `cargo xtask bench-one generate SPEC OUT CRATE` and `cargo xtask bench-one floor SPEC OUT`
/// (hidden): each prints its part of a [`Measured`] as `key value` lines for the parent.
///
/// Both start from a fresh process, so neither runs on a heap the other has already grown.
/// Generation is called from the main thread, as in `cargo xtask generate`: loading, parsing and
/// lowering run there (a spawned thread would use one of glibc's secondary arenas, which grow
/// through many more `mprotect` calls); a JSON spec's paths are read on a helper, and emitting
/// and formatting add their own.
pub fn bench_one(args: &flags::BenchOne) -> Result<ExitCode> {
    let report = match (args.mode, &args.crate_name) {
        (BenchMode::Generate, Some(crate_name)) => {
            let report = generate_measured(&args.spec, &args.out, crate_name)?.to_report();
            // The floor's lines come from `bench-one floor`.
            report.lines().filter(|l| !l.starts_with("floor_")).map(|l| format!("{l}\n")).collect()
        }
        (BenchMode::Floor, None) => floor_measured(&args.spec, &args.out)?,
        _ => bail!("usage: xtask bench-one generate SPEC OUT CRATE | floor SPEC OUT"),
    };
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// Reads, generates and writes one spec; the floor is left at zero.
fn generate_measured(spec: &Path, out: &Path, crate_name: &str) -> Result<Measured> {
    let started = Instant::now();
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let read = started.elapsed();
    let options = Options {
        spec_path: spec.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        crate_name: crate_name.to_owned(),
        command: "cargo xtask bench".to_owned(),
    };
    let input_bytes = text.len() as u64;
    // By value, as `cargo xtask generate` passes it: generation frees the text once it is lowered.
    let (generated, stages) =
        generator::generate_timed(text, &options).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    let writing = Instant::now();
    for file in &generated.files {
        write_atomic(&out.join(&file.path), &file.contents)?;
    }
    let write = writing.elapsed();
    let total = started.elapsed();
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_rss_kib = vm_hwm_kib(&status).unwrap_or(0);

    let count = |runtime: bool| -> u64 {
        let files = generated.files.iter().filter(|f| is_runtime(&f.path) == runtime);
        files.map(|f| f.contents.lines().count() as u64).sum()
    };
    Ok(Measured {
        read,
        stages,
        write,
        total,
        peak_rss_kib,
        input_bytes,
        operations: generated.operations as u64,
        types: generated.types as u64,
        lines: count(false),
        runtime_lines: count(true),
        floor_parse: Duration::ZERO,
        floor_unparse: Duration::ZERO,
    })
}

/// The runtime is copied verbatim, neither emitted nor formatted.
fn is_runtime(path: &str) -> bool {
    path == "src/runtime.rs"
}

/// The floor: work any generator of this output from this input has to do. `serde_json` parses
/// the spec; `prettyplease` prints the formatted files that generation wrote into `out` (each
/// parsed with `syn` first, untimed).
fn floor_measured(spec: &Path, out: &Path) -> Result<String> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let parsing = Instant::now();
    let value: serde_json::Value = serde_json::from_str(&text).context("the floor needs a JSON spec")?;
    let floor_parse = parsing.elapsed();
    drop(value);
    let mut floor_unparse = Duration::ZERO;
    for file in list_files(out)?.iter().filter(|f| f.ends_with(".rs") && !is_runtime(f)) {
        let contents = fs::read_to_string(out.join(file)).with_context(|| format!("reading generated {file}"))?;
        let syntax = syn::parse_file(&contents).with_context(|| format!("parsing generated {file}"))?;
        let printing = Instant::now();
        let printed = prettyplease::unparse(&syntax);
        floor_unparse += printing.elapsed();
        drop(printed);
    }
    Ok(format!("floor_parse_ns {}\nfloor_unparse_ns {}\n", floor_parse.as_nanos(), floor_unparse.as_nanos()))
}

/// What OpenAPI Generator did with one spec.
struct Theirs {
    /// Wall time of `openapi-generator-cli generate`, JVM start included.
    generation: Duration,
    /// Lines of its `src/**/*.rs`.
    lines: u64,
}

/// How one timed `cargo` run went.
#[derive(Clone, Debug)]
enum Build {
    Passed(Duration),
    Failed(String),
}

/// Everything measured for one spec.
struct Row {
    spec: Spec,
    ours: Result<Measured, String>,
    theirs: Option<Result<Theirs, String>>,
    check_ours: Option<Build>,
    check_theirs: Option<Build>,
    release_ours: Option<Build>,
    release_theirs: Option<Build>,
}

/// `cargo xtask bench [--only NAME] [--runs N] [--no-check] [--no-compare]`.
pub fn bench(root: &Path, args: &flags::Bench, raw: &[String]) -> Result<ExitCode> {
    let runs = args.runs.get();
    if cfg!(debug_assertions) {
        return rerun_in_release(root, raw);
    }
    let started = Instant::now();
    let collections = collections::fetch(root)?;
    let mut specs = specs(root, &collections);
    if let Some(only) = &args.only {
        specs.retain(|s| s.name.contains(only.as_str()));
    }
    if specs.is_empty() {
        bail!("no spec matched");
    }
    let dir = root.join(".bench");
    let crates = dir.join("crates");
    fs::create_dir_all(&crates).with_context(|| format!("creating {}", crates.display()))?;

    println!("{}\n", machine());
    println!("== generation ({} run(s) per spec, the fastest counts)", runs);
    let mut rows = Vec::new();
    for spec in specs {
        let ours = generate_ours(&spec, &crates.join(spec.ours()), runs).map_err(|e| format!("{e:#}"));
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
            check_theirs: None,
            release_ours: None,
            release_theirs: None,
        });
    }

    if !args.no_compare && rows.iter().any(|r| r.spec.compare) {
        let cli = ensure_openapi_generator(root)?;
        println!("\n== OpenAPI Generator {OPENAPI_GENERATOR_VERSION} (-g rust)");
        for row in rows.iter_mut().filter(|r| r.spec.compare) {
            let theirs =
                generate_theirs(&cli, &row.spec, &crates.join(row.spec.theirs()), &dir).map_err(|e| format!("{e:#}"));
            match &theirs {
                Ok(t) => println!("  {:<26} generated in {}, {} lines", row.spec.name, ms(t.generation), t.lines),
                Err(e) => println!("  {:<26} FAILED: {e}", row.spec.name),
            }
            row.theirs = Some(theirs);
        }
    }

    if !args.no_check {
        check_all(root, &crates, &dir.join("target"), &mut rows, runs)?;
    }

    let report = report(&rows);
    println!("\n{report}");
    println!("bench took {:.0} s; {} at the end", started.elapsed().as_secs_f64(), load());
    let out = dir.join("report.md");
    write_atomic(&out, &format!("{}\n\n{report}", machine()))?;
    println!("report written to {}", out.display());
    Ok(ExitCode::SUCCESS)
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

/// Runs `bench-one generate` and `bench-one floor` `runs` times; keeps the fastest generation,
/// the smallest floor and the largest peak RSS.
fn generate_ours(spec: &Spec, out: &Path, runs: usize) -> Result<Measured> {
    let exe = std::env::current_exe().context("finding the xtask binary")?;
    let mut best: Option<Measured> = None;
    for _ in 0..runs {
        if out.exists() {
            fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
        }
        let child = |args: &[&std::ffi::OsStr]| -> Result<String> {
            let output = Command::new(&exe).arg("bench-one").args(args).output().context("running xtask bench-one")?;
            if !output.status.success() {
                bail!("{}", last_lines(&output.stderr, 5));
            }
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        };
        let name = spec.ours();
        let generation = child(&["generate".as_ref(), spec.path.as_os_str(), out.as_os_str(), name.as_ref()])?;
        let floor = child(&["floor".as_ref(), spec.path.as_os_str(), out.as_os_str()])?;
        let run = Measured::from_report(&format!("{generation}{floor}"))?;
        best = Some(match best {
            None => run,
            Some(kept) => {
                let (floor_parse, floor_unparse) = if run.floor() < kept.floor() {
                    (run.floor_parse, run.floor_unparse)
                } else {
                    (kept.floor_parse, kept.floor_unparse)
                };
                let peak_rss_kib = run.peak_rss_kib.max(kept.peak_rss_kib);
                let fastest = if run.stages.total() < kept.stages.total() { run } else { kept };
                Measured { floor_parse, floor_unparse, peak_rss_kib, ..fastest }
            }
        });
    }
    best.context("no run")
}

/// The last `n` lines of a process's output.
fn last_lines(output: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Installs the pinned `openapi-generator-cli` into a venv under `.tools/` unless it is there;
/// returns its launcher.
fn ensure_openapi_generator(root: &Path) -> Result<PathBuf> {
    let venv = root.join(".tools").join("openapi-generator");
    let bin = venv.join("bin");
    let python = bin.join("python");
    let cli = bin.join("openapi-generator-cli");
    let installed = || {
        Command::new(&python)
            .args(["-c", "import importlib.metadata as m; print(m.version('openapi-generator-cli'))"])
            .output()
            .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == OPENAPI_GENERATOR_VERSION)
    };
    if cli.exists() && installed() {
        return Ok(cli);
    }
    println!("\ninstalling openapi-generator-cli=={OPENAPI_GENERATOR_VERSION} into {}", venv.display());
    if !python.exists() {
        run_ok(Command::new("python3").arg("-m").arg("venv").arg(&venv), "python3 -m venv")?;
    }
    run_ok(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("openapi-generator-cli=={OPENAPI_GENERATOR_VERSION}")),
        "pip install openapi-generator-cli",
    )?;
    if !installed() {
        bail!("pip did not install openapi-generator-cli {OPENAPI_GENERATOR_VERSION} into {}", venv.display());
    }
    Ok(cli)
}

fn run_ok(command: &mut Command, what: &str) -> Result<Output> {
    let output = command.output().with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        bail!("{what} failed ({}):\n{}", output.status, last_lines(&output.stderr, 10));
    }
    Ok(output)
}

fn generate_theirs(cli: &Path, spec: &Spec, out: &Path, dir: &Path) -> Result<Theirs> {
    if out.exists() {
        fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
    }
    let started = Instant::now();
    let output = Command::new(cli)
        .arg("generate")
        .arg("--input-spec")
        .arg(&spec.path)
        .args(["--generator-name", "rust", "--output"])
        .arg(out)
        // `packageVersion`: info.version is often not semver, which its Cargo.toml would reject.
        .arg(format!("--additional-properties=packageName={},packageVersion=1.0.0", spec.theirs()))
        .output()
        .context("running openapi-generator-cli")?;
    let generation = started.elapsed();
    let log = dir.join(format!("{}.log", spec.theirs()));
    let _ = fs::write(&log, [output.stdout.as_slice(), output.stderr.as_slice()].concat());
    if !output.status.success() {
        bail!("openapi-generator-cli failed ({}), see {}", output.status, log.display());
    }
    let mut lines = 0;
    let src = out.join("src");
    for file in list_files(&src)?.iter().filter(|f| f.ends_with(".rs")) {
        let text = fs::read_to_string(src.join(file)).with_context(|| format!("reading {file}"))?;
        lines += text.lines().count() as u64;
    }
    Ok(Theirs { generation, lines })
}

/// Writes the bench workspace and times `cargo check` of every crate (and `cargo build --release`
/// where asked), each after building its twin.
fn check_all(root: &Path, crates: &Path, target: &Path, rows: &mut [Row], runs: usize) -> Result<()> {
    let mut members = Vec::new();
    for row in rows.iter() {
        if row.spec.check && row.ours.is_ok() {
            members.push(row.spec.ours());
        }
        if matches!(row.theirs, Some(Ok(_))) {
            members.push(row.spec.theirs());
        }
    }
    if members.is_empty() {
        return Ok(());
    }
    let mut listed = Vec::new();
    for member in &members {
        let twin = format!("{member}-deps");
        let manifest = fs::read_to_string(crates.join(member).join("Cargo.toml"))
            .with_context(|| format!("reading the manifest of {member}"))?;
        scratch::write_code_less_crate(&crates.join(&twin), &twin_manifest(&manifest, &twin)?)?;
        listed.extend([member.clone(), twin]);
    }
    scratch::write_workspace(root, crates, &listed)?;

    println!(
        "\n== cargo (target dir {}; dependencies built first, untimed; the fastest of up to {runs} runs within {} s)",
        target.display(),
        REPEAT_BUDGET.as_secs()
    );
    for row in rows.iter_mut() {
        if row.spec.check && row.ours.is_ok() {
            row.check_ours = Some(timed_cargo(crates, target, &row.spec.ours(), false, runs)?);
            print_build(&row.spec.ours(), "check", row.check_ours.as_ref());
        }
        if matches!(row.theirs, Some(Ok(_))) {
            row.check_theirs = Some(timed_cargo(crates, target, &row.spec.theirs(), false, runs)?);
            print_build(&row.spec.theirs(), "check", row.check_theirs.as_ref());
        }
        if row.spec.release && row.ours.is_ok() {
            row.release_ours = Some(timed_cargo(crates, target, &row.spec.ours(), true, runs)?);
            print_build(&row.spec.ours(), "build --release", row.release_ours.as_ref());
            if matches!(row.theirs, Some(Ok(_))) {
                row.release_theirs = Some(timed_cargo(crates, target, &row.spec.theirs(), true, runs)?);
                print_build(&row.spec.theirs(), "build --release", row.release_theirs.as_ref());
            }
        }
    }
    Ok(())
}

fn print_build(name: &str, what: &str, build: Option<&Build>) {
    match build {
        Some(Build::Passed(time)) => println!("  cargo {what:<15} {name:<26} {}", seconds(*time)),
        Some(Build::Failed(error)) => println!("  cargo {what:<15} {name:<26} FAILED: {error}"),
        None => {}
    }
}

/// Timed builds of one crate are repeated while they take less than this in all (up to `runs`).
const REPEAT_BUDGET: Duration = Duration::from_secs(30);

/// Builds `package`'s twin (untimed), then `package` itself (timed, from scratch), up to `runs`
/// times within [`REPEAT_BUDGET`]; the fastest counts.
fn timed_cargo(crates: &Path, target: &Path, package: &str, release: bool, runs: usize) -> Result<Build> {
    let run = |package: &str| {
        let mut command = Command::new(cargo());
        command
            .current_dir(crates)
            .env("CARGO_TARGET_DIR", target)
            // A timed build starts from nothing: no incremental state from an earlier run.
            .env("CARGO_INCREMENTAL", "0")
            .arg(if release { "build" } else { "check" })
            .args(["--quiet", "--message-format=short", "--package", package]);
        if release {
            command.arg("--release");
        }
        command.output().context("running cargo")
    };
    let twin = run(&format!("{package}-deps"))?;
    if !twin.status.success() {
        return Ok(Build::Failed(format!("its dependencies failed to build: {}", last_lines(&twin.stderr, 3))));
    }
    let lib = crates.join(package).join("src").join("lib.rs");
    let mut fastest: Option<Duration> = None;
    let mut spent = Duration::ZERO;
    for _ in 0..runs {
        // Make cargo see the crate as changed even when an earlier run built the same bytes.
        let text = fs::read(&lib).with_context(|| format!("reading {}", lib.display()))?;
        fs::write(&lib, text).with_context(|| format!("writing {}", lib.display()))?;
        let started = Instant::now();
        let output = run(package)?;
        let elapsed = started.elapsed();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Ok(Build::Failed(stderr.lines().find(|l| l.contains("error")).unwrap_or("failed").to_owned()));
        }
        fastest = Some(fastest.map_or(elapsed, |f| f.min(elapsed)));
        spent += elapsed;
        if spent >= REPEAT_BUDGET {
            break;
        }
    }
    Ok(fastest.map_or_else(|| Build::Failed("not run".to_owned()), Build::Passed))
}

/// `a / b`, when both are known and `b` is not zero.
fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite() && b.is_finite()).then(|| a / b)
}

/// Two decimals, or two significant digits below 0.1.
fn fmt_ratio(r: Option<f64>) -> String {
    match r {
        None => "n/a".to_owned(),
        Some(r) if r != 0.0 && r.abs() < 0.1 => {
            let decimals = (1.0 - r.abs().log10().floor()) as usize;
            format!("{r:.decimals$}×")
        }
        Some(r) => format!("{r:.2}×"),
    }
}

/// `met` when `value` is at most `limit`.
fn verdict(value: Option<f64>, limit: f64) -> &'static str {
    match value {
        Some(v) if v <= limit => "met",
        Some(_) => "NOT met",
        None => "not measured",
    }
}

/// Milliseconds, with one decimal below 10 ms.
fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 { format!("{ms:.1} ms") } else { format!("{ms:.0} ms") }
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// KiB below 1 MiB, else MiB (GiB from 10 GiB).
fn bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let n = n as f64;
    if n < KIB * KIB {
        format!("{:.0} KiB", n / KIB)
    } else if n < 10.0 * KIB * KIB * KIB {
        format!("{:.1} MiB", n / (KIB * KIB))
    } else {
        format!("{:.1} GiB", n / (KIB * KIB * KIB))
    }
}

fn build_cell(build: Option<&Build>) -> String {
    match build {
        Some(Build::Passed(d)) => seconds(*d),
        Some(Build::Failed(_)) => "failed".to_owned(),
        None => "–".to_owned(),
    }
}

fn build_secs(build: Option<&Build>) -> Option<f64> {
    match build {
        Some(Build::Passed(d)) => Some(d.as_secs_f64()),
        _ => None,
    }
}

/// The tables, as Markdown.
fn report(rows: &[Row]) -> String {
    let mut out = String::new();
    let measured: Vec<(&Row, &Measured)> = rows.iter().filter_map(|r| r.ours.as_ref().ok().map(|m| (r, m))).collect();

    let _ = writeln!(out, "### Generation, by stage\n");
    let _ = writeln!(
        out,
        "| spec | input | read | load | normalise | parse | lower | emit + format | (emit) | (format) | write | total | peak RSS | RSS / input |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (row, m) in &measured {
        let s = &m.stages;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.spec.name,
            bytes(m.input_bytes),
            ms(m.read),
            ms(s.load),
            ms(s.normalise),
            ms(s.parse),
            ms(s.lower),
            ms(s.output),
            ms(s.emit),
            ms(s.format),
            ms(m.write),
            ms(m.total),
            bytes(m.peak_rss_kib * 1024),
            fmt_ratio(ratio(m.peak_rss_kib as f64 * 1024.0, m.input_bytes as f64)),
        );
    }
    let threads = measured.first().map_or(1, |(_, m)| m.stages.threads);
    let _ = writeln!(
        out,
        "\n`total` runs from reading the spec to the last file written, freeing memory included. \
         Emitting and formatting run part by part on {threads} thread(s): `emit + format` is their wall \
         time, `(emit)` and `(format)` the time each took summed over the threads."
    );

    let _ = writeln!(out, "\n### Against the floor\n");
    let _ = writeln!(
        out,
        "| spec | serde_json parse | prettyplease unparse | floor | generate (load→format) | generate / floor |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
    for (row, m) in &measured {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.spec.name,
            ms(m.floor_parse),
            ms(m.floor_unparse),
            ms(m.floor()),
            ms(m.stages.total()),
            fmt_ratio(ratio(m.stages.total().as_secs_f64(), m.floor().as_secs_f64())),
        );
    }

    let _ = writeln!(out, "\n### Generated code\n");
    let _ = writeln!(out, "| spec | operations | types | lines | lines / operation | + runtime |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
    for (row, m) in &measured {
        let per_op = ratio(m.lines as f64, m.operations as f64).map_or("n/a".to_owned(), |r| format!("{r:.0}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {per_op} | {} |",
            row.spec.name, m.operations, m.types, m.lines, m.runtime_lines
        );
    }

    let _ = writeln!(out, "\n### Compile time of the generated crate (dependencies pre-built)\n");
    let _ = writeln!(out, "| spec | ours: cargo check | ours: build --release |");
    let _ = writeln!(out, "|---|--:|--:|");
    for row in rows.iter().filter(|r| r.check_ours.is_some()) {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            row.spec.name,
            build_cell(row.check_ours.as_ref()),
            build_cell(row.release_ours.as_ref())
        );
    }

    let compared: Vec<&Row> = rows.iter().filter(|r| r.theirs.is_some()).collect();
    if !compared.is_empty() {
        let _ = writeln!(out, "\n### Against OpenAPI Generator {OPENAPI_GENERATOR_VERSION} (`-g rust`)\n");
        let _ = writeln!(
            out,
            "| spec | ours: generate | OG: generate | ours / OG | ours: lines | OG: lines | ours: check | OG: check | ours / OG | ours: release | OG: release |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for row in &compared {
            let ours = row.ours.as_ref().ok();
            let theirs = row.theirs.as_ref().and_then(|t| t.as_ref().ok());
            let generation = ratio(
                ours.map_or(f64::NAN, |m| m.total.as_secs_f64()),
                theirs.map_or(f64::NAN, |t| t.generation.as_secs_f64()),
            );
            let check = ratio(
                build_secs(row.check_ours.as_ref()).unwrap_or(f64::NAN),
                build_secs(row.check_theirs.as_ref()).unwrap_or(f64::NAN),
            );
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.spec.name,
                ours.map_or("failed".to_owned(), |m| ms(m.total)),
                theirs.map_or("failed".to_owned(), |t| ms(t.generation)),
                fmt_ratio(generation),
                ours.map_or("–".to_owned(), |m| (m.lines + m.runtime_lines).to_string()),
                theirs.map_or("–".to_owned(), |t| t.lines.to_string()),
                build_cell(row.check_ours.as_ref()),
                build_cell(row.check_theirs.as_ref()),
                fmt_ratio(check),
                build_cell(row.release_ours.as_ref()),
                build_cell(row.release_theirs.as_ref()),
            );
        }
        let _ = writeln!(
            out,
            "\nOG's generation time includes starting the JVM; our lines here include the runtime, since \
             OG's crate also carries its support code."
        );
    }

    let _ = writeln!(out, "\n### Targets\n");
    let github = measured.iter().find(|(r, _)| r.spec.name == "api.github.com").map(|(_, m)| *m);
    let floor = github.and_then(|m| ratio(m.stages.total().as_secs_f64(), m.floor().as_secs_f64()));
    let _ = writeln!(
        out,
        "- GitHub's spec, generation at most {FLOOR_TARGET}× the floor: {} ({})",
        fmt_ratio(floor),
        verdict(floor, FLOOR_TARGET)
    );
    let rss = github.and_then(|m| ratio(m.peak_rss_kib as f64 * 1024.0, m.input_bytes as f64));
    let _ = writeln!(
        out,
        "- GitHub's spec, peak RSS under {RSS_TARGET}× the input: {} ({})",
        fmt_ratio(rss),
        verdict(rss, RSS_TARGET)
    );
    for row in &compared {
        let check = ratio(
            build_secs(row.check_ours.as_ref()).unwrap_or(f64::NAN),
            build_secs(row.check_theirs.as_ref()).unwrap_or(f64::NAN),
        );
        let _ = writeln!(
            out,
            "- {}, our `cargo check` no slower than OpenAPI Generator's: {} ({})",
            row.spec.name,
            fmt_ratio(check),
            verdict(check, 1.0)
        );
    }
    let failures: Vec<String> = rows
        .iter()
        .flat_map(|r| {
            let mut f = Vec::new();
            if let Err(e) = &r.ours {
                f.push(format!("{}: our generation failed: {e}", r.spec.name));
            }
            if let Some(Err(e)) = &r.theirs {
                f.push(format!("{}: OpenAPI Generator failed: {e}", r.spec.name));
            }
            for (who, build) in [("our", &r.check_ours), ("OG's", &r.check_theirs), ("our release", &r.release_ours)] {
                if let Some(Build::Failed(e)) = build {
                    f.push(format!("{}: {who} crate failed to build: {e}", r.spec.name));
                }
            }
            f
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n### Failures\n");
        for failure in failures {
            let _ = writeln!(out, "- {failure}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_peak_rss_from_proc_status() {
        let status =
            "Name:\txtask\nVmPeak:\t  912345 kB\nVmSize:\t  812345 kB\nVmHWM:\t   123456 kB\nVmRSS:\t  100 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(123_456));
        assert_eq!(vm_hwm_kib("Name:\txtask\n"), None);
        assert_eq!(vm_hwm_kib("VmHWM:\tlots kB\n"), None);
        // The real file of this very process has one.
        let own = fs::read_to_string("/proc/self/status").unwrap();
        assert!(vm_hwm_kib(&own).is_some_and(|kib| kib > 0));
    }

    #[test]
    fn the_child_report_round_trips() {
        let measured = Measured {
            read: Duration::from_nanos(1),
            stages: StageTimes {
                load: Duration::from_nanos(2),
                normalise: Duration::from_nanos(3),
                parse: Duration::from_nanos(4),
                lower: Duration::from_nanos(5),
                output: Duration::from_nanos(20),
                emit: Duration::from_nanos(6),
                format: Duration::from_nanos(7),
                threads: 21,
            },
            write: Duration::from_nanos(8),
            total: Duration::from_millis(9),
            peak_rss_kib: 10,
            input_bytes: 11,
            operations: 12,
            types: 13,
            lines: 14,
            runtime_lines: 15,
            floor_parse: Duration::from_secs(16),
            floor_unparse: Duration::from_nanos(17),
        };
        assert_eq!(Measured::from_report(&measured.to_report()).unwrap(), measured);
        assert!(Measured::from_report("load_ns 1\n").is_err(), "incomplete");
        assert!(Measured::from_report("bogus 1\n").is_err(), "unknown key");
        assert!(Measured::from_report("load_ns one\n").is_err(), "not a number");
    }

    #[test]
    fn formats_ratios_and_verdicts() {
        assert_eq!(fmt_ratio(ratio(3.0, 2.0)), "1.50×");
        assert_eq!(fmt_ratio(ratio(1.0, 0.0)), "n/a");
        assert_eq!(fmt_ratio(ratio(11.0, 6128.0)), "0.0018×");
        assert_eq!(fmt_ratio(ratio(5.0, 100.0)), "0.050×");
        assert_eq!(fmt_ratio(Some(0.0)), "0.00×");
        assert_eq!(fmt_ratio(ratio(f64::NAN, 2.0)), "n/a");
        assert_eq!(verdict(ratio(2.0, 1.0), 2.0), "met");
        assert_eq!(verdict(ratio(2.1, 1.0), 2.0), "NOT met");
        assert_eq!(verdict(None, 2.0), "not measured");
    }

    #[test]
    fn formats_durations_and_sizes() {
        assert_eq!(ms(Duration::from_micros(1_250)), "1.2 ms");
        assert_eq!(ms(Duration::from_millis(2_718)), "2718 ms");
        assert_eq!(seconds(Duration::from_millis(1_500)), "1.50 s");
        assert_eq!(bytes(10_001), "10 KiB");
        assert_eq!(bytes(13_001_822), "12.4 MiB");
        assert_eq!(bytes(24 * 1024 * 1024 * 1024), "24.0 GiB");
    }

    #[test]
    fn crate_names_are_prefixed_slugs() {
        let spec = Spec {
            name: "api.github.com".to_owned(),
            path: PathBuf::new(),
            check: true,
            compare: false,
            release: false,
        };
        assert_eq!((spec.ours(), spec.theirs()), ("ours-api-github-com".to_owned(), "og-api-github-com".to_owned()));
    }
}
