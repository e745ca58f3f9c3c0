//! Where a [`TokenSource`](super::TokenSource) keeps its token between runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::secret::{AccessToken, RefreshToken};
use crate::token::{Token, TokenType};
use crate::types::Scope;

/// Storage for one token (with its refresh token), so that a refresh token
/// survives a restart. Implement it to keep tokens in a keychain or database.
///
/// `load` and `save` are all a store for one process needs. A store shared
/// by several [`TokenSource`](super::TokenSource)s, possibly in several
/// processes ([`FileStore`], `RedisStore`), also implements the versioned
/// methods and the refresh lease, which a [`TokenSource`](super::TokenSource)
/// uses for every renewal:
///
/// 1. [`load_versioned`](Self::load_versioned): has another source stored a
///    newer token? Then it is taken and nothing is sent.
/// 2. [`lease`](Self::lease): only the holder of the lease refreshes; the
///    others poll `load_versioned` (bounded) until the holder's result is
///    stored or the lease is free again.
///    The holder [`extend`](Self::extend)s a lease that has a TTL while its
///    refresh runs.
/// 3. [`save_versioned`](Self::save_versioned) with the version that was
///    refreshed: a compare-and-swap, so a writer that lost its lease cannot
///    overwrite a newer token.
///
/// The defaults keep a one-process store correct: every token has version 0,
/// `expected` is ignored and the lease is always granted (the source's own
/// single flight is then the only one).
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// The stored token, if any.
    async fn load(&self) -> Result<Option<Token>, StoreError>;
    /// Replaces the stored token.
    async fn save(&self, token: &Token) -> Result<(), StoreError>;

    /// The stored token with its version (0 when nothing is stored). A new
    /// version is different from every earlier one of the same store.
    async fn load_versioned(&self) -> Result<Versioned, StoreError> {
        Ok(Versioned {
            token: self.load().await?,
            version: 0,
        })
    }

    /// Saves `token` if the stored version is still `expected` (`Some(0)`:
    /// nothing is stored), or unconditionally with `None`, and returns the
    /// new version. A stored version other than `expected` gives
    /// [`StoreError::Conflict`] and leaves the store as it was.
    async fn save_versioned(
        &self,
        token: &Token,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        let _ = expected;
        self.save(token).await?;
        Ok(0)
    }

    /// Takes the lease that makes its holder the only refresher of this
    /// token, or `None` when another holder has it. A lease must end by
    /// itself if its holder dies (a TTL, or a lock the OS drops).
    async fn lease(&self) -> Result<Option<Lease>, StoreError> {
        Ok(Some(Lease::new(String::new())))
    }

    /// Gives the lease back, if it is still this holder's.
    async fn release(&self, lease: Lease) -> Result<(), StoreError> {
        drop(lease);
        Ok(())
    }

    /// Renews a lease that has a [`ttl`](Lease::ttl), while its holder is
    /// still refreshing (the source calls it every third of the TTL), so a
    /// slow refresh keeps its lease and only a dead holder loses it. `false`
    /// when the lease is no longer this holder's.
    async fn extend(&self, lease: &Lease) -> Result<bool, StoreError> {
        let _ = lease;
        Ok(true)
    }
}

/// A stored token and its version ([`TokenStore::load_versioned`]).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Versioned {
    /// The token, if one is stored.
    pub token: Option<Token>,
    /// Its version; 0 when nothing is stored (or the store keeps none).
    pub version: u64,
}

impl Versioned {
    /// A stored token and its version.
    pub fn new(token: Option<Token>, version: u64) -> Self {
        Self { token, version }
    }
}

/// The refresh lease of a [`TokenStore`]: its random fencing value, and
/// whatever keeps it held (a lock guard, an open locked file), released when
/// the lease is dropped.
pub struct Lease {
    fence: String,
    ttl: Option<Duration>,
    _hold: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl Lease {
    /// A lease identified by `fence` (the value a compare-and-delete checks).
    pub fn new(fence: String) -> Self {
        Self {
            fence,
            ttl: None,
            _hold: None,
        }
    }

    /// A lease that stays held while `guard` lives.
    pub fn holding(fence: String, guard: impl std::any::Any + Send + Sync) -> Self {
        Self {
            _hold: Some(Box::new(guard)),
            ..Self::new(fence)
        }
    }

    /// A lease that ends by itself `ttl` after it was taken or last
    /// [extended](TokenStore::extend).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// When the lease ends by itself, if it does.
    pub fn ttl(&self) -> Option<Duration> {
        self.ttl
    }

    /// The fencing value.
    pub fn fence(&self) -> &str {
        &self.fence
    }
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease").finish_non_exhaustive()
    }
}

