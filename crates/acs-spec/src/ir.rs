//! The validated intermediate representation the code generator consumes.
//!
//! Everything here has been checked and decided: Rust names are safe identifiers that collide
//! with nothing the generator emits ([`crate::names`]), types are complete, every parameter
//! knows how it travels ([`Placement`]), every operation knows whether it may be repeated
//! ([`RetrySafety`]) and how its answer is read ([`ResponseShape`]). The generator makes no
//! decisions that could fail and derives none of these again.

pub use crate::model::{AccessLevel, ApiStyle, Gateway, HttpMethod};

/// One product API version and all its operations.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Product code as the metadata spells it, lower case (`dbs`, `dataworks-public`).
    pub product: String,
    /// Human-readable product name.
    pub title: String,
    /// API version (`2019-03-06`).
    pub api_version: String,
    /// RPC or ROA.
    pub style: ApiStyle,
    /// The product gateway (`None`: Alibaba's common one).
    pub gateway: Option<Gateway>,
    /// Product description.
    pub description: Option<String>,
    /// Cargo package of the generated client (`acs-dbs20190306`).
    pub package_name: String,
    /// Version of the generated crate (`0.1.0`).
    pub crate_version: String,
    /// Endpoints, sorted by region.
    pub endpoints: Vec<Endpoint>,
    /// RAM action prefix, when the service has RAM facts.
    pub ram_code: Option<String>,
    /// Named types shared by the operations (`crate::types`), sorted by name.
    pub types: Vec<TypeDef>,
    /// Operations, sorted by name.
    pub operations: Vec<Operation>,
}

/// Endpoint hosts of one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Region id.
    pub region: String,
    /// Public host.
    pub public: String,
    /// VPC host.
    pub vpc: Option<String>,
}

/// The Rust names of everything an operation generates, decided once from its wire name
/// ([`crate::names::operation_names`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationNames {
    /// Module and client method name (`start_backup_plan`), already a safe identifier.
    pub snake: String,
    /// `snake` without a raw prefix (`match` for `r#match`): the module's file
    /// (`src/operation/<bare_snake>.rs`), and how docs write the module and method names.
    pub bare_snake: String,
    /// Prefix of the operation's types (`StartBackupPlan`), never a keyword escape.
    pub upper_camel: String,
    /// Cargo feature (`start-backup-plan`).
    pub feature: String,
    /// The request type (`StartBackupPlanRequest`).
    pub request: String,
    /// The request builder (`StartBackupPlanBuilder`).
    pub builder: String,
    /// The response type (`StartBackupPlanResponse`).
    pub response: String,
    /// The error enum (`StartBackupPlanError`).
    pub error: String,
}

/// Whether a failed attempt may be repeated after the service may have processed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrySafety {
    /// A read by every sign the spec gives (or declared idempotent).
    ReadOnly,
    /// Carries an idempotency token, so the service runs it at most once.
    Token,
    /// Could run twice: repeated only when the request provably was not processed.
    Unsafe,
}

/// How a successful answer's body is read.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseShape {
    /// A JSON object whose members are [`Operation::response`].
    Object,
    /// A JSON value of another shape (an array, a scalar), held in the response's `body` field.
    Value(TypeRef),
    /// Plain text, held in `body`.
    Text,
    /// Bytes, held in `body`: object data, read as a stream.
    Binary,
    /// An XML document whose root element holds [`Operation::response`]'s members as child
    /// elements (every answer through the OSS gateway that is not text or bytes).
    Xml {
        /// The root element's name, when the spec gives it.
        root: Option<String>,
    },
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Wire name (`StartBackupPlan`).
    pub name: String,
    /// Rust names.
    pub names: OperationNames,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    pub description: Option<String>,
    /// Method the client sends.
    pub method: HttpMethod,
    /// Path template (`/` for RPC).
    pub path: String,
    /// Whether a failed attempt may be repeated.
    pub retry: RetrySafety,
    /// Sent without credentials or signature.
    pub anonymous: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Request parameters, in spec order.
    pub params: Vec<Field>,
    /// Index into `params` of the idempotency token.
    pub idempotency_token: Option<usize>,
    /// How the answer is read.
    pub response_shape: ResponseShape,
    /// Members of an object answer ([`ResponseShape::Object`], [`ResponseShape::Xml`]).
    pub response: Vec<Field>,
    /// Members read from the answer's headers (wire names are header names), whatever the
    /// body; their Rust names collide with no member of `response`.
    pub response_headers: Vec<Field>,
    /// Whether the request type can derive `Eq` (no float or untyped member, transitively).
    pub request_eq: bool,
    /// Whether the response type can derive `Eq`.
    pub response_eq: bool,
    /// Nested structs and enums only this operation uses, in a stable order.
    pub types: Vec<TypeDef>,
    /// Documented error codes.
    pub errors: Vec<ErrorCode>,
    /// RAM authorization.
    pub ram: Option<Ram>,
    /// How the answer pages, for list operations the rules recognise.
    pub pagination: Option<Pagination>,
}

