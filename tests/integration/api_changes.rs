//! The API change report: each spec of `tests/fixtures/api_changes/` against `base.yaml`, one
//! change each (`many.yaml` several), with a reviewed snapshot of the Markdown report.

use generator::api_diff::{self, Report, Verdict};

use crate::support::generate_fixture;

/// The report of going from `base.yaml` to `<case>.yaml`.
fn report(case: &str) -> Report {
    let surface = |file: &str| {
        let generated = generate_fixture(&format!("api_changes/{file}"));
        api_diff::surface(generated.files.iter().map(|f| (f.path.as_str(), f.contents.as_str())))
    };
    api_diff::diff(&surface("base.yaml"), &surface(&format!("{case}.yaml")))
}

macro_rules! api_change {
    ($case:ident, $verdict:ident) => {
        #[test]
        fn $case() {
            let report = report(stringify!($case));
            let markdown = report.markdown("calls");
            assert_eq!(report.verdict(), Verdict::$verdict, "{markdown}");
            insta::assert_snapshot!(concat!("api_changes_", stringify!($case)), markdown);
        }
    };
}

api_change!(unchanged, None);
api_change!(docs_only, Patch);
api_change!(operation_added, Minor);
api_change!(operation_removed, Major);
api_change!(required_parameter_added, Major);
api_change!(optional_parameter_added, Minor);
api_change!(parameter_made_required, Major);
api_change!(parameter_retyped, Major);
api_change!(request_field_added, Minor);
api_change!(request_field_required, Major);
api_change!(response_field_added, Minor);
api_change!(response_field_removed, Major);
api_change!(field_retyped, Major);
api_change!(field_made_required, Major);
api_change!(enum_value_added, Minor);
api_change!(enum_value_removed, Major);
api_change!(union_branch_added, Minor);
api_change!(error_status_added, Minor);
api_change!(error_status_removed, Major);
api_change!(error_body_changed, Major);
api_change!(success_body_changed, Major);
api_change!(route_changed, Minor);
api_change!(security_scheme_added, Minor);
api_change!(many, Major);

/// A type the struct is not `#[non_exhaustive]` about would make a new field breaking; the
/// surface records the mark, and the diff reads it.
#[test]
fn a_new_field_of_an_exhaustive_struct_is_breaking() {
    let old = "pub struct A { pub x: i64 }";
    let new = "pub struct A { pub x: i64, pub y: i64 }";
    let surface = |text: &str| api_diff::surface([("src/types.rs", text)]);
    let report = api_diff::diff(&surface(old), &surface(new));
    assert_eq!(report.verdict(), Verdict::Major, "{}", report.markdown("x"));
    let marked = |text: &str| surface(&format!("#[non_exhaustive] {text}"));
    assert_eq!(api_diff::diff(&marked(old), &marked(new)).verdict(), Verdict::Minor);
}
