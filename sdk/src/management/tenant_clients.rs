//! elastic.io tenant OAuth clients: `/v2/tenants/{TENANT_ID}/oauth-clients`,
//! JSON:API documents of type `oauth-client` related to one `component`.
//!
//! OAuth clients belong to tenants, one per component per tenant. The secret
//! is write-only: it is sent on create and update, never returned, so an
//! [`OAuthClientRecord`] has no secret field.

use serde_json::{Value, json};

use super::{
    ManagementClient, ManagementRequest, TenantId, document_data, document_list, id_type,
    identifier, malformed, resource_id,
};
use crate::error::Result;
use crate::secret::ClientSecret;
use crate::types::ClientId;

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

/// What an update changes: each `None` stays as it is. Build it with
/// `..Default::default()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthClientChanges {
    /// A new OAuth `client_id`.
    pub client_id: Option<ClientId>,
    /// A new client secret (write-only: never returned).
    pub client_secret: Option<ClientSecret>,
    /// Move the client to another component.
    pub component: Option<ComponentId>,
}

/// elastic.io's management API, from [`ManagementClient::elasticio`].
#[derive(Debug, Clone)]
pub struct ElasticIo {
    api: ManagementClient,
}

impl ElasticIo {
    pub(super) fn new(api: ManagementClient) -> Self {
        Self { api }
    }

    /// The OAuth clients of one tenant.
    pub fn oauth_clients(&self, tenant: impl Into<TenantId>) -> OAuthClients {
        OAuthClients {
            api: self.api.clone(),
            tenant: tenant.into(),
        }
    }
}

/// The OAuth clients of one tenant: `/v2/tenants/{TENANT_ID}/oauth-clients`.
/// Needs the permissions `tenants.oauth_clients.get/edit/create/delete`.
#[derive(Debug, Clone)]
pub struct OAuthClients {
    api: ManagementClient,
    tenant: TenantId,
}

impl OAuthClients {
    fn call<T>(
        &self,
        method: http::Method,
        id: Option<&OAuthClientRecordId>,
        query: &[(&str, &str)],
        doc: Option<Value>,
        read: super::Read<T>,
    ) -> ManagementRequest<T> {
        let mut segments = vec!["v2", "tenants", self.tenant.as_str(), "oauth-clients"];
        segments.extend(id.map(OAuthClientRecordId::as_str));
        let url = self.api.url(&segments, query);
        self.api.call(method, url, super::JSON_API, doc, read)
    }

    /// `POST`: a client for `component` (which must exist in the tenant and be
    /// visible, 422 otherwise; a second client for it is a 409). The created
    /// record (201).
    pub fn create(
        &self,
        component: impl Into<ComponentId>,
        client_id: ClientId,
        client_secret: ClientSecret,
    ) -> ManagementRequest<OAuthClientRecord> {
        let doc = json!({ "data": {
            "type": "oauth-client",
            "attributes": {
                "client_id": client_id.as_str(),
                "client_secret": client_secret.secret(),
            },
            "relationships": component_relationship(&component.into()),
        }});
        self.call(http::Method::POST, None, &[], Some(doc), read_one)
    }

    /// `GET` every record of the tenant.
    pub fn list(&self) -> ManagementRequest<Vec<OAuthClientRecord>> {
        self.call(http::Method::GET, None, &[], None, read_many)
    }

    /// `GET` the records of one component (`filter[component]`): at most one,
    /// since a tenant has one client per component.
    pub fn list_for_component(
        &self,
        component: impl Into<ComponentId>,
    ) -> ManagementRequest<Vec<OAuthClientRecord>> {
        let component = component.into();
        let query = [("filter[component]", component.as_str())];
        self.call(http::Method::GET, None, &query, None, read_many)
    }

    /// `GET` one record (404 if absent or in another tenant).
    pub fn get(&self, id: impl Into<OAuthClientRecordId>) -> ManagementRequest<OAuthClientRecord> {
        self.call(http::Method::GET, Some(&id.into()), &[], None, read_one)
    }

    /// `PATCH` one record: only what `changes` sets is sent. The updated record.
    pub fn update(
        &self,
        id: impl Into<OAuthClientRecordId>,
        changes: OAuthClientChanges,
    ) -> ManagementRequest<OAuthClientRecord> {
        let id = id.into();
        let mut attributes = serde_json::Map::new();
        if let Some(c) = &changes.client_id {
            attributes.insert("client_id".into(), c.as_str().into());
        }
        if let Some(s) = &changes.client_secret {
            attributes.insert("client_secret".into(), s.secret().into());
        }
        let mut data = json!({
            "type": "oauth-client",
            "id": id.as_str(),
            "attributes": attributes,
        });
        if let Some(c) = &changes.component {
            data["relationships"] = component_relationship(c);
        }
        let doc = json!({ "data": data });
        self.call(http::Method::PATCH, Some(&id), &[], Some(doc), read_one)
    }

