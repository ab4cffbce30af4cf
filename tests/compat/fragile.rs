//! Code that would break when the Calls API grows, and that the generated API therefore refuses
//! already against version 1: `compile.rs` checks that this fails with exactly these errors.

use api::types::{CallStatus, NewCall};

// E0639: a struct literal would break when an optional field is added.
pub fn body() -> NewCall {
    NewCall { to: "+15550001".to_owned(), label: None }
}

// E0004: an exhaustive match would break when a value is added.
pub fn describe(status: &CallStatus) -> &'static str {
    match status {
        CallStatus::Queued => "queued",
        CallStatus::Ringing => "ringing",
        CallStatus::Unknown(_) => "unknown",
    }
}
