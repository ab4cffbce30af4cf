//! The child side of `bench`: `cargo xtask bench-one` (hidden) measures one spec's generation, or
//! its floor, in a fresh process and prints a [`Measured`] as `key value` lines; [`measure`] runs
//! the children from the parent and keeps the best of its runs.
//!
//! A process of its own per measurement makes the peak RSS (`VmHWM`) that spec's alone, and
//! starts every run on a fresh heap.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use cpu_time::{ProcessTime, ThreadTime};
use generator::{Options, StageTimes};

use super::{Spec, last_lines};
use crate::flags::{self, BenchMode};
use crate::fsutil::{list_files, write_atomic};

/// What one `bench-one` child measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measured {
    pub read: Duration,
    pub stages: StageTimes,
    pub write: Duration,
    /// From the start of reading to the end of writing, including freeing the pipeline's data.
    pub total: Duration,
    /// `VmHWM` at the end of generation, in KiB.
    pub peak_rss_kib: u64,
    pub input_bytes: u64,
    pub operations: u64,
    pub types: u64,
    /// Lines of every generated file but the verbatim runtime.
    pub lines: u64,
    pub runtime_lines: u64,
    /// `serde_json::from_str::<Value>` of the input.
    pub floor_parse: Duration,
    /// `prettyplease::unparse` of the formatted files (the runtime is copied, not formatted).
    pub floor_unparse: Duration,
    /// CPU time of the whole `generate` call, summed over its threads: its work, whatever the
    /// number of cores.
    pub cpu: Duration,
    /// CPU time of the floor's timed parts (one thread, so close to their wall time).
    pub floor_cpu: Duration,
}

impl Measured {
    pub fn floor(&self) -> Duration {
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
            ("cpu", self.cpu),
            ("floor_cpu", self.floor_cpu),
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
                "cpu_ns" => m.cpu = nanos,
                "floor_cpu_ns" => m.floor_cpu = nanos,
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
        if seen != 21 {
            bail!("incomplete report ({seen} of 21 values):\n{text}");
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
    let working = ProcessTime::now();
    let (generated, stages) =
        generator::generate_timed(text, &options).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    let cpu = working.elapsed();
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
        cpu,
        floor_cpu: Duration::ZERO,
    })
}

/// The runtime is copied verbatim, neither emitted nor formatted.
fn is_runtime(path: &str) -> bool {
    path.starts_with("src/runtime/")
}

/// The floor: work any generator of this output from this input has to do. `serde_json` parses
/// the spec; `prettyplease` prints the formatted files that generation wrote into `out` (each
/// parsed with `syn` first, untimed).
fn floor_measured(spec: &Path, out: &Path) -> Result<String> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let (parsing, working) = (Instant::now(), ThreadTime::now());
    let value: serde_json::Value = serde_json::from_str(&text).context("the floor needs a JSON spec")?;
    let (floor_parse, mut floor_cpu) = (parsing.elapsed(), working.elapsed());
    drop(value);
    let mut floor_unparse = Duration::ZERO;
    for file in list_files(out)?.iter().filter(|f| f.ends_with(".rs") && !is_runtime(f)) {
        let contents = fs::read_to_string(out.join(file)).with_context(|| format!("reading generated {file}"))?;
        let syntax = syn::parse_file(&contents).with_context(|| format!("parsing generated {file}"))?;
        let (printing, working) = (Instant::now(), ThreadTime::now());
        let printed = prettyplease::unparse(&syntax);
        floor_unparse += printing.elapsed();
        floor_cpu += working.elapsed();
        drop(printed);
    }
    Ok(format!(
        "floor_parse_ns {}\nfloor_unparse_ns {}\nfloor_cpu_ns {}\n",
        floor_parse.as_nanos(),
        floor_unparse.as_nanos(),
        floor_cpu.as_nanos()
    ))
}
/// Runs `bench-one generate` and `bench-one floor` `runs` times; keeps the fastest generation,
/// the smallest floor and the largest peak RSS.
pub fn measure(spec: &Spec, out: &Path, runs: usize) -> Result<Measured> {
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
                let (floor_parse, floor_unparse, floor_cpu) = if run.floor() < kept.floor() {
                    (run.floor_parse, run.floor_unparse, run.floor_cpu)
                } else {
                    (kept.floor_parse, kept.floor_unparse, kept.floor_cpu)
                };
                let peak_rss_kib = run.peak_rss_kib.max(kept.peak_rss_kib);
                // The CPU times go with the runs they were measured in.
                let fastest = if run.stages.total() < kept.stages.total() { run } else { kept };
                Measured { floor_parse, floor_unparse, floor_cpu, peak_rss_kib, ..fastest }
            }
        });
    }
    best.context("no run")
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
            cpu: Duration::from_nanos(18),
            floor_cpu: Duration::from_nanos(19),
        };
        assert_eq!(Measured::from_report(&measured.to_report()).unwrap(), measured);
        assert!(Measured::from_report("load_ns 1\n").is_err(), "incomplete");
        assert!(Measured::from_report("bogus 1\n").is_err(), "unknown key");
        assert!(Measured::from_report("load_ns one\n").is_err(), "not a number");
    }
}
