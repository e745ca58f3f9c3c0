//! Raw HTTP: requests built by hand, responses read whole, and messages that
//! say what went wrong (a timeout names its limit and the URL).

use std::fmt;
use std::sync::OnceLock;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;
use url::Url;

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

/// Sends one request without cookies and without recording it (the
/// `--check` probes; scenarios send through their [`super::Recorder`]).
pub async fn send(req: &RawRequest) -> Result<HttpResponse, String> {
    let limit = format!("the {} s request timeout", REQUEST_TIMEOUT.as_secs());
    send_with(req, None, REQUEST_TIMEOUT, &limit).await
}

/// Sends `req` with the cookies of `jar`, giving it `timeout` (`limit` says
/// what that is, for the message).
pub(super) async fn send_with(
    req: &RawRequest,
    jar: Option<&Jar>,
    timeout: std::time::Duration,
    limit: &str,
) -> Result<HttpResponse, String> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut b = http().request(method, req.url.clone()).timeout(timeout);
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
    let resp = b
        .send()
        .await
        .map_err(|e| transport_error(req, &e, limit))?;
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
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| transport_error(req, &e, limit))?;
    Ok(HttpResponse {
        status,
        url: req.url.clone(),
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// The URL of `req` for a message: origin and path, the query (which may
/// hold a code or a secret) only marked.
pub(super) fn shown_url(req: &RawRequest) -> String {
    let u = &req.url;
    let q = if u.query().is_some() { "?…" } else { "" };
    format!("{}{}{q}", u.origin().ascii_serialization(), u.path())
}

/// Says what went wrong with a request: a timeout names the limit and the
/// URL, a reset or closed connection says so.
fn transport_error(req: &RawRequest, e: &reqwest::Error, limit: &str) -> String {
    let url = shown_url(req);
    let m = &req.method;
    if e.is_timeout() {
        return format!("{m} {url} timed out: no complete answer within {limit}");
    }
    if e.is_connect() {
        return format!("{m} {url}: cannot connect ({})", innermost(e));
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
            if matches!(io.kind(), ConnectionReset | ConnectionAborted | BrokenPipe) {
                return format!("{m} {url}: the server reset the connection ({io})");
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && h.is_incomplete_message()
        {
            return format!(
                "{m} {url}: the server closed the connection before a complete answer ({h})"
            );
        }
        source = s.source();
    }
    format!("{m} {url} failed: {}", innermost(e))
}

/// The error and its causes, outermost first (reqwest's own text alone says
/// only "error sending request").
fn innermost(e: &reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// A 200 page with `body` at a login URL, for the tests of this module and
/// of `forms.rs`.
#[cfg(test)]
pub(super) fn page(body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        url: Url::parse("http://127.0.0.1:1/oauth/login?next=x").expect("a URL"),
        headers: Vec::new(),
        body: body.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let msg = transport_error(&req, &e, "the 20 s request timeout");
        hold.abort();
        assert!(msg.contains("timed out"), "{msg}");
        assert!(msg.contains("within the 20 s request timeout"), "{msg}");
        assert!(
            msg.contains(&format!("http://{addr}/oauth/token?…")),
            "{msg}"
        );
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    /// oidc-provider's devInteractions consent page, reduced: a hidden input,

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
