//! Operations on issued tokens: revocation ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)),
//! introspection ([RFC 7662](https://www.rfc-editor.org/rfc/rfc7662)) and
//! doorkeeper's token info (`GET /oauth/token/info`).

use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{ParseError, Result};
use crate::response::{self, opt_id, opt_int, opt_str, opt_uint};
use crate::secret::{AccessToken, RefreshToken};
use crate::types::{ClientId, Scope};

/// A token to revoke or introspect, with its kind (sent as `token_type_hint`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyToken {
    /// An access token (`token_type_hint=access_token`).
    Access(AccessToken),
    /// A refresh token (`token_type_hint=refresh_token`).
    Refresh(RefreshToken),
}

impl AnyToken {
    fn parts(&self) -> (&str, &'static str) {
        match self {
            AnyToken::Access(t) => (t.secret(), "access_token"),
            AnyToken::Refresh(t) => (t.secret(), "refresh_token"),
        }
    }
}

impl From<AccessToken> for AnyToken {
    fn from(t: AccessToken) -> Self {
        AnyToken::Access(t)
    }
}
impl From<&AccessToken> for AnyToken {
    fn from(t: &AccessToken) -> Self {
        AnyToken::Access(t.clone())
    }
}
impl From<RefreshToken> for AnyToken {
    fn from(t: RefreshToken) -> Self {
        AnyToken::Refresh(t)
    }
}
impl From<&RefreshToken> for AnyToken {
    fn from(t: &RefreshToken) -> Self {
        AnyToken::Refresh(t.clone())
    }
}

/// A revocation request ([RFC 7009 §2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.1)).
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct RevokeRequest {
    client: Client,
    token: AnyToken,
    hint: bool,
}

/// An introspection request ([RFC 7662 §2.1](https://www.rfc-editor.org/rfc/rfc7662#section-2.1)).
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct IntrospectRequest {
    client: Client,
    token: AnyToken,
    hint: bool,
}

/// A token info request (doorkeeper `GET /oauth/token/info`).
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct TokenInfoRequest {
    client: Client,
    token: AccessToken,
}

impl Client {
    /// Revokes a token ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)).
    /// Revoking an unknown token succeeds (§2.2).
    pub fn revoke(&self, token: impl Into<AnyToken>) -> RevokeRequest {
        RevokeRequest {
            client: self.clone(),
            token: token.into(),
            hint: true,
        }
    }

    /// Asks the server about a token ([RFC 7662](https://www.rfc-editor.org/rfc/rfc7662)).
    pub fn introspect(&self, token: impl Into<AnyToken>) -> IntrospectRequest {
        IntrospectRequest {
            client: self.clone(),
            token: token.into(),
            hint: true,
        }
    }

    /// Asks doorkeeper's `/oauth/token/info` who a token belongs to (GitLab:
    /// verify the application behind an implicit-grant token).
    pub fn token_info(&self, token: &AccessToken) -> TokenInfoRequest {
        TokenInfoRequest {
            client: self.clone(),
            token: token.clone(),
        }
    }
}

macro_rules! hinted_form {
    ($name:ident, $endpoint:ident, $label:literal) => {
        impl $name {
            /// Leaves out `token_type_hint` (default: sent).
            pub fn without_hint(mut self) -> Self {
                self.hint = false;
                self
            }

            /// The exact HTTP request [`send`](Self::send) would send. It
            /// contains secrets.
            pub async fn http_request(&self) -> Result<http::Request<Vec<u8>>> {
                let endpoint = self
                    .client
                    .endpoint(self.client.provider().$endpoint(), $label)?;
                let (token, hint) = self.token.parts();
                let mut params = vec![("token", token.to_owned())];
                if self.hint {
                    params.push(("token_type_hint", hint.to_owned()));
                }
                self.client.form_request(&endpoint, params).await
            }
        }
    };
}

hinted_form!(RevokeRequest, revocation_endpoint, "revocation");
hinted_form!(IntrospectRequest, introspection_endpoint, "introspection");

impl RevokeRequest {
    /// Sends the request. A 200 is success whatever the body; an OAuth error
    /// (e.g. `unsupported_token_type`) or a 503 with `Retry-After` is an error.
    pub async fn send(self) -> Result<()> {
        let resp = self.client.send(self.http_request().await?).await?;
        response::success_body(&resp).map(|_| ())
    }
}

/// An introspection response ([RFC 7662 §2.2](https://www.rfc-editor.org/rfc/rfc7662#section-2.2)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Introspection {
    /// Whether the token is active. When `false`, nothing else is meaningful.
    pub active: bool,
    /// Scopes of the token.
    pub scope: Option<Vec<Scope>>,
    /// The client the token was issued to.
    pub client_id: Option<ClientId>,
    /// The resource owner's human-readable name.
    pub username: Option<String>,
    /// The token type.
    pub token_type: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: Option<i64>,
    /// Issue time, seconds since the epoch.
    pub iat: Option<i64>,
    /// Not-before time, seconds since the epoch.
    pub nbf: Option<i64>,
    /// Subject.
    pub sub: Option<String>,
    /// Audiences (a string or an array on the wire).
    pub aud: Vec<String>,
    /// Issuer.
    pub iss: Option<String>,
    /// Token id.
    pub jti: Option<String>,
    extra: Map<String, Value>,
}

