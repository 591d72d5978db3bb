//! What a generated operation tells the runtime about itself.

use serde::de::DeserializeOwned;

use crate::error::ServiceError;
use crate::params::RequestParams;

/// HTTP methods operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
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
}

impl Method {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
        }
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
}

/// A request the runtime can send: implemented by every generated request type.
pub trait Operation: Send {
    /// The decoded success body.
    type Output: DeserializeOwned + Send;
    /// The operation's typed service error.
    type Error: From<ServiceError> + std::error::Error + Send + Sync + 'static;

    /// Static facts.
    const INFO: OperationInfo;

    /// Writes the request's parameters.
    fn write_params(&self, params: &mut RequestParams);

    /// The idempotency token slot, for operations that have one: the runtime fills an unset
    /// token once, before the first attempt, so every attempt carries the same token.
    fn idempotency_token_mut(&mut self) -> Option<&mut Option<String>> {
        None
    }
}
