//! No 500 and no non-JSON error for garbage at the token, revocation and
//! introspection endpoints: random form bodies and Authorization headers.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestRunner};
use support::{TestServer, client};

const RFC_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "unsupported_token_type",
];

const NAMES: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "code_verifier",
    "refresh_token",
    "username",
    "password",
    "scope",
    "assertion",
    "token",
    "token_type_hint",
];

const VALUES: &[&str] = &[
    "authorization_code",
    "password",
    "client_credentials",
    "refresh_token",
    "token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    "demo-confidential",
    "demo-public",
    "demo-jwt",
    "alice",
    "bob",
    "api",
    "eyJhbGciOiJub25lIn0.e30.",
    "a.b.c",
    "%",
    "%zz",
    "",
];

fn field() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        proptest::sample::select(NAMES).prop_map(str::to_owned),
        "[a-z_%=&+]{0,8}",
    ];
    let value = prop_oneof![
        proptest::sample::select(VALUES).prop_map(str::to_owned),
        "\\PC{0,40}",
        "[%&=+a-zA-Z0-9._~-]{0,60}",
    ];
    (name, value).prop_map(|(n, v)| format!("{n}={v}"))
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::collection::vec(field(), 0..8).prop_map(|f| f.join("&").into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..200),
    ]
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        "Basic [A-Za-z0-9+/=]{0,40}",
        Just("Basic ZGVtby1jb25maWRlbnRpYWw6eA==".to_owned()),
        "[ -~]{0,30}",
    ])
}

#[test]
fn garbage_never_gets_a_500_or_a_non_json_error() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ts = rt.block_on(TestServer::demo());
    let http = client();
    const PATHS: &[&str] = &[
        "/oauth/token",
        "/oauthserver/token/",
        "/oauth/revoke",
        "/oauth/introspect",
    ];
    let mut runner = TestRunner::new(PropConfig {
        cases: 300,
        ..PropConfig::default()
    });
    let strategy = (proptest::sample::select(PATHS), body(), authorization());
    runner
        .run(&strategy, |(path, body, auth)| {
            let (status, text) = rt.block_on(async {
                let mut req = http
                    .post(ts.url(path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body);
                if let Some(a) = auth
                    && let Ok(v) = reqwest::header::HeaderValue::from_str(&a)
                {
                    req = req.header("authorization", v);
                }
                let resp = req.send().await.unwrap();
                (resp.status().as_u16(), resp.text().await.unwrap())
            });
            if path.contains("token") {
                prop_assert!([400, 401, 413].contains(&status), "{path} {status} {text}");
            } else {
                prop_assert!(status < 500, "{path} {status} {text}");
            }
            if status != 200 {
                let v: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {text}")))?;
                let code = v["error"].as_str().unwrap_or_default();
                prop_assert!(RFC_ERRORS.contains(&code), "{text}");
            }
            Ok(())
        })
        .unwrap();
}
