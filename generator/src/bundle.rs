//! Bundle stage: a spec split over several files becomes one document, before anything else reads
//! it, so every later stage sees a single-file spec.
//!
//! A `$ref` to another file (`./schemas/call.yaml#/Call`, `../common/errors.json#/responses/NotFound`)
//! is resolved relative to the file it sits in, and its target is read through the caller's
//! [`Files`] (the library does no I/O). What the target becomes depends on where the `$ref` sits,
//! found by position (as [`crate::normalise`] finds schemas), so examples and other literal data
//! are never rewritten:
//!
//! - a schema, parameter, response, request body or header becomes a component of its kind
//!   (`components/schemas`, or `definitions` in Swagger 2.0) and the `$ref` points to it. Its name
//!   is the pointer's last token (`Call`), or the file's stem for a whole file (`call.yaml` →
//!   `call`); a name already taken gets the stem in front (`errors_NotFound`), then a number
//!   (`Call_2`). Names are given in document order and never merge two targets;
//! - a `$ref` that is itself a component (`components: {schemas: {Call: {$ref: ./call.yaml}}}`,
//!   Redocly's layout) makes its target that component, under that name;
//! - anything else (a path item, a callback, a link) is copied in place of the `$ref`; an
//!   example's `$ref` is not followed (no stage reads examples).
//!
//! A target is identified by its file (its path made from the referring file's folder, with `.`
//! and `..` resolved) and its JSON pointer, so one file reached by two paths is read once and each
//! target is one component, and files that refer to each other in cycles end. A reference back into
//! the spec itself becomes a local `$ref`. Remote (`http(s)://`) references, absolute paths and
//! paths that leave the caller's root are refused. Every error names the file and pointer of the
//! `$ref` and the target it could not read; [`Origins`] move later diagnostics about a bundled part
//! to the file and pointer it came from.

use std::collections::{HashMap, HashSet, VecDeque};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Map, Value};

use crate::diagnostics::{Errors, Origins, Sink};
use crate::{load, pointer};

/// How a spec's caller lends it the files its `$ref`s point into.
pub struct Files<'f> {
    /// The folder no reference may leave, named the way [`crate::Options::spec_path`] names the
    /// spec (`/`-separated, relative or absolute; `""` is the current folder).
    pub root: String,
    /// Reads a file, given its path as the spec's path is given, joined with the referring
    /// file's folder and with `.` and `..` resolved (always below [`Files::root`]). An error is
    /// a short reason (`no such file`).
    pub read: &'f dyn Fn(&str) -> Result<String, String>,
}

/// Whether the text has a `$ref` whose value does not start with `#`: a cheap scan that keeps a
/// single-file spec on its fast path. It may find a `$ref` in prose (then bundling finds nothing
/// to do), never misses a `$ref` to another file written as JSON or YAML writes one. Of the
/// 2,640 corpus specs one matches (`beezup.com`, whose description quotes a remote `$ref`).
pub fn has_external_refs(text: &str) -> bool {
    memchr::memmem::find_iter(text.as_bytes(), "$ref").any(|at| {
        let rest = text[at + 4..].trim_start_matches(['"', '\'', ' ', '\t']);
        let Some(value) = rest.strip_prefix(':') else { return false };
        let value = value.trim_start_matches(['"', '\'', ' ', '\t', '\r', '\n']);
        // A mapping or list is a property called `$ref`, not a reference.
        !value.is_empty() && !value.starts_with(['#', '{', '['])
    })
}

/// Bundles every file `doc` (the spec `file`) refers to into it. `swagger` puts components
/// where Swagger 2.0 keeps them (`definitions`, `parameters`, `responses`).
pub fn bundle(file: &str, doc: &mut Value, files: &Files, swagger: bool) -> Result<Origins, Errors> {
    let mut bundler = Bundler::new(files, swagger, normalise_path(file).unwrap_or_default());
    bundler.claim_components(doc);
    let top = Place { file: bundler.spec.clone(), src: String::new(), out: String::new() };
    bundler.walk(doc, Kind::Doc, &top)?;
    let mut hoisted = Vec::new();
    while let Some(job) = bundler.jobs.pop_front() {
        let mut content = bundler.target_value(&job.target, &job.reference, &job.from)?.clone();
        let place = Place { file: job.target.file.clone(), src: job.target.pointer.clone(), out: job.out.clone() };
        bundler.walk(&mut content, job.kind, &place)?;
        bundler.origins.add(&job.out, &job.target.file, &job.target.pointer);
        hoisted.push((job.section, job.name, content));
    }
    for (section, name, content) in hoisted {
        insert(doc, section, name, content);
    }
    Ok(bundler.origins)
}

