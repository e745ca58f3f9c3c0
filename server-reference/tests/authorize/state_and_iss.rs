//! `state` and `iss` in every authorization response and error redirect (B1–B3, A15–A17).

use crate::helpers::*;

#[tokio::test]
async fn state_is_echoed_byte_for_byte_and_absent_when_not_sent() {
    let server = TestServer::demo().await;
    let cb = authorize_code(
        &server,
        "demo-trusted",
        ALICE.0,
        ALICE.1,
        &[("state", STATE_ODD)],
    )
    .await;
    assert_eq!(cb.state().as_deref(), Some(STATE_ODD));
    let long = "x".repeat(2000);
    let cb = authorize_code(
        &server,
        "demo-trusted",
        ALICE.0,
        ALICE.1,
        &[("state", &long)],
    )
    .await;
    assert_eq!(cb.state(), Some(long));
    let cb = authorize_code(&server, "demo-trusted", ALICE.0, ALICE.1, &[]).await;
    assert_eq!(cb.state(), None);
    assert!(!cb.query_names().contains(&"state".to_owned()));
    assert!(cb.code().is_some());
    assert_eq!(cb.param("iss"), Some(issuer(&server)));
}

#[tokio::test]
async fn every_error_redirect_carries_state_and_iss_and_no_code() {
    let server = TestServer::demo().await;
    let base = [("redirect_uri", REDIRECT), ("state", STATE_ODD)];
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("client_id", "demo-confidential")], "invalid_request"),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "id_token"),
            ],
            "unsupported_response_type",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code token"),
            ],
            "unsupported_response_type",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("scope", "api admin"),
            ],
            "invalid_scope",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("scope", "a\"b"),
            ],
            "invalid_scope",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S512"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", &CHALLENGE[..42]),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", &"a".repeat(129)),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", &format!("{}+", &CHALLENGE[..42])),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
    ];
    for (params, error) in cases {
        let mut all = params.to_vec();
        all.extend_from_slice(&base);
        let page = fresh(&server, &all).await;
        assert_error_redirect(&server, &page, REDIRECT, error, Some(STATE_ODD), false);
        // Without state: no state comes back.
        let mut no_state = params.to_vec();
        no_state.push(("redirect_uri", REDIRECT));
        let page = fresh(&server, &no_state).await;
        assert_error_redirect(&server, &page, REDIRECT, error, None, false);
    }
}

#[tokio::test]
async fn implicit_errors_go_in_the_fragment() {
    let server = TestServer::demo().await;
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-implicit"),
            ("response_type", "token"),
            ("scope", "whoami"),
            ("state", "i"),
        ],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1:9876/implicit",
        "invalid_scope",
        Some("i"),
        true,
    );
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-confidential"),
            ("response_type", "token"),
            ("redirect_uri", REDIRECT),
            ("state", "i"),
        ],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        REDIRECT,
        "unauthorized_client",
        Some("i"),
        true,
    );
    // A client with only the implicit grant cannot ask for a code.
    let page = fresh(
        &server,
        &[("client_id", "demo-implicit"), ("response_type", "code")],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1:9876/implicit",
        "unauthorized_client",
        None,
        false,
    );
}
