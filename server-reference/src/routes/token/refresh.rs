//! The refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2).
//!
//! The token is looked up first and checked against the client, its expiry and
//! the requested scope *before* it is consumed, so another client (or a bad scope)
//! cannot burn it. Rotation is one store call (`Store::rotate_refresh_token`): the
//! old token is retired and its successors stored in one transaction, and of racing
//! requests one wins. Replaying a rotated-out (or revoked) refresh token is
//! `invalid_grant` and revokes the family.
//! The new refresh token keeps the original scope (RFC 6749 §6), the access token
//! gets the possibly narrower one.

use axum::response::Response;

use super::Ctx;
use crate::crypto::TokenHash;
use crate::error::OAuthError;
use crate::faults::Fault;
use crate::issuance::IssueRequest;
use crate::model::TokenKind;
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
    let variants = &state.settings().variants;
    let scope = match variants.refresh_scope_param(ctx.params.get("scope")) {
        None => peeked.scope.clone(),
        Some(raw) => {
            let s =
                ScopeSet::parse(raw).map_err(|_| OAuthError::invalid_scope("malformed scope"))?;
            if s.is_empty() {
                peeked.scope.clone()
            } else if s.is_subset(&peeked.scope) {
                s
            } else if let Some(kept) = variants.narrowed_refresh_scope(&s, &peeked.scope) {
                kept
            } else {
                return Err(OAuthError::invalid_scope(
                    "the requested scope exceeds the scope originally granted",
                ));
            }
        }
    };
    let narrowed = scope != peeked.scope;
    let mut minted = state.mint_tokens(IssueRequest {
        client,
        username: peeked.username.as_deref(),
        scope,
        grant_id: peeked.grant_id,
        with_refresh_token: !narrowed,
    });
    if narrowed {
        // The new refresh token keeps the grant's original scope.
        let (token, record) = state.mint_refresh_token(
            peeked.client_id.clone(),
            peeked.username.clone(),
            peeked.scope.clone(),
            peeked.grant_id,
        );
        minted.issued.refresh_token = Some(token);
        minted.records.push(record);
    }
    if state.fault(Fault::RefreshNotRotated) && !peeked.revoked {
        state.store().insert_tokens(minted.records).await?;
        return Ok(state.token_response(&minted.issued));
    }
    // One store call retires the old token and stores its successors: a crash
    // leaves either the old token usable or the new ones acknowledged, never neither.
    match state
        .store()
        .rotate_refresh_token(&hash, minted.records)
        .await?
    {
        Consumed::Fresh(_) => Ok(state.token_response(&minted.issued)),
        Consumed::AlreadyUsed(r) => {
            if !state.fault(Fault::RefreshReplayKeepsFamily) {
                state.store().revoke_grant(&r.grant_id).await?;
                tracing::warn!(client = %r.client_id, "refresh token replayed; its family is revoked");
            }
            Err(invalid())
        }
        Consumed::Missing => Err(invalid()),
    }
}
