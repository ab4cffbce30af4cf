//! Snapshots of the code generated for each fixture spec, and equivalences between spellings.

use crate::support::{file, generate_fixture, snapshot_text, try_generate_fixture, without_header};

macro_rules! snapshot_fixture {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(stringify!($test), snapshot_text(&generate_fixture($file)));
        }
    };
}

snapshot_fixture!(nullable, "nullable_31.yaml");
snapshot_fixture!(schemas, "schemas.yaml");
snapshot_fixture!(enums, "enums.yaml");
snapshot_fixture!(schemas31, "schemas31.yaml");
snapshot_fixture!(names, "names.yaml");
snapshot_fixture!(operations, "operations.yaml");
snapshot_fixture!(unions, "unions.yaml");
snapshot_fixture!(bodies, "bodies.yaml");
snapshot_fixture!(hostile, "hostile.yaml");
snapshot_fixture!(fastapi_names, "fastapi_names.json");
snapshot_fixture!(dedupe, "dedupe.yaml");
snapshot_fixture!(tags, "tags.yaml");
snapshot_fixture!(frameworks, "frameworks.json");
snapshot_fixture!(openapi32, "openapi32.yaml");
snapshot_fixture!(examples, "examples.yaml");
snapshot_fixture!(voice_platform, "voice_platform.yaml");
snapshot_fixture!(multifile, "multifile_bundled.yaml");
snapshot_fixture!(swagger2_store, "swagger2_store.yaml");
snapshot_fixture!(swagger2_minimal, "swagger2_minimal.json");

/// Every example is checked against its type: those that would not deserialise, or would not
/// serialise back (a property the type lacks), are warned about at their pointers; the ones that
/// match are not. The generated crate's own tests run serde on them (`compile`).
#[test]
fn examples_that_do_not_match_their_types_are_warned_about_at_their_pointers() {
    let generated = generate_fixture("examples.yaml");
    let warnings: Vec<(&str, &str)> =
        generated.warnings.iter().map(|w| (w.pointer.as_str(), w.message.as_str())).collect();
    let expected = [
        (
            "/components/schemas/Call/properties/started_at/example",
            "`\"2026-01-02 03:04\"` is not an RFC 3339 date-time (it does not deserialise)",
        ),
        ("/components/schemas/Call/properties/tags/example", "at `1`, `1` is not a string (it does not deserialise)"),
        (
            "/components/schemas/Leg/example",
            "the required property `number` of `Phone` is missing (it does not deserialise)",
        ),
        (
            "/paths/~1calls~1{call_id}/get/parameters/0/examples/bad/value",
            "`\"yesterday\"` is not an RFC 3339 date-time",
        ),
        (
            "/paths/~1calls~1{call_id}/get/responses/200/content/application~1json/examples/extra_property/value",
            "`Call` has no property `cost_credits`, which is dropped (it does not serialise back to the same JSON)",
        ),
        (
            "/paths/~1calls~1{call_id}/get/responses/200/content/application~1json/examples/missing_required/value",
            "the required property `id` of `Call` is missing",
        ),
        (
            "/paths/~1calls~1{call_id}/patch/requestBody/content/application~1json/examples/wrong_type/value",
            "at `priority`, `\"high\"` is not an integer",
        ),
    ];
    for (pointer, message) in expected {
        assert!(
            warnings.iter().any(|(p, m)| *p == pointer && m.contains(message)),
            "no warning `{message}` at {pointer}: {warnings:#?}"
        );
    }
    assert_eq!(warnings.len(), expected.len(), "matching examples are not warned about: {warnings:#?}");
    let tests = file(&generated, "src/examples.rs");
    assert_eq!(tests.matches("#[ignore").count(), 6, "each wrong example of a tested type is ignored:\n{tests}");
    assert!(file(&generated, "src/lib.rs").contains("#[cfg(test)]\nmod examples;"));
}

