//! Segment OAuth apps (the Segment OAuth apps docs; docs/management-apis.md#segment-oauth-apps) under a tenant
//! (Segment's workspace), JSON:API style like the tenant OAuth-clients API:
//!
//! - `GET|POST /v2/tenants/{T}/oauth-apps`, `GET|PATCH|DELETE …/oauth-apps/{APP}`
//!   (type `oauth-app`; attributes `name`, `publicKey` + `publicKeyName` at creation,
//!   `tokenExpirationPeriod` one of 1d 2d 3d 1w 2w 3w 30d, `scopes` a non-empty
//!   array within `tracking_api:write functions:write public_api:read_write`).
//! - `POST …/oauth-apps/{APP}/keys` (type `oauth-app-key`: `name`, `publicKey`) adds
//!   the second key; a third is 409. `DELETE …/keys/{KID}` removes one; the last key
//!   cannot be deleted (409): an app always has a key to authenticate with.
//! - `POST …/oauth-apps/{APP}/token-revocations` (type `token-revocation`, attribute
//!   `token`: the full value) revokes one token of this app: 204. A token that is
//!   unknown or belongs to another client is 404, so an operator pasting the wrong
//!   token learns it was not revoked.
//! - `GET|PATCH /v2/tenants/{T}/sources/{S}` (type `source`): the relationship
//!   `oauthApp` (`{"data": {"id", "type": "oauth-app"}}` connects, `{"data": null}`
//!   disconnects) and the attribute `oauthEnforced`. Enforcement can be enabled only
//!   on a connected source, and a source that enforces OAuth cannot be disconnected
//!   (409 both): an enforcing source always has an app whose tokens it accepts.
//! - `DELETE` of an app with a connected source is 409.
//!
//! A public key must be an RSA public key in SPKI PEM (`-----BEGIN PUBLIC KEY-----`,
//! what `openssl rsa -pubout` writes; Segment signs with RS256); anything else — a
//! private key above all — is 422 and nothing changes. Each app *is* a protocol client in the `Store`:
//! `private_key_jwt`, `client_credentials`, its keys, its scopes, an access-token
//! lifetime of its period; every change is written through at once, in the order of
//! the changes (see `Management::change_and_register`). The `Store` has no deletion,
//! so a deleted app's client is replaced by one with no keys, grants or scopes: it
//! can never authenticate again, and its tokens — all of one grant,
//! `GrantId::of_client` — are revoked. Deleted app ids are remembered, so that start-up
//! can write every app's client (and every tombstone) again from the records.
//!
//! Authorization: an account authenticated as for the other management APIs, whose
//! permissions in the tenant name Segment roles (see `segment_roles`). A tenant the
//! account holds nothing in, and every app or source in it, is 404 — exactly as an
//! absent one.

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::accounts;
use super::jsonapi::{self, ApiError, Resource};
use super::segment_roles::{self, Action};
use crate::config::{Config, KeyConfig, expiration_period_secs};
use crate::crypto::{TokenHash, random_token};
use crate::faults::Fault;
use crate::model::{AuthMethod, Client, GrantId, GrantType, PkcePolicy, RedirectPolicy};
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::StoreError;

/// The scopes an app may hold.
pub(crate) const SCOPES: [&str; 3] = [
    "tracking_api:write",
    "functions:write",
    "public_api:read_write",
];
const PERIODS: &str = "1d 2d 3d 1w 2w 3w 30d";
/// An app holds at most this many public keys.
const MAX_KEYS: usize = 2;

