//! Run with: `cargo run -p oauth-examples --example authorization_code [-- --issuer URL]`
//!
//! Authorization code + PKCE through a loopback listener (RFC 8252), the example
//! playing alice's browser. Prints the redirect URI, the browser page status,
//! the token's lifetime and `GET /api/v4/user -> 200 {...}`.
//! Exits non-zero on failure. The logic is [`oauth_examples::authorization_code`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::authorization_code).await
}
