//! Brute-force protection for password checks: RFC 6749 §4.3.2 says the server
//! MUST protect the password grant against brute-force attacks. The password grant
//! and the login form share one counter per username: at most [`MAX_FAILURES`]
//! passwords are checked per username within a [`WINDOW_MS`] window unless one
//! is right; after that the username is refused — even with the right
//! password — until the window ends.
//!
//! An attempt is reserved ([`PasswordThrottle::reserve`]) before its password
//! is checked: checking the count and counting the attempt are one step under
//! the table's lock, and attempts still being checked count as failures until
//! they end. So concurrent guesses cannot all pass the check before any of them
//! is counted.
//!
//! Per username, not per client address: behind a proxy every caller shares an
//! address. The price is that anyone can lock a user out for one window; the
//! window is short so that this costs the user a minute, not an account.
//! Counters live in memory (a restart clears them), keyed by the SHA-256 of the
//! username so that every entry has the same small size, in a table bounded by
//! entries ([`crate::bounded`]). When it is full of live windows, new usernames
//! are refused ([`Refusal::Full`]): evicting a counter would unlock its user.

use std::sync::{Mutex, MutexGuard};

use crate::bounded::{BoundedMap, Full, HeapSize, Limits};
use crate::crypto::TokenHash;
use crate::model::Millis;

/// Wrong passwords allowed per username per window.
pub const MAX_FAILURES: u32 = 5;
/// The window, in milliseconds.
pub const WINDOW_MS: Millis = 60_000;
/// How long an attempt waits for the checks in progress of its username.
pub const MAX_PENDING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// How often a waiting attempt looks again.
const PENDING_POLL: std::time::Duration = std::time::Duration::from_millis(10);
/// Usernames tracked at most (each entry is about 50 bytes).
pub const LIMITS: Limits = Limits {
    max_entries: 100_000,
    max_bytes: 100_000 * 64,
};

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Millis,
    failures: u32,
    /// Reserved attempts whose password is still being checked.
    checking: u32,
}

impl HeapSize for Window {
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl Window {
    fn expires_at(&self) -> Millis {
        if self.checking > 0 {
            Millis::MAX
        } else {
            self.started + WINDOW_MS
        }
    }

    /// Starts a new window when this one has ended; checks in progress stay.
    fn roll(&mut self, now: Millis) {
        if now >= self.started + WINDOW_MS {
            self.started = now;
            self.failures = 0;
        }
    }
}

/// Why an attempt may not check a password now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many attempts for this username: whole seconds until the window ends.
    Locked(u64),
    /// Not locked, but the checks in progress fill the window's allowance:
    /// wait for one to end ([`PasswordThrottle::reserve_waiting`] does).
    Pending,
    /// The table is full of live windows: answer 503.
    Full,
}

/// Failure counters per username.
#[derive(Debug)]
pub struct PasswordThrottle {
    windows: Mutex<BoundedMap<TokenHash, Window>>,
}

impl Default for PasswordThrottle {
    fn default() -> Self {
        Self::with_limits(LIMITS)
    }
}

