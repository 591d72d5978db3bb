//! The HTTP layer under [`crate::Client`], behind the small [`Transport`] trait so tests and
//! applications can swap it: what a request and an answer are, how the layer fails, and its
//! time limits.
//!
//! The default, [`DefaultTransport`], is HTTP/1.1 with keep-alive over rustls (ring crypto, the
//! operating system's trust store). Its HTTP library is an implementation detail: only this
//! module's own types (and [`Url`]) appear in the API.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::headers::Headers;
pub use crate::http::{Body, Method};
use crate::stream::ByteStream;

mod default;
mod tls;

pub use default::{DEFAULT_MAX_BODY, DefaultTransport};
/// A parsed URL (the `url` crate's, which the HTTP layer takes as it is).
pub use url::Url;

/// A boxed, sendable future, the return type of [`Transport::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A signed request, ready to send.
///
/// `Debug` hides the query string (an RPC `HMAC-SHA1` request carries its `Signature` and
/// `SecurityToken` there), the values of credential headers and the body.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The URL: scheme, host, encoded path and encoded query string.
    pub url: Url,
    /// Headers in the order they are sent, including `host`.
    pub headers: Headers,
    /// The body; empty for none.
    pub body: Body,
}

impl HttpRequest {
    /// The request to `path` (percent-encoded) on the endpoint `base` (scheme, host and port),
    /// with `query` form-encoded as the official SDKs put it on the wire.
    pub fn to_endpoint(
        method: Method,
        base: &Url,
        path: &str,
        query: &[(String, String)],
        headers: Headers,
        body: Body,
    ) -> HttpRequest {
        let mut url = base.clone();
        url.set_path(path);
        if query.is_empty() {
            url.set_query(None);
        } else {
            let mut encoded =
                String::with_capacity(query.iter().map(|(k, v)| k.len() + v.len() + 8).sum());
            crate::encoding::push_form_encoded_pairs(&mut encoded, query);
            url.set_query(Some(&encoded));
        }
        HttpRequest {
            method,
            url,
            headers,
            body,
        }
    }

    /// The first value of header `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redact_url(&self.url))
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// An HTTP answer, whatever its status.
///
/// `Debug` shows the header names and the body's length, not their values: a credential
/// service's answer is credentials, and a server may echo the request it refuses, STS token
/// included, in its body or in any header.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers as received (names as the HTTP library reports them, usually lower case).
    pub headers: Headers,
    /// The whole body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with the given parts.
    pub fn new(status: u16, headers: impl Into<Headers>, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers: headers.into(),
            body: body.into(),
        }
    }

    /// The first value of header `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name).collect();
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// `url` without its query string, which may hold a signature or an STS token, and without
/// user information.
pub(crate) fn redact_url(url: &Url) -> String {
    let mut shown = format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default()
    );
    shown.push_str(url.path());
    if url.query().is_some() {
        shown.push_str("?***");
    }
    shown
}

/// Sends requests. Implementations must be cheap to share: the client holds one in an `Arc` and
/// calls it for every attempt of every call.
///
/// An implementation reports failures to get any HTTP answer as a [`TransportError`] whose kind
/// drives retries: [`TransportErrorKind::Connect`] only when the request certainly did not reach
/// the server. Error messages must not contain the URL's query string, headers or body.
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the whole answer.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Sends `request` and hands the answer over once its headers arrived, its body still
    /// arriving, with no size limit (object data, `GetObject`). The default reads the whole
    /// answer with [`Transport::send`].
    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<StreamedResponse, TransportError>> {
        Box::pin(async move {
            let response = self.send(request).await?;
            Ok(StreamedResponse {
                status: response.status,
                headers: response.headers,
                body: ByteStream::from(response.body),
            })
        })
    }
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        (**self).send(request)
    }

    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<StreamedResponse, TransportError>> {
        (**self).send_streaming(request)
    }
}

