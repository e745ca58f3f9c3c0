//! Slow and idle clients cannot hold the server: the header-read timeout, the
//! idle timeout and the connection cap (`src/connections.rs`), on real sockets
//! with short timeouts. Every loop here is bounded by a deadline.

mod support;

use std::time::Duration;

use oauth_server_reference::Config;
use support::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

const METADATA: &str = "/.well-known/oauth-authorization-server";
/// Longest any socket of these tests is kept open, whatever the server does.
const CAP: Duration = Duration::from_secs(15);

fn config(header_read_secs: u64, idle_secs: u64, max_connections: usize) -> Config {
    let mut config = Config::demo();
    config.settings.header_read_timeout_secs = header_read_secs;
    config.settings.idle_timeout_secs = idle_secs;
    config.settings.max_connections = max_connections;
    config
}

/// Reads until the server closes the connection (EOF or reset); the time it did.
async fn until_closed(mut read: impl AsyncReadExt + Unpin) -> Instant {
    let mut buf = [0u8; 512];
    let closed = timeout(CAP, async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server kept the connection open for {CAP:?}"
    );
    Instant::now()
}

/// Opens a connection that never sends a byte; resolves when the server closed it.
async fn silent(ts: &TestServer) -> tokio::task::JoinHandle<Instant> {
    let stream = TcpStream::connect(ts.handle.addr()).await.unwrap();
    tokio::spawn(until_closed(stream))
}

/// Opens a connection that sends a request head one byte every 100 ms and never
/// finishes it; resolves when the server closed it.
async fn slow_headers(ts: &TestServer) -> tokio::task::JoinHandle<Instant> {
    let stream = TcpStream::connect(ts.handle.addr()).await.unwrap();
    let (read, mut write) = stream.into_split();
    tokio::spawn(async move {
        let closed = tokio::spawn(until_closed(read));
        let head = format!("GET {METADATA} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        let mut bytes = head.into_bytes().into_iter().chain(std::iter::repeat(b'a'));
        let started = Instant::now();
        while !closed.is_finished() && started.elapsed() < CAP {
            let byte = bytes.next().unwrap();
            if write.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        closed.await.unwrap()
    })
}

async fn served(ts: &TestServer) {
    let resp = ts.http.get(ts.url(METADATA)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn slow_and_silent_connections_are_closed_while_others_are_served() {
    // Idle (1 s) shorter than the header timeout (3 s): silent sockets must go
    // by the idle timer, trickling ones — active, so never idle — by the
    // header timer.
    let ts = TestServer::with_config(config(3, 1, 1024)).await;
    let start = Instant::now();
    let mut slow = Vec::new();
    let mut quiet = Vec::new();
    for _ in 0..64 {
        slow.push(slow_headers(&ts).await);
        quiet.push(silent(&ts).await);
    }
    for _ in 0..10 {
        served(&ts).await;
    }
    let served_at = Instant::now();

    for s in quiet {
        let after = s.await.unwrap() - start;
        assert!(
            after < Duration::from_secs(4),
            "a silent socket lived {after:?}"
        );
    }
    for s in slow {
        let closed = s.await.unwrap();
        let after = closed - start;
        // Its bytes kept the idle timer from firing; the header clock did not
        // restart with them.
        assert!(
            after >= Duration::from_millis(2500),
            "a trickling client was closed after {after:?}, before its header timeout"
        );
        assert!(
            after < Duration::from_secs(7),
            "a trickling client lived {after:?}"
        );
        assert!(closed > served_at, "normal requests were served meanwhile");
    }
    served(&ts).await;
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_when_unused() {
    let ts = TestServer::with_config(config(1, 30, 1024)).await;
    let mut stream = TcpStream::connect(ts.handle.addr()).await.unwrap();
    let request = format!("GET {METADATA} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    // The header clock starts again after the response: the unused keep-alive
    // connection is closed well before the 30 s idle timeout.
    let answered = Instant::now();
    let closed = until_closed(stream).await;
    assert!(closed - answered < Duration::from_secs(5));
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let ts = TestServer::with_config(config(1, 1, 4)).await;
    let quiet: Vec<_> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(silent(&ts).await);
        }
        v
    };
    // Accepted after the four silent sockets (the backlog is first in, first
    // out), so only once one of them was closed.
    let http = support::client();
    let url = ts.url(METADATA);
    let normal = tokio::spawn(async move {
        let resp = timeout(CAP, http.get(url).send()).await.unwrap().unwrap();
        assert_eq!(resp.status(), 200);
        Instant::now()
    });
    let mut first_closed = None;
    for s in quiet {
        let t = s.await.unwrap();
        first_closed = Some(first_closed.map_or(t, |f: Instant| f.min(t)));
    }
    let answered = normal.await.unwrap();
    assert!(
        answered >= first_closed.unwrap(),
        "a fifth connection was served while four held the cap of four"
    );
    served(&ts).await;
}

#[tokio::test]
async fn shutdown_does_not_wait_for_idle_connections() {
    let ts = TestServer::with_config(config(30, 30, 16)).await;
    let quiet = silent(&ts).await;
    served(&ts).await;
    let TestServer { handle, .. } = ts;
    timeout(Duration::from_secs(5), handle.shutdown())
        .await
        .expect("shutdown finishes although a client holds a silent connection")
        .unwrap();
    let closed = timeout(Duration::from_secs(5), quiet).await;
    assert!(
        closed.is_ok(),
        "the silent connection was closed at shutdown"
    );
}
