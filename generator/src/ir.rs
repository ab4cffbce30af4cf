//! The intermediate representation: plain owned data with every Rust name already decided.
//!
//! Architecture invariant: emitters read only this module's types; they never see `openapiv3`
//! or `serde_json::Value` spec trees.

mod walk;

use rustc_hash::FxHashSet;

pub use walk::MemberAt;

/// One API: everything the emitters need to write a client crate.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Crate docs from `info.description`, one entry per line.
    pub docs: Vec<String>,
    /// `servers[0].url`, the default base URL (empty when the spec has none).
    pub base_url: String,
    /// Every security scheme the spec declares, in declaration order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Every generated type (component schemas, inline schemas, per-operation enums).
    pub types: Vec<TypeDef>,
    /// Every operation, in document order.
    pub operations: Vec<Operation>,
    /// Types that derive `Serialize`: those a request can reach (bodies, form values, query
    /// objects). No type gets a trait impl it is never used through.
    pub serialize: FxHashSet<String>,
    /// Types that derive `Deserialize`: those a response can reach, and those nothing reaches
    /// (webhook payloads and other schemas a caller may decode).
    pub deserialize: FxHashSet<String>,
    /// Every example of the spec with the type of its place, in document order.
    pub examples: Vec<Example>,
    /// The crate's cargo features by tag, and which of them compile each type.
    pub features: Features,
}

/// An example from the spec, checked against the type of its place (`lower::examples`).
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Name of its test in the generated `examples` module, unique there.
    pub name: String,
    /// JSON pointer of the example's value in the spec.
    pub pointer: String,
    /// The type it should deserialise into.
    pub ty: TypeRef,
    /// The example as compact JSON text.
    pub json: String,
    /// Why it does not deserialise or serialise back (the warning generation gave), if so.
    pub problem: Option<String>,
}

/// Cargo features that each compile a group of operations (those of one tag) and the types
/// they reach, so a service compiles only what it calls. Empty when the operations form fewer
/// than two groups: then everything is always compiled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    /// The features, in order: tags as the spec lists them, operations without a tag, then the
    /// schemas no operation uses.
    pub list: Vec<Feature>,
    /// Type name → indices (into `list`) of the features that compile it; a type not here is
    /// always compiled (every group reaches it).
    pub types: rustc_hash::FxHashMap<String, Vec<usize>>,
}

/// One cargo feature of [`Features`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feature {
    /// Its name in `Cargo.toml` (kebab case, unique, never one the crate uses otherwise).
    pub name: String,
    /// What it compiles, for the comment above it in `Cargo.toml`.
    pub about: String,
}

/// A declared security scheme and the builder method that supplies its credential.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityScheme {
    /// The key under `components.securitySchemes`.
    pub name: String,
    /// Builder method name (`bearer_auth` for `BearerAuth`).
    pub method: String,
    /// How the credential travels.
    pub kind: SchemeKind,
    /// From the scheme's description.
    pub docs: Vec<String>,
}

/// How a credential is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (HTTP bearer, and OAuth2/OpenID tokens the caller obtains).
    Bearer,
    /// HTTP basic: user name and password.
    Basic,
    /// An API key in a header, query parameter or cookie with this name.
    ApiKey {
        /// Where the key goes.
        location: ApiKeyLocation,
        /// Header, parameter or cookie name.
        name: String,
    },
    /// OAuth 2.0 with a `clientCredentials` flow: a caller's token is sent as a bearer token, or
    /// a client id and secret are exchanged for tokens at `token_url`.
    OAuth2ClientCredentials {
        /// The flow's `tokenUrl`.
        token_url: String,
        /// The scopes asked for: every scope an operation requires of this scheme, in document
        /// order.
        scopes: Vec<String>,
        /// The builder method that takes a client id and secret.
        method: String,
    },
}

/// Where an API key is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// A named Rust type to emit in `types.rs`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// Rust type name, unique in the `types` module.
    pub name: String,
    /// Doc lines (title, description, example).
    pub docs: Vec<String>,
    /// What kind of type it is.
    pub kind: TypeKind,
}

