//! Every command's flags, declared in one place and parsed one way.
//!
//! Modelled on rust-analyzer's xtask (`xflags`), in plain `macro_rules!`: the [`commands!`] block
//! below declares each command once, as a struct whose fields are its flags and positional
//! arguments. From that one declaration come the struct, its parser and its lines of the usage
//! text, so adding a command or a flag is one entry here (plus, for a command, one arm in
//! `main.rs` that runs it).
//!
//! A field is written `name: Type = "--flag VALUE"` (a flag with a value), `"--flag"` (a switch,
//! of type `bool`) or `"VALUE"` (a positional argument, in declaration order), optionally followed
//! by `default "text"`. Its type decides the rest ([`Value`]): `bool` is a switch, `Option<T>` may
//! be left out, any other type is required unless it has a default. The `///` lines of a command
//! or a field are its help text.

use std::fmt::Write as _;
use std::num::{NonZeroU64, NonZeroUsize};
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

/// Declares the commands: one struct per command plus [`Command`], [`COMMANDS`] and [`parse`].
macro_rules! commands {
    ($(
        $(#[doc = $about:literal])*
        $([$hidden:ident])? $command:literal => $Command:ident {
            $(
                $(#[doc = $help:literal])*
                $field:ident: $Type:ty = $arg:literal $(default $default:literal)?
            ),* $(,)?
        }
    )*) => {
        $(
            $(#[doc = $about])*
            #[derive(Debug, PartialEq, Eq)]
            pub struct $Command {
                $(
                    $(#[doc = $help])*
                    pub $field: $Type,
                )*
            }

            impl $Command {
                /// What the usage shows of this command, and what the parser accepts.
                pub const SPEC: Spec = Spec {
                    name: $command,
                    about: &[$($about),*],
                    hidden: commands!(@hidden $($hidden)?),
                    args: &[$(Arg {
                        text: $arg,
                        help: &[$($help),*],
                        default: commands!(@default $($default)?),
                        takes_value: <$Type as Value>::TAKES_VALUE,
                        required: <$Type as Value>::REQUIRED,
                    }),*],
                };

                /// Reads the arguments after the command's name.
                #[allow(unused_variables)]
                fn parse(args: &[String]) -> Result<$Command> {
                    let given = Self::SPEC.match_args(args)?;
                    Ok($Command { $($field: given.value($arg)?,)* })
                }
            }
        )*

        /// A parsed command line.
        #[derive(Debug, PartialEq, Eq)]
        pub enum Command {
            $($Command($Command),)*
            /// `--help` after a command: that command's usage.
            HelpFor(&'static Spec),
        }

        /// Every command, in the order the usage lists them.
        pub const COMMANDS: &[Spec] = &[$($Command::SPEC),*];

        /// Parses a command line (without the program name).
        pub fn parse(args: &[String]) -> Result<Command> {
            let Some((name, rest)) = args.split_first() else { bail!("no command given\n\n{}", usage()) };
            let name = if name == "--help" || name == "-h" { "help" } else { name.as_str() };
            match name {
                $($command => {
                    if rest.iter().any(|a| a == "--help" || a == "-h") {
                        return Ok(Command::HelpFor(&$Command::SPEC));
                    }
                    $Command::parse(rest).map(Command::$Command)
                })*
                other => bail!("unknown command `{other}`\n\n{}", usage()),
            }
        }
    };
    (@hidden) => { false };
    (@hidden $hidden:ident) => { true };
    (@default) => { None };
    (@default $default:literal) => { Some($default) };
}

commands! {
    /// Regenerate every client under `generated-client/` from `spec/`.
    "codegen" => Codegen {
        /// Write nothing; fail with a diff when a client is stale.
        check: bool = "--check",
    }

    /// Generate one standalone crate.
    "generate" => Generate {
        /// The OpenAPI document (JSON or YAML).
        spec: PathBuf = "--spec FILE",
        /// The crate's folder: new, empty, or a crate this generator wrote (then only its generated
        /// files change). Nothing is written unless generation succeeds.
        out: PathBuf = "--out DIR",
        /// The crate's package name.
        name: String = "--name CRATE",
        /// Write the crate into a folder this generator did not write: files of the same name
        /// are replaced, nothing else is removed.
        force: bool = "--force",
    }

    /// Report what going from one spec to another changes for a generated client's callers.
    "diff" => Diff {
        /// The spec callers compiled against.
        old: PathBuf = "OLD",
        /// The spec the crate is regenerated from.
        new: PathBuf = "NEW",
        /// The crate's name in the report.
        name: String = "--name CRATE" default "client",
        /// Also write the Markdown report here.
        out: Option<PathBuf> = "--out FILE",
    }

    /// Run the clients' contract tests against Prism mock servers.
    "contract" => Contract {}

    /// Drive clients generated from FastAPI's and Fastify's specs against their live servers.
    "conformance" => Conformance {}

    /// Generate every spec of two npm collections and `cargo check` a sample.
    "corpus" => Corpus {
        /// How many specs to compile besides Stripe, GitHub and the 3.1 specs.
        sample: usize = "--sample N" default "40",
        /// Only the specs whose name contains this.
        filter: Option<String> = "--filter TEXT",
        /// Generate only; compile nothing.
        no_check: bool = "--no-check",
        /// Write a hash of every generated file, warning list and rejection per spec here, so
        /// two builds of the generator can be compared on the whole corpus with `diff`.
        digest: Option<PathBuf> = "--digest FILE",
    }

    /// Generate the Swagger 2.0 documents of a pinned npm package and lint the crates.
    "swagger2" => Swagger2 {}

    /// Run the cargo-fuzz targets in `fuzz/` for a bounded time.
    "fuzz" => Fuzz {
        /// Fuzzing time in all, shared evenly by the targets.
        seconds: NonZeroU64 = "--seconds N" default "60",
        /// Run only this target.
        target: Option<FuzzTarget> = "--target generate|generate_json",
    }

    /// Generate the specs the fuzzer found (or those below --from) and `cargo check` the crates in
    /// batches; a spec whose crate does not compile is saved to `fuzz/uncompiled/`.
    "fuzz-compile" => FuzzCompile {
        /// A folder of specs instead of `fuzz/seeds/` and `fuzz/corpus/`.
        from: Option<PathBuf> = "--from DIR",
        /// Crates per `cargo check`.
        batch: NonZeroUsize = "--batch N" default "24",
        /// Time budget; no batch starts after it.
        seconds: NonZeroU64 = "--seconds N" default "600",
    }

    /// Measure generation and compile times against a floor and OpenAPI Generator.
    "bench" => Bench {
        /// Only the specs whose name contains NAME (several: comma-separated).
        only: Option<String> = "--only NAME",
        /// Generation runs per spec (and builds, within 30 s); the fastest counts.
        runs: NonZeroUsize = "--runs N" default "3",
        /// Skip every `cargo` build.
        no_check: bool = "--no-check",
        /// Skip OpenAPI Generator.
        no_compare: bool = "--no-compare",
    }

    /// One measurement of `bench` in a process of its own: `generate` (CRATE needed) or `floor`.
    [hidden] "bench-one" => BenchOne {
        /// What to measure.
        mode: BenchMode = "generate|floor",
        /// The spec.
        spec: PathBuf = "SPEC",
        /// The generated crate's folder (written by `generate`, read by `floor`).
        out: PathBuf = "OUT",
        /// The crate's name (`generate` only).
        crate_name: Option<String> = "CRATE",
    }

    /// Print this help.
    "help" => Help {}
}

/// One command as the usage shows it.
#[derive(Debug, PartialEq, Eq)]
pub struct Spec {
    pub name: &'static str,
    /// Doc lines: the help text.
    about: &'static [&'static str],
    /// Left out of the usage (`bench-one`, which only `bench` runs).
    hidden: bool,
    args: &'static [Arg],
}

/// One flag or positional argument of a command.
#[derive(Debug, PartialEq, Eq)]
struct Arg {
    /// `--flag`, `--flag VALUE` or `VALUE` (positional).
    text: &'static str,
    help: &'static [&'static str],
    default: Option<&'static str>,
    takes_value: bool,
    required: bool,
}

impl Arg {
    /// `--flag` for a flag, `VALUE` for a positional.
    fn name(&self) -> &'static str {
        self.text.split(' ').next().unwrap_or(self.text)
    }

    fn is_flag(&self) -> bool {
        self.text.starts_with('-')
    }
}

/// The arguments a command line gave, by name (the last one wins when a flag is repeated).
struct Given<'a> {
    spec: &'a Spec,
    values: Vec<(&'static str, &'a str)>,
}

impl Spec {
    /// Sorts `args` into the declared flags and positionals.
    fn match_args<'a>(&'a self, args: &'a [String]) -> Result<Given<'a>> {
        let mut values = Vec::new();
        let mut positionals = self.args.iter().filter(|a| !a.is_flag());
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            if let Some(flag) = self.args.iter().find(|a| a.is_flag() && a.name() == arg) {
                let value = if flag.takes_value {
                    let value = args.next().ok_or_else(|| self.error(format!("{} needs a value", flag.text)))?;
                    value.as_str()
                } else {
                    ""
                };
                values.push((flag.name(), value));
            } else if arg.starts_with('-') {
                return Err(self.error(format!("unknown flag `{arg}`")));
            } else if let Some(positional) = positionals.next() {
                values.push((positional.name(), arg.as_str()));
            } else {
                return Err(self.error(format!("unexpected argument `{arg}`")));
            }
        }
        Ok(Given { spec: self, values })
    }

    /// `message`, then this command's usage.
    fn error(&self, message: String) -> anyhow::Error {
        anyhow!("{}: {message}\n\nusage:\n{}", self.name, self.synopsis())
    }

    /// `  cargo xtask corpus [--sample N] ...`.
    fn synopsis(&self) -> String {
        let mut line = format!("  cargo xtask {}", self.name);
        for arg in self.args {
            if arg.required && arg.default.is_none() {
                let _ = write!(line, " {}", arg.text);
            } else {
                let _ = write!(line, " [{}]", arg.text);
            }
        }
        line
    }

    /// The synopsis, the command's help and one line per argument.
    pub fn help(&self) -> String {
        let mut out = self.synopsis();
        let _ = write!(out, "\n      {}", sentence(self.about));
        for arg in self.args {
            let _ = write!(out, "\n        {:<34} {}", arg.text, sentence(arg.help));
            if let Some(default) = arg.default {
                let _ = write!(out, " (default {default})");
            }
        }
        out
    }
}

