//! Slows password guessing from one client address: after [`FAILURES_PER_WINDOW`] failed
//! sign-ins within [`WINDOW`], further attempts from that address are refused until the window
//! passes. (Per-account lockout lives in the store: it survives restarts and spans addresses.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const FAILURES_PER_WINDOW: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered at most; the oldest windows are dropped first under a flood.
const MAX_TRACKED: usize = 100_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
}

impl LoginThrottle {
    /// `Some(wait)` when this address must wait before trying again.
    pub fn check(&self, client: Option<IpAddr>) -> Option<Duration> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (started, count) = *map.get(&client)?;
        let elapsed = started.elapsed();
        (count >= FAILURES_PER_WINDOW && elapsed < WINDOW).then(|| WINDOW - elapsed)
    }

    pub fn failed(&self, client: Option<IpAddr>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACKED {
            map.retain(|_, (started, _)| started.elapsed() < WINDOW);
        }
        let entry = map.entry(client).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }

    pub fn succeeded(&self, client: Option<IpAddr>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_an_address_after_the_allowed_failures_only() {
        let t = LoginThrottle::default();
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        for _ in 0..FAILURES_PER_WINDOW {
            assert!(t.check(a).is_none());
            t.failed(a);
        }
        assert!(t.check(a).is_some());
        assert!(t.check(b).is_none());
        t.succeeded(a);
        assert!(t.check(a).is_none());
    }
}
