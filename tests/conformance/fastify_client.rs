//! The Fastify conformance suite: a client generated from the spec `@fastify/swagger` writes
//! from the route schemas of `fastify/app.js`, driven against the live app. Each route answers
//! with what it received, so these tests assert on what the server saw.
//!
//! `cargo xtask conformance` generates the crate, copies this file into it as
//! `tests/conformance.rs` and runs it with `FASTIFY_URL` set to the running app.

use std::time::Duration;

use fastify_conformance::client::UploadForm;
use fastify_conformance::runtime::{FilePart, Nullable, RetryPolicy};
use fastify_conformance::types::{
    Cat, CatPetType, Color, CreatePetRequest, CreateWidgetError, CreateWidgetRequest, DeleteWidgetError, Dog,
    DogPetType, GetWidgetError, LoginRequest, PatchItemRequest, TreeNode,
};
use fastify_conformance::{Client, ClientBuilder, Error};
use serde_json::{Value, json};

/// The PNG bytes the app's `/image` route serves.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
];

fn builder() -> ClientBuilder {
    let url = std::env::var("FASTIFY_URL").expect("FASTIFY_URL is set by `cargo xtask conformance`");
    Client::builder().base_url(url).retry_policy(RetryPolicy::none())
}

fn client() -> Client {
    builder().build().unwrap()
}

/// One security requirement naming both schemes: both are sent.
#[tokio::test]
async fn both_credentials_of_one_requirement_are_sent() {
    let client = builder().bearer_auth("token-1").api_key("key-1").build().unwrap();
    let who = client.whoami().await.unwrap().into_body();
    assert_eq!((who.token.as_str(), who.api_key.as_str()), ("token-1", "key-1"));

    // With one of the two the client refuses before sending anything.
    let bearer_only = builder().bearer_auth("token-1").build().unwrap();
    assert!(matches!(bearer_only.whoami().await, Err(Error::MissingCredentials { .. })));
}

/// `@fastify/swagger` writes a nullable `$ref` as `anyOf: [$ref, {type: object, nullable: true,
/// enum: [null]}]`; it is a `Nullable<Color>`, and an explicit null reaches the server.
#[tokio::test]
async fn patch_sends_set_fields_and_explicit_nulls() {
    let patch = PatchItemRequest::default()
        .with_name("renamed".to_owned())
        .with_color(Nullable::Null)
        .with_tags(vec!["a".to_owned()]);
    let report = client().patch_item(7, &patch).await.unwrap().into_body();
    assert_eq!(report.item_id, 7);
    assert_eq!(report.fields_set, ["color", "name", "tags"]);
    assert_eq!(report.nulls, ["color"]);

    let patch = PatchItemRequest::default().with_color(Color::DarkBlue).with_note(Nullable::Null);
    let report = client().patch_item(8, &patch).await.unwrap().into_body();
    assert_eq!(Value::Object(report.values.unwrap_or_default()), json!({"color": "dark-blue", "note": null}));
}

/// A path enum and a query list of a shared enum schema.
#[tokio::test]
async fn enums_in_the_path_and_a_query_list_of_enums() {
    let echo = client().get_color(&Color::DarkBlue).also(&[Color::Red, Color::Green]).limit(2).await.unwrap();
    let echo = echo.into_body();
    assert_eq!(echo.url, "/colors/dark-blue?also=red&also=green&limit=2");
    assert_eq!(Value::Object(echo.query), json!({"also": ["red", "green"], "limit": 2}));
}

#[tokio::test]
async fn the_raw_path_and_query_are_escaped() {
    let tags = ["t1".to_owned(), "t 2&x".to_owned()];
    let echo = client().get_file("a b?c%d.txt").q("x&y=z/é").tag(&tags).exact(false).await.unwrap().into_body();
    assert!(echo.url.starts_with("/files/a%20b%3Fc%25d.txt?q=x%26y%3Dz"), "{}", echo.url);
    assert_eq!(
        Value::Object(echo.query),
        json!({"q": "x&y=z/é", "tag": ["t1", "t 2&x"], "exact": false, "name": "a b?c%d.txt"})
    );
}

/// No `mapping`: each branch is selected by the one value its `petType` allows.
#[tokio::test]
async fn a_discriminated_union_is_sent_with_its_tag() {
    let cat = CreatePetRequest::Cat(Cat::new(CatPetType::Cat, "Tom".to_owned()).with_lives(7));
    let received = client().create_pet(&cat).await.unwrap().into_body().received;
    assert_eq!(Value::Object(received), json!({"petType": "cat", "name": "Tom", "lives": 7}));
    let dog = CreatePetRequest::Dog(Dog::new(DogPetType::Dog, "Rex".to_owned()).with_good(true));
    let received = client().create_pet(&dog).await.unwrap().into_body().received;
    assert_eq!(Value::Object(received), json!({"petType": "dog", "name": "Rex", "good": true}));
}

