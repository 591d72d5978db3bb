//! The spec format as written by people and by `cargo xtask import`: one `service.yaml` per
//! product and API version, and one `<OperationName>.yaml` per operation.
//!
//! These types are the single definition of the format: serde reads them, and
//! `specs/spec.schema.json` (what editors validate against, and what our own loader checks
//! before serde sees a document) is derived from them. Every struct rejects unknown keys, so a
//! misspelt key is an error rather than a silently ignored setting.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `specs/<product>/<version>/service.yaml`: what every operation of one API version shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Product code as Alibaba spells it in its SDK package names, lower case: letters and
    /// digits, words joined by single dashes (`dbs`, `dataworks-public`).
    pub product: String,
    /// Human-readable product name, used in crate documentation.
    pub title: String,
    /// API version as the service expects it: `YYYY-MM-DD` (`2019-03-06`) or `YYYYMMDD`.
    pub api_version: String,
    /// How requests are shaped: `rpc` (Action in the query) or `roa` (REST paths).
    pub style: ApiStyle,
    /// The product gateway requests go through, when it is not Alibaba's common one (ACS3 / RPC
    /// V1 signatures, JSON answers): `oss` (OSS signatures, XML, the bucket in the host name) or
    /// `sls` (SLS signatures, the project in the host name). The importer sets it; an
    /// `overlay.yaml` may set or clear it. Signing, addressing and error decoding follow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Gateway>,
    /// Cargo package name of the generated crate, when it is not the default
    /// `acs-<product><version digits>`. Test fixtures use names outside `acs-`, so they never
    /// take the name of a real product's crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Version of the generated crate (`0.1.0` when absent). Imported services set it in
    /// `overlay.yaml`, which re-imports keep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crate_version: Option<String>,
    /// Markdown description of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Endpoint host per region, public and VPC.
    #[serde(default)]
    pub endpoints: Vec<EndpointSpec>,
    /// RAM (Resource Access Management) facts shared by the operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram: Option<ServiceRamSpec>,
    /// Named types the operations share, referred to with `ref: <Name>`; generated into the
    /// crate's `types` module.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<NamedTypeSpec>,
}

/// A named structure or enum shared by several operations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedTypeSpec {
    /// Type name, UpperCamelCase (`Tag`); the Rust name is derived from it.
    pub name: String,
    /// `object` or `enum`.
    #[serde(rename = "type")]
    pub type_name: TypeName,
    /// Description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members of an `object`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldSpec>>,
    /// Values of an `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValueSpec>>,
}

/// Request style of an API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApiStyle {
    /// Remote procedure call: `Action` and `Version` name the operation, parameters go in the query.
    Rpc,
    /// Resource-oriented: the operation is a method and a path.
    Roa,
}

/// A product gateway: how a product's requests are signed, addressed and answered when that is
/// not Alibaba's common way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gateway {
    /// Object Storage Service: `OSS4-HMAC-SHA256` (or V1 `OSS`) signatures, XML bodies and
    /// errors, the bucket as the first label of the host (or the first path segment).
    Oss,
    /// Simple Log Service: `LOG` (or `SLS4-HMAC-SHA256`) signatures, JSON errors
    /// (`errorCode`), the project as the first label of the host.
    Sls,
}

/// Endpoint hosts of one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// Region id, such as `cn-hangzhou`.
    pub region: String,
    /// Host reached over the internet. Many regions share a central host.
    pub public: String,
    /// Host reached from inside a VPC, when the region has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
}

/// RAM facts of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRamSpec {
    /// Prefix of every RAM action of the service (`dbs` in `dbs:StartBackupPlan`).
    pub code: String,
    /// Resource types and their ARN templates.
    #[serde(default)]
    pub resource_types: Vec<ResourceTypeSpec>,
}

/// A RAM resource type and its ARN template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceTypeSpec {
    /// Resource type name (`BackupPlan`).
    pub name: String,
    /// ARN template; `{#regionId}`, `{#accountId}` and `{#ParameterName}` are placeholders.
    pub arn: String,
}

