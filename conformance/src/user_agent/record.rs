//! The HTTP exchanges of one scenario, kept as the evidence of its verdict
//! (the `--html` and `--json` reports), and the scenario's deadline.
//!
//! Every request a scenario sends, front or back channel, goes through its
//! [`Recorder`]. What is kept is redacted as it is recorded, so no report can
//! hold a secret: the values of client secrets, passwords, API keys, write keys
//! and TOTP seeds of the target file are replaced wherever they appear, and so
//! is every parameter, JSON member or header that carries a credential
//! (tokens, codes, assertions and verifiers get a short SHA-256 digest, so a
//! reader can still see that two exchanges carried the same token). The log is
//! bounded: the last [`MAX_EXCHANGES`], each body cut at [`MAX_BODY`] bytes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::cookie::Jar;
use serde::Serialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::http::{HttpResponse, RawRequest, encode_form, send_with};
use crate::config::Target;

/// How many exchanges a scenario keeps (the last ones: those that decided it).
pub const MAX_EXCHANGES: usize = 12;
/// How many bytes of each body are kept.
pub const MAX_BODY: usize = 2048;
/// How many times a request answered 503 with `Retry-After` is sent again.
pub const MAX_RETRIES: usize = 3;
/// The longest `Retry-After` (seconds) the user agent waits for.
pub const MAX_RETRY_AFTER: u64 = 5;
/// How many bytes of each header value are kept.
const MAX_HEADER: usize = 256;
/// How many headers of each message are kept.
const MAX_HEADERS: usize = 32;

/// Parameters and JSON members whose value is a secret a person chose or
/// that is short enough to guess from a digest: replaced by [`REDACTED`].
const SECRET_NAMES: &[&str] = &[
    "password",
    "client_secret",
    "secret",
    "api_key",
    "write_key",
    "totp_secret",
    "totp",
    "otp",
    "private_key",
];

/// Parameters and JSON members that carry a high-entropy credential: replaced
/// by [`REDACTED`] and the first 8 hex digits of the value's SHA-256.
const TOKEN_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "token",
    "client_assertion",
    "assertion",
    "code_verifier",
    "subject_token",
    "actor_token",
    "device_code",
];

/// Headers whose value is a credential.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "dpop",
    "x-api-key",
];

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// One request and what came back, redacted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// The method.
    pub method: String,
    /// The URL, credentials in its query or fragment redacted.
    pub url: String,
    /// The request headers the user agent set (names lower-case).
    pub request_headers: Vec<(String, String)>,
    /// The request body, if any.
    pub request_body: Option<String>,
    /// The response status (`None`: no response, see `error`).
    pub status: Option<u16>,
    /// The response headers.
    pub response_headers: Vec<(String, String)>,
    /// The response body.
    pub response_body: String,
    /// Why no response came (timeout, reset, refused connection).
    pub error: Option<String>,
}

/// The exchanges of a scenario so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Exchanges {
    /// The last [`MAX_EXCHANGES`] exchanges, oldest first.
    pub kept: Vec<Exchange>,
    /// How many earlier ones were dropped to keep the bound.
    pub dropped: usize,
}

struct Log {
    kept: VecDeque<Exchange>,
    dropped: usize,
    deadline: Instant,
    /// Time waited on purpose (an expiry wait), added to the deadline.
    waited: Duration,
}

/// The raw-HTTP layer of one scenario: sends, records, and keeps the
/// scenario's deadline. Clones share one log (the browser and the world's
/// back channel, the requests of a race).
#[derive(Clone)]
pub struct Recorder {
    log: Arc<Mutex<Log>>,
    secrets: Arc<Vec<String>>,
    request_timeout: Duration,
    deadline: Duration,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.log.lock().map_or(0, |l| l.kept.len());
        f.debug_struct("Recorder")
            .field("exchanges", &n)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder for a scenario against `target`, its deadline starting now.
    pub fn new(target: &Target) -> Self {
        let deadline = Duration::from_secs(target.timing.scenario_deadline_secs);
        Self {
            log: Arc::new(Mutex::new(Log {
                kept: VecDeque::new(),
                dropped: 0,
                deadline: Instant::now() + deadline,
                waited: Duration::ZERO,
            })),
            secrets: Arc::new(secrets_of(target)),
            request_timeout: Duration::from_secs(target.timing.request_timeout_secs),
            deadline,
        }
    }

