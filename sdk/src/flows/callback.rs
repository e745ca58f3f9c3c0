//! Strict validation of a redirect back from the authorization endpoint,
//! shared by the code and implicit flows.

use std::collections::HashMap;

use url::Url;

use crate::error::{Error, ErrorCode, ProtocolViolation, Result};
use crate::secret::CsrfState;
use crate::types::RedirectUrl;

/// What a callback must match: the request that started it.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub(crate) state: CsrfState,
    pub(crate) redirect: RedirectUrl,
    pub(crate) issuer: Option<String>,
    pub(crate) iss_required: bool,
}

/// Checks, in this order: the callback is our redirect URI; no parameter is
/// repeated (RFC 6749 §3.1); `state` is present and equal, compared in
/// constant time (§10.12); `iss`, when present or required, equals the issuer
/// (RFC 9207 §2.4); an `error` becomes [`Error::OAuth`] (§4.1.2.1).
/// Only then are the parameters returned.
pub(crate) fn validate(
    callback: &Url,
    params: &str,
    expected: &Expected,
) -> Result<HashMap<String, String>> {
    let r = expected.redirect.url();
    if callback.scheme() != r.scheme()
        || callback.host_str() != r.host_str()
        || callback.port_or_known_default() != r.port_or_known_default()
        || callback.path() != r.path()
    {
        return Err(ProtocolViolation::RedirectUriMismatch.into());
    }
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(params.as_bytes()) {
        if map.insert(k.clone().into_owned(), v.into_owned()).is_some() {
            return Err(ProtocolViolation::RepeatedParameter(k.into_owned()).into());
        }
    }
    let state = map.get("state").ok_or(ProtocolViolation::MissingState)?;
    if !expected.state.matches(state) {
        return Err(ProtocolViolation::StateMismatch.into());
    }
    match (map.get("iss"), &expected.issuer) {
        // Exact comparison, except that a trailing `/` is ignored on both sides.
        (Some(iss), Some(issuer)) if iss.trim_end_matches('/') == issuer.trim_end_matches('/') => {}
        (Some(_), Some(_)) => return Err(ProtocolViolation::IssuerMismatch.into()),
        // An issuer we cannot check is refused rather than trusted.
        (Some(_), None) => return Err(ProtocolViolation::IssuerNotConfigured.into()),
        (None, _) if expected.iss_required => return Err(ProtocolViolation::MissingIssuer.into()),
        (None, _) => {}
    }
    if let Some(code) = map.get("error") {
        return Err(Error::OAuth {
            code: ErrorCode::parse(code),
            description: map.get("error_description").cloned(),
            uri: map.get("error_uri").cloned(),
            retry_after: None,
        });
    }
    Ok(map)
}
