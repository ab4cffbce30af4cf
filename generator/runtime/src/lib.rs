//! Runtime support for generated API clients: configuration, authentication,
//! request sending with retries, response decoding and typed errors.
//!
//! This file is hand-written and copied verbatim into every generated client
//! crate as `src/runtime.rs`, so it must work both as a crate root and as a
//! module: it never uses `crate::` paths and names external crates with
//! absolute paths (`::reqwest::`, `::serde::`, `::std::`).
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

/// Per-call overrides, applied with [`Core::with_options`].
#[derive(Clone, Debug, Default)]
pub struct RequestOptions {
    /// Per-attempt timeout instead of the client's.
    pub timeout: Option<Duration>,
    /// Retry policy instead of the client's.
    pub retry: Option<RetryPolicy>,
    /// Extra headers; they replace default headers of the same name. Checked
    /// when the request is sent.
    pub headers: Vec<(String, String)>,
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
                let mut builder = ::reqwest::Client::builder().connect_timeout(self.connect_timeout);
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
        let prepared = self.prepare(&request).map_err(Fault::into_error)?;
        let raw = self.execute(&request.method, &prepared).await.map_err(Fault::into_error)?;
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

    /// The first security alternative whose schemes all have credentials.
    fn select_credentials(&self, security: &'static [&'static [&'static str]]) -> Option<Vec<&ResolvedCredential>> {
        if security.is_empty() {
            return Some(Vec::new());
        }
        security.iter().find_map(|alternative| {
            alternative.iter().map(|name| self.shared.credentials.iter().find(|cred| cred.scheme == *name)).collect()
        })
    }

    /// Builds everything that is sent, identically, on each attempt.
    fn prepare(&self, request: &Request) -> Result<Prepared, Fault> {
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

        Ok(Prepared { url, headers, body: request.body.clone() })
    }

    /// Sends the request until it succeeds or the retry policy gives up.
    async fn execute(&self, method: &Method, prepared: &Prepared) -> Result<RawResponse, Fault> {
        let policy = &self.retry;
        let replay_safe = is_idempotent(method) || policy.retry_non_idempotent;
        let mut retries = 0u32;
        let mut slept = Duration::ZERO;
        loop {
            let may_retry = retries < policy.max_retries;
            let delay = match self.shared.client.execute(prepared.build(method, self.timeout)).await {
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
                        None => return self.read_body(response).await,
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
    let delay = retry_after.unwrap_or_else(|| jitter(policy.backoff(retries)));
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
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl Prepared {
    fn build(&self, method: &Method, timeout: Duration) -> ::reqwest::Request {
        let mut request = ::reqwest::Request::new(method.clone(), self.url.clone());
        *request.headers_mut() = self.headers.clone();
        *request.timeout_mut() = Some(timeout);
        if let Some(body) = &self.body {
            *request.body_mut() = Some(::reqwest::Body::from(body.clone()));
        }
        request
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
    MissingCredentials { operation: &'static str, schemes: String },
    InvalidRequest { operation: &'static str, reason: String },
    BodyTooLarge { status: StatusCode, limit: usize },
}

impl Fault {
    fn into_error<E>(self) -> Error<E> {
        match self {
            Fault::Transport(err) => Error::Transport(err),
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

/// Characters percent-encoded in cookie values set with [`Request::cookie`].
/// [`encode_path_segment`] of a value's `Display` text: how generated code puts a path
/// parameter of any type into the path.
pub fn path_segment(value: impl fmt::Display) -> String {
    encode_path_segment(&value.to_string())
}

const COOKIE_VALUE: &::percent_encoding::AsciiSet =
    &::percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'%').add(b',').add(b';').add(b'\\');

/// One operation call, built by generated code and sent with [`Core::send`].
#[derive(Clone)]
pub struct Request {
    operation_id: &'static str,
    method: Method,
    path: String,
    security: &'static [&'static [&'static str]],
    query: Vec<(String, String)>,
    headers: Vec<(&'static str, String)>,
    cookies: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
    /// Why the request cannot be sent (e.g. the body failed to serialise).
    invalid: Option<String>,
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
            .field("body_len", &self.body.as_ref().map(Vec::len))
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
        match ::serde_json::to_vec(body) {
            Ok(bytes) => self.body(String::from("application/json"), bytes),
            Err(err) => {
                self.invalid = Some(format!("failed to serialise the request body: {err}"));
            }
        }
    }

    /// Sets a raw body and its content type.
    pub fn body(&mut self, content_type: impl Into<String>, bytes: Vec<u8>) {
        self.content_type = Some(content_type.into());
        self.body = Some(bytes);
    }
}

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
        matches!(self, Error::Transport(err) if err.is_timeout())
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
