//! Turns an OpenAPI 3.0 or 3.1 document into the source files of a typed async Rust client crate.
//!
//! The pipeline reads top to bottom, one module per stage, no stage reaching back:
//! [`load`] (JSON or YAML text to a JSON tree) → [`normalise`] (3.1 forms to the 3.0 model) →
//! [`parse`] (into `openapiv3`) → [`lower`] (resolve references, decide names, build the [`ir`]) →
//! [`emit`] (syntax trees or token streams, a part of a file at a time) → [`format`]
//! (prettyplease, parts spread over every core). The library does no I/O: it takes the spec's
//! text and returns the files' contents; the `xtask` driver reads and writes.

pub mod diagnostics;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod normalise;
pub mod parse;
pub mod pointer;

use std::borrow::Cow;
use std::thread;
use std::time::{Duration, Instant};

pub use diagnostics::{Diagnostic, Errors, Severity};

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

/// The first two stages, [`load`] and [`normalise`]: the tree the parse stage reads.
pub fn normalised_tree(file: &str, text: &str) -> Result<serde_json::Value, Errors> {
    let (mut value, version) = load::load(file, text)?;
    normalise::normalise(&mut value, version);
    Ok(value)
}

/// Runs the whole pipeline on a spec's text. Never panics; every problem is a [`Diagnostic`].
///
/// Given the text by value (a `String`), generation frees it as soon as it is parsed (or, for a
/// spec with `$ref`s beyond whole components, lowered), so the input and the output are never
/// both in memory; borrowed text stays with the caller.
pub fn generate<'t>(text: impl Into<Cow<'t, str>>, options: &Options) -> Result<Generated, Errors> {
    generate_timed(text, options).map(|(generated, _)| generated)
}

/// [`generate`], also returning how long each stage took (for `cargo xtask bench`). The output is
/// the same as [`generate`]'s; reading the clock is the only addition.
pub fn generate_timed<'t>(text: impl Into<Cow<'t, str>>, options: &Options) -> Result<(Generated, StageTimes), Errors> {
    let text: Cow<'t, str> = text.into();
    let mut times = StageTimes::default();
    let mut clock = Clock(Instant::now());
    let file = options.spec_path.as_str();
    let threads = thread::available_parallelism().map_or(1, usize::from);
    times.threads = threads;
    // Loads and normalises the text again: for a document that needs repairs, and for a `$ref`
    // into the raw tree after the first tree was consumed.
    let reload = |text: &str| normalised_tree(file, text);
    let read = match (threads > 1).then(|| read_split(file, &text, &mut clock, &mut times)).flatten() {
        Some(read) => read,
        None => {
            let (mut value, version) = load::load(file, &text)?;
            clock.lap(&mut times.load);
            normalise::normalise(&mut value, version);
            clock.lap(&mut times.normalise);
            parse::parse_owned(value)
        }
    };
    let mut sink = diagnostics::Sink::new(file);
    // Most documents parse as they are, and the tree is consumed as it is read. Lowering needs
    // the tree again only for a `$ref` beyond whole components, so it keeps the text for that
    // (and reads it again on first use) or frees it now. The few documents that need repairs are
    // loaded again and repaired in place; lowering then keeps the repaired tree.
    let (doc, raw) = match read {
        Some(read) if read.refs_beyond_components => (read.doc, lower::Raw::lazy(move || reload(&text).ok())),
        Some(read) => {
            drop(text);
            (read.doc, lower::Raw::none())
        }
        None => {
            let mut value = reload(&text)?;
            drop(text);
            let doc = parse::parse(file, &mut value, &mut sink)?;
            (doc, lower::Raw::ready(value))
        }
    };
    clock.lap(&mut times.parse);
    let api = lower::lower(&doc, &raw, &mut sink);
    // The spec's trees are not needed past this point; free them before the output grows.
    drop(doc);
    drop(raw);
    let warnings = sink.finish()?;
    clock.lap(&mut times.lower);
    let header = format!("@generated by `{}` from {}. Do not edit.", options.command, options.spec_path);
    let mut files = vec![GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: emit::manifest(&api, &options.crate_name, &header),
    }];
    for rust_file in emit::rust_files(&api, &options.spec_path) {
        let (contents, work) = format::format_parts(&rust_file.parts, &header, threads).map_err(|message| {
            diagnostics::Sink::fatal(file, "", format!("internal error in {}: {message}", rust_file.path))
        })?;
        times.emit += work.emit;
        times.format += work.format;
        files.push(GeneratedFile { path: rust_file.path.to_owned(), contents });
    }
    files.extend(
        emit::runtime_files(&api, &header).into_iter().map(|(path, contents)| GeneratedFile { path, contents }),
    );
    clock.lap(&mut times.output);
    let generated = Generated { files, warnings, operations: api.operations.len(), types: api.types.len() };
    Ok((generated, times))
}

/// The time since the last lap, added to a stage.
struct Clock(Instant);

impl Clock {
    fn lap(&mut self, stage: &mut Duration) {
        let now = Instant::now();
        *stage += now - self.0;
        self.0 = now;
    }
}

