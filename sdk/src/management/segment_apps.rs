//! Segment OAuth apps under a tenant (Segment's workspace):
//! `/v2/tenants/{T}/oauth-apps[/{APP}[/keys[/{KID}]]]` and
//! `…/oauth-apps/{APP}/token-revocations`, JSON:API documents of types
//! `oauth-app`, `oauth-app-key` and `token-revocation`. Sources, which apps are
//! connected to, are in [`segment_sources`](super::segment_sources).
//!
//! An app is a machine-to-machine OAuth client: its id is the `client_id` and
//! each of its (at most two) RSA public keys is a `kid` of its
//! `private_key_jwt` assertions. Which account may do what follows Segment's
//! role table; a refusal is a 403 ([`Error::is_forbidden`]).
//!
//! [`Error::is_forbidden`]: crate::Error::is_forbidden

use std::time::Duration;

use serde_json::{Value, json};

use super::segment_sources::{SourceId, Sources};
use super::{
    ManagementClient, ManagementRequest, Read, TenantId, document_data, document_list, id_type,
    identifier, malformed, resource_id,
};
use crate::error::Result;
use crate::secret::AccessToken;
use crate::types::{ClientId, Scope};

id_type! {
    /// An OAuth app's id, which is also its OAuth `client_id`.
    OAuthAppId
}

impl OAuthAppId {
    /// The app id as the `client_id` of its token requests.
    pub fn client_id(&self) -> ClientId {
        ClientId::new(self.as_str())
    }
}

id_type! {
    /// A public key's id: the `kid` of assertions signed with its private key.
    OAuthAppKeyId
}
/// How long an app's access tokens live: Segment offers exactly these seven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenExpirationPeriod {
    /// `1d`
    OneDay,
    /// `2d`
    TwoDays,
    /// `3d`
    ThreeDays,
    /// `1w`
    OneWeek,
    /// `2w`
    TwoWeeks,
    /// `3w`
    ThreeWeeks,
    /// `30d`
    ThirtyDays,
}

impl TokenExpirationPeriod {
    /// Every period, shortest first.
    pub const ALL: [Self; 7] = [
        Self::OneDay,
        Self::TwoDays,
        Self::ThreeDays,
        Self::OneWeek,
        Self::TwoWeeks,
        Self::ThreeWeeks,
        Self::ThirtyDays,
    ];

    /// The wire name (`tokenExpirationPeriod`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OneDay => "1d",
            Self::TwoDays => "2d",
            Self::ThreeDays => "3d",
            Self::OneWeek => "1w",
            Self::TwoWeeks => "2w",
            Self::ThreeWeeks => "3w",
            Self::ThirtyDays => "30d",
        }
    }

    /// The lifetime it gives: the `expires_in` of the app's tokens.
    pub fn duration(self) -> Duration {
        let days = match self {
            Self::OneDay => 1,
            Self::TwoDays => 2,
            Self::ThreeDays => 3,
            Self::OneWeek => 7,
            Self::TwoWeeks => 14,
            Self::ThreeWeeks => 21,
            Self::ThirtyDays => 30,
        };
        Duration::from_secs(days * 24 * 3600)
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A scope an app may hold: Segment supports exactly these three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthAppScope {
    /// `tracking_api:write`: send events to the tracking API.
    TrackingApiWrite,
    /// `functions:write`: source functions.
    FunctionsWrite,
    /// `public_api:read_write`: the public API.
    PublicApiReadWrite,
}

impl OAuthAppScope {
    /// Every scope.
    pub const ALL: [Self; 3] = [
        Self::TrackingApiWrite,
        Self::FunctionsWrite,
        Self::PublicApiReadWrite,
    ];

    /// The scope's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TrackingApiWrite => "tracking_api:write",
            Self::FunctionsWrite => "functions:write",
            Self::PublicApiReadWrite => "public_api:read_write",
        }
    }

    /// The scope to ask for in a token request.
    pub fn scope(self) -> Scope {
        Scope::new(self.as_str()).expect("constant scopes are valid")
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A public key in PEM (`-----BEGIN PUBLIC KEY-----`), e.g. from
/// `openssl rsa -in private.pem -pubout -outform PEM`. Public, so `Debug`
/// shows it; the server checks it (422 if it is not an RSA public key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyPem(String);

impl PublicKeyPem {
    /// Wraps a PEM text.
    pub fn new(pem: impl Into<String>) -> Self {
        Self(pem.into())
    }

    /// The PEM text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What to create: the fields of Segment's "Create OAuth app" form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOAuthApp {
    /// `name`.
    pub name: String,
    /// `publicKey`: the app's first key (a second can be added later).
    pub public_key: PublicKeyPem,
    /// `publicKeyName`.
    pub public_key_name: String,
    /// `tokenExpirationPeriod`.
    pub token_expiration_period: TokenExpirationPeriod,
    /// `scopes`: at least one (the server answers 400 to none).
    pub scopes: Vec<OAuthAppScope>,
}

/// One of an app's public keys.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthAppKey {
    /// The key id: sign assertions with `kid` = this.
    pub id: OAuthAppKeyId,
    /// `name`.
    pub name: String,
    /// `publicKey`.
    pub public_key: PublicKeyPem,
}

