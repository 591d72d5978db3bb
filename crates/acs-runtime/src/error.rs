//! Errors of a call.
//!
//! Each error's `Display` says what happened at its own level and includes the error it wraps;
//! `source()` then continues *below* the wrapped error, so an error-chain printer (anyhow's
//! `{:#}`, eyre) prints every fact once.

use std::fmt;

use crate::credentials::CredentialsError;
use crate::sanitize::{escape_controls, truncate};
pub use crate::transport::{TransportError, TransportErrorKind};

/// An error answer from the service: HTTP 4xx/5xx, or HTTP 200 with `Success: false`.
///
/// Every string comes from the server: it is scrubbed of the request's credentials and
/// signature before the client hands it over, each is bounded in length (the raw body to
/// [`ServiceError::MAX_BODY`] bytes), and `Display` escapes control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// Error code (`Request.Forbidden`); empty when the service sent none.
    pub code: String,
    /// Error message; empty when the service sent none.
    pub message: String,
    /// Request id, for Alibaba Cloud support.
    pub request_id: Option<String>,
    /// HTTP status of the answer.
    pub http_status: u16,
    /// How long the service asked the client to wait (`x-acs-retry-after`), if it did.
    pub retry_after: Option<std::time::Duration>,
    /// The rest of the answer (read through the accessors), kept apart so the error, and every
    /// `Result` carrying it, stays small.
    details: Option<Box<Details>>,
}

/// The rarer parts of a [`ServiceError`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Details {
    body: String,
    recommend: Option<String>,
    host_id: Option<String>,
    ec: Option<String>,
    clock_skew: Option<ClockSkew>,
}

impl ServiceError {
    /// The most of an error answer's raw body kept in [`ServiceError::body`]: error answers
    /// are a few hundred bytes; a larger one is cut (at a character boundary, marked `…`).
    pub const MAX_BODY: usize = 16 * 1024;

    /// A service error with the given fields (used by generated code and tests).
    pub fn new(
        code: impl Into<String>,
        message: impl Into<String>,
        request_id: Option<String>,
        http_status: u16,
    ) -> Self {
        ServiceError {
            code: code.into(),
            message: message.into(),
            request_id,
            http_status,
            retry_after: None,
            details: None,
        }
    }

    fn details(&mut self) -> &mut Details {
        self.details.get_or_insert_with(Default::default)
    }

    /// The service's advice (`Recommend`: usually a link to a diagnosis page), if it gave one.
    pub fn recommend(&self) -> Option<&str> {
        self.details.as_ref()?.recommend.as_deref()
    }

    /// The host that answered (`HostId`), if the service said.
    pub fn host_id(&self) -> Option<&str> {
        self.details.as_ref()?.host_id.as_deref()
    }

    /// OSS's error detail code (`EC`, or the `x-oss-ec` header), which its documentation
    /// looks up, if the service sent one.
    pub fn ec(&self) -> Option<&str> {
        self.details.as_ref()?.ec.as_deref()
    }

    /// The same error with OSS's detail code set.
    pub fn with_ec(mut self, ec: Option<String>) -> Self {
        if ec.is_some() {
            self.details().ec = ec;
        }
        self
    }

    /// How far the server's clock was from the client's, when the service refused the
    /// request's time and the difference was too large to correct.
    pub fn clock_skew(&self) -> Option<&ClockSkew> {
        self.details.as_ref()?.clock_skew.as_ref()
    }

    /// The same error with the service's advice set.
    pub fn with_recommend(mut self, recommend: Option<String>) -> Self {
        if recommend.is_some() {
            self.details().recommend = recommend;
        }
        self
    }

    /// The same error with the answering host set.
    pub fn with_host_id(mut self, host_id: Option<String>) -> Self {
        if host_id.is_some() {
            self.details().host_id = host_id;
        }
        self
    }

    /// The same error saying how far the server's clock was.
    pub fn with_clock_skew(mut self, skew: ClockSkew) -> Self {
        self.details().clock_skew = Some(skew);
        self
    }