    /// Sends `req` (with the cookies of `jar`, if given), recording the
    /// exchange. The request may take the request timeout, or what is left of
    /// the scenario's deadline if that is less.
    ///
    /// A 503 with a `Retry-After` of at most [`MAX_RETRY_AFTER`] seconds is
    /// the server saying "busy, ask again then" (RFC 9110 §15.6.4), not an
    /// answer to the request: the request is sent again after that wait, at
    /// most [`MAX_RETRIES`] times (each try recorded), so a server that
    /// sheds load under a busy run is judged on its answers, not on its load.
    pub async fn send_in(
        &self,
        req: &RawRequest,
        jar: Option<&Jar>,
    ) -> Result<HttpResponse, String> {
        let mut tries = 0;
        loop {
            let result = self.send_once(req, jar).await;
            let wait = match &result {
                Ok(r) if r.status == 503 && tries < MAX_RETRIES => r
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|s| *s <= MAX_RETRY_AFTER),
                _ => None,
            };
            match wait {
                Some(secs) => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_secs(secs.max(1))).await;
                }
                None => return result,
            }
        }
    }

    async fn send_once(&self, req: &RawRequest, jar: Option<&Jar>) -> Result<HttpResponse, String> {
        let left = {
            let log = self.log.lock().expect("recorder lock");
            (log.deadline + log.waited).saturating_duration_since(Instant::now())
        };
        let (timeout, limit) = if left < self.request_timeout {
            (
                left,
                format!("the scenario's {} s deadline", self.deadline.as_secs()),
            )
        } else {
            (
                self.request_timeout,
                format!("the {} s request timeout", self.request_timeout.as_secs()),
            )
        };
        let result = if timeout.is_zero() {
            Err(format!(
                "{} {}: not sent, {limit} has passed",
                req.method,
                super::http::shown_url(req)
            ))
        } else {
            send_with(req, jar, timeout, &limit).await
        };
        self.record(req, jar.is_some_and(|j| has_cookies(j, &req.url)), &result);
        result
    }

    /// Sends `req` on the back channel (no cookies), recording the exchange.
    pub async fn send(&self, req: &RawRequest) -> Result<HttpResponse, String> {
        self.send_in(req, None).await
    }

    /// Moves the deadline by `d`: a wait the scenario makes on purpose (an
    /// expiry, a person completing a manual login) is not time the server
    /// took.
    pub fn waited(&self, d: Duration) {
        self.log.lock().expect("recorder lock").waited += d;
    }

    /// `text` with every secret value of the target file replaced (a
    /// failure message may quote a body a server echoed).
    pub fn redact(&self, text: &str) -> String {
        Redactor {
            secrets: &self.secrets,
        }
        .replace(text)
    }

    /// What was recorded so far.
    pub fn exchanges(&self) -> Exchanges {
        let log = self.log.lock().expect("recorder lock");
        Exchanges {
            kept: log.kept.iter().cloned().collect(),
            dropped: log.dropped,
        }
    }

    fn record(&self, req: &RawRequest, cookies: bool, result: &Result<HttpResponse, String>) {
        let r = Redactor {
            secrets: &self.secrets,
        };
        let mut request_headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| r.header(&k.to_ascii_lowercase(), v))
            .collect();
        let request_body = if let Some(form) = &req.form {
            request_headers.push((
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            Some(r.body(
                &encode_form(form),
                Some("application/x-www-form-urlencoded"),
            ))
        } else {
            req.raw_body.as_ref().map(|(ct, body)| {
                request_headers.push(("content-type".into(), ct.clone()));
                r.body(body, Some(ct))
            })
        };
        if cookies {
            request_headers.push(("cookie".into(), REDACTED.into()));
        }
        request_headers.truncate(MAX_HEADERS);
        let mut ex = Exchange {
            method: req.method.clone(),
            url: r.url(&req.url),
            request_headers,
            request_body,
            status: None,
            response_headers: Vec::new(),
            response_body: String::new(),
            error: None,
        };
        match result {
            Ok(resp) => {
                ex.status = Some(resp.status);
                ex.response_headers = resp
                    .headers
                    .iter()
                    .take(MAX_HEADERS)
                    .map(|(k, v)| r.header(k, v))
                    .collect();
                ex.response_body = r.body(&resp.body, resp.header("content-type"));
            }
            Err(e) => ex.error = Some(r.text(e)),
        }
        let mut log = self.log.lock().expect("recorder lock");
        if log.kept.len() == MAX_EXCHANGES {
            log.kept.pop_front();
            log.dropped += 1;
        }
        log.kept.push_back(ex);
    }
}

fn has_cookies(jar: &Jar, url: &Url) -> bool {
    use reqwest::cookie::CookieStore as _;
    jar.cookies(url).is_some()
}

