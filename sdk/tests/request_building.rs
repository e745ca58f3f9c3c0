//! Requests checked as data, without a network: exact form bodies and headers.

mod support;

use std::time::Duration;

use base64::Engine;
use oauth_sdk::{
    AccessToken, Assertion, ClientSecret, ClientSecretBasic, ClientSecretPost, NoClientAuth,
    PrivateKeyJwt, Prompt, Provider, RedirectUrl, RefreshToken, ResourceOwnerPassword, Scope,
    SegmentRegion,
};
use support::*;

const BASE: &str = "http://127.0.0.1:1";

fn decode_basic(req: &http::Request<Vec<u8>>) -> String {
    let v = req.headers()[http::header::AUTHORIZATION].to_str().unwrap();
    let b = base64::engine::general_purpose::STANDARD
        .decode(v.strip_prefix("Basic ").unwrap())
        .unwrap();
    String::from_utf8(b).unwrap()
}

#[tokio::test]
async fn basic_auth_encodes_odd_characters_per_appendix_b() {
    let c = gitlab_client(
        BASE,
        "a b:c%",
        ClientSecretBasic(ClientSecret::new("p@ss word+/")),
    );
    let req = c.client_credentials().http_request().await.unwrap();
    assert_eq!(decode_basic(&req), "a+b%3Ac%25:p%40ss+word%2B%2F");
    assert_eq!(body(&req), "grant_type=client_credentials");
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(req.uri(), "http://127.0.0.1:1/oauth/token");
    assert_eq!(
        req.headers()[http::header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(req.headers()[http::header::ACCEPT], "application/json");
}

#[tokio::test]
async fn secret_post_puts_credentials_in_body() {
    let c = gitlab_client(
        BASE,
        "a b:c%",
        ClientSecretPost(ClientSecret::new("p@ss word+/")),
    );
    let req = c
        .password("alice", &ResourceOwnerPassword::new("pw&=x"))
        .scope(Scope::new("api").unwrap())
        .scope(Scope::new("read_user").unwrap())
        .http_request()
        .await
        .unwrap();
    assert_eq!(
        body(&req),
        "grant_type=password&username=alice&password=pw%26%3Dx&scope=api+read_user&client_id=a+b%3Ac%25&client_secret=p%40ss+word%2B%2F"
    );
    assert!(req.headers().get(http::header::AUTHORIZATION).is_none());
}

#[tokio::test]
async fn public_client_sends_only_client_id() {
    let c = gitlab_client(BASE, "demo-public", NoClientAuth);
    let req = c
        .refresh(&RefreshToken::new("r1"))
        .http_request()
        .await
        .unwrap();
    assert_eq!(
        body(&req),
        "grant_type=refresh_token&refresh_token=r1&client_id=demo-public"
    );
}

#[tokio::test]
async fn jwt_bearer_grant_body() {
    let c = gitlab_client(BASE, "c", ClientSecretBasic(ClientSecret::new("s")));
    let req = c
        .jwt_bearer(&Assertion::new("eyJ.x.y"))
        .http_request()
        .await
        .unwrap();
    assert_eq!(
        body(&req),
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ.x.y"
    );
}

#[tokio::test]
async fn revoke_and_introspect_bodies() {
    let c = gitlab_client(BASE, "c", ClientSecretPost(ClientSecret::new("s")));
    let req = c
        .revoke(RefreshToken::new("rt"))
        .http_request()
        .await
        .unwrap();
    assert_eq!(req.uri(), "http://127.0.0.1:1/oauth/revoke");
    assert_eq!(
        body(&req),
        "token=rt&token_type_hint=refresh_token&client_id=c&client_secret=s"
    );
    let req = c
        .introspect(AccessToken::new("at"))
        .without_hint()
        .http_request()
        .await
        .unwrap();
    assert_eq!(req.uri(), "http://127.0.0.1:1/oauth/introspect");
    assert_eq!(body(&req), "token=at&client_id=c&client_secret=s");
}

#[tokio::test]
async fn token_info_is_a_get_with_bearer_header() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    let req = c
        .token_info(&AccessToken::new("at"))
        .http_request()
        .await
        .unwrap();
    assert_eq!(req.method(), http::Method::GET);
    assert_eq!(req.uri(), "http://127.0.0.1:1/oauth/token/info");
    assert_eq!(req.headers()[http::header::AUTHORIZATION], "Bearer at");
    assert!(req.body().is_empty());
}

#[tokio::test]
async fn missing_endpoint_is_a_typed_error() {
    let p = Provider::hub(&"http://127.0.0.1:1".parse().unwrap()).unwrap();
    let c = oauth_sdk::Client::builder(p, oauth_sdk::ClientId::new("c"))
        .build()
        .unwrap();
    let e = c
        .revoke(AccessToken::new("a"))
        .http_request()
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        oauth_sdk::Error::Protocol(oauth_sdk::ProtocolViolation::MissingEndpoint("revocation"))
    ));
}