/// One tenant's apps and sources.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Workspace {
    pub(crate) apps: BTreeMap<String, App>,
    pub(crate) sources: BTreeMap<String, Source>,
    /// Ids of deleted apps, whose clients must stay tombstones.
    #[serde(default)]
    deleted: BTreeSet<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct App {
    id: String,
    name: String,
    period: String,
    scopes: Vec<String>,
    keys: Vec<AppKey>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AppKey {
    id: String,
    name: String,
    pem: String,
}

/// The source types OAuth supports (seed: "OAuth only supports server-side
/// sources"; its list of supported sources).
const SERVER_SIDE: [&str; 5] = [
    "http-api",
    "node",
    "public-api",
    "python",
    "source-function",
];

fn http_api() -> String {
    "http-api".to_owned()
}

/// A Segment source: its write key and OAuth settings. `Debug` redacts the
/// write key.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Source {
    pub(crate) id: String,
    pub(crate) write_key: String,
    /// Segment's source type; see [`SERVER_SIDE`].
    #[serde(default = "http_api")]
    pub(crate) kind: String,
    pub(crate) app: Option<String>,
    pub(crate) enforced: bool,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("id", &self.id)
            .field("write_key", &crate::config::redacted(Some(&self.write_key)))
            .field("kind", &self.kind)
            .field("app", &self.app)
            .field("enforced", &self.enforced)
            .finish()
    }
}

/// The workspaces of the configuration's tenants, with their sources.
pub(crate) fn from_config(config: &Config) -> BTreeMap<String, Workspace> {
    config
        .tenants
        .iter()
        .map(|t| {
            let sources = t
                .sources
                .iter()
                .map(|s| {
                    let source = Source {
                        id: s.id.clone(),
                        write_key: s.write_key.clone(),
                        kind: s.kind.clone(),
                        app: None,
                        enforced: false,
                    };
                    (s.id.clone(), source)
                })
                .collect();
            let workspace = Workspace {
                apps: BTreeMap::new(),
                sources,
                deleted: BTreeSet::new(),
            };
            (t.id.clone(), workspace)
        })
        .collect()
}

impl App {
    fn to_json(&self, tenant: &str, connected: &[String]) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| json!({"id": k.id, "name": k.name, "publicKey": k.pem}))
            .collect();
        let sources: Vec<Value> = connected
            .iter()
            .map(|s| json!({"id": s, "type": "source"}))
            .collect();
        json!({
            "id": self.id,
            "type": "oauth-app",
            "attributes": {
                "name": self.name,
                "tokenExpirationPeriod": self.period,
                "scopes": self.scopes,
                "keys": keys,
            },
            "relationships": {"sources": {"data": sources}},
            "links": {"self": format!("/v2/tenants/{tenant}/oauth-apps/{}", self.id)},
        })
    }

    /// The protocol client this app is.
    fn client(&self) -> Result<Client, ApiError> {
        let keys = self
            .keys
            .iter()
            .map(|k| decode(&k.id, &k.pem))
            .collect::<Result<Vec<_>, _>>()?;
        let scopes = ScopeSet::from_iter(self.scopes.iter().cloned());
        Ok(Client {
            id: self.id.as_str().into(),
            name: self.name.clone(),
            secret: None,
            auth_methods: vec![AuthMethod::PrivateKeyJwt],
            grants: vec![GrantType::ClientCredentials],
            redirect_uris: Vec::new(),
            redirect_policy: RedirectPolicy::default(),
            default_scope: scopes.clone(),
            scopes,
            pkce: PkcePolicy::default(),
            allow_plain_pkce: false,
            trusted: false,
            keys,
            access_token_ttl_secs: expiration_period_secs(&self.period),
        })
    }
}

impl Source {
    fn to_json(&self, tenant: &str) -> Value {
        let app = self
            .app
            .as_ref()
            .map(|a| json!({"id": a, "type": "oauth-app"}));
        json!({
            "id": self.id,
            "type": "source",
            "attributes": {"oauthEnforced": self.enforced, "kind": self.kind},
            "relationships": {"oauthApp": {"data": app}},
            "links": {"self": format!("/v2/tenants/{tenant}/sources/{}", self.id)},
        })
    }
}

/// The protocol clients the workspaces' records define: each app's, and a
/// tombstone for each deleted app.
pub(crate) fn clients(
    workspaces: &BTreeMap<String, Workspace>,
) -> impl Iterator<Item = Result<Client, StoreError>> + '_ {
    workspaces.values().flat_map(|ws| {
        let apps = ws.apps.values().map(|a| {
            a.client()
                .map_err(|_| StoreError(format!("saved OAuth app {} has an unreadable key", a.id)))
        });
        apps.chain(ws.deleted.iter().map(|id| Ok(tombstone(id))))
    })
}

