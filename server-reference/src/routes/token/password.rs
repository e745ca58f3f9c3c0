//! The resource owner password credentials grant (RFC 6749 §4.3).
//!
//! # Security
//! Refused for users with two-factor authentication (the GitLab seed): their
//! password alone is not enough. Passwords are verified with Argon2 in
//! `spawn_blocking`; an unknown user costs the same as a wrong password.

use std::sync::OnceLock;

use axum::response::Response;

use super::{Ctx, requested_scope};
use crate::crypto::PasswordDigest;
use crate::error::OAuthError;
use crate::issuance::IssueRequest;
use crate::model::{GrantId, GrantType};

pub(super) async fn exchange(ctx: Ctx<'_>) -> Result<Response, OAuthError> {
    let state = ctx.state;
    let username = ctx.params.require("username")?;
    let password = ctx.params.require("password")?.to_owned();
    let client = ctx.client();
    let scope = requested_scope(ctx.params, client, &state.settings().variants)?;
    // RFC 6749 §4.3.2: refused before the password is even checked.
    if let Some(secs) = state.throttle().locked_for(username, state.now()) {
        return Err(OAuthError::invalid_grant(format!(
            "too many wrong passwords for this user; try again in {secs} s"
        )));
    }
    let user = state.store().user(username).await?;
    let digest = user.as_ref().map(|u| u.password.clone());
    let verified = tokio::task::spawn_blocking(move || match digest {
        Some(d) => d.verify(&password),
        None => {
            let _ = dummy_digest().verify(&password);
            false
        }
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password verification task failed");
        OAuthError::server_error()
    })?;
    let user = match user {
        Some(u) if verified => u,
        _ => {
            state.throttle().failed(username, state.now());
            return Err(OAuthError::invalid_grant("invalid username or password"));
        }
    };
    state.throttle().succeeded(username);
    if user.has_two_factor() {
        return Err(OAuthError::invalid_grant(
            "the password grant is disabled for users with two-factor authentication; use the authorization code flow",
        ));
    }
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

/// Verified against when the user does not exist, so timing does not tell.
fn dummy_digest() -> &'static PasswordDigest {
    static DUMMY: OnceLock<PasswordDigest> = OnceLock::new();
    DUMMY.get_or_init(|| PasswordDigest::hash("no such user"))
}
