//! Pagination: [`Pages`] yields every page of a listing and [`Items`] every item across pages,
//! both as `futures_core::Stream`s (and through their own `next` method). Each page is one call
//! of the operation (same credentials, retries, timeouts, per-call options and errors), sent
//! only when the stream is polled for it. The stream ends after the last page, after an error
//! (yielded once), or at the page bound ([`Pages::max_pages`], default [`DEFAULT_MAX_PAGES`]).

use ::std::collections::VecDeque;
use ::std::pin::Pin;
use ::std::task::{Context, Poll};

use ::futures_core::Stream;
use ::reqwest::header::HeaderMap;

use super::{ApiResponse, CallFuture, Error, NextPage};

/// How many pages a listing fetches at most unless [`Pages::max_pages`] says otherwise.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// How the next page of a listing is found, as generated code recognised it in the spec.
pub enum Paging<T> {
    /// A cursor in the body, sent back as the query parameter `param`; no cursor (or `null`, an
    /// empty one, the same one again, or `has_more: false`) ends the listing.
    Cursor {
        /// The query parameter the cursor goes into.
        param: &'static str,
        /// The page's cursor for the next page.
        cursor: fn(&T) -> Option<String>,
        /// The page's "more pages follow" flag, when the body has one.
        has_more: Option<fn(&T) -> Option<bool>>,
    },
    /// An item offset in the query parameter `param`, advanced by the items each page holds; a
    /// page with no items, or fewer than `limit`, ends the listing.
    Offset {
        /// The query parameter.
        param: &'static str,
        /// The offset of the first page (the call's own, else 0).
        start: u64,
        /// The page size the call asked for, if it did.
        limit: Option<u64>,
        /// How many items a page holds.
        count: fn(&T) -> usize,
    },
    /// A page number in the query parameter `param`, advanced by one; a page with no items, or
    /// fewer than `limit`, ends the listing.
    PageNumber {
        /// The query parameter.
        param: &'static str,
        /// The number of the first page (the call's own, else 1).
        start: u64,
        /// The page size the call asked for, if it did.
        limit: Option<u64>,
        /// How many items a page holds.
        count: fn(&T) -> usize,
    },
    /// RFC 8288 `Link: <url>; rel="next"` response headers; no such link ends the listing.
    LinkHeader,
    /// A next-page URL in the body; none ends the listing.
    NextUrl {
        /// The page's link to the next page.
        url: fn(&T) -> Option<String>,
    },
}

/// Sends the call for one page: the first (`None`) or the one a [`NextPage`] points to.
pub type FetchPage<'a, T, E> = Box<dyn FnMut(Option<NextPage>) -> CallFuture<'a, T, E> + Send + 'a>;

/// Where a [`Pages`] stream is.
enum State<'a, T, E> {
    /// The next page is to be fetched when polled.
    Next(Option<NextPage>),
    /// A page's call is under way.
    Fetching(CallFuture<'a, T, E>),
    /// The listing is over.
    Done,
}

/// Every page of a listing, fetched one at a time as the stream is polled.
#[must_use = "a stream does nothing until polled"]
pub struct Pages<'a, T, E> {
    paging: Paging<T>,
    fetch: FetchPage<'a, T, E>,
    state: State<'a, T, E>,
    max_pages: usize,
    fetched: usize,
    /// The offset or page number of the page last fetched.
    position: u64,
    /// The cursor or link that led to the page last fetched.
    last: Option<String>,
}

// No field is ever pinned in place: futures are boxed.
impl<T, E> Unpin for Pages<'_, T, E> {}

impl<'a, T, E> Pages<'a, T, E> {
    #[doc(hidden)]
    /// A listing found by `paging` whose pages `fetch` sends.
    pub fn new(paging: Paging<T>, fetch: FetchPage<'a, T, E>) -> Self {
        let position = match &paging {
            Paging::Offset { start, .. } | Paging::PageNumber { start, .. } => *start,
            _ => 0,
        };
        Pages {
            paging,
            fetch,
            state: State::Next(None),
            max_pages: DEFAULT_MAX_PAGES,
            fetched: 0,
            position,
            last: None,
        }
    }

