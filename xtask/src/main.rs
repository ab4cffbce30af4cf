//! Workspace automation, run as `cargo xtask <command>`. This binary owns all file I/O; the
//! `generator` library only turns text into text.
//!
//! - `cargo xtask codegen` regenerates every client under `generated-client/` from `spec/`.
//! - `cargo xtask codegen --check` writes nothing and fails with a diff when a client is stale.
//! - `cargo xtask generate --spec FILE --out DIR --name CRATE` generates one standalone crate.
//! - `cargo xtask diff OLD NEW` reports what going from one spec to another changes for callers.
//! - `cargo xtask contract` runs the clients' contract tests against Prism mock servers.
//! - `cargo xtask conformance` drives clients generated from FastAPI's and Fastify's specs
//!   against their live servers.
//! - `cargo xtask corpus` generates every public spec of two npm collections and compiles a sample.
//! - `cargo xtask swagger2` generates real Swagger 2.0 documents from a pinned npm package and
//!   lints the crates.
//! - `cargo xtask fuzz` runs the cargo-fuzz targets in `fuzz/` for a bounded time.
//! - `cargo xtask fuzz-compile` checks that the specs the fuzzer found generate crates that compile.
//! - `cargo xtask bench` measures generation and compile times against a floor and OpenAPI
//!   Generator.

mod api_changes;
mod bench;
mod codegen;
mod collections;
mod conformance;
mod contract;
mod corpus;
mod flags;
mod fsutil;
mod fuzz;
mod fuzz_compile;
mod npm;
mod scratch;
mod swagger2;

use std::process::ExitCode;

use anyhow::Result;

use flags::Command;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
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

/// Runs the command `args` name; their flags are declared and parsed in `flags.rs`.
fn run(args: &[String]) -> Result<ExitCode> {
    let root = fsutil::workspace_root();
    match flags::parse(args)? {
        Command::Codegen(flags) => codegen::codegen(&root, flags.check),
        Command::Generate(flags) => {
            codegen::generate(&flags.spec, &flags.out, &flags.name, flags.force).map(|()| ExitCode::SUCCESS)
        }
        Command::Diff(flags) => api_changes::diff_specs(&flags.old, &flags.new, &flags.name, flags.out.as_deref())
            .map(|_| ExitCode::SUCCESS),
        Command::Contract(flags::Contract {}) => contract::contract(&root),
        Command::Conformance(flags::Conformance {}) => conformance::conformance(&root),
        Command::Corpus(flags) => corpus::corpus(&root, &flags),
        Command::Swagger2(flags::Swagger2 {}) => swagger2::swagger2(&root),
        Command::Fuzz(flags) => fuzz::fuzz(&root, &fuzz::Args::new(&flags)),
        Command::FuzzCompile(flags) => fuzz_compile::fuzz_compile(&root, &flags),
        // The release build `bench` may start is given the same arguments.
        Command::Bench(flags) => bench::bench(&root, &flags, &args[1..]),
        Command::BenchOne(flags) => bench::bench_one(&flags),
        Command::Help(flags::Help {}) => {
            println!("{}", flags::help());
            Ok(ExitCode::SUCCESS)
        }
        Command::HelpFor(command) => {
            println!("usage:\n{}", command.help());
            Ok(ExitCode::SUCCESS)
        }
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
