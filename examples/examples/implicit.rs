//! Run with: `cargo run -p oauth-examples --example implicit`
//!
//! Against another GitLab-style server:
//! `cargo run -p oauth-examples --example implicit -- --issuer URL
//! --client-id ID --username NAME --password PASSWORD [--redirect-uri URI]`
//! (or the `OAUTH_*` variables of the same names); the example fills a plain
//! HTML login form as that user.
//!
//! Implicit grant (RFC 6749 §4.2): the token comes back in the redirect's
//! fragment, then token info says whom it was issued to. RFC 9700 §2.1.2
//! advises against this grant: prefer the code flow with PKCE. Prints the
//! token's lifetime and its application. Exits non-zero on failure.

use oauth_examples::{Outcome, Target, browser::Browser};
use oauth_sdk::{Client, ClientId, Provider, RedirectUrl, Scope};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let provider = Provider::gitlab(t.issuer())?;
    let client_id = ClientId::new(t.credential("client-id", "demo-implicit")?);
    let client = Client::builder(provider, client_id.clone()).build()?;

    let redirect = t.option("redirect-uri", "http://127.0.0.1:9876/implicit");
    let (url, pending) = client
        .implicit(RedirectUrl::parse(&redirect)?)
        .scope(Scope::new("read_user")?)
        .build()?;
    let user = t.credential("username", "alice")?;
    let password = t.credential("password", "alice-password")?;
    // Where a browser would land; the fragment never reaches a server.
    let callback = Browser::new(&user, &password)?
        .authorize(&url, &redirect)
        .await?;

    let token = pending.validate(&callback)?;
    println!(
        "token from the fragment, expires in {:?}",
        token.expires_in()
    );
    let info = client.token_info(token.access_token()).send().await?;
    let app = info.application_uid.as_ref();
    println!(
        "token info: issued to application {:?}",
        app.map(ClientId::as_str)
    );
    if app != Some(&client_id) {
        return Err("the token belongs to another application".into());
    }
    Ok(())
}
