//! Strict callback validation for the code and implicit flows.

mod support;

use oauth_sdk::{
    Client, ClientId, Error, ErrorCode, NoClientAuth, PendingAuthorization, ProtocolViolation,
    Provider, RedirectUrl,
};
use support::*;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BASE: &str = "http://127.0.0.1:1";
const CB: &str = "http://127.0.0.1:9876/callback";

fn pending(client: &Client) -> PendingAuthorization {
    client
        .authorization_code(RedirectUrl::parse(CB).unwrap())
        .build()
        .unwrap()
        .into_parts()
        .1
}

/// The same pending authorization again, rebuilt from its parts as an
/// application with a session store would (it is not `Clone`).
fn again(client: &Client, p: &PendingAuthorization) -> PendingAuthorization {
    PendingAuthorization::from_parts(
        client,
        p.state().clone(),
        p.pkce_verifier().clone(),
        p.redirect_url().clone(),
    )
}

fn cb(query: &str) -> Url {
    Url::parse(&format!("{CB}?{query}")).unwrap()
}

fn violation(r: Result<oauth_sdk::AuthorizationCallback, Error>) -> ProtocolViolation {
    match r {
        Err(Error::Protocol(v)) => v,
        other => panic!("expected a protocol violation, got {other:?}"),
    }
}

#[test]
fn good_callback_yields_code() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    let p = pending(&c);
    let url = cb(&format!(
        "code=abc&state={}&iss={}",
        p.state().secret(),
        "http%3A%2F%2F127.0.0.1%3A1"
    ));
    assert_eq!(p.validate(&url).unwrap().code().secret(), "abc");
}

#[test]
fn missing_state_fails() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    assert_eq!(
        violation(pending(&c).validate(&cb("code=abc"))),
        ProtocolViolation::MissingState
    );
}

#[test]
fn wrong_state_fails_even_as_a_prefix() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    let p = pending(&c);
    let truncated = &p.state().secret()[..10];
    assert_eq!(
        violation(again(&c, &p).validate(&cb(&format!("code=abc&state={truncated}")))),
        ProtocolViolation::StateMismatch
    );
    assert_eq!(
        violation(p.validate(&cb("code=abc&state=attacker"))),
        ProtocolViolation::StateMismatch
    );
}

#[test]
fn wrong_iss_fails() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    let p = pending(&c);
    let url = cb(&format!(
        "code=abc&state={}&iss=https%3A%2F%2Fevil.example",
        p.state().secret()
    ));
    assert_eq!(
        violation(p.validate(&url)),
        ProtocolViolation::IssuerMismatch
    );
}

#[test]
fn iss_required_when_provider_supports_it() {
    let p = Provider::gitlab(&BASE.parse().unwrap())
        .unwrap()
        .with_iss_parameter_supported(true);
    let c = Client::builder(p, ClientId::new("c")).build().unwrap();
    let pend = pending(&c);
    let url = cb(&format!("code=abc&state={}", pend.state().secret()));
    assert_eq!(
        violation(pend.validate(&url)),
        ProtocolViolation::MissingIssuer
    );
}

#[test]
fn iss_present_but_issuer_unknown_is_refused() {
    let p = Provider::new("http://127.0.0.1:1/token".parse().unwrap())
        .with_authorization_endpoint("http://127.0.0.1:1/authorize".parse().unwrap());
    let c = Client::builder(p, ClientId::new("c")).build().unwrap();
    let pend = pending(&c);
    let url = cb(&format!("code=abc&state={}&iss=x", pend.state().secret()));
    let v = violation(pend.validate(&url));
    assert_eq!(v, ProtocolViolation::IssuerNotConfigured);
    assert!(v.to_string().contains("Provider::with_issuer"), "{v}");
}

#[test]
fn error_callback_becomes_oauth_error_after_state_check() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    let p = pending(&c);
    let url = cb(&format!(
        "error=access_denied&error_description=User+said+no&state={}",
        p.state().secret()
    ));
    match p.validate(&url) {
        Err(Error::OAuth {
            code: ErrorCode::AccessDenied,
            description,
            ..
        }) => assert_eq!(description.as_deref(), Some("User said no")),
        other => panic!("{other:?}"),
    }
    // An error with a forged state is a CSRF attempt, not an OAuth error.
    let p = pending(&c);
    assert_eq!(
        violation(p.validate(&cb("error=access_denied&state=forged"))),
        ProtocolViolation::StateMismatch
    );
}

