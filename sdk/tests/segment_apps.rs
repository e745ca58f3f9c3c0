//! Segment OAuth apps and sources through the typed management client, end to
//! end against the in-process reference server (demo fixture): an app's whole
//! life, its tokens obtained with `private_key_jwt` and checked at
//! `POST /v1/track`, and every typed refusal (401/403/404/409/422).

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use oauth_sdk::management::{
    ApiKey, ManagementClient, ManagementRequest, NewOAuthApp, OAuthApp, OAuthAppChanges,
    OAuthAppId, OAuthAppKeyId, OAuthAppScope, OAuthApps, PublicKeyPem, SourceId, Sources,
    TokenExpirationPeriod,
};
use oauth_sdk::{AccessToken, Client, Error, ErrorCode, PrivateKeyJwt, Provider};
use oauth_server_reference::config::DEMO_TOML;
use oauth_server_reference::{Config, ServerHandle, spawn};
use serde_json::json;

const DAY: u64 = 24 * 3600;

async fn server_with(config: Config) -> ServerHandle {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    spawn(config, addr).await.expect("reference server starts")
}

async fn server() -> ServerHandle {
    server_with(Config::demo()).await
}

fn account(s: &ServerHandle, email: &str, key: &str) -> ManagementClient {
    ManagementClient::builder(s.base_url().clone(), email, ApiKey::new(key))
        .build()
        .unwrap()
}

fn admin(s: &ServerHandle) -> ManagementClient {
    account(s, "admin@example.com", "demo-admin-key")
}

fn apps(api: &ManagementClient) -> OAuthApps {
    api.segment().oauth_apps("demo-tenant")
}

fn sources(api: &ManagementClient) -> Sources {
    api.segment().sources("demo-tenant")
}

fn demo_source() -> SourceId {
    SourceId::new("demo-source")
}

/// The demo app's RSA key pair (server fixture) and the SDK tests' own.
fn demo_public() -> PublicKeyPem {
    PublicKeyPem::new(fixture("../server-reference/fixtures/demo-jwt-public.pem"))
}

fn demo_private() -> Vec<u8> {
    fixture("../server-reference/fixtures/demo-jwt-private.pem").into_bytes()
}

