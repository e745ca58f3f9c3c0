//! The durable store: SQLite through sqlx, migrations embedded.
//!
//! # Durability
//! The database runs in WAL mode with `synchronous=FULL`: a transaction's commit
//! returns only after its WAL frames were `fsync`ed, and the store answers a write
//! only after its commit returned. So every acknowledged write survives a killed
//! process *and* a power loss. (`synchronous=NORMAL` would survive a killed process
//! only: WAL frames would sit in the page cache until the next checkpoint.)
//!
//! # Concurrency
//! SQLite admits one writer at a time, so every write goes through one task that
//! owns the only read-write connection (`writer.rs`: group commit of every write,
//! each in its own savepoint, and a fresh connection after any failed write so
//! that nothing is acknowledged from a connection in an unknown state). Reads go through a small pool of
//! read-only connections, which WAL lets run beside the writer. Each single-use
//! operation is one transaction whose `UPDATE … WHERE used = 0` decides, by its
//! affected-row count, who consumed the record.
//!
//! One database file serves one server process; a busy timeout covers short
//! outside access (a backup, `sqlite3` poking at it).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row};

mod writer;
use writer::Writer;

use super::rows::{
    ClientColumns, client_from_row, code_from_row, kind_name, ms, name_of, scope, token_from_row,
    user_from_row,
};
use super::{Consumed, Store, StoreError};
use crate::crypto::TokenHash;
use crate::model::{AuthCode, Client, GrantId, Millis, TokenRecord, User};
use crate::scope::ScopeSet;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How many read-only connections serve lookups beside the single writer.
const READERS: u32 = 4;
/// How long a statement waits for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`Store`] in one SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: Writer,
    reader: SqlitePool,
}

fn db(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("sqlite: {e}"))
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` — `sqlite://PATH` or
    /// `sqlite:PATH` — and applies the embedded migrations.
    ///
    /// In-memory URLs are refused: each pooled connection would see its own
    /// empty database.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError(
                "sqlite: in-memory databases are not supported; omit --database for the memory store".into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(db)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let mut connection = options.connect().await.map_err(db)?;
        MIGRATOR.run(&mut connection).await.map_err(db)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(db)?;
        Ok(Self {
            writer: Writer::start(options, connection),
            reader,
        })
    }

    /// Finishes every queued write, checkpoints the WAL into the database file and
    /// closes every connection: after it, the `.db` file alone holds everything.
    /// Dropping the store also closes it, without the checkpoint guarantee.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// One single-use consumption as one transaction: `update` affects one row
    /// exactly when this caller wins, `select` then reads the record, and the
    /// winner's `successors` are stored in the same transaction.
    async fn consume_once(
        &self,
        update: &'static str,
        select: &'static str,
        h: &TokenHash,
        successors: Vec<TokenRecord>,
    ) -> Result<(bool, Option<SqliteRow>), StoreError> {
        let h = key(h);
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let mut tx = conn.begin().await?;
                    let won = sqlx::query(update)
                        .bind(&h)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        == 1;
                    let row = sqlx::query(select)
                        .bind(&h)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if won {
                        for t in &successors {
                            insert_token_in(&mut tx, t).await?;
                        }
                    }
                    tx.commit().await?;
                    Ok((won, row))
                })
            })
            .await
    }

    /// `PRAGMA integrity_check` — `"ok"` for a sound database.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        let row = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        row.try_get::<String, _>(0).map_err(db)
    }
}

/// Selects a token with `revoked` already folded with its grant's revocation.
const TOKEN_VIEW: &str = "SELECT t.hash, t.kind, t.client_id, t.username, t.scope, t.issued_at, \
     t.expires_at, t.grant_id, t.consumed, \
     (t.revoked OR EXISTS (SELECT 1 FROM revoked_grants g WHERE g.grant_id = t.grant_id)) AS revoked \
     FROM tokens t WHERE t.hash = ?";

/// Inserts one token inside `tx`.
async fn insert_token_in(conn: &mut SqliteConnection, t: &TokenRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO tokens (hash, kind, client_id, username, scope, issued_at, expires_at, \
         grant_id, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&t.hash.as_bytes()[..])
    .bind(kind_name(t.kind))
    .bind(&t.client_id)
    .bind(t.username.as_deref())
    .bind(t.scope.to_string())
    .bind(ms(t.issued_at))
    .bind(t.expires_at.map(ms))
    .bind(t.grant_id.to_string())
    .bind(t.revoked)
    .execute(conn)
    .await?;
    Ok(())
}

/// The bytes of a hash, owned, for a write that runs on the writer task.
fn key(h: &TokenHash) -> Vec<u8> {
    h.as_bytes().to_vec()
}

