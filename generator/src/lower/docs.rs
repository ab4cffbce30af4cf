//! Docs: spec text (descriptions, titles, examples, defaults) turned into doc lines for schemas
//! and operations.
//!
//! **Invariant:** doc lines are plain text lines without trailing blanks; paragraphs are
//! separated by one empty line, and JSON examples sit in fenced `json` blocks. (Emitting them as
//! attributes, and making spec code blocks safe for rustdoc, is `emit::docs`'s job.)

use openapiv3::{Schema, SchemaKind, Type};
use serde_json::Value;

use crate::v32;

/// Splits spec text into doc lines, trimming trailing blank lines.
pub fn lines(text: &str) -> Vec<String> {
    // `\r\n` and a lone `\r` end lines too: rustdoc refuses a bare CR in a doc comment.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<String> = text.lines().map(|l| l.trim_end().to_owned()).collect();
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    while out.first().is_some_and(String::is_empty) {
        out.remove(0);
    }
    out
}

/// A JSON value pretty-printed in a fenced `json` block.
pub(super) fn json_block(value: &Value) -> Vec<String> {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut block = vec!["```json".to_owned()];
    block.extend(pretty.lines().map(str::to_owned));
    block.push("```".to_owned());
    block
}

/// Starts a new paragraph: an empty line, unless nothing precedes it.
fn paragraph(docs: &mut Vec<String>) {
    if !docs.is_empty() {
        docs.push(String::new());
    }
}

/// Doc lines for a schema: description (or title), then its example, default, allowed values
/// and deprecation.
pub(super) fn schema_docs(schema: &Schema) -> Vec<String> {
    let data = &schema.schema_data;
    let mut docs = match (&data.description, &data.title) {
        (Some(description), _) => lines(description),
        (None, Some(title)) => lines(title),
        (None, None) => Vec::new(),
    };
    if let Some(example) = &data.example {
        paragraph(&mut docs);
        let compact = example.to_string();
        if compact.len() <= 80 && !compact.contains('`') {
            docs.push(format!("Example: `{compact}`"));
        } else {
            docs.push("Example:".to_owned());
            docs.extend(json_block(example));
        }
    }
    if let Some(default) = &data.default {
        let compact = default.to_string();
        if compact.len() <= 80 && !compact.contains('`') {
            paragraph(&mut docs);
            docs.push(format!("Default: `{compact}`"));
        }
    }
    let allowed: Vec<String> = match &schema.schema_kind {
        SchemaKind::Type(Type::Boolean(b)) => b.enumeration.iter().flatten().map(bool::to_string).collect(),
        SchemaKind::Type(Type::Number(n)) => n.enumeration.iter().flatten().map(f64::to_string).collect(),
        _ => Vec::new(),
    };
    if !allowed.is_empty() {
        paragraph(&mut docs);
        docs.push(format!("One of: `{}`.", allowed.join("`, `")));
    }
    if data.deprecated {
        paragraph(&mut docs);
        docs.push("Deprecated in the API specification.".to_owned());
    }
    docs
}

/// Doc lines for an operation: summary, description (unless it repeats the summary), its 3.2
/// tag groups, then `` `METHOD /path` ``.
pub(super) fn operation_docs(
    op: &openapiv3::Operation,
    tags: &[openapiv3::Tag],
    method: &str,
    path: &str,
) -> Vec<String> {
    let mut docs = Vec::new();
    if let Some(summary) = &op.summary {
        docs.extend(lines(summary));
    }
    if let Some(description) = &op.description
        && op.summary.as_deref().map(str::trim) != Some(description.trim())
    {
        paragraph(&mut docs);
        docs.extend(lines(description));
    }
    let groups = tag_lines(op, tags);
    if !groups.is_empty() {
        paragraph(&mut docs);
        docs.extend(groups);
    }
    paragraph(&mut docs);
    docs.push(format!("`{method} {path}`"));
    docs
}

/// A line for each of the operation's tags that has a 3.2 `summary` or `parent` (`v32` keeps
/// them as extensions): `` Tag `calls`: Calls and their recordings (under `telephony`). `` Tags
/// without them (all of a 3.0 or 3.1 document's) add nothing.
fn tag_lines(op: &openapiv3::Operation, tags: &[openapiv3::Tag]) -> Vec<String> {
    op.tags
        .iter()
        .filter_map(|name| {
            let tag = tags.iter().find(|t| &t.name == name)?;
            let text = |key: &str| {
                tag.extensions
                    .get(key)
                    .and_then(Value::as_str)
                    .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            };
            let (summary, parent) = (text(v32::TAG_SUMMARY), text(v32::TAG_PARENT));
            if summary.is_none() && parent.is_none() {
                return None;
            }
            let mut line = format!("Tag `{name}`");
            if let Some(summary) = summary {
                line.push_str(&format!(": {}", summary.trim_end_matches('.')));
            }
            if let Some(parent) = parent {
                line.push_str(&format!(" (under `{parent}`)"));
            }
            line.push('.');
            Some(line)
        })
        .collect()
}
