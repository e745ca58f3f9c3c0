//! Hub service registration (the JetBrains Hub OAuth 2.0 docs): `POST /api/rest/services`
//! registers a real protocol client in the `Store`, so the returned id and secret
//! work at once at `/api/rest/oauth2/auth` and `/api/rest/oauth2/token`.
//!
//! - Authentication: an administrator account (HTTP Basic `{EMAIL}:{APIKEY}`) holding
//!   `*` in at least one tenant; others get 403. Services are not tenant-scoped.
//! - `?fields=id,secret` selects the returned fields (unknown names: 400). Without it
//!   the registration answer carries every field, the secret included: it is shown
//!   this once. `GET /api/rest/services/{id}` never returns it (asking is a 400).
//! - The client: confidential, `client_secret_basic` and `client_secret_post`,
//!   grants `client_credentials`, `refresh_token` and `password`, plus
//!   `authorization_code` and `implicit` (browser flows) when `redirectUris` is
//!   not empty (Hub's table of flows); scopes `api read_user`; secret stored as
//!   a hash.
//! - Trust: `PATCH /api/rest/services/{id}` with `{"trusted": true|false}` (the only
//!   editable member). A trusted service's users are not asked for consent.
//! - Errors use the JSON:API error objects of the tenant API.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use url::Url;

use super::accounts;
use super::jsonapi::{self, ApiError};
use crate::crypto::{TokenHash, random_token};
use crate::faults::Fault;
use crate::model::{AuthMethod, Client, GrantType, PkcePolicy, RedirectPolicy};
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::{Store, StoreError};

const FIELDS: [&str; 9] = [
    "id",
    "secret",
    "name",
    "homeUrl",
    "redirectUris",
    "applicationName",
    "vendor",
    "version",
    "trusted",
];

/// A registered Hub service (its secret lives only as a hash, in the `Store`).
/// `Debug` redacts `leaked_secret`.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Service {
    id: String,
    name: String,
    home_url: Option<String>,
    redirect_uris: Vec<String>,
    application_name: Option<String>,
    vendor: Option<String>,
    version: Option<String>,
    trusted: bool,
    /// Kept only under the `service-secret-returned` fault, to break the rule;
    /// never saved.
    #[serde(skip)]
    leaked_secret: Option<String>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let leaked = crate::config::redacted(self.leaked_secret.as_deref());
        f.debug_struct("Service")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("home_url", &self.home_url)
            .field("redirect_uris", &self.redirect_uris)
            .field("application_name", &self.application_name)
            .field("vendor", &self.vendor)
            .field("version", &self.version)
            .field("trusted", &self.trusted)
            .field("leaked_secret", &leaked)
            .finish()
    }
}

impl Service {
    fn to_json(&self, secret: Option<&str>, fields: &[String]) -> Value {
        let all = json!({
            "id": self.id,
            "secret": secret,
            "name": self.name,
            "homeUrl": self.home_url,
            "redirectUris": self.redirect_uris,
            "applicationName": self.application_name,
            "vendor": self.vendor,
            "version": self.version,
            "trusted": self.trusted,
        });
        let mut out = Map::new();
        for f in FIELDS {
            let wanted = if fields.is_empty() {
                f != "secret" || secret.is_some()
            } else {
                fields.iter().any(|w| w == f)
            };
            if wanted {
                out.insert(f.to_owned(), all[f].clone());
            }
        }
        Value::Object(out)
    }
}

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/rest/services", post(register))
        .route("/api/rest/services/{id}", get(show).patch(update))
}

fn admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let account = accounts::authenticate(state.management().accounts(), headers)?;
    if !account.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "administering services needs an account holding \"*\" in a tenant",
        ));
    }
    Ok(())
}

/// `?fields=a,b`: the selected names, checked.
fn fields(query: Option<String>, allow_secret: bool) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if name != "fields" {
            continue;
        }
        for f in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if !FIELDS.contains(&f) {
                return Err(ApiError::bad_request(format!(
                    "unknown field {f:?} in `fields`; known: {}",
                    FIELDS.join(",")
                )));
            }
            if f == "secret" && !allow_secret {
                return Err(ApiError::bad_request(
                    "the secret is returned only once, at registration",
                ));
            }
            out.push(f.to_owned());
        }
    }
    Ok(out)
}

/// The body as a JSON object with only `allowed` members.
fn json_object(
    headers: &HeaderMap,
    body: &[u8],
    allowed: &[&str],
) -> Result<Map<String, Value>, ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media_type.as_deref() != Some("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    };
    if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown member {unknown:?}; allowed: {}",
            allowed.join(", ")
        )));
    }
    Ok(map)
}

fn opt_string(map: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{name} must be a string"))),
    }
}