#[async_trait]
impl Store for SqliteStore {
    async fn client(&self, id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        let row = sqlx::query("SELECT * FROM clients WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.map(|r| client_from_row(&r).map(Arc::new)).transpose()
    }

    async fn put_client(&self, c: Client) -> Result<(), StoreError> {
        let ClientColumns {
            auth_methods,
            grants,
            redirect_uris,
            redirect_policy,
            pkce,
            keys,
        } = ClientColumns::of(&c)?;
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
            "INSERT INTO clients (id, name, secret_hash, auth_methods, grants, redirect_uris, \
             redirect_policy, scopes, default_scope, pkce, allow_plain_pkce, trusted, keys, \
             access_token_ttl_secs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             secret_hash = excluded.secret_hash, auth_methods = excluded.auth_methods, \
             grants = excluded.grants, redirect_uris = excluded.redirect_uris, \
             redirect_policy = excluded.redirect_policy, scopes = excluded.scopes, \
             default_scope = excluded.default_scope, pkce = excluded.pkce, \
             allow_plain_pkce = excluded.allow_plain_pkce, trusted = excluded.trusted, \
             keys = excluded.keys, access_token_ttl_secs = excluded.access_token_ttl_secs",
        )
        .bind(&*c.id)
        .bind(&c.name)
        .bind(c.secret.map(|h| h.as_bytes().to_vec()))
        .bind(auth_methods)
        .bind(grants)
        .bind(redirect_uris)
        .bind(redirect_policy)
        .bind(c.scopes.to_string())
        .bind(c.default_scope.to_string())
        .bind(pkce)
        .bind(c.allow_plain_pkce)
        .bind(c.trusted)
        .bind(keys)
        .bind(
            c.access_token_ttl_secs
                .map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        )
        .execute(conn)
        .await
                    .map(drop)
                })
            })
            .await
    }

    async fn user(&self, username: &str) -> Result<Option<Arc<User>>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.map(|r| user_from_row(&r).map(Arc::new)).transpose()
    }

    async fn put_user(&self, u: User) -> Result<(), StoreError> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO users (username, name, email, password, totp_secret) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET \
             name = excluded.name, email = excluded.email, password = excluded.password, \
             totp_secret = excluded.totp_secret",
                    )
                    .bind(&u.username)
                    .bind(&u.name)
                    .bind(&u.email)
                    .bind(u.password.as_phc())
                    .bind(u.totp_secret.as_ref().map(|t| t.0.as_str()))
                    .execute(conn)
                    .await
                    .map(drop)
                })
            })
            .await
    }

    async fn insert_code(&self, c: AuthCode) -> Result<(), StoreError> {
        let (challenge, method) = match &c.challenge {
            Some((ch, m)) => (Some(ch.clone()), Some(name_of(m)?)),
            None => (None, None),
        };
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
            "INSERT INTO codes (hash, client_id, username, redirect_uri, scope, challenge, \
             challenge_method, expires_at, grant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.hash.as_bytes()[..])
        .bind(&c.client_id)
        .bind(&c.username)
        .bind(c.redirect_uri.as_deref())
        .bind(c.scope.to_string())
        .bind(challenge)
        .bind(method)
        .bind(ms(c.expires_at))
        .bind(c.grant_id.to_string())
        .execute(conn)
        .await
                    .map(drop)
                })
            })
            .await
    }

    async fn consume_code(&self, h: &TokenHash) -> Result<Consumed<AuthCode>, StoreError> {
        let (won, row) = self
            .consume_once(
                "UPDATE codes SET used = 1 WHERE hash = ? AND used = 0",
                "SELECT * FROM codes WHERE hash = ?",
                h,
                Vec::new(),
            )
            .await?;
        Ok(match row {
            None => Consumed::Missing,
            Some(r) if won => Consumed::Fresh(code_from_row(&r)?),
            Some(r) => Consumed::AlreadyUsed(code_from_row(&r)?),
        })
    }

    async fn code(&self, h: &TokenHash) -> Result<Option<AuthCode>, StoreError> {
        let row = sqlx::query("SELECT * FROM codes WHERE hash = ?")
            .bind(&h.as_bytes()[..])
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(code_from_row).transpose()
    }

    async fn insert_tokens(&self, tokens: Vec<TokenRecord>) -> Result<(), StoreError> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    for t in &tokens {
                        insert_token_in(&mut *conn, t).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn token(&self, h: &TokenHash) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query(TOKEN_VIEW)
            .bind(&h.as_bytes()[..])
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.map(|r| token_from_row(&r)).transpose()
    }

    async fn rotate_refresh_token(
        &self,
        h: &TokenHash,
        successors: Vec<TokenRecord>,
    ) -> Result<Consumed<TokenRecord>, StoreError> {
        let (won, row) = self
            .consume_once(
                "UPDATE tokens SET consumed = 1, revoked = 1 WHERE hash = ? \
                 AND consumed = 0 AND revoked = 0 AND NOT EXISTS \
                 (SELECT 1 FROM revoked_grants g WHERE g.grant_id = tokens.grant_id)",
                TOKEN_VIEW,
                h,
                successors,
            )
            .await?;
        Ok(match row {
            None => Consumed::Missing,
            Some(r) if won => {
                let mut record = token_from_row(&r)?;
                record.revoked = false;
                Consumed::Fresh(record)
            }
            Some(r) => Consumed::AlreadyUsed(token_from_row(&r)?),
        })
    }

    async fn revoke_token(&self, h: &TokenHash) -> Result<bool, StoreError> {
        let h = key(h);
        let n = self
            .writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query("UPDATE tokens SET revoked = 1 WHERE hash = ?")
                        .bind(h)
                        .execute(conn)
                        .await
                })
            })
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    async fn revoke_grant(&self, grant: &GrantId) -> Result<(), StoreError> {
        let grant = grant.to_string();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO revoked_grants (grant_id) VALUES (?) ON CONFLICT DO NOTHING",
                    )
                    .bind(grant)
                    .execute(conn)
                    .await
                    .map(drop)
                })
            })
            .await
    }

    async fn consent(
        &self,
        username: &str,
        client_id: &str,
    ) -> Result<Option<ScopeSet>, StoreError> {
        let s: Option<String> =
            sqlx::query_scalar("SELECT scope FROM consents WHERE username = ? AND client_id = ?")
                .bind(username)
                .bind(client_id)
                .fetch_optional(&self.reader)
                .await
                .map_err(db)?;
        s.map(|s| scope("consent", &s)).transpose()
    }

    async fn put_consent(
        &self,
        username: &str,
        client_id: &str,
        s: &ScopeSet,
    ) -> Result<(), StoreError> {
        let (username, client_id, s) = (username.to_owned(), client_id.to_owned(), s.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO consents (username, client_id, scope) VALUES (?, ?, ?) \
                         ON CONFLICT (username, client_id) DO UPDATE SET scope = excluded.scope",
                    )
                    .bind(username)
                    .bind(client_id)
                    .bind(s)
                    .execute(conn)
                    .await
                    .map(drop)
                })
            })
            .await
    }

    async fn record_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: Millis,
        _now: Millis,
    ) -> Result<bool, StoreError> {
        // As in the memory store: a recorded jti stays a replay until purged.
        // On disk, the table is bounded by the disk (a full one fails the write).
        let (client_id, jti) = (client_id.to_owned(), jti.to_owned());
        let n = self
            .writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO jtis (client_id, jti, expires_at) VALUES (?, ?, ?) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(client_id)
                    .bind(jti)
                    .bind(ms(expires_at))
                    .execute(conn)
                    .await
                })
            })
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn management_records(&self) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT document FROM management_records WHERE id = 1")
                .fetch_optional(&self.reader)
                .await
                .map_err(db)?;
        Ok(row.map(|(d,)| d))
    }

    async fn save_management_records(&self, document: &str) -> Result<(), StoreError> {
        let document = document.to_owned();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO management_records (id, document) VALUES (1, ?) \
                         ON CONFLICT (id) DO UPDATE SET document = excluded.document",
                    )
                    .bind(document)
                    .execute(conn)
                    .await
                    .map(drop)
                })
            })
            .await
    }

    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        let now = ms(now);
        let purged = self
            .writer
            .run(move |conn| {
                Box::pin(async move {
                    let mut tx = conn.begin().await?;
                    let mut purged = 0;
                    for sql in [
                        "DELETE FROM codes WHERE expires_at <= ?",
                        "DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= ?",
                        "DELETE FROM jtis WHERE expires_at <= ?",
                    ] {
                        purged += sqlx::query(sql)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                    }
                    tx.commit().await?;
                    Ok(purged)
                })
            })
            .await?;
        Ok(usize::try_from(purged).unwrap_or(usize::MAX))
    }

    async fn checkpoint(&self) -> Result<(), StoreError> {
        let row = self
            .writer
            .run_alone(|conn| {
                Box::pin(async move {
                    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(conn)
                        .await
                })
            })
            .await?;
        // (busy, WAL frames, frames checkpointed): busy means a reader held it back.
        let busy: i64 = row.try_get(0).map_err(db)?;
        if busy != 0 {
            return Err(StoreError(
                "sqlite: the WAL checkpoint was blocked by a reader".into(),
            ));
        }
        Ok(())
    }
}
