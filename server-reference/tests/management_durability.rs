//! Management records (docs/management-apis.md) are durable with the SQLite store (docs/rules.md#storage-and-durability): what
//! the three management APIs acknowledged is there after a restart on the same
//! database, and a change the store refuses is answered 500 and not applied.

mod support;
mod token_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use oauth_server_reference::Config;
use oauth_server_reference::crypto::TokenHash;
use oauth_server_reference::model::{AuthCode, Client, GrantId, Millis, TokenRecord, User};
use oauth_server_reference::scope::ScopeSet;
use oauth_server_reference::store::{Consumed, MemoryStore, SqliteStore, Store, StoreError};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TempDir, TestServer};
use token_support::{TOKEN, cc_with_assertion, claims_for, sign};

const ADMIN: (&str, &str) = ("admin@example.com", "demo-admin-key");
const TENANT: &str = "/v2/tenants/demo-tenant";
const SOURCE: &str = "/v2/tenants/demo-tenant/sources/demo-source";

async fn call(
    ts: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = ts
        .http
        .request(method, ts.url(path))
        .basic_auth(ADMIN.0, Some(ADMIN.1));
    if let Some(body) = body {
        // Hub's API is plain JSON; the tenant APIs speak JSON:API.
        let media = if path.starts_with("/api/rest/") {
            "application/json"
        } else {
            "application/vnd.api+json"
        };
        req = req.header("content-type", media).body(body.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn public_pem() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/demo-jwt-public.pem"
    ))
    .unwrap()
}