#[test]
fn authorization_url_has_state_pkce_and_parameters() {
    let c = gitlab_client(BASE, "demo public", NoClientAuth);
    let redirect = RedirectUrl::parse("http://127.0.0.1:9876/callback").unwrap();
    let req = c
        .authorization_code(redirect)
        .scope(Scope::new("api").unwrap())
        .build()
        .unwrap();
    let url = req.url();
    assert_eq!(url.path(), "/oauth/authorize");
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("response_type"), "code");
    assert_eq!(get("client_id"), "demo public");
    assert_eq!(get("redirect_uri"), "http://127.0.0.1:9876/callback");
    assert_eq!(get("scope"), "api");
    assert_eq!(get("code_challenge_method"), "S256");
    assert_eq!(get("state"), req.pending().state().secret());
    assert_eq!(
        get("code_challenge"),
        req.pending().pkce_verifier().s256_challenge()
    );
    // at least 128 bits of state: 256 bits base64url = 43 chars
    assert!(get("state").len() >= 43);
    let other = c
        .authorization_code(RedirectUrl::parse("http://127.0.0.1:9876/callback").unwrap())
        .build()
        .unwrap();
    assert_ne!(other.pending().state(), req.pending().state());
    assert_ne!(
        other.pending().pkce_verifier(),
        req.pending().pkce_verifier()
    );
}

#[test]
fn implicit_url_asks_for_token() {
    let c = gitlab_client(BASE, "demo-implicit", NoClientAuth);
    let (url, pending) = c
        .implicit(RedirectUrl::parse("http://127.0.0.1:9876/implicit").unwrap())
        .build()
        .unwrap();
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(q.contains(&("response_type".into(), "token".into())));
    assert!(q.contains(&("state".into(), pending.state().secret().into())));
    assert!(!q.iter().any(|(k, _)| k == "code_challenge"));
}

#[derive(Debug, serde::Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: String,
    iat: u64,
    exp: u64,
    jti: String,
}

fn assertion_of(req: &http::Request<Vec<u8>>) -> String {
    let f = form(req);
    assert!(f.contains(&(
        "client_assertion_type".into(),
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()
    )));
    f.into_iter()
        .find(|(k, _)| k == "client_assertion")
        .unwrap()
        .1
}

fn verify(
    jwt: &str,
    public: &[u8],
    alg: jsonwebtoken::Algorithm,
    aud: &str,
) -> (jsonwebtoken::Header, Claims) {
    let key = match alg {
        jsonwebtoken::Algorithm::RS256 => jsonwebtoken::DecodingKey::from_rsa_pem(public).unwrap(),
        _ => jsonwebtoken::DecodingKey::from_ec_pem(public).unwrap(),
    };
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_audience(&[aud]);
    let data = jsonwebtoken::decode::<Claims>(jwt, &key, &v).unwrap();
    (data.header, data.claims)
}

