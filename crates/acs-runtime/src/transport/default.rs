//! [`DefaultTransport`]: HTTP/1.1 with keep-alive over rustls, on reqwest.

use std::fmt;
use std::future::Future as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::{
    BoxFuture, HttpRequest, HttpResponse, Method, StreamedResponse, Timeouts, Transport,
    TransportError, TransportErrorKind, tls,
};
use crate::headers::Headers;
use crate::sign::RUNTIME_HEADERS;
use crate::stream::ByteStream;

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
    /// Host names connected to at a fixed address instead of through DNS.
    resolved: Vec<(String, std::net::SocketAddr)>,
    client: OnceLock<Result<reqwest::Client, TransportError>>,
    /// The client for requests carrying object data: without reqwest's read timeout, whose
    /// clock runs from the start of a request to its answer's headers and so would end any
    /// upload longer than `timeouts.read`. Stalls are caught by [`Progress`] instead.
    upload_client: OnceLock<Result<reqwest::Client, TransportError>>,
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
            resolved: Vec::new(),
            client: OnceLock::new(),
            upload_client: OnceLock::new(),
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

    /// The same transport connecting to `addr` for the host name `host` instead of asking DNS
    /// (as `curl --resolve` does; the `Host` header and TLS name stay `host`). For tests
    /// against a loopback stand-in of a gateway whose names carry a bucket or project
    /// (`my-project.cn-hangzhou.log.aliyuncs.com`), and for pinning an endpoint's address.
    pub fn resolve(mut self, host: impl Into<String>, addr: std::net::SocketAddr) -> Self {
        self.resolved.push((host.into(), addr));
        self
    }

    fn client(&self) -> Result<&reqwest::Client, TransportError> {
        self.client
            .get_or_init(|| build_client(&self.timeouts, Some(self.timeouts.read), self))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn upload_client(&self) -> Result<&reqwest::Client, TransportError> {
        self.upload_client
            .get_or_init(|| build_client(&self.timeouts, None, self))
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
            .field("resolved", &self.resolved)
            .finish_non_exhaustive()
    }
}

impl DefaultTransport {
    /// Sends `request` and gives the answer once its headers arrived.
    async fn execute(
        &self,
        request: HttpRequest,
    ) -> Result<(reqwest::Response, Headers, Option<String>), TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Patch => reqwest::Method::PATCH,
            Method::Head => reqwest::Method::HEAD,
            Method::Options => reqwest::Method::OPTIONS,
        };
        let HttpRequest {
            url,
            headers: request_headers,
            body,
            ..
        } = request;
        // Kept for scrubbing error messages, in case a layer below quotes the URL.
        let query = url.query().map(str::to_owned);
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
        // Built whole rather than through `RequestBuilder::headers`, which would copy the
        // header map into the request's own, hashing every name again.
        let mut outgoing = reqwest::Request::new(method, url);
        *outgoing.headers_mut() = headers;
        let source = match body.upload() {
            Some((object, crc)) => Some(UploadSource::Object(object.open(crc).await.map_err(
                |error| {
                    TransportError::new(
                        TransportErrorKind::Request,
                        format!("could not read the object data to send: {error}"),
                    )
                },
            )?)),
            None if body.len() > LARGE_BODY => Some(UploadSource::Held(body.to_bytes())),
            None => None,
        };
        let (client, progress) = match source {
            None => {
                *outgoing.body_mut() = Some(body.to_bytes().into());
                (self.client()?, None)
            }
            Some(source) => {
                let progress = Arc::new(Progress::new());
                *outgoing.body_mut() = Some(reqwest::Body::wrap(UploadBody {
                    source,
                    progress: Arc::clone(&progress),
                }));
                (self.upload_client()?, Some(progress))
            }
        };
        let sent = client.execute(outgoing);
        let response = match progress {
            None => sent.await,
            Some(progress) => {
                let mut sent = std::pin::pin!(sent);
                let mut stalled = std::pin::pin!(progress.stalled(self.timeouts.read));
                let first = std::future::poll_fn(|cx| {
                    if let std::task::Poll::Ready(response) = sent.as_mut().poll(cx) {
                        return std::task::Poll::Ready(Some(response));
                    }
                    stalled.as_mut().poll(cx).map(|()| None)
                })
                .await;
                match first {
                    Some(response) => response,
                    None => {
                        return Err(TransportError::new(
                            TransportErrorKind::Timeout,
                            format!(
                                "the upload made no progress for {:?} (nothing taken by the connection, or no answer after the last byte)",
                                self.timeouts.read
                            ),
                        ));
                    }
                }
            }
        }
        .map_err(|error| classify(error, query.as_deref()))?;
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
                Err(_) => headers.push(name.as_str(), &String::from_utf8_lossy(value.as_bytes())),
            }
        }
        Ok((response, headers, query))
    }
}

/// Request bodies longer than this are sent as uploads are (pulled in chunks, under
/// [`Progress`] instead of the read timeout): sending them may take longer than the read limit
/// on a slow link. Smaller ones — every RPC form and JSON body in practice — go whole.
const LARGE_BODY: usize = 64 * 1024;

/// What an upload sends: object data read as it goes, or bytes held in memory.
enum UploadSource {
    Object(crate::stream::Upload),
    Held(bytes::Bytes),
}

