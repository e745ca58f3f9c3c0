//! Token revocation, RFC 7009.

mod support;
mod token_support;

use support::{CONFIDENTIAL, CONFIDENTIAL_2, TestServer};
use token_support::*;

const REVOKE: &str = "/oauth/revoke";

async fn revoke(ts: &TestServer, client: (&str, &str), form: &[(&str, &str)]) -> reqwest::Response {
    ts.post_form(REVOKE, Some(client), form).await
}

async fn assert_ok_empty(resp: reqwest::Response) {
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "cache-control").as_deref(), Some("no-store"));
    assert!(resp.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn revoking_a_refresh_token_kills_its_grant() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let (access, refresh) = (s(&t["access_token"]), s(&t["refresh_token"]));
    // L1 + L3.
    assert_ok_empty(
        revoke(
            &ts,
            CONFIDENTIAL,
            &[("token", refresh), ("token_type_hint", "refresh_token")],
        )
        .await,
    )
    .await;
    assert!(!is_active(&ts, refresh).await);
    assert!(!is_active(&ts, access).await);
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
    assert_error(resp, 400, "invalid_grant").await;
}

#[tokio::test]
async fn revoking_an_access_token_kills_just_it() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let (access, refresh) = (s(&t["access_token"]), s(&t["refresh_token"]));
    // L2, with a wrong hint that is ignored (L7).
    assert_ok_empty(
        revoke(
            &ts,
            CONFIDENTIAL,
            &[("token", access), ("token_type_hint", "refresh_token")],
        )
        .await,
    )
    .await;
    assert!(!is_active(&ts, access).await);
    assert!(is_active(&ts, refresh).await);
}

#[tokio::test]
async fn unknown_tokens_get_200_and_unknown_hints_an_error() {
    let ts = TestServer::demo().await;
    // L4.
    assert_ok_empty(revoke(&ts, CONFIDENTIAL, &[("token", "no-such-token")]).await).await;
    // L7.
    let resp = revoke(
        &ts,
        CONFIDENTIAL,
        &[("token", "x"), ("token_type_hint", "id_token")],
    )
    .await;
    assert_error(resp, 400, "unsupported_token_type").await;
    let resp = revoke(&ts, CONFIDENTIAL, &[("token_type_hint", "access_token")]).await;
    assert_error(resp, 400, "invalid_request").await;
}

#[tokio::test]
async fn client_authentication_is_required() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let access = s(&t["access_token"]);
    // L5.
    let resp = ts.post_form(REVOKE, None, &[("token", access)]).await;
    assert_error(resp, 401, "invalid_client").await;
    let resp = revoke(&ts, (CONFIDENTIAL.0, "wrong"), &[("token", access)]).await;
    assert_error(resp, 401, "invalid_client").await;
    let resp = ts
        .post_form(
            REVOKE,
            None,
            &[("token", access), ("client_id", CONFIDENTIAL.0)],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
    assert!(is_active(&ts, access).await);
}

#[tokio::test]
async fn another_clients_token_stays_valid() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    // L6: 200 (as for an unknown token), but nothing is revoked.
    for token in [s(&t["access_token"]), s(&t["refresh_token"])] {
        assert_ok_empty(revoke(&ts, CONFIDENTIAL_2, &[("token", token)]).await).await;
        assert!(is_active(&ts, token).await);
    }
}
