//! Workspace automation, run as `cargo xtask <command>`. This binary owns all file I/O; the
//! `generator` library only turns text into text.
//!
//! - `cargo xtask codegen` regenerates every client under `generated-client/` from `spec/`.
//! - `cargo xtask codegen --check` writes nothing and fails with a diff when a client is stale.
//! - `cargo xtask generate --spec FILE --out DIR --name CRATE` generates one standalone crate.
//! - `cargo xtask contract` runs the clients' contract tests against Prism mock servers.
//! - `cargo xtask corpus` generates every public spec of two npm collections and compiles a sample.
//! - `cargo xtask fuzz` runs the cargo-fuzz targets in `fuzz/` for a bounded time.
//! - `cargo xtask bench` measures generation and compile times against a floor and OpenAPI
//!   Generator.

mod bench;
mod codegen;
mod contract;
mod corpus;
mod fsutil;
mod fuzz;
mod fuzz_compile;
mod npm;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage:
  cargo xtask codegen [--check]
  cargo xtask generate --spec FILE --out DIR --name CRATE [--force]
  cargo xtask contract
  cargo xtask corpus [--sample N] [--filter TEXT] [--no-check] [--digest FILE]
  cargo xtask fuzz [--seconds N] [--target generate|generate_json]
  cargo xtask fuzz-compile [--from DIR]... [--batch N] [--seconds N]
  cargo xtask bench [--only NAME] [--runs N] [--no-check] [--no-compare]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// What a failed command prints: `error: ...` once per problem.
fn describe(error: &anyhow::Error) -> String {
    match error.downcast_ref::<generator::Errors>() {
        // Each diagnostic already reads `error: file#pointer: message`.
        Some(diagnostics) => diagnostics.to_string(),
        None => format!("error: {error:#}"),
    }
}

fn run(args: Vec<String>) -> Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else { bail!("{USAGE}") };
    match command.as_str() {
        "codegen" => {
            let check = match rest {
                [] => false,
                [flag] if flag == "--check" => true,
                _ => bail!("{USAGE}"),
            };
            codegen::codegen(&fsutil::workspace_root(), check)
        }
        "generate" => {
            let mut spec = None;
            let mut out = None;
            let mut name = None;
            let mut force = false;
            let mut rest = rest.iter();
            while let Some(flag) = rest.next() {
                if flag == "--force" {
                    force = true;
                    continue;
                }
                let value = rest.next().with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
                match flag.as_str() {
                    "--spec" => spec = Some(PathBuf::from(value)),
                    "--out" => out = Some(PathBuf::from(value)),
                    "--name" => name = Some(value.clone()),
                    _ => bail!("unknown option {flag}\n{USAGE}"),
                }
            }
            match (spec, out, name) {
                (Some(spec), Some(out), Some(name)) => {
                    codegen::generate(&spec, &out, &name, force).map(|()| ExitCode::SUCCESS)
                }
                _ => bail!("generate needs --spec, --out and --name\n{USAGE}"),
            }
        }
        "bench" => bench::bench(&fsutil::workspace_root(), rest),
        // Hidden: one spec's generation in a process of its own, for `bench`.
        "bench-one" => bench::bench_one(rest),
        "contract" => match rest {
            [] => contract::contract(&fsutil::workspace_root()),
            _ => bail!("{USAGE}"),
        },
        "corpus" => {
            let mut args = corpus::Args { sample: 40, filter: None, no_check: false, digest: None };
            let mut rest = rest.iter();
            while let Some(flag) = rest.next() {
                match flag.as_str() {
                    "--no-check" => args.no_check = true,
                    "--sample" => {
                        let value = rest.next().with_context(|| format!("--sample needs a number\n{USAGE}"))?;
                        args.sample = value.parse().with_context(|| format!("--sample {value}: not a number"))?;
                    }
                    "--digest" => {
                        let value = rest.next().with_context(|| format!("--digest needs a file\n{USAGE}"))?;
                        args.digest = Some(PathBuf::from(value));
                    }
                    "--filter" => {
                        args.filter =
                            Some(rest.next().with_context(|| format!("--filter needs text\n{USAGE}"))?.clone());
                    }
                    _ => bail!("unknown option {flag}\n{USAGE}"),
                }
            }
            corpus::corpus(&fsutil::workspace_root(), &args)
        }
        "fuzz-compile" => {
            let mut args = fuzz_compile::Args::default();
            let mut rest = rest.iter();
            while let Some(flag) = rest.next() {
                let value = rest.next().with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
                match flag.as_str() {
                    "--from" => args.from.push(PathBuf::from(value)),
                    "--batch" => {
                        args.batch = value.parse().with_context(|| format!("--batch {value}: not a number"))?
                    }
                    "--seconds" => {
                        args.seconds = value.parse().with_context(|| format!("--seconds {value}: not a number"))?
                    }
                    _ => bail!("unknown option {flag}\n{USAGE}"),
                }
            }
            fuzz_compile::fuzz_compile(&fsutil::workspace_root(), &args)
        }
        "fuzz" => fuzz::fuzz(&fsutil::workspace_root(), &fuzz::Args::parse(rest, USAGE)?),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown command `{other}`\n{USAGE}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generator_error_is_printed_with_one_error_prefix() {
        let root = fsutil::workspace_root();
        let spec = root.join("tests/fixtures/errors/dangling_ref.yaml");
        let out = root.join("target/xtask-tests/never-written");
        let error = codegen::generate(&spec, &out, "broken", false).unwrap_err();
        let printed = describe(&error);
        assert!(printed.starts_with("error: ") && !printed.contains("error: error:"), "{printed}");
        assert!(printed.contains("dangling $ref"), "{printed}");
        assert_eq!(describe(&anyhow::anyhow!("reading x")), "error: reading x");
    }
}
