//! Shared application state: configuration, store, clock, faults and sessions.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use url::Url;

use crate::config::{Config, ConfigError, Settings, expiration_period_secs};
use crate::crypto::{PasswordDigest, TokenHash};
use crate::faults::Fault;
use crate::model::{Client, Millis, TotpSecret, User};
use crate::scope::ScopeSet;
use crate::session::Sessions;
use crate::store::{MemoryStore, Store};

/// Cheap to clone; everything lives behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Arc<dyn Store>,
    settings: Settings,
    issuer: Url,
    faults: HashSet<Fault>,
    clock: Clock,
    sessions: Sessions,
    throttle: crate::throttle::PasswordThrottle,
    passwords: crate::hashing::PasswordHashing,
    config: Config,
    management: crate::management::Management,
    pushed: crate::routes::par::PushedRequests,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("issuer", &self.0.issuer.as_str())
            .field("faults", &self.0.faults)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state with an in-memory store loaded from `config`.
    pub async fn new(config: Config, issuer: Url) -> Result<Self, ConfigError> {
        Self::with_store(config, issuer, Arc::new(MemoryStore::new())).await
    }

    /// Builds the state over any store, loading the configuration's fixture into it.
    pub async fn with_store(
        config: Config,
        issuer: Url,
        store: Arc<dyn Store>,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let store_err = |e: crate::store::StoreError| ConfigError::Invalid(e.to_string());
        for u in &config.users {
            let password = u.password.clone();
            let digest = tokio::task::spawn_blocking(move || PasswordDigest::hash(&password))
                .await
                .map_err(|e| ConfigError::Invalid(format!("hashing a password failed: {e}")))?;
            let user = User {
                username: u.username.clone(),
                name: u.name.clone().unwrap_or_else(|| u.username.clone()),
                email: u.email.clone().unwrap_or_default(),
                password: digest,
                totp_secret: u.totp_secret.clone().map(TotpSecret),
            };
            store.put_user(user).await.map_err(store_err)?;
        }
        for c in &config.clients {
            store
                .put_client(client_from_config(c)?)
                .await
                .map_err(store_err)?;
        }
        let management = crate::management::Management::load(&config, &*store)
            .await
            .map_err(store_err)?;
        let issuer = config.settings.issuer.clone().unwrap_or(issuer);
        Ok(Self(Arc::new(Inner {
            store,
            settings: config.settings.clone(),
            issuer,
            faults: config.faults().into_iter().collect(),
            clock: Clock::default(),
            sessions: Sessions::default(),
            throttle: crate::throttle::PasswordThrottle::default(),
            passwords: crate::hashing::PasswordHashing::default(),
            management,
            pushed: crate::routes::par::PushedRequests::new(
                config.settings.max_pushed_authorization_requests,
            ),
            config,
        })))
    }

    pub fn store(&self) -> &dyn Store {
        &*self.0.store
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// The configuration the server was started with (the fixture for the
    /// management APIs lives here).
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The issuer identifier, without a trailing slash.
    pub fn issuer(&self) -> &str {
        self.0.issuer.as_str().trim_end_matches('/')
    }

    /// An absolute URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer(), path)
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    pub fn now(&self) -> Millis {
        self.0.clock.now()
    }

    /// The management APIs' records (accounts, tenants, services).
    pub(crate) fn management(&self) -> &crate::management::Management {
        &self.0.management
    }

    /// Pushed authorization requests waiting for their one use (RFC 9126).
    pub(crate) fn pushed_requests(&self) -> &crate::routes::par::PushedRequests {
        &self.0.pushed
    }

    pub fn sessions(&self) -> &Sessions {
        &self.0.sessions
    }

    /// Wrong-password counters of the password grant and the login form.
    pub fn throttle(&self) -> &crate::throttle::PasswordThrottle {
        &self.0.throttle
    }

    /// The bounded pool every request-time password check runs in.
    pub fn passwords(&self) -> &crate::hashing::PasswordHashing {
        &self.0.passwords
    }

    /// Whether a deliberate fault is switched on (always false without `faults`).
    pub fn fault(&self, fault: Fault) -> bool {
        cfg!(feature = "faults") && self.0.faults.contains(&fault)
    }
}

/// Converts a validated client configuration into the stored record.
pub fn client_from_config(c: &crate::config::ClientConfig) -> Result<Client, ConfigError> {
    let keys = c
        .keys
        .iter()
        .map(|k| k.decode().map_err(ConfigError::Invalid))
        .collect::<Result<Vec<_>, _>>()?;
    let scopes = ScopeSet::from_iter(c.scopes.iter().cloned());
    let default_scope = match &c.default_scopes {
        Some(d) => ScopeSet::from_iter(d.iter().cloned()),
        None => scopes.clone(),
    };
    let ttl = c.access_token_ttl_secs.or_else(|| {
        c.token_expiration_period
            .as_deref()
            .and_then(expiration_period_secs)
    });
    Ok(Client {
        id: c.id.as_str().into(),
        name: c.name.clone().unwrap_or_else(|| c.id.clone()),
        secret: c.secret.as_deref().map(TokenHash::of),
        auth_methods: c.auth_methods.clone(),
        grants: c.grants.clone(),
        redirect_uris: c.redirect_uris.clone(),
        redirect_policy: c.redirect_policy,
        scopes,
        default_scope,
        pkce: c.pkce,
        allow_plain_pkce: c.allow_plain_pkce,
        trusted: c.trusted,
        keys,
        access_token_ttl_secs: ttl,
    })
}

/// Wall-clock time with an adjustable offset, so tests can move time forward
/// instead of sleeping.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicU64,
}

impl Clock {
    pub fn now(&self) -> Millis {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        wall + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this server's time forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as u64, Ordering::Relaxed);
    }
}