/// The grants of the deleted apps' tokens, revoked at deletion and again at
/// start-up (revoking twice is harmless).
pub(crate) fn deleted_grants(
    workspaces: &BTreeMap<String, Workspace>,
) -> impl Iterator<Item = GrantId> + '_ {
    workspaces
        .values()
        .flat_map(|ws| ws.deleted.iter().map(|id| GrantId::of_client(id)))
}

/// The client left behind by a deleted app: nothing it could authenticate with.
fn tombstone(id: &str) -> Client {
    Client {
        id: id.into(),
        name: id.to_owned(),
        secret: None,
        auth_methods: Vec::new(),
        grants: Vec::new(),
        redirect_uris: Vec::new(),
        redirect_policy: RedirectPolicy::default(),
        scopes: ScopeSet::default(),
        default_scope: ScopeSet::default(),
        pkce: PkcePolicy::default(),
        allow_plain_pkce: false,
        trusted: false,
        keys: Vec::new(),
        access_token_ttl_secs: None,
    }
}

/// Only an SPKI public key, as `openssl rsa -pubout` writes it: one PEM block
/// labelled `PUBLIC KEY`, nothing around it. The PEM decoder alone would take a
/// private key too (and derive its public half), and the app's keys are stored
/// and shown to every role that may view the app. Checked on input only, so
/// records saved before the check still load.
fn spki_only(pem: &str) -> Result<(), ApiError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let text = pem.trim();
    let refuse = |detail: &str| {
        Err(ApiError::unprocessable(detail.to_owned()).at("/data/attributes/publicKey"))
    };
    if text.contains("PRIVATE KEY") {
        return refuse(
            "publicKey is a private key; send only its public half \
             (`openssl rsa -in private.pem -pubout -outform PEM`), and treat the private key as exposed",
        );
    }
    if !text.starts_with(BEGIN) || !text.ends_with(END) || text.matches("-----BEGIN").count() != 1 {
        return refuse(
            "publicKey must be exactly one RSA public key in PEM, in SPKI form \
             (-----BEGIN PUBLIC KEY-----), as `openssl rsa -in private.pem -pubout -outform PEM` writes it",
        );
    }
    Ok(())
}

fn decode(kid: &str, pem: &str) -> Result<crate::model::ClientKey, ApiError> {
    KeyConfig {
        kid: kid.to_owned(),
        alg: "RS256".to_owned(),
        public_key_pem: pem.to_owned(),
    }
    .decode()
    .map_err(|_| {
        ApiError::unprocessable(
            "publicKey must be an RSA public key in PEM (-----BEGIN PUBLIC KEY-----), \
             e.g. from `openssl rsa -in private.pem -pubout -outform PEM`",
        )
        .at("/data/attributes/publicKey")
    })
}

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/tenants/{tenant}/oauth-apps", get(list).post(create))
        .route(
            "/v2/tenants/{tenant}/oauth-apps/{app}",
            get(show).patch(update).delete(remove),
        )
        .route("/v2/tenants/{tenant}/oauth-apps/{app}/keys", post(add_key))
        .route(
            "/v2/tenants/{tenant}/oauth-apps/{app}/keys/{key}",
            delete(delete_key),
        )
        .route(
            "/v2/tenants/{tenant}/oauth-apps/{app}/token-revocations",
            post(revoke),
        )
        .route(
            "/v2/tenants/{tenant}/sources/{source}",
            get(show_source).patch(update_source),
        )
}

