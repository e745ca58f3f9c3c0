//! The in-memory store: one mutex per table, never held across an `.await`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{Consumed, Store, StoreError};
use crate::crypto::TokenHash;
use crate::model::{AuthCode, Client, GrantId, Millis, TokenRecord, User};
use crate::scope::ScopeSet;

#[derive(Debug)]
pub struct MemoryStore {
    clients: Mutex<HashMap<Arc<str>, Arc<Client>>>,
    users: Mutex<HashMap<String, Arc<User>>>,
    /// code hash → (code, used). A used code keeps only what reuse detection
    /// needs (its client, grant and expiry), so a long exchange run does not
    /// hold every redeemed code's body until it is purged.
    codes: Mutex<HashMap<TokenHash, (AuthCode, bool)>>,
    /// Sharded by the token hash's first byte: a resize of one shard's table
    /// blocks only 1/64 of the traffic, for 1/64 of the time (the p99 under
    /// load was dominated by resizing one big table under one lock).
    tokens: Box<[Mutex<Tokens>]>,
    revoked_grants: Mutex<HashSet<GrantId>>,
    consents: Mutex<HashMap<(String, String), ScopeSet>>,
    max_jti_bytes: usize,
    /// Assertion `jti`s until their expiry, bounded by bytes: an authenticated
    /// client sending hour-long assertions cannot grow it without limit.
    jtis: Mutex<Jtis>,
    management: Mutex<Option<String>>,
}

/// The most bytes of `jti` entries kept (keys and their overhead).
pub const MAX_JTI_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Default)]
struct Jtis {
    map: HashMap<(String, String), Millis>,
    bytes: usize,
}

/// What one `jti` entry costs: its two strings and the table's per-entry overhead.
fn jti_bytes(key: &(String, String)) -> usize {
    key.0.len() + key.1.len() + 96
}

/// Number of token shards.
const SHARDS: usize = 64;

#[derive(Debug, Default)]
struct Tokens {
    by_hash: HashMap<TokenHash, TokenRecord>,
    /// Refresh tokens already rotated out.
    consumed: HashSet<TokenHash>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock cannot leave these maps half-updated (each
    // operation is a single insert/remove), so recover from poisoning.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::with_max_jti_bytes(MAX_JTI_BYTES)
    }

    /// A store whose `jti` table holds at most `max_jti_bytes`
    /// ([`MAX_JTI_BYTES`] by default).
    pub fn with_max_jti_bytes(max_jti_bytes: usize) -> Self {
        Self {
            max_jti_bytes,
            clients: Mutex::default(),
            users: Mutex::default(),
            codes: Mutex::default(),
            tokens: (0..SHARDS).map(|_| Mutex::default()).collect(),
            revoked_grants: Mutex::default(),
            consents: Mutex::default(),
            jtis: Mutex::default(),
            management: Mutex::default(),
        }
    }

    fn shard(&self, hash: &TokenHash) -> &Mutex<Tokens> {
        &self.tokens[usize::from(hash.as_bytes()[0]) % SHARDS]
    }

