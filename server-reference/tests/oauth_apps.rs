//! Segment OAuth apps (the Segment OAuth apps docs; docs/management-apis.md#segment-oauth-apps) over a real socket:
//! the admin API under `/v2/tenants/{T}/`, apps as working `private_key_jwt`
//! clients, sources with OAuth enforcement at `POST /v1/track`, the role table.

mod support;
mod token_support;

use oauth_server_reference::Config;
use oauth_server_reference::config::DEMO_TOML;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TestServer, json};
use token_support::{cc_with_assertion, claims_for, sign};

const ADMIN: (&str, &str) = ("admin@example.com", "demo-admin-key");
const OWNER: (&str, &str) = ("owner@example.com", "demo-owner-key");
const MEMBER: (&str, &str) = ("member@example.com", "demo-member-key");
const SOURCE_ADMIN: (&str, &str) = ("source-admin@example.com", "demo-source-admin-key");
const SOURCE_READER: (&str, &str) = ("source-reader@example.com", "demo-source-reader-key");
const FUNCTION_ADMIN: (&str, &str) = ("function-admin@example.com", "demo-function-admin-key");
const FUNCTION_READER: (&str, &str) = ("function-reader@example.com", "demo-function-reader-key");
const APPS: &str = "/v2/tenants/demo-tenant/oauth-apps";
const SOURCE: &str = "/v2/tenants/demo-tenant/sources/demo-source";
const WRITE_KEY: &str = "demo-write-key";
const ALL_SCOPES: [&str; 3] = [
    "tracking_api:write",
    "functions:write",
    "public_api:read_write",
];

fn public_pem() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/demo-jwt-public.pem"
    ))
    .unwrap()
}

async fn send(
    ts: &TestServer,
    method: Method,
    path: &str,
    creds: (&str, &str),
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = ts
        .http
        .request(method, ts.url(path))
        .basic_auth(creds.0, Some(creds.1));
    if let Some(body) = body {
        req = req
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string());
    }
    req.send().await.unwrap()
}

fn app_doc(pem: &str, period: &str, scopes: &[&str]) -> Value {
    json!({"data": {"type": "oauth-app", "attributes": {
        "name": "My app", "publicKey": pem, "publicKeyName": "key one",
        "tokenExpirationPeriod": period, "scopes": scopes}}})
}

