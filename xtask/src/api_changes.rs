//! The API change report of `codegen` and `diff`: reads the crates' files and hands them to
//! `generator::api_diff`, which compares their public APIs in the spec's terms.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use generator::api_diff::{self, Report, Surface};
use generator::{Generated, Options};

/// Where `codegen` writes each crate's report, relative to the workspace root.
pub const REPORT_DIR: &str = "target/api-changes";

/// The files of a generated crate that make up its public API.
const API_FILES: &[&str] = &["src/types.rs", "src/client.rs", "src/operations.rs"];

/// The surface of the crate checked in at `dir` (missing files contribute nothing).
pub fn surface_on_disk(dir: &Path) -> Surface {
    let texts: Vec<(&str, String)> =
        API_FILES.iter().filter_map(|file| Some((*file, fs::read_to_string(dir.join(file)).ok()?))).collect();
    api_diff::surface(texts.iter().map(|(path, text)| (*path, text.as_str())))
}

/// The surface of a crate generated in memory.
pub fn surface_generated(generated: &Generated) -> Surface {
    api_diff::surface(generated.files.iter().map(|f| (f.path.as_str(), f.contents.as_str())))
}

/// What regenerating the crate at `dir` changes for its callers.
pub fn report(dir: &Path, generated: &Generated) -> Report {
    api_diff::diff(&surface_on_disk(dir), &surface_generated(generated))
}

/// Writes a crate's Markdown report to `target/api-changes/<name>.md`; returns its path.
pub fn write_report(root: &Path, name: &str, markdown: &str) -> Result<PathBuf> {
    let dir = root.join(REPORT_DIR);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{name}.md"));
    fs::write(&path, markdown).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// `cargo xtask diff OLD NEW [--name CRATE] [--out FILE]`: generates both specs in memory (with
/// the files their `$ref`s name, as `generate` reads them) and prints (and with `--out` writes)
/// the report of what going from OLD to NEW changes.
pub fn diff_specs(old: &Path, new: &Path, name: &str, out: Option<&Path>) -> Result<Report> {
    let surfaces = [old, new].map(|spec| -> Result<Surface> {
        let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
        let shown = spec.to_string_lossy().replace('\\', "/");
        let options = Options { spec_path: shown, crate_name: name.to_owned(), command: "cargo xtask diff".to_owned() };
        // As `generate` reads it: the files its `$ref`s name too, below its repository.
        let allowed = crate::codegen::allowed_folder(spec);
        Ok(surface_generated(&crate::codegen::generate_reporting(text, &options, Path::new(""), &allowed)?))
    });
    let [old, new] = surfaces;
    let report = api_diff::diff(&old?, &new?);
    let markdown = report.markdown(name);
    print!("{markdown}");
    if let Some(out) = out {
        fs::write(out, &markdown).with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use generator::api_diff::Verdict;

    /// `cargo xtask diff OLD NEW --out FILE` compares two specs and writes the Markdown.
    #[test]
    fn diff_compares_two_specs_and_writes_the_report() {
        let root = crate::fsutil::workspace_root();
        let fixtures = root.join("tests/fixtures/api_changes");
        let dir = root.join("target/xtask-tests/api-diff");
        fs::create_dir_all(&dir).unwrap();
        let out = dir.join("report.md");
        let _ = fs::remove_file(&out);
        let report =
            diff_specs(&fixtures.join("base.yaml"), &fixtures.join("enum_value_added.yaml"), "calls", Some(&out))
                .unwrap();
        assert_eq!(report.verdict(), Verdict::Minor);
        let written = fs::read_to_string(&out).unwrap();
        assert_eq!(written, report.markdown("calls"));
        assert!(written.contains("- schema `Status`: enum value `failed` added"), "{written}");
        let error = diff_specs(&fixtures.join("missing.yaml"), &fixtures.join("base.yaml"), "calls", None).unwrap_err();
        assert!(format!("{error:#}").contains("missing.yaml"), "{error:#}");
    }

    /// The scenario of the issue on a scratch copy of Truedy's spec: a response field removed,
    /// an optional request field and an enum value added give a major verdict naming all three.
    #[test]
    fn truedy_spec_change_is_major() {
        let root = crate::fsutil::workspace_root();
        let text = fs::read_to_string(root.join("spec/truedy/openapi.json")).unwrap();
        let mut spec: serde_json::Value = serde_json::from_str(&text).unwrap();
        let schemas = &mut spec["components"]["schemas"];
        let response = schemas["CallResponse"]["properties"].as_object_mut().unwrap();
        assert!(response.shift_remove("to_number").is_some());
        response["status"]["enum"].as_array_mut().unwrap().push("on_hold".into());
        let request = schemas["CallUpdateRequest"]["properties"].as_object_mut().unwrap();
        request.insert("language".to_owned(), serde_json::json!({"type": "string", "description": "Spoken language"}));
        let dir = root.join("target/xtask-tests/api-changes");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("openapi.json"), serde_json::to_string_pretty(&spec).unwrap()).unwrap();

        let options = Options {
            spec_path: "spec/truedy/openapi.json".to_owned(),
            crate_name: "truedy".to_owned(),
            command: "cargo xtask codegen".to_owned(),
        };
        let generated = generator::generate(fs::read_to_string(dir.join("openapi.json")).unwrap(), &options).unwrap();
        let report = report(&root.join("generated-client/truedy"), &generated);
        let markdown = report.markdown("truedy");
        assert_eq!(report.verdict(), Verdict::Major, "{markdown}");
        for line in [
            "- schema `CallResponse`: field `to_number` removed",
            "- schema `CallResponseStatus`: enum value `on_hold` added",
            "- schema `CallUpdateRequest`: optional field `language` added",
        ] {
            assert!(markdown.contains(line), "{line} missing from\n{markdown}");
        }
        assert_eq!(markdown.matches("\n- ").count(), 3, "nothing else reported:\n{markdown}");
    }
}
