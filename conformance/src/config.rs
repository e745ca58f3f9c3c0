//! The target file (docs/target-file.md): which server to test, what it supports, and how
//! the user agent gets through its login and consent pages.
//!
//! Every table is documented in `conformance/targets/reference.toml`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

mod clients;
mod pages;

pub use pages::{FormChoice, PathBase};

/// Errors while loading a target file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read target file {path}: {source}")]
    Read {
        /// File that failed.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The TOML is malformed or a field has the wrong type.
    #[error("invalid target file: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value is present but unusable.
    #[error("invalid target file: {0}")]
    Invalid(String),
}

/// A whole target file.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Where the server is.
    pub server: Server,
    /// What the server supports; scenarios needing anything else are skipped.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// The registered clients the suite may use.
    pub clients: Clients,
    /// The resource owners.
    pub users: Users,
    /// A protected resource that accepts the issued access tokens.
    pub resource: Option<Resource>,
    /// Lifetimes the timing scenarios rely on.
    #[serde(default)]
    pub timing: Timing,
    /// How the user agent gets through login and consent.
    #[serde(default)]
    pub interaction: Interaction,
    /// The management APIs (tenant OAuth clients, Hub services), if tested.
    pub management: Option<Management>,
    /// How many scenarios run at once when `--concurrency` is not given (a
    /// server with a small connection pool or rate limit wants fewer).
    pub concurrency: Option<usize>,
    /// Directory of the target file, for relative key paths.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// `[server]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// The issuer identifier (RFC 8414); endpoints default to paths below it.
    pub issuer: Url,
    /// Metadata URL; default `{issuer}/.well-known/oauth-authorization-server`.
    pub metadata_url: Option<String>,
    /// Endpoint overrides, absolute or relative to the issuer.
    #[serde(default)]
    pub endpoints: Endpoints,
    /// What a path starting with `/` is relative to: `issuer` (default, below
    /// the issuer's path) or `origin` (the issuer's scheme, host and port, for
    /// servers whose issuer has a path but whose endpoints do not repeat it).
    #[serde(default)]
    pub paths: PathBase,
}

/// `[server.endpoints]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    /// Authorization endpoint.
    pub authorization: Option<String>,
    /// Token endpoint.
    pub token: Option<String>,
    /// Revocation endpoint (RFC 7009).
    pub revocation: Option<String>,
    /// Introspection endpoint (RFC 7662).
    pub introspection: Option<String>,
    /// Doorkeeper-style token info endpoint.
    pub token_info: Option<String>,
    /// Pushed authorization request endpoint (RFC 9126); naming it declares
    /// PAR support (`@needs-par`).
    pub par: Option<String>,
}

/// `[capabilities]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Capabilities {
    /// Grant types: `authorization_code`, `implicit`, `password`,
    /// `client_credentials`, `refresh_token`.
    pub grants: Vec<String>,
    /// Client authentication methods: `client_secret_basic`,
    /// `client_secret_post`, `private_key_jwt`, `none`.
    pub auth_methods: Vec<String>,
    /// `required` (every client), `public` (required for public clients only),
    /// or `optional`.
    pub pkce: String,
    /// Serves RFC 8414 metadata.
    pub metadata: bool,
    /// Sends `iss` in authorization responses (RFC 9207).
    pub iss_parameter: bool,
    /// Serves the doorkeeper token info endpoint.
    pub token_info: bool,
    /// Serves RFC 7662 introspection.
    pub introspection: bool,
    /// Serves RFC 7009 revocation.
    pub revocation: bool,
    /// Rotates refresh tokens on use (RFC 9700 §4.14.2), for every client.
    pub refresh_rotation: bool,
    /// Refresh tokens of public clients are sender-constrained (DPoP, mTLS):
    /// the other way RFC 9700 §4.14.2 allows, which the suite cannot observe.
    pub refresh_sender_constrained: bool,
    /// Rotates refresh tokens for these client types only: `public` and/or
    /// `confidential` (many servers rotate only public clients' tokens).
    pub refresh_rotation_for: Vec<String>,
    /// Loopback redirect URIs match on any port (RFC 8252 §7.3).
    pub loopback_any_port: bool,
    /// Management APIs the server offers (not exercised by the protocol suites).
    pub management_apis: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            grants: vec!["authorization_code".into()],
            auth_methods: vec!["client_secret_basic".into()],
            pkce: "optional".into(),
            metadata: false,
            iss_parameter: false,
            token_info: false,
            introspection: false,
            revocation: false,
            refresh_rotation: false,
            refresh_sender_constrained: false,
            refresh_rotation_for: Vec::new(),
            loopback_any_port: false,
            management_apis: Vec::new(),
        }
    }
}

