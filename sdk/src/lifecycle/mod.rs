//! Token lifecycle: a [`TokenSource`] that caches, refreshes ahead of expiry
//! with single-flight, retries with backoff, corrects clock skew and persists
//! through a [`TokenStore`].

mod retry;
mod source;
mod store;

use std::sync::Arc;

pub use retry::RetryPolicy;
pub use source::{Grant, TokenSource, TokenSourceBuilder};
pub use store::{FileStore, MemoryStore, StoreError, TokenStore};

use crate::error::Error;

/// What a [`TokenSource`] (or the [`AuthorizedClient`](crate::AuthorizedClient))
/// reports. Cheap to clone: every caller waiting on the same refresh gets the
/// same outcome.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The refresh token is dead (`invalid_grant` on refresh, or there is no
    /// token to refresh): the user must run the authorization flow again
    /// (Phabricator: "start the flow again"). Give the source a new token with
    /// [`TokenSource::set_token`].
    #[error("re-authorization required")]
    ReauthorizationRequired {
        /// The token endpoint's answer, when there was one.
        cause: Option<Arc<Error>>,
    },
    /// The token request failed (after the retries the policy allows).
    #[error("token request failed: {0}")]
    Request(Arc<Error>),
    /// The store could not be read or written.
    #[error("token store: {0}")]
    Store(Arc<StoreError>),
}

impl SourceError {
    /// Whether the user must authorize again.
    pub fn is_reauthorization_required(&self) -> bool {
        matches!(self, SourceError::ReauthorizationRequired { .. })
    }
}

impl From<StoreError> for SourceError {
    fn from(e: StoreError) -> Self {
        SourceError::Store(Arc::new(e))
    }
}
