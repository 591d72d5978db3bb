//! The attempts of one call, in named phases under one deadline.
//!
//! ```text
//! invoke ─┬─ attempt 1: credentials → sign → send → read ─┐
//!         │   (failure) ── retry policy: again? after how long? within the budget?
//!         ├─ attempt 2: …                                  │
//!         └─ success ─────────────────────────────────────┴─▶ (decode, in the generic shell)
//! ```
//!
//! Every phase runs under the call's deadline (and the attempt's, when one is set): a
//! credentials fetch that outlives it ends the call with a timeout naming the provider, a send
//! or a read with a transport timeout. Which failures are retried is [`crate::retry`]'s to say;
//! this loop only asks.
//!
//! Tracing: the span `acs_call` carries OpenTelemetry's client-span fields (`otel.name`
//! `<product>/<action>`, `otel.kind`, `rpc.system` `alibaba_cloud`, `rpc.service`,
//! `rpc.method`, `cloud.provider`, `cloud.region`, `server.address`, `server.port`,
//! `acs.api_version`, then `acs.request_id`, `error.type` and `otel.status_code` as the call
//! ends); each attempt's span `acs_attempt` carries `http.request.method`,
//! `http.request.resend_count`, `http.response.status_code`, `acs.request_id` and
//! `error.type`. Values that come from a server are scrubbed of the request's secrets first.

use std::borrow::Cow;
use std::time::Duration;

use tracing::Instrument as _;

use super::Client;
use super::clock::{Correction, parse_http_date};
use super::request::{Destination, Prepared, Target};
use crate::credentials::Credentials;
use crate::decode::{self, Answer};
use crate::endpoint::ResolvedEndpoint;
use crate::error::{BuildError, DecodeError, SdkError, ServiceError};
use crate::json;
use crate::operation::{
    ApiStyle, Auth, BodyKind, FromResponse, Gateway, Idempotency, OperationInfo, ResponseBody,
    ServiceInfo,
};
use crate::params::RequestParams;
use crate::retry::{self, RetryConfig};
use crate::sanitize::Scrubber;
use crate::sign::{Signature, SigningScheme};
use crate::transport::{HttpResponse, Method, Transport, TransportError, TransportErrorKind, Url};

/// What the loop needs to know of the operation called.
pub(crate) struct CallSpec<'a> {
    pub product: &'a str,
    pub version: &'a str,
    pub style: ApiStyle,
    pub action: &'a str,
    pub method: Method,
    pub path: &'a str,
    pub idempotency: Idempotency,
    pub body: BodyKind,
    pub auth: Auth,
    pub gateway: Gateway,
}

impl CallSpec<'static> {
    /// The spec of a generated operation of `service`.
    pub(crate) fn of(info: &'static OperationInfo, service: &'static ServiceInfo) -> Self {
        CallSpec {
            product: service.product,
            version: service.version,
            style: service.style,
            action: info.action,
            method: info.method,
            path: info.path,
            idempotency: info.idempotency,
            body: info.body,
            auth: info.auth,
            gateway: service.gateway,
        }
    }
}

/// What an attempt was waiting on when its time ran out. Signing and reading the answer wait on
/// nothing, so a deadline cannot find an attempt there (the answer's reader checks the deadline
/// itself: `Answer::OutOfTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Credentials: nothing is sent yet.
    Credentials,
    /// The transport: the request is being sent and its answer received.
    Send,
}

/// A success answer, for the generic shell to decode.
pub(crate) struct Success {
    pub body: ResponseBody,
    /// The answer's headers, for the output's members that travel there.
    pub headers: crate::Headers,
    pub request_id: Option<String>,
    status: u16,
    total: Duration,
    span: tracing::Span,
}

impl Success {
    /// The **decode** phase: the body read into the output type `T`.
    pub(crate) fn decode<T: FromResponse>(self) -> Result<T, SdkError<ServiceError>> {
        self.decode_with::<T>(|_, _| Ok(()))
    }

