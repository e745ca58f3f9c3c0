//! An HTTP user agent for the front channel, and raw HTTP for the back channel.
//!
//! It never follows a redirect by itself: every hop is recorded so scenarios can
//! check status codes and headers along the way, and a redirect that leaves the
//! server (to the client's `redirect_uri`) is captured, never fetched.

use std::fmt;
use std::sync::{Arc, OnceLock};

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;
use url::Url;

use crate::config::{PageScript, Target, UserConfig};

/// One HTTP response, fully read.
#[derive(Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// URL that was requested.
    pub url: Url,
    /// Headers, names lower-case, in order.
    pub headers: Vec<(String, String)>,
    /// Body as text (lossy UTF-8).
    pub body: String,
}

impl HttpResponse {
    /// First value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// A member of a JSON object body, as a string.
    pub fn member(&self, name: &str) -> Option<String> {
        match self.json()?.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// The `Location` header resolved against the request URL.
    pub fn location(&self) -> Option<Url> {
        self.header("location").and_then(|l| self.url.join(l).ok())
    }

    /// Whether the status is a redirect.
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }

    /// A one-line description for failure messages (no secrets: bodies are cut).
    pub fn describe(&self) -> String {
        let body = match self.json() {
            Some(serde_json::Value::Object(mut m)) => {
                for k in ["access_token", "refresh_token", "id_token"] {
                    if let Some(v) = m.get_mut(k) {
                        *v = serde_json::Value::String("[redacted]".into());
                    }
                }
                serde_json::Value::Object(m).to_string()
            }
            _ => self.body.clone(),
        };
        let body: String = body.chars().take(300).collect();
        format!(
            "HTTP {} from {} {}",
            self.status,
            self.url.path(),
            body.replace('\n', " ")
        )
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {}", self.status, self.url.path())
    }
}

/// A request built by hand.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// `GET` or `POST` (or anything else).
    pub method: String,
    /// Full URL, query included.
    pub url: Url,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Form fields (sent as `application/x-www-form-urlencoded` when present).
    pub form: Option<Vec<(String, String)>>,
    /// A raw body with its content type, instead of a form.
    pub raw_body: Option<(String, String)>,
}

impl RawRequest {
    /// A GET.
    pub fn get(url: Url) -> Self {
        Self {
            method: "GET".into(),
            url,
            headers: Vec::new(),
            form: None,
            raw_body: None,
        }
    }

    /// A form POST.
    pub fn post_form(url: Url, form: Vec<(String, String)>) -> Self {
        Self {
            method: "POST".into(),
            url,
            headers: Vec::new(),
            form: Some(form),
            raw_body: None,
        }
    }
}

/// Encodes fields as `application/x-www-form-urlencoded`, repeats kept.
pub fn encode_form(fields: &[(String, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// How long one request may take, connection and body included.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("HTTP client builds")
    })
}

/// Sends one request without cookies (the back channel).
pub async fn send(req: &RawRequest) -> Result<HttpResponse, String> {
    send_with(req, None).await
}

