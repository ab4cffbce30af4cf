//! [`Core`]: the configured client. It checks a request and builds its attempts (URL, query,
//! layered headers, credentials, idempotency key), and [`Core::send`] hands them to
//! [`Call`](super::Call), which sends them with retries and a timeout and reads the body with a
//! cap; then [`finish`] maps the outcome to [`Error`].

use ::std::fmt;
use ::std::sync::Arc;
use ::std::time::{Duration, SystemTime};

use ::reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use ::reqwest::{Method, StatusCode, Url};

use super::call::Call;
use super::config::{RedactedMap, parse_header};
use super::hooks::{CallInfo, Hook};
use super::oauth2::TokenSource;
use super::request::EMPTY_SEGMENT;
use super::security::{Apply, ResolvedCredential, describe_security};
use super::{
    ApiResponse, Decoder, Error, NextPage, Outcome, Request, RequestOptions, ResponseInfo, RetryPolicy, Secret,
};

/// Configured client state shared by every clone of a [`Core`].
pub(super) struct Shared {
    pub(super) client: ::reqwest::Client,
    /// Absolute URL without trailing slash.
    pub(super) base_url: String,
    pub(super) credentials: Vec<ResolvedCredential>,
    pub(super) default_headers: HeaderMap,
    pub(super) max_response_bytes: usize,
    /// Hooks run on every attempt's request and response, in the order they were added.
    pub(super) hooks: Vec<Arc<dyn Hook>>,
}

/// A configured client: sends [`Request`]s built by generated code. Cheap to
/// clone.
#[derive(Clone)]
pub struct Core {
    pub(super) shared: Arc<Shared>,
    pub(super) timeout: Duration,
    pub(super) retry: RetryPolicy,
    /// Per-call headers from [`Core::with_options`], checked at send time.
    pub(super) extra_headers: Arc<Vec<(String, String)>>,
    /// Where the next page of a listing is ([`Core::with_next_page`]).
    pub(super) next_page: Option<Arc<NextPage>>,
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
            .field("hooks", &self.shared.hooks.len())
            .field("next_page", &self.next_page.is_some())
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

    /// A copy of this core whose requests go to the next page of a listing: a query
    /// parameter set to the page's cursor, offset or number, or a next-page URL instead of the
    /// call's path and query. `None` changes nothing (the first page).
    pub fn with_next_page(&self, next: Option<NextPage>) -> Core {
        let mut core = self.clone();
        core.next_page = next.map(Arc::new);
        core
    }