/// `[clients]`: the roles the scenarios speak of.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clients {
    /// "the confidential client".
    pub confidential: ClientConfig,
    /// "the second confidential client" (binding checks).
    pub confidential2: Option<ClientConfig>,
    /// "the public client" (PKCE, no secret).
    pub public: Option<ClientConfig>,
    /// "the implicit client".
    pub implicit: Option<ClientConfig>,
    /// "the jwt client" (private_key_jwt).
    pub jwt: Option<ClientConfig>,
    /// Further registered clients, each standing in for a `role` when the one
    /// above lacks the grant or authentication method a scenario uses (a
    /// server that allows one grant per client, say).
    #[serde(default)]
    pub extra: Vec<ClientConfig>,
}

/// One registered client.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// client_id.
    pub id: String,
    /// Secret, for confidential clients.
    pub secret: Option<String>,
    /// How the client authenticates by default.
    #[serde(default = "default_auth_method")]
    pub auth_method: String,
    /// Scope requested by default (space separated).
    #[serde(default)]
    pub scope: String,
    /// A scope no scenario ever approves, so that the consent page shows.
    pub consent_scope: Option<String>,
    /// A scope wider than `scope` that the client is allowed but was not
    /// granted (the refresh checks ask for it); default `scope` plus
    /// `consent_scope`.
    pub wider_scope: Option<String>,
    /// Exactly the registered redirect URIs.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// PEM private key for private_key_jwt, relative to the target file.
    pub private_key: Option<PathBuf>,
    /// PEM public key of the same pair (for the key-confusion probe).
    pub public_key: Option<PathBuf>,
    /// Key id sent in the assertion header.
    pub kid: Option<String>,
    /// Signing algorithm (`RS256` or `ES256`).
    #[serde(default = "default_alg")]
    pub alg: String,
    /// The grant types registered for this client (empty: every grant the
    /// target declares). The suite picks, per scenario, a client of the role
    /// that may use the grant.
    #[serde(default)]
    pub grants: Vec<String>,
    /// In `[[clients.extra]]`: the role this client can play
    /// (`confidential`, `confidential2`, `public`, `implicit` or `jwt`).
    pub role: Option<String>,
}

fn default_auth_method() -> String {
    "client_secret_basic".into()
}

fn default_alg() -> String {
    "RS256".into()
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("id", &self.id)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("auth_method", &self.auth_method)
            .field("scope", &self.scope)
            .field("redirect_uris", &self.redirect_uris)
            .field("kid", &self.kid)
            .field("grants", &self.grants)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// `[users]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Users {
    /// An ordinary resource owner.
    pub user: UserConfig,
    /// A user with two-factor authentication (TOTP).
    pub two_factor: Option<UserConfig>,
}

/// One resource owner.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s).
    pub totp_secret: Option<String>,
}

impl fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserConfig")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// `[resource]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// URL, absolute or relative to the issuer.
    pub url: String,
    /// Status that means "the token works".
    #[serde(default = "ok_status")]
    pub ok_status: u16,
    /// A scope the client may obtain that does NOT grant access to the probe
    /// (for the `insufficient_scope` check).
    pub insufficient_scope: Option<String>,
}

fn ok_status() -> u16 {
    200
}

