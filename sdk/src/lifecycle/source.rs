//! The token source: cache, refresh ahead of expiry, single-flight.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use super::store::{Lease, MemoryStore, Versioned};
use super::{Failure, RetryPolicy, StoreError, TokenStore};
use crate::client::Client;
use crate::error::{Error, ErrorCode};
use crate::flows::grants::TokenRequest;
use crate::response;
use crate::secret::AccessToken;
use crate::token::{Token, TokenResponse};
use crate::types::Scope;

/// How a [`TokenSource`] obtains a new token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// Client credentials ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)):
    /// a new token is fetched with the client's own credentials (no refresh
    /// token is involved, §4.4.3).
    ClientCredentials,
    /// Refresh ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)) with
    /// the refresh token of the current token, which came from a user flow
    /// (authorization code, password) and is given with
    /// [`TokenSourceBuilder::token`] or found in the store. Rotated refresh
    /// tokens are kept; when the server returns none, the old one is kept.
    RefreshToken,
}

/// A cached token that renews itself. Cheap to clone (an `Arc` inside);
/// share one per client and token.
///
/// - [`access_token`](Self::access_token) returns the cached token while it
///   is valid for longer than the *leeway* (default 60 s): cloning it is the
///   whole cost.
/// - Otherwise exactly one request goes out, however many callers are
///   waiting (single-flight): the first caller fetches, the others wait for
///   its outcome and share it, success or error.
/// - Retryable failures (429/502/503/504, timeouts, `temporarily_unavailable`)
///   are retried as the [`RetryPolicy`] says.
/// - A dead refresh token (`invalid_grant`) gives
///   [`Error::ReauthorizationRequired`]; until [`set_token`](Self::set_token)
///   is called no further request is sent.
/// - Clock skew: when the token response's `Date` header says the server
///   produced it earlier than the local clock reads (a server clock behind,
///   or a delayed response), the token's expiry is brought forward by that
///   difference, capped at half its lifetime. The token is therefore never
///   trusted for longer than the server's clock allows; a server clock
///   ahead of ours never lengthens a token's life.
/// - Shared stores: before refreshing, the source reads the store, and takes
///   a token that another source (in this process or another) stored since.
///   Only the holder of the store's refresh [`Lease`](super::Lease)
///   refreshes; the others poll the store until its result is there (at
///   most [`lease_wait`](TokenSourceBuilder::lease_wait)). The new token is
///   saved with a compare-and-swap on the version that was refreshed, and an
///   `invalid_grant` is checked against the store first: when another
///   replica rotated the refresh token meanwhile, its token is used instead.
#[derive(Debug, Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    grant: Grant,
    scopes: Vec<Scope>,
    leeway: Duration,
    retry: RetryPolicy,
    lease_wait: Duration,
    store: Arc<dyn TokenStore>,
    state: RwLock<Arc<State>>,
    flight: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    token: Option<Arc<Token>>,
    /// Bumped by every completed fetch or `set_token`.
    generation: u64,
    /// The store's version of `token` (or of the token it was refreshed
    /// from, when saving it failed).
    version: u64,
    /// The outcome of the last fetch, when it failed.
    error: Option<Failure>,
    /// Server clock minus local clock, in seconds, from the last `Date`.
    skew: Option<i64>,
}

/// Builds a [`TokenSource`].
#[derive(Debug)]
#[must_use = "call .build().await"]
pub struct TokenSourceBuilder {
    client: Client,
    grant: Grant,
    scopes: Vec<Scope>,
    leeway: Duration,
    retry: RetryPolicy,
    lease_wait: Duration,
    store: Arc<dyn TokenStore>,
    token: Option<Token>,
}

/// A renewal's outcome.
struct Renewed {
    token: Arc<Token>,
    version: u64,
    skew: Option<i64>,
    /// Saving the new token failed: it is kept in memory and the caller that
    /// triggered the renewal hears about it.
    save_error: Option<StoreError>,
}

/// What a lease holder's refresh ended with.
enum Leased {
    Done(Renewed),
    /// `invalid_grant`, but the store holds a newer token than the one
    /// refreshed (this version): start again from it.
    Newer(u64),
    Failed(Failure),
}

/// How many times a renewal starts again after `invalid_grant` because the
/// store held a newer token (each time another replica rotated it first).
const MAX_NEWER_ROUNDS: u32 = 3;

fn store_failure(e: StoreError) -> Failure {
    Failure::Renewal(Arc::new(Error::from(e)))
}

impl TokenSource {
    /// A source of client-credentials tokens for `client`.
    pub fn client_credentials(client: Client) -> TokenSourceBuilder {
        Self::builder(client, Grant::ClientCredentials)
    }

    /// A source that refreshes a user's token (give it with
    /// [`TokenSourceBuilder::token`], or let it come from the store).
    pub fn refreshing(client: Client) -> TokenSourceBuilder {
        Self::builder(client, Grant::RefreshToken)
    }

