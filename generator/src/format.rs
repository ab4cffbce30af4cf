//! Format stage: each part's tokens to source text with prettyplease, on every core, joined in
//! order behind the `@generated` header.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::emit::{self, Part, syntax};

/// How many consecutive parts a thread takes at a time: enough to make taking them cheap, few
/// enough to keep the threads evenly loaded.
const BATCH: usize = 16;

/// Time spent in one file's parts, summed over threads.
#[derive(Clone, Copy, Debug, Default)]
pub struct Work {
    /// Running the parts' emitters.
    pub emit: Duration,
    /// Parsing their tokens with `syn`, printing with prettyplease.
    pub format: Duration,
}

/// Emits and formats `parts` on up to `threads` threads and joins them into one file starting
/// with the comment `header`. The text does not depend on `threads`. An error here is a bug in
/// an emitter (its tokens do not parse), reported instead of panicking.
pub fn format_parts(parts: &[Part<'_>], header: &str, threads: usize) -> Result<(String, Work), String> {
    let next = AtomicUsize::new(0);
    let joined = Mutex::new(Joined::new(header));
    let worker = || {
        let mut work = Work::default();
        loop {
            let start = next.fetch_add(BATCH, Ordering::Relaxed);
            if start >= parts.len() {
                break;
            }
            for (index, part) in parts.iter().enumerate().skip(start).take(BATCH) {
                let text = format_part(part, &mut work);
                // A panic elsewhere poisons the lock; that thread's join reports it.
                if let Ok(mut joined) = joined.lock() {
                    joined.add(index, text);
                }
            }
        }
        work
    };
    let threads = threads.clamp(1, parts.len().div_ceil(BATCH).max(1));
    let work = thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
        let mut work = worker();
        for helper in helpers {
            let spent = helper.join().map_err(|_| "a formatting thread panicked".to_owned())?;
            work.emit += spent.emit;
            work.format += spent.format;
        }
        Ok::<_, String>(work)
    })?;
    let joined = joined.into_inner().map_err(|_| "a formatting thread panicked".to_owned())?;
    Ok((joined.finish()?, work))
}

/// The file so far: parts are appended in order as soon as each and those before it are done,
/// so a part's text is freed right away rather than kept until the whole file is formatted.
struct Joined {
    file: String,
    /// The file's last line, held back until the next part's first line is known.
    tail: Spacer,
    /// Index of the next part to append.
    next: usize,
    /// Parts done before an earlier one.
    waiting: BTreeMap<usize, Spaced>,
    error: Option<String>,
}

impl Joined {
    fn new(header: &str) -> Self {
        let file = format!("// {header}\n");
        Joined { file, tail: Spacer::default(), next: 0, waiting: BTreeMap::new(), error: None }
    }

    fn add(&mut self, index: usize, text: Result<Spaced, String>) {
        match text {
            Ok(text) => {
                self.waiting.insert(index, text);
            }
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
        while let Some(part) = self.waiting.remove(&self.next) {
            if let Some(first) = part.body.lines().next().or(part.tail.previous.as_deref()) {
                self.tail.end_before(first, &mut self.file);
                self.file.push_str(&part.body);
                self.tail = part.tail;
            }
            self.next += 1;
        }
    }

    fn finish(mut self) -> Result<String, String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        self.tail.finish(&mut self.file);
        Ok(self.file)
    }
}

/// The text of one part, exactly as it reads inside the whole file.
fn format_part(part: &Part<'_>, work: &mut Work) -> Result<Spaced, String> {
    let started = Instant::now();
    let tree = |items| syn::File { shebang: None, attrs: Vec::new(), items };
    let (file, emitted) = match part {
        Part::CloseImpl => return Ok(Spaced::new("}")),
        Part::Syntax(build) => (tree(build()), Instant::now()),
        // Associated functions print only inside an `impl`; the wrapper's lines are cut below.
        Part::Methods(build) => {
            let wrapper = syntax::impl_block(None, syntax::named_type(emit::ident("Wrapper")), build());
            (tree(vec![wrapper]), Instant::now())
        }
        Part::Items(emit) | Part::OpenImpl(emit) => {
            let tokens = emit();
            let emitted = Instant::now();
            let file = syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
            (file, emitted)
        }
    };
    work.emit += emitted - started;
    let printed = prettyplease::unparse(&file);
    drop(file);
    let text = match part {
        Part::OpenImpl(_) => printed.strip_suffix("}\n"),
        Part::Methods(_) => printed.strip_prefix("impl Wrapper {\n").and_then(|rest| rest.strip_suffix("}\n")),
        _ => Some(printed.as_str()),
    }
    .map(Spaced::new);
    work.format += emitted.elapsed();
    text.ok_or_else(|| "an `impl` part did not format as an open block".to_owned())
}

