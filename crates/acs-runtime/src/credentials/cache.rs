//! Credentials kept between calls and refreshed before they expire.
//!
//! The rules, all measured on the cache's [`Clock`]:
//!
//! - **Refresh margin**: credentials with an expiry are refreshed once at most
//!   [`DEFAULT_REFRESH_MARGIN`] (15 minutes, as the newest official libraries do) remains, but
//!   never before half their lifetime has passed, so short-lived credentials (STS's minimum is
//!   15 minutes) are not refreshed on every call.
//! - **One fetch, one outcome**: however many calls find the credentials due, one fetch runs
//!   (as a task of its own, so a caller that gives up does not cancel it for the others) and
//!   every caller waiting for it gets its outcome, success or failure. Credentials that are
//!   due but still valid keep serving while the fetch runs: a refresh holds no call up.
//! - **Backoff**: after a failed fetch no new one starts for a while — 1 s, doubling per
//!   consecutive failure up to 60 s, jittered down to half — whether or not valid credentials
//!   are cached. Meanwhile calls are served the cached credentials while they are valid, and
//!   otherwise fail at once with the last failure.
//! - Credentials without an expiry are kept until their source asked to be consulted again
//!   (a file provider does so every minute, so edited files are picked up).
//!
//! A caller waits for a fetch only as long as its own budget allows: the client runs
//! [`CredentialsCache::get`] under the call's deadline. A fetch itself is abandoned after
//! [`MAX_FETCH_TIME`], as a failure (backoff follows), so a source that never answers does not
//! hold the cache up for good.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use super::{Clock, Credentials, CredentialsError, ProvideCredentials, ProvideFuture, SystemClock};

/// How long before expiry credentials are refreshed, at most.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(15 * 60);
/// The wait after a first failed fetch (doubling per further failure).
pub const FIRST_RETRY_WAIT: Duration = Duration::from_secs(1);
/// The longest wait after failed fetches.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
/// The longest one fetch may take: past it the fetch is abandoned and counts as a failure, so
/// a source that never answers (a custom provider, a blocked file) holds the cache up for this
/// long, not for the client's life. Generous: the built-in sources end sooner on their own
/// (STS within 15 s an attempt), and a chain of roles assumes one after another.
pub const MAX_FETCH_TIME: Duration = Duration::from_secs(120);

/// What one fetch gives every caller that waited for it.
type Outcome = Result<Arc<Credentials>, CredentialsError>;

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
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// The fetch running now: its outcome arrives here.
    in_flight: Option<watch::Receiver<Option<Outcome>>>,
    /// The last fetch's failure, and when the next fetch may start.
    backoff: Option<(CredentialsError, SystemTime)>,
    /// Failed fetches in a row.
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

/// What a caller does next.
enum Step {
    Done(Outcome),
    Wait(watch::Receiver<Option<Outcome>>),
    /// Start a fetch; wait for it unless still-valid credentials can serve meanwhile.
    Fetch(
        watch::Sender<Option<Outcome>>,
        watch::Receiver<Option<Outcome>>,
        Option<Arc<Credentials>>,
    ),
}

impl State {
    /// What a caller at `now` does: use what is cached, fail with the last failure, wait for
    /// the fetch in flight, or start one. Credentials that are due but still valid serve
    /// while the fetch runs, so a refresh never holds a call up.
    fn step(&mut self, now: SystemTime) -> Step {
        let valid = self
            .current
            .as_ref()
            .filter(|cached| cached.valid(now))
            .map(|cached| Arc::clone(&cached.credentials));
        if let Some(cached) = self.current.as_ref()
            && cached.refresh_at.is_none_or(|at| now < at)
        {
            return Step::Done(Ok(Arc::clone(&cached.credentials)));
        }
        if let Some((error, retry_at)) = &self.backoff
            && now < *retry_at
        {
            return Step::Done(valid.ok_or_else(|| error.clone()));
        }
        if let Some(receiver) = &self.in_flight {
            return match valid {
                Some(credentials) => Step::Done(Ok(credentials)),
                None => Step::Wait(receiver.clone()),
            };
        }
        let (sender, receiver) = watch::channel(None);
        self.in_flight = Some(receiver.clone());
        Step::Fetch(sender, receiver, valid)
    }
}

