//! Runtime for generated Alibaba Cloud API clients.
//!
//! Generated client crates (such as `acs-dbs20190306`) describe each operation and call into this
//! crate to sign and send it: credentials, the `ACS3-HMAC-SHA256` / `ACS3-HMAC-SM3` signatures and
//! the older RPC `HMAC-SHA1` signature, endpoint resolution, transport, error decoding and retries.
#![forbid(unsafe_code)]

pub mod client;
pub mod config;
pub mod credentials;
pub mod decode;
pub mod encoding;
pub mod endpoint;
pub mod error;
pub mod headers;
pub mod json;
#[cfg(feature = "test-util")]
pub mod mock;
pub mod operation;
pub mod paginate;
pub mod params;
pub mod ram;
mod request;
pub mod retry;
pub mod sign;
pub mod transport;

pub use client::Client;
pub use config::Config;
pub use error::{
    BuildError, ConfigError, DecodeError, SdkError, ServiceError, TransportError,
    TransportErrorKind,
};
pub use headers::Headers;
pub use json::FromJson;
pub use operation::{
    ApiStyle, Auth, BodyKind, FromResponse, Idempotency, Method, Operation, OperationError,
    OperationInfo, ResponseBody, ServiceInfo,
};
pub use paginate::{CursorField, Page, Paginated, Paginator};
pub use params::{
    IntoParam, Position, RequestParams, WireList, WireMap, WireRef, WireStruct, WireValue,
};
pub use retry::RetryConfig;
/// The JSON library generated types use for untyped (`any`) members, re-exported so client
/// crates need no dependency of their own.
pub use serde_json;
pub use transport::{DefaultTransport, HttpRequest, HttpResponse, Timeouts, Transport};