impl Given<'_> {
    /// The value of the argument declared as `text`, read as `T`.
    fn value<T: Value>(&self, text: &str) -> Result<T> {
        let arg = self.spec.args.iter().find(|a| a.text == text).ok_or_else(|| anyhow!("`{text}` is not declared"))?;
        let name = arg.name();
        let given = self.values.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| *v);
        match given.or(arg.default) {
            Some(value) => T::read(name, value).map_err(|message| self.spec.error(message)),
            None => T::absent().ok_or_else(|| self.spec.error(format!("{} is required", arg.text))),
        }
    }
}

/// A type a flag's or positional argument's text is read into.
pub trait Value: Sized {
    /// `false` for a switch, which stands alone.
    const TAKES_VALUE: bool = true;
    /// Whether the command fails without it (unless it has a default).
    const REQUIRED: bool = true;
    /// The value when the argument is left out; `None` when it is required.
    fn absent() -> Option<Self> {
        None
    }
    /// Reads `text`, the value given for argument `name` (empty for a switch). The error is a
    /// lowercase message.
    fn read(name: &str, text: &str) -> Result<Self, String>;
}

impl Value for bool {
    const TAKES_VALUE: bool = false;
    const REQUIRED: bool = false;
    fn absent() -> Option<bool> {
        Some(false)
    }
    fn read(_: &str, _: &str) -> Result<bool, String> {
        Ok(true)
    }
}

