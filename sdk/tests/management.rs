//! Management clients: JSON:API error mapping against wiremock, and the
//! tenant OAuth clients, Hub services and `component.json` resolver end to
//! end against the reference server (demo fixture).

use std::collections::HashMap;
use std::net::SocketAddr;

use std::time::Duration;

use oauth_sdk::management::{
    ApiKey, ComponentId, ComponentJson, ManagementClient, OAuthClientChanges, OAuthClients,
    ResolveError, Resolver, SecretSource, ServiceId, ServiceRegistration, TenantId,
    TokenEndpointAuth,
};
use oauth_sdk::{Client, ClientId, ClientSecret, Error, Provider, Scope};
use oauth_server_reference::{Config, ServerHandle, spawn};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> ServerHandle {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    spawn(Config::demo(), addr)
        .await
        .expect("reference server starts")
}

fn account(base: &url::Url, email: &str, key: &str) -> ManagementClient {
    ManagementClient::builder(base.clone(), email, ApiKey::new(key))
        .build()
        .unwrap()
}

fn admin(s: &ServerHandle) -> ManagementClient {
    account(s.base_url(), "admin@example.com", "demo-admin-key")
}

fn reader(s: &ServerHandle) -> ManagementClient {
    account(s.base_url(), "reader@example.com", "demo-reader-key")
}

fn tenant() -> TenantId {
    TenantId::new("demo-tenant")
}

fn demo_clients(api: &ManagementClient) -> OAuthClients {
    api.elasticio().oauth_clients(tenant())
}

fn detail(e: &Error) -> String {
    e.api_error()
        .and_then(|a| a.detail.clone())
        .unwrap_or_else(|| panic!("no JSON:API detail in {e:?}"))
}

// --- wiremock: error mapping -------------------------------------------------

async fn answering(status: u16, body: &str, content_type: &str) -> Error {
    answering_with(
        ResponseTemplate::new(status)
            .insert_header("content-type", content_type)
            .set_body_string(body),
    )
    .await
}

/// The error of an elastic.io `GET` answered by `template`.
async fn answering_with(template: ResponseTemplate) -> Error {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/tenants/t/oauth-clients/r1"))
        .respond_with(template)
        .mount(&mock)
        .await;
    let api = account(&mock.uri().parse().unwrap(), "a@b.c", "k");
    api.elasticio()
        .oauth_clients("t")
        .get("r1")
        .send()
        .await
        .unwrap_err()
}

/// Management errors are read by the same code as OAuth ones: a 429 or 503
/// is retryable and keeps its `Retry-After`, with a JSON:API body or without.
#[tokio::test]
async fn busy_answers_are_retryable_and_keep_retry_after() {
    for status in [429u16, 503] {
        let plain = ResponseTemplate::new(status)
            .insert_header("retry-after", "7")
            .insert_header("content-type", "text/plain")
            .set_body_string("busy");
        let e = answering_with(plain).await;
        assert!(matches!(e, Error::Status { .. }), "{status}: {e:?}");
        assert!(e.is_retryable(), "{status}: {e:?}");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)), "{e:?}");

        let doc = ResponseTemplate::new(status)
            .insert_header("retry-after", "12")
            .insert_header("content-type", "application/vnd.api+json")
            .set_body_string(error_doc(status, "Busy", "try later"));
        let e = answering_with(doc).await;
        let api = e.api_error().unwrap_or_else(|| panic!("{status}: {e:?}"));
        assert_eq!(api.detail.as_deref(), Some("try later"));
        assert!(e.is_retryable(), "{status}: {e:?}");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(12)), "{e:?}");
        assert!(e.to_string().contains("retry after 12s"), "{e}");
    }
    // Refusals are not worth retrying, whatever they say.
    let e = answering(
        409,
        &error_doc(409, "Conflict", "dup"),
        "application/vnd.api+json",
    )
    .await;
    assert!(!e.is_retryable() && e.retry_after().is_none(), "{e:?}");
}

/// The builder's settings reach the wire: the user agent is sent, and the
/// timeout ends a request the server does not answer in time.
#[tokio::test]
async fn builder_settings_reach_the_wire() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/rest/services/svc"))
        .and(wiremock::matchers::header(
            "user-agent",
            "inventory-sync/2.1",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"svc","name":"CI"}"#))
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/rest/services/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&mock)
        .await;
    let api = ManagementClient::builder(mock.uri().parse().unwrap(), "a@b.c", ApiKey::new("k"))
        .user_agent("inventory-sync/2.1")
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let services = api.hub().services();
    assert_eq!(services.get("svc").send().await.unwrap().name, "CI");
    let e = services.get("slow").send().await.unwrap_err();
    assert!(e.is_timeout() && e.is_retryable(), "{e:?}");
}