#[tokio::test]
async fn private_key_jwt_rs256_defaults_to_token_endpoint_audience() {
    let auth = PrivateKeyJwt::rs256_from_pem(RSA_PRIVATE, "key-1").unwrap();
    let c = gitlab_client(BASE, "demo-jwt", auth);
    let req = c.client_credentials().http_request().await.unwrap();
    let (h, claims) = verify(
        &assertion_of(&req),
        RSA_PUBLIC,
        jsonwebtoken::Algorithm::RS256,
        "http://127.0.0.1:1/oauth/token",
    );
    assert_eq!(h.kid.as_deref(), Some("key-1"));
    assert_eq!(h.typ.as_deref(), Some("JWT"));
    assert_eq!(claims.iss, "demo-jwt");
    assert_eq!(claims.sub, "demo-jwt");
    assert!(claims.exp > claims.iat && claims.exp - claims.iat <= 60);
    assert!(uuid::Uuid::parse_str(&claims.jti).is_ok());
    let again = c.client_credentials().http_request().await.unwrap();
    let (_, claims2) = verify(
        &assertion_of(&again),
        RSA_PUBLIC,
        jsonwebtoken::Algorithm::RS256,
        "http://127.0.0.1:1/oauth/token",
    );
    assert_ne!(claims.jti, claims2.jti, "jti must be fresh per assertion");
    assert!(
        !body(&req).contains("client_id="),
        "the assertion identifies the client"
    );
}

#[tokio::test]
async fn private_key_jwt_es256_with_segment_audience() {
    for (region, aud) in [
        (SegmentRegion::Us, "https://oauth2.segment.io"),
        (SegmentRegion::Eu, "https://oauth2.eu1.segmentapis.com"),
    ] {
        let auth = PrivateKeyJwt::es256_from_pem(EC_PRIVATE, "k2")
            .unwrap()
            .lifetime(Duration::from_secs(3600));
        let c =
            oauth_sdk::Client::builder(Provider::segment(region), oauth_sdk::ClientId::new("app"))
                .auth(auth)
                .build()
                .unwrap();
        let req = c
            .client_credentials()
            .scope(Scope::new("tracking_api:write").unwrap())
            .http_request()
            .await
            .unwrap();
        assert_eq!(req.uri().to_string(), format!("{aud}/token"));
        let (h, claims) = verify(
            &assertion_of(&req),
            EC_PUBLIC,
            jsonwebtoken::Algorithm::ES256,
            aud,
        );
        assert_eq!(h.alg, jsonwebtoken::Algorithm::ES256);
        assert_eq!(claims.aud, aud);
        assert!(claims.exp - claims.iat <= 60, "lifetime is clamped to 60 s");
    }
}

#[tokio::test]
async fn private_key_jwt_explicit_audience_wins() {
    let auth = PrivateKeyJwt::rs256_from_pem(RSA_PRIVATE, "k")
        .unwrap()
        .audience("https://issuer.example");
    let c = gitlab_client(BASE, "x", auth);
    let req = c.client_credentials().http_request().await.unwrap();
    let (_, claims) = verify(
        &assertion_of(&req),
        RSA_PUBLIC,
        jsonwebtoken::Algorithm::RS256,
        "https://issuer.example",
    );
    assert_eq!(claims.aud, "https://issuer.example");
}

#[test]
fn bad_pem_is_a_key_error_and_key_debug_is_redacted() {
    assert!(matches!(
        PrivateKeyJwt::rs256_from_pem(b"nope", "k"),
        Err(oauth_sdk::Error::InvalidKey {
            what: "RSA private key",
            ..
        })
    ));
    assert!(matches!(
        PrivateKeyJwt::es256_from_pem(RSA_PRIVATE, "k"),
        Err(oauth_sdk::Error::InvalidKey {
            what: "EC private key",
            ..
        })
    ));
    let k = PrivateKeyJwt::rs256_from_pem(RSA_PRIVATE, "k").unwrap();
    let dbg = format!("{k:?}");
    assert!(dbg.contains("[redacted]") && !dbg.contains("PRIVATE"));
}