    /// [`Success::decode`], then `headers` reads the output's members from the answer's
    /// headers.
    pub(crate) fn decode_with<T: FromResponse>(
        self,
        headers: impl FnOnce(&mut T, &crate::Headers) -> json::Result<()>,
    ) -> Result<T, SdkError<ServiceError>> {
        let Success {
            body,
            headers: answer_headers,
            request_id,
            status,
            total,
            span,
        } = self;
        T::from_response(body)
            .and_then(|mut output| headers(&mut output, &answer_headers).map(|()| output))
            .map_err(|error| decode_failure(error, request_id, status, total, &span))
    }
}

/// The call's error when the body does not decode into the output type.
fn decode_failure(
    error: json::DecodeError,
    request_id: Option<String>,
    status: u16,
    total: Duration,
    span: &tracing::Span,
) -> SdkError<ServiceError> {
    {
        let failure = if error.is_out_of_time() {
            SdkError::Transport(TransportError::new(
                TransportErrorKind::Timeout,
                format!("the call's time budget of {total:?} ran out while decoding the answer"),
            ))
        } else {
            SdkError::Decode(DecodeError::new(status, request_id, error.to_string()))
        };
        span.record("error.type", error_type(&failure));
        span.record("otel.status_code", "ERROR");
        failure
    }
}

/// What went wrong in one attempt, when another attempt might do better.
enum Failure {
    /// Nothing was sent (credentials or signing ran out of the attempt's time).
    NotSent(TransportError),
    Transport(TransportError),
    Service(ServiceError),
}

impl Failure {
    /// Whether repeating the attempt is safe, and how long the service asked to wait.
    fn retry_facts(&self, idempotency: Idempotency) -> (bool, Option<Duration>) {
        match self {
            Failure::NotSent(_) => (true, None),
            Failure::Transport(error) => (
                retry::is_retryable_transport_error(idempotency, error),
                None,
            ),
            Failure::Service(error) => (
                retry::is_retryable_service_error(idempotency, error),
                error.retry_after,
            ),
        }
    }

    /// A log-safe summary: kinds and codes, no message (which might quote a request).
    fn summary(&self) -> String {
        match self {
            Failure::NotSent(error) | Failure::Transport(error) => {
                format!("transport {:?}", error.kind)
            }
            Failure::Service(error) => format!(
                "HTTP {} {}",
                error.http_status,
                crate::sanitize::escape_controls(&error.code)
            ),
        }
    }

    /// The `error.type` of the attempt: the service's code, else the HTTP status or the
    /// transport's kind, as for the call ([`error_type`]).
    fn error_type(&self) -> String {
        match self {
            Failure::NotSent(error) | Failure::Transport(error) => transport_type(error),
            Failure::Service(error) => service_type(error),
        }
    }

    fn into_error(self) -> SdkError<ServiceError> {
        match self {
            Failure::NotSent(error) | Failure::Transport(error) => SdkError::Transport(error),
            Failure::Service(error) => SdkError::Service(error),
        }
    }
}

/// How an attempt ended.
enum Outcome {
    Success(Answered),
    /// A failure another attempt cannot mend.
    Fatal(SdkError<ServiceError>),
    Failed(Failure),
    /// The service refused the request's time (its answer here) and the clock is corrected:
    /// send it again, if the body can be.
    ClockCorrected(ServiceError),
}

/// A success answer as the attempt read it.
struct Answered {
    body: ResponseBody,
    headers: crate::Headers,
    request_id: Option<String>,
    status: u16,
}

/// The settings of this call: the client's, with the call's own over them.
struct Effective<'a> {
    total: Duration,
    attempt: Option<Duration>,
    retry: RetryConfig,
    scheme: SigningScheme,
    base_url: Cow<'a, Url>,
    host: Cow<'a, str>,
}

