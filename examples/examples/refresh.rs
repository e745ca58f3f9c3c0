//! Run with: `cargo run -p oauth-examples --example refresh [-- --issuer URL]`
//!
//! Refresh with rotation, then a token source on the rotated-out refresh token.
//! Prints `refresh token rotated: true` and `re-authorization required`.
//! Exits non-zero on failure. The logic is [`oauth_examples::refresh`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::refresh).await
}
