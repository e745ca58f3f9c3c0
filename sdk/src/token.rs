//! Token responses ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1))
//! and the token the application keeps.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, ParseError, ProtocolViolation, Result};
use crate::provider::TokenPlacement;
use crate::response::{self, opt_str, opt_uint};
use crate::secret::{AccessToken, RefreshToken};
use crate::types::Scope;

/// The `token_type` of an access token ([RFC 6749 §7.1](https://www.rfc-editor.org/rfc/rfc6749#section-7.1)).
///
/// Compared case-insensitively (`bearer`, `Bearer`, `BEARER` are all
/// [`Bearer`](TokenType::Bearer)). A response **without** `token_type` is
/// tolerated and read as `Bearer`: RFC 6749 requires the member, but some
/// deployed servers omit it and every documented provider issues bearer tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenType {
    /// A bearer token ([RFC 6750](https://www.rfc-editor.org/rfc/rfc6750)).
    Bearer,
    /// Any other type, lower-cased.
    Other(String),
}

impl TokenType {
    /// Reads a `token_type` value, case-insensitively.
    pub fn parse(s: &str) -> Self {
        if s.eq_ignore_ascii_case("bearer") {
            Self::Bearer
        } else {
            Self::Other(s.to_ascii_lowercase())
        }
    }

    /// The canonical spelling (`Bearer`, or the lower-cased other type).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Bearer => "Bearer",
            Self::Other(s) => s,
        }
    }
}

/// An access token with what is needed to use and renew it. The expiry is
/// absolute, computed from `expires_in` when the response was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    access_token: AccessToken,
    token_type: TokenType,
    refresh_token: Option<RefreshToken>,
    scopes: Option<Vec<Scope>>,
    expires_at: Option<SystemTime>,
}

impl Token {
    /// A token from its parts (for tokens restored from storage).
    pub fn new(access_token: AccessToken, token_type: TokenType) -> Self {
        Self {
            access_token,
            token_type,
            refresh_token: None,
            scopes: None,
            expires_at: None,
        }
    }

    /// Sets the refresh token.
    pub fn with_refresh_token(mut self, refresh: Option<RefreshToken>) -> Self {
        self.refresh_token = refresh;
        self
    }

    /// Sets the absolute expiry.
    pub fn with_expires_at(mut self, at: Option<SystemTime>) -> Self {
        self.expires_at = at;
        self
    }

    /// Sets the granted scopes.
    pub fn with_scopes(mut self, scopes: Option<Vec<Scope>>) -> Self {
        self.scopes = scopes;
        self
    }

    /// The access token.
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    /// The token type.
    pub fn token_type(&self) -> &TokenType {
        &self.token_type
    }
    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    /// The granted scopes, when the server said (RFC 6749 §5.1: absent means
    /// "as requested").
    pub fn scopes(&self) -> Option<&[Scope]> {
        self.scopes.as_deref()
    }
    /// When the access token expires; `None` when the server gave no
    /// `expires_in` (e.g. Phabricator's `offline_access`).
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the token expires within `leeway` from now.
    pub fn is_expired_within(&self, leeway: Duration) -> bool {
        self.expires_at
            .is_some_and(|at| at <= SystemTime::now() + leeway)
    }

    /// Puts the token on a resource request, in the header or in the query
    /// as `placement` says ([RFC 6750 §2](https://www.rfc-editor.org/rfc/rfc6750#section-2)).
    /// Only bearer tokens can be used this way.
    ///
    /// # Security
    /// With [`TokenPlacement::Query`] the token ends up in the URL.
    pub fn authorize<B>(
        &self,
        req: &mut http::Request<B>,
        placement: TokenPlacement,
    ) -> Result<()> {
        if self.token_type != TokenType::Bearer {
            return Err(ProtocolViolation::UnsupportedTokenType(
                self.token_type.as_str().to_owned(),
            )
            .into());
        }
        match placement {
            TokenPlacement::Header => self.access_token.apply_header(req),
            TokenPlacement::Query => self.access_token.apply_query_to_request(req),
        }
    }
}