impl<'a> Effective<'a> {
    fn of(client: &'a Client, spec: &CallSpec<'_>) -> Result<Self, BuildError> {
        let inner = &*client.inner;
        let config = &inner.config;
        let settings = client.settings.as_deref();
        let rpc = spec.style == ApiStyle::Rpc;
        let scheme = match settings.and_then(|s| s.signature) {
            Some(algorithm) => SigningScheme::for_gateway(spec.gateway, algorithm, rpc),
            None if spec.style == inner.service.style && spec.gateway == inner.service.gateway => {
                inner.scheme
            }
            None => SigningScheme::for_gateway(spec.gateway, config.signature, rpc),
        };
        let (base_url, host) = match settings.and_then(|s| s.endpoint.as_deref()) {
            Some(url) => {
                let endpoint = ResolvedEndpoint::parse(url).map_err(BuildError::Endpoint)?;
                let base = endpoint.url().map_err(BuildError::Endpoint)?;
                (Cow::Owned(base), Cow::Owned(endpoint.host))
            }
            None => (
                Cow::Borrowed(&inner.base_url),
                Cow::Borrowed(inner.endpoint.host_header()),
            ),
        };
        Ok(Effective {
            total: settings
                .and_then(|s| s.total_timeout)
                .unwrap_or(config.timeouts.total),
            attempt: settings
                .and_then(|s| s.attempt_timeout)
                .or(config.timeouts.attempt),
            retry: settings.and_then(|s| s.retry).unwrap_or(config.retry),
            scheme,
            base_url,
            host,
        })
    }
}

/// The call without its types: attempts until one succeeds or none may follow.
pub(crate) async fn invoke(
    client: &Client,
    transport: &dyn Transport,
    spec: &CallSpec<'_>,
    params: RequestParams,
) -> Result<Success, SdkError<ServiceError>> {
    let inner = &*client.inner;
    let span = tracing::info_span!(
        "acs_call",
        otel.name = %format_args!("{}/{}", spec.product, spec.action),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        rpc.system = "alibaba_cloud",
        rpc.service = spec.product,
        rpc.method = spec.action,
        cloud.provider = "alibaba_cloud",
        cloud.region = inner.config.region.as_str(),
        server.address = tracing::field::Empty,
        server.port = tracing::field::Empty,
        acs.api_version = spec.version,
        acs.request_id = tracing::field::Empty,
        error.type = tracing::field::Empty,
    );
    let result = match Effective::of(client, spec) {
        Ok(settings) => attempts(client, transport, spec, params, &settings, &span)
            .instrument(span.clone())
            .await
            .map(|answered| (answered, settings.total)),
        Err(error) => Err(error.into()),
    };
    match result {
        Ok((answered, total)) => {
            if let Some(id) = &answered.request_id {
                span.record("acs.request_id", id.as_str());
            }
            Ok(Success {
                body: answered.body,
                headers: answered.headers,
                request_id: answered.request_id,
                status: answered.status,
                total,
                span,
            })
        }
        Err(error) => {
            span.record("error.type", error_type(&error));
            span.record("otel.status_code", "ERROR");
            Err(error)
        }
    }
}

