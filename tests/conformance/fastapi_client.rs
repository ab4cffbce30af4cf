//! The FastAPI conformance suite: a client generated from the spec FastAPI writes for
//! `fastapi/app.py`, driven against the live app. Each route answers with what it received, so
//! these tests assert on what the server saw (fields set, explicit nulls, raw path and query,
//! headers, cookies, file digests), not just on a 2xx.
//!
//! `cargo xtask conformance` generates the crate, copies this file into it as
//! `tests/conformance.rs` and runs it with `FASTAPI_URL` set to the running app.

use std::time::Duration;

use fastapi_conformance::runtime::{FilePart, Nullable, RetryPolicy};
use fastapi_conformance::types::{
    BodyLoginLoginPost, Cat, CatPetType, Color, CreateChannelRequest, Dog, DogPetType, GetWidgetError, ItemPatch,
    PetReportPet, Priority, ReadmeError, Summary, SummarySuccess, TreeNodeInput, TreeNodeOutput, Webhook,
    WidgetCreate,
};
use fastapi_conformance::{Client, ClientBuilder, Error, RequestOptions};
use serde_json::{Value, json};

/// The PNG bytes the app's `/image` route serves.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
];

fn builder() -> ClientBuilder {
    let url = std::env::var("FASTAPI_URL").expect("FASTAPI_URL is set by `cargo xtask conformance`");
    Client::builder().base_url(url).retry_policy(RetryPolicy::none())
}

fn client() -> Client {
    builder().build().unwrap()
}

/// FastAPI writes two security dependencies as alternatives; the app needs both, and the
/// client sends every credential it has for the operation.
#[tokio::test]
async fn security_dependencies_get_both_credentials() {
    let client = builder().http_bearer("token-1").api_key_header("key-1").build().unwrap();
    let who = client.whoami().await.unwrap().into_body();
    assert_eq!((who.token.as_str(), who.api_key.as_str()), ("token-1", "key-1"));

    let bearer_only = builder().http_bearer("token-1").build().unwrap();
    match bearer_only.whoami().await {
        Err(Error::UnexpectedStatus(response)) => assert_eq!(response.status.as_u16(), 401, "{response:?}"),
        other => panic!("the API key was missing, yet: {other:?}"),
    }
}

/// A PATCH body: absent fields stay unset, `Nullable::Null` is an explicit null.
#[tokio::test]
async fn patch_tells_set_fields_and_explicit_nulls_apart() {
    let patch = ItemPatch::default()
        .with_name("renamed".to_owned())
        .with_note(Nullable::Null)
        .with_color(Color::DarkBlue)
        .with_priority(Priority::V3)
        .with_tags(vec!["a".to_owned(), "b".to_owned()]);
    let report = client().patch_item(7, &patch).await.unwrap().into_body();
    assert_eq!(report.item_id, 7);
    assert_eq!(report.fields_set, ["color", "name", "note", "priority", "tags"]);
    assert_eq!(report.nulls, ["note"]);
    assert_eq!(
        Value::Object(report.values),
        json!({"name": "renamed", "note": null, "color": "dark-blue", "priority": 3, "tags": ["a", "b"]})
    );

    let empty = client().patch_item(8, &ItemPatch::default()).await.unwrap().into_body();
    assert!(empty.fields_set.is_empty() && empty.nulls.is_empty(), "{empty:?}");
}

/// Path and query enums, and a query list of a `$ref` enum (issue 17 item 3): sent as their
/// wire values, one `also=` per item.
#[tokio::test]
async fn enums_in_the_path_and_a_query_list_of_enums() {
    let echo = client()
        .get_color(&Color::DarkBlue)
        .also(&[Color::Red, Color::Green])
        .priority(&Priority::V1)
        .await
        .unwrap()
        .into_body();
    assert_eq!(echo.raw_path, "/colors/dark-blue");
    assert_eq!(echo.raw_query, "also=red&also=green&priority=1");
    assert_eq!(Value::Object(echo.query), json!({"also": ["red", "green"], "priority": 1}));
}

/// Reserved characters in path and query values are escaped, and decode back to what was sent.
#[tokio::test]
async fn the_raw_path_and_query_are_escaped() {
    let tags = ["t1".to_owned(), "t 2&x".to_owned()];
    let echo = client().get_file("a b?c%d.txt").q("x&y=z/é").tag(&tags).await.unwrap().into_body();
    assert_eq!(echo.raw_path, "/files/a%20b%3Fc%25d.txt");
    assert_eq!(Value::Object(echo.path), json!({"name": "a b?c%d.txt"}));
    assert_eq!(Value::Object(echo.query), json!({"q": "x&y=z/é", "tag": ["t1", "t 2&x"]}));
    assert!(echo.raw_query.starts_with("q=x%26y%3Dz"), "{}", echo.raw_query);
}

