//! The bounded pool that runs password checks (Argon2id, 19 MiB each).
//!
//! Unauthenticated callers choose how many password checks run: every failed
//! login and password grant costs one. Without a bound, 64 concurrent attempts
//! allocate 64 × 19 MiB at once, and the allocator keeps what it got. So:
//!
//! - at most [`PasswordHashing::limit`] checks run at once (one per core by
//!   default), each in `spawn_blocking`;
//! - at most [`PasswordHashing::queue`] more wait for a turn; past that an
//!   attempt is refused at once ([`Busy`]: 503 with `Retry-After`), before any
//!   username is looked up or counted;
//! - each running check borrows one of `limit` Argon2 memory buffers, allocated
//!   once and reused ([`PasswordDigest::verify_with`]), so a flood of attempts
//!   allocates nothing per attempt and the memory held is `limit` × 19 MiB.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::Block;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::crypto::PasswordDigest;

/// Waiting attempts allowed per running check (with 2 cores: 32 waiting, which
/// is under a second of work).
const QUEUE_PER_PERMIT: usize = 16;
/// How long a refused caller is told to wait, in seconds (`Retry-After`).
pub const RETRY_AFTER_SECS: u64 = 1;

/// Too many password checks are running or waiting: answer 503 + `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// The pool; one per server.
#[derive(Debug, Clone)]
pub struct PasswordHashing(Arc<Inner>);

struct Inner {
    limit: usize,
    queue: usize,
    /// `limit + queue` permits: one per attempt running or waiting.
    admitted: Arc<Semaphore>,
    /// `limit` permits: one per running check.
    running: Arc<Semaphore>,
    /// Argon2 memory, one buffer per running check; allocated on first use.
    memory: Mutex<Vec<Vec<Block>>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

impl std::fmt::Debug for Inner {
    /// Counts only: the buffers hold password-derived memory.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHashing")
            .field("limit", &self.limit)
            .field("queue", &self.queue)
            .field("in_flight", &self.in_flight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Default for PasswordHashing {
    /// One running check per core.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, cores * QUEUE_PER_PERMIT)
    }
}

impl PasswordHashing {
    /// `limit` checks at once (at least one), `queue` more waiting.
    pub fn new(limit: usize, queue: usize) -> Self {
        let limit = limit.max(1);
        Self(Arc::new(Inner {
            limit,
            queue,
            admitted: Arc::new(Semaphore::new(limit + queue)),
            running: Arc::new(Semaphore::new(limit)),
            memory: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }))
    }

    /// How many checks may run at once.
    pub fn limit(&self) -> usize {
        self.0.limit
    }

    /// How many more may wait for a turn.
    pub fn queue(&self) -> usize {
        self.0.queue
    }

    /// Checks running now.
    pub fn in_flight(&self) -> usize {
        self.0.in_flight.load(Ordering::SeqCst)
    }

    /// The most checks that ever ran at once.
    pub fn peak_in_flight(&self) -> usize {
        self.0.peak.load(Ordering::SeqCst)
    }

    /// A place among the running or waiting attempts, or [`Busy`] at once.
    /// Taken before anything else about the attempt is done.
    pub fn admit(&self) -> Result<Admission, Busy> {
        let permit = Arc::clone(&self.0.admitted)
            .try_acquire_owned()
            .map_err(|_| Busy)?;
        Ok(Admission {
            pool: Arc::clone(&self.0),
            _admitted: permit,
        })
    }
}

/// An admitted attempt: [`Admission::run`] waits for a turn and runs the check.
#[derive(Debug)]
pub struct Admission {
    pool: Arc<Inner>,
    _admitted: OwnedSemaphorePermit,
}

impl Admission {
    /// Verifies `password` against `digest` with a pooled buffer. `None` (no
    /// such user, or one whose password must not be checked) costs the same
    /// check against a digest no password matches, and is `false`.
    pub async fn verify(self, digest: Option<PasswordDigest>, password: String) -> bool {
        self.run(move |memory| match digest {
            Some(d) => d.verify_with(&password, memory),
            None => {
                let _ = dummy_digest().verify_with(&password, memory);
                false
            }
        })
        .await
        .unwrap_or(false)
    }