/// Authenticates and checks `action` in `tenant`; a tenant the account holds nothing
/// in (or that does not exist) is 404.
fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    tenant: &str,
    action: Action,
) -> Result<(), ApiError> {
    let account = accounts::authenticate(state.management().accounts(), headers)?;
    if !account.sees_tenant(tenant) || !state.management().data().segment.contains_key(tenant) {
        return Err(ApiError::not_found("tenant"));
    }
    if !segment_roles::allows(account.permissions(tenant), action)
        && !state.fault(Fault::SegmentRolesIgnored)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "this account's Segment role does not allow it to {}",
                action.name()
            ),
        ));
    }
    Ok(())
}

fn connected(ws: &Workspace, app: &str) -> Vec<String> {
    ws.sources
        .values()
        .filter(|s| s.app.as_deref() == Some(app))
        .map(|s| s.id.clone())
        .collect()
}

fn view_workspace<T>(
    state: &AppState,
    tenant: &str,
    f: impl FnOnce(&Workspace) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let data = state.management().data();
    let ws = data
        .segment
        .get(tenant)
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    f(ws)
}

/// Changes the workspace (durably, see `Management::change_and_register`) and
/// then writes the protocol client `f` returns, if any.
async fn change_workspace<T>(
    state: &AppState,
    tenant: &str,
    f: impl FnOnce(&mut Workspace) -> Result<(T, Option<Client>), ApiError>,
) -> Result<T, ApiError> {
    state
        .management()
        .change_and_register(state.store(), |data| {
            let ws = data
                .segment
                .get_mut(tenant)
                .ok_or_else(|| ApiError::not_found("tenant"))?;
            f(ws)
        })
        .await
}

fn period(res: &Resource, required: bool) -> Result<Option<String>, ApiError> {
    let p = res.string("tokenExpirationPeriod", required)?;
    if let Some(p) = &p
        && expiration_period_secs(p).is_none()
    {
        return Err(ApiError::unprocessable(format!(
            "tokenExpirationPeriod must be one of {PERIODS}, not {p:?}"
        ))
        .at("/data/attributes/tokenExpirationPeriod"));
    }
    Ok(p)
}

fn scopes(res: &Resource, required: bool) -> Result<Option<Vec<String>>, ApiError> {
    let pointer = "/data/attributes/scopes";
    let Some(value) = res.attributes.get("scopes") else {
        return if required {
            Err(ApiError::bad_request("attributes.scopes is required").at(pointer))
        } else {
            Ok(None)
        };
    };
    let Some(items) = value.as_array().filter(|a| !a.is_empty()) else {
        return Err(ApiError::bad_request(
            "attributes.scopes must be a non-empty array of strings",
        )
        .at(pointer));
    };
    let mut out = Vec::new();
    for item in items {
        match item.as_str() {
            Some(s) if SCOPES.contains(&s) => {
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_owned());
                }
            }
            _ => {
                return Err(ApiError::unprocessable(format!(
                    "unsupported scope {item}; supported: {}",
                    SCOPES.join(" ")
                ))
                .at(pointer));
            }
        }
    }
    Ok(Some(out))
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", &random_token()[..22])
}

async fn list(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    view_workspace(&state, &tenant, |ws| {
        let apps: Vec<Value> = ws
            .apps
            .values()
            .map(|a| a.to_json(&tenant, &connected(ws, &a.id)))
            .collect();
        Ok(jsonapi::document(Value::Array(apps)))
    })
}

async fn create(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Create)?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-app")?;
    let name = res.string("name", true)?.unwrap_or_default();
    let pem = res.string("publicKey", true)?.unwrap_or_default();
    let key_name = res.string("publicKeyName", true)?.unwrap_or_default();
    let period = period(&res, true)?.unwrap_or_default();
    let scopes = scopes(&res, true)?.unwrap_or_default();
    let key_id = new_id("key_");
    spki_only(&pem)?;
    decode(&key_id, &pem)?;
    let app = App {
        id: new_id("app_"),
        name,
        period,
        scopes,
        keys: vec![AppKey {
            id: key_id,
            name: key_name,
            pem,
        }],
    };
    let client = app.client()?;
    let body = app.to_json(&tenant, &[]);
    change_workspace(&state, &tenant, |ws| {
        ws.apps.insert(app.id.clone(), app.clone());
        Ok(((), Some(client)))
    })
    .await?;
    Ok(jsonapi::created(
        &format!("/v2/tenants/{tenant}/oauth-apps/{}", app.id),
        body,
    ))
}

