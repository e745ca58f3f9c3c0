//! JWT assertions signed by a client's registered key (RFC 7523 §3), shared by
//! `private_key_jwt` client authentication (§2.2) and the jwt-bearer grant (§2.1).
//!
//! Checks, in order: no `crit` header (RFC 7515 §4.1.11: no extension is
//! supported); the header's `kid` selects one of the client's keys (a client
//! with a single key may omit it); `alg` must be that key's algorithm (so `none` and
//! HMAC keyed with the public key are refused); the signature; `iss` = the client;
//! `sub` present; `aud` names the issuer or the endpoint's URL; `exp` present, not
//! past (minus the clock skew) and at most `assertion_max_lifetime_secs` ahead
//! (default 3600); `nbf`/`iat` not beyond the skew in the future, `exp - iat` and
//! the age of `iat` within that same lifetime; `jti` present and never seen
//! before, kept until `exp` (recorded last, so a refused assertion does not burn
//! its `jti`).
//!
//! Time comes from the server clock, so tests move it instead of sleeping.

use serde::Deserialize;

use crate::error::OAuthError;
use crate::faults::Fault;
use crate::model::{Client, ClientKey};
use crate::state::AppState;
use crate::store::StoreError;

/// The token endpoint paths of every dialect; each one's absolute URL is an
/// acceptable `aud` besides the issuer (docs/rules.md#jwt-assertions).
const TOKEN_PATHS: [&str; 3] = [
    "/oauth/token",
    "/api/rest/oauth2/token",
    "/oauthserver/token/",
];

/// A verified assertion.
#[derive(Debug, Clone)]
pub struct Verified {
    pub subject: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Audience>,
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    jti: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, wanted: impl Fn(&str) -> bool) -> bool {
        match self {
            Audience::One(a) => wanted(a),
            Audience::Many(all) => all.iter().any(|a| wanted(a)),
        }
    }
}

#[derive(Deserialize)]
struct Peek {
    iss: Option<String>,
}

/// The unverified `iss` of a JWT, to find which client's keys verify it.
pub fn peek_issuer(jwt: &str) -> Option<String> {
    jsonwebtoken::dangerous::insecure_decode_claims::<Peek>(jwt)
        .ok()?
        .iss
        .filter(|i| !i.is_empty())
}

