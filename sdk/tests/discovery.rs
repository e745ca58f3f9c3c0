//! Discovery against servers that publish RFC 8414 metadata, OpenID Connect
//! metadata, or neither, at the places real servers use.

use oauth_sdk::{Error, ProtocolViolation, Provider};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn full_document(issuer: &str) -> serde_json::Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/me"),
        "jwks_uri": format!("{issuer}/jwks"),
        "revocation_endpoint": format!("{issuer}/token/revocation"),
        "introspection_endpoint": format!("{issuer}/token/introspection"),
        "pushed_authorization_request_endpoint": format!("{issuer}/request"),
        "device_authorization_endpoint": format!("{issuer}/device/auth"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "offline_access"],
        "code_challenge_methods_supported": ["S256"],
    })
}

async fn serve(server: &MockServer, at: &str, status: u16, body: serde_json::Value) {
    mock(at, status, body).mount(server).await;
}

fn mock(at: &str, status: u16, body: serde_json::Value) -> Mock {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
}

#[tokio::test]
async fn an_openid_provider_is_found_and_its_metadata_kept() {
    let s = MockServer::start().await;
    let issuer = s.uri();
    serve(
        &s,
        "/.well-known/openid-configuration",
        200,
        full_document(&issuer),
    )
    .await;
    let p = Provider::discover(issuer.parse().unwrap())
        .send()
        .await
        .expect("found through OpenID discovery after the RFC 8414 URL answered 404");
    assert_eq!(p.issuer(), Some(issuer.as_str()));
    assert_eq!(p.token_endpoint().as_str(), format!("{issuer}/token"));
    assert_eq!(
        p.revocation_endpoint().unwrap().as_str(),
        format!("{issuer}/token/revocation")
    );
    assert_eq!(
        p.introspection_endpoint().unwrap().as_str(),
        format!("{issuer}/token/introspection")
    );
    let m = p.metadata();
    assert_eq!(
        m.userinfo_endpoint.as_ref().unwrap().as_str(),
        format!("{issuer}/me")
    );
    assert_eq!(p.resource_endpoint(), m.userinfo_endpoint.as_ref());
    assert_eq!(
        m.jwks_uri.as_ref().unwrap().as_str(),
        format!("{issuer}/jwks")
    );
    assert_eq!(
        m.pushed_authorization_request_endpoint
            .as_ref()
            .unwrap()
            .as_str(),
        format!("{issuer}/request")
    );
    assert_eq!(
        m.device_authorization_endpoint.as_ref().unwrap().as_str(),
        format!("{issuer}/device/auth")
    );
    assert_eq!(
        m.token_endpoint_auth_methods_supported,
        ["client_secret_basic", "private_key_jwt"]
    );
    assert_eq!(m.code_challenge_methods_supported, ["S256"]);
    assert_eq!(m.scopes_supported, ["openid", "offline_access"]);
}

#[tokio::test]
async fn an_issuer_with_a_path_is_found_at_each_well_known_form() {
    for at in [
        "/.well-known/oauth-authorization-server/tenant-1",
        "/tenant-1/.well-known/openid-configuration",
        "/.well-known/openid-configuration/tenant-1",
    ] {
        let s = MockServer::start().await;
        let issuer = format!("{}/tenant-1", s.uri());
        serve(&s, at, 200, full_document(&issuer)).await;
        let p = Provider::discover(issuer.parse().unwrap())
            .send()
            .await
            .unwrap_or_else(|e| panic!("metadata at {at}: {e}"));
        assert_eq!(p.issuer(), Some(issuer.as_str()), "{at}");
    }
}

#[tokio::test]
async fn nothing_found_names_every_url_tried_and_its_answer() {
    let s = MockServer::start().await;
    let issuer = s.uri();
    // An HTML page where JSON was expected, and a 404 elsewhere.
    Mock::given(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .mount(&s)
        .await;
    let e = Provider::discover(issuer.parse().unwrap())
        .send()
        .await
        .unwrap_err();
    let Error::Discovery(d) = &e else {
        panic!("expected a discovery error, got {e:?}")
    };
    assert_eq!(d.attempts.len(), 2);
    assert_eq!(
        d.attempts[0].0.as_str(),
        format!("{issuer}/.well-known/oauth-authorization-server")
    );
    assert!(d.attempts[0].1.contains("404"), "{}", d.attempts[0].1);
    assert_eq!(
        d.attempts[1].0.as_str(),
        format!("{issuer}/.well-known/openid-configuration")
    );
    assert!(d.attempts[1].1.contains("200"), "{}", d.attempts[1].1);
    let message = e.to_string();
    assert!(
        message.contains("oauth-authorization-server") && message.contains("openid-configuration"),
        "{message}"
    );
}

#[tokio::test]
async fn an_issuer_mismatch_stops_discovery_at_once() {
    let s = MockServer::start().await;
    let issuer = s.uri();
    serve(
        &s,
        "/.well-known/oauth-authorization-server",
        200,
        full_document("https://evil.example"),
    )
    .await;
    mock(
        "/.well-known/openid-configuration",
        200,
        full_document(&issuer),
    )
    .expect(0)
    .mount(&s)
    .await;
    let e = Provider::discover(issuer.parse().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Protocol(ProtocolViolation::MetadataIssuerMismatch)
        ),
        "{e:?}"
    );
}