/// prettyplease prints items back to back; [`Spacer`] puts one blank line between items (and
/// after the module header) the way rustfmt-formatted code reads. Purely textual and deterministic.
#[cfg(test)]
fn space_items(text: &str) -> String {
    let Spaced { mut body, tail } = Spaced::new(text);
    tail.finish(&mut body);
    body
}

/// One part's text, spaced within itself on the thread that formatted it: every line but the
/// last, then the last line held back until the next part's first line shows whether a blank
/// line goes between them. Parts are whole items, so no multi-line attribute spans two.
struct Spaced {
    body: String,
    tail: Spacer,
}

impl Spaced {
    /// Copies `text` in runs between the blank lines it gains; only the last line is held back
    /// as a copy. Most lines cannot end an item ([`may_end_item`]), so are only looked at once.
    fn new(text: &str) -> Self {
        if text.is_empty() {
            return Spaced { body: String::new(), tail: Spacer::default() };
        }
        let text = text.strip_suffix('\n').unwrap_or(text);
        let (lines, last) = text.rfind('\n').map_or(("", text), |at| text.split_at(at + 1));
        let mut body = String::with_capacity(lines.len() + lines.len() / 8);
        let mut in_inner_attribute = false;
        let (mut copied, mut start) = (0, 0);
        while let Some(length) = lines[start..].find('\n') {
            let end = start + length;
            let line = &lines[start..end];
            if may_end_item(line) {
                let next = text[end + 1..].split('\n').next().unwrap_or_default();
                if ends_item_before(line, next, &mut in_inner_attribute) {
                    body.push_str(&lines[copied..=end]);
                    body.push('\n');
                    copied = end + 1;
                }
            }
            start = end + 1;
        }
        body.push_str(&lines[copied..]);
        let tail = Spacer { previous: Some(last.to_owned()), in_inner_attribute };
        Spaced { body, tail }
    }
}

/// Whether [`ends_item_before`] can say yes for `line` or change its state: only lines that end
/// in `}`, `;` or `]`, start with `#` or hold inner docs.
fn may_end_item(line: &str) -> bool {
    matches!(line.as_bytes(), [b'#', ..] | [.., b'}' | b';' | b']']) || line.trim_start().starts_with("//!")
}

/// Copies `line`, and a blank line if an item ends there and `next` starts another.
fn push_line(line: &str, next: &str, in_inner_attribute: &mut bool, out: &mut String) {
    out.push_str(line);
    out.push('\n');
    if ends_item_before(line, next, in_inner_attribute) {
        out.push('\n');
    }
}

/// The last line of a part (or of the file so far), held back until the next line shows whether
/// a blank line goes after it; so the parts of a file are never joined in a copy first.
#[derive(Default)]
struct Spacer {
    /// The held line (already known not to be the file's last).
    previous: Option<String>,
    in_inner_attribute: bool,
}

impl Spacer {
    /// Copies the held line, and a blank line if an item ends there and `next` starts another.
    fn end_before(&mut self, next: &str, out: &mut String) {
        if let Some(line) = self.previous.take() {
            push_line(&line, next, &mut self.in_inner_attribute, out);
        }
    }

    fn finish(self, out: &mut String) {
        if let Some(line) = self.previous {
            out.push_str(&line);
            out.push('\n');
        }
    }
}

