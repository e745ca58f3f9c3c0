//! Segment OAuth apps (the Segment OAuth apps docs; docs/management-apis.md#segment-oauth-apps): apps under
//! `/v2/tenants/{T}/oauth-apps` (JSON:API over HTTP Basic), their keys, and
//! their tokens by `private_key_jwt` client credentials. Apps are made per
//! scenario; sources and `/v1/track` are in `sources.rs`. Every body is raw
//! JSON built here.

use serde_json::{Value, json};

use super::jwt::{assertion_claims, client_credentials_with_assertion, sign};
use super::management::{JSONAPI, data_ids, unique};
use super::sources::Lease;
use super::*;
use crate::config::SegmentApps;
use crate::user_agent::RawRequest;

/// The seven token expiration periods of the seed, in days.
const PERIOD_DAYS: [(&str, u64); 7] = [
    ("1d", 1),
    ("2d", 2),
    ("3d", 3),
    ("1w", 7),
    ("2w", 14),
    ("3w", 21),
    ("30d", 30),
];

/// A token expiration period in seconds.
fn period_secs(period: &str) -> Option<u64> {
    PERIOD_DAYS
        .iter()
        .find(|(p, _)| *p == period)
        .map(|(_, days)| days * 86_400)
}

/// One app made in this scenario.
#[derive(Clone, Default)]
pub(super) struct AppRecord {
    pub(super) id: String,
    name: String,
    period: String,
    scopes: Vec<String>,
    /// The server's key id for each of the two declared key pairs.
    kids: [Option<String>; 2],
    /// The last access token the app received.
    pub(super) token: Option<String>,
}

/// Segment state of one scenario.
#[derive(Default)]
pub struct SegmentState {
    /// Apps made here: "the app" first, "the other app" second.
    apps: Vec<AppRecord>,
    /// The leased source.
    pub(super) lease: Option<Lease>,
    /// Name sent with the last bad create request.
    attempted: Option<String>,
}

impl fmt::Debug for SegmentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let apps: Vec<(&str, bool)> = self
            .apps
            .iter()
            .map(|a| (a.id.as_str(), a.token.is_some()))
            .collect();
        f.debug_struct("SegmentState")
            .field("apps (id, holds a token)", &apps)
            .field("source", &self.lease.as_ref().map(Lease::id))
            .finish_non_exhaustive()
    }
}

fn words(scopes: &str) -> Vec<String> {
    scopes.split_whitespace().map(str::to_owned).collect()
}

