//! A plain-HTTP "browser" for the login and consent pages: keeps cookies by hand
//! (the workspace reqwest has no cookie store), never follows redirects on its own,
//! fills the forms by their field names.
//!
//! Quick use, for tests that just need a code:
//! ```ignore
//! let cb = browser::authorize_code(&server, "demo-confidential", "alice", "alice-password",
//!     &[("redirect_uri", REDIRECT), ("state", "xyz")]).await;
//! let code = cb.code().unwrap();
//! ```
//! Two-factor users (`bob`) get their TOTP code computed from the demo secret.
//!
//! Pages and fields (the conformance contract):
//! - login: `GET /oauth/login?next=…` → form POST `/oauth/login` with `username`,
//!   `password`, `otp`, hidden `csrf_token`, `next`, button `action=login`;
//! - consent: 200 page with form POST `/oauth/authorize/decision` with hidden
//!   `request_id`, `csrf_token`, button `decision=allow|deny`.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use url::Url;

use super::TestServer;

/// The demo fixture's TOTP secret for `bob` (docs/demo-fixture.md).
pub const BOB_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// One response, read completely.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The `Location` header, if any.
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The value of a hidden input rendered as `name="NAME" value="…"`.
    pub fn hidden(&self, name: &str) -> Option<String> {
        hidden(&self.body, name)
    }

    pub fn is_login_form(&self) -> bool {
        self.status != StatusCode::SEE_OTHER && self.body.contains("action=\"/oauth/login\"")
    }

    pub fn is_consent_form(&self) -> bool {
        self.status == StatusCode::OK && self.body.contains("action=\"/oauth/authorize/decision\"")
    }
}

/// A user agent with a cookie jar, bound to one server.
pub struct Browser<'a> {
    pub server: &'a TestServer,
    cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    pub fn new(server: &'a TestServer) -> Self {
        Self {
            server,
            cookies: Vec::new(),
        }
    }

    /// Resolves a path (or absolute URL) against the server.
    pub fn absolute(&self, url: &str) -> String {
        if url.starts_with("http://") || url.starts_with("https://") {
            url.to_owned()
        } else {
            self.server.url(url)
        }
    }

    /// Whether `url` is on this server (an internal hop) rather than the client's callback.
    pub fn is_internal(&self, url: &str) -> bool {
        url.starts_with('/') || url.starts_with(&self.server.url("/"))
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    pub fn clear_cookies(&mut self) {
        self.cookies.clear();
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    async fn read(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status();
        let headers = resp.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let mut parts = value.split(';');
            let Some((name, val)) = parts.next().and_then(|p| p.trim().split_once('=')) else {
                continue;
            };
            let expired = parts.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            self.cookies.retain(|(n, _)| n != name);
            if !expired && !val.is_empty() {
                self.cookies.push((name.to_owned(), val.to_owned()));
            }
        }
        let body = resp.text().await.expect("body is readable");
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        let mut req = self.server.http.get(self.absolute(url));
        if let Some(c) = self.cookie_header() {
            req = req.header(COOKIE, c);
        }
        let resp = req.send().await.expect("request reaches the server");
        self.read(resp).await
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        let mut req = self.server.http.post(self.absolute(url)).form(form);
        if let Some(c) = self.cookie_header() {
            req = req.header(COOKIE, c);
        }
        let resp = req.send().await.expect("request reaches the server");
        self.read(resp).await
    }

    /// `GET /oauth/authorize?<params>` (parameters sent as given, in order).
    pub async fn authorize(&mut self, params: &[(&str, &str)]) -> Page {
        self.get(&authorize_url(params)).await
    }

    /// `GET /oauth/authorize` for a code: `client_id`, `response_type=code`, then
    /// `extra`.
    pub async fn code_request(&mut self, client_id: &str, extra: &[(&str, &str)]) -> Page {
        let mut params = vec![("client_id", client_id), ("response_type", "code")];
        params.extend_from_slice(extra);
        self.authorize(&params).await
    }

    /// Loads the login form (following `next`) and submits it. Returns the answer
    /// to the POST (303 on success, the form again on failure).
    pub async fn login(
        &mut self,
        next: &str,
        user: &str,
        password: &str,
        otp: Option<&str>,
    ) -> Page {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        let form = self.get(&format!("/oauth/login?{query}")).await;
        assert!(
            form.is_login_form(),
            "expected the login form, got {form:?}"
        );
        self.submit_login(&form, user, password, otp).await
    }

    /// Submits a login form already loaded.
    pub async fn submit_login(
        &mut self,
        form: &Page,
        user: &str,
        password: &str,
        otp: Option<&str>,
    ) -> Page {
        let csrf = form
            .hidden("csrf_token")
            .expect("login form has csrf_token");
        let next = form.hidden("next").unwrap_or_default();
        let otp = otp.map(str::to_owned).unwrap_or_default();
        self.post(
            "/oauth/login",
            &[
                ("username", user),
                ("password", password),
                ("otp", &otp),
                ("csrf_token", &csrf),
                ("next", &next),
                ("action", "login"),
            ],
        )
        .await
    }

    /// Presses Allow (`true`) or Deny on a consent page.
    pub async fn decide(&mut self, consent: &Page, allow: bool) -> Page {
        let request_id = consent
            .hidden("request_id")
            .expect("consent page has request_id");
        let csrf = consent
            .hidden("csrf_token")
            .expect("consent page has csrf_token");
        let decision = if allow { "allow" } else { "deny" };
        self.post(
            "/oauth/authorize/decision",
            &[
                ("request_id", &request_id),
                ("csrf_token", &csrf),
                ("decision", decision),
            ],
        )
        .await
    }

    /// Follows internal 303s from `page`, logging in as `user` (TOTP computed for
    /// two-factor demo users) and answering consent with `allow`, until the server
    /// answers something other than an internal redirect, login or consent page:
    /// usually the 303 to the client's callback.
    pub async fn drive(&mut self, mut page: Page, user: &str, password: &str, allow: bool) -> Page {
        for _ in 0..10 {
            if page.status == StatusCode::SEE_OTHER {
                let location = page.location().expect("303 has a Location").to_owned();
                if !self.is_internal(&location) {
                    return page;
                }
                page = self.get(&location).await;
            } else if page.is_login_form() {
                let otp = (user == "bob").then(|| totp_now(BOB_TOTP_SECRET));
                page = self
                    .submit_login(&page, user, password, otp.as_deref())
                    .await;
                assert_eq!(
                    page.status,
                    StatusCode::SEE_OTHER,
                    "login failed: {}",
                    page.body
                );
            } else if page.is_consent_form() {
                page = self.decide(&page, allow).await;
            } else {
                return page;
            }
        }
        panic!("too many hops; last page: {page:?}");
    }
}

