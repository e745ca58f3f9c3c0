//! Run with: `cargo run -p oauth-examples --example segment_oauth_apps [-- --issuer URL]`
//!
//! Segment OAuth apps as `admin@example.com` in `demo-tenant`: prints the
//! created app and key ids, the `expires_in` of a token obtained as the app
//! with `private_key_jwt`, the `/v1/track` status without and with the token
//! once `demo-source` enforces OAuth (401, 200), the same after revoking the
//! token (401), the refused deletion of a connected app (409) and the clean-up.
//! Exits non-zero on failure. The logic is [`oauth_examples::segment_oauth_apps`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main_with(oauth_examples::segment_oauth_apps).await
}
