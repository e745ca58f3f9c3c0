//! Builds a ready OAuth [`Client`] from an elastic.io `component.json`.
//!
//! A component opts in to tenant OAuth clients with `"useOAuthClient": true`
//! and an `"oauth2": {client_id, client_secret, auth_uri, token_uri}` block;
//! older components name their credentials in `envVars` (`OAUTH_CLIENT_ID` /
//! `OAUTH_CLIENT_SECRET`, `PIZZAVAN_KEY` / `PIZZAVAN_SECRET`...).
//!
//! # Where the credentials come from
//!
//! The `oauth2` block always gives the endpoints (`auth_uri`, `token_uri`).
//! The `client_id` is, in order:
//! 1. with `useOAuthClient` and a tenant given: the tenant's record for the
//!    component (`GET …/oauth-clients?filter[component]=…`); a record marked
//!    unusable (its component was deleted) is skipped;
//! 2. the block's `client_id`, if a literal, or the environment variable it
//!    names as `{{NAME}}`;
//! 3. the legacy env var for the key (`…_CLIENT_ID`, `…_ID` or `…_KEY` in
//!    `envVars`), read from the map given to [`Resolver::env`].
//!
//! The secret comes from 2. or 3. only. **The management API never returns a
//! record's secret** (it is write-only), so a record cannot supply one: when a
//! record is found but neither the block nor the env vars hold a secret, the
//! resolver fails with [`ResolveError::SecretNotRetrievable`] rather than
//! guessing. Which source was used is reported by [`Resolved::secret_source`].

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;
use url::Url;

use super::{ComponentId, ManagementClient, OAuthClients, TenantId};
use crate::client::Client;
use crate::provider::Provider;
use crate::secret::ClientSecret;
use crate::types::ClientId;

/// What can go wrong while resolving a component's OAuth client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The file is not JSON, or a member has the wrong type.
    #[error("malformed component.json: {0}")]
    Malformed(String),
    /// There is no `oauth2` block (so no endpoints), whether or not
    /// `useOAuthClient` is set.
    #[error("component.json has no `oauth2` block{}", if *use_oauth_client { " although `useOAuthClient` is true" } else { "" })]
    MissingOAuth2Block {
        /// Whether the file sets `useOAuthClient`.
        use_oauth_client: bool,
    },
    /// `auth_uri` or `token_uri` is missing or not a URL.
    #[error("`oauth2.{field}` is missing or not an absolute URL")]
    BadEndpoint {
        /// `auth_uri` or `token_uri`.
        field: &'static str,
    },
    /// Neither a tenant record, the `oauth2` block nor the legacy env vars
    /// give a client id (or, without a record, a secret).
    #[error("no OAuth client for component `{component}`: no tenant record, no `oauth2` credentials and no legacy env var{}", if missing.is_empty() { String::new() } else { format!(" (unset: {})", missing.join(", ")) })]
    NoCredentials {
        /// The component.
        component: ComponentId,
        /// Env var names that were looked for and not set.
        missing: Vec<String>,
    },
    /// The tenant's record gives the client id, but its secret cannot be read
    /// back from the API and no env var or `oauth2` block provides it.
    #[error(
        "the tenant's OAuth client for `{component}` was found, but its secret is write-only and no env var or `oauth2.client_secret` provides it"
    )]
    SecretNotRetrievable {
        /// The component.
        component: ComponentId,
    },
    /// The management API failed while looking up the record.
    #[error("looking up the tenant's OAuth client: {0}")]
    Lookup(#[source] crate::Error),
    /// Building the OAuth client failed (e.g. plain HTTP endpoints).
    #[error("building the OAuth client: {0}")]
    Client(#[source] crate::Error),
}

/// The `oauth2` block of a `component.json`. `Debug` redacts `client_secret`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuth2Block {
    /// `client_id`: empty, a literal, or `{{ENV_VAR}}`.
    pub client_id: String,
    /// `client_secret`: empty, a literal, or `{{ENV_VAR}}`. Never logged.
    pub client_secret: String,
    /// `auth_uri` as written.
    pub auth_uri: String,
    /// `token_uri` as written.
    pub token_uri: String,
}

impl fmt::Debug for OAuth2Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A `{{NAME}}` reference names a variable and is no secret; a literal is.
        let secret = self.client_secret.trim();
        let is_reference = secret.starts_with("{{") && secret.ends_with("}}");
        let shown = match () {
            () if secret.is_empty() => "",
            () if is_reference => secret,
            () => "[redacted]",
        };
        f.debug_struct("OAuth2Block")
            .field("client_id", &self.client_id)
            .field("client_secret", &shown)
            .field("auth_uri", &self.auth_uri)
            .field("token_uri", &self.token_uri)
            .finish()
    }
}

/// A parsed `component.json`: what the resolver needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComponentJson {
    /// `useOAuthClient` (default `false`).
    pub use_oauth_client: bool,
    /// The `oauth2` block, if present.
    pub oauth2: Option<OAuth2Block>,
    /// The names declared in `envVars`, in file order.
    pub env_vars: Vec<String>,
}

