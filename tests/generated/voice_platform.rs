//! Run inside the generated `voice-platform` crate (see `tests/integration/compile.rs`): the
//! generated client pages through listings, reads typed response headers, sends idempotency
//! keys, runs hooks and manages OAuth2 client-credential tokens, against wiremock on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use voice_platform::runtime::{CallInfo, DecodeError, Hook, HookFuture};
use voice_platform::types::{ListCallsError, NewCall};
use voice_platform::{Client, Error, RetryPolicy};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)).with_max_backoff(Duration::from_millis(5))
}

fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).o_auth2("token").retry_policy(fast_retry()).build().unwrap()
}

fn calls_page(ids: &[&str], next: Option<&str>) -> ResponseTemplate {
    let data: Vec<_> = ids.iter().map(|id| json!({"id": id, "status": "completed", "to": "+15550001"})).collect();
    ResponseTemplate::new(200)
        .insert_header("x-ratelimit-limit", "100")
        .set_body_json(json!({"data": data, "pagination": {"next_cursor": next, "has_more": next.is_some()}}))
}

/// Three pages of calls behind cursors `c2` and `c3`.
async fn mount_calls(server: &MockServer, second: ResponseTemplate) {
    Mock::given(path("/calls"))
        .and(query_param_is_missing("cursor"))
        .respond_with(calls_page(&["a", "b"], Some("c2")))
        .mount(server)
        .await;
    Mock::given(path("/calls")).and(query_param("cursor", "c2")).respond_with(second).mount(server).await;
    Mock::given(path("/calls"))
        .and(query_param("cursor", "c3"))
        .respond_with(calls_page(&["e"], None))
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

#[tokio::test]
async fn every_call_across_pages_with_one_loop_fetched_lazily() {
    let server = MockServer::start().await;
    mount_calls(&server, calls_page(&["c", "d"], Some("c3"))).await;
    let client = client(&server);
    let mut items = client.list_calls().limit(2).items();
    let first = items.next().await.unwrap().unwrap();
    assert_eq!(first.id, "a");
    assert_eq!(requests(&server).await.len(), 1, "only the first page is fetched before it is needed");
    let mut ids = vec![first.id];
    while let Some(call) = items.next().await {
        ids.push(call.unwrap().id);
    }
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    // The call's own parameters go with every page, the cursor replaces nothing else.
    assert!(sent.iter().all(|r| r.url.query().unwrap_or("").contains("limit=2")), "{sent:?}");
    assert!(sent.iter().all(|r| r.headers.get("authorization").unwrap() == "Bearer token"));
}

#[tokio::test]
async fn a_failed_page_is_an_error_after_the_items_before_it_and_ends_the_listing() {
    let server = MockServer::start().await;
    mount_calls(&server, ResponseTemplate::new(429).set_body_json(json!({"message": "slow down"}))).await;
    let client = Client::builder()
        .base_url(server.uri())
        .o_auth2("token")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut items = client.list_calls().items();
    assert_eq!(items.next().await.unwrap().unwrap().id, "a");
    assert_eq!(items.next().await.unwrap().unwrap().id, "b");
    match items.next().await {
        Some(Err(Error::Api { body: ListCallsError::TooManyRequests(body), .. })) => assert_eq!(body.message, "slow down"),
        other => panic!("expected the documented 429, got {other:?}"),
    }
    assert!(items.next().await.is_none(), "the listing ends after an error");
    assert_eq!(requests(&server).await.len(), 2, "no page after the failed one is fetched");
}

#[tokio::test]
async fn a_page_is_retried_like_any_call() {
    let server = MockServer::start().await;
    Mock::given(path("/calls"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_calls(&server, calls_page(&["c"], None)).await;
    let client = client(&server);
    let pages = client.list_calls().pages();
    let mut pages = pages.max_pages(10);
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        sizes.push(page.unwrap().into_body().data.len());
    }
    assert_eq!(sizes, [2, 1]);
    assert_eq!(requests(&server).await.len(), 3, "the 503 was retried");
}

#[tokio::test]
async fn the_page_bound_stops_a_listing() {
    let server = MockServer::start().await;
    mount_calls(&server, calls_page(&["c", "d"], Some("c3"))).await;
    let client = client(&server);
    let mut items = client.list_calls().items().max_pages(2);
    let mut count = 0;
    while let Some(item) = items.next().await {
        item.unwrap();
        count += 1;
    }
    assert_eq!(count, 4);
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn an_offset_listing_advances_by_the_items_received() {
    let server = MockServer::start().await;
    let page = |names: &[&str]| {
        let items: Vec<_> = names.iter().map(|n| json!({"id": n, "name": n})).collect();
        ResponseTemplate::new(200).set_body_json(json!({"items": items, "total": 5}))
    };
    Mock::given(path("/agents")).and(query_param_is_missing("offset")).respond_with(page(&["a", "b"])).mount(&server).await;
    Mock::given(path("/agents")).and(query_param("offset", "2")).respond_with(page(&["c", "d"])).mount(&server).await;
    Mock::given(path("/agents")).and(query_param("offset", "4")).respond_with(page(&["e"])).mount(&server).await;
    let client = client(&server);
    let mut items = client.list_agents().limit(2).items();
    let mut names = Vec::new();
    while let Some(agent) = items.next().await {
        names.push(agent.unwrap().name);
    }
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    assert_eq!(requests(&server).await.len(), 3, "a short page is the last");
}

#[tokio::test]
async fn a_link_header_listing_follows_rel_next_within_the_base_url() {
    let server = MockServer::start().await;
    let next = format!("<{}/recordings?page=2&per_page=1>; rel=\"next\", <{0}/recordings?page=9>; rel=\"last\"", server.uri());
    Mock::given(path("/recordings"))
        .and(query_param_is_missing("page"))
        .respond_with(ResponseTemplate::new(200).insert_header("link", next.as_str()).set_body_json(json!([{"id": "r1"}])))
        .mount(&server)
        .await;
    Mock::given(path("/recordings"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", "<https://elsewhere.example/recordings?page=3>; rel=\"next\"")
                .set_body_json(json!([{"id": "r2"}])),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let mut items = client.list_recordings().per_page(1).items();
    assert_eq!(items.next().await.unwrap().unwrap().id, "r1");
    assert_eq!(items.next().await.unwrap().unwrap().id, "r2");
    // A link to another host would carry the credentials there: refused, nothing sent.
    match items.next().await {
        Some(Err(Error::InvalidRequest { reason, .. })) => assert!(reason.contains("outside the base url"), "{reason}"),
        other => panic!("expected the foreign link to be refused, got {other:?}"),
    }
    assert!(items.next().await.is_none());
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn declared_response_headers_are_typed_beside_the_body() {
    let server = MockServer::start().await;
    Mock::given(path("/calls"))
        .respond_with(calls_page(&["a"], None).insert_header("x-ratelimit-remaining", "7"))
        .mount(&server)
        .await;
    let client = client(&server);
    let (response, headers) = client.list_calls().send_with_headers().await.unwrap();
    assert_eq!(response.into_body().data.len(), 1);
    assert_eq!(headers.x_rate_limit_limit, 100);
    assert_eq!(headers.x_rate_limit_remaining, Some(7));
    assert_eq!(headers.x_rate_limit_reset, None);
}

#[tokio::test]
async fn a_malformed_or_missing_declared_header_is_a_clear_error() {
    let server = MockServer::start().await;
    Mock::given(path("/calls"))
        .respond_with(calls_page(&["a"], None).insert_header("x-ratelimit-remaining", "lots"))
        .mount(&server)
        .await;
    let client = client(&server);
    match client.list_calls().send_with_headers().await {
        Err(Error::Decode { source: DecodeError::Header { name, .. }, response }) => {
            assert_eq!(name, "x-ratelimit-remaining");
            assert_eq!(response.status, 200);
        }
        other => panic!("expected a header decode error, got {other:?}"),
    }
    let error = DecodeError::Header { name: "x-ratelimit-remaining", reason: "is not a valid i64".to_owned() };
    assert_eq!(error.to_string(), "response header x-ratelimit-remaining is not a valid i64");

    let server = MockServer::start().await;
    let body = json!({"id": "a", "status": "queued", "to": "+1"});
    Mock::given(path("/calls")).respond_with(ResponseTemplate::new(201).set_body_json(body)).mount(&server).await;
    let new_call = NewCall::new("+1".to_owned(), "ag".to_owned());
    match client_for(&server).create_call(&new_call).send_with_headers().await {
        Err(Error::Decode { source: DecodeError::Header { name: "location", reason }, .. }) => {
            assert_eq!(reason, "is missing")
        }
        other => panic!("expected a missing header error, got {other:?}"),
    }
}

fn client_for(server: &MockServer) -> Client {
    client(server)
}

#[tokio::test]
async fn a_post_with_a_generated_idempotency_key_is_retried_with_the_same_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let body = json!({"id": "a", "status": "queued", "to": "+1"});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).insert_header("location", "/calls/a").set_body_json(body))
        .mount(&server)
        .await;
    let client = client(&server);
    let new_call = NewCall::new("+1".to_owned(), "ag".to_owned());
    let (call, headers) = client.create_call(&new_call).send_with_headers().await.unwrap();
    assert_eq!(call.into_body().id, "a");
    assert_eq!(headers.location, "/calls/a");
    client.create_call(&new_call).await.unwrap();
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "the 503 (no Retry-After) was retried because the POST has a key");
    let keys: Vec<&str> = sent.iter().map(|r| r.headers.get("idempotency-key").unwrap().to_str().unwrap()).collect();
    assert_eq!(keys[0], keys[1], "a retry sends the same key");
    assert_ne!(keys[1], keys[2], "another call gets another key");
    assert_eq!(keys[0].len(), 36);

    // A key the caller sets is sent as it is.
    client.create_call(&new_call).idempotency_key("mine").await.unwrap();
    let sent = requests(&server).await;
    assert_eq!(sent.last().unwrap().headers.get("idempotency-key").unwrap(), "mine");
}

/// Adds a header to every request and counts the responses it sees.
struct Stamp(Arc<AtomicUsize>);

impl Hook for Stamp {
    fn on_request<'a>(&'a self, request: &'a mut reqwest::Request, call: &'a CallInfo) -> HookFuture<'a> {
        Box::pin(async move {
            let value = format!("{}#{}", call.path_template, call.attempt);
            request.headers_mut().insert("x-stamp", value.parse()?);
            Ok(())
        })
    }

    fn on_response<'a>(&'a self, response: &'a mut reqwest::Response, _call: &'a CallInfo) -> HookFuture<'a> {
        self.0.fetch_add(1, Ordering::SeqCst);
        response.headers_mut().insert("x-seen", reqwest::header::HeaderValue::from_static("yes"));
        Box::pin(async { Ok(()) })
    }
}

