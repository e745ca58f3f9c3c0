//! redirect_uri policies and building the redirect back to the client.
//!
//! - `exact` (default, RFC 9700 §2.1): byte-exact match with a registered URI; the
//!   one exception, for public clients only, is a loopback IP literal
//!   (`http://127.0.0.1`, `http://[::1]`), whose port may differ (RFC 8252 §7.3:
//!   native apps) while path and query still match exactly.
//! - `loopback_any_port`: `exact` with that exception for confidential clients too.
//! - `phabricator` (the seed's rule): same scheme, host, port and path, every
//!   registered query parameter present with its value, extra ones allowed, no
//!   fragment. Extra parameters that would collide with the response (`code`,
//!   `state`, …) are refused, so a redirect never carries two codes.
//!
//! A fragment is always refused (RFC 6749 §3.1.2).

use url::Url;

use crate::model::RedirectPolicy;

/// Where the response parameters go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `response_type=code` and its errors (RFC 6749 §4.1.2).
    Query,
    /// `response_type=token` and its errors (RFC 6749 §4.2.2).
    Fragment,
}

/// Names that an authorization response may add; a redirect_uri may not carry them.
const RESPONSE_PARAMETERS: &[&str] = &[
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
    "access_token",
    "token_type",
    "expires_in",
    "scope",
    "refresh_token",
];

/// Whether `requested` is acceptable for a client with these registered URIs;
/// `public`: the client is public (no credentials).
/// `prefix_fault` switches on the deliberate `redirect-uri-prefix-match` fault.
pub(crate) fn is_allowed(
    policy: RedirectPolicy,
    public: bool,
    registered: &[String],
    requested: &str,
    prefix_fault: bool,
) -> bool {
    if prefix_fault && registered.iter().any(|r| requested.starts_with(r.as_str())) {
        return true;
    }
    if requested.contains('#') || Url::parse(requested).is_err() {
        return false;
    }
    registered.iter().any(|r| match policy {
        RedirectPolicy::Exact => exact(r, requested, public),
        RedirectPolicy::LoopbackAnyPort => exact(r, requested, true),
        RedirectPolicy::Phabricator => phabricator(r, requested),
    })
}

fn exact(registered: &str, requested: &str, any_loopback_port: bool) -> bool {
    if registered == requested {
        return true;
    }
    if !any_loopback_port {
        return false;
    }
    match (loopback(registered), loopback(requested)) {
        (Some((host_a, rest_a)), Some((host_b, rest_b))) => host_a == host_b && rest_a == rest_b,
        _ => false,
    }
}

/// Splits a loopback IP-literal URI into (origin without port, path-and-query).
/// Anything after the host other than `:port` followed by `/`, `?` or the end
/// (userinfo tricks, longer host names) is not loopback.
fn loopback(uri: &str) -> Option<(&'static str, &str)> {
    for origin in ["http://127.0.0.1", "http://[::1]"] {
        let Some(after) = uri.strip_prefix(origin) else {
            continue;
        };
        let rest = match after.strip_prefix(':') {
            Some(port_and_rest) => {
                let digits = port_and_rest.bytes().take_while(u8::is_ascii_digit).count();
                let (port, rest) = port_and_rest.split_at(digits);
                if !(1..=5).contains(&digits) || port.parse::<u16>().is_err() {
                    return None;
                }
                rest
            }
            None => after,
        };
        if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') {
            return Some((origin, rest));
        }
        return None;
    }
    None
}

fn phabricator(registered: &str, requested: &str) -> bool {
    let (Ok(reg), Ok(req)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    // Only the canonical spelling: no dot segments, odd encodings or host case games.
    if req.as_str() != requested || !req.username().is_empty() || req.password().is_some() {
        return false;
    }
    if reg.scheme() != req.scheme()
        || reg.host_str() != req.host_str()
        || reg.port_or_known_default() != req.port_or_known_default()
        || reg.path() != req.path()
    {
        return false;
    }
    let pairs: Vec<(String, String)> = req.query_pairs().into_owned().collect();
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(n, _)| n == name) || RESPONSE_PARAMETERS.contains(&name.as_str())
        {
            return false;
        }
    }
    reg.query_pairs()
        .all(|(n, v)| pairs.iter().any(|(rn, rv)| *rn == n && *rv == v))
}

