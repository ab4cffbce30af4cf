//! `conformance`: clients generated from the specs real frameworks write, driven against those
//! frameworks' live servers on 127.0.0.1.
//!
//! Two apps live in `tests/conformance/`: a FastAPI app (`fastapi/app.py`, its PyPI packages
//! pinned in `fastapi/requirements.txt`) and a Fastify app (`fastify/app.js`, written with
//! `@fastify/swagger`; its npm packages are pinned in [`FASTIFY_PACKAGES`]). The command
//! 1. installs the Python packages into a venv under `.tools/conformance/` (or, where `venv` is
//!    missing, with `pip install --target`) and the npm packages beside it, unless the pinned
//!    versions are there already;
//! 2. exports each app's spec as the framework writes it (`app.openapi()`; `app.swagger()` after
//!    `ready()`), generates a client crate from it, and puts the client test of the app
//!    (`tests/conformance/<app>_client.rs`) into that crate as `tests/conformance.rs`;
//! 3. builds both crates' tests with one offline `cargo test --no-run` in a scratch workspace
//!    (`<target>/conformance`, the workspace's `Cargo.lock` and target folder, as the standalone
//!    compile test does, so dependencies are built once for all of them);
//! 4. starts both servers on free loopback ports and runs the tests, which read the servers'
//!    URLs from `FASTAPI_URL` and `FASTIFY_URL`. The servers are killed when their guards drop:
//!    on success, on error and on panic.

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use generator::Options;

use crate::codegen::generate_reporting;
use crate::contract::{free_port, log_tail};
use crate::fsutil::write_atomic;
use crate::npm::{self, Package};
use crate::scratch::{cargo, write_workspace};

/// The Fastify app's npm packages. Bump them on purpose, never implicitly.
pub const FASTIFY_PACKAGES: &[Package] = &[
    Package { name: "fastify", version: "5.12.8" },
    Package { name: "@fastify/swagger", version: "9.9.3" },
    Package { name: "@fastify/multipart", version: "10.1.9" },
    Package { name: "@fastify/formbody", version: "9.0.1" },
];

/// How long a server may take to accept connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The interpreter a conformance app runs on.
#[derive(Debug)]
struct Runtime {
    program: PathBuf,
    /// Where the app's packages are (`PYTHONPATH`, `NODE_PATH`), when the interpreter does not
    /// know by itself.
    path_var: Option<(&'static str, PathBuf)>,
}

impl Runtime {
    /// A command running `script` with `args`, from the workspace root.
    fn command(&self, root: &Path, script: &str, args: &[&str]) -> Command {
        let mut command = Command::new(&self.program);
        command.current_dir(root).arg(root.join(script)).args(args).stdin(Stdio::null());
        if let Some((var, path)) = &self.path_var {
            command.env(var, path);
        }
        command
    }
}

/// One conformance app.
struct App {
    /// Short name: the crate is `<name>-conformance`, its URL variable `<NAME>_URL`.
    name: &'static str,
    /// The app, relative to the workspace root: `<script> spec` prints its OpenAPI document,
    /// `<script> serve PORT` serves it.
    script: &'static str,
    /// The client test, relative to the workspace root.
    tests: &'static str,
    runtime: Runtime,
}

impl App {
    fn crate_name(&self) -> String {
        format!("{}-conformance", self.name)
    }

