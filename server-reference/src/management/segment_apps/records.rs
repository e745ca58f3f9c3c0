//! The records of Segment OAuth apps and sources, loaded from the configuration,
//! and the protocol clients (and tombstones of deleted apps) they stand for.

use super::*;

/// One tenant's apps and sources.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Workspace {
    pub(crate) apps: BTreeMap<String, App>,
    pub(crate) sources: BTreeMap<String, Source>,
    /// Ids of deleted apps, whose clients must stay tombstones.
    #[serde(default)]
    pub(super) deleted: BTreeSet<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct App {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) period: String,
    pub(super) scopes: Vec<String>,
    pub(super) keys: Vec<AppKey>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct AppKey {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) pem: String,
}

/// The source types OAuth supports (seed: "OAuth only supports server-side
/// sources"; its list of supported sources).
pub(super) const SERVER_SIDE: [&str; 5] = [
    "http-api",
    "node",
    "public-api",
    "python",
    "source-function",
];

pub(super) fn http_api() -> String {
    "http-api".to_owned()
}

/// A Segment source: its write key and OAuth settings. `Debug` redacts the
/// write key.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Source {
    pub(crate) id: String,
    pub(crate) write_key: String,
    /// Segment's source type; see [`SERVER_SIDE`].
    #[serde(default = "http_api")]
    pub(crate) kind: String,
    pub(crate) app: Option<String>,
    pub(crate) enforced: bool,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("id", &self.id)
            .field("write_key", &crate::config::redacted(Some(&self.write_key)))
            .field("kind", &self.kind)
            .field("app", &self.app)
            .field("enforced", &self.enforced)
            .finish()
    }
}

/// The workspaces of the configuration's tenants, with their sources.
pub(crate) fn from_config(config: &Config) -> BTreeMap<String, Workspace> {
    config
        .tenants
        .iter()
        .map(|t| {
            let sources = t
                .sources
                .iter()
                .map(|s| {
                    let source = Source {
                        id: s.id.clone(),
                        write_key: s.write_key.clone(),
                        kind: s.kind.clone(),
                        app: None,
                        enforced: false,
                    };
                    (s.id.clone(), source)
                })
                .collect();
            let workspace = Workspace {
                apps: BTreeMap::new(),
                sources,
                deleted: BTreeSet::new(),
            };
            (t.id.clone(), workspace)
        })
        .collect()
}

impl App {
    pub(super) fn to_json(&self, tenant: &str, connected: &[String]) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| json!({"id": k.id, "name": k.name, "publicKey": k.pem}))
            .collect();
        let sources: Vec<Value> = connected
            .iter()
            .map(|s| json!({"id": s, "type": "source"}))
            .collect();
        json!({
            "id": self.id,
            "type": "oauth-app",
            "attributes": {
                "name": self.name,
                "tokenExpirationPeriod": self.period,
                "scopes": self.scopes,
                "keys": keys,
            },
            "relationships": {"sources": {"data": sources}},
            "links": {"self": format!("/v2/tenants/{tenant}/oauth-apps/{}", self.id)},
        })
    }

    /// The protocol client this app is.
    pub(super) fn client(&self) -> Result<Client, ApiError> {
        let keys = self
            .keys
            .iter()
            .map(|k| decode(&k.id, &k.pem))
            .collect::<Result<Vec<_>, _>>()?;
        let scopes = ScopeSet::from_iter(self.scopes.iter().cloned());
        Ok(Client {
            id: self.id.as_str().into(),
            name: self.name.clone(),
            secret: None,
            auth_methods: vec![AuthMethod::PrivateKeyJwt],
            grants: vec![GrantType::ClientCredentials],
            redirect_uris: Vec::new(),
            redirect_policy: RedirectPolicy::default(),
            default_scope: scopes.clone(),
            scopes,
            pkce: PkcePolicy::default(),
            allow_plain_pkce: false,
            trusted: false,
            keys,
            access_token_ttl_secs: expiration_period_secs(&self.period),
        })
    }
}

impl Source {
    pub(super) fn to_json(&self, tenant: &str) -> Value {
        let app = self
            .app
            .as_ref()
            .map(|a| json!({"id": a, "type": "oauth-app"}));
        json!({
            "id": self.id,
            "type": "source",
            "attributes": {"oauthEnforced": self.enforced, "kind": self.kind},
            "relationships": {"oauthApp": {"data": app}},
            "links": {"self": format!("/v2/tenants/{tenant}/sources/{}", self.id)},
        })
    }
}

/// The protocol clients the workspaces' records define: each app's, and a
/// tombstone for each deleted app.
pub(crate) fn clients(
    workspaces: &BTreeMap<String, Workspace>,
) -> impl Iterator<Item = Result<Client, StoreError>> + '_ {
    workspaces.values().flat_map(|ws| {
        let apps = ws.apps.values().map(|a| {
            a.client()
                .map_err(|_| StoreError(format!("saved OAuth app {} has an unreadable key", a.id)))
        });
        apps.chain(ws.deleted.iter().map(|id| Ok(tombstone(id))))
    })
}

/// The grants of the deleted apps' tokens, revoked at deletion and again at
/// start-up (revoking twice is harmless).
pub(crate) fn deleted_grants(
    workspaces: &BTreeMap<String, Workspace>,
) -> impl Iterator<Item = GrantId> + '_ {
    workspaces
        .values()
        .flat_map(|ws| ws.deleted.iter().map(|id| GrantId::of_client(id)))
}

/// The client left behind by a deleted app: nothing it could authenticate with.
pub(super) fn tombstone(id: &str) -> Client {
    Client {
        id: id.into(),
        name: id.to_owned(),
        secret: None,
        auth_methods: Vec::new(),
        grants: Vec::new(),
        redirect_uris: Vec::new(),
        redirect_policy: RedirectPolicy::default(),
        scopes: ScopeSet::default(),
        default_scope: ScopeSet::default(),
        pkce: PkcePolicy::default(),
        allow_plain_pkce: false,
        trusted: false,
        keys: Vec::new(),
        access_token_ttl_secs: None,
    }
}
