//! Generated crates compile on their own, outside this workspace, and are clippy-clean: every
//! fixture spec and the Truedy spec are generated into standalone crates and checked together.

use std::path::Path;
use std::process::Command;

use crate::support::{crate_name, generate_fixture, root};

const FIXTURES: &[&str] = &[
    "nullable_30.yaml",
    "nullable_31.yaml",
    "fastapi_forms.json",
    "schemas.yaml",
    "enums.yaml",
    "names.yaml",
    "operations.yaml",
    "unions.yaml",
];

#[test]
fn generated_fixture_crates_compile_standalone_without_warnings() {
    let root = root();
    let dir = root.join("target/standalone-crates");
    let _ = std::fs::remove_dir_all(dir.join("crates"));
    let mut members = Vec::new();
    for fixture in FIXTURES {
        let name = crate_name(fixture);
        write_crate(&dir.join("crates").join(&name), &generate_fixture(fixture));
        members.push(format!("\"crates/{name}\""));
    }
    let truedy = {
        let text = std::fs::read_to_string(root.join("spec/truedy/openapi.json")).unwrap();
        generator::generate(&text, &crate::support::options("spec/truedy/openapi.json", "truedy-standalone")).unwrap()
    };
    write_crate(&dir.join("crates/truedy-standalone"), &truedy);
    members.push("\"crates/truedy-standalone\"".to_owned());

    // A workspace of its own, so the crates have no path to this one; the lockfile is this
    // workspace's, so no new versions are resolved and the check runs offline.
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["clippy", "--workspace", "--offline", "--quiet", "--", "-D", "warnings"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "generated crates failed to compile or lint:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn write_crate(dir: &Path, generated: &generator::Generated) {
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
}
