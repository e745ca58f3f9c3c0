//! The management APIs (docs/management-apis.md): administrator accounts, elastic.io tenant
//! OAuth clients (with the companion components and flows endpoints that exercise
//! their rules) and Hub service registration.
//!
//! Records live in memory, in a [`Management`] owned by the `AppState`, loaded from
//! the configuration's `[[account]]` and `[[tenant]]` tables and then from the
//! records the `Store` saved (a saved tenant replaces the configuration's tenant of
//! the same id). Every change goes through [`Management::change`]: one change at a
//! time, made on a copy, saved whole to the `Store` and only then made visible and
//! acknowledged — so with `--database` an acknowledged change survives a crash, and
//! a change the store refused is answered 500 and not applied. The protocol clients
//! that Hub services and Segment apps register are ordinary `Store` clients.
//!
//! Tenant OAuth-client secrets are third-party credentials the platform must present
//! to the component's provider later, so they cannot be one-way hashed: they are kept
//! as given and are write-only — no response of this API ever contains them.

mod accounts;
mod jsonapi;
mod segment_apps;
mod segment_roles;
mod services;
mod tenant_clients;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use axum::Router;
use axum::routing::any;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::model::Client;
use crate::state::AppState;
use crate::store::{Store, StoreError};
use jsonapi::ApiError;

pub(crate) use accounts::Account;

/// Every management record, behind one lock (never held across an `.await`).
#[derive(Debug)]
pub(crate) struct Management {
    accounts: Vec<Account>,
    data: Mutex<Data>,
    /// Serialises changes; held across the `Store` write.
    writer: tokio::sync::Mutex<()>,
    /// The configuration's records, under which a stored document is laid.
    configured: Data,
    /// The stored document `data` was last loaded from or saved as: with a
    /// shared store, a change is saved only if the stored one is still this.
    seen: Mutex<Option<String>>,
}

/// The records as saved in the `Store`: one JSON document.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Data {
    pub(crate) tenants: BTreeMap<String, Tenant>,
    pub(crate) services: BTreeMap<String, services::Service>,
    /// Segment workspaces (by tenant id): OAuth apps and sources.
    pub(crate) segment: BTreeMap<String, segment_apps::Workspace>,
}

impl Data {
    /// A tenant, or the "not found" that also answers for tenants the caller
    /// cannot see (cross-tenant access looks exactly like absence).
    pub(crate) fn tenant(&self, id: &str) -> Result<&Tenant, jsonapi::ApiError> {
        self.tenants
            .get(id)
            .ok_or_else(|| jsonapi::ApiError::not_found("tenant"))
    }

    /// The tenant holding `what` (checked by `holds`), or "`what` not found" —
    /// for the tenant's absence too.
    pub(crate) fn tenant_holding(
        &mut self,
        id: &str,
        holds: impl FnOnce(&Tenant) -> bool,
        what: &str,
    ) -> Result<&mut Tenant, jsonapi::ApiError> {
        self.tenants
            .get_mut(id)
            .filter(|t| holds(t))
            .ok_or_else(|| jsonapi::ApiError::not_found(what))
    }

    /// As [`Data::tenant`], for changes.
    pub(crate) fn tenant_mut(&mut self, id: &str) -> Result<&mut Tenant, jsonapi::ApiError> {
        self.tenants
            .get_mut(id)
            .ok_or_else(|| jsonapi::ApiError::not_found("tenant"))
    }
}

/// What a tenant owns.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Tenant {
    /// Component id → visible.
    pub(crate) components: BTreeMap<String, bool>,
    /// Flow id → the components it uses.
    pub(crate) flows: BTreeMap<String, Vec<String>>,
    pub(crate) oauth_clients: BTreeMap<String, tenant_clients::TenantClient>,
}

impl Tenant {
    /// Whether any flow of the tenant uses `component`.
    pub(crate) fn component_in_use(&self, component: &str) -> bool {
        self.flows
            .values()
            .any(|c| c.iter().any(|c| c == component))
    }
}

impl Management {
    /// Loads accounts (keys hashed) and tenants from the configuration.
    fn from_config(config: &Config) -> Self {
        let tenants = config
            .tenants
            .iter()
            .map(|t| {
                let tenant = Tenant {
                    components: t
                        .components
                        .iter()
                        .map(|c| (c.id.clone(), c.visible))
                        .collect(),
                    flows: t
                        .flows
                        .iter()
                        .map(|f| (f.id.clone(), f.components.clone()))
                        .collect(),
                    oauth_clients: BTreeMap::new(),
                };
                (t.id.clone(), tenant)
            })
            .collect();
        let configured = Data {
            tenants,
            services: BTreeMap::new(),
            segment: segment_apps::from_config(config),
        };
        Self {
            accounts: config.accounts.iter().map(Account::from_config).collect(),
            data: Mutex::new(configured.clone()),
            writer: tokio::sync::Mutex::new(()),
            configured,
            seen: Mutex::new(None),
        }
    }

