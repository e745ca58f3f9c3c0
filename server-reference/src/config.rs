//! The TOML configuration: settings plus the fixture (users, clients, accounts,
//! tenants). The built-in demo fixture (docs/demo-fixture.md) is itself such a file.

use std::collections::HashSet;
use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use url::Url;

use crate::faults::Fault;
use crate::model::{AuthMethod, ClientKey, GrantType, PkcePolicy, RedirectPolicy};

/// The demo fixture's text, as printed at start-up.
pub const DEMO_TOML: &str = include_str!("../fixtures/demo.toml");

/// Longest authorization-code lifetime accepted (RFC 6749 §4.1.2: 10 minutes).
pub const MAX_CODE_TTL_SECS: u64 = 600;

/// Most connections `settings.max_connections` may allow (each costs a file
/// descriptor and a task).
pub const MAX_CONNECTIONS: usize = 1_000_000;

/// A configuration that cannot be used, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot parse configuration: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

fn invalid<T>(msg: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError::Invalid(msg.into()))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub settings: Settings,
    #[serde(default, rename = "user")]
    pub users: Vec<UserConfig>,
    #[serde(default, rename = "client")]
    pub clients: Vec<ClientConfig>,
    #[serde(default, rename = "account")]
    pub accounts: Vec<AccountConfig>,
    #[serde(default, rename = "tenant")]
    pub tenants: Vec<TenantConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The issuer identifier (RFC 8414 §2). Default: `http://<bound address>`.
    pub issuer: Option<Url>,
    pub code_ttl_secs: u64,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    /// How far in the future a client assertion's `exp` may lie, and how long
    /// from its `iat` (default 3600: common client libraries sign assertions
    /// valid for an hour). Each `jti` is kept until its `exp`.
    pub assertion_max_lifetime_secs: u64,
    /// Tolerance for `iat`/`nbf` in the future and `exp` in the past.
    pub clock_skew_secs: u64,
    /// Request bodies above this size get 413.
    pub max_body_bytes: usize,
    /// A request head must be complete this long after the server starts
    /// waiting for it (after the accept, or after the previous response of a
    /// kept-alive connection), so it also bounds silent and unused connections.
    pub header_read_timeout_secs: u64,
    /// A connection that moves no byte either way for this long is closed.
    pub idle_timeout_secs: u64,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Faults to inject; refused unless built with the `faults` feature.
    pub faults: Vec<String>,
    /// Legal alternative answers (`[settings.variants]`, `variants.rs`).
    pub variants: crate::variants::Variants,
    /// Lifetime of a pushed authorization request's `request_uri` (RFC 9126
    /// §2.2: "typically be relatively short (e.g., between 5 and 600 seconds)").
    pub par_ttl_secs: u64,
    /// Pushed requests held at once; past it `POST /oauth/par` answers 503.
    pub max_pushed_authorization_requests: usize,
    /// Every client must use pushed authorization requests (RFC 9126 §4, "globally").
    pub require_pushed_authorization_requests: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: None,
            code_ttl_secs: 60,
            access_token_ttl_secs: 7200,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            assertion_max_lifetime_secs: 3600,
            clock_skew_secs: 10,
            max_body_bytes: 64 * 1024,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 60,
            max_connections: 1024,
            faults: Vec::new(),
            variants: Default::default(),
            par_ttl_secs: 60,
            max_pushed_authorization_requests: crate::routes::par::DEFAULT_MAX_PUSHED,
            require_pushed_authorization_requests: false,
        }
    }
}

/// `Debug` redacts `password` and `totp_secret`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub totp_secret: Option<String>,
}

/// `Debug` redacts `secret`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    pub auth_methods: Vec<AuthMethod>,
    pub grants: Vec<GrantType>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub redirect_policy: RedirectPolicy,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Granted when a request names no scope; default: every allowed scope.
    #[serde(default)]
    pub default_scopes: Option<Vec<String>>,
    #[serde(default)]
    pub pkce: PkcePolicy,
    #[serde(default)]
    pub allow_plain_pkce: bool,
    #[serde(default)]
    pub trusted: bool,
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
    #[serde(default)]
    pub access_token_ttl_secs: Option<u64>,
    /// Segment's token expiration periods: 1d, 2d, 3d, 1w, 2w, 3w, 30d.
    #[serde(default)]
    pub token_expiration_period: Option<String>,
    /// This client must send pushed authorization requests (RFC 9126 §4, "on a
    /// per-client basis"); plain authorization requests are refused.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    pub kid: String,
    pub alg: String,
    pub public_key_pem: String,
}

