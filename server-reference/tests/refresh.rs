//! The refresh token grant: rotation, family revocation on replay, binding, scope,
//! races.

mod support;
mod token_support;

use std::sync::Arc;
use std::time::Duration;

use support::{CONFIDENTIAL, CONFIDENTIAL_2, TestServer};
use token_support::*;

#[tokio::test]
async fn rotation_and_replay_revokes_the_family() {
    let ts = TestServer::demo().await;
    let first = password_tokens(&ts, CONFIDENTIAL, "api read_user").await;
    let r1 = s(&first["refresh_token"]).to_owned();
    // K1 + K5.
    let second = ok_tokens(refresh(&ts, CONFIDENTIAL, &r1, None).await).await;
    assert_eq!(second["scope"], "api read_user");
    let r2 = s(&second["refresh_token"]).to_owned();
    let a2 = s(&second["access_token"]).to_owned();
    assert_ne!(r1, r2);
    assert!(!is_active(&ts, &r1).await, "the rotated-out token is dead");
    assert!(is_active(&ts, &a2).await);
    // K6: replaying r1 fails and revokes r2 and a2.
    assert_error(
        refresh(&ts, CONFIDENTIAL, &r1, None).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(!is_active(&ts, &r2).await);
    assert!(!is_active(&ts, &a2).await);
    assert_error(
        refresh(&ts, CONFIDENTIAL, &r2, None).await,
        400,
        "invalid_grant",
    )
    .await;
}

#[tokio::test]
async fn bound_to_its_client_and_not_burnt_by_another() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let r = s(&t["refresh_token"]).to_owned();
    // K3.
    assert_error(
        refresh(&ts, CONFIDENTIAL_2, &r, None).await,
        400,
        "invalid_grant",
    )
    .await;
    // K2: no authentication.
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[("grant_type", "refresh_token"), ("refresh_token", &r)],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
    ok_tokens(refresh(&ts, CONFIDENTIAL, &r, None).await).await;
}

#[tokio::test]
async fn narrower_scope_allowed_wider_refused() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api read_user").await;
    let r = s(&t["refresh_token"]).to_owned();
    // K4: wider refused, without burning the token.
    assert_error(
        refresh(&ts, CONFIDENTIAL, &r, Some("api whoami")).await,
        400,
        "invalid_scope",
    )
    .await;
    let narrow = ok_tokens(refresh(&ts, CONFIDENTIAL, &r, Some("api")).await).await;
    assert_eq!(narrow["scope"], "api");
    // The new refresh token keeps the original scope (RFC 6749 §6).
    let r2 = s(&narrow["refresh_token"]).to_owned();
    assert_eq!(introspect(&ts, &r2).await["scope"], "api read_user");
    let again = ok_tokens(refresh(&ts, CONFIDENTIAL, &r2, None).await).await;
    assert_eq!(again["scope"], "api read_user");
}

#[tokio::test]
async fn expired_garbage_and_access_tokens_are_invalid_grant() {
    let ts = TestServer::demo().await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    // K8.
    assert_error(
        refresh(&ts, CONFIDENTIAL, "garbage", None).await,
        400,
        "invalid_grant",
    )
    .await;
    let access = s(&t["access_token"]).to_owned();
    assert_error(
        refresh(&ts, CONFIDENTIAL, &access, None).await,
        400,
        "invalid_grant",
    )
    .await;
    ts.handle
        .state()
        .clock()
        .advance(Duration::from_secs(31 * 24 * 3600));
    let r = s(&t["refresh_token"]).to_owned();
    assert_error(
        refresh(&ts, CONFIDENTIAL, &r, None).await,
        400,
        "invalid_grant",
    )
    .await;
}

#[tokio::test]
async fn concurrent_refresh_succeeds_at_most_once() {
    let ts = Arc::new(TestServer::demo().await);
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let r = Arc::new(s(&t["refresh_token"]).to_owned());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (ts, r) = (ts.clone(), r.clone());
            tokio::spawn(
                async move { refresh(&ts, CONFIDENTIAL, &r, None).await.status().as_u16() },
            )
        })
        .collect();
    let statuses: Vec<u16> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert!(
        statuses.iter().filter(|s| **s == 200).count() <= 1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 400),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn public_client_refreshes_with_client_id_only() {
    let ts = TestServer::demo().await;
    use oauth_server_reference::model::ChallengeMethod;
    let code = insert_code(
        &ts,
        NewCode {
            client_id: "demo-public",
            challenge: Some((CHALLENGE, ChallengeMethod::S256)),
            ..NewCode::default()
        },
    )
    .await;
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", support::REDIRECT),
                ("client_id", "demo-public"),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    let t = ok_tokens(resp).await;
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", s(&t["refresh_token"])),
                ("client_id", "demo-public"),
            ],
        )
        .await;
    ok_tokens(resp).await;
}
