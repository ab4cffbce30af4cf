//! Shared code of the fuzz targets: the check every input goes through, and a mutator that edits
//! a spec as a JSON tree, so most mutated inputs are still well-formed documents that reach the
//! later stages (normalise, parse, lower, emit, format) instead of stopping in the loader.

use generator::Options;
use serde_json::{Map, Number, Value};

/// Runs the whole generator on `data` as spec text. `Ok` and `Err` are both fine: only a panic,
/// an abort (stack overflow), a hang or running out of memory is a finding. Returns `false` for
/// input that is not UTF-8, which the targets keep out of the corpus.
pub fn check(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let options = Options {
        spec_path: "fuzz/input.json".to_owned(),
        crate_name: "fuzzed".to_owned(),
        command: "cargo xtask fuzz".to_owned(),
    };
    let _ = generator::generate(text, &options);
    true
}

/// Makes a stack overflow a crash that libFuzzer reports and saves, like a panic. Call it from the
/// targets' `init`, which runs before libFuzzer installs its signal handlers.
///
/// The fuzz binary's `main` is libFuzzer's, so Rust's runtime never installs its stack overflow
/// handler, and libFuzzer's own SIGSEGV handler runs on the overflowed stack: the process dies
/// without a word and without saving the input. This gives the main thread (where libFuzzer runs
/// every input) an alternate signal stack and a SIGSEGV/SIGBUS handler on it. libFuzzer keeps
/// the handler, chains to it and keeps running on that stack; the handler says what happened and
/// aborts, and libFuzzer's SIGABRT handler saves the input as a crash.
pub fn report_stack_overflows() {
    /// Room for this handler and libFuzzer's crash handler, which writes the input and statistics.
    const ALTERNATE_STACK_BYTES: usize = 4 << 20;
    let stack: &'static mut [u8] = Box::leak(vec![0u8; ALTERNATE_STACK_BYTES].into_boxed_slice());
    // SAFETY: the alternate stack is leaked, so it lives as long as the process; `on_fault` only
    // makes async-signal-safe calls (`write`, `abort`).
    unsafe {
        let alternate = libc::stack_t { ss_sp: stack.as_mut_ptr().cast(), ss_flags: 0, ss_size: stack.len() };
        if libc::sigaltstack(&alternate, std::ptr::null_mut()) != 0 {
            return;
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_fault as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut());
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

extern "C" fn on_fault(_signal: libc::c_int, _info: *mut libc::siginfo_t, _context: *mut libc::c_void) {
    const MESSAGE: &[u8] = b"\n==fuzz== SIGSEGV or SIGBUS: in safe Rust, a stack overflow (unbounded recursion)\n";
    // SAFETY: `write` and `abort` are async-signal-safe.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::abort();
    }
}

/// libFuzzer's own byte mutator: mutates `data[..size]` in place, returns the new size.
pub type ByteMutator<'a> = &'a mut dyn FnMut(&mut [u8], usize, usize) -> usize;

/// Replaces `data[..size]` with a structurally mutated copy of the document it holds and returns
/// the new size (at most `max_size`). Input that is neither an OpenAPI document the loader reads
/// (JSON or YAML) nor JSON, and mutations that would not fit, go to `bytes` instead.
pub fn mutate_json(data: &mut [u8], size: usize, max_size: usize, seed: u32, bytes: ByteMutator<'_>) -> usize {
    let Some(doc) = parse(&data[..size]) else { return bytes(data, size, max_size) };
    let mut rng = Rng::new(seed);
    for _ in 0..4 {
        let mut candidate = doc.clone();
        for _ in 0..=rng.below(3) {
            mutate_once(&mut candidate, &mut rng, bytes);
        }
        let Ok(out) = serde_json::to_vec(&candidate) else { continue };
        if out.len() <= max_size.min(data.len()) && out[..] != data[..size] {
            data[..out.len()].copy_from_slice(&out);
            return out.len();
        }
    }
    bytes(data, size, max_size)
}

/// The document in `data`: through the generator's loader first (so YAML seeds and merge keys
/// work), then as plain JSON (documents the loader refuses, such as a wrong version).
fn parse(data: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(data).ok()?;
    match generator::load::load("seed", text) {
        Ok((value, _)) => Some(value),
        Err(_) => serde_json::from_str(text).ok(),
    }
}

/// Words an OpenAPI document is made of, used as new keys and string values.
const KEYWORDS: &[&str] = &[
    "type",
    "nullable",
    "format",
    "enum",
    "const",
    "items",
    "properties",
    "additionalProperties",
    "required",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "discriminator",
    "propertyName",
    "mapping",
    "$ref",
    "$defs",
    "default",
    "example",
    "examples",
    "description",
    "summary",
    "title",
    "readOnly",
    "writeOnly",
    "deprecated",
    "prefixItems",
    "patternProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "pattern",
    "content",
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "schema",
    "responses",
    "requestBody",
    "parameters",
    "in",
    "name",
    "path",
    "query",
    "header",
    "cookie",
    "style",
    "explode",
    "security",
    "securitySchemes",
    "scheme",
    "bearer",
    "apiKey",
    "oauth2",
    "components",
    "schemas",
    "paths",
    "/items/{id}",
    "get",
    "patch",
    "servers",
    "url",
    "variables",
    "operationId",
    "tags",
    "callbacks",
    "headers",
    "default",
    "200",
    "204",
    "4XX",
    "string",
    "integer",
    "number",
    "boolean",
    "array",
    "object",
    "null",
    "date-time",
    "date",
    "int32",
    "int64",
    "binary",
    "openapi",
    "3.0.3",
    "3.1.0",
    "Self",
    "type",
    "r#type",
    "crate",
    "Option",
    "Result",
    "",
    "_",
    "0",
    "-",
    "a b",
    "é",
    "\u{0}",
    "```\nfn main() {}\n```",
    "    indented",
    "*/",
];

/// One structural edit at a random node of `doc`.
fn mutate_once(doc: &mut Value, rng: &mut Rng, bytes: ByteMutator<'_>) {
    let paths = node_paths(doc);
    let target = &paths[rng.below(paths.len())];
    let donor = node(doc, &paths[rng.below(paths.len())]).cloned().unwrap_or(Value::Null);
    let pointer = to_pointer(&paths[rng.below(paths.len())]);
    let schema_ref = schema_ref(doc, rng);
    let Some(node) = node_mut(doc, target) else { return };
    match rng.below(9) {
        // Another part of the document in this place: schemas where parameters were, and so on.
        0 => *node = donor,
        1 => *node = scalar(rng),
        2 => match node {
            Value::Object(map) if !map.is_empty() => {
                take_entry(map, rng);
            }
            Value::Array(items) if !items.is_empty() => {
                items.remove(rng.below(items.len()));
            }
            _ => *node = Value::Null,
        },
        3 => match node {
            Value::Object(map) => {
                let value = if rng.below(2) == 0 { donor } else { scalar(rng) };
                map.insert(pick(rng, KEYWORDS).to_owned(), value);
            }
            Value::Array(items) => items.insert(rng.below(items.len() + 1), donor),
            _ => *node = scalar(rng),
        },
        // Rename a key; a key that was already there is replaced.
        4 => {
            if let Value::Object(map) = node
                && let Some((index, _, value)) = take_entry(map, rng)
            {
                insert_at(map, index, pick(rng, KEYWORDS).to_owned(), value);
            }
        }
        5 => {
            let inner = std::mem::take(node);
            *node = wrap(inner, donor, rng);
        }
        // A reference to any node of the document, possibly this one or one of its parents.
        6 => {
            let target = match rng.below(3) {
                0 => format!("#{pointer}"),
                1 => schema_ref,
                _ => {
                    pick(rng, &["#", "#/", "#/components/schemas/Missing", "other.json#/x", "#/a~2b", "%%"]).to_owned()
                }
            };
            match node {
                Value::Object(map) => {
                    map.insert("$ref".to_owned(), Value::String(target));
                }
                _ => *node = Value::Object(Map::from_iter([("$ref".to_owned(), Value::String(target))])),
            }
        }
        // libFuzzer's byte mutations inside one string (or key) keep the document well-formed.
        7 => match node {
            Value::String(text) => *text = mutate_text(text, bytes),
            Value::Object(map) if !map.is_empty() => {
                if let Some((index, key, value)) = take_entry(map, rng) {
                    insert_at(map, index, mutate_text(&key, bytes), value);
                }
            }
            _ => *node = Value::String(mutate_text("", bytes)),
        },
        // Reorder: document order decides names when two items collide.
        _ => match node {
            Value::Object(map) if map.len() > 1 => {
                let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                let (a, b) = (rng.below(entries.len()), rng.below(entries.len()));
                entries.swap(a, b);
                *map = entries.into_iter().collect();
            }
            Value::Array(items) if items.len() > 1 => {
                let (a, b) = (rng.below(items.len()), rng.below(items.len()));
                items.swap(a, b);
            }
            _ => {}
        },
    }
}

/// Removes a random entry of a non-empty `map`, returning its position, key and value.
fn take_entry(map: &mut Map<String, Value>, rng: &mut Rng) -> Option<(usize, String, Value)> {
    let index = rng.below(map.len());
    let key = map.keys().nth(index)?.clone();
    map.shift_remove_entry(&key).map(|(key, value)| (index, key, value))
}

/// Inserts `key` at `index` (or at the end), replacing an entry with the same key.
fn insert_at(map: &mut Map<String, Value>, index: usize, key: String, value: Value) {
    map.shift_remove(&key);
    map.shift_insert(index.min(map.len()), key, value);
}

/// `inner` inside a construct that holds a schema.
fn wrap(inner: Value, other: Value, rng: &mut Rng) -> Value {
    let object = |pairs: Vec<(&str, Value)>| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
    match rng.below(7) {
        0 => object(vec![(pick(rng, &["oneOf", "anyOf", "allOf"]), Value::Array(vec![inner, other]))]),
        1 => object(vec![("type", Value::from("array")), ("items", inner)]),
        2 => object(vec![("type", Value::from("object")), ("additionalProperties", inner)]),
        3 => object(vec![("not", inner)]),
        4 => object(vec![("anyOf", Value::Array(vec![inner, object(vec![("type", Value::from("null"))])]))]),
        5 => object(vec![("type", Value::from("object")), ("properties", object(vec![(pick(rng, KEYWORDS), inner)]))]),
        _ => Value::Array(vec![inner]),
    }
}

/// A leaf value, with the edge cases a generator trips on.
fn scalar(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => Value::from(pick(rng, &[0i64, -1, 1, 2, 200, 404, 599, i64::MIN, i64::MAX])),
        3 => Value::from(u64::MAX),
        4 => Number::from_f64(pick(rng, &[0.5, -1.5, 1e300, -0.0])).map_or(Value::Null, Value::Number),
        5 => Value::Array(vec![Value::from(pick(rng, KEYWORDS)), Value::from("null")]),
        6 => Value::Object(Map::new()),
        7 => Value::Array(Vec::new()),
        _ => Value::from(pick(rng, KEYWORDS)),
    }
}

