//! elastic.io tenant OAuth clients: `/v2/tenants/{TENANT_ID}/oauth-clients`,
//! JSON:API documents of type `oauth-client` related to one `component`.
//!
//! OAuth clients belong to tenants, one per component per tenant. The secret
//! is write-only: it is sent on create and update, never returned, so an
//! [`OAuthClientRecord`] has no secret field.

use serde_json::{Value, json};

use super::{
    JSON_API, ManagementClient, document_data, document_list, id_type, identifier, json_api_body,
    malformed, resource_id,
};
use crate::error::Result;
use crate::secret::ClientSecret;
use crate::types::ClientId;

id_type! {
    /// A tenant's id (`{TENANT_ID}` in `/v2/tenants/{TENANT_ID}/...`).
    TenantId
}
id_type! {
    /// The id of a tenant OAuth-client record (the JSON:API `data.id`, not
    /// the OAuth `client_id`).
    OAuthClientRecordId
}
id_type! {
    /// A component's id (`relationships.component.data.id`).
    ComponentId
}

/// A tenant OAuth-client record as the server returns it. There is no
/// secret: the server never returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthClientRecord {
    /// The record's id.
    pub id: OAuthClientRecordId,
    /// The OAuth `client_id` stored in the record.
    pub client_id: ClientId,
    /// The component the client is for.
    pub component: ComponentId,
    /// `false` when the component was deleted: the client stays but cannot
    /// be used (absent on the wire means `true`).
    pub usable: bool,
}

/// The tenants of a management API.
#[derive(Debug, Clone, Copy)]
pub struct Tenants<'a> {
    pub(super) api: &'a ManagementClient,
}

impl<'a> Tenants<'a> {
    pub(super) fn new(api: &'a ManagementClient) -> Self {
        Self { api }
    }

    /// The OAuth clients of one tenant.
    pub fn oauth_clients(&self, tenant: TenantId) -> OAuthClients<'a> {
        OAuthClients {
            api: self.api,
            tenant,
        }
    }
}

/// The OAuth clients of one tenant: `/v2/tenants/{TENANT_ID}/oauth-clients`.
/// Needs the permissions `tenants.oauth_clients.get/edit/create/delete`.
#[derive(Debug, Clone)]
pub struct OAuthClients<'a> {
    api: &'a ManagementClient,
    tenant: TenantId,
}

impl<'a> OAuthClients<'a> {
    fn url(&self, id: Option<&OAuthClientRecordId>, query: &[(&str, &str)]) -> url::Url {
        let mut segments = vec!["v2", "tenants", self.tenant.as_str(), "oauth-clients"];
        if let Some(id) = id {
            segments.push(id.as_str());
        }
        self.api.url(&segments, query)
    }

    /// `POST`: a client for `component` (which must exist in the tenant and be
    /// visible, 422 otherwise; a second client for it is a 409).
    pub fn create(
        &self,
        component: ComponentId,
        client_id: ClientId,
        client_secret: ClientSecret,
    ) -> CreateOAuthClient<'a> {
        CreateOAuthClient {
            clients: self.clone(),
            component,
            client_id,
            client_secret,
        }
    }

    /// `GET` the list, optionally filtered by component.
    pub fn list(&self) -> ListOAuthClients<'a> {
        ListOAuthClients {
            clients: self.clone(),
            component: None,
        }
    }

    /// `GET` one record.
    pub fn get(&self, id: OAuthClientRecordId) -> GetOAuthClient<'a> {
        GetOAuthClient {
            clients: self.clone(),
            id,
        }
    }

    /// `PATCH` one record: set only what you change.
    pub fn update(&self, id: OAuthClientRecordId) -> UpdateOAuthClient<'a> {
        UpdateOAuthClient {
            clients: self.clone(),
            id,
            client_id: None,
            client_secret: None,
            component: None,
        }
    }

    /// `DELETE` one record (409 while a flow of the tenant uses its component).
    pub fn delete(&self, id: OAuthClientRecordId) -> DeleteOAuthClient<'a> {
        DeleteOAuthClient {
            clients: self.clone(),
            id,
        }
    }
}

fn component_relationship(component: &ComponentId) -> Value {
    json!({ "component": { "data": { "id": component.as_str(), "type": "component" } } })
}

/// Create request; finish with [`send`](Self::send).
#[derive(Debug)]
pub struct CreateOAuthClient<'a> {
    clients: OAuthClients<'a>,
    component: ComponentId,
    client_id: ClientId,
    client_secret: ClientSecret,
}

impl CreateOAuthClient<'_> {
    pub(crate) fn request(&self) -> Result<http::Request<Vec<u8>>> {
        let doc = json!({ "data": {
            "type": "oauth-client",
            "attributes": {
                "client_id": self.client_id.as_str(),
                "client_secret": self.client_secret.secret(),
            },
            "relationships": component_relationship(&self.component),
        }});
        let url = self.clients.url(None, &[]);
        self.clients
            .api
            .request(http::Method::POST, &url, JSON_API, json_api_body(&doc))
    }

    /// Sends it; the created record (201).
    pub async fn send(self) -> Result<OAuthClientRecord> {
        let body = self.clients.api.execute(self.request()?).await?;
        parse_one(&body)
    }
}

