//! `fuzz`: the cargo-fuzz targets in `fuzz/` (load → normalise → parse → lower → emit → format
//! on arbitrary input) for a bounded time, then a summary.
//!
//! cargo-fuzz is installed at a pinned version into the ignored `.tools/cargo-fuzz/`. It runs
//! on the stable toolchain with `--sanitizer none`: every other flag it passes is a stable `-C`
//! flag, and the generator is safe Rust, so AddressSanitizer (which needs nightly) would find
//! nothing a panic does not. Seeds are copied from `tests/fixtures/` and `spec/**/openapi.json`
//! into `fuzz/seeds/` on every run; what libFuzzer finds goes to `fuzz/corpus/<target>/`, crash
//! inputs to `fuzz/artifacts/<target>/` and the full output to `fuzz/logs/<target>.log`, all
//! ignored by git.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::flags;
use crate::fsutil::list_files;

/// The cargo-fuzz release the fuzz targets are run with. Bump it on purpose, never implicitly.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The fuzz targets of `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &["generate", "generate_json"];

/// Longest one input may take before libFuzzer reports it as a hang.
const INPUT_TIMEOUT_SECONDS: u64 = 30;

/// Options of `cargo xtask fuzz`.
#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    /// Fuzzing time in all, shared evenly by the targets.
    pub seconds: u64,
    /// Which targets to run, in order.
    pub targets: Vec<&'static str>,
}

impl Args {
    /// The options its flags ask for: every target unless `--target` names one.
    pub fn new(flags: &flags::Fuzz) -> Args {
        let targets = flags.target.map_or_else(|| TARGETS.to_vec(), |target| vec![target.0]);
        Args { seconds: flags.seconds.get(), targets }
    }

    /// Seconds for each target: the total split evenly, at least one each.
    fn seconds_per_target(&self) -> u64 {
        (self.seconds / self.targets.len().max(1) as u64).max(1)
    }
}