/// Whether a blank line goes between `line` and `next`; `in_inner_attribute` tracks a multi-line
/// `#![..]`. Called for every line of the output, so the common case (no item ends on `line`) is
/// decided first.
fn ends_item_before(line: &str, next: &str, in_inner_attribute: &mut bool) -> bool {
    let this = line.trim_start();
    let indent = line.len() - this.len();
    if indent == 0 && this.starts_with("#![") && !this.ends_with(']') {
        *in_inner_attribute = true;
    }
    let closes_inner_attribute = *in_inner_attribute && indent == 0 && this == ")]";
    if closes_inner_attribute {
        *in_inner_attribute = false;
    }
    let following = next.trim_start();
    let comment = this.starts_with("//");
    let ends_item = matches!(this, "}" | "};")
        || closes_inner_attribute
        || (indent == 0 && !comment && this.ends_with(" {}"))
        || (indent == 0 && !comment && this.ends_with(';') && this.split(' ').next() != following.split(' ').next())
        || (indent == 0 && this.starts_with("#![") && this.ends_with(']') && !following.starts_with("#!"))
        || (this.starts_with("//!") && !following.starts_with("//!") && !following.starts_with("#!"));
    if !ends_item || next.len() - following.len() != indent {
        return false;
    }
    this.starts_with("//!")
        || ["#[", "///", "pub ", "fn ", "impl", "const ", "type ", "use ", "mod ", "async ", "enum ", "struct "]
            .iter()
            .any(|p| following.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::Emit;

    fn emit(source: &str) -> Emit<'static> {
        let source = source.to_owned();
        Box::new(move || source.parse().unwrap())
    }

    #[test]
    fn parts_format_as_the_whole_file_would() {
        let method = "/// Second.
            pub async fn second(&self, long_argument_name: ::std::string::String, another_long_argument: u64) -> u8 {
                match long_argument_name.len() { 0 => 1, _ => 2 }
            }";
        let whole = format!(
            "//! Docs.
            use a::b;
            /// An impl.
            #[allow(dead_code)]
            impl Thing {{ fn first() {{}} {method} }}
            struct After;"
        );
        let split = vec![
            Part::Items(emit("//! Docs.\nuse a::b;")),
            Part::OpenImpl(emit("/// An impl.\n#[allow(dead_code)] impl Thing { fn first() {} }")),
            Part::Methods(Box::new(move || vec![syn::parse_str(method).unwrap()])),
            Part::CloseImpl,
            Part::Items(emit("struct After;")),
        ];
        let (expected, _) = format_parts(&[Part::Items(emit(&whole))], "h", 1).unwrap();
        assert!(expected.contains("    pub async fn second(\n"), "{expected}");
        for threads in [1, 2, 5] {
            assert_eq!(format_parts(&split, "h", threads).unwrap().0, expected, "{threads} thread(s)");
        }
    }

    #[test]
    fn the_text_does_not_depend_on_the_thread_count() {
        let parts: Vec<Part<'static>> =
            (0..100).map(|i| Part::Items(emit(&format!("pub struct Type{i} {{ pub field: u32 }}")))).collect();
        let (one, _) = format_parts(&parts, "h", 1).unwrap();
        assert_eq!(one.matches("pub struct Type").count(), 100);
        assert!(one.find("Type7 ").unwrap() < one.find("Type70 ").unwrap());
        for threads in [2, 3, 8] {
            assert_eq!(format_parts(&parts, "h", threads).unwrap().0, one, "{threads} threads");
        }
    }

    #[test]
    fn tokens_that_do_not_parse_are_an_error() {
        let error = format_parts(&[Part::Items(emit("struct"))], "h", 2).unwrap_err();
        assert!(error.contains("does not parse"), "{error}");
    }

    /// [`Spaced::new`] copies runs of lines; it must give what copying every line, one by one,
    /// through [`push_line`] gives, for texts with and without a last newline.
    #[test]
    fn copying_runs_is_copying_each_line() {
        fn line_by_line(text: &str) -> (String, Option<String>, bool) {
            let (mut body, mut in_inner_attribute, mut previous) = (String::new(), false, None);
            for line in text.lines() {
                if let Some(held) = previous {
                    push_line(held, line, &mut in_inner_attribute, &mut body);
                }
                previous = Some(line);
            }
            (body, previous.map(str::to_owned), in_inner_attribute)
        }
        let texts = [
            "",
            "\n",
            "}",
            "a;\nb;",
            "use a;\nmod b;\n",
            "#![allow(\n    x\n)]\n//! Docs.\n",
            "#![allow(\n    x,\n",
            "pub struct A;\n\npub struct B {}\nimpl A {\n    fn a() {}\n    /// B.\n    fn b() {}\n}\n",
            "    }\n    /// Doc.\n    pub fn f() {}\n}\n",
        ];
        for text in texts {
            let spaced = Spaced::new(text);
            let got = (spaced.body, spaced.tail.previous, spaced.tail.in_inner_attribute);
            assert_eq!(got, line_by_line(text), "{text:?}");
        }
    }

    #[test]
    fn items_are_separated_by_one_blank_line() {
        let text = "//! Docs;\n//! More.\n#![allow(\n    x\n)]\n#[allow(\n    y\n)]\nuse a;\nuse b;\nmod c;\nmod d;\npub enum E {}\npub struct A;\nimpl A {\n    fn a() {}\n    fn b() {\n    }\n    /// B.\n    fn c() {}\n}\nconst X: u8 = 1;\n";
        assert_eq!(
            space_items(text),
            "//! Docs;\n//! More.\n#![allow(\n    x\n)]\n\n#[allow(\n    y\n)]\nuse a;\nuse b;\n\nmod c;\nmod d;\n\npub enum E {}\n\npub struct A;\n\nimpl A {\n    fn a() {}\n    fn b() {\n    }\n\n    /// B.\n    fn c() {}\n}\n\nconst X: u8 = 1;\n"
        );
    }
}
