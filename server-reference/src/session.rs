//! Browser sessions for the login and consent pages, their CSRF tokens, and the
//! authorization requests waiting for a login or a consent decision.
//!
//! Kept in memory: a restart logs users out, which is acceptable for sessions.
//! Session ids and request ids are `crypto::random_token()` values; only their
//! SHA-256 digests are kept as keys, so a memory dump does not yield a usable cookie.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::crypto::{TokenHash, random_token};
use crate::model::{ChallengeMethod, Millis};
use crate::scope::ScopeSet;

/// How long a login session lasts (ms).
pub const SESSION_TTL_MS: Millis = 60 * 60 * 1000;
/// How long an authorization request may wait for login or consent (ms).
pub const PENDING_TTL_MS: Millis = 10 * 60 * 1000;
/// Above this many entries, expired ones are swept on insert.
const SWEEP_ABOVE: usize = 1024;
/// Hard cap per table: beyond it the entry closest to expiry is evicted, so
/// unauthenticated requests cannot grow memory without bound.
const MAX_ENTRIES: usize = 100_000;

/// Makes room for one more entry.
fn make_room<V>(map: &mut HashMap<TokenHash, V>, now: Millis, expires_at: impl Fn(&V) -> Millis) {
    if map.len() > SWEEP_ABOVE {
        map.retain(|_, v| expires_at(v) > now);
    }
    while map.len() >= MAX_ENTRIES {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| expires_at(v))
            .map(|(k, _)| *k)
        else {
            break;
        };
        map.remove(&oldest);
    }
}

/// A logged-in user agent.
#[derive(Clone)]
pub struct Session {
    pub username: String,
    /// The synchronizer token the consent form must carry.
    pub csrf_token: String,
    pub expires_at: Millis,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("username", &self.username)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What the authorization endpoint returns in a successful response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// `response_type=code` (RFC 6749 §4.1): parameters in the query.
    Code,
    /// `response_type=token` (RFC 6749 §4.2): parameters in the fragment.
    Token,
}

/// A validated authorization request (RFC 6749 §4.1.1 / §4.2.1).
#[derive(Clone, Debug)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub kind: ResponseKind,
    /// Where the response goes (the parameter, or the single registered URI).
    pub redirect_uri: String,
    /// The `redirect_uri` parameter as sent; `None` when omitted.
    pub redirect_uri_param: Option<String>,
    pub scope: ScopeSet,
    /// Exactly as received.
    pub state: Option<String>,
    pub challenge: Option<(String, ChallengeMethod)>,
}

/// A request parked until the user logs in (no session yet) or decides on consent.
#[derive(Clone, Debug)]
pub struct PendingAuthorization {
    /// The session it is bound to; `None` while waiting for a login.
    pub session: Option<TokenHash>,
    pub request: AuthorizationRequest,
    pub expires_at: Millis,
}

/// The session table and the pending authorization requests.
#[derive(Default)]
pub struct Sessions {
    sessions: Mutex<HashMap<TokenHash, Session>>,
    pending: Mutex<HashMap<TokenHash, PendingAuthorization>>,
    /// Per user, the last RFC 6238 time step whose code was accepted.
    otp_steps: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("sessions", &lock(&self.sessions).len())
            .field("pending", &lock(&self.pending).len())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every operation is a single insert/remove/lookup: a poisoned map is consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sessions {
    /// Records that `username` used a one-time code of `step`; `false` when a code
    /// of this step or a later one was already accepted (RFC 6238 §5.2: the
    /// verifier must not accept the second attempt of the same code). Kept in
    /// memory: after a restart, a code can be replayed within its 90 s window.
    pub fn use_otp_step(&self, username: &str, step: u64) -> bool {
        let mut steps = lock(&self.otp_steps);
        match steps.get(username) {
            Some(&last) if last >= step => false,
            _ => {
                steps.insert(username.to_owned(), step);
                true
            }
        }
    }

    /// Starts a session for `username`; returns the cookie value (the only copy).
    pub fn create(&self, username: &str, now: Millis) -> String {
        let id = random_token();
        let mut sessions = lock(&self.sessions);
        make_room(&mut sessions, now, |s| s.expires_at);
        sessions.insert(
            TokenHash::of(&id),
            Session {
                username: username.to_owned(),
                csrf_token: random_token(),
                expires_at: now + SESSION_TTL_MS,
            },
        );
        id
    }

    /// The live session behind a cookie value, with the key it is stored under.
    pub fn get(&self, id: &str, now: Millis) -> Option<(TokenHash, Session)> {
        let key = TokenHash::of(id);
        let mut sessions = lock(&self.sessions);
        match sessions.get(&key) {
            Some(s) if s.expires_at > now => Some((key, s.clone())),
            Some(_) => {
                sessions.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        lock(&self.sessions).remove(&TokenHash::of(id));
    }

    /// Parks a request; returns its single-use id.
    pub fn park(
        &self,
        session: Option<TokenHash>,
        request: AuthorizationRequest,
        now: Millis,
    ) -> String {
        let id = random_token();
        let mut pending = lock(&self.pending);
        make_room(&mut pending, now, |p| p.expires_at);
        pending.insert(
            TokenHash::of(&id),
            PendingAuthorization {
                session,
                request,
                expires_at: now + PENDING_TTL_MS,
            },
        );
        id
    }

    /// Takes a parked request, once, if it is live and bound to `session`
    /// (`None`: a request parked before login). Anything else leaves it in place.
    pub fn take(
        &self,
        id: &str,
        session: Option<&TokenHash>,
        now: Millis,
    ) -> Option<AuthorizationRequest> {
        let key = TokenHash::of(id);
        let mut pending = lock(&self.pending);
        let p = pending.get(&key)?;
        if p.expires_at <= now {
            pending.remove(&key);
            return None;
        }
        if p.session.as_ref() != session {
            return None;
        }
        pending.remove(&key).map(|p| p.request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "c".into(),
            kind: ResponseKind::Code,
            redirect_uri: "http://127.0.0.1/cb".into(),
            redirect_uri_param: None,
            scope: ScopeSet::default(),
            state: None,
            challenge: None,
        }
    }

    #[test]
    fn sessions_expire_and_are_keyed_by_hash() {
        let s = Sessions::default();
        let id = s.create("alice", 0);
        assert_eq!(s.get(&id, 1).map(|(_, s)| s.username), Some("alice".into()));
        assert!(s.get("other", 1).is_none());
        assert!(s.get(&id, SESSION_TTL_MS).is_none());
        assert!(!format!("{s:?}").contains(&id));
    }

    #[test]
    fn expired_entries_are_swept_when_the_table_grows() {
        let mut m = HashMap::new();
        for i in 0..(SWEEP_ABOVE as u64 + 10) {
            m.insert(TokenHash::of(&i.to_string()), i);
        }
        make_room(&mut m, 100, |v| *v);
        assert!(m.values().all(|v| *v > 100));
        assert_eq!(m.len(), SWEEP_ABOVE + 10 - 101);
    }

    #[test]
    fn pending_requests_are_single_use_and_bound_to_their_session() {
        let s = Sessions::default();
        let mine = TokenHash::of("mine");
        let id = s.park(Some(mine), request(), 0);
        assert!(s.take(&id, Some(&TokenHash::of("other")), 1).is_none());
        assert!(s.take(&id, None, 1).is_none());
        assert!(s.take(&id, Some(&mine), 1).is_some());
        assert!(s.take(&id, Some(&mine), 1).is_none());
        let id = s.park(None, request(), 0);
        assert!(s.take(&id, None, PENDING_TTL_MS).is_none());
    }
}