/// The kinds of object a `$ref` can stand for, decided by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Doc,
    Components,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Media,
    Header,
    Schema,
    Discriminator,
    Encoding,
    Callback,
    Link,
    SecurityScheme,
}

/// What a member of an object of some [`Kind`] holds.
enum Node {
    One(Kind),
    MapOf(Kind),
    ListOf(Kind),
    /// Literal data or anything no `$ref` is followed in.
    Skip,
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"];

/// What member `key` of an object of kind `kind` holds.
fn member(kind: Kind, key: &str, swagger: bool) -> Node {
    use Kind::*;
    use Node::*;
    match (kind, key) {
        (Doc, "paths" | "webhooks") => MapOf(PathItem),
        (Doc, "components") => One(Components),
        (Doc, "definitions") if swagger => MapOf(Schema),
        (Doc, "parameters") if swagger => MapOf(Parameter),
        (Doc, "responses") if swagger => MapOf(Response),
        (Components, "schemas") => MapOf(Schema),
        (Components, "responses") => MapOf(Response),
        (Components, "parameters") => MapOf(Parameter),
        (Components, "requestBodies") => MapOf(RequestBody),
        (Components, "headers") => MapOf(Header),
        (Components, "securitySchemes") => MapOf(SecurityScheme),
        (Components, "links") => MapOf(Link),
        (Components, "callbacks") => MapOf(Callback),
        (Components, "pathItems") => MapOf(PathItem),
        (PathItem | Operation, "parameters") => ListOf(Parameter),
        (PathItem, "additionalOperations") => MapOf(Operation),
        (PathItem, method) if METHODS.contains(&method) => One(Operation),
        (Operation, "requestBody") => One(RequestBody),
        (Operation, "responses") => MapOf(Response),
        (Operation, "callbacks") => MapOf(Callback),
        (Parameter | Header | Media, "schema") | (Media, "itemSchema") => One(Schema),
        (Response, "schema") if swagger => One(Schema),
        (Parameter | Header | RequestBody | Response, "content") => MapOf(Media),
        (Response | Encoding, "headers") => MapOf(Header),
        (Response, "links") => MapOf(Link),
        (Media, "encoding") => MapOf(Encoding),
        (Callback, expression) if !expression.starts_with("x-") => One(PathItem),
        (Schema, "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas") => MapOf(Schema),
        (
            Schema,
            "items"
            | "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "additionalItems"
            | "contentSchema",
        ) => One(Schema),
        (Schema, "allOf" | "anyOf" | "oneOf" | "prefixItems") => ListOf(Schema),
        (Schema, "discriminator") => One(Discriminator),
        // Examples are documentation no stage reads (`load` leaves `components/examples` out), so
        // their `$ref`s are not followed either.
        _ => Skip,
    }
}

/// Where a target of each kind becomes a component, if it does.
fn section(kind: Kind, swagger: bool) -> Option<&'static str> {
    Some(match (kind, swagger) {
        (Kind::Schema, false) => "/components/schemas",
        (Kind::Parameter, false) => "/components/parameters",
        (Kind::Response, false) => "/components/responses",
        (Kind::RequestBody, false) => "/components/requestBodies",
        (Kind::Header, false) => "/components/headers",
        (Kind::Schema, true) => "/definitions",
        (Kind::Parameter, true) => "/parameters",
        (Kind::Response, true) => "/responses",
        _ => return None,
    })
}