/// Appends response parameters to a (validated, fragment-free) redirect URI.
pub(crate) fn append(uri: &str, mode: Mode, params: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, value);
    }
    let encoded = serializer.finish();
    let separator = match mode {
        Mode::Fragment => "#",
        Mode::Query if !uri.contains('?') => "?",
        Mode::Query if uri.ends_with('?') || uri.ends_with('&') => "",
        Mode::Query => "&",
    };
    format!("{uri}{separator}{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For a public client.
    fn check(policy: RedirectPolicy, registered: &[&str], requested: &str, expected: bool) {
        let registered: Vec<String> = registered.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            is_allowed(policy, true, &registered, requested, false),
            expected,
            "{policy:?} {registered:?} vs {requested:?}"
        );
    }

    const CB: &str = "http://127.0.0.1:9876/callback";

    #[test]
    fn exact_policy() {
        use RedirectPolicy::Exact;
        let table: &[(&[&str], &str, bool)] = &[
            (&[CB], CB, true),
            (
                &[CB, "http://localhost:9876/callback"],
                "http://localhost:9876/callback",
                true,
            ),
            (&["https://app.example/cb"], "https://app.example/cb", true),
            (&[CB], "http://127.0.0.1:9876/callback?extra=x", false),
            (&[CB], "http://127.0.0.1:9876/callback/Wrong", false),
            (&[CB], "http://127.0.0.1:9876/callbackx", false),
            (&[CB], "http://127.0.0.1:9876/callback#frag", false),
            (&[CB], "http://127.0.0.1:9876/callback%2F..", false),
            (&[CB], "http://127.0.0.1:9876/callback/;/../", false),
            (&[CB], "http://127.0.0.1:9876/callback%252F", false),
            (&[CB], "http://127.0.0.1:9876/callback%0A%0D", false),
            (&[CB], "http://127.0.0.1:9876/x/../callback", false),
            (&[CB], "HTTP://127.0.0.1:9876/callback", false),
            (&["https://app.example/cb"], "http://app.example/cb", false),
            (
                &["https://app.example/cb"],
                "https://app.example/cb/",
                false,
            ),
            (
                &["https://app.example/cb?a=1"],
                "https://app.example/cb?a=2",
                false,
            ),
            (
                &["https://app.example/cb?a=1"],
                "https://app.example/cb?a=1&a=2",
                false,
            ),
            (&[CB], "", false),
            (&[CB], "not a uri", false),
            // Loopback IP literals: any port (RFC 8252 §7.3), same path and query.
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1:51234/callback",
                true,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1/callback",
                true,
            ),
            (&[CB], "http://127.0.0.1:1/callback", true),
            (&["http://[::1]/cb"], "http://[::1]:8080/cb", true),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1:51234/callback2",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1:51234/callback?x=1",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1:99999/callback",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1:/callback",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1:80@evil.example/callback",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1.evil.example/callback",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "https://127.0.0.1:443/callback",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://[::1]:5000/callback",
                false,
            ),
            (
                &["http://127.0.0.1/callback"],
                "http://127.0.0.1:5000/callback#f",
                false,
            ),
            // `localhost` is a name, not a literal: exact match only.
            (&["http://localhost/cb"], "http://localhost:8080/cb", false),
        ];
        for (registered, requested, expected) in table {
            check(Exact, registered, requested, *expected);
        }
    }

    #[test]
    fn any_loopback_port_only_for_public_clients_unless_configured() {
        let reg = vec!["http://127.0.0.1:9876/callback".to_owned()];
        let other_port = "http://127.0.0.1:51234/callback";
        let confidential = |policy| is_allowed(policy, false, &reg, other_port, false);
        assert!(!confidential(RedirectPolicy::Exact));
        assert!(confidential(RedirectPolicy::LoopbackAnyPort));
        assert!(is_allowed(
            RedirectPolicy::Exact,
            false,
            &reg,
            &reg[0],
            false
        ));
        assert!(is_allowed(
            RedirectPolicy::Exact,
            true,
            &reg,
            other_port,
            false
        ));
        assert!(!is_allowed(
            RedirectPolicy::LoopbackAnyPort,
            false,
            &reg,
            "http://127.0.0.1:51234/other",
            false
        ));
    }

    #[test]
    fn phabricator_policy() {
        use RedirectPolicy::Phabricator;
        const PHAB: &str = "http://127.0.0.1:9876/phab?app=1";
        let table: &[(&str, bool)] = &[
            (PHAB, true),
            ("http://127.0.0.1:9876/phab?app=1&extra=2", true),
            ("http://127.0.0.1:9876/phab?extra=2&app=1", true),
            ("http://127.0.0.1:9876/phab", false),
            ("http://127.0.0.1:9876/phab?app=2", false),
            ("http://127.0.0.1:9876/phab?app=1&app=2", false),
            ("http://127.0.0.1:9876/phab?app=1#frag", false),
            ("http://127.0.0.1:9877/phab?app=1", false),
            ("http://127.0.0.2:9876/phab?app=1", false),
            ("https://127.0.0.1:9876/phab?app=1", false),
            ("http://127.0.0.1:9876/phab/x?app=1", false),
            ("http://127.0.0.1:9876/phabx?app=1", false),
            ("http://127.0.0.1:9876/x/../phab?app=1", false),
            ("http://127.0.0.1:9876/phab%2F?app=1", false),
            ("http://user@127.0.0.1:9876/phab?app=1", false),
            ("http://127.0.0.1:9876/phab?app=1&code=evil", false),
            ("http://127.0.0.1:9876/phab?app=1&state=x", false),
        ];
        for (requested, expected) in table {
            check(Phabricator, &[PHAB], requested, *expected);
        }
        // Default ports are the same port.
        check(
            Phabricator,
            &["https://a.example/cb"],
            "https://a.example:443/cb",
            false,
        );
        check(
            Phabricator,
            &["https://a.example:443/cb"],
            "https://a.example/cb",
            true,
        );
    }

    #[test]
    fn prefix_fault_accepts_suffixes() {
        let reg = vec![CB.to_owned()];
        assert!(is_allowed(
            RedirectPolicy::Exact,
            false,
            &reg,
            "http://127.0.0.1:9876/callback.evil",
            true
        ));
        assert!(!is_allowed(
            RedirectPolicy::Exact,
            false,
            &reg,
            "http://127.0.0.1:9876/callback.evil",
            false
        ));
    }

    #[test]
    fn appends_parameters_in_query_or_fragment() {
        let p = [("code", "a b"), ("state", "&=+%é")];
        assert_eq!(
            append("http://h/cb", Mode::Query, &p),
            "http://h/cb?code=a+b&state=%26%3D%2B%25%C3%A9"
        );
        assert_eq!(
            append("http://h/cb?app=1", Mode::Query, &p[..1]),
            "http://h/cb?app=1&code=a+b"
        );
        assert_eq!(
            append("http://h/cb?", Mode::Query, &p[..1]),
            "http://h/cb?code=a+b"
        );
        assert_eq!(
            append("http://h/cb?x=1", Mode::Fragment, &p[..1]),
            "http://h/cb?x=1#code=a+b"
        );
    }
}
