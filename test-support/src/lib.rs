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

use std::fmt;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{HeaderMap, LOCATION};
use scraper::{ElementRef, Html, Selector};
use url::Url;

/// The demo fixture's TOTP secret for `bob` (docs/demo-fixture.md).
pub const BOB_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// How many pages a journey may cross before it is called a loop.
const MAX_HOPS: usize = 10;

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

/// One response, read completely.
#[derive(Debug)]
pub struct Page {
    /// The URL that answered (relative form actions and redirects resolve against it).
    pub url: Url,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The `Location` header, if any.
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The value of the first `<input name="NAME">` on the page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        hidden(&self.body, name)
    }

    /// Every form of the page.
    pub fn forms(&self) -> Vec<Form> {
        forms(&self.body)
    }

    /// The sign-in form: a POST form with a password field.
    pub fn login_form(&self) -> Option<Form> {
        self.forms()
            .into_iter()
            .find(|f| f.method == "post" && f.inputs.iter().any(|i| i.kind == "password"))
    }

    /// The consent form: a POST form with submit buttons and no password field.
    pub fn consent_form(&self) -> Option<Form> {
        self.forms().into_iter().find(|f| {
            f.method == "post"
                && !f.buttons.is_empty()
                && !f.inputs.iter().any(|i| i.kind == "password")
        })
    }

    pub fn is_login_form(&self) -> bool {
        !self.status.is_redirection() && self.login_form().is_some()
    }

    pub fn is_consent_form(&self) -> bool {
        self.status == StatusCode::OK && self.consent_form().is_some()
    }
}

/// An `<input>` of a form (not a submit button).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The `type`, lower case (`text` when absent).
    pub kind: String,
    pub name: String,
    pub value: String,
    /// For checkboxes and radios: whether it is checked.
    pub checked: bool,
}

/// A submit button (`<button>` or `<input type=submit>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub name: String,
    pub value: String,
    /// The text the user reads on it.
    pub label: String,
}

/// A form of a page, as a user agent would submit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The `action` attribute as written (empty: the page's own URL).
    pub action: String,
    /// `get` or `post`.
    pub method: String,
    pub inputs: Vec<Input>,
    pub buttons: Vec<Button>,
}

impl Form {
    /// The fields of a sign-in: the user name typed into `username` (or `login`,
    /// `user`, an email field), the password into password fields, `otp` into
    /// the one-time-code field, everything else as the page set it; then the
    /// first named submit button.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        otp: Option<&str>,
    ) -> Vec<(String, String)> {
        let mut fields = self.fill(|input| match (input.kind.as_str(), input.name.as_str()) {
            ("password", _) | (_, "password") => Some(password.to_owned()),
            (_, "username" | "login" | "user") | ("email", _) => Some(username.to_owned()),
            (_, "otp") => Some(otp.unwrap_or_default().to_owned()),
            _ => None,
        });
        fields.extend(
            self.buttons
                .iter()
                .find(|b| !b.name.is_empty())
                .map(Button::pair),
        );
        fields
    }

    /// The fields of a consent answer: the page's fields as set, and the
    /// button that allows (`allow`, `approve`, `authorize`, `yes`) or denies
    /// (`deny`, `cancel`, `reject`, `no`).
    pub fn decision(&self, allow: bool) -> Result<Vec<(String, String)>, Error> {
        let words: &[&str] = if allow {
            &["allow", "approve", "authorize", "yes"]
        } else {
            &["deny", "cancel", "reject", "no"]
        };
        let button = self
            .buttons
            .iter()
            .find(|b| {
                let said = format!("{} {}", b.value, b.label).to_ascii_lowercase();
                words
                    .iter()
                    .any(|w| said.split_whitespace().any(|s| s == *w))
            })
            .ok_or_else(|| {
                Error(format!(
                    "no {} button among {:?}",
                    if allow { "allow" } else { "deny" },
                    self.buttons
                ))
            })?;
        let mut fields = self.fill(|_| None);
        if !button.name.is_empty() {
            fields.push(button.pair());
        }
        Ok(fields)
    }

    /// Named inputs in page order, `typed` choosing a value (None: as the page
    /// set it); unchecked checkboxes and radios are left out, as browsers do.
    fn fill(&self, typed: impl Fn(&Input) -> Option<String>) -> Vec<(String, String)> {
        self.inputs
            .iter()
            .filter(|i| !i.name.is_empty())
            .filter(|i| !matches!(i.kind.as_str(), "checkbox" | "radio") || i.checked)
            .map(|i| {
                let value = typed(i).unwrap_or_else(|| i.value.clone());
                (i.name.clone(), value)
            })
            .collect()
    }
}