/// A place being walked: the file it is read from and its pointer there, and its pointer in the
/// bundled document.
#[derive(Clone)]
struct Place {
    file: String,
    src: String,
    out: String,
}

impl Place {
    fn member(&self, key: &str) -> Place {
        Place { file: self.file.clone(), src: pointer::push(&self.src, key), out: pointer::push(&self.out, key) }
    }
}

/// A `$ref`'s target: a file (normalised path) and a pointer in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Target {
    file: String,
    pointer: String,
}

/// A target to copy into a component once the spec's own tree is walked.
struct Job {
    target: Target,
    reference: String,
    from: Place,
    kind: Kind,
    section: &'static str,
    name: String,
    out: String,
}

struct Bundler<'b, 'f> {
    files: &'b Files<'f>,
    swagger: bool,
    /// The spec's own path, normalised.
    spec: String,
    /// [`Files::root`], normalised.
    root: String,
    /// Every file read so far, by normalised path.
    cache: HashMap<String, Value>,
    /// Each target made a component (or found in the spec), and the local `$ref` to it.
    done: HashMap<Target, String>,
    /// Component names taken in each section.
    taken: HashMap<&'static str, HashSet<String>>,
    jobs: VecDeque<Job>,
    /// Targets being copied in place, to refuse a cycle of them.
    inlining: Vec<Target>,
    origins: Origins,
}

/// Characters written percent-encoded in a `$ref` fragment this module makes.
const FRAGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'#').add(b'"');

impl<'b, 'f> Bundler<'b, 'f> {
    /// A bundler of the spec at `spec` (normalised) that has read nothing yet.
    fn new(files: &'b Files<'f>, swagger: bool, spec: String) -> Self {
        Bundler {
            files,
            swagger,
            spec,
            root: normalise_path(&files.root).unwrap_or_default(),
            cache: HashMap::new(),
            done: HashMap::new(),
            taken: HashMap::new(),
            jobs: VecDeque::new(),
            inlining: Vec::new(),
            origins: Origins::default(),
        }
    }

    /// Claims the names of the spec's own components, and makes each component that is a `$ref`
    /// to another file the component its target becomes (Redocly's layout).
    fn claim_components(&mut self, doc: &Value) {
        let kinds = [Kind::Schema, Kind::Parameter, Kind::Response, Kind::RequestBody, Kind::Header];
        for kind in kinds {
            let Some(section) = section(kind, self.swagger) else { continue };
            let Some(components) = doc.pointer(section).and_then(Value::as_object) else { continue };
            for (name, component) in components {
                self.taken.entry(section).or_default().insert(name.clone());
                let Some(reference) = component.get("$ref").and_then(Value::as_str) else { continue };
                let place = Place { file: self.spec.clone(), src: String::new(), out: String::new() };
                if let Ok(Some(target)) = self.target(reference, &place.member(section)) {
                    self.done.entry(target).or_insert_with(|| local_ref(&pointer::push(section, name)));
                }
            }
        }
    }

