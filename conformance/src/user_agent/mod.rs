//! The browser of the front channel (a cookie jar and a scripted walk through
//! login and consent), on raw HTTP for both channels.
//!
//! It never follows a redirect by itself: every hop is recorded so scenarios can
//! check status codes and headers along the way, and a redirect that leaves the
//! server (to the client's `redirect_uri`) is captured, never fetched.
//!
//! - [`http`]: requests built by hand, responses, transport errors.
//! - [`forms`]: the forms and links of scripted pages.
//! - [`totp`]: the second factor's codes.

use std::fmt;
use std::sync::Arc;

use reqwest::cookie::Jar;
use url::Url;

use crate::config::{PageScript, Target, UserConfig};

mod forms;
mod http;
mod record;
mod totp;

pub use forms::{Form, follow_link, parse_forms, parse_links, press, submit_form};
pub use http::{HttpResponse, REQUEST_TIMEOUT, RawRequest, encode_form, send};
pub use record::{
    Exchange, Exchanges, MAX_BODY, MAX_EXCHANGES, MAX_RETRIES, MAX_RETRY_AFTER, REDACTED, Recorder,
};
pub use totp::totp_now;

/// One step of a front-channel journey.
#[derive(Clone, Debug)]
pub struct Hop {
    /// Method used.
    pub method: String,
    /// What came back.
    pub response: HttpResponse,
    /// The page this response was recognised as.
    pub page: Option<PageKind>,
}

/// Pages the user agent knows how to get through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// A login (or second-factor) form.
    Login,
    /// A consent form.
    Consent,
}

/// What the user does on a consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Press the allow button.
    Allow,
    /// Press the deny button.
    Deny,
    /// Stop on the consent page without pressing anything (to look at it,
    /// leaving the scope unapproved).
    Stop,
}

/// Where a front-channel journey ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The server redirected the browser away from itself (to the client).
    Redirect(Url),
    /// The server showed a page that is neither login nor consent.
    Page(HttpResponse),
}

/// A browser: a cookie jar and a record of every hop.
pub struct UserAgent {
    jar: Arc<Jar>,
    target: &'static Target,
    http: Recorder,
    /// Every hop of the last journey.
    pub hops: Vec<Hop>,
}

impl fmt::Debug for UserAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserAgent")
            .field("hops", &self.hops.len())
            .finish_non_exhaustive()
    }
}

impl UserAgent {
    /// A fresh browser (empty cookie jar, plus any cookies the target names)
    /// sending through the scenario's recorder.
    pub fn new(target: &'static Target, http: Recorder) -> Self {
        let jar = Arc::new(Jar::default());
        for c in &target.interaction.cookies {
            jar.add_cookie_str(c, &target.server.issuer);
        }
        Self {
            jar,
            target,
            http,
            hops: Vec::new(),
        }
    }

    /// Sends one front-channel request with the cookie jar, recording the hop.
    pub async fn request(&mut self, req: &RawRequest) -> Result<HttpResponse, String> {
        let resp = self.http.send_in(req, Some(&self.jar)).await?;
        self.hops.push(Hop {
            method: req.method.clone(),
            response: resp.clone(),
            page: None,
        });
        Ok(resp)
    }

    /// Opens `url` and walks through login and consent as `user`, deciding
    /// `decision` on a consent page, until the server redirects away from itself
    /// or shows some other page.
    pub async fn journey(
        &mut self,
        url: Url,
        user: &UserConfig,
        decision: Decision,
    ) -> Result<Outcome, String> {
        self.hops.clear();
        if self.target.interaction.mode == "manual" {
            // The person at the browser is not the server: their time does
            // not count against the scenario's deadline.
            let started = std::time::Instant::now();
            let outcome = manual(url, decision).await;
            self.http.waited(started.elapsed());
            return outcome;
        }
        let origin = self.target.server.issuer.origin();
        let mut req = RawRequest::get(url);
        for _ in 0..16 {
            let resp = self.request(&req).await?;
            if resp.is_redirect() {
                let next = resp
                    .location()
                    .ok_or_else(|| format!("redirect {} without a usable Location", resp.status))?;
                let ours = next.origin() == origin
                    || self
                        .target
                        .interaction
                        .follow_origins
                        .iter()
                        .any(|o| Url::parse(o).is_ok_and(|o| o.origin() == next.origin()));
                if !ours || next.scheme() != "http" && next.scheme() != "https" {
                    self.consent_was_skipped(decision, "redirected to the client")?;
                    return Ok(Outcome::Redirect(next));
                }
                req = RawRequest::get(next);
                continue;
            }
            let Some(script) = self.recognise(&resp) else {
                let at = format!("showed HTTP {} at {}", resp.status, resp.url.path());
                self.consent_was_skipped(decision, &at)?;
                return Ok(Outcome::Page(resp));
            };
            let kind = if script.kind == "login" {
                PageKind::Login
            } else {
                PageKind::Consent
            };
            if let Some(h) = self.hops.last_mut() {
                h.page = Some(kind);
            }
            let button = match (kind, decision) {
                (PageKind::Consent, Decision::Stop) => return Ok(Outcome::Page(resp)),
                (PageKind::Consent, Decision::Deny) => script.deny.clone().ok_or(
                    "the consent page was shown, but its script (kind = \"consent\") has no `deny` button to press",
                )?,
                _ => script.submit.clone(),
            };
            let values = |tpl: &str| fill_template(tpl, user);
            req = press(&resp, script, &button, values)?;
        }
        Err("more than 16 hops without reaching the client".into())
    }

    /// A journey that was to deny (or stop on) the consent page ended
    /// without one: the step did not happen, so it fails saying so.
    fn consent_was_skipped(&self, decision: Decision, ended: &str) -> Result<(), String> {
        let shown = self.hops.iter().any(|h| h.page == Some(PageKind::Consent));
        match decision {
            Decision::Deny if !shown => Err(format!(
                "the user was to deny the request, but consent was skipped: no consent page was shown before the server {ended}"
            )),
            Decision::Stop if !shown => Err(format!(
                "the user was to look at the consent page, but consent was skipped: no consent page was shown before the server {ended}"
            )),
            _ => Ok(()),
        }
    }

    fn recognise(&self, resp: &HttpResponse) -> Option<&'static PageScript> {
        if resp.status != 200 {
            return None;
        }
        self.target.interaction.pages.iter().find(|p| {
            resp.url.as_str().contains(&p.url_contains) && resp.body.contains(&p.body_contains)
        })
    }
}

async fn manual(url: Url, decision: Decision) -> Result<Outcome, String> {
    static STDIN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _guard = STDIN.lock().await;
    let what = match decision {
        Decision::Allow => "complete the flow, approving the request",
        Decision::Deny => "log in and DENY the request on the consent page",
        Decision::Stop => "log in and stop on the consent page (paste its URL)",
    };
    println!(
        "\nOpen this URL in a browser, {what}, and paste the URL the browser was redirected to:\n  {url}"
    );
    let line = tokio::task::spawn_blocking(|| {
        let mut s = String::new();
        std::io::stdin().read_line(&mut s).map(|_| s)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    Url::parse(line.trim())
        .map(Outcome::Redirect)
        .map_err(|e| format!("not a URL: {e}"))
}

fn fill_template(tpl: &str, user: &UserConfig) -> String {
    let totp = if tpl.contains("{totp}") {
        totp_now(user).unwrap_or_default()
    } else {
        String::new()
    };
    tpl.replace("{username}", &user.username)
        .replace("{password}", &user.password)
        .replace("{totp}", &totp)
}