impl Button {
    fn pair(&self) -> (String, String) {
        (self.name.clone(), self.value.clone())
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

fn attr(element: &ElementRef<'_>, name: &str) -> String {
    element.value().attr(name).unwrap_or_default().to_owned()
}

/// Every form of an HTML page, its fields and buttons in page order.
pub fn forms(html: &str) -> Vec<Form> {
    let doc = Html::parse_document(html);
    let fields = selector("input, button");
    doc.select(&selector("form"))
        .map(|form| {
            let mut out = Form {
                action: attr(&form, "action"),
                method: form
                    .value()
                    .attr("method")
                    .unwrap_or("get")
                    .to_ascii_lowercase(),
                inputs: Vec::new(),
                buttons: Vec::new(),
            };
            for field in form.select(&fields) {
                let is_button = field.value().name() == "button";
                let kind = field
                    .value()
                    .attr("type")
                    .unwrap_or(if is_button { "submit" } else { "text" })
                    .to_ascii_lowercase();
                let name = attr(&field, "name");
                let value = attr(&field, "value");
                if kind == "submit" {
                    let label = if is_button {
                        field.text().collect::<String>().trim().to_owned()
                    } else {
                        value.clone()
                    };
                    out.buttons.push(Button { name, value, label });
                } else if is_button {
                    // `type=button` or `reset`: submits nothing.
                } else {
                    let checked = field.value().attr("checked").is_some();
                    out.inputs.push(Input {
                        kind,
                        name,
                        value,
                        checked,
                    });
                }
            }
            out
        })
        .collect()
}

/// The value of the first `<input name="NAME">`, entities decoded.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    doc.select(&selector("input"))
        .find(|i| i.value().attr("name") == Some(name))
        .and_then(|i| i.value().attr("value").map(str::to_owned))
}

/// A user agent with a cookie jar, bound to one authorization server.
#[derive(Debug)]
pub struct Browser {
    base: Url,
    http: reqwest::Client,
    jar: Arc<Jar>,
}

impl Browser {
    /// A browser with no cookies for the server at `origin`.
    pub fn new<O: Origin + ?Sized>(origin: &O) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .expect("an HTTP client builds");
        Self {
            base: origin.origin_url(),
            http,
            jar,
        }
    }

    /// Resolves a path (or absolute URL) against the server.
    pub fn absolute(&self, url: &str) -> Url {
        self.base
            .join(url)
            .unwrap_or_else(|e| panic!("URL {url:?}: {e}"))
    }

    /// Whether `url` is on this server (an internal hop) rather than the client's callback.
    pub fn is_internal(&self, url: &str) -> bool {
        self.base
            .join(url)
            .is_ok_and(|u| u.origin() == self.base.origin())
    }