impl AccessToken {
    /// Sets `Authorization: Bearer <token>` on a request
    /// ([RFC 6750 §2.1](https://www.rfc-editor.org/rfc/rfc6750#section-2.1)).
    pub fn apply_header<B>(&self, req: &mut http::Request<B>) -> Result<()> {
        let mut v =
            http::HeaderValue::from_str(&format!("Bearer {}", self.secret())).map_err(|_| {
                Error::InvalidParameter {
                    name: "access token".into(),
                    reason: "not a valid HTTP header value".into(),
                }
            })?;
        v.set_sensitive(true);
        req.headers_mut().insert(http::header::AUTHORIZATION, v);
        Ok(())
    }

    /// Appends `access_token=<token>` to a URL's query
    /// ([RFC 6750 §2.3](https://www.rfc-editor.org/rfc/rfc6750#section-2.3)), as Phabricator wants.
    ///
    /// # Security
    /// URLs are logged by proxies and servers and leak through `Referer`:
    /// prefer [`apply_header`](Self::apply_header) wherever the server accepts it.
    pub fn apply_query(&self, url: &mut Url) {
        url.query_pairs_mut()
            .append_pair("access_token", self.secret());
    }

    /// Like [`apply_query`](Self::apply_query), on a request's URI.
    ///
    /// # Security
    /// See [`apply_query`](Self::apply_query).
    pub fn apply_query_to_request<B>(&self, req: &mut http::Request<B>) -> Result<()> {
        let mut url = Url::parse(&req.uri().to_string()).map_err(|_| Error::InvalidUrl {
            what: "request URI",
            reason: "must be absolute to carry a query token".into(),
        })?;
        self.apply_query(&mut url);
        *req.uri_mut() = url.as_str().parse().map_err(|_| Error::InvalidUrl {
            what: "request URI",
            reason: "not a valid URI once the token is added".into(),
        })?;
        Ok(())
    }
}

/// A successful token response ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1)),
/// read leniently: `expires_in` as number or string, `token_type` in any
/// case or absent (read as `Bearer`).
#[derive(Clone)]
pub struct TokenResponse {
    token: Token,
    expires_in: Option<Duration>,
    extra: Map<String, Value>,
}

impl std::fmt::Debug for TokenResponse {
    /// Extra members are listed by name only: they may hold secrets (`id_token`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token", &self.token)
            .field("expires_in", &self.expires_in)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

const WHAT: &str = "token response";
const KNOWN: [&str; 5] = [
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "scope",
];

impl TokenResponse {
    /// Reads a token endpoint's HTTP response: an OAuth error (even with
    /// status 200), a redirect, an HTTP status error, or a token.
    /// The expiry is computed against the current clock.
    pub fn from_http(resp: &http::Response<Vec<u8>>) -> Result<Self> {
        let obj = response::json_object(resp, WHAT)?;
        Self::from_json(obj, SystemTime::now())
    }

    /// Reads a token endpoint's JSON body as if received with status 200.
    pub fn parse(body: &[u8]) -> Result<Self> {
        let resp = http::Response::new(body.to_vec());
        Self::from_http(&resp)
    }

    pub(crate) fn from_json(obj: Map<String, Value>, received_at: SystemTime) -> Result<Self> {
        if let Some(e) = response::oauth_error(&obj, None) {
            return Err(e);
        }
        let access = opt_str(&obj, WHAT, "access_token")?
            .ok_or_else(|| ParseError::new(WHAT, "missing `access_token`"))?;
        let token_type = opt_str(&obj, WHAT, "token_type")?
            .map(|t| TokenType::parse(&t))
            .unwrap_or(TokenType::Bearer);
        let expires_in = opt_uint(&obj, WHAT, "expires_in")?.map(Duration::from_secs);
        let refresh = opt_str(&obj, WHAT, "refresh_token")?
            .filter(|r| !r.is_empty())
            .map(RefreshToken::new);
        let scopes = opt_str(&obj, WHAT, "scope")?.map(|s| Scope::parse_list(&s));
        let expires_at = expires_in.and_then(|d| received_at.checked_add(d));
        let extra = obj
            .into_iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
            .collect();
        Ok(Self {
            token: Token {
                access_token: AccessToken::new(access),
                token_type,
                refresh_token: refresh,
                scopes,
                expires_at,
            },
            expires_in,
            extra,
        })
    }

