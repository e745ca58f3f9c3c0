//! Form and query parameters with the RFC 6749 §3.1/§3.2 rules: a parameter sent
//! twice is an error, an empty value counts as absent, unknown ones are ignored.
//! The exceptions are the parameters their own RFCs make repeatable
//! ([`REPEATABLE`]).

use std::borrow::Cow;
use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::OAuthError;

/// Parameters that may be sent more than once: `resource` ("Multiple resource
/// parameters MAY be used", RFC 8707 §2) and `audience` ("Multiple audience
/// parameters MAY be used", RFC 8693 §2.1).
pub const REPEATABLE: &[&str] = &["resource", "audience"];

/// Decoded `name=value` pairs, each name at most once but for [`REPEATABLE`] ones.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text (a query string or a body).
    ///
    /// Linear in the size of `raw`: names are checked for repeats with a hash set
    /// (std's randomly keyed SipHash, so chosen names cannot force collisions),
    /// because a body of thousands of short names must not cost quadratic time.
    pub fn parse(raw: &[u8]) -> Result<Self, OAuthError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw)
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        let mut seen = HashSet::with_capacity(pairs.len());
        if let Some((name, _)) = pairs
            .iter()
            .find(|(n, _)| !REPEATABLE.contains(&n.as_str()) && !seen.insert(n.as_str()))
        {
            return Err(OAuthError::invalid_request(format!(
                "parameter {} is repeated",
                printable(name)
            )));
        }
        Ok(Self(pairs))
    }

    /// A parameter's value; empty values are treated as omitted (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The value, or `invalid_request` naming the missing parameter.
    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("missing parameter {name}")))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// `application/x-www-form-urlencoded` decoding of one value, exactly as
/// [`Params::parse`] decodes parameters (the `form_urlencoded` crate: `+` is a
/// space, a malformed `%` escape stays as written, bytes that are not UTF-8
/// become U+FFFD). Used for the HTTP Basic halves of RFC 6749 §2.3.1.
pub fn decode_value(s: &str) -> String {
    // In one value `&` and `=` are data, not separators: escape them first
    // (their escapes decode back to themselves, and a `%` never joins them).
    let escaped = s.replace('&', "%26").replace('=', "%3D");
    form_urlencoded::parse(escaped.as_bytes())
        .next()
        .map(|(name, _)| name.into_owned())
        .unwrap_or_default()
}

/// A short, safe rendering of client input for error descriptions.
pub fn printable(s: &str) -> Cow<'_, str> {
    if s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b))
    {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .take(40)
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "_-.:".contains(c) {
                        c
                    } else {
                        '?'
                    }
                })
                .collect(),
        )
    }
}

/// A request to an OAuth endpoint: POST form body (or, where a dialect allows GET,
/// the query), plus the query string and headers kept apart, so that credentials
/// sent in the URL can be refused (RFC 6749 §2.3.1).
#[derive(Debug)]
pub struct OAuthRequest {
    pub method: Method,
    pub headers: HeaderMap,
    /// Parameters from the body (POST) or the query (GET).
    pub params: Params,
    /// Parameters from the query string, whatever the method.
    pub query: Params,
}

/// Why an `OAuthRequest` could not be read.
#[derive(Debug)]
pub enum ParamsRejection {
    TooLarge,
    OAuth(OAuthError),
}

