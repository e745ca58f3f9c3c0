//! Token endpoint: grants, client authentication, response and error format.

use std::time::Duration;

use cucumber::{given, then, when};

use crate::parameters::{AuthMode, ClientRole, Grant, TokenKind, Which};
use crate::world::{Check, OAuthWorld};

fn list(s: &str) -> Vec<&str> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect()
}

#[when(expr = "the {client} client prepares a token request with the {grant} grant")]
#[given(expr = "the {client} client prepares a token request with the {grant} grant")]
fn prepare(w: &mut OAuthWorld, c: ClientRole, g: Grant) -> Check {
    w.prepare_token_request(c, g)
}

#[when(expr = "the {client} client prepares a refresh with the {which} refresh token")]
fn prepare_refresh(w: &mut OAuthWorld, c: ClientRole, which: Which) -> Check {
    w.prepare_refresh_with(c, which)
}

#[when(expr = "the token request parameter {string} is {string}")]
#[given(expr = "the token request parameter {string} is {string}")]
fn set_param(w: &mut OAuthWorld, name: String, value: String) -> Check {
    w.set_token_param(&name, &value)
}

#[when(expr = "the token request omits {string}")]
fn omit(w: &mut OAuthWorld, name: String) -> Check {
    w.remove_token_param(&name)
}

#[when(expr = "the token request repeats {string}")]
fn repeat(w: &mut OAuthWorld, name: String) -> Check {
    w.repeat_token_param(&name)
}

#[when(expr = "the client authenticates with {auth}")]
#[given(expr = "the client authenticates with {auth}")]
fn auth(w: &mut OAuthWorld, a: AuthMode) -> Check {
    w.set_token_auth(a)
}

#[when(expr = "the token request is sent with the method {string}")]
async fn send_method(w: &mut OAuthWorld, m: String) -> Check {
    w.set_token_method(&m)?;
    w.send_token_request().await
}

#[when("the token request is sent")]
async fn send(w: &mut OAuthWorld) -> Check {
    w.send_token_request().await
}

#[when(expr = "the token request is sent {int} times at once")]
async fn race(w: &mut OAuthWorld, n: usize) -> Check {
    w.race_token_request(n).await
}

#[when(expr = "the {client} client requests a token with the {grant} grant")]
#[given(expr = "the {client} client requests a token with the {grant} grant")]
async fn request(w: &mut OAuthWorld, c: ClientRole, g: Grant) -> Check {
    w.prepare_token_request(c, g)?;
    w.send_token_request().await
}

#[when("the client exchanges the code")]
async fn exchange(w: &mut OAuthWorld) -> Check {
    let role = w.auth.as_ref().map_or(ClientRole::Confidential, |a| a.role);
    w.prepare_token_request(role, Grant::AuthorizationCode)?;
    w.send_token_request().await
}

#[given(expr = "the {client} client holds tokens from the authorization code grant")]
async fn holds_tokens(w: &mut OAuthWorld, c: ClientRole) -> Check {
    w.start_authorization(c, "code")?;
    w.authorize(
        crate::parameters::UserRole::User,
        crate::user_agent::Decision::Allow,
    )
    .await?;
    w.expect_code()?;
    w.prepare_token_request(c, Grant::AuthorizationCode)?;
    w.send_token_request().await?;
    w.expect_token_success()
}

#[when("the code lifetime has passed")]
async fn code_expired(w: &mut OAuthWorld) {
    let t = &w.target.timing;
    w.wait(Duration::from_millis(
        (t.code_lifetime_secs + 1) * 1000 + 200,
    ))
    .await;
}

#[when(expr = "the body is sent as {string} to the token endpoint")]
async fn raw_body(w: &mut OAuthWorld, ct: String) -> Check {
    let body = if ct.contains("json") {
        r#"{"grant_type":"client_credentials"}"#.to_string()
    } else {
        format!(
            "grant_type=client_credentials&pad={}",
            "x".repeat(2 * 1024 * 1024)
        )
    };
    w.send_raw_token_body(&ct, body).await
}

#[then("the token request succeeds")]
fn succeeds(w: &mut OAuthWorld) -> Check {
    w.expect_token_success()
}

#[then(expr = "the token request fails with {string}")]
fn fails_with(w: &mut OAuthWorld, codes: String) -> Check {
    w.expect_token_error(&list(&codes))
}

#[then(expr = "the token request fails with one of {string}")]
fn fails_with_one_of(w: &mut OAuthWorld, codes: String) -> Check {
    w.expect_token_error(&list(&codes))
}

