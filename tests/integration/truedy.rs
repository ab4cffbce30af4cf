//! The generated Truedy client: the seed's examples through the generated types, and the client
//! against a wiremock server on 127.0.0.1 (method, path, auth, body, typed results and errors).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use truedy::types::{
    CallResponse, CallResponseDirection, CallResponseStatus, CallUpdateRequest, CallUpdateRequestCallSettings,
    ErrorResponse, ErrorResponseError, ResponseMeta, UpdateCallError, UpdateCallResponse,
};
use truedy::{Client, Error, Nullable, RetryPolicy};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "sk_test_5ecret";

/// The Truedy spec as JSON, to read its examples instead of repeating them here.
fn spec() -> Value {
    let text = std::fs::read_to_string(crate::support::root().join("spec/truedy/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn operation() -> Value {
    spec()["paths"]["/calls/{call_id}"]["patch"].clone()
}

fn request_example(name: &str) -> Value {
    operation()["requestBody"]["content"]["application/json"]["examples"][name]["value"].clone()
}

fn response_example() -> Value {
    operation()["responses"]["200"]["content"]["application/json"]["example"].clone()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_auth(TOKEN)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid client")
}

fn settings_update() -> CallUpdateRequest {
    CallUpdateRequest::default().with_call_settings(
        CallUpdateRequestCallSettings::default()
            .with_recording_enabled(false)
            .with_greeting("Updated greeting".to_owned()),
    )
}

fn variables_update() -> CallUpdateRequest {
    let mut variables = serde_json::Map::new();
    variables.insert("status".to_owned(), json!("premium"));
    variables.insert("account_updated".to_owned(), json!(true));
    CallUpdateRequest::default().with_variables(variables)
}

#[test]
fn seed_request_examples_serialise_exactly() {
    assert_eq!(serde_json::to_value(settings_update()).unwrap(), request_example("update_settings"));
    assert_eq!(serde_json::to_value(variables_update()).unwrap(), request_example("update_variables"));
}

/// The seed's 200 example carries fields `CallResponse` does not declare (`to`, `from`,
/// `cost_credits`, `metadata`, `transcript_url`); they are ignored, the declared ones parse.
#[test]
fn seed_response_example_deserialises_despite_undeclared_fields() {
    let example = response_example();
    assert!(example["data"].get("cost_credits").is_some(), "the seed's mismatch is what this test is about");
    let response: UpdateCallResponse = serde_json::from_value(example).unwrap();
    assert_eq!(response.data.id, "call_a1b2c3d4");
    assert_eq!(response.data.status, CallResponseStatus::Completed);
    assert_eq!(response.data.direction, Some(CallResponseDirection::Outbound));
    assert_eq!(response.data.duration_seconds, Some(142));
    assert_eq!(response.data.started_at.unwrap().to_rfc3339(), "2026-04-05T10:00:00+00:00");
    assert_eq!(response.meta.request_id, "req_32e7531c");
}

#[test]
fn patch_semantics_distinguish_absent_null_and_value() {
    let untouched = CallUpdateRequest::default();
    assert_eq!(serde_json::to_value(&untouched).unwrap(), json!({}));
    let cleared = CallUpdateRequest::default().with_call_settings(Nullable::Null);
    assert_eq!(serde_json::to_value(&cleared).unwrap(), json!({"call_settings": null}));
    let cleared_both = CallUpdateRequest::default().with_call_settings(Nullable::Null).with_variables(None);
    assert_eq!(serde_json::to_value(&cleared_both).unwrap(), json!({"call_settings": null, "variables": null}));
    // And back: absent, null and a value survive a round trip.
    let parsed: CallUpdateRequest = serde_json::from_value(json!({"variables": null})).unwrap();
    assert_eq!(parsed.call_settings, Nullable::Absent);
    assert_eq!(parsed.variables, Nullable::Null);
}

#[test]
fn unknown_enum_values_are_kept() {
    let mut example = response_example();
    example["data"]["status"] = json!("on_hold");
    example["data"]["direction"] = json!("sideways");
    let response: UpdateCallResponse = serde_json::from_value(example).unwrap();
    assert_eq!(response.data.status, CallResponseStatus::Unknown("on_hold".to_owned()));
    assert_eq!(response.data.status.as_str(), "on_hold");
    assert_eq!(response.data.direction, Some(CallResponseDirection::Unknown("sideways".to_owned())));
    // Known values still serialise to their wire spelling.
    assert_eq!(serde_json::to_value(CallResponseStatus::InProgress).unwrap(), json!("in_progress"));
}

#[tokio::test]
async fn update_call_sends_method_path_auth_and_body_and_types_the_200() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/calls/call_a1b2c3d4"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(request_example("update_settings")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(response_example()).insert_header("x-request-id", "req_hdr_1"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let response = client(&server).update_call("call_a1b2c3d4", &settings_update()).await.expect("200");
    assert_eq!(response.status, 200);
    assert_eq!(response.request_id(), Some("req_hdr_1"));
    assert_eq!(response.body.data.id, "call_a1b2c3d4");
    assert_eq!(response.body.meta.request_id, "req_32e7531c");
    // The body sent is exactly the example, with no extra keys.
    let received = server.received_requests().await.unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&received[0].body).unwrap(), request_example("update_settings"));
}

