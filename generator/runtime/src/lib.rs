//! Runtime support for generated API clients: configuration, authentication,
//! request sending with retries, response decoding and typed errors.
//!
//! This file is hand-written and copied into every generated client crate as
//! `src/runtime.rs`, so it must work both as a crate root and as a module: it
//! never uses `crate::` paths and names external crates with absolute paths
//! (`::reqwest::`, `::serde::`, `::std::`). Code between `// @section NAME`
//! and `// @end-section` lines is left out of crates whose API does not use
//! it (the marker lines themselves are never copied).
//!
//! The generated code builds a [`Request`] per call and hands it to
//! [`Core::send`] together with a [`Decoder`] that maps a status code and body
//! to the operation's documented success or error type. Everything else
//! (base URL, credentials, timeouts, retries, body size limits) lives in
//! [`Core`], which is built once with [`ClientBuilder`].

#![forbid(unsafe_code)]

use ::std::borrow::Cow;
use ::std::fmt;
use ::std::sync::Arc;
use ::std::time::{Duration, SystemTime};

use ::reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use ::reqwest::{Method, StatusCode, Url};

/// Default per-attempt timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout, used when this runtime builds the HTTP client.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most redirects followed for one attempt (all within the base URL's origin).
const MAX_REDIRECTS: usize = 10;
/// Default limit on the size of a response body.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
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

// ---------------------------------------------------------------------------
// Security schemes and secrets
// ---------------------------------------------------------------------------

/// How an operation's security requirement is satisfied: one entry of the
/// spec's `components.securitySchemes`.
#[derive(Clone, Copy, Debug)]
pub struct SecurityScheme {
    /// The scheme's name in the spec; operations refer to schemes by it.
    pub name: &'static str,
    /// What kind of credential the scheme takes and where it is sent.
    pub kind: SchemeKind,
}

/// The kind of a [`SecurityScheme`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// HTTP bearer authentication: `Authorization: Bearer <token>`.
    Bearer,
    /// HTTP basic authentication with a username and password.
    Basic,
    /// An API key sent in a header, a query parameter or a cookie.
    ApiKey {
        /// Where the key is sent.
        location: ApiKeyLocation,
        /// The header, query parameter or cookie name.
        name: &'static str,
    },
}

/// Where an API key is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// In a request header.
    Header,
    /// In a query parameter.
    Query,
    /// In the `Cookie` header.
    Cookie,
}

/// A secret that never appears in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself; do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// A credential as given to [`ClientBuilder`].
#[derive(Clone)]
enum Credential {
    /// A bearer token or an API key.
    Token(Secret),
    /// A username and password for HTTP basic authentication.
    Basic { username: Secret, password: Secret },
}

/// A credential checked against its scheme and ready to be applied.
#[derive(Clone)]
struct ResolvedCredential {
    scheme: &'static str,
    apply: Apply,
}

/// Where a resolved credential goes in a request.
#[derive(Clone)]
enum Apply {
    /// A header with a sensitive value (`Authorization` or an API key header).
    Header(HeaderName, HeaderValue),
    /// A query parameter.
    Query(&'static str, Secret),
    /// A cookie; the value has been checked to contain only cookie octets.
    Cookie(&'static str, Secret),
}

// ---------------------------------------------------------------------------
// Client configuration
// ---------------------------------------------------------------------------

/// Retry behaviour for failed attempts.
///
/// Retries use exponential backoff with jitter (each delay is between 50% and
/// 100% of `initial_backoff * 2^retry`, capped at `max_backoff`) on `429`,
/// `502`, `503`, `504` and connection failures. A `Retry-After` header
/// (seconds or HTTP date) replaces the computed delay. When the next delay
/// would take the total time slept past `max_total_delay`, retrying stops and
/// the last response or error is returned.
///
/// Idempotent methods (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`, `TRACE`)
/// are retried on all of the above. Other methods are retried only when the
/// server provably did not process the request: `429`, `503` with
/// `Retry-After`, or a failure to connect; unless `retry_non_idempotent` is
/// set.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2, so at most 3 attempts).
    pub max_retries: u32,
    /// Delay before the first retry, before jitter (default 500 ms).
    pub initial_backoff: Duration,
    /// Upper bound on a computed delay (default 8 s).
    pub max_backoff: Duration,
    /// Upper bound on the total time spent waiting between attempts (default 30 s).
    pub max_total_delay: Duration,
    /// Retry non-idempotent methods like idempotent ones (default false).
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_total_delay: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }

    /// Sets [`RetryPolicy::max_retries`].
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets [`RetryPolicy::initial_backoff`].
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets [`RetryPolicy::max_backoff`].
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets [`RetryPolicy::max_total_delay`].
    pub fn with_max_total_delay(mut self, delay: Duration) -> Self {
        self.max_total_delay = delay;
        self
    }

    /// Sets [`RetryPolicy::retry_non_idempotent`].
    pub fn with_retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// The delay before retry number `retry` (0-based), before jitter.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.initial_backoff.checked_mul(factor).unwrap_or(Duration::MAX).min(self.max_backoff)
    }
}

/// Per-call overrides, applied with [`Core::with_options`]. Its `Debug`
/// output names the headers but never prints their values.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// Per-attempt timeout instead of the client's.
    pub timeout: Option<Duration>,
    /// Retry policy instead of the client's.
    pub retry: Option<RetryPolicy>,
    /// Extra headers; they replace default headers of the same name. Checked
    /// when the request is sent.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("headers", &RedactedMap(self.headers.iter().map(|(name, _)| name.as_str()).collect()))
            .finish()
    }
}