/// An OAuth app as the server returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthApp {
    /// The app id (its `client_id`).
    pub id: OAuthAppId,
    /// `name`.
    pub name: String,
    /// `tokenExpirationPeriod`.
    pub token_expiration_period: TokenExpirationPeriod,
    /// `scopes`.
    pub scopes: Vec<OAuthAppScope>,
    /// The public keys, oldest first.
    pub keys: Vec<OAuthAppKey>,
    /// The sources connected to the app (`relationships.sources`); an app
    /// can be deleted only when there is none.
    pub sources: Vec<SourceId>,
}

impl OAuthApp {
    /// The app's OAuth `client_id`.
    pub fn client_id(&self) -> ClientId {
        self.id.client_id()
    }
}

/// The answer to adding a key: the app as it is now and the new key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddedOAuthAppKey {
    /// The app, with both keys.
    pub app: OAuthApp,
    /// The key just added (named by the response's `Location`).
    pub key: OAuthAppKey,
}

/// What an update changes: each `None` stays as it is. Build it with
/// `..Default::default()`. Keys have calls of their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthAppChanges {
    /// A new `name`.
    pub name: Option<String>,
    /// A new lifetime for the tokens issued from now on.
    pub token_expiration_period: Option<TokenExpirationPeriod>,
    /// New `scopes` (they replace the old ones).
    pub scopes: Option<Vec<OAuthAppScope>>,
}

/// Segment's management API, from [`ManagementClient::segment`].
#[derive(Debug, Clone)]
pub struct Segment {
    api: ManagementClient,
}

impl Segment {
    pub(super) fn new(api: ManagementClient) -> Self {
        Self { api }
    }

    /// The OAuth apps of one tenant (Segment's workspace).
    pub fn oauth_apps(&self, tenant: impl Into<TenantId>) -> OAuthApps {
        OAuthApps {
            api: self.api.clone(),
            tenant: tenant.into(),
        }
    }

    /// The sources of one tenant (their OAuth settings).
    pub fn sources(&self, tenant: impl Into<TenantId>) -> Sources {
        Sources::new(self.api.clone(), tenant.into())
    }
}

/// The OAuth apps of one tenant: `/v2/tenants/{T}/oauth-apps`.
#[derive(Debug, Clone)]
pub struct OAuthApps {
    api: ManagementClient,
    tenant: TenantId,
}

impl OAuthApps {
    fn call<T>(
        &self,
        method: http::Method,
        tail: &[&str],
        doc: Option<Value>,
        read: Read<T>,
    ) -> ManagementRequest<T> {
        let mut segments = vec!["v2", "tenants", self.tenant.as_str(), "oauth-apps"];
        segments.extend(tail);
        self.api.json_api(method, &segments, doc, read)
    }

    /// `GET` every app of the tenant.
    pub fn list(&self) -> ManagementRequest<Vec<OAuthApp>> {
        self.call(http::Method::GET, &[], None, |r| {
            document_list(WHAT, r.body())?.iter().map(app).collect()
        })
    }

    /// `POST`: a new app with its first key (422 if the key is not an RSA
    /// public key in PEM).
    pub fn create(&self, new: NewOAuthApp) -> ManagementRequest<OAuthApp> {
        let doc = json!({ "data": {
            "type": "oauth-app",
            "attributes": {
                "name": new.name,
                "publicKey": new.public_key.as_str(),
                "publicKeyName": new.public_key_name,
                "tokenExpirationPeriod": new.token_expiration_period.as_str(),
                "scopes": scope_names(&new.scopes),
            },
        }});
        self.call(http::Method::POST, &[], Some(doc), read_app)
    }