impl PasswordThrottle {
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            windows: Mutex::new(BoundedMap::new(limits, Window::expires_at)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BoundedMap<TokenHash, Window>> {
        // Each operation leaves the map consistent before anything can panic.
        self.windows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves one password check for `username` at `now`: refused when the
    /// failures and the checks in progress of this window reach
    /// [`MAX_FAILURES`]. The [`Attempt`] must be told how the check ended;
    /// dropped untold (no check ran), it is not counted.
    pub fn reserve(&self, username: &str, now: Millis) -> Result<Attempt<'_>, Refusal> {
        let key = TokenHash::of(username);
        let mut windows = self.lock();
        match windows.get_mut(&key) {
            Some(w) => {
                w.roll(now);
                if w.failures >= MAX_FAILURES {
                    let ends = w.started + WINDOW_MS;
                    return Err(Refusal::Locked((ends - now).div_ceil(1000).max(1)));
                }
                if w.failures + w.checking >= MAX_FAILURES {
                    return Err(Refusal::Pending);
                }
                w.checking += 1;
            }
            None => {
                let w = Window {
                    started: now,
                    failures: 0,
                    checking: 1,
                };
                windows.insert(key, w, now).map_err(|Full| Refusal::Full)?;
            }
        }
        Ok(Attempt {
            throttle: self,
            key,
            done: false,
        })
    }

    /// [`reserve`](Self::reserve), waiting while the checks in progress fill
    /// the allowance: a right password among many concurrent sign-ins of one
    /// user (a busy app, a test suite) is checked once the others end, instead
    /// of being told the user is locked. Only wrong passwords lock. A wait
    /// longer than [`MAX_PENDING_WAIT`] is [`Refusal::Full`] (503): the caller
    /// holds a place in the bounded password queue meanwhile.
    pub async fn reserve_waiting(
        &self,
        username: &str,
        now: impl Fn() -> Millis,
    ) -> Result<Attempt<'_>, Refusal> {
        let started = std::time::Instant::now();
        loop {
            match self.reserve(username, now()) {
                Err(Refusal::Pending) if started.elapsed() < MAX_PENDING_WAIT => {
                    tokio::time::sleep(PENDING_POLL).await;
                }
                Err(Refusal::Pending) => return Err(Refusal::Full),
                other => return other,
            }
        }
    }

    /// A place among the bounded password checks, then a reserved attempt: the
    /// order both the password grant and the login form use. Admission comes
    /// first, so a flood is refused (503) before it touches this table; an
    /// attempt that must wait for other checks of its user gives its place
    /// back while it waits and takes one again after.
    pub async fn admit_and_reserve(
        &self,
        hashing: &crate::hashing::PasswordHashing,
        username: &str,
        now: impl Fn() -> Millis,
    ) -> Result<(crate::hashing::Admission, Attempt<'_>), Refusal> {
        let admission = hashing.admit().map_err(|_| Refusal::Full)?;
        match self.reserve(username, now()) {
            Ok(attempt) => Ok((admission, attempt)),
            Err(Refusal::Pending) => {
                drop(admission);
                let attempt = self.reserve_waiting(username, now).await?;
                let admission = hashing.admit().map_err(|_| Refusal::Full)?;
                Ok((admission, attempt))
            }
            Err(refusal) => Err(refusal),
        }
    }

    /// Failures and checks in progress counted for `username` in the window at `now`.
    pub fn attempts(&self, username: &str, now: Millis) -> u32 {
        let windows = self.lock();
        windows
            .get(&TokenHash::of(username))
            .filter(|w| w.checking > 0 || now < w.started + WINDOW_MS)
            .map_or(0, |w| w.failures + w.checking)
    }

    /// Ends a reserved check: counts a failure, or (a right password) starts
    /// the count again.
    fn end(&self, key: &TokenHash, outcome: Option<bool>, now: Millis) {
        let mut windows = self.lock();
        let Some(w) = windows.get_mut(key) else {
            return;
        };
        w.checking = w.checking.saturating_sub(1);
        match outcome {
            Some(false) => {
                w.roll(now);
                w.failures = w.failures.saturating_add(1);
            }
            Some(true) => w.failures = 0,
            None => {}
        }
        if w.checking == 0 && w.failures == 0 {
            windows.remove(key);
        }
    }
}

/// A reserved password check (see [`PasswordThrottle::reserve`]).
#[derive(Debug)]
#[must_use = "an attempt must be ended with failed() or succeeded()"]
pub struct Attempt<'a> {
    throttle: &'a PasswordThrottle,
    key: TokenHash,
    done: bool,
}

