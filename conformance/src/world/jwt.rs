//! Client assertions (RFC 7523) and metadata (RFC 8414).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::config::Endpoint;
use crate::parameters::ClientRole;
use crate::user_agent::RawRequest;

/// `client_assertion_type` of RFC 7523 §2.2.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Signs `claims` with a PEM private key, `ES256` or else `RS256`.
pub(crate) fn sign(
    pem: &[u8],
    alg: &str,
    kid: Option<String>,
    claims: &serde_json::Value,
) -> Result<String, String> {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let (alg, key) = if alg == "ES256" {
        (Algorithm::ES256, EncodingKey::from_ec_pem(pem))
    } else {
        (Algorithm::RS256, EncodingKey::from_rsa_pem(pem))
    };
    let key = key.map_err(|e| format!("bad private key: {e}"))?;
    let mut h = Header::new(alg);
    h.kid = kid;
    encode(&h, claims, &key).map_err(|e| e.to_string())
}

/// A client-credentials form authenticated by `assertion` (RFC 7523 §2.2).
pub(crate) fn client_credentials_with_assertion(
    assertion: String,
    scope: &str,
) -> Vec<(String, String)> {
    let mut form = vec![
        ("grant_type".to_string(), "client_credentials".to_string()),
        ("client_assertion_type".into(), JWT_BEARER.into()),
        ("client_assertion".into(), assertion),
    ];
    if !scope.is_empty() {
        form.push(("scope".into(), scope.to_owned()));
    }
    form
}

/// RFC 7523 claims for a client assertion: `iss` = `sub` = the client, `aud`,
/// one minute of life, a fresh `jti`.
pub(crate) fn assertion_claims(client_id: &str, aud: &str) -> serde_json::Value {
    let t = now();
    serde_json::json!({
        "iss": client_id, "sub": client_id, "aud": aud,
        "iat": t, "exp": t + 60, "jti": uuid::Uuid::new_v4().to_string(),
    })
}

impl OAuthWorld {
    pub(crate) fn make_assertion(&self, role: ClientRole) -> Result<String, String> {
        use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
        let c = self.client(role)?;
        let mut claims = assertion_claims(&c.id, self.target.audience());
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
                let jwt = sign(&pem, &c.alg, kid, &claims)?;
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
        let form = client_credentials_with_assertion(jwt, &c.scope);
        let req = RawRequest::post_form(self.target.endpoint(Endpoint::Token), form);
        self.last = Some(self.http.send(&req).await?);
        Ok(())
    }

    /// Fetches RFC 8414 metadata.
    pub async fn fetch_metadata(&mut self) -> Check {
        let r = self
            .http
            .send(&RawRequest::get(self.target.metadata_url()))
            .await?;
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
        self.http.waited(d);
        tokio::time::sleep(d).await;
    }
}
