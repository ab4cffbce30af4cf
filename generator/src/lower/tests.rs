//! Lowering at its own boundary: a spec fragment in, IR out, one test (or a few) per concern, so
//! a lowering bug is caught before any code is emitted.

use super::params::template_variables;
use super::{Raw, lower};
use crate::diagnostics::{Diagnostic, Sink};
use crate::ir::{
    Api, BodyEncoding, Operation, ParamLocation, PartKind, PathPart, Presence, ResponseBody, SchemeKind, Struct,
    TypeDef, TypeKind, TypeRef,
};

/// Lowers a YAML document of OpenAPI `version` whose body (after `info`) is `body`; returns the
/// IR and every diagnostic, errors included.
fn lower_yaml(version: &str, body: &str) -> (Api, Vec<Diagnostic>) {
    let text = format!("openapi: {version}\ninfo: {{title: t, version: '1'}}\n{body}");
    let tree = crate::normalised_tree("t.yaml", &text).unwrap();
    let doc = crate::parse::parse_owned(tree.clone()).expect("read directly").doc;
    let mut sink = Sink::new("t.yaml");
    let api = lower(&doc, &Raw::ready(tree), &mut sink);
    let diagnostics = sink.finish().unwrap_or_else(|errors| errors.0);
    (api, diagnostics)
}

/// [`lower_yaml`] of a 3.0 document with these component schemas (indented YAML) and no paths.
fn lower_schemas(schemas: &str) -> (Api, Vec<Diagnostic>) {
    lower_yaml("3.0.3", &format!("paths: {{}}\ncomponents:\n  schemas:\n{schemas}"))
}

fn def<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name} in {:?}", names(api)))
}

fn names(api: &Api) -> Vec<&str> {
    api.types.iter().map(|t| t.name.as_str()).collect()
}

fn structure<'a>(api: &'a Api, name: &str) -> &'a Struct {
    match &def(api, name).kind {
        TypeKind::Struct(s) => s,
        other => panic!("{name} is not a struct: {other:?}"),
    }
}

fn field_type(api: &Api, owner: &str, wire: &str) -> TypeRef {
    structure(api, owner).fields.iter().find(|f| f.wire == wire).unwrap().ty.clone()
}

fn named(name: &str) -> TypeRef {
    TypeRef::Named(name.to_owned())
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| format!("{}: {}", d.pointer, d.message)).collect()
}

fn only_operation(api: &Api) -> &Operation {
    assert_eq!(api.operations.len(), 1);
    &api.operations[0]
}

#[test]
fn alias_chains_and_refs_beyond_components_resolve() {
    let (api, diagnostics) = lower_schemas(
        r##"
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/C'}
    C: {type: string, nullable: true}
    Holder:
      type: object
      properties:
        a: {$ref: '#/components/schemas/A'}
        deep: {$ref: '#/components/schemas/Box/properties/inner'}
        gone: {$ref: '#/components/schemas/Missing'}
    Box:
      type: object
      properties:
        inner: {type: object, properties: {x: {type: integer}}}
"##,
    );
    assert_eq!(def(&api, "A").kind, TypeKind::Alias(named("B")));
    assert_eq!(def(&api, "C").kind, TypeKind::Alias(TypeRef::Option(Box::new(TypeRef::String))));
    // Nullability follows the alias chain to `C`.
    let a = &structure(&api, "Holder").fields[0];
    assert_eq!((a.ty.clone(), a.presence), (named("A"), Presence::Optional));
    // A `$ref` into a component is lowered from the raw tree, named after its last token.
    assert_eq!(field_type(&api, "Holder", "deep"), named("Inner"));
    assert_eq!(field_type(&api, "Holder", "gone"), TypeRef::Value);
    assert_eq!(
        messages(&diagnostics),
        [
            "/components/schemas/Holder/properties/gone: dangling $ref `#/components/schemas/Missing`: nothing at that location"
        ]
    );
}

#[test]
fn inline_types_are_named_from_where_they_sit() {
    let (api, _) = lower_schemas(
        r#"
    CallUpdateRequest:
      type: object
      properties:
        call_settings: {type: object, properties: {volume: {type: integer}}}
        tags: {type: array, items: {type: object, properties: {label: {type: string}}}}
        extra: {type: object, additionalProperties: {type: object, properties: {v: {type: string}}}}
        mode: {type: string, enum: [fast, slow]}
    Client: {type: object, properties: {id: {type: string}}}
"#,
    );
    assert_eq!(field_type(&api, "CallUpdateRequest", "call_settings"), named("CallUpdateRequestCallSettings"));
    assert_eq!(
        field_type(&api, "CallUpdateRequest", "tags"),
        TypeRef::Vec(Box::new(named("CallUpdateRequestTagsItem")))
    );
    assert_eq!(
        field_type(&api, "CallUpdateRequest", "extra"),
        TypeRef::Map(Box::new(named("CallUpdateRequestExtraValue")))
    );
    assert_eq!(field_type(&api, "CallUpdateRequest", "mode"), named("CallUpdateRequestMode"));
    // A component never takes a name the crate uses for itself; the outer type comes first.
    assert!(!names(&api).contains(&"Client"), "{:?}", names(&api));
    assert_eq!(names(&api)[0], "CallUpdateRequest");
}

/// `@fastify/swagger` keys schemas added with `addSchema` as `def-N`, their `$id` as the title.
#[test]
fn fastify_placeholder_keys_are_named_from_their_title() {
    let (api, _) = lower_schemas(
        r#"
    def-0: {type: string, enum: [red, green], title: Color}
    def-1:
      type: object
      title: TreeNode
      properties:
        color: {$ref: '#/components/schemas/def-0'}
        children: {type: array, items: {$ref: '#/components/schemas/def-1'}}
    def-2: {type: object, title: Color, properties: {id: {type: string}}}
    def-3: {type: object, properties: {id: {type: string}}}
    definition-4: {type: object, title: Named, properties: {id: {type: string}}}
"#,
    );
    assert_eq!(names(&api), ["Color", "TreeNode", "Color2", "Def3", "Definition4"]);
    assert_eq!(field_type(&api, "TreeNode", "color"), named("Color"));
    assert_eq!(field_type(&api, "TreeNode", "children"), TypeRef::Vec(Box::new(named("TreeNode"))));
}