    /// A source renewing its token with `grant`.
    pub fn builder(client: Client, grant: Grant) -> TokenSourceBuilder {
        TokenSourceBuilder {
            client,
            grant,
            scopes: Vec::new(),
            leeway: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            lease_wait: Duration::from_secs(60),
            store: Arc::new(MemoryStore::new()),
            token: None,
        }
    }

    /// The client this source uses.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// A valid access token: the cached one, or a new one.
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        self.token().await.map(|t| t.access_token().clone())
    }

    /// A valid token (with its expiry, scopes and refresh token).
    pub async fn token(&self) -> Result<Arc<Token>, Error> {
        let state = self.snapshot();
        if let Some(t) = &state.token
            && !t.is_expired_within(self.inner.leeway)
        {
            return Ok(Arc::clone(t));
        }
        self.renew(state.generation).await
    }

    /// Renews the token although it looks valid, e.g. after a resource server
    /// answered 401 to `rejected`. If the token has changed since `rejected`
    /// was handed out, the current one is returned and nothing is sent, so a
    /// burst of 401s still causes one request.
    pub async fn refresh_rejected(&self, rejected: &AccessToken) -> Result<Arc<Token>, Error> {
        let state = self.snapshot();
        if let Some(t) = &state.token
            && t.access_token() != rejected
        {
            return Ok(Arc::clone(t));
        }
        self.renew(state.generation).await
    }

    /// Replaces the token, e.g. with the result of a new authorization after
    /// [`Error::ReauthorizationRequired`], and saves it in the store.
    pub async fn set_token(&self, token: Token) -> Result<(), Error> {
        let _flight = self.inner.flight.lock().await;
        let version = self.inner.store.save_versioned(&token, None).await?;
        self.update(Some(Arc::new(token)), None, None, version);
        Ok(())
    }

    /// The server's clock minus the local clock, in seconds, as measured from
    /// the `Date` header of the last token response (1 s resolution).
    pub fn clock_skew_secs(&self) -> Option<i64> {
        self.snapshot().skew
    }

    fn snapshot(&self) -> Arc<State> {
        Arc::clone(&self.inner.state.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn update(
        &self,
        token: Option<Arc<Token>>,
        error: Option<Failure>,
        skew: Option<i64>,
        version: u64,
    ) {
        let mut guard = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        let old = &**guard;
        *guard = Arc::new(State {
            token: token.or_else(|| old.token.clone()),
            generation: old.generation + 1,
            version,
            error,
            skew: skew.or(old.skew),
        });
    }

    /// Single flight: the first caller to take the lock with an unchanged
    /// generation renews; everyone who saw the same generation gets that
    /// renewal's outcome.
    async fn renew(&self, seen: u64) -> Result<Arc<Token>, Error> {
        let _flight = self.inner.flight.lock().await;
        let state = self.snapshot();
        if state.generation != seen {
            return match (&state.error, &state.token) {
                (Some(e), _) => Err(e.clone().into()),
                (None, Some(t)) => Ok(Arc::clone(t)),
                (None, None) => Err(Error::ReauthorizationRequired { cause: None }),
            };
        }
        if let Some(e @ Failure::Reauthorization(_)) = &state.error {
            // Dead refresh token: do not hammer the server with it, unless
            // the store holds another token (set by another replica).
            match self.inner.store.load_versioned().await {
                Ok(s) if s.version != state.version && s.token.is_some() => {}
                _ => return Err(e.clone().into()),
            }
        }
        match self.renew_shared(&state).await {
            Ok(r) => {
                self.update(Some(Arc::clone(&r.token)), None, r.skew, r.version);
                // The new token is in memory either way; the caller that
                // triggered the fetch hears about the failed save.
                match r.save_error {
                    Some(e) => Err(e.into()),
                    None => Ok(r.token),
                }
            }
            Err(e) => {
                self.update(None, Some(e.clone()), None, state.version);
                Err(e.into())
            }
        }
    }

    /// A stored token another source saved since `known`, if it is fresh.
    fn adoptable(&self, stored: &Versioned, known: u64) -> Option<Arc<Token>> {
        let token = stored.token.as_ref()?;
        (stored.version != known && !token.is_expired_within(self.inner.leeway))
            .then(|| Arc::new(token.clone()))
    }

    /// Takes a token another source stored, or the lease and refreshes, or
    /// waits (a bounded poll) for the lease holder's result.
    async fn renew_shared(&self, state: &State) -> Result<Renewed, Failure> {
        let store = &self.inner.store;
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        let mut known = state.version;
        let mut newer_rounds = 0;
        loop {
            let stored = store.load_versioned().await.map_err(store_failure)?;
            if let Some(token) = self.adoptable(&stored, known) {
                return Ok(adopted(token, stored.version));
            }
            if let Some(lease) = store.lease().await.map_err(store_failure)? {
                let outcome = self
                    .holding(&lease, self.refresh_leased(state, known))
                    .await;
                if let Err(e) = store.release(lease).await {
                    tracing::warn!(error = %e, "releasing the refresh lease failed; it ends with its TTL");
                }
                match outcome {
                    Leased::Done(r) => return Ok(r),
                    Leased::Failed(f) => return Err(f),
                    Leased::Newer(refreshed) => {
                        newer_rounds += 1;
                        if newer_rounds > MAX_NEWER_ROUNDS {
                            return Err(Failure::Reauthorization(None));
                        }
                        known = refreshed;
                        continue;
                    }
                }
            }
            let waited = started.elapsed();
            if waited >= self.inner.lease_wait {
                return Err(store_failure(StoreError::LeaseWait { waited }));
            }
            let jitter = rand::random_range(0..=pause.as_millis() as u64 / 2);
            tokio::time::sleep(pause + Duration::from_millis(jitter)).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// Runs `work` while keeping `lease` held: a lease with a TTL is
    /// extended every third of it, so a refresh slower than the TTL (retries,
    /// a slow server) does not hand the lease to another refresher.
    async fn holding<T>(&self, lease: &Lease, work: impl Future<Output = T>) -> T {
        let Some(ttl) = lease.ttl() else {
            return work.await;
        };
        let period = (ttl / 3).max(Duration::from_millis(1));
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                _ = tick.tick() => match self.inner.store.extend(lease).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!("the refresh lease was lost during the refresh"),
                    Err(e) => tracing::warn!(error = %e, "extending the refresh lease failed"),
                },
            }
        }
    }

    /// The lease holder's refresh: read the store again (the previous holder
    /// may have saved just before the lease was taken), refresh the newest
    /// token, save it if the store still holds the version refreshed.
    async fn refresh_leased(&self, state: &State, known: u64) -> Leased {
        let store = &self.inner.store;
        let stored = match store.load_versioned().await {
            Ok(s) => s,
            Err(e) => return Leased::Failed(store_failure(e)),
        };
        if let Some(token) = self.adoptable(&stored, known) {
            return Leased::Done(adopted(token, stored.version));
        }
        // The store's token is the newest, unless it is the version this
        // source already has (whose save may have failed: ours is newer).
        let current = if stored.version == known {
            state.token.as_deref().or(stored.token.as_ref())
        } else {
            stored.token.as_ref().or(state.token.as_deref())
        };
        match self.fetch(current).await {
            Ok((token, skew)) => {
                let token = Arc::new(token);
                match store.save_versioned(&token, Some(stored.version)).await {
                    Ok(version) => Leased::Done(Renewed {
                        token,
                        version,
                        skew,
                        save_error: None,
                    }),
                    Err(StoreError::Conflict { found, .. }) => {
                        // Another writer saved after this lease was taken
                        // (the lease outlived its TTL, or a `set_token`):
                        // its token wins when it is fresh.
                        tracing::warn!(
                            "a newer token was stored during the refresh; the store's is kept"
                        );
                        match store.load_versioned().await {
                            Ok(now) => match self.adoptable(&now, stored.version) {
                                Some(t) => Leased::Done(adopted(t, now.version)),
                                None => Leased::Done(Renewed {
                                    token,
                                    version: found,
                                    skew,
                                    save_error: None,
                                }),
                            },
                            Err(e) => Leased::Done(Renewed {
                                token,
                                version: stored.version,
                                skew,
                                save_error: Some(e),
                            }),
                        }
                    }
                    Err(e) => Leased::Done(Renewed {
                        token,
                        version: stored.version,
                        skew,
                        save_error: Some(e),
                    }),
                }
            }
            Err(f @ Failure::Reauthorization(_)) => {
                // Another replica may already have rotated the token.
                match store.load_versioned().await {
                    Ok(now) if now.version != stored.version && now.token.is_some() => {
                        Leased::Newer(stored.version)
                    }
                    Ok(_) => Leased::Failed(f),
                    Err(e) => Leased::Failed(store_failure(e)),
                }
            }
            Err(f) => Leased::Failed(f),
        }
    }

    async fn fetch(&self, current: Option<&Token>) -> Result<(Token, Option<i64>), Failure> {
        let inner = &self.inner;
        let (request, old_refresh) = match inner.grant {
            Grant::ClientCredentials => (inner.client.client_credentials(), None),
            Grant::RefreshToken => {
                let Some(rt) = current.and_then(Token::refresh_token) else {
                    return Err(Failure::Reauthorization(None));
                };
                (inner.client.refresh(rt), Some(rt.clone()))
            }
        };
        let request = request.scopes(inner.scopes.iter().cloned());
        let result = inner.retry.run(|| send(&inner.client, &request)).await;
        match result {
            Ok((mut resp, skew)) => {
                if let Some(old) = &old_refresh {
                    resp.keep_refresh_token(old);
                }
                Ok((resp.into_token(), skew))
            }
            Err(
                e @ Error::OAuth {
                    code: ErrorCode::InvalidGrant,
                    ..
                },
            ) if inner.grant == Grant::RefreshToken => {
                Err(Failure::Reauthorization(Some(Arc::new(e))))
            }
            Err(e) => Err(Failure::Renewal(Arc::new(e))),
        }
    }
}

