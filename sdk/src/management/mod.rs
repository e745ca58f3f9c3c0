//! Management APIs, one handler per vendor on one [`ManagementClient`]:
//!
//! - [`elasticio()`](ManagementClient::elasticio): elastic.io tenant OAuth
//!   clients ([`tenant_clients`]);
//! - [`hub()`](ManagementClient::hub): JetBrains Hub service registration
//!   ([`services`]);
//! - [`segment()`](ManagementClient::segment): Segment OAuth apps
//!   ([`segment_apps`]) and the sources they connect to ([`segment_sources`]);
//!
//! plus the `component.json` resolver ([`component_json`]).
//!
//! Every operation has the same shape: a method on the handler takes the ids
//! (anything `Into` the id newtype: the id itself, a reference to one, or a
//! `&str`) and the document to send as a plain value, and returns a
//! [`ManagementRequest`] that does nothing until `.send().await`.
//!
//! ```no_run
//! # async fn demo() -> oauth_sdk::Result<()> {
//! use oauth_sdk::management::{ApiKey, ManagementClient};
//! let api = ManagementClient::builder(
//!     "https://api.example.com".parse().unwrap(),
//!     "admin@example.com",
//!     ApiKey::new("key"),
//! )
//! .build()?;
//! let clients = api.elasticio().oauth_clients("demo-tenant");
//! let records = clients.list_for_component("salesforce").send().await?;
//! let app = api.segment().oauth_apps("demo-tenant").get("app_1").send().await?;
//! let service = api.hub().services().get("ci-server").send().await?;
//! # let _ = (records, app, service); Ok(()) }
//! ```
//!
//! Every request goes through the SDK's one transport: no redirects followed,
//! bounded bodies, the same timeout and the same HTTPS rule (plain HTTP only
//! to a loopback host unless allowed explicitly). Error answers are read by
//! the same code as the OAuth endpoints' ones: a JSON:API error object becomes
//! [`Error::Api`], anything else [`Error::Status`], both with the server's
//! `Retry-After`, so [`Error::is_retryable`] and [`Error::retry_after`] mean
//! the same for a management call as for a token request.

pub mod component_json;
pub mod segment_apps;
pub mod segment_sources;
pub mod services;
pub mod tenant_clients;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use url::Url;

use crate::error::{Error, ParseError, Result};
use crate::response::{ErrorDocument, failure};
use crate::transport::{DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, Http};
use crate::types::check_secure;

pub use crate::secret::ApiKey;
pub use component_json::{
    ComponentJson, OAuth2Block, ResolveError, Resolved, Resolver, SecretSource, TokenEndpointAuth,
};
pub use segment_apps::{
    AddedOAuthAppKey, NewOAuthApp, OAuthApp, OAuthAppChanges, OAuthAppId, OAuthAppKey,
    OAuthAppKeyId, OAuthAppScope, OAuthApps, PublicKeyPem, Segment, TokenExpirationPeriod,
};
pub use segment_sources::{Source, SourceId, Sources};
pub use services::{Hub, RegisteredService, Service, ServiceId, ServiceRegistration, Services};
pub use tenant_clients::{
    ComponentId, ElasticIo, OAuthClientChanges, OAuthClientRecord, OAuthClientRecordId,
    OAuthClients,
};

/// The JSON:API media type (<https://jsonapi.org/format/#content-negotiation>).
pub(crate) const JSON_API: &str = "application/vnd.api+json";