impl ComponentJson {
    /// Parses a `component.json`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ResolveError> {
        let root: Value = serde_json::from_slice(bytes)
            .map_err(|e| ResolveError::Malformed(format!("invalid JSON: {e}")))?;
        let root = root
            .as_object()
            .ok_or_else(|| ResolveError::Malformed("the document is not an object".into()))?;
        let use_oauth_client = match root.get("useOAuthClient") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(ResolveError::Malformed(
                    "`useOAuthClient` must be a boolean".into(),
                ));
            }
        };
        let oauth2 = match root.get("oauth2") {
            None | Some(Value::Null) => None,
            Some(Value::Object(block)) => {
                let field = |name: &str| match block.get(name) {
                    None | Some(Value::Null) => Ok(String::new()),
                    Some(Value::String(s)) => Ok(s.trim().to_owned()),
                    Some(_) => Err(ResolveError::Malformed(format!(
                        "`oauth2.{name}` must be a string"
                    ))),
                };
                Some(OAuth2Block {
                    client_id: field("client_id")?,
                    client_secret: field("client_secret")?,
                    auth_uri: field("auth_uri")?,
                    token_uri: field("token_uri")?,
                })
            }
            Some(_) => return Err(ResolveError::Malformed("`oauth2` must be an object".into())),
        };
        let env_vars = match root.get("envVars") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(vars)) => vars.keys().cloned().collect(),
            Some(_) => {
                return Err(ResolveError::Malformed(
                    "`envVars` must be an object".into(),
                ));
            }
        };
        Ok(Self {
            use_oauth_client,
            oauth2,
            env_vars,
        })
    }

    /// The legacy env var holding the client id: the first in `envVars`
    /// ending in `CLIENT_ID`, `_ID` or `_KEY`.
    pub fn legacy_id_var(&self) -> Option<&str> {
        ["CLIENT_ID", "_ID", "_KEY"].iter().find_map(|suffix| {
            self.env_vars
                .iter()
                .find(|v| v.to_ascii_uppercase().ends_with(suffix))
                .map(String::as_str)
        })
    }

    /// The legacy env var holding the secret: the first ending in `SECRET`.
    pub fn legacy_secret_var(&self) -> Option<&str> {
        self.env_vars
            .iter()
            .find(|v| v.to_ascii_uppercase().ends_with("SECRET"))
            .map(String::as_str)
    }
}

/// How the resolved client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenEndpointAuth {
    /// `client_secret_post` ([RFC 6749 §2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1)), the default.
    #[default]
    ClientSecretPost,
    /// `client_secret_basic` (HTTP Basic).
    ClientSecretBasic,
}

/// Where the resolved secret came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretSource {
    /// A literal in `oauth2.client_secret`.
    OAuth2Block,
    /// The named environment variable.
    EnvVar(String),
}

/// A resolved client and where its credentials came from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Resolved {
    /// The ready OAuth client.
    pub client: Client,
    /// The tenant record whose `client_id` was used, if one was found.
    pub record: Option<super::OAuthClientRecordId>,
    /// Where the secret came from.
    pub secret_source: SecretSource,
}

/// Resolves a component's OAuth client; see the [module docs](self). `Debug`
/// names the environment's variables, never their values.
pub struct Resolver<'a> {
    component_json: &'a ComponentJson,
    component: ComponentId,
    tenant: Option<OAuthClients>,
    env: HashMap<String, String>,
    auth: TokenEndpointAuth,
    allow_insecure_http: bool,
}

