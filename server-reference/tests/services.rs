//! Hub service registration (the JetBrains Hub OAuth 2.0 docs; docs/management-apis.md#hub-services) over a real socket:
//! a registered service is a working protocol client at once, its secret is shown
//! only at registration, and the administrator's `trusted` flag skips consent.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::browser::{Browser, CallbackUrl};
use support::{REDIRECT, TestServer, json};

const ADMIN: (&str, &str) = ("admin@example.com", "demo-admin-key");
const READER: (&str, &str) = ("reader@example.com", "demo-reader-key");

fn service_body() -> Value {
    json!({
        "name": "My Service",
        "homeUrl": "https://myservice.company.com",
        "redirectUris": [REDIRECT],
        "applicationName": "My Service",
        "vendor": "Company Inc.",
        "version": "1.0"
    })
}

async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    creds: Option<(&str, &str)>,
    body: Option<String>,
) -> reqwest::Response {
    let mut req = server.http.request(method, server.url(path));
    if let Some((email, key)) = creds {
        req = req.basic_auth(email, Some(key));
    }
    if let Some(body) = body {
        req = req.header("content-type", "application/json").body(body);
    }
    req.send().await.expect("request reaches the server")
}

/// `PATCH {"trusted": true}` on service `id`, as `creds`.
async fn trust(server: &TestServer, id: &str, creds: (&str, &str)) -> reqwest::Response {
    let path = format!("/api/rest/services/{id}");
    let body = json!({"trusted": true}).to_string();
    send(server, Method::PATCH, &path, Some(creds), Some(body)).await
}

