//! The client generated service clients wrap, and the call loop (sign, send, decode, retry).
//!
//! A call ([`Client::call`]) goes like this:
//!
//! 1. An operation with [`Idempotency::Token`] whose token is unset gets a fresh UUID v4, once:
//!    every attempt carries the same token. The operation writes its parameters, once.
//! 2. Each attempt fetches credentials, takes a fresh nonce and timestamp, signs and sends.
//! 3. The answer is decoded ([`crate::decode`]); a failure is retried when
//!    [`crate::retry`] says that is safe, after a jittered backoff, within the call's time
//!    budget ([`Timeouts::total`]).
//!
//! Only the first and last steps depend on the operation's types. [`Client::call`] is a thin
//! generic shell around one non-generic loop, so the loop is compiled once in this crate rather
//! than once per operation in every generated crate.
//!
//! Each call runs in a `tracing` span `acs_call` (product, action) with one child span
//! `acs_attempt` per attempt (attempt number, HTTP status, request id). No secret, token or
//! signature is ever logged.
//!
//! [`Timeouts::total`]: crate::transport::Timeouts::total

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::Instrument as _;

use crate::config::Config;
use crate::credentials::Credentials;
use crate::decode::{self, AnswerFailure, ResponseError};
use crate::encoding::redact;
use crate::endpoint::{self, EndpointError, ResolvedEndpoint};
use crate::error::{DecodeError, SdkError, ServiceError, TransportError, TransportErrorKind};
use crate::json;
use crate::operation::{
    Auth, FromResponse, Idempotency, Operation, OperationInfo, ResponseBody, ServiceInfo,
};
use crate::params::RequestParams;
use crate::request::Prepared;
use crate::retry;
use crate::sign;
use crate::transport::{DefaultTransport, Transport};

/// Hands a successful answer's body to the typed side of a call.
type DecodeBody<'a> = dyn FnMut(ResponseBody) -> Result<(), json::DecodeError> + Send + 'a;

/// A configured client for one service; cheap to clone (clones share connections and
/// configuration: one reference count, as builders clone it for every call).
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    service: &'static ServiceInfo,
    endpoint: ResolvedEndpoint,
    config: Config,
    transport: Arc<dyn Transport>,
    /// Fixed for the client's life, so formatted once rather than per call.
    user_agent: String,
    /// Seconds to add to the local clock for request timestamps: learned from a service that
    /// refused a timestamp and said its own time (`Date`).
    clock_offset: std::sync::atomic::AtomicI64,
}

