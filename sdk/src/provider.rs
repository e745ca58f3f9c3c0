//! What the SDK knows about an authorization server: its endpoints and
//! dialect quirks, from a preset or from RFC 8414 metadata.

use url::Url;

use crate::error::{Error, ParseError, ProtocolViolation, Result};
use crate::transport;

mod discovery;
pub use discovery::{DiscoveryBuilder, DiscoveryError};

/// Where a resource server wants the access token
/// ([RFC 6750 §2](https://www.rfc-editor.org/rfc/rfc6750#section-2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenPlacement {
    /// `Authorization: Bearer <token>` ([RFC 6750 §2.1](https://www.rfc-editor.org/rfc/rfc6750#section-2.1)).
    #[default]
    Header,
    /// `?access_token=<token>` ([RFC 6750 §2.3](https://www.rfc-editor.org/rfc/rfc6750#section-2.3)),
    /// as Phabricator wants.
    ///
    /// # Security
    /// URLs end up in logs, browser history and `Referer` headers; use only
    /// where the server accepts nothing else.
    Query,
}

/// A Segment region (the auth server each region's apps use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SegmentRegion {
    /// `https://oauth2.segment.io`
    Us,
    /// `https://oauth2.eu1.segmentapis.com`
    Eu,
}

impl SegmentRegion {
    /// The region's auth server base URL, without trailing slash (it is also
    /// the JWT `aud`).
    pub fn base_url(self) -> &'static str {
        match self {
            SegmentRegion::Us => "https://oauth2.segment.io",
            SegmentRegion::Eu => "https://oauth2.eu1.segmentapis.com",
        }
    }
}

/// An authorization server: endpoints, issuer and dialect quirks.
///
/// Build one with a preset ([`gitlab`](Provider::gitlab), [`hub`](Provider::hub),
/// [`phabricator`](Provider::phabricator), [`segment`](Provider::segment)),
/// from [RFC 8414](https://www.rfc-editor.org/rfc/rfc8414) metadata with
/// [`discover`](Provider::discover), or by hand with [`new`](Provider::new)
/// and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub(crate) issuer: Option<String>,
    pub(crate) authorization_endpoint: Option<Url>,
    pub(crate) token_endpoint: Url,
    pub(crate) revocation_endpoint: Option<Url>,
    pub(crate) introspection_endpoint: Option<Url>,
    pub(crate) token_info_endpoint: Option<Url>,
    pub(crate) resource_endpoint: Option<Url>,
    pub(crate) token_placement: TokenPlacement,
    pub(crate) assertion_audience: Option<String>,
    pub(crate) iss_parameter_supported: bool,
    pub(crate) metadata: Metadata,
}

/// What discovery found beyond the endpoints the SDK calls itself
/// ([RFC 8414 §2](https://www.rfc-editor.org/rfc/rfc8414#section-2),
/// [OpenID Connect Discovery 1.0 §3](https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata)).
/// Empty for presets and providers built by hand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Metadata {
    /// `userinfo_endpoint` (OpenID Connect).
    pub userinfo_endpoint: Option<Url>,
    /// `jwks_uri`: the server's signing keys.
    pub jwks_uri: Option<Url>,
    /// `pushed_authorization_request_endpoint` (RFC 9126).
    pub pushed_authorization_request_endpoint: Option<Url>,
    /// `require_pushed_authorization_requests` (RFC 9126 §5): the code flow
    /// then always pushes ([`AuthorizationCodeBuilder::send`](crate::flows::code::AuthorizationCodeBuilder::send)).
    pub require_pushed_authorization_requests: bool,
    /// `device_authorization_endpoint` (RFC 8628).
    pub device_authorization_endpoint: Option<Url>,
    /// `token_endpoint_auth_methods_supported`.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// `grant_types_supported`.
    pub grant_types_supported: Vec<String>,
    /// `response_types_supported`.
    pub response_types_supported: Vec<String>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `code_challenge_methods_supported` (RFC 7636).
    pub code_challenge_methods_supported: Vec<String>,
}

