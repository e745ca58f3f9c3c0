//! Pushed authorization requests (RFC 9126).

use std::time::Duration;

use cucumber::{given, then, when};

use crate::parameters::{AuthMode, ClientRole};
use crate::world::{Check, OAuthWorld};

#[given(expr = "the {client} client pushes an authorization code request")]
async fn pushes(w: &mut OAuthWorld, c: ClientRole) -> Check {
    w.start_authorization(c, "code")?;
    w.push_authorization(None).await?;
    w.expect_pushed()
}

#[when("the client pushes the request")]
async fn push(w: &mut OAuthWorld) -> Check {
    w.push_authorization(None).await
}

#[when(expr = "the client pushes the request with {auth}")]
async fn push_with(w: &mut OAuthWorld, mode: AuthMode) -> Check {
    w.push_authorization(Some(mode)).await
}

#[then("the push succeeds with a request_uri and its lifetime")]
fn pushed(w: &mut OAuthWorld) -> Check {
    w.expect_pushed()
}

#[then(expr = "the request_uri carries at least {int} random bits")]
fn entropy(w: &mut OAuthWorld, bits: u32) -> Check {
    w.expect_request_uri_entropy(f64::from(bits))
}

#[then(expr = "the push fails with {string}")]
fn push_fails(w: &mut OAuthWorld, code: String) -> Check {
    w.expect_token_error(&[code.as_str()])
}

#[then("the push is refused with invalid_client")]
fn push_unauthenticated(w: &mut OAuthWorld) -> Check {
    w.expect_invalid_client_status()
}

#[given(expr = "the front channel also sends {string} as {string}")]
fn front_param(w: &mut OAuthWorld, name: String, value: String) -> Check {
    w.set_front_param(&name, &value)
}

#[when("the request_uri lifetime has passed")]
async fn lifetime_passed(w: &mut OAuthWorld) -> Check {
    let secs = w
        .target
        .timing
        .request_uri_lifetime_secs
        .ok_or("[timing].request_uri_lifetime_secs is not declared")?;
    w.wait(Duration::from_millis(secs * 1000 + 1200)).await;
    Ok(())
}

#[then("the authorization request is refused")]
fn refused(w: &mut OAuthWorld) -> Check {
    w.expect_authorization_refused()
}

#[then("the answer follows the pushed request or refuses it")]
fn only_pushed(w: &mut OAuthWorld) -> Check {
    w.expect_only_pushed_parameters()
}

#[then("the metadata names the pushed authorization request endpoint")]
fn metadata(w: &mut OAuthWorld) -> Check {
    let m = w.metadata_json()?;
    let got = m
        .get("pushed_authorization_request_endpoint")
        .and_then(|v| v.as_str())
        .ok_or("metadata lacks pushed_authorization_request_endpoint")?;
    let want = w.target.endpoint(crate::config::Endpoint::Par);
    if got != want.as_str() {
        return Err(format!(
            "pushed_authorization_request_endpoint is {got:?}, the target's is {want}"
        ));
    }
    Ok(())
}
