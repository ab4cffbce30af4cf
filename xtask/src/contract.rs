//! `contract`: the checked-in clients against Prism, an independent mock server that checks each
//! request against the spec and answers from its examples and schemas.
//!
//! Prism is installed from npm at a pinned version into `.tools/prism/` (ignored by git). One
//! Prism process per `spec/<api>/` listens on a free loopback port; the `contract` tests in
//! `tests/integration/contract.rs` find it through `PRISM_<API>_URL`.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::codegen::{ApiSpec, workspace_specs};
use crate::npm::{self, Package};

/// The Prism release the contract tests run against. Bump it on purpose, never implicitly.
pub const PRISM_VERSION: &str = "5.16.0";

/// How long one Prism may take to accept connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// How much of a Prism log to show when it fails to start.
const LOG_TAIL_BYTES: u64 = 8 * 1024;

/// `cargo xtask contract`.
pub fn contract(root: &Path) -> Result<ExitCode> {
    let started = Instant::now();
    let prism = ensure_prism(root)?;
    let installed = started.elapsed();

    let specs = workspace_specs(root)?;
    if specs.is_empty() {
        bail!("no spec found under {}", root.join("spec").display());
    }
    let logs = root.join("target").join("contract");
    fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;

    // Every server is killed when `servers` is dropped: on success, on error and on panic.
    let mut servers = Vec::new();
    for api in &specs {
        servers.push(start_prism(root, &prism, api, &logs)?);
    }
    let ready = started.elapsed();

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut test = Command::new(cargo);
    test.current_dir(root)
        .args(["test", "-p", "integration-tests", "--test", "integration", "contract", "--"])
        .args(["--ignored", "--test-threads=1"]);
    for server in &servers {
        test.env(&server.env_var, server.url());
        println!("{} = {} (log: {})", server.env_var, server.url(), server.log.display());
    }
    let status = test.status().context("running cargo test")?;
    drop(servers);

    let apis: Vec<&str> = specs.iter().map(|api| api.name.as_str()).collect();
    let timing = format!(
        "{:.1?} (prism install/check {:.1?}, servers up {:.1?}, tests {:.1?})",
        started.elapsed(),
        installed,
        ready - installed,
        started.elapsed() - ready
    );
    if status.success() {
        println!("contract: {} against Prism {PRISM_VERSION} passed in {timing}", apis.join(", "));
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: contract tests against Prism {PRISM_VERSION} failed ({status}) after {timing}");
        Ok(ExitCode::FAILURE)
    }
}

/// The `prism` executable, installed into `.tools/prism/` first unless the pinned version is
/// already there.
fn ensure_prism(root: &Path) -> Result<PathBuf> {
    let package = Package { name: "@stoplight/prism-cli", version: PRISM_VERSION };
    let prefix = root.join(".tools").join("prism");
    npm::ensure(root, &prefix, &[package])?;
    let bin = prefix.join("node_modules").join(".bin").join("prism");
    if !bin.is_file() {
        bail!("npm installed prism-cli without its executable {}", bin.display());
    }
    Ok(bin)
}

/// A running Prism. Dropping it kills and reaps the process.
struct PrismServer {
    child: Child,
    port: u16,
    /// `PRISM_<API>_URL`.
    env_var: String,
    /// Prism's stdout and stderr.
    log: PathBuf,
}

impl PrismServer {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrismServer {
    fn drop(&mut self) {
        // Errors mean the process is already gone, which is what we want.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The variable that hands an API's mock URL to the tests: `truedy` → `PRISM_TRUEDY_URL`.
fn env_var(api: &str) -> String {
    let name: String =
        api.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("PRISM_{name}_URL")
}

/// A port that was free on 127.0.0.1 a moment ago. Another process could take it before Prism
/// binds it; Prism then exits and [`start_prism`] reports it with Prism's log.
pub(crate) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a free port on 127.0.0.1")?;
    Ok(listener.local_addr()?.port())
}

/// Starts Prism for one API and waits until its port accepts connections.
fn start_prism(root: &Path, prism: &Path, api: &ApiSpec, logs: &Path) -> Result<PrismServer> {
    let port = free_port()?;
    let log = logs.join(format!("prism-{}.log", api.name));
    let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone()?;
    let child = Command::new(prism)
        .current_dir(root)
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string(), "--errors", &api.spec])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .with_context(|| format!("starting {}", prism.display()))?;
    let mut server = PrismServer { child, port, env_var: env_var(&api.name), log };

    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok() {
            println!("prism for {} listening on {}", api.name, server.url());
            return Ok(server);
        }
        if let Some(status) = server.child.try_wait().context("checking on prism")? {
            bail!(
                "prism for {} exited with {status} before listening on port {port}\n{}",
                api.spec,
                log_tail(&server.log)
            );
        }
        if Instant::now() >= deadline {
            bail!(
                "prism for {} did not accept connections on {} within {STARTUP_TIMEOUT:?}\n{}",
                api.spec,
                server.url(),
                log_tail(&server.log)
            );
        }
        thread::sleep(Duration::from_millis(200));
    }
}

/// The end of a Prism log, for error messages.
pub(crate) fn log_tail(log: &Path) -> String {
    let read = || -> std::io::Result<String> {
        let mut file = File::open(log)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL_BYTES)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    match read() {
        Ok(text) if text.trim().is_empty() => format!("({} is empty)", log.display()),
        Ok(text) => format!("--- {} ---\n{}", log.display(), text.trim_end()),
        Err(error) => format!("(cannot read {}: {error})", log.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_var_names() {
        assert_eq!(env_var("truedy"), "PRISM_TRUEDY_URL");
        assert_eq!(env_var("my-api.v2"), "PRISM_MY_API_V2_URL");
    }

    #[test]
    fn free_port_is_bindable() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    }

    /// The guard kills its child when dropped, including while unwinding from a panic.
    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_the_server_kills_prism() {
        let child = Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id();
        let server = PrismServer { child, port: 1, env_var: String::new(), log: PathBuf::new() };
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _server = server;
            panic!("test failure while prism runs");
        }));
        assert!(panicked.is_err());
        // Reaped by `wait` in `drop`, so the pid no longer exists.
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "child {pid} still alive");
    }
}