    fn walk(&mut self, value: &mut Value, kind: Kind, place: &Place) -> Result<(), Errors> {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(item, kind, &place.member(&i.to_string()))?;
                }
            }
            Value::Object(object) => {
                if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                    let reference = reference.to_owned();
                    if let Some(replacement) = self.reference(&reference, kind, place)? {
                        let siblings = std::mem::take(object);
                        *value = replacement;
                        merge_siblings(value, siblings);
                        return Ok(());
                    }
                }
                if kind == Kind::Discriminator {
                    return self.mapping(object, place);
                }
                for (key, member_value) in object.iter_mut() {
                    if key == "$ref" {
                        continue;
                    }
                    let place = place.member(key);
                    match member(kind, key, self.swagger) {
                        Node::One(kind) => self.walk(member_value, kind, &place)?,
                        Node::MapOf(kind) => self.walk_map(member_value, kind, &place)?,
                        Node::ListOf(kind) => self.walk(member_value, kind, &place)?,
                        Node::Skip => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn walk_map(&mut self, value: &mut Value, kind: Kind, place: &Place) -> Result<(), Errors> {
        let Some(map) = value.as_object_mut() else { return Ok(()) };
        for (key, item) in map.iter_mut() {
            // Extensions sit beside the items of most maps; a schema's properties may be called so.
            if kind == Kind::Schema || !key.starts_with("x-") {
                self.walk(item, kind, &place.member(key))?;
            }
        }
        Ok(())
    }

    /// A discriminator's `mapping` values that name a schema in another file (or, in another
    /// file, in that file) point to its component instead.
    fn mapping(&mut self, discriminator: &mut Map<String, Value>, place: &Place) -> Result<(), Errors> {
        let Some(mapping) = discriminator.get_mut("mapping").and_then(Value::as_object_mut) else { return Ok(()) };
        let place = place.member("mapping");
        for (tag, value) in mapping.iter_mut() {
            let Some(reference) = value.as_str() else { continue };
            let looks_like_ref = reference.contains(['#', '/']) || has_spec_extension(reference);
            if !looks_like_ref {
                continue;
            }
            let reference = reference.to_owned();
            let mut stand_in = serde_json::json!({ "$ref": reference });
            self.walk(&mut stand_in, Kind::Schema, &place.member(tag))?;
            if let Some(local) = stand_in.get("$ref").and_then(Value::as_str) {
                *value = Value::String(local.to_owned());
            }
        }
        Ok(())
    }

    /// Resolves one `$ref` of an object of kind `kind` at `place`: rewrites the `$ref` in place
    /// (`None`: the caller keeps the object, whose `$ref` is now local) or returns the target's
    /// copy that replaces the object.
    fn reference(&mut self, reference: &str, kind: Kind, place: &Place) -> Result<Option<Value>, Errors> {
        let Some(target) = self.target(reference, place)? else { return Ok(None) };
        let in_place = place.file == self.spec
            && self.done.get(&target).is_some_and(|local| pointer::fragment(local).as_ref() == Some(&place.out));
        if target.file == self.spec {
            return Ok(Some(serde_json::json!({ "$ref": local_ref(&target.pointer) })));
        }
        if !in_place {
            if let Some(local) = self.done.get(&target) {
                return Ok(Some(serde_json::json!({ "$ref": local })));
            }
            if let Some(section) = section(kind, self.swagger) {
                let name = self.name(section, &target);
                let out = pointer::push(section, &name);
                let local = local_ref(&out);
                self.done.insert(target.clone(), local.clone());
                let from = place.clone();
                let reference = reference.to_owned();
                self.jobs.push_back(Job { target, reference, from, kind, section, name, out });
                return Ok(Some(serde_json::json!({ "$ref": local })));
            }
        }
        if self.inlining.contains(&target) {
            return Err(Sink::fatal(
                &place.file,
                &place.src,
                format!(
                    "$ref `{reference}` is part of a cycle of references to {}#{} that cannot be copied in place",
                    target.file, target.pointer
                ),
            ));
        }
        let mut content = self.target_value(&target, reference, place)?.clone();
        self.inlining.push(target.clone());
        let inner = Place { file: target.file.clone(), src: target.pointer.clone(), out: place.out.clone() };
        self.walk(&mut content, kind, &inner)?;
        self.inlining.pop();
        self.origins.add(&place.out, &target.file, &target.pointer);
        Ok(Some(content))
    }

    /// The target of `reference` written at `place`: `None` for a local reference in the spec
    /// itself (left as it is). Remote references, absolute paths and paths leaving the root are
    /// errors at `place`.
    fn target(&self, reference: &str, place: &Place) -> Result<Option<Target>, Errors> {
        let fail = |message: String| Err(Sink::fatal(&place.file, &place.src, message));
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if path.is_empty() && place.file == self.spec {
            return Ok(None);
        }
        let pointer = pointer::fragment(&format!("#{fragment}")).unwrap_or_default();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return fail(format!("$ref `{reference}`: the fragment `#{fragment}` is not a JSON pointer"));
        }
        if path.is_empty() {
            return Ok(Some(Target { file: place.file.clone(), pointer }));
        }
        if let Some((scheme, _)) = path.split_once(':').filter(|(scheme, _)| is_scheme(scheme)) {
            let why = if matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
                "remote references are not supported (generation reads no network); \
                 download the document and refer to it by a relative path"
            } else {
                "only relative file paths are supported"
            };
            return fail(format!("$ref `{reference}`: {why}"));
        }
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        if path.starts_with('/') || path.starts_with('\\') {
            return fail(format!("$ref `{reference}`: absolute paths are not supported; use a relative path"));
        }
        let folder = place.file.rsplit_once('/').map_or("", |(folder, _)| folder);
        let joined = if folder.is_empty() { path.into_owned() } else { format!("{folder}/{path}") };
        let file = normalise_path(&joined).filter(|file| self.allows(file));
        let Some(file) = file else {
            return fail(format!(
                "$ref `{reference}` leaves the folder references may read ({})",
                if self.root.is_empty() { "." } else { &self.root }
            ));
        };
        Ok(Some(Target { file, pointer }))
    }

    /// Whether `file` (normalised) lies below the root, decided from the two paths alone: a
    /// relative file climbs (`..`) no higher than the root, and below the point where both stop
    /// climbing it starts with the rest of the root.
    fn allows(&self, file: &str) -> bool {
        if file.starts_with('/') != self.root.starts_with('/') {
            return false;
        }
        let ups = |path: &str| path.split('/').take_while(|part| *part == "..").count();
        let (root_ups, file_ups) = (ups(&self.root), ups(file));
        let (root_rest, file_rest) = (below(&self.root, root_ups), below(file, file_ups));
        match file_ups.cmp(&root_ups) {
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Less => root_rest.is_empty(),
            std::cmp::Ordering::Equal => file_rest.len() > root_rest.len() && file_rest.starts_with(&root_rest),
        }
    }

    /// The value a target names, read through the caller on first use. Errors are at `place`
    /// (the `$ref`), naming the target.
    fn target_value(&mut self, target: &Target, reference: &str, place: &Place) -> Result<&Value, Errors> {
        if !self.cache.contains_key(&target.file) {
            let text = (self.files.read)(&target.file).map_err(|why| {
                Sink::fatal(&place.file, &place.src, format!("$ref `{reference}`: cannot read {}: {why}", target.file))
            })?;
            let tree = load::tree(&target.file, &text)?;
            self.cache.insert(target.file.clone(), tree);
        }
        self.cache[&target.file].pointer(&target.pointer).ok_or_else(|| {
            Sink::fatal(
                &place.file,
                &place.src,
                format!("$ref `{reference}`: nothing at {}#{}", target.file, target.pointer),
            )
        })
    }

    /// A free component name in `section` for `target`: its pointer's last token (the file's
    /// stem for a whole file), then `{stem}_{token}`, then a number.
    fn name(&mut self, section: &'static str, target: &Target) -> String {
        let file_name = target.file.rsplit('/').next().unwrap_or(&target.file);
        let stem = file_name.split('.').next().filter(|stem| !stem.is_empty()).unwrap_or(file_name);
        let token = pointer::tokens(&target.pointer).pop().unwrap_or_else(|| stem.to_owned());
        let taken = self.taken.entry(section).or_default();
        let mut candidates = vec![token.clone()];
        if token != stem {
            candidates.push(format!("{stem}_{token}"));
        }
        let name = candidates.into_iter().find(|name| !taken.contains(name)).unwrap_or_else(|| {
            (2..).map(|n| format!("{token}_{n}")).find(|name| !taken.contains(name)).unwrap_or_default()
        });
        taken.insert(name.clone());
        name
    }
}