#[test]
fn scalars_follow_their_format() {
    let (api, diagnostics) = lower_schemas(
        r#"
    Scalars:
      type: object
      properties:
        at: {type: string, format: date-time}
        on: {type: string, format: date}
        small: {type: integer, format: int32}
        big: {type: integer, format: uint64}
        plain: {type: integer}
        ratio: {type: number, format: float}
        amount: {type: number}
        flag: {type: boolean}
        anything: {}
        odd: {type: [string, integer]}
"#,
    );
    let types: Vec<TypeRef> = structure(&api, "Scalars").fields.iter().map(|f| f.ty.clone()).collect();
    use TypeRef::{Bool, Date, DateTime, F32, F64, I32, I64, U64, Value};
    // Several types are a union of them.
    assert_eq!(types, [DateTime, Date, I32, U64, I64, F32, F64, Bool, Value, named("ScalarsOdd")]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn containers_arrays_tuples_and_maps() {
    let (api, diagnostics) = lower_yaml(
        "3.1.0",
        r#"paths: {}
components:
  schemas:
    Shapes:
      type: object
      properties:
        pair: {type: array, prefixItems: [{type: string}, {type: integer}], items: false, minItems: 2}
        loose: {type: array, prefixItems: [{type: string}]}
        list: {type: array, items: {type: [string, "null"]}}
        patterned: {type: object, patternProperties: {"^x-": {type: integer}}, additionalProperties: false}
        free: {type: object}
"#,
    );
    assert_eq!(field_type(&api, "Shapes", "pair"), TypeRef::Tuple(vec![TypeRef::String, TypeRef::I64]));
    assert_eq!(field_type(&api, "Shapes", "loose"), TypeRef::Vec(Box::new(TypeRef::Value)));
    let optional_string = TypeRef::Option(Box::new(TypeRef::String));
    assert_eq!(field_type(&api, "Shapes", "list"), TypeRef::Vec(Box::new(optional_string)));
    assert_eq!(field_type(&api, "Shapes", "patterned"), TypeRef::Map(Box::new(TypeRef::I64)));
    assert_eq!(field_type(&api, "Shapes", "free"), TypeRef::JsonObject);
    let warnings = messages(&diagnostics);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("/components/schemas/Shapes/properties/loose/prefixItems: prefixItems of varying"));
}

#[test]
fn all_of_parts_merge_into_one_struct_with_presence() {
    let (api, diagnostics) = lower_schemas(
        r##"
    Base:
      type: object
      required: [id, created]
      properties:
        id: {type: string}
        created: {type: string, readOnly: true}
        note: {type: string}
    Derived:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          required: [name]
          properties:
            name: {type: string, nullable: true}
            note: {type: integer}
        - description: only words
        - {type: string}
"##,
    );
    let derived = structure(&api, "Derived");
    let fields: Vec<(&str, Presence)> = derived.fields.iter().map(|f| (f.wire.as_str(), f.presence)).collect();
    // First appearance keeps the place; the last part's schema wins; read-only is never required.
    assert_eq!(
        fields,
        [
            ("id", Presence::Required),
            ("created", Presence::Optional),
            ("note", Presence::Optional),
            ("name", Presence::RequiredNullable)
        ]
    );
    assert_eq!(field_type(&api, "Derived", "note"), TypeRef::I64);
    assert!(!derived.default, "a required field rules out Default");
    assert!(derived.fields[1].docs.last().unwrap().starts_with("Read-only"));
    assert_eq!(
        messages(&diagnostics),
        ["/components/schemas/Derived/allOf/3: allOf part is not an object; its constraints are not modelled"]
    );
}

#[test]
fn unions_and_enums() {
    let (api, diagnostics) = lower_schemas(
        r##"
    Cat: {type: object, properties: {meow: {type: boolean}}}
    Dog: {type: object, properties: {bark: {type: boolean}}}
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat', kitty: '#/components/schemas/Cat'}}
    Loose:
      anyOf: [{type: string}, {type: integer}, {title: the thing, type: object, properties: {a: {type: string}}}]
    Colour: {type: string, enum: [red, red, Green, '']}
    Level: {type: integer, enum: [1, 2, 2]}
"##,
    );
    let TypeKind::Union(pet) = &def(&api, "Pet").kind else { panic!() };
    assert_eq!(pet.discriminator.as_deref(), Some("kind"));
    let variants: Vec<(&str, &[String])> = pet.variants.iter().map(|v| (v.name.as_str(), v.tags.as_slice())).collect();
    assert_eq!(variants, [("Cat", &["cat".to_owned(), "kitty".to_owned()][..]), ("Dog", &[][..])]);
    assert_eq!(pet.unknown.as_deref(), Some("Unknown"));
    assert_eq!(
        messages(&diagnostics),
        ["/components/schemas/Pet/oneOf/1: no discriminator value maps to this branch; it is never selected"]
    );

    let TypeKind::Union(loose) = &def(&api, "Loose").kind else { panic!() };
    let names: Vec<&str> = loose.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["String", "Integer", "TheThing"]);
    assert_eq!(loose.variants[2].ty, named("LooseTheThing"));
    assert_eq!(loose.unknown, None);

    let TypeKind::StringEnum(colour) = &def(&api, "Colour").kind else { panic!() };
    let wires: Vec<(&str, &str)> = colour.variants.iter().map(|v| (v.name.as_str(), v.wire.as_str())).collect();
    assert_eq!(wires, [("Red", "red"), ("Green", "Green"), ("Empty", "")]);
    assert_eq!(colour.other, "Unknown");
    let TypeKind::IntegerEnum(level) = &def(&api, "Level").kind else { panic!() };
    assert_eq!(level.variants.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [1, 2]);
}

