//! Browser sessions for the login and consent pages, their CSRF tokens, and the
//! authorization requests waiting for a login or a consent decision.
//!
//! Kept in memory: a restart logs users out, which is acceptable for sessions.
//! Session ids and request ids are `crypto::random_token()` values; only their
//! SHA-256 digests are kept as keys, so a memory dump does not yield a usable cookie.

use std::sync::{Mutex, MutexGuard};

use crate::bounded::{BoundedMap, Full, HeapSize, Limits};
use crate::crypto::{TokenHash, random_token};
use crate::model::{ChallengeMethod, Millis};
use crate::scope::ScopeSet;

/// How long a login session lasts (ms).
pub const SESSION_TTL_MS: Millis = 60 * 60 * 1000;
/// How long an authorization request may wait for login or consent (ms).
pub const PENDING_TTL_MS: Millis = 10 * 60 * 1000;
/// The RFC 6238 time step (ms) of the one-time codes.
pub const OTP_STEP_MS: Millis = 30_000;
/// The longest `state` accepted (bytes). Generous for random values and for
/// signed states; beyond it the request is refused with `invalid_request`.
pub const MAX_STATE_BYTES: usize = 4096;
/// The longest `redirect_uri` accepted (bytes): the Phabricator policy lets a
/// client add query parameters, so the parked copy could otherwise be any size.
pub const MAX_REDIRECT_URI_BYTES: usize = 4096;

/// Bounds of each table. Sessions and one-time-code steps are only created
/// after a right password; parked requests by anyone, so their bound is the
/// one a flood reaches (about 32 MiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableLimits {
    pub sessions: Limits,
    pub pending: Limits,
    pub otp_steps: Limits,
}