/// Refuses every answer.
struct Doubt;

impl Hook for Doubt {
    fn on_response<'a>(&'a self, _response: &'a mut reqwest::Response, _call: &'a CallInfo) -> HookFuture<'a> {
        Box::pin(async { Err("not this answer".into()) })
    }
}

/// Refuses to let any request go.
struct Refuse;

impl Hook for Refuse {
    fn on_request<'a>(&'a self, _request: &'a mut reqwest::Request, _call: &'a CallInfo) -> HookFuture<'a> {
        Box::pin(async { Err("not today".into()) })
    }
}

#[tokio::test]
async fn hooks_see_and_change_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(path("/calls/c1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/calls/c1"))
        .and(header("x-stamp", "/calls/{call_id}#2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "c1", "status": "queued", "to": "+1"})))
        .mount(&server)
        .await;
    let seen = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .base_url(server.uri())
        .o_auth2("token")
        .retry_policy(fast_retry())
        .hook(Stamp(Arc::clone(&seen)))
        .build()
        .unwrap();
    let answer = client.get_call("c1").await.unwrap();
    assert_eq!(answer.headers.get("x-seen").unwrap(), "yes", "what the hook changed is what the caller gets");
    assert_eq!(answer.into_body().id, "c1");
    assert_eq!(seen.load(Ordering::SeqCst), 2, "both attempts' responses");

    let refusing = Client::builder().base_url(server.uri()).o_auth2("token").hook(Refuse).build().unwrap();
    match refusing.get_call("c1").await {
        Err(Error::Hook { operation: "getCall", source }) => assert_eq!(source.to_string(), "not today"),
        other => panic!("expected the hook's error, got {other:?}"),
    }
    assert_eq!(requests(&server).await.len(), 2, "a refused request is never sent");

    let doubting = Client::builder().base_url(server.uri()).o_auth2("token").hook(Doubt).build().unwrap();
    match doubting.get_call("c1").await {
        Err(Error::Hook { operation: "getCall", source }) => assert_eq!(source.to_string(), "not this answer"),
        other => panic!("expected the hook's error, got {other:?}"),
    }
    assert_eq!(requests(&server).await.len(), 3, "the request was sent, and its answer refused");
}

async fn token_server(server: &MockServer, token: &str, expires_in: u64, times: u64) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("authorization", "Basic aWQ6czNjcjN0")) // id:s3cr3t
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(100))
                .set_body_json(json!({"access_token": token, "token_type": "Bearer", "expires_in": expires_in})),
        )
        .up_to_n_times(times)
        .mount(server)
        .await;
}