#[then("the token request is refused")]
fn refused(w: &mut OAuthWorld) -> Check {
    w.expect_refused()
}

#[then(expr = "the response status is {int}")]
fn status(w: &mut OAuthWorld, s: u16) -> Check {
    w.expect_status(s)
}

#[then(expr = "the response status is one of {string}")]
fn status_one_of(w: &mut OAuthWorld, s: String) -> Check {
    let got = w.last.as_ref().map_or(0, |r| r.status);
    if list(&s).iter().any(|x| x.parse() == Ok(got)) {
        Ok(())
    } else {
        Err(format!("HTTP {got}, expected one of {s}"))
    }
}

#[then(expr = "the response status is not {int}")]
fn status_not(w: &mut OAuthWorld, s: u16) -> Check {
    let got = w.last.as_ref().map_or(0, |r| r.status);
    if got == s || got >= 500 {
        return Err(format!(
            "HTTP {got}, expected a refusal other than {s} or a 5xx"
        ));
    }
    Ok(())
}

#[then(expr = "the response header {string} contains {string}")]
fn header(w: &mut OAuthWorld, name: String, value: String) -> Check {
    w.expect_header(&name, &value)
}

#[then(expr = "the response has no {string} header")]
fn no_header(w: &mut OAuthWorld, name: String) -> Check {
    w.expect_no_header(&name)
}

#[then(expr = "the response has a {string} member")]
fn member(w: &mut OAuthWorld, name: String) -> Check {
    w.expect_member(&name, true)
}

#[then(expr = "the response has no {string} member")]
fn no_member(w: &mut OAuthWorld, name: String) -> Check {
    w.expect_member(&name, false)
}

#[then("the token request succeeds and states its scope if it is not the requested one")]
async fn scope_stated(w: &mut OAuthWorld) -> Check {
    w.expect_scope_stated_if_changed().await
}

#[then("the server either refuses the scope with \"invalid_scope\" or says which scope it granted")]
async fn invalid_or_narrowed(w: &mut OAuthWorld) -> Check {
    w.expect_invalid_scope_or_honest().await
}

#[then("the refresh succeeds with no scope beyond the original grant")]
fn within_original(w: &mut OAuthWorld) -> Check {
    w.expect_scope_within_original()
}

#[then(
    "the server refuses the scope with \"invalid_scope\" or grants no more than the original grant"
)]
fn invalid_or_within_original(w: &mut OAuthWorld) -> Check {
    w.expect_invalid_scope_or_within_original()
}

#[then("the token request succeeds or fails with \"invalid_scope\"")]
fn default_or_invalid(w: &mut OAuthWorld) -> Check {
    w.expect_default_scope_or_invalid()
}

#[then("the invalid_client status fits how the client authenticated")]
fn invalid_client_status(w: &mut OAuthWorld) -> Check {
    w.expect_invalid_client_status()
}

#[then("the request is refused without disclosing anything")]
fn refused_unauthenticated(w: &mut OAuthWorld) -> Check {
    w.expect_refused_unauthenticated()
}

#[then("the refresh token was rotated, or the target declares sender-constrained refresh tokens")]
async fn rotated_or_constrained(w: &mut OAuthWorld) -> Check {
    w.expect_rotated_or_sender_constrained().await
}

#[then(expr = "the {kind} token uses only visible ASCII and carries at least 128 bits")]
fn token_shape(w: &mut OAuthWorld, k: TokenKind) -> Check {
    w.expect_token_shape(k)
}

#[then("the error members use only the characters RFC 6749 allows")]
fn error_charset(w: &mut OAuthWorld) -> Check {
    w.expect_error_charset()
}

#[then("at most one of them succeeds")]
fn at_most_one(w: &mut OAuthWorld) -> Check {
    w.expect_at_most_one_success()
}

#[when("the token request sends the code_challenge as the code_verifier")]
fn challenge_as_verifier(w: &mut OAuthWorld) -> Check {
    let a = w.auth.as_ref().ok_or("no authorization request")?;
    let ch = a
        .param("code_challenge")
        .ok_or("the request had no code_challenge")?
        .to_owned();
    w.set_token_param("code_verifier", &ch)
}

#[then(expr = "the response is 200 or the error {string}")]
fn ok_or_error(w: &mut OAuthWorld, code: String) -> Check {
    match w.last.as_ref().map(|r| r.status) {
        Some(200) => Ok(()),
        _ => w.expect_token_error(&[code.as_str()]),
    }
}
