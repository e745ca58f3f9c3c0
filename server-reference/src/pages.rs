//! Server-rendered HTML: the login form, the consent page and the authorization
//! error page. Plain forms an HTTP user agent can fill (docs/rules.md#login-and-consent).
//!
//! Every value that reaches the page goes through [`escape`]; every page carries
//! the anti-framing and no-cache headers (RFC 9700 §4.16) via [`html`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `Content-Security-Policy` of every page: nothing loads, nothing frames us.
pub(crate) const CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

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
         <title>{}</title>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
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

/// The server-side error page for requests whose redirect cannot be trusted
/// (RFC 6749 §4.1.2.1): the error code and a description, never a redirect.
pub(crate) fn error_page(status: StatusCode, error: &str, description: &str) -> Response {
    let body = format!(
        "<h1>Authorization error</h1>\n<p id=\"error\">{}</p>\n\
         <p id=\"error_description\">{}</p>\n",
        escape(error),
        escape(description)
    );
    html(status, "Authorization error", &body)
}

/// The login form. Field names are part of the conformance contract:
/// `username`, `password`, `otp`, hidden `csrf_token` and `next`, button
/// `action=login`, posted to `/oauth/login`.
pub(crate) fn login_page(
    status: StatusCode,
    csrf_token: &str,
    next: &str,
    username: &str,
    message: Option<&str>,
) -> Response {
    let message = message
        .map(|m| format!("<p id=\"message\" role=\"alert\">{}</p>\n", escape(m)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in</h1>\n{message}<form method=\"post\" action=\"/oauth/login\">\n\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\n\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\n\
         <label>Username <input type=\"text\" name=\"username\" value=\"{user}\" autocomplete=\"username\" required></label>\n\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n\
         <label>One-time code (two-factor users) <input type=\"text\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\"></label>\n\
         <button type=\"submit\" name=\"action\" value=\"login\">Sign in</button>\n\
         </form>\n",
        csrf = escape(csrf_token),
        next = escape(next),
        user = escape(username),
    );
    html(status, "Sign in", &body)
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

/// The consent page: the client, each scope, Allow / Deny posted to
/// `/oauth/authorize/decision` with hidden `request_id` and `csrf_token`.
pub(crate) fn consent_page(c: &Consent<'_>) -> Response {
    let scopes = if c.scopes.is_empty() {
        "<li>(no specific scope)</li>\n".to_owned()
    } else {
        c.scopes
            .iter()
            .map(|s| format!("<li class=\"scope\">{}</li>\n", escape(s)))
            .collect()
    };
    let body = format!(
        "<h1>Authorize {name}?</h1>\n\
         <p>Signed in as <strong id=\"username\">{user}</strong>.</p>\n\
         <p><strong id=\"client\">{name}</strong> (<code>{id}</code>) asks for:</p>\n\
         <ul id=\"scopes\">\n{scopes}</ul>\n\
         <form method=\"post\" action=\"/oauth/authorize/decision\">\n\
         <input type=\"hidden\" name=\"request_id\" value=\"{rid}\">\n\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\n\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
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
        "<h1>Signed in</h1>\n<p>You are signed in as <strong>{}</strong>.</p>\n",
        escape(username)
    );
    html(StatusCode::OK, "Signed in", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("ok\u{0}"), "ok\u{FFFD}");
    }

    #[test]
    fn pages_carry_anti_framing_headers() {
        let r = error_page(StatusCode::BAD_REQUEST, "invalid_request", "<script>");
        assert_eq!(r.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert!(
            r.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .is_ok_and(|v| v.contains("frame-ancestors 'none'"))
        );
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    }
}