fn machine_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token_url(format!("{}/oauth/token", server.uri()))
        .o_auth2_client_credentials("id", "s3cr3t")
        .retry_policy(fast_retry())
        .build()
        .unwrap()
}

async fn token_requests(server: &MockServer) -> Vec<Request> {
    requests(server).await.into_iter().filter(|r| r.url.path() == "/oauth/token").collect()
}

#[tokio::test]
async fn concurrent_calls_share_one_token_fetch() {
    let server = MockServer::start().await;
    token_server(&server, "t1", 3600, 100).await;
    Mock::given(path("/calls/c1"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "c1", "status": "queued", "to": "+1"})))
        .mount(&server)
        .await;
    let client = machine_client(&server);
    let calls = (0..8).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_call("c1").await.map(|r| r.into_body().id) })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap().unwrap(), "c1");
    }
    client.get_call("c1").await.unwrap();
    let tokens = token_requests(&server).await;
    assert_eq!(tokens.len(), 1, "one fetch for every concurrent call, and the cached token after");
    let form = String::from_utf8_lossy(&tokens[0].body).into_owned();
    assert_eq!(form, "grant_type=client_credentials&scope=calls%3Aread%20calls%3Awrite");
}

#[tokio::test]
async fn a_refused_token_is_fetched_again_once_and_the_call_retried() {
    let server = MockServer::start().await;
    token_server(&server, "old", 3600, 1).await;
    token_server(&server, "new", 3600, 100).await;
    Mock::given(path("/calls/c1"))
        .and(header("authorization", "Bearer new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "c1", "status": "queued", "to": "+1"})))
        .mount(&server)
        .await;
    Mock::given(path("/calls/c1")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let client = machine_client(&server);
    assert_eq!(client.get_call("c1").await.unwrap().into_body().id, "c1");
    assert_eq!(token_requests(&server).await.len(), 2);

    // A server that refuses every token gets one new token per call, not a loop.
    let server = MockServer::start().await;
    token_server(&server, "t", 3600, 100).await;
    Mock::given(path("/calls/c1")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let client = machine_client(&server);
    assert!(matches!(client.get_call("c1").await, Err(Error::UnexpectedStatus(info)) if info.status == 401));
    assert_eq!(token_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn an_expiring_token_is_replaced_before_it_expires() {
    let server = MockServer::start().await;
    token_server(&server, "short", 1, 100).await;
    Mock::given(path("/calls/c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "c1", "status": "queued", "to": "+1"})))
        .mount(&server)
        .await;
    let client = machine_client(&server);
    client.get_call("c1").await.unwrap();
    client.get_call("c1").await.unwrap();
    assert_eq!(token_requests(&server).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.get_call("c1").await.unwrap();
    assert_eq!(token_requests(&server).await.len(), 2, "a token of 1 s is replaced after half of it");
}

#[tokio::test]
async fn client_secrets_never_show() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&server)
        .await;
    let builder = Client::builder()
        .base_url(server.uri())
        .token_url(format!("{}/oauth/token", server.uri()))
        .o_auth2_client_credentials("id", "s3cr3t");
    assert!(!format!("{builder:?}").contains("s3cr3t"));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains("s3cr3t"));
    let error = client.get_call("c1").await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(matches!(error, Error::Token(_)), "{text}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("s3cr3t") && !text.contains("aWQ6czNjcjN0"), "{text}");
    assert_eq!(requests(&server).await.len(), 1, "the call itself is never sent without a token");
}

#[tokio::test]
async fn vendor_extensions_declare_the_paging() {
    let server = MockServer::start().await;
    // Fern: a cursor at `meta.next_page`, sent back as `page_after`.
    Mock::given(path("/transcripts"))
        .and(query_param_is_missing("page_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"transcripts": ["t1"], "meta": {"next_page": "p2"}})))
        .mount(&server)
        .await;
    Mock::given(path("/transcripts"))
        .and(query_param("page_after", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"transcripts": ["t2"], "meta": {}})))
        .mount(&server)
        .await;
    // Speakeasy: an offset in `skip_count`, pages of `page_size`.
    Mock::given(path("/voices"))
        .and(query_param_is_missing("skip_count"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"voices": ["v1", "v2"]})))
        .mount(&server)
        .await;
    Mock::given(path("/voices"))
        .and(query_param("skip_count", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"voices": ["v3"]})))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut transcripts = client.list_transcripts().next(true).items();
    let mut seen = Vec::new();
    while let Some(transcript) = transcripts.next().await {
        seen.push(transcript.unwrap());
    }
    let mut voices = client.list_voices().page_size(2).items();
    while let Some(voice) = voices.next().await {
        seen.push(voice.unwrap());
    }
    assert_eq!(seen, ["t1", "t2", "v1", "v2", "v3"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[1].url.query(), Some("next=true&page_after=p2"), "the call's own parameters go with every page");
}

/// Records the fields of every span, as `name=value`, by span (the `tracing` feature's test).
#[cfg(feature = "tracing")]
#[derive(Clone, Default)]
struct Recorder(Arc<std::sync::Mutex<Vec<Vec<String>>>>);

/// Collects fields into one span's list.
#[cfg(feature = "tracing")]
struct Fields<'a>(&'a mut Vec<String>);

#[cfg(feature = "tracing")]
impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push(format!("{}={value}", field.name()));
    }
}

#[cfg(feature = "tracing")]
impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut spans = self.0.lock().unwrap();
        let mut fields = vec![format!("span={}", span.metadata().name())];
        span.record(&mut Fields(&mut fields));
        spans.push(fields);
        tracing::span::Id::from_u64(spans.len() as u64)
    }

    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.0.lock().unwrap();
        values.record(&mut Fields(&mut spans[id.into_u64() as usize - 1]));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[cfg(feature = "tracing")]
