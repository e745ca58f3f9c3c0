//! Token introspection, RFC 7662.

mod support;
mod token_support;

use std::time::Duration;

use support::{CONFIDENTIAL, CONFIDENTIAL_2, TestServer, json};
use token_support::*;

const INTROSPECT: &str = "/oauth/introspect";

#[tokio::test]
async fn active_token_describes_itself() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api read_user").await;
    let now = server_now(&ts);
    let resp = ts
        .post_form(
            INTROSPECT,
            Some(CONFIDENTIAL),
            &[("token", s(&t["access_token"]))],
        )
        .await;
    assert_eq!(header(&resp, "cache-control").as_deref(), Some("no-store"));
    let body = json(resp).await;
    // M1.
    assert_eq!(body["active"], true);
    assert_eq!(body["scope"], "api read_user");
    assert_eq!(body["client_id"], CONFIDENTIAL.0);
    assert_eq!(body["username"], "alice");
    assert_eq!(body["sub"], "alice");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["iss"], ts.handle.state().issuer());
    let exp = body["exp"].as_i64().unwrap();
    assert!((now + 7190..=now + 7210).contains(&exp), "{exp}");
    assert!(body["iat"].as_i64().is_some());
    let refresh = introspect(&ts, s(&t["refresh_token"])).await;
    assert_eq!(refresh["active"], true);
    assert_eq!(refresh["token_type"], "refresh_token");
    // Policy: a confidential client may introspect another client's token.
    let resp = ts
        .post_form(
            INTROSPECT,
            Some(CONFIDENTIAL_2),
            &[("token", s(&t["access_token"]))],
        )
        .await;
    assert_eq!(json(resp).await["active"], true);
}

#[tokio::test]
async fn inactive_tokens_are_active_false_alone() {
    let ts = TestServer::demo().await;
    let inactive = serde_json::json!({ "active": false });
    // M2: unknown.
    assert_eq!(introspect(&ts, "no-such-token").await, inactive);
    // Revoked.
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let resp = ts
        .post_form(
            "/oauth/revoke",
            Some(CONFIDENTIAL),
            &[("token", s(&t["access_token"]))],
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(introspect(&ts, s(&t["access_token"])).await, inactive);
    // Expired.
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    ts.handle.state().clock().advance(Duration::from_secs(7201));
    assert_eq!(introspect(&ts, s(&t["access_token"])).await, inactive);
}

#[tokio::test]
async fn caller_must_authenticate() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let token = s(&t["access_token"]);
    // M3.
    let resp = ts.post_form(INTROSPECT, None, &[("token", token)]).await;
    assert_error(resp, 401, "invalid_client").await;
    let resp = ts
        .post_form(
            INTROSPECT,
            Some((CONFIDENTIAL.0, "bad")),
            &[("token", token)],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
    let resp = ts.post_form(INTROSPECT, Some(CONFIDENTIAL), &[]).await;
    assert_error(resp, 400, "invalid_request").await;
    // A public client sees only its own tokens.
    let resp = ts
        .post_form(
            INTROSPECT,
            None,
            &[("token", token), ("client_id", "demo-public")],
        )
        .await;
    assert_eq!(json(resp).await, serde_json::json!({ "active": false }));
}
