//! Request bodies: the media type a body is sent as, its Rust type and encoding, its docs, and
//! the form struct of a `multipart/form-data` body (with which parts are files).
//!
//! **Invariant:** a body is sent as the first kind it offers in the order JSON, form, multipart,
//! text, binary ([`REQUEST_ORDER`]); the docs name the media type sent whenever it is not plain
//! JSON or the body offers others, so the choice is never hidden from the caller.

use openapiv3::{MediaType, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use super::docs::{json_block, lines, schema_docs};
use super::media::{Chosen, MediaKind, REQUEST_ORDER, choose, media_essence, request_kind};
use super::schema::format_name;
use super::{Lowered, Lowerer};
use crate::ir::{self, BodyEncoding, FormField, MultipartForm, PartKind, TypeRef};
use crate::{names, pointer};

/// How a body's chosen media type is sent.
struct Encoded {
    lowered: Lowered,
    encoding: BodyEncoding,
    /// The `Content-Type` sent.
    content_type: String,
}

impl<'a> Lowerer<'a, '_> {
    /// The request body at `pointer` (or the component it references); `hint` names its type.
    pub(super) fn request_body(
        &mut self,
        body: &ReferenceOr<openapiv3::RequestBody>,
        pointer: &str,
        hint: &str,
    ) -> Option<ir::RequestBody> {
        let located = self.located(body, pointer, "request body")?;
        let (body, pointer) = (located.item, located.pointer);
        // JSON first, then form, multipart, text, binary; document order within a kind.
        let Some(chosen) = choose(&body.content, &REQUEST_ORDER, request_kind) else {
            self.sink
                .warning(&pointer, "request body declares no content type; the operation is generated without a body");
            return None;
        };
        let media_pointer = pointer::push(&pointer::push(&pointer, "content"), chosen.media);
        let Encoded { lowered, encoding, content_type } = self.encoded(&chosen, hint, &media_pointer)?;
        let mut docs = body.description.as_deref().map(lines).unwrap_or_default();
        let description_len = docs.len();
        docs.extend(example_docs(chosen.content, !docs.is_empty()));
        if let Some(line) = sent_as(&body.content, chosen.media, &content_type, &encoding) {
            // After the description, before the examples.
            let mut block = vec![line];
            if description_len > 0 {
                block.insert(0, String::new());
            }
            if docs.len() > description_len {
                block.push(String::new());
            }
            docs.splice(description_len..description_len, block);
        }
        Some(ir::RequestBody { ty: lowered.wrapped(), required: body.required, docs, encoding, content_type })
    }

    /// The type, encoding and content type of a body sent as `chosen` (at `media_pointer`);
    /// `None` (with a warning) for a multipart body without an object schema.
    fn encoded(&mut self, chosen: &Chosen, hint: &str, media_pointer: &str) -> Option<Encoded> {
        let schema_pointer = pointer::push(media_pointer, "schema");
        let essence = media_essence(chosen.media);
        let or_default = |default: &str| if essence.contains('*') { default.to_owned() } else { essence.clone() };
        let encoded = match chosen.kind {
            MediaKind::Json => {
                let lowered = match &chosen.content.schema {
                    Some(schema) => self.schema(schema, hint, &schema_pointer),
                    None => Lowered::of(TypeRef::Value),
                };
                Encoded { lowered, encoding: BodyEncoding::Json, content_type: or_default("application/json") }
            }
            MediaKind::Form => {
                let lowered = match &chosen.content.schema {
                    Some(schema) => self.schema(schema, hint, &schema_pointer),
                    None => Lowered::of(TypeRef::JsonObject),
                };
                Encoded { lowered, encoding: BodyEncoding::Form, content_type: essence }
            }
            MediaKind::Multipart => {
                let Some(form) = self.multipart_form(chosen.content, hint, media_pointer) else {
                    self.sink.warning(
                        &schema_pointer,
                        "a multipart/form-data body needs an object schema; the operation is generated without a body",
                    );
                    return None;
                };
                let lowered = Lowered::of(TypeRef::Unit);
                Encoded { lowered, encoding: BodyEncoding::Multipart(form), content_type: essence }
            }
            MediaKind::Text | MediaKind::EventStream => Encoded {
                lowered: Lowered::of(TypeRef::String),
                encoding: BodyEncoding::Text,
                content_type: or_default("text/plain"),
            },
            MediaKind::Binary => Encoded {
                lowered: Lowered::of(TypeRef::Unit),
                encoding: BodyEncoding::Binary,
                content_type: or_default("application/octet-stream"),
            },
        };
        Some(encoded)
    }

    /// The form struct of a `multipart/form-data` body whose schema (at `media_pointer/schema`)
    /// is an object; `None` otherwise.
    fn multipart_form(&mut self, content: &MediaType, hint: &str, media_pointer: &str) -> Option<MultipartForm> {
        let at = pointer::push(media_pointer, "schema");
        let schema = self.resolve_item(content.schema.as_ref()?, &at)?;
        let parts = self.object_parts(&schema.item, &schema.pointer)?;
        if parts.properties.is_empty() {
            return None;
        }
        if parts.additional.is_some() {
            self.sink.warning(&parts.additional_pointer, "additional properties of a multipart form are not sent");
        }
        let stem = hint.strip_suffix("Request").unwrap_or(hint);
        let name = self.type_scope.claim(names::type_name(&format!("{stem}Form"), "Form"));
        let kinds: Vec<(String, PartKind)> = parts
            .properties
            .iter()
            .map(|property| {
                // The form helpers take unboxed schemas; forms are few and small.
                let schema = &property.schema.as_ref().clone().unbox();
                (property.wire.clone(), self.part_kind(content, &property.wire, schema, &property.pointer))
            })
            .collect();
        let docs = schema_docs(&schema.item);
        let fields = self.structure(&name, parts).fields;
        let fields = fields
            .into_iter()
            .map(|field| {
                let part = kinds.iter().find(|(wire, _)| *wire == field.wire).map(|(_, kind)| kind.clone());
                FormField { field, part: part.unwrap_or(PartKind::Value) }
            })
            .collect();
        Some(MultipartForm { name, docs, fields })
    }

    /// How the form property `wire` (its schema at `pointer`) is sent: a file, a list of files,
    /// or a value.
    fn part_kind(&mut self, content: &MediaType, wire: &str, schema: &ReferenceOr<Schema>, pointer: &str) -> PartKind {
        let declared = content
            .encoding
            .get(wire)
            .and_then(|encoding| encoding.content_type.as_deref())
            .and_then(|types| types.split(',').map(str::trim).find(|t| !t.is_empty() && !t.contains('*')))
            .map(str::to_owned);
        let default_type =
            |media: Option<String>| declared.clone().or(media).unwrap_or_else(|| "application/octet-stream".to_owned());
        if let Some(media) = self.binary_media(schema, pointer) {
            return PartKind::File(default_type(media));
        }
        match self.array_items(schema, pointer).and_then(|(items, at)| self.binary_media(&items, &at)) {
            Some(media) => PartKind::Files(default_type(media)),
            None => PartKind::Value,
        }
    }

    /// The `items` of an array schema (or of the array a `$ref` points to), with their pointer.
    fn array_items(&mut self, schema: &ReferenceOr<Schema>, pointer: &str) -> Option<(ReferenceOr<Schema>, String)> {
        let array = self.resolve_item(schema, pointer)?;
        let SchemaKind::Type(Type::Array(a)) = &array.item.schema_kind else { return None };
        let items = match a.items.as_ref()? {
            ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference: reference.clone() },
            ReferenceOr::Item(schema) => ReferenceOr::Item((**schema).clone()),
        };
        Some((items, pointer::push(&array.pointer, "items")))
    }

    /// `Some(contentMediaType)` when the schema is a file: a string with `format: binary`, or
    /// (OpenAPI 3.1) with a `contentMediaType` and no `contentEncoding`.
    fn binary_media(&mut self, schema: &ReferenceOr<Schema>, pointer: &str) -> Option<Option<String>> {
        let schema = self.resolve_item(schema, pointer)?.item;
        let format = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => format_name(&string.format),
            SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "string") => any.format.clone(),
            _ => return None,
        };
        let extensions = &schema.schema_data.extensions;
        let media = extensions.get(crate::normalise::CONTENT_MEDIA_TYPE).and_then(Value::as_str).map(str::to_owned);
        let binary = format.as_deref() == Some("binary")
            || (media.is_some() && !extensions.contains_key(crate::normalise::CONTENT_ENCODING));
        binary.then_some(media)
    }
}