/// An answer whose body is still arriving ([`Transport::send_streaming`]).
#[derive(Debug)]
pub struct StreamedResponse {
    /// The status code.
    pub status: u16,
    /// Headers as received.
    pub headers: Headers,
    /// The body, as it arrives.
    pub body: ByteStream,
}

impl StreamedResponse {
    /// The answer with its body read, at most `limit` bytes of it (an error answer's).
    pub async fn buffered(mut self, limit: usize) -> Result<HttpResponse, TransportError> {
        let mut body = Vec::new();
        while let Some(chunk) = self.body.next_chunk().await {
            let chunk = chunk
                .map_err(|error| TransportError::new(TransportErrorKind::Io, error.to_string()))?;
            let room = limit.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= limit {
                break;
            }
        }
        Ok(HttpResponse {
            status: self.status,
            headers: self.headers,
            body,
        })
    }
}

/// Time limits of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Limit for opening a connection, TLS handshake included (default 5 s, as the official
    /// SDKs). Applies to [`DefaultTransport`].
    pub connect: Duration,
    /// Limit for the server to send the next part of its answer (default 10 s, as the official
    /// SDKs). Applies to [`DefaultTransport`].
    pub read: Duration,
    /// Budget of a whole call: credentials, every attempt, the waits between them and reading
    /// the answer (default 60 s). When it runs out, the call fails with a timeout error
    /// ([`SdkError::is_timeout`](crate::SdkError::is_timeout)), or with the last error when
    /// the next retry would not start in time. Applies whatever the transport.
    pub total: Duration,
    /// Limit of one attempt (credentials, signing, sending, reading); `None` (the default)
    /// leaves attempts to the total budget. An attempt that runs out is a timeout, retried as
    /// any timeout is.
    pub attempt: Option<Duration>,
}

impl Timeouts {
    /// The defaults: connect 5 s, read 10 s, total 60 s, no per-attempt limit.
    pub const DEFAULT: Timeouts = Timeouts {
        connect: Duration::from_secs(5),
        read: Duration::from_secs(10),
        total: Duration::from_secs(60),
        attempt: None,
    };

    /// The same limits with `connect` replaced.
    pub fn with_connect(mut self, connect: Duration) -> Self {
        self.connect = connect;
        self
    }

    /// The same limits with `read` replaced.
    pub fn with_read(mut self, read: Duration) -> Self {
        self.read = read;
        self
    }

    /// The same limits with `total` replaced.
    pub fn with_total(mut self, total: Duration) -> Self {
        self.total = total;
        self
    }

    /// The same limits with each attempt limited to `attempt`.
    pub fn with_attempt(mut self, attempt: Duration) -> Self {
        self.attempt = Some(attempt);
        self
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::DEFAULT
    }
}

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
    /// The data arrived damaged: its CRC-64 is not the one the service computed
    /// (`x-oss-hash-crc64ecma`).
    Checksum,
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
            TransportErrorKind::Checksum => "data damaged on the way",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for TransportError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_query_credentials_and_body() {
        let request = HttpRequest {
            method: Method::Post,
            url: Url::parse("https://example.com/?Signature=QUERYSIG&SecurityToken=QUERYTOKEN")
                .unwrap(),
            headers: Headers::from([
                ("host", "example.com"),
                (
                    "Authorization",
                    "ACS3-HMAC-SHA256 Credential=id,Signature=HEADERSIG",
                ),
                ("x-acs-security-token", "HEADERTOKEN"),
            ]),
            body: Body::from(b"BODYSECRET".to_vec()),
        };
        let debug = format!("{request:?}");
        for secret in [
            "QUERYSIG",
            "QUERYTOKEN",
            "HEADERSIG",
            "HEADERTOKEN",
            "BODYSECRET",
        ] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains("example.com"), "{debug}");
    }

    #[test]
    fn header_lookup_ignores_case() {
        let response = HttpResponse::new(200, [("X-Acs-Request-Id", "R")], "");
        assert_eq!(response.header("x-acs-request-id"), Some("R"));
        assert_eq!(response.header("missing"), None);
    }
}