impl Client {
    /// A client for `service` with `config`; fails when no endpoint can be resolved.
    pub fn new(service: &'static ServiceInfo, config: &Config) -> Result<Self, EndpointError> {
        let endpoint = endpoint::resolve(
            service.endpoints,
            &config.region,
            config.endpoint_kind,
            config.endpoint_override.as_deref(),
        )?;
        let transport = match &config.transport {
            Some(transport) => Arc::clone(transport),
            None => Arc::new(DefaultTransport::new(config.timeouts)),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                service,
                endpoint,
                config: config.clone(),
                transport,
                user_agent: user_agent(service),
                clock_offset: std::sync::atomic::AtomicI64::new(0),
            }),
        })
    }

    /// The endpoint calls go to.
    pub fn endpoint(&self) -> &ResolvedEndpoint {
        &self.inner.endpoint
    }

    /// The service this client calls.
    pub fn service(&self) -> &'static ServiceInfo {
        self.inner.service
    }

    /// The configuration this client was made with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends `operation` and decodes the answer, retrying where that is safe (see
    /// [`crate::retry`]).
    pub async fn call<O: Operation>(&self, operation: O) -> Result<O::Output, SdkError<O::Error>> {
        #[cfg(feature = "test-util")]
        if let Some(mock) = self.inner.transport.mock() {
            return mock.answer(self, operation).await;
        }
        let (_, params) = prepare(operation);
        self.call_through::<O>(&*self.inner.transport, params).await
    }

    /// The call of an operation whose parameters are written, through `transport`.
    pub(crate) async fn call_through<O: Operation>(
        &self,
        transport: &dyn Transport,
        params: RequestParams,
    ) -> Result<O::Output, SdkError<O::Error>> {
        let mut output = None;
        let mut decode = |body: ResponseBody| {
            output = Some(O::Output::from_response(body)?);
            Ok(())
        };
        match self.invoke(transport, O::INFO, params, &mut decode).await {
            Ok(()) => match output {
                Some(output) => Ok(output),
                None => unreachable!("a call succeeds only after its body decoded"),
            },
            Err(error) => Err(error.map_service(O::Error::from)),
        }
    }

    /// The call without its types: `decode` receives the body of the successful answer.
    async fn invoke(
        &self,
        transport: &dyn Transport,
        info: &'static OperationInfo,
        params: RequestParams,
        decode: &mut DecodeBody<'_>,
    ) -> Result<(), SdkError<ServiceError>> {
        let span = tracing::debug_span!(
            "acs_call",
            product = self.inner.service.product,
            action = info.action,
        );
        self.run(transport, info, params, decode)
            .instrument(span)
            .await
    }

    async fn run(
        &self,
        transport: &dyn Transport,
        info: &'static OperationInfo,
        params: RequestParams,
        decode: &mut DecodeBody<'_>,
    ) -> Result<(), SdkError<ServiceError>> {
        let deadline = tokio::time::Instant::now() + self.inner.config.timeouts.total;
        let prepared = Prepared::new(self.inner.service, info, params)?;

        let attempts = self.inner.config.retry.attempts();
        let mut attempt = 1;
        let mut clock_corrected = false;
        loop {
            let attempt_span = tracing::debug_span!(
                "acs_attempt",
                attempt,
                http_status = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            let credentials = match info.auth {
                Auth::Signed => Some(
                    self.inner
                        .config
                        .credentials
                        .get()
                        .await
                        .map_err(SdkError::Credentials)?,
                ),
                Auth::Anonymous => None,
            };
            let request = prepared.sign(
                &self.inner.endpoint,
                self.inner.config.signature,
                credentials.as_deref(),
                &new_nonce(),
                &now_timestamp(self.inner.clock_offset.load(Ordering::Relaxed)),
                &self.inner.user_agent,
            );

            let sent = tokio::time::timeout_at(deadline, transport.send(request))
                .instrument(attempt_span.clone())
                .await;
            let failure = match sent {
                Err(_elapsed) => Failure::Transport(TransportError::new(
                    TransportErrorKind::Timeout,
                    format!(
                        "the call's time budget of {:?} ran out",
                        self.inner.config.timeouts.total
                    ),
                )),
                Ok(Err(error)) => Failure::Transport(error),
                Ok(Ok(response)) => {
                    attempt_span.record("http_status", response.status);
                    let status = response.status;
                    // An error answer's date, kept as text: parsed only when the service
                    // refused the timestamp (see below).
                    let server_date = match status {
                        200..=299 => None,
                        _ => response.header("date").map(str::to_owned),
                    };
                    match decode::read_answer(response, info.body, Some(deadline.into_std())) {
                        Ok(success) => {
                            if let Some(id) = &success.request_id {
                                attempt_span.record("request_id", id.as_str());
                            }
                            return decode(success.body).map_err(|error| {
                                SdkError::Decode(DecodeError::new(
                                    status,
                                    success.request_id,
                                    error.to_string(),
                                ))
                            });
                        }
                        Err(AnswerFailure::OutOfTime) => {
                            // The budget is spent: nothing is left for a retry either.
                            return Err(SdkError::Transport(TransportError::new(
                                TransportErrorKind::Timeout,
                                format!(
                                    "the call's time budget of {:?} ran out while decoding the answer",
                                    self.inner.config.timeouts.total
                                ),
                            )));
                        }
                        Err(AnswerFailure::Response(ResponseError::Decode(error))) => {
                            return Err(SdkError::Decode(error));
                        }
                        Err(AnswerFailure::Response(ResponseError::Service(mut error))) => {
                            if let Some(id) = &error.request_id {
                                attempt_span.record("request_id", id.as_str());
                            }
                            // A refused timestamp with the service's own time: the request was
                            // not processed, so correct the clock and send it again, once.
                            if !clock_corrected
                                && error.code.starts_with("InvalidTimeStamp")
                                && let Some(server_time) =
                                    server_date.as_deref().and_then(parse_http_date)
                            {
                                let offset = seconds_since_epoch(server_time)
                                    - seconds_since_epoch(SystemTime::now());
                                self.inner.clock_offset.store(offset, Ordering::Relaxed);
                                clock_corrected = true;
                                attempt_span.in_scope(|| {
                                    tracing::debug!(
                                        offset_seconds = offset,
                                        "the service refused the timestamp; clock corrected"
                                    );
                                });
                                continue;
                            }
                            if let Some(credentials) = &credentials {
                                scrub_token(&mut error, credentials);
                            }
                            Failure::Service(error)
                        }
                    }
                }
            };

            let (retryable, retry_after) = match &failure {
                Failure::Transport(error) => (
                    retry::is_retryable_transport_error(info.idempotency, error),
                    None,
                ),
                Failure::Service(error) => (
                    retry::is_retryable_service_error(info.idempotency, error),
                    error.retry_after,
                ),
            };
            let delay = self.inner.config.retry.backoff(attempt, retry_after);
            let in_budget = tokio::time::Instant::now()
                .checked_add(delay)
                .is_some_and(|resume| resume < deadline);
            if !retryable || attempt >= attempts || !in_budget {
                attempt_span.in_scope(|| {
                    tracing::debug!(
                        failure = %failure.summary(),
                        retryable,
                        "attempt failed, giving up"
                    );
                });
                return Err(match failure {
                    Failure::Transport(error) => SdkError::Transport(error),
                    Failure::Service(error) => SdkError::Service(error),
                });
            }
            attempt_span.in_scope(|| {
                tracing::debug!(
                    failure = %failure.summary(),
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "attempt failed, retrying"
                );
            });
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

/// An operation ready to send: an unset idempotency token filled with a fresh UUID (once, so
/// every attempt carries the same token), then its parameters written.
pub(crate) fn prepare<O: Operation>(mut operation: O) -> (O, RequestParams) {
    if O::INFO.idempotency == Idempotency::Token
        && let Some(slot) = operation.idempotency_token_mut()
        && slot.is_none()
    {
        *slot = Some(random_uuid().hyphenated().to_string());
    }
    let mut params = RequestParams::default();
    operation.write_params(&mut params);
    (operation, params)
}

/// What went wrong in one attempt.
enum Failure {
    Transport(TransportError),
    Service(ServiceError),
}

impl Failure {
    /// A log-safe summary: kinds and codes, no message (which might quote a request).
    fn summary(&self) -> String {
        match self {
            Failure::Transport(error) => format!("transport {:?}", error.kind),
            Failure::Service(error) => format!("HTTP {} {}", error.http_status, error.code),
        }
    }
}

/// Removes the STS token from an error answer. Services quote the string they signed in
/// `SignatureDoesNotMatch` messages, and an RPC `HMAC-SHA1` string to sign includes the
/// `SecurityToken` (percent-encoded, twice); the token must not reach logs through `Display`.
fn scrub_token(error: &mut ServiceError, credentials: &Credentials) {
    let Some(token) = credentials.security_token() else {
        return;
    };
    for text in [&mut error.message, &mut error.body] {
        redact(text, token);
    }
}

/// `acs-runtime/<version> (<os>; <arch>) <product>/<api version>`: names the crate and version.
pub(crate) fn user_agent(service: &ServiceInfo) -> String {
    format!(
        "{}/{} ({}; {}) {}/{}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        service.product,
        service.version
    )
}

/// A version-4 UUID from the thread's fast generator (`fastrand`, seeded from the OS once per
/// thread): nonces and idempotency tokens must be unique, not secret (the signature is what
/// proves the request), and asking the OS for randomness on every call cost a system call each.
fn random_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
}

/// 32 lower-case hex digits, fresh for every attempt.
fn new_nonce() -> String {
    random_uuid().simple().to_string()
}

fn seconds_since_epoch(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
        i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
    })
}