/// `#/components/schemas/<a schema of the document>`, or a made-up name when there is none.
fn schema_ref(doc: &Value, rng: &mut Rng) -> String {
    let names: Vec<&String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().collect())
        .unwrap_or_default();
    match names.len() {
        0 => "#/components/schemas/Thing".to_owned(),
        n => format!("#/components/schemas/{}", escape(names[rng.below(n)])),
    }
}

fn mutate_text(text: &str, bytes: ByteMutator<'_>) -> String {
    let mut buffer = text.as_bytes().to_vec();
    let size = buffer.len();
    buffer.resize(size + 32, 0);
    let max_size = buffer.len();
    let new_size = bytes(&mut buffer, size, max_size).min(max_size);
    String::from_utf8_lossy(&buffer[..new_size]).into_owned()
}

/// One step from a node to a child.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path to every node of `doc`, the root (an empty path) first, in document order. Capped so
/// a huge input does not make each mutation slow.
fn node_paths(doc: &Value) -> Vec<Vec<Step>> {
    const LIMIT: usize = 20_000;
    let mut out = vec![Vec::new()];
    let mut next = 0;
    while next < out.len() && out.len() < LIMIT {
        let path = out[next].clone();
        next += 1;
        match node(doc, &path) {
            Some(Value::Object(map)) => {
                out.extend(map.keys().map(|k| [path.as_slice(), &[Step::Key(k.clone())]].concat()));
            }
            Some(Value::Array(items)) => {
                out.extend((0..items.len()).map(|i| [path.as_slice(), &[Step::Index(i)]].concat()));
            }
            _ => {}
        }
    }
    out.truncate(LIMIT);
    out
}

