//! Bad input gets a clear answer, never a 500.

use crate::helpers::*;

#[tokio::test]
async fn malformed_requests_get_an_error_never_a_500() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    for path in [
        "/oauth/authorize?%zz=%ff%fe&client_id=demo-trusted&response_type=code",
        "/oauth/authorize?client_id=%00&response_type=code",
        "/oauth/authorize?client_id=demo-trusted&redirect_uri=%ff&response_type=code",
        "/oauth/authorize/resume?request_id=nope",
        "/oauth/authorize/resume?request_id=a&request_id=b",
        "/oauth/login?next=a&next=b",
    ] {
        let page = b.get(path).await;
        assert!(
            page.status.is_client_error() || page.status.is_redirection(),
            "{path}: {page:?}"
        );
    }
    let resp = server
        .http
        .post(server.url("/oauth/authorize"))
        .header("Content-Type", "application/json")
        .body("{\"client_id\":\"demo-trusted\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    let big = format!(
        "client_id=demo-trusted&response_type=code&state={}",
        "x".repeat(100_000)
    );
    let resp = server
        .http
        .post(server.url("/oauth/authorize"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for (path, form) in [
        (
            "/oauth/login",
            "username=%ff&password=&csrf_token=&csrf_token=",
        ),
        ("/oauth/authorize/decision", "decision=maybe"),
    ] {
        let resp = server
            .http
            .post(server.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{path}: {}", resp.status());
    }
}
