//! Pushed authorization requests (RFC 9126), from raw HTTP: the authorization
//! request being built (`OAuthWorld::auth`) is POSTed to the PAR endpoint with
//! the client's authentication, and the front channel then carries only what
//! [`ParState::front`] holds (`client_id` and `request_uri`, plus whatever a
//! scenario adds to test that it is ignored).
//!
//! `auth` keeps the pushed parameters, so the existing checks (redirect
//! target, `state`, the code exchange with its `redirect_uri` and
//! `code_verifier`) compare against the pushed request, which is what the
//! server must answer from.

use super::*;
use crate::config::Endpoint;
use crate::parameters::AuthMode;
use crate::user_agent::{self, Outcome, RawRequest};

/// The front channel of a pushed request.
#[derive(Clone, Debug, Default)]
pub struct ParState {
    /// The `request_uri` the PAR endpoint answered.
    pub request_uri: Option<String>,
    /// Query parameters of the authorization request that uses it; `None`:
    /// no pushed request, the front channel is `auth` itself.
    pub front: Option<Vec<(String, String)>>,
}

impl OAuthWorld {
    /// POSTs the authorization request being built to the PAR endpoint,
    /// authenticated as its client does at the token endpoint (RFC 9126 §2.1:
    /// "The rules for client authentication as defined in [RFC6749] for token
    /// endpoint requests, including the applicable authentication methods,
    /// apply for the PAR endpoint as well"), or with `mode`.
    pub async fn push_authorization(&mut self, mode: Option<AuthMode>) -> Check {
        let a = self
            .auth
            .clone()
            .ok_or("no authorization request was started")?;
        let mut req = RawRequest::post_form(self.target.endpoint(Endpoint::Par), a.params);
        self.authenticate(a.role, mode, &mut req)?;
        // `client_id` is an authorization request parameter and, with
        // client_secret_post, a credential too: send it once.
        if let Some(form) = req.form.as_mut() {
            let mut seen = false;
            form.retain(|(k, _)| k != "client_id" || !std::mem::replace(&mut seen, true));
        }
        self.last_auth_scheme = super::token::auth_scheme(&req);
        self.last = Some(user_agent::send(&req).await?);
        Ok(())
    }

    /// RFC 9126 §2.2: "If the verification is successful, the server MUST
    /// generate a request URI and provide it in the response with a 201 HTTP
    /// status code", with `request_uri` and `expires_in` ("a positive
    /// integer"). The front channel is then `client_id` and `request_uri`.
    pub fn expect_pushed(&mut self) -> Check {
        let r = self.last()?;
        if r.status != 201 {
            return Err(format!(
                "the pushed request was not accepted with 201: {}",
                r.describe()
            ));
        }
        let body = r.json().ok_or("the PAR response is not JSON")?;
        let uri = body
            .get("request_uri")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or("the PAR response has no request_uri string")?
            .to_owned();
        match body.get("expires_in").and_then(serde_json::Value::as_u64) {
            Some(n) if n > 0 => {}
            _ => {
                return Err(format!(
                    "expires_in is {:?}, not a positive integer",
                    body.get("expires_in")
                ));
            }
        }
        let a = self.auth.as_ref().ok_or("no authorization request")?;
        let client_id = a.param("client_id").unwrap_or_default().to_owned();
        self.par.front = Some(vec![
            ("client_id".into(), client_id),
            ("request_uri".into(), uri.clone()),
        ]);
        self.par.request_uri = Some(uri);
        Ok(())
    }

    /// RFC 9126 §2.2: the request_uri "MUST contain some part generated using
    /// a cryptographically strong pseudorandom algorithm"; RFC 6749 §10.10
    /// puts the bar at 2^-128. The random part is taken to be what follows
    /// the last `:` or `/`.
    pub fn expect_request_uri_entropy(&self, bits: f64) -> Check {
        let uri = self
            .par
            .request_uri
            .as_deref()
            .ok_or("nothing was pushed")?;
        let tail = uri.rsplit([':', '/']).next().unwrap_or(uri);
        let e = entropy_bits(tail);
        if e < bits {
            return Err(format!(
                "the request_uri's last part {tail:?} carries at most {e:.0} bits"
            ));
        }
        Ok(())
    }

    /// Sets (replaces) a parameter of the front channel of the pushed request.
    pub fn set_front_param(&mut self, name: &str, value: &str) -> Check {
        let value = self.expand(value)?;
        let front = self
            .par
            .front
            .as_mut()
            .ok_or("no request was pushed successfully")?;
        match front.iter_mut().find(|(k, _)| k == name) {
            Some(p) => p.1 = value,
            None => front.push((name.into(), value)),
        }
        Ok(())
    }

    /// The authorization endpoint did not answer the request: an error page
    /// (the front channel's redirect cannot be trusted before the reference
    /// resolves), or an error redirect, never a code or a token.
    pub fn expect_authorization_refused(&self) -> Check {
        match self
            .outcome
            .as_ref()
            .ok_or("the authorization request was not sent")?
        {
            Outcome::Page(p) if p.status == 404 || p.status >= 500 => Err(format!(
                "expected a refusal of the request, got {} (is the endpoint right?)",
                p.describe()
            )),
            Outcome::Page(_) => Ok(()),
            Outcome::Redirect(u) => {
                let params = params_of(u);
                let has = |k: &str| params.iter().any(|(n, _)| n == k);
                if has("code") || has("access_token") {
                    return Err(format!(
                        "the server answered the request: a redirect to {}{} with a code or token",
                        u.origin().ascii_serialization(),
                        u.path()
                    ));
                }
                if !has("error") {
                    return Err("the redirect carries neither a code nor an error".into());
                }
                Ok(())
            }
        }
    }

    /// The answer follows the pushed request and nothing the front channel
    /// added (RFC 9101 §6.3: the server "MUST only use the parameters in the
    /// Request Object, even if the same parameter is provided in the query
    /// parameter"), or the request is refused outright: a redirect goes to the
    /// pushed `redirect_uri` and carries the pushed `state`.
    pub fn expect_only_pushed_parameters(&self) -> Check {
        match self
            .outcome
            .as_ref()
            .ok_or("the authorization request was not sent")?
        {
            Outcome::Page(_) => self.expect_authorization_refused(),
            Outcome::Redirect(_) => {
                self.check_redirect_target()?;
                let pushed = self.sent_state();
                self.expect_state(pushed.as_deref())
            }
        }
    }
}