    /// `GET` one app (404 if absent or in another tenant).
    pub fn get(&self, id: impl Into<OAuthAppId>) -> ManagementRequest<OAuthApp> {
        self.call(http::Method::GET, &[id.into().as_str()], None, read_app)
    }

    /// `PATCH` one app: only what `changes` sets is sent. The updated app.
    pub fn update(
        &self,
        id: impl Into<OAuthAppId>,
        changes: OAuthAppChanges,
    ) -> ManagementRequest<OAuthApp> {
        let id = id.into();
        let mut attributes = serde_json::Map::new();
        if let Some(n) = changes.name {
            attributes.insert("name".into(), n.into());
        }
        if let Some(p) = changes.token_expiration_period {
            attributes.insert("tokenExpirationPeriod".into(), p.as_str().into());
        }
        if let Some(s) = &changes.scopes {
            attributes.insert("scopes".into(), scope_names(s).into());
        }
        let doc = json!({ "data": {
            "type": "oauth-app",
            "id": id.as_str(),
            "attributes": attributes,
        }});
        self.call(http::Method::PATCH, &[id.as_str()], Some(doc), read_app)
    }

    /// `DELETE` one app (409 while a source is connected to it).
    pub fn delete(&self, id: impl Into<OAuthAppId>) -> ManagementRequest<()> {
        self.call(
            http::Method::DELETE,
            &[id.into().as_str()],
            None,
            |_| Ok(()),
        )
    }

    /// `POST …/keys`: the app's second key (409 if it has two already).
    pub fn add_key(
        &self,
        id: impl Into<OAuthAppId>,
        name: impl Into<String>,
        public_key: PublicKeyPem,
    ) -> ManagementRequest<AddedOAuthAppKey> {
        let doc = json!({ "data": {
            "type": "oauth-app-key",
            "attributes": {"name": name.into(), "publicKey": public_key.as_str()},
        }});
        let id = id.into();
        self.call(
            http::Method::POST,
            &[id.as_str(), "keys"],
            Some(doc),
            added_key,
        )
    }

    /// `DELETE …/keys/{KID}`: the app as it is now (409 for its last key,
    /// so an app can always authenticate).
    pub fn delete_key(
        &self,
        id: impl Into<OAuthAppId>,
        key: impl Into<OAuthAppKeyId>,
    ) -> ManagementRequest<OAuthApp> {
        let (id, key) = (id.into(), key.into());
        let tail = [id.as_str(), "keys", key.as_str()];
        self.call(http::Method::DELETE, &tail, None, read_app)
    }

    /// `POST …/token-revocations`: revokes one of the app's tokens by its full
    /// value. 404 when the token is unknown or another app's, so a wrong
    /// paste is never taken for a revocation.
    pub fn revoke_token(
        &self,
        id: impl Into<OAuthAppId>,
        token: &AccessToken,
    ) -> ManagementRequest<()> {
        let doc = json!({ "data": {
            "type": "token-revocation",
            "attributes": {"token": token.secret()},
        }});
        let id = id.into();
        let tail = [id.as_str(), "token-revocations"];
        self.call(http::Method::POST, &tail, Some(doc), |_| Ok(()))
    }
}

fn scope_names(scopes: &[OAuthAppScope]) -> Vec<&'static str> {
    scopes.iter().map(|s| s.as_str()).collect()
}

const WHAT: &str = "OAuth app document";

fn read_app(resp: http::Response<Vec<u8>>) -> Result<OAuthApp> {
    app(&document_data(WHAT, resp.body())?)
}

fn text<'v>(value: &'v Value, name: &str) -> Result<&'v str> {
    value
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(WHAT, format!("no string `{name}`")))
}

fn array<'v>(value: Option<&'v Value>, name: &str) -> Result<&'v [Value]> {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| malformed(WHAT, format!("`{name}` is not an array")))
}

