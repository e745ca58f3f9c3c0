//! Drives the reference server's login and consent pages over plain HTTP, for
//! the server's tests, the SDK's tests and the examples (one copy of that code
//! instead of one per crate). Not published.
//!
//! A [`Browser`] keeps cookies in reqwest's cookie store, never follows
//! redirects on its own (so every hop can be asserted) and reads pages with an
//! HTML parser (`scraper`): forms are found and filled by their fields, not by
//! the page's markup, so a restyled page is still driven.
//!
//! Quick use, for tests that just need a code:
//! ```text
//! let cb = authorize_code(&server, "demo-confidential", "alice", "alice-password",
//!     &[("redirect_uri", REDIRECT), ("state", "xyz")]).await;
//! let code = cb.code().unwrap();
//! ```
//! or, from an authorization URL, to where the server sends the user back:
//! ```text
//! let callback = Browser::new(&url).authorize_until(&url, REDIRECT, "alice", "alice-password").await?;
//! ```
//! Two-factor demo users (`bob`) get their TOTP code computed from the demo secret.
//!
//! Pages and fields (the conformance contract):
//! - login: `GET /oauth/login?next=…` → form POST `/oauth/login` with `username`,
//!   `password`, `otp`, hidden `csrf_token`, `next`, button `action=login`;
//! - consent: 200 page with form POST `/oauth/authorize/decision` with hidden
//!   `request_id`, `csrf_token`, buttons `decision=allow|deny`.
//!
//! It depends on neither the server nor the SDK, so using it keeps the server
//! free of the SDK and the SDK free of the server.

mod browser;
mod callback;
mod page;

use std::fmt;

use url::Url;

pub use browser::{Browser, authorize_code, authorize_in, authorize_url};
pub use callback::CallbackUrl;
pub use page::{Button, Form, Input, Page, forms, hidden};

/// The demo fixture's TOTP secret for `bob` (docs/demo-fixture.md).
pub const BOB_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// Why a page could not be driven: the server's answer, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Self(format!("HTTP: {e}"))
    }
}

impl From<url::ParseError> for Error {
    fn from(e: url::ParseError) -> Self {
        Self(format!("URL: {e}"))
    }
}

/// Where a browser's relative paths resolve: the authorization server.
pub trait Origin {
    /// The server's root URL (`http://host:port/`).
    fn origin_url(&self) -> Url;
}

impl Origin for Url {
    fn origin_url(&self) -> Url {
        let mut url = self.clone();
        url.set_path("/");
        url.set_query(None);
        url.set_fragment(None);
        url
    }
}

impl Origin for str {
    fn origin_url(&self) -> Url {
        Url::parse(self)
            .unwrap_or_else(|e| panic!("origin {self:?}: {e}"))
            .origin_url()
    }
}

impl Origin for String {
    fn origin_url(&self) -> Url {
        self.as_str().origin_url()
    }
}

/// The current RFC 6238 code for a base32 secret (SHA-1, 6 digits, 30 s).
pub fn totp_now(secret_base32: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    totp_at(secret_base32, now)
}

/// The RFC 6238 code of `secret_base32` at `unix_secs`.
pub fn totp_at(secret_base32: &str, unix_secs: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .expect("base32 secret");
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes);
    totp.generate(unix_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_drop_path_query_and_fragment() {
        assert_eq!(
            "http://127.0.0.1:8/oauth/authorize?x#y"
                .origin_url()
                .as_str(),
            "http://127.0.0.1:8/"
        );
        let b = Browser::new("http://127.0.0.1:8");
        assert!(b.is_internal("/oauth/login"));
        assert!(b.is_internal("http://127.0.0.1:8/x"));
        assert!(!b.is_internal("http://127.0.0.1:9/callback"));
        assert_eq!(b.absolute("/a?b").as_str(), "http://127.0.0.1:8/a?b");
    }

    #[test]
    fn totp_matches_rfc_6238_test_vector_shape() {
        // RFC 6238 Appendix B, SHA-1 at T=59: 94287082 (8 digits); 6 digits → 287082.
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"
        assert_eq!(totp_at(secret, 59), "287082");
    }
}
