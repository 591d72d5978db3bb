//! A clock the test moves, to make a credentials cache refresh or back off.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use acs_runtime::credentials::Clock;

#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    pub fn at(time: SystemTime) -> Arc<Self> {
        Arc::new(ManualClock(Mutex::new(time)))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}
