//! [`Error`]: every way a call can fail, typed by the operation's documented error body.

use super::{DecodeError, ResponseInfo};
use ::reqwest::StatusCode;

/// Why an operation call failed. `E` is the operation's documented error
/// body type.
#[derive(Debug, ::thiserror::Error)]
#[non_exhaustive]
pub enum Error<E> {
    /// A status the operation documents as an error, with its parsed body.
    #[error("server returned {}", describe_response(response))]
    Api {
        /// The parsed error body.
        body: E,
        /// The response.
        response: ResponseInfo,
    },
    /// A status the operation does not document.
    #[error("server returned undocumented status {}", describe_response(.0))]
    UnexpectedStatus(ResponseInfo),
    /// The body did not match the documented schema (any status).
    #[error("failed to decode the response with status {}", describe_response(response))]
    Decode {
        /// The response, with its raw body.
        response: ResponseInfo,
        /// What did not match.
        source: DecodeError,
    },
    /// Connecting, sending or reading the body failed (or the caller's own HTTP client, given to
    /// `ClientBuilder::http_client`, timed out by its own timeout).
    #[error("{}", describe_transport(.0))]
    Transport(#[source] ::reqwest::Error),
    /// An attempt got no whole response within the timeout (`ClientBuilder::timeout`, or
    /// `RequestOptions::with_timeout`); for a stream, no response headers. Timeouts are not
    /// retried.
    #[error("request timed out")]
    Timeout,
    /// No security alternative of the operation has all its credentials.
    #[error("missing credentials for operation {operation}: configure {schemes}")]
    MissingCredentials {
        /// The operation id.
        operation: &'static str,
        /// The alternatives that would satisfy it.
        schemes: String,
    },
    /// The request could not be built; nothing was sent.
    #[error("invalid request for operation {operation}: {reason}")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The response body exceeded the configured limit.
    #[error(
        "response body with status {} exceeds the limit of {limit} bytes",
        describe_status(*status)
    )]
    BodyTooLarge {
        /// The response status.
        status: StatusCode,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// A [`Hook`](super::Hook) stopped the call.
    #[error("a hook stopped the call to {operation}")]
    Hook {
        /// The operation id.
        operation: &'static str,
        /// The hook's error.
        source: super::HookError,
    },
    /// No OAuth 2.0 access token could be obtained; nothing was sent.
    #[error("no access token: {0}")]
    Token(#[source] super::TokenError),
}

impl<E> Error<E> {
    /// The response status, when a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::Transport(err) => err.status(),
            _ => self.response().map(|response| response.status),
        }
    }

    /// The response, for API, unexpected status and decode errors.
    pub fn response(&self) -> Option<&ResponseInfo> {
        match self {
            Error::Api { response, .. } | Error::UnexpectedStatus(response) | Error::Decode { response, .. } => {
                Some(response)
            }
            _ => None,
        }
    }

    /// The request id the server reported, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.response().and_then(ResponseInfo::request_id)
    }

    /// The documented error body, for [`Error::Api`].
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether an attempt timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout => true,
            Error::Transport(err) => err.is_timeout(),
            _ => false,
        }
    }
}

/// `404 not found (request id abc)`.
fn describe_response(response: &ResponseInfo) -> String {
    match response.request_id() {
        Some(id) => format!("{} (request id {id})", describe_status(response.status)),
        None => describe_status(response.status),
    }
}

/// `404 not found`, lowercase.
fn describe_status(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {}", status.as_u16(), reason.to_lowercase()),
        None => status.as_u16().to_string(),
    }
}

pub(super) fn describe_transport(err: &::reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "request timed out"
    } else if err.is_connect() {
        "failed to connect to the server"
    } else if err.is_body() || err.is_decode() {
        "failed to read the response body"
    } else {
        "failed to send the request"
    }
}
