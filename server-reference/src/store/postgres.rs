//! The shared store: PostgreSQL through sqlx, migrations embedded
//! (`server-reference/migrations-postgres/`). Several server processes may serve
//! one database.
//!
//! # Single use across instances
//! Every single-use decision is one statement that PostgreSQL serialises on the
//! row, never a read followed by a write: a code is consumed by
//! `UPDATE codes SET used = true WHERE hash = $1 AND NOT used RETURNING …` (a
//! second instance's `UPDATE` waits for the first to commit, re-checks `used`
//! and matches nothing), a refresh token is retired by the same kind of
//! `UPDATE … RETURNING` inside the transaction that stores its successors, and an
//! assertion `jti` is recorded by an `INSERT … ON CONFLICT DO NOTHING` on its
//! primary key. Whoever gets the row back owns the record; everyone else is told
//! it was used.
//!
//! # Failures
//! A write is acknowledged only after PostgreSQL committed it (the server's
//! `synchronous_commit` decides how durable that is; its default, `on`, waits
//! for the WAL flush). A lost connection, a database that refuses connections
//! or a pool with no connection free within [`ACQUIRE_TIMEOUT`] is a
//! [`StoreError::unavailable`], which the endpoints answer 503 with
//! `Retry-After`; a transaction cut off mid-way is rolled back by PostgreSQL, so
//! nothing is half-written.
//!
//! # Secrets
//! The connection string's password never reaches a log, an error or `Debug`:
//! errors name [`redact_url`]'s form of the URL, and any error text that
//! happens to contain the password has it replaced.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection, Postgres, QueryBuilder};

use super::rows::{
    ClientColumns, client_from_row, code_from_row, kind_name, ms, scope, token_from_row,
    user_from_row,
};
use super::{Consumed, Store, StoreError};
use crate::crypto::TokenHash;
use crate::model::{AuthCode, Client, GrantId, Millis, TokenRecord, User};
use crate::scope::ScopeSet;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// Connections per server process. Requests beyond it wait for a free one.
const POOL_SIZE: u32 = 16;
/// How long a request waits for a connection before it is answered 503. Short,
/// so that a lost database is reported quickly instead of piling requests up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long start-up waits for the first connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`Store`] in one PostgreSQL database, shareable by several server processes.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The URL without its password, for messages.
    url: Arc<str>,
    /// The password, so that error texts can be scrubbed of it.
    password: Option<Arc<str>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &&*self.url)
            .finish_non_exhaustive()
    }
}

/// `url` without its password (user info keeps the user name; a `password`
/// query parameter is dropped), for errors and logs. An unparsable URL is named
/// only by its scheme.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        let scheme = url.split(':').next().unwrap_or("postgres");
        return format!("{scheme}://[unparsable URL]");
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(None);
    }
    if parsed.query().is_some() {
        let kept: Vec<(String, String)> = parsed
            .query_pairs()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("password"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    parsed.to_string()
}

/// Whether an error means the database cannot be reached now (worth a retry)
/// rather than that a statement is wrong.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            // 08: connection exception; 53: insufficient resources; 57P0x:
            // shutdown or recovery; 40001/40P01: serialization failure, deadlock.
            c.starts_with("08")
                || c.starts_with("53")
                || c.starts_with("57P0")
                || c == "40001"
                || c == "40P01"
        }),
        _ => false,
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://USER:PASSWORD@HOST:PORT/DB`, any libpq-style
    /// parameter sqlx knows), applies the embedded migrations and keeps a pool of
    /// up to 16 connections. Fails when the database cannot be reached within
    /// 10 seconds; the error names the URL without its password.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let redacted: Arc<str> = redact_url(url).into();
        // sqlx's parse errors may quote the URL: name it ourselves instead.
        let options = PgConnectOptions::from_str(url)
            .map_err(|_| StoreError(format!("postgres: {redacted}: not a PostgreSQL URL")))?;
        let password = password_of(url).map(Arc::<str>::from);
        // One connection first, for the real reason when there is none (a pool
        // would only report that it timed out), and for the migrations.
        let mut first = match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(e)) => {
                return Err(StoreError(scrub(
                    password.as_deref(),
                    format!("postgres: cannot connect to {redacted}: {e}"),
                )));
            }
            Err(_) => {
                return Err(StoreError(format!(
                    "postgres: cannot connect to {redacted}: no answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
        };
        MIGRATOR.run(&mut first).await.map_err(|e| {
            StoreError(scrub(
                password.as_deref(),
                format!("postgres: migrating {redacted}: {e}"),
            ))
        })?;
        let _ = first.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A round trip before every use would slow every request; a dead
            // connection fails its statement instead (503) and is dropped.
            .test_before_acquire(false)
            .connect_lazy_with(options);
        let this = Self {
            pool,
            url: redacted,
            password,
        };
        Ok(this)
    }

    /// The database's URL without its password.
    pub fn redacted_url(&self) -> &str {
        &self.url
    }

    /// Closes every connection of this process (the database keeps everything).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn scrub(&self, text: String) -> String {
        scrub(self.password.as_deref(), text)
    }

    /// Maps a statement's error: unreachable database → `unavailable`.
    fn db(&self, e: sqlx::Error) -> StoreError {
        let text = self.scrub(format!("postgres: {e}"));
        if is_unavailable(&e) {
            StoreError::unavailable(text)
        } else {
            StoreError(text)
        }
    }

    async fn consume_row(
        &self,
        update: &'static str,
        select: &'static str,
        h: &TokenHash,
        successors: &[TokenRecord],
    ) -> Result<(bool, Option<PgRow>), StoreError> {
        let key = &h.as_bytes()[..];
        let mut tx = self.pool.begin().await.map_err(|e| self.db(e))?;
        let won = sqlx::query(update)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.db(e))?;
        if let Some(row) = won {
            if !successors.is_empty() {
                insert_tokens_query(successors)
                    .build()
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.db(e))?;
            }
            tx.commit().await.map_err(|e| self.db(e))?;
            return Ok((true, Some(row)));
        }
        tx.rollback().await.map_err(|e| self.db(e))?;
        let row = sqlx::query(select)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.db(e))?;
        Ok((false, row))
    }
}