/// Specs that once generated code that does not compile (alias cycles, array path parameters)
/// or renamed methods silently (ids one name apart) now say so at each place; `compile` builds
/// the crate.
#[test]
fn hostile_shapes_are_warned_about_at_their_pointers() {
    let generated = generate_fixture("hostile.yaml");
    let warnings: Vec<(String, String)> =
        generated.warnings.iter().map(|w| (w.pointer.clone(), w.message.clone())).collect();
    for alias in ["Loop", "Loop2", "SelfAlias", "AllOfSelf"] {
        let pointer = format!("/components/schemas/{alias}");
        assert!(
            warnings.iter().any(|(p, m)| *p == pointer && m.contains("cycle of $refs")),
            "no warning at {pointer}: {warnings:#?}"
        );
        assert!(file(&generated, "src/types.rs").contains(&format!("pub type {alias} = ::serde_json::Value;")));
    }
    for (pointer, method) in [("/paths/~1things/put", "get_thing_2"), ("/paths/~1things/post", "get_thing_3")] {
        assert!(
            warnings.iter().any(|(p, m)| p == pointer && m.contains(&format!("this one is `{method}`"))),
            "no warning at {pointer}: {warnings:#?}"
        );
    }
    assert!(
        warnings.iter().any(|(p, m)| p == "/components/schemas/Event/oneOf/1" && m.contains("selects an earlier one")),
        "{warnings:#?}"
    );
    assert_eq!(warnings.len(), 9, "{warnings:#?}");
    let client: String = file(&generated, "src/operations.rs").split_whitespace().collect();
    assert!(client.contains("runtime::path_value(\"ID\",id,runtime::PathStyle::Simple,false)"), "{client}");
}

/// Ids a framework generated lose its noise when the shorter name stays unique: FastAPI's
/// `{function}{path}_{method}` and NestJS's `{Controller}_{method}`. Two routes that clean to the
/// same name, or a cleaned name another id already gives, keep their ids; a hand-written id is
/// never touched. Types named from the method follow the cleaned name.
#[test]
fn generated_operation_ids_give_clean_method_names() {
    let generated = generate_fixture("fastapi_names.json");
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    let client = file(&generated, "src/client.rs");
    let methods: Vec<&str> = client
        .split("    pub fn ")
        // `build`, `builder`, `base_url` and `with_options` come first.
        .skip(5)
        .map(|rest| &rest[..rest.find(['(', '<']).unwrap()])
        .collect();
    assert_eq!(
        methods,
        [
            "list_agents",
            "create_agent",
            "get_agent",
            // `delete_agent` is the hand-written id of the legacy route.
            "delete_agent_agents_agent_id_delete",
            "update_agent",
            "get_agent_stats",
            "delete_agent",
            "add_contact",
            // One function on two routes: both would be `get_items`.
            "get_items_items_get",
            "get_items_v2_items_get",
            // `find_all` is in two controllers, `update` in one.
            "calls_find_all",
            "update",
            "users_find_all",
            "health",
        ]
    );
    // The raw id is still what errors name.
    let operations = file(&generated, "src/operations.rs");
    assert!(operations.contains("\"get_agent_agents__agent_id__get\""), "{operations}");
    let types = file(&generated, "src/types.rs");
    for name in
        ["GetAgentError", "GetAgentNotFoundBody", "UpdateAgentRequest", "GetAgentStatsResponse", "UpdateRequest"]
    {
        assert!(
            types.contains(&format!("pub struct {name} ")) || types.contains(&format!("pub enum {name} ")),
            "no {name}"
        );
    }
    for noisy in ["GetAgentAgents", "UpdateAgentAgents", "AddContactCampaignsCampaignIdContactsPostError"] {
        assert!(!types.contains(noisy), "{noisy} in {types}");
    }
}

#[test]
fn truedy() {
    let path = "spec/truedy/openapi.json";
    let text = std::fs::read_to_string(crate::support::root().join(path)).unwrap();
    let generated = generator::generate(&text, &crate::support::options(path, "truedy")).unwrap();
    // Truedy's own 200 example has properties `CallResponse` lacks; that is the only warning.
    let warnings: Vec<(&str, &str)> =
        generated.warnings.iter().map(|w| (w.pointer.as_str(), w.message.as_str())).collect();
    assert_eq!(
        warnings,
        [(
            "/paths/~1calls~1{call_id}/patch/responses/200/content/application~1json/example",
            "the example does not match its type: at `data`, `CallResponse` has no properties `to`, `from`, \
             `transcript_url`, `cost_credits`, `metadata`, which are dropped (it does not serialise back to the same JSON)"
        )]
    );
    insta::assert_snapshot!("truedy", snapshot_text(&generated));
}