async fn attempts(
    client: &Client,
    transport: &dyn Transport,
    spec: &CallSpec<'_>,
    mut params: RequestParams,
    settings: &Effective<'_>,
    span: &tracing::Span,
) -> Result<Answered, SdkError<ServiceError>> {
    let inner = &*client.inner;
    span.record(
        "server.address",
        settings.base_url.host_str().unwrap_or_default(),
    );
    if let Some(port) = settings.base_url.port_or_known_default() {
        span.record("server.port", port);
    }
    let deadline = deadline_after(settings.total);
    if let Some(extra) = client.settings.as_deref() {
        params.headers.extend(extra.headers.iter().cloned());
        params.query.extend(extra.query.iter().cloned());
    }
    let request = Prepared::new(
        &Target {
            style: spec.style,
            action: spec.action,
            version: spec.version,
            method: spec.method,
            path: spec.path,
            gateway: spec.gateway,
        },
        params,
    )?;
    let addressed = Addressed::of(
        &settings.base_url,
        &settings.host,
        request.host_label.as_deref(),
        spec.gateway == Gateway::Oss
            && (inner.config.path_style || is_ip_or_localhost(&settings.base_url)),
    )?;
    let destination = Destination {
        base: &addressed.base,
        host: &addressed.host,
        path_prefix: addressed.path_prefix,
        scheme: settings.scheme,
        user_agent: &inner.user_agent,
        region: &inner.config.region,
    };

    let attempts = settings.retry.attempts();
    let mut attempt = 1;
    let mut clock_corrected = false;
    loop {
        let attempt_span = tracing::debug_span!(
            "acs_attempt",
            http.request.method = spec.method.as_str(),
            http.request.resend_count = attempt - 1,
            http.response.status_code = tracing::field::Empty,
            acs.request_id = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        let attempt_deadline = match settings.attempt {
            Some(limit) => deadline.min(deadline_after(limit)),
            None => deadline,
        };
        let mut phase = Phase::Credentials;
        let attempted = tokio::time::timeout_at(
            attempt_deadline,
            try_attempt(
                client,
                transport,
                spec,
                &request,
                &destination,
                deadline,
                clock_corrected,
                &mut phase,
                &attempt_span,
            ),
        )
        .instrument(attempt_span.clone())
        .await;
        let failure = match attempted {
            Ok(Outcome::Success(answered)) => return Ok(answered),
            Ok(Outcome::Fatal(error)) => return Err(error),
            Ok(Outcome::ClockCorrected(refusal)) => {
                clock_corrected = true;
                if request.body.is_replayable() {
                    continue;
                }
                // A reader or stream was read by the refused attempt: the refusal is the
                // answer (the corrected clock serves the calls after this one).
                Failure::Service(refusal)
            }
            Ok(Outcome::Failed(failure)) => failure,
            Err(_elapsed) => {
                let budget_spent = attempt_deadline >= deadline;
                out_of_time(client, phase, settings.total, budget_spent)?
            }
        };

        let (retryable, retry_after) = failure.retry_facts(spec.idempotency);
        // A reader or stream is read once, when the transport starts (even if it then fails to
        // connect): only an attempt that never reached the transport leaves it unread.
        let retryable =
            retryable && (request.body.is_replayable() || matches!(failure, Failure::NotSent(_)));
        let delay = settings.retry.backoff(attempt, retry_after);
        let in_budget = tokio::time::Instant::now()
            .checked_add(delay)
            .is_some_and(|resume| resume < deadline);
        let summary = failure.summary();
        attempt_span.record("error.type", failure.error_type().as_str());
        if !retryable || attempt >= attempts || !in_budget {
            attempt_span.in_scope(|| {
                tracing::debug!(failure = %summary, retryable, "attempt failed, giving up");
            });
            return Err(failure.into_error());
        }
        attempt_span.in_scope(|| {
            tracing::debug!(
                failure = %summary,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "attempt failed, retrying"
            );
        });
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// The failure of an attempt whose time ran out in `phase`: the call's error when its whole
/// budget is spent, else a timeout another attempt may mend.
fn out_of_time(
    client: &Client,
    phase: Phase,
    total: Duration,
    budget_spent: bool,
) -> Result<Failure, SdkError<ServiceError>> {
    let what = match phase {
        Phase::Credentials => "waiting for credentials",
        Phase::Send => "sending the request",
    };
    if budget_spent {
        return Err(match phase {
            Phase::Credentials => {
                SdkError::Credentials(crate::credentials::CredentialsError::TimedOut {
                    provider: client
                        .inner
                        .config
                        .credentials
                        .provider()
                        .name()
                        .into_owned(),
                    waited: total,
                })
            }
            Phase::Send => SdkError::Transport(TransportError::new(
                TransportErrorKind::Timeout,
                format!("the call's time budget of {total:?} ran out while {what}"),
            )),
        });
    }
    let error = TransportError::new(
        TransportErrorKind::Timeout,
        format!("the attempt's time limit ran out while {what}"),
    );
    Ok(match phase {
        Phase::Credentials => Failure::NotSent(error),
        Phase::Send => Failure::Transport(error),
    })
}

/// One attempt: credentials, sign, send, read. `phase` says where it is, for a timeout.
#[allow(clippy::too_many_arguments)]
async fn try_attempt(
    client: &Client,
    transport: &dyn Transport,
    spec: &CallSpec<'_>,
    request: &Prepared,
    destination: &Destination<'_>,
    deadline: tokio::time::Instant,
    clock_corrected: bool,
    phase: &mut Phase,
    span: &tracing::Span,
) -> Outcome {
    let inner = &*client.inner;
    *phase = Phase::Credentials;
    let credentials = match spec.auth {
        Auth::Signed => match inner.config.credentials.get().await {
            Ok(credentials) => Some(credentials),
            Err(error) => return Outcome::Fatal(SdkError::Credentials(error)),
        },
        Auth::Anonymous => None,
    };

    let (mut http, signature) = request.sign(
        destination,
        credentials.as_deref(),
        &crate::ids::nonce(),
        &inner.clock.timestamp(),
        inner.clock.unix_time(),
    );
    let scrubber = scrubber(credentials.as_deref(), signature.as_ref());
    // OSS object data is checked against the CRC-64 the service computed: summed here for
    // bytes, by the transport as it reads a file or a reader.
    let upload_crc = (spec.gateway == Gateway::Oss
        && inner.config.verify_crc64
        && request.object_data)
        .then(|| {
            let crc = std::sync::Arc::new(crate::stream::crc64::Running::default());
            if http.body.upload().is_none() {
                crc.update(http.body.as_bytes());
            }
            http.body = std::mem::take(&mut http.body).with_crc(std::sync::Arc::clone(&crc));
            crc
        });

    *phase = Phase::Send;
    if spec.body == BodyKind::Binary {
        return match transport.send_streaming(http).await {
            Ok(streamed) if (200..300).contains(&streamed.status) => {
                span.record("http.response.status_code", streamed.status);
                streamed_success(client, spec, streamed, &scrubber, span)
            }
            Ok(streamed) => {
                // Reading an error answer's body is still the transport's work.
                span.record("http.response.status_code", streamed.status);
                match streamed.buffered(4 * ServiceError::MAX_BODY).await {
                    Ok(response) => read(
                        client,
                        spec,
                        response,
                        deadline,
                        clock_corrected,
                        &scrubber,
                        span,
                        None,
                    ),
                    Err(mut error) => {
                        scrubber.scrub(&mut error.message);
                        Outcome::Failed(Failure::Transport(error))
                    }
                }
            }
            Err(mut error) => {
                scrubber.scrub(&mut error.message);
                Outcome::Failed(Failure::Transport(error))
            }
        };
    }
    let response = match transport.send(http).await {
        Ok(response) => response,
        Err(mut error) => {
            scrubber.scrub(&mut error.message);
            return Outcome::Failed(Failure::Transport(error));
        }
    };

    span.record("http.response.status_code", response.status);
    read(
        client,
        spec,
        response,
        deadline,
        clock_corrected,
        &scrubber,
        span,
        upload_crc.as_deref(),
    )
}

/// A success answer whose body is still arriving (object data): handed over as a stream,
/// checked against the whole object's CRC-64 when the answer carries it.
fn streamed_success(
    client: &Client,
    spec: &CallSpec<'_>,
    streamed: crate::transport::StreamedResponse,
    scrubber: &Scrubber<'_>,
    span: &tracing::Span,
) -> Outcome {
    let crate::transport::StreamedResponse {
        status,
        headers,
        mut body,
    } = streamed;
    let mut request_id = decode::header_request_id(&headers);
    scrubber.scrub_option(&mut request_id);
    if let Some(id) = &request_id {
        span.record("acs.request_id", id.as_str());
    }
    // A part of the object (206) has no CRC of its own, and an answer in another encoding
    // (`Content-Encoding: gzip`, when asked for) is not the stored bytes the CRC is of.
    if spec.gateway == Gateway::Oss
        && client.inner.config.verify_crc64
        && status == 200
        && headers
            .get("content-encoding")
            .is_none_or(|coding| coding.trim() == "identity")
        && let Some(expected) = headers
            .get(decode::OSS_CRC64_HEADER)
            .and_then(|crc| crc.trim().parse::<u64>().ok())
    {
        body = body.checked_against(expected);
    }
    Outcome::Success(Answered {
        body: ResponseBody::streaming(body),
        headers,
        request_id,
        status,
    })
}

/// Where a call goes once its host parameter is placed: in front of the endpoint's host
/// (virtual host), or in front of the path (path-style).
pub(super) struct Addressed<'a> {
    pub(super) base: Cow<'a, Url>,
    pub(super) host: Cow<'a, str>,
    pub(super) path_prefix: Option<&'a str>,
}

impl<'a> Addressed<'a> {
    pub(super) fn of(
        base: &'a Url,
        host: &'a str,
        label: Option<&'a str>,
        path_style: bool,
    ) -> Result<Self, BuildError> {
        let Some(label) = label else {
            return Ok(Addressed {
                base: Cow::Borrowed(base),
                host: Cow::Borrowed(host),
                path_prefix: None,
            });
        };
        if path_style {
            return Ok(Addressed {
                base: Cow::Borrowed(base),
                host: Cow::Borrowed(host),
                path_prefix: Some(label),
            });
        }
        let mut labelled = base.clone();
        let name = format!("{label}.{}", base.host_str().unwrap_or_default());
        labelled.set_host(Some(&name)).map_err(|error| {
            BuildError::Endpoint(crate::endpoint::EndpointError::InvalidOverride {
                url: name.clone(),
                reason: error.to_string(),
            })
        })?;
        Ok(Addressed {
            base: Cow::Owned(labelled),
            host: Cow::Owned(format!("{label}.{host}")),
            path_prefix: None,
        })
    }
}

/// Whether the endpoint is an IP address or `localhost`, where a bucket cannot be a host
/// label (the OSS gateway's `endpoint_type=ip`).
pub(super) fn is_ip_or_localhost(base: &Url) -> bool {
    matches!(base.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)))
        || base.host_str() == Some("localhost")
}

