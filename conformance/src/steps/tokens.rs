//! Using, revoking, introspecting and describing issued tokens.

use cucumber::{then, when};

use crate::parameters::{ClientRole, TokenKind, Which};
use crate::world::{Check, OAuthWorld};

#[then(expr = "the {which} access token is accepted by the resource server")]
async fn accepted(w: &mut OAuthWorld, which: Which) -> Check {
    w.probe_access(which, true).await
}

#[then(expr = "the {which} access token is rejected by the resource server")]
async fn rejected(w: &mut OAuthWorld, which: Which) -> Check {
    w.probe_access(which, false).await
}

#[then(expr = "the {which} refresh token no longer works")]
async fn refresh_dead(w: &mut OAuthWorld, which: Which) -> Check {
    w.probe_refresh_dead(which).await
}

#[when(expr = "the resource server is called with the token {string}")]
async fn resource_with(w: &mut OAuthWorld, token: String) -> Check {
    w.call_resource(&token, false).await
}

#[when(expr = "the resource server is called with the {which} access token in the query")]
async fn resource_query(w: &mut OAuthWorld, which: Which) -> Check {
    let t = w.token(which, TokenKind::Access)?;
    w.call_resource(&t, true).await
}

#[when(expr = "the resource server is called with the {which} access token")]
async fn resource_header(w: &mut OAuthWorld, which: Which) -> Check {
    let t = w.token(which, TokenKind::Access)?;
    w.call_resource(&t, false).await
}

#[then("the resource server refuses it with a Bearer challenge")]
fn bearer_challenge(w: &mut OAuthWorld) -> Check {
    w.expect_bearer_refusal()
}

#[then("the token in the query is refused or the response is not cacheable")]
fn query_token(w: &mut OAuthWorld) -> Check {
    let r = w.last.as_ref().ok_or("no request")?;
    let cc = r.header("cache-control").unwrap_or("").to_ascii_lowercase();
    if r.status == 200 && !cc.contains("private") && !cc.contains("no-store") {
        return Err(format!(
            "query token accepted with Cache-Control {cc:?} (RFC 6750 §2.3 wants private)"
        ));
    }
    Ok(())
}

#[when(expr = "the {client} client revokes the {which} {kind} token")]
async fn revoke(w: &mut OAuthWorld, c: ClientRole, which: Which, k: TokenKind) -> Check {
    let t = w.token(which, k)?;
    w.revoke(Some(c), t, None).await
}

#[when(expr = "the {client} client revokes the {which} {kind} token with the hint {string}")]
async fn revoke_hint(
    w: &mut OAuthWorld,
    c: ClientRole,
    which: Which,
    k: TokenKind,
    hint: String,
) -> Check {
    let t = w.token(which, k)?;
    w.revoke(Some(c), t, Some(&hint)).await
}

#[when(expr = "the {client} client revokes the token {string}")]
async fn revoke_literal(w: &mut OAuthWorld, c: ClientRole, token: String) -> Check {
    w.revoke(Some(c), token, None).await
}

#[when(expr = "a caller without credentials revokes the {which} access token")]
async fn revoke_anon(w: &mut OAuthWorld, which: Which) -> Check {
    let t = w.token(which, TokenKind::Access)?;
    w.revoke(None, t, None).await
}

#[when(expr = "the {client} client introspects the {which} {kind} token")]
async fn introspect(w: &mut OAuthWorld, c: ClientRole, which: Which, k: TokenKind) -> Check {
    let t = w.token(which, k)?;
    w.introspect(Some(c), t).await
}

#[when(expr = "the {client} client introspects the token {string}")]
async fn introspect_literal(w: &mut OAuthWorld, c: ClientRole, token: String) -> Check {
    w.introspect(Some(c), token).await
}

#[when(expr = "a caller without credentials introspects the {which} access token")]
async fn introspect_anon(w: &mut OAuthWorld, which: Which) -> Check {
    let t = w.token(which, TokenKind::Access)?;
    w.introspect(None, t).await
}

#[then("the introspection says the token is active, with its scope and client")]
fn active(w: &mut OAuthWorld) -> Check {
    w.expect_introspection_active()
}

#[then("the introspection says the token is inactive")]
fn inactive_at_least(w: &mut OAuthWorld) -> Check {
    w.expect_introspection_says_inactive()
}

#[then("the introspection says only that the token is inactive")]
fn inactive(w: &mut OAuthWorld) -> Check {
    w.expect_introspection_inactive()
}

#[when(expr = "the token info is requested for the {which} access token")]
async fn info(w: &mut OAuthWorld, which: Which) -> Check {
    let t = w.token(which, TokenKind::Access)?;
    w.token_info(&t).await
}

#[when(expr = "the token info is requested for the token {string}")]
async fn info_literal(w: &mut OAuthWorld, t: String) -> Check {
    w.token_info(&t).await
}

#[then("the token info names the owner, scope, expiry and application")]
fn info_shape(w: &mut OAuthWorld) -> Check {
    w.expect_token_info()
}