/// The shape of a [`TypeDef`].
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct(Struct),
    /// A string enum that keeps unknown values.
    StringEnum(StringEnum),
    /// An integer enum that keeps unknown values.
    IntegerEnum(IntegerEnum),
    /// A type alias (`pub type Name = Target;`) for component schemas that are not objects or enums.
    Alias(TypeRef),
    /// The statuses an operation documents: one variant per response (error enums, and success
    /// enums when several success statuses carry different bodies).
    Responses(Vec<ResponseVariant>),
    /// A `oneOf`/`anyOf` union.
    Union(Union),
}

/// A union of schemas: tagged by a discriminator property, or tried in order (untagged).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Union {
    /// The discriminator property, when the spec names one and every branch is a reference.
    pub discriminator: Option<String>,
    /// The branches, in spec order.
    pub variants: Vec<UnionVariant>,
    /// For a discriminated union: the variant holding a value whose tag this client does not know.
    pub unknown: Option<String>,
    /// For a discriminated union with a 3.2 `defaultMapping`: the variant a value whose tag is
    /// missing or selects no other variant decodes as (there is then no `unknown` variant).
    pub fallback: Option<String>,
}

/// One branch of a [`Union`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnionVariant {
    /// Variant name.
    pub name: String,
    /// Payload type.
    pub ty: TypeRef,
    /// Discriminator values that select this branch (empty for untagged unions).
    pub tags: Vec<String>,
    /// The payload contains the union itself by value, so it is boxed.
    pub boxed: bool,
}

/// A struct type.
#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// Extra properties beyond the named ones (`additionalProperties`), flattened into a map.
    pub additional: Option<Additional>,
    /// Whether every field may be left out, so `Default` is derived.
    pub default: bool,
}

/// The map that collects properties a struct does not name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Additional {
    /// Rust field name of the flattened map.
    pub name: String,
    /// Type of each extra property's value.
    pub ty: TypeRef,
}

/// One struct field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Rust field name (may be a raw identifier).
    pub name: String,
    /// Property name on the wire.
    pub wire: String,
    /// The field's value type, without the optionality wrapper.
    pub ty: TypeRef,
    /// Whether the field may be absent and/or null.
    pub presence: Presence,
    /// Doc lines.
    pub docs: Vec<String>,
    /// `deprecated: true` in the spec.
    pub deprecated: bool,
    /// The field's type contains the struct itself by value, so it must be boxed.
    pub boxed: bool,
}

/// How a field is spelled in Rust, from `required` and `nullable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Presence {
    /// Required, not nullable: `T`.
    Required,
    /// Required and nullable: `Option<T>`, `None` sent as `null`.
    RequiredNullable,
    /// Optional: `Option<T>`, `None` omitted.
    Optional,
    /// Optional and nullable in a request body: `Nullable<T>` (absent, null or a value).
    OptionalNullable,
}

/// A string enum.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StringEnum {
    /// Known values.
    pub variants: Vec<EnumVariant>,
    /// Name of the catch-all variant holding any other string.
    pub other: String,
}

/// An integer enum.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntegerEnum {
    /// Known values: Rust variant name and value.
    pub variants: Vec<(String, i64)>,
    /// Name of the catch-all variant holding any other integer.
    pub other: String,
}

/// One known enum value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnumVariant {
    /// Rust variant name.
    pub name: String,
    /// Value on the wire.
    pub wire: String,
}

/// A reference to a Rust type, as used in fields, parameters and bodies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// `bool`
    Bool,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `String`
    String,
    /// `chrono::DateTime<chrono::Utc>` (`format: date-time`)
    DateTime,
    /// `chrono::NaiveDate` (`format: date`)
    Date,
    /// `serde_json::Value`: anything.
    Value,
    /// `serde_json::Map<String, Value>`: any object.
    JsonObject,
    /// `std::collections::BTreeMap<String, T>`
    Map(Box<TypeRef>),
    /// `Vec<T>`
    Vec(Box<TypeRef>),
    /// `Option<T>` inside a container (nullable array items or map values).
    Option(Box<TypeRef>),
    /// `(A, B, ..)`: a fixed-length array (`prefixItems`).
    Tuple(Vec<TypeRef>),
    /// A type in the `types` module.
    Named(String),
    /// `()`: no body.
    Unit,
    /// `Vec<u8>`: a binary response body in a success enum variant.
    Bytes,
}

