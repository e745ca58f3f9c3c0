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
use crate::user_agent::{HttpResponse, Outcome, Recorder, UserAgent};

pub use crate::parameters::{BadApp, BadCreate, Who};
pub use management::MgmtState;
pub use preflight::{Problem, preflight};
pub use segment::SegmentState;

mod authorization;
mod clients;
mod jwt;
mod management;
mod par;
mod preflight;
mod scope;
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
    /// The raw-HTTP layer every request of the scenario goes through: the
    /// exchanges kept as evidence, and the scenario's deadline.
    pub http: Recorder,
    /// The browser (sending through `http`).
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
    /// The scheme of the `Authorization` header of the last token request
    /// (`Basic`), if it had one: RFC 6749 §5.2 wants 401 only then.
    pub last_auth_scheme: Option<String>,
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
    /// The front channel of a pushed authorization request (`world/par.rs`).
    pub par: par::ParState,
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

/// Bits of entropy a value of this shape can carry at most (RFC 6749 §10.10:
/// "The probability of an attacker guessing generated tokens (and other
/// credentials not intended for handling by end-users) MUST be less than or
/// equal to 2^(-128)").
///
/// The count is of what the value can hold, not of its length: a UUID holds
/// at most 122 random bits (version 4; 74 for version 7, 14 for the clock
/// sequence of versions 1 and 6) however long its text; a signed JWT is as
/// hard to guess as its signature (an unsigned one, `alg: none`, not at all);
/// any other string holds `log2(alphabet)` bits per character, the alphabet
/// being the character classes it actually uses (hex, digits, lower, upper,
/// base64url, base64, printable ASCII), padding not counted.
pub fn entropy_bits(s: &str) -> f64 {
    if let Some(bits) = uuid_bits(s).or_else(|| jws_bits(s)) {
        return bits;
    }
    let s = s.trim_end_matches('=');
    let all = |f: fn(char) -> bool| s.chars().all(f);
    let any = |f: fn(char) -> bool| s.chars().any(f);
    let alnum = || {
        [
            (any(|c| c.is_ascii_lowercase()), 26.0),
            (any(|c| c.is_ascii_uppercase()), 26.0),
            (any(|c| c.is_ascii_digit()), 10.0),
        ]
        .iter()
        .filter(|(present, _)| *present)
        .map(|(_, n)| n)
        .sum::<f64>()
    };
    let (alphabet, chars): (f64, usize) = if all(|c| c.is_ascii_digit()) {
        (10.0, s.len())
    } else if all(|c| c.is_ascii_hexdigit() || c == '-') {
        // Hex, perhaps grouped by hyphens: the hyphens carry nothing.
        (16.0, s.chars().filter(char::is_ascii_hexdigit).count())
    } else if all(|c| c.is_ascii_alphanumeric()) {
        (alnum(), s.len())
    } else if all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
    {
        (64.0, s.len())
    } else {
        (94.0, s.chars().count())
    };
    chars as f64 * alphabet.max(2.0).log2()
}

/// The random bits of a UUID in its 8-4-4-4-12 text form (RFC 9562).
fn uuid_bits(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let shaped = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if !shaped {
        return None;
    }
    Some(match b[14] {
        b'1' | b'2' | b'6' => 14.0,
        b'7' => 74.0,
        b'3' | b'4' | b'5' | b'8' => 122.0,
        _ => 128.0,
    })
}

