//! What a generated operation tells the runtime about itself.
//!
//! Generated code keeps only the typed edges of a call: its request writes its parameters
//! ([`Operation::write_params`]), its response decodes from the body ([`FromResponse`]) and its
//! error is built from the service's answer ([`OperationError`]). Everything between (signing,
//! sending, retries, decoding errors) is compiled once, in [`crate::Client`].

use std::fmt;
use std::time::Instant;

pub use crate::endpoint::Gateway;
use crate::endpoint::RegionEndpoint;
use crate::error::ServiceError;
use crate::headers::Headers;
use crate::json::{self, FromJson};
use crate::params::RequestParams;
use crate::ram::{self, ResourceArns};
use crate::stream::ByteStream;
pub use crate::transport::Method;
use crate::xml::FromXml;

/// Request style of an API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiStyle {
    /// `Action` and `Version` name the operation; parameters in the query.
    Rpc,
    /// REST-like paths and JSON bodies.
    Roa,
}

/// Static facts about a product API version, generated into each client crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// Product code (`dbs`).
    pub product: &'static str,
    /// API version (`2019-03-06`), sent as `x-acs-version` / `Version`.
    pub version: &'static str,
    /// RPC or ROA.
    pub style: ApiStyle,
    /// The gateway its requests go through.
    pub gateway: Gateway,
    /// Endpoint hosts per region.
    pub endpoints: &'static [RegionEndpoint],
}

impl fmt::Display for ApiStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiStyle::Rpc => "RPC",
            ApiStyle::Roa => "ROA",
        })
    }
}

/// Whether repeating a failed attempt is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// The operation only reads.
    ReadOnly,
    /// The operation takes an idempotency token; the same token on every attempt makes the
    /// service run it at most once.
    Token,
    /// Repeating could run the operation twice: retried only when the request provably was not
    /// processed (connection refused, throttled).
    Unsafe,
}

/// What a successful answer's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyKind {
    /// A JSON document (almost every operation).
    Json,
    /// Plain text, such as a script.
    Text,
    /// Bytes, such as a file: object data, handed over as a stream.
    Binary,
    /// An XML document (the OSS gateway's answers).
    Xml,
}

/// Whether requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// Signed with the caller's credentials (almost every operation).
    Signed,
    /// Sent without credentials or signature (STS `AssumeRoleWithOIDC`, public operations).
    Anonymous,
}

/// Static facts about an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// Wire name (`StartBackupPlan`), sent as `x-acs-action` / `Action`.
    pub action: &'static str,
    /// Method the request is sent with.
    pub method: Method,
    /// Path template (`/` for RPC).
    pub path: &'static str,
    /// Retry safety.
    pub idempotency: Idempotency,
    /// What a successful answer's body holds.
    pub body: BodyKind,
    /// Whether requests are signed.
    pub auth: Auth,
}

impl OperationInfo {
    /// An ROA operation answering JSON.
    pub const fn roa(
        action: &'static str,
        method: Method,
        path: &'static str,
        idempotency: Idempotency,
    ) -> Self {
        OperationInfo {
            action,
            method,
            path,
            idempotency,
            body: BodyKind::Json,
            auth: Auth::Signed,
        }
    }

    /// An RPC operation answering JSON: the common case.
    pub const fn rpc(action: &'static str, method: Method, idempotency: Idempotency) -> Self {
        Self::roa(action, method, "/", idempotency)
    }

    /// The same operation, sent unsigned.
    pub const fn anonymous(mut self) -> Self {
        self.auth = Auth::Anonymous;
        self
    }

    /// The same operation, answering `body`.
    pub const fn answering(mut self, body: BodyKind) -> Self {
        self.body = body;
        self
    }
}

/// A request the runtime can send: implemented by every generated request type.
pub trait Operation: Send + Sync + 'static {
    /// The decoded success body.
    type Output: FromResponse + Send + 'static;
    /// The operation's typed service error.
    type Error: OperationError;

    /// Static facts.
    const INFO: &'static OperationInfo;

    /// RAM authorization, when the metadata gives it.
    const RAM: Option<&'static ram::Facts> = None;

    /// Writes the request's parameters.
    fn write_params(&self, params: &mut RequestParams);

    /// The idempotency token slot, for operations that have one: the runtime fills an unset
    /// token once, before the first attempt, so every attempt carries the same token.
    fn idempotency_token_mut(&mut self) -> Option<&mut Option<String>> {
        None
    }

    /// Reads the output's members that travel in the answer's headers (after the body is
    /// decoded); operations without such members read nothing.
    fn read_headers(_output: &mut Self::Output, _headers: &Headers) -> json::Result<()> {
        Ok(())
    }
}

/// A value read from a response header's text.
pub trait FromHeader: Sized {
    /// Parses `text` (`None`: it does not read as this type).
    fn from_header(text: &str) -> Option<Self>;
}

