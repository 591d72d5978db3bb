//! When a failed attempt is repeated, and how long the client waits first.
//!
//! An attempt is repeated only when doing so cannot run the operation twice:
//!
//! | failure | `ReadOnly` / `Token` | `Unsafe` |
//! | --- | --- | --- |
//! | connection not made ([`TransportErrorKind::Connect`]) | retried | retried |
//! | throttled (HTTP 429, `Throttling*` code, a 4xx with `x-acs-retry-after`) | retried | retried |
//! | certificate refused, TLS failed ([`TransportErrorKind::Tls`]) | not retried | not retried |
//! | timeout, connection lost mid-request | retried | not retried |
//! | HTTP 5xx (with or without `x-acs-retry-after`) | retried | not retried |
//! | any other error (4xx, `Success: false`, undecodable body) | not retried | not retried |
//!
//! `Token` operations are safe to repeat because every attempt carries the same idempotency
//! token (`ClientToken`), so the service runs the operation at most once.
//!
//! Waits grow exponentially with full jitter: before retry `n` (1-based) the client sleeps a
//! random duration between zero and `min(max_backoff, initial_backoff × 2^(n-1))`, or at least
//! as long as the service asked for with `x-acs-retry-after`.

use std::time::Duration;

use crate::error::{ServiceError, TransportError, TransportErrorKind};
use crate::operation::Idempotency;

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in all, the first included (default 3); `0` counts as `1`, `1` disables retries.
    pub max_attempts: u32,
    /// Upper bound of the wait before the first retry (default 100 ms); doubles per retry.
    pub initial_backoff: Duration,
    /// Cap of the wait bound (default 5 s). A longer `x-acs-retry-after` is still honoured.
    pub max_backoff: Duration,
}

impl RetryConfig {
    /// The defaults: 3 attempts, backoff from 100 ms up to 5 s.
    pub const DEFAULT: RetryConfig = RetryConfig {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(5),
    };

    /// The defaults (see [`RetryConfig::DEFAULT`]).
    pub fn new() -> Self {
        Self::DEFAULT
    }

    /// One attempt, no retries.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::DEFAULT
        }
    }

    /// The same configuration with `max_attempts` replaced.
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// The same configuration with `initial_backoff` replaced.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// The same configuration with `max_backoff` replaced.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Attempts in all, at least one.
    pub fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// The upper bound of the wait before retry `retry` (1 for the first retry):
    /// `min(max_backoff, initial_backoff × 2^(retry-1))`.
    pub fn backoff_bound(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.initial_backoff
            .checked_mul(1 << doublings)
            .unwrap_or(Duration::MAX)
            .min(self.max_backoff)
    }

    /// The wait before retry `retry`: uniformly random in `[0, backoff_bound(retry)]` ("full
    /// jitter", which spreads out clients that failed together), but never shorter than
    /// `retry_after` when the service gave one.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let bound = self.backoff_bound(retry);
        let bound_nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
        let jittered = Duration::from_nanos(fastrand::u64(0..=bound_nanos));
        match retry_after {
            Some(wait) => jittered.max(wait),
            None => jittered,
        }
    }
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Whether repeating `idempotency`'s operation is safe after it got no HTTP answer.
pub fn is_retryable_transport_error(idempotency: Idempotency, error: &TransportError) -> bool {
    match error.kind {
        // Nothing reached the server.
        TransportErrorKind::Connect => true,
        // The server may have run the operation.
        TransportErrorKind::Timeout | TransportErrorKind::Io => repeatable(idempotency),
        _ => false,
    }
}

/// Whether repeating `idempotency`'s operation is safe and useful after the service answered
/// with `error`.
pub fn is_retryable_service_error(idempotency: Idempotency, error: &ServiceError) -> bool {
    // A throttled request was turned away before it ran.
    error.is_throttling() || (error.is_server_error() && repeatable(idempotency))
}

/// Whether running the operation twice does no harm.
fn repeatable(idempotency: Idempotency) -> bool {
    match idempotency {
        Idempotency::ReadOnly | Idempotency::Token => true,
        Idempotency::Unsafe => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(status: u16, code: &str) -> ServiceError {
        ServiceError::new(code, "m", None, status)
    }

    #[test]
    fn policy_table() {
        use Idempotency::*;
        let connect = TransportError::new(TransportErrorKind::Connect, "refused");
        let timeout = TransportError::new(TransportErrorKind::Timeout, "slow");
        let io = TransportError::new(TransportErrorKind::Io, "reset");
        let request = TransportError::new(TransportErrorKind::Request, "bad header");
        for idempotency in [ReadOnly, Token, Unsafe] {
            let safe = idempotency != Unsafe;
            assert!(is_retryable_transport_error(idempotency, &connect));
            assert_eq!(is_retryable_transport_error(idempotency, &timeout), safe);
            assert_eq!(is_retryable_transport_error(idempotency, &io), safe);
            assert!(!is_retryable_transport_error(idempotency, &request));
            assert!(is_retryable_service_error(idempotency, &service(429, "")));
            assert!(is_retryable_service_error(
                idempotency,
                &service(400, "Throttling.User")
            ));
            assert!(is_retryable_service_error(
                idempotency,
                &service(400, "X").with_retry_after(Some(Duration::from_millis(5)))
            ));
            // A 5xx asking the client to wait may still have run the operation.
            assert_eq!(
                is_retryable_service_error(
                    idempotency,
                    &service(503, "X").with_retry_after(Some(Duration::from_millis(5)))
                ),
                safe
            );
            assert_eq!(
                is_retryable_service_error(idempotency, &service(500, "InternalError")),
                safe
            );
            assert_eq!(
                is_retryable_service_error(idempotency, &service(503, "ServiceUnavailable")),
                safe
            );
            assert!(!is_retryable_service_error(
                idempotency,
                &service(403, "Request.Forbidden")
            ));
            assert!(!is_retryable_service_error(
                idempotency,
                &service(400, "InvalidParameter")
            ));
            assert!(!is_retryable_service_error(
                idempotency,
                &service(200, "InvalidParameter")
            ));
        }
    }

    #[test]
    fn backoff_bounds_double_and_cap() {
        let config = RetryConfig::new()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(350));
        assert_eq!(config.backoff_bound(1), Duration::from_millis(100));
        assert_eq!(config.backoff_bound(2), Duration::from_millis(200));
        assert_eq!(config.backoff_bound(3), Duration::from_millis(350));
        assert_eq!(config.backoff_bound(200), Duration::from_millis(350));
        for retry in 1..10 {
            assert!(config.backoff(retry, None) <= config.backoff_bound(retry));
        }
        let wait = Duration::from_secs(2);
        assert!(config.backoff(1, Some(wait)) >= wait);
    }

    #[test]
    fn attempts_is_at_least_one() {
        assert_eq!(RetryConfig::new().with_max_attempts(0).attempts(), 1);
        assert_eq!(RetryConfig::disabled().attempts(), 1);
        assert_eq!(RetryConfig::default().attempts(), 3);
    }
}
