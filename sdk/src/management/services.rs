//! JetBrains Hub service registration: `POST /api/rest/services?fields=id,secret`,
//! `GET /api/rest/services/{id}`, `PATCH /api/rest/services/{id}` `{"trusted": …}`.
//!
//! A registered service is an OAuth client whose id and secret come back once,
//! at registration. Hub speaks plain JSON here, not JSON:API.

use serde_json::{Value, json};
use url::Url;

use super::{ManagementClient, ManagementRequest, id_type, json};
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

/// JetBrains Hub's management API, from [`ManagementClient::hub`].
#[derive(Debug, Clone)]
pub struct Hub {
    api: ManagementClient,
}

impl Hub {
    pub(super) fn new(api: ManagementClient) -> Self {
        Self { api }
    }

    /// The registered services: `/api/rest/services`.
    pub fn services(&self) -> Services {
        Services {
            api: self.api.clone(),
        }
    }
}

/// Hub's services: `/api/rest/services[/{id}]`. Registration and the
/// `trusted` flag need an administrator.
#[derive(Debug, Clone)]
pub struct Services {
    api: ManagementClient,
}

impl Services {
    fn call<T>(
        &self,
        method: http::Method,
        id: Option<&ServiceId>,
        query: &[(&str, &str)],
        body: Option<Value>,
        read: super::Read<T>,
    ) -> ManagementRequest<T> {
        let mut segments = vec!["api", "rest", "services"];
        segments.extend(id.map(ServiceId::as_str));
        self.api
            .call(method, self.api.url(&segments, query), JSON, body, read)
    }

    /// `POST ?fields=id,secret`: registers a service; its id and secret,
    /// which Hub returns this once.
    pub fn register(
        &self,
        registration: ServiceRegistration,
    ) -> ManagementRequest<RegisteredService> {
        let reg = registration;
        let mut doc = serde_json::Map::new();
        doc.insert("name".into(), reg.name.into());
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
            ("applicationName", reg.application_name),
            ("vendor", reg.vendor),
            ("version", reg.version),
        ] {
            if let Some(v) = v {
                doc.insert(name.into(), v.into());
            }
        }
        let query = [("fields", "id,secret")];
        self.call(
            http::Method::POST,
            None,
            &query,
            Some(Value::Object(doc)),
            registered,
        )
    }

    /// `GET` a service (never with its secret; 404 if there is none).
    pub fn get(&self, id: impl Into<ServiceId>) -> ManagementRequest<Service> {
        self.call(http::Method::GET, Some(&id.into()), &[], None, service)
    }

    /// `PATCH {"trusted": …}`: the administrator's flag; the service as
    /// updated.
    pub fn set_trusted(
        &self,
        id: impl Into<ServiceId>,
        trusted: bool,
    ) -> ManagementRequest<Service> {
        let body = json!({ "trusted": trusted });
        self.call(
            http::Method::PATCH,
            Some(&id.into()),
            &[],
            Some(body),
            service,
        )
    }
}

const WHAT: &str = "Hub service";

fn registered(resp: http::Response<Vec<u8>>) -> Result<RegisteredService> {
    let v = json(WHAT, resp.body())?;
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

fn service(resp: http::Response<Vec<u8>>) -> Result<Service> {
    let v = json(WHAT, resp.body())?;
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
        let api = ManagementClient::builder(
            "https://hub.example.com/hub".parse().unwrap(),
            "admin@example.com",
            ApiKey::new("k"),
        )
        .build()
        .unwrap();
        let call = api.hub().services().register(ServiceRegistration {
            name: "CI".into(),
            home_url: Some("https://ci.example.com/".parse().unwrap()),
            redirect_uris: vec!["https://ci.example.com/cb".parse().unwrap()],
            application_name: Some("TeamCity".into()),
            vendor: Some("JetBrains".into()),
            version: Some("1.0".into()),
        });
        let req = call.request();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(
            req.uri().to_string(),
            "https://hub.example.com/hub/api/rest/services?fields=id%2Csecret"
        );
        assert_eq!(req.headers()["content-type"], JSON);
        assert_eq!(req.headers()["accept"], JSON);
        let body: Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(
            body,
            json!({"name": "CI", "homeUrl": "https://ci.example.com/",
                   "redirectUris": ["https://ci.example.com/cb"],
                   "applicationName": "TeamCity", "vendor": "JetBrains", "version": "1.0"})
        );
    }

    #[test]
    fn get_and_trusted_requests() {
        let api = super::super::testing::api();
        let services = api.hub().services();
        let call = services.get("svc/1");
        assert_eq!(call.request().method(), http::Method::GET);
        assert_eq!(
            call.request().uri().to_string(),
            "https://api.example.com/api/rest/services/svc%2F1"
        );
        assert!(call.request().body().is_empty());
        let call = services.set_trusted(ServiceId::new("svc"), true);
        assert_eq!(call.request().method(), http::Method::PATCH);
        let body: Value = serde_json::from_slice(call.request().body()).unwrap();
        assert_eq!(body, json!({"trusted": true}));
    }
}