async fn send_with(req: &RawRequest, jar: Option<&Jar>) -> Result<HttpResponse, String> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut b = http().request(method, req.url.clone());
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    if let Some(jar) = jar
        && let Some(c) = jar.cookies(&req.url)
    {
        b = b.header("cookie", c);
    }
    if let Some(form) = &req.form {
        b = b
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode_form(form));
    } else if let Some((ct, body)) = &req.raw_body {
        b = b.header("content-type", ct).body(body.clone());
    }
    let resp = b.send().await.map_err(|e| transport_error(req, &e))?;
    let status = resp.status().as_u16();
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    if let Some(jar) = jar {
        let set: Vec<HeaderValue> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .cloned()
            .collect();
        jar.set_cookies(&mut set.iter(), &req.url);
    }
    let bytes = resp.bytes().await.map_err(|e| transport_error(req, &e))?;
    Ok(HttpResponse {
        status,
        url: req.url.clone(),
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// The URL of `req` for a message: origin and path, the query (which may
/// hold a code or a secret) only marked.
fn shown_url(req: &RawRequest) -> String {
    let u = &req.url;
    let q = if u.query().is_some() { "?…" } else { "" };
    format!("{}{}{q}", u.origin().ascii_serialization(), u.path())
}

/// Says what went wrong with a request: a timeout names the limit and the URL.
fn transport_error(req: &RawRequest, e: &reqwest::Error) -> String {
    let url = shown_url(req);
    if e.is_timeout() {
        format!(
            "{} {url} timed out: no complete answer within the {} s request timeout",
            req.method,
            REQUEST_TIMEOUT.as_secs()
        )
    } else if e.is_connect() {
        format!("{} {url}: cannot connect ({e})", req.method)
    } else {
        format!("{} {url} failed: {e}", req.method)
    }
}

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
    /// A fresh browser (empty cookie jar, plus any cookies the target names).
    pub fn new(target: &'static Target) -> Self {
        let jar = Arc::new(Jar::default());
        for c in &target.interaction.cookies {
            jar.add_cookie_str(c, &target.server.issuer);
        }
        Self {
            jar,
            target,
            hops: Vec::new(),
        }
    }

    /// Sends one front-channel request with the cookie jar, recording the hop.
    pub async fn request(&mut self, req: &RawRequest) -> Result<HttpResponse, String> {
        let resp = send_with(req, Some(&self.jar)).await?;
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
            return manual(url, decision).await;
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

/// The current TOTP code of a user (RFC 6238: SHA-1, 6 digits, 30 s).
pub fn totp_now(user: &UserConfig) -> Option<String> {
    let secret = user.totp_secret.as_ref()?;
    let bytes = totp_rs::Secret::Encoded(secret.clone()).to_bytes().ok()?;
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes);
    totp.generate_current().ok()
}

/// What a browser sends when the user presses `button` of a scripted page: a
/// link is followed, a button submits its form with the script's fields.
pub fn press(
    page: &HttpResponse,
    script: &PageScript,
    button: &crate::config::Button,
    value: impl Fn(&str) -> String,
) -> Result<RawRequest, String> {
    match &button.link {
        Some(text) => follow_link(page, text),
        None => submit_form_in(page, script.form.as_ref(), &script.fields, button, value),
    }
}

/// The GET a browser sends when the link whose text contains `text` is clicked.
pub fn follow_link(page: &HttpResponse, text: &str) -> Result<RawRequest, String> {
    let links = parse_links(&page.body);
    let want = text.to_lowercase();
    let (_, href) = links
        .iter()
        .find(|(t, _)| t.to_lowercase().contains(&want))
        .ok_or_else(|| {
            let seen: Vec<&str> = links.iter().map(|(t, _)| t.as_str()).collect();
            format!(
                "no link showing {text:?} on {}; its links show {seen:?}",
                page.url.path()
            )
        })?;
    let url = page
        .url
        .join(href)
        .map_err(|e| format!("bad link href {href:?}: {e}"))?;
    Ok(RawRequest::get(url))
}

/// Builds the request a browser sends when `button` is pressed in the form of
/// `page` that holds it, with `fields` filled (empty values are left out).
pub fn submit_form(
    page: &HttpResponse,
    fields: &std::collections::BTreeMap<String, String>,
    button: &crate::config::Button,
    value: impl Fn(&str) -> String,
) -> Result<RawRequest, String> {
    submit_form_in(page, None, fields, button, value)
}

fn submit_form_in(
    page: &HttpResponse,
    choice: Option<&crate::config::FormChoice>,
    fields: &std::collections::BTreeMap<String, String>,
    button: &crate::config::Button,
    value: impl Fn(&str) -> String,
) -> Result<RawRequest, String> {
    let forms = parse_forms(&page.body);
    let chosen = |(i, f): &(usize, &Form)| {
        choice.is_none_or(|c| {
            c.index.is_none_or(|n| n == *i)
                && c.id.as_ref().is_none_or(|id| f.id.as_ref() == Some(id))
                && c.action_contains
                    .as_ref()
                    .is_none_or(|a| f.action.contains(a.as_str()))
        })
    };
    let candidates: Vec<&Form> = forms
        .iter()
        .enumerate()
        .filter(chosen)
        .map(|(_, f)| f)
        .collect();
    let unnamed = button.name.is_empty();
    let form = candidates
        .iter()
        .find(|f| {
            if unnamed {
                f.has_unnamed_button(button.label.as_deref())
            } else {
                f.buttons
                    .iter()
                    .any(|(n, v)| *n == button.name && *v == button.value)
            }
        })
        .or_else(|| {
            candidates
                .iter()
                .find(|f| !unnamed && fields.keys().any(|k| f.has_field(k)))
        })
        .copied()
        .ok_or_else(|| {
            let which = if unnamed {
                match &button.label {
                    Some(l) => format!("a button without a name showing {l:?}"),
                    None => "a button without a name".into(),
                }
            } else {
                format!("button {}={}", button.name, button.value)
            };
            let chosen = choice.map_or(String::new(), |c| format!(" (form chosen by {c:?})"));
            format!(
                "no form with {which}{chosen} on {}; {}",
                page.url.path(),
                describe_forms(&forms)
            )
        })?;
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, default) in &form.inputs {
        let v = match fields.get(name) {
            Some(tpl) => value(tpl),
            None => default.clone(),
        };
        if fields.contains_key(name) && v.is_empty() {
            continue;
        }
        out.push((name.clone(), v));
    }
    for (name, tpl) in fields {
        if !form.has_field(name) {
            let v = value(tpl);
            if !v.is_empty() {
                out.push((name.clone(), v));
            }
        }
    }
    // A button without a name adds nothing to the form data (HTML's form
    // submission algorithm skips unnamed submitters).
    if !button.name.is_empty() {
        out.push((button.name.clone(), button.value.clone()));
    }
    let action = page
        .url
        .join(&form.action)
        .map_err(|e| format!("bad form action: {e}"))?;
    if form.method.eq_ignore_ascii_case("post") {
        Ok(RawRequest::post_form(action, out))
    } else {
        let mut url = action;
        url.set_query(Some(&encode_form(&out)));
        Ok(RawRequest::get(url))
    }
}

/// The forms of a page, for a message: method, action, named buttons and
/// fields of each (values left out: they may be CSRF tokens).
fn describe_forms(forms: &[Form]) -> String {
    if forms.is_empty() {
        return "the page has no <form> at all".into();
    }
    let each: Vec<String> = forms
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut buttons: Vec<String> =
                f.buttons.iter().map(|(n, v)| format!("{n}={v}")).collect();
            buttons.extend(f.unnamed_buttons.iter().map(|l| format!("unnamed {l:?}")));
            let fields: Vec<&str> = f.inputs.iter().map(|(n, _)| n.as_str()).collect();
            let action = if f.action.is_empty() {
                "(this page)"
            } else {
                &f.action
            };
            let id =
                f.id.as_ref()
                    .map(|id| format!(" id={id:?}"))
                    .unwrap_or_default();
            format!(
                "form {}{id} ({} {action}) has buttons [{}] and fields [{}]",
                i + 1,
                f.method.to_ascii_uppercase(),
                buttons.join(", "),
                fields.join(", ")
            )
        })
        .collect();
    format!("the page has {} form(s): {}", forms.len(), each.join("; "))
}

