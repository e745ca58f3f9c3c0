//! The refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2).
//!
//! The token is looked up first and checked against the client, its expiry and
//! the requested scope *before* it is consumed, so another client (or a bad scope)
//! cannot burn it. Consumption is atomic: of racing requests one wins. Replaying a
//! rotated-out (or revoked) refresh token is `invalid_grant` and revokes the family.
//! The new refresh token keeps the original scope (RFC 6749 §6), the access token
//! gets the possibly narrower one.

use axum::response::Response;

use super::Ctx;
use crate::crypto::{TokenHash, random_token};
use crate::error::OAuthError;
use crate::faults::Fault;
use crate::issuance::{IssueRequest, OFFLINE_ACCESS};
use crate::model::{TokenKind, TokenRecord};
use crate::scope::ScopeSet;
use crate::store::Consumed;

pub(super) async fn exchange(ctx: Ctx<'_>) -> Result<Response, OAuthError> {
    let state = ctx.state;
    let client = ctx.client();
    let presented = ctx.params.require("refresh_token")?;
    let hash = TokenHash::of(presented);
    let invalid = || OAuthError::invalid_grant("invalid, expired or revoked refresh token");
    let Some(peeked) = state.store().token(&hash).await? else {
        return Err(invalid());
    };
    if peeked.kind != TokenKind::Refresh || peeked.client_id != client.id {
        return Err(invalid());
    }
    if peeked.expires_at.is_some_and(|exp| state.now() >= exp) {
        return Err(invalid());
    }
    let scope = match ctx.params.get("scope") {
        None => peeked.scope.clone(),
        Some(raw) => {
            let s =
                ScopeSet::parse(raw).map_err(|_| OAuthError::invalid_scope("malformed scope"))?;
            if s.is_empty() {
                peeked.scope.clone()
            } else if s.is_subset(&peeked.scope) {
                s
            } else {
                return Err(OAuthError::invalid_scope(
                    "the requested scope exceeds the scope originally granted",
                ));
            }
        }
    };
    let record = if state.fault(Fault::RefreshNotRotated) && !peeked.revoked {
        peeked
    } else {
        match state.store().consume_refresh_token(&hash).await? {
            Consumed::Fresh(r) => {
                // Rotated out: inactive from now on (introspection, revocation).
                state.store().revoke_token(&hash).await?;
                r
            }
            Consumed::AlreadyUsed(r) => {
                if !state.fault(Fault::RefreshReplayKeepsFamily) {
                    state.store().revoke_grant(&r.grant_id).await?;
                    tracing::warn!(client = %r.client_id, "refresh token replayed; its family is revoked");
                }
                return Err(invalid());
            }
            Consumed::Missing => return Err(invalid()),
        }
    };
    let narrowed = scope != record.scope;
    let mut issued = state
        .issue_tokens(IssueRequest {
            client,
            username: record.username.as_deref(),
            scope,
            grant_id: record.grant_id,
            with_refresh_token: !narrowed,
        })
        .await?;
    if narrowed {
        issued.refresh_token = Some(new_refresh_token(ctx, &record).await?);
    }
    Ok(state.token_response(&issued))
}

/// A refresh token with the original grant's scope, for when the access token's
/// scope was narrowed.
async fn new_refresh_token(ctx: Ctx<'_>, old: &TokenRecord) -> Result<String, OAuthError> {
    let state = ctx.state;
    let now = state.now();
    let token = random_token();
    let ttl =
        (!old.scope.contains(OFFLINE_ACCESS)).then(|| state.settings().refresh_token_ttl_secs);
    state
        .store()
        .insert_token(TokenRecord {
            hash: TokenHash::of(&token),
            kind: TokenKind::Refresh,
            client_id: old.client_id.clone(),
            username: old.username.clone(),
            scope: old.scope.clone(),
            issued_at: now,
            expires_at: ttl.map(|t| now + t * 1000),
            grant_id: old.grant_id,
            revoked: false,
        })
        .await?;
    Ok(token)
}