/// Every secret value the target file holds, longest first (so that a secret
/// containing another is replaced whole). Values under 4 characters are left
/// out: replacing them everywhere would shred the text.
fn secrets_of(t: &Target) -> Vec<String> {
    let c = &t.clients;
    let clients = [&c.confidential]
        .into_iter()
        .chain(c.confidential2.iter())
        .chain(c.public.iter())
        .chain(c.implicit.iter())
        .chain(c.jwt.iter())
        .chain(c.extra.iter());
    let mut out: Vec<String> = clients.filter_map(|c| c.secret.clone()).collect();
    for u in [&t.users.user].into_iter().chain(t.users.two_factor.iter()) {
        out.push(u.password.clone());
        out.extend(u.totp_secret.clone());
    }
    if let Some(m) = &t.management {
        let accounts = [&m.admin]
            .into_iter()
            .chain(m.reader.iter())
            .chain(m.hub_admin.iter());
        out.extend(accounts.map(|a| a.api_key.clone()));
        if let Some(s) = &m.segment {
            let accounts = s.admin.iter().chain(s.member.iter()).chain(s.reader.iter());
            out.extend(accounts.map(|a| a.api_key.clone()));
            out.extend(s.sources.iter().map(|s| s.write_key.clone()));
        }
    }
    out.retain(|s| s.len() >= 4);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// Redacts the parts of an exchange.
struct Redactor<'a> {
    secrets: &'a [String],
}

