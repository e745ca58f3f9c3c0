//! The client credentials grant (RFC 6749 §4.4): confidential clients only, and never
//! a refresh token (§4.4.3). Every token of a client shares one grant,
//! `GrantId::of_client`, so deleting the client (a Segment app) revokes them all.

use axum::response::Response;

use super::{Ctx, requested_scope};
use crate::error::{ErrorCode, OAuthError};
use crate::issuance::IssueRequest;
use crate::model::{AuthMethod, GrantId};

pub(super) async fn exchange(ctx: Ctx<'_>) -> Result<Response, OAuthError> {
    let client = ctx.client();
    if ctx.auth.method == AuthMethod::None || client.is_public() {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "client_credentials is for confidential clients only",
        ));
    }
    let scope = requested_scope(ctx.params, client, &ctx.state.settings().variants)?;
    let issued = ctx
        .state
        .issue_tokens(IssueRequest {
            client,
            username: None,
            scope,
            grant_id: GrantId::of_client(&client.id),
            with_refresh_token: false,
        })
        .await?;
    Ok(ctx.state.token_response(&issued))
}
