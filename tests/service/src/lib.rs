//! A small service that uses the generated Truedy client, as a team depending on the crate would
//! write it: it changes a call's greeting and turns a rate limit into an answer of its own. Its
//! tests (`tests/greeting.rs`) run it against the client's typed mock server (feature `mock`).

use truedy::types::{CallUpdateRequest, CallUpdateRequestCallSettings, UpdateCallError};
use truedy::{Client, Error};

/// What became of a greeting change.
#[derive(Debug, PartialEq, Eq)]
pub enum GreetingChange {
    /// The call took the new greeting; its status as Truedy reports it.
    Updated { status: String },
    /// Truedy refused for now: try again later (after `retry_after` seconds, when it said).
    RateLimited { message: String, retry_after: Option<u64> },
}

/// The update that sets `greeting` and leaves every other setting alone.
pub fn greeting_update(greeting: &str) -> CallUpdateRequest {
    CallUpdateRequest::default()
        .with_call_settings(CallUpdateRequestCallSettings::default().with_greeting(greeting.to_owned()))
}

/// Sets the greeting of call `call_id`. A 429 (once the client's own retries ran out) is an
/// answer, not an error; any other failure is returned as it is.
pub async fn change_greeting(
    client: &Client,
    call_id: &str,
    greeting: &str,
) -> Result<GreetingChange, Error<UpdateCallError>> {
    match client.update_call(call_id, &greeting_update(greeting)).await {
        Ok(response) => Ok(GreetingChange::Updated { status: response.into_body().data.status.to_string() }),
        Err(Error::Api { body: UpdateCallError::TooManyRequests(body), response }) => {
            let retry_after = response
                .headers
                .get("retry-after")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse().ok());
            Ok(GreetingChange::RateLimited { message: body.error.message, retry_after })
        }
        Err(other) => Err(other),
    }
}
