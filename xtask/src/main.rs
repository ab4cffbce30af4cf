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
mod collections;
mod contract;
mod corpus;
mod flags;
mod fsutil;
mod fuzz;
mod npm;
mod scratch;

use std::process::ExitCode;

use anyhow::Result;

use flags::Command;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the command `args` name; their flags are declared and parsed in `flags.rs`.
fn run(args: &[String]) -> Result<ExitCode> {
    let root = fsutil::workspace_root();
    match flags::parse(args)? {
        Command::Codegen(flags) => codegen::codegen(&root, flags.check),
        Command::Generate(flags) => codegen::generate(&flags.spec, &flags.out, &flags.name).map(|()| ExitCode::SUCCESS),
        Command::Contract(flags::Contract {}) => contract::contract(&root),
        Command::Corpus(flags) => corpus::corpus(&root, &flags),
        Command::Fuzz(flags) => fuzz::fuzz(&root, &fuzz::Args::new(&flags)),
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