    fn env_var(&self) -> String {
        format!("{}_URL", self.name.to_ascii_uppercase())
    }
}

/// `cargo xtask conformance`.
pub fn conformance(root: &Path) -> Result<ExitCode> {
    let started = Instant::now();
    let tools = root.join(".tools").join("conformance");
    let apps = [
        App {
            name: "fastapi",
            script: "tests/conformance/fastapi/app.py",
            tests: "tests/conformance/fastapi_client.rs",
            runtime: ensure_python(root, &tools)?,
        },
        App {
            name: "fastify",
            script: "tests/conformance/fastify/app.js",
            tests: "tests/conformance/fastify_client.rs",
            runtime: ensure_node(root, &tools)?,
        },
    ];
    let installed = started.elapsed();

    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let scratch = target.join("conformance");
    let _ = fs::remove_dir_all(scratch.join("crates"));
    let mut members = Vec::new();
    for app in &apps {
        members.push(write_app_crate(root, &scratch, app)?);
    }
    write_workspace(root, &scratch, &members)?;
    // The workspace's target folder, as the standalone compile test uses: same lock file, so the
    // same dependency builds.
    let build = cargo_in(&scratch, &target).args(["test", "--offline", "--workspace", "--no-run"]).status();
    if !build.context("running cargo")?.success() {
        bail!("the conformance crates failed to build (see above)");
    }
    let built = started.elapsed();

    let logs = scratch.join("logs");
    fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    // Every server is killed when `servers` is dropped: on success, on error and on panic.
    let mut servers = Vec::new();
    for app in &apps {
        servers.push(start(root, app, &logs)?);
    }
    let mut test = cargo_in(&scratch, &target);
    test.args(["test", "--offline", "--workspace"]);
    for server in &servers {
        test.env(&server.env_var, server.url());
        println!("{} = {} (log: {})", server.env_var, server.url(), server.log.display());
    }
    let status = test.status().context("running cargo test")?;
    let logs: Vec<String> = servers.iter().map(|server| log_tail(&server.log)).collect();
    drop(servers);

    let timing = format!(
        "{:.1?} (install/check {:.1?}, specs and build {:.1?}, tests {:.1?})",
        started.elapsed(),
        installed,
        built - installed,
        started.elapsed() - built
    );
    if status.success() {
        println!("conformance: FastAPI and Fastify passed in {timing}");
        Ok(ExitCode::SUCCESS)
    } else {
        for log in logs {
            eprintln!("{log}");
        }
        eprintln!("error: conformance tests failed ({status}) after {timing}");
        Ok(ExitCode::FAILURE)
    }
}

/// Exports the app's spec, generates its client crate into `<scratch>/crates/<crate>` with the
/// app's client test, and returns the crate's path relative to `scratch`.
fn write_app_crate(root: &Path, scratch: &Path, app: &App) -> Result<String> {
    let output = app
        .runtime
        .command(root, app.script, &["spec"])
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", app.runtime.program.display()))?;
    if !output.status.success() {
        bail!("{} spec failed ({})", app.script, output.status);
    }
    let spec = String::from_utf8(output.stdout).with_context(|| format!("{} spec printed non-UTF-8", app.script))?;
    let spec_file = format!("{}.openapi.json", app.name);
    write_atomic(&scratch.join(&spec_file), &spec)?;

    let crate_name = app.crate_name();
    let options =
        Options { spec_path: spec_file, crate_name: crate_name.clone(), command: "cargo xtask conformance".to_owned() };
    // The spec is one file, written by the framework: no other file may be read.
    let generated = generate_reporting(spec, &options, scratch, "")?;
    println!("{crate_name}: {} operations, {} warnings", generated.operations, generated.warnings.len());
    let dir = scratch.join("crates").join(&crate_name);
    for file in &generated.files {
        let contents =
            if file.path == "Cargo.toml" { with_test_dependencies(&file.contents) } else { file.contents.clone() };
        write_atomic(&dir.join(&file.path), &contents)?;
    }
    let tests = fs::read_to_string(root.join(app.tests)).with_context(|| format!("reading {}", app.tests))?;
    write_atomic(&dir.join("tests").join("conformance.rs"), &tests)?;
    Ok(format!("crates/{crate_name}"))
}

/// The generated manifest with what the client tests use (all in the workspace's `Cargo.lock`).
fn with_test_dependencies(manifest: &str) -> String {
    format!(
        "{manifest}\n[dev-dependencies]\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
    )
}

/// `cargo` in the scratch workspace, building into `target`.
fn cargo_in(scratch: &Path, target: &Path) -> Command {
    let mut command = Command::new(cargo());
    command.current_dir(scratch).env("CARGO_TARGET_DIR", target).env_remove("RUSTFLAGS");
    command
}

/// Python with the FastAPI app's pinned packages: a venv under `tools`, or where `venv` is
/// missing, the system's `python3` with the packages installed by `pip install --target`.
fn ensure_python(root: &Path, tools: &Path) -> Result<Runtime> {
    let requirements = root.join("tests/conformance/fastapi/requirements.txt");
    let wanted = fs::read_to_string(&requirements).with_context(|| format!("reading {}", requirements.display()))?;
    let venv = tools.join("venv");
    let venv_python = venv.join("bin").join("python");
    let site = tools.join("site");
    let (runtime, stamp_dir) = if venv_python.is_file() {
        (Runtime { program: venv_python, path_var: None }, venv)
    } else if site.is_dir() {
        (Runtime { program: "python3".into(), path_var: Some(("PYTHONPATH", site.clone())) }, site)
    } else {
        fs::create_dir_all(tools).with_context(|| format!("creating {}", tools.display()))?;
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
        if made.as_ref().is_ok_and(|status| status.success()) {
            (Runtime { program: venv_python, path_var: None }, venv)
        } else {
            println!("python3 -m venv is not available; installing with pip --target");
            let _ = fs::remove_dir_all(&venv);
            fs::create_dir_all(&site).with_context(|| format!("creating {}", site.display()))?;
            (Runtime { program: "python3".into(), path_var: Some(("PYTHONPATH", site.clone())) }, site)
        }
    };
    // The requirements the folder was last installed from: the same text means nothing to do.
    let stamp = stamp_dir.join("conformance-requirements.txt");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(runtime);
    }
    println!("installing {} into {}", requirements.display(), stamp_dir.display());
    let mut pip = Command::new(&runtime.program);
    pip.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"]).arg(&requirements);
    if let Some((_, site)) = &runtime.path_var {
        pip.arg("--target").arg(site).arg("--upgrade");
    }
    let status = pip.status().context("running pip (python3 must be on PATH)")?;
    if !status.success() {
        bail!("pip install -r {} failed ({status})", requirements.display());
    }
    write_atomic(&stamp, &wanted)?;
    Ok(runtime)
}

