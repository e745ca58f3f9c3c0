//! [`RedisStore`]: one token shared by every replica of an application.
//!
//! The client is the `redis` crate with its tokio [`ConnectionManager`]: it is
//! the maintained Rust client, runs on the tokio runtime the SDK already uses,
//! and the manager is one multiplexed connection that is cheap to clone and
//! reconnects by itself after Redis restarts, so a store survives an outage
//! without the application rebuilding it. Lua scripts (`EVALSHA`, loaded on
//! first use) make each compare-and-swap one atomic step in Redis. TLS
//! (`rediss://`) uses rustls, which the SDK compiles in for HTTPS anyway.

use std::sync::Arc;
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::Grant;
use super::store::{Document, Lease, StoreError, TokenStore, Versioned, fence};
use crate::token::Token;
use crate::types::ClientId;

/// A [`TokenStore`] in Redis, shared by any number of
/// [`TokenSource`](crate::TokenSource)s in any number of processes: one
/// token endpoint request per renewal across all of them, and a rotated
/// refresh token is never used twice.
///
/// - The token is a hash `{v: version, d: document}` at
///   `<prefix>:{<client>:<grant>:<name>}:token`, one per client, grant and
///   name (the user, or the set of scopes, when a client has several tokens).
///   Saves are a Lua compare-and-swap on `v`, so a writer that lost its lease
///   cannot overwrite a newer token ([`StoreError::Conflict`]). A version
///   starts at a random number, so one seen before a Redis restart is not
///   mistaken for one written after it.
/// - The refresh lease is `…:lease`, set with `SET NX PX <ttl>` to a random
///   fencing value and given back with a Lua compare-and-delete of that
///   value, so a holder whose lease expired cannot delete its successor's.
///   While its refresh runs, the holder extends the lease every third of its
///   TTL (a Lua compare-and-`PEXPIRE`), so a slow refresh keeps it; a holder
///   that dies gives it back through its TTL (default 30 s).
/// - With an [`EncryptionKey`] the document is encrypted with AES-256-GCM
///   (a random 96-bit nonce per write; the key id and the Redis key are the
///   associated data, so a value copied to another key or read with another
///   key fails). Plaintext values are then refused.
/// - A Redis that does not answer gives [`StoreError::Unavailable`]
///   (retryable; [`Error::is_retryable`](crate::Error::is_retryable) says so
///   through the source's error), and the connection is re-established in
///   the background.
///
/// Needs the `redis` feature of `oauth-sdk`.
///
/// ```no_run
/// # async fn demo(client: oauth_sdk::Client) -> oauth_sdk::Result<()> {
/// use oauth_sdk::{EncryptionKey, Grant, RedisStore, TokenSource};
///
/// // 32 bytes from your secret manager; the id names it in each value.
/// let key = EncryptionKey::new("2026-01", [7u8; 32]);
/// let store = RedisStore::builder("redis://127.0.0.1:6379/0", client.client_id(), Grant::ClientCredentials)
///     .encryption_key(key)
///     .connect()
///     .await?;
/// let source = TokenSource::client_credentials(client)
///     .store(store)
///     .build()
///     .await?;
/// let _token = source.access_token().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    /// The URL without its password, for messages.
    server: Arc<str>,
    namespace: Arc<Namespace>,
    lease_ttl: Duration,
    timeout: Duration,
    key: Option<EncryptionKey>,
}

#[derive(Debug)]
struct Namespace {
    prefix: String,
    client: String,
    grant: &'static str,
    token: String,
    lease: String,
}

impl Namespace {
    fn new(prefix: &str, client: &str, grant: &'static str, name: &str) -> Self {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let base = format!("{}:{{{}:{grant}:{}}}", enc(prefix), enc(client), enc(name));
        Namespace {
            prefix: prefix.to_owned(),
            client: client.to_owned(),
            grant,
            token: format!("{base}:token"),
            lease: format!("{base}:lease"),
        }
    }
}

/// Builds a [`RedisStore`] ([`RedisStore::builder`]).
#[derive(Debug)]
#[must_use = "call .connect().await"]
pub struct RedisStoreBuilder {
    url: String,
    client: String,
    grant: &'static str,
    name: String,
    prefix: String,
    lease_ttl: Duration,
    timeout: Duration,
    key: Option<EncryptionKey>,
}

