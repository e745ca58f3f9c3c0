//! Property tests for the parsers: callback URLs, token and error responses.
//! They never panic, and they read back what they build.

mod support;

use std::time::Duration;

use oauth_sdk::{Error, ErrorCode, NoClientAuth, RedirectUrl, TokenResponse, TokenType};
use proptest::prelude::*;
use support::*;
use url::Url;

const CB: &str = "http://127.0.0.1:9876/callback";

/// Built once: creating the HTTP stack per case would dominate the run time.
static CLIENT: std::sync::LazyLock<oauth_sdk::Client> =
    std::sync::LazyLock::new(|| gitlab_client("http://127.0.0.1:1", "c", NoClientAuth));

fn client() -> oauth_sdk::Client {
    CLIENT.clone()
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

proptest! {
    /// Callbacks on our redirect URI, usually with the right `state`, so that
    /// most cases get past the state check into `iss`, `error` and `code`
    /// handling; then an arbitrary query and fragment.
    #[test]
    fn callback_parsing_never_panics(
        params in proptest::collection::vec(
            (prop_oneof!["code", "state", "iss", "error", "error_description", "error_uri", "access_token", "x"], "\\PC{0,20}"),
            0..6,
        ),
        with_state in proptest::bool::weighted(0.8),
        raw in "[a-z=&%0-9+#?]{0,60}",
    ) {
        let c = client();
        let new_pending = || c.authorization_code(RedirectUrl::parse(CB).unwrap()).build().unwrap().into_parts().1;
        let query = |state: &str| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            if with_state {
                q.append_pair("state", state);
            }
            for (k, v) in &params {
                q.append_pair(k, v);
            }
            q.finish()
        };
        let pend = new_pending();
        let url = Url::parse(&format!("{CB}?{}", query(pend.state().secret()))).unwrap();
        let _ = pend.validate(&url);
        let pend = new_pending();
        let _ = pend.validate(&Url::parse(&format!("{CB}?{raw}")).unwrap());

        let (_, imp) = c.implicit(RedirectUrl::parse(CB).unwrap()).build().unwrap();
        let state = imp.state().secret().to_owned();
        let _ = imp.clone().validate(&Url::parse(&format!("{CB}#{}", query(&state))).unwrap());
        let _ = imp.clone().validate(&Url::parse(&format!("{CB}?{}", query(&state))).unwrap());
        let _ = imp.validate(&Url::parse(&format!("{CB}#{raw}")).unwrap());
    }

    #[test]
    fn callback_round_trips_any_code(code in "\\PC{1,80}", extra in proptest::option::of("\\PC{0,20}")) {
        let c = client();
        let pend = c.authorization_code(RedirectUrl::parse(CB).unwrap()).build().unwrap().into_parts().1;
        let mut url = Url::parse(CB).unwrap();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("code", &code).append_pair("state", pend.state().secret());
            if let Some(e) = &extra {
                q.append_pair("extra", e);
            }
            q.append_pair("iss", "http://127.0.0.1:1");
        }
        let got = pend.validate(&url).unwrap();
        prop_assert_eq!(got.code().secret(), code.as_str());
    }

    #[test]
    fn implicit_fragment_round_trips(token in "\\PC{1,60}", expires in 0u32..10_000_000) {
        let c = client();
        let (_, pend) = c.implicit(RedirectUrl::parse(CB).unwrap()).build().unwrap();
        let frag: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("access_token", &token)
            .append_pair("token_type", "bearer")
            .append_pair("expires_in", &expires.to_string())
            .append_pair("state", pend.state().secret())
            .finish();
        let url = Url::parse(&format!("{CB}#{frag}")).unwrap();
        let t = pend.validate(&url).unwrap();
        prop_assert_eq!(t.access_token().secret(), token.as_str());
        prop_assert_eq!(t.expires_in(), Some(Duration::from_secs(expires.into())));
    }

    #[test]
    fn token_parsing_never_panics_on_bytes(body in proptest::collection::vec(any::<u8>(), 0..300), status in 100u16..600) {
        let _ = TokenResponse::from_http(&response(status, &String::from_utf8_lossy(&body)));
        let _ = TokenResponse::parse(&body);
        let _ = oauth_sdk::Introspection::parse(&body);
        let _ = oauth_sdk::TokenInfo::parse(&body);
    }

    #[test]
    fn token_parsing_never_panics_on_json(v in arb_json()) {
        let body = serde_json::to_vec(&serde_json::json!({
            "access_token": v.clone(), "token_type": v.clone(), "expires_in": v.clone(),
            "refresh_token": v.clone(), "scope": v.clone(), "error": v.clone(),
        })).unwrap();
        let _ = TokenResponse::parse(&body);
        let _ = oauth_sdk::Introspection::parse(&body);
        let _ = oauth_sdk::TokenInfo::parse(&body);
    }

    #[test]
    fn token_response_round_trips(
        access in "\\PC{1,60}",
        ttype in prop_oneof![Just("Bearer"), Just("bearer"), Just("BEARER"), Just("")],
        expires in proptest::option::of(0u32..100_000_000),
        as_string in any::<bool>(),
        refresh in proptest::option::of("\\PC{1,40}"),
        scopes in proptest::collection::vec("[a-z_:]{1,12}", 0..4),
    ) {
        let mut obj = serde_json::Map::new();
        obj.insert("access_token".into(), access.clone().into());
        if !ttype.is_empty() { obj.insert("token_type".into(), ttype.into()); }
        if let Some(e) = expires {
            obj.insert("expires_in".into(), if as_string { e.to_string().into() } else { e.into() });
        }
        if let Some(r) = &refresh { obj.insert("refresh_token".into(), r.clone().into()); }
        if !scopes.is_empty() { obj.insert("scope".into(), scopes.join(" ").into()); }
        let t = TokenResponse::from_http(&response(200, &serde_json::Value::Object(obj).to_string())).unwrap();
        prop_assert_eq!(t.access_token().secret(), access.as_str());
        prop_assert_eq!(t.token_type(), &TokenType::Bearer);
        prop_assert_eq!(t.expires_in(), expires.map(|e| Duration::from_secs(e.into())));
        prop_assert_eq!(t.expires_at().is_some(), expires.is_some());
        prop_assert_eq!(t.refresh_token().map(|r| r.secret().to_owned()), refresh);
        let got: Vec<String> = t.scopes().unwrap_or_default().iter().map(|s| s.as_str().to_owned()).collect();
        prop_assert_eq!(got, scopes);
    }

    #[test]
    fn error_response_round_trips_with_any_status(
        code in "[a-z_]{1,30}",
        desc in proptest::option::of("\\PC{0,60}"),
        uri in proptest::option::of("https://[a-z]{1,10}\\.example/[a-z]{0,10}"),
        status in prop_oneof![Just(200u16), Just(400), Just(401), Just(403), Just(500)],
    ) {
        let mut obj = serde_json::json!({"error": code});
        if let Some(d) = &desc { obj["error_description"] = d.clone().into(); }
        if let Some(u) = &uri { obj["error_uri"] = u.clone().into(); }
        match TokenResponse::from_http(&response(status, &obj.to_string())) {
            Err(Error::OAuth { code: c, description, uri: u, retry_after: None }) => {
                prop_assert_eq!(c, ErrorCode::parse(&code));
                prop_assert_eq!(description, desc);
                prop_assert_eq!(u, uri);
            }
            other => prop_assert!(false, "expected OAuth error, got {:?}", other),
        }
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::hash_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