/// A JSON:API error object (`{"errors":[{"status","title","detail"}]}`) the
/// management API answered with. Kept inside [`Error::Api`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: http::StatusCode,
    /// The error's `title`, if sent.
    pub title: Option<String>,
    /// The error's `detail` (what went wrong), if sent.
    pub detail: Option<String>,
    /// `source.pointer`: the member of the request document at fault, if sent.
    pub pointer: Option<String>,
    /// The response's `Retry-After` ([RFC 9110 §10.2.3](https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3)),
    /// if sent; also what [`Error::retry_after`] answers.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "management API error {}", self.status.as_u16())?;
        if let Some(t) = &self.title {
            write!(f, " {t}")?;
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        if let Some(r) = self.retry_after {
            write!(f, " (retry after {}s)", r.as_secs())?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Questions about management API errors.
impl Error {
    /// The JSON:API error, if the management API answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    fn api_status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status.as_u16()),
            Error::Status { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }

    /// 401: the `{EMAIL}:{APIKEY}` credentials are missing or wrong.
    pub fn is_unauthorized(&self) -> bool {
        self.api_status() == Some(401)
    }

    /// 403: the account lacks the permission (e.g. `tenants.oauth_clients.create`,
    /// or a Segment role that may not connect sources).
    pub fn is_forbidden(&self) -> bool {
        self.api_status() == Some(403)
    }

    /// 404: absent, or not visible to this account (the two look the same).
    pub fn is_not_found(&self) -> bool {
        self.api_status() == Some(404)
    }

    /// 409: a duplicate (one client per component per tenant), a record still
    /// in use (a client by a flow, an OAuth app by a source), a limit (an
    /// app's third key) or a document of the wrong `type`.
    pub fn is_conflict(&self) -> bool {
        self.api_status() == Some(409)
    }

    /// 422: the document is well formed but refers to something unusable
    /// (a component that does not exist in the tenant or is hidden, a public
    /// key that is not an RSA key in PEM).
    pub fn is_unprocessable(&self) -> bool {
        self.api_status() == Some(422)
    }
}

/// A client of the management APIs: one base URL, one account's
/// credentials, one HTTP stack. Cheap to clone (an `Arc` inside); build it
/// with [`ManagementClient::builder`], then pick the vendor:
/// [`elasticio`](Self::elasticio), [`hub`](Self::hub) or
/// [`segment`](Self::segment).
///
/// `Debug` shows the base URL and the email; the API key prints as
/// `ApiKey([redacted])`.
#[derive(Debug, Clone)]
pub struct ManagementClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: Url,
    email: String,
    /// `Basic base64(email:key)`, marked sensitive (its `Debug` is `Sensitive`).
    authorization: http::HeaderValue,
    http: Http,
}

/// Builds a [`ManagementClient`]. The required values are the arguments of
/// [`ManagementClient::builder`]; everything else has a default:
///
/// | setting | default |
/// |---|---|
/// | [`timeout`](Self::timeout) | 30 s per request, connect to last body byte |
/// | [`user_agent`](Self::user_agent) | `oauth-sdk/<version>` |
/// | [`allow_insecure_http`](Self::allow_insecure_http) | `false`: HTTPS, or plain HTTP to a loopback host only |
///
/// There is no default base URL: each vendor's API lives at its own host
/// (and Hub at each installation's), so the caller always names it.
#[derive(Debug)]
#[must_use = "call .build()"]
pub struct ManagementClientBuilder {
    base: Url,
    email: String,
    api_key: ApiKey,
    timeout: Duration,
    user_agent: String,
    allow_http: bool,
}

impl ManagementClient {
    /// Starts building a client of the API at `base_url` (request paths such
    /// as `/v2/tenants/...` are appended to its path), authenticating every
    /// request with HTTP Basic `{EMAIL}:{APIKEY}`
    /// ([RFC 7617](https://www.rfc-editor.org/rfc/rfc7617)).
    pub fn builder(
        base_url: Url,
        email: impl Into<String>,
        api_key: ApiKey,
    ) -> ManagementClientBuilder {
        ManagementClientBuilder {
            base: base_url,
            email: email.into(),
            api_key,
            timeout: DEFAULT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            allow_http: false,
        }
    }

    /// The base URL requests are sent under.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The account's email (the user name of HTTP Basic).
    pub fn email(&self) -> &str {
        &self.inner.email
    }

    /// elastic.io: tenant OAuth clients (`/v2/tenants/{T}/oauth-clients`).
    pub fn elasticio(&self) -> ElasticIo {
        ElasticIo::new(self.clone())
    }

    /// JetBrains Hub: service registration (`/api/rest/services`).
    pub fn hub(&self) -> Hub {
        Hub::new(self.clone())
    }

    /// Segment: OAuth apps and sources (`/v2/tenants/{T}/oauth-apps`,
    /// `/v2/tenants/{T}/sources`).
    pub fn segment(&self) -> Segment {
        Segment::new(self.clone())
    }

    /// `base` + path segments (each percent-encoded) + optional query pairs.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// One call as data: Basic credentials, `Accept: media`, and a JSON body
    /// of type `media` when there is one; its answer read by `read`.
    pub(crate) fn call<T>(
        &self,
        method: http::Method,
        url: Url,
        media: &'static str,
        body: Option<Value>,
        read: Read<T>,
    ) -> ManagementRequest<T> {
        let body = body.map(|b| b.to_string().into_bytes());
        let mut builder = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header(
                http::header::AUTHORIZATION,
                self.inner.authorization.clone(),
            )
            .header(http::header::ACCEPT, media);
        if body.is_some() {
            builder = builder.header(http::header::CONTENT_TYPE, media);
        }
        let request = builder
            .body(body.unwrap_or_default())
            .map_err(crate::error::request_url_error);
        ManagementRequest {
            api: self.clone(),
            request,
            read,
        }
    }

    /// A JSON:API call under `segments`, with `doc` as its body if given.
    pub(crate) fn json_api<T>(
        &self,
        method: http::Method,
        segments: &[&str],
        doc: Option<Value>,
        read: Read<T>,
    ) -> ManagementRequest<T> {
        self.call(method, self.url(segments, &[]), JSON_API, doc, read)
    }
}

impl ManagementClientBuilder {
    /// The whole-request timeout. Default: 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` of every request. Default: `oauth-sdk/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Allows plain HTTP to a non-loopback host (tests on a private network
    /// only: the API key would cross it in clear). Default: `false`.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Checks the settings and builds the client: the base URL must be
    /// hierarchical without a query and HTTPS (or allowed plain HTTP), the
    /// email must not contain `:` (HTTP Basic cannot carry it, RFC 7617 §2),
    /// and the credentials and user agent must fit in a header.
    pub fn build(self) -> Result<ManagementClient> {
        const WHAT: &str = "management base URL";
        check_secure(&self.base, WHAT, self.allow_http)?;
        if self.base.cannot_be_a_base() || self.base.query().is_some() {
            return Err(Error::InvalidUrl {
                what: WHAT,
                reason: "must be hierarchical, without a query".into(),
            });
        }
        if self.email.contains(':') {
            return Err(Error::InvalidParameter {
                name: "email".into(),
                reason: "must not contain `:` (HTTP Basic, RFC 7617 §2)".into(),
            });
        }
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.email,
            self.api_key.secret()
        ));
        let mut authorization = http::HeaderValue::from_str(&format!("Basic {credentials}"))
            .map_err(|_| Error::InvalidParameter {
                name: "email".into(),
                reason: "cannot be sent in an HTTP header".into(),
            })?;
        authorization.set_sensitive(true);
        Ok(ManagementClient {
            inner: Arc::new(Inner {
                base: self.base,
                email: self.email,
                authorization,
                http: Http::with_user_agent(self.timeout, &self.user_agent)?,
            }),
        })
    }
}

