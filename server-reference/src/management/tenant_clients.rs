//! elastic.io tenant OAuth clients at `/v2/tenants/{TENANT_ID}/oauth-clients`
//! (the elastic.io tenant OAuth clients docs), plus the minimal companion endpoints
//! for components and flows that the rules depend on.
//!
//! Rules and the answers chosen:
//! - 401 (with `WWW-Authenticate: Basic`) without valid `{EMAIL}:{APIKEY}`.
//! - A tenant the account holds no permission in, a tenant that does not exist and a
//!   record of another tenant all answer the same 404 body, which names only the kind
//!   of resource the URL designates (`tenant not found` / `OAuth client not found`).
//! - 403 when the account sees the tenant but lacks the permission
//!   (`tenants.oauth_clients.get/edit/create/delete`; `*` = all). The companion
//!   endpoints need `*` to write and `tenants.oauth_clients.get` to read.
//! - `data.type` other than `"oauth-client"` (e.g. the seed table's `"flow"`): 409, as
//!   JSON:API prescribes, naming the expected value. Other document errors: 400;
//!   wrong Content-Type: 415.
//! - The component must exist in the tenant and be visible: otherwise 422, with one
//!   detail for both cases (a hidden component is not disclosed).
//! - One client per component per tenant: 409.
//! - DELETE is refused with 409 while any flow of the tenant uses the component.
//! - Deleting a component leaves its client in place with `attributes.usable: false`.
//! - `client_secret` is write-only: no response contains it.
//! - PATCH follows JSON:API: members left out keep their value.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::{Value, json};

use super::accounts::{self, Permission};
use super::jsonapi::{self, ApiError, Resource};
use super::{Account, Tenant};
use crate::faults::Fault;
use crate::state::AppState;

/// A tenant's OAuth client for one component.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct TenantClient {
    pub(crate) id: String,
    pub(crate) component: String,
    pub(crate) client_id: String,
    /// Kept as given (the platform must present it to the provider); never sent.
    client_secret: String,
}

impl std::fmt::Debug for TenantClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantClient")
            .field("id", &self.id)
            .field("component", &self.component)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

impl TenantClient {
    /// The stored secret, for the platform's own use (never for a response).
    #[allow(dead_code)] // read by the component.json resolver (follow-up work)
    pub(crate) fn secret(&self) -> &str {
        &self.client_secret
    }
}

pub(super) fn router() -> Router<AppState> {
    const CLIENTS: &str = "/v2/tenants/{tenant}/oauth-clients";
    Router::new()
        .route(CLIENTS, get(list).post(create))
        .route("/v2/tenants/{tenant}/oauth-clients/", get(list))
        .route(
            "/v2/tenants/{tenant}/oauth-clients/{id}",
            get(show).patch(update).delete(remove),
        )
        .route(
            "/v2/tenants/{tenant}/components",
            get(list_components).post(create_component),
        )
        .route(
            "/v2/tenants/{tenant}/components/{id}",
            delete(delete_component),
        )
        .route(
            "/v2/tenants/{tenant}/flows",
            get(list_flows).post(create_flow),
        )
        .route("/v2/tenants/{tenant}/flows/{id}", delete(delete_flow))
}

/// Authenticates, hides tenants the account holds nothing in (404 `what not found`),
/// then checks the permission (403).
fn authorize<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    tenant: &str,
    permission: Permission,
    what: &str,
) -> Result<&'a Account, ApiError> {
    let management = state.management();
    let account = accounts::authenticate(management.accounts(), headers)?;
    let sees = account.sees_tenant(tenant) || state.fault(Fault::TenantCrossTenantVisible);
    if !sees || !management.data().tenants.contains_key(tenant) {
        return Err(ApiError::not_found(what));
    }
    if !account.may(tenant, permission) {
        return Err(ApiError::forbidden(permission.name()));
    }
    Ok(account)
}

fn client_json(tenant_id: &str, tenant: &Tenant, c: &TenantClient) -> Value {
    json!({
        "type": "oauth-client",
        "id": c.id,
        "attributes": {
            "client_id": c.client_id,
            // A deleted component leaves its client in place, but unusable.
            "usable": tenant.components.contains_key(&c.component),
        },
        "relationships": {
            "component": { "data": { "id": c.component, "type": "component" } }
        },
        "links": { "self": format!("/v2/tenants/{tenant_id}/oauth-clients/{}", c.id) },
    })
}

