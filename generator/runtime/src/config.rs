//! Client configuration: [`ClientBuilder`], [`RetryPolicy`], per-call [`RequestOptions`] and
//! the redirect policy.

use ::std::fmt;
use ::std::sync::Arc;
use ::std::time::Duration;

use ::reqwest::Url;
use ::reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::security::{Credential, TokenConfig, resolve_credential};
use super::send::Shared;
use super::{Core, Hook, Secret, SecurityScheme};

/// Default per-attempt timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout, used when this runtime builds the HTTP client.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most redirects followed for one attempt (all within the base URL's origin).
const MAX_REDIRECTS: usize = 10;
/// Default limit on the size of a response body.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

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
/// and requests carrying an idempotency key are retried on all of the above.
/// Other methods are retried only when the server provably did not process
/// the request: `429`, `503` with `Retry-After`, or a failure to connect;
/// unless `retry_non_idempotent` is set.
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
    pub(super) fn backoff(&self, retry: u32) -> Duration {
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

/// Why a [`ClientBuilder`] could not build a client.
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
    hooks: Vec<Arc<dyn Hook>>,
    token_url: Option<String>,
    token_scopes: Option<Vec<String>>,
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
            .field("hooks", &self.hooks.len())
            .field("token_url", &self.token_url)
            .field("token_scopes", &self.token_scopes)
            .finish()
    }
}

impl ClientBuilder {
    #[doc(hidden)]
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
            hooks: Vec::new(),
            token_url: None,
            token_scopes: None,
        }
    }

    /// Sends requests to this base URL instead of the default one. It may
    /// have a path (`https://host/api/v1`, with or without trailing slash);
    /// operation paths are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    #[doc(hidden)]
    /// Sets the token of a bearer scheme or the key of an API key scheme;
    /// `scheme` is the scheme's name in the spec.
    pub fn credential(mut self, scheme: &'static str, secret: impl Into<String>) -> Self {
        self.set_credential(scheme, Credential::Token(Secret(secret.into())));
        self
    }

    #[doc(hidden)]
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

    #[doc(hidden)]
    /// Sets the client id and secret of an OAuth 2.0 scheme with a `clientCredentials` flow:
    /// tokens are fetched from its `tokenUrl` when first needed and renewed before they expire.
    pub fn client_credentials(
        mut self,
        scheme: &'static str,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        let credential = Credential::ClientCredentials {
            client_id: Secret(client_id.into()),
            client_secret: Secret(client_secret.into()),
        };
        self.set_credential(scheme, credential);
        self
    }

    /// Fetches OAuth 2.0 tokens from this URL instead of the scheme's `tokenUrl` (a staging
    /// server, say). A relative `tokenUrl` in the spec is resolved against the base URL.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Asks for these OAuth 2.0 scopes instead of every scope the operations require.
    pub fn token_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.token_scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Adds a [`Hook`] that sees and may change every request and response; hooks run in the
    /// order they are added.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.push(Arc::new(hook));
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
    /// bodies fail with [`Error::BodyTooLarge`](super::Error::BodyTooLarge) without being buffered.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    #[doc(hidden)]
    /// Checks the configuration and builds the [`Core`].
    pub fn build_core(self) -> Result<Core, BuildError> {
        let base_url = normalise_base_url(&self.base_url)?;

        let mut credentials = Vec::with_capacity(self.credentials.len());
        for (scheme_name, credential) in &self.credentials {
            let token = TokenConfig {
                url: self.token_url.as_deref(),
                scopes: self.token_scopes.as_deref(),
                base_url: &base_url,
                timeout: self.timeout,
            };
            credentials.push(resolve_credential(self.schemes, scheme_name, credential, &token)?);
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
                hooks: self.hooks,
            }),
            timeout: self.timeout,
            retry: self.retry,
            extra_headers: Arc::new(Vec::new()),
            next_page: None,
        })
    }
}

/// The redirect policy of the HTTP client the builder makes: a redirect
/// within the origin (scheme, host and port) of the request is followed, at
/// most 10 in a row; a redirect to any other origin is not followed, and the
/// call returns the 3xx response (an [`Error::UnexpectedStatus`](super::Error::UnexpectedStatus) unless the
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

/// Parses a header name and value, explaining what is wrong without
/// repeating the value.
pub(super) fn parse_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), &'static str> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| "not a valid header name")?;
    let value = HeaderValue::from_str(value).map_err(|_| "value contains control characters such as CR or LF")?;
    Ok((name, value))
}

/// Formats names as a map whose values are all `***`.
pub(super) struct RedactedMap<'a>(pub(super) Vec<&'a str>);

impl fmt::Debug for RedactedMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().map(|name| (name, "***"))).finish()
    }
}
