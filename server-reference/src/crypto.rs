//! Randomness, hashing and constant-time comparison of secrets.
//!
//! Tokens, codes and client secrets are stored only as SHA-256 digests: they are
//! high-entropy values, so a fast hash is enough and keeps the token endpoint fast
//! (docs/performance.md). User passwords are low-entropy and get Argon2id instead.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 256 bits of randomness, base64url without padding: VSCHAR-only (RFC 6749 App. A)
/// and well above the 128 bits of RFC 6749 §10.10.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 digest under which a token, code or secret is stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Constant-time comparison with the hash of a presented secret.
    pub fn matches(&self, presented: &str) -> bool {
        self.0.ct_eq(&TokenHash::of(presented).0).into()
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A short prefix is enough to correlate log lines; never the secret itself.
        write!(
            f,
            "TokenHash({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

/// An Argon2id PHC string for a user password.
#[derive(Clone)]
pub struct PasswordDigest(String);

impl std::fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordDigest([redacted])")
    }
}

impl PasswordDigest {
    pub fn hash(password: &str) -> Self {
        let mut salt_bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut salt_bytes);
        let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes is a valid salt length");
        let phc = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 with default parameters cannot fail on a generated salt")
            .to_string();
        Self(phc)
    }

    /// Rebuilds a digest loaded from storage.
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// Slow on purpose: call from `spawn_blocking`. Allocates the digest's
    /// Argon2 memory (19 MiB); request handlers use [`Self::verify_with`]
    /// through `hashing::PasswordHashing` instead.
    pub fn verify(&self, password: &str) -> bool {
        match PasswordHash::new(&self.0) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }
}

impl PasswordDigest {
    /// Like [`Self::verify`], with `memory` as Argon2's working memory, so
    /// that repeated checks reuse one allocation. `memory` grows (once) when a
    /// digest asks for more than it holds, up to [`MAX_PASSWORD_MEMORY_BLOCKS`];
    /// a digest asking for more than that is refused.
    pub fn verify_with(&self, password: &str, memory: &mut Vec<Block>) -> bool {
        let Ok(parsed) = PasswordHash::new(&self.0) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return false;
        };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
            return false;
        };
        let Ok(version) = parsed
            .version
            .map_or(Ok(Version::default()), Version::try_from)
        else {
            return false;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return false;
        };
        let blocks = params.block_count();
        if blocks > MAX_PASSWORD_MEMORY_BLOCKS {
            return false;
        }
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let mut salt_buf = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
            return false;
        };
        let mut out = [0u8; 64];
        let Some(out) = out.get_mut(..expected.len()) else {
            return false;
        };
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory[..blocks])
            .is_ok()
            && ct_eq(out, expected.as_bytes())
    }
}

/// The most Argon2 memory a stored digest may ask for: 64 MiB (the default is
/// 19 MiB), so a corrupt record cannot make one check allocate gigabytes.
pub const MAX_PASSWORD_MEMORY_BLOCKS: usize = 64 * 1024;

/// Constant-time equality of two byte strings (lengths may leak, contents do not).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// `BASE64URL(SHA256(verifier))`, the PKCE S256 transform (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_url_safe() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn token_hash_matches_only_its_secret() {
        let h = TokenHash::of("secret");
        assert!(h.matches("secret"));
        assert!(!h.matches("secreT"));
        assert!(!format!("{h:?}").contains("secret"));
    }

    #[test]
    fn password_digest_verifies() {
        let d = PasswordDigest::hash("alice-password");
        assert!(d.verify("alice-password"));
        assert!(!d.verify("alice-passwordx"));
        assert_eq!(format!("{d:?}"), "PasswordDigest([redacted])");
    }

    #[test]
    fn verify_with_a_reused_buffer_agrees_with_verify() {
        let d = PasswordDigest::hash("alice-password");
        let mut memory = Vec::new();
        assert!(d.verify_with("alice-password", &mut memory));
        assert_eq!(memory.len(), Params::DEFAULT.block_count());
        let buffer = memory.as_ptr();
        assert!(!d.verify_with("alice-passwordx", &mut memory));
        assert!(d.verify_with("alice-password", &mut memory));
        assert_eq!(memory.as_ptr(), buffer, "no new allocation");
        assert!(!PasswordDigest::from_phc("not a phc".into()).verify_with("x", &mut memory));
        // A digest made with other parameters (the RFC 9106 low-memory choice).
        let params = Params::new(64 * 1024, 3, 4, None).unwrap();
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string();
        let other = PasswordDigest::from_phc(other);
        assert!(other.verify_with("pw", &mut memory));
        assert!(!other.verify_with("px", &mut memory));
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
