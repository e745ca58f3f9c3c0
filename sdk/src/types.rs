//! Newtypes for the public protocol terms.

use std::fmt;

use url::Url;

use crate::error::{Error, Result};

/// A client identifier ([RFC 6749 §2.2](https://www.rfc-editor.org/rfc/rfc6749#section-2.2)).
/// Not a secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// Wraps a client id as issued by the server.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One scope token ([RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3)):
/// non-empty, printable ASCII except space, `"` and `\`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(String);

impl Scope {
    /// Validates and wraps one scope token.
    pub fn new(scope: impl Into<String>) -> Result<Self> {
        let s = scope.into();
        let ok = !s.is_empty()
            && s.bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
        if ok {
            Ok(Self(s))
        } else {
            Err(Error::InvalidParameter {
                name: "scope".into(),
                reason:
                    "must be non-empty printable ASCII without space, `\"` or `\\` (RFC 6749 §3.3)"
                        .into(),
            })
        }
    }

    /// The scope as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Splits a space-delimited `scope` parameter, leniently: extra spaces are
    /// ignored, and tokens with characters RFC 6749 forbids are kept as sent.
    pub fn parse_list(s: &str) -> Vec<Scope> {
        s.split(' ')
            .filter(|t| !t.is_empty())
            .map(|t| Scope(t.to_owned()))
            .collect()
    }

    /// Joins scopes into one space-delimited `scope` parameter.
    pub fn join(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(Scope::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A redirection endpoint ([RFC 6749 §3.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2)):
/// an absolute URL without a fragment.
///
/// Servers compare `redirect_uri` with the registered one as a string
/// ([RFC 6749 §3.1.2.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3),
/// [RFC 9700 §4.1.3](https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3)), so
/// the SDK sends exactly the string it was given: `http://127.0.0.1:9199` stays
/// without the `/` a URL parser would add.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUrl {
    /// Byte for byte as the caller wrote it; what goes on the wire.
    raw: String,
    /// The parsed form, for matching callbacks and serving loopback requests.
    url: Url,
}

impl RedirectUrl {
    /// Validates a redirect URI: absolute, no fragment. It is sent as the
    /// `Url` serialises; use [`RedirectUrl::parse`] to keep a string as written.
    pub fn new(url: Url) -> Result<Self> {
        Self::checked(url.as_str().to_owned(), url)
    }

    /// Parses and validates a redirect URI, keeping `s` exactly as written for
    /// the `redirect_uri` parameter.
    pub fn parse(s: &str) -> Result<Self> {
        let url = Url::parse(s).map_err(|e| Error::InvalidUrl {
            what: "redirect URI",
            reason: e.to_string(),
        })?;
        Self::checked(s.to_owned(), url)
    }

    fn checked(raw: String, url: Url) -> Result<Self> {
        if url.fragment().is_some() {
            return Err(Error::InvalidUrl {
                what: "redirect URI",
                reason: "must not have a fragment (RFC 6749 §3.1.2)".into(),
            });
        }
        if url.cannot_be_a_base() {
            return Err(Error::InvalidUrl {
                what: "redirect URI",
                reason: "must be an absolute hierarchical URL".into(),
            });
        }
        Ok(Self { raw, url })
    }

    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URI exactly as sent in `redirect_uri`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

/// Whether `url` is on a loopback host: `127.0.0.0/8`, `[::1]` or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// HTTPS, or plain HTTP to loopback, unless `allow_http`.
pub(crate) fn check_secure(url: &Url, what: &'static str, allow_http: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(url) => Ok(()),
        "http" => Err(Error::InsecureUrl { what }),
        other => Err(Error::InvalidUrl {
            what,
            reason: format!("unsupported scheme `{other}` (https or http only)"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_validation() {
        assert!(Scope::new("read_user").is_ok());
        assert!(Scope::new("tracking_api:write").is_ok());
        assert!(Scope::new("a b").is_err());
        assert!(Scope::new("").is_err());
        assert!(Scope::new("a\"").is_err());
        assert_eq!(
            Scope::join(&Scope::parse_list(" api  read_user ")),
            "api read_user"
        );
    }

    #[test]
    fn loopback_rules() {
        let check = |u: &str, allow| check_secure(&Url::parse(u).unwrap(), "x", allow).is_ok();
        assert!(check("https://example.com/t", false));
        assert!(check("http://127.0.0.1:8080/t", false));
        assert!(check("http://127.4.5.6/t", false));
        assert!(check("http://[::1]:9/t", false));
        assert!(check("http://LOCALHOST/t", false));
        assert!(!check("http://example.com/t", false));
        assert!(!check("http://10.0.0.1/t", false));
        assert!(check("http://example.com/t", true));
        assert!(!check("ftp://example.com/t", true));
    }

    #[test]
    fn redirect_keeps_the_string_as_written() {
        let r = RedirectUrl::parse("http://127.0.0.1:9199").unwrap();
        assert_eq!(r.as_str(), "http://127.0.0.1:9199");
        assert_eq!(r.url().path(), "/");
        let r = RedirectUrl::parse("HTTP://App.Example/cb?a=%7e").unwrap();
        assert_eq!(r.as_str(), "HTTP://App.Example/cb?a=%7e");
        let from_url = RedirectUrl::new(Url::parse("http://127.0.0.1:9199").unwrap()).unwrap();
        assert_eq!(from_url.as_str(), "http://127.0.0.1:9199/");
    }

    #[test]
    fn redirect_rejects_fragment() {
        assert!(RedirectUrl::parse("http://127.0.0.1/cb#x").is_err());
        assert!(RedirectUrl::parse("http://127.0.0.1/cb?a=1").is_ok());
    }

    /// Each refusal is a typed variant naming the value and why, not a
    /// catch-all string.
    #[test]
    fn refusals_name_the_value_and_the_reason() {
        let e = Scope::new("a b").unwrap_err();
        assert!(
            matches!(&e, Error::InvalidParameter { name, reason } if name == "scope" && reason.contains("space")),
            "{e:?}"
        );
        for bad in ["http://127.0.0.1/cb#x", "not a url", "mailto:a@b"] {
            let e = RedirectUrl::parse(bad).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidUrl {
                        what: "redirect URI",
                        ..
                    }
                ),
                "{bad}: {e:?}"
            );
        }
        let url = Url::parse("http://example.com/t").unwrap();
        let e = check_secure(&url, "token endpoint", false).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InsecureUrl {
                    what: "token endpoint"
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("token endpoint"), "{e}");
        let url = Url::parse("ftp://example.com/t").unwrap();
        let e = check_secure(&url, "token endpoint", true).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidUrl { what: "token endpoint", reason } if reason.contains("ftp")),
            "{e:?}"
        );
    }
}