/// An administrator account: HTTP Basic `email:api_key`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Login e-mail.
    pub email: String,
    /// API key (the Basic password).
    pub api_key: String,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// `[management]`: the tenant OAuth-client API (elastic.io) and Hub services.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Management {
    /// Base URL of the management API; default: the issuer.
    pub base_url: Option<String>,
    /// The tenant the scenarios work in.
    pub tenant: String,
    /// An account with every `tenants.oauth_clients.*` permission there.
    pub admin: Account,
    /// An account with only `tenants.oauth_clients.get` there.
    pub reader: Option<Account>,
    /// A visible component (used when components cannot be created).
    pub visible_component: String,
    /// A component that exists in the tenant but is not visible.
    pub hidden_component: Option<String>,
    /// A component a flow of the tenant uses.
    pub used_component: Option<String>,
    /// The server offers `POST /v2/tenants/{T}/components` (and `/flows`), so
    /// every scenario makes its own component: isolated and concurrent-safe.
    #[serde(default)]
    pub creates_components: bool,
    /// A tenant that exists but that the admin account cannot see.
    pub other_tenant: Option<String>,
    /// A Hub administrator (may register services and set `trusted`).
    pub hub_admin: Option<Account>,
    /// Hub token endpoint for registered services; default
    /// `/api/rest/oauth2/token` below the base URL.
    pub hub_token_endpoint: Option<String>,
    /// Hub's resource server, where a service's own token is accepted only once
    /// the service is trusted; default `/api/rest/users/me` below the base URL.
    pub hub_resource: Option<String>,
    /// Segment OAuth apps (`management_apis` lists `"segment-oauth-apps"`).
    pub segment: Option<SegmentApps>,
}

/// `[management.segment]`: Segment OAuth apps, sources and `/v1/track`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentApps {
    /// May create, edit and delete apps, connect sources and toggle
    /// enforcement; default `[management].admin`.
    pub admin: Option<Account>,
    /// A role that may not view or manage apps (Workspace Member).
    pub member: Option<Account>,
    /// A role that may only view apps (Source or Function Read-only).
    pub reader: Option<Account>,
    /// Where apps get tokens (private_key_jwt, client credentials); default
    /// `/token` below the base URL.
    pub token_endpoint: Option<String>,
    /// The tracking API; default `/v1/track` below the base URL.
    pub track_url: Option<String>,
    /// Exactly two RSA key pairs (PEM, relative to the target file): the
    /// apps' first and second public keys, and what the suite signs with.
    pub keys: Vec<KeyPair>,
    /// Sources of the tenant the scenarios may connect and enforce. Each
    /// scenario leases one for itself and leaves it disconnected and not
    /// enforcing; more sources let more scenarios run at once.
    pub sources: Vec<SourceConfig>,
    /// A source of `[management].other_tenant` (for the isolation check).
    pub other_tenant_source: Option<String>,
}

/// An RSA key pair in PEM files.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPair {
    /// PKCS#8 or PKCS#1 private key, for signing client assertions.
    pub private_key: PathBuf,
    /// The matching `-----BEGIN PUBLIC KEY-----`, uploaded to the app.
    pub public_key: PathBuf,
}

/// A Segment source: its id and write key.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Source id (`/v2/tenants/{T}/sources/{id}`).
    pub id: String,
    /// Its write key.
    pub write_key: String,
}

impl fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceConfig")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// `[timing]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timing {
    /// Authorization code lifetime the server is configured with.
    pub code_lifetime_secs: u64,
    /// Clock skew the server tolerates.
    pub clock_skew_secs: u64,
    /// Lifetime of a pushed request's `request_uri` (RFC 9126 `expires_in`),
    /// if known; the expiry scenario runs only when it is short.
    pub request_uri_lifetime_secs: Option<u64>,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            code_lifetime_secs: 60,
            clock_skew_secs: 5,
            request_uri_lifetime_secs: None,
        }
    }
}

/// `[interaction]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Interaction {
    /// `scripted`, `auto-approve` or `manual`.
    pub mode: String,
    /// Cookies to send from the start (`name=value`), e.g. a pre-made session
    /// for an auto-approve server.
    pub cookies: Vec<String>,
    /// Pages the user agent recognises and fills.
    pub pages: Vec<PageScript>,
    /// Other origins the browser follows redirects to (e.g. a separate login
    /// host, `https://sso.example.com`); any other origin is the client's.
    pub follow_origins: Vec<String>,
}

