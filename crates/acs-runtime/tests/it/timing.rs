//! How late this machine runs timers, measured while a test runs: the margin a time-bound
//! assertion allows is scaled from it, so a loaded machine (a build beside the tests) widens the
//! margin instead of failing the test, and a correctness bound stays a bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A task that sleeps in short steps and records how late it wakes.
pub struct Lateness {
    worst_micros: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Lateness {
    /// Starts measuring on the current runtime.
    pub fn start() -> Self {
        let worst_micros = Arc::new(AtomicU64::new(0));
        let worst = Arc::clone(&worst_micros);
        let task = tokio::spawn(async move {
            const STEP: Duration = Duration::from_millis(5);
            loop {
                let before = std::time::Instant::now();
                tokio::time::sleep(STEP).await;
                let late = before.elapsed().saturating_sub(STEP);
                worst.fetch_max(late.as_micros() as u64, Ordering::Relaxed);
            }
        });
        Lateness { worst_micros, task }
    }

    /// The latest wake-up seen so far.
    pub fn worst(&self) -> Duration {
        Duration::from_micros(self.worst_micros.load(Ordering::Relaxed))
    }

    /// `base`, plus four times the worst lateness seen: what a deadline may be overshot by
    /// here, now, by a client that respects it.
    pub fn margin(&self, base: Duration) -> Duration {
        base + 4 * self.worst()
    }
}

impl Drop for Lateness {
    fn drop(&mut self) {
        self.task.abort();
    }
}