/// `Debug` redacts `api_key`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub email: String,
    pub api_key: String,
    #[serde(default)]
    pub grants: Vec<AccountGrant>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountGrant {
    pub tenant: String,
    /// elastic.io permission names, or `*` for all.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    pub id: String,
    #[serde(default)]
    pub components: Vec<ComponentConfig>,
    #[serde(default)]
    pub flows: Vec<FlowConfig>,
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    pub id: String,
    pub visible: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    pub id: String,
    pub components: Vec<String>,
}

/// `Debug` redacts `write_key` (it authenticates `/v1/track` calls).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub id: String,
    pub write_key: String,
    /// Segment's source type (`http-api`, `node`, `python`, `public-api`,
    /// `source-function`, `javascript`, ...): only server-side ones can use OAuth.
    #[serde(default = "default_source_kind")]
    pub kind: String,
}

fn default_source_kind() -> String {
    "http-api".to_owned()
}

/// What `Debug` prints for a secret: whether one is set, never its value.
pub(crate) fn redacted(secret: Option<&str>) -> &'static str {
    match secret {
        Some(_) => "[redacted]",
        None => "None",
    }
}

impl fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserConfig")
            .field("username", &self.username)
            .field("password", &redacted(Some(&self.password)))
            .field("name", &self.name)
            .field("email", &self.email)
            .field("totp_secret", &redacted(self.totp_secret.as_deref()))
            .finish()
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("secret", &redacted(self.secret.as_deref()))
            .field("auth_methods", &self.auth_methods)
            .field("grants", &self.grants)
            .field("redirect_uris", &self.redirect_uris)
            .field("redirect_policy", &self.redirect_policy)
            .field("scopes", &self.scopes)
            .field("default_scopes", &self.default_scopes)
            .field("pkce", &self.pkce)
            .field("allow_plain_pkce", &self.allow_plain_pkce)
            .field("trusted", &self.trusted)
            .field("keys", &self.keys)
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("token_expiration_period", &self.token_expiration_period)
            .field(
                "require_pushed_authorization_requests",
                &self.require_pushed_authorization_requests,
            )
            .finish()
    }
}

impl fmt::Debug for AccountConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountConfig")
            .field("email", &self.email)
            .field("api_key", &redacted(Some(&self.api_key)))
            .field("grants", &self.grants)
            .finish()
    }
}

impl fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceConfig")
            .field("id", &self.id)
            .field("write_key", &redacted(Some(&self.write_key)))
            .field("kind", &self.kind)
            .finish()
    }
}

/// Segment's seven token expiration periods, in seconds.
pub fn expiration_period_secs(period: &str) -> Option<u64> {
    const DAY: u64 = 24 * 3600;
    Some(match period {
        "1d" => DAY,
        "2d" => 2 * DAY,
        "3d" => 3 * DAY,
        "1w" => 7 * DAY,
        "2w" => 14 * DAY,
        "3w" => 21 * DAY,
        "30d" => 30 * DAY,
        _ => return None,
    })
}

impl Config {
    /// The built-in demo fixture (docs/demo-fixture.md).
    pub fn demo() -> Self {
        Self::from_toml_str(DEMO_TOML).expect("the embedded demo fixture is valid")
    }

    /// Parses and validates a configuration file's text.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// The faults this configuration asks for (names checked by `validate`).
    pub fn faults(&self) -> Vec<Fault> {
        self.settings
            .faults
            .iter()
            .filter_map(|f| f.parse().ok())
            .collect()
    }

