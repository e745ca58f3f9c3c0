//! Authorization endpoint, redirect_uri, state, PKCE on the front channel.

use cucumber::{given, then, when};

use crate::parameters::{ClientRole, UserRole};
use crate::user_agent::{Decision, PageKind};
use crate::world::{Check, OAuthWorld};

fn list(s: &str) -> Vec<&str> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect()
}

#[given(expr = "the {client} client starts an authorization code request")]
fn start_code(w: &mut OAuthWorld, c: ClientRole) -> Check {
    w.start_authorization(c, "code")
}

#[given(expr = "the {client} client starts an implicit grant request")]
fn start_implicit(w: &mut OAuthWorld, c: ClientRole) -> Check {
    w.start_authorization(c, "token")
}

#[given(expr = "the request parameter {string} is {string}")]
fn set_param(w: &mut OAuthWorld, name: String, value: String) -> Check {
    w.set_auth_param(&name, &value)
}

#[given(expr = "the request omits {string}")]
fn omit_param(w: &mut OAuthWorld, name: String) -> Check {
    w.remove_auth_param(&name)
}

#[given(expr = "the request repeats {string}")]
fn repeat_param(w: &mut OAuthWorld, name: String) -> Check {
    w.repeat_auth_param(&name)
}

#[given(expr = "the request has a state of {int} characters")]
fn long_state(w: &mut OAuthWorld, n: usize) -> Check {
    let s: String = "abcdefghij".chars().cycle().take(n).collect();
    w.set_auth_param("state", &s)
}

#[given("the request asks for a scope the user has not yet approved")]
fn consent_scope(w: &mut OAuthWorld) -> Check {
    w.use_consent_scope()
}

#[given(expr = "the request uses the PKCE method {string}")]
fn pkce_method(w: &mut OAuthWorld, m: String) -> Check {
    w.use_pkce(&m)
}

#[given(expr = "the request uses a PKCE verifier of {int} characters")]
fn pkce_len(w: &mut OAuthWorld, n: usize) -> Check {
    let v: String = "0123456789abcdefghij".chars().cycle().take(n).collect();
    w.use_pkce_verifier(&v)
}

#[given(expr = "the request uses the PKCE verifier {string}")]
fn pkce_verifier(w: &mut OAuthWorld, v: String) -> Check {
    w.use_pkce_verifier(&v)
}

#[when(expr = "the {user} authorizes the request")]
async fn authorize(w: &mut OAuthWorld, u: UserRole) -> Check {
    w.authorize(u, Decision::Allow).await
}

#[when(expr = "the {user} reaches the consent page")]
async fn reach_consent(w: &mut OAuthWorld, u: UserRole) -> Check {
    w.authorize(u, Decision::Stop).await
}

#[when(expr = "the {user} denies the request")]
async fn deny(w: &mut OAuthWorld, u: UserRole) -> Check {
    w.authorize(u, Decision::Deny).await
}

#[given(expr = "the {client} client obtains an authorization code")]
#[when(expr = "the {client} client obtains an authorization code")]
async fn obtain_code(w: &mut OAuthWorld, c: ClientRole) -> Check {
    w.start_authorization(c, "code")?;
    w.authorize(UserRole::User, Decision::Allow).await?;
    w.expect_code()
}

#[when(expr = "the browser sends the request with the Origin {string}")]
async fn with_origin(w: &mut OAuthWorld, origin: String) -> Check {
    w.send_authorization_once(vec![("origin".into(), origin)])
        .await
}

#[then("the client receives an authorization code")]
#[when("the client receives an authorization code")]
fn receives_code(w: &mut OAuthWorld) -> Check {
    w.expect_code()
}

#[then("the client receives an access token in the fragment")]
#[when("the client receives an access token in the fragment")]
fn receives_fragment_token(w: &mut OAuthWorld) -> Check {
    w.expect_fragment_token()
}

#[then(expr = "the client receives the error {string}")]
fn receives_error(w: &mut OAuthWorld, codes: String) -> Check {
    w.expect_auth_error(&list(&codes))
}

#[then(expr = "the client receives one of the errors {string}")]
fn receives_one_of(w: &mut OAuthWorld, codes: String) -> Check {
    w.expect_auth_error(&list(&codes))
}

#[then(expr = "the client receives the error {string} or an authorization code")]
fn error_or_code(w: &mut OAuthWorld, codes: String) -> Check {
    if w.callback_param("error")?.is_some() {
        w.expect_auth_error(&list(&codes))
    } else {
        w.expect_code()
    }
}

#[then(
    "the client is refused with invalid_scope or access_denied, or gets a grant that states its scope if it is not the requested one"
)]
async fn invalid_scope_or_honest(w: &mut OAuthWorld) -> Check {
    w.expect_auth_invalid_scope_or_honest().await
}

#[then("the server shows an error page and does not redirect")]
fn error_page(w: &mut OAuthWorld) -> Check {
    w.expect_error_page()
}

#[then(expr = "the server shows an error page or redirects with one of the errors {string}")]
fn error_page_or(w: &mut OAuthWorld, codes: String) -> Check {
    w.expect_error_page_or(&list(&codes))
}

#[then("the state comes back unchanged")]
fn state_unchanged(w: &mut OAuthWorld) -> Check {
    w.expect_state(w.sent_state().as_deref())
}

#[then("no state comes back")]
fn no_state(w: &mut OAuthWorld) -> Check {
    w.expect_state(None)
}

#[then("the state comes back unchanged or the client receives the error \"invalid_request\"")]
fn state_or_invalid(w: &mut OAuthWorld) -> Check {
    match w.expect_auth_error(&["invalid_request"]) {
        Ok(()) => w.expect_state(w.sent_state().as_deref()),
        Err(_) => {
            w.expect_code()?;
            w.expect_state(w.sent_state().as_deref())
        }
    }
}

#[then("the response carries iss equal to the issuer")]
fn iss(w: &mut OAuthWorld) -> Check {
    w.expect_iss()
}

#[then("the error response carries only error, error_description, error_uri, state and iss")]
fn only_error_members(w: &mut OAuthWorld) -> Check {
    w.expect_only_error_members()
}

#[then(expr = "the code carries at least {int} bits of entropy")]
fn code_entropy(w: &mut OAuthWorld, bits: u32) -> Check {
    w.expect_code_entropy(f64::from(bits))
}

#[then("the login page forbids framing")]
fn login_framing(w: &mut OAuthWorld) -> Check {
    w.expect_page_framing(PageKind::Login)
}

#[then("the consent page forbids framing")]
fn consent_framing(w: &mut OAuthWorld) -> Check {
    w.expect_page_framing(PageKind::Consent)
}

#[then("no form POST was answered with 307")]
fn no_307(w: &mut OAuthWorld) -> Check {
    w.expect_post_redirects_303()
}

#[then("the fragment carries no refresh token")]
fn no_fragment_refresh(w: &mut OAuthWorld) -> Check {
    match w.issued.last().and_then(|i| i.refresh_token.as_ref()) {
        Some(_) => Err("the implicit response carries a refresh_token".into()),
        None => Ok(()),
    }
}