/// An AES-256 key for tokens at rest, with the id stored beside each value.
/// Its `Debug` shows the id only.
#[derive(Clone)]
pub struct EncryptionKey {
    id: Arc<str>,
    cipher: Arc<Aes256Gcm>,
}

impl EncryptionKey {
    /// A key named `id` (any string; stored in clear with each value).
    pub fn new(id: impl Into<String>, key: [u8; 32]) -> Self {
        let id: String = id.into();
        Self {
            id: id.into(),
            cipher: Arc::new(Aes256Gcm::new(&key.into())),
        }
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn aad(&self, redis_key: &str) -> Vec<u8> {
        let mut aad = b"oauth-sdk token v1\0".to_vec();
        aad.extend_from_slice(self.id.as_bytes());
        aad.push(0);
        aad.extend_from_slice(redis_key.as_bytes());
        aad
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// An encrypted value: `{"enc": "A256GCM", "kid": ..., "nonce": ..., "ct": ...}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope {
    enc: String,
    kid: String,
    nonce: String,
    ct: String,
}

const ALG: &str = "A256GCM";

/// `KEYS[1]` token; `ARGV`: expected version (`""`: any), document, first
/// version. Returns `{1, new version}` or `{0, found version}`. Numbers go
/// back to Redis through `%d`, as Lua's own number-to-string conversion keeps
/// only 14 digits.
const SAVE: &str = r"
local cur = tonumber(redis.call('HGET', KEYS[1], 'v')) or 0
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= cur then
  return {0, cur}
end
local nv = cur + 1
if cur == 0 then nv = tonumber(ARGV[3]) end
redis.call('HSET', KEYS[1], 'v', string.format('%d', nv), 'd', ARGV[2])
return {1, nv}
";

/// `KEYS[1]` lease, `ARGV[1]` fencing value, `ARGV[2]` TTL in ms: extend
/// only one's own lease.
const EXTEND: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// `KEYS[1]` lease, `ARGV[1]` fencing value: delete only one's own lease.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

impl RedisStore {
    /// A store for the token of `client_id` with `grant` at the Redis `url`
    /// (`redis://[user:password@]host:port/db`, or `rediss://` for TLS).
    pub fn builder(url: &str, client_id: &ClientId, grant: Grant) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.to_owned(),
            client: client_id.as_str().to_owned(),
            grant: grant_name(grant),
            name: "default".to_owned(),
            prefix: "oauth-sdk".to_owned(),
            lease_ttl: Duration::from_secs(30),
            timeout: Duration::from_secs(2),
            key: None,
        }
    }

    /// The same store (connection, key, settings) for another token of the
    /// same client and grant, e.g. another user's.
    pub fn with_name(&self, name: &str) -> RedisStore {
        let ns = &self.namespace;
        RedisStore {
            namespace: Arc::new(Namespace::new(&ns.prefix, &ns.client, ns.grant, name)),
            ..self.clone()
        }
    }

    /// The Redis key holding the token.
    pub fn token_key(&self) -> &str {
        &self.namespace.token
    }

    /// The Redis key holding the refresh lease.
    pub fn lease_key(&self) -> &str {
        &self.namespace.lease
    }

    fn unavailable(&self, e: &redis::RedisError) -> StoreError {
        StoreError::Unavailable {
            reason: format!("redis at {}: {e}", self.server),
        }
    }

