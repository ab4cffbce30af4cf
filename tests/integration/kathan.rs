//! The generated Kathan client against a loopback server: auth headers, PATCH bodies, response
//! decoding and error mapping of `update_call`.

use std::net::TcpListener;
use std::time::Duration;

use kathan::types::{CallResponse, CallUpdateRequest, UpdateCallError, ValidationErrorLocItem as Loc};
use kathan::{Client, Error, Nullable, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "sk_test_4f9a2c";
const USER_ID: &str = "user_01HZX3";
const CALL_ID: &str = "call_7d1e";

/// A fresh mock server on an OS-chosen loopback port, shut down when dropped.
async fn server() -> MockServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    MockServer::builder().listener(listener).start().await
}

/// A builder pointed at `server` with short timeouts and no retries, without credentials.
fn builder(server: &MockServer) -> kathan::ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .timeout(Duration::from_secs(2))
        .connect_timeout(Duration::from_secs(1))
        .retry_policy(RetryPolicy::none())
}

/// A client pointed at `server` with both credentials the operation requires.
fn client(server: &MockServer) -> Client {
    builder(server).http_bearer(TOKEN).api_key_header(USER_ID).build().expect("build a client with a loopback base url")
}

/// A 200 body with every field the docs page lists.
fn full_call_json() -> Value {
    json!({
        "id": CALL_ID,
        "to_number": "+15551234567",
        "provider": "twilio",
        "status": "in-progress",
        "phone_number_id": "pn_42",
        "assistant_id": "asst_9",
        "from_number": "+15557654321",
        "provider_call_sid": "CA0123456789abcdef",
        "direction": "outbound",
        "created_at": "2024-05-01T12:00:00Z",
        "duration_seconds": 95,
        "timestamp": "2024-05-01T12:01:35Z",
        "summary": "Customer asked to be transferred to billing.",
        "user_messages": 7,
        "agent_messages": 8,
        "recording_url": "https://cdn.example.com/rec/1.wav",
        "stereo_recording_url": "https://cdn.example.com/rec/1-stereo.wav",
        "recording_mp3_url": "https://cdn.example.com/rec/1.mp3",
        "stereo_recording_mp3_url": "https://cdn.example.com/rec/1-stereo.mp3",
        "latency_metrics": {"p50_ms": 420, "p95_ms": 910},
        "per_turn_latency": null
    })
}

/// Mounts a `PATCH /calls/{CALL_ID}` mock answering `response`, expected exactly once.
async fn mount_update(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("PATCH"))
        .and(path(format!("/calls/{CALL_ID}")))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

/// The requests `server` received (recording is on for every server built here).
async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("request recording is enabled")
}

/// Sends `body` with a fully configured client and returns the JSON the server received.
async fn sent_body(body: CallUpdateRequest) -> Value {
    let server = server().await;
    mount_update(&server, ResponseTemplate::new(200).set_body_json(full_call_json())).await;
    client(&server).update_call(CALL_ID, &body).await.expect("the update succeeds");
    let requests = received(&server).await;
    assert_eq!(requests.len(), 1, "exactly one request is sent");
    let request = &requests[0];
    assert_eq!(request.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"),);
    serde_json::from_slice(&request.body).expect("the request body is JSON")
}

/// Answers one update with `response` and returns the call's result.
async fn update_answered_with(
    response: ResponseTemplate,
) -> Result<kathan::ApiResponse<CallResponse>, Error<UpdateCallError>> {
    let server = server().await;
    mount_update(&server, response).await;
    client(&server).update_call(CALL_ID, &CallUpdateRequest::default()).await
}

#[tokio::test]
async fn sends_both_credentials_with_patch_to_the_call_path() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/calls/{CALL_ID}")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-user-id", USER_ID))
        .respond_with(ResponseTemplate::new(200).set_body_json(full_call_json()))
        .expect(1)
        .mount(&server)
        .await;

    let response = client(&server)
        .update_call(CALL_ID, &CallUpdateRequest::default())
        .await
        .expect("the mock matches only a correctly authenticated request");
    assert_eq!(response.status, 200);

    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "PATCH");
    assert_eq!(request.url.path(), format!("/calls/{CALL_ID}"));
    assert_eq!(request.url.query(), None);
    let values = |name: &str| -> Vec<&str> {
        request.headers.get_all(name).iter().map(|v| v.to_str().expect("ascii header")).collect()
    };
    assert_eq!(values("authorization"), [format!("Bearer {TOKEN}")]);
    assert_eq!(values("x-user-id"), [USER_ID]);
}

#[tokio::test]
async fn call_id_is_percent_encoded_as_one_path_segment() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path("/calls/a%2Fb%20c"))
        .respond_with(ResponseTemplate::new(200).set_body_json(full_call_json()))
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .update_call("a/b c", &CallUpdateRequest::default())
        .await
        .expect("the encoded path matches the mock");
}