/// Loads, normalises and parses a JSON document with its `paths` on a second thread: the parser
/// hands the raw `paths` text over as soon as it reaches it, and both threads then build,
/// normalise and read their half (on GitHub's spec, paths are two fifths of what is read). The
/// stage times are this thread's, so `parse` includes waiting for the paths.
///
/// The outer `None` sends the caller down the one-thread path, which then reports what went
/// wrong in its own words: YAML text, malformed JSON, no `paths`, or `paths` given twice. The
/// inner `None` is the direct reader declining, as [`parse::parse_owned`] does.
fn read_split(file: &str, text: &str, clock: &mut Clock, times: &mut StageTimes) -> Option<Option<parse::Read>> {
    thread::scope(|scope| {
        let mut helper = None;
        let mut handed = 0;
        let loaded = load::load_json_split(file, text, &mut |paths: &str| {
            handed += 1;
            if handed == 1 {
                helper = Some(scope.spawn(move || {
                    let mut paths = serde_json::from_str(paths).ok()?;
                    normalise::normalise_paths(&mut paths);
                    Some(parse::parse_paths_owned(paths))
                }));
            }
        })?;
        let (mut value, version) = loaded.ok().filter(|_| handed == 1)?;
        clock.lap(&mut times.load);
        normalise::normalise(&mut value, version);
        clock.lap(&mut times.normalise);
        let read = parse::parse_owned(value);
        let paths = helper?.join().ok()??;
        let (Some(mut read), Some((paths, beyond))) = (read, paths) else { return Some(None) };
        read.doc.paths = paths;
        read.refs_beyond_components |= beyond;
        Some(Some(read))
    })
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

    fn read_split_alone(text: &str) -> Option<Option<parse::Read>> {
        read_split("s.json", text, &mut Clock(Instant::now()), &mut StageTimes::default())
    }

    /// Paths read on their own thread give the model the one-thread path gives: normalised (the
    /// 3.1 forms below), and with a `$ref` beyond whole components noticed in either half.
    #[test]
    fn paths_read_apart_give_the_one_thread_model() {
        let doc = |path_schema: &str, component_schema: &str| {
            format!(
                r##"{{"openapi": "3.1.0", "info": {{"title": "t", "version": "1"}},
                "paths": {{"/s/{{id}}": {{"get": {{"parameters": [{{"name": "id", "in": "path", "required": true,
                    "schema": {{"type": ["string", "null"]}}}}],
                    "responses": {{"200": {{"description": "ok", "content": {{"application/json":
                        {{"schema": {path_schema}}}}}}}}}}}}}}},
                "x-skipped": [1],
                "components": {{"schemas": {{"S": {component_schema}, "T": {{"const": "t"}}}}}}}}"##
            )
        };
        let whole = r##"{"$ref": "#/components/schemas/S"}"##;
        let beyond = r##"{"$ref": "#/components/schemas/S/properties/a"}"##;
        let object = r#"{"type": "object", "properties": {"a": {"type": ["integer", "null"]}}}"#;
        for (text, beyond_expected) in
            [(doc(whole, object), false), (doc(beyond, object), true), (doc(whole, beyond), true)]
        {
            let split = read_split_alone(&text).expect("read apart").expect("read directly");
            let one = parse::parse_owned(normalised_tree("s.json", &text).unwrap()).unwrap();
            assert!(split.doc == one.doc, "{text}");
            assert_eq!(split.doc.paths.paths.len(), 1);
            assert_eq!((split.refs_beyond_components, one.refs_beyond_components), (beyond_expected, beyond_expected));
        }
    }

    /// Whatever the split read cannot take goes down the one-thread path, which reports it in its
    /// own words (malformed JSON by line and column) or repairs it.
    #[test]
    fn what_paths_read_apart_cannot_take_goes_down_the_one_thread_path() {
        let head = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "#;
        let malformed = format!("{head}\n\"paths\": {{\"/a\": {{\"get\": [1,, 2]}}}}}}");
        let operation = r#"{"get": {"responses": {"200": {"description": "ok"}}}}"#;
        let twice = format!(r#"{head}"paths": {{}}, "paths": {{"/a": {operation}}}}}"#);
        assert!(read_split_alone(&malformed).is_none());
        assert!(read_split_alone(&twice).is_none());
        assert!(read_split_alone("openapi: 3.0.3\npaths: {}\n").is_none());
        // An operation without `responses` is for serde (with repairs) to judge.
        let declined = format!(r#"{head}"paths": {{"/a": {{"get": {{}}}}}}}}"#);
        assert!(matches!(read_split_alone(&declined), Some(None)));

        let options =
            Options { spec_path: "s.json".to_owned(), crate_name: "s".to_owned(), command: "test".to_owned() };
        let error = generate(malformed.as_str(), &options).unwrap_err().to_string();
        assert!(error.contains("malformed JSON at line 2 column 28"), "{error}");
        let generated = generate(twice.as_str(), &options).unwrap();
        assert_eq!(generated.operations, 1, "the last `paths` wins, as in a JSON tree");
    }
}
