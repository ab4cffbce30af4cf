//! The generators `bench` compares against: OpenAPI Generator (`-g rust`), from PyPI
//! (`openapi-generator-cli`, which ships its jar), pinned and installed into the ignored venv
//! `.tools/openapi-generator`; it runs on the machine's Java.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{Spec, last_lines};
use crate::fsutil::list_files;

/// The OpenAPI Generator release compared against. Bump it on purpose, never implicitly.
pub const OPENAPI_GENERATOR_VERSION: &str = "7.26.0";

/// What OpenAPI Generator did with one spec.
pub struct Theirs {
    /// Wall time of `openapi-generator-cli generate`, JVM start included.
    pub generation: Duration,
    /// Lines of its `src/**/*.rs`.
    pub lines: u64,
}

/// Installs the pinned `openapi-generator-cli` into a venv under `.tools/` unless it is there;
/// returns its launcher.
pub fn ensure_openapi_generator(root: &Path) -> Result<PathBuf> {
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

/// Generates `spec` with OpenAPI Generator into `out` (its log goes into `dir`) and counts the
/// lines of its `src/**/*.rs`.
pub fn generate(cli: &Path, spec: &Spec, out: &Path, dir: &Path) -> Result<Theirs> {
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