fn join(base: &Url, path: &str) -> Result<Url> {
    if base.cannot_be_a_base() {
        return Err(Error::InvalidUrl {
            what: "provider base URL",
            reason: "must be hierarchical (http or https)".into(),
        });
    }
    let mut s = base.as_str().trim_end_matches('/').to_owned();
    if base.query().is_some() || base.fragment().is_some() {
        return Err(Error::InvalidUrl {
            what: "provider base URL",
            reason: "must not have a query or fragment".into(),
        });
    }
    s.push_str(path);
    Url::parse(&s).map_err(|e| Error::InvalidUrl {
        what: "endpoint URL",
        reason: e.to_string(),
    })
}

fn issuer_of(base: &Url) -> String {
    base.as_str().trim_end_matches('/').to_owned()
}

impl Provider {
    /// A provider known only by its token endpoint. Add the others with the
    /// `with_*` setters.
    ///
    /// It has no issuer: a callback that carries `iss`
    /// ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)) is then refused with
    /// [`ProtocolViolation::IssuerNotConfigured`],
    /// since it cannot be checked. Set the issuer with
    /// [`Provider::with_issuer`], or use a preset or [`Provider::discover`],
    /// which set it.
    pub fn new(token_endpoint: Url) -> Self {
        Self {
            issuer: None,
            authorization_endpoint: None,
            token_endpoint,
            revocation_endpoint: None,
            introspection_endpoint: None,
            token_info_endpoint: None,
            resource_endpoint: None,
            token_placement: TokenPlacement::Header,
            assertion_audience: None,
            iss_parameter_supported: false,
            metadata: Metadata::default(),
        }
    }

    /// GitLab (doorkeeper): `/oauth/authorize`, `/oauth/token`,
    /// `/oauth/revoke`, `/oauth/introspect`, `/oauth/token/info`, resource
    /// `/api/v4/user`; issuer = `base`.
    pub fn gitlab(base: &Url) -> Result<Self> {
        let mut p = Self::new(join(base, "/oauth/token")?);
        p.issuer = Some(issuer_of(base));
        p.authorization_endpoint = Some(join(base, "/oauth/authorize")?);
        p.revocation_endpoint = Some(join(base, "/oauth/revoke")?);
        p.introspection_endpoint = Some(join(base, "/oauth/introspect")?);
        p.token_info_endpoint = Some(join(base, "/oauth/token/info")?);
        p.resource_endpoint = Some(join(base, "/api/v4/user")?);
        Ok(p)
    }

    /// JetBrains Hub: `/api/rest/oauth2/auth`, `/api/rest/oauth2/token`,
    /// resource `/api/rest/users/me`; issuer = `base`.
    pub fn hub(base: &Url) -> Result<Self> {
        let mut p = Self::new(join(base, "/api/rest/oauth2/token")?);
        p.issuer = Some(issuer_of(base));
        p.authorization_endpoint = Some(join(base, "/api/rest/oauth2/auth")?);
        p.resource_endpoint = Some(join(base, "/api/rest/users/me")?);
        Ok(p)
    }

    /// Phabricator: `/oauthserver/auth/`, `/oauthserver/token/`, resource
    /// `/api/user.whoami` taking the token as `access_token` query parameter.
    pub fn phabricator(base: &Url) -> Result<Self> {
        let mut p = Self::new(join(base, "/oauthserver/token/")?);
        p.issuer = Some(issuer_of(base));
        p.authorization_endpoint = Some(join(base, "/oauthserver/auth/")?);
        p.resource_endpoint = Some(join(base, "/api/user.whoami")?);
        p.token_placement = TokenPlacement::Query;
        Ok(p)
    }

    /// Segment OAuth apps (machine to machine): token endpoint
    /// `<base>/token`; `private_key_jwt` assertions use the base URL as `aud`.
    pub fn segment(region: SegmentRegion) -> Self {
        Self::segment_at(&Url::parse(region.base_url()).expect("constant URL"))
            .expect("constant URL is a valid base")
    }

