//! The accept loop: HTTP/1.1 connections under three limits that keep slow and
//! idle clients from holding the server (`axum::serve` has none of them).
//!
//! - **Header-read timeout** (hyper's): a request head must be complete within
//!   it. hyper starts that clock as soon as it waits for a head — right after
//!   the accept, and after each response of a kept-alive connection — so a
//!   socket that never sends a byte, or a kept-alive connection nobody uses, is
//!   closed after it too; bytes trickled in one at a time do not extend it.
//! - **Idle timeout** ([`Idle`]): a connection that moves no byte in either
//!   direction for this long is closed — a body that stalls, a client that stops
//!   reading its response, a silent socket.
//! - **Connection cap**: at most this many connections are served at once; past
//!   it the loop stops accepting, and new connections wait in the kernel's
//!   backlog until a slot frees (the timeouts above guarantee one does).
//!
//! Graceful shutdown: stop accepting, close connections that never sent a
//! byte, let the others finish their in-flight request (hyper closes kept-alive
//! ones between requests at once), and return when the last one is gone — each connection holds a permit of the cap, so getting all of
//! them back means all are closed.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, Sleep};

use crate::config::Settings;

/// The limits of [`serve`], from the settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) header_read_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: usize,
}

impl Limits {
    pub(crate) fn from_settings(s: &Settings) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(s.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(s.idle_timeout_secs),
            max_connections: s.max_connections,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closing_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            biased;
            () = &mut shutdown => break,
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(app.clone());
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let idle = Idle::new(stream, limits.idle_timeout);
            let used = idle.used.clone();
            let io = TokioIo::new(idle);
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(io, service);
            let mut conn = std::pin::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => r,
                _ = closing.changed() => {
                    // hyper closes a kept-alive connection between requests at
                    // once, but waits for the first request of one that never
                    // sent a byte; there is nothing to finish there.
                    if !used.load(Ordering::Relaxed) {
                        return;
                    }
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection closed");
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

/// As hyper 0.14 and axum do: a connection reset before the accept is nobody's
/// problem; anything else (e.g. `EMFILE`) waits a moment, as retrying at once
/// would spin.
async fn accept_error(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// An I/O stream that fails with `TimedOut` once no byte went either way for
/// `timeout`. The timer is re-armed lazily: each transfer only notes the time,
/// and the sleep, when it fires early, moves itself to the real deadline.
#[derive(Debug)]
pub(crate) struct Idle<T> {
    inner: T,
    timeout: Duration,
    last_activity: Instant,
    sleep: Pin<Box<Sleep>>,
    /// Whether a byte was ever read.
    used: Arc<AtomicBool>,
}

impl<T> Idle<T> {
    pub(crate) fn new(inner: T, timeout: Duration) -> Self {
        let now = Instant::now();
        Self {
            inner,
            timeout,
            last_activity: now,
            sleep: Box::pin(tokio::time::sleep_until(now + timeout)),
            used: Arc::default(),
        }
    }

    /// Called when the inner stream is not ready: `Err` once idle for too long.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        loop {
            if self.sleep.as_mut().poll(cx).is_pending() {
                return Ok(());
            }
            let deadline = self.last_activity + self.timeout;
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                ));
            }
            self.sleep.as_mut().reset(deadline);
        }
    }

    fn result<R>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        match poll {
            Poll::Ready(r) => {
                self.last_activity = Instant::now();
                Poll::Ready(r)
            }
            Poll::Pending => {
                self.poll_idle(cx)?;
                Poll::Pending
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Idle<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.used.store(true, Ordering::Relaxed);
        }
        this.result(cx, poll)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Idle<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.result(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.result(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    /// A flush moves no byte by itself, so it is no activity.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        if poll.is_pending() {
            this.poll_idle(cx)?;
        }
        poll
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