/// A random fencing value: 128 bits, hex.
pub(crate) fn fence() -> String {
    use std::fmt::Write;
    let bytes: [u8; 16] = rand::random();
    bytes.iter().fold(String::with_capacity(32), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A store failure. Never carries a token value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The store file exists but cannot be read as a token document. The
    /// file is left exactly as it is and the [`FileStore`] refuses to write
    /// over it: move it away (or repair it) to continue.
    #[error(
        "token store file {path} is corrupt ({reason}); it was left untouched, move it away to continue"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, without the file's contents.
        reason: String,
    },
    /// A compare-and-swap save found another version than the one it
    /// expected: a newer token was saved meanwhile, and it was kept.
    #[error(
        "the stored token changed (version {found}, expected {expected}); the save was refused"
    )]
    Conflict {
        /// The version the writer had read.
        expected: u64,
        /// The version found.
        found: u64,
    },
    /// The store's service (Redis) did not answer or failed; trying again
    /// later may succeed ([`is_retryable`](Self::is_retryable)).
    #[error("token store unavailable: {reason}")]
    Unavailable {
        /// What failed, without the connection URL or any stored value.
        reason: String,
    },
    /// Another process held the refresh lease for longer than the source
    /// waits, and stored no new token meanwhile.
    #[error("waited {waited:?} for another process to refresh the token")]
    LeaseWait {
        /// How long the source waited.
        waited: Duration,
    },
    /// A stored value cannot be read as a token: not a token document, or
    /// not decryptable with the key given (a wrong key, or a value moved
    /// from another key). It is left as it is.
    #[error("stored token at `{key}` cannot be read ({reason})")]
    Unreadable {
        /// Where the value is (a Redis key).
        key: String,
        /// What is wrong, without the value.
        reason: String,
    },
    /// The file was written by a newer version of this SDK.
    #[error("token store file {path} has unsupported version {version}")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        version: u64,
    },
}

impl StoreError {
    /// Whether trying again later may succeed: the store's service was
    /// unavailable, or another process's refresh took too long.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable { .. } | StoreError::LeaseWait { .. }
        )
    }
}

/// A store in memory: survives nothing, useful for tests and as a default.
/// Shared by several sources (`Arc`), it versions its token and leases the
/// refresh like the shared stores do.
#[derive(Debug, Default)]
pub struct MemoryStore {
    token: Mutex<Versioned>,
    lease: Arc<tokio::sync::Mutex<()>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn load(&self) -> Result<Option<Token>, StoreError> {
        Ok(self.load_versioned().await?.token)
    }
    async fn save(&self, token: &Token) -> Result<(), StoreError> {
        self.save_versioned(token, None).await.map(drop)
    }
    async fn load_versioned(&self) -> Result<Versioned, StoreError> {
        Ok(self.token.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
    async fn save_versioned(
        &self,
        token: &Token,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        let mut stored = self.token.lock().unwrap_or_else(|e| e.into_inner());
        check_version(expected, stored.version)?;
        stored.version += 1;
        stored.token = Some(token.clone());
        Ok(stored.version)
    }
    async fn lease(&self) -> Result<Option<Lease>, StoreError> {
        Ok(Arc::clone(&self.lease)
            .try_lock_owned()
            .ok()
            .map(|guard| Lease::holding(fence(), guard)))
    }
}

fn check_version(expected: Option<u64>, found: u64) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != found => Err(StoreError::Conflict { expected, found }),
        _ => Ok(()),
    }
}

const VERSION: u64 = 1;

/// The file format, version 1 (also the plaintext of a Redis value).
#[derive(Serialize, Deserialize)]
pub(crate) struct Document {
    pub(crate) version: u64,
    /// The token's version for compare-and-swap saves; files written before
    /// it existed count as revision 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revision: Option<u64>,
    access_token: String,
    token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// Seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

impl Document {
    pub(crate) fn new(token: &Token, revision: Option<u64>) -> Self {
        Document {
            version: VERSION,
            revision,
            access_token: token.access_token().secret().to_owned(),
            token_type: token.token_type().as_str().to_owned(),
            refresh_token: token.refresh_token().map(|r| r.secret().to_owned()),
            expires_at: token
                .expires_at()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            scope: token.scopes().map(Scope::join),
        }
    }