impl Introspection {
    /// Names of the members this SDK does not model.
    pub fn extra_names(&self) -> impl Iterator<Item = &str> {
        self.extra.keys().map(String::as_str)
    }

    /// An unmodelled member, as its JSON text (a string value comes quoted).
    pub fn extra_json(&self, name: &str) -> Option<String> {
        self.extra.get(name).map(Value::to_string)
    }

    /// Reads an introspection response body.
    pub fn parse(body: &[u8]) -> Result<Self> {
        const W: &str = "introspection response";
        let obj: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(Value::Object(o)) => o,
            Ok(_) => return Err(ParseError::new(W, "not a JSON object").into()),
            Err(e) => return Err(ParseError::json(W, e).into()),
        };
        let active = match obj.get("active") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
            _ => return Err(ParseError::new(W, "`active` missing or not a boolean").into()),
        };
        let aud = match obj.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        const KNOWN: [&str; 12] = [
            "active",
            "scope",
            "client_id",
            "username",
            "token_type",
            "exp",
            "iat",
            "nbf",
            "sub",
            "aud",
            "iss",
            "jti",
        ];
        Ok(Self {
            active,
            scope: opt_str(&obj, W, "scope")?.map(|s| Scope::parse_list(&s)),
            client_id: opt_str(&obj, W, "client_id")?.map(ClientId::new),
            username: opt_str(&obj, W, "username")?,
            token_type: opt_str(&obj, W, "token_type")?,
            exp: opt_int(&obj, W, "exp")?,
            iat: opt_int(&obj, W, "iat")?,
            nbf: opt_int(&obj, W, "nbf")?,
            sub: opt_id(&obj, W, "sub")?,
            aud,
            iss: opt_str(&obj, W, "iss")?,
            jti: opt_str(&obj, W, "jti")?,
            extra: obj
                .iter()
                .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }
}

impl IntrospectRequest {
    /// Sends the request and reads the answer.
    pub async fn send(self) -> Result<Introspection> {
        let resp = self.client.send(self.http_request().await?).await?;
        Introspection::parse(response::success_body(&resp)?)
    }
}

/// Doorkeeper's token info (`GET /oauth/token/info`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The user the token acts for (a number on GitLab, kept as text).
    pub resource_owner_id: Option<String>,
    /// The token's scopes (an array or a space-separated string on the wire).
    pub scope: Vec<Scope>,
    /// Seconds until expiry; `None` for a token without expiry.
    pub expires_in_seconds: Option<u64>,
    /// `application.uid`: the client id the token was issued to.
    pub application_uid: Option<ClientId>,
    /// Creation time, seconds since the epoch.
    pub created_at: Option<i64>,
}

impl TokenInfo {
    /// Reads a token info body.
    pub fn parse(body: &[u8]) -> Result<Self> {
        const W: &str = "token info";
        let obj: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(Value::Object(o)) => o,
            Ok(_) => return Err(ParseError::new(W, "not a JSON object").into()),
            Err(e) => return Err(ParseError::json(W, e).into()),
        };
        let scope = match obj.get("scope").or_else(|| obj.get("scopes")) {
            Some(Value::String(s)) => Scope::parse_list(s),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .flat_map(Scope::parse_list)
                .collect(),
            _ => Vec::new(),
        };
        let application_uid = match obj.get("application") {
            Some(Value::Object(app)) => opt_id(app, W, "uid")?.map(ClientId::new),
            _ => None,
        };
        Ok(Self {
            resource_owner_id: opt_id(&obj, W, "resource_owner_id")?,
            scope,
            expires_in_seconds: opt_uint(&obj, W, "expires_in_seconds")
                .or_else(|_| opt_uint(&obj, W, "expires_in"))?,
            application_uid,
            created_at: opt_int(&obj, W, "created_at")?,
        })
    }
}

impl TokenInfoRequest {
    /// The exact HTTP request [`send`](Self::send) would send. It contains the
    /// token.
    pub async fn http_request(&self) -> Result<http::Request<Vec<u8>>> {
        let endpoint = self
            .client
            .endpoint(self.client.provider().token_info_endpoint(), "token info")?;
        let mut req = http::Request::get(endpoint.as_str())
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(crate::error::request_url_error)?;
        self.token.apply_header(&mut req)?;
        Ok(req)
    }

    /// Sends the request. An invalid token gives an OAuth `invalid_token`
    /// error (or an HTTP 401 status error when the server sends no body).
    pub async fn send(self) -> Result<TokenInfo> {
        let resp = self.client.send(self.http_request().await?).await?;
        TokenInfo::parse(response::success_body(&resp)?)
    }
}
