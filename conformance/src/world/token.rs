//! Token requests, client authentication and token responses.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use url::Url;

use super::*;
use crate::config::Endpoint;
use crate::parameters::{AuthMode, ClientRole, Grant, TokenKind, UserRole, Which};
use crate::user_agent::{HttpResponse, RawRequest};

impl OAuthWorld {
    /// Starts a token request for a grant.
    pub fn prepare_token_request(&mut self, role: ClientRole, grant: Grant) -> Check {
        if let Some(g) = grant.grant_type() {
            self.choose_client(role, g, None);
        }
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

    pub(crate) fn token_req_mut(&mut self) -> Result<&mut TokenRequest, String> {
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
        let t = self.token_req_mut()?;
        t.auth = Some(mode);
        // Client credentials carry no code or token bound to a client, so a
        // client of the role registered for this method can stand in.
        let method = match mode {
            AuthMode::Basic => Some("client_secret_basic"),
            AuthMode::Post => Some("client_secret_post"),
            _ => None,
        };
        let (role, cc) = (
            t.role,
            t.params
                .iter()
                .any(|p| p.0 == "grant_type" && p.1 == "client_credentials"),
        );
        if let Some(m) = method.filter(|_| cc) {
            let before = self.client(role)?;
            self.choose_client(role, "client_credentials", Some(m));
            let c = self.client(role)?;
            let t = self.token_req_mut()?;
            for p in t
                .params
                .iter_mut()
                .filter(|p| p.0 == "scope" && p.1 == before.scope)
            {
                p.1 = c.scope.clone();
            }
        }
        Ok(())
    }

    /// Uses GET instead of POST.
    pub fn set_token_method(&mut self, method: &str) -> Check {
        self.token_req_mut()?.method = method.into();
        Ok(())
    }

    pub(crate) fn basic(id: &str, secret: &str) -> String {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
        )
    }

    /// Applies client authentication to a back-channel request.
    pub(crate) fn authenticate(
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
            AuthMode::WrongSecret | AuthMode::WrongBasic | AuthMode::WrongPost => {
                let wrong = format!("{secret}-wrong");
                let post = match mode {
                    AuthMode::WrongPost => true,
                    AuthMode::WrongBasic => false,
                    _ => c.auth_method == "client_secret_post",
                };
                if post {
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
                let ty = self
                    .assertion
                    .assertion_type
                    .clone()
                    .unwrap_or_else(|| super::jwt::JWT_BEARER.into());
                let form = req.form.get_or_insert_with(Vec::new);
                form.push(p("client_assertion_type", &ty));
                form.push(p("client_assertion", &jwt));
                self.assertion.last = Some(jwt);
            }
        }
        Ok(())
    }

    /// Builds the token request as raw HTTP.
    pub(crate) fn build_token_request(&mut self) -> Result<(RawRequest, TokenRequest), String> {
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

    pub(crate) fn record(&mut self, t: &TokenRequest, resp: &HttpResponse) {
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
        self.last_auth_scheme = auth_scheme(&req);
        let resp = self.http.send(&req).await?;
        self.record(&t, &resp);
        self.last = Some(resp);
        Ok(())
    }

    /// Sends the prepared token request `n` times at once.
    pub async fn race_token_request(&mut self, n: usize) -> Check {
        let (req, t) = self.build_token_request()?;
        let futs = (0..n).map(|_| self.http.send(&req));
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

    pub(crate) fn last(&self) -> Result<&HttpResponse, String> {
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
        let body = r.json().ok_or_else(|| {
            format!(
                "the token response is not JSON (Content-Type {:?}): {}",
                r.header("content-type").unwrap_or(""),
                r.describe()
            )
        })?;
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

    /// A §5.2 error with one of `codes`, 400 (or 400/401 for invalid_client), JSON.
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

    /// An `invalid_client` answer with the status RFC 6749 §5.2 asks for: "If
    /// the client attempted to authenticate via the "Authorization" request
    /// header field, the authorization server MUST respond with an HTTP 401
    /// (Unauthorized) status code and include the "WWW-Authenticate" response
    /// header field matching the authentication scheme used by the client."
    /// Otherwise 400 or 401 ("MAY return an HTTP 401").
    pub fn expect_invalid_client_status(&self) -> Check {
        let r = self.last()?;
        expect_oauth_error(r, &["invalid_client"])?;
        expect_invalid_client_status(r, self.last_auth_scheme.as_deref())
    }

    /// A refusal of a caller that sent no credentials, as RFC 6749 §5.2
    /// allows it (400 or 401, or 403), disclosing nothing: no token, no
    /// `"active": true`, no claim about the token.
    pub fn expect_refused_unauthenticated(&self) -> Check {
        refused_unauthenticated(self.last()?)
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
        self.last = Some(self.http.send(&req).await?);
        Ok(())
    }
}

/// The scheme of a request's `Authorization` header (`Basic`), if any.
pub(crate) fn auth_scheme(req: &RawRequest) -> Option<String> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.split(' ').next())
        .map(String::from)
}