    /// Sends a request, retrying as the retry policy allows, reads the body
    /// and decodes it with `decode`.
    ///
    /// The request is checked and its first attempt built when this is called. The future holds
    /// that, not the request as well: a call's future is what thousands of calls in flight keep
    /// in memory.
    pub fn send<'a, T, E>(&'a self, request: Request, decode: Decoder<T, E>) -> Call<'a, T, E> {
        Call::new(self, self.prepare(request), decode)
    }

    /// The credentials sent: once some security alternative has every one of its schemes
    /// configured, every configured credential that any alternative names, in the order the
    /// requirements name them. `None` when no alternative is satisfied.
    ///
    /// Frameworks write requirements they check together as alternatives (FastAPI lists two
    /// dependencies as `[{HTTPBearer: []}, {APIKeyHeader: []}]` and needs both), and a server
    /// ignores a credential it does not need, so sending all of them is what works; each goes
    /// only where its scheme says, and only to the request's origin.
    fn select_credentials(&self, security: &'static [&'static [&'static str]]) -> Option<Vec<&ResolvedCredential>> {
        let configured = |name: &str| self.shared.credentials.iter().find(|cred| cred.scheme == name);
        if !security.is_empty()
            && !security.iter().any(|alternative| alternative.iter().all(|n| configured(n).is_some()))
        {
            return None;
        }
        let mut chosen: Vec<&ResolvedCredential> = Vec::new();
        for cred in security.iter().flat_map(|alternative| alternative.iter()).filter_map(|name| configured(name)) {
            if !chosen.iter().any(|known| known.scheme == cred.scheme) {
                chosen.push(cred);
            }
        }
        Some(chosen)
    }

    /// Checks the request and builds its first attempt, without its body (see
    /// [`Core::attempt`]).
    pub(super) fn prepare(&self, request: Request) -> Result<Prepared, Fault> {
        let operation = request.operation_id;
        if let Some(reason) = &request.invalid {
            return Err(Fault::InvalidRequest { operation, reason: reason.clone() });
        }
        let credentials = self
            .select_credentials(request.security)
            .ok_or_else(|| Fault::MissingCredentials { operation, schemes: describe_security(request.security) })?;
        let token = credentials.iter().find_map(|cred| match &cred.apply {
            Apply::Token(source) => Some(Arc::clone(source)),
            _ => None,
        });
        let call = CallInfo { operation_id: operation, path_template: request.path_template, attempt: 0 };
        let replayable = request.body.as_ref().is_none_or(|body| body.as_bytes().is_some());
        let mut prepared = Prepared {
            keyed: request.idempotency_header.is_some(),
            request,
            key: None,
            first: None,
            replayable,
            body_sent: false,
            operation,
            call,
            token,
            #[cfg(feature = "tracing")]
            span: ::tracing::Span::none(),
        };
        let first = self.build(&mut prepared, &credentials)?;
        #[cfg(feature = "tracing")]
        {
            prepared.span = call_span(operation, &first, prepared.request.path_template);
        }
        prepared.first = Some(first);
        Ok(prepared)
    }

    /// One attempt of the prepared request, without its body: the same on every attempt,
    /// idempotency key included (made on the first build).
    fn build(&self, prepared: &mut Prepared, credentials: &[&ResolvedCredential]) -> Result<::reqwest::Request, Fault> {
        let operation = prepared.operation;
        let invalid = |reason: String| Fault::InvalidRequest { operation, reason };
        let request = &prepared.request;
        let url = self.url(request, credentials).map_err(invalid)?;
        let mut headers = self.headers(request, credentials).map_err(invalid)?;
        if let Some(name) = request.idempotency_header {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("header {name:?}: not a valid header name")))?;
            if !headers.contains_key(&name) {
                let key = match &prepared.key {
                    Some(key) => key.clone(),
                    None => HeaderValue::from_str(&idempotency_key())
                        .map_err(|_| invalid("the idempotency key is not a header value".to_owned()))?,
                };
                prepared.key = Some(key.clone());
                headers.insert(name, key);
            }
        }
        let mut attempt = ::reqwest::Request::new(prepared.request.method.clone(), url);
        *attempt.headers_mut() = headers;
        Ok(attempt)
    }

    /// The request for the next attempt: the first one built by [`Core::prepare`], or a new
    /// build; with the body itself when it is the `last` attempt or cannot be copied, else a copy
    /// of it. So the common call, answered at its first attempt, copies nothing.
    pub(super) fn attempt(&self, prepared: &mut Prepared, last: bool) -> Result<::reqwest::Request, Fault> {
        let mut attempt = match prepared.first.take() {
            Some(first) => first,
            None => {
                let credentials = self.select_credentials(prepared.request.security).unwrap_or_default();
                self.build(prepared, &credentials)?
            }
        };
        let body = if last || !prepared.replayable {
            prepared.request.body.take()
        } else {
            prepared.request.body.as_ref().and_then(|body| body.as_bytes()).map(|bytes| bytes.to_vec().into())
        };
        if body.is_none() && prepared.body_sent {
            return Err(Fault::InvalidRequest {
                operation: prepared.operation,
                reason: "the request body cannot be sent again".to_owned(),
            });
        }
        prepared.body_sent |= body.is_some();
        *attempt.body_mut() = body;
        Ok(attempt)
    }

    /// The base URL, the checked path, the query and any query credentials.
    fn url(&self, request: &Request, credentials: &[&ResolvedCredential]) -> Result<Url, String> {
        check_path(&request.path)?;
        let next_page = self.next_page.as_deref();
        let mut url = match next_page {
            Some(NextPage::Url(next)) => self.next_page_url(next)?,
            _ => Url::parse(&format!("{}{}", self.shared.base_url, request.path))
                .map_err(|err| format!("cannot build the url: {err}"))?,
        };
        // A next-page link carries the whole query; a cursor replaces one parameter.
        let query: Vec<(&str, &str)> = match next_page {
            Some(NextPage::Url(_)) => Vec::new(),
            Some(NextPage::Query { name, value }) => request
                .query
                .iter()
                .filter(|(key, _)| key != name)
                .map(|(key, value)| (key.as_str(), value.as_str()))
                .chain(::std::iter::once((*name, value.as_str())))
                .collect(),
            None => request.query.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect(),
        };
        let query_credentials: Vec<(&str, &Secret)> = credentials
            .iter()
            .filter_map(|cred| match &cred.apply {
                Apply::Query(name, secret) => Some((*name, secret)),
                _ => None,
            })
            .collect();
        if !query.is_empty() || !query_credentials.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
            for (name, secret) in query_credentials {
                pairs.append_pair(name, secret.expose());
            }
        }
        Ok(url)
    }

    /// A next-page link (absolute, or relative to the base URL), refused unless it stays within
    /// the base URL's origin and path: credentials are sent with it.
    fn next_page_url(&self, next: &str) -> Result<Url, String> {
        let base = Url::parse(&format!("{}/", self.shared.base_url)).map_err(|err| format!("bad base url: {err}"))?;
        let url = base.join(next).map_err(|err| format!("the next page link is not a url: {err}"))?;
        if url.origin() != base.origin() || !url.path().starts_with(base.path()) {
            return Err("the next page link points outside the base url".to_owned());
        }
        let mut url = url;
        url.set_fragment(None);
        Ok(url)
    }

    /// The headers, in layers that each replace headers of the same name set by the ones
    /// before: defaults, per-call options, operation headers, credentials; cookies joined.
    /// Built in one map with room for what `reqwest` and `hyper` add (`accept`, `user-agent`,
    /// `host`), so sending it does not grow it.
    fn headers(&self, request: &Request, credentials: &[&ResolvedCredential]) -> Result<HeaderMap, String> {
        /// The headers `reqwest` and `hyper` may add to a request.
        const ADDED: usize = 4;
        let parse =
            |name: &str, value: &str| parse_header(name, value).map_err(|reason| format!("header {name:?}: {reason}"));
        let defaults = &self.shared.default_headers;
        let room = defaults.len() + self.extra_headers.len() + request.headers.len() + credentials.len() + ADDED + 1;
        let mut headers = HeaderMap::with_capacity(room);
        for (name, value) in defaults {
            headers.append(name.clone(), value.clone());
        }
        for (index, (name, value)) in self.extra_headers.iter().enumerate() {
            let (name, value) = parse(name, value)?;
            let earlier = self.extra_headers[..index].iter().map(|(earlier, _)| earlier.as_str());
            set_in_layer(&mut headers, earlier, name, value);
        }
        for (index, (name, value)) in request.headers.iter().enumerate() {
            let (name, value) = parse(name, value)?;
            let earlier = request.headers[..index].iter().map(|(earlier, _)| *earlier);
            set_in_layer(&mut headers, earlier, name, value);
        }
        if let Some(content_type) = &request.content_type {
            // JSON, the common case, without copying its text.
            let value = if content_type == "application/json" {
                HeaderValue::from_static("application/json")
            } else {
                HeaderValue::from_str(content_type).map_err(|_| "invalid content type".to_owned())?
            };
            headers.insert(::reqwest::header::CONTENT_TYPE, value);
        }

        let mut cookies: Vec<String> = headers
            .get_all(::reqwest::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect();
        cookies.extend(request.cookies.iter().map(|(name, value)| format!("{name}={value}")));
        let mut sensitive_cookie = false;
        for cred in credentials {
            match &cred.apply {
                Apply::Header(name, value) => {
                    headers.insert(name.clone(), value.clone());
                }
                Apply::Cookie(name, secret) => {
                    sensitive_cookie = true;
                    cookies.push(format!("{name}={}", secret.expose()));
                }
                Apply::Query(..) | Apply::Token(_) => {}
            }
        }
        if !cookies.is_empty() {
            let mut value = HeaderValue::from_str(&cookies.join("; ")).map_err(|_| "invalid cookie".to_owned())?;
            value.set_sensitive(sensitive_cookie);
            headers.insert(::reqwest::header::COOKIE, value);
        }
        Ok(headers)
    }
}