    /// Runs one Redis call, bounded by the store's timeout.
    async fn call<T>(
        &self,
        f: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.timeout, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.unavailable(&e)),
            Err(_) => Err(StoreError::Unavailable {
                reason: format!(
                    "redis at {}: no answer within {:?}",
                    self.server, self.timeout
                ),
            }),
        }
    }

    /// Runs a lease script (`RELEASE`, `EXTEND`): lease key, fencing value,
    /// TTL in milliseconds.
    async fn if_fence_matches(
        &self,
        script: &redis::Script,
        lease: &Lease,
    ) -> Result<i64, StoreError> {
        let mut conn = self.conn.clone();
        self.call(
            script
                .key(&self.namespace.lease)
                .arg(lease.fence())
                .arg(self.ttl_ms())
                .invoke_async(&mut conn),
        )
        .await
    }

    fn ttl_ms(&self) -> u64 {
        u64::try_from(self.lease_ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn unreadable(&self, reason: &str) -> StoreError {
        StoreError::Unreadable {
            key: self.namespace.token.clone(),
            reason: reason.to_owned(),
        }
    }

    fn encode(&self, token: &Token) -> Result<String, StoreError> {
        let doc = serde_json::to_string(&Document::new(token, None))
            .map_err(|_| self.unreadable("cannot encode"))?;
        let Some(key) = &self.key else {
            return Ok(doc);
        };
        let nonce: [u8; 12] = rand::random();
        let aad = key.aad(&self.namespace.token);
        let ct = key
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: doc.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| self.unreadable("encryption failed"))?;
        serde_json::to_string(&Envelope {
            enc: ALG.to_owned(),
            kid: key.id.to_string(),
            nonce: B64.encode(nonce),
            ct: B64.encode(ct),
        })
        .map_err(|_| self.unreadable("cannot encode"))
    }

    fn decode(&self, value: &[u8]) -> Result<Token, StoreError> {
        let envelope = serde_json::from_slice::<Envelope>(value).ok();
        let plain = match (&self.key, envelope) {
            (None, None) => value.to_vec(),
            (None, Some(_)) => return Err(self.unreadable("encrypted, and no key was given")),
            (Some(_), None) => {
                return Err(self.unreadable("not encrypted, and this store requires encryption"));
            }
            (Some(key), Some(env)) => {
                if env.enc != ALG {
                    return Err(self.unreadable("unknown encryption"));
                }
                if env.kid != *key.id {
                    return Err(self.unreadable("encrypted with another key id"));
                }
                let nonce: [u8; 12] = B64
                    .decode(&env.nonce)
                    .ok()
                    .and_then(|n| n.try_into().ok())
                    .ok_or_else(|| self.unreadable("bad nonce"))?;
                let ct = B64
                    .decode(&env.ct)
                    .map_err(|_| self.unreadable("bad ciphertext"))?;
                let aad = key.aad(&self.namespace.token);
                key.cipher
                    .decrypt(
                        &Nonce::from(nonce),
                        Payload {
                            msg: &ct,
                            aad: &aad,
                        },
                    )
                    .map_err(|_| self.unreadable("decryption failed (wrong key, or moved value)"))?
            }
        };
        match Document::parse(&plain) {
            Ok((token, _)) => Ok(token),
            Err(Ok(reason)) => Err(self.unreadable(reason)),
            Err(Err(version)) => Err(self.unreadable(&format!("unsupported version {version}"))),
        }
    }
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.server)
            .field("token_key", &self.namespace.token)
            .field("lease_ttl", &self.lease_ttl)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

fn grant_name(grant: Grant) -> &'static str {
    match grant {
        Grant::ClientCredentials => "client_credentials",
        Grant::RefreshToken => "refresh_token",
    }
}

/// `url` without its password.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("redacted"));
            }
            u.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