impl OAuthWorld {
    /// `[management.segment]`.
    pub(super) fn segment(&self) -> Result<&'static SegmentApps, String> {
        self.target
            .segment()
            .ok_or_else(|| "the target file has no [management.segment] table".into())
    }

    fn public_key(&self, key: usize) -> Result<String, String> {
        let pair = self.segment()?.keys.get(key).ok_or("no such key pair")?;
        std::fs::read_to_string(self.target.file(&pair.public_key))
            .map_err(|e| format!("cannot read {}: {e}", pair.public_key.display()))
    }

    pub(super) fn app(&self, which: usize) -> Result<&AppRecord, String> {
        self.segment_state
            .apps
            .get(which)
            .ok_or_else(|| format!("no OAuth app number {} was created", which + 1))
    }

    fn app_path(&self, which: usize, rest: &str) -> Result<String, String> {
        let id = &self.app(which)?.id;
        self.tenant_path(&format!("/oauth-apps/{id}{rest}"))
    }

    pub(super) async fn send_doc(
        &mut self,
        who: Who,
        method: &str,
        path: &str,
        doc: &Value,
    ) -> Check {
        self.mgmt_send(who, method, path, Some((JSONAPI, doc.to_string())))
            .await
            .map(drop)
    }

    /// Creates an app with the first key pair; on 201 it becomes the
    /// scenario's next app.
    pub async fn create_app(&mut self, who: Who, period: &str, scopes: &str) -> Check {
        let name = unique("Conformance app");
        let doc = json!({"data": {"type": "oauth-app", "attributes": {
            "name": name, "publicKey": self.public_key(0)?, "publicKeyName": "conformance key 1",
            "tokenExpirationPeriod": period, "scopes": words(scopes)}}});
        let path = self.tenant_path("/oauth-apps")?;
        self.send_doc(who, "POST", &path, &doc).await?;
        let r = self.last()?;
        if r.status != 201 {
            return Ok(());
        }
        let d = r.json().unwrap_or_default();
        let (Some(id), Some(kid)) = (
            d["data"]["id"].as_str(),
            d["data"]["attributes"]["keys"][0]["id"].as_str(),
        ) else {
            return Err(format!(
                "201 without data.id and a key id: {}",
                r.describe()
            ));
        };
        self.segment_state.apps.push(AppRecord {
            id: id.to_owned(),
            name,
            period: period.to_owned(),
            scopes: words(scopes),
            kids: [Some(kid.to_owned()), None],
            token: None,
        });
        Ok(())
    }

    /// An app made by the app administrator (must succeed).
    pub async fn given_app(&mut self, period: &str, scopes: &str) -> Check {
        self.create_app(Who::AppAdmin, period, scopes).await?;
        self.expect_status(201)
    }

    /// Sends one bad create request with a name of its own.
    pub async fn bad_create_app(&mut self, who: Who, case: BadApp) -> Check {
        let name = unique("Conformance bad app");
        let pem = match case {
            BadApp::NotPem => "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC conformance".to_owned(),
            _ => self.public_key(0)?,
        };
        let period = if case == BadApp::UnknownPeriod {
            "5d"
        } else {
            "1d"
        };
        let scope = if case == BadApp::UnknownScope {
            "tracking_api:admin"
        } else {
            "tracking_api:write"
        };
        let ty = if case == BadApp::WrongType {
            "oauth-client"
        } else {
            "oauth-app"
        };
        let doc = json!({"data": {"type": ty, "attributes": {
            "name": name, "publicKey": pem, "publicKeyName": "conformance key",
            "tokenExpirationPeriod": period, "scopes": [scope]}}});
        let body = match case {
            BadApp::Malformed => doc.to_string()[..60].to_owned(),
            _ => doc.to_string(),
        };
        self.segment_state.attempted = Some(name);
        let path = self.tenant_path("/oauth-apps")?;
        self.mgmt_send(who, "POST", &path, Some((JSONAPI, body)))
            .await
            .map(drop)
    }

    /// No app carries the name of the last bad request.
    pub async fn expect_no_app_created(&mut self) -> Check {
        let last = self.last.clone();
        let name = self
            .segment_state
            .attempted
            .clone()
            .ok_or("no bad request was sent")?;
        let path = self.tenant_path("/oauth-apps")?;
        let r = self.mgmt_send(Who::AppAdmin, "GET", &path, None).await?;
        self.last = last;
        let doc = r.json().unwrap_or_default();
        let items = doc["data"]
            .as_array()
            .ok_or_else(|| format!("no `data` array: {}", r.describe()))?;
        match items
            .iter()
            .find(|a| a["attributes"]["name"].as_str() == Some(name.as_str()))
        {
            Some(a) => Err(format!("the refused request created app {}", a["id"])),
            None => Ok(()),
        }
    }

    /// GET of the app (`which`: 0 the app, 1 the other app).
    pub async fn get_app(&mut self, who: Who, which: usize) -> Check {
        let path = self.app_path(which, "")?;
        self.mgmt_send(who, "GET", &path, None).await.map(drop)
    }

    /// Lists the tenant's apps.
    pub async fn list_apps(&mut self, who: Who) -> Check {
        let path = self.tenant_path("/oauth-apps")?;
        self.mgmt_send(who, "GET", &path, None).await.map(drop)
    }

    /// PATCHes the app's period and scopes; the record follows a 200.
    pub async fn edit_app(&mut self, who: Who, period: &str, scopes: &str) -> Check {
        let id = self.app(0)?.id.clone();
        let doc = json!({"data": {"type": "oauth-app", "id": id, "attributes": {
            "tokenExpirationPeriod": period, "scopes": words(scopes)}}});
        let path = self.app_path(0, "")?;
        self.send_doc(who, "PATCH", &path, &doc).await?;
        if self.last()?.status == 200 {
            let app = &mut self.segment_state.apps[0];
            app.period = period.to_owned();
            app.scopes = words(scopes);
        }
        Ok(())
    }

    /// DELETE of the app.
    pub async fn delete_app(&mut self, who: Who) -> Check {
        let path = self.app_path(0, "")?;
        self.mgmt_send(who, "DELETE", &path, None).await.map(drop)
    }

    /// Adds the public key of pair `key` to the app; on 201 its new key id is
    /// noted for that pair.
    pub async fn add_key(&mut self, who: Who, key: usize) -> Check {
        let doc = json!({"data": {"type": "oauth-app-key", "attributes": {
            "name": format!("conformance key {}", key + 1), "publicKey": self.public_key(key)?}}});
        let path = self.app_path(0, "/keys")?;
        self.send_doc(who, "POST", &path, &doc).await?;
        let r = self.last()?;
        if r.status != 201 {
            return Ok(());
        }
        let known = self.segment_state.apps[0].kids.clone();
        let d = r.json().unwrap_or_default();
        let new = d["data"]["attributes"]["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k["id"].as_str())
            .find(|id| !known.iter().flatten().any(|k| k == id))
            .ok_or_else(|| format!("201 without a new key id: {}", r.describe()))?
            .to_owned();
        self.segment_state.apps[0].kids[key] = Some(new);
        Ok(())
    }

    /// Deletes the key of pair `key` from the app.
    pub async fn delete_key(&mut self, who: Who, key: usize) -> Check {
        let kid = self.app(0)?.kids[key]
            .clone()
            .ok_or("that key was never added")?;
        let path = self.app_path(0, &format!("/keys/{kid}"))?;
        self.mgmt_send(who, "DELETE", &path, None).await.map(drop)
    }

    /// Client credentials for app `which`, authenticated by an assertion
    /// signed with key pair `key`; a token received is kept for the app.
    pub async fn app_token(&mut self, which: usize, key: usize, scope: &str) -> Check {
        let seg = self.segment()?;
        let app = self.app(which)?.clone();
        let pair = seg.keys.get(key).ok_or("no such key pair")?;
        let pem = std::fs::read(self.target.file(&pair.private_key))
            .map_err(|e| format!("cannot read {}: {e}", pair.private_key.display()))?;
        // The server's key id, or a made-up one for a key it never had.
        let kid = app.kids[key]
            .clone()
            .unwrap_or_else(|| unique("conformance-kid"));
        let claims = assertion_claims(&app.id, self.target.audience());
        let assertion = sign(&pem, "RS256", Some(kid), &claims)?;
        let url = self
            .target
            .management_url(seg.token_endpoint.as_deref().unwrap_or("/token"));
        let req = RawRequest::post_form(url, client_credentials_with_assertion(assertion, scope));
        let r = self.http.send(&req).await?;
        if r.status == 200 {
            self.segment_state.apps[which].token = r.member("access_token");
        }
        self.last = Some(r);
        Ok(())
    }

    /// The last answer is a token response; its `expires_in` matches the
    /// app's period when `period` says so.
    pub fn expect_app_token(&self, period: Option<&str>) -> Check {
        let r = self.last()?;
        if r.status != 200 || r.member("access_token").is_none_or(|t| t.is_empty()) {
            return Err(format!("expected an access token: {}", r.describe()));
        }
        let Some(period) = period else { return Ok(()) };
        let want = period_secs(period).ok_or("not a Segment period")?;
        let got = r.json().unwrap_or_default()["expires_in"].as_u64();
        // A server may count from a moment a little before its answer.
        if got.is_some_and(|g| g <= want && g + 60 >= want) {
            Ok(())
        } else {
            Err(format!(
                "expires_in is {got:?}, the period {period} is {want} s"
            ))
        }
    }

    /// The last answer is app `which` as a JSON:API resource.
    pub fn expect_app(&self, which: usize) -> Check {
        let r = self.last()?;
        let app = self.app(which)?;
        if !(200..300).contains(&r.status) {
            return Err(format!("expected the OAuth app: {}", r.describe()));
        }
        let d = &r.json().ok_or("not JSON")?["data"];
        let a = &d["attributes"];
        let mut scopes: Vec<&str> = a["scopes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        scopes.sort_unstable();
        let mut want: Vec<&str> = app.scopes.iter().map(String::as_str).collect();
        want.sort_unstable();
        let problems = [
            (d["type"] != "oauth-app", "data.type is not oauth-app"),
            (
                d["id"].as_str() != Some(app.id.as_str()),
                "data.id is not the app",
            ),
            (
                a["name"].as_str() != Some(app.name.as_str()),
                "the name differs",
            ),
            (
                a["tokenExpirationPeriod"].as_str() != Some(app.period.as_str()),
                "tokenExpirationPeriod differs",
            ),
            (scopes != want, "the scopes differ"),
        ];
        match problems.iter().find(|(bad, _)| *bad) {
            Some((_, what)) => Err(format!("{what}: {}", r.body)),
            None => Ok(()),
        }
    }

    /// Revokes the app's token by its value.
    pub async fn revoke_app_token(&mut self, who: Who) -> Check {
        let token = self.app(0)?.token.clone().ok_or("the app holds no token")?;
        let doc = json!({"data": {"type": "token-revocation", "attributes": {"token": token}}});
        let path = self.app_path(0, "/token-revocations")?;
        self.send_doc(who, "POST", &path, &doc).await
    }

    /// Isolation: the other tenant's apps, the app through the other tenant,
    /// and the other tenant's source, against a tenant that does not exist.
    pub async fn probe_other_tenant_apps(&mut self, who: Who, what: &str) -> Check {
        let rest = match what {
            "apps" => "/oauth-apps".to_owned(),
            "app" => format!("/oauth-apps/{}", self.app(0)?.id),
            _ => {
                let s = self.segment()?.other_tenant_source.clone();
                format!("/sources/{}", s.ok_or("no other_tenant_source")?)
            }
        };
        self.probe_through_other_tenant(who, &rest, None).await
    }

    /// The listing of apps holds app `which`.
    pub fn expect_app_listed(&self, which: usize) -> Check {
        let id = &self.app(which)?.id;
        if data_ids(self.last()?)?.contains(id) {
            Ok(())
        } else {
            Err(format!("the listing lacks the OAuth app {id}"))
        }
    }
}
