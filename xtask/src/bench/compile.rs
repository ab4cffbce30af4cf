//! Compile times of the generated crates: `cargo check` (and, for Truedy, `cargo build
//! --release`) of ours and OpenAPI Generator's, in one throwaway workspace under `.bench/crates`
//! with its own target dir. Each crate's code-less twin builds its dependencies first, untimed.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::report::seconds;
use super::{Build, Row, last_lines};
use crate::scratch::{self, cargo, twin_manifest};

/// Writes the bench workspace and times `cargo check` of every crate (and `cargo build --release`
/// where asked), each after building its twin.
pub fn check_all(root: &Path, crates: &Path, target: &Path, rows: &mut [Row], runs: usize) -> Result<()> {
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
            row.check_ours = Some(timed_cargo(crates, target, &row.spec.ours(), Mode::Check(None), runs)?);
            print_build(&row.spec.ours(), "check", row.check_ours.as_ref());
            if let Some(tag) = row.spec.one_tag {
                row.check_one_tag = Some(timed_cargo(crates, target, &row.spec.ours(), Mode::Check(Some(tag)), runs)?);
                print_build(&row.spec.ours(), &format!("check ({tag} only)"), row.check_one_tag.as_ref());
            }
        }
        if matches!(row.theirs, Some(Ok(_))) {
            row.check_theirs = Some(timed_cargo(crates, target, &row.spec.theirs(), Mode::Check(None), runs)?);
            print_build(&row.spec.theirs(), "check", row.check_theirs.as_ref());
        }
        if row.spec.release && row.ours.is_ok() {
            row.release_ours = Some(timed_cargo(crates, target, &row.spec.ours(), Mode::Release, runs)?);
            print_build(&row.spec.ours(), "build --release", row.release_ours.as_ref());
            if matches!(row.theirs, Some(Ok(_))) {
                row.release_theirs = Some(timed_cargo(crates, target, &row.spec.theirs(), Mode::Release, runs)?);
                print_build(&row.spec.theirs(), "build --release", row.release_theirs.as_ref());
            }
        }
    }
    Ok(())
}

fn print_build(name: &str, what: &str, build: Option<&Build>) {
    match build {
        Some(Build::Passed(time)) => println!("  cargo {what:<15} {name:<26} {}", seconds(*time)),
        Some(Build::Failed { error, after }) => {
            let after = after.map(|after| format!(" after {}", seconds(after))).unwrap_or_default();
            println!("  cargo {what:<15} {name:<26} FAILED{after}: {error}")
        }
        None => {}
    }
}

/// Timed builds of one crate are repeated while they take less than this in all (up to `runs`).
const REPEAT_BUDGET: Duration = Duration::from_secs(30);

/// What a timed build does.
#[derive(Clone, Copy)]
enum Mode {
    /// `cargo check`, with the default features or with only this one.
    Check(Option<&'static str>),
    /// `cargo build --release`.
    Release,
}

/// Builds `package`'s twin (untimed), then `package` itself (timed, from scratch), up to `runs`
/// times within [`REPEAT_BUDGET`]; the fastest counts.
fn timed_cargo(crates: &Path, target: &Path, package: &str, mode: Mode, runs: usize) -> Result<Build> {
    let run = |package: &str, feature: Option<&str>| {
        let mut command = Command::new(cargo());
        command
            .current_dir(crates)
            .env("CARGO_TARGET_DIR", target)
            // A timed build starts from nothing: no incremental state from an earlier run.
            .env("CARGO_INCREMENTAL", "0")
            .arg(if matches!(mode, Mode::Release) { "build" } else { "check" })
            .args(["--quiet", "--message-format=short", "--package", package]);
        if matches!(mode, Mode::Release) {
            command.arg("--release");
        }
        if let Some(feature) = feature {
            command.args(["--no-default-features", "--features", feature]);
        }
        command.output().context("running cargo")
    };
    let feature = match mode {
        Mode::Check(feature) => feature,
        Mode::Release => None,
    };
    let twin = run(&format!("{package}-deps"), None)?;
    if !twin.status.success() {
        let error = format!("its dependencies failed to build: {}", last_lines(&twin.stderr, 3));
        return Ok(Build::Failed { error, after: None });
    }
    let lib = crates.join(package).join("src").join("lib.rs");
    let mut fastest: Option<Duration> = None;
    let mut spent = Duration::ZERO;
    for _ in 0..runs {
        // Make cargo see the crate as changed even when an earlier run built the same bytes.
        let text = fs::read(&lib).with_context(|| format!("reading {}", lib.display()))?;
        fs::write(&lib, text).with_context(|| format!("writing {}", lib.display()))?;
        let started = Instant::now();
        let output = run(package, feature)?;
        let elapsed = started.elapsed();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let error = stderr.lines().find(|l| l.contains("error")).unwrap_or("failed").to_owned();
            return Ok(Build::Failed { error, after: Some(elapsed) });
        }
        fastest = Some(fastest.map_or(elapsed, |f| f.min(elapsed)));
        spent += elapsed;
        if spent >= REPEAT_BUDGET {
            break;
        }
    }
    Ok(fastest.map_or_else(|| Build::Failed { error: "not run".to_owned(), after: None }, Build::Passed))
}
