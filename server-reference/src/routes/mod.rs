//! One module per endpoint family, each with its own `router()`, merged here.

mod authorize;
mod introspect;
mod metadata;
mod resource;
mod revoke;
mod token;
mod tokeninfo;
mod track;

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::state::AppState;

/// Every endpoint of every dialect (docs/dialects.md#endpoints), served at once.
pub(crate) fn router(state: AppState) -> Router {
    let limit = state.settings().max_body_bytes;
    Router::new()
        .merge(authorize::router())
        .merge(token::router())
        .merge(revoke::router())
        .merge(introspect::router())
        .merge(tokeninfo::router())
        .merge(metadata::router())
        .merge(resource::router())
        .merge(crate::management::router())
        .merge(track::router())
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}
