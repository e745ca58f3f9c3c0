//! Hub service registration (`/api/rest/services`): a service registers, gets
//! a token for itself, and is refused at the resource server until trusted.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::unique;
use crate::parameters::Who;
use crate::user_agent::RawRequest;
use crate::world::{Check, OAuthWorld};

impl OAuthWorld {
    /// `POST /api/rest/services?fields=id,secret`.
    pub async fn register_service(&mut self, who: Who) -> Check {
        let redirect = self.target.clients.confidential.redirect_uris[0].clone();
        let body = json!({
            "name": unique("Conformance Service"),
            "homeUrl": "https://conformance.example.com",
            "redirectUris": [redirect],
            "applicationName": "Conformance",
            "vendor": "oauth-conformance",
            "version": "1.0"
        });
        let r = self
            .mgmt_send(
                who,
                "POST",
                "/api/rest/services?fields=id,secret",
                Some(("application/json", body.to_string())),
            )
            .await?;
        if (200..300).contains(&r.status)
            && let Some(d) = r.json()
            && let (Some(id), Some(secret)) = (d["id"].as_str(), d["secret"].as_str())
        {
            self.mgmt.secrets.push(secret.to_owned());
            self.mgmt.service = Some((id.to_owned(), secret.to_owned()));
        }
        Ok(())
    }

    /// The registration answer is `{id, secret}` and nothing else.
    pub fn expect_id_and_secret(&self) -> Check {
        let r = self.last()?;
        if !(200..300).contains(&r.status) {
            return Err(format!("registration failed: {}", r.describe()));
        }
        let d = r.json().ok_or("not JSON")?;
        let mut keys: Vec<&String> = d.as_object().ok_or("not an object")?.keys().collect();
        keys.sort();
        if keys != ["id", "secret"] {
            return Err(format!("fields=id,secret answered with members {keys:?}"));
        }
        Ok(())
    }

    /// Client credentials at the Hub token endpoint with the returned id and secret.
    pub async fn service_token(&mut self) -> Check {
        let (id, secret) = self.mgmt.service.clone().ok_or("no service registered")?;
        let m = self.management()?;
        let path = m
            .hub_token_endpoint
            .as_deref()
            .unwrap_or("/api/rest/oauth2/token");
        let url = if path.starts_with("http") {
            self.target.url(path)
        } else {
            self.target.management_url(path)
        };
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let mut req = RawRequest::post_form(
            url,
            vec![("grant_type".into(), "client_credentials".into())],
        );
        let basic = STANDARD.encode(format!("{}:{}", enc(&id), enc(&secret)));
        req.headers
            .push(("authorization".into(), format!("Basic {basic}")));
        self.last = Some(self.http.send(&req).await?);
        Ok(())
    }

    /// GET Hub's resource server with the service's own token.
    pub async fn service_resource(&mut self) -> Check {
        let token = self
            .mgmt
            .service_token
            .clone()
            .ok_or("the service has no token")?;
        let m = self.management()?;
        let path = m.hub_resource.as_deref().unwrap_or("/api/rest/users/me");
        let url = if path.starts_with("http") {
            self.target.url(path)
        } else {
            self.target.management_url(path)
        };
        let mut req = RawRequest::get(url);
        req.headers
            .push(("authorization".into(), format!("Bearer {token}")));
        self.last = Some(self.http.send(&req).await?);
        Ok(())
    }

    /// GET or PATCH `{"trusted": true}` on the registered service.
    pub async fn on_service(&mut self, who: Who, method: &str) -> Check {
        let (id, _) = self.mgmt.service.clone().ok_or("no service registered")?;
        let path = format!("/api/rest/services/{id}");
        let body =
            (method == "PATCH").then(|| ("application/json", json!({"trusted": true}).to_string()));
        self.mgmt_send(who, method, &path, body).await?;
        Ok(())
    }

    /// The last answer is the service, `trusted` as given.
    pub fn expect_service(&self, trusted: Option<bool>) -> Check {
        let r = self.last()?;
        if r.status != 200 {
            return Err(format!("expected the service: {}", r.describe()));
        }
        let d = r.json().ok_or("not JSON")?;
        let id = self.mgmt.service.as_ref().map(|s| s.0.as_str());
        if d["id"].as_str() != id {
            return Err(format!("id is {}, expected {id:?}", d["id"]));
        }
        if let Some(t) = trusted
            && d["trusted"].as_bool() != Some(t)
        {
            return Err(format!("trusted is {}, expected {t}", d["trusted"]));
        }
        Ok(())
    }
}