/// Without a `mapping`, a branch whose tag property allows one value is selected by that value
/// (what Fastify's and NestJS's servers send), not by a schema name it could never carry.
#[test]
fn unmapped_discriminators_use_the_branchs_own_tag_value() {
    let (api, diagnostics) = lower_schemas(
        r##"
    def-1: {type: object, title: Cat, required: [petType], properties: {petType: {type: string, enum: [cat]}}}
    Dog: {type: object, required: [petType], properties: {petType: {type: string, enum: [dog, hound]}}}
    Bird: {type: object, properties: {petType: {type: string}}}
    Pet:
      oneOf: [{$ref: '#/components/schemas/def-1'}, {$ref: '#/components/schemas/Dog'}, {$ref: '#/components/schemas/Bird'}]
      discriminator: {propertyName: petType}
"##,
    );
    let TypeKind::Union(pet) = &def(&api, "Pet").kind else { panic!() };
    let variants: Vec<(&str, &[String])> = pet.variants.iter().map(|v| (v.name.as_str(), v.tags.as_slice())).collect();
    // `Dog` allows two values and `Bird` any: both keep their schema name as the tag.
    assert_eq!(
        variants,
        [("Cat", &["cat".to_owned()][..]), ("Dog", &["Dog".to_owned()][..]), ("Bird", &["Bird".to_owned()][..])]
    );
    assert_eq!(pet.variants[0].ty, named("Cat"));
    assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
}

/// drf-spectacular's nullable choice: `oneOf: [StatusEnum, BlankEnum, NullEnum]`, nullable.
#[test]
fn a_null_enum_branch_of_a_nullable_union_is_left_out() {
    let (api, diagnostics) = lower_schemas(
        r##"
    StatusEnum: {type: string, enum: [open, done]}
    BlankEnum: {enum: ['']}
    NullEnum: {enum: [null]}
    Task:
      type: object
      properties:
        status: {nullable: true, oneOf: [{$ref: '#/components/schemas/StatusEnum'}, {$ref: '#/components/schemas/BlankEnum'}, {$ref: '#/components/schemas/NullEnum'}]}
        strict: {oneOf: [{$ref: '#/components/schemas/StatusEnum'}, {$ref: '#/components/schemas/NullEnum'}]}
"##,
    );
    assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
    assert_eq!(field_type(&api, "Task", "status"), named("TaskStatus"));
    let TypeKind::Union(status) = &def(&api, "TaskStatus").kind else { panic!() };
    let variants: Vec<&str> = status.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(variants, ["StatusEnum", "BlankEnum"]);
    // Not nullable itself: the null branch is all that lets a null through, so it stays.
    let TypeKind::Union(strict) = &def(&api, "TaskStrict").kind else { panic!() };
    assert_eq!(strict.variants.len(), 2);
}

/// NSwag names an ASP.NET integer enum's values in `x-enumNames`; others use `x-enum-varnames`.
#[test]
fn integer_enum_variants_take_the_names_the_spec_gives() {
    let (api, _) = lower_schemas(
        r##"
    State: {type: integer, enum: [0, 1, 5], x-enumNames: [Pending, In progress, Closed]}
    Level: {type: integer, enum: [1, 2], x-enum-varnames: [LOW, HIGH]}
    Short: {type: integer, enum: [1, 2], x-enumNames: [One]}
    Odd: {type: integer, enum: [1, 2], x-enumNames: ['', '-']}
"##,
    );
    let variants = |name: &str| match &def(&api, name).kind {
        TypeKind::IntegerEnum(e) => e.variants.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>(),
        other => panic!("{name} is not an integer enum: {other:?}"),
    };
    assert_eq!(variants("State"), ["Pending=0", "InProgress=1", "Closed=5"]);
    assert_eq!(variants("Level"), ["Low=1", "High=2"]);
    // A list of the wrong length is ignored; a name without letters or digits falls back.
    assert_eq!(variants("Short"), ["V1=1", "V2=2"]);
    assert_eq!(variants("Odd"), ["V1=1", "V2=2"]);
}

#[test]
fn security_schemes_and_requirements() {
    let (api, diagnostics) = lower_yaml(
        "3.0.3",
        r#"security: [{token: []}]
paths:
  /a:
    get:
      security: [{key: []}, {nobody: []}]
      responses: {'204': {description: done}}
  /b:
    get:
      responses: {'204': {description: done}}
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key, description: From the console.}
    build: {type: http, scheme: basic}
"#,
    );
    let schemes: Vec<(&str, &str)> =
        api.security_schemes.iter().map(|s| (s.name.as_str(), s.method.as_str())).collect();
    // `build` is the builder's own method.
    assert_eq!(schemes[..2], [("token", "token"), ("key", "key")]);
    assert_ne!(schemes[2].1, "build");
    assert_eq!(api.security_schemes[0].kind, SchemeKind::Bearer);
    let SchemeKind::ApiKey { name, .. } = &api.security_schemes[1].kind else { panic!() };
    assert_eq!(name, "X-Key");
    assert_eq!(api.security_schemes[1].docs.last().map(String::as_str), Some("From the console."));
    assert_eq!(api.operations[0].security, [vec!["key".to_owned()]]);
    assert_eq!(api.operations[1].security, [vec!["token".to_owned()]]);
    assert_eq!(
        messages(&diagnostics),
        ["/paths/~1a/get/security/1: security requirement names undeclared scheme `nobody`"]
    );
}

#[test]
fn parameters_and_path_templates() {
    let (api, diagnostics) = lower_yaml(
        "3.0.3",
        r#"paths:
  /items/{id}/{part}?q={query}&v=2:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      - {name: limit, in: query, schema: {type: integer}}
    get:
      operationId: getPart
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, format: int32}}
        - {name: X-Trace, in: header, schema: {type: object}}
        - {name: filter, in: query, style: deepObject, schema: {type: object, properties: {a: {type: string}}}}
        - {name: self, in: query, schema: {type: string}}
      responses: {'204': {description: done}}
"#,
    );
    let op = only_operation(&api);
    let params: Vec<(&str, &str, ParamLocation, bool)> =
        op.params.iter().map(|p| (p.name.as_str(), p.wire.as_str(), p.location, p.required)).collect();
    assert_eq!(
        params,
        [
            ("id", "id", ParamLocation::Path, true),
            ("part", "part", ParamLocation::Path, true),
            ("limit", "limit", ParamLocation::Query, true),
            ("filter", "filter", ParamLocation::Query, false),
            ("self_", "self", ParamLocation::Query, false),
            ("x_trace", "X-Trace", ParamLocation::Header, false),
            ("query", "q", ParamLocation::Query, true),
        ]
    );
    // The operation's `limit` replaces the path item's.
    assert_eq!(op.params[2].ty, TypeRef::I32);
    assert!(op.params[3].object);
    assert_eq!(op.params[5].ty, TypeRef::Value);
    assert_eq!(
        op.path_parts,
        [
            PathPart::Literal("/items/".to_owned()),
            PathPart::Param(0),
            PathPart::Literal("/".to_owned()),
            PathPart::Param(1),
        ]
    );
    assert_eq!(op.fixed_query, [("v".to_owned(), "2".to_owned())]);
    let warnings = messages(&diagnostics);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].ends_with("object-valued header, path and cookie parameters are sent as JSON text"));
    assert!(warnings[1].contains("`?q={query}&v=2` in the path key is not part of the path"));
    assert!(warnings[2].contains("path template variable `part` is not declared"));
}