/// OpenAPI 3.0 `nullable: true` and the 3.1 spellings (`type: [X, 'null']`, `anyOf`/`oneOf` with
/// a null branch, `examples`) generate the same Rust, byte for byte.
#[test]
fn openapi_30_and_31_spellings_generate_identical_code() {
    let v30 = generate_fixture("nullable_30.yaml");
    let v31 = generate_fixture("nullable_31.yaml");
    for path in ["src/types.rs", "src/client.rs"] {
        assert_eq!(without_header(file(&v30, path)), without_header(file(&v31, path)), "{path} differs");
    }
}

/// FastAPI's `anyOf: [X, {type: 'null'}]` and Truedy's `type: [X, 'null']` give the same shapes.
#[test]
fn fastapi_any_of_and_type_arrays_generate_the_same_struct() {
    let generated = generate_fixture("fastapi_forms.json");
    let types = file(&generated, "src/types.rs");
    let body = |name: &str| {
        let start = types.find(&format!("pub struct {name} {{")).unwrap_or_else(|| panic!("no {name}"));
        let end = start + types[start..].find("\n}\n").unwrap();
        types[start..end].replacen(name, "Form", 1)
    };
    assert_eq!(body("AnyOfForm"), body("TypeArrayForm"));
    assert!(
        body("AnyOfForm").contains("pub label: ::std::option::Option<::std::string::String>"),
        "{}",
        body("AnyOfForm")
    );
}

/// `$ref`s to parameter, request body and response components (through an alias) use the
/// components; a `$ref` into another operation resolves from the document itself.
#[test]
fn references_resolve_to_components_and_to_other_places() {
    let generated = generate_fixture("refs.yaml");
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    let client = without_header(file(&generated, "src/client.rs"));
    let operations = without_header(file(&generated, "src/operations.rs"));
    let types = without_header(file(&generated, "src/types.rs"));
    // Without whitespace, so the test does not depend on where the formatter breaks lines.
    let compact = |text: &str| text.split_whitespace().collect::<String>();
    let signature = |method: &str| {
        let start = client.find(&format!("pub fn {method}<")).unwrap_or_else(|| panic!("no {method}"));
        compact(&client[start..start + client[start..].find("->").unwrap()])
    };
    assert_eq!(signature("list_pets"), "pubfnlist_pets<'a>(&'aself,per_page:i64)");
    assert_eq!(signature("create_pet"), "pubfncreate_pet<'a>(&'aself,body:&'acrate::types::Pet,)");
    assert_eq!(signature("list_shelters"), "pubfnlist_shelters<'a>(&'aself)");
    // The optional `species` is set by name on the builders.
    for builder in ["ListPets", "ListShelters"] {
        assert!(
            compact(operations).contains(&format!(
                "impl<'a>{builder}<'a>{{///Setsthe`species`queryparameter.pubfnspecies(mutself,species:&'astr)->Self"
            )),
            "{operations}"
        );
    }
    assert!(operations.contains("request.query(\"per_page\", per_page);"), "{operations}");
    assert!(types.contains("NotFound(ListPetsNotFoundBody)"), "{types}");
    assert!(
        types.contains("pub struct ListPetsNotFoundBody {") && types.contains("pub message: ::std::option::Option<"),
        "{types}"
    );
    assert!(operations.contains("runtime::ApiResponse<::std::vec::Vec<crate::types::Pet>>"), "{operations}");
}

#[test]
fn generation_is_deterministic() {
    let first = generate_fixture("schemas.yaml");
    let second = generate_fixture("schemas.yaml");
    assert_eq!(first.files, second.files);
}