impl CredentialsCache {
    /// A cache over `provider`, on the system clock.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_arc(Arc::new(provider))
    }

    /// A cache over a shared provider.
    pub fn from_arc(provider: Arc<dyn ProvideCredentials>) -> Self {
        Self::build(provider, Arc::new(SystemClock), DEFAULT_REFRESH_MARGIN)
    }

    fn build(
        provider: Arc<dyn ProvideCredentials>,
        clock: Arc<dyn Clock>,
        margin: Duration,
    ) -> Self {
        CredentialsCache {
            inner: Arc::new(Inner {
                provider,
                clock,
                margin,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The same cache (emptied) measuring time on `clock`.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self::build(Arc::clone(&self.inner.provider), clock, self.inner.margin)
    }

    /// The same cache (emptied) refreshing when at most `margin` remains.
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        Self::build(
            Arc::clone(&self.inner.provider),
            Arc::clone(&self.inner.clock),
            margin,
        )
    }

    /// The provider underneath.
    pub fn provider(&self) -> &Arc<dyn ProvideCredentials> {
        &self.inner.provider
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Credentials to sign with: the cached ones, or the outcome of a fetch from the provider
    /// when they are due (see the module documentation). Cancelling this future (a call's
    /// deadline) leaves a fetch it started running for the callers after it.
    pub async fn get(&self) -> Result<Arc<Credentials>, CredentialsError> {
        loop {
            let step = self.state().step(self.inner.clock.now());
            let mut receiver = match step {
                Step::Done(outcome) => return outcome,
                Step::Wait(receiver) => receiver,
                Step::Fetch(sender, receiver, valid) => {
                    self.start_fetch(sender);
                    match valid {
                        Some(credentials) => return Ok(credentials),
                        None => receiver,
                    }
                }
            };
            let waited = receiver
                .wait_for(Option::is_some)
                .await
                .map(|outcome| outcome.clone());
            match waited {
                Ok(Some(outcome)) => return outcome,
                Ok(None) => {}
                // The fetch went away without an outcome (its runtime shut down): forget it
                // and start another.
                Err(_) => {
                    let mut state = self.state();
                    if state
                        .in_flight
                        .as_ref()
                        .is_some_and(|running| running.same_channel(&receiver))
                    {
                        state.in_flight = None;
                    }
                }
            }
        }
    }

    /// Waits until the fetch in flight, if one is, has settled (its outcome recorded). A call
    /// that found its credentials due but still valid returns at once while the refresh runs;
    /// this is how to wait for that refresh (at start-up, or in a test).
    pub async fn refreshed(&self) {
        let running = self.state().in_flight.clone();
        if let Some(mut receiver) = running {
            let _ = receiver.wait_for(Option::is_some).await;
        }
    }

    /// Runs one fetch as a task of its own (inline where there is no tokio runtime) and
    /// publishes its outcome through `sender`.
    fn start_fetch(&self, sender: watch::Sender<Option<Outcome>>) {
        let cache = self.clone();
        let fetch = async move {
            let provider = &cache.inner.provider;
            let fetched = if tokio::runtime::Handle::try_current().is_ok() {
                tokio::time::timeout(MAX_FETCH_TIME, provider.provide_credentials())
                    .await
                    .unwrap_or_else(|_elapsed| {
                        Err(CredentialsError::TimedOut {
                            provider: provider.name().into_owned(),
                            waited: MAX_FETCH_TIME,
                        })
                    })
            } else {
                // No runtime, no timer (and no I/O a fetch could wait on forever).
                provider.provide_credentials().await
            };
            let outcome = cache.settle(fetched);
            // Nobody may be waiting any more; the state already holds the outcome.
            let _ = sender.send(Some(outcome));
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(fetch);
            }
            Err(_) => futures_executor_free::run_inline(fetch),
        }
    }

    /// Records a fetch's result and gives the outcome its waiters share.
    fn settle(&self, fetched: Result<Credentials, CredentialsError>) -> Outcome {
        let now = self.inner.clock.now();
        let mut state = self.state();
        state.in_flight = None;
        let fetched = fetched.and_then(|credentials| match credentials.expiry() {
            Some(expiry) if expiry <= now => Err(CredentialsError::Expired {
                provider: credentials.provider_name().to_owned(),
            }),
            _ => Ok(credentials),
        });
        match fetched {
            Ok(credentials) => {
                let cached = self.cached(credentials, now);
                let credentials = Arc::clone(&cached.credentials);
                state.current = Some(cached);
                state.backoff = None;
                state.failures = 0;
                Ok(credentials)
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                let wait = backoff(state.failures);
                state.backoff = Some((error.clone(), now + wait));
                let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
                match state.current.as_ref().filter(|cached| cached.valid(now)) {
                    Some(cached) => {
                        tracing::warn!(
                            error = %error,
                            retry_in_ms = wait_ms,
                            "refreshing credentials failed; the current ones are still valid"
                        );
                        Ok(Arc::clone(&cached.credentials))
                    }
                    None => {
                        tracing::warn!(
                            error = %error,
                            retry_in_ms = wait_ms,
                            "fetching credentials failed; calls fail at once until the next try"
                        );
                        Err(error)
                    }
                }
            }
        }
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

/// The wait after `failures` failed fetches in a row: 1 s doubling up to 60 s, jittered
/// down to half, so clients that failed together do not return together.
fn backoff(failures: u32) -> Duration {
    let bound = FIRST_RETRY_WAIT
        .checked_mul(1 << failures.saturating_sub(1).min(16))
        .unwrap_or(MAX_RETRY_WAIT)
        .min(MAX_RETRY_WAIT);
    bound.mul_f64(0.5 + fastrand::f64() / 2.0)
}

/// Running a future to completion where no tokio runtime is (only reachable when the cache is
/// used from another executor): it polls the future on the current thread.
mod futures_executor_free {
    use std::future::Future;
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct ThreadWaker(std::thread::Thread);

    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    pub(super) fn run_inline(future: impl Future<Output = ()>) {
        let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
        let mut context = Context::from_waker(&waker);
        let mut future = pin!(future);
        while future.as_mut().poll(&mut context) == Poll::Pending {
            std::thread::park();
        }
    }
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.get().await.map(|c| (*c).clone()) })
    }

    fn name(&self) -> Cow<'_, str> {
        self.inner.provider.name()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_minute_and_jitters_down_to_half() {
        for (failures, bound) in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (40, 60)] {
            for _ in 0..50 {
                let wait = backoff(failures);
                let bound = Duration::from_secs(bound);
                assert!(wait <= bound && wait >= bound / 2, "{failures}: {wait:?}");
            }
        }
    }
}