/// The examples of a body's chosen media type as doc lines (`after_text`: whether lines come
/// before them); the single `example` only when there is nothing else to show.
fn example_docs(content: &MediaType, after_text: bool) -> Vec<String> {
    let mut docs = Vec::new();
    for (name, example) in &content.examples {
        if let ReferenceOr::Item(example) = example
            && let Some(value) = &example.value
        {
            if after_text || !docs.is_empty() {
                docs.push(String::new());
            }
            let title = example.summary.clone().unwrap_or_else(|| name.clone());
            docs.push(format!("Example `{name}`: {title}"));
            docs.extend(json_block(value));
        }
    }
    if !after_text
        && docs.is_empty()
        && let Some(example) = &content.example
    {
        docs.push("Example:".to_owned());
        docs.extend(json_block(example));
    }
    docs
}

/// The line saying how a body is sent, when that is not plain JSON or the body offers other
/// media types.
fn sent_as(
    content: &indexmap::IndexMap<String, MediaType>,
    media: &str,
    content_type: &str,
    encoding: &BodyEncoding,
) -> Option<String> {
    let others: Vec<String> =
        content.keys().filter(|other| *other != media).map(|other| format!("`{other}`")).collect();
    if others.is_empty() && content_type == "application/json" {
        return None;
    }
    let shape = match encoding {
        BodyEncoding::Multipart(form) => format!(" from [`{}`]", form.name),
        _ => String::new(),
    };
    let sent = if media_essence(media) == content_type {
        format!("Sent as `{content_type}`{shape}")
    } else {
        format!("Sent as `{content_type}`{shape} for `{media}`")
    };
    Some(match others.as_slice() {
        [] => format!("{sent}."),
        others => format!("{sent}; the API also accepts {}.", others.join(", ")),
    })
}
