//! One test per endpoint family through `app()` in process, with
//! `tower::ServiceExt::oneshot` as axum's own examples test routers: no socket,
//! no accept loop, one request per call. The other test files go over a real
//! socket (`support::TestServer`); these show the router alone answers the same.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::BodyExt as _;
use oauth_server_reference::model::GrantType;
use oauth_server_reference::{AppState, Config, app};
use serde_json::Value;
use tower::ServiceExt as _;

const ISSUER: &str = "http://127.0.0.1:9";
const REDIRECT: &str = "http://127.0.0.1:9876/callback";

async fn state() -> AppState {
    AppState::new(Config::demo(), ISSUER.parse().unwrap())
        .await
        .expect("the demo configuration loads")
}

/// Sends one request to a fresh router over `state`.
async fn send(state: &AppState, request: Request<Body>) -> Response {
    app(state.clone())
        .oneshot(request)
        .await
        .expect("the router is infallible")
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

fn form(path: &str, auth: Option<(&str, &str)>, pairs: &[(&str, &str)]) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut req =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some((user, password)) = auth {
        req = req.header(header::AUTHORIZATION, basic(user, password));
    }
    req.body(Body::from(body)).unwrap()
}

async fn text(response: Response) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn json(response: Response) -> Value {
    let body = text(response).await;
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

const CLIENT: (&str, &str) = ("demo-confidential", "demo-confidential-secret");

async fn client_credentials_token(state: &AppState) -> String {
    let response = send(
        state,
        form(
            "/oauth/token",
            Some(CLIENT),
            &[("grant_type", "client_credentials")],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let body = json(response).await;
    body["access_token"].as_str().unwrap().to_owned()
}

async fn introspect(state: &AppState, token: &str) -> Value {
    let response = send(
        state,
        form("/oauth/introspect", Some(CLIENT), &[("token", token)]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

#[tokio::test]
async fn metadata_lists_the_endpoints_and_every_grant() {
    let state = state().await;
    let response = send(
        &state,
        Request::get("/.well-known/oauth-authorization-server")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["issuer"], ISSUER);
    assert_eq!(body["token_endpoint"], format!("{ISSUER}/oauth/token"));
    let grants: Vec<&str> = body["grant_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(grants, GrantType::ALL.map(GrantType::name));
}

#[tokio::test]
async fn the_token_endpoint_issues_and_refuses() {
    let state = state().await;
    let token = client_credentials_token(&state).await;
    assert!(token.len() >= 43, "256 bits, base64url: {token}");
    let wrong = send(
        &state,
        form(
            "/oauth/token",
            Some(("demo-confidential", "wrong")),
            &[("grant_type", "client_credentials")],
        ),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().contains_key(header::WWW_AUTHENTICATE));
    assert_eq!(json(wrong).await["error"], "invalid_client");
    let unknown = send(
        &state,
        form("/oauth/token", Some(CLIENT), &[("grant_type", "implicit")]),
    )
    .await;
    assert_eq!(json(unknown).await["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn introspection_and_revocation_agree() {
    let state = state().await;
    let token = client_credentials_token(&state).await;
    let active = introspect(&state, &token).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["client_id"], CLIENT.0);
    let revoked = send(
        &state,
        form("/oauth/revoke", Some(CLIENT), &[("token", &token)]),
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(
        introspect(&state, &token).await,
        serde_json::json!({"active": false})
    );
}

#[tokio::test]
async fn authorize_sends_a_user_without_a_session_to_sign_in() {
    let state = state().await;
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", CLIENT.0),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ])
        .finish();
    let response = send(
        &state,
        Request::get(format!("/oauth/authorize?{query}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/oauth/login?next="), "{location}");
    // An unknown client cannot be trusted with a redirect: an error page here.
    let response = send(
        &state,
        Request::get(format!(
            "/oauth/authorize?client_id=nobody&redirect_uri={REDIRECT}"
        ))
        .body(Body::empty())
        .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(!response.headers().contains_key(header::LOCATION));
}

#[tokio::test]
async fn the_login_page_is_a_form_that_cannot_be_framed() {
    let state = state().await;
    let response = send(
        &state,
        Request::get("/oauth/login").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    let page = oauth_test_support::Page {
        url: format!("{ISSUER}/oauth/login").parse().unwrap(),
        status: response.status(),
        headers: response.headers().clone(),
        body: text(response).await,
    };
    let form = page.login_form().expect("a sign-in form");
    assert_eq!(form.action, "/oauth/login");
    assert!(page.hidden("csrf_token").is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn management_apis_answer_json_api_and_need_an_account() {
    let state = state().await;
    let list = |auth: Option<String>| {
        let mut req = Request::get("/v2/tenants/demo-tenant/oauth-clients");
        if let Some(auth) = auth {
            req = req.header(header::AUTHORIZATION, auth);
        }
        req.body(Body::empty()).unwrap()
    };
    let response = send(
        &state,
        list(Some(basic("admin@example.com", "demo-admin-key"))),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(json(response).await["data"].is_array());
    let response = send(&state, list(None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    assert!(json(response).await["errors"].is_array());
}

#[tokio::test]
async fn resource_endpoints_take_a_bearer_token() {
    let state = state().await;
    let token = client_credentials_token(&state).await;
    let info = |bearer: Option<&str>| {
        let mut req = Request::get("/oauth/token/info");
        if let Some(t) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        req.body(Body::empty()).unwrap()
    };
    let response = send(&state, info(Some(&token))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["application"]["uid"], CLIENT.0);
    let response = send(&state, info(None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
}