/// `specs/<product>/<version>/<OperationName>.yaml`: one API operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationSpec {
    /// Operation name as sent on the wire (`StartBackupPlan`); also the file name.
    pub name: String,
    /// One-line summary (Markdown).
    pub summary: String,
    /// Longer description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// HTTP methods the operation accepts, preferred first. RPC operations are sent as POST when
    /// POST is listed.
    pub methods: Vec<HttpMethod>,
    /// Path template for ROA operations (`/clusters/{ClusterId}/nodepools`); `/` for RPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Whether the operation only reads. An operation is retried after a failure the service
    /// may have processed only when it is a read by every sign (this, its HTTP method and its
    /// name) or carries an idempotency token; see `idempotent`.
    #[serde(default)]
    pub operation_type: OperationType,
    /// Overrides the retry decision: `true` when repeating the operation is harmless although
    /// the signs say otherwise, `false` to never repeat it after it may have been processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
    /// The operation is deprecated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Request parameters.
    #[serde(default)]
    pub parameters: Vec<ParameterSpec>,
    /// Requests are sent without credentials or signature (public operations, STS
    /// `AssumeRoleWithOIDC`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub anonymous: bool,
    /// Fields of the JSON object a successful response carries.
    #[serde(default)]
    pub response: Vec<FieldSpec>,
    /// A successful response's body when it is not a JSON object (an array, a scalar, text,
    /// bytes); `response` is then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<ResponseBodySpec>,
    /// The answer is an XML document: the name of its root element, whose children are
    /// `response`'s members (the OSS gateway's answers). Absent: a JSON answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_root: Option<String>,
    /// Members of a successful answer read from its headers: names are header names
    /// (`x-oss-hash-crc64ecma`, `ETag`), types scalars.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<FieldSpec>,
    /// Error codes the operation documents.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// RAM authorization of the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram: Option<OperationRamSpec>,
}

/// An HTTP method.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum HttpMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
    /// PATCH
    Patch,
    /// HEAD
    Head,
    /// OPTIONS (OSS's CORS preflight, `OptionObject`)
    Options,
}

/// Whether an operation changes anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OperationType {
    /// Only reads; safe to repeat.
    Read,
    /// Changes state; repeated only when an idempotency token makes that safe.
    #[default]
    Write,
}

/// Value types of parameters and response fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypeName {
    /// UTF-8 text.
    String,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// `true` or `false`.
    Boolean,
    /// A list; `items` gives the element type.
    Array,
    /// A structure; `fields` lists its members.
    Object,
    /// A string-keyed map; `items` gives the value type.
    Map,
    /// A string from a fixed set; `values` lists it. Unknown values are still accepted.
    Enum,
    /// Any JSON value (used when the metadata gives no usable type).
    Any,
    /// Bytes sent as they are: only as the whole request body (`in: body`, an uploaded file).
    Binary,
}

/// How a successful response's body is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// A JSON value of the given `type`.
    #[default]
    Json,
    /// Plain text (such as a script).
    Text,
    /// Bytes (such as a file).
    Binary,
}

/// The body of a successful response that is not a JSON object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBodySpec {
    /// `json` (the default), `text` or `binary`.
    #[serde(default, skip_serializing_if = "is_json")]
    pub format: BodyFormat,
    /// With format `json`: the value's type (`array`, `map`, a scalar, `any`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<TypeName>,
    /// With type `object` or `enum`: the named type (one of `service.yaml`'s `types`).
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Element type of an `array`, value type of a `map`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<ItemSpec>>,
    /// Members of an `object`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldSpec>>,
    /// Values of an `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValueSpec>>,
}

/// Where a request parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// In the query string.
    Query,
    /// In the request body (form fields for RPC, JSON for ROA).
    Body,
    /// A form field of the body (`application/x-www-form-urlencoded`): how ROA operations
    /// that send forms say so. For RPC, the same as `body`.
    #[serde(rename = "formData")]
    FormData,
    /// Substituted into the path template.
    Path,
    /// As an HTTP header.
    Header,
    /// As part of the host name.
    Host,
}

