//! Responses: the [`Decoder`] each operation passes to [`Core::send`], its helpers, and what a
//! caller gets back ([`ApiResponse`], [`ResponseInfo`] with the server's request id).

use ::std::borrow::Cow;
use ::std::fmt;

use ::reqwest::StatusCode;
use ::reqwest::header::HeaderMap;

/// How much of a response body [`ResponseInfo`] keeps.
const MAX_KEPT_BODY_BYTES: usize = 64 * 1024;
/// Bodies larger than this are not parsed to look for a request id.
const MAX_REQUEST_ID_SCAN_BYTES: usize = 1024 * 1024;
/// Longest request id that is reported; longer values are ignored.
const MAX_REQUEST_ID_LEN: usize = 256;
/// Response headers that carry a request id, in order of preference.
const REQUEST_ID_HEADERS: &[&str] =
    &["x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id", "x-correlation-id", "x-trace-id"];
/// JSON body fields that carry a request id (top level or one level deep).
const REQUEST_ID_FIELDS: &[&str] = &["request_id", "requestId"];

/// Maps a status, headers and body to the operation's documented outcome; `None` for an
/// undocumented status, which becomes [`Error::UnexpectedStatus`](super::Error::UnexpectedStatus).
/// The headers tell a status's representations apart by `Content-Type` (see [`media_is`]).
pub type Decoder<T, E> = fn(StatusCode, &HeaderMap, &[u8]) -> Option<Result<Outcome<T, E>, DecodeError>>;

/// Whether the response's `Content-Type` is one of `media` (lowercase essences such as
/// `text/csv`; `image/*` stands for every image type). Parameters and case are ignored; a
/// missing or unreadable `Content-Type` matches nothing.
pub fn media_is(headers: &HeaderMap, media: &[&str]) -> bool {
    let Some(value) = headers.get(::reqwest::header::CONTENT_TYPE).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let kind = essence.split('/').next().unwrap_or("");
    media.iter().any(|media| match media.strip_suffix("/*") {
        Some(wanted) => *media == "*/*" || wanted.eq_ignore_ascii_case(kind),
        None => media.eq_ignore_ascii_case(essence),
    })
}

/// A documented response: success or a documented error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T, E> {
    /// A success response's body.
    Success(T),
    /// A documented error response's body, returned as [`Error::Api`](super::Error::Api).
    Failure(E),
}

/// Why a response body did not match its documented schema.
#[derive(Debug, ::thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not the expected JSON.
    #[error("the body is not the expected json")]
    Json(#[from] ::serde_json::Error),
    /// The body is not UTF-8 text.
    #[error("the body is not utf-8 text")]
    Utf8(#[from] ::std::str::Utf8Error),
    /// A response header the operation declares is missing or does not parse.
    #[error("response header {name} {reason}")]
    Header {
        /// The header name.
        name: &'static str,
        /// What is wrong with it (its value is not repeated).
        reason: String,
    },
}

/// Decodes a JSON body.
pub fn decode_json<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    Ok(::serde_json::from_slice(body)?)
}

/// Decodes a UTF-8 text body.
pub fn decode_text(body: &[u8]) -> Result<String, DecodeError> {
    Ok(::std::str::from_utf8(body)?.to_owned())
}

/// Decoder arm for a success status with a JSON body.
pub fn ok_json<T: ::serde::de::DeserializeOwned, E>(body: &[u8]) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(decode_json(body).map(Outcome::Success))
}

/// Decoder arm for a success status with a JSON body, wrapped in a variant of the operation's
/// success enum (when several success statuses carry different bodies).
pub fn ok_json_as<B: ::serde::de::DeserializeOwned, T, E>(
    body: &[u8],
    variant: fn(B) -> T,
) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(decode_json(body).map(|body| Outcome::Success(variant(body))))
}

/// Decoder arm for a success status with a text body.
pub fn ok_text<E>(body: &[u8]) -> Option<Result<Outcome<String, E>, DecodeError>> {
    Some(decode_text(body).map(Outcome::Success))
}

/// Decoder arm for a success status with a text body, wrapped in a success enum variant.
pub fn ok_text_as<T, E>(body: &[u8], variant: fn(String) -> T) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(decode_text(body).map(|body| Outcome::Success(variant(body))))
}

