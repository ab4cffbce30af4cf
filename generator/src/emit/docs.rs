//! Doc comments from spec text: one `#[doc]` attribute per line, made safe for rustdoc.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = " line"]` attributes for `lines` (outer docs).
pub fn outer(lines: &[String]) -> TokenStream {
    let lines = sanitise(lines);
    quote! { #( #[doc = #lines] )* }
}

/// `#[doc = " line"]` attributes for `lines`, as `syn` attributes.
pub fn outer_attributes(lines: &[String]) -> Vec<syn::Attribute> {
    sanitise(lines).into_iter().map(super::syntax::doc).collect()
}

/// `#![doc = " line"]` attributes for `lines` (inner docs, at the top of a module).
pub fn inner(lines: &[String]) -> TokenStream {
    let lines = sanitise(lines);
    quote! { #( #![doc = #lines] )* }
}

/// Rewrites spec Markdown so rustdoc never compiles it as a doc test: code fences without a
/// language become `text`, unclosed fences are closed, and indented code blocks are fenced.
/// Each returned line starts with a space (so prettyplease prints `/// line`) unless empty.
pub fn sanitise(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut fence: Option<String> = None;
    let mut indented = false;
    for line in lines {
        // A bare CR is a compile error in a doc comment.
        let line = line.replace('\t', "    ").replace('\r', " ");
        let trimmed = line.trim_start();
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str()) && trimmed.trim_end_matches(['`', '~']).trim().is_empty() {
                fence = None;
            }
            out.push(line.clone());
            continue;
        }
        if indented {
            if line.starts_with("    ") || line.trim().is_empty() {
                out.push(line.get(4..).unwrap_or("").to_owned());
                continue;
            }
            close_indented(&mut out);
            indented = false;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let marker: String = trimmed.chars().take_while(|c| *c == '`' || *c == '~').collect();
            let info = trimmed[marker.len()..].trim();
            let indent = &line[..line.len() - trimmed.len()];
            if info.is_empty() || is_rust_info(info) {
                out.push(format!("{indent}{marker}text"));
            } else {
                out.push(line.clone());
            }
            fence = Some(marker);
            continue;
        }
        let after_blank = out.last().is_none_or(|l| l.trim().is_empty());
        if line.starts_with("    ") && !trimmed.is_empty() && after_blank && !is_list_item(trimmed) {
            out.push("```text".to_owned());
            out.push(line[4..].to_owned());
            indented = true;
            continue;
        }
        out.push(line);
    }
    if indented {
        close_indented(&mut out);
    }
    if let Some(marker) = fence {
        out.push(marker);
    }
    out.into_iter().map(|l| if l.is_empty() { l } else { format!(" {l}") }).collect()
}

fn close_indented(out: &mut Vec<String>) {
    let mut trailing = 0;
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
        trailing += 1;
    }
    out.push("```".to_owned());
    out.extend(std::iter::repeat_n(String::new(), trailing));
}

/// Info strings rustdoc would compile and run.
fn is_rust_info(info: &str) -> bool {
    info.split([',', ' ']).map(str::trim).filter(|w| !w.is_empty()).all(|word| {
        matches!(word, "rust" | "ignore" | "should_panic" | "no_run" | "compile_fail" | "test_harness")
            || word.starts_with("edition")
    })
}

fn is_list_item(trimmed: &str) -> bool {
    trimmed.starts_with("- ") || trimmed.starts_with("* ") || trimmed.starts_with("+ ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(lines: &[&str]) -> Vec<String> {
        sanitise(&lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn untagged_and_rust_fences_become_text() {
        assert_eq!(s(&["```", "let x = 1;", "```"]), [" ```text", " let x = 1;", " ```"]);
        assert_eq!(s(&["```rust", "x", "```"]), [" ```text", " x", " ```"]);
        assert_eq!(s(&["```json", "{}", "```"]), [" ```json", " {}", " ```"]);
    }

    #[test]
    fn unclosed_fence_is_closed_and_comment_terminators_are_harmless() {
        assert_eq!(s(&["```", "/* x */"]), [" ```text", " /* x */", " ```"]);
    }

    #[test]
    fn indented_code_is_fenced() {
        assert_eq!(
            s(&["Run:", "", "    cargo test", "done"]),
            [" Run:", "", " ```text", " cargo test", " ```", " done"]
        );
    }
}