impl Redactor<'_> {
    /// Any text: every known secret value replaced, cut at [`MAX_BODY`].
    fn text(&self, s: &str) -> String {
        cut(self.replace(s), MAX_BODY)
    }

    /// Every known secret value of `s` replaced.
    fn replace(&self, s: &str) -> String {
        let mut s = s.to_owned();
        for secret in self.secrets {
            if s.contains(secret.as_str()) {
                s = s.replace(secret.as_str(), REDACTED);
            }
        }
        s
    }

    /// A URL with the credentials of its query and fragment redacted.
    fn url(&self, u: &Url) -> String {
        let mut u = u.clone();
        if !u.password().unwrap_or("").is_empty() {
            let _ = u.set_password(Some("redacted"));
        }
        self.relative_url(u.as_str())
    }

    /// A URL, absolute or relative (a `Location: /path?code=…`), with the
    /// credentials of its query and fragment redacted.
    fn relative_url(&self, s: &str) -> String {
        let (rest, fragment) = s.split_once('#').map_or((s, None), |(a, b)| (a, Some(b)));
        let (path, query) = rest
            .split_once('?')
            .map_or((rest, None), |(a, b)| (a, Some(b)));
        let mut out = path.to_owned();
        if let Some(q) = query {
            out.push('?');
            out.push_str(&self.form(q));
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(&self.form(f));
        }
        self.text(&out)
    }

    /// `application/x-www-form-urlencoded` text with credential values redacted.
    /// The markers are left unencoded, so that they read as such.
    fn form(&self, s: &str) -> String {
        let enc = |x: &str| url::form_urlencoded::byte_serialize(x.as_bytes()).collect::<String>();
        url::form_urlencoded::parse(s.as_bytes())
            .map(|(k, v)| match redact_value(&k, &v) {
                Some(marker) => format!("{}={marker}", enc(&k)),
                None => format!("{}={}", enc(&k), enc(&v)),
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    fn header(&self, name: &str, value: &str) -> (String, String) {
        let name = name.to_ascii_lowercase();
        let value = if !SECRET_HEADERS.contains(&name.as_str()) {
            if name == "location" {
                match Url::parse(value) {
                    Ok(u) => self.url(&u),
                    Err(_) => self.relative_url(value),
                }
            } else {
                self.text(value)
            }
        } else if name == "authorization" || name == "proxy-authorization" {
            // The scheme says how the client authenticated; a bearer token
            // keeps its digest (the same token used twice shows).
            match value.split_once(' ') {
                Some((scheme, cred)) if scheme.eq_ignore_ascii_case("bearer") => {
                    format!("{scheme} {}", digest_marker(cred.trim()))
                }
                Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                None => REDACTED.to_owned(),
            }
        } else if name == "set-cookie" {
            // The cookie's name and attributes, not its value.
            let (pair, attrs) = value.split_once(';').unwrap_or((value, ""));
            let cookie = pair.split_once('=').map_or(pair, |(n, _)| n).trim();
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(";{attrs}")
            };
            self.text(&format!("{cookie}={REDACTED}{attrs}"))
        } else {
            REDACTED.to_owned()
        };
        (name, cut(value, MAX_HEADER))
    }

    /// A body: JSON members and form fields that carry credentials
    /// redacted, then every known secret value, then cut.
    fn body(&self, body: &str, content_type: Option<&str>) -> String {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.starts_with("application/x-www-form-urlencoded") {
            return self.text(&self.form(body));
        }
        match serde_json::from_str::<serde_json::Value>(body) {
            Ok(mut v) if v.is_object() || v.is_array() => {
                redact_json(&mut v);
                self.text(&v.to_string())
            }
            _ => self.text(body),
        }
    }
}

/// What replaces the value of parameter or member `name`, if it is a credential.
fn redact_value(name: &str, value: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if SECRET_NAMES.contains(&lower.as_str()) {
        Some(REDACTED.to_owned())
    } else if TOKEN_NAMES.contains(&lower.as_str()) {
        Some(digest_marker(value))
    } else {
        None
    }
}

/// `[redacted sha256:1a2b3c4d]`: names a token without giving any part of it.
fn digest_marker(value: &str) -> String {
    let d = Sha256::digest(value.as_bytes());
    let hex: String = d.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("[redacted sha256:{hex}]")
}

fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                let text = match &*v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Object(_)
                    | serde_json::Value::Array(_)
                    | serde_json::Value::Null => None,
                    other => Some(other.to_string()),
                };
                // A JSON `code` is an error code (JSON:API error objects),
                // never an authorization code, which travels in URLs.
                let text = text.filter(|_| k != "code");
                match text.and_then(|t| redact_value(k, &t)) {
                    Some(r) => *v = serde_json::Value::String(r),
                    None => redact_json(v),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// `s` cut to at most `max` bytes at a character boundary, saying how much
/// was left out.
fn cut(mut s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let mut at = max;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    let more = s.len() - at;
    s.truncate(at);
    s.push_str(&format!("… [{more} more bytes]"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Vec<String> {
        vec!["demo-confidential-secret".into(), "alice-password".into()]
    }

    #[test]
    fn credentials_are_redacted_wherever_they_appear() {
        let secrets = redactor();
        let r = Redactor { secrets: &secrets };
        let u = Url::parse(
            "http://127.0.0.1:1/cb?code=abc123&state=s1#access_token=tok&token_type=Bearer",
        )
        .unwrap();
        let shown = r.url(&u);
        assert!(
            !shown.contains("abc123") && !shown.contains("=tok"),
            "{shown}"
        );
        assert!(shown.contains("state=s1") && shown.contains("token_type=Bearer"));
        assert!(
            shown.contains(&format!("code={}&state=s1", digest_marker("abc123"))),
            "{shown}"
        );

        let form = "grant_type=password&username=alice&password=alice-password&client_secret=x";
        let body = r.body(form, Some("application/x-www-form-urlencoded"));
        assert!(!body.contains("alice-password") && !body.contains("client_secret=x&"));
        assert!(body.contains("username=alice"), "{body}");

        let json = r#"{"access_token":"at-1","refresh_token":"rt-1","scope":"api","data":{"attributes":{"client_secret":"s"}},"note":"demo-confidential-secret"}"#;
        let body = r.body(json, Some("application/json"));
        for leak in ["at-1", "rt-1", "\"s\"", "demo-confidential-secret"] {
            assert!(!body.contains(leak), "{leak} in {body}");
        }
        assert!(body.contains("\"scope\":\"api\""), "{body}");

        let (_, auth) = r.header("Authorization", "Basic ZGVtbzpzZWNyZXQ=");
        assert_eq!(auth, "Basic [redacted]");
        let (_, bearer) = r.header("authorization", "Bearer at-1");
        assert_eq!(bearer, format!("Bearer {}", digest_marker("at-1")));
        let (_, cookie) = r.header("set-cookie", "sid=v4lue; HttpOnly; Path=/");
        assert_eq!(cookie, "sid=[redacted]; HttpOnly; Path=/");
        let (_, loc) = r.header("location", "http://127.0.0.1:1/cb?code=zzz&iss=x");
        assert!(!loc.contains("zzz") && loc.contains("iss=x"), "{loc}");
        let (_, loc) = r.header("location", "/cb?code=zzz&state=s#access_token=yyy");
        assert!(!loc.contains("zzz") && !loc.contains("yyy"), "{loc}");
        assert!(loc.starts_with("/cb?") && loc.contains("state=s"), "{loc}");
        // Plain text (an HTML page, an error message) loses the known values.
        assert_eq!(r.text("pw alice-password!"), "pw [redacted]!");
    }

    #[test]
    fn a_recorder_knows_every_secret_of_its_target() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets");
        let target = Target::load(&dir.join("reference.toml")).expect("reference.toml parses");
        let rec = Recorder::new(&target);
        let text = "echoed: client_secret=demo-confidential-secret&password=alice-password \
                    key demo-admin-key, write key demo-write-key";
        let shown = rec.redact(text);
        for secret in [
            "demo-confidential-secret",
            "alice-password",
            "demo-admin-key",
            "demo-write-key",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.starts_with("echoed: client_secret=[redacted]"),
            "{shown}"
        );
    }

    #[test]
    fn bodies_are_cut_at_a_character_boundary() {
        let s = "é".repeat(MAX_BODY);
        let c = cut(s, MAX_BODY);
        assert!(c.len() < MAX_BODY + 40 && c.ends_with("more bytes]"), "{c}");
    }
}
