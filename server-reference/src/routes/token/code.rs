//! The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6).
//!
//! A code issued to another client is refused without touching it. Otherwise the
//! code is consumed atomically first, so of two racing requests exactly one gets
//! it; a failed exchange after that still burns the code (safer). A second
//! redemption is `invalid_grant` and revokes every token issued from the code
//! (RFC 6749 §4.1.2).

use axum::response::Response;

use super::Ctx;
use crate::crypto::{TokenHash, ct_eq, s256_challenge};
use crate::error::OAuthError;
use crate::faults::Fault;
use crate::issuance::IssueRequest;
use crate::model::{ChallengeMethod, GrantType};
use crate::store::Consumed;

pub(super) async fn exchange(ctx: Ctx<'_>) -> Result<Response, OAuthError> {
    let state = ctx.state;
    let code = ctx.params.require("code")?;
    let verifier = ctx.params.get("code_verifier");
    if let Some(v) = verifier
        && !is_valid_verifier(v)
    {
        return Err(OAuthError::invalid_request(
            "code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)",
        ));
    }
    let hash = TokenHash::of(code);
    let client = ctx.client();
    let bound = !state.fault(Fault::CodeNotBoundToClient);
    // Another client's code is refused before it is consumed: a client that
    // learnt it (or sent it by mistake) cannot burn it for the client it was
    // issued to. The binding never changes, so reading first is no race.
    if bound
        && let Some(c) = state.store().code(&hash).await?
        && *c.client_id != *client.id
    {
        return Err(wrong_client());
    }
    let consumed = if state.fault(Fault::CodeReusable) {
        // The faulty server never marks a code used.
        match state.store().code(&hash).await? {
            Some(c) => Consumed::Fresh(c),
            None => Consumed::Missing,
        }
    } else {
        state.store().consume_code(&hash).await?
    };
    let record = match consumed {
        Consumed::Fresh(c) => c,
        Consumed::AlreadyUsed(c) => {
            state.store().revoke_grant(&c.grant_id).await?;
            tracing::warn!(client = %c.client_id, "authorization code reused; its tokens are revoked");
            return Err(OAuthError::invalid_grant(
                "the authorization code has already been used",
            ));
        }
        Consumed::Missing => {
            return Err(OAuthError::invalid_grant("unknown authorization code"));
        }
    };
    if bound && *record.client_id != *client.id {
        return Err(wrong_client());
    }
    if state.now() >= record.expires_at && !state.fault(Fault::CodeNeverExpires) {
        return Err(OAuthError::invalid_grant(
            "the authorization code has expired",
        ));
    }
    if ctx.params.get("redirect_uri") != record.redirect_uri.as_deref()
        && !state.fault(Fault::CodeRedirectUriUnchecked)
    {
        return Err(OAuthError::invalid_grant(
            "redirect_uri must repeat the authorization request's exactly, or be absent if it was absent",
        ));
    }
    match (&record.challenge, verifier) {
        (Some(_), None) if state.fault(Fault::PkceVerifierOptional) => {}
        (Some(_), None) => return Err(state.settings().variants.missing_verifier()),
        (None, Some(_)) => return Err(state.settings().variants.unexpected_verifier()),
        (None, None) if client.pkce_required() => {
            return Err(OAuthError::invalid_grant("this client must use PKCE"));
        }
        (None, None) => {}
        (Some((challenge, method)), Some(v)) => {
            let computed = match method {
                ChallengeMethod::S256 => s256_challenge(v),
                ChallengeMethod::Plain => v.to_owned(),
            };
            let ok = ct_eq(computed.as_bytes(), challenge.as_bytes());
            if !ok && !state.fault(Fault::PkceNotVerified) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ));
            }
        }
    }
    let issued = state
        .issue_tokens(IssueRequest {
            client,
            username: Some(&record.username),
            scope: record.scope.clone(),
            grant_id: record.grant_id,
            with_refresh_token: client.allows_grant(GrantType::RefreshToken),
        })
        .await?;
    Ok(state.token_response(&issued))
}

fn wrong_client() -> OAuthError {
    OAuthError::invalid_grant("the authorization code was issued to another client")
}

/// RFC 7636 §4.1: `43*128unreserved`.
fn is_valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_syntax() {
        assert!(is_valid_verifier(&"a".repeat(43)));
        assert!(is_valid_verifier(&"-._~".repeat(32)));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(43))));
    }
}
