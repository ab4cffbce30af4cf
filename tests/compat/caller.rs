//! A service's code written against version 1 of the Calls API
//! (`tests/fixtures/compat/v1.yaml`). `compile.rs` builds it against the crates generated from
//! v1 and from v2, which makes every change the README calls safe: it must compile against both.

use api::types::{Call, CallStatus, ListCallsError, NewCall};
use api::{Client, Error};

pub async fn run(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    // Request bodies are built with `new` (required fields) and `with_` setters.
    let new_call = NewCall::new("+15550001".to_owned()).with_label("first".to_owned());
    let call: Call = client.create_call(&new_call).await?.into_body();
    // Response fields are read by name; a pattern names the fields it needs and `..`.
    let Call { id, status, .. } = &call;
    println!("{id} is {}", describe(status));
    client.get_call(id).send().await?;
    // Optional parameters are set by name.
    match client.list_calls().status(&CallStatus::Queued).await {
        Ok(response) => {
            for call in response.into_body() {
                println!("{}", describe(&call.status));
            }
        }
        Err(Error::Api { body: ListCallsError::NotFound(problem), .. }) => eprintln!("{:?}", problem.detail),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

fn describe(status: &CallStatus) -> &'static str {
    match status {
        CallStatus::Queued => "queued",
        CallStatus::Ringing => "ringing",
        // Enums are `#[non_exhaustive]`: a new value in the spec lands here.
        _ => "something else",
    }
}
