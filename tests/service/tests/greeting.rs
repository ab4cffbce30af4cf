//! The service against Truedy's typed mock server: every request and response below is a
//! generated type, and each mock says how often it must be called.

use std::time::Duration;

use service::{GreetingChange, change_greeting, greeting_update};
use truedy::mock::MockServer;
use truedy::types::{
    CallResponse, CallResponseStatus, ErrorResponse, ErrorResponseError, ResponseMeta, UpdateCallError,
    UpdateCallResponse,
};
use truedy::{Client, Error, RetryPolicy};

/// A client of `server` that does not retry, so each test sees the first answer.
fn client(server: &MockServer) -> Client {
    server.client_builder().bearer_auth("test-key").retry_policy(RetryPolicy::none()).build().unwrap()
}

fn updated_call(id: &str, status: CallResponseStatus) -> UpdateCallResponse {
    let now = "2026-03-03T20:24:55Z".parse().unwrap();
    let mut call = CallResponse::new(id.to_owned(), status, now);
    call.summary = Some("greeting changed".to_owned());
    UpdateCallResponse::new(call, ResponseMeta::new("req_1".to_owned(), now))
}

fn rate_limited(message: &str) -> UpdateCallError {
    UpdateCallError::TooManyRequests(ErrorResponse::new(ErrorResponseError::new(
        "rate_limited".to_owned(),
        message.to_owned(),
    )))
}

#[tokio::test]
async fn a_greeting_change_sends_the_update_and_reads_the_call() {
    let server = MockServer::start().await;
    server
        .update_call()
        .call_id("call_a1b2")
        .body(&greeting_update("Hi, this is Ava."))
        .expect(1)
        .ok(&updated_call("call_a1b2", CallResponseStatus::InProgress))
        .await;

    let change = change_greeting(&client(&server), "call_a1b2", "Hi, this is Ava.").await.unwrap();
    assert_eq!(change, GreetingChange::Updated { status: "in_progress".to_owned() });
}

#[tokio::test]
async fn a_rate_limit_is_an_answer_with_its_retry_after() {
    let server = MockServer::start().await;
    server
        .update_call()
        .call_id("call_a1b2")
        .header("Retry-After", "30")
        .expect(1)
        .error(&rate_limited("slow down"))
        .await;

    let change = change_greeting(&client(&server), "call_a1b2", "Hello").await.unwrap();
    assert_eq!(change, GreetingChange::RateLimited { message: "slow down".to_owned(), retry_after: Some(30) });
}

#[tokio::test]
async fn other_errors_are_returned_typed() {
    let server = MockServer::start().await;
    let missing = UpdateCallError::NotFound(ErrorResponse::new(ErrorResponseError::new(
        "not_found".to_owned(),
        "no such call".to_owned(),
    )));
    server.update_call().expect(1).error(&missing).await;

    let error = change_greeting(&client(&server), "call_gone", "Hello").await.unwrap_err();
    assert!(matches!(&error, Error::Api { body: UpdateCallError::NotFound(_), .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_mock_matches_only_its_call_and_body() {
    let server = MockServer::start().await;
    server
        .update_call()
        .call_id("call_a1b2")
        .body(&greeting_update("Hello"))
        .expect(0)
        .ok(&updated_call("call_a1b2", CallResponseStatus::Completed))
        .await;

    // Another call id, and another greeting: neither matches, so the server answers 404.
    let client = client(&server);
    let error = change_greeting(&client, "call_other", "Hello").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    let error = change_greeting(&client, "call_a1b2", "Bonjour").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

/// The client's own retries honour `Retry-After` before the service sees the 429: two calls
/// reach the server when one retry is allowed.
#[tokio::test]
async fn the_clients_retries_reach_the_server_before_the_service_answers() {
    let server = MockServer::start().await;
    server.update_call().header("Retry-After", "0").expect(2).error(&rate_limited("still busy")).await;
    let client = server
        .client_builder()
        .bearer_auth("test-key")
        .retry_policy(RetryPolicy::default().with_max_retries(1).with_initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap();

    let change = change_greeting(&client, "call_a1b2", "Hello").await.unwrap();
    assert!(matches!(change, GreetingChange::RateLimited { .. }), "{change:?}");
    server.verify().await;
}
