//! Secret-holding newtypes: their `Debug` prints `[redacted]`, they have no
//! `Display`, and the value is only reachable through an explicit `secret()`.

use subtle::ConstantTimeEq;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// `Debug` prints `[redacted]`; there is no `Display`. Read the value
        /// with [`secret()`](Self::secret) only where it must leave the process.
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value itself. Every call site is a place where the
            /// secret leaves its wrapper: keep them few.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            /// Constant-time comparison, so equality checks leak no timing.
            fn eq(&self, other: &Self) -> bool {
                self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
            }
        }

        impl Eq for $name {}
    };
}

secret_type! {
    /// A confidential client's secret ([RFC 6749 §2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1)).
    ClientSecret
}
secret_type! {
    /// An access token ([RFC 6749 §1.4](https://www.rfc-editor.org/rfc/rfc6749#section-1.4)).
    AccessToken
}
secret_type! {
    /// A refresh token ([RFC 6749 §1.5](https://www.rfc-editor.org/rfc/rfc6749#section-1.5)).
    RefreshToken
}
secret_type! {
    /// An authorization code received on the redirect URI
    /// ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)).
    AuthorizationCode
}
secret_type! {
    /// A PKCE code verifier ([RFC 7636 §4.1](https://www.rfc-editor.org/rfc/rfc7636#section-4.1)).
    PkceVerifier
}
secret_type! {
    /// The opaque `state` value binding a callback to the request that started
    /// it ([RFC 6749 §10.12](https://www.rfc-editor.org/rfc/rfc6749#section-10.12)).
    CsrfState
}
secret_type! {
    /// A resource owner's password, for the password grant
    /// ([RFC 6749 §4.3.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2)).
    ResourceOwnerPassword
}
secret_type! {
    /// A management API account's key, sent as the password of HTTP Basic
    /// `{EMAIL}:{APIKEY}` (elastic.io, Hub, Segment management APIs).
    ApiKey
}
secret_type! {
    /// A signed JWT used as an authorization grant
    /// ([RFC 7523 §2.1](https://www.rfc-editor.org/rfc/rfc7523#section-2.1)).
    Assertion
}

/// Fresh random bytes, base64url-encoded without padding.
pub(crate) fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

impl CsrfState {
    /// A fresh `state` with 256 bits of randomness (RFC 6749 §10.10 asks for
    /// at least 128).
    pub fn random() -> Self {
        Self(random_token(32))
    }

    /// Constant-time comparison against a received `state` value.
    pub(crate) fn matches(&self, received: &str) -> bool {
        self.0.as_bytes().ct_eq(received.as_bytes()).into()
    }
}

impl PkceVerifier {
    /// A fresh verifier: 32 random bytes, base64url (43 characters), as
    /// [RFC 7636 §4.1](https://www.rfc-editor.org/rfc/rfc7636#section-4.1) recommends.
    pub fn random() -> Self {
        Self(random_token(32))
    }

    /// The `S256` challenge for this verifier:
    /// `BASE64URL(SHA256(verifier))` ([RFC 7636 §4.2](https://www.rfc-editor.org/rfc/rfc7636#section-4.2)).
    pub fn s256_challenge(&self) -> String {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = ClientSecret::new("hunter2");
        assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
        assert_eq!(s.secret(), "hunter2");
        let t = AccessToken::new("tok");
        assert!(!format!("{t:?}").contains("tok\""));
        let k = ApiKey::new("demo-admin-key");
        assert_eq!(format!("{k:?}"), "ApiKey([redacted])");
    }

    #[test]
    fn rfc7636_appendix_b_challenge() {
        let v = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            v.s256_challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn state_is_random_and_long() {
        let a = CsrfState::random();
        let b = CsrfState::random();
        assert_ne!(a, b);
        assert!(a.secret().len() >= 22);
        assert!(a.matches(a.secret()));
        assert!(!a.matches(b.secret()));
    }
}
