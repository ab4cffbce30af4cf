//! Turns an OpenAPI 3.0, 3.1 or 3.2 document into the source files of a typed async Rust client crate.
//!
//! The pipeline reads top to bottom, one module per stage, no stage reaching back:
//! [`load`] (JSON or YAML text to a JSON tree) → [`normalise`] (3.1 forms to the 3.0 model, after
//! [`v32`] rewrote 3.2 forms to 3.1) →
//! [`parse`] (into `openapiv3`) → [`lower`] (resolve references, decide names, build the [`ir`]) →
//! [`emit`] (syntax trees or token streams, a part of a file at a time) → [`format`]
//! (prettyplease, parts spread over every core). [`front`] runs the first three stages as one
//! (on two threads for JSON, with repairs), after making the document whole when it needs it:
//! [`bundle`] (a spec split over files) and [`swagger2`] (Swagger 2.0 to OpenAPI 3.0). The library
//! does no I/O: it takes the spec's text (and, in [`generate_with_files`], a function that reads
//! the files it refers to) and returns the files' contents; the `xtask` driver reads and writes.

pub mod api_diff;
pub mod bundle;
pub mod diagnostics;
pub mod emit;
pub mod format;
pub mod front;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod normalise;
pub mod parse;
pub mod pointer;
pub mod swagger2;
pub mod v32;

use std::borrow::Cow;
use std::thread;
use std::time::{Duration, Instant};

pub use bundle::Files;
pub use diagnostics::{Diagnostic, Errors, Severity};
pub use front::normalised_tree;

/// What to generate and how to describe where it came from.
#[derive(Clone, Debug)]
pub struct Options {
    /// The spec's path as it should appear in diagnostics and headers (repo-relative).
    pub spec_path: String,
    /// Name of the generated crate (`[package] name`).
    pub crate_name: String,
    /// The command that regenerates the crate, named in the `@generated` header.
    pub command: String,
}

/// One file of a generated crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the crate root, with `/` separators.
    pub path: String,
    /// Full contents.
    pub contents: String,
}

/// A generated crate and what was noticed on the way.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Files in a fixed order: `Cargo.toml`, then `src/`.
    pub files: Vec<GeneratedFile>,
    /// Warnings (constructs approximated, never silently dropped).
    pub warnings: Vec<Diagnostic>,
    /// Number of operations (client methods).
    pub operations: usize,
    /// Number of generated types.
    pub types: usize,
    /// Operations recognised as paged, by shape (`cursor`, `offset`, `page`, `link-header`,
    /// `next-url`); shapes with none are absent.
    pub paged: std::collections::BTreeMap<&'static str, usize>,
}

/// Wall time spent in each stage of one [`generate_timed`] run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Text to JSON tree ([`load`]). For a JSON spec the first three stages run on two threads
    /// (the paths on a helper); their times are the main thread's, and `parse` includes waiting
    /// for the helper.
    pub load: Duration,
    /// 3.1 forms to 3.0 ([`normalise`]).
    pub normalise: Duration,
    /// JSON tree to `openapiv3` ([`parse`]).
    pub parse: Duration,
    /// References resolved, names decided, IR built ([`lower`]).
    pub lower: Duration,
    /// Emitting and formatting every file (and writing the manifest and runtime): emitting and
    /// formatting run part by part on every thread, so this wall time is less than
    /// `emit + format`, which are summed over threads.
    pub output: Duration,
    /// IR to token streams ([`emit`]), summed over threads.
    pub emit: Duration,
    /// Token streams to text ([`format`]: `syn` parse, prettyplease, blank lines), summed over
    /// threads.
    pub format: Duration,
    /// Threads that emitted and formatted.
    pub threads: usize,
}

impl StageTimes {
    /// Wall time from the text to the files' contents.
    pub fn total(&self) -> Duration {
        self.load + self.normalise + self.parse + self.lower + self.output
    }
}

/// Runs the whole pipeline on a spec's text. Never panics; every problem is a [`Diagnostic`].
///
/// Given the text by value (a `String`), generation frees it as soon as it is parsed (or, for a
/// spec with `$ref`s beyond whole components, lowered), so the input and the output are never
/// both in memory; borrowed text stays with the caller.
pub fn generate<'t>(text: impl Into<Cow<'t, str>>, options: &Options) -> Result<Generated, Errors> {
    generate_timed(text, options).map(|(generated, _)| generated)
}

/// [`generate`] for a spec split over several files: its `$ref`s to other files are read through
/// `files` and bundled into one document first (see [`bundle`]). Diagnostics about a bundled part
/// name the file and pointer it came from. A spec without such `$ref`s generates as with
/// [`generate`].
pub fn generate_with_files<'t>(
    text: impl Into<Cow<'t, str>>,
    options: &Options,
    files: &Files,
) -> Result<Generated, Errors> {
    run(text.into(), options, Some(files)).map(|(generated, _)| generated)
}