/// `cargo xtask fuzz`.
pub fn fuzz(root: &Path, args: &Args) -> Result<ExitCode> {
    let cargo_fuzz = ensure_cargo_fuzz(root)?;
    let fuzz_dir = root.join("fuzz");
    let seeds = copy_seeds(root, &fuzz_dir.join("seeds"))?;
    println!("seeded fuzz/seeds/ with {seeds} files from tests/fixtures/ and spec/");

    // Without a target name, `build` builds every target (they share all their dependencies).
    let started = Instant::now();
    let status = fuzz_command(&cargo_fuzz, root)
        .args(["build", "--sanitizer", "none"])
        .status()
        .context("running cargo-fuzz build")?;
    if !status.success() {
        bail!("cargo fuzz build failed ({status})");
    }
    println!("fuzz targets built in {:.1?}", started.elapsed());

    let mut reports = Vec::new();
    for target in &args.targets {
        reports.push(run_target(&cargo_fuzz, root, target, args.seconds_per_target())?);
    }

    println!("\nfuzz summary ({} s per target, cargo-fuzz {CARGO_FUZZ_VERSION}):", args.seconds_per_target());
    for report in &reports {
        println!("  {}", report.summary_line());
        let tool = cargo_fuzz.strip_prefix(root).unwrap_or(&cargo_fuzz).display();
        for artifact in &report.stats.artifacts {
            println!("    crash input: {artifact}");
            println!("    replay:      {tool} run --sanitizer none {} {artifact}", report.target);
            println!("    minimise:    {tool} tmin --sanitizer none {} {artifact}", report.target);
        }
        println!("    log: {}", report.log.strip_prefix(root).unwrap_or(&report.log).display());
    }
    Ok(if reports.iter().all(|r| r.success) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The outcome of fuzzing one target.
struct Report {
    target: &'static str,
    success: bool,
    stats: Stats,
    /// Inputs libFuzzer has saved in `fuzz/corpus/<target>/` (seeds not counted).
    corpus_files: usize,
    log: PathBuf,
}

impl Report {
    fn summary_line(&self) -> String {
        let number = |n: Option<u64>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let outcome = match (self.success, self.stats.artifacts.is_empty()) {
            (true, _) => "no crash".to_owned(),
            (false, false) => format!("CRASH ({} input(s) saved)", self.stats.artifacts.len()),
            (false, true) => "FAILED (see the log)".to_owned(),
        };
        format!(
            "{}: {} runs, {} exec/s, corpus {} units ({}), {} files in fuzz/corpus/{}/: {outcome}",
            self.target,
            number(self.stats.runs),
            number(self.stats.exec_per_sec),
            number(self.stats.corpus_units),
            self.stats.corpus_size.as_deref().unwrap_or("?"),
            self.corpus_files,
            self.target,
        )
    }
}

/// `cargo-fuzz` run from the workspace root, where it finds `fuzz/`.
fn fuzz_command(cargo_fuzz: &Path, root: &Path) -> Command {
    let mut command = Command::new(cargo_fuzz);
    command.current_dir(root).arg("fuzz");
    command
}

/// Fuzzes one target for `seconds`, echoing libFuzzer's output (less its line per new input)
/// and keeping all of it in `fuzz/logs/<target>.log`.
fn run_target(cargo_fuzz: &Path, root: &Path, target: &'static str, seconds: u64) -> Result<Report> {
    let corpus = root.join("fuzz").join("corpus").join(target);
    fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let logs = root.join("fuzz").join("logs");
    fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let log_path = logs.join(format!("{target}.log"));
    let mut log = File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;

    println!("\nfuzzing {target} for {seconds} s");
    let (reader, writer) = std::io::pipe().context("creating a pipe")?;
    let mut command = fuzz_command(cargo_fuzz, root);
    command
        .args(["run", "--sanitizer", "none", target])
        .arg(format!("fuzz/corpus/{target}"))
        .arg("fuzz/seeds")
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
        .arg("-print_final_stats=1")
        // A panic's message and backtrace are the report.
        .env("RUST_BACKTRACE", std::env::var_os("RUST_BACKTRACE").unwrap_or_else(|| "1".into()))
        .stdin(Stdio::null())
        .stdout(writer.try_clone().context("duplicating a pipe")?)
        .stderr(writer);
    let mut child = command.spawn().with_context(|| format!("starting {}", cargo_fuzz.display()))?;
    // The command holds the pipe's write ends: drop it, or reading never sees the end.
    drop(command);

    let mut output = String::new();
    let mut echo = Echo::default();
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).context("reading cargo-fuzz output")? > 0 {
        let text = String::from_utf8_lossy(&line);
        log.write_all(text.as_bytes()).with_context(|| format!("writing {}", log_path.display()))?;
        if echo.shows(&text) {
            print!("{text}");
        }
        output.push_str(&text);
        line.clear();
    }
    let status = child.wait().context("waiting for cargo-fuzz")?;
    let corpus_files = list_files(&corpus)?.len();
    Ok(Report { target, success: status.success(), stats: Stats::parse(&output), corpus_files, log: log_path })
}

/// Which lines of libFuzzer's output reach the terminal; the log keeps them all.
#[derive(Default)]
struct Echo {
    /// Inside the `Recommended dictionary` libFuzzer prints at the end: a hundred lines of tokens.
    in_dictionary: bool,
}

impl Echo {
    fn shows(&mut self, line: &str) -> bool {
        if line.starts_with("###### Recommended dictionary.") {
            self.in_dictionary = true;
        } else if line.starts_with("###### End of recommended dictionary.") {
            self.in_dictionary = false;
            return false;
        }
        !self.in_dictionary && !is_new_input_line(line)
    }
}

/// libFuzzer's line for each input that adds coverage (`#123\tNEW ...`, `#456\tREDUCE ...`,
/// then `\tNEW_FUNC[1/2]: 0x...` for each function it reached first): hundreds per minute.
fn is_new_input_line(line: &str) -> bool {
    if line.trim_start().starts_with("NEW_FUNC") {
        return true;
    }
    let Some(rest) = line.strip_prefix('#') else { return false };
    let event = rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
    event.starts_with("NEW") || event.starts_with("REDUCE")
}

/// What a libFuzzer run reported.
#[derive(Debug, Default, PartialEq, Eq)]
struct Stats {
    /// Inputs executed.
    runs: Option<u64>,
    /// Average executions per second.
    exec_per_sec: Option<u64>,
    /// Inputs in libFuzzer's in-memory corpus at its last status line (seeds included).
    corpus_units: Option<u64>,
    /// Their total size, as libFuzzer prints it (`123Kb`).
    corpus_size: Option<String>,
    /// Files libFuzzer saved for failing inputs (crash, timeout, out of memory).
    artifacts: Vec<String>,
}

impl Stats {
    /// Reads libFuzzer's status lines (`#N ... corp: U/SIZE ...`), its final statistics
    /// (`-print_final_stats=1`) and its `Test unit written to PATH` lines.
    fn parse(output: &str) -> Stats {
        let mut stats = Stats::default();
        for line in output.lines() {
            let line = line.trim();
            if let Some(value) = line.strip_prefix("stat::number_of_executed_units:") {
                stats.runs = value.trim().parse().ok();
            } else if let Some(value) = line.strip_prefix("stat::average_exec_per_sec:") {
                stats.exec_per_sec = value.trim().parse().ok();
            } else if let Some(rest) = line.strip_prefix("Done ") {
                // `Done 12345 runs in 60 second(s)`: only when the final statistics are missing.
                if stats.runs.is_none() {
                    stats.runs = rest.split_whitespace().next().and_then(|n| n.parse().ok());
                }
            } else if let Some((_, path)) = line.split_once("Test unit written to ") {
                stats.artifacts.push(path.trim().to_owned());
            }
            if line.starts_with('#')
                && let Some((_, rest)) = line.split_once("corp: ")
                && let Some((units, size)) = rest.split_whitespace().next().and_then(|c| c.split_once('/'))
            {
                stats.corpus_units = units.parse().ok();
                stats.corpus_size = Some(size.to_owned());
            }
        }
        stats
    }
}

/// Copies the seed specs into `seeds`, emptied first so a removed fixture does not linger:
/// every file below `tests/fixtures/` and every `openapi.json` below `spec/`. Names keep the
/// source path (`tests__fixtures__enums.yaml`). Returns how many were copied.
fn copy_seeds(root: &Path, seeds: &Path) -> Result<usize> {
    if seeds.exists() {
        fs::remove_dir_all(seeds).with_context(|| format!("emptying {}", seeds.display()))?;
    }
    fs::create_dir_all(seeds).with_context(|| format!("creating {}", seeds.display()))?;
    let mut sources = Vec::new();
    for file in list_files(&root.join("tests").join("fixtures"))? {
        sources.push(format!("tests/fixtures/{file}"));
    }
    for file in list_files(&root.join("spec"))? {
        if file == "openapi.json" || file.ends_with("/openapi.json") {
            sources.push(format!("spec/{file}"));
        }
    }
    for source in &sources {
        let to = seeds.join(seed_name(source));
        fs::copy(root.join(source), &to).with_context(|| format!("copying {source} to {}", to.display()))?;
    }
    Ok(sources.len())
}

/// A seed's file name: its repo-relative path with `/` as `__`.
fn seed_name(source: &str) -> String {
    source.replace('/', "__")
}

/// The `cargo-fuzz` executable, installed into `.tools/cargo-fuzz/` first unless the pinned
/// version is already there.
fn ensure_cargo_fuzz(root: &Path) -> Result<PathBuf> {
    let prefix = root.join(".tools").join("cargo-fuzz");
    let bin = prefix.join("bin").join(format!("cargo-fuzz{}", std::env::consts::EXE_SUFFIX));
    let installed = || {
        let output = Command::new(&bin).arg("--version").output().ok()?;
        parse_version(&String::from_utf8_lossy(&output.stdout))
    };
    if installed().as_deref() != Some(CARGO_FUZZ_VERSION) {
        println!("installing cargo-fuzz {CARGO_FUZZ_VERSION} into {}", prefix.display());
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root)
            .args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ_VERSION, "--root"])
            .arg(&prefix)
            .status()
            .context("running cargo install")?;
        if !status.success() {
            bail!("cargo install cargo-fuzz {CARGO_FUZZ_VERSION} failed ({status})");
        }
        if let Some(other) = installed().filter(|v| v != CARGO_FUZZ_VERSION) {
            bail!("installed cargo-fuzz reports version {other}, expected {CARGO_FUZZ_VERSION}");
        }
    }
    if !bin.is_file() {
        bail!("cargo install did not produce {}", bin.display());
    }
    Ok(bin)
}

