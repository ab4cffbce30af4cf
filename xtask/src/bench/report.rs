//! The tables `bench` prints and writes to `.bench/report.md`, as Markdown, and the number
//! formats they use.

use std::fmt::Write as _;
use std::time::Duration;

use super::calls::Calls;
use super::child::Measured;
use super::others::OPENAPI_GENERATOR_VERSION;
use super::{Build, Row};

/// The limits the issue sets, reported as ratios (never enforced).
const FLOOR_TARGET: f64 = 1.5;
/// `cargo check` of GitHub's and Stripe's crates against OpenAPI Generator's.
const LARGE_CHECK_TARGET: f64 = 0.5;
/// `cargo check` of GitHub's crate with one tag against the full crate.
const ONE_TAG_TARGET: f64 = 0.1;
/// A generated call against the same request written with plain reqwest.
const CALL_TARGET: f64 = 1.05;
const RSS_TARGET: f64 = 10.0;

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
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 { format!("{ms:.1} ms") } else { format!("{ms:.0} ms") }
}

pub fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// KiB below 1 MiB, else MiB (GiB from 10 GiB).
pub fn bytes(n: u64) -> String {
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
        Some(Build::Failed { after: Some(after), .. }) => format!("failed after {}", seconds(*after)),
        Some(Build::Failed { after: None, .. }) => "failed".to_owned(),
        None => "–".to_owned(),
    }
}

fn build_secs(build: Option<&Build>) -> Option<f64> {
    match build {
        Some(Build::Passed(d)) => Some(d.as_secs_f64()),
        _ => None,
    }
}

/// A spec and what its children measured (specs whose generation failed are left out).
type Measurement<'a> = (&'a Row, &'a Measured);

/// Every table, as Markdown: what `bench` prints at the end and writes to `.bench/report.md`.
pub fn report(rows: &[Row], calls: Option<&Result<Calls, String>>) -> String {
    let measured: Vec<Measurement> = rows.iter().filter_map(|r| r.ours.as_ref().ok().map(|m| (r, m))).collect();
    let compared: Vec<&Row> = rows.iter().filter(|r| r.theirs.is_some()).collect();
    let mut out = String::new();
    stages(&measured, &mut out);
    floor(&measured, &mut out);
    code(&measured, &mut out);
    compile_times(rows, &mut out);
    if !compared.is_empty() {
        openapi_generator(&compared, &mut out);
    }
    if let Some(Ok(calls)) = calls {
        let _ = writeln!(out, "\n### Call overhead: a generated call against plain reqwest\n\n{}", calls.table);
        if let Some(sizes) = &calls.future_sizes {
            let _ = writeln!(out, "\n{sizes}");
        }
    }
    targets(&measured, &compared, &mut out);
    let with_tag = rows.iter().find(|r| r.check_one_tag.is_some());
    if let Some(row) = with_tag {
        let one = one_tag_ratio(row);
        let _ = writeln!(
            out,
            "- {}, `cargo check` with only the `{}` feature at most {ONE_TAG_TARGET}× the full crate: {} ({})",
            row.spec.name,
            row.spec.one_tag.unwrap_or_default(),
            fmt_ratio(one),
            verdict(one, ONE_TAG_TARGET)
        );
    }
    match calls {
        Some(Ok(calls)) => {
            let worst = calls.ratios.iter().copied().reduce(f64::max);
            let _ = writeln!(
                out,
                "- a generated call at most {CALL_TARGET}× the same call with plain reqwest (worst row): {} ({})",
                fmt_ratio(worst),
                verdict(worst, CALL_TARGET)
            );
        }
        Some(Err(error)) => {
            let _ = writeln!(out, "- call overhead: the calls bench failed: {error}");
        }
        None => {}
    }
    failures(rows, &mut out);
    out
}