impl IntoResponse for ParamsRejection {
    fn into_response(self) -> Response {
        match self {
            ParamsRejection::TooLarge => {
                let mut r = OAuthError::invalid_request("request body too large").into_response();
                *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                r
            }
            ParamsRejection::OAuth(e) => e.into_response(),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for OAuthRequest {
    type Rejection = ParamsRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = req.method().clone();
        let headers = req.headers().clone();
        let query = Params::parse(req.uri().query().unwrap_or("").as_bytes())
            .map_err(ParamsRejection::OAuth)?;
        if method == Method::GET || method == Method::HEAD {
            return Ok(Self {
                method,
                headers,
                params: query.clone(),
                query,
            });
        }
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ParamsRejection::TooLarge
            } else {
                ParamsRejection::OAuth(OAuthError::invalid_request("unreadable request body"))
            }
        })?;
        if !body.is_empty() && !is_form(&headers) {
            return Err(ParamsRejection::OAuth(OAuthError::invalid_request(
                "the body must be application/x-www-form-urlencoded",
            )));
        }
        let params = Params::parse(&body).map_err(ParamsRejection::OAuth)?;
        Ok(Self {
            method,
            headers,
            params,
            query,
        })
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(Params::parse(b"a=1&a=2").is_err());
        assert!(Params::parse(b"a=1&b=2").is_ok());
    }

    #[test]
    fn resource_and_audience_may_repeat() {
        let p = Params::parse(
            b"resource=https%3A%2F%2Fa.example%2F&resource=urn%3Ab&audience=x&audience=y",
        )
        .expect("RFC 8707 and RFC 8693 allow repeating these");
        assert_eq!(p.iter().filter(|(n, _)| *n == "resource").count(), 2);
        assert!(Params::parse(b"resource=a&state=1&state=2").is_err());
    }

    /// The rule as first written: each name compared with every earlier one.
    fn quadratic_model(raw: &[u8]) -> Result<Vec<(String, String)>, String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(raw) {
            if !REPEATABLE.contains(&name.as_ref()) && pairs.iter().any(|(n, _)| *n == name) {
                return Err(printable(&name).into_owned());
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(pairs)
    }

    proptest::proptest! {
        /// The linear check accepts, refuses and names the repeated parameter
        /// exactly as the quadratic model does. Names come from a small alphabet
        /// (and are sometimes percent-encoded) so that repeats are common.
        #[test]
        fn repeated_parameter_check_matches_the_quadratic_model(
            pairs in proptest::collection::vec(
                ("[ab%=&+]{0,3}", "[a-c%&=+]{0,3}", proptest::bool::ANY),
                0..24,
            ),
        ) {
            let raw = pairs
                .iter()
                .map(|(n, v, encode)| {
                    let n = if *encode { n.replace('a', "%61") } else { n.clone() };
                    format!("{n}={v}")
                })
                .collect::<Vec<_>>()
                .join("&");
            let got = Params::parse(raw.as_bytes())
                .map(|p| p.0)
                .map_err(|e| e.description.into_owned());
            let want = quadratic_model(raw.as_bytes())
                .map_err(|name| format!("parameter {name} is repeated"));
            proptest::prop_assert_eq!(got, want, "{}", raw);
        }
    }

    #[test]
    fn one_value_decodes_as_a_parameter_does() {
        assert_eq!(decode_value("a+b%3Ac"), "a b:c");
        assert_eq!(decode_value("p%40ss%20word%2B%2F"), "p@ss word+/");
        assert_eq!(decode_value("a=b&c"), "a=b&c");
        assert_eq!(decode_value("%zz%4"), "%zz%4");
        assert_eq!(decode_value("%2&"), "%2&");
        assert_eq!(decode_value(""), "");
        for raw in ["x%ffy", "%e2%82%ac+%41", "100%", "%%26"] {
            let body = Params::parse(format!("v={raw}").as_bytes()).unwrap();
            assert_eq!(decode_value(raw), body.get("v").unwrap(), "{raw}");
        }
    }

    #[test]
    fn empty_values_count_as_absent() {
        let p = Params::parse(b"state=&scope=a+b&x=%26").unwrap();
        assert_eq!(p.get("state"), None);
        assert_eq!(p.get("scope"), Some("a b"));
        assert_eq!(p.get("x"), Some("&"));
        assert!(p.require("code").is_err());
    }

    #[test]
    fn printable_masks_odd_input() {
        assert_eq!(printable("client_id"), "client_id");
        assert_eq!(printable("a\"b"), "a?b");
    }
}
