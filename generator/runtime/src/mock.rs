//! What the generated `mock` module (cargo feature `mock`) is built on: [`MockCall`], one
//! operation's wiremock mock while a test narrows it, and [`mock_methods!`], the methods every
//! operation's mock type shares. The generated code keeps only what differs per operation: the
//! path parameter, query, header and body setters, and the typed `ok` and `error`.

use std::fmt::Display;

use wiremock::matchers::{body_json, header, method, path_regex, query_param};
use wiremock::{Match, MockBuilder, MockServer, ResponseTemplate, Times};

use super::request::path_segment;

/// The characters a regular expression gives a meaning.
const META: &str = "\\.+*?()|[]{}^$#&-~";

/// One operation's mock being set up: the matchers so far, the path parameters to match, and how
/// to answer. Nothing reaches the server until [`mount`](Self::mount).
pub struct MockCall<'a> {
    server: &'a MockServer,
    builder: MockBuilder,
    /// The path's text around its parameters: a parameter goes between each two pieces.
    pieces: &'static [&'static str],
    /// Each path parameter's value once set (as sent: percent-encoded); unset matches any segment.
    path: Vec<Option<String>>,
    headers: Vec<(String, String)>,
    times: Option<Times>,
    limit: Option<u64>,
}

impl<'a> MockCall<'a> {
    /// A mock of requests with HTTP method `method` whose path is `pieces` joined by one segment
    /// each: `["/pets/", ""]` for `/pets/{id}`.
    pub fn new(server: &'a MockServer, http_method: &str, pieces: &'static [&'static str]) -> Self {
        MockCall {
            server,
            builder: wiremock::Mock::given(method(http_method)),
            pieces,
            path: vec![None; pieces.len().saturating_sub(1)],
            headers: Vec::new(),
            times: None,
            limit: None,
        }
    }

    /// Matches only requests whose path parameter number `slot` (from 0) is `value`.
    pub fn path(mut self, slot: usize, value: impl Display) -> Self {
        if let Some(segment) = self.path.get_mut(slot) {
            *segment = Some(path_segment(value).to_string());
        }
        self
    }

    /// Matches only requests whose query parameter `name` is `value`.
    pub fn query(self, name: &str, value: impl Display) -> Self {
        self.and(query_param(name, value.to_string()))
    }

    /// Matches only requests whose header `name` is `value`.
    pub fn request_header(self, name: &str, value: impl Display) -> Self {
        self.and(header(name, value.to_string().as_str()))
    }

    /// Matches only requests whose JSON body equals `body`.
    pub fn body(self, body: &impl serde::Serialize) -> Self {
        self.and(body_json(body))
    }

    /// Matches only requests that also satisfy `matcher`.
    pub fn and(mut self, matcher: impl Match + 'static) -> Self {
        self.builder = self.builder.and(matcher);
        self
    }

    /// Requires this many matching calls.
    pub fn expect(mut self, times: impl Into<Times>) -> Self {
        self.times = Some(times.into());
        self
    }

    /// Answers at most `n` matching calls.
    pub fn up_to_n_times(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Adds a header to the response.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Mounts the mock on its server, answering with `response` and the headers added.
    pub async fn mount(self, mut response: ResponseTemplate) {
        for (name, value) in &self.headers {
            response = response.insert_header(name.as_str(), value.as_str());
        }
        let path = path_regex(self.path_pattern());
        let mut mock = self.builder.and(path).respond_with(response);
        if let Some(times) = self.times {
            mock = mock.expect(times);
        }
        if let Some(n) = self.limit {
            mock = mock.up_to_n_times(n);
        }
        mock.mount(self.server).await;
    }

    /// The path's regular expression: the pieces as they are, with each path parameter set
    /// matched exactly and each other one matching any one segment.
    fn path_pattern(&self) -> String {
        let mut pattern = String::from("^");
        for (index, piece) in self.pieces.iter().enumerate() {
            escape_into(piece, &mut pattern);
            match self.path.get(index) {
                Some(Some(value)) => escape_into(value, &mut pattern),
                Some(None) => pattern.push_str("[^/]+"),
                None => {}
            }
        }
        pattern.push('$');
        pattern
    }
}

/// Appends `text` with the characters regular expressions give a meaning escaped.
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if META.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The methods every operation's mock type shares, for a tuple struct `$mock<'a>` around a
/// [`MockCall`]: `matching`, `expect`, `up_to_n_times`, `header` and `respond`. The generated
/// `mock` module writes one call per operation beside that operation's own setters and answers.
#[allow(unused_macros)]
macro_rules! mock_methods {
    ($mock:ident) => {
        impl $mock<'_> {
            /// Matches only requests that also satisfy `matcher` (any wiremock matcher).
            pub fn matching(self, matcher: impl ::wiremock::Match + 'static) -> Self {
                Self(self.0.and(matcher))
            }

            /// Requires this many matching calls (`1`, `2..`, `..=3`), checked when the server is
            /// dropped or verified.
            pub fn expect(self, times: impl ::std::convert::Into<::wiremock::Times>) -> Self {
                Self(self.0.expect(times))
            }

            /// Answers at most `n` matching calls; later ones fall through to other mocks (a 429
            /// first, then a success).
            pub fn up_to_n_times(self, n: u64) -> Self {
                Self(self.0.up_to_n_times(n))
            }

            /// Adds a header to the response.
            pub fn header(
                self,
                name: impl ::std::convert::Into<::std::string::String>,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                Self(self.0.header(name, value))
            }

            /// Answers with `response` as it is: an undocumented status, a malformed body, a delay.
            pub async fn respond(self, response: ::wiremock::ResponseTemplate) {
                self.0.mount(response).await;
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use mock_methods;
