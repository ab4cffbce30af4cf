//! [`Call`]: the future of one call, written out as a state machine so that a request builder
//! can name it as its `IntoFuture` without boxing it. [`Attempts`] sends the attempts until one
//! is answered for good (retries, tokens, hooks); [`BodyRead`] reads that answer's body under
//! the same timeout.
//!
//! An `async` block would do the same, but its type has no name: a builder could only return it
//! boxed, one allocation of a couple of kilobytes per call, too large for the allocator's
//! per-thread caches. Here the common path allocates nothing of its own, and each rare step (an
//! OAuth2 token, hooks, a backoff) is a small boxed future of its own.

use ::std::future::Future;
use ::std::mem;
use ::std::pin::Pin;
use ::std::sync::Arc;
use ::std::task::{Context, Poll, ready};
use ::std::time::Duration;

use ::reqwest::header::HeaderValue;
use ::reqwest::{StatusCode, header::HeaderMap};
use ::tokio::time::Sleep;

use super::hooks::HookError;
use super::oauth2::TokenError;
use super::send::{Fault, Prepared, RawResponse, finish, is_idempotent, parse_retry_after, policy_delay};
use super::{ApiResponse, Core, Decoder, Error};

/// A boxed future for the rare steps of a call.
type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The future of one attempt's response headers, named through the `tower` service `reqwest`'s
/// client is (its `execute` returns it as an unnamed `impl Future`).
type Pending = <::reqwest::Client as ::tower_service::Service<::reqwest::Request>>::Future;

/// One piece of a response body, as `reqwest` reads it.
pub(super) type Chunk = <::reqwest::Body as ::http_body::Body>::Data;

::pin_project_lite::pin_project! {
    /// What sending an operation's request returns, and `.await`ing its builder runs: the call,
    /// with its retries, credentials and timeout, its body read and decoded.
    #[must_use = "a call does nothing until it is awaited"]
    pub struct Call<'a, T, E> {
        // The per-attempt timeout, reset as each attempt starts and running on until the body
        // is read.
        #[pin]
        timer: Sleep,
        state: State<'a>,
        decode: Decoder<T, E>,
        // The call's span, entered whenever the call is polled.
        span: CallSpan,
    }
}

/// The span a [`Call`] enters (with the `tracing` feature).
#[cfg(feature = "tracing")]
type CallSpan = ::tracing::Span;
#[cfg(not(feature = "tracing"))]
type CallSpan = ();

/// Where a [`Call`] is.
// Sending is where every call starts, so it is not boxed: that would cost each call an allocation.
#[allow(clippy::large_enum_variant)]
enum State<'a> {
    /// The request could not be prepared; the fault is returned on the first poll.
    Refused(Fault),
    Sending(Attempts<'a>),
    Reading(BodyRead),
    Done,
}

impl<'a, T, E> Call<'a, T, E> {
    pub(super) fn new(core: &'a Core, prepared: Result<Prepared, Fault>, decode: Decoder<T, E>) -> Self {
        #[cfg(feature = "tracing")]
        let span = prepared.as_ref().map_or_else(|_| ::tracing::Span::none(), |prepared| prepared.span.clone());
        #[cfg(not(feature = "tracing"))]
        let span = ();
        let state = match prepared {
            Ok(prepared) => State::Sending(Attempts::new(core, prepared)),
            Err(fault) => State::Refused(fault),
        };
        Call { timer: ::tokio::time::sleep(core.timeout), state, decode, span }
    }
}

impl<T, E> ::std::fmt::Debug for Call<'_, T, E> {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        let state = match &self.state {
            State::Refused(_) => "refused",
            State::Sending(_) => "sending",
            State::Reading(_) => "reading the body",
            State::Done => "done",
        };
        f.debug_struct("Call").field("state", &state).finish_non_exhaustive()
    }
}