/// [`generate`], also returning how long each stage took (for `cargo xtask bench`). The output is
/// the same as [`generate`]'s; reading the clock is the only addition.
pub fn generate_timed<'t>(text: impl Into<Cow<'t, str>>, options: &Options) -> Result<(Generated, StageTimes), Errors> {
    run(text.into(), options, None)
}

/// The pipeline, with `files` to read the files a spec's `$ref`s point into (none: such a `$ref`
/// is an error where lowering meets it). A Swagger 2.0 spec is converted first.
fn run(text: Cow<'_, str>, options: &Options, files: Option<&Files>) -> Result<(Generated, StageTimes), Errors> {
    let threads = thread::available_parallelism().map_or(1, usize::from);
    let mut clock = Clock::start(threads);
    let file = options.spec_path.as_str();
    let prepared = front::prepare(text, file, files)?;
    let (origins, early) = (prepared.origins, prepared.warnings);
    let locate = |errors: Errors| {
        let mut errors = origins.iter().fold(errors, |errors, origins| origins.locate_errors(file, errors));
        errors.0.extend(early.iter().cloned());
        errors
    };
    let mut sink = diagnostics::Sink::new(file);
    let front = front::read(prepared.text, file, threads, &mut sink, &mut clock).map_err(locate)?;
    let api = lower::lower(&front.doc, &front.raw, &mut sink);
    // The spec's trees are not needed past this point; free them before the output grows.
    drop(front);
    let mut warnings = sink.finish().map_err(locate)?;
    for warning in &mut warnings {
        origins.iter().for_each(|o| o.locate(file, warning));
    }
    warnings.splice(0..0, early.iter().cloned());
    clock.lap(Stage::Lower);
    let files = output(&api, options, &mut clock)?;
    clock.lap(Stage::Output);
    let mut paged = std::collections::BTreeMap::new();
    for paging in api.operations.iter().filter_map(|op| op.pagination.as_ref()) {
        *paged.entry(paging.shape.label()).or_insert(0) += 1;
    }
    let generated = Generated { files, warnings, operations: api.operations.len(), types: api.types.len(), paged };
    Ok((generated, clock.times))
}

/// The crate's files: the manifest, the emitted and formatted Rust files, and the runtime.
fn output(api: &ir::Api, options: &Options, clock: &mut Clock) -> Result<Vec<GeneratedFile>, Errors> {
    let header = format!("@generated by `{}` from {}. Do not edit.", options.command, options.spec_path);
    let mut files = vec![GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: emit::manifest(api, &options.crate_name, &header),
    }];
    for rust_file in emit::rust_files(api, &options.spec_path, &options.crate_name) {
        let (contents, work) =
            format::format_parts(&rust_file.parts, &header, clock.times.threads).map_err(|message| {
                diagnostics::Sink::fatal(
                    &options.spec_path,
                    "",
                    format!("internal error in {}: {message}", rust_file.path),
                )
            })?;
        clock.times.emit += work.emit;
        clock.times.format += work.format;
        files.push(GeneratedFile { path: rust_file.path.to_owned(), contents });
    }
    files
        .extend(emit::runtime_files(api, &header).into_iter().map(|(path, contents)| GeneratedFile { path, contents }));
    Ok(files)
}

/// A stage of [`StageTimes`] that a [`Clock`] lap is added to.
#[derive(Clone, Copy)]
enum Stage {
    Load,
    Normalise,
    Parse,
    Lower,
    Output,
}

/// Stage times of one run, and when the last lap ended.
struct Clock {
    last: Instant,
    times: StageTimes,
}

impl Clock {
    fn start(threads: usize) -> Self {
        Clock { last: Instant::now(), times: StageTimes { threads, ..StageTimes::default() } }
    }

    /// Adds the time since the last lap to `stage`.
    fn lap(&mut self, stage: Stage) {
        let now = Instant::now();
        let times = &mut self.times;
        *match stage {
            Stage::Load => &mut times.load,
            Stage::Normalise => &mut times.normalise,
            Stage::Parse => &mut times.parse,
            Stage::Lower => &mut times.lower,
            Stage::Output => &mut times.output,
        } += now - self.last;
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text is freed after parsing only when no `$ref` needs the JSON tree again: a schema
    /// `$ref` to a response component (seen in the wild) is read from the tree as a schema.
    #[test]
    fn a_ref_beyond_parsed_components_still_resolves() {
        let spec = r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/s": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json":
                {"schema": {"$ref": "#/components/responses/Status"}}}}}}}},
            "components": {"responses": {"Status": {"description": "a response used as a schema",
                "type": "object", "properties": {"status": {"type": "string"}}}}}}"##;
        let options =
            Options { spec_path: "s.json".to_owned(), crate_name: "s".to_owned(), command: "test".to_owned() };
        let generated = generate(spec.to_owned(), &options).unwrap();
        let types = generated.files.iter().find(|f| f.path == "src/types.rs").unwrap();
        assert!(types.contents.contains("pub status:"), "{}", types.contents);
    }
}
