//! Management APIs: elastic.io tenant OAuth clients ([`tenant_clients`]),
//! JetBrains Hub service registration ([`services`]), Segment OAuth apps
//! ([`segment_apps`]) and sources ([`segment_sources`]) and the
//! `component.json` resolver ([`component_json`]).
//!
//! ```no_run
//! # async fn demo() -> oauth_sdk::Result<()> {
//! use oauth_sdk::management::{ApiKey, ComponentId, ManagementClient, TenantId};
//! let api = ManagementClient::new(
//!     "https://api.example.com".parse().unwrap(),
//!     "admin@example.com",
//!     ApiKey::new("key"),
//! )?;
//! let clients = api.tenants().oauth_clients(TenantId::new("demo-tenant"));
//! let records = clients.list().component(ComponentId::new("salesforce")).send().await?;
//! # let _ = records; Ok(()) }
//! ```
//!
//! Every request goes through the SDK's one transport: no redirects followed,
//! bounded bodies, the same timeout and the same HTTPS rule (plain HTTP only
//! to a loopback host unless allowed explicitly).

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

use crate::error::{Error, ParseError, ProtocolViolation, Result};
use crate::transport::{DEFAULT_TIMEOUT, Http};
use crate::types::check_secure;

pub use component_json::{
    ComponentJson, OAuth2Block, ResolveError, Resolved, Resolver, SecretSource, TokenEndpointAuth,
};
pub use segment_apps::{
    AddedOAuthAppKey, NewOAuthApp, OAuthApp, OAuthAppId, OAuthAppKey, OAuthAppKeyId, OAuthAppScope,
    OAuthApps, PublicKeyPem, TokenExpirationPeriod, UpdateOAuthApp,
};
pub use segment_sources::{Source, SourceId, Sources};
pub use services::{RegisteredService, Service, ServiceId, ServiceRegistration};
pub use tenant_clients::{
    ComponentId, CreateOAuthClient, DeleteOAuthClient, GetOAuthClient, ListOAuthClients,
    OAuthClientRecord, OAuthClientRecordId, OAuthClients, TenantId, Tenants, UpdateOAuthClient,
};

/// The JSON:API media type (<https://jsonapi.org/format/#content-negotiation>).
pub(crate) const JSON_API: &str = "application/vnd.api+json";

/// An account's API key, sent as the password of HTTP Basic `{EMAIL}:{APIKEY}`.
///
/// `Debug` prints `[redacted]`; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps an API key.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The key itself; the SDK reads it only to build the `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// A JSON:API error object (`{"errors":[{"status","title","detail"}]}`) the
/// management API answered with. Kept inside [`Error::Api`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: http::StatusCode,
    /// The error's `title`, if sent.
    pub title: Option<String>,
    /// The error's `detail` (what went wrong), if sent.
    pub detail: Option<String>,
    /// `source.pointer`: the member of the request document at fault, if sent.
    pub pointer: Option<String>,
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

/// A client of a management API: the base URL and the account's credentials.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct ManagementClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: Url,
    email: String,
    api_key: ApiKey,
    http: Http,
}

impl ManagementClient {
    /// A client for the API at `base_url`, authenticating with HTTP Basic
    /// `{EMAIL}:{APIKEY}`. Timeout 30 s. `base_url` must be HTTPS, or plain
    /// HTTP to a loopback host.
    pub fn new(base_url: Url, email: impl Into<String>, api_key: ApiKey) -> Result<Self> {
        Self::with_options(base_url, email, api_key, DEFAULT_TIMEOUT, false)
    }

    /// Like [`new`](Self::new), with a timeout and whether plain HTTP to a
    /// non-loopback host is allowed (for tests only).
    pub fn with_options(
        base_url: Url,
        email: impl Into<String>,
        api_key: ApiKey,
        timeout: Duration,
        allow_insecure_http: bool,
    ) -> Result<Self> {
        check_secure(&base_url, "management base URL", allow_insecure_http)?;
        if base_url.cannot_be_a_base() || base_url.query().is_some() {
            return Err(Error::config(
                "management base URL must be hierarchical without a query",
            ));
        }
        let email = email.into();
        if email.contains(':') {
            return Err(Error::config("email must not contain `:` (HTTP Basic)"));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                base: base_url,
                email,
                api_key,
                http: Http::new(timeout)?,
            }),
        })
    }

    /// The base URL requests are sent under.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The tenants: `/v2/tenants/...`.
    pub fn tenants(&self) -> Tenants<'_> {
        Tenants::new(self)
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

    /// A request as data: Basic credentials, `Accept`, and a JSON body with
    /// `content_type` when there is one.
    pub(crate) fn request(
        &self,
        method: http::Method,
        url: &Url,
        accept: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<http::Request<Vec<u8>>> {
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.inner.email,
            self.inner.api_key.secret()
        ));
        // Sensitive: `Debug` of the request (or its headers) prints `Sensitive`.
        let mut authorization = http::HeaderValue::from_str(&format!("Basic {credentials}"))
            .map_err(|_| Error::config("the email or API key cannot be sent in a header"))?;
        authorization.set_sensitive(true);
        let mut builder = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header(http::header::AUTHORIZATION, authorization)
            .header(http::header::ACCEPT, accept);
        let body = match body {
            Some((content_type, bytes)) => {
                builder = builder.header(http::header::CONTENT_TYPE, content_type);
                bytes
            }
            None => Vec::new(),
        };
        builder
            .body(body)
            .map_err(|e| Error::config(format!("invalid request: {e}")))
    }

    /// Sends through the SDK transport; a 2xx body comes back, anything else
    /// becomes [`Error::Api`] (JSON:API error body) or [`Error::Status`].
    pub(crate) async fn execute(&self, req: http::Request<Vec<u8>>) -> Result<Vec<u8>> {
        let resp = self.inner.http.send(req).await?;
        check_response(resp).map(http::Response::into_body)
    }

    /// A JSON:API call under `segments`, answered by `read`; see
    /// [`ManagementRequest`].
    pub(crate) fn call<T>(
        &self,
        method: http::Method,
        segments: &[&str],
        doc: Option<&Value>,
        read: Read<T>,
    ) -> ManagementRequest<'_, T> {
        let url = self.url(segments, &[]);
        ManagementRequest {
            api: self,
            request: self.request(method, &url, JSON_API, doc.and_then(json_api_body)),
            read,
        }
    }
}