#[tokio::test]
async fn a_recursive_schema_nests() {
    let leaf = |name: &str| TreeNode::new(name.to_owned());
    let tree = TreeNode::new("root".to_owned())
        .with_children(vec![leaf("a").with_children(vec![leaf("a1").with_children(vec![leaf("a1x")])]), leaf("b")]);
    let report = client().create_tree(&tree).await.unwrap().into_body();
    assert_eq!((report.nodes, report.depth), (5, 4));
    assert_eq!(report.tree, tree);
}

#[tokio::test]
async fn headers_and_cookies() {
    let seen = client().read_headers("trace-1").x_retry_count(3).await.unwrap().into_body();
    assert_eq!(Value::Object(seen), json!({"traceId": "trace-1", "retryCount": 3}));
    let seen = client().read_cookies("s-1").theme("dark").await.unwrap().into_body();
    assert_eq!(
        Value::Object(seen),
        json!({"cookies": {"session": "s-1", "theme": "dark"}, "raw": "session=s-1; theme=dark"})
    );
}

#[tokio::test]
async fn a_form_is_url_encoded() {
    let form = LoginRequest::new("ann".to_owned(), "p&ss=1 é".to_owned()).with_remember(true);
    let seen = client().login(&form).await.unwrap().into_body();
    assert_eq!(Value::Object(seen), json!({"received": {"username": "ann", "password": "p&ss=1 é", "remember": true}}));
}

#[tokio::test]
async fn a_multipart_upload_arrives_intact() {
    let file = FilePart::new(b"hello".to_vec()).with_filename("hello.txt").with_content_type("text/plain");
    let seen = client().upload(&UploadForm::new("one file".to_owned(), file)).await.unwrap().into_body();
    assert_eq!(
        Value::Object(seen),
        json!({
            "description": "one file",
            "filename": "hello.txt",
            "contentType": "text/plain",
            "size": 5,
            "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        })
    );
}

#[tokio::test]
async fn binary_and_text_responses() {
    let image = client().image().await.unwrap();
    assert_eq!(image.headers["content-type"], "image/png");
    assert_eq!(image.body, PNG);
    assert_eq!(client().readme().lines(3).await.unwrap().body, "line 1\nline 2\nline 3");
}

/// 201 with a body, 204 without one, typed 404s, and Fastify's own 400 for a failed validation.
#[tokio::test]
async fn created_no_content_and_typed_client_errors() {
    let created = client().create_widget(&CreateWidgetRequest::new("gear".to_owned()).with_color(Color::Green)).await;
    let created = created.unwrap();
    assert_eq!(created.status.as_u16(), 201);
    let widget = created.into_body();
    assert_eq!((widget.name.as_str(), &widget.color), ("gear", &Color::Green));
    assert_eq!(client().get_widget(widget.id).await.unwrap().body, widget);
    assert_eq!(client().delete_widget(widget.id).await.unwrap().status.as_u16(), 204);
    match client().get_widget(widget.id).await {
        Err(Error::Api { body: GetWidgetError::NotFound(not_found), .. }) => {
            assert_eq!((not_found.message.as_str(), not_found.widget_id), ("no such widget", widget.id));
        }
        other => panic!("expected the typed 404: {other:?}"),
    }
    assert!(matches!(
        client().delete_widget(widget.id).await,
        Err(Error::Api { body: DeleteWidgetError::NotFound(_), .. })
    ));

    // `minLength: 1`: Fastify's validation answers 400 in the shape the route documents.
    match client().create_widget(&CreateWidgetRequest::new(String::new())).await {
        Err(Error::Api { body: CreateWidgetError::BadRequest(invalid), .. }) => {
            assert_eq!(invalid.status_code, 400);
            assert_eq!(invalid.code.as_deref(), Some("FST_ERR_VALIDATION"));
            assert!(invalid.message.contains("must NOT have fewer than 1 characters"), "{}", invalid.message);
        }
        other => panic!("expected the typed 400: {other:?}"),
    }
}

#[tokio::test]
async fn too_many_requests_is_retried_after_the_servers_delay() {
    let patient =
        builder().retry_policy(RetryPolicy::default().with_initial_backoff(Duration::from_millis(10))).build();
    let started = std::time::Instant::now();
    let answer = patient.unwrap().limited("retried").await.unwrap().into_body();
    assert_eq!((answer.key.as_str(), answer.attempts), ("retried", 2));
    assert!(started.elapsed() >= Duration::from_millis(900), "did not wait for Retry-After: {:?}", started.elapsed());

    match client().limited("not-retried").await {
        Err(Error::Api { response, .. }) => {
            assert_eq!(response.status.as_u16(), 429);
            assert_eq!(response.headers["retry-after"], "1");
        }
        other => panic!("expected the documented 429: {other:?}"),
    }
}

#[tokio::test]
async fn server_sent_events_are_typed() {
    let mut events = client().ticks().count(2).await.unwrap().into_body();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        let event = event.unwrap();
        seen.push((event.event, event.id, event.data.n, event.data.label));
    }
    assert_eq!(
        seen,
        [
            ("tick".to_owned(), Some("0".to_owned()), 0, "tick 0".to_owned()),
            ("tick".to_owned(), Some("1".to_owned()), 1, "tick 1".to_owned())
        ]
    );
}
