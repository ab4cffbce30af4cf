//! JSON pointers (RFC 6901), the one way every stage names a place in the spec: building one a
//! token at a time, splitting one into tokens, and reading the pointer of a local `$ref`.
//!
//! **Invariant:** [`push`] and [`decode_token`] are inverses, so a pointer built here and split
//! here gives back its tokens (`/paths/~1calls~1{call_id}` is `paths`, `/calls/{call_id}`).

/// Appends one reference token to a JSON pointer, escaping `~` and `/`.
pub fn push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The pointer made of `tokens` (each escaped).
pub fn join(tokens: &[String]) -> String {
    tokens.iter().fold(String::new(), |pointer, token| push(&pointer, token))
}

/// The unescaped tokens of a pointer (`""` has none).
pub fn tokens(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(decode_token).collect()
}

/// One reference token, unescaped (`~1` is `/`, then `~0` is `~`).
pub fn decode_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The JSON pointer of a local `$ref` (`#/a/b` → `/a/b`), percent-decoded as a URI fragment;
/// `None` for a reference into another document.
pub fn fragment(reference: &str) -> Option<String> {
    let pointer = reference.strip_prefix('#')?;
    Some(percent_encoding::percent_decode_str(pointer).decode_utf8_lossy().into_owned())
}

/// One token of a `$ref`'s fragment, percent-decoded and then unescaped
/// (`#/components/schemas/a~1b` ends in the key `a/b`).
pub fn decode_ref_token(token: &str) -> String {
    decode_token(&percent_encoding::percent_decode_str(token).decode_utf8_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped() {
        assert_eq!(push("/paths", "/calls/{call_id}"), "/paths/~1calls~1{call_id}");
        assert_eq!(push("", "a~b"), "/a~0b");
    }

    #[test]
    fn tokens_round_trip() {
        let tokens = vec!["paths".to_owned(), "/a/~b".to_owned(), "get".to_owned()];
        assert_eq!(join(&tokens), "/paths/~1a~1~0b/get");
        assert_eq!(super::tokens(&join(&tokens)), tokens);
        assert!(super::tokens("").is_empty());
    }

    #[test]
    fn ref_fragments_are_percent_decoded() {
        assert_eq!(fragment("#/components/schemas/A%20B").as_deref(), Some("/components/schemas/A B"));
        assert_eq!(fragment("other.yaml#/A"), None);
        assert_eq!(decode_ref_token("a~1b%7E0"), "a/b~");
    }
}