async fn show(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    view_workspace(&state, &tenant, |ws| {
        let a = ws
            .apps
            .get(&app)
            .ok_or_else(|| ApiError::not_found("OAuth app"))?;
        Ok(jsonapi::document(a.to_json(&tenant, &connected(ws, &app))))
    })
}

/// Applies `change` to the app, stores the app and its client and returns the
/// response body.
async fn change_app(
    state: &AppState,
    tenant: &str,
    app: &str,
    change: impl FnOnce(&mut App) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    change_workspace(state, tenant, |ws| {
        let updated = ws
            .apps
            .get_mut(app)
            .ok_or_else(|| ApiError::not_found("OAuth app"))?;
        change(updated)?;
        let client = updated.client()?;
        let body = ws.apps[app].to_json(tenant, &connected(ws, app));
        Ok((body, Some(client)))
    })
    .await
}

async fn update(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-app")?;
    if res.id.as_deref().is_some_and(|id| id != app) {
        return Err(ApiError::conflict("data.id must be the app's id").at("/data/id"));
    }
    if let Some(bad) = res
        .attributes
        .keys()
        .find(|k| !["name", "tokenExpirationPeriod", "scopes"].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "attribute {bad:?} cannot be edited here; editable: name, tokenExpirationPeriod, scopes (keys have their own endpoints)"
        ))
        .at(format!("/data/attributes/{bad}")));
    }
    let name = res.string("name", false)?;
    let period = period(&res, false)?;
    let scopes = scopes(&res, false)?;
    let body = change_app(&state, &tenant, &app, |a| {
        if let Some(n) = name {
            a.name = n;
        }
        if let Some(p) = period {
            a.period = p;
        }
        if let Some(s) = scopes {
            a.scopes = s;
        }
        Ok(())
    })
    .await?;
    Ok(jsonapi::document(body))
}

async fn add_key(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let res = jsonapi::parse_resource(&headers, &body, "oauth-app-key")?;
    let name = res.string("name", true)?.unwrap_or_default();
    let pem = res.string("publicKey", true)?.unwrap_or_default();
    let key_id = new_id("key_");
    let body = change_app(&state, &tenant, &app, |a| {
        if a.keys.len() >= MAX_KEYS {
            return Err(ApiError::conflict(format!(
                "an OAuth app holds at most {MAX_KEYS} public keys; delete one first"
            )));
        }
        spki_only(&pem)?;
        decode(&key_id, &pem)?;
        a.keys.push(AppKey {
            id: key_id.clone(),
            name,
            pem,
        });
        Ok(())
    })
    .await?;
    Ok(jsonapi::created(
        &format!("/v2/tenants/{tenant}/oauth-apps/{app}/keys/{key_id}"),
        body,
    ))
}