#[tokio::test]
async fn a_span_per_call_names_the_operation_and_no_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/calls/c1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/calls/c1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-9")
                .set_body_json(json!({"id": "c1", "status": "queued", "to": "+1"})),
        )
        .mount(&server)
        .await;
    // Global, so no other test's thread can settle the callsite's interest first; this test finds
    // its own span by its request id.
    let recorder = Recorder::default();
    tracing::subscriber::set_global_default(recorder.clone()).unwrap();
    client(&server).get_call("c1").await.unwrap();
    let spans = recorder.0.lock().unwrap().clone();
    let ours = spans.iter().find(|fields| fields.iter().any(|f| f == "request_id=req-9")).expect("a span");
    for expected in
        ["span=api_call", "operation=getCall", "method=GET", "path=/calls/{call_id}", "attempts=2", "status=200"]
    {
        assert!(ours.iter().any(|f| f == expected), "no {expected} in {ours:?}");
    }
    assert!(!spans.iter().flatten().any(|f| f.contains("Bearer") || f.contains("/calls/c1")), "{spans:?}");
}

#[tokio::test]
async fn the_caller_may_choose_the_scopes() {
    let server = MockServer::start().await;
    token_server(&server, "t", 3600, 100).await;
    Mock::given(path("/calls/c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "c1", "status": "queued", "to": "+1"})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .token_url(format!("{}/oauth/token", server.uri()))
        .token_scopes(["calls:read"])
        .o_auth2_client_credentials("id", "s3cr3t")
        .build()
        .unwrap();
    client.get_call("c1").await.unwrap();
    let tokens = token_requests(&server).await;
    assert_eq!(String::from_utf8_lossy(&tokens[0].body), "grant_type=client_credentials&scope=calls%3Aread");
}

#[tokio::test]
async fn page_numbers_and_next_links_in_the_body() {
    let server = MockServer::start().await;
    let campaigns = |names: &[&str]| ResponseTemplate::new(200).set_body_json(json!({"campaigns": names}));
    Mock::given(path("/campaigns")).and(query_param_is_missing("page")).respond_with(campaigns(&["a", "b"])).mount(&server).await;
    Mock::given(path("/campaigns")).and(query_param("page", "2")).respond_with(campaigns(&["c", "d"])).mount(&server).await;
    Mock::given(path("/campaigns")).and(query_param("page", "3")).respond_with(campaigns(&["e"])).mount(&server).await;
    // Django REST framework's shape, with a link relative to the server.
    Mock::given(path("/contacts"))
        .and(query_param_is_missing("page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 2, "next": "/contacts?page=2", "results": ["x"]})))
        .mount(&server)
        .await;
    Mock::given(path("/contacts"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 2, "next": null, "results": ["y"]})))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut seen = Vec::new();
    let mut items = client.list_campaigns().per_page(2).items();
    while let Some(campaign) = items.next().await {
        seen.push(campaign.unwrap());
    }
    let mut items = client.list_contacts().items();
    while let Some(contact) = items.next().await {
        seen.push(contact.unwrap());
    }
    assert_eq!(seen, ["a", "b", "c", "d", "e", "x", "y"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 5, "a short campaign page and a null link end their listings");
    assert_eq!(sent[2].url.query(), Some("per_page=2&page=3"));
}
