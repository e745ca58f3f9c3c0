//! The server's domain records. Secrets appear here only as hashes.

use std::fmt;
use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};

use crate::crypto::{PasswordDigest, TokenHash};
use crate::scope::ScopeSet;

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

/// The grants a client may be allowed (RFC 6749 §4, RFC 7523 §2.1). Their
/// names are written once, in [`GrantType::name`]: the token endpoint's
/// parsing, the metadata, configuration files and stored records all use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantType {
    AuthorizationCode,
    Implicit,
    Password,
    ClientCredentials,
    RefreshToken,
    JwtBearer,
}

impl GrantType {
    /// Every grant, in the order the metadata lists them.
    pub const ALL: [GrantType; 6] = [
        GrantType::AuthorizationCode,
        GrantType::Implicit,
        GrantType::Password,
        GrantType::ClientCredentials,
        GrantType::RefreshToken,
        GrantType::JwtBearer,
    ];

    /// The registered name: the `grant_type` value sent to the token endpoint
    /// (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6; RFC 7523 §2.1), and `implicit`,
    /// which RFC 8414 §2 lists in `grant_types_supported` but no token request
    /// sends.
    pub fn name(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::Implicit => "implicit",
            GrantType::Password => "password",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::RefreshToken => "refresh_token",
            GrantType::JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        }
    }

    /// The grant a token request's `grant_type` names (never `Implicit`).
    pub fn from_token_request(name: &str) -> Option<Self> {
        Self::from_name(name).filter(|g| *g != GrantType::Implicit)
    }

    /// The grant of a registered name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name() == name)
    }
}

impl Serialize for GrantType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for GrantType {
    /// A registered name, or `jwt_bearer` (the short name configuration files may use).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        GrantType::from_name(&name)
            .or((name == "jwt_bearer").then_some(GrantType::JwtBearer))
            .ok_or_else(|| {
                let known: Vec<_> = GrantType::ALL.iter().map(|g| g.name()).collect();
                serde::de::Error::custom(format!(
                    "unknown grant type {name:?}; known: {}",
                    known.join(", ")
                ))
            })
    }
}

/// Client authentication methods (RFC 6749 §2.3, RFC 7523 §2.2; names from RFC 8414).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    None,
}

impl AuthMethod {
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
        }
    }
}

/// How a requested `redirect_uri` is compared with the registered ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectPolicy {
    /// Exact string match (RFC 9700 §2.1); for a public client, loopback IPs on
    /// any port (RFC 8252 §7.3: native apps, which cannot keep a port).
    #[default]
    Exact,
    /// As `Exact`, with loopback IPs on any port even for a confidential client
    /// (a confidential client has a fixed redirect URI; opt in deliberately).
    LoopbackAnyPort,
    /// The Phabricator seed's rule: same scheme, host, port and path, at least the
    /// registered query parameters, no fragment.
    Phabricator,
}

/// Whether a client must send a PKCE challenge (RFC 7636).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PkcePolicy {
    /// PKCE is accepted but not demanded (confidential clients).
    #[default]
    Optional,
    /// A challenge is demanded (public clients always).
    Required,
}

/// A public key registered for `private_key_jwt` (RFC 7523 §2.2).
#[derive(Clone)]
pub struct ClientKey {
    pub kid: String,
    pub alg: Algorithm,
    pub key: DecodingKey,
    /// The PEM it was built from, kept for storage and the management APIs.
    pub public_key_pem: String,
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// A registered OAuth client.
#[derive(Clone, Debug)]
pub struct Client {
    pub id: Arc<str>,
    pub name: String,
    /// `None` for public clients.
    pub secret: Option<TokenHash>,
    pub auth_methods: Vec<AuthMethod>,
    pub grants: Vec<GrantType>,
    pub redirect_uris: Vec<String>,
    pub redirect_policy: RedirectPolicy,
    /// Every scope the client may ask for.
    pub scopes: ScopeSet,
    /// What a request without `scope` gets (RFC 6749 §3.3).
    pub default_scope: ScopeSet,
    pub pkce: PkcePolicy,
    /// Whether `code_challenge_method=plain` is accepted (off unless configured).
    pub allow_plain_pkce: bool,
    /// Hub's trusted services: consent is skipped.
    pub trusted: bool,
    pub keys: Vec<ClientKey>,
    /// Access-token lifetime; `None` means the server default.
    pub access_token_ttl_secs: Option<u64>,
}

impl Client {
    pub fn is_public(&self) -> bool {
        self.secret.is_none() && !self.auth_methods.contains(&AuthMethod::PrivateKeyJwt)
    }

    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grants.contains(&grant)
    }

