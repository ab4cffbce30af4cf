//! Front end: the spec's text to the parsed `openapiv3` document, through the first three stages
//! ([`load`](crate::load), [`normalise`](crate::normalise), [`parse`](crate::parse)), and what
//! lowering may need of the text again.
//!
//! A JSON spec is read on two threads: the parser hands the raw text of `paths` to a helper as
//! soon as it reaches it, and both threads build, normalise and read their half. Anything
//! unusual (YAML, malformed JSON, `paths` given twice) goes down the one-thread path, which
//! reports it in its own words. A document the direct reader declines is loaded again and parsed
//! by serde, with repairs.
//!
//! **Invariant:** every path gives the same document a one-thread load, normalise and parse would
//! (`paths_read_apart_give_the_one_thread_model` checks it), and errors are worded by the
//! one-thread path, so threading never changes the output.

use std::borrow::Cow;
use std::thread;

use openapiv3::OpenAPI;

use crate::bundle::{self, Files};
use crate::diagnostics::{Diagnostic, Errors, Origins, Sink};
use crate::lower::Raw;
use crate::{Clock, Stage, load, normalise, parse, swagger2, v32};

/// The parsed document, and the same document as JSON for lowering's rare `$ref`s that the parsed
/// model cannot answer (read again from the text on first use, or not kept at all).
pub struct Front<'t> {
    pub doc: OpenAPI,
    pub raw: Raw<'t>,
}

/// A spec made whole before the first stage reads it: bundled from several files
/// ([`bundle`]), converted from Swagger 2.0 ([`swagger2`]), or both; otherwise the text as it
/// came. `origins` locates diagnostics about the made document in the documents it came from;
/// `warnings` are the conversion's, already located.
pub(crate) struct Prepared<'t> {
    pub text: Cow<'t, str>,
    pub origins: Vec<Origins>,
    pub warnings: Vec<Diagnostic>,
}

/// Bundles `text` (the spec `file`) when it has `$ref`s to other files and `files` can read them,
/// and converts it to OpenAPI 3.0 when it declares Swagger 2.0. A single-file OpenAPI 3 spec is
/// returned as it is, after a scan of its text, so it keeps the two-thread path.
pub(crate) fn prepare<'t>(text: Cow<'t, str>, file: &str, files: Option<&Files>) -> Result<Prepared<'t>, Errors> {
    let mut prepared = Prepared { text, origins: Vec::new(), warnings: Vec::new() };
    let files = files.filter(|_| bundle::has_external_refs(&prepared.text));
    if files.is_none() && !swagger2::may_declare_swagger(&prepared.text) {
        return Ok(prepared);
    }
    let mut tree = load::tree(file, &prepared.text)?;
    let swagger = load::is_swagger2(&tree);
    if files.is_none() && !swagger {
        return Ok(prepared);
    }
    // Bundling comes first, so a converted document's origins lead to the bundled one's.
    let bundled = match files {
        Some(files) => Some(bundle::bundle(file, &mut tree, files, swagger)?),
        None => None,
    };
    if swagger {
        let mut sink = Sink::new(file);
        prepared.origins.push(swagger2::convert(file, &mut tree, &mut sink));
        prepared.warnings = sink.finish()?;
    }
    if let Some(bundled) = bundled {
        prepared.warnings.iter_mut().for_each(|warning| bundled.locate(file, warning));
        prepared.origins.push(bundled);
    }
    let text = serde_json::to_string(&tree)
        .map_err(|e| Sink::fatal(file, "", format!("internal error: the made document is not JSON: {e}")))?;
    prepared.text = Cow::Owned(text);
    Ok(prepared)
}

/// The first two stages, [`load`] and [`normalise`]: the tree the parse stage reads.
pub fn normalised_tree(file: &str, text: &str) -> Result<serde_json::Value, Errors> {
    let (mut value, version) = load::load(file, text)?;
    downgrade(&mut value, version, None);
    normalise::normalise(&mut value, version);
    Ok(value)
}

/// Rewrites a 3.2 document into 3.1 shapes ([`v32`]), its warnings into `sink` when given (the
/// same document read again for lowering or repairs has had them reported already).
fn downgrade(value: &mut serde_json::Value, version: load::Version, sink: Option<&mut Sink>) {
    if version != load::Version::V3_2 {
        return;
    }
    let warnings = v32::downgrade(value);
    if let Some(sink) = sink {
        for (pointer, message) in warnings {
            sink.warning(&pointer, message);
        }
    }
}

