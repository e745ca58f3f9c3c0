//! Server-rendered HTML: the login form, the consent page and the authorization
//! error page, plus their one stylesheet. Plain forms an HTTP user agent (or
//! curl) can fill (docs/rules.md#login-and-consent); a person gets labels,
//! autocomplete hints and a layout that reads at phone and desktop widths.
//!
//! Every value that reaches the page goes through [`escape`]; every page carries
//! the anti-framing and no-cache headers (RFC 9700 §4.16) via [`html`]. The
//! pages hold no script and no inline style: the CSP allows only the
//! stylesheet served by [`router`] from this origin.

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// `Content-Security-Policy` of every page: only our own stylesheet loads, no
/// script at all, nothing frames us. No `form-action`: Chromium applies it to
/// the redirect that follows a form post, which would block the 303 to the
/// client's redirect_uri.
pub(crate) const CSP: &str =
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The pages' stylesheet, compiled in.
const STYLESHEET: &str = include_str!("../assets/pages.css");
/// Where the stylesheet is served.
const STYLESHEET_PATH: &str = "/assets/pages.css";

/// `GET /assets/pages.css`.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route(STYLESHEET_PATH, get(stylesheet))
}

/// The stylesheet, cacheable for a year: pages link it with a digest of its
/// text in the query ([`stylesheet_href`]), so a changed stylesheet is a new
/// URL and no browser keeps a stale copy. `nosniff` holds it to `text/css`.
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// `/assets/pages.css?v=<first 16 hex digits of the stylesheet's SHA-256>`.
fn stylesheet_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let digest = Sha256::digest(STYLESHEET.as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("{STYLESHEET_PATH}?v={hex}")
    })
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Adds the headers every HTML page carries.
pub(crate) fn security_headers(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// A complete page; `title` is escaped here, `body` must already be safe HTML.
pub(crate) fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let text = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"{}\">\n</head>\n\
         <body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title),
        stylesheet_href(),
    );
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        text,
    )
        .into_response();
    security_headers(&mut response);
    response
}

/// What a person reads for an error code: a headline and what they can do.
/// The code and the server's description follow, for the application's
/// developers.
fn advice(error: &str) -> (&'static str, &'static str) {
    match error {
        "invalid_client" | "unauthorized_client" => (
            "This application is not known here",
            "The link you followed names an application this server does not know, \
             so nothing was shared with it. Go back and start again from the \
             application's own sign-in button; if that brings you here again, tell \
             the application's developers what is written below.",
        ),
        "temporarily_unavailable" => (
            "The server is busy",
            "Nothing was shared and nothing was lost. Wait a moment, then go back to \
             the application and sign in again.",
        ),
        "server_error" => (
            "Something went wrong on this server",
            "Nothing was shared with the application. Try again in a few minutes.",
        ),
        _ => (
            "This sign-in request cannot be completed",
            "The request that brought you here cannot be used, so this server did not \
             send you on and nothing was shared. Go back to the application and sign \
             in again; if that brings you here again, tell the application's \
             developers what is written below.",
        ),
    }
}

/// The server-side error page for requests whose redirect cannot be trusted
/// (RFC 6749 §4.1.2.1): what went wrong, what the user can do, then the error
/// code and description; never a redirect. Parts of the request (a
/// `redirect_uri`, a `client_id`) may reach the description: escaped, like
/// everything else.
pub(crate) fn error_page(status: StatusCode, error: &str, description: &str) -> Response {
    let (headline, what_to_do) = advice(error);
    let body = format!(
        "<h1>{headline}</h1>\n<p id=\"advice\">{what_to_do}</p>\n\
         <dl class=\"details\">\n<dt>Error</dt>\n<dd><code id=\"error\">{}</code></dd>\n\
         <dt>Details</dt>\n<dd id=\"error_description\">{}</dd>\n</dl>\n",
        escape(error),
        escape(description)
    );
    html(status, headline, &body)
}

/// What the login page shows.
#[derive(Debug)]
pub(crate) struct Login<'a> {
    pub(crate) csrf_token: &'a str,
    pub(crate) next: &'a str,
    /// Prefilled after a failed attempt.
    pub(crate) username: &'a str,
    /// The registered name of the client the login continues to, when `next`
    /// names one.
    pub(crate) client_name: Option<&'a str>,
    pub(crate) message: Option<&'a str>,
}

