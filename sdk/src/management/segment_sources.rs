//! Segment sources under a tenant: `GET|PATCH /v2/tenants/{T}/sources/{S}`,
//! JSON:API documents of type `source` whose relationship `oauthApp` names the
//! connected OAuth app and whose attribute `oauthEnforced` makes the tracking
//! API want that app's tokens.
//!
//! An enforcing source always has an app: enforcement needs a connected app,
//! and a source cannot be disconnected while it enforces (409 both).

use serde_json::{Value, json};

use super::segment_apps::OAuthAppId;
use super::{
    ManagementClient, ManagementRequest, TenantId, document_data, id_type, identifier, malformed,
    resource_id,
};
use crate::error::Result;

id_type! {
    /// A source's id (`/v2/tenants/{T}/sources/{WHAT_ID}`).
    SourceId
}

/// A source's OAuth settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Source {
    /// The source id.
    pub id: SourceId,
    /// The connected app, if any (`relationships.oauthApp`).
    pub oauth_app: Option<OAuthAppId>,
    /// `oauthEnforced`: the tracking API then wants a token of the app.
    pub oauth_enforced: bool,
    /// Segment's source type (`http-api`, `python`, `javascript`...), when the
    /// server says; only server-side sources can be connected to an app.
    pub kind: Option<String>,
}

/// The sources of one tenant: `/v2/tenants/{T}/sources/{S}`. Connecting and
/// enforcement need a source or function admin role. From
/// [`Segment::sources`](super::Segment::sources).
#[derive(Debug, Clone)]
pub struct Sources {
    api: ManagementClient,
    tenant: TenantId,
}

impl Sources {
    pub(super) fn new(api: ManagementClient, tenant: TenantId) -> Self {
        Self { api, tenant }
    }

    /// `GET` without `patch`, else `PATCH` with `data.{member} = value`.
    fn call(&self, id: SourceId, patch: Option<(&str, Value)>) -> ManagementRequest<Source> {
        let segments = [
            "v2",
            "tenants",
            self.tenant.as_str(),
            "sources",
            id.as_str(),
        ];
        let doc = patch.map(|(member, value)| {
            let mut data = json!({ "type": "source", "id": id.as_str() });
            data[member] = value;
            json!({ "data": data })
        });
        let method = match doc {
            Some(_) => http::Method::PATCH,
            None => http::Method::GET,
        };
        self.api.json_api(method, &segments, doc, |r| {
            source(&document_data(WHAT, r.body())?)
        })
    }

    /// `GET` a source's OAuth settings.
    pub fn get(&self, id: impl Into<SourceId>) -> ManagementRequest<Source> {
        self.call(id.into(), None)
    }

    /// Connects `app` to the source (replacing any other app).
    pub fn connect(
        &self,
        id: impl Into<SourceId>,
        app: impl Into<OAuthAppId>,
    ) -> ManagementRequest<Source> {
        let link = json!({"data": {"id": app.into().as_str(), "type": "oauth-app"}});
        self.call(
            id.into(),
            Some(("relationships", json!({"oauthApp": link}))),
        )
    }

    /// Disconnects the source's app (409 while the source enforces OAuth).
    pub fn disconnect(&self, id: impl Into<SourceId>) -> ManagementRequest<Source> {
        let link = json!({"data": null});
        self.call(
            id.into(),
            Some(("relationships", json!({"oauthApp": link}))),
        )
    }

    /// Turns OAuth enforcement on: the tracking API then wants a token of
    /// the connected app (409 if none is connected).
    pub fn enable_enforcement(&self, id: impl Into<SourceId>) -> ManagementRequest<Source> {
        self.enforce(id.into(), true)
    }

    /// Turns OAuth enforcement off: the write key alone is enough again.
    pub fn disable_enforcement(&self, id: impl Into<SourceId>) -> ManagementRequest<Source> {
        self.enforce(id.into(), false)
    }

    fn enforce(&self, id: SourceId, on: bool) -> ManagementRequest<Source> {
        self.call(id, Some(("attributes", json!({"oauthEnforced": on}))))
    }
}

const WHAT: &str = "source document";

fn source(data: &Value) -> Result<Source> {
    let id = resource_id(WHAT, data, "source")?;
    let oauth_app = match data.pointer("/relationships/oauthApp/data") {
        None | Some(Value::Null) => None,
        Some(link) => {
            let app = identifier(link, "oauth-app")
                .ok_or_else(|| malformed(WHAT, "`oauthApp` is not of type \"oauth-app\""))?;
            Some(OAuthAppId::new(app))
        }
    };
    let oauth_enforced = data
        .pointer("/attributes/oauthEnforced")
        .and_then(Value::as_bool)
        .ok_or_else(|| malformed(WHAT, "no boolean `oauthEnforced`"))?;
    let kind = data
        .pointer("/attributes/kind")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(Source {
        id: SourceId::new(id),
        oauth_app,
        oauth_enforced,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{api, body_json as body};
    use super::*;

    #[test]
    fn each_call_patches_only_its_own_member() {
        let sources = api().segment().sources("demo-tenant");
        let id = SourceId::new("demo-source");
        let get = sources.get(&id);
        assert_eq!(get.request().method(), http::Method::GET);
        assert_eq!(
            get.request().uri().to_string(),
            "https://api.example.com/v2/tenants/demo-tenant/sources/demo-source"
        );
        assert!(get.request().body().is_empty());
        let app = OAuthAppId::new("app_1");
        let cases = [
            (
                sources.connect(&id, &app),
                json!({"relationships": {"oauthApp": {"data": {"id": "app_1", "type": "oauth-app"}}}}),
            ),
            (
                sources.disconnect(&id),
                json!({"relationships": {"oauthApp": {"data": null}}}),
            ),
            (
                sources.enable_enforcement(&id),
                json!({"attributes": {"oauthEnforced": true}}),
            ),
            (
                sources.disable_enforcement(&id),
                json!({"attributes": {"oauthEnforced": false}}),
            ),
        ];
        for (call, member) in cases {
            let req = call.request();
            assert_eq!(req.method(), http::Method::PATCH);
            assert_eq!(req.headers()["content-type"], super::super::JSON_API);
            let mut expected = json!({"data": {"type": "source", "id": "demo-source"}});
            for (k, v) in member.as_object().unwrap() {
                expected["data"][k] = v.clone();
            }
            assert_eq!(body(req), expected);
        }
    }

    #[test]
    fn sources_parse_and_malformed_ones_are_parse_errors() {
        let connected = json!({"type": "source", "id": "s1", "attributes": {"oauthEnforced": true},
            "relationships": {"oauthApp": {"data": {"id": "app_1", "type": "oauth-app"}}}});
        let s = source(&connected).unwrap();
        assert_eq!(s.id.as_str(), "s1");
        assert_eq!(s.oauth_app, Some(OAuthAppId::new("app_1")));
        assert!(s.oauth_enforced);
        let alone = json!({"type": "source", "id": "s1", "attributes": {"oauthEnforced": false},
            "relationships": {"oauthApp": {"data": null}}});
        assert_eq!(source(&alone).unwrap().oauth_app, None);
        for bad in [
            json!({"type": "oauth-app", "id": "s1", "attributes": {"oauthEnforced": false}}),
            json!({"type": "source", "id": "s1", "attributes": {}}),
            json!({"type": "source", "id": "s1", "attributes": {"oauthEnforced": false},
                   "relationships": {"oauthApp": {"data": {"id": "x", "type": "source"}}}}),
        ] {
            assert!(matches!(source(&bad), Err(crate::Error::Parse(_))), "{bad}");
        }
    }
}
