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

/// The checks of callback validation, in the order it makes them
/// (sdk/src/flows/callback.rs), then what the flow does after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Branch {
    /// The callback is not our redirect URI.
    OtherRedirect,
    /// A parameter appears twice (RFC 6749 §3.1).
    Repeated,
    /// No `state`.
    MissingState,
    /// Another `state`.
    OtherState,
    /// Right `state`, another `iss` (RFC 9207 §2.4).
    OtherIssuer,
    /// Right `state` and `iss` (or none), with `error`: the server's error.
    ServerError,
    /// Every check passed, but neither `code` (code flow) nor `access_token`
    /// (implicit) is there.
    NoResult,
    /// Every check passed: the code or the token is returned.
    Accepted,
}

const BRANCHES: [Branch; 8] = [
    Branch::OtherRedirect,
    Branch::Repeated,
    Branch::MissingState,
    Branch::OtherState,
    Branch::OtherIssuer,
    Branch::ServerError,
    Branch::NoResult,
    Branch::Accepted,
];

/// One generated callback: the branch it is built to reach and its parts.
#[derive(Clone, Debug)]
struct CallbackCase {
    branch: Branch,
    /// Parameters no check looks at, with any values.
    noise: Vec<(String, String)>,
    /// Any text: a wrong state, a wrong iss, an error code, a code or a token.
    value: String,
    /// Whether the right `iss` is sent where it may be.
    with_iss: bool,
}

fn callback_case() -> impl Strategy<Value = CallbackCase> {
    (
        proptest::sample::select(BRANCHES.to_vec()),
        proptest::collection::vec(
            (
                prop_oneof![
                    "x",
                    "extra",
                    "session_state",
                    "error_uri",
                    "error_description"
                ],
                "\\PC{0,20}",
            ),
            0..4,
        ),
        "\\PC{1,30}",
        any::<bool>(),
    )
        .prop_map(|(branch, noise, value, with_iss)| CallbackCase {
            branch,
            noise: noise.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            value,
            with_iss,
        })
}

const ISSUER: &str = "http://127.0.0.1:1";

impl CallbackCase {
    /// The parameters for a callback whose expected `state` is `state`; the
    /// result parameter is `result` (`code` or `access_token`).
    fn params(&self, state: &str, result: &str) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        match self.branch {
            Branch::MissingState => {}
            Branch::OtherState => p.push(pair("state", &format!("not-{}", self.value))),
            _ => p.push(pair("state", state)),
        }
        match self.branch {
            Branch::OtherIssuer => {
                p.push(pair("iss", &format!("http://other.example/{}", self.value)))
            }
            _ if self.with_iss => p.push(pair("iss", ISSUER)),
            _ => {}
        }
        // Noise never shadows a checked name, so only `Repeated` repeats one.
        let mut names = std::collections::HashSet::new();
        for (k, v) in &self.noise {
            if names.insert(k.as_str()) {
                p.push((k.clone(), v.clone()));
            }
        }
        match self.branch {
            Branch::Repeated => {
                let name = self.noise.first().map_or("state", |(k, _)| k.as_str());
                p.push(pair(name, &self.value));
                if name != "state" {
                    p.retain(|(k, _)| k != name);
                    p.push(pair(name, "1"));
                    p.push(pair(name, &self.value));
                }
            }
            Branch::ServerError => p.push(pair("error", &self.value)),
            Branch::NoResult => {}
            _ => {
                p.push(pair(result, &self.value));
                if result == "access_token" {
                    p.push(pair("token_type", "bearer"));
                }
            }
        }
        p
    }

    fn url(&self, params: &[(String, String)], in_fragment: bool) -> Url {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let base = if self.branch == Branch::OtherRedirect {
            "http://127.0.0.1:9876/elsewhere"
        } else {
            CB
        };
        let sep = if in_fragment { '#' } else { '?' };
        Url::parse(&format!("{base}{sep}{encoded}")).unwrap()
    }
}

/// Which branch an outcome shows; `value` is what an accepted callback must carry.
fn reached(outcome: Result<String, Error>, value: &str) -> Result<Branch, String> {
    use oauth_sdk::ProtocolViolation as V;
    Ok(match outcome {
        Err(Error::Protocol(V::RedirectUriMismatch)) => Branch::OtherRedirect,
        Err(Error::Protocol(V::RepeatedParameter(_))) => Branch::Repeated,
        Err(Error::Protocol(V::MissingState)) => Branch::MissingState,
        Err(Error::Protocol(V::StateMismatch)) => Branch::OtherState,
        Err(Error::Protocol(V::IssuerMismatch)) => Branch::OtherIssuer,
        Err(Error::OAuth { .. }) => Branch::ServerError,
        Err(Error::Protocol(V::MissingParameter(_))) => Branch::NoResult,
        Ok(got) if got == value => Branch::Accepted,
        other => return Err(format!("unexpected outcome {other:?}")),
    })
}

/// Every generated callback reaches the branch it was built for, in both
/// flows (the code flow reads the query, the implicit flow the fragment), and
/// every branch is reached by many cases: the counts prove no branch is starved
/// by an earlier check, as half the cases once were.
#[test]
fn each_callback_case_reaches_the_branch_it_names() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits: [AtomicUsize; BRANCHES.len()] = Default::default();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    });
    runner
        .run(&callback_case(), |case| {
            let c = client();
            let pend = c
                .authorization_code(RedirectUrl::parse(CB).unwrap())
                .build()
                .unwrap()
                .into_parts()
                .1;
            let url = case.url(&case.params(pend.state().secret(), "code"), false);
            let code = pend.validate(&url).map(|cb| cb.code().secret().to_owned());
            prop_assert_eq!(
                reached(code, &case.value),
                Ok(case.branch),
                "code flow, {}",
                url
            );

            let (_, imp) = c.implicit(RedirectUrl::parse(CB).unwrap()).build().unwrap();
            let url = case.url(&case.params(imp.state().secret(), "access_token"), true);
            let token = imp
                .validate(&url)
                .map(|t| t.access_token().secret().to_owned());
            prop_assert_eq!(
                reached(token, &case.value),
                Ok(case.branch),
                "implicit, {}",
                url
            );

            hits[BRANCHES.iter().position(|b| *b == case.branch).unwrap()]
                .fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
    let counts: Vec<usize> = hits.iter().map(|h| h.load(Ordering::Relaxed)).collect();
    assert_eq!(
        counts.iter().sum::<usize>(),
        512,
        "every case counted: {counts:?}"
    );
    for (branch, n) in BRANCHES.iter().zip(&counts) {
        // 512 cases over 8 branches: 64 expected each; 20 is far below chance.
        assert!(*n >= 20, "{branch:?} reached by only {n} cases: {counts:?}");
    }
}

proptest! {
    /// Arbitrary text after our redirect URI, as query or fragment, never
    /// panics either flow (the directed cases are in
    /// `each_callback_case_reaches_the_branch_it_names`).
    #[test]
    fn callback_parsing_never_panics(raw in "[a-z=&%0-9+#?]{0,60}") {
        let c = client();
        let pend = c.authorization_code(RedirectUrl::parse(CB).unwrap()).build().unwrap().into_parts().1;
        let _ = pend.validate(&Url::parse(&format!("{CB}?{raw}")).unwrap());
        let (_, imp) = c.implicit(RedirectUrl::parse(CB).unwrap()).build().unwrap();
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