    /// Checks every rule `from_toml_str` checks; `AppState` calls it too, so a
    /// configuration built in code (e.g. with faults pushed into `settings`) is
    /// held to the same rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let s = &self.settings;
        if s.code_ttl_secs == 0 || s.code_ttl_secs > MAX_CODE_TTL_SECS {
            return invalid(format!(
                "settings.code_ttl_secs must be between 1 and {MAX_CODE_TTL_SECS}"
            ));
        }
        if s.par_ttl_secs == 0 || s.par_ttl_secs > 600 || s.max_pushed_authorization_requests == 0 {
            return invalid(
                "settings.par_ttl_secs must be between 1 and 600 and max_pushed_authorization_requests positive",
            );
        }
        if s.header_read_timeout_secs == 0 || s.idle_timeout_secs == 0 {
            return invalid(
                "settings.header_read_timeout_secs and idle_timeout_secs must be positive",
            );
        }
        if s.max_connections == 0 || s.max_connections > MAX_CONNECTIONS {
            return invalid(format!(
                "settings.max_connections must be between 1 and {MAX_CONNECTIONS}"
            ));
        }
        if s.access_token_ttl_secs == 0 || s.refresh_token_ttl_secs == 0 {
            return invalid("token lifetimes must be positive");
        }
        if let Some(issuer) = &s.issuer
            && (issuer.query().is_some() || issuer.fragment().is_some())
        {
            return invalid("settings.issuer must have no query or fragment (RFC 8414 §2)");
        }
        for name in &s.faults {
            if let Err(e) = name.parse::<Fault>() {
                return invalid(e.to_string());
            }
            if !cfg!(feature = "faults") {
                return invalid(format!(
                    "fault {name:?} requested, but this build has no `faults` feature"
                ));
            }
        }
        let mut ids = HashSet::new();
        for u in &self.users {
            if !ids.insert(format!("user:{}", u.username)) {
                return invalid(format!("duplicate user {:?}", u.username));
            }
            if let Some(secret) = &u.totp_secret
                && totp_rs::Secret::Encoded(secret.clone()).to_bytes().is_err()
            {
                return invalid(format!("user {:?}: totp_secret is not base32", u.username));
            }
        }
        for c in &self.clients {
            if !ids.insert(format!("client:{}", c.id)) {
                return invalid(format!("duplicate client {:?}", c.id));
            }
            c.validate()?;
        }
        for a in &self.accounts {
            if !ids.insert(format!("account:{}", a.email)) {
                return invalid(format!("duplicate account {:?}", a.email));
            }
        }
        for t in &self.tenants {
            if !ids.insert(format!("tenant:{}", t.id)) {
                return invalid(format!("duplicate tenant {:?}", t.id));
            }
            for f in &t.flows {
                for comp in &f.components {
                    if !t.components.iter().any(|c| &c.id == comp) {
                        return invalid(format!(
                            "tenant {:?}: flow {:?} uses unknown component {comp:?}",
                            t.id, f.id
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl ClientConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let id = &self.id;
        if self.auth_methods.is_empty() || self.grants.is_empty() {
            return invalid(format!(
                "client {id:?}: auth_methods and grants must not be empty"
            ));
        }
        let secret_methods = [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost];
        let wants_secret = self.auth_methods.iter().any(|m| secret_methods.contains(m));
        if wants_secret != self.secret.is_some() {
            return invalid(format!(
                "client {id:?}: a secret is required exactly when client_secret_basic/post is allowed"
            ));
        }
        let public = self.auth_methods == [AuthMethod::None];
        if self.auth_methods.contains(&AuthMethod::None) && !public {
            return invalid(format!(
                "client {id:?}: `none` cannot be combined with other methods"
            ));
        }
        if public && self.grants.contains(&GrantType::ClientCredentials) {
            return invalid(format!(
                "client {id:?}: a public client cannot use client_credentials"
            ));
        }
        if self.auth_methods.contains(&AuthMethod::PrivateKeyJwt) && self.keys.is_empty() {
            return invalid(format!(
                "client {id:?}: private_key_jwt needs at least one key"
            ));
        }
        if self.keys.len() > 2 {
            return invalid(format!("client {id:?}: at most two keys may be registered"));
        }
        for k in &self.keys {
            k.decode()
                .map_err(|e| ConfigError::Invalid(format!("client {id:?}: {e}")))?;
        }
        let uses_redirect = self
            .grants
            .iter()
            .any(|g| matches!(g, GrantType::AuthorizationCode | GrantType::Implicit));
        if uses_redirect && self.redirect_uris.is_empty() {
            return invalid(format!(
                "client {id:?}: redirect-based grants need redirect_uris"
            ));
        }
        for uri in &self.redirect_uris {
            let parsed = Url::parse(uri).map_err(|e| {
                ConfigError::Invalid(format!("client {id:?}: redirect URI {uri:?}: {e}"))
            })?;
            if parsed.fragment().is_some() {
                return invalid(format!(
                    "client {id:?}: redirect URI {uri:?} has a fragment"
                ));
            }
        }
        if let Some(p) = &self.token_expiration_period
            && expiration_period_secs(p).is_none()
        {
            return invalid(format!(
                "client {id:?}: token_expiration_period must be one of 1d 2d 3d 1w 2w 3w 30d"
            ));
        }
        if let Some(defaults) = &self.default_scopes
            && let Some(bad) = defaults.iter().find(|s| !self.scopes.contains(s))
        {
            return invalid(format!(
                "client {id:?}: default scope {bad:?} is not allowed"
            ));
        }
        Ok(())
    }
}

impl KeyConfig {
    /// Parses the PEM for the declared algorithm (RS256 or ES256 only).
    pub fn decode(&self) -> Result<ClientKey, String> {
        let alg = match self.alg.as_str() {
            "RS256" => Algorithm::RS256,
            "ES256" => Algorithm::ES256,
            other => return Err(format!("key {:?}: unsupported alg {other:?}", self.kid)),
        };
        let key = match alg {
            Algorithm::RS256 => DecodingKey::from_rsa_pem(self.public_key_pem.as_bytes()),
            _ => DecodingKey::from_ec_pem(self.public_key_pem.as_bytes()),
        }
        .map_err(|e| {
            format!(
                "key {:?}: not a {} public key in PEM: {e}",
                self.kid, self.alg
            )
        })?;
        Ok(ClientKey {
            kid: self.kid.clone(),
            alg,
            key,
            public_key_pem: self.public_key_pem.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_fixture_loads() {
        let c = Config::demo();
        assert_eq!(c.users.len(), 2);
        assert!(
            c.clients
                .iter()
                .any(|c| c.id == "demo-jwt" && c.keys.len() == 2)
        );
    }

    fn with_settings(extra: &str) -> Result<Config, ConfigError> {
        Config::from_toml_str(&format!("[settings]\n{extra}\n"))
    }

    #[test]
    fn debug_prints_no_secret() {
        let config = Config::demo();
        let shown = format!("{config:?}");
        let mut secrets = Vec::new();
        for u in &config.users {
            secrets.push(u.password.clone());
            secrets.extend(u.totp_secret.clone());
        }
        secrets.extend(config.clients.iter().filter_map(|c| c.secret.clone()));
        secrets.extend(config.accounts.iter().map(|a| a.api_key.clone()));
        for t in &config.tenants {
            secrets.extend(t.sources.iter().map(|s| s.write_key.clone()));
        }
        assert!(
            secrets.len() >= 10,
            "the demo fixture has secrets of every kind"
        );
        for secret in &secrets {
            assert!(!shown.contains(secret.as_str()), "Debug shows {secret:?}");
        }
        assert!(shown.contains("demo-confidential") && shown.contains("[redacted]"));
    }

    #[test]
    fn rejects_bad_settings() {
        assert!(with_settings("code_ttl_secs = 601").is_err());
        assert!(with_settings("code_ttl_secs = 0").is_err());
        assert!(with_settings("issuer = \"http://x/?q=1\"").is_err());
        assert!(with_settings("faults = [\"no-such-fault\"]").is_err());
        assert!(with_settings("unknown = 1").is_err());
        assert!(with_settings("header_read_timeout_secs = 0").is_err());
        assert!(with_settings("idle_timeout_secs = 0").is_err());
        assert!(with_settings("max_connections = 0").is_err());
        assert!(with_settings("max_connections = 1000001").is_err());
        assert!(with_settings("code_ttl_secs = 600").is_ok());
    }

    #[test]
    fn rejects_inconsistent_clients() {
        let public_with_cc = r#"
            [[client]]
            id = "x"
            auth_methods = ["none"]
            grants = ["client_credentials"]
        "#;
        assert!(Config::from_toml_str(public_with_cc).is_err());
        let fragment = r##"
            [[client]]
            id = "x"
            secret = "s"
            auth_methods = ["client_secret_basic"]
            grants = ["authorization_code"]
            redirect_uris = ["http://127.0.0.1/cb#frag"]
        "##;
        assert!(Config::from_toml_str(fragment).is_err());
        let bad_key = r#"
            [[client]]
            id = "x"
            auth_methods = ["private_key_jwt"]
            grants = ["client_credentials"]
            [[client.keys]]
            kid = "k"
            alg = "RS256"
            public_key_pem = "not a pem"
        "#;
        assert!(Config::from_toml_str(bad_key).is_err());
    }
}