#[test]
fn plain_http_needs_loopback_or_explicit_permission() {
    let p = Provider::gitlab(&"http://gitlab.example.com".parse().unwrap()).unwrap();
    let e = oauth_sdk::Client::builder(p.clone(), oauth_sdk::ClientId::new("c"))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            e,
            oauth_sdk::Error::InsecureUrl {
                what: "authorization endpoint" | "token endpoint"
            }
        ),
        "{e:?}"
    );
    assert!(
        oauth_sdk::Client::builder(p, oauth_sdk::ClientId::new("c"))
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
    for ok in [
        "http://127.0.0.1:8080",
        "http://127.9.9.9",
        "http://[::1]:1",
        "http://localhost:3000",
        "https://gitlab.example.com",
    ] {
        let p = Provider::gitlab(&ok.parse().unwrap()).unwrap();
        assert!(
            oauth_sdk::Client::builder(p, oauth_sdk::ClientId::new("c"))
                .build()
                .is_ok(),
            "{ok}"
        );
    }
}

#[test]
fn secrets_debug_redacted() {
    let dbg = format!(
        "{:?} {:?} {:?} {:?}",
        ClientSecret::new("S1"),
        AccessToken::new("S2"),
        RefreshToken::new("S3"),
        ResourceOwnerPassword::new("S4")
    );
    assert!(
        !dbg.contains("S1") && !dbg.contains("S2") && !dbg.contains("S3") && !dbg.contains("S4"),
        "{dbg}"
    );
    assert!(dbg.contains("[redacted]"));
}

#[tokio::test]
async fn code_exchange_sends_redirect_uri_and_verifier() {
    let c = gitlab_client(
        BASE,
        "demo-confidential",
        ClientSecretBasic(ClientSecret::new("s")),
    );
    let req = c
        .authorization_code(RedirectUrl::parse("http://127.0.0.1:9876/phab?app=1").unwrap())
        .build()
        .unwrap();
    let (_, pending) = req.into_parts();
    let verifier = pending.pkce_verifier().secret().to_owned();
    let state = pending.state().secret().to_owned();
    let cb = url::Url::parse(&format!(
        "http://127.0.0.1:9876/phab?app=1&code=c%2Fd+e&state={state}"
    ))
    .unwrap();
    let exchange = c
        .exchange_code(pending.validate(&cb).unwrap())
        .http_request()
        .await
        .unwrap();
    assert_eq!(
        body(&exchange),
        format!(
            "grant_type=authorization_code&code=c%2Fd+e&redirect_uri=http%3A%2F%2F127.0.0.1%3A9876%2Fphab%3Fapp%3D1&code_verifier={verifier}"
        )
    );
    assert_eq!(decode_basic(&exchange), "demo-confidential:s");
}

#[tokio::test]
async fn discovery_refuses_plain_http_before_sending() {
    let e = Provider::discover("http://auth.example.com".parse().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e, oauth_sdk::Error::InsecureUrl { what: "issuer" }),
        "{e:?}"
    );
}