    /// The token.
    pub fn token(&self) -> &Token {
        &self.token
    }
    /// The token, by value.
    pub fn into_token(self) -> Token {
        self.token
    }
    /// The access token.
    pub fn access_token(&self) -> &AccessToken {
        &self.token.access_token
    }
    /// The token type.
    pub fn token_type(&self) -> &TokenType {
        &self.token.token_type
    }
    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.token.refresh_token.as_ref()
    }
    /// The granted scopes, if the server listed them.
    pub fn scopes(&self) -> Option<&[Scope]> {
        self.token.scopes.as_deref()
    }
    /// `expires_in` as received.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }
    /// The absolute expiry, computed from `expires_in` at receipt.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.token.expires_at
    }
    /// Names of the members this SDK does not model (e.g. `id_token`,
    /// `created_at`).
    pub fn extra_names(&self) -> impl Iterator<Item = &str> {
        self.extra.keys().map(String::as_str)
    }
    /// An unmodelled member, as its JSON text (a string value comes quoted).
    /// It may be a secret (`id_token`).
    pub fn extra_json(&self, name: &str) -> Option<String> {
        self.extra.get(name).map(Value::to_string)
    }
    /// An unmodelled member whose value is a string.
    pub fn extra_str(&self, name: &str) -> Option<&str> {
        self.extra.get(name).and_then(Value::as_str)
    }

    pub(crate) fn keep_refresh_token(&mut self, old: &RefreshToken) {
        if self.token.refresh_token.is_none() {
            self.token.refresh_token = Some(old.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parse() {
        let t = TokenResponse::parse(br#"{"access_token":"a","token_type":"bearer","expires_in":"3600","scope":"api read_user"}"#).unwrap();
        assert_eq!(t.token_type(), &TokenType::Bearer);
        assert_eq!(t.expires_in(), Some(Duration::from_secs(3600)));
        assert_eq!(t.scopes().unwrap().len(), 2);
        let t = TokenResponse::parse(br#"{"access_token":"a"}"#).unwrap();
        assert_eq!(t.token_type(), &TokenType::Bearer);
        assert_eq!(t.expires_at(), None);
    }

    #[test]
    fn debug_never_prints_token_values() {
        let t = TokenResponse::parse(
            br#"{"access_token":"AT-VALUE","refresh_token":"RT-VALUE","id_token":"ID-VALUE"}"#,
        )
        .unwrap();
        let d = format!("{t:?}");
        assert!(!d.contains("VALUE"), "{d}");
        assert!(d.contains("id_token"), "{d}");
        assert_eq!(t.extra_names().collect::<Vec<_>>(), ["id_token"]);
        assert_eq!(t.extra_str("id_token"), Some("ID-VALUE"));
        assert_eq!(t.extra_json("id_token").as_deref(), Some("\"ID-VALUE\""));
    }

    #[test]
    fn parse_error_never_names_values() {
        let e =
            TokenResponse::parse(br#"{"access_token":"SECRETVALUE","expires_in":"SECRETVALUE2"}"#)
                .unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(!text.contains("SECRETVALUE"), "{text}");
        assert!(matches!(e, Error::Parse(_)));
    }

    #[test]
    fn header_and_query_placement() {
        let tok = Token::new(AccessToken::new("t0k"), TokenType::Bearer);
        let mut req = http::Request::get("https://r.example/api/user.whoami?x=1")
            .body(())
            .unwrap();
        tok.authorize(&mut req, TokenPlacement::Query).unwrap();
        assert_eq!(
            req.uri().to_string(),
            "https://r.example/api/user.whoami?x=1&access_token=t0k"
        );
        let mut req = http::Request::get("https://r.example/u").body(()).unwrap();
        tok.authorize(&mut req, TokenPlacement::Header).unwrap();
        assert_eq!(req.headers()[http::header::AUTHORIZATION], "Bearer t0k");
        let mac = Token::new(AccessToken::new("t"), TokenType::parse("MAC"));
        assert!(mac.authorize(&mut req, TokenPlacement::Header).is_err());
    }
}