#[test]
fn repeated_parameters_missing_code_and_foreign_redirect_fail() {
    let c = gitlab_client(BASE, "c", NoClientAuth);
    let p = pending(&c);
    let s = p.state().secret().to_owned();
    assert_eq!(
        violation(again(&c, &p).validate(&cb(&format!("code=a&code=b&state={s}")))),
        ProtocolViolation::RepeatedParameter("code".into())
    );
    assert_eq!(
        violation(again(&c, &p).validate(&cb(&format!("state={s}")))),
        ProtocolViolation::MissingParameter("code")
    );
    let foreign = Url::parse(&format!("http://127.0.0.1:9876/other?code=a&state={s}")).unwrap();
    assert_eq!(
        violation(p.validate(&foreign)),
        ProtocolViolation::RedirectUriMismatch
    );
}

#[test]
fn implicit_fragment_is_parsed_with_same_checks() {
    let c = gitlab_client(BASE, "demo-implicit", NoClientAuth);
    let redirect = RedirectUrl::parse("http://127.0.0.1:9876/implicit").unwrap();
    let (_, pend) = c.implicit(redirect.clone()).build().unwrap();
    let s = pend.state().secret().to_owned();
    let url = Url::parse(&format!(
        "http://127.0.0.1:9876/implicit#access_token=at&token_type=bearer&expires_in=7200&state={s}&refresh_token=nope"
    ))
    .unwrap();
    let t = pend.clone().validate(&url).unwrap();
    assert_eq!(t.access_token().secret(), "at");
    assert_eq!(t.expires_in(), Some(std::time::Duration::from_secs(7200)));
    assert!(
        t.refresh_token().is_none(),
        "implicit never yields a refresh token"
    );

    let no_state = Url::parse("http://127.0.0.1:9876/implicit#access_token=at").unwrap();
    assert!(matches!(
        pend.clone().validate(&no_state),
        Err(Error::Protocol(ProtocolViolation::MissingState))
    ));
    // Parameters in the query instead of the fragment are not read.
    let in_query = Url::parse(&format!(
        "http://127.0.0.1:9876/implicit?access_token=at&state={s}"
    ))
    .unwrap();
    assert!(matches!(
        pend.clone().validate(&in_query),
        Err(Error::Protocol(ProtocolViolation::MissingState))
    ));
    // An error in the query (a common server mistake) is reported as that error,
    // after the state check, rather than as a missing state.
    let (_, again) = c.implicit(redirect.clone()).build().unwrap();
    let query_error = Url::parse(&format!(
        "http://127.0.0.1:9876/implicit?error=access_denied&state={}",
        again.state().secret()
    ))
    .unwrap();
    assert_eq!(
        again
            .clone()
            .validate(&query_error)
            .unwrap_err()
            .oauth_code(),
        Some(&ErrorCode::AccessDenied)
    );
    let forged =
        Url::parse("http://127.0.0.1:9876/implicit?error=access_denied&state=forged").unwrap();
    assert!(matches!(
        again.validate(&forged),
        Err(Error::Protocol(ProtocolViolation::StateMismatch))
    ));
    let err = Url::parse(&format!(
        "http://127.0.0.1:9876/implicit#error=unauthorized_client&state={s}"
    ))
    .unwrap();
    assert_eq!(
        pend.validate(&err).unwrap_err().oauth_code(),
        Some(&ErrorCode::UnauthorizedClient)
    );
}

/// An authorization endpoint that answers with a redirect carrying whatever
/// `state` it likes (here: a different one, then none).
async fn misbehaving_authorize(
    state: Option<&'static str>,
) -> Result<oauth_sdk::AuthorizationCallback, Error> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/oauth/authorize"))
        .respond_with(move |req: &Request| {
            let redirect = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "redirect_uri")
                .unwrap()
                .1
                .into_owned();
            let loc = match state {
                Some(s) => format!("{redirect}?code=c0de&state={s}"),
                None => format!("{redirect}?code=c0de"),
            };
            ResponseTemplate::new(302).insert_header("Location", loc)
        })
        .mount(&server)
        .await;
    let c = gitlab_client(&server.uri(), "c", NoClientAuth);
    let (url, pend) = c
        .authorization_code(RedirectUrl::parse(CB).unwrap())
        .build()
        .unwrap()
        .into_parts();
    let ua = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = ua.get(url.as_str()).send().await.unwrap();
    let location = Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    pend.validate(&location)
}

#[tokio::test]
async fn server_redirecting_with_wrong_or_missing_state_is_refused() {
    assert!(matches!(
        misbehaving_authorize(Some("not-yours")).await,
        Err(Error::Protocol(ProtocolViolation::StateMismatch))
    ));
    assert!(matches!(
        misbehaving_authorize(None).await,
        Err(Error::Protocol(ProtocolViolation::MissingState))
    ));
}
