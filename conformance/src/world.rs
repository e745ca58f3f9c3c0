//! The per-scenario state and the protocol actions the steps call.
//!
//! Every scenario gets a fresh world: a new browser (cookie jar), no codes, no
//! tokens. Nothing is shared between scenarios except the target description.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use url::Url;

use crate::config::{ClientConfig, Target, UserConfig};
use crate::parameters::{AuthMode, ClientRole, UserRole};
use crate::user_agent::{HttpResponse, Outcome, UserAgent};

pub use management::{BadCreate, MgmtState, Who};
pub use preflight::{Problem, preflight};
pub use segment::{BadApp, SegmentState};

mod authorization;
mod clients;
mod jwt;
mod management;
mod preflight;
mod segment;
mod sources;
mod token;
mod tokens;

/// A step outcome: `Err` fails the step with the message.
pub type Check = Result<(), String>;

/// The authorization request being built.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    /// The client making it.
    pub role: ClientRole,
    /// Query parameters, in order, repeats allowed.
    pub params: Vec<(String, String)>,
    /// PKCE verifier, kept for the token request.
    pub verifier: Option<String>,
}

impl AuthRequest {
    /// A parameter's first value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The token request being built.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    /// Client making it.
    pub role: ClientRole,
    /// Form fields.
    pub params: Vec<(String, String)>,
    /// Client authentication (None: the client's declared method).
    pub auth: Option<AuthMode>,
    /// HTTP method.
    pub method: String,
}

/// One successful token response.
#[derive(Clone)]
pub struct Issued {
    /// The client it was issued to.
    pub role: ClientRole,
    /// `access_token`.
    pub access_token: String,
    /// `refresh_token`, if any.
    pub refresh_token: Option<String>,
    /// Scope requested, if any.
    pub requested_scope: Option<String>,
    /// The response body.
    pub body: serde_json::Value,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("role", &self.role)
            .field("refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

/// How the next client assertion is made.
#[derive(Clone, Debug, Default)]
pub struct AssertionSpec {
    /// Claim overrides: `None` removes the claim.
    pub claims: Vec<(String, Option<serde_json::Value>)>,
    /// Header `kid` override.
    pub kid: Option<String>,
    /// Signing variant.
    pub signing: Signing,
    /// `client_assertion_type` override.
    pub assertion_type: Option<String>,
    /// The last assertion sent, for replay.
    pub last: Option<String>,
}

/// How an assertion is signed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Signing {
    /// With the client's private key.
    #[default]
    Proper,
    /// `alg: none`, no signature.
    None,
    /// HS256 keyed with the client's public key (key confusion).
    Hs256PublicKey,
    /// Properly signed, then one signature character changed.
    Tampered,
}

/// The world of one scenario.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct OAuthWorld {
    /// The server under test.
    pub target: &'static Target,
    /// The browser.
    pub ua: UserAgent,
    /// The authorization request being built or last sent.
    pub auth: Option<AuthRequest>,
    /// Where the last front-channel journey ended.
    pub outcome: Option<Outcome>,
    /// The authorization code received.
    pub code: Option<String>,
    /// The token request being built.
    pub token_req: Option<TokenRequest>,
    /// The last back-channel response.
    pub last: Option<HttpResponse>,
    /// Successful token responses, in order.
    pub issued: Vec<Issued>,
    /// Responses of a race.
    pub race: Vec<HttpResponse>,
    /// Client assertion recipe.
    pub assertion: AssertionSpec,
    /// The metadata response.
    pub metadata: Option<HttpResponse>,
    /// Management API state (tenant OAuth clients, Hub services).
    pub mgmt: MgmtState,
    /// Segment OAuth apps and the leased source.
    pub segment_state: SegmentState,
    /// The client playing each role so far (see `world/clients.rs`).
    pub chosen: Vec<(ClientRole, &'static ClientConfig)>,
}

impl fmt::Debug for OAuthWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hops: Vec<String> = self
            .ua
            .hops
            .iter()
            .map(|h| {
                format!(
                    "{} {} -> {}",
                    h.method,
                    h.response.url.path(),
                    h.response.status
                )
            })
            .collect();
        f.debug_struct("OAuthWorld")
            .field("issuer", &self.target.server.issuer.as_str())
            .field("auth_client", &self.auth.as_ref().map(|a| a.role))
            .field("hops", &hops)
            .field("outcome", &self.outcome.as_ref().map(describe_outcome))
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("last", &self.last)
            .field("issued", &self.issued.len())
            .field(
                "race",
                &self.race.iter().map(|r| r.status).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn describe_outcome(o: &Outcome) -> String {
    match o {
        Outcome::Redirect(u) => {
            let keys: Vec<String> = params_of(u).into_iter().map(|(k, _)| k).collect();
            format!(
                "redirect to {}{} with {keys:?}",
                u.origin().ascii_serialization(),
                u.path()
            )
        }
        Outcome::Page(p) => format!("page HTTP {} at {}", p.status, p.url.path()),
    }
}

/// Query and fragment parameters of a URL, query first.
fn params_of(u: &Url) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = u.query_pairs().into_owned().collect();
    if let Some(f) = u.fragment() {
        v.extend(url::form_urlencoded::parse(f.as_bytes()).into_owned());
    }
    v
}

fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::fill(&mut b[..]);
    URL_SAFE_NO_PAD.encode(b)
}