/// Creates an app; returns (app id, key id).
async fn create(ts: &TestServer, period: &str, scopes: &[&str]) -> (String, String) {
    let resp = send(
        ts,
        Method::POST,
        APPS,
        ADMIN,
        Some(app_doc(&public_pem(), period, scopes)),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(APPS)
    );
    let body = json(resp).await;
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let kid = body["data"]["attributes"]["keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, kid)
}

/// A client-credentials request authenticated by an assertion under `kid`.
async fn token_req(
    ts: &TestServer,
    app: &str,
    kid: &str,
    scope: Option<&str>,
) -> reqwest::Response {
    let assertion = sign(Some(kid), false, &claims_for(ts, app));
    cc_with_assertion(ts, &assertion, scope).await
}

async fn token(ts: &TestServer, app: &str, kid: &str, scope: Option<&str>) -> Value {
    let resp = token_req(ts, app, kid, scope).await;
    assert_eq!(resp.status(), StatusCode::OK);
    json(resp).await
}

async fn track(ts: &TestServer, bearer: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = ts.http.post(ts.url("/v1/track")).json(&body);
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn event() -> Value {
    json!({"writeKey": WRITE_KEY, "type": "track", "event": "Signed Up", "userId": "u1"})
}

async fn patch_source(ts: &TestServer, creds: (&str, &str), data: Value) -> reqwest::Response {
    let mut doc = json!({"data": {"type": "source"}});
    for (k, v) in data.as_object().unwrap() {
        doc["data"][k] = v.clone();
    }
    send(ts, Method::PATCH, SOURCE, creds, Some(doc)).await
}

fn connect(app: &str) -> Value {
    json!({"relationships": {"oauthApp": {"data": {"id": app, "type": "oauth-app"}}}})
}

fn disconnect() -> Value {
    json!({"relationships": {"oauthApp": {"data": null}}})
}

fn enforce(on: bool) -> Value {
    json!({"attributes": {"oauthEnforced": on}})
}

async fn detail(resp: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(resp.status(), status);
    json(resp).await["errors"][0]["detail"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn created_app_is_a_working_private_key_jwt_client() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "2w", &["tracking_api:write", "functions:write"]).await;
    let body = token(&ts, &app, &kid, None).await;
    assert_eq!(body["expires_in"], 14 * 86400);
    assert_eq!(body["token_type"], "Bearer");
    let resp = token_req(&ts, &app, "demo-key-1", None).await;
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "another kid is refused"
    );
    let resp = token_req(&ts, &app, &kid, Some("public_api:read_write")).await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "scope outside the app's"
    );
    let shown = json(send(&ts, Method::GET, &format!("{APPS}/{app}"), ADMIN, None).await).await;
    assert_eq!(shown["data"]["attributes"]["tokenExpirationPeriod"], "2w");
    let list = json(send(&ts, Method::GET, APPS, ADMIN, None).await).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_period_is_accepted_and_others_are_not() {
    let ts = TestServer::demo().await;
    for (p, days) in [
        ("1d", 1),
        ("2d", 2),
        ("3d", 3),
        ("1w", 7),
        ("2w", 14),
        ("3w", 21),
        ("30d", 30),
    ] {
        let (app, kid) = create(&ts, p, &ALL_SCOPES).await;
        assert_eq!(
            token(&ts, &app, &kid, None).await["expires_in"],
            days * 86400,
            "{p}"
        );
    }
    for bad in ["4d", "1m", "86400", ""] {
        let resp = send(
            &ts,
            Method::POST,
            APPS,
            ADMIN,
            Some(app_doc(&public_pem(), bad, &ALL_SCOPES)),
        )
        .await;
        assert!(resp.status().is_client_error(), "{bad}");
    }
}

#[tokio::test]
async fn bad_creation_input_is_refused_and_nothing_is_created() {
    let ts = TestServer::demo().await;
    let d = detail(
        send(
            &ts,
            Method::POST,
            APPS,
            ADMIN,
            Some(app_doc("not a pem", "1d", &ALL_SCOPES)),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(d.contains("PEM"), "{d}");
    let d = detail(
        send(
            &ts,
            Method::POST,
            APPS,
            ADMIN,
            Some(app_doc(&public_pem(), "1d", &["admin"])),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(d.contains("tracking_api:write"), "{d}");
    let empty = send(
        &ts,
        Method::POST,
        APPS,
        ADMIN,
        Some(app_doc(&public_pem(), "1d", &[])),
    )
    .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    let mut no_name = app_doc(&public_pem(), "1d", &ALL_SCOPES);
    no_name["data"]["attributes"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert_eq!(
        send(&ts, Method::POST, APPS, ADMIN, Some(no_name))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let list = json(send(&ts, Method::GET, APPS, ADMIN, None).await).await;
    assert_eq!(list["data"], json!([]));
}

/// The demo public key as PKCS#1 (`openssl rsa -pubin -RSAPublicKey_out`): an RSA
/// public key, but not SPKI.
const PKCS1_PUBLIC: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEA4bX3AqoTzLJHsvfXTNCwg5Wq8wtArNeWCCmDgx3PIfrAXBOtT9K8
ZY4ORUsND7luwnBDLNAWQvGtY0kW5rJ9JY5+SIkfIGb7ig5E2n75yoBvWoxRsNN1
qNsU0mNNqda0ysSQkvFfOltWAZIIVRkFZmAdu08gZ79YglcLke8KBwtywECD7xeu
fMQSKv5+sSe+XWy5miDu5p5yhDqTaQptd8duB92csqLY8K4EqaP6WyRTP2jA86Gr
oWC4+MpNzYpJFZBTU2Y9q1Ek46bhv7vwkdWwboAmF5izs+F0odkFqRGtLA9RKp8O
xPDAf65VC7P2oDvaglRuHyyX63pWP0taXQIDAQAB
-----END RSA PUBLIC KEY-----
";

#[tokio::test]
async fn only_an_spki_public_key_is_accepted_never_a_private_key() {
    let ts = TestServer::demo().await;
    let private = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/demo-jwt-private.pem"
    ))
    .unwrap();
    let secret_line = private.lines().nth(1).unwrap().to_owned();
    let pkcs1_private = private.replace("PRIVATE KEY", "RSA PRIVATE KEY");
    let both = format!("{}{private}", public_pem());
    for (pem, problem) in [
        (private.as_str(), "private key"),
        (pkcs1_private.as_str(), "private key"),
        (both.as_str(), "private key"),
        (PKCS1_PUBLIC, "SPKI"),
    ] {
        let resp = send(
            &ts,
            Method::POST,
            APPS,
            ADMIN,
            Some(app_doc(pem, "1d", &ALL_SCOPES)),
        )
        .await;
        let d = detail(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(d.contains(problem), "{problem}: {d}");
        assert!(!d.contains(&secret_line), "the key is not echoed");
    }
    let list = json(send(&ts, Method::GET, APPS, ADMIN, None).await).await;
    assert_eq!(list["data"], json!([]));

    let (app, _) = create(&ts, "1d", &ALL_SCOPES).await;
    let key_doc = json!({"data": {"type": "oauth-app-key", "attributes": {"name": "two", "publicKey": private}}});
    let keys = format!("{APPS}/{app}/keys");
    let d = detail(
        send(&ts, Method::POST, &keys, ADMIN, Some(key_doc)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(d.contains("private key"), "{d}");
    let shown = json(
        send(
            &ts,
            Method::GET,
            &format!("{APPS}/{app}"),
            SOURCE_READER,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        shown["data"]["attributes"]["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(!shown.to_string().contains(&secret_line));
}

#[tokio::test]
async fn keys_second_yes_third_no_delete_but_not_the_last() {
    let ts = TestServer::demo().await;
    let (app, kid1) = create(&ts, "1d", &ALL_SCOPES).await;
    let keys = format!("{APPS}/{app}/keys");
    let key_doc = |pem: &str| json!({"data": {"type": "oauth-app-key", "attributes": {"name": "two", "publicKey": pem}}});
    let d = detail(
        send(
            &ts,
            Method::POST,
            &keys,
            ADMIN,
            Some(key_doc(
                "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----",
            )),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(d.contains("PEM"));
    let resp = send(
        &ts,
        Method::POST,
        &keys,
        ADMIN,
        Some(key_doc(&public_pem())),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body = json(resp).await;
    let kid2 = body["data"]["attributes"]["keys"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    token(&ts, &app, &kid1, None).await;
    token(&ts, &app, &kid2, None).await;
    let third = send(
        &ts,
        Method::POST,
        &keys,
        ADMIN,
        Some(key_doc(&public_pem())),
    )
    .await;
    assert_eq!(third.status(), StatusCode::CONFLICT);
    let resp = send(&ts, Method::DELETE, &format!("{keys}/{kid1}"), ADMIN, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        token_req(&ts, &app, &kid1, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    token(&ts, &app, &kid2, None).await;
    let last = send(&ts, Method::DELETE, &format!("{keys}/{kid2}"), ADMIN, None).await;
    assert_eq!(last.status(), StatusCode::CONFLICT);
    let gone = send(&ts, Method::DELETE, &format!("{keys}/{kid1}"), ADMIN, None).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    token(&ts, &app, &kid2, None).await;
}

#[tokio::test]
async fn edits_reach_new_tokens_and_bad_edits_change_nothing() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "1d", &ALL_SCOPES).await;
    let path = format!("{APPS}/{app}");
    let edit =
        |attrs: Value| json!({"data": {"type": "oauth-app", "id": app, "attributes": attrs}});
    let resp = send(&ts, Method::PATCH, &path, ADMIN, Some(edit(json!({"name": "Renamed", "tokenExpirationPeriod": "3w", "scopes": ["tracking_api:write"]})))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json(resp).await["data"]["attributes"]["name"], "Renamed");
    let body = token(&ts, &app, &kid, None).await;
    assert_eq!(body["expires_in"], 21 * 86400);
    assert_eq!(body["scope"], "tracking_api:write");
    assert_eq!(
        token_req(&ts, &app, &kid, Some("functions:write"))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    for bad in [
        json!({"tokenExpirationPeriod": "5d"}),
        json!({"scopes": ["nope"]}),
        json!({"publicKey": "x"}),
    ] {
        let resp = send(&ts, Method::PATCH, &path, ADMIN, Some(edit(bad.clone()))).await;
        assert!(resp.status().is_client_error(), "{bad}");
    }
    let shown = json(send(&ts, Method::GET, &path, ADMIN, None).await).await;
    assert_eq!(shown["data"]["attributes"]["tokenExpirationPeriod"], "3w");
    assert_eq!(
        shown["data"]["attributes"]["scopes"],
        json!(["tracking_api:write"])
    );
}

#[tokio::test]
async fn connect_and_enforce_rules() {
    let ts = TestServer::demo().await;
    let (app, _) = create(&ts, "1d", &ALL_SCOPES).await;
    assert_eq!(
        patch_source(&ts, ADMIN, enforce(true)).await.status(),
        StatusCode::CONFLICT,
        "enforcing needs a connected app"
    );
    assert_eq!(
        patch_source(&ts, ADMIN, connect("app_nope")).await.status(),
        StatusCode::NOT_FOUND
    );
    let resp = patch_source(&ts, ADMIN, connect(&app)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        json(resp).await["data"]["relationships"]["oauthApp"]["data"]["id"],
        app.as_str()
    );
    assert_eq!(
        patch_source(&ts, ADMIN, enforce(true)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        patch_source(&ts, ADMIN, disconnect()).await.status(),
        StatusCode::CONFLICT,
        "disable enforcement first"
    );
    assert_eq!(
        patch_source(&ts, ADMIN, enforce(false)).await.status(),
        StatusCode::OK
    );
    let resp = patch_source(&ts, ADMIN, disconnect()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let shown = json(send(&ts, Method::GET, SOURCE, ADMIN, None).await).await;
    assert_eq!(
        shown["data"]["relationships"]["oauthApp"]["data"],
        Value::Null
    );
    assert_eq!(shown["data"]["attributes"]["oauthEnforced"], false);
}

#[tokio::test]
async fn track_with_the_write_key_alone_when_not_enforced() {
    let ts = TestServer::demo().await;
    let resp = track(&ts, None, event()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json(resp).await, json!({"success": true}));
    let basic = ts
        .http
        .post(ts.url("/v1/track"))
        .basic_auth(WRITE_KEY, Some(""))
        .json(&json!({"event": "E", "anonymousId": "a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::OK);
    let mut unknown = event();
    unknown["writeKey"] = json!("nope");
    assert_eq!(
        track(&ts, None, unknown).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let no_key = json!({"event": "E", "userId": "u"});
    assert_eq!(
        track(&ts, None, no_key).await.status(),
        StatusCode::UNAUTHORIZED
    );
    for (bad, word) in [
        (json!({"writeKey": WRITE_KEY, "userId": "u"}), "event"),
        (json!({"writeKey": WRITE_KEY, "event": "E"}), "anonymousId"),
        (
            json!({"writeKey": WRITE_KEY, "type": "identify", "event": "E", "userId": "u"}),
            "track",
        ),
    ] {
        let resp = track(&ts, None, bad).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(json(resp).await["message"].as_str().unwrap().contains(word));
    }
}

#[tokio::test]
async fn enforced_source_needs_a_token_of_its_app_with_tracking_scope() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "1d", &ALL_SCOPES).await;
    let (other, other_kid) = create(&ts, "1d", &ALL_SCOPES).await;
    patch_source(&ts, ADMIN, connect(&app)).await;
    patch_source(&ts, ADMIN, enforce(true)).await;
    let resp = track(&ts, None, event()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let foreign = token(&ts, &other, &other_kid, None).await;
    let resp = track(&ts, foreign["access_token"].as_str(), event()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(resp).await["error"], "invalid_token");
    let narrow = token(&ts, &app, &kid, Some("functions:write")).await;
    let resp = track(&ts, narrow["access_token"].as_str(), event()).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(resp).await["error"], "insufficient_scope");
    let good = token(&ts, &app, &kid, Some("tracking_api:write")).await;
    assert_eq!(
        track(&ts, good["access_token"].as_str(), event())
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        track(&ts, Some("garbage"), event()).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn revoke_by_value_only_this_apps_tokens() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "1d", &ALL_SCOPES).await;
    let (other, other_kid) = create(&ts, "1d", &ALL_SCOPES).await;
    let path = format!("{APPS}/{app}/token-revocations");
    let doc = |t: &str| json!({"data": {"type": "token-revocation", "attributes": {"token": t}}});
    assert_eq!(
        send(&ts, Method::POST, &path, ADMIN, Some(doc("unknown-token")))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let foreign = token(&ts, &other, &other_kid, None).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        send(&ts, Method::POST, &path, ADMIN, Some(doc(&foreign)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let own = token(&ts, &app, &kid, None).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    patch_source(&ts, ADMIN, connect(&app)).await;
    patch_source(&ts, ADMIN, enforce(true)).await;
    assert_eq!(
        track(&ts, Some(&own), event()).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send(&ts, Method::POST, &path, ADMIN, Some(doc(&own)))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        track(&ts, Some(&own), event()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The other app's token was not touched.
    patch_source(&ts, ADMIN, enforce(false)).await;
    patch_source(&ts, ADMIN, connect(&other)).await;
    patch_source(&ts, ADMIN, enforce(true)).await;
    assert_eq!(
        track(&ts, Some(&foreign), event()).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn delete_only_without_connected_source_and_the_client_is_gone() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "1d", &ALL_SCOPES).await;
    let path = format!("{APPS}/{app}");
    patch_source(&ts, ADMIN, connect(&app)).await;
    let d = detail(
        send(&ts, Method::DELETE, &path, ADMIN, None).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(d.contains("demo-source"), "{d}");
    token(&ts, &app, &kid, None).await;
    patch_source(&ts, ADMIN, disconnect()).await;
    assert_eq!(
        send(&ts, Method::DELETE, &path, ADMIN, None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&ts, Method::GET, &path, ADMIN, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        token_req(&ts, &app, &kid, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        patch_source(&ts, ADMIN, connect(&app)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn deleting_an_app_revokes_its_tokens() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "30d", &ALL_SCOPES).await;
    let (other, other_kid) = create(&ts, "30d", &ALL_SCOPES).await;
    let tokens: Vec<String> = [
        token(&ts, &app, &kid, None).await,
        token(&ts, &app, &kid, Some("tracking_api:write")).await,
    ]
    .iter()
    .map(|t| t["access_token"].as_str().unwrap().to_owned())
    .collect();
    let kept = token(&ts, &other, &other_kid, None).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    patch_source(&ts, ADMIN, connect(&app)).await;
    patch_source(&ts, ADMIN, enforce(true)).await;
    assert_eq!(
        track(&ts, Some(&tokens[0]), event()).await.status(),
        StatusCode::OK
    );
    patch_source(&ts, ADMIN, enforce(false)).await;
    patch_source(&ts, ADMIN, disconnect()).await;

    let path = format!("{APPS}/{app}");
    assert_eq!(
        send(&ts, Method::DELETE, &path, ADMIN, None).await.status(),
        StatusCode::NO_CONTENT
    );
    let introspect = |t: String| {
        let ts = &ts;
        async move {
            let resp = ts
                .post_form(
                    "/oauth/introspect",
                    Some(support::CONFIDENTIAL),
                    &[("token", &t)],
                )
                .await;
            json(resp).await["active"].as_bool().unwrap()
        }
    };
    for t in &tokens {
        assert!(
            !introspect(t.clone()).await,
            "a deleted app's token is inactive"
        );
        let me = ts
            .http
            .get(ts.url("/api/v4/user"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(
        introspect(kept.clone()).await,
        "another app's token stays active"
    );
    // The source, now connected to the other app and enforcing, refuses them.
    patch_source(&ts, ADMIN, connect(&other)).await;
    patch_source(&ts, ADMIN, enforce(true)).await;
    assert_eq!(
        track(&ts, Some(&kept), event()).await.status(),
        StatusCode::OK
    );
    for t in &tokens {
        assert_eq!(
            track(&ts, Some(t), event()).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn roles_follow_the_seed_table() {
    let ts = TestServer::demo().await;
    let (app, _) = create(&ts, "1d", &ALL_SCOPES).await;
    let path = format!("{APPS}/{app}");
    let rename = json!({"data": {"type": "oauth-app", "attributes": {"name": "n"}}});
    // (account, view, create, edit, connect + enforce)
    for (who, view, create_, edit, connect_) in [
        (OWNER, true, true, true, false),
        (MEMBER, false, false, false, false),
        (SOURCE_ADMIN, true, false, true, true),
        (SOURCE_READER, true, false, false, false),
        (FUNCTION_ADMIN, true, false, true, true),
        (FUNCTION_READER, true, false, false, false),
    ] {
        let code = |ok: bool, s: StatusCode| if ok { s } else { StatusCode::FORBIDDEN };
        assert_eq!(
            send(&ts, Method::GET, &path, who, None).await.status(),
            code(view, StatusCode::OK),
            "{} view",
            who.0
        );
        assert_eq!(
            send(&ts, Method::GET, APPS, who, None).await.status(),
            code(view, StatusCode::OK),
            "{} list",
            who.0
        );
        assert_eq!(
            send(&ts, Method::GET, SOURCE, who, None).await.status(),
            code(view, StatusCode::OK),
            "{} source",
            who.0
        );
        let resp = send(
            &ts,
            Method::POST,
            APPS,
            who,
            Some(app_doc(&public_pem(), "1d", &ALL_SCOPES)),
        )
        .await;
        assert_eq!(
            resp.status(),
            code(create_, StatusCode::CREATED),
            "{} create",
            who.0
        );
        assert_eq!(
            send(&ts, Method::PATCH, &path, who, Some(rename.clone()))
                .await
                .status(),
            code(edit, StatusCode::OK),
            "{} edit",
            who.0
        );
        assert_eq!(
            patch_source(&ts, who, connect(&app)).await.status(),
            code(connect_, StatusCode::OK),
            "{} connect",
            who.0
        );
        assert_eq!(
            patch_source(&ts, who, enforce(true)).await.status(),
            code(connect_, StatusCode::OK),
            "{} enforce",
            who.0
        );
        patch_source(&ts, ADMIN, enforce(false)).await;
        patch_source(&ts, ADMIN, disconnect()).await;
    }
    assert_eq!(
        send(
            &ts,
            Method::GET,
            APPS,
            ("member@example.com", "wrong"),
            None
        )
        .await
        .status(),
        StatusCode::UNAUTHORIZED
    );
    // elastic.io permissions are not Segment roles.
    let reader = ("reader@example.com", "demo-reader-key");
    assert_eq!(
        send(&ts, Method::GET, APPS, reader, None).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn another_tenant_looks_exactly_like_nothing() {
    let toml = format!(
        "{DEMO_TOML}\n[[tenant]]\nid = \"other-tenant\"\nsources = [{{ id = \"other-source\", write_key = \"other-key\" }}]\n\
         [[account]]\nemail = \"other@example.com\"\napi_key = \"other-key\"\n[[account.grants]]\ntenant = \"other-tenant\"\npermissions = [\"*\"]\n"
    );
    let ts = TestServer::with_config(Config::from_toml_str(&toml).unwrap()).await;
    let (app, _) = create(&ts, "1d", &ALL_SCOPES).await;
    let other = ("other@example.com", "other-key");
    let mine = json(
        send(
            &ts,
            Method::GET,
            "/v2/tenants/other-tenant/oauth-apps",
            other,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(mine["data"], json!([]));
    for path in [format!("{APPS}/{app}"), APPS.to_owned(), SOURCE.to_owned()] {
        let foreign = send(&ts, Method::GET, &path, other, None).await;
        let absent = send(
            &ts,
            Method::GET,
            &path.replace("demo-tenant", "no-tenant"),
            other,
            None,
        )
        .await;
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
        assert_eq!(json(foreign).await, json(absent).await, "{path}");
    }
    assert_eq!(
        send(&ts, Method::DELETE, &format!("{APPS}/{app}"), other, None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &ts,
            Method::GET,
            "/v2/tenants/other-tenant/sources/other-source",
            ADMIN,
            None
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let absent_app = send(&ts, Method::GET, &format!("{APPS}/app_nope"), ADMIN, None).await;
    assert_eq!(absent_app.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn end_to_end() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "3d", &ALL_SCOPES).await;
    let body = token(&ts, &app, &kid, Some("tracking_api:write")).await;
    assert_eq!(body["expires_in"], 3 * 86400);
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        patch_source(&ts, SOURCE_ADMIN, connect(&app))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        patch_source(&ts, SOURCE_ADMIN, enforce(true))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        track(&ts, None, event()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        track(&ts, Some(&access), event()).await.status(),
        StatusCode::OK
    );
    let revoke = json!({"data": {"type": "token-revocation", "attributes": {"token": access}}});
    let resp = send(
        &ts,
        Method::POST,
        &format!("{APPS}/{app}/token-revocations"),
        OWNER,
        Some(revoke),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        track(&ts, Some(&access), event()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        patch_source(&ts, SOURCE_ADMIN, enforce(false))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        patch_source(&ts, SOURCE_ADMIN, disconnect()).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send(&ts, Method::DELETE, &format!("{APPS}/{app}"), OWNER, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        token_req(&ts, &app, &kid, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn enforced_source_refuses_basic_write_key_and_expired_tokens() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "1d", &ALL_SCOPES).await;
    patch_source(&ts, ADMIN, connect(&app)).await;
    patch_source(&ts, ADMIN, enforce(true)).await;
    let basic = ts
        .http
        .post(ts.url("/v1/track"))
        .basic_auth(WRITE_KEY, Some(""))
        .json(&json!({"event": "E", "userId": "u"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        StatusCode::UNAUTHORIZED,
        "the write key alone"
    );
    let access = token(&ts, &app, &kid, None).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        track(&ts, Some(&access), event()).await.status(),
        StatusCode::OK
    );
    let mut no_key = event();
    no_key.as_object_mut().unwrap().remove("writeKey");
    assert_eq!(
        track(&ts, Some(&access), no_key).await.status(),
        StatusCode::UNAUTHORIZED,
        "a token does not name the source"
    );
    ts.handle
        .state()
        .clock()
        .advance(std::time::Duration::from_secs(86400 + 1));
    let resp = track(&ts, Some(&access), event()).await;
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "past the 1d period"
    );
    assert_eq!(json(resp).await["error"], "invalid_token");
}

#[tokio::test]
async fn read_only_roles_cannot_change_anything() {
    let ts = TestServer::demo().await;
    let (app, kid) = create(&ts, "1d", &ALL_SCOPES).await;
    let access = token(&ts, &app, &kid, None).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_doc = json!({"data": {"type": "oauth-app-key", "attributes": {"name": "k", "publicKey": public_pem()}}});
    let revoke = json!({"data": {"type": "token-revocation", "attributes": {"token": access}}});
    for who in [SOURCE_READER, FUNCTION_READER, MEMBER] {
        let calls = [
            (
                Method::POST,
                format!("{APPS}/{app}/keys"),
                Some(key_doc.clone()),
            ),
            (Method::DELETE, format!("{APPS}/{app}/keys/{kid}"), None),
            (
                Method::POST,
                format!("{APPS}/{app}/token-revocations"),
                Some(revoke.clone()),
            ),
            (Method::DELETE, format!("{APPS}/{app}"), None),
        ];
        for (method, path, body) in calls {
            let resp = send(&ts, method.clone(), &path, who, body).await;
            assert_eq!(
                resp.status(),
                StatusCode::FORBIDDEN,
                "{} {method} {path}",
                who.0
            );
        }
    }
    let shown = json(send(&ts, Method::GET, &format!("{APPS}/{app}"), ADMIN, None).await).await;
    assert_eq!(
        shown["data"]["attributes"]["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    token(&ts, &app, &kid, None).await;
    patch_source(&ts, ADMIN, connect(&app)).await;
    patch_source(&ts, ADMIN, enforce(true)).await;
    let resp = track(&ts, Some(&access), event()).await;
    assert_eq!(resp.status(), StatusCode::OK, "the token was not revoked");
}

/// Seed: "OAuth only supports server-side sources" — a browser source cannot be
/// connected to an app (422, nothing changes); a server-side one can.
#[tokio::test]
async fn only_server_side_sources_connect_to_an_app() {
    let ts = TestServer::demo().await;
    let (app, _) = create(&ts, "1d", &ALL_SCOPES).await;
    let browser = "/v2/tenants/demo-tenant/sources/demo-browser-source";
    let doc = json!({"data": {"type": "source",
        "relationships": {"oauthApp": {"data": {"id": app, "type": "oauth-app"}}}}});
    let resp = send(&ts, Method::PATCH, browser, ADMIN, Some(doc)).await;
    let why = detail(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        why.contains("server-side") && why.contains("javascript"),
        "{why}"
    );
    let shown = json(send(&ts, Method::GET, browser, ADMIN, None).await).await;
    assert_eq!(shown["data"]["attributes"]["kind"], "javascript");
    assert_eq!(
        shown["data"]["relationships"]["oauthApp"]["data"],
        Value::Null
    );

    let resp = patch_source(&ts, ADMIN, connect(&app)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json(resp).await["data"]["attributes"]["kind"], "http-api");
}

/// A source PATCH that changes nothing is a 400, for every role (a read-only
/// role must not get a 200 for it).
#[tokio::test]
async fn an_empty_source_patch_is_refused() {
    let ts = TestServer::demo().await;
    for creds in [ADMIN, SOURCE_READER] {
        let resp = patch_source(&ts, creds, json!({})).await;
        let why = detail(resp, StatusCode::BAD_REQUEST).await;
        assert!(why.contains("nothing to change"), "{why}");
    }
}

#[cfg(feature = "faults")]
mod faults {
    use super::*;
    use oauth_server_reference::faults::Fault;

    async fn with_fault(fault: Fault) -> TestServer {
        let mut config = Config::demo();
        config.settings.faults = vec![fault.name().to_owned()];
        TestServer::with_config(config).await
    }

    /// A server with `fault`, an app, and the demo source connected to it and
    /// enforcing OAuth; returns the server, the app and its key id.
    async fn enforcing(fault: Fault) -> (TestServer, String, String) {
        let ts = with_fault(fault).await;
        let (app, kid) = create(&ts, "1d", &ALL_SCOPES).await;
        patch_source(&ts, ADMIN, connect(&app)).await;
        patch_source(&ts, ADMIN, enforce(true)).await;
        (ts, app, kid)
    }

    async fn access_token(ts: &TestServer, app: &str, kid: &str) -> String {
        token(ts, app, kid, None).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[tokio::test]
    async fn app_delete_with_connected_source() {
        let ts = with_fault(Fault::AppDeleteWithConnectedSource).await;
        let (app, _) = create(&ts, "1d", &ALL_SCOPES).await;
        patch_source(&ts, ADMIN, connect(&app)).await;
        let resp = send(&ts, Method::DELETE, &format!("{APPS}/{app}"), ADMIN, None).await;
        assert_eq!(
            resp.status(),
            StatusCode::NO_CONTENT,
            "the fault lets the delete through"
        );
    }

    #[tokio::test]
    async fn track_enforcement_ignored() {
        let (ts, ..) = enforcing(Fault::TrackEnforcementIgnored).await;
        assert_eq!(
            track(&ts, None, event()).await.status(),
            StatusCode::OK,
            "the fault skips the token"
        );
    }

    #[tokio::test]
    async fn track_other_app_token() {
        let (ts, ..) = enforcing(Fault::TrackOtherAppToken).await;
        let (other, other_kid) = create(&ts, "1d", &ALL_SCOPES).await;
        let foreign = access_token(&ts, &other, &other_kid).await;
        assert_eq!(
            track(&ts, Some(&foreign), event()).await.status(),
            StatusCode::OK,
            "the fault accepts a token of an app the source is not connected to"
        );
    }

    #[tokio::test]
    async fn app_token_revocation_ignored() {
        let (ts, app, kid) = enforcing(Fault::AppTokenRevocationIgnored).await;
        let own = access_token(&ts, &app, &kid).await;
        let doc = json!({"data": {"type": "token-revocation", "attributes": {"token": own}}});
        let path = format!("{APPS}/{app}/token-revocations");
        assert_eq!(
            send(&ts, Method::POST, &path, ADMIN, Some(doc))
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            track(&ts, Some(&own), event()).await.status(),
            StatusCode::OK,
            "the fault answers 204 but the token keeps working"
        );
    }

    #[tokio::test]
    async fn segment_roles_ignored() {
        let ts = with_fault(Fault::SegmentRolesIgnored).await;
        let doc = app_doc(&public_pem(), "1d", &ALL_SCOPES);
        let resp = send(&ts, Method::POST, APPS, MEMBER, Some(doc)).await;
        assert_eq!(
            resp.status(),
            StatusCode::CREATED,
            "the fault lets a workspace member create an app"
        );
    }
}