/// A query model: FastAPI spreads its fields over the query string.
#[tokio::test]
async fn a_query_model_is_spread_over_the_query_string() {
    let echo = client().search("hello world").limit(5).colors(&[Color::Green, Color::DarkBlue]).exact(true).await;
    let echo = echo.unwrap().into_body();
    assert_eq!(
        Value::Object(echo.query),
        json!({"term": "hello world", "limit": 5, "colors": ["green", "dark-blue"], "exact": true})
    );
    let defaults = client().search("x").await.unwrap().into_body();
    assert_eq!(Value::Object(defaults.query), json!({"term": "x", "limit": 10, "colors": [], "exact": false}));
}

/// A discriminated union goes out with its tag and comes back as the right variant.
#[tokio::test]
async fn a_discriminated_union_round_trips() {
    let cat = PetReportPet::Cat(Cat::new(CatPetType::Cat, "Tom".to_owned()).with_lives(7));
    let report = client().create_pet(&cat).await.unwrap().into_body();
    assert_eq!(report.kind, "Cat");
    assert_eq!(report.fields_set, ["lives", "name", "pet_type"]);
    assert_eq!(report.pet, cat);

    let dog = PetReportPet::Dog(Dog::new(DogPetType::Dog, "Rex".to_owned()));
    let report = client().create_pet(&dog).await.unwrap().into_body();
    assert_eq!(
        (report.kind.as_str(), report.fields_set.as_slice()),
        ("Dog", &["name".to_owned(), "pet_type".to_owned()][..])
    );
    assert!(matches!(&report.pet, PetReportPet::Dog(d) if d.name == "Rex" && d.good == Some(true)), "{:?}", report.pet);
}

/// A tagged variant whose tag has a default: the variant knows its tag, so it is always sent.
#[tokio::test]
async fn a_tag_with_a_default_is_still_sent() {
    let channel = CreateChannelRequest::Webhook(Webhook::new("https://example.test/hook".to_owned()));
    let report = client().create_channel(&channel).await.unwrap().into_body();
    assert_eq!(report.get("kind"), Some(&json!("Webhook")), "{report:?}");
}

/// Recursive models nest to any depth.
#[tokio::test]
async fn a_recursive_model_nests() {
    let leaf = |name: &str| TreeNodeInput::new(name.to_owned());
    let tree = TreeNodeInput::new("root".to_owned()).with_children(vec![
        leaf("a").with_children(vec![leaf("a1"), leaf("a2").with_children(vec![leaf("a2x")])]),
        leaf("b"),
    ]);
    let report = client().create_tree(&tree).await.unwrap().into_body();
    assert_eq!((report.nodes, report.depth), (6, 4));
    let children = |node: &TreeNodeOutput| node.children.clone().unwrap_or_default();
    let a2 = &children(&children(&report.tree)[0])[1];
    assert_eq!((a2.name.as_str(), children(a2)[0].name.as_str()), ("a2", "a2x"));
}

#[tokio::test]
async fn headers_are_sent_by_their_wire_names() {
    let seen = client().read_headers("trace-1").x_retry_count(3).x_color(&Color::DarkBlue).await.unwrap().into_body();
    assert_eq!(Value::Object(seen.clone())["x_trace_id"], "trace-1");
    assert_eq!(seen["x_retry_count"], 3);
    assert_eq!(seen["x_color"], "dark-blue");
    assert_eq!(seen["raw"], json!({"x-trace-id": "trace-1", "x-retry-count": "3", "x-color": "dark-blue"}));
}

#[tokio::test]
async fn cookies_are_sent_in_one_cookie_header() {
    let seen = client().read_cookies("s-1").theme("dark").await.unwrap().into_body();
    assert_eq!(Value::Object(seen), json!({"session_id": "s-1", "theme": "dark", "raw": "session_id=s-1; theme=dark"}));
    let seen = client().read_cookies("s-2").await.unwrap().into_body();
    assert_eq!(seen["theme"], Value::Null);
}

#[tokio::test]
async fn a_form_is_url_encoded() {
    let form = BodyLoginLoginPost::new("ann".to_owned(), "p&ss=1 é".to_owned())
        .with_remember(true)
        .with_scopes(vec!["read".to_owned(), "write".to_owned()]);
    let seen = client().login(&form).await.unwrap().into_body();
    assert_eq!(
        Value::Object(seen),
        json!({"username": "ann", "password": "p&ss=1 é", "remember": true, "scopes": ["read", "write"]})
    );
}