/// Node with the Fastify app's pinned packages, installed under `tools`.
fn ensure_node(root: &Path, tools: &Path) -> Result<Runtime> {
    let prefix = tools.join("node");
    npm::ensure(root, &prefix, FASTIFY_PACKAGES)?;
    Ok(Runtime { program: "node".into(), path_var: Some(("NODE_PATH", prefix.join("node_modules"))) })
}

/// A running app. Dropping it kills and reaps the process.
struct LiveServer {
    child: Child,
    port: u16,
    /// `<NAME>_URL`.
    env_var: String,
    /// The server's stdout and stderr.
    log: PathBuf,
}

impl LiveServer {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        // Errors mean the process is already gone, which is what we want.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts an app on a free port and waits until the port accepts connections.
fn start(root: &Path, app: &App, logs: &Path) -> Result<LiveServer> {
    let port = free_port()?;
    let log = logs.join(format!("{}.log", app.name));
    let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone()?;
    let child = app
        .runtime
        .command(root, app.script, &["serve", &port.to_string()])
        .stdout(out)
        .stderr(err)
        .spawn()
        .with_context(|| format!("starting {}", app.script))?;
    let mut server = LiveServer { child, port, env_var: app.env_var(), log };

    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok() {
            println!("{} listening on {}", app.name, server.url());
            return Ok(server);
        }
        if let Some(status) = server.child.try_wait().context("checking on the server")? {
            bail!("{} exited with {status} before listening on port {port}\n{}", app.script, log_tail(&server.log));
        }
        if Instant::now() >= deadline {
            bail!(
                "{} did not accept connections on {} within {STARTUP_TIMEOUT:?}\n{}",
                app.script,
                server.url(),
                log_tail(&server.log)
            );
        }
        thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_crate_gets_tokio_for_its_tests() {
        let manifest = with_test_dependencies("[package]\nname = \"x\"\n");
        assert!(manifest.starts_with("[package]\nname = \"x\"\n\n[dev-dependencies]\ntokio = "), "{manifest}");
        assert!(manifest.contains("\"macros\"") && manifest.contains("\"rt-multi-thread\""), "{manifest}");
    }

    /// The pins are exact versions (npm would otherwise resolve a range to whatever is newest).
    #[test]
    fn fastify_packages_are_pinned_exactly() {
        for package in FASTIFY_PACKAGES {
            assert!(package.version.split('.').all(|part| part.parse::<u32>().is_ok()), "{package:?}");
        }
        let requirements =
            fs::read_to_string(crate::fsutil::workspace_root().join("tests/conformance/fastapi/requirements.txt"))
                .unwrap();
        for line in requirements.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()) {
            assert!(line.contains("=="), "not pinned: {line}");
        }
    }

    /// The guard kills its child when dropped, including while unwinding from a panic.
    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_the_server_kills_it() {
        let child = Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id();
        let server = LiveServer { child, port: 1, env_var: String::new(), log: PathBuf::new() };
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _server = server;
            panic!("test failure while the server runs");
        }));
        assert!(panicked.is_err());
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "child {pid} still alive");
    }
}