/// One API operation, emitted as one async client method.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// `operationId`, or the name derived from method and path.
    pub id: String,
    /// Rust method name.
    pub method_name: String,
    /// Name of the operation's request builder in the `operations` module.
    pub builder: String,
    /// HTTP method, upper case.
    pub http_method: String,
    /// Path template as written in the spec.
    pub path: String,
    /// The template split into literal text and parameters.
    pub path_parts: Vec<PathPart>,
    /// Parameters in the order they become method arguments (path first, then query, header, cookie).
    pub params: Vec<Param>,
    /// Query pairs every request sends as they are (literal `k=v` in a path key's `?` part).
    pub fixed_query: Vec<(String, String)>,
    /// The request body.
    pub body: Option<RequestBody>,
    /// Type returned on success. For a binary success body it is `Unit` and for an event stream
    /// the type of each event's data (`String` for raw events): the emitter derives the Rust
    /// type from the success [`ResponseBody`].
    pub success: TypeRef,
    /// Whether `success` is the operation's own enum with one variant per success response
    /// (several success statuses with different bodies).
    pub success_enum: bool,
    /// Documented responses.
    pub responses: Vec<Response>,
    /// Name of the error enum in `types` (always present: it may have no variants).
    pub error_type: String,
    /// Alternatives (OR) of scheme-name sets (AND); empty: no authentication.
    pub security: Vec<Vec<String>>,
    /// Doc lines.
    pub docs: Vec<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// The spec's tags, in order.
    pub tags: Vec<String>,
    /// Indices into [`Features::list`] of the features that compile the operation (any one
    /// suffices); empty when the crate has none.
    pub features: Vec<usize>,
    /// The headers the success responses declare (the first declaration of a name wins), read
    /// typed beside the body.
    pub response_headers: Vec<ResponseHeader>,
    /// The name of the struct in `operations` the response headers are read into (empty when
    /// there are none).
    pub headers_type: String,
    /// The wire name of the idempotency key header the operation declares, if any.
    pub idempotency_header: Option<String>,
    /// How the operation's listing is paged, when that was recognised.
    pub pagination: Option<Pagination>,
    /// What a pagination vendor extension of the operation declares, read before the
    /// pagination pass decides.
    pub pagination_hint: Option<PagingHint>,
}

/// A pagination vendor extension (`x-speakeasy-pagination`, `x-fern-pagination`), in wire
/// names, for the pagination pass to check against the types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PagingHint {
    /// The extension's JSON pointer, for warnings.
    pub pointer: String,
    /// The extension's name.
    pub extension: String,
    /// What it declares.
    pub kind: HintKind,
    /// The path of property names from the body to the items (empty: the body).
    pub results: Vec<String>,
}

/// The shape a pagination extension declares (parameters by wire name, body paths by property
/// names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HintKind {
    /// A cursor at `next` in the body, sent back in the query parameter `param`.
    Cursor {
        /// The query parameter.
        param: String,
        /// Where the next cursor is.
        next: Vec<String>,
    },
    /// An offset query parameter, with an optional page size parameter.
    Offset {
        /// The offset parameter.
        param: String,
        /// The page size parameter.
        limit: Option<String>,
    },
    /// A page number query parameter, with an optional page size parameter.
    Page {
        /// The page parameter.
        param: String,
        /// The page size parameter.
        limit: Option<String>,
    },
    /// A link to the next page at `next` in the body.
    NextUrl {
        /// Where the link is.
        next: Vec<String>,
    },
}

/// A header a success response declares.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseHeader {
    /// Rust field name.
    pub name: String,
    /// Header name on the wire, lower case.
    pub wire: String,
    /// Its type: a scalar, parsed from the header's text (`String` for anything else).
    pub ty: TypeRef,
    /// `required: true`: a success response without it is a decode error.
    pub required: bool,
    /// Doc lines.
    pub docs: Vec<String>,
}

