//! Run with: `cargo run -p oauth-examples --example hub_services [-- --issuer URL]`
//!
//! JetBrains Hub service registration as `admin@example.com`: prints the new
//! service id, the token type obtained by client credentials with the secret
//! returned once at registration, and the service's `trusted` flag once set.
//! Exits non-zero on failure. The logic is [`oauth_examples::hub_services`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::hub_services).await
}
