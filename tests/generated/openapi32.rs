//! Run inside the generated `openapi32` crate (see `tests/integration/compile.rs`): the client of
//! an OpenAPI 3.2 document against wiremock on 127.0.0.1. Typed streams (server-sent events whose
//! data is JSON of a `contentSchema`, JSON Lines, NDJSON, JSON text sequences), the `QUERY`
//! method and `additionalOperations`, a `querystring` parameter, a discriminator's
//! `defaultMapping`, and a tagged union that always sends its tag.

use openapi32::runtime::StreamError;
use openapi32::types::{CopyTicketError, EmailHook, Hook, Polygon, Shape, Status, Ticket, TicketFilter, Webhook};
use openapi32::{Client, Error};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(status: u16, route: &str, body: impl AsRef<[u8]>, content_type: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.as_ref().to_vec(), content_type))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).device("token").build().unwrap();
    (server, client)
}

async fn request(server: &MockServer) -> wiremock::Request {
    server.received_requests().await.unwrap().remove(0)
}

fn header<'r>(request: &'r wiremock::Request, name: &str) -> &'r str {
    request.headers.get(name).map_or("", |v| v.to_str().unwrap())
}

fn ticket(id: &str) -> serde_json::Value {
    json!({"id": id, "title": format!("ticket {id}"), "status": "open"})
}

fn id(ticket: &Ticket) -> &str {
    &ticket.id
}

/// FastAPI's native server-sent events: each event's `data` is JSON text of the
/// `contentSchema`, decoded into `Ticket`; a bad one is an error and the stream goes on.
#[tokio::test]
async fn server_sent_events_carry_typed_data() {
    let body = format!(
        "event: created\nid: 1\ndata: {}\n\n: keep-alive\n\ndata: not json\n\nid: 2\ndata: {}\n\n",
        ticket("t1"),
        ticket("t2")
    );
    let (server, client) = serve(200, "/tickets/stream", body, "text/event-stream").await;
    let mut events = client.stream_tickets().await.unwrap().into_body();
    let first = events.next().await.unwrap().unwrap();
    assert_eq!((first.event.as_str(), id(&first.data), first.id.as_deref()), ("created", "t1", Some("1")));
    assert_eq!(first.data.status, Some(Status::Open));
    let bad = events.next().await.unwrap().unwrap_err();
    assert!(matches!(&bad, StreamError::Decode { event, .. } if event.data == "not json"), "{bad:?}");
    let second = events.next().await.unwrap().unwrap();
    assert_eq!((id(&second.data), second.id.as_deref()), ("t2", Some("2")));
    assert!(events.next().await.is_none());
    assert_eq!(header(&request(&server).await, "accept"), "text/event-stream");
}

/// `application/jsonl`, `application/x-ndjson` and `application/json-seq` bodies are streams of
/// `Ticket`s, asked for by their media type.
#[tokio::test]
async fn sequential_json_bodies_are_typed_item_streams() {
    let lines = format!("{}\n{}\n", ticket("a"), ticket("b"));
    let (server, client) = serve(200, "/tickets/export", &lines, "application/jsonl").await;
    let mut items = client.export_tickets().await.unwrap().into_body();
    let mut ids = Vec::new();
    while let Some(item) = items.next().await {
        ids.push(item.unwrap().id);
    }
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(header(&request(&server).await, "accept"), "application/jsonl");

    let ndjson = format!("{}\r\n{{\"id\": 5}}\n{}", ticket("c"), ticket("d"));
    let (server, client) = serve(200, "/tickets/export.ndjson", ndjson, "application/x-ndjson").await;
    let mut items = client.export_tickets_ndjson().await.unwrap().into_body();
    assert_eq!(items.next().await.unwrap().unwrap().id, "c");
    let bad = items.next().await.unwrap().unwrap_err();
    assert!(matches!(&bad, StreamError::Item { text, .. } if text == "{\"id\": 5}"), "{bad:?}");
    assert_eq!(items.next().await.unwrap().unwrap().id, "d");
    assert!(items.next().await.is_none());
    assert_eq!(header(&request(&server).await, "accept"), "application/x-ndjson");

    let seq = format!("\u{1e}{}\n\u{1e}{}\n", ticket("e"), ticket("f"));
    let (_server, client) = serve(200, "/tickets/export.seq", seq, "application/json-seq").await;
    let mut items = client.export_tickets_seq().await.unwrap().into_body();
    assert_eq!(items.next().await.unwrap().unwrap().id, "e");
    assert_eq!(items.next().await.unwrap().unwrap().id, "f");
    assert!(items.next().await.is_none());
}