#[test]
fn template_variables_in_order() {
    assert_eq!(template_variables("/a/{x}/b/{y.z}"), vec!["x", "y.z"]);
    assert_eq!(template_variables("q={q}&n={n}"), vec!["q", "n"]);
    assert!(template_variables("/plain").is_empty());
}

#[test]
fn request_bodies_choose_a_media_kind() {
    let (api, diagnostics) = lower_yaml(
        "3.0.3",
        r#"paths:
  /json:
    post:
      requestBody:
        content:
          application/xml: {schema: {type: string}}
          application/merge-patch+json: {schema: {type: object, properties: {a: {type: string}}}}
      responses: {'204': {description: done}}
  /upload:
    post:
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
                pages: {type: array, items: {type: string, format: binary}}
                title: {type: string}
            encoding: {file: {contentType: image/png}}
      responses: {'204': {description: done}}
  /text:
    post:
      requestBody: {content: {'text/*': {}}}
      responses: {'204': {description: done}}
"#,
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let json = api.operations[0].body.as_ref().unwrap();
    assert_eq!(
        (json.encoding.clone(), json.content_type.as_str()),
        (BodyEncoding::Json, "application/merge-patch+json")
    );
    assert_eq!(json.ty, named("PostJsonRequest"));
    assert_eq!(json.docs, ["Sent as `application/merge-patch+json`; the API also accepts `application/xml`."]);

    let upload = api.operations[1].body.as_ref().unwrap();
    let BodyEncoding::Multipart(form) = &upload.encoding else { panic!("{:?}", upload.encoding) };
    assert_eq!(form.name, "PostUploadForm");
    let parts: Vec<(&str, &PartKind)> = form.fields.iter().map(|f| (f.field.wire.as_str(), &f.part)).collect();
    assert_eq!(
        parts,
        [
            ("file", &PartKind::File("image/png".to_owned())),
            ("pages", &PartKind::Files("application/octet-stream".to_owned())),
            ("title", &PartKind::Value)
        ]
    );
    assert!(upload.required);

    let text = api.operations[2].body.as_ref().unwrap();
    assert_eq!((text.encoding.clone(), text.content_type.as_str()), (BodyEncoding::Text, "text/plain"));
    assert_eq!(text.ty, TypeRef::String);
}

#[test]
fn responses_make_success_and_error_types() {
    let (api, _) = lower_yaml(
        "3.0.3",
        r#"paths:
  /calls/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    patch:
      operationId: update_call
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}
        '202': {description: later, content: {text/plain: {}}}
        '404': {description: missing, content: {application/json: {schema: {type: object, properties: {m: {type: string}}}}}}
        '418': {description: teapot}
  /only-default:
    get:
      responses:
        default: {description: anything, content: {application/octet-stream: {}}}
"#,
    );
    let update = &api.operations[0];
    let variants: Vec<(&str, bool)> = update.responses.iter().map(|r| (r.variant.as_str(), r.success)).collect();
    assert_eq!(variants, [("Ok", true), ("Accepted", true), ("NotFound", false), ("ImATeapot", false)]);
    assert!(update.success_enum);
    assert_eq!(update.success, named("UpdateCallSuccess"));
    assert_eq!(update.responses[0].body, ResponseBody::Json(named("UpdateCallOkResponse")));
    assert_eq!(update.responses[2].body, ResponseBody::Json(named("UpdateCallNotFoundBody")));
    assert_eq!(update.error_type, "UpdateCallError");
    let TypeKind::Responses(errors) = &def(&api, "UpdateCallError").kind else { panic!() };
    assert_eq!(errors.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["NotFound", "ImATeapot"]);

    // `default` alone is the success response.
    let download = &api.operations[1];
    assert!(download.responses[0].success);
    assert_eq!((download.success.clone(), download.responses[0].body.clone()), (TypeRef::Unit, ResponseBody::Binary));
}