impl RequestOptions {
    /// Options that change nothing.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// Sets [`RequestOptions::timeout`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets [`RequestOptions::retry`].
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Adds one header to [`RequestOptions::headers`].
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Why [`ClientBuilder::build_core`] failed.
#[derive(Debug, ::thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL is not an absolute `http`/`https` URL without query,
    /// fragment or embedded credentials.
    #[error("invalid base url: {reason}")]
    InvalidBaseUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// A default header (or the user agent) has an invalid name or value.
    #[error("invalid default header {name:?}: {reason}")]
    InvalidHeader {
        /// The header name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A credential was given for a scheme the API does not define.
    #[error("credential given for unknown security scheme {scheme:?} (known schemes: {known})")]
    UnknownScheme {
        /// The scheme name as given.
        scheme: String,
        /// The schemes the API defines.
        known: String,
    },
    /// A token was given for a basic scheme, or a username and password for
    /// another kind of scheme.
    #[error("security scheme {scheme:?} expects {expected}")]
    WrongCredentialKind {
        /// The scheme name.
        scheme: String,
        /// What the scheme expects.
        expected: &'static str,
    },
    /// A credential cannot be sent as the scheme requires (for example it
    /// contains a line break).
    #[error("invalid credential for security scheme {scheme:?}: {reason}")]
    InvalidCredential {
        /// The scheme name.
        scheme: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP client could not be built.
    #[error("failed to build the http client")]
    HttpClient(#[source] ::reqwest::Error),
}

/// Configures and builds a [`Core`].
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    schemes: &'static [SecurityScheme],
    credentials: Vec<(&'static str, Credential)>,
    http_client: Option<::reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
    max_response_bytes: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &RedactedMap(self.credentials.iter().map(|(name, _)| *name).collect()))
            .field("custom_http_client", &self.http_client.is_some())
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field(
                "default_headers",
                &RedactedMap(self.default_headers.iter().map(|(name, _)| name.as_str()).collect()),
            )
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientBuilder {
    /// Starts a builder for an API whose default server is `default_base_url`
    /// and whose security schemes are `schemes`.
    pub fn new(default_base_url: &str, schemes: &'static [SecurityScheme]) -> Self {
        ClientBuilder {
            base_url: default_base_url.to_owned(),
            schemes,
            credentials: Vec::new(),
            http_client: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: None,
            default_headers: Vec::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Sends requests to this base URL instead of the default one. It may
    /// have a path (`https://host/api/v1`, with or without trailing slash);
    /// operation paths are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the token of a bearer scheme or the key of an API key scheme;
    /// `scheme` is the scheme's name in the spec.
    pub fn credential(mut self, scheme: &'static str, secret: impl Into<String>) -> Self {
        self.set_credential(scheme, Credential::Token(Secret(secret.into())));
        self
    }

    /// Sets the username and password of a basic scheme.
    pub fn basic_credential(
        mut self,
        scheme: &'static str,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        let credential = Credential::Basic { username: Secret(username.into()), password: Secret(password.into()) };
        self.set_credential(scheme, credential);
        self
    }

    fn set_credential(&mut self, scheme: &'static str, credential: Credential) {
        self.credentials.retain(|(name, _)| *name != scheme);
        self.credentials.push((scheme, credential));
    }

    /// Uses the caller's own HTTP client. Its connect timeout and user agent
    /// are kept: [`ClientBuilder::connect_timeout`] has no effect, and a user
    /// agent set with [`ClientBuilder::user_agent`] is sent as a header.
    ///
    /// Its redirect policy is kept too. Build it with
    /// `.redirect(`[`same_origin_redirects`]`())` so that credentials and
    /// headers this client adds never follow a redirect to another host:
    /// reqwest's default policy strips only `Authorization` and cookies.
    pub fn http_client(mut self, client: ::reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Timeout for each attempt, from connecting until the whole response
    /// body is read (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout for establishing a connection (default 10 s). Only used when
    /// this builder creates the HTTP client.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the `User-Agent` (default `<crate name>/<crate version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Adds a header sent with every request. Operation headers and
    /// per-call headers of the same name replace it.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Largest response body accepted, in bytes (default 32 MiB). Larger
    /// bodies fail with [`Error::BodyTooLarge`] without being buffered.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Checks the configuration and builds the [`Core`].
    pub fn build_core(self) -> Result<Core, BuildError> {
        let base_url = normalise_base_url(&self.base_url)?;

        let mut credentials = Vec::with_capacity(self.credentials.len());
        for (scheme_name, credential) in &self.credentials {
            credentials.push(resolve_credential(self.schemes, scheme_name, credential)?);
        }

        let mut default_headers = HeaderMap::new();
        for (name, value) in &self.default_headers {
            let (name, value) =
                parse_header(name, value).map_err(|reason| BuildError::InvalidHeader { name: name.clone(), reason })?;
            default_headers.append(name, value);
        }

        let user_agent = match &self.user_agent {
            Some(ua) => Some(ua.as_str()),
            None if self.http_client.is_none() => Some(DEFAULT_USER_AGENT),
            // The caller's client keeps its own user agent.
            None => None,
        };
        let user_agent = user_agent
            .map(|ua| {
                HeaderValue::from_str(ua).map_err(|_| BuildError::InvalidHeader {
                    name: "user-agent".to_owned(),
                    reason: "value contains control characters such as CR or LF",
                })
            })
            .transpose()?;

        let client = match self.http_client {
            Some(client) => {
                // An explicit `user-agent` default header wins.
                if let Some(ua) = user_agent {
                    default_headers.entry(::reqwest::header::USER_AGENT).or_insert(ua);
                }
                client
            }
            None => {
                let mut builder = ::reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .redirect(same_origin_redirects());
                if let Some(ua) = user_agent {
                    builder = builder.user_agent(ua);
                }
                builder.build().map_err(BuildError::HttpClient)?
            }
        };

        Ok(Core {
            shared: Arc::new(Shared {
                client,
                base_url,
                credentials,
                default_headers,
                max_response_bytes: self.max_response_bytes,
            }),
            timeout: self.timeout,
            retry: self.retry,
            extra_headers: Arc::new(Vec::new()),
        })
    }
}

/// The redirect policy of the HTTP client the builder makes: a redirect
/// within the origin (scheme, host and port) of the request is followed, at
/// most 10 in a row; a redirect to any other origin is not followed, and the
/// call returns the 3xx response (an [`Error::UnexpectedStatus`] unless the
/// spec documents that status), whose `Location` header says where it
/// pointed. So no credential, default header or per-call header this client
/// sends can reach a host the caller did not choose. Give it to a client you
/// pass to [`ClientBuilder::http_client`].
pub fn same_origin_redirects() -> ::reqwest::redirect::Policy {
    ::reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().first().is_none_or(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

/// `<crate name>/<crate version>`; in a generated crate this is the
/// generated crate's name and version.
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Parses and checks a base URL; returns it without a trailing slash.
fn normalise_base_url(raw: &str) -> Result<String, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidBaseUrl { reason: reason.to_owned() };
    let url =
        Url::parse(raw.trim()).map_err(|err| BuildError::InvalidBaseUrl { reason: err.to_string().to_lowercase() })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(invalid("the url has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("the url must not contain credentials; configure them as security scheme credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the url must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Checks a credential against its scheme and prepares it for sending.
fn resolve_credential(
    schemes: &'static [SecurityScheme],
    scheme_name: &'static str,
    credential: &Credential,
) -> Result<ResolvedCredential, BuildError> {
    let scheme = schemes.iter().find(|scheme| scheme.name == scheme_name).ok_or_else(|| BuildError::UnknownScheme {
        scheme: scheme_name.to_owned(),
        known: if schemes.is_empty() {
            "none".to_owned()
        } else {
            schemes.iter().map(|scheme| scheme.name).collect::<Vec<_>>().join(", ")
        },
    })?;
    let invalid = |reason: &'static str| BuildError::InvalidCredential { scheme: scheme_name.to_owned(), reason };
    let sensitive_value = |value: String| {
        let mut value =
            HeaderValue::from_str(&value).map_err(|_| invalid("it contains control characters such as CR or LF"))?;
        value.set_sensitive(true);
        Ok(value)
    };
    let apply = match (scheme.kind, credential) {
        (SchemeKind::Bearer, Credential::Token(token)) => {
            Apply::Header(::reqwest::header::AUTHORIZATION, sensitive_value(format!("Bearer {}", token.expose()))?)
        }
        (SchemeKind::Basic, Credential::Basic { username, password }) => {
            if username.expose().contains(':') {
                return Err(invalid("the username contains ':'"));
            }
            let pair = format!("{}:{}", username.expose(), password.expose());
            Apply::Header(
                ::reqwest::header::AUTHORIZATION,
                sensitive_value(format!(
                    "Basic {}",
                    ::base64::Engine::encode(&::base64::engine::general_purpose::STANDARD, pair)
                ))?,
            )
        }
        (SchemeKind::ApiKey { location, name }, Credential::Token(key)) => match location {
            ApiKeyLocation::Header => {
                let header = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| invalid("the scheme's header name is not a valid header name"))?;
                Apply::Header(header, sensitive_value(key.expose().to_owned())?)
            }
            ApiKeyLocation::Query => Apply::Query(name, key.clone()),
            ApiKeyLocation::Cookie => {
                if !is_cookie_name(name) {
                    return Err(invalid("the scheme's cookie name is not a valid cookie name"));
                }
                if !key.expose().bytes().all(is_cookie_octet) {
                    return Err(invalid(
                        "a cookie value may not contain spaces, quotes, commas, semicolons, backslashes or control characters",
                    ));
                }
                Apply::Cookie(name, key.clone())
            }
        },
        (SchemeKind::Basic, Credential::Token(_)) => {
            return Err(BuildError::WrongCredentialKind {
                scheme: scheme_name.to_owned(),
                expected: "a username and password (use basic_credential)",
            });
        }
        (_, Credential::Basic { .. }) => {
            return Err(BuildError::WrongCredentialKind {
                scheme: scheme_name.to_owned(),
                expected: "a single token or key (use credential)",
            });
        }
    };
    Ok(ResolvedCredential { scheme: scheme_name, apply })
}

/// RFC 6265 `cookie-octet`.
fn is_cookie_octet(byte: u8) -> bool {
    matches!(byte, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// RFC 7230 `token`, as required for cookie names.
fn is_cookie_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// Parses a header name and value, explaining what is wrong without
/// repeating the value.
fn parse_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), &'static str> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| "not a valid header name")?;
    let value = HeaderValue::from_str(value).map_err(|_| "value contains control characters such as CR or LF")?;
    Ok((name, value))
}

/// Formats names as a map whose values are all `***`.
struct RedactedMap<'a>(Vec<&'a str>);

impl fmt::Debug for RedactedMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().map(|name| (name, "***"))).finish()
    }
}

// ---------------------------------------------------------------------------
// Core: sending requests
// ---------------------------------------------------------------------------

/// Configured client state shared by every clone of a [`Core`].
struct Shared {
    client: ::reqwest::Client,
    /// Absolute URL without trailing slash.
    base_url: String,
    credentials: Vec<ResolvedCredential>,
    default_headers: HeaderMap,
    max_response_bytes: usize,
}

/// A configured client: sends [`Request`]s built by generated code. Cheap to
/// clone.
#[derive(Clone)]
pub struct Core {
    shared: Arc<Shared>,
    timeout: Duration,
    retry: RetryPolicy,
    /// Per-call headers from [`Core::with_options`], checked at send time.
    extra_headers: Arc<Vec<(String, String)>>,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("base_url", &self.shared.base_url)
            .field("credentials", &RedactedMap(self.shared.credentials.iter().map(|c| c.scheme).collect()))
            .field(
                "default_headers",
                &RedactedMap(self.shared.default_headers.keys().map(HeaderName::as_str).collect()),
            )
            .field("extra_headers", &RedactedMap(self.extra_headers.iter().map(|(name, _)| name.as_str()).collect()))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.shared.max_response_bytes)
            .finish()
    }
}

impl Core {
    /// The base URL requests are sent to, without trailing slash.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// A copy of this core whose requests use these overrides (per-call
    /// timeout, retry policy, extra headers). Headers add to any set by an
    /// earlier `with_options`.
    pub fn with_options(&self, options: RequestOptions) -> Core {
        let mut core = self.clone();
        if let Some(timeout) = options.timeout {
            core.timeout = timeout;
        }
        if let Some(retry) = options.retry {
            core.retry = retry;
        }
        if !options.headers.is_empty() {
            let mut headers = (*self.extra_headers).clone();
            headers.extend(options.headers);
            core.extra_headers = Arc::new(headers);
        }
        core
    }

    /// Sends a request, retrying as the retry policy allows, reads the body
    /// and decodes it with `decode`.
    pub async fn send<T, E>(&self, request: Request, decode: Decoder<T, E>) -> Result<ApiResponse<T>, Error<E>> {
        let mut prepared = self.prepare(request, false).map_err(Fault::into_error)?;
        let response = self.execute(&mut prepared).await.map_err(Fault::into_error)?;
        let raw = self.read_body(response).await.map_err(Fault::into_error)?;
        finish(raw, decode)
    }

    // @section streaming
    /// Like [`Core::send`], but a success (2xx) response's body is not read:
    /// `open` turns it into a [`ByteStream`]-backed value (for example
    /// [`EventStream::json`]) that the caller reads as data arrives. Other
    /// statuses are read and decoded with `decode` as in [`Core::send`].
    ///
    /// The client's timeout applies to each attempt until the response
    /// headers arrive and, on the stream, to each wait for more data.
    pub async fn send_stream<T, E>(
        &self,
        request: Request,
        open: fn(ByteStream) -> T,
        decode: Decoder<T, E>,
    ) -> Result<ApiResponse<T>, Error<E>> {
        let mut prepared = self.prepare(request, true).map_err(Fault::into_error)?;
        let mut response = self.execute(&mut prepared).await.map_err(Fault::into_error)?;
        let status = response.status();
        if status.is_success() {
            let headers = ::std::mem::take(response.headers_mut());
            let stream =
                ByteStream { response, idle_timeout: self.timeout, max_event_bytes: self.shared.max_response_bytes };
            return Ok(ApiResponse { status, headers, body: open(stream) });
        }
        let raw = ::tokio::time::timeout(self.timeout, self.read_body(response))
            .await
            .unwrap_or(Err(Fault::Timeout))
            .map_err(Fault::into_error)?;
        finish(raw, decode)
    }

    /// [`Core::send_stream`] for a `text/event-stream` response: asks for one
    /// with `Accept: text/event-stream` unless the request already has an
    /// `Accept` header.
    pub async fn send_events<T, E>(
        &self,
        mut request: Request,
        open: fn(ByteStream) -> EventStream<T>,
        decode: Decoder<EventStream<T>, E>,
    ) -> Result<ApiResponse<EventStream<T>>, Error<E>> {
        if !request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept")) {
            request.header("accept", "text/event-stream");
        }
        self.send_stream(request, open, decode).await
    }

    // @end-section
    /// The first security alternative whose schemes all have credentials.
    fn select_credentials(&self, security: &'static [&'static [&'static str]]) -> Option<Vec<&ResolvedCredential>> {
        if security.is_empty() {
            return Some(Vec::new());
        }
        security.iter().find_map(|alternative| {
            alternative.iter().map(|name| self.shared.credentials.iter().find(|cred| cred.scheme == *name)).collect()
        })
    }

    /// Builds everything that is sent, identically, on each attempt. A
    /// streaming request gets no total timeout: [`Core::execute`] bounds the
    /// wait for the response headers instead.
    fn prepare(&self, request: Request, streaming: bool) -> Result<Prepared, Fault> {
        let operation = request.operation_id;
        let invalid = |reason: String| Fault::InvalidRequest { operation, reason };
        if let Some(reason) = &request.invalid {
            return Err(invalid(reason.clone()));
        }
        let credentials = self
            .select_credentials(request.security)
            .ok_or_else(|| Fault::MissingCredentials { operation, schemes: describe_security(request.security) })?;

        check_path(&request.path).map_err(invalid)?;
        let mut url = Url::parse(&format!("{}{}", self.shared.base_url, request.path))
            .map_err(|err| invalid(format!("cannot build the url: {err}")))?;
        let query_credentials: Vec<(&str, &Secret)> = credentials
            .iter()
            .filter_map(|cred| match &cred.apply {
                Apply::Query(name, secret) => Some((*name, secret)),
                _ => None,
            })
            .collect();
        if !request.query.is_empty() || !query_credentials.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
            for (name, secret) in query_credentials {
                pairs.append_pair(name, secret.expose());
            }
        }

        // Layers, each replacing headers of the same name set by the ones
        // before: defaults, per-call options, operation headers, credentials.
        let mut headers = self.shared.default_headers.clone();
        let mut layer = HeaderMap::new();
        for (name, value) in self.extra_headers.iter() {
            let (name, value) =
                parse_header(name, value).map_err(|reason| invalid(format!("header {name:?}: {reason}")))?;
            layer.append(name, value);
        }
        headers.extend(layer);

        let mut layer = HeaderMap::new();
        for (name, value) in &request.headers {
            let (name, value) =
                parse_header(name, value).map_err(|reason| invalid(format!("header {name:?}: {reason}")))?;
            layer.append(name, value);
        }
        if let Some(content_type) = &request.content_type {
            let value = HeaderValue::from_str(content_type).map_err(|_| invalid("invalid content type".to_owned()))?;
            layer.insert(::reqwest::header::CONTENT_TYPE, value);
        }
        headers.extend(layer);

        let mut cookies: Vec<String> = headers
            .get_all(::reqwest::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect();
        cookies.extend(request.cookies.iter().map(|(name, value)| format!("{name}={value}")));
        let mut sensitive_cookie = false;
        for cred in &credentials {
            match &cred.apply {
                Apply::Header(name, value) => {
                    headers.insert(name.clone(), value.clone());
                }
                Apply::Cookie(name, secret) => {
                    sensitive_cookie = true;
                    cookies.push(format!("{name}={}", secret.expose()));
                }
                Apply::Query(..) => {}
            }
        }
        if !cookies.is_empty() {
            let mut value =
                HeaderValue::from_str(&cookies.join("; ")).map_err(|_| invalid("invalid cookie".to_owned()))?;
            value.set_sensitive(sensitive_cookie);
            headers.insert(::reqwest::header::COOKIE, value);
        }

        let mut template = ::reqwest::Request::new(request.method, url);
        *template.headers_mut() = headers;
        *template.body_mut() = request.body;
        if !streaming {
            *template.timeout_mut() = Some(self.timeout);
        }
        Ok(Prepared { template: Some(template), streaming, operation })
    }

    /// Sends the request until it succeeds or the retry policy gives up, and
    /// returns the last response with its body unread.
    async fn execute(&self, prepared: &mut Prepared) -> Result<::reqwest::Response, Fault> {
        let policy = &self.retry;
        let replay_safe = prepared.method().is_some_and(is_idempotent) || policy.retry_non_idempotent;
        // A streamed request body can be sent once only.
        let max_retries = if prepared.replayable() { policy.max_retries } else { 0 };
        let mut retries = 0u32;
        let mut slept = Duration::ZERO;
        loop {
            let may_retry = retries < max_retries;
            let attempt = prepared.attempt().ok_or_else(|| Fault::InvalidRequest {
                operation: prepared.operation,
                reason: "the request body cannot be sent again".to_owned(),
            })?;
            let sent = if prepared.streaming {
                match ::tokio::time::timeout(self.timeout, self.shared.client.execute(attempt)).await {
                    Ok(sent) => sent,
                    Err(_) => return Err(Fault::Timeout),
                }
            } else {
                self.shared.client.execute(attempt).await
            };
            let delay = match sent {
                Err(err) => {
                    // A connect failure means nothing was sent. Other request
                    // failures (e.g. a reset keep-alive connection) may have
                    // reached the server, so only replay-safe requests retry.
                    let retryable = err.is_connect() || (replay_safe && err.is_request() && !err.is_timeout());
                    match policy_delay(policy, retries, slept, may_retry && retryable, None) {
                        Some(delay) => delay,
                        None => return Err(Fault::Transport(err.without_url())),
                    }
                }
                Ok(response) => {
                    let status = response.status();
                    let retry_after = parse_retry_after(response.headers());
                    let retryable = match status.as_u16() {
                        429 => true,
                        503 => replay_safe || retry_after.is_some(),
                        502 | 504 => replay_safe,
                        _ => false,
                    };
                    match policy_delay(policy, retries, slept, may_retry && retryable, retry_after) {
                        Some(delay) => delay,
                        None => return Ok(response),
                    }
                }
            };
            if !delay.is_zero() {
                ::tokio::time::sleep(delay).await;
            }
            slept += delay;
            retries += 1;
        }
    }

    /// Reads a response body, failing as soon as it exceeds the limit.
    async fn read_body(&self, mut response: ::reqwest::Response) -> Result<RawResponse, Fault> {
        let status = response.status();
        let limit = self.shared.max_response_bytes;
        let too_large = Fault::BodyTooLarge { status, limit };
        let announced = response.content_length();
        if announced.is_some_and(|len| len > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Err(too_large);
        }
        let headers = ::std::mem::take(response.headers_mut());
        let initial = announced.and_then(|len| usize::try_from(len).ok()).unwrap_or(0).min(limit);
        let mut body = Vec::with_capacity(initial);
        while let Some(chunk) = response.chunk().await.map_err(|err| Fault::Transport(err.without_url()))? {
            let needed = match body.len().checked_add(chunk.len()) {
                Some(needed) if needed <= limit => needed,
                _ => return Err(too_large),
            };
            if needed > body.capacity() {
                // Grow geometrically, but never past the limit.
                let target = body.capacity().saturating_mul(2).max(needed).min(limit);
                body.reserve_exact(target - body.len());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { status, headers, body })
    }
}

/// Decodes a fully read response with the operation's decoder.
// The error is the one `Core::send` returns, unboxed by design.
#[allow(clippy::result_large_err)]
fn finish<T, E>(raw: RawResponse, decode: Decoder<T, E>) -> Result<ApiResponse<T>, Error<E>> {
    match decode(raw.status, &raw.body) {
        Some(Ok(Outcome::Success(body))) => Ok(ApiResponse { status: raw.status, headers: raw.headers, body }),
        Some(Ok(Outcome::Failure(body))) => {
            Err(Error::Api { body, response: ResponseInfo::new(raw.status, raw.headers, raw.body) })
        }
        Some(Err(source)) => {
            Err(Error::Decode { response: ResponseInfo::new(raw.status, raw.headers, raw.body), source })
        }
        None => Err(Error::UnexpectedStatus(ResponseInfo::new(raw.status, raw.headers, raw.body))),
    }
}

/// The delay before the next attempt, or `None` to stop retrying.
fn policy_delay(
    policy: &RetryPolicy,
    retries: u32,
    slept: Duration,
    retryable: bool,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    if !retryable {
        return None;
    }
    // `Retry-After` can lengthen the backoff but never shorten it, so a server
    // answering `Retry-After: 0` does not get every retry back to back.
    let backoff = jitter(policy.backoff(retries));
    let delay = retry_after.map_or(backoff, |after| after.max(backoff));
    let total = slept.checked_add(delay)?;
    (total <= policy.max_total_delay).then_some(delay)
}

/// A random duration between 50% and 100% of `backoff`.
fn jitter(backoff: Duration) -> Duration {
    use ::std::hash::BuildHasher;
    let nanos = u64::try_from(backoff.as_nanos()).unwrap_or(u64::MAX);
    let half = nanos / 2;
    // No `rand` dependency: every `RandomState` gets fresh random keys, so
    // hashing anything with a new one yields a random number, which is all
    // jitter needs.
    let random = ::std::collections::hash_map::RandomState::new().hash_one(nanos);
    Duration::from_nanos(half + random % (nanos - half + 1))
}

/// The delay a `Retry-After` header asks for (delta seconds or HTTP date).
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(::reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = ::httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

fn is_idempotent(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS, Method::TRACE].contains(method)
}

/// Rejects paths the URL parser would rewrite: dot segments (also
/// percent-encoded ones, which the WHATWG URL parser treats as dots), and
/// characters it strips or reinterprets.
fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err("the path must start with '/'".to_owned());
    }
    if path.contains(EMPTY_SEGMENT) {
        return Err("a path parameter may not be empty".to_owned());
    }
    if path.chars().any(|c| c.is_control() || matches!(c, '?' | '#' | '\\')) {
        return Err(
            "the path contains a character that must be percent-encoded (?, #, \\ or a control character)".to_owned()
        );
    }
    for segment in path.split('/') {
        let lower = segment.to_ascii_lowercase();
        if matches!(lower.as_str(), "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e.") {
            return Err("a path parameter may not be \".\" or \"..\"".to_owned());
        }
    }
    Ok(())
}

/// Describes security alternatives for [`Error::MissingCredentials`], e.g.
/// `bearer or (api_key and basic)`.
fn describe_security(security: &[&[&str]]) -> String {
    let several = security.len() > 1;
    security
        .iter()
        .map(|set| match set.len() {
            0 => "no credentials".to_owned(),
            1 => set.join(""),
            _ if several => format!("({})", set.join(" and ")),
            _ => set.join(" and "),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// What is sent on every attempt.
struct Prepared {
    /// The request; `None` once a streamed body has been sent.
    template: Option<::reqwest::Request>,
    /// Whether the response is streamed (no total timeout on the request).
    streaming: bool,
    operation: &'static str,
}

impl Prepared {
    fn method(&self) -> Option<&Method> {
        self.template.as_ref().map(::reqwest::Request::method)
    }

    /// Whether the body can be sent more than once (it is in memory, or there is none).
    fn replayable(&self) -> bool {
        self.template.as_ref().is_some_and(|request| request.body().is_none_or(|body| body.as_bytes().is_some()))
    }

    /// The request for the next attempt: a copy when the body allows it, else
    /// the request itself (once).
    fn attempt(&mut self) -> Option<::reqwest::Request> {
        match self.template.as_ref()?.try_clone() {
            Some(copy) => Some(copy),
            None => self.template.take(),
        }
    }
}

/// A fully read response, before decoding.
struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Failures that do not depend on the operation's error type.
enum Fault {
    Transport(::reqwest::Error),
    Timeout,
    MissingCredentials { operation: &'static str, schemes: String },
    InvalidRequest { operation: &'static str, reason: String },
    BodyTooLarge { status: StatusCode, limit: usize },
}

impl Fault {
    fn into_error<E>(self) -> Error<E> {
        match self {
            Fault::Transport(err) => Error::Transport(err),
            Fault::Timeout => Error::Timeout,
            Fault::MissingCredentials { operation, schemes } => Error::MissingCredentials { operation, schemes },
            Fault::InvalidRequest { operation, reason } => Error::InvalidRequest { operation, reason },
            Fault::BodyTooLarge { status, limit } => Error::BodyTooLarge { status, limit },
        }
    }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// Percent-encodes one path segment: everything except RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) is encoded, and a segment that is
/// exactly `.` or `..` is encoded as `%2E` / `%2E%2E`.
///
/// Note that URL parsers treat `%2E%2E` as `..`, so [`Core::send`] rejects a
/// path containing such a segment with [`Error::InvalidRequest`] rather than
/// let it climb the path.
///
/// ```text
/// encode_path_segment("../admin?x=1#y") == "..%2Fadmin%3Fx%3D1%23y"
/// ```
pub fn encode_path_segment(value: &str) -> String {
    const SEGMENT: &::percent_encoding::AsciiSet =
        &::percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    match value {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => ::percent_encoding::utf8_percent_encode(value, SEGMENT).to_string(),
    }
}

/// What an empty path parameter puts in the path. No URL holds a raw NUL,
/// and [`Core::send`] refuses a path that holds one with
/// [`Error::InvalidRequest`]: `/calls/{id}` with an empty `id` must not
/// become `/calls/`, which names the collection.
const EMPTY_SEGMENT: &str = "\0";

/// [`encode_path_segment`] of a value's `Display` text: how generated code puts a scalar path
/// parameter (`style: simple`) into the path. An empty value is refused when the request is
/// sent.
pub fn path_segment(value: impl fmt::Display) -> String {
    let text = value.to_string();
    if text.is_empty() { EMPTY_SEGMENT.to_owned() } else { encode_path_segment(&text) }
}

/// The `style` of a path parameter that is not a plain scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    /// `style: simple` (the default): `1,2,3`; objects `k,v,k2,v2`, or
    /// `k=v,k2=v2` with `explode`.
    Simple,
    /// `style: label`: `.1,2,3`, or `.1.2.3` with `explode`.
    Label,
    /// `style: matrix`: `;id=1,2,3`, or `;id=1;id=2;id=3` with `explode`.
    Matrix,
}

/// A path parameter of any serialisable type (arrays, objects, or scalars
/// in `label` or `matrix` style), written by its `style` and `explode` as
/// OpenAPI defines them. Every element, key and value is percent-encoded as
/// one segment's content, so a `,` or `/` inside a value cannot be taken for
/// a separator. An empty `simple` value is refused when the request is sent,
/// like an empty [`path_segment`].
pub fn path_value<T: ::serde::Serialize + ?Sized>(name: &str, value: &T, style: PathStyle, explode: bool) -> String {
    let value = ::serde_json::to_value(value).unwrap_or(::serde_json::Value::Null);
    let encode = |value: &::serde_json::Value| encode_path_segment(&query_text(value).unwrap_or_default());
    // (key, value) pairs: an array's items have no key, an object's members do.
    let members: Vec<(Option<String>, String)> = match &value {
        ::serde_json::Value::Array(items) => items.iter().map(|item| (None, encode(item))).collect(),
        ::serde_json::Value::Object(object) => {
            object.iter().map(|(key, item)| (Some(encode_path_segment(key)), encode(item))).collect()
        }
        ::serde_json::Value::Null => Vec::new(),
        scalar => vec![(None, encode(scalar))],
    };
    let name = encode_path_segment(name);
    let text = if explode {
        let (prefix, separator) = match style {
            PathStyle::Simple => ("", ","),
            PathStyle::Label => (".", "."),
            PathStyle::Matrix => (";", ";"),
        };
        let parts: Vec<String> = members
            .into_iter()
            .map(|(key, item)| match (key, style) {
                (Some(key), _) => format!("{key}={item}"),
                (None, PathStyle::Matrix) => format!("{name}={item}"),
                (None, _) => item,
            })
            .collect();
        match style {
            PathStyle::Matrix if parts.is_empty() => format!(";{name}"),
            _ => format!("{prefix}{}", parts.join(separator)),
        }
    } else {
        let flat: Vec<String> =
            members.into_iter().flat_map(|(key, item)| key.into_iter().chain(::std::iter::once(item))).collect();
        let joined = flat.join(",");
        match style {
            PathStyle::Simple => joined,
            PathStyle::Label => format!(".{joined}"),
            PathStyle::Matrix if joined.is_empty() => format!(";{name}"),
            PathStyle::Matrix => format!(";{name}={joined}"),
        }
    };
    if text.is_empty() { EMPTY_SEGMENT.to_owned() } else { text }
}

/// Characters percent-encoded in cookie values set with [`Request::cookie`].
const COOKIE_VALUE: &::percent_encoding::AsciiSet =
    &::percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'%').add(b',').add(b';').add(b'\\');

/// One operation call, built by generated code and sent with [`Core::send`].
pub struct Request {
    operation_id: &'static str,
    method: Method,
    path: String,
    security: &'static [&'static [&'static str]],
    query: Vec<(String, String)>,
    headers: Vec<(&'static str, String)>,
    cookies: Vec<(&'static str, String)>,
    body: Option<::reqwest::Body>,
    content_type: Option<String>,
    /// Why the request cannot be sent (e.g. the body failed to serialise).
    invalid: Option<String>,
}

/// How [`Request::query_object`] spreads an object over the query string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryStyle {
    /// `style: form`: one parameter per property (`explode`), or one
    /// comma-separated parameter.
    Form {
        /// Whether each property is its own parameter.
        explode: bool,
    },
    /// `style: deepObject`: `name[key]=value`.
    DeepObject,
}

/// A JSON value as query text: strings bare, `null` left out, arrays and
/// objects (which have no form spelling) as JSON.
fn query_text(value: &::serde_json::Value) -> Option<String> {
    match value {
        ::serde_json::Value::Null => None,
        ::serde_json::Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// `prefix[key]...=value` pairs for a value inside a `deepObject` parameter.
fn deep_object(prefix: &str, value: &::serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        ::serde_json::Value::Object(object) => {
            for (key, value) in object {
                deep_object(&format!("{prefix}[{key}]"), value, out);
            }
        }
        ::serde_json::Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                deep_object(&format!("{prefix}[{index}]"), value, out);
            }
        }
        scalar => {
            if let Some(text) = query_text(scalar) {
                out.push((prefix.to_owned(), text));
            }
        }
    }
}

impl fmt::Debug for Request {
    /// Shows names only: parameter values and the body may hold secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation_id", &self.operation_id)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("security", &self.security)
            .field("query", &self.query.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("headers", &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>())
            .field("cookies", &self.cookies.iter().map(|(n, _)| *n).collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().and_then(|body| body.as_bytes().map(<[u8]>::len)))
            .field("content_type", &self.content_type)
            .field("invalid", &self.invalid)
            .finish()
    }
}

impl Request {
    /// Starts a request. `path` is already expanded and encoded (see
    /// [`encode_path_segment`]) and starts with `/`; it is appended to the
    /// base URL. `security` lists the operation's alternatives (any one may
    /// be satisfied) of scheme-name sets (all must be satisfied): `&[]` means
    /// no authentication and an empty set (`&[&[]]`) makes it optional.
    pub fn new(
        operation_id: &'static str,
        method: Method,
        path: String,
        security: &'static [&'static [&'static str]],
    ) -> Self {
        Request {
            operation_id,
            method,
            path,
            security,
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            content_type: None,
            invalid: None,
        }
    }

    /// The operation's id.
    pub fn operation_id(&self) -> &'static str {
        self.operation_id
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path, relative to the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Appends one query parameter (form-urlencoded when sent).
    pub fn query(&mut self, name: &str, value: impl fmt::Display) {
        self.query.push((name.to_owned(), value.to_string()));
    }

    /// Adds an object-valued query parameter, spread as its `style` says:
    /// `deepObject` gives `name[key]=value` (nested objects and arrays go
    /// deeper: `name[a][0]=x`), `form` with `explode` gives `key=value` per
    /// property, and `form` without it `name=key,value,key,value`. `null`
    /// properties are left out. A value that is not an object is sent as
    /// `name=value`; one that fails to serialise makes [`Core::send`] fail
    /// with [`Error::InvalidRequest`].
    pub fn query_object<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T, style: QueryStyle) {
        let value = match ::serde_json::to_value(value) {
            Ok(value) => value,
            Err(error) => {
                self.invalid = Some(format!("query parameter {name:?} failed to serialise: {error}"));
                return;
            }
        };
        let ::serde_json::Value::Object(object) = value else {
            if let Some(text) = query_text(&value) {
                self.query.push((name.to_owned(), text));
            }
            return;
        };
        match style {
            QueryStyle::DeepObject => {
                for (key, value) in &object {
                    deep_object(&format!("{name}[{key}]"), value, &mut self.query);
                }
            }
            QueryStyle::Form { explode: true } => {
                for (key, value) in &object {
                    if let Some(text) = query_text(value) {
                        self.query.push((key.clone(), text));
                    }
                }
            }
            QueryStyle::Form { explode: false } => {
                let pairs: Vec<String> = object
                    .iter()
                    .filter_map(|(key, value)| query_text(value).map(|text| format!("{key},{text}")))
                    .collect();
                self.query.push((name.to_owned(), pairs.join(",")));
            }
        }
    }

    /// Adds a header. An invalid value (e.g. containing CR or LF) makes
    /// [`Core::send`] fail with [`Error::InvalidRequest`] before anything is
    /// sent.
    pub fn header(&mut self, name: &'static str, value: impl fmt::Display) {
        self.headers.push((name, value.to_string()));
    }

    /// Adds a cookie; the value is percent-encoded where cookies need it.
    pub fn cookie(&mut self, name: &'static str, value: impl fmt::Display) {
        if !is_cookie_name(name) {
            self.invalid = Some(format!("invalid cookie name {name:?}"));
            return;
        }
        let value = value.to_string();
        let encoded = ::percent_encoding::utf8_percent_encode(&value, COOKIE_VALUE).to_string();
        self.cookies.push((name, encoded));
    }

    /// Serialises `body` as JSON now and sets `Content-Type:
    /// application/json`. A serialisation failure is reported by
    /// [`Core::send`] as [`Error::InvalidRequest`].
    pub fn json<B: ::serde::Serialize + ?Sized>(&mut self, body: &B) {
        self.json_as("application/json", body);
    }

    /// Like [`Request::json`], with another JSON content type (such as
    /// `application/merge-patch+json`).
    pub fn json_as<B: ::serde::Serialize + ?Sized>(&mut self, content_type: &str, body: &B) {
        match ::serde_json::to_vec(body) {
            Ok(bytes) => self.body(content_type, bytes),
            Err(err) => self.fail(format!("failed to serialise the request body: {err}")),
        }
    }

    /// Serialises `body`, which must serialise as an object, as an
    /// `application/x-www-form-urlencoded` form: one `name=value` pair per
    /// field, arrays repeat the name, objects are sent as JSON text, and
    /// absent or null fields are left out.
    pub fn form<B: ::serde::Serialize + ?Sized>(&mut self, body: &B) {
        let fields = match ::serde_json::to_vec(body) {
            Ok(json) => match ::serde_json::from_slice::<OrderedFields>(&json) {
                Ok(OrderedFields(fields)) => fields,
                Err(_) => return self.fail("a form body must serialise as an object".to_owned()),
            },
            Err(err) => return self.fail(format!("failed to serialise the request body: {err}")),
        };
        let mut encoded = String::new();
        for (name, value) in &fields {
            for (text, _) in form_values(value) {
                if !encoded.is_empty() {
                    encoded.push('&');
                }
                form_urlencode(name, &mut encoded);
                encoded.push('=');
                form_urlencode(&text, &mut encoded);
            }
        }
        self.body("application/x-www-form-urlencoded", encoded.into_bytes());
    }

    // @section multipart
    /// Encodes `form` as `multipart/form-data` (see [`Multipart`]).
    pub fn multipart<F: MultipartForm + ?Sized>(&mut self, form: &F) {
        let mut multipart = Multipart::new();
        form.write_parts(&mut multipart);
        match multipart.finish() {
            Ok((content_type, bytes)) => self.body(content_type, bytes),
            Err(reason) => self.fail(reason),
        }
    }

    // @end-section
    /// Sets a text body (`text/plain`, `application/xml`, ...).
    pub fn text(&mut self, content_type: &str, text: &str) {
        self.body(content_type, text.as_bytes().to_vec());
    }

    /// Sets a raw body and its content type. A body in memory (bytes or a
    /// string) can be resent on retries; a streamed one (for example from
    /// `reqwest::Body::wrap_stream`) is sent once and never retried.
    pub fn body(&mut self, content_type: impl Into<String>, body: impl Into<::reqwest::Body>) {
        self.content_type = Some(content_type.into());
        self.body = Some(body.into());
    }

    /// Marks the request as invalid; [`Core::send`] reports `reason`.
    fn fail(&mut self, reason: String) {
        self.invalid.get_or_insert(reason);
    }
}

/// The fields of a JSON object in the order they were written (a `serde_json::Map` sorts them
/// unless serde_json's `preserve_order` feature is on).
struct OrderedFields(Vec<(String, ::serde_json::Value)>);

impl<'de> ::serde::Deserialize<'de> for OrderedFields {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> ::serde::de::Visitor<'de> for Fields {
            type Value = OrderedFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<OrderedFields, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(OrderedFields(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// Characters percent-encoded in `application/x-www-form-urlencoded` text:
/// everything but `A-Z a-z 0-9 * - . _` (a space becomes `+`).
const FORM_VALUE: &::percent_encoding::AsciiSet =
    &::percent_encoding::NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_');

fn form_urlencode(text: &str, out: &mut String) {
    for piece in ::percent_encoding::utf8_percent_encode(text, FORM_VALUE) {
        out.push_str(&piece.replace("%20", "+"));
    }
}

/// The texts one field of a form or multipart body is sent as, each with
/// whether it is JSON: a string as it is, numbers and booleans as written in
/// JSON, objects as JSON; an array gives one text per non-null item; null
/// gives none.
fn form_values(value: &::serde_json::Value) -> Vec<(String, bool)> {
    use ::serde_json::Value;
    let one = |value: &Value| match value {
        Value::Null => None,
        Value::String(text) => Some((text.clone(), false)),
        Value::Bool(_) | Value::Number(_) => Some((value.to_string(), false)),
        Value::Array(_) | Value::Object(_) => Some((value.to_string(), true)),
    };
    match value {
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

// @section multipart: multipart/form-data request bodies
// ---------------------------------------------------------------------------
// Multipart bodies
// ---------------------------------------------------------------------------

/// A file sent as one part of a `multipart/form-data` body.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FilePart {
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// The file name sent to the server (default: the field's name).
    pub filename: Option<String>,
    /// The part's `Content-Type` (default: the one the API documents for the
    /// field, else `application/octet-stream`).
    pub content_type: Option<String>,
}

impl FilePart {
    /// A file with these contents.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart { bytes: bytes.into(), filename: None, content_type: None }
    }

    /// Sets [`FilePart::filename`].
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets [`FilePart::content_type`].
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    /// Shows the size, not the contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("len", &self.bytes.len())
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A type sent as a `multipart/form-data` body: generated form structs
/// implement it by writing one part per field.
pub trait MultipartForm {
    /// Writes the form's fields into `form`.
    fn write_parts(&self, form: &mut Multipart);
}

/// A `multipart/form-data` body being written (RFC 7578), kept in memory so
/// that it can be resent on retries.
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
    invalid: Option<String>,
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Multipart").field("len", &self.body.len()).field("invalid", &self.invalid).finish()
    }
}

impl Multipart {
    fn new() -> Self {
        use ::std::hash::BuildHasher;
        // Two fresh random 64-bit values (see `jitter`): a boundary nobody can
        // predict, so file contents cannot contain it by accident or design.
        let random = || ::std::collections::hash_map::RandomState::new().hash_one(0u8);
        Multipart { boundary: format!("{:016x}{:016x}", random(), random()), body: Vec::new(), invalid: None }
    }

    /// Adds a non-file field: strings, numbers and booleans as text parts,
    /// objects as `application/json` parts, one part per item of an array;
    /// absent and null values are left out.
    pub fn field<V: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &V) {
        match ::serde_json::to_value(value) {
            Ok(value) => {
                for (text, json) in form_values(&value) {
                    self.part(name, None, json.then_some("application/json"), text.as_bytes());
                }
            }
            Err(err) => {
                self.invalid.get_or_insert(format!("failed to serialise form field {name:?}: {err}"));
            }
        }
    }

    /// Adds a file part; `default_type` is its content type unless the file
    /// names one.
    pub fn file(&mut self, name: &str, file: &FilePart, default_type: &str) {
        let filename = file.filename.as_deref().unwrap_or(name);
        let content_type = file.content_type.as_deref().unwrap_or(default_type);
        self.part(name, Some(filename), Some(content_type), &file.bytes);
    }

    /// Adds one file part per file (for optional files and file arrays).
    pub fn files<'a>(&mut self, name: &str, files: impl IntoIterator<Item = &'a FilePart>, default_type: &str) {
        for file in files {
            self.file(name, file, default_type);
        }
    }

    fn part(&mut self, name: &str, filename: Option<&str>, content_type: Option<&str>, bytes: &[u8]) {
        if content_type.is_some_and(|value| HeaderValue::from_str(value).is_err()) {
            self.invalid.get_or_insert(format!("invalid content type for form field {name:?}"));
            return;
        }
        // Quotes and line breaks in names are percent-encoded, as browsers do.
        let quoted = |text: &str| text.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A");
        let mut head = format!("--{}\r\nContent-Disposition: form-data; name=\"{}\"", self.boundary, quoted(name));
        if let Some(filename) = filename {
            head.push_str(&format!("; filename=\"{}\"", quoted(filename)));
        }
        if let Some(content_type) = content_type {
            head.push_str(&format!("\r\nContent-Type: {content_type}"));
        }
        head.push_str("\r\n\r\n");
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    /// The content type (with the boundary) and the body.
    fn finish(mut self) -> Result<(String, Vec<u8>), String> {
        if let Some(reason) = self.invalid {
            return Err(reason);
        }
        self.body.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        Ok((format!("multipart/form-data; boundary={}", self.boundary), self.body))
    }
}

// @end-section
// ---------------------------------------------------------------------------
// Responses and decoding
// ---------------------------------------------------------------------------

/// Maps a status and body to the operation's documented outcome; `None` for
/// an undocumented status, which becomes [`Error::UnexpectedStatus`].
pub type Decoder<T, E> = fn(StatusCode, &[u8]) -> Option<Result<Outcome<T, E>, DecodeError>>;

/// A documented response: success or a documented error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T, E> {
    /// A success response's body.
    Success(T),
    /// A documented error response's body, returned as [`Error::Api`].
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

fn request_id_from_headers(headers: &HeaderMap) -> Option<&str> {
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

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

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
    /// Connecting, sending, timing out or reading the body failed.
    #[error("{}", describe_transport(.0))]
    Transport(#[source] ::reqwest::Error),
    /// A streaming request got no response headers within the timeout.
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

fn describe_transport(err: &::reqwest::Error) -> &'static str {
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

// @section streaming: Core::send_stream for text/event-stream responses
// ---------------------------------------------------------------------------
// Streamed responses and server-sent events
// ---------------------------------------------------------------------------

/// Why reading a streamed response failed.
#[derive(Debug, ::thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// Reading from the connection failed.
    #[error("{}", describe_transport(.0))]
    Transport(#[source] ::reqwest::Error),
    /// No data arrived within the client's timeout.
    #[error("no data arrived within the timeout")]
    Timeout,
    /// One event (or one line) exceeded the client's response size limit.
    #[error("an event exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// An event's data did not match its documented schema. The stream goes
    /// on: the next call reads the next event.
    #[error("failed to decode the data of a {:?} event", event.event)]
    Decode {
        /// The event as received.
        event: RawEvent,
        /// What did not match.
        source: DecodeError,
    },
}

/// A success response whose body is read as it arrives, with
/// [`ByteStream::chunk`].
pub struct ByteStream {
    response: ::reqwest::Response,
    idle_timeout: Duration,
    max_event_bytes: usize,
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("status", &self.response.status())
            .field("idle_timeout", &self.idle_timeout)
            .finish()
    }
}

impl ByteStream {
    /// The next piece of the body, `None` at its end. Fails when no data
    /// arrives within the client's timeout.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>, StreamError> {
        match ::tokio::time::timeout(self.idle_timeout, self.response.chunk()).await {
            Ok(Ok(chunk)) => Ok(chunk.map(Vec::from)),
            Ok(Err(err)) => Err(StreamError::Transport(err.without_url())),
            Err(_) => Err(StreamError::Timeout),
        }
    }

    /// The underlying response, for reading it some other way.
    pub fn into_response(self) -> ::reqwest::Response {
        self.response
    }
}

/// One server-sent event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event<T> {
    /// The event type (`message` when the server names none).
    pub event: String,
    /// The event's data: its `data:` lines joined with line feeds, decoded.
    pub data: T,
    /// The last event id the server set, if any (send it as `Last-Event-ID`
    /// to resume after a disconnect).
    pub id: Option<String>,
}

/// An event whose data is kept as text.
pub type RawEvent = Event<String>;

/// Parses a `text/event-stream` body as the HTML standard specifies: lines
/// end with CR, LF or CRLF (also split across chunks), `:` starts a comment,
/// a blank line dispatches the event, `id` and `retry` persist, a leading
/// byte order mark is skipped, and an event cut off by the end of the stream
/// is dropped.
#[derive(Debug)]
pub struct EventParser {
    buffer: Vec<u8>,
    /// Where the unread part of `buffer` starts.
    position: usize,
    /// The last chunk ended with CR: a LF that starts the next one belongs to it.
    skip_lf: bool,
    /// Nothing has been read yet (a byte order mark may come).
    at_start: bool,
    event: String,
    data: String,
    last_id: Option<String>,
    retry: Option<Duration>,
    max_event_bytes: usize,
}

impl EventParser {
    /// A parser that fails when an event or a line exceeds `max_event_bytes`.
    pub fn new(max_event_bytes: usize) -> Self {
        EventParser {
            buffer: Vec::new(),
            position: 0,
            skip_lf: false,
            at_start: true,
            event: String::new(),
            data: String::new(),
            last_id: None,
            retry: None,
            max_event_bytes,
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.drain(..self.position);
        self.position = 0;
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete event in what was pushed so far, if any.
    pub fn next_event(&mut self) -> Result<Option<RawEvent>, StreamError> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        loop {
            let rest = &self.buffer[self.position..];
            if self.at_start {
                if rest.len() < BOM.len() && BOM.starts_with(rest) {
                    return Ok(None);
                }
                self.at_start = false;
                if rest.starts_with(BOM) {
                    self.position += BOM.len();
                    continue;
                }
            }
            if self.skip_lf && !rest.is_empty() {
                self.skip_lf = false;
                if rest[0] == b'\n' {
                    self.position += 1;
                    continue;
                }
            }
            let too_large = Err(StreamError::TooLarge { limit: self.max_event_bytes });
            let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') else {
                return if rest.len().saturating_add(self.data.len()) > self.max_event_bytes {
                    too_large
                } else {
                    Ok(None)
                };
            };
            let line = String::from_utf8_lossy(&rest[..end]).into_owned();
            match rest[end..] {
                [b'\r', b'\n', ..] => self.position += end + 2,
                [b'\r'] => {
                    self.position += end + 1;
                    self.skip_lf = true;
                }
                _ => self.position += end + 1,
            }
            if let Some(event) = self.line(&line) {
                return Ok(Some(event));
            }
            if self.data.len() > self.max_event_bytes {
                return too_large;
            }
        }
    }

    /// The last event id the server set.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The reconnection delay the server asked for with `retry:`.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }

    fn line(&mut self, line: &str) -> Option<RawEvent> {
        if line.is_empty() {
            let event = ::std::mem::take(&mut self.event);
            let mut data = ::std::mem::take(&mut self.data);
            if data.is_empty() {
                return None;
            }
            data.pop(); // the line feed after the last `data:` line
            let event = if event.is_empty() { "message".to_owned() } else { event };
            return Some(Event { event, data, id: self.last_id.clone() });
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "" => {} // a comment
            "event" => self.event = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_id = (!value.is_empty()).then(|| value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok().map(Duration::from_millis);
            }
            _ => {}
        }
        None
    }
}

/// A stream of server-sent events (`text/event-stream`), read with
/// [`EventStream::next`]:
///
/// ```text
/// let mut events = client.stream_things().await?.into_body();
/// while let Some(event) = events.next().await {
///     let event = event?;
///     println!("{}: {:?}", event.event, event.data);
/// }
/// ```
///
/// Each event's data is decoded on its own: one that does not match its
/// schema is a [`StreamError::Decode`] holding the raw event, and the stream
/// goes on. The client's timeout bounds each wait for more data; reading
/// stops at the first transport error, timeout or oversized event. The
/// stream does not reconnect by itself.
pub struct EventStream<T> {
    bytes: ByteStream,
    parser: EventParser,
    decode: fn(&str) -> Result<T, DecodeError>,
    done: bool,
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").field("bytes", &self.bytes).field("done", &self.done).finish()
    }
}

impl<T: ::serde::de::DeserializeOwned> EventStream<T> {
    /// Events whose data is JSON decoded into `T`.
    pub fn json(bytes: ByteStream) -> Self {
        EventStream::with_decoder(bytes, |data| Ok(::serde_json::from_str(data)?))
    }
}

impl EventStream<String> {
    /// Events whose data is kept as text.
    pub fn text(bytes: ByteStream) -> Self {
        EventStream::with_decoder(bytes, |data| Ok(data.to_owned()))
    }
}

impl<T> EventStream<T> {
    fn with_decoder(bytes: ByteStream, decode: fn(&str) -> Result<T, DecodeError>) -> Self {
        let parser = EventParser::new(bytes.max_event_bytes);
        EventStream { bytes, parser, decode, done: false }
    }

    /// The next event, `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<Event<T>, StreamError>> {
        while !self.done {
            match self.parser.next_event() {
                Ok(Some(raw)) => {
                    return Some(match (self.decode)(&raw.data) {
                        Ok(data) => Ok(Event { event: raw.event, data, id: raw.id }),
                        Err(source) => Err(StreamError::Decode { event: raw, source }),
                    });
                }
                Ok(None) => {}
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            }
            match self.bytes.chunk().await {
                Ok(Some(chunk)) => self.parser.push(&chunk),
                Ok(None) => self.done = true,
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            }
        }
        None
    }

    /// The last event id the server set.
    pub fn last_event_id(&self) -> Option<&str> {
        self.parser.last_event_id()
    }

    /// The reconnection delay the server asked for with `retry:`.
    pub fn retry(&self) -> Option<Duration> {
        self.parser.retry()
    }
}

// @end-section
// ---------------------------------------------------------------------------
// Nullable
// ---------------------------------------------------------------------------

/// Tri-state for optional and nullable request fields (PATCH semantics):
/// absent (leave unchanged, the field is omitted), explicit null (clear the
/// value), or a value.
///
/// Generated structs declare such fields as
///
/// ```text
/// #[serde(default, skip_serializing_if = "runtime::Nullable::is_absent")]
/// pub nickname: runtime::Nullable<String>,
/// ```
///
/// so that:
///
/// ```text
/// UpdatePet { nickname: Nullable::Absent, .. }                 // => {}
/// UpdatePet { nickname: Nullable::Null, .. }                   // => {"nickname":null}
/// UpdatePet { nickname: Nullable::Value("Rex".into()), .. }    // => {"nickname":"Rex"}
/// UpdatePet { nickname: "Rex".to_owned().into(), .. }          // same, via From<T>
/// UpdatePet { nickname: None::<String>.into(), .. }            // Null, via From<Option<T>>
/// ```
///
/// Deserialising maps a missing field to `Absent` (through
/// `#[serde(default)]`), `null` to `Null` and anything else to `Value`.
/// `Absent` is never serialised on its own when the attribute above is used;
/// if it is reached anyway it serialises as `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// Not sent: the server leaves the field unchanged.
    #[default]
    Absent,
    /// Sent as `null`: the server clears the field.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is absent (used by `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the field is an explicit null.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Whether the field holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(value) => Nullable::Value(value),
        }
    }

    /// The value, if any (absent and null both give `None`).
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// A reference to the value, if any.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// Maps the value, keeping absent and null as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(value) => Nullable::Value(f(value)),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` becomes an explicit [`Nullable::Null`].
    fn from(value: Option<T>) -> Self {
        match value {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        }
    }
}

impl<T: ::serde::Serialize> ::serde::Serialize for Nullable<T> {
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => serializer.serialize_some(value),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: ::serde::Deserialize<'de>> ::serde::Deserialize<'de> for Nullable<T> {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(<Option<T> as ::serde::Deserialize<'de>>::deserialize(deserializer)?.into())
    }
}
