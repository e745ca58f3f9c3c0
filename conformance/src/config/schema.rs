//! The target file's tables and keys, as serde reads them. Every table refuses
//! unknown keys, so a misspelled key is an error naming it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use url::Url;

use super::pages::{FormChoice, PathBase};

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
    /// How long one request may take, connection and whole body included.
    pub request_timeout_secs: u64,
    /// How long one scenario's requests may take in all (its waits on
    /// purpose, such as the code-expiry wait, not counted): past it, every
    /// request fails at once saying so, so a server that stalls cannot hang
    /// the run.
    pub scenario_deadline_secs: u64,
    /// Lifetime of a pushed request's `request_uri` (RFC 9126 `expires_in`),
    /// if known; the expiry scenario runs only when it is short.
    pub request_uri_lifetime_secs: Option<u64>,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            code_lifetime_secs: 60,
            clock_skew_secs: 5,
            request_timeout_secs: 20,
            scenario_deadline_secs: 120,
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