#[test]
fn representations_with_different_schemas_are_variants_and_spellings_of_one_are_not() {
    let (api, diagnostics) = lower_yaml(
        "3.1.0",
        r#"
paths:
  /swashbuckle:
    get:
      responses:
        '200':
          description: one schema in three spellings
          content:
            text/plain: {schema: {$ref: '#/components/schemas/Pet'}}
            application/json: {schema: {$ref: '#/components/schemas/Pet'}}
            text/json: {schema: {$ref: '#/components/schemas/Pet'}}
  /fastapi:
    get:
      responses:
        '200':
          description: FastAPI's empty JSON beside the real media type
          content:
            application/json: {schema: {}}
            text/event-stream: {schema: {$ref: '#/components/schemas/Pet'}}
  /complete:
    post:
      responses:
        '200':
          description: JSON, or events when asked to stream
          content:
            application/json: {schema: {$ref: '#/components/schemas/Pet'}}
            text/event-stream: {schema: {$ref: '#/components/schemas/Pet'}}
            application/vnd.ms-excel: {}
            image/png: {}
            text/html: {schema: {$ref: '#/components/schemas/Pet'}}
            application/vnd.example.pet: {schema: {$ref: '#/components/schemas/Pet'}}
            entity_type: {schema: {type: string}}
components:
  schemas:
    Pet: {type: object, properties: {name: {type: string}}}
"#,
    );
    assert_eq!(messages(&diagnostics), Vec::<String>::new());
    let [swashbuckle, fastapi, complete] = api.operations.as_slice() else { panic!() };
    assert_eq!(swashbuckle.responses.len(), 1);
    assert_eq!((&swashbuckle.success, swashbuckle.success_enum), (&named("Pet"), false));
    assert_eq!(fastapi.responses[0].body, ResponseBody::EventStream(Some(named("Pet"))));

    let shapes: Vec<(&str, &ResponseBody, Vec<&str>)> = complete
        .responses
        .iter()
        .map(|r| (r.variant.as_str(), &r.body, r.media.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        shapes,
        [
            ("Ok", &ResponseBody::Json(named("Pet")), vec![]),
            // An event stream beside other representations is buffered, so it is read as text.
            // The model under HTML or a vendor type is the JSON body in another spelling, and
            // `entity_type` is no media type: neither is a representation.
            ("OkEvents", &ResponseBody::Text, vec!["text/event-stream"]),
            ("OkBytes", &ResponseBody::Binary, vec!["application/vnd.ms-excel", "image/png"]),
        ]
    );
    let TypeKind::Responses(variants) = &def(&api, &complete.error_type.replace("Error", "Success")).kind else {
        panic!()
    };
    let payloads: Vec<Option<&TypeRef>> = variants.iter().map(|v| v.ty.as_ref()).collect();
    assert_eq!(payloads, [Some(&named("Pet")), Some(&TypeRef::String), Some(&TypeRef::Bytes)]);
}

#[test]
fn boxing_breaks_cycles_held_in_place_only() {
    let (api, _) = lower_schemas(
        r##"
    Node:
      type: object
      properties:
        next: {$ref: '#/components/schemas/Node'}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        pair: {type: object, properties: {back: {$ref: '#/components/schemas/Node'}}}
    Tree:
      oneOf: [{$ref: '#/components/schemas/Tree'}, {type: string}]
"##,
    );
    let boxed: Vec<(&str, bool)> = structure(&api, "Node").fields.iter().map(|f| (f.wire.as_str(), f.boxed)).collect();
    assert_eq!(boxed, [("next", true), ("children", false), ("pair", true)]);
    assert!(structure(&api, "NodePair").fields[0].boxed);
    let TypeKind::Union(tree) = &def(&api, "Tree").kind else { panic!() };
    assert_eq!(tree.variants.iter().map(|v| v.boxed).collect::<Vec<_>>(), [true, false]);
}

#[test]
fn serde_directions_and_tri_state_fields() {
    let (api, _) = lower_yaml(
        "3.0.3",
        r##"paths:
  /things:
    post:
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Sent'}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Received'}}}}
components:
  schemas:
    Sent: {type: object, properties: {shared: {$ref: '#/components/schemas/Shared'}, maybe: {type: string, nullable: true}}}
    Received: {type: object, properties: {maybe: {type: string, nullable: true}}}
    Shared: {type: object, properties: {x: {type: string}}}
    Unused: {type: object, properties: {x: {type: string}}}
"##,
    );
    let has = |set: &rustc_hash::FxHashSet<String>, name: &str| set.contains(name);
    assert!(has(&api.serialize, "Sent") && has(&api.serialize, "Shared"));
    assert!(!has(&api.serialize, "Received") && !has(&api.serialize, "Unused"));
    assert!(has(&api.deserialize, "Received") && has(&api.deserialize, "Unused"));
    assert!(!has(&api.deserialize, "Sent") && !has(&api.deserialize, "Shared"));
    // `Nullable<T>` only where a request sends it.
    assert_eq!(structure(&api, "Sent").fields[1].presence, Presence::OptionalNullable);
    assert_eq!(structure(&api, "Received").fields[0].presence, Presence::Optional);
}

/// The operations of a FastAPI-like spec: `count` operations whose 422 body is the same inline
/// validation error, then a create and a read of one resource with the same inline enum.
fn one_concept_spec(count: usize) -> String {
    let error = "{type: object, required: [detail], properties: {detail: {type: array, items: \
                 {type: object, required: [loc, msg], properties: {loc: {type: array, items: {type: string}}, \
                 msg: {type: string}}}}}}";
    let mut paths = String::from("paths:\n");
    for i in 0..count {
        paths.push_str(&format!(
            "  /things{i}:\n    get:\n      operationId: list_things_{i}\n      responses:\n        \
             '204': {{description: ok}}\n        '422': {{description: invalid, content: \
             {{application/json: {{schema: {error}}}}}}}\n"
        ));
    }
    paths.push_str(
        r#"  /agents:
    post:
      operationId: create_agent
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [language]
              properties:
                language: {type: string, description: Spoken language., enum: [en, fr]}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
                  language: {type: string, enum: [en, fr]}
"#,
    );
    paths
}

#[test]
fn equal_inline_enums_in_a_request_and_a_response_are_one_type() {
    let (api, _) = lower_yaml("3.0.3", &one_concept_spec(0));
    let op = only_operation(&api);
    let sent = op.body.as_ref().unwrap().ty.clone();
    assert_eq!(sent, named("CreateAgentRequest"));
    assert_eq!(field_type(&api, "CreateAgentRequest", "language"), named("CreateAgentRequestLanguage"));
    assert_eq!(field_type(&api, "CreateAgentResponse", "language"), named("CreateAgentRequestLanguage"));
    assert!(!names(&api).contains(&"CreateAgentResponseLanguage"), "{:?}", names(&api));
    // The first use's docs; both directions derive their trait.
    assert_eq!(def(&api, "CreateAgentRequestLanguage").docs, ["Spoken language."]);
    assert!(api.serialize.contains("CreateAgentRequestLanguage"));
    assert!(api.deserialize.contains("CreateAgentRequestLanguage"));
}

#[test]
fn identical_inline_error_bodies_are_one_type() {
    let (api, _) = lower_yaml("3.0.3", &one_concept_spec(15));
    assert_eq!(api.operations.len(), 16);
    for op in &api.operations[..15] {
        assert_eq!(op.responses[1].body, ResponseBody::Json(named("ListThings0UnprocessableEntityBody")));
    }
    let bodies = names(&api).into_iter().filter(|n| n.ends_with("Body") || n.ends_with("Item")).collect::<Vec<_>>();
    assert_eq!(bodies, ["ListThings0UnprocessableEntityBody", "ListThings0UnprocessableEntityBodyDetailItem"]);
    // Each operation keeps its own error enum, over the one body.
    assert_eq!(api.types.iter().filter(|t| matches!(t.kind, TypeKind::Responses(_))).count(), 16);
}

