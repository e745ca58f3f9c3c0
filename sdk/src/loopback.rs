//! A loopback redirect listener for native apps
//! ([RFC 8252 §7.3](https://www.rfc-editor.org/rfc/rfc8252#section-7.3)).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::error::Error;
use crate::flows::code::{AuthorizationCallback, PendingAuthorization};
use crate::types::RedirectUrl;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Longest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;

/// What can go wrong while waiting for the browser.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoopbackError {
    /// No callback arrived in time.
    #[error("no authorization callback within {0:?}")]
    Timeout(Duration),
    /// The socket failed.
    #[error("loopback listener I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The callback arrived but failed validation (wrong `state`, `error`
    /// from the server, missing `code`...).
    #[error(transparent)]
    Callback(#[from] Error),
}

/// Listens on `127.0.0.1` on a free port for one authorization callback.
///
/// ```no_run
/// # async fn demo(client: oauth_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use oauth_sdk::LoopbackListener;
/// let listener = LoopbackListener::bind("/callback").await?;
/// let request = client.authorization_code(listener.redirect_url().clone()).build()?;
/// println!("open {}", request.url());
/// let (_, pending) = request.into_parts();
/// let callback = listener.wait(pending, std::time::Duration::from_secs(300)).await?;
/// let token = client.exchange_code(callback).send().await?;
/// # let _ = token; Ok(()) }
/// ```
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    redirect: RedirectUrl,
}

impl LoopbackListener {
    /// Binds `127.0.0.1:0` (the system picks a free port); the redirect URI
    /// is `http://127.0.0.1:<port><path>`. RFC 8252 §7.3: servers must accept
    /// any port on a loopback redirect URI.
    pub async fn bind(path: &str) -> Result<Self, LoopbackError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let port = listener.local_addr()?.port();
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        let redirect = RedirectUrl::parse(&format!("http://127.0.0.1:{port}{path}"))?;
        Ok(Self { listener, redirect })
    }

    /// The redirect URI to put in the authorization request.
    pub fn redirect_url(&self) -> &RedirectUrl {
        &self.redirect
    }

    /// Serves requests until one arrives at the redirect path (others get a
    /// 404), validates it with [`PendingAuthorization::validate`], answers a
    /// small HTML page, and shuts down. Fails with
    /// [`LoopbackError::Timeout`] after `timeout`.
    pub async fn wait(
        self,
        pending: PendingAuthorization,
        timeout: Duration,
    ) -> Result<AuthorizationCallback, LoopbackError> {
        match tokio::time::timeout(timeout, self.serve(pending)).await {
            Ok(r) => r,
            Err(_) => Err(LoopbackError::Timeout(timeout)),
        }
    }

    async fn serve(
        self,
        pending: PendingAuthorization,
    ) -> Result<AuthorizationCallback, LoopbackError> {
        let expected_path = self.redirect.url().path().to_owned();
        loop {
            let (mut stream, _) = self.listener.accept().await?;
            let Some(target) = read_target(&mut stream).await else {
                let _ = respond(&mut stream, "400 Bad Request", "Bad request.").await;
                continue;
            };
            let Ok(url) = self.redirect.url().join(&target) else {
                let _ = respond(&mut stream, "400 Bad Request", "Bad request.").await;
                continue;
            };
            if url.path() != expected_path || !target.starts_with('/') {
                let _ = respond(&mut stream, "404 Not Found", "Not found.").await;
                continue;
            }
            let result = pending.validate(&url);
            let (status, text) = match &result {
                Ok(_) => (
                    "200 OK",
                    "Authorization complete. You can close this window.",
                ),
                Err(_) => (
                    "400 Bad Request",
                    "Authorization failed. Return to the application.",
                ),
            };
            let _ = respond(&mut stream, status, text).await;
            return result.map_err(LoopbackError::Callback);
        }
    }
}

/// Reads the request head and returns the target of a `GET` request line.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > MAX_HEAD {
            return None;
        }
    }
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if method != "GET" || !version.starts_with("HTTP/1.") || parts.next().is_some() {
        return None;
    }
    Some(target.to_owned())
}

async fn respond(stream: &mut TcpStream, status: &str, text: &str) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>oauth-sdk</title></head><body><p>{text}</p></body></html>"
    );
    let resp = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(resp.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn builds_loopback_redirect() {
        let l = LoopbackListener::bind("cb").await.unwrap();
        let u = l.redirect_url().url();
        assert_eq!(u.host_str(), Some("127.0.0.1"));
        assert_eq!(u.path(), "/cb");
        assert_ne!(u.port(), Some(0));
    }
}