/// The login form. Field names are part of the conformance contract:
/// `username`, `password`, `otp`, hidden `csrf_token` and `next`, button
/// `action=login`, posted to `/oauth/login`.
pub(crate) fn login_page(status: StatusCode, l: &Login<'_>) -> Response {
    let message = l
        .message
        .map(|m| {
            format!(
                "<p id=\"message\" class=\"alert\" role=\"alert\">{}</p>\n",
                escape(m)
            )
        })
        .unwrap_or_default();
    let (heading, title) = match l.client_name {
        Some(name) => (
            format!(
                "Sign in to continue to <span id=\"client\">{}</span>",
                escape(name)
            ),
            format!("Sign in to continue to {name}"),
        ),
        None => ("Sign in".to_owned(), "Sign in".to_owned()),
    };
    // The cursor starts in the first field left to fill.
    let (focus_user, focus_password) = if l.username.is_empty() {
        (" autofocus", "")
    } else {
        ("", " autofocus")
    };
    let body = format!(
        "<h1>{heading}</h1>\n{message}<form method=\"post\" action=\"/oauth/login\">\n\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\n\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\n\
         <div class=\"field\">\n<label for=\"username\">Username</label>\n\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{user}\" \
         autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required{focus_user}>\n</div>\n\
         <div class=\"field\">\n<label for=\"password\">Password</label>\n\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required{focus_password}>\n</div>\n\
         <div class=\"field\">\n<label for=\"otp\">One-time code <span class=\"optional\">(if you use two-factor sign-in)</span></label>\n\
         <input type=\"text\" id=\"otp\" name=\"otp\" inputmode=\"numeric\" maxlength=\"6\" \
         autocomplete=\"one-time-code\" aria-describedby=\"otp-hint\">\n\
         <p class=\"hint\" id=\"otp-hint\">The six digits your authenticator app shows now.</p>\n</div>\n\
         <button type=\"submit\" class=\"primary\" name=\"action\" value=\"login\">Sign in</button>\n\
         </form>\n",
        csrf = escape(l.csrf_token),
        next = escape(l.next),
        user = escape(l.username),
    );
    html(status, &title, &body)
}

/// What a scope lets the client do, in words, for the scopes of the dialects
/// this server speaks (docs/dialects.md); `None` for any other.
fn scope_description(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "api" => "Read and change everything your account can, through the API",
        "read_user" => "See your profile: username, name and email address",
        "whoami" => "See who you are: your username and name",
        "offline_access" => "Keep this access after you leave, with a token that does not expire",
        "openid" => "Confirm your identity",
        "profile" => "See your name and profile details",
        "email" => "See your email address",
        "tracking_api:write" => "Send tracking events to your sources",
        "functions:write" => "Create and change your functions",
        "public_api:read_write" => "Read and change your workspace through the public API",
        _ => return None,
    })
}

/// What the consent page shows.
#[derive(Debug)]
pub(crate) struct Consent<'a> {
    pub(crate) client_name: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) username: &'a str,
    pub(crate) scopes: Vec<&'a str>,
    pub(crate) request_id: &'a str,
    pub(crate) csrf_token: &'a str,
}

/// The consent page: the client, each scope with what it allows, Allow / Deny
/// posted to `/oauth/authorize/decision` with hidden `request_id` and
/// `csrf_token`. Allow comes first in the form (the HTTP user agent and a
/// press of Enter take the first button); the stylesheet shows Deny first.
pub(crate) fn consent_page(c: &Consent<'_>) -> Response {
    let scopes = if c.scopes.is_empty() {
        "<li class=\"scope\"><span class=\"desc\">Only to know that you signed in</span></li>\n"
            .to_owned()
    } else {
        c.scopes
            .iter()
            .map(|s| {
                let desc = scope_description(s).map_or_else(
                    || "A permission this server has no description for".to_owned(),
                    str::to_owned,
                );
                format!(
                    "<li class=\"scope\"><span class=\"desc\">{}</span> <code>{}</code></li>\n",
                    escape(&desc),
                    escape(s)
                )
            })
            .collect()
    };
    let body = format!(
        "<h1>Allow <span id=\"client\">{name}</span> to use your account?</h1>\n\
         <p class=\"muted\">Signed in as <strong id=\"username\">{user}</strong><br>\n\
         Application ID: <code id=\"client_id\">{id}</code></p>\n\
         <p>If you allow it, <strong>{name}</strong> can:</p>\n\
         <ul id=\"scopes\" class=\"scopes\">\n{scopes}</ul>\n\
         <p class=\"hint\">Either way you go back to the application; Deny shares nothing.</p>\n\
         <form method=\"post\" action=\"/oauth/authorize/decision\" class=\"actions\">\n\
         <input type=\"hidden\" name=\"request_id\" value=\"{rid}\">\n\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\n\
         <button type=\"submit\" class=\"primary\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>\n",
        name = escape(c.client_name),
        id = escape(c.client_id),
        user = escape(c.username),
        rid = escape(c.request_id),
        csrf = escape(c.csrf_token),
    );
    html(StatusCode::OK, "Authorize application", &body)
}

