//! Responses: each documented status becomes a response (its body read as JSON, an event
//! stream, text or bytes), the success type (one body, or a per-operation success enum), and
//! the operation's error enum, one variant per documented non-success status.
//!
//! **Invariant:** every operation gets exactly one error enum (`<Op>Error`), even with no
//! documented errors, and a success enum (`<Op>Success`) only when success bodies differ;
//! variants are named by reason phrase, unique within their enum.

use openapiv3::{MediaType, ReferenceOr, StatusCode};

use super::Lowerer;
use super::docs::lines;
use super::media::{
    Alternative, Chosen, MediaKind, RESPONSE_ORDER, alternatives, choose, media_essence, response_kind,
};
use crate::ir::{Response, ResponseBody, ResponseHeader, ResponseVariant, StatusMatch, TypeDef, TypeKind, TypeRef};
use crate::names::{self, Scope};
use crate::{normalise, pointer};

/// What an operation's responses lower to.
pub(super) struct Outcomes {
    /// The success type (`()` when there is no success body).
    pub success: TypeRef,
    /// Whether `success` is a per-operation success enum.
    pub success_enum: bool,
    /// Every documented response, in document order (`default` last).
    pub responses: Vec<Response>,
    /// The name of the error enum.
    pub error_type: String,
    /// The headers the success responses declare.
    pub headers: Vec<ResponseHeader>,
}

/// One documented status of an operation.
struct Entry<'o> {
    status: StatusMatch,
    response: &'o ReferenceOr<openapiv3::Response>,
    pointer: String,
}

/// The success type of an operation.
struct Success {
    ty: TypeRef,
    /// Whether it is a per-operation enum.
    is_enum: bool,
}

impl Lowerer<'_, '_> {
    /// The success type, the documented responses and the error enum of `op` (at `pointer`);
    /// `stem` names their types.
    pub(super) fn responses(&mut self, op: &openapiv3::Operation, pointer: &str, stem: &str) -> Outcomes {
        let responses_pointer = pointer::push(pointer, "responses");
        let entries = entries(op, &responses_pointer);
        // `default` alone (or beside errors only) describes the success response, as many specs
        // write it; beside documented successes it describes every other status.
        let default_is_success = !entries.iter().any(|e| is_success(e.status));
        let is_success = |status| is_success(status) || (default_is_success && status == StatusMatch::Default);
        let successes = entries.iter().filter(|e| is_success(e.status)).count();

        let mut variant_scope = Scope::default();
        let mut responses = Vec::new();
        let mut headers = Vec::new();
        let mut header_scope = Scope::default();
        for entry in entries {
            let success = is_success(entry.status);
            let variant = variant_scope.claim(status_variant(entry.status));
            // The main representation's hint names its lone success body after the operation.
            let hint = |variant: &str, main: bool| {
                if success && successes == 1 && main {
                    format!("{stem}Response")
                } else if success {
                    format!("{stem}{variant}Response")
                } else {
                    format!("{stem}{variant}Body")
                }
            };
            let Some(located) = self.located(entry.response, &entry.pointer, "response") else { continue };
            let content = &located.item.content;
            let content_pointer = pointer::push(&located.pointer, "content");
            let docs = lines(&located.item.description);
            if success {
                self.response_headers(&located.item.headers, &located.pointer, &mut headers, &mut header_scope);
            }
            let Some(chosen) = choose(content, &RESPONSE_ORDER, response_kind) else {
                let body = ResponseBody::Empty;
                responses.push(Response { status: entry.status, body, success, variant, docs, media: Vec::new() });
                continue;
            };
            let alternatives = alternatives(content, &chosen, &RESPONSE_ORDER, response_kind);
            // Only a lone success body with one representation is streamed.
            let streamed = success && successes == 1 && alternatives.is_empty();
            // The main representation goes before its alternatives: it is what the status's
            // examples and pagination read.
            let body = self.response_body(&chosen, &content_pointer, &hint(&variant, true), streamed, stem);
            let main = Response { status: entry.status, body, success, variant, docs, media: Vec::new() };
            let (main_variant, main_docs) = (main.variant.clone(), main.docs.clone());
            responses.push(main);
            for alternative in alternatives {
                let variant = variant_scope.claim(format!("{main_variant}{}", representation_label(&alternative)));
                let body =
                    self.response_body(&alternative.chosen, &content_pointer, &hint(&variant, false), false, stem);
                let media: Vec<String> = alternative.media.iter().map(|media| format!("`{media}`")).collect();
                let mut docs = main_docs.clone();
                docs.extend([
                    String::new(),
                    format!("Read when the response's `Content-Type` is {}.", media.join(" or ")),
                ]);
                let media = alternative.media;
                responses.push(Response { status: entry.status, body, success, variant, docs, media });
            }
        }
        // A download that may also come back empty is still a download (of no bytes).
        let successes = || responses.iter().filter(|r| r.success);
        if successes().any(|r| r.body == ResponseBody::Binary)
            && successes().all(|r| matches!(r.body, ResponseBody::Binary | ResponseBody::Empty))
        {
            for response in responses.iter_mut().filter(|r| r.success && r.body == ResponseBody::Empty) {
                response.body = ResponseBody::Binary;
            }
        }
        let Success { ty: success, is_enum: success_enum } = self.success(&responses, stem);
        let error_type = self.error_enum(&responses, stem);
        Outcomes { success, success_enum, responses, error_type, headers }
    }

