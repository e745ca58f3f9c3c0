//! Storage behind a trait, so the in-memory store (default), the durable one
//! (SQLite) and the shared one (PostgreSQL, for several server instances) serve
//! the same endpoints and pass the same tests.
//!
//! Every operation that must be single-use (codes, refresh tokens, assertion `jti`s)
//! is one atomic call here, so race safety does not depend on the caller.

mod memory;
mod postgres;
mod rows;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

pub use memory::{MAX_JTI_BYTES, MemoryStore};
pub use postgres::{PostgresStore, redact_url};
pub use sqlite::SqliteStore;

use crate::crypto::TokenHash;
use crate::model::{AuthCode, Client, GrantId, Millis, TokenRecord, User};
use crate::scope::ScopeSet;

/// A storage failure. Never caused by client input; answered with `server_error`
/// (500), except a bounded table that is full ([`StoreError::full`]): a bound
/// reached, answered 503 `temporarily_unavailable` with `Retry-After`.
#[derive(Debug, thiserror::Error)]
#[error("storage failure: {0}")]
pub struct StoreError(pub String);

/// How a full table's message begins ([`StoreError::is_full`]).
const FULL: &str = "table full: ";
/// Marks the message of a [`StoreError::unavailable`]. A marker in the text
/// rather than a second field keeps `StoreError(String)` constructible as it
/// always was.
const UNAVAILABLE: &str = "storage unavailable: ";

impl StoreError {
    /// A bounded table has no room for a live entry (the memory store's
    /// assertion `jti` table): a bound was reached, nothing failed.
    pub fn full(table: &str) -> Self {
        Self(format!("{FULL}{table}"))
    }

    pub fn is_full(&self) -> bool {
        self.0.starts_with(FULL)
    }

    /// The store cannot be reached now (a lost database connection): the
    /// request is not acknowledged and may be retried (a write cut off before
    /// its commit is rolled back by the database; one cut off during it may
    /// have committed, and a retried single-use request then finds it used).
    /// Endpoints answer 503 with `Retry-After` instead of 500.
    pub fn unavailable(detail: impl std::fmt::Display) -> Self {
        Self(format!("{UNAVAILABLE}{detail}"))
    }

    /// Whether this is [`StoreError::unavailable`].
    pub fn is_unavailable(&self) -> bool {
        self.0.starts_with(UNAVAILABLE)
    }
}

/// The outcome of consuming a single-use artifact.
#[derive(Debug, Clone)]
pub enum Consumed<T> {
    /// First use: the caller owns it now.
    Fresh(T),
    /// Used before: a replay. The record tells which grant to revoke; of a used
    /// code a store may keep only the client, grant and expiry.
    AlreadyUsed(T),
    /// Never issued (or purged).
    Missing,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn client(&self, id: &str) -> Result<Option<Arc<Client>>, StoreError>;
    async fn put_client(&self, client: Client) -> Result<(), StoreError>;
    async fn user(&self, username: &str) -> Result<Option<Arc<User>>, StoreError>;
    async fn put_user(&self, user: User) -> Result<(), StoreError>;

    async fn insert_code(&self, code: AuthCode) -> Result<(), StoreError>;
    /// Atomically marks a code used; exactly one caller ever sees `Fresh`.
    async fn consume_code(&self, hash: &TokenHash) -> Result<Consumed<AuthCode>, StoreError>;
    /// A code without consuming it (used or not), so the token endpoint can refuse
    /// a code presented by another client without burning it for its own.
    async fn code(&self, hash: &TokenHash) -> Result<Option<AuthCode>, StoreError>;

    /// Stores tokens issued together (an access token and its refresh token) in
    /// one step: all of them are acknowledged, or none is.
    async fn insert_tokens(&self, tokens: Vec<TokenRecord>) -> Result<(), StoreError>;
    async fn insert_token(&self, token: TokenRecord) -> Result<(), StoreError> {
        self.insert_tokens(vec![token]).await
    }
    /// A token by hash. `revoked` is true when the token or its grant was revoked.
    async fn token(&self, hash: &TokenHash) -> Result<Option<TokenRecord>, StoreError>;
    /// Rotates a refresh token in one atomic step: retires it (consumed and
    /// revoked) and stores `successors`. Exactly one caller sees `Fresh`; a token
    /// already retired or revoked is `AlreadyUsed` and nothing is stored. A durable
    /// store commits both halves in one transaction, so a crash never loses the
    /// newest acknowledged refresh token of a chain.
    async fn rotate_refresh_token(
        &self,
        hash: &TokenHash,
        successors: Vec<TokenRecord>,
    ) -> Result<Consumed<TokenRecord>, StoreError>;
    /// Revokes one token. Returns whether it existed.
    async fn revoke_token(&self, hash: &TokenHash) -> Result<bool, StoreError>;
    /// Revokes every token of a grant, including tokens inserted later (a racing
    /// exchange cannot outlive the revocation).
    async fn revoke_grant(&self, grant: &GrantId) -> Result<(), StoreError>;

    /// The scopes a user already granted a client (remembered consent).
    async fn consent(
        &self,
        username: &str,
        client_id: &str,
    ) -> Result<Option<ScopeSet>, StoreError>;
    async fn put_consent(
        &self,
        username: &str,
        client_id: &str,
        scope: &ScopeSet,
    ) -> Result<(), StoreError>;

    /// Records a client assertion's `jti` until `expires_at`. Returns `false` when it
    /// was already recorded and has not expired (a replay, RFC 7523 §3). `now`
    /// lets a bounded store drop expired entries before it refuses a new one.
    async fn record_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: Millis,
        now: Millis,
    ) -> Result<bool, StoreError>;

    /// The management records last saved, as one JSON document.
    async fn management_records(&self) -> Result<Option<String>, StoreError>;
    /// Replaces the saved management records. The caller serialises its changes
    /// (one writer at a time) and acknowledges one only after this returned, so an
    /// acknowledged change survives a crash of a durable store.
    async fn save_management_records(&self, document: &str) -> Result<(), StoreError>;
    /// Replaces the saved management records only if they still are `expected`
    /// (`None`: none saved yet); returns whether it did. A store that several
    /// processes share decides this in one conditional statement, so a change
    /// made on stale records never overwrites another instance's; a store of one
    /// process (whose changes the caller already serialises) just saves.
    async fn replace_management_records(
        &self,
        _expected: Option<&str>,
        document: &str,
    ) -> Result<bool, StoreError> {
        self.save_management_records(document).await?;
        Ok(true)
    }

    /// Whether other server processes may change this store's records (the
    /// PostgreSQL store): what this process keeps in memory must then be
    /// checked against the store.
    fn is_shared(&self) -> bool {
        false
    }

    /// Drops expired codes, tokens and `jti`s. Returns how many records went.
    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError>;

    /// Called at a clean shutdown, after the last request: leaves the store's
    /// file complete on its own (SQLite: the WAL checkpointed into the database
    /// and truncated), so a copy of that one file is a full backup.
    async fn checkpoint(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
