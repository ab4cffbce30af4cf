//! [`Hook`]: code of the caller's that sees, and may change, every request before it is sent
//! and every response before it is read (add a header, sign a request, log, measure), without
//! replacing the HTTP client.

use ::std::future::Future;
use ::std::pin::Pin;

/// What a hook returns: an error stops the call with
/// [`Error::Hook`](super::Error::Hook).
pub type HookFuture<'a> = Pin<Box<dyn Future<Output = Result<(), HookError>> + Send + 'a>>;

/// The error a hook stops a call with.
pub type HookError = Box<dyn ::std::error::Error + Send + Sync>;

/// Which call a hook is run for.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CallInfo {
    /// The operation id.
    pub operation_id: &'static str,
    /// The path as the spec writes it (`/calls/{call_id}`), not the filled path.
    pub path_template: &'static str,
    /// The attempt, from 1; a retry runs the hooks again with the next number.
    pub attempt: u32,
}

/// Observes and changes every request and response of a client, asynchronously. Add one with
/// [`ClientBuilder::hook`](super::ClientBuilder::hook); hooks run in the order they were added,
/// on every attempt (so a retried request is signed again), after credentials are applied.
///
/// Both methods do nothing unless implemented:
///
/// ```ignore
/// struct Signer;
///
/// impl Hook for Signer {
///     fn on_request<'a>(&'a self, request: &'a mut reqwest::Request, _call: &'a CallInfo) -> HookFuture<'a> {
///         Box::pin(async move {
///             request.headers_mut().insert("x-signature", "...".parse()?);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait Hook: Send + Sync + 'static {
    /// Runs before each attempt is sent; may change anything in it.
    fn on_request<'a>(&'a self, request: &'a mut ::reqwest::Request, call: &'a CallInfo) -> HookFuture<'a> {
        let _ = (request, call);
        Box::pin(async { Ok(()) })
    }

    /// Runs when each attempt's response headers arrive, before retrying or reading the body;
    /// may change its headers (its body is read by the client afterwards).
    fn on_response<'a>(&'a self, response: &'a mut ::reqwest::Response, call: &'a CallInfo) -> HookFuture<'a> {
        let _ = (response, call);
        Box::pin(async { Ok(()) })
    }
}