/// How a list operation is paged, and where its items are.
#[derive(Clone, Debug, PartialEq)]
pub struct Pagination {
    /// How the next page is found.
    pub shape: PageShape,
    /// The fields from the success body to its array of items (empty: the body is the array).
    pub items: Vec<FieldStep>,
    /// The type of one item.
    pub item: TypeRef,
    /// What was recognised, for the method docs (`a cursor in pagination.next_cursor, sent
    /// back as the cursor query parameter`).
    pub evidence: String,
}

/// One step of a field path into a response body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldStep {
    /// Rust field name.
    pub name: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
}

/// The pagination shapes the generator recognises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageShape {
    /// A string cursor in the body, sent back as a query parameter.
    Cursor {
        /// The query parameter's wire name.
        param: String,
        /// The fields from the body to the cursor (a string).
        cursor: Vec<FieldStep>,
        /// The fields from the body to a `has_more` boolean, if the body has one.
        has_more: Option<Vec<FieldStep>>,
    },
    /// An item offset query parameter, with the optional page size parameter.
    Offset {
        /// The offset parameter: index in [`Operation::params`].
        param: usize,
        /// The page size parameter: index in [`Operation::params`].
        limit: Option<usize>,
    },
    /// A page number query parameter, with the optional page size parameter.
    PageNumber {
        /// The page parameter: index in [`Operation::params`].
        param: usize,
        /// The page size parameter: index in [`Operation::params`].
        limit: Option<usize>,
    },
    /// `Link: <..>; rel="next"` response headers.
    LinkHeader,
    /// A next-page URL in the body.
    NextUrl {
        /// The fields from the body to the URL (a string).
        url: Vec<FieldStep>,
    },
}

impl PageShape {
    /// The shape's name in counts and docs: `cursor`, `offset`, `page`, `link-header`,
    /// `next-url`.
    pub fn label(&self) -> &'static str {
        match self {
            PageShape::Cursor { .. } => "cursor",
            PageShape::Offset { .. } => "offset",
            PageShape::PageNumber { .. } => "page",
            PageShape::LinkHeader => "link-header",
            PageShape::NextUrl { .. } => "next-url",
        }
    }
}

/// A piece of a path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text.
    Literal(String),
    /// The path parameter at this index of [`Operation::params`].
    Param(usize),
}

/// A path, query, header or cookie parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Rust argument name.
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Where it is sent.
    pub location: ParamLocation,
    /// Value type.
    pub ty: TypeRef,
    /// Required parameters are plain arguments; optional ones are `Option<T>`.
    pub required: bool,
    /// Form-style arrays: `explode: true` repeats the name, `false` joins with the style's
    /// separator.
    pub explode: bool,
    /// How an array or object value is written (query and path parameters).
    pub style: ParamStyle,
    /// The value is an object, spread over the query string or written into the path by
    /// `style` and `explode`.
    pub object: bool,
    /// Doc lines.
    pub docs: Vec<String>,
}

/// A parameter's `style`: how an array or object value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamStyle {
    /// `form` (the default in the query and cookies): arrays repeat the name or join with `,`.
    Form,
    /// `simple` (the default in the path): `1,2,3`, objects `k,v` or `k=v`.
    Simple,
    /// `label` (path): `.1,2,3` or `.1.2.3`.
    Label,
    /// `matrix` (path): `;id=1,2,3` or `;id=1;id=2`.
    Matrix,
    /// `spaceDelimited`: arrays join with a space.
    SpaceDelimited,
    /// `pipeDelimited`: arrays join with `|`.
    PipeDelimited,
    /// `deepObject`: objects as `name[key]=value`.
    DeepObject,
}

/// Where a parameter is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestBody {
    /// Body type: the schema's type for JSON and form bodies, `String` for text, `Unit` for
    /// binary and multipart bodies (see [`BodyEncoding`]).
    pub ty: TypeRef,
    /// When false the argument is optional.
    pub required: bool,
    /// Doc lines (description, the content type chosen, named examples).
    pub docs: Vec<String>,
    /// How the body is encoded.
    pub encoding: BodyEncoding,
    /// The `Content-Type` sent (a multipart body adds its boundary).
    pub content_type: String,
}