impl Default for Interaction {
    fn default() -> Self {
        Self {
            mode: "scripted".into(),
            cookies: Vec::new(),
            pages: Vec::new(),
            follow_origins: Vec::new(),
        }
    }
}

/// One scripted page: how to recognise it and what to press.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageScript {
    /// `login` or `consent`.
    pub kind: String,
    /// The page URL contains this string (empty: any URL).
    #[serde(default)]
    pub url_contains: String,
    /// The page body contains this string (empty: any body).
    #[serde(default)]
    pub body_contains: String,
    /// Which form of the page to fill, when there are several (by `id`,
    /// `index` or `action_contains`); default: the form holding the button.
    pub form: Option<FormChoice>,
    /// Fields to fill: name → template (`{username}`, `{password}`, `{totp}`).
    /// A field the form lacks is added (e.g. a checkbox to tick: `"1"`).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Submit button for a login page, or "allow" for a consent page.
    pub submit: Button,
    /// The "deny" button of a consent page (or a link: `{ link = "Cancel" }`).
    pub deny: Option<Button>,
}

/// A submit button: `<button name=.. value=..>`; one without a name by its
/// `label` (or the form's only button when the label is left out too); or a
/// link (`<a href>`) by the text it shows.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Button {
    /// Its `name` (empty: a button without a name).
    #[serde(default)]
    pub name: String,
    /// Its `value`.
    #[serde(default)]
    pub value: String,
    /// For a button without a name: the text it shows (contains, ignoring case).
    pub label: Option<String>,
    /// Instead of a button, follow the link whose text contains this.
    pub link: Option<String>,
}

impl Target {
    /// Reads and validates a target file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, base)
    }

    /// Parses target TOML; relative key paths resolve against `base_dir`.
    pub fn parse(text: &str, base_dir: PathBuf) -> Result<Self, ConfigError> {
        let mut target: Target = toml::from_str(text)?;
        target.base_dir = base_dir;
        target.validate()?;
        Ok(target)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !matches!(
            self.interaction.mode.as_str(),
            "scripted" | "auto-approve" | "manual"
        ) {
            return Err(ConfigError::Invalid(format!(
                "[interaction].mode must be scripted, auto-approve or manual, not {:?}",
                self.interaction.mode
            )));
        }
        if self.clients.confidential.redirect_uris.is_empty() {
            return Err(ConfigError::Invalid(
                "[clients.confidential] needs at least one redirect_uris entry".into(),
            ));
        }
        if let Some(seg) = self.management.as_ref().and_then(|m| m.segment.as_ref())
            && (seg.keys.len() != 2 || seg.sources.is_empty())
        {
            return Err(ConfigError::Invalid(
                "[management.segment] needs exactly two `keys` and at least one `sources` entry"
                    .into(),
            ));
        }
        for page in &self.interaction.pages {
            if !matches!(page.kind.as_str(), "login" | "consent") {
                return Err(ConfigError::Invalid(format!(
                    "[[interaction.pages]] kind must be login or consent, not {:?}",
                    page.kind
                )));
            }
            page.validate()?;
        }
        if self.concurrency == Some(0) {
            return Err(ConfigError::Invalid(
                "concurrency must be at least 1 (leave it out for the default)".into(),
            ));
        }
        self.validate_clients()?;
        crate::capability::validate(self)
    }

    /// Resolves a URL that may be relative to the issuer.
    pub fn url(&self, s: &str) -> Url {
        if self.server.paths == PathBase::Origin
            && s.starts_with('/')
            && let Ok(u) = self.server.issuer.join(s)
        {
            return u;
        }
        let mut base = self.server.issuer.clone();
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let rel = s.strip_prefix('/').unwrap_or(s);
        Url::parse(s).or_else(|_| base.join(rel)).unwrap_or(base)
    }

    /// The endpoint URL for one of the endpoints, with the default path.
    pub fn endpoint(&self, which: Endpoint) -> Url {
        let e = &self.server.endpoints;
        let (over, default) = match which {
            Endpoint::Authorization => (&e.authorization, "/oauth/authorize"),
            Endpoint::Token => (&e.token, "/oauth/token"),
            Endpoint::Revocation => (&e.revocation, "/oauth/revoke"),
            Endpoint::Introspection => (&e.introspection, "/oauth/introspect"),
            Endpoint::TokenInfo => (&e.token_info, "/oauth/token/info"),
            Endpoint::Par => (&e.par, "/oauth/par"),
        };
        self.url(over.as_deref().unwrap_or(default))
    }

    /// A management API URL: `path` below `[management].base_url` (default
    /// the issuer).
    pub fn management_url(&self, path: &str) -> Url {
        match self.management.as_ref().and_then(|m| m.base_url.as_deref()) {
            Some(base) => {
                let base = base.trim_end_matches('/');
                Url::parse(&format!("{base}{path}")).unwrap_or_else(|_| self.url(path))
            }
            None => self.url(path),
        }
    }

    /// The RFC 8414 metadata URL.
    pub fn metadata_url(&self) -> Url {
        match &self.server.metadata_url {
            Some(u) => self.url(u),
            None => {
                let mut u = self.server.issuer.clone();
                let path = u.path().trim_end_matches('/').to_owned();
                u.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
                u
            }
        }
    }

    /// The `aud` of client assertions: the issuer, without a trailing slash.
    pub fn audience(&self) -> &str {
        self.server.issuer.as_str().trim_end_matches('/')
    }

    /// `[management.segment]`, if present.
    pub fn segment(&self) -> Option<&SegmentApps> {
        self.management.as_ref()?.segment.as_ref()
    }

    /// Resolves a path from the target file.
    pub fn file(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.base_dir.join(p)
        }
    }
}

