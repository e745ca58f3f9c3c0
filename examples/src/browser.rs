//! A tiny stand-in for the user's browser: fills the reference server's
//! login and consent pages (plain forms) as one user until the server
//! redirects to the application's redirect URI. Plain HTTP, no SDK call.

use std::collections::BTreeMap;

use url::Url;

use crate::BoxError;

/// A user agent with a cookie jar that never follows redirects on its own.
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    username: String,
    password: String,
}

struct Form {
    action: String,
    fields: Vec<(String, String)>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The first POST form of a page: its hidden/text inputs and the button
/// that allows.
fn post_form(html: &str, username: &str, password: &str) -> Option<Form> {
    let start = html.find("<form")?;
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form_html = &html[start..end];
    let form_tag = &form_html[..form_html.find('>')?];
    let action = attr(form_tag, "action").unwrap_or_default();
    let mut fields = Vec::new();
    let mut allow = None;
    let mut rest = form_html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        rest = &rest[tag_end..];
        let is_input = tag.starts_with("<input");
        let is_button = tag.starts_with("<button");
        if !is_input && !is_button {
            continue;
        }
        let ty = attr(tag, "type").unwrap_or_else(|| {
            if is_button {
                "submit".into()
            } else {
                "text".into()
            }
        });
        let name = attr(tag, "name").unwrap_or_default();
        let value = attr(tag, "value").unwrap_or_default();
        if name.is_empty() {
            continue;
        }
        if ty == "submit" {
            let label = format!("{name} {value}").to_ascii_lowercase();
            if allow.is_none() || label.contains("allow") || label.contains("approve") {
                allow = Some((name, value));
            }
            continue;
        }
        let v = match (ty.as_str(), name.as_str()) {
            (_, "username") => username.to_owned(),
            ("password", _) | (_, "password") => password.to_owned(),
            _ => value,
        };
        fields.push((name, v));
    }
    fields.extend(allow);
    Some(Form { action, fields })
}

impl Browser {
    /// A browser for the user `username`.
    pub fn new(username: &str, password: &str) -> Result<Self, BoxError> {
        Ok(Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            cookies: BTreeMap::new(),
            username: username.into(),
            password: password.into(),
        })
    }

    /// Opens `start` and fills the login and consent forms until the server
    /// redirects to a URL starting with `redirect_prefix`; returns that URL
    /// (not fetched).
    pub async fn authorize(&mut self, start: &Url, redirect_prefix: &str) -> Result<Url, BoxError> {
        let mut next = (
            reqwest::Method::GET,
            start.clone(),
            None::<Vec<(String, String)>>,
        );
        for _ in 0..10 {
            let (method, url, form) = next;
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let mut req = self
                .http
                .request(method, url.as_str())
                .header("cookie", cookie);
            if let Some(f) = &form {
                req = req.form(f);
            }
            let resp = req.send().await?;
            for c in resp.headers().get_all("set-cookie") {
                let pair = c
                    .to_str()
                    .unwrap_or_default()
                    .split(';')
                    .next()
                    .unwrap_or_default();
                if let Some((k, v)) = pair.split_once('=') {
                    self.cookies.insert(k.trim().into(), v.trim().into());
                }
            }
            let status = resp.status();
            if status.is_redirection() {
                let loc = resp
                    .headers()
                    .get("location")
                    .ok_or("redirect without Location")?
                    .to_str()?;
                let target = url.join(loc)?;
                if target.as_str().starts_with(redirect_prefix) {
                    return Ok(target);
                }
                next = (reqwest::Method::GET, target, None);
                continue;
            }
            let html = resp.text().await?;
            if !status.is_success() {
                return Err(format!("server answered {status} at {}", url.path()).into());
            }
            let form = post_form(&html, &self.username, &self.password)
                .ok_or_else(|| format!("no form on the page at {}", url.path()))?;
            let action = if form.action.is_empty() {
                url.clone()
            } else {
                url.join(&form.action)?
            };
            next = (reqwest::Method::POST, action, Some(form.fields));
        }
        Err("no redirect to the application after 10 pages".into())
    }

    /// [`authorize`](Self::authorize), then opens the redirect as a browser
    /// would (delivering it to a loopback listener); returns the status of
    /// the page the application answered.
    pub async fn open(&mut self, start: &Url, redirect_prefix: &str) -> Result<u16, BoxError> {
        let callback = self.authorize(start, redirect_prefix).await?;
        Ok(self.http.get(callback).send().await?.status().as_u16())
    }
}