/// How a request body is encoded. When a body is offered in several content types, the first
/// kind in this order is chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyEncoding {
    /// JSON (`application/json`, any `+json`).
    Json,
    /// `application/x-www-form-urlencoded`, from a struct.
    Form,
    /// `multipart/form-data`, from a form struct emitted with the client.
    Multipart(MultipartForm),
    /// Text (`text/*`, XML, YAML) taken as a string.
    Text,
    /// Anything else, taken as bytes.
    Binary,
}

/// The struct a `multipart/form-data` body is written from, emitted in `client.rs` because its
/// file fields are runtime types.
#[derive(Clone, Debug, PartialEq)]
pub struct MultipartForm {
    /// Rust type name, unique among all generated types.
    pub name: String,
    /// Doc lines.
    pub docs: Vec<String>,
    /// One field per schema property, in spec order.
    pub fields: Vec<FormField>,
}

/// One field of a [`MultipartForm`].
#[derive(Clone, Debug, PartialEq)]
pub struct FormField {
    /// The field; for file parts its `ty` is not used.
    pub field: Field,
    /// How the field is sent.
    pub part: PartKind,
}

/// How a multipart form field is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// A value part (text, or JSON for objects; arrays give one part per item).
    Value,
    /// A file (`format: binary` or `contentMediaType`), with this default content type.
    File(String),
    /// An array of files, one part each, with this default content type.
    Files(String),
}

/// Which statuses a response entry matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    /// One status code.
    Code(u16),
    /// `4XX`-style range: the hundreds digit.
    Range(u16),
    /// `default`.
    Default,
}

/// How a response body is read.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseBody {
    /// No content is read.
    Empty,
    /// JSON parsed into this type.
    Json(TypeRef),
    /// Text kept as a `String`.
    Text,
    /// Bytes kept as a `Vec<u8>` (`application/octet-stream`, `image/*`, PDF...). In an error or
    /// success enum the variant has no payload; an error's bytes stay in its `ResponseInfo`.
    Binary,
    /// `text/event-stream`, returned unread as a stream of server-sent events whose data is
    /// JSON of this type, or text when `None`. Only a single success body is streamed.
    EventStream(Option<TypeRef>),
    /// A sequence of JSON values (3.2 `itemSchema` of `application/jsonl`,
    /// `application/x-ndjson` or `application/json-seq`), returned unread as a stream of items of
    /// this type. Only a single success body is streamed; `media` is asked for with `Accept`.
    Items { media: String, item: TypeRef },
}

/// One documented response of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// Which statuses it covers.
    pub status: StatusMatch,
    /// How the body is read.
    pub body: ResponseBody,
    /// Whether it is a success (2xx) response.
    pub success: bool,
    /// Variant name in the operation's error (or success) enum.
    pub variant: String,
    /// Doc lines (the response description).
    pub docs: Vec<String>,
    /// The `Content-Type` essences this response is read for when its status offers several
    /// representations (a JSON report or `text/csv`); empty for the status's main (or only)
    /// representation, which is read whatever the `Content-Type`.
    pub media: Vec<String>,
}

/// A variant of a [`TypeKind::Responses`] enum.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseVariant {
    /// Variant name.
    pub name: String,
    /// Payload type; `None` for a variant without a body.
    pub ty: Option<TypeRef>,
    /// Doc lines.
    pub docs: Vec<String>,
}

impl TypeRef {
    /// Whether a value of this type is one scalar (a number, string, date or boolean), sent as
    /// its text in a path, query, header or cookie.
    pub fn is_scalar(&self) -> bool {
        self.is_copy_scalar() || *self == TypeRef::String
    }

    /// Whether it is a scalar that is `Copy` (every scalar but a string): arguments of these
    /// types are taken by value.
    pub fn is_copy_scalar(&self) -> bool {
        matches!(
            self,
            TypeRef::Bool
                | TypeRef::I32
                | TypeRef::I64
                | TypeRef::U32
                | TypeRef::U64
                | TypeRef::F32
                | TypeRef::F64
                | TypeRef::DateTime
                | TypeRef::Date
        )
    }
}
