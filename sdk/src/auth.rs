//! Client authentication at the token, revocation and introspection
//! endpoints ([RFC 6749 §2.3](https://www.rfc-editor.org/rfc/rfc6749#section-2.3),
//! [RFC 7523 §2.2](https://www.rfc-editor.org/rfc/rfc7523#section-2.2)).
//!
//! [`ClientAuth`] is a trait: implement it to sign assertions with a key that
//! never leaves a KMS or HSM.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use url::Url;

use crate::error::{Error, Result};
use crate::secret::{Assertion, ClientSecret};
use crate::types::ClientId;

/// `client_assertion_type` for JWT client authentication
/// ([RFC 7523 §2.2](https://www.rfc-editor.org/rfc/rfc7523#section-2.2)).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// What a [`ClientAuth`] needs to know about the request it authenticates.
#[derive(Debug)]
pub struct AuthContext<'a> {
    pub(crate) client_id: &'a ClientId,
    pub(crate) endpoint: &'a Url,
    pub(crate) audience: &'a str,
}

impl AuthContext<'_> {
    /// The client's id.
    pub fn client_id(&self) -> &ClientId {
        self.client_id
    }
    /// The endpoint the request goes to.
    pub fn endpoint(&self) -> &Url {
        self.endpoint
    }
    /// The provider's default `aud` for client assertions (its token endpoint
    /// URL unless the provider says otherwise, e.g. Segment's base URL).
    pub fn audience(&self) -> &str {
        self.audience
    }
}

/// A form request to an authenticated endpoint, before it is sent: client
/// authentication adds parameters or headers to it.
#[derive(Default)]
pub struct AuthRequest {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) headers: http::HeaderMap,
}

impl fmt::Debug for AuthRequest {
    /// Names only: values may be secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRequest")
            .field(
                "params",
                &self
                    .params
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl AuthRequest {
    /// Adds a form parameter (`client_id`, `client_assertion`...). A pair
    /// already present is not repeated: a pushed authorization request carries
    /// `client_id` as a request parameter (RFC 9126 §2.1) and
    /// `client_secret_post` adds it again, and RFC 6749 §3.2 says "Request and
    /// response parameters MUST NOT be included more than once".
    pub fn add_param(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let pair = (name.into(), value.into());
        if !self.params.contains(&pair) {
            self.params.push(pair);
        }
    }

    /// Sets a header (`Authorization`...). Mark secret values
    /// [sensitive](http::HeaderValue::set_sensitive).
    pub fn set_header(&mut self, name: http::HeaderName, value: http::HeaderValue) {
        self.headers.insert(name, value);
    }
}

/// A client authentication method. Implementations add credentials to an
/// [`AuthRequest`]; they may be asynchronous (a signature from a KMS).
#[async_trait::async_trait]
pub trait ClientAuth: Send + Sync + fmt::Debug {
    /// Adds this client's credentials to `req`.
    async fn authenticate(&self, ctx: &AuthContext<'_>, req: &mut AuthRequest) -> Result<()>;
}

/// No client authentication: a public client sends only `client_id`
/// ([RFC 6749 §2.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.1), §3.2.1).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoClientAuth;

#[async_trait::async_trait]
impl ClientAuth for NoClientAuth {
    async fn authenticate(&self, ctx: &AuthContext<'_>, req: &mut AuthRequest) -> Result<()> {
        req.add_param("client_id", ctx.client_id.as_str());
        Ok(())
    }
}

/// `client_secret_basic`: HTTP Basic with the client id and secret each
/// `application/x-www-form-urlencoded` before Base64
/// ([RFC 6749 §2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1), Appendix B).
#[derive(Debug, Clone)]
pub struct ClientSecretBasic(pub ClientSecret);

/// The `Authorization` value for `client_secret_basic`.
pub(crate) fn basic_header(id: &str, secret: &str) -> http::HeaderValue {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let creds =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)));
    let mut v = http::HeaderValue::from_str(&format!("Basic {creds}"))
        .expect("base64 is a valid header value");
    v.set_sensitive(true);
    v
}

#[async_trait::async_trait]
impl ClientAuth for ClientSecretBasic {
    async fn authenticate(&self, ctx: &AuthContext<'_>, req: &mut AuthRequest) -> Result<()> {
        req.set_header(
            http::header::AUTHORIZATION,
            basic_header(ctx.client_id.as_str(), self.0.secret()),
        );
        Ok(())
    }
}

/// `client_secret_post`: `client_id` and `client_secret` in the form body
/// ([RFC 6749 §2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1)).
#[derive(Debug, Clone)]
pub struct ClientSecretPost(pub ClientSecret);

#[async_trait::async_trait]
impl ClientAuth for ClientSecretPost {
    async fn authenticate(&self, ctx: &AuthContext<'_>, req: &mut AuthRequest) -> Result<()> {
        req.add_param("client_id", ctx.client_id.as_str());
        req.add_param("client_secret", self.0.secret());
        Ok(())
    }
}

/// The signature algorithm of a [`PrivateKeyJwt`] key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
}

