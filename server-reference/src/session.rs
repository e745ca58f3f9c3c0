//! Browser sessions for the login and consent pages, and their CSRF tokens.
//! Kept in memory: a restart logs users out, which is acceptable for sessions.

/// The session table. (Filled in by the authorization-endpoint work.)
#[derive(Debug, Default)]
pub struct Sessions {}