/// The scrubber of an attempt: the credentials' secret and token and the signature sent.
fn scrubber<'a>(
    credentials: Option<&'a Credentials>,
    signature: Option<&'a Signature>,
) -> Scrubber<'a> {
    Scrubber::new()
        .with(credentials.map(Credentials::access_key_secret))
        .with(credentials.and_then(Credentials::security_token))
        .with(signature.map(Signature::as_str))
}

/// The read phase: what the answer is, its server-sent strings scrubbed; an upload whose
/// CRC-64 (`upload_crc`) is not the one the service computed is damaged.
#[allow(clippy::too_many_arguments)]
fn read(
    client: &Client,
    spec: &CallSpec<'_>,
    response: HttpResponse,
    deadline: tokio::time::Instant,
    clock_corrected: bool,
    scrubber: &Scrubber<'_>,
    span: &tracing::Span,
    upload_crc: Option<&crate::stream::crc64::Running>,
) -> Outcome {
    let status = response.status;
    // An error answer's date, kept as text: parsed only when the service refused the
    // timestamp (see below).
    let server_date = match status {
        200..=299 => None,
        _ => response.header("date").map(str::to_owned),
    };
    let sent_crc = upload_crc.map(crate::stream::crc64::Running::value);
    match decode::read_answer(response, spec.body, spec.gateway, Some(deadline.into_std())) {
        Answer::Success {
            body,
            headers,
            mut request_id,
        } => {
            scrubber.scrub_option(&mut request_id);
            if let Some(id) = &request_id {
                span.record("acs.request_id", id.as_str());
            }
            if let Some(sent) = sent_crc
                && let Some(stored) = headers
                    .get(decode::OSS_CRC64_HEADER)
                    .and_then(|crc| crc.trim().parse::<u64>().ok())
                // An append answers the whole object's CRC; only a whole body is compared.
                && headers.get("x-oss-next-append-position").is_none()
                && stored != sent
            {
                return Outcome::Fatal(SdkError::Transport(TransportError::new(
                    TransportErrorKind::Checksum,
                    format!(
                        "the uploaded data's CRC-64 is {sent}, but the service stored {stored} (x-oss-hash-crc64ecma, request id {})",
                        request_id.as_deref().unwrap_or("none")
                    ),
                )));
            }
            Outcome::Success(Answered {
                body,
                headers,
                request_id,
                status,
            })
        }
        Answer::OutOfTime => Outcome::Fatal(SdkError::Transport(TransportError::new(
            TransportErrorKind::Timeout,
            "the call's time budget ran out while reading the answer",
        ))),
        Answer::Undecodable(mut error) => {
            scrubber.scrub_option(&mut error.request_id);
            Outcome::Fatal(SdkError::Decode(error))
        }
        Answer::Service(mut error) => {
            scrub_service_error(&mut error, scrubber);
            if let Some(id) = &error.request_id {
                span.record("acs.request_id", id.as_str());
            }
            // A refused timestamp with the service's own time: the request was not
            // processed, so correct the clock (within its bound) and send it again, once.
            if !clock_corrected
                && decode::refuses_request_time(&error.code)
                && let Some(server_time) = server_date.as_deref().and_then(parse_http_date)
            {
                match client
                    .inner
                    .clock
                    .correct(server_time, client.inner.config.clock_correction)
                {
                    Correction::Applied { offset_seconds } => {
                        span.in_scope(|| {
                            tracing::debug!(
                                offset_seconds,
                                "the service refused the timestamp; clock corrected"
                            );
                        });
                        return Outcome::ClockCorrected(error);
                    }
                    Correction::Refused(skew) => error = error.with_clock_skew(skew),
                    Correction::Unchanged => {}
                }
            }
            Outcome::Failed(Failure::Service(error))
        }
    }
}