fn node<'a>(doc: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |value, step| match step {
        Step::Key(key) => value.get(key.as_str()),
        Step::Index(index) => value.get(*index),
    })
}

fn node_mut<'a>(doc: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |value, step| match step {
        Step::Key(key) => value.get_mut(key.as_str()),
        Step::Index(index) => value.get_mut(*index),
    })
}

/// The JSON pointer of a path (without the leading `#`).
fn to_pointer(path: &[Step]) -> String {
    path.iter()
        .map(|step| match step {
            Step::Key(key) => format!("/{}", escape(key)),
            Step::Index(index) => format!("/{index}"),
        })
        .collect()
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.below(items.len())]
}

/// xorshift32, seeded by libFuzzer so that a mutation can be replayed.
struct Rng(u32);

impl Rng {
    fn new(seed: u32) -> Self {
        Rng(if seed == 0 { 0x9e37_79b9 } else { seed })
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 as usize % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for libFuzzer's byte mutator: flips a bit of the first byte.
    fn flip(data: &mut [u8], size: usize, _max_size: usize) -> usize {
        if size > 0 {
            data[0] ^= 1;
        }
        size
    }

    #[test]
    fn mutations_stay_in_bounds_and_mostly_well_formed() {
        let seeds = [
            include_str!("../../spec/truedy/openapi.json"),
            include_str!("../../tests/fixtures/unions.yaml"),
            include_str!("../../tests/fixtures/errors/swagger2.json"),
        ];
        for seed in seeds {
            let mut current = seed.as_bytes().to_vec();
            let mut json = 0;
            for round in 0..1000u32 {
                let mut buffer = current.clone();
                let max_size = buffer.len() + 4096;
                buffer.resize(max_size, 0);
                let size =
                    mutate_json(&mut buffer, current.len(), max_size, round.wrapping_mul(2_654_435_761), &mut flip);
                assert!(size <= max_size);
                buffer.truncate(size);
                if serde_json::from_slice::<Value>(&buffer).is_ok() {
                    json += 1;
                    // Walk on from the mutant now and then, as libFuzzer does with its corpus.
                    if round % 7 == 0 && buffer.len() < 64 * 1024 {
                        current = buffer;
                    }
                }
            }
            assert!(json > 900, "only {json} of 1000 mutants were JSON");
        }
    }

    #[test]
    fn non_utf8_input_is_rejected() {
        assert!(!check(&[0xff, 0xfe]));
        assert!(check(b"{}"));
    }
}