/// The local `$ref` to `pointer` (`#/components/schemas/a%20b`).
fn local_ref(pointer: &str) -> String {
    format!("#{}", utf8_percent_encode(pointer, FRAGMENT))
}

/// The segments of `path` after its first `ups` (its leading `..`s).
fn below(path: &str, ups: usize) -> Vec<&str> {
    path.split('/').skip(ups).filter(|part| !part.is_empty()).collect()
}

/// Keys beside a `$ref` that was replaced by its target's copy (or by a new `$ref`) are kept:
/// 3.1 lets `summary` and `description` (and, in a schema, any keyword) sit beside one.
fn merge_siblings(value: &mut Value, siblings: Map<String, Value>) {
    let Some(object) = value.as_object_mut() else { return };
    for (key, sibling) in siblings {
        if key != "$ref" {
            object.insert(key, sibling);
        }
    }
}

/// Adds a component under `section` (a pointer of one or two tokens), creating the maps it needs.
fn insert(doc: &mut Value, section: &str, name: String, content: Value) {
    let mut at = doc;
    for token in pointer::tokens(section) {
        let Some(object) = at.as_object_mut() else { return };
        at = object.entry(token).or_insert_with(|| Value::Object(Map::new()));
    }
    if let Some(object) = at.as_object_mut() {
        object.insert(name, content);
    }
}

