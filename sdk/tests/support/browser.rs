//! A minimal user agent for the reference server's login and consent pages:
//! plain HTTP, a cookie jar of its own, no automatic redirects. It fills the
//! first form on each page: hidden inputs kept, `username`/`password` typed
//! in, and the submit button that allows.

use std::collections::BTreeMap;

use url::Url;

/// A form found in a page.
#[derive(Debug, Default)]
pub struct Form {
    pub action: String,
    pub method: String,
    /// (name, value) of inputs, in order.
    pub inputs: Vec<(String, String, String)>, // (type, name, value)
    /// (name, value) of submit buttons.
    pub buttons: Vec<(String, String)>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = &tag[at + name.len()..];
        let rest_trim = rest.trim_start();
        if before_ok && rest_trim.starts_with('=') {
            let v = rest_trim[1..].trim_start();
            let (q, body) = match v.chars().next() {
                Some(c @ ('"' | '\'')) => (Some(c), &v[1..]),
                _ => (None, v),
            };
            let end = match q {
                Some(c) => body.find(c).unwrap_or(body.len()),
                None => body
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(body.len()),
            };
            return Some(unescape(&body[..end]));
        }
        from = at + name.len();
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every form of a page, with its inputs and buttons.
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<form") {
        let start = from + i;
        let end = lower[start..]
            .find("</form")
            .map(|e| start + e)
            .unwrap_or(html.len());
        let tag_end = lower[start..].find('>').map(|e| start + e).unwrap_or(end);
        let tag = &html[start..tag_end];
        let mut form = Form {
            action: attr(tag, "action").unwrap_or_default(),
            method: attr(tag, "method")
                .unwrap_or_else(|| "get".into())
                .to_ascii_lowercase(),
            ..Form::default()
        };
        let body = &html[tag_end..end];
        let lbody = &lower[tag_end..end];
        for kind in ["<input", "<button"] {
            let mut f = 0;
            while let Some(j) = lbody[f..].find(kind) {
                let s = f + j;
                let e = lbody[s..].find('>').map(|x| s + x).unwrap_or(body.len());
                let t = &body[s..e];
                let ty = attr(t, "type")
                    .unwrap_or_else(|| {
                        if kind == "<button" {
                            "submit".into()
                        } else {
                            "text".into()
                        }
                    })
                    .to_ascii_lowercase();
                let name = attr(t, "name").unwrap_or_default();
                let value = attr(t, "value").unwrap_or_default();
                if ty == "submit" {
                    form.buttons.push((name, value));
                } else {
                    form.inputs.push((ty, name, value));
                }
                f = e;
            }
        }
        out.push(form);
        from = end.max(start + 5);
    }
    out
}

/// A user agent with a cookie jar that stops at `stop_prefix` (the client's
/// redirect URI) and returns the URL it was sent to.
pub struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    pub username: String,
    pub password: String,
}

impl Browser {
    pub fn new(username: &str, password: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            username: username.into(),
            password: password.into(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, resp: &reqwest::Response) {
        for c in resp.headers().get_all(reqwest::header::SET_COOKIE) {
            let c = c.to_str().unwrap_or_default();
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.trim().into(), v.trim().into());
            }
        }
    }

    /// Follows the flow from `start` until the server redirects to a URL
    /// starting with `stop_prefix`; fills login and consent forms on the way.
    pub async fn authorize(&mut self, start: &Url, stop_prefix: &str) -> Url {
        let mut next: (reqwest::Method, Url, Option<Vec<(String, String)>>) =
            (reqwest::Method::GET, start.clone(), None);
        for _ in 0..10 {
            let (method, url, form) = next;
            let mut req = self
                .http
                .request(method, url.as_str())
                .header(reqwest::header::COOKIE, self.cookie_header());
            if let Some(f) = &form {
                req = req.form(f);
            }
            let resp = req.send().await.expect("server reachable");
            self.keep_cookies(&resp);
            let status = resp.status();
            if status.is_redirection() {
                let loc = resp.headers()[reqwest::header::LOCATION]
                    .to_str()
                    .unwrap()
                    .to_owned();
                let target = url.join(&loc).unwrap();
                if target.as_str().starts_with(stop_prefix) {
                    return target;
                }
                next = (reqwest::Method::GET, target, None);
                continue;
            }
            let html = resp.text().await.unwrap();
            assert!(status.is_success(), "unexpected {status} at {url}: {html}");
            let form = forms(&html)
                .into_iter()
                .find(|f| f.method == "post")
                .unwrap_or_else(|| panic!("no form in page at {url}: {html}"));
            let mut fields: Vec<(String, String)> = Vec::new();
            for (ty, name, value) in &form.inputs {
                if name.is_empty() {
                    continue;
                }
                let v = match (ty.as_str(), name.as_str()) {
                    (_, "username" | "login" | "user") => self.username.clone(),
                    ("password", _) | (_, "password") => self.password.clone(),
                    ("checkbox", _) => {
                        if value.is_empty() {
                            "on".into()
                        } else {
                            value.clone()
                        }
                    }
                    _ => value.clone(),
                };
                fields.push((name.clone(), v));
            }
            let allow = form
                .buttons
                .iter()
                .find(|(n, v)| {
                    let s = format!("{n} {v}").to_ascii_lowercase();
                    s.contains("allow")
                        || s.contains("approve")
                        || s.contains("authorize")
                        || s.contains("yes")
                })
                .or_else(|| form.buttons.first());
            if let Some((n, v)) = allow
                && !n.is_empty()
            {
                fields.push((n.clone(), v.clone()));
            }
            let action = if form.action.is_empty() {
                url.clone()
            } else {
                url.join(&form.action).unwrap()
            };
            next = (reqwest::Method::POST, action, Some(fields));
        }
        panic!("no redirect to {stop_prefix} after 10 hops");
    }
}