#[tokio::test]
async fn each_documented_error_status_maps_to_its_typed_variant() {
    let error_body = json!({"error": {"code": "not_found", "message": "The requested resource does not exist"}});
    let validation = json!({"detail": [{"loc": ["body", "call_settings"], "msg": "bad", "type": "type_error"}]});
    for status in [400u16, 401, 404, 422, 429, 500] {
        let server = MockServer::start().await;
        let body = if status == 422 { validation.clone() } else { error_body.clone() };
        Mock::given(method("PATCH"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body).insert_header("x-request-id", "req_err"))
            .expect(1)
            .mount(&server)
            .await;
        let error = client(&server).update_call("call_1", &CallUpdateRequest::default()).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.request_id(), Some("req_err"), "{status}");
        let Error::Api { body, response } = error else { panic!("{status}: expected a typed error, got {error:?}") };
        assert_eq!(response.status, status);
        match (status, body) {
            (400, UpdateCallError::BadRequest(e))
            | (401, UpdateCallError::Unauthorized(e))
            | (404, UpdateCallError::NotFound(e))
            | (429, UpdateCallError::TooManyRequests(e))
            | (500, UpdateCallError::InternalServerError(e)) => {
                assert_eq!(e.error.code, "not_found");
            }
            (422, UpdateCallError::UnprocessableEntity(e)) => {
                let detail = e.detail.unwrap();
                assert_eq!(detail[0].msg.as_deref(), Some("bad"));
                assert_eq!(detail[0].loc.as_ref().unwrap()[1], json!("call_settings"));
            }
            (status, body) => panic!("{status} decoded as the wrong variant: {body:?}"),
        }
    }
}

#[tokio::test]
async fn base_url_path_prefix_is_kept_and_defaults_to_the_spec_server() {
    assert_eq!(truedy::DEFAULT_BASE_URL, "https://api.truedy.ai/api/public/v1");
    let default = Client::builder().bearer_auth(TOKEN).build().unwrap();
    assert_eq!(default.base_url(), "https://api.truedy.ai/api/public/v1");

    let server = MockServer::start().await;
    Mock::given(path("/api/public/v1/calls/c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(response_example()))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        Client::builder().base_url(format!("{}/api/public/v1/", server.uri())).bearer_auth(TOKEN).build().unwrap();
    client.update_call("c1", &CallUpdateRequest::default()).await.expect("prefixed path");
}

#[tokio::test]
async fn path_parameters_are_one_encoded_segment() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(response_example()))
        .mount(&server)
        .await;
    client(&server).update_call("../admin?x=1#y", &CallUpdateRequest::default()).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].url.path(), "/calls/..%2Fadmin%3Fx%3D1%23y");
    assert_eq!(received[0].url.query(), None);
}

#[tokio::test]
async fn a_dot_dot_id_is_refused_before_sending() {
    let server = MockServer::start().await;
    let error = client(&server).update_call("..", &CallUpdateRequest::default()).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn missing_credentials_fail_before_any_request() {
    let server = MockServer::start().await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let error = client.update_call("c1", &CallUpdateRequest::default()).await.unwrap_err();
    assert!(matches!(error, Error::MissingCredentials { .. }), "{error:?}");
    assert!(error.to_string().contains("BearerAuth"), "{error}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn secrets_never_appear_in_debug_output_and_header_injection_is_refused() {
    let builder = Client::builder().bearer_auth(TOKEN);
    assert!(!format!("{builder:?}").contains(TOKEN));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains(TOKEN), "{client:?}");
    let error = Client::builder().bearer_auth("abc\r\nX-Evil: 1").build().unwrap_err();
    assert!(!error.to_string().contains("X-Evil"), "{error}");
    assert!(Client::builder().default_header("X-Extra", "a\r\nb").build().is_err());
}

/// What a misbehaving server sends becomes a typed error that keeps the raw response.
#[tokio::test]
async fn hostile_responses_become_typed_errors() {
    let cases: Vec<(&str, ResponseTemplate)> = vec![
        ("html 502", ResponseTemplate::new(502).set_body_raw("<html><body>Bad gateway</body></html>", "text/html")),
        (
            "truncated json",
            ResponseTemplate::new(200).set_body_raw(r#"{"data": {"id": "c1", "sta"#, "application/json"),
        ),
        ("malformed json", ResponseTemplate::new(200).set_body_raw("{not json}", "application/json")),
        ("empty body", ResponseTemplate::new(200)),
        (
            "wrong field types",
            ResponseTemplate::new(200).set_body_json(json!({"data": {"id": 5, "status": true}, "meta": []})),
        ),
        ("missing required field", ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "c1"}}))),
        ("html with 200", ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html")),
        ("error body not matching its schema", ResponseTemplate::new(404).set_body_raw("Not Found", "text/plain")),
    ];
    for (case, template) in cases {
        let server = MockServer::start().await;
        Mock::given(method("PATCH")).respond_with(template).mount(&server).await;
        let error = client(&server).update_call("c1", &CallUpdateRequest::default()).await.unwrap_err();
        let response = error.response().unwrap_or_else(|| panic!("{case}: no response kept in {error:?}"));
        match case {
            "html 502" => {
                assert!(matches!(error, Error::UnexpectedStatus(_)), "{case}: {error:?}");
                assert!(response.body_text().contains("Bad gateway"), "{case}");
            }
            _ => {
                assert!(matches!(error, Error::Decode { .. }), "{case}: {error:?}");
            }
        }
        if case == "truncated json" {
            assert_eq!(response.body_text(), r#"{"data": {"id": "c1", "sta"#);
        }
    }
}