fn adopted(token: Arc<Token>, version: u64) -> Renewed {
    Renewed {
        token,
        version,
        skew: None,
        save_error: None,
    }
}

/// Sends one token request; reads the `Date` header to correct the expiry.
async fn send(
    client: &Client,
    request: &TokenRequest,
) -> Result<(TokenResponse, Option<i64>), Error> {
    let req = request.http_request().await?;
    let resp = client.send(req).await?;
    let received = SystemTime::now();
    let date = resp
        .headers()
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let obj = response::json_object(&resp, "token response")?;
    let expires_in = obj
        .get("expires_in")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .map(Duration::from_secs);
    let (received_at, skew) = correct_for_skew(received, date, expires_in);
    Ok((TokenResponse::from_json(obj, received_at)?, skew))
}

/// The instant to count `expires_in` from, and the measured skew.
fn correct_for_skew(
    received: SystemTime,
    date: Option<SystemTime>,
    expires_in: Option<Duration>,
) -> (SystemTime, Option<i64>) {
    let Some(date) = date else {
        return (received, None);
    };
    let skew = match date.duration_since(received) {
        Ok(ahead) => i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    // `Date` has a resolution of one second: ignore differences below 2 s.
    let behind = received
        .duration_since(date)
        .ok()
        .filter(|d| *d >= Duration::from_secs(2));
    let start = match (behind, expires_in) {
        (Some(behind), Some(life)) => received - behind.min(life / 2),
        _ => received,
    };
    (start, Some(skew))
}

impl TokenSourceBuilder {
    /// Sets the scopes to request (default: none, the server's default).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        self.scopes.extend(scopes);
        self
    }

    /// Sets how long before its expiry a token is renewed (default 60 s).
    /// A token whose whole lifetime is shorter than the leeway is renewed on
    /// every call.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets the retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets how long a renewal waits for another process that holds the
    /// store's refresh lease (default 60 s; longer than the lease's TTL, so
    /// that the lease of a process that died ends first, and than a refresh
    /// with its retries, which its holder keeps extending the lease for).
    /// Past it the renewal fails with [`StoreError::LeaseWait`], which is
    /// retryable.
    pub fn lease_wait(mut self, wait: Duration) -> Self {
        self.lease_wait = wait;
        self
    }

    /// Sets the store (default: a [`MemoryStore`]).
    pub fn store(mut self, store: impl TokenStore + 'static) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// Sets a shared store.
    pub fn shared_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = store;
        self
    }

    /// Sets the starting token (e.g. from a code exchange); it replaces the
    /// stored one and is saved.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    /// Loads the stored token (unless one was given) and builds the source.
    /// A corrupt store file fails here with [`StoreError::Corrupt`], and the
    /// file is left as it is.
    pub async fn build(self) -> Result<TokenSource, Error> {
        let stored = match self.token {
            Some(t) => {
                let version = self.store.save_versioned(&t, None).await?;
                Versioned::new(Some(t), version)
            }
            None => self
                .store
                .load_versioned()
                .await
                .map_err(|e: StoreError| Error::from(e))?,
        };
        Ok(TokenSource {
            inner: Arc::new(Inner {
                client: self.client,
                grant: self.grant,
                scopes: self.scopes,
                leeway: self.leeway,
                retry: self.retry,
                lease_wait: self.lease_wait,
                store: self.store,
                state: RwLock::new(Arc::new(State {
                    token: stored.token.map(Arc::new),
                    version: stored.version,
                    ..State::default()
                })),
                flight: tokio::sync::Mutex::new(()),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_brings_expiry_forward_only() {
        let now = SystemTime::now();
        let hour = Duration::from_secs(3600);
        let life = Some(Duration::from_secs(7200));
        let (start, skew) = correct_for_skew(now, Some(now - hour), life);
        assert_eq!(start, now - hour);
        assert_eq!(skew, Some(-3600));
        let (start, skew) = correct_for_skew(now, Some(now + hour), life);
        assert_eq!(start, now);
        assert_eq!(skew, Some(3600));
        // Capped at half the lifetime.
        let (start, _) = correct_for_skew(now, Some(now - 10 * hour), life);
        assert_eq!(start, now - hour);
        assert_eq!(correct_for_skew(now, None, life), (now, None));
    }
}