/// The endpoints a target exposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// RFC 6749 §3.1.
    Authorization,
    /// RFC 6749 §3.2.
    Token,
    /// RFC 7009.
    Revocation,
    /// RFC 7662.
    Introspection,
    /// Doorkeeper `/oauth/token/info`.
    TokenInfo,
    /// RFC 9126 pushed authorization requests.
    Par,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("issuer", &self.server.issuer.as_str())
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_text() -> String {
        std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets/reference.toml"),
        )
        .unwrap()
    }

    fn reference() -> Target {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets");
        Target::load(&dir.join("reference.toml")).expect("reference.toml parses")
    }

    #[test]
    fn shipped_targets_parse() {
        let t = reference();
        assert_eq!(t.clients.confidential.id, "demo-confidential");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets");
        let g = Target::load(&dir.join("gitlab-example.toml")).expect("gitlab example parses");
        assert!(
            g.missing_capability(&["needs-private-key-jwt".to_string()])
                .is_some()
        );
        assert!(
            g.missing_capability(&["needs-service-registration".to_string()])
                .unwrap()
                .contains("hub_admin")
        );
        assert!(
            g.missing_capability(&["needs-segment-oauth-apps".to_string()])
                .unwrap()
                .contains("[management.segment]")
        );
        assert!(
            t.missing_capability(&["needs-other-tenant-source".to_string()])
                .unwrap()
                .contains("other_tenant_source"),
            "a standalone demo server has no source in another tenant"
        );
        for need in [
            "tenant-oauth-clients",
            "service-registration",
            "other-tenant",
            "segment-oauth-apps",
            "segment-member",
            "segment-reader",
        ] {
            assert_eq!(t.missing_capability(&[format!("needs-{need}")]), None);
        }
    }

    #[test]
    fn interop_target_parses_and_describes_oidc_provider() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop");
        let t = Target::load(&dir.join("oidc-provider.toml")).expect("oidc-provider.toml parses");
        assert_eq!(t.endpoint(Endpoint::Token).path(), "/token");
        assert_eq!(t.metadata_url().path(), "/.well-known/openid-configuration");
        let service = t
            .choose_client("confidential", "client_credentials", None)
            .unwrap();
        assert_eq!(service.id, "conformance-service");
        assert!(t.rotates_refresh_tokens(true) && !t.rotates_refresh_tokens(false));
        assert_eq!(
            t.clients.confidential.wider_scope.as_deref(),
            Some("openid api read")
        );
        let consent = t
            .interaction
            .pages
            .iter()
            .find(|p| p.kind == "consent")
            .unwrap();
        assert!(consent.submit.name.is_empty() && consent.deny.as_ref().unwrap().link.is_some());
    }

    #[test]
    fn origin_paths_skip_the_issuer_path() {
        let text = reference_text().replace(
            "issuer = \"http://127.0.0.1:8080\"",
            "issuer = \"http://127.0.0.1:8080/realms/demo\"",
        );
        let t = Target::parse(&text, PathBuf::new()).unwrap();
        assert_eq!(
            t.endpoint(Endpoint::Token).path(),
            "/realms/demo/oauth/token"
        );
        let t = Target::parse(
            &text.replacen(
                "\n[server.endpoints]\n",
                "\npaths = \"origin\"\n[server.endpoints]\n",
                1,
            ),
            PathBuf::new(),
        )
        .unwrap();
        assert_eq!(t.endpoint(Endpoint::Token).path(), "/oauth/token");
        assert_eq!(t.url("api/v4/user").path(), "/realms/demo/api/v4/user");
    }

    #[test]
    fn bad_page_scripts_and_concurrency_are_clear_errors() {
        let text = reference_text();
        let both = text.replace(
            "deny = { name = \"decision\", value = \"deny\" }",
            "deny = { name = \"decision\", link = \"Cancel\" }",
        );
        let err = Target::parse(&both, PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("deny") && err.contains("link"), "{err}");
        let form = text.replace(
            "submit = { name = \"decision\", value = \"allow\" }",
            "form = { id = \"f\", index = 0 }\nsubmit = { name = \"decision\", value = \"allow\" }",
        );
        let err = Target::parse(&form, PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("exactly one of id, index or action_contains"),
            "{err}"
        );
        let zero = text.replacen("\n[server]\n", "\nconcurrency = 0\n[server]\n", 1);
        let err = Target::parse(&zero, PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("concurrency"), "{err}");
        let ok = text.replacen("\n[server]\n", "\nconcurrency = 4\n[server]\n", 1);
        assert_eq!(
            Target::parse(&ok, PathBuf::new()).unwrap().concurrency,
            Some(4)
        );
    }

    #[test]
    fn endpoints_resolve_against_issuer() {
        let t = reference();
        assert_eq!(t.endpoint(Endpoint::Token).path(), "/oauth/token");
        assert_eq!(
            t.metadata_url().path(),
            "/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn capability_tags_gate_scenarios() {
        let mut t = reference();
        assert_eq!(t.missing_capability(&["needs-password".to_string()]), None);
        t.capabilities.grants.retain(|g| g != "password");
        let why = t.missing_capability(&["must".to_string(), "needs-password".to_string()]);
        assert!(why.unwrap().contains("password grant"));
        assert!(
            t.missing_capability(&["needs-nonsense".to_string()])
                .unwrap()
                .contains("unknown")
        );
    }

    #[test]
    fn bad_mode_is_a_clear_error() {
        let text = reference_text().replace("mode = \"scripted\"", "mode = \"telepathy\"");
        let err = Target::parse(&text, PathBuf::new()).unwrap_err();
        assert!(err.to_string().contains("telepathy"), "{err}");
    }

    #[test]
    fn segment_needs_two_key_pairs_and_a_source() {
        let text = reference_text().replace(
            "sources = [{ id = \"demo-source\", write_key = \"demo-write-key\" }]",
            "sources = []",
        );
        let err = Target::parse(&text, PathBuf::new()).unwrap_err();
        assert!(err.to_string().contains("[management.segment]"), "{err}");
    }

    #[test]
    fn debug_hides_secrets() {
        let t = reference();
        let s = format!("{:?}", t.clients.confidential);
        assert!(!s.contains("demo-confidential-secret"), "{s}");
    }
}