async fn delete_key(
    State(state): State<AppState>,
    Path((tenant, app, key)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let body = change_app(&state, &tenant, &app, |a| {
        let Some(i) = a.keys.iter().position(|k| k.id == key) else {
            return Err(ApiError::not_found("key"));
        };
        if a.keys.len() == 1 {
            return Err(ApiError::conflict(
                "the last public key of an OAuth app cannot be deleted; add another first",
            ));
        }
        a.keys.remove(i);
        Ok(())
    })
    .await?;
    Ok(jsonapi::document(body))
}

async fn remove(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let ignore_sources = state.fault(Fault::AppDeleteWithConnectedSource);
    change_workspace(&state, &tenant, |ws| {
        if !ws.apps.contains_key(&app) {
            return Err(ApiError::not_found("OAuth app"));
        }
        let sources = connected(ws, &app);
        if !sources.is_empty() && !ignore_sources {
            return Err(ApiError::conflict(format!(
                "disconnect every source from the app first (connected: {})",
                sources.join(", ")
            )));
        }
        ws.apps.remove(&app);
        ws.deleted.insert(app.clone());
        Ok(((), Some(tombstone(&app))))
    })
    .await?;
    // After the tombstone, so no new token can be issued; the grant's revocation
    // also covers a token a request authenticated just before stores later.
    state
        .store()
        .revoke_grant(&GrantId::of_client(&app))
        .await
        .map_err(ApiError::storage)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn revoke(
    State(state): State<AppState>,
    Path((tenant, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::Edit)?;
    let res = jsonapi::parse_resource(&headers, &body, "token-revocation")?;
    let token = res.string("token", true)?.unwrap_or_default();
    view_workspace(&state, &tenant, |ws| {
        ws.apps
            .contains_key(&app)
            .then_some(())
            .ok_or_else(|| ApiError::not_found("OAuth app"))
    })?;
    let hash = TokenHash::of(&token);
    let record = state
        .store()
        .token(&hash)
        .await
        .map_err(ApiError::storage)?;
    if record.is_none_or(|r| *r.client_id != *app) {
        return Err(ApiError::not_found("token of this OAuth app"));
    }
    if state.fault(Fault::AppTokenRevocationIgnored) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    state
        .store()
        .revoke_token(&hash)
        .await
        .map_err(ApiError::storage)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn show_source(
    State(state): State<AppState>,
    Path((tenant, source)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    view_workspace(&state, &tenant, |ws| {
        let s = ws
            .sources
            .get(&source)
            .ok_or_else(|| ApiError::not_found("source"))?;
        Ok(jsonapi::document(s.to_json(&tenant)))
    })
}

async fn update_source(
    State(state): State<AppState>,
    Path((tenant, source)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers, &tenant, Action::View)?;
    let res = jsonapi::parse_resource(&headers, &body, "source")?;
    if let Some(bad) = res.attributes.keys().find(|k| *k != "oauthEnforced") {
        return Err(
            ApiError::bad_request(format!("attribute {bad:?} cannot be edited here"))
                .at(format!("/data/attributes/{bad}")),
        );
    }
    let enforced = res.boolean("oauthEnforced")?;
    // `None`: unchanged; `Some(None)`: disconnect; `Some(Some(id))`: connect.
    let link = match res.relationships.get("oauthApp").map(|r| r.get("data")) {
        None => None,
        Some(Some(Value::Null)) => Some(None),
        Some(_) => Some(res.to_one("oauthApp", "oauth-app", true)?),
    };
    if link.is_none() && enforced.is_none() {
        return Err(ApiError::bad_request(
            "nothing to change: send relationships.oauthApp or attributes.oauthEnforced",
        ));
    }
    if link.is_some() {
        authorize(&state, &headers, &tenant, Action::Connect)?;
    }
    if enforced.is_some() {
        authorize(&state, &headers, &tenant, Action::Enforce)?;
    }
    change_workspace(&state, &tenant, |ws| {
        let mut s = ws
            .sources
            .get(&source)
            .ok_or_else(|| ApiError::not_found("source"))?
            .clone();
        if let Some(link) = link {
            if let Some(id) = &link
                && !ws.apps.contains_key(id)
            {
                return Err(
                    ApiError::not_found("OAuth app").at("/data/relationships/oauthApp/data/id")
                );
            }
            if link.is_some() && !SERVER_SIDE.contains(&s.kind.as_str()) {
                return Err(ApiError::unprocessable(format!(
                    "OAuth supports only server-side sources ({}); this source is {:?}",
                    SERVER_SIDE.join(", "),
                    s.kind
                ))
                .at("/data/relationships/oauthApp"));
            }
            s.app = link;
        }
        if let Some(e) = enforced {
            s.enforced = e;
        }
        if s.enforced && s.app.is_none() {
            return Err(ApiError::conflict(
                "OAuth enforcement needs a connected OAuth app: connect one first, or disable enforcement before disconnecting",
            ));
        }
        let body = s.to_json(&tenant);
        ws.sources.insert(source.clone(), s);
        Ok((jsonapi::document(body), None))
    })
    .await
}