impl RedisStoreBuilder {
    /// Which token of the client and grant this is (default `default`): a
    /// user id for refresh tokens of several users, or a name for a set of
    /// scopes.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The first part of every key (default `oauth-sdk`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long a refresh lease lasts when its holder dies (default 30 s).
    pub fn lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = ttl;
        self
    }

    /// How long one Redis call (or connecting) may take before it fails
    /// with [`StoreError::Unavailable`] (default 2 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Encrypts tokens at rest with `key` (and refuses plaintext values).
    pub fn encryption_key(mut self, key: EncryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Connects. An unreachable Redis fails here with
    /// [`StoreError::Unavailable`], naming the URL without its password.
    pub async fn connect(self) -> Result<RedisStore, StoreError> {
        let server: Arc<str> = redacted(&self.url).into();
        let unavailable = |e: redis::RedisError| StoreError::Unavailable {
            reason: format!("redis at {server}: {e}"),
        };
        let client = redis::Client::open(self.url.as_str()).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let conn = match tokio::time::timeout(
            self.timeout * 2,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        {
            Ok(c) => c.map_err(unavailable)?,
            Err(_) => {
                return Err(StoreError::Unavailable {
                    reason: format!("redis at {server}: no answer within {:?}", self.timeout * 2),
                });
            }
        };
        Ok(RedisStore {
            conn,
            server,
            namespace: Arc::new(Namespace::new(
                &self.prefix,
                &self.client,
                self.grant,
                &self.name,
            )),
            lease_ttl: self.lease_ttl,
            timeout: self.timeout,
            key: self.key,
        })
    }
}

#[async_trait::async_trait]
impl TokenStore for RedisStore {
    async fn load(&self) -> Result<Option<Token>, StoreError> {
        Ok(self.load_versioned().await?.token)
    }

    async fn save(&self, token: &Token) -> Result<(), StoreError> {
        self.save_versioned(token, None).await.map(drop)
    }

    async fn load_versioned(&self) -> Result<Versioned, StoreError> {
        let mut conn = self.conn.clone();
        let (version, value): (Option<u64>, Option<Vec<u8>>) = self
            .call(
                redis::cmd("HMGET")
                    .arg(&self.namespace.token)
                    .arg("v")
                    .arg("d")
                    .query_async(&mut conn),
            )
            .await?;
        match (version, value) {
            (Some(version), Some(value)) => Ok(Versioned::new(Some(self.decode(&value)?), version)),
            (None, None) => Ok(Versioned::default()),
            _ => Err(self.unreadable("incomplete record")),
        }
    }

    async fn save_versioned(
        &self,
        token: &Token,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(SAVE));
        let value = self.encode(token)?;
        // Below 2^40: far from the 2^53 where Lua's numbers lose integers.
        let first = (rand::random::<u64>() >> 24) + 1;
        let mut conn = self.conn.clone();
        let (saved, version): (u8, u64) = self
            .call(
                SCRIPT
                    .key(&self.namespace.token)
                    .arg(expected.map(|v| v.to_string()).unwrap_or_default())
                    .arg(value)
                    .arg(first)
                    .invoke_async(&mut conn),
            )
            .await?;
        match (saved, expected) {
            (1, _) => Ok(version),
            (_, Some(expected)) => Err(StoreError::Conflict {
                expected,
                found: version,
            }),
            (_, None) => Err(self.unreadable("unconditional save refused")),
        }
    }

    async fn lease(&self) -> Result<Option<Lease>, StoreError> {
        let fence = fence();
        let ttl_ms = self.ttl_ms();
        let mut conn = self.conn.clone();
        let set: Option<String> = self
            .call(
                redis::cmd("SET")
                    .arg(&self.namespace.lease)
                    .arg(&fence)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query_async(&mut conn),
            )
            .await?;
        Ok(set.map(|_| Lease::new(fence).with_ttl(self.lease_ttl)))
    }

    async fn release(&self, lease: Lease) -> Result<(), StoreError> {
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(RELEASE));
        self.if_fence_matches(&SCRIPT, &lease).await.map(drop)
    }

    async fn extend(&self, lease: &Lease) -> Result<bool, StoreError> {
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(EXTEND));
        Ok(self.if_fence_matches(&SCRIPT, lease).await? == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_and_escaped() {
        let ns = Namespace::new("app", "client:1", "refresh_token", "user{7}");
        assert_eq!(ns.token, "app:{client%3A1:refresh_token:user%7B7%7D}:token");
        assert_eq!(ns.lease, "app:{client%3A1:refresh_token:user%7B7%7D}:lease");
    }

    #[test]
    fn passwords_are_not_shown() {
        let shown = redacted("redis://user:hunter2@127.0.0.1:6379/0");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("127.0.0.1:6379"), "{shown}");
        let key = EncryptionKey::new("k1", [42u8; 32]);
        let debug = format!("{key:?}");
        assert!(
            debug.contains("k1") && debug.contains("redacted"),
            "{debug}"
        );
        assert!(!debug.contains("42"), "{debug}");
    }
}
