//! Client assertions (RFC 7523 §2.2, private_key_jwt).

use cucumber::{given, when};

use crate::parameters::{ClientRole, Grant};
use crate::world::{Check, OAuthWorld, Signing};

#[given(expr = "the client assertion claim {string} is {string}")]
fn claim(w: &mut OAuthWorld, name: String, value: String) {
    w.set_claim(&name, Some(serde_json::Value::String(value)));
}

#[given(expr = "the client assertion has no {string} claim")]
fn no_claim(w: &mut OAuthWorld, name: String) {
    w.set_claim(&name, None);
}

#[given(expr = "the client assertion claim {string} is {int} seconds from now")]
fn time_claim(w: &mut OAuthWorld, name: String, secs: i64) {
    w.set_time_claim(&name, secs);
}

#[given(expr = "the client assertion claim {string} is {int} seconds ago")]
fn time_claim_past(w: &mut OAuthWorld, name: String, secs: i64) {
    w.set_time_claim(&name, -secs);
}

#[given("the client assertion audience is the token endpoint URL")]
fn aud_token_endpoint(w: &mut OAuthWorld) {
    let u = w
        .target
        .endpoint(crate::config::Endpoint::Token)
        .to_string();
    w.set_claim("aud", Some(serde_json::Value::String(u)));
}

#[given(expr = "the client assertion header kid is {string}")]
fn header_kid(w: &mut OAuthWorld, kid: String) {
    w.assertion.kid = Some(kid);
}

#[given("the client assertion is unsigned with alg none")]
fn alg_none(w: &mut OAuthWorld) {
    w.assertion.signing = Signing::None;
}

#[given("the client assertion is signed with HS256 keyed by the client's public key")]
fn hs256(w: &mut OAuthWorld) {
    w.assertion.signing = Signing::Hs256PublicKey;
}

#[given("the client assertion signature is corrupted")]
fn tampered(w: &mut OAuthWorld) {
    w.assertion.signing = Signing::Tampered;
}

#[given(expr = "the client assertion type is {string}")]
fn assertion_type(w: &mut OAuthWorld, ty: String) {
    w.assertion.assertion_type = Some(ty);
}

#[when("the jwt client requests a token with its client assertion")]
async fn request(w: &mut OAuthWorld) -> Check {
    w.prepare_token_request(ClientRole::Jwt, Grant::ClientCredentials)?;
    w.send_token_request().await
}

#[when("the same client assertion is sent again")]
async fn replay(w: &mut OAuthWorld) -> Check {
    w.replay_assertion().await
}
