//! Run with: `cargo run -p oauth-examples --example implicit [-- --issuer URL]`
//!
//! Implicit grant (token in the fragment), then token info. Prints the token's
//! lifetime and the application it was issued to (`demo-implicit`).
//! Exits non-zero on failure. The logic is [`oauth_examples::implicit`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::implicit).await
}
