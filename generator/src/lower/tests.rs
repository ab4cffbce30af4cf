//! Lowering at its own boundary: a spec fragment in, IR out.

use super::params::template_variables;

#[test]
fn template_variables_in_order() {
    assert_eq!(template_variables("/a/{x}/b/{y.z}"), vec!["x", "y.z"]);
    assert_eq!(template_variables("q={q}&n={n}"), vec!["q", "n"]);
    assert!(template_variables("/plain").is_empty());
}