fn second_public() -> PublicKeyPem {
    PublicKeyPem::new(String::from_utf8(support::RSA_PUBLIC.to_vec()).unwrap())
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn new_app(public_key: PublicKeyPem) -> NewOAuthApp {
    NewOAuthApp {
        name: "Warehouse sync".into(),
        public_key,
        public_key_name: "first key".into(),
        token_expiration_period: TokenExpirationPeriod::OneDay,
        scopes: vec![
            OAuthAppScope::TrackingApiWrite,
            OAuthAppScope::FunctionsWrite,
        ],
    }
}

/// The app as a protocol client: Segment dialect (`/token`, `aud` = base URL),
/// signing with `private_pem` under `kid`.
fn app_client(s: &ServerHandle, app: &OAuthApp, private_pem: &[u8], kid: &OAuthAppKeyId) -> Client {
    let auth = PrivateKeyJwt::rs256_from_pem(private_pem, kid.as_str()).unwrap();
    Client::builder(Provider::segment_at(s.base_url()).unwrap(), app.client_id())
        .auth(auth)
        .build()
        .unwrap()
}

/// A client-credentials token for `tracking_api:write`, and its `expires_in`.
async fn token(client: &Client) -> Result<(AccessToken, Duration), Error> {
    let t = client
        .client_credentials()
        .scope(OAuthAppScope::TrackingApiWrite.scope())
        .send()
        .await?;
    let expires_in = t.expires_in().expect("an app's token expires");
    Ok((t.access_token().clone(), expires_in))
}

/// `POST /v1/track` for the demo source (write key in the body), with or
/// without a Bearer token; the HTTP status.
async fn track(s: &ServerHandle, bearer: Option<&AccessToken>) -> u16 {
    let event = json!({"writeKey": "demo-write-key", "type": "track",
        "event": "Order Completed", "userId": "u1"});
    let mut req = reqwest::Client::new().post(s.url("/v1/track")).json(&event);
    if let Some(t) = bearer {
        req = req.bearer_auth(t.secret());
    }
    req.send().await.unwrap().status().as_u16()
}

fn detail(e: &Error) -> String {
    e.api_error()
        .and_then(|a| a.detail.clone())
        .unwrap_or_else(|| panic!("no JSON:API detail in {e:?}"))
}

type Is = fn(&Error) -> bool;

/// Sends `call`, which must fail as `is` says; the error, for its detail.
async fn refused<T: std::fmt::Debug>(call: ManagementRequest<T>, is: Is) -> Error {
    let e = call.send().await.unwrap_err();
    assert!(is(&e), "{e:?}");
    e
}

#[tokio::test]
async fn an_apps_whole_life_with_tokens_at_the_tracking_api() {
    let s = server().await;
    let api = admin(&s);
    let apps = apps(&api);
    let sources = sources(&api);

    let app = apps.create(new_app(demo_public())).send().await.unwrap();
    assert_eq!(app.name, "Warehouse sync");
    assert_eq!(app.token_expiration_period, TokenExpirationPeriod::OneDay);
    assert_eq!(
        app.scopes,
        [
            OAuthAppScope::TrackingApiWrite,
            OAuthAppScope::FunctionsWrite
        ]
    );
    assert_eq!(app.keys.len(), 1);
    assert_eq!(app.keys[0].name, "first key");
    assert!(app.sources.is_empty());
    assert_eq!(apps.get(&app.id).send().await.unwrap(), app);
    assert_eq!(
        apps.list().send().await.unwrap(),
        std::slice::from_ref(&app)
    );

    // The app is a client: its id is the client_id, its key id the kid.
    let first_kid = app.keys[0].id.clone();
    let first = app_client(&s, &app, &demo_private(), &first_kid);
    let (_, expires_in) = token(&first).await.unwrap();
    assert_eq!(expires_in, Duration::from_secs(DAY));

    // A second key works at once; deleting the first leaves only the second.
    let added = apps
        .add_key(&app.id, "second key", second_public())
        .send()
        .await
        .unwrap();
    assert_eq!(added.key.name, "second key");
    assert_eq!(added.key.public_key, second_public());
    assert_eq!(added.app.keys.len(), 2);
    let second = app_client(&s, &app, support::RSA_PRIVATE, &added.key.id);
    token(&second).await.unwrap();
    let app = apps.delete_key(&app.id, &first_kid).send().await.unwrap();
    assert_eq!(app.keys, std::slice::from_ref(&added.key));
    let e = token(&first).await.unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidClient), "{e:?}");

    // A new period reaches the next token.
    let two_weeks = OAuthAppChanges {
        token_expiration_period: Some(TokenExpirationPeriod::TwoWeeks),
        ..Default::default()
    };
    let app = apps.update(&app.id, two_weeks).send().await.unwrap();
    assert_eq!(app.token_expiration_period, TokenExpirationPeriod::TwoWeeks);
    assert_eq!(app.name, "Warehouse sync", "unchanged");
    let (access, expires_in) = token(&second).await.unwrap();
    assert_eq!(expires_in, TokenExpirationPeriod::TwoWeeks.duration());

    // Connected and enforcing, the source wants the app's token.
    let before = sources.get(demo_source()).send().await.unwrap();
    assert_eq!((before.oauth_app, before.oauth_enforced), (None, false));
    assert_eq!(before.kind.as_deref(), Some("http-api"));
    // OAuth supports only server-side sources: a browser source is refused.
    let browser = SourceId::new("demo-browser-source");
    let e = sources.connect(&browser, &app.id).send().await.unwrap_err();
    assert!(e.is_unprocessable(), "{e:?}");
    let browser = sources.get(&browser).send().await.unwrap();
    assert_eq!(browser.kind.as_deref(), Some("javascript"));
    assert_eq!(browser.oauth_app, None);
    assert_eq!(track(&s, None).await, 200, "write key alone, not enforced");
    let source = sources
        .connect(demo_source(), &app.id)
        .send()
        .await
        .unwrap();
    assert_eq!(source.oauth_app.as_ref(), Some(&app.id));
    assert_eq!(
        apps.get(&app.id).send().await.unwrap().sources,
        [demo_source()]
    );
    let source = sources
        .enable_enforcement(demo_source())
        .send()
        .await
        .unwrap();
    assert!(source.oauth_enforced);
    assert_eq!(track(&s, None).await, 401, "enforced: no token");
    assert_eq!(track(&s, Some(&access)).await, 200, "enforced: app's token");

    // Revoked by value: refused at once. Another app's token (a wrong
    // paste) is not found, and stays valid.
    apps.revoke_token(&app.id, &access).send().await.unwrap();
    assert_eq!(track(&s, Some(&access)).await, 401, "revoked token");
    let introspection = s.url("/oauth/introspect").parse().unwrap();
    let demo_jwt = Client::builder(
        Provider::segment_at(s.base_url())
            .unwrap()
            .with_introspection_endpoint(introspection),
        oauth_sdk::ClientId::new("demo-jwt"),
    )
    .auth(PrivateKeyJwt::rs256_from_pem(&demo_private(), "demo-key-1").unwrap())
    .build()
    .unwrap();
    let (foreign, _) = token(&demo_jwt).await.unwrap();
    refused(apps.revoke_token(&app.id, &foreign), Error::is_not_found).await;
    let info = demo_jwt.introspect(&foreign).send().await.unwrap();
    assert!(info.active, "another app's token is not revoked");

    // An enforcing source keeps its app; a connected app is not deleted.
    let e = refused(sources.disconnect(demo_source()), Error::is_conflict).await;
    assert!(detail(&e).contains("disable enforcement"), "{}", detail(&e));
    let e = refused(apps.delete(&app.id), Error::is_conflict).await;
    assert!(detail(&e).contains("demo-source"), "{}", detail(&e));

    let source = sources
        .disable_enforcement(demo_source())
        .send()
        .await
        .unwrap();
    assert!(!source.oauth_enforced);
    let source = sources.disconnect(demo_source()).send().await.unwrap();
    assert_eq!(source.oauth_app, None);
    apps.delete(&app.id).send().await.unwrap();
    refused(apps.get(&app.id), Error::is_not_found).await;
    assert!(apps.list().send().await.unwrap().is_empty());
    let e = token(&second).await.unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidClient), "{e:?}");
}

