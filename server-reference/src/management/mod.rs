//! The management APIs of SPEC §2.3: administrator accounts, elastic.io tenant
//! OAuth clients (with the companion components and flows endpoints that exercise
//! their rules) and Hub service registration.
//!
//! Records live in memory, in a [`Management`] owned by the `AppState`, loaded from
//! the configuration's `[[account]]` and `[[tenant]]` tables at start-up. They do
//! not go through the `Store` trait yet, so they do not survive a restart even with
//! `--database` (durable management records are follow-up work). Hub services are
//! the exception in part: the protocol client each one registers *is* put in the
//! `Store`, so it authenticates and obtains tokens like any other client.
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

use crate::config::Config;
use crate::state::AppState;

pub(crate) use accounts::Account;

/// Every management record, behind one lock (never held across an `.await`).
#[derive(Debug)]
pub(crate) struct Management {
    accounts: Vec<Account>,
    data: Mutex<Data>,
}

#[derive(Debug, Default)]
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

    /// As [`Data::tenant`], for changes.
    pub(crate) fn tenant_mut(&mut self, id: &str) -> Result<&mut Tenant, jsonapi::ApiError> {
        self.tenants
            .get_mut(id)
            .ok_or_else(|| jsonapi::ApiError::not_found("tenant"))
    }
}

/// What a tenant owns.
#[derive(Debug, Default)]
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
    pub(crate) fn from_config(config: &Config) -> Self {
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
        Self {
            accounts: config.accounts.iter().map(Account::from_config).collect(),
            data: Mutex::new(Data {
                tenants,
                services: BTreeMap::new(),
                segment: segment_apps::from_config(config),
            }),
        }
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

/// The management endpoints, merged into the server's router.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(tenant_clients::router())
        .merge(services::router())
        .merge(segment_apps::router())
}