/// Generation wall time by stage, peak RSS.
fn stages(measured: &[Measurement], out: &mut String) {
    let _ = writeln!(out, "### Generation, by stage\n");
    let _ = writeln!(
        out,
        "| spec | input | read | load | normalise | parse | lower | emit + format | (emit) | (format) | write | total | peak RSS | RSS / input |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (row, m) in measured {
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
    let _ = writeln!(
        out,
        "\nFor a JSON spec, load, normalise and parse run on two threads (the paths on a helper); their \
         columns are the main thread's time, and `parse` includes waiting for the helper (so it is \
         large when the paths are most of the spec)."
    );
}

/// Generation against the floor: `serde_json` parse plus `prettyplease` print.
fn floor(measured: &[Measurement], out: &mut String) {
    let _ = writeln!(out, "\n### Against the floor\n");
    let _ = writeln!(
        out,
        "| spec | serde_json parse | prettyplease unparse | floor | generate (load→format) | generate / floor | floor: CPU | generate: CPU | CPU / floor CPU |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (row, m) in measured {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.spec.name,
            ms(m.floor_parse),
            ms(m.floor_unparse),
            ms(m.floor()),
            ms(m.stages.total()),
            fmt_ratio(ratio(m.stages.total().as_secs_f64(), m.floor().as_secs_f64())),
            ms(m.floor_cpu),
            ms(m.cpu),
            fmt_ratio(ratio(m.cpu.as_secs_f64(), m.floor_cpu.as_secs_f64())),
        );
    }
    let _ = writeln!(
        out,
        "\nThe floor runs on one thread; generation spreads its work over {} thread(s). The CPU columns \
         are the work each does, summed over threads, whatever the number of cores: with every \
         stage spread perfectly, generation's wall time would be its CPU over the cores.",
        measured.first().map_or(1, |(_, m)| m.stages.threads)
    );
}

