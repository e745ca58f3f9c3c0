//! Reading what endpoints answer: redirects, OAuth errors (with any status),
//! HTTP status errors, JSON documents.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, ParseError, ProtocolViolation, Result};

/// An RFC 6749 §5.2 error in a JSON object, if it is one.
pub(crate) fn oauth_error(
    obj: &Map<String, Value>,
    retry_after: Option<Duration>,
) -> Option<Error> {
    let code = obj.get("error")?.as_str()?;
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(Error::OAuth {
        code: ErrorCode::parse(code),
        description: text("error_description"),
        uri: text("error_uri"),
        retry_after,
    })
}

/// `Retry-After` as delay-seconds or an HTTP-date ([RFC 9110 §10.2.3](https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3)).
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// What an endpoint's error answers look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorDocument {
    /// An RFC 6749 §5.2 object (`{"error": …}`), honoured whatever the status:
    /// some servers send errors with 200.
    OAuth,
    /// A JSON:API error document (`{"errors": [...]}`) on a non-2xx status:
    /// the management APIs.
    JsonApi,
}

/// The error a response stands for, if any, read the same way for every
/// endpoint: a redirect is a protocol violation (never followed); an error
/// document (`doc` says which kind) becomes [`Error::OAuth`] or
/// [`Error::Api`]; any other non-2xx an [`Error::Status`]. Both HTTP errors
/// keep the `Retry-After` header, so [`Error::is_retryable`] and
/// [`Error::retry_after`] answer alike for OAuth and management calls.
pub(crate) fn failure(resp: &http::Response<Vec<u8>>, doc: ErrorDocument) -> Option<Error> {
    let status = resp.status();
    if status.is_redirection() {
        return Some(ProtocolViolation::Redirect(status).into());
    }
    let retry_after = retry_after(resp.headers());
    let from_body = match doc {
        ErrorDocument::OAuth => match serde_json::from_slice::<Value>(resp.body()) {
            Ok(Value::Object(obj)) => oauth_error(&obj, retry_after),
            _ => None,
        },
        ErrorDocument::JsonApi if !status.is_success() => {
            crate::management::parse_api_error(status, retry_after, resp.body()).map(Error::Api)
        }
        ErrorDocument::JsonApi => None,
    };
    if from_body.is_some() {
        return from_body;
    }
    (!status.is_success()).then_some(Error::Status {
        status,
        retry_after,
    })
}

/// The body of a successful OAuth response, or the error the response stands
/// for (see [`failure`]).
pub(crate) fn success_body(resp: &http::Response<Vec<u8>>) -> Result<&[u8]> {
    match failure(resp, ErrorDocument::OAuth) {
        Some(e) => Err(e),
        None => Ok(resp.body()),
    }
}

/// A successful response's JSON object.
pub(crate) fn json_object(
    resp: &http::Response<Vec<u8>>,
    what: &'static str,
) -> Result<Map<String, Value>> {
    let body = success_body(resp)?;
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(ParseError::new(what, "not a JSON object").into()),
        Err(e) => Err(ParseError::json(what, e).into()),
    }
}

/// A string member, or `None` when absent or null.
pub(crate) fn opt_str(
    obj: &Map<String, Value>,
    what: &'static str,
    key: &str,
) -> Result<Option<String>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ParseError::new(what, format!("`{key}` is not a string")).into()),
    }
}

/// A non-negative integer sent as a number or as a string of digits (some
/// servers quote `expires_in`); fractional numbers are truncated.
pub(crate) fn opt_uint(
    obj: &Map<String, Value>,
    what: &'static str,
    key: &str,
) -> Result<Option<u64>> {
    let bad = || -> Error {
        ParseError::new(what, format!("`{key}` is not a non-negative integer")).into()
    };
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(u) = n.as_u64() {
                Ok(Some(u))
            } else {
                match n.as_f64() {
                    Some(f) if f >= 0.0 && f.is_finite() => Ok(Some(f as u64)),
                    _ => Err(bad()),
                }
            }
        }
        Some(Value::String(s)) => s.trim().parse::<u64>().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// An integer that may be negative (timestamps), as number or string.
pub(crate) fn opt_int(
    obj: &Map<String, Value>,
    what: &'static str,
    key: &str,
) -> Result<Option<i64>> {
    let bad = || -> Error { ParseError::new(what, format!("`{key}` is not an integer")).into() };
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Some)
            .ok_or_else(bad),
        Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// An identifier sent as a string or a number (doorkeeper sends numeric ids).
pub(crate) fn opt_id(
    obj: &Map<String, Value>,
    what: &'static str,
    key: &str,
) -> Result<Option<String>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(ParseError::new(what, format!("`{key}` is not a string or number")).into()),
    }
}

/// A response with `status` and `body`, for unit tests of response readers.
#[cfg(test)]
pub(crate) fn test_response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::test_response as resp;
    use super::*;

    #[test]
    fn error_with_200_is_oauth_error() {
        let e = success_body(&resp(
            200,
            r#"{"error":"invalid_grant","error_description":"bad"}"#,
        ))
        .unwrap_err();
        assert!(
            matches!(e, Error::OAuth { code: ErrorCode::InvalidGrant, description: Some(ref d), uri: None, retry_after: None } if d == "bad")
        );
    }

    #[test]
    fn redirect_is_protocol_violation() {
        let e = success_body(&resp(302, "")).unwrap_err();
        assert!(matches!(e, Error::Protocol(ProtocolViolation::Redirect(s)) if s == 302));
    }

    #[test]
    fn retry_after_forms() {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(600));
        h.insert(http::header::RETRY_AFTER, later.parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(590) && d <= Duration::from_secs(600),
            "{d:?}"
        );
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn uint_leniency() {
        let o: Map<String, Value> =
            serde_json::from_str(r#"{"a":7200,"b":"7200","c":" 5 ","d":-1,"e":"x","f":1.5}"#)
                .unwrap();
        assert_eq!(opt_uint(&o, "t", "a").unwrap(), Some(7200));
        assert_eq!(opt_uint(&o, "t", "b").unwrap(), Some(7200));
        assert_eq!(opt_uint(&o, "t", "c").unwrap(), Some(5));
        assert!(opt_uint(&o, "t", "d").is_err());
        assert!(opt_uint(&o, "t", "e").is_err());
        assert_eq!(opt_uint(&o, "t", "f").unwrap(), Some(1));
        assert_eq!(opt_uint(&o, "t", "missing").unwrap(), None);
    }
}
