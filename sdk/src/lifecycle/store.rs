//! Where a [`TokenSource`](super::TokenSource) keeps its token between runs.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::secret::{AccessToken, RefreshToken};
use crate::token::{Token, TokenType};
use crate::types::Scope;

/// Storage for one token (with its refresh token), so that a refresh token
/// survives a restart. Implement it to keep tokens in a keychain or database.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// The stored token, if any.
    async fn load(&self) -> Result<Option<Token>, StoreError>;
    /// Replaces the stored token.
    async fn save(&self, token: &Token) -> Result<(), StoreError>;
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
    /// The file was written by a newer version of this SDK.
    #[error("token store file {path} has unsupported version {version}")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        version: u64,
    },
}

/// A store in memory: survives nothing, useful for tests and as a default.
#[derive(Debug, Default)]
pub struct MemoryStore {
    token: Mutex<Option<Token>>,
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
        Ok(self.token.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
    async fn save(&self, token: &Token) -> Result<(), StoreError> {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        Ok(())
    }
}

const VERSION: u64 = 1;

/// The file format, version 1.
#[derive(Serialize, Deserialize)]
struct Document {
    version: u64,
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

/// A JSON file (`{"version": 1, "access_token": ..., "refresh_token": ...,
/// "expires_at": <unix seconds>, ...}`), written atomically: a temporary file
/// in the same directory, `fsync`, then `rename` over the old file. On Unix
/// the file gets mode `0600`.
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

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn decode(&self, bytes: &[u8]) -> Result<Token, StoreError> {
        let corrupt = |reason: &str| StoreError::Corrupt {
            path: self.path.clone(),
            reason: reason.to_owned(),
        };
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|_| corrupt("not JSON"))?;
        let version = v
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| corrupt("no `version`"))?;
        if version != VERSION {
            return Err(StoreError::UnsupportedVersion {
                path: self.path.clone(),
                version,
            });
        }
        // serde's messages may quote values: keep only our own reason.
        let doc: Document =
            serde_json::from_value(v).map_err(|_| corrupt("missing or mistyped member"))?;
        Ok(Token::new(
            AccessToken::new(doc.access_token),
            TokenType::parse(&doc.token_type),
        )
        .with_refresh_token(doc.refresh_token.map(RefreshToken::new))
        .with_expires_at(doc.expires_at.map(|s| UNIX_EPOCH + Duration::from_secs(s)))
        .with_scopes(doc.scope.map(|s| Scope::parse_list(&s))))
    }

    async fn read(&self) -> Result<Option<Vec<u8>>, StoreError> {
        match tokio::fs::read(&self.path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(e)),
        }
    }
}

#[async_trait::async_trait]
impl TokenStore for FileStore {
    async fn load(&self) -> Result<Option<Token>, StoreError> {
        match self.read().await? {
            None => Ok(None),
            Some(b) => self.decode(&b).map(Some),
        }
    }

    async fn save(&self, token: &Token) -> Result<(), StoreError> {
        let _guard = self.write.lock().await;
        // Never write over a file we cannot read: it may hold the only copy
        // of a refresh token.
        if let Some(existing) = self.read().await? {
            self.decode(&existing)?;
        }
        let doc = Document {
            version: VERSION,
            access_token: token.access_token().secret().to_owned(),
            token_type: token.token_type().as_str().to_owned(),
            refresh_token: token.refresh_token().map(|r| r.secret().to_owned()),
            expires_at: token
                .expires_at()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            scope: token.scopes().map(Scope::join),
        };
        let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| self.io(e.into()))?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_atomic(&path, &bytes))
            .await
            .map_err(|e| self.io(std::io::Error::other(e)))?
            .map_err(|e| self.io(e))
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
