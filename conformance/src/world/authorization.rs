//! Authorization requests and the front-channel response.

use url::Url;

use super::*;
use crate::config::Endpoint;
use crate::parameters::{ClientRole, UserRole};
use crate::user_agent::{self, Decision, Outcome, RawRequest};

impl OAuthWorld {
    /// Starts an authorization request with the client's first registered
    /// redirect_uri, default scope, a fresh state, and PKCE S256 for public
    /// clients (or everyone if the target requires it).
    pub fn start_authorization(&mut self, role: ClientRole, response_type: &str) -> Check {
        let grant = if response_type == "code" {
            "authorization_code"
        } else {
            "implicit"
        };
        self.choose_client(role, grant, None);
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
    pub(crate) fn expand(&self, value: &str) -> Result<String, String> {
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
                &c.wider_scope.clone().unwrap_or_else(|| {
                    format!(
                        "{} {}",
                        c.scope,
                        c.consent_scope.as_deref().unwrap_or("conformance-extra")
                    )
                }),
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
        // A pushed request (RFC 9126 §4) sends its reference instead.
        let params = self.par.front.as_ref().unwrap_or(&a.params);
        url.set_query(Some(&user_agent::encode_form(params)));
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

    pub(crate) fn redirect(&self) -> Result<&Url, String> {
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

    pub(crate) fn is_implicit(&self) -> bool {
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

    pub(crate) fn callback_param(&self, name: &str) -> Result<Option<String>, String> {
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
    pub(crate) fn check_redirect_target(&self) -> Check {
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
            .ok_or_else(|| match kind {
                user_agent::PageKind::Consent => {
                    "no consent page was shown: consent was skipped (the server did not ask the user)"
                        .to_owned()
                }
                user_agent::PageKind::Login => "no login page was shown".to_owned(),
            })?;
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

    /// No response to a POST in the journey redirects with 307 (RFC 9700
    /// §4.12: the authorization server "MUST NOT use the HTTP 307 status
    /// code" for a request that may carry credentials).
    pub fn expect_post_redirects_303(&self) -> Check {
        let posts: Vec<_> = self.ua.hops.iter().filter(|h| h.method == "POST").collect();
        if posts.is_empty() {
            return Err("no form was posted during the journey".into());
        }
        for h in posts {
            if h.response.status == 307 {
                return Err(format!(
                    "a form POST to {} was answered {}",
                    h.response.url.path(),
                    h.response.status
                ));
            }
        }
        Ok(())
    }
}
