//! The HTTP layer under [`crate::Client`], behind the small [`Transport`] trait so tests and
//! applications can swap it.
//!
//! The default, [`DefaultTransport`], is HTTP/1.1 with keep-alive over rustls (ring crypto, the
//! operating system's trust store). Its HTTP library is an implementation detail: only this
//! module's own types appear in the API.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::error::{TransportError, TransportErrorKind};
use crate::headers::Headers;
use crate::operation::Method;
use crate::request::RUNTIME_HEADERS;

mod tls;

/// A boxed, sendable future, the return type of [`Transport::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A signed request, ready to send.
///
/// `Debug` hides the query string (an RPC `HMAC-SHA1` request carries its `Signature` and
/// `SecurityToken` there) and the values of `Authorization` and `x-acs-security-token`.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL: scheme, host, encoded path and encoded query string.
    pub url: String,
    /// Headers in the order they are sent, including `host`.
    pub headers: Headers,
    /// The body; empty for none.
    pub body: Vec<u8>,
}

impl HttpRequest {
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
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An HTTP answer, whatever its status.
///
/// `Debug` shows the body's length, not the body: a credential service's answer is credentials,
/// and an error answer may quote the request it refuses, STS token included.
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
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The URL without its query string, which may hold a signature or an STS token.
pub(crate) fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?***"),
        None => url.to_owned(),
    }
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

    /// The mock this transport is, when it is one ([`crate::mock`]): calls then take their
    /// answers from its rules.
    #[cfg(feature = "test-util")]
    fn mock(&self) -> Option<&crate::mock::Mock> {
        None
    }
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        (**self).send(request)
    }

    #[cfg(feature = "test-util")]
    fn mock(&self) -> Option<&crate::mock::Mock> {
        (**self).mock()
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
    /// Budget of a whole call: every attempt, the waits between them and parsing the answer
    /// (default 60 s). When it runs out, the call fails with a [`TransportErrorKind::Timeout`]
    /// error, or with the last error when the next retry would not start in time. Applies
    /// whatever the transport.
    pub total: Duration,
}

impl Timeouts {
    /// The defaults: connect 5 s, read 10 s, total 60 s.
    pub const DEFAULT: Timeouts = Timeouts {
        connect: Duration::from_secs(5),
        read: Duration::from_secs(10),
        total: Duration::from_secs(60),
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
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::DEFAULT
    }
}

/// The built-in transport: HTTP/1.1 with connection reuse over rustls.
///
/// TLS uses the ring crypto provider, chosen here rather than installed process-wide, and
/// verifies servers against the operating system's trust store. Redirects are not followed (a
/// signed request is only valid for the URL it was signed for). Proxies named by `HTTPS_PROXY`,
/// `HTTP_PROXY` and `NO_PROXY` apply.
///
/// The connection pool is created on the first request, so constructing a transport never
/// fails; a setup failure is reported by every request as a [`TransportErrorKind::Connect`]
/// error.
pub struct DefaultTransport {
    timeouts: Timeouts,
    max_body: usize,
    proxy: bool,
    client: OnceLock<Result<reqwest::Client, TransportError>>,
    /// Parsed `scheme://host:port` of recent requests.
    bases: std::sync::Mutex<Vec<(String, reqwest::Url)>>,
}

/// The largest response body [`DefaultTransport`] reads by default: 64 MiB, far above the
/// largest answers Alibaba's APIs document, far below what would exhaust memory.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