/// A value the spec does not list, sent by a live server, is tolerated and kept.
#[tokio::test]
async fn unknown_enum_values_from_the_server_are_tolerated() {
    let server = MockServer::start().await;
    let mut body = response_example();
    body["data"]["status"] = json!("voicemail");
    body["data"]["sentiment"] = json!("ecstatic");
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let call =
        client(&server).update_call("c1", &CallUpdateRequest::default()).await.expect("tolerated").into_body().data;
    assert_eq!(call.status, CallResponseStatus::Unknown("voicemail".to_owned()));
    assert_eq!(call.sentiment.map(|s| s.to_string()).as_deref(), Some("ecstatic"));
}

#[tokio::test]
async fn a_huge_body_is_cut_off_at_the_limit() {
    let server = MockServer::start().await;
    let huge = format!("{{\"data\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    let client =
        Client::builder().base_url(server.uri()).bearer_auth(TOKEN).max_response_bytes(64 * 1024).build().unwrap();
    let error = client.update_call("c1", &CallUpdateRequest::default()).await.unwrap_err();
    assert!(matches!(error, Error::BodyTooLarge { limit: 65536, .. }), "{error:?}");
}

/// With the crate's typed mock server: the first call is rate limited, the retry (after
/// `Retry-After`) sends the same update and gets the call; each mock is called exactly once.
#[tokio::test]
async fn rate_limited_patch_is_retried_after_retry_after() {
    let server = truedy::mock::MockServer::start().await;
    let limited = UpdateCallError::TooManyRequests(ErrorResponse::new(ErrorResponseError::new(
        "rate_limited".to_owned(),
        "slow down".to_owned(),
    )));
    let update = server.update_call().call_id("c1").body(&settings_update());
    update.header("retry-after", "1").up_to_n_times(1).expect(1).error(&limited).await;
    let now = "2026-03-03T20:24:55Z".parse().unwrap();
    let call = CallResponse::new("c1".to_owned(), CallResponseStatus::Completed, now);
    let updated = UpdateCallResponse::new(call, ResponseMeta::new("req_1".to_owned(), now));
    server.update_call().call_id("c1").body(&settings_update()).expect(1).ok(&updated).await;
    let client = server
        .client_builder()
        .bearer_auth(TOKEN)
        .retry_policy(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    let response = client.update_call("c1", &settings_update()).await.expect("retried");
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured: {:?}", started.elapsed());
    assert_eq!(response.status, 200);
    assert_eq!(response.into_body(), updated);
    server.verify().await;
}

#[tokio::test]
async fn patch_is_not_retried_on_bad_gateway_unless_the_caller_opts_in() {
    for (opt_in, expected_requests) in [(false, 1), (true, 3)] {
        let server = MockServer::start().await;
        Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(502)).mount(&server).await;
        let policy =
            RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)).with_retry_non_idempotent(opt_in);
        let client = Client::builder().base_url(server.uri()).bearer_auth(TOKEN).retry_policy(policy).build().unwrap();
        let error = client.update_call("c1", &CallUpdateRequest::default()).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
        assert_eq!(server.received_requests().await.unwrap().len(), expected_requests, "opt in: {opt_in}");
    }
}

#[tokio::test]
async fn per_call_timeout_overrides_the_client_default() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(response_example()).set_delay(Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let hurried = client.with_options(truedy::RequestOptions::new().with_timeout(Duration::from_millis(50)));
    let error = hurried.update_call("c1", &CallUpdateRequest::default()).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    client.update_call("c1", &CallUpdateRequest::default()).await.expect("the default timeout is long enough");
}
