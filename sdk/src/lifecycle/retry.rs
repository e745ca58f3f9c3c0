//! Bounded retries with exponential backoff and full jitter.

use std::time::Duration;

use crate::error::Error;

/// When and how often a failed token request is tried again. Only errors
/// for which [`Error::is_retryable`] holds are retried; a server's
/// `Retry-After` is honoured (capped at [`max_delay`](Self::max_delay)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts in all, 200 ms base delay, 10 s cap.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the total number of attempts, the first one included (default 4,
    /// at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets the base delay, doubled after each attempt (default 200 ms).
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets the longest wait between two attempts (default 10 s).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// The total number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `attempt + 1` (attempt counted from 1) after
    /// `err`: the server's `Retry-After` if sent, else a random delay in
    /// `[0, base · 2^(attempt-1)]` ("full jitter"), both capped.
    pub(crate) fn delay(&self, attempt: u32, err: &Error) -> Duration {
        if let Some(d) = err.retry_after() {
            return d.min(self.max_delay);
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(20))
            .min(self.max_delay);
        let nanos = u64::try_from(exp.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(if nanos == 0 {
            0
        } else {
            rand::random_range(0..=nanos)
        })
    }

    /// Runs `op` until it succeeds, fails with a non-retryable error, or the
    /// attempts are spent.
    pub(crate) async fn run<T, F, Fut>(&self, mut op: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let mut attempt = 1;
        loop {
            match op().await {
                Ok(v) => return Ok(v),
                Err(e) if e.is_retryable() && attempt < self.max_attempts => {
                    let d = self.delay(attempt, &e);
                    tracing::debug!(attempt, delay_ms = d.as_millis() as u64, error = %e, "retrying token request");
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_bounded_and_honour_retry_after() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(500));
        let e503 = Error::Status {
            status: http::StatusCode::SERVICE_UNAVAILABLE,
            retry_after: None,
        };
        for attempt in 1..10 {
            let cap =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(500));
            assert!(p.delay(attempt, &e503) <= cap);
        }
        let e429 = Error::Status {
            status: http::StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(p.delay(1, &e429), Duration::from_millis(500));
        let p = p.max_delay(Duration::from_secs(60));
        assert_eq!(p.delay(1, &e429), Duration::from_secs(3));
    }
}