/// A URI scheme (`http`, `file`): a letter, then letters, digits, `+`, `-` or `.`. A one-letter
/// scheme is taken for a Windows drive (`C:`), which is refused as an absolute path.
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn has_spec_extension(reference: &str) -> bool {
    [".json", ".yaml", ".yml"].iter().any(|extension| reference.ends_with(extension))
}

/// A `/`-separated path with `.` and `..` resolved lexically and empty segments dropped.
/// Leading `..` are kept for a relative path; `None` when an absolute path climbs above `/`.
fn normalise_path(path: &str) -> Option<String> {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => return None,
                _ => parts.push(".."),
            },
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Some(if absolute { format!("/{joined}") } else { joined })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Bundles `files["openapi.yaml"]` with the root `root`.
    fn bundle_in(files: &[(&str, &str)], root: &str) -> Result<(Value, Origins), Errors> {
        let read = |path: &str| {
            files.iter().find(|(name, _)| *name == path).map(|(_, text)| text.to_string()).ok_or("no such file".into())
        };
        let spec = files[0].0;
        let mut doc = load::tree(spec, files[0].1)?;
        let origins = bundle(spec, &mut doc, &Files { root: root.to_owned(), read: &read }, false)?;
        Ok((doc, origins))
    }

    #[test]
    fn scan_finds_refs_to_other_files_only() {
        assert!(has_external_refs(r#"{"$ref": "a.yaml#/A"}"#));
        assert!(has_external_refs("a:\n  $ref: './a.yaml'\n"));
        assert!(has_external_refs("a: {$ref: a.yaml}"));
        assert!(!has_external_refs(r##"{"$ref": "#/components/schemas/A"}"##));
        assert!(!has_external_refs("a:\n  $ref: '#/A'\nb: the $ref keyword\n"));
        assert!(!has_external_refs(r#"{"properties": {"$ref": {"type": "string"}}}"#));
    }

    #[test]
    fn paths_are_resolved_lexically() {
        assert_eq!(normalise_path("spec/a/./b/../c.yaml").as_deref(), Some("spec/a/c.yaml"));
        assert_eq!(normalise_path("a/../../b.yaml").as_deref(), Some("../b.yaml"));
        assert_eq!(normalise_path("/x/../../b.yaml"), None);
        assert_eq!(normalise_path("/x//y/./z").as_deref(), Some("/x/y/z"));
    }

    #[test]
    fn the_root_bounds_every_file() {
        let read = |_: &str| Err(String::new());
        let allows = |root: &str, file: &str| {
            let files = Files { root: root.to_owned(), read: &read };
            let bundler = Bundler::new(&files, false, String::new());
            bundler.allows(file)
        };
        assert!(allows("", "a/b.yaml"));
        assert!(!allows("", "../b.yaml"));
        assert!(allows("spec", "spec/x/b.yaml"));
        assert!(!allows("spec", "specs/b.yaml"));
        assert!(!allows("spec", "spec"));
        assert!(allows("../..", "../b.yaml"));
        assert!(allows("../..", "../../b.yaml"));
        assert!(!allows("../..", "../../../b.yaml"));
        assert!(!allows("../x", "../y/b.yaml"));
        assert!(allows("/repo", "/repo/spec/b.yaml"));
        assert!(!allows("/repo", "/repository/b.yaml"));
        assert!(!allows("/repo", "repo/b.yaml"));
    }

    #[test]
    fn schemas_become_named_components_and_other_parts_are_copied() {
        let files = [
            (
                "api/openapi.yaml",
                "openapi: 3.0.3\npaths:\n  /a: {$ref: 'paths/a.yaml'}\ncomponents:\n  schemas:\n    \
                 Call: {type: object}\n    Agent: {$ref: 'schemas/agent.yaml'}\n",
            ),
            (
                "api/paths/a.yaml",
                "get:\n  responses:\n    '200':\n      description: ok\n      content:\n        application/json:\n          \
                 schema: {$ref: '../schemas/call.yaml#/Call'}\n          example: {$ref: not-followed.yaml}\n          \
                 examples: {one: {$ref: missing.yaml}}\n",
            ),
            (
                "api/schemas/call.yaml",
                "Call:\n  properties:\n    agent: {$ref: './agent.yaml'}\n    next: {$ref: '#/Call'}\n",
            ),
            (
                "api/schemas/agent.yaml",
                "type: object\nproperties:\n  calls: {items: {$ref: '../openapi.yaml#/components/schemas/Call'}}\n",
            ),
        ];
        let (doc, origins) = bundle_in(&files, "api").unwrap();
        let media = &doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        // `Call` is taken by the spec's own schema, so the file's `Call` is `call_Call`.
        assert_eq!(media["schema"], json!({"$ref": "#/components/schemas/call_Call"}));
        assert_eq!(media["example"], json!({"$ref": "not-followed.yaml"}), "literal data is never rewritten");
        assert_eq!(media["examples"], json!({"one": {"$ref": "missing.yaml"}}), "example $refs are not followed");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["call_Call"],
            json!({"properties": {"agent": {"$ref": "#/components/schemas/Agent"}, "next": {"$ref": "#/components/schemas/call_Call"}}})
        );
        assert_eq!(schemas["Agent"]["properties"]["calls"]["items"], json!({"$ref": "#/components/schemas/Call"}));
        let names: Vec<&String> = schemas.as_object().unwrap().keys().collect();
        assert_eq!(names, ["Call", "Agent", "call_Call"]);
        let mut warning = crate::Diagnostic {
            severity: crate::Severity::Warning,
            file: "api/openapi.yaml".to_owned(),
            pointer: "/paths/~1a/get/responses".to_owned(),
            message: String::new(),
        };
        origins.locate("api/openapi.yaml", &mut warning);
        assert_eq!((warning.file.as_str(), warning.pointer.as_str()), ("api/paths/a.yaml", "/get/responses"));
    }

    #[test]
    fn a_component_named_with_spaces_takes_its_file_in_place() {
        let files = [
            (
                "openapi.yaml",
                "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    My Call: {$ref: 'call.yaml'}\n    \
                 List: {items: {$ref: 'call.yaml'}}\n",
            ),
            ("call.yaml", "properties: {next: {$ref: '#'}}\n"),
        ];
        let (doc, _) = bundle_in(&files, "").unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["My Call"], json!({"properties": {"next": {"$ref": "#/components/schemas/My%20Call"}}}));
        assert_eq!(schemas["List"], json!({"items": {"$ref": "#/components/schemas/My%20Call"}}));
        assert_eq!(schemas.as_object().unwrap().len(), 2);
    }

    #[test]
    fn one_file_reached_by_two_paths_is_one_component() {
        let files = [
            (
                "openapi.json",
                r#"{"openapi": "3.0.3", "paths": {}, "components": {"parameters": {
                    "A": {"name": "a", "in": "query", "schema": {"$ref": "common/../types.json#/Id"}},
                    "B": {"name": "b", "in": "query", "schema": {"$ref": "./types.json#/Id"}}}}}"#,
            ),
            ("types.json", r#"{"Id": {"type": "string"}}"#),
        ];
        let (doc, _) = bundle_in(&files, "").unwrap();
        assert_eq!(doc["components"]["parameters"]["B"]["schema"], json!({"$ref": "#/components/schemas/Id"}));
        assert_eq!(doc["components"]["schemas"], json!({"Id": {"type": "string"}}));
    }

    #[test]
    fn errors_name_the_referring_place_and_the_target() {
        let spec = "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    A: {properties: {b: {$ref: 'REF'}}}\n";
        let error = |reference: &str, extra: &[(&str, &str)]| {
            let text = spec.replace("REF", reference);
            let mut files = vec![("spec/openapi.yaml", text.as_str())];
            files.extend_from_slice(extra);
            bundle_in(&files, "spec").unwrap_err().to_string()
        };
        let at = "error: spec/openapi.yaml#/components/schemas/A/properties/b: ";
        assert_eq!(error("b.yaml#/B", &[]), format!("{at}$ref `b.yaml#/B`: cannot read spec/b.yaml: no such file"));
        assert_eq!(
            error("b.yaml#/B~1C", &[("spec/b.yaml", "B: {}\n")]),
            format!("{at}$ref `b.yaml#/B~1C`: nothing at spec/b.yaml#/B~1C")
        );
        assert!(
            error("https://example.com/b.yaml", &[])
                .starts_with(&format!("{at}$ref `https://example.com/b.yaml`: remote references are not supported"))
        );
        assert_eq!(
            error("../../etc/b.yaml", &[]),
            format!("{at}$ref `../../etc/b.yaml` leaves the folder references may read (spec)")
        );
        assert!(error("/etc/b.yaml", &[]).contains("absolute paths are not supported"));
        assert_eq!(
            error("b.yaml#B", &[("spec/b.yaml", "B: {}\n")]),
            format!("{at}$ref `b.yaml#B`: the fragment `#B` is not a JSON pointer")
        );
        // In another file, the error names that file.
        let nested = error("b.yaml#/B", &[("spec/b.yaml", "B: {items: {$ref: 'c.yaml'}}\n")]);
        assert_eq!(nested, "error: spec/b.yaml#/B/items: $ref `c.yaml`: cannot read spec/c.yaml: no such file");
    }

    #[test]
    fn file_paths_and_fragments_are_percent_decoded() {
        let files = [
            (
                "openapi.yaml",
                "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    A: {items: {$ref: 'my%20types.yaml#/A%20B'}}\n",
            ),
            ("my types.yaml", "A B: {type: string}\n"),
        ];
        let (doc, _) = bundle_in(&files, "").unwrap();
        assert_eq!(doc["components"]["schemas"]["A"]["items"], json!({"$ref": "#/components/schemas/A%20B"}));
        assert_eq!(doc["components"]["schemas"]["A B"], json!({"type": "string"}));
    }

    /// `$ref`s of the wrong shape or to odd places are left for later stages or refused; nothing
    /// panics.
    #[test]
    fn misshapen_refs_do_not_panic() {
        let files = [
            (
                "openapi.yaml",
                "openapi: 3.0.3\npaths: {/a: {$ref: 5}, /b: {$ref: ''}, /c: {$ref: 'x.yaml#'}}\ncomponents:\n  \
                 schemas:\n    A: {$ref: 'x.yaml'}\n    B: {discriminator: {mapping: {a: 'x.yaml#/', b: 5}}}\n    \
                 C: {$ref: 'C:/x.yaml'}\n",
            ),
            ("x.yaml", "$ref: ''\n"),
        ];
        let _ = bundle_in(&files, "");
        let error = bundle_in(&files[..1], "").unwrap_err().to_string();
        assert!(error.contains("cannot read x.yaml"), "{error}");
    }

    #[test]
    fn a_cycle_of_path_items_is_an_error_not_a_hang() {
        let files = [
            ("openapi.yaml", "openapi: 3.0.3\npaths:\n  /a: {$ref: 'a.yaml'}\n"),
            ("a.yaml", "$ref: 'b.yaml'\n"),
            ("b.yaml", "$ref: 'a.yaml'\n"),
        ];
        let error = bundle_in(&files, "").unwrap_err().to_string();
        assert!(error.starts_with("error: b.yaml#: $ref `a.yaml` is part of a cycle"), "{error}");
    }
}