/// List request; finish with [`send`](Self::send).
#[derive(Debug)]
pub struct ListOAuthClients<'a> {
    clients: OAuthClients<'a>,
    component: Option<ComponentId>,
}

impl ListOAuthClients<'_> {
    /// Only the client of this component (`filter[component]`).
    pub fn component(mut self, component: ComponentId) -> Self {
        self.component = Some(component);
        self
    }

    pub(crate) fn request(&self) -> Result<http::Request<Vec<u8>>> {
        let query: Vec<(&str, &str)> = self
            .component
            .iter()
            .map(|c| ("filter[component]", c.as_str()))
            .collect();
        let url = self.clients.url(None, &query);
        self.clients
            .api
            .request(http::Method::GET, &url, JSON_API, None)
    }

    /// Sends it; the records.
    pub async fn send(self) -> Result<Vec<OAuthClientRecord>> {
        let body = self.clients.api.execute(self.request()?).await?;
        parse_many(&body)
    }
}

/// Get request; finish with [`send`](Self::send).
#[derive(Debug)]
pub struct GetOAuthClient<'a> {
    clients: OAuthClients<'a>,
    id: OAuthClientRecordId,
}

impl GetOAuthClient<'_> {
    pub(crate) fn request(&self) -> Result<http::Request<Vec<u8>>> {
        let url = self.clients.url(Some(&self.id), &[]);
        self.clients
            .api
            .request(http::Method::GET, &url, JSON_API, None)
    }

    /// Sends it; the record (404 if absent or in another tenant).
    pub async fn send(self) -> Result<OAuthClientRecord> {
        let body = self.clients.api.execute(self.request()?).await?;
        parse_one(&body)
    }
}

/// Update request; set the fields to change, then [`send`](Self::send).
#[derive(Debug)]
pub struct UpdateOAuthClient<'a> {
    clients: OAuthClients<'a>,
    id: OAuthClientRecordId,
    client_id: Option<ClientId>,
    client_secret: Option<ClientSecret>,
    component: Option<ComponentId>,
}

impl UpdateOAuthClient<'_> {
    /// A new OAuth `client_id`. Default: unchanged.
    pub fn client_id(mut self, client_id: ClientId) -> Self {
        self.client_id = Some(client_id);
        self
    }

    /// A new client secret (write-only). Default: unchanged.
    pub fn client_secret(mut self, secret: ClientSecret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Move the client to another component. Default: unchanged.
    pub fn component(mut self, component: ComponentId) -> Self {
        self.component = Some(component);
        self
    }

    pub(crate) fn request(&self) -> Result<http::Request<Vec<u8>>> {
        let mut attributes = serde_json::Map::new();
        if let Some(c) = &self.client_id {
            attributes.insert("client_id".into(), c.as_str().into());
        }
        if let Some(s) = &self.client_secret {
            attributes.insert("client_secret".into(), s.secret().into());
        }
        let mut data = json!({
            "type": "oauth-client",
            "id": self.id.as_str(),
            "attributes": attributes,
        });
        if let Some(c) = &self.component {
            data["relationships"] = component_relationship(c);
        }
        let url = self.clients.url(Some(&self.id), &[]);
        self.clients.api.request(
            http::Method::PATCH,
            &url,
            JSON_API,
            json_api_body(&json!({ "data": data })),
        )
    }

    /// Sends it; the updated record.
    pub async fn send(self) -> Result<OAuthClientRecord> {
        let body = self.clients.api.execute(self.request()?).await?;
        parse_one(&body)
    }
}

/// Delete request; finish with [`send`](Self::send).
#[derive(Debug)]
pub struct DeleteOAuthClient<'a> {
    clients: OAuthClients<'a>,
    id: OAuthClientRecordId,
}

impl DeleteOAuthClient<'_> {
    pub(crate) fn request(&self) -> Result<http::Request<Vec<u8>>> {
        let url = self.clients.url(Some(&self.id), &[]);
        self.clients
            .api
            .request(http::Method::DELETE, &url, JSON_API, None)
    }

    /// Sends it (204).
    pub async fn send(self) -> Result<()> {
        self.clients.api.execute(self.request()?).await?;
        Ok(())
    }
}

const WHAT: &str = "OAuth client document";

fn parse_one(body: &[u8]) -> Result<OAuthClientRecord> {
    record(&document_data(WHAT, body)?)
}

fn parse_many(body: &[u8]) -> Result<Vec<OAuthClientRecord>> {
    document_list(WHAT, body)?.iter().map(record).collect()
}