/// An HTML form, as far as a user agent needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Form {
    /// `method` attribute (default GET).
    pub method: String,
    /// `action` attribute (default: the page itself).
    pub action: String,
    /// Named inputs with their current values (submit buttons excluded).
    pub inputs: Vec<(String, String)>,
    /// Named submit buttons.
    pub buttons: Vec<(String, String)>,
    /// The `id` attribute.
    pub id: Option<String>,
    /// Submit buttons without a name, by the text they show.
    pub unnamed_buttons: Vec<String>,
}

impl Form {
    fn has_field(&self, name: &str) -> bool {
        self.inputs.iter().any(|(n, _)| n == name)
    }

    /// An unnamed submit button showing `label` (any, without a label).
    fn has_unnamed_button(&self, label: Option<&str>) -> bool {
        match label {
            None => !self.unnamed_buttons.is_empty(),
            Some(l) => {
                let l = l.to_lowercase();
                self.unnamed_buttons
                    .iter()
                    .any(|b| b.to_lowercase().contains(&l))
            }
        }
    }
}

/// The links of a page: the text each shows (tags stripped, spaces
/// collapsed) and its `href`.
pub fn parse_links(html: &str) -> Vec<(String, String)> {
    let lower = html.to_ascii_lowercase();
    let mut links = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find("<a").map(|i| i + pos) {
        let after = lower.as_bytes().get(start + 2).copied();
        pos = start + 2;
        if !after.is_some_and(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let end = lower[tag_end..]
            .find("</a")
            .map_or(html.len(), |i| i + tag_end);
        let attrs = parse_attrs(&html[start + 2..tag_end]);
        if let Some(href) = attr(&attrs, "href") {
            links.push((text_of(&html[tag_end + 1..end]), href));
        }
        pos = end.max(tag_end);
    }
    links
}

/// The text of an HTML fragment: tags dropped, entities decoded, whitespace
/// collapsed.
fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Finds the forms of a page (enough HTML for server-rendered forms).
pub fn parse_forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut forms = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find("<form").map(|i| i + pos) {
        let end = lower[start..]
            .find("</form")
            .map_or(html.len(), |i| i + start);
        let tag_end = lower[start..].find('>').map_or(end, |i| i + start);
        let attrs = parse_attrs(&html[start + 5..tag_end]);
        let mut form = Form {
            method: attr(&attrs, "method").unwrap_or_else(|| "get".into()),
            action: attr(&attrs, "action").unwrap_or_default(),
            id: attr(&attrs, "id"),
            ..Form::default()
        };
        let inner = &html[tag_end.min(end)..end];
        let inner_lower = &lower[tag_end.min(end)..end];
        let mut p = 0;
        while let Some(i) = inner_lower[p..].find('<').map(|i| i + p) {
            let close = inner_lower[i..].find('>').map_or(inner.len(), |j| j + i);
            let tag = &inner_lower[i + 1..close];
            let name_end = tag
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(tag.len());
            let tag_name = &tag[..name_end];
            if tag_name == "input" || tag_name == "button" {
                let a = parse_attrs(&inner[i + 1 + name_end..close]);
                let ty = attr(&a, "type").unwrap_or_else(|| {
                    if tag_name == "button" {
                        "submit".into()
                    } else {
                        "text".into()
                    }
                });
                let name = attr(&a, "name").filter(|n| !n.is_empty());
                if name.is_none() && ty.eq_ignore_ascii_case("submit") {
                    let label = if tag_name == "button" {
                        let text_end = inner_lower[close..]
                            .find("</button")
                            .map_or(inner.len(), |j| j + close);
                        text_of(&inner[(close + 1).min(text_end)..text_end])
                    } else {
                        attr(&a, "value").unwrap_or_else(|| "Submit".into())
                    };
                    form.unnamed_buttons.push(label);
                }
                if let Some(name) = name {
                    let value = attr(&a, "value").unwrap_or_default();
                    if ty.eq_ignore_ascii_case("submit") {
                        form.buttons.push((name, value));
                    } else if !matches!(ty.to_ascii_lowercase().as_str(), "checkbox" | "radio")
                        || a.iter().any(|(k, _)| k == "checked")
                    {
                        form.inputs.push((name, value));
                    }
                }
            }
            p = close.max(i + 1);
        }
        forms.push(form);
        pos = end.max(start + 5);
    }
    forms
}

