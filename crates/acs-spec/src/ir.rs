//! The validated intermediate representation the code generator consumes.
//!
//! Everything here has been checked: Rust names are safe identifiers that do not collide, types
//! are complete, ARN templates are split into parts. The generator makes no decisions that
//! could fail.

pub use crate::model::{AccessLevel, ApiStyle, HttpMethod, ParamStyle, Position};

/// One product API version and all its operations.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Product code, lower case (`dbs`).
    pub product: String,
    /// Human-readable product name.
    pub title: String,
    /// API version (`2019-03-06`).
    pub api_version: String,
    /// RPC or ROA.
    pub style: ApiStyle,
    /// Product description.
    pub description: Option<String>,
    /// Cargo package of the generated client (`acs-dbs20190306`).
    pub package_name: String,
    /// Endpoints, sorted by region.
    pub endpoints: Vec<Endpoint>,
    /// RAM action prefix, when the service has RAM facts.
    pub ram_code: Option<String>,
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

/// Names derived from an operation's wire name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationNames {
    /// Module and client method name (`start_backup_plan`), already a safe identifier.
    pub snake: String,
    /// Prefix of the operation's types (`StartBackupPlan`).
    pub upper_camel: String,
    /// Cargo feature (`start-backup-plan`).
    pub feature: String,
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
    /// Request style of the service (decides how body parameters travel).
    pub style: ApiStyle,
    /// Method the client sends.
    pub method: HttpMethod,
    /// Path template (`/` for RPC).
    pub path: String,
    /// Only reads, so repeating it is safe.
    pub read_only: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Request parameters, in spec order.
    pub params: Vec<Field>,
    /// Index into `params` of the idempotency token.
    pub idempotency_token: Option<usize>,
    /// Fields of the success body.
    pub response: Vec<Field>,
    /// Nested structs and enums of request and response, in a stable order.
    pub types: Vec<TypeDef>,
    /// Documented error codes.
    pub errors: Vec<ErrorCode>,
    /// RAM authorization.
    pub ram: Option<Ram>,
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
    /// A struct or enum of the operation module, by Rust name.
    Named(String),
}

/// Documentation of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Docs {
    /// Markdown text from the spec.
    pub description: Option<String>,
    /// Example value, as text.
    pub example: Option<String>,
}

/// A request parameter, a response field or a member of a nested struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Wire name.
    pub wire_name: String,
    /// Rust field name; may be a raw identifier (`r#type`).
    pub ident: String,
    /// Name used to build setter names (`set_<base>`), never raw (`type`).
    pub base_name: String,
    /// Value type.
    pub ty: TypeRef,
    /// Must be set (request side).
    pub required: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Where a request parameter travels (`None` for members of structs).
    pub position: Option<Position>,
    /// How a structured request parameter is serialized.
    pub style: ParamStyle,
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

/// Which side of the wire a nested type lives on, which decides its derives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Sent by the client.
    Request,
    /// Received by the client.
    Response,
}

/// A nested struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Rust type name.
    pub name: String,
    /// Request or response side.
    pub side: Side,
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
    /// `{#Param}`: the value of a request parameter (index into `Operation::params`).
    Param(usize),
    /// A placeholder that names no parameter: any value (`*`).
    Wildcard,
}

impl RamResource {
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