/// The component exists in the tenant, is visible, and has no other client.
fn check_component(tenant: &Tenant, component: &str, except: Option<&str>) -> Result<(), ApiError> {
    if tenant.components.get(component) != Some(&true) {
        return Err(ApiError::unprocessable(format!(
            "component {component:?} does not exist in this tenant or is not visible"
        ))
        .at("/data/relationships/component/data/id"));
    }
    if let Some(other) = tenant
        .oauth_clients
        .values()
        .find(|c| c.component == component && Some(c.id.as_str()) != except)
    {
        return Err(ApiError::conflict(format!(
            "component {component:?} already has an OAuth client ({}) in this tenant: one per component",
            other.id
        ))
        .at("/data/relationships/component/data/id"));
    }
    Ok(())
}

fn no_client_ids(res: &Resource) -> Result<(), ApiError> {
    match &res.id {
        Some(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "client-generated ids are not supported: leave data.id out",
        )
        .at("/data/id")),
        None => Ok(()),
    }
}

fn required(res: &Resource, name: &str) -> Result<String, ApiError> {
    res.string(name, true)?
        .ok_or_else(|| ApiError::bad_request(format!("attributes.{name} is required")))
}

async fn create(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Create, "tenant")?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-client")?;
    no_client_ids(&res)?;
    let client_id = required(&res, "client_id")?;
    let client_secret = required(&res, "client_secret")?;
    let component = res
        .to_one("component", "component", true)?
        .ok_or_else(|| ApiError::bad_request("relationships.component is required"))?;
    let (location, body) = state
        .management()
        .change(state.store(), |data| {
            let tenant = data.tenant_mut(&tenant_id)?;
            match check_component(tenant, &component, None) {
                Err(e)
                    if e.status == StatusCode::CONFLICT
                        && state.fault(Fault::TenantDuplicateAllowed) => {}
                other => other?,
            }
            let record = TenantClient {
                id: uuid::Uuid::new_v4().to_string(),
                component,
                client_id,
                client_secret,
            };
            let mut body = client_json(&tenant_id, tenant, &record);
            if state.fault(Fault::TenantClientSecretReturned) {
                body["attributes"]["client_secret"] = json!(record.client_secret);
            }
            let location = format!("/v2/tenants/{tenant_id}/oauth-clients/{}", record.id);
            tenant.oauth_clients.insert(record.id.clone(), record);
            Ok((location, body))
        })
        .await?;
    Ok(jsonapi::created(&location, body))
}

async fn list(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Get, "tenant")?;
    let mut component = None;
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "filter[component]" => component = Some(value.into_owned()),
            other if other.starts_with("filter[") => {
                return Err(ApiError::bad_request(format!(
                    "unknown filter {other:?}: only filter[component] is supported"
                )));
            }
            _ => {}
        }
    }
    let data = state.management().data();
    let tenant = data.tenant(&tenant_id)?;
    let items: Vec<Value> = tenant
        .oauth_clients
        .values()
        .filter(|c| component.as_ref().is_none_or(|want| &c.component == want))
        .map(|c| client_json(&tenant_id, tenant, c))
        .collect();
    Ok(jsonapi::document(Value::Array(items)))
}

async fn show(
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(
        &state,
        &headers,
        &tenant_id,
        Permission::Get,
        "OAuth client",
    )?;
    let data = state.management().data();
    let tenant = data.tenants.get(&tenant_id);
    let found = tenant.and_then(|t| t.oauth_clients.get(&id).map(|c| (t, c)));
    let (tenant, record) = found.ok_or_else(|| ApiError::not_found("OAuth client"))?;
    Ok(jsonapi::document(client_json(&tenant_id, tenant, record)))
}

async fn update(
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(
        &state,
        &headers,
        &tenant_id,
        Permission::Edit,
        "OAuth client",
    )?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-client")?;
    if res.id.as_ref().is_some_and(|given| given != &id) {
        return Err(
            ApiError::conflict("data.id does not match the OAuth client in the URL").at("/data/id"),
        );
    }
    let client_id = res.string("client_id", false)?;
    let client_secret = res.string("client_secret", false)?;
    let component = res.to_one("component", "component", false)?;
    let body = state
        .management()
        .change(state.store(), |data| {
            let tenant = data.tenant_holding(
                &tenant_id,
                |t| t.oauth_clients.contains_key(&id),
                "OAuth client",
            )?;
            if let Some(component) = &component {
                check_component(tenant, component, Some(&id))?;
            }
            let Some(record) = tenant.oauth_clients.get_mut(&id) else {
                return Err(ApiError::not_found("OAuth client"));
            };
            if let Some(v) = client_id {
                record.client_id = v;
            }
            if let Some(v) = client_secret {
                record.client_secret = v;
            }
            if let Some(v) = component {
                record.component = v;
            }
            Ok(client_json(&tenant_id, tenant, &tenant.oauth_clients[&id]))
        })
        .await?;
    Ok(jsonapi::document(body))
}