    /// The value of the cookie `name` the server set, as it would be sent back.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let header = self.jar.cookies(&self.base)?;
        let header = header.to_str().ok()?.to_owned();
        header
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    }

    async fn read(&self, url: Url, resp: reqwest::Response) -> Result<Page, Error> {
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.text().await?;
        Ok(Page {
            url,
            status,
            headers,
            body,
        })
    }

    /// `GET url`, without following a redirect.
    pub async fn try_get(&mut self, url: &str) -> Result<Page, Error> {
        let url = self.base.join(url)?;
        let resp = self.http.get(url.clone()).send().await?;
        self.read(url, resp).await
    }

    /// POSTs a form to `url`, without following a redirect.
    pub async fn try_post<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        url: &str,
        form: &[(K, V)],
    ) -> Result<Page, Error> {
        let url = self.base.join(url)?;
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            body.append_pair(k.as_ref(), v.as_ref());
        }
        let resp = self
            .http
            .post(url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body.finish())
            .send()
            .await?;
        self.read(url, resp).await
    }

    pub async fn get(&mut self, url: &str) -> Page {
        self.try_get(url)
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        self.try_post(url, form)
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"))
    }

    /// Submits `form` of `page` (its action resolved against the page's URL).
    async fn submit(
        &mut self,
        page: &Page,
        form: &Form,
        fields: &[(String, String)],
    ) -> Result<Page, Error> {
        let action = page.url.join(&form.action)?;
        self.try_post(action.as_str(), fields).await
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

    /// Submits the login form of a page already loaded.
    pub async fn submit_login(
        &mut self,
        page: &Page,
        user: &str,
        password: &str,
        otp: Option<&str>,
    ) -> Page {
        self.try_submit_login(page, user, password, otp)
            .await
            .unwrap_or_else(|e| panic!("login: {e}"))
    }

    async fn try_submit_login(
        &mut self,
        page: &Page,
        user: &str,
        password: &str,
        otp: Option<&str>,
    ) -> Result<Page, Error> {
        let form = page
            .login_form()
            .ok_or_else(|| Error(format!("no login form at {}: {}", page.url, page.body)))?;
        let fields = form.sign_in(user, password, otp);
        self.submit(page, &form, &fields).await
    }

    /// Presses Allow (`true`) or Deny on a consent page.
    pub async fn decide(&mut self, consent: &Page, allow: bool) -> Page {
        self.try_decide(consent, allow)
            .await
            .unwrap_or_else(|e| panic!("consent: {e}"))
    }

    async fn try_decide(&mut self, consent: &Page, allow: bool) -> Result<Page, Error> {
        let form = consent.consent_form().ok_or_else(|| {
            Error(format!(
                "no consent form at {}: {}",
                consent.url, consent.body
            ))
        })?;
        let fields = form.decision(allow)?;
        self.submit(consent, &form, &fields).await
    }

    /// The user's journey from `page`: follows redirects until `leaves` says a
    /// target is the way out, signs in as `user` (TOTP computed for two-factor
    /// demo users) and answers consent with `allow`. Returns the first answer
    /// that is neither a redirect to follow, a login form nor a consent page:
    /// usually the redirect out. A sign-in the server refuses is an error.
    pub async fn journey(
        &mut self,
        mut page: Page,
        user: &str,
        password: &str,
        allow: bool,
        leaves: impl Fn(&Url) -> bool,
    ) -> Result<Page, Error> {
        for _ in 0..MAX_HOPS {
            if page.status.is_redirection() {
                let location = page.location().ok_or_else(|| {
                    Error(format!(
                        "{} without a Location at {}",
                        page.status, page.url
                    ))
                })?;
                let target = page.url.join(location)?;
                if leaves(&target) {
                    return Ok(page);
                }
                page = self.try_get(target.as_str()).await?;
            } else if page.is_login_form() {
                let otp = (user == "bob").then(|| totp_now(BOB_TOTP_SECRET));
                page = self
                    .try_submit_login(&page, user, password, otp.as_deref())
                    .await?;
                if !page.status.is_redirection() {
                    return Err(Error(format!(
                        "sign-in as {user} refused ({}): {}",
                        page.status, page.body
                    )));
                }
            } else if page.is_consent_form() {
                page = self.try_decide(&page, allow).await?;
            } else {
                return Ok(page);
            }
        }
        Err(Error(format!(
            "still no way out after {MAX_HOPS} pages; last at {}",
            page.url
        )))
    }

    /// [`journey`](Self::journey) until the server sends the user agent off
    /// this server (to the client's callback); panics on a refused sign-in.
    pub async fn drive(&mut self, page: Page, user: &str, password: &str, allow: bool) -> Page {
        let base = self.base.clone();
        self.journey(page, user, password, allow, |u| u.origin() != base.origin())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Opens `start`, signs in as `user` and allows, until the server redirects
    /// to a URL starting with `callback_prefix`; returns that URL (not fetched).
    pub async fn authorize_until(
        &mut self,
        start: &Url,
        callback_prefix: &str,
        user: &str,
        password: &str,
    ) -> Result<Url, Error> {
        let first = self.try_get(start.as_str()).await?;
        let last = self
            .journey(first, user, password, true, |u| {
                u.as_str().starts_with(callback_prefix)
            })
            .await?;
        match last.location() {
            Some(location) if last.status.is_redirection() => Ok(last.url.join(location)?),
            _ => Err(Error(format!(
                "the server answered {} at {} instead of redirecting to {callback_prefix}",
                last.status,
                last.url.path()
            ))),
        }
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
pub async fn authorize_code<O: Origin + ?Sized>(
    server: &O,
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
    browser: &mut Browser,
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

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = r#"<!doctype html><main><form method="POST" action="/oauth/login">
        <input type="hidden" name="csrf_token" value="a&amp;b&quot;c">
        <input type="hidden" name="next" value="/oauth/authorize?x=1&amp;y=2">
        <label>User <input type="text" name="username" value=""></label>
        <label>Password <input type="password" name="password"></label>
        <input name="otp" inputmode="numeric">
        <input type="checkbox" name="remember">
        <button type="submit" name="action" value="login">Sign in</button>
        </form></main>"#;

    const CONSENT: &str = r#"<form method="post" action="/oauth/authorize/decision">
        <input type="hidden" name="request_id" value="r1">
        <input type="hidden" name="csrf_token" value="t">
        <button type="submit" name="decision" value="allow">Allow</button>
        <button name="decision" value="deny">Deny</button>
        <button type="button">Help</button></form>"#;

    #[test]
    fn the_login_form_is_filled_by_its_fields() {
        let form = &forms(LOGIN)[0];
        assert_eq!(form.method, "post");
        assert_eq!(form.action, "/oauth/login");
        assert_eq!(
            form.sign_in("alice", "pw", Some("123456")),
            [
                ("csrf_token", "a&b\"c"),
                ("next", "/oauth/authorize?x=1&y=2"),
                ("username", "alice"),
                ("password", "pw"),
                ("otp", "123456"),
                ("action", "login"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(hidden(LOGIN, "csrf_token").as_deref(), Some("a&b\"c"));
        assert_eq!(hidden(LOGIN, "nope"), None);
    }

    #[test]
    fn consent_presses_the_named_button() {
        let form = &forms(CONSENT)[0];
        assert_eq!(form.buttons.len(), 2, "type=button submits nothing");
        let pairs = |allow| form.decision(allow).unwrap();
        assert_eq!(
            pairs(true).last().unwrap(),
            &("decision".into(), "allow".into())
        );
        assert_eq!(
            pairs(false).last().unwrap(),
            &("decision".into(), "deny".into())
        );
        assert_eq!(pairs(true).len(), 3);
        let no_deny =
            forms(r#"<form method="post"><button name="go" value="allow">Allow</button></form>"#);
        assert!(no_deny[0].decision(false).is_err());
    }

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