    /// Waits for one of the `limit` turns, then runs `check` on a blocking
    /// thread with a reusable Argon2 buffer. `None` if the check panicked.
    ///
    /// The turn is held by the blocking task itself, so a caller that goes away
    /// (client disconnect) does not free it before the check really ends.
    pub async fn run<R, F>(self, check: F) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Vec<Block>) -> R + Send + 'static,
    {
        let Admission { pool, _admitted } = self;
        // The semaphore is never closed.
        let turn = Arc::clone(&pool.running).acquire_owned().await.ok()?;
        let task = tokio::task::spawn_blocking(move || {
            let _places = (turn, _admitted);
            let now = pool.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            pool.peak.fetch_max(now, Ordering::SeqCst);
            let mut memory = lock(&pool.memory).pop().unwrap_or_default();
            let result = check(&mut memory);
            lock(&pool.memory).push(memory);
            pool.in_flight.fetch_sub(1, Ordering::SeqCst);
            result
        });
        task.await
            .map_err(|e| tracing::error!(error = %e, "password check failed"))
            .ok()
    }
}

/// Checked instead of a real digest, so timing does not tell whether the
/// user exists. Made on first use, on a blocking thread.
fn dummy_digest() -> &'static PasswordDigest {
    static DUMMY: OnceLock<PasswordDigest> = OnceLock::new();
    DUMMY.get_or_init(|| PasswordDigest::hash("no user has this password"))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A push or a pop: a poisoned list is consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Condvar;

    /// A gate the blocking checks wait at, so the test decides when they end.
    #[derive(Default)]
    struct Gate(Mutex<bool>, Condvar);

    impl Gate {
        fn wait(&self) {
            let mut open = lock(&self.0);
            while !*open {
                open = self.1.wait(open).unwrap_or_else(|e| e.into_inner());
            }
        }
        fn open(&self) {
            *lock(&self.0) = true;
            self.1.notify_all();
        }
    }

    #[tokio::test]
    async fn at_most_limit_checks_run_and_the_queue_is_bounded() {
        let pool = PasswordHashing::new(2, 3);
        let gate = Arc::new(Gate::default());
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let admission = pool.admit().expect("within limit + queue");
            let gate = Arc::clone(&gate);
            tasks.push(tokio::spawn(admission.run(move |_| gate.wait())));
        }
        // Past limit + queue: refused at once.
        assert_eq!(pool.admit().unwrap_err(), Busy);
        // Bounded wait (not a timing assertion) until both turns are taken.
        for _ in 0..5_000 {
            if pool.in_flight() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert_eq!(pool.in_flight(), 2);
        gate.open();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Some(()));
        }
        assert_eq!(pool.peak_in_flight(), 2, "never more than the limit");
        assert_eq!(pool.in_flight(), 0);
        assert!(pool.admit().is_ok(), "places come back");
        assert!(lock(&pool.0.memory).len() <= 2, "one buffer per turn");
        let shown = format!("{pool:?}");
        assert!(shown.len() < 200, "no memory in Debug: {shown}");
    }

    #[tokio::test]
    async fn buffers_are_reused() {
        let pool = PasswordHashing::new(1, 0);
        let digest = PasswordDigest::hash("pw");
        let verify = |d: Option<&PasswordDigest>, pw: &str| {
            pool.admit().unwrap().verify(d.cloned(), pw.to_owned())
        };
        assert!(verify(Some(&digest), "pw").await);
        let first = lock(&pool.0.memory)[0].as_ptr();
        assert!(!verify(Some(&digest), "px").await);
        assert!(!verify(None, "no user has this password").await);
        let memory = lock(&pool.0.memory);
        assert_eq!(memory.len(), 1);
        assert_eq!(memory[0].as_ptr(), first, "the same allocation");
    }
}