impl<T: Value> Value for Option<T> {
    const REQUIRED: bool = false;
    fn absent() -> Option<Option<T>> {
        Some(None)
    }
    fn read(name: &str, text: &str) -> Result<Option<T>, String> {
        T::read(name, text).map(Some)
    }
}

impl Value for String {
    fn read(_: &str, text: &str) -> Result<String, String> {
        Ok(text.to_owned())
    }
}

impl Value for PathBuf {
    fn read(_: &str, text: &str) -> Result<PathBuf, String> {
        Ok(PathBuf::from(text))
    }
}

impl Value for usize {
    fn read(name: &str, text: &str) -> Result<usize, String> {
        text.parse().map_err(|_| format!("{name} {text}: not a number"))
    }
}

impl Value for NonZeroUsize {
    fn read(name: &str, text: &str) -> Result<NonZeroUsize, String> {
        NonZeroUsize::new(usize::read(name, text)?).ok_or_else(|| format!("{name} must be at least 1"))
    }
}

impl Value for NonZeroU64 {
    fn read(name: &str, text: &str) -> Result<NonZeroU64, String> {
        let number = text.parse().map_err(|_| format!("{name} {text}: not a number"))?;
        NonZeroU64::new(number).ok_or_else(|| format!("{name} must be at least 1"))
    }
}

