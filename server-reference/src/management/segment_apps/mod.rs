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

mod apps;
mod records;
mod sources;
mod validation;

use apps::*;
use records::*;
pub(crate) use records::{Workspace, clients, deleted_grants, from_config};
use sources::*;
use validation::*;

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
pub(super) fn authorize(
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

pub(super) fn connected(ws: &Workspace, app: &str) -> Vec<String> {
    ws.sources
        .values()
        .filter(|s| s.app.as_deref() == Some(app))
        .map(|s| s.id.clone())
        .collect()
}

pub(super) fn view_workspace<T>(
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
pub(super) async fn change_workspace<T>(
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