#[tokio::test]
async fn bad_key_third_key_last_key_and_unknown_app_are_typed_errors() {
    let s = server().await;
    let api = admin(&s);
    let apps = apps(&api);

    let bad_pem = PublicKeyPem::new("-----BEGIN PUBLIC KEY-----\nnope");
    let e = refused(apps.create(new_app(bad_pem)), Error::is_unprocessable).await;
    assert!(
        detail(&e).contains("RSA public key in PEM"),
        "{}",
        detail(&e)
    );
    let pointer = e.api_error().unwrap().pointer.as_deref();
    assert_eq!(pointer, Some("/data/attributes/publicKey"));
    let ec = PublicKeyPem::new(String::from_utf8(support::EC_PUBLIC.to_vec()).unwrap());
    refused(apps.create(new_app(ec)), Error::is_unprocessable).await;
    assert!(apps.list().send().await.unwrap().is_empty(), "nothing made");

    let app = apps.create(new_app(demo_public())).send().await.unwrap();
    let last = apps.delete_key(&app.id, &app.keys[0].id);
    refused(last, Error::is_conflict).await;
    let two = apps.add_key(&app.id, "two", second_public());
    two.send().await.unwrap();
    let three = apps.add_key(&app.id, "three", second_public());
    let e = refused(three, Error::is_conflict).await;
    assert!(detail(&e).contains("at most 2"), "{}", detail(&e));
    let absent = OAuthAppKeyId::new("key_nope");
    refused(apps.delete_key(&app.id, &absent), Error::is_not_found).await;

    // A period outside the seven cannot be written with these types; an
    // unknown app is the server's refusal that remains.
    let unknown = OAuthAppId::new("app_nope");
    let three_weeks = OAuthAppChanges {
        token_expiration_period: Some(TokenExpirationPeriod::ThreeWeeks),
        ..Default::default()
    };
    let e = apps.update(&unknown, three_weeks).send().await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(detail(&e), "OAuth app not found");
    refused(apps.get(&unknown), Error::is_not_found).await;
    refused(apps.delete(&unknown), Error::is_not_found).await;
    let revoke = apps.revoke_token(&unknown, &AccessToken::new("t"));
    refused(revoke, Error::is_not_found).await;
    let sources = sources(&api);
    refused(
        sources.connect(demo_source(), &unknown),
        Error::is_not_found,
    )
    .await;
    // Enforcement without a connected app.
    refused(
        sources.enable_enforcement(demo_source()),
        Error::is_conflict,
    )
    .await;
}