#[tokio::test]
async fn the_api_key_never_shows_in_debug_or_errors() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string(error_doc(
            401,
            "Unauthorized",
            "bad key",
        )))
        .mount(&mock)
        .await;
    let key = "k3y-that-must-not-leak";
    let api = account(&mock.uri().parse().unwrap(), "a@b.c", key);
    let call = api.segment().oauth_apps("t").get("app_1");
    let debug = format!("{api:?} {call:?} {:?}", ApiKey::new(key));
    let e = call.send().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    let shown = format!("{debug} {e:?} {e}");
    assert!(!shown.contains(key), "{shown}");
    assert!(shown.contains("ApiKey([redacted])"), "{shown}");
}

fn error_doc(status: u16, title: &str, detail: &str) -> String {
    json!({"errors": [{"status": status.to_string(), "title": title, "detail": detail}]})
        .to_string()
}

#[tokio::test]
async fn json_api_errors_map_to_typed_errors_with_their_detail() {
    type Check = fn(&Error) -> bool;
    let cases: [(u16, &str, Check); 5] = [
        (401, "Unauthorized", Error::is_unauthorized),
        (403, "Forbidden", Error::is_forbidden),
        (404, "Not Found", Error::is_not_found),
        (409, "Conflict", Error::is_conflict),
        (422, "Unprocessable Entity", Error::is_unprocessable),
    ];
    for (status, title, check) in cases {
        let e = answering(
            status,
            &error_doc(status, title, "why"),
            "application/vnd.api+json",
        )
        .await;
        assert!(check(&e), "{status}: {e:?}");
        let api = e.api_error().expect("an Api error");
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.title.as_deref(), Some(title));
        assert_eq!(detail(&e), "why");
        assert!(e.to_string().contains("why"), "{e}");
    }
}

