//! Streamed responses: server-sent events ([`Core::send_events`] and the event parser behind
//! [`EventStream`]) and sequences of JSON values ([`Core::send_items`] and [`ItemStream`], for
//! JSON Lines, NDJSON and JSON text sequences), both over [`Core::send_stream`]. Written into a
//! generated crate only when an operation's success body is streamed.

use ::std::fmt;
use ::std::time::Duration;

use super::call::{Attempts, BodyRead};
use super::error::describe_transport;
use super::send::{Fault, finish};
use super::{ApiResponse, Core, DecodeError, Decoder, Error, Request};

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
    /// One event, item or line exceeded the client's response size limit.
    #[error("an event or item exceeds the limit of {limit} bytes")]
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
    /// An item of a sequence of JSON values did not match its documented
    /// schema. The stream goes on: the next call reads the next item.
    #[error("failed to decode an item of the stream")]
    Item {
        /// The item's text as received.
        text: String,
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

/// A stream of JSON values (`application/jsonl`, `application/x-ndjson`,
/// `application/json-seq`), read with [`ItemStream::next`]:
///
/// ```text
/// let mut items = client.export_things().await?.into_body();
/// while let Some(item) = items.next().await {
///     println!("{:?}", item?);
/// }
/// ```
///
/// Items are separated by line feeds; a record separator (`0x1E`, which
/// starts each item of a JSON text sequence), a carriage return and blank
/// lines are skipped, and a last item without a line feed is read at the end
/// of the stream. Each item is decoded on its own: one that does not match
/// its schema is a [`StreamError::Item`] holding its text, and the stream
/// goes on. The client's timeout bounds each wait for more data; reading
/// stops at the first transport error, timeout or item larger than the
/// client's response size limit.
pub struct ItemStream<T> {
    bytes: ByteStream,
    buffer: Vec<u8>,
    /// Where the unread part of `buffer` starts.
    start: usize,
    /// How much of `buffer` is known to hold no line feed after `start`.
    scanned: usize,
    done: bool,
    item: ::std::marker::PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream").field("bytes", &self.bytes).field("done", &self.done).finish()
    }
}

impl<T: ::serde::de::DeserializeOwned> ItemStream<T> {
    /// Items of JSON decoded into `T`.
    pub fn json(bytes: ByteStream) -> Self {
        ItemStream { bytes, buffer: Vec::new(), start: 0, scanned: 0, done: false, item: ::std::marker::PhantomData }
    }

    /// The next item, `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<T, StreamError>> {
        loop {
            if let Some(end) = self.buffer[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + end;
                let item = decode_item(&self.buffer[self.start..end]);
                self.start = end + 1;
                self.scanned = self.start;
                if item.is_some() {
                    return item;
                }
                continue;
            }
            self.scanned = self.buffer.len();
            if self.done {
                let item = decode_item(&self.buffer[self.start..]);
                self.clear();
                return item;
            }
            if self.buffer.len() - self.start > self.bytes.max_event_bytes {
                self.done = true;
                self.clear();
                return Some(Err(StreamError::TooLarge { limit: self.bytes.max_event_bytes }));
            }
            match self.bytes.chunk().await {
                Ok(Some(chunk)) => {
                    // What was read is dropped only when more arrives: once per chunk, not per item.
                    self.buffer.drain(..self.start);
                    self.scanned -= self.start;
                    self.start = 0;
                    self.buffer.extend_from_slice(&chunk);
                }
                Ok(None) => self.done = true,
                Err(err) => {
                    self.done = true;
                    self.clear();
                    return Some(Err(err));
                }
            }
        }
    }

    fn clear(&mut self) {
        self.buffer.clear();
        self.start = 0;
        self.scanned = 0;
    }
}

/// One item's bytes (a line without its line feed) decoded; `None` when it is blank.
fn decode_item<T: ::serde::de::DeserializeOwned>(text: &[u8]) -> Option<Result<T, StreamError>> {
    let start = text.iter().position(|&b| b != 0x1E && !b.is_ascii_whitespace())?;
    let text = text[start..].trim_ascii_end();
    Some(::serde_json::from_slice(text).map_err(|source| StreamError::Item {
        text: String::from_utf8_lossy(text).into_owned(),
        source: DecodeError::Json(source),
    }))
}

impl Core {
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
        let prepared = self.prepare(request).map_err(Fault::into_error)?;
        #[cfg(feature = "tracing")]
        let span = prepared.span.clone();
        let mut timer = ::std::pin::pin!(::tokio::time::sleep(self.timeout));
        let mut attempts = Attempts::new(self, prepared);
        let executed = ::std::future::poll_fn(|cx| attempts.poll_response(timer.as_mut(), cx));
        #[cfg(feature = "tracing")]
        let executed = ::tracing::Instrument::instrument(executed, span);
        let mut response = executed.await.map_err(Fault::into_error)?;
        let status = response.status();
        if status.is_success() {
            let headers = ::std::mem::take(response.headers_mut());
            let stream =
                ByteStream { response, idle_timeout: self.timeout, max_event_bytes: self.shared.max_response_bytes };
            return Ok(ApiResponse { status, headers, body: open(stream) });
        }
        let mut read = BodyRead::new(response, self.shared.max_response_bytes).map_err(Fault::into_error)?;
        let raw = ::std::future::poll_fn(|cx| read.poll_before(timer.as_mut(), cx)).await.map_err(Fault::into_error)?;
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

    /// [`Core::send_stream`] for a sequence of JSON values of `media` type
    /// (`application/jsonl`, ...): asks for it with `Accept` unless the request
    /// already has an `Accept` header.
    pub async fn send_items<T: ::serde::de::DeserializeOwned, E>(
        &self,
        mut request: Request,
        media: &'static str,
        decode: Decoder<ItemStream<T>, E>,
    ) -> Result<ApiResponse<ItemStream<T>>, Error<E>> {
        if !request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept")) {
            request.header("accept", media);
        }
        self.send_stream(request, ItemStream::json, decode).await
    }
}