    /// Every server-sent string of the error, for scrubbing.
    pub(crate) fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        let details = self.details.as_deref_mut();
        let (body, recommend, host_id, ec) = match details {
            Some(details) => (
                Some(&mut details.body),
                details.recommend.as_mut(),
                details.host_id.as_mut(),
                details.ec.as_mut(),
            ),
            None => (None, None, None, None),
        };
        [&mut self.code, &mut self.message]
            .into_iter()
            .chain(body)
            .chain(self.request_id.as_mut())
            .chain(recommend)
            .chain(host_id)
            .chain(ec)
    }

    /// The same error with `retry_after` set.
    pub fn with_retry_after(mut self, retry_after: Option<std::time::Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The same error with the raw response body set (cut to [`ServiceError::MAX_BODY`]).
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        let mut body = body.into();
        truncate(&mut body, Self::MAX_BODY);
        if !body.is_empty() {
            self.details().body = body;
        }
        self
    }

    /// The start of the raw body (at most [`ServiceError::MAX_BODY`] bytes), for fields the
    /// client does not model; empty when there was none.
    pub fn body(&self) -> &str {
        self.details.as_ref().map_or("", |details| &details.body)
    }

    /// Whether the service turned the request away for flow control, without running it: HTTP
    /// 429, a `Throttling*` code, or a 4xx asking the client to wait (`x-acs-retry-after`). A
    /// 5xx asking the same is not throttling: the service may have acted before it failed.
    pub fn is_throttling(&self) -> bool {
        self.http_status == 429
            || self.code.starts_with("Throttling")
            || (self.retry_after.is_some() && (400..500).contains(&self.http_status))
    }

    /// Whether the service failed on its side (HTTP 5xx).
    pub fn is_server_error(&self) -> bool {
        (500..600).contains(&self.http_status)
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = if self.code.is_empty() {
            "(no code)"
        } else {
            &self.code
        };
        write!(
            f,
            "{}: {} (request id: {}, HTTP status: {})",
            escape_controls(code),
            escape_controls(&self.message),
            escape_controls(self.request_id.as_deref().unwrap_or("none")),
            self.http_status
        )?;
        if let Some(skew) = self.clock_skew() {
            write!(f, "; {skew}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// How far a server's clock was from the client's, past the correction limit
/// ([`Config::with_clock_skew_limit`](crate::Config::with_clock_skew_limit)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClockSkew {
    /// Seconds the server's clock was ahead of the client's (negative: behind).
    pub offset_seconds: i64,
    /// The largest difference the client corrects, in seconds; `None` when correcting is
    /// turned off.
    pub limit_seconds: Option<u64>,
}

impl fmt::Display for ClockSkew {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = if self.offset_seconds >= 0 {
            "ahead of"
        } else {
            "behind"
        };
        let distance = self.offset_seconds.unsigned_abs();
        write!(
            f,
            "the server's clock is {distance} s {direction} this client's"
        )?;
        match self.limit_seconds {
            Some(limit) => write!(f, ", more than the {limit} s the client corrects"),
            None => f.write_str(" and clock correction is off"),
        }
    }
}

/// A request could not be built from what the caller set.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A required parameter was not set.
    MissingParameter {
        /// Operation name.
        operation: &'static str,
        /// Wire name of the parameter.
        parameter: &'static str,
        /// The builder method that sets it.
        setter: &'static str,
    },
    /// The operation's path template has a `{placeholder}` the request gave no value for.
    MissingPathParameter {
        /// Operation name.
        operation: String,
        /// The placeholder's name.
        placeholder: String,
    },
    /// A header value holds a control character (such as a line break), which HTTP cannot carry.
    InvalidHeaderValue {
        /// Operation name.
        operation: String,
        /// The header's name.
        header: String,
    },
    /// A host parameter (`in: host`) that cannot become the host name's first label: a second
    /// one, or a value that is not a DNS label (written by hand into `RequestParams`; generated
    /// builders refuse it as [`BuildError::InvalidHostLabel`]).
    HostParameter {
        /// Operation name.
        operation: String,
        /// The parameter's wire name.
        parameter: String,
    },
    /// The endpoint chosen for this call is not usable.
    Endpoint(crate::endpoint::EndpointError),
    /// An operation called by name has no API version (and the client names none).
    MissingApiVersion {
        /// Operation name.
        operation: String,
    },
    /// A host parameter's value (an OSS bucket, an SLS project) is not a DNS label, so it could
    /// name another host: nothing is sent.
    InvalidHostLabel {
        /// Operation name.
        operation: &'static str,
        /// The parameter's wire name.
        parameter: &'static str,
    },
    /// A presigned URL was asked of an operation or a configuration that has none (only OSS
    /// V4 signs URLs), or for a validity OSS refuses.
    Presign(String),
    /// A path parameter that is `.` or `..` (or, in an OSS object key, has such a segment):
    /// URLs drop dot segments, so the request would reach another resource (another object,
    /// the bucket itself, another bucket). Nothing is sent.
    DotSegment {
        /// Operation name.
        operation: String,
        /// The path placeholder.
        placeholder: String,
    },
    /// Object data read from a file, reader or stream for an operation whose signature covers
    /// the body (every gateway but OSS, which signs `UNSIGNED-PAYLOAD`): give it bytes.
    UnsignableBody {
        /// Operation name.
        operation: String,
    },
}