impl Attempt<'_> {
    /// The password (or the one-time code) was wrong.
    pub fn failed(mut self, now: Millis) {
        self.done = true;
        self.throttle.end(&self.key, Some(false), now);
    }

    /// The user is in: the count starts again.
    pub fn succeeded(mut self) {
        self.done = true;
        self.throttle.end(&self.key, Some(true), 0);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.throttle.end(&self.key, None, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(t: &PasswordThrottle, user: &str, now: Millis) {
        t.reserve(user, now).expect("not locked").failed(now);
    }

    #[test]
    fn locks_after_max_failures_for_the_rest_of_the_window() {
        let t = PasswordThrottle::default();
        for i in 0..MAX_FAILURES {
            fail(&t, "alice", 1_000 + u64::from(i));
        }
        assert_eq!(t.reserve("alice", 1_010).unwrap_err(), Refusal::Locked(60));
        assert_eq!(t.reserve("alice", 60_500).unwrap_err(), Refusal::Locked(1));
        assert!(t.reserve("bob", 1_010).is_ok(), "per username");
        assert!(t.reserve("alice", 61_000).is_ok(), "the window ended");
        fail(&t, "alice", 61_000);
        assert_eq!(t.attempts("alice", 61_001), 1, "a new window");
    }

    #[test]
    fn checks_in_progress_count_until_they_end() {
        let t = PasswordThrottle::default();
        let pending: Vec<_> = (0..MAX_FAILURES)
            .map(|_| t.reserve("alice", 0).expect("within the limit"))
            .collect();
        assert_eq!(t.attempts("alice", 0), MAX_FAILURES);
        assert_eq!(
            t.reserve("alice", 0).unwrap_err(),
            Refusal::Pending,
            "the sixth concurrent check waits until one of the five ends"
        );
        let mut pending = pending.into_iter();
        pending.next().unwrap().failed(1);
        drop(pending.next());
        assert_eq!(
            t.attempts("alice", 1),
            MAX_FAILURES - 1,
            "a dropped check is not counted"
        );
        pending.next().unwrap().succeeded();
        assert_eq!(
            t.attempts("alice", 1),
            2,
            "success resets the failures, not the checks"
        );
        drop(pending);
        assert_eq!(t.attempts("alice", 1), 0);
        assert_eq!(t.lock().len(), 0, "nothing left to track");
    }

    #[test]
    fn success_resets_and_a_full_table_refuses_new_usernames() {
        let t = PasswordThrottle::with_limits(Limits {
            max_entries: 10,
            max_bytes: usize::MAX,
        });
        for _ in 0..MAX_FAILURES - 1 {
            fail(&t, "alice", 0);
        }
        t.reserve("alice", 0).unwrap().succeeded();
        fail(&t, "alice", 0);
        assert_eq!(t.attempts("alice", 1), 1);
        for i in 0..9 {
            fail(&t, &format!("u{i}"), 0);
        }
        assert_eq!(t.reserve("new", 1).unwrap_err(), Refusal::Full);
        assert!(t.reserve("alice", 1).is_ok(), "known usernames still count");
        // Once the windows end, their entries make room.
        assert!(t.reserve("new", WINDOW_MS + 1_000).is_ok());
    }

    #[test]
    fn entries_have_a_fixed_size_whatever_the_username() {
        let t = PasswordThrottle::default();
        fail(&t, &"x".repeat(60_000), 0);
        fail(&t, "y", 0);
        assert!(t.lock().bytes() < 200, "{}", t.lock().bytes());
    }

    #[tokio::test]
    async fn a_waiting_attempt_proceeds_when_checks_end_and_is_locked_after_failures() {
        let t = PasswordThrottle::default();
        let pending: Vec<_> = (0..MAX_FAILURES)
            .map(|_| t.reserve("alice", 0).expect("within the limit"))
            .collect();
        // Right passwords: the checks end without failure, the waiter proceeds.
        let waiter = async { t.reserve_waiting("alice", || 1).await.is_ok() };
        let release = async {
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            drop(pending);
        };
        let (proceeded, ()) = tokio::join!(waiter, release);
        assert!(
            proceeded,
            "a concurrent sign-in is not told the user is locked"
        );
        // Wrong passwords: once they are counted, the waiter is locked.
        let t = PasswordThrottle::default();
        let pending: Vec<_> = (0..MAX_FAILURES)
            .map(|_| t.reserve("bob", 0).expect("within the limit"))
            .collect();
        let waiter = async { t.reserve_waiting("bob", || 2).await.err() };
        let fail_all = async {
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            for p in pending {
                p.failed(1);
            }
        };
        let (refusal, ()) = tokio::join!(waiter, fail_all);
        assert!(matches!(refusal, Some(Refusal::Locked(_))), "{refusal:?}");
    }
}
