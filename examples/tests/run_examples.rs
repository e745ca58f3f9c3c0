//! Runs every example's logic against a fresh embedded reference server.

use oauth_examples::Target;

macro_rules! run {
    ($($name:ident),*) => {$(
        #[tokio::test]
        async fn $name() {
            let t = Target::embedded().await.unwrap();
            oauth_examples::$name(t).await.unwrap();
        }
    )*};
}

run!(
    authorization_code,
    implicit,
    password,
    client_credentials,
    refresh,
    jwt_assertion,
    revocation,
    token_info,
    authorized_client,
    tenant_oauth_clients,
    hub_services,
    segment_oauth_apps
);