    /// Fetches at most `max_pages` pages (the stream ends after them).
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// The items of every page, one at a time; `items` takes a page's body apart.
    pub fn items<I>(self, items: fn(T) -> Vec<I>) -> Items<'a, I, T, E> {
        Items { pages: self, items, buffer: VecDeque::new() }
    }

    /// The next page: `None` once the listing is over. The same as `StreamExt::next`.
    pub async fn next(&mut self) -> Option<Result<ApiResponse<T>, Error<E>>> {
        ::std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Where the page after `page` is, or `None` when `page` is the last.
    fn after(&mut self, page: &ApiResponse<T>) -> Option<NextPage> {
        let (name, value) = match &self.paging {
            Paging::Cursor { param, cursor, has_more } => {
                if has_more.and_then(|has_more| has_more(&page.body)) == Some(false) {
                    return None;
                }
                (Some(*param), cursor(&page.body)?)
            }
            Paging::Offset { param, limit, count, .. } => {
                let count = count(&page.body);
                if count == 0 || limit.is_some_and(|limit| (count as u64) < limit) {
                    return None;
                }
                self.position = self.position.saturating_add(count as u64);
                return Some(NextPage::Query { name: param, value: self.position.to_string() });
            }
            Paging::PageNumber { param, limit, count, .. } => {
                let count = count(&page.body);
                if count == 0 || limit.is_some_and(|limit| (count as u64) < limit) {
                    return None;
                }
                self.position = self.position.saturating_add(1);
                return Some(NextPage::Query { name: param, value: self.position.to_string() });
            }
            Paging::LinkHeader => (None, next_link(&page.headers)?),
            Paging::NextUrl { url } => (None, url(&page.body)?),
        };
        // An empty cursor, or the one that led here, would never end.
        if value.is_empty() || self.last.as_deref() == Some(value.as_str()) {
            return None;
        }
        self.last = Some(value.clone());
        Some(match name {
            Some(name) => NextPage::Query { name, value },
            None => NextPage::Url(value),
        })
    }
}

impl<T, E> Stream for Pages<'_, T, E> {
    type Item = Result<ApiResponse<T>, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Next(next) => {
                    if this.fetched >= this.max_pages {
                        this.state = State::Done;
                        continue;
                    }
                    let next = next.take();
                    this.fetched += 1;
                    this.state = State::Fetching((this.fetch)(next));
                }
                State::Fetching(call) => {
                    let result = match call.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(result) => result,
                    };
                    let next = result.as_ref().ok().and_then(|page| this.after(page));
                    this.state = next.map_or(State::Done, |next| State::Next(Some(next)));
                    return Poll::Ready(Some(result));
                }
            }
        }
    }
}

/// Every item of a listing, across pages fetched one at a time as the stream is polled. An
/// error fetching a page is yielded once, after the items of the pages before it, and ends the
/// stream.
#[must_use = "a stream does nothing until polled"]
pub struct Items<'a, I, T, E> {
    pages: Pages<'a, T, E>,
    items: fn(T) -> Vec<I>,
    buffer: VecDeque<I>,
}

// No field is ever pinned in place: futures are boxed.
impl<I, T, E> Unpin for Items<'_, I, T, E> {}

impl<I, T, E> Items<'_, I, T, E> {
    /// Fetches at most `max_pages` pages (the stream ends after their items).
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.pages.max_pages = max_pages;
        self
    }

    /// The next item: `None` once the listing is over. The same as `StreamExt::next`.
    pub async fn next(&mut self) -> Option<Result<I, Error<E>>> {
        ::std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<I, T, E> Stream for Items<'_, I, T, E> {
    type Item = Result<I, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(page))) => this.buffer.extend((this.items)(page.body)),
            }
        }
    }
}

/// The target of the first `rel="next"` link of the `Link` headers (RFC 8288).
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(::reqwest::header::LINK) {
        let Ok(mut rest) = value.to_str() else { continue };
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let close = after.find('>')?;
            let target = &after[..close];
            let params_end = after[close..].find('<').map_or(after.len(), |next| close + next);
            let params = &after[close + 1..params_end];
            let is_next = params.split(';').any(|param| {
                let Some((name, value)) = param.split_once('=') else { return false };
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_end_matches(',')
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            });
            if is_next {
                return Some(target.to_owned());
            }
            rest = &after[params_end..];
        }
    }
    None
}
