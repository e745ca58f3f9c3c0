//! A server that misbehaves at the transport level gives a failed scenario
//! stating what happened, never a hang or a panic: one that accepts the
//! connection and never answers (the scenario's deadline names itself and
//! the URL), one that resets the connection, and one that answers HTML where
//! JSON was expected. Each is a few lines of `TcpListener` on loopback. A
//! server that is busy once (503 with `Retry-After`) is asked again.

mod support;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

#[derive(Clone, Copy)]
enum Misbehaviour {
    /// Reads the request and never answers.
    Hang,
    /// Reads the request and resets the connection (RST).
    Reset,
    /// Answers every request with a 200 HTML page.
    Html,
    /// Answers the first request 503 with `Retry-After: 1`, then a token.
    BusyOnce,
}

/// Serves `how` on a loopback port until the test process ends; returns
/// the port.
fn serve(how: Misbehaviour) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        let mut busy = true;
        for stream in listener.incoming().take(64) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            match how {
                Misbehaviour::Hang => held.push(s),
                Misbehaviour::Reset => {
                    // SO_LINGER 0: closing sends RST instead of FIN.
                    let _ = linger_zero(&s);
                    drop(s);
                }
                Misbehaviour::BusyOnce if busy => {
                    busy = false;
                    let _ = write!(
                        s,
                        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
                Misbehaviour::BusyOnce => {
                    let body = r#"{"access_token":"a-token-of-enough-length-0123456789abcdef","token_type":"Bearer","expires_in":60}"#;
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nPragma: no-cache\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                Misbehaviour::Html => {
                    let body = "<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>";
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            }
        }
    });
    port
}

/// Sets SO_LINGER to zero (std's `set_linger` is unstable; tokio's is not).
fn linger_zero(s: &TcpStream) -> Option<()> {
    let clone = s.try_clone().ok()?;
    clone.set_nonblocking(true).ok()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .ok()?;
    rt.block_on(async move {
        let t = tokio::net::TcpStream::from_std(clone).ok()?;
        #[allow(deprecated)]
        t.set_linger(Some(Duration::ZERO)).ok()?;
        Some(())
    })
}

/// A minimal target for the server on `port`: one confidential client with
/// the client credentials grant, short timeouts.
fn target(port: u16, timing: &str, name: &str) -> std::path::PathBuf {
    let text = format!(
        r#"[server]
issuer = "http://127.0.0.1:{port}"
[server.endpoints]
token = "/oauth/token"
[capabilities]
grants = ["client_credentials"]
auth_methods = ["client_secret_basic"]
metadata = false
[clients.confidential]
id = "c"
secret = "misbehaving-secret"
scope = "api"
redirect_uris = ["http://127.0.0.1:9876/callback"]
[users.user]
username = "u"
password = "misbehaving-password"
[timing]
{timing}
"#
    );
    let path = support::tmp(name);
    std::fs::write(&path, text).expect("write target");
    path
}

/// Runs the client credentials scenario against `how` and requires it to
/// fail; gives the run and the token endpoint's URL.
fn run(how: Misbehaviour, timing: &str, label: &str) -> (support::Run, String) {
    let (run, url) = run_only(how, timing, label);
    assert_eq!(
        run.code,
        Some(1),
        "a failed MUST exits 1\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.find(
            "client_credentials",
            "A confidential client obtains a token"
        )
        .is_some_and(|s| s.failed),
        "{}",
        run.stdout
    );
    (run, url)
}

/// Runs the client credentials scenario against `how`.
fn run_only(how: Misbehaviour, timing: &str, label: &str) -> (support::Run, String) {
    let port = serve(how);
    let target = target(port, timing, &format!("{label}.toml"));
    let run = support::run(
        label,
        &[
            "--target",
            target.to_str().expect("utf-8"),
            "-n",
            "A confidential client obtains a token",
        ],
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let url = format!("http://127.0.0.1:{port}/oauth/token");
    (run, url)
}

#[test]
fn a_server_that_never_answers_fails_the_scenario_at_its_deadline() {
    // The request timeout is longer than the scenario's deadline: what stops
    // the scenario is its deadline, and the message says which and where.
    let (run, url) = run(
        Misbehaviour::Hang,
        "request_timeout_secs = 60\nscenario_deadline_secs = 2",
        "hang",
    );
    assert!(
        run.stdout.contains(&format!(
            "POST {url} timed out: no complete answer within the scenario's 2 s deadline"
        )),
        "the timeout and the URL are named:\n{}",
        run.stdout
    );
    let (run, url) = run_request_timeout();
    assert!(
        run.stdout.contains(&format!(
            "POST {url} timed out: no complete answer within the 1 s request timeout"
        )),
        "{}",
        run.stdout
    );
}

fn run_request_timeout() -> (support::Run, String) {
    run(
        Misbehaviour::Hang,
        "request_timeout_secs = 1\nscenario_deadline_secs = 60",
        "hang-request",
    )
}

#[test]
fn a_server_that_resets_the_connection_fails_the_scenario_saying_so() {
    let (run, url) = run(Misbehaviour::Reset, "request_timeout_secs = 5", "reset");
    assert!(
        run.stdout
            .contains(&format!("POST {url}: the server reset the connection"))
            || run
                .stdout
                .contains(&format!("POST {url}: the server closed the connection")),
        "{}",
        run.stdout
    );
}

#[test]
fn html_where_json_was_expected_fails_the_scenario_saying_so() {
    let (run, _) = run(Misbehaviour::Html, "request_timeout_secs = 5", "html");
    assert!(
        run.stdout
            .contains("the token response is not JSON (Content-Type \"text/html; charset=utf-8\")"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_server_busy_once_is_asked_again_after_its_retry_after() {
    let (run, _) = run_only(Misbehaviour::BusyOnce, "request_timeout_secs = 5", "busy");
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.find(
            "client_credentials",
            "A confidential client obtains a token"
        )
        .is_some_and(|s| !s.failed && s.skipped.is_none()),
        "{}",
        run.stdout
    );
}