fn absolute_url(name: &str, s: &str) -> Result<(), ApiError> {
    let url = Url::parse(s)
        .map_err(|e| ApiError::bad_request(format!("{name}: {s:?} is not an absolute URL: {e}")))?;
    if url.fragment().is_some() {
        return Err(ApiError::bad_request(format!(
            "{name}: {s:?} must not have a fragment"
        )));
    }
    Ok(())
}

async fn register(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    admin(&state, &headers)?;
    let fields = fields(query, true)?;
    let map = json_object(
        &headers,
        &body,
        &[
            "name",
            "homeUrl",
            "redirectUris",
            "applicationName",
            "vendor",
            "version",
        ],
    )?;
    let name = opt_string(&map, "name")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("name is required"))?;
    let home_url = opt_string(&map, "homeUrl")?;
    if let Some(u) = &home_url {
        absolute_url("homeUrl", u)?;
    }
    let redirect_uris: Vec<String> = match map.get("redirectUris") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                let s = v.as_str().ok_or_else(|| {
                    ApiError::bad_request("redirectUris must be an array of strings")
                })?;
                absolute_url("redirectUris", s)?;
                Ok(s.to_owned())
            })
            .collect::<Result<_, ApiError>>()?,
        Some(_) => return Err(ApiError::bad_request("redirectUris must be an array")),
    };
    let service = Service {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        home_url,
        redirect_uris,
        application_name: opt_string(&map, "applicationName")?,
        vendor: opt_string(&map, "vendor")?,
        version: opt_string(&map, "version")?,
        trusted: false,
        leaked_secret: None,
    };
    let secret = random_token();
    // Hub's table of flows: code and implicit (browser flows, so only with a
    // redirect URI), refresh, client credentials and password.
    let mut grants = vec![
        GrantType::ClientCredentials,
        GrantType::RefreshToken,
        GrantType::Password,
    ];
    if !service.redirect_uris.is_empty() {
        grants.splice(0..0, [GrantType::AuthorizationCode, GrantType::Implicit]);
    }
    let scopes = ScopeSet::from_iter(["api", "read_user"]);
    let client = Client {
        id: service.id.as_str().into(),
        name: service.name.clone(),
        secret: Some(TokenHash::of(&secret)),
        auth_methods: vec![AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost],
        grants,
        redirect_uris: service.redirect_uris.clone(),
        redirect_policy: RedirectPolicy::Exact,
        default_scope: scopes.clone(),
        scopes,
        pkce: PkcePolicy::Optional,
        allow_plain_pkce: false,
        trusted: false,
        keys: Vec::new(),
        access_token_ttl_secs: None,
    };
    state
        .store()
        .put_client(client)
        .await
        .map_err(ApiError::storage)?;
    let body = service.to_json(Some(&secret), &fields);
    let mut service = service;
    if state.fault(Fault::ServiceSecretReturned) {
        service.leaked_secret = Some(secret);
    }
    state
        .management()
        .change(state.store(), |data| {
            data.services.insert(service.id.clone(), service);
            Ok(())
        })
        .await?;
    Ok(jsonapi::respond(StatusCode::CREATED, &body))
}

/// Makes each service's stored client carry the record's `trusted` flag (a crash
/// between a saved change and its client write may have left the old one).
pub(crate) async fn restore_trust(
    services: &BTreeMap<String, Service>,
    store: &dyn Store,
) -> Result<(), StoreError> {
    for service in services.values() {
        if let Some(client) = store.client(&service.id).await?
            && client.trusted != service.trusted
        {
            let mut client = (*client).clone();
            client.trusted = service.trusted;
            store.put_client(client).await?;
        }
    }
    Ok(())
}

fn lookup(state: &AppState, id: &str) -> Result<Service, ApiError> {
    state
        .management()
        .data()
        .services
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("service"))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    admin(&state, &headers)?;
    let fields = fields(query, false)?;
    let service = lookup(&state, &id)?;
    Ok(jsonapi::respond(
        StatusCode::OK,
        &service.to_json(service.leaked_secret.as_deref(), &fields),
    ))
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    admin(&state, &headers)?;
    let map = json_object(&headers, &body, &["trusted"])?;
    let trusted = match map.get("trusted") {
        Some(Value::Bool(b)) => *b,
        _ => return Err(ApiError::bad_request("trusted (true or false) is required")),
    };
    lookup(&state, &id)?;
    let client = state
        .store()
        .client(&id)
        .await
        .map_err(ApiError::storage)?
        .ok_or_else(|| ApiError::not_found("service"))?;
    let mut client = (*client).clone();
    client.trusted = trusted;
    let body = state
        .management()
        .change_and_register(state.store(), |data| {
            let service = data
                .services
                .get_mut(&id)
                .ok_or_else(|| ApiError::not_found("service"))?;
            service.trusted = trusted;
            Ok((service.to_json(None, &[]), Some(client)))
        })
        .await?;
    Ok(jsonapi::respond(StatusCode::OK, &body))
}