/// Size of the generated code.
fn code(measured: &[Measurement], out: &mut String) {
    let _ = writeln!(out, "\n### Generated code\n");
    let _ = writeln!(out, "| spec | operations | types | lines | lines / operation | + runtime |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
    for (row, m) in measured {
        let per_op = ratio(m.lines as f64, m.operations as f64).map_or("n/a".to_owned(), |r| format!("{r:.0}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {per_op} | {} |",
            row.spec.name, m.operations, m.types, m.lines, m.runtime_lines
        );
    }
}

/// `cargo check` and `cargo build --release` of our crates.
fn compile_times(rows: &[Row], out: &mut String) {
    let _ = writeln!(out, "\n### Compile time of the generated crate (dependencies pre-built)\n");
    let _ =
        writeln!(out, "| spec | ours: cargo check | ours: check, one tag | one tag / full | ours: build --release |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|");
    for row in rows.iter().filter(|r| r.check_ours.is_some()) {
        let one_tag = match (row.spec.one_tag, row.check_one_tag.as_ref()) {
            (Some(tag), Some(build)) => format!("{} (`{tag}`)", build_cell(Some(build))),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {one_tag} | {} | {} |",
            row.spec.name,
            build_cell(row.check_ours.as_ref()),
            row.check_one_tag.as_ref().map_or("–".to_owned(), |_| fmt_ratio(one_tag_ratio(row))),
            build_cell(row.release_ours.as_ref())
        );
    }
}

/// `cargo check` with one tag's feature over the full crate's.
fn one_tag_ratio(row: &Row) -> Option<f64> {
    ratio(
        build_secs(row.check_one_tag.as_ref()).unwrap_or(f64::NAN),
        build_secs(row.check_ours.as_ref()).unwrap_or(f64::NAN),
    )
}

/// Ours against OpenAPI Generator's: generation, lines, compile times.
fn openapi_generator(compared: &[&Row], out: &mut String) {
    let _ = writeln!(out, "\n### Against OpenAPI Generator {OPENAPI_GENERATOR_VERSION} (`-g rust`)\n");
    let _ = writeln!(
        out,
        "| spec | ours: generate | OG: generate | ours / OG | ours: lines | OG: lines | ours: check | OG: check | ours / OG | ours: release | OG: release |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for row in compared {
        let ours = row.ours.as_ref().ok();
        let theirs = row.theirs.as_ref().and_then(|t| t.as_ref().ok());
        let generation = ratio(
            ours.map_or(f64::NAN, |m| m.total.as_secs_f64()),
            theirs.map_or(f64::NAN, |t| t.generation.as_secs_f64()),
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
            CheckRatio::text(check_ratio(row.check_ours.as_ref(), row.check_theirs.as_ref())),
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

/// Our `cargo check` time over OpenAPI Generator's, when ours passed.
///
/// When OG's crate does not compile, its time to the failure stands in, as an upper bound on the
/// ratio: rustc reports its errors only after resolving and type-checking every item, and it
/// skips the lints that a check which passes would still run, so a fixed crate would take longer.
fn check_ratio(ours: Option<&Build>, theirs: Option<&Build>) -> Option<CheckRatio> {
    let ours = build_secs(ours)?;
    let (theirs, bound) = match theirs? {
        Build::Passed(time) => (time.as_secs_f64(), false),
        Build::Failed { after: Some(after), .. } => (after.as_secs_f64(), true),
        Build::Failed { after: None, .. } => return None,
    };
    ratio(ours, theirs).map(|value| CheckRatio { value, bound })
}

/// Our `cargo check` over OG's: the ratio itself, or an upper bound on it (see [`check_ratio`]).
#[derive(Clone, Copy, Debug, PartialEq)]
struct CheckRatio {
    value: f64,
    bound: bool,
}

impl CheckRatio {
    fn text(ratio: Option<CheckRatio>) -> String {
        match ratio {
            Some(CheckRatio { value, bound: true }) => format!("≤ {}", fmt_ratio(Some(value))),
            other => fmt_ratio(other.map(|r| r.value)),
        }
    }
}

/// The goals, each with its figure and whether it is met.
fn targets(measured: &[Measurement], compared: &[&Row], out: &mut String) {
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
    for row in compared {
        let check = check_ratio(row.check_ours.as_ref(), row.check_theirs.as_ref());
        let (goal, words) = if matches!(row.spec.name.as_str(), "api.github.com" | "stripe.com") {
            (LARGE_CHECK_TARGET, format!("at most {LARGE_CHECK_TARGET}×"))
        } else {
            (1.0, "no slower than".to_owned())
        };
        let bound = if check.is_some_and(|c| c.bound) {
            ", an upper bound: OG's crate does not compile, so its time to the failure stands in"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "- {}, our `cargo check` {words} OpenAPI Generator's: {} ({}{bound})",
            row.spec.name,
            CheckRatio::text(check),
            verdict(check.map(|c| c.value), goal)
        );
    }
}

/// Every generation or build that failed, if any.
fn failures(rows: &[Row], out: &mut String) {
    let mut failures = Vec::new();
    for r in rows {
        if let Err(e) = &r.ours {
            failures.push(format!("{}: our generation failed: {e}", r.spec.name));
        }
        if let Some(Err(e)) = &r.theirs {
            failures.push(format!("{}: OpenAPI Generator failed: {e}", r.spec.name));
        }
        for (who, build) in [
            ("our", &r.check_ours),
            ("our one-tag", &r.check_one_tag),
            ("OG's", &r.check_theirs),
            ("our release", &r.release_ours),
        ] {
            if let Some(Build::Failed { error, .. }) = build {
                failures.push(format!("{}: {who} crate failed to build: {error}", r.spec.name));
            }
        }
    }
    if !failures.is_empty() {
        let _ = writeln!(out, "\n### Failures\n");
        for failure in failures {
            let _ = writeln!(out, "- {failure}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// OG's crate that fails to compile gives an upper bound on the ratio, from its time to the
    /// failure; a failure before rustc ran (its dependencies) gives nothing.
    #[test]
    fn a_crate_that_fails_to_compile_bounds_the_check_ratio() {
        let passed = |secs| Build::Passed(Duration::from_secs(secs));
        let failed =
            |after: Option<u64>| Build::Failed { error: "E0415".to_owned(), after: after.map(Duration::from_secs) };
        let exact = check_ratio(Some(&passed(23)), Some(&passed(46)));
        assert_eq!(exact, Some(CheckRatio { value: 0.5, bound: false }));
        assert_eq!(CheckRatio::text(exact), "0.50×");
        let bound = check_ratio(Some(&passed(23)), Some(&failed(Some(230))));
        assert_eq!(bound, Some(CheckRatio { value: 0.1, bound: true }));
        assert_eq!(CheckRatio::text(bound), "≤ 0.10×");
        assert_eq!(check_ratio(Some(&passed(23)), Some(&failed(None))), None);
        assert_eq!(check_ratio(Some(&failed(Some(5))), Some(&passed(46))), None);
        assert_eq!(CheckRatio::text(None), "n/a");
        assert_eq!(build_cell(Some(&failed(Some(230)))), "failed after 230.00 s");
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
}
