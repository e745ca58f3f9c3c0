//! Run with: `cargo run -p oauth-examples --example authorized_client [-- --issuer URL]`
//!
//! A token source plus the authorized client (token added, one retry on 401).
//! Prints `GET /api/v4/user -> 200 {...}` twice (the second from the cached token).
//! Exits non-zero on failure. The logic is [`oauth_examples::authorized_client`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::authorized_client).await
}
