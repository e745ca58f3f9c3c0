//! What every module of this test binary shares: imports, demo values and
//! assertions on pages and error redirects.

pub(crate) use oauth_server_reference::Config;
pub(crate) use oauth_server_reference::crypto::TokenHash;
pub(crate) use oauth_server_reference::model::ChallengeMethod;
pub(crate) use oauth_server_reference::store::Consumed;
pub(crate) use reqwest::StatusCode;
pub(crate) use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};

pub(crate) use crate::support::browser::{
    self, Browser, CallbackUrl, Page, authorize_code, authorize_in,
};
pub(crate) use crate::support::{REDIRECT, TestServer};

pub(crate) const ALICE: (&str, &str) = ("alice", "alice-password");

/// The issuer the server advertises.
pub(crate) fn issuer(server: &TestServer) -> String {
    server.handle.state().issuer().to_owned()
}

pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub(crate) const STATE_ODD: &str = "a&b=c+d%20e%zz #?/ ünïcødé 🙂";

/// An authorization request in a fresh, logged-out browser.
pub(crate) async fn fresh(server: &TestServer, params: &[(&str, &str)]) -> Page {
    Browser::new(server).authorize(params).await
}

/// The page is the server's error page: 400 HTML, no redirect anywhere.
pub(crate) fn assert_error_page(page: &Page, error: &str) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{page:?}");
    assert!(page.location().is_none(), "an error page never redirects");
    assert!(
        page.headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.body.contains(error),
        "error page names {error}: {}",
        page.body
    );
    assert_page_headers(page);
}

pub(crate) fn assert_page_headers(page: &Page) {
    assert_eq!(page.headers["x-frame-options"], "DENY");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(page.headers[CACHE_CONTROL], "no-store");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert_no_cors(page);
}

pub(crate) fn assert_no_cors(page: &Page) {
    for name in page.headers.keys() {
        assert!(
            !name.as_str().starts_with("access-control-"),
            "CORS header {name} present"
        );
    }
}

/// An RFC 6749 §4.1.2.1 error redirect to `base`: the error, state and iss, and nothing
/// else (no code), in the query or (implicit) the fragment.
pub(crate) fn assert_error_redirect(
    server: &TestServer,
    page: &Page,
    base: &str,
    error: &str,
    state: Option<&str>,
    fragment: bool,
) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{page:?}");
    assert_no_cors(page);
    let location = page.location().unwrap();
    let rest = location
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{location} goes to {base}"));
    assert!(rest.starts_with(['?', '&', '#']), "{location}");
    let cb = CallbackUrl::parse(location);
    let raw = if fragment {
        assert!(cb.0.query().is_none(), "implicit errors go in the fragment");
        cb.0.fragment().unwrap_or("").to_owned()
    } else {
        assert!(
            cb.0.fragment().is_none(),
            "code-flow errors go in the query"
        );
        cb.0.query().unwrap_or("").to_owned()
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let names: Vec<&String> = pairs.iter().map(|(n, _)| n).collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("error").as_deref(), Some(error), "{cb:?}");
    assert!(get("error_description").is_some());
    assert_eq!(get("state").as_deref(), state, "state echoed exactly");
    assert_eq!(get("iss"), Some(issuer(server)));
    for n in &names {
        assert!(
            ["error", "error_description", "state", "iss"].contains(&n.as_str())
                || base.contains(n.as_str()),
            "unexpected parameter {n} in an error response"
        );
    }
    assert!(get("code").is_none() && get("access_token").is_none());
}

pub(crate) async fn stored_code(
    server: &TestServer,
    code: &str,
) -> oauth_server_reference::model::AuthCode {
    match server
        .handle
        .state()
        .store()
        .consume_code(&TokenHash::of(code))
        .await
        .unwrap()
    {
        Consumed::Fresh(c) => c,
        other => panic!("code not stored: {other:?}"),
    }
}
