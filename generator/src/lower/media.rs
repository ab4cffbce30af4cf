//! Media types: what kind of body a media type names, and which of a body's media types is used.
//!
//! **Invariant:** the choice depends only on the media types offered: those with a schema that
//! says something come before those without one (FastAPI adds `application/json: {schema: {}}`
//! beside every route's real media type), then kinds in a fixed order of preference, then
//! document order; a media type is classified by its essence (no parameters, lowercase).

use indexmap::IndexMap;
use openapiv3::{AnySchema, MediaType, ReferenceOr, SchemaKind};

/// What a media type is, for choosing how a body is sent or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MediaKind {
    Json,
    Form,
    Multipart,
    Text,
    EventStream,
    Binary,
}

/// The media types a request body is sent as, best first.
pub(super) const REQUEST_ORDER: [MediaKind; 5] =
    [MediaKind::Json, MediaKind::Form, MediaKind::Multipart, MediaKind::Text, MediaKind::Binary];
/// The media types a response body is read as, best first.
pub(super) const RESPONSE_ORDER: [MediaKind; 4] =
    [MediaKind::Json, MediaKind::EventStream, MediaKind::Text, MediaKind::Binary];

/// The media type of a body that is used, and its kind.
pub(super) struct Chosen<'c> {
    pub kind: MediaKind,
    pub media: &'c String,
    pub content: &'c MediaType,
}

/// A response's other representation: a kind of body beside the chosen one, read when the
/// response's `Content-Type` is one of `media`.
pub(super) struct Alternative<'c> {
    pub chosen: Chosen<'c>,
    /// The essences of this kind's media types that count as this representation, in document
    /// order.
    pub media: Vec<String>,
}

/// The representations of a response body beside `chosen` (from [`choose`] with `order`): one
/// per other kind, in `order`, among the media types that describe another body. Those are
/// event streams, and text or binary media types whose schema says the body is raw (none, `{}`,
/// or a string: a CSV, a PDF, Prometheus text) and is not the chosen one's. A model schema
/// under XML, HTML or a vendor media type is the chosen body in another spelling, which the
/// client cannot decode as that model anyway (API Platform's `text/html`, Swashbuckle's
/// `text/plain` beside `application/json`, GitHub's `application/vnd.github.object`); keys that
/// are not media types (`type/subtype`) are ignored.
pub(super) fn alternatives<'c>(
    content: &'c IndexMap<String, MediaType>,
    chosen: &Chosen<'c>,
    order: &[MediaKind],
    kind_of: fn(&str) -> MediaKind,
) -> Vec<Alternative<'c>> {
    order
        .iter()
        .filter(|kind| **kind != chosen.kind)
        .filter_map(|kind| {
            let counts = |content: &MediaType| match kind {
                MediaKind::EventStream => true,
                MediaKind::Text | MediaKind::Binary => is_raw(content) && content.schema != chosen.content.schema,
                _ => false,
            };
            let of_kind: Vec<(&String, &MediaType)> = content
                .iter()
                .filter(|(media, content)| media.contains('/') && kind_of(media) == *kind && counts(content))
                .collect();
            let (media, content) = *of_kind.first()?;
            Some(Alternative {
                chosen: Chosen { kind: *kind, media, content },
                media: of_kind.iter().map(|(media, _)| media_essence(media)).collect(),
            })
        })
        .collect()
}

/// Whether a media type's schema says its body is raw text or bytes: no schema, one that says
/// nothing, or a string.
fn is_raw(content: &MediaType) -> bool {
    match &content.schema {
        None => true,
        Some(ReferenceOr::Reference { .. }) => false,
        Some(ReferenceOr::Item(schema)) => match &schema.schema_kind {
            SchemaKind::Type(openapiv3::Type::String(_)) => true,
            SchemaKind::Any(any) => *any == AnySchema::default() || any.typ.as_deref() == Some("string"),
            _ => false,
        },
    }
}

/// The media type of `content` to use: among those with a schema that says something (any, if
/// none has), the first whose kind (by `kind_of`) comes first in `order`.
pub(super) fn choose<'c>(
    content: &'c IndexMap<String, MediaType>,
    order: &[MediaKind],
    kind_of: fn(&str) -> MediaKind,
) -> Option<Chosen<'c>> {
    let typed = content.values().any(says_something);
    order.iter().find_map(|kind| {
        content
            .iter()
            .filter(|(_, content)| !typed || says_something(content))
            .find(|(media, _)| kind_of(media) == *kind)
            .map(|(media, content)| Chosen { kind: *kind, media, content })
    })
}

/// Whether a media type has a schema that constrains its value: a `$ref`, or a schema with any
/// keyword but annotations (`{}` and `{description: ..}` say nothing).
fn says_something(content: &MediaType) -> bool {
    match &content.schema {
        None => false,
        Some(ReferenceOr::Reference { .. }) => true,
        Some(ReferenceOr::Item(schema)) => {
            !matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == AnySchema::default())
        }
    }
}

/// `Text/Plain; charset=utf-8` → `text/plain`.
pub(super) fn media_essence(media: &str) -> String {
    media.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*" || essence == "application/*"
}

fn media_kind(media: &str) -> MediaKind {
    let essence = media_essence(media);
    let text = [
        "application/xml",
        "application/yaml",
        "application/x-yaml",
        "application/x-ndjson",
        "application/jsonl",
        "application/javascript",
        "application/graphql",
        "application/sql",
    ];
    match essence.as_str() {
        _ if is_json(&essence) => MediaKind::Json,
        "application/x-www-form-urlencoded" => MediaKind::Form,
        "multipart/form-data" => MediaKind::Multipart,
        "text/event-stream" => MediaKind::EventStream,
        e if e.starts_with("text/") || e.ends_with("+xml") || text.contains(&e) => MediaKind::Text,
        _ => MediaKind::Binary,
    }
}

/// How a request body of this media type is sent (an event stream is sent as text).
pub(super) fn request_kind(media: &str) -> MediaKind {
    match media_kind(media) {
        MediaKind::EventStream => MediaKind::Text,
        kind => kind,
    }
}

/// How a response body of this media type is read (forms as text, multipart as bytes).
pub(super) fn response_kind(media: &str) -> MediaKind {
    match media_kind(media) {
        MediaKind::Form => MediaKind::Text,
        MediaKind::Multipart => MediaKind::Binary,
        kind => kind,
    }
}
