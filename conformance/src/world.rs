//! The per-scenario state and the protocol actions the steps call.
//!
//! Every scenario gets a fresh world: a new browser (cookie jar), no codes, no
//! tokens. Nothing is shared between scenarios except the target description.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use url::Url;

use crate::config::{ClientConfig, Endpoint, Target, UserConfig};
use crate::parameters::{AuthMode, ClientRole, Grant, TokenKind, UserRole, Which};
use crate::user_agent::{self, Decision, HttpResponse, Outcome, RawRequest, UserAgent};

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
        let target = crate::target();
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
        }
    }

    /// The client registered for a role.
    pub fn client(&self, role: ClientRole) -> Result<&'static ClientConfig, String> {
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

    fn user(&self, role: UserRole) -> Result<&'static UserConfig, String> {
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

    fn auth_mut(&mut self) -> Result<&mut AuthRequest, String> {
        self.auth
            .as_mut()
            .ok_or_else(|| "no authorization request was started".into())
    }

    // ----- authorization request ------------------------------------------

    /// Starts an authorization request with the client's first registered
    /// redirect_uri, default scope, a fresh state, and PKCE S256 for public
    /// clients (or everyone if the target requires it).
    pub fn start_authorization(&mut self, role: ClientRole, response_type: &str) -> Check {
        let c = self.client(role)?;
        let redirect = c
            .redirect_uris
            .first()
            .ok_or("client has no redirect_uris")?;
        let mut params = vec![
            ("response_type".to_string(), response_type.to_string()),
            ("client_id".to_string(), c.id.clone()),
            ("redirect_uri".to_string(), redirect.clone()),
        ];
        if !c.scope.is_empty() {
            params.push(("scope".into(), c.scope.clone()));
        }
        params.push(("state".into(), random_token(16)));
        let pkce = response_type == "code"
            && (self.target.capabilities.pkce == "required"
                || c.secret.is_none() && c.auth_method == "none");
        let mut req = AuthRequest {
            role,
            params,
            verifier: None,
        };
        if pkce {
            let v = random_token(32);
            req.params.push(("code_challenge".into(), s256(&v)));
            req.params
                .push(("code_challenge_method".into(), "S256".into()));
            req.verifier = Some(v);
        }
        self.auth = Some(req);
        Ok(())
    }

    /// Expands `{registered}` (the first registered redirect_uri) and
    /// `{registered_port:N}` (that URI on port N).
    fn expand(&self, value: &str) -> Result<String, String> {
        let role = self
            .auth
            .as_ref()
            .map(|a| a.role)
            .or(self.token_req.as_ref().map(|t| t.role))
            .unwrap_or(ClientRole::Confidential);
        let reg = self
            .client(role)?
            .redirect_uris
            .first()
            .cloned()
            .unwrap_or_default();
        let c = self.client(role)?;
        let reg2 = c
            .redirect_uris
            .get(1)
            .cloned()
            .unwrap_or_else(|| format!("{reg}/other"));
        let second = self
            .target
            .clients
            .confidential2
            .as_ref()
            .map_or("", |c| c.id.as_str());
        let mut out = value
            .replace("{registered2}", &reg2)
            .replace("{registered}", &reg)
            .replace("{second_client_id}", second)
            .replace("{narrow_scope}", c.scope.split(' ').next().unwrap_or(""))
            .replace(
                "{wider_scope}",
                &format!(
                    "{} {}",
                    c.scope,
                    c.consent_scope.as_deref().unwrap_or("conformance-extra")
                ),
            )
            .replace(
                "{reversed_scope}",
                &c.scope.split(' ').rev().collect::<Vec<_>>().join(" "),
            )
            .replace(
                "{insufficient_scope}",
                self.target
                    .resource
                    .as_ref()
                    .and_then(|r| r.insufficient_scope.as_deref())
                    .unwrap_or(""),
            )
            .replace("{scope}", &c.scope);
        if let Some(i) = out.find("{registered_port:") {
            let end = out[i..]
                .find('}')
                .map(|j| i + j)
                .ok_or("unclosed template")?;
            let port: u16 = out[i + 17..end].parse().map_err(|_| "bad port")?;
            let mut u = Url::parse(&reg).map_err(|e| e.to_string())?;
            u.set_port(Some(port)).map_err(|_| "cannot set port")?;
            out.replace_range(i..=end, u.as_str());
        }
        Ok(out)
    }

    /// Sets (replaces) an authorization parameter.
    pub fn set_auth_param(&mut self, name: &str, value: &str) -> Check {
        let value = self.expand(value)?;
        let a = self.auth_mut()?;
        match a.params.iter_mut().find(|(k, _)| k == name) {
            Some(p) => p.1 = value,
            None => a.params.push((name.into(), value)),
        }
        Ok(())
    }

    /// Removes an authorization parameter.
    pub fn remove_auth_param(&mut self, name: &str) -> Check {
        let a = self.auth_mut()?;
        a.params.retain(|(k, _)| k != name);
        if name == "code_challenge" {
            a.params.retain(|(k, _)| k != "code_challenge_method");
            a.verifier = None;
        }
        Ok(())
    }

    /// Sends a parameter twice.
    pub fn repeat_auth_param(&mut self, name: &str) -> Check {
        let a = self.auth_mut()?;
        let v = a
            .param(name)
            .ok_or_else(|| format!("no {name} to repeat"))?
            .to_owned();
        a.params.push((name.into(), v));
        Ok(())
    }

    /// Adds PKCE with the given method; `plain` sends the verifier itself, any
    /// other method sends the S256 value under that method name.
    pub fn use_pkce(&mut self, method: &str) -> Check {
        let a = self.auth_mut()?;
        a.params
            .retain(|(k, _)| k != "code_challenge" && k != "code_challenge_method");
        let v = random_token(32);
        let challenge = if method == "plain" {
            v.clone()
        } else {
            s256(&v)
        };
        a.params.push(("code_challenge".into(), challenge));
        a.params
            .push(("code_challenge_method".into(), method.into()));
        a.verifier = Some(v);
        Ok(())
    }

    /// Uses a PKCE verifier of a given shape, with its S256 challenge.
    pub fn use_pkce_verifier(&mut self, verifier: &str) -> Check {
        self.use_pkce("S256")?;
        let a = self.auth_mut()?;
        a.params.retain(|(k, _)| k != "code_challenge");
        a.params.push(("code_challenge".into(), s256(verifier)));
        a.verifier = Some(verifier.into());
        Ok(())
    }

    /// Requests the scope that is never approved, so the consent page shows.
    pub fn use_consent_scope(&mut self) -> Check {
        let role = self
            .auth
            .as_ref()
            .map_or(ClientRole::Confidential, |a| a.role);
        let s = self
            .client(role)?
            .consent_scope
            .clone()
            .ok_or("no consent_scope declared")?;
        self.set_auth_param("scope", &s)
    }

    /// The full authorization URL.
    pub fn authorization_url(&self) -> Result<Url, String> {
        let a = self
            .auth
            .as_ref()
            .ok_or("no authorization request was started")?;
        let mut url = self.target.endpoint(Endpoint::Authorization);
        url.set_query(Some(&user_agent::encode_form(&a.params)));
        Ok(url)
    }

    /// Walks the browser through the request as `user`.
    pub async fn authorize(&mut self, user: UserRole, decision: Decision) -> Check {
        let url = self.authorization_url()?;
        let user = self.user(user)?;
        let outcome = self.ua.journey(url, user, decision).await?;
        self.code = match &outcome {
            Outcome::Redirect(u) => u
                .query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned()),
            Outcome::Page(_) => None,
        };
        self.outcome = Some(outcome);
        Ok(())
    }

    /// Sends the authorization request once, with extra headers, no journey.
    pub async fn send_authorization_once(&mut self, headers: Vec<(String, String)>) -> Check {
        let mut req = RawRequest::get(self.authorization_url()?);
        req.headers = headers;
        self.ua.hops.clear();
        let resp = self.ua.request(&req).await?;
        self.last = Some(resp);
        Ok(())
    }

    fn redirect(&self) -> Result<&Url, String> {
        match self
            .outcome
            .as_ref()
            .ok_or("the authorization request was not sent")?
        {
            Outcome::Redirect(u) => Ok(u),
            Outcome::Page(p) => Err(format!(
                "expected a redirect to the client, got {}",
                p.describe()
            )),
        }
    }

    fn is_implicit(&self) -> bool {
        self.auth.as_ref().and_then(|a| a.param("response_type")) == Some("token")
    }

    /// Parameters of the callback where the response type puts them: the query
    /// for `code`, the fragment for `token`.
    pub fn callback_params(&self) -> Result<Vec<(String, String)>, String> {
        let u = self.redirect()?;
        let (right, wrong) = if self.is_implicit() {
            (u.fragment().unwrap_or(""), u.query().unwrap_or(""))
        } else {
            (u.query().unwrap_or(""), u.fragment().unwrap_or(""))
        };
        let part = if self.is_implicit() {
            "fragment"
        } else {
            "query"
        };
        let wrong_params: Vec<String> = url::form_urlencoded::parse(wrong.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect();
        for k in ["code", "access_token", "error", "state"] {
            if wrong_params.iter().any(|w| w == k) {
                return Err(format!(
                    "`{k}` came back outside the {part} of the redirect"
                ));
            }
        }
        Ok(url::form_urlencoded::parse(right.as_bytes())
            .into_owned()
            .collect())
    }

    fn callback_param(&self, name: &str) -> Result<Option<String>, String> {
        let p = self.callback_params()?;
        let vals: Vec<&String> = p
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect();
        if vals.len() > 1 {
            return Err(format!(
                "the callback carries `{name}` {} times",
                vals.len()
            ));
        }
        Ok(vals.first().map(|v| (*v).clone()))
    }

    /// The redirect went to the redirect_uri of the request.
    fn check_redirect_target(&self) -> Check {
        let u = self.redirect()?;
        let a = self.auth.as_ref().ok_or("no request")?;
        let expected = match a.param("redirect_uri") {
            Some(r) => r.to_owned(),
            None => self
                .client(a.role)?
                .redirect_uris
                .first()
                .cloned()
                .unwrap_or_default(),
        };
        let mut got = u.clone();
        got.set_query(None);
        got.set_fragment(None);
        let mut want = Url::parse(&expected).map_err(|e| format!("bad redirect_uri: {e}"))?;
        want.set_query(None);
        if got != want {
            return Err(format!(
                "redirected to {got}, not to the redirect_uri {want}"
            ));
        }
        Ok(())
    }

    /// The client got a code (in the query, with no error).
    pub fn expect_code(&mut self) -> Check {
        self.check_redirect_target()?;
        if let Some(e) = self.callback_param("error")? {
            return Err(format!("the server answered error={e}"));
        }
        let code = self
            .callback_param("code")?
            .ok_or("the callback carries no code")?;
        self.code = Some(code);
        Ok(())
    }

    /// The client got an access token in the fragment (implicit).
    pub fn expect_fragment_token(&mut self) -> Check {
        self.check_redirect_target()?;
        if let Some(e) = self.callback_param("error")? {
            return Err(format!("the server answered error={e}"));
        }
        let p = self.callback_params()?;
        let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let at = get("access_token").ok_or("no access_token in the fragment")?;
        let tt = get("token_type").unwrap_or_default();
        if !tt.eq_ignore_ascii_case("bearer") {
            return Err(format!("token_type is {tt:?}, not Bearer"));
        }
        let body: serde_json::Map<String, serde_json::Value> = p
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        self.issued.push(Issued {
            role: self.auth.as_ref().map_or(ClientRole::Implicit, |a| a.role),
            access_token: at,
            refresh_token: get("refresh_token"),
            requested_scope: self
                .auth
                .as_ref()
                .and_then(|a| a.param("scope").map(String::from)),
            body: serde_json::Value::Object(body),
        });
        Ok(())
    }

    /// The client got an error redirect with one of `codes`.
    pub fn expect_auth_error(&self, codes: &[&str]) -> Check {
        self.check_redirect_target()?;
        let e = self
            .callback_param("error")?
            .ok_or("the callback carries no error")?;
        if !codes.contains(&e.as_str()) {
            return Err(format!("error={e}, expected one of {codes:?}"));
        }
        for forbidden in ["code", "access_token"] {
            if self.callback_param(forbidden)?.is_some() {
                return Err(format!("the error response also carries `{forbidden}`"));
            }
        }
        let allowed = |c: char| matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
        if let Some(d) = self.callback_param("error_description")?
            && !d.chars().all(allowed)
        {
            return Err(format!(
                "error_description has characters outside RFC 6749 §4.1.2.1: {d:?}"
            ));
        }
        Ok(())
    }

    /// The server showed a page and did not redirect to the client.
    pub fn expect_error_page(&self) -> Check {
        match self
            .outcome
            .as_ref()
            .ok_or("the authorization request was not sent")?
        {
            Outcome::Redirect(u) => Err(format!(
                "the server redirected to {}{} instead of showing an error page",
                u.origin().ascii_serialization(),
                u.path()
            )),
            Outcome::Page(p) if p.status == 404 || p.status >= 500 => Err(format!(
                "expected an error page about the request, got {} (is the endpoint right?)",
                p.describe()
            )),
            Outcome::Page(_) => Ok(()),
        }
    }

    /// Either an error page or an error redirect with one of `codes`.
    pub fn expect_error_page_or(&self, codes: &[&str]) -> Check {
        match self
            .outcome
            .as_ref()
            .ok_or("the authorization request was not sent")?
        {
            Outcome::Page(_) => Ok(()),
            Outcome::Redirect(_) => self.expect_auth_error(codes),
        }
    }

    /// The callback carries exactly this state (None: no state at all).
    pub fn expect_state(&self, expected: Option<&str>) -> Check {
        let got = self.callback_param("state")?;
        match (expected, got.as_deref()) {
            (Some(e), Some(g)) if e == g => Ok(()),
            (None, None) => Ok(()),
            (Some(e), Some(g)) => Err(format!(
                "state came back as {g:?} ({} bytes), sent {} bytes",
                g.len(),
                e.len()
            )),
            (Some(_), None) => Err("the callback carries no state".into()),
            (None, Some(g)) => Err(format!("no state was sent, but {g:?} came back")),
        }
    }

    /// The state sent in the request.
    pub fn sent_state(&self) -> Option<String> {
        self.auth
            .as_ref()
            .and_then(|a| a.param("state").map(String::from))
    }

    /// The callback's `iss` equals the issuer.
    pub fn expect_iss(&self) -> Check {
        let iss = self
            .callback_param("iss")?
            .ok_or("the callback carries no iss")?;
        let want = self.target.server.issuer.as_str().trim_end_matches('/');
        if iss.trim_end_matches('/') != want {
            return Err(format!("iss is {iss:?}, the issuer is {want:?}"));
        }
        Ok(())
    }

    /// Only the RFC 6749 §4.1.2.1 / RFC 9207 members in an error callback.
    pub fn expect_only_error_members(&self) -> Check {
        let allowed = ["error", "error_description", "error_uri", "state", "iss"];
        for (k, _) in self.callback_params()? {
            if !allowed.contains(&k.as_str()) {
                return Err(format!("the error response carries an unexpected `{k}`"));
            }
        }
        Ok(())
    }

    /// The code looks random enough.
    pub fn expect_code_entropy(&self, bits: f64) -> Check {
        let code = self.code.as_ref().ok_or("no code")?;
        let e = entropy_bits(code);
        if e < bits {
            return Err(format!(
                "a {}-character code carries at most {e:.0} bits",
                code.len()
            ));
        }
        Ok(())
    }

    /// A page of the journey (login or consent) resists framing.
    pub fn expect_page_framing(&self, kind: user_agent::PageKind) -> Check {
        let hop = self
            .ua
            .hops
            .iter()
            .find(|h| h.page == Some(kind))
            .ok_or_else(|| format!("no {kind:?} page was shown"))?;
        let r = &hop.response;
        let xfo = r
            .header("x-frame-options")
            .unwrap_or("")
            .to_ascii_lowercase();
        let csp = r
            .header("content-security-policy")
            .unwrap_or("")
            .to_ascii_lowercase();
        if xfo == "deny"
            || xfo == "sameorigin"
            || csp.contains("frame-ancestors 'none'")
            || csp.contains("frame-ancestors 'self'")
        {
            return Ok(());
        }
        Err(format!(
            "the {kind:?} page sends neither X-Frame-Options nor CSP frame-ancestors"
        ))
    }

    /// Every response to a POST in the journey that redirects uses 303 (never 307).
    pub fn expect_post_redirects_303(&self) -> Check {
        let posts: Vec<_> = self.ua.hops.iter().filter(|h| h.method == "POST").collect();
        if posts.is_empty() {
            return Err("no form was posted during the journey".into());
        }
        for h in posts {
            if h.response.status == 307 || h.response.status == 308 {
                return Err(format!(
                    "a form POST to {} was answered {}",
                    h.response.url.path(),
                    h.response.status
                ));
            }
        }
        Ok(())
    }

    // ----- token endpoint ---------------------------------------------------

    /// Starts a token request for a grant.
    pub fn prepare_token_request(&mut self, role: ClientRole, grant: Grant) -> Check {
        let c = self.client(role)?;
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        let params = match grant {
            Grant::AuthorizationCode => {
                let code = self
                    .code
                    .clone()
                    .ok_or("no authorization code was received")?;
                let mut v = vec![p("grant_type", "authorization_code"), p("code", &code)];
                let a = self.auth.as_ref().ok_or("no authorization request")?;
                if let Some(r) = a.param("redirect_uri") {
                    v.push(p("redirect_uri", r));
                }
                if let Some(ver) = &a.verifier {
                    v.push(p("code_verifier", ver));
                }
                v
            }
            Grant::ClientCredentials => {
                let mut v = vec![p("grant_type", "client_credentials")];
                if !c.scope.is_empty() {
                    v.push(p("scope", &c.scope));
                }
                v
            }
            Grant::Password | Grant::TwoFactorPassword => {
                let u = self.user(if grant == Grant::Password {
                    UserRole::User
                } else {
                    UserRole::TwoFactor
                })?;
                let mut v = vec![
                    p("grant_type", "password"),
                    p("username", &u.username),
                    p("password", &u.password),
                ];
                if !c.scope.is_empty() {
                    v.push(p("scope", &c.scope));
                }
                v
            }
            Grant::RefreshToken => {
                let rt = self.token(Which::Latest, TokenKind::Refresh)?;
                vec![p("grant_type", "refresh_token"), p("refresh_token", &rt)]
            }
            Grant::Unknown => vec![p("grant_type", "urn:example:conformance:unknown-grant")],
        };
        self.token_req = Some(TokenRequest {
            role,
            params,
            auth: None,
            method: "POST".into(),
        });
        Ok(())
    }

    fn token_req_mut(&mut self) -> Result<&mut TokenRequest, String> {
        self.token_req
            .as_mut()
            .ok_or_else(|| "no token request was prepared".into())
    }

    /// Sets (replaces) a token request parameter.
    pub fn set_token_param(&mut self, name: &str, value: &str) -> Check {
        let value = self.expand(value)?;
        let t = self.token_req_mut()?;
        match t.params.iter_mut().find(|(k, _)| k == name) {
            Some(p) => p.1 = value,
            None => t.params.push((name.into(), value)),
        }
        Ok(())
    }

    /// Removes a token request parameter.
    pub fn remove_token_param(&mut self, name: &str) -> Check {
        self.token_req_mut()?.params.retain(|(k, _)| k != name);
        Ok(())
    }

    /// Sends a token request parameter twice.
    pub fn repeat_token_param(&mut self, name: &str) -> Check {
        let t = self.token_req_mut()?;
        let v = t
            .params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        t.params.push((
            name.into(),
            v.ok_or_else(|| format!("no {name} to repeat"))?,
        ));
        Ok(())
    }

    /// Chooses how the client authenticates.
    pub fn set_token_auth(&mut self, mode: AuthMode) -> Check {
        self.token_req_mut()?.auth = Some(mode);
        Ok(())
    }

    /// Uses GET instead of POST.
    pub fn set_token_method(&mut self, method: &str) -> Check {
        self.token_req_mut()?.method = method.into();
        Ok(())
    }

    fn basic(id: &str, secret: &str) -> String {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
        )
    }

    /// Applies client authentication to a back-channel request.
    fn authenticate(
        &mut self,
        role: ClientRole,
        mode: Option<AuthMode>,
        req: &mut RawRequest,
    ) -> Check {
        let c = self.client(role)?;
        let mode = mode.unwrap_or(match c.auth_method.as_str() {
            "client_secret_post" => AuthMode::Post,
            "private_key_jwt" => AuthMode::Assertion,
            "none" => AuthMode::IdOnly,
            _ => AuthMode::Basic,
        });
        let secret = c.secret.clone().unwrap_or_default();
        let form = req.form.get_or_insert_with(Vec::new);
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        match mode {
            AuthMode::Basic => req
                .headers
                .push(p("authorization", &Self::basic(&c.id, &secret))),
            AuthMode::Post => {
                form.push(p("client_id", &c.id));
                form.push(p("client_secret", &secret));
            }
            AuthMode::Nothing => {}
            AuthMode::IdOnly => form.push(p("client_id", &c.id)),
            AuthMode::WrongSecret => {
                let wrong = format!("{secret}-wrong");
                if c.auth_method == "client_secret_post" {
                    form.push(p("client_id", &c.id));
                    form.push(p("client_secret", &wrong));
                } else {
                    req.headers
                        .push(p("authorization", &Self::basic(&c.id, &wrong)));
                }
            }
            AuthMode::Both => {
                req.headers
                    .push(p("authorization", &Self::basic(&c.id, &secret)));
                form.push(p("client_id", &c.id));
                form.push(p("client_secret", &secret));
            }
            AuthMode::Query => {
                req.url
                    .query_pairs_mut()
                    .append_pair("client_id", &c.id)
                    .append_pair("client_secret", &secret);
            }
            AuthMode::Assertion => {
                let jwt = self.make_assertion(role)?;
                let ty = self.assertion.assertion_type.clone().unwrap_or_else(|| {
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()
                });
                let form = req.form.get_or_insert_with(Vec::new);
                form.push(p("client_assertion_type", &ty));
                form.push(p("client_assertion", &jwt));
                self.assertion.last = Some(jwt);
            }
        }
        Ok(())
    }

    /// Builds the token request as raw HTTP.
    fn build_token_request(&mut self) -> Result<(RawRequest, TokenRequest), String> {
        let t = self
            .token_req
            .clone()
            .ok_or("no token request was prepared")?;
        let mut req =
            RawRequest::post_form(self.target.endpoint(Endpoint::Token), t.params.clone());
        req.method = t.method.clone();
        self.authenticate(t.role, t.auth, &mut req)?;
        if t.method == "GET" {
            let form = req.form.take().unwrap_or_default();
            let mut q = req.url.query_pairs_mut();
            for (k, v) in &form {
                q.append_pair(k, v);
            }
        }
        Ok((req, t))
    }

    fn record(&mut self, t: &TokenRequest, resp: &HttpResponse) {
        if resp.status != 200 {
            return;
        }
        let Some(body) = resp.json() else { return };
        let Some(at) = body.get("access_token").and_then(|v| v.as_str()) else {
            return;
        };
        self.issued.push(Issued {
            role: t.role,
            access_token: at.to_owned(),
            refresh_token: body
                .get("refresh_token")
                .and_then(|v| v.as_str())
                .map(String::from),
            requested_scope: t
                .params
                .iter()
                .find(|(k, _)| k == "scope")
                .map(|(_, v)| v.clone()),
            body,
        });
    }

    /// Sends the prepared token request.
    pub async fn send_token_request(&mut self) -> Check {
        let (req, t) = self.build_token_request()?;
        let resp = user_agent::send(&req).await?;
        self.record(&t, &resp);
        self.last = Some(resp);
        Ok(())
    }

    /// Sends the prepared token request `n` times at once.
    pub async fn race_token_request(&mut self, n: usize) -> Check {
        let (req, t) = self.build_token_request()?;
        let futs = (0..n).map(|_| user_agent::send(&req));
        let results = futures::future::join_all(futs).await;
        self.race.clear();
        for r in results {
            let r = r?;
            self.record(&t, &r);
            self.race.push(r);
        }
        Ok(())
    }

    /// At most one of the raced requests succeeded.
    pub fn expect_at_most_one_success(&self) -> Check {
        let ok = self.race.iter().filter(|r| r.status == 200).count();
        if self.race.is_empty() {
            return Err("no race was run".into());
        }
        if ok > 1 {
            return Err(format!(
                "{ok} of {} concurrent requests succeeded",
                self.race.len()
            ));
        }
        Ok(())
    }

    fn last(&self) -> Result<&HttpResponse, String> {
        self.last
            .as_ref()
            .ok_or_else(|| "no request was sent".into())
    }

    /// 200 with access_token and token_type Bearer.
    pub fn expect_token_success(&self) -> Check {
        let r = self.last()?;
        if r.status != 200 {
            return Err(format!("expected 200 with tokens, got {}", r.describe()));
        }
        let body = r.json().ok_or("the token response is not JSON")?;
        let at = body
            .get("access_token")
            .and_then(|v| v.as_str())
            .ok_or("no access_token")?;
        if at.is_empty() {
            return Err("empty access_token".into());
        }
        let tt = body
            .get("token_type")
            .and_then(|v| v.as_str())
            .ok_or("no token_type")?;
        if !tt.eq_ignore_ascii_case("bearer") {
            return Err(format!("token_type is {tt:?}, not Bearer"));
        }
        Ok(())
    }

    /// A §5.2 error with one of `codes`, 400 (or 401 for invalid_client), JSON.
    pub fn expect_token_error(&self, codes: &[&str]) -> Check {
        let r = self.last()?;
        expect_oauth_error(r, codes)
    }

    /// Any refusal: 4xx and no access token.
    pub fn expect_refused(&self) -> Check {
        let r = self.last()?;
        if r.status == 200 || r.member("access_token").is_some() {
            return Err(format!("the request was accepted: HTTP {}", r.status));
        }
        if r.status >= 500 {
            return Err(format!(
                "server error instead of a refusal: {}",
                r.describe()
            ));
        }
        Ok(())
    }

    /// Status code of the last response.
    pub fn expect_status(&self, status: u16) -> Check {
        let r = self.last()?;
        if r.status != status {
            return Err(format!("expected HTTP {status}, got {}", r.describe()));
        }
        Ok(())
    }

    /// A header of the last response contains a value (case-insensitive).
    pub fn expect_header(&self, name: &str, value: &str) -> Check {
        let r = self.last()?;
        let h = r
            .header(name)
            .ok_or_else(|| format!("no {name} header (HTTP {})", r.status))?;
        if !h.to_ascii_lowercase().contains(&value.to_ascii_lowercase()) {
            return Err(format!("{name} is {h:?}, expected it to contain {value:?}"));
        }
        Ok(())
    }

    /// A header is absent from the last response.
    pub fn expect_no_header(&self, name: &str) -> Check {
        match self.last()?.header(name) {
            Some(v) => Err(format!("unexpected {name}: {v}")),
            None => Ok(()),
        }
    }

    /// A member is present in / absent from the last JSON response.
    pub fn expect_member(&self, name: &str, present: bool) -> Check {
        let r = self.last()?;
        let body = r
            .json()
            .ok_or_else(|| format!("not JSON: {}", r.describe()))?;
        match (body.get(name).is_some_and(|v| !v.is_null()), present) {
            (true, true) | (false, false) => Ok(()),
            (false, true) => Err(format!("the response has no `{name}`")),
            (true, false) => Err(format!("the response carries `{name}`")),
        }
    }

    /// The granted scope (response `scope`, else the requested one) equals `want` as a set.
    pub fn expect_granted_scope(&self, want: &str) -> Check {
        let want = &self.expand(want)?;
        let r = self.last()?;
        let i = self.issued.last().ok_or("no token was issued")?;
        let got = r
            .member("scope")
            .or_else(|| i.requested_scope.clone())
            .unwrap_or_default();
        let set = |s: &str| {
            s.split(' ')
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect::<std::collections::BTreeSet<_>>()
        };
        if set(&got) != set(want) {
            return Err(format!("granted scope is {got:?}, expected {want:?}"));
        }
        Ok(())
    }

    /// Either invalid_scope, or a success whose `scope` says what was granted.
    pub fn expect_invalid_scope_or_narrowed(&self) -> Check {
        let r = self.last()?;
        if r.status == 200 {
            let requested = self.token_req.as_ref().and_then(|t| {
                t.params
                    .iter()
                    .find(|(k, _)| k == "scope")
                    .map(|(_, v)| v.clone())
            });
            let granted = r
                .member("scope")
                .ok_or("the scope was narrowed silently: no `scope` in the response")?;
            if Some(&granted) == requested.as_ref() {
                return Err(format!("the unknown scope was granted: {granted:?}"));
            }
            return Ok(());
        }
        expect_oauth_error(r, &["invalid_scope"])
    }

    /// The access token is VSCHARs only and long enough for 128 bits.
    pub fn expect_token_shape(&self, kind: TokenKind) -> Check {
        let t = self.token(Which::Latest, kind)?;
        if !t.chars().all(|c| ('\x20'..='\x7e').contains(&c)) {
            return Err("the token has characters outside VSCHAR (RFC 6749 Appendix A)".into());
        }
        let bits = entropy_bits(&t);
        if bits < 128.0 {
            return Err(format!(
                "a {}-character token carries at most {bits:.0} bits",
                t.len()
            ));
        }
        Ok(())
    }

    /// Error members use the §5.2 character set.
    pub fn expect_error_charset(&self) -> Check {
        let r = self.last()?;
        let ok = |c: char| matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
        for k in ["error", "error_description"] {
            if let Some(v) = r.member(k)
                && !v.chars().all(ok)
            {
                return Err(format!("`{k}` has characters outside RFC 6749 §5.2: {v:?}"));
            }
        }
        if let Some(u) = r.member("error_uri") {
            Url::parse(&u).map_err(|e| format!("error_uri is not a URI: {e}"))?;
        }
        Ok(())
    }

    /// A token issued earlier.
    pub fn token(&self, which: Which, kind: TokenKind) -> Result<String, String> {
        let i = match which {
            Which::First => self.issued.first(),
            Which::Latest => self.issued.last(),
        }
        .ok_or("no token was issued in this scenario")?;
        match kind {
            TokenKind::Access => Ok(i.access_token.clone()),
            TokenKind::Refresh => i
                .refresh_token
                .clone()
                .ok_or_else(|| "no refresh_token was issued".into()),
        }
    }

    /// Uses a refresh token issued earlier for a new refresh request.
    pub fn prepare_refresh_with(&mut self, role: ClientRole, which: Which) -> Check {
        let rt = self.token(which, TokenKind::Refresh)?;
        self.token_req = Some(TokenRequest {
            role,
            params: vec![
                ("grant_type".into(), "refresh_token".into()),
                ("refresh_token".into(), rt),
            ],
            auth: None,
            method: "POST".into(),
        });
        Ok(())
    }

    /// Sends a raw body of the given content type to the token endpoint.
    pub async fn send_raw_token_body(&mut self, content_type: &str, body: String) -> Check {
        let mut req = RawRequest::get(self.target.endpoint(Endpoint::Token));
        req.method = "POST".into();
        let c = self.client(ClientRole::Confidential)?;
        req.headers.push((
            "authorization".into(),
            Self::basic(&c.id, c.secret.as_deref().unwrap_or("")),
        ));
        req.raw_body = Some((content_type.into(), body));
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    // ----- resource, revocation, introspection, token info -------------------

    /// Calls the resource probe with a token, in the header or the query.
    pub async fn call_resource(&mut self, token: &str, in_query: bool) -> Check {
        let r = self
            .target
            .resource
            .as_ref()
            .ok_or("no [resource] declared")?;
        let mut url = self.target.url(&r.url);
        let mut req = RawRequest::get(url.clone());
        if in_query {
            url.query_pairs_mut().append_pair("access_token", token);
            req.url = url;
        } else {
            req.headers
                .push(("authorization".into(), format!("Bearer {token}")));
        }
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    /// The resource accepted / rejected the token.
    pub fn expect_resource(&self, accepted: bool) -> Check {
        let ok = self.target.resource.as_ref().map_or(200, |r| r.ok_status);
        let r = self.last()?;
        match (r.status == ok, accepted) {
            (true, true) => Ok(()),
            (false, false) if r.status == 401 || r.status == 403 => Ok(()),
            (false, false) => Err(format!(
                "the resource answered {} instead of 401/403",
                r.status
            )),
            (false, true) => Err(format!("the resource rejected the token: {}", r.describe())),
            (true, false) => Err("the resource still accepts the token".into()),
        }
    }

    /// A token still works / no longer works, by probing the resource.
    pub async fn probe_access(&mut self, which: Which, works: bool) -> Check {
        let t = self.token(which, TokenKind::Access)?;
        self.call_resource(&t, false).await?;
        self.expect_resource(works)
    }

    /// A refresh token no longer works (tries to use it).
    pub async fn probe_refresh_dead(&mut self, which: Which) -> Check {
        let role = self
            .issued
            .first()
            .map_or(ClientRole::Confidential, |i| i.role);
        self.prepare_refresh_with(role, which)?;
        let (req, _) = self.build_token_request()?;
        let resp = user_agent::send(&req).await?;
        if resp.status == 200 {
            return Err("the refresh token still works".into());
        }
        expect_oauth_error(&resp, &["invalid_grant"])
    }

    /// Revokes a token (RFC 7009) as a client.
    pub async fn revoke(
        &mut self,
        role: Option<ClientRole>,
        token: String,
        hint: Option<&str>,
    ) -> Check {
        let mut form = vec![("token".to_string(), token)];
        if let Some(h) = hint {
            form.push(("token_type_hint".into(), h.into()));
        }
        let mut req = RawRequest::post_form(self.target.endpoint(Endpoint::Revocation), form);
        if let Some(role) = role {
            self.authenticate(role, None, &mut req)?;
        }
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    /// Introspects a token (RFC 7662) as a client.
    pub async fn introspect(&mut self, role: Option<ClientRole>, token: String) -> Check {
        let form = vec![("token".to_string(), token)];
        let mut req = RawRequest::post_form(self.target.endpoint(Endpoint::Introspection), form);
        if let Some(role) = role {
            self.authenticate(role, None, &mut req)?;
        }
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    /// `{"active": true}` with the issued scope and client.
    pub fn expect_introspection_active(&self) -> Check {
        let r = self.last()?;
        let body = r
            .json()
            .ok_or_else(|| format!("not JSON: {}", r.describe()))?;
        if body.get("active") != Some(&serde_json::Value::Bool(true)) {
            return Err(format!("expected active:true, got {body}"));
        }
        let i = self.issued.last().ok_or("nothing issued")?;
        let cid = self.client(i.role)?.id.clone();
        if let Some(c) = body.get("client_id").and_then(|v| v.as_str())
            && c != cid
        {
            return Err(format!(
                "client_id is {c:?}, the token was issued to {cid:?}"
            ));
        }
        let granted = i
            .body
            .get("scope")
            .and_then(|v| v.as_str())
            .map(String::from)
            .or(i.requested_scope.clone());
        if let (Some(g), Some(s)) = (granted, body.get("scope").and_then(|v| v.as_str())) {
            let set = |s: &str| {
                s.split(' ')
                    .map(String::from)
                    .collect::<std::collections::BTreeSet<_>>()
            };
            if set(&g) != set(s) {
                return Err(format!(
                    "introspected scope {s:?} differs from the granted {g:?}"
                ));
            }
        }
        if let (Some(exp), Some(ein)) = (
            body.get("exp").and_then(|v| v.as_i64()),
            i.body.get("expires_in").and_then(|v| v.as_i64()),
        ) {
            let expected = now() + ein;
            if (exp - expected).abs() > 60 {
                return Err(format!(
                    "exp {exp} is far from issue time + expires_in ({expected})"
                ));
            }
        }
        Ok(())
    }

    /// Exactly `{"active": false}`.
    pub fn expect_introspection_inactive(&self) -> Check {
        let r = self.last()?;
        if r.status != 200 {
            return Err(format!("expected 200, got {}", r.describe()));
        }
        let body = r.json().ok_or("not JSON")?;
        if body != serde_json::json!({"active": false}) {
            return Err(format!("expected {{\"active\":false}} alone, got {body}"));
        }
        Ok(())
    }

    /// Calls the token info endpoint.
    pub async fn token_info(&mut self, token: &str) -> Check {
        let mut req = RawRequest::get(self.target.endpoint(Endpoint::TokenInfo));
        req.headers
            .push(("authorization".into(), format!("Bearer {token}")));
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    /// The doorkeeper token info shape for the latest token.
    pub fn expect_token_info(&self) -> Check {
        let r = self.last()?;
        if r.status != 200 {
            return Err(format!("expected 200, got {}", r.describe()));
        }
        let body = r.json().ok_or("not JSON")?;
        for m in ["scope", "expires_in_seconds", "application", "created_at"] {
            if body.get(m).is_none() {
                return Err(format!("token info has no `{m}`"));
            }
        }
        let i = self.issued.last().ok_or("nothing issued")?;
        let uid = body
            .pointer("/application/uid")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let cid = &self.client(i.role)?.id;
        if uid != cid {
            return Err(format!(
                "application.uid is {uid:?}, the token belongs to {cid:?}"
            ));
        }
        Ok(())
    }

    // ----- JWT client assertions ---------------------------------------------

    fn make_assertion(&self, role: ClientRole) -> Result<String, String> {
        use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
        let c = self.client(role)?;
        let t = now();
        let mut claims = serde_json::json!({
            "iss": c.id, "sub": c.id, "aud": self.target.server.issuer.as_str().trim_end_matches('/'),
            "iat": t, "exp": t + 60, "jti": uuid::Uuid::new_v4().to_string(),
        });
        let obj = claims.as_object_mut().ok_or("claims")?;
        for (k, v) in &self.assertion.claims {
            match v {
                Some(v) => obj.insert(k.clone(), v.clone()),
                None => obj.remove(k),
            };
        }
        let kid = self.assertion.kid.clone().or_else(|| c.kid.clone());
        let read = |p: &std::path::Path| {
            std::fs::read(self.target.file(p))
                .map_err(|e| format!("cannot read key {}: {e}", p.display()))
        };
        match self.assertion.signing {
            Signing::None => {
                let h = serde_json::json!({"alg": "none", "typ": "JWT", "kid": kid});
                Ok(format!(
                    "{}.{}.",
                    URL_SAFE_NO_PAD.encode(h.to_string()),
                    URL_SAFE_NO_PAD.encode(claims.to_string())
                ))
            }
            Signing::Hs256PublicKey => {
                let pem = read(c.public_key.as_deref().ok_or("no public_key")?)?;
                let mut h = Header::new(Algorithm::HS256);
                h.kid = kid;
                encode(&h, &claims, &EncodingKey::from_secret(&pem)).map_err(|e| e.to_string())
            }
            Signing::Proper | Signing::Tampered => {
                let pem = read(c.private_key.as_deref().ok_or("no private_key")?)?;
                let (alg, key) = if c.alg == "ES256" {
                    (Algorithm::ES256, EncodingKey::from_ec_pem(&pem))
                } else {
                    (Algorithm::RS256, EncodingKey::from_rsa_pem(&pem))
                };
                let key = key.map_err(|e| format!("bad private key: {e}"))?;
                let mut h = Header::new(alg);
                h.kid = kid;
                let jwt = encode(&h, &claims, &key).map_err(|e| e.to_string())?;
                if self.assertion.signing == Signing::Proper {
                    return Ok(jwt);
                }
                let (head, sig) = jwt.rsplit_once('.').ok_or("jwt")?;
                let mut sig: Vec<char> = sig.chars().collect();
                let mid = sig.len() / 2;
                sig[mid] = if sig[mid] == 'A' { 'B' } else { 'A' };
                Ok(format!("{head}.{}", sig.into_iter().collect::<String>()))
            }
        }
    }

    /// Overrides a claim of the next assertion.
    pub fn set_claim(&mut self, name: &str, value: Option<serde_json::Value>) {
        self.assertion.claims.push((name.into(), value));
    }

    /// A time claim relative to now.
    pub fn set_time_claim(&mut self, name: &str, offset: i64) {
        self.set_claim(name, Some(serde_json::json!(now() + offset)));
    }

    /// Sends the same client assertion again (client credentials).
    pub async fn replay_assertion(&mut self) -> Check {
        let jwt = self.assertion.last.clone().ok_or("no assertion was sent")?;
        let c = self.client(ClientRole::Jwt)?;
        let mut form = vec![
            ("grant_type".to_string(), "client_credentials".to_string()),
            (
                "client_assertion_type".into(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ),
            ("client_assertion".into(), jwt),
        ];
        if !c.scope.is_empty() {
            form.push(("scope".into(), c.scope.clone()));
        }
        let req = RawRequest::post_form(self.target.endpoint(Endpoint::Token), form);
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    // ----- metadata -----------------------------------------------------------

    /// Fetches RFC 8414 metadata.
    pub async fn fetch_metadata(&mut self) -> Check {
        let r = user_agent::send(&RawRequest::get(self.target.metadata_url())).await?;
        self.last = Some(r.clone());
        self.metadata = Some(r);
        Ok(())
    }

    /// The metadata as JSON.
    pub fn metadata_json(&self) -> Result<serde_json::Value, String> {
        let r = self.metadata.as_ref().ok_or("metadata was not fetched")?;
        r.json()
            .ok_or_else(|| format!("metadata is not JSON: {}", r.describe()))
    }

    /// Waits (for expiry scenarios).
    pub async fn wait(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

/// An RFC 6749 §5.2 error response with one of `codes`.
pub fn expect_oauth_error(r: &HttpResponse, codes: &[&str]) -> Check {
    if r.status >= 500 {
        return Err(format!("server error: {}", r.describe()));
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
