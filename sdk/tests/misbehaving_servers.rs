//! wiremock servers that misbehave on purpose: each gives the right typed
//! error or a tolerant success.

mod support;

use std::time::{Duration, SystemTime};

use oauth_sdk::management::{ComponentId, ComponentJson, Resolver};
use oauth_sdk::{
    Client, ClientId, ClientSecret, ClientSecretBasic, Error, ErrorCode, ProtocolViolation,
    Provider, RefreshToken, TokenType,
};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_answering(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

async fn cc(server: &MockServer) -> Result<oauth_sdk::TokenResponse, Error> {
    gitlab_client(
        &server.uri(),
        "c",
        ClientSecretBasic(ClientSecret::new("s")),
    )
    .client_credentials()
    .send()
    .await
}

#[tokio::test]
async fn error_sent_with_http_200_is_an_oauth_error() {
    let s = server_answering(json(
        200,
        r#"{"error":"invalid_scope","error_description":"no","error_uri":"https://e.example/x"}"#,
    ))
    .await;
    match cc(&s).await {
        Err(Error::OAuth {
            code: ErrorCode::InvalidScope,
            description,
            uri,
            retry_after: None,
        }) => {
            assert_eq!(description.as_deref(), Some("no"));
            assert_eq!(uri.as_deref(), Some("https://e.example/x"));
        }
        other => panic!("expected invalid_scope, got {other:?}"),
    }
}

#[tokio::test]
async fn error_with_400_and_401() {
    let s = server_answering(json(400, r#"{"error":"invalid_grant"}"#)).await;
    assert_eq!(
        cc(&s).await.unwrap_err().oauth_code(),
        Some(&ErrorCode::InvalidGrant)
    );
    let s = server_answering(
        json(401, r#"{"error":"invalid_client"}"#).insert_header("WWW-Authenticate", "Basic"),
    )
    .await;
    let e = cc(&s).await.unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidClient));
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn string_expires_in_and_lowercase_token_type_are_tolerated() {
    let s = server_answering(json(
        200,
        r#"{"access_token":"at","token_type":"bearer","expires_in":"7200","refresh_token":"rt"}"#,
    ))
    .await;
    let before = SystemTime::now();
    let t = cc(&s).await.unwrap();
    assert_eq!(t.token_type(), &TokenType::Bearer);
    assert_eq!(t.expires_in(), Some(Duration::from_secs(7200)));
    let at = t.expires_at().unwrap();
    assert!(
        at >= before + Duration::from_secs(7200)
            && at <= SystemTime::now() + Duration::from_secs(7200)
    );
    assert_eq!(t.access_token().secret(), "at");
    assert_eq!(t.refresh_token().unwrap().secret(), "rt");
}

#[tokio::test]
async fn missing_token_type_is_read_as_bearer() {
    let s = server_answering(json(200, r#"{"access_token":"at","expires_in":60}"#)).await;
    assert_eq!(cc(&s).await.unwrap().token_type(), &TokenType::Bearer);
}

#[tokio::test]
async fn missing_access_token_is_a_parse_error() {
    let s = server_answering(json(200, r#"{"token_type":"Bearer"}"#)).await;
    assert!(matches!(cc(&s).await, Err(Error::Parse(_))));
    let s = server_answering(ResponseTemplate::new(200).set_body_string("not json")).await;
    assert!(matches!(cc(&s).await, Err(Error::Parse(_))));
}

#[tokio::test]
async fn html_403_is_a_status_error_not_retryable() {
    let s = server_answering(
        ResponseTemplate::new(403).set_body_raw(b"<html>Forbidden</html>".to_vec(), "text/html"),
    )
    .await;
    let e = cc(&s).await.unwrap_err();
    assert!(
        matches!(e, Error::Status { status, retry_after: None } if status == 403),
        "{e:?}"
    );
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn status_429_keeps_retry_after_and_is_retryable() {
    let s = server_answering(
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "17")
            .set_body_string("slow down"),
    )
    .await;
    let e = cc(&s).await.unwrap_err();
    assert!(matches!(e, Error::Status { status, .. } if status == 429));
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(17)));
}

#[tokio::test]
async fn html_503_is_retryable() {
    let s = server_answering(
        ResponseTemplate::new(503).set_body_raw(b"<h1>down</h1>".to_vec(), "text/html"),
    )
    .await;
    let e = cc(&s).await.unwrap_err();
    assert!(matches!(e, Error::Status { status, .. } if status == 503));
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), None);
}

/// An OAuth error answer keeps `Retry-After` like a bare status does: the
/// reference server answers a full password queue this way.
#[tokio::test]
async fn temporarily_unavailable_keeps_retry_after() {
    let s = server_answering(
        json(503, r#"{"error":"temporarily_unavailable"}"#).insert_header("Retry-After", "4"),
    )
    .await;
    let e = cc(&s).await.unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::TemporarilyUnavailable));
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(4)));
}