    /// Adds the headers a success response declares (at `pointer`) to `headers`, unless one of
    /// the name is there already. `Content-Type` is left out, as OpenAPI says.
    fn response_headers(
        &mut self,
        declared: &indexmap::IndexMap<String, ReferenceOr<openapiv3::Header>>,
        pointer: &str,
        headers: &mut Vec<ResponseHeader>,
        scope: &mut Scope,
    ) {
        let headers_pointer = pointer::push(pointer, "headers");
        for (name, header) in declared {
            let wire = name.to_ascii_lowercase();
            if wire == "content-type" || headers.iter().any(|h: &ResponseHeader| h.wire == wire) {
                continue;
            }
            let at = pointer::push(&headers_pointer, name);
            let Some(located) = self.located(header, &at, "header") else { continue };
            let ty = match &located.item.format {
                openapiv3::ParameterSchemaOrContent::Schema(schema) => {
                    self.header_type(schema, &pointer::push(&located.pointer, "schema"))
                }
                openapiv3::ParameterSchemaOrContent::Content(_) => TypeRef::String,
            };
            let mut docs = vec![format!("The `{name}` response header.")];
            if let Some(description) = &located.item.description {
                docs.push(String::new());
                docs.extend(lines(description));
            }
            let field = scope.claim(names::snake_name(name, "header"));
            headers.push(ResponseHeader { name: field, wire, ty, required: located.item.required, docs });
        }
    }