/// Creates a Segment app; returns (app id, key id).
async fn create_app(ts: &TestServer, name: &str) -> (String, String) {
    let doc = json!({"data": {"type": "oauth-app", "attributes": {
        "name": name, "publicKey": public_pem(), "publicKeyName": "k1",
        "tokenExpirationPeriod": "1d", "scopes": ["tracking_api:write"]}}});
    let (status, body) = call(ts, Method::POST, &format!("{TENANT}/oauth-apps"), Some(doc)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let kid = body["data"]["attributes"]["keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, kid)
}

/// A client-credentials request authenticated as the app; returns the status.
async fn app_token(ts: &TestServer, app: &str, kid: &str) -> StatusCode {
    let assertion = sign(Some(kid), false, &claims_for(ts, app));
    cc_with_assertion(ts, &assertion, None).await.status()
}

async fn create_component(ts: &TestServer, id: &str) -> StatusCode {
    let doc = json!({"data": {"type": "component", "id": id, "attributes": {"visible": true}}});
    call(ts, Method::POST, &format!("{TENANT}/components"), Some(doc))
        .await
        .0
}

async fn open(dir: &TempDir) -> Arc<SqliteStore> {
    Arc::new(SqliteStore::open(&dir.sqlite_url()).await.unwrap())
}

#[tokio::test]
async fn acknowledged_management_changes_survive_a_restart() {
    let dir = TempDir::new();
    let store = open(&dir).await;
    let ts = TestServer::with_store(Config::demo(), store.clone()).await;

    // elastic.io: a component, a flow using it, and a tenant OAuth client.
    let status = create_component(&ts, "durable").await;
    assert_eq!(status, StatusCode::CREATED);
    let flow = json!({"data": {"type": "flow", "id": "durable-flow", "relationships": {
        "components": {"data": [{"id": "durable", "type": "component"}]}}}});
    let (status, _) = call(&ts, Method::POST, &format!("{TENANT}/flows"), Some(flow)).await;
    assert_eq!(status, StatusCode::CREATED);
    let client = json!({"data": {"type": "oauth-client",
        "attributes": {"client_id": "durable-client", "client_secret": "durable-secret"},
        "relationships": {"component": {"data": {"id": "durable", "type": "component"}}}}});
    let (status, body) = call(
        &ts,
        Method::POST,
        &format!("{TENANT}/oauth-clients"),
        Some(client),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let record = body["data"]["id"].as_str().unwrap().to_owned();

    // Hub: a service, then trusted.
    let service = json!({"name": "Durable", "homeUrl": "https://durable.example"});
    let (status, body) = call(
        &ts,
        Method::POST,
        "/api/rest/services?fields=id,secret",
        Some(service),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let service_id = body["id"].as_str().unwrap().to_owned();
    let service_secret = body["secret"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &ts,
        Method::PATCH,
        &format!("/api/rest/services/{service_id}"),
        Some(json!({"trusted": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Segment: an app connected to the enforcing source, and a deleted app.
    let (app, kid) = create_app(&ts, "kept").await;
    let (gone, gone_kid) = create_app(&ts, "deleted").await;
    assert_eq!(app_token(&ts, &gone, &gone_kid).await, StatusCode::OK);
    let (status, _) = call(
        &ts,
        Method::DELETE,
        &format!("{TENANT}/oauth-apps/{gone}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let link = json!({"data": {"type": "source", "attributes": {"oauthEnforced": true},
        "relationships": {"oauthApp": {"data": {"id": app, "type": "oauth-app"}}}}});
    let (status, body) = call(&ts, Method::PATCH, SOURCE, Some(link)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    ts.handle.shutdown().await.unwrap();
    store.close().await;
    drop(store);
    let store = open(&dir).await;
    let ts = TestServer::with_store(Config::demo(), store.clone()).await;

    let (_, components) = call(&ts, Method::GET, &format!("{TENANT}/components"), None).await;
    assert!(
        components["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "durable"),
        "{components}"
    );
    let (_, flows) = call(&ts, Method::GET, &format!("{TENANT}/flows"), None).await;
    assert!(
        flows["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "durable-flow"),
        "{flows}"
    );
    let (status, body) = call(
        &ts,
        Method::GET,
        &format!("{TENANT}/oauth-clients/{record}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["attributes"]["client_id"], "durable-client");
    // The rule still holds after the restart: the flow uses the component.
    let (status, _) = call(
        &ts,
        Method::DELETE,
        &format!("{TENANT}/oauth-clients/{record}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, body) = call(
        &ts,
        Method::GET,
        &format!("/api/rest/services/{service_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["trusted"], true, "{body}");
    let resp = ts
        .http
        .post(ts.url(TOKEN))
        .basic_auth(&service_id, Some(&service_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    let (_, source) = call(&ts, Method::GET, SOURCE, None).await;
    assert_eq!(
        source["data"]["attributes"]["oauthEnforced"], true,
        "{source}"
    );
    assert_eq!(
        source["data"]["relationships"]["oauthApp"]["data"]["id"],
        app.as_str()
    );
    assert_eq!(app_token(&ts, &app, &kid).await, StatusCode::OK);
    let (status, _) = call(
        &ts,
        Method::GET,
        &format!("{TENANT}/oauth-apps/{gone}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app_token(&ts, &gone, &gone_kid).await,
        StatusCode::UNAUTHORIZED
    );

    ts.handle.shutdown().await.unwrap();
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    store.close().await;
}

/// A store whose management writes can be made to fail; everything else is memory.
struct FailingStore {
    inner: MemoryStore,
    fail: AtomicBool,
}

#[async_trait]
impl Store for FailingStore {
    async fn client(&self, id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        self.inner.client(id).await
    }
    async fn put_client(&self, c: Client) -> Result<(), StoreError> {
        self.inner.put_client(c).await
    }
    async fn user(&self, u: &str) -> Result<Option<Arc<User>>, StoreError> {
        self.inner.user(u).await
    }
    async fn put_user(&self, u: User) -> Result<(), StoreError> {
        self.inner.put_user(u).await
    }
    async fn insert_code(&self, c: AuthCode) -> Result<(), StoreError> {
        self.inner.insert_code(c).await
    }
    async fn consume_code(&self, h: &TokenHash) -> Result<Consumed<AuthCode>, StoreError> {
        self.inner.consume_code(h).await
    }
    async fn code(&self, h: &TokenHash) -> Result<Option<AuthCode>, StoreError> {
        self.inner.code(h).await
    }
    async fn insert_tokens(&self, t: Vec<TokenRecord>) -> Result<(), StoreError> {
        self.inner.insert_tokens(t).await
    }
    async fn token(&self, h: &TokenHash) -> Result<Option<TokenRecord>, StoreError> {
        self.inner.token(h).await
    }
    async fn rotate_refresh_token(
        &self,
        h: &TokenHash,
        successors: Vec<TokenRecord>,
    ) -> Result<Consumed<TokenRecord>, StoreError> {
        self.inner.rotate_refresh_token(h, successors).await
    }
    async fn revoke_token(&self, h: &TokenHash) -> Result<bool, StoreError> {
        self.inner.revoke_token(h).await
    }
    async fn revoke_grant(&self, g: &GrantId) -> Result<(), StoreError> {
        self.inner.revoke_grant(g).await
    }
    async fn consent(&self, u: &str, c: &str) -> Result<Option<ScopeSet>, StoreError> {
        self.inner.consent(u, c).await
    }
    async fn put_consent(&self, u: &str, c: &str, s: &ScopeSet) -> Result<(), StoreError> {
        self.inner.put_consent(u, c, s).await
    }
    async fn record_jti(
        &self,
        c: &str,
        j: &str,
        e: Millis,
        now: Millis,
    ) -> Result<bool, StoreError> {
        self.inner.record_jti(c, j, e, now).await
    }
    async fn management_records(&self) -> Result<Option<String>, StoreError> {
        self.inner.management_records().await
    }
    async fn save_management_records(&self, d: &str) -> Result<(), StoreError> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(StoreError("disk full".into()));
        }
        self.inner.save_management_records(d).await
    }
    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        self.inner.purge_expired(now).await
    }
}

#[tokio::test]
async fn a_change_the_store_refuses_is_a_500_and_not_applied() {
    let store = Arc::new(FailingStore {
        inner: MemoryStore::new(),
        fail: AtomicBool::new(false),
    });
    let ts = TestServer::with_store(Config::demo(), store.clone()).await;
    let (app, kid) = create_app(&ts, "before").await;
    store.fail.store(true, Ordering::SeqCst);

    let (status, body) = call(
        &ts,
        Method::PATCH,
        &format!("{TENANT}/oauth-apps/{app}"),
        Some(json!({"data": {"type": "oauth-app", "id": app, "attributes": {"name": "after"}}})),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let detail = body["errors"][0]["detail"].as_str().unwrap();
    assert!(
        !detail.contains("disk full"),
        "the cause is logged, not sent: {detail}"
    );
    let (status, _) = call(
        &ts,
        Method::DELETE,
        &format!("{TENANT}/oauth-apps/{app}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let status = create_component(&ts, "lost").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);

    let (_, body) = call(
        &ts,
        Method::GET,
        &format!("{TENANT}/oauth-apps/{app}"),
        None,
    )
    .await;
    assert_eq!(body["data"]["attributes"]["name"], "before", "{body}");
    assert_eq!(
        app_token(&ts, &app, &kid).await,
        StatusCode::OK,
        "the app was not deleted"
    );
    let (_, components) = call(&ts, Method::GET, &format!("{TENANT}/components"), None).await;
    assert!(
        !components["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "lost")
    );
}