/// Shown after a login that had nowhere to go back to.
pub(crate) fn signed_in_page(username: &str) -> Response {
    let body = format!(
        "<h1>Signed in</h1>\n<p>You are signed in as <strong>{}</strong>. \
         You can close this page and go back to the application.</p>\n",
        escape(username)
    );
    html(StatusCode::OK, "Signed in", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    async fn body(r: Response) -> String {
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Every page, with hostile text wherever the request can put some.
    fn every_page(hostile: &str) -> Vec<Response> {
        vec![
            error_page(StatusCode::BAD_REQUEST, "invalid_request", hostile),
            error_page(StatusCode::BAD_REQUEST, hostile, hostile),
            login_page(
                StatusCode::UNAUTHORIZED,
                &Login {
                    csrf_token: "t",
                    next: hostile,
                    username: hostile,
                    client_name: Some(hostile),
                    message: Some(hostile),
                },
            ),
            consent_page(&Consent {
                client_name: hostile,
                client_id: hostile,
                username: hostile,
                scopes: vec![hostile, "api"],
                request_id: "r",
                csrf_token: "t",
            }),
            signed_in_page(hostile),
        ]
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("ok\u{0}"), "ok\u{FFFD}");
    }

    #[tokio::test]
    async fn pages_carry_anti_framing_headers_and_no_script_or_inline_style() {
        let hostile = "\"><script>alert(1)</script><img src=x onerror=alert(2)><style>*{}</style>";
        for r in every_page(hostile) {
            assert_eq!(r.headers()[header::X_FRAME_OPTIONS], "DENY");
            let csp = r.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap();
            for directive in [
                "default-src 'none'",
                "style-src 'self'",
                "frame-ancestors 'none'",
            ] {
                assert!(csp.contains(directive), "{csp}");
            }
            assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"));
            assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
            let text = body(r).await;
            for markup in ["<script", "<img", "<style", "style="] {
                assert!(!text.contains(markup), "{markup} in {text}");
            }
            assert!(text.contains("&lt;script&gt;"), "{text}");
            assert!(text.contains(&format!("href=\"{}\"", stylesheet_href())));
            assert!(text.contains("<meta name=\"viewport\""));
        }
    }

    #[tokio::test]
    async fn login_page_names_the_client_and_labels_every_field() {
        let r = login_page(
            StatusCode::OK,
            &Login {
                csrf_token: "t",
                next: "/oauth/authorize?client_id=a",
                username: "",
                client_name: Some("Demo & Co"),
                message: None,
            },
        );
        let text = body(r).await;
        assert!(text.contains("<title>Sign in to continue to Demo &amp; Co</title>"));
        assert!(text.contains("Sign in to continue to <span id=\"client\">Demo &amp; Co</span>"));
        for (id, autocomplete) in [
            ("username", "username"),
            ("password", "current-password"),
            ("otp", "one-time-code"),
        ] {
            assert!(text.contains(&format!("<label for=\"{id}\">")), "{id}");
            assert!(
                text.contains(&format!("id=\"{id}\" name=\"{id}\"")),
                "{id} is the name the forms post"
            );
            assert!(
                text.contains(&format!("autocomplete=\"{autocomplete}\"")),
                "{id}"
            );
        }
        assert!(text.contains("name=\"action\" value=\"login\""));
        let plain = login_page(
            StatusCode::OK,
            &Login {
                csrf_token: "t",
                next: "",
                username: "",
                client_name: None,
                message: None,
            },
        );
        assert!(body(plain).await.contains("<h1>Sign in</h1>"));
    }

    #[tokio::test]
    async fn consent_page_describes_each_scope() {
        let r = consent_page(&Consent {
            client_name: "Demo",
            client_id: "demo",
            username: "alice",
            scopes: vec!["read_user", "whoami", "mystery"],
            request_id: "r",
            csrf_token: "t",
        });
        let text = body(r).await;
        assert!(text.contains("See your profile: username, name and email address"));
        assert!(text.contains("See who you are"));
        assert!(text.contains("no description for</span> <code>mystery</code>"));
        assert!(text.contains("name=\"decision\" value=\"allow\""));
        assert!(text.contains("name=\"decision\" value=\"deny\""));
    }

    #[tokio::test]
    async fn error_page_says_what_happened_and_what_to_do() {
        let text = body(error_page(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Unknown client.",
        ))
        .await;
        assert!(text.contains("<h1>This application is not known here</h1>"));
        assert!(text.contains("start again from the application"));
        assert!(text.contains("<code id=\"error\">invalid_client</code>"));
        assert!(text.contains("<dd id=\"error_description\">Unknown client.</dd>"));
        let busy = body(error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "x",
        ))
        .await;
        assert!(busy.contains("Wait a moment"));
    }

    #[tokio::test]
    async fn stylesheet_is_css_cached_for_a_year_under_a_versioned_url() {
        let r = stylesheet().await;
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/css; charset=utf-8");
        assert_eq!(
            r.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(body(r).await, STYLESHEET);
        let href = stylesheet_href();
        assert!(
            href.starts_with("/assets/pages.css?v=") && href.len() == STYLESHEET_PATH.len() + 19
        );
    }
}
