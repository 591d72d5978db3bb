//! The hook through which the mock client (`test-util`, the `mock` module) answers calls instead
//! of a server: the client asks it first, with the typed request and its written parameters.

use std::any::{Any, TypeId};
use std::fmt;

use crate::params::RequestParams;
use crate::transport::HttpResponse;

/// What answers calls in place of a server.
pub(crate) trait Intercept: Send + Sync + fmt::Debug {
    /// The answer to a call of `action` (request type `operation`, value `request`).
    fn answer(
        &self,
        operation: TypeId,
        action: &'static str,
        request: &dyn Any,
        params: &RequestParams,
    ) -> Intercepted;
}

/// How an intercepted call is answered.
pub(crate) enum Intercepted {
    /// With this output (the operation's output type).
    Output(Box<dyn Any + Send>),
    /// With this error (the operation's error type).
    Error(Box<dyn Any + Send>),
    /// With this HTTP answer, read and decoded as a server's would be.
    Http(HttpResponse),
    /// Not at all: no rule answers the call.
    Unanswered,
}