#[test]
fn dangling_ref_names_the_referring_location() {
    let error = try_generate_fixture("errors/dangling_ref.yaml").unwrap_err().to_string();
    assert_eq!(
        error,
        "error: tests/fixtures/errors/dangling_ref.yaml#/components/schemas/Call/properties/agent: \
         dangling $ref `#/components/schemas/Agent`: nothing at that location"
    );
}

/// Swagger 2.0 is converted; anything it holds that 3.0 cannot say is a warning at its 2.0
/// pointer, and a diagnostic about a converted part names where the part was written.
#[test]
fn swagger_2_is_converted_with_warnings_at_its_own_pointers() {
    let generated = generate_fixture("swagger2_store.yaml");
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "warning: tests/fixtures/swagger2_store.yaml#/paths/~1pets/get/parameters/4/collectionFormat: \
             `collectionFormat: tsv` has no OpenAPI 3.0 form; sent comma-separated (`csv`)",
            "warning: tests/fixtures/swagger2_store.yaml#/paths/~1pets~1{petId}/delete/schemes: `schemes` has no \
             OpenAPI 3.0 form; dropped",
            // The example's item is a `Dog`, but the schema says `Pet`.
            "warning: tests/fixtures/swagger2_store.yaml#/paths/~1pets/get/responses/200/examples/application~1json: \
             the example does not match its type: at `0`, `Pet` has no property `bark`, which is dropped (it does not \
             serialise back to the same JSON)",
        ]
    );
    let spec = r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "definitions": {"Odd": {"not": {"type": "string"}}}}"#;
    let generated = generator::generate(spec, &crate::support::options("s.json", "s")).unwrap();
    assert_eq!(generated.warnings[0].pointer, "/definitions/Odd", "{:?}", generated.warnings);
    // The empty 2.0 document generates too.
    try_generate_fixture("errors/swagger2.json").unwrap();
}

#[test]
fn other_swagger_versions_are_rejected_with_the_version_found() {
    let spec = r#"{"swagger": "1.2", "info": {"title": "t", "version": "1"}, "paths": {}}"#;
    let error = generator::generate(spec, &crate::support::options("s.json", "s")).unwrap_err().to_string();
    assert!(error.starts_with("error: s.json#/swagger: found Swagger 1.2;"), "{error}");
    assert!(error.contains("supported: OpenAPI 3.0.x, 3.1.x and 3.2.x"), "{error}");
}

#[test]
fn malformed_json_names_line_and_column() {
    let error = try_generate_fixture("errors/malformed.json").unwrap_err().to_string();
    assert!(
        error.starts_with("error: tests/fixtures/errors/malformed.json#: malformed JSON at line 4 column"),
        "{error}"
    );
}

#[test]
fn invalid_document_names_the_json_pointer() {
    let error = try_generate_fixture("errors/bad_parameter.yaml").unwrap_err().to_string();
    assert!(
        error.starts_with(
            "error: tests/fixtures/errors/bad_parameter.yaml#/paths/~1calls~1{call_id}/patch/parameters/0"
        ),
        "{error}"
    );
}

/// Slips found in published specs generate a usable client, each with a warning at its pointer.
#[test]
fn slips_in_published_specs_are_repaired_with_warnings() {
    let generated = generate_fixture("repairs.yaml");
    let warnings: Vec<String> = generated.warnings.iter().map(|w| format!("{}: {}", w.pointer, w.message)).collect();
    let expect = [
        "/components/schemas/Hit/properties/timecode/pattern: invalid `pattern` ignored",
        // Two slips in one schema: each is repaired on its own.
        "/components/schemas/Hit/properties/title/required: invalid `required` ignored",
        "/components/schemas/Hit/properties/subtitle/required: invalid `required` ignored",
        "/paths/~1items~1{item_id}~1parts~1{part}/get/callbacks: callbacks not generated",
        "/components/schemas/Hit/properties/broken: $ref `#/components/schemas/Hit/definitions/kind` is not a valid schema",
        "/paths/~1search?query={query}&kind=articles&n={limit}/get: `?query={query}&kind=articles&n={limit}` in the \
         path key is not part of the path",
        "/paths/~1items~1{item_id}~1parts~1{part}/get: path template variable `part` is not declared",
    ];
    assert_eq!(warnings.len(), expect.len(), "{warnings:#?}");
    for (warning, expected) in warnings.iter().zip(expect) {
        assert!(warning.starts_with(expected), "{warning}\nshould start with\n{expected}");
    }
    let types = file(&generated, "src/types.rs");
    assert!(types.contains("pub timecode: ::std::string::String,"), "the type survives a broken keyword");
    let operations = file(&generated, "src/operations.rs");
    assert!(operations.contains("request.query(\"query\", query);"), "{operations}");
    assert!(operations.contains("request.query(\"kind\", \"articles\");"), "literal pairs are sent: {operations}");
    assert!(operations.contains("request.query(\"n\", limit);"), "`n={{limit}}` is the parameter n: {operations}");
    assert!(operations.contains("pub(crate) part: &'a str,"), "{operations}");
}