impl fmt::Debug for Resolver<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.env.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Resolver")
            .field("component_json", self.component_json)
            .field("component", &self.component)
            .field("tenant", &self.tenant)
            .field("env_names", &names)
            .field("auth", &self.auth)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl<'a> Resolver<'a> {
    /// A resolver for `component` described by `component_json`. By default:
    /// no tenant lookup, an empty environment, `client_secret_post`, HTTPS only.
    pub fn new(component_json: &'a ComponentJson, component: impl Into<ComponentId>) -> Self {
        Self {
            component_json,
            component: component.into(),
            tenant: None,
            env: HashMap::new(),
            auth: TokenEndpointAuth::default(),
            allow_insecure_http: false,
        }
    }

    /// Looks up the tenant's OAuth-client record when `useOAuthClient` is true.
    pub fn tenant(mut self, api: &ManagementClient, tenant: impl Into<TenantId>) -> Self {
        self.tenant = Some(api.elasticio().oauth_clients(tenant));
        self
    }

    /// The environment to read legacy env vars and `{{NAME}}` references from.
    pub fn env(mut self, env: HashMap<String, String>) -> Self {
        self.env = env;
        self
    }

    /// Reads the environment of the process (`std::env::vars`).
    pub fn process_env(self) -> Self {
        self.env(std::env::vars().collect())
    }

    /// How the client authenticates. Default: `client_secret_post`.
    pub fn auth(mut self, auth: TokenEndpointAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Allows plain-HTTP endpoints to non-loopback hosts (tests only). Default: no.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// A literal, or the env var named by `{{NAME}}`; empty means none.
    fn value(&self, raw: &str, missing: &mut Vec<String>) -> Option<(String, Option<String>)> {
        let raw = raw.trim();
        if let Some(name) = raw.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
            let name = name.trim();
            return match self.env.get(name).filter(|v| !v.is_empty()) {
                Some(v) => Some((v.clone(), Some(name.to_owned()))),
                None => {
                    missing.push(name.to_owned());
                    None
                }
            };
        }
        (!raw.is_empty()).then(|| (raw.to_owned(), None))
    }

    fn var(
        &self,
        name: Option<&str>,
        missing: &mut Vec<String>,
    ) -> Option<(String, Option<String>)> {
        let name = name?;
        match self.env.get(name).filter(|v| !v.is_empty()) {
            Some(v) => Some((v.clone(), Some(name.to_owned()))),
            None => {
                missing.push(name.to_owned());
                None
            }
        }
    }

    /// Resolves the credentials and builds the client.
    pub async fn resolve(self) -> Result<Resolved, ResolveError> {
        let cj = self.component_json;
        let block = cj.oauth2.as_ref().ok_or(ResolveError::MissingOAuth2Block {
            use_oauth_client: cj.use_oauth_client,
        })?;
        let endpoint = |field: &'static str, raw: &str| {
            Url::parse(raw).map_err(|_| ResolveError::BadEndpoint { field })
        };
        let token_uri = endpoint("token_uri", &block.token_uri)?;
        let auth_uri = endpoint("auth_uri", &block.auth_uri)?;

        let mut record = None;
        if cj.use_oauth_client
            && let Some(clients) = &self.tenant
        {
            let found = clients
                .list_for_component(&self.component)
                .send()
                .await
                .map_err(ResolveError::Lookup)?;
            record = found.into_iter().find(|r| r.usable);
        }

        let mut missing = Vec::new();
        let secret = self
            .value(&block.client_secret, &mut missing)
            .or_else(|| self.var(cj.legacy_secret_var(), &mut missing));
        let client_id = match &record {
            Some(r) => Some(r.client_id.as_str().to_owned()),
            None => self
                .value(&block.client_id, &mut missing)
                .or_else(|| self.var(cj.legacy_id_var(), &mut missing))
                .map(|(v, _)| v),
        };
        let (client_id, (secret, secret_var)) = match (client_id, secret) {
            (Some(id), Some(secret)) => (id, secret),
            (Some(_), None) if record.is_some() => {
                return Err(ResolveError::SecretNotRetrievable {
                    component: self.component,
                });
            }
            _ => {
                missing.dedup();
                return Err(ResolveError::NoCredentials {
                    component: self.component,
                    missing,
                });
            }
        };

        let provider = Provider::new(token_uri).with_authorization_endpoint(auth_uri);
        let secret = ClientSecret::new(secret);
        // The seed: "A refresh_token is required for every OAuth 2.0 key".
        let builder = Client::builder(provider, ClientId::new(client_id))
            .allow_insecure_http(self.allow_insecure_http)
            .require_refresh_token(true);
        let builder = match self.auth {
            TokenEndpointAuth::ClientSecretPost => builder.client_secret_post(secret),
            TokenEndpointAuth::ClientSecretBasic => builder.client_secret_basic(secret),
        };
        let client = builder.build().map_err(ResolveError::Client)?;
        Ok(Resolved {
            client,
            record: record.map(|r| r.id),
            secret_source: match secret_var {
                Some(name) => SecretSource::EnvVar(name),
                None => SecretSource::OAuth2Block,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let cj = ComponentJson::parse(
            br#"{"useOAuthClient": true, "envVars": {"OAUTH_CLIENT_SECRET": {}},
                "oauth2": {"client_id": "id-1", "client_secret": "literal-s3cr3t",
                           "auth_uri": "https://p.example/auth", "token_uri": "https://p.example/token"}}"#,
        )
        .unwrap();
        let env = HashMap::from([("OAUTH_CLIENT_SECRET".to_owned(), "env-s3cr3t".to_owned())]);
        let resolver = Resolver::new(&cj, ComponentId::new("c")).env(env);
        let shown = format!("{cj:?} {resolver:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            shown.contains("OAUTH_CLIENT_SECRET") && shown.contains("id-1"),
            "{shown}"
        );
        // A reference names a variable, not a value: shown as written.
        let reference = ComponentJson::parse(
            br#"{"oauth2": {"client_id": "", "client_secret": "{{MY_SECRET}}",
                            "auth_uri": "https://p.example/a", "token_uri": "https://p.example/t"}}"#,
        )
        .unwrap();
        assert!(format!("{reference:?}").contains("{{MY_SECRET}}"));
    }
}