impl Default for TableLimits {
    fn default() -> Self {
        Self {
            sessions: Limits {
                max_entries: 100_000,
                max_bytes: 32 << 20,
            },
            pending: Limits {
                max_entries: 100_000,
                max_bytes: 32 << 20,
            },
            otp_steps: Limits {
                max_entries: 100_000,
                max_bytes: 8 << 20,
            },
        }
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

impl HeapSize for Session {
    fn heap_bytes(&self) -> usize {
        self.username.len() + self.csrf_token.len()
    }
}

impl HeapSize for PendingAuthorization {
    fn heap_bytes(&self) -> usize {
        self.request.heap_bytes()
    }
}

impl HeapSize for AuthorizationRequest {
    fn heap_bytes(&self) -> usize {
        let r = self;
        // The scope is shared (`Arc<str>`): its text plus the two counts.
        let scope: usize = r.scope.iter().map(|s| s.len() + 1).sum::<usize>() + 16;
        r.client_id.len()
            + r.redirect_uri.len()
            + r.redirect_uri_param.heap_bytes()
            + r.state.heap_bytes()
            + r.challenge.as_ref().map_or(0, |(c, _)| c.len())
            + scope
    }
}

/// The session table, the pending authorization requests and the last
/// accepted one-time-code step per user, each bounded in entries and bytes
/// ([`TableLimits`]); a full table refuses ([`Full`]) rather than evicting.
pub struct Sessions {
    sessions: Mutex<BoundedMap<TokenHash, Session>>,
    pending: Mutex<BoundedMap<TokenHash, PendingAuthorization>>,
    /// Per user, the last RFC 6238 time step whose code was accepted.
    otp_steps: Mutex<BoundedMap<String, u64>>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self::with_limits(TableLimits::default())
    }
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sessions = lock(&self.sessions).len();
        let (pending, pending_bytes) = {
            let p = lock(&self.pending);
            (p.len(), p.bytes())
        };
        f.debug_struct("Sessions")
            .field("sessions", &sessions)
            .field("pending", &pending)
            .field("pending_bytes", &pending_bytes)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every operation is a single insert/remove/lookup: a poisoned map is consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sessions {
    pub fn with_limits(limits: TableLimits) -> Self {
        Self {
            sessions: Mutex::new(BoundedMap::new(limits.sessions, |s| s.expires_at)),
            pending: Mutex::new(BoundedMap::new(limits.pending, |p| p.expires_at)),
            // A step's code is accepted until the end of the next step; after
            // that the record refuses nothing that time does not refuse anyway.
            otp_steps: Mutex::new(BoundedMap::new(limits.otp_steps, |step| {
                step.saturating_add(2).saturating_mul(OTP_STEP_MS)
            })),
        }
    }

    /// Records that `username` used a one-time code of `step`; `Ok(false)` when
    /// a code of this step or a later one was already accepted (RFC 6238 §5.2:
    /// the verifier must not accept the second attempt of the same code). Kept
    /// in memory: after a restart, a code can be replayed within its 90 s window.
    pub fn use_otp_step(&self, username: &str, step: u64, now: Millis) -> Result<bool, Full> {
        let mut steps = lock(&self.otp_steps);
        match steps.get(&username.to_owned()) {
            Some(&last) if last >= step => Ok(false),
            _ => steps.insert(username.to_owned(), step, now).map(|()| true),
        }
    }

    /// Starts a session for `username`; returns the cookie value (the only copy).
    pub fn create(&self, username: &str, now: Millis) -> Result<String, Full> {
        let id = random_token();
        let session = Session {
            username: username.to_owned(),
            csrf_token: random_token(),
            expires_at: now + SESSION_TTL_MS,
        };
        lock(&self.sessions).insert(TokenHash::of(&id), session, now)?;
        Ok(id)
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
    ) -> Result<String, Full> {
        let id = random_token();
        let parked = PendingAuthorization {
            session,
            request,
            expires_at: now + PENDING_TTL_MS,
        };
        lock(&self.pending).insert(TokenHash::of(&id), parked, now)?;
        Ok(id)
    }

    /// Bytes counted in the parked-request table now.
    pub fn pending_bytes(&self) -> usize {
        lock(&self.pending).bytes()
    }

    /// The client of a live request parked before login (for the login page's
    /// heading); leaves the request in place.
    pub fn parked_client(&self, id: &str, now: Millis) -> Option<String> {
        let pending = lock(&self.pending);
        let p = pending.get(&TokenHash::of(id))?;
        (p.session.is_none() && p.expires_at > now).then(|| p.request.client_id.clone())
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

    fn request(state: Option<String>) -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "c".into(),
            kind: ResponseKind::Code,
            redirect_uri: "http://127.0.0.1/cb".into(),
            redirect_uri_param: None,
            scope: ScopeSet::default(),
            state,
            challenge: None,
        }
    }

    /// A table set with the default limits but for what `set` changes.
    fn tables(set: impl FnOnce(&mut TableLimits)) -> Sessions {
        let mut limits = TableLimits::default();
        set(&mut limits);
        Sessions::with_limits(limits)
    }

    fn small(max_entries: usize, max_bytes: usize) -> Limits {
        Limits {
            max_entries,
            max_bytes,
        }
    }

    #[test]
    fn sessions_expire_and_are_keyed_by_hash() {
        let s = Sessions::default();
        let id = s.create("alice", 0).unwrap();
        assert_eq!(s.get(&id, 1).map(|(_, s)| s.username), Some("alice".into()));
        assert!(s.get("other", 1).is_none());
        assert!(s.get(&id, SESSION_TTL_MS).is_none());
        assert!(!format!("{s:?}").contains(&id));
    }

    #[test]
    fn pending_requests_are_single_use_and_bound_to_their_session() {
        let s = Sessions::default();
        let mine = TokenHash::of("mine");
        let id = s.park(Some(mine), request(None), 0).unwrap();
        assert!(s.take(&id, Some(&TokenHash::of("other")), 1).is_none());
        assert!(s.take(&id, None, 1).is_none());
        assert!(s.take(&id, Some(&mine), 1).is_some());
        assert!(s.take(&id, Some(&mine), 1).is_none());
        let id = s.park(None, request(None), 0).unwrap();
        assert!(s.take(&id, None, PENDING_TTL_MS).is_none());
    }

    #[test]
    fn parked_requests_are_bounded_by_bytes_and_freed_on_take() {
        let s = tables(|l| l.pending = small(usize::MAX, 64 * 1024));
        let big = || request(Some("s".repeat(MAX_STATE_BYTES)));
        let mut ids = Vec::new();
        while let Ok(id) = s.park(None, big(), 0) {
            ids.push(id);
        }
        assert!(ids.len() >= 10 && ids.len() < 16, "{} parked", ids.len());
        assert!(s.pending_bytes() <= 64 * 1024);
        assert_eq!(s.park(None, big(), 1), Err(Full), "nothing is evicted");
        assert!(s.take(&ids[0], None, 1).is_some());
        assert!(s.park(None, big(), 1).is_ok());
        // Expired requests make room.
        assert!(s.park(None, big(), PENDING_TTL_MS + 1).is_ok());
        assert!(s.pending_bytes() < 2 * (MAX_STATE_BYTES + 512));
    }

    #[test]
    fn sessions_are_bounded_and_refused_when_full() {
        let s = tables(|l| l.sessions = small(3, usize::MAX));
        let ids: Vec<_> = (0..3).map(|_| s.create("alice", 0).unwrap()).collect();
        assert_eq!(s.create("bob", 1), Err(Full), "no session is evicted");
        assert!(ids.iter().all(|id| s.get(id, 1).is_some()));
        s.remove(&ids[0]);
        assert!(s.create("bob", 1).is_ok());
        let s = tables(|l| l.sessions = small(usize::MAX, 1_000));
        assert_eq!(s.create(&"u".repeat(1_000), 0), Err(Full), "bytes count");
    }

    #[test]
    fn one_time_code_steps_are_bounded_and_expire() {
        let s = tables(|l| l.otp_steps = small(2, usize::MAX));
        assert_eq!(s.use_otp_step("alice", 10, 10 * OTP_STEP_MS), Ok(true));
        assert_eq!(s.use_otp_step("alice", 10, 10 * OTP_STEP_MS), Ok(false));
        assert_eq!(s.use_otp_step("bob", 10, 10 * OTP_STEP_MS), Ok(true));
        assert_eq!(s.use_otp_step("carol", 10, 10 * OTP_STEP_MS), Err(Full));
        assert_eq!(
            s.use_otp_step("alice", 11, 11 * OTP_STEP_MS),
            Ok(true),
            "known user"
        );
        // Two steps later bob's record refuses nothing time does not: it goes.
        assert_eq!(s.use_otp_step("carol", 12, 12 * OTP_STEP_MS), Ok(true));
    }
}
