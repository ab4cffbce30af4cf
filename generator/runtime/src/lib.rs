//! Support code shared by the generated client: [`ClientBuilder`] with its
//! [`RetryPolicy`] and [`Hook`]s, per-call [`RequestOptions`], a call's future ([`Call`]), what
//! a call returns ([`ApiResponse`], [`ResponseInfo`]), how it fails ([`Error`]), and
//! [`Nullable`] for fields that can be left out, cleared or set.

// How it works: generated code builds a `Request` per call and hands it to
// `Core::send` with a `Decoder` that maps a status and body to the operation's
// documented success or error type, and gets back the call's future, `Call`; everything else
// (base URL, credentials, timeouts, retries, redirects, body limits) lives in `Core`, built
// once by `ClientBuilder`, and in `Call`. Each concern has its own file. The optional parts
// (`events`, `multipart`, `paging`) are gated by cargo features here and written into a
// generated crate only when its API uses them. The `tracing` feature (a span per call) and the
// `mock` feature (what the typed mock server is built on) stay cargo features of every
// generated crate.

#![forbid(unsafe_code)]

mod call;
mod config;
mod error;
#[cfg(feature = "streaming")]
mod events;
mod fields;
mod headers;
mod hooks;
#[cfg(feature = "mock")]
mod mock;
#[cfg(feature = "multipart")]
mod multipart;
mod nullable;
mod oauth2;
#[cfg(feature = "paging")]
mod paging;
mod request;
mod response;
mod security;
mod send;

// What callers of a generated client use.
pub use call::Call;
pub use config::{BuildError, ClientBuilder, RequestOptions, RetryPolicy, same_origin_redirects};
pub use error::Error;
#[cfg(feature = "streaming")]
pub use events::{ByteStream, Event, EventStream, ItemStream, StreamError};
pub use hooks::{CallInfo, Hook, HookError, HookFuture};
#[cfg(feature = "multipart")]
pub use multipart::FilePart;
pub use nullable::Nullable;
pub use oauth2::TokenError;
#[cfg(feature = "paging")]
pub use paging::{DEFAULT_MAX_PAGES, Items, Pages};
pub use response::{ApiResponse, CallFuture, DecodeError, ResponseInfo};

// What generated code calls: public so that it can, hidden from the docs because callers never
// need it.
#[cfg(feature = "streaming")]
#[doc(hidden)]
pub use events::{EventParser, RawEvent};
#[doc(hidden)]
pub use fields::{FieldSeed, Skip};
#[allow(unused_imports)]
pub(crate) use fields::{serde_enum, serde_struct};
#[doc(hidden)]
pub use headers::{header, required_header, with_headers};
#[cfg(feature = "mock")]
#[doc(hidden)]
pub use mock::MockCall;
#[cfg(feature = "mock")]
#[allow(unused_imports)]
pub(crate) use mock::mock_methods;
#[cfg(feature = "multipart")]
#[doc(hidden)]
pub use multipart::{Multipart, MultipartForm};
#[cfg(feature = "paging")]
#[doc(hidden)]
pub use paging::{FetchPage, Paging, next_link};
#[doc(hidden)]
pub use request::{
    NextPage, PathStyle, QueryStyle, Request, encode_path_segment, path_segment, path_value, serialize_tagged,
};
#[doc(hidden)]
pub use response::{
    Decoder, Outcome, decode_json, decode_text, err, err_json, err_text, media_is, ok, ok_bytes, ok_bytes_as, ok_json,
    ok_json_as, ok_text, ok_text_as,
};
#[doc(hidden)]
pub use security::{ApiKeyLocation, SchemeKind, Secret, SecurityScheme};
#[doc(hidden)]
pub use send::Core;
