//! [`Request`]: what generated code builds per call: the path (segments encoded by their
//! style), query parameters by style, headers, cookies and the body encoders.

use ::std::fmt::{self, Write as _};

use ::reqwest::Method;

use super::security::is_cookie_name;

/// Percent-encodes one path segment: everything except RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) is encoded, and a segment that is
/// exactly `.` or `..` is encoded as `%2E` / `%2E%2E`.
///
/// Note that URL parsers treat `%2E%2E` as `..`, so [`Core::send`](super::Core::send) rejects a
/// path containing such a segment with [`Error::InvalidRequest`](super::Error::InvalidRequest) rather than
/// let it climb the path.
///
/// ```text
/// encode_path_segment("../admin?x=1#y") == "..%2Fadmin%3Fx%3D1%23y"
/// ```
pub fn encode_path_segment(value: &str) -> String {
    // [`path_segment`]'s encoding, but for the empty value, which stays empty here.
    if value.is_empty() { String::new() } else { path_segment(value).to_string() }
}

/// What an empty path parameter puts in the path. No URL holds a raw NUL,
/// and [`Core::send`](super::Core::send) refuses a path that holds one with
/// [`Error::InvalidRequest`](super::Error::InvalidRequest): `/calls/{id}` with an empty `id` must not
/// become `/calls/`, which names the collection.
pub(super) const EMPTY_SEGMENT: &str = "\0";

/// The characters a path segment keeps as they are: RFC 3986's unreserved ones.
const SEGMENT: &::percent_encoding::AsciiSet =
    &::percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// [`encode_path_segment`] of a value's `Display` text: how generated code puts a scalar path
/// parameter (`style: simple`) into the path (`format!("/calls/{}", path_segment(id))`). An
/// empty value is refused when the request is sent.
///
/// The text is encoded as the value writes it, never held in a `String` of its own.
pub fn path_segment<T: fmt::Display>(value: T) -> PathSegment<T> {
    PathSegment(value)
}

/// What [`path_segment`] returns: a value whose `Display` is its encoded path segment.
pub struct PathSegment<T>(T);

impl<T: fmt::Display> fmt::Display for PathSegment<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut encoder = SegmentEncoder { out: f, dots: 0, plain: false };
        fmt::write(&mut encoder, format_args!("{}", self.0))?;
        match (encoder.plain, encoder.dots) {
            (true, _) => Ok(()),
            (false, 0) => encoder.out.write_str(EMPTY_SEGMENT),
            (false, 1) => encoder.out.write_str("%2E"),
            (false, 2) => encoder.out.write_str("%2E%2E"),
            (false, dots) => (0..dots).try_for_each(|_| encoder.out.write_char('.')),
        }
    }
}

/// Percent-encodes text as it is written. A segment of only dots is held back (as a count)
/// until something else follows or the text ends: `.` and `..` are written encoded.
struct SegmentEncoder<'a, 'b> {
    out: &'a mut fmt::Formatter<'b>,
    /// Dots written so far and held back, while nothing else has been.
    dots: usize,
    /// Whether something other than a dot has been written (the held dots with it).
    plain: bool,
}

impl fmt::Write for SegmentEncoder<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if !self.plain {
            let dots = text.bytes().take_while(|&b| b == b'.').count();
            self.dots += dots;
            if dots == text.len() {
                return Ok(());
            }
            self.plain = true;
            (0..self.dots - dots).try_for_each(|_| self.out.write_char('.'))?;
        }
        write!(self.out, "{}", ::percent_encoding::utf8_percent_encode(text, SEGMENT))
    }
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

