//! Runtime for generated Alibaba Cloud API clients.
//!
//! Generated client crates (such as `acs-dbs20190306`) describe each operation and call into this
//! crate to sign and send it: credentials, the `ACS3-HMAC-SHA256` / `ACS3-HMAC-SM3` signatures and
//! the older RPC `HMAC-SHA1` signature, the OSS and SLS gateways' own (`OSS4-HMAC-SHA256`, `OSS`,
//! `LOG`, `SLS4-HMAC-SHA256`), endpoint resolution and host-named buckets and projects,
//! transport (object data streamed, CRC-64 checked), JSON and XML decoding and retries.
//!
//! The modules form layers, each importing only its own layer and the ones below it (a test,
//! `tests/it/layering.rs`, fails on an import up this table or an import cycle):
//!
//! | layer | modules |
//! | --- | --- |
//! | the call | [`client`] (prepare, then attempts in phases: credentials → sign → send → read → decode), [`paginate`], `mock` (the `test-util` feature) |
//! | configuration | [`config`] |
//! | what a call decides with | [`decode`], [`retry`], [`operation`], [`ram`], [`error`], `intercept` (the mock's hook) |
//! | credentials | [`credentials`] (providers fetch through [`sign`] and [`transport`] directly, never through a [`Client`]) |
//! | the wire | [`transport`], [`sign`], [`endpoint`], [`params`] |
//! | leaves | [`http`], [`headers`], [`encoding`], [`json`], [`xml`], [`stream`], `answer`, `sanitize`, `ids` |
#![forbid(unsafe_code)]

mod answer;
pub mod client;
pub mod config;
pub mod credentials;
pub mod decode;
pub mod encoding;
pub mod endpoint;
pub mod error;
pub mod headers;
pub mod http;
mod ids;
#[cfg(feature = "test-util")]
mod intercept;
pub mod json;
#[cfg(feature = "test-util")]
pub mod mock;
pub mod operation;
pub mod paginate;
pub mod params;
pub mod ram;
pub mod retry;
mod sanitize;
pub mod sign;
pub mod stream;
pub mod transport;
pub mod xml;

pub use client::{ApiRequest, Client};
pub use config::{CallSettings, ClockCorrection, Config, ConfigError};
pub use error::{
    BuildError, ClockSkew, DecodeError, SdkError, ServiceError, TransportError, TransportErrorKind,
};
pub use headers::Headers;
pub use json::FromJson;
pub use operation::{
    ApiStyle, Auth, BodyKind, FromHeader, FromResponse, Gateway, Idempotency, Method, Operation,
    OperationError, OperationInfo, ResponseBody, ServiceInfo, read_header,
};
pub use paginate::{CursorField, Page, Paginated, Paginator};
pub use params::{
    IntoParam, Position, RequestParams, WireList, WireMap, WireRef, WireStruct, WireValue,
};
pub use ram::ResourceArns;
pub use retry::RetryConfig;
/// The JSON library generated types use for untyped (`any`) members, re-exported so client
/// crates need no dependency of their own.
pub use serde_json;
pub use stream::{ByteStream, ObjectBody};
pub use transport::{Body, DefaultTransport, HttpRequest, HttpResponse, Timeouts, Transport, Url};
pub use xml::FromXml;