/// How a call reads its (2xx) answer.
pub(crate) type Read<T> = fn(http::Response<Vec<u8>>) -> Result<T>;

/// One management call, built as data by a vendor handler's method and sent
/// with [`send`](Self::send); `T` is what the call answers. Every management
/// operation returns one, whatever the vendor.
///
/// Owns a clone of its [`ManagementClient`], so it can be moved into a task.
/// `Debug` shows the method and URL, never the body (it may carry a secret or
/// a token to revoke) nor the credentials.
#[must_use = "a request does nothing until sent"]
pub struct ManagementRequest<T> {
    api: ManagementClient,
    request: Result<http::Request<Vec<u8>>>,
    read: Read<T>,
}

impl<T> ManagementRequest<T> {
    /// Sends it; the answer, read as this call's document. A non-2xx answer
    /// is [`Error::Api`] (a JSON:API error object) or [`Error::Status`], a
    /// redirect a [`ProtocolViolation::Redirect`](crate::ProtocolViolation::Redirect)
    /// (never followed).
    pub async fn send(self) -> Result<T> {
        let resp = self.api.inner.http.send(self.request?).await?;
        if let Some(e) = failure(&resp, ErrorDocument::JsonApi) {
            return Err(e);
        }
        (self.read)(resp)
    }

