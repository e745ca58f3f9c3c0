//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 §2.3, RFC 7523 §2.2).
//!
//! Four methods, named as in RFC 8414: `client_secret_basic` (HTTP Basic with the id
//! and secret each `application/x-www-form-urlencoded` before Base64, RFC 6749
//! §2.3.1), `client_secret_post`, `private_key_jwt` and `none` (public clients,
//! identified by `client_id` alone). A request that uses two methods, or puts
//! credentials in the URL query, is refused. Every failure is `401 invalid_client`,
//! with `WWW-Authenticate: Basic` when Basic was tried (RFC 6749 §5.2); the
//! `invalid_client_400` variant answers 400 when Basic was not tried.
//!
//! Secrets are compared as SHA-256 digests in constant time and are never logged.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::assertion;
use crate::error::OAuthError;
use crate::faults::Fault;
use crate::model::{AuthMethod, Client};
use crate::params::{self, OAuthRequest};
use crate::state::AppState;

/// The only `client_assertion_type` of RFC 7523 §2.2.
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Parameters that carry client credentials and so must never appear in a URL.
const CREDENTIAL_PARAMS: [&str; 3] = ["client_secret", "client_assertion", "client_assertion_type"];

/// An authenticated client and the method it used.
#[derive(Debug, Clone)]
pub struct ClientAuth {
    pub client: Arc<Client>,
    pub method: AuthMethod,
}

/// Where and how authentication is attempted.
#[derive(Debug, Clone, Copy)]
pub struct AuthOptions<'a> {
    /// The path the request came to; its absolute URL is accepted as a client
    /// assertion's `aud` besides the issuer.
    pub endpoint_path: &'a str,
    /// Only Phabricator's documented `GET /oauthserver/token/` sends the secret in
    /// the query; everywhere else that is refused (RFC 6749 §2.3.1).
    pub allow_query_credentials: bool,
    /// The jwt-bearer grant may come without client authentication (RFC 7523 §2.1).
    pub optional: bool,
}

impl<'a> AuthOptions<'a> {
    pub fn required(endpoint_path: &'a str) -> Self {
        Self {
            endpoint_path,
            allow_query_credentials: false,
            optional: false,
        }
    }
}

/// Authenticates the client of `req`. `Ok(None)` only when `opts.optional` and the
/// request carries no client identification at all.
pub async fn authenticate(
    state: &AppState,
    req: &OAuthRequest,
    opts: AuthOptions<'_>,
) -> Result<Option<ClientAuth>, OAuthError> {
    let params = &req.params;
    authorization_header(&req.headers).map_err(OAuthError::invalid_request)?;
    if !opts.allow_query_credentials && CREDENTIAL_PARAMS.iter().any(|p| req.query.contains(p)) {
        return Err(OAuthError::invalid_client(
            "client credentials must not be sent in the URL query",
        ));
    }
    let basic = basic_credentials(&req.headers);
    let basic_tried = basic.is_some();
    let post = params.contains("client_secret");
    let jwt = params.contains("client_assertion") || params.contains("client_assertion_type");
    let methods = usize::from(basic_tried) + usize::from(post) + usize::from(jwt);
    if methods > 1 {
        return Err(OAuthError::invalid_request(
            "more than one client authentication method was used",
        )
        .with_basic(basic_tried));
    }
    let fail = |d: &'static str| Err(OAuthError::invalid_client(d).with_basic(basic_tried));
    let body_client_id = params.get("client_id");

    let auth = if let Some(basic) = basic {
        let Some((id, secret)) = basic else {
            return fail("malformed HTTP Basic credentials");
        };
        if body_client_id.is_some_and(|b| b != id) {
            return fail("client_id does not match the authenticated client");
        }
        secret_auth(state, &id, &secret, AuthMethod::ClientSecretBasic).await
    } else if post {
        let Some(id) = body_client_id else {
            return fail("client_secret without client_id");
        };
        let secret = params.get("client_secret").unwrap_or_default();
        secret_auth(state, id, secret, AuthMethod::ClientSecretPost).await
    } else if jwt {
        jwt_auth(state, req, opts).await
    } else if let Some(id) = body_client_id {
        match state.store().client(id).await? {
            Some(client) if client.allows_auth(AuthMethod::None) => Ok(ClientAuth {
                client,
                method: AuthMethod::None,
            }),
            Some(_) => Err(OAuthError::invalid_client("this client must authenticate")),
            None => Err(OAuthError::invalid_client("unknown client")),
        }
    } else if opts.optional {
        return Ok(None);
    } else {
        return fail("client authentication is required");
    };
    auth.map(Some).map_err(|e| e.with_basic(basic_tried))
}

