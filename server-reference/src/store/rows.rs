//! Records to and from SQL columns, shared by the SQLite and PostgreSQL stores:
//! both keep the same columns (hashes as 32-byte blobs, times as signed 64-bit
//! milliseconds, enums by their serde names, lists as JSON), so one decoder per
//! record serves both through [`Columns`].

use sqlx::Row;

use super::StoreError;
use crate::config::KeyConfig;
use crate::crypto::{PasswordDigest, TokenHash};
use crate::model::{
    AuthCode, AuthMethod, ChallengeMethod, Client, GrantId, GrantType, Millis, PkcePolicy,
    RedirectPolicy, TokenKind, TokenRecord, TotpSecret, User,
};
use crate::scope::ScopeSet;

/// A stored value the server cannot read back (a damaged or foreign database).
pub(super) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("unreadable {what}: {e}"))
}

fn encode(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("cannot encode a record: {e}"))
}

/// The typed column reads a decoder needs, for either database's row type.
pub(super) trait Columns {
    fn text(&self, c: &str) -> Result<String, StoreError>;
    fn opt_text(&self, c: &str) -> Result<Option<String>, StoreError>;
    fn opt_bytes(&self, c: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn int(&self, c: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, c: &str) -> Result<Option<i64>, StoreError>;
    fn flag(&self, c: &str) -> Result<bool, StoreError>;

    fn bytes(&self, c: &str) -> Result<Vec<u8>, StoreError> {
        self.opt_bytes(c)?
            .ok_or_else(|| corrupt(c, "NULL in a required column"))
    }
}

macro_rules! columns_for {
    ($row:ty) => {
        impl Columns for $row {
            fn text(&self, c: &str) -> Result<String, StoreError> {
                self.try_get(c).map_err(|e| corrupt(c, e))
            }
            fn opt_text(&self, c: &str) -> Result<Option<String>, StoreError> {
                self.try_get(c).map_err(|e| corrupt(c, e))
            }
            fn opt_bytes(&self, c: &str) -> Result<Option<Vec<u8>>, StoreError> {
                self.try_get(c).map_err(|e| corrupt(c, e))
            }
            fn int(&self, c: &str) -> Result<i64, StoreError> {
                self.try_get(c).map_err(|e| corrupt(c, e))
            }
            fn opt_int(&self, c: &str) -> Result<Option<i64>, StoreError> {
                self.try_get(c).map_err(|e| corrupt(c, e))
            }
            fn flag(&self, c: &str) -> Result<bool, StoreError> {
                self.try_get(c).map_err(|e| corrupt(c, e))
            }
        }
    };
}

columns_for!(sqlx::sqlite::SqliteRow);
columns_for!(sqlx::postgres::PgRow);

/// Milliseconds as a signed 64-bit integer (valid until the year 292 million).
pub(super) fn ms(m: Millis) -> i64 {
    i64::try_from(m).unwrap_or(i64::MAX)
}

pub(super) fn millis(v: i64) -> Millis {
    u64::try_from(v).unwrap_or(0)
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(encode)
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

/// A unit enum's serde name (`"exact"`, `"S256"`), stored as plain text.
pub(super) fn name_of<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    match serde_json::to_value(v).map_err(encode)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(encode(format!("not a unit enum: {other}"))),
    }
}

fn from_name<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| corrupt(what, e))
}

pub(super) fn scope(what: &str, s: &str) -> Result<ScopeSet, StoreError> {
    ScopeSet::parse(s).map_err(|e| corrupt(what, e))
}

fn hash(what: &str, bytes: Vec<u8>) -> Result<TokenHash, StoreError> {
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| corrupt(what, format!("hash of {} bytes", b.len())))?;
    Ok(TokenHash::from_bytes(arr))
}

/// The stored name of a token kind.
pub(super) fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Access => "access",
        TokenKind::Refresh => "refresh",
    }
}

/// A client's public keys as the JSON array stored in `clients.keys`.
pub(super) fn keys_json(client: &Client) -> Result<String, StoreError> {
    let keys = client
        .keys
        .iter()
        .map(|k| {
            let alg = match k.alg {
                jsonwebtoken::Algorithm::RS256 => "RS256",
                jsonwebtoken::Algorithm::ES256 => "ES256",
                other => return Err(encode(format!("key {:?}: cannot store {other:?}", k.kid))),
            };
            Ok(serde_json::json!({"kid": k.kid, "alg": alg, "public_key_pem": k.public_key_pem}))
        })
        .collect::<Result<Vec<_>, _>>()?;
    to_json(&keys)
}