/// How a list operation's pages are asked for and read ([`crate::rules::pagination_names`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Index into `params` of the cursor: a page number, or a token the previous page gave.
    pub cursor: usize,
    /// The answer's token for the next page (token cursors).
    pub next_token: Option<Member>,
    /// Where page numbers start and how the next one is found (page-number cursors).
    pub page_numbers: Option<PageNumbers>,
    /// The answer's count of all items.
    pub total_count: Option<Member>,
    /// The answer's count of pages.
    pub total_pages: Option<Member>,
    /// The page's items.
    pub items: Member,
    /// The type of one item.
    pub item: TypeRef,
    /// Whether any member on these paths, or the cursor, is deprecated.
    pub deprecated: bool,
}

/// How a page-number cursor moves: products count pages from 0 or from 1, so the next page's
/// number follows from what the answer says it holds or, where it says nothing, from where the
/// metadata says pages start. At least one of the two is known, or the operation gets no
/// paginator.
#[derive(Debug, Clone, PartialEq)]
pub struct PageNumbers {
    /// The answer's member saying which page it holds (`PageNum` echoed back): the next page
    /// is that number plus one.
    pub echoed: Option<Member>,
    /// The number of the page the operation answers when asked for none (0 or 1), as the
    /// cursor's description documents it ([`crate::rules::documented_first_page`]).
    pub first: Option<i64>,
}

/// A response member reached through nested structs.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Rust field names, outermost first.
    pub path: Vec<String>,
    /// The member's type.
    pub ty: TypeRef,
}

impl Operation {
    /// The parameters that are [`Field::required`].
    pub fn required_params(&self) -> impl Iterator<Item = &Field> {
        self.params.iter().filter(|p| p.required)
    }

    /// The types a successful answer is decoded into: the members of an object answer, or the
    /// one value of another JSON answer.
    pub fn response_types(&self) -> impl Iterator<Item = &TypeRef> {
        let value = match &self.response_shape {
            ResponseShape::Value(ty) => Some(ty),
            _ => None,
        };
        self.response.iter().map(|field| &field.ty).chain(value)
    }
}

/// Where a named type is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeScope {
    /// In the operation's own module.
    Operation,
    /// In the crate's `types` module, shared by operations.
    Service,
}

/// The Rust type of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// `String`
    String,
    /// `i32`
    Int32,
    /// `i64`
    Int64,
    /// `f32`
    Float,
    /// `f64`
    Double,
    /// `bool`
    Boolean,
    /// Untyped JSON (`serde_json::Value`).
    Any,
    /// `Vec<T>`
    List(Box<TypeRef>),
    /// `BTreeMap<String, T>`
    Map(Box<TypeRef>),
    /// A struct or enum, by Rust name.
    Named {
        /// Rust type name.
        name: String,
        /// Where it is declared.
        scope: TypeScope,
    },
    /// `Box<T>`: a member whose type contains the struct it belongs to.
    Boxed(Box<TypeRef>),
    /// `Vec<u8>`: bytes sent as the whole request body.
    Bytes,
}

impl TypeRef {
    /// Whether the value reads the same in text as in the request (for ARN placeholders).
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            TypeRef::String
                | TypeRef::Int32
                | TypeRef::Int64
                | TypeRef::Float
                | TypeRef::Double
                | TypeRef::Boolean
        )
    }
}

/// How IR text links to an operation of the same service: `[Label](operation:<bare_snake>)`
/// ([`OperationNames::bare_snake`]), from a doc-center link whose label names it. Every such
/// target in lowered text names an operation of the service.
pub const OPERATION_LINK: &str = "operation:";

/// Documentation of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Docs {
    /// Markdown text from the spec.
    pub description: Option<String>,
    /// Example value, as text.
    pub example: Option<String>,
}

/// How a request parameter's value is encoded into one or more wire parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Scalars as they are; lists as `Name.1`, …; objects and maps as `Name.Key` (the
    /// `simple`, `repeatList` and `flat` styles).
    Flatten,
    /// A list joined with commas into one parameter (`simple` style on a list).
    Join,
    /// The whole value JSON-encoded into one parameter (`json` style).
    Json,
}

/// Where a request parameter travels and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In the query string.
    Query(Encoding),
    /// As form fields of the body.
    Form(Encoding),
    /// Substituted into the path template.
    Path,
    /// As an HTTP header.
    Header(Encoding),
    /// The whole JSON body (ROA: the only, structured, body parameter).
    JsonBody,
    /// One member of the JSON body object (ROA).
    JsonMember,
    /// The whole body, as bytes (an uploaded file or image; object data, which may stream).
    BinaryBody,
    /// The host name's first label, in front of the endpoint (`{bucket}.oss-cn-hangzhou.aliyuncs.com`);
    /// an operation has at most one, a required string the runtime checks is a DNS label.
    Host,
    /// The whole body as an XML document whose root element is the parameter's wire name.
    XmlBody,
    /// The whole body as an SLS `LogGroup` in protobuf, compressed as `x-log-compresstype`
    /// says.
    LogGroupBody,
}

