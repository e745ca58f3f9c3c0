//! Mints authorization codes for `bench/run.sh`'s code-exchange scenario through
//! the real HTTP flow: logs in once as a user with the login form (CSRF token and
//! cookies handled by hand), then repeatedly `GET /oauth/authorize` for a client
//! that skips consent (a trusted client) and collects the `code` from each 303.
//!
//! Run with:
//! `cargo run --release -p oauth-server-reference --example mint_codes -- BASE_URL COUNT OUT_FILE`
//!
//! Environment (defaults are the demo fixture's values): `MINT_CLIENT`
//! (`demo-trusted`), `MINT_REDIRECT` (`http://127.0.0.1:9876/callback`), `MINT_USER`
//! (`alice`), `MINT_PASSWORD` (`alice-password`), `MINT_CONCURRENCY` (16).
//! Writes one code a line; exits non-zero unless every request gave a code.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// `name=value` of every `Set-Cookie` in the response.
fn cookies(resp: &Response) -> Vec<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect()
}

/// The value of the login form's hidden `<input name="NAME" value="…">`.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

/// Logs in through the form; returns the `Cookie` header of the session.
async fn login(http: &Client, base: &str, user: &str, password: &str) -> Result<String, Error> {
    let form = http
        .get(format!("{base}/oauth/login?next=%2F"))
        .send()
        .await?;
    let jar = cookies(&form).join("; ");
    let body = form.text().await?;
    let csrf = hidden(&body, "csrf_token").ok_or("login form has no csrf_token")?;
    let resp = http
        .post(format!("{base}/oauth/login"))
        .header(COOKIE, jar)
        .form(&[
            ("username", user),
            ("password", password),
            ("otp", ""),
            ("csrf_token", &csrf),
            ("next", "/"),
            ("action", "login"),
        ])
        .send()
        .await?;
    if resp.status() != StatusCode::SEE_OTHER {
        return Err(format!("login failed with {}", resp.status()).into());
    }
    let session = cookies(&resp).join("; ");
    if session.is_empty() {
        return Err("login set no session cookie".into());
    }
    Ok(session)
}

/// One authorization request; the `code` of its redirect.
async fn mint(http: &Client, url: &str, session: &str) -> Result<String, Error> {
    let resp = http.get(url).header(COOKIE, session).send().await?;
    let location = resp
        .headers()
        .get(LOCATION)
        .ok_or_else(|| {
            format!(
                "no redirect: {} (does the client skip consent?)",
                resp.status()
            )
        })?
        .to_str()?;
    let location = url::Url::parse(location)?;
    let code = location.query_pairs().find(|(n, _)| n == "code");
    Ok(code
        .ok_or_else(|| format!("no code in {location}"))?
        .1
        .into_owned())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, count, out] = &args[..] else {
        return Err("usage: mint_codes BASE_URL COUNT OUT_FILE".into());
    };
    let count: usize = count.parse()?;
    let concurrency: usize = env_or("MINT_CONCURRENCY", "16").parse()?;
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let session = login(
        &http,
        base,
        &env_or("MINT_USER", "alice"),
        &env_or("MINT_PASSWORD", "alice-password"),
    )
    .await?;
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &env_or("MINT_CLIENT", "demo-trusted"))
        .append_pair("response_type", "code")
        .append_pair(
            "redirect_uri",
            &env_or("MINT_REDIRECT", "http://127.0.0.1:9876/callback"),
        )
        .finish();
    let url = Arc::new(format!("{base}/oauth/authorize?{query}"));
    let session = Arc::new(session);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (http, url, session, next) = (http.clone(), url.clone(), session.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < count {
                codes.push(mint(&http, &url, &session).await?);
            }
            Ok::<_, Error>(codes)
        }));
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    for task in tasks {
        for code in task.await?? {
            writeln!(file, "{code}")?;
        }
    }
    file.flush()?;
    Ok(())
}