impl DefaultTransport {
    /// A transport applying `timeouts.connect` and `timeouts.read` (the total budget is the
    /// client's to enforce), reading bodies of up to [`DEFAULT_MAX_BODY`] bytes.
    pub fn new(timeouts: Timeouts) -> Self {
        DefaultTransport {
            timeouts,
            max_body: DEFAULT_MAX_BODY,
            proxy: true,
            client: OnceLock::new(),
            bases: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The same transport refusing response bodies longer than `bytes` (read as they arrive, so
    /// a hostile server cannot make the client hold more).
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The same transport ignoring `HTTP(S)_PROXY`: for link-local services such as the ECS
    /// metadata service, which a proxy cannot reach.
    pub fn without_proxy(mut self) -> Self {
        self.proxy = false;
        self
    }

    /// `url` parsed. The scheme, host and port of the last few endpoints are kept parsed, so
    /// each request only sets its path and query (host parsing was a tenth of a call's cost).
    fn url(&self, url: &str) -> Result<reqwest::Url, String> {
        let invalid = |error: url::ParseError| format!("invalid URL: {error}");
        let Some((base, rest)) = url.find("://").and_then(|scheme| {
            url[scheme + 3..]
                .find('/')
                .map(|at| url.split_at(scheme + 3 + at))
        }) else {
            return reqwest::Url::parse(url).map_err(invalid);
        };
        let mut cache = self
            .bases
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let parsed = match cache.iter().find(|(text, _)| text == base) {
            Some((_, parsed)) => parsed.clone(),
            None => {
                let parsed = reqwest::Url::parse(base).map_err(invalid)?;
                if cache.len() >= 4 {
                    cache.remove(0);
                }
                cache.push((base.to_owned(), parsed.clone()));
                parsed
            }
        };
        drop(cache);
        let mut target = parsed;
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        target.set_path(path);
        target.set_query(query);
        Ok(target)
    }

    fn client(&self) -> Result<&reqwest::Client, TransportError> {
        self.client
            .get_or_init(|| build_client(&self.timeouts, self.proxy))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl fmt::Debug for DefaultTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultTransport")
            .field("timeouts", &self.timeouts)
            .field("max_body", &self.max_body)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl Transport for DefaultTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let client = self.client()?;
            let method = match request.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
                Method::Put => reqwest::Method::PUT,
                Method::Delete => reqwest::Method::DELETE,
                Method::Patch => reqwest::Method::PATCH,
                Method::Head => reqwest::Method::HEAD,
            };
            let HttpRequest {
                url,
                headers: request_headers,
                body,
                ..
            } = request;
            let query = url.split_once('?').map(|(_, query)| query);
            let mut headers = reqwest::header::HeaderMap::with_capacity(request_headers.len());
            // One shared buffer: every value reqwest gets is a slice of it, not a copy.
            let (text, spans) = request_headers.into_buffer();
            let text = bytes::Bytes::from(text.into_bytes());
            for (name, value) in spans {
                let name = header_name(&text[name]).map_err(|name| {
                    TransportError::new(
                        TransportErrorKind::Request,
                        format!("invalid header name `{}`", name.escape_default()),
                    )
                })?;
                // Values may be UTF-8 beyond ASCII, which HTTP carries as opaque octets; only
                // control characters are refused.
                let value = reqwest::header::HeaderValue::from_maybe_shared(text.slice(value))
                    .map_err(|_| {
                        TransportError::new(
                            TransportErrorKind::Request,
                            format!("invalid value for header `{name}`"),
                        )
                    })?;
                headers.append(name, value);
            }
            let target = self
                .url(&url)
                .map_err(|message| TransportError::new(TransportErrorKind::Request, message))?;
            // Built whole rather than through `RequestBuilder::headers`, which would copy the
            // header map into the request's own, hashing every name again.
            let mut outgoing = reqwest::Request::new(method, target);
            *outgoing.headers_mut() = headers;
            *outgoing.body_mut() = Some(body.into());
            let mut response = client
                .execute(outgoing)
                .await
                .map_err(|error| classify(error, query))?;
            let status = response.status().as_u16();
            let received = response.headers();
            let mut headers = Headers::with_capacity(
                received.len(),
                received
                    .iter()
                    .map(|(name, value)| name.as_str().len() + value.len())
                    .sum(),
            );
            for (name, value) in received {
                match std::str::from_utf8(value.as_bytes()) {
                    Ok(text) => headers.push(name.as_str(), text),
                    Err(_) => {
                        headers.push(name.as_str(), &String::from_utf8_lossy(value.as_bytes()))
                    }
                }
            }
            let too_large = || {
                TransportError::new(
                    TransportErrorKind::TooLarge,
                    format!("the response body is larger than {} bytes", self.max_body),
                )
            };
            let declared = response.content_length().unwrap_or(0);
            if declared > self.max_body as u64 {
                return Err(too_large());
            }
            let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|error| classify(error, query))?
            {
                if body.len() + chunk.len() > self.max_body {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }
}

/// The headers the runtime sets, as reqwest's names: built at compile time, not per request.
static RUNTIME_HEADER_NAMES: [reqwest::header::HeaderName; RUNTIME_HEADERS.len()] = {
    const fn name(index: usize) -> reqwest::header::HeaderName {
        reqwest::header::HeaderName::from_static(RUNTIME_HEADERS[index])
    }
    [
        name(0),
        name(1),
        name(2),
        name(3),
        name(4),
        name(5),
        name(6),
        name(7),
        name(8),
        name(9),
        name(10),
        name(11),
        name(12),
    ]
};

/// `name` as reqwest's header name; an invalid one is given back, lossily decoded.
fn header_name(name: &[u8]) -> Result<reqwest::header::HeaderName, String> {
    let from_bytes = || {
        reqwest::header::HeaderName::from_bytes(name)
            .map_err(|_| String::from_utf8_lossy(name).into_owned())
    };
    // reqwest knows the standard names (host, accept, authorization, ...) without copying them.
    if !name
        .get(..6)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"x-acs-"))
    {
        return from_bytes();
    }
    match RUNTIME_HEADERS
        .iter()
        .position(|known| known.as_bytes().eq_ignore_ascii_case(name))
    {
        Some(index) => Ok(RUNTIME_HEADER_NAMES[index].clone()),
        None => from_bytes(),
    }
}

fn build_client(timeouts: &Timeouts, proxy: bool) -> Result<reqwest::Client, TransportError> {
    let tls = tls::client_config().map_err(|error| setup_error(&error))?;
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .http1_only()
        .connect_timeout(timeouts.connect)
        .read_timeout(timeouts.read)
        .redirect(reqwest::redirect::Policy::none())
        // The client decides retries (never a second start of a write); reqwest's own layer,
        // besides, cloned every request for a retry it would not make.
        .retry(reqwest::retry::never().max_retries_per_request(0));
    if !proxy {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|error| setup_error(&error))
}

fn setup_error(error: &dyn std::error::Error) -> TransportError {
    TransportError::new(
        TransportErrorKind::Connect,
        format!("could not set up the HTTP client: {}", error_chain(error)),
    )
}

/// Maps a reqwest error to a kind, with a message free of the URL and its query string.
fn classify(error: reqwest::Error, query: Option<&str>) -> TransportError {
    let kind = if error.is_builder() {
        TransportErrorKind::Request
    } else if is_tls_failure(&error) {
        TransportErrorKind::Tls
    } else if error.is_connect() {
        // Includes connect timeouts and TLS handshake failures: nothing was sent.
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Io
    };
    let error = error.without_url();
    let mut message = error_chain(&error);
    // Belt and braces: no layer below should quote the URL, but if one does, its query (V1
    // signature, STS token) must not survive.
    if let Some(query) = query.filter(|query| !query.is_empty()) {
        message = message.replace(query, "***");
    }
    TransportError::new(kind, message)
}

/// Whether rustls refused the connection somewhere down `error`'s sources (directly, or inside
/// the I/O error the TLS stream reports it as).
fn is_tls_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<rustls::Error>() {
            return true;
        }
        // An I/O error's `source` skips the error it wraps; look inside it instead.
        current = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    false
}

/// `error: source: source…`, skipping sources whose text the previous level already includes.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        let text = next.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = next.source();
    }
    message
}

#[cfg(test)]
mod tls_tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(std::io::Error);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("connect failed")
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn certificate_failures_are_found_under_io_errors() {
        // As hyper reports it: an I/O error around the TLS stream's I/O error around rustls's.
        let refused = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        ));
        assert!(is_tls_failure(&Wrapper(refused)));
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(!is_tls_failure(&Wrapper(reset)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_query_and_credentials() {
        let request = HttpRequest {
            method: Method::Post,
            url: "https://example.com/?Signature=QUERYSIG&SecurityToken=QUERYTOKEN".to_owned(),
            headers: Headers::from([
                ("host", "example.com"),
                (
                    "Authorization",
                    "ACS3-HMAC-SHA256 Credential=id,Signature=HEADERSIG",
                ),
                ("x-acs-security-token", "HEADERTOKEN"),
            ]),
            body: Vec::new(),
        };
        let debug = format!("{request:?}");
        for secret in ["QUERYSIG", "QUERYTOKEN", "HEADERSIG", "HEADERTOKEN"] {
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
