//! Rust names for everything the spec names: case conversion (heck), keyword escaping and
//! collision resolution. No other module invents an identifier.
//!
//! Architecture invariant: two different spec items never receive the same Rust name in one
//! scope; a [`Scope`] hands out a numbered variant (`Name2`, `name_2`) instead of merging. (Inline
//! schemas of one shape are one type by design, decided by lowering's type space on the lowered
//! shape, never by a name: see `lower/space.rs`.)

use rustc_hash::FxHashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A set of names already taken in one Rust scope (a module, a struct's fields, an enum's variants).
#[derive(Debug, Default)]
pub struct Scope {
    taken: FxHashSet<String>,
}

impl Scope {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope { taken: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Claims `wanted`, or the first free `wanted2`, `wanted3`… (`wanted_2`… for snake case).
    pub fn claim(&mut self, wanted: String) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        let (stem, separator) = match wanted.strip_prefix("r#") {
            Some(stem) => (stem.to_owned(), "_"),
            None if wanted.chars().next().is_some_and(char::is_lowercase) || wanted.starts_with('_') => {
                (wanted.trim_end_matches('_').to_owned(), "_")
            }
            None => (wanted.trim_end_matches('_').to_owned(), ""),
        };
        (2..)
            .map(|n| format!("{stem}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_default()
    }

    /// Gives back a name claimed for an item that turned out not to need one (an inline type
    /// that is another type's twin), so the next item that wants it gets it unnumbered.
    pub fn release(&mut self, name: &str) {
        self.taken.remove(name);
    }
}

/// The `with_` setters of a struct's fields (Rust field names, possibly raw or with leading
/// underscores), in order and unique among themselves: `r#type` → `with_type`, `_16x16` →
/// `with_16x16`, `_links` beside `links` → `with_links` then `with_links_2`.
pub fn setter_names<'f>(fields: impl IntoIterator<Item = &'f str>) -> Vec<String> {
    let mut scope = Scope::default();
    fields.into_iter().map(|field| scope.claim(format!("with_{}", bare(field).trim_start_matches('_')))).collect()
}

/// `UpperCamelCase` type or variant name for `raw`, or `fallback` when `raw` has no letters or digits.
pub fn type_name(raw: &str, fallback: &str) -> String {
    let mut name = upper_camel(raw);
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if !name.starts_with(unicode_ident::is_xid_start) {
        name.insert(0, 'V');
    }
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// `snake_case` field, parameter or method name for `raw`, escaped if it is a keyword.
pub fn snake_name(raw: &str, fallback: &str) -> String {
    let mut name = snake(raw);
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if !name.starts_with(unicode_ident::is_xid_start) {
        name.insert(0, '_');
    }
    escape_keyword(name)
}

/// `UpperCamelCase` conversion, skipping heck for names already in that case (most schema names)
/// and for ASCII `snake_case` (most property names, which name inline types).
fn upper_camel(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let camel = bytes.first().is_some_and(u8::is_ascii_uppercase)
        && bytes.iter().all(u8::is_ascii_alphanumeric)
        && bytes.windows(2).all(|pair| !pair[1].is_ascii_uppercase() || pair[0].is_ascii_lowercase());
    if camel {
        return raw.to_owned();
    }
    if ascii_snake_bytes(bytes) {
        let mut name = String::with_capacity(raw.len());
        for word in raw.split('_') {
            let mut chars = word.chars();
            name.extend(chars.next().map(|first| first.to_ascii_uppercase()));
            name.push_str(chars.as_str());
        }
        return name;
    }
    signed(raw, ToUpperCamelCase::to_upper_camel_case)
}

/// `snake_case` conversion, skipping heck for names already in that case (most property names).
fn snake(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let snake = bytes.first().is_some_and(u8::is_ascii_lowercase)
        && ascii_snake_bytes(bytes)
        && !raw.ends_with('_')
        && !raw.contains("__");
    if snake { raw.to_owned() } else { signed(raw, ToSnakeCase::to_snake_case) }
}

/// Case-converts `raw` keeping a leading sign visible (`+1` → `plus_1`), since heck drops it.
fn signed(raw: &str, convert: fn(&str) -> String) -> String {
    // Only characters Rust accepts inside identifiers survive; everything else separates words.
    let cleaned: String =
        raw.chars().map(|c| if c.is_alphanumeric() && unicode_ident::is_xid_continue(c) { c } else { ' ' }).collect();
    let body = convert(cleaned.trim());
    match raw.trim_start().chars().next() {
        Some('+') if !body.is_empty() => convert(&format!("plus {body}")),
        Some('-') if !body.is_empty() && raw.trim_start()[1..].starts_with(|c: char| c.is_ascii_digit()) => {
            convert(&format!("minus {body}"))
        }
        _ => body,
    }
}

fn escape_keyword(name: String) -> String {
    if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The text of an identifier without a raw prefix, for building derived names.
pub fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// Only ASCII lowercase letters, digits and underscores.
fn ascii_snake_bytes(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setter_names_are_snake_case_and_unique() {
        assert_eq!(
            setter_names(["r#type", "_16x16", "_links", "links", "label"]),
            ["with_type", "with_16x16", "with_links", "with_links_2", "with_label"]
        );
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(snake_name("type", "f"), "r#type");
        assert_eq!(snake_name("self", "f"), "self_");
        assert_eq!(snake_name("crate", "f"), "crate_");
        assert_eq!(snake_name("_", "f"), "f");
        assert_eq!(type_name("self", "T"), "SelfType");
    }

    #[test]
    fn non_identifiers_become_identifiers() {
        assert_eq!(snake_name("@id", "f"), "id");
        assert_eq!(snake_name("first-name", "f"), "first_name");
        assert_eq!(snake_name("123abc", "f"), "_123abc");
        assert_eq!(snake_name("größe", "f"), "größe");
        assert_eq!(type_name("HTTPValidationError", "T"), "HttpValidationError");
        assert_eq!(type_name("+1", "T"), "Plus1");
        assert_eq!(type_name("-1", "T"), "Minus1");
        assert_eq!(type_name("", "Empty"), "Empty");
        assert_eq!(type_name("2fa", "T"), "V2fa");
        assert_eq!(snake_name("x²", "f"), "x");
        assert_eq!(snake_name("²", "f"), "f");
    }

    #[test]
    fn names_already_in_case_convert_as_heck_would() {
        let mut names: Vec<String> = [
            "a",
            "ab",
            "a1",
            "a1b",
            "a_b",
            "a_1",
            "a1_b2",
            "x9y",
            "Pet",
            "PetStore",
            "Pet2Store",
            "A",
            "A1",
            "A1B",
            "Ab1Cd",
            "V2",
            "Http2Server",
            "Abc9",
            "snake_case_name",
            "version2_final",
            "id",
        ]
        .map(String::from)
        .into();
        // Every short word over a small alphabet, to reach the corner cases.
        let alphabet = ['a', 'z', 'A', 'Z', '0', '9', '_'];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            words = words.iter().flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}"))).collect();
            names.extend(words.iter().cloned());
        }
        for name in &names {
            assert_eq!(upper_camel(name), signed(name, ToUpperCamelCase::to_upper_camel_case), "{name}");
            assert_eq!(snake(name), signed(name, ToSnakeCase::to_snake_case), "{name}");
        }
    }

    #[test]
    fn collisions_get_numbered_names() {
        let mut scope = Scope::default();
        let names: Vec<String> =
            ["in-progress", "in_progress", "IN_PROGRESS"].iter().map(|v| scope.claim(type_name(v, "V"))).collect();
        assert_eq!(names, ["InProgress", "InProgress2", "InProgress3"]);
        let mut fields = Scope::default();
        assert_eq!(fields.claim(snake_name("type", "f")), "r#type");
        assert_eq!(fields.claim(snake_name("Type", "f")), "type_2");
    }
}