/// A JWS in compact form: the bits of its signature, or 0 when unsigned.
fn jws_bits(s: &str) -> Option<f64> {
    let mut parts = s.split('.');
    let (h, _, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    let alg = header.get("alg")?.as_str()?;
    if alg.eq_ignore_ascii_case("none") {
        return Some(0.0);
    }
    Some(URL_SAFE_NO_PAD.decode(sig).ok()?.len() as f64 * 8.0)
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
        let http = Recorder::new(target);
        Self {
            target,
            ua: UserAgent::new(target, http.clone()),
            http,
            auth: None,
            outcome: None,
            code: None,
            token_req: None,
            last: None,
            last_auth_scheme: None,
            issued: Vec::new(),
            race: Vec::new(),
            assertion: AssertionSpec::default(),
            metadata: None,
            mgmt: MgmtState::default(),
            segment_state: SegmentState::default(),
            chosen: Vec::new(),
            par: par::ParState::default(),
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

/// The status of an `invalid_client` answer `r` to a request whose
/// `Authorization` header used `scheme` (None: it had none). RFC 6749 §5.2:
/// 401 with a matching `WWW-Authenticate` when the header was used; 400 or
/// 401 (the server "MAY return an HTTP 401") otherwise.
pub fn expect_invalid_client_status(r: &HttpResponse, scheme: Option<&str>) -> Check {
    match scheme {
        Some(scheme) => {
            if r.status != 401 {
                return Err(format!(
                    "the client authenticated with the Authorization header ({scheme}), so RFC 6749 §5.2 wants 401, got HTTP {}",
                    r.status
                ));
            }
            let challenge = r.header("www-authenticate").unwrap_or("");
            if !challenge
                .to_ascii_lowercase()
                .starts_with(&scheme.to_ascii_lowercase())
            {
                return Err(format!(
                    "the 401 must carry a WWW-Authenticate challenge for {scheme} (RFC 6749 §5.2), got {challenge:?}"
                ));
            }
            Ok(())
        }
        None if matches!(r.status, 400 | 401) => Ok(()),
        None => Err(format!(
            "invalid_client came with HTTP {}, RFC 6749 §5.2 allows 400 or 401",
            r.status
        )),
    }
}

/// A refusal of a caller that sent no credentials: 400, 401 or 403 (RFC 6749
/// §5.2 "MAY return an HTTP 401"), disclosing nothing about the token.
pub fn refused_unauthenticated(r: &HttpResponse) -> Check {
    if ![400, 401, 403].contains(&r.status) {
        return Err(format!(
            "expected a refusal (400, 401 or 403) of a caller without credentials, got {}",
            r.describe()
        ));
    }
    if let Some(serde_json::Value::Object(m)) = r.json() {
        for leak in [
            "active",
            "access_token",
            "scope",
            "client_id",
            "username",
            "exp",
            "sub",
        ] {
            if m.contains_key(leak) {
                return Err(format!(
                    "the refusal discloses `{leak}` to a caller without credentials: {}",
                    r.describe()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unauthenticated_caller_may_get_400_401_or_403_but_no_data() {
        for status in [400, 401, 403] {
            assert!(
                refused_unauthenticated(&answer(status, None)).is_ok(),
                "{status}"
            );
        }
        assert!(refused_unauthenticated(&answer(200, None)).is_err());
        assert!(refused_unauthenticated(&answer(500, None)).is_err());
        let mut leak = answer(401, None);
        leak.body = r#"{"active":true,"scope":"api"}"#.into();
        assert!(
            refused_unauthenticated(&leak)
                .unwrap_err()
                .contains("active")
        );
    }

    fn answer(status: u16, challenge: Option<&str>) -> HttpResponse {
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if let Some(c) = challenge {
            headers.push(("www-authenticate".to_owned(), c.to_owned()));
        }
        HttpResponse {
            status,
            url: Url::parse("http://127.0.0.1:1/oauth/token").unwrap(),
            headers,
            body: r#"{"error":"invalid_client"}"#.into(),
        }
    }

    #[test]
    fn invalid_client_without_credentials_may_be_400_or_401() {
        // RFC 6749 §5.2: "MAY return an HTTP 401" when no header was used.
        assert!(expect_invalid_client_status(&answer(400, None), None).is_ok());
        assert!(expect_invalid_client_status(&answer(401, None), None).is_ok());
        assert!(expect_invalid_client_status(&answer(403, None), None).is_err());
        assert!(expect_oauth_error(&answer(400, None), &["invalid_client"]).is_ok());
    }

    #[test]
    fn invalid_client_after_basic_must_be_401_with_a_basic_challenge() {
        let basic = Some("Basic");
        assert!(expect_invalid_client_status(&answer(400, None), basic).is_err());
        assert!(expect_invalid_client_status(&answer(401, None), basic).is_err());
        assert!(expect_invalid_client_status(&answer(401, Some("Bearer")), basic).is_err());
        assert!(
            expect_invalid_client_status(&answer(401, Some("Basic realm=\"x\"")), basic).is_ok()
        );
    }

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn entropy_estimate_by_alphabet() {
        assert_eq!(entropy_bits("abcd"), 16.0, "hex");
        assert_eq!(
            entropy_bits(&"ab".repeat(16)),
            128.0,
            "32 hex digits: 128 bits"
        );
        assert!(entropy_bits(&"xY7".repeat(8)) > 128.0, "24 of [A-Za-z0-9]");
        assert!(
            entropy_bits(&"xY".repeat(11)) < 128.0,
            "22 of [A-Za-z]: 125 bits"
        );
        assert!(
            entropy_bits(&"ab1".repeat(8)) < 128.0,
            "24 of [a-z0-9]: 124 bits"
        );
        assert!(entropy_bits("short-code") < 128.0);
        // Hyphens between hex groups carry nothing.
        assert_eq!(entropy_bits("abcd-abcd"), 32.0);
        // Padding carries nothing.
        assert_eq!(entropy_bits("AAAA=="), entropy_bits("AAAA"));
    }

    #[test]
    fn a_uuid_holds_at_most_122_random_bits() {
        // RFC 6749 §10.10 wants 128: a UUIDv4 (36 characters) is not enough.
        let v4 = "9b2f6c1e-3d4a-4f8b-9c7d-2e1f0a9b8c7d";
        assert_eq!(entropy_bits(v4), 122.0);
        assert_eq!(entropy_bits(&v4.to_ascii_uppercase()), 122.0);
        assert_eq!(entropy_bits(&uuid::Uuid::new_v4().to_string()), 122.0);
        assert_eq!(
            entropy_bits("01890a5d-ac96-774b-bcce-b302099a8057"),
            74.0,
            "v7"
        );
        assert_eq!(
            entropy_bits("c232ab00-9414-11ec-b3c8-9f6bdeced846"),
            14.0,
            "v1"
        );
    }

    #[test]
    fn a_jwt_is_as_strong_as_its_signature() {
        let h = |alg: &str| URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}"}}"#));
        let claims = URL_SAFE_NO_PAD.encode(r#"{"sub":"alice"}"#);
        let sig = URL_SAFE_NO_PAD.encode([7u8; 32]);
        assert_eq!(
            entropy_bits(&format!("{}.{claims}.{sig}", h("HS256"))),
            256.0
        );
        assert_eq!(entropy_bits(&format!("{}.{claims}.", h("none"))), 0.0);
    }
}
