//! Finding a server's metadata: RFC 8414 first, then OpenID Connect discovery.
//!
//! Real servers publish one, the other or both, and at different places when
//! the issuer has a path, so discovery tries each well-known URL in turn and,
//! when none answers with metadata, says what every one of them answered.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::Provider;
use crate::error::{Error, ProtocolViolation, Result};
use crate::transport::Http;

/// The well-known URLs tried for `issuer`, in order:
/// 1. RFC 8414 §3: `/.well-known/oauth-authorization-server` inserted between
///    host and path;
/// 2. OpenID Connect Discovery 1.0 §4: `/.well-known/openid-configuration`
///    appended to the issuer;
/// 3. for an issuer with a path, RFC 8414 §5's compatibility form:
///    `/.well-known/openid-configuration` inserted between host and path.
pub(crate) fn well_known_urls(issuer: &Url) -> Result<Vec<Url>> {
    if issuer.query().is_some() || issuer.fragment().is_some() || issuer.cannot_be_a_base() {
        return Err(Error::InvalidUrl {
            what: "issuer",
            reason: "must be a hierarchical URL without query or fragment".into(),
        });
    }
    let path = issuer.path().trim_end_matches('/');
    let at = |p: String| {
        let mut u = issuer.clone();
        u.set_path(&p);
        u
    };
    let mut urls = vec![
        at(format!("/.well-known/oauth-authorization-server{path}")),
        at(format!("{path}/.well-known/openid-configuration")),
    ];
    if !path.is_empty() {
        urls.push(at(format!("/.well-known/openid-configuration{path}")));
    }
    Ok(urls)
}

/// No well-known URL answered with metadata: each URL tried and what it
/// answered, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryError {
    /// `(url, what it answered)` for every URL tried.
    pub attempts: Vec<(Url, String)>,
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no authorization server metadata found")?;
        for (i, (url, answer)) in self.attempts.iter().enumerate() {
            let sep = if i == 0 { ": " } else { "; " };
            write!(f, "{sep}{url} {answer}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DiscoveryError {}

/// Fetches the metadata; see [`Provider::discover`].
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct DiscoveryBuilder {
    pub(super) issuer: Url,
    pub(super) allow_http: bool,
    pub(super) timeout: Duration,
}

impl DiscoveryBuilder {
    /// Allows plain HTTP to non-loopback hosts (default: refused).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Sets the timeout of each request (default: 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Tries each well-known URL until one answers with metadata. The
    /// document's `issuer` must equal the issuer asked for
    /// ([RFC 8414 §3.3](https://www.rfc-editor.org/rfc/rfc8414#section-3.3),
    /// OpenID Connect Discovery §4.3): a mismatch is an error at once, never a
    /// reason to try the next URL. When no URL has metadata the error is
    /// [`Error::Discovery`], naming every URL tried and what it answered.
    pub async fn send(self) -> Result<Provider> {
        let urls = well_known_urls(&self.issuer)?;
        crate::types::check_secure(&urls[0], "issuer", self.allow_http)?;
        let http = Http::new(self.timeout)?;
        let mut attempts = Vec::new();
        for url in urls {
            match self.try_one(&http, &url).await {
                Ok(p) => return Ok(p),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::NotHere(answer)) => attempts.push((url, answer)),
            }
        }
        Err(Error::Discovery(DiscoveryError { attempts }))
    }

    async fn try_one(&self, http: &Http, url: &Url) -> std::result::Result<Provider, Attempt> {
        let req = http::Request::get(url.as_str())
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| Attempt::Fatal(crate::error::request_url_error(e)))?;
        let resp = http
            .send(req)
            .await
            .map_err(|e| Attempt::NotHere(format!("failed: {e}")))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(Attempt::NotHere(format!("answered HTTP {status}")));
        }
        let p = match Provider::from_metadata(resp.body(), Some(self.issuer.as_str())) {
            Ok(p) => p,
            Err(e @ Error::Protocol(ProtocolViolation::MetadataIssuerMismatch)) => {
                return Err(Attempt::Fatal(e));
            }
            Err(e) => return Err(Attempt::NotHere(format!("answered HTTP {status}, but {e}"))),
        };
        for (name, u) in p.endpoints() {
            crate::types::check_secure(u, name, self.allow_http).map_err(Attempt::Fatal)?;
        }
        Ok(p)
    }
}

/// Why one URL gave no provider.
enum Attempt {
    /// Try the next URL.
    NotHere(String),
    /// Stop: the answer must not be used (issuer mismatch, insecure endpoint).
    Fatal(Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_in_order() {
        let w = |s: &str| -> Vec<String> {
            well_known_urls(&Url::parse(s).unwrap())
                .unwrap()
                .iter()
                .map(Url::to_string)
                .collect()
        };
        assert_eq!(
            w("https://a.example"),
            [
                "https://a.example/.well-known/oauth-authorization-server",
                "https://a.example/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            w("https://a.example/t1/"),
            [
                "https://a.example/.well-known/oauth-authorization-server/t1",
                "https://a.example/t1/.well-known/openid-configuration",
                "https://a.example/.well-known/openid-configuration/t1",
            ]
        );
    }
}
