//! Credentials kept between calls and refreshed before they expire.
//!
//! The rules, all measured on the cache's [`Clock`]:
//!
//! - **Refresh margin**: credentials with an expiry are refreshed once at most
//!   [`DEFAULT_REFRESH_MARGIN`] (15 minutes, as the newest official libraries do) remains, but
//!   never before half their lifetime has passed, so short-lived credentials (STS's minimum is
//!   15 minutes) are not refreshed on every call.
//! - **Single flight**: however many calls find the credentials due, one asks the provider; the
//!   others wait for its answer and use it.
//! - **Failures**: a failed refresh while the current credentials are still valid keeps
//!   serving them and waits before trying again (1 s, doubling up to 60 s); once they have
//!   expired, the failure is the call's error.
//! - Credentials without an expiry are kept until their source asked to be consulted again
//!   (a file provider does so every minute, so edited files are picked up).
//!
//! The fast path is a read lock and an `Arc` clone: concurrent calls do not contend.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use super::{Clock, Credentials, CredentialsError, ProvideCredentials, ProvideFuture, SystemClock};

/// How long before expiry credentials are refreshed, at most.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(15 * 60);
/// The first wait after a failed refresh (doubling per failure).
const FIRST_RETRY_WAIT: Duration = Duration::from_secs(1);
/// The longest wait after failed refreshes.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// A provider whose credentials are kept and refreshed as the module documentation says.
/// Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct CredentialsCache {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Arc<dyn ProvideCredentials>,
    clock: Arc<dyn Clock>,
    margin: Duration,
    state: RwLock<State>,
    /// Held by the one caller refreshing.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// After a failed refresh: no new attempt before this, while `current` is valid.
    retry_at: Option<SystemTime>,
    failures: u32,
}

struct Cached {
    credentials: Arc<Credentials>,
    refresh_at: Option<SystemTime>,
    expires_at: Option<SystemTime>,
}

impl Cached {
    fn valid(&self, now: SystemTime) -> bool {
        self.expires_at.is_none_or(|expiry| now < expiry)
    }
}

impl State {
    /// The credentials to use without asking the provider, if any.
    fn usable(&self, now: SystemTime) -> Option<Arc<Credentials>> {
        let cached = self.current.as_ref()?;
        let due = cached.refresh_at.is_some_and(|at| now >= at);
        let waiting = self.retry_at.is_some_and(|at| now < at);
        (!due || (waiting && cached.valid(now))).then(|| Arc::clone(&cached.credentials))
    }
}

impl CredentialsCache {
    /// A cache over `provider`, on the system clock.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_arc(Arc::new(provider))
    }

    /// A cache over a shared provider.
    pub fn from_arc(provider: Arc<dyn ProvideCredentials>) -> Self {
        CredentialsCache {
            inner: Arc::new(Inner {
                provider,
                clock: Arc::new(SystemClock),
                margin: DEFAULT_REFRESH_MARGIN,
                state: RwLock::new(State::default()),
                refresh: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The same cache (emptied) measuring time on `clock`.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        self.rebuild(clock, self.inner.margin)
    }

    /// The same cache (emptied) refreshing when at most `margin` remains.
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        let clock = Arc::clone(&self.inner.clock);
        self.rebuild(clock, margin)
    }

    fn rebuild(&self, clock: Arc<dyn Clock>, margin: Duration) -> Self {
        CredentialsCache {
            inner: Arc::new(Inner {
                provider: Arc::clone(&self.inner.provider),
                clock,
                margin,
                state: RwLock::new(State::default()),
                refresh: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The provider underneath.
    pub fn provider(&self) -> &Arc<dyn ProvideCredentials> {
        &self.inner.provider
    }

    /// Credentials to sign with: the cached ones, or fresh ones from the provider when they are
    /// due (see the module documentation).
    pub async fn get(&self) -> Result<Arc<Credentials>, CredentialsError> {
        if let Some(credentials) = self.usable() {
            return Ok(credentials);
        }
        let _refreshing = self.inner.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(credentials) = self.usable() {
            return Ok(credentials);
        }
        let fetched = self.inner.provider.provide_credentials().await;
        let now = self.inner.clock.now();
        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        match fetched {
            Ok(credentials) => {
                if credentials.expiry().is_some_and(|expiry| expiry <= now) {
                    state.failures += 1;
                    return Err(CredentialsError::Expired {
                        provider: credentials.provider_name().to_owned(),
                    });
                }
                let cached = self.cached(credentials, now);
                let credentials = Arc::clone(&cached.credentials);
                state.current = Some(cached);
                state.retry_at = None;
                state.failures = 0;
                Ok(credentials)
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                match state.current.as_ref().filter(|c| c.valid(now)) {
                    Some(cached) => {
                        let credentials = Arc::clone(&cached.credentials);
                        let wait = FIRST_RETRY_WAIT
                            .checked_mul(1 << (state.failures - 1).min(16))
                            .unwrap_or(MAX_RETRY_WAIT)
                            .min(MAX_RETRY_WAIT);
                        state.retry_at = Some(now + wait);
                        tracing::warn!(
                            error = %error,
                            retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                            "refreshing credentials failed; the current ones are still valid"
                        );
                        Ok(credentials)
                    }
                    None => Err(error),
                }
            }
        }
    }

    fn usable(&self) -> Option<Arc<Credentials>> {
        let now = self.inner.clock.now();
        self.inner
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .usable(now)
    }

    fn cached(&self, credentials: Credentials, now: SystemTime) -> Cached {
        let expires_at = credentials.expiry();
        let refresh_for_expiry = expires_at.map(|expiry| {
            let lifetime = expiry.duration_since(now).unwrap_or_default();
            expiry - self.inner.margin.min(lifetime / 2)
        });
        let recheck_at = credentials.recheck().map(|after| now + after);
        let refresh_at = match (refresh_for_expiry, recheck_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Cached {
            credentials: Arc::new(credentials),
            refresh_at,
            expires_at,
        }
    }
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.get().await.map(|c| (*c).clone()) })
    }
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsCache")
            .field("provider", &self.inner.provider)
            .field("margin", &self.inner.margin)
            .finish_non_exhaustive()
    }
}