impl BuildError {
    /// Checks a host parameter's value is a DNS label as the OSS and SLS gateways allow them
    /// (3 to 63 lower-case letters, digits and `-`, a letter or digit at each end): the value
    /// becomes the host name's first label, where anything else could reach another host.
    /// Unset values pass (the required-parameter check names them).
    pub fn check_host_label(
        operation: &'static str,
        parameter: &'static str,
        value: Option<&str>,
    ) -> Result<(), BuildError> {
        match value {
            Some(label) if !is_host_label(label) => Err(BuildError::InvalidHostLabel {
                operation,
                parameter,
            }),
            _ => Ok(()),
        }
    }

    /// The required parameter `parameter` (set with `.setter(…)`) of `operation` is not set.
    pub const fn missing(
        operation: &'static str,
        parameter: &'static str,
        setter: &'static str,
    ) -> Self {
        BuildError::MissingParameter {
            operation,
            parameter,
            setter,
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingParameter {
                operation,
                parameter,
                setter,
            } => write!(
                f,
                "{operation}: the required parameter `{parameter}` is not set (set it with `.{setter}(…)`)"
            ),
            BuildError::HostParameter {
                operation,
                parameter,
            } => write!(
                f,
                "{operation}: the host parameter `{parameter}` cannot be the host name's first label (a second host parameter, or not a DNS label)"
            ),
            BuildError::MissingPathParameter {
                operation,
                placeholder,
            } => write!(
                f,
                "{operation}: the path parameter `{placeholder}` is not set"
            ),
            BuildError::InvalidHeaderValue { operation, header } => write!(
                f,
                "{operation}: the value of header `{header}` contains a control character"
            ),
            BuildError::Endpoint(error) => write!(f, "no endpoint for this call: {error}"),
            BuildError::MissingApiVersion { operation } => {
                write!(f, "{operation}: no API version (set it with `.version(…)`)")
            }
            BuildError::InvalidHostLabel {
                operation,
                parameter,
            } => write!(
                f,
                "{operation}: `{parameter}` is the host name's first label and must be 3 to 63 lower-case letters, digits and `-`, starting and ending with a letter or digit"
            ),
            BuildError::Presign(reason) => write!(f, "cannot presign: {reason}"),
            BuildError::DotSegment {
                operation,
                placeholder,
            } => write!(
                f,
                "{operation}: `{placeholder}` is or contains the path segment `.` or `..`, which a URL drops, reaching another resource"
            ),
            BuildError::UnsignableBody { operation } => write!(
                f,
                "{operation}: its signature covers the body, so object data from a file, reader or stream cannot be sent; give it bytes"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// Whether `label` is a host label as [`BuildError::check_host_label`] says.
pub(crate) fn is_host_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(|b| edge(b) || *b == b'-')
}

/// A success answer whose body does not decode into the response type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the answer.
    pub http_status: u16,
    /// Request id, when the answer had one.
    pub request_id: Option<String>,
    /// What did not decode (where, and what was expected; never a value).
    pub message: String,
}

impl DecodeError {
    /// A decode error (used by transports and tests).
    pub fn new(http_status: u16, request_id: Option<String>, message: impl Into<String>) -> Self {
        DecodeError {
            http_status,
            request_id,
            message: message.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response (HTTP status {}, request id: {}): {}",
            self.http_status,
            escape_controls(self.request_id.as_deref().unwrap_or("none")),
            escape_controls(&self.message)
        )
    }
}

impl std::error::Error for DecodeError {}

/// Everything a call can fail with; `E` is the operation's typed service error.
///
/// `Display` names the kind of failure and shows the error it wraps; `source()` continues below
/// that error, so the chain repeats nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The request could not be built (a required parameter is missing).
    Build(BuildError),
    /// No credentials could be had (none configured, the source failed, or it did not answer
    /// within the call's time budget).
    Credentials(CredentialsError),
    /// The request got no HTTP answer, after any retries; a timeout of the call's budget too.
    Transport(TransportError),
    /// The success body did not decode.
    Decode(DecodeError),
    /// The service answered with an error, after any retries.
    Service(E),
}

impl<E> SdkError<E> {
    /// The service error, when the service answered with one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service(error) => Some(error),
            _ => None,
        }
    }

    /// The service error, when the service answered with one: for matching an operation's
    /// error in one step (`match err.into_service_error() { Some(Error::Variant(e)) => …, … }`).
    pub fn into_service_error(self) -> Option<E> {
        match self {
            SdkError::Service(error) => Some(error),
            _ => None,
        }
    }

    /// Whether the call ran out of time: its budget, an attempt's limit, or a transport limit,
    /// whether it was sending, reading or waiting for credentials.
    pub fn is_timeout(&self) -> bool {
        match self {
            SdkError::Transport(error) => error.kind == TransportErrorKind::Timeout,
            SdkError::Credentials(error) => error.is_timeout(),
            _ => false,
        }
    }

    /// The same error with the service error converted by `convert`.
    pub fn map_service<F>(self, convert: impl FnOnce(E) -> F) -> SdkError<F> {
        match self {
            SdkError::Build(error) => SdkError::Build(error),
            SdkError::Credentials(error) => SdkError::Credentials(error),
            SdkError::Transport(error) => SdkError::Transport(error),
            SdkError::Decode(error) => SdkError::Decode(error),
            SdkError::Service(error) => SdkError::Service(convert(error)),
        }
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Build(error) => write!(f, "invalid request: {error}"),
            SdkError::Credentials(error) => write!(f, "no credentials: {error}"),
            SdkError::Transport(error) => write!(f, "transport error: {error}"),
            SdkError::Decode(error) => error.fmt(f),
            SdkError::Service(error) => write!(f, "service error: {error}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // Each wrapped error is in this error's own text: the chain goes on below it.
        match self {
            SdkError::Build(error) => error.source(),
            SdkError::Credentials(error) => error.source(),
            SdkError::Transport(error) => error.source(),
            SdkError::Decode(error) => error.source(),
            SdkError::Service(error) => error.source(),
        }
    }
}