/// `text` if it is one of `choices`.
fn one_of(what: &str, text: &str, choices: &[&'static str]) -> Result<&'static str, String> {
    choices
        .iter()
        .find(|c| **c == text)
        .copied()
        .ok_or_else(|| format!("unknown {what} `{text}`; the {what}s are {}", choices.join(", ")))
}

/// One of the fuzz targets of `fuzz/Cargo.toml` ([`crate::fuzz::TARGETS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuzzTarget(pub &'static str);

impl Value for FuzzTarget {
    fn read(_: &str, text: &str) -> Result<FuzzTarget, String> {
        one_of("fuzz target", text, crate::fuzz::TARGETS).map(FuzzTarget)
    }
}

/// What a `bench-one` child measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchMode {
    /// Generation, as `cargo xtask generate` does it.
    Generate,
    /// The floor: `serde_json` parse of the spec, `prettyplease` print of the generated files.
    Floor,
}

impl Value for BenchMode {
    fn read(_: &str, text: &str) -> Result<BenchMode, String> {
        match one_of("mode", text, &["generate", "floor"])? {
            "generate" => Ok(BenchMode::Generate),
            _ => Ok(BenchMode::Floor),
        }
    }
}

/// Doc lines as one line of help, without the closing period.
fn sentence(doc: &[&str]) -> String {
    let words: Vec<&str> = doc.iter().map(|line| line.trim()).collect();
    words.join(" ").trim_end_matches('.').to_owned()
}

/// The usage of every command but the hidden ones.
pub fn usage() -> String {
    let lines: Vec<String> = COMMANDS.iter().filter(|c| !c.hidden).map(Spec::synopsis).collect();
    format!("usage:\n{}", lines.join("\n"))
}

/// `cargo xtask help`: every command but the hidden ones, with their flags.
pub fn help() -> String {
    let commands: Vec<String> = COMMANDS.iter().filter(|c| !c.hidden).map(Spec::help).collect();
    format!("usage:\n{}", commands.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<Command> {
        parse(&line.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
    }

    fn error(line: &str) -> String {
        format!("{:#}", parse_line(line).unwrap_err())
    }

    #[test]
    fn every_command_parses_with_defaults_and_with_every_flag() {
        assert_eq!(parse_line("codegen").unwrap(), Command::Codegen(Codegen { check: false }));
        assert_eq!(parse_line("codegen --check").unwrap(), Command::Codegen(Codegen { check: true }));
        assert_eq!(
            parse_line("generate --spec a.yaml --out ../c --name my-client").unwrap(),
            Command::Generate(Generate {
                spec: "a.yaml".into(),
                out: "../c".into(),
                name: "my-client".into(),
                force: false
            })
        );
        assert_eq!(
            parse_line("generate --force --spec a.yaml --out c --name x").unwrap(),
            Command::Generate(Generate { spec: "a.yaml".into(), out: "c".into(), name: "x".into(), force: true })
        );
        assert_eq!(
            parse_line("fuzz-compile").unwrap(),
            Command::FuzzCompile(FuzzCompile {
                from: None,
                batch: NonZeroUsize::new(24).unwrap(),
                seconds: NonZeroU64::new(600).unwrap()
            })
        );
        assert_eq!(
            parse_line("fuzz-compile --from specs --batch 8 --seconds 60").unwrap(),
            Command::FuzzCompile(FuzzCompile {
                from: Some("specs".into()),
                batch: NonZeroUsize::new(8).unwrap(),
                seconds: NonZeroU64::new(60).unwrap()
            })
        );
        assert_eq!(parse_line("contract").unwrap(), Command::Contract(Contract {}));
        assert_eq!(parse_line("conformance").unwrap(), Command::Conformance(Conformance {}));
        assert_eq!(
            parse_line("corpus").unwrap(),
            Command::Corpus(Corpus { sample: 40, filter: None, no_check: false, digest: None })
        );
        assert_eq!(
            parse_line("corpus --no-check --filter stripe --sample 0 --digest d.txt").unwrap(),
            Command::Corpus(Corpus {
                sample: 0,
                filter: Some("stripe".into()),
                no_check: true,
                digest: Some("d.txt".into())
            })
        );
        let seconds = |n| NonZeroU64::new(n).unwrap();
        assert_eq!(parse_line("fuzz").unwrap(), Command::Fuzz(Fuzz { seconds: seconds(60), target: None }));
        assert_eq!(
            parse_line("fuzz --seconds 600 --target generate_json").unwrap(),
            Command::Fuzz(Fuzz { seconds: seconds(600), target: Some(FuzzTarget("generate_json")) })
        );
        let runs = |n| NonZeroUsize::new(n).unwrap();
        assert_eq!(
            parse_line("bench").unwrap(),
            Command::Bench(Bench { only: None, runs: runs(3), no_check: false, no_compare: false })
        );
        assert_eq!(
            parse_line("bench --only github --runs 1 --no-check --no-compare").unwrap(),
            Command::Bench(Bench { only: Some("github".into()), runs: runs(1), no_check: true, no_compare: true })
        );
        assert_eq!(parse_line("help").unwrap(), Command::Help(Help {}));
        assert_eq!(parse_line("--help").unwrap(), Command::Help(Help {}));
        assert_eq!(parse_line("-h").unwrap(), Command::Help(Help {}));
    }

    #[test]
    fn bench_one_takes_positional_arguments() {
        assert_eq!(
            parse_line("bench-one generate s.json out ours-x").unwrap(),
            Command::BenchOne(BenchOne {
                mode: BenchMode::Generate,
                spec: "s.json".into(),
                out: "out".into(),
                crate_name: Some("ours-x".into())
            })
        );
        assert_eq!(
            parse_line("bench-one floor s.json out").unwrap(),
            Command::BenchOne(BenchOne {
                mode: BenchMode::Floor,
                spec: "s.json".into(),
                out: "out".into(),
                crate_name: None
            })
        );
        assert!(error("bench-one floor s.json").contains("bench-one: OUT is required"));
        assert!(error("bench-one floor a b c d").contains("bench-one: unexpected argument `d`"));
        assert!(error("bench-one measure a b").contains("unknown mode `measure`; the modes are generate, floor"));
    }

    #[test]
    fn a_repeated_flag_keeps_its_last_value() {
        let Command::Corpus(corpus) = parse_line("corpus --sample 3 --sample 5").unwrap() else { panic!() };
        assert_eq!(corpus.sample, 5);
    }

    #[test]
    fn a_missing_value_names_the_flag_and_shows_the_usage() {
        let message = error("corpus --sample");
        assert!(message.starts_with("corpus: --sample N needs a value\n\nusage:\n  cargo xtask corpus [--sample N]"));
        assert!(error("generate --spec a.yaml --out").starts_with("generate: --out DIR needs a value"));
        assert!(error("generate --spec a.yaml --out o").starts_with("generate: --name CRATE is required"));
    }

    #[test]
    fn an_unknown_flag_or_command_is_an_error_with_the_usage() {
        assert_eq!(
            error("bench --fast"),
            "bench: unknown flag `--fast`\n\nusage:\n  cargo xtask bench [--only NAME] [--runs N] [--no-check] \
             [--no-compare]"
        );
        assert!(error("codegen check").starts_with("codegen: unexpected argument `check`"));
        assert!(error("contract --check").starts_with("contract: unknown flag `--check`"));
        assert!(error("build").starts_with("unknown command `build`\n\nusage:\n  cargo xtask codegen [--check]"));
        assert!(error("").starts_with("no command given\n\nusage:"));
    }

    #[test]
    fn a_bad_number_is_an_error_with_the_usage() {
        assert!(error("bench --runs three").starts_with("bench: --runs three: not a number\n\nusage:"));
        assert!(error("bench --runs 0").starts_with("bench: --runs must be at least 1"));
        assert!(error("fuzz --seconds 0").starts_with("fuzz: --seconds must be at least 1"));
        assert!(error("corpus --sample -1").starts_with("corpus: --sample -1: not a number"));
        assert!(error("fuzz --target nope").contains("unknown fuzz target `nope`; the fuzz targets are generate"));
    }

    #[test]
    fn help_after_a_command_asks_for_its_usage() {
        assert_eq!(parse_line("bench --runs 2 --help").unwrap(), Command::HelpFor(&Bench::SPEC));
        assert!(Bench::SPEC.help().contains("--runs N"));
        assert!(Bench::SPEC.help().contains("(default 3)"));
    }

    #[test]
    fn the_usage_lists_every_visible_command() {
        assert_eq!(
            usage(),
            "usage:
  cargo xtask codegen [--check]
  cargo xtask generate --spec FILE --out DIR --name CRATE [--force]
  cargo xtask diff OLD NEW [--name CRATE] [--out FILE]
  cargo xtask contract
  cargo xtask conformance
  cargo xtask corpus [--sample N] [--filter TEXT] [--no-check] [--digest FILE]
  cargo xtask swagger2
  cargo xtask fuzz [--seconds N] [--target generate|generate_json]
  cargo xtask fuzz-compile [--from DIR] [--batch N] [--seconds N]
  cargo xtask bench [--only NAME] [--runs N] [--no-check] [--no-compare]
  cargo xtask help"
        );
        assert!(!help().contains("bench-one"));
        assert!(BenchOne::SPEC.help().contains("cargo xtask bench-one generate|floor SPEC OUT [CRATE]"));
    }

    #[test]
    fn declarations_are_consistent() {
        let fuzz_target = Fuzz::SPEC.args.iter().find(|a| a.name() == "--target").unwrap();
        assert_eq!(fuzz_target.text, format!("--target {}", crate::fuzz::TARGETS.join("|")));
        for command in COMMANDS {
            assert!(!command.about.is_empty(), "{} has no help text", command.name);
            for arg in command.args {
                assert!(!arg.help.is_empty(), "{} {} has no help text", command.name, arg.text);
                // A flag's text shows a value name exactly when it takes one.
                if arg.is_flag() {
                    assert_eq!(arg.text.contains(' '), arg.takes_value, "{} {}", command.name, arg.text);
                }
            }
        }
    }
}
