//! Run with: `cargo run -p oauth-examples --example client_credentials [-- --issuer URL]`
//!
//! Client credentials for `demo-confidential`. Prints the token type and lifetime.
//! Exits non-zero on failure. The logic is [`oauth_examples::client_credentials`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::client_credentials).await
}
