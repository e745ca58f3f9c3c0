//! Brute-force protection for password checks: RFC 6749 §4.3.2 says the server
//! MUST protect the password grant against brute-force attacks. The password grant
//! and the login form share one counter per username: after [`MAX_FAILURES`]
//! wrong passwords within a [`WINDOW_MS`] window, that username is refused — even
//! with the right password — until the window ends.
//!
//! Per username, not per client address: behind a proxy every caller shares an
//! address. The price is that anyone can lock a user out for one window; the
//! window is short so that this costs the user a minute, not an account.
//! Counters live in memory (a restart clears them) and the table is capped.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::model::Millis;

/// Wrong passwords allowed per username per window.
pub const MAX_FAILURES: u32 = 5;
/// The window, in milliseconds.
pub const WINDOW_MS: Millis = 60_000;
/// Usernames tracked at most; expired windows go first, then the oldest.
const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Millis,
    failures: u32,
}

/// Failure counters per username.
#[derive(Debug, Default)]
pub struct PasswordThrottle {
    windows: Mutex<HashMap<String, Window>>,
}

impl PasswordThrottle {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Window>> {
        // Each operation is one insert/remove: a poisoned map is consistent.
        self.windows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whole seconds until `username` may try again, when it is locked at `now`.
    pub fn locked_for(&self, username: &str, now: Millis) -> Option<u64> {
        let w = *self.lock().get(username)?;
        let ends = w.started + WINDOW_MS;
        (w.failures >= MAX_FAILURES && now < ends).then(|| (ends - now).div_ceil(1000))
    }

    /// Counts one wrong password for `username`.
    pub fn failed(&self, username: &str, now: Millis) {
        let mut windows = self.lock();
        if windows.len() >= MAX_TRACKED && !windows.contains_key(username) {
            windows.retain(|_, w| now < w.started + WINDOW_MS);
            if windows.len() >= MAX_TRACKED
                && let Some(oldest) = windows
                    .iter()
                    .min_by_key(|(_, w)| w.started)
                    .map(|(k, _)| k.clone())
            {
                windows.remove(&oldest);
            }
        }
        let w = windows.entry(username.to_owned()).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now >= w.started + WINDOW_MS {
            *w = Window {
                started: now,
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
    }

    /// A right password: the count starts again.
    pub fn succeeded(&self, username: &str) {
        self.lock().remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_for_the_rest_of_the_window() {
        let t = PasswordThrottle::default();
        for i in 0..MAX_FAILURES {
            assert_eq!(t.locked_for("alice", 1_000 + u64::from(i)), None);
            t.failed("alice", 1_000 + u64::from(i));
        }
        assert_eq!(t.locked_for("alice", 1_010), Some(60));
        assert_eq!(t.locked_for("alice", 60_500), Some(1));
        assert_eq!(t.locked_for("bob", 1_010), None, "per username");
        assert_eq!(t.locked_for("alice", 61_000), None, "the window ended");
        t.failed("alice", 61_000);
        assert_eq!(t.locked_for("alice", 61_001), None, "a new window");
    }

    #[test]
    fn success_resets_and_the_table_is_capped() {
        let t = PasswordThrottle::default();
        for _ in 0..MAX_FAILURES - 1 {
            t.failed("alice", 0);
        }
        t.succeeded("alice");
        t.failed("alice", 0);
        assert_eq!(t.locked_for("alice", 1), None);
        for i in 0..MAX_TRACKED + 10 {
            t.failed(&format!("u{i}"), 0);
        }
        assert!(t.lock().len() <= MAX_TRACKED);
    }
}