/// `/oauth/authorize?<params>`, form-encoded.
pub fn authorize_url(params: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    format!("/oauth/authorize?{}", s.finish())
}

/// The URL the server sent the user agent back to.
#[derive(Debug, Clone)]
pub struct CallbackUrl(pub Url);

impl CallbackUrl {
    pub fn parse(location: &str) -> Self {
        Self(Url::parse(location).unwrap_or_else(|e| panic!("callback {location:?}: {e}")))
    }

    /// A query parameter (code flow).
    pub fn param(&self, name: &str) -> Option<String> {
        self.0
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A fragment parameter (implicit flow).
    pub fn fragment_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.0.fragment().unwrap_or("").as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn query_names(&self) -> Vec<String> {
        self.0.query_pairs().map(|(n, _)| n.into_owned()).collect()
    }

    pub fn fragment_names(&self) -> Vec<String> {
        form_urlencoded::parse(self.0.fragment().unwrap_or("").as_bytes())
            .map(|(n, _)| n.into_owned())
            .collect()
    }

    pub fn code(&self) -> Option<String> {
        self.param("code")
    }

    pub fn state(&self) -> Option<String> {
        self.param("state")
    }

    pub fn error(&self) -> Option<String> {
        self.param("error")
    }

    /// The callback without query and fragment.
    pub fn base(&self) -> String {
        let mut u = self.0.clone();
        u.set_query(None);
        u.set_fragment(None);
        u.to_string()
    }
}

/// Runs an authorization request for `client_id` as `user` and approves consent;
/// returns the callback URL the server redirected to (with `code` or `error`).
/// `response_type=code` is added unless `extra` names a response_type.
pub async fn authorize_code(
    server: &TestServer,
    client_id: &str,
    user: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> CallbackUrl {
    let mut browser = Browser::new(server);
    authorize_in(&mut browser, client_id, user, password, extra, true).await
}

/// Like [`authorize_code`] in an existing browser (keeps its session), answering
/// consent with `allow`.
pub async fn authorize_in(
    browser: &mut Browser<'_>,
    client_id: &str,
    user: &str,
    password: &str,
    extra: &[(&str, &str)],
    allow: bool,
) -> CallbackUrl {
    let mut params = vec![("client_id", client_id)];
    if !extra.iter().any(|(n, _)| *n == "response_type") {
        params.push(("response_type", "code"));
    }
    params.extend_from_slice(extra);
    let first = browser.authorize(&params).await;
    let last = browser.drive(first, user, password, allow).await;
    assert_eq!(
        last.status,
        StatusCode::SEE_OTHER,
        "expected a redirect to the client, got {last:?}"
    );
    CallbackUrl::parse(last.location().expect("303 has a Location"))
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

/// The value of `<input … name="NAME" value="…">`, HTML entities decoded.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(unescape(&html[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