/// 3.2's `query` operation is sent with the `QUERY` method and its body.
#[tokio::test]
async fn the_query_method_sends_a_body() {
    let (server, client) = serve(200, "/tickets", json!([ticket("q")]).to_string(), "application/json").await;
    let filter = TicketFilter::default().with_status(Status::Closed).with_limit(5);
    let found = client.search_tickets(&filter).await.unwrap().into_body();
    assert_eq!(found.iter().map(id).collect::<Vec<_>>(), ["q"]);
    let sent = request(&server).await;
    assert_eq!(sent.method.as_str(), "QUERY");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&sent.body).unwrap(), json!({"status": "closed", "limit": 5}));
    assert_eq!(header(&sent, "authorization"), "Bearer token");
}

/// `additionalOperations` are sent with their own method names; their documented errors decode.
#[tokio::test]
async fn additional_operations_use_their_own_methods() {
    let (server, client) = serve(201, "/tickets/t1", ticket("t1-copy").to_string(), "application/json").await;
    let copy = client.copy_ticket("t1", "/tickets/t9").await.unwrap().into_body();
    assert_eq!(copy.id, "t1-copy");
    let sent = request(&server).await;
    assert_eq!((sent.method.as_str(), header(&sent, "destination")), ("COPY", "/tickets/t9"));

    let (_server, client) = serve(404, "/tickets/gone", "", "application/json").await;
    let err = client.copy_ticket("gone", "/tickets/t9").await.unwrap_err();
    assert!(matches!(err, Error::Api { body: CopyTicketError::NotFound, .. }), "{err:?}");

    let (server, client) = serve(204, "/tickets/t2", "", "application/json").await;
    client.purge_tickets_id("t2").await.unwrap();
    assert_eq!(request(&server).await.method.as_str(), "PURGE");
}

/// An `in: querystring` parameter is the whole query string: the form object's fields.
#[tokio::test]
async fn a_querystring_parameter_is_the_whole_query_string() {
    let (server, client) = serve(200, "/tickets", "[]", "application/json").await;
    let filter = TicketFilter::default().with_status(Status::Open).with_assignee("ana lu".to_owned());
    client.list_tickets().filter(&filter).await.unwrap();
    let sent = request(&server).await;
    let mut pairs: Vec<(String, String)> = sent.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    pairs.sort();
    let expected = [("assignee", "ana lu"), ("status", "open")].map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(pairs, expected, "{:?}", sent.url.query());
}

/// Issue 17 item 2: a variant whose tag property is optional (`const` + `default`, as pydantic
/// writes it) is sent with its tag although the caller never set it; a tag set is kept.
#[tokio::test]
async fn a_tagged_union_always_sends_its_tag() {
    let echo = json!({"type": "webhook", "url": "https://example.com/hook"}).to_string();
    let (server, client) = serve(201, "/tickets", echo, "application/json").await;
    let hook = Hook::Webhook(Webhook::new("https://example.com/hook".to_owned()));
    let created = client.create_hook(&hook).await.unwrap().into_body();
    assert!(matches!(&created, Hook::Webhook(w) if w.url == "https://example.com/hook"), "{created:?}");
    let sent = request(&server).await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&sent.body).unwrap(),
        json!({"type": "webhook", "url": "https://example.com/hook"})
    );
    let email = Hook::EmailHook(EmailHook::new("ops@example.com".to_owned()));
    assert_eq!(serde_json::to_value(&email).unwrap(), json!({"type": "email", "address": "ops@example.com"}));
}

/// A discriminator's `defaultMapping`: a value whose tag is unknown or missing decodes as the
/// default variant instead of failing or becoming `Unknown`.
#[tokio::test]
async fn the_default_mapping_takes_unknown_and_missing_tags() {
    let (_server, client) = serve(200, "/shapes/s1", r#"{"kind": "Circle", "radius": 2.5}"#, "application/json").await;
    let circle = client.get_shape("s1").await.unwrap().into_body();
    assert!(matches!(&circle, Shape::Circle(c) if c.radius == 2.5), "{circle:?}");
    for (body, kind) in [(r#"{"kind": "Hexagon", "sides": 6}"#, Some("Hexagon")), (r#"{"sides": 6}"#, None)] {
        let (_server, client) = serve(200, "/shapes/s2", body, "application/json").await;
        let shape = client.get_shape("s2").await.unwrap().into_body();
        let Shape::Polygon(Polygon { kind: got, sides, .. }) = &shape else { panic!("{shape:?}") };
        assert_eq!((got.as_deref(), *sides), (kind, Some(6)));
    }
}