/// Every rule but single use. The error is a short reason, safe to send back.
fn check(
    state: &AppState,
    client: &Client,
    jwt: &str,
    endpoint_path: &str,
) -> Result<Checked, &'static str> {
    let header =
        jsonwebtoken::decode_header(jwt).map_err(|_| "malformed JWT or unsupported alg")?;
    // RFC 7515 §4.1.11: extensions named in `crit` must be understood, and this
    // server understands none.
    if header.crit.is_some() {
        return Err("the JWS header names critical extensions (crit) this server does not support");
    }
    let key = select_key(client, header.kid.as_deref())?;
    if header.alg != key.alg {
        return Err("alg does not match the registered key");
    }
    let mut validation = jsonwebtoken::Validation::new(key.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<Claims>(jwt, &key.key, &validation)
        .map_err(|_| "bad signature or malformed claims")?
        .claims;

    if claims.iss.as_deref() != Some(&*client.id) {
        return Err("iss must be the client_id");
    }
    let Some(subject) = claims.sub.filter(|s| !s.is_empty()) else {
        return Err("sub is required");
    };
    if !state.fault(Fault::JwtAudienceUnchecked) {
        let issuer = state.issuer();
        let endpoint = state.url(endpoint_path);
        let ok = |a: &str| {
            let a = a.trim_end_matches('/');
            a == issuer
                || a == endpoint.trim_end_matches('/')
                || TOKEN_PATHS
                    .iter()
                    .any(|p| a == state.url(p).trim_end_matches('/'))
        };
        if !claims.aud.as_ref().is_some_and(|aud| aud.contains(ok)) {
            return Err("aud must name this server's issuer or token endpoint");
        }
    }

    let settings = state.settings();
    let now = state.now() as f64 / 1000.0;
    let skew = settings.clock_skew_secs as f64;
    let Some(exp) = claims.exp.filter(|e| e.is_finite()) else {
        return Err("exp is required");
    };
    if !state.fault(Fault::JwtExpiryUnchecked) && exp + skew <= now {
        return Err("the assertion has expired");
    }
    // RFC 7523 §3 sets no upper bound on `exp`; the configured one (default an
    // hour, what common client libraries sign) bounds how long a `jti` is kept.
    let max_lifetime = settings.assertion_max_lifetime_secs as f64 + skew;
    if exp - now > max_lifetime {
        return Err("exp is too far in the future");
    }
    for t in [claims.nbf, claims.iat].into_iter().flatten() {
        if !t.is_finite() || t > now + skew {
            return Err("nbf or iat is in the future");
        }
    }
    // The lifetime the signer gave it, from `iat` to `exp`, is held to the same
    // bound: so an assertion made long ago (RFC 7523 §3 lets the server refuse
    // an `iat` unreasonably far in the past) is refused although its `exp` is near.
    if claims.iat.is_some_and(|iat| exp - iat > max_lifetime) {
        return Err("the assertion's lifetime (exp - iat) is longer than allowed");
    }
    if claims.iat.is_some_and(|iat| now - iat > max_lifetime) {
        return Err("iat is too far in the past");
    }
    let Some(jti) = claims.jti.filter(|j| !j.is_empty()) else {
        return Err("jti is required");
    };
    // Kept at least until the assertion can no longer be accepted.
    let keep_until = ((exp.max(now) + skew) * 1000.0) as u64;
    Ok(Checked {
        subject,
        jti,
        keep_until,
    })
}

/// What [`check`] found, before the `jti` is recorded.
struct Checked {
    subject: String,
    jti: String,
    keep_until: u64,
}

/// Why an assertion is not accepted.
#[derive(Debug)]
pub enum Refused {
    /// The assertion breaks a rule: a short reason, safe to send back.
    Invalid(&'static str),
    /// Its `jti` could not be recorded: answered as every storage failure is
    /// (500, or 503 `temporarily_unavailable` when the table is full), never
    /// as the client's fault.
    Store(StoreError),
}

impl Refused {
    /// The token-endpoint error: `invalid` for a broken rule (with `prefix`
    /// naming the parameter), the storage answer otherwise.
    pub fn into_oauth(self, prefix: &str, invalid: fn(String) -> OAuthError) -> OAuthError {
        match self {
            Refused::Invalid(reason) => invalid(format!("{prefix}: {reason}")),
            Refused::Store(e) => e.into(),
        }
    }
}

/// Verifies `jwt` as an assertion of `client` received at `endpoint_path`,
/// then records its `jti` (single use, RFC 7523 §3).
pub async fn verify(
    state: &AppState,
    client: &Client,
    jwt: &str,
    endpoint_path: &str,
) -> Result<Verified, Refused> {
    let checked = check(state, client, jwt, endpoint_path).map_err(Refused::Invalid)?;
    let fresh = state
        .store()
        .record_jti(&client.id, &checked.jti, checked.keep_until, state.now())
        .await
        .map_err(Refused::Store)?;
    if !fresh && !state.fault(Fault::JwtReplayAllowed) {
        return Err(Refused::Invalid("jti has been used before"));
    }
    Ok(Verified {
        subject: checked.subject,
    })
}

fn select_key<'c>(client: &'c Client, kid: Option<&str>) -> Result<&'c ClientKey, &'static str> {
    match kid {
        Some(kid) => client
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or("unknown kid for this client"),
        None if client.keys.len() == 1 => Ok(&client.keys[0]),
        None => Err("kid is required"),
    }
}
