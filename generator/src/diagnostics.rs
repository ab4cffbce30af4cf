//! Problems found in a spec: each names the file and the JSON pointer where it sits.

use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation went on; the construct was approximated (usually as `serde_json::Value`).
    Warning,
    /// Generation cannot produce a correct crate.
    Error,
}

/// One problem in a spec, located by file and JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The spec file as the caller named it (a repo-relative path in this workspace).
    pub file: String,
    /// RFC 6901 JSON pointer into the document, without the leading `#` (empty for the root).
    pub pointer: String,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}#{}: {}", self.file, self.pointer, self.message)
    }
}

/// Everything that stopped generation. Holds at least one [`Severity::Error`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Errors(pub Vec<Diagnostic>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

/// Collects diagnostics for one spec file while a stage runs.
#[derive(Debug)]
pub struct Sink {
    file: String,
    diagnostics: Vec<Diagnostic>,
    /// (pointer, message) of each diagnostic, so the same problem met twice is reported once.
    seen: std::collections::HashSet<(String, String)>,
}

impl Sink {
    /// A sink for diagnostics about `file`.
    pub fn new(file: &str) -> Self {
        Sink { file: file.to_owned(), diagnostics: Vec::new(), seen: std::collections::HashSet::new() }
    }

    /// Records an error at `pointer`.
    pub fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Error, pointer, message.into());
    }

    /// Records a warning at `pointer`.
    pub fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Warning, pointer, message.into());
    }

    fn push(&mut self, severity: Severity, pointer: &str, message: String) {
        if !self.seen.insert((pointer.to_owned(), message.clone())) {
            return;
        }
        self.diagnostics.push(Diagnostic { severity, file: self.file.clone(), pointer: pointer.to_owned(), message });
    }

    /// Whether any error has been recorded.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// An [`Errors`] made of the single error `message` at `pointer`.
    pub fn fatal(file: &str, pointer: &str, message: impl Into<String>) -> Errors {
        let mut sink = Sink::new(file);
        sink.error(pointer, message);
        Errors(sink.diagnostics)
    }

    /// Ends the stage: `Err` with every diagnostic if any is an error, else the warnings.
    /// Errors come first, so the first line of [`Errors`] says what stopped generation.
    pub fn finish(mut self) -> Result<Vec<Diagnostic>, Errors> {
        if self.has_errors() {
            self.diagnostics.sort_by_key(|d| std::cmp::Reverse(d.severity));
            Err(Errors(self.diagnostics))
        } else {
            Ok(self.diagnostics)
        }
    }
}

/// Where parts of a document that was made from other documents came from: bundled from another
/// file ([`crate::bundle`]) or converted from Swagger 2.0 ([`crate::swagger2`]). A diagnostic
/// about such a part is moved to the file and pointer it came from.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    /// Each part: its pointer in the made document, the file it came from and its pointer there.
    parts: Vec<(String, String, String)>,
}

impl Origins {
    /// Records that the part at `at` in the made document came from `pointer` in `file`.
    pub fn add(&mut self, at: &str, file: &str, pointer: &str) {
        self.parts.push((at.to_owned(), file.to_owned(), pointer.to_owned()));
    }

    /// Moves a diagnostic about the made document (`made`) to the place it came from: the
    /// recorded part with the longest pointer that contains it decides. Others stay as they are.
    pub fn locate(&self, made: &str, diagnostic: &mut Diagnostic) {
        if diagnostic.file != made {
            return;
        }
        let within =
            |at: &str| diagnostic.pointer.strip_prefix(at).filter(|rest| rest.is_empty() || rest.starts_with('/'));
        let best = self
            .parts
            .iter()
            .filter_map(|(at, file, pointer)| within(at).map(|rest| (at.len(), file, pointer, rest)))
            .max_by_key(|(len, ..)| *len);
        if let Some((_, file, pointer, rest)) = best {
            let moved = format!("{pointer}{rest}");
            diagnostic.file.clone_from(file);
            diagnostic.pointer = moved;
        }
    }

    /// [`Origins::locate`] for every diagnostic of `errors`.
    pub fn locate_errors(&self, made: &str, mut errors: Errors) -> Errors {
        errors.0.iter_mut().for_each(|diagnostic| self.locate(made, diagnostic));
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_problem_is_reported_once() {
        let mut sink = Sink::new("x.yaml");
        sink.warning("/a", "w");
        sink.warning("/a", "w");
        sink.warning("/b", "w");
        assert_eq!(sink.finish().unwrap().len(), 2);
    }

    #[test]
    fn display_names_file_and_pointer() {
        let errors = Sink::fatal("spec/x.json", "/paths/~1a", "dangling $ref");
        assert_eq!(errors.to_string(), "error: spec/x.json#/paths/~1a: dangling $ref");
    }

    #[test]
    fn origins_move_a_diagnostic_to_the_innermost_part_it_came_from() {
        let mut origins = Origins::default();
        origins.add("/components/schemas/Call", "spec/schemas.yaml", "/Call");
        origins.add("/components/schemas/Call/properties/agent", "spec/agent.yaml", "");
        let at = |pointer: &str| {
            let mut diagnostic = Diagnostic {
                severity: Severity::Warning,
                file: "spec/openapi.yaml".to_owned(),
                pointer: pointer.to_owned(),
                message: "m".to_owned(),
            };
            origins.locate("spec/openapi.yaml", &mut diagnostic);
            format!("{}#{}", diagnostic.file, diagnostic.pointer)
        };
        assert_eq!(at("/components/schemas/Call/required"), "spec/schemas.yaml#/Call/required");
        assert_eq!(at("/components/schemas/Call/properties/agent/type"), "spec/agent.yaml#/type");
        assert_eq!(at("/components/schemas/Call"), "spec/schemas.yaml#/Call");
        assert_eq!(at("/components/schemas/Caller"), "spec/openapi.yaml#/components/schemas/Caller");
        assert_eq!(at("/paths"), "spec/openapi.yaml#/paths");
    }
}
