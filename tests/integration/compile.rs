//! Generated crates compile on their own, outside this workspace, and are clippy-clean: every
//! fixture spec and the Truedy spec are generated into standalone crates and checked together.
//! The generated `unions` crate also runs a small test of its own (decoding of unions).

use std::path::Path;
use std::process::{Command, Output};

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
    std::fs::create_dir_all(dir.join("crates/unions/tests")).unwrap();
    std::fs::write(dir.join("crates/unions/tests/decode.rs"), UNION_TESTS).unwrap();
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

    let output = cargo_in(&dir, &["clippy", "--workspace", "--offline", "--quiet", "--", "-D", "warnings"]);
    assert!(
        output.status.success(),
        "generated crates failed to compile or lint:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Behaviour of generated code that the Truedy and Kathan clients do not exercise.
    let output = cargo_in(&dir, &["test", "--package", "unions", "--offline", "--quiet"]);
    assert!(
        output.status.success(),
        "generated union tests failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Run inside the generated `unions` crate: generated unions decode and encode as specified.
const UNION_TESTS: &str = r#"
use serde_json::json;
use unions::types::{Cat, Dog, Event, Id, Pet, Shape, Tree, TreeNode};

#[test]
fn the_discriminator_picks_the_variant_and_unknown_tags_are_kept() {
    let cat: Pet = serde_json::from_value(json!({"pet_type": "kitten", "name": "Tom"})).unwrap();
    assert!(matches!(&cat, Pet::Cat(Cat { name, lives: None, .. }) if name == "Tom"), "{cat:?}");
    let dog: Pet = serde_json::from_value(json!({"pet_type": "dog", "name": "Rex", "good": true})).unwrap();
    assert!(matches!(dog, Pet::Dog(Dog { good: Some(true), .. })));
    let parrot = json!({"pet_type": "parrot", "name": "Polly"});
    assert_eq!(serde_json::from_value::<Pet>(parrot.clone()).unwrap(), Pet::Unknown(parrot));
    assert!(serde_json::from_value::<Pet>(json!({"pet_type": "cat"})).is_err(), "a known tag must match its schema");
    assert_eq!(serde_json::to_value(&cat).unwrap(), json!({"pet_type": "kitten", "name": "Tom"}));
}

#[test]
fn without_a_mapping_the_schema_names_are_the_tags() {
    let event: Event = serde_json::from_value(json!({"kind": "Deleted"})).unwrap();
    assert!(matches!(event, Event::Deleted(_)), "{event:?}");
    let created: Event = serde_json::from_value(json!({"kind": "Created", "at": "2026-01-02T03:04:05Z"})).unwrap();
    assert!(matches!(created, Event::Created(_)), "{created:?}");
}

#[test]
fn untagged_unions_take_the_branch_that_fits() {
    assert_eq!(serde_json::from_value::<Id>(json!(5)).unwrap(), Id::Integer(5));
    assert_eq!(serde_json::from_value::<Id>(json!("a5")).unwrap(), Id::String("a5".to_owned()));
    assert!(matches!(serde_json::from_value::<Shape>(json!({"side": 2.0})).unwrap(), Shape::Square(_)));
    assert!(matches!(serde_json::from_value::<Shape>(json!({"radius": 1.5})).unwrap(), Shape::Circle(_)));
    let tree: Tree = serde_json::from_value(json!({"node": {"node": "leaf"}})).unwrap();
    let Some(TreeNode::Tree(inner)) = tree.node.as_deref() else { panic!("{tree:?}") };
    assert_eq!(inner.node.as_deref(), Some(&TreeNode::String("leaf".to_owned())));
}
"#;

/// Runs cargo in the standalone workspace at `dir`, with its own target folder.
fn cargo_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

fn write_crate(dir: &Path, generated: &generator::Generated) {
    for file in &generated.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
}