#[tokio::test]
async fn warm_transfer_sends_exactly_action_to_and_mode() {
    let body = CallUpdateRequest::default()
        .with_action("transfer".to_owned())
        .with_to("+15551234567".to_owned())
        .with_mode("warm".to_owned());
    assert_eq!(sent_body(body).await, json!({"action": "transfer", "to": "+15551234567", "mode": "warm"}));
}

#[tokio::test]
async fn hangup_sends_exactly_the_action() {
    let body = CallUpdateRequest::default().with_action("hangup".to_owned());
    assert_eq!(sent_body(body).await, json!({"action": "hangup"}));
}

#[tokio::test]
async fn explicit_null_clears_the_label() {
    let body = CallUpdateRequest::default().with_label(Nullable::Null);
    assert_eq!(sent_body(body).await, json!({"label": null}));
}

#[tokio::test]
async fn untouched_request_sends_an_empty_object() {
    assert_eq!(sent_body(CallUpdateRequest::default()).await, json!({}));
}

#[tokio::test]
async fn parses_a_full_200_response_with_null_per_turn_latency() {
    let response = update_answered_with(ResponseTemplate::new(200).set_body_json(full_call_json()))
        .await
        .expect("a documented 200 body decodes");
    assert_eq!(response.status, 200);

    let call = response.into_body();
    assert_eq!(call.id, CALL_ID);
    assert_eq!(call.to_number, "+15551234567");
    assert_eq!(call.provider, "twilio");
    assert_eq!(call.status, "in-progress");
    assert_eq!(call.from_number.as_deref(), Some("+15557654321"));
    assert_eq!(call.direction.as_deref(), Some("outbound"));
    assert_eq!(call.created_at.as_deref(), Some("2024-05-01T12:00:00Z"));
    assert_eq!(call.duration_seconds, Some(95));
    assert_eq!(call.user_messages, Some(7));
    assert_eq!(call.agent_messages, Some(8));
    assert_eq!(call.stereo_recording_mp3_url.as_deref(), Some("https://cdn.example.com/rec/1-stereo.mp3"));

    let metrics = call.latency_metrics.as_ref().expect("latency_metrics is present");
    assert_eq!(metrics.len(), 2);
    assert_eq!(metrics.get("p50_ms"), Some(&json!(420)));
    assert_eq!(metrics.get("p95_ms"), Some(&json!(910)));
    assert_eq!(call.per_turn_latency, None);

    // Nothing is lost or invented on the way through the typed struct.
    assert_eq!(serde_json::to_value(&call).expect("serialise the call"), {
        let mut expected = full_call_json();
        expected.as_object_mut().expect("an object").remove("per_turn_latency");
        expected
    });
}

#[tokio::test]
async fn parses_per_turn_latency_with_mixed_items() {
    let mut body = full_call_json();
    let turns = json!([412, 980.5, {"turn": 3, "ms": 1204}, null, "n/a", [1, 2]]);
    body["per_turn_latency"] = turns.clone();

    let call = update_answered_with(ResponseTemplate::new(200).set_body_json(body))
        .await
        .expect("an array of any items decodes")
        .into_body();
    let items = call.per_turn_latency.expect("per_turn_latency is present");
    assert_eq!(Value::Array(items), turns);
}

#[tokio::test]
async fn parses_a_minimal_200_response_with_only_required_fields() {
    let body = json!({
        "id": CALL_ID,
        "to_number": "+15551234567",
        "provider": "twilio",
        "status": "ended"
    });
    let call = update_answered_with(ResponseTemplate::new(200).set_body_json(body))
        .await
        .expect("optional fields may be missing")
        .into_body();
    assert_eq!(call.status, "ended");
    assert_eq!(call.duration_seconds, None);
    assert_eq!(call.latency_metrics, None);
    assert_eq!(call.per_turn_latency, None);
}

#[tokio::test]
async fn validation_error_422_maps_to_the_typed_variant() {
    let detail = json!({"detail": [{
        "loc": ["body", "to"],
        "msg": "value is not a valid E.164 number",
        "type": "value_error"
    }]});
    let err =
        update_answered_with(ResponseTemplate::new(422).set_body_json(&detail)).await.expect_err("422 is an error");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(err.to_string(), "server returned 422 unprocessable entity");

    let Error::Api { body: UpdateCallError::UnprocessableEntity(validation), response } = err else {
        panic!("expected Error::Api with the 422 variant, got {err:?}");
    };
    assert_eq!(response.status, 422);
    assert_eq!(serde_json::from_slice::<Value>(response.body()).expect("the raw body is kept"), detail);
    let errors = validation.detail.expect("detail is present");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].msg, "value is not a valid E.164 number");
    assert_eq!(errors[0].r#type, "value_error");
    assert_eq!(errors[0].loc, [Loc::String("body".to_owned()), Loc::String("to".to_owned())]);
}