/// An upload as hyper pulls it, each pull recorded in `progress`.
struct UploadBody {
    source: UploadSource,
    progress: Arc<Progress>,
}

impl http_body::Body for UploadBody {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        let polled = match &mut this.source {
            UploadSource::Object(upload) => std::pin::Pin::new(upload).poll_chunk(cx),
            UploadSource::Held(bytes) if bytes.is_empty() => std::task::Poll::Ready(None),
            // A slice of the shared buffer at a time: progress is seen as the connection
            // takes each, and nothing is copied.
            UploadSource::Held(bytes) => {
                std::task::Poll::Ready(Some(Ok(bytes.split_to(bytes.len().min(LARGE_BODY)))))
            }
        };
        this.progress.pulled(polled.is_pending());
        polled.map(|chunk| chunk.map(|chunk| chunk.map(http_body::Frame::data)))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let len = match &self.source {
            UploadSource::Object(upload) => upload.len(),
            UploadSource::Held(bytes) => Some(bytes.len() as u64),
        };
        match len {
            Some(len) => http_body::SizeHint::with_exact(len),
            None => http_body::SizeHint::default(),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.source, UploadSource::Held(bytes) if bytes.is_empty())
    }
}

/// How an upload moves. hyper pulls the next chunk when the connection can take it, so a
/// network that stopped taking data stops the pulls: time since the last pull is time without
/// progress (after the last chunk, time waiting for the answer). Time spent waiting on the
/// caller's own reader or stream is not: a slow source is not a stalled network.
struct Progress {
    started: tokio::time::Instant,
    /// Milliseconds from `started` to the last pull.
    last_pull: AtomicU64,
    /// Whether the last pull is waiting on the caller's source.
    waiting_on_source: AtomicBool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            started: tokio::time::Instant::now(),
            last_pull: AtomicU64::new(0),
            waiting_on_source: AtomicBool::new(false),
        }
    }

    fn pulled(&self, waiting_on_source: bool) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_pull.store(now, Ordering::Relaxed);
        self.waiting_on_source
            .store(waiting_on_source, Ordering::Relaxed);
    }

    /// Ends once `limit` has passed without a pull while not waiting on the source.
    async fn stalled(&self, limit: Duration) {
        let check_every = (limit / 4).max(Duration::from_millis(10));
        loop {
            tokio::time::sleep(check_every).await;
            if self.waiting_on_source.load(Ordering::Relaxed) {
                continue;
            }
            let last = Duration::from_millis(self.last_pull.load(Ordering::Relaxed));
            if self.started.elapsed().saturating_sub(last) > limit {
                return;
            }
        }
    }
}

impl Transport for DefaultTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let (mut response, headers, query) = self.execute(request).await?;
            let query = query.as_deref();
            let status = response.status().as_u16();
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

    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<StreamedResponse, TransportError>> {
        Box::pin(async move {
            let (response, headers, query) = self.execute(request).await?;
            let status = response.status().as_u16();
            let len = response.content_length();
            Ok(StreamedResponse {
                status,
                headers,
                body: ByteStream::new(Chunks::new(response, query), len),
            })
        })
    }
}

type ChunkFuture = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = (reqwest::Response, reqwest::Result<Option<bytes::Bytes>>)>
            + Send,
    >,
>;

/// An answer's body as a stream of chunks, read with `reqwest::Response::chunk` (no extra
/// reqwest feature).
struct Chunks {
    response: Option<reqwest::Response>,
    pending: Option<ChunkFuture>,
    query: Option<String>,
}

impl Chunks {
    fn new(response: reqwest::Response, query: Option<String>) -> Self {
        Chunks {
            response: Some(response),
            pending: None,
            query,
        }
    }
}

impl futures_core::Stream for Chunks {
    type Item = std::io::Result<bytes::Bytes>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            let Some(mut response) = this.response.take() else {
                return std::task::Poll::Ready(None);
            };
            this.pending = Some(Box::pin(async move {
                let chunk = response.chunk().await;
                (response, chunk)
            }));
        }
        let pending = this.pending.as_mut().expect("set above");
        let (response, chunk) = std::task::ready!(pending.as_mut().poll(cx));
        this.pending = None;
        std::task::Poll::Ready(match chunk {
            Ok(Some(chunk)) => {
                this.response = Some(response);
                Some(Ok(chunk))
            }
            Ok(None) => None,
            Err(error) => Some(Err(std::io::Error::other(
                classify(error, this.query.as_deref()).to_string(),
            ))),
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

/// The reqwest client of `transport`, with `read_timeout` if given.
fn build_client(
    timeouts: &Timeouts,
    read_timeout: Option<Duration>,
    transport: &DefaultTransport,
) -> Result<reqwest::Client, TransportError> {
    let tls = tls::client_config().map_err(|error| setup_error(&error))?;
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .http1_only()
        .connect_timeout(timeouts.connect);
    if let Some(read_timeout) = read_timeout {
        builder = builder.read_timeout(read_timeout);
    }
    let mut builder = builder
        .redirect(reqwest::redirect::Policy::none())
        // The client decides retries (never a second start of a write); reqwest's own layer,
        // besides, cloned every request for a retry it would not make.
        .retry(reqwest::retry::never().max_retries_per_request(0));
    if !transport.proxy {
        builder = builder.no_proxy();
    }
    for (host, addr) in &transport.resolved {
        builder = builder.resolve(host, *addr);
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