#[test]
fn token_expiry_is_absolute() {
    use std::time::SystemTime;
    let t = oauth_sdk::TokenResponse::parse(br#"{"access_token":"a","expires_in":120}"#).unwrap();
    let at = t.expires_at().unwrap();
    let now = SystemTime::now();
    assert!(at > now + Duration::from_secs(110) && at <= now + Duration::from_secs(120));
    assert!(!t.token().is_expired_within(Duration::from_secs(60)));
    assert!(t.token().is_expired_within(Duration::from_secs(121)));
    let forever = oauth_sdk::TokenResponse::parse(br#"{"access_token":"a"}"#).unwrap();
    assert!(
        !forever
            .token()
            .is_expired_within(Duration::from_secs(1_000_000))
    );
}

/// A user-supplied method, as a KMS-backed signer would be: it sees the
/// context and adds its own parameters and headers.
#[derive(Debug)]
struct KmsSigned;

#[async_trait::async_trait]
impl oauth_sdk::ClientAuth for KmsSigned {
    async fn authenticate(
        &self,
        ctx: &oauth_sdk::auth::AuthContext<'_>,
        req: &mut oauth_sdk::auth::AuthRequest,
    ) -> oauth_sdk::Result<()> {
        tokio::task::yield_now().await; // a remote signature would be awaited here
        req.add_param(
            "client_assertion_type",
            oauth_sdk::auth::JWT_BEARER_ASSERTION_TYPE,
        );
        req.add_param(
            "client_assertion",
            format!("signed-for-{}-at-{}", ctx.client_id(), ctx.audience()),
        );
        req.set_header(
            http::HeaderName::from_static("x-kms"),
            http::HeaderValue::from_static("1"),
        );
        Ok(())
    }
}

#[tokio::test]
async fn user_implemented_client_auth_is_used() {
    let c = gitlab_client(BASE, "app", KmsSigned);
    let req = c.client_credentials().http_request().await.unwrap();
    assert_eq!(
        body(&req),
        "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=signed-for-app-at-http%3A%2F%2F127.0.0.1%3A1%2Foauth%2Ftoken"
    );
    assert_eq!(req.headers()["x-kms"], "1");
}

#[test]
fn authorization_requests_carry_resource_indicators_and_user_parameters() {
    let c = gitlab_client(BASE, "demo-public", NoClientAuth);
    let cb = || RedirectUrl::parse("http://127.0.0.1:9876/callback").unwrap();
    let req = c
        .authorization_code(cb())
        .resource("https://api.example.com/")
        .resource("urn:example:calendar")
        .audience("billing")
        .prompt(Prompt::Consent)
        .login_hint("alice@example.com")
        .param("ui_locales", "de")
        .build()
        .unwrap();
    let q: Vec<(String, String)> = req.url().query_pairs().into_owned().collect();
    let all = |k: &str| -> Vec<&str> {
        q.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(
        all("resource"),
        ["https://api.example.com/", "urn:example:calendar"]
    );
    assert_eq!(all("audience"), ["billing"]);
    assert_eq!(all("prompt"), ["consent"]);
    assert_eq!(all("login_hint"), ["alice@example.com"]);
    assert_eq!(all("ui_locales"), ["de"]);
    assert_eq!(all("state").len(), 1);

    // The implicit flow takes the same parameters, and scopes() like the code flow.
    let (url, _) = gitlab_client(BASE, "demo-implicit", NoClientAuth)
        .implicit(cb())
        .scopes([Scope::new("api").unwrap(), Scope::new("read_user").unwrap()])
        .resource("https://api.example.com/")
        .build()
        .unwrap();
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(q.contains(&("scope".into(), "api read_user".into())));
    assert!(q.contains(&("resource".into(), "https://api.example.com/".into())));
}

#[tokio::test]
async fn token_requests_carry_resource_indicators() {
    let c = gitlab_client(BASE, "svc", ClientSecretPost(ClientSecret::new("s")));
    let req = c
        .client_credentials()
        .resource("https://api.example.com/")
        .audience("billing")
        .param("custom", "1")
        .http_request()
        .await
        .unwrap();
    assert_eq!(
        body(&req),
        "grant_type=client_credentials&resource=https%3A%2F%2Fapi.example.com%2F&audience=billing&custom=1&client_id=svc&client_secret=s"
    );
}

#[tokio::test]
async fn bad_extra_parameters_are_named_and_nothing_is_sent() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    let cb = || RedirectUrl::parse("http://127.0.0.1:9876/callback").unwrap();
    let invalid = |e: oauth_sdk::Error| match e {
        oauth_sdk::Error::InvalidParameter { name, reason } => (name, reason),
        other => panic!("expected InvalidParameter, got {other:?}"),
    };
    let (name, reason) = invalid(
        c.authorization_code(cb())
            .resource("https://api.example.com/#x")
            .build()
            .unwrap_err(),
    );
    assert_eq!(name, "resource");
    assert!(
        reason.contains("https://api.example.com/#x") && reason.contains("fragment"),
        "{reason}"
    );
    let (name, reason) = invalid(
        c.authorization_code(cb())
            .param("state", "mine")
            .build()
            .unwrap_err(),
    );
    assert_eq!(name, "state");
    assert!(reason.contains("set by the SDK"), "{reason}");
    let (name, _) = invalid(
        c.client_credentials()
            .param("grant_type", "password")
            .http_request()
            .await
            .unwrap_err(),
    );
    assert_eq!(name, "grant_type");
    let (name, reason) = invalid(
        c.client_credentials()
            .resource("api.example.com")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(name, "resource");
    assert!(reason.contains("absolute URI"), "{reason}");
}
