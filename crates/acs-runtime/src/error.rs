//! Errors of a call.

use std::fmt;

/// An error answer from the service: HTTP 4xx/5xx, or HTTP 200 with `Success: false`.
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
    /// The raw body, for fields the client does not model.
    pub body: String,
}

impl ServiceError {
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
            body: String::new(),
        }
    }

    /// The same error with `retry_after` set.
    pub fn with_retry_after(mut self, retry_after: Option<std::time::Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The same error with the raw response body set.
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
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
        write!(f, "{code}: {}", self.message)?;
        write!(
            f,
            " (request id: {}",
            self.request_id.as_deref().unwrap_or("none")
        )?;
        write!(f, ", HTTP status: {})", self.http_status)
    }
}

impl std::error::Error for ServiceError {}

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
        operation: &'static str,
        /// The placeholder's name.
        placeholder: String,
    },
    /// A header value holds a control character (such as a line break), which HTTP cannot carry.
    InvalidHeaderValue {
        /// Operation name.
        operation: &'static str,
        /// The header's name.
        header: String,
    },
    /// A parameter travels in the host name (`in: host`), which products such as SLS resolve
    /// through a gateway of their own that this runtime does not implement.
    HostParameter {
        /// Operation name.
        operation: &'static str,
        /// The parameter's wire name.
        parameter: String,
    },
}

impl BuildError {
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
                "{operation}: the parameter `{parameter}` travels in the host name, which needs a product-specific gateway this client does not implement"
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
        }
    }
}

impl std::error::Error for BuildError {}

/// Why a request did not get an HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (refused, DNS, TLS handshake): the request was not sent.
    Connect,
    /// A timeout elapsed.
    Timeout,
    /// The connection failed after the request may have been sent.
    Io,
    /// The HTTP layer rejected the request before sending anything; repeating it cannot help.
    Request,
    /// The answer's body is larger than the transport reads; repeating it cannot help.
    TooLarge,
    /// TLS failed: the server's certificate was refused (untrusted, expired, another name) or
    /// no protocol could be agreed. Nothing was sent, and repeating it cannot help.
    Tls,
}

/// The request got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportErrorKind,
    /// Details, free of secrets.
    pub message: String,
}

impl TransportError {
    /// A transport error of `kind`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::Request => "request rejected before sending",
            TransportErrorKind::TooLarge => "answer too large",
            TransportErrorKind::Tls => "TLS failed",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for TransportError {}

/// A configuration could not be read from the environment.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither `ALIBABA_CLOUD_REGION_ID` nor the aliyun CLI profile names a region.
    NoRegion {
        /// Why the profile could not supply one, when it could not be read at all.
        profile: Option<crate::credentials::CredentialsError>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoRegion { profile } => {
                write!(
                    f,
                    "no region: set {} or a `region_id` in the aliyun CLI profile",
                    crate::config::ENV_REGION_ID
                )?;
                if let Some(error) = profile {
                    write!(f, " ({error})")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::NoRegion { profile } => profile
                .as_ref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
        }
    }
}

/// A success answer whose body does not decode into the response type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the answer.
    pub http_status: u16,
    /// Request id, when the body had one.
    pub request_id: Option<String>,
    /// What did not decode.
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
            self.request_id.as_deref().unwrap_or("none"),
            self.message
        )
    }
}

impl std::error::Error for DecodeError {}

/// Everything a call can fail with; `E` is the operation's typed service error.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The request could not be built (a required parameter is missing).
    Build(BuildError),
    /// No credentials could be found.
    Credentials(crate::credentials::CredentialsError),
    /// The request got no HTTP answer, after any retries.
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
        match self {
            SdkError::Build(error) => Some(error),
            SdkError::Credentials(error) => Some(error),
            SdkError::Transport(error) => Some(error),
            SdkError::Decode(error) => Some(error),
            SdkError::Service(error) => Some(error),
        }
    }
}

impl<E> From<BuildError> for SdkError<E> {
    fn from(error: BuildError) -> Self {
        SdkError::Build(error)
    }
}