    /// The request as it will be sent.
    #[cfg(test)]
    pub(crate) fn request(&self) -> &http::Request<Vec<u8>> {
        self.request.as_ref().expect("request builds")
    }
}

impl<T> fmt::Debug for ManagementRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ManagementRequest");
        if let Ok(r) = &self.request {
            d.field("method", r.method()).field("uri", r.uri());
        }
        d.finish_non_exhaustive()
    }
}

/// Reads the first object of `{"errors":[…]}`; `None` if the body is not one.
pub(crate) fn parse_api_error(
    status: http::StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Option<ApiError> {
    let root: serde_json::Value = serde_json::from_slice(body).ok()?;
    let first = root.get("errors")?.as_array()?.first()?;
    let text = |name: &str| first.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    Some(ApiError {
        status,
        title: text("title"),
        detail: text("detail"),
        pointer: first
            .get("source")
            .and_then(|s| s.get("pointer"))
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        retry_after,
    })
}

/// Parses a JSON body, naming `what` on failure.
pub(crate) fn json(what: &'static str, body: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(body).map_err(|e| ParseError::json(what, e).into())
}

/// A parse error about `what`.
pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> Error {
    ParseError::new(what, reason).into()
}

/// The primary `data` of a JSON:API document: one resource object.
pub(crate) fn document_data(what: &'static str, body: &[u8]) -> Result<Value> {
    let mut root = json(what, body)?;
    match root.get_mut("data").map(Value::take) {
        Some(data @ Value::Object(_)) => Ok(data),
        _ => Err(malformed(what, "`data` is not an object")),
    }
}

/// The primary `data` of a JSON:API document: a list of resource objects.
pub(crate) fn document_list(what: &'static str, body: &[u8]) -> Result<Vec<Value>> {
    let mut root = json(what, body)?;
    match root.get_mut("data").map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(malformed(what, "`data` is not an array")),
    }
}

/// The `id` of a resource object, after checking its `type`.
pub(crate) fn resource_id<'v>(what: &'static str, data: &'v Value, kind: &str) -> Result<&'v str> {
    if data.get("type").and_then(Value::as_str) != Some(kind) {
        return Err(malformed(what, format!("`type` is not \"{kind}\"")));
    }
    data.get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(what, "no string `id`"))
}

/// The id of a resource identifier `{"id", "type": kind}`; `None` for
/// anything else.
pub(crate) fn identifier<'v>(value: &'v Value, kind: &str) -> Option<&'v str> {
    if value.get("type").and_then(Value::as_str) != Some(kind) {
        return None;
    }
    value.get("id").and_then(Value::as_str)
}

/// Declares a string id newtype.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&$name> for $name {
            /// Lets a call take `&id` as well as `id`: ids are small strings.
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }
    };
}
pub(crate) use id_type;

id_type! {
    /// A tenant's id (`{TENANT_ID}` in `/v2/tenants/{TENANT_ID}/...`): an
    /// elastic.io tenant, or a Segment workspace.
    TenantId
}