impl<E> From<BuildError> for SdkError<E> {
    fn from(error: BuildError) -> Self {
        SdkError::Build(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `error: source: source…`, as anyhow's `{:#}` prints a chain.
    fn chain(error: &dyn std::error::Error) -> String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(next) = source {
            text.push_str(": ");
            text.push_str(&next.to_string());
            source = next.source();
        }
        text
    }

    #[test]
    fn a_chain_says_each_thing_once() {
        let service: SdkError<ServiceError> = SdkError::Service(ServiceError::new(
            "Forbidden.RAM",
            "denied",
            Some("R-1".into()),
            403,
        ));
        let text = chain(&service);
        assert_eq!(text.matches("Forbidden.RAM").count(), 1, "{text}");
        assert_eq!(
            text,
            "service error: Forbidden.RAM: denied (request id: R-1, HTTP status: 403)"
        );
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "EACCES here");
        let credentials: SdkError<ServiceError> = SdkError::Credentials(CredentialsError::File {
            provider: "credentials",
            path: "/x".into(),
            problem: crate::credentials::FileProblem::Unreadable(std::sync::Arc::new(io)),
        });
        let text = chain(&credentials);
        assert_eq!(text.matches("EACCES here").count(), 1, "{text}");
    }

    #[test]
    fn display_escapes_what_the_server_sent() {
        let error = ServiceError::new("Bad\x1b[2J", "line\r\nbreak", Some("id\x07".into()), 400);
        let shown = error.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains("Bad\\u{1b}[2J"), "{shown}");
    }

    #[test]
    fn bodies_are_bounded() {
        let error = ServiceError::new("", "", None, 500).with_body("数".repeat(10_000));
        assert!(error.body().len() <= ServiceError::MAX_BODY + '…'.len_utf8());
        assert!(error.body().ends_with('…'));
        assert!(std::mem::size_of::<ServiceError>() <= 104);
    }
}