pub(crate) fn record(data: &Value) -> Result<OAuthClientRecord> {
    let id = resource_id(WHAT, data, "oauth-client")?;
    let attributes = data.get("attributes");
    let client_id = attributes
        .and_then(|a| a.get("client_id"))
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(WHAT, "no string `attributes.client_id`"))?;
    let usable = attributes
        .and_then(|a| a.get("usable"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let component = data
        .pointer("/relationships/component/data")
        .and_then(|d| identifier(d, "component"))
        .ok_or_else(|| {
            malformed(
                WHAT,
                "no `relationships.component.data` of type \"component\"",
            )
        })?;
    Ok(OAuthClientRecord {
        id: OAuthClientRecordId::new(id),
        client_id: ClientId::new(client_id),
        component: ComponentId::new(component),
        usable,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{api, body_json};
    use super::*;

    fn header<'r>(req: &'r http::Request<Vec<u8>>, name: &str) -> Option<&'r str> {
        req.headers().get(name).map(|v| v.to_str().unwrap())
    }

    const BASIC: &str = "Basic YWRtaW5AZXhhbXBsZS5jb206azN5"; // admin@example.com:k3y

    #[test]
    fn create_builds_the_exact_json_api_document() {
        let api = api();
        let clients = api.tenants().oauth_clients(TenantId::new("t 1"));
        let req = clients
            .create(
                ComponentId::new("salesforce"),
                ClientId::new("cid"),
                ClientSecret::new("shh"),
            )
            .request()
            .unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(
            req.uri().to_string(),
            "https://api.example.com/v2/tenants/t%201/oauth-clients"
        );
        assert_eq!(header(&req, "authorization"), Some(BASIC));
        assert_eq!(header(&req, "content-type"), Some(JSON_API));
        assert_eq!(header(&req, "accept"), Some(JSON_API));
        assert_eq!(
            body_json(&req),
            json!({"data": {
                "type": "oauth-client",
                "attributes": {"client_id": "cid", "client_secret": "shh"},
                "relationships": {"component": {"data": {"id": "salesforce", "type": "component"}}}
            }})
        );
    }

    #[test]
    fn list_get_delete_build_their_urls() {
        let api = api();
        let clients = api.tenants().oauth_clients(TenantId::new("demo-tenant"));
        let req = clients
            .list()
            .component(ComponentId::new("pizza&van"))
            .request()
            .unwrap();
        assert_eq!(req.method(), http::Method::GET);
        assert_eq!(
            req.uri().to_string(),
            "https://api.example.com/v2/tenants/demo-tenant/oauth-clients?filter%5Bcomponent%5D=pizza%26van"
        );
        assert!(req.body().is_empty());
        assert_eq!(header(&req, "content-type"), None);
        let id = OAuthClientRecordId::new("r/1");
        let req = clients.get(id.clone()).request().unwrap();
        assert_eq!(
            req.uri().to_string(),
            "https://api.example.com/v2/tenants/demo-tenant/oauth-clients/r%2F1"
        );
        let req = clients.delete(id).request().unwrap();
        assert_eq!(req.method(), http::Method::DELETE);
        assert_eq!(header(&req, "authorization"), Some(BASIC));
    }

    #[test]
    fn update_sends_only_what_changes() {
        let api = api();
        let clients = api.tenants().oauth_clients(TenantId::new("demo-tenant"));
        let req = clients
            .update(OAuthClientRecordId::new("r1"))
            .client_secret(ClientSecret::new("new"))
            .request()
            .unwrap();
        assert_eq!(req.method(), http::Method::PATCH);
        assert_eq!(
            body_json(&req),
            json!({"data": {"type": "oauth-client", "id": "r1", "attributes": {"client_secret": "new"}}})
        );
        let req = clients
            .update(OAuthClientRecordId::new("r1"))
            .component(ComponentId::new("pizzavan"))
            .request()
            .unwrap();
        assert_eq!(
            body_json(&req)["data"]["relationships"],
            json!({"component": {"data": {"id": "pizzavan", "type": "component"}}})
        );
    }

    #[test]
    fn records_parse_and_malformed_ones_are_parse_errors() {
        let ok = br#"{"data":{"type":"oauth-client","id":"r1","attributes":{"client_id":"c","usable":false},
            "relationships":{"component":{"data":{"id":"salesforce","type":"component"}}}}}"#;
        let r = parse_one(ok).unwrap();
        assert_eq!(r.id.as_str(), "r1");
        assert_eq!(r.client_id.as_str(), "c");
        assert_eq!(r.component.as_str(), "salesforce");
        assert!(!r.usable);
        for bad in [
            &b"not json"[..],
            br#"{"data":{"type":"user","id":"r1"}}"#,
            br#"{"data":{"type":"oauth-client","attributes":{"client_id":"c"}}}"#,
            br#"{"data":{"type":"oauth-client","id":"r1","attributes":{}}}"#,
            br#"{"nodata":1}"#,
        ] {
            assert!(matches!(parse_one(bad), Err(crate::Error::Parse(_))));
        }
        assert!(matches!(
            parse_many(br#"{"data":{}}"#),
            Err(crate::Error::Parse(_))
        ));
    }
}