    /// A response header's type: its scalar type (strings, numbers, booleans), else `String`
    /// with a warning at `pointer`: a header's text is kept as it is.
    fn header_type(&mut self, schema: &ReferenceOr<openapiv3::Schema>, pointer: &str) -> TypeRef {
        use openapiv3::{IntegerFormat, SchemaKind, Type, VariantOrUnknownOrEmpty};
        let Some(located) = self.resolve_item(schema, pointer) else { return TypeRef::String };
        match &located.item.schema_kind {
            SchemaKind::Type(Type::Integer(int)) => match &int.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(_)) => TypeRef::F64,
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::String(_)) => TypeRef::String,
            SchemaKind::Any(any) if any.typ.is_none() && any.properties.is_empty() && any.items.is_none() => {
                TypeRef::String
            }
            _ => {
                self.sink.warning(pointer, "a response header that is not a scalar is read as its text (a String)");
                TypeRef::String
            }
        }
    }

    /// How one representation (`chosen` of the `content` at `content_pointer`) of a response's
    /// body is read: JSON, an event stream (only when `streamed`: a lone success), items, text or
    /// bytes.
    fn response_body(
        &mut self,
        chosen: &Chosen<'_>,
        content_pointer: &str,
        hint: &str,
        streamed: bool,
        stem: &str,
    ) -> ResponseBody {
        let media_pointer = pointer::push(content_pointer, chosen.media);
        if streamed
            && chosen.content.extensions.contains_key(normalise::ITEM_SCHEMA)
            && SEQUENTIAL.contains(&media_essence(chosen.media).as_str())
            && let Some(schema) = &chosen.content.schema
        {
            let item = self.schema(schema, &format!("{stem}Item"), &pointer::push(&media_pointer, "schema")).wrapped();
            return ResponseBody::Items { media: media_essence(chosen.media), item };
        }
        match chosen.kind {
            MediaKind::Json => match &chosen.content.schema {
                Some(schema) => {
                    ResponseBody::Json(self.schema(schema, hint, &pointer::push(&media_pointer, "schema")).wrapped())
                }
                None => ResponseBody::Json(TypeRef::Value),
            },
            // Only a lone success body is streamed; elsewhere the events are read as text.
            MediaKind::EventStream if streamed => {
                ResponseBody::EventStream(self.event_data(chosen.content, &format!("{stem}Event"), &media_pointer))
            }
            MediaKind::Binary => ResponseBody::Binary,
            _ => ResponseBody::Text,
        }
    }

    /// The type of each event's data in a `text/event-stream` body: `None` (raw text) when the
    /// schema is missing or a string. A schema of the event itself (properties among `event`,
    /// `data`, `id`, `retry`, with `data`; what 3.2's `itemSchema` describes) describes its data
    /// through `data`, and a string `data` with `contentMediaType` JSON through its
    /// `contentSchema` (FastAPI's native server-sent events).
    fn event_data(&mut self, content: &MediaType, hint: &str, media_pointer: &str) -> Option<TypeRef> {
        let at = pointer::push(media_pointer, "schema");
        let schema = content.schema.as_ref()?;
        let mut event_data = None;
        if let Some(event) = self.resolve_item(schema, &at)
            && let Some(parts) = self.object_parts(&event.item, &event.pointer)
            && parts.properties.iter().any(|p| p.wire == "data")
            && parts.properties.iter().all(|p| ["event", "data", "id", "retry"].contains(&p.wire.as_str()))
            && let Some(data) = parts.properties.into_iter().find(|p| p.wire == "data")
        {
            event_data = Some((data.schema.into_owned().unbox(), data.pointer));
        }
        if let Some((data, data_pointer)) = &event_data
            && let Some(content) = json_content(data)
        {
            // JSON text: even a string is decoded (`"hi"` is the string `hi`).
            return Some(self.schema(&content, hint, &pointer::push(data_pointer, "contentSchema")).wrapped());
        }
        let lowered = match &event_data {
            Some((data, data_pointer)) => self.schema(data, hint, data_pointer),
            None => self.schema(schema, hint, &at),
        };
        (lowered.ty != TypeRef::String).then(|| lowered.wrapped())
    }

    /// The success type: nothing, the one body every success shares, or a new success enum.
    fn success(&mut self, responses: &[Response], stem: &str) -> Success {
        let successes: Vec<&Response> = responses.iter().filter(|r| r.success).collect();
        match successes.as_slice() {
            [] => Success { ty: TypeRef::Unit, is_enum: false },
            [first, rest @ ..] if rest.iter().all(|r| r.body == first.body) => {
                Success { ty: body_type(&first.body), is_enum: false }
            }
            many => {
                let name = self.type_scope.claim(format!("{stem}Success"));
                let variants = many
                    .iter()
                    .map(|r| ResponseVariant {
                        name: r.variant.clone(),
                        ty: response_payload(&r.body, true),
                        docs: r.docs.clone(),
                    })
                    .collect();
                self.push(TypeDef {
                    name: name.clone(),
                    docs: vec![format!(
                        "The success responses of [`Client::{}`](crate::Client).",
                        names::snake_name(stem, "op")
                    )],
                    kind: TypeKind::Responses(variants),
                });
                Success { ty: TypeRef::Named(name), is_enum: true }
            }
        }
    }

    /// Defines the error enum of the operation named by `stem`, returning its name.
    fn error_enum(&mut self, responses: &[Response], stem: &str) -> String {
        let error_type = self.type_scope.claim(format!("{stem}Error"));
        let variants: Vec<ResponseVariant> = responses
            .iter()
            .filter(|r| !r.success)
            .map(|r| {
                let mut docs = r.docs.clone();
                if r.body == ResponseBody::Binary {
                    docs.extend([String::new(), "The binary body is in the error's `ResponseInfo::body`.".to_owned()]);
                }
                ResponseVariant { name: r.variant.clone(), ty: response_payload(&r.body, false), docs }
            })
            .collect();
        self.push(TypeDef {
            name: error_type.clone(),
            docs: vec![if variants.is_empty() {
                "This operation documents no error responses; any error status is `Error::UnexpectedStatus`.".to_owned()
            } else {
                "The error responses this operation documents, by status.".to_owned()
            }],
            kind: TypeKind::Responses(variants),
        });
        error_type
    }
}

/// The documented statuses of `op`, `default` last.
fn entries<'o>(op: &'o openapiv3::Operation, responses_pointer: &str) -> Vec<Entry<'o>> {
    let mut entries: Vec<Entry> = op
        .responses
        .responses
        .iter()
        .map(|(code, response)| {
            let status = match code {
                StatusCode::Code(c) => StatusMatch::Code(*c),
                StatusCode::Range(r) => StatusMatch::Range(*r),
            };
            Entry { status, response, pointer: pointer::push(responses_pointer, &code.to_string()) }
        })
        .collect();
    if let Some(default) = &op.responses.default {
        let pointer = pointer::push(responses_pointer, "default");
        entries.push(Entry { status: StatusMatch::Default, response: default, pointer });
    }
    entries
}