    pub fn allows_auth(&self, method: AuthMethod) -> bool {
        self.auth_methods.contains(&method)
    }

    pub fn pkce_required(&self) -> bool {
        self.pkce == PkcePolicy::Required || self.is_public()
    }
}

/// A resource owner.
#[derive(Clone, Debug)]
pub struct User {
    pub username: String,
    pub name: String,
    pub email: String,
    pub password: PasswordDigest,
    /// Base32 TOTP secret for two-factor users (RFC 6238).
    pub totp_secret: Option<TotpSecret>,
}

impl User {
    pub fn has_two_factor(&self) -> bool {
        self.totp_secret.is_some()
    }
}

/// A base32 TOTP seed; never printed.
#[derive(Clone)]
pub struct TotpSecret(pub String);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

/// Identifies every token descending from one authorization (one code, one
/// password grant…), so that reuse or replay can revoke them all at once.
///
/// A random (v4) UUID held as its 16 bytes, no allocation per token; stored and
/// shown in its hyphenated text form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantId(pub uuid::Uuid);

impl GrantId {
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4())
    }

    /// The one grant of every client-credentials token of `client_id` (RFC 6749
    /// §4.4: the client acts on its own standing authorization). Revoking it —
    /// the client was deleted — revokes all of them, tokens a racing request
    /// stores afterwards included. A UUIDv8 of SHA-256 over the client id.
    pub fn of_client(client_id: &str) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new()
            .chain_update(b"client_credentials\0")
            .chain_update(client_id.as_bytes())
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Self(uuid::Builder::from_custom_bytes(bytes).into_uuid())
    }
}

impl fmt::Display for GrantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl Default for GrantId {
    fn default() -> Self {
        Self::new()
    }
}

/// PKCE challenge methods (RFC 7636 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChallengeMethod {
    S256,
    #[serde(rename = "plain")]
    Plain,
}

/// An issued authorization code (RFC 6749 §4.1.2), stored by hash.
#[derive(Clone, Debug)]
pub struct AuthCode {
    pub hash: TokenHash,
    pub client_id: String,
    pub username: String,
    /// The `redirect_uri` parameter as sent, or `None` when it was omitted: the token
    /// request must repeat it exactly, or omit it too (RFC 6749 §4.1.3).
    pub redirect_uri: Option<String>,
    pub scope: ScopeSet,
    pub challenge: Option<(String, ChallengeMethod)>,
    pub expires_at: Millis,
    pub grant_id: GrantId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Access,
    Refresh,
}

/// An issued access or refresh token, stored by hash.
#[derive(Clone, Debug)]
pub struct TokenRecord {
    pub hash: TokenHash,
    pub kind: TokenKind,
    /// Shared with the client record: a clone per token costs a reference count.
    pub client_id: Arc<str>,
    /// The resource owner; `None` for client credentials.
    pub username: Option<String>,
    pub scope: ScopeSet,
    pub issued_at: Millis,
    /// `None`: never expires (Phabricator's `offline_access`).
    pub expires_at: Option<Millis>,
    pub grant_id: GrantId,
    pub revoked: bool,
}

impl TokenRecord {
    /// Usable now: not revoked, not expired.
    pub fn is_active(&self, now: Millis) -> bool {
        !self.revoked && self.expires_at.is_none_or(|exp| now < exp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_names_round_trip_through_serde_and_the_token_request() {
        for g in GrantType::ALL {
            let json = serde_json::to_string(&g).unwrap();
            assert_eq!(json, format!("\"{}\"", g.name()));
            assert_eq!(serde_json::from_str::<GrantType>(&json).unwrap(), g);
            assert_eq!(GrantType::from_name(g.name()), Some(g));
        }
        assert_eq!(GrantType::from_token_request("implicit"), None);
        assert_eq!(
            GrantType::from_token_request("refresh_token"),
            Some(GrantType::RefreshToken)
        );
        assert_eq!(
            serde_json::from_str::<GrantType>("\"jwt_bearer\"").unwrap(),
            GrantType::JwtBearer
        );
        assert!(serde_json::from_str::<GrantType>("\"token\"").is_err());
    }
}