/// The response for an error of the token, revocation or introspection endpoints.
/// `e.into_response()`, except under the `invalid_client_400` variant (see
/// `variants.rs`) and the `BasicChallengeMissing` fault, which drops
/// `WWW-Authenticate` from a 401.
pub fn error_response(state: &AppState, e: OAuthError) -> Response {
    let mut r = state.settings().variants.client_error_response(e);
    if state.fault(Fault::BasicChallengeMissing) {
        r.headers_mut().remove(header::WWW_AUTHENTICATE);
    }
    r
}

async fn secret_auth(
    state: &AppState,
    id: &str,
    secret: &str,
    method: AuthMethod,
) -> Result<ClientAuth, OAuthError> {
    let denied = || OAuthError::invalid_client("client authentication failed");
    let Some(client) = state.store().client(id).await? else {
        return Err(denied());
    };
    let Some(hash) = &client.secret else {
        return Err(denied());
    };
    if !client.allows_auth(method) {
        return Err(OAuthError::invalid_client(format!(
            "this client may not use {}",
            method.name()
        )));
    }
    let ok = hash.matches(secret) || state.fault(Fault::ClientSecretUnchecked);
    if !ok {
        return Err(denied());
    }
    Ok(ClientAuth { client, method })
}

async fn jwt_auth(
    state: &AppState,
    req: &OAuthRequest,
    opts: AuthOptions<'_>,
) -> Result<ClientAuth, OAuthError> {
    let params = &req.params;
    if params.get("client_assertion_type") != Some(JWT_BEARER_ASSERTION_TYPE) {
        return Err(OAuthError::invalid_client(format!(
            "client_assertion_type must be {JWT_BEARER_ASSERTION_TYPE}"
        )));
    }
    let Some(jwt) = params.get("client_assertion") else {
        return Err(OAuthError::invalid_client("missing client_assertion"));
    };
    let Some(id) = assertion::peek_issuer(jwt) else {
        return Err(OAuthError::invalid_client(
            "client_assertion is not a JWT with an iss claim",
        ));
    };
    if params.get("client_id").is_some_and(|b| b != id) {
        return Err(OAuthError::invalid_client(
            "client_id does not match the client assertion",
        ));
    }
    let Some(client) = state.store().client(&id).await? else {
        return Err(OAuthError::invalid_client("unknown client"));
    };
    if !client.allows_auth(AuthMethod::PrivateKeyJwt) {
        return Err(OAuthError::invalid_client(
            "this client may not use private_key_jwt",
        ));
    }
    let verified = assertion::verify(state, &client, jwt, opts.endpoint_path)
        .await
        .map_err(|e| e.into_oauth("client_assertion", OAuthError::invalid_client))?;
    if verified.subject != *client.id {
        return Err(OAuthError::invalid_client(
            "client_assertion: sub must be the client_id",
        ));
    }
    Ok(ClientAuth {
        client,
        method: AuthMethod::PrivateKeyJwt,
    })
}

/// Why a request with more than one `Authorization` header is refused (400
/// `invalid_request` at every endpoint): picking one would let a proxy and this
/// server disagree on who is calling.
pub const TWO_AUTHORIZATION_HEADERS: &str = "send one Authorization header, not several";

/// The `Authorization` header; `Err` when there is more than one.
pub fn authorization_header(headers: &HeaderMap) -> Result<Option<&HeaderValue>, &'static str> {
    let mut all = headers.get_all(header::AUTHORIZATION).iter();
    let first = all.next();
    if all.next().is_some() {
        return Err(TWO_AUTHORIZATION_HEADERS);
    }
    Ok(first)
}

/// `None`: no Basic header. `Some(None)`: a Basic header that cannot be decoded.
/// RFC 6749 §2.3.1: the id and the secret are each form-urlencoded before
/// Basic encoding, so each half is form-decoded (as body parameters are); the
/// id must not be empty and the `:` must be there.
fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    let credentials = crate::basic::credentials(headers)?;
    Some(credentials.and_then(|c| {
        let id = params::decode_value(&c.user);
        let secret = params::decode_value(&c.password?);
        (!id.is_empty()).then_some((id, secret))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn basic_header_parsing() {
        let mut h = HeaderMap::new();
        assert!(basic_credentials(&h).is_none());
        let enc = STANDARD.encode("a+b%3Ac:p%40ss+word%2B%2F");
        h.insert(
            header::AUTHORIZATION,
            format!("basic {enc}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&h),
            Some(Some(("a b:c".to_owned(), "p@ss word+/".to_owned())))
        );
        h.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert_eq!(basic_credentials(&h), Some(None));
        let no_colon = STANDARD.encode("just-an-id");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {no_colon}").parse().unwrap(),
        );
        assert_eq!(basic_credentials(&h), Some(None));
        let empty_id = STANDARD.encode(":secret");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {empty_id}").parse().unwrap(),
        );
        assert_eq!(basic_credentials(&h), Some(None));
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(basic_credentials(&h), None);
    }
}