fn is_success(status: StatusMatch) -> bool {
    match status {
        StatusMatch::Code(c) => (200..300).contains(&c),
        StatusMatch::Range(r) => r == 2,
        StatusMatch::Default => false,
    }
}

/// The IR's success type for a body (see [`crate::ir::Operation::success`]).
fn body_type(body: &ResponseBody) -> TypeRef {
    match body {
        ResponseBody::Empty | ResponseBody::Binary => TypeRef::Unit,
        ResponseBody::Json(ty) | ResponseBody::EventStream(Some(ty)) | ResponseBody::Items { item: ty, .. } => {
            ty.clone()
        }
        ResponseBody::Text | ResponseBody::EventStream(None) => TypeRef::String,
    }
}

/// The media types whose 3.2 `itemSchema` describes each item of a sequence of JSON values.
const SEQUENTIAL: [&str; 3] = ["application/jsonl", "application/x-ndjson", "application/json-seq"];

/// The `contentSchema` of a string schema whose `contentMediaType` is JSON: the schema of the
/// JSON text the string holds.
fn json_content(schema: &ReferenceOr<openapiv3::Schema>) -> Option<ReferenceOr<openapiv3::Schema>> {
    let ReferenceOr::Item(schema) = schema else { return None };
    let extensions = &schema.schema_data.extensions;
    let media = extensions.get(normalise::CONTENT_MEDIA_TYPE)?.as_str()?;
    let essence = media_essence(media);
    if essence != "application/json" && !essence.ends_with("+json") {
        return None;
    }
    serde_json::from_value(extensions.get(normalise::CONTENT_SCHEMA)?.clone()).ok()
}

/// The payload of a success or error enum variant: a success keeps its bytes, an error's bytes
/// stay in its `ResponseInfo`.
fn response_payload(body: &ResponseBody, success: bool) -> Option<TypeRef> {
    match body {
        ResponseBody::Empty => None,
        ResponseBody::Binary if success => Some(TypeRef::Bytes),
        ResponseBody::Binary => None,
        other => Some(body_type(other)),
    }
}

/// What tells an alternative representation's variant from its status's main one: `Json`,
/// `Events`, or the media type's subtype for one text or binary media type (`Csv`, `Pdf`,
/// `Msgpack`; `Text` for `text/plain`, `Bytes` for `application/octet-stream`), else `Text` or
/// `Bytes`.
fn representation_label(alternative: &Alternative<'_>) -> String {
    let generic = match alternative.chosen.kind {
        MediaKind::Json => return "Json".to_owned(),
        MediaKind::EventStream => return "Events".to_owned(),
        MediaKind::Binary => "Bytes",
        _ => "Text",
    };
    let [media] = alternative.media.as_slice() else { return generic.to_owned() };
    let (kind, subtype) = media.split_once('/').unwrap_or((media, ""));
    let subtype = subtype.split('+').next().unwrap_or(subtype);
    let subtype = subtype.rsplit('.').next().unwrap_or(subtype);
    let subtype = subtype.strip_prefix("x-").unwrap_or(subtype);
    match subtype {
        "plain" | "octet-stream" | "" => generic.to_owned(),
        "*" => names::type_name(kind, generic),
        _ => names::type_name(subtype, generic),
    }
}

/// Variant name for a status: the reason phrase (`NotFound`), `Status418` when it has none,
/// `ClientError`-style names for ranges, `Default` for `default`.
fn status_variant(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => match reason_phrase(code) {
            Some(reason) => names::type_name(reason, "Status"),
            None => format!("Status{code}"),
        },
        StatusMatch::Range(1) => "Informational".to_owned(),
        StatusMatch::Range(2) => "Success".to_owned(),
        StatusMatch::Range(3) => "Redirection".to_owned(),
        StatusMatch::Range(4) => "ClientError".to_owned(),
        StatusMatch::Range(5) => "ServerError".to_owned(),
        StatusMatch::Range(r) => format!("Status{r}xx"),
        StatusMatch::Default => "Default".to_owned(),
    }
}

/// The reason phrase of a status code, as words (a data table).
fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "Im A Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        511 => "Network Authentication Required",
        _ => return None,
    })
}