/// The instant `limit` from now; a limit too large for the clock (`Duration::MAX` for "no
/// limit") is a deadline thirty years away, as tokio's own sleeps do, never an overflow.
fn deadline_after(limit: Duration) -> tokio::time::Instant {
    const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 86_400);
    tokio::time::Instant::now() + limit.min(FAR_FUTURE)
}

/// Every server-sent string of `error` scrubbed.
fn scrub_service_error(error: &mut ServiceError, scrubber: &Scrubber<'_>) {
    if scrubber.is_empty() {
        return;
    }
    for text in error.texts_mut() {
        scrubber.scrub(text);
    }
}

/// The `error.type` of a failed call, low in cardinality as OpenTelemetry asks: the service's
/// code (scrubbed), else `http_<status>`, or the kind of failure (`transport_timeout`,
/// `credentials`, `decode`, …).
fn error_type(error: &SdkError<ServiceError>) -> String {
    match error {
        SdkError::Build(_) => "build".to_owned(),
        SdkError::Credentials(error) if error.is_timeout() => "credentials_timeout".to_owned(),
        SdkError::Credentials(_) => "credentials".to_owned(),
        SdkError::Transport(error) => transport_type(error),
        SdkError::Decode(_) => "decode".to_owned(),
        SdkError::Service(error) => service_type(error),
    }
}

fn transport_type(error: &TransportError) -> String {
    format!("transport_{:?}", error.kind).to_lowercase()
}

fn service_type(error: &ServiceError) -> String {
    if error.code.is_empty() {
        format!("http_{}", error.http_status)
    } else {
        crate::sanitize::escape_controls(&error.code).into_owned()
    }
}