async fn remove(
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(
        &state,
        &headers,
        &tenant_id,
        Permission::Delete,
        "OAuth client",
    )?;
    state
        .management()
        .change(state.store(), |data| {
            let tenant = data.tenant_holding(
                &tenant_id,
                |t| t.oauth_clients.contains_key(&id),
                "OAuth client",
            )?;
            let record = &tenant.oauth_clients[&id];
            let users: Vec<&str> = tenant
                .flows
                .iter()
                .filter(|(_, comps)| comps.contains(&record.component))
                .map(|(flow, _)| flow.as_str())
                .collect();
            if !users.is_empty() && !state.fault(Fault::TenantDeleteWhileUsed) {
                return Err(ApiError::conflict(format!(
                    "the OAuth client is in use: flow(s) {users:?} in this tenant use component {:?}",
                    record.component
                )));
            }
            tenant.oauth_clients.remove(&id);
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// Companion endpoints: components and flows.

fn component_json(id: &str, visible: bool) -> Value {
    json!({ "type": "component", "id": id, "attributes": { "visible": visible } })
}

fn flow_json(id: &str, components: &[String]) -> Value {
    let data: Vec<Value> = components
        .iter()
        .map(|c| json!({ "id": c, "type": "component" }))
        .collect();
    json!({ "type": "flow", "id": id, "relationships": { "components": { "data": data } } })
}

async fn create_component(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Admin, "tenant")?;
    let res = jsonapi::parse_resource(&headers, &body, "component")?;
    let id = res.id.clone().ok_or_else(|| {
        ApiError::bad_request("data.id (the component id) is required").at("/data/id")
    })?;
    let visible = res.boolean("visible")?.unwrap_or(true);
    state
        .management()
        .change(state.store(), |data| {
            let tenant = data.tenant_mut(&tenant_id)?;
            if tenant.components.contains_key(&id) {
                return Err(
                    ApiError::conflict(format!("component {id:?} already exists")).at("/data/id"),
                );
            }
            tenant.components.insert(id.clone(), visible);
            Ok(())
        })
        .await?;
    let location = format!("/v2/tenants/{tenant_id}/components/{id}");
    Ok(jsonapi::created(&location, component_json(&id, visible)))
}

async fn list_components(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Get, "tenant")?;
    let data = state.management().data();
    let tenant = data.tenant(&tenant_id)?;
    let items = tenant
        .components
        .iter()
        .map(|(id, visible)| component_json(id, *visible))
        .collect();
    Ok(jsonapi::document(Value::Array(items)))
}

async fn delete_component(
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Admin, "component")?;
    state
        .management()
        .change(state.store(), |data| {
            let tenant =
                data.tenant_holding(&tenant_id, |t| t.components.contains_key(&id), "component")?;
            if tenant.component_in_use(&id) {
                return Err(ApiError::conflict(format!(
                    "component {id:?} is used by a flow in this tenant"
                )));
            }
            // Its OAuth client, if any, stays (unusable) until removed explicitly.
            tenant.components.remove(&id);
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn create_flow(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Admin, "tenant")?;
    let res = jsonapi::parse_resource(&headers, &body, "flow")?;
    let components = res.to_many("components", "component")?;
    let id = res.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let body = flow_json(&id, &components);
    state
        .management()
        .change(state.store(), |data| {
            let tenant = data.tenant_mut(&tenant_id)?;
            if let Some(unknown) = components
                .iter()
                .find(|c| !tenant.components.contains_key(*c))
            {
                return Err(ApiError::unprocessable(format!(
                    "component {unknown:?} does not exist in this tenant"
                ))
                .at("/data/relationships/components/data"));
            }
            if tenant.flows.contains_key(&id) {
                return Err(
                    ApiError::conflict(format!("flow {id:?} already exists")).at("/data/id")
                );
            }
            tenant.flows.insert(id.clone(), components);
            Ok(())
        })
        .await?;
    Ok(jsonapi::created(
        &format!("/v2/tenants/{tenant_id}/flows/{id}"),
        body,
    ))
}

async fn list_flows(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Get, "tenant")?;
    let data = state.management().data();
    let tenant = data.tenant(&tenant_id)?;
    let items = tenant
        .flows
        .iter()
        .map(|(id, comps)| flow_json(id, comps))
        .collect();
    Ok(jsonapi::document(Value::Array(items)))
}

async fn delete_flow(
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant_id, Permission::Admin, "flow")?;
    state
        .management()
        .change(state.store(), |data| {
            data.tenants
                .get_mut(&tenant_id)
                .and_then(|t| t.flows.remove(&id))
                .ok_or_else(|| ApiError::not_found("flow"))
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
