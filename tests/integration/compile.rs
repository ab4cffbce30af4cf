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
    "schemas31.yaml",
    "bodies.yaml",
    "repairs.yaml",
    "refs.yaml",
    "hostile.yaml",
    "fastapi_names.json",
    "dedupe.yaml",
    "examples.yaml",
    "tags.yaml",
    "frameworks.json",
    "openapi32.yaml",
    "voice_platform.yaml",
    "multifile_bundled.yaml",
    "swagger2_store.yaml",
    "swagger2_minimal.json",
];

#[test]
#[ignore = "slow (three minutes on a fresh clone): .ci/run runs it as a step of its own"]
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
    for (krate, tests) in [
        ("unions", UNION_TESTS),
        ("schemas31", SCHEMAS31_TESTS),
        ("bodies", BODIES_TESTS),
        ("dedupe", DEDUPE_TESTS),
        ("openapi32", OPENAPI32_TESTS),
        ("voice-platform", VOICE_PLATFORM_TESTS),
    ] {
        std::fs::create_dir_all(dir.join("crates").join(krate).join("tests")).unwrap();
        std::fs::write(dir.join("crates").join(krate).join("tests/decode.rs"), tests).unwrap();
    }
    // The bodies, 3.2 and voice-platform tests drive the generated client against wiremock (both
    // already in Cargo.lock).
    for krate in ["bodies", "openapi32", "voice-platform"] {
        let path = dir.join("crates").join(krate).join("Cargo.toml");
        let mut manifest = std::fs::read_to_string(&path).unwrap();
        manifest.push_str(
            "\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\nwiremock = \"0.6\"\n",
        );
        std::fs::write(&path, manifest).unwrap();
    }
    let truedy = {
        let text = std::fs::read_to_string(root.join("spec/truedy/openapi.json")).unwrap();
        generator::generate(&text, &crate::support::options("spec/truedy/openapi.json", "truedy-standalone")).unwrap()
    };
    write_crate(&dir.join("crates/truedy-standalone"), &truedy);
    members.push("\"crates/truedy-standalone\"".to_owned());
    members.extend(write_compat_crates(&dir.join("crates")));

    // A workspace of its own, so the crates have no path to this one; the lockfile is this
    // workspace's, so no new versions are resolved and the check runs offline.
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    clippy_clean(
        &dir,
        &["--workspace", "--exclude", "fragile-v1"],
        "generated crates (or the caller of both versions of the compat fixture)",
    );
    // What would break on the next spec change is refused already.
    let output = cargo_in(&dir, &["check", "-p", "fragile-v1", "--offline", "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "fragile code compiled against the generated API");
    for code in ["E0639", "E0004"] {
        assert!(stderr.contains(code), "fragile code did not fail with {code}:\n{stderr}");
    }

    // Every crate's `mock` feature (a typed wiremock server; it turns on `full-serde`) compiles
    // clippy-clean, for every kind of body, parameter and name the fixtures hold.
    clippy_clean(&dir, &["--workspace", "--exclude", "fragile-v1", "--all-features"], "the mock feature");

    // The opt-in derives of `full-serde` compile too (unions and enums have their own spelling),
    // and so does the `tracing` feature's span per call.
    let features = "unions/full-serde,schemas31/full-serde,voice-platform/tracing";
    clippy_clean(
        &dir,
        &["-p", "unions", "-p", "schemas31", "-p", "voice-platform", "--features", features],
        "full-serde",
    );

    // Each tag's feature alone, and none at all, compile without warnings too (every type a
    // compiled item holds is compiled with it); the doc test of the crate's example is ignored
    // when its operation is left out.
    for features in ["", "calls", "phone-numbers", "all-2", "untagged", "unreferenced-schemas"] {
        let what = format!("the tags crate with features [{features}]");
        clippy_clean(&dir, &["-p", "tags", "--no-default-features", "--features", features], &what);
    }

    // Behaviour of generated code that the Truedy and Kathan clients do not exercise.
    let output = cargo_in(
        &dir,
        &[
            "test",
            "--package",
            "unions",
            "--package",
            "schemas31",
            "--package",
            "bodies",
            "--package",
            "operations",
            "--package",
            "dedupe",
            "--package",
            "examples",
            "--package",
            "openapi32",
            "--package",
            "voice-platform",
            "--features",
            "voice-platform/tracing,bodies/mock",
            "--offline",
            "--quiet",
        ],
    );
    assert!(
        output.status.success(),
        "tests inside generated crates failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // The spec's examples round-trip under `full-serde` (above, they only deserialise where a
    // type derives `Deserialize` alone), and the ones the generator warned about really fail.
    let output = cargo_in(&dir, &["test", "-p", "examples", "--features", "full-serde", "--offline", "--quiet"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "example tests failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let output = cargo_in(
        &dir,
        &["test", "-p", "examples", "--features", "full-serde", "--offline", "--quiet", "--", "--ignored"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("0 passed; 6 failed"), "every ignored example test fails:\n{stdout}");
}

/// Run inside the generated `unions` crate: generated unions decode and encode as specified.
const UNION_TESTS: &str = r#"
use serde_json::json;
use unions::types::{Cat, CreatePetResponse, Dog, Event, Id, Pet, Shape, Tree, TreeNode};

#[test]
fn the_discriminator_picks_the_variant_and_unknown_tags_are_kept() {
    let cat: Pet = serde_json::from_value(json!({"pet_type": "kitten", "name": "Tom"})).unwrap();
    assert!(matches!(&cat, Pet::Cat(Cat { name, lives: None, .. }) if name == "Tom"), "{cat:?}");
    let dog: Pet = serde_json::from_value(json!({"pet_type": "dog", "name": "Rex", "good": true})).unwrap();
    assert!(matches!(dog, Pet::Dog(Dog { good: Some(true), .. })));
    let parrot = json!({"pet_type": "parrot", "name": "Polly"});
    assert_eq!(serde_json::from_value::<Pet>(parrot.clone()).unwrap(), Pet::Unknown(parrot));
    assert!(serde_json::from_value::<Pet>(json!({"name": "Tom"})).is_err(), "no tag: not a Pet at all");
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
fn a_tagged_union_inside_an_untagged_one_gives_way_when_its_tag_is_missing() {
    let event: CreatePetResponse = serde_json::from_value(json!({"kind": "Deleted"})).unwrap();
    assert!(matches!(event, CreatePetResponse::Event(Event::Deleted(_))), "{event:?}");
    let pet: CreatePetResponse = serde_json::from_value(json!({"pet_type": "dog", "name": "Rex"})).unwrap();
    assert!(matches!(pet, CreatePetResponse::Pet(Pet::Dog(_))), "{pet:?}");
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

/// Run inside the generated `schemas31` crate: 3.1 forms decode and encode as specified.
const SCHEMAS31_TESTS: &str = r#"
use serde_json::json;
use schemas31::types::{Account, Codes, Tier};

#[test]
fn integer_enums_are_numbers_and_keep_unknown_values() {
    assert_eq!(serde_json::from_value::<Tier>(json!(-1)).unwrap(), Tier::Minus1);
    assert_eq!(serde_json::from_value::<Tier>(json!(7)).unwrap(), Tier::Unknown(7));
    assert_eq!(serde_json::to_value(Tier::V100).unwrap(), json!(100));
    assert_eq!(Tier::Minus1.to_string(), "-1");
    assert!(serde_json::from_value::<Tier>(json!("1")).is_err(), "a string is not an integer enum value");
}

#[test]
fn read_only_and_write_only_fields_may_be_absent() {
    // A response without the write-only password; a request without the read-only id.
    let account: Account = serde_json::from_value(json!({"id": "a1", "name": "n", "tier": 1})).unwrap();
    assert_eq!(account.password, None);
    let mut request = account.with_password("secret".to_owned());
    request.id = None;
    assert_eq!(serde_json::to_value(&request).unwrap(), json!({"name": "n", "tier": 1, "password": "secret"}));
}

/// Structs get their serde impls from `runtime::serde_struct!`, not the derive: they read and
/// write JSON as the derive did (`generator/runtime/src/fields.rs`).
#[test]
fn structs_read_and_write_json_as_the_derive_did() {
    let err = serde_json::from_value::<Account>(json!({"name": "n"})).unwrap_err();
    assert_eq!(err.to_string(), "missing field `tier`");
    // Unknown keys are skipped, an escaped key still names its field, `null` is `None`, and a
    // repeated key keeps its last value; from a reader, no key is borrowed.
    let text = "{\"n\\u0061me\": \"first\", \"extra\": {\"deep\": [1, {}]}, \"tier\": 2, \"active\": null, \"name\": \"last\"}";
    for account in [serde_json::from_str::<Account>(text).unwrap(), serde_json::from_reader(text.as_bytes()).unwrap()] {
        assert_eq!((account.name.as_str(), &account.tier, account.active), ("last", &Tier::V2, None));
    }
    // Only an object is a struct (the derive also took an array of the fields in order).
    let err = serde_json::from_value::<Account>(json!(["n", 2])).unwrap_err();
    assert_eq!(err.to_string(), "invalid type: sequence, expected struct Account");
    // Written back, empty optional fields are left out.
    let account: Account = serde_json::from_value(json!({"name": "n", "tier": 0, "ratio": 1.5})).unwrap();
    assert_eq!(serde_json::to_value(&account).unwrap(), json!({"name": "n", "tier": 0, "ratio": 1.5}));
}

#[test]
fn closed_prefix_items_are_tuples() {
    let account: Account =
        serde_json::from_value(json!({"name": "n", "tier": 0, "location": [13.4, 52.5, null]})).unwrap();
    assert_eq!(account.location, Some((13.4, 52.5, None)));
    let bad = json!({"name": "n", "tier": 0, "location": [13.4]});
    assert!(serde_json::from_value::<Account>(bad).is_err(), "a short tuple is a decode error, not a panic");
}

#[test]
fn pattern_properties_are_maps() {
    let codes: Codes = serde_json::from_value(json!({"primary": "p", "x-a": "1", "y-b": 2})).unwrap();
    assert_eq!(codes.additional_properties.get("y-b"), Some(&json!(2)));
    let account: Account = serde_json::from_value(json!({"name": "n", "tier": 0, "scores": {"math": 3}})).unwrap();
    assert_eq!(account.scores.unwrap()["math"], 3);
}
"#;

/// Run inside the generated `bodies` crate: request and response bodies of every kind.
const BODIES_TESTS: &str = include_str!("../generated/bodies.rs");

/// Run inside the generated `openapi32` crate: typed streams, 3.2's methods and query string, and
/// tagged unions that always send their tag, against wiremock.
const OPENAPI32_TESTS: &str = include_str!("../generated/openapi32.rs");
/// Run inside the generated `voice-platform` crate: pagination, typed response headers,
/// idempotency keys, hooks and OAuth2 client credentials against wiremock.
const VOICE_PLATFORM_TESTS: &str = include_str!("../generated/voice_platform.rs");

/// Run inside the generated `dedupe` crate: one concept is one type, so a value read from a
/// response goes back into a request as it is, and one function handles every operation's
/// validation error.
const DEDUPE_TESTS: &str = r#"
use dedupe::Nullable;
use dedupe::types::{
    Agent, AgentLanguage as Language, CreateAgentError, CreateAgentRequest, GetAgentError,
    ListAgentsUnprocessableEntityBody as ValidationError, UpdateAgentError, UpdateAgentRequest, Voice,
};
use serde_json::json;

fn messages(error: &ValidationError) -> Vec<String> {
    error.detail.iter().flatten().map(|item| item.msg.clone()).collect()
}

/// String enums get their serde impls from `runtime::serde_enum!`: known values are variants,
/// any other string is kept, and each is written back as it came.
#[test]
fn string_enums_keep_unknown_values_and_write_what_they_read() {
    for (text, language) in [("fr", Language::Fr), ("pt-BR", Language::Unknown("pt-BR".to_owned()))] {
        let read: Language = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(read, language);
        assert_eq!(serde_json::to_value(&read).unwrap(), json!(text));
        // Escaped text is not borrowed from the input; it reads the same.
        assert_eq!(serde_json::from_str::<Language>(&format!("\"{text}\"")).unwrap(), language);
    }
    let err = serde_json::from_value::<Language>(json!(5)).unwrap_err();
    assert_eq!(err.to_string(), "invalid type: integer `5`, expected a string");
}

#[test]
fn a_value_read_from_a_response_goes_back_into_a_request() {
    let agent: Agent = serde_json::from_value(json!({"id": "a1", "name": "Ada", "language": "fr"})).unwrap();
    let create = CreateAgentRequest::new(agent.name.clone(), agent.language.clone());
    assert_eq!(serde_json::to_value(&create).unwrap(), json!({"name": "Ada", "language": "fr"}));
    let update = UpdateAgentRequest::default().with_language(Nullable::Value(agent.language));
    assert_eq!(serde_json::to_value(&update).unwrap(), json!({"language": "fr"}));
    // A component of the same shape stays a type of its own.
    let voice: Voice = serde_json::from_value(json!({"id": "v1", "name": "Alto", "language": "de"})).unwrap();
    assert_eq!(voice.language.as_str(), "de");
}

#[test]
fn one_handler_serves_every_validation_error() {
    let body: ValidationError =
        serde_json::from_value(json!({"detail": [{"loc": ["body", 0], "msg": "field required", "type": "missing"}]}))
            .unwrap();
    let errors = [
        match CreateAgentError::UnprocessableEntity(body.clone()) {
            CreateAgentError::UnprocessableEntity(e) => messages(&e),
            _ => Vec::new(),
        },
        match GetAgentError::UnprocessableEntity(body.clone()) {
            GetAgentError::UnprocessableEntity(e) => messages(&e),
            _ => Vec::new(),
        },
        match UpdateAgentError::UnprocessableEntity(body) {
            UpdateAgentError::UnprocessableEntity(e) => messages(&e),
            _ => Vec::new(),
        },
    ];
    assert!(errors.iter().all(|m| m == &["field required"]), "{errors:?}");
}
"#;

/// The Calls API of `tests/fixtures/compat/` in two versions, `caller-v1` and `caller-v2`
/// (one source, `tests/compat/caller.rs`, against each), and `fragile-v1`; returns the members.
fn write_compat_crates(crates: &Path) -> Vec<String> {
    let mut members = Vec::new();
    for version in ["v1", "v2"] {
        let path = format!("tests/fixtures/compat/{version}.yaml");
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let api = format!("compat-{version}");
        write_crate(&crates.join(&api), &generator::generate(&text, &crate::support::options(&path, &api)).unwrap());
        members.push(format!("\"crates/{api}\""));
        let callers: &[(&str, &str)] = match version {
            "v1" => &[("caller", "caller.rs"), ("fragile", "fragile.rs")],
            _ => &[("caller", "caller.rs")],
        };
        for (kind, source) in callers {
            let name = format!("{kind}-{version}");
            let manifest = format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                 [dependencies]\napi = {{ package = \"{api}\", path = \"../{api}\" }}\n"
            );
            std::fs::create_dir_all(crates.join(&name).join("src")).unwrap();
            std::fs::write(crates.join(&name).join("Cargo.toml"), manifest).unwrap();
            std::fs::copy(root().join("tests/compat").join(source), crates.join(&name).join("src/lib.rs")).unwrap();
            members.push(format!("\"crates/{name}\""));
        }
    }
    members
}

/// `cargo clippy ARGS --offline -- -D warnings` in the standalone workspace `dir` passes; `what`
/// names what failed otherwise.
fn clippy_clean(dir: &Path, args: &[&str], what: &str) {
    let mut all = vec!["clippy"];
    all.extend_from_slice(args);
    all.extend(["--offline", "--quiet", "--", "-D", "warnings"]);
    let output = cargo_in(dir, &all);
    assert!(output.status.success(), "{what} failed to compile or lint:\n{}", String::from_utf8_lossy(&output.stderr));
}

/// Runs cargo in the standalone workspace `dir`. It shares this workspace's target directory
/// (cargo holds no lock on it while tests run), so the dependencies, build scripts and proc
/// macros both build are built once, not once per workspace.
fn cargo_in(dir: &Path, args: &[&str]) -> Output {
    // A relative `CARGO_TARGET_DIR` is relative to where `cargo test` ran: the workspace root.
    let target = root().join(std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()));
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
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
