//! Run with: `cargo run -p oauth-examples --example password [-- --issuer URL]`
//!
//! Resource owner password credentials as alice. Prints the token's lifetime
//! and `GET /api/v4/user -> 200 {...}`.
//! Exits non-zero on failure. The logic is [`oauth_examples::password`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::password).await
}