/// How a call reads its (2xx) answer.
pub(crate) type Read<T> = fn(http::Response<Vec<u8>>) -> Result<T>;

/// One management call, built as data and sent with [`send`](Self::send).
///
/// For calls with nothing optional to set: a builder per call would only
/// repeat this. `Debug` shows the method and URL, never the body (it may
/// carry a token to revoke).
#[must_use = "a request does nothing until sent"]
pub struct ManagementRequest<'a, T> {
    api: &'a ManagementClient,
    request: Result<http::Request<Vec<u8>>>,
    read: Read<T>,
}

impl<T> ManagementRequest<'_, T> {
    /// Sends it; the answer, read as this call's document.
    pub async fn send(self) -> Result<T> {
        let resp = self.api.inner.http.send(self.request?).await?;
        (self.read)(check_response(resp)?)
    }

    /// The request as it will be sent.
    #[cfg(test)]
    pub(crate) fn request(&self) -> &http::Request<Vec<u8>> {
        self.request.as_ref().expect("request builds")
    }
}

impl<T> fmt::Debug for ManagementRequest<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ManagementRequest");
        if let Ok(r) = &self.request {
            d.field("method", r.method()).field("uri", r.uri());
        }
        d.finish_non_exhaustive()
    }
}

/// Maps a response to itself (2xx) or to a typed error.
pub(crate) fn check_response(resp: http::Response<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    if status.is_redirection() {
        return Err(ProtocolViolation::Redirect(status).into());
    }
    match parse_api_error(status, resp.body()) {
        Some(e) => Err(Error::Api(e)),
        None => Err(Error::Status {
            status,
            retry_after: None,
        }),
    }
}

/// Reads the first object of `{"errors":[…]}`; `None` if the body is not one.
fn parse_api_error(status: http::StatusCode, body: &[u8]) -> Option<ApiError> {
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
    })
}

/// Parses a JSON body, naming `what` on failure.
pub(crate) fn json(what: &'static str, body: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(body).map_err(|e| ParseError::json(what, e).into())
}

/// A JSON:API document as a request body.
pub(crate) fn json_api_body(doc: &Value) -> Option<(&'static str, Vec<u8>)> {
    Some((JSON_API, doc.to_string().into_bytes()))
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
    };
}
pub(crate) use id_type;

/// Helpers for the management modules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{ApiKey, ManagementClient};

    /// `admin@example.com` / `k3y` at `https://api.example.com/`.
    pub(crate) fn api() -> ManagementClient {
        ManagementClient::new(
            "https://api.example.com/".parse().unwrap(),
            "admin@example.com",
            ApiKey::new("k3y"),
        )
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

    #[test]
    fn json_api_errors_become_typed_errors() {
        let body = r#"{"errors":[{"status":"409","title":"Conflict","detail":"dup","source":{"pointer":"/data/id"}}]}"#;
        let e = check_response(resp(409, body)).unwrap_err();
        assert!(e.is_conflict());
        let api = e.api_error().unwrap();
        assert_eq!(api.detail.as_deref(), Some("dup"));
        assert_eq!(api.title.as_deref(), Some("Conflict"));
        assert_eq!(api.pointer.as_deref(), Some("/data/id"));
        let e = check_response(resp(503, "<html>")).unwrap_err();
        assert!(matches!(e, Error::Status { .. }));
        assert!(e.api_error().is_none());
    }

    #[test]
    fn api_key_is_redacted() {
        assert_eq!(format!("{:?}", ApiKey::new("k")), "ApiKey([redacted])");
    }

    #[test]
    fn the_basic_header_is_sensitive() {
        let url: Url = "http://127.0.0.1:1".parse().unwrap();
        let api = ManagementClient::new(url.clone(), "a@b", ApiKey::new("s3cr3t-key")).unwrap();
        let req = api
            .request(http::Method::GET, &url, JSON_API, None)
            .unwrap();
        let value = &req.headers()[http::header::AUTHORIZATION];
        assert!(value.is_sensitive());
        let shown = format!("{req:?} {:?} {api:?}", req.headers());
        let encoded = base64::engine::general_purpose::STANDARD.encode("a@b:s3cr3t-key");
        assert!(
            !shown.contains(&encoded) && !shown.contains("s3cr3t-key"),
            "{shown}"
        );
    }

    #[test]
    fn plain_http_to_a_remote_host_is_refused() {
        let url: Url = "http://api.example.com".parse().unwrap();
        let e = ManagementClient::new(url, "a@b", ApiKey::new("k")).unwrap_err();
        assert!(matches!(e, Error::Config(_)));
    }
}