impl<T, E> Future for Call<'_, T, E> {
    type Output = Result<ApiResponse<T>, Error<E>>;

    // The error is the one every call returns, unboxed by design.
    #[allow(clippy::result_large_err)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        #[cfg(feature = "tracing")]
        let _entered = this.span.enter();
        loop {
            match this.state {
                State::Refused(_) => {
                    if let State::Refused(fault) = mem::replace(this.state, State::Done) {
                        return Poll::Ready(Err(fault.into_error()));
                    }
                }
                State::Sending(attempts) => {
                    let sent = ready!(attempts.poll_response(this.timer.as_mut(), cx));
                    let limit = attempts.core.shared.max_response_bytes;
                    match sent.and_then(|response| BodyRead::new(response, limit)) {
                        Ok(read) => *this.state = State::Reading(read),
                        Err(fault) => {
                            *this.state = State::Done;
                            return Poll::Ready(Err(fault.into_error()));
                        }
                    }
                }
                State::Reading(read) => {
                    let raw = ready!(read.poll_before(this.timer.as_mut(), cx));
                    *this.state = State::Done;
                    return Poll::Ready(raw.map_err(Fault::into_error).and_then(|raw| finish(raw, *this.decode)));
                }
                State::Done => panic!("a call was polled after it returned"),
            }
        }
    }
}

/// The attempts of one call: sends them until one is answered for good, retrying as the policy
/// allows, and returns that response with its body unread.
///
/// The timeout is the caller's timer, set to end `timeout` after each attempt starts: one `tokio`
/// timer per call, not `reqwest`'s per-request timeout (which costs every call a map in the
/// request's extensions and a boxed timer). It bounds the wait for the response headers here;
/// the caller bounds reading the body with it, or (a stream) each wait for more data with the
/// timeout itself.
pub(super) struct Attempts<'a> {
    core: &'a Core,
    pub(super) prepared: Prepared,
    step: Step<'a>,
    /// A request with an idempotency key is safe to replay: the server runs it once.
    replay_safe: bool,
    /// The retries the policy allows, or none when the request body is streamed (it can be sent
    /// once only).
    max_retries: u32,
    retries: u32,
    slept: Duration,
    /// Whether a refused token has been fetched again (once per call).
    refreshed: bool,
    /// The token the current attempt was sent with.
    sent_token: Option<HeaderValue>,
}

