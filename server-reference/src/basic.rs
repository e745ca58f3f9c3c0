//! HTTP Basic (RFC 7617): the one decoder of `Authorization: Basic`, shared by
//! client authentication (which form-decodes both halves on top, RFC 6749
//! §2.3.1), the management APIs' administrator accounts and Segment's
//! `/v1/track` write keys.

use std::fmt;

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The user-id and password of a Basic header, as sent (RFC 7617 §2).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    /// `None` when the decoded text has no `:` (Segment's write key alone).
    pub password: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// `None`: no Basic header (none, not visible ASCII, or another scheme).
/// `Some(None)`: a Basic header whose credentials are not base64 of UTF-8.
/// Callers refuse more than one `Authorization` header first
/// (`client_auth::authorization_header`).
pub fn credentials(headers: &HeaderMap) -> Option<Option<Credentials>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    Some(decode(rest.trim()))
}

/// Base64, UTF-8, then a split at the first `:` (RFC 7617 §2: the user-id
/// cannot contain one, the password can).
fn decode(encoded: &str) -> Option<Credentials> {
    let text = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    Some(match text.split_once(':') {
        Some((user, password)) => Credentials {
            user: user.to_owned(),
            password: Some(password.to_owned()),
        },
        None => Credentials {
            user: text,
            password: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    fn basic(raw: &str) -> HeaderMap {
        header(&format!("Basic {}", STANDARD.encode(raw)))
    }

    #[test]
    fn user_and_password_split_at_the_first_colon() {
        let c = credentials(&basic("id:pass:word")).unwrap().unwrap();
        assert_eq!(c.user, "id");
        assert_eq!(c.password.as_deref(), Some("pass:word"));
        let c = credentials(&basic("writekey")).unwrap().unwrap();
        assert_eq!((c.user.as_str(), c.password), ("writekey", None));
        let c = credentials(&header(&format!("bAsIc  {} ", STANDARD.encode("a:")))).unwrap();
        assert_eq!(c.unwrap().password.as_deref(), Some(""));
    }

    #[test]
    fn other_schemes_and_garbage_are_told_apart() {
        assert_eq!(credentials(&HeaderMap::new()), None);
        assert_eq!(credentials(&header("Bearer abc")), None);
        assert_eq!(credentials(&header("Basic !!!")), Some(None));
        let empty = credentials(&header("Basic")).unwrap().unwrap();
        assert_eq!((empty.user.as_str(), empty.password), ("", None));
        let not_utf8 = STANDARD.encode([0xff, b':', b'x']);
        assert_eq!(
            credentials(&header(&format!("Basic {not_utf8}"))),
            Some(None)
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let c = credentials(&basic("id:hunter2")).unwrap().unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