#[test]
fn an_inline_schema_equal_to_a_component_is_the_component() {
    let (api, _) = lower_yaml(
        "3.0.3",
        r##"paths:
  /pets:
    get:
      operationId: get_pet
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [name], properties: {name: {type: string}, kind: {type: string, enum: [cat, dog]}}}
components:
  schemas:
    Pet:
      description: A pet.
      type: object
      required: [name]
      properties: {name: {type: string}, kind: {$ref: '#/components/schemas/Kind'}}
    Kind: {type: string, enum: [cat, dog]}
    Twin: {type: string, enum: [cat, dog]}
"##,
    );
    // The inline enum is `Kind` (the first component of its shape, `Twin` is another concept);
    // the inline object then has `Pet`'s shape.
    assert_eq!(only_operation(&api).success, named("Pet"));
    assert_eq!(names(&api), ["Pet", "Kind", "Twin", "GetPetError"]);
}

#[test]
fn shapes_that_differ_stay_apart_and_names_are_given_back() {
    let (api, _) = lower_schemas(
        r#"
    Holder:
      type: object
      properties:
        x: {type: object, properties: {p: {type: string}}}
        y: {type: object, description: Same as x., properties: {p: {type: string}}}
        Y: {type: object, properties: {q: {type: integer}}}
        required: {type: object, required: [p], properties: {p: {type: string}}}
        nullable: {type: object, properties: {p: {type: string, nullable: true}}}
        open: {type: object, additionalProperties: true, properties: {p: {type: string}}}
        order: {type: string, enum: [a, b]}
        reorder: {type: string, enum: [b, a]}
        again: {type: string, enum: [a, b]}
        number: {type: integer, enum: [1, 2]}
        numbers: {type: integer, enum: [1, 2]}
        union: {oneOf: [{type: string}, {type: integer}]}
        onion: {oneOf: [{type: string}, {type: integer}]}
    B: {type: object, properties: {p: {type: string}}}
    C: {type: object, properties: {p: {type: string}}}
"#,
    );
    let ty = |wire| field_type(&api, "Holder", wire);
    assert_eq!((ty("x"), ty("y")), (named("HolderX"), named("HolderX")));
    // `y`'s twin gave its name back, so `Y` gets it unnumbered.
    assert_eq!(ty("Y"), named("HolderY"));
    for wire in ["required", "nullable", "open"] {
        assert_ne!(ty(wire), named("HolderX"), "{wire}");
    }
    assert_eq!((ty("order"), ty("again")), (named("HolderOrder"), named("HolderOrder")));
    assert_eq!(ty("reorder"), named("HolderReorder"));
    assert_eq!((ty("number"), ty("numbers")), (named("HolderNumber"), named("HolderNumber")));
    assert_eq!((ty("union"), ty("onion")), (named("HolderUnion"), named("HolderUnion")));
    // Two components of one shape are two concepts; an inline schema met before them stays too.
    assert!(names(&api).contains(&"B") && names(&api).contains(&"C"));
    assert_eq!(def(&api, "HolderX").docs, Vec::<String>::new());
}

#[test]
fn an_inline_type_met_again_inside_itself_is_kept() {
    let (api, _) = lower_schemas(
        r##"
    Tree:
      type: object
      properties:
        child:
          allOf:
            - {$ref: '#/components/schemas/Tree'}
            - {type: object, properties: {depth: {type: integer}}}
    Other:
      type: object
      properties:
        child:
          allOf:
            - {$ref: '#/components/schemas/Tree'}
            - {type: object, properties: {depth: {type: integer}}}
"##,
    );
    // `TreeChild` holds itself. Reached again from `Other`, the schema is a type that holds
    // itself too (a type met again inside itself is never swapped for a twin), so every name a
    // field refers to is defined. `Other`'s `child` (a `child` of that type and a `depth`) has
    // the shape of that type, so it is that type.
    let child = structure(&api, "TreeChild");
    assert_eq!((child.fields[0].ty.clone(), child.fields[0].boxed), (named("TreeChild"), true));
    assert_eq!(field_type(&api, "Tree", "child"), named("TreeChild"));
    let other = field_type(&api, "Other", "child");
    let TypeRef::Named(other) = other else { panic!() };
    for field in &structure(&api, &other).fields {
        if let TypeRef::Named(name) = &field.ty {
            assert!(names(&api).contains(&name.as_str()), "{name} is not defined: {:?}", names(&api));
        }
    }
    assert_eq!(names(&api), ["Tree", "TreeChild", "Other", "OtherChildChild"]);
}

/// The names of the features that compile `type_name` (empty: always compiled).
fn type_features<'a>(api: &'a Api, type_name: &str) -> Vec<&'a str> {
    let indices = api.features.types.get(type_name).map(Vec::as_slice).unwrap_or_default();
    indices.iter().map(|&i| api.features.list[i].name.as_str()).collect()
}

#[test]
fn tags_become_features_that_compile_what_their_operations_reach() {
    let (api, diagnostics) = lower_yaml(
        "3.0.3",
        r##"
tags: [{name: Pull Requests}, {name: default}]
paths:
  /pulls:
    get:
      tags: [Pull Requests]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pull'}}}}
  /things:
    get:
      tags: [default, Pull Requests]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Shared'}}}}
  /other:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Shared'}}}}
components:
  schemas:
    Shared: {type: object, properties: {a: {type: string}}}
    User: {type: object, properties: {name: {type: string}}}
    Pull: {type: object, properties: {user: {$ref: '#/components/schemas/User'}, s: {$ref: '#/components/schemas/Shared'}}}
    Hook: {type: object, properties: {pull: {$ref: '#/components/schemas/Pull'}}}
"##,
    );
    assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
    let features: Vec<&str> = api.features.list.iter().map(|f| f.name.as_str()).collect();
    // Tags as listed, kebab case; a reserved name is numbered; untagged, then unused schemas last.
    assert_eq!(features, ["pull-requests", "default-2", "untagged", "unreferenced-schemas"]);
    let op_features: Vec<&[usize]> = api.operations.iter().map(|op| op.features.as_slice()).collect();
    assert_eq!(op_features, [&[0][..], &[0, 1], &[2]]);
    // Every group of operations reaches `Shared`: always compiled.
    assert!(type_features(&api, "Shared").is_empty());
    // What a webhook payload holds is compiled with it (closed under containment).
    assert_eq!(type_features(&api, "User"), ["pull-requests", "unreferenced-schemas"]);
    assert_eq!(type_features(&api, "Pull"), ["pull-requests", "unreferenced-schemas"]);
    assert_eq!(type_features(&api, "Hook"), ["unreferenced-schemas"]);
    // Error enums belong to their operation.
    let error = &api.operations[2].error_type;
    assert_eq!(type_features(&api, error), ["untagged"]);
}