/// Decodes a fully read response with the operation's decoder.
// The error is the one `Core::send` returns, unboxed by design.
#[allow(clippy::result_large_err)]
pub(super) fn finish<T, E>(
    raw: RawResponse<impl AsRef<[u8]> + Into<Vec<u8>>>,
    decode: Decoder<T, E>,
) -> Result<ApiResponse<T>, Error<E>> {
    match decode(raw.status, &raw.headers, raw.body.as_ref()) {
        Some(Ok(Outcome::Success(body))) => Ok(ApiResponse { status: raw.status, headers: raw.headers, body }),
        Some(Ok(Outcome::Failure(body))) => {
            Err(Error::Api { body, response: ResponseInfo::new(raw.status, raw.headers, raw.body.into()) })
        }
        Some(Err(source)) => {
            Err(Error::Decode { response: ResponseInfo::new(raw.status, raw.headers, raw.body.into()), source })
        }
        None => Err(Error::UnexpectedStatus(ResponseInfo::new(raw.status, raw.headers, raw.body.into()))),
    }
}

/// The delay before the next attempt, or `None` to stop retrying.
pub(super) fn policy_delay(
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

/// A fresh idempotency key: 128 bits in the UUID version 4 format.
///
/// No `uuid` or `getrandom` dependency: every `RandomState` is keyed from the operating system's
/// random source (once per thread, then stepped), and hashing a process-wide counter, the time
/// and the thread with a new one gives bits no other call gets and no one can predict. A key
/// only has to be unique per logical call, not secret.
fn idempotency_key() -> String {
    use ::std::hash::BuildHasher;
    use ::std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let state = ::std::collections::hash_map::RandomState::new();
    let thread = ::std::thread::current().id();
    let high = state.hash_one((call, nanos, thread, 0u8));
    let low = state.hash_one((call, nanos, thread, 1u8));
    let bits =
        (u128::from(high) << 64 | u128::from(low)) & !(0xF000 << 64 | 0xC000 << 48) | (0x4000 << 64 | 0x8000 << 48);
    let hex = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// The span of one call: operation id, method and path template; status, attempts and the
/// server's request id are recorded as they are known. No secret, parameter value or body.
#[cfg(feature = "tracing")]
fn call_span(operation: &'static str, request: &::reqwest::Request, path_template: &'static str) -> ::tracing::Span {
    ::tracing::info_span!(
        "api_call",
        operation,
        method = request.method().as_str(),
        path = path_template,
        status = ::tracing::field::Empty,
        attempts = ::tracing::field::Empty,
        request_id = ::tracing::field::Empty,
    )
}

/// Records a response's status and request id on the call's span.
#[cfg(feature = "tracing")]
pub(super) fn record_response(span: &::tracing::Span, response: &::reqwest::Response) {
    span.record("status", response.status().as_u16());
    if let Some(id) = super::response::request_id_from_headers(response.headers()) {
        span.record("request_id", id);
    }
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
pub(super) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(::reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = ::httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

pub(super) fn is_idempotent(method: &Method) -> bool {
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
    let dots = [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."];
    if path.split('/').any(|segment| dots.iter().any(|dot| segment.eq_ignore_ascii_case(dot))) {
        return Err("a path parameter may not be \".\" or \"..\"".to_owned());
    }
    Ok(())
}

/// Sets one header of a layer: it replaces the values an earlier layer set, and adds to those
/// set by the `earlier` names of its own layer.
fn set_in_layer<'a>(
    headers: &mut HeaderMap,
    mut earlier: impl Iterator<Item = &'a str>,
    name: HeaderName,
    value: HeaderValue,
) {
    if earlier.any(|earlier| earlier.eq_ignore_ascii_case(name.as_str())) {
        headers.append(name, value);
    } else {
        headers.insert(name, value);
    }
}

/// A checked request and what every attempt of it shares.
pub(super) struct Prepared {
    /// The request; its body is taken by the attempt that sends it last.
    pub(super) request: Request,
    /// The first attempt, built (without its body) by [`Core::prepare`].
    pub(super) first: Option<::reqwest::Request>,
    /// The idempotency key made for this call, sent on every attempt.
    pub(super) key: Option<HeaderValue>,
    /// Whether the body can be sent more than once (it is in memory, or there is none).
    pub(super) replayable: bool,
    /// Whether the body has been sent.
    pub(super) body_sent: bool,
    pub(super) operation: &'static str,
    /// Whether it carries an idempotency key, which makes it safe to replay.
    pub(super) keyed: bool,
    /// What hooks are told about the call.
    pub(super) call: CallInfo,
    /// The OAuth2 token source whose token is set on each attempt, if a credential is one.
    pub(super) token: Option<Arc<TokenSource>>,
    /// The call's span (operation, method, path template; status, attempts, request id).
    #[cfg(feature = "tracing")]
    pub(super) span: ::tracing::Span,
}

/// A fully read response, before decoding.
pub(super) struct RawResponse<B> {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: B,
}

/// Failures that do not depend on the operation's error type.
pub(super) enum Fault {
    Transport(::reqwest::Error),
    Timeout,
    MissingCredentials { operation: &'static str, schemes: String },
    InvalidRequest { operation: &'static str, reason: String },
    BodyTooLarge { status: StatusCode, limit: usize },
    Hook { operation: &'static str, source: super::HookError },
    Token(super::TokenError),
}

impl Fault {
    pub(super) fn into_error<E>(self) -> Error<E> {
        match self {
            Fault::Transport(err) => Error::Transport(err),
            Fault::Timeout => Error::Timeout,
            Fault::MissingCredentials { operation, schemes } => Error::MissingCredentials { operation, schemes },
            Fault::InvalidRequest { operation, reason } => Error::InvalidRequest { operation, reason },
            Fault::BodyTooLarge { status, limit } => Error::BodyTooLarge { status, limit },
            Fault::Hook { operation, source } => Error::Hook { operation, source },
            Fault::Token(source) => Error::Token(source),
        }
    }
}