#[test]
fn references_into_other_files_are_rejected_by_location() {
    let error = try_generate_fixture("errors/external_ref.yaml").unwrap_err().to_string();
    assert_eq!(
        error,
        "error: tests/fixtures/errors/external_ref.yaml#/components/schemas/Call/properties/agent: \
         $ref `agents.yaml#/Agent` points into another document; only references within the spec are supported"
    );
}

/// A spec whose schemas form one long chain: `S0` refers to `S1`, `S1` to `S2`, and so on, up to
/// a plain object `S<links>`.
fn chain_spec(links: usize, link: impl Fn(usize) -> serde_json::Value) -> String {
    let mut schemas: serde_json::Map<String, serde_json::Value> =
        (0..links).map(|i| (format!("S{i}"), link(i))).collect();
    schemas
        .insert(format!("S{links}"), serde_json::json!({"type": "object", "properties": {"end": {"type": "string"}}}));
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Chain", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    })
    .to_string()
}

/// Long `$ref` alias chains are followed without recursion (found by fuzzing: they used to take
/// quadratic time).
#[test]
fn long_alias_chains_generate() {
    let spec = chain_spec(5_000, |i| serde_json::json!({"$ref": format!("#/components/schemas/S{}", i + 1)}));
    let generated = generator::generate(&spec, &crate::support::options("chain.json", "chain")).unwrap();
    assert_eq!(generated.types, 5_001);
}

/// `allOf` chains deeper than the merge limit stop merging with a warning instead of
/// overflowing the stack (found by fuzzing).
#[test]
fn deep_all_of_chains_stop_merging_with_a_warning() {
    let spec = chain_spec(200, |i| {
        serde_json::json!({
            "allOf": [{"$ref": format!("#/components/schemas/S{}", i + 1)}],
            "properties": {format!("p{i}"): {"type": "string"}},
        })
    });
    let generated = generator::generate(&spec, &crate::support::options("chain.json", "chain")).unwrap();
    let limited = generated.warnings.iter().filter(|w| w.message.contains("allOf nested more than 64 deep")).count();
    assert!(limited > 0, "{:?}", generated.warnings.first());
    let types = file(&generated, "src/types.rs");
    assert!(types.contains("pub struct S0 {"), "the chain's head is still a struct");
}

/// FastAPI adds `application/json: {schema: {}}` beside every route's own media type; the media
/// type with a schema that says something is the one read.
#[test]
fn a_typed_media_type_wins_over_an_empty_json_schema() {
    let generated = generate_fixture("bodies.yaml");
    let operations = file(&generated, "src/operations.rs");
    let send_of = |builder: &str| {
        let start = operations.find(&format!("impl<'a> {builder}<'a> {{")).unwrap_or_else(|| panic!("no {builder}"));
        let end = start + operations[start..].find("\n}\n").unwrap();
        operations[start..end].split_whitespace().collect::<String>()
    };
    let avatar = send_of("GetAvatar");
    assert!(
        avatar.contains("runtime::Call<'a,::std::vec::Vec<u8>,") && avatar.contains("runtime::ok_bytes"),
        "{avatar}"
    );
    let live = send_of("LiveEvents");
    assert!(live.contains(".send_events(") && live.contains("runtime::EventStream::json"), "{live}");
}