/// The columns of a client that are not stored as they are.
pub(super) struct ClientColumns {
    pub(super) auth_methods: String,
    pub(super) grants: String,
    pub(super) redirect_uris: String,
    pub(super) redirect_policy: String,
    pub(super) pkce: String,
    pub(super) keys: String,
}

impl ClientColumns {
    pub(super) fn of(c: &Client) -> Result<Self, StoreError> {
        Ok(Self {
            auth_methods: to_json(&c.auth_methods)?,
            grants: to_json(&c.grants)?,
            redirect_uris: to_json(&c.redirect_uris)?,
            redirect_policy: name_of(&c.redirect_policy)?,
            pkce: name_of(&c.pkce)?,
            keys: keys_json(c)?,
        })
    }
}

pub(super) fn client_from_row(row: &impl Columns) -> Result<Client, StoreError> {
    let keys: Vec<serde_json::Value> = from_json("client keys", &row.text("keys")?)?;
    let keys = keys
        .into_iter()
        .map(|k| {
            let field = |f: &str| k[f].as_str().unwrap_or_default().to_owned();
            KeyConfig {
                kid: field("kid"),
                alg: field("alg"),
                public_key_pem: field("public_key_pem"),
            }
            .decode()
            .map_err(|e| corrupt("client key", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let secret = row
        .opt_bytes("secret_hash")?
        .map(|b| hash("client secret", b))
        .transpose()?;
    Ok(Client {
        id: row.text("id")?.into(),
        name: row.text("name")?,
        secret,
        auth_methods: from_json::<Vec<AuthMethod>>("auth methods", &row.text("auth_methods")?)?,
        grants: from_json::<Vec<GrantType>>("grants", &row.text("grants")?)?,
        redirect_uris: from_json("redirect uris", &row.text("redirect_uris")?)?,
        redirect_policy: from_name::<RedirectPolicy>(
            "redirect policy",
            &row.text("redirect_policy")?,
        )?,
        scopes: scope("client scopes", &row.text("scopes")?)?,
        default_scope: scope("default scope", &row.text("default_scope")?)?,
        pkce: from_name::<PkcePolicy>("pkce policy", &row.text("pkce")?)?,
        allow_plain_pkce: row.flag("allow_plain_pkce")?,
        trusted: row.flag("trusted")?,
        keys,
        access_token_ttl_secs: row
            .opt_int("access_token_ttl_secs")?
            .map(|v| u64::try_from(v).unwrap_or(0)),
    })
}

pub(super) fn user_from_row(row: &impl Columns) -> Result<User, StoreError> {
    Ok(User {
        username: row.text("username")?,
        name: row.text("name")?,
        email: row.text("email")?,
        password: PasswordDigest::from_phc(row.text("password")?),
        totp_secret: row.opt_text("totp_secret")?.map(TotpSecret),
    })
}

pub(super) fn code_from_row(row: &impl Columns) -> Result<AuthCode, StoreError> {
    let challenge = match (
        row.opt_text("challenge")?,
        row.opt_text("challenge_method")?,
    ) {
        (Some(c), Some(m)) => Some((c, from_name::<ChallengeMethod>("challenge method", &m)?)),
        _ => None,
    };
    Ok(AuthCode {
        hash: hash("code", row.bytes("hash")?)?,
        client_id: row.text("client_id")?,
        username: row.text("username")?,
        redirect_uri: row.opt_text("redirect_uri")?,
        scope: scope("code scope", &row.text("scope")?)?,
        challenge,
        expires_at: millis(row.int("expires_at")?),
        grant_id: grant_id(row)?,
    })
}

fn grant_id(row: &impl Columns) -> Result<GrantId, StoreError> {
    row.text("grant_id")?
        .parse()
        .map(GrantId)
        .map_err(|e| corrupt("grant id", e))
}

pub(super) fn token_from_row(row: &impl Columns) -> Result<TokenRecord, StoreError> {
    let kind = match row.text("kind")?.as_str() {
        "access" => TokenKind::Access,
        "refresh" => TokenKind::Refresh,
        other => return Err(corrupt("token kind", other)),
    };
    Ok(TokenRecord {
        hash: hash("token", row.bytes("hash")?)?,
        kind,
        client_id: row.text("client_id")?.into(),
        username: row.opt_text("username")?,
        scope: scope("token scope", &row.text("scope")?)?,
        issued_at: millis(row.int("issued_at")?),
        expires_at: row.opt_int("expires_at")?.map(millis),
        grant_id: grant_id(row)?,
        revoked: row.flag("revoked")?,
    })
}