fn app(data: &Value) -> Result<OAuthApp> {
    let id = resource_id(WHAT, data, "oauth-app")?;
    let attributes = data.get("attributes").unwrap_or(&Value::Null);
    let period = text(attributes, "tokenExpirationPeriod")?;
    let token_expiration_period = TokenExpirationPeriod::parse(period)
        .ok_or_else(|| malformed(WHAT, "unknown `tokenExpirationPeriod`"))?;
    let scopes = array(attributes.get("scopes"), "scopes")?
        .iter()
        .map(|s| {
            s.as_str()
                .and_then(OAuthAppScope::parse)
                .ok_or_else(|| malformed(WHAT, "unknown scope in `scopes`"))
        })
        .collect::<Result<_>>()?;
    let keys = array(attributes.get("keys"), "keys")?
        .iter()
        .map(|k| {
            Ok(OAuthAppKey {
                id: OAuthAppKeyId::new(text(k, "id")?),
                name: text(k, "name")?.to_owned(),
                public_key: PublicKeyPem::new(text(k, "publicKey")?),
            })
        })
        .collect::<Result<_>>()?;
    let sources = array(data.pointer("/relationships/sources/data"), "sources")?
        .iter()
        .map(|s| {
            identifier(s, "source")
                .map(SourceId::new)
                .ok_or_else(|| malformed(WHAT, "a source identifier is not of type \"source\""))
        })
        .collect::<Result<_>>()?;
    Ok(OAuthApp {
        id: OAuthAppId::new(id),
        name: text(attributes, "name")?.to_owned(),
        token_expiration_period,
        scopes,
        keys,
        sources,
    })
}