#[tokio::test]
async fn redirect_from_token_endpoint_is_not_followed() {
    let s = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("Location", format!("{}/elsewhere", s.uri())),
        )
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(json(200, r#"{"access_token":"stolen"}"#))
        .expect(0)
        .mount(&s)
        .await;
    let e = cc(&s).await.unwrap_err();
    assert!(
        matches!(e, Error::Protocol(ProtocolViolation::Redirect(st)) if st == 307),
        "{e:?}"
    );
    s.verify().await;
}

#[tokio::test]
async fn timeout_is_reported_as_such() {
    let s =
        server_answering(json(200, r#"{"access_token":"a"}"#).set_delay(Duration::from_secs(5)))
            .await;
    let p = Provider::gitlab(&s.uri().parse().unwrap()).unwrap();
    let c = oauth_sdk::Client::builder(p, ClientId::new("c"))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let e = c.client_credentials().send().await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn refresh_keeps_old_refresh_token_when_none_returned() {
    let s = server_answering(json(
        200,
        r#"{"access_token":"new","token_type":"Bearer","expires_in":3600}"#,
    ))
    .await;
    let c = gitlab_client(&s.uri(), "c", ClientSecretBasic(ClientSecret::new("s")));
    let t = c
        .refresh(&RefreshToken::new("old-rt"))
        .send()
        .await
        .unwrap();
    assert_eq!(t.refresh_token().unwrap().secret(), "old-rt");
    let s2 = server_answering(json(
        200,
        r#"{"access_token":"new","refresh_token":"rotated"}"#,
    ))
    .await;
    let c2 = gitlab_client(&s2.uri(), "c", ClientSecretBasic(ClientSecret::new("s")));
    let t = c2
        .refresh(&RefreshToken::new("old-rt"))
        .send()
        .await
        .unwrap();
    assert_eq!(t.refresh_token().unwrap().secret(), "rotated");
}

#[tokio::test]
async fn revocation_statuses() {
    let s = MockServer::start().await;
    Mock::given(path("/oauth/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&s)
        .await;
    let c = gitlab_client(&s.uri(), "c", ClientSecretBasic(ClientSecret::new("s")));
    c.revoke(RefreshToken::new("r")).send().await.unwrap();

    let s = MockServer::start().await;
    Mock::given(path("/oauth/revoke"))
        .respond_with(json(400, r#"{"error":"unsupported_token_type"}"#))
        .mount(&s)
        .await;
    let c = gitlab_client(&s.uri(), "c", ClientSecretBasic(ClientSecret::new("s")));
    let e = c.revoke(RefreshToken::new("r")).send().await.unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::UnsupportedTokenType));

    let s = MockServer::start().await;
    Mock::given(path("/oauth/revoke"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3"))
        .mount(&s)
        .await;
    let c = gitlab_client(&s.uri(), "c", ClientSecretBasic(ClientSecret::new("s")));
    let e = c.revoke(RefreshToken::new("r")).send().await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn introspection_and_token_info_shapes() {
    let s = MockServer::start().await;
    Mock::given(path("/oauth/introspect"))
        .respond_with(json(200, r#"{"active":true,"scope":"api read_user","client_id":"c","exp":"1700000000","aud":["a","b"],"sub":42}"#))
        .mount(&s)
        .await;
    Mock::given(path("/oauth/token/info"))
        .respond_with(json(
            200,
            r#"{"resource_owner_id":1,"scope":["api"],"expires_in_seconds":7000,"application":{"uid":"demo-confidential"},"created_at":1700000000}"#,
        ))
        .mount(&s)
        .await;
    let c = gitlab_client(&s.uri(), "c", ClientSecretBasic(ClientSecret::new("s")));
    let i = c
        .introspect(oauth_sdk::AccessToken::new("a"))
        .send()
        .await
        .unwrap();
    assert!(i.active);
    assert_eq!(i.scope.as_ref().unwrap().len(), 2);
    assert_eq!(i.exp, Some(1_700_000_000));
    assert_eq!(i.aud, vec!["a", "b"]);
    assert_eq!(i.sub.as_deref(), Some("42"));
    assert_eq!(i.extra_names().count(), 0);
    let info = c
        .token_info(&oauth_sdk::AccessToken::new("a"))
        .send()
        .await
        .unwrap();
    assert_eq!(info.resource_owner_id.as_deref(), Some("1"));
    assert_eq!(info.expires_in_seconds, Some(7000));
    assert_eq!(info.application_uid.unwrap().as_str(), "demo-confidential");
    assert_eq!(info.created_at, Some(1_700_000_000));
}

#[tokio::test]
async fn token_info_401_is_invalid_token() {
    let s = MockServer::start().await;
    Mock::given(path("/oauth/token/info"))
        .respond_with(json(
            401,
            r#"{"error":"invalid_token","error_description":"The access token is invalid"}"#,
        ))
        .mount(&s)
        .await;
    let c = gitlab_client(&s.uri(), "c", ClientSecretBasic(ClientSecret::new("s")));
    let e = c
        .token_info(&oauth_sdk::AccessToken::new("bad"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidToken));
}

#[tokio::test]
async fn discovery_reads_metadata_and_checks_issuer() {
    let s = MockServer::start().await;
    let issuer = s.uri();
    let doc = serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "revocation_endpoint": format!("{issuer}/oauth/revoke"),
        "authorization_response_iss_parameter_supported": true
    });
    Mock::given(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc))
        .mount(&s)
        .await;
    let p = Provider::discover(issuer.parse().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p.token_endpoint().as_str(), format!("{issuer}/oauth/token"));
    assert!(p.iss_parameter_supported());

    let evil = MockServer::start().await;
    Mock::given(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"issuer":"https://evil.example","token_endpoint":"https://evil.example/t"})))
        .mount(&evil)
        .await;
    let e = Provider::discover(evil.uri().parse().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Protocol(ProtocolViolation::MetadataIssuerMismatch)
    ));
}

/// A token response without `refresh_token` is an error only for a client that
/// requires one, and only after the grants that act for a user.
#[tokio::test]
async fn a_missing_refresh_token_fails_only_where_required() {
    let s = server_answering(json(
        200,
        r#"{"access_token":"at","token_type":"Bearer","expires_in":60}"#,
    ))
    .await;
    let password = oauth_sdk::ResourceOwnerPassword::new("alice-password");
    let build = |require: bool| {
        Client::builder(
            Provider::gitlab(&url::Url::parse(&s.uri()).unwrap()).unwrap(),
            ClientId::new("c"),
        )
        .client_secret_basic(ClientSecret::new("s"))
        .require_refresh_token(require)
        .build()
        .unwrap()
    };
    let e = build(true)
        .password("alice", &password)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Protocol(ProtocolViolation::MissingRefreshToken)),
        "{e:?}"
    );
    build(false)
        .password("alice", &password)
        .send()
        .await
        .unwrap();
    // Client credentials act for the client itself: no refresh token expected.
    build(true).client_credentials().send().await.unwrap();
}

/// elastic.io: "A refresh_token is required for every OAuth 2.0 key", so the
/// client resolved from a component.json requires one.
#[tokio::test]
async fn a_component_client_requires_a_refresh_token() {
    let s = server_answering(json(
        200,
        r#"{"access_token":"at","token_type":"Bearer","expires_in":60}"#,
    ))
    .await;
    let doc = serde_json::json!({
        "useOAuthClient": true,
        "oauth2": {"client_id": "k", "client_secret": "s",
                   "auth_uri": format!("{}/oauth/authorize", s.uri()),
                   "token_uri": format!("{}/oauth/token", s.uri())}
    });
    let cj = ComponentJson::parse(doc.to_string().as_bytes()).unwrap();
    let resolved = Resolver::new(&cj, ComponentId::new("pizzavan"))
        .resolve()
        .await
        .unwrap();
    let password = oauth_sdk::ResourceOwnerPassword::new("alice-password");
    let e = resolved
        .client
        .password("alice", &password)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Protocol(ProtocolViolation::MissingRefreshToken)),
        "{e:?}"
    );
}