/// Loads, normalises and parses `text` (named `file` in diagnostics), on two threads when
/// `threads` allows. Repairs are warnings in `sink`. The text is freed here unless lowering may
/// need it again.
pub(crate) fn read<'t>(
    text: Cow<'t, str>,
    file: &str,
    threads: usize,
    sink: &mut Sink,
    clock: &mut Clock,
) -> Result<Front<'t>, Errors> {
    let split = if threads > 1 { read_split(file, &text, clock) } else { Split::OneThread };
    let read = match split {
        Split::Read(read) => read,
        Split::OneThread => read_one_thread(file, &text, sink, clock)?,
    };
    // Most documents parse as they are, and the tree is consumed as it is read. Lowering needs
    // the tree again only for a `$ref` beyond whole components, so it keeps the text for that
    // (and reads it again on first use) or frees it now. The few documents that need repairs are
    // loaded again and repaired in place; lowering then keeps the repaired tree.
    let front = match read {
        Some(read) if read.refs_beyond_components => {
            let file = file.to_owned();
            Front { doc: read.doc, raw: Raw::lazy(move || normalised_tree(&file, &text).ok()) }
        }
        Some(read) => {
            drop(text);
            Front { doc: read.doc, raw: Raw::none() }
        }
        None => {
            let mut value = normalised_tree(file, &text)?;
            drop(text);
            let doc = parse::parse(file, &mut value, sink)?;
            Front { doc, raw: Raw::ready(value) }
        }
    };
    clock.lap(Stage::Parse);
    Ok(front)
}

/// Loads, normalises and reads the whole document on this thread; `None` when the direct reader
/// declines it.
fn read_one_thread(file: &str, text: &str, sink: &mut Sink, clock: &mut Clock) -> Result<Option<parse::Read>, Errors> {
    let (mut value, version) = load::load(file, text)?;
    clock.lap(Stage::Load);
    downgrade(&mut value, version, Some(sink));
    normalise::normalise(&mut value, version);
    clock.lap(Stage::Normalise);
    Ok(parse::parse_owned(value))
}

/// What reading a document with its `paths` on a second thread gave.
// Made once per run and moved once: boxing the document would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Split {
    /// Both halves were read: the document, or `None` when the direct reader declined a half
    /// (as [`parse::parse_owned`] does).
    Read(Option<parse::Read>),
    /// Not a document this path takes: YAML text, malformed JSON, no `paths`, `paths` given
    /// twice, or OpenAPI 3.2. The one-thread path reports what went wrong in its own words.
    OneThread,
}

/// Loads, normalises and parses a JSON document with its `paths` on a second thread: the parser
/// hands the raw `paths` text over as soon as it reaches it, and both threads then build,
/// normalise and read their half (on GitHub's spec, paths are two fifths of what is read). The
/// stage times are this thread's, so `parse` includes waiting for the paths.
fn read_split(file: &str, text: &str, clock: &mut Clock) -> Split {
    let read = thread::scope(|scope| {
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
        // A 3.2 document is rewritten as a whole (with warnings) on the one-thread path.
        let (mut value, version) = loaded.ok().filter(|(_, version)| handed == 1 && *version != load::Version::V3_2)?;
        clock.lap(Stage::Load);
        normalise::normalise(&mut value, version);
        clock.lap(Stage::Normalise);
        let read = parse::parse_owned(value);
        let paths = helper?.join().ok()??;
        let (Some(mut read), Some((paths, beyond))) = (read, paths) else { return Some(None) };
        read.doc.paths = paths;
        read.refs_beyond_components |= beyond;
        Some(Some(read))
    });
    match read {
        Some(read) => Split::Read(read),
        None => Split::OneThread,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, generate};

    fn read_split_alone(text: &str) -> Split {
        read_split("s.json", text, &mut Clock::start(1))
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
            let Split::Read(Some(split)) = read_split_alone(&text) else { panic!("not read apart directly: {text}") };
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
        assert!(matches!(read_split_alone(&malformed), Split::OneThread));
        assert!(matches!(read_split_alone(&twice), Split::OneThread));
        assert!(matches!(read_split_alone("openapi: 3.0.3\npaths: {}\n"), Split::OneThread));
        // An operation without `responses` is for serde (with repairs) to judge.
        let declined = format!(r#"{head}"paths": {{"/a": {{"get": {{}}}}}}}}"#);
        assert!(matches!(read_split_alone(&declined), Split::Read(None)));

        let options =
            Options { spec_path: "s.json".to_owned(), crate_name: "s".to_owned(), command: "test".to_owned() };
        let error = generate(malformed.as_str(), &options).unwrap_err().to_string();
        assert!(error.contains("malformed JSON at line 2 column 28"), "{error}");
        let generated = generate(twice.as_str(), &options).unwrap();
        assert_eq!(generated.operations, 1, "the last `paths` wins, as in a JSON tree");
    }

    /// A 3.2 document is rewritten as a whole on the one-thread path, so its warnings are
    /// reported once and its paths are read in their 3.1 shape.
    #[test]
    fn openapi_32_is_read_on_one_thread_with_its_warnings_once() {
        let text = r#"{"openapi": "3.2.0", "info": {"title": "t", "version": "1"},
            "servers": [{"url": "https://a.example", "name": "a"}],
            "paths": {"/a": {"query": {"responses": {"204": {"summary": "searched"}}}}}}"#;
        assert!(matches!(read_split_alone(text), Split::OneThread));
        let options =
            Options { spec_path: "s.json".to_owned(), crate_name: "s".to_owned(), command: "test".to_owned() };
        let generated = generate(text, &options).unwrap();
        assert_eq!(generated.operations, 1);
        let pointers: Vec<&str> = generated.warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(pointers, ["/servers/0/name"]);
    }
}