/// Decoder arm for a success status with a binary body, kept as bytes.
pub fn ok_bytes<E>(body: &[u8]) -> Option<Result<Outcome<Vec<u8>, E>, DecodeError>> {
    Some(Ok(Outcome::Success(body.to_vec())))
}

/// Decoder arm for a success status with a binary body, kept as bytes in a success enum variant.
pub fn ok_bytes_as<T, E>(body: &[u8], variant: fn(Vec<u8>) -> T) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(Ok(Outcome::Success(variant(body.to_vec()))))
}

/// Decoder arm for a success status whose body is not read.
pub fn ok<T, E>(value: T) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(Ok(Outcome::Success(value)))
}

/// Decoder arm for a documented error status with a JSON body, wrapped in its error variant.
pub fn err_json<B: ::serde::de::DeserializeOwned, T, E>(
    body: &[u8],
    variant: fn(B) -> E,
) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(decode_json(body).map(|body| Outcome::Failure(variant(body))))
}

/// Decoder arm for a documented error status with a text body, wrapped in its error variant.
pub fn err_text<T, E>(body: &[u8], variant: fn(String) -> E) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(decode_text(body).map(|body| Outcome::Failure(variant(body))))
}

/// Decoder arm for a documented error status whose body is not read.
pub fn err<T, E>(error: E) -> Option<Result<Outcome<T, E>, DecodeError>> {
    Some(Ok(Outcome::Failure(error)))
}

/// A successful response with its decoded body.
#[derive(Clone, Debug)]
pub struct ApiResponse<T> {
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: T,
}

impl<T> ApiResponse<T> {
    /// The decoded body.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The request id from the response headers, if any.
    pub fn request_id(&self) -> Option<&str> {
        request_id_from_headers(&self.headers)
    }
}

/// A response that was not a documented success: status, headers, and the
/// start of the body (at most 64 KiB is kept).
#[derive(Clone)]
pub struct ResponseInfo {
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    body: Vec<u8>,
    truncated: bool,
    request_id: Option<String>,
}

impl fmt::Debug for ResponseInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseInfo")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body_text())
            .field("truncated", &self.truncated)
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl ResponseInfo {
    /// Builds the info for a response, finding its request id and keeping at
    /// most 64 KiB of the body.
    pub fn new(status: StatusCode, headers: HeaderMap, mut body: Vec<u8>) -> Self {
        let request_id = request_id_from_headers(&headers).map(str::to_owned).or_else(|| request_id_from_body(&body));
        let truncated = body.len() > MAX_KEPT_BODY_BYTES;
        if truncated {
            body.truncate(MAX_KEPT_BODY_BYTES);
            body.shrink_to_fit();
        }
        ResponseInfo { status, headers, body, truncated, request_id }
    }

    /// The body as received (at most its first 64 KiB).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Whether the body was longer than what is kept.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The request id from a response header or, failing that, a
    /// `request_id` / `requestId` field of a JSON body (top level or one
    /// level deep).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// Whether a request id is worth reporting (short, printable).
fn plausible_request_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN && !id.chars().any(char::is_control)
}

pub(super) fn request_id_from_headers(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        headers.get(*name).and_then(|value| value.to_str().ok()).map(str::trim).filter(|id| plausible_request_id(id))
    })
}

fn request_id_from_body(body: &[u8]) -> Option<String> {
    if body.len() > MAX_REQUEST_ID_SCAN_BYTES || body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let ::serde_json::Value::Object(object) = ::serde_json::from_slice(body).ok()? else {
        return None;
    };
    let field = |object: &::serde_json::Map<String, ::serde_json::Value>| {
        REQUEST_ID_FIELDS.iter().find_map(|name| {
            object
                .get(*name)
                .and_then(::serde_json::Value::as_str)
                .filter(|id| plausible_request_id(id))
                .map(str::to_owned)
        })
    };
    field(&object).or_else(|| {
        object.values().find_map(|value| match value {
            ::serde_json::Value::Object(inner) => field(inner),
            _ => None,
        })
    })
}

/// What `.await`ing an operation's request builder runs: the call, boxed so the builder can
/// name it.
pub type CallFuture<'a, T, E> =
    ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Result<ApiResponse<T>, super::Error<E>>> + Send + 'a>>;