#[tokio::test]
async fn roles_without_the_permission_get_403() {
    let s = server().await;
    let api = admin(&s);
    let app = apps(&api).create(new_app(demo_public()));
    let app = app.send().await.unwrap();
    let forbidden = Error::is_forbidden as Is;

    let member = account(&s, "member@example.com", "demo-member-key");
    let e = refused(apps(&member).list(), forbidden).await;
    assert!(detail(&e).contains("Segment role"), "{}", detail(&e));

    // A workspace owner creates and edits apps, but connecting is the
    // source admins' job.
    let owner = account(&s, "owner@example.com", "demo-owner-key");
    let created = apps(&owner).create(new_app(demo_public()));
    created.send().await.unwrap();
    let e = refused(sources(&owner).connect(demo_source(), &app.id), forbidden).await;
    assert!(detail(&e).contains("connect"), "{}", detail(&e));

    let reader = account(&s, "source-reader@example.com", "demo-source-reader-key");
    assert_eq!(apps(&reader).get(&app.id).send().await.unwrap(), app);
    let rename = OAuthAppChanges {
        name: Some("mine now".into()),
        ..Default::default()
    };
    let rename = apps(&reader).update(&app.id, rename);
    assert!(rename.send().await.unwrap_err().is_forbidden());

    let source_admin = account(&s, "source-admin@example.com", "demo-source-admin-key");
    refused(
        apps(&source_admin).create(new_app(demo_public())),
        forbidden,
    )
    .await;
    let connect = sources(&source_admin).connect(demo_source(), &app.id);
    connect.send().await.unwrap();
    refused(
        sources(&reader).enable_enforcement(demo_source()),
        forbidden,
    )
    .await;
    let source = sources(&reader).get(demo_source()).send().await.unwrap();
    assert_eq!(source.oauth_app.as_ref(), Some(&app.id));
    assert!(!source.oauth_enforced);

    let wrong = account(&s, "admin@example.com", "not-the-key");
    refused(apps(&wrong).list(), Error::is_unauthorized).await;
}

#[tokio::test]
async fn another_tenants_apps_and_sources_are_not_found() {
    let toml = format!(
        "{DEMO_TOML}\n[[tenant]]\nid = \"other-tenant\"\n\
         sources = [{{ id = \"other-source\", write_key = \"other-key\" }}]\n\
         [[account]]\nemail = \"other@example.com\"\napi_key = \"other-key\"\n\
         [[account.grants]]\ntenant = \"other-tenant\"\npermissions = [\"*\"]\n"
    );
    let s = server_with(Config::from_toml_str(&toml).unwrap()).await;
    let admin = admin(&s);
    let app = apps(&admin).create(new_app(demo_public()));
    let app = app.send().await.unwrap();
    let not_found = Error::is_not_found as Is;

    let other = account(&s, "other@example.com", "other-key");
    let own = other.segment().oauth_apps("other-tenant");
    assert!(own.list().send().await.unwrap().is_empty());
    // The other account names demo-tenant's records by their real ids.
    refused(apps(&other).get(&app.id), not_found).await;
    refused(apps(&other).list(), not_found).await;
    refused(apps(&other).delete(&app.id), not_found).await;
    refused(own.get(&app.id), not_found).await;
    refused(sources(&other).get(demo_source()), not_found).await;
    let foreign = SourceId::new("other-source");
    refused(sources(&admin).get(&foreign), not_found).await;
    let still = apps(&admin).get(&app.id).send().await.unwrap();
    assert_eq!(still, app, "nothing was deleted");
}