#[tokio::test]
async fn malformed_responses_are_parse_or_status_errors() {
    let e = answering(200, "{not json", "application/vnd.api+json").await;
    assert!(matches!(e, Error::Parse(_)), "{e:?}");
    let e = answering(
        200,
        r#"{"data":{"type":"user","id":"r1"}}"#,
        "application/json",
    )
    .await;
    assert!(matches!(e, Error::Parse(_)), "{e:?}");
    let e = answering(500, "<html>oops</html>", "text/html").await;
    assert!(matches!(e, Error::Status { .. }), "{e:?}");
    assert!(e.api_error().is_none());
    let e = answering(404, r#"{"errors":[]}"#, "application/vnd.api+json").await;
    assert!(e.is_not_found() && e.api_error().is_none(), "{e:?}");
    let e = answering(302, "", "text/plain").await;
    assert!(matches!(e, Error::Protocol(_)), "{e:?}");
}

// --- reference server: tenant OAuth clients ----------------------------------

#[tokio::test]
async fn full_lifecycle_with_filter_and_no_secret_returned() {
    let s = server().await;
    let clients = demo_clients(&admin(&s));
    let created = clients
        .create(
            "pizzavan",
            ClientId::new("pv-id"),
            ClientSecret::new("pv-secret"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.client_id.as_str(), "pv-id");
    assert_eq!(created.component.as_str(), "pizzavan");
    assert!(created.usable);

    let got = clients.get(&created.id).send().await.unwrap();
    assert_eq!(got, created);

    clients
        .create(
            ComponentId::new("salesforce"),
            ClientId::new("sf-id"),
            ClientSecret::new("sf-secret"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(clients.list().send().await.unwrap().len(), 2);
    let filtered = clients.list_for_component("pizzavan").send().await.unwrap();
    assert_eq!(filtered, vec![created.clone()]);

    let changes = OAuthClientChanges {
        client_id: Some(ClientId::new("pv-id-2")),
        client_secret: Some(ClientSecret::new("pv-secret-2")),
        ..Default::default()
    };
    let updated = clients.update(&created.id, changes).send().await.unwrap();
    assert_eq!(updated.client_id.as_str(), "pv-id-2");
    assert_eq!(updated.component, created.component, "unchanged");

    clients.delete(&created.id).send().await.unwrap();
    let e = clients.get(created.id).send().await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(detail(&e), "OAuth client not found");
}

#[tokio::test]
async fn duplicate_hidden_component_reader_and_in_use_are_typed_errors() {
    let s = server().await;
    let clients = demo_clients(&admin(&s));
    let create = |c: &str| clients.create(c, ClientId::new("id"), ClientSecret::new("secret"));
    let sf = create("salesforce").send().await.unwrap();
    let e = create("salesforce").send().await.unwrap_err();
    assert!(e.is_conflict(), "{e:?}");
    assert!(detail(&e).contains("one per component"), "{}", detail(&e));

    let e = create("hidden-component").send().await.unwrap_err();
    assert!(e.is_unprocessable(), "{e:?}");
    assert_eq!(
        e.api_error().unwrap().pointer.as_deref(),
        Some("/data/relationships/component/data/id")
    );

    let reader = reader(&s);
    let e = demo_clients(&reader)
        .create("pizzavan", ClientId::new("id"), ClientSecret::new("secret"))
        .send()
        .await
        .unwrap_err();
    assert!(e.is_forbidden(), "{e:?}");
    assert!(detail(&e).contains("tenants.oauth_clients.create"));
    // The reader may still list.
    let listed = demo_clients(&reader).list().send().await.unwrap();
    assert_eq!(listed.len(), 1);

    let e = clients.delete(&sf.id).send().await.unwrap_err();
    assert!(e.is_conflict(), "{e:?}");
    assert!(detail(&e).contains("flow-1"), "{}", detail(&e));
    assert!(clients.get(sf.id).send().await.is_ok(), "nothing deleted");
}

#[tokio::test]
async fn wrong_credentials_and_foreign_tenants() {
    let s = server().await;
    let bad = account(s.base_url(), "admin@example.com", "nope");
    let e = demo_clients(&bad).list().send().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    let e = admin(&s)
        .elasticio()
        .oauth_clients("someone-else")
        .list()
        .send()
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

// --- reference server: Hub services ------------------------------------------

#[tokio::test]
async fn hub_service_registration_token_and_trusted_flag() {
    let s = server().await;
    let services = admin(&s).hub().services();
    let registered = services
        .register(ServiceRegistration {
            name: "CI server".into(),
            home_url: Some("https://ci.example.com/".parse().unwrap()),
            redirect_uris: vec!["https://ci.example.com/oauth/callback".parse().unwrap()],
            application_name: Some("TeamCity".into()),
            vendor: Some("JetBrains".into()),
            version: Some("2024.1".into()),
        })
        .send()
        .await
        .unwrap();
    assert!(format!("{registered:?}").contains("[redacted]"));

    let client = Client::builder(
        Provider::hub(s.base_url()).unwrap(),
        registered.id.client_id(),
    )
    .client_secret_basic(registered.secret.clone())
    .build()
    .unwrap();
    let token = client
        .client_credentials()
        .scope(Scope::new("api").unwrap())
        .send()
        .await
        .unwrap();
    assert!(!token.access_token().secret().is_empty());

    let service = services.get(&registered.id).send().await.unwrap();
    assert_eq!(service.name, "CI server");
    assert_eq!(service.vendor.as_deref(), Some("JetBrains"));
    assert_eq!(
        service.redirect_uris,
        vec!["https://ci.example.com/oauth/callback"]
    );
    assert!(!service.trusted);
    let trusted = services.set_trusted(&registered.id, true).send().await;
    assert!(trusted.unwrap().trusted);
    let service = services.get(registered.id.clone()).send().await.unwrap();
    assert!(service.trusted);

    let e = reader(&s)
        .hub()
        .services()
        .set_trusted(&registered.id, true)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_forbidden(), "{e:?}");
    let e = services
        .get(ServiceId::new("no-such-service"))
        .send()
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

// --- component.json resolver -------------------------------------------------

fn fixture(name: &str) -> Vec<u8> {
    let p = format!(
        "{}/tests/fixtures/component_json/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(p).unwrap()
}

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn component_json_parses_and_finds_legacy_vars() {
    let cj = ComponentJson::parse(&fixture("use_oauth_client.json")).unwrap();
    assert!(cj.use_oauth_client);
    assert_eq!(
        cj.oauth2.as_ref().unwrap().token_uri,
        "https://auth.example.com/token"
    );
    assert_eq!(cj.legacy_id_var(), Some("PIZZAVAN_KEY"));
    assert_eq!(cj.legacy_secret_var(), Some("PIZZAVAN_SECRET"));
    let legacy = ComponentJson::parse(&fixture("legacy_env_vars.json")).unwrap();
    assert!(!legacy.use_oauth_client);
    assert_eq!(legacy.legacy_id_var(), Some("OAUTH_CLIENT_ID"));
    assert!(matches!(
        ComponentJson::parse(&fixture("malformed.json")),
        Err(ResolveError::Malformed(_))
    ));
    assert!(matches!(
        ComponentJson::parse(br#"{"useOAuthClient": "yes"}"#),
        Err(ResolveError::Malformed(_))
    ));
}

#[tokio::test]
async fn resolver_errors_are_typed() {
    let broken = ComponentJson::parse(&fixture("use_oauth_client_without_block.json")).unwrap();
    let e = Resolver::new(&broken, ComponentId::new("x"))
        .resolve()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ResolveError::MissingOAuth2Block {
                use_oauth_client: true
            }
        ),
        "{e:?}"
    );

    let cj = ComponentJson::parse(&fixture("use_oauth_client.json")).unwrap();
    let e = Resolver::new(&cj, ComponentId::new("pizzavan"))
        .resolve()
        .await
        .unwrap_err();
    match &e {
        ResolveError::NoCredentials { missing, .. } => {
            assert!(missing.contains(&"PIZZAVAN_KEY".to_owned()), "{missing:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn resolver_falls_back_to_legacy_env_vars_and_templates() {
    let cj = ComponentJson::parse(&fixture("use_oauth_client.json")).unwrap();
    let r = Resolver::new(&cj, ComponentId::new("pizzavan"))
        .env(env(&[
            ("PIZZAVAN_KEY", "pv-key"),
            ("PIZZAVAN_SECRET", "pv-secret"),
        ]))
        .resolve()
        .await
        .unwrap();
    assert_eq!(r.client.client_id().as_str(), "pv-key");
    assert_eq!(
        r.secret_source,
        SecretSource::EnvVar("PIZZAVAN_SECRET".into())
    );
    assert!(r.record.is_none());

    let legacy = ComponentJson::parse(&fixture("legacy_env_vars.json")).unwrap();
    let r = Resolver::new(&legacy, ComponentId::new("salesforce"))
        .env(env(&[
            ("OAUTH_CLIENT_ID", "sf"),
            ("OAUTH_CLIENT_SECRET", "sf-s"),
        ]))
        .auth(TokenEndpointAuth::ClientSecretBasic)
        .resolve()
        .await
        .unwrap();
    assert_eq!(r.client.client_id().as_str(), "sf");
    assert_eq!(
        r.client.provider().token_endpoint().as_str(),
        "https://login.example.com/services/oauth2/token"
    );
}

/// A component.json pointing at the reference server's token endpoint.
fn local_component(s: &ServerHandle) -> ComponentJson {
    let doc = json!({
        "useOAuthClient": true,
        "envVars": {"PIZZAVAN_KEY": {}, "PIZZAVAN_SECRET": {}},
        "oauth2": {
            "client_id": "", "client_secret": "",
            "auth_uri": s.url("/oauth/authorize"),
            "token_uri": s.url("/oauth/token"),
        }
    });
    ComponentJson::parse(doc.to_string().as_bytes()).unwrap()
}

#[tokio::test]
async fn resolver_uses_the_tenant_record_and_a_secret_from_env() {
    let s = server().await;
    let api = admin(&s);
    let cj = local_component(&s);
    // No record yet, no env: nothing to use.
    let e = Resolver::new(&cj, ComponentId::new("pizzavan"))
        .tenant(&api, tenant())
        .resolve()
        .await
        .unwrap_err();
    assert!(matches!(e, ResolveError::NoCredentials { .. }), "{e:?}");

    let record = demo_clients(&api)
        .create(
            "pizzavan",
            ClientId::new("demo-confidential"),
            ClientSecret::new("demo-confidential-secret"),
        )
        .send()
        .await
        .unwrap();
    // The record is found, but its secret is write-only.
    let e = Resolver::new(&cj, ComponentId::new("pizzavan"))
        .tenant(&api, tenant())
        .env(env(&[("PIZZAVAN_KEY", "ignored-legacy-key")]))
        .resolve()
        .await
        .unwrap_err();
    assert!(
        matches!(e, ResolveError::SecretNotRetrievable { .. }),
        "{e:?}"
    );

    let r = Resolver::new(&cj, ComponentId::new("pizzavan"))
        .tenant(&api, tenant())
        .env(env(&[
            ("PIZZAVAN_KEY", "ignored-legacy-key"),
            ("PIZZAVAN_SECRET", "demo-confidential-secret"),
        ]))
        .resolve()
        .await
        .unwrap();
    assert_eq!(r.record, Some(record.id));
    assert_eq!(r.client.client_id().as_str(), "demo-confidential");
    let token = r.client.client_credentials().send().await.unwrap();
    assert!(!token.access_token().secret().is_empty());

    // A lookup failure is reported as such.
    let e = Resolver::new(&cj, ComponentId::new("pizzavan"))
        .tenant(&reader(&s), "someone-else")
        .resolve()
        .await
        .unwrap_err();
    assert!(
        matches!(e, ResolveError::Lookup(ref inner) if inner.is_not_found()),
        "{e:?}"
    );
}