    /// Reads a document; `Err(None)` for an unsupported version, otherwise
    /// the reason it is not a document (never quoting its contents).
    pub(crate) fn parse(bytes: &[u8]) -> Result<(Token, Option<u64>), Result<&'static str, u64>> {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| Ok("not JSON"))?;
        let version = v
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .ok_or(Ok("no `version`"))?;
        if version != VERSION {
            return Err(Err(version));
        }
        // serde's messages may quote values: keep only our own reason.
        let doc: Document =
            serde_json::from_value(v).map_err(|_| Ok("missing or mistyped member"))?;
        let token = Token::new(
            AccessToken::new(doc.access_token),
            TokenType::parse(&doc.token_type),
        )
        .with_refresh_token(doc.refresh_token.map(RefreshToken::new))
        .with_expires_at(doc.expires_at.map(|s| UNIX_EPOCH + Duration::from_secs(s)))
        .with_scopes(doc.scope.map(|s| Scope::parse_list(&s)));
        Ok((token, doc.revision))
    }
}

/// A JSON file (`{"version": 1, "access_token": ..., "refresh_token": ...,
/// "expires_at": <unix seconds>, ...}`), written atomically: a temporary file
/// in the same directory, `fsync`, then `rename` over the old file. On Unix
/// the file gets mode `0600`.
///
/// Processes on one host can share the file. Every save is a
/// compare-and-swap on the document's `revision`, done under an exclusive
/// lock of `<file>.lock`; the refresh lease is an exclusive lock of
/// `<file>.lease`, which the OS drops when its process dies, so a crashed
/// refresher never blocks the others. Both are advisory `flock`-style locks
/// (std's `File::lock`): they bind only processes that use this store, and
/// network file systems may not honour them.
///
/// A corrupt file gives [`StoreError::Corrupt`] and is never overwritten:
/// after such an error this store refuses to save until the file is moved
/// away, so a refresh token is never lost to a bad read.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    write: tokio::sync::Mutex<()>,
}

impl FileStore {
    /// A store at `path` (the file need not exist yet; its directory must).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            write: tokio::sync::Mutex::new(()),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sidecar(&self, ext: &str) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    }
}

fn io_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The stored token and its revision (0: no file; 1: a file from before
/// revisions).
fn read_versioned(path: &Path) -> Result<Versioned, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Versioned::default()),
        Err(e) => return Err(io_error(path, e)),
    };
    match Document::parse(&bytes) {
        Ok((token, revision)) => Ok(Versioned::new(Some(token), revision.unwrap_or(1))),
        Err(Ok(reason)) => Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.to_owned(),
        }),
        Err(Err(version)) => Err(StoreError::UnsupportedVersion {
            path: path.to_path_buf(),
            version,
        }),
    }
}

fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

async fn blocking<T: Send + 'static>(
    path: &Path,
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| io_error(path, std::io::Error::other(e)))?
}

#[async_trait::async_trait]
impl TokenStore for FileStore {
    async fn load(&self) -> Result<Option<Token>, StoreError> {
        Ok(self.load_versioned().await?.token)
    }

    async fn save(&self, token: &Token) -> Result<(), StoreError> {
        self.save_versioned(token, None).await.map(drop)
    }

    async fn load_versioned(&self) -> Result<Versioned, StoreError> {
        // `rename` replaces the file whole: a read needs no lock.
        let path = self.path.clone();
        blocking(&self.path, move || read_versioned(&path)).await
    }

    async fn save_versioned(
        &self,
        token: &Token,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        let _guard = self.write.lock().await;
        let token = token.clone();
        let path = self.path.clone();
        let lock_path = self.sidecar(".lock");
        blocking(&self.path, move || {
            let lock = open_lock_file(&lock_path).map_err(|e| io_error(&lock_path, e))?;
            lock.lock().map_err(|e| io_error(&lock_path, e))?;
            // Never write over a file we cannot read: it may hold the only
            // copy of a refresh token.
            let stored = read_versioned(&path)?;
            check_version(expected, stored.version)?;
            let revision = stored.version + 1;
            let doc = Document::new(&token, Some(revision));
            let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| io_error(&path, e.into()))?;
            write_atomic(&path, &bytes).map_err(|e| io_error(&path, e))?;
            drop(lock);
            Ok(revision)
        })
        .await
    }

    async fn lease(&self) -> Result<Option<Lease>, StoreError> {
        let path = self.sidecar(".lease");
        blocking(&self.path, move || {
            let file = open_lock_file(&path).map_err(|e| io_error(&path, e))?;
            match file.try_lock() {
                Ok(()) => Ok(Some(Lease::holding(fence(), file))),
                Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                Err(std::fs::TryLockError::Error(e)) => Err(io_error(&path, e)),
            }
        })
        .await
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("store path has no file name"))?;
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{nonce}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
