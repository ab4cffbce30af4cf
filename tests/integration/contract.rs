//! Contract tests: the checked-in clients against Prism, an independent mock server that checks
//! every request against the spec. Ignored by `cargo test`; `cargo xtask contract` starts one
//! Prism per API (`prism mock --errors`) and runs them with `PRISM_<API>_URL` set.
//!
//! With `--errors` Prism answers a request that breaks the spec with an error status and an
//! `sl-violations` header listing what is wrong. Since that status can be one the operation
//! documents (422 here), each test also asserts the header is absent: the typed error alone
//! would not tell a forced error from a rejected request.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use truedy::types::{CallUpdateRequest as TruedyUpdate, CallUpdateRequestCallSettings, UpdateCallError as TruedyError};

/// The header Prism adds when a request breaks the spec.
const VIOLATIONS: &str = "sl-violations";

/// The mock URL `cargo xtask contract` exports for one API.
fn prism_url(var: &str) -> String {
    std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} is not set: these tests need Prism; run `cargo xtask contract`"))
}

fn truedy_client() -> truedy::Client {
    truedy::Client::builder()
        .base_url(prism_url("PRISM_TRUEDY_URL"))
        .bearer_auth("contract-test-token")
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn kathan_client() -> kathan::Client {
    kathan::Client::builder()
        .base_url(prism_url("PRISM_KATHAN_URL"))
        .http_bearer("contract-test-token")
        .api_key_header("user_contract")
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Per-call options asking Prism for `status` (`Prefer: code=NNN`), without retries so a 429 or
/// 500 is returned as is.
fn prefer(status: u16) -> truedy::RequestOptions {
    truedy::RequestOptions::new()
        .with_header("Prefer", format!("code={status}"))
        .with_retry(truedy::RetryPolicy::none())
}

/// Fails when a response carries Prism's `sl-violations` header (`headers.get(VIOLATIONS)`).
fn assert_no_violations(violations: Option<impl std::fmt::Debug>, what: &str) {
    if let Some(violations) = violations {
        panic!("Prism reports that {what} breaks the spec: {violations:?}");
    }
}

/// The spec's `update_settings` request example.
fn update_settings() -> TruedyUpdate {
    TruedyUpdate::default().with_call_settings(
        CallUpdateRequestCallSettings::default()
            .with_recording_enabled(false)
            .with_greeting("Updated greeting".to_owned()),
    )
}

/// The spec's `update_variables` request example.
fn update_variables() -> TruedyUpdate {
    let serde_json::Value::Object(variables) = serde_json::json!({"status": "premium", "account_updated": true}) else {
        unreachable!()
    };
    TruedyUpdate::default().with_variables(variables)
}

#[tokio::test]
#[ignore = "needs Prism: run cargo xtask contract"]
async fn contract_truedy_update_call_examples() {
    let client = truedy_client();
    let examples = [
        ("update_settings", update_settings()),
        ("update_variables", update_variables()),
        // `null` clears a nullable field; the spec allows it for both.
        (
            "nulls",
            TruedyUpdate::default().with_call_settings(truedy::Nullable::Null).with_variables(truedy::Nullable::Null),
        ),
    ];
    for (name, body) in examples {
        let response = client
            .update_call("call_a1b2c3d4", &body)
            .await
            .unwrap_or_else(|e| panic!("update_call with {name}: {e:?}"));
        assert_eq!(response.status.as_u16(), 200, "{name}");
        assert_no_violations(response.headers.get(VIOLATIONS), &format!("update_call with {name}"));
        // Prism answers with the spec's 200 example.
        let data = &response.body.data;
        assert_eq!(data.id, "call_a1b2c3d4", "{name}");
        assert_eq!(data.status, truedy::types::CallResponseStatus::Completed);
        assert_eq!(data.direction, Some(truedy::types::CallResponseDirection::Outbound));
        assert_eq!(data.duration_seconds, Some(142));
        assert_eq!(data.created_at.to_rfc3339(), "2026-04-05T09:59:58+00:00");
        assert_eq!(response.body.meta.request_id, "req_32e7531c");
    }
}

/// A call id that needs percent-encoding still reaches the one documented path.
#[tokio::test]
#[ignore = "needs Prism: run cargo xtask contract"]
async fn contract_truedy_update_call_encodes_the_path() {
    let response = truedy_client().update_call("call 42+é", &update_settings()).await.unwrap();
    assert_eq!(response.status.as_u16(), 200);
    assert_no_violations(response.headers.get(VIOLATIONS), "update_call with an encoded call id");
}

#[tokio::test]
#[ignore = "needs Prism: run cargo xtask contract"]
async fn contract_truedy_update_call_documented_errors() {
    let client = truedy_client();
    for status in [400u16, 401, 404, 422, 429, 500] {
        let error = client
            .with_options(prefer(status))
            .update_call("call_a1b2c3d4", &update_settings())
            .await
            .expect_err("Prism was asked for an error status");
        let truedy::Error::Api { body, response } = &error else {
            panic!("status {status}: expected a typed API error, got {error:?}");
        };
        assert_eq!(response.status.as_u16(), status, "{error:?}");
        assert_no_violations(response.headers.get(VIOLATIONS), &format!("update_call with Prefer: code={status}"));
        let error_response = match (status, body) {
            (400, TruedyError::BadRequest(e))
            | (401, TruedyError::Unauthorized(e))
            | (404, TruedyError::NotFound(e))
            | (429, TruedyError::TooManyRequests(e))
            | (500, TruedyError::InternalServerError(e)) => Some(e),
            (422, TruedyError::UnprocessableEntity(validation)) => {
                assert!(validation.detail.as_ref().is_some_and(|d| !d.is_empty()), "{validation:?}");
                None
            }
            _ => panic!("status {status} decoded as the wrong variant: {body:?}"),
        };
        if let Some(e) = error_response {
            // Prism fills the body from the schema's property examples.
            assert_eq!(e.error.code, "not_found");
            assert!(!e.error.message.is_empty());
        }
    }
}

#[tokio::test]
#[ignore = "needs Prism: run cargo xtask contract"]
async fn contract_kathan_update_call() {
    let client = kathan_client();
    let warm_transfer = kathan::types::CallUpdateRequest::default()
        .with_action("transfer".to_owned())
        .with_to("+15551234567".to_owned())
        .with_mode("warm".to_owned());
    let relabel =
        kathan::types::CallUpdateRequest::default().with_label(kathan::Nullable::Null).with_recording_enabled(false);
    for (name, body) in [("warm transfer", warm_transfer), ("relabel", relabel)] {
        let response = client
            .update_call("call_a1b2c3d4", &body)
            .await
            .unwrap_or_else(|e| panic!("update_call with {name}: {e:?}"));
        assert_eq!(response.status.as_u16(), 200, "{name}");
        assert_no_violations(response.headers.get(VIOLATIONS), &format!("update_call with {name}"));
        // No example in the spec: Prism generates the body from the schema, required fields and all.
        let call = &response.body;
        assert!(!call.id.is_empty() && !call.to_number.is_empty() && !call.provider.is_empty(), "{call:?}");
        assert!(call.latency_metrics.is_some(), "{call:?}");
    }
}

#[tokio::test]
#[ignore = "needs Prism: run cargo xtask contract"]
async fn contract_kathan_update_call_validation_error() {
    let options =
        kathan::RequestOptions::new().with_header("Prefer", "code=422").with_retry(kathan::RetryPolicy::none());
    let body = kathan::types::CallUpdateRequest::default().with_action("hangup".to_owned());
    let error = kathan_client().with_options(options).update_call("call_a1b2c3d4", &body).await.unwrap_err();
    let kathan::Error::Api { body: kathan::types::UpdateCallError::UnprocessableEntity(validation), response } = &error
    else {
        panic!("expected the typed 422, got {error:?}");
    };
    assert_eq!(response.status.as_u16(), 422);
    assert_no_violations(response.headers.get(VIOLATIONS), "update_call with Prefer: code=422");
    let detail = validation.detail.as_deref().unwrap_or_default();
    assert!(!detail.is_empty() && !detail[0].msg.is_empty(), "{validation:?}");
}

/// A raw `PATCH` over a fresh connection: the status line and the headers, lowercased.
fn raw_patch(base_url: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let host = base_url.strip_prefix("http://").expect("an http:// url");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("PATCH {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let head = response.split("\r\n\r\n").next().unwrap_or_default().to_ascii_lowercase();
    let status =
        head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {response:?}"));
    (status, head)
}

/// The negative control: Prism rejects what the spec forbids, so the clean runs above mean
/// something. (The typed clients cannot send these requests.)
#[test]
#[ignore = "needs Prism: run cargo xtask contract"]
fn contract_prism_rejects_invalid_requests() {
    let truedy = prism_url("PRISM_TRUEDY_URL");
    let auth = [("Authorization", "Bearer contract-test-token")];
    let (status, head) = raw_patch(&truedy, "/calls/c1", &auth, r#"{"call_settings":{"recording_enabled":"yes"}}"#);
    assert_eq!(status, 422, "{head}");
    assert!(head.contains(VIOLATIONS) && head.contains("recording_enabled"), "{head}");

    let (status, head) = raw_patch(&truedy, "/calls/c1", &[], "{}");
    assert_eq!(status, 401, "{head}");
    assert!(head.contains(VIOLATIONS), "{head}");

    let kathan = prism_url("PRISM_KATHAN_URL");
    let both = [("Authorization", "Bearer contract-test-token"), ("X-User-ID", "user_contract")];
    let (status, head) = raw_patch(&kathan, "/calls/c1", &both, r#"{"recording_enabled":"yes"}"#);
    assert_eq!(status, 422, "{head}");
    assert!(head.contains(VIOLATIONS) && head.contains("recording_enabled"), "{head}");
    // The same request, valid, passes: the control is not rejecting everything.
    let (status, head) = raw_patch(&kathan, "/calls/c1", &both, r#"{"recording_enabled":false}"#);
    assert_eq!(status, 200, "{head}");
    assert!(!head.contains(VIOLATIONS), "{head}");
}
