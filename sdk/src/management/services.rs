//! JetBrains Hub service registration: `POST /api/rest/services?fields=id,secret`,
//! `GET /api/rest/services/{id}`, `PATCH /api/rest/services/{id}` `{"trusted": …}`.
//!
//! A registered service is an OAuth client whose id and secret come back once,
//! at registration. Plain async methods rather than request builders: these
//! calls have no optional parameters.

use serde_json::{Value, json};
use url::Url;

use super::{ManagementClient, id_type, json};
use crate::error::{ParseError, Result};
use crate::secret::ClientSecret;
use crate::types::ClientId;

const JSON: &str = "application/json";

id_type! {
    /// A Hub service's id (also its OAuth `client_id`).
    ServiceId
}

impl ServiceId {
    /// The service id as an OAuth client id.
    pub fn client_id(&self) -> ClientId {
        ClientId::new(self.as_str())
    }
}

/// What to register: the fields of Hub's `POST /api/rest/services`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceRegistration {
    /// `name` (required).
    pub name: String,
    /// `homeUrl`.
    pub home_url: Option<Url>,
    /// `redirectUris`; with none, the service gets no authorization code grant.
    pub redirect_uris: Vec<Url>,
    /// `applicationName`.
    pub application_name: Option<String>,
    /// `vendor`.
    pub vendor: Option<String>,
    /// `version`.
    pub version: Option<String>,
}

/// The answer to a registration: the id and the secret, returned only once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredService {
    /// The service id (its `client_id`).
    pub id: ServiceId,
    /// The client secret: keep it, it cannot be read again.
    pub secret: ClientSecret,
}

/// A registered service as `GET` returns it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Service {
    /// `id`.
    pub id: ServiceId,
    /// `name`.
    pub name: String,
    /// `homeUrl`.
    pub home_url: Option<String>,
    /// `redirectUris`.
    pub redirect_uris: Vec<String>,
    /// `applicationName`.
    pub application_name: Option<String>,
    /// `vendor`.
    pub vendor: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `trusted`: the service acts on its own behalf, users see no consent page.
    pub trusted: bool,
}

impl ManagementClient {
    pub(crate) fn register_service_request(
        &self,
        reg: &ServiceRegistration,
    ) -> Result<http::Request<Vec<u8>>> {
        let mut doc = serde_json::Map::new();
        doc.insert("name".into(), reg.name.clone().into());
        if let Some(u) = &reg.home_url {
            doc.insert("homeUrl".into(), u.as_str().into());
        }
        if !reg.redirect_uris.is_empty() {
            let uris: Vec<Value> = reg
                .redirect_uris
                .iter()
                .map(|u| u.as_str().into())
                .collect();
            doc.insert("redirectUris".into(), uris.into());
        }
        for (name, v) in [
            ("applicationName", &reg.application_name),
            ("vendor", &reg.vendor),
            ("version", &reg.version),
        ] {
            if let Some(v) = v {
                doc.insert(name.into(), v.clone().into());
            }
        }
        let url = self.url(&["api", "rest", "services"], &[("fields", "id,secret")]);
        let body = Value::Object(doc).to_string().into_bytes();
        self.request(http::Method::POST, &url, JSON, Some((JSON, body)))
    }

    /// Registers a service (administrators only); its id and secret.
    pub async fn register_service(&self, reg: ServiceRegistration) -> Result<RegisteredService> {
        let body = self.execute(self.register_service_request(&reg)?).await?;
        let v = json(WHAT, &body)?;
        let text = |name: &'static str| {
            v.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::new(WHAT, format!("no string `{name}`")))
        };
        Ok(RegisteredService {
            id: ServiceId::new(text("id")?),
            secret: ClientSecret::new(text("secret")?),
        })
    }

    /// Reads a service (without its secret).
    pub async fn get_service(&self, id: &ServiceId) -> Result<Service> {
        let url = self.url(&["api", "rest", "services", id.as_str()], &[]);
        let req = self.request(http::Method::GET, &url, JSON, None)?;
        service(&self.execute(req).await?)
    }

    /// Sets the administrator's `trusted` flag; the service as updated.
    pub async fn set_trusted(&self, id: &ServiceId, trusted: bool) -> Result<Service> {
        let url = self.url(&["api", "rest", "services", id.as_str()], &[]);
        let body = json!({ "trusted": trusted }).to_string().into_bytes();
        let req = self.request(http::Method::PATCH, &url, JSON, Some((JSON, body)))?;
        service(&self.execute(req).await?)
    }
}

const WHAT: &str = "Hub service";

fn service(body: &[u8]) -> Result<Service> {
    let v = json(WHAT, body)?;
    let opt = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
    let id = opt("id").ok_or_else(|| ParseError::new(WHAT, "no string `id`"))?;
    Ok(Service {
        id: ServiceId::new(id),
        name: opt("name").unwrap_or_default(),
        home_url: opt("homeUrl"),
        redirect_uris: v
            .get("redirectUris")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        application_name: opt("applicationName"),
        vendor: opt("vendor"),
        version: opt("version"),
        trusted: v.get("trusted").and_then(Value::as_bool).unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::super::ApiKey;
    use super::*;

    #[test]
    fn registration_request_is_exact() {
        let api = ManagementClient::new(
            "https://hub.example.com/hub".parse().unwrap(),
            "admin@example.com",
            ApiKey::new("k"),
        )
        .unwrap();
        let req = api
            .register_service_request(&ServiceRegistration {
                name: "CI".into(),
                home_url: Some("https://ci.example.com/".parse().unwrap()),
                redirect_uris: vec!["https://ci.example.com/cb".parse().unwrap()],
                application_name: Some("TeamCity".into()),
                vendor: Some("JetBrains".into()),
                version: Some("1.0".into()),
            })
            .unwrap();
        assert_eq!(
            req.uri().to_string(),
            "https://hub.example.com/hub/api/rest/services?fields=id%2Csecret"
        );
        assert_eq!(req.headers()["content-type"], JSON);
        let body: Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(
            body,
            json!({"name": "CI", "homeUrl": "https://ci.example.com/",
                   "redirectUris": ["https://ci.example.com/cb"],
                   "applicationName": "TeamCity", "vendor": "JetBrains", "version": "1.0"})
        );
    }
}
