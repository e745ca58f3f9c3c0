//! Using issued tokens: resource server, revocation, introspection, token info.

use super::*;
use crate::config::Endpoint;
use crate::parameters::{ClientRole, TokenKind, Which};
use crate::user_agent::RawRequest;

impl OAuthWorld {
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
        self.last = Some(self.http.send(&req).await?);
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

    /// The resource refused the last call and challenged with `Bearer`
    /// (RFC 6750 §3: "the resource server MUST include the HTTP
    /// "WWW-Authenticate" response header field"; "All challenges defined by
    /// this specification MUST use the auth-scheme value "Bearer"").
    pub fn expect_bearer_refusal(&self) -> Check {
        let ok = self.target.resource.as_ref().map_or(200, |r| r.ok_status);
        let r = self.last()?;
        if r.status == ok || !(400..500).contains(&r.status) {
            return Err(format!("expected a 4xx refusal, got {}", r.describe()));
        }
        let challenge = r.header("www-authenticate").unwrap_or("");
        if !challenge.to_ascii_lowercase().starts_with("bearer") {
            return Err(format!(
                "the refusal's WWW-Authenticate is {challenge:?}, not a Bearer challenge"
            ));
        }
        Ok(())
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
        let resp = self.http.send(&req).await?;
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
        self.last = Some(self.http.send(&req).await?);
        Ok(())
    }

    /// Introspects a token (RFC 7662) as a client.
    pub async fn introspect(&mut self, role: Option<ClientRole>, token: String) -> Check {
        let form = vec![("token".to_string(), token)];
        let mut req = RawRequest::post_form(self.target.endpoint(Endpoint::Introspection), form);
        if let Some(role) = role {
            self.authenticate(role, None, &mut req)?;
        }
        self.last = Some(self.http.send(&req).await?);
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

    /// 200 with `"active": false` (other members are a SHOULD NOT, checked
    /// by [`Self::expect_introspection_inactive`]).
    pub fn expect_introspection_says_inactive(&self) -> Check {
        let r = self.last()?;
        if r.status != 200 {
            return Err(format!("expected 200, got {}", r.describe()));
        }
        let body = r.json().ok_or("not JSON")?;
        if body.get("active") != Some(&serde_json::Value::Bool(false)) {
            return Err(format!("expected \"active\": false, got {body}"));
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
        self.last = Some(self.http.send(&req).await?);
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
}
