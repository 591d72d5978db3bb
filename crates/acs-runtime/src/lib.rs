//! Runtime for generated Alibaba Cloud API clients.
//!
//! Generated client crates (such as `acs-dbs20190306`) describe each operation and call into this
//! crate to sign and send it: credentials, the `ACS3-HMAC-SHA256` / `ACS3-HMAC-SM3` signatures and
//! the older RPC `HMAC-SHA1` signature, endpoint resolution, transport, error decoding and retries.
#![forbid(unsafe_code)]

pub mod client;
pub mod credentials;
pub mod encoding;
pub mod endpoint;
pub mod error;
pub mod operation;
pub mod params;
pub mod sign;

pub use client::{ApiStyle, Client, Config, ServiceInfo};
pub use error::{BuildError, DecodeError, SdkError, ServiceError, TransportError};
pub use operation::{Idempotency, Method, Operation, OperationInfo};
pub use params::{ParamValue, Position, RequestParams};
