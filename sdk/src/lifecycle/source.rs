//! The token source: cache, refresh ahead of expiry, single-flight.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use super::{Failure, RetryPolicy, StoreError, TokenStore, store::MemoryStore};
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
    store: Arc<dyn TokenStore>,
    state: RwLock<Arc<State>>,
    flight: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    token: Option<Arc<Token>>,
    /// Bumped by every completed fetch or `set_token`.
    generation: u64,
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
    store: Arc<dyn TokenStore>,
    token: Option<Token>,
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
        self.inner.store.save(&token).await?;
        self.update(Some(Arc::new(token)), None, None);
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

    fn update(&self, token: Option<Arc<Token>>, error: Option<Failure>, skew: Option<i64>) {
        let mut guard = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        let old = &**guard;
        *guard = Arc::new(State {
            token: token.or_else(|| old.token.clone()),
            generation: old.generation + 1,
            error,
            skew: skew.or(old.skew),
        });
    }

    /// Single flight: the first caller to take the lock with an unchanged
    /// generation fetches; everyone who saw the same generation gets that
    /// fetch's outcome.
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
            // Dead refresh token: do not hammer the server with it.
            return Err(e.clone().into());
        }
        match self.fetch(state.token.as_deref()).await {
            Ok((token, skew)) => {
                let token = Arc::new(token);
                let saved = self.inner.store.save(&token).await;
                self.update(Some(Arc::clone(&token)), None, skew);
                // The new token is in memory either way; the caller that
                // triggered the fetch hears about the failed save.
                saved?;
                Ok(token)
            }
            Err(e) => {
                self.update(None, Some(e.clone()), None);
                Err(e.into())
            }
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
        let token = match self.token {
            Some(t) => {
                self.store.save(&t).await?;
                Some(t)
            }
            None => self
                .store
                .load()
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
                store: self.store,
                state: RwLock::new(Arc::new(State {
                    token: token.map(Arc::new),
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