fn attr(attrs: &[(String, String)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ks = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if ks == i {
            break;
        }
        let key = s[ks..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = decode_entities(&s[vs..i.min(b.len())]);
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = decode_entities(&s[vs..i]);
            }
        }
        out.push((key, value));
    }
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = r#"<html><body>
      <FORM method="post" action="/oauth/login">
        <input type="hidden" name="csrf_token" value="a&amp;b">
        <input type=hidden name='next' value="/oauth/authorize?client_id=x&amp;state=s">
        <input name="username"><input type="password" name="password">
        <input type="checkbox" name="remember">
        <button type="submit" name="action" value="login">Log in</button>
      </form></body></html>"#;

    fn page(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            url: Url::parse("http://127.0.0.1:1/oauth/login?next=x").unwrap(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    #[test]
    fn parses_inputs_buttons_and_entities() {
        let forms = parse_forms(LOGIN);
        assert_eq!(forms.len(), 1);
        let f = &forms[0];
        assert_eq!(f.method, "post");
        assert_eq!(f.action, "/oauth/login");
        assert_eq!(f.inputs[0], ("csrf_token".into(), "a&b".into()));
        assert_eq!(f.inputs[1].1, "/oauth/authorize?client_id=x&state=s");
        assert!(
            !f.has_field("remember"),
            "unchecked checkbox is not submitted"
        );
        assert_eq!(f.buttons, vec![("action".into(), "login".into())]);
    }

    #[test]
    fn submit_fills_fields_and_presses_button() {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("username".to_string(), "{u}".to_string());
        fields.insert("otp".to_string(), String::new());
        let button = crate::config::Button {
            name: "action".into(),
            value: "login".into(),
            ..Default::default()
        };
        let req = submit_form(&page(LOGIN), &fields, &button, |t| {
            t.replace("{u}", "alice")
        })
        .unwrap();
        assert_eq!(req.url.as_str(), "http://127.0.0.1:1/oauth/login");
        let form = req.form.unwrap();
        assert!(form.contains(&("username".into(), "alice".into())));
        assert!(form.contains(&("csrf_token".into(), "a&b".into())));
        assert!(
            !form.iter().any(|(k, _)| k == "otp"),
            "empty template values are left out"
        );
        assert_eq!(
            form.last().unwrap(),
            &("action".to_string(), "login".to_string())
        );
    }

    #[test]
    fn missing_button_is_an_error() {
        let button = crate::config::Button {
            name: "decision".into(),
            value: "allow".into(),
            ..Default::default()
        };
        let err = submit_form(&page("<p>nothing</p>"), &Default::default(), &button, |t| {
            t.into()
        });
        let err = err.unwrap_err();
        assert!(
            err.contains("decision=allow") && err.contains("no <form>"),
            "{err}"
        );
        // The forms that are there are named, with their buttons and fields.
        let err =
            submit_form(&page(LOGIN), &Default::default(), &button, |t| t.into()).unwrap_err();
        assert!(
            err.contains("1 form(s)")
                && err.contains("POST /oauth/login")
                && err.contains("[action=login]")
                && err.contains("username, password"),
            "{err}"
        );
        assert!(!err.contains("a&b"), "field values are not shown: {err}");
    }

    #[tokio::test]
    async fn a_timeout_names_the_limit_and_the_url_without_its_query() {
        // A loopback listener that accepts and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hold = tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        let req = RawRequest::get(
            Url::parse(&format!("http://{addr}/oauth/token?client_secret=s3cret")).unwrap(),
        );
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_millis(200))
            .build()
            .unwrap();
        let e = client.get(req.url.clone()).send().await.unwrap_err();
        let msg = transport_error(&req, &e);
        hold.abort();
        assert!(msg.contains("timed out"), "{msg}");
        assert!(
            msg.contains(&format!("{} s request timeout", REQUEST_TIMEOUT.as_secs())),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("http://{addr}/oauth/token?…")),
            "{msg}"
        );
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    /// oidc-provider's devInteractions consent page, reduced: a hidden input,
    /// a submit button without a name, and the deny action as a link.
    const CONSENT: &str = r#"<div><form autocomplete="off" action="/interaction/abc" method="post">
        <input type="hidden" name="prompt" value="consent"/>
        <button autofocus type="submit" class="login login-submit">Continue</button>
      </form>
      <form id="other" action="/elsewhere" method="post"><button type="submit">Continue</button></form>
      <div class="login-help"><a href="/interaction/abc/abort">[ Cancel ]</a></div></div>"#;

    fn script(submit: crate::config::Button) -> PageScript {
        PageScript {
            kind: "consent".into(),
            url_contains: String::new(),
            body_contains: String::new(),
            form: None,
            fields: Default::default(),
            submit,
            deny: None,
        }
    }

    #[test]
    fn an_unnamed_button_submits_its_form_and_adds_no_pair() {
        let button = crate::config::Button {
            label: Some("continue".into()),
            ..Default::default()
        };
        let req = press(&page(CONSENT), &script(button.clone()), &button, |t| {
            t.into()
        })
        .unwrap();
        assert_eq!(req.url.path(), "/interaction/abc");
        assert_eq!(
            req.form.unwrap(),
            vec![("prompt".to_string(), "consent".to_string())]
        );
        let mut by_id = script(button.clone());
        by_id.form = Some(crate::config::FormChoice {
            id: Some("other".into()),
            ..Default::default()
        });
        let req = press(&page(CONSENT), &by_id, &button, |t| t.into()).unwrap();
        assert_eq!(req.url.path(), "/elsewhere", "the form chosen by id");
        let wrong = crate::config::Button {
            label: Some("Allow".into()),
            ..Default::default()
        };
        let err = press(&page(CONSENT), &script(wrong.clone()), &wrong, |t| t.into()).unwrap_err();
        assert!(
            err.contains("\"Allow\"") && err.contains("unnamed \"Continue\""),
            "the error names the forms that were there: {err}"
        );
    }

    #[test]
    fn a_deny_link_is_followed() {
        let deny = crate::config::Button {
            link: Some("Cancel".into()),
            ..Default::default()
        };
        let req = press(&page(CONSENT), &script(deny.clone()), &deny, |t| t.into()).unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(req.url.as_str(), "http://127.0.0.1:1/interaction/abc/abort");
        let none = crate::config::Button {
            link: Some("Deny".into()),
            ..Default::default()
        };
        let err = press(&page(CONSENT), &script(none.clone()), &none, |t| t.into()).unwrap_err();
        assert!(err.contains("[ Cancel ]"), "{err}");
    }

    #[test]
    fn totp_matches_rfc6238_shape() {
        let user = UserConfig {
            username: "bob".into(),
            password: "x".into(),
            totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
        };
        let code = totp_now(&user).unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn describe_redacts_tokens() {
        let mut p =
            page(r#"{"access_token":"secret-at","refresh_token":"secret-rt","scope":"api"}"#);
        p.status = 200;
        let d = p.describe();
        assert!(!d.contains("secret-at") && !d.contains("secret-rt"), "{d}");
        assert!(d.contains("api"), "{d}");
    }

    #[test]
    fn form_encoding_keeps_repeats_and_escapes() {
        let f = vec![
            ("a".to_string(), "x y&".to_string()),
            ("a".to_string(), "2".to_string()),
        ];
        assert_eq!(encode_form(&f), "a=x+y%26&a=2");
    }
}