/// Serialises `value`, a variant of a discriminated union, with its
/// discriminator `property` set to `tag` when the value leaves it out or sets
/// it to `null`, so a tagged union always sends its tag and the caller never
/// has to set it. A tag the value does set is kept.
pub fn serialize_tagged<S, T>(serializer: S, property: &str, tag: &str, value: &T) -> Result<S::Ok, S::Error>
where
    S: ::serde::Serializer,
    T: ::serde::Serialize + ?Sized,
{
    let mut value = ::serde_json::to_value(value).map_err(::serde::ser::Error::custom)?;
    if let ::serde_json::Value::Object(object) = &mut value {
        let slot = object.entry(property.to_owned()).or_insert(::serde_json::Value::Null);
        if slot.is_null() {
            *slot = ::serde_json::Value::String(tag.to_owned());
        }
    }
    ::serde::Serialize::serialize(&value, serializer)
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

/// One operation call, built by generated code and sent with [`Core::send`](super::Core::send).
pub struct Request {
    pub(super) operation_id: &'static str,
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) security: &'static [&'static [&'static str]],
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) cookies: Vec<(&'static str, String)>,
    pub(super) body: Option<::reqwest::Body>,
    pub(super) content_type: Option<::std::borrow::Cow<'static, str>>,
    /// Why the request cannot be sent (e.g. the body failed to serialise).
    pub(super) invalid: Option<String>,
    /// The path as the spec writes it (`/calls/{call_id}`), for tracing and hooks.
    pub(super) path_template: &'static str,
    /// The idempotency header the operation declares: sent with a generated key when the caller
    /// set none (see [`Request::idempotency_key`]).
    pub(super) idempotency_header: Option<&'static str>,
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
            .field("path_template", &self.path_template)
            .field("idempotency_header", &self.idempotency_header)
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
            path_template: "",
            idempotency_header: None,
        }
    }

    /// Records the path as the spec writes it (`/calls/{call_id}`): what tracing spans and hooks
    /// report instead of the filled path.
    pub fn with_path_template(mut self, template: &'static str) -> Self {
        self.path_template = template;
        self
    }

    /// Declares that the operation takes an idempotency key in the header `name`. When the
    /// caller sets none (as a parameter, a per-call header or a default header), one is
    /// generated for this call and sent on every attempt, so a retry can never run the
    /// operation twice; a request with a key is retried like an idempotent one.
    pub fn with_idempotency_key(mut self, name: &'static str) -> Self {
        self.idempotency_header = Some(name);
        self
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
    /// `name=value`; one that fails to serialise makes [`Core::send`](super::Core::send) fail
    /// with [`Error::InvalidRequest`](super::Error::InvalidRequest).
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
    /// [`Core::send`](super::Core::send) fail with [`Error::InvalidRequest`](super::Error::InvalidRequest) before anything is
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
    /// [`Core::send`](super::Core::send) as [`Error::InvalidRequest`](super::Error::InvalidRequest).
    pub fn json<B: ::serde::Serialize + ?Sized>(&mut self, body: &B) {
        self.json_as("application/json", body);
    }

    /// Like [`Request::json`], with another JSON content type (such as
    /// `application/merge-patch+json`).
    pub fn json_as<B: ::serde::Serialize + ?Sized>(&mut self, content_type: &'static str, body: &B) {
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

    /// Sets a text body (`text/plain`, `application/xml`, ...).
    pub fn text(&mut self, content_type: &'static str, text: &str) {
        self.body(content_type, text.as_bytes().to_vec());
    }

    /// Sets a raw body and its content type. A body in memory (bytes or a
    /// string) can be resent on retries; a streamed one (for example from
    /// `reqwest::Body::wrap_stream`) is sent once and never retried.
    pub fn body(
        &mut self,
        content_type: impl Into<::std::borrow::Cow<'static, str>>,
        body: impl Into<::reqwest::Body>,
    ) {
        self.content_type = Some(content_type.into());
        self.body = Some(body.into());
    }

    /// Marks the request as invalid; [`Core::send`](super::Core::send) reports `reason`.
    pub(super) fn fail(&mut self, reason: String) {
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
pub(super) fn form_values(value: &::serde_json::Value) -> Vec<(String, bool)> {
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

/// Where the next page of a paginated listing is: what [`Core::with_next_page`](super::Core::with_next_page)
/// changes in each request after the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextPage {
    /// Set the query parameter `name` to `value` (replacing any value the call set).
    Query {
        /// The query parameter.
        name: &'static str,
        /// Its value for the next page.
        value: String,
    },
    /// Request this URL instead of the call's own path and query (a `Link: <..>; rel="next"`
    /// header or a `next` link in the body). It must be within the base URL's origin and path,
    /// so credentials never reach another host.
    Url(String),
}