/// The password sqlx will send: the URL's (percent-decoded, from the user info
/// or a `password` parameter), else `PGPASSWORD`.
fn password_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok();
    let from_url = parsed.as_ref().and_then(|u| {
        u.password()
            .map(|p| {
                let p = p.replace('+', "%2B");
                url::form_urlencoded::parse(format!("p={p}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            })
            .or_else(|| {
                u.query_pairs()
                    .find(|(k, _)| k.eq_ignore_ascii_case("password"))
                    .map(|(_, v)| v.into_owned())
            })
    });
    from_url
        .or_else(|| std::env::var("PGPASSWORD").ok())
        .filter(|p| !p.is_empty())
}

/// `text` with every occurrence of `password` replaced.
fn scrub(password: Option<&str>, text: String) -> String {
    match password {
        Some(p) if !p.is_empty() => text.replace(p, "[redacted]"),
        _ => text,
    }
}

/// `s` in a form PostgreSQL text can hold, one to one: `\` doubled and NUL as
/// `\0`. For values that come from the wire as they are (an assertion's `jti`
/// may hold any JSON string), so that every one can be recorded.
fn nul_free(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\0', '\\']) {
        s.replace('\\', "\\\\").replace('\0', "\\0").into()
    } else {
        s.into()
    }
}

/// One multi-row `INSERT` (atomic on its own) of tokens issued together.
fn insert_tokens_query(tokens: &[TokenRecord]) -> QueryBuilder<Postgres> {
    let mut q = QueryBuilder::new(
        "INSERT INTO tokens (hash, kind, client_id, username, scope, issued_at, expires_at, \
         grant_id, revoked) ",
    );
    q.push_values(tokens, |mut b, t| {
        b.push_bind(&t.hash.as_bytes()[..])
            .push_bind(kind_name(t.kind))
            .push_bind(&*t.client_id)
            .push_bind(t.username.as_deref())
            .push_bind(t.scope.to_string())
            .push_bind(ms(t.issued_at))
            .push_bind(t.expires_at.map(ms))
            .push_bind(t.grant_id.to_string())
            .push_bind(t.revoked);
    });
    q
}

/// Selects a token with `revoked` already folded with its grant's revocation.
const TOKEN_VIEW: &str = "SELECT t.hash, t.kind, t.client_id, t.username, t.scope, t.issued_at, \
     t.expires_at, t.grant_id, t.consumed, \
     (t.revoked OR EXISTS (SELECT 1 FROM revoked_grants g WHERE g.grant_id = t.grant_id)) AS revoked \
     FROM tokens t WHERE t.hash = $1";

#[async_trait]
impl Store for PostgresStore {
    async fn client(&self, id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        if id.contains('\0') {
            return Ok(None); // PostgreSQL text holds no NUL, so no record has one.
        }
        let row = sqlx::query("SELECT * FROM clients WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.db(e))?;
        row.map(|r| client_from_row(&r).map(Arc::new)).transpose()
    }

    async fn put_client(&self, c: Client) -> Result<(), StoreError> {
        let cols = ClientColumns::of(&c)?;
        sqlx::query(
            "INSERT INTO clients (id, name, secret_hash, auth_methods, grants, redirect_uris, \
             redirect_policy, scopes, default_scope, pkce, allow_plain_pkce, trusted, keys, \
             access_token_ttl_secs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
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
        .bind(cols.auth_methods)
        .bind(cols.grants)
        .bind(cols.redirect_uris)
        .bind(cols.redirect_policy)
        .bind(c.scopes.to_string())
        .bind(c.default_scope.to_string())
        .bind(cols.pkce)
        .bind(c.allow_plain_pkce)
        .bind(c.trusted)
        .bind(cols.keys)
        .bind(
            c.access_token_ttl_secs
                .map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        )
        .execute(&self.pool)
        .await
        .map_err(|e| self.db(e))?;
        Ok(())
    }

    async fn user(&self, username: &str) -> Result<Option<Arc<User>>, StoreError> {
        if username.contains('\0') {
            return Ok(None);
        }
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.db(e))?;
        row.map(|r| user_from_row(&r).map(Arc::new)).transpose()
    }

    async fn put_user(&self, u: User) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (username, name, email, password, totp_secret) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO UPDATE SET \
             name = excluded.name, email = excluded.email, password = excluded.password, \
             totp_secret = excluded.totp_secret",
        )
        .bind(&u.username)
        .bind(&u.name)
        .bind(&u.email)
        .bind(u.password.as_phc())
        .bind(u.totp_secret.as_ref().map(|t| t.0.as_str()))
        .execute(&self.pool)
        .await
        .map_err(|e| self.db(e))?;
        Ok(())
    }

    async fn insert_code(&self, c: AuthCode) -> Result<(), StoreError> {
        let (challenge, method) = match &c.challenge {
            Some((ch, m)) => (Some(ch.as_str()), Some(super::rows::name_of(m)?)),
            None => (None, None),
        };
        sqlx::query(
            "INSERT INTO codes (hash, client_id, username, redirect_uri, scope, challenge, \
             challenge_method, expires_at, grant_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        .execute(&self.pool)
        .await
        .map_err(|e| self.db(e))?;
        Ok(())
    }

    async fn consume_code(&self, h: &TokenHash) -> Result<Consumed<AuthCode>, StoreError> {
        let (won, row) = self
            .consume_row(
                "UPDATE codes SET used = true WHERE hash = $1 AND NOT used RETURNING *",
                "SELECT * FROM codes WHERE hash = $1",
                h,
                &[],
            )
            .await?;
        Ok(match row {
            None => Consumed::Missing,
            Some(r) if won => Consumed::Fresh(code_from_row(&r)?),
            Some(r) => Consumed::AlreadyUsed(code_from_row(&r)?),
        })
    }

    async fn code(&self, h: &TokenHash) -> Result<Option<AuthCode>, StoreError> {
        let row = sqlx::query("SELECT * FROM codes WHERE hash = $1")
            .bind(&h.as_bytes()[..])
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.db(e))?;
        row.as_ref().map(code_from_row).transpose()
    }

    async fn insert_tokens(&self, tokens: Vec<TokenRecord>) -> Result<(), StoreError> {
        if tokens.is_empty() {
            return Ok(());
        }
        insert_tokens_query(&tokens)
            .build()
            .execute(&self.pool)
            .await
            .map_err(|e| self.db(e))?;
        Ok(())
    }

    async fn token(&self, h: &TokenHash) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query(TOKEN_VIEW)
            .bind(&h.as_bytes()[..])
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.db(e))?;
        row.map(|r| token_from_row(&r)).transpose()
    }

    async fn rotate_refresh_token(
        &self,
        h: &TokenHash,
        successors: Vec<TokenRecord>,
    ) -> Result<Consumed<TokenRecord>, StoreError> {
        let (won, row) = self
            .consume_row(
                "UPDATE tokens t SET consumed = true, revoked = true WHERE t.hash = $1 \
                 AND NOT t.consumed AND NOT t.revoked AND NOT EXISTS \
                 (SELECT 1 FROM revoked_grants g WHERE g.grant_id = t.grant_id) \
                 RETURNING t.hash, t.kind, t.client_id, t.username, t.scope, t.issued_at, \
                 t.expires_at, t.grant_id, t.consumed, false AS revoked",
                TOKEN_VIEW,
                h,
                &successors,
            )
            .await?;
        Ok(match row {
            None => Consumed::Missing,
            Some(r) if won => Consumed::Fresh(token_from_row(&r)?),
            Some(r) => Consumed::AlreadyUsed(token_from_row(&r)?),
        })
    }

    async fn revoke_token(&self, h: &TokenHash) -> Result<bool, StoreError> {
        let n = sqlx::query("UPDATE tokens SET revoked = true WHERE hash = $1")
            .bind(&h.as_bytes()[..])
            .execute(&self.pool)
            .await
            .map_err(|e| self.db(e))?
            .rows_affected();
        Ok(n > 0)
    }

    async fn revoke_grant(&self, grant: &GrantId) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO revoked_grants (grant_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(grant.to_string())
            .execute(&self.pool)
            .await
            .map_err(|e| self.db(e))?;
        Ok(())
    }

    async fn consent(
        &self,
        username: &str,
        client_id: &str,
    ) -> Result<Option<ScopeSet>, StoreError> {
        if username.contains('\0') || client_id.contains('\0') {
            return Ok(None);
        }
        let s: Option<String> =
            sqlx::query_scalar("SELECT scope FROM consents WHERE username = $1 AND client_id = $2")
                .bind(username)
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.db(e))?;
        s.map(|s| scope("consent", &s)).transpose()
    }

    async fn put_consent(
        &self,
        username: &str,
        client_id: &str,
        s: &ScopeSet,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO consents (username, client_id, scope) VALUES ($1, $2, $3) \
             ON CONFLICT (username, client_id) DO UPDATE SET scope = excluded.scope",
        )
        .bind(username)
        .bind(client_id)
        .bind(s.to_string())
        .execute(&self.pool)
        .await
        .map_err(|e| self.db(e))?;
        Ok(())
    }

    async fn record_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: Millis,
        _now: Millis,
    ) -> Result<bool, StoreError> {
        // As in the SQLite store: a recorded jti stays a replay until purged.
        let n = sqlx::query(
            "INSERT INTO jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(nul_free(client_id))
        .bind(nul_free(jti))
        .bind(ms(expires_at))
        .execute(&self.pool)
        .await
        .map_err(|e| self.db(e))?
        .rows_affected();
        Ok(n == 1)
    }

    async fn management_records(&self) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT document FROM management_records WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.db(e))
    }

    async fn save_management_records(&self, document: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO management_records (id, document) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET document = excluded.document",
        )
        .bind(document)
        .execute(&self.pool)
        .await
        .map_err(|e| self.db(e))?;
        Ok(())
    }

    async fn replace_management_records(
        &self,
        expected: Option<&str>,
        document: &str,
    ) -> Result<bool, StoreError> {
        let done =
            match expected {
                None => {
                    sqlx::query(
                        "INSERT INTO management_records (id, document) VALUES (1, $1) \
                 ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(document)
                    .execute(&self.pool)
                    .await
                }
                Some(expected) => sqlx::query(
                    "UPDATE management_records SET document = $1 WHERE id = 1 AND document = $2",
                )
                .bind(document)
                .bind(expected)
                .execute(&self.pool)
                .await,
            };
        Ok(done.map_err(|e| self.db(e))?.rows_affected() == 1)
    }

    fn is_shared(&self) -> bool {
        true
    }

    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.db(e))?;
        let mut purged = 0;
        for sql in [
            "DELETE FROM codes WHERE expires_at <= $1",
            "DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= $1",
            "DELETE FROM jtis WHERE expires_at <= $1",
        ] {
            purged += sqlx::query(sql)
                .bind(ms(now))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db(e))?
                .rows_affected();
        }
        tx.commit().await.map_err(|e| self.db(e))?;
        Ok(usize::try_from(purged).unwrap_or(usize::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_named_without_their_password() {
        assert_eq!(
            redact_url(
                "postgres://oauth:p%40ss+w@db.example:5433/oauth?password=x&sslmode=require"
            ),
            "postgres://oauth@db.example:5433/oauth?sslmode=require"
        );
        assert_eq!(
            redact_url("postgresql://oauth@127.0.0.1/db?password=x"),
            "postgresql://oauth@127.0.0.1/db"
        );
        assert_eq!(redact_url("postgres://[bad"), "postgres://[unparsable URL]");
    }

    #[test]
    fn the_password_is_found_decoded_and_scrubbed() {
        let p = password_of("postgres://oauth:p%40ss+w@h/db").unwrap();
        assert_eq!(p, "p@ss+w");
        assert_eq!(
            scrub(Some(&p), "auth failed for p@ss+w".into()),
            "auth failed for [redacted]"
        );
        assert_eq!(
            password_of("postgres://oauth@h/db?password=q1").as_deref(),
            Some("q1")
        );
    }

    #[test]
    fn a_nul_free_form_is_one_to_one() {
        let forms: Vec<_> = ["a\0b", "a\\0b", "a\\\0b", "a\\\\0b", "plain"]
            .iter()
            .map(|s| nul_free(s).into_owned())
            .collect();
        assert!(forms.iter().all(|f| !f.contains('\0')));
        let unique: std::collections::HashSet<_> = forms.iter().collect();
        assert_eq!(unique.len(), forms.len());
        assert_eq!(forms[4], "plain");
    }
}
