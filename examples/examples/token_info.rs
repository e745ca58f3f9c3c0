//! Run with: `cargo run -p oauth-examples --example token_info [-- --issuer URL]`
//!
//! Doorkeeper token info. Prints the application, scopes and remaining lifetime.
//! Exits non-zero on failure. The logic is [`oauth_examples::token_info`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::token_info).await
}