/// Helpers for the management modules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{ApiKey, ManagementClient};

    /// `admin@example.com` / `k3y` at `https://api.example.com/`.
    pub(crate) fn api() -> ManagementClient {
        ManagementClient::builder(
            "https://api.example.com/".parse().unwrap(),
            "admin@example.com",
            ApiKey::new("k3y"),
        )
        .build()
        .unwrap()
    }

    /// A request's body as JSON.
    pub(crate) fn body_json(req: &http::Request<Vec<u8>>) -> serde_json::Value {
        serde_json::from_slice(req.body()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::test_response as resp;

    fn check(resp: http::Response<Vec<u8>>) -> Result<()> {
        failure(&resp, ErrorDocument::JsonApi).map_or(Ok(()), Err)
    }

    #[test]
    fn json_api_errors_become_typed_errors() {
        let body = r#"{"errors":[{"status":"409","title":"Conflict","detail":"dup","source":{"pointer":"/data/id"}}]}"#;
        let e = check(resp(409, body)).unwrap_err();
        assert!(e.is_conflict());
        let api = e.api_error().unwrap();
        assert_eq!(api.detail.as_deref(), Some("dup"));
        assert_eq!(api.title.as_deref(), Some("Conflict"));
        assert_eq!(api.pointer.as_deref(), Some("/data/id"));
        let e = check(resp(503, "<html>")).unwrap_err();
        assert!(matches!(e, Error::Status { .. }));
        assert!(e.api_error().is_none());
        // A 2xx body is the call's document, even one with `errors`.
        assert!(check(resp(200, body)).is_ok());
    }

    #[test]
    fn the_basic_header_is_sensitive_and_debug_hides_the_key() {
        let url: Url = "http://127.0.0.1:1".parse().unwrap();
        let api = ManagementClient::builder(url, "a@b", ApiKey::new("s3cr3t-key"))
            .build()
            .unwrap();
        let call = api.hub().services().get("svc");
        let req = call.request();
        let value = &req.headers()[http::header::AUTHORIZATION];
        assert!(value.is_sensitive());
        let shown = format!("{req:?} {:?} {api:?} {call:?}", req.headers());
        let encoded = base64::engine::general_purpose::STANDARD.encode("a@b:s3cr3t-key");
        assert!(
            !shown.contains(&encoded) && !shown.contains("s3cr3t-key"),
            "{shown}"
        );
    }

    #[test]
    fn builder_defaults_and_refusals() {
        let b = ManagementClient::builder(
            "https://api.example.com".parse().unwrap(),
            "a@b",
            ApiKey::new("k"),
        );
        assert_eq!(b.timeout, Duration::from_secs(30));
        assert_eq!(
            b.user_agent,
            concat!("oauth-sdk/", env!("CARGO_PKG_VERSION"))
        );
        assert!(!b.allow_http);

        let build = |url: &str, email: &str| {
            ManagementClient::builder(url.parse().unwrap(), email, ApiKey::new("k")).build()
        };
        let e = build("http://api.example.com", "a@b").unwrap_err();
        assert!(
            matches!(
                e,
                Error::InsecureUrl {
                    what: "management base URL"
                }
            ),
            "{e:?}"
        );
        let e = build("https://api.example.com/?x=1", "a@b").unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidUrl {
                    what: "management base URL",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = build("https://api.example.com", "a:b").unwrap_err();
        assert!(
            matches!(&e, Error::InvalidParameter { name, .. } if name == "email"),
            "{e:?}"
        );
        let e = ManagementClient::builder(
            "https://api.example.com".parse().unwrap(),
            "a@b",
            ApiKey::new("k"),
        )
        .user_agent("bad\nagent")
        .build()
        .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidParameter { name, .. } if name == "user agent"),
            "{e:?}"
        );
    }

    #[test]
    fn ids_are_taken_by_value_reference_or_str() {
        fn take(id: impl Into<TenantId>) -> TenantId {
            id.into()
        }
        let id = TenantId::new("t");
        assert_eq!(take(&id), id);
        assert_eq!(take("t"), id);
        assert_eq!(take(String::from("t")), id);
        assert_eq!(take(id.clone()), id);
    }
}
