//! Runtime for generated Alibaba Cloud API clients.
//!
//! Generated client crates (such as `acs-dbs20190306`) describe each operation and call into this
//! crate to sign and send it: credentials, the `ACS3-HMAC-SHA256` / `ACS3-HMAC-SM3` signatures and
//! the older RPC `HMAC-SHA1` signature, endpoint resolution, transport, error decoding and retries.
#![forbid(unsafe_code)]

pub mod client;
pub mod credentials;
pub mod decode;
pub mod encoding;
pub mod endpoint;
pub mod error;
pub mod lenient;
pub mod operation;
pub mod params;
pub mod retry;
pub mod sign;
pub mod transport;

pub use client::{ApiStyle, Client, Config, ServiceInfo};
pub use error::{
    BuildError, ConfigError, DecodeError, SdkError, ServiceError, TransportError,
    TransportErrorKind,
};
pub use operation::{Idempotency, Method, Operation, OperationInfo};
pub use params::{ParamValue, Position, RequestParams};
pub use retry::RetryConfig;
pub use transport::{DefaultTransport, HttpRequest, HttpResponse, Timeouts, Transport};