impl FromHeader for String {
    fn from_header(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

macro_rules! from_header_parse {
    ($($ty:ty),*) => {$(
        impl FromHeader for $ty {
            fn from_header(text: &str) -> Option<Self> {
                text.trim().parse().ok()
            }
        }
    )*};
}
from_header_parse!(i32, i64, f32, f64, bool);

/// Reads header `name` of an answer into `slot` (left `None` when the answer does not carry
/// it); a value that does not read as `T` is an error naming the header, never its value.
pub fn read_header<T: FromHeader>(
    headers: &Headers,
    name: &str,
    slot: &mut Option<T>,
) -> json::Result<()> {
    let Some(text) = headers.get(name) else {
        return Ok(());
    };
    match T::from_header(text) {
        Some(value) => {
            *slot = Some(value);
            Ok(())
        }
        None => Err(json::DecodeError::new(format!(
            "the header `{name}` does not read as {}",
            std::any::type_name::<T>()
        ))),
    }
}

/// The body of a successful answer, for the output type to read as [`OperationInfo::body`]
/// says: JSON decoded member by member ([`ResponseBody::decode_json`]), XML likewise
/// ([`ResponseBody::decode_xml`]), text, bytes, or a stream of object data.
pub struct ResponseBody {
    bytes: Vec<u8>,
    /// When reading a large JSON body must give up: the call's deadline.
    deadline: Option<Instant>,
    /// Object data still arriving (operations answering [`BodyKind::Binary`]).
    stream: Option<ByteStream>,
}

impl ResponseBody {
    /// The body `bytes`, read without a deadline.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        ResponseBody {
            bytes: bytes.into(),
            deadline: None,
            stream: None,
        }
    }

    /// A body still arriving.
    pub(crate) fn streaming(stream: ByteStream) -> Self {
        ResponseBody {
            bytes: Vec::new(),
            deadline: None,
            stream: Some(stream),
        }
    }

    /// The body as a stream of its bytes (those already read, or those still arriving).
    pub fn into_stream(self) -> ByteStream {
        match self.stream {
            Some(stream) => stream,
            None => ByteStream::from(self.bytes),
        }
    }

    /// The body decoded as the XML of `T`: the document's root element read by
    /// [`FromXml`] (an empty body: every member absent).
    pub fn decode_xml<T: FromXml + Default>(&self) -> json::Result<T> {
        crate::xml::decode(&self.bytes, self.deadline)
    }

    /// The same body, to be read before `deadline`.
    pub(crate) fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The body's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The body as text (bytes that are not UTF-8 replaced).
    pub fn into_text(self) -> String {
        match String::from_utf8(self.bytes) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        }
    }

    /// The body as bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The body decoded as the JSON of `T` (an empty body: every member absent).
    pub fn decode_json<T: FromJson>(&self) -> json::Result<T> {
        json::decode(&self.bytes, self.deadline)
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An answer may hold secrets (credentials, keys an API returns).
        write!(f, "ResponseBody({} bytes)", self.bytes.len())
    }
}

/// An operation's output, decoded from a successful answer. JSON outputs implement
/// [`FromJson`] and get this for free.
pub trait FromResponse: Sized {
    /// Decodes `body`.
    fn from_response(body: ResponseBody) -> Result<Self, json::DecodeError>;
}

impl<T: FromJson> FromResponse for T {
    fn from_response(body: ResponseBody) -> Result<Self, json::DecodeError> {
        body.decode_json()
    }
}

/// An operation's typed service error: one variant per documented code and a catch-all, each
/// carrying the service's answer. The accessors are the same for every operation.
pub trait OperationError: From<ServiceError> + std::error::Error + Send + Sync + 'static {
    /// The service's answer, whatever the variant.
    fn service_error(&self) -> &ServiceError;

    /// The error code as the service sent it (`Request.Forbidden`).
    fn code(&self) -> &str {
        &self.service_error().code
    }

    /// The error message as the service sent it.
    fn message(&self) -> &str {
        &self.service_error().message
    }

    /// The request id, for Alibaba Cloud support.
    fn request_id(&self) -> Option<&str> {
        self.service_error().request_id.as_deref()
    }

    /// The HTTP status of the answer.
    fn http_status(&self) -> u16 {
        self.service_error().http_status
    }
}

impl OperationError for ServiceError {
    fn service_error(&self) -> &ServiceError {
        self
    }
}

impl<O: Operation> ResourceArns for O {
    fn resource_arns(&self, region_id: &str, account_id: &str) -> Vec<String> {
        let mut params = RequestParams::default();
        self.write_params(&mut params);
        let templates = O::RAM.map_or(&[][..], |facts| facts.resource_arn_templates);
        ram::fill(templates, region_id, account_id, &params)
    }
}
