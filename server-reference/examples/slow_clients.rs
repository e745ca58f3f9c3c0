//! The latency a normal client sees while slow and silent clients hold
//! connections, for `bench/slow_clients.sh`.
//!
//! Run with:
//! `cargo run --release -p oauth-server-reference --example slow_clients -- BASE_URL FLOOD REQUESTS`
//!
//! Opens `FLOOD` connections that send a request head one byte a second and
//! never finish it, and `FLOOD` that never send a byte; then makes `REQUESTS`
//! client-credentials token requests (`demo-confidential`, `client_secret_basic`),
//! one at a time, each on a new connection (so each needs an accept, and a free
//! slot under the connection cap). Prints one line: the median and 99th
//! percentile latency in milliseconds, the errors, and how many flood
//! connections the server had closed when the requests were done, then waits
//! (at most 30 s) for the server to close the rest and prints the median time
//! it took. Loopback only; every loop is bounded (requests stop after 60 s).

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Longest a flood connection is held, whatever the server does.
const HOLD: Duration = Duration::from_secs(30);
/// Longest the measured requests may take in all, and a connect.
const MEASURE: Duration = Duration::from_secs(60);
const CONNECT: Duration = Duration::from_secs(5);

async fn closed(mut read: impl AsyncReadExt + Unpin) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 256];
    tokio::time::timeout(HOLD, async {
        loop {
            if matches!(read.read(&mut buf).await, Ok(0) | Err(_)) {
                break;
            }
        }
    })
    .await
    .ok()?;
    Some(start.elapsed())
}

fn slow(stream: TcpStream) -> JoinHandle<Option<Duration>> {
    let (read, mut write) = stream.into_split();
    tokio::spawn(async move {
        let done = tokio::spawn(closed(read));
        let head = b"POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        let mut bytes = head.iter().copied().chain(std::iter::repeat(b'a'));
        let start = Instant::now();
        while !done.is_finished() && start.elapsed() < HOLD {
            let Some(b) = bytes.next() else { break };
            if write.write_all(&[b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        done.await.ok().flatten()
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, flood, requests] = args.as_slice() else {
        return Err("usage: slow_clients BASE_URL FLOOD REQUESTS".into());
    };
    let base = url::Url::parse(base)?;
    let host = base.host_str().unwrap_or_default();
    if host != "127.0.0.1" && host != "[::1]" && host != "localhost" {
        return Err("loopback targets only".into());
    }
    let addr = format!("{host}:{}", base.port().unwrap_or(80));
    let flood: usize = flood.parse()?;
    let requests: usize = requests.parse::<usize>()?.clamp(1, 100_000);

    let addr = addr.as_str();
    let connect = move || async move {
        tokio::time::timeout(CONNECT, TcpStream::connect(addr))
            .await
            .map_err(|_| Error::from("connect timed out"))?
            .map_err(Error::from)
    };
    let mut held = Vec::new();
    for _ in 0..flood {
        held.push(slow(connect().await?));
        held.push(tokio::spawn(closed(connect().await?)));
    }

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(HOLD)
        .build()?;
    let token = base.join("/oauth/token")?;
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    let measuring = Instant::now();
    for _ in 0..requests {
        if measuring.elapsed() > MEASURE {
            break;
        }
        let start = Instant::now();
        let ok = http
            .post(token.clone())
            .basic_auth("demo-confidential", Some("demo-confidential-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        errors += usize::from(!ok);
    }
    latencies.sort_by(f64::total_cmp);
    let closed_meanwhile = held.iter().filter(|h| h.is_finished()).count();
    print!(
        "flood={flood}+{flood} requests={} p50_ms={:.2} p99_ms={:.2} errors={errors} flood_closed_meanwhile={closed_meanwhile}",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
    );
    let mut lifetimes = Vec::new();
    let mut kept_open = 0;
    for h in held {
        match h.await? {
            Some(d) => lifetimes.push(d.as_secs_f64()),
            None => kept_open += 1,
        }
    }
    lifetimes.sort_by(f64::total_cmp);
    println!(
        " flood_closed_after_s_p50={:.1} flood_kept_open_past_{}s={kept_open}",
        percentile(&lifetimes, 0.5),
        HOLD.as_secs()
    );
    Ok(())
}
