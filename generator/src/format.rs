//! Format stage: tokens to source text with prettyplease, behind the `@generated` header.

use proc_macro2::TokenStream;

/// Formats `tokens` as a Rust file starting with the comment `header`. An error here is a bug in
/// an emitter (the tokens are not a valid file), reported instead of panicking.
pub fn format_file(tokens: TokenStream, header: &str) -> Result<String, String> {
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(format!("// {header}\n{}", space_items(&prettyplease::unparse(&file))))
}

/// prettyplease prints items back to back; put one blank line between items (and after the
/// module header) the way rustfmt-formatted code reads. Purely textual and deterministic.
fn space_items(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut in_inner_attribute = false;
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.get(i + 1) else { continue };
        let (this, following) = (line.trim_start(), next.trim_start());
        let indent = line.len() - this.len();
        let same_level = next.len() - following.len() == indent;
        let starts_item =
            ["#[", "///", "pub ", "fn ", "impl", "const ", "type ", "use ", "mod ", "async ", "enum ", "struct "]
                .iter()
                .any(|p| following.starts_with(p));
        if indent == 0 && this.starts_with("#![") && !this.ends_with(']') {
            in_inner_attribute = true;
        }
        let closes_inner_attribute = in_inner_attribute && indent == 0 && this == ")]";
        if closes_inner_attribute {
            in_inner_attribute = false;
        }
        let comment = this.starts_with("//");
        let same_keyword = this.split(' ').next() == following.split(' ').next();
        let ends_item = matches!(this, "}" | "};")
            || closes_inner_attribute
            || (indent == 0 && !comment && this.ends_with(" {}"))
            || (indent == 0 && !comment && this.ends_with(';') && !same_keyword)
            || (indent == 0 && this.starts_with("#![") && this.ends_with(']') && !following.starts_with("#!"))
            || (this.starts_with("//!") && !following.starts_with("//!") && !following.starts_with("#!"));
        if ends_item && same_level && (starts_item || this.starts_with("//!")) {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_separated_by_one_blank_line() {
        let text = "//! Docs;\n//! More.\n#![allow(\n    x\n)]\n#[allow(\n    y\n)]\nuse a;\nuse b;\nmod c;\nmod d;\npub enum E {}\npub struct A;\nimpl A {\n    fn a() {}\n    fn b() {\n    }\n    /// B.\n    fn c() {}\n}\nconst X: u8 = 1;\n";
        assert_eq!(
            space_items(text),
            "//! Docs;\n//! More.\n#![allow(\n    x\n)]\n\n#[allow(\n    y\n)]\nuse a;\nuse b;\n\nmod c;\nmod d;\n\npub enum E {}\n\npub struct A;\n\nimpl A {\n    fn a() {}\n    fn b() {\n    }\n\n    /// B.\n    fn c() {}\n}\n\nconst X: u8 = 1;\n"
        );
    }
}