/// The version in `cargo-fuzz --version` output (`cargo-fuzz 0.13.2`).
fn parse_version(output: &str) -> Option<String> {
    let version = output.trim().strip_prefix("cargo-fuzz ")?;
    Some(version.split_whitespace().next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Args {
        let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        let Ok(flags::Command::Fuzz(fuzz)) = flags::parse(&words) else { panic!("{line} does not parse") };
        Args::new(&fuzz)
    }

    #[test]
    fn takes_its_arguments_from_the_flags() {
        assert_eq!(args("fuzz"), Args { seconds: 60, targets: vec!["generate", "generate_json"] });
        assert_eq!(args("fuzz --seconds 300").seconds, 300);
        let one = args("fuzz --target generate_json --seconds 5");
        assert_eq!(one, Args { seconds: 5, targets: vec!["generate_json"] });
        assert_eq!(one.seconds_per_target(), 5);
        assert_eq!(args("fuzz --seconds 61").seconds_per_target(), 30);
        assert_eq!(args("fuzz --seconds 1").seconds_per_target(), 1);
    }

    #[test]
    fn reads_a_clean_run() {
        let output = "\
INFO: Seed: 1234
INFO: seed corpus: files: 14 min: 82b max: 13761b total: 37110b rss: 40Mb
#15\tINITED cov: 4120 ft: 9000 corp: 14/36Kb exec/s: 0 rss: 52Mb
#16\tNEW    cov: 4121 ft: 9001 corp: 15/37Kb lim: 13761 exec/s: 0 rss: 52Mb L: 300/300 MS: 1 ChangeBit-
#4096\tpulse  cov: 4300 ft: 9500 corp: 120/80Kb lim: 13761 exec/s: 2048 rss: 90Mb
#9000\tDONE   cov: 4400 ft: 9800 corp: 151/99Kb lim: 13761 exec/s: 150 rss: 95Mb
Done 9000 runs in 61 second(s)
stat::number_of_executed_units: 9000
stat::average_exec_per_sec:     147
stat::new_units_added:          137
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              95
";
        let stats = Stats::parse(output);
        assert_eq!(
            stats,
            Stats {
                runs: Some(9000),
                exec_per_sec: Some(147),
                corpus_units: Some(151),
                corpus_size: Some("99Kb".to_owned()),
                artifacts: vec![],
            }
        );
    }

    #[test]
    fn reads_a_crash() {
        let output = "\
#700\tNEW    cov: 10 ft: 10 corp: 20/2Kb lim: 100 exec/s: 0 rss: 40Mb L: 5/5 MS: 1 ChangeBit-
thread '<unnamed>' panicked at generator/src/lower.rs:10:5:
index out of bounds
==123== ERROR: libFuzzer: deadly signal
MS: 1 ChangeBit-; base unit: 0000
artifact_prefix='/w/fuzz/artifacts/generate/'; Test unit written to /w/fuzz/artifacts/generate/crash-abc
Base64: e30=
stat::number_of_executed_units: 701
stat::average_exec_per_sec:     0
";
        let stats = Stats::parse(output);
        assert_eq!(stats.runs, Some(701));
        assert_eq!(stats.corpus_units, Some(20));
        assert_eq!(stats.artifacts, ["/w/fuzz/artifacts/generate/crash-abc"]);
    }

    #[test]
    fn falls_back_to_the_done_line() {
        assert_eq!(Stats::parse("Done 42 runs in 3 second(s)\n").runs, Some(42));
    }

    #[test]
    fn hides_new_input_lines_and_the_dictionary() {
        let mut echo = Echo::default();
        let shown: Vec<&str> = [
            "#15\tINITED cov: 1 corp: 2/3b\n",
            "#16\tNEW    cov: 1 corp: 2/3b\n",
            "#17\tREDUCE cov: 1 corp: 2/3b\n",
            "\tNEW_FUNC[1/2]: 0x56537f3960c1 in generator::lower::lower\n",
            "#4096\tpulse  cov: 1 corp: 2/3b\n",
            "###### Recommended dictionary. ######\n",
            "\"$ref\" # Uses: 9\n",
            "###### End of recommended dictionary. ######\n",
            "#9000\tDONE   cov: 1 corp: 2/3b\n",
            "==1== ERROR: libFuzzer: deadly signal\n",
        ]
        .into_iter()
        .filter(|line| echo.shows(line))
        .collect();
        assert_eq!(
            shown,
            [
                "#15\tINITED cov: 1 corp: 2/3b\n",
                "#4096\tpulse  cov: 1 corp: 2/3b\n",
                "#9000\tDONE   cov: 1 corp: 2/3b\n",
                "==1== ERROR: libFuzzer: deadly signal\n",
            ]
        );
    }

    #[test]
    fn reads_the_cargo_fuzz_version() {
        assert_eq!(parse_version("cargo-fuzz 0.13.2\n").as_deref(), Some("0.13.2"));
        assert_eq!(parse_version("cargo-fuzz 0.13.2 (abc 2025-01-01)").as_deref(), Some("0.13.2"));
        assert_eq!(parse_version("cargo 1.95.0").as_deref(), None);
    }

    #[test]
    fn seed_names_keep_the_source_path() {
        assert_eq!(seed_name("tests/fixtures/errors/swagger2.json"), "tests__fixtures__errors__swagger2.json");
    }
}