    /// The configuration's records overlaid with those `store` saved: a saved
    /// tenant (or workspace, or service) replaces the configured one of the same
    /// id; configured ones the store does not know are kept.
    pub(crate) async fn load(config: &Config, store: &dyn Store) -> Result<Self, StoreError> {
        let mut management = Self::from_config(config);
        if let Some(document) = store.management_records().await? {
            let data = management.data.get_mut().unwrap_or_else(|e| e.into_inner());
            *data = overlay(&management.configured, &document)?;
            *management.seen.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(document);
            // A crash between a saved change and its client write left the client
            // behind: the records are the truth, so write every app's client again.
            for client in segment_apps::clients(&data.segment) {
                store.put_client(client?).await?;
            }
            // Likewise a crash between an app's deletion and its tokens' revocation.
            for grant in segment_apps::deleted_grants(&data.segment) {
                store.revoke_grant(&grant).await?;
            }
            services::restore_trust(&data.services, store).await?;
        }
        Ok(management)
    }

    /// Applies `f` to a copy of the records, saves the copy to `store` and only then
    /// makes it visible. An error from `f` or from the store changes nothing.
    pub(crate) async fn change<T>(
        &self,
        store: &dyn Store,
        f: impl FnOnce(&mut Data) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.change_and_register(store, |data| Ok((f(data)?, None)))
            .await
    }

    /// As [`Management::change`], then writes the protocol client the change
    /// defines (a Hub service's or a Segment app's) to `store` — still one change
    /// at a time, so the stored clients follow the records in the same order. If
    /// that client write fails (or the process dies before it), the records keep
    /// the change, the caller gets a 500, and start-up writes the clients again
    /// from the records (see [`Management::load`]).
    pub(crate) async fn change_and_register<T>(
        &self,
        store: &dyn Store,
        f: impl FnOnce(&mut Data) -> Result<(T, Option<Client>), ApiError>,
    ) -> Result<T, ApiError> {
        let _one_at_a_time = self.writer.lock().await;
        if store.is_shared() {
            // Another instance may have changed the records: change the latest.
            self.refresh(store).await.map_err(ApiError::storage)?;
        }
        let mut next = self.data().clone();
        let (value, client) = f(&mut next)?;
        let document = serde_json::to_string(&next)
            .map_err(|e| ApiError::storage(StoreError(e.to_string())))?;
        let expected = self.seen().clone();
        let saved = store
            .replace_management_records(expected.as_deref(), &document)
            .await
            .map_err(ApiError::storage)?;
        if !saved {
            // Another instance saved in between: nothing of this change was
            // made; the caller may try again (on the records as they are now).
            return Err(ApiError::storage(StoreError::unavailable(
                "the management records changed on another instance",
            )));
        }
        *self.seen() = Some(document);
        *self.data() = next;
        if let Some(client) = client {
            store.put_client(client).await.map_err(ApiError::storage)?;
        }
        Ok(value)
    }

    /// Loads the records again if the stored document is not the one last seen
    /// (another instance on a shared store changed them). A no-op read for a
    /// store of one process, whose document only this process writes.
    pub(crate) async fn refresh(&self, store: &dyn Store) -> Result<(), StoreError> {
        let stored = store.management_records().await?;
        if stored == *self.seen() {
            return Ok(());
        }
        if let Some(document) = &stored {
            *self.data() = overlay(&self.configured, document)?;
        }
        *self.seen() = stored;
        Ok(())
    }

    fn seen(&self) -> MutexGuard<'_, Option<String>> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The records; a poisoned lock is recovered (every mutation validates first and
    /// then changes the maps in one step, so no half-made change can be observed).
    pub(crate) fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The configuration's records overlaid with a stored document: a saved tenant
/// (or workspace, or service) replaces the configured one of the same id.
fn overlay(configured: &Data, document: &str) -> Result<Data, StoreError> {
    let saved: Data = serde_json::from_str(document)
        .map_err(|e| StoreError(format!("unreadable management records: {e}")))?;
    let mut data = configured.clone();
    data.tenants.extend(saved.tenants);
    data.services.extend(saved.services);
    data.segment.extend(saved.segment);
    Ok(data)
}

/// The management endpoints, merged into the server's router. Every answer under
/// their prefixes, an unknown path or a rejected request included, is JSON:API.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(tenant_clients::router())
        .merge(services::router())
        .merge(segment_apps::router())
        .route("/v2/{*rest}", any(jsonapi::no_such_endpoint))
        .route("/api/rest/{*rest}", any(jsonapi::no_such_endpoint))
        .layer(axum::middleware::map_response(jsonapi::errors_as_documents))
}