/// S256 challenge of a verifier (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Bits of entropy a random string of this shape can carry at most.
pub fn entropy_bits(s: &str) -> f64 {
    let alphabet: f64 = if s.chars().all(|c| c.is_ascii_hexdigit()) {
        16.0
    } else if s.chars().all(|c| c.is_ascii_alphanumeric()) {
        62.0
    } else if s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        64.0
    } else {
        94.0
    };
    s.chars().count() as f64 * alphabet.log2()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl OAuthWorld {
    async fn new() -> Self {
        Self::with_target(crate::target())
    }

    /// A fresh world for `target` (the preflight probes use one per probe).
    fn with_target(target: &'static Target) -> Self {
        Self {
            target,
            ua: UserAgent::new(target),
            auth: None,
            outcome: None,
            code: None,
            token_req: None,
            last: None,
            issued: Vec::new(),
            race: Vec::new(),
            assertion: AssertionSpec::default(),
            metadata: None,
            mgmt: MgmtState::default(),
            segment_state: SegmentState::default(),
            chosen: Vec::new(),
        }
    }

    /// The client registered for a role.
    pub fn client(&self, role: ClientRole) -> Result<&'static ClientConfig, String> {
        if let Some(c) = self.chosen_client(role) {
            return Ok(c);
        }
        let c = &self.target.clients;
        match role {
            ClientRole::Confidential => Some(&c.confidential),
            ClientRole::Second => c.confidential2.as_ref(),
            ClientRole::Public => c.public.as_ref(),
            ClientRole::Implicit => c.implicit.as_ref(),
            ClientRole::Jwt => c.jwt.as_ref(),
        }
        .ok_or_else(|| format!("the target file declares no {role:?} client"))
    }

    pub(crate) fn user(&self, role: UserRole) -> Result<&'static UserConfig, String> {
        match role {
            UserRole::User => Ok(&self.target.users.user),
            UserRole::TwoFactor => self
                .target
                .users
                .two_factor
                .as_ref()
                .ok_or("no [users.two_factor]".into()),
        }
    }

    pub(crate) fn auth_mut(&mut self) -> Result<&mut AuthRequest, String> {
        self.auth
            .as_mut()
            .ok_or_else(|| "no authorization request was started".into())
    }
}

/// An RFC 6749 §5.2 error response with one of `codes`.
pub fn expect_oauth_error(r: &HttpResponse, codes: &[&str]) -> Check {
    if r.status >= 500 {
        return Err(format!("server error: {}", r.describe()));
    }
    if (200..300).contains(&r.status) {
        return Err(format!(
            "expected the error {codes:?}, but the request succeeded: {}",
            r.describe()
        ));
    }
    let ct = r.header("content-type").unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("application/json") {
        return Err(format!(
            "error response Content-Type is {ct:?}, not application/json (HTTP {})",
            r.status
        ));
    }
    let e = r
        .member("error")
        .ok_or_else(|| format!("no `error` member: {}", r.describe()))?;
    if !codes.contains(&e.as_str()) {
        return Err(format!(
            "error is {e:?}, expected one of {codes:?} (HTTP {})",
            r.status
        ));
    }
    let want = if e == "invalid_client" {
        &[401u16, 400][..]
    } else {
        &[400u16][..]
    };
    if !want.contains(&r.status) {
        return Err(format!(
            "error {e} came with HTTP {}, expected {want:?}",
            r.status
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn entropy_estimate_by_alphabet() {
        assert_eq!(entropy_bits("abcd"), 16.0);
        assert!(entropy_bits(&"x".repeat(22)) > 128.0);
        assert!(entropy_bits("short-code") < 128.0);
    }
}