    /// The Segment dialect at another base URL (a test server, say).
    pub fn segment_at(base: &Url) -> Result<Self> {
        let mut p = Self::new(join(base, "/token")?);
        p.issuer = Some(issuer_of(base));
        p.assertion_audience = Some(issuer_of(base));
        Ok(p)
    }

    /// Starts discovery at `issuer`, for any server that publishes
    /// [RFC 8414](https://www.rfc-editor.org/rfc/rfc8414#section-3) or
    /// [OpenID Connect](https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig)
    /// metadata: `/.well-known/oauth-authorization-server` (inserted before the
    /// issuer's path), then `/.well-known/openid-configuration` (appended, and for
    /// an issuer with a path also inserted). The issuer is checked; the
    /// endpoints, supported methods and the rest are kept ([`Provider::metadata`]).
    ///
    /// ```no_run
    /// # async fn f() -> oauth_sdk::Result<()> {
    /// let provider = oauth_sdk::Provider::discover("https://auth.example.com".parse().unwrap())
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn discover(issuer: Url) -> DiscoveryBuilder {
        DiscoveryBuilder {
            issuer,
            allow_http: false,
            timeout: transport::DEFAULT_TIMEOUT,
        }
    }

    /// Sets the issuer identifier (compared with a callback's `iss`, RFC 9207).
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }
    /// Replaces the token endpoint ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2)),
    /// e.g. to point a dialect preset at a server that serves it elsewhere.
    pub fn with_token_endpoint(mut self, url: Url) -> Self {
        self.token_endpoint = url;
        self
    }
    /// Sets the authorization endpoint ([RFC 6749 §3.1](https://www.rfc-editor.org/rfc/rfc6749#section-3.1)).
    pub fn with_authorization_endpoint(mut self, url: Url) -> Self {
        self.authorization_endpoint = Some(url);
        self
    }
    /// Sets the revocation endpoint ([RFC 7009 §2](https://www.rfc-editor.org/rfc/rfc7009#section-2)).
    pub fn with_revocation_endpoint(mut self, url: Url) -> Self {
        self.revocation_endpoint = Some(url);
        self
    }
    /// Sets the introspection endpoint ([RFC 7662 §2](https://www.rfc-editor.org/rfc/rfc7662#section-2)).
    pub fn with_introspection_endpoint(mut self, url: Url) -> Self {
        self.introspection_endpoint = Some(url);
        self
    }
    /// Sets the doorkeeper token info endpoint (`/oauth/token/info`).
    pub fn with_token_info_endpoint(mut self, url: Url) -> Self {
        self.token_info_endpoint = Some(url);
        self
    }
    /// Sets the "current user" resource endpoint.
    pub fn with_resource_endpoint(mut self, url: Url) -> Self {
        self.resource_endpoint = Some(url);
        self
    }
    /// Sets where resource servers want the access token (default: header).
    pub fn with_token_placement(mut self, placement: TokenPlacement) -> Self {
        self.token_placement = placement;
        self
    }
    /// Sets the default `aud` of `private_key_jwt` client assertions
    /// (default: the token endpoint URL, [RFC 7523 §3](https://www.rfc-editor.org/rfc/rfc7523#section-3)).
    pub fn with_assertion_audience(mut self, aud: impl Into<String>) -> Self {
        self.assertion_audience = Some(aud.into());
        self
    }

    /// Sets the RFC 9126 pushed authorization request endpoint, for
    /// [`push(true)`](crate::flows::code::AuthorizationCodeBuilder::push) with a
    /// preset or a provider built by hand (discovery reads it from metadata).
    pub fn with_pushed_authorization_request_endpoint(mut self, url: Url) -> Self {
        self.metadata.pushed_authorization_request_endpoint = Some(url);
        self
    }

    /// Declares that the server always sends `iss` on callbacks, so a callback
    /// without it is refused ([RFC 9207 §2.4](https://www.rfc-editor.org/rfc/rfc9207#section-2.4)).
    pub fn with_iss_parameter_supported(mut self, supported: bool) -> Self {
        self.iss_parameter_supported = supported;
        self
    }

    /// The issuer identifier, if known.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
    /// The authorization endpoint, if any.
    pub fn authorization_endpoint(&self) -> Option<&Url> {
        self.authorization_endpoint.as_ref()
    }
    /// The token endpoint.
    pub fn token_endpoint(&self) -> &Url {
        &self.token_endpoint
    }
    /// The revocation endpoint, if any.
    pub fn revocation_endpoint(&self) -> Option<&Url> {
        self.revocation_endpoint.as_ref()
    }
    /// The introspection endpoint, if any.
    pub fn introspection_endpoint(&self) -> Option<&Url> {
        self.introspection_endpoint.as_ref()
    }
    /// The doorkeeper token info endpoint, if any.
    pub fn token_info_endpoint(&self) -> Option<&Url> {
        self.token_info_endpoint.as_ref()
    }
    /// The "current user" resource endpoint, if any.
    pub fn resource_endpoint(&self) -> Option<&Url> {
        self.resource_endpoint.as_ref()
    }
    /// Everything else discovery found (userinfo, JWKS, PAR and device
    /// endpoints, supported methods).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    /// Where resource servers want the access token.
    pub fn token_placement(&self) -> TokenPlacement {
        self.token_placement
    }
    /// The `aud` for client assertions: the configured one, else the token
    /// endpoint URL.
    pub fn assertion_audience(&self) -> String {
        self.assertion_audience
            .clone()
            .unwrap_or_else(|| self.token_endpoint.to_string())
    }
    /// Whether callbacks must carry `iss` (RFC 9207).
    pub fn iss_parameter_supported(&self) -> bool {
        self.iss_parameter_supported
    }

    pub(crate) fn endpoints(&self) -> impl Iterator<Item = (&'static str, &Url)> {
        [
            (
                "authorization endpoint",
                self.authorization_endpoint.as_ref(),
            ),
            ("token endpoint", Some(&self.token_endpoint)),
            ("revocation endpoint", self.revocation_endpoint.as_ref()),
            (
                "introspection endpoint",
                self.introspection_endpoint.as_ref(),
            ),
            ("token info endpoint", self.token_info_endpoint.as_ref()),
            ("resource endpoint", self.resource_endpoint.as_ref()),
            (
                "userinfo endpoint",
                self.metadata.userinfo_endpoint.as_ref(),
            ),
            ("jwks_uri", self.metadata.jwks_uri.as_ref()),
            (
                "pushed authorization request endpoint",
                self.metadata.pushed_authorization_request_endpoint.as_ref(),
            ),
            (
                "device authorization endpoint",
                self.metadata.device_authorization_endpoint.as_ref(),
            ),
        ]
        .into_iter()
        .filter_map(|(n, u)| u.map(|u| (n, u)))
    }

    /// Reads RFC 8414 metadata ([§2](https://www.rfc-editor.org/rfc/rfc8414#section-2)).
    /// `expected_issuer`, when given, must equal the document's `issuer`.
    pub fn from_metadata(json: &[u8], expected_issuer: Option<&str>) -> Result<Self> {
        const WHAT: &str = "authorization server metadata";
        let v: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| ParseError::json(WHAT, e))?;
        let obj = v
            .as_object()
            .ok_or_else(|| ParseError::new(WHAT, "not a JSON object"))?;
        let s = |k: &str| obj.get(k).and_then(|v| v.as_str());
        let url = |k: &'static str| -> Result<Option<Url>> {
            match obj.get(k) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(u)) => Url::parse(u)
                    .map(Some)
                    .map_err(|_| ParseError::new(WHAT, format!("`{k}` is not a URL")).into()),
                Some(_) => Err(ParseError::new(WHAT, format!("`{k}` is not a string")).into()),
            }
        };
        let issuer = s("issuer")
            .ok_or_else(|| ParseError::new(WHAT, "missing `issuer`"))?
            .to_owned();
        if let Some(expected) = expected_issuer {
            // `Url` adds a `/` to a bare host; compare without it.
            if issuer.trim_end_matches('/') != expected.trim_end_matches('/') {
                return Err(ProtocolViolation::MetadataIssuerMismatch.into());
            }
        }
        let token = url("token_endpoint")?
            .ok_or_else(|| ParseError::new(WHAT, "missing `token_endpoint`"))?;
        let mut p = Self::new(token);
        p.issuer = Some(issuer);
        p.authorization_endpoint = url("authorization_endpoint")?;
        p.revocation_endpoint = url("revocation_endpoint")?;
        p.introspection_endpoint = url("introspection_endpoint")?;
        p.iss_parameter_supported = obj
            .get("authorization_response_iss_parameter_supported")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let list = |k: &str| -> Vec<String> {
            obj.get(k)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        p.metadata = Metadata {
            userinfo_endpoint: url("userinfo_endpoint")?,
            jwks_uri: url("jwks_uri")?,
            pushed_authorization_request_endpoint: url("pushed_authorization_request_endpoint")?,
            require_pushed_authorization_requests: obj
                .get("require_pushed_authorization_requests")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            device_authorization_endpoint: url("device_authorization_endpoint")?,
            token_endpoint_auth_methods_supported: list("token_endpoint_auth_methods_supported"),
            grant_types_supported: list("grant_types_supported"),
            response_types_supported: list("response_types_supported"),
            scopes_supported: list("scopes_supported"),
            code_challenge_methods_supported: list("code_challenge_methods_supported"),
        };
        // The OpenID "current user" resource is the natural resource probe.
        p.resource_endpoint = p.metadata.userinfo_endpoint.clone();
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_spec_paths() {
        let b = Url::parse("https://git.example.com/").unwrap();
        let g = Provider::gitlab(&b).unwrap();
        assert_eq!(
            g.token_endpoint().as_str(),
            "https://git.example.com/oauth/token"
        );
        assert_eq!(
            g.token_info_endpoint().unwrap().as_str(),
            "https://git.example.com/oauth/token/info"
        );
        assert_eq!(g.issuer(), Some("https://git.example.com"));
        let h = Provider::hub(&Url::parse("https://hub.example.com/hub").unwrap()).unwrap();
        assert_eq!(
            h.authorization_endpoint().unwrap().as_str(),
            "https://hub.example.com/hub/api/rest/oauth2/auth"
        );
        let p = Provider::phabricator(&b).unwrap();
        assert_eq!(
            p.token_endpoint().as_str(),
            "https://git.example.com/oauthserver/token/"
        );
        assert_eq!(p.token_placement(), TokenPlacement::Query);
        let s = Provider::segment(SegmentRegion::Eu);
        assert_eq!(
            s.token_endpoint().as_str(),
            "https://oauth2.eu1.segmentapis.com/token"
        );
        assert_eq!(s.assertion_audience(), "https://oauth2.eu1.segmentapis.com");
        assert_eq!(
            Provider::segment(SegmentRegion::Us).assertion_audience(),
            "https://oauth2.segment.io"
        );
    }

    #[test]
    fn metadata_issuer_must_match() {
        let doc = br#"{"issuer":"https://a.example","token_endpoint":"https://a.example/t","authorization_response_iss_parameter_supported":true}"#;
        let p = Provider::from_metadata(doc, Some("https://a.example")).unwrap();
        assert!(p.iss_parameter_supported());
        assert!(matches!(
            Provider::from_metadata(doc, Some("https://b.example")),
            Err(Error::Protocol(ProtocolViolation::MetadataIssuerMismatch))
        ));
    }
}