#[test]
fn one_group_of_operations_gives_no_features() {
    let (api, _) = lower_yaml(
        "3.0.3",
        "paths:\n  /a:\n    get:\n      tags: [calls]\n      responses: {'204': {description: ok}}\n  /b:\n    \
         get:\n      tags: [calls]\n      responses: {'204': {description: ok}}\n",
    );
    assert!(api.features.list.is_empty());
    assert!(api.operations.iter().all(|op| op.features.is_empty()));
}

/// OpenAPI 3.2 (after `v32`): `itemSchema` streams, `QUERY` and additional methods, and a
/// discriminator's `defaultMapping`.
mod openapi32 {
    use super::*;
    use crate::ir::Union;

    fn success_body(op: &Operation) -> &ResponseBody {
        &op.responses.iter().find(|r| r.success).unwrap().body
    }

    #[test]
    fn item_schemas_are_typed_streams_and_event_data_follows_its_content_schema() {
        let (api, diagnostics) = lower_yaml(
            "3.2.0",
            "paths:
  /lines:
    get:
      responses:
        '200': {description: d, content: {application/x-ndjson: {itemSchema: {$ref: '#/components/schemas/T'}}}}
  /events:
    get:
      responses:
        '200':
          description: d
          content:
            application/json: {schema: {}}
            text/event-stream:
              itemSchema:
                properties:
                  data: {type: string, contentMediaType: application/json, contentSchema: {$ref: '#/components/schemas/T'}}
                  event: {type: string}
  /text:
    get:
      responses:
        '200': {description: d, content: {text/event-stream: {itemSchema: {properties: {data: {type: string}}}}}}
  /json-strings:
    get:
      responses:
        '200':
          description: d
          content:
            text/event-stream:
              itemSchema:
                properties: {data: {type: string, contentMediaType: application/json, contentSchema: {type: string}}}
components:
  schemas:
    T: {type: object, properties: {n: {type: integer}}}
",
        );
        assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
        let media = "application/x-ndjson".to_owned();
        assert_eq!(success_body(&api.operations[0]), &ResponseBody::Items { media, item: named("T") });
        assert_eq!(success_body(&api.operations[1]), &ResponseBody::EventStream(Some(named("T"))));
        assert_eq!(success_body(&api.operations[2]), &ResponseBody::EventStream(None));
        // JSON text of a string is decoded as JSON, not kept with its quotes.
        assert_eq!(success_body(&api.operations[3]), &ResponseBody::EventStream(Some(TypeRef::String)));
    }

    #[test]
    fn an_additional_operation_that_does_not_parse_is_left_out_with_a_warning() {
        let (api, diagnostics) = lower_yaml(
            "3.2.0",
            "paths:
  /a:
    get: {operationId: get_a, responses: {'204': {description: d}}}
    additionalOperations:
      LINK: {operationId: [not, a, string], responses: {'204': {description: d}}}
",
        );
        assert_eq!(api.operations.len(), 1);
        let messages = messages(&diagnostics);
        assert!(
            matches!(messages.as_slice(), [m] if m.starts_with("/paths/~1a/additionalOperations/LINK: invalid operation")),
            "{messages:?}"
        );
    }

    /// FastAPI writes `itemSchema` into the 3.1 documents it publishes (native server-sent
    /// events and JSON Lines): it is read there too.
    #[test]
    fn item_schemas_in_a_31_document_as_fastapi_writes_them() {
        let (api, diagnostics) = lower_yaml(
            "3.1.0",
            "paths:
  /lines:
    get:
      responses:
        '200': {description: d, content: {application/jsonl: {itemSchema: {$ref: '#/components/schemas/T'}}}}
  /events:
    get:
      responses:
        '200':
          description: d
          content:
            text/event-stream:
              itemSchema:
                type: object
                required: [data]
                properties:
                  data: {type: string, contentMediaType: application/json, contentSchema: {$ref: '#/components/schemas/T'}}
                  event: {type: string}
                  id: {type: string}
                  retry: {type: integer, minimum: 0}
components:
  schemas:
    T: {type: object, properties: {n: {type: integer}}}
",
        );
        assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
        let media = "application/jsonl".to_owned();
        assert_eq!(success_body(&api.operations[0]), &ResponseBody::Items { media, item: named("T") });
        assert_eq!(success_body(&api.operations[1]), &ResponseBody::EventStream(Some(named("T"))));
    }

    #[test]
    fn query_and_additional_operations_follow_the_fixed_methods() {
        let (api, diagnostics) = lower_yaml(
            "3.2.0",
            "paths:
  /a:
    additionalOperations:
      PURGE: {operationId: purge_a, responses: {'204': {description: d}}}
    query: {operationId: search_a, responses: {'204': {summary: s}}}
    get: {operationId: get_a, responses: {'204': {description: d}}}
",
        );
        assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
        let methods: Vec<(&str, &str)> =
            api.operations.iter().map(|o| (o.http_method.as_str(), o.method_name.as_str())).collect();
        assert_eq!(methods, [("GET", "get_a"), ("QUERY", "search_a"), ("PURGE", "purge_a")]);
    }

    #[test]
    fn default_mapping_is_the_fallback_variant_instead_of_unknown() {
        let (api, diagnostics) = lower_yaml(
            "3.2.0",
            "paths: {}
components:
  schemas:
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind, defaultMapping: '#/components/schemas/Dog'}
    Shape:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind, defaultMapping: Other}
    Cat: {type: object, properties: {kind: {type: string}}}
    Dog: {type: object, properties: {kind: {type: string}, bark: {type: boolean}}}
    Other: {type: object, properties: {kind: {type: string}, x: {type: string}}}
",
        );
        assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
        let union = |name: &str| match &def(&api, name).kind {
            TypeKind::Union(union) => union.clone(),
            other => panic!("{other:?}"),
        };
        let Union { fallback, unknown, .. } = union("Pet");
        assert_eq!((fallback.as_deref(), unknown), (Some("Dog"), None));
        let shape = union("Shape");
        assert_eq!(shape.fallback.as_deref(), Some("Other"));
        let other = shape.variants.last().unwrap();
        assert_eq!((other.ty.clone(), other.tags.is_empty()), (named("Other"), true));
    }
}