#[tokio::test]
async fn pydantic_v2_validation_error_with_extra_fields_still_decodes() {
    // Pydantic v2 adds `input`, `ctx` and `url`, and `loc` may hold list indexes.
    let detail = json!({"detail": [{
        "type": "string_type",
        "loc": ["body", "to", 0],
        "msg": "Input should be a valid string",
        "input": 15551234567_u64,
        "ctx": {"error": "bad"},
        "url": "https://errors.pydantic.dev/2.7/v/string_type"
    }]});
    let err =
        update_answered_with(ResponseTemplate::new(422).set_body_json(detail)).await.expect_err("422 is an error");
    let Some(UpdateCallError::UnprocessableEntity(validation)) = err.api_body() else {
        panic!("expected the typed 422 body, got {err:?}");
    };
    let errors = validation.detail.as_deref().expect("detail is present");
    assert_eq!(errors[0].loc, [Loc::String("body".to_owned()), Loc::String("to".to_owned()), Loc::Integer(0)]);
    assert_eq!(errors[0].r#type, "string_type");
}

/// Asserts that `client` fails with `MissingCredentials` naming `missing` and sends nothing.
async fn assert_missing_credentials(server: &MockServer, client: Client, missing: &str) {
    Mock::given(any()).respond_with(ResponseTemplate::new(200)).expect(0).mount(server).await;

    let err = client
        .update_call(CALL_ID, &CallUpdateRequest::default())
        .await
        .expect_err("a call without every required credential fails");
    let message = err.to_string();
    match &err {
        Error::MissingCredentials { operation, schemes } => {
            assert_eq!(*operation, "update_call");
            assert!(schemes.contains(missing), "{schemes:?} does not name {missing}");
        }
        other => panic!("expected Error::MissingCredentials, got {other:?}"),
    }
    assert!(message.contains(missing), "{message:?} does not name {missing}");
    assert_eq!(message, "missing credentials for operation update_call: configure HTTPBearer and APIKeyHeader");
    assert_eq!(err.status(), None);
    assert!(received(server).await.is_empty(), "no request may reach the server");
}

#[tokio::test]
async fn missing_user_id_fails_before_sending() {
    let server = server().await;
    let client = builder(&server).http_bearer(TOKEN).build().expect("build without the user id");
    assert_missing_credentials(&server, client, "APIKeyHeader").await;
}

#[tokio::test]
async fn missing_bearer_fails_before_sending() {
    let server = server().await;
    let client = builder(&server).api_key_header(USER_ID).build().expect("build without the bearer");
    assert_missing_credentials(&server, client, "HTTPBearer").await;
}

#[tokio::test]
async fn undocumented_503_is_unexpected_status_with_the_raw_body() {
    let html = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>";
    let err = update_answered_with(ResponseTemplate::new(503).set_body_raw(html, "text/html"))
        .await
        .expect_err("503 is not documented");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.to_string(), "server returned undocumented status 503 service unavailable");
    let Error::UnexpectedStatus(response) = &err else {
        panic!("expected Error::UnexpectedStatus, got {err:?}");
    };
    assert_eq!(response.status, 503);
    assert_eq!(response.body_text(), html);
    assert!(!response.is_truncated());
    assert_eq!(response.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/html"));
}

#[tokio::test]
async fn non_json_200_is_a_decode_error_keeping_the_body() {
    let err = update_answered_with(ResponseTemplate::new(200).set_body_raw("OK", "text/plain"))
        .await
        .expect_err("a 200 that is not a CallResponse fails to decode");
    let Error::Decode { response, .. } = &err else {
        panic!("expected Error::Decode, got {err:?}");
    };
    assert_eq!(response.status, 200);
    assert_eq!(response.body_text(), "OK");
}

#[tokio::test]
async fn credentials_never_follow_a_redirect_to_another_host() {
    let server = server().await;
    let listener = TcpListener::bind("127.0.0.2:0").expect("bind a second loopback address");
    let elsewhere = MockServer::builder().listener(listener).start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(full_call_json())).mount(&elsewhere).await;
    let location = format!("{}/calls/{CALL_ID}", elsewhere.uri());
    mount_update(&server, ResponseTemplate::new(307).insert_header("location", location.as_str())).await;

    let options = kathan::RequestOptions::new().with_header("x-tenant", "tenant-secret");
    let client = builder(&server)
        .http_bearer(TOKEN)
        .api_key_header(USER_ID)
        .default_header("x-team", "team-secret")
        .build()
        .unwrap()
        .with_options(options);
    let err = client.update_call(CALL_ID, &CallUpdateRequest::default()).await.expect_err("not followed");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307));
    assert!(received(&elsewhere).await.is_empty(), "X-User-ID, the token and every header stayed home");
    let sent = received(&server).await;
    assert_eq!(sent[0].headers.get("x-user-id").and_then(|v| v.to_str().ok()), Some(USER_ID));
}

#[tokio::test]
async fn an_empty_call_id_is_refused_instead_of_patching_the_collection() {
    let server = server().await;
    let err = client(&server).update_call("", &CallUpdateRequest::default()).await.expect_err("refused");
    let Error::InvalidRequest { reason, .. } = &err else {
        panic!("expected Error::InvalidRequest, got {err:?}");
    };
    assert_eq!(reason, "a path parameter may not be empty");
    assert!(received(&server).await.is_empty());
}