/// Registers the seed's sample service; returns `(id, secret)`.
async fn register(server: &TestServer) -> (String, String) {
    let resp = send(
        server,
        Method::POST,
        "/api/rest/services?fields=id,secret",
        Some(ADMIN),
        Some(service_body().to_string()),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body = json(resp).await;
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "secret"], "fields=id,secret selects: {body}");
    (
        body["id"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

async fn error_detail(resp: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(resp.status(), status);
    let body = json(resp).await;
    assert_eq!(body["errors"][0]["status"], status.as_u16().to_string());
    body["errors"][0]["detail"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_registered_service_gets_a_client_credentials_token_at_once() {
    let server = TestServer::demo().await;
    let (id, secret) = register(&server).await;
    let form = [("grant_type", "client_credentials")];
    let ok = server
        .post_form("/api/rest/oauth2/token", Some((&id, &secret)), &form)
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let token = json(ok).await;
    assert!(
        token["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{token}"
    );
    assert_eq!(token["token_type"], "Bearer");
    let bad = server
        .post_form(
            "/api/rest/oauth2/token",
            Some((&id, "not-the-secret")),
            &form,
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_fields_registration_returns_every_field_and_the_secret_once() {
    let server = TestServer::demo().await;
    let body = Some(service_body().to_string());
    let resp = send(
        &server,
        Method::POST,
        "/api/rest/services",
        Some(ADMIN),
        body,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let service = json(resp).await;
    for field in [
        "id",
        "secret",
        "name",
        "homeUrl",
        "redirectUris",
        "applicationName",
        "vendor",
        "version",
        "trusted",
    ] {
        assert!(service.get(field).is_some(), "{field} missing: {service}");
    }
    let (id, secret) = (
        service["id"].as_str().unwrap(),
        service["secret"].as_str().unwrap(),
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ];
    let resp = server
        .post_form("/api/rest/oauth2/token", None, &form)
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "client_secret_post works too"
    );
}

#[tokio::test]
async fn get_returns_the_service_but_never_its_secret() {
    let server = TestServer::demo().await;
    let (id, secret) = register(&server).await;
    let path = format!("/api/rest/services/{id}");
    let resp = send(&server, Method::GET, &path, Some(ADMIN), None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    assert!(
        !text.contains(&secret) && !text.contains("secret"),
        "{text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["name"], "My Service");
    assert_eq!(body["redirectUris"], json!([REDIRECT]));
    assert_eq!(body["trusted"], false);
    let only = send(
        &server,
        Method::GET,
        &format!("{path}?fields=id,name"),
        Some(ADMIN),
        None,
    )
    .await;
    assert_eq!(json(only).await, json!({"id": id, "name": "My Service"}));
    let asked = send(
        &server,
        Method::GET,
        &format!("{path}?fields=secret"),
        Some(ADMIN),
        None,
    )
    .await;
    assert!(
        error_detail(asked, StatusCode::BAD_REQUEST)
            .await
            .contains("only once")
    );
    let missing = send(
        &server,
        Method::GET,
        "/api/rest/services/no-such",
        Some(ADMIN),
        None,
    )
    .await;
    error_detail(missing, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn only_administrators_register_or_trust_services() {
    let server = TestServer::demo().await;
    let body = Some(service_body().to_string());
    let anon = send(
        &server,
        Method::POST,
        "/api/rest/services",
        None,
        body.clone(),
    )
    .await;
    assert!(
        anon.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    error_detail(anon, StatusCode::UNAUTHORIZED).await;
    let reader = send(
        &server,
        Method::POST,
        "/api/rest/services",
        Some(READER),
        body,
    )
    .await;
    error_detail(reader, StatusCode::FORBIDDEN).await;
    let (id, _) = register(&server).await;
    let reader = trust(&server, &id, READER).await;
    error_detail(reader, StatusCode::FORBIDDEN).await;
    let still = json(
        send(
            &server,
            Method::GET,
            &format!("/api/rest/services/{id}"),
            Some(ADMIN),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(still["trusted"], false);
}

#[tokio::test]
async fn bad_registrations_get_a_clear_error() {
    let server = TestServer::demo().await;
    let mut no_name = service_body();
    no_name.as_object_mut().unwrap().remove("name");
    let mut fragment = service_body();
    fragment["redirectUris"] = json!(["https://x.example/cb#frag"]);
    let mut unknown = service_body();
    unknown["colour"] = json!("blue");
    let cases = [
        ("/api/rest/services", "{".to_owned(), "malformed JSON"),
        (
            "/api/rest/services",
            no_name.to_string(),
            "name is required",
        ),
        ("/api/rest/services", fragment.to_string(), "fragment"),
        ("/api/rest/services", unknown.to_string(), "colour"),
        (
            "/api/rest/services?fields=id,password",
            service_body().to_string(),
            "password",
        ),
    ];
    for (path, body, detail) in cases {
        let resp = send(&server, Method::POST, path, Some(ADMIN), Some(body)).await;
        let got = error_detail(resp, StatusCode::BAD_REQUEST).await;
        assert!(got.contains(detail), "{detail}: {got}");
    }
    let (id, _) = register(&server).await;
    let path = format!("/api/rest/services/{id}");
    let resp = send(
        &server,
        Method::PATCH,
        &path,
        Some(ADMIN),
        Some(json!({"trusted": "yes"}).to_string()),
    )
    .await;
    error_detail(resp, StatusCode::BAD_REQUEST).await;
}

/// Runs an authorization request at Hub's endpoint as alice, allowing consent if
/// asked; returns whether a consent page was shown, and the callback.
async fn authorize(server: &TestServer, client_id: &str) -> (bool, CallbackUrl) {
    authorize_for(server, client_id, "code").await
}

/// Logs alice in at Hub's authorization endpoint, consenting if asked; returns
/// whether consent was asked and the callback.
async fn authorize_for(
    server: &TestServer,
    client_id: &str,
    response_type: &str,
) -> (bool, CallbackUrl) {
    let mut browser = Browser::new(server);
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("response_type", response_type)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("state", "s1")
        .finish();
    let mut page = browser.get(&format!("/api/rest/oauth2/auth?{query}")).await;
    let mut consent_shown = false;
    for _ in 0..10 {
        if page.is_consent_form() {
            consent_shown = true;
            page = browser.decide(&page, true).await;
        } else if page.is_login_form() {
            page = browser
                .submit_login(&page, "alice", "alice-password", None)
                .await;
        } else if page.status == StatusCode::SEE_OTHER {
            let location = page.location().unwrap().to_owned();
            if !browser.is_internal(&location) {
                return (consent_shown, CallbackUrl::parse(&location));
            }
            page = browser.get(&location).await;
        } else {
            panic!("unexpected page: {page:?}");
        }
    }
    panic!("too many hops");
}

#[tokio::test]
async fn a_trusted_service_skips_consent_and_an_untrusted_one_does_not() {
    let server = TestServer::demo().await;
    let (untrusted, _) = register(&server).await;
    let (shown, cb) = authorize(&server, &untrusted).await;
    assert!(shown, "an untrusted service must ask the user");
    assert!(cb.code().is_some());

    let (trusted, secret) = register(&server).await;
    let resp = trust(&server, &trusted, ADMIN).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json(resp).await["trusted"], true);
    let (shown, cb) = authorize(&server, &trusted).await;
    assert!(!shown, "a trusted service must not ask the user");
    assert_eq!(cb.state().as_deref(), Some("s1"));
    let code = cb.code().expect("code");
    let exchanged = server
        .post_form(
            "/api/rest/oauth2/token",
            Some((&trusted, &secret)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    assert_eq!(exchanged.status(), StatusCode::OK);
    let tokens = json(exchanged).await;
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
}

/// Hub: "If a service is trusted, then it can access Hub resource servers on
/// behalf of itself" — its client-credentials token works at Hub's resource
/// server only once an administrator trusted it (checked at each request).
#[tokio::test]
async fn only_a_trusted_service_accesses_hub_resources_on_its_own_behalf() {
    let server = TestServer::demo().await;
    let (id, secret) = register(&server).await;
    let form = [("grant_type", "client_credentials")];
    let resp = server
        .post_form("/api/rest/oauth2/token", Some((&id, &secret)), &form)
        .await;
    let token = json(resp).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = || {
        server
            .http
            .get(server.url("/api/rest/users/me"))
            .bearer_auth(&token)
            .send()
    };
    let refused = me().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );

    assert_eq!(trust(&server, &id, ADMIN).await.status(), StatusCode::OK);
    let allowed = me().await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(json(allowed).await["client_id"], id.as_str());
}

/// Hub's table of flows: a registered service may use implicit (service id), code
/// and refresh (id and secret), client credentials, and password (id, secret,
/// username and password).
#[tokio::test]
async fn a_registered_service_may_use_every_flow_of_the_hub_table() {
    let server = TestServer::demo().await;
    let (id, secret) = register(&server).await;

    let (_, cb) = authorize_for(&server, &id, "token").await;
    assert!(
        cb.fragment_param("access_token").is_some(),
        "implicit: {cb:?}"
    );
    assert!(cb.fragment_param("refresh_token").is_none());

    let (_, cb) = authorize_for(&server, &id, "code").await;
    let code = cb.code().expect("a code");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let resp = server
        .post_form("/api/rest/oauth2/token", Some((&id, &secret)), &form)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let tokens = json(resp).await;
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let resp = server
        .post_form("/api/rest/oauth2/token", Some((&id, &secret)), &form)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);

    let form = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", "alice-password"),
    ];
    let resp = server
        .post_form("/api/rest/oauth2/token", Some((&id, &secret)), &form)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = server
        .post_form("/api/rest/oauth2/token", Some((&id, "wrong")), &form)
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}