/// Multipart: a field, a file and a list of files; the server returns each file's digest.
#[tokio::test]
async fn multipart_uploads_arrive_intact() {
    use fastapi_conformance::client::UploadForm;
    let file = FilePart::new(b"hello".to_vec()).with_filename("hello.txt").with_content_type("text/plain");
    let form = UploadForm::new("two files".to_owned(), file).with_attachments(vec![
        FilePart::new(vec![0u8, 1, 2, 255]).with_filename("a.bin"),
        FilePart::new(Vec::new()).with_filename("empty.bin"),
    ]);
    let report = client().upload(&form).await.unwrap().into_body();
    assert_eq!(report.description, "two files");
    assert_eq!(report.file.filename.as_deref(), Some("hello.txt"));
    assert_eq!(report.file.content_type.as_deref(), Some("text/plain"));
    assert_eq!(report.file.sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    let attachments: Vec<(Option<&str>, Option<&str>, i64, &str)> = report
        .attachments
        .iter()
        .map(|a| (a.filename.as_deref(), a.content_type.as_deref(), a.size, a.sha256.as_str()))
        .collect();
    assert_eq!(
        attachments,
        [
            (
                Some("a.bin"),
                Some("application/octet-stream"),
                4,
                "3d1f57c984978ef98a18378c8166c1cb8ede02c03eeb6aee7e2f121dfeee3e56"
            ),
            (
                Some("empty.bin"),
                Some("application/octet-stream"),
                0,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ),
        ]
    );
}

/// FastAPI adds `application/json: {schema: {}}` beside `image/png` (issue 17 item 4).
#[tokio::test]
async fn binary_and_text_responses() {
    let image = client().image().await.unwrap();
    assert_eq!(image.headers["content-type"], "image/png");
    assert_eq!(image.body, PNG);
    assert_eq!(client().readme().lines(3).await.unwrap().body, "line 1\nline 2\nline 3");
}

/// A status offering JSON and CSV is read by the response's `Content-Type` (issue 17 item 4).
#[tokio::test]
async fn a_status_with_two_representations_is_read_by_its_content_type() {
    let json = client().summary("s1").await.unwrap();
    assert!(matches!(&json.body, SummarySuccess::Ok(Summary { id, rows: 3, .. }) if id == "s1"), "{:?}", json.body);
    let csv = client().with_options(RequestOptions::new().with_header("accept", "text/csv")).summary("s1").await.unwrap();
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.body, SummarySuccess::OkCsv("id,rows\ns1,3\n".to_owned()));
}

/// 201 with a body, 204 without one, a typed 404 and FastAPI's typed 422.
#[tokio::test]
async fn created_no_content_and_typed_client_errors() {
    let created = client().create_widget(&WidgetCreate::new("gear".to_owned()).with_color(Color::Green)).await.unwrap();
    assert_eq!(created.status.as_u16(), 201);
    let widget = created.into_body();
    assert_eq!((widget.name.as_str(), &widget.color), ("gear", &Color::Green));
    assert_eq!(client().get_widget(widget.id).await.unwrap().body, widget);

    let deleted = client().delete_widget(widget.id).await.unwrap();
    assert_eq!(deleted.status.as_u16(), 204);
    match client().get_widget(widget.id).await {
        Err(Error::Api { body: GetWidgetError::NotFound(not_found), response }) => {
            assert_eq!(response.status.as_u16(), 404);
            assert_eq!((not_found.detail.as_str(), not_found.widget_id), ("no such widget", widget.id));
        }
        other => panic!("expected the typed 404: {other:?}"),
    }

    match client().readme().lines(0).await {
        Err(Error::Api { body: ReadmeError::UnprocessableEntity(invalid), .. }) => {
            let detail = invalid.detail.unwrap_or_default();
            assert_eq!(detail.len(), 1, "{detail:?}");
            assert_eq!(detail[0].r#type, "greater_than_equal");
        }
        other => panic!("expected FastAPI's typed 422: {other:?}"),
    }
}

/// The first call is refused with 429 and `Retry-After: 1`; the client waits and retries.
#[tokio::test]
async fn too_many_requests_is_retried_after_the_servers_delay() {
    let patient =
        builder().retry_policy(RetryPolicy::default().with_initial_backoff(Duration::from_millis(10))).build();
    let started = std::time::Instant::now();
    let answer = patient.unwrap().limited("retried").await.unwrap().into_body();
    assert_eq!((answer.key.as_str(), answer.attempts), ("retried", 2));
    assert!(started.elapsed() >= Duration::from_millis(900), "did not wait for Retry-After: {:?}", started.elapsed());

    match client().limited("not-retried").await {
        Err(Error::UnexpectedStatus(response)) => {
            assert_eq!(response.status.as_u16(), 429);
            assert_eq!(response.headers["retry-after"], "1");
        }
        other => panic!("expected the 429: {other:?}"),
    }
}

/// A hand-declared event stream beside FastAPI's extra `application/json` (issue 17 item 4):
/// typed events.
#[tokio::test]
async fn server_sent_events_are_typed() {
    let mut events = client().ticks().count(3).await.unwrap().into_body();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        let event = event.unwrap();
        seen.push((event.event, event.id, event.data.n, event.data.label));
    }
    let expected: Vec<_> = (0..3).map(|n| ("tick".to_owned(), Some(n.to_string()), n, format!("tick {n}"))).collect();
    assert_eq!(seen, expected);
}

/// FastAPI's native event stream: `itemSchema` with the data's `contentSchema` (OpenAPI 3.2).
/// Written against the `Debug` of the data so it compiles before and after the events are typed.
#[tokio::test]
async fn native_server_sent_events_are_typed() {
    let mut events = client().native_ticks().count(2).await.unwrap().into_body();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        seen.push(format!("{:?}", event.unwrap().data));
    }
    assert_eq!(seen.len(), 2);
    for (n, data) in seen.iter().enumerate() {
        assert!(data.starts_with("Tick {") && data.contains(&format!("n: {n},")), "untyped event data: {data}");
    }
}