/// How a structured parameter value becomes wire parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    /// Scalars as they are (the default).
    Simple,
    /// Lists as `Name.1`, `Name.2`, objects in lists as `Name.1.Key`.
    RepeatList,
    /// Objects as `Name.Key`.
    Flat,
    /// The value JSON-encoded into one string.
    Json,
    /// The whole body as an XML document whose root element is the parameter's name (an
    /// `object` body, `in: body`).
    Xml,
    /// The whole body as an SLS `LogGroup` in protobuf, compressed as the operation's
    /// `x-log-compresstype` header says (SLS `PutLogs`; an `object` body, `in: body`).
    LogGroup,
}

/// A request parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    /// Wire name (`BackupPlanId`).
    pub name: String,
    /// Where the parameter travels.
    #[serde(rename = "in")]
    pub position: Position,
    /// Value type.
    #[serde(rename = "type")]
    pub type_name: TypeName,
    /// With type `object` or `enum`: the named type (one of `service.yaml`'s `types`) the value
    /// has, instead of `fields` or `values` of its own.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Requests without it are refused before they are sent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Serialization of structured values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<ParamStyle>,
    /// Description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
    /// The parameter is deprecated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// This parameter is the operation's idempotency token (`ClientToken`): the client fills it
    /// with a fresh UUID when the caller leaves it unset, and retries reuse it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub idempotency_token: bool,
    /// Element type of an `array`, value type of a `map`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<ItemSpec>>,
    /// Members of an `object`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldSpec>>,
    /// Values of an `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValueSpec>>,
}

/// A member of a response body or of an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Wire name (`CreatedFullBackupsetId`).
    pub name: String,
    /// Value type.
    #[serde(rename = "type")]
    pub type_name: TypeName,
    /// With type `object` or `enum`: the named type (one of `service.yaml`'s `types`) the value
    /// has, instead of `fields` or `values` of its own.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
    /// Inside request objects: the member must be set.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The member is deprecated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Element type of an `array`, value type of a `map`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<ItemSpec>>,
    /// Members of an `object`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldSpec>>,
    /// Values of an `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValueSpec>>,
}

/// The element type of an array or the value type of a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// Value type.
    #[serde(rename = "type")]
    pub type_name: TypeName,
    /// With type `object` or `enum`: the named type (one of `service.yaml`'s `types`) the value
    /// has, instead of `fields` or `values` of its own.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Element type of a nested `array` or `map`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<ItemSpec>>,
    /// Members of an `object`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldSpec>>,
    /// Values of an `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<EnumValueSpec>>,
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValueSpec {
    /// The value as sent on the wire.
    pub value: String,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A documented error code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// Error code (`Request.Forbidden`).
    pub code: String,
    /// HTTP status that carries it; absent for business errors reported in an HTTP 200 body
    /// (`Success: false` with `ErrCode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Message the service sends with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What it means and what to do (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// RAM authorization of one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationRamSpec {
    /// RAM action (`dbs:StartBackupPlan`).
    pub action: String,
    /// Access level.
    pub access_level: AccessLevel,
    /// Resources the action applies to; empty means all resources (`*`).
    #[serde(default)]
    pub resources: Vec<RamResourceSpec>,
    /// Condition keys the action supports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub condition_keys: Vec<String>,
    /// Actions the caller must also be allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependent_actions: Vec<String>,
}

/// RAM access levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccessLevel {
    /// Creates resources.
    Create,
    /// Lists resources.
    List,
    /// Reads one resource.
    Get,
    /// Changes resources.
    Update,
    /// Deletes resources.
    Delete,
}

/// A resource an operation's RAM action applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RamResourceSpec {
    /// Resource type name (`BackupPlan`).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// ARN template, with `{#regionId}`, `{#accountId}` and `{#ParameterName}` placeholders.
    pub arn: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_json(format: &BodyFormat) -> bool {
    *format == BodyFormat::Json
}