/// What the attempts wait for.
enum Step<'a> {
    /// Nothing: the next attempt is built on the next poll.
    Build,
    /// The attempt's OAuth2 token, with the attempt to set it on.
    Token(Boxed<'a, (::reqwest::Request, Result<HeaderValue, TokenError>)>),
    /// The hooks, which have the attempt and give it back.
    RequestHooks(Boxed<'a, (::reqwest::Request, Result<(), HookError>)>),
    /// The response headers.
    Response(Pending),
    /// The hooks, which have the response and give it back.
    ResponseHooks(Boxed<'a, (::reqwest::Response, Result<(), HookError>)>),
    /// The refused token is dropped from the cache.
    Invalidate(Boxed<'a, ()>),
    /// The backoff before the next attempt.
    Backoff(Pin<Box<Sleep>>),
}

impl<'a> Attempts<'a> {
    pub(super) fn new(core: &'a Core, prepared: Prepared) -> Self {
        let policy = &core.retry;
        let replay_safe = is_idempotent(&prepared.request.method) || policy.retry_non_idempotent || prepared.keyed;
        let max_retries = if prepared.replayable { policy.max_retries } else { 0 };
        Attempts {
            core,
            prepared,
            step: Step::Build,
            replay_safe,
            max_retries,
            retries: 0,
            slept: Duration::ZERO,
            refreshed: false,
            sent_token: None,
        }
    }

    /// Drives the attempts: the response to read, or the fault that ends the call.
    pub(super) fn poll_response(
        &mut self,
        mut timer: Pin<&mut Sleep>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<::reqwest::Response, Fault>> {
        let core = self.core;
        let operation = self.prepared.operation;
        let hook_fault = |source| Fault::Hook { operation, source };
        loop {
            match &mut self.step {
                Step::Build => {
                    let may_retry = self.retries < self.max_retries;
                    // No attempt can follow this one: send the request itself, not a copy.
                    let last = !may_retry && (self.prepared.token.is_none() || self.refreshed);
                    let attempt = core.attempt(&mut self.prepared, last)?;
                    self.prepared.call.attempt = self.retries + 1;
                    #[cfg(feature = "tracing")]
                    self.prepared.span.record("attempts", self.retries + 1);
                    self.sent_token = None;
                    match self.prepared.token.as_ref() {
                        Some(token) => {
                            let token = Arc::clone(token);
                            let client = &core.shared.client;
                            let fetch = async move { (attempt, token.header_value(client).await) };
                            self.step = Step::Token(Box::pin(fetch));
                        }
                        None => self.hooks_or_send(attempt, timer.as_mut()),
                    }
                }
                Step::Token(fetch) => {
                    let (mut attempt, value) = ready!(fetch.as_mut().poll(cx));
                    let value = value.map_err(Fault::Token)?;
                    attempt.headers_mut().insert(::reqwest::header::AUTHORIZATION, value.clone());
                    self.sent_token = Some(value);
                    self.hooks_or_send(attempt, timer.as_mut());
                }
                Step::RequestHooks(run) => {
                    let (attempt, outcome) = ready!(run.as_mut().poll(cx));
                    outcome.map_err(hook_fault)?;
                    self.send(attempt, timer.as_mut());
                }
                Step::Response(pending) => {
                    let sent = ready!(before(Pin::new(pending).poll(cx), timer.as_mut(), cx))?;
                    if let Some(done) = self.hooks_or_answer(sent) {
                        return Poll::Ready(done);
                    }
                }
                Step::ResponseHooks(run) => {
                    let (response, outcome) = ready!(run.as_mut().poll(cx));
                    outcome.map_err(hook_fault)?;
                    if let Some(done) = self.answered(Ok(response)) {
                        return Poll::Ready(done);
                    }
                }
                Step::Invalidate(run) => {
                    ready!(run.as_mut().poll(cx));
                    self.step = Step::Build;
                }
                Step::Backoff(sleep) => {
                    ready!(sleep.as_mut().poll(cx));
                    self.step = Step::Build;
                }
            }
        }
    }

    /// Runs the hooks on the attempt, or sends it when there are none.
    fn hooks_or_send(&mut self, mut attempt: ::reqwest::Request, timer: Pin<&mut Sleep>) {
        let hooks = &self.core.shared.hooks;
        if hooks.is_empty() {
            return self.send(attempt, timer);
        }
        let call = self.prepared.call.clone();
        self.step = Step::RequestHooks(Box::pin(async move {
            for hook in hooks {
                if let Err(err) = hook.on_request(&mut attempt, &call).await {
                    return (attempt, Err(err));
                }
            }
            (attempt, Ok(()))
        }));
    }

    /// Runs the hooks on the response; when there are none (or no response), what the answer
    /// leads to, as [`Attempts::answered`] says.
    fn hooks_or_answer(
        &mut self,
        sent: Result<::reqwest::Response, ::reqwest::Error>,
    ) -> Option<Result<::reqwest::Response, Fault>> {
        let hooks = &self.core.shared.hooks;
        let mut response = match sent {
            Ok(response) if !hooks.is_empty() => response,
            sent => return self.answered(sent),
        };
        let call = self.prepared.call.clone();
        self.step = Step::ResponseHooks(Box::pin(async move {
            for hook in hooks {
                if let Err(err) = hook.on_response(&mut response, &call).await {
                    return (response, Err(err));
                }
            }
            (response, Ok(()))
        }));
        None
    }

    /// Sends the attempt, its timeout starting now.
    fn send(&mut self, attempt: ::reqwest::Request, mut timer: Pin<&mut Sleep>) {
        timer.as_mut().reset(::tokio::time::Instant::now() + self.core.timeout);
        let mut client = &self.core.shared.client;
        self.step = Step::Response(::tower_service::Service::call(&mut client, attempt));
    }

    /// What an answered attempt leads to: `Some` ends the call with it; `None` means another
    /// attempt follows (its step is set).
    fn answered(
        &mut self,
        sent: Result<::reqwest::Response, ::reqwest::Error>,
    ) -> Option<Result<::reqwest::Response, Fault>> {
        let policy = &self.core.retry;
        let may_retry = self.retries < self.max_retries;
        let delay = match sent {
            Err(err) => {
                // A connect failure means nothing was sent. Other request failures (e.g. a reset
                // keep-alive connection) may have reached the server, so only replay-safe
                // requests retry.
                let retryable = err.is_connect() || (self.replay_safe && err.is_request() && !err.is_timeout());
                match policy_delay(policy, self.retries, self.slept, may_retry && retryable, None) {
                    Some(delay) => delay,
                    None => return Some(Err(Fault::Transport(err.without_url()))),
                }
            }
            Ok(response) => {
                let status = response.status();
                #[cfg(feature = "tracing")]
                super::send::record_response(&self.prepared.span, &response);
                // A cached token the server refuses is fetched again, once per call (when the
                // request can be sent again).
                let refusing = status == StatusCode::UNAUTHORIZED && !self.refreshed && self.prepared.replayable;
                if let Some(token) = self.prepared.token.as_ref().filter(|_| refusing) {
                    let token = Arc::clone(token);
                    let sent = self.sent_token.take();
                    self.step = Step::Invalidate(Box::pin(async move { token.invalidate(sent.as_ref()).await }));
                    self.refreshed = true;
                    return None;
                }
                let retry_after = parse_retry_after(response.headers());
                let retryable = match status.as_u16() {
                    429 => true,
                    503 => self.replay_safe || retry_after.is_some(),
                    502 | 504 => self.replay_safe,
                    _ => false,
                };
                match policy_delay(policy, self.retries, self.slept, may_retry && retryable, retry_after) {
                    Some(delay) => delay,
                    None => return Some(Ok(response)),
                }
            }
        };
        self.step = if delay.is_zero() { Step::Build } else { Step::Backoff(Box::pin(::tokio::time::sleep(delay))) };
        self.slept += delay;
        self.retries += 1;
        None
    }
}

/// Reads a response body, failing as soon as it exceeds the limit.
///
/// A body that arrives in one chunk (most do) is kept as that chunk, not copied.
pub(super) struct BodyRead {
    status: StatusCode,
    headers: HeaderMap,
    body: ::reqwest::Body,
    limit: usize,
    /// The announced length, within the limit: what the buffer starts with when it is needed.
    initial: usize,
    first: Option<Chunk>,
    joined: Vec<u8>,
    len: usize,
}

impl BodyRead {
    pub(super) fn new(mut response: ::reqwest::Response, limit: usize) -> Result<BodyRead, Fault> {
        let status = response.status();
        let announced = response.content_length();
        if announced.is_some_and(|len| len > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Err(Fault::BodyTooLarge { status, limit });
        }
        let headers = mem::take(response.headers_mut());
        let initial = announced.and_then(|len| usize::try_from(len).ok()).unwrap_or(0).min(limit);
        let body = ::http::Response::<::reqwest::Body>::from(response).into_body();
        Ok(BodyRead { status, headers, body, limit, initial, first: None, joined: Vec::new(), len: 0 })
    }

    /// The whole body, or [`Fault::Timeout`] if `timer` ends first.
    pub(super) fn poll_before(
        &mut self,
        timer: Pin<&mut Sleep>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<RawResponse<Chunk>, Fault>> {
        before(self.poll_read(cx), timer, cx).map(|read| read.and_then(|read| read))
    }

    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<Result<RawResponse<Chunk>, Fault>> {
        use ::http_body::Body as _;
        let too_large = Fault::BodyTooLarge { status: self.status, limit: self.limit };
        while let Some(frame) = ready!(Pin::new(&mut self.body).poll_frame(cx)) {
            let frame = frame.map_err(|err| Fault::Transport(err.without_url()))?;
            // Trailers and other frames carry no body.
            let Ok(chunk) = frame.into_data() else { continue };
            self.len = match self.len.checked_add(chunk.len()) {
                Some(needed) if needed <= self.limit => needed,
                _ => return Poll::Ready(Err(too_large)),
            };
            if self.first.is_none() && self.joined.is_empty() {
                self.first = Some(chunk);
                continue;
            }
            if self.len > self.joined.capacity() {
                // Grow geometrically, but never past the limit.
                let target = self.joined.capacity().saturating_mul(2).max(self.len).max(self.initial).min(self.limit);
                self.joined.reserve_exact(target - self.joined.len());
            }
            if let Some(first) = self.first.take() {
                self.joined.extend_from_slice(&first);
            }
            self.joined.extend_from_slice(&chunk);
        }
        let body = match self.first.take() {
            Some(only) => only,
            None => mem::take(&mut self.joined).into(),
        };
        Poll::Ready(Ok(RawResponse { status: self.status, headers: mem::take(&mut self.headers), body }))
    }
}

/// What a future's poll gave, or [`Fault::Timeout`] if it is still pending and `timer` has ended:
/// the future is polled first, so an answer that is ready wins over a timer that ended with it.
fn before<T>(polled: Poll<T>, mut timer: Pin<&mut Sleep>, cx: &mut Context<'_>) -> Poll<Result<T, Fault>> {
    match polled {
        Poll::Ready(output) => Poll::Ready(Ok(output)),
        Poll::Pending => timer.as_mut().poll(cx).map(|()| Err(Fault::Timeout)),
    }
}
