//! Run with: `cargo run -p oauth-examples --example tenant_oauth_clients [-- --issuer URL]`
//!
//! elastic.io tenant OAuth clients as `admin@example.com` in `demo-tenant`:
//! prints the created record, the `filter[component]` count, the secret
//! rotation, the refused duplicate (409) and the deletion. Exits non-zero on
//! failure. The logic is [`oauth_examples::tenant_oauth_clients`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::tenant_oauth_clients).await
}
