//! Runs every example against a fresh embedded reference server.
//!
//! Each example file is compiled here as a module and its `run` called, so
//! the test runs exactly the code a reader sees (its one-line `main` is not
//! used here).

use oauth_examples::Target;

macro_rules! examples {
    ($($name:ident: $file:literal),* $(,)?) => {$(
        #[allow(dead_code)]
        #[path = $file]
        pub mod $name;

        #[tokio::test]
        async fn $name() {
            let t = Target::embedded().await.unwrap();
            $name::run(t).await.unwrap();
        }
    )*};
}

examples!(
    discovery: "../examples/discovery.rs",
    authorization_code: "../examples/authorization_code.rs",
    implicit: "../examples/implicit.rs",
    password: "../examples/password.rs",
    client_credentials: "../examples/client_credentials.rs",
    extra_parameters: "../examples/extra_parameters.rs",
    refresh: "../examples/refresh.rs",
    jwt_assertion: "../examples/jwt_assertion.rs",
    revocation: "../examples/revocation.rs",
    token_info: "../examples/token_info.rs",
    authorized_client: "../examples/authorized_client.rs",
    tenant_oauth_clients: "../examples/tenant_oauth_clients.rs",
    hub_services: "../examples/hub_services.rs",
    segment_oauth_apps: "../examples/segment_oauth_apps.rs",
);

/// A server given by `--issuer`, with these flags: the examples must take
/// their credentials from them, never from the demo fixture.
async fn given(server: &Target, flags: &[&str]) -> Target {
    let mut args = vec!["--issuer".to_owned(), server.issuer().to_string()];
    args.extend(flags.iter().map(|f| f.to_string()));
    Target::parse(args, |_| None).await.unwrap()
}

#[tokio::test]
async fn a_given_issuer_is_used_with_the_given_client_only() {
    let server = Target::embedded().await.unwrap();
    let other_client = [
        "--client-id",
        "demo-confidential-2",
        "--client-secret",
        "demo-confidential-2-secret",
    ];
    client_credentials::run(given(&server, &other_client).await)
        .await
        .unwrap();

    let wrong_secret = ["--client-id", "demo-confidential", "--client-secret", "x"];
    let err = client_credentials::run(given(&server, &wrong_secret).await)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid_client"), "{err}");

    let err = client_credentials::run(given(&server, &[]).await)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--client-id") && err.contains("OAUTH_CLIENT_ID"),
        "{err}"
    );
}

#[tokio::test]
async fn discovery_of_a_given_issuer_needs_no_credentials() {
    let server = Target::embedded().await.unwrap();
    discovery::run(given(&server, &[]).await).await.unwrap();
}