/// An HTTP `Date` (`Tue, 01 Dec 2026 15:38:57 GMT`, RFC 9110's IMF-fixdate).
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let mut parts = text.split_whitespace();
    let (_weekday, day, month, year, clock, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u8 + 1;
    let date = time::Date::from_calendar_date(
        year.parse().ok()?,
        time::Month::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    let mut hms = clock.split(':').map(|n| n.parse::<u8>().ok());
    let clock = time::Time::from_hms(hms.next()??, hms.next()??, hms.next()??).ok()?;
    let seconds = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    Some(UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(seconds).ok()?))
}

/// The request timestamp (`2024-01-02T03:04:05Z`), the local clock moved by `offset` seconds,
/// formatted once per second per thread.
fn now_timestamp(offset: i64) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let seconds =
        u64::try_from(seconds_since_epoch(SystemTime::now()).saturating_add(offset)).unwrap_or(0);
    LAST.with_borrow_mut(|(at, text)| {
        if *at != seconds {
            *at = seconds;
            *text = sign::format_timestamp(seconds);
        }
        text.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::ApiStyle;

    static DBS: ServiceInfo = ServiceInfo {
        product: "dbs",
        version: "2019-03-06",
        style: ApiStyle::Rpc,
        endpoints: &[],
    };

    #[test]
    fn user_agent_names_the_crate_and_service() {
        let agent = user_agent(&DBS);
        assert!(agent.starts_with(concat!("acs-runtime/", env!("CARGO_PKG_VERSION"), " (")));
        assert!(agent.ends_with(") dbs/2019-03-06"));
    }

    #[test]
    fn http_dates_parse() {
        let parsed = parse_http_date("Tue, 01 Dec 2026 15:38:57 GMT").unwrap();
        assert_eq!(seconds_since_epoch(parsed), 1_796_139_537);
        assert_eq!(parse_http_date("Tue, 01 Dec 2026 15:38:57 +0000"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn nonces_are_32_lower_hex_digits_and_fresh() {
        let first = new_nonce();
        assert_eq!(first.len(), 32);
        assert!(first.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_ne!(first, new_nonce());
    }
}
