//! Run with: `cargo run -p oauth-examples --example revocation [-- --issuer URL]`
//!
//! Revokes a token (RFC 7009), then shows token info refusing it. Prints `revoked`
//! and the error token info gives.
//! Exits non-zero on failure. The logic is [`oauth_examples::revocation`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::revocation).await
}