    /// The record as callers see it: revoked when its grant was revoked.
    fn view(&self, record: &TokenRecord) -> TokenRecord {
        let mut r = record.clone();
        r.revoked |= lock(&self.revoked_grants).contains(&r.grant_id);
        r
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn client(&self, id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        Ok(lock(&self.clients).get(id).cloned())
    }

    async fn put_client(&self, client: Client) -> Result<(), StoreError> {
        lock(&self.clients).insert(client.id.clone(), Arc::new(client));
        Ok(())
    }

    async fn user(&self, username: &str) -> Result<Option<Arc<User>>, StoreError> {
        Ok(lock(&self.users).get(username).cloned())
    }

    async fn put_user(&self, user: User) -> Result<(), StoreError> {
        lock(&self.users).insert(user.username.clone(), Arc::new(user));
        Ok(())
    }

    async fn insert_code(&self, code: AuthCode) -> Result<(), StoreError> {
        lock(&self.codes).insert(code.hash, (code, false));
        Ok(())
    }

    async fn consume_code(&self, hash: &TokenHash) -> Result<Consumed<AuthCode>, StoreError> {
        let mut codes = lock(&self.codes);
        Ok(match codes.get_mut(hash) {
            None => Consumed::Missing,
            Some((code, used)) if *used => Consumed::AlreadyUsed(code.clone()),
            Some((code, used)) => {
                *used = true;
                let spent = AuthCode {
                    hash: code.hash,
                    client_id: code.client_id.clone(),
                    username: String::new(),
                    redirect_uri: None,
                    scope: ScopeSet::default(),
                    challenge: None,
                    expires_at: code.expires_at,
                    grant_id: code.grant_id,
                };
                let fresh = std::mem::replace(code, spent);
                Consumed::Fresh(fresh)
            }
        })
    }

    async fn code(&self, hash: &TokenHash) -> Result<Option<AuthCode>, StoreError> {
        Ok(lock(&self.codes).get(hash).map(|(code, _)| code.clone()))
    }

    async fn insert_tokens(&self, tokens: Vec<TokenRecord>) -> Result<(), StoreError> {
        for token in tokens {
            lock(self.shard(&token.hash))
                .by_hash
                .insert(token.hash, token);
        }
        Ok(())
    }

    async fn token(&self, hash: &TokenHash) -> Result<Option<TokenRecord>, StoreError> {
        let tokens = lock(self.shard(hash));
        Ok(tokens.by_hash.get(hash).map(|r| self.view(r)))
    }

    async fn rotate_refresh_token(
        &self,
        hash: &TokenHash,
        successors: Vec<TokenRecord>,
    ) -> Result<Consumed<TokenRecord>, StoreError> {
        let record = {
            // Lock order: shard, then revoked_grants (inside `view`); never the reverse.
            let mut tokens = lock(self.shard(hash));
            let Some(record) = tokens.by_hash.get(hash).map(|r| self.view(r)) else {
                return Ok(Consumed::Missing);
            };
            if record.revoked || tokens.consumed.contains(hash) {
                return Ok(Consumed::AlreadyUsed(record));
            }
            tokens.consumed.insert(*hash);
            if let Some(r) = tokens.by_hash.get_mut(hash) {
                r.revoked = true;
            }
            record
        };
        // Nothing is lost in memory between the two steps; nobody can present a
        // successor before this call returns it.
        self.insert_tokens(successors).await?;
        Ok(Consumed::Fresh(record))
    }

    async fn revoke_token(&self, hash: &TokenHash) -> Result<bool, StoreError> {
        let mut tokens = lock(self.shard(hash));
        Ok(match tokens.by_hash.get_mut(hash) {
            Some(r) => {
                r.revoked = true;
                true
            }
            None => false,
        })
    }

    async fn revoke_grant(&self, grant: &GrantId) -> Result<(), StoreError> {
        lock(&self.revoked_grants).insert(*grant);
        Ok(())
    }

    async fn consent(
        &self,
        username: &str,
        client_id: &str,
    ) -> Result<Option<ScopeSet>, StoreError> {
        Ok(lock(&self.consents)
            .get(&(username.to_owned(), client_id.to_owned()))
            .cloned())
    }

    async fn put_consent(
        &self,
        username: &str,
        client_id: &str,
        scope: &ScopeSet,
    ) -> Result<(), StoreError> {
        lock(&self.consents).insert((username.to_owned(), client_id.to_owned()), scope.clone());
        Ok(())
    }

    async fn record_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: Millis,
        now: Millis,
    ) -> Result<bool, StoreError> {
        let mut jtis = lock(&self.jtis);
        let key = (client_id.to_owned(), jti.to_owned());
        if jtis.map.contains_key(&key) {
            return Ok(false);
        }
        let size = jti_bytes(&key);
        if jtis.bytes + size > self.max_jti_bytes {
            // Expired entries first; refuse only when live ones fill the table.
            let Jtis { map, bytes } = &mut *jtis;
            map.retain(|k, exp| {
                let keep = *exp > now;
                if !keep {
                    *bytes -= jti_bytes(k);
                }
                keep
            });
            if jtis.bytes + size > self.max_jti_bytes {
                return Err(StoreError::full("the memory store's assertion jti table"));
            }
        }
        jtis.bytes += size;
        jtis.map.insert(key, expires_at);
        Ok(true)
    }

    async fn management_records(&self) -> Result<Option<String>, StoreError> {
        Ok(lock(&self.management).clone())
    }

    async fn save_management_records(&self, document: &str) -> Result<(), StoreError> {
        *lock(&self.management) = Some(document.to_owned());
        Ok(())
    }

    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        let mut purged = 0;
        {
            let mut codes = lock(&self.codes);
            let before = codes.len();
            codes.retain(|_, (c, _)| c.expires_at > now);
            purged += before - codes.len();
        }
        for shard in self.tokens.iter() {
            let mut tokens = lock(shard);
            let Tokens { by_hash, consumed } = &mut *tokens;
            let before = by_hash.len();
            by_hash.retain(|_, t| t.expires_at.is_none_or(|exp| exp > now));
            purged += before - by_hash.len();
            consumed.retain(|h| by_hash.contains_key(h));
        }
        {
            let mut jtis = lock(&self.jtis);
            let Jtis { map, bytes } = &mut *jtis;
            let before = map.len();
            map.retain(|k, exp| {
                let keep = *exp > now;
                if !keep {
                    *bytes -= jti_bytes(k);
                }
                keep
            });
            purged += before - map.len();
        }
        Ok(purged)
    }
}
