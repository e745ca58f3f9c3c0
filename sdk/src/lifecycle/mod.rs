//! Token lifecycle: a [`TokenSource`] that caches, refreshes ahead of expiry
//! with single-flight, retries with backoff, corrects clock skew and persists
//! through a [`TokenStore`].

#[cfg(feature = "redis")]
mod redis;
mod retry;
mod source;
mod store;

use std::sync::Arc;

#[cfg(feature = "redis")]
pub use redis::{EncryptionKey, RedisStore, RedisStoreBuilder};
pub use retry::RetryPolicy;
pub use source::{Grant, TokenSource, TokenSourceBuilder};
pub use store::{FileStore, Lease, MemoryStore, StoreError, TokenStore, Versioned};

use crate::error::Error;

/// A failed renewal, kept in the source's state and handed to every caller
/// that waited on that renewal (one `Arc`, so cloning is cheap and [`Error`]
/// need not be `Clone`).
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    Reauthorization(Option<Arc<Error>>),
    Renewal(Arc<Error>),
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Reauthorization(cause) => Error::ReauthorizationRequired { cause },
            Failure::Renewal(e) => Error::TokenRenewal(e),
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::TokenStore(Arc::new(e))
    }
}