/// A request parameter, a response field or a member of a nested struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Wire name.
    pub wire_name: String,
    /// Rust field name; may be a raw identifier (`r#type`).
    pub ident: String,
    /// Value type.
    pub ty: TypeRef,
    /// Must be set (request side).
    pub required: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// How a request parameter travels (`None` for response fields and struct members).
    pub placement: Option<Placement>,
    /// Documentation.
    pub docs: Docs,
}

/// A nested type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// A struct.
    Struct(StructDef),
    /// A string enum.
    Enum(EnumDef),
}

impl TypeDef {
    /// The Rust type name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(def) => &def.name,
            TypeDef::Enum(def) => &def.name,
        }
    }
}

/// Which sides of the wire a type is used on, which decides what it implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sides {
    /// Sent by the client (in a request).
    pub request: bool,
    /// Received by the client (in a response).
    pub response: bool,
    /// Received in an XML answer (so read from XML elements rather than JSON).
    pub xml: bool,
}

/// A nested struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Rust type name.
    pub name: String,
    /// Where it is used.
    pub sides: Sides,
    /// Whether every member (transitively) supports `Eq`.
    pub eq: bool,
    /// Documentation.
    pub docs: Docs,
    /// Members.
    pub fields: Vec<Field>,
}

/// A string enum; unknown values are kept in an `Unknown(String)` variant.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Rust type name.
    pub name: String,
    /// Where it is used.
    pub sides: Sides,
    /// Documentation.
    pub docs: Docs,
    /// Known values.
    pub values: Vec<EnumValue>,
}

/// One known value of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// Wire value.
    pub wire: String,
    /// Rust variant name.
    pub variant: String,
    /// Meaning.
    pub description: Option<String>,
}

/// A documented error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCode {
    /// Code as the service sends it (`Request.Forbidden`).
    pub code: String,
    /// Rust variant name (`RequestForbidden`).
    pub variant: String,
    /// HTTP status, `None` for business errors in an HTTP 200 body.
    pub http_status: Option<u16>,
    /// Message the service sends.
    pub message: Option<String>,
    /// Meaning.
    pub description: Option<String>,
}

/// RAM authorization of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ram {
    /// Action (`dbs:StartBackupPlan`).
    pub action: String,
    /// Access level.
    pub access_level: AccessLevel,
    /// Resources; empty means all resources.
    pub resources: Vec<RamResource>,
    /// Condition keys.
    pub condition_keys: Vec<String>,
    /// Dependent actions.
    pub dependent_actions: Vec<String>,
}

/// A resource of a RAM action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RamResource {
    /// Resource type.
    pub resource_type: String,
    /// The template as written.
    pub template: String,
    /// The template split into literal text and placeholders.
    pub parts: Vec<ArnPart>,
}

/// A piece of an ARN template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnPart {
    /// Text copied as is.
    Literal(String),
    /// `{#regionId}`
    Region,
    /// `{#accountId}`
    Account,
    /// `{#Param}`: the value of a request parameter.
    Param {
        /// Index into `Operation::params`.
        index: usize,
        /// The placeholder's name as the template writes it.
        placeholder: String,
    },
    /// A placeholder that names no parameter: any value (`*`).
    Wildcard {
        /// The placeholder's name as the template writes it.
        placeholder: String,
    },
    /// Text that looks like a placeholder and is not one (`#{endpointId}` in PrivateZone's
    /// metadata): any value (`*`), never copied.
    Malformed {
        /// The text as the template writes it.
        text: String,
    },
}

impl RamResource {
    /// The template as generated clients fill it: `{#regionId}`, `{#accountId}`, each
    /// parameter's placeholder under the parameter's wire name (`{#backupPlanId}` matched to
    /// `BackupPlanId` becomes `{#BackupPlanId}`), and a placeholder naming no scalar parameter
    /// as `*`, so a client never fills it from some other value. `params` are the operation's.
    pub fn resolved_template(&self, params: &[Field]) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                ArnPart::Literal(text) => text.clone(),
                ArnPart::Region => "{#regionId}".to_owned(),
                ArnPart::Account => "{#accountId}".to_owned(),
                ArnPart::Param { index, .. } => params
                    .get(*index)
                    .map_or_else(|| "*".to_owned(), |p| format!("{{#{}}}", p.wire_name)),
                ArnPart::Wildcard { .. } | ArnPart::Malformed { .. } => "*".to_owned(),
            })
            .collect()
    }

    /// The ARN with every placeholder replaced by `*`, as written into policy files.
    pub fn wildcard_arn(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                ArnPart::Literal(text) => text.as_str(),
                _ => "*",
            })
            .collect()
    }
}