/// `private_key_jwt`: a short-lived JWT signed with the client's private key
/// ([RFC 7523 §2.2](https://www.rfc-editor.org/rfc/rfc7523#section-2.2) and §3).
///
/// Header `alg`, `typ: JWT`, `kid`; claims `iss` = `sub` = client id, `aud`
/// (the provider's default unless [`audience`](Self::audience) is set), `iat`,
/// `exp` at most 60 s later, and a fresh UUID `jti` per assertion.
#[derive(Clone)]
pub struct PrivateKeyJwt {
    key: jsonwebtoken::EncodingKey,
    alg: JwtAlgorithm,
    kid: String,
    audience: Option<String>,
    lifetime: Duration,
}

impl fmt::Debug for PrivateKeyJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKeyJwt")
            .field("key", &"[redacted]")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("audience", &self.audience)
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

/// The longest assertion lifetime the SDK issues (Segment's limit).
pub const MAX_ASSERTION_LIFETIME: Duration = Duration::from_secs(60);

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

impl PrivateKeyJwt {
    /// An RS256 key from a PKCS#1 or PKCS#8 PEM, with its key id.
    pub fn rs256_from_pem(pem: &[u8], kid: impl Into<String>) -> Result<Self> {
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem).map_err(|_| Error::InvalidKey {
            what: "RSA private key",
            reason: "not a PKCS#1 or PKCS#8 RSA private key in PEM".into(),
        })?;
        Ok(Self::with_key(key, JwtAlgorithm::Rs256, kid.into()))
    }

    /// An ES256 (P-256) key from a PKCS#8 PEM, with its key id.
    pub fn es256_from_pem(pem: &[u8], kid: impl Into<String>) -> Result<Self> {
        let key = jsonwebtoken::EncodingKey::from_ec_pem(pem).map_err(|_| Error::InvalidKey {
            what: "EC private key",
            reason: "not a PKCS#8 P-256 private key in PEM".into(),
        })?;
        Ok(Self::with_key(key, JwtAlgorithm::Es256, kid.into()))
    }

    fn with_key(key: jsonwebtoken::EncodingKey, alg: JwtAlgorithm, kid: String) -> Self {
        Self {
            key,
            alg,
            kid,
            audience: None,
            lifetime: MAX_ASSERTION_LIFETIME,
        }
    }

    /// Sets the `aud` claim (default: the provider's assertion audience, which
    /// is the token endpoint URL unless the provider preset says otherwise).
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience = Some(aud.into());
        self
    }

    /// Sets the assertion lifetime (default and maximum: 60 s; longer values
    /// are clamped to 60 s).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime.min(MAX_ASSERTION_LIFETIME);
        self
    }

    /// Signs a fresh assertion for `client_id` and `audience` (the configured
    /// audience wins over the argument).
    pub fn sign(&self, client_id: &ClientId, audience: &str) -> Result<Assertion> {
        let alg = match self.alg {
            JwtAlgorithm::Rs256 => jsonwebtoken::Algorithm::RS256,
            JwtAlgorithm::Es256 => jsonwebtoken::Algorithm::ES256,
        };
        let mut header = jsonwebtoken::Header::new(alg);
        header.typ = Some("JWT".into());
        header.kid = Some(self.kid.clone());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let claims = Claims {
            iss: client_id.as_str(),
            sub: client_id.as_str(),
            aud: self.audience.as_deref().unwrap_or(audience),
            iat: now,
            exp: now + self.lifetime.as_secs(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map(Assertion::new)
            .map_err(|e| Error::InvalidKey {
                what: "client assertion key",
                reason: format!("signing failed: {e}"),
            })
    }
}

#[async_trait::async_trait]
impl ClientAuth for PrivateKeyJwt {
    async fn authenticate(&self, ctx: &AuthContext<'_>, req: &mut AuthRequest) -> Result<()> {
        let assertion = self.sign(ctx.client_id, ctx.audience)?;
        req.add_param("client_assertion_type", JWT_BEARER_ASSERTION_TYPE);
        req.add_param("client_assertion", assertion.secret());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_request_debug_shows_names_only() {
        let mut r = AuthRequest::default();
        r.add_param("client_secret", "s3cr3t");
        r.set_header(http::header::AUTHORIZATION, basic_header("id", "s3cr3t"));
        let d = format!("{r:?}");
        assert!(
            d.contains("client_secret") && d.contains("authorization"),
            "{d}"
        );
        assert!(!d.contains("s3cr3t") && !d.contains("Basic"), "{d}");
    }

    #[test]
    fn appendix_b_basic_encoding() {
        // id `a b:c%` -> `a+b%3Ac%25`, secret `p@ss word+/` -> `p%40ss+word%2B%2F`
        let v = basic_header("a b:c%", "p@ss word+/");
        let b64 = v.to_str().unwrap().strip_prefix("Basic ").unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(
            String::from_utf8(raw).unwrap(),
            "a+b%3Ac%25:p%40ss+word%2B%2F"
        );
        assert!(v.is_sensitive());
    }
}
