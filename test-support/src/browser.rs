//! The user agent: cookies in reqwest's store, no automatic redirects, and the
//! journey through the login and consent pages.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use url::Url;

use crate::{BOB_TOTP_SECRET, CallbackUrl, Error, Form, Origin, Page, totp_now};

/// How many pages a journey may cross before it is called a loop.
const MAX_HOPS: usize = 10;

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