/// The app in the body and, of its keys, the one `Location` names.
fn added_key(resp: http::Response<Vec<u8>>) -> Result<AddedOAuthAppKey> {
    let app = app(&document_data(WHAT, resp.body())?)?;
    let kid = resp
        .headers()
        .get(http::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .ok_or_else(|| malformed(WHAT, "no `Location` naming the new key"))?;
    let key = app
        .keys
        .iter()
        .find(|k| k.id.as_str() == kid)
        .cloned()
        .ok_or_else(|| malformed(WHAT, "the key named by `Location` is not in the app"))?;
    Ok(AddedOAuthAppKey { app, key })
}

#[cfg(test)]
mod tests {
    use super::super::JSON_API;
    use super::super::testing::{api, body_json as body};
    use super::*;

    const APPS: &str = "https://api.example.com/v2/tenants/t%201/oauth-apps";

    #[test]
    fn create_builds_the_exact_json_api_document() {
        let apps = api().segment().oauth_apps("t 1");
        let new = NewOAuthApp {
            name: "My app".into(),
            public_key: PublicKeyPem::new("-----BEGIN PUBLIC KEY-----"),
            public_key_name: "key one".into(),
            token_expiration_period: TokenExpirationPeriod::ThirtyDays,
            scopes: vec![
                OAuthAppScope::TrackingApiWrite,
                OAuthAppScope::PublicApiReadWrite,
            ],
        };
        let call = apps.create(new);
        let req = call.request();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.uri().to_string(), APPS);
        assert_eq!(req.headers()["content-type"], JSON_API);
        assert_eq!(req.headers()["accept"], JSON_API);
        assert_eq!(
            body(req),
            json!({"data": {"type": "oauth-app", "attributes": {
                "name": "My app", "publicKey": "-----BEGIN PUBLIC KEY-----",
                "publicKeyName": "key one", "tokenExpirationPeriod": "30d",
                "scopes": ["tracking_api:write", "public_api:read_write"]}}})
        );
    }

    #[test]
    fn update_sends_only_what_changes() {
        let apps = api().segment().oauth_apps(TenantId::new("t 1"));
        let id = OAuthAppId::new("app_1");
        let call = apps.update(
            &id,
            OAuthAppChanges {
                token_expiration_period: Some(TokenExpirationPeriod::TwoWeeks),
                ..Default::default()
            },
        );
        assert_eq!(call.request().method(), http::Method::PATCH);
        assert_eq!(call.request().uri().to_string(), format!("{APPS}/app_1"));
        assert_eq!(
            body(call.request()),
            json!({"data": {"type": "oauth-app", "id": "app_1",
                "attributes": {"tokenExpirationPeriod": "2w"}}})
        );
        let call = apps.update(
            "app_1",
            OAuthAppChanges {
                name: Some("renamed".into()),
                scopes: Some(vec![OAuthAppScope::FunctionsWrite]),
                ..Default::default()
            },
        );
        assert_eq!(
            body(call.request())["data"]["attributes"],
            json!({"name": "renamed", "scopes": ["functions:write"]})
        );
    }

    #[test]
    fn key_delete_and_revocation_requests() {
        let apps = api().segment().oauth_apps("t 1");
        let id = OAuthAppId::new("app_1");
        let call = apps.add_key(&id, "second", PublicKeyPem::new("PEM"));
        assert_eq!(
            call.request().uri().to_string(),
            format!("{APPS}/app_1/keys")
        );
        assert_eq!(
            body(call.request()),
            json!({"data": {"type": "oauth-app-key", "attributes": {"name": "second", "publicKey": "PEM"}}})
        );
        let call = apps.delete_key(&id, "key/1");
        assert_eq!(call.request().method(), http::Method::DELETE);
        assert_eq!(
            call.request().uri().to_string(),
            format!("{APPS}/app_1/keys/key%2F1")
        );
        let call = apps.delete(&id);
        assert_eq!(call.request().method(), http::Method::DELETE);
        assert_eq!(call.request().uri().to_string(), format!("{APPS}/app_1"));
        let call = apps.revoke_token(&id, &AccessToken::new("tok-123"));
        assert_eq!(
            call.request().uri().to_string(),
            format!("{APPS}/app_1/token-revocations")
        );
        assert_eq!(
            body(call.request()),
            json!({"data": {"type": "token-revocation", "attributes": {"token": "tok-123"}}})
        );
        let shown = format!("{call:?}");
        assert!(shown.contains("token-revocations"), "{shown}");
        assert!(
            !shown.contains("tok-123") && !shown.contains("k3y"),
            "{shown}"
        );
    }

    #[test]
    fn periods_and_scopes_round_trip() {
        for p in TokenExpirationPeriod::ALL {
            assert_eq!(TokenExpirationPeriod::parse(p.as_str()), Some(p));
        }
        assert_eq!(
            TokenExpirationPeriod::OneWeek.duration().as_secs(),
            7 * 86400
        );
        assert_eq!(
            TokenExpirationPeriod::ThirtyDays.duration().as_secs(),
            30 * 86400
        );
        assert_eq!(TokenExpirationPeriod::parse("4w"), None);
        for s in OAuthAppScope::ALL {
            assert_eq!(OAuthAppScope::parse(s.scope().as_str()), Some(s));
        }
    }

    fn app_doc() -> Value {
        json!({"type": "oauth-app", "id": "app_1", "attributes": {
            "name": "My app", "tokenExpirationPeriod": "3d", "scopes": ["functions:write"],
            "keys": [{"id": "key_1", "name": "one", "publicKey": "PEM1"},
                     {"id": "key_2", "name": "two", "publicKey": "PEM2"}]},
            "relationships": {"sources": {"data": [{"id": "s1", "type": "source"}]}}})
    }

    #[test]
    fn apps_parse_and_malformed_ones_are_parse_errors() {
        let a = app(&app_doc()).unwrap();
        assert_eq!(a.client_id().as_str(), "app_1");
        assert_eq!(a.token_expiration_period, TokenExpirationPeriod::ThreeDays);
        assert_eq!(a.scopes, vec![OAuthAppScope::FunctionsWrite]);
        assert_eq!(a.keys[1].id.as_str(), "key_2");
        assert_eq!(a.keys[1].public_key.as_str(), "PEM2");
        assert_eq!(a.sources, vec![SourceId::new("s1")]);
        let broken: [(&str, Value); 5] = [
            ("/type", json!("oauth-client")),
            ("/attributes/tokenExpirationPeriod", json!("4w")),
            ("/attributes/scopes", json!(["admin"])),
            ("/attributes/keys", json!([{"id": "key_1"}])),
            (
                "/relationships/sources/data",
                json!([{"id": "s1", "type": "app"}]),
            ),
        ];
        for (pointer, value) in broken {
            let mut doc = app_doc();
            *doc.pointer_mut(pointer).unwrap() = value;
            assert!(
                matches!(app(&doc), Err(crate::Error::Parse(_))),
                "{pointer}"
            );
        }
    }

    #[test]
    fn the_added_key_is_the_one_location_names() {
        let resp = |location: &str| {
            http::Response::builder()
                .status(201)
                .header("location", location)
                .body(json!({"data": app_doc()}).to_string().into_bytes())
                .unwrap()
        };
        let added = added_key(resp("/v2/tenants/t/oauth-apps/app_1/keys/key_2")).unwrap();
        assert_eq!(added.key.name, "two");
        assert_eq!(added.app.keys.len(), 2);
        let e = added_key(resp("/v2/tenants/t/oauth-apps/app_1/keys/key_9")).unwrap_err();
        assert!(matches!(e, crate::Error::Parse(_)), "{e:?}");
    }
}
