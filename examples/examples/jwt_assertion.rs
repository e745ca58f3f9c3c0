//! Run with: `cargo run -p oauth-examples --example jwt_assertion [-- --issuer URL]`
//!
//! Segment-style client credentials with an RS256 `private_key_jwt` assertion
//! (`demo-jwt`, kid `demo-key-1`) at `/token`. Prints the token's lifetime and scopes.
//! Exits non-zero on failure. The logic is [`oauth_examples::jwt_assertion`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::jwt_assertion).await
}
