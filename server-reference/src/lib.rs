//! A small, correct and fast OAuth 2.0 authorization server that speaks the
//! dialects of GitLab, JetBrains Hub, Phabricator, Segment and elastic.io.
//!
//! - [`app`] builds the axum router from an [`AppState`]; tests call it in-process.
//! - [`spawn`] binds a socket (port 0 works), sets the issuer to the bound address
//!   and serves until the returned [`ServerHandle`] is shut down or dropped.
//! - [`Config::demo`] is the built-in demo fixture (docs/demo-fixture.md).
//!
//! This crate knows nothing of the SDK: it is one of three independent readings of
//! the RFCs (see ARCHITECTURE.md).

pub mod assertion;
pub mod basic;
pub mod bearer;
pub mod bounded;
pub mod client_auth;
pub mod config;
mod connections;
pub mod crypto;
pub mod error;
pub mod faults;
pub mod hashing;
pub mod issuance;
mod management;
pub mod model;
mod pages;
pub mod params;
mod routes;
pub mod scope;
mod server;
pub mod session;
pub mod state;
pub mod store;
pub mod throttle;
pub mod variants;

pub use config::Config;
pub use faults::Fault;
pub use server::{MANAGEMENT_REFRESH, ServerHandle, SpawnError, serve_on, spawn, spawn_with_store};
pub use state::AppState;

/// The router serving every endpoint of every dialect.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}