    /// `DELETE` one record (204; 409 while a flow of the tenant uses its
    /// component).
    pub fn delete(&self, id: impl Into<OAuthClientRecordId>) -> ManagementRequest<()> {
        self.call(
            http::Method::DELETE,
            Some(&id.into()),
            &[],
            None,
            |_| Ok(()),
        )
    }
}

fn component_relationship(component: &ComponentId) -> Value {
    json!({ "component": { "data": { "id": component.as_str(), "type": "component" } } })
}

fn read_one(resp: http::Response<Vec<u8>>) -> Result<OAuthClientRecord> {
    parse_one(resp.body())
}

fn read_many(resp: http::Response<Vec<u8>>) -> Result<Vec<OAuthClientRecord>> {
    parse_many(resp.body())
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
    use super::super::JSON_API;
    use super::super::testing::{api, body_json};
    use super::*;

    fn header<'r>(req: &'r http::Request<Vec<u8>>, name: &str) -> Option<&'r str> {
        req.headers().get(name).map(|v| v.to_str().unwrap())
    }

    const BASIC: &str = "Basic YWRtaW5AZXhhbXBsZS5jb206azN5"; // admin@example.com:k3y

    #[test]
    fn create_builds_the_exact_json_api_document() {
        let clients = api().elasticio().oauth_clients("t 1");
        let call = clients.create("salesforce", ClientId::new("cid"), ClientSecret::new("shh"));
        let req = call.request();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(
            req.uri().to_string(),
            "https://api.example.com/v2/tenants/t%201/oauth-clients"
        );
        assert_eq!(header(req, "authorization"), Some(BASIC));
        assert_eq!(header(req, "content-type"), Some(JSON_API));
        assert_eq!(header(req, "accept"), Some(JSON_API));
        assert_eq!(
            body_json(req),
            json!({"data": {
                "type": "oauth-client",
                "attributes": {"client_id": "cid", "client_secret": "shh"},
                "relationships": {"component": {"data": {"id": "salesforce", "type": "component"}}}
            }})
        );
        let shown = format!("{call:?}");
        assert!(!shown.contains("shh"), "{shown}");
    }

    #[test]
    fn list_get_delete_build_their_urls() {
        let clients = api()
            .elasticio()
            .oauth_clients(TenantId::new("demo-tenant"));
        let call = clients.list_for_component("pizza&van");
        let req = call.request();
        assert_eq!(req.method(), http::Method::GET);
        assert_eq!(
            req.uri().to_string(),
            "https://api.example.com/v2/tenants/demo-tenant/oauth-clients?filter%5Bcomponent%5D=pizza%26van"
        );
        assert!(req.body().is_empty());
        assert_eq!(header(req, "content-type"), None);
        assert_eq!(
            clients.list().request().uri().to_string(),
            "https://api.example.com/v2/tenants/demo-tenant/oauth-clients"
        );
        let id = OAuthClientRecordId::new("r/1");
        let call = clients.get(&id);
        assert_eq!(
            call.request().uri().to_string(),
            "https://api.example.com/v2/tenants/demo-tenant/oauth-clients/r%2F1"
        );
        let call = clients.delete(id);
        assert_eq!(call.request().method(), http::Method::DELETE);
        assert_eq!(header(call.request(), "authorization"), Some(BASIC));
    }

    #[test]
    fn update_sends_only_what_changes() {
        let clients = api().elasticio().oauth_clients("demo-tenant");
        let call = clients.update(
            "r1",
            OAuthClientChanges {
                client_secret: Some(ClientSecret::new("new")),
                ..Default::default()
            },
        );
        assert_eq!(call.request().method(), http::Method::PATCH);
        assert_eq!(
            body_json(call.request()),
            json!({"data": {"type": "oauth-client", "id": "r1", "attributes": {"client_secret": "new"}}})
        );
        let call = clients.update(
            "r1",
            OAuthClientChanges {
                component: Some(ComponentId::new("pizzavan")),
                ..Default::default()
            },
        );
        assert_eq!(
            body_json(call.request())["data"]["relationships"],
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
