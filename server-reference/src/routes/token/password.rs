//! The resource owner password credentials grant (RFC 6749 §4.3).
//!
//! # Security
//! - Refused for users with two-factor authentication (the GitLab seed): their
//!   password alone is not enough, so it is never checked, and the answer is
//!   the wrong-password answer (same text, same cost, counted the same), so the
//!   grant tells nothing about a two-factor user's password.
//! - An unknown user costs the same as a wrong password.
//! - Every check runs in the bounded pool (`hashing`): past its queue the
//!   answer is 503 `temporarily_unavailable` with `Retry-After`, before the
//!   username is looked up or counted.
//! - The attempt is reserved in the brute-force throttle before the check, so
//!   concurrent guesses cannot pass the lock together.

use axum::response::{IntoResponse, Response};

use super::{Ctx, requested_scope};
use crate::error::{ErrorCode, OAuthError};
use crate::issuance::IssueRequest;
use crate::model::{GrantId, GrantType};
use crate::throttle::Refusal;

pub(super) async fn exchange(ctx: Ctx<'_>) -> Result<Response, OAuthError> {
    let state = ctx.state;
    let username = ctx.params.require("username")?;
    let password = ctx.params.require("password")?.to_owned();
    let client = ctx.client();
    let scope = requested_scope(ctx.params, client, &state.settings().variants)?;
    // RFC 6749 §4.3.2: counted before the password is checked, refused when locked.
    let (admission, attempt) = match state
        .throttle()
        .admit_and_reserve(state.passwords(), username, || state.now())
        .await
    {
        Ok(both) => both,
        Err(Refusal::Locked(secs)) => {
            return Err(OAuthError::invalid_grant(format!(
                "too many wrong passwords for this user; try again in {secs} s"
            )));
        }
        Err(Refusal::Full | Refusal::Pending) => return Ok(busy()),
    };
    let user = state
        .store()
        .user(username)
        .await?
        .filter(|u| !u.has_two_factor());
    let digest = user.as_ref().map(|u| u.password.clone());
    let verified = admission.verify(digest, password).await;
    let user = match user {
        Some(u) if verified => u,
        _ => {
            attempt.failed(state.now());
            return Err(OAuthError::invalid_grant("invalid username or password"));
        }
    };
    attempt.succeeded();
    let issued = state
        .issue_tokens(IssueRequest {
            client,
            username: Some(&user.username),
            scope,
            grant_id: GrantId::new(),
            with_refresh_token: client.allows_grant(GrantType::RefreshToken),
        })
        .await?;
    Ok(state.token_response(&issued))
}

/// 503 with `Retry-After` and an RFC 6749 §5.2 body: too many password checks
/// are running and waiting (or the throttle's table is full).
fn busy() -> Response {
    OAuthError::new(
        ErrorCode::TemporarilyUnavailable,
        "too many sign-in attempts are being checked; try again shortly",
    )
    .into_response()
}