/// A `GET /list` with these query parameters (YAML list items) and this 200 body schema.
fn listing(params: &str, body: &str) -> (Api, Vec<Diagnostic>) {
    lower_yaml(
        "3.0.3",
        &format!(
            "paths:\n  /list:\n    get:\n      operationId: list\n      parameters: [{params}]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {body}\n"
        ),
    )
}

fn shape(api: &Api) -> Option<&'static str> {
    only_operation(api).pagination.as_ref().map(|p| p.shape.label())
}

#[test]
fn pagination_is_recognised_only_on_clear_evidence() {
    let cursor_param = "{name: cursor, in: query, schema: {type: string}}";
    let page_body = "{type: object, properties: {data: {type: array, items: {type: string}}, meta: {type: object, properties: {next_cursor: {type: string}}}}}";
    let (api, _) = listing(cursor_param, page_body);
    let paging = only_operation(&api).pagination.clone().expect("a cursor listing");
    assert_eq!(paging.item, TypeRef::String);
    let crate::ir::PageShape::Cursor { param, cursor, has_more } = paging.shape else { panic!("{paging:?}") };
    assert_eq!((param.as_str(), has_more), ("cursor", None));
    assert_eq!(
        cursor.iter().map(|s| (s.name.as_str(), s.optional)).collect::<Vec<_>>(),
        [("meta", true), ("next_cursor", true)]
    );
    assert!(paging.evidence.contains("`meta.next_cursor`"), "{}", paging.evidence);

    // A cursor with no parameter to send it in, or two cursor parameters: not paged.
    assert_eq!(shape(&listing("{name: q, in: query, schema: {type: string}}", page_body).0), None);
    let two = format!("{cursor_param}, {{name: after, in: query, schema: {{type: string}}}}");
    assert_eq!(shape(&listing(&two, page_body).0), None);
    // Two cursor fields: not paged.
    let two_cursors = "{type: object, properties: {data: {type: array, items: {type: string}}, next_cursor: {type: string}, meta: {type: object, properties: {next_cursor: {type: string}}}}}";
    assert_eq!(shape(&listing(cursor_param, two_cursors).0), None);
    // Two arrays, neither with an items name: not paged; one named `data` is the items.
    let two_arrays = "{type: object, properties: {a: {type: array, items: {type: string}}, b: {type: array, items: {type: integer}}, next_cursor: {type: string}}}";
    assert_eq!(shape(&listing(cursor_param, two_arrays).0), None);
    let with_data = two_arrays.replace("a: ", "data: ");
    assert_eq!(shape(&listing(cursor_param, &with_data).0), Some("cursor"));

    // A next link, an offset, a page number.
    let next = "{type: object, properties: {results: {type: array, items: {type: string}}, next: {type: string, nullable: true}}}";
    assert_eq!(shape(&listing("{name: page, in: query, schema: {type: integer}}", next).0), Some("next-url"));
    let items = "{type: array, items: {type: string}}";
    let offset =
        "{name: offset, in: query, schema: {type: integer}}, {name: limit, in: query, schema: {type: integer}}";
    let (api, _) = listing(offset, items);
    assert_eq!(
        only_operation(&api).pagination.as_ref().unwrap().shape,
        crate::ir::PageShape::Offset { param: 0, limit: Some(1) }
    );
    assert_eq!(shape(&listing("{name: page, in: query, schema: {type: integer}}", items).0), Some("page"));
    // An offset that is a string is not one.
    assert_eq!(shape(&listing("{name: offset, in: query, schema: {type: string}}", items).0), None);
}

#[test]
fn a_pagination_extension_that_does_not_fit_is_a_warning() {
    let body = "{type: object, properties: {data: {type: array, items: {type: string}}}}";
    let text = format!(
        "paths:\n  /list:\n    get:\n      x-fern-pagination: {{offset: $request.skip, results: $response.rows}}\n      parameters: [{{name: skip, in: query, schema: {{type: integer}}}}]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {body}\n"
    );
    let (api, diagnostics) = lower_yaml("3.0.3", &text);
    assert_eq!(shape(&api), None);
    assert_eq!(
        messages(&diagnostics),
        ["/paths/~1list/get/x-fern-pagination: x-fern-pagination not used: no property `rows`"]
    );
    let (api, diagnostics) = lower_yaml("3.0.3", &text.replace("$response.rows", "$response.data"));
    assert_eq!((shape(&api), diagnostics.len()), (Some("offset"), 0));
}

#[test]
fn idempotency_headers_and_typed_response_headers() {
    let (api, diagnostics) = lower_yaml(
        "3.0.3",
        r#"
paths:
  /calls:
    post:
      parameters:
        - {name: X-Idempotency-Key, in: header, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        '201':
          description: created
          headers:
            Location: {required: true, schema: {type: string}}
            X-RateLimit-Remaining: {schema: {type: integer, format: int32}}
            Content-Type: {schema: {type: string}}
            X-Flags: {schema: {type: array, items: {type: string}}}
"#,
    );
    let op = only_operation(&api);
    assert_eq!(op.idempotency_header.as_deref(), Some("X-Idempotency-Key"));
    let headers: Vec<(&str, &str, &TypeRef, bool)> =
        op.response_headers.iter().map(|h| (h.name.as_str(), h.wire.as_str(), &h.ty, h.required)).collect();
    assert_eq!(
        headers,
        [
            ("location", "location", &TypeRef::String, true),
            ("x_rate_limit_remaining", "x-ratelimit-remaining", &TypeRef::I32, false),
            ("x_flags", "x-flags", &TypeRef::String, false),
        ]
    );
    assert_eq!(op.headers_type, "PostCallsHeaders");
    assert_eq!(
        messages(&diagnostics),
        [
            "/paths/~1calls/post/responses/201/headers/X-Flags/schema: a response header that is not a scalar is read as its text (a String)"
        ]
    );
}

#[test]
fn a_parameter_called_items_keeps_the_listing_a_plain_call() {
    let body = "{type: array, items: {type: string}}";
    let params =
        "{name: offset, in: query, schema: {type: integer}}, {name: items, in: query, schema: {type: integer}}";
    assert_eq!(shape(&listing(params, body).0), None);
    // A parameter spelled like a method the builder always has gets another name.
    let (api, _) = listing("{name: send_with_headers, in: query, schema: {type: string}}", body);
    assert_eq!(only_operation(&api).params[0].name, "send_with_headers_2");
}
